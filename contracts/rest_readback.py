"""Read-back of REST updates (003 "Update a Meeting", "List Meetings"): the documented updatable
fields of a meeting, two consistent sets of values for them, the update sent in a few groups, and
the reads that must show what the update wrote.

The fields come from the reference data, not from a list of their own: the sample request of
"Update a Meeting" (:data:`~contracts.rest_support.SEED_REQUEST`, nested options included) less what
is never stored (:data:`~contracts.rest_support.NOT_STORED`), the webinar-only fields and options,
and ``recurrence`` for a series. Each field gets an *after* value (the sample's, which the reference
documents) and a *before* value that differs from it: a boolean the other way, an enumeration
another documented value (the catalogue's ``rest.enums``), a list or text of its own. Fields the page
couples are kept consistent in both sets (:data:`SWITCHES`): a switch is off before and on after, and
what it switches is at its "off" value before and set after — join-before-host with its minutes
(the catalogue's choices) and connect-audio, the visual watermark with its opacity, the automatic
lock with its minutes, notes with their type.

A test makes the meeting with the *before* values, sends the *after* values in :data:`GROUPS` (a
request each: a later group must leave the earlier ones as they are, PATCH and PUT alike, as
``rest-put-equals-patch`` says), then compares every field it wrote — and only those: a busy site's
foreign meetings and the server's own fields are never compared.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from webex_harness.client.rest_client import RestClient
from webex_harness.contracts.rest_support import (
    ENUMS,
    NOT_STORED,
    OBJECT_FIELDS,
    SEED_REQUEST,
    WEBINAR_ONLY,
    WEBINAR_ONLY_FLAGS,
)
from webex_harness.generators.catalogue import rest_catalogue
from webex_harness.plugin.rest_meetings import iso
from webex_harness.plugin.run_names import own_name

__all__ = [
    "GROUPS",
    "SWITCHES",
    "Plan",
    "instant",
    "list_all",
    "mismatches",
    "plan",
    "value_at",
]

#: a field: its name, or (object, name) for an option
Path = tuple[str, ...]
#: passwords meeting the usual complexity rules (upper, lower, digits, 8+)
PASSWORDS = {"password": ("Harness7Pq42", "Renamed9Xk31"), "panelistPassword": ("Panel1st2Pass", "Panel2nd3Pass")}
#: the time zones of before and after: neither observes daylight saving (after is the sample's)
ZONES = ("Asia/Tokyo", str(SEED_REQUEST["timezone"]))
#: the recurrence of a series before and after (documented for a series only)
RECURRENCES = ("FREQ=DAILY;INTERVAL=1;COUNT=3", "FREQ=WEEKLY;INTERVAL=1;COUNT=2")
#: automaticLockMinutes once the lock is on (the sample leaves the lock off, with 0)
LOCK_MINUTES = 10
#: the request groups of an update, by kind of field: flags and texts, the option objects, times and lists
GROUPS = ("fields", "options", "times and lists")
_TIMES = ("start", "end", "timezone", "recurrence")
_LISTS = ("integrationTags", "trackingCodes")
#: the switches the page couples other fields to: switch -> what it switches
SWITCHES: dict[Path, tuple[Path, ...]] = {
    ("enabledJoinBeforeHost",): (("joinBeforeHostMinutes",), ("enableConnectAudioBeforeHost",)),
    ("enabledVisualWatermark",): (("visualWatermarkOpacity",),),
    ("enableAutomaticLock",): (("automaticLockMinutes",),),
    ("meetingOptions", "enabledNote"): (("meetingOptions", "noteType"),),
}
#: what a switched field is while its switch is off (None: not sent, not answered)
_OFF: dict[Path, Any] = {
    ("joinBeforeHostMinutes",): 0,
    ("enableConnectAudioBeforeHost",): False,
    ("visualWatermarkOpacity",): None,
    ("automaticLockMinutes",): 0,
    ("meetingOptions", "noteType"): "allowAll",  # 003: enabledNote false → allowAll
}


@dataclass
class Plan:
    """The before and after values of one read-back, and the times the update moves the meeting to."""

    scheduled_type: str
    #: the meeting's fields before the update (a Create body's, or a PATCH's for a meeting made elsewhere)
    before: dict[str, Any]
    #: the update's body, by group (:data:`GROUPS`)
    groups: dict[str, dict[str, Any]]
    start: datetime
    minutes: int
    #: every field the update writes, with the value it writes
    written: dict[Path, Any] = field(default_factory=dict)

    def expected_before(self) -> dict[Path, Any]:
        """Each written field's value before the update (None: not answered)."""
        return {path: _get(self.before, path) for path in self.written}


def plan(scheduled_type: str, *, occurrence: bool = False, recurring: bool = True, start: datetime) -> Plan:
    """The read-back of a ``scheduled_type`` meeting (``meeting`` or ``webinar``) moved to ``start``:
    a series (``recurring``: with a recurrence before and after), or with ``occurrence`` one
    scheduled meeting of a recurring series (neither integration tags, recurrence nor the time
    zone: a series' own)."""
    before: dict[str, Any] = {}
    after: dict[str, Any] = {}
    for path, seed in _documented(scheduled_type):
        old, new = _values(path, seed, scheduled_type)
        _put(before, path, old)
        _put(after, path, new)
    before_start = start - timedelta(days=1, hours=1)
    before.update(start=iso(before_start), end=iso(before_start + timedelta(minutes=60)), timezone=ZONES[0])
    minutes = 45
    after.update(start=iso(start), end=iso(start + timedelta(minutes=minutes)), timezone=ZONES[1])
    if recurring or occurrence:
        before["recurrence"], after["recurrence"] = RECURRENCES
    if occurrence:
        for name in ("integrationTags", "recurrence", "timezone"):
            after.pop(name, None)
    groups: dict[str, dict[str, Any]] = {name: {} for name in GROUPS}
    for name, value in after.items():
        group = "options" if name in OBJECT_FIELDS else "times and lists" if name in _TIMES + _LISTS else "fields"
        groups[group][name] = value
    written = {path: _get(after, path) for path in _leaves(after)}
    return Plan(scheduled_type, before, groups, start, minutes, written)


def _documented(scheduled_type: str) -> Iterator[tuple[Path, Any]]:
    """(field, the sample's value) of every documented updatable field of a ``scheduled_type``."""
    webinar = scheduled_type == "webinar"
    for name, value in SEED_REQUEST.items():
        if name in NOT_STORED or name in _TIMES:
            continue
        if name == "attendeePrivileges" and webinar:  # 003: not supported for a webinar
            continue
        if isinstance(value, dict):
            for inner, inner_value in value.items():
                if (name, inner) in WEBINAR_ONLY_FLAGS and not webinar:
                    continue  # only false is accepted for a meeting: nothing to change
                yield (name, inner), inner_value
        else:
            yield (name,), value
    if webinar:
        for name in WEBINAR_ONLY:
            yield (name,), PASSWORDS[name][1] if name in PASSWORDS else True


def _values(path: Path, seed: Any, scheduled_type: str) -> tuple[Any, Any]:
    """(before, after) of one field."""
    name = path[-1]
    switched = next((switch for switch, fields in SWITCHES.items() if path in fields), None)
    if path in SWITCHES:
        return False, True
    if switched is not None:
        return _OFF[path], _on(path, seed, scheduled_type)
    if path in WEBINAR_ONLY_FLAGS or (name in WEBINAR_ONLY and name not in PASSWORDS):
        return False, True
    if name in PASSWORDS:
        return PASSWORDS[name]
    if name in ("title", "agenda"):
        return own_name(f"read-back {name} before"), own_name(f"read-back {name} after")
    if name in ENUMS:
        return next(v for v in ENUMS[name] if v != seed), seed
    if isinstance(seed, bool):
        return not seed, seed
    if isinstance(seed, int):
        return seed // 2 if seed else seed + 5, seed
    if isinstance(seed, list):
        return copy.deepcopy(seed[:1]), copy.deepcopy(seed)
    raise AssertionError(f"no read-back values for {'.'.join(path)}={seed!r}")


def _on(path: Path, seed: Any, scheduled_type: str) -> Any:
    """A switched field's value once its switch is on (documented, and not its "off" value)."""
    if path == ("joinBeforeHostMinutes",):
        choices = rest_catalogue().limits[f"join_before_host_minutes_{scheduled_type}"]
        return seed if seed in choices else next(c for c in choices if c)
    if path == ("automaticLockMinutes",):
        return seed or LOCK_MINUTES
    if path == ("meetingOptions", "noteType"):
        return next(v for v in ENUMS["noteType"] if v != _OFF[path])
    if path == ("enableConnectAudioBeforeHost",):
        return True
    return seed


def _put(body: dict[str, Any], path: Path, value: Any) -> None:
    if value is None:
        return
    if len(path) == 1:
        body[path[0]] = value
    else:
        body.setdefault(path[0], {})[path[1]] = value


def _get(body: dict[str, Any], path: Path) -> Any:
    holder: Any = body
    for name in path:
        if not isinstance(holder, dict) or name not in holder:
            return None
        holder = holder[name]
    return holder


def value_at(meeting: dict[str, Any], path: Path) -> Any:
    """The value of ``path`` in an answer (None when absent)."""
    return _get(meeting, path)


def _leaves(body: dict[str, Any]) -> Iterator[Path]:
    for name, value in body.items():
        if isinstance(value, dict):
            yield from ((name, inner) for inner in value)
        else:
            yield (name,)


def instant(text: Any) -> datetime | None:
    """An ISO 8601 time as an aware instant (None for what is not one)."""
    if not isinstance(text, str):
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def mismatches(
    meeting: dict[str, Any], expected: dict[Path, Any], where: str, *, skip: tuple[str, ...] = ()
) -> list[str]:
    """One line per field of ``expected`` that ``meeting`` answers otherwise (times as instants,
    the recurrence's names case-blind); fields named in ``skip`` are not compared."""
    problems = []
    for path, want in expected.items():
        if path[0] in skip:
            continue
        got = value_at(meeting, path)
        if path[0] in ("start", "end"):
            same = instant(got) == instant(want)
        elif path[0] == "recurrence":
            same = isinstance(got, str) and isinstance(want, str) and got.upper() == want.upper()
        else:
            same = got == want
        if not same:
            name = ".".join(path)
            problems.append(f"{where}: {name} is {got!r}, expected {want!r}")
    return problems


#: a list walk stops after this many pages (a busy site's window may hold many foreign meetings)
MAX_PAGES = 20


def list_all(client: RestClient, **params: Any) -> list[dict[str, Any]]:
    """Every item of ``GET /v1/meetings`` with ``params``, following the ``Link`` pages."""
    response = client.list_meetings(**params)
    items: list[dict[str, Any]] = []
    for _ in range(MAX_PAGES):
        assert response.status == 200, f"GET /v1/meetings {params}: {response.describe()}"
        items += [item for item in response.items if isinstance(item, dict)]
        link = response.next_link
        if not link:
            return items
        response = client.follow(link)
    raise AssertionError(f"GET /v1/meetings {params}: more than {MAX_PAGES} pages")
