"""Layer 3: where runs live on disk, shared by the contract suites and the load runs.

- :mod:`workspace.run_folder` — run IDs, the reports root, a run's folder.
- :mod:`workspace.results` — the per-test result (:class:`~workspace.results.TestResult`) and its file.
- :mod:`workspace.budget` — the run's one file-locked request counter, drawn by every process.
- :mod:`workspace.state` — what outlives a run (usage-limit and REST pacing counts in ``reports/.safety``).

Stands on :mod:`webex` and :mod:`environment`.
"""
