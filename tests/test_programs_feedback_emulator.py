"""The emulator's Event Center programs and recorded events (emulator/program_store.py,
emulator/services/programs.py) and support-session feedback (emulator/feedback_store.py,
emulator/services/feedback.py): seeding, the control API, ordering, bounds and refusals."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from tests.test_emulator_control import Emulator, host_of
from webex_harness.emulator.feedback_store import FeedbackLog
from webex_harness.emulator.program_store import DEFAULT_PROGRAMS, ProgramStore


@pytest.fixture
def emu() -> Emulator:
    return Emulator()


def _site(emu: Emulator) -> dict[str, Any]:
    return dict(emu.control("POST", "sites", {}))


def test_a_new_site_has_the_default_programs_each_with_a_recorded_event_a_week_before() -> None:
    store = ProgramStore(datetime(2026, 12, 3, 15, 0))
    assert [p.name for p in store.programs()] == [name for name, *_ in DEFAULT_PROGRAMS]
    assert [r.start for r in store.recorded] == [datetime(2026, 11, 26, 10, 0), datetime(2026, 11, 26, 11, 0)]
    assert [r.program_id for r in store.recorded] == [p.program_id for p in store.programs()]


def test_programs_are_ordered_by_name_or_id_and_paged(emu: Emulator) -> None:
    site = _site(emu)
    programs = [{"programName": n, "hostWebExID": "host"} for n in ("b", "C", "a")]
    emu.control("POST", f"sites/{site['name']}/programs", {"programs": programs})
    host = host_of(site)
    by_name = emu.xml("event", "LstsummaryProgram", {}, host).expect_success()
    assert by_name.texts("event:program/event:programName") == ["a", "b", "C"]
    by_id = {"order": {"orderBy": "PROGRAMID", "orderAD": "DESC"}, "listControl": {"startFrom": 2, "maximumNum": 1}}
    page = emu.xml("event", "LstsummaryProgram", by_id, host).expect_success()
    assert page.texts("event:program/event:programName") == ["C"]  # IDs in the order given: b, C, a
    assert page.text("event:matchingRecords/serv:total") == "3"


@pytest.mark.parametrize(
    ("programs", "says"),
    [
        ("x", "expected"),
        ([{"programName": "a"}], "hostWebExID"),
        ([{"programName": "a", "hostWebExID": "h", "status": "PRIVATE"}], "PUBLIC or UNLISTED"),
        ([{"programName": "a", "hostWebExID": "h", "expectedEnrollment": -1}], "count"),
    ],
)
def test_the_control_api_refuses_a_bad_program_list(emu: Emulator, programs: Any, says: str) -> None:
    site = _site(emu)
    assert says in str(emu.control("POST", f"sites/{site['name']}/programs", {"programs": programs}, status=400))
    assert len(emu.control("GET", f"sites/{site['name']}/state")["programs"]) == len(DEFAULT_PROGRAMS)


def test_recorded_events_outside_the_date_scope_are_not_listed(emu: Emulator) -> None:
    site = _site(emu)
    scope = {"dateScope": {"startDateStart": "01/01/2000 00:00:00", "startDateEnd": "01/02/2000 00:00:00"}}
    got = emu.xml("event", "LstrecordedEvent", scope, host_of(site))
    assert got.exception_id == "000015", got.describe()


def test_the_feedback_log_keeps_the_default_fields_in_order_and_is_bounded() -> None:
    log = FeedbackLog(limit=2)
    first = log.add("1", {"comment": "c", "setup": "s", "other": "x"})
    assert first.answers == (("setup", "s"), ("comment", "c"))
    log.add("1", {"setup": "again"})
    log.add("2", {"performance": "p"})
    assert [f.answers for f in log.of("1")] == [(("setup", "again"),)]
    assert log.conf_ids() == ["1", "2"]


def test_feedback_is_recorded_only_for_a_support_session_and_read_only_by_its_host(emu: Emulator) -> None:
    site = _site(emu)
    host = host_of(site)
    made = emu.xml("support", "CreateSupportSession", {}, host).expect_success()
    key = made.text("sc:sessionKey") or ""
    meeting = emu.xml("meeting", "CreateMeeting", {"metaData": {"confName": "m"}}, host).expect_success()
    meeting_key = meeting.text("meet:meetingkey") or ""
    emu.control("POST", f"sites/{site['name']}/sessions/{meeting_key}/feedback", {"setup": "x"}, status=404)
    emu.control("POST", f"sites/{site['name']}/sessions/{key}/feedback", {"mood": "x"}, status=400)
    recorded = emu.control("POST", f"sites/{site['name']}/sessions/{key}/feedback", {"setup": "Easy"})
    conf_id = recorded["confID"]
    assert (
        emu.xml("attendee", "GetFeedbackInfo", {"confID": conf_id}, host_of(site, "outsider")).exception_id == "000001"
    )
    admin = emu.xml("attendee", "GetFeedbackInfo", {"confID": conf_id}, host_of(site, "admin")).expect_success()
    assert admin.texts("att:session/att:attendee/att:feedbackFields/att:defaultFields/att:setup") == ["Easy"]
    emu.xml("ep", "DelSession", {"sessionKey": key}, host).expect_success()
    after = emu.xml("attendee", "GetFeedbackInfo", {"confID": conf_id}, host).expect_success()
    assert after.text("att:session/att:matchingRecords/serv:total") == "1", "an ended session keeps its feedback"
