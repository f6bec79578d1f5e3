"""Event Center programs and recorded events (reference pages lstsummaryprogram, lstrecordedevent).

Programs and recorded events are made on a site's Event Center pages, not through the XML API, so the
tests only read: on a real site what it has (skipping when it has none), on the emulator the programs
the test gives its site through the control API.
"""

from __future__ import annotations

import pytest

from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import XmlResponse

_PROGRAMS = [
    {"programName": "Wxh Alpha programme", "hostWebExID": "host", "expectedEnrollment": 40, "budget": "100"},
    {"programName": "Wxh Beta programme", "hostWebExID": "admin", "status": "UNLISTED"},
]
_FIELDS = [
    "programID",
    "programName",
    "hostWebExID",
    "expectedEnrollment",
    "budget",
    "status",
    "programURL",
    "afterEnrollmentURL",
]


def _programs(got: XmlResponse) -> list[str]:
    if got.exception_id == "000015":
        pytest.skip("the site has no Event Center programs")
    return got.expect_success().texts("event:program/event:programID")


@pytest.mark.behaviour("program-summary")
def test_program_summary_answers_the_program_named_and_nothing_else(site: SiteHandle) -> None:
    xml = site.client("host")
    ids = _programs(xml.call("event", "LstsummaryProgram", {}))
    got = xml.call("event", "LstsummaryProgram", {"programID": ids[-1]}).expect_success()
    assert got.texts("event:program/event:programID") == [ids[-1]], got.describe()
    assert got.text("event:matchingRecords/serv:total") == "1"
    body = got.body
    assert body is not None
    assert [c.tag.split("}")[1] for c in body[1]] == _FIELDS


@pytest.mark.behaviour("program-summary")
def test_program_summary_for_an_unknown_program_is_000015(site: SiteHandle) -> None:
    xml = site.client("host")
    ids = _programs(xml.call("event", "LstsummaryProgram", {}))
    unknown = max(int(i) for i in ids) + 1
    got = xml.call("event", "LstsummaryProgram", {"programID": unknown})
    assert got.result == "FAILURE" and got.exception_id == "000015", got.describe()


@pytest.mark.behaviour("program-summary")
def test_program_summary_lists_what_the_site_has(site: SiteHandle) -> None:
    if not site.is_emulator:
        pytest.skip("a real site's programs are made on its Event Center pages")
    made = site.control.set_programs(site.name, _PROGRAMS)["programs"]
    got = site.client("host").call("event", "LstsummaryProgram", {"order": {"orderBy": "PROGRAMNAME"}})
    got.expect_success()
    assert got.texts("event:program/event:programName") == ["Wxh Alpha programme", "Wxh Beta programme"]
    assert got.texts("event:program/event:hostWebExID") == ["host", "admin"]
    assert got.texts("event:program/event:status") == ["PUBLIC", "UNLISTED"]
    assert got.texts("event:program/event:programID") == [str(p["programID"]) for p in made]


@pytest.mark.behaviour("recorded-events")
def test_recorded_events_are_narrowed_by_program_and_host(site: SiteHandle) -> None:
    if not site.is_emulator:
        pytest.skip("a real site's recorded events cannot be told apart by program in the answer")
    made = site.control.set_programs(site.name, _PROGRAMS)["programs"]
    xml = site.client("host")
    every = xml.call("event", "LstrecordedEvent", {}).expect_success()
    assert every.texts("event:event/event:webExID") == ["admin", "host"]
    alpha = xml.call("event", "LstrecordedEvent", {"programID": made[0]["programID"]}).expect_success()
    names = alpha.texts("event:event/event:recordedEvent/event:eventName")
    assert names == ["Wxh Alpha programme: opening session"], alpha.describe()
    by_admin = xml.call("event", "LstrecordedEvent", {"hostWebExID": "admin"}).expect_success()
    assert by_admin.texts("event:event/event:recordedEvent/event:hostWebExID") == ["admin"]


@pytest.mark.behaviour("recorded-events")
def test_recorded_events_have_the_documented_elements(site: SiteHandle) -> None:
    got = site.client("host").call("event", "LstrecordedEvent", {})
    if got.exception_id == "000015":
        pytest.skip("the site has no recorded events")
    body = got.expect_success().body
    assert body is not None and body[0].tag.endswith("}matchingRecords")
    for event in body[1:]:
        assert event[0].tag.endswith("}webExID")
        for recorded in event[1:]:
            assert recorded.tag.endswith("}recordedEvent")
            assert [c.tag.split("}")[1] for c in recorded][:3] == ["eventName", "eventType", "recordingStartTime"]
