"""Layer 6: the pytest plugin the contract suites run under and the plan of a run.

- :mod:`plugin.pytest_plugin` — the hooks (options, markers, collection, each test's report, the
  end of the session); the module pytest loads (``-p plugin.pytest_plugin``, ``conftest.py``).
- :mod:`plugin.fixtures` — every fixture; :mod:`plugin.targets` — the target and the sites they give.
- :mod:`plugin.markers`, :mod:`plugin.secrets`, :mod:`plugin.results`, :mod:`plugin.budget`,
  :mod:`plugin.request_costs`, :mod:`plugin.workers` — one job each; :mod:`plugin.state` — the
  per-run state on ``config.stash``.
- :mod:`plugin.plan` — profiles, request costs, the budget check before the first request.

Stands on the layers below (:mod:`webex`, :mod:`environment`, :mod:`workspace`, :mod:`client`,
:mod:`generators`, :mod:`emulator`); the suites in ``contracts/`` stand on it.
"""
