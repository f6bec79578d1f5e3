"""A fingerprint of everything an emulated site stores, for "a failed answer changes nothing".

:func:`fingerprint` walks a :class:`~webex_harness.emulator.model.Site` — every attribute of the site
and of every object it keeps (sessions and their sections, attendees, users, tickets, contacts and
lists, recordings and their accesses, callbacks, REST series, history, labs, programs, feedback,
the test library, ID sequences …) — into plain nested tuples that compare with ``==``. A store
added to the model later is walked without a change here; an object of a kind the walker does not
know (a lock, a function) is a ``TypeError``, so nothing is silently left out.

Left out on purpose (:data:`NOT_STORED`): what moves with every request whatever its answer —
request counts, the routing recency, the usage-limit counters a "no data found" failure feeds (001,
40.8.0), the REST API's 429 window and which of its series are still deferred (:data:`READ_AS`), the
per-request scratch of ``duplicate-email-first-wins`` — and
the lenient default site's least-recently-used order of provisioned users (kept as a set). The
clock is the site's offset, which only the control API moves: it is compared.
"""

from __future__ import annotations

import dataclasses
import enum
import itertools
from collections.abc import Mapping
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from webex_harness.emulator.model import Site

#: Attributes, by class name, that are not stored state (see the module docstring).
NOT_STORED: Mapping[str, frozenset[str]] = {
    "Site": frozenset(
        {
            "xml_requests",  # request counts
            "rest_requests",
            "last_used",  # routing recency (time.monotonic of the last request)
            "anonymous_usage",  # usage-limit-403: anonymous callers' "no data found" failures
            "request_emails",  # duplicate-email-first-wins: the request being answered
        }
    ),
    "User": frozenset({"no_data_failures", "blocked_until"}),  # usage-limit-403 counters
    # the REST 429 window (recent requests); which series are still deferred (their making is unseen)
    "RestStore": frozenset({"hits", "deferred_ids"}),
}
#: Attributes read through another name, by class name: a REST store's entries as its series, the
#: deferred ones made (a deferred series and the same series made are one stored state).
READ_AS: Mapping[str, Mapping[str, str]] = {"RestStore": {"entries": "series"}}
#: Attributes kept as sets: their order moves with every request.
UNORDERED: Mapping[str, frozenset[str]] = {"Site": frozenset({"auto_users"})}

_SCALARS = (type(None), bool, int, float, str, bytes, datetime, date, time, timedelta)


def fingerprint(site: Site) -> tuple[Any, ...]:
    """Everything ``site`` stores, as nested tuples (equal exactly when the stored states are)."""
    return _walk(site, set())


def differences(before: tuple[Any, ...], after: tuple[Any, ...], limit: int = 8) -> list[str]:
    """Where two fingerprints differ, as ``path: before -> after`` lines (the first ``limit``)."""
    found: list[str] = []
    _diff(before, after, "site", found, limit)
    return found


def _attributes(obj: object) -> list[str]:
    if dataclasses.is_dataclass(obj):
        return [f.name for f in dataclasses.fields(obj)]
    names: list[str] = []
    for klass in type(obj).__mro__:
        names += [s for s in getattr(klass, "__slots__", ()) if s not in names and s != "__weakref__"]
    names += [n for n in getattr(obj, "__dict__", {}) if n not in names]
    return names


def _walk(obj: Any, active: set[int]) -> Any:
    if isinstance(obj, enum.Enum):
        return ("enum", type(obj).__name__, obj.name)
    if isinstance(obj, _SCALARS):
        return obj
    if isinstance(obj, tzinfo):
        return ("tz", repr(obj))
    if isinstance(obj, itertools.count):
        return ("count", repr(obj))  # an ID sequence: the next ID a create would take
    if id(obj) in active:
        return ("cycle", type(obj).__name__)
    active.add(id(obj))
    try:
        if isinstance(obj, Mapping):
            return ("map", tuple((_walk(k, active), _walk(v, active)) for k, v in obj.items()))
        if isinstance(obj, (list, tuple)) or type(obj).__name__ == "deque":
            return ("seq", tuple(_walk(v, active) for v in obj))
        if isinstance(obj, (set, frozenset)):
            return ("set", tuple(sorted((_walk(v, active) for v in obj), key=repr)))
        if callable(obj) or not (dataclasses.is_dataclass(obj) or hasattr(obj, "__dict__") or _attributes(obj)):
            raise TypeError(f"the fingerprint does not know how to compare a {type(obj).__name__}")
        name = type(obj).__name__
        skipped = NOT_STORED.get(name, frozenset())
        unordered = UNORDERED.get(name, frozenset())
        read_as = READ_AS.get(name, {})
        items = []
        for attr in _attributes(obj):
            if attr in skipped or not hasattr(obj, attr):
                continue
            value = getattr(obj, read_as.get(attr, attr))
            walked = _walk(set(value) if attr in unordered else value, active)
            items.append((attr, walked))
        return ("obj", name, tuple(items))
    finally:
        active.discard(id(obj))


def _diff(a: Any, b: Any, path: str, found: list[str], limit: int) -> None:
    if len(found) >= limit or a == b:
        return
    if isinstance(a, tuple) and isinstance(b, tuple) and a[:1] == b[:1] and a[:1] in (("map",), ("obj",)):
        left = dict(a[-1]) if a[0] == "obj" or _hashable(a[-1]) else {}
        right = dict(b[-1]) if b[0] == "obj" or _hashable(b[-1]) else {}
        if left or right:
            for key in list(left) + [k for k in right if k not in left]:
                label = key if isinstance(key, str) else repr(key)[:60]
                if key not in left or key not in right:
                    found.append(
                        f"{path}.{label}: {_short(left.get(key, '(none)'))} -> {_short(right.get(key, '(none)'))}"
                    )
                else:
                    _diff(left[key], right[key], f"{path}.{label}", found, limit)
                if len(found) >= limit:
                    return
            return
    if isinstance(a, tuple) and isinstance(b, tuple) and a[:1] == b[:1] == ("seq",) and len(a[1]) == len(b[1]):
        for i, (x, y) in enumerate(zip(a[1], b[1], strict=True)):
            _diff(x, y, f"{path}[{i}]", found, limit)
        return
    found.append(f"{path}: {_short(a)} -> {_short(b)}")


def _hashable(pairs: Any) -> bool:
    try:
        dict(pairs)
    except TypeError:
        return False
    return True


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 160 else text[:157] + "..."
