"""Reading locust's CSV files into the per-API part of ``load.json`` (:func:`summarise`).

``locust_stats.csv`` gives a row per request name and the ``Aggregated`` row; ``locust_failures.csv``
the failures grouped by name and message. :func:`summarise` turns them into::

    {"apis": [{"name": "CreateMeeting", "requests": 120, "failures": 0, "failure_ratio": 0.0,
               "rps": 6.0, "p50_ms": 3.0, "p95_ms": 7.0, "p99_ms": 12.0}, ...],
     "total": {... the same fields for the Aggregated row, "name": "Aggregated"},
     "failures": [{"name": "CreateMeeting", "error": "FAILURE 060016 ...", "occurrences": 3}]}

which :func:`load.runner.run_load` completes with the run's parameters. No locust import; stands on
the standard library alone.
"""

from __future__ import annotations

import ast
import csv
import re
from pathlib import Path
from typing import Any

__all__ = ["summarise"]

_CATCH_RESPONSE_RE = re.compile(r"^CatchResponseError\((?P<text>(?P<q>['\"]).*(?P=q))\)$", re.DOTALL)


def _number(row: dict[str, str], *columns: str) -> float | None:
    """The first column that holds a number (locust writes ``N/A`` for empty percentiles)."""
    for column in columns:
        raw = (row.get(column) or "").strip()
        if not raw:
            continue
        try:
            return float(raw)
        except ValueError:
            continue
    return None


def _api_row(row: dict[str, str]) -> dict[str, Any]:
    requests = int(_number(row, "Request Count") or 0)
    failures = int(_number(row, "Failure Count") or 0)
    return {
        "name": row.get("Name", ""),
        "requests": requests,
        "failures": failures,
        "failure_ratio": round(failures / requests, 6) if requests else 0.0,
        "rps": round(_number(row, "Requests/s") or 0.0, 3),
        "p50_ms": _number(row, "50%", "Median Response Time"),
        "p95_ms": _number(row, "95%"),
        "p99_ms": _number(row, "99%"),
    }


def _failure_text(error: str) -> str:
    """locust stores ``response.failure(msg)`` as ``CatchResponseError('msg')``: keep ``msg``."""
    match = _CATCH_RESPONSE_RE.match(error.strip())
    if match is None:
        return error
    try:
        text = ast.literal_eval(match.group("text"))
    except (ValueError, SyntaxError):
        return error
    return text if isinstance(text, str) else error


def summarise(stats_csv: Path, failures_csv: Path | None = None) -> dict[str, Any]:
    """``{"apis": [...], "total": {...}, "failures": [...]}`` from locust's CSV files."""
    with open(stats_csv, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    apis: list[dict[str, Any]] = []
    total: dict[str, Any] | None = None
    for row in rows:
        if row.get("Name") == "Aggregated" and not (row.get("Type") or "").strip():
            total = _api_row(row)
        else:
            apis.append(_api_row(row))
    if total is None:
        total = _api_row({"Name": "Aggregated"})
    failures: list[dict[str, Any]] = []
    if failures_csv is not None and failures_csv.is_file():
        with open(failures_csv, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                failures.append(
                    {
                        "name": row.get("Name", ""),
                        "error": _failure_text(row.get("Error", "")),
                        "occurrences": int(_number(row, "Occurrences") or 0),
                    }
                )
    return {"apis": sorted(apis, key=lambda r: str(r["name"])), "total": total, "failures": failures}
