"""History service (``java:com.webex.service.binding.history.*``): the 14 ``Lst*History`` APIs.

Records come from :attr:`emulator.model.Site.history` (:mod:`emulator.history_store`), which fills without
the control API:

* a session deleted (DelMeeting, DelSession, …) is recorded when it is deleted;
* a session whose end (start + duration) has passed on the site clock is recorded the next time
  any history API is called;
* every site also carries a few deterministic past sessions of each kind (meeting, event,
  training, support) eight days before the site was created, hosted by its first non-admin
  user, so a fresh site answers every valid history request;
* Access Anywhere records are deterministic per user (three each, same day).

Only ``LstAccessAnywhereHistory`` is documented with samples (001, 40.1.0): ``history:matchingRecords``
then ``history:accessAnyWhereInfo`` entries, ``xsi:type="history:LstAccessAnywhereHistoryResponse"``.
The others are only named by the seeds (meetingUUID support, 40.7.0–40.9.0); their shape follows
that sample and the public XML API reference as integrators use it. Preliminary histories report
the same records as the final ones (the emulator has no reporting delay).

Site administrators (and every caller of the lenient default site) see every record; other
users see the sessions they hosted. Times are shown in the session's time zone; date scopes
are read in the request's ``timeZoneID``, else GMT, and apply unless a key, meetingUUID or
confID names the session.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.history_store import HistoryRecord
from webex_harness.emulator.services import common
from webex_harness.emulator.services.site import descending, handler, is_site_admin, paged
from webex_harness.emulator.xmlio import Element, Elements, Node
from webex_harness.webex import timezones

ACCESS_ANYWHERE_HISTORY = declare(
    "access-anywhere-history", "LstAccessAnywhereHistory answers without history:matchingRecords"
)

_SEED_KINDS = ("meeting", "event", "training", "support")
_SEED_ATTENDEES = (("Ann Example", "ann.example@example.com"), ("Bo Example", "bo.example@example.com"))


# ---------------------------------------------------------------- the store


def _seed_day(call: Call) -> datetime:
    """20:00 UTC, eight days before the site was created (inside the generators' date scopes)."""
    day = (call.site.created_at - timedelta(days=8)).date()
    return datetime(day.year, day.month, day.day, 20, 0, 0)


def _seed_owner(call: Call) -> tuple[str, str]:
    users = list(call.site.users.values())
    owner = next((u for u in users if not u.site_admin), users[0] if users else None)
    return (owner.webex_id, owner.email) if owner is not None else ("host", "host@example.com")


def _digest(*parts: object) -> str:
    return hashlib.sha256(":".join(str(p) for p in parts).encode()).hexdigest()


def _seed(call: Call) -> None:
    site = call.site
    if site.history_seeded:
        return
    site.history_seeded = True
    host, email = _seed_owner(call)
    base = _seed_day(call)
    for k, kind in enumerate(_SEED_KINDS):
        for i in range(2):
            digest = _digest(site.name, kind, i)
            start = base + timedelta(minutes=k * 30 + i * 120)
            site.history.append(
                HistoryRecord(
                    kind=kind,
                    key=str(int(digest[:8], 16) % 900_000_000 + 100_000_000),
                    uuid=digest[:32],
                    conf_id=str(int(digest[8:24], 16)).rjust(18, "1")[:18],
                    name=f"Past {kind} {i + 1}",
                    host=host,
                    host_email=email,
                    start=start,
                    end=start + timedelta(minutes=25 + 5 * i),
                    time_zone_id=4,
                    participants=[(host, email), *_SEED_ATTENDEES],
                )
            )


def ensure_history(call: Call) -> list[HistoryRecord]:
    """Seed the site once, record every session whose end has passed; the whole store."""
    _seed(call)
    now = call.now()
    for session in list(call.site.sessions.values()):
        if common.start_utc(session) + timedelta(minutes=session.duration) <= now:
            call.site.record_history(session)
    return list(call.site.history)


# ---------------------------------------------------------------- selection


def _bound(node: Node, path: str, tz: int | None) -> datetime | None:
    value = common.parse_date(node.get(path), path.rsplit("/", 1)[-1])
    if value is None:
        return None
    if tz is not None:
        value = value.replace(tzinfo=timezones.offset(tz)).astimezone(UTC).replace(tzinfo=None)
    return value


def _in_time_scope(node: Node, start: datetime, end: datetime) -> bool:
    tz = common.parse_int(node.get("timeZoneID"), "timeZoneID")
    checks = (
        ("startTimeScope/sessionStartTimeStart", start, True),
        ("startTimeScope/sessionStartTimeEnd", start, False),
        ("endTimeScope/sessionEndTimeStart", end, True),
        ("endTimeScope/sessionEndTimeEnd", end, False),
    )
    for path, value, lower in checks:
        bound = _bound(node, path, tz)
        if bound is not None and ((lower and value < bound) or (not lower and value > bound)):
            return False
    return True


def _records(call: Call, kinds: tuple[str, ...]) -> list[HistoryRecord]:
    """The records of ``kinds`` the caller may see, filtered and ordered as the request says."""
    caller = call.user()
    node = call.node
    records = [r for r in ensure_history(call) if r.kind in kinds]
    if not is_site_admin(call, caller):
        records = [r for r in records if r.host.lower() == caller.webex_id.lower()]
    host = (node.get("hostWebExID") or node.get("hostWebexID") or "").strip().lower()
    if host:
        records = [r for r in records if r.host.lower() == host]
    key, uuid = common.key_and_uuid(call, node)
    conf_id = (node.get("confID") or "").strip()
    if key:
        records = [r for r in records if r.key == key.strip()]
    if uuid:
        records = [r for r in records if r.uuid == uuid.strip().lower()]
    if conf_id:
        records = [r for r in records if r.conf_id == conf_id]
    if not (key or uuid or conf_id):
        # A key, meetingUUID or confID names one session completely; the time scopes narrow
        # searches without one (the public reference's reading; the seeds are silent).
        records = [r for r in records if _in_time_scope(node, r.start, r.end)]
    by = (node.get("order/orderBy") or "STARTTIME").strip().upper()
    sort_key: Callable[[HistoryRecord], tuple[Any, ...]] = (
        (lambda r: (r.name.lower(), r.start)) if by == "CONFNAME" else (lambda r: (r.start, r.key))
    )
    records.sort(key=sort_key, reverse=descending(node))
    return records


def _local(record: HistoryRecord, when: datetime) -> str:
    offset = timezones.offset(record.time_zone_id).utcoffset(None)
    return common.format_date(when + offset)


# ---------------------------------------------------------------- rendering


def _session_entry(r: HistoryRecord, session_key_tag: str = "sessionKey") -> list[Element]:
    return [
        (f"history:{session_key_tag}", r.key),
        ("history:meetingUUID", r.uuid),
        ("history:confID", r.conf_id),
        ("history:confName", r.name),
        ("history:hostWebExID", r.host),
        ("history:hostEmail", r.host_email),
        ("history:timeZoneID", r.time_zone_id),
        ("history:timezone", timezones.display_name(r.time_zone_id)),
    ]


def _meeting_usage(r: HistoryRecord) -> list[Element]:
    return [
        *_session_entry(r, "meetingKey"),
        ("history:meetingType", r.meeting_type),
        ("history:meetingStartTime", _local(r, r.start)),
        ("history:meetingEndTime", _local(r, r.end)),
        ("history:duration", r.duration),
        ("history:totalParticipants", len(r.participants)),
        ("history:totalParticipantsVoip", 0),
        ("history:totalParticipantsCallIn", 0),
        ("history:totalPeopleMinutes", r.duration * len(r.participants)),
        ("history:peakAttendee", len(r.participants)),
    ]


def _session_usage(r: HistoryRecord) -> list[Element]:
    return [
        *_session_entry(r),
        ("history:sessionStartTime", _local(r, r.start)),
        ("history:sessionEndTime", _local(r, r.end)),
        ("history:duration", r.duration),
        ("history:totalAttendee", max(0, len(r.participants) - 1)),
        ("history:totalPeopleMinutes", r.duration * len(r.participants)),
    ]


def _attendee(r: HistoryRecord, name: str, email: str, key_tag: str, index: int) -> list[Element]:
    return [
        (f"history:{key_tag}", r.key),
        ("history:meetingUUID", r.uuid),
        ("history:confID", r.conf_id),
        ("history:confName", r.name),
        ("history:name", name),
        ("history:email", email),
        ("history:participantType", "HOST" if index == 0 else "ATTENDEE"),
        ("history:joinTime", _local(r, r.start)),
        ("history:leaveTime", _local(r, r.end)),
        ("history:duration", r.duration),
        ("history:ipAddress", f"10.{int(_digest(r.key)[:2], 16)}.{index}.{10 + index}"),
        ("history:clientAgent", "WINDOWS,IE"),
    ]


def _poll(r: HistoryRecord) -> list[Element]:
    return [
        *_session_entry(r),
        ("history:pollName", "Session feedback"),
        ("history:question", "How useful was this session?"),
        ("history:answer", "Very useful"),
        ("history:respondents", max(0, len(r.participants) - 1)),
        ("history:startTime", _local(r, r.start)),
        ("history:endTime", _local(r, r.end)),
    ]


@dataclass(frozen=True, slots=True)
class _Kind:
    kinds: tuple[str, ...]
    tag: str
    per_attendee: bool
    render: Callable[[HistoryRecord], list[Element]] | None = None
    key_tag: str = "sessionKey"


def _answer(call: Call, spec: _Kind) -> Elements:
    records = _records(call, spec.kinds)
    if spec.per_attendee:
        rows: list[list[Element]] = [
            _attendee(r, name, email, spec.key_tag, i)
            for r in records
            for i, (name, email) in enumerate(r.participants)
        ]
    else:
        render = spec.render or _session_usage
        rows = [render(r) for r in records]
    chosen, matching = paged(call, call.node, rows, "history")
    return [matching, *[(f"history:{spec.tag}", row) for row in chosen]]


_MEETING = ("meeting", "teleconference")
_APIS: dict[str, _Kind] = {
    "LstmeetingusageHistory": _Kind(_MEETING, "meetingUsageHistory", False, _meeting_usage),
    "LstmeetingattendeeHistory": _Kind(_MEETING, "meetingAttendeeHistory", True, key_tag="meetingKey"),
    "LsttrainingsessionHistory": _Kind(("training",), "trainingSessionHistory", False),
    "LsttrainingattendeeHistory": _Kind(("training",), "trainingAttendeeHistory", True),
    "LsteventsessionHistory": _Kind(("event",), "eventSessionHistory", False),
    "LsteventattendeeHistory": _Kind(("event",), "eventAttendeeHistory", True),
    "LstsupportsessionHistory": _Kind(("support",), "supportSessionHistory", False),
    "LstsupportattendeeHistory": _Kind(("support",), "supportAttendeeHistory", True),
    "LstmeetingusagePreliminaryHistory": _Kind(_MEETING, "meetingUsageHistory", False, _meeting_usage),
    "LstmeetingattendeePreliminaryHistory": _Kind(_MEETING, "meetingAttendeeHistory", True, key_tag="meetingKey"),
    "LsteventsessionPreliminaryHistory": _Kind(("event",), "eventSessionHistory", False),
    "LsteventattendeePreliminaryHistory": _Kind(("event",), "eventAttendeeHistory", True),
    "LstTrainingPollResultsHistory": _Kind(("training",), "pollResult", False, _poll),
}


def _register(api: str, spec: _Kind) -> None:
    def answer(call: Call) -> Elements:
        return _answer(call, spec)

    answer.__name__ = f"lst_{api.lower()}"
    answer.__doc__ = f"{api}: {spec.tag} entries of ended {'/'.join(spec.kinds)} sessions, paged."
    handler("history", api)(answer)


for _api, _spec in _APIS.items():
    _register(_api, _spec)


# ---------------------------------------------------------------- Access Anywhere (001, 40.1.0)


@dataclass(frozen=True, slots=True)
class AccessAnywhere:
    conf_id: str
    user_name: str
    computer_name: str
    client_ip: str
    start: datetime
    end: datetime

    @property
    def duration(self) -> int:
        return max(1, int((self.end - self.start).total_seconds()) // 60)


def access_anywhere_records(call: Call) -> list[AccessAnywhere]:
    """Three deterministic remote-access sessions per user of the site, eight days before the
    site was created (from 20:00 UTC)."""
    base = _seed_day(call)
    out: list[AccessAnywhere] = []
    for user in call.site.users.values():
        for i in range(3):
            digest = _digest(call.site.name, user.webex_id.lower(), "aa", i)
            start = base + timedelta(minutes=i * 70 + int(digest[:2], 16) % 50)
            out.append(
                AccessAnywhere(
                    conf_id=str(int(digest[2:10], 16) % 900_000 + 100_000),
                    user_name=user.webex_id,
                    computer_name=f"{int(digest[10:14], 16) % 9000 + 1000}_{user.webex_id}",
                    client_ip=".".join(
                        (
                            "10",
                            str(int(digest[14:16], 16)),
                            str(int(digest[16:18], 16)),
                            str(int(digest[18:20], 16) % 254 + 1),
                        )
                    ),
                    start=start,
                    end=start + timedelta(minutes=5 + int(digest[20:22], 16) % 15, seconds=int(digest[22:24], 16) % 60),
                )
            )
    return out


_AA_ORDER: dict[str, Callable[[AccessAnywhere], tuple[Any, ...]]] = {
    "STARTTIME": lambda a: (a.start, a.conf_id),
    "CONFID": lambda a: (int(a.conf_id), a.start),
    "USERNAME": lambda a: (a.user_name.lower(), a.start),
}


@handler("history", "LstAccessAnywhereHistory", "history:LstAccessAnywhereHistoryResponse")
def lst_access_anywhere_history(call: Call) -> Elements:
    """Behaviour ``access-anywhere-history``: the 40.1.0 sample's shape, paged by ``listControl``,
    narrowed by ``hostWebexID`` and the start/end time scopes (GMT), ordered by ``order``."""
    caller = call.user()
    node = call.node
    records = access_anywhere_records(call)
    if not is_site_admin(call, caller):
        records = [a for a in records if a.user_name.lower() == caller.webex_id.lower()]
    host = (node.get("hostWebexID") or "").strip().lower()
    if host:
        records = [a for a in records if a.user_name.lower() == host]
    records = [a for a in records if _in_time_scope(node, a.start, a.end)]
    by = (node.get("order/orderBy") or "STARTTIME").strip().upper()
    records.sort(key=_AA_ORDER.get(by, _AA_ORDER["STARTTIME"]), reverse=descending(node))
    chosen, matching = paged(call, node, records, "history")
    head: list[Element] = [] if call.fault(ACCESS_ANYWHERE_HISTORY) else [matching]
    return [
        *head,
        *[
            (
                "history:accessAnyWhereInfo",
                [
                    ("history:confID", a.conf_id),
                    ("history:userName", a.user_name),
                    ("history:computerName", a.computer_name),
                    ("history:clientIP", a.client_ip),
                    ("history:startTime", common.format_date(a.start)),
                    ("history:endTime", common.format_date(a.end)),
                    ("history:duration", a.duration),
                ],
            )
            for a in chosen
        ],
    ]
