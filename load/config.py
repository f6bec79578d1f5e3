"""The ``load:`` section of an environment file: scenario mix, call weights, load shape (issue 6).

No locust import: the CLI and :mod:`load.runner` import this module, and so does the locustfile
(at locust ``init``), so a file is read the same way on both sides::

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
      thresholds: …   # runs/gates.py (ignored here)
      compare: …      # runs/compare.py (ignored here)

A weight is a whole number ≥ 0 (0 switches a scenario or an API off); at least one must be more
than 0. An API in ``calls:`` must be in the generators catalogue and not refused by the calls
scenario (:data:`load.calls.UNSUPPORTED` says why for each refused one). Every problem is an
:class:`~environment.loader.EnvironmentFileError`: one line naming the file and the dotted key.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from environment.loader import Environment, EnvironmentFileError
from generators.catalogue import xml_api_names
from load.calls import UNSUPPORTED

__all__ = [
    "BUDGET_FILE_VAR",
    "DEFAULT_CALLS",
    "DEFAULT_MIX",
    "ENV_FILE_VAR",
    "LOOPBACK_HOSTS",
    "MIX_SCENARIOS",
    "REST_TOKEN_VAR",
    "REST_URL_VAR",
    "RUN_ID_VAR",
    "SCENARIO_NAMES",
    "SCENARIO_VAR",
    "SHAPE_NAMES",
    "SHAPE_VAR",
    "STOP_FILE_VAR",
    "XML_URL_VAR",
    "LoadSettings",
    "is_loopback",
    "load_settings",
    "origin_of",
    "parse_load_section",
]

# The environment variables :func:`load.runner.run_load` hands the locust process (the locustfile's
# docstring describes each). Secrets (the REST token) never go on the command line, where ``ps`` shows them.
ENV_FILE_VAR = "WEBEX_HARNESS_ENV"
XML_URL_VAR = "WEBEX_HARNESS_XML_URL"
REST_URL_VAR = "WEBEX_HARNESS_REST_URL"
REST_TOKEN_VAR = "WEBEX_HARNESS_REST_TOKEN"
RUN_ID_VAR = "WEBEX_HARNESS_RUN_ID"
SCENARIO_VAR = "WEBEX_HARNESS_SCENARIO"
SHAPE_VAR = "WEBEX_HARNESS_SHAPE"
BUDGET_FILE_VAR = "WEBEX_HARNESS_BUDGET_FILE"
#: a file whose appearance ends the run as its run time would (``run_load(stop_when=…)``; master or local only)
STOP_FILE_VAR = "WEBEX_HARNESS_STOP_FILE"

#: ``--scenario`` values: "mixed" is the configured mix, the others run one scenario alone.
SCENARIO_NAMES: tuple[str, ...] = ("mixed", "calls", "lifecycle", "dashboard", "registration", "rest")
#: The scenarios a mix weighs (every scenario name but "mixed").
MIX_SCENARIOS: tuple[str, ...] = SCENARIO_NAMES[1:]
#: ``--shape`` values.
SHAPE_NAMES: tuple[str, ...] = ("steady", "step", "spike")

#: The mix when the file has none: mostly single calls, one user in eight per flow.
DEFAULT_MIX: dict[str, int] = {"calls": 4, "lifecycle": 1, "dashboard": 1, "registration": 1, "rest": 1}
#: The calls weights when the file has none: the walking skeleton's 3:1 plus cheap reads.
DEFAULT_CALLS: dict[str, int] = {
    "GetSessionInfo": 3, "CreateMeeting": 1, "GetUser": 1, "GetMe": 1, "LstsummaryMeeting": 1, "GetSite": 1,
}

#: Keys of the ``load:`` section other modules own (accepted, not read here).
_FOREIGN_KEYS = ("thresholds", "compare")
_KEYS = ("mix", "calls", "shape")


@dataclass(frozen=True, slots=True)
class LoadSettings:
    """The validated ``load:`` section (defaults filled in)."""

    mix: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_MIX))
    calls: dict[str, int] = field(default_factory=lambda: dict(DEFAULT_CALLS))
    shape: str = "steady"

    def active_scenarios(self, scenario: str | None = None) -> dict[str, int]:
        """Scenario → weight of what a run starts: the mix without zeros, or ``scenario`` alone."""
        if scenario not in (None, "mixed"):
            return {str(scenario): 1}
        return {name: weight for name, weight in self.mix.items() if weight > 0}

    def to_dict(self) -> dict[str, Any]:
        return {"mix": dict(self.mix), "calls": dict(self.calls), "shape": self.shape}


LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` of ``url``, lower-cased, default ports dropped."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    port = parts.port
    netloc = f"[{host}]" if ":" in host else host
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        netloc = f"{netloc}:{port}"
    return f"{scheme}://{netloc}"


def is_loopback(url: str) -> bool:
    """Whether ``url`` names this machine (the only place load may be aimed at without an environment file)."""
    return (urlsplit(url).hostname or "").lower() in LOOPBACK_HOSTS


def _weight(path: Path | str | None, key: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise EnvironmentFileError(path, key, f"expected a whole-number weight ≥ 0, got {value!r}")
    if value < 0:
        raise EnvironmentFileError(path, key, f"a weight cannot be negative, got {value}")
    return value


def _weights(path: Path | str | None, key: str, raw: Any) -> dict[str, int]:
    if not isinstance(raw, Mapping) or not raw:
        raise EnvironmentFileError(path, key, f"expected a mapping of names to weights, got {raw!r}")
    weights = {str(name): _weight(path, f"{key}.{name}", value) for name, value in raw.items()}
    if not any(weights.values()):
        raise EnvironmentFileError(path, key, "every weight is 0: at least one must be more than 0")
    return weights


def _suggest(name: str, choices: list[str] | tuple[str, ...]) -> str:
    close = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse_load_section(section: Mapping[str, Any] | None, path: Path | str | None = None) -> LoadSettings:
    """Validate a ``load:`` mapping (``path`` names the file in errors)."""
    section = section or {}
    for key in section:
        if key not in _KEYS and key not in _FOREIGN_KEYS:
            known = ", ".join((*_KEYS, *_FOREIGN_KEYS))
            raise EnvironmentFileError(path, f"load.{key}", f"unknown key{_suggest(str(key), _KEYS)}; known: {known}")
    mix = dict(DEFAULT_MIX)
    if section.get("mix") is not None:
        mix = _weights(path, "load.mix", section["mix"])
        for name in mix:
            if name not in MIX_SCENARIOS:
                raise EnvironmentFileError(
                    path, f"load.mix.{name}",
                    f"unknown scenario{_suggest(name, MIX_SCENARIOS)}; scenarios: {', '.join(MIX_SCENARIOS)}")
    calls = dict(DEFAULT_CALLS)
    if section.get("calls") is not None:
        calls = _weights(path, "load.calls", section["calls"])
        catalogue = xml_api_names()
        for name in calls:
            if name not in catalogue:
                raise EnvironmentFileError(
                    path, f"load.calls.{name}",
                    f"not an XML API of the generators catalogue{_suggest(name, catalogue)}")
            if name in UNSUPPORTED:
                raise EnvironmentFileError(
                    path, f"load.calls.{name}", f"the calls scenario cannot repeat it: {name} {UNSUPPORTED[name]}")
    shape = section.get("shape")
    if shape is None:
        shape = "steady"
    if shape not in SHAPE_NAMES:
        raise EnvironmentFileError(path, "load.shape",
                                   f"expected one of {', '.join(SHAPE_NAMES)}, got {shape!r}")
    return LoadSettings(mix=mix, calls=calls, shape=str(shape))


def load_settings(environment: Environment) -> LoadSettings:
    """The validated ``load:`` section of ``environment`` (defaults where the file is silent)."""
    return parse_load_section(environment.load, environment.path or environment.name)
