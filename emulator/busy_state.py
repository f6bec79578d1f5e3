"""A busy site's options, its state, and what it does to each request before it is answered.

:mod:`emulator.busy` says what a busy site is (every option explained) and populates one; this
module is the part the request path needs — the options and their checks, the state on
``Site.busy``, and :func:`admit` (the writer's turn, the 503 draw, the jitter draw) — so the app
and the REST handlers stand below the services the population drives.
"""

from __future__ import annotations

import asyncio
import logging
import random
from dataclasses import asdict, dataclass, field, fields
from typing import Any, Protocol

log = logging.getLogger("emulator.busy")

#: What a 503 says (XML callers get it as plain text, REST callers in the REST error shape).
UNAVAILABLE_MESSAGE = "Service Unavailable: the site is busy, retry after the time in Retry-After."

#: How many colleagues a busy site may have (the names :data:`emulator.foreign_users.COLLEAGUES` has).
MAX_COLLEAGUES = 12
#: Upper bounds keeping a busy site small enough to create in a moment.
MAX_OBJECTS = 500
MAX_DAYS = 365
MAX_JITTER_MS = 2000.0
MAX_RETRY_AFTER = 3600


class Mover(Protocol):
    """The background writer (:class:`emulator.busy.Writer`, which knows its site) as the request path sees it."""

    def move(self) -> None: ...

    def describe(self) -> dict[str, Any]: ...


class BusyOptionError(ValueError):
    """A busy option that cannot be used: the message is one line naming it."""


@dataclass(slots=True, frozen=True)
class BusyOptions:
    """How busy a site is (see the module docstring for each option)."""

    seed: int | None = None
    host: str | None = None
    colleagues: int = 6
    meetings: int = 24
    events: int = 6
    training_sessions: int = 6
    contacts: int = 8
    rest_meetings: int = 8
    past_days: int = 14
    future_days: int = 21
    writer_every: int = 20
    writer_max_live: int = 12
    jitter_ms: float = 5.0
    unavailable_one_in: int = 200
    retry_after_seconds: int = 1
    protected_prefix: str = "wxh"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


#: option -> (accepted type, lowest value, highest value); None bounds are not checked.
_LIMITS: dict[str, tuple[type, float | None, float | None]] = {
    "seed": (int, None, None),
    "host": (str, None, None),
    "colleagues": (int, 0, MAX_COLLEAGUES),
    "meetings": (int, 0, MAX_OBJECTS),
    "events": (int, 0, MAX_OBJECTS),
    "training_sessions": (int, 0, MAX_OBJECTS),
    "contacts": (int, 0, MAX_OBJECTS),
    "rest_meetings": (int, 0, MAX_OBJECTS),
    "past_days": (int, 0, MAX_DAYS),
    "future_days": (int, 1, MAX_DAYS),
    "writer_every": (int, 0, None),
    "writer_max_live": (int, 1, MAX_OBJECTS),
    "jitter_ms": (float, 0, MAX_JITTER_MS),
    "unavailable_one_in": (int, 0, None),
    "retry_after_seconds": (int, 0, MAX_RETRY_AFTER),
    "protected_prefix": (str, None, None),
}
assert set(_LIMITS) == {f.name for f in fields(BusyOptions)}


def _checked(name: str, value: Any) -> Any:
    kind, low, high = _LIMITS[name]
    if value is None and name in ("seed", "host"):
        return None
    if kind is float:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool)
        what = "a number"
    else:
        ok = isinstance(value, kind) and not isinstance(value, bool)
        what = "an integer" if kind is int else "a string"
    if not ok:
        raise BusyOptionError(f"busy option {name!r} must be {what}, got {value!r}")
    if kind is str and not value.strip():
        raise BusyOptionError(f"busy option {name!r} must not be empty")
    if (low is not None and value < low) or (high is not None and value > high):
        bounds = f"between {low:g} and {high:g}" if high is not None else f"at least {low:g}"
        raise BusyOptionError(f"busy option {name!r} must be {bounds}, got {value!r}")
    return float(value) if kind is float else value


def parse_options(data: Any) -> BusyOptions | None:
    """``busy`` as the control API takes it: ``true`` (the defaults), an object of options, or
    ``false``/``null`` (not busy). Raises :class:`BusyOptionError` naming what is wrong."""
    if data is None or data is False:
        return None
    if data is True:
        return BusyOptions()
    if not isinstance(data, dict):
        raise BusyOptionError(f"busy must be true, false or an object of options, got {data!r}")
    unknown = sorted(set(data) - set(_LIMITS))
    if unknown:
        raise BusyOptionError(f"unknown busy option {unknown[0]!r} (known: {', '.join(_LIMITS)})")
    return BusyOptions(**{name: _checked(name, value) for name, value in data.items()})


def option_from_text(text: str) -> tuple[str, Any]:
    """``NAME=VALUE`` from the command line: the value read as an integer, a number, ``true`` /
    ``false`` or else a string (then checked by :func:`parse_options`)."""
    name, sep, raw = text.partition("=")
    name = name.strip()
    if not sep or not name:
        raise BusyOptionError(f"busy option {text!r} is not NAME=VALUE")
    raw = raw.strip()
    value: Any = raw
    if raw.lower() in ("true", "false"):
        value = raw.lower() == "true"
    else:
        for convert in (int, float):
            try:
                value = convert(raw)
                break
            except ValueError:
                continue
    return name, value


# ---------------------------------------------------------------- state


@dataclass(slots=True, frozen=True)
class Admission:
    """What a busy site does with one request: answer 503 at once, and how long to wait."""

    unavailable: bool
    delay: float


ADMIT = Admission(False, 0.0)


@dataclass
class BusyState:
    """A busy site's options, random streams, counters and writer (``Site.busy``)."""

    options: BusyOptions
    seed: int
    host: str
    colleagues: list[str]
    rng_unavailable: random.Random
    rng_jitter: random.Random
    writer: Mover
    seeded: dict[str, int] = field(default_factory=dict)
    requests: int = 0
    unavailable: int = 0

    def describe(self) -> dict[str, Any]:
        """What the site's state shows under ``"busy"``."""
        return {
            "options": {**self.options.to_dict(), "seed": self.seed, "host": self.host},
            "colleagues": list(self.colleagues),
            "seeded": dict(self.seeded),
            "requests": self.requests,
            "unavailable": self.unavailable,
            "writer": self.writer.describe(),
        }


class BusySite(Protocol):
    """What :func:`admit` reads of a site (:class:`emulator.model.Site`)."""

    name: str
    busy: BusyState | None


def admit(site: BusySite) -> Admission:
    """Called under the registry lock for every XML or REST request addressed to a busy site,
    before it is processed: the writer's turn, the 503 draw and the jitter draw."""
    state = site.busy
    if state is None:
        return ADMIT
    options = state.options
    state.requests += 1
    if options.writer_every and state.requests % options.writer_every == 0:
        try:
            state.writer.move()
        except Exception:  # a foreign client's failure is no reason to fail this request
            log.exception("busy site %s: the writer's move failed", site.name)
    unavailable = bool(options.unavailable_one_in) and state.rng_unavailable.randrange(options.unavailable_one_in) == 0
    if unavailable:
        state.unavailable += 1
    delay = state.rng_jitter.uniform(0.0, options.jitter_ms) / 1000.0 if options.jitter_ms else 0.0
    return Admission(unavailable, delay)


async def pause(delay: float) -> None:
    """Wait out a busy site's jitter without blocking the event loop."""
    await asyncio.sleep(delay)


__all__ = [
    "ADMIT",
    "UNAVAILABLE_MESSAGE",
    "Admission",
    "BusyOptionError",
    "BusyOptions",
    "BusySite",
    "BusyState",
    "Mover",
    "admit",
    "option_from_text",
    "parse_options",
    "pause",
]
