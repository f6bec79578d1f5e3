"""SetMeeting changes only what it names (behaviour ``set-meeting-keeps-unnamed``, the SetMeeting
reference page): an element a SetMeeting leaves out keeps its value — also when an earlier
SetMeeting, not CreateMeeting, wrote it."""

from __future__ import annotations

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.xml_meetings import Meetings, meeting_body
from webex_harness.webex.envelope import XmlResponse


def _set(xml: XmlClient, key: str, **sections: object) -> None:
    xml.call("meeting", "SetMeeting", {"meetingkey": key, **sections}).expect_success()


def _get(xml: XmlClient, key: str) -> XmlResponse:
    return xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()


@pytest.mark.behaviour("set-meeting-keeps-unnamed")
def test_a_set_meeting_keeps_the_agenda_an_earlier_set_meeting_wrote(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(metaData={"agenda": "as created"}))
    _set(xml, key, metaData={"agenda": "as set first"})
    renamed = own_name("renamed later")
    _set(xml, key, metaData={"confName": renamed})
    got = _get(xml, key)
    assert got.text("meet:metaData/meet:confName") == renamed
    assert got.text("meet:metaData/meet:agenda") == "as set first", "the second SetMeeting named no agenda"


@pytest.mark.behaviour("set-meeting-keeps-unnamed")
def test_a_set_meeting_keeps_the_options_an_earlier_set_meeting_wrote(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(enableOptions={"chat": False}, schedule={"duration": 30}))
    _set(xml, key, enableOptions={"chat": True}, schedule={"joinTeleconfBeforeHost": True})
    _set(xml, key, schedule={"duration": 45})
    got = _get(xml, key)
    assert got.text("meet:schedule/meet:duration") == "45"
    assert got.text("meet:enableOptions/meet:chat") == "true", "the second SetMeeting named no enableOptions"
    assert got.text("meet:schedule/meet:joinTeleconfBeforeHost") == "true", "nor joinTeleconfBeforeHost"
