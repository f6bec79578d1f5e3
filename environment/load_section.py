"""The checks of an environment file's ``load:`` section, read into :class:`~environment.model.LoadSettings`.

:mod:`environment.loader` hands this module the section (placeholders already resolved); every
problem is an :class:`~environment.errors.EnvironmentFileError` naming the file and the dotted key,
raised while the file is loaded — before any run starts::

    load:
      mix:            # relative weights of the scenarios (locust user classes); omitted → DEFAULT_MIX
        calls: 4          # single XML API calls, weighted by `calls:` below
        lifecycle: 1      # CreateMeeting → CreateMeetingAttendee ×n → GetSessionInfo → SetMeeting → DelMeeting
        dashboard: 1      # list-heavy reads: LstsummaryMeeting, LstsummarySession, LstMeetingAttendee …
        registration: 1   # a registration burst against a form with required fields
        rest: 1           # REST /v1/meetings operations
      calls:          # API name → weight inside the `calls` scenario; omitted → DEFAULT_CALLS
        GetSessionInfo: 3
        CreateMeeting: 1
      shape: steady   # steady | step | spike
      thresholds:     # the CI gates of `webex-harness load` (runs/gates.py evaluates them)
        failure_ratio: 0.01                         # failures / requests of the whole run, at most
        p95_ms: {GetSessionInfo: 500, "*": 2000}    # or one number: the same limit for every API
        min_rps: 5                                  # requests per second of the whole run, at least
        # min_rps: {GetSessionInfo: 3, "*": 1}      # ... or per API
      compare:        # the verdict limits of `webex-harness compare` (runs/compare.py applies them)
        max_rps_drop: 0.10                # a fraction, or a percentage such as 10%
        max_p95_increase: 0.20
        max_p99_increase: 0.30
        max_failure_ratio_increase: 0.01  # absolute

A weight is a whole number ≥ 0 (0 switches a scenario or an API off); at least one must be more
than 0. Thresholds and limits are finite numbers ≥ 0 (a failure ratio at most 1).

One check is not made here: that each API of ``calls:`` is in the generators catalogue and one the
calls scenario can repeat. Both facts live above this layer (``generators/catalogue.yaml`` and
:data:`load.calls.UNSUPPORTED`); :func:`load.config.load_settings` makes that check, and the
command line runs it before a load starts.

The keys each part of the section accepts, the scenario names and the defaults are
:mod:`environment.schema`'s. Stands on :mod:`environment.errors`, :mod:`environment.model` and the schema.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from webex_harness.environment import schema
from webex_harness.environment.errors import EnvironmentFileError, describe_value, unknown_key
from webex_harness.environment.model import ALL_APIS, CompareLimits, LoadSettings, Thresholds
from webex_harness.webex.hints import did_you_mean

__all__ = ["LOAD_KEYS", "parse_compare", "parse_limit", "parse_load_section", "parse_thresholds"]

# The names each part of ``load:`` accepts: the schema's (environment/schema.py), nothing else.
#: The keys of the ``load:`` section.
LOAD_KEYS = schema.names("load")
MIX_SCENARIOS = schema.names("load.mix")
THRESHOLDS_SECTION = "load.thresholds"
THRESHOLD_KEYS = schema.names(THRESHOLDS_SECTION)
COMPARE_SECTION = "load.compare"
LIMIT_KEYS = schema.names(COMPARE_SECTION)

Where = str | Path | None


def parse_load_section(section: Mapping[str, Any] | None, path: Where = None) -> LoadSettings:
    """Validate a ``load:`` mapping (``None`` → every default); ``path`` names the file in errors."""
    section = section or {}
    for key in section:
        if key not in LOAD_KEYS:
            raise EnvironmentFileError(path, f"load.{key}", unknown_key(str(key), LOAD_KEYS))
    mix = dict(schema.key("load.mix").default)
    if section.get("mix") is not None:
        mix = _weights(path, "load.mix", section["mix"])
        for name in mix:
            if name not in MIX_SCENARIOS:
                raise EnvironmentFileError(
                    path,
                    f"load.mix.{name}",
                    f"unknown scenario{did_you_mean(name, MIX_SCENARIOS, n=1)}; scenarios: {', '.join(MIX_SCENARIOS)}",
                )
    calls = dict(schema.key("load.calls").default)
    if section.get("calls") is not None:
        calls = _weights(path, "load.calls", section["calls"])
    shape_key = schema.key("load.shape")
    shape = section.get("shape")
    if shape is None:
        shape = shape_key.default
    if shape not in shape_key.allowed:
        raise EnvironmentFileError(path, "load.shape", f"expected one of {', '.join(shape_key.allowed)}, got {shape!r}")
    return LoadSettings(
        mix=mix,
        calls=calls,
        shape=str(shape),
        thresholds=parse_thresholds(section.get("thresholds"), path),
        compare=parse_compare(section.get("compare"), path),
    )


def _weight(path: Where, key: str, value: Any) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise EnvironmentFileError(path, key, f"expected a whole-number weight ≥ 0, got {value!r}")
    if value < 0:
        raise EnvironmentFileError(path, key, f"a weight cannot be negative, got {value}")
    return value


def _weights(path: Where, key: str, raw: Any) -> dict[str, int]:
    if not isinstance(raw, Mapping) or not raw:
        raise EnvironmentFileError(path, key, f"expected a mapping of names to weights, got {raw!r}")
    weights = {str(name): _weight(path, f"{key}.{name}", value) for name, value in raw.items()}
    if not any(weights.values()):
        raise EnvironmentFileError(path, key, "every weight is 0: at least one must be more than 0")
    return weights


# --------------------------------------------------------------------------------------------
# load.thresholds

_MS = "a number of milliseconds"
_RPS = "a number of requests per second"
_RATIO = "a ratio between 0 and 1"


def _number(value: Any, path: Where, key: str, what: str, *, at_most: float | None = None) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or value < 0
        or (at_most is not None and value > at_most)
    ):
        raise EnvironmentFileError(path, key, f"expected {what}, got {describe_value(value)}")
    return float(value)


def _per_api(value: Any, path: Where, key: str, what: str) -> dict[str, float]:
    if not isinstance(value, Mapping):
        raise EnvironmentFileError(
            path, key, f"expected {what} or a mapping of API name to {what}, got {describe_value(value)}"
        )
    limits: dict[str, float] = {}
    for api, limit in value.items():
        name = str(api).strip()
        if not name:
            raise EnvironmentFileError(path, key, "an empty API name")
        limits[name] = _number(limit, path, f"{key}.{api}", what)
    return limits


def parse_thresholds(section: Any, path: Where = None) -> Thresholds:
    """Validate the ``load.thresholds`` section (``None`` → no gates)."""
    if section is None:
        return Thresholds()
    if not isinstance(section, Mapping):
        raise EnvironmentFileError(path, THRESHOLDS_SECTION, f"expected a mapping, got {describe_value(section)}")
    for key in section:
        if key not in THRESHOLD_KEYS:
            raise EnvironmentFileError(
                path, f"{THRESHOLDS_SECTION}.{key}", f"unknown key (known: {', '.join(THRESHOLD_KEYS)})"
            )
    ratio = section.get("failure_ratio")
    failure_ratio = (
        None if ratio is None else _number(ratio, path, f"{THRESHOLDS_SECTION}.failure_ratio", _RATIO, at_most=1.0)
    )
    p95 = section.get("p95_ms")
    if p95 is None:
        p95_ms: dict[str, float] = {}
    elif isinstance(p95, Mapping):
        p95_ms = _per_api(p95, path, f"{THRESHOLDS_SECTION}.p95_ms", _MS)
    else:
        p95_ms = {
            ALL_APIS: _number(p95, path, f"{THRESHOLDS_SECTION}.p95_ms", f"{_MS} or a mapping of API name to {_MS}")
        }
    rps = section.get("min_rps")
    min_rps: dict[str, float] = {}
    min_total_rps = None
    if isinstance(rps, Mapping):
        min_rps = _per_api(rps, path, f"{THRESHOLDS_SECTION}.min_rps", _RPS)
    elif rps is not None:
        min_total_rps = _number(
            rps, path, f"{THRESHOLDS_SECTION}.min_rps", f"{_RPS} or a mapping of API name to {_RPS}"
        )
    return Thresholds(failure_ratio=failure_ratio, p95_ms=p95_ms, min_rps=min_rps, min_total_rps=min_total_rps)


# --------------------------------------------------------------------------------------------
# load.compare


def parse_limit(value: Any, where: str) -> float:
    """A limit as a fraction: ``0.1``, ``"0.1"`` or ``"10%"``. Raises :class:`ValueError` naming ``where``
    (the command line's ``--max-…`` options are read by this too)."""
    number: float | None = None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
        except ValueError:
            number = None
    if number is None or not math.isfinite(number) or number < 0:
        raise ValueError(f"{where}: expected a fraction such as 0.1 or a percentage such as 10%, got {value!r}")
    return number


def parse_compare(section: Any, path: Where = None) -> CompareLimits:
    """Validate the ``load.compare`` section (``None`` → no limits set; unset keys stay ``None``)."""
    if section is None:
        return CompareLimits()
    if not isinstance(section, Mapping):
        raise EnvironmentFileError(path, COMPARE_SECTION, "expected a mapping of limits")
    values: dict[str, float] = {}
    for key, raw in section.items():
        if key not in LIMIT_KEYS:
            raise EnvironmentFileError(
                path, f"{COMPARE_SECTION}.{key}", f"unknown key (known: {', '.join(LIMIT_KEYS)})"
            )
        try:
            values[key] = parse_limit(raw, "value")
        except ValueError as exc:
            raise EnvironmentFileError(path, f"{COMPARE_SECTION}.{key}", str(exc).removeprefix("value: ")) from None
    return CompareLimits(**values)
