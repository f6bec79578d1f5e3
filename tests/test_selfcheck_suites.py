"""``webex-harness selfcheck --suite``: the example tests per fault, the state machines per fault, or
both; one block per suite in ``selfcheck.json`` and the summary, each fault's pytest in a folder of
its own, and the exit code (a miss of the examples, state machines below their kill rate, a failed
baseline).

pytest itself is stood in for: a fake ``subprocess.run`` reads the command the self-check built
(its ``--run-dir``, ``--fault``, ``--behaviour`` and the folder it collects) and writes the results
file the plugin would, failing the tests of the faults a table names.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from webex_harness.environment.loader import load_environment
from webex_harness.plugin.suite_command import CONTRACTS_DIR
from webex_harness.runs import runner, selfcheck
from webex_harness.runs.cli import main
from webex_harness.runs.report import write_summary
from webex_harness.runs.report_facts import kill_rate_line, selfcheck_suites
from webex_harness.runs.selfcheck import (
    STATEFUL_DIR,
    SelfcheckReport,
    SuiteReport,
    kill_rate_problem,
    stateful_only,
    suites_of,
)
from webex_harness.runs.target_commands import selfcheck_verdict
from webex_harness.workspace.run_folder import Run

ROOT = Path(__file__).resolve().parent.parent
EMULATOR_ENV = ROOT / "environments" / "emulator.yaml"


class FakePytest:
    """Stands in for ``subprocess.run`` of a contract pytest: records each command and writes the
    results file into its ``--run-dir`` — a failed test when ``(suite, fault)`` is in ``fails``."""

    def __init__(self, fails: set[tuple[str, str | None]]) -> None:
        self.fails = fails
        self.commands: list[list[str]] = []

    def __call__(self, cmd: list[str], **_: Any) -> subprocess.CompletedProcess[str]:
        self.commands.append(list(cmd))
        out = Path(cmd[cmd.index("--run-dir") + 1])
        fault = cmd[cmd.index("--fault") + 1] if "--fault" in cmd else None
        suite = "stateful" if str(STATEFUL_DIR) in cmd else "examples"
        failed = (suite, fault) in self.fails
        node = "contracts/stateful/test_site_machine.py::test_x" if suite == "stateful" else "contracts/test_x.py::t"
        result = {"nodeid": node, "outcome": "failed" if failed else "passed", "behaviours": [], "apis": []}
        out.mkdir(parents=True, exist_ok=True)
        (out / "results-main.json").write_text(json.dumps([result]))
        return subprocess.CompletedProcess(cmd, 1 if failed else 0, "1 passed\n", "")


def _run(tmp_path: Path) -> Run:
    run = Run(load_environment(EMULATOR_ENV), seed=5, run_id="20261203-230000-5e1f", root=tmp_path)
    run.create()
    return run


def _target(run: Run) -> runner.Target:
    return runner.Target(run.environment, "http://127.0.0.1:1")


def _option(cmd: list[str], name: str) -> list[str]:
    return [cmd[i + 1] for i, part in enumerate(cmd) if part == name]


def test_the_stateful_suite_collects_the_state_machines_alone() -> None:
    cmd = ["python", "-m", "pytest", str(CONTRACTS_DIR), "-c", "contracts.ini", "--seed", "1"]
    assert stateful_only(cmd) == ["python", "-m", "pytest", str(STATEFUL_DIR), "-c", "contracts.ini", "--seed", "1"]
    assert STATEFUL_DIR.is_dir() and list(STATEFUL_DIR.glob("test_*.py"))
    with pytest.raises(ValueError, match="not a contract pytest command"):
        stateful_only(["python", "-m", "pytest", "tests"])


def test_suites_of_a_choice() -> None:
    assert suites_of("examples") == ("examples",)
    assert suites_of("stateful") == ("stateful",)
    assert suites_of("all") == ("examples", "stateful")
    with pytest.raises(ValueError, match="unknown suite"):
        suites_of("fuzz")


def test_each_suite_runs_its_own_tests_per_fault_each_in_a_folder_of_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake = FakePytest({("examples", "api-version"), ("examples", "site-options"), ("stateful", "site-options")})
    monkeypatch.setattr(selfcheck.subprocess, "run", fake)
    run = _run(tmp_path)
    rows: list[Any] = []
    report = selfcheck.selfcheck(
        run,
        _target(run),
        ["api-version", "site-options"],
        suites=("examples", "stateful"),
        workers=1,
        progress=rows.append,
    )
    # commands: a baseline and one run per fault for each suite
    examples = [c for c in fake.commands if str(CONTRACTS_DIR) in c]
    stateful = [c for c in fake.commands if str(STATEFUL_DIR) in c]
    assert len(examples) == len(stateful) == 3 and len(fake.commands) == 6
    assert all(_option(c, "--behaviour") for c in examples)  # the examples of the fault's behaviour
    assert not any(_option(c, "--behaviour") for c in stateful)  # every state machine
    assert [_option(c, "--fault") for c in stateful] == [[], ["api-version"], ["site-options"]]
    assert all(("-x" in c) == bool(_option(c, "--fault")) for c in fake.commands)  # a baseline runs every test
    # folders: one per pytest run, none shared (each state machine run keeps its replays and database apart)
    folders = [Path(_option(c, "--run-dir")[0]) for c in fake.commands]
    assert len(set(folders)) == 6
    work = run.dir / "selfcheck"
    assert work / "api-version" in folders and work / "baseline" in folders  # where they always were
    assert work / "stateful" / "api-version" / "run" in folders
    assert len({f.parent for f in folders if str(STATEFUL_DIR) in " ".join(fake.commands[folders.index(f)])}) == 3
    # the report: the examples' keys on top, a block per suite
    written = json.loads((run.dir / "selfcheck.json").read_text())
    assert written == json.loads(json.dumps(report))
    assert report["suite"] == "examples" and report["baseline_passed"] is True
    assert [f["id"] for f in report["faults"] if f["detected"]] == ["api-version", "site-options"]
    block = report["suites"]["stateful"]
    assert (block["detected"], block["total"], block["kill_rate"], block["missed"]) == (1, 2, 0.5, ["api-version"])
    assert block["target"] == selfcheck.STATEFUL_TARGET and report["suites"]["examples"]["target"] == 1.0
    # progress: None when a suite's faults start, then each fault's row naming its suite
    assert [r if r is None else (r["suite"], r["id"]) for r in rows] == [
        None,
        ("examples", "api-version"),
        ("examples", "site-options"),
        None,
        ("stateful", "api-version"),
        ("stateful", "site-options"),
    ]


def test_a_stateful_suite_alone_fills_the_top_level_keys_and_names_itself(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(selfcheck.subprocess, "run", FakePytest({("stateful", None)}))
    run = _run(tmp_path)
    report = selfcheck.selfcheck(run, _target(run), ["api-version"], suites=("stateful",), workers=1)
    assert report["suite"] == "stateful" and list(report["suites"]) == ["stateful"]
    assert report["baseline_passed"] is False  # its baseline failed
    assert report["baseline_failed_tests"] == ["contracts/stateful/test_site_machine.py::test_x"]


def _block(suite: str, detected: int, total: int, *, baseline: bool = True) -> SuiteReport:
    faults = [
        {"id": f"f{i}", "behaviour": f"f{i}", "detected": i < detected, "failed_tests": [], "tests_run": 1}
        for i in range(total)
    ]
    return {
        "suite": suite,
        "baseline_passed": baseline,
        "baseline_failed_tests": [] if baseline else ["contracts/stateful/test_a.py::test_a"],
        "faults": faults,  # type: ignore[typeddict-item]
        "detected": detected,
        "total": total,
        "kill_rate": detected / total if total else 0.0,
        "target": 1.0 if suite == "examples" else selfcheck.STATEFUL_TARGET,
        "missed": [f"f{i}" for i in range(detected, total)],
    }


def _report(*blocks: SuiteReport) -> SelfcheckReport:
    first = blocks[0]
    return {
        "suite": first["suite"],
        "baseline_passed": first["baseline_passed"],
        "baseline_failed_tests": first["baseline_failed_tests"],
        "faults": first["faults"],
        "suites": {b["suite"]: b for b in blocks},
    }


def test_the_verdict_examples_must_detect_every_fault_state_machines_ninety_percent() -> None:
    assert selfcheck_verdict(_report(_block("examples", 10, 10), _block("stateful", 9, 10))) == []
    assert kill_rate_problem(_block("stateful", 9, 10)) is None
    problems = selfcheck_verdict(_report(_block("examples", 9, 10), _block("stateful", 8, 10)))
    assert problems == [
        "1 fault(s) missed by the example tests: f9",
        "the state machines detect 8/10 faults (80 %), below the 90 % they must reach",
    ]
    assert selfcheck_verdict(_report(_block("stateful", 10, 10, baseline=False))) == [
        "stateful baseline failed: contracts/stateful/test_a.py::test_a"
    ]
    assert kill_rate_problem(_block("stateful", 0, 0)) is not None  # nothing measured is not a pass


def test_the_summary_shows_each_suites_kill_rate_side_by_side(tmp_path: Path) -> None:
    run = _run(tmp_path)
    report = _report(_block("examples", 102, 102), _block("stateful", 95, 104))
    md_path = write_summary(run, exit_code=0, verdict="ok", selfcheck=report)
    line = "example tests 102/102 faults; state machines 95/104 faults (91 %)"
    summary = json.loads((run.dir / "summary.json").read_text())
    assert kill_rate_line(summary) == line
    assert summary["selfcheck"]["suites"]["stateful"]["missed"][:2] == ["f95", "f96"]
    md = md_path.read_text()
    assert f"Self-check: {line}." in md  # the lines on top
    assert "| state machines | passed | 95/104 (91 %) | 90 % | `f95`, `f96`" in md
    html = (run.dir / "summary.html").read_text()
    assert line in html and "<code>f103</code>" in html and "State machines" in html


def test_a_summary_written_before_the_suites_reads_as_the_examples_suite(tmp_path: Path) -> None:
    old = {
        "selfcheck": {
            "baseline_passed": True,
            "faults": [
                {"id": "email-lowercase", "detected": True, "failed_tests": ["t"]},
                {"id": "email-no-whitespace", "detected": False, "failed_tests": []},
            ],
        }
    }
    [block] = selfcheck_suites(old)
    assert (block["suite"], block["detected"], block["total"], block["missed"]) == (
        "examples",
        1,
        2,
        ["email-no-whitespace"],
    )
    assert kill_rate_line(old) == "example tests 1/2 faults (50 %)"
    assert selfcheck_suites({"selfcheck": None}) == [] and kill_rate_line({}) is None


@contextlib.contextmanager
def _no_emulator(run: Run, emulator_url: str | None = None) -> Iterator[runner.Target]:
    yield runner.Target(run.environment, "http://127.0.0.1:1")


@pytest.mark.parametrize(
    ("fails", "code", "says"),
    [
        (
            {("examples", "api-version"), ("examples", "site-options"), ("stateful", "site-options")},
            1,
            "below the 90 %",
        ),
        ({("examples", "api-version"), ("examples", "site-options")} | {("stateful", "api-version")}, 1, "50 %"),
        (
            {("examples", "api-version"), ("examples", "site-options")}
            | {("stateful", "api-version"), ("stateful", "site-options")},
            0,
            "the state machines detect 2/2 faults (100 %)",
        ),
        ({("examples", "api-version"), ("stateful", "api-version"), ("stateful", "site-options")}, 1, "missed by the"),
    ],
    ids=["stateful-below", "stateful-half", "all-detected", "examples-miss"],
)
def test_the_command_prints_each_suite_and_exits_1_on_a_miss_it_must_not_have(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    fails: set[tuple[str, str | None]],
    code: int,
    says: str,
) -> None:
    monkeypatch.setattr(selfcheck.subprocess, "run", FakePytest(fails))
    monkeypatch.setattr(runner, "target_up", _no_emulator)
    out = tmp_path / "out"
    argv = ["selfcheck", "--env", str(EMULATOR_ENV), "--suite", "all", "--workers", "1", "--out", str(out)]
    assert main([*argv, "--fault", "api-version", "--fault", "site-options"]) == code
    printed = capsys.readouterr()
    text = printed.out + printed.err
    assert says in text, text
    assert "examples site-options" in text and "stateful site-options" in text  # progress lines name the suite
    assert "stateful: baseline (no fault) passed" in text
    summary = json.loads((out / "summary.json").read_text())
    assert summary["exit_code"] == code and set(summary["selfcheck"]["suites"]) == {"examples", "stateful"}
    assert (out / "selfcheck" / "stateful" / "site-options" / "run" / "results-main.json").is_file()


class BrokenPytest(FakePytest):
    """A pytest that cannot start for ``broken`` faults: a module fails to import during collection —
    nothing ran, no results file, exit 2 with pytest's last line."""

    def __init__(self, fails: set[tuple[str, str | None]], broken: set[str]) -> None:
        super().__init__(fails)
        self.broken = broken

    def __call__(self, cmd: list[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        fault = cmd[cmd.index("--fault") + 1] if "--fault" in cmd else None
        if fault in self.broken:
            self.commands.append(list(cmd))
            return subprocess.CompletedProcess(
                cmd, 2, "=== 1 error in 0.41s ===\n", "ImportError: cannot import name\n"
            )
        return super().__call__(cmd, **kwargs)


def test_a_fault_whose_tests_could_not_run_is_reported_as_such_not_as_a_miss(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    fake = BrokenPytest({("examples", "site-options")}, broken={"api-version"})
    monkeypatch.setattr(selfcheck.subprocess, "run", fake)
    monkeypatch.setattr(runner, "target_up", _no_emulator)
    out = tmp_path / "out"
    argv = ["selfcheck", "--env", str(EMULATOR_ENV), "--workers", "1", "--out", str(out)]

    assert main([*argv, "--fault", "api-version", "--fault", "site-options"]) == 1

    text = "".join(capsys.readouterr())
    assert "examples api-version" in text and "ERROR" in text
    assert "the tests of 1 fault(s) could not run: api-version" in text
    assert "missed by the example tests" not in text
    row = json.loads((out / "selfcheck.json").read_text())["faults"][0]
    assert row["id"] == "api-version" and not row["detected"]
    assert row["error"] == "pytest exit 2: === 1 error in 0.41s ==="
    assert "could not run" in (out / "summary.md").read_text()
