"""Run-to-run noise for ``webex-harness compare``: per-window samples of a load run and a rank test.

Why windows. One p95 per API per run cannot tell a change from noise: two runs of the same target
one after the other moved GetSessionInfo's p95 from 10 to 16 ms. The noise has to be measured inside
each run, from samples. locust does not keep its per-request times, but the load run asks it for
``--csv-full-history``: ``locust_stats_history.csv`` then holds, once a second, a row per API (and
the ``Aggregated`` row) with the *cumulative* ``Total Request Count``, ``Total Failure Count`` and
``Total Average Response Time`` (an exact float: locust sums the measured times, it does not round
them). Two consecutive rows give one **window** exactly::

    requests  = N₂ − N₁
    failures  = F₂ − F₁
    mean (ms) = (N₂·A₂ − N₁·A₁) / (N₂ − N₁)

(The history's own percentile and ``Requests/s`` columns are not used: locust computes them over a
sliding 10–12 s span, so neighbouring rows share most of their requests.) Windows do not overlap,
so a 15 s run gives about a dozen nearly independent samples per API: its rps, its mean latency and
its failure fraction, one each per second. Only windows inside a plateau of the user count are kept
(the same count at both ends and more than none): spawning and stopping are not the target's speed.

Why a rank test. Window values are few (10–20 per run), not normal (latency is skewed; a busy
machine adds outliers) and the two runs' variances differ. The one-sided **Mann–Whitney U test**
(:func:`mann_whitney_p`) makes none of those assumptions: it asks whether a window of the "after"
run tends to be worse than one of the "before" run, more than the windows of one run differ among
themselves. It uses the normal approximation of U with the correction for ties and for continuity;
with at least :data:`MIN_WINDOWS` windows a side its smallest p-value (≈ 0.005 for 5 against 5) is
already below :data:`ALPHA`. A bootstrap interval of the ratio of means was the alternative: on a
dozen windows its interval is too optimistic (the bootstrap under-covers on small samples), and it
needs a seed for a verdict that must not depend on one.

The rule (:mod:`runs.compare` applies it per API and threshold): a change is ``regressed``
only when the point change — p95, p99, rps or failure ratio of the whole run, from ``locust_stats.csv``
— is beyond its limit **and** the window samples of that API move the same way, by more than the
drift margin below, with p < :data:`ALPHA` (p95 and p99 are judged on the windows' mean latency,
the only latency locust's history gives per window: a tail that moved alone, with the mean flat,
is called noise — a known blind spot).
A change beyond the limit that the windows do not confirm is ``ok`` (within noise). It
is ``inconclusive`` when there are too few samples to tell: a run with fewer than
:data:`MIN_WINDOWS` plateau windows or :data:`MIN_REQUESTS` requests makes the whole comparison
inconclusive; an API with fewer than :data:`MIN_WINDOWS` windows that have a sample is inconclusive
itself but does not decide (a rare call always crosses some limit by chance; the rank test on its
few windows, not a request count, says whether that is noise).

Between-run noise that no single run sees (the machine got busier between the two runs, by 5–15 %
on this project's shared 2-core machines) makes the windows of two runs of the same target differ
"significantly" although nothing changed: ``bench/compare_rates.py`` saw it call an A/A pair
regressed. So the test is against a **drift margin**: the worse side must beat the other one moved
by :data:`DRIFT_SHARE` of the limit (latency and rps: windows × (1 + ½ limit); failure ratio: + ½
limit) — for the default p95 limit of 20 %, the windows must show more than 10 % beyond the noise.
The margin is an engineering choice measured by that bench (docs/performance.md), not a theorem.
"""

from __future__ import annotations

import csv
import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ALPHA",
    "DRIFT_SHARE",
    "HISTORY_FILE",
    "MIN_REQUESTS",
    "MIN_WINDOWS",
    "Window",
    "mann_whitney_p",
    "read_windows",
    "windows_from_rows",
]

#: locust's per-second history, next to ``load.json`` (written with ``--csv-full-history``).
HISTORY_FILE = "locust_stats_history.csv"
#: One-sided significance level of the rank test: a regression must have p below it.
ALPHA = 0.01
#: Plateau windows a run (and windows with a sample an API) needs for a verdict beyond a limit.
MIN_WINDOWS = 5
#: Requests a run needs for any verdict beyond a limit (else the comparison is "inconclusive").
MIN_REQUESTS = 30
#: Share of a limit the windows must show beyond the noise (between-run drift no run sees by itself).
DRIFT_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Window:
    """One history interval of one API: what happened between two consecutive rows."""

    seconds: float
    requests: int
    failures: int
    latency_sum_ms: float

    @property
    def rps(self) -> float:
        return self.requests / self.seconds

    @property
    def mean_ms(self) -> float | None:
        return self.latency_sum_ms / self.requests if self.requests > 0 else None

    @property
    def failure_ratio(self) -> float | None:
        return self.failures / self.requests if self.requests > 0 else None


@dataclass(frozen=True, slots=True)
class _Point:
    timestamp: int
    users: int
    requests: int
    failures: int
    average_ms: float


def _int(text: str | None) -> int | None:
    try:
        return int(float(text or ""))
    except ValueError:
        return None


def _float(text: str | None) -> float | None:
    try:
        value = float(text or "")
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def windows_from_rows(rows: Sequence[dict[str, str]]) -> dict[str, list[Window]]:
    """Plateau windows per name (``"Aggregated"`` included) from the rows of a history CSV."""
    points: dict[str, dict[int, _Point]] = {}
    for row in rows:
        timestamp, users = _int(row.get("Timestamp")), _int(row.get("User Count"))
        requests, failures = _int(row.get("Total Request Count")), _int(row.get("Total Failure Count"))
        average = _float(row.get("Total Average Response Time"))
        name = row.get("Name")
        if None in (timestamp, users, requests, failures, average) or not name:
            continue  # a torn last line or a header repeated by a restarted writer
        assert timestamp is not None and users is not None and requests is not None and failures is not None
        assert average is not None
        # Several rows in one second: the last one counts (its totals include the earlier ones).
        points.setdefault(name, {})[timestamp] = _Point(timestamp, users, requests, failures, average)
    out: dict[str, list[Window]] = {}
    for name, by_time in points.items():
        series = [by_time[t] for t in sorted(by_time)]
        windows: list[Window] = []
        for first, second in itertools.pairwise(series):
            if first.users != second.users or second.users <= 0:
                continue  # spawning, stopping or idle: not the target's steady speed
            requests = second.requests - first.requests
            failures = second.failures - first.failures
            if requests < 0 or failures < 0:
                continue  # a reset of locust's statistics
            latency = second.requests * second.average_ms - first.requests * first.average_ms
            windows.append(
                Window(
                    float(second.timestamp - first.timestamp),
                    requests,
                    failures,
                    max(latency, 0.0) if requests else 0.0,
                )
            )
        out[name] = windows
    return out


def read_windows(folder: Path) -> dict[str, list[Window]] | None:
    """The plateau windows of the run in ``folder``; ``None`` when it has no readable history."""
    path = folder / HISTORY_FILE
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error):
        return None
    return windows_from_rows(rows)


def _ranks(values: Sequence[float]) -> tuple[list[float], float]:
    """Mid-ranks (1-based) of ``values`` and the tie term Σ(t³ − t) over groups of equal values."""
    order = sorted(range(len(values)), key=values.__getitem__)
    ranks = [0.0] * len(values)
    ties = 0.0
    i = 0
    while i < len(order):
        j = i
        while j + 1 < len(order) and values[order[j + 1]] == values[order[i]]:
            j += 1
        for k in range(i, j + 1):
            ranks[order[k]] = (i + j) / 2 + 1
        size = j - i + 1
        ties += size**3 - size
        i = j + 1
    return ranks, ties


def mann_whitney_p(before: Sequence[float], after: Sequence[float]) -> float:
    """One-sided p-value that values of ``after`` tend to be **greater** than those of ``before``.

    Normal approximation of the Mann–Whitney U statistic with tie and continuity corrections.
    1.0 when either sample is empty or every value is equal (no evidence of any shift).
    """
    n1, n2 = len(before), len(after)
    if n1 == 0 or n2 == 0:
        return 1.0
    ranks, ties = _ranks([*before, *after])
    n = n1 + n2
    u_after = sum(ranks[n1:]) - n2 * (n2 + 1) / 2
    mean = n1 * n2 / 2
    variance = n1 * n2 / 12 * ((n + 1) - ties / (n * (n - 1)))
    if variance <= 0:
        return 1.0
    z = (u_after - mean - 0.5) / math.sqrt(variance)
    return 0.5 * math.erfc(z / math.sqrt(2))
