"""The load scenarios, mix, calls weights and shapes (issue 6), against an emulator subprocess.

locust never enters this process: runs go through :func:`load.runner.run_load` (a subprocess);
the envelope and configuration modules (:mod:`load.calls`, :mod:`load.envelopes`,
:mod:`load.config`, :mod:`load.shapes`) are locust-free and tested directly. Each real run is
module-scoped and shared by several assertions, to keep the suite fast.
"""

from __future__ import annotations

import csv
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.load_conditions import UPPER_BOUND, seen
from webex_harness.client.xml_client import XmlClient
from webex_harness.emulator.server import RunningEmulator, running
from webex_harness.environment.errors import EnvironmentFileError
from webex_harness.environment.load_section import parse_load_section
from webex_harness.environment.loader import load_environment
from webex_harness.environment.model import (
    DEFAULT_CALLS,
    DEFAULT_ENVIRONMENT,
    DEFAULT_MIX,
    MIX_SCENARIOS,
    SCENARIO_NAMES,
    Environment,
)
from webex_harness.load.calls import UNSUPPORTED, call_plan, response_key, supported_calls
from webex_harness.load.config import load_settings
from webex_harness.load.envelopes import DASHBOARD_APIS, build_envelopes
from webex_harness.load.runner import LoadError, LoadResult, run_load
from webex_harness.load.shapes import users_at
from webex_harness.webex.envelope import Security

SCENARIO_APIS: dict[str, set[str]] = {
    "calls": set(DEFAULT_CALLS),
    "lifecycle": {"CreateMeeting", "CreateMeetingAttendee", "GetSessionInfo", "SetMeeting", "DelMeeting"},
    "dashboard": set(DASHBOARD_APIS),
    "registration": {"CreateMeetingAttendee", "CreateMeetingAttendee (missing required field)"},
    "rest": {"POST /v1/meetings", "GET /v1/meetings/{id}", "PATCH /v1/meetings/{id}", "GET /v1/meetings"},
}
#: a budget the shaped runs (20–25 s, however fast the machine) cannot spend: the shape, not the budget, ends them
ROOMY_BUDGET = "budget: {max_requests: 200000}\n"
#: what a dashboard-only run may send besides its reads (setup and clean-up)
DASHBOARD_EXTRAS = {"CreateMeeting (setup)", "RegisterMeetingAttendee (setup)", "DelMeeting (clean-up)"}


def site_objects(emulator: RunningEmulator) -> set[str]:
    """The default site's meetings, XML sessions and REST series, by kind and key (the control API)."""
    state = httpx.get(f"{emulator.base_url}/_emulator/sites/harness/state", timeout=30).raise_for_status().json()
    sessions = {f"session {s['key']} {s['name']}" for s in state["sessions"]}
    return sessions | {f"REST {m['id']} {m['title']}" for m in state["rest_meetings"]}


def env_file(directory: Path, load_section: str, name: str = "env.yaml") -> Path:
    """An emulator environment file (the default site's credentials) with ``load_section``."""
    path = directory / name
    path.write_text(
        "target: emulator\nxml_url: auto\nrest_url: auto\nsite_name: harness\n"
        "credentials: {webExID: host, password: emulator-pass, rest_token: emulator-token}\n"
        "settings: {rest_rate_limit_per_minute: 0}\n" + load_section,
        encoding="utf-8",
    )
    return path


def environment_for(path: Path, emulator: RunningEmulator) -> Environment:
    return load_environment(path, {}).with_urls(emulator.xml_url, emulator.rest_url)


def names(result: LoadResult) -> set[str]:
    return {api["name"] for api in result.data["apis"]}


def user_counts(result: LoadResult) -> list[tuple[int, int]]:
    """``(timestamp, users)`` per second from locust's stats history (Aggregated rows)."""
    with open(result.run_dir / "locust_stats_history.csv", newline="", encoding="utf-8") as f:
        return [
            (int(row["Timestamp"]), int(row["User Count"])) for row in csv.DictReader(f) if row["Name"] == "Aggregated"
        ]


def assert_no_failures(result: LoadResult) -> None:
    assert result.exit_code == 0, result.log_path.read_text()
    assert result.data["failures"] == [], result.data["failures"]
    assert all(api["failures"] == 0 for api in result.data["apis"]), result.data["apis"]


# --------------------------------------------------------------------------------------------
# Real runs. One test per run: under `pytest -n 2` a module-scoped run shared by several tests
# could run once per worker, so each run's assertions live together.


def test_every_scenario_runs_named_by_api_with_zero_unexpected_failures_and_cleans_up(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    mix = ", ".join(f"{name}: 1" for name in MIX_SCENARIOS)  # one user per scenario class
    environment = environment_for(env_file(tmp_path, f"load: {{mix: {{{mix}}}}}\n"), emulator)

    every_api = set().union(*SCENARIO_APIS.values())
    before = site_objects(emulator)
    result = run_load(
        environment,
        tmp_path / "run",
        users=len(MIX_SCENARIOS),
        spawn_rate=10,
        run_time=UPPER_BOUND,
        stop_when=seen(*every_api),
    )

    assert_no_failures(result)
    assert result.data["mix"] == dict.fromkeys(MIX_SCENARIOS, 1) and result.data["scenario"] == "mixed"
    for scenario, apis in SCENARIO_APIS.items():
        assert apis <= names(result), f"{scenario} sent none of {apis - names(result)}"
    assert not [n for n in names(result) if "/v1/meetings/" in n and "{id}" not in n], "never by URL"
    # The registration burst's expected FAILURE 040014 counts as a success.
    missing_field = result.api("CreateMeetingAttendee (missing required field)")
    assert missing_field is not None and missing_field["requests"] > 0 and missing_field["failures"] == 0
    # Everything the users created is deleted (by the lifecycle or when they stop): the site holds no
    # meeting, XML or REST, that it did not hold before the run. (The site's state is the truth; the
    # request counts of locust's final CSV are not — a clean-up answer may land after its last write.)
    requests = {api["name"]: api["requests"] for api in result.data["apis"]}
    assert requests["CreateMeeting"] + requests["CreateMeeting (setup)"] > 0 and requests["POST /v1/meetings"] > 0
    left = site_objects(emulator) - before
    assert not left, f"the load left {sorted(left)} on the site"


def test_mix_and_step_shape_from_the_environment_file_take_effect(emulator: RunningEmulator, tmp_path: Path) -> None:
    environment = environment_for(
        env_file(tmp_path, f"{ROOMY_BUDGET}load:\n  mix: {{dashboard: 1, calls: 0}}\n  shape: step\n"), emulator
    )

    # steps of 5 s: each seen by several of the shape's 1 s ticks and history rows, however busy the machine
    result = run_load(environment, tmp_path / "run", users=4, spawn_rate=10, run_time="20s")

    assert_no_failures(result)
    assert result.data["mix"] == {"dashboard": 1} and result.data["shape"] == "step"
    assert names(result) - DASHBOARD_EXTRAS == set(DASHBOARD_APIS), (
        "a dashboard-only mix sends no CreateMeetingAttendee, GetSessionInfo or REST call"
    )
    counts = user_counts(result)
    running_counts = [users for _, users in counts if users]
    assert max(running_counts) == 4
    assert len(set(running_counts)) >= 3, f"no steps: {counts}"
    ramp = running_counts[: len(running_counts) - running_counts[::-1].index(4)]  # not the users stopping at the end
    assert ramp == sorted(ramp), f"a step ramp never goes down: {counts}"
    assert "Shape test stopping" in result.log_path.read_text(), "the shape, not a kill, ended the run"
    active = [stamp for stamp, users in counts if users]
    assert active[-1] - active[0] < 2 * 20, f"ran far past run_time: {counts}"


def test_spike_shape_with_two_processes_jumps_and_returns_without_failures(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    environment = environment_for(env_file(tmp_path, ROOMY_BUDGET), emulator)

    # a 5 s spike between 10 s of baseline each side: several of the shape's 1 s ticks fall in each part
    result = run_load(
        environment,
        tmp_path / "run",
        users=10,
        spawn_rate=10,
        run_time="25s",
        scenario="calls",
        shape="spike",
        processes=2,
    )

    assert_no_failures(result)
    assert (result.data["processes"], result.data["shape"]) == (2, "spike")
    assert SCENARIO_APIS["calls"] <= names(result)
    log = result.log_path.read_text()
    updates = [int(n) for n in re.findall(r"Shape test updating to (\d+) users", log)]
    assert updates == [2, 10, 2], log[-2000:]
    assert "Shape test stopping" in log
    counts = [users for _, users in user_counts(result)]
    assert max(counts) > 2, f"the spike never showed in the stats history: {counts}"


# --------------------------------------------------------------------------------------------
# The calls scenario's catalogue: every supported API succeeds with its prerequisites


def test_every_supported_call_succeeds_against_the_emulator_with_the_setup_it_declares() -> None:
    security = Security("harness", "host", "emulator-pass")
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    envelopes = build_envelopes(security, now, "wxh-test-load", dict.fromkeys(supported_calls(), 1))
    with running() as emulator, httpx.Client(timeout=15.0) as http:
        client = XmlClient(emulator.xml_url, security, http=http)
        keys = {kind: response_key(client.send(raw, api="setup").raw) for kind, raw in envelopes.create_session.items()}
        assert all(keys.values()), keys
        assert client.send(envelopes.register_attendee.with_key(keys["meeting"]), api="setup").ok
        failures = []
        for api_name, templates in envelopes.calls.items():
            key = keys[call_plan(api_name).needs] if call_plan(api_name).needs else b""
            for template in templates:
                response = client.send(template.with_key(key or b""), api=api_name)
                if not response.ok:
                    failures.append(f"{api_name}: {response.describe()}")
    assert not failures, failures


def test_refused_calls_say_why_and_the_rest_of_the_catalogue_is_supported() -> None:
    assert "DelMeeting" in UNSUPPORTED and "DelMeeting" not in supported_calls()
    with pytest.raises(ValueError, match="DelMeeting deletes what it addresses"):
        call_plan("DelMeeting")
    with pytest.raises(KeyError):
        call_plan("GetNothing")
    assert call_plan("GetSessionInfo").needs == "meeting" and call_plan("GetEvent").needs == "event"
    assert call_plan("CreateMeeting").creates == "meeting" and call_plan("GetMe").needs is None


# --------------------------------------------------------------------------------------------
# load: section validation


def settings_error(tmp_path: Path, section: str) -> str:
    with pytest.raises(EnvironmentFileError) as caught:
        load_settings(load_environment(env_file(tmp_path, section), {}))
    message = str(caught.value)
    assert "\n" not in message and str(tmp_path / "env.yaml") in message
    return message


@pytest.mark.parametrize(
    ("section", "key", "problem"),
    [
        ("load: {mixx: {calls: 1}}", "load.mixx", "did you mean 'mix'"),
        ("load: {mix: {dashbord: 1}}", "load.mix.dashbord", "did you mean 'dashboard'"),
        ("load: {mix: {calls: -1}}", "load.mix.calls", "cannot be negative"),
        ("load: {mix: {calls: 0}}", "load.mix", "at least one must be more than 0"),
        ("load: {mix: {calls: fast}}", "load.mix.calls", "whole-number weight"),
        ("load: {calls: {GetSessionInfos: 1}}", "load.calls.GetSessionInfos", "did you mean 'GetSessionInfo'"),
        ("load: {calls: {DelUser: 1}}", "load.calls.DelUser", "deletes site users"),
        ("load: {shape: ramp}", "load.shape", "steady, step, spike"),
    ],
)
def test_bad_load_sections_are_one_line_errors_naming_file_and_key(
    tmp_path: Path, section: str, key: str, problem: str
) -> None:
    message = settings_error(tmp_path, section + "\n")
    assert f": {key}: " in message and problem in message, message


def test_missing_load_section_takes_the_defaults_and_foreign_keys_are_accepted(tmp_path: Path) -> None:
    assert parse_load_section(None).to_dict() == {"mix": DEFAULT_MIX, "calls": DEFAULT_CALLS, "shape": "steady"}
    section = "load:\n  thresholds: {failure_ratio: 0.01}\n  compare: {max_rps_drop: 0.1}\n  shape: spike\n"
    settings = load_settings(load_environment(env_file(tmp_path, section), {}))
    assert settings.shape == "spike" and settings.mix == DEFAULT_MIX
    assert settings.active_scenarios("rest") == {"rest": 1} and settings.active_scenarios("mixed") == DEFAULT_MIX
    assert set(SCENARIO_NAMES) == {"mixed", *MIX_SCENARIOS}


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"scenario": "soak"}, "unknown scenario 'soak'"),
        ({"shape": "ramp"}, "unknown load shape 'ramp'"),
        ({"processes": 0}, "processes must be"),
        ({"extra_args": ["--processes", "4"]}, "--processes"),
    ],
)
def test_bad_run_parameters_are_load_errors_before_anything_starts(
    tmp_path: Path, kwargs: dict[str, Any], match: str
) -> None:
    environment = load_environment(DEFAULT_ENVIRONMENT).with_urls(
        "http://127.0.0.1:9/WBXService/XMLService", "http://127.0.0.1:9/v1"
    )
    with pytest.raises(LoadError, match=re.escape(match)):
        run_load(environment, tmp_path, run_time="1s", **kwargs)
    assert not (tmp_path / "locust.log").exists()


def test_a_bad_load_section_is_a_load_error_naming_the_key(tmp_path: Path) -> None:
    with pytest.raises(EnvironmentFileError, match=r"env\.yaml: load\.shape: "):  # refused as the file is read
        load_environment(env_file(tmp_path, "load: {shape: ramp}\n"), {})
    # what only the load layer knows (the calls scenario's APIs) is refused before locust starts
    environment = load_environment(env_file(tmp_path, "load: {calls: {DelUser: 1}}\n"), {}).with_urls(
        "http://127.0.0.1:9/WBXService/XMLService", "http://127.0.0.1:9/v1"
    )
    with pytest.raises(LoadError, match=r"env\.yaml: load\.calls\.DelUser: "):
        run_load(environment, tmp_path / "run", run_time="1s")


# --------------------------------------------------------------------------------------------
# Shapes as arithmetic


def test_step_and_spike_user_counts_over_time_end_exactly_at_run_time() -> None:
    assert [users_at("step", t, 8, 8) for t in range(9)] == [2, 2, 4, 4, 6, 6, 8, 8, None]
    assert [users_at("spike", t / 2, 10, 10) for t in range(21)] == [2] * 8 + [10] * 4 + [2] * 8 + [None]
    assert users_at("spike", 0, 2, 10) == 1 and users_at("step", 9.999, 8, 10) == 8
