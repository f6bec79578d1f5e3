"""Errors before work: every bad command-line value is one line naming the option and the value (with
"did you mean" where a known value is close), exit 2, before any report folder, emulator or request;
and a behaviour marker naming an unknown ID fails the collection of the contract tests."""

from __future__ import annotations

import functools
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest

import webex_harness.runs.cli
import webex_harness.runs.run_command
import webex_harness.runs.runner
from webex_harness.runs.cli import main
from webex_harness.runs.cli_checks import EXTRA_LOAD_NAMES, REST_LOAD_NAMES, load_row_names
from webex_harness.workspace.run_folder import Run

ROOT = Path(__file__).resolve().parent.parent
RUN_ID = "20261203-081500-ab12"


@pytest.fixture
def reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A reports folder in tmp_path holding one load run; new runs would be created under tmp_path/new."""
    folder = tmp_path / "reports"
    (folder / RUN_ID).mkdir(parents=True)
    (folder / RUN_ID / "load.json").write_text(json.dumps({"apis": [{"name": "GetSessionInfo"}]}), encoding="utf-8")
    monkeypatch.setattr(webex_harness.runs.run_command, "Run", functools.partial(Run, root=tmp_path / "new"))

    def no_target(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a target was started before the arguments were checked")

    monkeypatch.setattr(webex_harness.runs.runner, "target_up", no_target)
    return folder


def _one_line_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors (choices, types)
        code = int(exc.code or 0)
    err = capsys.readouterr().err
    assert code == 2, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (
            ["contracts", "--behaviour", "email-lowercas"],
            "--behaviour 'email-lowercas': unknown behaviour ID (did you mean 'email-lowercase'",
        ),
        (["run", "--behaviour", "email-lowercase", "--behaviour", "nope"], "--behaviour 'nope': unknown behaviour ID"),
        (
            ["selfcheck", "--fault", "body-content-limt"],
            "--fault 'body-content-limt': unknown fault (did you mean 'body-content-limit'",
        ),
        (["load", "--run-time", "5x"], "--run-time: invalid run time '5x'"),
        (["run", "--run-time", "0s"], "--run-time: invalid run time '0s' (must be more than 0 seconds)"),
        (
            ["load", "--max-p95", "GetSesionInfo=300"],
            "--max-p95 'GetSesionInfo=300': 'GetSesionInfo' is not an API a load run calls "
            "(did you mean 'GetSessionInfo'",
        ),
        (["load", "--min-rps", "POST /v1/meeting=3"], "(did you mean 'POST /v1/meetings'"),
        (
            ["load", "--max-p95", "GetSessionInfo=fast"],
            "--max-p95 'GetSessionInfo=fast': expected a number of milliseconds, got 'fast'",
        ),
        (["load", "--max-failure-ratio", "2"], "--max-failure-ratio"),
        (["load", "--users", "0"], "--users 0: must be between 1 and"),
        (["load", "--processes", "0"], "--processes 0: must be between 1 and"),
        (["load", "--spawn-rate", "0"], "--spawn-rate 0: must be more than 0"),
        (["contracts", "--workers", "0"], "--workers 0: must be between 1 and"),
        (["selfcheck", "--workers", "1000"], "--workers 1000: must be between 1 and 64"),
        (
            ["selfcheck", "--suite", "fuzz"],
            "argument --suite: invalid choice: 'fuzz' (choose from 'examples', 'stateful', 'all')",
        ),
        (["emulator", "--port", "70000"], "--port 70000: must be between 0 and 65535"),
        (["load", "--scenario", "mixd"], "argument --scenario: invalid choice: 'mixd'"),
        (["load", "--shape", "stepp"], "did you mean 'step'?"),
        (["load", "--users", "many"], "argument --users: invalid int value: 'many'"),
        (["generate", "GetSesionInfo"], "unknown XML API 'GetSesionInfo'; did you mean GetSessionInfo"),
    ],
    ids=[
        "contracts-behaviour",
        "run-behaviour",
        "fault",
        "run-time",
        "run-time-zero",
        "p95-api",
        "rps-rest-api",
        "p95-value",
        "failure-ratio",
        "users",
        "processes",
        "spawn-rate",
        "workers",
        "selfcheck-workers",
        "selfcheck-suite",
        "port",
        "scenario",
        "shape",
        "users-type",
        "generate",
    ],
)
def test_a_bad_value_is_one_line_naming_it_and_exit_2_before_anything_starts(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: str
) -> None:
    line = _one_line_exit_2(argv, capsys)
    assert expected in line, line
    assert not (tmp_path / "new").exists(), "a report folder was created"


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["report", "--run", "20261203-081500-ab13"], "--run"),
        (["cleanup", "--run", "20261203-081500-ab1"], "--run"),
        (["compare", "20261203-081500-ab13", RUN_ID], "RUN_A"),
        (["compare", RUN_ID, "20261203-081500-ab13"], "RUN_B"),
    ],
    ids=["report", "cleanup", "compare-a", "compare-b"],
)
def test_an_unknown_run_id_names_it_and_the_closest_runs(
    reports: Path, capsys: pytest.CaptureFixture[str], argv: list[str], option: str
) -> None:
    line = _one_line_exit_2([*argv, "--reports", str(reports)], capsys)
    unknown = next(a for a in argv if a.startswith("2026") and a != RUN_ID)
    assert f"{option}: no run {unknown!r} in {reports}; closest: {RUN_ID}" in line, line


def test_an_unknown_run_id_in_an_empty_reports_folder_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = _one_line_exit_2(["report", "--run", "x", "--reports", str(tmp_path)], capsys)
    assert line.endswith(f"--run: no run 'x' in {tmp_path}; it has no runs"), line


def test_cleanup_accepts_a_well_formed_run_id_without_a_folder(reports: Path) -> None:
    """``cleanup --run`` finds a run's objects by their names even when its folder is gone."""
    from webex_harness.runs.cli_checks import check_arguments

    check_arguments(
        webex_harness.runs.cli.build_parser().parse_args(
            ["cleanup", "--run", "20200101-000000-0000", "--reports", str(reports)]
        )
    )


def test_good_values_pass_the_checks(reports: Path) -> None:
    """Known IDs, gate APIs (a setup row, the REST load's names, "*") and run IDs are accepted."""
    from webex_harness.runs.cli_checks import check_arguments

    parser = webex_harness.runs.cli.build_parser()
    for argv in (
        [
            "load",
            "--run-time",
            "1m30s",
            "--max-p95",
            "GetSessionInfo=300",
            "--max-p95",
            "*=900",
            "--min-rps",
            "CreateMeeting (setup)=1",
            "--min-rps",
            "DELETE /v1/meetings/{id}=1",
            "--users",
            "3",
        ],
        ["contracts", "--behaviour", "email-lowercase", "--workers", "1"],
        ["selfcheck", "--fault", "body-content-limit"],
        ["selfcheck", "--suite", "stateful", "--fault", "api-version"],
        ["report", "--run", RUN_ID, "--reports", str(reports)],
        ["compare", RUN_ID, str(reports / RUN_ID / "load.json"), "--reports", str(reports)],
        ["generate", "getsessioninfo"],
    ):
        check_arguments(parser.parse_args(argv))  # no UsageProblem


def test_the_load_row_names_match_the_load_scenarios() -> None:
    """The names the gates check against are the names the locust scenarios record (read in a
    subprocess: importing locust monkey-patches the interpreter)."""
    code = (
        "import json\nfrom load import rest_tasks, scenarios\nfrom load.calls import supported_calls\n"
        "rest = sorted(v for k, v in vars(rest_tasks).items() if k.startswith('NAME_') and not v.endswith(')'))\n"
        "print(json.dumps([rest, [scenarios.MISSING_FIELD_NAME], supported_calls()]))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    rest, extra, calls = json.loads(result.stdout.strip().splitlines()[-1])
    assert sorted(REST_LOAD_NAMES) == rest
    assert list(EXTRA_LOAD_NAMES) == extra
    assert set(calls) <= set(load_row_names())


def test_the_error_path_imports_neither_locust_nor_pytest() -> None:
    code = (
        "import sys\nfrom webex_harness.runs.cli import main\nrc = main(['load', '--run-time', '5x'])\n"
        "print(rc, sorted(m for m in ('locust', 'pytest', 'gevent') if m in sys.modules))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["2", "[]"], result.stdout + result.stderr


def test_importing_the_command_line_imports_no_heavy_package() -> None:
    """Every command's module is imported with ``webex_harness.runs.cli``; each imports httpx, locust, pytest
    and the emulator only when its command runs, so a typo fails fast."""
    heavy = ("httpx", "locust", "gevent", "pytest", "emulator", "lxml")
    code = (
        "import sys\nimport webex_harness.runs.cli\n"
        "names = {m.removeprefix('webex_harness.').split('.')[0] for m in sys.modules}\n"
        f"print(sorted(names & set({heavy!r})))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.stdout.split() == ["[]"], result.stdout + result.stderr


def _collect(folder: Path, marker: str) -> subprocess.CompletedProcess[str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "test_marked.py").write_text(
        textwrap.dedent(f"""\
        import pytest


        @pytest.mark.behaviour({marker!r})
        def test_something():
            pass
        """),
        encoding="utf-8",
    )
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        str(folder),
        "-p",
        "no:cacheprovider",
        "--collect-only",
        "-q",
        "--rootdir",
        str(folder.parent),
        "--env",
        str(ROOT / "environments/emulator.yaml"),
    ]
    return subprocess.run(cmd, cwd=folder.parent, capture_output=True, text=True, timeout=120)


def test_an_unknown_behaviour_id_in_a_contract_marker_fails_collection(tmp_path: Path) -> None:
    result = _collect(tmp_path / "contracts", "email-lowercas")
    assert result.returncode == 4, result.stdout + result.stderr  # pytest: usage error
    assert (
        "unknown behaviour ID in a behaviour marker" in result.stderr
        and "test_marked.py::test_something: 'email-lowercas' (did you mean 'email-lowercase'" in result.stderr
    ), result.stderr


def test_a_known_behaviour_id_in_a_contract_marker_collects(tmp_path: Path) -> None:
    result = _collect(tmp_path / "contracts", "email-lowercase")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "test_marked.py::test_something" in result.stdout


def test_a_reader_that_stops_early_ends_generate_quietly() -> None:
    # `webex-harness generate … | head`: the reader has gone (here before the first write) — exit 141 as a
    # shell reports a SIGPIPE, and no traceback
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "webex_harness.runs.cli", "generate", "CreateMeeting", "--edge"],
            cwd=ROOT,
            stdout=write_end,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    finally:
        os.close(write_end)
    assert proc.returncode == 141, proc.stderr
    assert "Traceback" not in proc.stderr and "BrokenPipe" not in proc.stderr, proc.stderr


def test_a_taken_emulator_port_is_one_line_and_exit_2_before_anything_serves(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import socket

    import webex_harness.emulator.server

    def no_serve(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the emulator started on a taken port")

    monkeypatch.setattr(webex_harness.emulator.server, "serve", no_serve)
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen(1)
        port = holder.getsockname()[1]
        line = _one_line_exit_2(["emulator", "--port", str(port)], capsys)
    assert line == (
        f"webex-harness: cannot listen on 127.0.0.1:{port}: address already in use (an emulator started "
        "earlier? stop it, or pick a free port with --port)"
    ), line
