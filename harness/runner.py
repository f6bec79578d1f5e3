"""Orchestration behind the CLI: bring the target up, run the contract suites in a pytest
subprocess, run the self-check, and write the run's report folder."""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.environment import Environment, check_reachable
from harness.report import Run, load_results

ROOT = Path(__file__).resolve().parent.parent
CONTRACTS = ROOT / "contracts"


@dataclass
class Target:
    """The environment with its URLs filled in, and the emulator's base URL when there is one."""

    environment: Environment
    emulator_url: str | None


@contextlib.contextmanager
def target_up(run: Run) -> Iterator[Target]:
    """Start the emulator (as a child process, on a free loopback port) for an emulator target,
    check a real site is reachable otherwise; stop the emulator afterwards."""
    env = run.environment
    if not env.is_emulator:
        check_reachable(env)
        yield Target(env, None)
        return
    from emulator.server import start_subprocess

    emulator = start_subprocess(env.path, log_file=run.dir / "emulator.log")
    try:
        yield Target(env.with_urls(emulator.xml_url, emulator.rest_url), emulator.base_url)
    finally:
        emulator.stop()


def pytest_command(run: Run, target: Target, *, out_dir: Path, selection: list[str] | None = None,
                   extra: list[str] | None = None, workers: int = 2, quiet: bool = True,
                   junit: bool = True, allure: bool = True) -> list[str]:
    env = target.environment
    cmd = [sys.executable, "-m", "pytest", str(CONTRACTS), "-p", "no:cacheprovider", "--rootdir", str(ROOT),
           "--seed", str(run.seed), "--run-dir", str(out_dir)]
    if env.path is not None:
        cmd += ["--env", str(env.path)]
    if target.emulator_url:
        cmd += ["--emulator-url", target.emulator_url]
    if junit:
        cmd += ["--junitxml", str(out_dir / "junit.xml")]
    if allure:
        cmd += ["--alluredir", str(out_dir / "allure-results")]
    if workers > 1:
        cmd += ["-n", str(workers)]
    if quiet:
        cmd += ["-q"]
    for bid in selection or []:
        cmd += ["--behaviour", bid]
    return cmd + list(extra or [])


def run_contracts(run: Run, target: Target, *, extra: list[str] | None = None, workers: int = 2,
                  selection: list[str] | None = None) -> int:
    """Run the contract suites, streaming pytest's progress; pytest's exit code (5 → no tests)."""
    cmd = pytest_command(run, target, out_dir=run.dir, extra=extra, workers=workers, selection=selection)
    return subprocess.call(cmd, cwd=ROOT)


# ---------------------------------------------------------------- self-check


def _fault_run(run: Run, target: Target, fault: str | None, selection: list[str], out: Path) -> dict[str, Any]:
    out.mkdir(parents=True, exist_ok=True)
    extra = ["--fault", fault] if fault else []
    cmd = pytest_command(run, target, out_dir=out, selection=selection, extra=[*extra, "-x"] if fault else extra,
                         workers=1, junit=False, allure=False)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    results = load_results(out)
    return {
        "exit_code": proc.returncode,
        "failed": [r["nodeid"] for r in results if r["outcome"] == "failed"],
        "passed": [r["nodeid"] for r in results if r["outcome"] == "passed"],
        "ran": len(results),
        "tail": proc.stdout.strip().splitlines()[-1:] if proc.stdout.strip() else [],
    }


def selfcheck(run: Run, target: Target, faults: list[str], *, workers: int = 2,
              progress: Any = None) -> dict[str, Any]:
    """Per fault: a fresh site with it on, the tests marked with its ID; detected = one failed.

    Also runs every marked test with no fault: the baseline must pass.
    """
    work = run.dir / "selfcheck"
    if work.exists():
        shutil.rmtree(work)
    baseline = _fault_run(run, target, None, faults, work / "baseline")
    rows: list[dict[str, Any]] = []

    def one(fault: str) -> dict[str, Any]:
        result = _fault_run(run, target, fault, [fault], work / fault)
        row = {"id": fault, "detected": bool(result["failed"]), "failed_tests": result["failed"],
               "tests_run": result["ran"]}
        if progress is not None:
            progress(row)
        return row

    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        rows = list(pool.map(one, faults))
    report = {
        "baseline_passed": baseline["exit_code"] == 0 and not baseline["failed"],
        "baseline_failed_tests": baseline["failed"],
        "faults": rows,
    }
    (run.dir / "selfcheck.json").write_text(json.dumps(report, indent=2) + "\n")
    return report
