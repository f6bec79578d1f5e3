"""``webex.envelope``: request envelopes the way the documentation writes them, and a response
parser that never raises and never hides a FAILURE."""

from __future__ import annotations

import pytest
from lxml import etree

from webex_harness.webex.envelope import (
    Security,
    XmlResponse,
    answer_secrets,
    build_multi_request,
    build_request,
    parse_response,
    read_request,
)
from webex_harness.webex.namespaces import COM, NAMESPACES, SERV, XSI

TYPE = f"{{{XSI}}}type"


def parse(raw: bytes) -> etree._Element:
    return etree.fromstring(raw)


def children(el: etree._Element) -> list[str]:
    return [etree.QName(c).localname if c.tag.startswith("{") else c.tag for c in el]


ROOT = " ".join(f'xmlns:{p}="{u}"' for p, u in NAMESPACES.items())


def answer(header: str, body: str = "<serv:bodyContent/>") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<serv:message {ROOT}><serv:header>{header}</serv:header>'
        f"<serv:body>{body}</serv:body></serv:message>"
    ).encode()


SUCCESS = "<serv:response><serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response>"


def failure(exception_id: str, reason: str, value: str | None = None) -> str:
    v = f"<serv:value>{value}</serv:value>" if value is not None else ""
    return (
        f"<serv:response><serv:result>FAILURE</serv:result><serv:reason>{reason}</serv:reason>"
        f"<serv:gsbStatus>PRIMARY</serv:gsbStatus><serv:exceptionID>{exception_id}</serv:exceptionID>{v}"
        "</serv:response>"
    )


# ------------------------------------------------------------------ build_request


def test_request_root_is_serv_message_with_header_and_body() -> None:
    raw = build_request("ep", "GetSessionInfo", {"sessionKey": "805325231"}, Security("acme", "host", "pw"))
    assert raw.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    root = parse(raw)
    assert root.tag == f"{{{SERV}}}message"
    assert root.prefix == "serv"
    assert children(root) == ["header", "body"]
    assert root[0][0].tag == "securityContext"


def test_request_declares_xsi_serv_and_com_on_the_root() -> None:
    root = parse(build_request("ep", "GetSessionInfo", {}, Security("acme")))
    assert root.nsmap == {"xsi": XSI, "serv": SERV, "com": COM}


def test_security_context_carries_only_non_empty_fields_in_documented_order() -> None:
    security = Security(
        site_name="acme",
        webex_id="host",
        password="pw",
        session_ticket="",
        access_token=None,
        site_id="243585",
        partner_id="g0webx!",
        email="",
    )
    ctx = parse(build_request("user", "GetUser", {}, security)).find("header/securityContext")
    assert ctx is not None
    assert [(c.tag, c.text) for c in ctx] == [
        ("siteName", "acme"),
        ("webExID", "host"),
        ("password", "pw"),
        ("siteID", "243585"),
        ("partnerID", "g0webx!"),
    ]


def test_security_context_with_site_name_alone_is_anonymous() -> None:
    ctx = parse(build_request("ep", "GetSessionInfo", {}, Security("acme"))).find("header/securityContext")
    assert ctx is not None
    assert [(c.tag, c.text) for c in ctx] == [("siteName", "acme")]


def test_security_context_with_a_session_ticket_or_token_instead_of_a_password() -> None:
    ticket = parse(build_request("meeting", "GetMeeting", {}, Security("acme", "host", session_ticket="T1")))
    assert [c.tag for c in ticket.find("header/securityContext")] == ["siteName", "webExID", "sessionTicket"]
    token = parse(build_request("meeting", "GetMeeting", {}, Security("acme", "host", access_token="A1")))
    assert [c.tag for c in token.find("header/securityContext")] == ["siteName", "webExID", "webExAccessToken"]


def test_security_secrets_are_password_ticket_and_token() -> None:
    assert Security("acme", "host", "pw", "tk", "at", "1", "p", "e@x").secrets() == ["pw", "tk", "at"]
    assert Security("acme", "host").secrets() == []


@pytest.mark.parametrize(
    ("service", "api"), [("ep", "GetSessionInfo"), ("meeting", "CreateMeeting"), ("attendee", "LstMeetingAttendee")]
)
def test_body_content_xsi_type_names_service_and_api(service: str, api: str) -> None:
    content = parse(build_request(service, api, {}, Security("acme"))).find("body/bodyContent")
    assert content is not None
    assert content.get(TYPE) == f"java:com.webex.service.binding.{service}.{api}"
    assert 'xsi:type="java:com.webex.service.binding.' in build_request(service, api, {}, Security("acme")).decode()


def test_body_tree_nests_dicts_repeats_lists_and_writes_booleans_as_true_false() -> None:
    body = {
        "metaData": {"confName": "Quarterly <review> & more", "meetingType": 3},
        "enableOptions": {"chat": True, "poll": False},
        "participants": {"attendees": {"attendee": [{"person": {"name": "A"}}, {"person": {"name": "B"}}]}},
        "skipped": None,
    }
    content = parse(build_request("meeting", "CreateMeeting", body, Security("acme"))).find("body/bodyContent")
    assert content is not None
    assert children(content) == ["metaData", "enableOptions", "participants"]
    assert content.findtext("metaData/confName") == "Quarterly <review> & more"
    assert content.findtext("metaData/meetingType") == "3"
    assert content.findtext("enableOptions/chat") == "true"
    assert content.findtext("enableOptions/poll") == "false"
    assert [p.text for p in content.iterfind("participants/attendees/attendee/person/name")] == ["A", "B"]


def test_prefixed_names_are_written_with_their_documented_prefix() -> None:
    body = {
        "listControl": {"serv:startFrom": 1, "serv:maximumNum": 10},
        "person": {"com:email": "a@example.com"},
        "meetingKey": "1",
    }
    raw = build_request("attendee", "LstMeetingAttendee", body, Security("acme"))
    text = raw.decode()
    assert "<serv:startFrom>1</serv:startFrom><serv:maximumNum>10</serv:maximumNum>" in text
    assert "<com:email>a@example.com</com:email>" in text
    assert "<meetingKey>1</meetingKey>" in text
    content = parse(raw).find("body/bodyContent")
    assert content is not None
    assert content.findtext(f"listControl/{{{SERV}}}startFrom") == "1"
    assert content.findtext(f"person/{{{COM}}}email") == "a@example.com"


def test_unprefixed_names_stay_unprefixed() -> None:
    content = parse(build_request("ep", "GetSessionInfo", {"sessionKey": "1"}, Security("acme"))).find(
        "body/bodyContent"
    )
    assert content is not None
    assert content[0].tag == "sessionKey"


def test_non_ascii_text_is_utf8() -> None:
    raw = build_request("meeting", "CreateMeeting", {"metaData": {"confName": "Réunion 会议"}}, Security("acme"))
    assert "Réunion 会议".encode() in raw


def test_build_multi_request_carries_several_body_contents_in_order() -> None:
    raw = build_multi_request(
        [
            ("meeting", "GetMeeting", {"meetingKey": "1"}),
            ("ep", "GetSessionInfo", {"sessionKey": "2"}),
            ("user", "GetUser", {"webExId": "host"}),
        ],
        Security("acme", "host", "pw"),
    )
    root = parse(raw)
    contents = root.findall("body/bodyContent")
    assert [c.get(TYPE) for c in contents] == [
        "java:com.webex.service.binding.meeting.GetMeeting",
        "java:com.webex.service.binding.ep.GetSessionInfo",
        "java:com.webex.service.binding.user.GetUser",
    ]
    assert [c[0].text for c in contents] == ["1", "2", "host"]
    assert len(root.findall("header/securityContext")) == 1


# ------------------------------------------------------------------ parse_response


def test_parse_success() -> None:
    body = (
        '<serv:bodyContent xsi:type="ep:getSessionInfoResponse" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<ep:status>NOT_INPROGRESS</ep:status><ep:sessionkey>805325231</ep:sessionkey>"
        "<ep:metaData><ep:confName>Demo</ep:confName></ep:metaData></serv:bodyContent>"
    )
    resp = parse_response(answer(SUCCESS, body), 200, 0.25, "text/xml;charset=UTF-8")
    assert (resp.result, resp.ok, resp.problem) == ("SUCCESS", True, None)
    assert (resp.exception_id, resp.reason, resp.value) == (None, None, None)
    assert resp.elapsed == 0.25
    assert resp.content_type == "text/xml;charset=UTF-8"
    assert resp.text("ep:sessionkey") == "805325231"
    assert resp.text("ep:metaData/ep:confName") == "Demo"
    assert resp.text("ep:missing", "dflt") == "dflt"
    assert resp.has("ep:status")
    assert not resp.has("ep:nothing")
    assert resp.texts("ep:status") == ["NOT_INPROGRESS"]
    assert resp.expect_success() is resp
    assert resp.describe() == "SUCCESS (HTTP 200)"
    assert resp.results == [{"result": "SUCCESS", "reason": None, "exceptionID": None, "value": None}]


def test_parse_failure_is_never_hidden() -> None:
    resp = parse_response(answer(failure("060001", "Corresponding Meeting not found")))
    assert (resp.result, resp.ok) == ("FAILURE", False)
    assert (resp.exception_id, resp.reason, resp.value) == ("060001", "Corresponding Meeting not found", None)
    assert resp.body is not None
    assert len(resp.body) == 0
    assert "060001" in resp.describe()
    with pytest.raises(AssertionError, match="060001"):
        resp.expect_success()


def test_parse_failure_with_value() -> None:
    resp = parse_response(answer(failure("040014", "Missing required fields (registration form) : company", "company")))
    assert (resp.result, resp.exception_id, resp.value) == ("FAILURE", "040014", "company")
    assert "value='company'" in resp.describe()


def test_parse_multiple_bodies_keeps_every_result_in_order() -> None:
    raw = answer(
        SUCCESS + failure("060001", "Corresponding Meeting not found"),
        '<serv:bodyContent xsi:type="meet:getMeetingResponse" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        "<meet:meetingkey>1</meet:meetingkey></serv:bodyContent><serv:bodyContent/>",
    )
    resp = parse_response(raw)
    assert resp.result == "SUCCESS"
    assert [r["result"] for r in resp.results] == ["SUCCESS", "FAILURE"]
    assert resp.results[1]["exceptionID"] == "060001"
    assert len(resp.bodies) == 2
    assert resp.body is resp.bodies[0]
    assert resp.text("meet:meetingkey") == "1"
    assert resp.xpath("meet:meetingkey", resp.bodies[1]) == []


def test_parse_ignores_prefixes_and_reads_by_namespace() -> None:
    raw = (
        f'<s:message xmlns:s="{SERV}"><s:header><s:response><s:result>SUCCESS</s:result>'
        "</s:response></s:header><s:body><s:bodyContent/></s:body></s:message>"
    ).encode()
    assert parse_response(raw).ok


def test_parse_failure_envelope_with_http_error_status_keeps_the_failure() -> None:
    resp = parse_response(answer(failure("999999", "request too large")), 413)
    assert (resp.result, resp.exception_id) == ("FAILURE", "999999")
    assert resp.problem == "HTTP 413"


ODD_ANSWERS = {
    "html-error-page": (
        b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad"
        b" Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n",
        502,
    ),
    "well-formed-html": (b"<html><body><h1>Service Unavailable</h1></body></html>", 503),
    "empty": (b"", 200),
    "white-space": (b" \r\n\t ", 200),
    "non-webex-xml": (b'<?xml version="1.0"?><error><code>500</code></error>', 200),
    "json": (b'{"message": "Unauthorized"}', 401),
    "garbage": (bytes(range(256)), 200),
    "truncated-envelope": (answer(SUCCESS)[:-40], 200),
    "envelope-without-header": (f'<serv:message xmlns:serv="{SERV}"><serv:body/></serv:message>'.encode(), 200),
    "envelope-with-odd-result": (answer("<serv:response><serv:result>MAYBE</serv:result></serv:response>"), 200),
    "envelope-with-empty-result": (answer("<serv:response><serv:result/></serv:response>"), 200),
    "entity-bomb": (
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;">]><x>&b;&b;</x>',
        200,
    ),
    "external-entity": (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>', 200),
}


@pytest.mark.parametrize("name", list(ODD_ANSWERS))
def test_odd_answers_are_invalid_with_a_problem_never_an_exception(name: str) -> None:
    raw, status = ODD_ANSWERS[name]
    resp = parse_response(raw, status)
    assert isinstance(resp, XmlResponse)
    assert (resp.result, resp.ok) == ("INVALID", False)
    assert resp.problem
    assert resp.raw == raw
    assert resp.http_status == status
    assert f"HTTP {status}" in resp.describe()
    assert resp.problem in resp.describe()
    with pytest.raises(AssertionError, match="expected SUCCESS"):
        resp.expect_success()


@pytest.mark.parametrize("name", ["html-error-page", "well-formed-html", "json", "empty", "non-webex-xml", "garbage"])
def test_answer_that_is_no_envelope_has_no_body(name: str) -> None:
    raw, status = ODD_ANSWERS[name]
    resp = parse_response(raw, status)
    assert resp.body is None
    assert resp.bodies == []
    assert resp.text("anything") is None
    assert resp.xpath("//*") == []


def test_problem_names_what_the_answer_was() -> None:
    assert parse_response(b"").problem == "empty body"
    assert "not XML" in (parse_response(ODD_ANSWERS["html-error-page"][0], 200).problem or "")
    assert "error" in (parse_response(ODD_ANSWERS["non-webex-xml"][0]).problem or "")
    assert "MAYBE" in (parse_response(ODD_ANSWERS["envelope-with-odd-result"][0]).problem or "")
    assert parse_response(ODD_ANSWERS["envelope-with-empty-result"][0]).problem == "unexpected serv:result ''"
    assert "not XML" in (parse_response(ODD_ANSWERS["json"][0], 401).problem or "")
    assert "html" in (parse_response(ODD_ANSWERS["well-formed-html"][0], 503).problem or "")


def test_external_entity_in_an_answer_is_not_resolved() -> None:
    resp = parse_response(ODD_ANSWERS["external-entity"][0])
    assert resp.root is not None
    assert "root:" not in etree.tostring(resp.root).decode()


def test_read_request_names_site_caller_apis_and_credentials() -> None:
    raw = build_multi_request(
        [
            ("user", "CreateUser", {"webExId": "new", "password": "NewPw1"}),
            ("ep", "getsessioninfo", {"sessionKey": "1"}),
        ],
        Security("acme", "host", "Pw1", session_ticket="tick"),
    )
    read = read_request(raw)
    assert read is not None
    assert (read.site, read.owner, read.password) == ("acme", "host", "Pw1")
    assert [(b.index, b.api) for b in read.bodies] == [(0, "CreateUser"), (1, "getsessioninfo")]
    assert read.secrets == ["Pw1", "tick", "NewPw1"]


def test_read_request_takes_a_new_sessions_password_for_a_secret() -> None:
    raw = build_request(
        "meeting",
        "CreateMeeting",
        {"metaData": {"confName": "Weekly"}, "accessControl": {"meetingPassword": "Mtg-Pw-42"}},
        Security("acme", "host", "Pw1"),
    )
    read = read_request(raw)
    assert read is not None and read.secrets == ["Pw1", "Mtg-Pw-42"]


def test_answer_secrets_are_the_tickets_tokens_passwords_and_guest_tokens_it_hands_out() -> None:
    body = (
        "<serv:bodyContent><meet:meetingkey>805325231</meet:meetingkey>"
        "<meet:meetingPassword>Mtg-Pw-42</meet:meetingPassword><meet:guestToken>9f86d081884c7d65"
        "</meet:guestToken><meet:confName>kept</meet:confName></serv:bodyContent>"
    )
    assert answer_secrets(parse_response(answer(SUCCESS, body))) == ["Mtg-Pw-42", "9f86d081884c7d65"]
    ticket = "<serv:bodyContent><use:sessionTicket>Tick-et-123</use:sessionTicket></serv:bodyContent>"
    assert answer_secrets(parse_response(answer(SUCCESS, ticket))) == ["Tick-et-123"]
    assert answer_secrets(parse_response(answer(SUCCESS))) == []
    assert answer_secrets(parse_response(b"<html>no</html>", 502)) == []


def test_read_request_is_liberal_and_none_only_for_what_is_no_xml() -> None:
    torn = (
        b'<serv:message xmlns:serv="x" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><header>'
        b"<SECURITYCONTEXT><SiteID>42</SiteID></SECURITYCONTEXT></header><body>"
        b'<bodyContent xsi:type="java:com.webex.service.binding.meeting.CreateMeeting"><confName>x'
    )
    read = read_request(torn)
    assert read is not None and read.site == "siteID:42" and read.owner is None
    assert [b.api for b in read.bodies] == ["CreateMeeting"]
    assert read_request(b"not xml at all") is None
