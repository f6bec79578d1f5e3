"""Session information: meetingUUID equivalence and what GetSessionInfo shows (001 40.6.0–40.10.0)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from lxml import etree

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.support import SESSION_INFO_DETAILS, OwnWindow
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import Meetings, future_date, meeting_body


def _canonical(element: etree._Element | None) -> bytes:
    assert element is not None
    return etree.tostring(element, method="c14n")


@pytest.mark.behaviour("meeting-uuid-equivalence")
def test_get_session_info_by_uuid_answers_as_by_session_key(xml: XmlClient, meetings: Meetings) -> None:
    key, uuid = meetings.create_ok()
    assert len(uuid) == 32 and all(c in "0123456789abcdef" for c in uuid), "CreateMeeting carries the meetingUUID"
    by_key = xml.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    by_uuid = xml.call("ep", "GetSessionInfo", {"meetingUUID": uuid}).expect_success()
    assert by_key.text("ep:sessionkey") == by_uuid.text("ep:sessionkey") == key
    assert by_key.text("ep:meetingUUID") == by_uuid.text("ep:meetingUUID") == uuid
    assert _canonical(by_key.body) == _canonical(by_uuid.body)


@pytest.mark.behaviour("meeting-uuid-equivalence")
def test_get_meeting_by_uuid_addresses_the_same_meeting(xml: XmlClient, meetings: Meetings) -> None:
    key, uuid = meetings.create_ok()
    got = xml.call("meeting", "GetMeeting", {"meetingUUID": uuid}).expect_success()
    assert got.text("meet:meetingkey") == key
    assert got.text("meet:meetingUUID") == uuid


# ---------------------------------------------------------------- shape, privacy, in progress


def _invitee_meeting(site: SiteHandle, meetings: Meetings) -> str:
    """A meeting of the site's host with the ``invitee`` user invited (by e-mail)."""
    email = site.email("invitee")
    key, _ = meetings.create_ok(
        meeting_body(
            "wxh privacy meeting",
            participants={"attendees": {"attendee": {"person": {"name": "Ivy Invitee", "email": email}}}},
        )
    )
    return key


@pytest.mark.behaviour("session-info-shape")
def test_get_session_info_carries_the_documented_elements(xml: XmlClient, meetings: Meetings) -> None:
    key, uuid = meetings.create_ok()
    got = xml.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    for path in (
        "ep:status",
        "ep:isLocked",
        "ep:sessionkey",
        "ep:meetingUUID",
        "ep:confID",
        "ep:accessControl",
        "ep:metaData/ep:serviceType",
        "ep:isAllowJBH",
        "ep:isCETMeeting",
        "ep:isPersonalMeetingRoom",
    ):
        assert got.has(path), f"GetSessionInfo lacks {path}"
    assert got.text("ep:status") in ("NOT_INPROGRESS", "INPROGRESS")
    assert got.text("ep:sessionkey") == key and got.text("ep:meetingUUID") == uuid
    assert (got.text("ep:confID") or "").isdigit()
    assert got.text("ep:metaData/ep:serviceType") == "MeetingCenter"
    for path in (
        "ep:accessControl/ep:listStatus",
        "ep:accessControl/ep:registration",
        "ep:accessControl/ep:passwordReq",
        "ep:accessControl/ep:isRegisterIDRequired",
    ):
        assert got.has(path), f"GetSessionInfo lacks {path}"


@pytest.mark.behaviour("session-info-shape")
def test_get_session_info_of_a_training_session_carries_registration_urls(xml: XmlClient) -> None:
    created = xml.call(
        "training",
        "CreateTrainingSession",
        {
            "metaData": {"confName": "wxh training info"},
            "schedule": {"startDate": future_date(), "duration": 30, "timeZoneID": 4},
        },
    )
    if created.exception_id == "999998":
        pytest.skip("the target does not implement CreateTrainingSession")
    key = created.expect_success().text("train:sessionkey") or ""
    try:
        got = xml.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
        assert got.text("ep:metaData/ep:serviceType") == "TrainingCenter"
        assert (got.text("ep:accessControl/ep:registrationURL") or "").startswith("https://")
        assert (got.text("ep:accessControl/ep:registrationURLForMobile") or "").startswith("https://")
        assert got.text("ep:accessControl/ep:joinStatus") in ("INVITE", "REGISTER", "REJECT")
        assert got.has("ep:isLocked") and got.has("ep:confID")
    finally:
        xml.call("training", "DelTrainingSession", {"sessionKey": key})


@pytest.mark.behaviour("session-info-privacy")
@pytest.mark.parametrize("role", ["host", "invitee"])
def test_host_and_invitees_see_the_session_details(site: SiteHandle, meetings: Meetings, role: str) -> None:
    key = _invitee_meeting(site, meetings)
    got = site.client(role).call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    for path in SESSION_INFO_DETAILS:
        assert got.text(path), f"{role} should see {path}"
    assert got.text("ep:metaData/ep:confName") == "wxh privacy meeting"


@pytest.mark.behaviour("session-info-privacy")
def test_an_uninvited_user_sees_no_session_details(site: SiteHandle, meetings: Meetings) -> None:
    key = _invitee_meeting(site, meetings)
    got = site.client("outsider").call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    assert got.text("ep:sessionkey") == key
    for path in SESSION_INFO_DETAILS:
        assert not got.has(path), f"an uninvited caller must not get {path}"


@pytest.mark.behaviour("session-info-in-progress")
def test_a_session_not_in_progress_reports_no_one_in_the_meeting(
    xml: XmlClient, meetings: Meetings, run_name: Callable[[str], str]
) -> None:
    """The branch a run can reach on any site (it cannot start a meeting): a scheduled session is
    NOT_INPROGRESS and carries neither hasHostInMeeting nor hasAttendeeInMeeting."""
    key, _ = meetings.create_ok(meeting_body(run_name("not in progress")))
    got = xml.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    assert got.text("ep:status") == "NOT_INPROGRESS"
    assert not got.has("ep:hasHostInMeeting") and not got.has("ep:hasAttendeeInMeeting")


@pytest.mark.behaviour("session-info-in-progress")
def test_in_progress_session_reports_who_is_in_the_meeting(site: SiteHandle, meetings: Meetings) -> None:
    key, _ = meetings.create_ok()
    xml = site.client("host")
    before = xml.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    assert before.text("ep:status") == "NOT_INPROGRESS"
    assert not before.has("ep:hasHostInMeeting") and not before.has("ep:hasAttendeeInMeeting")
    site.control.set_session(site.name, key, status="INPROGRESS", host_in_meeting=True, attendees_in_meeting=1)
    during = xml.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    assert during.text("ep:status") == "INPROGRESS"
    assert during.text("ep:hasHostInMeeting") == "true"
    assert during.text("ep:hasAttendeeInMeeting") == "true"


@pytest.mark.behaviour("session-info-in-progress")
def test_in_progress_session_without_the_host_says_so(site: SiteHandle, meetings: Meetings) -> None:
    key, _ = meetings.create_ok()
    site.control.set_session(site.name, key, status="INPROGRESS", host_in_meeting=False, attendees_in_meeting=0)
    during = site.client("host").call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    assert during.text("ep:hasHostInMeeting") in ("false", None)
    assert during.text("ep:hasAttendeeInMeeting") in ("false", None)


@pytest.mark.behaviour("private-meeting")
def test_session_info_and_lists_mark_a_private_meeting(site_factory: Callable[..., SiteHandle]) -> None:
    site = site_factory(private_meeting_types=[169])
    xml = site.client("host")
    tracker = Meetings(xml)
    try:
        window = OwnWindow.random()  # the lists hold the test's two meetings, not every meeting of the host
        schedule = {"startDate": window.date(), "timeZoneID": window.time_zone_id}
        private, _ = tracker.create_ok(
            meeting_body(site.target.run_name("private"), metaData={"meetingType": 169}, schedule=schedule)
        )
        public, _ = tracker.create_ok(
            meeting_body(site.target.run_name("ordinary"), metaData={"meetingType": 3}, schedule=schedule)
        )
        info = xml.call("ep", "GetSessionInfo", {"sessionKey": private}).expect_success()
        assert info.text("ep:isPrivateMeeting") == "true"
        ordinary = xml.call("ep", "GetSessionInfo", {"sessionKey": public}).expect_success()
        assert ordinary.text("ep:isPrivateMeeting") in ("false", None)
        listed = xml.call(
            "ep", "LstsummarySession", {**window.scope(), "listControl": {"maximumNum": 50}}
        ).expect_success()
        flags = dict(
            zip(
                listed.texts("ep:session/ep:sessionKey"),
                [s.findtext("{*}isPrivateMeeting") for s in listed.xpath("ep:session")],
                strict=True,
            )
        )
        assert flags[private] == "true" and flags[public] in ("false", None)
        calendar = xml.call("ep", "LstCalendarSession", window.scope()).expect_success()
        flags = dict(
            zip(
                calendar.texts("ep:session/ep:sessionKey"),
                [s.findtext("{*}isPrivateMeeting") for s in calendar.xpath("ep:session")],
                strict=True,
            )
        )
        assert flags[private] == "true" and flags[public] in ("false", None)
    finally:
        tracker.cleanup()


# ---------------------------------------------------------------- session-info-host-elements (GetSessionInfo page)


def _host_key(xml: XmlClient, key: str) -> str:
    return xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success().text("meet:hostKey") or ""


@pytest.mark.behaviour("session-info-host-elements")
def test_the_host_gets_the_host_key_and_session_password(site: SiteHandle, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(accessControl={"meetingPassword": "Wxh1pass"}))
    host = site.client("host")
    got = host.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    assert got.text("ep:accessControl/ep:sessionPassword") == "Wxh1pass"
    host_key = got.text("ep:hostKey") or ""
    assert host_key.isdigit() and len(host_key) == 6, f"the host gets a six-digit hostKey, got {host_key!r}"
    assert host_key == _host_key(host, key), "GetSessionInfo and GetMeeting name the same host key"


@pytest.mark.behaviour("session-info-host-elements")
def test_an_invitee_gets_the_session_password_but_not_the_host_key(site: SiteHandle, meetings: Meetings) -> None:
    key = _invitee_meeting(site, meetings)
    password = (
        site.client("host")
        .call("meeting", "GetMeeting", {"meetingKey": key})
        .expect_success()
        .text("meet:accessControl/meet:meetingPassword")
        or ""
    )
    got = site.client("invitee").call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    assert not got.has("ep:hostKey"), "only the meeting's host gets its hostKey"
    if password:
        assert got.text("ep:accessControl/ep:sessionPassword") == password


@pytest.mark.behaviour("session-info-host-elements")
def test_an_uninvited_user_gets_neither_host_key_nor_session_password(site: SiteHandle, meetings: Meetings) -> None:
    key = _invitee_meeting(site, meetings)
    got = site.client("outsider").call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    assert not got.has("ep:hostKey")
    assert not got.has("ep:accessControl/ep:sessionPassword")


# ---------------------------------------------------------------- session-info-jbh


def _listed_jbh(xml: XmlClient, key: str) -> str | None:
    listed = xml.call("ep", "LstsummarySession", {"sessionKey": key}).expect_success()
    sessions = [s for s in listed.xpath("ep:session") if s.findtext("{*}sessionKey") == key]
    assert len(sessions) == 1, f"LstsummarySession by sessionKey lists {key} once"
    return sessions[0].findtext("{*}isAllowJBH")


@pytest.mark.behaviour("session-info-jbh")
@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"joinBeforeHost": "true", "supportE2E": "false"}, "true"),
        ({"joinBeforeHost": "false", "supportE2E": "false"}, "false"),
        ({"joinBeforeHost": "true", "supportE2E": "true"}, "false"),
    ],
    ids=["jbh-on", "jbh-off", "e2ee-disables-jbh"],
)
def test_is_allow_jbh_follows_the_meeting(
    xml: XmlClient, meetings: Meetings, options: dict[str, str], expected: str
) -> None:
    key, _ = meetings.create_ok(meeting_body(enableOptions=options))
    got = xml.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
    assert got.text("ep:isAllowJBH") == expected
    assert _listed_jbh(xml, key) == expected, "LstsummarySession must agree with GetSessionInfo"


@pytest.mark.behaviour("session-info-jbh")
def test_is_allow_jbh_follows_set_meeting(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(enableOptions={"joinBeforeHost": "false"}))
    xml.call("meeting", "SetMeeting", {"meetingkey": key, "enableOptions": {"joinBeforeHost": "true"}}).expect_success()
    assert xml.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success().text("ep:isAllowJBH") == "true"
