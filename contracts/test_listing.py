"""Lists of the general session service and the user service: paging (list-paging),
returnScheduledPMR (001 40.6.0), DelSession by meetingUUID (40.8.0), and e-mails in
SetRecordingInfo / CreateContact / SetContact (40.8.0)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.support import OwnWindow, assert_pages
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import Meetings, meeting_body


def _control(start: int, size: int) -> dict[str, Any]:
    return {"listControl": {"startFrom": start, "maximumNum": size}}


def _three_meetings(meetings: Meetings, window: OwnWindow | None = None, name: str = own_name("paging")) -> list[str]:
    schedule = (
        (lambda i: {"schedule": {"startDate": window.date(i), "timeZoneID": window.time_zone_id}})
        if window is not None
        else (lambda i: {})
    )
    return [meetings.create_ok(meeting_body(f"{name} {i}", **schedule(i)))[0] for i in range(3)]


@pytest.mark.behaviour("list-paging")
def test_lstsummary_session_pages(xml: XmlClient, meetings: Meetings, run_name: Callable[[str], str]) -> None:
    window = OwnWindow.random()
    created = _three_meetings(meetings, window, run_name("paging"))
    assert_pages(
        lambda s, n: xml.call("ep", "LstsummarySession", {**window.scope(), **_control(s, n)}),
        "ep",
        "ep:session",
        "ep:sessionKey",
        own=created,
    )


@pytest.mark.behaviour("list-paging")
def test_lst_calendar_session_pages(xml: XmlClient, meetings: Meetings, run_name: Callable[[str], str]) -> None:
    window = OwnWindow.random()
    created = _three_meetings(meetings, window, run_name("calendar"))
    assert_pages(
        lambda s, n: xml.call("ep", "LstCalendarSession", {**window.scope(), **_control(s, n)}),
        "ep",
        "ep:session",
        "ep:sessionKey",
        own=created,
    )


@pytest.mark.behaviour("list-paging")
def test_lst_open_session_pages(site: SiteHandle, meetings: Meetings) -> None:
    created = _three_meetings(meetings)
    for key in created:
        site.control.set_session(site.name, key, status="INPROGRESS", host_in_meeting=True)
    xml = site.client("host")
    keys = assert_pages(
        lambda s, n: xml.call("ep", "LstOpenSession", _control(s, n)),
        "ep",
        "ep:services/ep:sessions",
        "ep:sessionKey",
        own=created,
    )
    assert set(created) == set(keys)


@pytest.mark.behaviour("list-paging")
def test_lst_recording_pages(site: SiteHandle) -> None:
    xml = site.client("host")
    assert_pages(
        lambda s, n: xml.call("ep", "LstRecording", _control(s, n)), "ep", "ep:recording", "ep:recordingID", at_least=2
    )


@pytest.mark.behaviour("list-paging")
def test_lstsummary_user_pages(site: SiteHandle) -> None:
    admin = site.client("admin")
    keys = assert_pages(
        lambda s, n: admin.call("user", "LstsummaryUser", _control(s, n)), "use", "use:user", "use:webExId"
    )
    assert len(set(keys)) == len(keys)


# ---------------------------------------------------------------- scheduled-pmr-listing (40.6.0)


@pytest.mark.behaviour("scheduled-pmr-listing")
def test_return_scheduled_pmr_adds_is_scheduled_pmr_to_every_session(site_factory: Callable[..., SiteHandle]) -> None:
    site = site_factory(return_scheduled_pmr=True)
    xml = site.client("host")
    tracker = Meetings(xml)
    try:
        key, _ = tracker.create_ok()
        listed = xml.call("ep", "LstsummarySession", {**_control(1, 100), "returnScheduledPMR": True})
        listed.expect_success()
        sessions = listed.xpath("ep:session")
        assert sessions
        flags = {s.findtext("{*}sessionKey"): s.findtext("{*}isScheduledPMR") for s in sessions}
        assert all(v in ("true", "false") for v in flags.values()), flags
        assert flags[key] == "false", "an ordinary meeting is no scheduled PMR"
        plain = xml.call("ep", "LstsummarySession", _control(1, 100)).expect_success()
        assert not plain.has("ep:session/ep:isScheduledPMR"), "only returned when the request asks"
    finally:
        tracker.cleanup()


# ---------------------------------------------------------------- DelSession (40.8.0: meetingUUID)


@pytest.mark.behaviour("meeting-uuid-equivalence")
@pytest.mark.api("DelSession")  # DelSession's meetingUUID support (docs/versions.md)
@pytest.mark.parametrize("by", ["sessionKey", "meetingUUID"])
def test_del_session_deletes_by_key_or_uuid(xml: XmlClient, meetings: Meetings, by: str) -> None:
    key, uuid = meetings.create_ok()
    xml.call("ep", "DelSession", {by: key if by == "sessionKey" else uuid}).expect_success()
    gone = xml.call("ep", "GetSessionInfo", {"sessionKey": key})
    assert gone.result == "FAILURE", gone.describe()
    again = xml.call("ep", "DelSession", {"sessionKey": key})
    assert again.result == "FAILURE", again.describe()


# ---------------------------------------------------------------- e-mails (40.8.0)


def _recording_id(xml: XmlClient) -> str:
    listed = xml.call("ep", "LstRecording", _control(1, 1))
    if not listed.ok:
        pytest.skip(f"no recording to change: {listed.describe()}")
    return listed.text("ep:recording/ep:recordingID") or ""


@pytest.mark.behaviour("email-no-whitespace")
def test_set_recording_info_rejects_an_email_with_white_space(xml: XmlClient) -> None:
    rid = _recording_id(xml)
    bad = xml.call(
        "ep",
        "SetRecordingInfo",
        {"recording": {"recordingID": rid}, "basic": {"presenter": "Wanda", "email": "wanda harness@example.com"}},
    )
    assert bad.result == "FAILURE", bad.describe()
    good = xml.call(
        "ep",
        "SetRecordingInfo",
        {
            "recording": {"recordingID": rid, "description": "wxh"},
            "basic": {"presenter": "Wanda", "email": "wanda@example.com"},
        },
    )
    assert good.expect_success().text("ep:recordingID") == rid


@pytest.mark.behaviour("email-no-whitespace")
def test_create_and_set_contact_reject_an_email_with_white_space(xml: XmlClient) -> None:
    bad = xml.call("ep", "CreateContact", {"contact": {"name": "Wanda", "email": "wanda harness@example.com"}})
    assert bad.result == "FAILURE", bad.describe()
    made = xml.call("ep", "CreateContact", {"contact": {"name": "Wanda", "email": "wanda@example.com"}})
    contact_id = made.expect_success().text("ep:contactID")
    assert contact_id
    bad = xml.call("ep", "SetContact", {"contactID": contact_id, "contact": {"email": "wanda h@example.com"}})
    assert bad.result == "FAILURE", bad.describe()
    xml.call("ep", "SetContact", {"contactID": contact_id, "contact": {"email": "w2@example.com"}}).expect_success()
