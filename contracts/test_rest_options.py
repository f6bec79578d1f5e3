"""REST body rules that tie one field to another or to the site (003 "Update a Meeting"; Create takes
the same body): polling and audience call-back only for webinars, connect-audio-before-host only with
join-before-host, the site's password complexity, ``sendEmail``'s type, and the registration form
(``maxRegisterNum``, ``customizedQuestions``, ``rules``) kept and answered as sent.

Refused values answer 400 and leave the meeting as it was; the accepted side is asserted too. The
passwords refused here break several of the strict-password criteria at once, so they are refused
whatever criteria a real site chose.
"""

from __future__ import annotations

from typing import Any

import pytest

from webex_harness.contracts.rest_support import WEBINAR_ONLY_FLAGS, assert_error
from webex_harness.plugin.rest_meetings import RestMeetings, meeting_body
from webex_harness.plugin.run_names import own_name

# ---------------------------------------------------------------- rest-webinar-only-options


@pytest.mark.behaviour("rest-webinar-only-options")
@pytest.mark.parametrize(("group", "flag"), WEBINAR_ONLY_FLAGS)
def test_webinar_only_option_true_is_refused_for_a_meeting(rest: RestMeetings, group: str, flag: str) -> None:
    assert_error(rest.create(meeting_body(**{group: {flag: True}})), 400)
    created = rest.create_ok(meeting_body(**{group: {flag: False}}))
    assert created[group][flag] is False
    assert_error(rest.client.update(created["id"], {group: {flag: True}}), 400)
    assert rest.client.get(created["id"]).json[group][flag] is False


@pytest.mark.behaviour("rest-webinar-only-options")
@pytest.mark.parametrize(("group", "flag"), WEBINAR_ONLY_FLAGS)
def test_webinar_only_option_can_be_set_true_for_a_webinar(rest: RestMeetings, group: str, flag: str) -> None:
    created = rest.create_ok(meeting_body(own_name("webinar"), scheduledType="webinar", **{group: {flag: True}}))
    assert created[group][flag] is True
    switched = rest.client.update(created["id"], {group: {flag: False}})
    assert switched.status == 200, switched.describe()
    assert switched.json[group][flag] is False


# ---------------------------------------------------------------- rest-connect-audio-before-host


@pytest.mark.behaviour("rest-connect-audio-before-host")
def test_connect_audio_before_host_needs_join_before_host(rest: RestMeetings) -> None:
    assert_error(rest.create(meeting_body(enabledJoinBeforeHost=False, enableConnectAudioBeforeHost=True)), 400)
    created = rest.create_ok(meeting_body(enabledJoinBeforeHost=False))
    assert_error(rest.client.update(created["id"], {"enableConnectAudioBeforeHost": True}), 400)
    assert rest.client.get(created["id"]).json["enableConnectAudioBeforeHost"] is False
    both = rest.client.update(created["id"], {"enabledJoinBeforeHost": True, "enableConnectAudioBeforeHost": True})
    assert both.status == 200, both.describe()
    assert (both.json["enabledJoinBeforeHost"], both.json["enableConnectAudioBeforeHost"]) == (True, True)


# ---------------------------------------------------------------- rest-password-complexity

#: passwords that break at least two strict-password criteria each
WEAK = {"three-characters": "ab1", "letters-only": "abcdefghij", "digits-only": "1234567890"}


@pytest.mark.behaviour("rest-password-complexity")
@pytest.mark.parametrize("case", sorted(WEAK))
def test_a_weak_meeting_password_is_refused(rest: RestMeetings, case: str) -> None:
    assert_error(rest.create(meeting_body(password=WEAK[case])), 400)
    created = rest.create_ok(meeting_body(password="Str0ngPass9"))
    assert created["password"] == "Str0ngPass9"
    assert_error(rest.client.update(created["id"], {"password": WEAK[case]}), 400)
    assert rest.client.get(created["id"]).json["password"] == "Str0ngPass9"


@pytest.mark.behaviour("rest-password-complexity")
def test_a_weak_panelist_password_is_refused(rest: RestMeetings) -> None:
    body = meeting_body(own_name("webinar"), scheduledType="webinar", panelistPassword=WEAK["letters-only"])
    assert_error(rest.create(body), 400)
    created = rest.create_ok(meeting_body(own_name("webinar"), scheduledType="webinar", panelistPassword="Pan3list99"))
    assert_error(rest.client.update(created["id"], {"panelistPassword": WEAK["digits-only"]}), 400)
    assert rest.client.get(created["id"]).json["panelistPassword"] == "Pan3list99"


# ---------------------------------------------------------------- rest-send-email-type


@pytest.mark.behaviour("rest-send-email-type")
@pytest.mark.parametrize("value", ["yes", 1, {"host": True}])
def test_send_email_that_is_not_a_boolean_is_refused(rest: RestMeetings, value: Any) -> None:
    assert_error(rest.create(meeting_body(sendEmail=value)), 400)
    created = rest.create_ok(meeting_body(sendEmail=False))
    assert_error(rest.client.update(created["id"], {"sendEmail": value, "title": "never applied"}), 400)
    assert rest.client.get(created["id"]).json["title"] == created["title"]
    assert rest.client.update(created["id"], {"sendEmail": True}).status == 200


# ---------------------------------------------------------------- rest-registration-form

QUESTIONS: list[dict[str, Any]] = [
    {"question": "Which team are you in?", "required": True, "type": "singleLineTextBox", "maxLength": 64},
    {
        "question": "Topics of interest",
        "required": False,
        "type": "checkbox",
        "options": [{"value": "Scheduling"}, {"value": "Recordings"}],
        "rules": [
            {"condition": "contains", "value": "Recordings", "result": "approve", "matchCase": False, "order": 2}
        ],
    },
]
RULES: list[dict[str, Any]] = [
    {
        "question": "email",
        "condition": "endsWith",
        "value": "@example.com",
        "result": "approve",
        "matchCase": False,
        "order": 1,
    },
]


def _without_ids(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Questions (and their options) without the IDs the service gives them."""
    out = []
    for item in items:
        copy = {k: v for k, v in item.items() if k != "id"}
        if "options" in copy:
            copy["options"] = [{k: v for k, v in o.items() if k != "id"} for o in copy["options"]]
        out.append(copy)
    return out


@pytest.mark.behaviour("rest-registration-form")
def test_registration_form_is_kept_and_answered_as_sent(rest: RestMeetings) -> None:
    created = rest.create_ok()
    registration = {"requireJobTitle": True, "maxRegisterNum": 50, "customizedQuestions": QUESTIONS, "rules": RULES}
    response = rest.client.update(created["id"], {"registration": registration})
    assert response.status == 200, response.describe()
    for got in (response.json["registration"], rest.client.get(created["id"]).json["registration"]):
        assert (got["requireJobTitle"], got["maxRegisterNum"]) == (True, 50)
        assert _without_ids(got["customizedQuestions"]) == QUESTIONS
        assert got["rules"] == RULES
        assert all(isinstance(q.get("id"), int) for q in got["customizedQuestions"]), "questions get IDs"


@pytest.mark.behaviour("rest-registration-form")
@pytest.mark.parametrize(
    ("case", "registration"),
    [
        ("unknown-question-type", {"customizedQuestions": [{"question": "Q", "type": "slider"}]}),
        ("checkbox-without-options", {"customizedQuestions": [{"question": "Q", "type": "checkbox"}]}),
        (
            "max-length-1000",
            {"customizedQuestions": [{"question": "Q", "type": "singleLineTextBox", "maxLength": 1000}]},
        ),
        ("unknown-condition", {"rules": [{**RULES[0], "condition": "resembles"}]}),
        ("unknown-result", {"rules": [{**RULES[0], "result": "maybe"}]}),
    ],
)
def test_invalid_registration_form_is_refused(rest: RestMeetings, case: str, registration: dict[str, Any]) -> None:
    created = rest.create_ok()
    assert_error(rest.client.update(created["id"], {"registration": registration}), 400)
    assert rest.client.get(created["id"]).json["registration"].get("customizedQuestions", []) == [], case


# ---------------------------------------------------------------- fields clients send (rest-response-shape)


@pytest.mark.behaviour("rest-response-shape")
@pytest.mark.parametrize("value", [True, False])
def test_webinar_fields_host_email_and_session_type_round_trip(rest: RestMeetings, value: bool) -> None:
    """The webinar-only fields, ``hostEmail`` (the token's own user, as a meeting shows it) and
    ``sessionTypeId`` come back as sent, both ways."""
    host = rest.create_ok()["hostEmail"]
    body = meeting_body(
        own_name("webinar fields"),
        scheduledType="webinar",
        hostEmail=host,
        publicMeeting=value,
        enabledWebcastView=value,
        requireAttendeeLogin=value,
        restrictToInvitees=value,
        panelistPassword="Pan3list99",
    )
    created = rest.create_ok(body)
    assert created["hostEmail"].lower() == host.lower()
    for name in ("publicMeeting", "enabledWebcastView", "requireAttendeeLogin", "restrictToInvitees"):
        assert created[name] is value, name
    assert created["panelistPassword"] == "Pan3list99"
    session_type = created["sessionTypeId"]
    assert isinstance(session_type, int)
    again = rest.client.update(created["id"], {"sessionTypeId": session_type, "enabledWebcastView": not value})
    assert again.status == 200, again.describe()
    assert (again.json["sessionTypeId"], again.json["enabledWebcastView"]) == (session_type, not value)
