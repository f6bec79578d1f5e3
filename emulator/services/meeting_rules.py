"""The meeting service's rules (moto's split: :mod:`emulator.services.meeting` reads the request and
shapes the answers): what a CreateMeeting/SetMeeting body may hold and how it changes a meeting —
start time (060016), locked lobby values, invitees' e-mails, the registration form, the sections kept
for read-back. Each check raises the Webex error the service answers; each behaviour's fault is
declared here, once.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Attendee, Session
from webex_harness.emulator.services import common
from webex_harness.emulator.xmlio import Node
from webex_harness.webex.errors import invalid_value, webex_error

START_TIME_IN_PAST = declare(
    "start-time-in-past", "accepts CreateMeeting/SetMeeting start times that have already passed (no 060016)"
)
SET_MEETING_KEEPS_UNNAMED = declare(
    "set-meeting-keeps-unnamed",
    "SetMeeting puts back what CreateMeeting stored for every element it does not name (what earlier "
    "SetMeetings wrote there is lost)",
)
LOCKED_LOBBY = declare(
    "locked-lobby",
    "accepts any externalAttendeeSecurity/autoLockWaitTime value and drops externalAttendeeSecurity from GetMeeting",
)

#: registrationForm fields in form order (001, 40.6.1) — also the order 040014 lists them in.
REGISTRATION_FIELDS = (
    "title",
    "company",
    "address1",
    "address2",
    "city",
    "state",
    "postalCode",
    "country",
    "phone",
    "fax",
)

#: Locked lobby (001, 40.9.0): the documented values.
EXTERNAL_ATTENDEE_SECURITY = ("AllowJoin", "AllowJoinWithLobby", "BlockFromJoin")
AUTO_LOCK_WAIT_TIMES = (0, 5, 10, 15, 20)

#: The sections of a Create/SetMeeting request kept for read-back, in getMeetingResponse order.
SECTIONS = (
    "accessControl",
    "metaData",
    "participants",
    "enableOptions",
    "schedule",
    "telephony",
    "tracking",
    "repeat",
    "remind",
    "attendeeOptions",
)


def registration_form(call: Call, node: Node | None, current: dict[str, bool]) -> dict[str, bool]:
    """``registrationForm/<field>/req`` (001, 40.6.1)."""
    if node is None:
        return current
    form = dict(current)
    for name in REGISTRATION_FIELDS:
        field = node.child(name)
        if field is not None:
            form[name] = bool(common.parse_bool(field.get("req"), False))
    return form


def check_lobby(call: Call, options: Node | None) -> None:
    """Behaviour ``locked-lobby`` (001, 40.9.0): only the documented values are accepted."""
    if options is None or call.fault(LOCKED_LOBBY) or not call.site.settings.consistent_locked_lobby:
        return
    security = options.get("externalAttendeeSecurity")
    if security is not None and security not in EXTERNAL_ATTENDEE_SECURITY:
        match = [v for v in EXTERNAL_ATTENDEE_SECURITY if v.lower() == security.lower()]
        if not match:
            raise invalid_value("externalAttendeeSecurity")
        stored = options.find("externalAttendeeSecurity")
        if stored is not None:  # always: get() found it
            stored.text = match[0]
    lock = options.get("autoLock")
    if lock is not None and common.parse_bool(lock) is None:
        raise invalid_value("autoLock")
    wait = options.get("autoLockWaitTime")
    if wait is not None:
        try:
            minutes = int(wait.strip())
        except ValueError:
            raise invalid_value("autoLockWaitTime") from None
        if minutes not in AUTO_LOCK_WAIT_TIMES:
            raise invalid_value("autoLockWaitTime")


def check_start(call: Call) -> Callable[[datetime, int], None]:
    def check(start: datetime, tz: int) -> None:
        """Behaviour ``start-time-in-past`` (001, 40.2.0): 060016 on the site clock."""
        if start <= common.local_now(call, tz) and not call.fault(START_TIME_IN_PAST):
            raise webex_error("060016")

    return check


def invitees(call: Call, node: Node) -> list[tuple[str, Node]]:
    """``participants/attendees/attendee``: e-mails checked and normalised, the first of an e-mail
    kept (behaviours ``email-no-whitespace``, ``email-lowercase``, ``duplicate-email-first-wins``)."""
    people: list[tuple[str, Node]] = []
    for attendee in node.findall("participants/attendees/attendee"):
        person = attendee.child("person") or attendee
        people.append((common.normalise_email(call, person.get("email")), attendee))
    return common.first_per_email(call, people)


def add_invitees(call: Call, session: Session, people: list[tuple[str, Node]]) -> None:
    for email, attendee in people:
        person = attendee.child("person") or attendee
        if email and session.attendee_by_email(email) is not None and not call.fault(common.DUPLICATE_EMAIL_FIRST_WINS):
            continue
        session.attendees.append(
            Attendee(
                call.site.next_id(),
                person.get("name") or " ".join(filter(None, [person.get("firstName"), person.get("lastName")])),
                email,
                role=attendee.get("role") or "ATTENDEE",
                join_status=attendee.get("joinStatus") or "INVITE",
                fields={"type": person.get("type") or "VISITOR"},
            )
        )


def _copy_tree(value: Any) -> Any:
    """A deep copy of a stored section (dicts, lists and strings, as :meth:`Node.to_tree` makes them),
    several times faster than :func:`copy.deepcopy`, which it falls back on for anything else."""
    kind = value.__class__
    if kind is str:
        return value
    if kind is dict:
        return {k: _copy_tree(v) for k, v in value.items()}
    if kind is list:
        return [_copy_tree(v) for v in value]
    return copy.deepcopy(value)


def forget_earlier_sets(session: Session) -> None:
    """The ``set-meeting-keeps-unnamed`` fault: every section back to what CreateMeeting stored, so
    that the running SetMeeting keeps only what it names itself. Behaviour (SetMeeting reference page):
    a SetMeeting changes the elements it names; every other one keeps its value, whoever wrote it."""
    created = session.created_sections
    for name in SECTIONS:
        if name in created:
            session.fields[name] = copy.deepcopy(created[name])
        else:
            session.fields.pop(name, None)


def apply_meeting(call: Call, session: Session, node: Node, *, creating: bool) -> None:
    """Apply a Create/SetMeeting body to ``session`` (all checks first, then the changes)."""
    common.check_emails(call, node)
    check_lobby(call, node.child("attendeeOptions"))
    template = common.session_template(call, node)
    people = invitees(call, node)
    meeting_type = common.parse_int(node.get("metaData/meetingType"), "meetingType")
    common.apply_schedule(call, session, node, check_start(call))
    name = node.get("metaData/confName")
    if name is not None:
        session.name = name
    if meeting_type is not None:
        session.meeting_type = meeting_type
    if not creating:
        password = node.get("accessControl/meetingPassword")
        if password:
            session.password = password
    if not creating and call.fault(SET_MEETING_KEEPS_UNNAMED):
        forget_earlier_sets(session)
    common.store_sections(call, session, node, SECTIONS, skip=("attendees", "meetingPassword"))
    if creating:
        fields = session.fields
        session.created_sections = {name: _copy_tree(fields[name]) for name in SECTIONS if name in fields}
    if template is not None:
        session.fields["sessionTemplate"] = {"use": template}
    session.registration_form = registration_form(call, node.child("registrationForm"), session.registration_form)
    add_invitees(call, session, people)


__all__ = [
    "AUTO_LOCK_WAIT_TIMES",
    "EXTERNAL_ATTENDEE_SECURITY",
    "LOCKED_LOBBY",
    "REGISTRATION_FIELDS",
    "SECTIONS",
    "SET_MEETING_KEEPS_UNNAMED",
    "START_TIME_IN_PAST",
    "add_invitees",
    "apply_meeting",
    "check_lobby",
    "check_start",
    "forget_earlier_sets",
    "invitees",
    "registration_form",
]
