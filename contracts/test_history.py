"""History service: Access Anywhere (001, 40.1.0), session and attendee histories with
meetingUUID (40.7.0–40.9.0), paging, and the recording access reports (reference pages
lstrecordaccesshistory and lstrecordaccessdetailhistory)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.support import assert_pages
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import Meetings, meeting_body, past_date
from webex_harness.webex.envelope import XmlResponse
from webex_harness.webex.namespaces import XSI

_AA_FIELDS = ["confID", "userName", "computerName", "clientIP", "startTime", "endTime", "duration"]


def _control(start: int, size: int) -> dict[str, Any]:
    return {
        "listControl": {"serv:startFrom": start, "serv:maximumNum": size, "serv:listMethod": "OR"},
        "order": {"orderBy": "STARTTIME", "orderAD": "ASC"},
    }


# ---------------------------------------------------------------- access-anywhere-history (40.1.0)


@pytest.mark.behaviour("access-anywhere-history")
def test_access_anywhere_history_has_the_sample_shape(site: SiteHandle) -> None:
    got = site.client("host").call("history", "LstAccessAnywhereHistory", _control(1, 10)).expect_success()
    body = got.body
    assert body is not None and body.get(f"{{{XSI}}}type") == "history:LstAccessAnywhereHistoryResponse"
    children = list(body)
    assert children[0].tag.endswith("}matchingRecords") and children[0].prefix == "history"
    assert [c.tag.split("}")[1] for c in children[0]] == ["total", "returned", "startFrom"]
    entries = children[1:]
    assert entries and all(e.prefix == "history" and e.tag.endswith("}accessAnyWhereInfo") for e in entries)
    for entry in entries:
        assert [c.tag.split("}")[1] for c in entry] == _AA_FIELDS
        assert all((c.text or "").strip() for c in entry)
        assert (entry.findtext("{*}duration") or "").isdigit()
    assert got.text("history:matchingRecords/serv:returned") == str(len(entries))


@pytest.mark.behaviour("access-anywhere-history")
@pytest.mark.behaviour("list-paging")
def test_access_anywhere_history_pages(site: SiteHandle) -> None:
    xml = site.client("admin")
    assert_pages(
        lambda s, n: xml.call("history", "LstAccessAnywhereHistory", _control(s, n)),
        "history",
        "history:accessAnyWhereInfo",
        "history:confID",
        unique=False,
    )


@pytest.mark.behaviour("access-anywhere-history")
def test_access_anywhere_history_narrows_to_a_host(site: SiteHandle) -> None:
    xml = site.client("admin")
    host = site.security("host").webex_id or "host"
    got = xml.call("history", "LstAccessAnywhereHistory", {"hostWebexID": host, **_control(1, 100)})
    got.expect_success()
    assert set(got.texts("history:accessAnyWhereInfo/history:userName")) == {host}


# ---------------------------------------------------------------- session histories


_SESSION_HISTORIES = [
    ("LstmeetingusageHistory", "history:meetingUsageHistory", "history:meetingKey"),
    ("LstmeetingattendeeHistory", "history:meetingAttendeeHistory", "history:email"),
    ("LsttrainingsessionHistory", "history:trainingSessionHistory", "history:sessionKey"),
    ("LsttrainingattendeeHistory", "history:trainingAttendeeHistory", "history:email"),
    ("LsteventsessionHistory", "history:eventSessionHistory", "history:sessionKey"),
    ("LsteventattendeeHistory", "history:eventAttendeeHistory", "history:email"),
    ("LstsupportsessionHistory", "history:supportSessionHistory", "history:sessionKey"),
    ("LstsupportattendeeHistory", "history:supportAttendeeHistory", "history:email"),
    ("LstmeetingusagePreliminaryHistory", "history:meetingUsageHistory", "history:meetingKey"),
    ("LstmeetingattendeePreliminaryHistory", "history:meetingAttendeeHistory", "history:email"),
    ("LsteventsessionPreliminaryHistory", "history:eventSessionHistory", "history:sessionKey"),
    ("LsteventattendeePreliminaryHistory", "history:eventAttendeeHistory", "history:email"),
    ("LstTrainingPollResultsHistory", "history:pollResult", "history:sessionKey"),
]


def _histories() -> list[Any]:
    """Each history with its API (their entries carry meetingUUID since its release: docs/versions.md)."""
    uuid = pytest.mark.behaviour("meeting-uuid-equivalence")
    return [pytest.param(*h, marks=[pytest.mark.api(h[0]), uuid]) for h in _SESSION_HISTORIES]


@pytest.mark.behaviour("list-paging")
@pytest.mark.parametrize(("api", "item", "key"), _histories())
def test_session_histories_page(site: SiteHandle, api: str, item: str, key: str) -> None:
    xml = site.client("admin")
    # sessions that started before yesterday: what the run's own deletions add starts later
    settled = {"startTimeScope": {"sessionStartTimeStart": past_date(400), "sessionStartTimeEnd": past_date(1)}}
    assert_pages(
        lambda s, n: xml.call("history", api, {**settled, **_control(s, n)}),
        "history",
        item,
        key,
        at_least=2,
        unique=False,
    )
    got = xml.call("history", api, _control(1, 1)).expect_success()
    assert got.text(f"{item}/history:meetingUUID"), f"{api} entries carry their meetingUUID"


def _deleted_meeting(xml: XmlClient, meetings: Meetings) -> tuple[str, str]:
    key, uuid = meetings.create_ok(
        meeting_body(
            own_name("history meeting"),
            participants={
                "attendees": {"attendee": {"person": {"name": "Hal History", "email": "hal.history@example.com"}}}
            },
        )
    )
    xml.call("meeting", "DelMeeting", {"meetingKey": key}).expect_success()
    meetings.keys.remove(key)
    return key, uuid


@pytest.mark.behaviour("meeting-uuid-equivalence")
@pytest.mark.parametrize(
    "api",
    [
        pytest.param(a, marks=pytest.mark.api(a))
        for a in ("LstmeetingusageHistory", "LstmeetingusagePreliminaryHistory")
    ],
)
def test_a_deleted_meeting_appears_in_usage_history_by_key_and_uuid(
    xml: XmlClient, meetings: Meetings, api: str
) -> None:
    key, uuid = _deleted_meeting(xml, meetings)
    by_key = xml.call("history", api, {"meetingKey": key}).expect_success()
    by_uuid = xml.call("history", api, {"meetingUUID": uuid}).expect_success()
    for got in (by_key, by_uuid):
        assert got.texts("history:meetingUsageHistory/history:meetingKey") == [key]
        assert got.texts("history:meetingUsageHistory/history:meetingUUID") == [uuid]
        assert got.text("history:meetingUsageHistory/history:confName") == own_name("history meeting")
        assert got.text("history:matchingRecords/serv:total") == "1"


@pytest.mark.behaviour("meeting-uuid-equivalence")
def test_attendee_history_of_a_deleted_meeting_lists_its_people(xml: XmlClient, meetings: Meetings) -> None:
    key, uuid = _deleted_meeting(xml, meetings)
    got = xml.call("history", "LstmeetingattendeeHistory", {"meetingUUID": uuid}).expect_success()
    assert "hal.history@example.com" in got.texts("history:meetingAttendeeHistory/history:email")
    assert set(got.texts("history:meetingAttendeeHistory/history:meetingKey")) == {key}


@pytest.mark.behaviour("list-paging")
def test_a_meeting_whose_end_has_passed_appears_in_history(site: SiteHandle, meetings: Meetings) -> None:
    key, _ = meetings.create_ok()
    xml = site.client("host")
    before = xml.call("history", "LstmeetingusageHistory", {"meetingKey": key})
    assert (before.result, before.exception_id) == ("FAILURE", "000015"), before.describe()
    site.advance_clock(8 * 86400)
    after = xml.call("history", "LstmeetingusageHistory", {"meetingKey": key}).expect_success()
    assert after.texts("history:meetingUsageHistory/history:meetingKey") == [key]
    assert after.text("history:matchingRecords/serv:total") == "1"


# ---------------------------------------------------------------- record-access-history, record-access-detail
# (reference pages lstrecordaccesshistory and lstrecordaccessdetailhistory)

_ACCESS_FIELDS = ["recordID", "recordName", "creationTime", "registered", "downloaded", "viewed", "timeZoneID"]
_DETAIL_FIELDS = [
    "viewID",
    "participantName",
    "participantEmail",
    "accessTime",
    "registered",
    "registerDate",
    "downloaded",
    "viewed",
    "timeZoneID",
]


def _record_access(xml: XmlClient, **body: Any) -> XmlResponse:
    return xml.call("history", "LstrecordaccessHistory", {"listControl": {"startFrom": 1, "maximumNum": 100}, **body})


def _counts(got: XmlResponse) -> dict[str, tuple[int, int, int]]:
    """recordID -> (registered, downloaded, viewed)."""
    out: dict[str, tuple[int, int, int]] = {}
    for entry in got.xpath("history:recordAccessHistory"):
        values = [int(entry.findtext(f"{{*}}{name}") or "0") for name in ("registered", "downloaded", "viewed")]
        out[entry.findtext("{*}recordID") or ""] = (values[0], values[1], values[2])
    return out


def _own_recordings(xml: XmlClient) -> list[str]:
    listed = xml.call("ep", "LstRecording", {"listControl": {"serv:startFrom": 1}}).expect_success()
    ids = listed.texts("ep:recording/ep:recordingID")
    if len(ids) < 2:
        pytest.skip(f"needs two recordings of the host, the site lists {len(ids)}")
    return ids


def _emulator_only(site: SiteHandle) -> None:
    if not site.is_emulator:
        pytest.skip("recording an access needs the emulator's control API (a real site's viewers are real people)")


@pytest.mark.behaviour("record-access-history")
def test_recording_access_history_has_the_documented_elements(site: SiteHandle) -> None:
    got = _record_access(site.client("host"))
    if got.exception_id == "000015":
        pytest.skip("the host has no recordings to report on")
    body = got.expect_success().body
    assert body is not None and body.get(f"{{{XSI}}}type") == "history:lstrecordaccessHistoryResponse"
    children = list(body)
    assert children[-1].tag.endswith("}matchingRecords")
    entries = children[:-1]
    assert entries and all(e.tag.endswith("}recordAccessHistory") for e in entries)
    for entry in entries:
        assert [c.tag.split("}")[1] for c in entry] == _ACCESS_FIELDS
    assert got.text("history:matchingRecords/serv:returned") == str(len(entries))


@pytest.mark.behaviour("record-access-history")
def test_recording_access_history_counts_views_and_downloads(site: SiteHandle) -> None:
    _emulator_only(site)
    xml = site.client("host")
    recording = _own_recordings(xml)[0]
    before = _counts(_record_access(xml).expect_success())[recording]
    site.control.access_recording(site.name, recording, name="Vi Ewer", email="vi.ewer@example.com", action="view")
    site.control.access_recording(
        site.name, recording, name="Dee Loader", email="dee.loader@example.com", action="download", registered=True
    )
    after = _counts(_record_access(xml).expect_success())[recording]
    assert after == (before[0] + 1, before[1] + 1, before[2] + 1), f"before {before}, after {after}"


@pytest.mark.behaviour("record-access-history")
def test_recording_access_history_counts_only_accesses_in_the_view_time_scope(site: SiteHandle) -> None:
    _emulator_only(site)
    xml = site.client("host")
    recording = _own_recordings(xml)[0]
    now = datetime.fromisoformat(site.state()["now"]).astimezone(UTC)
    scope = {
        "viewTimeScope": {
            "viewTimeStart": f"{now - timedelta(days=30):%m/%d/%Y %H:%M:%S}",
            "viewTimeEnd": f"{now - timedelta(days=1):%m/%d/%Y %H:%M:%S}",
        }
    }
    before = _counts(_record_access(xml, **scope).expect_success()).get(recording)
    site.control.access_recording(site.name, recording, name="Vi Ewer", email="vi.ewer@example.com", action="view")
    after = _counts(_record_access(xml, **scope).expect_success()).get(recording)
    assert after == before, "an access made now is outside a view time scope that ended yesterday"
    current = {"viewTimeScope": {"viewTimeStart": f"{now - timedelta(minutes=5):%m/%d/%Y %H:%M:%S}"}}
    assert _counts(_record_access(xml, **current).expect_success()) == {recording: (0, 0, 1)}


@pytest.mark.behaviour("record-access-history")
@pytest.mark.behaviour("list-paging")
def test_recording_access_history_pages(site: SiteHandle) -> None:
    _record_access(site.client("host"))  # the host's recordings exist for the administrator too
    admin = site.client("admin")
    assert_pages(
        lambda s, n: admin.call(
            "history",
            "LstrecordaccessHistory",
            {"order": {"orderBy": "RECORDID", "orderAD": "ASC"}, "listControl": {"startFrom": s, "maximumNum": n}},
        ),
        "history",
        "history:recordAccessHistory",
        "history:recordID",
    )


@pytest.mark.behaviour("record-access-detail")
def test_recording_access_detail_lists_each_access_of_that_recording_only(site: SiteHandle) -> None:
    _emulator_only(site)
    xml = site.client("host")
    first, second = _own_recordings(xml)[:2]
    site.control.access_recording(site.name, first, name="Vi Ewer", email="vi.ewer@example.com", action="view")
    got = xml.call("history", "LstrecordaccessDetailHistory", {"recordID": first, "timeZoneID": 4}).expect_success()
    entries = got.xpath("history:recordDetail")
    assert entries
    for entry in entries:
        registered = entry.findtext("{*}registered") == "true"
        expected = [f for f in _DETAIL_FIELDS if registered or f != "registerDate"]  # a date only if registered
        assert [c.tag.split("}")[1] for c in entry] == expected
    mine = [e for e in entries if e.findtext("{*}participantEmail") == "vi.ewer@example.com"]
    assert len(mine) == 1
    assert (mine[0].findtext("{*}viewed"), mine[0].findtext("{*}downloaded")) == ("true", "false")
    assert mine[0].findtext("{*}timeZoneID") == "4"
    other = xml.call("history", "LstrecordaccessDetailHistory", {"recordID": second})
    emails = other.texts("history:recordDetail/history:participantEmail") if other.ok else []
    assert "vi.ewer@example.com" not in emails, "another recording's access is not this one's"


@pytest.mark.behaviour("record-access-detail")
def test_recording_access_detail_of_an_unknown_recording_is_000015(site: SiteHandle) -> None:
    got = site.client("host").call("history", "LstrecordaccessDetailHistory", {"recordID": 999999999999})
    assert got.exception_id == "000015", got.describe()
