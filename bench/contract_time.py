"""Wall time of the contract suites as ``make test`` runs them, on 2 workers (issue 6: ≤ 60 s).

    python bench/contract_time.py                 # 3 runs of `pytest contracts -n 2 -q`, then the whole suite
    python bench/contract_time.py --markdown      # the Markdown for docs/performance.md
    python bench/contract_time.py --runs 5 --no-full

Each run is a fresh ``python -m pytest`` subprocess (what ``make test`` starts), timed from start
to exit. The contract runs also report pytest's own durations (``--durations=0``), which this
script sums per test module and per phase (setup = fixtures such as the emulator and the site a
test creates; call = the test body) and lists the slowest tests: that is what limits the figure.
With two workers the summed durations are about twice the wall time; the rest of the wall time
is pytest's start-up and collection (measured once with ``--collect-only``).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET_SECONDS = 60.0
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)s (setup|call|teardown)\s+(\S.*)$")
_SUMMARY = re.compile(r"=*\s*(.*\bin [\d.]+s.*?)\s*=*$")


@dataclass(slots=True)
class PytestRun:
    seconds: float
    exit_code: int
    summary: str
    #: (seconds, phase, test id) from ``--durations=0``
    durations: list[tuple[float, str, str]] = field(default_factory=list)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_pytest(args: list[str]) -> PytestRun:
    cmd = [sys.executable, "-m", "pytest", *args]
    start = time.perf_counter()
    out = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    lines = out.stdout.splitlines()
    durations = []
    for line in lines:
        match = _DURATION.match(line.strip())
        if match:
            durations.append((float(match.group(1)), match.group(2), match.group(3)))
    summary = next((m.group(1) for line in reversed(lines) if (m := _SUMMARY.match(line.strip()))), "")
    return PytestRun(seconds, out.returncode, summary, durations)


def module_of(test_id: str) -> str:
    return test_id.split("::", 1)[0]


@dataclass(slots=True)
class Report:
    runs: list[PytestRun]
    collect_seconds: float
    full: PytestRun | None
    top: int

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    def how(self) -> str:
        return (
            f"Python {platform.python_version()} on {platform.machine()} ({platform.system()}), "
            f"{os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at the end; "
            f"`python -m pytest contracts -n 2 -q --durations=0`, {len(self.runs)} runs, each a fresh process."
        )

    def lines(self) -> list[str]:
        runs = ", ".join(f"{r.seconds:.1f}" for r in self.runs)
        verdict = "meets" if self.median <= TARGET_SECONDS else "MISSES"
        out = [
            self.how(),
            "",
            f"- Contract suites (`pytest contracts -n 2 -q`): median **{self.median:.1f} s** "
            f"(runs: {runs} s) — {verdict} the ≤ {TARGET_SECONDS:.0f} s target. "
            f"Last run: {self.runs[-1].summary or 'no summary'}.",
            f"- Start-up and collection alone (`pytest contracts --collect-only -q`): {self.collect_seconds:.1f} s.",
        ]
        if self.full is not None:
            out.append(
                f"- Whole suite (`pytest -n 2 -q`, once): **{self.full.seconds:.1f} s** — "
                f"{self.full.summary or 'no summary'} (exit code {self.full.exit_code})."
            )
        failed = [r for r in self.runs if r.exit_code != 0]
        if failed:
            out.append(
                f"- WARNING: {len(failed)} contract run(s) did not pass (exit codes "
                f"{', '.join(str(r.exit_code) for r in failed)}): the times may not be comparable."
            )
        durations = self.runs[-1].durations
        if durations:
            by_phase: dict[str, float] = defaultdict(float)
            by_module: dict[str, float] = defaultdict(float)
            tests: dict[str, float] = defaultdict(float)
            for seconds, phase, test in durations:
                by_phase[phase] += seconds
                by_module[module_of(test)] += seconds
                tests[test] += seconds
            total = sum(by_phase.values())
            out += [
                "",
                f"Where the time goes (last contract run, summed over both workers: {total:.1f} s; "
                + ", ".join(f"{p} {s:.1f} s" for p, s in sorted(by_phase.items()))
                + f"; {len(tests)} tests "
                "listed by pytest, those under 5 ms are not):",
                "",
                "| module | seconds (setup + call + teardown) | share |",
                "| --- | ---: | ---: |",
            ]
            for module, seconds in sorted(by_module.items(), key=lambda kv: -kv[1]):
                out.append(f"| {module} | {seconds:.1f} | {seconds / total:.0%} |")
            out += [
                "",
                f"The {self.top} slowest test phases:",
                "",
                "| seconds | phase | test |",
                "| ---: | --- | --- |",
            ]
            for seconds, phase, test in sorted(durations, key=lambda d: -d[0])[: self.top]:
                out.append(f"| {seconds:.2f} | {phase} | `{test}` |")
        return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="contract runs (default 3)")
    parser.add_argument("--no-full", action="store_true", help="skip the one run of the whole suite")
    parser.add_argument("--top", type=int, default=15, help="slowest test phases to list (default 15)")
    parser.add_argument(
        "--markdown",
        action="store_true",
        help="print the Markdown for docs/performance.md (the default output is the same text)",
    )
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    progress("contract time: collection only …")
    collect = run_pytest(["contracts", "--collect-only", "-q"])
    runs = []
    for i in range(1, args.runs + 1):
        progress(f"contract time: run {i}/{args.runs} of `pytest contracts -n 2 -q` …")
        run = run_pytest(["contracts", "-n", "2", "-q", "--durations=0"])
        progress(f"  {run.seconds:.1f} s — {run.summary or f'exit code {run.exit_code}'}")
        runs.append(run)
    full = None
    if not args.no_full:
        progress("contract time: the whole suite once (`pytest -n 2 -q`) …")
        full = run_pytest(["-n", "2", "-q"])
        progress(f"  {full.seconds:.1f} s — {full.summary or f'exit code {full.exit_code}'}")
    report = Report(runs, collect.seconds, full, args.top)
    print("\n".join(report.lines()))
    return 0 if all(r.exit_code == 0 for r in runs) else 1


if __name__ == "__main__":
    raise SystemExit(main())
