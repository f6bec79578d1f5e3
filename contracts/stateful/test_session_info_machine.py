"""A state machine over what the session service tells each caller about a meeting, as it lives.

Rules create meetings of the host (the ``invitee`` user invited or not, join-before-host on or off,
end-to-end encryption, a password or the site's), change who is invited and join-before-host, read
GetSessionInfo as the host, the invitee, an outsider and an anonymous caller (by sessionKey or
meetingUUID), list the meeting with LstsummarySession (signed in and anonymous), and delete it. On
the emulator they also drive its live state through the control API: the session starts, the host
and attendees join, the service calls a number back (DetectSessionByCallback then finds it in its
window only), and the clock moves past meetings' ends. A model rides along; the read rules compare:
details only for the host and invitees (``session-info-privacy``), hostKey only for the host and the
session password for those who see details (``session-info-host-elements``), who is in the meeting
only while it is in progress (``session-info-in-progress``), isAllowJBH as the meeting says
(``session-info-jbh``), the documented elements (``session-info-shape``); the usage history holds
exactly the machine's ended meetings (deleted, or past their end on the clock), and Access Anywhere
history answers its documented shape.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, precondition, rule

from webex_harness.contracts.stateful.machine import Ref, recorded
from webex_harness.contracts.stateful.people import ANONYMOUS, PeopleMachine
from webex_harness.contracts.support import SESSION_INFO_DETAILS
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import meeting_body
from webex_harness.webex.envelope import XmlResponse

ROLES = ("host", "invitee", "outsider", ANONYMOUS)
#: elements every GetSessionInfo answer carries (001, 40.1.0 and 40.8.0 samples)
ALWAYS = (
    "ep:status",
    "ep:isLocked",
    "ep:sessionkey",
    "ep:meetingUUID",
    "ep:confID",
    "ep:accessControl/ep:listStatus",
    "ep:accessControl/ep:registration",
    "ep:accessControl/ep:passwordReq",
    "ep:accessControl/ep:isRegisterIDRequired",
    "ep:metaData/ep:serviceType",
    "ep:isAllowJBH",
    "ep:isCETMeeting",
    "ep:isPersonalMeetingRoom",
)
NUMBERS = ("14085550100", "14085550111")
#: how far back (minutes) the second DetectSessionByCallback window ends
BACK_MINUTES = (5, 90, 24 * 60)
DAY = 86400
#: how long a machine's meetings last (minutes) and how far ahead they start (days)
DURATION = 30
AHEAD_DAYS = 7


@dataclass
class Meeting:
    key: str
    uuid: str
    name: str
    invited: bool
    jbh: bool
    e2ee: bool
    password: str
    host_key: str
    #: the clock offset (seconds this machine moved it) at which the meeting ends
    ends_at: int
    status: str = "NOT_INPROGRESS"
    host_in: bool = False
    attendees_in: int = 0
    deleted: bool = False

    def ended(self, advanced: int) -> bool:
        return self.deleted or advanced >= self.ends_at


@dataclass
class Callback:
    number: str
    key: str
    time: datetime


def _bool(value: bool) -> str:
    return "true" if value else "false"


class SessionInfoMachine(PeopleMachine):
    examples = 20
    steps_per_example = 10

    meetings = Bundle("meetings")

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        self.model: dict[str, Meeting] = {}
        self.callbacks: list[Callback] = []
        self.invitee_email = site.email("invitee")

    def _live(self, meeting: Ref) -> Meeting | None:
        model = self.model.get(meeting.label)
        return None if model is None or model.deleted else model

    def _invitee(self) -> dict[str, Any]:
        return {"attendees": {"attendee": {"person": {"name": "Ivy Invitee", "email": self.invitee_email}}}}

    # ------------------------------------------------------------ meetings

    def _create(self, invite: bool, jbh: bool, e2ee: bool, password: bool) -> Ref:
        n = len(self.model) + 1
        name = own_name(f"session info {n}")
        sections: dict[str, Any] = {
            "schedule": {"startDate": self.start_date(AHEAD_DAYS), "duration": DURATION},
            "enableOptions": {"joinBeforeHost": _bool(jbh), "supportE2E": _bool(e2ee)},
        }
        if password:
            sections["accessControl"] = {"meetingPassword": f"Wxh{n}pass7"}
        if invite:
            sections["participants"] = self._invitee()
        made = self.xml("meeting", "CreateMeeting", meeting_body(name, **sections)).expect_success()
        key = made.text("meet:meetingkey") or ""
        got = self.xml("meeting", "GetMeeting", {"meetingKey": key}).expect_success()
        ref = self.new_ref("meeting", key, uuid=made.text("meet:meetingUUID") or "")
        self.model[ref.label] = Meeting(
            key,
            ref.extra["uuid"],
            name,
            invite,
            jbh,
            e2ee,
            got.text("meet:accessControl/meet:meetingPassword") or "",
            got.text("meet:hostKey") or "",
            self.advanced + AHEAD_DAYS * DAY + DURATION * 60,
        )
        return ref

    @initialize(
        target=meetings,
        invite=st.booleans(),
        jbh=st.booleans(),
        e2ee=st.booleans(),
        password=st.booleans(),
        live=st.booleans(),
        host_in=st.booleans(),
        attendees=st.integers(0, 2),
        number=st.sampled_from(NUMBERS),
        back=st.sampled_from(BACK_MINUTES),
        role=st.sampled_from(ROLES),
        by_uuid=st.booleans(),
    )
    @recorded
    def first_meeting(
        self,
        invite: bool,
        jbh: bool,
        e2ee: bool,
        password: bool,
        live: bool,
        host_in: bool,
        attendees: int,
        number: str,
        back: int,
        role: str,
        by_uuid: bool,
    ) -> Ref:
        """Every sequence starts with a meeting, read at once with GetSessionInfo by a drawn caller. On the
        emulator the meeting then starts (or is marked not in progress) and the service calls a number
        back for it, each checked in the same step: what each caller sees, who is in a meeting in
        progress and what DetectSessionByCallback finds are checked in every sequence, not only in those
        whose draws happen to reach those rules."""
        ref = self._create(invite, jbh, e2ee, password)
        self._session_info(ref, role, by_uuid)
        if self.site.is_emulator:
            self._go_live(ref, "INPROGRESS" if live else "NOT_INPROGRESS", host_in, attendees)
            self._call_back(ref, number, back)
        return ref

    @rule(target=meetings, invite=st.booleans(), jbh=st.booleans(), e2ee=st.booleans(), password=st.booleans())
    @recorded
    def create_meeting(self, invite: bool, jbh: bool, e2ee: bool, password: bool) -> Ref:
        return self._create(invite, jbh, e2ee, password)

    @rule(meeting=meetings, jbh=st.booleans())
    @recorded
    def set_join_before_host(self, meeting: Ref, jbh: bool) -> None:
        model = self._live(meeting)
        if model is None:
            return
        body = {"meetingkey": meeting.key, "enableOptions": {"joinBeforeHost": _bool(jbh)}}
        self.xml("meeting", "SetMeeting", body).expect_success()
        model.jbh = jbh

    @rule(meeting=meetings, invite=st.booleans())
    @recorded
    def set_invited(self, meeting: Ref, invite: bool) -> None:
        """Invite the invitee (SetMeeting's participants) or remove them (DelMeetingAttendee)."""
        model = self._live(meeting)
        if model is None:
            return
        if invite:
            body = {"meetingkey": meeting.key, "participants": self._invitee()}
            self.xml("meeting", "SetMeeting", body).expect_success()
        else:
            answer = self.xml(
                "attendee",
                "DelMeetingAttendee",
                {"attendeeEmail": {"email": self.invitee_email, "sessionKey": meeting.key}},
            )
            if not model.invited:
                assert answer.exception_id == "000015", f"no such attendee: {answer.describe()}"
                return
            answer.expect_success()
        model.invited = invite

    @rule(meeting=consumes(meetings))
    @recorded
    def delete_meeting(self, meeting: Ref) -> None:
        model = self._live(meeting)
        if model is None:
            return
        self.xml("meeting", "DelMeeting", {"meetingKey": meeting.key}).expect_success()
        model.deleted = True
        for where in ({"sessionKey": meeting.key}, {"meetingUUID": model.uuid}):
            gone = self.xml("ep", "GetSessionInfo", where)
            assert gone.exception_id == "000015", f"a deleted meeting is not found by {where}: {gone.describe()}"

    # ------------------------------------------------------------ GetSessionInfo, LstsummarySession

    @rule(meeting=meetings, role=st.sampled_from(ROLES), by_uuid=st.booleans())
    @recorded
    def session_info(self, meeting: Ref, role: str, by_uuid: bool) -> None:
        self._session_info(meeting, role, by_uuid)

    def _session_info(self, meeting: Ref, role: str, by_uuid: bool) -> None:
        """GetSessionInfo as ``role``: the details, hostKey and password that caller may see, the shape
        and the live state."""
        model = self._live(meeting)
        if model is None:
            return
        where = {"meetingUUID": model.uuid} if by_uuid else {"sessionKey": model.key}
        got = self.xml("ep", "GetSessionInfo", where, role=role).expect_success()
        self._check_shape(meeting, model, got)
        details = role == "host" or (role == "invitee" and model.invited)
        for path in SESSION_INFO_DETAILS:
            assert got.has(path) == details, (
                f"{meeting} as {role}: {path} is for the host and invitees only "
                f"({'expected' if details else 'must be absent'}): {got.describe()}"
            )
        if details:
            assert got.text("ep:metaData/ep:confName") == model.name
        assert got.text("ep:hostKey") == (model.host_key if role == "host" else None), (
            f"{meeting} as {role}: hostKey goes to the meeting's host only (the host's is {model.host_key!r})"
        )
        password = model.password if details and model.password else None
        shown = got.text("ep:accessControl/ep:sessionPassword")
        assert shown == password, f"{meeting} as {role}: sessionPassword {shown!r}, expected {password!r}"
        self._check_live(meeting, model, got)

    def _check_shape(self, meeting: Ref, model: Meeting, got: XmlResponse) -> None:
        for path in ALWAYS:
            assert got.has(path), f"{meeting}: GetSessionInfo lacks {path}"
        assert (got.text("ep:sessionkey"), got.text("ep:meetingUUID")) == (model.key, model.uuid)
        assert (got.text("ep:confID") or "").isdigit(), f"{meeting}: confID {got.text('ep:confID')!r}"
        assert got.text("ep:metaData/ep:serviceType") == "MeetingCenter"
        jbh = _bool(model.jbh and not model.e2ee)
        assert got.text("ep:isAllowJBH") == jbh, (
            f"{meeting}: isAllowJBH follows joinBeforeHost={model.jbh} (false with E2EE={model.e2ee}): "
            f"{got.text('ep:isAllowJBH')}"
        )

    def _check_live(self, meeting: Ref, model: Meeting, got: XmlResponse) -> None:
        assert got.text("ep:status") == model.status, f"{meeting}: status {got.text('ep:status')}, set {model.status}"
        live = (got.text("ep:hasHostInMeeting"), got.text("ep:hasAttendeeInMeeting"))
        expected = (
            (_bool(model.host_in), _bool(model.host_in or model.attendees_in > 0))
            if model.status == "INPROGRESS"
            else (None, None)
        )
        assert live == expected, (
            f"{meeting} ({model.status}, host in: {model.host_in}, attendees: {model.attendees_in}): "
            f"hasHostInMeeting/hasAttendeeInMeeting {live}, expected {expected}"
        )

    @rule(meeting=meetings, anonymous=st.booleans())
    @recorded
    def summary(self, meeting: Ref, anonymous: bool) -> None:
        model = self._live(meeting)
        if model is None:
            return
        role = ANONYMOUS if anonymous else "host"
        listed = self.xml("ep", "LstsummarySession", {"sessionKey": model.key}, role=role)
        if anonymous:
            assert (listed.exception_id, "Sorry, no record found" in (listed.reason or "")) == ("000015", True), (
                f"an anonymous LstsummarySession answers 000015: {listed.describe()}"
            )
            return
        listed.expect_success()
        assert listed.texts("ep:session/ep:sessionKey") == [model.key]
        assert listed.texts("ep:session/ep:MeetingUUID") == [model.uuid]
        assert listed.text("ep:session/ep:isAllowJBH") == _bool(model.jbh and not model.e2ee), (
            f"{meeting}: LstsummarySession's isAllowJBH must agree with the meeting ({model.jbh}, E2EE {model.e2ee})"
        )
        assert listed.text("ep:session/ep:hostJoined") == _bool(model.host_in)

    # ------------------------------------------------------------ live state (emulator)

    @precondition(lambda self: self.site.is_emulator)
    @rule(
        meeting=meetings,
        status=st.sampled_from(["INPROGRESS", "INPROGRESS", "NOT_INPROGRESS"]),
        host_in=st.booleans(),
        attendees=st.integers(0, 2),
    )
    @recorded
    def go_live(self, meeting: Ref, status: str, host_in: bool, attendees: int) -> None:
        self._go_live(meeting, status, host_in, attendees)

    def _go_live(self, meeting: Ref, status: str, host_in: bool, attendees: int) -> None:
        """The control API: the session's status and who is in it (the host joins, attendees join);
        then GetSessionInfo shows it."""
        model = self._live(meeting)
        if model is None:
            return
        self.site.control.set_session(
            self.site.name, model.key, status=status, host_in_meeting=host_in, attendees_in_meeting=attendees
        )
        model.status, model.host_in, model.attendees_in = status, host_in, attendees
        self._check_live(meeting, model, self.xml("ep", "GetSessionInfo", {"sessionKey": model.key}).expect_success())

    @precondition(lambda self: self.site.is_emulator)
    @rule(meeting=meetings, number=st.sampled_from(NUMBERS), back=st.sampled_from(BACK_MINUTES))
    @recorded
    def call_back(self, meeting: Ref, number: str, back: int) -> None:
        self._call_back(meeting, number, back)

    def _call_back(self, meeting: Ref, number: str, back: int) -> None:
        """The control API: the service calls ``number`` back for the meeting now; then
        DetectSessionByCallback finds it now, and not in a window that ended before."""
        model = self._live(meeting)
        if model is None:
            return
        self.site.control.set_session(self.site.name, model.key, callback=number)
        self.callbacks.append(Callback(number, model.key, self.site_now().replace(microsecond=0)))
        self._detect(back)

    @precondition(lambda self: self.site.is_emulator and bool(self.callbacks))
    @rule(back=st.sampled_from(BACK_MINUTES))
    @recorded
    def detect(self, back: int) -> None:
        self._detect(back)

    def _detect(self, back: int) -> None:
        """DetectSessionByCallback (a site administrator) for each number, over the four minutes
        ending now and over the four minutes ending ``back`` minutes ago: each finds the callbacks
        inside it only."""
        now = self.site_now().replace(microsecond=0)
        for number, end in [(n, e) for n in NUMBERS for e in (now, now - timedelta(minutes=back))]:
            start = end - timedelta(minutes=4)
            body = {
                "callbackNumber": number,
                "dataScopeGMT": {
                    "occurredDateStart": f"{start:%m/%d/%Y %H:%M:%S}",
                    "occurredDateEnd": f"{end:%m/%d/%Y %H:%M:%S}",
                },
            }
            got = self.xml("ep", "DetectSessionByCallback", body, role="admin").expect_success()
            expected: list[str] = []
            for called in self.callbacks:
                if called.number == number and start <= called.time <= end and called.key not in expected:
                    expected.append(called.key)
            found = got.texts("ep:session/ep:meetingKey")
            assert found == expected, (
                f"callbacks to {number} from {start} to {end} GMT came from {expected}, found {found}"
            )

    @precondition(lambda self: self.site.is_emulator)
    @rule(days=st.sampled_from([1, 3, 8]))
    @recorded
    def advance_clock(self, days: int) -> None:
        self.advance(days * DAY)

    # ------------------------------------------------------------ history

    @precondition(lambda self: bool(self.model))
    @rule(pick=st.integers(0, 7), by_uuid=st.booleans())
    @recorded
    def usage_history(self, pick: int, by_uuid: bool) -> None:
        """LstmeetingusageHistory names a meeting of the machine (deleted ones too): there exactly when ended."""
        model = list(self.model.values())[pick % len(self.model)]
        where = {"meetingUUID": model.uuid} if by_uuid else {"meetingKey": model.key}
        got = self.xml("history", "LstmeetingusageHistory", where)
        if not model.ended(self.advanced):
            assert got.exception_id == "000015", f"{model.key} has not ended, yet the history has it: {got.describe()}"
            return
        got.expect_success()
        assert got.texts("history:meetingUsageHistory/history:meetingKey") == [model.key]
        assert got.texts("history:meetingUsageHistory/history:meetingUUID") == [model.uuid]
        assert got.text("history:matchingRecords/serv:total") == "1"

    @rule(size=st.integers(1, 4))
    @recorded
    def access_anywhere_history(self, size: int) -> None:
        """LstAccessAnywhereHistory: matchingRecords first, then the entries it counts (001, 40.1.0)."""
        control = {"listControl": {"serv:startFrom": 1, "serv:maximumNum": size}}
        got = self.xml("history", "LstAccessAnywhereHistory", control)
        if got.exception_id == "000015" and not self.site.is_emulator:
            return  # a real site's host may never have used Access Anywhere
        got.expect_success()
        children = list(got.body) if got.body is not None else []
        assert children and children[0].tag.endswith("}matchingRecords"), (
            f"LstAccessAnywhereHistory starts with history:matchingRecords: {got.describe()}"
        )
        entries = got.xpath("history:accessAnyWhereInfo")
        assert 0 < len(entries) <= size
        assert got.text("history:matchingRecords/serv:returned") == str(len(entries))

    def clean_up(self) -> None:
        for model in self.model.values():
            if not model.deleted:
                self.xml("meeting", "DelMeeting", {"meetingKey": model.key})


def test_session_info_follows_each_callers_view_of_a_living_meeting(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(SessionInfoMachine)
