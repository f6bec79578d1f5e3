"""Load tests: locust scenarios (``load/locustfile.py``) and :func:`run_load`, which runs one as
a locust subprocess (gevent never enters the calling process) and summarises it per API.

Importing this package does not import locust.
"""

from load.runner import LoadError, LoadResult, parse_run_time, run_load

__all__ = ["LoadError", "LoadResult", "parse_run_time", "run_load"]
