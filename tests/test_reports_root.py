"""Tests write only into temporary folders: the reports root follows ``WEBEX_HARNESS_REPORTS``, every
test's points at its own temporary folder (tests/conftest.py), and the session check finds what a
test would leave in the repository's ``reports/`` (:mod:`tests.repo_reports`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import webex_harness.runs.cli_common
import webex_harness.workspace.run_folder
from tests.repo_reports import REPO_REPORTS, entries, left_behind
from webex_harness.environment.loader import load_environment
from webex_harness.environment.model import DEFAULT_ENVIRONMENT
from webex_harness.workspace.run_folder import REPORTS_VARIABLE, Run

ROOT = Path(__file__).resolve().parent.parent


def test_the_reports_root_is_the_one_the_environment_names(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    code = "from webex_harness.workspace.run_folder import REPORTS_DIR, Run; print(REPORTS_DIR)"
    named = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, REPORTS_VARIABLE: str(elsewhere)},
    )
    unset = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env={k: v for k, v in os.environ.items() if k != REPORTS_VARIABLE},
    )
    assert named.stdout.strip() == str(elsewhere), named.stderr
    assert Path(unset.stdout.strip()) == REPO_REPORTS, unset.stderr


def test_every_test_runs_into_its_own_temporary_reports_root(tmp_path: Path, reports_root: Path) -> None:
    assert reports_root.is_relative_to(tmp_path)
    assert os.environ[REPORTS_VARIABLE] == str(reports_root), "the runs a test starts"
    assert {webex_harness.workspace.run_folder.REPORTS_DIR, webex_harness.runs.cli_common.REPORTS_DIR} == {
        reports_root
    }, "this process"
    run = Run(load_environment(DEFAULT_ENVIRONMENT, {}))
    assert run.dir.parent == reports_root, "a run made without a root goes there too"


def test_what_a_test_leaves_in_a_reports_folder_is_found(tmp_path: Path) -> None:
    folder = tmp_path / "reports"
    assert entries(folder) == frozenset() and left_behind(frozenset(), folder) == []
    folder.mkdir()
    (folder / "README.md").write_text("kept\n")
    before = entries(folder)
    (folder / "20260101-000000-c0de").mkdir()
    (folder / ".safety").mkdir()
    assert left_behind(before, folder) == [".safety", "20260101-000000-c0de"]
    assert "README.md" in entries(REPO_REPORTS), "the repository's reports/ is the folder the session checks"
