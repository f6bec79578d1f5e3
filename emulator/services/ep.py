"""Event-planner ("general session") service (``java:com.webex.service.binding.ep.*``): session
info and session lists over every kind of session in ``Site.sessions``, and DelSession. The same
service's recordings are :mod:`emulator.services.recordings`, its contacts :mod:`emulator.services.contacts`.

GetSessionInfo and LstsummarySession follow the 001 samples (40.1.0, 40.6.0, 40.8.0, 40.9.0,
40.12.0); LstCalendarSession, LstOpenSession and DelSession are named by the seeds without
samples and follow the public XML API reference as integrators use it. GetAPIVersion follows the
sample of the reference's page "XML Request and Response Documents" (``apiVersion``, ``release``,
``apiVer``) with the release the site plays (setting ``api_version``).
"""

from __future__ import annotations

import re
from datetime import timedelta

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Session, User
from webex_harness.emulator.services import common
from webex_harness.emulator.services.meeting import PRIVATE_MEETING, allows_jbh, host_key, meeting_link, sip_url
from webex_harness.emulator.services.site import SCHEDULED_PMR_LISTING, descending, handler, paged
from webex_harness.emulator.xmlio import Element, Elements, Node
from webex_harness.webex import timezones
from webex_harness.webex.errors import invalid_value, no_record_found
from webex_harness.webex.settings import LATEST_API_VERSION

API_VERSION = declare(
    "api-version", "GetAPIVersion answers the latest release whatever release the site plays (setting api_version)"
)
#: GetAPIVersion's ``apiVersion``: the schema generation's name, as the reference's sample shows it.
API_SCHEMA_NAME = "WebEx XML API V11.0.0"
SESSION_INFO_SHAPE = declare(
    "session-info-shape",
    "GetSessionInfo leaves out ep:isLocked and ep:confID, and the registration URLs of trainings and events",
)
SESSION_INFO_PRIVACY = declare(
    "session-info-privacy",
    "GetSessionInfo shows confName, startDate, duration, timeZone, "
    "meetingLink, sipURL and displayMeetingUrl to every caller, "
    "uninvited and anonymous ones too",
)
SESSION_INFO_IN_PROGRESS = declare(
    "session-info-in-progress", "GetSessionInfo never returns hasHostInMeeting/hasAttendeeInMeeting"
)
SESSION_INFO_HOST_ELEMENTS = declare(
    "session-info-host-elements",
    "GetSessionInfo leaves out accessControl/sessionPassword and hostKey, for the meeting's host too",
)
SESSION_INFO_JBH = declare(
    "session-info-jbh",
    "GetSessionInfo and LstsummarySession answer isAllowJBH true for every session, "
    "whatever its join-before-host setting (and E2EE)",
)
ANONYMOUS_LSTSUMMARYSESSION = declare(
    "anonymous-lstsummarysession",
    "answers an anonymous (siteName-only) LstsummarySession with the site's sessions instead of 000015",
)

SERVICE_TYPES = {
    "meeting": "MeetingCenter",
    "event": "EventCenter",
    "training": "TrainingCenter",
    "support": "SupportCenter",
    "teleconference": "MeetingCenter",
}
_KINDS_OF_SERVICE: dict[str, tuple[str, ...]] = {
    "MEETINGCENTER": ("meeting", "teleconference"),
    "EVENTCENTER": ("event",),
    "TRAININGCENTER": ("training",),
    "SUPPORTCENTER": ("support",),
    "SALESCENTER": (),
}
_ALL_KINDS = ("meeting", "event", "training", "support", "teleconference")
_MTID = re.compile(r"MTID=m([0-9a-fA-F]+)")


# ---------------------------------------------------------------- shared


def may_see_details(call: Call, session: Session) -> bool:
    """Behaviour ``session-info-privacy`` (001, 40.8.0): the host and invited (not rejected)
    attendees — matched by the caller's e-mail — see the details; nobody else does."""
    if call.fault(SESSION_INFO_PRIVACY):
        return True
    caller = call.caller
    if caller is None:
        return False
    if caller.webex_id.lower() == session.host.lower():
        return True
    email = caller.email.lower()
    return any(a.email.lower() == email and a.join_status != "REJECT" for a in session.attendees) if email else False


def is_private(call: Call, session: Session) -> bool:
    """Behaviour ``private-meeting`` (001, 40.12.0), ep side; helper A's fault reports false."""
    return session.meeting_type in call.site.settings.private_meeting_types and not call.fault(PRIVATE_MEETING)


def is_scheduled_pmr(session: Session) -> bool:
    """A meeting scheduled in the host's Personal Room (as its stored request says)."""
    meta = session.fields.get("metaData")
    meta = meta if isinstance(meta, dict) else {}
    flag = session.fields.get("isScheduledPMR") or meta.get("isPersonalMeetingRoom")
    return bool(common.parse_bool(flag if isinstance(flag, str) else None, False))


def is_host(call: Call, session: Session) -> bool:
    """The caller hosts ``session``."""
    return call.caller is not None and call.caller.webex_id.lower() == session.host.lower()


def allow_jbh(call: Call, session: Session) -> bool:
    """Behaviour ``session-info-jbh``: ``isAllowJBH`` follows the meeting's join-before-host
    (``enableOptions/joinBeforeHost``), false for an E2EE meeting (``e2ee-disables-features``)."""
    return True if call.fault(SESSION_INFO_JBH) else allows_jbh(call, session)


def _kinds(node: Node) -> tuple[str, ...]:
    """``serviceTypes/serviceType`` -> session kinds (all when absent)."""
    names = [n.text.strip().upper() for n in node.findall("serviceTypes/serviceType") if n.text.strip()]
    if not names:
        return _ALL_KINDS
    kinds: list[str] = []
    for name in names:
        if name not in _KINDS_OF_SERVICE:
            raise invalid_value("serviceType")
        kinds.extend(_KINDS_OF_SERVICE[name])
    return tuple(dict.fromkeys(kinds))


def _host(call: Call, session: Session) -> User | None:
    return call.site.user(session.host)


def _in_scope(node: Node, session: Session) -> bool:
    """``dateScope`` start/end bounds (in the scope's ``timeZoneID``) around the session."""
    scope = node.child("dateScope")
    if scope is None:
        return True
    tz = timezones.offset(common.time_zone_id(scope))
    begin = common.start_utc(session)
    end = begin + timedelta(minutes=session.duration)
    for name, value, lower in (
        ("startDateStart", begin, True),
        ("startDateEnd", begin, False),
        ("endDateStart", end, True),
        ("endDateEnd", end, False),
    ):
        bound = common.parse_date(scope.get(name), name)
        if bound is None:
            continue
        limit = bound.replace(tzinfo=tz)
        if (lower and value < limit) or (not lower and value > limit):
            return False
    return True


def _invited(caller: User, session: Session) -> bool:
    return bool(caller.email) and session.attendee_by_email(caller.email) is not None


# ---------------------------------------------------------------- GetSessionInfo


def _find_for_info(call: Call) -> Session:
    """By sessionKey or meetingUUID (``meeting-uuid-equivalence``), else by ``meetingLink``
    (its MTID) or ``sipUrl`` (``<key>@…``) — the 40.1.0 alternatives. Unknown: 000015."""
    node = call.node
    key, uuid = common.key_and_uuid(call, node)
    session = call.site.session(key, uuid) if key or uuid else None
    if session is None and not key and not uuid:
        link = node.get("meetingLink") or ""
        match = _MTID.search(link)
        if match:
            token = match.group(1).lower()
            session = next((s for s in call.site.sessions.values() if s.guest_token == token), None)
        sip = (node.get("sipUrl") or "").strip()
        if session is None and sip:
            session = call.site.session(sip.split("@", 1)[0].split("_", 1)[0])
    if session is None:
        raise no_record_found()
    return session


def _registration_urls(call: Call, session: Session) -> list[Element]:
    """Trainings and events (001, 40.8.0): registrationURL, registrationURLForMobile, joinStatus."""
    if session.kind not in ("training", "event") or call.fault(SESSION_INFO_SHAPE):
        return []
    base = common.site_url(call)
    site = call.site.name.lower()
    center = "tc3300/trainingcenter" if session.kind == "training" else "ec3300/eventcenter"
    status = "INVITE"
    if call.caller is not None and call.caller.email:
        attendee = session.attendee_by_email(call.caller.email)
        if attendee is not None:
            status = attendee.join_status if attendee.join_status in ("INVITE", "REGISTER", "REJECT") else "REGISTER"
    return [
        ("ep:registrationURL", f"{base}/{center}/register/registerSession.do?siteurl={site}&confID={session.conf_id}"),
        ("ep:passwordReq", bool(session.password)),
        (
            "ep:registrationURLForMobile",
            f"{base}/{center}/meeting/sessionInfoMobile.do?siteurl={site}&confID={session.conf_id}",
        ),
        ("ep:joinStatus", status),
    ]


@handler("ep", "GetSessionInfo", "ep:getSessionInfoResponse")
def get_session_info(call: Call) -> Elements:
    """Behaviours ``session-info-shape`` (40.1.0, 40.8.0), ``session-info-privacy`` (40.8.0),
    ``session-info-in-progress`` (40.9.0), ``private-meeting`` (40.12.0), ``meeting-uuid-equivalence``,
    ``session-info-host-elements`` and ``session-info-jbh`` (the GetSessionInfo reference page)."""
    session = _find_for_info(call)
    details = may_see_details(call, session)
    in_progress = session.status == "INPROGRESS" and not call.fault(SESSION_INFO_IN_PROGRESS)
    registration = common.parse_bool(str(session.fields.get("attendeeOptions", {}).get("registration", "")), False)
    shape_ok = not call.fault(SESSION_INFO_SHAPE)
    extra = _registration_urls(call, session)
    # Behaviour session-info-host-elements: the page marks sessionPassword "PW" (host, invitees,
    # panelists, presenters); hostKey goes to the meeting's own host only.
    host_only = is_host(call, session) and not call.fault(SESSION_INFO_HOST_ELEMENTS)
    password = session.password if details and session.password and not call.fault(SESSION_INFO_HOST_ELEMENTS) else None
    access: list[Element] = [
        ("ep:sessionPassword", password),
        ("ep:listStatus", common.list_status(session)),
        ("ep:registration", bool(registration)),
    ]
    access += extra if extra else [("ep:passwordReq", bool(session.password))]
    access.append(("ep:isRegisterIDRequired", False))
    return [
        ("ep:status", session.status),
        ("ep:isLocked", False if shape_ok else None),
        ("ep:sessionkey", session.key),
        ("ep:meetingUUID", session.uuid),
        ("ep:confID", session.conf_id if shape_ok else None),
        ("ep:sipURL", sip_url(call, session) if details else None),
        ("ep:displayMeetingUrl", sip_url(call, session) if details else None),
        ("ep:meetingLink", meeting_link(call, session) if details else None),
        ("ep:accessControl", access),
        (
            "ep:metaData",
            [
                ("ep:confName", session.name if details else None),
                ("ep:serviceType", SERVICE_TYPES.get(session.kind, "MeetingCenter")),
            ],
        ),
        ("ep:host", [("ep:webExId", session.host)]),
        ("ep:hostKey", host_key(session) if host_only else None),
        (
            "ep:schedule",
            [
                ("ep:startDate", common.format_date(session.start)),
                ("ep:duration", session.duration),
                ("ep:timeZone", timezones.display_name(session.time_zone_id)),
                ("ep:timeZoneID", session.time_zone_id),
            ]
            if details
            else None,
        ),
        ("ep:attendeeOptions", [("ep:joinRequiresAccount", False)]),
        ("ep:supportE2E", common.stored_bool(session, "enableOptions", "supportE2E")),
        ("ep:isAllowJBH", allow_jbh(call, session)),
        ("ep:isPrivateMeeting", is_private(call, session)),
        ("ep:isCETMeeting", True),
        ("ep:isPersonalMeetingRoom", is_scheduled_pmr(session)),
        ("ep:isNextUpcomingInstance", True),
        ("ep:hasHostInMeeting", session.host_in_meeting if in_progress else None),
        (
            "ep:hasAttendeeInMeeting",
            (session.attendees_in_meeting > 0 or session.host_in_meeting) if in_progress else None,
        ),
    ]


# ---------------------------------------------------------------- LstsummarySession


@handler("ep", "LstsummarySession", "ep:lstsummarySessionResponse")
def lstsummary_session(call: Call) -> Elements:
    """Sessions of every kind (001, 40.6.0 sample). Behaviours ``anonymous-lstsummarysession``
    (40.2.0: siteName only -> 000015), ``scheduled-pmr-listing`` (40.6.0: with the site toggle on,
    ``returnScheduledPMR`` true adds ``isScheduledPMR`` to every session; with it off the
    element is ignored), ``private-meeting`` (40.12.0), ``list-paging``."""
    node = call.node
    kinds = _kinds(node)
    if call.caller is None:
        if not call.fault(ANONYMOUS_LSTSUMMARYSESSION):
            raise no_record_found()
        key, uuid = common.key_and_uuid(call, node)
        sessions = [
            s
            for s in call.site.sessions.values()
            if s.kind in kinds and (not key or s.key == key.strip()) and (not uuid or s.uuid == uuid.strip().lower())
        ]
        sessions.sort(key=common.start_utc)
    else:
        sessions = common.listed_sessions(call, node, kinds)
    want_pmr = (
        call.site.settings.return_scheduled_pmr
        and not call.fault(SCHEDULED_PMR_LISTING)
        and bool(common.parse_bool(node.get("returnScheduledPMR"), False))
    )
    chosen, matching = paged(call, node, sessions, "ep")
    return [matching, *[("ep:session", _summary(call, s, want_pmr)) for s in chosen]]


def _summary(call: Call, s: Session, want_pmr: bool) -> list[Element]:
    host = _host(call, s)
    registration = common.parse_bool(str(s.fields.get("attendeeOptions", {}).get("registration", "")), False)
    return [
        ("ep:sessionKey", s.key),
        ("ep:MeetingUUID", s.uuid),
        ("ep:confName", s.name),
        ("ep:sessionType", s.meeting_type),
        ("ep:serviceType", SERVICE_TYPES.get(s.kind, "MeetingCenter")),
        ("ep:hostWebExID", s.host),
        ("ep:hostFirstName", host.first_name if host else s.host),
        ("ep:hostLastName", host.last_name if host else s.host),
        ("ep:otherHostWebExID", s.host),
        ("ep:timeZoneID", s.time_zone_id),
        ("ep:timeZone", timezones.display_name(s.time_zone_id)),
        ("ep:status", s.status),
        ("ep:startTime", common.format_date(s.start)),
        ("ep:duration", s.duration),
        ("ep:listStatus", common.list_status(s)),
        ("ep:hostEmail", host.email if host else ""),
        ("ep:passwordReq", bool(s.password)),
        ("ep:hostJoined", s.host_in_meeting),
        ("ep:participantsJoined", s.attendees_in_meeting > 0),
        ("ep:confID", s.conf_id),
        ("ep:registration", bool(registration)),
        ("ep:isRecurring", False),
        ("ep:hostType", "1019001"),
        ("ep:isAudioOnly", False),
        ("ep:isTCSingleRecurrence", False),
        ("ep:isAllowJBH", allow_jbh(call, s)),
        ("ep:isCETMeeting", True),
        ("ep:isException", False),
        ("ep:isNextUpcomingInstance", True),
        ("ep:seriesMeetingKey", 0),
        ("ep:recurrenceId", 0),
        ("ep:isScheduledPMR", is_scheduled_pmr(s) if want_pmr else None),
        ("ep:isPrivateMeeting", is_private(call, s)),
    ]


# ---------------------------------------------------------------- LstCalendarSession / LstOpenSession


@handler("ep", "LstCalendarSession", "ep:lstCalendarSessionResponse")
def lst_calendar_session(call: Call) -> Elements:
    """The caller's calendar: sessions they host or are invited to, in ``dateScope``, of the
    ``serviceTypes`` asked for; each with ``meetingUUID`` (40.6.0) and ``isPrivateMeeting`` (40.12.0)."""
    caller = call.user()
    node = call.node
    kinds = _kinds(node)
    sessions = [
        s
        for s in call.site.sessions.values()
        if s.kind in kinds and (s.host.lower() == caller.webex_id.lower() or _invited(caller, s)) and _in_scope(node, s)
    ]
    sessions.sort(key=lambda s: (common.start_utc(s), s.key), reverse=descending(node))
    chosen, matching = paged(call, node, sessions, "ep")
    return [
        matching,
        *[
            (
                "ep:session",
                [
                    ("ep:sessionKey", s.key),
                    ("ep:meetingUUID", s.uuid),
                    ("ep:confName", s.name),
                    ("ep:sessionType", s.meeting_type),
                    ("ep:serviceType", SERVICE_TYPES.get(s.kind, "MeetingCenter")),
                    ("ep:hostWebExID", s.host),
                    ("ep:timeZoneID", s.time_zone_id),
                    ("ep:timeZone", timezones.display_name(s.time_zone_id)),
                    ("ep:status", s.status),
                    ("ep:startTime", common.format_date(s.start)),
                    ("ep:duration", s.duration),
                    ("ep:listStatus", common.list_status(s)),
                    ("ep:passwordReq", bool(s.password)),
                    ("ep:confID", s.conf_id),
                    ("ep:isPrivateMeeting", is_private(call, s)),
                ],
            )
            for s in chosen
        ],
    ]


@handler("ep", "LstOpenSession", "ep:lstOpenSessionResponse")
def lst_open_session(call: Call) -> Elements:
    """Sessions in progress, grouped per service type: those the caller hosts or is invited to,
    and publicly listed ones (anonymous callers see only those)."""
    node = call.node
    kinds = _kinds(node)
    caller = call.caller

    def visible(s: Session) -> bool:
        if common.list_status(s) == "PUBLIC":
            return True
        return caller is not None and (
            caller.site_admin or s.host.lower() == caller.webex_id.lower() or _invited(caller, s)
        )

    sessions = [s for s in call.site.sessions.values() if s.kind in kinds and s.status == "INPROGRESS" and visible(s)]
    sessions.sort(key=lambda s: (SERVICE_TYPES.get(s.kind, "MeetingCenter"), common.start_utc(s), s.key))
    chosen, matching = paged(call, node, sessions, "ep")
    groups: dict[str, list[Element]] = {}
    for s in chosen:
        groups.setdefault(SERVICE_TYPES.get(s.kind, "MeetingCenter"), []).append(
            (
                "ep:sessions",
                [
                    ("ep:sessionKey", s.key),
                    ("ep:meetingUUID", s.uuid),
                    ("ep:hostWebExID", s.host),
                    ("ep:confName", s.name),
                    ("ep:startDate", common.format_date(s.start)),
                    ("ep:timeZoneID", s.time_zone_id),
                    ("ep:listStatus", common.list_status(s)),
                ],
            )
        )
    return [
        matching,
        *[("ep:services", [("ep:serviceType", service), *entries]) for service, entries in groups.items()],
    ]


# ---------------------------------------------------------------- DelSession


@handler("ep", "DelSession", "ep:delSessionResponse")
def del_session(call: Call) -> Elements:
    """Delete a session of any kind (host or site administrator); it moves to the history."""
    session = common.find_session(call, call.node)
    common.require_owner(call, session)
    call.site.remove_session(session.key)
    return []


@handler("ep", "GetAPIVersion", "ep:getAPIVersionResponse")
def get_api_version(call: Call) -> Elements:
    """Behaviour ``api-version``: ``apiVersion`` (the schema's name, as the sample shows), ``release``
    (the site release ``WBS<major>.<minor>``; the sample's ``SP26`` naming is not documented for 40)
    and ``apiVer``, the release the site plays (setting ``api_version``). Anonymous calls are
    answered, as in the sample (siteName only)."""
    version = LATEST_API_VERSION if call.fault(API_VERSION) else call.site.settings.api_version
    major, minor = version.split(".")[:2]
    return [
        ("ep:apiVersion", API_SCHEMA_NAME),
        ("ep:release", f"WBS{major}.{minor}"),
        ("ep:apiVer", version),
    ]
