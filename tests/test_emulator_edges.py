"""Inputs at the edges of what the emulator can represent get a documented failure or a 400, never a
500, and leave the site healthy: dates at the end of the calendar, numbers in other scripts' digits or
beyond a Java ``long``, clock moves that are not finite or too far, live-state bodies of the wrong shape."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from webex_harness.emulator.app import EmulatorApp, create_app
from webex_harness.webex.envelope import Security, XmlResponse, build_request, parse_response

SECURITY = Security(site_name="harness", webex_id="host", password="emulator-pass")
FUTURE = "12/31/2099 10:00:00"


def _request(app: EmulatorApp, method: str, path: str, content: bytes) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="https://harness.webex.com") as client:
            return await client.request(method, path, content=content, headers={"Content-Type": "application/json"})

    return asyncio.run(go())


def _xml(app: EmulatorApp, service: str, api_name: str, body: dict[str, Any]) -> XmlResponse:
    response = _request(app, "POST", "/WBXService/XMLService", build_request(service, api_name, body, SECURITY))
    assert response.status_code == 200, response.text[:500]
    return parse_response(response.content, response.status_code)


def _create(app: EmulatorApp, schedule: dict[str, Any], meta: dict[str, Any] | None = None) -> XmlResponse:
    return _xml(
        app, "meeting", "CreateMeeting", {"metaData": {"confName": "wxh edge", **(meta or {})}, "schedule": schedule}
    )


def _list_everything(app: EmulatorApp) -> XmlResponse:
    scope = {"startDateStart": "01/01/1970 00:00:00", "endDateEnd": "12/31/2999 23:59:59"}
    return _xml(app, "meeting", "LstsummaryMeeting", {"listControl": {"maximumNum": 500}, "dateScope": scope})


@pytest.fixture
def app() -> EmulatorApp:
    return create_app()


@pytest.mark.parametrize(
    "start", ["12/31/9999 23:00:00", "01/01/3000 00:00:00", "12/31/1969 23:59:59", "01/01/0001 00:10:00"]
)
def test_a_start_date_outside_the_supported_range_is_an_invalid_value(app: EmulatorApp, start: str) -> None:
    answer = _create(app, {"startDate": start, "duration": 120})

    assert (answer.result, answer.exception_id) == ("FAILURE", "010001"), answer.describe()
    assert "startDate" in (answer.reason or "")


def test_the_last_supported_dates_list_and_delete_without_harm(app: EmulatorApp) -> None:
    created = _create(app, {"startDate": "12/31/2999 22:00:00", "duration": 120, "timeZoneID": 61})
    assert created.ok, created.describe()
    key = created.xpath("//*[local-name()='meetingkey']/text()")[0]

    listed = _list_everything(app)
    assert listed.ok and key in listed.xpath("//*[local-name()='meetingKey']/text()"), listed.describe()
    assert _xml(app, "meeting", "DelMeeting", {"meetingKey": key}).ok
    got = _xml(app, "meeting", "GetMeeting", {"meetingKey": key})
    assert got.exception_id == "060001", "the delete that answered SUCCESS happened"


@pytest.mark.parametrize(
    ("element", "value"),
    [("duration", "١٢"), ("duration", "1_0"), ("duration", "+-3"), ("duration", str(2**64))],
)
def test_numbers_are_ascii_digits_within_a_java_long(app: EmulatorApp, element: str, value: str) -> None:
    answer = _create(app, {"startDate": FUTURE, element: value})

    assert (answer.result, answer.exception_id) == ("FAILURE", "010001"), answer.describe()


def test_a_meeting_type_beyond_a_java_long_is_an_invalid_value(app: EmulatorApp) -> None:
    answer = _create(app, {"startDate": FUTURE}, {"meetingType": str(2**64)})

    assert (answer.result, answer.exception_id) == ("FAILURE", "010001"), answer.describe()


@pytest.mark.parametrize("seconds", ["NaN", "Infinity", "-Infinity", "1e20", "-1e12", "3155760001"])
def test_a_clock_move_that_is_not_finite_or_too_far_is_refused_and_changes_nothing(
    app: EmulatorApp, seconds: str
) -> None:
    body = b'{"advance_seconds": ' + seconds.encode() + b"}"
    before = _request(app, "GET", "/_emulator/sites/harness/state", b"").json()["now"]

    refused = _request(app, "POST", "/_emulator/sites/harness/clock", body)

    assert refused.status_code == 400 and "advance_seconds" in refused.json()["error"], refused.text
    after = _request(app, "GET", "/_emulator/sites/harness/state", b"").json()["now"]
    assert after[:10] == before[:10], "the clock stayed where it was"
    assert _create(app, {"startDate": FUTURE}).ok, "the site still schedules meetings"


def test_the_clock_may_move_a_century_either_way(app: EmulatorApp) -> None:
    moved = _request(app, "POST", "/_emulator/sites/harness/clock", b'{"advance_seconds": 3155000000}')

    assert moved.status_code == 200 and moved.json()["now"].startswith("21"), moved.text
    back = _request(app, "POST", "/_emulator/sites/harness/clock", b'{"advance_seconds": -3155000000}')
    assert back.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        b"[1, 2]",
        b'"started"',
        b"3",
        b'{"status": 3}',
        b'{"host_in_meeting": "yes"}',
        b'{"attendees_in_meeting": 1e9}',
        b'{"attendees_in_meeting": -1}',
        b'{"attendees_in_meeting": true}',
        b'{"colour": "red"}',
    ],
)
def test_a_live_state_body_of_the_wrong_shape_is_a_400_naming_it(app: EmulatorApp, body: bytes) -> None:
    key = _create(app, {"startDate": FUTURE}).xpath("//*[local-name()='meetingkey']/text()")[0]

    refused = _request(app, "POST", f"/_emulator/sites/harness/sessions/{key}", body)

    assert refused.status_code == 400, refused.text
    assert refused.json()["error"].startswith(("expected", "unknown field", "status", "host_in", "attendees")), (
        refused.text
    )
    fine = _request(app, "POST", f"/_emulator/sites/harness/sessions/{key}", b'{"attendees_in_meeting": 2}')
    assert fine.status_code == 200, fine.text


def test_a_carriage_return_in_a_stored_value_comes_back_as_sent(app: EmulatorApp) -> None:
    raw = build_request(
        "meeting",
        "CreateMeeting",
        {"metaData": {"confName": "wxh CRLF", "agenda": "line one__CR__\nline two"}, "schedule": {"startDate": FUTURE}},
        SECURITY,
    ).replace(b"__CR__", b"&#13;")
    created = _request(app, "POST", "/WBXService/XMLService", raw)
    key = parse_response(created.content, 200).xpath("//*[local-name()='meetingkey']/text()")[0]

    got = _xml(app, "meeting", "GetMeeting", {"meetingKey": key})

    assert got.xpath("//*[local-name()='agenda']/text()") == ["line one\r\nline two"], got.raw[-800:]


def test_a_page_holds_at_most_500_records_whatever_maximum_num_asks(app: EmulatorApp) -> None:
    for n in range(502):
        assert _create(app, {"startDate": FUTURE}, {"confName": f"wxh page {n}"}).ok

    body = {"listControl": {"startFrom": 1, "maximumNum": 100000}}
    listed = _xml(app, "meeting", "LstsummaryMeeting", body)

    assert len(listed.xpath("//*[local-name()='meetingKey']")) == 500
    assert listed.xpath("//*[local-name()='matchingRecords']/*[local-name()='total']/text()") == ["502"]
    assert listed.xpath("//*[local-name()='matchingRecords']/*[local-name()='returned']/text()") == ["500"]


@pytest.mark.parametrize("title", [r'"wxh \ud800 half"', r'"wxh \udfff"', r'{"\ud83d": 1}'])
def test_a_rest_body_with_half_a_surrogate_pair_is_a_400(app: EmulatorApp, title: str) -> None:
    body = ('{"title": ' + title + ', "start": "2099-12-31T10:00:00Z", "end": "2099-12-31T11:00:00Z"}').encode()

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://harness.webex.com") as client:
            headers = {"Authorization": "Bearer emulator-token", "Content-Type": "application/json"}
            return await client.post("/v1/meetings", content=body, headers=headers)

    answer = asyncio.run(go())

    assert answer.status_code == 400, answer.text
    assert "not valid JSON" in answer.json()["message"]


def test_a_rest_title_with_a_whole_surrogate_pair_is_kept(app: EmulatorApp) -> None:
    body = b'{"title": "wxh \\ud83d\\ude00", "start": "2099-12-31T10:00:00Z", "end": "2099-12-31T11:00:00Z"}'

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://harness.webex.com") as client:
            headers = {"Authorization": "Bearer emulator-token", "Content-Type": "application/json"}
            return await client.post("/v1/meetings", content=body, headers=headers)

    answer = asyncio.run(go())

    assert answer.status_code == 200 and answer.json()["title"] == "wxh \U0001f600", answer.text


def test_a_rest_meeting_takes_at_most_ten_tracking_codes(app: EmulatorApp) -> None:
    def create(count: int) -> httpx.Response:
        codes = [{"name": f"TC{n}", "value": "x"} for n in range(count)]
        body = {
            "title": "wxh codes",
            "start": "2099-12-31T10:00:00Z",
            "end": "2099-12-31T11:00:00Z",
            "trackingCodes": codes,
        }

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=app)
            async with httpx.AsyncClient(transport=transport, base_url="https://harness.webex.com") as client:
                return await client.post("/v1/meetings", json=body, headers={"Authorization": "Bearer emulator-token"})

        return asyncio.run(go())

    assert create(10).status_code == 200
    refused = create(20_000)
    assert refused.status_code == 400 and "trackingCodes" in refused.text


@pytest.mark.parametrize("suffix", ["_I_253402300800", "_I_99999999999999999999", "_I_١٢٣", "_I_"])
def test_a_rest_instance_id_beyond_the_calendar_is_a_404(app: EmulatorApp, suffix: str) -> None:
    async def go(method: str, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="https://harness.webex.com") as client:
            return await client.request(method, path, json=body, headers={"Authorization": "Bearer emulator-token"})

    body = {"title": "wxh ids", "start": "2099-12-31T10:00:00Z", "end": "2099-12-31T11:00:00Z"}
    series = asyncio.run(go("POST", "/v1/meetings", {**body, "recurrence": "FREQ=DAILY;COUNT=3"})).json()["id"]

    answer = asyncio.run(go("GET", f"/v1/meetings/{series}{suffix}"))

    assert answer.status_code == 404, answer.text
