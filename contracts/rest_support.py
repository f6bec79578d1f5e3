"""Helpers the REST contract suites share: the seed's samples, documented enum values, what a meeting
body's fields are (merged objects, webinar-only fields, fields never stored), the site's clock, the
documented error JSON.

The seed's request and response samples (003 "Update a Meeting") are kept here verbatim (as JSON)
so the round-trip test runs without the seed files. The REST client for a site, the meeting tracker
and the default body live in the plugin (:mod:`plugin.rest_meetings`): a user's own tests get them too.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from webex_harness.client.rest_client import RestResponse
from webex_harness.generators.catalogue import rest_catalogue
from webex_harness.plugin.targets import SiteHandle

#: 003, the request sample of "Update a Meeting"
SEED_REQUEST: dict[str, Any] = json.loads("""
{ "title": "Example Daily Meeting Modified", "agenda": "Example Agenda Modified", "password": "P@ssword789",
  "timezone": "Asia/Shanghai", "start": "2020-01-27T20:30:00+08:00", "end": "2020-01-27T21:30:00+08:00",
  "enabledAutoRecordMeeting": true, "allowAnyUserToBeCoHost": true, "enabledJoinBeforeHost": true,
  "enableConnectAudioBeforeHost": true, "joinBeforeHostMinutes": 15, "excludePassword": false,
  "publicMeeting": false, "reminderTime": 30, "unlockedMeetingJoinSecurity": "allowJoin",
  "enableAutomaticLock": false, "automaticLockMinutes": 0, "allowFirstUserToBeCoHost": false,
  "allowAuthenticatedDevices": true, "sendEmail": true, "hostEmail": "john.andersen@example.com",
  "meetingOptions": { "enabledChat": true, "enabledVideo": true, "enabledPolling": false, "enabledNote": true,
    "noteType": "allowAll", "enabledFileTransfer": false, "enabledUCFRichMedia": false },
  "attendeePrivileges": { "enabledShareContent": true, "enabledSaveDocument": false,
    "enabledPrintDocument": false, "enabledAnnotate": false, "enabledViewParticipantList": true,
    "enabledViewThumbnails": false, "enabledRemoteControl": true, "enabledViewAnyDocument": false,
    "enabledViewAnyPage": false, "enabledContactOperatorPrivately": false, "enabledChatHost": true,
    "enabledChatPresenter": true, "enabledChatOtherParticipants": true },
  "integrationTags": [ "dbaeceebea5c4a63ac9d5ef1edfe36b9", "85e1d6319aa94c0583a6891280e3437d",
    "27226d1311b947f3a68d6bdf8e4e19a1" ],
  "enabledBreakoutSessions": true,
  "trackingCodes": [ { "name": "Department", "value": "Sales" }, { "name": "Division", "value": "Part-time" } ],
  "enabledAudioWatermark": true, "enabledVisualWatermark": true, "visualWatermarkOpacity": 40,
  "audioConnectionOptions": { "audioConnectionType": "VoIP", "enabledTollFreeCallIn": false,
    "enabledGlobalCallIn": false, "enabledAudienceCallBack": true, "entryAndExitTone": "beep",
    "allowHostToUnmuteParticipants": true, "allowAttendeeToUnmuteSelf": false, "muteAttendeeUponEntry": true } }
""")

#: 003, the top-level keys of the response sample of "Update a Meeting" (a modified scheduled meeting)
SEED_RESPONSE_KEYS: frozenset[str] = frozenset(
    {
        "id",
        "meetingSeriesId",
        "meetingNumber",
        "title",
        "agenda",
        "password",
        "phoneAndVideoSystemPassword",
        "meetingType",
        "state",
        "isModified",
        "timezone",
        "start",
        "end",
        "hostUserId",
        "hostDisplayName",
        "hostEmail",
        "hostKey",
        "siteUrl",
        "webLink",
        "sipAddress",
        "dialInIpAddress",
        "enabledAutoRecordMeeting",
        "allowAnyUserToBeCoHost",
        "enabledJoinBeforeHost",
        "enableConnectAudioBeforeHost",
        "joinBeforeHostMinutes",
        "excludePassword",
        "publicMeeting",
        "reminderTime",
        "unlockedMeetingJoinSecurity",
        "sessionTypeId",
        "enableAutomaticLock",
        "automaticLockMinutes",
        "allowFirstUserToBeCoHost",
        "allowAuthenticatedDevices",
        "telephony",
        "meetingOptions",
        "attendeePrivileges",
        "registration",
        "integrationTags",
        "scheduledType",
        "simultaneousInterpretation",
        "enabledBreakoutSessions",
        "links",
        "trackingCodes",
        "enabledAudioWatermark",
        "enabledVisualWatermark",
        "visualWatermarkOpacity",
        "audioConnectionOptions",
    }
)
#: 003, the keys of the sample's nested objects
SEED_NESTED_KEYS: dict[str, frozenset[str]] = {
    "telephony": frozenset({"accessCode", "callInNumbers", "links"}),
    "meetingOptions": frozenset(SEED_REQUEST["meetingOptions"]),
    "attendeePrivileges": frozenset(SEED_REQUEST["attendeePrivileges"]),
    "audioConnectionOptions": frozenset(SEED_REQUEST["audioConnectionOptions"]),
}

#: documented enum values (003), as the catalogue holds them (generators/catalogue.yaml ``rest.enums``)
ENUMS: dict[str, tuple[str, ...]] = dict(rest_catalogue().enums)
MEETING_TYPES = ENUMS["meetingType"]
STATES = ENUMS["state"]
SCHEDULED_TYPES = ENUMS["scheduledType"]

#: the objects of a meeting body that an update merges key by key (003: the sample's objects)
OBJECT_FIELDS: tuple[str, ...] = tuple(name for name, value in SEED_REQUEST.items() if isinstance(value, dict))
#: what only a webinar answers and takes (003)
WEBINAR_ONLY = ("enabledWebcastView", "panelistPassword", "requireAttendeeLogin", "restrictToInvitees")
#: options that "can only be set true for a webinar" (003): (object, flag)
WEBINAR_ONLY_FLAGS = (("meetingOptions", "enabledPolling"), ("audioConnectionOptions", "enabledAudienceCallBack"))
#: body fields that never change what a meeting answers (read-only, create-only or not stored)
NOT_STORED = frozenset(
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
        "hostEmail",
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
        "sendEmail",
        "scheduledType",
        "templateId",
        "roomId",
        "adhoc",
        "invitees",
    }
)


def enum_fields() -> list[tuple[str, str | None, tuple[str, ...]]]:
    """The body fields with documented values: (name, the object holding it or None, its values), in
    the catalogue's order — every enum of the catalogue that the sample request of 003 holds."""
    found: list[tuple[str, str | None, tuple[str, ...]]] = []
    for name, values in ENUMS.items():
        if name in SEED_REQUEST:
            found.append((name, None, values))
        found += [(name, parent, values) for parent in OBJECT_FIELDS if name in SEED_REQUEST[parent]]
    return found


def site_now(site: SiteHandle) -> datetime:
    """The site's clock (the emulator's, moved by its control API), else this machine's UTC time."""
    if site.is_emulator:
        return datetime.fromisoformat(site.state()["now"])
    return datetime.now(UTC)


def assert_error(response: RestResponse, status: int) -> None:
    """``status`` with the documented error JSON (a message and at least one description)."""
    assert response.status == status, f"expected HTTP {status}, got {response.describe()}"
    assert isinstance(response.json, dict), f"HTTP {status} without the error JSON: {response.problem}"
    assert isinstance(response.json.get("message"), str) and response.json["message"], "error without message"
    errors = response.json.get("errors")
    assert isinstance(errors, list) and errors and all(isinstance(e.get("description"), str) for e in errors)
    assert isinstance(response.json.get("trackingId"), str)
