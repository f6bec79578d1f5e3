"""The emulator's state: sites, their users, sessions, attendees, clock and faults.

State lives apart from the wire format (the moto split): services pull parameters off the request
and call into these objects; nothing here knows about XML. A :class:`Site` is the unit of
isolation — its own settings, users, sessions, rate-limit counters, clock offset and faults — so
parallel tests never reset each other.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from harness import timezones
from harness.errors import WebexError, webex_error
from harness.settings import SiteSettings

if TYPE_CHECKING:
    from emulator.busy import BusyOptions, BusyState


def _token(n: int = 16) -> str:
    return secrets.token_hex(n)


def _digits(n: int) -> str:
    """``n`` random digits, not starting with 0, in one draw (see ``services.common.digits``)."""
    low = 10 ** (max(n, 1) - 1)
    return str(low + secrets.randbelow(9 * low))


def generate_password(length: int = 11) -> str:
    """A password meeting Webex complexity: upper, lower and digits (like ``UzXJuzUD428``)."""
    upper, lower = "ABCDEFGHJKLMNPQRSTUVWXYZ", "abcdefghijkmnpqrstuvwxyz"
    core = [secrets.choice(upper), secrets.choice(lower)]
    core += [secrets.choice(upper + lower) for _ in range(length - 5)]
    return "".join(core) + _digits(3)


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
    pmr_key: str = field(default_factory=lambda: _digits(10))
    deactivated_at: datetime | None = None
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
    supported_services: dict[str, bool] = field(default_factory=lambda: {
        "meetingCenter": True, "trainingCenter": True, "eventCenter": True, "supportCenter": True})
    language_id: int = 1
    time_zone_id: int = 4
    user_id: str = field(default_factory=lambda: _digits(9))
    registered_at: datetime | None = None
    #: when the PMR key was last (re)issued — a reactivation after more than a week may renew it
    pmr_key_issued: datetime | None = None

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
class HistoryRecord:
    """One ended session, as the history service reports it (times naive UTC)."""

    kind: str
    key: str
    uuid: str
    conf_id: str
    name: str
    host: str
    host_email: str
    start: datetime
    end: datetime
    time_zone_id: int = 4
    meeting_type: int = 3
    #: (name, email) of everyone who took part, the host first
    participants: list[tuple[str, str]] = field(default_factory=list)

    @property
    def duration(self) -> int:
        """Minutes, rounded up (Webex reports at least one minute)."""
        return max(1, -(-int((self.end - self.start).total_seconds()) // 60))


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
        self.site_id = _digits(6)
        self.rest_token = rest_token or _token(24)
        self.users: dict[str, User] = {}
        self.sessions: dict[str, Session] = {}
        self.uuids: dict[str, str] = {}
        self.tickets: dict[str, str] = {}
        self.faults: set[str] = set()
        self.clock_offset = timedelta()
        self.contacts: dict[str, dict[str, Any]] = {}
        self.recordings: dict[str, dict[str, Any]] = {}
        self.extra: dict[str, Any] = {}
        self._ids = itertools.count(3191792)
        #: ended sessions (history service); see :meth:`record_history`
        self.history: list[HistoryRecord] = []
        self.created_at = datetime.now(UTC)
        #: requests addressed to this site (XML: routed to it; REST: with its token), 503s included
        self.xml_requests = 0
        self.rest_requests = 0
        #: a busy site's state (``emulator.busy``); None for an ordinary site
        self.busy: BusyState | None = None

    # -- clock ----------------------------------------------------------------------------
    def now(self) -> datetime:
        """The site's clock (UTC, naive-free), real time plus the offset moved by the control API."""
        return datetime.now(UTC) + self.clock_offset

    def advance(self, seconds: float) -> datetime:
        self.clock_offset += timedelta(seconds=seconds)
        return self.now()

    # -- faults ---------------------------------------------------------------------------
    def fault(self, behaviour_id: str) -> bool:
        """True when the fault that breaks ``behaviour_id`` is switched on for this site."""
        return behaviour_id in self.faults

    # -- ids ------------------------------------------------------------------------------
    def next_id(self) -> str:
        return str(next(self._ids))

    def new_session_key(self) -> str:
        while True:
            key = _digits(9)
            if key not in self.sessions:
                return key

    # -- users ----------------------------------------------------------------------------
    def add_user(self, user: User) -> User:
        self.users[user.webex_id.lower()] = user
        return user

    def user(self, webex_id: str | None) -> User | None:
        return self.users.get(webex_id.lower()) if webex_id else None

    def authenticate(self, webex_id: str, password: str | None) -> User:
        """Check credentials; the non-strict default site provisions unknown users (like moto)."""
        user = self.user(webex_id)
        lenient = self.default and not self.settings.strict_auth
        if user is None:
            if lenient:
                return self.add_user(User(webex_id, password or "", email=f"{webex_id.lower()}@example.com"))
            raise webex_error("030001")
        if not lenient and (password is None or password != user.password):
            raise webex_error("030002")
        return user

    def issue_ticket(self, user: User) -> str:
        ticket = _token(32)
        self.tickets[ticket] = user.webex_id.lower()
        return ticket

    def user_for_ticket(self, ticket: str) -> User:
        webex_id = self.tickets.get(ticket)
        user = self.user(webex_id)
        if user is None:
            raise webex_error("030047")
        return user

    # -- sessions -------------------------------------------------------------------------
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
        session = self.sessions.pop(key, None)
        if session is not None:
            self.uuids.pop(session.uuid, None)
            self.record_history(session, ended=self.now())

    def record_history(self, session: Session, ended: datetime | None = None) -> HistoryRecord | None:
        """Put an ended (or deleted) session into the history store, once per session key.

        Its start is the scheduled start (converted to UTC); its end is the scheduled end, or
        ``ended`` when the session was deleted before that.
        """
        if any(r.key == session.key and r.kind == session.kind for r in self.history):
            return None
        start = session.start.replace(tzinfo=timezones.offset(session.time_zone_id)).astimezone(UTC)
        end = start + timedelta(minutes=session.duration)
        if ended is not None and start < ended < end:
            end = ended
        host = self.user(session.host)
        participants = [(session.host, host.email if host else "")]
        participants += [(a.name, a.email) for a in session.attendees]
        record = HistoryRecord(
            session.kind, session.key, session.uuid, session.conf_id, session.name, session.host,
            host.email if host else "", start.replace(tzinfo=None), end.replace(tzinfo=None),
            session.time_zone_id, session.meeting_type, participants,
        )
        self.history.append(record)
        return record

    def _rest_meetings(self) -> list[dict[str, Any]]:
        """The REST meeting series (id, title, start, host) the REST API keeps for this site."""
        store = self.extra.get("rest")
        series = getattr(store, "series", {})
        return [{"id": s.id, "title": s.props.get("title"), "start": s.start.isoformat(), "host": s.host.webex_id}
                for s in series.values()]

    def state(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "default": self.default,
            "siteID": self.site_id,
            "now": self.now().isoformat(),
            "settings": self.settings.to_dict(),
            "faults": sorted(self.faults),
            "users": [u.public() for u in self.users.values()],
            "sessions": [s.summary() for s in self.sessions.values()],
            "contacts": list(self.contacts.values()),
            "rest_meetings": self._rest_meetings(),
            "requests": {"xml": self.xml_requests, "rest": self.rest_requests},
            "busy": self.busy.describe() if self.busy is not None else None,
        }


class Registry:
    """All sites of one emulator process, and the one reset for everything.

    ``default_busy`` makes the default site busy (``emulator.busy``), again after every reset.
    :attr:`requests` counts every HTTP request outside the control API the app answered (it is
    kept across resets: the process's count)."""

    def __init__(self, default_site: str = "harness", default_settings: SiteSettings | None = None,
                 default_busy: BusyOptions | None = None) -> None:
        self.lock = threading.RLock()
        self.default_name = default_site
        self.default_settings = default_settings or SiteSettings()
        self.default_busy = default_busy
        self.sites: dict[str, Site] = {}
        #: XML and REST requests answered since the process started (a reset keeps it)
        self.requests = 0
        self._counter = itertools.count(1)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.sites.clear()
            self.default = Site(
                self.default_name, self.default_settings, default=True, rest_token="emulator-token"
            )
            self.sites[self.default_name.lower()] = self.default
            if self.default_busy is not None:
                from emulator.busy import make_busy

                make_busy(self.default, self.default_busy)

    def create_site(self, name: str | None, settings: SiteSettings) -> Site:
        with self.lock:
            if not name:
                name = f"site{next(self._counter)}-{_token(3)}"
            if name.lower() in self.sites:
                raise KeyError(f"site {name!r} already exists")
            site = Site(name, settings)
            self.sites[name.lower()] = site
            return site

    def get(self, name: str | None) -> Site | None:
        return self.sites.get(name.lower()) if name else None

    def route(self, site_name: str | None, site_id: str | None) -> Site:
        """The site a request names (by siteName or siteID), else the default site."""
        site = self.get(site_name)
        if site is not None:
            return site
        if site_id:
            for candidate in self.sites.values():
                if candidate.site_id == site_id:
                    return candidate
        return self.default

    def by_token(self, token: str) -> Site | None:
        for site in self.sites.values():
            if site.rest_token == token:
                return site
        return None


__all__ = ["Attendee", "HistoryRecord", "Registry", "Session", "Site", "User", "WebexError", "generate_password"]
