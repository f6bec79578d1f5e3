"""How often ``webex-harness compare`` is right (issue 12, "a sound before/after comparison"):
A/A pairs (two runs of the same target) must be "no regression", A/B pairs (the same target with
every answer 25 % slower) must be "regressed" — each in at least 19 of 20 pairs.

    python bench/compare_rates.py [--pairs 20] [--seconds 15] [--users 10] [--base-delay-ms 100] [--markdown]
                                  [--keep DIR]      # keep the run folders in DIR
    python bench/compare_rates.py --judge DIR [--base-delay-ms 100]   # judge kept runs again (no load)

How it measures:

* **One emulator** (``webex-harness emulator`` on 127.0.0.1, environments/emulator.yaml) serves
  every run; the load is ``webex-harness load``'s default mix (:func:`load.runner.run_load`) with a
  fixed user count, spawned in the first second, for ``--seconds`` each.
* **A** is the emulator with ``response_delay_ms = --base-delay-ms`` on its site (set through the
  control API): every XML and REST answer waits that long, like a real site's network and server
  time (Webex answers in some 100 ms). Without it the emulator answers in 2–5 ms and the latency
  is mostly how much CPU the machine had left — the run-to-run noise the issue saw (10 → 16 ms).
* **B** adds 25 % of A's measured mean latency to the delay: the first A run is the calibration,
  its mean latency ``L`` (all requests, from its one-second windows), and B's delay is
  ``base + round(0.25 × L)`` — every answer is held back by a quarter of the average answer time,
  so the average answer is 25 % slower.
* The runs alternate ``A₀ B₀ A₁ B₁ … A_N``: A/A pair *i* is ``(Aᵢ, Aᵢ₊₁)`` and A/B pair *i* is
  ``(Aᵢ, Bᵢ)``, each judged by :func:`runs.compare.compare_runs` with the default limits. Pairs
  that share a run are not independent: the rates are of N consecutive comparisons, as a CI would
  make them.

Verdicts counted: "regressed" (exit 1), "inconclusive" (exit 3) and "no regression" (ok or
improved, exit 0). Traffic goes to 127.0.0.1 only; every run is bounded by ``--seconds`` and the
environment's budget.
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

_HERE = Path(__file__).resolve().parent
ROOT = _HERE.parent
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402

from webex_harness.environment.loader import load_environment  # noqa: E402
from webex_harness.environment.model import DEFAULT_ENVIRONMENT  # noqa: E402
from webex_harness.runs.compare import Comparison, compare_runs, read_run  # noqa: E402
from webex_harness.runs.stats import read_windows  # noqa: E402

TARGET = 19  # of 20
SLOWDOWN = 0.25


@dataclass(slots=True)
class Pair:
    kind: str  # "A/A" | "A/B"
    before: str
    after: str
    verdict: str  # "regressed" | "inconclusive" | "no regression"
    why: str


def _verdict(comparison: Comparison) -> tuple[str, str]:
    if comparison.regressed:
        return "regressed", "; ".join(comparison.regressions[:3])
    if comparison.inconclusive:
        return "inconclusive", "; ".join(comparison.inconclusive_reasons[:2])
    return "no regression", f"{len(comparison.within_noise)} change(s) beyond a limit dismissed as noise"


def mean_latency_ms(run_dir: Path) -> float:
    """The mean answer time of a run (all requests), from its one-second windows."""
    windows = (read_windows(run_dir) or {}).get("Aggregated") or []
    requests = sum(w.requests for w in windows)
    if not requests:
        raise SystemExit(f"compare_rates: {run_dir} has no steady windows; see its locust.log")
    return sum(w.latency_sum_ms for w in windows) / requests


def set_delay(base_url: str, delay_ms: int) -> None:
    answer = httpx.post(
        f"{base_url}/_emulator/sites/harness/settings", json={"response_delay_ms": delay_ms}, timeout=10
    )
    answer.raise_for_status()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--pairs", type=int, default=20, help="A/A and A/B pairs each (default 20)")
    parser.add_argument("--seconds", type=int, default=15, help="run time of each load run (default 15)")
    parser.add_argument("--users", type=int, default=10, help="locust users of each run (default 10)")
    parser.add_argument(
        "--base-delay-ms",
        type=int,
        default=100,
        help="response_delay_ms of A: the target's own answer time (default 100)",
    )
    parser.add_argument("--markdown", action="store_true", help="print only the Markdown for docs/performance.md")
    parser.add_argument("--keep", type=Path, help="keep the run folders (A0, B0, A1, …) in this folder")
    parser.add_argument("--judge", type=Path, help="judge the runs kept in this folder again; run no load")
    args = parser.parse_args(argv)
    if args.judge:
        return judge_kept(args)
    if args.pairs < 1 or args.seconds < 5 or args.users < 1 or args.base_delay_ms < 0:
        parser.error("--pairs ≥ 1, --seconds ≥ 5, --users ≥ 1 and --base-delay-ms ≥ 0")

    from webex_harness.emulator.server import start_subprocess
    from webex_harness.load.runner import run_load

    def log(message: str) -> None:
        if not args.markdown:
            print(message, flush=True)

    environment = load_environment(DEFAULT_ENVIRONMENT, {})
    started = time.monotonic()
    pairs: list[Pair] = []
    with tempfile.TemporaryDirectory(prefix="compare-rates-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        emulator = start_subprocess(log_file=work / "emulator.log")
        try:

            def run(name: str, delay_ms: int) -> Path:
                set_delay(emulator.base_url, delay_ms)
                run_dir = work / name
                result = run_load(
                    environment,
                    run_dir,
                    users=args.users,
                    spawn_rate=args.users,
                    run_time=f"{args.seconds}s",
                    base_url=emulator.base_url,
                )
                total = result.total
                log(
                    f"{name}: delay {delay_ms} ms, {total.get('requests')} requests, p95 {total.get('p95_ms')} ms, "
                    f"{total.get('rps')} rps"
                )
                return run_dir

            a_runs = [run("A0", args.base_delay_ms)]
            baseline_ms = mean_latency_ms(a_runs[0])
            slow_delay = args.base_delay_ms + round(SLOWDOWN * baseline_ms)
            log(f"baseline mean latency {baseline_ms:.1f} ms → B delay {slow_delay} ms")
            b_runs: list[Path] = []
            for i in range(args.pairs):
                b_runs.append(run(f"B{i}", slow_delay))
                a_runs.append(run(f"A{i + 1}", args.base_delay_ms))
                for kind, before, after in (("A/B", a_runs[i], b_runs[i]), ("A/A", a_runs[i], a_runs[i + 1])):
                    verdict, why = _verdict(compare_runs(read_run(str(before), work), read_run(str(after), work)))
                    pairs.append(Pair(kind, before.name, after.name, verdict, why))
                    log(f"  {kind} {before.name} → {after.name}: {verdict} ({why})")
        finally:
            emulator.stop()
    minutes = (time.monotonic() - started) / 60
    print(render(pairs, args, baseline_ms, slow_delay, minutes))
    return _exit_code(pairs, args)


def judge_kept(args: argparse.Namespace) -> int:
    """The verdicts of the runs kept by ``--keep`` in ``args.judge``, under today's rules."""
    work: Path = args.judge
    a_runs = sorted((p for p in work.glob("A*") if (p / "load.json").is_file()), key=lambda p: int(p.name[1:]))
    b_runs = sorted((p for p in work.glob("B*") if (p / "load.json").is_file()), key=lambda p: int(p.name[1:]))
    pairs: list[Pair] = []
    for i, b_run in enumerate(b_runs):
        comparisons = [("A/B", a_runs[i], b_run)] + ([("A/A", a_runs[i], a_runs[i + 1])] if i + 1 < len(a_runs) else [])
        for kind, before, after in comparisons:
            verdict, why = _verdict(compare_runs(read_run(str(before), work), read_run(str(after), work)))
            pairs.append(Pair(kind, before.name, after.name, verdict, why))
    load = json.loads((a_runs[0] / "load.json").read_text(encoding="utf-8"))
    args.users, args.seconds = load.get("users"), int(load.get("run_seconds") or 0)
    baseline_ms = mean_latency_ms(a_runs[0])
    print(render(pairs, args, baseline_ms, args.base_delay_ms + round(SLOWDOWN * baseline_ms), 0.0))
    return _exit_code(pairs, args)


def _exit_code(pairs: list[Pair], args: argparse.Namespace) -> int:
    aa_ok = sum(p.verdict == "no regression" for p in pairs if p.kind == "A/A")
    ab_ok = sum(p.verdict == "regressed" for p in pairs if p.kind == "A/B")
    count = sum(p.kind == "A/B" for p in pairs)
    wanted = count - (count // 20)  # 19 of 20
    return 0 if aa_ok >= wanted and ab_ok >= wanted else 1


def render(pairs: list[Pair], args: argparse.Namespace, baseline_ms: float, slow_delay: int, minutes: float) -> str:
    lines = [
        f"Machine: {platform.machine()}, Python {platform.python_version()}, {args.users} users, "
        f"{args.seconds} s a run, A: response_delay_ms {args.base_delay_ms} (mean latency "
        f"{baseline_ms:.1f} ms), B: response_delay_ms {slow_delay} (+{slow_delay - args.base_delay_ms} ms "
        f"= {SLOWDOWN:.0%} of A's mean latency); {sum(p.kind == 'A/B' for p in pairs)} A/B and "
        f"{sum(p.kind == 'A/A' for p in pairs)} A/A pairs" + (f" in {minutes:.1f} min." if minutes else "."),
        "",
        "| pairs | expected | no regression | regressed | inconclusive | rate |",
        "| --- | --- | ---: | ---: | ---: | ---: |",
    ]
    for kind, expected in (("A/A", "no regression"), ("A/B", "regressed")):
        mine = [p for p in pairs if p.kind == kind]
        counts = {v: sum(p.verdict == v for p in mine) for v in ("no regression", "regressed", "inconclusive")}
        lines.append(
            f"| {kind} | {expected} | {counts['no regression']} | {counts['regressed']} | "
            f"{counts['inconclusive']} | **{counts[expected]} of {len(mine)}** |"
        )
    wrong = [p for p in pairs if p.verdict != ("no regression" if p.kind == "A/A" else "regressed")]
    if wrong:
        lines += ["", "Wrong verdicts:", ""]
        lines += [f"- {p.kind} `{p.before}` → `{p.after}`: {p.verdict} — {p.why}" for p in wrong]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
