"""The emulator's control API (``/_emulator/``) and how it shapes what the XML API answers."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from webex_harness.emulator.app import create_app
from webex_harness.emulator.faults import FAULTS
from webex_harness.webex import __version__
from webex_harness.webex.envelope import Security, XmlResponse, build_request, parse_response
from webex_harness.webex.settings import SiteSettings

FUTURE = (datetime.now() + timedelta(days=30)).strftime("%m/%d/%Y %H:%M:%S")
MEETING = {"metaData": {"confName": "Control test"}, "schedule": {"startDate": FUTURE, "timeZoneID": 4}}


class Emulator:
    """One fresh emulator app, called in-process through ``httpx.ASGITransport``."""

    def __init__(self) -> None:
        self.app = create_app()

    def request(self, method: str, path: str, *, content: bytes | None = None, json: Any = None) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
                # the control API takes JSON only (emulator/control_guard.py): say so for raw bodies too
                headers = {"Content-Type": "application/json"} if path.startswith("/_emulator") else None
                return await client.request(method, path, content=content, json=json, headers=headers)

        return asyncio.run(go())

    def control(self, method: str, path: str, payload: Any = None, *, status: int = 200) -> Any:
        r = self.request(method, f"/_emulator/{path}", json={} if payload is None and method == "POST" else payload)
        assert r.status_code == status, r.text
        assert r.headers["content-type"] == "application/json"
        return r.json()

    def xml(self, service: str, api: str, body: dict[str, Any], security: Security) -> XmlResponse:
        r = self.request("POST", "/WBXService/XMLService", content=build_request(service, api, body, security))
        return parse_response(r.content, r.status_code)


@pytest.fixture
def emu() -> Emulator:
    return Emulator()


def host_of(site: dict[str, Any], webex_id: str = "host") -> Security:
    user = next(u for u in site["users"] if u["webExID"] == webex_id)
    return Security(site["name"], webex_id, user["password"])


def test_health(emu: Emulator) -> None:
    assert emu.control("GET", "health") == {"status": "ok", "version": __version__, "sites": 1, "requests": 0}


def test_health_counts_the_xml_and_rest_requests_answered_but_not_the_control_api(emu: Emulator) -> None:
    emu.xml("user", "GetMe", {}, Security("harness", "host", "emulator-pass"))
    emu.request("GET", "/v1/meetings")
    emu.request("GET", "/WBXService/XMLService")  # answered too (405)
    emu.control("POST", "reset")
    assert emu.control("GET", "health")["requests"] == 3


def test_faults_lists_every_fault_with_what_it_breaks(emu: Emulator) -> None:
    listed = emu.control("GET", "faults")["faults"]
    assert {f["id"]: f["breaks"] for f in listed} == {k: f.breaks for k, f in FAULTS.items()}


def test_new_site_has_default_users_with_passwords_token_and_site_id(emu: Emulator) -> None:
    site = emu.control("POST", "sites", {})
    assert site["name"]
    assert site["siteID"].isdigit()
    assert site["rest_token"]
    users = {u["webExID"]: u for u in site["users"]}
    assert set(users) == {"host", "admin", "invitee", "outsider"}
    assert all(u["password"] and u["email"] for u in users.values())
    assert len({u["password"] for u in users.values()}) == 4
    assert users["admin"]["siteAdmin"] is True
    assert users["host"]["siteAdmin"] is False
    assert site["settings"] == SiteSettings().to_dict()
    assert site["faults"] == []
    assert emu.control("GET", "health")["sites"] == 2


def test_new_site_without_a_body_gets_defaults(emu: Emulator) -> None:
    r = emu.request("POST", "/_emulator/sites")
    assert r.status_code == 200
    assert {u["webExID"] for u in r.json()["users"]} == {"host", "admin", "invitee", "outsider"}


def test_new_sites_get_distinct_names_tokens_and_site_ids(emu: Emulator) -> None:
    one, two = emu.control("POST", "sites", {}), emu.control("POST", "sites", {})
    assert one["name"] != two["name"]
    assert one["rest_token"] != two["rest_token"]
    assert one["siteID"] != two["siteID"]


def test_new_site_with_custom_name_settings_users_and_faults(emu: Emulator) -> None:
    site = emu.control(
        "POST",
        "sites",
        {
            "name": "acme",
            "settings": {"password_required": False, "body_content_limit": 3, "private_meeting_types": [169, 170]},
            "users": [
                {"webExID": "Alice", "password": "Secret123", "firstName": "Al", "siteAdmin": True},
                {"webExID": "bob"},
            ],
            "faults": ["email-lowercase"],
        },
    )
    assert site["name"] == "acme"
    assert site["settings"]["password_required"] is False
    assert site["settings"]["body_content_limit"] == 3
    assert site["settings"]["private_meeting_types"] == [169, 170]
    assert site["faults"] == ["email-lowercase"]
    users = {u["webExID"]: u for u in site["users"]}
    assert set(users) == {"Alice", "bob"}
    assert users["Alice"]["password"] == "Secret123"
    assert users["Alice"]["email"] == "alice@example.com"
    assert users["Alice"]["siteAdmin"] is True
    assert users["bob"]["password"]
    assert emu.xml("user", "AuthenticateUser", {}, Security("acme", "Alice", "Secret123")).ok


@pytest.mark.parametrize(
    ("payload", "named"),
    [
        ({"settings": {"no_such_setting": True}}, "no_such_setting"),
        ({"settings": {"password_required": "false"}}, "password_required"),
        ({"settings": {"body_content_limit": True}}, "body_content_limit"),
        ({"settings": {"body_content_limit": "10"}}, "body_content_limit"),
        ({"settings": {"private_meeting_types": 169}}, "private_meeting_types"),
        ({"faults": ["no-such-fault"]}, "no-such-fault"),
    ],
    ids=["unknown-setting", "string-for-bool", "bool-for-int", "string-for-int", "int-for-list", "unknown-fault"],
)
def test_bad_site_payload_is_400_naming_the_culprit(emu: Emulator, payload: dict[str, Any], named: str) -> None:
    answer = emu.control("POST", "sites", payload, status=400)
    assert named in answer["error"]


def test_bad_site_payload_creates_no_site(emu: Emulator) -> None:
    emu.control("POST", "sites", {"name": "half", "faults": ["no-such-fault"]}, status=400)
    emu.control("GET", "sites/half/state", status=404)


@pytest.mark.parametrize(
    "payload",
    [
        [1, 2],
        {"users": "host"},
        {"users": [{"password": "x"}]},
        {"settings": [1]},
        {"name": 5},
        {"faults": "email-lowercase"},
    ],
    ids=[
        "not-an-object",
        "users-not-a-list",
        "user-without-webexid",
        "settings-not-an-object",
        "name-not-a-string",
        "faults-not-a-list",
    ],
)
def test_malformed_site_payload_is_400(emu: Emulator, payload: Any) -> None:
    assert emu.control("POST", "sites", payload, status=400)["error"]


def test_body_that_is_not_json_is_400(emu: Emulator) -> None:
    r = emu.request("POST", "/_emulator/sites", content=b"{not json")
    assert r.status_code == 400
    assert "JSON" in r.json()["error"]


def test_duplicate_site_name_is_409(emu: Emulator) -> None:
    emu.control("POST", "sites", {"name": "acme"})
    assert "acme" in emu.control("POST", "sites", {"name": "acme"}, status=409)["error"]
    emu.control("POST", "sites", {"name": "ACME"}, status=409)
    emu.control("POST", "sites", {"name": "harness"}, status=409)


def test_unknown_site_and_unknown_endpoint_are_404(emu: Emulator) -> None:
    assert "nowhere" in emu.control("GET", "sites/nowhere/state", status=404)["error"]
    emu.control("GET", "no/such/endpoint", status=404)
    emu.control("DELETE", "health", status=404)


def test_state_shows_a_created_meeting_and_lower_case_attendee_emails(emu: Emulator) -> None:
    site = emu.control("POST", "sites", {})
    created = emu.xml("meeting", "CreateMeeting", MEETING, host_of(site)).expect_success()
    key = created.text("meet:meetingkey")
    emu.xml(
        "attendee",
        "CreateMeetingAttendee",
        {"person": {"name": "Mixed", "email": "Mixed.Case@Example.COM"}, "meetingKey": key},
        host_of(site),
    ).expect_success()
    state = emu.control("GET", f"sites/{site['name']}/state")
    assert state["name"] == site["name"]
    assert state["default"] is False
    assert state["siteID"] == site["siteID"]
    [session] = state["sessions"]
    assert session["key"] == key
    assert session["meetingUUID"] == created.text("meet:meetingUUID")
    assert session["name"] == "Control test"
    assert session["host"] == "host"
    assert [a["email"] for a in session["attendees"]] == ["mixed.case@example.com"]


def test_clock_advance_moves_now(emu: Emulator) -> None:
    site = emu.control("POST", "sites", {})
    before = datetime.fromisoformat(emu.control("GET", f"sites/{site['name']}/state")["now"])
    advanced = emu.control("POST", f"sites/{site['name']}/clock", {"advance_seconds": 86400})
    moved = datetime.fromisoformat(advanced["now"])
    assert timedelta(days=1) <= moved - before < timedelta(days=1, minutes=1)
    after = datetime.fromisoformat(emu.control("GET", f"sites/{site['name']}/state")["now"])
    assert after >= moved
    default_now = datetime.fromisoformat(emu.control("GET", "sites/harness/state")["now"])
    assert default_now < moved - timedelta(hours=23)


def test_clock_advance_makes_a_future_start_date_past(emu: Emulator) -> None:
    site = emu.control("POST", "sites", {})
    assert emu.xml("meeting", "CreateMeeting", MEETING, host_of(site)).ok
    emu.control("POST", f"sites/{site['name']}/clock", {"advance_seconds": 60 * 86400})
    assert emu.xml("meeting", "CreateMeeting", MEETING, host_of(site)).exception_id == "060016"


@pytest.mark.parametrize("payload", [None, {}, {"advance_seconds": "60"}, {"advance_seconds": True}])
def test_clock_needs_a_number(emu: Emulator, payload: Any) -> None:
    emu.control("POST", "sites/harness/clock", payload, status=400)


def test_faults_enable_and_disable(emu: Emulator) -> None:
    site = emu.control("POST", "sites", {})
    name = site["name"]
    key = emu.xml("meeting", "CreateMeeting", MEETING, host_of(site)).expect_success().text("meet:meetingkey")

    def add(email: str) -> None:
        emu.xml(
            "attendee",
            "CreateMeetingAttendee",
            {"person": {"name": "X", "email": email}, "meetingKey": key},
            host_of(site),
        ).expect_success()

    on = emu.control("POST", f"sites/{name}/faults", {"enable": ["email-lowercase"]})
    assert on == {"site": name, "faults": ["email-lowercase"]}
    add("Kept.Case@Example.com")
    off = emu.control("POST", f"sites/{name}/faults", {"disable": ["email-lowercase"]})
    assert off["faults"] == []
    add("Low.Case@Example.com")
    emails = [a["email"] for a in emu.control("GET", f"sites/{name}/state")["sessions"][0]["attendees"]]
    assert emails == ["Kept.Case@Example.com", "low.case@example.com"]


def test_unknown_fault_in_faults_endpoint_is_400_naming_it(emu: Emulator) -> None:
    assert "bogus-id" in emu.control("POST", "sites/harness/faults", {"enable": ["bogus-id"]}, status=400)["error"]
    emu.control("POST", "sites/harness/faults", {"enable": "email-lowercase"}, status=400)


def test_settings_endpoint_changes_settings_and_names_unknown_ones(emu: Emulator) -> None:
    changed = emu.control("POST", "sites/harness/settings", {"body_content_limit": 2})
    assert changed["body_content_limit"] == 2
    assert emu.control("GET", "sites/harness/state")["settings"]["body_content_limit"] == 2
    assert "bogus" in emu.control("POST", "sites/harness/settings", {"bogus": 1}, status=400)["error"]


def test_sessions_endpoint_sets_live_state(emu: Emulator) -> None:
    anyone = Security("harness", "host", "pw")
    key = emu.xml("meeting", "CreateMeeting", MEETING, anyone).expect_success().text("meet:meetingkey")
    live = emu.control("POST", f"sites/harness/sessions/{key}", {"status": "INPROGRESS", "host_in_meeting": True})
    assert live["key"] == key
    info = emu.xml("ep", "GetSessionInfo", {"sessionKey": key}, anyone).expect_success()
    assert info.text("ep:status") == "INPROGRESS"
    assert info.text("ep:hasHostInMeeting") == "true"
    emu.control("POST", "sites/harness/sessions/123", {"status": "INPROGRESS"}, status=404)


def test_reset_drops_created_sites_and_renews_the_default(emu: Emulator) -> None:
    site = emu.control("POST", "sites", {"name": "acme"})
    emu.xml("meeting", "CreateMeeting", MEETING, Security("harness", "host", "pw")).expect_success()
    assert emu.control("POST", "reset") == {"status": "reset", "default_site": "harness"}
    emu.control("GET", f"sites/{site['name']}/state", status=404)
    assert emu.control("GET", "health")["sites"] == 1
    assert emu.control("GET", "sites/harness/state")["sessions"] == []
    emu.control("POST", "sites", {"name": "acme"})  # the name is free again


def test_request_naming_a_created_site_goes_there(emu: Emulator) -> None:
    site = emu.control("POST", "sites", {"name": "Acme"})
    security = Security("ACME", "host", host_of(site).password)  # site names are case-insensitive
    key = emu.xml("meeting", "CreateMeeting", MEETING, security).expect_success().text("meet:meetingkey")
    assert [s["key"] for s in emu.control("GET", "sites/Acme/state")["sessions"]] == [key]
    assert emu.control("GET", "sites/harness/state")["sessions"] == []


@pytest.mark.parametrize("site_name", ["some-other-site", "harness", None])
def test_any_other_site_name_goes_to_the_default_site_which_accepts_any_credentials(
    emu: Emulator, site_name: str | None
) -> None:
    emu.control("POST", "sites", {"name": "acme"})
    security = Security(site_name, "whoever", "any-password")
    key = emu.xml("meeting", "CreateMeeting", MEETING, security).expect_success().text("meet:meetingkey")
    default = emu.control("GET", "sites/harness/state")
    assert [s["key"] for s in default["sessions"]] == [key]
    assert default["sessions"][0]["host"] == "whoever"
    assert emu.control("GET", "sites/acme/state")["sessions"] == []


def test_created_site_rejects_a_wrong_password_with_030002(emu: Emulator) -> None:
    site = emu.control("POST", "sites", {})
    resp = emu.xml("meeting", "CreateMeeting", MEETING, Security(site["name"], "host", "wrong-password"))
    assert (resp.result, resp.exception_id, resp.reason) == ("FAILURE", "030002", "Incorrect user or password")


def test_created_site_rejects_a_missing_password_with_030002(emu: Emulator) -> None:
    site = emu.control("POST", "sites", {})
    resp = emu.xml("user", "AuthenticateUser", {}, Security(site["name"], "host"))
    assert resp.exception_id == "030002"


def test_created_site_rejects_an_unknown_user_with_030001(emu: Emulator) -> None:
    site = emu.control("POST", "sites", {})
    resp = emu.xml("meeting", "CreateMeeting", MEETING, Security(site["name"], "nobody", "whatever1"))
    assert (resp.result, resp.exception_id, resp.reason) == ("FAILURE", "030001", "Corresponding User not found")


def test_created_site_user_ids_are_case_insensitive(emu: Emulator) -> None:
    site = emu.control("POST", "sites", {})
    assert emu.xml("user", "AuthenticateUser", {}, Security(site["name"], "HOST", host_of(site).password)).ok


def test_default_site_with_strict_auth_rejects_bad_credentials(emu: Emulator) -> None:
    emu.control("POST", "sites/harness/settings", {"strict_auth": True})
    unknown = emu.xml("meeting", "CreateMeeting", MEETING, Security("harness", "nobody", "pw"))
    assert unknown.exception_id == "030001"
    emu.control("POST", "sites/harness/settings", {"strict_auth": False})
    assert emu.xml("meeting", "CreateMeeting", MEETING, Security("harness", "host", "pw1")).ok  # now provisioned
    emu.control("POST", "sites/harness/settings", {"strict_auth": True})
    wrong = emu.xml("meeting", "CreateMeeting", MEETING, Security("harness", "host", "not-pw1"))
    assert wrong.exception_id == "030002"
    assert emu.xml("meeting", "CreateMeeting", MEETING, Security("harness", "host", "pw1")).ok


def test_default_site_created_with_strict_auth_setting(emu: Emulator) -> None:
    strict = Emulator()
    strict.app = create_app(settings=SiteSettings(strict_auth=True))
    resp = strict.xml("meeting", "CreateMeeting", MEETING, Security("harness", "anyone", "anything"))
    assert resp.exception_id == "030001"


def test_generated_passwords_always_have_upper_lower_case_and_digits() -> None:
    import re

    from webex_harness.emulator.model import generate_password

    for _ in range(2000):
        password = generate_password()
        assert len(password) == 11
        assert re.search(r"[A-Z]", password) and re.search(r"[a-z]", password) and re.search(r"\d", password)
