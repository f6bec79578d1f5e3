"""Event Center programs and recorded events: LstsummaryProgram and LstrecordedEvent.

The site's programs and recorded events live in :class:`emulator.program_store.ProgramStore`
(``Site.programs``). Shapes follow the Event schema as public clients use it (``programSummaryType``:
programID, programName, hostWebExID, expectedEnrollment, budget, status, programURL,
afterEnrollmentURL; ``recordedEventsType``: webExID and its recordedEvent list); the guide's pages
(lstsummaryprogram, lstrecordedevent) could not be read here. Both answer ``matchingRecords``
first, like LstsummaryEvent, and are paged by ``listControl``; nothing to list is 000015.

LstsummaryProgram lists every program of the site (a program is the site's, not a host's), or the
one ``programID`` names, ordered by ``order/orderBy`` PROGRAMNAME (default) or PROGRAMID.
LstrecordedEvent lists the recorded events that ``hostWebExID``, ``programID`` and ``dateScope``
(on the recording's start) select, grouped by host.

Behaviours: ``program-summary``, ``recorded-events``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from itertools import groupby

from webex_harness.emulator.dispatch import Call, handler
from webex_harness.emulator.faults import declare
from webex_harness.emulator.program_store import Program, RecordedEvent
from webex_harness.emulator.services import common
from webex_harness.emulator.xmlio import Element, Elements
from webex_harness.webex import timezones

PROGRAM_SUMMARY = declare("program-summary", "LstsummaryProgram lists every program whatever programID names")
RECORDED_EVENTS = declare("recorded-events", "LstrecordedEvent ignores programID (lists every recorded event)")


def _site_url(call: Call, path: str) -> str:
    return f"https://{call.site.name}.webex.com/{call.site.name}/{path}"


def _program(call: Call, p: Program) -> list[Element]:
    return [
        ("event:programID", p.program_id),
        ("event:programName", p.name),
        ("event:hostWebExID", p.host),
        ("event:expectedEnrollment", p.expected_enrollment),
        ("event:budget", p.budget),
        ("event:status", p.listing),
        ("event:programURL", _site_url(call, f"onstage/g.php?p={p.program_id}&t=p")),
        ("event:afterEnrollmentURL", _site_url(call, f"onstage/g.php?p={p.program_id}&t=e")),
    ]


@handler("event", "LstsummaryProgram")
def lst_summary_program(call: Call) -> Elements:
    call.user()
    node = call.node
    programs = call.site.programs.programs()
    wanted = common.parse_int(node.get("programID"), "programID")
    if wanted is not None and not call.fault(PROGRAM_SUMMARY):
        programs = [p for p in programs if p.program_id == wanted]
    order = node.child("order")
    by = (order.get("orderBy") or "PROGRAMNAME").upper() if order is not None else "PROGRAMNAME"
    descending = order is not None and (order.get("orderAD") or "ASC").upper() == "DESC"
    if by == "PROGRAMID":
        programs.sort(key=lambda p: p.program_id, reverse=descending)
    else:
        programs.sort(key=lambda p: p.name.lower(), reverse=descending)
    chosen, start = common.page_of(call, node, programs)
    return [
        common.matching_records("event", len(programs), len(chosen), start),
        *[("event:program", _program(call, p)) for p in chosen],
    ]


def _recorded(call: Call, r: RecordedEvent, tz: int) -> list[Element]:
    start = r.start.replace(tzinfo=UTC).astimezone(timezones.offset(tz)).replace(tzinfo=None)
    return [
        ("event:eventName", r.name),
        ("event:eventType", r.event_type),
        ("event:recordingStartTime", common.format_date(start)),
        ("event:timeZoneID", tz),
        ("event:playTime", r.play_seconds),
        ("event:panelistsInfo", ""),
        ("event:description", r.description),
        ("event:recordFilePath", ""),
        ("event:destinationURL", ""),
        ("event:size", r.size_bytes),
        ("event:isAccessPassword", r.access_password),
        ("event:isEnrollmentPassword", False),
        ("event:hostWebExID", r.host),
        ("event:viewURL", _site_url(call, f"lsr.php?RCID={r.program_id or 0}{int(r.start.timestamp())}")),
    ]


def _bound(node_text: str | None, name: str, tz: int) -> datetime | None:
    value = common.parse_date(node_text, name)
    if value is None:
        return None
    return value.replace(tzinfo=timezones.offset(tz)).astimezone(UTC).replace(tzinfo=None)


@handler("event", "LstrecordedEvent")
def lst_recorded_event(call: Call) -> Elements:
    caller = call.user()
    node = call.node
    events = list(call.site.programs.recorded)
    host = node.get("hostWebExID")
    if host:
        events = [r for r in events if r.host.lower() == host.strip().lower()]
    program_id = common.parse_int(node.get("programID"), "programID")
    if program_id is not None and not call.fault(RECORDED_EVENTS):
        events = [r for r in events if r.program_id == program_id]
    scope = node.child("dateScope")
    tz = caller.time_zone_id
    if scope is not None:
        tz = common.time_zone_id(scope, tz)
        low = _bound(scope.get("startDateStart"), "startDateStart", tz)
        high = _bound(scope.get("startDateEnd"), "startDateEnd", tz)
        events = [r for r in events if (low is None or r.start >= low) and (high is None or r.start <= high)]
    events.sort(key=lambda r: (r.host.lower(), r.start))
    chosen, start = common.page_of(call, node, events)
    return [
        common.matching_records("event", len(events), len(chosen), start),
        *[
            (
                "event:event",
                [("event:webExID", owner), *[("event:recordedEvent", _recorded(call, r, tz)) for r in group]],
            )
            for owner, group in groupby(chosen, key=lambda r: r.host)
        ],
    ]
