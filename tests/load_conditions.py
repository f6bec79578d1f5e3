"""Load runs in the project's tests end on what they must show, not on the clock.

A 2–3 s locust run on a busy machine may end before its users sent anything (locust alone can take
longer than that to start), so a test that needs every API called waits for exactly that: it hands
:func:`seen` to ``run_load(stop_when=…)`` and gives :data:`UPPER_BOUND` as the run time, a bound
only a broken harness reaches.
"""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

#: The run time of a run that ends on a condition: how long a broken harness takes to fail the test.
UPPER_BOUND = "120s"


def request_counts(stats_csv: Path) -> dict[str, int]:
    """Requests per name in locust's ``*_stats.csv`` (``Aggregated`` included)."""
    with open(stats_csv, newline="", encoding="utf-8") as f:
        return {row["Name"]: int(row["Request Count"]) for row in csv.DictReader(f)}


def seen(*names: str, min_requests: int = 1) -> Callable[[Path], bool]:
    """True once each of ``names`` was sent at least once and all requests together number
    ``min_requests`` or more."""

    def holds(stats_csv: Path) -> bool:
        counts = request_counts(stats_csv)
        return all(counts.get(name, 0) > 0 for name in names) and counts.get("Aggregated", 0) >= min_requests

    return holds
