"""Attendee service (``java:com.webex.service.binding.attendee.*``).

CreateMeetingAttendee, RegisterMeetingAttendee (001, 40.8.0, 40.12.0 samples), LstMeetingAttendee,
DelMeetingAttendee (shapes: the public XML API reference) and GetEnrollmentInfo (001, 40.4.0
sample). Attendees can be added to a session of any kind (meeting, event, training …).
"""

from __future__ import annotations

from webex_harness.emulator.dispatch import Call, handler
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Attendee, Session
from webex_harness.emulator.services import common
from webex_harness.emulator.services.meeting_rules import REGISTRATION_FIELDS
from webex_harness.emulator.xmlio import Element, Elements, Node
from webex_harness.webex.errors import WebexError, no_record_found, webex_error

REGISTRATION_REQUIRED_FIELDS_040014 = declare(
    "registration-required-fields-040014",
    "answers 040014 with the missing fields in the wrong order and a reason without them",
)
ENROLLMENT_DOMAIN_EMPTY = declare(
    "enrollment-domain-empty", "GetEnrollmentInfo fills att:domain with a looked-up host name"
)

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
    missing = [f for f in REGISTRATION_FIELDS if session.registration_form.get(f) and not _person_value(person, f)]
    if not missing:
        return None
    if call.fault(REGISTRATION_REQUIRED_FIELDS_040014):
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


def _session_of(call: Call, body: Node, entry: Node) -> Session:
    keyed = entry.has("sessionKey") or entry.has("meetingUUID") or entry.has("meetingKey")
    return common.find_session(call, entry if keyed else body)


def _client_ip(call: Call) -> str:
    forwarded = call.headers.get("x-forwarded-for") or call.headers.get("x-real-ip") or ""
    first = forwarded.split(",")[0].strip()
    return first if first and len(first) <= 64 else "127.0.0.1"


def _add(call: Call, body: Node, *, register: bool) -> list[tuple[Attendee, Session]]:
    """Every check first (sessions, e-mails, registration forms), then the additions. Of several
    entries of one session sharing an e-mail only the first is processed (001, 40.12.0)."""
    entries = _entries(body)
    if not entries:
        raise webex_error("010001", "person")
    common.check_emails(call, body)
    checked: list[tuple[str, tuple[Node, Node, Session]]] = []
    for person, entry in entries:
        session = _session_of(call, body, entry)
        email = common.normalise_email(call, person.get("email"))
        checked.append((f"{session.key} {email}" if email else "", (person, entry, session)))
    kept = common.first_per_email(call, checked)
    for _, (person, _entry, session) in kept:
        error = missing_registration_fields(call, session, person)
        if error is not None:
            raise error
    duplicates_kept = call.fault(common.DUPLICATE_EMAIL_FIRST_WINS)
    added: list[tuple[Attendee, Session]] = []
    for tag, (person, entry, session) in kept:
        email = tag.split(" ", 1)[1] if tag else ""
        existing = session.attendee_by_email(email) if email else None
        if existing is not None and not duplicates_kept:
            added.append((existing, session))
            continue
        fields = {f: _person_value(person, f) for f in REGISTRATION_FIELDS if _person_value(person, f)}
        fields.update({k: v for k in ("firstName", "lastName") if (v := person.get(k) or "")})
        attendee = Attendee(
            call.site.next_id(),
            person.get("name") or " ".join(filter(None, [person.get("firstName"), person.get("lastName")])),
            email,
            role=entry.get("role") or "ATTENDEE",
            join_status=entry.get("joinStatus") or ("REGISTER" if register else "INVITE"),
            fields=fields,
        )
        if register:
            attendee.register_id = call.site.next_id()
            attendee.submit_time = common.format_date(call.now().replace(tzinfo=None))
            attendee.ip_address = _client_ip(call)
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
    return [("att:register", [("att:attendeeID", a.attendee_id), ("att:registerID", a.register_id)]) for a, _ in added]


@handler("attendee", "LstMeetingAttendee")
def lst_meeting_attendee(call: Call) -> Elements:
    call.user()
    session = common.find_session(call, call.node, not_found=no_record_found())
    offset, maximum = common.page(call, call.node, len(session.attendees))
    chosen = session.attendees[offset : offset + maximum]
    if not chosen:
        raise no_record_found()
    return [
        common.matching_records("att", len(session.attendees), len(chosen), offset + 1),
        *[
            (
                "att:attendee",
                [
                    (
                        "att:person",
                        [
                            ("com:name", a.name),
                            ("com:title", a.fields.get("title")),
                            ("com:company", a.fields.get("company")),
                            ("com:email", a.email),
                            ("com:type", "VISITOR"),
                        ],
                    ),
                    ("att:contactID", a.attendee_id),
                    ("att:joinStatus", a.join_status),
                    ("att:meetingKey", session.key),
                    ("att:meetingUUID", session.uuid),
                    ("att:sessionKey", session.key),
                    ("att:language", "ENGLISH"),
                    ("att:role", a.role),
                    ("att:attendeeId", a.attendee_id),
                ],
            )
            for a in chosen
        ],
    ]


def _attendee_ids(node: Node) -> list[str]:
    return [n.text for n in node.all("attendeeID") if n.text] + [
        n.text for n in node.findall("attendees/attendeeID") if n.text
    ]


@handler("attendee", "DelMeetingAttendee")
def del_meeting_attendee(call: Call) -> Elements:
    """``attendeeEmail/email`` + ``sessionKey``/``meetingUUID`` (repeatable), or ``attendeeID``s
    (public XML API reference). An unknown attendee is FAILURE 000015."""
    call.user()
    removals: list[tuple[Session, Attendee]] = []
    for block in call.node.all("attendeeEmail"):
        session = _session_of(call, call.node, block)
        common.require_owner(call, session)
        email = common.normalise_email(call, block.get("email"))
        attendee = session.attendee_by_email(email) if email else None
        if attendee is None:
            raise no_record_found()
        removals.append((session, attendee))
    for attendee_id in _attendee_ids(call.node):
        match = next(
            ((s, a) for s in call.site.sessions.values() for a in s.attendees if a.attendee_id == attendee_id.strip()),
            None,
        )
        if match is None:
            raise no_record_found()
        common.require_owner(call, match[0])
        removals.append(match)
    if not removals:
        raise webex_error("010001", "attendeeEmail")
    for session, attendee in removals:
        if attendee in session.attendees:
            session.attendees.remove(attendee)
    return []


def _domain(call: Call, ip: str) -> str:
    """Behaviour ``enrollment-domain-empty`` (001, 40.4.0): no DNS look-up, an empty domain. The
    fault answers what a reverse look-up would."""
    if not call.fault(ENROLLMENT_DOMAIN_EMPTY):
        return ""
    return "localhost" if ip.startswith("127.") else f"host-{ip.replace('.', '-').replace(':', '-')}.example.com"


def _enrollee(call: Call, a: Attendee) -> Element:
    first = a.fields.get("firstName") or (a.name.split(" ", 1)[0] if a.name else "")
    last = a.fields.get("lastName") or (a.name.split(" ", 1)[1] if " " in a.name else "")
    ip = a.ip_address or "127.0.0.1"
    return (
        "att:attendee",
        [
            ("att:attendeeID", a.attendee_id),
            (
                "att:enrollFields",
                [
                    (
                        "att:defaultFields",
                        [
                            ("att:firstName", first),
                            ("att:lastName", last),
                            ("att:email", a.email),
                            ("att:company", a.fields.get("company", "")),
                            ("att:phoneNum", a.fields.get("phone", "")),
                            ("att:title", a.fields.get("title", "")),
                            ("att:receiveInfo", False),
                            ("att:address1", a.fields.get("address1", "")),
                            ("att:address2", a.fields.get("address2", "")),
                            ("att:city", a.fields.get("city", "")),
                            ("att:state", a.fields.get("state", "")),
                            ("att:zipcode", a.fields.get("postalCode", "")),
                            ("att:country", a.fields.get("country", "")),
                            ("att:leadSourceID", ""),
                            ("att:leadScore", "0.0"),
                        ],
                    ),
                    ("att:customFields", []),
                ],
            ),
            ("att:domain", _domain(call, ip)),
            ("att:ipAddress", ip),
            ("att:submitTime", a.submit_time),
            ("att:status", "REJECTED" if a.join_status.upper() == "REJECT" else "APPROVED"),
        ],
    )


@handler("attendee", "GetEnrollmentInfo")
def get_enrollment_info(call: Call) -> Elements:
    """The 001 (40.4.0) sample's shape: ``att:session`` › ``att:confID``, the enrolled
    (registered) ``att:attendee``s, ``att:matchingRecords``, ``att:sessionKey`` — and
    ``att:meetingUUID`` (001, 40.8.0/40.9.0). No enrolment yet: FAILURE 000015."""
    call.user()
    session = common.find_session(call, call.node, not_found=no_record_found())
    enrolled = [a for a in session.attendees if a.register_id is not None]
    chosen, start = common.page_of(call, call.node, enrolled)
    return [
        (
            "att:session",
            [
                ("att:confID", session.conf_id),
                *[_enrollee(call, a) for a in chosen],
                common.matching_records("att", len(enrolled), len(chosen), start),
                ("att:sessionKey", session.key),
                ("att:meetingUUID", session.uuid),
            ],
        ),
    ]
