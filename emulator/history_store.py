"""What a site's history service reports: ended sessions (:class:`HistoryRecord`, kept by the bounded
:class:`HistoryStore`) and views and downloads of recordings (:class:`RecordingAccess`, kept by the
bounded :class:`RecordingAccessLog`).

The history service (:mod:`emulator.services.history`, :mod:`emulator.services.record_access`) reads
them; :meth:`emulator.model.Site.record_history` fills the store when a session is deleted or ends,
and the log fills when the control API records an access (``POST sites/{site}/recordings/{id}/access``)
or a user's recordings are seeded. Stands on the standard library only.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

#: How much state one emulator keeps at most (docs/performance.md, "Bounded state"): ended sessions
#: a site's history service remembers; the oldest is forgotten first.
MAX_HISTORY_RECORDS = 10_000


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


class HistoryStore:
    """A site's ended sessions in the order they were recorded, at most ``limit`` of them.

    Whether a session is already recorded is a dictionary lookup by ``(kind, key)``, not a walk
    over the records: a DelMeeting costs the same after 10 or 10,000 deletions. Past ``limit`` the
    oldest record (and its index entry) goes."""

    def __init__(self, limit: int = MAX_HISTORY_RECORDS) -> None:
        self.limit = max(1, limit)
        self._records: deque[HistoryRecord] = deque()
        #: (kind, key) -> how many records carry it (seeded records may share a key)
        self._index: dict[tuple[str, str], int] = {}

    def append(self, record: HistoryRecord) -> None:
        self._records.append(record)
        ident = (record.kind, record.key)
        self._index[ident] = self._index.get(ident, 0) + 1
        while len(self._records) > self.limit:
            old = self._records.popleft()
            old_ident = (old.kind, old.key)
            left = self._index.get(old_ident, 0) - 1
            if left > 0:
                self._index[old_ident] = left
            else:
                self._index.pop(old_ident, None)

    def has(self, kind: str, key: str) -> bool:
        return (kind, key) in self._index

    def __iter__(self) -> Iterator[HistoryRecord]:
        return iter(self._records)

    def __len__(self) -> int:
        return len(self._records)


#: Recording accesses a site remembers at most (docs/performance.md, "Bounded state"); the oldest goes first.
MAX_RECORDING_ACCESSES = 10_000


@dataclass(slots=True)
class RecordingAccess:
    """One view or download of a recording by a participant (times naive UTC)."""

    view_id: int
    recording_id: str
    name: str
    email: str
    time: datetime
    #: "view" or "download"
    action: str
    #: the participant registered for the recording first (``register_date`` then says when)
    registered: bool = False
    register_date: datetime | None = None

    @property
    def viewed(self) -> bool:
        return self.action == "view"

    @property
    def downloaded(self) -> bool:
        return self.action == "download"


#: The actions :class:`RecordingAccess` knows.
ACCESS_ACTIONS = ("view", "download")


class RecordingAccessLog:
    """A site's recording accesses in the order they happened, at most ``limit`` of them."""

    def __init__(self, limit: int = MAX_RECORDING_ACCESSES) -> None:
        self.limit = max(1, limit)
        self._accesses: deque[RecordingAccess] = deque()
        self._next_id = 1

    def add(
        self,
        recording_id: str,
        name: str,
        email: str,
        time: datetime,
        action: str,
        registered: bool = False,
        register_date: datetime | None = None,
    ) -> RecordingAccess:
        """Record one access (``action`` one of :data:`ACCESS_ACTIONS`; ``ValueError`` otherwise)."""
        if action not in ACCESS_ACTIONS:
            raise ValueError(f"action must be one of {', '.join(ACCESS_ACTIONS)}, got {action!r}")
        access = RecordingAccess(self._next_id, recording_id, name, email, time, action, registered, register_date)
        self._next_id += 1
        self._accesses.append(access)
        while len(self._accesses) > self.limit:
            self._accesses.popleft()
        return access

    def of(self, recording_id: str) -> list[RecordingAccess]:
        return [a for a in self._accesses if a.recording_id == recording_id]

    def __iter__(self) -> Iterator[RecordingAccess]:
        return iter(self._accesses)

    def __len__(self) -> int:
        return len(self._accesses)
