"""REST meetings state and rules: series, scheduled meetings, instances (003 "Update a Meeting").

Nothing here knows about HTTP: :mod:`emulator.rest.handlers` parses requests and calls
:func:`create`, :func:`update`, :func:`lookup`, :func:`listing`, :func:`delete` and
:func:`register`, which raise :class:`RestError` (status + message) for anything refused.

Meeting model (003 "Response Properties"; Webex meeting modelling):

* a **meeting series** (``meetingType: meetingSeries``) is what Create makes; without
  ``recurrence`` it is a series with one occurrence. Its id is 32 hex digits.
* its **scheduled meetings** (``scheduledMeeting``) are the occurrences, id
  ``<seriesId>_<original UTC start YYYYMMDDTHHMMSSZ>`` (as in the seed's sample); updating one makes
  it an exception (``isModified: true``); deleting one cancels that occurrence.
* a **meeting instance** (``meeting``) exists once an occurrence's start has passed on the site
  clock, id ``<seriesId>_I_<epoch of the original start>``: ``inProgress`` until its end, then
  ``ended``. Every meeting is taken to happen on time (the emulator has no live REST meetings).

States (003): series ``active`` (a future occurrence exists), ``inProgress`` (one is happening),
``expired`` (all passed); scheduled meetings ``scheduled``, ``ready`` (happening now), ``ended``;
instances ``inProgress``, ``ended``.

Special meetings for ``rest-not-updatable``: Create with ``"adhoc": true`` and a ``roomId`` makes an
ad-hoc meeting; Create with ``"scheduledType": "personalRoomMeeting"`` a scheduled personal-room
meeting; a series or scheduled meeting being in progress or over (move the site clock with
``POST /_emulator/sites/{site}/clock``) cannot be updated either; nor can an instance.
"""

from __future__ import annotations

import base64
import secrets
import uuid
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any

from emulator.faults import declare
from emulator.model import Site, User, generate_password
from emulator.rest import recurrence
from emulator.rest.recurrence import RecurrenceError

PUT_EQUALS_PATCH = declare("rest-put-equals-patch",
                           "PUT replaces the meeting: every property the body leaves out is reset to its default")
TEXT_LIMITS = declare("rest-text-limits", "accepts titles over 128 characters and agendas over 1300")
TIME_WINDOW = declare("rest-time-window",
                      "skips the time window: a start in the past or a duration under 10 minutes or over "
                      "23 h 59 min is accepted")
START_ROUNDING = declare("rest-start-rounding", "keeps the seconds and milliseconds of start and end as sent")
RECURRENCE_CAPS = declare("rest-recurrence-caps",
                          "no caps: UNTIL beyond five years and COUNT beyond 5/60/261/1826 kept, every "
                          "BYMONTHDAY/BYDAY value of a monthly or yearly rule kept")
JBH_MINUTES = declare("rest-join-before-host-minutes",
                      "accepts any joinBeforeHostMinutes, also without enabledJoinBeforeHost")
INTEGRATION_TAGS = declare("rest-integration-tags", "accepts more than 3 integration tags and tags over 64 characters")
WATERMARK = declare("rest-watermark-opacity",
                    "accepts any visualWatermarkOpacity, also without enabledVisualWatermark")
NOT_UPDATABLE = declare("rest-not-updatable",
                        "updates ad-hoc meetings, personal-room meetings and in-progress or ended meetings")
EXCEPTIONS_CANCELLED = declare("rest-series-exceptions-cancelled",
                               "keeps exceptional scheduled meetings when a series' start, end or recurrence "
                               "changes")
WEBINAR_LOGIN = declare("rest-webinar-login-rules",
                        "accepts restrictToInvitees without requireAttendeeLogin and changes requireAttendeeLogin "
                        "after someone registered")
ENUMS = declare("rest-enums",
                "accepts any string for unlockedMeetingJoinSecurity, noteType, audioConnectionType and "
                "entryAndExitTone")
RESPONSE_SHAPE = declare("rest-response-shape", "omits telephony and phoneAndVideoSystemPassword from meeting JSON")
PANELIST_PASSWORD = declare("rest-panelist-password", "a webinar created without panelistPassword gets none")

TITLE_MAX = 128
AGENDA_MAX = 1300
MIN_DURATION = timedelta(minutes=10)
MAX_DURATION = timedelta(hours=23, minutes=59)
TAGS_MAX = 3
TAG_LENGTH_MAX = 64
TRACKING_TEXT_MAX = 120
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
    "title": _STR, "agenda": _STR, "password": _STR, "start": _STR, "end": _STR, "timezone": _STR,
    "recurrence": _STR, "hostEmail": _STR, "panelistPassword": _STR, "roomId": _STR, "scheduledType": _STR,
    "unlockedMeetingJoinSecurity": _STR, "siteUrl": _STR, "templateId": _STR,
    "enabledAutoRecordMeeting": _BOOL, "allowAnyUserToBeCoHost": _BOOL, "enabledJoinBeforeHost": _BOOL,
    "enableConnectAudioBeforeHost": _BOOL, "excludePassword": _BOOL, "publicMeeting": _BOOL,
    "enabledWebcastView": _BOOL, "enableAutomaticLock": _BOOL, "allowFirstUserToBeCoHost": _BOOL,
    "allowAuthenticatedDevices": _BOOL, "sendEmail": _BOOL, "enabledBreakoutSessions": _BOOL,
    "enabledAudioWatermark": _BOOL, "enabledVisualWatermark": _BOOL, "requireAttendeeLogin": _BOOL,
    "restrictToInvitees": _BOOL, "adhoc": _BOOL,
    "joinBeforeHostMinutes": _INT, "reminderTime": _INT, "sessionTypeId": _INT, "automaticLockMinutes": _INT,
    "visualWatermarkOpacity": _INT,
}
OBJECTS: dict[str, dict[str, str]] = {
    "meetingOptions": {
        "enabledChat": _BOOL, "enabledVideo": _BOOL, "enabledPolling": _BOOL, "enabledNote": _BOOL,
        "noteType": _STR, "enabledFileTransfer": _BOOL, "enabledUCFRichMedia": _BOOL,
    },
    "attendeePrivileges": {k: _BOOL for k in (
        "enabledShareContent", "enabledSaveDocument", "enabledPrintDocument", "enabledAnnotate",
        "enabledViewParticipantList", "enabledViewThumbnails", "enabledRemoteControl", "enabledViewAnyDocument",
        "enabledViewAnyPage", "enabledContactOperatorPrivately", "enabledChatHost", "enabledChatPresenter",
        "enabledChatOtherParticipants")},
    "audioConnectionOptions": {
        "audioConnectionType": _STR, "enabledTollFreeCallIn": _BOOL, "enabledGlobalCallIn": _BOOL,
        "enabledAudienceCallBack": _BOOL, "entryAndExitTone": _STR, "allowHostToUnmuteParticipants": _BOOL,
        "allowAttendeeToUnmuteSelf": _BOOL, "muteAttendeeUponEntry": _BOOL,
    },
}
#: fields the body may carry that are never applied (the server's own, or create-only)
READ_ONLY = frozenset({
    "id", "meetingSeriesId", "meetingNumber", "phoneAndVideoSystemPassword", "phoneAndVideoSystemPanelistPassword",
    "meetingType", "state", "isModified", "hostUserId", "hostDisplayName", "hostKey", "siteUrl", "webLink",
    "sipAddress", "dialInIpAddress", "telephony", "links", "hostDidJoin", "attendeeDidJoin",
    "simultaneousInterpretation", "registration", "invitees", "customizedQuestions", "rules", "sendEmail",
    "templateId",
})


class RestError(Exception):
    """A refused request: HTTP status and the message of the JSON error body."""

    def __init__(self, status: int, message: str, description: str | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.description = description or message


def bad(message: str) -> RestError:
    return RestError(400, message)


# ---------------------------------------------------------------- time


def parse_time(name: str, text: str, tz: tzinfo) -> tuple[datetime, bool]:
    """Any ISO 8601 date-time (``Z``, offsets, fractions); a naive one is in the meeting's time zone.

    Returns the aware value in its submitted offset and whether it was sent as ``Z``.
    """
    raw = text.strip()
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise bad(f"Invalid {name}: {text!r} is not an ISO 8601 date and time") from None
    if not 1971 <= value.year <= 9000:
        raise bad(f"Invalid {name}: {text!r} is out of range")
    if value.tzinfo is None:
        value = value.replace(tzinfo=tz)
    return value, raw.upper().endswith("Z")


def render_time(value: datetime, zulu: bool) -> str:
    if zulu:
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat(timespec="seconds")


def utc_text(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _minute(value: datetime) -> datetime:
    return value.replace(second=0, microsecond=0)


def round_start(start: datetime, now: datetime) -> datetime:
    """003: a start within the current minute moves to the upcoming minute; else seconds stripped."""
    if _minute(start.astimezone(UTC)) == _minute(now.astimezone(UTC)):
        return (_minute(now.astimezone(UTC)) + timedelta(minutes=1)).astimezone(start.tzinfo)
    return _minute(start)


def check_window(start: datetime, end: datetime, now: datetime) -> None:
    """Behaviour ``rest-time-window`` (003)."""
    if start < now:
        raise bad("start cannot be before current date and time.")
    if end < now:
        raise bad("end cannot be before current date and time.")
    if start > end:
        raise bad("start cannot be after end.")
    if end - start < MIN_DURATION:
        raise bad("Duration between start and end cannot be shorter than 10 minutes.")
    if end - start > MAX_DURATION:
        raise bad("Duration between start and end cannot be longer than 23 hours 59 minutes.")


# ---------------------------------------------------------------- state


@dataclass(slots=True)
class Host:
    webex_id: str
    display_name: str
    email: str
    user_id: str


@dataclass(slots=True)
class Exceptional:
    """A scheduled meeting changed on its own (``isModified: true``)."""

    start: datetime
    end: datetime
    zulu: bool
    props: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class Series:
    id: str
    number: str
    host: Host
    scheduled_type: str
    start: datetime
    end: datetime
    zulu: bool
    timezone: str
    props: dict[str, Any]
    recurrence: str | None = None
    rule: recurrence.Rule | None = None
    horizon: datetime | None = None
    capped: bool = True
    adhoc: bool = False
    room_id: str | None = None
    host_key: str = ""
    pv_password: str = ""
    pv_panelist_password: str = ""
    web_token: str = field(default_factory=lambda: secrets.token_hex(16))
    exceptions: dict[str, Exceptional] = field(default_factory=dict)
    cancelled: set[str] = field(default_factory=set)
    registrants: list[dict[str, Any]] = field(default_factory=list)

    @property
    def tz(self) -> tzinfo:
        return recurrence.zone(self.timezone, self.start.tzinfo)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def slots(self, stop: datetime | None) -> Iterator[datetime]:
        """Original UTC starts of the occurrences (cancelled ones left out) before ``stop``."""
        for slot in recurrence.occurrences(self.rule, self.start, self.tz, horizon=self.horizon, stop=stop,
                                           capped=self.capped):
            if slot_key(slot) not in self.cancelled:
                yield slot

    def effective(self, slot: datetime) -> tuple[datetime, datetime, bool]:
        """(start, end, modified) of the occurrence originally at ``slot``."""
        exc = self.exceptions.get(slot_key(slot))
        if exc is not None:
            return exc.start, exc.end, True
        start = slot.astimezone(self.start.tzinfo)
        return start, start + self.duration, False

    def has_slot(self, slot: datetime) -> bool:
        if slot_key(slot) in self.cancelled:
            return False
        if slot_key(slot) in self.exceptions:
            return True
        return any(s == slot for s in self.slots(slot + timedelta(seconds=1)))


def slot_key(slot: datetime) -> str:
    return slot.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(slots=True)
class RestStore:
    """Everything the REST API keeps for one site (``Site.extra["rest"]``)."""

    series: dict[str, Series] = field(default_factory=dict)
    #: site-clock times of the recent authenticated requests (for the 429 rule)
    hits: deque[datetime] = field(default_factory=deque)


def store(site: Site) -> RestStore:
    found = site.extra.get("rest")
    if not isinstance(found, RestStore):
        found = RestStore()
        site.extra["rest"] = found
    return found


def _digits(n: int) -> str:
    return str(secrets.randbelow(9) + 1) + "".join(str(secrets.randbelow(10)) for _ in range(n - 1))


def host_for(site: Site, email: str | None = None) -> Host:
    """The token's user: the site's ``host`` user (else its first user, else a stand-in)."""
    user: User | None = None
    if email:
        user = next((u for u in site.users.values() if u.email.lower() == email.strip().lower()), None)
    user = user or site.user("host") or next(iter(site.users.values()), None)
    if user is None:
        return Host("host", "Harness Host", "host@example.com", _person_id(site, "host"))
    name = user.display_name or f"{user.first_name} {user.last_name}".strip() or user.webex_id
    return Host(user.webex_id, name, user.email, _person_id(site, user.webex_id))


def _person_id(site: Site, webex_id: str) -> str:
    person = uuid.uuid5(uuid.NAMESPACE_DNS, f"{webex_id.lower()}.{site.name.lower()}.webex.com")
    return base64.b64encode(f"ciscospark://us/PEOPLE/{person}".encode()).decode().rstrip("=")


def defaults(scheduled_type: str) -> dict[str, Any]:
    """Property defaults of a new meeting (003 where it states them; otherwise Webex's usual)."""
    props: dict[str, Any] = {
        "title": "", "agenda": "", "password": "",
        "enabledAutoRecordMeeting": False, "allowAnyUserToBeCoHost": False, "enabledJoinBeforeHost": False,
        "enableConnectAudioBeforeHost": False, "joinBeforeHostMinutes": 0, "excludePassword": False,
        "publicMeeting": False, "reminderTime": 10, "unlockedMeetingJoinSecurity": "allowJoinWithLobby",
        "sessionTypeId": 9 if scheduled_type == "webinar" else 3, "enableAutomaticLock": False,
        "automaticLockMinutes": 0, "allowFirstUserToBeCoHost": False, "allowAuthenticatedDevices": False,
        "enabledBreakoutSessions": False, "enabledAudioWatermark": False, "enabledVisualWatermark": False,
        "visualWatermarkOpacity": None, "integrationTags": [], "trackingCodes": [],
        "meetingOptions": {
            "enabledChat": True, "enabledVideo": True, "enabledPolling": False, "enabledNote": True,
            "noteType": "allowAll", "enabledFileTransfer": True, "enabledUCFRichMedia": True,
        },
        "attendeePrivileges": {
            "enabledShareContent": True, "enabledSaveDocument": False, "enabledPrintDocument": False,
            "enabledAnnotate": False, "enabledViewParticipantList": True, "enabledViewThumbnails": False,
            "enabledRemoteControl": True, "enabledViewAnyDocument": False, "enabledViewAnyPage": False,
            "enabledContactOperatorPrivately": False, "enabledChatHost": True, "enabledChatPresenter": True,
            "enabledChatOtherParticipants": True,
        },
        "audioConnectionOptions": {
            "audioConnectionType": "webexAudio", "enabledTollFreeCallIn": False, "enabledGlobalCallIn": True,
            "enabledAudienceCallBack": False, "entryAndExitTone": "beep", "allowHostToUnmuteParticipants": False,
            "allowAttendeeToUnmuteSelf": True, "muteAttendeeUponEntry": True,
        },
        "registration": {
            "autoAcceptRequest": False, "requireFirstName": True, "requireLastName": True, "requireEmail": True,
            "requireJobTitle": False, "requireCompanyName": False, "requireAddress1": False,
            "requireAddress2": False, "requireCity": False, "requireState": False, "requireZipCode": False,
            "requireCountryRegion": False, "requireWorkPhone": False, "requireFax": False,
        },
        "simultaneousInterpretation": {"enabled": False, "interpreters": []},
    }
    if scheduled_type == "webinar":
        props.update({"enabledWebcastView": False, "panelistPassword": "", "requireAttendeeLogin": False,
                      "restrictToInvitees": False})
    return props


# ---------------------------------------------------------------- body checks


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
    ignored (wire.md: accept unknown fields and whole echoed meeting objects); ``null`` means "not
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
            out[name] = {k: _typed(f"{name}.{k}", v, spec[k]) for k, v in value.items()
                         if k in spec and v is not None}
        elif name == "trackingCodes":
            out[name] = _tracking_codes(value)
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


def check_text(site: Site, fields: dict[str, Any], creating: bool) -> None:
    """Behaviour ``rest-text-limits``: title ≤ 128 characters, agenda ≤ 1300 (003)."""
    if "title" in fields and not fields["title"].strip():
        raise bad("title cannot be empty.")
    if creating and "title" not in fields:
        raise bad("title is required.")
    if site.fault(TEXT_LIMITS):
        return
    if len(fields.get("title", "")) > TITLE_MAX:
        raise bad(f"title can be a maximum of {TITLE_MAX} characters long.")
    if len(fields.get("agenda", "")) > AGENDA_MAX:
        raise bad(f"agenda can be a maximum of {AGENDA_MAX} characters long.")


def check_enums(site: Site, fields: dict[str, Any]) -> None:
    """Behaviour ``rest-enums``: only the documented values (003)."""
    if site.fault(ENUMS):
        return
    checks = [("unlockedMeetingJoinSecurity", fields.get("unlockedMeetingJoinSecurity"))]
    checks.append(("noteType", fields.get("meetingOptions", {}).get("noteType")))
    audio = fields.get("audioConnectionOptions", {})
    checks += [("audioConnectionType", audio.get("audioConnectionType")),
               ("entryAndExitTone", audio.get("entryAndExitTone"))]
    for name, value in checks:
        if value is not None and value not in ENUM_VALUES[name]:
            raise bad(f"Invalid value for {name}: {value!r}; valid values are {', '.join(ENUM_VALUES[name])}.")


def check_tags(site: Site, tags: list[str]) -> None:
    """Behaviour ``rest-integration-tags``: at most 3 tags of at most 64 characters (003)."""
    if site.fault(INTEGRATION_TAGS):
        return
    if len(tags) > TAGS_MAX:
        raise bad(f"The maximum size of integrationTags is {TAGS_MAX}.")
    for tag in tags:
        if len(tag) > TAG_LENGTH_MAX:
            raise bad(f"Each item of integrationTags can be a maximum of {TAG_LENGTH_MAX} characters long.")


def apply_jbh(site: Site, props: dict[str, Any], fields: dict[str, Any], scheduled_type: str) -> None:
    """Behaviour ``rest-join-before-host-minutes`` (003): valid options by type, default 0, only
    with ``enabledJoinBeforeHost``; switching join-before-host off resets the minutes to 0."""
    enabled = fields.get("enabledJoinBeforeHost", props.get("enabledJoinBeforeHost", False))
    if "joinBeforeHostMinutes" in fields:
        minutes = fields["joinBeforeHostMinutes"]
        if not site.fault(JBH_MINUTES):
            choices = JBH_CHOICES.get(scheduled_type, JBH_CHOICES["meeting"])
            if minutes not in choices:
                raise bad(f"Invalid joinBeforeHostMinutes {minutes}: valid options for a {scheduled_type} are "
                          f"{', '.join(str(c) for c in choices)}.")
            if minutes and not enabled:
                raise bad("joinBeforeHostMinutes is only applicable if enabledJoinBeforeHost is true.")
        props["joinBeforeHostMinutes"] = minutes
    elif not enabled and not site.fault(JBH_MINUTES):
        props["joinBeforeHostMinutes"] = 0


def apply_watermark(site: Site, props: dict[str, Any], fields: dict[str, Any]) -> None:
    """Behaviour ``rest-watermark-opacity``: 5–80 inclusive, only with ``enabledVisualWatermark`` (003)."""
    enabled = fields.get("enabledVisualWatermark", props.get("enabledVisualWatermark", False))
    if "visualWatermarkOpacity" in fields:
        opacity = fields["visualWatermarkOpacity"]
        if not site.fault(WATERMARK):
            low, high = OPACITY_RANGE
            if not low <= opacity <= high:
                raise bad(f"visualWatermarkOpacity must be between {low} and {high}, inclusive.")
            if not enabled:
                raise bad("visualWatermarkOpacity is only supported when enabledVisualWatermark is true.")
        props["visualWatermarkOpacity"] = opacity
    elif enabled and props.get("visualWatermarkOpacity") is None:
        props["visualWatermarkOpacity"] = DEFAULT_OPACITY
    elif not enabled and not site.fault(WATERMARK):
        props["visualWatermarkOpacity"] = None


def check_webinar_login(site: Site, series: Series, props: dict[str, Any], fields: dict[str, Any]) -> None:
    """Behaviour ``rest-webinar-login-rules`` (003): ``restrictToInvitees`` cannot be true while
    ``requireAttendeeLogin`` is false; ``requireAttendeeLogin`` cannot be changed once someone
    registered for the webinar. Only webinars have these options."""
    if series.scheduled_type != "webinar" or site.fault(WEBINAR_LOGIN):
        return
    login = fields.get("requireAttendeeLogin", props.get("requireAttendeeLogin", False))
    restrict = fields.get("restrictToInvitees", props.get("restrictToInvitees", False))
    if restrict and not login:
        raise bad("restrictToInvitees cannot be set to true if requireAttendeeLogin is false.")
    if ("requireAttendeeLogin" in fields and fields["requireAttendeeLogin"] != props.get("requireAttendeeLogin")
            and series.registrants):
        raise bad("requireAttendeeLogin cannot be set because someone has already registered for the webinar.")


def merge(props: dict[str, Any], fields: dict[str, Any]) -> None:
    """Apply checked fields onto stored properties (objects merged key by key)."""
    for name, value in fields.items():
        if name in OBJECTS:
            props[name] = {**props.get(name, {}), **value}
        elif name in ("start", "end", "timezone", "recurrence", "hostEmail", "roomId", "scheduledType", "adhoc",
                      "siteUrl", "joinBeforeHostMinutes", "visualWatermarkOpacity"):
            continue  # handled on their own
        else:
            props[name] = value
    options = props.get("meetingOptions", {})
    if options and not options.get("enabledNote", True):
        options["noteType"] = "allowAll"  # 003: enabledNote false → the default allowAll


def _password(site: Site, fields: dict[str, Any], current: str) -> str:
    sent = fields.get("password")
    if sent is None:
        return current or generate_password()
    if not sent.strip():
        if site.settings.password_required:
            raise bad("password cannot be empty: the site requires meeting passwords.")
        return ""
    return sent


# ---------------------------------------------------------------- create


def _recurrence(site: Site, text: str, now: datetime) -> tuple[str, recurrence.Rule, datetime]:
    try:
        rule = recurrence.parse(text)
    except RecurrenceError as exc:
        raise bad(f"Invalid recurrence: {exc}") from None
    if not site.fault(RECURRENCE_CAPS):
        rule = recurrence.first_only(rule)
    return recurrence.text_of(rule), rule, now + recurrence.HORIZON


def _times(site: Site, fields: dict[str, Any], tz: tzinfo, now: datetime,
           current: tuple[datetime, datetime, bool] | None) -> tuple[datetime, datetime, bool, bool]:
    """(start, end, zulu, changed): the submitted start/end rounded (``rest-start-rounding``) and
    checked (``rest-time-window``); unchanged values (an echoed meeting) are not re-checked."""
    if current is None and ("start" not in fields or "end" not in fields):
        raise bad("start and end are required.")
    zulu = current[2] if current else False
    start = current[0] if current else None
    end = current[1] if current else None
    if "start" in fields:
        start, zulu = parse_time("start", fields["start"], tz)
        if not site.fault(START_ROUNDING):
            start = round_start(start, now)
    if "end" in fields:
        end, end_zulu = parse_time("end", fields["end"], tz)
        zulu = zulu if "start" in fields else end_zulu
        if not site.fault(START_ROUNDING):
            end = _minute(end)
    assert start is not None and end is not None
    changed = current is None or start != current[0] or end != current[1]
    if changed and not site.fault(TIME_WINDOW):
        check_window(start, end, now)
    return start, end, zulu, changed


def _timezone(fields: dict[str, Any], current: str) -> str:
    name = fields.get("timezone", current) or "UTC"
    if recurrence.zone(name, None) is UTC and name.upper() not in ("UTC", "GMT", "ETC/UTC", "Z"):
        raise bad(f"Invalid timezone {name!r}: use an IANA time zone such as America/New_York.")
    return name


def create(site: Site, body: dict[str, Any], now: datetime) -> Series:
    """Create a meeting series (also an ad-hoc or a personal-room meeting)."""
    fields = clean(body)
    scheduled_type = fields.get("scheduledType", "meeting")
    if scheduled_type not in SCHEDULED_TYPES:
        raise bad(f"Invalid value for scheduledType: {scheduled_type!r}; valid values are "
                  f"{', '.join(SCHEDULED_TYPES)}.")
    adhoc = bool(fields.get("adhoc"))
    if adhoc and not fields.get("roomId"):
        raise bad("roomId is required when adhoc is true.")
    if adhoc:
        fields.setdefault("start", (now + timedelta(minutes=1)).isoformat())
        fields.setdefault("end", (now + timedelta(minutes=31)).isoformat())
        fields.setdefault("title", "Ad-hoc meeting")
    check_text(site, fields, creating=True)
    check_enums(site, fields)
    timezone = _timezone(fields, "UTC")
    tz = recurrence.zone(timezone, UTC)
    start, end, zulu, _ = _times(site, fields, tz, now, None)
    props = defaults(scheduled_type)
    tags = fields.get("integrationTags", [])
    check_tags(site, tags)
    series = Series(
        id=uuid.uuid4().hex, number=_digits(10), host=host_for(site, fields.get("hostEmail")),
        scheduled_type=scheduled_type, start=start, end=end, zulu=zulu, timezone=timezone, props=props,
        capped=not site.fault(RECURRENCE_CAPS), adhoc=adhoc, room_id=fields.get("roomId") if adhoc else None,
        host_key=_digits(6), pv_password=_digits(8),
    )
    if "recurrence" in fields and fields["recurrence"].strip() and not adhoc:
        series.recurrence, series.rule, series.horizon = _recurrence(site, fields["recurrence"], now)
    check_webinar_login(site, series, props, fields)
    apply_jbh(site, props, fields, scheduled_type)
    apply_watermark(site, props, fields)
    merge(props, fields)
    props["password"] = _password(site, fields, "")
    if scheduled_type == "webinar":
        series.pv_panelist_password = _digits(8)
        if not props.get("panelistPassword") and not site.fault(PANELIST_PASSWORD):
            props["panelistPassword"] = generate_password()  # 003: generated when not specified
    store(site).series[series.id] = series
    return series


# ---------------------------------------------------------------- lookup


@dataclass(slots=True)
class Target:
    """What a meeting id names: a series, one of its scheduled meetings, or an instance."""

    series: Series
    kind: str  # "meetingSeries" | "scheduledMeeting" | "meeting"
    slot: datetime | None = None


def _slot_from(text: str) -> datetime | None:
    try:
        slot = datetime.strptime(text, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        return None
    return slot if 1971 <= slot.year <= 9000 else None


def lookup(site: Site, meeting_id: str, now: datetime) -> Target:
    """The meeting an id names, or 404."""
    rest = store(site)
    found = rest.series.get(meeting_id)
    if found is not None:
        return Target(found, "meetingSeries")
    series_id, _, rest_of_id = meeting_id.partition("_")
    series = rest.series.get(series_id)
    if series is not None and rest_of_id:
        if rest_of_id.startswith("I_") and rest_of_id[2:].isdigit() and len(rest_of_id) <= 14:
            slot = datetime.fromtimestamp(int(rest_of_id[2:]), UTC)
            if series.has_slot(slot) and series.effective(slot)[0] <= now:
                return Target(series, "meeting", slot)
        else:
            slot = _slot_from(rest_of_id)
            if slot is not None and series.has_slot(slot):
                return Target(series, "scheduledMeeting", slot)
    raise RestError(404, "Unable to find the meeting.", f"No meeting with id {meeting_id!r}.")


def series_state(series: Series, now: datetime) -> str:
    future = False
    for slot in series.slots(None):
        start, end, _ = series.effective(slot)
        if start <= now < end:
            return "inProgress"
        if start > now:
            future = True
            if slot > now + series.duration + timedelta(days=2):
                break
    return "active" if future else "expired"


def occurrence_state(start: datetime, end: datetime, now: datetime) -> str:
    if now < start:
        return "scheduled"
    return "ready" if now < end else "ended"


def target_state(target: Target, now: datetime) -> str:
    if target.kind == "meetingSeries":
        return series_state(target.series, now)
    assert target.slot is not None
    start, end, _ = target.series.effective(target.slot)
    if target.kind == "meeting":
        return "inProgress" if now < end else "ended"
    return occurrence_state(start, end, now)


# ---------------------------------------------------------------- update


def _check_updatable(site: Site, target: Target, now: datetime) -> None:
    """Behaviour ``rest-not-updatable`` (003)."""
    if site.fault(NOT_UPDATABLE):
        return
    series = target.series
    if series.adhoc:
        raise bad("An ad-hoc meeting created with a roomId cannot be updated.")
    if series.scheduled_type == "personalRoomMeeting":
        raise bad("Updating a scheduled personal room meeting is not supported.")
    if target.kind == "meeting":
        raise bad("A meeting instance that is in progress or has ended cannot be updated.")
    state = target_state(target, now)
    if state in ("inProgress", "ready"):
        raise bad("A meeting that is in progress cannot be updated.")
    if state in ("ended", "expired"):
        raise bad("A meeting that has ended cannot be updated.")


def update(site: Site, target: Target, body: dict[str, Any], now: datetime, method: str) -> Target:
    """PATCH (and PUT, which behaves the same: ``rest-put-equals-patch``) a series or scheduled meeting."""
    _check_updatable(site, target, now)
    fields = clean(body)
    check_text(site, fields, creating=False)
    check_enums(site, fields)
    series = target.series
    if target.kind == "meetingSeries":
        _update_series(site, series, fields, now, replace=method == "PUT" and site.fault(PUT_EQUALS_PATCH))
        return target
    assert target.slot is not None
    return _update_occurrence(site, target, fields, now)


def _update_series(site: Site, series: Series, fields: dict[str, Any], now: datetime, *, replace: bool) -> None:
    props = dict(series.props)
    if replace:  # the rest-put-equals-patch fault: PUT replaces, whatever the body leaves out is reset
        props = {**defaults(series.scheduled_type), "password": props.get("password", ""),
                 "panelistPassword": props.get("panelistPassword", "")}
    timezone = _timezone(fields, series.timezone)
    tz = recurrence.zone(timezone, series.start.tzinfo)
    start, end, zulu, moved = _times(site, fields, tz, now, (series.start, series.end, series.zulu))
    rule_text, rule, horizon = series.recurrence, series.rule, series.horizon
    if "recurrence" in fields and fields["recurrence"].strip():
        rule_text, rule, horizon = _recurrence(site, fields["recurrence"], now)
    recurrence_changed = rule_text != series.recurrence
    if "integrationTags" in fields:
        check_tags(site, fields["integrationTags"])
    check_webinar_login(site, series, props, fields)
    apply_jbh(site, props, fields, series.scheduled_type)
    apply_watermark(site, props, fields)
    merge(props, fields)
    props["password"] = _password(site, fields, props.get("password", ""))
    if series.scheduled_type == "webinar" and "panelistPassword" in fields and not fields["panelistPassword"]:
        props["panelistPassword"] = series.props.get("panelistPassword") or generate_password()
    # all checks passed: apply
    series.props = props
    series.timezone = timezone
    if moved:
        series.start, series.end, series.zulu = start, end, zulu
    if recurrence_changed:
        series.recurrence, series.rule, series.horizon = rule_text, rule, horizon
        series.capped = not site.fault(RECURRENCE_CAPS)
    if (moved or recurrence_changed) and not site.fault(EXCEPTIONS_CANCELLED):
        series.exceptions.clear()  # 003: exceptional scheduled meetings are cancelled


def _update_occurrence(site: Site, target: Target, fields: dict[str, Any], now: datetime) -> Target:
    series = target.series
    assert target.slot is not None
    key = slot_key(target.slot)
    current_start, current_end, _ = series.effective(target.slot)
    existing = series.exceptions.get(key)
    zulu = existing.zulu if existing else series.zulu
    start, end, zulu, _ = _times(site, fields, series.tz, now, (current_start, current_end, zulu))
    fields.pop("integrationTags", None)  # 003: not updatable for a scheduledMeeting (ignored)
    fields.pop("recurrence", None)  # applies only to a meeting series
    effective = {**series.props, **(existing.props if existing else {})}
    check_webinar_login(site, series, effective, fields)
    overrides = dict(existing.props) if existing else {}
    scratch = dict(effective)
    apply_jbh(site, scratch, fields, series.scheduled_type)
    apply_watermark(site, scratch, fields)
    merge(scratch, fields)
    if "password" in fields:
        scratch["password"] = _password(site, fields, effective.get("password", ""))
    for name, value in scratch.items():
        if value != series.props.get(name):
            overrides[name] = value
    series.exceptions[key] = Exceptional(start, end, zulu, overrides)
    return target


# ---------------------------------------------------------------- delete, registrants


def delete(site: Site, target: Target) -> None:
    """DELETE a series (everything goes) or one scheduled meeting (that occurrence is cancelled)."""
    series = target.series
    if target.kind == "meetingSeries":
        store(site).series.pop(series.id, None)
        return
    if target.kind == "meeting":
        raise bad("A meeting instance cannot be deleted.")
    assert target.slot is not None
    key = slot_key(target.slot)
    series.exceptions.pop(key, None)
    series.cancelled.add(key)


def register(series: Series, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """``POST /v1/meetings/{id}/registrants`` (minimal): ``{"firstName", "lastName", "email"}``."""
    email = body.get("email")
    first, last = body.get("firstName", ""), body.get("lastName", "")
    if not isinstance(email, str) or "@" not in email or any(c.isspace() for c in email.strip()):
        raise bad("email is required and must be an e-mail address.")
    if not isinstance(first, str) or not isinstance(last, str):
        raise bad("firstName and lastName must be strings.")
    if any(r["email"] == email.strip().lower() for r in series.registrants):
        raise RestError(409, "This e-mail address has already registered for the meeting.")
    registrant = {
        "id": uuid.uuid4().hex, "status": "approved", "firstName": first, "lastName": last,
        "email": email.strip().lower(), "registrationTime": utc_text(now), "meetingId": series.id,
    }
    series.registrants.append(registrant)
    return registrant


# ---------------------------------------------------------------- listing


def _window(now: datetime, start: datetime | None, end: datetime | None) -> tuple[datetime, datetime]:
    """List range: neither → [now, now + 7 days); one → the other 7 days from it."""
    week = timedelta(days=7)
    if start is None and end is None:
        return now, now + week
    if start is None:
        assert end is not None
        return end - week, end
    if end is None:
        return start, start + week
    return start, end


def listing(site: Site, now: datetime, *, meeting_type: str, state: str | None, series_id: str | None,
            number: str | None, start: datetime | None, end: datetime | None) -> list[Target]:
    """The meetings a list request matches, by start time."""
    lo, hi = _window(now, start, end)
    found: list[tuple[datetime, Target]] = []
    for series in store(site).series.values():
        if series_id and series.id != series_id:
            continue
        if number and series.number != number.replace(" ", ""):
            continue
        if meeting_type == "meetingSeries":
            if number or series_id or _overlaps(series, lo, hi):
                found.append((series.start, Target(series, "meetingSeries")))
            continue
        for slot in series.slots(hi + timedelta(days=1)):
            s, e, _ = series.effective(slot)
            if not (s < hi and e > lo):
                continue
            if meeting_type == "meeting" and s > now:
                continue
            found.append((s, Target(series, meeting_type, slot)))
    found.sort(key=lambda item: item[0])
    targets = [t for _, t in found]
    if state:
        targets = [t for t in targets if target_state(t, now) == state]
    return targets


def _overlaps(series: Series, lo: datetime, hi: datetime) -> bool:
    for slot in series.slots(hi + timedelta(days=1)):
        s, e, _ = series.effective(slot)
        if s < hi and e > lo:
            return True
    return False


# ---------------------------------------------------------------- JSON


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
    if target.kind == "meetingSeries":
        meeting_id = series.id
    elif target.kind == "scheduledMeeting":
        assert target.slot is not None
        meeting_id = f"{series.id}_{slot_key(target.slot)}"
    else:
        assert target.slot is not None
        meeting_id = f"{series.id}_I_{int(target.slot.timestamp())}"
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
    out.update({
        "hostUserId": series.host.user_id, "hostDisplayName": series.host.display_name,
        "hostEmail": series.host.email, "hostKey": series.host_key, "siteUrl": host,
        "webLink": f"https://{host}/{site.name.lower()}/j.php?MTID=m{series.web_token}",
        "sipAddress": f"{series.number}@{host}", "dialInIpAddress": "192.0.2.68",
    })
    if series.room_id:
        out["roomId"] = series.room_id
    for name in ("enabledAutoRecordMeeting", "allowAnyUserToBeCoHost", "enabledJoinBeforeHost",
                 "enableConnectAudioBeforeHost", "joinBeforeHostMinutes", "excludePassword", "publicMeeting",
                 "reminderTime", "unlockedMeetingJoinSecurity", "sessionTypeId"):
        out[name] = props.get(name)
    if series.scheduled_type == "webinar":
        out["enabledWebcastView"] = props.get("enabledWebcastView", False)
        if props.get("panelistPassword"):
            out["panelistPassword"] = props["panelistPassword"]
            out["phoneAndVideoSystemPanelistPassword"] = series.pv_panelist_password
    for name in ("enableAutomaticLock", "automaticLockMinutes", "allowFirstUserToBeCoHost",
                 "allowAuthenticatedDevices"):
        out[name] = props.get(name)
    if not ended_instance:
        out["telephony"] = {
            "accessCode": series.number,
            "callInNumbers": [{"label": "US Toll", "callInNumber": "+1-415-655-0001", "tollType": "toll"}],
            "links": [{"rel": "globalCallinNumbers", "href": f"/api/v1/meetings/{meeting_id}/globalCallinNumbers",
                       "method": "GET"}],
        }
    out["meetingOptions"] = dict(props["meetingOptions"])
    if series.scheduled_type != "webinar":  # 003: not supported for a webinar
        out["attendeePrivileges"] = dict(props["attendeePrivileges"])
    out["registration"] = dict(props["registration"])
    out["integrationTags"] = list(props.get("integrationTags") or [])
    out["scheduledType"] = series.scheduled_type
    out["simultaneousInterpretation"] = props["simultaneousInterpretation"]
    out["enabledBreakoutSessions"] = props.get("enabledBreakoutSessions", False)
    out["links"] = [{"rel": "breakoutSessions", "href": f"/v1/meetings/{series.id}/breakoutSessions",
                     "method": "GET"}]
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


__all__ = [
    "ENUM_VALUES", "MEETING_TYPES", "SCHEDULED_TYPES", "STATES", "RestError", "RestStore", "Series", "Target",
    "create", "delete", "listing", "lookup", "register", "render", "store", "update",
]
