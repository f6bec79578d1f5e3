"""What the Event, Training and Teleconference Center services share, parametrised by session kind.

Each of the three schedules sessions of its own kind (``Session.kind`` ``event``, ``training``,
``teleconference``) with the same life: Create<Noun> makes one from the request body and answers
its key, Set<Noun> (by its host or a site administrator) applies a body again, Del<Noun> removes it
(into the history), Lstsummary<Noun> lists the caller's sessions a page at a time, one summary
record each. Get<Noun> answers the stored body in blocks the kinds shape alike (access control,
schedule, the closing key, UUID, status and host key). A :class:`SessionKind` says what differs: the
element prefix and the API names, how a body is read (the kind's own fields), the Create and Set
answers and the summary record's elements. Each service module declares its kind and registers
the shared handlers with :func:`register`; its own APIs (Get<Noun>, event images, scheduled tests …)
stay with it.

Stands on :mod:`emulator.dispatch` (routes), :mod:`emulator.model` (the session),
:mod:`emulator.services.common` (parsing, storing, listing, paging) and
:mod:`emulator.services.meeting` (audio elements, host key). Declares no fault: each one it honours
is declared with the behaviour it breaks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from functools import partial
from typing import Any

from webex_harness.emulator.dispatch import Call, handler
from webex_harness.emulator.model import Attendee, Session
from webex_harness.emulator.services import common, set_drops
from webex_harness.emulator.services.meeting import JOIN_TELECONF_BEFORE_HOST, audio_elements, host_key
from webex_harness.emulator.xmlio import Element, Elements, Node
from webex_harness.webex import timezones
from webex_harness.webex.errors import WebexError

#: Reads a Create/Set body into a session: every check first, then the changes.
Apply = Callable[[Call, Session, Node], None]
#: What one element of a summary record says of a session.
Fact = Callable[[Session], object]


@dataclass(frozen=True, slots=True)
class SessionKind:
    """One kind of session and the service that schedules it: what its shared handlers need."""

    #: ``Session.kind``, also the service its routes belong to (``event``, ``training``, ``teleconference``)
    kind: str
    #: the element prefix of its answers (``event``, ``train``, ``tel``)
    prefix: str
    #: reads a Create/Set body into the session (the kind's own fields)
    apply: Apply
    #: the Create answer for the new session (honouring ``create-response-shape``)
    created: Callable[[Call, Session], Elements]
    #: the API names it serves with the shared handlers; None: the kind has no such API
    create_api: str
    set_api: str
    del_api: str | None = None
    lstsummary_api: str | None = None
    #: the Set answer's type when it is not the usual ``<prefix>:set<Noun>Response``
    set_response: str | None = None
    #: whether the Set answer carries the session's ``meetingUUID`` (else it is empty)
    set_answers_uuid: bool = True
    #: the meeting type a new session has before its body is read (None: the model's default)
    meeting_type: int | None = None
    #: one Lstsummary record: its element, and its elements in order with what each says
    record: str = ""
    summary: tuple[tuple[str, Fact], ...] = ()


# ---------------------------------------------------------------- finding a session


def find(call: Call, kind: SessionKind, not_found: WebexError | None = None) -> Session:
    """The session of ``kind`` the request addresses (key or meetingUUID), else ``not_found``
    (default 060001 "meeting not found")."""
    return common.find_session(call, call.node, (kind.kind,), not_found)


def find_owned(call: Call, kind: SessionKind) -> Session:
    """:func:`find`, for a caller who must host the session or be a site administrator (else 000001)."""
    session = find(call, kind)
    common.require_owner(call, session)
    return session


# ---------------------------------------------------------------- reading a body


@dataclass(frozen=True, slots=True)
class PeopleGroup:
    """One group of a session's people as a Create/Set body carries it (panelists, presenters …)."""

    #: the group (``Attendee.fields["group"]``), also the body section it sits in
    section: str
    #: the path of one entry in the body; the entry's ``person`` (or the entry itself) holds its com: fields
    entries: str
    #: the role of an entry that names none
    role: str


@dataclass(frozen=True, slots=True)
class People:
    """The people of a body, checked and not yet stored: its session template, each group's entries."""

    template: str | None
    found: dict[str, list[tuple[str, tuple[Node, Node]]]]


def check_people(call: Call, node: Node, groups: Iterable[PeopleGroup]) -> People:
    """The checks of a body with people, before anything is stored: behaviour ``email-no-whitespace``
    for every e-mail of the body, ``site-templates`` for the template it names, then each group's
    entries with their e-mails normalised, the first of each e-mail kept (``email-lowercase``,
    ``duplicate-email-first-wins``)."""
    common.check_emails(call, node)
    template = common.session_template(call, node)
    found = {
        group.section: checked_people(
            call, [(entry.child("person") or entry, entry) for entry in node.findall(group.entries)]
        )
        for group in groups
    }
    return People(template, found)


def add_people(call: Call, session: Session, people: People, groups: Iterable[PeopleGroup]) -> None:
    """Store what :func:`check_people` found: the session template, then each group's people (names
    and person fields filtered of unsafe HTML)."""
    if people.template is not None:
        session.fields["sessionTemplate"] = {"use": people.template}
    for group in groups:
        store_people(call, session, people.found[group.section], group.section, group.role, html=True)


def store_body(call: Call, session: Session, node: Node, sections: Sequence[str], *, html: bool = False) -> None:
    """Keep the body's ``accessControl`` (but its ``sessionPassword``, which is the session's own) and
    ``sections`` for read-back; ``html``: unsafe HTML filtered from their texts first (behaviour
    ``unsafe-html-filtered``)."""
    common.store_sections(call, session, node, ("accessControl",), skip=("sessionPassword",))
    common.store_sections(call, session, node, sections, html=html)


# ---------------------------------------------------------------- the shared handlers


def create(kind: SessionKind, call: Call) -> Elements:
    """Create<Noun>: a new session for the caller, the body applied, a password sent or made
    (behaviour ``password-autogenerated``); the kind's Create answer."""
    host = call.user()
    node = call.node
    session = common.new_session(call, kind.kind, host, node)
    if kind.meeting_type is not None:
        session.meeting_type = kind.meeting_type
    kind.apply(call, session, node)
    session.password = common.password_for_create(call, node.get("accessControl/sessionPassword"))
    call.site.add_session(session)
    return kind.created(call, session)


def set_session(kind: SessionKind, call: Call) -> Elements:
    """Set<Noun>: the body applied to the caller's session, a sent password kept; empty or its meetingUUID."""
    call = set_drops.honoured(call)
    session = find_owned(call, kind)
    kind.apply(call, session, call.node)
    password = call.node.get("accessControl/sessionPassword")
    if password:
        session.password = password
    return [(f"{kind.prefix}:meetingUUID", session.uuid)] if kind.set_answers_uuid else []


def delete(kind: SessionKind, call: Call) -> Elements:
    """Del<Noun>: the caller's session removed (the history keeps it); an empty answer."""
    session = find_owned(call, kind)
    call.site.remove_session(session.key)
    return []


def lstsummary(kind: SessionKind, call: Call) -> Elements:
    """Lstsummary<Noun>: ``matchingRecords`` and one summary record per session of the page
    (selection and order: :func:`emulator.services.common.listed_sessions`)."""
    sessions = common.listed_sessions(call, call.node, (kind.kind,))
    chosen, start = common.page_of(call, call.node, sessions)
    p = kind.prefix
    return [
        common.matching_records(p, len(sessions), len(chosen), start),
        *[(f"{p}:{kind.record}", [(f"{p}:{name}", fact(s)) for name, fact in kind.summary]) for s in chosen],
    ]


def register(kind: SessionKind) -> None:
    """Route the kind's Create, Set and (when it has them) Del and Lstsummary APIs to the shared handlers."""
    handler(kind.kind, kind.create_api)(partial(create, kind))
    handler(kind.kind, kind.set_api, kind.set_response)(partial(set_session, kind))
    if kind.del_api is not None:
        handler(kind.kind, kind.del_api)(partial(delete, kind))
    if kind.lstsummary_api is not None:
        handler(kind.kind, kind.lstsummary_api)(partial(lstsummary, kind))


# ---------------------------------------------------------------- facts of summary records


def start_date(s: Session) -> str:
    """The session's start as Webex writes dates (its own time zone)."""
    return common.format_date(s.start)


def end_date(s: Session) -> str:
    """The session's scheduled end (start plus duration)."""
    return common.format_date(s.start + timedelta(minutes=s.duration))


def time_zone_name(s: Session) -> str:
    """The display name of the session's time zone."""
    return timezones.display_name(s.time_zone_id)


# ---------------------------------------------------------------- blocks of a Get answer

#: accessControl elements a Get answers from the session itself, never as stored.
_ACCESS_OWN = ("sessionPassword", "audioPassword", "isEnforceAudioPassword", "isEnforceAudioLogin")
#: schedule elements a Get answers from the session itself, in the order most kinds use.
_SCHEDULE_OWN = ("startDate", "duration", "timeZoneID", "timeZone", "hostWebExID")


def access_control(
    call: Call, kind: SessionKind, s: Session, *, listing: bool = True, also_skip: tuple[str, ...] = ()
) -> Element:
    """``accessControl``: the list status (with ``listing``), the session's password, its audio
    elements (behaviour ``audio-password``), then the rest as stored but ``also_skip``."""
    p = kind.prefix
    return (
        f"{p}:accessControl",
        [
            *([(f"{p}:listing", common.list_status(s))] if listing else []),
            (f"{p}:sessionPassword", s.password or ""),
            *audio_elements(call, p, s),
            *common.render_fields(
                p,
                s.fields.get("accessControl", {}),
                skip=(*(("listing",) if listing else ()), *_ACCESS_OWN, *also_skip),
            ),
        ],
    )


def schedule(
    call: Call, kind: SessionKind, s: Session, order: Sequence[str] = _SCHEDULE_OWN, *, stored: bool = True
) -> Element:
    """``schedule``: start, duration, time zone and host from the session, in ``order``; with
    ``stored`` the rest as stored, then ``joinTeleconfBeforeHost`` (behaviour
    ``join-teleconf-before-host``)."""
    p = kind.prefix
    own: dict[str, object] = {
        "startDate": common.format_date(s.start),
        "duration": s.duration,
        "timeZoneID": s.time_zone_id,
        "timeZone": time_zone_name(s),
        "hostWebExID": s.host,
    }
    elements: list[Element] = [(f"{p}:{name}", own[name]) for name in order]
    if stored:
        jbh = common.stored_bool(s, "schedule", "joinTeleconfBeforeHost") and not call.fault(JOIN_TELECONF_BEFORE_HOST)
        elements += [
            *common.render_fields(p, s.fields.get("schedule", {}), skip=(*own, "joinTeleconfBeforeHost")),
            (f"{p}:joinTeleconfBeforeHost", jbh),
        ]
    return (f"{p}:schedule", elements)


def identity(kind: SessionKind, s: Session, key_element: str = "sessionKey") -> list[Element]:
    """The closing elements of a Get: the session key (under ``key_element``), meetingUUID, status
    and host key."""
    p = kind.prefix
    return [
        (f"{p}:{key_element}", s.key),
        (f"{p}:meetingUUID", s.uuid),
        (f"{p}:status", s.status),
        (f"{p}:hostKey", host_key(s)),
    ]


# ---------------------------------------------------------------- people of events and training

#: Person elements read into :class:`Attendee` itself; the rest of a person is kept as sent.
_PERSON_CORE = ("name", "email", "type")


def checked_people(call: Call, entries: Iterable[tuple[Node, Node]]) -> list[tuple[str, tuple[Node, Node]]]:
    """``(person, entry)`` pairs with their e-mails checked and normalised, the first of each
    e-mail kept (behaviours ``email-no-whitespace``, ``email-lowercase``,
    ``duplicate-email-first-wins``). Raises before anything is stored."""
    checked = [(common.normalise_email(call, person.get("email")), (person, entry)) for person, entry in entries]
    return common.first_per_email(call, checked)


def store_people(
    call: Call,
    session: Session,
    found: list[tuple[str, tuple[Node, Node]]],
    group: str,
    default_role: str,
    *,
    html: bool = False,
) -> None:
    """Add ``found`` to ``session.attendees`` as ``group`` (panelists, presenters, attendees); a
    person already in that group with the same e-mail is kept as it was; what else a person was
    sent is kept in ``session.people``."""
    for email, (person, entry) in found:
        existing = next(
            (
                a
                for a in session.attendees
                if email and a.email.lower() == email.lower() and a.fields.get("group") == group
            ),
            None,
        )
        if existing is not None and not call.fault(common.DUPLICATE_EMAIL_FIRST_WINS):
            continue
        name = person.get("name") or " ".join(filter(None, [person.get("firstName"), person.get("lastName")]))
        attendee = Attendee(
            call.site.next_id(),
            common.filter_html(call, name) if html else name,
            email,
            role=(entry.get("role") or default_role).upper(),
            join_status=entry.get("joinStatus") or "INVITE",
            fields={"group": group, "type": person.get("type") or "VISITOR"},
        )
        tree = person.to_tree()
        if isinstance(tree, dict):
            rest = {k: v for k, v in tree.items() if k.lower() not in _PERSON_CORE}
            session.people[attendee.attendee_id] = common.filter_tree(call, rest) if html else rest
        session.attendees.append(attendee)


def group_members(session: Session, group: str) -> list[Any]:
    return [a for a in session.attendees if a.fields.get("group", "attendees") == group]


def person_extras(session: Session, attendee_id: str) -> dict[str, Any]:
    """What the person ``attendee_id`` was sent besides name, e-mail and type (empty if nothing)."""
    return session.people.get(attendee_id, {})
