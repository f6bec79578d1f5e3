"""An emulated site holding one real object of every kind the XML and REST APIs address, in process.

:func:`populate` makes a site (strict: its users are the ones it was given, never provisioned on
first sight) on an :class:`EmulatorApp` and fills it through the APIs themselves — a meeting, an
event, a training session, a teleconference and a support session, attendees, a scheduled test, a
contact and a distribution list, a library test and a participant's answers, the recordings every
user has, a Hands-on Lab and a reservation, a program, feedback, a callback, a REST meeting series,
One-Click settings, a PMR image, a login ticket — and primes what the emulator makes on first sight
(every user's recordings, the site's history), so a request that only reads finds it there already.
:meth:`World.context` is the :class:`GenContext` whose keys name those objects for one API, so
generated envelopes reach the rules behind the look-ups.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

import httpx

from webex_harness.contracts.test_catalogue import caller_role, session_kind
from webex_harness.emulator import control
from webex_harness.emulator.app import EmulatorApp
from webex_harness.emulator.model import Site
from webex_harness.generators import valid_envelope
from webex_harness.generators.catalogue import ApiSpec
from webex_harness.generators.envelopes import GenContext
from webex_harness.generators.rest import valid_create_body
from webex_harness.webex.envelope import Security, XmlResponse, build_request, parse_response

SITE_NAME = "populated"
PASSWORDS = {"host": "Hostpass123", "admin": "Adminpass123", "invitee": "Invitepass123", "outsider": "Outpass123"}
CREATES = {
    "meeting": "CreateMeeting",
    "event": "CreateEvent",
    "training": "CreateTrainingSession",
    "teleconference": "CreateTeleconferenceSession",
    "support": "CreateSupportSession",
}
SEED = 7


def security(role: str) -> Security:
    return Security(site_name=SITE_NAME, webex_id=role, password=PASSWORDS[role])


@dataclass
class World:
    """The app, its populated site and what the generated envelopes may name."""

    app: EmulatorApp
    rest_token: str
    base: GenContext
    keys: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def site(self) -> Site:
        found = self.app.registry.get(SITE_NAME)
        assert found is not None
        return found

    def context(self, spec: ApiSpec) -> GenContext:
        """The context of ``spec``'s envelopes: its caller, and the key of a session of its kind."""
        key, uuid = self.keys[session_kind(spec)]
        return self.base.with_(security=security(caller_role(spec)), session_key=key, meeting_uuid=uuid)

    def xml(self, raw: bytes) -> XmlResponse:
        status, body, _ = self.app.handle_xml(raw, {})
        return parse_response(body, status)

    def call(self, role: str, service: str, api_name: str, body: dict[str, Any]) -> XmlResponse:
        return self.xml(build_request(service, api_name, body, security(role)))

    def control(self, method: str, path: str, body: Any = None) -> Any:
        status, payload = control.handle(self.app.registry, method, path, json.dumps(body).encode() if body else b"")
        assert status == 200, payload
        return payload

    def rest(self, method: str, path: str, body: Any = None) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.rest_token}", "Content-Type": "application/json"}
        content = None if body is None else body if isinstance(body, bytes) else json.dumps(body).encode()

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
                return await client.request(method, path, content=content, headers=headers)

        return asyncio.run(go())


def _first(response: XmlResponse, *names: str) -> str:
    wanted = " or ".join(f"local-name()='{n}'" for n in names)
    found = response.expect_success().xpath(f"//*[{wanted}]/text()")
    assert found, f"no {' or '.join(names)} in {response.describe()}"
    return str(found[0])


def populate(app: EmulatorApp) -> World:
    """A new site on ``app`` holding one object of every kind (see the module docstring)."""
    made = control.handle(
        app.registry,
        "POST",
        "sites",
        json.dumps(
            {
                "name": SITE_NAME,
                "users": [
                    {"webExID": "host", "password": PASSWORDS["host"], "email": "host@example.com"},
                    {"webExID": "admin", "password": PASSWORDS["admin"], "siteAdmin": True},
                    {"webExID": "invitee", "password": PASSWORDS["invitee"], "firstName": "Ivy"},
                    {"webExID": "outsider", "password": PASSWORDS["outsider"]},
                ],
            }
        ).encode(),
    )
    assert made[0] == 200, made
    site = app.registry.get(SITE_NAME)
    assert site is not None
    now = site.now().astimezone(UTC).replace(tzinfo=None, microsecond=0)  # the site's clock
    world = World(app, made[1]["rest_token"], GenContext(now=now, security=security("host"), meeting_type_id="3"))
    ctx = world.base
    for kind, create in CREATES.items():
        answer = world.xml(valid_envelope(create, SEED, ctx))
        key = _first(answer, "meetingkey", "sessionKey", "sessionkey")
        info = world.call("host", "ep", "GetSessionInfo", {"sessionKey": key})
        world.keys[kind] = (key, _first(info, "meetingUUID"))
    meeting, _ = world.keys["meeting"]
    email = "wxh.attendee@example.com"
    person = {
        "name": "Wxh Attendee",
        "firstName": "Wxh",
        "lastName": "Attendee",
        "title": "Tester",
        "company": "Example",
        "address": {"address1": "1 Main St", "address2": "Floor 2", "city": "Springfield", "state": "CA"}
        | {"zipCode": "95000", "country": "US"},
        "phones": {"phone": "1-408-555-0100", "fax": "1-408-555-0101"},
        "email": email,
    }
    registered = world.call(
        "host", "attendee", "RegisterMeetingAttendee", {"attendees": {"person": person, "sessionKey": meeting}}
    )
    ctx = ctx.with_(attendee_email=email, attendee_id=_first(registered, "attendeeID", "registerID"))
    world.call(
        "host",
        "attendee",
        "CreateMeetingAttendee",
        {"person": person | {"name": "Second Guest", "email": "second@example.com"}, "sessionKey": meeting},
    ).expect_success()
    training = ctx.with_(session_key=world.keys["training"][0], meeting_uuid=world.keys["training"][1])
    ctx = ctx.with_(test_id=_first(world.xml(valid_envelope("AddScheduledTest", SEED, training)), "testID"))
    ctx = ctx.with_(contact_id=_first(world.xml(valid_envelope("CreateContact", SEED, ctx)), "contactID"))
    ctx = ctx.with_(dist_list_id=_first(world.xml(valid_envelope("CreateDistList", SEED, ctx)), "distListID"))
    library = _first(world.xml(valid_envelope("UploadIMStest", SEED, ctx)), "testID")
    learner = "wxh.learner@example.com"
    world.control(
        "POST",
        f"sites/{SITE_NAME}/tests/{library}/answers",
        {"name": "Wxh Learner", "email": learner, "answers": {"1": 1}},
    )
    ctx = ctx.with_(lib_test_id=library, test_participant=learner)
    for role in PASSWORDS:  # every user's recordings exist before a test looks
        world.call(role, "ep", "LstRecording", {"listControl": {"serv:startFrom": 1}})
    recordings = world.call("host", "ep", "LstRecording", {"listControl": {"serv:startFrom": 1}})
    ctx = ctx.with_(recording_id=_first(recordings, "recordingID"))
    world.control(
        "POST", f"sites/{SITE_NAME}/recordings/{ctx.recording_id}/access", {"name": "Viewer", "email": "v@example.com"}
    )
    world.control("POST", f"sites/{SITE_NAME}/labs", {"labs": [{"labName": "Lab One", "computers": 4}]})
    ctx = ctx.with_(lab_name="Lab One")
    world.xml(valid_envelope("ReserveLab", SEED, ctx)).expect_success()
    world.control(
        "POST", f"sites/{SITE_NAME}/programs", {"programs": [{"programName": "Programme", "hostWebExID": "host"}]}
    )
    support, _ = world.keys["support"]
    world.control("POST", f"sites/{SITE_NAME}/sessions/{support}/feedback", {"comment": "fine"})
    ctx = ctx.with_(conf_id=_first(world.call("host", "ep", "GetSessionInfo", {"sessionKey": support}), "confID"))
    world.control("POST", f"sites/{SITE_NAME}/sessions/{meeting}", {"callback": "14085550100"})
    world.xml(valid_envelope("SetupOneClickSettings", SEED, ctx)).expect_success()
    world.xml(valid_envelope("UploadPMRImage", SEED, ctx)).expect_success()
    world.call("host", "user", "AuthenticateUser", {}).expect_success()
    created = world.rest("POST", "/v1/meetings", dict(valid_create_body(SEED, site.now() + timedelta(days=3))))
    assert created.status_code == 200, created.text
    world.keys["rest"] = (created.json()["id"], "")
    world.call("host", "history", "LstmeetingusageHistory", {"listControl": {"serv:startFrom": 1}})
    world.base = ctx.with_(webex_id_target="invitee")
    return world
