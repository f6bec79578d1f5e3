"""Fixtures shared by the project's own tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from emulator.server import RunningEmulator, start_subprocess
from harness.environment import DEFAULT_ENVIRONMENT


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningEmulator]:
    """An emulator subprocess on 127.0.0.1 (environments/emulator.yaml) for one test module.

    A subprocess, not a thread: load tests start locust, and the emulator must not share a
    process (or a GIL) with the test that measures it.
    """
    log = tmp_path_factory.mktemp("emulator") / "emulator.log"
    running = start_subprocess(DEFAULT_ENVIRONMENT, host="127.0.0.1", log_file=log)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(autouse=True)
def workspace_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test keeps the workspace's safety state (usage-limit counters, REST pacing logs) in its
    own temporary folder — never in the repository's reports/ — and so do the runs it starts."""
    from harness.workspace_state import STATE_DIR_VARIABLE

    monkeypatch.setenv(STATE_DIR_VARIABLE, str(tmp_path / "workspace-state"))
