"""What a REST meetings body may hold (003 "Create a Meeting", "Update a Meeting"): the field table
with its JSON types, the documented limits and enum values, the defaults of a new meeting, and the
parsing of a request body into checked fields.

Nothing here decides whether a request is allowed (that is :mod:`emulator.rest.rules`); a value of
the wrong JSON type, broken JSON or a body that is not an object is refused here with a 400. Stands
on :mod:`emulator.rest.errors` alone.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from webex_harness.emulator.rest.errors import RestError, bad
from webex_harness.emulator.rest.registration import parse_registration

TITLE_MAX = 128
AGENDA_MAX = 1300
MIN_DURATION = timedelta(minutes=10)
MAX_DURATION = timedelta(hours=23, minutes=59)
TAGS_MAX = 3
TAG_LENGTH_MAX = 64
TRACKING_TEXT_MAX = 120
#: Tracking codes one meeting carries at most: a site defines at most ten (the XML API's TC1–TC10).
TRACKING_CODES_MAX = 10
#: JSON integers are 32-bit signed in the Webex API
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
OPACITY_RANGE = (5, 80)
#: visualWatermarkOpacity when the watermark is switched on without one (003 is silent; guess).
DEFAULT_OPACITY = 10
JBH_CHOICES = {"meeting": (0, 5, 10, 15), "personalRoomMeeting": (0, 5, 10, 15), "webinar": (0, 15, 30, 45, 60)}

#: documented enum values (003; SDKs validate them)
ENUM_VALUES: dict[str, tuple[str, ...]] = {
    "unlockedMeetingJoinSecurity": ("allowJoin", "allowJoinWithLobby", "blockFromJoin"),
    "noteType": ("allowAll", "allowOne"),
    "audioConnectionType": ("webexAudio", "VoIP", "other", "none"),
    "entryAndExitTone": ("beep", "announceName", "noTone"),
}
MEETING_TYPES = ("meetingSeries", "scheduledMeeting", "meeting")
STATES = ("active", "scheduled", "ready", "lobby", "inProgress", "ended", "missed", "expired")
SCHEDULED_TYPES = ("meeting", "webinar", "personalRoomMeeting")

_BOOL = "bool"
_INT = "int"
_STR = "str"

#: top-level body fields of Create/Update and their JSON types
SCALARS: dict[str, str] = {
    "title": _STR,
    "agenda": _STR,
    "password": _STR,
    "start": _STR,
    "end": _STR,
    "timezone": _STR,
    "recurrence": _STR,
    "hostEmail": _STR,
    "panelistPassword": _STR,
    "roomId": _STR,
    "scheduledType": _STR,
    "unlockedMeetingJoinSecurity": _STR,
    "siteUrl": _STR,
    "templateId": _STR,
    "enabledAutoRecordMeeting": _BOOL,
    "allowAnyUserToBeCoHost": _BOOL,
    "enabledJoinBeforeHost": _BOOL,
    "enableConnectAudioBeforeHost": _BOOL,
    "excludePassword": _BOOL,
    "publicMeeting": _BOOL,
    "enabledWebcastView": _BOOL,
    "enableAutomaticLock": _BOOL,
    "allowFirstUserToBeCoHost": _BOOL,
    "allowAuthenticatedDevices": _BOOL,
    "enabledBreakoutSessions": _BOOL,
    "enabledAudioWatermark": _BOOL,
    "enabledVisualWatermark": _BOOL,
    "requireAttendeeLogin": _BOOL,
    "restrictToInvitees": _BOOL,
    "adhoc": _BOOL,
    "joinBeforeHostMinutes": _INT,
    "reminderTime": _INT,
    "sessionTypeId": _INT,
    "automaticLockMinutes": _INT,
    "visualWatermarkOpacity": _INT,
}
OBJECTS: dict[str, dict[str, str]] = {
    "meetingOptions": {
        "enabledChat": _BOOL,
        "enabledVideo": _BOOL,
        "enabledPolling": _BOOL,
        "enabledNote": _BOOL,
        "noteType": _STR,
        "enabledFileTransfer": _BOOL,
        "enabledUCFRichMedia": _BOOL,
    },
    "attendeePrivileges": {
        k: _BOOL
        for k in (
            "enabledShareContent",
            "enabledSaveDocument",
            "enabledPrintDocument",
            "enabledAnnotate",
            "enabledViewParticipantList",
            "enabledViewThumbnails",
            "enabledRemoteControl",
            "enabledViewAnyDocument",
            "enabledViewAnyPage",
            "enabledContactOperatorPrivately",
            "enabledChatHost",
            "enabledChatPresenter",
            "enabledChatOtherParticipants",
        )
    },
    "audioConnectionOptions": {
        "audioConnectionType": _STR,
        "enabledTollFreeCallIn": _BOOL,
        "enabledGlobalCallIn": _BOOL,
        "enabledAudienceCallBack": _BOOL,
        "entryAndExitTone": _STR,
        "allowHostToUnmuteParticipants": _BOOL,
        "allowAttendeeToUnmuteSelf": _BOOL,
        "muteAttendeeUponEntry": _BOOL,
    },
}
#: fields the body may carry that are never applied (the server's own, or create-only)
READ_ONLY = frozenset(
    {
        "id",
        "meetingSeriesId",
        "meetingNumber",
        "phoneAndVideoSystemPassword",
        "phoneAndVideoSystemPanelistPassword",
        "meetingType",
        "state",
        "isModified",
        "hostUserId",
        "hostDisplayName",
        "hostKey",
        "siteUrl",
        "webLink",
        "sipAddress",
        "dialInIpAddress",
        "telephony",
        "links",
        "hostDidJoin",
        "attendeeDidJoin",
        "simultaneousInterpretation",
        "invitees",
        "customizedQuestions",
        "rules",
        "sendEmail",  # its type is checked on the raw body (emulator.rest.options.check_send_email)
        "templateId",
    }
)


def defaults(scheduled_type: str) -> dict[str, Any]:
    """Property defaults of a new meeting (003 where it states them; otherwise Webex's usual)."""
    props: dict[str, Any] = {
        "title": "",
        "agenda": "",
        "password": "",
        "enabledAutoRecordMeeting": False,
        "allowAnyUserToBeCoHost": False,
        "enabledJoinBeforeHost": False,
        "enableConnectAudioBeforeHost": False,
        "joinBeforeHostMinutes": 0,
        "excludePassword": False,
        "publicMeeting": False,
        "reminderTime": 10,
        "unlockedMeetingJoinSecurity": "allowJoinWithLobby",
        "sessionTypeId": 9 if scheduled_type == "webinar" else 3,
        "enableAutomaticLock": False,
        "automaticLockMinutes": 0,
        "allowFirstUserToBeCoHost": False,
        "allowAuthenticatedDevices": False,
        "enabledBreakoutSessions": False,
        "enabledAudioWatermark": False,
        "enabledVisualWatermark": False,
        "visualWatermarkOpacity": None,
        "integrationTags": [],
        "trackingCodes": [],
        "meetingOptions": {
            "enabledChat": True,
            "enabledVideo": True,
            "enabledPolling": False,
            "enabledNote": True,
            "noteType": "allowAll",
            "enabledFileTransfer": True,
            "enabledUCFRichMedia": True,
        },
        "attendeePrivileges": {
            "enabledShareContent": True,
            "enabledSaveDocument": False,
            "enabledPrintDocument": False,
            "enabledAnnotate": False,
            "enabledViewParticipantList": True,
            "enabledViewThumbnails": False,
            "enabledRemoteControl": True,
            "enabledViewAnyDocument": False,
            "enabledViewAnyPage": False,
            "enabledContactOperatorPrivately": False,
            "enabledChatHost": True,
            "enabledChatPresenter": True,
            "enabledChatOtherParticipants": True,
        },
        "audioConnectionOptions": {
            "audioConnectionType": "webexAudio",
            "enabledTollFreeCallIn": False,
            "enabledGlobalCallIn": True,
            "enabledAudienceCallBack": False,
            "entryAndExitTone": "beep",
            "allowHostToUnmuteParticipants": False,
            "allowAttendeeToUnmuteSelf": True,
            "muteAttendeeUponEntry": True,
        },
        "registration": {
            "autoAcceptRequest": False,
            "requireFirstName": True,
            "requireLastName": True,
            "requireEmail": True,
            "requireJobTitle": False,
            "requireCompanyName": False,
            "requireAddress1": False,
            "requireAddress2": False,
            "requireCity": False,
            "requireState": False,
            "requireZipCode": False,
            "requireCountryRegion": False,
            "requireWorkPhone": False,
            "requireFax": False,
            "customizedQuestions": [],
            "rules": [],
        },
        "simultaneousInterpretation": {"enabled": False, "interpreters": []},
    }
    if scheduled_type == "webinar":
        props.update(
            {
                "enabledWebcastView": False,
                "panelistPassword": "",
                "requireAttendeeLogin": False,
                "restrictToInvitees": False,
            }
        )
    return props


# ---------------------------------------------------------------- body


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def parse_body(raw: bytes) -> dict[str, Any]:
    """The request body as a JSON object (400: empty, broken JSON, not an object)."""
    if not raw.strip():
        raise RestError(400, "The request body is empty: a JSON object is required.")
    try:
        data = json.loads(raw.decode("utf-8-sig"), parse_constant=_reject_constant)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise RestError(400, "The request body is not valid JSON.", str(exc)[:300]) from None
    if not isinstance(data, dict):
        raise RestError(400, "The request body must be a JSON object.")
    if b"\\u" in raw and _has_lone_surrogate(data):  # only an escape can carry one
        raise RestError(400, "The request body is not valid JSON.", "a \\uD800–\\uDFFF escape that is not a pair")
    return data


def _has_lone_surrogate(data: Any) -> bool:
    """True when a string of ``data`` holds half of a UTF-16 pair (JSON escapes allow it; UTF-8 does not)."""
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _typed(name: str, value: Any, kind: str) -> Any:
    if kind == _BOOL and isinstance(value, bool):
        return value
    if kind == _INT and not isinstance(value, bool) and isinstance(value, int | float):
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, int):
            if not INT_MIN <= value <= INT_MAX:
                raise bad(f"Invalid value for {name}: {value} is out of range")
            return value
    if kind == _STR and isinstance(value, str):
        return value
    expected = {"bool": "a boolean", "int": "an integer", "str": "a string"}[kind]
    raise bad(f"Invalid value for {name}: expected {expected}, got {type(value).__name__} {value!r}"[:300])


def clean(body: dict[str, Any]) -> dict[str, Any]:
    """The body's applicable fields, type-checked (400 otherwise); unknown and read-only ones are
    ignored (docs/wire.md J4: accept unknown fields and whole echoed meeting objects); ``null`` means "not
    sent", except for ``integrationTags`` where it deletes every tag (003)."""
    out: dict[str, Any] = {}
    for name, value in body.items():
        if name == "integrationTags":
            out[name] = _tags(value)
            continue
        if name in READ_ONLY or value is None:
            continue
        if name in SCALARS:
            out[name] = _typed(name, value, SCALARS[name])
        elif name in OBJECTS:
            if not isinstance(value, dict):
                raise bad(f"Invalid value for {name}: expected an object")
            spec = OBJECTS[name]
            out[name] = {k: _typed(f"{name}.{k}", v, spec[k]) for k, v in value.items() if k in spec and v is not None}
        elif name == "trackingCodes":
            out[name] = _tracking_codes(value)
        elif name == "registration":
            out[name] = parse_registration(value)
    return out


def _tags(value: Any) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
        raise bad("Invalid value for integrationTags: expected an array of strings")
    return list(value)


def _tracking_codes(value: Any) -> list[dict[str, str]]:
    if not isinstance(value, list):
        raise bad("Invalid value for trackingCodes: expected an array")
    if len(value) > TRACKING_CODES_MAX:
        raise bad(f"Invalid value for trackingCodes: at most {TRACKING_CODES_MAX} tracking codes")
    codes = []
    for item in value:
        if not isinstance(item, dict):
            raise bad("Invalid value for trackingCodes: each item must be an object with name and value")
        name, val = item.get("name"), item.get("value")
        if not isinstance(name, str) or not name.strip() or len(name) > TRACKING_TEXT_MAX:
            raise bad("Tracking code name cannot be empty and the maximum size is 120 characters.")
        if not isinstance(val, str) or not val.strip() or len(val) > TRACKING_TEXT_MAX:
            raise bad("Tracking code value cannot be empty and the maximum size is 120 characters.")
        codes.append({"name": name, "value": val})
    return codes


__all__ = [
    "AGENDA_MAX",
    "DEFAULT_OPACITY",
    "ENUM_VALUES",
    "INT_MAX",
    "INT_MIN",
    "JBH_CHOICES",
    "MAX_DURATION",
    "MEETING_TYPES",
    "MIN_DURATION",
    "OBJECTS",
    "OPACITY_RANGE",
    "READ_ONLY",
    "SCALARS",
    "SCHEDULED_TYPES",
    "STATES",
    "TAGS_MAX",
    "TAG_LENGTH_MAX",
    "TITLE_MAX",
    "TRACKING_TEXT_MAX",
    "clean",
    "defaults",
    "parse_body",
]
