"""One meeting, two APIs: the link between an XML meeting (:class:`emulator.model.Session` of kind
``meeting``) and a REST meeting series (:class:`emulator.rest.store.Series`), and the shared fields
read and written in one place (behaviour ``xml-rest-equivalence``; docs/xml-rest.md).

The link is the meeting number: the series' ``number`` is the session's ``key`` (``meetingNumber`` =
``meetingKey``), and each side names the other (``Session.series_id``, ``Series.session_key``).
Whichever API made a meeting, the other side's object is made here the moment it is created
(:func:`session_created`, :func:`series_created`), every accepted change copies the shared fields
across (:func:`session_changed`, :func:`series_changed`) and a delete on either side removes both
(:func:`series_deleted`; a session removed by any XML API takes its series along in
:meth:`emulator.model.Site.remove_session`). The shared fields are:

===================================  =========================================================
XML (CreateMeeting, SetMeeting)      REST (``/v1/meetings``)
===================================  =========================================================
``meetingkey``                       ``meetingNumber``
``metaData/confName``                ``title``
``metaData/agenda``                  ``agenda``
``schedule/startDate`` + timeZoneID  ``start`` (in ``timezone``)
``schedule/duration`` (minutes)      ``end`` − ``start``
``schedule/timeZoneID``              ``timezone`` (:func:`webex.timezones.iana_name`)
``accessControl/meetingPassword``    ``password``
``hostWebExID``                      ``hostEmail``, ``hostUserId``, ``hostDisplayName``
===================================  =========================================================

Only a REST ``scheduledType`` ``meeting`` that is not ad hoc is linked: webinars (Event Center events
on a real site) and personal-room meetings stay REST-only, events, training sessions and
teleconferences XML-only. A recurring series is linked through its series (its first start and
duration; its rule read back as GetMeeting's ``repeat`` where the XML API has the words for it); a
change or a cancellation of one of its occurrences stays on the REST side, and an XML ``repeat`` is
not made into a REST ``recurrence``.

The ``xml-rest-equivalence`` fault breaks the link: nothing is made or copied across, so no meeting
is one on both sides and a delete stays on its own.
Stands on :mod:`emulator.model`, :mod:`emulator.faults`, the REST store and schema, and
:mod:`webex.timezones`; :mod:`emulator.services.meeting` and :mod:`emulator.rest.rules` call it.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from typing import Any, cast

from webex_harness.emulator import entropy
from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Session, Site, User, digits
from webex_harness.emulator.rest import recurrence
from webex_harness.emulator.rest.schema import defaults
from webex_harness.emulator.rest.store import Deferred, Host, Series, store
from webex_harness.webex import timezones

XML_REST_EQUIVALENCE = declare(
    "xml-rest-equivalence",
    "keeps XML and REST meetings apart: a CreateMeeting meeting is not listed or read by the REST API, a "
    "POST /v1/meetings meeting is unknown to GetMeeting, and changes and deletes stay on their own side",
)

#: The REST scheduledType a linked series has (webinars and personal-room meetings stay REST-only).
LINKED_TYPE = "meeting"


def _linked(site: Site) -> bool:
    return not site.fault(XML_REST_EQUIVALENCE)


# ---------------------------------------------------------------- hosts


def person_id(site: Site, webex_id: str) -> str:
    """The REST ``hostUserId`` of a user: a stable person ID made of the webExID and the site."""
    return _person_id(f"{webex_id.lower()}.{site.name.lower()}.webex.com")


@lru_cache(maxsize=4096)
def _person_id(dns_name: str) -> str:
    """A pure function of the name, kept for the hosts seen last: a CreateMeeting needs its host's
    (a uuid5 and a base64 encoding cost ~15 µs, docs/performance.md, issue 17)."""
    person = uuid.uuid5(uuid.NAMESPACE_DNS, dns_name)
    return base64.b64encode(f"ciscospark://us/PEOPLE/{person}".encode()).decode().rstrip("=")


def host_of(site: Site, user: User | None, webex_id: str = "host") -> Host:
    """The REST host of a meeting hosted by ``user`` (a stand-in named ``webex_id`` when None)."""
    if user is None:
        return Host(webex_id, "Harness Host", f"{webex_id.lower()}@example.com", person_id(site, webex_id))
    name = user.display_name or f"{user.first_name} {user.last_name}".strip() or user.webex_id
    return Host(user.webex_id, name, user.email, person_id(site, user.webex_id))


def host_for(site: Site, email: str | None = None) -> Host:
    """The REST host a request names by ``hostEmail``, else the token's user: the site's ``host``
    user (else its first user, else a stand-in)."""
    user: User | None = None
    if email:
        user = next((u for u in site.users.values() if u.email.lower() == email.strip().lower()), None)
    return host_of(site, user or site.user("host") or next(iter(site.users.values()), None))


# ---------------------------------------------------------------- the shared fields


def _agenda(session: Session) -> str | None:
    meta = session.fields.get("metaData")
    agenda = meta.get("agenda") if isinstance(meta, dict) else None
    return agenda if isinstance(agenda, str) else None


def _session_instant(session: Session) -> datetime:
    """The session's start as an aware UTC instant (its time zone's standard offset, as the XML side
    compares times)."""
    return session.start.replace(tzinfo=timezones.offset(session.time_zone_id)).astimezone(UTC)


@dataclass(frozen=True, slots=True)
class _Shared:
    """A session's shared fields at one moment, as a series takes them (immutable values only)."""

    name: str
    password: str | None
    agenda: str | None
    start: datetime  # the aware UTC instant (:func:`_session_instant`)
    duration: int
    time_zone_id: int


def _shared(session: Session) -> _Shared:
    return _Shared(
        session.name,
        session.password,
        _agenda(session),
        _session_instant(session),
        session.duration,
        session.time_zone_id,
    )


def _apply_shared(series: Series, shared: _Shared, host: Host) -> None:
    """Write ``shared`` and ``host`` onto ``series``."""
    name = timezones.iana_name(shared.time_zone_id)
    start = shared.start.astimezone(recurrence.zone(name, UTC))
    series.timezone = name
    series.start, series.end, series.zulu = start, start + timedelta(minutes=shared.duration), False
    series.props["title"] = shared.name
    series.props["password"] = shared.password or ""
    if shared.agenda is not None:
        series.props["agenda"] = shared.agenda
    else:
        series.props.pop("agenda", None)
    series.host = host


def _copy_to_series(site: Site, session: Session, series: Series) -> None:
    """Write the session's shared fields onto ``series``."""
    _apply_shared(series, _shared(session), host_of(site, site.user(session.host), session.host))


def _copy_to_session(site: Site, series: Series, session: Session) -> None:
    """Write the series' shared fields onto ``session``."""
    local = series.start.astimezone(recurrence.zone(series.timezone, UTC))
    standard = local.utcoffset() or timedelta()
    dst = local.dst() or timedelta()
    tz_id = timezones.id_for_iana(series.timezone, round((standard - dst).total_seconds() / 60))
    session.time_zone_id = tz_id
    session.start = series.start.astimezone(timezones.offset(tz_id)).replace(tzinfo=None)
    session.duration = max(1, round(series.duration.total_seconds() / 60))
    title = str(series.props.get("title") or "")
    session.name = title
    meta = session.fields.setdefault("metaData", {})
    meta["confName"] = title
    agenda = series.props.get("agenda")
    if agenda:
        meta["agenda"] = str(agenda)
    else:
        meta.pop("agenda", None)
    session.password = str(series.props.get("password") or "") or None
    repeat = _repeat(series, tz_id)
    if repeat:
        session.fields["repeat"] = repeat
    else:
        session.fields.pop("repeat", None)
    host = site.user(series.host.webex_id)
    session.host = host.webex_id if host is not None else series.host.webex_id


#: RFC 2445 weekdays (0 = MO) as the XML API's ``dayInWeek/day`` names them
_DAYS = ("MONDAY", "TUESDAY", "WEDNESDAY", "THURSDAY", "FRIDAY", "SATURDAY", "SUNDAY")


def _repeat(series: Series, tz_id: int) -> dict[str, Any] | None:
    """The XML ``repeat`` section of a recurring series (None without ``recurrence``): repeatType from
    FREQ, interval, afterMeetingNumber from COUNT, expirationDate from UNTIL (in the meeting's time
    zone), dayInWeek from a weekly BYDAY. Monthly and yearly day rules are not translated."""
    rule = series.rule
    if rule is None:
        return None
    repeat: dict[str, Any] = {"repeatType": rule.freq, "interval": str(rule.interval)}
    if rule.count is not None:
        repeat["afterMeetingNumber"] = str(rule.count)
    if rule.until is not None:
        until = rule.until.astimezone(timezones.offset(tz_id)).replace(tzinfo=None)
        repeat["expirationDate"] = until.strftime("%m/%d/%Y %H:%M:%S")
    if rule.freq == "WEEKLY" and rule.byday:
        repeat["dayInWeek"] = {"day": [_DAYS[day] for _, day in rule.byday]}
    return repeat


# ---------------------------------------------------------------- the two sides' objects


def linked_series(site: Site, session: Session) -> Series | None:
    """The REST series linked to ``session``, if any."""
    return store(site).get(session.series_id) if session.series_id and site.rest is not None else None


def linked_session(site: Site, series: Series) -> Session | None:
    """The XML session linked to ``series``, if any."""
    return site.sessions.get(series.session_key) if series.session_key else None


def session_created(site: Site, session: Session) -> None:
    """CreateMeeting made ``session``: make its REST series (number = meeting key).

    The series is stored deferred (:class:`emulator.rest.store.Deferred`): what it is made of — its
    random id, host key, panelist password and web token, its host and the session's shared fields —
    is taken now, in the order the eager making drew it; the object is made when something first
    reads the REST store."""
    if session.kind != "meeting" or not _linked(site):
        return
    host = host_of(site, site.user(session.host), session.host)
    series_id = entropy.uuid4_hex()
    host_key = digits(6)
    pv_password = digits(8)
    web_token = _new_web_token()  # Series' own default: the same draw as a series made here at once
    maker = partial(_linked_series, series_id, session.key, host, host_key, pv_password, web_token, _shared(session))
    store(site).defer(series_id, Deferred(maker))
    session.series_id = series_id


#: How :class:`Series` draws its web token when none is given.
_new_web_token = cast("Callable[[], str]", Series.__dataclass_fields__["web_token"].default_factory)


def _linked_series(
    series_id: str, key: str, host: Host, host_key: str, pv_password: str, web_token: str, shared: _Shared
) -> Series:
    """The series :func:`session_created` deferred: the values it took, nothing read or drawn now."""
    series = Series(
        id=series_id,
        number=key,
        host=host,
        scheduled_type=LINKED_TYPE,
        start=shared.start,
        end=shared.start,
        zulu=False,
        timezone="UTC",
        props=defaults(LINKED_TYPE),
        host_key=host_key,
        pv_password=pv_password,
        web_token=web_token,
        session_key=key,
    )
    _apply_shared(series, shared, host)
    return series


def session_changed(site: Site, session: Session) -> None:
    """SetMeeting changed ``session``: copy the shared fields to its series."""
    series = linked_series(site, session)
    if series is not None and _linked(site):
        _copy_to_series(site, session, series)


def _free_key(site: Site, number: str) -> str:
    """The meeting key of a series' session: its number, unless a session already has that key."""
    return number if number not in site.sessions else site.new_session_key()


def series_created(site: Site, series: Series) -> None:
    """``POST /v1/meetings`` made ``series``: make its XML meeting (meeting key = meetingNumber)."""
    if series.scheduled_type != LINKED_TYPE or series.adhoc or not _linked(site):
        return
    session = Session(
        key=_free_key(site, series.number),
        uuid=entropy.token_hex(16),
        conf_id=digits(18),
        kind="meeting",
        host=series.host.webex_id,
        name="",
        start=series.start.replace(tzinfo=None),
        duration=60,
        series_id=series.id,
    )
    _copy_to_session(site, series, session)
    series.number = session.key
    series.session_key = session.key
    site.add_session(session)


def series_changed(site: Site, series: Series) -> None:
    """A PATCH/PUT changed ``series``: copy the shared fields to its session."""
    session = linked_session(site, series)
    if session is not None and _linked(site):
        _copy_to_session(site, series, session)


def series_deleted(site: Site, series: Series) -> None:
    """``DELETE /v1/meetings/{seriesId}`` removed ``series``: its session goes too."""
    session = linked_session(site, series)
    if session is not None and _linked(site):
        site.remove_session(session.key)


__all__ = [
    "LINKED_TYPE",
    "XML_REST_EQUIVALENCE",
    "host_for",
    "host_of",
    "linked_series",
    "linked_session",
    "person_id",
    "series_changed",
    "series_created",
    "series_deleted",
    "session_changed",
    "session_created",
]
