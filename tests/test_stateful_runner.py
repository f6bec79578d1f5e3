"""The stateful contracts' runner and ``webex-harness replay``: an injected defect between calls (the
``set-meeting-keeps-unnamed`` fault) is found by the XML meeting machine, shrunk to at most three
calls, printed as a numbered, masked listing and saved; the same seed finds the same sequence again
(with a fresh hypothesis database); the saved file fails again under ``webex-harness replay --fault``
and passes without the fault; a bad replay file or bad options are one line and exit 2 before any
work starts."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.child_process import ROOT, child_env, pytest_command
from tests.standin import make_stand_in
from webex_harness.contracts.stateful.runner import REPLAY_FORMAT, load_replay, step_lines
from webex_harness.emulator.server import RunningEmulator
from webex_harness.runs.cli import main

FAULT = "set-meeting-keeps-unnamed"
MACHINE = "webex_harness.contracts.stateful.test_meetings:MeetingMachine"


def _find(folder: Path, seed: int = 1) -> tuple[subprocess.CompletedProcess[str], Path]:
    """Run the XML meeting machine with the fault in a child pytest; its result and saved replay file."""
    run_dir = folder / "run"
    command = pytest_command("contracts/stateful/test_meetings.py")
    command += ["-q", "-k", "read_back", "--env", "emulator", "--fault", FAULT, "--seed", str(seed)]
    command += ["--run-dir", str(run_dir)]
    done = subprocess.run(command, cwd=ROOT, env=child_env(), capture_output=True, text=True, timeout=600)
    return done, run_dir / "stateful" / "MeetingMachine.json"


@pytest.fixture(scope="module")
def found(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    return _find(tmp_path_factory.mktemp("first"))


def _steps(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["steps"])


def test_the_fault_is_found_shrunk_to_three_calls_listed_and_saved(
    found: tuple[subprocess.CompletedProcess[str], Path],
) -> None:
    done, saved = found
    assert done.returncode == 1, done.stdout[-2000:]
    assert "MeetingMachine failed after" in done.stdout
    record = json.loads(saved.read_text(encoding="utf-8"))
    assert record["format"] == REPLAY_FORMAT and record["machine"] == MACHINE and record["seed"] == 1
    steps = record["steps"]
    assert 2 <= len(steps) <= 3, [s["rule"] for s in steps]
    assert steps[0]["made"] == "meeting1" and all(s["rule"] == "set_meeting" for s in steps[1:])
    assert "GetMeeting does not answer what was written" in record["failure"]
    numbered = [line.split("(")[0] for line in record["listing"] if re.match(r"^\d+\. ", line)]
    assert numbered == [f"{n}. {s['rule']}" for n, s in enumerate(steps, 1)]
    assert f"saved: {saved}" in done.stdout and "replay: webex-harness replay" in done.stdout


def test_the_listing_masks_every_password(found: tuple[subprocess.CompletedProcess[str], Path]) -> None:
    done, saved = found
    listing = "\n".join(json.loads(saved.read_text(encoding="utf-8"))["listing"])
    for text in (listing, done.stdout):
        passwords = re.findall(r"<(?:meet:)?(?:meetingPassword|audioPassword)>([^<]*)<", text)
        assert passwords, "the listing shows the meetings' envelopes"
        assert set(passwords) <= {"********"}, set(passwords)
        assert not re.search(r"Qz\d{3}Pk7", text), "a password the machine sent is in the listing"


def test_the_same_seed_finds_the_same_sequence(
    found: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    """A second run with the same --seed and an empty hypothesis database saves the same steps."""
    done, again = _find(tmp_path)
    assert done.returncode == 1, done.stdout[-2000:]
    assert _steps(again) == _steps(found[1])


def _replay(saved: Path, cwd: Path, *options: str) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "webex_harness.runs.cli", "replay", str(saved), *options]
    env = child_env(WEBEX_HARNESS_REPORTS=str(cwd / "reports"))
    return subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)


def test_replay_fails_again_with_the_fault_and_passes_without(
    found: tuple[subprocess.CompletedProcess[str], Path], tmp_path: Path
) -> None:
    saved = found[1]
    failing = _replay(saved, tmp_path, "--fault", FAULT)
    assert failing.returncode == 1, failing.stdout[-2000:] + failing.stderr[-1000:]
    for line in step_lines(load_replay(saved)):
        assert f"  {line}" in failing.stdout
    assert "replay of" in failing.stdout and "GetMeeting does not answer what was written" in failing.stdout
    assert failing.stderr.strip().endswith("the replay fails again")
    passing = _replay(saved, tmp_path)
    assert passing.returncode == 0, passing.stdout[-2000:] + passing.stderr[-1000:]
    assert "the replay passes" in passing.stdout


# ---------------------------------------------------------------- bad input: one line, exit 2


def _file(tmp_path: Path, record: Any) -> Path:
    path = tmp_path / "replay.json"
    path.write_text(record if isinstance(record, str) else json.dumps(record), encoding="utf-8")
    return path


def _record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "format": REPLAY_FORMAT,
        "machine": MACHINE,
        "seed": 1,
        "site_settings": {},
        "steps": [
            {
                "rule": "first_meeting",
                "args": {
                    "n": 1,
                    "minutes": 0,
                    "duration": 15,
                    "password": False,
                    "agenda": None,
                    "flags": {},
                    "private": False,
                    "template": False,
                },
                "made": "meeting1",
            },
            {"rule": "get_meeting", "args": {"meeting": {"ref": "meeting1"}, "by": "uuid"}, "made": None},
        ],
    }
    return {**record, **changes}


@pytest.mark.parametrize(
    ("record", "message"),
    [
        ("{not json", "not a replay file (not JSON"),
        ({"format": 99}, "not a replay file of format 1"),
        (_record(steps="all"), "'steps' must be a list of {rule, args}"),
        (_record(machine="os:path"), "is not a state machine of the stateful contracts"),
        (_record(machine="webex_harness.contracts.stateful.nothing:M"), "no module"),
        (_record(machine="webex_harness.contracts.stateful.test_meetings:Nope"), "is not a state machine"),
        (_record(steps=[{"rule": "fly", "args": {}}]), "MeetingMachine has no rule 'fly'"),
        (
            _record(steps=[{"rule": "get_meeting", "args": {"meeting": {"ref": "meeting7"}, "by": "key"}}]),
            "names 'meeting7' before a step made it",
        ),
    ],
)
def test_load_replay_names_what_is_wrong_in_one_line(tmp_path: Path, record: Any, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        load_replay(_file(tmp_path, record))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_a_good_file_loads_and_its_steps_are_numbered(tmp_path: Path) -> None:
    loaded = load_replay(_file(tmp_path, _record()))
    assert loaded.machine.__name__ == "MeetingMachine"
    assert step_lines(loaded) == [
        "1. first_meeting(n=1, minutes=0, duration=15, password=false, agenda=null, flags={}, private=false, "
        "template=false) -> meeting1",
        '2. get_meeting(meeting=meeting1, by="uuid")',
    ]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["replay", "{missing}"], "cannot read the replay file"),
        (["replay", "{file}", "--env", "no-such-environment"], "no-such-environment"),
        (["replay", "{file}", "--fault", "set-meeting-keeps-unamed"], "did you mean 'set-meeting-keeps-unnamed'"),
        (["replay", "{bad}"], "not a replay file"),
    ],
)
def test_replay_refuses_bad_input_with_one_line_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, argv: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    paths = {
        "{missing}": str(tmp_path / "gone.json"),
        "{file}": str(_file(tmp_path, _record())),
        "{bad}": str(tmp_path / "bad.json"),
    }
    (tmp_path / "bad.json").write_text("[]", encoding="utf-8")
    code = main([paths.get(a, a) for a in argv])
    err = capsys.readouterr().err.strip()
    assert code == 2 and message in err and len(err.splitlines()) == 1, err
    assert not (tmp_path / "reports").exists(), "nothing starts before the input is checked"


# ---------------------------------------------------------------- site mode


def test_the_meeting_machines_run_in_site_mode_and_leave_nothing(emulator: RunningEmulator, tmp_path: Path) -> None:
    """On a stand-in real site (no control API) with foreign meetings of the host in the machine's
    lists: the machine runs its site bounds, skips the clock, passes, and deletes all it made; the
    options machine, whose settings the site does not declare, is skipped saying so."""
    stand_in = make_stand_in(emulator.base_url, tmp_path, busy={"seed": 3, "jitter_ms": 0})
    run_dir = tmp_path / "run"
    command = pytest_command("contracts/stateful/test_meetings.py")
    command += ["-q", "-rs", "--profile", "full", "--env", str(stand_in.env_file), "--run-dir", str(run_dir)]
    done = subprocess.run(
        command, cwd=ROOT, env=child_env(**stand_in.variables), capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "1 passed, 1 skipped" in done.stdout
    assert "needs site setting auto_record_all=True" in done.stdout
    ledger = [json.loads(line) for path in run_dir.glob("ledger-*.jsonl") for line in path.read_text().splitlines()]
    created = {e["id"] for e in ledger if e.get("event") == "created"}
    deleted = {e["id"] for e in ledger if e.get("event") in ("deleted", "gone")}
    assert created and created <= deleted, created - deleted
