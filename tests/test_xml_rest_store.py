"""Behaviour ``xml-rest-equivalence`` in the emulator, in-process: the details the contracts cannot see
from outside — the time-zone mapping both ways, the kinds of meetings that stay on one side, a delete
through any XML API, a meeting number already taken, the site's state and the fault
(``emulator/meeting_link.py``, docs/xml-rest.md)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from webex_harness.emulator import control, meeting_link
from webex_harness.emulator.app import EmulatorApp, create_app
from webex_harness.emulator.model import Session, Site
from webex_harness.emulator.rest import respond
from webex_harness.emulator.rest.schema import defaults
from webex_harness.emulator.rest.store import Deferred, Series, store
from webex_harness.webex import timezones
from webex_harness.webex.envelope import Security, XmlResponse, build_request, parse_response


class Both:
    """One fresh emulator site through both APIs, in-process."""

    def __init__(self, faults: list[str] | None = None) -> None:
        self.app: EmulatorApp = create_app()
        body = {"settings": {}, "faults": faults or []}
        _, info = control.handle(self.app.registry, "POST", "/sites", json.dumps(body).encode())
        self.name: str = info["name"]
        self.token: str = info["rest_token"]
        passwords = {u["webExID"]: u["password"] for u in info["users"]}
        self.host = Security(self.name, "host", passwords["host"])

    @property
    def site(self) -> Site:
        site = self.app.registry.get(self.name)
        assert site is not None
        return site

    def xml(self, service: str, api: str, body: dict[str, Any]) -> XmlResponse:
        status, out, _ = self.app.handle_xml(build_request(service, api, body, self.host), {})
        return parse_response(out, status)

    def rest(self, method: str, path: str, body: Any = None, query: str = "") -> tuple[int, Any]:
        headers = {"authorization": f"Bearer {self.token}", "content-type": "application/json"}
        raw = b"" if body is None else json.dumps(body).encode()
        status, payload, _ = respond(self.app.registry, method, path, query, headers, raw, "http://test")
        return status, payload

    def create_rest(self, **fields: Any) -> dict[str, Any]:
        start = (datetime.now(UTC) + timedelta(days=2)).replace(second=0, microsecond=0)
        body = {"title": "unit", "start": start.isoformat(), "end": (start + timedelta(minutes=40)).isoformat()}
        status, payload = self.rest("POST", "/v1/meetings", {**body, **fields})
        assert status == 200, payload
        return dict(payload)

    def create_xml(self, tz_id: int = 4, start: str | None = None) -> str:
        when = start or (datetime.now(UTC) + timedelta(days=3)).strftime("%m/%d/%Y 10:00:00")
        body = {
            "metaData": {"confName": "xml unit", "meetingType": 3},
            "schedule": {"startDate": when, "duration": 25, "timeZoneID": tz_id},
        }
        return self.xml("meeting", "CreateMeeting", body).expect_success().text("meet:meetingkey") or ""

    def by_number(self, number: str) -> list[dict[str, Any]]:
        status, payload = self.rest("GET", "/v1/meetings", query=f"meetingNumber={number}&current=false")
        assert status == 200, payload
        return list(payload["items"])


@pytest.fixture
def both() -> Both:
    return Both()


def test_every_time_zone_id_has_an_iana_name_that_maps_back() -> None:
    for tz_id in range(timezones.count()):
        name = timezones.iana_name(tz_id)
        ZoneInfo(name)  # a name the time-zone database knows
        assert timezones.id_for_iana(name) == tz_id
    assert timezones.id_for_iana("asia/shanghai") == 45
    assert timezones.id_for_iana("Europe/Madrid", 60) == 22, "an unknown name: the first zone of its offset"
    assert timezones.id_for_iana("Asia/Kathmandu", 345) == 21, "no zone of that offset: GMT"


def test_an_xml_meeting_reads_through_rest_in_its_zones_iana_name_at_the_same_instant(both: Both) -> None:
    key = both.create_xml(tz_id=4, start="01/15/2099 10:00:00")
    (listed,) = both.by_number(key)
    assert listed["timezone"] == "America/Los_Angeles"
    start = datetime.fromisoformat(listed["start"])
    assert start.astimezone(UTC) == datetime(2099, 1, 15, 18, 0, tzinfo=UTC)  # 10:00 at GMT-08:00
    assert datetime.fromisoformat(listed["end"]) - start == timedelta(minutes=25)
    assert listed["hostEmail"] == both.site.users["host"].email


def test_a_rest_meeting_in_a_zone_the_table_lacks_reads_through_xml_at_the_same_instant(both: Both) -> None:
    made = both.create_rest(timezone="Europe/Madrid")
    got = both.xml("meeting", "GetMeeting", {"meetingKey": made["meetingNumber"]}).expect_success()
    tz_id = int(got.text("meet:schedule/meet:timeZoneID") or -1)
    assert round(timezones.offset(tz_id).utcoffset(None).total_seconds()) == 3600
    local = datetime.strptime(got.text("meet:schedule/meet:startDate") or "", "%m/%d/%Y %H:%M:%S")
    assert local.replace(tzinfo=timezones.offset(tz_id)) == datetime.fromisoformat(made["start"])
    assert got.text("meet:schedule/meet:duration") == "40"


@pytest.mark.parametrize(
    "fields",
    [{"scheduledType": "webinar"}, {"adhoc": True, "roomId": "room-1"}, {"scheduledType": "personalRoomMeeting"}],
    ids=["webinar", "adhoc", "personal-room"],
)
def test_webinars_adhoc_and_personal_room_meetings_stay_rest_only(both: Both, fields: dict[str, Any]) -> None:
    made = both.create_rest(**fields)
    got = both.xml("meeting", "GetMeeting", {"meetingKey": made["meetingNumber"]})
    assert got.exception_id == "060001"
    assert made["meetingNumber"] not in both.site.sessions


def test_events_and_training_sessions_stay_xml_only(both: Both) -> None:
    start = (datetime.now(UTC) + timedelta(days=3)).strftime("%m/%d/%Y 10:00:00")
    event = both.xml(
        "event", "CreateEvent", {"metaData": {"sessionName": "unit event"}, "schedule": {"startDate": start}}
    ).expect_success()
    key = event.text("event:sessionKey") or ""
    assert key and both.by_number(key) == []
    assert all(s.session_key is None or s.session_key != key for s in store(both.site).series.values())


def test_a_rest_meeting_deleted_with_delsession_is_gone_from_rest(both: Both) -> None:
    made = both.create_rest()
    both.xml("ep", "DelSession", {"sessionKey": made["meetingNumber"]}).expect_success()
    assert both.rest("GET", f"/v1/meetings/{made['id']}")[0] == 404


def test_a_recurring_rest_series_is_one_xml_meeting_at_its_first_start(both: Both) -> None:
    made = both.create_rest(recurrence="FREQ=DAILY;COUNT=3")
    session = both.site.sessions[made["meetingNumber"]]
    first = datetime.fromisoformat(made["start"])
    assert session.start.replace(tzinfo=timezones.offset(session.time_zone_id)) == first
    occurrences = both.rest(
        "GET",
        "/v1/meetings",
        query=f"meetingSeriesId={made['id']}&meetingType=scheduledMeeting&to="
        + (first + timedelta(days=5)).isoformat().replace("+", "%2B"),
    )[1]["items"]
    assert len(occurrences) == 3
    # deleting one occurrence stays on the REST side; the series' delete removes the XML meeting
    assert both.rest("DELETE", f"/v1/meetings/{occurrences[1]['id']}")[0] == 204
    assert made["meetingNumber"] in both.site.sessions
    assert both.rest("DELETE", f"/v1/meetings/{made['id']}")[0] == 204
    assert made["meetingNumber"] not in both.site.sessions


def test_a_meeting_number_taken_by_a_session_gives_the_series_a_new_one() -> None:
    site = Site("unit-site")
    now = datetime.now(UTC) + timedelta(days=1)
    taken = Session("1234567890", "u" * 32, "1", "meeting", "host", "other", now.replace(tzinfo=None), 30)
    site.add_session(taken)
    series = Series(
        id="a" * 32,
        number="1234567890",
        host=meeting_link.host_for(site),
        scheduled_type="meeting",
        start=now,
        end=now + timedelta(minutes=30),
        zulu=True,
        timezone="UTC",
        props={**defaults("meeting"), "title": "mine"},
    )
    store(site).put(series)
    meeting_link.series_created(site, series)
    assert series.number != "1234567890" and series.session_key == series.number
    assert site.sessions[series.number].name == "mine" and site.sessions["1234567890"].name == "other"


def test_the_site_state_lists_an_xml_meeting_among_the_rest_meetings(both: Both) -> None:
    key = both.create_xml()
    series_id = both.site.sessions[key].series_id
    assert series_id is not None
    assert series_id in {m["id"] for m in both.site.state()["rest_meetings"]}


def test_the_fault_keeps_the_two_apis_apart() -> None:
    apart = Both(faults=["xml-rest-equivalence"])
    key = apart.create_xml()
    assert apart.by_number(key) == []
    made = apart.create_rest()
    assert apart.xml("meeting", "GetMeeting", {"meetingKey": made["meetingNumber"]}).exception_id == "060001"
    assert all(s.series_id is None for s in apart.site.sessions.values())


def test_a_weekly_rest_series_reads_back_as_getmeetings_repeat(both: Both) -> None:
    made = both.create_rest(recurrence="FREQ=WEEKLY;INTERVAL=2;COUNT=4;BYDAY=MO,WE")
    got = both.xml("meeting", "GetMeeting", {"meetingKey": made["meetingNumber"]}).expect_success()
    assert got.text("meet:repeat/meet:repeatType") == "WEEKLY"
    assert got.text("meet:repeat/meet:interval") == "2"
    assert got.text("meet:repeat/meet:afterMeetingNumber") == "4"
    assert got.texts("meet:repeat/meet:dayInWeek/meet:day") == ["MONDAY", "WEDNESDAY"]
    assert both.rest("PATCH", f"/v1/meetings/{made['id']}", {"recurrence": "FREQ=DAILY;COUNT=2"})[0] == 200
    again = both.xml("meeting", "GetMeeting", {"meetingKey": made["meetingNumber"]}).expect_success()
    assert again.text("meet:repeat/meet:repeatType") == "DAILY" and not again.has("meet:repeat/meet:dayInWeek")


# ---------------------------------------------------------------- the deferred REST view (issue 17)


def _faults(both: Both, enable: list[str] | None = None, disable: list[str] | None = None) -> None:
    body = json.dumps({"enable": enable or [], "disable": disable or []}).encode()
    status, payload = control.handle(both.app.registry, "POST", f"/sites/{both.name}/faults", body)
    assert status == 200, payload


def test_a_created_meetings_series_is_made_when_first_read_and_is_the_series_made_at_creation(both: Both) -> None:
    key = both.create_xml()
    session = both.site.sessions[key]
    assert isinstance(store(both.site).entries[session.series_id or ""], Deferred)  # not made yet
    _faults(both, enable=["xml-rest-equivalence"])  # a change now is not copied across ...
    changed = both.xml("meeting", "SetMeeting", {"meetingkey": key, "metaData": {"confName": "renamed apart"}})
    changed.expect_success()
    _faults(both, disable=["xml-rest-equivalence"])
    (listed,) = both.by_number(key)  # ... so the series read now is the one CreateMeeting made
    assert listed["title"] == "xml unit" and listed["id"] == session.series_id
    assert isinstance(store(both.site).entries[listed["id"]], Series)  # made in place, once


def test_deferred_and_made_series_keep_the_order_they_were_created_in(both: Both) -> None:
    first = both.create_xml()
    made = both.create_rest()
    second = both.create_xml()
    ids = [both.site.sessions[first].series_id, made["id"], both.site.sessions[second].series_id]
    assert list(store(both.site).entries) == ids
    assert list(store(both.site).series) == ids  # reading makes the deferred ones where they stand
    assert not any(isinstance(entry, Deferred) for entry in store(both.site).entries.values())


def test_a_meeting_deleted_before_its_series_was_read_leaves_nothing_on_either_side(both: Both) -> None:
    key = both.create_xml()
    series_id = both.site.sessions[key].series_id or ""
    both.xml("meeting", "DelMeeting", {"meetingKey": key}).expect_success()
    assert series_id not in store(both.site).entries
    assert both.rest("GET", f"/v1/meetings/{series_id}")[0] == 404


def test_the_list_of_deferred_ids_stays_bounded_when_meetings_come_and_go(both: Both) -> None:
    for _ in range(150):
        key = both.create_xml()
        both.xml("meeting", "DelMeeting", {"meetingKey": key}).expect_success()
    rest_store = store(both.site)
    assert len(rest_store.entries) == 0
    assert len(rest_store.deferred_ids) <= 2 * len(rest_store.entries) + 64 + 1
