"""``client.xml_client.XmlClient`` against odd site answers, simulated with ``httpx.MockTransport``."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from webex_harness.client.rest_client import RestClient
from webex_harness.client.xml_client import BudgetExceeded, Exchange, RequestBudget, XmlClient
from webex_harness.emulator.app import create_app
from webex_harness.webex.envelope import Security
from webex_harness.webex.masking import MASK, SecretSet
from webex_harness.webex.namespaces import NAMESPACES

URL = "https://acme.webex.com/WBXService/XMLService"
PASSWORD = "Pw-Sup3r-Secret"
SECURITY = Security("acme", "host", PASSWORD)
ROOT = " ".join(f'xmlns:{p}="{u}"' for p, u in NAMESPACES.items())

SUCCESS = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<serv:message {ROOT}><serv:header><serv:response>'
    "<serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response></serv:header>"
    '<serv:body><serv:bodyContent xsi:type="meet:getMeetingResponse" '
    'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><meet:meetingkey>805325231</meet:meetingkey>'
    "<meet:metaData><meet:confName>Demo</meet:confName></meet:metaData></serv:bodyContent></serv:body>"
    "</serv:message>"
).encode()
FAILURE = (
    f'<?xml version="1.0" encoding="UTF-8"?>\n<serv:message {ROOT}><serv:header><serv:response>'
    "<serv:result>FAILURE</serv:result><serv:reason>Corresponding Meeting not found</serv:reason>"
    "<serv:gsbStatus>PRIMARY</serv:gsbStatus><serv:exceptionID>060001</serv:exceptionID></serv:response>"
    "</serv:header><serv:body><serv:bodyContent/></serv:body></serv:message>"
).encode()
NGINX_502 = (
    b"<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1>"
    b"</center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
)

Handler = Callable[[httpx.Request], httpx.Response]


class Site:
    """A scripted site: answers (or raises) from a list, and remembers every request."""

    def __init__(self, *answers: httpx.Response | Exception | Handler) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        answer = self.answers[min(len(self.requests), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)


def xml(body: bytes, status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=body, headers={"content-type": "text/xml;charset=UTF-8"})


def client_for(site: Site, **kwargs: object) -> XmlClient:
    return XmlClient(URL, SECURITY, http=httpx.Client(transport=httpx.MockTransport(site)), **kwargs)  # type: ignore[arg-type]


def test_success_is_parsed() -> None:
    site = Site(xml(SUCCESS))
    resp = client_for(site).call("meeting", "GetMeeting", {"meetingKey": "805325231"})
    assert resp.ok
    assert resp.http_status == 200
    assert resp.content_type == "text/xml;charset=UTF-8"
    assert resp.text("meet:meetingkey") == "805325231"
    assert resp.text("meet:metaData/meet:confName") == "Demo"
    assert resp.elapsed >= 0


def test_request_is_a_post_of_the_envelope_to_the_xml_url() -> None:
    site = Site(xml(SUCCESS))
    client_for(site).call("meeting", "GetMeeting", {"meetingKey": "805325231"}, headers={"X-Trace": "t1"})
    [request] = site.requests
    assert request.method == "POST"
    assert str(request.url) == URL
    assert request.headers["content-type"] == "text/xml;charset=UTF-8"
    assert request.headers["x-trace"] == "t1"
    body = request.content.decode()
    assert 'xsi:type="java:com.webex.service.binding.meeting.GetMeeting"' in body
    assert "<meetingKey>805325231</meetingKey>" in body
    assert f"<password>{PASSWORD}</password>" in body


def test_failure_is_not_hidden() -> None:
    resp = client_for(Site(xml(FAILURE))).call("meeting", "GetMeeting", {"meetingKey": "1"})
    assert (resp.result, resp.ok) == ("FAILURE", False)
    assert (resp.exception_id, resp.reason) == ("060001", "Corresponding Meeting not found")
    with pytest.raises(AssertionError, match="060001"):
        resp.expect_success()


def test_html_502_page_is_invalid_with_a_problem() -> None:
    site = Site(httpx.Response(502, content=NGINX_502, headers={"content-type": "text/html"}))
    resp = client_for(site).call("meeting", "GetMeeting", {"meetingKey": "1"})
    assert (resp.result, resp.http_status) == ("INVALID", 502)
    assert "not XML" in (resp.problem or "")
    assert "HTTP 502" in resp.describe()
    assert len(site.requests) == 1  # an HTTP answer is an answer: no retry


def test_well_formed_html_error_page_is_invalid() -> None:
    site = Site(httpx.Response(503, content=b"<html><body>Service Unavailable</body></html>"))
    resp = client_for(site).call("meeting", "GetMeeting", {"meetingKey": "1"})
    assert (resp.result, resp.http_status) == ("INVALID", 503)
    assert "html" in (resp.problem or "")
    assert "HTTP 503" in resp.describe()


def test_empty_200_body_is_invalid() -> None:
    resp = client_for(Site(httpx.Response(200, content=b""))).call("meeting", "GetMeeting", {"meetingKey": "1"})
    assert (resp.result, resp.http_status, resp.problem) == ("INVALID", 200, "empty body")


def test_failure_envelope_with_http_500_keeps_the_failure_and_notes_the_status() -> None:
    resp = client_for(Site(xml(FAILURE, 500))).call("meeting", "GetMeeting", {"meetingKey": "1"})
    assert (resp.result, resp.exception_id, resp.problem) == ("FAILURE", "060001", "HTTP 500")


def test_timeout_is_invalid_timeout() -> None:
    site = Site(httpx.ReadTimeout("read timed out"))
    resp = client_for(site).call("meeting", "CreateMeeting", {})
    assert (resp.result, resp.http_status) == ("INVALID", 0)
    assert (resp.problem or "").startswith("timeout")
    assert "ReadTimeout" in (resp.problem or "")


def test_connection_reset_is_invalid() -> None:
    site = Site(httpx.ConnectError("[Errno 104] Connection reset by peer"))
    resp = client_for(site).call("meeting", "CreateMeeting", {})
    assert (resp.result, resp.http_status) == ("INVALID", 0)
    assert "connection error" in (resp.problem or "")
    assert "Connection reset by peer" in (resp.problem or "")


def test_read_error_mid_answer_is_invalid() -> None:
    resp = client_for(Site(httpx.RemoteProtocolError("peer closed connection"))).call("meeting", "CreateMeeting", {})
    assert resp.result == "INVALID"
    assert "RemoteProtocolError" in (resp.problem or "")


def test_undecodable_content_encoding_is_invalid_not_an_exception() -> None:
    site = Site(lambda _: httpx.Response(200, content=b"not gzip at all", headers={"content-encoding": "gzip"}))
    resp = client_for(site).call("meeting", "CreateMeeting", {})
    assert resp.result == "INVALID"
    assert "DecodingError" in (resp.problem or "")


@pytest.mark.parametrize("api", ["GetMeeting", "LstMeetingAttendee", "GetSessionInfo"])
@pytest.mark.parametrize("error", [httpx.ConnectError("reset"), httpx.ReadTimeout("slow")], ids=["reset", "timeout"])
def test_idempotent_get_and_lst_are_retried_once_on_transport_errors(api: str, error: Exception) -> None:
    site = Site(error, xml(SUCCESS))
    resp = client_for(site).call("meeting", api, {"meetingKey": "1"})
    assert resp.ok
    assert len(site.requests) == 2
    assert site.requests[0].content == site.requests[1].content


def test_retry_happens_only_once() -> None:
    site = Site(httpx.ConnectError("reset"), httpx.ConnectError("reset again"), xml(SUCCESS))
    resp = client_for(site).call("meeting", "GetMeeting", {"meetingKey": "1"})
    assert resp.result == "INVALID"
    assert "reset again" in (resp.problem or "")
    assert len(site.requests) == 2


@pytest.mark.parametrize(
    "api",
    [
        "CreateMeeting",
        "SetMeeting",
        "DelMeeting",
        "CreateMeetingAttendee",
        "RegisterMeetingAttendee",
        "AuthenticateUser",
    ],
)
def test_non_idempotent_calls_are_not_retried(api: str) -> None:
    site = Site(httpx.ConnectError("reset"), xml(SUCCESS))
    resp = client_for(site).call("meeting", api, {})
    assert resp.result == "INVALID"
    assert len(site.requests) == 1


def test_raw_send_without_an_api_name_is_not_retried() -> None:
    site = Site(httpx.ReadTimeout("slow"), xml(SUCCESS))
    resp = client_for(site).send(b"<serv:message/>")
    assert resp.result == "INVALID"
    assert len(site.requests) == 1


def test_budget_stops_at_max_requests() -> None:
    site = Site(xml(SUCCESS))
    budget = RequestBudget(max_requests=3)
    client = client_for(site, budget=budget)
    for _ in range(3):
        assert client.call("meeting", "GetMeeting", {"meetingKey": "1"}).ok
    with pytest.raises(BudgetExceeded, match="3 of 3"):
        client.call("meeting", "GetMeeting", {"meetingKey": "1"})
    assert len(site.requests) == 3
    assert budget.used == 3


def test_budget_counts_each_attempt_of_a_retried_request() -> None:
    """A reset may come after the site got the request: the retry is a request of the budget too."""
    site = Site(httpx.ConnectError("reset"), xml(SUCCESS))
    budget = RequestBudget(max_requests=2)
    assert client_for(site, budget=budget).call("meeting", "GetMeeting", {"meetingKey": "1"}).ok
    assert budget.used == 2


def test_no_retry_after_a_connection_error_when_the_budget_is_spent() -> None:
    site = Site(httpx.ConnectError("reset"), xml(SUCCESS))
    with pytest.raises(BudgetExceeded):
        client_for(site, budget=RequestBudget(max_requests=1)).call("meeting", "GetMeeting", {"meetingKey": "1"})
    assert len(site.requests) == 1


def test_budget_stops_when_time_is_spent() -> None:
    site = Site(xml(SUCCESS))
    budget = RequestBudget(max_seconds=10, started=0.0)  # monotonic clock long past 10 s after 0
    with pytest.raises(BudgetExceeded, match="time budget"):
        client_for(site, budget=budget).call("meeting", "GetMeeting", {})
    assert site.requests == []


def test_budget_is_shared_with_clients_for_other_users() -> None:
    site = Site(xml(SUCCESS))
    client = client_for(site, budget=RequestBudget(max_requests=2))
    other = client.with_security(Security("acme", "invitee", "Other-Pw-123"))
    client.call("meeting", "GetMeeting", {})
    other.call("meeting", "GetMeeting", {})
    with pytest.raises(BudgetExceeded):
        other.call("meeting", "GetMeeting", {})


def test_recorded_exchange_is_masked() -> None:
    echo = FAILURE.replace(b"Corresponding Meeting not found", f"bad password {PASSWORD}".encode())
    recorded: list[Exchange] = []
    client = client_for(Site(xml(echo)), on_exchange=recorded.append)
    client.call("meeting", "GetMeeting", {"meetingKey": "1"})
    [exchange] = recorded
    assert exchange is client.last
    assert exchange.api == "GetMeeting"
    assert exchange.http_status == 200
    assert PASSWORD not in exchange.request
    assert PASSWORD not in exchange.response
    assert f"<password>{MASK}</password>" in exchange.request
    assert "<meetingKey>1</meetingKey>" in exchange.request


def test_recorded_exchange_masks_tickets_and_tokens() -> None:
    security = Security("acme", "host", session_ticket="Ticket-abc-999", access_token="Token-xyz-888")
    client = XmlClient(URL, security, http=httpx.Client(transport=httpx.MockTransport(Site(xml(SUCCESS)))))
    client.call("meeting", "GetMeeting", {"meetingKey": "1"})
    assert client.last is not None
    assert "Ticket-abc-999" not in client.last.request
    assert "Token-xyz-888" not in client.last.request


def test_recorded_exchange_masks_a_per_call_users_password_wherever_it_is_echoed() -> None:
    other = Security("acme", "invitee", "Per-Call-Pw-77")
    echo = FAILURE.replace(b"Corresponding Meeting not found", b"user invitee / Per-Call-Pw-77 refused")
    client = client_for(Site(xml(echo)))
    client.call("meeting", "GetMeeting", {"meetingKey": "1"}, security=other)
    assert client.last is not None
    assert "Per-Call-Pw-77" not in client.last.request
    assert "Per-Call-Pw-77" not in client.last.response


def test_records_are_masked_with_the_run_secret_set_as_it_grows_and_own_credentials_stay_the_clients() -> None:
    echo = FAILURE.replace(b"Corresponding Meeting not found", b"Learnt-Later-99 or Other-Pw-123?")
    secrets = SecretSet()
    client = client_for(Site(xml(echo)), secrets=secrets)
    other = client.with_security(Security("acme", "invitee", "Other-Pw-123"))
    client.call("meeting", "GetMeeting", {})
    assert client.last is not None and "Learnt-Later-99" in client.last.response
    secrets.add("Learnt-Later-99")  # what the ledger hooks do when an answer hands one out
    other.call("meeting", "GetMeeting", {})
    assert other.last is not None and f"{MASK} or {MASK}?" in other.last.response
    assert secrets.values() == ["Learnt-Later-99"]  # a credential joins the run's set only once accepted


def test_xml_and_rest_clients_take_the_same_options_and_pass_them_on() -> None:
    http = httpx.Client(transport=httpx.MockTransport(Site(xml(SUCCESS))))
    budget, secrets, recorded = RequestBudget(), SecretSet(), list[Exchange]()
    xml_client = XmlClient(
        URL, SECURITY, http=http, timeout=3.0, budget=budget, secrets=secrets, on_exchange=recorded.append
    )
    rest_client = RestClient("https://webexapis.com/v1", "tok-123456", **xml_client.shared_options())
    for client in (xml_client.with_security(Security("acme", "invitee")), rest_client.with_token("tok-654321")):
        assert (client.http, client.timeout, client.budget, client.secrets) == (http, 3.0, budget, secrets)
        assert client.on_exchange == recorded.append


def test_recorded_exchange_of_a_transport_error_says_what_happened() -> None:
    client = client_for(Site(httpx.ConnectError("refused")))
    client.call("meeting", "CreateMeeting", {})
    assert client.last is not None
    assert client.last.http_status == 0
    assert client.last.response.startswith("(no body: connection error")
    assert PASSWORD not in client.last.request


def test_client_against_the_in_process_emulator() -> None:
    app = create_app()

    def emulator(request: httpx.Request) -> httpx.Response:
        status, body, ctype = app.handle_xml(request.content, dict(request.headers))
        return httpx.Response(status, content=body, headers={"content-type": ctype.decode()})

    http = httpx.Client(transport=httpx.MockTransport(emulator))
    client = XmlClient(URL, Security("harness", "host", "pw"), http=http)
    created = client.call("meeting", "CreateMeeting", {"metaData": {"confName": "Via client"}}).expect_success()
    key = created.text("meet:meetingkey")
    got = client.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()
    assert got.text("meet:metaData/meet:confName") == "Via client"
    missing = client.call("attendee", "LstMeetingAttendee", {"meetingKey": key})
    assert (missing.result, missing.exception_id) == ("FAILURE", "000015")


def test_close_leaves_a_shared_http_client_open() -> None:
    http = httpx.Client(transport=httpx.MockTransport(Site(xml(SUCCESS))))
    XmlClient(URL, SECURITY, http=http).close()
    assert not http.is_closed
    own = XmlClient(URL, SECURITY)
    own.close()
    assert own.http.is_closed
