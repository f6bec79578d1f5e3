"""Fixtures shared by the project's own tests.

Tests write only into temporary folders: every test's reports root is its own temporary folder,
and a session that leaves anything new in the repository's ``reports/`` fails (:mod:`repo_reports`).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.repo_reports import REPO_REPORTS, entries, left_behind
from webex_harness.emulator.server import RunningEmulator, start_subprocess
from webex_harness.environment.model import DEFAULT_ENVIRONMENT

#: what the repository's reports/ held when the session started
_REPORTS_BEFORE = pytest.StashKey[frozenset[str]]()


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
    from webex_harness.workspace.state import STATE_DIR_VARIABLE

    monkeypatch.setenv(STATE_DIR_VARIABLE, str(tmp_path / "workspace-state"))


@pytest.fixture(autouse=True)
def reports_root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every test's default reports root is ``<tmp_path>/default-reports``: for the runs it starts
    (``WEBEX_HARNESS_REPORTS``) and in this process (every module's ``REPORTS_DIR``, which
    :class:`webex_harness.workspace.run_folder.Run` reads when a run is made)."""
    import webex_harness.workspace.run_folder

    root = tmp_path / "default-reports"
    monkeypatch.setenv(webex_harness.workspace.run_folder.REPORTS_VARIABLE, str(root))
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "webex_harness" and isinstance(getattr(module, "REPORTS_DIR", None), Path):
            monkeypatch.setattr(module, "REPORTS_DIR", root)
    return root


def pytest_sessionstart(session: pytest.Session) -> None:
    session.config.stash[_REPORTS_BEFORE] = entries()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the session (the xdist controller, or the only process) when it left anything new in
    the repository's reports/."""
    if getattr(session.config, "workerinput", None) is not None or _REPORTS_BEFORE not in session.config.stash:
        return
    left = left_behind(session.config.stash[_REPORTS_BEFORE])
    if not left:
        return
    message = f"tests wrote into {REPO_REPORTS} (they must write only into tmp_path): {', '.join(left)}"
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(f"ERROR: {message}", red=True)
    else:
        print(f"ERROR: {message}", file=sys.stderr)
    session.exitstatus = pytest.ExitCode.TESTS_FAILED
