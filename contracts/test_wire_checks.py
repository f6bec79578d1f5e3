"""The wire checks (docs/checks.md): every answer of every contract test is judged by the checks of
:mod:`webex.wire_checks` as the XML and REST clients get it. These tests make a few ordinary calls — a
success and a failure of each API family — so that each check has answers to judge: a target that breaks
a check's rule fails here (and in every other test) with the check's name, the rule and the evidence.

Each test also proves its check judged the answers it got (the run's counts went up), and is skipped
when the environment file switches its check off (``checks.off``).
"""

from __future__ import annotations

import pytest

from webex_harness.client.checker import Checker
from webex_harness.client.xml_client import XmlClient
from webex_harness.plugin.rest_meetings import RestMeetings
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import Meetings

XML_CHECKS = [
    pytest.param("xml-status-code", marks=pytest.mark.behaviour("xml-status-code")),
    pytest.param("xml-content-type", marks=pytest.mark.behaviour("xml-content-type")),
    pytest.param("xml-envelope-shape", marks=pytest.mark.behaviour("xml-envelope-shape")),
    pytest.param("xml-exception-id", marks=pytest.mark.behaviour("xml-exception-id")),
    pytest.param("xml-failure-empty-body", marks=pytest.mark.behaviour("xml-failure-empty-body")),
    pytest.param("xml-response-elements", marks=pytest.mark.behaviour("xml-response-elements")),
]
REST_CHECKS = [
    pytest.param("rest-status-code", marks=pytest.mark.behaviour("rest-status-code")),
    pytest.param("rest-content-type", marks=pytest.mark.behaviour("rest-content-type")),
    pytest.param("rest-response-fields", marks=pytest.mark.behaviour("rest-response-fields")),
]


def _checker(site: SiteHandle, check: str) -> Checker:
    """The run's checker; the test is skipped when the environment switches ``check`` off."""
    checker = site.target.checks
    assert checker is not None, "the harness's clients judge every answer"
    if check in checker.off:
        pytest.skip(f"check {check} switched off by the environment file (checks.off)")
    return checker


@pytest.mark.parametrize("check", XML_CHECKS)
def test_xml_answers_keep_the_wire_rules(site: SiteHandle, xml: XmlClient, meetings: Meetings, check: str) -> None:
    checker = _checker(site, check)
    before = checker.judged[check]
    key, _ = meetings.create_ok()
    got = xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()
    assert got.text("meet:metaData/meet:confName"), "GetMeeting answers the meeting's name"
    xml.call("meeting", "DelMeeting", {"meetingKey": key}).expect_success()
    gone = xml.call("meeting", "GetMeeting", {"meetingKey": key})
    assert (gone.result, gone.exception_id) == ("FAILURE", "060001"), gone.describe()
    assert checker.judged[check] > before, f"check {check} judged none of the test's answers"


@pytest.mark.parametrize("check", REST_CHECKS)
def test_rest_answers_keep_the_wire_rules(site: SiteHandle, rest: RestMeetings, check: str) -> None:
    checker = _checker(site, check)
    before = checker.judged[check]
    created = rest.create_ok()
    got = rest.client.get(created["id"])
    assert got.status == 200 and got.json["id"] == created["id"], got.describe()
    listed = rest.client.list_meetings(meetingNumber=created["meetingNumber"])
    assert listed.status == 200, listed.describe()
    assert rest.client.delete(created["id"]).status == 204
    rest.ids.remove(created["id"])
    missing = rest.client.get(created["id"])
    assert missing.status == 404, missing.describe()
    assert checker.judged[check] > before, f"check {check} judged none of the test's answers"
