"""The user, site, general-session and history services in-process: every valid generated
envelope succeeds, hostile edge cases stay Webex answers, and a few rules the contract suite
cannot see from outside (JWT shape, history records of deleted sessions, the typed per-site store)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest

from webex_harness.emulator import control
from webex_harness.emulator.app import EmulatorApp, create_app
from webex_harness.emulator.model import Contact, Recording
from webex_harness.emulator.services.user import jwt_shaped
from webex_harness.generators import edge_cases
from webex_harness.generators.envelopes import GenContext, valid_envelope
from webex_harness.webex.envelope import Security, XmlResponse, build_request, parse_response

MY_APIS = [
    "CreateUser",
    "SetUser",
    "GetUser",
    "DelUser",
    "GetMe",
    "LstsummaryUser",
    "GetUserCard",
    "AuthenticateUser",
    "GetLoginTicket",
    "GetloginurlUser",
    "GetlogouturlUser",
    "GetSite",
    "GetSessionInfo",
    "LstsummarySession",
    "LstCalendarSession",
    "LstOpenSession",
    "DelSession",
    "LstRecording",
    "SetRecordingInfo",
    "CreateContact",
    "SetContact",
    "LstmeetingusageHistory",
    "LstmeetingattendeeHistory",
    "LsttrainingsessionHistory",
    "LsttrainingattendeeHistory",
    "LsteventsessionHistory",
    "LsteventattendeeHistory",
    "LstsupportsessionHistory",
    "LstsupportattendeeHistory",
    "LstmeetingusagePreliminaryHistory",
    "LstmeetingattendeePreliminaryHistory",
    "LsteventsessionPreliminaryHistory",
    "LsteventattendeePreliminaryHistory",
    "LstTrainingPollResultsHistory",
    "LstAccessAnywhereHistory",
]


class Site:
    """A fresh emulator site with its default users, answered in-process."""

    def __init__(self, app: EmulatorApp, **settings: Any) -> None:
        self.app = app
        _, info = control.handle(app.registry, "POST", "/sites", json.dumps({"settings": settings}).encode())
        self.name = info["name"]
        self.passwords = {u["webExID"]: u["password"] for u in info["users"]}

    def security(self, who: str | None = "admin") -> Security:
        return Security(self.name, who, self.passwords[who]) if who else Security(self.name)

    def send(self, raw: bytes, headers: dict[str, str] | None = None) -> XmlResponse:
        status, out, _ = self.app.handle_xml(raw, headers or {})
        return parse_response(out, status)

    def call(
        self,
        service: str,
        api: str,
        body: dict[str, Any],
        who: str | None = "admin",
        headers: dict[str, str] | None = None,
    ) -> XmlResponse:
        return self.send(build_request(service, api, body, self.security(who)), headers)


@pytest.fixture
def app() -> EmulatorApp:
    return create_app()


def _context(site: Site, api: str, seed: int) -> GenContext:
    ctx = GenContext(
        now=datetime.now(UTC).replace(tzinfo=None),
        security=site.security(),
        webex_id_target=None if api == "CreateUser" else "invitee",
    )
    if api in ("GetSessionInfo", "DelSession", "LstsummarySession", "LstCalendarSession", "LstOpenSession"):
        made = site.send(valid_envelope("CreateMeeting", seed, ctx)).expect_success()
        key = made.text("meet:meetingkey") or ""
        ctx = ctx.with_(session_key=key, meeting_uuid=made.text("meet:meetingUUID"))
        if api == "LstOpenSession":
            control.handle(site.app.registry, "POST", f"/sites/{site.name}/sessions/{key}", b'{"status": "INPROGRESS"}')
    if api == "SetRecordingInfo":
        listed = site.call("ep", "LstRecording", {}).expect_success()
        ctx = ctx.with_(recording_id=listed.text("ep:recording/ep:recordingID"))
    if api == "SetContact":
        made = site.call("ep", "CreateContact", {"contact": {"name": "C", "email": "c@example.com"}})
        ctx = ctx.with_(contact_id=made.expect_success().text("ep:contactID"))
    return ctx


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("api", MY_APIS)
def test_every_valid_envelope_succeeds(app: EmulatorApp, api: str, seed: int) -> None:
    site = Site(app)
    response = site.send(valid_envelope(api, seed, _context(site, api, seed)))
    assert response.ok, f"{api}: {response.describe()}"


@pytest.mark.parametrize("api", MY_APIS)
def test_edge_cases_are_answered_as_webex_envelopes(app: EmulatorApp, api: str) -> None:
    site = Site(app)
    ctx = GenContext(now=datetime.now(UTC).replace(tzinfo=None), security=site.security(), webex_id_target="invitee")
    for case in edge_cases(api, 5, ctx):
        if case.envelope is None:
            continue
        status, out, _ = app.handle_xml(case.envelope, {})
        response = parse_response(out, status)
        assert status != 500 and response.result != "INVALID", f"{api} {case.id}: {response.describe()}"


@pytest.mark.parametrize(
    ("token", "ok"),
    [
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl", True),
        ("not-a-token", False),
        ("a.b", False),
        ("eyJhbGciOiJIUzI1NiJ9..c2ln", False),
        ("bm90anNvbg.eyJzdWIiOiJ4In0.c2ln", False),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln!!", False),
    ],
)
def test_jwt_shape(token: str, ok: bool) -> None:
    assert jwt_shaped(token) is ok


def test_deleted_meeting_lands_in_history_once(app: EmulatorApp) -> None:
    site = Site(app)
    made = site.call("meeting", "CreateMeeting", {"metaData": {"confName": "h"}}, who="host").expect_success()
    key = made.text("meet:meetingkey") or ""
    site.call("ep", "DelSession", {"sessionKey": key}, who="host").expect_success()
    history = app.registry.get(site.name).history  # type: ignore[union-attr]
    assert [r.key for r in history if r.key == key] == [key]
    got = site.call("history", "LstmeetingusageHistory", {"meetingKey": key}, who="host").expect_success()
    assert got.text("history:matchingRecords/serv:total") == "1"


def test_non_admins_cannot_manage_other_users(app: EmulatorApp) -> None:
    site = Site(app)
    for api, body in (
        ("SetUser", {"webExId": "invitee", "firstName": "X"}),
        ("DelUser", {"webExId": "invitee"}),
        ("GetUser", {"webExId": "invitee"}),
    ):
        response = site.call("user", api, body, who="host")
        assert (response.result, response.exception_id) == ("FAILURE", "000001"), f"{api}: {response.describe()}"
    assert site.call("user", "SetUser", {"webExId": "host", "firstName": "Me"}, who="host").ok


def test_default_lenient_site_treats_callers_as_admins(app: EmulatorApp) -> None:
    raw = build_request(
        "user",
        "CreateUser",
        {"webExId": "lenientnew", "email": "lenient@example.com", "firstName": "L", "lastName": "N"},
        Security("harness", "anybody", "whatever"),
    )
    status, out, _ = app.handle_xml(raw, {})
    assert parse_response(out, status).ok


def test_envelope_shape_fault_moves_elements_to_com(app: EmulatorApp) -> None:
    site = Site(app)
    control.handle(app.registry, "POST", f"/sites/{site.name}/faults", b'{"enable": ["envelope-shape"]}')
    got = site.call("site", "GetSite", {}).expect_success()
    assert got.body is not None and all(child.prefix == "com" for child in got.body)


def test_the_site_keeps_recordings_contacts_and_session_internals_as_typed_attributes(app: EmulatorApp) -> None:
    """The per-site store has no bag of loose keys: seeded recordings, contacts, a session's audio
    password and what its people were sent are typed attributes, and ``Session.fields`` holds only
    the request's elements as sent."""
    site = Site(app)
    store = app.registry.get(site.name)
    assert store is not None
    listed = site.call("ep", "LstRecording", {}, who="host").expect_success()
    assert store.recordings_seeded == {"host"}
    recording = store.recordings[listed.text("ep:recording/ep:recordingID") or ""]
    assert isinstance(recording, Recording) and recording.host == "host"
    made = site.call("ep", "CreateContact", {"contact": {"name": "C", "email": "C@Example.com"}}, who="host")
    contact = store.contacts[made.expect_success().text("ep:contactID") or ""]
    assert isinstance(contact, Contact) and (contact.owner, contact.fields["email"]) == ("host", "c@example.com")
    created = site.call("meeting", "CreateMeeting", {"metaData": {"confName": "typed"}}, who="host").expect_success()
    session = store.session(created.text("meet:meetingkey"))
    assert session is not None and session.audio_password.isdigit() and len(session.audio_password) == 8
    assert not [name for name in session.fields if name.startswith("_")], session.fields
