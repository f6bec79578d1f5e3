"""The load path: ``load.runner.run_load`` drives ``load/locustfile.py`` in a locust subprocess.

locust (and gevent's monkey patching) never enters this process: nothing here imports
``load.locustfile``. Every run targets an emulator on 127.0.0.1 and, where it must show something, ends once it has
(``stop_when``, :mod:`tests.load_conditions`).
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from tests.load_conditions import UPPER_BOUND, seen
from webex_harness.client.xml_client import ControlClient
from webex_harness.emulator.server import RunningEmulator
from webex_harness.environment.loader import load_environment
from webex_harness.environment.model import DEFAULT_ENVIRONMENT, Environment
from webex_harness.load.command import build_command
from webex_harness.load.runner import LoadError, parse_run_time, run_load
from webex_harness.load.summary import summarise

#: what the calls scenario measures, and the set-up its users do first
CALLS_MEASURED = {"CreateMeeting", "GetSessionInfo", "GetUser", "GetMe", "LstsummaryMeeting", "GetSite"}
CALLS_SETUP = {"CreateMeeting (setup)", "RegisterMeetingAttendee (setup)"}


@pytest.fixture(scope="module")
def environment(emulator: RunningEmulator) -> Environment:
    return load_environment(DEFAULT_ENVIRONMENT).with_urls(emulator.xml_url, emulator.rest_url)


def _final_summary_count(log: str) -> int:
    """Requests in the ``Aggregated`` row of the summary locust prints at exit."""
    match = re.search(r"^\s+Aggregated\s+(\d+)\s", log, re.MULTILINE)
    assert match, f"no final summary in locust.log:\n{log}"
    return int(match.group(1))


# --------------------------------------------------------------------------------------------
# A real run against the emulator


def test_calls_run_reports_each_api_by_name_without_failures(
    environment: Environment, emulator: RunningEmulator, tmp_path: Path
) -> None:
    # every API and enough requests that the 3:1 weights below show whatever the machine's speed
    result = run_load(
        environment,
        tmp_path,
        users=2,
        spawn_rate=2,
        run_time=UPPER_BOUND,
        scenario="calls",
        base_url=emulator.base_url,
        stop_when=seen(*CALLS_MEASURED, *CALLS_SETUP, min_requests=200),
    )

    assert result.exit_code == 0, result.log_path.read_text()
    data = json.loads((tmp_path / "load.json").read_text())
    assert data == result.data
    assert {
        "users",
        "spawn_rate",
        "run_time",
        "apis",
        "total",
        "failures",
        "exit_code",
        "html",
        "scenario",
        "shape",
        "processes",
        "mix",
    } <= data.keys()
    assert (data["scenario"], data["shape"], data["processes"], data["mix"]) == ("calls", "steady", 1, {"calls": 1})
    names = {api["name"] for api in data["apis"]}
    assert names == CALLS_MEASURED | CALLS_SETUP | {"DelMeeting (clean-up)"}, "named by API, never by URL"
    by_name = {api["name"]: api for api in data["apis"]}
    assert by_name["DelMeeting (clean-up)"]["requests"] == (
        by_name["CreateMeeting"]["requests"] + by_name["CreateMeeting (setup)"]["requests"]
    ), "every meeting the load run created is deleted when its user stops"
    for api in data["apis"]:
        assert api["requests"] > 0, api
        assert api["failures"] == 0, (api, data["failures"])
        assert api["p50_ms"] is not None and api["p99_ms"] is not None
    assert data["failures"] == []
    assert data["total"]["rps"] > 0
    assert data["total"]["requests"] == sum(api["requests"] for api in data["apis"])
    # The default calls weights: GetSessionInfo 3 against CreateMeeting 1.
    assert by_name["GetSessionInfo"]["requests"] > by_name["CreateMeeting"]["requests"]
    assert (tmp_path / "locust.html").is_file() and (tmp_path / "locust_stats.csv").is_file()
    assert data["html"] == "locust.html"


def test_csv_summary_holds_the_final_counts_not_a_stale_snapshot(
    environment: Environment, emulator: RunningEmulator, tmp_path: Path
) -> None:
    result = run_load(
        environment, tmp_path, users=1, spawn_rate=1, run_time="2s", scenario="calls", base_url=emulator.base_url
    )

    assert result.total["requests"] == _final_summary_count(result.log_path.read_text())


def test_failure_envelopes_count_as_failures_with_exception_id_and_reason(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    password = "load-test-pass"
    with httpx.Client(timeout=15.0) as http:
        control = ControlClient(emulator.base_url, http)
        site = control.create_site(users=[{"webExID": "host", "password": password}])["name"]
        control.advance_clock(site, 60 * 24 * 3600)  # every generated start date (≤ 30 days) is now past
    env_file = tmp_path / "env.yaml"
    env_file.write_text(
        "target: emulator\n"
        f"site_name: {site}\n"
        f"credentials: {{webExID: host, password: {password}}}\n"
        "load: {mix: {calls: 1}, calls: {CreateMeeting: 1}}\n"
    )
    environment = load_environment(env_file).with_urls(emulator.xml_url, emulator.rest_url)

    result = run_load(
        environment, tmp_path / "run", users=1, spawn_rate=1, run_time=UPPER_BOUND, stop_when=seen("CreateMeeting")
    )

    create = result.api("CreateMeeting")
    assert create is not None and create["requests"] > 0
    assert create["failures"] == create["requests"]
    assert create["failure_ratio"] == 1.0
    assert result.api("GetSessionInfo") is None and result.api("DelMeeting (clean-up)") is None, (
        "nothing was created, so nothing is read or deleted"
    )
    [failure] = result.data["failures"]
    assert failure["name"] == "CreateMeeting"
    assert failure["error"].startswith("FAILURE 060016 "), failure
    assert failure["occurrences"] == create["failures"]
    assert result.exit_code == 0, "--exit-code-on-error 0: failures are reported, not an exit code"


# --------------------------------------------------------------------------------------------
# Refusals and errors


def test_missing_locustfile_is_a_load_error_naming_it(environment: Environment, tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "locustfile.py"
    with pytest.raises(LoadError, match=re.escape(str(missing))):
        run_load(environment, tmp_path, locustfile=missing, run_time="1s")


def test_locust_that_cannot_start_is_a_load_error_quoting_its_log(
    environment: Environment, emulator: RunningEmulator, tmp_path: Path
) -> None:
    broken = tmp_path / "broken_locustfile.py"
    broken.write_text("raise RuntimeError('scenario exploded at import')\n")
    with pytest.raises(LoadError, match="scenario exploded at import") as caught:
        run_load(environment, tmp_path / "run", locustfile=broken, run_time="1s", base_url=emulator.base_url)
    assert "\n" not in str(caught.value)


def test_locustfile_refuses_an_auto_url_without_the_xml_url_variable(tmp_path: Path) -> None:
    environment = load_environment(DEFAULT_ENVIRONMENT)  # xml_url: auto
    with pytest.raises(LoadError, match="xml_url 'auto'"):
        run_load(environment, tmp_path, run_time="1s")


@pytest.mark.parametrize("base_url", ["http://10.0.0.1:8080", "https://example.com", "ftp://127.0.0.1"])
def test_only_loopback_or_the_environments_own_origin_is_targeted(
    environment: Environment, tmp_path: Path, base_url: str
) -> None:
    with pytest.raises(LoadError, match=r"refusing to target|http\(s\) URL"):
        run_load(environment, tmp_path, run_time="1s", base_url=base_url)
    assert not (tmp_path / "locust.log").exists(), "nothing may be started"


def test_run_time_beyond_the_budget_is_refused(environment: Environment, tmp_path: Path) -> None:
    too_long = f"{int(environment.budget.max_seconds) + 1}s"
    with pytest.raises(LoadError, match=r"budget\.max_seconds"):
        run_load(environment, tmp_path, run_time=too_long)


def test_extra_args_cannot_redirect_the_target(environment: Environment, tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="--host"):
        run_load(environment, tmp_path, run_time="1s", extra_args=["--host=http://example.com"])


# --------------------------------------------------------------------------------------------
# Pure helpers


@pytest.mark.parametrize(
    ("text", "seconds"),
    [("20s", 20.0), ("1m", 60.0), ("90", 90.0), ("1h30m", 5400.0), ("2m5s", 125.0), (" 4s ", 4.0), (7, 7.0)],
)
def test_run_time_parses_locust_timespans_to_seconds(text: str | int, seconds: float) -> None:
    assert parse_run_time(text) == seconds


@pytest.mark.parametrize("text", ["", "0", "0s", "-5s", "ten", "5x", "1.5m", "s", "m5"])
def test_run_time_rejects_what_locust_would_not_run(text: str) -> None:
    with pytest.raises(ValueError, match="invalid run time"):
        parse_run_time(text)


def test_summary_reads_locust_csv_columns_and_na_percentiles(tmp_path: Path) -> None:
    header = (
        "Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,Min Response Time,"
        "Max Response Time,Average Content Size,Requests/s,Failures/s,50%,66%,75%,80%,90%,95%,98%,99%,99.9%,"
        "99.99%,100%"
    )
    stats = tmp_path / "locust_stats.csv"
    stats.write_text(
        header + "\n"
        "POST,GetSessionInfo,10,0,2,2.1,1,5,2600,5.0,0.0,2,2,3,3,4,5,5,5,5,5,5\n"
        "POST,CreateMeeting,4,1,3,3.0,2,9,1800,2.0,0.5,3,3,3,3,9,9,9,9,9,9,9\n"
        "POST,Idle,0,0,0,0,0,0,0,0.0,0.0,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A,N/A\n"
        ",Aggregated,14,1,2,2.4,1,9,2371,7.0,0.5,2,3,3,3,5,9,9,9,9,9,9\n"
    )
    failures = tmp_path / "locust_failures.csv"
    failures.write_text(
        "Method,Name,Error,Occurrences,First Seen,Last Seen\n"
        "POST,CreateMeeting,\"CatchResponseError('FAILURE 060016 Session start time, in the past')\",1,1,1\n"
        "POST,GetSessionInfo,\"ConnectionRefusedError(111, 'Connection refused')\",2,1,1\n"
    )

    summary = summarise(stats, failures)

    assert [api["name"] for api in summary["apis"]] == ["CreateMeeting", "GetSessionInfo", "Idle"]
    create = summary["apis"][0]
    assert create == {
        "name": "CreateMeeting",
        "requests": 4,
        "failures": 1,
        "failure_ratio": 0.25,
        "rps": 2.0,
        "p50_ms": 3.0,
        "p95_ms": 9.0,
        "p99_ms": 9.0,
    }
    assert summary["apis"][2]["p95_ms"] is None and summary["apis"][2]["failure_ratio"] == 0.0
    assert summary["total"]["name"] == "Aggregated" and summary["total"]["requests"] == 14
    assert summary["failures"] == [
        {"name": "CreateMeeting", "error": "FAILURE 060016 Session start time, in the past", "occurrences": 1},
        {"name": "GetSessionInfo", "error": "ConnectionRefusedError(111, 'Connection refused')", "occurrences": 2},
    ]


def test_a_multi_process_run_has_its_own_loopback_master_port(tmp_path: Path) -> None:
    """Two runs with --processes at once (parallel CI jobs or tests) must not both want locust's 5557."""

    def option(command: list[str], name: str) -> str:
        return command[command.index(name) + 1]

    chosen = build_command(
        Path("load/locustfile.py"),
        tmp_path,
        users=2,
        spawn_rate=2,
        run_seconds=5,
        base_url="http://127.0.0.1:1",
        processes=2,
        master_port=6001,
    )
    assert [
        option(chosen, n)
        for n in ("--processes", "--master-bind-host", "--master-bind-port", "--master-host", "--master-port")
    ] == ["2", "127.0.0.1", "6001", "127.0.0.1", "6001"]
    free = build_command(
        Path("load/locustfile.py"),
        tmp_path,
        users=2,
        spawn_rate=2,
        run_seconds=5,
        base_url="http://127.0.0.1:1",
        processes=2,
    )
    assert option(free, "--master-bind-port") == option(free, "--master-port") != "5557"
    single = build_command(
        Path("load/locustfile.py"), tmp_path, users=2, spawn_rate=2, run_seconds=5, base_url="http://127.0.0.1:1"
    )
    assert not [arg for arg in single if arg.startswith(("--processes", "--master"))]
