"""The release data (webex/releases.yaml, webex.releases), what a site of one release has
(generators.api_releases), the emulator playing a release (emulator.release_play), the skips of the
contracts (plugin.site_release) and ``webex-harness diff-versions``."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.test_emulator_control import MEETING, Emulator, host_of
from webex_harness.environment.loader import load_environment
from webex_harness.generators.api_releases import (
    changes_between,
    missing_response_elements,
    response_elements_at,
    skip_reason,
)
from webex_harness.generators.catalogue import all_apis, api
from webex_harness.plugin.site_release import DECLARED, SiteRelease, known_release, read_records, write_record
from webex_harness.runs.cli import main
from webex_harness.webex import releases as releases_module
from webex_harness.webex.behaviours import ids
from webex_harness.webex.releases import (
    FIRST,
    Change,
    Release,
    ReleaseError,
    Since,
    behaviour_change,
    known_releases,
    load,
    parse,
    release_problem,
)
from webex_harness.webex.settings import LATEST_API_VERSION

R = Release.parse


# ---------------------------------------------------------------- releases


def test_releases_compare_by_their_numbers_not_their_text() -> None:
    assert R("40.4.0") < R("40.10.0") < R("40.12.0")
    assert str(R(" 40.6.1 ")) == "40.6.1"
    with pytest.raises(ReleaseError):
        R("40.4")


def test_a_change_of_two_release_lines_reaches_each_line_from_its_own_release() -> None:
    since = Since.parse("40.4.8, 40.2.9")
    assert [str(r) for r in since.releases] == ["40.4.8", "40.2.9"]
    assert since.reached_by(R("40.2.9")) and since.reached_by(R("40.4.8")) and since.reached_by(R("40.6.0"))
    assert not since.reached_by(R("40.2.8")) and not since.reached_by(R("40.4.0"))


def test_the_known_releases_are_the_sections_of_the_notes_oldest_first() -> None:
    names = [str(r) for r in known_releases()]
    assert names[0] == str(FIRST) == "40.1.0" and names[-1] == LATEST_API_VERSION
    assert {"40.1.2", "40.2.9", "40.4.9", "40.6.1", "40.7.0", "40.11.0"} <= set(names)
    assert release_problem("40.5.0") is not None and release_problem("40.4.9") is None


def test_what_the_notes_do_not_name_is_there_since_the_first_release() -> None:
    assert behaviour_change("envelope-shape").introduced.releases == (FIRST,)
    assert behaviour_change("locked-lobby").why_missing(R("40.8.0")) == "came with 40.9.0"
    removed = Change("x", Since.parse("40.1.0"), Since.parse("40.8.0"), "")
    assert removed.available_in(R("40.7.0")) and removed.why_missing(R("40.9.0")) == "removed in 40.8.0"


def test_an_entry_naming_a_release_the_file_does_not_list_is_refused() -> None:
    with pytest.raises(ReleaseError, match=re.escape("40.5.0")):
        parse({"releases": ["40.1.0"], "behaviours": {"x": {"introduced": "40.5.0"}}})
    with pytest.raises(ReleaseError, match="unknown key"):
        parse({"releases": ["40.1.0"], "behaviours": {"x": {"introduced": "40.1.0", "since": "1"}}})


# ---------------------------------------------------------------- the data against the catalogue


def test_every_entry_names_an_api_element_or_behaviour_the_catalogue_knows() -> None:
    data = load()
    names = {a.name for a in all_apis()}
    unknown = [n for n in [*data.apis, *data.elements] if n not in names]
    assert not unknown, f"releases.yaml names APIs the catalogue lacks: {unknown}"
    for name, sides in data.elements.items():
        spec = api(name)
        bad_request = [p for p in sides.get("request", {}) if not spec.has_element(p)]
        bad_response = [p for p in sides.get("response", {}) if p not in spec.response_elements]
        assert not bad_request, f"{name}: request elements the catalogue lacks: {bad_request}"
        assert not bad_response, f"{name}: response elements the catalogue lacks: {bad_response}"
    unknown_ids = sorted(set(data.behaviours) - set(ids()))
    assert not unknown_ids, f"releases.yaml names behaviours behaviours.yaml lacks: {unknown_ids}"


def test_the_uuid_releases_are_the_catalogue_s() -> None:
    catalogue = {a.name: a.uuid_release for a in all_apis() if a.uuid_release}
    data = {name: str(change.introduced) for name, change in load().uuid.items()}
    assert data == catalogue


def test_every_behaviour_the_notes_date_carries_a_release_of_its_sections() -> None:
    """A behaviour documented in sections of 001 ("XML API 40.8.0 Updates") has an entry, no earlier
    than its first section (later where the promise takes elements of later releases)."""
    from webex_harness.webex.behaviours import behaviours

    section = re.compile(r"XML API ([0-9., ]+) Updates")
    for b in behaviours():
        named: set[Release] = set()
        for ref in b.documented_in:
            match = section.fullmatch(ref.section or "")
            if ref.document.key == "api-40-updates" and match:
                named.update(Since.parse(match.group(1)).releases)
        if not named or named == {FIRST}:
            continue
        assert b.id in load().behaviours, f"{b.id} is documented in {sorted(map(str, named))} but not dated"
        assert behaviour_change(b.id).introduced.oldest >= min(named), b.id  # complete no earlier than documented


# ---------------------------------------------------------------- what a site of one release has


def test_a_4040_site_answers_getmeeting_without_what_came_later() -> None:
    spec = api("GetMeeting")
    missing = missing_response_elements(spec, R("40.4.0"))
    assert missing["meet:metaData/meet:isPrivateMeeting"] == "came with 40.12.0"
    assert missing["meet:meetingUUID"] == "came with 40.6.0"  # the API's meetingUUID support
    assert missing["meet:accessControl/meet:audioPassword"] == "came with 40.4.8, 40.2.9"
    kept = response_elements_at(spec, R("40.4.0"))
    assert "meet:metaData/meet:confName" in kept and "meet:metaData/meet:isPrivateMeeting" not in kept
    assert not any(p.startswith("meet:registrationForm/") for p in kept)
    assert response_elements_at(spec, R(LATEST_API_VERSION)) == spec.response_elements


def test_the_skip_reason_names_the_release_and_what_came_with_it() -> None:
    site = R("40.4.0")
    assert skip_reason(site, ["meeting-uuid-equivalence"], "GetMeeting") == (
        "site plays 40.4.0; meetingUUID support for GetMeeting came with 40.6.0"
    )
    assert "came with 40.9.0" in str(skip_reason(site, ["locked-lobby"], None))
    assert skip_reason(site, ["envelope-shape", "response-element-order"], "GetMeeting") is None
    assert skip_reason(R("40.10.0"), ["meeting-uuid-equivalence"], "CreateEvent") is None
    assert "40.10.0" in str(skip_reason(R("40.9.0"), ["meeting-uuid-equivalence"], "CreateEvent"))


def test_the_changes_between_two_releases_are_exactly_the_data_s() -> None:
    old, new = R("40.4.0"), R("40.12.0")
    expected = {
        (kind, subject)
        for kind, subject, c in load().all_changes()
        if c.introduced.reached_by(new) and not c.introduced.reached_by(old)
    }
    got = changes_between(old, new)
    assert {
        (c.kind, c.subject)
        for c in got
        if c.kind != "response" or c.note != "answered with the API's meetingUUID support"
    } == expected
    assert all(c.action == "added" for c in got)
    assert [R(c.release) for c in got] == sorted(R(c.release) for c in got)
    back = changes_between(new, old)
    assert len(back) == len(got) and all(c.action == "removed" for c in back)
    assert changes_between(new, new) == []


# ---------------------------------------------------------------- the emulator plays a release


@pytest.fixture
def emu() -> Emulator:
    return Emulator()


def _site(emu: Emulator, version: str) -> dict[str, Any]:
    return dict(emu.control("POST", "sites", {"settings": {"api_version": version}}))


def test_a_4040_emulator_leaves_out_what_came_later_and_refuses_meeting_uuid(emu: Emulator) -> None:
    old, new = _site(emu, "40.4.0"), _site(emu, LATEST_API_VERSION)
    for site, latest in ((old, False), (new, True)):
        host = host_of(site)
        key = emu.xml("meeting", "CreateMeeting", MEETING, host).expect_success().text("meet:meetingkey")
        got = emu.xml("meeting", "GetMeeting", {"meetingKey": key}, host).expect_success()
        for path in (
            "meet:metaData/meet:isPrivateMeeting",
            "meet:meetingUUID",
            "meet:accessControl/meet:audioPassword",
        ):
            assert got.has(path) is latest, path
        assert got.has("meet:metaData/meet:confName")
        by_uuid = emu.xml("meeting", "GetMeeting", {"meetingUUID": "0" * 32}, host)
        if latest:
            assert by_uuid.exception_id != "999999"
        else:
            assert by_uuid.exception_id == "999999" and "meetingUUID" in str(by_uuid.describe())


def test_a_repeated_element_is_left_out_of_every_item(emu: Emulator) -> None:
    site = _site(emu, "40.11.0")
    host = host_of(site)
    emu.xml("meeting", "CreateMeeting", MEETING, host).expect_success()
    listed = emu.xml("ep", "LstsummarySession", {}, host).expect_success()
    assert listed.texts("ep:session/ep:confName") and not listed.has("ep:session/ep:isPrivateMeeting")
    assert listed.has("ep:session/ep:meetingUUID") or listed.has("ep:session/ep:MeetingUUID")


def test_an_api_that_came_later_is_unsupported(emu: Emulator, monkeypatch: pytest.MonkeyPatch) -> None:
    later = Change("LstTimeZone", Since.parse("40.6.0"), None, "")
    monkeypatch.setattr(
        releases_module,
        "api_change",
        lambda name: later if name == "LstTimeZone" else Change(name, Since((FIRST,)), None, ""),
    )
    site = _site(emu, "40.4.0")
    got = emu.xml("site", "LstTimeZone", {"timeZoneID": 4}, host_of(site))
    assert got.exception_id == "999998" and "LstTimeZone" in got.describe()
    assert emu.xml("site", "LstTimeZone", {"timeZoneID": 4}, host_of(_site(emu, "40.6.0"))).ok


# ---------------------------------------------------------------- the site's release in a run

ENV = """\
target: {target}
site_name: acme
xml_url: {url}
rest_url: {rest}
credentials:
  webExID: host
  password: ${{PW}}
{settings}
"""


def _env(tmp_path: Path, target: str, settings: str) -> Any:
    url = "auto" if target == "emulator" else "https://acme.webex.com/WBXService/XMLService"
    rest = "auto" if target == "emulator" else "https://webexapis.com/v1"
    path = tmp_path / "env.yaml"
    path.write_text(textwrap.dedent(ENV.format(target=target, url=url, rest=rest, settings=settings)), encoding="utf-8")
    return load_environment(path, {"PW": "secret"})


def test_the_release_is_declared_or_left_to_get_api_version(tmp_path: Path) -> None:
    declared = known_release(_env(tmp_path, "site", 'settings:\n  api_version: "40.4.0"'))
    assert declared == SiteRelease(R("40.4.0"), DECLARED)
    assert known_release(_env(tmp_path, "site", "")) is None  # read with GetAPIVersion
    assert known_release(_env(tmp_path, "emulator", "")) == SiteRelease(R(LATEST_API_VERSION), DECLARED)


def test_the_run_folder_keeps_the_release(tmp_path: Path) -> None:
    write_record(str(tmp_path), "gw0", SiteRelease(R("40.6.0"), DECLARED))
    assert read_records(tmp_path) == SiteRelease(R("40.6.0"), DECLARED)
    assert read_records(tmp_path / "none") is None


# ---------------------------------------------------------------- diff-versions


def test_diff_versions_lists_every_change_of_the_data_grouped_by_release(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff-versions", "40.4.0", "40.12.0"]) == 0
    text = capsys.readouterr().out
    for change in changes_between(R("40.4.0"), R("40.12.0")):
        assert change.subject in text
    headings = [line.rstrip(":") for line in text.splitlines() if line.startswith("40.")]
    assert headings == sorted(set(headings), key=R) and "40.6.0" in headings and "40.12.0" in headings
    assert "meetingUUID support: GetMeeting" in text and "behaviour: private-meeting" in text


def test_diff_versions_json_holds_the_same_changes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff-versions", "40.4.0", "40.12.0", "--json"]) == 0
    record = json.loads(capsys.readouterr().out)
    flat = [c for group in record["releases"] for c in group["changes"]]
    assert record["count"] == len(flat) == len(changes_between(R("40.4.0"), R("40.12.0")))
    assert all(c["release"] == group["release"] for group in record["releases"] for c in group["changes"])


@pytest.mark.parametrize("args", [["40.4", "40.12.0"], ["40.4.0", "41.0.0"], ["40.4.0", "latest"]])
def test_diff_versions_refuses_a_bad_release_in_one_line(args: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["diff-versions", *args]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "diff-versions" in err


# ---------------------------------------------------------------- the summary names the release


def test_the_summary_names_the_release_it_certified() -> None:
    from webex_harness.runs import report_facts

    summary: dict[str, Any] = {"release": {"release": "40.4.0", "how": "read with GetAPIVersion"}}
    assert report_facts.release_sentence(summary) == "certified against API 40.4.0 (read with GetAPIVersion)"
    assert report_facts.release_sentence({}) is None and report_facts.release_sentence({"release": None}) is None


_API_VERSION_ANSWER = """<?xml version="1.0" encoding="UTF-8"?>
<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service"
 xmlns:ep="http://www.webex.com/schemas/2002/06/service/ep"><serv:header><serv:response>
<serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response></serv:header>
<serv:body><serv:bodyContent xsi:type="ep:getAPIVersionResponse" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<ep:apiVersion>WebEx XML API V11.0.0</ep:apiVersion><ep:release>WBS40.6</ep:release><ep:apiVer>{ver}</ep:apiVer>
</serv:bodyContent></serv:body></serv:message>"""


def _site_answering(ver: str, seen: list[bytes]) -> Any:
    import httpx

    def answer(request: httpx.Request) -> httpx.Response:
        seen.append(request.content)
        return httpx.Response(200, text=_API_VERSION_ANSWER.format(ver=ver))

    return httpx.Client(transport=httpx.MockTransport(answer))


def test_an_undeclared_release_is_read_with_one_get_api_version_counted_in_the_budget() -> None:
    from webex_harness.client.xml_client import RequestBudget, XmlClient
    from webex_harness.plugin.site_release import READ, read_release
    from webex_harness.webex.envelope import Security

    seen: list[bytes] = []
    budget = RequestBudget(max_requests=5)
    client = XmlClient(
        "https://acme.webex.com/WBXService/XMLService",
        Security("acme", "host", "pw"),
        http=_site_answering("40.6.1", seen),
        budget=budget,
    )
    assert read_release(client) == SiteRelease(R("40.6.1"), READ)
    assert budget.used == 1 and len(seen) == 1 and b"GetAPIVersion" in seen[0]


def test_a_release_the_harness_does_not_know_is_one_clear_error() -> None:
    from webex_harness.client.xml_client import XmlClient
    from webex_harness.plugin.site_release import ReleaseReadError, read_release
    from webex_harness.webex.envelope import Security

    client = XmlClient(
        "https://acme.webex.com/WBXService/XMLService",
        Security("acme", "host", "pw"),
        http=_site_answering("39.7.0", []),
    )
    with pytest.raises(ReleaseReadError, match=re.escape("39.7.0")):
        read_release(client)


# ---------------------------------------------------------------- a whole contracts run on a 40.4.0 emulator


def test_a_contracts_run_on_an_emulator_playing_4040_skips_what_came_later_and_names_the_release(
    tmp_path: Path,
) -> None:
    import os
    import subprocess
    import sys

    env_file = tmp_path / "play404.yaml"
    shipped_env = Path(__file__).resolve().parent.parent / "environments" / "emulator.yaml"
    env_file.write_text(
        shipped_env.read_text(encoding="utf-8").replace('api_version: "40.12.0"', 'api_version: "40.4.0"'),
        encoding="utf-8",
    )
    assert 'api_version: "40.4.0"' in env_file.read_text(encoding="utf-8")
    out = tmp_path / "run"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_") and k != "WEBEX_HARNESS_EMULATOR_URL"}
    command = [sys.executable, "-m", "webex_harness.runs.cli", "contracts", "--env", str(env_file), "--workers", "1"]
    selection = ["--behaviour", "locked-lobby", "--behaviour", "time-zone-offsets", "--out", str(out)]
    done = subprocess.run(
        [*command, *selection],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        env=clean,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["release"] == {"release": "40.4.0", "how": "declared"}
    assert summary["tests"]["passed"] > 0 and summary["tests"]["failed"] == 0
    reasons = [g["reason"] for g in summary["skipped_because"]]
    assert reasons == ["site plays 40.4.0; Locked lobby options round-trip (locked-lobby) came with 40.9.0"]
    assert "certified against API 40.4.0 (declared)" in (out / "summary.md").read_text(encoding="utf-8")
    properties = (out / "allure-results" / "environment.properties").read_text(encoding="latin-1")
    assert "api.release=40.4.0 (declared)" in properties


def test_the_generic_valid_envelope_leaves_out_request_elements_of_later_releases() -> None:
    from webex_harness.generators import valid_envelope
    from webex_harness.generators.api_releases import without_later_request_elements

    create, old = api("CreateMeeting"), R("40.4.0")
    sent = valid_envelope("CreateMeeting", 1)
    kept = without_later_request_elements(create, sent, old)
    for later in (b"<registrationForm>", b"<autoLock>", b"<deviceCanStartMeeting>"):
        assert later in sent and later not in kept
    assert b"<confName>" in kept and b"java:com.webex.service.binding.meeting.CreateMeeting" in kept
    assert without_later_request_elements(create, sent, R(LATEST_API_VERSION)) is sent
    get = api("GetMeeting")
    head = sent.split(b"<bodyContent")[0]
    body = b'<bodyContent xsi:type="java:com.webex.service.binding.meeting.GetMeeting">'
    by_uuid = head + body + b"<meetingUUID>" + b"0" * 32 + b"</meetingUUID></bodyContent></body></serv:message>"
    assert b"meetingUUID" not in without_later_request_elements(get, by_uuid, old)
