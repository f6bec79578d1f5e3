"""Meeting-type service (``java:com.webex.service.binding.meetingtype.*``): GetMeetingType, LstMeetingType.

The seeds document only ``SupportPrivateMeeting`` (001, 40.12.0); the rest of the shape follows
the public XML API reference as integrators use it: the namespace
``http://www.webex.com/schemas/2002/06/service/meetingtype`` with the prefix ``mtgtype``;
GetMeetingType answers one type's elements directly in the body, LstMeetingType wraps each in
``mtgtype:meetingType`` after ``mtgtype:matchingRecords``.

A site's meeting types: 1 (Standard) and 3 (PRO, as in 001's GetSite sample), plus every ID in
the site setting ``private_meeting_types`` (001, 40.12.0: "169 is a sample which supports
Private Meeting"). :func:`meeting_types` is the one list, for other services (GetSite) too.
"""

from __future__ import annotations

from dataclasses import dataclass

from webex_harness.emulator.dispatch import Call, handler
from webex_harness.emulator.model import Site
from webex_harness.emulator.services import common
from webex_harness.emulator.services.meeting import PRIVATE_MEETING
from webex_harness.emulator.xmlio import Element, Elements
from webex_harness.webex.errors import invalid_value, no_record_found


@dataclass(frozen=True, slots=True)
class MeetingType:
    type_id: int
    prefix: str
    name: str
    private: bool


def meeting_types(site: Site) -> list[MeetingType]:
    """The site's meeting types in ID order (behaviour ``private-meeting``)."""
    types = {1: MeetingType(1, "STD", "Standard Meeting", False), 3: MeetingType(3, "PRO", "PRO", False)}
    for type_id in site.settings.private_meeting_types:
        types[type_id] = MeetingType(type_id, "PRV", f"Private Meeting {type_id}", True)
    return [types[k] for k in sorted(types)]


def _elements(call: Call, t: MeetingType) -> list[Element]:
    return [
        ("mtgtype:productCodePrefix", t.prefix),
        ("mtgtype:active", "ACTIVATED"),
        ("mtgtype:name", t.name),
        ("mtgtype:displayName", t.name),
        ("mtgtype:limits", [("mtgtype:maxMeetingUser", 1000), ("mtgtype:maxMeetingDuration", 1440)]),
        ("mtgtype:options", [("mtgtype:supportE2E", False), ("mtgtype:hideInScheduler", False)]),
        (
            "mtgtype:phoneNumbers",
            [
                ("mtgtype:primaryTollCallInNumber", "1-408-555-0100"),
                ("mtgtype:primaryTollFreeCallInNumber", "1-800-555-0100"),
            ],
        ),
        ("mtgtype:meetingTypeID", t.type_id),
        ("mtgtype:serviceTypes", [("mtgtype:serviceType", "MeetingCenter")]),
        # 001, 40.12.0: "return a new element naming SupportPrivateMeeting"
        ("mtgtype:SupportPrivateMeeting", t.private and not call.fault(PRIVATE_MEETING)),
    ]


@handler("meetingtype", "GetMeetingType")
def get_meeting_type(call: Call) -> Elements:
    call.user()
    type_id = common.parse_int(call.node.get("meetingTypeID"), "meetingTypeID")
    if type_id is None:
        raise invalid_value("meetingTypeID")
    found = next((t for t in meeting_types(call.site) if t.type_id == type_id), None)
    if found is None:
        raise no_record_found()
    return _elements(call, found)


@handler("meetingtype", "LstMeetingType")
def lst_meeting_type(call: Call) -> Elements:
    call.user()
    types = meeting_types(call.site)
    chosen, start = common.page_of(call, call.node, types)
    return [
        common.matching_records("mtgtype", len(types), len(chosen), start),
        *[("mtgtype:meetingType", _elements(call, t)) for t in chosen],
    ]
