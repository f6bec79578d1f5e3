"""The emulator's GetRecordingInfo, DelRecording, One-Click settings (Get, Setup, Set), UploadPMRImage
and DetectSessionByCallback, in-process: the state each keeps and the rules the contracts do not reach
(another user's settings, bad images, the callback window, the control API's callback)."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.test_emulator_control import Emulator, host_of
from webex_harness.webex.envelope import XmlResponse

_GIF = "R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7"


@pytest.fixture
def emu() -> Emulator:
    return Emulator()


def _site(emu: Emulator) -> dict[str, Any]:
    return dict(emu.control("POST", "sites", {}))


def _recordings(emu: Emulator, site: dict[str, Any], who: str = "host") -> list[str]:
    listed = emu.xml("ep", "LstRecording", {"listControl": {"serv:startFrom": 1}}, host_of(site, who))
    return listed.texts("ep:recording/ep:recordingID") if listed.ok else []


def _body(got: XmlResponse) -> list[Any]:
    assert got.body is not None, got.describe()
    return list(got.body)


def _children(got: XmlResponse, path: str) -> list[str]:
    found = got.xpath(path)
    return [c.tag.split("}")[1] for c in found[0]] if found else []


# ---------------------------------------------------------------- GetRecordingInfo, DelRecording


def test_recording_info_answers_basic_playback_and_file_access_in_the_schema_order(emu: Emulator) -> None:
    site = _site(emu)
    rid = _recordings(emu, site)[0]
    got = emu.xml("ep", "GetRecordingInfo", {"recordingID": rid}, host_of(site))
    assert got.ok, got.describe()
    assert [c.tag.split("}")[1] for c in _body(got)] == ["basic", "playback", "fileAccess"]
    assert _children(got, "ep:basic") == ["topic", "listing", "presenter", "email", "agenda", "description"]
    assert _children(got, "ep:playback")[-2:] == ["range", "includeNBRcontrols"]
    assert _children(got, "ep:fileAccess") == ["registration", "attendeeView", "attendeeDownload", "endPlayURL"]


def test_recording_info_reads_back_what_set_recording_info_changed(emu: Emulator) -> None:
    site = _site(emu)
    rid = _recordings(emu, site)[0]
    change = {
        "recording": {"recordingID": rid, "description": "Quarterly review", "password": "Rec0rd42"},
        "basic": {"topic": "Renamed", "listing": "UNLISTED"},
        "playback": {"chat": False, "range": "PARTIAL", "partialStart": 60, "partialEnd": 300},
        "fileAccess": {"attendeeDownload": False, "endPlayURL": "https://www.example.com/done"},
    }
    assert emu.xml("ep", "SetRecordingInfo", change, host_of(site)).ok
    got = emu.xml("ep", "GetRecordingInfo", {"recordingID": rid}, host_of(site))
    assert got.text("ep:basic/ep:topic") == "Renamed" and got.text("ep:basic/ep:listing") == "UNLISTED"
    assert got.text("ep:basic/ep:description") == "Quarterly review"
    assert got.text("ep:playback/ep:chat") == "false" and got.text("ep:playback/ep:video") == "true"
    assert (got.text("ep:playback/ep:partialStart"), got.text("ep:playback/ep:partialEnd")) == ("60", "300")
    assert got.text("ep:fileAccess/ep:attendeeDownload") == "false"
    assert got.text("ep:fileAccess/ep:endPlayURL") == "https://www.example.com/done"
    assert got.text("ep:fileAccess/ep:password") == "Rec0rd42"
    bad = emu.xml(
        "ep", "SetRecordingInfo", {"recording": {"recordingID": rid}, "playback": {"range": "HALF"}}, host_of(site)
    )
    assert bad.exception_id == "010001"


def test_another_hosts_recording_is_refused_and_an_administrator_may_read_and_delete_it(emu: Emulator) -> None:
    site = _site(emu)
    rid = _recordings(emu, site)[0]
    assert emu.xml("ep", "GetRecordingInfo", {"recordingID": rid}, host_of(site, "invitee")).exception_id == "000001"
    assert emu.xml("ep", "DelRecording", {"recordingID": rid}, host_of(site, "invitee")).exception_id == "000001"
    assert emu.xml("ep", "GetRecordingInfo", {"recordingID": rid}, host_of(site, "admin")).ok
    assert emu.xml("ep", "DelRecording", {"recordingID": rid}, host_of(site, "admin")).text("ep:recordingID") == rid


def test_a_deleted_recording_is_unknown_to_every_recording_api(emu: Emulator) -> None:
    site = _site(emu)
    rid, other = _recordings(emu, site)
    host = host_of(site)
    assert emu.xml("ep", "DelRecording", {"recordingID": rid}, host).text("ep:recordingID") == rid
    assert _recordings(emu, site) == [other]
    for service, name, body in (
        ("ep", "GetRecordingInfo", {"recordingID": rid}),
        ("ep", "SetRecordingInfo", {"recording": {"recordingID": rid, "description": "x"}}),
        ("ep", "DelRecording", {"recordingID": rid}),
        ("history", "LstrecordaccessDetailHistory", {"recordID": rid}),
    ):
        assert emu.xml(service, name, body, host).exception_id == "000015", name
    history = emu.xml("history", "LstrecordaccessHistory", {}, host)
    assert history.texts("history:recordAccessHistory/history:recordID") == [other]


def test_the_del_recording_fault_keeps_the_recording(emu: Emulator) -> None:
    site = _site(emu)
    rid = _recordings(emu, site)[0]
    emu.control("POST", f"sites/{site['name']}/faults", {"enable": ["del-recording"]})
    assert emu.xml("ep", "DelRecording", {"recordingID": rid}, host_of(site)).ok
    assert rid in _recordings(emu, site)


# ---------------------------------------------------------------- One-Click settings


def _setup_body(**meta: Any) -> dict[str, Any]:
    return {
        "metaData": {"serviceType": "MeetingCenter", "sessionType": 1, "confName": "Stand-up", **meta},
        "tracking": {"trackingCode": [{"index": 2, "value": "Sales"}]},
        "telephony": {"telephonySupport": "CALLIN", "tollfree": True, "entryExitTone": "ANNOUNCENAME"},
        "enableOptions": {"voip": True},
        "attendeeOptions": {"joinApproval": True},
    }


def test_one_click_settings_default_to_a_meeting_named_after_the_user(emu: Emulator) -> None:
    site = _site(emu)
    got = emu.xml("ep", "GetOneClickSettings", {}, host_of(site))
    assert got.ok, got.describe()
    assert [c.tag.split("}")[1] for c in _body(got)] == [
        "metaData",
        "telephony",
        "enableOptions",
        "attendeeOptions",
    ]
    assert got.text("ep:metaData/ep:confName", "").endswith("'s One-Click Meeting")
    assert got.text("ep:metaData/ep:serviceType") == "MeetingCenter"


def test_setup_stores_the_whole_settings_and_set_changes_only_service_and_meeting_type(emu: Emulator) -> None:
    site = _site(emu)
    host = host_of(site)
    assert emu.xml("ep", "SetupOneClickSettings", _setup_body(listing="PRIVATE"), host).ok
    got = emu.xml("ep", "GetOneClickSettings", {}, host)
    assert got.text("ep:metaData/ep:confName") == "Stand-up" and got.text("ep:metaData/ep:listing") == "PRIVATE"
    assert got.texts("ep:trackingCodes/ep:trackingCode/ep:value") == ["Sales"]
    assert got.text("ep:telephony/ep:telephonySupport") == "CALLIN"
    assert got.text("ep:enableOptions/ep:voip") == "true"
    body = {"oneClickMetaData": {"serviceType": "MeetingCenter", "sessionType": 3}}
    assert emu.xml("ep", "SetOneClickSettings", body, host).ok
    after = emu.xml("ep", "GetOneClickSettings", {}, host)
    assert after.text("ep:metaData/ep:sessionType") == "3"
    assert after.text("ep:metaData/ep:confName") == "Stand-up" and after.text("ep:enableOptions/ep:voip") == "true"
    # Setup replaces everything: what it leaves out goes back to the default
    assert emu.xml("ep", "SetupOneClickSettings", {"metaData": _setup_body()["metaData"]}, host).ok
    again = emu.xml("ep", "GetOneClickSettings", {}, host)
    assert again.text("ep:enableOptions/ep:voip") == "false" and not again.xpath("ep:trackingCodes")


def test_one_click_rules(emu: Emulator) -> None:
    site = _site(emu)
    host = host_of(site)
    assert emu.xml("ep", "SetupOneClickSettings", _setup_body(sessionType=999), host).exception_id == "010001"
    assert emu.xml("ep", "SetupOneClickSettings", _setup_body(confName=""), host).exception_id == "010001"
    no_meta = {"oneClickMetaData": {"serviceType": "Webinar", "sessionType": 3}}
    assert emu.xml("ep", "SetOneClickSettings", no_meta, host).exception_id == "010001"
    other = {"hostWebExID": "invitee"}
    assert emu.xml("ep", "GetOneClickSettings", other, host).exception_id == "000001"
    assert emu.xml("ep", "GetOneClickSettings", other, host_of(site, "admin")).ok
    assert (
        emu.xml("ep", "GetOneClickSettings", {"hostWebExID": "nobody"}, host_of(site, "admin")).exception_id == "030001"
    )


def test_the_set_fault_resets_the_other_settings(emu: Emulator) -> None:
    site = _site(emu)
    host = host_of(site)
    emu.xml("ep", "SetupOneClickSettings", _setup_body(), host)
    emu.control("POST", f"sites/{site['name']}/faults", {"enable": ["one-click-set-service-type"]})
    emu.xml("ep", "SetOneClickSettings", {"oneClickMetaData": {"serviceType": "MeetingCenter", "sessionType": 3}}, host)
    assert emu.xml("ep", "GetOneClickSettings", {}, host).text("ep:metaData/ep:confName") != "Stand-up"


# ---------------------------------------------------------------- UploadPMRImage


def test_pmr_images_are_kept_per_kind_and_bad_data_is_refused(emu: Emulator) -> None:
    site = _site(emu)
    host = host_of(site)
    assert emu.xml("user", "UploadPMRImage", {"imageFor": "Photo", "imageData": _GIF}, host).ok
    png = base64.b64encode(b"\x89PNG\r\n\x1a\n" + b"\0" * 40).decode()
    assert emu.xml("user", "UploadPMRImage", {"imageFor": "Header", "imageData": png}, host).ok
    users = emu.control("GET", f"sites/{site['name']}/state")["users"]
    images = next(u for u in users if u["webExID"] == "host")["pmrImages"]
    assert images == {"Photo": {"format": "GIF", "size": 42}, "Header": {"format": "PNG", "size": 48}}
    text = base64.b64encode(b"not an image").decode()
    assert emu.xml("user", "UploadPMRImage", {"imageFor": "Photo", "imageData": text}, host).exception_id == "010001"
    assert emu.xml("user", "UploadPMRImage", {"imageFor": "Photo", "imageData": "%%%"}, host).exception_id == "010001"
    assert emu.xml("user", "UploadPMRImage", {"imageFor": "Logo", "imageData": _GIF}, host).exception_id == "010001"


# ---------------------------------------------------------------- DetectSessionByCallback


def _window(emu: Emulator, site: dict[str, Any], before: int, after: int) -> dict[str, str]:
    now = datetime.fromisoformat(emu.control("GET", f"sites/{site['name']}/state")["now"]).astimezone(UTC)
    return {
        "occurredDateStart": f"{now - timedelta(seconds=before):%m/%d/%Y %H:%M:%S}",
        "occurredDateEnd": f"{now + timedelta(seconds=after):%m/%d/%Y %H:%M:%S}",
    }


def test_a_callback_is_detected_in_its_window_by_an_administrator_only(emu: Emulator) -> None:
    site = _site(emu)
    made = emu.xml(
        "meeting",
        "CreateMeeting",
        {"metaData": {"confName": "Callback test"}, "schedule": {"startDate": "12/01/2030 10:00:00"}},
        host_of(site),
    )
    key = made.text("meet:meetingkey") or ""
    emu.control("POST", f"sites/{site['name']}/sessions/{key}", {"callback": "14085550100"})
    emu.control("POST", f"sites/{site['name']}/sessions/{key}", {"callback": "+1 408"}, status=400)
    body = {"callbackNumber": "14085550100", "dataScopeGMT": _window(emu, site, 120, 60)}
    got = emu.xml("ep", "DetectSessionByCallback", body, host_of(site, "admin"))
    assert got.ok and got.texts("ep:session/ep:meetingKey") == [key]
    assert got.text("ep:session/ep:confName") == "Callback test"
    assert emu.xml("ep", "DetectSessionByCallback", body, host_of(site)).exception_id == "000001"
    other = {"callbackNumber": "14085550199", "dataScopeGMT": body["dataScopeGMT"]}
    assert emu.xml("ep", "DetectSessionByCallback", other, host_of(site, "admin")).xpath("ep:session") == []
    emu.control("POST", f"sites/{site['name']}/clock", {"advance_seconds": 3600})
    later = {"callbackNumber": "14085550100", "dataScopeGMT": _window(emu, site, 120, 60)}
    assert emu.xml("ep", "DetectSessionByCallback", later, host_of(site, "admin")).xpath("ep:session") == []


def test_a_bad_number_or_a_window_over_five_minutes_is_refused(emu: Emulator) -> None:
    site = _site(emu)
    admin = host_of(site, "admin")
    wide = {"callbackNumber": "14085550100", "dataScopeGMT": _window(emu, site, 600, 0)}
    assert emu.xml("ep", "DetectSessionByCallback", wide, admin).exception_id == "010001"
    letters = {"callbackNumber": "1-408-555", "dataScopeGMT": _window(emu, site, 60, 0)}
    assert emu.xml("ep", "DetectSessionByCallback", letters, admin).exception_id == "010001"
