"""The usage-limit guard (``client/usage_guard.py``): per (site, user) "no data found" failures of
GetSessionInfo / GetUserCard counted across processes and runs in the workspace state folder, the
margin below the declared limit, the exemptions, the one-line stop — and, against a stand-in site
with a small limit, repeated contract runs that stop with that line instead of meeting a 403."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from tests.standin import make_stand_in
from webex_harness.client.site_safety import install_site_safety, same_safety, site_safety_of
from webex_harness.client.usage_guard import (
    LOG_NAME,
    UsageGuard,
    UsageLimitSafety,
    exempt_users,
    failures_by_user,
    margin_of,
    stop_at,
)
from webex_harness.client.xml_client import BudgetExceeded, XmlClient
from webex_harness.emulator.server import RunningEmulator
from webex_harness.environment.loader import load_environment
from webex_harness.environment.model import DEFAULT_ENVIRONMENT, Account, Allow, Environment, Roles
from webex_harness.webex.envelope import Security
from webex_harness.workspace.state import STATE_DIR_VARIABLE, TimedLog, state_dir

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC).timestamp()


class Clock:
    """A Unix clock a test moves."""

    def __init__(self, now: float = T0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def _site_env(limit: int = 100, *, lockout: bool = False, probe: str | None = None) -> Environment:
    env = load_environment(DEFAULT_ENVIRONMENT)
    return dataclasses.replace(
        env,
        target="site",
        site_name="acme",
        settings=env.settings.updated({"usage_limit_per_hour": limit}),
        allow=Allow(lockout=lockout),
        users=Roles(probe=Account(probe, "probe-pass") if probe else None),
    )


# ---------------------------------------------------------------- margin and message


@pytest.mark.parametrize(
    ("limit", "margin", "stop"), [(100, 20, 80), (12, 10, 2), (1000, 200, 800), (10, 10, 0), (5, 10, 0), (51, 11, 40)]
)
def test_the_margin_is_ten_or_a_fifth_of_the_limit(limit: int, margin: int, stop: int) -> None:
    assert (margin_of(limit), stop_at(limit)) == (margin, stop)


def test_a_user_is_stopped_at_the_limit_minus_the_margin_with_one_line(tmp_path: Path) -> None:
    clock = Clock()
    guard = UsageGuard(tmp_path, 100, clock=clock)
    for minute in range(80):
        clock.now = T0 + minute * 30  # 80 failures over 40 minutes, the first at 10:00 UTC
        guard.check("acme", "qa-host")
        guard.record_failure("acme", "qa-host", "GetSessionInfo", "000015")
    clock.now = T0 + 45 * 60
    with pytest.raises(UsageLimitSafety):
        guard.check("ACME", "QA-Host")  # site and webExID in any case
    with pytest.raises(UsageLimitSafety) as stopped:
        guard.check("acme", "qa-host")
    # the first failure leaves the hour at 11:00: then 79 remain, below 80
    assert str(stopped.value) == (
        'usage-limit safety: qa-host had 80 "no data found" failures on acme in the last hour (declared limit '
        "100, margin 20); stopping before a 403 lock-out — wait until 11:00 UTC"
    )
    assert isinstance(stopped.value, BudgetExceeded)
    assert "\n" not in str(stopped.value)
    guard.check("acme", "qa-admin")  # another user of the site is not stopped
    guard.check("other-site", "qa-host")  # nor the same webExID on another site
    clock.now = T0 + 3600 + 1
    guard.check("acme", "qa-host")  # an hour after the first failure: 79 in the window


def test_the_wait_names_the_failure_whose_expiry_frees_a_call(tmp_path: Path) -> None:
    clock = Clock()
    guard = UsageGuard(tmp_path, 12, clock=clock)  # stops at 2
    for at in (0, 600, 1200):  # 10:00, 10:10, 10:20
        clock.now = T0 + at
        guard.record_failure("acme", "qa-host", "GetUserCard", "030001")
    clock.now = T0 + 1500
    with pytest.raises(UsageLimitSafety, match=r"had 3 .* \(declared limit 12, margin 10\).* wait until 11:10 UTC$"):
        guard.check("acme", "qa-host")


def test_a_limit_within_the_margin_sends_no_limited_call_at_all(tmp_path: Path) -> None:
    guard = UsageGuard(tmp_path, 8)
    with pytest.raises(UsageLimitSafety, match="declared limit 8 of acme leaves nothing above the margin 10"):
        guard.check("acme", "qa-host")


def test_a_block_the_site_reported_stops_the_user_for_two_hours(tmp_path: Path) -> None:
    clock = Clock()
    guard = UsageGuard(tmp_path, 100, clock=clock)
    guard.record_block("acme", "qa-host", "GetSessionInfo")
    clock.now = T0 + 7000
    with pytest.raises(UsageLimitSafety, match=r"acme answered 403 .* to qa-host at 10:00 UTC.* lifts about 12:00 UTC"):
        guard.check("acme", "qa-host")
    clock.now = T0 + 7201
    guard.check("acme", "qa-host")


# ---------------------------------------------------------------- the record


def test_failures_are_remembered_across_runs_and_pruned_after_the_hour(tmp_path: Path) -> None:
    clock = Clock()
    first_run = UsageGuard(tmp_path, 100, clock=clock)
    for _ in range(5):
        first_run.record_failure("acme", "qa-host", "GetSessionInfo", "000015")
    clock.now = T0 + 1800
    second_run = UsageGuard(tmp_path, 100, clock=clock)  # a new process, the same workspace
    assert second_run.count("acme", "qa-host") == 5
    second_run.record_failure("acme", "qa-host", "GetUserCard", "030001")
    clock.now = T0 + 3600 + 60
    assert second_run.count("acme", "qa-host") == 1
    clock.now = T0 + 1800 + 3600 + 60  # an hour after the last failure: the file is pruned on the next write
    second_run.record_failure("acme", "qa-admin", "GetSessionInfo", "060001")
    lines = (tmp_path / LOG_NAME).read_text().splitlines()
    assert [json.loads(line)["user"] for line in lines] == ["qa-admin"]


def test_the_record_holds_site_user_api_and_exception_but_no_password(tmp_path: Path) -> None:
    guard = UsageGuard(tmp_path, 100)
    http = guard.install(httpx.Client(transport=httpx.MockTransport(_no_data_answer)))
    client = XmlClient(
        "http://127.0.0.1:9/WBXService/XMLService", Security("acme", "qa-host", "pa55-word-xyz"), http=http
    )
    client.call("ep", "GetSessionInfo", {"sessionKey": "987654321"})
    entry = json.loads((tmp_path / LOG_NAME).read_text())
    assert {k: entry[k] for k in ("event", "site", "user", "api", "exceptionID")} == {
        "event": "no-data",
        "site": "acme",
        "user": "qa-host",
        "api": "GetSessionInfo",
        "exceptionID": "000015",
    }
    assert "pa55-word-xyz" not in (tmp_path / LOG_NAME).read_text()


_WRITER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from webex_harness.client.usage_guard import UsageGuard
    guard = UsageGuard(Path(sys.argv[1]), 100)
    for _ in range(int(sys.argv[2])):
        guard.record_failure("acme", sys.argv[3], "GetSessionInfo", "000015")
""")


def test_processes_writing_at_once_lose_no_failure(tmp_path: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", _WRITER, str(tmp_path), "40", user], cwd=ROOT)
        for user in ("qa-host", "qa-host", "qa-host", "qa-admin")
    ]
    assert [p.wait(timeout=60) for p in procs] == [0, 0, 0, 0]
    entries = TimedLog(tmp_path / LOG_NAME, keep=3600).entries()
    assert failures_by_user(entries) == {("acme", "qa-host"): 120, ("acme", "qa-admin"): 40}
    assert len((tmp_path / LOG_NAME).read_text().splitlines()) == 160


def test_the_state_folder_is_the_reports_root_unless_the_variable_says_otherwise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(STATE_DIR_VARIABLE)
    assert state_dir(tmp_path / "reports") == tmp_path / "reports" / ".safety"
    safety = install_site_safety(httpx.Client(), _site_env(), run_dir=tmp_path / "reports" / "20260301-100000-abcd")
    assert safety is not None and safety.folder == (tmp_path / "reports" / ".safety").resolve()
    monkeypatch.setenv(STATE_DIR_VARIABLE, str(tmp_path / "elsewhere"))
    assert state_dir(tmp_path / "reports") == tmp_path / "elsewhere"


# ---------------------------------------------------------------- exemptions and installation


def test_the_probe_account_is_exempt_only_when_lockout_is_allowed(tmp_path: Path) -> None:
    assert exempt_users(_site_env(probe="qa-probe")) == []
    assert exempt_users(_site_env(lockout=True, probe="qa-probe")) == ["qa-probe"]
    guard = UsageGuard(tmp_path, 12, frozenset(exempt_users(_site_env(lockout=True, probe="qa-probe"))))
    for _ in range(20):
        guard.record_failure("acme", "qa-probe", "GetSessionInfo", "000015")
        guard.record_failure("acme", "qa-host", "GetSessionInfo", "000015")
    guard.check("acme", "QA-PROBE")
    with pytest.raises(UsageLimitSafety):
        guard.check("acme", "qa-host")


def test_emulator_targets_get_no_guard_and_site_runs_share_theirs_with_the_clean_up() -> None:
    assert install_site_safety(httpx.Client(), load_environment(DEFAULT_ENVIRONMENT)) is None
    run_client = httpx.Client()
    safety = install_site_safety(run_client, _site_env(12))
    assert safety is not None and safety.guard.limit == 12
    cleanup_client = same_safety(run_client, httpx.Client())
    assert site_safety_of(cleanup_client) is safety
    assert same_safety(httpx.Client(), httpx.Client()).event_hooks == {"request": [], "response": []}


# ---------------------------------------------------------------- the hooks


def _no_data_answer(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, headers={"content-type": "text/xml"}, content=_FAILURE)


_FAILURE = b"""<?xml version="1.0" encoding="UTF-8"?>
<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service">
<serv:header><serv:response><serv:result>FAILURE</serv:result><serv:reason>Sorry, no record found</serv:reason>
<serv:gsbStatus>PRIMARY</serv:gsbStatus><serv:exceptionID>000015</serv:exceptionID></serv:response></serv:header>
<serv:body><serv:bodyContent/></serv:body></serv:message>"""


def test_the_hooks_count_answers_and_stop_the_request_before_it_leaves(tmp_path: Path) -> None:
    sent: list[bytes] = []

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request.content)
        return _no_data_answer(request)

    guard = UsageGuard(tmp_path, 12)
    http = guard.install(httpx.Client(transport=httpx.MockTransport(answer)))
    client = XmlClient("http://127.0.0.1:9/WBXService/XMLService", Security("acme", "qa-host", "pw"), http=http)
    for key in ("1", "2"):
        assert client.call("ep", "GetSessionInfo", {"sessionKey": key}).exception_id == "000015"
    with pytest.raises(UsageLimitSafety, match='qa-host had 2 "no data found" failures on acme'):
        client.call("user", "GetUserCard", {"webExId": "nobody"})
    assert len(sent) == 2
    client.call("meeting", "GetMeeting", {"meetingKey": "3"})  # other APIs are not limited
    anonymous = client.with_security(Security("acme"))
    anonymous.call("ep", "GetSessionInfo", {"sessionKey": "4"})  # anonymous callers have their own count
    assert len(sent) == 4
    assert failures_by_user(guard.log.entries()) == {("acme", "qa-host"): 2, ("acme", "(anonymous)"): 1}


def test_a_403_answer_is_remembered_as_a_block(tmp_path: Path) -> None:
    guard = UsageGuard(tmp_path, 100)
    forbidden = httpx.MockTransport(lambda request: httpx.Response(403, text="403 Forbidden"))
    http = guard.install(httpx.Client(transport=forbidden))
    client = XmlClient("http://127.0.0.1:9/WBXService/XMLService", Security("acme", "qa-host", "pw"), http=http)
    assert client.call("ep", "GetSessionInfo", {"sessionKey": "1"}).http_status == 403
    with pytest.raises(UsageLimitSafety, match="answered 403"):
        client.call("ep", "GetSessionInfo", {"sessionKey": "2"})


# ---------------------------------------------------------------- against a stand-in site


@pytest.fixture
def small_limit_site(emulator: RunningEmulator, tmp_path: Path) -> Iterator[tuple[Path, dict[str, str], str]]:
    stand_in = make_stand_in(
        emulator.base_url,
        tmp_path,
        roles=False,
        settings={"usage_limit_per_hour": 12, "rest_rate_limit_per_minute": 60},
    )
    yield stand_in.env_file, {**os.environ, **stand_in.variables}, stand_in.site


_NO_DATA_TESTS = textwrap.dedent('''
    """Tests that cause "no data found" failures of the limited APIs for the site's host."""
    import pytest

    @pytest.mark.parametrize("n", range(4))
    def test_unknown_session_info(xml, n):
        answer = xml.call("ep", "GetSessionInfo", {"sessionKey": f"98765432{n}"})
        assert answer.http_status == 200, answer.describe()
        assert answer.exception_id == "000015", answer.describe()

    def test_unknown_user_card(xml):
        answer = xml.call("user", "GetUserCard", {"webExId": "nobody-at-all"})
        assert answer.http_status == 200, answer.describe()
        assert answer.exception_id == "030001", answer.describe()
''')


def _contract_run(
    env_file: Path, variables: dict[str, str], run_dir: Path, *args: str, cwd: Path | None = None
) -> list[dict[str, str]]:
    """Run pytest with the harness plugin against the stand-in; the results of its tests."""
    plugin = ["-p", "webex_harness.plugin.pytest_plugin"]  # entry points are off (below)
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        "-p",
        "no:cacheprovider",
        *plugin,
        "-q",
        "--env",
        str(env_file),
        "--run-dir",
        str(run_dir),
        *args,
    ]
    # no third-party plugins (locust's alone costs seconds a start): the harness's is all a run needs
    quick = {**variables, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
    proc = subprocess.run(cmd, cwd=cwd or run_dir.parent, env=quick, capture_output=True, text=True, timeout=120)
    assert "HTTP 403" not in proc.stdout and "403 Forbidden" not in proc.stdout, proc.stdout[-3000:]
    results: list[dict[str, str]] = []
    for path in run_dir.glob("results-*.json"):
        results += json.loads(path.read_text())
    return [r for r in results if r["when"] == "call" or r["outcome"] != "passed"]


def test_repeated_runs_stop_with_the_line_and_never_meet_a_403(
    small_limit_site: tuple[Path, dict[str, str], str], tmp_path: Path
) -> None:
    env_file, variables, site = small_limit_site
    suite = tmp_path / "suite"
    suite.mkdir()
    (suite / "test_no_data.py").write_text(_NO_DATA_TESTS)
    outcomes = []
    for run in range(3):  # limit 12, margin 10: each run may cause at most 2 failures for qa-host
        results = _contract_run(env_file, variables, tmp_path / f"run-{run}", str(suite))
        outcomes.append(sorted(r["outcome"] for r in results))
        for r in results:
            assert r["outcome"] == "passed" or 'usage-limit safety: qa-host had 2 "no data found"' in r["reason"], r
            assert all(e["http_status"] != 403 for e in r.get("evidence", [])), r
    assert [o.count("passed") for o in outcomes] == [2, 0, 0]
    assert all(len(o) == 5 for o in outcomes)
    recorded = failures_by_user(TimedLog(Path(variables[STATE_DIR_VARIABLE]) / LOG_NAME, keep=3600).entries())
    assert recorded == {(site.lower(), "qa-host"): 2}
    # the site agrees: qa-host is not blocked (a direct call, past the guard)
    env = load_environment(env_file, variables)
    with httpx.Client(timeout=10.0) as http:
        answer = XmlClient(env.xml_url, env.security(), http=http).call(
            "ep", "GetSessionInfo", {"sessionKey": "912345678"}
        )
    assert answer.http_status == 200 and answer.exception_id == "000015", answer.describe()


def test_the_contract_tests_that_cause_no_data_failures_stop_before_the_limit(
    small_limit_site: tuple[Path, dict[str, str], str], tmp_path: Path
) -> None:
    """The contract tests that cause "no data found" failures for the host on a site today (see the
    module docstring of client/usage_guard.py), run after an earlier run left qa-host one failure
    below the stop: at most one more is sent, the rest stop with the line, none meets a 403."""
    env_file, variables, site = small_limit_site
    log = TimedLog(Path(variables[STATE_DIR_VARIABLE]) / LOG_NAME, keep=3600)
    log.append(
        {"event": "no-data", "site": site.lower(), "user": "qa-host", "api": "GetSessionInfo", "exceptionID": "000015"}
    )
    selection = (
        "GetSessionInfo-unknown-session-key or GetSessionInfo-missing-required-sessionKey or "
        "failure_envelope_has_reason or del_session_deletes_by_key_or_uuid"
    )
    files = [f"contracts/{name}.py" for name in ("test_catalogue", "test_general", "test_listing")]
    results = _contract_run(
        env_file, variables, tmp_path / "contracts", *files, "-k", selection, "--profile", "full", cwd=ROOT
    )
    stopped = [r for r in results if "usage-limit safety: qa-host had 2" in r["reason"]]
    assert len(results) >= 2 and len(stopped) >= 1, results
    for r in results:
        assert all(e["http_status"] != 403 for e in r.get("evidence", [])), r
    assert failures_by_user(log.entries())[(site.lower(), "qa-host")] == 2


# ---------------------------------------------------------------- clean-up verification


def test_no_clean_up_verification_uses_a_limited_api() -> None:
    from webex_harness.client.kinds import CREATES, kind

    verifications = {k.name: k.verify for k in [*CREATES.values(), kind("session"), kind("rest-meeting")]}
    assert all(v is None or v[1].lower() not in {"getsessioninfo", "getusercard"} for v in verifications.values()), (
        verifications
    )


def test_sessions_are_proved_gone_without_feeding_the_usage_limit(emulator: RunningEmulator, tmp_path: Path) -> None:
    """Teleconference and support sessions and sessions found by name: deleted and verified with
    GetTeleconferenceSession / LstsummarySession, and the guard counts no failure for the host."""
    from webex_harness.client.cleaner import Cleaner
    from webex_harness.client.journal import Ledger, Obj
    from webex_harness.client.ledger_hooks import LedgerHooks
    from webex_harness.client.xml_client import ControlClient

    with httpx.Client(timeout=10) as http:
        info = ControlClient(emulator.base_url, http).create_site()
    host = next(Security(info["name"], u["webExID"], u["password"]) for u in info["users"] if u["webExID"] == "host")
    ledger = Ledger("r")
    with LedgerHooks(ledger).install(httpx.Client(timeout=10)) as http:
        client = XmlClient(emulator.xml_url, host, http=http)
        client.call(
            "teleconference", "CreateTeleconferenceSession", {"metaData": {"confName": "wxh-r-tel"}}
        ).expect_success()
        client.call("support", "CreateSupportSession", {"metaData": {"confName": "wxh-r-sup"}}).expect_success()
        meeting = client.call("meeting", "CreateMeeting", {"metaData": {"confName": "wxh-r-by-name"}}).expect_success()
    state = ledger.state()
    outstanding = state.outstanding()
    found_by_name = Obj("session", info["name"], str(meeting.text("meet:meetingkey")), name="wxh-r-by-name")
    guard = UsageGuard(tmp_path, 100)
    with guard.install(httpx.Client(timeout=10)) as plain:
        cleaner = Cleaner(
            ledger,
            http=plain,
            xml_url=emulator.xml_url,
            rest_url=None,
            credentials=lambda site, owner: [host],
            token=lambda site: None,
        )
        result = cleaner.clean([o for o in outstanding if o.kind != "meeting"] + [found_by_name], state)
    assert sorted(x["how"] for x in result.removed) == [
        "DelSession; GetTeleconferenceSession → 060001",
        "DelSession; LstsummarySession → 000015",
        "DelSession; LstsummarySession → 000015",
    ], result.to_dict()
    assert guard.log.entries() == []
