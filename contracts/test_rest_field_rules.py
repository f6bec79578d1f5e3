"""REST field rules (003) that hold for a create and an update alike: text lengths, the time window,
start rounding, recurrence caps, join-before-host minutes, integration tags, watermark opacity and the
enumerations — each refused value answers 400, and a refused update leaves the meeting as it was.

Each test names the rule it proves; the positive and the negative side are both asserted.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from webex_harness.contracts.rest_support import assert_error, enum_fields, site_now
from webex_harness.plugin.rest_meetings import RestMeetings, iso, meeting_body, slot
from webex_harness.plugin.targets import SiteHandle

SHANGHAI = timezone(timedelta(hours=8))

# ---------------------------------------------------------------- rest-text-limits


@pytest.mark.behaviour("rest-text-limits")
def test_title_of_128_and_agenda_of_1300_characters_are_accepted(rest: RestMeetings) -> None:
    created = rest.create_ok()
    title, agenda = "T" * 128, "A" * 1300
    response = rest.client.update(created["id"], {"title": title, "agenda": agenda})
    assert response.status == 200, response.describe()
    assert (response.json["title"], response.json["agenda"]) == (title, agenda)


@pytest.mark.behaviour("rest-text-limits")
@pytest.mark.parametrize(("field", "length"), [("title", 129), ("agenda", 1301)])
def test_longer_title_or_agenda_is_refused_with_400(rest: RestMeetings, field: str, length: int) -> None:
    created = rest.create_ok(meeting_body(agenda="original"))
    response = rest.client.update(created["id"], {field: "x" * length})
    assert_error(response, 400)
    back = rest.client.get(created["id"]).json
    assert (back["title"], back["agenda"]) == (created["title"], "original")


@pytest.mark.behaviour("rest-text-limits")
def test_create_with_a_129_character_title_is_refused(rest: RestMeetings) -> None:
    assert_error(rest.create(meeting_body("x" * 129)), 400)


# ---------------------------------------------------------------- rest-time-window


@pytest.mark.behaviour("rest-time-window")
@pytest.mark.parametrize("minutes", [10, 23 * 60 + 59])
def test_durations_of_10_minutes_to_23_h_59_min_are_accepted(rest: RestMeetings, minutes: int) -> None:
    created = rest.create_ok()
    start = slot(days=3)
    end = start + timedelta(minutes=minutes)
    response = rest.client.update(created["id"], {"start": iso(start), "end": iso(end)})
    assert response.status == 200, response.describe()
    got_start, got_end = (datetime.fromisoformat(response.json[k]) for k in ("start", "end"))
    assert (got_start, got_end) == (start, end)


@pytest.mark.behaviour("rest-time-window")
@pytest.mark.parametrize(
    ("case", "start_delta", "minutes"),
    [
        ("start-in-the-past", timedelta(days=-1), 60),
        ("end-before-start", timedelta(days=3), -30),
        ("9-minutes", timedelta(days=3), 9),
        ("24-hours", timedelta(days=3), 24 * 60),
    ],
)
def test_times_outside_the_window_are_refused_with_400(
    rest: RestMeetings, case: str, start_delta: timedelta, minutes: int
) -> None:
    created = rest.create_ok()
    start = (datetime.now(UTC) + start_delta).replace(second=0, microsecond=0)
    response = rest.client.update(created["id"], {"start": iso(start), "end": iso(start + timedelta(minutes=minutes))})
    assert_error(response, 400)
    back = rest.client.get(created["id"]).json
    assert (back["start"], back["end"]) == (created["start"], created["end"]), f"{case}: times changed anyway"


@pytest.mark.behaviour("rest-time-window")
def test_create_with_a_start_in_the_past_is_refused(rest: RestMeetings) -> None:
    past = (datetime.now(UTC) - timedelta(hours=2)).replace(second=0, microsecond=0)
    assert_error(rest.create(meeting_body(start=past)), 400)


# ---------------------------------------------------------------- rest-start-rounding


@pytest.mark.behaviour("rest-start-rounding")
def test_seconds_and_milliseconds_are_stripped_keeping_the_offset(rest: RestMeetings) -> None:
    created = rest.create_ok()
    day = slot(days=3, hour=10, tz=SHANGHAI)
    start = day.replace(minute=32, second=28, microsecond=76000)
    end = day.replace(hour=11, minute=52, second=41)
    response = rest.client.update(created["id"], {"start": start.isoformat(timespec="milliseconds"), "end": iso(end)})
    assert response.status == 200, response.describe()
    assert response.json["start"] == iso(day.replace(minute=32)), "start: seconds and ms stripped, +08:00 kept"
    assert response.json["end"] == iso(day.replace(hour=11, minute=52)), "end: seconds stripped, +08:00 kept"


@pytest.mark.behaviour("rest-start-rounding")
def test_start_within_the_current_minute_moves_to_the_next_minute(site: SiteHandle, rest: RestMeetings) -> None:
    created = rest.create_ok()
    now = site_now(site)
    if now.second >= 45:  # keep "now + 5 s" inside the current minute on the site's clock
        site.advance_clock(61 - now.second)
        now = site_now(site)
    start = now + timedelta(seconds=5)
    expected = now.replace(second=0, microsecond=0) + timedelta(minutes=1)
    response = rest.client.update(
        created["id"], {"start": start.isoformat(timespec="milliseconds"), "end": iso(expected + timedelta(minutes=30))}
    )
    assert response.status == 200, response.describe()
    assert datetime.fromisoformat(response.json["start"]) == expected


# ---------------------------------------------------------------- rest-recurrence-caps


def _count(rest: RestMeetings, series_id: str, lo: datetime, hi: datetime) -> list[str]:
    response = rest.client.list_meetings(
        meetingSeriesId=series_id, meetingType="scheduledMeeting", max=100, from_=iso(lo), to=iso(hi)
    )
    assert response.status == 200, response.describe()
    return [item["start"] for item in response.items]


@pytest.mark.behaviour("rest-recurrence-caps")
def test_several_bymonthday_values_keep_only_the_first(rest: RestMeetings) -> None:
    created = rest.create_ok(meeting_body(recurrence="FREQ=MONTHLY;INTERVAL=1;COUNT=10;BYMONTHDAY=10,11,12"))
    assert created["recurrence"] == "FREQ=MONTHLY;INTERVAL=1;COUNT=10;BYMONTHDAY=10"
    single = rest.create_ok(meeting_body(recurrence="FREQ=MONTHLY;INTERVAL=1;COUNT=10;BYMONTHDAY=10"))
    assert single["recurrence"] == "FREQ=MONTHLY;INTERVAL=1;COUNT=10;BYMONTHDAY=10"


@pytest.mark.behaviour("rest-recurrence-caps")
@pytest.mark.parametrize(
    ("freq", "count", "cap", "step"),
    [
        ("YEARLY", 10, 5, timedelta(days=366)),
        ("WEEKLY", 300, 261, timedelta(weeks=1)),
        ("DAILY", 2000, 1826, timedelta(days=1)),
    ],
)
def test_count_is_capped_per_frequency(rest: RestMeetings, freq: str, count: int, cap: int, step: timedelta) -> None:
    start = slot(days=2)
    created = rest.create_ok(meeting_body(start=start, recurrence=f"FREQ={freq};INTERVAL=1;COUNT={count}"))
    if freq == "YEARLY":
        starts = _count(rest, created["id"], start - timedelta(days=1), start + timedelta(days=366 * 11))
        assert len(starts) == cap
        return
    # the last occurrences: the cap-th one exists, none after it
    lo = start + step * (cap - 3) - timedelta(hours=1)
    starts = _count(rest, created["id"], lo, start + step * (cap + 20))
    assert len(starts) == 3, f"expected occurrences {cap - 2}..{cap} only, got {starts}"


@pytest.mark.behaviour("rest-recurrence-caps")
def test_until_beyond_five_years_is_capped(rest: RestMeetings) -> None:
    start = slot(days=2)
    created = rest.create_ok(meeting_body(start=start, recurrence="FREQ=DAILY;INTERVAL=1;UNTIL=21241001T000000Z"))
    five_years = datetime.now(UTC) + timedelta(days=5 * 365 + 2)
    inside = _count(rest, created["id"], five_years - timedelta(days=10), five_years - timedelta(days=3))
    assert inside, "occurrences up to five years ahead exist"
    beyond = _count(rest, created["id"], five_years, five_years + timedelta(days=30))
    assert beyond == [], f"no occurrence beyond five years from now, got {beyond[:3]}"


@pytest.mark.behaviour("rest-recurrence-caps")
def test_never_ending_rule_is_accepted_and_unlimited(rest: RestMeetings) -> None:
    start = slot(days=2)
    created = rest.create_ok(meeting_body(start=start, recurrence="FREQ=DAILY;INTERVAL=1"))
    assert created["recurrence"] == "FREQ=DAILY;INTERVAL=1"
    far = start + timedelta(days=365 * 7)
    assert len(_count(rest, created["id"], far - timedelta(hours=1), far + timedelta(days=2, hours=-2))) == 2


# ---------------------------------------------------------------- rest-join-before-host-minutes


@pytest.mark.behaviour("rest-join-before-host-minutes")
@pytest.mark.parametrize(
    ("scheduled_type", "minutes"),
    [
        ("meeting", 0),
        ("meeting", 5),
        ("meeting", 10),
        ("meeting", 15),
        ("webinar", 15),
        ("webinar", 30),
        ("webinar", 45),
        ("webinar", 60),
    ],
)
def test_documented_minutes_are_accepted(rest: RestMeetings, scheduled_type: str, minutes: int) -> None:
    created = rest.create_ok(meeting_body(scheduledType=scheduled_type))
    response = rest.client.update(created["id"], {"enabledJoinBeforeHost": True, "joinBeforeHostMinutes": minutes})
    assert response.status == 200, response.describe()
    assert response.json["joinBeforeHostMinutes"] == minutes


@pytest.mark.behaviour("rest-join-before-host-minutes")
@pytest.mark.parametrize(
    ("scheduled_type", "minutes"),
    [
        ("meeting", 30),
        ("meeting", 7),
        ("meeting", 60),
        ("webinar", 5),
        ("webinar", 10),
        ("webinar", 20),
    ],
)
def test_other_minutes_are_refused(rest: RestMeetings, scheduled_type: str, minutes: int) -> None:
    created = rest.create_ok(meeting_body(scheduledType=scheduled_type))
    response = rest.client.update(created["id"], {"enabledJoinBeforeHost": True, "joinBeforeHostMinutes": minutes})
    assert_error(response, 400)
    back = rest.client.get(created["id"]).json
    assert (back["enabledJoinBeforeHost"], back["joinBeforeHostMinutes"]) == (False, 0)


@pytest.mark.behaviour("rest-join-before-host-minutes")
def test_minutes_default_to_0_and_need_join_before_host(rest: RestMeetings) -> None:
    created = rest.create_ok(meeting_body(enabledJoinBeforeHost=True))
    assert created["joinBeforeHostMinutes"] == 0
    plain = rest.create_ok()
    assert_error(rest.client.update(plain["id"], {"joinBeforeHostMinutes": 10}), 400)
    assert rest.client.get(plain["id"]).json["joinBeforeHostMinutes"] == 0


# ---------------------------------------------------------------- rest-integration-tags


@pytest.mark.behaviour("rest-integration-tags")
def test_three_tags_of_64_characters_are_accepted(rest: RestMeetings) -> None:
    tags = ["a" * 64, "b" * 64, "c" * 64]
    created = rest.create_ok(meeting_body(integrationTags=tags))
    assert created["integrationTags"] == tags
    assert rest.client.get(created["id"]).json["integrationTags"] == tags


@pytest.mark.behaviour("rest-integration-tags")
@pytest.mark.parametrize("tags", [["t1", "t2", "t3", "t4"], ["x" * 65]], ids=["four-tags", "65-characters"])
def test_more_or_longer_tags_are_refused(rest: RestMeetings, tags: list[str]) -> None:
    created = rest.create_ok(meeting_body(integrationTags=["kept"]))
    assert_error(rest.client.update(created["id"], {"integrationTags": tags}), 400)
    assert rest.client.get(created["id"]).json["integrationTags"] == ["kept"]
    assert_error(rest.create(meeting_body(integrationTags=tags)), 400)


@pytest.mark.behaviour("rest-integration-tags")
@pytest.mark.parametrize("empty", [[], None], ids=["empty-list", "null"])
def test_empty_or_null_tags_delete_all(rest: RestMeetings, empty: list[str] | None) -> None:
    created = rest.create_ok(meeting_body(integrationTags=["one", "two"]))
    response = rest.client.update(created["id"], {"integrationTags": empty})
    assert response.status == 200, response.describe()
    assert response.json.get("integrationTags", []) == []
    assert rest.client.get(created["id"]).json.get("integrationTags", []) == []


@pytest.mark.behaviour("rest-integration-tags")
def test_tags_are_not_updated_through_a_scheduled_meeting(rest: RestMeetings) -> None:
    start = slot(days=2)
    created = rest.create_ok(meeting_body(start=start, recurrence="FREQ=DAILY;COUNT=3", integrationTags=["series"]))
    occurrence = rest.scheduled(created["id"], start)[1]
    rest.client.update(occurrence["id"], {"integrationTags": ["changed"]})
    assert rest.client.get(created["id"]).json["integrationTags"] == ["series"]
    series = rest.client.update(created["id"], {"integrationTags": ["changed"]})
    assert series.status == 200 and series.json["integrationTags"] == ["changed"], "the series takes them"


# ---------------------------------------------------------------- rest-watermark-opacity


@pytest.mark.behaviour("rest-watermark-opacity")
@pytest.mark.parametrize("opacity", [5, 40, 80])
def test_opacity_5_to_80_is_accepted_with_the_visual_watermark(rest: RestMeetings, opacity: int) -> None:
    created = rest.create_ok()
    response = rest.client.update(created["id"], {"enabledVisualWatermark": True, "visualWatermarkOpacity": opacity})
    assert response.status == 200, response.describe()
    assert (response.json["enabledVisualWatermark"], response.json["visualWatermarkOpacity"]) == (True, opacity)


@pytest.mark.behaviour("rest-watermark-opacity")
@pytest.mark.parametrize(
    ("enabled", "opacity"), [(True, 4), (True, 81), (True, 0), (False, 40)], ids=["4", "81", "0", "without-watermark"]
)
def test_other_opacity_or_no_watermark_is_refused(rest: RestMeetings, enabled: bool, opacity: int) -> None:
    created = rest.create_ok()
    response = rest.client.update(created["id"], {"enabledVisualWatermark": enabled, "visualWatermarkOpacity": opacity})
    assert_error(response, 400)
    back = rest.client.get(created["id"]).json
    assert back["enabledVisualWatermark"] is False and "visualWatermarkOpacity" not in back


# ---------------------------------------------------------------- rest-enums


ENUM_CASES = enum_fields()


def _enum_body(name: str, parent: str | None, value: str) -> dict[str, object]:
    return {name: value} if parent is None else {parent: {name: value}}


@pytest.mark.behaviour("rest-enums")
@pytest.mark.parametrize(("name", "parent", "values"), ENUM_CASES, ids=[c[0] for c in ENUM_CASES])
def test_documented_enum_values_are_accepted_and_read_back(
    rest: RestMeetings, name: str, parent: str | None, values: list[str]
) -> None:
    created = rest.create_ok()
    for value in values:
        response = rest.client.update(created["id"], _enum_body(name, parent, value))
        assert response.status == 200, f"{name}={value}: {response.describe()}"
        back = rest.client.get(created["id"]).json
        assert (back if parent is None else back[parent])[name] == value


@pytest.mark.behaviour("rest-enums")
@pytest.mark.parametrize(("name", "parent", "values"), ENUM_CASES, ids=[c[0] for c in ENUM_CASES])
@pytest.mark.parametrize("bad", ["ALLOWALL", "invented", ""])
def test_other_enum_values_are_refused(
    rest: RestMeetings, name: str, parent: str | None, values: list[str], bad: str
) -> None:
    created = rest.create_ok()
    before = rest.client.get(created["id"]).json
    assert_error(rest.client.update(created["id"], _enum_body(name, parent, bad)), 400)
    after = rest.client.get(created["id"]).json
    assert (after if parent is None else after[parent])[name] == (before if parent is None else before[parent])[name]
