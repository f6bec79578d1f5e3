"""Load tests (issue 6): locust scenarios and :func:`run_load`, which runs them as a locust
subprocess (gevent never enters the calling process) and summarises them per API.

==========================  ====================================================================
module                      what
==========================  ====================================================================
``load/locustfile.py``      the locustfile: every scenario, its environment variables, by hand
``load/scenarios.py``       calls, lifecycle, dashboard, registration (XML ``FastHttpUser`` s)
``load/rest_tasks.py``      the rest scenario (``/v1/meetings``)
``load/xml_user.py``        the XML scenarios' base user: post, judge, set-up, clean-up
``load/process_state.py``   one locust process: config at ``init``, guards, budget, listeners
``load/judging.py``         an XML answer judged with byte regexes; no locust import
``load/weighted.py``        the shuffled-deck weighted choice of the next API; no locust import
``load/config.py``          the locust process's variables; ``load.calls`` checked; no locust import
``load/calls.py``           what each XML API needs to be called repeatedly; no locust import
``load/envelopes.py``       every envelope, built once per process; no locust import
``load/shapes.py``          step and spike as functions of time; ``load/shapefile.py`` wraps them
``load/runner.py``          :func:`run_load`: parameters, target, ``load.json``
``load/command.py``         the locust command line and the locust process's environment
``load/locust_process.py``  the locust subprocess: start, wait (clock or condition), stop
``load/summary.py``         locust's CSV files read into ``load.json``'s per-API rows
``load/probe.py``           the 403 usage-limit probe
==========================  ====================================================================

Importing this package does not import locust.
"""

from webex_harness.load.runner import LoadError, LoadResult, parse_run_time, run_load

__all__ = ["LoadError", "LoadResult", "parse_run_time", "run_load"]
