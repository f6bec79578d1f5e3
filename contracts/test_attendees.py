"""Attendees: registration forms (040014), how e-mails are stored (000, 004; 001 40.8.0, 40.12.0),
deletion, and GetEnrollmentInfo (001 40.4.0)."""

from __future__ import annotations

from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.support import registration_form
from webex_harness.plugin.xml_meetings import Meetings, meeting_body


def _person(name: str, email: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "email": email, **extra}


def _meeting_with_form(meetings: Meetings, *required: str) -> str:
    key, _ = meetings.create_ok(
        meeting_body(
            attendeeOptions={"registration": True},
            registrationForm=registration_form(*required),
        )
    )
    return key


@pytest.mark.behaviour("registration-required-fields-040014")
@pytest.mark.parametrize("api", ["CreateMeetingAttendee", "RegisterMeetingAttendee"])
def test_attendee_missing_required_registration_fields_fails_with_040014(
    xml: XmlClient, meetings: Meetings, api: str
) -> None:
    key = _meeting_with_form(meetings, "title", "company")
    person = _person("Ann Lacking", "ann.lacking@example.com")
    body = (
        {"person": person, "sessionKey": key}
        if api == "CreateMeetingAttendee"
        else {"attendees": {"person": person, "role": "ATTENDEE", "sessionKey": key}}
    )
    response = xml.call("attendee", api, body)
    assert response.result == "FAILURE", response.describe()
    assert response.exception_id == "040014"
    assert response.reason == "Missing required fields (registration form) : title,company"
    assert response.value == "title,company"


@pytest.mark.behaviour("registration-required-fields-040014")
def test_040014_lists_the_missing_fields_in_form_order(xml: XmlClient, meetings: Meetings) -> None:
    key = _meeting_with_form(meetings, "city", "title", "phone")
    response = xml.call(
        "attendee",
        "CreateMeetingAttendee",
        {"person": _person("Bo Partial", "bo.partial@example.com", title="Engineer"), "sessionKey": key},
    )
    assert (response.exception_id, response.value) == ("040014", "city,phone"), response.describe()
    assert response.reason == "Missing required fields (registration form) : city,phone"


@pytest.mark.behaviour("registration-required-fields-040014")
def test_attendee_with_all_required_registration_fields_succeeds(xml: XmlClient, meetings: Meetings) -> None:
    key = _meeting_with_form(meetings, "title", "company")
    response = xml.call(
        "attendee",
        "CreateMeetingAttendee",
        {
            "person": _person("Cy Complete", "cy.complete@example.com", title="Engineer", company="Cisco1234"),
            "sessionKey": key,
        },
    )
    response.expect_success()
    assert response.text("att:attendeeId")


@pytest.mark.behaviour("email-lowercase")
def test_mixed_case_attendee_email_reads_back_lowercase(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok()
    xml.call(
        "attendee",
        "CreateMeetingAttendee",
        {"person": _person("Dee Mixed", "Dee.Mixed@Example.COM"), "sessionKey": key},
    ).expect_success()
    listed = xml.call("attendee", "LstMeetingAttendee", {"meetingKey": key}).expect_success()
    emails = listed.texts("att:attendee/att:person/com:email")
    assert emails == ["dee.mixed@example.com"]


@pytest.mark.behaviour("email-lowercase")
def test_mixed_case_invitee_of_create_meeting_reads_back_lowercase(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(
        meeting_body(
            participants={"attendees": {"attendee": {"person": {"name": "James Kirk", "email": "Jkirk@SZ.webex.com"}}}}
        )
    )
    got = xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()
    assert got.texts("meet:participants/meet:attendees/meet:attendee/att:person/com:email") == ["jkirk@sz.webex.com"]


# ---------------------------------------------------------------- email-no-whitespace (001, 40.8.0)

_SPACY = "spacy attendee@example.com"


def _invitee(email: str, name: str = "Spacy Attendee") -> dict[str, Any]:
    return {"attendees": {"attendee": {"person": {"name": name, "email": email}}}}


@pytest.mark.behaviour("email-no-whitespace")
@pytest.mark.parametrize("email", [_SPACY, "spacy.attendee@exa mple.com", "spacy\tattendee@example.com"])
@pytest.mark.parametrize("api", ["CreateMeetingAttendee", "RegisterMeetingAttendee"])
def test_attendee_email_with_white_space_is_rejected(xml: XmlClient, meetings: Meetings, api: str, email: str) -> None:
    key, _ = meetings.create_ok()
    person = _person("Spacy Attendee", email)
    body = (
        {"person": person, "sessionKey": key}
        if api == "CreateMeetingAttendee"
        else {"attendees": {"person": person, "role": "ATTENDEE", "sessionKey": key}}
    )
    response = xml.call("attendee", api, body)
    assert response.result == "FAILURE", response.describe()
    listed = xml.call("attendee", "LstMeetingAttendee", {"meetingKey": key})
    assert listed.exception_id == "000015", "nothing was added: " + listed.describe()


@pytest.mark.behaviour("email-no-whitespace")
@pytest.mark.parametrize("api", ["CreateMeeting", "SetMeeting"])
def test_invitee_email_with_white_space_is_rejected_by_create_and_set_meeting(
    xml: XmlClient, meetings: Meetings, api: str
) -> None:
    if api == "CreateMeeting":
        response = meetings.create(meeting_body(participants=_invitee(_SPACY)))
    else:
        key, _ = meetings.create_ok()
        response = xml.call("meeting", "SetMeeting", {"meetingkey": key, "participants": _invitee(_SPACY)})
    assert response.result == "FAILURE", response.describe()


@pytest.mark.behaviour("email-no-whitespace")
def test_emails_without_white_space_are_accepted(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(participants=_invitee("tidy.invitee@example.com", "Tidy Invitee")))
    xml.call(
        "attendee",
        "CreateMeetingAttendee",
        {"person": _person("Tidy Attendee", "tidy.attendee@example.com"), "sessionKey": key},
    ).expect_success()
    listed = xml.call("attendee", "LstMeetingAttendee", {"meetingKey": key}).expect_success()
    assert sorted(listed.texts("att:attendee/att:person/com:email")) == [
        "tidy.attendee@example.com",
        "tidy.invitee@example.com",
    ]


# ---------------------------------------------------------------- duplicate-email-first-wins (001, 40.12.0)


@pytest.mark.behaviour("duplicate-email-first-wins")
def test_create_meeting_attendee_processes_only_the_first_of_an_email(xml: XmlClient, meetings: Meetings) -> None:
    """The 40.12.0 sample: a person and an attendees block with the same e-mail."""
    key, _ = meetings.create_ok()
    xml.call(
        "attendee",
        "CreateMeetingAttendee",
        {
            "sessionKey": key,
            "person": {"email": "test@webex.com", "name": "name1"},
            "attendees": {"person": {"email": "test@webex.com", "name": "name2"}, "sessionKey": key},
        },
    ).expect_success()
    listed = xml.call("attendee", "LstMeetingAttendee", {"meetingKey": key}).expect_success()
    assert listed.texts("att:attendee/att:person/com:name") == ["name1"]
    assert listed.text("att:matchingRecords/serv:total") == "1"


_TWINS = {
    "attendees": {
        "attendee": [
            {"person": {"name": "First Twin", "email": "twin@example.com"}},
            {"person": {"name": "Second Twin", "email": "twin@example.com"}},
            {"person": {"name": "Other", "email": "other@example.com"}},
        ]
    }
}
_MEETING_NAMES = "meet:participants/meet:attendees/meet:attendee/att:person/com:name"


@pytest.mark.behaviour("duplicate-email-first-wins")
def test_create_meeting_keeps_only_the_first_invitee_of_an_email(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(participants=_TWINS))
    got = xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()
    assert got.texts(_MEETING_NAMES) == ["First Twin", "Other"]


@pytest.mark.behaviour("duplicate-email-first-wins")
def test_set_meeting_keeps_only_the_first_invitee_of_an_email(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok()
    xml.call("meeting", "SetMeeting", {"meetingkey": key, "participants": _TWINS}).expect_success()
    got = xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()
    assert got.texts(_MEETING_NAMES) == ["First Twin", "Other"]


# ---------------------------------------------------------------- deletion


@pytest.mark.behaviour("meeting-uuid-equivalence")
@pytest.mark.api("DelMeetingAttendee")  # its meetingUUID support (docs/versions.md)
def test_del_meeting_attendee_by_email_and_meeting_uuid(xml: XmlClient, meetings: Meetings) -> None:
    key, uuid = meetings.create_ok()
    for name in ("keep", "drop"):
        xml.call(
            "attendee", "CreateMeetingAttendee", {"person": _person(name, f"{name}@example.com"), "sessionKey": key}
        ).expect_success()
    xml.call(
        "attendee", "DelMeetingAttendee", {"attendeeEmail": {"email": "drop@example.com", "meetingUUID": uuid}}
    ).expect_success()
    listed = xml.call("attendee", "LstMeetingAttendee", {"meetingUUID": uuid}).expect_success()
    assert listed.texts("att:attendee/att:person/com:email") == ["keep@example.com"]


# ---------------------------------------------------------------- enrollment-domain-empty (001, 40.4.0)


@pytest.mark.behaviour("enrollment-domain-empty")
@pytest.mark.behaviour("meeting-uuid-equivalence")  # it asks by meetingUUID
@pytest.mark.api("GetEnrollmentInfo")
def test_get_enrollment_info_answers_the_sample_shape_with_an_empty_domain(xml: XmlClient, meetings: Meetings) -> None:
    key, uuid = meetings.create_ok()
    xml.call(
        "attendee",
        "RegisterMeetingAttendee",
        {
            "attendees": {
                "person": {
                    "name": "Alex Yang",
                    "firstName": "Alex",
                    "lastName": "Yang",
                    "email": "Alex.Yang@Example.com",
                    "type": "VISITOR",
                },
                "role": "ATTENDEE",
                "joinStatus": "ACCEPT",
                "sessionKey": key,
            }
        },
    ).expect_success()
    for request in ({"sessionKey": key}, {"meetingUUID": uuid}):
        got = xml.call("attendee", "GetEnrollmentInfo", request).expect_success()
        attendee = "att:session/att:attendee"
        assert got.has("att:session/att:confID")
        assert got.texts(f"{attendee}/att:enrollFields/att:defaultFields/att:email") == ["alex.yang@example.com"]
        assert got.text(f"{attendee}/att:enrollFields/att:defaultFields/att:firstName") == "Alex"
        assert got.text(f"{attendee}/att:enrollFields/att:defaultFields/att:lastName") == "Yang"
        assert got.has(f"{attendee}/att:enrollFields/att:customFields")
        assert got.has(f"{attendee}/att:attendeeID")
        domains = got.texts(f"{attendee}/att:domain")
        assert len(domains) == 1 and domains[0].strip() == "", f"att:domain must be empty, got {domains!r}"
        assert got.text(f"{attendee}/att:ipAddress")
        assert got.text(f"{attendee}/att:status") in ("APPROVED", "PENDING", "REJECTED")
        assert got.text("att:session/att:matchingRecords/serv:total") == "1"
        assert got.text("att:session/att:matchingRecords/serv:returned") == "1"
        assert got.text("att:session/att:sessionKey") == key
