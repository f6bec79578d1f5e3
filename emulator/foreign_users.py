"""The other users of a busy site (:mod:`emulator.busy`): who they are, what they call their
meetings, and how they create sessions, REST meeting series and contacts — through the same handlers
a client's request reaches, so every API answers for their objects as for any other.

Stands on the emulator's model, dispatch and services (all registered first) and the REST rules.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from webex_harness.emulator import registered  # noqa: F401  (every service registered before a foreign user calls one)
from webex_harness.emulator.busy_state import MAX_COLLEAGUES
from webex_harness.emulator.dispatch import ROUTES, Call
from webex_harness.emulator.model import Session, Site, User
from webex_harness.emulator.rest import rules as rest_rules
from webex_harness.emulator.rest.store import Series
from webex_harness.emulator.services.common import format_date
from webex_harness.emulator.xmlio import Elements, parse_request
from webex_harness.webex import timezones
from webex_harness.webex.envelope import BodyTree, Security, build_request

#: The colleagues a busy site may have: (webExID, first name, last name).
COLLEAGUES: tuple[tuple[str, str, str], ...] = (
    ("maria.lopez", "Maria", "Lopez"),
    ("james.chen", "James", "Chen"),
    ("aisha.khan", "Aisha", "Khan"),
    ("tom.becker", "Tom", "Becker"),
    ("sofia.rossi", "Sofia", "Rossi"),
    ("david.okafor", "David", "Okafor"),
    ("emma.wilson", "Emma", "Wilson"),
    ("lucas.martin", "Lucas", "Martin"),
    ("nina.petrova", "Nina", "Petrova"),
    ("raj.patel", "Raj", "Patel"),
    ("hannah.schmidt", "Hannah", "Schmidt"),
    ("kenji.sato", "Kenji", "Sato"),
)
COLLEAGUE_DOMAIN = "northwind.example"
assert len(COLLEAGUES) == MAX_COLLEAGUES

MEETING_NAMES = (
    "Weekly team sync",
    "Sprint planning",
    "Quarterly business review",
    "Architecture review",
    "Customer call: Contoso",
    "Customer call: Fabrikam",
    "1:1 check-in",
    "Release go/no-go",
    "Budget review FY27",
    "Hiring panel: backend engineer",
    "Design critique",
    "Incident post-mortem",
    "Marketing stand-up",
    "Board meeting prep",
    "Partner sync: Globex",
    "All-hands Q&A",
)
EVENT_NAMES = (
    "Product launch webinar",
    "Customer town hall",
    "Partner summit briefing",
    "Quarterly earnings call",
    "Webinar: what's new this quarter",
)
TRAINING_NAMES = (
    "New-hire onboarding",
    "Security awareness training",
    "Sales enablement: pricing",
    "Compliance refresher",
    "Support tools workshop",
)
#: External contacts: (name, company, e-mail).
CONTACTS = (
    ("Laura Gomez", "Contoso Ltd", "laura.gomez@contoso.example"),
    ("Peter Novak", "Fabrikam Inc", "peter.novak@fabrikam.example"),
    ("Mei Lin", "Globex", "mei.lin@globex.example"),
    ("Omar Haddad", "Initech", "omar.haddad@initech.example"),
    ("Julia Berg", "Umbrella Group", "julia.berg@umbrella.example"),
    ("Carlos Silva", "Hooli", "carlos.silva@hooli.example"),
    ("Grace Park", "Stark Industries", "grace.park@stark.example"),
    ("Ivan Horvat", "Wayne Enterprises", "ivan.horvat@wayne.example"),
)
#: Time zones the seeded sessions are scheduled in (Pacific, New York, London, Berlin, Bombay, Tokyo).
TIME_ZONES = (4, 11, 21, 25, 41, 49)
DURATIONS = (30, 45, 60, 60, 90)
#: The kinds of object the writer creates (XML session kinds, and REST meeting series).
WRITER_KINDS = ("meeting", "event", "training", "rest")
_CREATE_API = {
    "meeting": ("meeting", "CreateMeeting"),
    "event": ("event", "CreateEvent"),
    "training": ("training", "CreateTrainingSession"),
}


def invoke_as(site: Site, user: User, service: str, api: str, body: BodyTree) -> Elements:
    """Run ``api``'s handler for ``user`` on ``site`` as a request would, minus the request: no
    usage-limit accounting, no rate window, no request count. A FAILURE raises WebexError."""
    raw = build_request(service, api, body, Security(site_name=site.name, webex_id=user.webex_id))
    node = parse_request(raw).bodies[0].node
    route = ROUTES[api.lower()]
    return route.fn(Call(site, user, node, route.api, {}))


def _first_value(elements: Elements) -> str:
    return str(elements[0][1])


def _local_start(site: Site, tz: int, offset: timedelta) -> datetime:
    """The site clock moved by ``offset``, as naive local time in ``tz``, on a quarter hour."""
    start = site.now() + offset
    start = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
    return start.astimezone(timezones.offset(tz)).replace(tzinfo=None)


def _person(name: str, email: str) -> dict[str, Any]:
    return {"person": {"name": name, "email": email, "type": "VISITOR"}}


def create_session(
    site: Site,
    kind: str,
    owner: User,
    name: str,
    offset: timedelta,
    tz: int,
    duration: int,
    invitees: list[tuple[str, str]],
) -> Session:
    """A session of ``kind`` created through its Create handler for ``owner``, starting ``offset``
    from now (a past start is set after creating: the handler refuses one, as Webex does)."""
    future = offset if offset > timedelta(hours=1) else timedelta(days=1)
    schedule = {"startDate": format_date(_local_start(site, tz, future)), "duration": duration, "timeZoneID": tz}
    body: dict[str, Any]
    if kind == "meeting":
        body = {"metaData": {"confName": name}, "schedule": schedule}
        if invitees:
            body["participants"] = {"attendees": {"attendee": [_person(n, e) for n, e in invitees]}}
    elif kind == "event":
        body = {"accessControl": {"listing": "PUBLIC"}, "metaData": {"sessionName": name}, "schedule": schedule}
        if invitees:
            body["attendees"] = {"attendee": [_person(n, e) for n, e in invitees]}
    else:
        body = {"accessControl": {"listing": "PUBLIC"}, "metaData": {"confName": name}, "schedule": schedule}
        if invitees:
            body["attendees"] = {"participants": {"participant": [_person(n, e) for n, e in invitees]}}
    service, api = _CREATE_API[kind]
    key = _first_value(invoke_as(site, owner, service, api, body))
    session = site.sessions[key]
    if future != offset:
        session.start = _local_start(site, tz, offset)
    return session


def create_rest_meeting(site: Site, owner: User, name: str, offset: timedelta, duration: int) -> Series:
    """A REST meeting series hosted by ``owner`` (a past one is created as if scheduled before)."""
    start = site.now() + offset
    start = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0)
    now = min(site.now(), start - timedelta(days=1))
    body = {
        "title": name,
        "start": start.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "end": (start + timedelta(minutes=duration)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "timezone": "UTC",
        "hostEmail": owner.email,
    }
    return rest_rules.create(site, body, now)


def create_contact(site: Site, owner: User, name: str, company: str, email: str) -> str:
    elements = invoke_as(
        site, owner, "ep", "CreateContact", {"contact": {"name": name, "company": company, "email": email}}
    )
    return _first_value(elements)


__all__ = [
    "COLLEAGUES",
    "COLLEAGUE_DOMAIN",
    "CONTACTS",
    "DURATIONS",
    "EVENT_NAMES",
    "MEETING_NAMES",
    "TIME_ZONES",
    "TRAINING_NAMES",
    "WRITER_KINDS",
    "create_contact",
    "create_rest_meeting",
    "create_session",
    "invoke_as",
]
