"""``summary.html``: self-contained, escaped, and readable in a real browser (headless Chromium)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from webex_harness.environment.loader import load_environment
from webex_harness.runs.html_report import render_html
from webex_harness.runs.report import write_summary
from webex_harness.webex.behaviours import ids
from webex_harness.workspace.run_folder import Run

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<script>alert('x')</script> & \"quotes\""


def _run(tmp_path: Path) -> Run:
    """A run folder with a passed, a failed (with evidence), a skipped test, self-check, load and ledger."""
    env = load_environment(ROOT / "environments" / "emulator.yaml")
    run = Run(env, seed=7, run_id="20260101-000000-c0de", root=tmp_path)
    run.create()
    evidence = {
        "api": "CreateMeetingAttendee",
        "http_status": 200,
        "elapsed": 0.01,
        "request": "<serv:message><body><bodyContent><person><email>A@Example.com</email></person>"
        f"</bodyContent></body></serv:message> {HOSTILE}",
        "response": "<serv:result>SUCCESS</serv:result><att:attendeeId>1</att:attendeeId>",
    }
    (run.dir / "results-gw0.json").write_text(
        json.dumps(
            [
                {
                    "nodeid": "contracts/test_attendees.py::test_ok",
                    "behaviours": ["email-lowercase"],
                    "outcome": "passed",
                    "reason": "",
                    "evidence": [],
                },
                {
                    "nodeid": "contracts/test_attendees.py::test_spaces",
                    "behaviours": ["email-no-whitespace"],
                    "outcome": "failed",
                    "reason": f"expected FAILURE 030049, got SUCCESS {HOSTILE}",
                    "evidence": [evidence],
                    "api": "CreateMeetingAttendee",
                    "case": "edge",
                },
                {
                    "nodeid": "contracts/test_x.py::test_lobby",
                    "behaviours": ["locked-lobby"],
                    "outcome": "skipped",
                    "reason": "needs the emulator's control API",
                    "evidence": [],
                },
            ]
        )
    )
    (run.dir / f"ledger-{run.run_id}.jsonl").write_text(
        "\n".join(
            json.dumps(r)
            for r in [
                {"event": "intent", "ref": "a", "kind": "meeting", "api": "CreateMeeting", "site": "s", "name": "m"},
                {
                    "event": "created",
                    "ref": "a",
                    "kind": "meeting",
                    "api": "CreateMeeting",
                    "site": "s",
                    "id": "1",
                    "name": "m",
                },
                {
                    "event": "created",
                    "ref": "b",
                    "kind": "contact",
                    "api": "CreateContact",
                    "site": "s",
                    "id": "9",
                    "name": "c",
                },
                {"event": "deleted", "kind": "meeting", "site": "s", "id": "1", "by": "test"},
                {"event": "left", "kind": "contact", "site": "s", "id": "9", "reason": "no API deletes a contact"},
            ]
        )
        + "\n"
    )
    load = {
        "users": 1,
        "spawn_rate": 1,
        "run_time": "2s",
        "apis": [
            {"name": "CreateMeeting", "requests": 10, "failures": 0, "rps": 5.0, "p50_ms": 3, "p95_ms": 7, "p99_ms": 9}
        ],
    }
    selfcheck = {
        "baseline_passed": True,
        "faults": [
            {"id": "email-lowercase", "detected": True, "failed_tests": ["t"]},
            {"id": "email-no-whitespace", "detected": False, "failed_tests": []},
        ],
    }
    write_summary(run, exit_code=1, verdict="contract tests failed", load=load, selfcheck=selfcheck)
    return run


def test_html_is_self_contained_and_escapes_everything(tmp_path: Path) -> None:
    html = (_run(tmp_path).dir / "summary.html").read_text()
    assert "<script" not in html and "<link" not in html and "@import" not in html and "url(" not in html
    assert "src=" not in html and "href=" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;" in html
    assert "&lt;email&gt;A@Example.com&lt;/email&gt;" in html
    for bid in ids():
        assert f'id="b-{bid}"' in html
    for text in (
        "Target and declared settings",
        "password_required",
        "API coverage",
        "Self-check",
        "MISSED",
        "Load",
        "Clean-up",
        "no API deletes a contact",
        "<details>",
        "not covered",
    ):
        assert text in html, text


def test_render_tolerates_a_minimal_summary() -> None:
    html = render_html({"run_id": "r", "verdict": "all passed", "exit_code": 0, "behaviours": []})
    assert html.startswith("<!DOCTYPE html>") and "all passed" in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian package `chromium`; `make browser` installs it)"
)
def test_chromium_renders_every_behaviour_id(tmp_path: Path) -> None:
    page = _run(tmp_path).dir / "summary.html"
    assert CHROMIUM is not None
    profile = tmp_path / "profile"
    dom = subprocess.run(
        [CHROMIUM, *_FLAGS, f"--user-data-dir={profile}", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert dom.returncode == 0, dom.stderr[-2000:]
    for bid in ids():
        assert f'id="b-{bid}"' in dom.stdout, bid
    assert "<script>" not in dom.stdout  # the hostile text stayed text
    assert "expected FAILURE 030049" in dom.stdout
    shot = tmp_path / "summary.png"
    subprocess.run(
        [
            CHROMIUM,
            *_FLAGS,
            f"--user-data-dir={profile}",
            "--window-size=1280,2000",
            f"--screenshot={shot}",
            page.as_uri(),
        ],
        capture_output=True,
        timeout=60,
        check=True,
    )
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
