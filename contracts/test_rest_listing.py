"""List Meetings by ``meetingNumber`` (behaviour ``rest-list-by-meeting-number``): the service answers
the meeting's scheduled meeting that is happening or comes next — ``meetingType: scheduledMeeting``,
its ``meetingSeriesId``, an ID of the form ``<seriesId>_<UTC start>`` and UTC times — and the series
only with ``current=false``. A meeting without recurrence has such a scheduled meeting too, and its
ID is the series' own (docs/wire.md J11), whether listed by number or by ``meetingSeriesId``.

Each list names the run's own meeting number, so other meetings of a busy site never match.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from webex_harness.plugin.rest_meetings import RestMeetings, meeting_body, slot

SHANGHAI = timezone(timedelta(hours=8))


def _occurrence_id(series_id: str, start: datetime) -> str:
    """The documented ID form of a scheduled meeting: the series ID, ``_``, the UTC start."""
    return f"{series_id}_{start.astimezone(UTC).strftime('%Y%m%dT%H%M%SZ')}"


def _utc(text: str) -> datetime:
    assert text.endswith("Z"), f"{text!r} is not a UTC time"
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


@pytest.mark.behaviour("rest-list-by-meeting-number")
def test_meeting_number_of_a_series_lists_its_next_scheduled_meeting(rest: RestMeetings) -> None:
    first = slot(days=3, hour=20, tz=SHANGHAI)
    created = rest.create_ok(
        meeting_body(start=first, timezone="Asia/Shanghai", recurrence="FREQ=DAILY;INTERVAL=1;COUNT=3")
    )
    listed = rest.client.list_meetings(meetingNumber=created["meetingNumber"])
    assert listed.status == 200, listed.describe()
    assert len(listed.items) == 1, [m.get("id") for m in listed.items]
    item = listed.items[0]
    assert (item["meetingType"], item["meetingSeriesId"]) == ("scheduledMeeting", created["id"])
    assert item["id"] == _occurrence_id(created["id"], first)
    assert (_utc(item["start"]), _utc(item["end"])) == (first, first + timedelta(minutes=60))
    assert item["meetingNumber"] == created["meetingNumber"]
    # once the first occurrence is cancelled, the next one is the current scheduled meeting
    assert rest.client.delete(item["id"]).status == 204
    second = first + timedelta(days=1)
    after = rest.client.list_meetings(meetingNumber=created["meetingNumber"]).items
    assert [m["id"] for m in after] == [_occurrence_id(created["id"], second)]
    assert _utc(after[0]["start"]) == second


@pytest.mark.behaviour("rest-list-by-meeting-number")
def test_a_single_meetings_scheduled_meeting_has_the_series_id(rest: RestMeetings) -> None:
    start = slot(days=4, hour=10)
    created = rest.create_ok(meeting_body(start=start))
    by_number = rest.client.list_meetings(meetingNumber=created["meetingNumber"]).items
    by_series = rest.scheduled(created["id"], start, days=2)
    for items in (by_number, by_series):
        assert [(m["id"], m["meetingType"], m["meetingSeriesId"]) for m in items] == [
            (created["id"], "scheduledMeeting", created["id"])
        ]
        assert _utc(items[0]["start"]) == start
    got = rest.client.get(created["id"])
    assert got.status == 200, got.describe()
    assert got.json["id"] == created["id"]


@pytest.mark.behaviour("rest-list-by-meeting-number")
def test_current_false_lists_the_series_and_other_filters_are_ignored(rest: RestMeetings) -> None:
    start = slot(days=5, hour=11)
    created = rest.create_ok(meeting_body(start=start, recurrence="FREQ=WEEKLY;INTERVAL=1;COUNT=2"))
    series = rest.client.list_meetings(meetingNumber=created["meetingNumber"], current="false").items
    assert [(m["id"], m["meetingType"]) for m in series] == [(created["id"], "meetingSeries")]
    assert series[0]["recurrence"] == created["recurrence"]
    ignored = rest.client.list_meetings(
        meetingNumber=created["meetingNumber"], meetingType="meeting", state="ended", to="2020-01-01T00:00:00Z"
    ).items
    assert [m["id"] for m in ignored] == [_occurrence_id(created["id"], start)]
