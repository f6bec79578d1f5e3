"""Attendees: registration forms (040014) and how e-mails are stored (000, 004; 001 40.8.0)."""

from __future__ import annotations

from typing import Any

import pytest

from contracts.support import Meetings, meeting_body, registration_form
from harness.client import XmlClient


def _person(name: str, email: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "email": email, **extra}


def _meeting_with_form(meetings: Meetings, *required: str) -> str:
    key, _ = meetings.create_ok(meeting_body(
        attendeeOptions={"registration": True},
        registrationForm=registration_form(*required),
    ))
    return key


@pytest.mark.behaviour("registration-required-fields-040014")
@pytest.mark.parametrize("api", ["CreateMeetingAttendee", "RegisterMeetingAttendee"])
def test_attendee_missing_required_registration_fields_fails_with_040014(
    xml: XmlClient, meetings: Meetings, api: str
) -> None:
    key = _meeting_with_form(meetings, "title", "company")
    person = _person("Ann Lacking", "ann.lacking@example.com")
    body = {"person": person, "sessionKey": key} if api == "CreateMeetingAttendee" else {
        "attendees": {"person": person, "role": "ATTENDEE", "sessionKey": key}}
    response = xml.call("attendee", api, body)
    assert response.result == "FAILURE", response.describe()
    assert response.exception_id == "040014"
    assert response.reason == "Missing required fields (registration form) : title,company"
    assert response.value == "title,company"


@pytest.mark.behaviour("registration-required-fields-040014")
def test_040014_lists_the_missing_fields_in_form_order(xml: XmlClient, meetings: Meetings) -> None:
    key = _meeting_with_form(meetings, "city", "title", "phone")
    response = xml.call("attendee", "CreateMeetingAttendee", {
        "person": _person("Bo Partial", "bo.partial@example.com", title="Engineer"), "sessionKey": key})
    assert (response.exception_id, response.value) == ("040014", "city,phone"), response.describe()
    assert response.reason == "Missing required fields (registration form) : city,phone"


@pytest.mark.behaviour("registration-required-fields-040014")
def test_attendee_with_all_required_registration_fields_succeeds(xml: XmlClient, meetings: Meetings) -> None:
    key = _meeting_with_form(meetings, "title", "company")
    response = xml.call("attendee", "CreateMeetingAttendee", {
        "person": _person("Cy Complete", "cy.complete@example.com", title="Engineer", company="Cisco1234"),
        "sessionKey": key,
    })
    response.expect_success()
    assert response.text("att:attendeeId")


@pytest.mark.behaviour("email-lowercase")
def test_mixed_case_attendee_email_reads_back_lowercase(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok()
    xml.call("attendee", "CreateMeetingAttendee", {
        "person": _person("Dee Mixed", "Dee.Mixed@Example.COM"), "sessionKey": key}).expect_success()
    listed = xml.call("attendee", "LstMeetingAttendee", {"meetingKey": key}).expect_success()
    emails = listed.texts("att:attendee/att:person/com:email")
    assert emails == ["dee.mixed@example.com"]


@pytest.mark.behaviour("email-lowercase")
def test_mixed_case_invitee_of_create_meeting_reads_back_lowercase(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(participants={"attendees": {"attendee": {
        "person": {"name": "James Kirk", "email": "Jkirk@SZ.webex.com"}}}}))
    got = xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()
    assert got.texts("meet:participants/meet:attendees/meet:attendee/meet:person/com:email") == [
        "jkirk@sz.webex.com"]
