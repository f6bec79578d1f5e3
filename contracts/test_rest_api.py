"""REST meetings API wire rules (003; docs/wire.md J1–J11): status codes, error JSON,
media types, paths, the meeting JSON's shape, lists, and the seed's sample round trip."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from webex_harness.contracts.rest_support import (
    MEETING_TYPES,
    SCHEDULED_TYPES,
    SEED_NESTED_KEYS,
    SEED_REQUEST,
    SEED_RESPONSE_KEYS,
    STATES,
    assert_error,
)
from webex_harness.plugin.rest_meetings import RestMeetings, iso, meeting_body, slot
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle

SHANGHAI = timezone(timedelta(hours=8))


# ---------------------------------------------------------------- rest-status-codes


@pytest.mark.behaviour("rest-status-codes")
def test_create_get_update_delete_status_codes(rest: RestMeetings) -> None:
    created = rest.create(meeting_body())
    assert created.status == 200, created.describe()
    meeting_id = created.json["id"]
    assert rest.client.get(meeting_id).status == 200
    for method in ("PATCH", "PUT"):
        updated = rest.client.update(meeting_id, {"title": f"via {method}"}, method=method)
        assert updated.status == 200 and updated.json["title"] == f"via {method}", updated.describe()
    deleted = rest.client.delete(meeting_id)
    assert deleted.status == 204, deleted.describe()
    assert deleted.raw == b"", "204 has no body"
    assert_error(rest.client.get(meeting_id), 404)
    assert_error(rest.client.update(meeting_id, {"title": "gone"}), 404)
    assert_error(rest.client.delete(meeting_id), 404)


@pytest.mark.behaviour("rest-status-codes")
def test_unknown_meeting_is_404(rest: RestMeetings) -> None:
    assert_error(rest.client.get("0123456789abcdef0123456789abcdef"), 404)
    assert_error(rest.client.update("0123456789abcdef0123456789abcdef_20300101T000000Z", {"title": "x"}), 404)


@pytest.mark.behaviour("rest-status-codes")
@pytest.mark.parametrize("token", [None, "not-a-valid-token"], ids=["no-token", "bad-token"])
def test_missing_or_bad_token_is_401(rest: RestMeetings, token: str | None) -> None:
    assert_error(rest.client.request("GET", "/meetings", token=token), 401)
    assert_error(rest.client.request("POST", "/meetings", json_body=meeting_body(), token=token), 401)


@pytest.mark.behaviour("rest-status-codes")
def test_unsupported_method_is_405(rest: RestMeetings) -> None:
    created = rest.create_ok()
    response = rest.client.request("POST", f"/meetings/{created['id']}", json_body={"title": "x"})
    assert_error(response, 405)
    assert_error(rest.client.request("DELETE", "/meetings"), 405)


@pytest.mark.behaviour("rest-status-codes")
@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", "application/xml", None])
def test_wrong_media_type_is_415(rest: RestMeetings, ctype: str | None) -> None:
    created = rest.create_ok()
    headers = {"Content-Type": ctype} if ctype else {}
    patch = rest.client.request("PATCH", f"/meetings/{created['id']}", content=b'{"title": "typed"}', headers=headers)
    assert_error(patch, 415)
    post = rest.client.request("POST", "/meetings", content=b'{"title": "typed"}', headers=headers)
    assert_error(post, 415)
    assert rest.client.get(created["id"]).json["title"] == created["title"]


@pytest.mark.behaviour("rest-status-codes")
@pytest.mark.parametrize(
    "body",
    [b"{", b"not json", b"[1, 2]", b'"text"', b"", b'{"title": NaN}'],
    ids=["truncated", "text", "array", "string", "empty", "nan"],
)
def test_broken_json_is_400_with_a_message(rest: RestMeetings, body: bytes) -> None:
    created = rest.create_ok()
    response = rest.client.request(
        "PATCH", f"/meetings/{created['id']}", content=body, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400)


@pytest.mark.behaviour("rest-status-codes")
@pytest.mark.parametrize(
    "body",
    [
        {"title": 5},
        {"enabledAutoRecordMeeting": "yes"},
        {"reminderTime": "10"},
        {"meetingOptions": []},
        {"attendeePrivileges": {"enabledChatHost": 1}},
        {"integrationTags": "tag"},
        {"start": "tomorrow"},
        {"trackingCodes": [{"name": "", "value": "x"}]},
        {"recurrence": "FREQ=HOURLY"},
    ],
    ids=lambda b: next(iter(b)),
)
def test_wrong_value_types_are_400_with_a_message(rest: RestMeetings, body: dict[str, object]) -> None:
    created = rest.create_ok()
    assert_error(rest.client.update(created["id"], body), 400)
    assert rest.client.get(created["id"]).json["title"] == created["title"]


@pytest.mark.behaviour("rest-status-codes")
def test_body_less_get_and_delete_with_json_content_type_are_answered(rest: RestMeetings) -> None:
    created = rest.create_ok()
    headers = {"Content-Type": "application/json;charset=utf-8"}
    got = rest.client.request("GET", f"/meetings/{created['id']}", headers=headers)
    assert got.status == 200, got.describe()
    listed = rest.client.request("GET", "/meetings", headers=headers)
    assert listed.status == 200, listed.describe()
    deleted = rest.client.request("DELETE", f"/meetings/{created['id']}", headers=headers)
    assert deleted.status == 204, deleted.describe()


@pytest.mark.behaviour("rest-status-codes")
def test_trailing_and_doubled_slashes_are_tolerated(rest: RestMeetings) -> None:
    created = rest.create_ok()
    assert rest.client.request("GET", "/meetings/").status == 200
    assert rest.client.request("GET", "//meetings").status == 200
    assert rest.client.request("GET", f"//meetings/{created['id']}").status == 200
    made = rest.client.request("POST", "/meetings/", json_body=meeting_body())
    assert made.status == 200, made.describe()
    rest.ids.append(made.json["id"])


@pytest.mark.behaviour("rest-status-codes")
def test_every_answer_is_application_json(rest: RestMeetings) -> None:
    created = rest.create_ok()
    answers = [
        rest.client.get(created["id"]),
        rest.client.list_meetings(),
        rest.client.get("nope"),
        rest.client.request("GET", "/meetings", token=None),
        rest.client.delete(created["id"]),
    ]
    for answer in answers:
        assert answer.headers.get("content-type", "").split(";")[0] == "application/json", answer.describe()


@pytest.mark.behaviour("rest-status-codes")
def test_rate_limit_is_429_with_retry_after(site: SiteHandle, rest: RestMeetings) -> None:
    """Emulator rule: more than 600 requests per token within 60 s of the site clock → 429."""
    control = site.control  # the threshold is the emulator's; a real site is not flooded
    assert control is not None
    limit, answer = 700, None
    for _ in range(limit):
        answer = rest.client.get("0123456789abcdef0123456789abcdef")
        if answer.status == 429:
            break
        assert answer.status == 404, answer.describe()
    assert answer is not None
    assert_error(answer, 429)
    retry = answer.headers.get("retry-after", "")
    assert retry.isdigit() and 1 <= int(retry) <= 60, f"Retry-After {retry!r}"
    site.advance_clock(int(retry) + 1)
    assert rest.client.get("0123456789abcdef0123456789abcdef").status == 404, "allowed again after Retry-After"


# ---------------------------------------------------------------- rest-response-shape


@pytest.mark.behaviour("rest-response-shape")
def test_created_meeting_has_the_documented_properties(site: SiteHandle, rest: RestMeetings) -> None:
    start = slot(days=3, hour=9, tz=SHANGHAI)
    body = meeting_body(own_name("shape"), start=start, timezone="Asia/Shanghai", agenda="shape agenda")
    created = rest.create_ok(body)
    expected = SEED_RESPONSE_KEYS - {"meetingSeriesId", "isModified", "visualWatermarkOpacity"}
    missing = expected - set(created)
    assert not missing, f"missing properties: {sorted(missing)}"
    assert re.fullmatch(r"[0-9a-f]{32}", created["id"])
    assert created["meetingType"] == "meetingSeries" and created["state"] == "active"
    assert created["scheduledType"] == "meeting"
    assert re.fullmatch(r"\d{8}", created["phoneAndVideoSystemPassword"])
    assert created["password"], "Create always returns password"
    assert (created["title"], created["agenda"], created["timezone"]) == (
        own_name("shape"),
        "shape agenda",
        "Asia/Shanghai",
    )
    assert created["start"] == iso(start) and created["end"] == iso(start + timedelta(minutes=60)), "offset echoed"
    assert created["telephony"]["accessCode"] and created["telephony"]["callInNumbers"]
    assert set(created["telephony"]) >= SEED_NESTED_KEYS["telephony"]
    for name in ("meetingOptions", "attendeePrivileges", "audioConnectionOptions"):
        assert set(created[name]) >= SEED_NESTED_KEYS[name], name
    assert created["sipAddress"].startswith(created["meetingNumber"])
    assert created["webLink"].startswith("https://")
    got = rest.client.get(created["id"]).json
    assert got == created, "GET returns what Create returned (password included)"


@pytest.mark.behaviour("rest-response-shape")
def test_update_response_has_the_changes_applied(rest: RestMeetings) -> None:
    created = rest.create_ok()
    change = {
        "title": "changed",
        "agenda": "new agenda",
        "password": "Chang3dPass",
        "reminderTime": 25,
        "enabledBreakoutSessions": True,
        "meetingOptions": {"enabledChat": False},
        "trackingCodes": [{"name": "Department", "value": "Sales"}],
    }
    response = rest.client.update(created["id"], change)
    assert response.status == 200, response.describe()
    got = response.json
    assert (got["title"], got["agenda"], got["password"], got["reminderTime"]) == (
        "changed",
        "new agenda",
        "Chang3dPass",
        25,
    )
    assert got["enabledBreakoutSessions"] is True and got["meetingOptions"]["enabledChat"] is False
    assert got["meetingOptions"]["enabledVideo"] == created["meetingOptions"]["enabledVideo"], "merged, not replaced"
    assert got["trackingCodes"] == [{"name": "Department", "value": "Sales"}]
    assert re.fullmatch(r"\d{8}", got["phoneAndVideoSystemPassword"]) and got["telephony"]["accessCode"]
    assert rest.client.get(created["id"]).json == got


@pytest.mark.behaviour("rest-response-shape")
def test_seed_sample_request_round_trips_to_the_sample_response_shape(rest: RestMeetings) -> None:
    """003: the request sample applied to a scheduled meeting of a daily series answers with the
    response sample's properties (its own ids and times)."""
    first = slot(days=3, hour=20, tz=SHANGHAI)
    created = rest.create_ok(
        meeting_body(
            "Example Daily Meeting", start=first, timezone="Asia/Shanghai", recurrence="FREQ=DAILY;INTERVAL=1;COUNT=3"
        )
    )
    occurrence = rest.scheduled(created["id"], first)[1]
    day = first + timedelta(days=1)
    body = dict(SEED_REQUEST, start=iso(day.replace(minute=30)), end=iso(day.replace(hour=21, minute=30)))
    # the sample sets enabledAudienceCallBack on a meeting, which the same page allows for a webinar
    # only (rest-webinar-only-options): the page's rule wins over its sample
    body["audioConnectionOptions"] = {**SEED_REQUEST["audioConnectionOptions"], "enabledAudienceCallBack": False}
    response = rest.client.update(occurrence["id"], body)
    assert response.status == 200, response.describe()
    got = response.json
    assert set(got) == SEED_RESPONSE_KEYS, (
        f"extra {sorted(set(got) - SEED_RESPONSE_KEYS)}, missing {sorted(SEED_RESPONSE_KEYS - set(got))}"
    )
    for name, keys in SEED_NESTED_KEYS.items():
        assert set(got[name]) >= keys, name
    assert (got["id"], got["meetingSeriesId"]) == (occurrence["id"], created["id"])
    assert (got["meetingType"], got["state"], got["isModified"]) == ("scheduledMeeting", "scheduled", True)
    assert (got["start"], got["end"]) == (body["start"], body["end"])
    for name in (
        "title",
        "agenda",
        "password",
        "joinBeforeHostMinutes",
        "visualWatermarkOpacity",
        "reminderTime",
        "unlockedMeetingJoinSecurity",
        "meetingOptions",
        "audioConnectionOptions",
        "trackingCodes",
    ):
        assert got[name] == body[name], name


@pytest.mark.behaviour("rest-response-shape")
def test_enum_valued_properties_use_documented_values(rest: RestMeetings) -> None:
    start = slot(days=2)
    created = rest.create_ok(meeting_body(start=start, recurrence="FREQ=WEEKLY;COUNT=2"))
    webinar = rest.create_ok(meeting_body(scheduledType="webinar"))
    seen = [created, webinar, *rest.scheduled(created["id"], start, days=15)]
    for meeting in seen:
        assert meeting["meetingType"] in MEETING_TYPES
        assert meeting["state"] in STATES
        assert meeting["scheduledType"] in SCHEDULED_TYPES
    assert webinar["scheduledType"] == "webinar" and "attendeePrivileges" not in webinar


@pytest.mark.behaviour("rest-response-shape")
def test_list_returns_items_with_scheduled_meetings_in_utc_and_link_paging(rest: RestMeetings) -> None:
    first = slot(days=2, hour=9, tz=SHANGHAI)
    created = rest.create_ok(meeting_body(start=first, timezone="Asia/Shanghai", recurrence="FREQ=DAILY;COUNT=5"))
    assert created["start"].endswith("+08:00"), "a series echoes the submitted offset"
    page = rest.client.list_meetings(
        meetingSeriesId=created["id"],
        meetingType="scheduledMeeting",
        max=2,
        from_=(first - timedelta(days=1)).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        to=iso(first + timedelta(days=10)),
    )
    assert page.status == 200, page.describe()
    starts: list[str] = []
    ids: list[str] = []
    while True:
        assert len(page.items) <= 2
        for item in page.items:
            assert item["meetingType"] == "scheduledMeeting" and item["meetingSeriesId"] == created["id"]
            assert item["start"].endswith("Z") and item["end"].endswith("Z"), "listed scheduled meetings are UTC"
            starts.append(item["start"])
            ids.append(item["id"])
        link = page.next_link
        if not link:
            break
        page = rest.client.follow(link)
        assert page.status == 200, page.describe()
    assert len(starts) == 5 and len(set(ids)) == 5
    assert datetime.fromisoformat(starts[0]) == first


def _starting_outside(items: list[dict[str, object]], lo: datetime, hi: datetime) -> list[str]:
    """IDs of listed single meetings whose start lies outside ``[lo, hi]``. A recurring series (another
    test's, running beside this one) is listed for an occurrence in the window while its ``start`` is
    its first occurrence's: it is left out."""
    starts = {
        str(m["id"]): datetime.fromisoformat(str(m["start"]).replace("Z", "+00:00"))
        for m in items
        if not m.get("recurrence")
    }
    return [meeting_id for meeting_id, begin in starts.items() if not lo <= begin <= hi]


@pytest.mark.behaviour("rest-response-shape")
def test_list_filters_from_to_number_and_state(rest: RestMeetings, run_name: Callable[[str], str]) -> None:
    # a start of the run's own (a random minute weeks ahead): foreign meetings rarely share the window,
    # and the assertions hold when they do
    start = slot(days=20 + secrets.randbelow(200), hour=secrets.randbelow(24)) + timedelta(
        minutes=secrets.randbelow(60)
    )
    created = rest.create_ok(meeting_body(run_name("rest filter"), start=start))
    other = rest.create_ok(meeting_body(run_name("rest filter other"), start=start + timedelta(days=3)))
    lo, hi = start.astimezone(SHANGHAI) - timedelta(hours=1), start + timedelta(days=1)
    window = rest.client.request(
        "GET", f"/meetings?from={quote(iso(lo), safe='')}&to={quote(iso(hi), safe='')}&max=100"
    )
    assert window.status == 200, window.describe()
    ids = [m["id"] for m in window.items]
    assert ids.count(created["id"]) == 1 and other["id"] not in ids, "percent-encoded offset from/to"
    assert not _starting_outside(window.items, lo, hi), "every listed meeting starts within from/to"
    by_number = rest.client.list_meetings(meetingNumber=other["meetingNumber"], current="false")
    assert [m["id"] for m in by_number.items] == [other["id"]], "current=false: the series"
    lo, hi = start - timedelta(hours=1), start + timedelta(days=5)
    active = rest.client.list_meetings(state="active", from_=iso(lo), to=iso(hi), max=100)
    assert {created["id"], other["id"]} <= {m["id"] for m in active.items}
    assert {m["state"] for m in active.items} == {"active"} and not _starting_outside(active.items, lo, hi)
    expired = rest.client.list_meetings(state="expired", from_=iso(lo), to=iso(hi), max=100)
    assert not {created["id"], other["id"]} & {m["id"] for m in expired.items}
    assert {m["state"] for m in expired.items} <= {"expired"}
    assert_error(rest.client.list_meetings(meetingType="bogus"), 400)
    assert_error(rest.client.list_meetings(from_="yesterday"), 400)
