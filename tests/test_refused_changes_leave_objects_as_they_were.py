"""Each write the property of tests/test_failed_answers_change_nothing.py caught changing an object
before it failed: refused now, it leaves the object (and everything else the site stores) as it was."""

from __future__ import annotations

import pytest

from tests.populated_site import World, populate
from tests.site_fingerprint import differences, fingerprint
from webex_harness.emulator.app import create_app
from webex_harness.generators import edge_cases
from webex_harness.generators.catalogue import api


@pytest.fixture
def world() -> World:
    return populate(create_app())


def _refused_without_a_trace(world: World, role: str, service: str, api_name: str, body: dict[str, object]) -> str:
    before = fingerprint(world.site)
    answer = world.call(role, service, api_name, body)
    assert not answer.ok, answer.describe()
    assert differences(before, fingerprint(world.site)) == []
    return answer.exception_id or ""


def test_set_meeting_with_a_bad_meeting_type_keeps_the_meetings_name_and_schedule(world: World) -> None:
    key, _ = world.keys["meeting"]
    body = {
        "meetingkey": key,
        "metaData": {"confName": "Renamed", "meetingType": "١٢"},
        "schedule": {"startDate": "12/31/2099 10:00:00", "duration": 45},
    }

    assert _refused_without_a_trace(world, "host", "meeting", "SetMeeting", body) == "010001"
    assert world.site.sessions[key].name != "Renamed"


def test_set_event_with_a_bad_session_type_keeps_the_events_name_and_schedule(world: World) -> None:
    key, _ = world.keys["event"]
    body = {
        "sessionKey": key,
        "metaData": {"sessionName": "Renamed", "sessionType": "x"},
        "schedule": {"startDate": "12/31/2099 10:00:00", "duration": 45},
    }

    assert _refused_without_a_trace(world, "host", "event", "SetEvent", body) == "010001"
    assert world.site.sessions[key].name != "Renamed"


def test_set_user_with_a_malformed_flag_keeps_the_users_names(world: World) -> None:
    body = {"webExId": "invitee", "firstName": "Renamed", "lastName": "Person", "cmrHybridVoip": "perhaps"}

    assert _refused_without_a_trace(world, "admin", "user", "SetUser", body) == "010001"
    assert world.site.users["invitee"].first_name == "Ivy"


@pytest.mark.parametrize("active", ["SOMETIMES", ""])
def test_set_user_refused_for_its_last_element_changes_nothing_before_it(world: World, active: str) -> None:
    body = {"webExId": "invitee", "firstName": "Renamed", "timeZoneID": "999" if not active else "4", "active": active}

    _refused_without_a_trace(world, "admin", "user", "SetUser", body)
    assert world.site.users["invitee"].first_name == "Ivy"


def test_set_one_click_settings_with_an_unknown_session_type_keeps_the_service_type(world: World) -> None:
    settings = world.site.users["host"].one_click
    assert settings is not None
    other = "EventCenter" if settings.service_type != "EventCenter" else "TrainingCenter"
    body = {"oneClickMetaData": {"serviceType": other, "sessionType": "-1"}}

    assert _refused_without_a_trace(world, "host", "ep", "SetOneClickSettings", body) == "010001"
    assert world.site.users["host"].one_click is not None
    assert world.site.users["host"].one_click.service_type == settings.service_type


def test_a_refused_test_upload_takes_no_test_id(world: World) -> None:
    ctx = world.context(api("UploadIMStest"))
    too_long = next(c for c in edge_cases("UploadIMStest", 1, ctx) if c.id == "title-one-past-max")
    before = fingerprint(world.site)

    answer = world.xml(too_long.envelope)

    assert answer.exception_id == "010001"
    assert differences(before, fingerprint(world.site)) == []
