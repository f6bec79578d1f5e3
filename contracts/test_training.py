"""Training Center: CreateTrainingSession filters unsafe HTML and lowercases e-mails (004), the
e-mail rules of 001 (40.8.0, 40.12.0), listing, and scheduled tests (001 40.8.0/40.9.0)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.support import OwnWindow, assert_pages
from webex_harness.contracts.test_scheduling import TRAINING, Sessions, training_body
from webex_harness.webex.envelope import XmlResponse

_UNSAFE = (
    '<p>Welcome to <b>onboarding</b></p><script src="https://evil.example.com/x.js"></script>'
    '<body onload="steal()"><a href="JaVaScRiPt:alert(1)">agenda</a><object data="x.swf"></object>'
)


@pytest.fixture
def trainings(xml: XmlClient) -> Iterator[Sessions]:
    tracker = Sessions(xml)
    try:
        yield tracker
    finally:
        tracker.cleanup()


def _participants(*people: tuple[str, str], role: str = "ATTENDEE") -> dict[str, Any]:
    return {
        "participants": {
            "participant": [
                {"person": {"name": name, "email": email, "type": "VISITOR"}, "role": role} for name, email in people
            ]
        }
    }


def _assert_filtered(text: str | None) -> None:
    assert text is not None
    low = text.lower()
    for unsafe in ("<script", "onload", "javascript:", "<object", "steal()"):
        assert unsafe not in low, f"{unsafe!r} survived the HTML filter: {text!r}"
    assert "Welcome to" in text and "onboarding" in text, f"the safe text must stay: {text!r}"


# ---------------------------------------------------------------- unsafe-html-filtered (004)


@pytest.mark.behaviour("unsafe-html-filtered")
@pytest.mark.parametrize("field", ["agenda", "description", "greeting", "invitation"])
def test_create_training_session_filters_unsafe_html(trainings: Sessions, field: str) -> None:
    key = trainings.create_ok(TRAINING, training_body(metaData={field: _UNSAFE}))
    _assert_filtered(trainings.get(TRAINING, key).text(f"train:metaData/train:{field}"))


@pytest.mark.behaviour("unsafe-html-filtered")
def test_set_training_session_filters_unsafe_html(xml: XmlClient, trainings: Sessions) -> None:
    key = trainings.create_ok(TRAINING)
    xml.call("training", "SetTrainingSession", {"sessionKey": key, "metaData": {"agenda": _UNSAFE}}).expect_success()
    _assert_filtered(trainings.get(TRAINING, key).text("train:metaData/train:agenda"))


@pytest.mark.behaviour("unsafe-html-filtered")
def test_training_session_keeps_safe_text(trainings: Sessions) -> None:
    safe = "Module 1 & 2: <i>basics</i> (bring a laptop)"
    key = trainings.create_ok(TRAINING, training_body(metaData={"agenda": safe}))
    assert trainings.get(TRAINING, key).text("train:metaData/train:agenda") == safe


# ---------------------------------------------------------------- e-mails (004; 001 40.8.0, 40.12.0)

_PRESENTERS = "train:presenters/train:participants/train:participant"
_ATTENDEES = "train:attendees/train:participants/train:participant"


@pytest.mark.behaviour("email-lowercase")
def test_training_presenter_and_attendee_emails_read_back_lowercase(trainings: Sessions) -> None:
    key = trainings.create_ok(
        TRAINING,
        training_body(
            presenters=_participants(("Alt Host", "Alt.Host@Test.COM"), role="HOST"),
            attendees=_participants(("Att Endee", "Att.Endee@Test.COM")),
        ),
    )
    got = trainings.get(TRAINING, key)
    assert got.texts(f"{_PRESENTERS}/train:person/com:email") == ["alt.host@test.com"]
    assert got.texts(f"{_PRESENTERS}/train:role") == ["HOST"]
    assert got.texts(f"{_ATTENDEES}/train:person/com:email") == ["att.endee@test.com"]


@pytest.mark.behaviour("email-no-whitespace")
@pytest.mark.parametrize("api", ["CreateTrainingSession", "SetTrainingSession"])
def test_training_emails_with_white_space_are_rejected(xml: XmlClient, trainings: Sessions, api: str) -> None:
    bad = _participants(("Spacy", "spacy attendee@test.com"))
    if api == "CreateTrainingSession":
        response = trainings.create(TRAINING, training_body(attendees=bad))
    else:
        response = xml.call("training", api, {"sessionKey": trainings.create_ok(TRAINING), "attendees": bad})
    assert response.result == "FAILURE", response.describe()


@pytest.mark.behaviour("email-no-whitespace")
def test_training_emails_without_white_space_are_accepted(xml: XmlClient, trainings: Sessions) -> None:
    key = trainings.create_ok(TRAINING)
    xml.call(
        "training",
        "SetTrainingSession",
        {"sessionKey": key, "attendees": _participants(("Tidy", "tidy.attendee@test.com"))},
    ).expect_success()
    assert trainings.get(TRAINING, key).texts(f"{_ATTENDEES}/train:person/com:email") == ["tidy.attendee@test.com"]


@pytest.mark.behaviour("duplicate-email-first-wins")
def test_create_training_session_keeps_only_the_first_attendee_of_an_email(trainings: Sessions) -> None:
    key = trainings.create_ok(
        TRAINING,
        training_body(
            attendees=_participants(
                ("First Twin", "twin@test.com"), ("Second Twin", "twin@test.com"), ("Other", "other@test.com")
            )
        ),
    )
    assert trainings.get(TRAINING, key).texts(f"{_ATTENDEES}/train:person/com:name") == ["First Twin", "Other"]


@pytest.mark.behaviour("duplicate-email-first-wins")
def test_set_training_session_keeps_only_the_first_attendee_of_an_email(xml: XmlClient, trainings: Sessions) -> None:
    key = trainings.create_ok(TRAINING)
    xml.call(
        "training",
        "SetTrainingSession",
        {"sessionKey": key, "attendees": _participants(("First", "same@test.com"), ("Second", "same@test.com"))},
    ).expect_success()
    assert trainings.get(TRAINING, key).texts(f"{_ATTENDEES}/train:person/com:name") == ["First"]


# ---------------------------------------------------------------- listing and scheduled tests


@pytest.mark.behaviour("list-paging")
def test_lstsummary_training_session_lists_with_meeting_uuids(
    xml: XmlClient, trainings: Sessions, run_name: Callable[[str], str]
) -> None:
    window = OwnWindow.random()
    keys = [
        trainings.create_ok(
            TRAINING,
            training_body(
                run_name(f"training {i}"), schedule={"startDate": window.date(i), "timeZoneID": window.time_zone_id}
            ),
        )
        for i in range(3)
    ]

    def lister(start: int, size: int) -> XmlResponse:
        return xml.call(
            "training",
            "LstsummaryTrainingSession",
            {**window.scope(), "listControl": {"startFrom": start, "maximumNum": size}},
        )

    assert_pages(lister, "train", "train:trainingSession", "train:sessionKey", own=keys)
    page = lister(2, 5).expect_success()
    assert page.text("train:matchingRecords/serv:startFrom") == "2"
    listed = page.texts("train:trainingSession/train:sessionKey")
    assert page.text("train:matchingRecords/serv:returned") == str(len(listed)) and listed
    assert all(len(u) == 32 for u in page.texts("train:trainingSession/train:meetingUUID"))


@pytest.mark.behaviour("meeting-uuid-equivalence")
@pytest.mark.api("CreateTrainingSession")  # the newest meetingUUID support the test relies on (docs/versions.md)
def test_scheduled_tests_round_trip_by_key_and_by_uuid(xml: XmlClient, trainings: Sessions) -> None:
    created = trainings.create(TRAINING).expect_success()
    key, uuid = created.text("train:sessionkey"), created.text("train:meetingUUID")
    added = xml.call("training", "AddScheduledTest", {"testID": 102, "sessionKey": key}).expect_success()
    assert added.text("train:testID") == "102"
    xml.call(
        "training", "SetScheduledTest", {"meetingUUID": uuid, "testID": 102, "timeLimit": {"withinMinutes": 30}}
    ).expect_success()
    listed = xml.call("training", "LstScheduledTests", {"meetingUUID": uuid}).expect_success()
    assert listed.texts("train:test/train:testID") == ["102"]
    assert listed.text("train:test/train:meetingUUID") == uuid
    info = xml.call("training", "GetTestInformation", {"testID": 102}).expect_success()
    assert info.text("train:testInfo/train:testID") == "102"
    xml.call("training", "DelScheduledTest", {"sessionKey": key, "testID": 102}).expect_success()
    assert xml.call("training", "LstScheduledTests", {"sessionKey": key}).exception_id == "000015"
