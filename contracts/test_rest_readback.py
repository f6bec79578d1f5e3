"""Read-back of REST updates (003 "Update a Meeting", "List Meetings"; docs/xml-rest.md): a PATCH or PUT
changes every documented updatable field (contracts/rest_readback.py derives them from the reference's
sample request and the catalogue), then ``GET /v1/meetings/{id}`` and List Meetings — by
``meetingNumber``, by time window and by ``meetingSeriesId``, following every ``Link`` page — must
answer each field as written; a meeting made through the XML API answers GetMeeting too where the
mapping names the field. One scheduled meeting of a recurring series changes alone.

The update goes in three requests (flags and texts, the option objects, times and lists), so a
later request must leave the earlier ones' fields as they were — PUT as PATCH (``rest-put-equals-patch``).
Requests per test: the series 10, a scheduled meeting 11, a meeting made through the XML API 12.
Only the fields a test wrote are compared, and only on its own meetings: a busy site lists others.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.rest_readback import Plan, instant, list_all, mismatches, plan
from webex_harness.plugin.rest_meetings import RestMeetings, iso, slot
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import Meetings, webex_date
from webex_harness.plugin.xml_meetings import meeting_body as xml_meeting_body
from webex_harness.webex.timezones import id_for_iana, offset

METHODS = [
    pytest.param("PATCH", id="PATCH"),
    pytest.param("PUT", id="PUT", marks=pytest.mark.behaviour("rest-put-equals-patch")),
]


def _update(rest: RestMeetings, meeting_id: str, readback: Plan, method: str) -> None:
    """Send the update's groups, one request each."""
    for group, body in readback.groups.items():
        if body:
            response = rest.client.update(meeting_id, {**body, "sendEmail": False}, method=method)
            assert response.status == 200, f"{method} of the {group}: {response.describe()} {response.descriptions}"


def _own(items: list[dict[str, Any]], meeting_id: str, where: str) -> dict[str, Any]:
    found = [item for item in items if item.get("id") == meeting_id]
    assert len(found) == 1, f"{where}: {len(found)} items with the id {meeting_id}, not 1"
    return found[0]


def _lists(rest: RestMeetings, readback: Plan, series: dict[str, Any]) -> list[str]:
    """What List Meetings by number and by time window answers otherwise than the update wrote."""
    client, series_id = rest.client, str(series["id"])
    number = list_all(client, meetingNumber=series["meetingNumber"], current="false")
    problems = mismatches(_own(number, series_id, "by meetingNumber"), readback.written, "list by meetingNumber")
    window = list_all(
        client, from_=iso(readback.start - timedelta(hours=1)), to=iso(readback.start + timedelta(hours=1)), max=50
    )
    return problems + mismatches(_own(window, series_id, "by window"), readback.written, "list by time window")


@pytest.mark.behaviour("rest-update-read-back", "rest-list-read-back")
@pytest.mark.parametrize("scheduled_type", ["meeting", "webinar"])
@pytest.mark.parametrize("method", METHODS)
def test_every_updated_field_reads_back_through_get_and_the_lists(
    rest: RestMeetings, scheduled_type: str, method: str
) -> None:
    readback = plan(scheduled_type, start=slot(days=4, hour=10))
    created = rest.create_ok({**readback.before, "scheduledType": scheduled_type, "sendEmail": False})
    series_id = str(created["id"])
    _update(rest, series_id, readback, method)
    got = rest.client.get(series_id)
    assert got.status == 200, got.describe()
    problems = mismatches(got.json, readback.written, "GET /v1/meetings/{id}")
    problems += _lists(rest, readback, created)
    # the series' scheduled meetings, a page each: every one answers the series' fields
    scheduled = list_all(
        rest.client,
        meetingSeriesId=series_id,
        meetingType="scheduledMeeting",
        from_=iso(readback.start - timedelta(hours=1)),
        to=iso(readback.start + timedelta(days=8)),
        max=1,
    )
    assert len(scheduled) == 2, f"{len(scheduled)} scheduled meetings listed, the weekly recurrence has 2"
    assert instant(scheduled[0].get("start")) == readback.start, f"first occurrence at {scheduled[0].get('start')}"
    for item in scheduled:
        where = f"list by meetingSeriesId, {item.get('id')}"
        problems += mismatches(item, readback.written, where, skip=("recurrence", "start", "end"))
    assert not problems, f"{method} of a {scheduled_type}: fields not read back as written:\n" + "\n".join(problems)


@pytest.mark.behaviour("rest-occurrence-read-back", "rest-update-read-back", "rest-list-read-back")
@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_an_updated_scheduled_meeting_reads_back_and_the_series_keeps_its_fields(
    rest: RestMeetings, method: str
) -> None:
    moved_to = slot(days=4, hour=10)
    readback = plan("meeting", occurrence=True, start=moved_to)
    created = rest.create_ok({**readback.before, "sendEmail": False})
    series_id, first = str(created["id"]), instant(readback.before["start"])
    assert first is not None
    occurrences = rest.scheduled(series_id, first)
    assert len(occurrences) == 3, f"{len(occurrences)} scheduled meetings, the daily recurrence has 3"
    second = str(occurrences[1]["id"])
    _update(rest, second, readback, method)
    before = readback.expected_before()
    got = rest.client.get(second)
    assert got.status == 200, got.describe()
    problems = mismatches(got.json, readback.written, "GET of the changed scheduled meeting")
    series = rest.client.get(series_id)
    assert series.status == 200, series.describe()
    problems += mismatches(series.json, before, "GET of the series")
    listed = list_all(
        rest.client,
        meetingSeriesId=series_id,
        meetingType="scheduledMeeting",
        from_=iso(first - timedelta(hours=1)),
        to=iso(first + timedelta(days=3)),
        max=1,
    )
    assert sorted(str(item.get("id")) for item in listed) == sorted(str(o["id"]) for o in occurrences)
    for item in listed:
        where = f"list by meetingSeriesId, {item.get('id')}"
        if item.get("id") == second:
            problems += mismatches(item, readback.written, where)
            problems += [] if item.get("isModified") is True else [f"{where}: isModified is not true"]
        else:
            problems += mismatches(item, before, where, skip=("start", "end"))
    assert not problems, f"{method} of one scheduled meeting:\n" + "\n".join(problems)


# ---------------------------------------------------------------- a meeting made through the XML API


def _getmeeting(xml: XmlClient, key: str, readback: Plan) -> list[str]:
    """What GetMeeting answers otherwise than the REST update wrote, where docs/xml-rest.md maps the field."""
    got = xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()
    after = readback.written
    zone = id_for_iana(str(after[("timezone",)]))
    start_date = got.text("meet:schedule/meet:startDate") or ""
    try:
        starts = datetime.strptime(start_date, "%m/%d/%Y %H:%M:%S").replace(tzinfo=offset(zone)).astimezone(UTC)
    except ValueError:
        starts = None
    expected = {
        "metaData/confName (title)": (got.text("meet:metaData/meet:confName"), after[("title",)]),
        "metaData/agenda (agenda)": (got.text("meet:metaData/meet:agenda"), after[("agenda",)]),
        "accessControl/meetingPassword (password)": (
            got.text("meet:accessControl/meet:meetingPassword"),
            after[("password",)],
        ),
        "schedule/timeZoneID (timezone)": (got.text("meet:schedule/meet:timeZoneID"), str(zone)),
        "schedule/startDate (start)": (starts, readback.start.astimezone(UTC)),
        "schedule/duration (end - start)": (got.text("meet:schedule/meet:duration"), str(readback.minutes)),
    }
    return [f"GetMeeting: {name} is {g!r}, expected {w!r}" for name, (g, w) in expected.items() if g != w]


@pytest.mark.behaviour("xml-rest-equivalence", "rest-update-read-back", "rest-list-read-back")
@pytest.mark.parametrize("method", METHODS)
def test_a_meeting_made_through_the_xml_api_reads_back_through_rest_and_getmeeting(
    site: SiteHandle, xml: XmlClient, meetings: Meetings, rest: RestMeetings, method: str
) -> None:
    readback = plan("meeting", recurring=False, start=slot(days=4, hour=10))
    tz_id = id_for_iana(str(readback.before["timezone"]))
    first = (datetime.now(UTC) + timedelta(days=3)).astimezone(offset(tz_id)).replace(second=0, microsecond=0)
    schedule = {"startDate": webex_date(first.replace(tzinfo=None)), "duration": 30, "timeZoneID": tz_id}
    key, _ = meetings.create_ok(xml_meeting_body(own_name("read-back through xml"), schedule=schedule))
    found = list_all(rest.client, meetingNumber=key, current="false")
    assert len(found) == 1, f"GET /v1/meetings?meetingNumber={key}: {len(found)} meetings, not 1"
    host, answered = site.emails.get("host", ""), str(found[0].get("hostEmail", ""))
    if host and answered and answered.lower() != host.lower():
        pytest.skip(f"the REST token acts as {answered!r}, not as the XML host {host!r}: the APIs see different users")
    meeting_id = str(found[0]["id"])
    before = rest.client.update(meeting_id, {**readback.before, "sendEmail": False})
    assert before.status == 200, f"PATCH to the values before: {before.describe()} {before.descriptions}"
    got = rest.client.get(meeting_id)  # the REST fields had the site's defaults: the values before must hold
    assert got.status == 200, got.describe()
    problems = mismatches(got.json, readback.expected_before(), "GET after the PATCH to the values before")
    _update(rest, meeting_id, readback, method)
    got = rest.client.get(meeting_id)
    assert got.status == 200, got.describe()
    problems += mismatches(got.json, readback.written, "GET /v1/meetings/{id}")
    problems += _lists(rest, readback, found[0])
    problems += _getmeeting(xml, key, readback)
    assert not problems, f"{method} of a meeting made by CreateMeeting:\n" + "\n".join(problems)
