"""Benchmark the generators: envelopes per second, per API, valid and edge cases, on one core.

    python bench/generators.py                # table for every API
    python bench/generators.py --markdown     # the same as a Markdown table (docs/performance.md)
    python bench/generators.py --apis CreateMeeting,GetSite --rounds 7

Each figure is the median of ``--rounds`` rounds. A valid round generates ``--count`` envelopes
with seeds 0…count-1; an edge round generates every edge case of ``--edge-count`` seeds. The
process is pinned to one CPU (``os.sched_setaffinity``) where the platform allows it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

_HERE = Path(__file__).resolve().parent


def _import_generators() -> ModuleType:
    """Import the ``generators`` package, not this file (``python bench/generators.py`` puts
    ``bench/`` first on ``sys.path``, where this module would shadow the package)."""
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != _HERE]
    sys.path.insert(0, str(_HERE.parent))
    return importlib.import_module("webex_harness.generators")


def pin_to_one_core() -> str:
    """Pin the process to the first CPU it may use; say what happened."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity on this platform)"
    cpus = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cpus[0]})
    return f"pinned to CPU {cpus[0]}"


def _median_rate(work: Callable[[], int], rounds: int) -> float:
    """Median items per second over ``rounds`` runs of ``work`` (which returns its item count)."""
    rates = []
    for _ in range(rounds):
        start = time.perf_counter()
        items = work()
        rates.append(items / (time.perf_counter() - start))
    return statistics.median(rates)


def measure(gen: ModuleType, name: str, count: int, edge_count: int, rounds: int) -> dict[str, float | int | str]:
    def valid() -> int:
        for seed in range(count):
            gen.valid_envelope(name, seed)
        return count

    def edges() -> int:
        total = 0
        for seed in range(edge_count):
            total += len(gen.edge_cases(name, seed))
        return total

    valid()  # warm up (catalogue, Faker, lxml)
    valid_rate = _median_rate(valid, rounds)
    edge_rate = _median_rate(edges, rounds)
    return {
        "api": name,
        "valid_per_s": valid_rate,
        "valid_us": 1e6 / valid_rate,
        "edge_per_s": edge_rate,
        "edge_us": 1e6 / edge_rate,
        "edge_cases": len(gen.edge_cases(name, 0)),
    }


def _text_table(rows: list[dict[str, float | int | str]]) -> str:
    head = f"{'API':<38} {'valid/s':>9} {'µs/valid':>9} {'edge/s':>9} {'µs/edge':>9} {'cases':>6}"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(
            f"{r['api']:<38} {r['valid_per_s']:>9.0f} {r['valid_us']:>9.1f} {r['edge_per_s']:>9.0f} "
            f"{r['edge_us']:>9.1f} {r['edge_cases']:>6}"
        )
    return "\n".join(lines)


def _markdown_table(rows: list[dict[str, float | int | str]]) -> str:
    lines = [
        "| API | valid envelopes/s | µs per valid envelope | edge envelopes/s | µs per edge envelope | edge cases |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in rows:
        lines.append(
            f"| {r['api']} | {r['valid_per_s']:.0f} | {r['valid_us']:.1f} | {r['edge_per_s']:.0f} | "
            f"{r['edge_us']:.1f} | {r['edge_cases']} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds per figure; the median is shown (default 5)")
    parser.add_argument("--count", type=int, default=200, help="valid envelopes per round (default 200)")
    parser.add_argument("--edge-count", type=int, default=5, help="seeds of edge cases per round (default 5)")
    parser.add_argument("--apis", default="", help="comma-separated API names (default: every API)")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--no-pin", action="store_true", help="do not pin the process to one CPU")
    args = parser.parse_args(argv)

    gen = _import_generators()
    pinned = "not pinned (--no-pin)" if args.no_pin else pin_to_one_core()
    names = [n.strip() for n in args.apis.split(",") if n.strip()] or gen.xml_api_names()
    names = [gen.api(n).name for n in names]
    rows = [measure(gen, n, args.count, args.edge_count, args.rounds) for n in names]

    total_valid = statistics.median([float(r["valid_per_s"]) for r in rows])
    context = (
        f"Python {platform.python_version()} on {platform.machine()} ({platform.system()}), {pinned}; "
        f"median of {args.rounds} rounds ({args.count} valid envelopes, {args.edge_count} seeds of edge cases each)."
    )
    if args.markdown:
        print(context)
        print()
        print(_markdown_table(rows))
    else:
        print(context)
        print(_text_table(rows))
    print()
    print(f"Median over APIs: {total_valid:.0f} valid envelopes/s.")
    create = [r for r in rows if r["api"] == "CreateMeeting"]
    if not create and "CreateMeeting" not in names:
        create = [measure(gen, "CreateMeeting", args.count, args.edge_count, args.rounds)]
    if create:
        print(f"CreateMeeting valid: median {float(create[0]['valid_us']):.1f} µs per envelope.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
