"""Attendee service (``java:com.webex.service.binding.attendee.*``)."""

from __future__ import annotations

from emulator.dispatch import Call, handler
from emulator.faults import declare
from emulator.model import Attendee, Session
from emulator.services import common
from emulator.services.meeting import REGISTRATION_FIELDS
from emulator.xmlio import Elements, Node
from harness.errors import WebexError, no_record_found, webex_error

declare("registration-required-fields-040014", "answers 040014 with the missing fields in the wrong order and a reason "
        "without them")

#: where each registration-form field sits in an attendee's ``person`` (first match wins)
_PERSON_PATHS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "company": ("company",),
    "address1": ("address/address1", "address1"),
    "address2": ("address/address2", "address2"),
    "city": ("address/city", "city"),
    "state": ("address/state", "state"),
    "postalCode": ("address/zipCode", "address/postalCode", "zipCode", "postalCode"),
    "country": ("address/country", "country"),
    "phone": ("phones/phone", "phone"),
    "fax": ("phones/fax", "fax"),
}


def _person_value(person: Node, field: str) -> str:
    for path in _PERSON_PATHS[field]:
        value = person.get(path)
        if value:
            return value
    return ""


def missing_registration_fields(call: Call, session: Session, person: Node) -> WebexError | None:
    """Behaviour ``registration-required-fields-040014``: the required fields the person lacks."""
    missing = [
        f for f in REGISTRATION_FIELDS if session.registration_form.get(f) and not _person_value(person, f)
    ]
    if not missing:
        return None
    if call.fault("registration-required-fields-040014"):
        # Broken on purpose: fields in the wrong order, reason without the listing.
        return WebexError("040014", "Missing required fields (registration form)", ",".join(sorted(missing)))
    listing = ",".join(missing)
    return webex_error("040014", listing, value=listing)


def _entries(node: Node) -> list[tuple[Node, Node]]:
    """(person, entry) pairs: a top-level ``person`` and every ``attendees`` block, in order."""
    entries: list[tuple[Node, Node]] = []
    top = node.child("person")
    if top is not None:
        entries.append((top, node))
    for block in node.all("attendees"):
        person = block.child("person")
        if person is not None:
            entries.append((person, block))
    return entries


def _add(call: Call, body: Node, *, register: bool) -> list[tuple[Attendee, Session]]:
    entries = _entries(body)
    if not entries:
        raise webex_error("010001", "person")
    added: list[tuple[Attendee, Session]] = []
    seen: set[tuple[str, str]] = set()
    for person, entry in entries:
        session = common.find_session(call, entry if entry.has("sessionKey") or entry.has("meetingUUID")
                                      or entry.has("meetingKey") else body)
        email = common.normalise_email(call, person.get("email"))
        if (session.key, email.lower()) in seen:
            continue  # duplicate e-mail in one request: only the first is processed (40.12.0)
        seen.add((session.key, email.lower()))
        error = missing_registration_fields(call, session, person)
        if error is not None:
            raise error
        existing = session.attendee_by_email(email) if email else None
        if existing is not None:
            added.append((existing, session))
            continue
        attendee = Attendee(
            call.site.next_id(),
            person.get("name") or " ".join(filter(None, [person.get("firstName"), person.get("lastName")])),
            email,
            role=entry.get("role") or "ATTENDEE",
            join_status=entry.get("joinStatus") or ("REGISTER" if register else "INVITE"),
            fields={f: _person_value(person, f) for f in REGISTRATION_FIELDS if _person_value(person, f)},
        )
        if register:
            attendee.register_id = call.site.next_id()
        session.attendees.append(attendee)
        added.append((attendee, session))
    return added


@handler("attendee", "CreateMeetingAttendee")
def create_meeting_attendee(call: Call) -> Elements:
    call.user()
    return [("att:attendeeId", a.attendee_id) for a, _ in _add(call, call.node, register=False)]


@handler("attendee", "RegisterMeetingAttendee")
def register_meeting_attendee(call: Call) -> Elements:
    added = _add(call, call.node, register=True)
    return [
        ("att:register", [("att:attendeeID", a.attendee_id), ("att:registerID", a.register_id)]) for a, _ in added
    ]


@handler("attendee", "LstMeetingAttendee")
def lst_meeting_attendee(call: Call) -> Elements:
    call.user()
    session = common.find_session(call, call.node)
    offset, maximum = common.page(call, call.node, len(session.attendees))
    chosen = session.attendees[offset : offset + maximum]
    if not chosen:
        raise no_record_found()
    return [
        common.matching_records("att", len(session.attendees), len(chosen), offset + 1),
        *[
            ("att:attendee", [
                ("att:person", [
                    ("com:name", a.name),
                    ("com:title", a.fields.get("title")),
                    ("com:company", a.fields.get("company")),
                    ("com:email", a.email),
                    ("com:type", "VISITOR"),
                ]),
                ("att:contactID", a.attendee_id),
                ("att:joinStatus", a.join_status),
                ("att:meetingKey", session.key),
                ("att:meetingUUID", session.uuid),
                ("att:sessionKey", session.key),
                ("att:language", "ENGLISH"),
                ("att:role", a.role),
                ("att:attendeeId", a.attendee_id),
            ])
            for a in chosen
        ],
    ]
