"""Session information: meetingUUID equivalence and what GetSessionInfo shows (001 40.6.0–40.10.0)."""

from __future__ import annotations

import pytest
from lxml import etree

from contracts.support import Meetings
from harness.client import XmlClient


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
