"""A state machine over XML meetings: create, rename, read back, delete."""

from __future__ import annotations

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, invariant, rule

from webex_harness.contracts.stateful.machine import ContractMachine, Ref, recorded
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.xml_meetings import meeting_body


class MeetingMachine(ContractMachine):
    meetings = Bundle("meetings")

    def __init__(self, site) -> None:  # type: ignore[no-untyped-def]
        super().__init__(site)
        self.names: dict[str, str] = {}

    @rule(target=meetings, n=st.integers(0, 99))
    @recorded
    def create(self, n: int) -> Ref:
        name = own_name(f"stateful {n}")
        answer = self.xml("meeting", "CreateMeeting", meeting_body(name)).expect_success()
        key = answer.text("meet:meetingkey") or ""
        ref = self.new_ref("meeting", key)
        self.names[ref.label] = name
        return ref

    @rule(meeting=meetings, n=st.integers(0, 99))
    @recorded
    def rename(self, meeting: Ref, n: int) -> None:
        if meeting.label not in self.names:
            return
        name = own_name(f"renamed {n}")
        self.xml("meeting", "SetMeeting", {"meetingkey": meeting.key, "metaData": {"confName": name}}).expect_success()
        self.names[meeting.label] = name

    @rule(meeting=consumes(meetings))
    @recorded
    def delete(self, meeting: Ref) -> None:
        if self.names.pop(meeting.label, None) is not None:
            self.xml("meeting", "DelMeeting", {"meetingKey": meeting.key}).expect_success()

    @invariant()
    def names_read_back(self) -> None:
        for label, name in self.names.items():
            got = self.xml("meeting", "GetMeeting", {"meetingKey": self.refs[label].key})
            assert got.text("meet:metaData/meet:confName") == name, f"{label}: {got.describe()}"

    def clean_up(self) -> None:
        for label in list(self.names):
            self.xml("meeting", "DelMeeting", {"meetingKey": self.refs[label].key})


def test_meetings_read_back_what_the_last_set_wrote(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(MeetingMachine)
