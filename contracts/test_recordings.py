"""Recordings of the general session service: GetRecordingInfo reads a recording back
(recording-info) and DelRecording removes it (del-recording) — reference pages getrecordinginfo and
delrecording, the published ep schema for the answer's elements and order.

A run cannot make a recording, and a real site's recordings are its users' own: the tests that
change or delete one run on the emulator only (its seeded recordings); on a real site only reading
is done.
"""

from __future__ import annotations

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.plugin.targets import SiteHandle

_BASIC = ["topic", "listing", "presenter", "email", "agenda", "description"]
_ACCESS = ["registration", "attendeeView", "attendeeDownload", "endPlayURL"]
_PANELS = ["chat", "supportQandA", "video", "polling", "notes", "fileShare", "attendeeList", "toc"]


def _recordings(xml: XmlClient) -> list[str]:
    listed = xml.call("ep", "LstRecording", {"listControl": {"serv:startFrom": 1}})
    return listed.texts("ep:recording/ep:recordingID") if listed.ok else []


def _emulator_only(site: SiteHandle, why: str) -> None:
    if not site.is_emulator:
        pytest.skip(f"emulator only: {why}")


def _names(xml_children: list[object]) -> list[str]:
    return [str(getattr(c, "tag", "")).split("}")[-1] for c in xml_children]


# ---------------------------------------------------------------- recording-info


@pytest.mark.behaviour("recording-info")
def test_recording_info_answers_the_documented_sections_in_order(xml: XmlClient) -> None:
    ids = _recordings(xml)
    if not ids:
        pytest.skip("the host has no recording to read")
    got = xml.call("ep", "GetRecordingInfo", {"recordingID": ids[0]}).expect_success()
    assert got.body is not None
    assert _names(list(got.body)) == ["basic", "playback", "fileAccess"]
    basic, playback, access = (got.xpath(f"ep:{name}")[0] for name in ("basic", "playback", "fileAccess"))
    assert _names(list(basic)) == _BASIC
    shown = _names(list(playback))
    assert shown[: len(_PANELS)] == _PANELS and shown[-1] == "includeNBRcontrols", shown
    assert _names(list(access))[: len(_ACCESS)] == _ACCESS


@pytest.mark.behaviour("recording-info")
def test_recording_info_reads_back_set_recording_info(site: SiteHandle, xml: XmlClient) -> None:
    _emulator_only(site, "it changes a recording, and a run cannot make one of its own on a real site")
    rid = _recordings(xml)[0]
    xml.call(
        "ep",
        "SetRecordingInfo",
        {
            "recording": {"recordingID": rid, "description": "wxh review"},
            "basic": {"topic": "wxh renamed", "listing": "UNLISTED"},
            "playback": {"chat": False},
            "fileAccess": {"attendeeDownload": False},
        },
    ).expect_success()
    got = xml.call("ep", "GetRecordingInfo", {"recordingID": rid}).expect_success()
    assert got.text("ep:basic/ep:topic") == "wxh renamed"
    assert got.text("ep:basic/ep:listing") == "UNLISTED"
    assert got.text("ep:basic/ep:description") == "wxh review"
    assert got.text("ep:playback/ep:chat") == "false"
    assert got.text("ep:fileAccess/ep:attendeeDownload") == "false"


@pytest.mark.behaviour("recording-info")
def test_recording_info_of_an_unknown_recording_is_000015(xml: XmlClient) -> None:
    got = xml.call("ep", "GetRecordingInfo", {"recordingID": 999999999999})
    assert got.exception_id == "000015", got.describe()


@pytest.mark.behaviour("recording-info")
def test_another_hosts_recording_info_is_refused(site: SiteHandle) -> None:
    _emulator_only(site, "needs two declared hosts and a recording of the first")
    rid = _recordings(site.client("host"))[0]
    got = site.client("invitee").call("ep", "GetRecordingInfo", {"recordingID": rid})
    assert got.exception_id == "000001", got.describe()
    assert site.client("host").call("ep", "GetRecordingInfo", {"recordingID": rid}).ok


# ---------------------------------------------------------------- del-recording


@pytest.mark.behaviour("del-recording")
def test_a_deleted_recording_is_gone_from_every_recording_api(site: SiteHandle, xml: XmlClient) -> None:
    _emulator_only(site, "a run cannot make a recording, so it never deletes one on a real site")
    rid, *others = _recordings(xml)
    got = xml.call("ep", "DelRecording", {"recordingID": rid}).expect_success()
    assert got.text("ep:recordingID") == rid
    assert rid not in _recordings(xml) and _recordings(xml) == others
    assert xml.call("ep", "GetRecordingInfo", {"recordingID": rid}).exception_id == "000015"
    again = xml.call("ep", "SetRecordingInfo", {"recording": {"recordingID": rid, "description": "x"}})
    assert again.exception_id == "000015", again.describe()
    assert xml.call("ep", "DelRecording", {"recordingID": rid}).exception_id == "000015"
    detail = xml.call("history", "LstrecordaccessDetailHistory", {"recordID": rid})
    assert detail.exception_id == "000015", detail.describe()


@pytest.mark.behaviour("del-recording")
def test_another_hosts_recording_is_not_deleted(site: SiteHandle) -> None:
    _emulator_only(site, "a run cannot make a recording, so it never deletes one on a real site")
    host = site.client("host")
    rid = _recordings(host)[0]
    refused = site.client("invitee").call("ep", "DelRecording", {"recordingID": rid})
    assert refused.exception_id == "000001", refused.describe()
    assert rid in _recordings(host)
    assert host.call("ep", "DelRecording", {"recordingID": rid}).ok
    assert rid not in _recordings(host)
