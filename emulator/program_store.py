"""A site's Event Center programs and recorded events (:class:`ProgramStore`).

A program groups a site's events under one name, host, expected enrollment and budget, with its own
page (programURL) and a page to go to after enrolling; it is made on the site's Event Center pages,
not through the XML API, so the emulator seeds each site with :data:`DEFAULT_PROGRAMS` and the control
API (``POST sites/{site}/programs``) replaces them. A recorded event is an event recording published
on the site (name, type, host, start, length, size, the program it belongs to); the emulator seeds one
per default program. LstsummaryProgram and LstrecordedEvent (:mod:`emulator.services.programs`) read
them. Times are naive UTC. Stands on the standard library only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Program:
    """One Event Center program."""

    program_id: int
    name: str
    host: str
    expected_enrollment: int
    budget: str
    listing: str

    def public(self) -> dict[str, object]:
        """What the control API shows."""
        return {
            "programID": self.program_id,
            "programName": self.name,
            "hostWebExID": self.host,
            "expectedEnrollment": self.expected_enrollment,
            "budget": self.budget,
            "status": self.listing,
        }


@dataclass(frozen=True, slots=True)
class RecordedEvent:
    """One published event recording."""

    name: str
    event_type: str
    host: str
    start: datetime
    play_seconds: int
    size_bytes: int
    program_id: int | None
    description: str
    access_password: bool


#: The programs a new site has: (name, host, expected enrollment, budget, listing).
DEFAULT_PROGRAMS: tuple[tuple[str, str, int, str, str], ...] = (
    ("Product launch series", "host", 500, "12000", "PUBLIC"),
    ("Partner enablement", "host", 120, "3000", "UNLISTED"),
)


class ProgramStore:
    """A site's programs by ID, in the order they were configured, and its recorded events."""

    def __init__(
        self, created: datetime, programs: Iterable[tuple[str, str, int, str, str]] = DEFAULT_PROGRAMS
    ) -> None:
        self._created = created
        self._programs: dict[int, Program] = {}
        self.recorded: list[RecordedEvent] = []
        self.replace(programs)

    def replace(self, programs: Iterable[tuple[str, str, int, str, str]]) -> None:
        """The site's programs become ``programs``, each with one recorded event a week before the
        site was made (at 10:00 plus one hour per program); the former ones and their recordings go."""
        self._programs = {}
        self.recorded = []
        day = datetime.combine(self._created.date(), datetime.min.time()) - timedelta(days=7)
        for i, (name, host, expected, budget, listing) in enumerate(programs):
            program = Program(7001 + i, name, host, expected, budget, listing)
            self._programs[program.program_id] = program
            self.recorded.append(
                RecordedEvent(
                    f"{name}: opening session",
                    "Recorded Event",
                    host,
                    day + timedelta(hours=10 + i),
                    1800 + 600 * i,
                    (25 + 5 * i) * 1_048_576,
                    program.program_id,
                    f"The recording of the first event of {name}",
                    i % 2 == 1,
                )
            )

    def programs(self) -> list[Program]:
        return list(self._programs.values())

    def program(self, program_id: int) -> Program | None:
        return self._programs.get(program_id)
