"""Distributed load (issue 6 "Done when"): a locust master and one worker on loopback run the
XML ``calls`` scenario unchanged; the master's CSV holds the worker's requests, none failed.

Both are subprocesses (locust and gevent never enter pytest); the master binds a free port.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from pathlib import Path

from emulator.server import RunningEmulator, free_port
from harness.environment import DEFAULT_ENVIRONMENT
from load.config import ENV_FILE_VAR, SCENARIO_VAR, XML_URL_VAR
from load.runner import DEFAULT_LOCUSTFILE, PROJECT_ROOT, stop_process


def test_master_and_one_worker_on_loopback_run_the_xml_calls_scenario(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    port = free_port("127.0.0.1")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LOCUST_", "WEBEX_HARNESS_"))}
    env.update({ENV_FILE_VAR: str(DEFAULT_ENVIRONMENT), XML_URL_VAR: emulator.xml_url, SCENARIO_VAR: "calls",
                "PYTHONPATH": str(PROJECT_ROOT)})
    locust = [sys.executable, "-m", "locust", "-f", str(DEFAULT_LOCUSTFILE)]
    master_cmd = [*locust, "--master", "--expect-workers", "1", "--master-bind-host", "127.0.0.1",
                  "--master-bind-port", str(port), "--headless", "-u", "2", "-r", "2", "-t", "2s",
                  "--host", emulator.base_url, "--csv", str(tmp_path / "master"), "--only-summary",
                  "--exit-code-on-error", "0", "--stop-timeout", "5"]
    worker_cmd = [*locust, "--worker", "--master-host", "127.0.0.1", "--master-port", str(port)]
    with open(tmp_path / "master.log", "wb") as master_log, open(tmp_path / "worker.log", "wb") as worker_log:
        master = subprocess.Popen(master_cmd, stdout=master_log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
        worker = subprocess.Popen(worker_cmd, stdout=worker_log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
        try:
            master_code = master.wait(timeout=60)
            worker.wait(timeout=20)  # the master tells its worker to quit
        finally:
            stop_process(master)
            stop_process(worker)
    logs = (tmp_path / "master.log").read_text() + (tmp_path / "worker.log").read_text()
    assert master_code == 0, logs[-3000:]

    with open(tmp_path / "master_stats.csv", newline="", encoding="utf-8") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    assert {"GetSessionInfo", "CreateMeeting", "GetMe"} <= set(rows), (sorted(rows), logs[-3000:])
    assert int(rows["Aggregated"]["Request Count"]) > 20
    failures = {name: int(row["Failure Count"]) for name, row in rows.items() if int(row["Failure Count"])}
    assert not failures, (failures, logs[-3000:])
