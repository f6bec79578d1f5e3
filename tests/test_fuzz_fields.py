"""A typed fuzz of every input a client controls (bounded and seeded): each catalogue API's fields,
the REST meetings bodies and IDs, and the control API's bodies. Whatever the value — a date at the
end of the calendar, a number in another script or past a Java ``long``, a huge string, a broken
enum, JSON of the wrong type — the emulator answers a documented failure, a 4xx or success, never a
5xx, and stays healthy. (tests/test_hostile.py fuzzes the bytes of whole envelopes; this one keeps
them well-formed and aims at the values.)"""

from __future__ import annotations

import asyncio
import functools
import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.hostile_values import JSON_VALUES, mutated
from webex_harness.emulator.app import EmulatorApp, create_app
from webex_harness.generators import valid_envelope
from webex_harness.generators.catalogue import all_apis
from webex_harness.generators.envelopes import GenContext
from webex_harness.generators.rest import valid_create_body
from webex_harness.webex.envelope import Security, build_request, parse_response

SECURITY = Security(site_name="harness", webex_id="host", password="emulator-pass")
REST_AUTH = {"Authorization": "Bearer emulator-token", "Content-Type": "application/json"}
JSON_TYPE = {"Content-Type": "application/json"}
FUZZ = settings(
    max_examples=250,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@functools.cache
def _app() -> EmulatorApp:
    return create_app()


@functools.cache
def _context() -> GenContext:
    """A context whose keys name a real meeting of the fuzzed site, so lookups succeed and the
    fuzzed values reach the rules behind them."""
    start = "12/31/2099 10:00:00"
    raw = build_request(
        "meeting", "CreateMeeting", {"metaData": {"confName": "wxh fuzz"}, "schedule": {"startDate": start}}, SECURITY
    )
    status, body, _ = _app().handle_xml(raw, {})
    created = parse_response(body, status).expect_success()
    key = created.xpath("//*[local-name()='meetingkey']/text()")[0]
    uuid = created.xpath("//*[local-name()='meetingUUID']/text()")
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    return GenContext(now=now, security=SECURITY, meeting_type_id="3").with_(
        session_key=key, meeting_uuid=uuid[0] if uuid else None
    )


@functools.cache
def _seeds() -> tuple[tuple[str, bytes], ...]:
    return tuple((spec.name, valid_envelope(spec.name, 1, _context())) for spec in all_apis())


def _assert_sane(status: int, body: bytes) -> None:
    assert status < 500, body[:300]
    if status == 200:
        answer = parse_response(body, status)
        assert answer.result in ("SUCCESS", "FAILURE"), answer.describe()
        if answer.result == "FAILURE":
            assert answer.exception_id and answer.reason, answer.describe()


@st.composite
def _typed_envelope(draw: st.DrawFn) -> bytes:
    """A valid envelope of any API with hostile values (:func:`tests.hostile_values.mutated`)."""
    _, raw = draw(st.sampled_from(_seeds()))
    return mutated(draw, raw)


@settings(FUZZ, max_examples=800)
@given(raw=_typed_envelope())
def test_a_hostile_value_in_any_field_of_any_api_never_gets_a_5xx(raw: bytes) -> None:
    status, body, _ = _app().handle_xml(raw, {})
    _assert_sane(status, body)


def _asgi(method: str, path: str, body: bytes | None, headers: dict[str, str]) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=_app())
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1:8080") as client:
            return await client.request(method, path, content=body, headers=headers)

    return asyncio.run(go())


@functools.cache
def _rest_body() -> dict[str, Any]:
    return dict(valid_create_body(1, datetime.now(UTC)))


@FUZZ
@given(
    field=st.sampled_from([*sorted(_rest_body()), "recurrence", "registration", "trackingCodes", "x"]),
    value=JSON_VALUES,
)
def test_a_hostile_value_in_any_rest_field_never_gets_a_5xx(field: str, value: Any) -> None:
    body = json.dumps({**_rest_body(), field: value}).encode()

    created = _asgi("POST", "/v1/meetings", body, REST_AUTH)

    assert created.status_code < 500, created.text[:300]
    if created.status_code == 200:
        meeting = created.json()["id"]
        patched = _asgi("PATCH", f"/v1/meetings/{meeting}", json.dumps({field: value}).encode(), REST_AUTH)
        assert patched.status_code < 500, patched.text[:300]
        assert _asgi("DELETE", f"/v1/meetings/{meeting}", None, REST_AUTH).status_code < 500


@FUZZ
@given(
    meeting_id=st.one_of(
        st.text(max_size=40),
        st.from_regex(r"[0-9a-f]{32}_(I_[0-9]{1,25}|[0-9]{8}T[0-9]{6}Z)", fullmatch=True),
    ),
    method=st.sampled_from(["GET", "PATCH", "PUT", "DELETE"]),
)
def test_a_hostile_rest_meeting_id_never_gets_a_5xx(meeting_id: str, method: str) -> None:
    body = b'{"title": "wxh"}' if method in ("PATCH", "PUT") else None

    answer = _asgi(method, "/v1/meetings/" + quote(meeting_id, safe=""), body, REST_AUTH)

    assert answer.status_code < 500, answer.text[:300]


#: Each control endpoint the fuzz posts to, with the keys its body knows (mixed with random ones).
CONTROL_KEYS: dict[str, list[str]] = {
    "sites": ["name", "settings", "users", "faults", "busy"],
    "sites/harness/clock": ["advance_seconds"],
    "sites/harness/settings": [
        "api_version",
        "rest_rate_limit_per_minute",
        "usage_limit_per_hour",
        "response_delay_ms",
    ],
    "sites/harness/faults": ["enable", "disable"],
    "sites/harness/sessions/{key}": ["status", "host_in_meeting", "attendees_in_meeting", "callback"],
    "sites/harness/sessions/{key}/feedback": ["setup", "easeOfUse", "performance", "comment"],
    "sites/harness/recordings/1/access": ["name", "email", "action", "registered"],
    "sites/harness/labs": ["labs"],
    "sites/harness/programs": ["programs"],
    "sites/harness/tests/1/answers": ["name", "email", "answers"],
}
_NUMBERISH = st.one_of(st.integers(-(2**70), 2**70), st.floats(allow_nan=False), st.sampled_from([1e308, -1e308, 0.5]))


@st.composite
def _control_request(draw: st.DrawFn) -> tuple[str, bytes]:
    path = draw(st.sampled_from(sorted(CONTROL_KEYS)))
    keys = CONTROL_KEYS[path]
    known = st.dictionaries(st.sampled_from(keys), st.one_of(_NUMBERISH, JSON_VALUES), min_size=1, max_size=len(keys))
    body = draw(st.one_of(known, JSON_VALUES))
    text = (
        json.dumps(body)
        if draw(st.integers(0, 9))
        else draw(st.sampled_from(["NaN", "Infinity", "-Infinity", "1e999"]))
    )
    if text in ("NaN", "Infinity", "-Infinity", "1e999") and keys:
        text = f'{{"{keys[0]}": {text}}}'  # JSON's own parser takes these: the control API must not
    return path, text.encode()


@FUZZ
@given(request=_control_request())
def test_a_hostile_control_body_never_gets_a_5xx_and_the_site_stays_usable(request: tuple[str, bytes]) -> None:
    path, body = request
    target = "/_emulator/" + path.format(key=_context().session_key)

    answer = _asgi("POST", target, body, JSON_TYPE)

    assert answer.status_code < 500, answer.text[:300]
    _asgi("POST", "/_emulator/sites/harness/faults", b'{"disable": ' + json.dumps(_faults()).encode() + b"}", JSON_TYPE)
    assert _asgi("GET", "/_emulator/sites/harness/state", None, {}).status_code == 200


@functools.cache
def _faults() -> list[str]:
    return [f["id"] for f in _asgi("GET", "/_emulator/faults", None, {}).json()["faults"]]


def test_after_the_fuzz_the_site_still_schedules_meetings() -> None:
    raw = build_request(
        "meeting",
        "CreateMeeting",
        {"metaData": {"confName": "wxh after"}, "schedule": {"startDate": "12/31/2099 10:00:00"}},
        SECURITY,
    )
    status, body, _ = _app().handle_xml(raw, {})
    parse_response(body, status).expect_success()
    assert _asgi("GET", "/_emulator/health", None, {}).status_code == 200
