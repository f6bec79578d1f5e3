"""Distributed load (issue 6 "Done when"): a locust master and one worker on loopback run the
XML ``calls`` scenario unchanged; the master's CSV holds the worker's requests, none failed.

Both are subprocesses (locust and gevent never enter pytest); the master binds a free port. The run
ends once the master's stats show what the test needs (``WEBEX_HARNESS_STOP_FILE``, as
``run_load(stop_when=…)`` does), not after a run time a busy machine may spend starting up.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.load_conditions import UPPER_BOUND, seen
from webex_harness.emulator.server import RunningEmulator, free_port
from webex_harness.environment.model import DEFAULT_ENVIRONMENT
from webex_harness.load.command import DEFAULT_LOCUSTFILE
from webex_harness.load.config import ENV_FILE_VAR, SCENARIO_VAR, STOP_FILE_VAR, XML_URL_VAR
from webex_harness.load.locust_process import stop_process

#: what the run must show before it is stopped
MEASURED = ("GetSessionInfo", "CreateMeeting", "GetMe")
MIN_REQUESTS = 21
#: seconds a broken harness takes to fail the test (the run time plus locust's start and stop)
WAIT_SECONDS = 180.0


def test_master_and_one_worker_on_loopback_run_the_xml_calls_scenario(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    port = free_port("127.0.0.1")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOCUST_", "WEBEX_HARNESS_"))}
    stop_file = tmp_path / "locust.stop"
    env.update(
        {
            ENV_FILE_VAR: str(DEFAULT_ENVIRONMENT),
            XML_URL_VAR: emulator.xml_url,
            SCENARIO_VAR: "calls",
            STOP_FILE_VAR: str(stop_file),
        }
    )
    locust = [sys.executable, "-m", "locust", "-f", str(DEFAULT_LOCUSTFILE)]
    master_cmd = [
        *locust,
        "--master",
        "--expect-workers",
        "1",
        "--master-bind-host",
        "127.0.0.1",
        "--master-bind-port",
        str(port),
        "--headless",
        "-u",
        "2",
        "-r",
        "2",
        "-t",
        UPPER_BOUND,
        "--host",
        emulator.base_url,
        "--csv",
        str(tmp_path / "master"),
        "--only-summary",
        "--exit-code-on-error",
        "0",
        "--stop-timeout",
        "30",
    ]
    worker_cmd = [*locust, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)]
    with open(tmp_path / "master.log", "wb") as master_log, open(tmp_path / "worker.log", "wb") as worker_log:
        master = subprocess.Popen(master_cmd, stdout=master_log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
        worker = subprocess.Popen(worker_cmd, stdout=worker_log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
        try:
            enough = seen(*MEASURED, min_requests=MIN_REQUESTS)
            deadline = time.monotonic() + WAIT_SECONDS
            while master.poll() is None and time.monotonic() < deadline and not stop_file.exists():
                if _holds(enough, tmp_path / "master_stats.csv"):
                    stop_file.touch()  # the master ends the run as its run time would
                time.sleep(0.5)
            master_code = master.wait(timeout=max(1.0, deadline - time.monotonic()))
            worker.wait(timeout=20)  # the master tells its worker to quit
        finally:
            stop_process(master)
            stop_process(worker)
    logs = (tmp_path / "master.log").read_text() + (tmp_path / "worker.log").read_text()
    assert master_code == 0, logs[-3000:]

    with open(tmp_path / "master_stats.csv", newline="", encoding="utf-8") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    assert set(MEASURED) <= set(rows), (sorted(rows), logs[-3000:])
    assert int(rows["Aggregated"]["Request Count"]) >= MIN_REQUESTS
    failures = {name: int(row["Failure Count"]) for name, row in rows.items() if int(row["Failure Count"])}
    assert not failures, (failures, logs[-3000:])


def _holds(condition: Callable[[Path], bool], stats_csv: Path) -> bool:
    """The condition on a stats CSV the master may not have written yet, or be rewriting."""
    try:
        return condition(stats_csv)
    except (OSError, ValueError, KeyError):
        return False
