"""Scheduling: passwords, start times and what Create* answers (001 40.1.2, 40.2.0, 40.8.0; 002; 004)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import Meetings, future_date, meeting_body, past_date, webex_date
from webex_harness.webex.envelope import XmlResponse

# ---------------------------------------------------------------- bodies and a tracker for every kind


def event_body(name: str | None = None, **sections: Any) -> dict[str, Any]:
    """A CreateEvent body shaped like the 000 SetEvent sample, without the session key."""
    body: dict[str, Any] = {
        "accessControl": {"listing": "PUBLIC"},
        "schedule": {"startDate": future_date(), "duration": 60, "timeZoneID": 4},
        "metaData": {
            "sessionName": name if name is not None else own_name("contract event"),
            "sessionType": 9,
            "description": "contract event",
        },
    }
    return _merge(body, sections)


def training_body(name: str | None = None, **sections: Any) -> dict[str, Any]:
    """A CreateTrainingSession body shaped like the 004 sample."""
    body: dict[str, Any] = {
        "accessControl": {"listing": "PUBLIC"},
        "schedule": {"startDate": future_date(), "duration": 60, "timeZoneID": 4},
        "metaData": {
            "confName": name if name is not None else own_name("contract training"),
            "agenda": "contract agenda",
        },
    }
    return _merge(body, sections)


def teleconference_body(name: str | None = None, **sections: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "metaData": {"confName": name if name is not None else own_name("contract teleconference")},
        "schedule": {"startDate": future_date(), "duration": 30, "timeZoneID": 4},
    }
    return _merge(body, sections)


def _merge(body: dict[str, Any], sections: dict[str, Any]) -> dict[str, Any]:
    for key, value in sections.items():
        if isinstance(value, dict) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return body


@dataclass(frozen=True)
class Kind:
    """How one kind of session is created, read and deleted."""

    service: str
    create: str
    get: str
    delete: str
    key_xpath: str
    password_section: str
    password_element: str
    password_xpath: str
    body: Callable[..., dict[str, Any]]


MEETING = Kind(
    "meeting",
    "CreateMeeting",
    "GetMeeting",
    "DelMeeting",
    "meet:meetingkey",
    "accessControl",
    "meetingPassword",
    "meet:meetingPassword",
    meeting_body,
)
EVENT = Kind(
    "event",
    "CreateEvent",
    "GetEvent",
    "DelEvent",
    "event:sessionKey",
    "accessControl",
    "sessionPassword",
    "event:eventPassword",
    event_body,
)
TRAINING = Kind(
    "training",
    "CreateTrainingSession",
    "GetTrainingSession",
    "DelTrainingSession",
    "train:sessionkey",
    "accessControl",
    "sessionPassword",
    "train:sessionPassword",
    training_body,
)
TELECONFERENCE = Kind(
    "teleconference",
    "CreateTeleconferenceSession",
    "GetTeleconferenceSession",
    "DelMeeting",
    "tel:sessionKey",
    "accessControl",
    "sessionPassword",
    "tel:sessionPassword",
    teleconference_body,
)
KINDS = {k.create: k for k in (MEETING, EVENT, TRAINING, TELECONFERENCE)}


@dataclass
class Sessions:
    """Creates sessions of any kind for a test and deletes them afterwards."""

    client: XmlClient
    created: list[tuple[Kind, str]] = field(default_factory=list)

    def create(self, kind: Kind, body: dict[str, Any] | None = None) -> XmlResponse:
        response = self.client.call(kind.service, kind.create, body if body is not None else kind.body())
        key = response.text(kind.key_xpath)
        if response.ok and key:
            self.created.append((kind, key))
        return response

    def create_ok(self, kind: Kind, body: dict[str, Any] | None = None) -> str:
        response = self.create(kind, body).expect_success()
        key = response.text(kind.key_xpath)
        assert key, f"{kind.create} answered no {kind.key_xpath}"
        return key

    def get(self, kind: Kind, key: str) -> XmlResponse:
        return self.client.call(kind.service, kind.get, {"sessionKey": key}).expect_success()

    def cleanup(self) -> None:
        for kind, key in reversed(self.created):
            key_name = "meetingKey" if kind.delete == "DelMeeting" else "sessionKey"
            self.client.call("meeting" if kind.delete == "DelMeeting" else kind.service, kind.delete, {key_name: key})
        self.created.clear()


@pytest.fixture
def sessions(xml: XmlClient) -> Iterator[Sessions]:
    tracker = Sessions(xml)
    try:
        yield tracker
    finally:
        tracker.cleanup()


# ---------------------------------------------------------------- password-autogenerated (001, 40.1.2)


@pytest.mark.behaviour("password-autogenerated")
def test_create_meeting_without_password_gets_one_generated_when_site_requires_passwords(
    site_factory: Callable[..., SiteHandle],
) -> None:
    site = site_factory(password_required=True)
    meetings = Meetings(site.client())
    try:
        response = meetings.create(meeting_body()).expect_success()
        generated = response.text("meet:meetingPassword")
        assert generated, "the site requires passwords and none was sent: the response must carry one"
        assert generated.strip() == generated and len(generated) >= 4
    finally:
        meetings.cleanup()


@pytest.mark.behaviour("password-autogenerated")
def test_create_meeting_without_password_gets_none_when_site_does_not_require_passwords(
    site_factory: Callable[..., SiteHandle],
) -> None:
    site = site_factory(password_required=False)
    meetings = Meetings(site.client())
    try:
        response = meetings.create(meeting_body()).expect_success()
        assert not response.text("meet:meetingPassword"), "no password sent, none required: none generated"
    finally:
        meetings.cleanup()


@pytest.mark.behaviour("password-autogenerated")
@pytest.mark.parametrize("required", [True, False], ids=["site-requires-passwords", "site-does-not"])
def test_create_meeting_echoes_the_password_it_was_sent(
    site_factory: Callable[..., SiteHandle], required: bool
) -> None:
    site = site_factory(password_required=required)
    meetings = Meetings(site.client())
    try:
        body = meeting_body(accessControl={"meetingPassword": "Wxh4Pass7"})
        response = meetings.create(body).expect_success()
        assert response.text("meet:meetingPassword") == "Wxh4Pass7"
    finally:
        meetings.cleanup()


_OTHER_CREATES = ["CreateEvent", "CreateTrainingSession", "CreateTeleconferenceSession"]


@pytest.mark.behaviour("password-autogenerated")
@pytest.mark.parametrize("api", _OTHER_CREATES)
def test_other_creates_generate_a_password_when_the_site_requires_one(
    site_factory: Callable[..., SiteHandle], api: str
) -> None:
    """001, 40.1.2: CreateEvent answers eventPassword, CreateTrainingSession and
    CreateTeleconferenceSession answer sessionPassword."""
    kind = KINDS[api]
    tracker = Sessions(site_factory(password_required=True).client())
    try:
        response = tracker.create(kind).expect_success()
        generated = response.text(kind.password_xpath)
        assert generated, f"{api}: the site requires passwords and none was sent: {kind.password_xpath} expected"
        assert generated.strip() == generated and len(generated) >= 4
    finally:
        tracker.cleanup()


@pytest.mark.behaviour("password-autogenerated")
@pytest.mark.parametrize("api", _OTHER_CREATES)
def test_other_creates_generate_no_password_when_the_site_does_not_require_one(
    site_factory: Callable[..., SiteHandle], api: str
) -> None:
    kind = KINDS[api]
    tracker = Sessions(site_factory(password_required=False).client())
    try:
        response = tracker.create(kind).expect_success()
        assert not response.text(kind.password_xpath), f"{api}: no password sent, none required: none generated"
    finally:
        tracker.cleanup()


@pytest.mark.behaviour("password-autogenerated")
@pytest.mark.parametrize("api", _OTHER_CREATES)
@pytest.mark.parametrize("required", [True, False], ids=["site-requires-passwords", "site-does-not"])
def test_other_creates_echo_the_password_they_were_sent(
    site_factory: Callable[..., SiteHandle], api: str, required: bool
) -> None:
    kind = KINDS[api]
    tracker = Sessions(site_factory(password_required=required).client())
    try:
        body = kind.body(**{kind.password_section: {kind.password_element: "Wxh4Pass7"}})
        response = tracker.create(kind, body).expect_success()
        assert response.text(kind.password_xpath) == "Wxh4Pass7"
    finally:
        tracker.cleanup()


# ---------------------------------------------------------------- start-time-in-past (001, 40.2.0)

_REASON_060016 = "Session start time should be later than current time."


def _assert_060016(response: XmlResponse) -> None:
    assert response.result == "FAILURE", response.describe()
    assert response.exception_id == "060016"
    assert response.reason == _REASON_060016


@pytest.mark.behaviour("start-time-in-past")
def test_create_meeting_with_a_past_start_fails_with_060016(meetings: Meetings) -> None:
    _assert_060016(meetings.create(meeting_body(schedule={"startDate": past_date(2)})))


@pytest.mark.behaviour("start-time-in-past")
def test_set_meeting_with_a_past_start_fails_with_060016(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok()
    response = xml.call("meeting", "SetMeeting", {"meetingkey": key, "schedule": {"startDate": past_date(1)}})
    _assert_060016(response)
    got = xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()
    assert got.text("meet:schedule/meet:startDate") != past_date(1), "a refused SetMeeting changes nothing"


@pytest.mark.behaviour("start-time-in-past")
def test_future_start_times_are_accepted_by_create_and_set_meeting(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(schedule={"startDate": future_date(3)}))
    later = future_date(4)
    xml.call("meeting", "SetMeeting", {"meetingkey": key, "schedule": {"startDate": later}}).expect_success()
    got = xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()
    assert got.text("meet:schedule/meet:startDate") == later


@pytest.mark.behaviour("start-time-in-past")
def test_start_time_is_judged_on_the_site_clock(site: SiteHandle) -> None:
    """A start that was in the future becomes 'past' once the site's clock moves beyond it."""
    control = site.control
    client = site.client()
    meetings = Meetings(client)
    try:
        tomorrow = future_date(1)
        key, _ = meetings.create_ok(meeting_body(schedule={"startDate": tomorrow, "timeZoneID": 20}))
        control.advance_clock(site.name, 3 * 86400)
        _assert_060016(meetings.create(meeting_body(schedule={"startDate": tomorrow, "timeZoneID": 20})))
        _assert_060016(
            client.call(
                "meeting", "SetMeeting", {"meetingkey": key, "schedule": {"startDate": tomorrow, "timeZoneID": 20}}
            )
        )
        later = webex_date(datetime.strptime(tomorrow, "%m/%d/%Y %H:%M:%S") + timedelta(days=5))
        client.call(
            "meeting", "SetMeeting", {"meetingkey": key, "schedule": {"startDate": later, "timeZoneID": 20}}
        ).expect_success()
    finally:
        meetings.cleanup()


# ---------------------------------------------------------------- create-response-shape (002, 004)


@pytest.mark.behaviour("create-response-shape")
def test_create_meeting_response_shape(meetings: Meetings) -> None:
    """002: meet:meetingkey (lower-case k, docs/wire.md X4), meet:iCalendarURL/serv:host and
    serv:attendee, meet:guestToken; and the meetingUUID (001, 40.6.0)."""
    response = meetings.create(meeting_body()).expect_success()
    key = response.text("meet:meetingkey")
    assert key and key.isdigit()
    assert not response.has("meet:meetingKey")
    assert (response.text("meet:iCalendarURL/serv:host") or "").startswith("http")
    assert (response.text("meet:iCalendarURL/serv:attendee") or "").startswith("http")
    token = response.text("meet:guestToken") or ""
    assert len(token) == 32 and all(c in "0123456789abcdef" for c in token), token
    assert len(response.text("meet:meetingUUID") or "") == 32


@pytest.mark.behaviour("del-meeting-shape")
def test_del_meeting_answers_the_host_and_attendee_calendar_cancellations(xml: XmlClient, meetings: Meetings) -> None:
    """The DelMeeting page: meet:iCalendarURL with serv:host and serv:attendee (the cancellations for
    the host's and the attendees' calendars), then the meetingUUID."""
    key, uuid = meetings.create_ok(meeting_body())
    response = xml.call("meeting", "DelMeeting", {"meetingKey": key}).expect_success()
    meetings.keys.remove(key)  # gone already: cleanup must not delete it again
    host = response.text("meet:iCalendarURL/serv:host") or ""
    attendee = response.text("meet:iCalendarURL/serv:attendee") or ""
    assert host.startswith("https://"), f"DelMeeting must answer iCalendarURL/host, got {host!r}"
    assert attendee.startswith("https://"), f"DelMeeting must answer iCalendarURL/attendee, got {attendee!r}"
    assert host != attendee, "the host's and the attendees' cancellations are different calendar files"
    assert response.text("meet:meetingUUID") in (uuid, None)


@pytest.mark.behaviour("create-response-shape")
def test_create_training_session_response_shape(sessions: Sessions) -> None:
    """004: train:sessionkey, train:additionalInfo/train:sessionkey and train:guestToken."""
    response = sessions.create(TRAINING).expect_success()
    key = response.text("train:sessionkey")
    assert key and key.isdigit()
    assert response.text("train:additionalInfo/train:sessionkey") == key
    assert (response.text("train:additionalInfo/train:guestToken") or "").strip()
    assert len(response.text("train:meetingUUID") or "") == 32, "001, 40.10.0: CreateTrainingSession carries it"


@pytest.mark.behaviour("create-response-shape")
@pytest.mark.parametrize("api", ["CreateEvent", "CreateTeleconferenceSession"])
def test_create_event_and_teleconference_response_shape(sessions: Sessions, api: str) -> None:
    kind = KINDS[api]
    response = sessions.create(kind).expect_success()
    prefix = kind.key_xpath.split(":")[0]
    assert (response.text(kind.key_xpath) or "").isdigit()
    assert len(response.text(f"{prefix}:meetingUUID") or "") == 32
    assert (response.text(f"{prefix}:guestToken") or "").strip()


# ---------------------------------------------------------------- site-templates (001, 40.8.0)

_EDU = {"sessionTemplate": {"use": "EDU"}}


def _with_edu(body: dict[str, Any]) -> dict[str, Any]:
    return {**body, **_EDU}


@pytest.mark.behaviour("site-templates")
@pytest.mark.parametrize("api", ["CreateMeeting", "CreateEvent", "CreateTrainingSession"])
def test_scheduling_with_the_edu_template_works_when_the_site_enables_it(
    site_factory: Callable[..., SiteHandle], api: str
) -> None:
    kind = KINDS[api]
    tracker = Sessions(site_factory(edu_session_type=True).client())
    try:
        tracker.create(kind, _with_edu(kind.body())).expect_success()
    finally:
        tracker.cleanup()


@pytest.mark.behaviour("site-templates")
@pytest.mark.parametrize("api", ["SetMeeting", "SetEvent", "SetTrainingSession"])
def test_updating_to_the_edu_template_works_when_the_site_enables_it(
    site_factory: Callable[..., SiteHandle], api: str
) -> None:
    kind = KINDS[api.replace("Set", "Create", 1)]
    client = site_factory(edu_session_type=True).client()
    tracker = Sessions(client)
    try:
        key = tracker.create_ok(kind)
        key_name = "meetingkey" if kind is MEETING else "sessionKey"
        client.call(kind.service, api, {key_name: key, **_EDU}).expect_success()
    finally:
        tracker.cleanup()


@pytest.mark.behaviour("site-templates")
@pytest.mark.parametrize("api", ["CreateMeeting", "CreateEvent", "CreateTrainingSession"])
def test_the_edu_template_is_refused_when_the_site_does_not_enable_it(
    site_factory: Callable[..., SiteHandle], api: str
) -> None:
    kind = KINDS[api]
    tracker = Sessions(site_factory(edu_session_type=False).client())
    try:
        response = tracker.create(kind, _with_edu(kind.body()))
        assert response.result == "FAILURE", response.describe()
        assert response.exception_id
    finally:
        tracker.cleanup()
