"""``webex-harness compare RUN_A RUN_B``: what changed between two load runs (issue 6, "Before/after").

A performance tester runs ``webex-harness load`` before and after an upgrade and attaches this
comparison to the ticket: per API (the union of both runs) the rps, p50, p95, p99 and failure
ratio before and after, the change (absolute and relative) and a verdict per threshold —
``regressed``, ``ok`` or ``improved`` — per API and overall. This module reads the runs and judges
them (:func:`compare_runs` → :class:`Comparison`); :mod:`runs.compare_report` writes the Markdown
``compare-<A>-vs-<B>.md`` and the ``.svg`` chart, :mod:`runs.junit_outputs` the JUnit file.

A run is named by its id under ``reports/``, by its folder, or by its ``load.json`` file. The
run's ``summary.json``, when present, adds its start time, target and harness version.

Thresholds (each a fraction; the command line wins, then the environment file's ``load.compare``
— read and checked with the rest of the file into :class:`~environment.model.CompareLimits` —
then :data:`DEFAULT_LIMITS`)::

    load:
      compare:
        max_rps_drop: 0.10                # rps down by more than 10 % → regressed (up by more → improved)
        max_p95_increase: 0.20            # p95 up by more than 20 % → regressed (down by more → improved)
        max_p99_increase: 0.30
        max_failure_ratio_increase: 0.01  # failure ratio up by more than 0.01 (absolute) → regressed

Rules:

- Judged rows: every API in both runs except the housekeeping rows ``"<Api> (setup)"`` and
  ``"<Api> (clean-up)"`` (what users create when they start and delete when they stop; shown, not
  judged — the same rule as the CI gates' ``"*"``), and the whole run
  (locust's Aggregated row, "all requests"). An API only in one run is shown as added/removed and
  not judged: the scenario changed, not the target.
- Latency changes are relative to ``max(before, 1 ms)``: locust records response times under
  100 ms to the millisecond, so a sub-millisecond "before" would otherwise turn noise into
  infinite increases; and a latency that moved by at most 1 ms (one step of that resolution,
  e.g. 1 → 2 ms) is "ok" whatever its percentage.
- An rps change is not judged when the API had no rps before.
- A threshold's overall verdict is ``regressed`` if any judged row regressed, else ``inconclusive``
  if a run was too short to tell, else ``improved`` if any improved, else ``ok``.
  The command exits 1 when any threshold regressed, naming each regression; 3 when nothing
  regressed but the runs are too short to tell (the Markdown says why); 2 when a run or its
  ``load.json`` cannot be read.

How sure (:mod:`runs.stats` explains the method): a change beyond its limit is a regression (or
an improvement) only when the per-second windows of ``locust_stats_history.csv`` in both run
folders confirm it — a one-sided Mann–Whitney test of the API's window rps, mean latency or failure
ratio, with p < 0.01, that the worse side beats the other moved by half the limit (the drift
margin, :data:`runs.stats.DRIFT_SHARE`); otherwise it is run-to-run noise, "ok", and listed as
such. A run without that history, with fewer than 5 steady windows or fewer than 30 requests
leaves every change beyond a limit "inconclusive", and the comparison too.
An API with fewer than 5 windows with a sample (a
rare call) is "inconclusive" itself and listed, but does not decide: the whole run's row is judged.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webex_harness.environment.model import CompareLimits
from webex_harness.runs.gates import is_housekeeping
from webex_harness.runs.stats import (
    ALPHA,
    DRIFT_SHARE,
    HISTORY_FILE,
    MIN_REQUESTS,
    MIN_WINDOWS,
    Window,
    mann_whitney_p,
    read_windows,
)

__all__ = [
    "DEFAULT_LIMITS",
    "LATENCY_FLOOR_MS",
    "METRICS",
    "THRESHOLDS",
    "TOTAL",
    "Change",
    "CompareError",
    "Comparison",
    "LoadRun",
    "Row",
    "Threshold",
    "compare_runs",
    "describe_move",
    "format_limit",
    "format_percent",
    "format_value",
    "read_run",
]

TOTAL = "Aggregated"
TOTAL_LABEL = "all requests (Aggregated)"
#: Locust's response-time resolution under 100 ms: the least "before" a latency change is relative to.
LATENCY_FLOOR_MS = 1.0
_EPSILON = 1e-9  # "more than 10 %" must not trip on 0.1 + float noise


class CompareError(RuntimeError):
    """A run that cannot be read or a bad limit; ``str()`` is one line (exit code 2)."""


DEFAULT_LIMITS = CompareLimits(
    max_rps_drop=0.10, max_p95_increase=0.20, max_p99_increase=0.30, max_failure_ratio_increase=0.01
)


@dataclass(frozen=True, slots=True)
class Threshold:
    """One verdict threshold: the :class:`~environment.model.CompareLimits` key that limits which
    ``load.json`` metric, and which way is worse."""

    key: str  # a CompareLimits field
    metric: str  # a load.json row field
    label: str  # "rps drop"
    noun: str  # "rps" in "rps of GetSessionInfo -15.0 %"
    relative: bool
    higher_is_worse: bool


THRESHOLDS = (
    Threshold("max_rps_drop", "rps", "rps drop", "rps", relative=True, higher_is_worse=False),
    Threshold("max_p95_increase", "p95_ms", "p95 increase", "p95", relative=True, higher_is_worse=True),
    Threshold("max_p99_increase", "p99_ms", "p99 increase", "p99", relative=True, higher_is_worse=True),
    Threshold(
        "max_failure_ratio_increase",
        "failure_ratio",
        "failure ratio increase",
        "failure ratio",
        relative=False,
        higher_is_worse=True,
    ),
)
#: (load.json field, heading, unit) of every metric compared, in table order.
METRICS = (
    ("rps", "Requests per second", "rps"),
    ("p50_ms", "p50 latency (ms)", "ms"),
    ("p95_ms", "p95 latency (ms)", "ms"),
    ("p99_ms", "p99 latency (ms)", "ms"),
    ("failure_ratio", "Failure ratio", ""),
)


# --------------------------------------------------------------------------------------------
# Reading runs


@dataclass(frozen=True, slots=True)
class LoadRun:
    """One side of a comparison: its ``load.json`` and, when present, its ``summary.json``."""

    run_id: str
    load_path: Path
    load: dict[str, Any]
    summary: dict[str, Any] | None = None
    #: Plateau windows per API from ``locust_stats_history.csv`` (:mod:`runs.stats`); ``None``: no history.
    windows: dict[str, list[Window]] | None = None

    @property
    def folder(self) -> Path:
        return self.load_path.parent

    def rows(self) -> dict[str, dict[str, Any]]:
        return {str(r.get("name", "")): r for r in self.load.get("apis") or []}


def read_run(ref: str, reports: Path) -> LoadRun:
    """A run named by ``ref``: a ``load.json`` file, a run folder, or a run id under ``reports``."""
    given = Path(ref)
    if given.is_file():
        load_path = given
    elif given.is_dir():
        load_path = given / "load.json"
    else:
        folder = reports / ref
        if not folder.is_dir():
            raise CompareError(f"no run {ref!r}: neither a file, a folder nor a run in {reports} ({folder})")
        load_path = folder / "load.json"
    if not load_path.is_file():
        raise CompareError(f"{load_path}: no load.json (was it a load run?)")
    try:
        load = json.loads(load_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CompareError(f"{load_path}: cannot read: {exc}") from None
    except ValueError as exc:
        raise CompareError(f"{load_path}: not valid JSON: {exc}") from None
    if (
        not isinstance(load, dict)
        or not isinstance(load.get("apis"), list)
        or not all(isinstance(r, dict) and "name" in r for r in load["apis"])
    ):
        raise CompareError(f"{load_path}: not a load.json (expected an 'apis' list of rows with a 'name')")
    summary = None
    summary_path = load_path.parent / "summary.json"
    if summary_path.is_file():
        try:
            summary = json.loads(summary_path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            summary = None  # the comparison does not need it
    run_id = str((summary or {}).get("run_id") or load_path.parent.name)
    if not isinstance(summary, dict):
        summary = None
    return LoadRun(
        run_id=run_id, load_path=load_path, load=load, summary=summary, windows=read_windows(load_path.parent)
    )


# --------------------------------------------------------------------------------------------
# Comparing


@dataclass(frozen=True, slots=True)
class Change:
    """One metric of one row: before, after, and the change the verdict uses."""

    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        return None if self.before is None or self.after is None else self.after - self.before

    def relative(self, metric: str) -> float | None:
        """The change as a fraction of ``before`` (latency: of ``max(before, 1 ms)``)."""
        if self.delta is None or self.before is None:
            return None
        base = max(self.before, LATENCY_FLOOR_MS) if metric.endswith("_ms") else self.before
        return self.delta / base if base > 0 else None


@dataclass(slots=True)
class Row:
    """One API (or the whole run) in both runs."""

    name: str
    status: str  # "both" | "added" | "removed" | "total"
    judged: bool
    changes: dict[str, Change]
    verdicts: dict[str, str] = field(default_factory=dict)  # threshold key → regressed/ok/improved/n/a
    #: threshold key → why a change beyond the limit was kept, dismissed as noise or left open.
    evidence: dict[str, str] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return TOTAL_LABEL if self.status == "total" else self.name


@dataclass(slots=True)
class Comparison:
    before: LoadRun
    after: LoadRun
    limits: CompareLimits
    rows: list[Row]
    overall: dict[str, str]  # threshold key → regressed/inconclusive/improved/ok
    regressions: list[str]
    improvements: list[str]
    #: Why the comparison cannot tell (a run too short or without a history); empty when it can.
    inconclusive_reasons: list[str] = field(default_factory=list)
    #: Changes beyond a limit that the window samples did not confirm (run-to-run noise).
    within_noise: list[str] = field(default_factory=list)
    #: Changes beyond a limit of APIs too rare to test (row verdict "inconclusive"; not counted).
    too_few_samples: list[str] = field(default_factory=list)

    @property
    def regressed(self) -> bool:
        return bool(self.regressions)

    @property
    def inconclusive(self) -> bool:
        """No regression shown, but the runs are too short to say there is none."""
        return not self.regressed and "inconclusive" in self.overall.values()

    @property
    def stem(self) -> str:
        return f"compare-{_safe(self.before.run_id)}-vs-{_safe(self.after.run_id)}"


def _safe(run_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", run_id).strip("_") or "run"


def _value(row: Mapping[str, Any] | None, metric: str) -> float | None:
    if row is None:
        return None
    value = row.get(metric)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _judge(threshold: Threshold, change: Change, limit: float) -> str:
    moved = change.relative(threshold.metric) if threshold.relative else change.delta
    if moved is None:
        return "n/a"
    worse = moved if threshold.higher_is_worse else -moved
    if (
        threshold.metric.endswith("_ms")
        and change.delta is not None
        and abs(change.delta) <= LATENCY_FLOOR_MS + _EPSILON
    ):
        return "ok"  # one step of locust's resolution (1 → 2 ms) is noise, not a change
    if worse > limit + _EPSILON:
        return "regressed"
    if -worse > limit + _EPSILON:
        return "improved"
    return "ok"


def _samples(run: LoadRun, name: str, metric: str) -> list[float]:
    """The per-window values of ``metric`` for API ``name`` (rps; mean latency for p95/p99; failure ratio)."""
    windows = (run.windows or {}).get(name, [])
    if metric == "rps":
        return [w.rps for w in windows]
    values = [w.failure_ratio if metric == "failure_ratio" else w.mean_ms for w in windows]
    return [v for v in values if v is not None]


def _run_too_short(run: LoadRun) -> str | None:
    """Why ``run`` cannot back any verdict, or ``None``."""
    if run.windows is None:
        return (
            f"run `{run.run_id}` has no per-second history ({HISTORY_FILE}): nothing to measure its noise by "
            "(re-run it with this version)"
        )
    count = len(run.windows.get(TOTAL, []))
    if count < MIN_WINDOWS:
        return (
            f"run `{run.run_id}` has {count} one-second window(s) at a steady user count; at least "
            f"{MIN_WINDOWS} are needed: run longer"
        )
    requests = _value(run.load.get("total"), "requests") or 0.0
    if requests < MIN_REQUESTS:
        return f"run `{run.run_id}` made {requests:g} request(s); at least {MIN_REQUESTS} are needed: run longer"
    return None


def _confirm(
    threshold: Threshold, row: Row, point: str, before: LoadRun, after: LoadRun, too_short: list[str], limit: float
) -> tuple[str, str]:
    """The verdict of a change ``point`` says is beyond the limit, and the evidence for it.

    ``regressed``/``improved`` stand only when the windows of both runs move the same way with
    p < :data:`ALPHA` (:func:`runs.stats.mann_whitney_p`); fewer than :data:`MIN_WINDOWS` windows
    with a sample on either side → ``inconclusive``.
    """
    if too_short:
        return "inconclusive", "; ".join(too_short)
    name = TOTAL if row.status == "total" else row.name
    a, b = _samples(before, name, threshold.metric), _samples(after, name, threshold.metric)
    if min(len(a), len(b)) < MIN_WINDOWS:
        return "inconclusive", (
            f"{len(a)} and {len(b)} one-second window(s) with a sample; at least {MIN_WINDOWS} a run are needed"
        )
    after_higher = threshold.higher_is_worse == (point == "regressed")  # the way the point change went
    lower, higher = (a, b) if after_higher else (b, a)
    # The higher side must beat the lower one moved by the drift margin (runs.stats: DRIFT_SHARE).
    margin = limit * DRIFT_SHARE
    lower = [x * (1 + margin) if threshold.relative else x + margin for x in lower]
    p = mann_whitney_p(lower, higher)
    measure = "mean latency" if threshold.metric.endswith("_ms") else threshold.noun
    shown = f"{margin * 100:g} %" if threshold.relative else f"{margin:g}"
    where = f"{len(a)} vs {len(b)} one-second windows of {measure}, drift margin {shown}"
    if p < ALPHA:
        return point, f"beyond the noise: p = {p:.2g} < {ALPHA:g} ({where})"
    return "ok", f"within the run-to-run noise: p = {p:.2g} ≥ {ALPHA:g} ({where})"


def format_percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value * 100:+.1f} %"


def format_value(value: float | None, metric: str = "") -> str:
    if value is None:
        return "—"
    if metric == "failure_ratio":
        return f"{value:.4g}"
    if metric == "rps":
        return f"{value:.2f}" if abs(value) < 100 else f"{value:,.1f}"
    return f"{value:g}"


def format_limit(threshold: Threshold, limit: float) -> str:
    sign = "+" if threshold.higher_is_worse else "-"
    return f"{sign}{limit:g}" if not threshold.relative else f"{sign}{limit * 100:g} %"


def describe_move(threshold: Threshold, row: Row, limit: float) -> str:
    change = row.changes[threshold.metric]
    unit = {"rps": " rps", "p95_ms": " ms", "p99_ms": " ms"}.get(threshold.metric, "")
    moved = format_percent(change.relative(threshold.metric)) if threshold.relative else f"{change.delta:+.4g}"
    return (
        f"{threshold.noun} of {row.label} {moved} ({format_value(change.before, threshold.metric)} → "
        f"{format_value(change.after, threshold.metric)}{unit}; limit {format_limit(threshold, limit)})"
    )


def compare_runs(before: LoadRun, after: LoadRun, limits: CompareLimits = DEFAULT_LIMITS) -> Comparison:
    """Compare two runs under ``limits`` (unset limits take :data:`DEFAULT_LIMITS`)."""
    limits = limits.over(DEFAULT_LIMITS)
    rows_a, rows_b = before.rows(), after.rows()
    rows: list[Row] = []
    for name in sorted(set(rows_a) | set(rows_b)):
        a, b = rows_a.get(name), rows_b.get(name)
        status = "both" if a is not None and b is not None else ("added" if a is None else "removed")
        changes = {m: Change(_value(a, m), _value(b, m)) for m, _, _ in METRICS}
        rows.append(Row(name, status, judged=status == "both" and not is_housekeeping(name), changes=changes))
    total_a, total_b = before.load.get("total"), after.load.get("total")
    rows.append(
        Row(
            TOTAL,
            "total",
            judged=True,
            changes={m: Change(_value(total_a, m), _value(total_b, m)) for m, _, _ in METRICS},
        )
    )

    overall: dict[str, str] = {}
    regressions: list[str] = []
    improvements: list[str] = []
    within_noise: list[str] = []
    too_few: list[str] = []
    too_short = [reason for reason in (_run_too_short(before), _run_too_short(after)) if reason]
    for threshold in THRESHOLDS:
        limit = float(getattr(limits, threshold.key))
        found: set[str] = set()
        for row in rows:
            if not row.judged:
                row.verdicts[threshold.key] = row.status if row.status in ("added", "removed") else "not judged"
                continue
            point = _judge(threshold, row.changes[threshold.metric], limit)
            verdict = point
            if point in ("regressed", "improved"):
                verdict, row.evidence[threshold.key] = _confirm(threshold, row, point, before, after, too_short, limit)
            row.verdicts[threshold.key] = verdict
            found.add(verdict)
            move = describe_move(threshold, row, limit) if point in ("regressed", "improved") else ""
            if verdict == "regressed":
                regressions.append(move)
            elif verdict == "improved":
                improvements.append(move)
            elif verdict == "inconclusive":
                if not too_short:  # the run-level reasons are listed once, as the verdict's
                    too_few.append(f"{move}: {row.evidence[threshold.key]}")
            elif point != verdict:
                within_noise.append(f"{move}: {row.evidence[threshold.key]}")
        # An API too rare to test does not decide: the whole run's row is judged too. Runs too short do.
        overall[threshold.key] = (
            "regressed"
            if "regressed" in found
            else "inconclusive"
            if too_short
            else "improved"
            if "improved" in found
            else "ok"
        )
    return Comparison(
        before,
        after,
        limits,
        rows,
        overall,
        regressions,
        improvements,
        inconclusive_reasons=too_short,
        within_noise=within_noise,
        too_few_samples=too_few,
    )
