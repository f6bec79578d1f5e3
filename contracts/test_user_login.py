"""Signing users in: AuthenticateUser's two forms, GetLoginTicket, GetloginurlUser and GetlogouturlUser
(the XML API reference pages authenticateuser, getloginticket, getloginurluser, getlogouturluser).

Login tickets are secrets: the run masks them wherever it shows an answer (``use:ticket`` and the
``TK=`` of a login URL).
"""

from __future__ import annotations

import secrets
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.support import HOST_OWN_STATE
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import Security
from webex_harness.webex.masking import mask

# ---------------------------------------------------------------- authenticate-user-access-token


@pytest.mark.behaviour("authenticate-user-access-token")
def test_authenticate_user_with_the_password_in_the_security_context(site: SiteHandle) -> None:
    answer = site.client("host").call("user", "AuthenticateUser", {}).expect_success()
    ticket = answer.text("use:sessionTicket")
    assert ticket, "AuthenticateUser answers use:sessionTicket"
    assert answer.text("use:timeToLive") and answer.text("use:createTime")
    me = site.client("host").with_security(Security(site.name, site.security("host").webex_id, session_ticket=ticket))
    assert me.call("user", "GetMe", {}).expect_success().text("use:webExId")


def _token_client(site: SiteHandle) -> XmlClient:
    """A client whose securityContext carries siteName and the host's webExID only (the page's form)."""
    if not site.rest_token:
        pytest.skip("needs a Webex access token: add credentials.rest_token to the environment")
    return site.client("host").with_security(Security(site.name, site.security("host").webex_id))


@pytest.mark.behaviour("authenticate-user-access-token")
def test_authenticate_user_with_the_access_token_in_the_body(site: SiteHandle) -> None:
    client = _token_client(site)
    answer = client.call("user", "AuthenticateUser", {"accessToken": site.rest_token}).expect_success()
    ticket = answer.text("use:sessionTicket")
    assert ticket, "the access-token form answers use:sessionTicket"
    assert answer.text("use:timeToLive") and answer.text("use:createTime")
    me = client.with_security(Security(site.name, site.security("host").webex_id, session_ticket=ticket))
    assert me.call("user", "GetMe", {}).expect_success().text("use:webExId")


@pytest.mark.behaviour("authenticate-user-access-token")
def test_authenticate_user_with_a_wrong_access_token_fails(site: SiteHandle) -> None:
    client = _token_client(site)
    answer = client.call("user", "AuthenticateUser", {"accessToken": "wrong" + secrets.token_hex(16)})
    assert not answer.ok and answer.exception_id == "030002", answer.describe()


# ---------------------------------------------------------------- login-ticket-reuse


#: Pairs of GetLoginTicket calls tried: on a shared site another client (or another worker of this run)
#: may give the host a new ticket between two calls; a site that hands out a new ticket every time
#: (the ``login-ticket-reuse`` fault) never answers a pair alike.
TICKET_PAIRS = 3


@pytest.mark.behaviour("login-ticket-reuse")
@pytest.mark.xdist_group(HOST_OWN_STATE)  # another worker's new ticket for the host would replace it
def test_get_login_ticket_answers_the_same_unused_ticket(site: SiteHandle) -> None:
    client = site.client("host")
    for _ in range(TICKET_PAIRS):
        first = client.call("user", "GetLoginTicket", {}).expect_success()
        second = client.call("user", "GetLoginTicket", {}).expect_success()
        ticket = first.text("use:ticket")
        assert ticket, "GetLoginTicket answers use:ticket"
        assert first.text("use:apiVersion"), "GetLoginTicket answers use:apiVersion"
        assert ticket not in mask(first.raw.decode()), "the ticket is masked wherever it is shown"
        if second.text("use:ticket") == ticket:
            return
    pytest.fail(f"an unused ticket is handed out again: {TICKET_PAIRS} pairs of calls, each answered two tickets")


@pytest.fixture
def attendee_only(site: SiteHandle) -> Iterator[Security]:
    """A user without hosting privileges (attendee-only), deactivated afterwards."""
    admin = site.client("admin")
    webex_id = site.target.run_name(secrets.token_hex(4))
    password = "Wxh" + secrets.token_hex(4) + "7Q"
    body = {
        "firstName": "Ada",
        "lastName": "Attendee",
        "webExId": webex_id,
        "password": password,
        "email": f"{webex_id}@example.com",
        "privilege": {"host": False, "attendeeOnly": True},
        "active": "ACTIVATED",
        "sendWelcome": False,
    }
    admin.call("user", "CreateUser", body).expect_success()
    try:
        yield Security(site.name, webex_id, password)
    finally:
        admin.call("user", "DelUser", {"webExId": webex_id})


@pytest.mark.behaviour("login-ticket-reuse")
def test_an_attendee_only_account_may_get_a_login_ticket(site: SiteHandle, attendee_only: Security) -> None:
    admin = site.client("admin")
    profile = admin.call("user", "GetUser", {"webExId": attendee_only.webex_id}).expect_success()
    assert profile.text("use:privilege/use:host") == "false"
    answer = admin.with_security(attendee_only).call("user", "GetLoginTicket", {}).expect_success()
    assert answer.text("use:ticket")


# ---------------------------------------------------------------- login-url-ticket, logout-url


def _query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


@pytest.mark.behaviour("login-url-ticket")
@pytest.mark.xdist_group(HOST_OWN_STATE)  # it gives the host a new ticket
def test_login_url_names_the_user_and_carries_a_fresh_ticket(site: SiteHandle) -> None:
    client = site.client("host")
    webex_id = site.security("host").webex_id or ""
    back = "https://example.com/back?from=harness"
    first = client.call("user", "GetloginurlUser", {"webExID": webex_id, "backURL": back}).expect_success()
    second = client.call("user", "GetloginurlUser", {"webExID": webex_id}).expect_success()
    url = first.text("use:userLoginURL") or ""
    parts = urlsplit(url)
    assert parts.scheme == "https" and parts.path.lower().endswith("/p.php"), url
    query = _query(url)
    assert query.get("AT") == "LI" and query.get("WID", "").lower() == webex_id.lower()
    assert query.get("TK"), "the login URL carries a login ticket (TK)"
    assert query.get("BU") == back, "the backURL comes back in BU"
    assert _query(second.text("use:userLoginURL") or "").get("TK") not in ("", None, query["TK"]), (
        "each login URL carries a fresh one-time ticket"
    )
    assert query["TK"] not in mask(first.raw.decode()), "the login URL's ticket is masked"


@pytest.mark.behaviour("login-url-ticket")
def test_login_url_of_an_unknown_user_fails(site: SiteHandle) -> None:
    answer = site.client("admin").call("user", "GetloginurlUser", {"webExID": "nobody-" + secrets.token_hex(6)})
    assert not answer.ok and answer.exception_id == "030001", answer.describe()


@pytest.mark.behaviour("logout-url")
def test_logout_url_is_the_sites_logout_command(site: SiteHandle) -> None:
    webex_id = site.security("host").webex_id or ""
    back = "https://example.com/bye"
    answer = site.client("host").call("user", "GetlogouturlUser", {"webExID": webex_id, "backURL": back})
    url = answer.expect_success().text("use:userLogoutURL") or ""
    assert urlsplit(url).path.lower().endswith("/p.php"), url
    query = _query(url)
    assert query.get("AT") == "LO" and query.get("BU") == back, url


@pytest.mark.behaviour("logout-url")
def test_logout_url_of_an_unknown_user_fails(site: SiteHandle) -> None:
    answer = site.client("admin").call("user", "GetlogouturlUser", {"webExID": "nobody-" + secrets.token_hex(6)})
    assert not answer.ok and answer.exception_id == "030001", answer.describe()
