"""Meeting service (``java:com.webex.service.binding.meeting.*``): Meeting Center meetings."""

from __future__ import annotations

import secrets
from typing import Any

from emulator.dispatch import Call, handler
from emulator.model import Session
from emulator.services import common
from emulator.xmlio import Element, Elements, Node
from harness import timezones
from harness.errors import webex_error

#: registrationForm fields in form order (001, 40.6.1) — also the order 040014 lists them in.
REGISTRATION_FIELDS = (
    "title", "company", "address1", "address2", "city", "state", "postalCode", "country", "phone", "fax",
)


def _registration_form(node: Node | None, current: dict[str, bool]) -> dict[str, bool]:
    if node is None:
        return current
    form = dict(current)
    for name in REGISTRATION_FIELDS:
        field = node.child(name)
        if field is not None:
            form[name] = bool(common.parse_bool(field.get("req"), False))
    return form


def _attendees(call: Call, session: Session, node: Node) -> None:
    """``participants/attendees/attendee/person`` — stored with normalised e-mails."""
    for attendee in node.findall("participants/attendees/attendee"):
        person = attendee.child("person") or attendee
        email = common.normalise_email(call, person.get("email"))
        if email and session.attendee_by_email(email) is not None:
            continue
        from emulator.model import Attendee

        session.attendees.append(
            Attendee(call.site.next_id(), person.get("name") or "", email, role=attendee.get("role") or "ATTENDEE")
        )


def _apply(call: Call, session: Session, node: Node, *, creating: bool) -> None:
    """Apply a Create/SetMeeting body to ``session``."""
    tz = common.time_zone_id(node.find("schedule") or Node("schedule"), session.time_zone_id)
    start = common.parse_date(node.get("schedule/startDate"))
    if start is not None:
        if start <= common.local_now(call, tz):
            raise webex_error("060016")
        session.start = start
    session.time_zone_id = tz
    duration = common.parse_int(node.get("schedule/duration"), "duration")
    if duration is not None:
        session.duration = duration
    name = node.get("metaData/confName")
    if name is not None:
        session.name = name
    meeting_type = common.parse_int(node.get("metaData/meetingType"), "meetingType")
    if meeting_type is not None:
        session.meeting_type = meeting_type
    if not creating:
        password = node.get("accessControl/meetingPassword")
        if password:
            session.password = password
    for section in ("metaData", "enableOptions", "schedule", "telephony", "attendeeOptions",
                    "accessControl", "remind", "tracking", "repeat"):
        part = node.child(section)
        if part is not None:
            stored = session.fields.setdefault(section, {})
            tree = part.to_tree()
            if isinstance(tree, dict):
                stored.update(tree)
    session.registration_form = _registration_form(node.child("registrationForm"), session.registration_form)
    _attendees(call, session, node)


@handler("meeting", "CreateMeeting")
def create_meeting(call: Call) -> Elements:
    host = call.user()
    node = call.node
    now_local = common.local_now(call, common.time_zone_id(node.find("schedule") or Node("schedule")))
    site = call.site
    session = Session(
        key=site.new_session_key(),
        uuid=secrets.token_hex(16),
        conf_id=common.digits(18),
        kind="meeting",
        host=host.webex_id,
        name="",
        start=now_local.replace(microsecond=0),
        duration=60,
    )
    _apply(call, session, node, creating=True)
    if node.get("schedule/startDate") is None:
        # No start date: Webex schedules the meeting for "now" (plus a few minutes).
        from datetime import timedelta

        session.start = (now_local + timedelta(minutes=5)).replace(microsecond=0)
    session.password = common.password_for_create(call, node.get("accessControl/meetingPassword"))
    site.add_session(session)
    base = common.site_url(call)
    return [
        ("meet:meetingkey", session.key),
        ("meet:meetingUUID", session.uuid),
        ("meet:meetingPassword", session.password),
        ("meet:iCalendarURL", [
            ("serv:host", f"{base}/{site.name}/j.php?MTID=m{secrets.token_hex(16)}&ICS=MIFH"),
            ("serv:attendee", f"{base}/{site.name}/j.php?MTID=m{secrets.token_hex(16)}&ICS=MIFA"),
        ]),
        ("meet:guestToken", session.guest_token),
    ]


@handler("meeting", "SetMeeting")
def set_meeting(call: Call) -> Elements:
    call.user()
    session = common.find_session(call, call.node, ("meeting",))
    _apply(call, session, call.node, creating=False)
    base = common.site_url(call)
    return [
        ("meet:iCalendarURL", [
            ("serv:host", f"{base}/{call.site.name}/j.php?MTID=m{session.guest_token}&ICS=MIFH"),
            ("serv:attendee", f"{base}/{call.site.name}/j.php?MTID=m{session.guest_token}&ICS=MIFA"),
        ]),
    ]


def _fields(prefix: str, stored: Any) -> list[Element]:
    """Render stored request elements back under ``prefix``."""
    if not isinstance(stored, dict):
        return []
    out: list[Element] = []
    for name, value in stored.items():
        items = value if isinstance(value, list) else [value]
        for item in items:
            out.append((f"{prefix}:{name}", _fields(prefix, item) if isinstance(item, dict) else item))
    return out


def meeting_link(call: Call, session: Session) -> str:
    return f"{common.site_url(call)}/{call.site.name}/j.php?MTID=m{session.guest_token}"


def sip_url(call: Call, session: Session) -> str:
    return f"{session.key}@{call.site.name.lower()}.webex.com"


@handler("meeting", "GetMeeting")
def get_meeting(call: Call) -> Elements:
    call.user()
    s = common.find_session(call, call.node, ("meeting",))
    f = s.fields
    meta = {k: v for k, v in f.get("metaData", {}).items() if k not in ("confName", "meetingType")}
    schedule = {
        k: v for k, v in f.get("schedule", {}).items()
        if k not in ("startDate", "duration", "timeZoneID", "timeZone", "timezoneID")
    }
    access = {k: v for k, v in f.get("accessControl", {}).items() if k != "meetingPassword"}
    telephony = {k: v for k, v in f.get("telephony", {}).items() if k != "callInNum"}
    private = s.meeting_type in call.site.settings.private_meeting_types
    return [
        ("meet:accessControl", [
            ("meet:listToPublic", access.pop("listToPublic", "false")),
            ("meet:isPublic", access.pop("isPublic", "false")),
            ("meet:meetingPassword", s.password or ""),
            *_fields("meet", access),
        ]),
        ("meet:metaData", [
            ("meet:confName", s.name),
            ("meet:meetingType", s.meeting_type),
            *_fields("meet", meta),
            ("meet:isPrivateMeeting", private),
        ]),
        ("meet:participants", [
            ("meet:maxUserNumber", f.get("participants", {}).get("maxUserNumber", "4")
             if isinstance(f.get("participants"), dict) else "4"),
            ("meet:attendees", [
                ("meet:attendee", [
                    ("meet:person", [("com:name", a.name), ("com:email", a.email), ("com:type", "VISITOR")]),
                    ("meet:role", a.role),
                    ("meet:joinStatus", a.join_status),
                ]) for a in s.attendees
            ]),
        ]),
        ("meet:enableOptions", _fields("meet", f.get("enableOptions", {}))),
        ("meet:schedule", [
            ("meet:startDate", common.format_date(s.start)),
            ("meet:timeZoneID", s.time_zone_id),
            ("meet:timeZone", timezones.display_name(s.time_zone_id)),
            ("meet:duration", s.duration),
            ("meet:hostWebExID", s.host),
            *_fields("meet", schedule),
        ]),
        ("meet:telephony", [
            ("meet:telephonySupport", telephony.pop("telephonySupport", "CALLIN")),
            *_fields("meet", telephony),
            ("meet:callInNum", [("serv:tollNum", "1-408-555-0100"), ("serv:tollFreeNum", "1-800-555-0100")]),
        ]),
        ("meet:attendeeOptions", _fields("meet", f.get("attendeeOptions", {}))),
        ("meet:registrationForm", [
            (f"meet:{name}", [("meet:req", s.registration_form.get(name, False))]) for name in REGISTRATION_FIELDS
        ]),
        ("meet:meetingkey", s.key),
        ("meet:meetingUUID", s.uuid),
        ("meet:status", s.status),
        ("meet:hostJoined", s.host_in_meeting),
        ("meet:participantsJoined", s.attendees_in_meeting > 0),
        ("meet:hostKey", s.guest_token[:6].translate(str.maketrans("abcdef", "123456"))),
        ("meet:meetingLink", meeting_link(call, s)),
        ("meet:sipURL", sip_url(call, s)),
        ("meet:displayMeetingUrl", sip_url(call, s)),
        ("meet:audioPassword", s.key[-8:]),
        ("meet:isEnforceAudioPassword", False),
        ("meet:isEnforceAudioLogin", False),
    ]


@handler("meeting", "DelMeeting")
def del_meeting(call: Call) -> Elements:
    call.user()
    session = common.find_session(call, call.node, ("meeting",))
    call.site.remove_session(session.key)
    return [("meet:iCalendarURL", [("serv:attendee", f"{common.site_url(call)}/{call.site.name}/j.php?ICS=MC")])]
