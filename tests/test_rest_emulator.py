"""The emulator's REST meetings API in-process: ASGI wire details, the 429 rule, recurrence, odd
input, and the generators' valid bodies and edge cases (``generators/rest.py``)."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from webex_harness.emulator.app import create_app
from webex_harness.emulator.model import User
from webex_harness.emulator.registry import Registry
from webex_harness.emulator.rest import RATE_LIMIT, recurrence, respond
from webex_harness.emulator.rest.recurrence import RecurrenceError
from webex_harness.emulator.rest.store import RestStore, Target
from webex_harness.webex.settings import SiteSettings

TOKEN = "emulator-token"
AUTH = {"authorization": f"Bearer {TOKEN}"}
JSON_HEADERS = {**AUTH, "content-type": "application/json"}


class Rest:
    """Calls :func:`emulator.rest.respond` directly (no sockets, no event loop)."""

    def __init__(self) -> None:
        self.registry = Registry()

    def call(
        self, method: str, path: str, body: Any = None, *, query: str = "", headers: dict[str, str] | None = None
    ) -> tuple[int, Any, dict[str, str]]:
        raw = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
        status, payload, extra = respond(
            self.registry, method, path, query, headers if headers is not None else JSON_HEADERS, raw, "http://test"
        )
        return status, payload, {k.lower(): v for k, v in extra}

    def create(self, **fields: Any) -> dict[str, Any]:
        start = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
        body = {"title": "unit", "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat(), **fields}
        status, payload, _ = self.call("POST", "/v1/meetings", body)
        assert status == 200, payload
        return dict(payload)


@pytest.fixture
def rest() -> Rest:
    return Rest()


def asgi(app: Any, method: str, path: str, **kwargs: Any) -> httpx.Response:
    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://harness.test") as client:
            return await client.request(method, path, **kwargs)

    return asyncio.run(go())


# ---------------------------------------------------------------- ASGI wire


def test_delete_is_204_without_body_or_content_length_but_json_type() -> None:
    app = create_app()
    start = (datetime.now(UTC) + timedelta(days=1)).replace(second=0, microsecond=0)
    made = asgi(
        app,
        "POST",
        "/v1/meetings",
        headers=AUTH,
        json={"title": "t", "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()},
    )
    assert made.status_code == 200 and made.headers["content-type"] == "application/json"
    gone = asgi(app, "DELETE", f"/v1/meetings/{made.json()['id']}", headers={**AUTH, "Connection": "close"})
    assert gone.status_code == 204 and gone.content == b""
    assert "content-length" not in gone.headers and gone.headers["content-type"] == "application/json"
    assert gone.headers.get("connection") == "close"


def test_oversized_body_is_413_json_and_unknown_v1_path_is_404() -> None:
    app = create_app()
    big = asgi(
        app,
        "POST",
        "/v1/meetings",
        headers={**AUTH, "content-type": "application/json"},
        content=b"{" + b" " * 1_100_000 + b"}",
    )
    assert big.status_code == 413 and big.json()["message"]
    other = asgi(app, "GET", "/v1/people", headers=AUTH)
    assert other.status_code == 404 and other.json()["errors"][0]["description"]
    assert asgi(app, "GET", "/v1", headers=AUTH).status_code == 404


def test_405_lists_the_allowed_methods(rest: Rest) -> None:
    status, payload, headers = rest.call("PATCH", "/v1/meetings", {"title": "x"})
    assert status == 405 and headers["allow"] == "GET, POST" and payload["trackingId"]


def test_rate_limit_counts_per_site_and_empties_when_the_clock_moves(rest: Rest) -> None:
    site = rest.registry.default
    for _ in range(RATE_LIMIT):
        assert rest.call("GET", "/v1/meetings/unknown", headers=AUTH)[0] == 404
    status, payload, headers = rest.call("GET", "/v1/meetings/unknown", headers=AUTH)
    assert status == 429 and 1 <= int(headers["retry-after"]) <= 60 and payload["message"]
    other = rest.registry.create_site("other", site.settings)
    assert rest.call("GET", "/v1/meetings", headers={"authorization": f"Bearer {other.rest_token}"})[0] == 200
    site.advance(61)
    assert rest.call("GET", "/v1/meetings/unknown", headers=AUTH)[0] == 404
    assert rest.call("GET", "/v1/meetings", headers={})[0] == 401  # not counted, not limited


def test_rate_limit_is_the_site_setting_and_zero_switches_it_off(rest: Rest) -> None:
    assert RATE_LIMIT == SiteSettings().rest_rate_limit_per_minute == 600, "the default stays the documented guess"
    tight = rest.registry.create_site("tight", SiteSettings(rest_rate_limit_per_minute=3))
    tight_auth = {"authorization": f"Bearer {tight.rest_token}"}
    assert [rest.call("GET", "/v1/meetings", headers=tight_auth)[0] for _ in range(4)] == [200, 200, 200, 429]
    tight.settings = tight.settings.updated({"rest_rate_limit_per_minute": 0})
    assert {rest.call("GET", "/v1/meetings", headers=tight_auth)[0] for _ in range(RATE_LIMIT + 50)} == {200}


@pytest.mark.parametrize("body", [b"\xff\xfe{", b"[" * 100_000 + b"]" * 100_000, b"1e999999", b"null"])
def test_hostile_bodies_get_400_never_500(rest: Rest, body: bytes) -> None:
    status, payload, _ = rest.call("POST", "/v1/meetings", body)
    assert status == 400, payload


@pytest.mark.parametrize(
    "field,value",
    [
        ("start", "2030-13-45T99:00:00Z"),
        ("timezone", "Not/AZone"),
        ("timezone", "../../etc/passwd"),
        ("recurrence", "FREQ=DAILY;COUNT=abc"),
        ("recurrence", "FREQ=DAILY;UNTIL=2030;COUNT=3"),
        ("recurrence", "FREQ=MONTHLY;BYDAY=0MO"),
        ("scheduledType", "townhall"),
        ("adhoc", True),
        ("meetingOptions", {"noteType": 5}),
        ("trackingCodes", [{"name": "n" * 121, "value": "v"}]),
    ],
)
def test_bad_create_fields_get_400(rest: Rest, field: str, value: Any) -> None:
    start = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
    body = {"title": "t", "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat(), field: value}
    status, payload, _ = rest.call("POST", "/v1/meetings", body)
    assert status == 400, payload
    assert payload["message"] and payload["errors"][0]["description"]


def test_create_requires_title_start_and_end(rest: Rest) -> None:
    assert rest.call("POST", "/v1/meetings", {"title": "t"})[0] == 400
    assert rest.call("POST", "/v1/meetings", {"start": "2030-01-01T10:00:00Z", "end": "2030-01-01T11:00:00Z"})[0] == 400


def test_naive_times_are_read_in_the_meeting_time_zone(rest: Rest) -> None:
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    made = rest.create(start=f"{day}T10:00:00", end=f"{day}T11:00:00", timezone="Asia/Tokyo")
    assert made["start"] == f"{day}T10:00:00+09:00"


def test_zulu_start_is_echoed_as_zulu(rest: Rest) -> None:
    day = (datetime.now(UTC) + timedelta(days=3)).date()
    made = rest.create(start=f"{day}T10:00:00.000Z", end=f"{day}T11:00:00Z")
    assert (made["start"], made["end"]) == (f"{day}T10:00:00Z", f"{day}T11:00:00Z")


def test_list_defaults_and_unencoded_plus_offsets(rest: Rest) -> None:
    made = rest.create()
    status, payload, _ = rest.call("GET", "/v1/meetings", headers=AUTH)
    assert status == 200 and [m["id"] for m in payload["items"]] == [made["id"]]
    start = datetime.fromisoformat(made["start"]).astimezone(UTC)
    lo = (start - timedelta(hours=1)).astimezone(recurrence.zone("Asia/Shanghai", None)).isoformat()
    status, payload, _ = rest.call("GET", "/v1/meetings", headers=AUTH, query=f"from={lo}&max=1")
    assert status == 200 and len(payload["items"]) == 1
    assert rest.call("GET", "/v1/meetings", headers=AUTH, query="max=0")[0] == 400
    assert rest.call("GET", "/v1/meetings", headers=AUTH, query="max=101")[0] == 400
    assert rest.call("GET", "/v1/meetings", headers=AUTH, query="state=bogus")[0] == 400


def test_scheduled_meeting_delete_cancels_only_that_occurrence(rest: Rest) -> None:
    made = rest.create(recurrence="FREQ=DAILY;COUNT=3")
    start = datetime.fromisoformat(made["start"])
    query = (
        f"meetingSeriesId={made['id']}&from={(start - timedelta(days=1)).isoformat().replace('+', '%2B')}"
        f"&to={(start + timedelta(days=5)).isoformat().replace('+', '%2B')}"
    )
    items = rest.call("GET", "/v1/meetings", headers=AUTH, query=query)[1]["items"]
    assert len(items) == 3
    assert rest.call("DELETE", f"/v1/meetings/{items[1]['id']}", headers=AUTH)[0] == 204
    assert rest.call("GET", f"/v1/meetings/{items[1]['id']}", headers=AUTH)[0] == 404
    left = rest.call("GET", "/v1/meetings", headers=AUTH, query=query)[1]["items"]
    assert [m["id"] for m in left] == [items[0]["id"], items[2]["id"]]


def test_an_occurrence_changed_back_to_its_series_value_answers_the_series_value(rest: Rest) -> None:
    """An older exceptional value of one scheduled meeting must not outlive a later update that sets the
    property back to the series' value (found by the REST state machine: PUT false, then PUT true)."""
    made = rest.create(recurrence="FREQ=DAILY;COUNT=3", enabledAutoRecordMeeting=True)
    start = datetime.fromisoformat(made["start"])
    query = (
        f"meetingSeriesId={made['id']}&from={(start - timedelta(days=1)).isoformat().replace('+', '%2B')}"
        f"&to={(start + timedelta(days=5)).isoformat().replace('+', '%2B')}"
    )
    second = rest.call("GET", "/v1/meetings", headers=AUTH, query=query)[1]["items"][1]["id"]
    path = f"/v1/meetings/{second}"

    off = rest.call("PATCH", path, {"enabledAutoRecordMeeting": False})
    back = rest.call("PUT", path, {"enabledAutoRecordMeeting": True})

    assert off[0] == 200 and off[1]["enabledAutoRecordMeeting"] is False
    assert back[0] == 200 and back[1]["enabledAutoRecordMeeting"] is True
    assert rest.call("GET", path, headers=AUTH)[1]["enabledAutoRecordMeeting"] is True


def test_registrants_endpoint(rest: Rest) -> None:
    made = rest.create(scheduledType="webinar")
    path = f"/v1/meetings/{made['id']}/registrants"
    status, registrant, _ = rest.call("POST", path, {"firstName": "A", "lastName": "B", "email": "A@Example.com"})
    assert status == 200 and registrant["email"] == "a@example.com" and registrant["status"] == "approved"
    assert rest.call("POST", path, {"email": "a@example.com"})[0] == 409
    assert rest.call("POST", path, {"email": "not an email"})[0] == 400
    assert rest.call("GET", path, headers=AUTH)[1]["items"] == [registrant]


def test_instance_has_no_end_while_in_progress_and_no_password_once_ended(rest: Rest) -> None:
    site = rest.registry.default
    start = (site.now() + timedelta(minutes=3)).replace(second=0, microsecond=0)
    made = rest.create(start=start.isoformat(), end=(start + timedelta(minutes=20)).isoformat())
    site.advance((start - site.now()).total_seconds() + 30)
    instance_id = f"{made['id']}_I_{int(start.timestamp())}"
    status, running, _ = rest.call("GET", f"/v1/meetings/{instance_id}", headers=AUTH)
    assert status == 200 and running["state"] == "inProgress" and "end" not in running and running["password"]
    site.advance(25 * 60)
    ended = rest.call("GET", f"/v1/meetings/{instance_id}", headers=AUTH)[1]
    assert ended["state"] == "ended" and "password" not in ended and "meetingNumber" not in ended


# ---------------------------------------------------------------- the store


def test_the_store_is_the_sites_own_and_finds_every_id_a_meeting_is_answered_with(rest: Rest) -> None:
    site = rest.registry.default
    made = rest.create(recurrence="FREQ=DAILY;COUNT=2")
    kept = site.rest
    assert isinstance(kept, RestStore) and not hasattr(site, "extra")
    series = kept.get(made["id"])
    assert series is not None
    first, second = list(series.slots(None))
    occurrence = Target(series, "scheduledMeeting", second)
    assert kept.find(made["id"], site.now()) == Target(series, "meetingSeries")
    assert kept.find(occurrence.id, site.now()) == occurrence
    assert rest.call("GET", f"/v1/meetings/{occurrence.id}", headers=AUTH)[1]["id"] == occurrence.id
    instance = Target(series, "meeting", first)
    assert kept.find(instance.id, site.now()) is None  # no instance before its start
    site.advance((first - site.now()).total_seconds() + 60)
    assert kept.find(instance.id, site.now()) == instance
    assert rest.call("DELETE", f"/v1/meetings/{made['id']}", headers=AUTH)[0] == 204
    assert kept.get(made["id"]) is None and kept.find(occurrence.id, site.now()) is None


# ---------------------------------------------------------------- recurrence


def _starts(text: str, start: datetime, n: int = 400, tz: str = "UTC") -> list[datetime]:
    rule = recurrence.first_only(recurrence.parse(text))
    out = []
    for at in recurrence.occurrences(
        rule, start, recurrence.zone(tz, UTC), horizon=start + recurrence.HORIZON, stop=start + timedelta(days=n)
    ):
        out.append(at)
    return out


def test_weekly_byday_and_interval() -> None:
    monday = datetime(2031, 1, 6, 9, tzinfo=UTC)
    got = _starts("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE;COUNT=4", monday)
    assert [d.date().isoformat() for d in got] == ["2031-01-06", "2031-01-08", "2031-01-20", "2031-01-22"]


def test_monthly_byday_ordinal_and_last_friday() -> None:
    start = datetime(2031, 1, 1, 9, tzinfo=UTC)
    assert [d.day for d in _starts("FREQ=MONTHLY;BYDAY=2TU;COUNT=3", start)] == [14, 11, 11]
    assert [d.day for d in _starts("FREQ=MONTHLY;BYDAY=-1FR;COUNT=2", start)] == [31, 28]


def test_monthly_skips_months_without_the_day_and_yearly_bymonth() -> None:
    start = datetime(2031, 1, 31, 9, tzinfo=UTC)
    assert [d.month for d in _starts("FREQ=MONTHLY;COUNT=3", start)] == [1, 3, 5]
    assert [d.date().isoformat() for d in _starts("FREQ=YEARLY;BYMONTH=6;BYMONTHDAY=2;COUNT=2", start, 800)] == [
        "2031-06-02",
        "2032-06-02",
    ]


def test_wall_clock_time_survives_dst() -> None:
    start = datetime(2031, 3, 5, 9, tzinfo=recurrence.zone("America/New_York", None))
    got = _starts("FREQ=WEEKLY;COUNT=3", start, tz="America/New_York")
    assert [d.astimezone(recurrence.zone("America/New_York", None)).hour for d in got] == [9, 9, 9]
    assert got[0].hour != got[2].hour  # the UTC hour moved with DST


def test_first_only_applies_to_monthly_and_yearly() -> None:
    assert recurrence.text_of(recurrence.first_only(recurrence.parse("FREQ=YEARLY;BYMONTH=1,2;BYMONTHDAY=3,4"))) == (
        "FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=3"
    )
    assert recurrence.text_of(recurrence.first_only(recurrence.parse("FREQ=WEEKLY;BYDAY=MO,TU"))) == (
        "FREQ=WEEKLY;BYDAY=MO,TU"
    )


@pytest.mark.parametrize(
    "text",
    [
        "",
        "FREQ=HOURLY",
        "FREQ=DAILY;FOO=1",
        "FREQ=DAILY;INTERVAL=0",
        "FREQ=DAILY;BYDAY=XX",
        "FREQ=DAILY;UNTIL=soon",
        "FREQ",
    ],
)
def test_bad_rules_are_refused(text: str) -> None:
    with pytest.raises(RecurrenceError):
        recurrence.parse(text)


def test_impossible_rule_ends() -> None:
    start = datetime(2031, 1, 1, 9, tzinfo=UTC)
    rule = recurrence.parse("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30")
    assert list(recurrence.occurrences(rule, start, UTC, horizon=None, stop=None)) == []


# ---------------------------------------------------------------- the generators' bodies


@pytest.mark.parametrize("seed", range(1, 41))
def test_generated_valid_bodies_are_accepted(rest: Rest, seed: int) -> None:
    gen = pytest.importorskip("generators.rest")
    now = rest.registry.default.now()
    status, made, _ = rest.call("POST", "/v1/meetings", gen.valid_create_body(seed, now))
    assert status == 200, made
    kind = made["scheduledType"]
    status, updated, _ = rest.call(
        "PATCH", f"/v1/meetings/{made['id']}", gen.valid_update_body(seed + 1000, now, scheduled_type=kind)
    )
    assert status == 200, updated
    status, put, _ = rest.call(
        "PUT", f"/v1/meetings/{made['id']}", gen.valid_update_body(seed + 2000, now, scheduled_type=kind)
    )
    assert status == 200, put


def test_generated_bodies_round_trip_the_fields_they_send(rest: Rest) -> None:
    """Webinar-only fields, the registration form, hostEmail and sessionTypeId come back as sent."""
    gen = pytest.importorskip("generators.rest")
    now = rest.registry.default.now()
    host = rest.registry.default.add_user(User("planner", "Pl4nnerPass", email="planner@example.com"))
    for seed, kind in ((5, "webinar"), (6, "meeting")):
        body = gen.valid_create_body(seed, now, scheduled_type=kind, host_email=host.email)
        status, made, _ = rest.call("POST", "/v1/meetings", body)
        assert status == 200, made
        assert (made["scheduledType"], made["hostEmail"], made["sessionTypeId"]) == (
            kind,
            host.email,
            body["sessionTypeId"],
        )
        for name in ("publicMeeting", "enableConnectAudioBeforeHost", "meetingOptions", "audioConnectionOptions"):
            assert made[name] == body[name], name
        if kind == "webinar":
            for name in ("enabledWebcastView", "panelistPassword", "requireAttendeeLogin", "restrictToInvitees"):
                assert made[name] == body[name], name
        if "registration" in body:
            assert made["registration"]["maxRegisterNum"] == body["registration"]["maxRegisterNum"]


@pytest.mark.parametrize("seed", [1, 2, 3, 7])
def test_generated_edge_cases_get_their_documented_status(rest: Rest, seed: int) -> None:
    gen = pytest.importorskip("generators.rest")
    now = rest.registry.default.now()
    for case in gen.rest_edge_cases(seed, now):
        made = rest.create()
        status, payload, _ = rest.call(case["method"], f"/v1/meetings/{made['id']}", case["body"])
        assert status == case["expect_status"], (case["id"], payload)
        for name, value in (case.get("expect_fields") or {}).items():
            assert payload[name] == value, (case["id"], name, payload[name], value)
