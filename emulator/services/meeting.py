"""Meeting service (``java:com.webex.service.binding.meeting.*``): Meeting Center meetings.

CreateMeeting, SetMeeting, GetMeeting, DelMeeting (002; 001 40.1.2–40.12.0), LstsummaryMeeting,
GethosturlMeeting and GetjoinurlMeeting (named in 001 40.6.0/40.8.0; shapes follow the public
XML API reference as integrators use it). What Create/Set send is kept in ``Session.fields`` and
read back by GetMeeting, whose element order follows a real getMeetingResponse. This module reads
requests and shapes answers; what a Create/SetMeeting body may hold and how it changes a meeting are
the rules of :mod:`emulator.services.meeting_rules`.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from webex_harness.emulator import meeting_link as link
from webex_harness.emulator.dispatch import Call, handler
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Session
from webex_harness.emulator.services import common, meeting_options, meeting_rules, set_drops
from webex_harness.emulator.xmlio import Element, Elements
from webex_harness.webex import timezones

CREATE_RESPONSE_SHAPE = declare(
    "create-response-shape",
    "CreateMeeting answers without meet:iCalendarURL and "
    "meet:guestToken (CreateTrainingSession without "
    "train:additionalInfo, "
    "CreateEvent/CreateTeleconferenceSession without guestToken)",
)
E2EE_DISABLES_FEATURES = declare(
    "e2ee-disables-features",
    "keeps networkBasedRecording, joinBeforeHost and supportRemoteComputer on for an E2EE (supportE2E) meeting",
)
AUTO_RECORD = declare(
    "auto-record", "GetMeeting shows the request's autoRecord, ignoring the site's 'record all sessions' setting"
)
JOIN_TELECONF_BEFORE_HOST = declare(
    "join-teleconf-before-host", "drops schedule/joinTeleconfBeforeHost: Get* always report false"
)
PRIVATE_MEETING = declare(
    "private-meeting",
    "reports isPrivateMeeting false for meetings of a private meeting type "
    "(and SupportPrivateMeeting false for private meeting types)",
)
REGISTRATION_FORM = declare("registration-form", "GetMeeting reports every registrationForm field as not required")
DEVICE_CAN_START = declare("device-can-start", "drops schedule/deviceCanStartMeeting: GetMeeting always reports false")
AUDIO_PASSWORD = declare(
    "audio-password",
    "GetMeeting/GetEvent/GetTrainingSession/GetTeleconferenceSession answer "
    "the alphanumeric session password as audioPassword, without "
    "isEnforceAudioPassword/isEnforceAudioLogin",
)

GET_MEETING_COMPLETE = declare(
    "get-meeting-complete",
    "GetMeeting answers only the enableOptions, metaData, schedule and attendeeOptions elements the "
    "requests sent (no template defaults, no agenda)",
)
DEL_MEETING_SHAPE = declare("del-meeting-shape", "DelMeeting answers meet:iCalendarURL without serv:host")

#: The order GetMeeting's registrationForm comes in (the 40.6.1 response sample: phone first).
REGISTRATION_READ_ORDER = (
    "phone",
    "title",
    "company",
    "address1",
    "address2",
    "city",
    "state",
    "postalCode",
    "country",
    "fax",
)

#: The locked-lobby elements GetMeeting answers apart from the other attendee options.
_LOBBY = ("externalAttendeeSecurity", "autoLock", "autoLockWaitTime")

#: E2EE (002): the features an E2EE meeting cannot have. The seed names them "networkBasedRecording,
#: joinBeforeHost, and remoteComputer sharing"; the first two are read back under those names in
#: ``enableOptions``, the last as the real schema's ``enableOptions/supportRemoteComputer``.
E2EE_DISABLED = ("networkBasedRecording", "joinBeforeHost", "supportRemoteComputer")


def _icalendar(call: Call, session: Session) -> Element:
    base = f"{common.site_url(call)}/{call.site.name}/j.php?MTID=m{session.guest_token}"
    return ("meet:iCalendarURL", [("serv:host", f"{base}&ICS=MIFH"), ("serv:attendee", f"{base}&ICS=MIFA")])


@handler("meeting", "CreateMeeting")
def create_meeting(call: Call) -> Elements:
    """002 sample response, with meetingPassword (001, 40.1.2) and meetingUUID (40.6.0).

    Behaviour ``create-response-shape``: ``meet:meetingkey``, ``meet:iCalendarURL/serv:host``,
    ``serv:attendee`` and ``meet:guestToken``.
    """
    host = call.user()
    node = call.node
    session = common.new_session(call, "meeting", host, node)
    meeting_rules.apply_meeting(call, session, node, creating=True)
    session.password = common.password_for_create(call, node.get("accessControl/meetingPassword"))
    call.site.add_session(session)
    link.session_created(call.site, session)
    shape_ok = not call.fault(CREATE_RESPONSE_SHAPE)
    return [
        ("meet:meetingkey", session.key),
        ("meet:meetingUUID", session.uuid),
        ("meet:meetingPassword", session.password),
        _icalendar(call, session) if shape_ok else ("meet:iCalendarURL", None),
        ("meet:guestToken", session.guest_token if shape_ok else None),
    ]


@handler("meeting", "SetMeeting")
def set_meeting(call: Call) -> Elements:
    call = set_drops.honoured(call)  # behaviour set-meeting-read-back
    session = common.find_session(call, call.node, ("meeting",))
    common.require_owner(call, session)
    meeting_rules.apply_meeting(call, session, call.node, creating=False)
    link.session_changed(call.site, session)
    return [_icalendar(call, session), ("meet:meetingUUID", session.uuid)]


# ---------------------------------------------------------------- read side


def meeting_link(call: Call, session: Session) -> str:
    return f"{common.site_url(call)}/{call.site.name}/j.php?MTID=m{session.guest_token}"


def sip_url(call: Call, session: Session) -> str:
    return f"{session.key}@{call.site.name.lower()}.webex.com"


#: a guest token's hex letters as digits (a host key is six digits)
_HEX_LETTERS_AS_DIGITS = str.maketrans("abcdef", "123456")


def host_key(session: Session) -> str:
    return session.guest_token[:6].translate(_HEX_LETTERS_AS_DIGITS)


def is_private(call: Call, session: Session) -> bool:
    """Behaviour ``private-meeting`` (001, 40.12.0): the meeting's type is a private meeting type."""
    return session.meeting_type in call.site.settings.private_meeting_types and not call.fault(PRIVATE_MEETING)


def audio_elements(call: Call, prefix: str, session: Session) -> list[Element]:
    """Behaviour ``audio-password`` (001, 40.4.8): numeric ``audioPassword``,
    ``isEnforceAudioPassword``, ``isEnforceAudioLogin`` inside ``accessControl``."""
    access = session.fields.get("accessControl")
    access = access if isinstance(access, dict) else {}
    if call.fault(AUDIO_PASSWORD):
        return [(f"{prefix}:audioPassword", session.password or "")]
    enforce_pw = common.parse_bool(
        access.get("isEnforceAudioPassword") if isinstance(access.get("isEnforceAudioPassword"), str) else None,
        bool(session.password),
    )
    enforce_login = common.parse_bool(
        access.get("isEnforceAudioLogin") if isinstance(access.get("isEnforceAudioLogin"), str) else None, False
    )
    return [
        (f"{prefix}:audioPassword", session.audio_password),
        (f"{prefix}:isEnforceAudioPassword", bool(enforce_pw)),
        (f"{prefix}:isEnforceAudioLogin", bool(enforce_login)),
    ]


def allows_jbh(call: Call, s: Session) -> bool:
    """Join before host as the meeting has it: ``enableOptions/joinBeforeHost`` as Create/Set stored
    it, off for an E2EE meeting (behaviour ``e2ee-disables-features``)."""
    e2ee = common.stored_bool(s, "enableOptions", "supportE2E")
    jbh = common.stored_bool(s, "enableOptions", "joinBeforeHost")
    return jbh and not (e2ee and not call.fault(E2EE_DISABLES_FEATURES))


def _complete(call: Call) -> bool:
    """Behaviour ``get-meeting-complete``: every documented element, not only the stored ones."""
    return not call.fault(GET_MEETING_COMPLETE)


def _enable_options(call: Call, s: Session) -> list[Element]:
    """Every enableOptions flag in the page's order (behaviour ``get-meeting-complete``); behaviours
    ``e2ee-disables-features`` (002) and ``auto-record`` (002) override what was stored."""
    options = s.fields.get("enableOptions", {})
    e2ee = common.stored_bool(s, "enableOptions", "supportE2E")
    auto_record = common.stored_bool(s, "enableOptions", "autoRecord")
    if call.site.settings.auto_record_all and not call.fault(AUTO_RECORD):
        auto_record = True  # "Automatically record all sessions using NBR" overrides autoRecord
    disabled = e2ee and not call.fault(E2EE_DISABLES_FEATURES)
    overrides: dict[str, object] = {"supportE2E": e2ee, "autoRecord": auto_record}
    for name in E2EE_DISABLED:
        overrides[name] = common.stored_bool(s, "enableOptions", name) and not disabled
    registration = common.stored_bool(s, "attendeeOptions", "registration")
    overrides["enableReg"] = meeting_options.value_of(options, "enableReg", registration)
    if _complete(call):
        return meeting_options.ordered("meet", options, meeting_options.ENABLE_OPTIONS, overrides)
    out = common.render_fields("meet", options, skip=(*E2EE_DISABLED, "supportE2E", "autoRecord"))
    out += [(f"meet:{name}", overrides[name]) for name in (*E2EE_DISABLED, "supportE2E", "autoRecord")]
    return out


def _schedule(call: Call, s: Session) -> list[Element]:
    stored = s.fields.get("schedule", {})
    jbh = common.stored_bool(s, "schedule", "joinTeleconfBeforeHost") and not call.fault(JOIN_TELECONF_BEFORE_HOST)
    device = common.stored_bool(s, "schedule", "deviceCanStartMeeting") and not call.fault(DEVICE_CAN_START)
    fixed = ("startDate", "duration", "timeZoneID", "timeZone", "openTime", "hostWebExID", "deviceCanStartMeeting")
    order = meeting_options.SCHEDULE if _complete(call) else (("joinTeleconfBeforeHost", False),)
    return [
        ("meet:startDate", common.format_date(s.start)),
        ("meet:timeZoneID", s.time_zone_id),
        ("meet:timeZone", timezones.display_name(s.time_zone_id)),
        ("meet:duration", s.duration),
        ("meet:openTime", stored.get("openTime", "0") if isinstance(stored, dict) else "0"),
        ("meet:hostWebExID", s.host),
        *meeting_options.ordered("meet", stored, order, {"joinTeleconfBeforeHost": jbh}, skip=fixed),
        ("meet:deviceCanStartMeeting", device),
    ]


def _attendee_options(call: Call, s: Session) -> list[Element]:
    """Every attendeeOptions element in the page's order; the locked-lobby elements (001, 40.9.0)
    last, as in the sample, only on a site with ConsistentLockedLobby (defaults: AllowJoin, false,
    0 — a guess)."""
    stored = s.fields.get("attendeeOptions", {})
    order = meeting_options.ATTENDEE_OPTIONS if _complete(call) else ()
    out = meeting_options.ordered("meet", stored, order, skip=_LOBBY)
    if not call.site.settings.consistent_locked_lobby:
        return out
    get = stored.get if isinstance(stored, dict) else {}.get
    security = get("externalAttendeeSecurity") or "AllowJoin"
    out += [
        ("meet:externalAttendeeSecurity", None if call.fault(meeting_rules.LOCKED_LOBBY) else security),
        ("meet:autoLock", common.parse_bool(get("autoLock"), False)),
        ("meet:autoLockWaitTime", get("autoLockWaitTime") or "0"),
    ]
    return out


def _meta_data(call: Call, s: Session) -> list[Element]:
    """confName, meetingType, agenda, invitation, isInternal (behaviour ``get-meeting-complete``),
    anything else sent, isPrivateMeeting (40.12.0) last."""
    order = meeting_options.META_DATA if _complete(call) else ()
    return [
        ("meet:confName", s.name),
        ("meet:meetingType", s.meeting_type),
        *meeting_options.ordered(
            "meet", s.fields.get("metaData", {}), order, skip=("confName", "meetingType", "isPrivateMeeting")
        ),
        ("meet:isPrivateMeeting", is_private(call, s)),
    ]


def _participants(s: Session) -> list[Element]:
    stored = s.fields.get("participants", {})
    max_users = stored.get("maxUserNumber", "4") if isinstance(stored, dict) else "4"
    return [
        ("meet:maxUserNumber", max_users),
        (
            "meet:attendees",
            [
                (
                    "meet:attendee",
                    [
                        (
                            "att:person",
                            [
                                ("com:name", a.name),
                                ("com:email", a.email),
                                ("com:type", a.fields.get("type", "VISITOR")),
                            ],
                        ),
                        ("att:contactID", a.attendee_id),
                        ("att:joinStatus", a.join_status),
                        ("att:meetingKey", s.key),
                        ("att:role", a.role),
                    ],
                )
                for a in s.attendees
            ],
        ),
    ]


@handler("meeting", "GetMeeting")
def get_meeting(call: Call) -> Elements:
    """getMeetingResponse, in the order of a real one; behaviours ``get-meeting-complete``, ``private-meeting``,
    ``locked-lobby``, ``registration-form``, ``device-can-start``, ``audio-password``,
    ``e2ee-disables-features``, ``auto-record``, ``join-teleconf-before-host``."""
    call.user()
    s = common.find_session(call, call.node, ("meeting",))
    f = s.fields
    form = {} if call.fault(REGISTRATION_FORM) else s.registration_form
    return [
        (
            "meet:accessControl",
            [
                ("meet:listToPublic", common.stored_bool(s, "accessControl", "listToPublic")),
                ("meet:isPublic", common.stored_bool(s, "accessControl", "isPublic")),
                ("meet:meetingPassword", s.password or ""),
                *audio_elements(call, "meet", s),
                *common.render_fields(
                    "meet",
                    f.get("accessControl", {}),
                    skip=(
                        "listToPublic",
                        "isPublic",
                        "meetingPassword",
                        "audioPassword",
                        "isEnforceAudioPassword",
                        "isEnforceAudioLogin",
                    ),
                ),
            ],
        ),
        ("meet:metaData", _meta_data(call, s)),
        ("meet:participants", _participants(s)),
        ("meet:enableOptions", _enable_options(call, s)),
        ("meet:schedule", _schedule(call, s)),
        (
            "meet:telephony",
            [
                ("meet:telephonySupport", f.get("telephony", {}).get("telephonySupport", "CALLIN")),
                *common.render_fields("meet", f.get("telephony", {}), skip=("telephonySupport", "callInNum")),
                ("meet:callInNum", [("serv:tollNum", "1-408-555-0100"), ("serv:tollFreeNum", "1-800-555-0100")]),
            ],
        ),
        ("meet:tracking", common.render_fields("meet", f.get("tracking", {}))),
        ("meet:repeat", common.render_fields("meet", f.get("repeat", {})) or [("meet:repeatType", "NO_REPEAT")]),
        ("meet:remind", common.render_fields("meet", f.get("remind", {}))),
        ("meet:attendeeOptions", _attendee_options(call, s)),
        ("meet:meetingkey", s.key),
        ("meet:meetingUUID", s.uuid),
        ("meet:status", s.status),
        ("meet:hostJoined", s.host_in_meeting),
        ("meet:participantsJoined", s.attendees_in_meeting > 0),
        ("meet:telePresence", False if _complete(call) else None),
        ("meet:hostKey", host_key(s)),
        ("meet:eventID", s.conf_id[-8:]),
        ("meet:guestToken", s.guest_token),
        ("meet:hostType", "1019001" if _complete(call) else None),
        ("meet:meetingLink", meeting_link(call, s)),
        ("meet:sipURL", sip_url(call, s)),
        ("meet:displayMeetingUrl", sip_url(call, s)),
        (
            "meet:registrationForm",
            [(f"meet:{name}", [("meet:req", form.get(name, False))]) for name in REGISTRATION_READ_ORDER],
        ),
    ]


@handler("meeting", "DelMeeting")
def del_meeting(call: Call) -> Elements:
    """Deletes a meeting (or a teleconference-only session, which is a Meeting Center meeting).

    Behaviour ``del-meeting-shape``: ``meet:iCalendarURL`` holds ``serv:host`` and ``serv:attendee``
    (the cancellations for the host's and the attendees' calendars), as the DelMeeting page shows."""
    session = common.find_session(call, call.node, ("meeting", "teleconference"))
    common.require_owner(call, session)
    call.site.remove_session(session.key)
    url = meeting_link(call, session)
    calendar: list[Element] = [] if call.fault(DEL_MEETING_SHAPE) else [("serv:host", f"{url}&ICS=MCH")]
    calendar.append(("serv:attendee", f"{url}&ICS=MC"))
    return [
        ("meet:iCalendarURL", calendar),
        ("meet:meetingUUID", session.uuid),
    ]


@handler("meeting", "LstsummaryMeeting")
def lstsummary_meeting(call: Call) -> Elements:
    """``meet:matchingRecords`` then ``meet:meeting`` entries (``meet:meetingKey`` with a capital K,
    docs/wire.md X4; ``meet:meetingUUID``, 001 40.8.0). Shape: the public XML API reference."""
    sessions = common.listed_sessions(call, call.node, ("meeting",))
    chosen, start = common.page_of(call, call.node, sessions)
    return [
        common.matching_records("meet", len(sessions), len(chosen), start),
        *[
            (
                "meet:meeting",
                [
                    ("meet:meetingKey", s.key),
                    ("meet:meetingUUID", s.uuid),
                    ("meet:confName", s.name),
                    ("meet:meetingType", s.meeting_type),
                    ("meet:hostWebExID", s.host),
                    ("meet:otherHostWebExID", s.host),
                    ("meet:timeZoneID", s.time_zone_id),
                    ("meet:timeZone", timezones.display_name(s.time_zone_id)),
                    ("meet:status", s.status),
                    ("meet:startDate", common.format_date(s.start)),
                    ("meet:duration", s.duration),
                    ("meet:listStatus", common.list_status(s)),
                ],
            )
            for s in chosen
        ],
    ]


@handler("meeting", "GethosturlMeeting")
def gethosturl_meeting(call: Call) -> Elements:
    """``meet:hostMeetingURL`` (``sessionKey`` carries the meeting key, docs/wire.md R6), host or admin only."""
    session = common.find_session(call, call.node, ("meeting", "teleconference"))
    common.require_owner(call, session)
    base = f"{common.site_url(call)}/{call.site.name}"
    target = quote(f"{base}/m.php?AT=HM&MK={session.key}", safe="")
    return [
        ("meet:hostMeetingURL", f"{base}/p.php?AT=LI&WID={quote(session.host)}&MU={target}"),
        ("meet:meetingUUID", session.uuid),
    ]


@handler("meeting", "GetjoinurlMeeting")
def getjoinurl_meeting(call: Call) -> Elements:
    """``meet:joinMeetingURL`` (with the attendee's name/e-mail when sent) and ``meet:inviteMeetingURL``."""
    session = common.find_session(call, call.node, ("meeting", "teleconference"))
    base = f"{common.site_url(call)}/{call.site.name}/m.php"
    params = {"AT": "JM", "MK": session.key}
    name = call.node.get("attendeeName")
    email = call.node.get("attendeeEmail")
    if name:
        params["AN"] = name
    if email:
        params["AE"] = common.normalise_email(call, email)
    password = call.node.get("meetingPW")
    if password:
        params["PW"] = password
    return [
        ("meet:joinMeetingURL", f"{base}?{urlencode(params)}"),
        ("meet:inviteMeetingURL", f"{common.site_url(call)}/{call.site.name}/j.php?MTID=m{session.guest_token}"),
        ("meet:meetingUUID", session.uuid),
    ]
