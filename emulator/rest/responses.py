"""The JSON the REST meetings API answers with: a meeting (series, scheduled meeting or instance,
003 "Response Properties") and the error body ``{"message", "errors": [{"description"}],
"trackingId"}``.

Stands on :mod:`emulator.model` (the site), :mod:`emulator.faults`, :mod:`emulator.rest.store`
and :mod:`emulator.rest.times`.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Site
from webex_harness.emulator.rest.store import Target, occurrence_id, target_state
from webex_harness.emulator.rest.times import render_time, slot_key, utc_text

RESPONSE_SHAPE = declare("rest-response-shape", "omits telephony and phoneAndVideoSystemPassword from meeting JSON")
REGISTRATION_FORM = declare(
    "rest-registration-form", "answers registration without maxRegisterNum, customizedQuestions and rules"
)
SINGLE_OCCURRENCE_ID = declare(
    "rest-single-occurrence-id",
    "the scheduled meeting of a meeting without recurrence gets an id of its own (<seriesId>_<start>)",
    behaviour="rest-list-by-meeting-number",
)
#: what :data:`REGISTRATION_FORM` leaves out of ``registration``
REGISTRATION_EXTRAS = ("maxRegisterNum", "customizedQuestions", "rules")

#: one answer: HTTP status, JSON payload (None for 204), extra headers
Answer = tuple[int, Any, list[tuple[str, str]]]


def tracking_id() -> str:
    return f"EMULATOR_{uuid.uuid4()}"


def error(status: int, message: str, description: str | None = None) -> Answer:
    """An error answer: ``status`` and the JSON error body."""
    body = {"message": message, "errors": [{"description": description or message}], "trackingId": tracking_id()}
    return status, body, []


def site_host(site: Site) -> str:
    return f"{site.name.lower()}.webex.com"


def render(site: Site, target: Target, now: datetime, *, utc: bool = False) -> dict[str, Any]:
    """The meeting JSON (003 "Response Properties", in the order of the seed's response sample)."""
    series = target.series
    props = dict(series.props)
    modified = False
    start, end, zulu = series.start, series.end, series.zulu
    if target.slot is not None:
        start, end, modified = series.effective(target.slot)
        exc = series.exceptions.get(slot_key(target.slot))
        if exc is not None:
            props.update(exc.props)
            zulu = exc.zulu
    state = target_state(target, now)
    ended_instance = target.kind == "meeting" and state == "ended"
    meeting_id = target.id
    if target.kind == "scheduledMeeting" and target.slot is not None and site.fault(SINGLE_OCCURRENCE_ID):
        meeting_id = occurrence_id(series, target.slot)
    host = site_host(site)
    out: dict[str, Any] = {"id": meeting_id}
    if target.kind != "meetingSeries":
        out["meetingSeriesId"] = series.id
    if not ended_instance:
        out["meetingNumber"] = series.number
    out["title"] = props["title"]
    out["agenda"] = props.get("agenda", "")
    if not ended_instance:
        out["password"] = props.get("password", "")
        out["phoneAndVideoSystemPassword"] = series.pv_password
    out["meetingType"] = target.kind
    out["state"] = state
    if target.kind == "scheduledMeeting":
        out["isModified"] = modified
    out["timezone"] = series.timezone
    out["start"] = utc_text(start) if utc else render_time(start, zulu)
    if not (target.kind == "meeting" and state == "inProgress"):
        out["end"] = utc_text(end) if utc else render_time(end, zulu)
    if target.kind == "meetingSeries" and series.recurrence:
        out["recurrence"] = series.recurrence
    out.update(
        {
            "hostUserId": series.host.user_id,
            "hostDisplayName": series.host.display_name,
            "hostEmail": series.host.email,
            "hostKey": series.host_key,
            "siteUrl": host,
            "webLink": f"https://{host}/{site.name.lower()}/j.php?MTID=m{series.web_token}",
            "sipAddress": f"{series.number}@{host}",
            "dialInIpAddress": "192.0.2.68",
        }
    )
    if series.room_id:
        out["roomId"] = series.room_id
    for name in (
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
    ):
        out[name] = props.get(name)
    if series.scheduled_type == "webinar":
        out["enabledWebcastView"] = props.get("enabledWebcastView", False)
        if props.get("panelistPassword"):
            out["panelistPassword"] = props["panelistPassword"]
            out["phoneAndVideoSystemPanelistPassword"] = series.pv_panelist_password
    for name in (
        "enableAutomaticLock",
        "automaticLockMinutes",
        "allowFirstUserToBeCoHost",
        "allowAuthenticatedDevices",
    ):
        out[name] = props.get(name)
    if not ended_instance:
        out["telephony"] = {
            "accessCode": series.number,
            "callInNumbers": [{"label": "US Toll", "callInNumber": "+1-415-655-0001", "tollType": "toll"}],
            "links": [
                {
                    "rel": "globalCallinNumbers",
                    "href": f"/api/v1/meetings/{meeting_id}/globalCallinNumbers",
                    "method": "GET",
                }
            ],
        }
    out["meetingOptions"] = dict(props["meetingOptions"])
    if series.scheduled_type != "webinar":  # 003: not supported for a webinar
        out["attendeePrivileges"] = dict(props["attendeePrivileges"])
    registration = {k: v for k, v in props["registration"].items() if k not in REGISTRATION_EXTRAS}
    if not site.fault(REGISTRATION_FORM):  # 003: the page's order: flags, maxRegisterNum, questions, rules
        registration.update({k: props["registration"][k] for k in REGISTRATION_EXTRAS if k in props["registration"]})
    out["registration"] = registration
    out["integrationTags"] = list(props.get("integrationTags") or [])
    out["scheduledType"] = series.scheduled_type
    out["simultaneousInterpretation"] = props["simultaneousInterpretation"]
    out["enabledBreakoutSessions"] = props.get("enabledBreakoutSessions", False)
    out["links"] = [{"rel": "breakoutSessions", "href": f"/v1/meetings/{series.id}/breakoutSessions", "method": "GET"}]
    out["trackingCodes"] = [dict(c) for c in props.get("trackingCodes") or []]
    out["enabledAudioWatermark"] = props.get("enabledAudioWatermark", False)
    out["enabledVisualWatermark"] = props.get("enabledVisualWatermark", False)
    if props.get("enabledVisualWatermark") and props.get("visualWatermarkOpacity") is not None:
        out["visualWatermarkOpacity"] = props["visualWatermarkOpacity"]
    out["audioConnectionOptions"] = dict(props["audioConnectionOptions"])
    if series.scheduled_type == "webinar":
        out["requireAttendeeLogin"] = props.get("requireAttendeeLogin", False)
        out["restrictToInvitees"] = props.get("restrictToInvitees", False)
    if state in ("inProgress", "ready"):
        out["hostDidJoin"] = False
        out["attendeeDidJoin"] = False
    if site.fault(RESPONSE_SHAPE):
        out.pop("telephony", None)
        out.pop("phoneAndVideoSystemPassword", None)
    return out


__all__ = ["Answer", "error", "render", "site_host", "tracking_id"]
