"""The self-check: for every emulator fault, a fresh site with it on and the contract tests of the
behaviour it breaks — detected when one of them fails; with no fault (the baseline) they must pass.
Writes ``selfcheck.json``.

Stands on :mod:`runs.runner` (the target, the pytest command line) and :mod:`workspace.results`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypedDict

from webex_harness.runs.runner import Target, pytest_command
from webex_harness.workspace.results import load_results
from webex_harness.workspace.run_folder import Run

__all__ = ["FaultRow", "FaultRun", "SelfcheckReport", "behaviour_of_fault", "selfcheck"]


class FaultRun(TypedDict):
    """One pytest run of the self-check (the baseline, or the tests of one fault with it on)."""

    exit_code: int
    failed: list[str]  # node IDs
    passed: list[str]
    ran: int
    tail: list[str]  # pytest's last line


class FaultRow(TypedDict):
    """One fault's line of ``selfcheck.json``: detected when one of its behaviour's tests failed."""

    id: str
    behaviour: str
    detected: bool
    failed_tests: list[str]
    tests_run: int


class SelfcheckReport(TypedDict):
    """``selfcheck.json`` (also the ``"selfcheck"`` of ``summary.json``)."""

    baseline_passed: bool
    baseline_failed_tests: list[str]
    faults: list[FaultRow]


def _fault_run(run: Run, target: Target, fault: str | None, selection: list[str], out: Path) -> FaultRun:
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
    proc = subprocess.run(cmd, capture_output=True, text=True)
    results = load_results(out)
    return {
        "exit_code": proc.returncode,
        "failed": [r.nodeid for r in results if r.outcome == "failed"],
        "passed": [r.nodeid for r in results if r.outcome == "passed"],
        "ran": len(results),
        "tail": proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else [],
    }


def behaviour_of_fault(fault: str) -> str:
    """The catalogue behaviour a fault breaks, as its declaration names it (an aspect fault such as
    ``usage-limit-403-lift`` names ``usage-limit-403``)."""
    from webex_harness.emulator.registered import behaviour_of

    return behaviour_of(fault)


def selfcheck(
    run: Run,
    target: Target,
    faults: list[str],
    *,
    workers: int = 2,
    progress: Callable[[FaultRow | None], object] | None = None,
) -> SelfcheckReport:
    """Per fault: a fresh site with it on, the tests marked with its ID; detected = one failed.

    Also runs every marked test with no fault: the baseline must pass. ``progress`` is called with
    None when the faults start, then with each fault's row as it is done.
    """
    work = run.dir / "selfcheck"
    if work.exists():
        shutil.rmtree(work)
    baseline = _fault_run(run, target, None, sorted({behaviour_of_fault(f) for f in faults}), work / "baseline")

    def one(fault: str) -> FaultRow:
        result = _fault_run(run, target, fault, [behaviour_of_fault(fault)], work / fault)
        row: FaultRow = {
            "id": fault,
            "behaviour": behaviour_of_fault(fault),
            "detected": bool(result["failed"]),
            "failed_tests": result["failed"],
            "tests_run": result["ran"],
        }
        if progress is not None:
            progress(row)
        return row

    if progress is not None:
        progress(None)  # the baseline is done: the faults start now
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        rows = list(pool.map(one, faults))
    report: SelfcheckReport = {
        "baseline_passed": baseline["exit_code"] == 0 and not baseline["failed"],
        "baseline_failed_tests": baseline["failed"],
        "faults": rows,
    }
    (run.dir / "selfcheck.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
