"""client.rest_client: odd answers never raise, exchanges are recorded masked, paging links."""

from __future__ import annotations

import json

import httpx
import pytest

from webex_harness.client.rest_client import RestClient
from webex_harness.client.xml_client import BudgetExceeded, Exchange, RequestBudget

TOKEN = "secret-bearer-token-123"


def client_for(handler: object, **kwargs: object) -> tuple[RestClient, list[Exchange]]:
    seen: list[Exchange] = []
    http = httpx.Client(transport=httpx.MockTransport(handler))  # type: ignore[arg-type]
    return RestClient("http://rest.test/v1", TOKEN, http=http, on_exchange=seen.append, **kwargs), seen  # type: ignore[arg-type]


def test_json_answer_and_masked_record() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.headers["authorization"] == f"Bearer {TOKEN}"
        assert request.headers["content-type"] == "application/json"
        assert json.loads(request.content) == {"title": "t", "password": "P@ss1234"}
        return httpx.Response(
            200,
            json={"id": "abc", "password": "P@ss1234"},
            headers={"Link": '<http://rest.test/v1/meetings?offset=2>; rel="next"'},
        )

    client, seen = client_for(handler)
    response = client.create({"title": "t", "password": "P@ss1234"})
    assert response.ok and response.status == 200 and response.json["id"] == "abc" and response.problem is None
    assert response.next_link == "http://rest.test/v1/meetings?offset=2"
    record = seen[0]
    assert record.api == "POST /v1/meetings" and record.http_status == 200
    assert TOKEN not in record.request + record.response
    assert "P@ss1234" not in record.request + record.response
    assert "Authorization: Bearer ********" in record.request


@pytest.mark.parametrize(
    ("answer", "status", "problem"),
    [
        (httpx.Response(502, text="<html>Bad gateway</html>", headers={"content-type": "text/html"}), 502, "not JSON"),
        (httpx.Response(200, content=b""), 200, "empty body"),
        (httpx.Response(200, content=b'{"a": 1}', headers={"content-type": "text/plain"}), 200, "Content-Type"),
        (httpx.Response(204), 204, None),
    ],
)
def test_odd_answers_come_back_with_a_problem(answer: httpx.Response, status: int, problem: str | None) -> None:
    client, seen = client_for(lambda request: answer)
    response = client.get("m1")
    assert response.status == status
    if problem is None:
        assert response.problem is None and response.ok
    else:
        assert problem in (response.problem or "") and not response.ok
    assert seen and seen[0].http_status == status


@pytest.mark.parametrize("exc", [httpx.ReadTimeout("slow"), httpx.ConnectError("reset by peer")])
def test_timeouts_and_resets_are_status_0_and_get_is_retried_once(exc: Exception) -> None:
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.method)
        raise exc

    client, seen = client_for(handler)
    response = client.get("m1")
    assert response.status == 0 and response.json is None and response.problem
    assert calls == ["GET", "GET"]
    calls.clear()
    assert client.update("m1", {"title": "x"}).status == 0
    assert calls == ["PATCH"], "a PATCH is never retried"
    assert "no answer" in seen[-1].response


def test_token_override_none_sends_no_authorization_and_other_token_is_masked() -> None:
    got: list[str | None] = []

    def handler(request: httpx.Request) -> httpx.Response:
        got.append(request.headers.get("authorization"))
        return httpx.Response(401, json={"message": "no", "errors": [{"description": "no"}], "trackingId": "t"})

    client, seen = client_for(handler)
    assert client.request("GET", "/meetings", token=None).status == 401
    response = client.request("GET", "/meetings", token="other-token-456")
    assert got == [None, "Bearer other-token-456"]
    assert response.message == "no" and response.descriptions == ["no"]
    assert "other-token-456" not in seen[-1].request


def test_update_method_and_list_params() -> None:
    seen_requests: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen_requests.append(request)
        return httpx.Response(200, json={"items": [{"id": "a"}]})

    client, _ = client_for(handler)
    client.update("a b", {"title": "x"}, method="put")
    listed = client.list_meetings(from_="2026-11-21T00:00:00+08:00", meetingType="scheduledMeeting", max=5, to=None)
    assert seen_requests[0].method == "PUT" and seen_requests[0].url.raw_path == b"/v1/meetings/a%20b"
    params = dict(seen_requests[1].url.params)
    assert params == {"from": "2026-11-21T00:00:00+08:00", "meetingType": "scheduledMeeting", "max": "5"}
    assert listed.items == [{"id": "a"}]


def test_budget_stops_the_run() -> None:
    client, _ = client_for(lambda request: httpx.Response(200, json={}), budget=RequestBudget(max_requests=1))
    client.get("a")
    with pytest.raises(BudgetExceeded):
        client.get("b")
