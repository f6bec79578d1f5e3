"""Meeting options read back by GetMeeting: E2EE, auto-record, join before host, device start,
private meetings, locked lobby, registration forms, audio passwords (002; 001 40.4.8–40.12.0), and
every element the GetMeeting reference page documents (enableOptions, agenda …)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from lxml import etree

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.support import registration_form
from webex_harness.contracts.test_scheduling import KINDS, Sessions
from webex_harness.generators.catalogue import api
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import Meetings, meeting_body
from webex_harness.webex.envelope import XmlResponse


@pytest.fixture
def sessions(xml: XmlClient) -> Iterator[Sessions]:
    tracker = Sessions(xml)
    try:
        yield tracker
    finally:
        tracker.cleanup()


def _get(xml: XmlClient, key: str) -> XmlResponse:
    return xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()


def _bool(response: XmlResponse, xpath: str) -> bool | None:
    text = response.text(xpath)
    if text is None:
        return None
    assert text in ("true", "false"), f"{xpath} must be true or false, got {text!r}"
    return text == "true"


# ---------------------------------------------------------------- e2ee-disables-features (002)

#: 002: "networkBasedRecording, joinBeforeHost, and remoteComputer sharing" — read back under
#: enableOptions as networkBasedRecording, joinBeforeHost and supportRemoteComputer.
_E2EE_OFF = ("networkBasedRecording", "joinBeforeHost", "supportRemoteComputer")


@pytest.mark.behaviour("e2ee-disables-features")
def test_e2ee_meeting_has_nbr_join_before_host_and_remote_computer_sharing_off(
    xml: XmlClient, meetings: Meetings
) -> None:
    options = {"supportE2E": "TRUE", **{name: True for name in _E2EE_OFF}}
    key, _ = meetings.create_ok(meeting_body(enableOptions=options))
    got = _get(xml, key)
    assert _bool(got, "meet:enableOptions/meet:supportE2E") is True
    for name in _E2EE_OFF:
        assert _bool(got, f"meet:enableOptions/meet:{name}") is False, f"{name} must be off for an E2EE meeting"


@pytest.mark.behaviour("e2ee-disables-features")
def test_without_e2ee_those_features_stay_as_requested(xml: XmlClient, meetings: Meetings) -> None:
    options = {"supportE2E": False, **{name: True for name in _E2EE_OFF}}
    key, _ = meetings.create_ok(meeting_body(enableOptions=options))
    got = _get(xml, key)
    assert _bool(got, "meet:enableOptions/meet:supportE2E") is False
    for name in _E2EE_OFF:
        assert _bool(got, f"meet:enableOptions/meet:{name}") is True, name


# ---------------------------------------------------------------- auto-record (002)


@pytest.mark.behaviour("auto-record")
@pytest.mark.parametrize("requested", [True, False])
def test_auto_record_is_stored_when_the_site_does_not_record_everything(
    site_factory: Callable[..., SiteHandle], requested: bool
) -> None:
    client = site_factory(auto_record_all=False).client()
    meetings = Meetings(client)
    try:
        key, _ = meetings.create_ok(meeting_body(enableOptions={"autoRecord": "TRUE" if requested else "FALSE"}))
        assert _bool(_get(client, key), "meet:enableOptions/meet:autoRecord") is requested
    finally:
        meetings.cleanup()


@pytest.mark.behaviour("auto-record")
def test_site_setting_record_all_sessions_overrides_auto_record(site_factory: Callable[..., SiteHandle]) -> None:
    client = site_factory(auto_record_all=True).client()
    meetings = Meetings(client)
    try:
        key, _ = meetings.create_ok(meeting_body(enableOptions={"autoRecord": "FALSE"}))
        assert _bool(_get(client, key), "meet:enableOptions/meet:autoRecord") is True
    finally:
        meetings.cleanup()


# ---------------------------------------------------------------- join-teleconf-before-host (002, 000, 004)


@pytest.mark.behaviour("join-teleconf-before-host")
@pytest.mark.parametrize("value", [True, False])
def test_create_meeting_join_teleconf_before_host_round_trips(xml: XmlClient, meetings: Meetings, value: bool) -> None:
    key, _ = meetings.create_ok(meeting_body(schedule={"joinTeleconfBeforeHost": value}))
    assert _bool(_get(xml, key), "meet:schedule/meet:joinTeleconfBeforeHost") is value


@pytest.mark.behaviour("join-teleconf-before-host")
@pytest.mark.parametrize("value", [True, False])
def test_set_event_join_teleconf_before_host_round_trips(sessions: Sessions, xml: XmlClient, value: bool) -> None:
    kind = KINDS["CreateEvent"]
    key = sessions.create_ok(kind)
    xml.call(
        "event", "SetEvent", {"schedule": {"joinTeleconfBeforeHost": value}, "event:sessionKey": key}
    ).expect_success()
    assert _bool(sessions.get(kind, key), "event:schedule/event:joinTeleconfBeforeHost") is value


@pytest.mark.behaviour("join-teleconf-before-host")
@pytest.mark.parametrize("value", [True, False])
def test_create_training_session_join_teleconf_before_host_round_trips(sessions: Sessions, value: bool) -> None:
    kind = KINDS["CreateTrainingSession"]
    key = sessions.create_ok(kind, kind.body(schedule={"joinTeleconfBeforeHost": value}))
    assert _bool(sessions.get(kind, key), "train:schedule/train:joinTeleconfBeforeHost") is value


# ---------------------------------------------------------------- device-can-start (001, 40.10.0)


@pytest.mark.behaviour("device-can-start")
def test_device_can_start_meeting_round_trips_through_create_and_set(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(schedule={"deviceCanStartMeeting": True}))
    assert _bool(_get(xml, key), "meet:schedule/meet:deviceCanStartMeeting") is True
    xml.call(
        "meeting", "SetMeeting", {"meetingkey": key, "schedule": {"deviceCanStartMeeting": False}}
    ).expect_success()
    assert _bool(_get(xml, key), "meet:schedule/meet:deviceCanStartMeeting") is False
    xml.call("meeting", "SetMeeting", {"meetingkey": key, "schedule": {"deviceCanStartMeeting": True}}).expect_success()
    assert _bool(_get(xml, key), "meet:schedule/meet:deviceCanStartMeeting") is True


# ---------------------------------------------------------------- private-meeting (001, 40.12.0), meeting side

_PRIVATE = 169  # 001, 40.12.0: "169 is a sample which supports Private Meeting"


@pytest.mark.behaviour("private-meeting")
def test_meeting_of_a_private_type_reports_is_private_meeting(site_factory: Callable[..., SiteHandle]) -> None:
    client = site_factory(private_meeting_types=[_PRIVATE]).client()
    meetings = Meetings(client)
    try:
        private, _ = meetings.create_ok(meeting_body(metaData={"meetingType": _PRIVATE}))
        regular, _ = meetings.create_ok(meeting_body(metaData={"meetingType": 3}))
        assert _bool(_get(client, private), "meet:metaData/meet:isPrivateMeeting") is True
        assert _bool(_get(client, regular), "meet:metaData/meet:isPrivateMeeting") is False
        client.call(
            "meeting", "SetMeeting", {"meetingkey": regular, "metaData": {"meetingType": _PRIVATE}}
        ).expect_success()
        assert _bool(_get(client, regular), "meet:metaData/meet:isPrivateMeeting") is True
    finally:
        meetings.cleanup()


@pytest.mark.behaviour("private-meeting")
def test_meeting_types_report_support_private_meeting(site_factory: Callable[..., SiteHandle]) -> None:
    client = site_factory(private_meeting_types=[_PRIVATE]).client()
    private = client.call("meetingtype", "GetMeetingType", {"meetingTypeID": _PRIVATE}).expect_success()
    assert private.text("mtgtype:meetingTypeID") == str(_PRIVATE)
    assert _bool(private, "mtgtype:SupportPrivateMeeting") is True
    pro = client.call("meetingtype", "GetMeetingType", {"meetingTypeID": 3}).expect_success()
    assert _bool(pro, "mtgtype:SupportPrivateMeeting") is False
    listed = client.call(
        "meetingtype", "LstMeetingType", {"listControl": {"startFrom": 1, "maximumNum": 50}}
    ).expect_success()
    support = dict(
        zip(
            listed.texts("mtgtype:meetingType/mtgtype:meetingTypeID"),
            listed.texts("mtgtype:meetingType/mtgtype:SupportPrivateMeeting"),
            strict=True,
        )
    )
    assert support.get(str(_PRIVATE)) == "true" and support.get("3") == "false", support
    assert listed.text("mtgtype:matchingRecords/serv:total") == str(len(support))


# ---------------------------------------------------------------- locked-lobby (001, 40.9.0)

_LOBBY_READ = "meet:attendeeOptions/meet:"


def _lobby(security: str, lock: bool, wait: Any) -> dict[str, Any]:
    return {
        "joinRequiresAccount": False,
        "externalAttendeeSecurity": security,
        "autoLock": lock,
        "autoLockWaitTime": wait,
    }


@pytest.mark.behaviour("locked-lobby")
@pytest.mark.parametrize(("security", "wait"), [("AllowJoin", 0), ("AllowJoinWithLobby", 10), ("BlockFromJoin", 20)])
def test_locked_lobby_options_round_trip(site_factory: Callable[..., SiteHandle], security: str, wait: int) -> None:
    client = site_factory(consistent_locked_lobby=True).client()
    meetings = Meetings(client)
    try:
        key, _ = meetings.create_ok(meeting_body(attendeeOptions=_lobby(security, True, wait)))
        got = _get(client, key)
        assert got.text(_LOBBY_READ + "externalAttendeeSecurity") == security
        assert _bool(got, _LOBBY_READ + "autoLock") is True
        assert got.text(_LOBBY_READ + "autoLockWaitTime") == str(wait)
    finally:
        meetings.cleanup()


@pytest.mark.behaviour("locked-lobby")
@pytest.mark.parametrize("wait", [5, 15])
def test_set_meeting_changes_the_locked_lobby_options(site_factory: Callable[..., SiteHandle], wait: int) -> None:
    client = site_factory(consistent_locked_lobby=True).client()
    meetings = Meetings(client)
    try:
        key, _ = meetings.create_ok(meeting_body(attendeeOptions=_lobby("AllowJoin", False, 0)))
        client.call(
            "meeting", "SetMeeting", {"meetingkey": key, "attendeeOptions": _lobby("AllowJoinWithLobby", True, wait)}
        ).expect_success()
        got = _get(client, key)
        assert got.text(_LOBBY_READ + "externalAttendeeSecurity") == "AllowJoinWithLobby"
        assert _bool(got, _LOBBY_READ + "autoLock") is True
        assert got.text(_LOBBY_READ + "autoLockWaitTime") == str(wait)
    finally:
        meetings.cleanup()


@pytest.mark.behaviour("locked-lobby")
@pytest.mark.parametrize(
    ("security", "wait"), [("AllowJoin", 7), ("AllowJoin", 30), ("AllowJoin", -5), ("LetEveryoneIn", 10)]
)
def test_undocumented_locked_lobby_values_are_rejected(
    site_factory: Callable[..., SiteHandle], security: str, wait: int
) -> None:
    client = site_factory(consistent_locked_lobby=True).client()
    meetings = Meetings(client)
    try:
        response = meetings.create(meeting_body(attendeeOptions=_lobby(security, True, wait)))
        assert response.result == "FAILURE", f"{security}/{wait}: {response.describe()}"
        key, _ = meetings.create_ok()
        refused = client.call(
            "meeting", "SetMeeting", {"meetingkey": key, "attendeeOptions": _lobby(security, True, wait)}
        )
        assert refused.result == "FAILURE", refused.describe()
    finally:
        meetings.cleanup()


# ---------------------------------------------------------------- registration-form (001, 40.6.1)

_FORM_FIELDS = ("title", "company", "address1", "address2", "city", "state", "postalCode", "country", "phone", "fax")


def _form(got: XmlResponse) -> dict[str, bool | None]:
    return {f: _bool(got, f"meet:registrationForm/meet:{f}/meet:req") for f in _FORM_FIELDS}


@pytest.mark.behaviour("registration-form")
def test_registration_form_round_trips_through_create_and_set(xml: XmlClient, meetings: Meetings) -> None:
    first = ("title", "company", "city", "state")
    key, _ = meetings.create_ok(
        meeting_body(
            attendeeOptions={"emailInvitations": True, "registration": True, "auto": False},
            registrationForm=registration_form(*first),
        )
    )
    assert _form(_get(xml, key)) == {f: f in first for f in _FORM_FIELDS}
    second = ("address1", "postalCode", "country", "phone", "fax")
    xml.call(
        "meeting", "SetMeeting", {"meetingkey": key, "registrationForm": registration_form(*second)}
    ).expect_success()
    assert _form(_get(xml, key)) == {f: f in second for f in _FORM_FIELDS}


# ---------------------------------------------------------------- audio-password (001, 40.4.8)


def _assert_audio(got: XmlResponse, prefix: str) -> None:
    audio = got.text(f"{prefix}:accessControl/{prefix}:audioPassword")
    assert audio and audio.isdigit(), f"{prefix}:audioPassword must be numeric, got {audio!r}"
    assert _bool(got, f"{prefix}:accessControl/{prefix}:isEnforceAudioPassword") is not None
    assert _bool(got, f"{prefix}:accessControl/{prefix}:isEnforceAudioLogin") is not None


@pytest.mark.behaviour("audio-password")
def test_get_meeting_carries_the_numeric_audio_password(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(accessControl={"meetingPassword": "PkzC8tP7kM5"}))
    got = _get(xml, key)
    _assert_audio(got, "meet")
    assert got.text("meet:accessControl/meet:meetingPassword") == "PkzC8tP7kM5"


@pytest.mark.behaviour("audio-password")
@pytest.mark.parametrize("api", ["CreateEvent", "CreateTrainingSession", "CreateTeleconferenceSession"])
def test_other_gets_carry_the_numeric_audio_password(sessions: Sessions, api: str) -> None:
    kind = KINDS[api]
    key = sessions.create_ok(kind)
    _assert_audio(sessions.get(kind, key), kind.key_xpath.split(":")[0])


# ---------------------------------------------------------------- get-meeting-complete (GetMeeting page)

#: The enableOptions flags the GetMeeting page documents, in its order (from the API catalogue).
_ENABLE_OPTIONS = tuple(
    path.rsplit(":", 1)[1] for path in api("GetMeeting").response_elements if path.startswith("meet:enableOptions/")
)
#: Flags a setting drives rather than the request alone: E2EE (it switches three others off),
#: autoRecord (the site's "record all sessions") — their own contracts are above.
_DRIVEN = ("supportE2E", "autoRecord")


def _children(response: XmlResponse, section: str) -> list[str]:
    return [etree.QName(child).localname for child in response.xpath(f"meet:{section}/*")]


@pytest.mark.behaviour("get-meeting-complete")
def test_get_meeting_answers_every_enable_options_flag_in_the_documented_order(
    xml: XmlClient, meetings: Meetings
) -> None:
    assert len(_ENABLE_OPTIONS) >= 55, "the catalogue lists the page's enableOptions"
    key, _ = meetings.create_ok()
    got = _get(xml, key)
    answered = [name for name in _children(got, "enableOptions") if name in _ENABLE_OPTIONS]
    assert answered == list(_ENABLE_OPTIONS), "GetMeeting must answer every documented flag, in the page's order"
    for name in _ENABLE_OPTIONS:
        assert _bool(got, f"meet:enableOptions/meet:{name}") is not None, name


@pytest.mark.behaviour("get-meeting-complete")
@pytest.mark.parametrize("api_name", ["CreateMeeting", "SetMeeting"])
@pytest.mark.parametrize("value", [True, False])
def test_get_meeting_reads_back_every_flag_create_or_set_wrote(
    xml: XmlClient, meetings: Meetings, api_name: str, value: bool
) -> None:
    flags = {name: "true" if value else "false" for name in _ENABLE_OPTIONS if name not in _DRIVEN}
    flags["supportE2E"] = "false"
    if api_name == "CreateMeeting":
        key, _ = meetings.create_ok(meeting_body(enableOptions=flags))
    else:
        opposite = {name: "false" if value else "true" for name in flags if name != "supportE2E"}
        key, _ = meetings.create_ok(meeting_body(enableOptions={**opposite, "supportE2E": "false"}))
        xml.call("meeting", "SetMeeting", {"meetingkey": key, "enableOptions": flags}).expect_success()
    got = _get(xml, key)
    wrong = [
        name for name in flags if name != "supportE2E" and _bool(got, f"meet:enableOptions/meet:{name}") is not value
    ]
    assert not wrong, f"GetMeeting does not read back what {api_name} wrote ({value}) for: {', '.join(wrong)}"


@pytest.mark.behaviour("get-meeting-complete")
def test_get_meeting_answers_the_agenda_create_and_set_wrote(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(metaData={"agenda": "Quarterly numbers"}))
    got = _get(xml, key)
    assert got.text("meet:metaData/meet:agenda") == "Quarterly numbers"
    assert _children(got, "metaData")[:3] == ["confName", "meetingType", "agenda"]
    xml.call("meeting", "SetMeeting", {"meetingkey": key, "metaData": {"agenda": "Budget"}}).expect_success()
    assert _get(xml, key).text("meet:metaData/meet:agenda") == "Budget"


@pytest.mark.behaviour("get-meeting-complete")
def test_registration_drives_enable_reg_when_the_request_leaves_it_out(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(attendeeOptions={"registration": "true"}))
    assert _bool(_get(xml, key), "meet:enableOptions/meet:enableReg") is True
    plain, _ = meetings.create_ok(meeting_body(attendeeOptions={"registration": "false"}))
    assert _bool(_get(xml, plain), "meet:enableOptions/meet:enableReg") is False


@pytest.mark.behaviour("get-meeting-complete")
def test_get_meeting_answers_the_documented_schedule_and_attendee_options(xml: XmlClient, meetings: Meetings) -> None:
    key, _ = meetings.create_ok(meeting_body(attendeeOptions={"excludePassword": "true"}))
    got = _get(xml, key)
    for path in api("GetMeeting").response_elements:
        if path.startswith(("meet:schedule/", "meet:attendeeOptions/", "meet:metaData/")):
            assert got.has(path), f"GetMeeting lacks {path}"
    assert _bool(got, "meet:attendeeOptions/meet:excludePassword") is True
    assert got.text("meet:telePresence") in ("true", "false") and got.text("meet:hostType")
