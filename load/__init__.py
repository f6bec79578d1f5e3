"""Load tests (issue 6): locust scenarios and :func:`run_load`, which runs them as a locust
subprocess (gevent never enters the calling process) and summarises them per API.

==========================  ====================================================================
module                      what
==========================  ====================================================================
``load/locustfile.py``      the locustfile: every scenario, its environment variables, by hand
``load/scenarios.py``       calls, lifecycle, dashboard, registration (XML ``FastHttpUser`` s)
``load/rest_tasks.py``      the rest scenario (``/v1/meetings``)
``load/common.py``          shared plumbing: config at ``init``, guards, budget, judging, clean-up
``load/config.py``          the locust process's variables; ``load.calls`` checked; no locust import
``load/calls.py``           what each XML API needs to be called repeatedly; no locust import
``load/envelopes.py``       every envelope, built once per process; no locust import
``load/shapes.py``          step and spike as functions of time; ``load/shapefile.py`` wraps them
``load/runner.py``          :func:`run_load` and ``load.json``
``load/probe.py``           the 403 usage-limit probe
==========================  ====================================================================

Importing this package does not import locust.
"""

from load.runner import LoadError, LoadResult, parse_run_time, run_load

__all__ = ["LoadError", "LoadResult", "parse_run_time", "run_load"]
