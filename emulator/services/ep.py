"""Event-planner service (``java:com.webex.service.binding.ep.*``): session info and lists."""

from __future__ import annotations

from emulator.dispatch import Call, handler
from emulator.model import Session
from emulator.services import common
from emulator.services.meeting import meeting_link, sip_url
from emulator.xmlio import Elements
from harness import timezones
from harness.errors import no_record_found

SERVICE_TYPES = {
    "meeting": "MeetingCenter",
    "event": "EventCenter",
    "training": "TrainingCenter",
    "support": "SupportCenter",
    "teleconference": "MeetingCenter",
}


def may_see_details(call: Call, session: Session) -> bool:
    """Behaviour ``session-info-privacy``: the host and invited/approved attendees see details."""
    caller = call.caller
    if caller is None:
        return False
    if caller.webex_id.lower() == session.host.lower():
        return True
    email = caller.email.lower()
    return any(a.email.lower() == email and a.join_status != "REJECT" for a in session.attendees) if email else False


@handler("ep", "GetSessionInfo", "ep:getSessionInfoResponse")
def get_session_info(call: Call) -> Elements:
    session = common.find_session(call, call.node, not_found=no_record_found())
    details = may_see_details(call, session)
    private = session.meeting_type in call.site.settings.private_meeting_types
    in_progress = session.status == "INPROGRESS"
    registration = bool(session.fields.get("attendeeOptions", {}).get("registration") in ("true", "TRUE"))
    return [
        ("ep:status", session.status),
        ("ep:isLocked", False),
        ("ep:sessionkey", session.key),
        ("ep:meetingUUID", session.uuid),
        ("ep:confID", session.conf_id),
        ("ep:sipURL", sip_url(call, session) if details else None),
        ("ep:displayMeetingUrl", sip_url(call, session) if details else None),
        ("ep:meetingLink", meeting_link(call, session) if details else None),
        ("ep:accessControl", [
            ("ep:listStatus", "UNLISTED"),
            ("ep:registration", registration),
            ("ep:passwordReq", bool(session.password)),
            ("ep:isRegisterIDRequired", False),
        ]),
        ("ep:metaData", [
            ("ep:confName", session.name if details else None),
            ("ep:serviceType", SERVICE_TYPES.get(session.kind, "MeetingCenter")),
        ]),
        ("ep:host", [("ep:webExId", session.host)]),
        ("ep:schedule", [
            ("ep:startDate", common.format_date(session.start)),
            ("ep:duration", session.duration),
            ("ep:timeZone", timezones.display_name(session.time_zone_id)),
            ("ep:timeZoneID", session.time_zone_id),
        ] if details else None),
        ("ep:attendeeOptions", [("ep:joinRequiresAccount", False)]),
        ("ep:supportE2E", False),
        ("ep:isAllowJBH", True),
        ("ep:isPrivateMeeting", True if private else None),
        ("ep:isCETMeeting", True),
        ("ep:isPersonalMeetingRoom", False),
        ("ep:isNextUpcomingInstance", True),
        ("ep:hasHostInMeeting", session.host_in_meeting if in_progress else None),
        ("ep:hasAttendeeInMeeting", (session.attendees_in_meeting > 0 or session.host_in_meeting)
         if in_progress else None),
    ]
