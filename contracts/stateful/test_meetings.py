"""State machines over XML meetings: random sequences of CreateMeeting, SetMeeting, GetMeeting,
GetSessionInfo (by key and by meetingUUID), LstsummaryMeeting and LstsummarySession (paged, in the
machine's own window of the calendar), DelMeeting, LstTimeZone, GetSite and clock moves (emulator
only), with a model of every meeting riding along (:mod:`contracts.stateful.meeting_model`).

What each answer must show: a Get answers what the last accepted Set wrote and nothing it did not
name changed (read back after every SetMeeting, so a Set that loses what an earlier Set wrote fails
in three calls); key and UUID address the same meeting after any update; the lists hold exactly the
live own meetings, with consistent ``matchingRecords`` on every page; a deleted meeting answers its
not-found error to GetMeeting, GetSessionInfo (key and UUID), SetMeeting and DelMeeting; passwords
are generated where the site requires them; a past start is refused (060016) and changes nothing;
the answers' shapes and documented element orders.

:class:`MeetingMachine` runs on any site (it reads what the site declares); :class:`MeetingOptionsMachine`
needs a site that records every session, offers the EDU template, returns scheduled PMRs and has
the private meeting type 169 — on the emulator a site made so, on a real site one that declares it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, precondition, rule

from webex_harness.contracts.stateful.machine import ContractMachine, Ref, recorded
from webex_harness.contracts.stateful.meeting_model import (
    AGENDAS,
    FLAGS,
    MeetingState,
    check_create_answer,
    check_del_answer,
    check_gone,
    check_meeting,
    check_session_info,
    walk_list,
)
from webex_harness.contracts.support import OwnWindow
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import meeting_body, past_date, webex_date
from webex_harness.webex import timezones
from webex_harness.webex.envelope import XmlResponse

#: a private meeting type (001, 40.12.0: "169 is a sample which supports Private Meeting")
PRIVATE_TYPE = 169
#: the year whose dates LstTimeZone is asked about (fixed: a replay asks the same)
ZONE_YEAR = 2027
#: the minutes into the machine's window a meeting may start at
WINDOW_MINUTES = 600

_flags = st.dictionaries(st.sampled_from(FLAGS), st.booleans(), max_size=3)
_changes = st.fixed_dictionaries(
    {},
    optional={
        "confName": st.integers(0, 999),
        "agenda": st.sampled_from(AGENDAS),
        "duration": st.sampled_from([15, 30, 45, 60, 90]),
        "minutes": st.integers(0, WINDOW_MINUTES),
        "password": st.integers(0, 999),
        "flags": _flags.filter(bool),
        "private": st.booleans(),
        "template": st.just(True),
    },
).filter(bool)


_create_args: dict[str, st.SearchStrategy[Any]] = {
    "n": st.integers(0, 999),
    "minutes": st.integers(0, WINDOW_MINUTES),
    "duration": st.sampled_from([15, 30, 60]),
    "password": st.booleans(),
    "agenda": st.none() | st.sampled_from(AGENDAS),
    "flags": _flags,
    "private": st.booleans(),
    "template": st.booleans(),
}

#: the first meeting of a sequence: every option drawn
_first_args: dict[str, st.SearchStrategy[Any]] = {
    **_create_args,
    "flags": st.fixed_dictionaries({flag: st.booleans() for flag in FLAGS}),
}


def _password(n: int) -> str:
    return f"Qz{n:03d}Pk7"


class MeetingMachine(ContractMachine):
    """Meetings through the XML API on any site (what it checks follows what the site declares)."""

    examples: ClassVar[int] = 10
    steps_per_example: ClassVar[int] = 10
    #: whether the machine schedules meetings of the private type and with the EDU template
    uses_site_options: ClassVar[bool] = False

    meetings = Bundle("meetings")

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        self.window = OwnWindow.random()
        self.live: dict[str, MeetingState] = {}
        self.gone: list[MeetingState] = []

    # ------------------------------------------------------------ helpers

    def _state(self, meeting: Ref) -> MeetingState | None:
        return self.live.get(meeting.label)

    def _address(self, state: MeetingState, by: str) -> dict[str, str]:
        return {"meetingKey": state.key} if by == "key" else {"meetingUUID": state.uuid}

    def _meeting_type(self, private: bool) -> int:
        private_types = self.site.settings.private_meeting_types
        return PRIVATE_TYPE if private and self.uses_site_options and PRIVATE_TYPE in private_types else 3

    def _template(self, wanted: bool) -> dict[str, Any]:
        """The EDU template where the site offers it (behaviour site-templates)."""
        if wanted and self.uses_site_options and self.site.settings.edu_session_type:
            return {"sessionTemplate": {"use": "EDU"}}
        return {}

    def _read_back(self, label: str, state: MeetingState, by: str = "key", *, whole: bool = False) -> None:
        """GetMeeting: what the model holds (``whole``: and every element in the documented order)."""
        got = self.xml("meeting", "GetMeeting", self._address(state, by))
        check_meeting(f"{label} (GetMeeting by {by})", state, got, self.site.settings, whole=whole)

    # ------------------------------------------------------------ rules

    @initialize(target=meetings, **_first_args)
    @recorded
    def first_meeting(self, **drawn: Any) -> Ref:
        """Every sequence starts with a meeting (so that no example is spent on an empty site), created
        with every option of :data:`FLAGS` drawn on or off and read back at once: an option the site
        drops is found in every sequence, not only in those whose Sets happen to draw it on."""
        ref = self._create(**drawn)
        state = self._state(ref)
        if state is not None:
            self._read_back(ref.label, state)
        return ref

    @rule(target=meetings, **_create_args)
    @recorded
    def create(self, **drawn: Any) -> Ref:
        return self._create(**drawn)

    def _create(
        self,
        n: int,
        minutes: int,
        duration: int,
        password: bool,
        agenda: str | None,
        flags: dict[str, bool],
        private: bool,
        template: bool,
    ) -> Ref:
        name = own_name(f"stateful {n}")
        start = self.window.date(minutes)
        meeting_type = self._meeting_type(private)
        sent_password = _password(n) if password else ""
        sections: dict[str, Any] = {
            "metaData": {"confName": name, "meetingType": meeting_type, **({"agenda": agenda} if agenda else {})},
            "schedule": {"startDate": start, "duration": duration, "timeZoneID": self.window.time_zone_id},
        }
        for path, value in flags.items():
            section, element = path.split("/")
            sections.setdefault(section, {})[element] = value
        if sent_password:
            sections["accessControl"] = {"meetingPassword": sent_password}
        body = {**meeting_body(name, **sections), **self._template(template)}
        got = self.xml("meeting", "CreateMeeting", body)
        check_create_answer("CreateMeeting", got, sent_password, self.site.settings)
        ref = self.new_ref("meeting", got.text("meet:meetingkey") or "", uuid=got.text("meet:meetingUUID") or "")
        state = MeetingState(
            ref.key,
            ref.extra["uuid"],
            name,
            start,
            self.window.time_zone_id,
            duration,
            got.text("meet:meetingPassword") or "",
            meeting_type,
            agenda,
        )
        state.write_flags(flags)
        self.live[ref.label] = state
        return ref

    @rule(meeting=meetings, changes=_changes)
    @recorded
    def set_meeting(self, meeting: Ref, changes: dict[str, Any]) -> None:
        """SetMeeting of the drawn fields, then GetMeeting: what it wrote, and everything else as before."""
        state = self._state(meeting)
        if state is None:
            return
        body: dict[str, Any] = {"meetingkey": state.key}
        meta: dict[str, Any] = {}
        schedule: dict[str, Any] = {}
        if "confName" in changes:
            meta["confName"] = own_name(f"renamed {changes['confName']}")
        if "agenda" in changes:
            meta["agenda"] = changes["agenda"]
        if "private" in changes:
            meta["meetingType"] = self._meeting_type(bool(changes["private"]))
        if "duration" in changes:
            schedule["duration"] = changes["duration"]
        if "minutes" in changes:
            schedule["startDate"] = self.window.date(int(changes["minutes"]))
            schedule["timeZoneID"] = self.window.time_zone_id
        flags: dict[str, bool] = dict(changes.get("flags") or {})
        enable = {path.split("/")[1]: value for path, value in flags.items() if path.startswith("enableOptions/")}
        schedule.update({path.split("/")[1]: v for path, v in flags.items() if path.startswith("schedule/")})
        if "password" in changes:
            body["accessControl"] = {"meetingPassword": _password(int(changes["password"]))}
        if meta:
            body["metaData"] = meta
        if enable:
            body["enableOptions"] = enable
        if schedule:
            body["schedule"] = schedule
        body.update(self._template(bool(changes.get("template"))))
        got = self.xml("meeting", "SetMeeting", body)
        assert got.ok, f"{meeting.label}: SetMeeting refused: {got.describe()}"
        assert got.text("meet:meetingUUID") in (state.uuid, None), f"{meeting.label}: SetMeeting answers another UUID"
        state.name = meta.get("confName", state.name)
        state.agenda = meta.get("agenda", state.agenda)
        state.meeting_type = meta.get("meetingType", state.meeting_type)
        state.duration = schedule.get("duration", state.duration)
        state.start = schedule.get("startDate", state.start)
        state.password = body.get("accessControl", {}).get("meetingPassword", state.password)
        state.write_flags(flags)
        self._read_back(meeting.label, state)

    @rule(meeting=meetings, days=st.integers(1, 30))
    @recorded
    def set_start_in_the_past(self, meeting: Ref, days: int) -> None:
        """A start that has passed is refused with 060016, and the meeting keeps its start."""
        state = self._state(meeting)
        if state is None:
            return
        got = self.xml("meeting", "SetMeeting", {"meetingkey": state.key, "schedule": {"startDate": past_date(days)}})
        assert (got.result, got.exception_id) == ("FAILURE", "060016"), (
            f"{meeting.label}: a start {days} day(s) ago must fail with 060016: {got.describe()}"
        )
        self._read_back(meeting.label, state)

    @rule(meeting=meetings, by=st.sampled_from(["key", "uuid"]))
    @recorded
    def get_meeting(self, meeting: Ref, by: str) -> None:
        state = self._state(meeting)
        if state is not None:
            self._read_back(meeting.label, state, by, whole=True)

    @rule(meeting=meetings, by=st.sampled_from(["key", "uuid"]))
    @recorded
    def get_session_info(self, meeting: Ref, by: str) -> None:
        state = self._state(meeting)
        if state is None:
            return
        body = {"sessionKey": state.key} if by == "key" else {"meetingUUID": state.uuid}
        got = self.xml("ep", "GetSessionInfo", body)
        check_session_info(f"{meeting.label} (GetSessionInfo by {by})", state, got, self.site.settings)

    @rule(meeting=consumes(meetings), by=st.sampled_from(["key", "uuid"]))
    @recorded
    def delete(self, meeting: Ref, by: str) -> None:
        state = self.live.pop(meeting.label, None)
        if state is None:
            return
        got = self.xml("meeting", "DelMeeting", self._address(state, by))
        check_del_answer(f"{meeting.label} (DelMeeting by {by})", state, got)
        self.gone.append(state)

    @precondition(lambda self: bool(self.gone))
    @rule(pick=st.integers(0, 99))
    @recorded
    def deleted_is_gone(self, pick: int) -> None:
        """A deleted meeting: not found by GetMeeting (key, UUID), GetSessionInfo (key, UUID), SetMeeting,
        DelMeeting."""
        state = self.gone[pick % len(self.gone)]
        label = f"meeting {state.key}"
        for body in ({"meetingKey": state.key}, {"meetingUUID": state.uuid}):
            check_gone(label, f"GetMeeting {body}", self.xml("meeting", "GetMeeting", body), "060001")
        for body in ({"sessionKey": state.key}, {"meetingUUID": state.uuid}):
            check_gone(label, f"GetSessionInfo {body}", self.xml("ep", "GetSessionInfo", body), "000015")
        renamed = {"meetingkey": state.key, "metaData": {"confName": own_name("after delete")}}
        check_gone(label, "SetMeeting", self.xml("meeting", "SetMeeting", renamed), "060001")
        check_gone(label, "DelMeeting", self.xml("meeting", "DelMeeting", {"meetingKey": state.key}), "060001")

    def _own(self, listed: list[str], api_name: str) -> None:
        made = {s.key for s in self.live.values()} | {s.key for s in self.gone}
        own = sorted(k for k in listed if k in made)
        live = sorted(s.key for s in self.live.values())
        assert own == live, f"{api_name} lists {own} of the machine's meetings, the live ones are {live}"
        if self.site.is_emulator:  # a fresh site: nothing foreign
            assert sorted(listed) == live, f"{api_name} lists {sorted(listed)}, the site has {live}"

    @rule(size=st.integers(1, 3))
    @recorded
    def list_meetings(self, size: int) -> None:
        """LstsummaryMeeting of the window, ``size`` at a time: exactly the live meetings, once each."""

        def page(start: int, maximum: int) -> XmlResponse:
            control = {"listControl": {"startFrom": start, "maximumNum": maximum}}
            return self.xml("meeting", "LstsummaryMeeting", {**control, **self.window.scope()})

        self._own(walk_list(page, "meet", "meet:meeting/meet:meetingKey", size), "LstsummaryMeeting")

    @rule(size=st.integers(1, 3), pmr=st.booleans())
    @recorded
    def list_sessions(self, size: int, pmr: bool) -> None:
        """LstsummarySession of the window, paged; with ``returnScheduledPMR`` on a site that supports it
        every session says whether it is a scheduled PMR (behaviour scheduled-pmr-listing)."""
        answers: list[XmlResponse] = []

        def page(start: int, maximum: int) -> XmlResponse:
            body: dict[str, Any] = {"listControl": {"startFrom": start, "maximumNum": maximum}, **self.window.scope()}
            if pmr:
                body["returnScheduledPMR"] = True
            answers.append(self.xml("ep", "LstsummarySession", body))
            return answers[-1]

        self._own(walk_list(page, "ep", "ep:session/ep:sessionKey", size), "LstsummarySession")
        flags = [flag for got in answers if got.ok for flag in got.texts("ep:session/ep:isScheduledPMR")]
        sessions = sum(len(got.texts("ep:session/ep:sessionKey")) for got in answers if got.ok)
        if pmr and self.site.settings.return_scheduled_pmr:
            assert flags == ["false"] * sessions, f"returnScheduledPMR: isScheduledPMR {flags} of {sessions} meetings"
        elif not pmr:
            assert not flags, "isScheduledPMR only when the request asks for it"

    @rule(tz=st.sampled_from([4, 5, 20, 21, 41, 55]), month=st.integers(1, 12))
    @recorded
    def site_facts(self, tz: int, month: int) -> None:
        """GetSite reports the site's scheduled-PMR toggle (behaviour scheduled-pmr-listing); LstTimeZone
        at a date answers the offset in force then, daylight saving included (time-zone-offsets)."""
        got = self.xml("site", "GetSite", {})
        assert got.ok, got.describe()
        flag = got.text("ns1:siteInstance/ns1:siteCommonOptions/ns1:SupportXMLAPIReturnScheduledPMR")
        assert flag == str(self.site.settings.return_scheduled_pmr).lower(), f"SupportXMLAPIReturnScheduledPMR {flag!r}"
        when = datetime(ZONE_YEAR, month, 15, 12)
        got = self.xml("site", "LstTimeZone", {"timeZoneID": tz, "date": webex_date(when)})
        assert got.ok, got.describe()
        offset = timezones.gmt_offset_minutes(tz, when)
        dst = str(timezones.in_daylight_saving(tz, when)).lower()
        read = (got.text("ns1:timeZone/ns1:gmtOffset"), got.text("ns1:timeZone/ns1:fallInDST"))
        assert read == (str(offset), dst), f"LstTimeZone {tz} at {webex_date(when)}: {read}, expected {offset}, {dst}"

    @precondition(lambda self: self.site.is_emulator)
    @rule(hours=st.integers(1, 72))
    @recorded
    def advance_clock(self, hours: int) -> None:
        """The site's clock moves on (emulator only); the meetings, far ahead, stay as they were."""
        self.site.advance_clock(hours * 3600)

    # ------------------------------------------------------------ the end

    def clean_up(self) -> None:
        for state in self.live.values():
            self.xml("meeting", "DelMeeting", {"meetingKey": state.key})


class MeetingOptionsMachine(MeetingMachine):
    """The same rules on a site that records every session, offers the EDU template, returns scheduled
    PMRs and has the private meeting type: behaviours auto-record, site-templates,
    scheduled-pmr-listing and private-meeting in sequences."""

    site_settings: ClassVar[dict[str, Any]] = {
        "auto_record_all": True,
        "edu_session_type": True,
        "return_scheduled_pmr": True,
        "private_meeting_types": [PRIVATE_TYPE],
    }
    uses_site_options: ClassVar[bool] = True
    examples: ClassVar[int] = 8


RunStateful = Callable[[type[ContractMachine]], None]


def test_meetings_read_back_what_the_last_set_wrote(run_stateful: RunStateful) -> None:
    run_stateful(MeetingMachine)


def test_meeting_options_follow_the_site_in_sequences(run_stateful: RunStateful) -> None:
    run_stateful(MeetingOptionsMachine)
