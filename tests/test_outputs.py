"""Outputs a CI job picks up by fixed names: ``--out DIR`` as the run folder, ``load-gates.xml``
(one JUnit test case per CI gate) and ``compare.xml`` (one per API × threshold) — parsed as a CI
tool would, with ElementTree."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from tests.fake_load import LoadCall, fake_load_run
from tests.test_compare import _write_history
from webex_harness.runs.cli import main
from webex_harness.runs.junit_outputs import Case, junit_xml

FIXED_LOAD: dict[str, Any] = {
    "users": 2,
    "spawn_rate": 2.0,
    "run_time": "3s",
    "run_seconds": 3.0,
    "apis": [
        {
            "name": "CreateMeeting",
            "requests": 40,
            "failures": 0,
            "failure_ratio": 0.0,
            "rps": 13.3,
            "p50_ms": 3.0,
            "p95_ms": 9.0,
            "p99_ms": 14.0,
        },
        {
            "name": "GetSessionInfo",
            "requests": 120,
            "failures": 0,
            "failure_ratio": 0.0,
            "rps": 40.0,
            "p50_ms": 1.0,
            "p95_ms": 812.0,
            "p99_ms": 900.0,
        },
    ],
    "total": {
        "name": "Aggregated",
        "requests": 160,
        "failures": 0,
        "failure_ratio": 0.0,
        "rps": 53.3,
        "p50_ms": 2.0,
        "p95_ms": 800.0,
        "p99_ms": 900.0,
    },
    "failures": [],
    "exit_code": 0,
    "html": "locust.html",
}


@pytest.fixture
def fake_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[LoadCall]:
    """``webex-harness load`` in this process with no emulator and no locust (run_load writes
    :data:`FIXED_LOAD`); the default reports root is ``tmp_path/reports``. Returns each call of run_load."""
    return fake_load_run(monkeypatch, tmp_path, FIXED_LOAD)


def _cases(path: Path) -> list[tuple[str, str | None]]:
    """(name, failure message or None) of every testcase; asserts the suite's counts add up."""
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    [suite] = root.findall("testsuite")
    cases = suite.findall("testcase")
    failed = [c for c in cases if c.find("failure") is not None]
    skipped = [c for c in cases if c.find("skipped") is not None]
    assert (int(suite.get("tests", "-1")), int(suite.get("failures", "-1")), int(suite.get("skipped", "-1"))) == (
        len(cases),
        len(failed),
        len(skipped),
    )
    out = []
    for case in cases:
        failure = case.find("failure")
        out.append((case.get("name", ""), None if failure is None else failure.get("message")))
    return out


def test_load_out_dir_holds_the_run_under_fixed_names_with_a_failing_testcase_per_breached_gate(
    fake_load: list[LoadCall], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    code = main(
        [
            "load",
            "--out",
            str(out_dir),
            "--max-p95",
            "GetSessionInfo=500",
            "--min-rps",
            "1000",
            "--max-failure-ratio",
            "0",
        ]
    )
    stdout, err = capsys.readouterr()
    assert code == 1, err
    names = {p.name for p in out_dir.iterdir()}
    assert {"load.json", "load-gates.xml", "summary.json", "summary.md", "summary.html"} <= names
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())
    assert _cases(out_dir / "load-gates.xml") == [
        ("failure_ratio (whole run)", None),
        ("p95_ms GetSessionInfo", "p95 of GetSessionInfo 812 ms > 500 ms"),
        ("min_rps (whole run)", "rps of all requests 53.3 < 1000"),
    ]
    summary = json.loads((out_dir / "summary.json").read_text())
    # the load's objects are named after the run ID, not after the folder
    assert fake_load[0].run_dir == out_dir.resolve() and fake_load[0].options["run_id"] == summary["run_id"]
    assert f"load gates (JUnit): {out_dir.resolve() / 'load-gates.xml'}" in stdout


def test_report_renders_a_run_written_with_out_dir_again(
    fake_load: list[LoadCall], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "out"
    main(["load", "--out", str(out_dir)])
    (out_dir / "summary.html").unlink()
    capsys.readouterr()
    assert main(["report", "--run", str(out_dir), "--reports", str(tmp_path / "reports")]) == 0
    assert (out_dir / "summary.html").is_file()
    assert f"report: {out_dir / 'summary.html'}" in capsys.readouterr().out


def test_load_with_no_gate_writes_an_empty_suite_ci_can_still_read(fake_load: list[LoadCall], tmp_path: Path) -> None:
    out_dir = tmp_path / "empty-ok"
    out_dir.mkdir()  # an empty folder is accepted
    assert main(["load", "--out", str(out_dir)]) == 0
    assert _cases(out_dir / "load-gates.xml") == []


def test_a_load_run_that_fails_to_run_is_one_failing_testcase_saying_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fake_load: list[LoadCall]
) -> None:
    import webex_harness.load.runner

    def broken(environment: Any, run_dir: Path, **kwargs: Any) -> Any:
        raise webex_harness.load.runner.LoadError("locust wrote no stats")

    monkeypatch.setattr(webex_harness.load.runner, "run_load", broken)
    out_dir = tmp_path / "out"
    assert main(["load", "--out", str(out_dir)]) == 1
    assert _cases(out_dir / "load-gates.xml") == [("load run", "load run failed: locust wrote no stats")]


@pytest.mark.parametrize("kind", ["non-empty folder", "file"])
def test_an_out_that_is_not_a_new_or_empty_folder_is_refused_before_anything_starts(
    fake_load: list[LoadCall], tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str
) -> None:
    out = tmp_path / "out"
    if kind == "file":
        out.write_text("x")
    else:
        out.mkdir()
        (out / "junit.xml").write_text("<old/>")
    assert main(["load", "--out", str(out)]) == 2
    stdout, err = capsys.readouterr()
    assert len(err.strip().splitlines()) == 1 and err.startswith(f"webex-harness: --out {out}: ")
    assert ("not empty (1 entries, e.g. junit.xml)" in err) if kind != "file" else ("is a file" in err)
    assert fake_load == [] and stdout == "" and not (tmp_path / "reports").exists()


def test_run_folder_is_the_out_dir_or_the_run_id_under_the_reports_root(tmp_path: Path) -> None:
    from webex_harness.environment.loader import load_environment, resolve_environment_path
    from webex_harness.workspace.run_folder import Run

    env = load_environment(resolve_environment_path(None))
    assert Run(env, root=tmp_path, run_id="20260101-000000-abcd").dir == tmp_path / "20260101-000000-abcd"
    assert Run(env, root=tmp_path, folder=tmp_path / "out").dir == tmp_path / "out"


# --------------------------------------------------------------------------------------------
# compare.xml


def _row(name: str, *, rps: float, p95: float, p99: float, failures: int = 0) -> dict[str, Any]:
    return {
        "name": name,
        "requests": 100,
        "failures": failures,
        "failure_ratio": failures / 100,
        "rps": rps,
        "p50_ms": 2.0,
        "p95_ms": p95,
        "p99_ms": p99,
    }


def _write_run(reports: Path, run_id: str, apis: list[dict[str, Any]], total: dict[str, Any]) -> None:
    folder = reports / run_id
    folder.mkdir(parents=True)
    load = {
        "users": 5,
        "spawn_rate": 5.0,
        "run_time": "20s",
        "run_seconds": 20.0,
        "apis": apis,
        "total": total,
        "failures": [],
        "exit_code": 0,
        "html": "locust.html",
    }
    (folder / "load.json").write_text(json.dumps(load))
    _write_history(folder, [*apis, total])  # compare judges changes against the per-second noise


def test_compare_writes_compare_xml_failing_the_regressed_api_and_threshold(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    _write_run(
        reports,
        "before-1",
        [
            _row("CreateMeeting", rps=10.0, p95=10.0, p99=20.0),
            _row("GetSessionInfo", rps=30.0, p95=8.0, p99=12.0),
            _row("LstsummaryMeeting", rps=5.0, p95=9.0, p99=10.0),
        ],
        _row("Aggregated", rps=45.0, p95=9.0, p99=15.0),
    )
    _write_run(
        reports,
        "after-2",
        [_row("CreateMeeting", rps=10.0, p95=20.0, p99=20.0), _row("GetSessionInfo", rps=30.0, p95=8.0, p99=12.0)],
        _row("Aggregated", rps=45.0, p95=9.0, p99=15.0),
    )
    out_dir = tmp_path / "ci"
    assert main(["compare", "before-1", "after-2", "--reports", str(reports), "--out", str(out_dir)]) == 1
    assert f"JUnit: {out_dir / 'compare.xml'}" in capsys.readouterr().out
    cases = dict(_cases(out_dir / "compare.xml"))
    assert len(cases) == 4 * 4  # three APIs and the whole run × four thresholds
    assert [name for name, failure in cases.items() if failure] == ["CreateMeeting: p95 increase"]
    assert cases["CreateMeeting: p95 increase"].startswith(
        "regressed: p95 of CreateMeeting +100.0 % (10 → 20 ms; limit +20 %) — beyond the noise: p = "
    )
    suite = ET.parse(out_dir / "compare.xml").getroot().find("testsuite")
    assert suite is not None
    skipped = [c.get("name") for c in suite.findall("testcase") if c.find("skipped") is not None]
    assert skipped == [
        f"LstsummaryMeeting: {t}" for t in ("rps drop", "p95 increase", "p99 increase", "failure ratio increase")
    ]


def test_compare_xml_skips_a_change_the_runs_cannot_decide_saying_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    reports = tmp_path / "reports"
    for run_id, p95 in (("before-1", 10.0), ("after-2", 20.0)):
        _write_run(
            reports,
            run_id,
            [_row("CreateMeeting", rps=10.0, p95=p95, p99=20.0)],
            _row("Aggregated", rps=10.0, p95=p95, p99=20.0),
        )
    for history in (reports / "after-2").glob("*history*"):
        history.unlink()  # no per-second samples: nothing to judge the noise by
    out_dir = tmp_path / "ci"
    assert main(["compare", "before-1", "after-2", "--reports", str(reports), "--out", str(out_dir)]) == 3
    suite = ET.parse(out_dir / "compare.xml").getroot().find("testsuite")
    assert suite is not None and suite.get("failures") == "0"
    skipped = {c.get("name"): c.find("skipped") for c in suite.findall("testcase")}
    element = skipped["CreateMeeting: p95 increase"]
    assert element is not None
    message = element.get("message", "")
    assert message.startswith("inconclusive: p95 of CreateMeeting +100.0 % (10 → 20 ms; limit +20 %) — "), message


def test_junit_text_drops_control_characters_and_escapes_markup() -> None:
    document = junit_xml("s", [Case("c", 'Evil<script>&"api"\x07', "failed", "bad \x00value <b>")])
    [case] = ET.fromstring(document).iter("testcase")
    assert case.get("name") == 'Evil<script>&"api"'
    failure = case.find("failure")
    assert failure is not None and failure.get("message") == "bad value <b>" and failure.text == "bad value <b>"


def test_cleanup_of_an_out_folder_needs_exactly_one_runs_ledger_in_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cleanup", "--run-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.strip() == (
        f"webex-harness: --run-dir {tmp_path}: expected the ledger of one run (ledger-<run-id>.jsonl), found 0"
    )
