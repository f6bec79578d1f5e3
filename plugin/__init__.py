"""Layer 6: the pytest plugin the contract suites — and a user's own tests — run under, and the plan of a run.

- :mod:`plugin.pytest_plugin` — the module pytest loads through the package's ``pytest11`` entry point
  (the options); it registers :mod:`plugin.hooks` only when a run asks for the harness (``--env``, or
  the ``webex_harness_env`` ini key: :mod:`plugin.activation`).
- :mod:`plugin.hooks` — the hooks (markers, collection, each test's report, the end of the session).
- :mod:`plugin.fixtures` — every fixture (``environment``, ``target``, ``site_factory``, ``site``,
  ``xml``, ``meetings``, ``rest``, ``seed``, ``run_name``); :mod:`plugin.targets` — the target and the
  sites they give; :mod:`plugin.xml_meetings`, :mod:`plugin.rest_meetings` — the meeting trackers and
  default bodies; :mod:`plugin.run_names` — the run's names of what tests create.
- :mod:`plugin.markers`, :mod:`plugin.secrets`, :mod:`plugin.results`, :mod:`plugin.budget`,
  :mod:`plugin.request_costs`, :mod:`plugin.workers` — one job each; :mod:`plugin.state` — the
  per-run state on ``config.stash``.
- :mod:`plugin.plan` — profiles, request costs, the budget check before the first request;
  :mod:`plugin.suite_command` — where the suites are and the pytest command that runs them.

Stands on the layers below (:mod:`webex`, :mod:`environment`, :mod:`workspace`, :mod:`client`,
:mod:`generators`, :mod:`emulator`); the suites in ``contracts/`` stand on it.
"""
