"""Every envelope the load scenarios send, built once per locust process at ``init`` (issue 6).

No locust import, so the pieces can be tested in pytest. Nothing here runs in the request loop:
:func:`build_envelopes` makes :class:`ScenarioEnvelopes`, whose keyed envelopes are
:class:`~load.calls.CallTemplate` s — the bytes around :data:`~load.calls.KEY_MARKER` — that a
user joins with its own meeting or session key (bytes, as received) when it starts.

* Meetings the scenarios create themselves (setup, lifecycle) have a plain body: a name with the
  run's clean-up prefix (``<prefix>[-<run id>]-load-<n>``), a start a few days ahead, 30 minutes,
  registration on — so ``webex-harness cleanup`` finds leftovers and attendee calls succeed.
* The registration burst's meeting has a registration form requiring :data:`REQUIRED_FIELDS`
  (behaviour ``registration-required-fields-040014``, 001 40.8.0): complete registrations carry
  them; the "missing" share leaves out ``company`` and expects FAILURE 040014.
* Everything else comes from :func:`generators.envelopes.valid_envelope` via
  :func:`load.calls.call_templates` — with the name element (``confName``, ``sessionName``) of
  every envelope that creates or renames a session replaced by a run name
  (``<prefix>[-<run id>]-load-<kind>-<n>``, :func:`with_run_name`): nothing a load run creates
  carries a generated (Faker) name that ``cleanup`` could not find.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from webex_harness.generators.envelopes import GenContext, valid_envelope
from webex_harness.generators.naming import names_objects, with_run_name
from webex_harness.load.calls import (
    KEY_MARKER,
    REGISTERED_EMAIL,
    SESSION_CREATORS,
    CallTemplate,
    call_plan,
    call_templates,
)
from webex_harness.webex.envelope import Security, build_request

__all__ = [
    "DASHBOARD_APIS",
    "REQUIRED_FIELDS",
    "ScenarioEnvelopes",
    "build_envelopes",
    "keyed",
    "names_objects",
    "webex_date",
    "with_run_name",
]

#: CreateMeeting envelopes pre-built per process (start dates 15 minutes apart).
POOL_SIZE = 50
#: How far ahead the scenarios' own meetings start (safely in the future in every time zone).
START_AHEAD = timedelta(days=3)
#: Attendees the lifecycle invites per iteration.
LIFECYCLE_ATTENDEES = 3
#: Registrations per registration user (distinct e-mails; a repeat returns the existing attendee).
REGISTRATION_POOL = 40
#: Fields the registration burst's form requires (all present → SUCCESS, one missing → 040014).
REQUIRED_FIELDS: tuple[str, ...] = ("title", "company", "phone")
#: The registration form fields of 001 (40.6.1), in form order.
FORM_FIELDS = ("title", "company", "address1", "address2", "city", "state", "postalCode", "country", "phone", "fax")
#: The list-heavy reads of the dashboard scenario (API → task weight).
DASHBOARD_APIS: dict[str, int] = {
    "LstsummaryMeeting": 4,
    "LstsummarySession": 3,
    "LstMeetingAttendee": 3,
    "LstCalendarSession": 2,
    "GetUser": 1,
    "GetMe": 1,
}


def _named_templates(templates: list[CallTemplate], name: str) -> list[CallTemplate]:
    return [
        CallTemplate(t.api, tuple(with_run_name(part, f"{name}-{i}") for part in t.parts))
        for i, t in enumerate(templates)
    ]


def webex_date(moment: datetime) -> str:
    """``MM/DD/YYYY HH:MM:SS``, the XML API's date format."""
    return moment.strftime("%m/%d/%Y %H:%M:%S")


def keyed(security: Security, service: str, api: str, body: Mapping[str, Any]) -> CallTemplate:
    """``body`` (holding :data:`KEY_MARKER` where the key goes) as a template."""
    return CallTemplate(api, tuple(build_request(service, api, dict(body), security).split(KEY_MARKER.encode())))


def meeting_body(name: str, start: datetime, *, required: tuple[str, ...] = ()) -> dict[str, Any]:
    """A plain CreateMeeting body with registration on (and a form requiring ``required``)."""
    body: dict[str, Any] = {
        "metaData": {"confName": name},
        "schedule": {"startDate": webex_date(start.replace(second=0, microsecond=0)), "duration": 30},
        "attendeeOptions": {"registration": True},
    }
    if required:
        body["registrationForm"] = {f: {"req": f in required} for f in FORM_FIELDS}
    return body


def _person(n: int, prefix: str, *, leave_out: str | None = None) -> dict[str, Any]:
    """A registrant with every field of :data:`REQUIRED_FIELDS`, except ``leave_out``."""
    person: dict[str, Any] = {
        "name": f"Load Attendee {n}",
        "firstName": "Load",
        "lastName": f"Attendee {n}",
        "title": "QA engineer",
        "company": "Example Corp",
        "phones": {"phone": f"+1-555-010-{n % 10000:04d}"},
        "email": f"{prefix}.{n}@example.com",
    }
    if leave_out == "phone":
        del person["phones"]
    elif leave_out is not None:
        del person[leave_out]
    return person


def _attendee_body(person: Mapping[str, Any]) -> dict[str, Any]:
    return {"person": dict(person), "role": "ATTENDEE", "sessionKey": KEY_MARKER}


@dataclass(frozen=True, slots=True)
class ScenarioEnvelopes:
    """What the users of one locust process send (module docstring)."""

    #: plain CreateMeeting envelopes (setup, lifecycle), registration on
    create_meetings: tuple[bytes, ...]
    #: the registration burst's CreateMeeting, its form requiring REQUIRED_FIELDS
    create_registration_meeting: bytes
    #: session kind → the Create* envelope that makes one (calls scenario setup)
    create_session: dict[str, bytes]
    #: RegisterMeetingAttendee of REGISTERED_EMAIL (keyed): setup of attendee and list APIs
    register_attendee: CallTemplate
    #: the lifecycle's invitations (keyed), LIFECYCLE_ATTENDEES of them
    invite_attendees: tuple[CallTemplate, ...]
    #: complete registrations (keyed) and ones missing ``company`` (keyed)
    registrations: tuple[CallTemplate, ...]
    incomplete_registrations: tuple[CallTemplate, ...]
    #: keyed one-call templates: GetSessionInfo, SetMeeting, DelMeeting, DelSession
    session_info: CallTemplate
    set_meeting: tuple[CallTemplate, ...]
    del_meeting: CallTemplate
    del_session: CallTemplate
    #: API → templates of the calls scenario's APIs (weight > 0) and the dashboard's reads
    calls: dict[str, list[CallTemplate]] = field(default_factory=dict)
    dashboard: dict[str, list[CallTemplate]] = field(default_factory=dict)


def build_envelopes(
    security: Security, now: datetime, name_prefix: str, call_apis: Mapping[str, int] | None = None
) -> ScenarioEnvelopes:
    """Every envelope of every scenario; ``now`` is the site's "now" (dates are 1–30 days after it).

    ``call_apis`` (API → weight) picks the calls scenario's APIs; weight 0 ones are not built.
    """
    pool = tuple(
        build_request(
            "meeting",
            "CreateMeeting",
            meeting_body(f"{name_prefix}-{i}", now + START_AHEAD + timedelta(minutes=15 * i)),
            security,
        )
        for i in range(POOL_SIZE)
    )
    registration_meeting = build_request(
        "meeting",
        "CreateMeeting",
        meeting_body(f"{name_prefix}-registration", now + START_AHEAD, required=REQUIRED_FIELDS),
        security,
    )
    ctx = GenContext(now=now, security=security)
    create_session = {"meeting": pool[0]}
    for kind, creator in SESSION_CREATORS.items():
        if kind != "meeting":
            create_session[kind] = with_run_name(valid_envelope(creator, 1, ctx), f"{name_prefix}-{kind}")
    registered = {
        "name": "Wxh Load Attendee",
        "firstName": "Wxh",
        "lastName": "Load Attendee",
        "email": REGISTERED_EMAIL,
    }
    calls = {
        api: _named_templates(call_templates(api, security, now), f"{name_prefix}-{api}")
        if names_objects(api)
        else call_templates(api, security, now)
        for api, weight in (call_apis or {}).items()
        if weight > 0
    }
    for api in calls:
        call_plan(api)  # refused APIs raise ValueError here too, whoever built the mapping
    return ScenarioEnvelopes(
        create_meetings=pool,
        create_registration_meeting=registration_meeting,
        create_session=create_session,
        register_attendee=keyed(
            security, "attendee", "RegisterMeetingAttendee", {"attendees": _attendee_body(registered)}
        ),
        invite_attendees=tuple(
            keyed(security, "attendee", "CreateMeetingAttendee", _attendee_body(_person(i, "wxh.load.invitee")))
            for i in range(LIFECYCLE_ATTENDEES)
        ),
        registrations=tuple(
            keyed(security, "attendee", "CreateMeetingAttendee", _attendee_body(_person(i, "wxh.load.registrant")))
            for i in range(REGISTRATION_POOL)
        ),
        incomplete_registrations=tuple(
            keyed(
                security,
                "attendee",
                "CreateMeetingAttendee",
                _attendee_body(_person(i, "wxh.load.incomplete", leave_out="company")),
            )
            for i in range(REGISTRATION_POOL // 4)
        ),
        session_info=keyed(security, "ep", "GetSessionInfo", {"sessionKey": KEY_MARKER}),
        set_meeting=tuple(_named_templates(call_templates("SetMeeting", security, now), f"{name_prefix}-SetMeeting")),
        del_meeting=keyed(security, "meeting", "DelMeeting", {"meetingKey": KEY_MARKER}),
        del_session=keyed(security, "ep", "DelSession", {"sessionKey": KEY_MARKER}),
        calls=calls,
        dashboard={api: call_templates(api, security, now) for api in DASHBOARD_APIS},
    )
