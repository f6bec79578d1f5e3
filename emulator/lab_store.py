"""A site's Hands-on Labs: the labs (:class:`Lab`, each with its computers) and the reservations of
their computers (:class:`LabReservation`), kept by :class:`LabStore`.

The Training Center's lab APIs (:mod:`emulator.services.labs`) read and fill it: GetLabInfo lists the
labs, GetLabSchedule the reservations in a time window, CheckLabAvailability says whether enough
computers are free in one, ReserveLab adds a reservation. What is free follows from the
reservations alone: a lab's computers less those reserved by every reservation that overlaps the
window asked about. Times are naive UTC. A new site has the labs of :data:`DEFAULT_LABS`; the control
API (``POST sites/{site}/labs``) replaces them. Stands on the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

#: How many reservations one site keeps at most (docs/performance.md, "Bounded state"); past it the
#: reservation that ended first is forgotten.
MAX_LAB_RESERVATIONS = 10_000


@dataclass(frozen=True, slots=True)
class Lab:
    """One Hands-on Lab of a site: its ID, name, description and how many computers it has."""

    lab_id: int
    name: str
    description: str
    computers: int

    def public(self) -> dict[str, object]:
        """What the control API shows."""
        return {
            "labID": self.lab_id,
            "labName": self.name,
            "description": self.description,
            "computers": self.computers,
        }


@dataclass(frozen=True, slots=True)
class LabReservation:
    """Computers of a lab reserved from ``start`` to ``end`` (naive UTC) by ``host``."""

    hol_session_id: int
    lab: str
    host: str
    topic: str
    computers: int
    start: datetime
    end: datetime
    time_zone_id: int

    def overlaps(self, start: datetime, end: datetime) -> bool:
        """True when the reservation holds its computers at some moment of ``[start, end)``."""
        return self.start < end and start < self.end


#: The labs a new site has: (name, description, computers).
DEFAULT_LABS: tuple[tuple[str, str, int], ...] = (
    ("Lab1", "Windows desktops for the administration courses", 10),
    ("Lab2", "Linux servers for the networking courses", 4),
)


class LabStore:
    """A site's labs by name (case-insensitive, as the site matches ``labName``) and their
    reservations in the order they were made."""

    def __init__(self, labs: Iterable[tuple[str, str, int]] = DEFAULT_LABS) -> None:
        self._labs: dict[str, Lab] = {}
        self._reservations: list[LabReservation] = []
        self._next_id = 420_001
        self.replace(labs)

    def replace(self, labs: Iterable[tuple[str, str, int]]) -> None:
        """The site's labs become ``labs`` (name, description, computers); every reservation goes."""
        self._labs = {}
        self._reservations = []
        for lab_id, (name, description, computers) in enumerate(labs, start=1001):
            self._labs[name.lower()] = Lab(lab_id, name, description, computers)

    def labs(self) -> list[Lab]:
        """Every lab, in the order they were configured."""
        return list(self._labs.values())

    def lab(self, name: str | None) -> Lab | None:
        """The lab called ``name`` (any case), or None."""
        return self._labs.get(name.strip().lower()) if name else None

    def reservations(self, lab: Lab) -> list[LabReservation]:
        """The reservations of ``lab``, oldest first."""
        return [r for r in self._reservations if r.lab == lab.name]

    def reserved(self, lab: Lab, start: datetime, end: datetime) -> int:
        """Computers of ``lab`` that reservations hold at some moment of ``[start, end)`` (their sum:
        the emulator does not search for the busiest instant, it books conservatively)."""
        return sum(r.computers for r in self.reservations(lab) if r.overlaps(start, end))

    def free(self, lab: Lab, start: datetime, end: datetime) -> int:
        """Computers of ``lab`` no reservation holds during ``[start, end)``."""
        return max(0, lab.computers - self.reserved(lab, start, end))

    def in_session(self, lab: Lab, now: datetime) -> int:
        """Computers of ``lab`` reserved at ``now`` (GetLabInfo's computersInSession)."""
        return sum(r.computers for r in self.reservations(lab) if r.start <= now < r.end)

    def reserve(
        self, lab: Lab, host: str, topic: str, computers: int, start: datetime, end: datetime, time_zone_id: int
    ) -> LabReservation:
        """A new reservation (the caller has checked it fits)."""
        reservation = LabReservation(self._next_id, lab.name, host, topic, computers, start, end, time_zone_id)
        self._next_id += 1
        self._reservations.append(reservation)
        if len(self._reservations) > MAX_LAB_RESERVATIONS:
            self._reservations.remove(min(self._reservations, key=lambda r: r.end))
        return reservation
