"""load/rest_tasks.py: a short headless locust run against an emulator subprocess.

locust (and gevent's monkey patching) never enters this process: the task file runs in a
locust subprocess, like the XML load scenario in ``tests/test_load.py``.
"""

from __future__ import annotations

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.server import RunningEmulator, start_subprocess
from harness.environment import DEFAULT_ENVIRONMENT

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    log = tmp_path_factory.mktemp("rest-emulator") / "emulator.log"
    running = start_subprocess(DEFAULT_ENVIRONMENT, host="127.0.0.1", log_file=log)
    try:
        yield running
    finally:
        running.stop()


def test_rest_tasks_run_named_by_operation_without_failures(emulator: RunningEmulator, tmp_path: Path) -> None:
    env = {**os.environ, "WEBEX_HARNESS_REST_URL": emulator.rest_url, "WEBEX_HARNESS_REST_TOKEN": "emulator-token",
           "PYTHONPATH": str(ROOT)}
    cmd = [sys.executable, "-m", "locust", "-f", str(ROOT / "load" / "rest_tasks.py"), "--headless", "-u", "2",
           "-r", "2", "-t", "6s", "--host", emulator.base_url, "--csv", str(tmp_path / "rest"), "--only-summary"]
    done = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    with open(tmp_path / "rest_stats.csv", newline="") as fh:
        rows = {row["Name"]: row for row in csv.DictReader(fh)}
    assert {"POST /v1/meetings", "GET /v1/meetings/{id}", "PATCH /v1/meetings/{id}", "GET /v1/meetings"} <= set(rows)
    assert all(not name.startswith("/v1/meetings/") for name in rows), "named by operation, never by URL"
    for name, row in rows.items():
        assert int(row["Failure Count"]) == 0, (name, done.stdout + done.stderr)
