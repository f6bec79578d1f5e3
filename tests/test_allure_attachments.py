"""A test's exchanges as allure attachments (plugin.allure_attachments): typed XML or JSON, indented,
masked once more after the reformatting; and the note naming the Webex refusal a failure met last."""

from __future__ import annotations

import json

from webex_harness.client.xml_client import Exchange
from webex_harness.plugin.allure_attachments import JSON, TEXT, XML, attachments, failure_note, pretty_xml
from webex_harness.webex.masking import SecretSet

_REQUEST = (
    '<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service">'
    "<header><securityContext><webExID>host</webExID><password>********</password></securityContext></header>"
    "<body><bodyContent><metaData><confName>wxh-run-m GuestTok3nSecret99</confName></metaData></bodyContent></body>"
    "</serv:message>"
)
_FAILURE = (
    '<?xml version="1.0" encoding="ISO-8859-1"?><serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service">'
    "<serv:header><serv:response><serv:result>FAILURE</serv:result><serv:reason>Session start time should be later "
    "than current time.</serv:reason><serv:gsbStatus>PRIMARY</serv:gsbStatus><serv:exceptionID>060016"
    "</serv:exceptionID></serv:response></serv:header><serv:body><serv:bodyContent/></serv:body></serv:message>"
)
_SUCCESS = _FAILURE.replace("FAILURE", "SUCCESS")


def _xml(response: str = _FAILURE, status: int = 200) -> Exchange:
    return Exchange(api="CreateMeeting", request=_REQUEST, response=response, http_status=status, elapsed=0.0123)


def _rest(response: str, status: int) -> Exchange:
    request = (
        "POST http://127.0.0.1:8080/v1/meetings\nAccept: application/json\nAuthorization: Bearer ********\n"
        'Content-Type: application/json\n\n{"title": "t", "password": "********", "agenda": "GuestTok3nSecret99"}'
    )
    return Exchange(api="POST /v1/meetings", request=request, response=response, http_status=status, elapsed=0.2)


def test_an_xml_exchange_is_two_indented_xml_attachments_masked_after_formatting() -> None:
    secrets = SecretSet()
    secrets.add("GuestTok3nSecret99")  # learnt after the client recorded the exchange
    request, response = attachments(_xml(), secrets)
    assert (request.mime, response.mime) == (XML, XML)
    assert request.name == "CreateMeeting request"
    assert response.name == "CreateMeeting response (HTTP 200, 12.3 ms)"
    lines = request.body.splitlines()
    assert lines[0].startswith("<serv:message") and len(lines) > 8
    assert "  <header>" in lines and "      <password>********</password>" in lines
    assert "GuestTok3nSecret99" not in request.body and "wxh-run-m ********" in request.body
    assert "    <serv:response>" in response.body.splitlines()
    assert "<?xml" not in response.body


def test_what_is_not_xml_is_attached_as_text_unchanged() -> None:
    request, response = attachments(_xml("(no body: timeout: ReadTimeout)", status=0), SecretSet())
    assert request.mime == XML
    assert (response.mime, response.body) == (TEXT, "(no body: timeout: ReadTimeout)")
    assert response.name == "CreateMeeting response (no answer, 12.3 ms)"
    _, page = attachments(_xml("<html><body><p>Bad gateway", status=502), SecretSet())
    assert (page.mime, page.body) == (TEXT, "<html><body><p>Bad gateway")  # not XML: as it came
    assert pretty_xml("not xml at all") is None


def test_a_rest_exchange_is_two_json_attachments_indented_by_two() -> None:
    answer = (
        "HTTP 200\ncontent-type: application/json\n\n"
        '{"id": "abc", "password": "********", "hostKey": "123456", "agenda": "GuestTok3nSecret99"}'
    )
    secrets = SecretSet()
    secrets.add("GuestTok3nSecret99")
    request, response = attachments(_rest(answer, 200), secrets)
    assert (request.mime, response.mime) == (JSON, JSON)
    sent = json.loads(request.body)
    assert sent["request"] == "POST http://127.0.0.1:8080/v1/meetings"
    assert sent["headers"]["Authorization"] == "Bearer ********"
    assert sent["body"] == {"title": "t", "password": "********", "agenda": "********"}
    assert '\n  "headers": {\n    "Accept": "application/json",' in request.body
    got = json.loads(response.body)
    assert got["status"] == "HTTP 200" and got["headers"] == {"content-type": "application/json"}
    assert got["body"]["hostKey"] == "********"  # a REST secret field, masked by name
    assert response.name == "POST /v1/meetings response (HTTP 200, 200.0 ms)"


def test_a_rest_answer_without_a_body_or_without_an_answer() -> None:
    _, empty = attachments(_rest("HTTP 204\n\n(no body)", 204), SecretSet())
    assert json.loads(empty.body) == {"status": "HTTP 204", "headers": {}, "body": "(no body)"}
    _, none = attachments(_rest("(no answer: connection error: ConnectError)", 0), SecretSet())
    assert (none.mime, none.body) == (TEXT, "(no answer: connection error: ConnectError)")


def test_the_failure_note_names_the_last_refusal() -> None:
    assert failure_note([]) is None
    assert failure_note([_xml()]) == (
        "Webex answered CreateMeeting: FAILURE 060016 'Session start time should be later than current time.'"
    )
    assert failure_note([_xml(), _xml(_SUCCESS)]) is None  # the last answer was a success
    assert failure_note([_xml("<html/>", status=403)]) == "Webex answered CreateMeeting: HTTP 403"
    assert failure_note([_xml("(no body: timeout: ReadTimeout)", status=0)]) == (
        "Webex gave no answer to CreateMeeting: no body: timeout: ReadTimeout"
    )
    assert failure_note([_rest("HTTP 400\n\n{}", 400)]) == "Webex answered POST /v1/meetings: HTTP 400"
    assert failure_note([_rest("HTTP 200\n\n{}", 200)]) is None
