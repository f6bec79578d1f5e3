"""The 403 rate-limit probe (``load/probe.py``): exact thresholds on the emulator, at most one
request past the limit per probe, seconds not hours (the site clock is moved), and the refusals
for a real site, which come before any connection."""

from __future__ import annotations

import dataclasses
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from webex_harness.client.site_safety import install_site_safety
from webex_harness.client.xml_client import ControlClient, XmlClient
from webex_harness.emulator.server import RunningEmulator, start_in_thread
from webex_harness.environment.loader import load_environment
from webex_harness.environment.model import DEFAULT_ENVIRONMENT, Environment
from webex_harness.load.probe import ProbeRefused, probe_cli, run_probe
from webex_harness.webex.envelope import Security


@pytest.fixture(scope="module")
def emulator() -> Iterator[RunningEmulator]:
    running = start_in_thread()
    try:
        yield running
    finally:
        running.stop()


def _emulator_env(emulator: RunningEmulator, limit: int) -> Environment:
    env = load_environment(DEFAULT_ENVIRONMENT)
    env = dataclasses.replace(env, settings=env.settings.updated({"usage_limit_per_hour": limit}))
    return env.with_urls(emulator.xml_url, emulator.rest_url)


@pytest.mark.parametrize("limit", [1, 7, 37, 100])
def test_probe_reports_the_threshold_exactly(emulator: RunningEmulator, tmp_path: Path, limit: int) -> None:
    result = run_probe(_emulator_env(emulator, limit), tmp_path, emulator_base_url=emulator.base_url)

    data = json.loads((tmp_path / "probe.json").read_text())
    assert data["threshold"] == limit == result.threshold, data
    assert result.ok and data["stopped"] is None
    assert data["block_verified"] and data["covers_user_card"] and data["other_apis_work"]
    # the block lifted within the test's life: the site clock was moved two hours, nobody waited them
    assert data["lift_verified"] is True, "the site clock was moved two hours and the block lifted"
    assert {
        "threshold",
        "requests_sent",
        "probes",
        "block_verified",
        "covers_user_card",
        "other_apis_work",
        "lift_verified",
        "elapsed_s",
    } <= data.keys()
    users = [p["user"] for p in data["probes"]]
    assert len(set(users)) == len(users), "a fresh user per probe"
    for probe in data["probes"]:
        past = max(0, probe["sent"] - limit)  # requests beyond the limit-th no-data failure
        assert past <= 1, f"probe {probe} sent {past} requests past the limit {limit}"
        assert probe["blocked"] == (probe["forbidden_at"] is not None)
        if probe["blocked"]:
            assert probe["forbidden_at"] == limit + 1
    assert data["requests_sent"] == sum(p["sent"] for p in data["probes"]) + limit + 4


def test_probe_respects_the_request_budget(emulator: RunningEmulator, tmp_path: Path) -> None:
    env = _emulator_env(emulator, 100)
    env = dataclasses.replace(env, budget=dataclasses.replace(env.budget, max_requests=60))
    result = run_probe(env, tmp_path, emulator_base_url=emulator.base_url)
    assert result.threshold is None and not result.ok
    assert result.stopped and "budget" in result.stopped
    assert result.requests_sent <= 60


def test_probe_cli_on_the_emulator_writes_probe_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    env_file = tmp_path / "emulator.yaml"
    text = DEFAULT_ENVIRONMENT.read_text().replace("usage_limit_per_hour: 100", "usage_limit_per_hour: 3")
    env_file.write_text(text)
    code = probe_cli(str(env_file), reports=tmp_path / "reports")
    out = capsys.readouterr().out
    assert code == 0, out
    written = list((tmp_path / "reports").glob("*/probe.json"))
    assert len(written) == 1
    assert json.loads(written[0].read_text())["threshold"] == 3
    assert "threshold 3" in out


# ---------------------------------------------------------------- a real site


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _site_yaml(xml_url: str, *, lockout: bool, probe_user: bool, site_name: str = "acme") -> str:
    text = f"""target: site
xml_url: {xml_url}
rest_url: http://127.0.0.1:1/v1
site_name: {site_name}
credentials:
  webExID: host
  password: ${{WXH_TEST_PASSWORD:-x}}
allow:
  lockout: {"true" if lockout else "false"}
budget:
  max_requests: 50
"""
    if probe_user:
        text += "probe_user:\n  webExID: probe\n  password: ${WXH_TEST_PROBE_PASSWORD:-Probe4321xyz}\n"
    return text


@pytest.fixture
def no_connection(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail the test on any HTTP request or TCP connection."""

    def refuse(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the probe connected before refusing")

    monkeypatch.setattr(httpx.Client, "send", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)


@pytest.mark.parametrize(
    ("lockout", "probe_user", "names"),
    [
        (False, True, "allow.lockout"),
        (False, False, "allow.lockout"),
        (True, False, "users.probe"),
    ],
)
def test_probe_refuses_a_site_before_any_connection(
    tmp_path: Path,
    no_connection: None,
    capsys: pytest.CaptureFixture[str],
    lockout: bool,
    probe_user: bool,
    names: str,
) -> None:
    env_file = tmp_path / "site.yaml"
    env_file.write_text(
        _site_yaml(f"http://127.0.0.1:{_closed_port()}/WBXService/XMLService", lockout=lockout, probe_user=probe_user)
    )
    env = load_environment(env_file)
    with pytest.raises(ProbeRefused) as refused:
        run_probe(env, tmp_path / "out", emulator_base_url=None)
    message = str(refused.value)
    assert names in message and str(env_file) in message and "\n" not in message
    assert not (tmp_path / "out").exists()

    reports = tmp_path / "reports"
    assert probe_cli(str(env_file), reports=reports) == 2
    err = capsys.readouterr().err
    assert names in err and str(env_file) in err
    assert not reports.exists()


def test_probe_confirms_once_on_a_site(emulator: RunningEmulator, tmp_path: Path) -> None:
    """A "real site" (an emulator site behind a target: site file): one run to the first 403."""
    with httpx.Client(timeout=15.0) as http:
        info = ControlClient(emulator.base_url, http).create_site(
            settings={"usage_limit_per_hour": 7},
            users=[{"webExID": "host", "password": "Host4321xyz"}, {"webExID": "probe", "password": "Probe4321xyz"}],
        )
    env_file = tmp_path / "site.yaml"
    env_file.write_text(_site_yaml(emulator.xml_url, lockout=True, probe_user=True, site_name=info["name"]))
    result = run_probe(load_environment(env_file), tmp_path, emulator_base_url=None)
    data = json.loads((tmp_path / "probe.json").read_text())
    assert data["mode"] == "confirm" and data["threshold"] == 7
    assert len(data["probes"]) == 1 and data["probes"][0]["sent"] == 8, "one run, stopped at the first 403"
    assert data["covers_user_card"] and data["other_apis_work"] and data["block_verified"]
    assert data["lift_verified"] is None, "a real site's clock cannot be moved"
    assert result.ok
    assert "Probe4321xyz" not in (tmp_path / "probe.json").read_text()


def _probe_site_and_user(emulator: RunningEmulator, tmp_path: Path, limit: int) -> Environment:
    with httpx.Client(timeout=15.0) as http:
        info = ControlClient(emulator.base_url, http).create_site(
            settings={"usage_limit_per_hour": limit},
            users=[{"webExID": "host", "password": "Host4321xyz"}, {"webExID": "probe", "password": "Probe4321xyz"}],
        )
    env_file = tmp_path / "site.yaml"
    env_file.write_text(_site_yaml(emulator.xml_url, lockout=True, probe_user=True, site_name=info["name"]))
    return load_environment(env_file)


def test_a_site_probe_counts_the_failures_earlier_runs_spent_in_the_hour(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    """Three "no data found" failures of the probe user an earlier run of the workspace made (and recorded)
    count towards the site's limit of 7: the probe meets the 403 after four more, and says 7, not 4."""
    env = _probe_site_and_user(emulator, tmp_path, 7)
    assert env.users.probe is not None
    with httpx.Client(timeout=15.0) as http:
        install_site_safety(http, env, reports_root=tmp_path)  # the workspace's state folder: tmp_path/.safety
        earlier = XmlClient(env.xml_url, Security(env.site_name, "probe", env.users.probe.password), http=http)
        for n in range(3):
            assert earlier.call("ep", "GetSessionInfo", {"sessionKey": str(900000 + n)}).exception_id == "000015"
    result = run_probe(env, tmp_path / "run", emulator_base_url=None)
    data = json.loads((tmp_path / "run" / "probe.json").read_text())
    assert (data["threshold"], data["prior_failures"], data["probes"][0]["failures"]) == (7, 3, 4)
    assert result.summary().startswith("probe (confirm, site site7-")
    assert result.ok
    assert "threshold 7 (declared 100; 3 of them spent in the last hour by earlier runs" in result.summary()


def test_a_site_probe_of_a_user_still_blocked_sends_nothing_and_says_until_when(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    env = _probe_site_and_user(emulator, tmp_path, 3)
    assert run_probe(env, tmp_path / "first", emulator_base_url=None).ok
    second = run_probe(env, tmp_path / "second", emulator_base_url=None)
    assert second.requests_sent == 0 and not second.ok
    assert second.stopped is not None and "probe is blocked by the site's usage limit" in second.stopped
    assert "wait until " in second.stopped
