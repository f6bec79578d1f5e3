"""The self-check: for every emulator fault, a fresh site with it on and a suite of contract tests —
the fault is detected when one of them fails; with no fault (the baseline) they must pass. Two suites:

* ``examples``: per fault, the example tests marked with the behaviour it breaks (``--behaviour``);
  every fault must be detected.
* ``stateful``: per fault, every state machine (the tests under the contracts' ``stateful/`` folder),
  stopping at the first failure (``-x``); their kill rate must reach :data:`STATEFUL_TARGET`.

Writes ``selfcheck.json`` (also the ``"selfcheck"`` of ``summary.json``): one block per suite under
``"suites"``; the keys a reader of the first self-check knows (``baseline_passed``,
``baseline_failed_tests``, ``faults``) stay at the top, holding the examples suite's block (the
stateful suite's when it ran alone; ``"suite"`` names which). Each fault's pytest has its own folder
(``selfcheck/<fault>/`` for the examples; ``selfcheck/stateful/<fault>/run/`` for the state machines,
so that each has its own replay files and hypothesis database and no fault's run sees another's).

Stands on :mod:`runs.runner` (the target, the pytest command line) and :mod:`workspace.results`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Literal, NotRequired, TypedDict

from webex_harness.plugin.suite_command import CONTRACTS_DIR
from webex_harness.workspace.results import load_results

if TYPE_CHECKING:  # the runner (httpx) is imported when a check runs: the command line names the suites
    from webex_harness.runs.runner import Target
    from webex_harness.workspace.run_folder import Run

__all__ = [
    "STATEFUL_TARGET",
    "SUITES",
    "SUITE_CHOICES",
    "FaultRow",
    "FaultRun",
    "SelfcheckReport",
    "Suite",
    "SuiteReport",
    "behaviour_of_fault",
    "kill_rate_problem",
    "percent",
    "selfcheck",
    "suites_of",
]

Suite = Literal["examples", "stateful"]
#: the suites, in the order ``all`` runs them
SUITES: tuple[Suite, ...] = ("examples", "stateful")
#: what ``--suite`` accepts
SUITE_CHOICES: tuple[str, ...] = (*SUITES, "all")
#: the share of all faults the state machines alone must detect (issue 16)
STATEFUL_TARGET = 0.90
#: the folder of the state machines under the contract suites
STATEFUL_DIR: Path = CONTRACTS_DIR / "stateful"


class FaultRun(TypedDict):
    """One pytest run of the self-check (the baseline, or the tests of one fault with it on)."""

    exit_code: int
    failed: list[str]  # node IDs
    passed: list[str]
    ran: int
    tail: list[str]  # pytest's last line


class FaultRow(TypedDict):
    """One fault's line of a suite: detected when one of the suite's tests failed with it on."""

    id: str
    behaviour: str
    detected: bool
    failed_tests: list[str]
    tests_run: int
    suite: NotRequired[str]
    #: pytest could not run the tests (a collection or start-up error: nothing ran, nothing was
    #: detected or missed): its exit code and last line
    error: NotRequired[str]


class SuiteReport(TypedDict):
    """One suite's block of ``selfcheck.json``."""

    suite: str
    baseline_passed: bool
    baseline_failed_tests: list[str]
    faults: list[FaultRow]
    detected: int
    total: int
    #: detected / total (0.0 without faults)
    kill_rate: float
    #: the share the suite must detect: 1.0 for the examples, :data:`STATEFUL_TARGET` for the state machines
    target: float
    missed: list[str]


class SelfcheckReport(TypedDict):
    """``selfcheck.json`` (also the ``"selfcheck"`` of ``summary.json``)."""

    suite: str
    baseline_passed: bool
    baseline_failed_tests: list[str]
    faults: list[FaultRow]
    suites: dict[str, SuiteReport]


def _fault_run(run: Run, target: Target, fault: str | None, suite: Suite, selection: list[str], out: Path) -> FaultRun:
    from webex_harness.runs.runner import pytest_command

    out.mkdir(parents=True, exist_ok=True)
    extra = ["--fault", fault] if fault else []
    cmd = pytest_command(
        run,
        target,
        out_dir=out,
        selection=selection,
        extra=[*extra, "-x"] if fault else extra,
        workers=1,
        junit=False,
        allure=False,
    )
    env = None
    if suite == "stateful":
        cmd = stateful_only(cmd)
        if fault:  # only detection counts here: a failing machine is reported unshrunk
            from webex_harness.contracts.stateful.runner import SHRINK_VARIABLE

            env = {**os.environ, SHRINK_VARIABLE: "0"}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    results = load_results(out)
    last = (proc.stdout or "").strip() or (proc.stderr or "").strip()
    return {
        "exit_code": proc.returncode,
        "failed": [r.nodeid for r in results if r.outcome == "failed"],
        "passed": [r.nodeid for r in results if r.outcome == "passed"],
        "ran": len(results),
        "tail": last.splitlines()[-1:] if last else [],
    }


#: pytest's exit codes that say how the tests went (0 all passed, 1 some failed, 5 none was selected);
#: any other (2 interrupted — a collection error —, 3 internal error, 4 usage error) says they did not run
_TESTS_WENT = (0, 1, 5)


def run_error(result: FaultRun) -> str | None:
    """Why a fault's pytest run says nothing about the fault, or None: no test ran and pytest ended with
    an error (a module that does not import, a bad option) — reported apart from a miss."""
    if result["ran"] or result["exit_code"] in _TESTS_WENT:
        return None
    tail = result["tail"][0] if result["tail"] else "no output"
    return f"pytest exit {result['exit_code']}: {tail}"


def stateful_only(cmd: list[str]) -> list[str]:
    """A contract pytest command that collects the state machines alone (the suites' folder
    argument replaced by their ``stateful/`` folder)."""
    suites = str(CONTRACTS_DIR)
    if suites not in cmd:
        raise ValueError(f"not a contract pytest command (no {suites} argument): {cmd[:6]}")
    return [str(STATEFUL_DIR) if part == suites else part for part in cmd]


def behaviour_of_fault(fault: str) -> str:
    """The catalogue behaviour a fault breaks, as its declaration names it (an aspect fault such as
    ``usage-limit-403-lift`` names ``usage-limit-403``)."""
    from webex_harness.emulator.registered import behaviour_of

    return behaviour_of(fault)


def _folder(work: Path, suite: Suite, name: str) -> Path:
    """A pytest run's folder: ``<work>/<name>`` for the examples (as before), and
    ``<work>/stateful/<name>/run`` for the state machines — the runner keeps its hypothesis database
    next to the run folder, so each fault gets one of its own."""
    return work / name if suite == "examples" else work / "stateful" / name / "run"


def _suite(
    run: Run,
    target: Target,
    suite: Suite,
    faults: list[str],
    workers: int,
    progress: Callable[[FaultRow | None], object] | None,
) -> SuiteReport:
    work = run.dir / "selfcheck"
    baseline_selection = sorted({behaviour_of_fault(f) for f in faults}) if suite == "examples" else []
    baseline = _fault_run(run, target, None, suite, baseline_selection, _folder(work, suite, "baseline"))

    def one(fault: str) -> FaultRow:
        selection = [behaviour_of_fault(fault)] if suite == "examples" else []
        result = _fault_run(run, target, fault, suite, selection, _folder(work, suite, fault))
        row: FaultRow = {
            "id": fault,
            "behaviour": behaviour_of_fault(fault),
            "detected": bool(result["failed"]),
            "failed_tests": result["failed"],
            "tests_run": result["ran"],
            "suite": suite,
        }
        error = run_error(result)
        if error is not None:
            row["error"] = error
        if progress is not None:
            progress(row)
        return row

    if progress is not None:
        progress(None)  # the baseline is done: the faults start now
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        rows = list(pool.map(one, faults))
    detected = sum(1 for r in rows if r["detected"])
    return {
        "suite": suite,
        "baseline_passed": baseline["exit_code"] == 0 and not baseline["failed"],
        "baseline_failed_tests": baseline["failed"],
        "faults": rows,
        "detected": detected,
        "total": len(rows),
        "kill_rate": detected / len(rows) if rows else 0.0,
        "target": 1.0 if suite == "examples" else STATEFUL_TARGET,
        "missed": [r["id"] for r in rows if not r["detected"]],
    }


def suites_of(choice: str) -> tuple[Suite, ...]:
    """The suites ``--suite`` names (``all``: both)."""
    if choice == "all":
        return SUITES
    for suite in SUITES:
        if suite == choice:
            return (suite,)
    raise ValueError(f"--suite {choice!r}: unknown suite (choose from {', '.join(SUITE_CHOICES)})")


def selfcheck(
    run: Run,
    target: Target,
    faults: list[str],
    *,
    suites: tuple[Suite, ...] = ("examples",),
    workers: int = 2,
    progress: Callable[[FaultRow | None], object] | None = None,
) -> SelfcheckReport:
    """Per suite and fault: a fresh site with it on and the suite's tests; detected = one failed.

    Each suite also runs its tests with no fault first: the baseline must pass. ``progress`` is
    called with None when a suite's faults start (its baseline is done), then with each fault's row
    (``"suite"`` names its suite) as it is done.
    """
    if not suites:
        raise ValueError("no suite to run")
    work = run.dir / "selfcheck"
    if work.exists():
        shutil.rmtree(work)
    blocks: dict[str, SuiteReport] = {s: _suite(run, target, s, faults, workers, progress) for s in suites}
    first = blocks.get("examples") or blocks[suites[0]]
    report: SelfcheckReport = {
        "suite": first["suite"],
        "baseline_passed": first["baseline_passed"],
        "baseline_failed_tests": first["baseline_failed_tests"],
        "faults": first["faults"],
        "suites": blocks,
    }
    (run.dir / "selfcheck.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def percent(share: float) -> str:
    """``91 %`` for 0.91 (rounded to a whole percent)."""
    return f"{round(100 * share)} %"


def kill_rate_problem(block: SuiteReport) -> str | None:
    """What is wrong with a suite's result beyond its baseline, in one phrase; None when it is good:
    the examples must detect every fault, the state machines at least :data:`STATEFUL_TARGET`."""
    errors = [f["id"] for f in block["faults"] if f.get("error")]
    could_not_run = f"the tests of {len(errors)} fault(s) could not run: {', '.join(errors)}" if errors else ""
    if block["suite"] == "examples":
        missed = [m for m in block["missed"] if m not in errors]
        problems = [could_not_run] if errors else []
        if missed:
            problems.append(f"{len(missed)} fault(s) missed by the example tests: {', '.join(missed)}")
        return "; ".join(problems) or None
    if block["total"] and block["kill_rate"] >= block["target"]:
        return None
    below = (
        f"the state machines detect {block['detected']}/{block['total']} faults "
        f"({percent(block['kill_rate'])}), below the {percent(block['target'])} they must reach"
    )
    return f"{below} ({could_not_run})" if errors else below
