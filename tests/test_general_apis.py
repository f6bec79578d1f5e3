"""The emulator's LstTimeZone and GetAPIVersion, the site setting ``api_version`` (environment file and
control API), and recording accesses (the control API and the history service's reports), in-process."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from tests.test_emulator_control import Emulator, host_of
from webex_harness.emulator.history_store import RecordingAccessLog
from webex_harness.environment.errors import EnvironmentFileError
from webex_harness.environment.loader import load_environment
from webex_harness.webex.envelope import Security
from webex_harness.webex.settings import LATEST_API_VERSION, SiteSettings, api_version_problem

ENV = """\
target: emulator
site_name: harness
credentials:
  webExID: host
  password: pw
settings:
  api_version: {value}
"""


@pytest.fixture
def emu() -> Emulator:
    return Emulator()


def _site(emu: Emulator, **settings: Any) -> dict[str, Any]:
    return dict(emu.control("POST", "sites", {"settings": settings} if settings else {}))


# ---------------------------------------------------------------- the setting


def test_the_default_release_is_the_latest_one_001_describes() -> None:
    assert SiteSettings().api_version == LATEST_API_VERSION == "40.12.0"
    assert api_version_problem("40.1.0") is None and api_version_problem("40.12.3") is None


@pytest.mark.parametrize("bad", ["41.1.0", "40.13.0", "40.0.1", "40.4", "v40.4.0", ""])
def test_an_unknown_release_is_refused(bad: str) -> None:
    assert api_version_problem(bad)


def test_an_environment_file_declares_the_release(tmp_path: Path) -> None:
    path = tmp_path / "env.yaml"
    path.write_text(textwrap.dedent(ENV.format(value='"40.4.0"')), encoding="utf-8")
    assert load_environment(path, {}).settings.api_version == "40.4.0"


def test_an_environment_file_with_an_unknown_release_is_one_line_naming_the_key(tmp_path: Path) -> None:
    path = tmp_path / "env.yaml"
    path.write_text(textwrap.dedent(ENV.format(value='"39.7.0"')), encoding="utf-8")
    with pytest.raises(EnvironmentFileError) as info:
        load_environment(path, {})
    message = str(info.value)
    assert "\n" not in message and "settings.api_version" in message and "'39.7.0'" in message


def test_the_control_api_sets_the_release_and_refuses_an_unknown_one(emu: Emulator) -> None:
    site = _site(emu, api_version="40.6.0")
    got = emu.xml("ep", "GetAPIVersion", {}, Security(site["name"]))
    assert got.ok and got.text("ep:apiVer") == "40.6.0" and got.text("ep:release") == "WBS40.6"
    assert emu.control("POST", f"sites/{site['name']}/settings", {"api_version": "40.9.1"})["api_version"] == "40.9.1"
    assert emu.xml("ep", "GetAPIVersion", {}, Security(site["name"])).text("ep:apiVer") == "40.9.1"
    error = emu.control("POST", f"sites/{site['name']}/settings", {"api_version": "40.99.0"}, status=400)
    assert "api_version" in str(error)
    emu.control("POST", "sites", {"settings": {"api_version": 40}}, status=400)


def test_the_api_version_fault_answers_the_latest_release(emu: Emulator) -> None:
    site = _site(emu, api_version="40.4.0")
    emu.control("POST", f"sites/{site['name']}/faults", {"enable": ["api-version"]})
    assert emu.xml("ep", "GetAPIVersion", {}, Security(site["name"])).text("ep:apiVer") == LATEST_API_VERSION


# ---------------------------------------------------------------- LstTimeZone


def test_lst_time_zone_answers_the_sample_request(emu: Emulator) -> None:
    site = _site(emu)
    body = {"timeZoneID": 4, "date": "01/26/2015 21:00:00"}
    got = emu.xml("site", "LstTimeZone", body, host_of(site))
    assert got.ok and got.body is not None
    assert got.body.get("{http://www.w3.org/2001/XMLSchema-instance}type") == "ns1:lstTimeZoneResponse"
    assert got.texts("ns1:timeZone/ns1:gmtOffset") == ["-480"]
    assert got.text("ns1:timeZone/ns1:shortName") == "PST"
    assert got.text("ns1:timeZone/ns1:daylightLabel") == "PDT"
    summer = emu.xml("site", "LstTimeZone", {"timeZoneID": 4, "date": "07/04/2015 12:00:00"}, Security(site["name"]))
    assert summer.text("ns1:timeZone/ns1:gmtOffset") == "-420" and summer.text("ns1:timeZone/ns1:shortName") == "PDT"


def test_lst_time_zone_refuses_an_unknown_zone_and_a_bad_date(emu: Emulator) -> None:
    site = _site(emu)
    assert not emu.xml("site", "LstTimeZone", {"timeZoneID": 62}, host_of(site)).ok
    assert not emu.xml("site", "LstTimeZone", {"date": "tomorrow"}, host_of(site)).ok


def test_the_time_zone_fault_reports_standard_time_in_summer(emu: Emulator) -> None:
    site = _site(emu)
    emu.control("POST", f"sites/{site['name']}/faults", {"enable": ["time-zone-offsets"]})
    got = emu.xml("site", "LstTimeZone", {"timeZoneID": 4, "date": "07/04/2015 12:00:00"}, host_of(site))
    assert got.text("ns1:timeZone/ns1:gmtOffset") == "-480"


# ---------------------------------------------------------------- recording accesses


def test_the_access_log_is_bounded_and_numbers_each_access() -> None:
    from datetime import datetime

    log = RecordingAccessLog(limit=2)
    made = [log.add("1", "A", "a@example.com", datetime(2026, 1, 1, h), "view") for h in range(3)]
    assert [a.view_id for a in made] == [1, 2, 3]
    assert [a.view_id for a in log] == [2, 3] and len(log) == 2
    with pytest.raises(ValueError, match="action"):
        log.add("1", "A", "a@example.com", datetime(2026, 1, 1), "print")


def _recording(emu: Emulator, site: dict[str, Any]) -> str:
    listed = emu.xml("ep", "LstRecording", {"listControl": {"serv:startFrom": 1}}, host_of(site))
    return listed.texts("ep:recording/ep:recordingID")[0]


def test_seeded_recordings_were_viewed_twice_and_downloaded_once(emu: Emulator) -> None:
    site = _site(emu)
    got = emu.xml("history", "LstrecordaccessHistory", {}, host_of(site))
    assert got.ok
    assert got.texts("history:recordAccessHistory/history:viewed") == ["2", "2"]
    assert got.texts("history:recordAccessHistory/history:downloaded") == ["1", "1"]
    assert got.texts("history:recordAccessHistory/history:registered") == ["1", "1"]
    assert got.text("history:matchingRecords/serv:total") == "2"


def test_the_control_api_records_an_access_and_refuses_a_bad_one(emu: Emulator) -> None:
    site = _site(emu)
    rid = _recording(emu, site)
    path = f"sites/{site['name']}/recordings/{rid}/access"
    made = emu.control("POST", path, {"name": "Vi Ewer", "email": "Vi.Ewer@Example.com", "action": "download"})
    assert made["action"] == "download" and made["recording_id"] == rid
    detail = emu.xml("history", "LstrecordaccessDetailHistory", {"recordID": rid}, host_of(site))
    assert "vi.ewer@example.com" in detail.texts("history:recordDetail/history:participantEmail")
    emu.control("POST", path, {"name": "Vi", "email": "v@example.com", "action": "print"}, status=400)
    emu.control("POST", path, {"name": "", "email": "v@example.com"}, status=400)
    emu.control("POST", f"sites/{site['name']}/recordings/1/access", {"name": "V", "email": "v@e.com"}, status=404)


def test_another_hosts_recording_detail_is_refused_and_an_administrator_may_read_it(emu: Emulator) -> None:
    site = _site(emu)
    rid = _recording(emu, site)
    refused = emu.xml("history", "LstrecordaccessDetailHistory", {"recordID": rid}, host_of(site, "invitee"))
    assert refused.exception_id == "000001"
    assert emu.xml("history", "LstrecordaccessDetailHistory", {"recordID": rid}, host_of(site, "admin")).ok
    other = emu.xml("history", "LstrecordaccessHistory", {}, host_of(site, "invitee"))
    assert rid not in other.texts("history:recordAccessHistory/history:recordID")
