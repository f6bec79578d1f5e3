"""The emulator of another commit against this checkout's, served side by side (issue 17).

    python bench/emulator_ab.py --base HEAD~1                  # 6 alternations x 2 s per target
    python bench/emulator_ab.py --base d2bd2c8 --runs 10 --markdown

``bench/emulator_throughput.py`` compares the emulator with a bare ASGI app; this script compares two
emulators, to tell whether a change made the request path cheaper. The machine's speed drifts by
more than a change's gain from one minute to the next (the same code measured 233–290 µs of server
CPU per CreateMeeting in runs a minute apart), so the two are never measured minutes apart:

- the ``--base`` commit is checked out into a temporary git worktree (removed afterwards) and both
  emulators are started at once, each by its own tree's ``bench/serve_target.py`` (same interpreter,
  same virtual environment, each tree's own ``webex_harness``), pinned to the same CPU, wrk to the other;
- for each target (GetSessionInfo, CreateMeeting), ``--runs`` alternations: base then this checkout,
  then this checkout then base, … — each run ``--seconds`` at 16 connections (server CPU µs per
  request, from ``/proc``) and ``--seconds`` at one connection (p99), each emulator reset before
  every run, every answer checked as in ``emulator_throughput.py``;
- printed: per target and side the median and range of server CPU µs per request and the median p99
  at one connection; "vs base" is the median over alternations of this checkout's figure divided by
  base's from the same alternation (the two runs seconds apart), which the drift cancels out of.

Traffic goes to 127.0.0.1 only. Needs git, wrk (``make wrk``) and a base commit whose
``bench/serve_target.py`` exists (any commit since issue 6).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

_HERE = Path(__file__).resolve().parent
_ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(_ROOT))

from bench.emulator_throughput import Workload, choose_cpus, progress, require_wrk, run_wrk  # noqa: E402
from bench.target_server import BenchError, TargetServer  # noqa: E402
from webex_harness.environment.loader import load_environment  # noqa: E402

TARGETS = ("GetSessionInfo", "CreateMeeting")
SIDES = ("base", "this")


@dataclass(slots=True)
class Side:
    """One emulator's runs of one target."""

    cpu_us: list[float] = field(default_factory=list)
    p99_ms: list[float] = field(default_factory=list)


def worktree(base: str, into: Path) -> Path:
    """``base`` checked out (detached) under ``into``; BenchError naming git's complaint if it cannot be."""
    tree = into / "base-tree"
    done = subprocess.run(
        ["git", "-C", str(_ROOT), "worktree", "add", "--detach", "--quiet", str(tree), base],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        why = ((done.stderr or done.stdout).strip().splitlines() or ["git failed"])[-1]
        raise BenchError(f"cannot check out {base!r}: {why}")
    if not (tree / "bench" / "serve_target.py").is_file():
        raise BenchError(f"{base!r} has no bench/serve_target.py to serve its emulator with")
    return tree


def remove_worktree(tree: Path) -> None:
    command = ["git", "-C", str(_ROOT), "worktree", "remove", "--force", str(tree)]
    subprocess.run(command, capture_output=True, check=False)


def resolve(revision: str) -> str | None:
    """The commit ``revision`` names in this repository, or None."""
    done = subprocess.run(
        ["git", "-C", str(_ROOT), "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
        capture_output=True,
        text=True,
        check=False,
    )
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def measure(base: str, runs: int, seconds: float, targets: tuple[str, ...] = TARGETS) -> dict[str, dict[str, Side]]:
    wrk = require_wrk()
    server_cpu, client_cpu, _ = choose_cpus()
    if client_cpu is not None:
        os.sched_setaffinity(0, {client_cpu})
    security = load_environment(_ROOT / "environments" / "emulator.yaml").security()
    results = {name: {side: Side() for side in SIDES} for name in targets}
    with tempfile.TemporaryDirectory(prefix="wxh-ab-") as tmp:
        work = Path(tmp)
        tree = worktree(base, work)
        servers: dict[str, TargetServer] = {}
        try:
            pin = ["--cpu", str(server_cpu)] if server_cpu is not None else []
            for side, root in (("base", tree), ("this", _ROOT)):
                (work / side).mkdir()
                script = root / "bench" / "serve_target.py"
                servers[side] = TargetServer(side, script, "emulator", *pin, log_dir=work / side, timeout=30)
            for name in targets:
                loads = {side: Workload(name, servers[side], security, work / side) for side in SIDES}
                for load in loads.values():  # warm up
                    load.prepare()
                    run_wrk(wrk, load, 16, 1, client_cpu)
                for run in range(runs):
                    progress(f"{name}: alternation {run + 1}/{runs}")
                    for side in SIDES if run % 2 == 0 else SIDES[::-1]:
                        loads[side].prepare()
                        busy = run_wrk(wrk, loads[side], 16, seconds, client_cpu)
                        loads[side].prepare()
                        one = run_wrk(wrk, loads[side], 1, seconds, client_cpu)
                        if busy.bad or one.bad or busy.per_cpu_s <= 0:
                            raise BenchError(f"{side} {name}: unexpected answers: {busy.first_bad or one.first_bad}")
                        results[name][side].cpu_us.append(1e6 / busy.per_cpu_s)
                        results[name][side].p99_ms.append(one.p99_ms)
        finally:
            for server in servers.values():
                server.stop()
            remove_worktree(tree)
    return results


def report(results: dict[str, dict[str, Side]], base: str, runs: int, seconds: float, markdown: bool) -> str:
    head = (
        f"base {base} against this checkout, served side by side on one CPU; {runs} alternations of {seconds:g} s "
        "at 16 connections and at one connection per target; medians"
    )
    rows = []
    for name, sides in results.items():
        base = sides["base"]
        for side, s in sides.items():
            cpu = [mine / theirs for mine, theirs in zip(s.cpu_us, base.cpu_us, strict=True)]
            p99 = [mine / theirs for mine, theirs in zip(s.p99_ms, base.p99_ms, strict=True)]
            rows.append(
                [
                    name,
                    side,
                    f"{statistics.median(s.cpu_us):.0f}",
                    f"{min(s.cpu_us):.0f}–{max(s.cpu_us):.0f}",
                    f"{statistics.median(cpu):.3f}",
                    f"{statistics.median(s.p99_ms):.3f}",
                    f"{statistics.median(p99):.3f}",
                ]
            )
    titles = [
        "target",
        "emulator",
        "server CPU µs/req",
        "range",
        "CPU vs base",
        "p99 ms @1 conn",
        "p99 vs base",
    ]
    if markdown:
        lines = [head, "", "| " + " | ".join(titles) + " |", "| --- | --- | ---: | ---: | ---: | ---: | ---: |"]
        lines += ["| " + " | ".join(row) + " |" for row in rows]
    else:
        widths = [max(len(t), *(len(r[i]) for r in rows)) for i, t in enumerate(titles)]
        lines = [head, "", "  ".join(t.ljust(w) for t, w in zip(titles, widths, strict=True))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)) for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", required=True, help="the commit to compare with (any git revision)")
    parser.add_argument("--runs", type=int, default=6, help="alternations per target (default 6)")
    parser.add_argument("--seconds", type=float, default=2.0, help="seconds per wrk run (default 2)")
    parser.add_argument(
        "--target", action="append", choices=TARGETS, help="measure only this target (repeatable; default both)"
    )
    parser.add_argument("--markdown", action="store_true", help="print the Markdown for docs/performance.md")
    args = parser.parse_args(argv)
    targets = tuple(args.target or TARGETS)
    if args.runs < 1 or args.seconds < 1:
        parser.error("--runs and --seconds must be at least 1")
    if resolve(args.base) is None:
        parser.error(f"--base {args.base!r} names no commit of this repository")
    progress(f"emulator A/B: about {len(targets) * args.runs * 4 * args.seconds:.0f} s of wrk runs …")
    try:
        results = measure(args.base, args.runs, args.seconds, targets)
    except BenchError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(report(results, args.base, args.runs, args.seconds, args.markdown))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
