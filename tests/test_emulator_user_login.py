"""Login tickets, login/logout URLs, AuthenticateUser's access-token form and the kept GetUser profile,
in-process: the rules the contract suite cannot see from outside (a ticket used up by the URL API,
the lenient default site, a refused request changing nothing), the URL API login that uses a ticket up
and the masking of login tickets."""

from __future__ import annotations

import asyncio
import json
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from webex_harness.emulator import control
from webex_harness.emulator.app import EmulatorApp, create_app
from webex_harness.emulator.services.user_login import use_login_ticket
from webex_harness.webex.envelope import Security, XmlResponse, build_request, parse_response
from webex_harness.webex.masking import SecretSet, login_tickets, mask


@pytest.fixture
def app() -> EmulatorApp:
    return create_app()


def _site(app: EmulatorApp) -> tuple[str, dict[str, str], str]:
    _, info = control.handle(app.registry, "POST", "/sites", json.dumps({"settings": {}}).encode())
    return info["name"], {u["webExID"]: u["password"] for u in info["users"]}, info["rest_token"]


def _call(app: EmulatorApp, security: Security, api: str, body: dict[str, object]) -> XmlResponse:
    status, out, _ = app.handle_xml(build_request("user", api, body, security), {})
    return parse_response(out, status)


def test_a_used_login_ticket_is_replaced(app: EmulatorApp) -> None:
    name, passwords, _ = _site(app)
    host = Security(name, "host", passwords["host"])
    ticket = _call(app, host, "GetLoginTicket", {}).expect_success().text("use:ticket") or ""
    site = app.registry.get(name)
    user = site.user("host") if site is not None else None
    assert user is not None and use_login_ticket(user, ticket)
    assert not use_login_ticket(user, ticket), "a login ticket is used once"
    again = _call(app, host, "GetLoginTicket", {}).expect_success().text("use:ticket")
    assert again and again != ticket
    visits = _call(app, Security(name, "admin", passwords["admin"]), "GetUser", {"webExId": "host"})
    assert visits.expect_success().text("use:visitCount") == "1"


def test_the_login_urls_ticket_is_the_hosts_login_ticket(app: EmulatorApp) -> None:
    name, passwords, _ = _site(app)
    host = Security(name, "host", passwords["host"])
    url = _call(app, host, "GetloginurlUser", {"webExID": "host"}).expect_success().text("use:userLoginURL") or ""
    ticket = parse_qs(urlsplit(url).query)["TK"][0]
    assert _call(app, host, "GetLoginTicket", {}).expect_success().text("use:ticket") == ticket


def test_an_ordinary_host_gets_no_login_url_of_another_user(app: EmulatorApp) -> None:
    name, passwords, _ = _site(app)
    answer = _call(app, Security(name, "host", passwords["host"]), "GetloginurlUser", {"webExID": "admin"})
    assert answer.exception_id == "000001", answer.describe()


def test_access_token_form_on_a_strict_site(app: EmulatorApp) -> None:
    name, _, token = _site(app)
    ok = _call(app, Security(name, "host"), "AuthenticateUser", {"accessToken": token}).expect_success()
    assert ok.text("use:sessionTicket")
    unknown = _call(app, Security(name, "nobody"), "AuthenticateUser", {"accessToken": token})
    assert unknown.exception_id == "030001", unknown.describe()
    without = _call(app, Security(name, "host"), "AuthenticateUser", {})
    assert without.exception_id == "030002", "webExID alone, without a token in the body, is no credential"


def test_access_token_form_on_the_lenient_default_site(app: EmulatorApp) -> None:
    answer = _call(app, Security("harness", "someone@example.com"), "AuthenticateUser", {"accessToken": "anything"})
    assert answer.expect_success().text("use:sessionTicket")


def test_a_refused_set_user_keeps_the_whole_profile(app: EmulatorApp) -> None:
    name, passwords, _ = _site(app)
    admin = Security(name, "admin", passwords["admin"])
    body = {"webExId": "host", "description": "not kept", "options": {"emailVisible": "maybe"}}
    answer = _call(app, admin, "SetUser", body)
    assert answer.exception_id == "010001", answer.describe()
    assert _call(app, admin, "GetUser", {"webExId": "host"}).expect_success().text("use:description") == ""


def test_only_a_user_administrator_grants_read_only_site_admin(app: EmulatorApp) -> None:
    name, passwords, _ = _site(app)
    host = Security(name, "host", passwords["host"])
    refused = _call(app, host, "SetUser", {"webExId": "host", "privilege": {"roSiteAdmin": True}})
    assert refused.exception_id == "000001", refused.describe()
    admin = Security(name, "admin", passwords["admin"])
    _call(app, admin, "SetUser", {"webExId": "host", "privilege": {"roSiteAdmin": True}}).expect_success()
    got = _call(app, admin, "GetUser", {"webExId": "host"}).expect_success()
    assert got.text("use:privilege/use:roSiteAdmin") == "true"


def test_login_tickets_are_masked_and_harvested() -> None:
    xml = (
        "<use:userLoginURL>https://a.webex.com/a/p.php?AT=LI&amp;WID=x&amp;TK=5d4e3b0cb2ff&amp;MU=GoBack"
        "</use:userLoginURL><use:ticket>a6e8b1ce5e2c</use:ticket>"
    )
    assert login_tickets(xml) == ["5d4e3b0cb2ff"]
    shown = mask(xml)
    assert "5d4e3b0cb2ff" not in shown and "a6e8b1ce5e2c" not in shown
    assert "TK=********" in shown and "MU=GoBack" in shown
    found = SecretSet()
    found.update(login_tickets(xml))
    assert "5d4e3b0cb2ff" not in found.mask("elsewhere: 5d4e3b0cb2ff")


def _get(app: EmulatorApp, url: str) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
            return await client.get(url, timeout=10)

    return asyncio.run(go())


def test_the_url_api_login_uses_the_ticket_up(app: EmulatorApp) -> None:
    name, passwords, _ = _site(app)
    host = Security(name, "host", passwords["host"])
    url = _call(app, host, "GetloginurlUser", {"webExID": "host", "backURL": "https://example.com/back"})
    parts = urlsplit(url.expect_success().text("use:userLoginURL") or "")
    first = _get(app, f"{parts.path}?{parts.query}")
    assert first.status_code == 302 and first.headers["location"] == "https://example.com/back?AT=LI&ST=SUCCESS"
    again = _get(app, f"{parts.path}?{parts.query}")
    assert "ST=FAIL" in again.headers["location"], "a login ticket logs in once"
    ticket = parse_qs(parts.query)["TK"][0]
    assert _call(app, host, "GetLoginTicket", {}).expect_success().text("use:ticket") != ticket
    plain = _get(app, f"/{name}/p.php?AT=LO")
    assert plain.status_code == 200 and plain.text == "AT=LO&ST=SUCCESS"
    assert _get(app, "/no-such-site/p.php?AT=LO").status_code == 404
