"""The command line: help, one-line errors for bad environment files, an end-to-end run, and the CI gates
of ``webex-harness load``."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.fake_load import LoadCall, fake_load_run
from webex_harness.runs.cli import main
from webex_harness.runs.load_phase import load_progress_line

ROOT = Path(__file__).resolve().parent.parent


def _cli(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "webex_harness.runs.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def test_help_lists_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for command in ("emulator", "run", "contracts", "load", "compare", "selfcheck", "prune", "apis", "generate"):
        assert command in out


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "env.yaml"
    path.write_text(text)
    return path


SITE = """target: site
xml_url: http://127.0.0.1:{port}/WBXService/XMLService
rest_url: http://127.0.0.1:{port}/v1
site_name: acme
credentials:
  webExID: ${{WXH_TEST_USER:-host}}
  password: ${{WXH_TEST_PASSWORD{default}}}
"""


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (SITE.format(port=1, default=""), "credentials.password: environment variable WXH_TEST_PASSWORD is not set"),
        (SITE.format(port=1, default=":-x") + "colour: blue\n", "colour: unknown key"),
        (SITE.format(port=1, default=":-x") + "budget:\n  max_requests: ten\n", "budget.max_requests"),
    ],
    ids=["missing-variable", "unknown-key", "wrong-type"],
)
def test_bad_environment_file_gives_one_line_naming_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = _write(tmp_path, text)
    result = _cli("contracts", "--env", str(path))
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(path) in lines[0] and expected in lines[0]
    assert "Traceback" not in result.stderr


def test_unreachable_site_gives_one_line_naming_the_url(tmp_path: Path) -> None:
    path = _write(tmp_path, SITE.format(port=_closed_port(), default=":-x"))
    result = _cli("contracts", "--env", str(path), timeout=60)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "xml_url" in lines[0] and "cannot reach" in lines[0], result.stderr


def test_run_writes_a_summary_with_the_behaviour_passed_and_load_results(tmp_path: Path) -> None:
    result = _cli("run", "--behaviour", "email-lowercase", "--run-time", "3s", "--users", "1", "--workers", "1")
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    summary_line = [line for line in result.stdout.splitlines() if line.startswith("summary: ")][-1]
    summary_md = Path(summary_line.removeprefix("summary: "))
    summary = json.loads((summary_md.parent / "summary.json").read_text())
    status = {b["id"]: b["status"] for b in summary["behaviours"]}
    assert status["email-lowercase"] == "passed"
    assert summary["target"]["kind"] == "emulator"
    # the load phase ran and was summarised (what it sent depends on the CPU it got: test_load.py waits for that)
    assert summary["load"] and {"apis", "total", "exit_code"} <= summary["load"].keys()
    assert summary_md.parent.parent.resolve() == (tmp_path / "default-reports").resolve(), "the test's reports root"
    for name in ("junit.xml", "summary.md", "locust.html", "load.json"):
        assert (summary_md.parent / name).exists(), name


# --------------------------------------------------------------------------------------------
# `webex-harness load` with CI gates (issue 6). A fake run_load returns a fixed load.json so the
# gate logic is tested without locust; one real run proves the whole path.

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
            "name": "DelMeeting (clean-up)",
            "requests": 40,
            "failures": 0,
            "failure_ratio": 0.0,
            "rps": 13.3,
            "p50_ms": 2.0,
            "p95_ms": 950.0,
            "p99_ms": 990.0,
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
        "requests": 200,
        "failures": 0,
        "failure_ratio": 0.0,
        "rps": 66.6,
        "p50_ms": 2.0,
        "p95_ms": 800.0,
        "p99_ms": 950.0,
    },
    "failures": [],
    "exit_code": 0,
    "html": "locust.html",
}


@pytest.fixture
def fake_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> list[LoadCall]:
    """``webex-harness load`` in this process with no emulator and no locust: run_load writes
    :data:`FIXED_LOAD`, the run folder is under tmp_path. Returns each call of run_load."""
    return fake_load_run(monkeypatch, tmp_path, FIXED_LOAD)


def _env_file(path: Path, load_section: str) -> Path:
    """environments/emulator.yaml with ``load_section`` (YAML text starting ``load:``) as its ``load:``."""
    text = re.sub(r"(?ms)^load:.*?(?=^\S|\Z)", "", (ROOT / "environments" / "emulator.yaml").read_text())
    path.write_text(text.rstrip("\n") + "\n" + load_section)
    return path


def _only_run(tmp_path: Path) -> Path:
    [run_dir] = (tmp_path / "reports").iterdir()
    return run_dir


def test_load_with_an_impossible_gate_exits_1_naming_each_breach(
    fake_load: list[LoadCall], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["load", "--run-time", "3s", "--max-p95", "GetSessionInfo=500", "--min-rps", "1000"])
    out, err = capsys.readouterr()
    assert code == 1
    assert err.strip() == (
        "webex-harness: gate breached: p95 of GetSessionInfo 812 ms > 500 ms; rps of all requests 66.6 < 1000"
    )
    assert "  FAIL  p95 of GetSessionInfo 812 ms > 500 ms" in out.splitlines()
    assert re.search(r"^GetSessionInfo\s+120\s+0\s+40\.0\s+1\s+812\s+900$", out, re.MULTILINE), out
    run_dir = _only_run(tmp_path)
    gates = json.loads((run_dir / "load.json").read_text())["gates"]
    assert [(g["name"], g["api"], g["passed"]) for g in gates] == [
        ("p95_ms", "GetSessionInfo", False),
        ("min_rps", None, False),
    ]
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["exit_code"] == 1 and summary["load"]["gates"] == gates
    assert "gate breached: p95 of GetSessionInfo 812 ms > 500 ms" in summary["verdict"]
    assert "❌ FAIL | p95 of GetSessionInfo 812 ms > 500 ms" in (run_dir / "summary.md").read_text()
    html = (run_dir / "summary.html").read_text()
    assert '<span class="badge bad">FAIL</span></td><td>p95 of GetSessionInfo 812 ms &gt; 500 ms</td>' in html


def test_load_with_gates_met_exits_0_and_star_skips_clean_up(
    fake_load: list[LoadCall], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # DelMeeting (clean-up) has p95 950 ms: "*" does not cover it.
    code = main(["load", "--max-p95", "900", "--min-rps", "GetSessionInfo=40", "--max-failure-ratio", "0"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "  PASS  p95 of GetSessionInfo 812 ms <= 900 ms" in out.splitlines()
    assert "DelMeeting (clean-up) 950" not in out
    gates = json.loads((_only_run(tmp_path) / "load.json").read_text())["gates"]
    assert [g["api"] for g in gates] == [None, "CreateMeeting", "GetSessionInfo", "GetSessionInfo"]
    assert all(g["passed"] for g in gates)
    assert [c.options for c in fake_load] == [{"users": 8, "spawn_rate": 5.0, "run_time": "20s"}], (
        "unset options are not passed"
    )


def test_load_passes_scenario_shape_and_processes_to_run_load(
    fake_load: list[LoadCall], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["load", "--scenario", "calls", "--shape", "spike", "--processes", "2", "--users", "3"]) == 0
    assert [c.options for c in fake_load] == [
        {"users": 3, "spawn_rate": 5.0, "run_time": "20s", "scenario": "calls", "shape": "spike", "processes": 2}
    ]
    assert "scenario calls, shape spike, processes 2" in capsys.readouterr().out


def test_load_defaults_to_enough_users_for_every_scenario_and_warns_below_the_mix_weight(
    fake_load: list[LoadCall], capsys: pytest.CaptureFixture[str]
) -> None:
    # The default mix weighs calls 4 and four scenarios 1: locust gives each its share from 8 users.
    assert main(["load"]) == 0
    assert fake_load[-1].options["users"] == 8 and "warning" not in capsys.readouterr().out
    assert main(["load", "--scenario", "calls"]) == 0
    assert fake_load[-1].options["users"] == 5, "never fewer than 5 by default"
    assert main(["load", "--users", "5"]) == 0
    out = capsys.readouterr().out
    assert (
        "warning: 5 users for a mix of total weight 8 (calls 4, lifecycle 1, dashboard 1, registration 1, rest 1)"
    ) in out and "use --users 8 or more" in out
    assert main(["load", "--users", "1", "--scenario", "calls"]) == 0
    assert "warning" not in capsys.readouterr().out, "one scenario, one user: nothing left out"


def test_gates_from_the_environment_file_are_overridden_by_options(
    fake_load: list[LoadCall], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _env_file(tmp_path / "ci.yaml", "load:\n  thresholds:\n    p95_ms: {GetSessionInfo: 500}\n")
    assert main(["load", "--env", str(env)]) == 1
    assert "gate breached: p95 of GetSessionInfo 812 ms > 500 ms" in capsys.readouterr().err
    assert main(["load", "--env", str(env), "--max-p95", "GetSessionInfo=1000"]) == 0


def test_run_honours_the_same_gates(
    fake_load: list[LoadCall], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import webex_harness.runs.runner

    monkeypatch.setattr(webex_harness.runs.runner, "run_contracts", lambda run, target, **kwargs: 0)
    assert main(["run", "--max-p95", "GetSessionInfo=500"]) == 1
    assert capsys.readouterr().err.strip() == "webex-harness: gate breached: p95 of GetSessionInfo 812 ms > 500 ms"
    assert main(["run", "--max-p95", "GetSessionInfo=812"]) == 0


@pytest.mark.parametrize(
    ("thresholds", "args", "message"),
    [
        (
            "    p95_ms: {GetSessionInfo: fast}\n",
            [],
            "load.thresholds.p95_ms.GetSessionInfo: expected a number of milliseconds, got 'fast'",
        ),
        ("    failure_ratio: 2\n", [], "load.thresholds.failure_ratio: expected a ratio between 0 and 1, got 2"),
        (
            "",
            ["--max-p95", "GetSessionInfo=fast"],
            "--max-p95 'GetSessionInfo=fast': expected a number of milliseconds, got 'fast'",
        ),
    ],
    ids=["file-p95", "file-ratio", "option-p95"],
)
def test_bad_gate_exits_2_with_one_line_before_anything_starts(
    fake_load: list[LoadCall],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    thresholds: str,
    args: list[str],
    message: str,
) -> None:
    env = _env_file(tmp_path / "ci.yaml", "load:\n  thresholds:\n" + thresholds)
    assert main(["load", "--env", str(env), *args]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and message in err, err
    assert args or str(env) in err
    assert fake_load == [] and not (tmp_path / "reports").exists(), "nothing started"


@pytest.mark.parametrize(
    ("section", "key"),
    [("  shape: wobbly\n", "load.shape"), ("  compare:\n    max_rps_drop: lots\n", "load.compare.max_rps_drop")],
    ids=["shape", "compare"],
)
def test_bad_load_section_exits_2_before_anything_starts(
    fake_load: list[LoadCall], tmp_path: Path, capsys: pytest.CaptureFixture[str], section: str, key: str
) -> None:
    env = _env_file(tmp_path / "ci.yaml", "load:\n" + section)
    assert main(["load", "--env", str(env)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and f"{env}: {key}:" in err, err
    assert fake_load == []


def test_progress_line_reads_the_running_totals_of_locusts_stats_csv(tmp_path: Path) -> None:
    stats = tmp_path / "locust_stats.csv"
    assert load_progress_line(stats, 5.2, 20) == "  load: 5s of 20s — waiting for the first statistics"
    stats.write_text(
        "Type,Name,Request Count,Failure Count,Requests/s\nPOST,GetSessionInfo,90,1,30.0\n,Aggregated,120,2,40.04\n"
    )
    assert load_progress_line(stats, 10, 20) == "  load: 10s of 20s — 120 requests, 2 failures, 40.0 rps"
    assert load_progress_line(stats, 23, 20).startswith("  load: 23s of 20s (stopping users, writing reports) — ")


def test_real_load_run_with_an_impossible_rps_gate_exits_1_naming_the_gate() -> None:
    # A minimum rps no emulator reaches: a breach whatever the speed of the machine (a p95 limit is not, since
    # locust rounds sub-millisecond latencies down to 0 ms).
    result = _cli(
        "load", "--run-time", "3s", "--users", "2", "--scenario", "calls", "--min-rps", "1000000", timeout=120
    )
    assert result.returncode == 1, result.stdout[-2000:] + result.stderr[-2000:]
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("webex-harness: gate breached: rps of all requests "), result.stderr
    assert "< 1000000" in last and "unexpected failures" not in last
    assert re.search(r"^  FAIL  rps of all requests \d+(\.\d+)? < 1000000$", result.stdout, re.MULTILINE), result.stdout
    summary_line = [line for line in result.stdout.splitlines() if line.startswith("summary: ")][-1]
    load = json.loads((Path(summary_line.removeprefix("summary: ")).parent / "load.json").read_text())
    assert load["gates"] and not all(g["passed"] for g in load["gates"])
