"""The emulator against the wire format real clients expect: one test per rule, in-process over ASGI.

Requests are written out as raw XML text (not through :mod:`webex.envelope`) so each test
controls the exact bytes a real client sends: undeclared prefixes, odd spellings, encodings.
"""

from __future__ import annotations

import asyncio
import re
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from webex_harness.emulator.app import create_app
from webex_harness.emulator.xmlio import MAX_BODY_BYTES
from webex_harness.webex import timezones
from webex_harness.webex.envelope import XmlResponse, parse_response
from webex_harness.webex.errors import known_exception, webex_error
from webex_harness.webex.namespaces import NAMESPACES

XSI = "http://www.w3.org/2001/XMLSchema-instance"
XML_PATH = "/WBXService/XMLService"
DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


class Emulator:
    """One fresh emulator app, called in-process through ``httpx.ASGITransport``."""

    def __init__(self) -> None:
        self.app = create_app()

    def request(
        self,
        method: str,
        path: str,
        *,
        content: bytes | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
        host: str = "harness.webex.com",
    ) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url=f"https://{host}") as client:
                return await client.request(method, path, content=content, json=json, headers=headers)

        return asyncio.run(go())

    def post(
        self, body: str | bytes, headers: dict[str, str] | None = None, host: str = "harness.webex.com"
    ) -> httpx.Response:
        raw = body.encode("utf-8") if isinstance(body, str) else body
        return self.request("POST", XML_PATH, content=raw, headers=headers, host=host)

    def call(self, body: str | bytes, headers: dict[str, str] | None = None) -> XmlResponse:
        r = self.post(body, headers)
        return parse_response(r.content, r.status_code, content_type=r.headers.get("content-type"))

    def control(self, method: str, path: str, payload: Any = None) -> Any:
        r = self.request(method, f"/_emulator/{path}", json=payload)
        assert r.status_code == 200, r.text
        return r.json()


@pytest.fixture
def emu() -> Emulator:
    return Emulator()


def sec(site: str | None = "harness", webex_id: str | None = "host", password: str | None = "pw", **extra: str) -> str:
    """A securityContext's children, in the order given (None leaves an element out)."""
    pairs = [("siteName", site), ("webExID", webex_id), ("password", password), *extra.items()]
    return "".join(f"<{k}>{v}</{k}>" for k, v in pairs if v is not None)


def envelope(
    api: str,
    body: str = "",
    *,
    security: str | None = None,
    xsi_type: str | None = None,
    root: str = "serv:message",
    root_attrs: str = f' xmlns:xsi="{XSI}"',
    prolog: str = DECL,
    type_attr: str = "xsi:type=",
) -> str:
    """A request with the ``serv:`` prefix used but not declared, as real clients send it."""
    xsi_type = xsi_type or f"java:com.webex.service.binding.{api}"
    security = sec() if security is None else security
    return (
        f"{prolog}<{root}{root_attrs}><header><securityContext>{security}</securityContext></header>"
        f'<body><bodyContent {type_attr}"{xsi_type}">{body}</bodyContent></body></{root}>'
    )


def webex_date(dt: datetime) -> str:
    return dt.strftime("%m/%d/%Y %H:%M:%S")


def future(days: int = 30) -> str:
    return webex_date(datetime.now(UTC).replace(tzinfo=None, microsecond=0) + timedelta(days=days))


def meeting_xml(
    name: str = "Wire test",
    *,
    start: str | None = None,
    schedule_extra: str = "<timeZoneID>4</timeZoneID>",
    extra: str = "",
) -> str:
    return (
        f"<metaData><confName>{name}</confName><meetingType>3</meetingType></metaData>"
        f"<schedule><startDate>{start or future()}</startDate><duration>30</duration>{schedule_extra}</schedule>"
        f"{extra}"
    )


def create_meeting(emu: Emulator, body: str | None = None, security: str | None = None) -> str:
    resp = emu.call(envelope("meeting.CreateMeeting", meeting_xml() if body is None else body, security=security))
    resp.expect_success()
    key = resp.text("meet:meetingkey")
    assert key, resp.raw
    return key


def get_meeting(emu: Emulator, key: str, key_element: str = "meetingKey", security: str | None = None) -> XmlResponse:
    body = f"<{key_element}>{key}</{key_element}>"
    return emu.call(envelope("meeting.GetMeeting", body, security=security))


def new_site(emu: Emulator, **payload: Any) -> dict[str, Any]:
    site: dict[str, Any] = emu.control("POST", "sites", payload)
    return site


def password_of(site: dict[str, Any], webex_id: str = "host") -> str:
    return next(u["password"] for u in site["users"] if u["webExID"] == webex_id)


def root_start_tag(raw: bytes) -> str:
    match = re.search(rb"<serv:message\b[^>]*>", raw)
    assert match, raw[:300]
    return match.group(0).decode()


def response_children(resp: XmlResponse) -> list[str]:
    assert resp.root is not None
    response = resp.root.find(f"{{{NAMESPACES['serv']}}}header/{{{NAMESPACES['serv']}}}response")
    assert response is not None
    return [child.tag.split("}")[1] for child in response]


# ------------------------------------------------------------------ requests the emulator must accept


@pytest.mark.parametrize("host", ["harness.webex.com", "localhost:8080", "10.1.2.3", "acme.example.org"])
def test_any_host_is_served(emu: Emulator, host: str) -> None:
    r = emu.post(envelope("user.AuthenticateUser"), host=host)
    assert parse_response(r.content, r.status_code).ok, r.text


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/xml",
        "text/xml",
        "text/xml;charset=UTF-8",
        "text/xml charset=UTF-8",
        "application/x-www-form-urlencoded",
    ],
)
def test_content_type_does_not_matter_and_body_is_never_form_decoded(emu: Emulator, content_type: str | None) -> None:
    name = "A+B %41=1&amp;c"  # form-decoding would turn + into a space and %41 into A
    headers = {"Content-Type": content_type} if content_type else {}
    raw = envelope("meeting.CreateMeeting", meeting_xml(name)).encode()
    r = emu.post(raw, headers=headers)
    created = parse_response(r.content, r.status_code).expect_success()
    got = get_meeting(emu, created.text("meet:meetingkey") or "").expect_success()
    assert got.text("meet:metaData/meet:confName") == "A+B %41=1&c"


def test_request_without_content_type_header_at_all(emu: Emulator) -> None:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=emu.app)
        async with httpx.AsyncClient(transport=transport, base_url="https://harness.webex.com") as client:
            request = client.build_request("POST", XML_PATH, content=envelope("user.AuthenticateUser").encode())
            assert "content-type" not in request.headers
            return await client.send(request)

    r = asyncio.run(go())
    assert parse_response(r.content, r.status_code).ok, r.text


def test_iso_8859_1_declared_encoding_round_trips_a_non_ascii_name(emu: Emulator) -> None:
    body = envelope(
        "meeting.CreateMeeting", meeting_xml("Réunion café"), prolog='<?xml version="1.0" encoding="ISO-8859-1"?>\n'
    )
    raw = body.encode("iso-8859-1")
    assert "é".encode() not in raw
    key = parse_response(emu.post(raw).content).expect_success().text("meet:meetingkey") or ""
    got = get_meeting(emu, key).expect_success()
    assert got.text("meet:metaData/meet:confName") == "Réunion café"


def test_utf8_non_ascii_name_round_trips(emu: Emulator) -> None:
    key = create_meeting(emu, meeting_xml("Zürich 会议"))
    assert get_meeting(emu, key).text("meet:metaData/meet:confName") == "Zürich 会议"


def test_predefined_and_numeric_character_references_are_decoded(emu: Emulator) -> None:
    key = create_meeting(emu, meeting_xml("A &amp; B &lt;&#233;&gt; <![CDATA[<c>]]>"))
    assert get_meeting(emu, key).text("meet:metaData/meet:confName") == "A & B <é> <c>"


@pytest.mark.parametrize("lead", [" ", "\n", "\r\n\t  \n", "\ufeff"])
def test_white_space_before_xml_declaration_is_ignored(emu: Emulator, lead: str) -> None:
    assert emu.call(lead + envelope("user.AuthenticateUser")).ok


def test_undeclared_serv_prefix_on_root_is_accepted(emu: Emulator) -> None:
    body = envelope("user.AuthenticateUser")
    assert "xmlns:serv" not in body
    assert emu.call(body).ok


def test_request_declaring_no_namespace_at_all_is_accepted(emu: Emulator) -> None:
    assert emu.call(envelope("user.AuthenticateUser", root_attrs="")).ok


def test_unprefixed_message_root_is_accepted(emu: Emulator) -> None:
    key = create_meeting(emu)
    resp = emu.call(envelope("meeting.GetMeeting", f"<meetingKey>{key}</meetingKey>", root="message"))
    assert resp.expect_success().text("meet:meetingkey") == key


def test_fully_namespaced_request_is_accepted(emu: Emulator) -> None:
    attrs = f' xmlns:serv="{NAMESPACES["serv"]}" xmlns:xsi="{XSI}"'
    body = (
        f"{DECL}<serv:message{attrs}><serv:header><serv:securityContext>{sec()}</serv:securityContext>"
        f'</serv:header><serv:body><serv:bodyContent xsi:type="java:com.webex.service.binding.user.AuthenticateUser">'
        f"</serv:bodyContent></serv:body></serv:message>"
    )
    assert emu.call(body).ok


def _meeting_with_attendees(emu: Emulator, emails: list[str]) -> str:
    key = create_meeting(emu)
    for email in emails:
        person = f"<person><name>{email.split('@')[0]}</name><email>{email}</email></person>"
        emu.call(envelope("attendee.CreateMeetingAttendee", f"{person}<meetingKey>{key}</meetingKey>")).expect_success()
    return key


def test_serv_prefixed_list_control_children_are_honoured(emu: Emulator) -> None:
    key = _meeting_with_attendees(emu, ["a1@example.com", "a2@example.com", "a3@example.com"])
    body = (
        "<listControl><serv:startFrom>2</serv:startFrom><serv:maximumNum>1</serv:maximumNum></listControl>"
        f"<meetingKey>{key}</meetingKey>"
    )
    resp = emu.call(envelope("attendee.LstMeetingAttendee", body)).expect_success()
    assert resp.text("att:matchingRecords/serv:total") == "3"
    assert resp.text("att:matchingRecords/serv:returned") == "1"
    assert resp.text("att:matchingRecords/serv:startFrom") == "2"
    assert resp.texts("att:attendee/att:person/com:email") == ["a2@example.com"]


@pytest.mark.parametrize(
    "type_attr",
    ["xsi:type= ", "xsi:type =", "xsi:type = \n "],
    ids=["after-equals", "before-equals", "around-equals"],
)
def test_xsi_type_with_white_space_around_equals_is_accepted(emu: Emulator, type_attr: str) -> None:
    assert emu.call(envelope("user.AuthenticateUser", type_attr=type_attr)).ok


def test_xsi_type_value_with_surrounding_white_space_is_accepted(emu: Emulator) -> None:
    xsi_type = " java:com.webex.service.binding.user.AuthenticateUser \n"
    assert emu.call(envelope("user.AuthenticateUser", xsi_type=xsi_type)).ok


def test_xsi_type_short_form_is_accepted(emu: Emulator) -> None:
    resp = emu.call(envelope("meeting.CreateMeeting", meeting_xml(), xsi_type="meeting.CreateMeeting"))
    assert resp.expect_success().text("meet:meetingkey")


@pytest.mark.parametrize("element", ["meetingKey", "meetingkey", "MeetingKey", "sessionKey"])
def test_meeting_key_spellings_address_the_meeting(emu: Emulator, element: str) -> None:
    key = create_meeting(emu)
    assert get_meeting(emu, key, element).expect_success().text("meet:meetingkey") == key


@pytest.mark.parametrize("element", ["meetingKey", "meetingkey"])
def test_meeting_key_spellings_delete_the_meeting(emu: Emulator, element: str) -> None:
    key = create_meeting(emu)
    emu.call(envelope("meeting.DelMeeting", f"<{element}>{key}</{element}>")).expect_success()
    assert get_meeting(emu, key).exception_id == "060001"


def test_session_key_carries_a_meeting_key_for_get_session_info(emu: Emulator) -> None:
    key = create_meeting(emu)
    resp = emu.call(envelope("ep.GetSessionInfo", f"<sessionKey>{key}</sessionKey>"))
    assert resp.expect_success().text("ep:sessionkey") == key


@pytest.mark.parametrize("element", ["webExID", "webExId", "webexid"])
def test_webex_id_spellings_identify_the_user(emu: Emulator, element: str) -> None:
    site = new_site(emu)
    right = f"<siteName>{site['name']}</siteName><{element}>host</{element}><password>{password_of(site)}</password>"
    wrong = f"<siteName>{site['name']}</siteName><{element}>host</{element}><password>nope</password>"
    assert emu.call(envelope("user.AuthenticateUser", security=right)).ok
    assert emu.call(envelope("user.AuthenticateUser", security=wrong)).exception_id == "030002"


def test_booleans_true_and_false_in_upper_case_are_read(emu: Emulator) -> None:
    form = "<registrationForm><company><req>TRUE</req></company><title><req>FALSE</req></title></registrationForm>"
    key = create_meeting(
        emu, meeting_xml(extra=form + "<attendeeOptions><registration>TRUE</registration></attendeeOptions>")
    )
    got = get_meeting(emu, key).expect_success()
    assert got.text("meet:registrationForm/meet:company/meet:req") == "true"
    assert got.text("meet:registrationForm/meet:title/meet:req") == "false"
    info = emu.call(envelope("ep.GetSessionInfo", f"<sessionKey>{key}</sessionKey>")).expect_success()
    assert info.text("ep:accessControl/ep:registration") == "true"

    emu.call(
        envelope(
            "meeting.SetMeeting",
            f"<meetingKey>{key}</meetingKey><registrationForm><company><req>FALSE</req></company></registrationForm>",
        )
    ).expect_success()
    assert get_meeting(emu, key).text("meet:registrationForm/meet:company/meet:req") == "false"


def test_unpadded_dates_are_accepted(emu: Emulator) -> None:
    year = datetime.now(UTC).year + 2
    key = create_meeting(emu, meeting_xml(start=f"5/7/{year} 9:5:0"))
    assert get_meeting(emu, key).text("meet:schedule/meet:startDate") == f"05/07/{year} 09:05:00"


def test_padded_dates_round_trip(emu: Emulator) -> None:
    start = future(40)
    key = create_meeting(emu, meeting_xml(start=start))
    assert get_meeting(emu, key).text("meet:schedule/meet:startDate") == start


def test_missing_time_zone_id_uses_the_site_default(emu: Emulator) -> None:
    start = future()
    key = create_meeting(emu, meeting_xml(start=start, schedule_extra=""))
    got = get_meeting(emu, key).expect_success()
    assert got.text("meet:schedule/meet:timeZoneID") == str(timezones.DEFAULT_TIME_ZONE_ID)
    assert got.text("meet:schedule/meet:startDate") == start


def test_lower_case_timezone_id_spelling_is_read(emu: Emulator) -> None:
    key = create_meeting(emu, meeting_xml(schedule_extra="<timezoneID>20</timezoneID>"))
    assert get_meeting(emu, key).text("meet:schedule/meet:timeZoneID") == "20"


def test_time_zone_text_instead_of_an_id_is_accepted(emu: Emulator) -> None:
    key = create_meeting(emu, meeting_xml(schedule_extra="<timeZone>GMT-08:00, Pacific (San Jose)</timeZone>"))
    assert get_meeting(emu, key).ok


def test_empty_option_blocks_are_accepted(emu: Emulator) -> None:
    extra = "<enableOptions/><attendeeOptions></attendeeOptions><telephony/><remind/>"
    key = create_meeting(emu, meeting_xml(extra=extra))
    assert get_meeting(emu, key).ok


# securityContext forms (docs/wire.md R7)


def test_security_context_webex_id_and_password(emu: Emulator) -> None:
    site = new_site(emu)
    key = create_meeting(emu, security=sec(site["name"], "host", password_of(site)))
    state = emu.control("GET", f"sites/{site['name']}/state")
    assert [s["key"] for s in state["sessions"]] == [key]
    assert state["sessions"][0]["host"] == "host"


def test_security_context_session_ticket_from_authenticate_user(emu: Emulator) -> None:
    site = new_site(emu)
    auth = emu.call(envelope("user.AuthenticateUser", security=sec(site["name"], "host", password_of(site))))
    ticket = auth.expect_success().text("use:sessionTicket")
    assert ticket
    key = create_meeting(emu, security=sec(site["name"], "host", None, sessionTicket=ticket))
    got = get_meeting(emu, key, security=sec(site["name"], "host", None, sessionTicket=ticket))
    assert got.expect_success().text("meet:schedule/meet:hostWebExID") == "host"


def test_security_context_unknown_session_ticket_is_030047(emu: Emulator) -> None:
    site = new_site(emu)
    resp = emu.call(
        envelope(
            "meeting.CreateMeeting",
            meeting_xml(),
            security=sec(site["name"], "host", None, sessionTicket="not-a-ticket"),
        )
    )
    assert (resp.result, resp.exception_id, resp.reason) == ("FAILURE", "030047", "Not a valid session ticket")


def test_security_context_webex_access_token(emu: Emulator) -> None:
    site = new_site(emu)
    good = sec(site["name"], "host", None, webExAccessToken=site["rest_token"])
    bad = sec(site["name"], "host", None, webExAccessToken="wrong-token")
    assert emu.call(envelope("meeting.CreateMeeting", meeting_xml(), security=good)).ok
    assert emu.call(envelope("meeting.CreateMeeting", meeting_xml(), security=bad)).exception_id == "030002"


def test_security_context_site_name_alone_is_anonymous(emu: Emulator) -> None:
    site = new_site(emu)
    key = create_meeting(emu, security=sec(site["name"], "host", password_of(site)))
    anonymous = sec(site["name"], None, None)
    info = emu.call(envelope("ep.GetSessionInfo", f"<sessionKey>{key}</sessionKey>", security=anonymous))
    assert info.expect_success().text("ep:sessionkey") == key
    created = emu.call(envelope("meeting.CreateMeeting", meeting_xml(), security=anonymous))
    assert (created.exception_id, created.reason) == ("000001", "Access denied, additional privileges are required")


@pytest.mark.parametrize("element", ["siteID", "siteId"])
def test_security_context_site_id_and_partner_id_route_to_that_site(emu: Emulator, element: str) -> None:
    site = new_site(emu)
    assert site["siteID"]
    security = sec(None, "host", password_of(site), **{element: site["siteID"], "partnerID": "p4rtn3r"})
    key = create_meeting(emu, security=security)
    assert [s["key"] for s in emu.control("GET", f"sites/{site['name']}/state")["sessions"]] == [key]
    assert emu.control("GET", "sites/harness/state")["sessions"] == []
    wrong = sec(None, "host", "wrong", **{element: site["siteID"], "partnerID": "p4rtn3r"})
    assert emu.call(envelope("user.AuthenticateUser", security=wrong)).exception_id == "030002"


# ------------------------------------------------------------------ responses the emulator must send exactly


def test_success_is_http_200_text_xml_utf8(emu: Emulator) -> None:
    r = emu.post(envelope("user.AuthenticateUser"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/xml;charset=UTF-8"
    assert parse_response(r.content, r.status_code).ok


def test_failure_is_http_200_text_xml_utf8(emu: Emulator) -> None:
    r = emu.post(envelope("meeting.GetMeeting", "<meetingKey>123456789</meetingKey>"))
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/xml;charset=UTF-8"
    resp = parse_response(r.content, r.status_code)
    assert (resp.result, resp.exception_id, resp.reason) == ("FAILURE", "060001", "Corresponding Meeting not found")


def test_response_is_utf8_encoded_with_a_declaration(emu: Emulator) -> None:
    key = create_meeting(emu, meeting_xml("Café"))
    r = emu.post(envelope("meeting.GetMeeting", f"<meetingKey>{key}</meetingKey>"))
    assert r.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert "Café".encode() in r.content


DOCUMENTED_PREFIXES = ["serv", "com", "meet", "att", "use", "ep", "site", "ns1", "history", "event", "train"]


@pytest.mark.parametrize("outcome", ["success", "failure"])
def test_every_documented_prefix_is_declared_on_the_root_element(emu: Emulator, outcome: str) -> None:
    if outcome == "success":
        body = envelope("user.AuthenticateUser")
    else:
        body = envelope("meeting.GetMeeting", "<meetingKey>1</meetingKey>")
    r = emu.post(body)
    start = root_start_tag(r.content)
    for prefix in DOCUMENTED_PREFIXES:
        assert f' xmlns:{prefix}="{NAMESPACES[prefix]}"' in start, prefix
    assert NAMESPACES["ns1"] == NAMESPACES["site"]


def test_no_namespace_is_declared_below_the_root_except_xsi_on_body_content(emu: Emulator) -> None:
    key = create_meeting(emu)
    raw = emu.post(envelope("meeting.GetMeeting", f"<meetingKey>{key}</meetingKey>")).content.decode()
    below_root = raw[raw.index(root_start_tag(raw.encode())) + len(root_start_tag(raw.encode())) :]
    declarations = re.findall(r"<([\w:]+)[^>]*\sxmlns(?::\w+)?=", below_root)
    assert declarations == ["serv:bodyContent"]


def test_xsi_is_declared_on_serv_body_content(emu: Emulator) -> None:
    raw = emu.post(envelope("user.AuthenticateUser")).content.decode()
    match = re.search(r"<serv:bodyContent\b[^>]*>", raw)
    assert match, raw
    assert f'xmlns:xsi="{XSI}"' in match.group(0)
    assert 'xsi:type="use:authenticateUserResponse"' in match.group(0)


def test_success_header_order_is_result_then_gsb_status(emu: Emulator) -> None:
    resp = emu.call(envelope("user.AuthenticateUser")).expect_success()
    assert response_children(resp) == ["result", "gsbStatus"]


def test_failure_header_order_is_result_reason_gsb_status_exception_id(emu: Emulator) -> None:
    resp = emu.call(envelope("meeting.GetMeeting", "<meetingKey>1</meetingKey>"))
    assert response_children(resp) == ["result", "reason", "gsbStatus", "exceptionID"]
    assert resp.xpath("/serv:message/serv:header/serv:response/serv:gsbStatus/text()", resp.root) == ["PRIMARY"]


def test_failure_with_value_puts_value_after_exception_id(emu: Emulator) -> None:
    form = "<registrationForm><company><req>true</req></company></registrationForm>"
    key = create_meeting(emu, meeting_xml(extra=form))
    person = "<person><name>Val</name><email>val@example.com</email></person>"
    resp = emu.call(envelope("attendee.RegisterMeetingAttendee", f"{person}<meetingKey>{key}</meetingKey>"))
    assert (resp.result, resp.exception_id, resp.value) == ("FAILURE", "040014", "company")
    assert response_children(resp) == ["result", "reason", "gsbStatus", "exceptionID", "value"]


def test_failure_has_an_empty_body_content(emu: Emulator) -> None:
    r = emu.post(envelope("meeting.GetMeeting", "<meetingKey>1</meetingKey>"))
    assert b"<serv:body><serv:bodyContent/></serv:body>" in r.content
    resp = parse_response(r.content)
    assert resp.body is not None
    assert len(resp.body) == 0
    assert not resp.body.attrib


def test_meetingkey_is_lower_case_k_in_create_and_get_meeting(emu: Emulator) -> None:
    created = emu.post(envelope("meeting.CreateMeeting", meeting_xml()))
    assert b"<meet:meetingkey>" in created.content
    assert b"<meet:meetingKey>" not in created.content
    key = parse_response(created.content).text("meet:meetingkey") or ""
    got = emu.post(envelope("meeting.GetMeeting", f"<meetingKey>{key}</meetingKey>"))
    assert f"<meet:meetingkey>{key}</meet:meetingkey>".encode() in got.content
    assert b"<meet:meetingKey>" not in got.content


def test_sessionkey_is_lower_case_k_in_get_session_info(emu: Emulator) -> None:
    key = create_meeting(emu)
    r = emu.post(envelope("ep.GetSessionInfo", f"<sessionKey>{key}</sessionKey>"))
    assert f"<ep:sessionkey>{key}</ep:sessionkey>".encode() in r.content
    assert b"<ep:sessionKey>" not in r.content


@pytest.mark.parametrize(
    "path",
    [
        "meet:metaData/meet:confName",
        "meet:schedule/meet:startDate",
        "meet:meetingLink",
        "meet:accessControl/meet:meetingPassword",
        "meet:telephony/meet:callInNum/serv:tollNum",
        "meet:telephony/meet:callInNum/serv:tollFreeNum",
    ],
)
def test_get_meeting_fields_clients_read_unchecked_have_text(emu: Emulator, path: str) -> None:
    minimal = f"<metaData><confName>Minimal</confName></metaData><schedule><startDate>{future()}</startDate></schedule>"
    key = create_meeting(emu, minimal)
    got = get_meeting(emu, key).expect_success()
    assert len(got.xpath(path)) == 1, path
    assert (got.text(path) or "").strip(), path


def test_authenticate_user_returns_a_session_ticket_with_text(emu: Emulator) -> None:
    resp = emu.call(envelope("user.AuthenticateUser")).expect_success()
    assert (resp.text("use:sessionTicket") or "").strip()


def test_unknown_body_content_type_is_a_failure(emu: Emulator) -> None:
    r = emu.post(envelope("meeting.FrobnicateMeeting"))
    resp = parse_response(r.content, r.status_code)
    assert r.status_code == 200
    assert resp.result == "FAILURE"
    assert resp.exception_id
    assert "FrobnicateMeeting" in (resp.reason or "")


def test_empty_attendee_list_is_failure_000015_no_record_found(emu: Emulator) -> None:
    key = create_meeting(emu)
    resp = emu.call(envelope("attendee.LstMeetingAttendee", f"<meetingKey>{key}</meetingKey>"))
    assert (resp.result, resp.exception_id) == ("FAILURE", "000015")
    assert "Sorry, no record found" in (resp.reason or "")


def test_several_body_contents_get_one_response_header_each(emu: Emulator) -> None:
    key = create_meeting(emu)
    get = '<bodyContent xsi:type="java:com.webex.service.binding.meeting.GetMeeting">'
    one = f"{get}<meetingKey>{key}</meetingKey></bodyContent>"
    missing = f"{get}<meetingKey>1</meetingKey></bodyContent>"
    raw = (
        f'{DECL}<serv:message xmlns:xsi="{XSI}"><header><securityContext>{sec()}</securityContext></header>'
        f"<body>{one}{missing}</body></serv:message>"
    )
    resp = emu.call(raw)
    assert [r["result"] for r in resp.results] == ["SUCCESS", "FAILURE"]
    assert len(resp.bodies) == 2


def test_too_many_body_contents_is_failure_000053(emu: Emulator) -> None:
    emu.control("POST", "sites/harness/settings", {"body_content_limit": 2})
    get = '<bodyContent xsi:type="java:com.webex.service.binding.user.AuthenticateUser"/>'
    raw = (
        f'{DECL}<serv:message xmlns:xsi="{XSI}"><header><securityContext>{sec()}</securityContext></header>'
        f"<body>{get}{get}</body></serv:message>"
    )
    resp = emu.call(raw)
    assert (resp.result, resp.exception_id) == ("FAILURE", "000053")
    assert resp.reason == "The count of BodyContent in a request must be less than 2"
    assert emu.call(raw.replace(get + get, get)).ok


@pytest.mark.parametrize(
    ("exception_id", "reason"),
    [
        ("000001", "Access denied, additional privileges are required"),
        ("000015", "Sorry, no record found"),
        ("030001", "Corresponding User not found"),
        ("030002", "Incorrect user or password"),
        ("030047", "Not a valid session ticket"),
        ("060001", "Corresponding Meeting not found"),
        ("060026", "Meeting password must not be null"),
    ],
)
def test_exception_ids_clients_branch_on_carry_their_documented_reason(exception_id: str, reason: str) -> None:
    assert reason in webex_error(exception_id).reason
    assert known_exception(exception_id)


def test_connection_close_is_honoured(emu: Emulator) -> None:
    closing = emu.post(envelope("user.AuthenticateUser"), headers={"Connection": "close"})
    assert closing.headers.get("connection") == "close"
    keeping = emu.post(envelope("user.AuthenticateUser"))
    assert "connection" not in keeping.headers


# ------------------------------------------------------------------ hostile basics

BILLION_LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10))
    + "]>"
)
XXE = '<?xml version="1.0"?>\n<!DOCTYPE m [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


def _hostile(prolog: str, confname: str) -> str:
    return envelope("meeting.CreateMeeting", meeting_xml(confname), prolog=prolog)


HOSTILE = {
    "malformed": b"<serv:message><header><securityContext><siteName>harness</siteName></header></oops>",
    "not-xml": b"hello, this is not XML at all",
    "binary": bytes(range(256)),
    "empty": b"",
    "billion-laughs": _hostile(BILLION_LAUGHS, "&lol9;").encode(),
    "external-entity": _hostile(XXE, "&xxe;").encode(),
    "external-entity-after-padding": _hostile(
        '<?xml version="1.0"?>\n<!--' + "x" * 8000 + "-->" + XXE.split("\n", 1)[1], "&xxe;"
    ).encode(),
    "lower-case-doctype": _hostile(XXE.replace("DOCTYPE", "doctype"), "&xxe;").encode(),
    "external-dtd": _hostile('<?xml version="1.0"?>\n<!DOCTYPE m SYSTEM "http://127.0.0.1:9/evil.dtd">', "x").encode(),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_hostile_body_gets_a_quick_failure_envelope(emu: Emulator, name: str) -> None:
    started = time.perf_counter()
    r = emu.post(HOSTILE[name])
    elapsed = time.perf_counter() - started
    assert elapsed < 30.0, "a bound on a hang (an expanded entity), not a speed: a busy machine may stall for seconds"
    assert r.status_code == 200
    assert r.headers["content-type"] == "text/xml;charset=UTF-8"
    resp = parse_response(r.content, r.status_code)
    assert resp.result == "FAILURE", r.text
    assert resp.reason
    assert b"root:" not in r.content
    assert b"lollollol" not in r.content
    assert emu.control("GET", "sites/harness/state")["sessions"] == []


def test_external_entity_never_leaks_file_contents(emu: Emulator) -> None:
    r = emu.post(HOSTILE["external-entity"])
    assert b"root:x:0:0" not in r.content
    assert b"/bin/" not in r.content


def test_too_deeply_nested_request_is_a_failure(emu: Emulator) -> None:
    deep = "<a>" * 200 + "x" + "</a>" * 200
    resp = emu.call(envelope("meeting.CreateMeeting", meeting_xml(extra=deep)))
    assert resp.result == "FAILURE"


def test_wrong_http_method_is_405(emu: Emulator) -> None:
    r = emu.request("GET", XML_PATH)
    assert r.status_code == 405
    assert "POST" in r.headers.get("allow", "")


def test_body_over_the_size_limit_is_413(emu: Emulator) -> None:
    r = emu.post(b"<" + b"x" * MAX_BODY_BYTES)
    assert r.status_code == 413
    resp = parse_response(r.content, r.status_code)
    assert (resp.result, resp.problem) == ("FAILURE", "HTTP 413")
    assert str(MAX_BODY_BYTES) in (resp.reason or "")


def test_emulator_still_answers_after_hostile_requests(emu: Emulator) -> None:
    for raw in HOSTILE.values():
        emu.post(raw)
    emu.request("GET", XML_PATH)
    emu.post(b"<" + b"x" * MAX_BODY_BYTES)
    assert emu.control("GET", "health")["status"] == "ok"
    assert emu.call(envelope("user.AuthenticateUser")).ok
