"""Users: roles, display names, options, PMR, e-mail changes, languages, the user card
(001, 40.4.0–40.12.0).

Tests that create users need a site administrator (role ``admin``) and deactivate what they
create (DelUser) afterwards.
"""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import Security, XmlResponse, build_multi_request


def _password() -> str:
    return "Wxh" + secrets.token_hex(4) + "7Q"


class Users:
    """Creates users through an administrator and deactivates them afterwards."""

    def __init__(self, site: SiteHandle) -> None:
        self.site = site
        self.admin = site.client("admin")
        self.created: list[str] = []

    def body(self, webex_id: str | None = None, **extra: Any) -> dict[str, Any]:
        webex_id = webex_id or self.site.target.run_name(secrets.token_hex(4))
        body: dict[str, Any] = {
            "firstName": "Wanda",
            "lastName": "Harness",
            "webExId": webex_id,
            "password": _password(),
            "email": f"{webex_id}@example.com",
            "privilege": {"host": True},
            "active": "ACTIVATED",
            "sendWelcome": False,
        }
        body.update(extra)
        return body

    def create(self, body: dict[str, Any]) -> XmlResponse:
        response = self.admin.call("user", "CreateUser", body)
        if response.ok:
            self.created.append(str(body["webExId"]))
        return response

    def create_ok(self, **extra: Any) -> dict[str, Any]:
        body = self.body(**extra)
        response = self.create(body).expect_success()
        assert response.text("use:userId"), "CreateUser answers use:userId"
        return body

    def client(self, body: dict[str, Any]) -> XmlClient:
        """A client signed in as a user this tracker created."""
        return self.admin.with_security(Security(self.site.name, body["webExId"], body["password"]))

    def get(self, webex_id: str) -> XmlResponse:
        return self.admin.call("user", "GetUser", {"webExId": webex_id})

    def set(self, webex_id: str, **changes: Any) -> XmlResponse:
        return self.admin.call("user", "SetUser", {"webExId": webex_id, **changes})

    def cleanup(self) -> None:
        for webex_id in self.created:
            self.admin.call("user", "DelUser", {"webExId": webex_id})
        self.created.clear()


@pytest.fixture
def users(site: SiteHandle) -> Iterator[Users]:
    tracker = Users(site)
    try:
        yield tracker
    finally:
        tracker.cleanup()


@pytest.fixture
def users_on(site_factory: Callable[..., SiteHandle]) -> Iterator[Callable[..., Users]]:
    """``users_on(**settings)``: a tracker on a site with those settings."""
    made: list[Users] = []

    def make(**settings: Any) -> Users:
        tracker = Users(site_factory(**settings))
        made.append(tracker)
        return tracker

    try:
        yield make
    finally:
        for tracker in made:
            tracker.cleanup()


# ---------------------------------------------------------------- user-management-role (40.6.0)


@pytest.mark.behaviour("user-management-role")
def test_um_site_admin_round_trips_through_create_and_set(users: Users) -> None:
    body = users.create_ok(
        privilege={"umSiteAdmin": True, "host": False, "siteAdmin": False, "labAdmin": False, "voiceOverIp": False}
    )
    me = users.client(body).call("user", "GetMe", {}).expect_success()
    assert me.text("use:privilege/use:umSiteAdmin") == "true"
    listed = users.admin.call("user", "LstsummaryUser", {"listControl": {"startFrom": 1, "maximumNum": 500}})
    listed.expect_success()
    entry = [u for u in listed.xpath("use:user") if u.findtext("{*}webExId") == body["webExId"]]
    assert len(entry) == 1 and entry[0].findtext("{*}umSiteAdmin") == "true"
    users.set(body["webExId"], privilege={"umSiteAdmin": False}).expect_success()
    me = users.client(body).call("user", "GetMe", {}).expect_success()
    assert me.text("use:privilege/use:umSiteAdmin") == "false"


@pytest.mark.behaviour("user-management-role")
def test_an_ordinary_user_is_no_user_management_admin(users: Users) -> None:
    body = users.create_ok()
    me = users.client(body).call("user", "GetMe", {}).expect_success()
    assert me.text("use:privilege/use:umSiteAdmin") == "false"
    assert me.text("use:webExId") == body["webExId"]


# ---------------------------------------------------------------- display-name (40.11.0)


@pytest.mark.behaviour("display-name")
def test_display_name_is_stored_and_returned_with_the_toggle_on(users_on: Callable[..., Users]) -> None:
    users = users_on(enable_display_name=True)
    body = users.create_ok(displayName="Captain W")
    assert users.get(body["webExId"]).expect_success().text("use:displayName") == "Captain W"
    users.set(body["webExId"], displayName="Commander W").expect_success()
    assert users.get(body["webExId"]).expect_success().text("use:displayName") == "Commander W"


@pytest.mark.behaviour("display-name")
@pytest.mark.parametrize(
    ("first", "last", "expected"),
    [
        ("Wanda", "Harness", "Wanda Harness"),
        ("小明", "王", "小明王"),
    ],
)
def test_display_name_defaults_to_the_names_with_the_toggle_on(
    users_on: Callable[..., Users], first: str, last: str, expected: str
) -> None:
    users = users_on(enable_display_name=True)
    body = users.create_ok(firstName=first, lastName=last)
    assert users.get(body["webExId"]).expect_success().text("use:displayName") == expected


@pytest.mark.behaviour("display-name")
def test_display_name_is_ignored_with_the_toggle_off(users_on: Callable[..., Users]) -> None:
    users = users_on(enable_display_name=False)
    body = users.create_ok(displayName="Captain W")
    got = users.get(body["webExId"]).expect_success()
    assert not got.has("use:displayName")
    users.set(body["webExId"], displayName="Commander W").expect_success()
    assert not users.get(body["webExId"]).expect_success().has("use:displayName")


# ---------------------------------------------------------------- cmr-hybrid-voip (40.11.0)


@pytest.mark.behaviour("cmr-hybrid-voip")
def test_cmr_hybrid_voip_round_trips(users: Users) -> None:
    body = users.create_ok(cmrHybridVoip=True)
    assert users.get(body["webExId"]).expect_success().text("use:cmrHybridVoip") == "true"
    users.set(body["webExId"], cmrHybridVoip=False).expect_success()
    assert users.get(body["webExId"]).expect_success().text("use:cmrHybridVoip") == "false"
    users.set(body["webExId"], cmrHybridVoip=True).expect_success()
    assert users.get(body["webExId"]).expect_success().text("use:cmrHybridVoip") == "true"


# ---------------------------------------------------------------- device-can-start, user side (40.10.0)


@pytest.mark.behaviour("device-can-start")
def test_device_can_start_my_pmr_round_trips(users: Users) -> None:
    body = users.create_ok(personalMeetingRoom={"deviceCanStartMyPMR": True})
    got = users.get(body["webExId"]).expect_success()
    assert got.text("use:personalMeetingRoom/use:deviceCanStartMyPMR") == "true"
    users.set(body["webExId"], personalMeetingRoom={"deviceCanStartMyPMR": False}).expect_success()
    got = users.get(body["webExId"]).expect_success()
    assert got.text("use:personalMeetingRoom/use:deviceCanStartMyPMR") == "false"


# ---------------------------------------------------------------- supported-services-ci-site (40.12.0)


_SERVICES_OFF = {"meetingCenter": True, "trainingCenter": False, "eventCenter": False, "supportCenter": False}


def _services(response: XmlResponse) -> dict[str, str | None]:
    return {name: response.text(f"use:supportedServices/use:{name}") for name in _SERVICES_OFF}


@pytest.mark.behaviour("supported-services-ci-site")
def test_set_user_does_not_change_supported_services_on_a_ci_linked_site(users_on: Callable[..., Users]) -> None:
    """The emulator's choice (see emulator/services/user.py): the request succeeds, the
    services stay as they were — the note documents no new exception."""
    users = users_on(ci_linked_site=True)
    body = users.create_ok()
    before = _services(users.get(body["webExId"]).expect_success())
    assert before["trainingCenter"] == "true"
    users.set(body["webExId"], supportedServices=_SERVICES_OFF, firstName="Renamed").expect_success()
    after = users.get(body["webExId"]).expect_success()
    assert _services(after) == before, "supportedServices must not change on a CI-linked site"
    assert after.text("use:firstName") == "Renamed", "the rest of the SetUser still applies"


@pytest.mark.behaviour("supported-services-ci-site")
def test_set_user_changes_supported_services_on_other_sites(users_on: Callable[..., Users]) -> None:
    users = users_on(ci_linked_site=False)
    body = users.create_ok()
    users.set(body["webExId"], supportedServices=_SERVICES_OFF).expect_success()
    after = _services(users.get(body["webExId"]).expect_success())
    assert after == {
        "meetingCenter": "true",
        "trainingCenter": "false",
        "eventCenter": "false",
        "supportCenter": "false",
    }


# ---------------------------------------------------------------- e2ee-pmr-110063 (40.6.1)


_E2EE_REASON = "The user must have at least one non-E2EE meeting type to enable PMR."


def _assert_110063(response: XmlResponse) -> None:
    assert response.result == "FAILURE", response.describe()
    assert response.exception_id == "110063"
    assert response.reason == _E2EE_REASON


@pytest.mark.behaviour("e2ee-pmr-110063")
def test_enabling_a_pmr_with_only_e2ee_meeting_types_fails_with_110063(users_on: Callable[..., Users]) -> None:
    users = users_on(e2ee_only_meeting_types=True)
    body = users.create_ok()
    _assert_110063(users.set(body["webExId"], privilege={"isEnablePMR": True}))
    got = users.get(body["webExId"]).expect_success()
    assert got.text("use:privilege/use:isEnablePMR") == "false", "the failed SetUser changed nothing"
    refused = users.body(privilege={"host": True, "isEnablePMR": True})
    _assert_110063(users.create(refused))
    assert users.get(refused["webExId"]).exception_id == "030001", "the failed CreateUser created no user"


@pytest.mark.behaviour("e2ee-pmr-110063")
def test_enabling_a_pmr_works_with_non_e2ee_meeting_types(users_on: Callable[..., Users]) -> None:
    users = users_on(e2ee_only_meeting_types=False)
    body = users.create_ok()
    users.set(body["webExId"], privilege={"isEnablePMR": True}).expect_success()
    assert users.get(body["webExId"]).expect_success().text("use:privilege/use:isEnablePMR") == "true"


@pytest.mark.behaviour("e2ee-pmr-110063")
def test_get_user_and_get_me_of_a_pmr_user_fail_once_only_e2ee_types_remain(users: Users) -> None:
    body = users.create_ok(privilege={"host": True, "isEnablePMR": True})
    users.site.control.set_settings(users.site.name, e2ee_only_meeting_types=True)
    _assert_110063(users.get(body["webExId"]))
    _assert_110063(users.client(body).call("user", "GetMe", {}))


# ---------------------------------------------------------------- email-change-verification (40.4.0)


@pytest.mark.behaviour("email-change-verification")
def test_non_admin_email_change_waits_for_verification(users_on: Callable[..., Users]) -> None:
    users = users_on(email_confirmation_required=True)
    body = users.create_ok()
    own = users.client(body)
    old = body["email"]
    for new in (f"first.{body['webExId']}@example.org", f"second.{body['webExId']}@example.org"):
        own.call("user", "SetUser", {"webExId": body["webExId"], "email": new}).expect_success()
        got = own.call("user", "GetUser", {"webExId": body["webExId"]}).expect_success()
        assert got.text("use:email") == old, "the current e-mail remains until the new one is verified"
    state = users.site.control.state(users.site.name)
    pending = next(u.get("pendingEmail") for u in state["users"] if u["webExID"] == body["webExId"])
    assert pending == f"second.{body['webExId']}@example.org", "the latest request is the one to verify"


@pytest.mark.behaviour("email-change-verification")
def test_site_admin_email_change_applies_at_once(users_on: Callable[..., Users]) -> None:
    users = users_on(email_confirmation_required=True)
    body = users.create_ok()
    new = f"admin.set.{body['webExId']}@example.org"
    users.set(body["webExId"], email=new).expect_success()
    assert users.get(body["webExId"]).expect_success().text("use:email") == new


@pytest.mark.behaviour("email-change-verification")
def test_without_confirmation_a_users_own_change_applies_at_once(users_on: Callable[..., Users]) -> None:
    users = users_on(email_confirmation_required=False)
    body = users.create_ok()
    new = f"self.set.{body['webExId']}@example.org"
    own = users.client(body)
    own.call("user", "SetUser", {"webExId": body["webExId"], "email": new}).expect_success()
    assert own.call("user", "GetUser", {"webExId": body["webExId"]}).expect_success().text("use:email") == new


# ---------------------------------------------------------------- pmr-key-stable (40.6.0)


def _pmr_key(users: Users, webex_id: str) -> str:
    key = users.get(webex_id).expect_success().text("use:personalMeetingRoom/use:accessCode")
    assert key and key.isdigit(), "GetUser shows the PMR meeting key (personalMeetingRoom/accessCode)"
    return key


@pytest.mark.behaviour("pmr-key-stable")
@pytest.mark.parametrize("how", ["SetUser", "DelUser"])
def test_reactivated_within_a_week_keeps_the_pmr_key(users: Users, how: str) -> None:
    body = users.create_ok()
    before = _pmr_key(users, body["webExId"])
    if how == "SetUser":
        users.set(body["webExId"], active="DEACTIVATED").expect_success()
    else:
        users.admin.call("user", "DelUser", {"webExId": body["webExId"]}).expect_success()
    assert users.get(body["webExId"]).expect_success().text("use:active") == "DEACTIVATED"
    users.site.advance_clock(6 * 86400)
    users.set(body["webExId"], active="ACTIVATED").expect_success()
    assert users.get(body["webExId"]).expect_success().text("use:active") == "ACTIVATED"
    assert _pmr_key(users, body["webExId"]) == before


@pytest.mark.behaviour("pmr-key-stable")
def test_re_enabled_pmr_within_a_week_keeps_its_key(users: Users) -> None:
    body = users.create_ok(privilege={"host": True, "isEnablePMR": True})
    before = _pmr_key(users, body["webExId"])
    users.set(body["webExId"], privilege={"isEnablePMR": False}).expect_success()
    users.set(body["webExId"], privilege={"isEnablePMR": True}).expect_success()
    assert _pmr_key(users, body["webExId"]) == before


@pytest.mark.behaviour("pmr-key-stable")
def test_reactivated_after_more_than_a_week_has_a_pmr_key(users: Users) -> None:
    """After a week a new key is allowed (not required): only that reactivation works."""
    body = users.create_ok()
    users.set(body["webExId"], active="DEACTIVATED").expect_success()
    users.site.advance_clock(8 * 86400)
    users.set(body["webExId"], active="ACTIVATED").expect_success()
    _pmr_key(users, body["webExId"])


# ---------------------------------------------------------------- welcome-email-languages (40.7.0, 40.4.3)


@pytest.mark.behaviour("welcome-email-languages")
@pytest.mark.parametrize(
    ("field", "value", "language_id"),
    [
        ("languageID", 19, "19"),
        ("languageID", 20, "20"),
        ("languageID", 21, "21"),
        ("languageID", 22, "22"),
        ("language", "Czech", "19"),
        ("language", "Polish", "20"),
        ("language", "Hungarian", "21"),
        ("language", "Romanian", "22"),
    ],
)
def test_welcome_email_languages_are_accepted(users: Users, field: str, value: Any, language_id: str) -> None:
    body = users.create_ok(**{field: value, "sendWelcome": True, "isHTMLEmail": True})
    got = users.get(body["webExId"]).expect_success()
    assert got.text("use:languageID") == language_id


@pytest.mark.behaviour("welcome-email-languages")
def test_an_unknown_language_id_is_refused(users: Users) -> None:
    """Undocumented in the seeds: the emulator refuses it (010001); only FAILURE is asserted."""
    response = users.create(users.body(languageID=999, sendWelcome=True, isHTMLEmail=True))
    assert response.result == "FAILURE", response.describe()


# ---------------------------------------------------------------- user-card-auth (40.9.0, 40.6.0)


def _jwt() -> str:
    def part(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part({'alg': 'HS256', 'typ': 'JWT'})}.{part({'sub': 'wxh', 'iat': 1700000000})}.{secrets.token_hex(16)}"


def _assert_card(response: XmlResponse, webex_id: str) -> None:
    response.expect_success()
    assert (response.text("use:avatar/use:url") or "").startswith("https://")
    assert (response.text("use:avatar/use:lastModifiedTime") or "").isdigit()
    assert response.text("use:avatar/use:isUploaded") in ("true", "false")
    assert response.text("use:personalMeetingRoom/use:title")
    assert (response.text("use:personalMeetingRoom/use:personalMeetingRoomURL") or "").endswith(f"/meet/{webex_id}")
    assert (response.text("use:personalMeetingRoom/use:accessCode") or "").isdigit()


@pytest.mark.behaviour("user-card-auth")
def test_user_card_without_authorization_fails(site: SiteHandle) -> None:
    """000001: the call lacks authorization (see emulator/services/user.py for the choice)."""
    webex_id = site.security("host").webex_id or "host"
    response = site.anonymous().call("user", "GetUserCard", {"webExId": webex_id})
    assert response.result == "FAILURE", response.describe()
    assert response.exception_id == "000001"
    assert response.reason == "Access denied, additional privileges are required"


@pytest.mark.behaviour("user-card-auth")
def test_user_card_with_credentials(site: SiteHandle) -> None:
    webex_id = site.security("host").webex_id or "host"
    _assert_card(site.client("host").call("user", "GetUserCard", {"webExId": webex_id}), webex_id)


@pytest.mark.behaviour("user-card-auth")
def test_user_card_with_a_jwt_token_header(site: SiteHandle) -> None:
    webex_id = site.security("host").webex_id or "host"
    response = site.anonymous().call("user", "GetUserCard", {"webExId": webex_id}, headers={"JWTToken": _jwt()})
    _assert_card(response, webex_id)


@pytest.mark.behaviour("user-card-auth")
def test_user_card_with_a_malformed_jwt_token_fails(site: SiteHandle) -> None:
    webex_id = site.security("host").webex_id or "host"
    response = site.anonymous().call("user", "GetUserCard", {"webExId": webex_id}, headers={"JWTToken": "not-a-token"})
    assert response.result == "FAILURE", response.describe()
    assert not response.has("use:personalMeetingRoom")


# ---------------------------------------------------------------- e-mails in user APIs (40.8.0, 40.12.0)


@pytest.mark.behaviour("email-no-whitespace")
@pytest.mark.parametrize(
    "email", ["wanda harness@example.com", "wanda.harness@exa mple.com", "wanda\tharness@example.com"]
)
def test_create_user_with_white_space_in_the_email_is_rejected(users: Users, email: str) -> None:
    body = users.body(email=email)
    response = users.create(body)
    assert response.result == "FAILURE", response.describe()
    assert users.get(body["webExId"]).exception_id == "030001", "no user was created"


@pytest.mark.behaviour("email-no-whitespace")
def test_set_user_with_white_space_in_the_email_is_rejected(users: Users) -> None:
    body = users.create_ok()
    response = users.set(body["webExId"], email="wanda harness@example.com")
    assert response.result == "FAILURE", response.describe()
    assert users.get(body["webExId"]).expect_success().text("use:email") == body["email"]


@pytest.mark.behaviour("duplicate-email-first-wins")
def test_users_sharing_an_email_in_one_request_only_the_first_is_created(users: Users) -> None:
    first = users.body()
    second = users.body(email=first["email"].upper())
    raw = build_multi_request([("user", "CreateUser", first), ("user", "CreateUser", second)], users.admin.security)
    response = users.admin.send(raw, api="CreateUser x2")
    users.created += [first["webExId"], second["webExId"]]
    assert response.results[0]["result"] == "SUCCESS", response.results
    assert response.results[1]["result"] != "SUCCESS", "the second user with the same e-mail is not processed"
    assert users.get(first["webExId"]).ok
    assert users.get(second["webExId"]).exception_id == "030001"


@pytest.mark.behaviour("duplicate-email-first-wins")
def test_users_with_different_emails_in_one_request_are_all_created(users: Users) -> None:
    first, second = users.body(), users.body()
    raw = build_multi_request([("user", "CreateUser", first), ("user", "CreateUser", second)], users.admin.security)
    response = users.admin.send(raw, api="CreateUser x2")
    users.created += [first["webExId"], second["webExId"]]
    assert [r["result"] for r in response.results] == ["SUCCESS", "SUCCESS"], response.results
    assert users.get(first["webExId"]).ok and users.get(second["webExId"]).ok


# ---------------------------------------------------------------- privileges


@pytest.mark.behaviour("user-management-role")
def test_an_ordinary_host_may_not_create_users(site: SiteHandle) -> None:
    response = site.client("host").call("user", "CreateUser", Users(site).body())
    assert response.result == "FAILURE", response.describe()
    assert response.exception_id == "000001"
    assert response.reason == "Access denied, additional privileges are required"


@pytest.mark.behaviour("user-management-role")
def test_a_user_management_admin_may_create_users(users: Users) -> None:
    manager = users.create_ok(privilege={"umSiteAdmin": True, "host": True})
    created = users.body()
    users.client(manager).call("user", "CreateUser", created).expect_success()
    users.created.append(created["webExId"])
    assert users.get(created["webExId"]).expect_success().text("use:webExId") == created["webExId"]
