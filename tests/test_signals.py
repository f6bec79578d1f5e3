"""Nothing orphaned, nothing unfindable: SIGTERM or SIGKILL of ``run``, ``contracts`` and ``load`` (every
scenario) against a stand-in site leaves no process of the run, and ``webex-harness cleanup --run ID``
leaves the site as it was.

Each test starts the harness in a subprocess against a fresh stand-in site (reports in tmp_path),
waits — bounded polling, never a sleep standing in for a condition — until the run has created its
first object, signals it, waits for every process of the run to be gone (found by the run ID in
their environment, or by descending from the harness) and runs ``cleanup``.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.child_process import HARNESS_CLI as CLI
from tests.standin import StandIn, make_stand_in
from webex_harness.emulator.server import RunningEmulator
from webex_harness.webex.lifeline import RUN_ID_VAR, lifeline_environ
from webex_harness.workspace.run_folder import new_run_id

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="/proc and PR_SET_PDEATHSIG are Linux's")

ROOT = Path(__file__).resolve().parent.parent
#: bounds of the waits (generous: the machine may be busy; a wait ends as soon as its condition holds)
FIRST_OBJECT_SECONDS = 240.0
#: the answer time of the site a contract run is signalled on: the smoke profile's ~150 requests over two
#: workers then last ~30 s after the run's first object, which the test must notice and signal within —
#: 150 ms (~12 s) was once not enough on a runner starved by two CPU burners beside the suite
SLOW_SITE_MS = 400
EXIT_SECONDS = 240.0
GONE_SECONDS = 240.0


# ---------------------------------------------------------------- helpers


def wait_for(condition: Callable[[], Any], timeout: float, what: str, interval: float = 0.2) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g}s waiting for {what}")
        time.sleep(interval)


def rest_ids(stand_in: StandIn) -> set[str]:
    """Every REST meeting series of the site (the test's own wide listing, every page)."""
    now = datetime.now(UTC)
    params = {
        "from": (now - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "to": (now + timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "max": "100",
    }
    headers = {"Authorization": f"Bearer {stand_in.rest_token}"}
    found: set[str] = set()
    url: str | None = f"{stand_in.rest_url}/meetings"
    with httpx.Client(timeout=10.0) as http:
        for _ in range(100):
            if url is None:
                break
            response = http.get(url, headers=headers, params=params if "?" not in url else None)
            response.raise_for_status()
            found |= {str(item["id"]) for item in response.json()["items"]}
            url = response.links.get("next", {}).get("url")
    return found


def site_snapshot(stand_in: StandIn) -> dict[str, Any]:
    state = stand_in.state()
    return {
        "sessions": sorted(str(s["key"]) for s in state["sessions"]),
        "rest": sorted(rest_ids(stand_in)),
        "contacts": len(state.get("contacts", [])),
    }


def _proc_field(pid: int, name: str) -> bytes:
    try:
        return Path(f"/proc/{pid}/{name}").read_bytes()
    except OSError:
        return b""


def _alive(pid: int) -> bool:
    stat = _proc_field(pid, "stat")
    if not stat:
        return False
    return stat.rsplit(b")", 1)[-1].split()[0] != b"Z"  # a zombie has stopped: it only awaits its reaper


def _parent(pid: int) -> int:
    stat = _proc_field(pid, "stat")
    return int(stat.rsplit(b")", 1)[-1].split()[1]) if stat else 0


def descendants(root: int) -> set[int]:
    pids = [int(p) for p in os.listdir("/proc") if p.isdigit()]
    children: dict[int, list[int]] = {}
    for pid in pids:
        children.setdefault(_parent(pid), []).append(pid)
    out: set[int] = set()
    todo = [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in out:
                out.add(child)
                todo.append(child)
    return out


def processes_of_run(run_id: str, known: set[int]) -> list[str]:
    """Living processes whose environment or command line names the run, or that descend from the harness."""
    marker_env = f"{RUN_ID_VAR}={run_id}".encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        pid = int(entry)
        if not _alive(pid):
            continue
        environ, cmdline = _proc_field(pid, "environ"), _proc_field(pid, "cmdline")
        if pid in known or marker_env in environ.split(b"\0") or run_id.encode() in cmdline:
            command = cmdline.replace(b"\0", b" ")[:160].decode(errors="replace")
            found.append(f"{pid}: {command}")
    return found


def _as_a_foreground_command() -> None:
    """Ctrl-C reaches the harness as it does a command typed in a terminal. The suite itself may run
    as a background job (``make test &``, a CI step), whose children inherit an ignored SIGINT; a
    harness started like that rightly ignores Ctrl-C, which is not what the SIGINT test is about."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


class Harness:
    """``webex-harness <args>`` against a stand-in site, its output in a file."""

    def __init__(self, stand_in: StandIn, folder: Path, *args: str) -> None:
        self.stand_in = stand_in
        self.reports = folder / "reports"
        self.log = folder / "harness.log"
        self.env = {**os.environ, **stand_in.variables}
        with open(self.log, "wb") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-c", CLI, str(self.reports), *args, "--env", str(stand_in.env_file)],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                preexec_fn=_as_a_foreground_command,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def run_id(self) -> str:
        folders = wait_for(
            lambda: list(self.reports.glob("*-*-*")) if self.reports.exists() else [],
            FIRST_OBJECT_SECONDS,
            "the run folder",
        )
        return folders[0].name

    def cleanup(self, run_id: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-c",
                CLI,
                str(self.reports),
                "cleanup",
                "--run",
                run_id,
                "--reports",
                str(self.reports),
                "--env",
                str(self.stand_in.env_file),
            ],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
        )

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=30)


@pytest.fixture
def stand_in(emulator: RunningEmulator, tmp_path: Path) -> StandIn:
    return make_stand_in(emulator.base_url, tmp_path, roles=False)


@pytest.fixture
def harnesses() -> Iterator[list[Harness]]:
    started: list[Harness] = []
    yield started
    for harness in started:
        harness.stop()


def _ledger_says_created(run_dir: Path) -> bool:
    """Whether the run's ledger records a create: a test's meeting may live for milliseconds, too
    short for a snapshot of the site to catch it on a starved machine, but its record stays."""
    for path in run_dir.glob("ledger-*.jsonl"):
        with contextlib.suppress(OSError):
            if '"event": "created"' in path.read_text(errors="replace"):
                return True
    return False


def _created_something(stand_in: StandIn, before: dict[str, Any]) -> bool:
    now = site_snapshot(stand_in)
    return now["sessions"] != before["sessions"] or now["rest"] != before["rest"]


def kill_and_check(
    harness: Harness, sig: signal.Signals, before: dict[str, Any], *, whole_group: bool = False
) -> tuple[str, subprocess.CompletedProcess[str]]:
    """Signal the harness once the run has created something; nothing of the run may remain; then
    ``cleanup --run`` (the run ID and its output are returned)."""
    run_id = harness.run_id()
    wait_for(
        lambda: (
            _ledger_says_created(harness.reports / run_id)
            or _created_something(harness.stand_in, before)
            or harness.proc.poll() is not None
        ),
        FIRST_OBJECT_SECONDS,
        "the run's first object",
    )
    assert harness.proc.poll() is None, f"the harness ended before it was signalled:\n{harness.output()[-3000:]}"
    tree = descendants(harness.proc.pid)
    if whole_group:  # everything at once, as an OOM kill of the whole job would
        for pid in tree:
            os.kill(pid, signal.SIGKILL)
    harness.proc.send_signal(sig)
    try:
        harness.proc.wait(timeout=EXIT_SECONDS)
    except subprocess.TimeoutExpired:
        raise AssertionError(f"the harness did not end after {sig.name}:\n{harness.output()[-3000:]}") from None
    assert_no_process_of(run_id, tree)
    cleanup = harness.cleanup(run_id)
    return run_id, cleanup


def assert_no_process_of(run_id: str, tree: set[int]) -> None:
    deadline = time.monotonic() + GONE_SECONDS
    while (left := processes_of_run(run_id, tree)) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert left == [], f"processes of run {run_id} still running {GONE_SECONDS:g}s after the harness ended: {left}"


def assert_site_as_it_was(
    stand_in: StandIn, before: dict[str, Any], cleanup: subprocess.CompletedProcess[str], run_id: str = ""
) -> None:
    after = site_snapshot(stand_in)
    report = f"cleanup said:\n{cleanup.stdout}\n{cleanup.stderr}"
    assert cleanup.returncode == 0, report
    left_sessions = set(after["sessions"]) - set(before["sessions"])
    names = {str(s["name"]) for s in stand_in.state()["sessions"] if str(s["key"]) in left_sessions}
    if run_id and names and not any(n.startswith(f"wxh-{run_id}") for n in names):
        # a create in flight when the run was killed: only its name can find it, and the contract
        # tests' names do not carry <cleanup_prefix>-<run-id> yet
        pytest.xfail(f"left by a create in flight, named without the run's prefix: {sorted(names)}")
    assert after["sessions"] == before["sessions"], f"sessions left: {left_sessions}; {report}"
    assert after["rest"] == before["rest"], f"REST meetings left: {set(after['rest']) - set(before['rest'])}; {report}"
    if after["contacts"] > before["contacts"]:  # no API deletes a contact: cleanup must say they stay
        assert "contact" in cleanup.stdout, report


# ---------------------------------------------------------------- the tests


@pytest.mark.parametrize(
    ("command", "sig"),
    [
        ("run", signal.SIGTERM),
        ("run", signal.SIGKILL),
        ("contracts", signal.SIGTERM),
        ("contracts", signal.SIGKILL),
        ("contracts", signal.SIGINT),
    ],
    ids=["run-SIGTERM", "run-SIGKILL", "contracts-SIGTERM", "contracts-SIGKILL", "contracts-SIGINT"],
)
def test_a_stopped_or_killed_contract_run_leaves_no_process_and_cleanup_restores_the_site(
    emulator: RunningEmulator, tmp_path: Path, harnesses: list[Harness], command: str, sig: signal.Signals
) -> None:
    # every answer of this site takes SLOW_SITE_MS: the run's last request is seconds after its first
    # object, however little CPU the machine lends the test — so the signal lands while it runs
    slow = make_stand_in(
        emulator.base_url, tmp_path, roles=False, settings={"response_delay_ms": SLOW_SITE_MS}, name="slow"
    )
    before = site_snapshot(slow)
    extra = ["--run-time", "5s", "--users", "2"] if command == "run" else []
    harness = Harness(slow, tmp_path, command, "--workers", "2", *extra)
    harnesses.append(harness)
    run_id, cleanup = kill_and_check(harness, sig, before)
    if sig == signal.SIGTERM:
        assert harness.proc.returncode == 128 + signal.SIGTERM, harness.output()[-2000:]
        assert "stopped by SIGTERM" in harness.output()
    elif sig == signal.SIGINT:  # Ctrl-C sent to the harness alone (not its group): it forwards it
        assert harness.proc.returncode == 130, harness.output()[-2000:]
    assert_site_as_it_was(slow, before, cleanup, run_id)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGKILL], ids=["SIGTERM", "SIGKILL"])
@pytest.mark.parametrize("scenario", ["calls", "lifecycle", "dashboard", "registration", "rest", "mixed"])
def test_a_stopped_or_killed_load_run_leaves_no_process_and_cleanup_restores_the_site(
    stand_in: StandIn, tmp_path: Path, harnesses: list[Harness], scenario: str, sig: signal.Signals
) -> None:
    before = site_snapshot(stand_in)
    harness = Harness(
        stand_in,
        tmp_path,
        "load",
        "--scenario",
        scenario,
        "--run-time",
        "120s",
        "--users",
        "8" if scenario == "mixed" else "2",
    )
    harnesses.append(harness)
    run_id, cleanup = kill_and_check(harness, sig, before)
    if sig == signal.SIGTERM:  # stopped, not killed: the final clean-up and the report still follow
        assert harness.proc.returncode == 128 + signal.SIGTERM, harness.output()[-2000:]
        summary = (harness.reports / run_id / "summary.md").read_text()
        assert "stopped by SIGTERM during the load run" in summary
    assert_site_as_it_was(stand_in, before, cleanup)


def test_a_sighup_stops_a_distributed_load_run_and_its_workers(
    stand_in: StandIn, tmp_path: Path, harnesses: list[Harness]
) -> None:
    before = site_snapshot(stand_in)
    harness = Harness(
        stand_in, tmp_path, "load", "--scenario", "dashboard", "--processes", "2", "--run-time", "120s", "--users", "2"
    )
    harnesses.append(harness)
    _, cleanup = kill_and_check(harness, signal.SIGHUP, before)
    assert harness.proc.returncode == 128 + signal.SIGHUP, harness.output()[-2000:]
    assert_site_as_it_was(stand_in, before, cleanup)


@pytest.mark.parametrize("scenario", ["rest", "calls"])
def test_cleanup_finds_and_removes_what_a_load_killed_with_all_its_processes_left(
    stand_in: StandIn, tmp_path: Path, harnesses: list[Harness], scenario: str
) -> None:
    """An OOM kill of the whole job: nobody cleaned up, only the names tell what the run made."""
    before = site_snapshot(stand_in)
    harness = Harness(stand_in, tmp_path, "load", "--scenario", scenario, "--run-time", "120s", "--users", "3")
    harnesses.append(harness)
    run_id = harness.run_id()
    key = "rest" if scenario == "rest" else "sessions"
    wait_for(
        lambda: len(set(site_snapshot(stand_in)[key]) - set(before[key])) >= 5 or harness.proc.poll() is not None,
        FIRST_OBJECT_SECONDS,
        "five objects of the load run",
    )
    for pid in [harness.proc.pid, *descendants(harness.proc.pid)]:
        os.kill(pid, signal.SIGKILL)
    harness.proc.wait(timeout=EXIT_SECONDS)
    assert_no_process_of(run_id, set())
    left = set(site_snapshot(stand_in)[key]) - set(before[key])
    assert len(left) >= 5, "the kill left objects behind (the test needs some to find)"
    cleanup = harness.cleanup(run_id)
    removed = re.search(r"cleanup: removed (\d+)", cleanup.stdout)
    assert removed is not None and int(removed.group(1)) >= len(left), cleanup.stdout
    assert_site_as_it_was(stand_in, before, cleanup)


def test_processes_of_run_finds_a_process_by_its_run_id(tmp_path: Path) -> None:
    """The finder the tests above rely on sees a process that carries the run ID (and then its end)."""
    run_id = new_run_id()
    proc = subprocess.Popen(
        [sys.executable, "-c", "import time; time.sleep(60)"], env={**os.environ, RUN_ID_VAR: run_id}
    )
    try:
        wait_for(lambda: processes_of_run(run_id, set()), 120.0, "the sleeper")
    finally:
        proc.kill()
        proc.wait()
    assert processes_of_run(run_id, set()) == []


# ---------------------------------------------------------------- the lifeline itself

_PARENT = """import subprocess, sys, time
from webex_harness.webex.lifeline import child_preexec
import signal
child = subprocess.Popen([sys.executable, "-c", sys.argv[1]], stdout=subprocess.DEVNULL,
                         **({"preexec_fn": child_preexec(signal.SIGTERM)} if sys.argv[2] == "preexec" else {}))
print(child.pid, flush=True)
time.sleep(600)
"""
_SLEEPER = "import time; time.sleep(600)"
_STUBBORN = """import signal, time
from webex_harness.webex.lifeline import hold_lifeline
signal.signal(signal.SIGINT, signal.SIG_IGN)  # a child that will not stop when asked
assert hold_lifeline()
time.sleep(600)
"""


def _orphan(child_code: str, how: str, env: dict[str, str]) -> int:
    """Start parent → child, SIGKILL the parent; the child's pid."""
    parent = subprocess.Popen(
        [sys.executable, "-c", _PARENT, child_code, how], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True
    )
    try:
        assert parent.stdout is not None
        child = int(parent.stdout.readline())
        wait_for(lambda: _alive(child) and _parent(child) == parent.pid, 120.0, "the child")
    finally:
        parent.kill()
        parent.wait()
        if parent.stdout is not None:
            parent.stdout.close()
    return child


def test_a_child_started_by_the_harness_dies_with_it(tmp_path: Path) -> None:
    child = _orphan(_SLEEPER, "preexec", dict(os.environ))
    wait_for(lambda: not _alive(child), 120.0, "the orphan to get the kernel's SIGTERM")


def test_a_grandchild_that_ignores_the_signal_kills_itself_after_the_grace(tmp_path: Path) -> None:
    env = {**os.environ, **lifeline_environ(signal.SIGINT, grace=1.0)}
    child = _orphan(_STUBBORN, "plain", env)
    wait_for(lambda: not _alive(child), 120.0, "the stubborn orphan to kill itself")
