"""What the REST meetings API keeps for one site, typed: meeting series, their occurrences, the
meeting an id names, and the recent requests the 429 rule counts.

Meeting model (003 "Response Properties"; Webex meeting modelling):

* a **meeting series** (``meetingType: meetingSeries``) is what Create makes; without
  ``recurrence`` it is a series with one occurrence. Its id is 32 hex digits.
* its **scheduled meetings** (``scheduledMeeting``) are the occurrences, id
  ``<seriesId>_<original UTC start YYYYMMDDTHHMMSSZ>`` (as in the seed's sample); updating one makes
  it an exception (``isModified: true``); deleting one cancels that occurrence. The one scheduled
  meeting of a series without ``recurrence`` has the series' own id (docs/wire.md J11: listed by
  ``meetingSeriesId=S`` its ``id`` is ``S``); its long id form is still found.
* a **meeting instance** (``meeting``) exists once an occurrence's start has passed on the site
  clock, id ``<seriesId>_I_<epoch of the original start>``: ``inProgress`` until its end, then
  ``ended``. Every meeting is taken to happen on time (the emulator has no live REST meetings).

States (003): series ``active`` (a future occurrence exists), ``inProgress`` (one is happening),
``expired`` (all passed); scheduled meetings ``scheduled``, ``ready`` (happening now), ``ended``;
instances ``inProgress``, ``ended``.

The store is the site's typed attribute ``Site.rest`` (made on first use by :func:`store`); what
may be stored is decided by :mod:`emulator.rest.rules`. A series may be kept **deferred**
(:class:`Deferred`): its id is taken and its place in the store's order held, but the object is made
the first time anything reads it — a CreateMeeting's REST view (:mod:`emulator.meeting_link`) costs a
quarter of the request and most are never read through REST (docs/performance.md, issue 17).
:func:`listing` is the query of a list request (003 "List Meetings": by default the week from now).
Stands on :mod:`emulator.rest.recurrence` and :mod:`emulator.rest.times`.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Protocol, cast

from webex_harness.emulator import entropy
from webex_harness.emulator.rest import recurrence
from webex_harness.emulator.rest.recurrence import Rule
from webex_harness.emulator.rest.times import parse_slot, slot_key


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
    rule: Rule | None = None
    horizon: datetime | None = None
    capped: bool = True
    adhoc: bool = False
    room_id: str | None = None
    host_key: str = ""
    pv_password: str = ""
    pv_panelist_password: str = ""
    web_token: str = field(default_factory=lambda: entropy.token_hex(16))
    exceptions: dict[str, Exceptional] = field(default_factory=dict)
    cancelled: set[str] = field(default_factory=set)
    registrants: list[dict[str, Any]] = field(default_factory=list)
    #: the key of the XML meeting that is this series on the XML side (:mod:`emulator.meeting_link`)
    session_key: str | None = None

    @property
    def tz(self) -> tzinfo:
        return recurrence.zone(self.timezone, self.start.tzinfo)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def slots(self, stop: datetime | None) -> Iterator[datetime]:
        """Original UTC starts of the occurrences (cancelled ones left out) before ``stop``."""
        for slot in recurrence.occurrences(
            self.rule, self.start, self.tz, horizon=self.horizon, stop=stop, capped=self.capped
        ):
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


@dataclass(slots=True)
class Target:
    """What a meeting id names: a series, one of its scheduled meetings, or an instance."""

    series: Series
    kind: str  # "meetingSeries" | "scheduledMeeting" | "meeting"
    slot: datetime | None = None

    @property
    def id(self) -> str:
        """The meeting id (the inverse of :meth:`RestStore.find`)."""
        if self.kind == "meetingSeries":
            return self.series.id
        assert self.slot is not None
        if self.kind == "scheduledMeeting":
            return self.series.id if self.series.rule is None else occurrence_id(self.series, self.slot)
        return f"{self.series.id}_I_{int(self.slot.timestamp())}"


def occurrence_id(series: Series, slot: datetime) -> str:
    """The long id form of a scheduled meeting: ``<seriesId>_<original UTC start>``."""
    return f"{series.id}_{slot_key(slot)}"


@dataclass(slots=True)
class Deferred:
    """A series not made yet: ``make`` makes it, from values taken when it was stored (module
    docstring). Making it must not draw randomness or read anything that may have changed since."""

    make: Callable[[], Series]


@dataclass(slots=True)
class RestStore:
    """Everything the REST API keeps for one site (``Site.rest``)."""

    #: series id -> the series, or its :class:`Deferred` maker, in the order they were stored.
    #: Read the series through :attr:`series` and :meth:`get`, which make the deferred ones.
    entries: dict[str, Series | Deferred] = field(default_factory=dict)
    #: site-clock times of the recent authenticated requests (for the 429 rule)
    hits: deque[datetime] = field(default_factory=deque)
    #: series id -> a copy of the series before its last update: kept only while the
    #: ``rest-list-read-back`` fault is on (:mod:`emulator.rest.readback`)
    listed_before: dict[str, Series] = field(default_factory=dict)
    #: ids stored deferred since the last time all were made (some may be made or gone since)
    deferred_ids: list[str] = field(default_factory=list)

    @property
    def series(self) -> dict[str, Series]:
        """Every series, each deferred one made first (in place: the order is the order stored)."""
        if self.deferred_ids:
            entries = self.entries
            for series_id in self.deferred_ids:
                entry = entries.get(series_id)
                if entry.__class__ is Deferred:
                    entries[series_id] = entry.make()
            self.deferred_ids.clear()
        return cast("dict[str, Series]", self.entries)

    def get(self, series_id: str) -> Series | None:
        """The series with id ``series_id``, if any (made now if it was deferred)."""
        entry = self.entries.get(series_id)
        if entry.__class__ is Deferred:
            entry = self.entries[series_id] = entry.make()
        return cast("Series | None", entry)

    def put(self, series: Series) -> None:
        """Keep ``series`` (under its id)."""
        self.entries[series.id] = series

    def defer(self, series_id: str, maker: Deferred) -> None:
        """Keep the series ``maker`` makes under ``series_id``, made when first read."""
        self.entries[series_id] = maker
        deferred = self.deferred_ids
        deferred.append(series_id)
        if len(deferred) > 2 * len(self.entries) + 64:  # ids made or deleted since: drop them
            self.deferred_ids = [i for i in deferred if self.entries.get(i).__class__ is Deferred]

    def delete(self, series_id: str) -> None:
        """Forget the series with id ``series_id`` and everything of it (no error if there is none)."""
        self.entries.pop(series_id, None)

    def find(self, meeting_id: str, now: datetime) -> Target | None:
        """The meeting an id names on a site whose clock shows ``now``, or None."""
        found = self.get(meeting_id)
        if found is not None:
            return Target(found, "meetingSeries")
        series_id, _, rest_of_id = meeting_id.partition("_")
        series = self.get(series_id)
        if series is not None and rest_of_id:
            if rest_of_id.startswith("I_"):
                slot = _instance_slot(rest_of_id[2:])
                if slot is not None and series.has_slot(slot) and series.effective(slot)[0] <= now:
                    return Target(series, "meeting", slot)
            else:
                slot_at = parse_slot(rest_of_id)
                if slot_at is not None and series.has_slot(slot_at):
                    return Target(series, "scheduledMeeting", slot_at)
        return None


#: The latest instance epoch an ID may name (the start of year 3000 UTC): later ones name nothing.
_LATEST_INSTANCE_EPOCH = 32503680000


def _instance_slot(epoch: str) -> datetime | None:
    """The start an instance ID's ``<epoch>`` names (ASCII digits, before year 3000), else None."""
    if not (epoch.isascii() and epoch.isdigit()) or int(epoch) > _LATEST_INSTANCE_EPOCH:
        return None
    return datetime.fromtimestamp(int(epoch), UTC)


class HasRestStore(Protocol):
    """A site as the store sees it (:class:`emulator.model.Site`): where its REST state is kept."""

    rest: RestStore | None


def store(site: HasRestStore) -> RestStore:
    """The REST store of ``site`` (made on first use)."""
    if site.rest is None:
        site.rest = RestStore()
    return site.rest


# ---------------------------------------------------------------- states


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
    """The ``state`` of the meeting ``target`` names, on a site whose clock shows ``now``."""
    if target.kind == "meetingSeries":
        return series_state(target.series, now)
    assert target.slot is not None
    start, end, _ = target.series.effective(target.slot)
    if target.kind == "meeting":
        return "inProgress" if now < end else "ended"
    return occurrence_state(start, end, now)


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


def listing(
    site: HasRestStore,
    now: datetime,
    *,
    meeting_type: str,
    state: str | None,
    series_id: str | None,
    number: str | None,
    start: datetime | None,
    end: datetime | None,
) -> list[Target]:
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


def by_number(site: HasRestStore, now: datetime, number: str, *, current: bool) -> list[Target]:
    """``GET /v1/meetings?meetingNumber=…`` (List Meetings): the series of that number, or with
    ``current`` its scheduled meeting that is happening or will happen next (the series itself when
    every occurrence is over). The page ignores from, to, meetingType and state here."""
    wanted = number.replace(" ", "")
    found: list[Target] = []
    for series in store(site).series.values():
        if series.number != wanted:
            continue
        target = Target(series, "meetingSeries")
        if current:
            target = next_scheduled(series, now) or target
        found.append(target)
    return found


def next_scheduled(series: Series, now: datetime) -> Target | None:
    """The scheduled meeting of ``series`` that is in progress or starts next (by its effective
    times: a moved occurrence counts where it now is), or None when all are over."""
    best: tuple[datetime, datetime] | None = None
    for slot in series.slots(None):
        start, end, _ = series.effective(slot)
        if end > now and (best is None or start < best[0]):
            best = (start, slot)
        if best is not None and slot > best[0] + series.duration + timedelta(days=2):
            break  # the look-ahead of series_state
    return Target(series, "scheduledMeeting", best[1]) if best else None


def _overlaps(series: Series, lo: datetime, hi: datetime) -> bool:
    for slot in series.slots(hi + timedelta(days=1)):
        s, e, _ = series.effective(slot)
        if s < hi and e > lo:
            return True
    return False


__all__ = [
    "Exceptional",
    "Host",
    "RestStore",
    "Series",
    "Target",
    "by_number",
    "listing",
    "next_scheduled",
    "occurrence_id",
    "occurrence_state",
    "series_state",
    "store",
    "target_state",
]
