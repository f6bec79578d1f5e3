"""The ``rest`` load scenario (load/rest_tasks.py) through :func:`load.runner.run_load`.

locust (and gevent's monkey patching) never enters this process. The REST token reaches the
locust process in its environment, never on its command line (``ps`` would show it).
"""

from __future__ import annotations

from pathlib import Path

from tests.load_conditions import UPPER_BOUND, seen
from webex_harness.emulator.server import RunningEmulator
from webex_harness.environment.loader import load_environment
from webex_harness.environment.model import DEFAULT_ENVIRONMENT, Environment
from webex_harness.load.command import build_command
from webex_harness.load.runner import resolve_rest_url, run_load

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
