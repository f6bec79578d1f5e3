"""The emulator's state: sites, their users, sessions, attendees, recordings, contacts and their
distribution lists, clock and faults.

State lives apart from the wire format (the moto split): services pull parameters off the request
and call into these objects; nothing here knows about XML. A :class:`Site` is the unit of
isolation — its own settings, users, sessions, rate-limit counters, clock offset and faults — so
parallel tests never reset each other. Everything a site keeps is a typed attribute (no bag of
loose keys); the ended sessions live in :mod:`emulator.history_store`, all sites of a process in
:mod:`emulator.registry`.
"""

from __future__ import annotations

import itertools
import time
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from webex_harness.emulator import entropy
from webex_harness.emulator.busy_state import BusyState
from webex_harness.emulator.feedback_store import FeedbackLog
from webex_harness.emulator.history_store import HistoryRecord, HistoryStore, RecordingAccessLog
from webex_harness.emulator.lab_store import LabStore
from webex_harness.emulator.library_store import LibraryStore
from webex_harness.emulator.program_store import ProgramStore
from webex_harness.emulator.rest.store import RestStore
from webex_harness.webex import timezones
from webex_harness.webex.errors import webex_error
from webex_harness.webex.settings import SiteSettings

#: How much state one emulator keeps at most (docs/performance.md, "Bounded state"): a long load
#: must not grow the process without end. Past a cap the oldest (or the longest idle) entry goes.
#: Session tickets a site honours; the oldest stops working first (``030047``, as an expired one).
MAX_TICKETS = 10_000
#: Users the lenient default site provisioned on first sight; the one idle longest is dropped
#: (and provisioned again, with a new password, the next time it authenticates).
MAX_AUTO_USERS = 10_000


def _token(n: int = 16) -> str:
    return entropy.token_hex(n)


def digits(n: int) -> str:
    """``n`` random digits, not starting with 0: uniform over ``[10**(n-1), 10**n)`` — the same
    distribution as drawing the first digit from 1–9 and every other from 0–9, in one draw from
    the OS's randomness instead of ``n`` (a CreateMeeting draws 26 digits: that was ~20 µs)."""
    low = 10 ** (max(n, 1) - 1)
    return str(low + entropy.randbelow(9 * low))


#: The dates the emulator accepts (the service documents no range): a date outside them is an invalid
#: value (010001), so that a start plus any duration, recurrence or time-zone shift stays a date.
EARLIEST_DATE = datetime(1970, 1, 1)
LATEST_DATE = datetime(2999, 12, 31, 23, 59, 59)
#: How far the control API may move a site's clock from real time, either way (100 years).
MAX_CLOCK_OFFSET = timedelta(days=36525)


def clock_problem(offset: timedelta, seconds: float) -> str | None:
    """Why moving a clock that is ``offset`` from real time by ``seconds`` is refused, or None."""
    if seconds != seconds or seconds in (float("inf"), float("-inf")):
        return "must be a finite number"
    limit = MAX_CLOCK_OFFSET.total_seconds()
    if abs(offset.total_seconds() + seconds) > limit:
        return f"would move the clock more than {MAX_CLOCK_OFFSET.days} days from real time"
    return None


#: Keys whose values the site's state shows only when asked for them (``state(secrets=True)``).
SECRET_KEYS = frozenset({"password", "meetingPassword", "sessionPassword", "hostKey", "panelistPassword"})
MASK = "********"


def _masked(value: Any) -> Any:
    """``value`` with every non-empty :data:`SECRET_KEYS` value replaced by :data:`MASK`, at any depth."""
    if isinstance(value, dict):
        return {k: MASK if k in SECRET_KEYS and v not in (None, "") else _masked(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_masked(v) for v in value]
    return value


_UPPER, _LOWER = "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz"
_LETTERS = _UPPER + _LOWER


def generate_password(length: int = 11) -> str:
    """A password meeting Webex complexity: upper, lower and digits (like ``UzXJuzUD428``): one
    upper-case letter, one lower-case, ``length - 5`` of either, three digits not starting with 0.

    One draw from the OS's randomness, read as a number in mixed radix (24, 24, 48 …, 900): every
    character uniform and independent, as when each was drawn on its own — which cost a system call
    per character (~55 µs of every CreateMeeting without a password, docs/performance.md, issue 17)."""
    mixed = max(length - 5, 0)
    value = entropy.randbelow(len(_UPPER) * len(_LOWER) * len(_LETTERS) ** mixed * 900)
    value, number = divmod(value, 900)
    value, first = divmod(value, len(_UPPER))
    value, second = divmod(value, len(_LOWER))
    core = [_UPPER[first], _LOWER[second]]
    for _ in range(mixed):
        value, index = divmod(value, len(_LETTERS))
        core.append(_LETTERS[index])
    return "".join(core) + str(100 + number)


@dataclass(slots=True)
class OneClickSettings:
    """A user's One-Click meeting settings (the ep service's SetupOneClickSettings,
    SetOneClickSettings, GetOneClickSettings): what a One-Click meeting is made with."""

    service_type: str = "MeetingCenter"
    session_type: int = 3
    conf_name: str = ""
    session_password: str = ""
    listing: str = "PUBLIC"
    is_internal: bool = False
    #: the session template (name, type User|Site|Service, value); None: none chosen
    template: tuple[str, str, str] | None = None
    #: tracking codes by index (1–10)
    tracking_codes: dict[int, str] = field(default_factory=dict)
    telephony_support: str = "NONE"
    ext_telephony_description: str = ""
    tsp_account_index: int | None = None
    personal_account_index: int | None = None
    intl_local_call_in: bool = False
    tollfree: bool = False
    entry_exit_tone: str = "BEEP"
    is_mp_audio: bool = False
    voip: bool = False
    join_approval: bool = False


@dataclass(frozen=True, slots=True)
class PmrImage:
    """An image of a user's Personal Meeting Room (UploadPMRImage): its format, size and digest."""

    image_format: str
    size: int
    sha256: str


@dataclass(slots=True)
class User:
    webex_id: str
    password: str
    email: str = ""
    first_name: str = ""
    last_name: str = ""
    display_name: str | None = None
    site_admin: bool = False
    host: bool = True
    active: bool = True
    pending_email: str | None = None
    pmr_key: str = field(default_factory=lambda: digits(10))
    deactivated_at: datetime | None = None
    #: request elements kept as sent for read-back (title, company, sendWelcome, isHTMLEmail)
    fields: dict[str, Any] = field(default_factory=dict)
    #: timestamps (site clock) of "no data found" failures, for usage-limit-403
    no_data_failures: list[datetime] = field(default_factory=list)
    blocked_until: datetime | None = None
    # -- user service (001 40.4.0–40.12.0): privileges, PMR, options ------------------------
    um_site_admin: bool = False
    lab_admin: bool = False
    voice_over_ip: bool = False
    #: privilege/isEnablePMR (behaviour ``e2ee-pmr-110063``)
    pmr_enabled: bool = False
    #: personalMeetingRoom/deviceCanStartMyPMR (001, 40.10.0)
    device_can_start_pmr: bool = False
    #: cmrHybridVoip (001, 40.11.0)
    cmr_hybrid_voip: bool = False
    supported_services: dict[str, bool] = field(
        default_factory=lambda: {
            "meetingCenter": True,
            "trainingCenter": True,
            "eventCenter": True,
            "supportCenter": True,
        }
    )
    language_id: int = 1
    time_zone_id: int = 4
    user_id: str = field(default_factory=lambda: digits(9))
    registered_at: datetime | None = None
    #: when the PMR key was last (re)issued — a reactivation after more than a week may renew it
    pmr_key_issued: datetime | None = None
    #: when the PMR was last disabled (privilege/isEnablePMR false); None while it is enabled
    pmr_disabled_at: datetime | None = None
    #: sign-ins (AuthenticateUser, a login ticket used with the URL API): GetUser's visitCount
    visits: int = 0
    #: the host's login ticket (GetLoginTicket, GetloginurlUser) and whether the URL API used it up
    login_ticket: str | None = None
    login_ticket_used: bool = False
    #: the user's One-Click meeting settings (SetupOneClickSettings); None: never set up
    one_click: OneClickSettings | None = None
    #: Personal Meeting Room images (UploadPMRImage): imageFor (Photo, Header) -> the image kept
    pmr_images: dict[str, PmrImage] = field(default_factory=dict)

    def public(self) -> dict[str, Any]:
        """What the control API shows (the password too: these are emulator test users)."""
        return {
            "webExID": self.webex_id,
            "password": self.password,
            "email": self.email,
            "firstName": self.first_name,
            "lastName": self.last_name,
            "siteAdmin": self.site_admin,
            "active": self.active,
            "pendingEmail": self.pending_email,
            "pmrImages": {k: {"format": v.image_format, "size": v.size} for k, v in self.pmr_images.items()},
        }


@dataclass(slots=True)
class Attendee:
    attendee_id: str
    name: str
    email: str
    role: str = "ATTENDEE"
    join_status: str = "INVITE"
    fields: dict[str, str] = field(default_factory=dict)
    register_id: str | None = None
    #: when a RegisterMeetingAttendee enrolled the person (``MM/DD/YYYY HH:MM:SS``, site clock)
    submit_time: str = ""
    #: the address the registration came from (``X-Forwarded-For`` / ``X-Real-IP``)
    ip_address: str | None = None


@dataclass(slots=True)
class Session:
    """A scheduled session of any kind: meeting, event, training, teleconference, support."""

    key: str
    uuid: str
    conf_id: str
    kind: str
    host: str
    name: str
    start: datetime
    duration: int
    time_zone_id: int = 4
    password: str | None = None
    meeting_type: int = 3
    #: the request's elements as sent (local name -> text/dict/list), for faithful read-back
    fields: dict[str, Any] = field(default_factory=dict)
    attendees: list[Attendee] = field(default_factory=list)
    registration_form: dict[str, bool] = field(default_factory=dict)
    guest_token: str = field(default_factory=_token)
    status: str = "NOT_INPROGRESS"
    host_in_meeting: bool = False
    attendees_in_meeting: int = 0
    #: the numeric audio password (001, 40.4.8), made once and kept
    audio_password: str = field(default_factory=lambda: digits(8))
    #: what each person of an event or training was sent besides name, e-mail and type, by attendee ID
    people: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: an event's image (UploadEventImage): its imageType and its size in bytes
    event_image: tuple[str, int] | None = None
    #: an event's invitations (SendInvitationEmail), one per call: (to the attendees, to the panelists)
    invitations: list[tuple[bool, bool]] = field(default_factory=list)
    #: a training session's scheduled tests: test ID -> its status and what Add/SetScheduledTest sent
    scheduled_tests: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: a meeting's sections as CreateMeeting stored them (what the ``set-meeting-keeps-unnamed`` fault
    #: puts back)
    created_sections: dict[str, Any] = field(default_factory=dict)
    #: the REST meeting series that is this meeting on the REST side (:mod:`emulator.meeting_link`)
    series_id: str | None = None

    def attendee_by_email(self, email: str) -> Attendee | None:
        low = email.lower()
        return next((a for a in self.attendees if a.email.lower() == low), None)

    def summary(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "meetingUUID": self.uuid,
            "kind": self.kind,
            "host": self.host,
            "name": self.name,
            "start": self.start.isoformat(),
            "duration": self.duration,
            "password": self.password,
            "attendees": [{"name": a.name, "email": a.email, "id": a.attendee_id} for a in self.attendees],
            "fields": self.fields,
        }


@dataclass(slots=True)
class Recording:
    """An archived recording of a user (the ep service's LstRecording, GetRecordingInfo,
    SetRecordingInfo, DelRecording)."""

    recording_id: str
    host: str
    name: str
    create_time: datetime
    size: float
    duration: int
    session_key: str
    meeting_uuid: str
    conf_id: str
    description: str = ""
    time_zone_id: int = 4
    service_type: str = "MeetingCenter"
    listing: str = "PRIVATE"
    password: str = ""
    presenter: str = ""
    email: str = ""
    agenda: str = ""
    #: playback options (GetRecordingInfo's playback): chat, supportQandA, video, polling, notes,
    #: fileShare, attendeeList, toc, includeNBRcontrols -> shown in the playback
    playback: dict[str, bool] = field(
        default_factory=lambda: (
            dict.fromkeys(
                ("chat", "supportQandA", "video", "polling", "notes", "fileShare", "attendeeList", "toc"), True
            )
            | {"includeNBRcontrols": True}
        )
    )
    #: FULL, or PARTIAL between partial_start and partial_end (seconds into the recording)
    playback_range: str = "FULL"
    partial_start: int = 0
    partial_end: int = 0
    #: file access: registration required, attendees may view, attendees may download
    registration: bool = False
    attendee_view: bool = True
    attendee_download: bool = True
    end_play_url: str = ""


@dataclass(slots=True)
class Contact:
    """A personal contact of ``owner`` (the ep service's CreateContact, SetContact): the request's
    ``name``, ``email``, ``company`` … as sent (the e-mail normalised)."""

    contact_id: str
    owner: str
    fields: dict[str, str] = field(default_factory=dict)

    def public(self) -> dict[str, str]:
        """What the control API shows."""
        return {"contactID": self.contact_id, "owner": self.owner, **self.fields}


@dataclass(frozen=True, slots=True)
class Callback:
    """The service called a participant of a session back (DetectSessionByCallback): the number
    dialled, when (site clock, naive UTC) and the session as it was then."""

    number: str
    time: datetime
    session_key: str
    conf_name: str
    host: str
    kind: str
    start: datetime
    time_zone_id: int


#: Callbacks a site keeps (DetectSessionByCallback); the oldest go first.
MAX_CALLBACKS = 10_000


@dataclass(slots=True)
class DistList:
    """A distribution list of ``owner`` (the ep service's CreateDistList, SetDistList, LstDistList): a
    name, a description and the IDs of the contacts it holds, in the order they were added.
    ``address_type`` is PERSONAL (a user's own list) or GLOBAL (a company-wide list)."""

    dist_list_id: str
    owner: str
    name: str
    desc: str = ""
    address_type: str = "PERSONAL"
    contact_ids: list[str] = field(default_factory=list)

    def public(self) -> dict[str, object]:
        """What the control API shows."""
        return {
            "distListID": self.dist_list_id,
            "owner": self.owner,
            "name": self.name,
            "desc": self.desc,
            "addressType": self.address_type,
            "contactIDs": list(self.contact_ids),
        }


@dataclass(slots=True)
class UsageCounter:
    """The usage-limit-403 counter of a site's anonymous callers (a :class:`User` carries its own)."""

    no_data_failures: list[datetime] = field(default_factory=list)
    blocked_until: datetime | None = None


@dataclass(slots=True)
class RequestEmails:
    """The e-mails the user service's request being answered has used so far (behaviour
    ``duplicate-email-first-wins``); the request is told apart by its headers mapping, which
    every bodyContent of one request shares."""

    headers: Mapping[str, str]
    emails: set[str] = field(default_factory=set)


class Site:
    """One emulated Webex site. All access goes through the registry's lock."""

    def __init__(
        self,
        name: str,
        settings: SiteSettings | None = None,
        *,
        default: bool = False,
        rest_token: str | None = None,
    ) -> None:
        self.name = name
        self.settings = settings or SiteSettings()
        self.default = default
        self.site_id = digits(6)
        self.rest_token = rest_token or _token(24)
        self.users: dict[str, User] = {}
        self.sessions: dict[str, Session] = {}
        self.uuids: dict[str, str] = {}
        #: ticket -> lower-cased webExID, oldest first (capped at :data:`MAX_TICKETS`)
        self.tickets: OrderedDict[str, str] = OrderedDict()
        #: lower-cased webExIDs the lenient default site provisioned, least recently seen first
        self.auto_users: OrderedDict[str, None] = OrderedDict()
        self.faults: set[str] = set()
        self.clock_offset = timedelta()
        self.contacts: dict[str, Contact] = {}
        #: distribution lists of contacts (:mod:`emulator.services.dist_lists`)
        self.dist_lists: dict[str, DistList] = {}
        self.recordings: dict[str, Recording] = {}
        #: views and downloads of the recordings (history service's LstrecordaccessHistory)
        self.recording_access = RecordingAccessLog()
        #: numbers the service called back during sessions (DetectSessionByCallback), oldest first
        self.callbacks: list[Callback] = []
        #: the REST meetings API's state (``emulator.rest.store``), made on the site's first REST use
        self.rest: RestStore | None = None
        self._ids = itertools.count(3191792)
        #: ended sessions (history service); see :meth:`record_history`
        self.history = HistoryStore()
        self.created_at = datetime.now(UTC)
        #: ``time.monotonic()`` of the last request routed to this site (the idlest created site
        #: is the one dropped past :data:`emulator.registry.MAX_SITES`)
        self.last_used = time.monotonic()
        #: requests addressed to this site (XML: routed to it; REST: with its token), 503s included
        self.xml_requests = 0
        self.rest_requests = 0
        #: a busy site's state (``emulator.busy``); None for an ordinary site
        self.busy: BusyState | None = None
        #: site-level meeting templates GetSite lists, (name, serviceType); None: the 001 sample's three
        self.meeting_templates: list[tuple[str, str]] | None = None
        #: the history service has seeded the site's past sessions (:mod:`emulator.services.history`)
        self.history_seeded = False
        #: lower-cased webExIDs whose archived recordings are seeded (:mod:`emulator.services.recordings`)
        self.recordings_seeded: set[str] = set()
        #: the e-mails the user service's request being answered has used (``duplicate-email-first-wins``)
        self.request_emails: RequestEmails | None = None
        #: the usage-limit-403 counter the site's anonymous callers share (:mod:`emulator.usage_limit`)
        self.anonymous_usage = UsageCounter()
        #: the Training Center test library: test ID -> its author (whoever first scheduled it); its
        #: title is "Test <ID>"
        self.training_tests: dict[str, str] = {}
        #: the Training Center's Hands-on Labs and their reservations (:mod:`emulator.lab_store`)
        self.labs = LabStore()
        #: the Event Center's programs and recorded events (:mod:`emulator.program_store`)
        self.programs = ProgramStore(self.created_at.replace(tzinfo=None))
        #: what customers said of the site's support sessions (:mod:`emulator.feedback_store`)
        self.feedback = FeedbackLog()
        #: the tests uploaded (UploadIMStest) or copied (CopyLibTests) into the library, with their
        #: questions and participants' answers (:mod:`emulator.library_store`); each is also in
        #: ``training_tests``, so it can be scheduled
        self.test_library = LibraryStore()

    # -- clock ----------------------------------------------------------------------------
    def now(self) -> datetime:
        """The site's clock (UTC, naive-free), real time plus the offset moved by the control API."""
        return datetime.now(UTC) + self.clock_offset

    def advance(self, seconds: float) -> datetime:
        """Move the clock (``seconds`` checked by :func:`clock_problem` first)."""
        self.clock_offset += timedelta(seconds=seconds)
        return self.now()

    # -- faults ---------------------------------------------------------------------------
    def fault(self, fault: str) -> bool:
        """True when ``fault`` (the :class:`emulator.faults.Fault` a rule checks, or its ID) is
        switched on for this site."""
        return fault in self.faults

    # -- ids ------------------------------------------------------------------------------
    def next_id(self) -> str:
        return str(next(self._ids))

    def new_session_key(self) -> str:
        while True:
            key = digits(9)
            if key not in self.sessions:
                return key

    # -- users ----------------------------------------------------------------------------
    def add_user(self, user: User) -> User:
        """Add (or replace) a user; one added this way is no longer an auto-provisioned one."""
        low = user.webex_id.lower()
        self.users[low] = user
        self.auto_users.pop(low, None)
        return user

    def _provision(self, webex_id: str, password: str | None) -> User:
        """The lenient default site's user for an unknown webExID, dropping the idlest such user
        past :data:`MAX_AUTO_USERS` (users added by the control API are never dropped)."""
        user = self.add_user(User(webex_id, password or "", email=f"{webex_id.lower()}@example.com"))
        self.auto_users[webex_id.lower()] = None
        while len(self.auto_users) > MAX_AUTO_USERS:
            idle, _ = self.auto_users.popitem(last=False)
            self.users.pop(idle, None)
        return user

    def _seen(self, low: str) -> None:
        """Mark an auto-provisioned user as just used (O(1); nothing for other users)."""
        if low in self.auto_users:
            self.auto_users.move_to_end(low)

    def user(self, webex_id: str | None) -> User | None:
        return self.users.get(webex_id.lower()) if webex_id else None

    def authenticate(self, webex_id: str, password: str | None) -> User:
        """Check credentials; the non-strict default site provisions unknown users (like moto)."""
        user = self.user(webex_id)
        lenient = self.default and not self.settings.strict_auth
        if user is None:
            if lenient:
                return self._provision(webex_id, password)
            raise webex_error("030001")
        if self.auto_users:
            self._seen(webex_id.lower())
        if not lenient and (password is None or password != user.password):
            raise webex_error("030002")
        return user

    def issue_ticket(self, user: User) -> str:
        """A new session ticket for ``user``; past :data:`MAX_TICKETS` the oldest one lapses."""
        ticket = _token(32)
        self.tickets[ticket] = user.webex_id.lower()
        while len(self.tickets) > MAX_TICKETS:
            self.tickets.popitem(last=False)
        return ticket

    def user_for_ticket(self, ticket: str) -> User:
        webex_id = self.tickets.get(ticket)
        user = self.user(webex_id)
        if user is None:
            raise webex_error("030047")
        if self.auto_users:
            self._seen(user.webex_id.lower())
        return user

    # -- sessions -------------------------------------------------------------------------
    def record_callback(self, session: Session, number: str) -> Callback:
        """The service calls ``number`` back now for ``session`` (past :data:`MAX_CALLBACKS` the
        oldest is dropped)."""
        called = Callback(
            number,
            self.now().replace(tzinfo=None, microsecond=0),
            session.key,
            session.name,
            session.host,
            session.kind,
            session.start,
            session.time_zone_id,
        )
        self.callbacks.append(called)
        del self.callbacks[:-MAX_CALLBACKS]
        return called

    def add_session(self, session: Session) -> Session:
        self.sessions[session.key] = session
        self.uuids[session.uuid] = session.key
        return session

    def session(self, key: str | None = None, uuid: str | None = None) -> Session | None:
        """Find a session by key or by meetingUUID (behaviour ``meeting-uuid-equivalence``)."""
        if key:
            found = self.sessions.get(key.strip())
            if found is not None:
                return found
        if uuid:
            mapped = self.uuids.get(uuid.strip().lower())
            if mapped is not None:
                return self.sessions.get(mapped)
        return None

    def remove_session(self, key: str) -> None:
        """Delete a session by any API (DelMeeting, DelSession …); a meeting linked to a REST series
        (:mod:`emulator.meeting_link`) takes its series along: it is one meeting."""
        session = self.sessions.pop(key, None)
        if session is not None:
            self.uuids.pop(session.uuid, None)
            if session.series_id is not None and self.rest is not None:
                self.rest.delete(session.series_id)
            self.record_history(session, ended=self.now())

    def record_history(self, session: Session, ended: datetime | None = None) -> HistoryRecord | None:
        """Put an ended (or deleted) session into the history store, once per session key.

        Its start is the scheduled start (converted to UTC); its end is the scheduled end, or
        ``ended`` when the session was deleted before that.
        """
        if self.history.has(session.kind, session.key):
            return None
        start = session.start.replace(tzinfo=timezones.offset(session.time_zone_id)).astimezone(UTC)
        end = start + timedelta(minutes=session.duration)
        if ended is not None and start < ended < end:
            end = ended
        host = self.user(session.host)
        participants = [(session.host, host.email if host else "")]
        participants += [(a.name, a.email) for a in session.attendees]
        record = HistoryRecord(
            session.kind,
            session.key,
            session.uuid,
            session.conf_id,
            session.name,
            session.host,
            host.email if host else "",
            start.replace(tzinfo=None),
            end.replace(tzinfo=None),
            session.time_zone_id,
            session.meeting_type,
            participants,
        )
        self.history.append(record)
        return record

    def _rest_meetings(self) -> list[dict[str, Any]]:
        """The REST meeting series (id, title, start, host) the REST API keeps for this site."""
        series = self.rest.series.values() if self.rest is not None else ()
        return [
            {"id": s.id, "title": s.props.get("title"), "start": s.start.isoformat(), "host": s.host.webex_id}
            for s in series
        ]

    def state(self, secrets: bool = False) -> dict[str, Any]:
        """What the control API shows of the site; passwords and host keys masked unless ``secrets``."""
        shown = {
            "name": self.name,
            "default": self.default,
            "siteID": self.site_id,
            "now": self.now().isoformat(),
            "settings": self.settings.to_dict(),
            "faults": sorted(self.faults),
            "users": [u.public() for u in self.users.values()],
            "sessions": [s.summary() for s in self.sessions.values()],
            "contacts": [c.public() for c in self.contacts.values()],
            "distLists": [d.public() for d in self.dist_lists.values()],
            "labs": [lab.public() for lab in self.labs.labs()],
            "programs": [program.public() for program in self.programs.programs()],
            "rest_meetings": self._rest_meetings(),
            "requests": {"xml": self.xml_requests, "rest": self.rest_requests},
            "busy": self.busy.describe() if self.busy is not None else None,
        }
        return shown if secrets else _masked(shown)
