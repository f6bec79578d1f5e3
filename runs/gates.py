"""CI gates on a load run: thresholds from the environment file or the command line (issue 6).

A QA engineer gates a pipeline on ``webex-harness load``: when a run breaches a threshold the
command exits 1 and names every breach. Thresholds come from the environment file's
``load.thresholds`` section::

    load:
      thresholds:
        failure_ratio: 0.01                         # failures / requests of the whole run, at most
        p95_ms: {GetSessionInfo: 500, "*": 2000}    # or one number: the same limit for every API
        min_rps: 5                                  # requests per second of the whole run, at least
        # min_rps: {GetSessionInfo: 3, "*": 1}      # ... or per API

and from the command line, which overrides the file key by key::

    --max-failure-ratio 0.01
    --max-p95 500                 # "*": every API without its own entry
    --max-p95 GetSessionInfo=300  # one API (repeatable)
    --min-rps 5                   # the whole run
    --min-rps GetSessionInfo=3    # one API (repeatable; "*=1" for every API)

Rules (decided here, documented in the README):

- The failure ratio is the Aggregated row's (every request of the run, clean-up included).
- ``"*"`` covers every API row without its own entry, except the housekeeping rows
  ``"<Api> (setup)"`` and ``"<Api> (clean-up)"`` (interface 4 of issue 6): what users create when
  they start and delete when they stop is not the load being measured (and a handful of setup
  requests make a noisy p95). A housekeeping row named explicitly is gated like any other.
- An API named in ``p95_ms`` or ``min_rps`` that made no requests breaches with "no requests": a
  gate that cannot be checked must not pass silently (this also catches a misspelt API name).
  A ``"*"`` gate on a run without any API row breaches the same way.
- Latency limits are inclusive (``p95 <= limit`` passes), so are rate limits (``rps >= limit``).

The file's section is read and checked with the rest of the file by :mod:`environment.loader`
(:func:`environment.load_section.parse_thresholds`) into :class:`~environment.model.Thresholds`;
this module reads the options (a bad one is a :class:`GateOptionError`, one line naming the option)
and evaluates the gates.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from webex_harness.environment.model import ALL_APIS, Thresholds, plain_number

__all__ = [
    "HOUSEKEEPING_SUFFIXES",
    "GateOptionError",
    "GateResult",
    "breaches",
    "evaluate",
    "is_housekeeping",
    "thresholds_from_options",
]

#: Suffixes of the request names of what a locust user does when it starts and stops (interface 4
#: of issue 6; load/xml_user.py).
HOUSEKEEPING_SUFFIXES = (" (setup)", " (clean-up)")


class GateOptionError(ValueError):
    """A bad gate option on the command line; ``str()`` is one line naming the option."""


def is_housekeeping(name: str) -> bool:
    """Whether a load.json row is a scenario's setup or clean-up (``"CreateMeeting (setup)"``,
    ``"DelMeeting (clean-up)"``), not the load being measured."""
    return name.endswith(HOUSEKEEPING_SUFFIXES)


@dataclass(frozen=True, slots=True)
class GateResult:
    """One checked gate. ``api`` is ``None`` for a whole-run gate; ``observed`` is ``None`` when
    the API made no requests."""

    name: str  # "failure_ratio" | "p95_ms" | "min_rps"
    api: str | None
    limit: float
    observed: float | None
    passed: bool
    message: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "api": self.api,
            "limit": self.limit,
            "observed": self.observed,
            "passed": self.passed,
            "message": self.message,
        }


_MS = "a number of milliseconds"
_RPS = "a number of requests per second"
_RATIO = "a ratio between 0 and 1"


# --------------------------------------------------------------------------------------------
# The command line


def _option_number(option: str, raw: str, text: str, what: str, *, at_most: float | None = None) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0 or (at_most is not None and value > at_most):
        raise GateOptionError(f"{option} {raw!r}: expected {what}, got {text!r}")
    return value


def _split_api(option: str, raw: str) -> tuple[str | None, str]:
    """``"GetSessionInfo=500"`` → ``("GetSessionInfo", "500")``; ``"500"`` → ``(None, "500")``.

    The value follows the last ``=`` so an API name may hold one.
    """
    api, sep, value = raw.rpartition("=")
    if not sep:
        return None, raw.strip()
    if not api.strip():
        raise GateOptionError(f"{option} {raw!r}: an empty API name (write {option} API=VALUE or {option} VALUE)")
    return api.strip(), value.strip()


def thresholds_from_options(
    max_failure_ratio: str | float | None = None,
    max_p95: Iterable[str] | None = None,
    min_rps: Iterable[str] | None = None,
) -> Thresholds:
    """The gates of ``--max-failure-ratio X``, ``--max-p95 [API=]MS`` and ``--min-rps [API=]RPS``.

    ``--max-p95 MS`` without an API is the ``"*"`` limit; ``--min-rps RPS`` without an API is the
    whole run's. A later option for the same key wins.
    """
    failure_ratio = None
    if max_failure_ratio is not None:
        failure_ratio = _option_number(
            "--max-failure-ratio", str(max_failure_ratio), str(max_failure_ratio).strip(), _RATIO, at_most=1.0
        )
    p95_ms: dict[str, float] = {}
    for raw in max_p95 or []:
        api, value = _split_api("--max-p95", raw)
        p95_ms[api or ALL_APIS] = _option_number("--max-p95", raw, value, _MS)
    per_api: dict[str, float] = {}
    total = None
    for raw in min_rps or []:
        api, value = _split_api("--min-rps", raw)
        rate = _option_number("--min-rps", raw, value, _RPS)
        if api is None:
            total = rate
        else:
            per_api[api] = rate
    return Thresholds(failure_ratio=failure_ratio, p95_ms=p95_ms, min_rps=per_api, min_total_rps=total)


# --------------------------------------------------------------------------------------------
# Evaluation


def _rows(load: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    return {str(row.get("name", "")): row for row in load.get("apis") or []}


def _covered(rows: Mapping[str, Mapping[str, Any]], limits: Mapping[str, float]) -> list[tuple[str, float]]:
    """``(api, limit)`` pairs: the named APIs, then every other non-clean-up row under ``"*"``."""
    pairs = [(api, limit) for api, limit in limits.items() if api != ALL_APIS]
    return pairs + [(name, limits[ALL_APIS]) for name in _star_rows(rows, limits)]


def _star_rows(rows: Mapping[str, Mapping[str, Any]], limits: Mapping[str, float]) -> list[str]:
    """The rows ``"*"`` covers: every API without its own entry, housekeeping rows excepted."""
    if ALL_APIS not in limits:
        return []
    return [name for name in sorted(rows) if name not in limits and not is_housekeeping(name)]


def _no_requests(rows: Mapping[str, Mapping[str, Any]], api: str) -> bool:
    row = rows.get(api)
    return row is None or not row.get("requests")


def _p95(row: Mapping[str, Any]) -> float | None:
    value = row.get("p95_ms")
    return None if value is None else float(value)


def _rps(row: Mapping[str, Any]) -> float:
    return float(row.get("rps") or 0.0)


@dataclass(frozen=True, slots=True)
class _PerApiGate:
    """One kind of per-API limit: ``p95_ms`` (at most) or ``min_rps`` (at least)."""

    name: str  # the GateResult name: "p95_ms" | "min_rps"
    label: str  # "p95" | "rps", as the messages say it
    unit: str  # " ms" | ""
    at_most: bool  # the observed value must be <= the limit (else >=)
    observe: Callable[[Mapping[str, Any]], float | None]  # the row's value; None: no value (no requests)

    def check(self, api: str, limit: float, observed: float) -> GateResult:
        ok = observed <= limit if self.at_most else observed >= limit
        sign = ("<=" if ok else ">") if self.at_most else (">=" if ok else "<")
        message = f"{self.label} of {api} {plain_number(observed)}{self.unit} {sign} {plain_number(limit)}{self.unit}"
        return GateResult(self.name, api, limit, observed, ok, message)


_P95_GATE = _PerApiGate("p95_ms", "p95", " ms", at_most=True, observe=_p95)
_RPS_GATE = _PerApiGate("min_rps", "rps", "", at_most=False, observe=_rps)


def _per_api(rows: Mapping[str, Mapping[str, Any]], limits: Mapping[str, float], gate: _PerApiGate) -> list[GateResult]:
    """Every API limit of one kind checked over the rows: the APIs named, then each row ``"*"`` covers;
    an API without requests (or a ``"*"`` that covers no row) breaches with "no requests"."""
    results: list[GateResult] = []
    if ALL_APIS in limits and not _star_rows(rows, limits):
        results.append(
            GateResult(gate.name, ALL_APIS, limits[ALL_APIS], None, False, f"{gate.label} of every API: no requests")
        )
    for api, limit in _covered(rows, limits):
        observed = None if _no_requests(rows, api) else gate.observe(rows[api])
        if observed is None:
            results.append(GateResult(gate.name, api, limit, None, False, f"{gate.label} of {api}: no requests"))
        else:
            results.append(gate.check(api, limit, observed))
    return results


def evaluate(load: Mapping[str, Any], thresholds: Thresholds) -> list[GateResult]:
    """Check every gate of ``thresholds`` against a ``load.json`` record, in a stable order:
    failure ratio, p95 per API, total rps, rps per API."""
    rows = _rows(load)
    total = load.get("total") or {}
    results: list[GateResult] = []

    if thresholds.failure_ratio is not None:
        limit = thresholds.failure_ratio
        requests = int(total.get("requests") or 0)
        failures = int(total.get("failures") or 0)
        observed = float(total.get("failure_ratio") or (failures / requests if requests else 0.0))
        ok = observed <= limit
        message = (
            f"failure ratio {plain_number(round(observed, 6))} {'<=' if ok else '>'} {plain_number(limit)} "
            f"({failures} of {requests} requests failed)"
        )
        results.append(GateResult("failure_ratio", None, limit, observed, ok, message))

    results += _per_api(rows, thresholds.p95_ms, _P95_GATE)

    if thresholds.min_total_rps is not None:
        limit = thresholds.min_total_rps
        observed = float(total.get("rps") or 0.0)
        ok = observed >= limit
        message = f"rps of all requests {plain_number(observed)} {'>=' if ok else '<'} {plain_number(limit)}"
        results.append(GateResult("min_rps", None, limit, observed, ok, message))

    results += _per_api(rows, thresholds.min_rps, _RPS_GATE)
    return results


def breaches(results: Iterable[GateResult]) -> list[str]:
    """The messages of the gates that failed."""
    return [r.message for r in results if not r.passed]
