"""The model the REST meetings state machines keep: what each meeting series they made should
answer, and the documented rules that decide it (003 "Create a Meeting", "Update a Meeting",
"List Meetings"; docs/wire.md J2–J11).

A :class:`SeriesModel` holds the expected JSON of one series (what ``GET /v1/meetings/{id}`` must
answer, apart from its state and times, which are computed from the site clock), its start and
end as instants, its recurrence (the daily and weekly rules the machines draw), the occurrences
it cancelled and the exceptional ones (changed on their own). :func:`apply_update` is the rule of
an accepted PATCH/PUT (and of Create's echo): fields the body names change, objects merge key by
key, everything else stays; the couplings 003 documents follow (join-before-host off → minutes 0
and connect-audio off; the watermark's opacity only with the watermark; ``enabledNote`` off →
``noteType: allowAll``; ``integrationTags: null`` → no tags; start and end lose their seconds;
a monthly or yearly rule keeps its first day or date only).

Nothing here imports the emulator: the model is written from the reference, so a machine checks
any target the same way.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from webex_harness.client.rest_client import RestResponse
from webex_harness.contracts.rest_support import (
    MEETING_TYPES,
    NOT_STORED,
    OBJECT_FIELDS,
    SCHEDULED_TYPES,
    SEED_NESTED_KEYS,
    SEED_RESPONSE_KEYS,
    STATES,
    WEBINAR_ONLY,
)

__all__ = [
    "SeriesModel",
    "apply_update",
    "check_shape",
    "differences",
    "instant",
    "normal_recurrence",
    "slot_key",
]

#: properties the site clock decides, and the times (compared as instants)
VOLATILE = frozenset({"state", "hostDidJoin", "attendeeDidJoin", "start", "end"})
#: what a scheduled meeting answers of its own (its id, type, state, times; the telephony links name its id)
OCCURRENCE_OWN = frozenset({"id", "meetingType", "recurrence", "telephony", "meetingSeriesId", "isModified"})
_SLOT = "%Y%m%dT%H%M%SZ"
#: a property an exceptional scheduled meeting does not answer although its series does
ABSENT = object()
_HEX32 = re.compile(r"[0-9a-f]{32}")


def instant(text: str) -> datetime:
    """An ISO 8601 time of an answer as an aware instant."""
    value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def minute(value: datetime) -> datetime:
    """003: start and end lose their seconds and milliseconds."""
    return value.replace(second=0, microsecond=0)


def slot_key(slot: datetime) -> str:
    """The part of a scheduled meeting's id naming its original start (the seed's sample: UTC)."""
    return slot.astimezone(UTC).strftime(_SLOT)


def normal_recurrence(text: str) -> str:
    """``recurrence`` as answered: names and values upper case (``UNTIL`` as sent); of a monthly or
    yearly rule only the first BYDAY/BYMONTHDAY/BYMONTH value (003)."""
    body = text.strip()
    if body.upper().startswith("RRULE:"):
        body = body[6:]
    parts = [p.partition("=") for p in body.split(";") if p.strip()]
    freq = next((v.strip().upper() for n, _, v in parts if n.strip().upper() == "FREQ"), "")
    out = []
    for name, _, value in parts:
        key = name.strip().upper()
        value = value.strip()
        if freq in ("MONTHLY", "YEARLY") and key in ("BYDAY", "BYMONTHDAY", "BYMONTH"):
            value = value.split(",")[0].strip()
        out.append(f"{key}={value if key == 'UNTIL' else value.upper()}")
    return ";".join(out)


def _questions(questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Customized questions as answered: numbered ``id``\\ s when sent without, ``required`` false by default."""
    out = []
    for number, question in enumerate(questions, start=1):
        item = {"id": number, "required": False, **{k: v for k, v in question.items() if v is not None}}
        if isinstance(item.get("options"), list):
            item["options"] = [{"id": i, **o} for i, o in enumerate(item["options"], start=1)]
        out.append(item)
    return out


def apply_update(current: dict[str, Any], body: dict[str, Any], scheduled_type: str) -> dict[str, Any]:
    """The meeting JSON ``current`` after an accepted update with ``body`` (003), apart from its
    start and end (see :meth:`SeriesModel.apply_times`). A watermark switched on without an opacity
    keeps the one it had; when it had none the key is left out (the caller takes the answer's)."""
    out = copy.deepcopy(current)
    for name, value in body.items():
        if name == "integrationTags":
            out[name] = list(value or [])
        elif value is None or name in NOT_STORED or name in ("start", "end"):
            continue
        elif name in OBJECT_FIELDS:
            out[name] = {**out.get(name, {}), **{k: v for k, v in value.items() if v is not None}}
        elif name == "registration":
            sent = {k: v for k, v in value.items() if v is not None}
            if "customizedQuestions" in sent:
                sent["customizedQuestions"] = _questions(sent["customizedQuestions"])
            out[name] = {**out.get(name, {}), **sent}
        elif name == "recurrence":
            if value.strip():
                out[name] = normal_recurrence(value)
        elif name in ("password", "panelistPassword"):
            if value:
                out[name] = value
        elif name in SEED_RESPONSE_KEYS or name in WEBINAR_ONLY or name == "timezone":
            out[name] = value
    if not out.get("enabledJoinBeforeHost"):
        out["joinBeforeHostMinutes"] = 0
        out["enableConnectAudioBeforeHost"] = False
    if not out.get("enabledVisualWatermark"):
        out.pop("visualWatermarkOpacity", None)
    options = out.get("meetingOptions") or {}
    if options.get("enabledNote") is False:
        options["noteType"] = "allowAll"
    if scheduled_type == "webinar":
        out.pop("attendeePrivileges", None)
    else:
        for name in WEBINAR_ONLY:
            out.pop(name, None)
    return out


def differences(got: dict[str, Any], expected: dict[str, Any], skip: frozenset[str] = VOLATILE) -> list[str]:
    """What ``got`` answers differently from ``expected`` (keys of either, apart from ``skip``)."""
    found = []
    for name in sorted((set(got) | set(expected)) - skip):
        if name not in got:
            found.append(f"{name} missing (expected {_short(expected[name])})")
        elif name not in expected:
            found.append(f"{name}={_short(got[name])} not expected")
        elif got[name] != expected[name]:
            if isinstance(got[name], dict) and isinstance(expected[name], dict):
                inner = differences(got[name], expected[name], frozenset())
                found.append(f"{name}: " + ", ".join(inner))
            else:
                found.append(f"{name}={_short(got[name])}, expected {_short(expected[name])}")
    return found


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[:limit] + "…"


def check_shape(meeting: Any, kind: str, *, where: str) -> dict[str, Any]:
    """The documented shape of a meeting of ``kind`` (003 "Response Properties", docs/wire.md J5,
    J10): the sample's properties, documented enum values, ids of their documented form."""
    assert isinstance(meeting, dict), f"{where}: not a meeting object: {meeting!r}"
    assert meeting.get("meetingType") == kind, f"{where}: meetingType {meeting.get('meetingType')!r}, not {kind}"
    assert meeting.get("state") in STATES, f"{where}: state {meeting.get('state')!r} is not documented"
    assert meeting.get("scheduledType") in SCHEDULED_TYPES, f"{where}: scheduledType {meeting.get('scheduledType')!r}"
    assert meeting.get("meetingType") in MEETING_TYPES
    ended_instance = kind == "meeting" and meeting["state"] == "ended"
    expected = set(SEED_RESPONSE_KEYS) - {"visualWatermarkOpacity", "isModified", "meetingSeriesId"}
    if kind == "meeting" and meeting["state"] == "inProgress":
        expected -= {"end"}  # an instance in progress has no end yet
    if meeting["scheduledType"] == "webinar":
        expected -= {"attendeePrivileges"}
    if ended_instance:  # 003: an ended instance no longer answers how to join it
        expected -= {"meetingNumber", "password", "phoneAndVideoSystemPassword", "telephony"}
    if kind != "meetingSeries":
        expected |= {"meetingSeriesId"}
    if kind == "scheduledMeeting":
        expected |= {"isModified"}
    missing = expected - set(meeting)
    assert not missing, f"{where}: {kind} without {sorted(missing)}"
    if not ended_instance:
        assert re.fullmatch(r"\d{8}", str(meeting["phoneAndVideoSystemPassword"])), (
            f"{where}: phoneAndVideoSystemPassword"
        )
        assert isinstance(meeting["password"], str), f"{where}: password is not a string (J10)"
        telephony = meeting["telephony"]
        assert isinstance(telephony, dict) and set(telephony) >= SEED_NESTED_KEYS["telephony"], f"{where}: telephony"
    for name, keys in SEED_NESTED_KEYS.items():
        if name != "telephony" and name in meeting:
            assert set(meeting[name]) >= keys, f"{where}: {name} without {sorted(keys - set(meeting[name]))}"
    series_id = meeting["id"] if kind == "meetingSeries" else meeting.get("meetingSeriesId")
    assert _HEX32.fullmatch(str(series_id)), f"{where}: series id {series_id!r} is not 32 hex digits"
    return meeting


@dataclass
class SeriesModel:
    """One meeting series a machine made, as it should answer."""

    id: str
    number: str
    scheduled_type: str
    #: the expected GET of the series, apart from :data:`VOLATILE`
    json: dict[str, Any]
    start: datetime
    end: datetime
    #: (FREQ, COUNT) of a DAILY/WEEKLY rule with INTERVAL=1, or None for a meeting that does not recur
    rule: tuple[str, int] | None = None
    cancelled: set[str] = field(default_factory=set)
    #: slot key -> the properties the exceptional scheduled meeting has of its own
    exceptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    registrants: int = 0

    @staticmethod
    def rule_of(text: str | None) -> tuple[str, int] | None:
        if not text:
            return None
        parts = dict(p.partition("=")[::2] for p in normal_recurrence(text).split(";"))
        assert parts.get("INTERVAL", "1") == "1" and parts.get("FREQ") in ("DAILY", "WEEKLY"), text
        return parts["FREQ"], int(parts["COUNT"])

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def slots(self) -> list[datetime]:
        """The original UTC starts of the live (not cancelled) occurrences."""
        if self.rule is None:
            every = [self.start]
        else:
            step = timedelta(days=1 if self.rule[0] == "DAILY" else 7)
            every = [self.start + i * step for i in range(self.rule[1])]
        return [s.astimezone(UTC) for s in every if slot_key(s) not in self.cancelled]

    def occurrence_id(self, slot: datetime) -> str:
        """docs/wire.md J11: the one scheduled meeting of a meeting that does not recur has the series' id."""
        return self.id if self.rule is None else f"{self.id}_{slot_key(slot)}"

    def slot_of(self, occurrence_id: str) -> datetime | None:
        return next((s for s in self.slots() if self.occurrence_id(s) == occurrence_id), None)

    def series_state(self, now: datetime) -> str:
        slots = self.slots()
        if any(s <= now < s + self.duration for s in slots):
            return "inProgress"
        return "active" if any(s > now for s in slots) else "expired"

    @staticmethod
    def occurrence_state(slot: datetime, duration: timedelta, now: datetime) -> str:
        if now < slot:
            return "scheduled"
        return "ready" if now < slot + duration else "ended"

    def next_scheduled(self, now: datetime) -> datetime | None:
        """List Meetings by number (``current``): the occurrence happening now or next."""
        return next((s for s in self.slots() if s + self.duration > now), None)

    def occurrence_json(self, slot: datetime) -> dict[str, Any]:
        """The expected properties of the scheduled meeting at ``slot`` (the series' and its own)."""
        merged = {**self.json, **self.exceptions.get(slot_key(slot), {})}
        return {k: v for k, v in merged.items() if v is not ABSENT}

    def times_after(self, body: dict[str, Any]) -> tuple[datetime, datetime]:
        """The start and end a body gives the series (seconds stripped)."""
        start = minute(instant(body["start"])) if body.get("start") else self.start
        end = minute(instant(body["end"])) if body.get("end") else self.end
        return start, end

    def window_problem(self, body: dict[str, Any], now: datetime) -> str | None:
        """003 (``rest-time-window``): changed times must not start or end before now."""
        start, end = self.times_after(body)
        if (start, end) != (self.start, self.end) and min(start, end) < now:
            return "new times of a series whose start has passed (rest-time-window)"
        return None

    def apply_times(self, body: dict[str, Any]) -> bool:
        """Take an accepted body's start/end (seconds stripped); True when the series moved."""
        start, end = self.times_after(body)
        moved = (start, end) != (self.start, self.end)
        self.start, self.end = start, end
        return moved


def error_text(response: RestResponse) -> str:
    return f"{response.describe()} {response.descriptions}"
