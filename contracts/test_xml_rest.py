"""XML ↔ REST: one meeting through both APIs (behaviour ``xml-rest-equivalence``; docs/xml-rest.md).

A meeting made through either API is read, changed and deleted through the other: CreateMeeting's
meeting answers ``GET /v1/meetings?meetingNumber=<meetingKey>`` and ``GET /v1/meetings/{id}``; a
``POST /v1/meetings`` meeting answers GetMeeting and GetSessionInfo by its meetingNumber; a PATCH shows
in GetMeeting and GetSessionInfo, a SetMeeting in the REST GET; a delete on one side is the other's
not-found (REST 404, XML 060001).

Both APIs must act as the same person: the XML host and the REST token's user. A test skips with the
reason when the REST API names another host (or the environment has no REST token). Times are
compared as instants, in a time zone without daylight saving (45, China: ``Asia/Shanghai``), so that
the zone's name on either side does not matter. Every meeting is found by its own number, never by
assuming an empty site, and deleted afterwards by the tracker that made it (a test that deletes it
through the other API tells the tracker).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from webex_harness.client.rest_client import RestClient
from webex_harness.client.xml_client import XmlClient
from webex_harness.plugin.rest_meetings import RestMeetings, iso, meeting_body, rest_client, slot
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import Meetings, webex_date
from webex_harness.plugin.xml_meetings import meeting_body as xml_meeting_body
from webex_harness.webex.errors import NO_DATA_EXCEPTIONS

pytestmark = pytest.mark.behaviour("xml-rest-equivalence")

#: timeZoneID 45 (China, Beijing: GMT+08:00, no daylight saving) and its IANA name
TZ_ID = 45
TZ_NAME = "Asia/Shanghai"
TZ = timezone(timedelta(hours=8))
#: passwords meeting the usual complexity rules (upper, lower, digits)
PASSWORD = "Harness7Pq42"
NEW_PASSWORD = "Renamed9Xk31"


@dataclass
class Both:
    """The site's host through both APIs, with a tracker for the meetings each side made."""

    site: SiteHandle
    xml: XmlClient
    rest: RestClient
    meetings: Meetings
    rest_meetings: RestMeetings

    def same_host(self, meeting: dict[str, Any]) -> None:
        """Skip unless the REST meeting's host is the XML host (the same person on both sides)."""
        host = self.site.emails.get("host", "")
        got = str(meeting.get("hostEmail", ""))
        if host and got and got.lower() != host.lower():
            pytest.skip(f"the REST token acts as {got!r}, not as the XML host {host!r}: the APIs see different users")

    def by_number(self, number: str) -> list[dict[str, Any]]:
        """``GET /v1/meetings?meetingNumber=`` (the meeting series of that number)."""
        response = self.rest.list_meetings(meetingNumber=number, current="false")
        assert response.status == 200, response.describe()
        return [m for m in response.items if isinstance(m, dict)]

    def one_by_number(self, number: str) -> dict[str, Any]:
        found = self.by_number(number)
        assert len(found) == 1, f"GET /v1/meetings?meetingNumber={number} answers {len(found)} meetings, not 1"
        self.same_host(found[0])
        return found[0]


@pytest.fixture
def both(site: SiteHandle, xml: XmlClient, meetings: Meetings) -> Iterator[Both]:
    tracker = RestMeetings(rest_client(site))
    try:
        yield Both(site, xml, tracker.client, meetings, tracker)
    finally:
        tracker.cleanup()


def _instant(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def _xml_instant(start_date: str | None) -> datetime:
    assert start_date, "no startDate"
    return datetime.strptime(start_date, "%m/%d/%Y %H:%M:%S").replace(tzinfo=TZ).astimezone(UTC)


def _xml_start(days: float = 3) -> datetime:
    """A whole-minute start ``days`` ahead, in time zone 45."""
    return (datetime.now(UTC) + timedelta(days=days)).astimezone(TZ).replace(second=0, microsecond=0)


def _create_xml(both: Both, name: str, start: datetime, minutes: int) -> str:
    body = xml_meeting_body(
        name,
        metaData={"agenda": "XML agenda"},
        schedule={"startDate": webex_date(start.replace(tzinfo=None)), "duration": minutes, "timeZoneID": TZ_ID},
        accessControl={"meetingPassword": PASSWORD},
    )
    key, _ = both.meetings.create_ok(body)
    return key


def _create_rest(both: Both, title: str, start: datetime, minutes: int) -> dict[str, Any]:
    created = both.rest_meetings.create_ok(
        meeting_body(title, start=start, minutes=minutes, timezone=TZ_NAME, agenda="REST agenda", password=PASSWORD)
    )
    both.same_host(created)
    return created


def test_a_createmeeting_meeting_is_listed_and_read_through_rest(both: Both) -> None:
    start = _xml_start()
    name = own_name("xml to rest")
    key = _create_xml(both, name, start, 45)
    listed = both.one_by_number(key)
    got = both.rest.get(str(listed["id"]))
    assert got.status == 200, got.describe()
    meeting = got.json
    assert meeting["meetingNumber"] == key and meeting["title"] == name
    assert meeting["agenda"] == "XML agenda" and meeting["password"] == PASSWORD
    assert _instant(meeting["start"]) == start.astimezone(UTC), (meeting["start"], start)
    assert _instant(meeting["end"]) - _instant(meeting["start"]) == timedelta(minutes=45)


def test_a_rest_meeting_is_read_by_getmeeting_and_getsessioninfo(both: Both) -> None:
    start = slot(days=3, hour=10, tz=TZ)
    title = own_name("rest to xml")
    created = _create_rest(both, title, start, 30)
    number = str(created["meetingNumber"])
    got = both.xml.call("meeting", "GetMeeting", {"meetingKey": number}).expect_success()
    assert got.text("meet:meetingkey") == number and got.text("meet:metaData/meet:confName") == title
    assert got.text("meet:metaData/meet:agenda") == "REST agenda"
    assert got.text("meet:accessControl/meet:meetingPassword") == PASSWORD
    assert got.text("meet:schedule/meet:duration") == "30"
    assert got.text("meet:schedule/meet:timeZoneID") == str(TZ_ID)
    assert _xml_instant(got.text("meet:schedule/meet:startDate")) == start.astimezone(UTC)
    info = both.xml.call("ep", "GetSessionInfo", {"sessionKey": number}).expect_success()
    assert info.text("ep:sessionkey") == number and info.text("ep:metaData/ep:confName") == title
    assert info.text("ep:meetingUUID") == got.text("meet:meetingUUID")


def test_a_rest_patch_shows_in_getmeeting_and_getsessioninfo(both: Both) -> None:
    key = _create_xml(both, own_name("patched through rest"), _xml_start(), 45)
    meeting_id = str(both.one_by_number(key)["id"])
    moved = _xml_start(days=4)
    title = own_name("renamed through rest")
    changes = {
        "title": title,
        "agenda": "REST agenda",
        "password": NEW_PASSWORD,
        "start": iso(moved),
        "end": iso(moved + timedelta(minutes=75)),
    }
    patched = both.rest.update(meeting_id, changes)
    assert patched.status == 200, patched.describe()
    got = both.xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()
    assert got.text("meet:metaData/meet:confName") == title
    assert got.text("meet:metaData/meet:agenda") == "REST agenda"
    assert got.text("meet:accessControl/meet:meetingPassword") == NEW_PASSWORD
    assert got.text("meet:schedule/meet:duration") == "75"
    assert _xml_instant(got.text("meet:schedule/meet:startDate")) == moved.astimezone(UTC)
    info = both.xml.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    assert info.text("ep:metaData/ep:confName") == title and info.text("ep:schedule/ep:duration") == "75"


def test_a_setmeeting_shows_in_the_rest_get(both: Both) -> None:
    created = _create_rest(both, own_name("set through xml"), slot(days=3, hour=10, tz=TZ), 30)
    number = str(created["meetingNumber"])
    title = own_name("renamed through xml")
    body = {
        "meetingkey": number,
        "metaData": {"confName": title, "agenda": "XML agenda"},
        "schedule": {"duration": 50},
        "accessControl": {"meetingPassword": NEW_PASSWORD},
    }
    both.xml.call("meeting", "SetMeeting", body).expect_success()
    got = both.rest.get(str(created["id"]))
    assert got.status == 200, got.describe()
    assert got.json["title"] == title and got.json["agenda"] == "XML agenda"
    assert got.json["password"] == NEW_PASSWORD
    assert _instant(got.json["start"]) == _instant(created["start"])
    assert _instant(got.json["end"]) - _instant(got.json["start"]) == timedelta(minutes=50)
    assert both.one_by_number(number)["title"] == title


def test_a_delete_through_rest_is_seen_by_the_xml_api(both: Both) -> None:
    key = _create_xml(both, own_name("deleted through rest"), _xml_start(), 45)
    meeting_id = str(both.one_by_number(key)["id"])
    deleted = both.rest.delete(meeting_id)
    assert deleted.status in (200, 204), deleted.describe()
    both.meetings.keys.remove(key)
    # GetMeeting: 060001 (docs/wire.md X7); GetSessionInfo: a "no data found" answer (its page names none)
    for service, api, body, expected in (
        ("meeting", "GetMeeting", {"meetingKey": key}, {"060001"}),
        ("ep", "GetSessionInfo", {"sessionKey": key}, NO_DATA_EXCEPTIONS),
    ):
        answer = both.xml.call(service, api, body)
        assert not answer.ok and answer.exception_id in expected, f"{api} after the REST delete: {answer.describe()}"


def test_a_delete_through_xml_is_seen_by_the_rest_api(both: Both) -> None:
    created = _create_rest(both, own_name("deleted through xml"), slot(days=3, hour=10, tz=TZ), 30)
    number = str(created["meetingNumber"])
    both.xml.call("meeting", "DelMeeting", {"meetingKey": number}).expect_success()
    both.rest_meetings.ids.remove(str(created["id"]))
    got = both.rest.get(str(created["id"]))
    assert got.status == 404, f"GET after DelMeeting: {got.describe()}"
    assert both.by_number(number) == [], "the REST list still shows a meeting DelMeeting deleted"
