"""Which pytest process this is under xdist, how many there are, and the run ID they all share
(the controller hands its own to every worker, see ``pytest_configure_node``).

Stands on :mod:`workspace.run_folder` (a new run ID).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from webex_harness.workspace.run_folder import new_run_id

#: the key of the run ID in an xdist worker's ``workerinput``
RUN_ID_INPUT = "wxh_run_id"
#: the key of the worker's secrets in its ``workeroutput`` (the controller's final scrub needs them)
SECRETS_OUTPUT = "wxh_secrets"


def worker() -> str:
    """This process's name: ``gw0``, ``gw1`` … under xdist, else ``main``."""
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def worker_count() -> int:
    """How many pytest processes run the tests (1 without xdist)."""
    try:
        return max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    except ValueError:
        return 1


def is_worker(config: pytest.Config) -> bool:
    """Whether this process is an xdist worker (not the controller or the only process)."""
    return getattr(config, "workerinput", None) is not None


def run_id(config: pytest.Config) -> str:
    """The run's ID: the controller's (on a worker), ``--run-id``, the ``--run-dir`` name, else a new one."""
    workerinput = getattr(config, "workerinput", None)
    if workerinput and workerinput.get(RUN_ID_INPUT):
        return str(workerinput[RUN_ID_INPUT])
    if config.getoption("--run-id"):
        return str(config.getoption("--run-id"))
    if config.getoption("--run-dir"):
        return Path(config.getoption("--run-dir")).name
    return new_run_id()
