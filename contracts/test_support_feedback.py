"""Support Center's GetFeedbackInfo (reference page getfeedbackinfo): what the customers of a support
session said of it, for the session's host. A test makes its own support session (deleted after it);
customers' feedback forms exist only where customers took part, so the tests that need forms run on
the emulator, which records them through its control API."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.plugin.targets import SiteHandle


@contextmanager
def _own_support_session(xml: XmlClient) -> Iterator[tuple[str, str]]:
    """A support session of the host, deleted afterwards: (sessionKey, confID)."""
    made = xml.call("support", "CreateSupportSession", {"metaData": {"confName": "Wxh feedback"}}).expect_success()
    key = made.text("sc:sessionKey")
    assert key, made.describe()
    try:
        info = xml.call("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
        conf_id = info.text("ep:confID")
        assert conf_id, info.describe()
        yield key, conf_id
    finally:
        xml.call("ep", "DelSession", {"sessionKey": key})


@pytest.fixture
def support_session(xml: XmlClient) -> Iterator[tuple[str, str]]:
    """A support session of the host for the test: (sessionKey, confID)."""
    with _own_support_session(xml) as made:
        yield made


def _feedback(xml: XmlClient, conf_id: str) -> list[list[tuple[str, str]]]:
    got = xml.call("attendee", "GetFeedbackInfo", {"confID": conf_id}).expect_success()
    assert got.text("att:session/att:confID") == conf_id, got.describe()
    forms = [
        [
            (field.tag.split("}")[1], field.text or "")
            for field in attendee.iterfind("{*}feedbackFields/{*}defaultFields/*")
        ]
        for attendee in got.xpath("att:session/att:attendee")
    ]
    assert got.text("att:session/att:matchingRecords/serv:total") == str(len(forms))
    return forms


@pytest.mark.behaviour("support-feedback")
def test_a_support_session_without_feedback_answers_no_attendee(
    xml: XmlClient, support_session: tuple[str, str]
) -> None:
    assert _feedback(xml, support_session[1]) == []


@pytest.mark.behaviour("support-feedback")
def test_feedback_info_answers_each_form_of_that_session(site: SiteHandle, xml: XmlClient) -> None:
    if not site.is_emulator:
        pytest.skip("feedback forms come from a real session's customers")
    with _own_support_session(xml) as (key, conf_id), _own_support_session(xml) as (other_key, _):
        site.control.support_feedback(site.name, other_key, setup="Poor", comment="not this one")
        site.control.support_feedback(site.name, key, setup="Easy", easeOfUse="Good", comment="thanks")
        site.control.support_feedback(site.name, key, performance="Fast")
        assert _feedback(xml, conf_id) == [
            [("setup", "Easy"), ("easeOfUse", "Good"), ("comment", "thanks")],
            [("performance", "Fast")],
        ]


@pytest.mark.behaviour("support-feedback")
def test_feedback_info_for_a_conf_id_of_no_support_session_is_000015(xml: XmlClient) -> None:
    got = xml.call("attendee", "GetFeedbackInfo", {"confID": 1})
    assert got.result == "FAILURE" and got.exception_id == "000015", got.describe()
