"""allure counts the tests pytest ran: one xdist session with a test whose worker crashes, a test whose
clean-up fails at teardown and a plain one — allure has a result for each of the three (the crashed
one written by the controller), and where pytest's summary line counts the teardown error beside
the test's outcome, the harness says how many tests ran."""

from __future__ import annotations

import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

from tests.child_process import child_env, pytest_command
from webex_harness.plugin.allure_report import counted_twice_line

ROOT = Path(__file__).resolve().parent.parent

_PROBE = """
import os

import pytest


@pytest.fixture
def failing_cleanup():
    yield
    raise RuntimeError("clean-up failed")


def test_probe_worker_dies():
    os._exit(3)


def test_probe_cleanup_fails(failing_cleanup):
    pass


def test_probe_passes():
    pass
"""


def test_allure_has_a_result_for_every_test_pytest_ran(tmp_path: Path) -> None:
    probe = tmp_path / "probe" / "test_wxh_count_probe.py"
    probe.parent.mkdir()
    probe.write_text(_PROBE)
    allure = tmp_path / "allure-results"
    result = subprocess.run(
        [
            *pytest_command(str(probe)),
            "-n",
            "2",
            "--alluredir",
            str(allure),
            "--junitxml",
            str(tmp_path / "junit.xml"),
            "--run-dir",
            str(tmp_path / "run"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env=child_env(),
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output[-3000:]
    assert "crashed while running" in output and "1 failed, 2 passed, 1 error" in output, output[-3000:]
    assert "webex-harness: 3 tests ran; pytest's counts above include 1 of them twice" in output, output[-3000:]
    results = {r["name"]: r for r in (json.loads(p.read_text()) for p in allure.glob("*-result.json"))}
    assert sorted(results) == ["test_probe_cleanup_fails", "test_probe_passes", "test_probe_worker_dies"]
    crashed = results["test_probe_worker_dies"]
    assert crashed["status"] == "broken" and "crashed while running" in crashed["statusDetails"]["message"]
    assert results["test_probe_cleanup_fails"]["status"] == "broken"  # its teardown: one result, not two
    assert len({r["historyId"] for r in results.values()}) == 3
    cases = {c.get("name") for c in ET.parse(tmp_path / "junit.xml").getroot().iter("testcase")}
    assert cases == set(results)
    # the run's own results (what the summary reads): one per test; those of the crashed worker died
    # with it (which tests ran there before the crash is up to the scheduler)
    summary = [r for p in (tmp_path / "run").glob("results-*.json") for r in json.loads(p.read_text())]
    outcomes = {r["nodeid"].rpartition("::")[2]: (r["outcome"], r["when"]) for r in summary}
    assert len(summary) == len(outcomes)
    expected = {"test_probe_cleanup_fails": ("failed", "teardown"), "test_probe_passes": ("passed", "call")}
    assert outcomes == {name: expected[name] for name in outcomes}


class _Report:
    def __init__(self, nodeid: str, when: str) -> None:
        self.nodeid, self.when = nodeid, when


def test_the_count_line_appears_only_when_pytest_counts_a_test_twice() -> None:
    once = {"passed": [_Report("a", "call"), _Report("b", "call")], "": [_Report("a", "setup")]}
    assert counted_twice_line(once) is None
    twice = {**once, "error": [_Report("a", "teardown")], "skipped": [_Report("c", "setup")]}
    assert counted_twice_line(twice) == (
        "3 tests ran; pytest's counts above include 1 of them twice (a failed or skipped teardown after the "
        "test's outcome) — allure and the run's summary count each test once"
    )
