"""The run summary (json, md, html), the request budget split across xdist workers, and the
guards that refuse destructive and lock-out-prone tests unless the environment allows them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.child_process import child_env
from webex_harness.client.journal import cleanup_sentence, summarise
from webex_harness.environment.loader import load_environment
from webex_harness.environment.model import Budget
from webex_harness.plugin.budget import CLEANUP_SHARE, split_budget
from webex_harness.plugin.markers import refusal
from webex_harness.plugin.secrets import mask_exception
from webex_harness.runs.cli import main
from webex_harness.runs.markdown_report import render_markdown
from webex_harness.runs.pretty_evidence import pretty
from webex_harness.runs.report import write_summary
from webex_harness.runs.target_commands import eta
from webex_harness.webex.masking import SecretSet
from webex_harness.workspace.run_folder import Run

ROOT = Path(__file__).resolve().parent.parent


def _env_file(tmp_path: Path, *, destructive: bool, lockout: bool, max_requests: int = 20000) -> Path:
    path = tmp_path / "guarded.yaml"
    path.write_text(
        "target: emulator\nxml_url: auto\nrest_url: auto\nsite_name: harness\n"
        "credentials:\n  webExID: host\n  password: ${WXH_T_PASSWORD:-Gu4rd-pass}\n"
        f"allow:\n  destructive: {str(destructive).lower()}\n  lockout: {str(lockout).lower()}\n"
        f"budget:\n  max_requests: {max_requests}\n  max_seconds: 300\n"
    )
    return path


def _pytest(tmp_path: Path, source: str, *args: str) -> subprocess.CompletedProcess[str]:
    """Run a throw-away test module with the harness plugin (no project ini, no root conftest)."""
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    test = tmp_path / "test_probe.py"
    test.write_text(source)
    env = child_env(PYTHONPATH=str(ROOT))
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            str(test),
            "-c",
            str(tmp_path / "pytest.ini"),
            "--rootdir",
            str(tmp_path),
            *args,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )


# ---------------------------------------------------------------- summary


def _results(run_dir: Path) -> None:
    evidence = {
        "api": "CreateMeeting",
        "request": "<securityContext><password>Pl41n-Secret</password>",
        "response": "<serv:result>FAILURE</serv:result>",
        "http_status": 200,
        "elapsed": 0.01,
    }
    (run_dir / "results-gw0.json").write_text(
        json.dumps(
            [
                {
                    "nodeid": "contracts/test_a.py::test_ok",
                    "behaviours": ["email-lowercase"],
                    "outcome": "passed",
                    "reason": "",
                    "evidence": [],
                    "api": "CreateMeeting",
                    "case": "valid",
                },
                {
                    "nodeid": "contracts/test_a.py::test_bad",
                    "behaviours": ["email-no-whitespace"],
                    "outcome": "failed",
                    "reason": "expected 030049, got SUCCESS | Pl41n-Secret",
                    "evidence": [evidence],
                    "api": "CreateMeeting",
                    "case": "edge",
                },
                {
                    "nodeid": "contracts/test_a.py::test_skip",
                    "behaviours": ["locked-lobby"],
                    "outcome": "skipped",
                    "reason": "needs the emulator's control API",
                    "evidence": [],
                },
            ]
        )
    )


def test_summary_lists_every_behaviour_with_status_evidence_and_masks_secrets(tmp_path: Path) -> None:
    env = load_environment(ROOT / "environments" / "emulator.yaml", env={"WEBEX_PASSWORD": "Pl41n-Secret"})
    run = Run(env, seed=3, run_id="20260101-000000-abcd", root=tmp_path)
    run.create()
    _results(run.dir)
    md_path = write_summary(run, exit_code=1, verdict="contract tests failed")
    summary = json.loads((run.dir / "summary.json").read_text())
    status = {b["id"]: b for b in summary["behaviours"]}
    assert status["email-lowercase"]["status"] == "passed"
    assert status["email-no-whitespace"]["status"] == "failed"
    assert status["locked-lobby"]["status"] == "skipped"
    assert status["locked-lobby"]["reason"] == "needs the emulator's control API"
    assert status["display-name"]["status"] == "not covered"
    assert summary["apis"] == [
        {"name": "CreateMeeting", "valid": {"run": 1, "passed": 1}, "edge": {"run": 1, "passed": 0}}
    ]
    assert summary["target"]["allow"] == {"destructive": True, "lockout": True}
    assert summary["seed"] == 3
    for name in ("summary.json", "summary.md", "summary.html"):
        text = (run.dir / name).read_text()
        assert "Pl41n-Secret" not in text, name
    md = md_path.read_text()
    assert "| `email-no-whitespace` |" in md and "❌ failed" in md
    assert "expected 030049, got SUCCESS \\| ********" in md  # the pipe cannot break the table
    html = (run.dir / "summary.html").read_text()
    assert "<details open>" in html and "CreateMeeting" in html


def test_markdown_evidence_cannot_close_its_fence() -> None:
    summary = {
        "run_id": "r",
        "verdict": "v",
        "harness_version": "0",
        "seed": 1,
        "started": "s",
        "target": {"name": "n", "kind": "emulator", "site_name": "s", "xml_url": "u"},
        "tests": {"passed": 0, "failed": 1, "skipped": 0},
        "apis": [],
        "behaviours": [
            {
                "id": "b",
                "title": "t",
                "source": "s",
                "status": "failed",
                "reason": "r",
                "tests": [
                    {
                        "nodeid": "x",
                        "outcome": "failed",
                        "reason": "r",
                        "evidence": [{"api": "A", "http_status": 200, "request": "```\n# injected", "response": "ok"}],
                    }
                ],
            }
        ],
    }
    md = render_markdown(summary)
    assert "````\n```\n# injected\n````" in md


def test_report_command_renders_again_and_allure_says_how_to_install(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    env = load_environment(ROOT / "environments" / "emulator.yaml")
    run = Run(env, run_id="20260101-000000-abcd", root=tmp_path)
    run.create()
    _results(run.dir)
    write_summary(run, exit_code=0, verdict="all passed")
    (run.dir / "summary.html").unlink()
    assert main(["report", "--reports", str(tmp_path)]) == 0
    assert (run.dir / "summary.html").exists()
    (run.dir / "allure-results").mkdir()
    monkeypatch.setenv("PATH", str(tmp_path))  # no allure on this PATH
    capsys.readouterr()
    assert main(["report", "--allure", "--reports", str(tmp_path), "--run", run.run_id]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "npm install -g allure-commandline" in err[0]

    fake = tmp_path / "allure"  # where the tool is installed, it is called as `allure generate IN -o OUT --clean`
    fake.write_text('#!/bin/sh\nmkdir -p "$4" && echo "$2" > "$4/index.html"\n')
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}/usr/bin{os.pathsep}/bin")
    assert main(["report", "--allure", "--reports", str(tmp_path)]) == 0
    assert (run.dir / "allure-report" / "index.html").read_text().strip() == str(run.dir / "allure-results")
    assert "allure report: " in capsys.readouterr().out


def test_selfcheck_progress_eta() -> None:
    assert eta(1, 4, started=0.0, now=10.0) == "elapsed 10s, ETA 30s"
    assert eta(2, 4, started=0.0, now=100.0) == "elapsed 1m40s, ETA 1m40s"
    assert eta(4, 4, started=0.0, now=5.0) == "elapsed 5s, ETA 0s"


def test_the_catalogue_text_a_report_shows_is_not_taken_for_a_credential() -> None:
    """The run folder's last scrub masks every file with the credential patterns: a promise, title or
    document the report prints must not match one, or the customer reads ******** (and the run warns
    of a leak that is not one)."""
    from webex_harness.webex.behaviours import behaviours
    from webex_harness.webex.masking import mask

    texts = []
    for b in behaviours():
        texts += [b.title, b.area, b.promise, b.source]
        texts += [t for r in b.documented_in for t in (r.document.title, r.document.where, r.section or "")]
    assert [t for t in texts if mask(t) != t] == []


def test_a_secret_in_what_the_run_wrote_is_masked_value_by_value(tmp_path: Path) -> None:
    from webex_harness.runs.report import mask_record

    record = {
        "verdict": "login Authorization: Bearer abc123",
        "behaviours": [{"id": "b", "promise": "Requires authorization: credentials", "reason": "pw s3cret-pw"}],
    }
    masked = mask_record(record, SecretSet(["s3cret-pw"]))
    assert masked["verdict"] == "login Authorization: Bearer ********"
    assert masked["behaviours"][0] == {
        "id": "b",
        "promise": "Requires authorization: credentials",
        "reason": "pw ********",
    }


# ---------------------------------------------------------------- clean-up accounts


def _write_ledger(run_dir: Path, records: list[dict[str, object]]) -> None:
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / "ledger-r.jsonl").write_text("\n".join(json.dumps(r) for r in records) + "\n")


def _reconciles(info: dict[str, Any]) -> bool:
    """created + found by name = deleted by the tests + removed by clean-up + found gone + left."""
    ends = info["deleted_by_tests"] + info["removed_by_cleanup"] + info["found_gone_by_cleanup"] + len(info["left"])
    return bool(info["created"] + info["found_by_name"] == ends)


def test_a_user_reactivated_after_its_deletion_is_counted_once_per_life(tmp_path: Path) -> None:
    """The off-by-one of a full run (797 created, 798 accounted for): test_reactivated_within_a_week_keeps_the_pmr_key
    deletes a user with DelUser, reactivates it with SetUser (a second "created" line for the same key) and clean-up
    deletes it again. Counting objects by key and deletions by line gave one deletion too many."""
    _write_ledger(
        tmp_path,
        [
            {"event": "created", "kind": "user", "site": "s", "id": "u1", "api": "CreateUser"},
            {"event": "deleted", "kind": "user", "site": "s", "id": "u1", "by": "test"},
            {"event": "created", "kind": "user", "site": "s", "id": "u1", "api": "SetUser"},
            {"event": "deleted", "kind": "user", "site": "s", "id": "u1", "by": "cleanup", "removed": True},
            {"event": "created", "kind": "meeting", "site": "s", "id": "7", "api": "CreateMeeting"},
            {"event": "deleted", "kind": "meeting", "site": "s", "id": "7", "by": "test"},
            {"event": "deleted", "kind": "meeting", "site": "s", "id": "7", "by": "cleanup", "removed": False},
        ],
    )
    info = summarise(tmp_path)
    assert info is not None and _reconciles(info)
    assert (info["created"], info["reactivated"], info["deleted_by_tests"], info["removed_by_cleanup"]) == (3, 1, 2, 1)
    assert info["found_gone_by_cleanup"] == 0 and info["left"] == []  # a second deletion of one life is not counted
    assert info["deactivated_users"] == 1
    assert cleanup_sentence(info) == (
        "3 created (with 1 reactivated after deletion) = 2 deleted by the tests + 1 removed by clean-up "
        "+ 0 found gone + 0 left"
    )


def test_what_clean_up_found_by_name_and_what_stays_are_accounted_for(tmp_path: Path) -> None:
    """A session found by the run's name (its create's answer never arrived) is counted besides the creates and
    resolves its intent; a session found by name that the ledger knows under its own kind is that object; a
    contact stays (no API deletes one) and says so; an object nothing deleted is left, with why."""
    _write_ledger(
        tmp_path,
        [
            {"event": "intent", "ref": "x", "kind": "meeting", "site": "s", "api": "CreateMeeting", "name": "wxh-r-a"},
            {"event": "deleted", "kind": "session", "site": "s", "id": "41", "name": "wxh-r-a", "by": "cleanup"},
            {"event": "created", "kind": "event", "site": "s", "id": "50", "uuid": "abc", "api": "CreateEvent"},
            {"event": "left", "kind": "event", "site": "s", "id": "50", "reason": "budget spent"},
            {"event": "deleted", "kind": "session", "site": "S", "id": "abc", "by": "cleanup", "removed": True},
            {"event": "created", "kind": "contact", "site": "s", "id": "9", "name": "Wanda", "api": "CreateContact"},
            {"event": "created", "kind": "attendee", "site": "s", "id": "3", "api": "CreateMeetingAttendee"},
            {"event": "deleted", "kind": "attendee", "site": "s", "id": "3", "by": "cleanup", "removed": False},
            {"event": "created", "kind": "meeting", "site": "s", "id": "8", "api": "CreateMeeting"},
        ],
    )
    info = summarise(tmp_path)
    assert info is not None and _reconciles(info)
    assert (info["created"], info["found_by_name"]) == (4, 1)
    assert (info["removed_by_cleanup"], info["found_gone_by_cleanup"]) == (2, 1)
    assert info["unresolved_intents"] == []
    left = {x["id"]: x for x in info["left"]}
    assert set(left) == {"9", "8"}
    assert left["9"]["undeletable"] and left["9"]["reason"] == "the XML API has no call that deletes a contact"
    assert not left["8"]["undeletable"] and "nothing recorded its deletion" in left["8"]["reason"]
    assert cleanup_sentence(info) == (
        "4 created + 1 found on the site by the run's name = 0 deleted by the tests + 2 removed by clean-up "
        "+ 1 found gone + 2 left (1 contact stays: the XML API has no call that deletes a contact; 1 not removed)"
    )


_CONTACT = """
from webex_harness.plugin.xml_meetings import meeting_body

def test_makes_a_meeting_and_a_contact(xml, run_name):
    xml.call("meeting", "CreateMeeting", meeting_body(run_name("m"))).expect_success()
    xml.call("ep", "CreateContact", {"contact": {"name": "Wanda", "email": "wanda@example.com"}}).expect_success()
"""


def test_the_terminal_and_the_report_say_the_same_of_the_clean_up(tmp_path: Path) -> None:
    """The line pytest prints at the end is the report's clean-up sentence: the contact is "left" in both,
    with why, and no clean-up command is suggested for it."""
    env = _env_file(tmp_path, destructive=False, lockout=False)
    run_dir = tmp_path / "run"
    result = _pytest(tmp_path, _CONTACT, "--env", str(env), "--run-dir", str(run_dir), "-q")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    info = summarise(run_dir)
    assert info is not None and _reconciles(info)
    assert (info["created"], info["removed_by_cleanup"], len(info["left"])) == (2, 1, 1)
    [line] = [x for x in result.stdout.splitlines() if x.startswith("webex-harness ledger ")]
    assert line.endswith(f": {cleanup_sentence(info)}"), line
    assert "1 contact stays: the XML API has no call that deletes a contact" in line and "cleanup --run" not in line


# ---------------------------------------------------------------- evidence


def test_evidence_is_indented_and_what_does_not_parse_is_kept() -> None:
    xml = '<?xml version="1.0"?><a><b>x &amp; y</b><c/></a>'
    assert pretty(xml) == '<?xml version="1.0"?>\n<a>\n  <b>x &amp; y</b>\n  <c/>\n</a>'
    rest = 'HTTP 400\ncontent-type: application/json\n\n{"message": "bad", "n": [1]}'
    assert pretty(rest) == 'HTTP 400\ncontent-type: application/json\n\n{\n  "message": "bad",\n  "n": [\n    1\n  ]\n}'
    kept_as_recorded = (
        "<a><b>unclosed</a>",
        "<a>&quot;pw&quot;</a>",  # a reference the masking saw escaped stays escaped
        '{"token": "a\\/b"}',  # and so does a JSON escape
        "plain text",
        "POST /x\n\nnot json {",
        '{"a": 1} tail',
    )
    for kept in kept_as_recorded:
        assert pretty(kept) == kept, kept


# ---------------------------------------------------------------- secrets


def test_secret_set_masks_declared_seen_and_token_shaped_values_fast() -> None:
    secrets = SecretSet(["p@ss word"])
    secrets.update(f"Gen{i:08d}Pw" for i in range(5000))
    secrets.add("short")  # too short to be taken from the wire: would mask ordinary words
    text = "login p@ss word then Gen00004242Pw and ticket=Gen00000001Pw; short stays"
    assert secrets.mask(text) == "login ******** then ******** and ticket=********; short stays"
    assert secrets.mask("<password>anything</password>") == "<password>********</password>"


def test_exception_messages_are_masked_in_place_for_allure() -> None:
    secrets = SecretSet(["Hidd3n-pw"])
    try:
        pytest.fail("login with Hidd3n-pw failed")
    except pytest.fail.Exception as exc:
        mask_exception(exc, secrets)
        assert str(exc) == "login with ******** failed"
    cause = ValueError("token Hidd3n-pw")
    err = AssertionError("outer")
    err.__cause__ = cause
    mask_exception(err, secrets)
    assert str(cause) == "token ********"


# ---------------------------------------------------------------- budget


@pytest.mark.parametrize("workers", [1, 2, 3, 7])
def test_budget_split_never_exceeds_the_run_budget(workers: int) -> None:
    budget = Budget(max_requests=500, max_seconds=900)
    pairs = [split_budget(budget, workers) for _ in range(workers)]
    total = sum(tests.max_requests + cleanup.max_requests for tests, cleanup in pairs)
    assert total <= 500
    tests, cleanup = pairs[0]
    assert tests.max_requests + cleanup.max_requests == 500 // workers
    assert cleanup.max_requests == int((500 // workers) * CLEANUP_SHARE)
    assert tests.max_seconds == 900


_PROBE = """
import pytest
from webex_harness.client.xml_client import BudgetExceeded

def test_spend_until_refused(xml, target):
    sent = 0
    with pytest.raises(BudgetExceeded):
        for _ in range(1000):
            xml.call("user", "GetMe", {})
            sent += 1
    assert sent == target.budget.used

@pytest.mark.destructive
def test_deletes_users():
    pass

@pytest.mark.lockout
def test_probes_the_rate_limit():
    pass
"""


def test_xdist_workers_share_the_run_budget_and_guarded_tests_are_refused_unless_allowed(tmp_path: Path) -> None:
    """Two workers, each running every test, draw from one counter in the run folder: together they
    send the 36 requests of the tests' pool (40, a tenth kept for the clean-up) and are refused the
    next; the destructive test is skipped naming the switch, the lock-out test (allowed) runs."""
    env = _env_file(tmp_path, destructive=False, lockout=True, max_requests=40)
    run_dir = tmp_path / "run"
    result = _pytest(
        tmp_path, _PROBE, "--env", str(env), "-n", "2", "--dist", "each", "--run-dir", str(run_dir), "-q", "-rs"
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    records = [json.loads(p.read_text()) for p in sorted(run_dir.glob("budget-*.json"))]
    assert len(records) == 2
    assert sum(r["tests_used"] for r in records) == 36
    assert sum(r["tests_used"] + r["cleanup_used"] for r in records) <= 40
    counter = json.loads((run_dir / "budget.json").read_text())
    assert counter["total"] == 40 and counter["pools"]["contracts"] == {"limit": 36, "used": 36}
    assert "4 passed, 2 skipped" in result.stdout
    skips = [x for x in result.stdout.splitlines() if x.startswith("SKIPPED")]
    assert skips and all(
        f"refused: destructive test against the emulator (harness); set allow.destructive: true in {env}" in x
        for x in skips
    )
    assert not [x for x in skips if "allow.lockout" in x]


def test_refusal_names_the_switch() -> None:
    env = load_environment(ROOT / "environments" / "emulator.yaml")
    assert refusal(env, "lockout").startswith(
        "refused: lockout test against the emulator (harness); set allow.lockout: true in "
    )


def test_refusal_names_a_real_site_and_its_file() -> None:
    env = load_environment(
        ROOT / "environments" / "site.example.yaml",
        env={"WEBEX_SITE": "acme", "WEBEX_USER": "u", "WEBEX_PASSWORD": "p", "WEBEX_REST_TOKEN": "t"},
    )
    reason = refusal(env, "destructive")
    assert reason.startswith("refused: destructive test against a real site (acme); set allow.destructive: true in ")
    assert reason.endswith("site.example.yaml")
