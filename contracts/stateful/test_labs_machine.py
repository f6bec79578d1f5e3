"""A state machine over Hands-on Labs and Event Center programs (Training and Event Center services).

Labs: ReserveLab books computers in drawn windows (hours of one day, GMT), and the reads follow the
model of the reservations made: CheckLabAvailability answers AVAILABLE exactly when the computers
asked for are free for the whole window (``lab-availability``), a reservation asking for more than
is free is refused and books nothing (``lab-reservation-capacity``), GetLabSchedule lists exactly
the reservations overlapping its window, in the order they were made (``lab-schedule``), GetLabInfo
answers the lab named and nothing else, an unknown one 000015 (``lab-info``).

Programs: LstsummaryProgram answers the program ``programID`` names and nothing else (an unknown one
000015), every program ordered by name without one (``program-summary``); LstrecordedEvent answers
the recorded events of the program and host named, and only those (``recorded-events``).

The labs and programs of an emulator site are drawn and set through the control API. No API cancels
a lab reservation, and a site's programs are made on its Event Center pages: on a real site the
machine only reads what the site has (GetLabInfo, LstsummaryProgram), making nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from webex_harness.contracts.stateful.machine import ContractMachine, recorded
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import XmlResponse

#: GMT in the Webex time-zone table: the machine's times need no conversion
GMT = 20
#: a lab as drawn for an emulator site: its computers
LAB = st.integers(1, 4)
#: a program as drawn for an emulator site: its name's number, host, status
PROGRAM = st.tuples(st.integers(0, 99), st.sampled_from(["host", "admin"]), st.sampled_from(["PUBLIC", "UNLISTED"]))
#: a window: its first hour of the machine's day and its length in hours
WINDOW = st.tuples(st.integers(0, 4), st.integers(1, 3))


@dataclass
class Reservation:
    lab: str
    topic: str
    start: int  # hour of the machine's day
    end: int
    computers: int

    def overlaps(self, start: int, end: int) -> bool:
        return self.start < end and start < self.end


def _missing(answer: XmlResponse) -> bool:
    return (answer.result, answer.exception_id) == ("FAILURE", "000015")


def _fmt(when: datetime) -> str:
    return when.strftime("%m/%d/%Y %H:%M:%S")


class LabsMachine(ContractMachine):
    """Lab reservations and programs against a model of what the site has and what was booked."""

    examples = 12
    steps_per_example = 10

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        self.labs: dict[str, int] = {}  # name -> computers
        self.reservations: list[Reservation] = []
        self.programs: list[dict[str, Any]] = []  # programID, programName, hostWebExID, as the site has them
        now = datetime.fromisoformat(site.state()["now"]).astimezone(UTC) if site.is_emulator else datetime.now(UTC)
        # a day of the machine's own, a month ahead (reservations never reach "now")
        self.day = now.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=30)

    def _at(self, hour: int) -> str:
        return _fmt(self.day + timedelta(hours=hour))

    def _window(self, window: list[int], start_name: str, end_name: str) -> tuple[int, int, dict[str, Any]]:
        start, length = window
        return (
            start,
            start + length,
            {"timeZoneID": GMT, start_name: self._at(start), end_name: self._at(start + length)},
        )

    def _lab(self, pick: int) -> str:
        names = list(self.labs)
        return names[pick % len(names)]

    def _free(self, lab: str, start: int, end: int) -> int:
        held = sum(r.computers for r in self.reservations if r.lab == lab and r.overlaps(start, end))
        return max(0, self.labs[lab] - held)

    # ------------------------------------------------------------ what the site has

    @initialize(labs=st.lists(LAB, min_size=1, max_size=2), programs=st.lists(PROGRAM, min_size=1, max_size=3))
    @recorded
    def site_has(self, labs: list[int], programs: list[list[Any]]) -> None:
        """On the emulator: the drawn labs and programs (control API); on a real site: what it has."""
        if self.site.is_emulator:
            drawn = [
                {"labName": f"Wxh Lab {n}", "description": f"{c} computers", "computers": c}
                for n, c in enumerate(labs, 1)
            ]
            self.site.control.set_labs(self.site.name, drawn)
            made = [
                {"programName": f"Wxh programme {n}.{i}", "hostWebExID": host, "status": status}
                for i, (n, host, status) in enumerate(programs)
            ]
            self.programs = list(self.site.control.set_programs(self.site.name, made)["programs"])
        got = self.xml("training", "GetLabInfo", {})
        if got.ok:
            names = got.texts("train:labInfo/train:labName")
            totals = got.texts("train:labInfo/train:totalComputers")
            self.labs = {n: int(t) for n, t in zip(names, totals, strict=True)}
        if not self.site.is_emulator:
            listed = self.xml("event", "LstsummaryProgram", {})
            if listed.ok:
                self.programs = [
                    {"programID": int(i), "programName": n}
                    for i, n in zip(
                        listed.texts("event:program/event:programID"),
                        listed.texts("event:program/event:programName"),
                        strict=True,
                    )
                ]
        if self.site.is_emulator:
            assert sorted(self.labs.values()) == sorted(labs), f"GetLabInfo answers {self.labs}, the site has {labs}"

    # ------------------------------------------------------------ labs

    @precondition(lambda self: bool(self.labs))
    @rule(pick=st.integers(0, 9), unknown=st.booleans())
    @recorded
    def lab_info(self, pick: int, unknown: bool) -> None:
        name = self._lab(pick)
        asked = f"{name} nowhere" if unknown else name.upper()  # labName is matched whatever its case
        answer = self.xml("training", "GetLabInfo", {"labName": asked})
        if unknown:
            assert _missing(answer), f"GetLabInfo of {asked!r}, a lab the site lacks: {answer.describe()}"
            return
        answer.expect_success()
        got = list(
            zip(
                answer.texts("train:labInfo/train:labName"),
                answer.texts("train:labInfo/train:totalComputers"),
                strict=True,
            )
        )
        assert got == [(name, str(self.labs[name]))], f"GetLabInfo of {asked!r} answers {got}"
        if self.site.is_emulator:  # every reservation is a month ahead
            assert answer.text("train:labInfo/train:computersInSession") == "0", answer.describe()

    @precondition(lambda self: bool(self.labs) and self.site.is_emulator)
    @rule(pick=st.integers(0, 9), window=WINDOW, computers=st.integers(1, 4))
    @recorded
    def reserve(self, pick: int, window: list[int], computers: int) -> None:
        lab = self._lab(pick)
        start, end, times = self._window(window, "startDate", "endDate")
        topic = f"Wxh class {len(self.reservations) + 1}"
        body = {"labName": lab, "numComputers": computers, "topic": topic, "timeLimit": 60, **times, "sendMail": False}
        answer = self.xml("training", "ReserveLab", body)
        free = self._free(lab, start, end)
        if computers > free:
            assert answer.result == "FAILURE", (
                f"ReserveLab of {computers} of {lab}'s computers, {free} free: {answer.describe()}"
            )
            return
        assert answer.expect_success().text("train:holSessionID"), "ReserveLab answered no holSessionID"
        self.reservations.append(Reservation(lab, topic, start, end, computers))
        # one computer more than is left in the same window: refused, whatever the lab has in all
        over = self._free(lab, start, end) + 1
        again = self.xml("training", "ReserveLab", {**body, "numComputers": over, "topic": f"{topic} (over)"})
        assert again.result == "FAILURE", (
            f"ReserveLab of {over} of {lab}'s computers right after {computers} were reserved "
            f"({over - 1} left): {again.describe()}"
        )

    @precondition(lambda self: bool(self.labs) and self.site.is_emulator)
    @rule(pick=st.integers(0, 9), window=WINDOW, computers=st.integers(1, 4))
    @recorded
    def availability(self, pick: int, window: list[int], computers: int) -> None:
        lab = self._lab(pick)
        start, end, times = self._window(window, "sessionStartTime", "sessionEndTime")
        body = {"labName": lab, **times, "numComputers": computers}
        answer = self.xml("training", "CheckLabAvailability", body).expect_success()
        free = self._free(lab, start, end)
        want = "AVAILABLE" if computers <= free else "UNAVAILABLE"
        got = answer.text("train:availabilityLabs/train:status")
        assert got == want, f"CheckLabAvailability of {computers} of {lab} ({free} free): {got}"

    @precondition(lambda self: bool(self.labs) and self.site.is_emulator)
    @rule(pick=st.integers(0, 9), window=WINDOW)
    @recorded
    def schedule(self, pick: int, window: list[int]) -> None:
        lab = self._lab(pick)
        start, end, times = self._window(window, "sessionStartTime", "sessionEndTime")
        answer = self.xml("training", "GetLabSchedule", {"labName": lab, **times})
        got = answer.texts("train:scheduledLabs/train:confName") if answer.ok else answer.describe()
        want = [r.topic for r in self.reservations if r.lab == lab and r.overlaps(start, end)]
        if not want and _missing(answer):
            return
        assert got == want, f"GetLabSchedule of {lab} from hour {start} to {end} lists {got}, expected {want}"

    # ------------------------------------------------------------ programs

    @precondition(lambda self: bool(self.programs))
    @rule(pick=st.none() | st.integers(0, 9))
    @recorded
    def program_summary(self, pick: int | None) -> None:
        if pick is None:
            answer = self.xml("event", "LstsummaryProgram", {"order": {"orderBy": "PROGRAMNAME"}}).expect_success()
            names = answer.texts("event:program/event:programName")
            assert names == sorted(names, key=str.lower), f"LstsummaryProgram by PROGRAMNAME: {names}"
            if self.site.is_emulator:
                assert sorted(names) == sorted(p["programName"] for p in self.programs), names
            return
        if pick >= len(self.programs):  # a programID the site does not have
            unknown = max(int(p["programID"]) for p in self.programs) + 1 + pick
            answer = self.xml("event", "LstsummaryProgram", {"programID": unknown})
            assert _missing(answer), f"LstsummaryProgram of programID {unknown} (none): {answer.describe()}"
            return
        program = self.programs[pick]
        answer = self.xml("event", "LstsummaryProgram", {"programID": program["programID"]}).expect_success()
        got = list(
            zip(
                answer.texts("event:program/event:programID"),
                answer.texts("event:program/event:programName"),
                strict=True,
            )
        )
        assert got == [(str(program["programID"]), program["programName"])], f"LstsummaryProgram of {program}: {got}"
        assert answer.text("event:matchingRecords/serv:total") == "1", answer.describe()

    @precondition(lambda self: bool(self.programs) and self.site.is_emulator)
    @rule(pick=st.integers(0, 9), by_host=st.booleans())
    @recorded
    def recorded_events(self, pick: int, by_host: bool) -> None:
        program = self.programs[pick % len(self.programs)]
        ask: dict[str, Any] = {"programID": program["programID"]}
        if by_host:
            ask["hostWebExID"] = program["hostWebExID"]
        answer = self.xml("event", "LstrecordedEvent", ask).expect_success()
        got = answer.texts("event:event/event:recordedEvent/event:eventName")
        want = [f"{program['programName']}: opening session"]
        assert got == want, f"LstrecordedEvent {ask} lists {got}, expected {want}"
        hosts = answer.texts("event:event/event:webExID")
        assert hosts == [program["hostWebExID"]], f"LstrecordedEvent {ask}: hosts {hosts}"


def test_labs_and_programs_follow_their_model(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(LabsMachine)
