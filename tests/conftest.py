"""Fixtures shared by the project's own tests."""

from __future__ import annotations

from collections.abc import Iterator

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
