"""The ``rest`` load scenario (load/rest_tasks.py) through :func:`load.runner.run_load`.

locust (and gevent's monkey patching) never enters this process. The REST token reaches the
locust process in its environment, never on its command line (``ps`` would show it).
"""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import httpx

from tests.load_conditions import UPPER_BOUND, seen
from webex_harness.emulator.server import RunningEmulator
from webex_harness.environment.loader import load_environment
from webex_harness.environment.model import DEFAULT_ENVIRONMENT, Environment
from webex_harness.load.command import build_command
from webex_harness.load.runner import resolve_rest_url, run_load

#: locust.log's clean-up warnings (load.process_state.leftover_warning; importing it would bring locust in)
LEFT_NAMED = r"(?:budget spent|stop timeout|refused every delete): (\d+) REST meetings"
REST_OPERATIONS = {"POST /v1/meetings", "GET /v1/meetings/{id}", "PATCH /v1/meetings/{id}", "GET /v1/meetings"}


def test_rest_scenario_runs_named_by_operation_without_failures(emulator: RunningEmulator, tmp_path: Path) -> None:
    environment: Environment = load_environment(DEFAULT_ENVIRONMENT, {}).with_urls(emulator.xml_url, emulator.rest_url)

    result = run_load(
        environment,
        tmp_path / "run",
        users=2,
        spawn_rate=2,
        run_time=UPPER_BOUND,
        scenario="rest",
        stop_when=seen(*REST_OPERATIONS),
    )

    assert result.exit_code == 0, result.log_path.read_text()
    rows = {api["name"]: api for api in result.data["apis"]}
    assert set(rows) >= REST_OPERATIONS
    assert all(not name.startswith("/v1/meetings/") for name in rows), "named by operation, never by URL"
    assert result.data["failures"] == [], result.data["failures"]
    assert result.data["mix"] == {"rest": 1}
    # The token reached locust (no 401 above) through its environment, not its command line.
    command = build_command(
        Path("load/locustfile.py"), tmp_path, users=1, spawn_rate=1, run_seconds=1, base_url=emulator.base_url
    )
    assert environment.credentials.rest_token == "emulator-token"
    assert "emulator-token" not in " ".join(command)


def test_rest_url_is_the_emulators_on_loopback_or_the_files_own() -> None:
    environment = load_environment(DEFAULT_ENVIRONMENT, {})
    assert resolve_rest_url(environment, "http://127.0.0.1:8080") == "http://127.0.0.1:8080/v1"


def test_a_refused_delete_leaves_no_meeting_behind_unnamed(emulator: RunningEmulator, tmp_path: Path) -> None:
    """A user forgets a meeting only once its DELETE succeeded. Once the user holds several meetings,
    the site's REST rate limit is set to one request a minute and that one is used up, so the run
    stops with every delete refused (429): each meeting left on the site must be named in locust.log."""
    name = f"tight-{uuid.uuid4().hex[:8]}"
    control = f"{emulator.base_url}/_emulator/sites/{name}"
    site = httpx.post(
        f"{emulator.base_url}/_emulator/sites",
        json={"name": name, "settings": {"rest_rate_limit_per_minute": 0}},
        timeout=30,
    ).json()
    host = next(user for user in site["users"] if user["webExID"] == "host")
    env = tmp_path / "tight.yaml"
    env.write_text(
        f"target: emulator\nxml_url: auto\nrest_url: auto\nsite_name: {name}\n"
        f"credentials: {{webExID: host, password: {host['password']}, rest_token: {site['rest_token']}}}\n",
        encoding="utf-8",
    )
    environment = load_environment(env, {}).with_urls(emulator.xml_url, emulator.rest_url)

    def refuse_everything_once_it_holds_meetings(_: Path) -> bool:
        # 8 live meetings: far more than the few deletes that can slip in before the window is full
        if len(httpx.get(f"{control}/state", timeout=30).json()["rest_meetings"]) < 8:
            return False
        httpx.post(f"{control}/settings", json={"rest_rate_limit_per_minute": 1}, timeout=30).raise_for_status()
        auth = {"Authorization": f"Bearer {site['rest_token']}"}
        httpx.get(emulator.rest_url + "/meetings", headers=auth, timeout=30)  # the one request of the minute
        return True

    result = run_load(
        environment,
        tmp_path / "run",
        users=1,
        spawn_rate=1,
        run_time=UPPER_BOUND,
        scenario="rest",
        stop_when=refuse_everything_once_it_holds_meetings,
    )

    left_on_site = len(httpx.get(f"{control}/state", timeout=30).json()["rest_meetings"])
    log = result.log_path.read_text(encoding="utf-8")
    named = sum(int(count) for count in re.findall(LEFT_NAMED, log))
    assert left_on_site > 0, "every delete was refused, so meetings stay"
    assert left_on_site == named, f"{left_on_site} meetings left on the site, {named} named in locust.log:\n{log}"
