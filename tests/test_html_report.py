"""``summary.html``: a report worth handing over — titled by target, site and date, a verdict that says
what it covers, each behaviour's promise and documents, evidence indented, a clean-up that adds up —
self-contained and escaped, and read back from a real browser (headless Chromium): its DOM holds the
facts, it renders to a PNG and prints to a multi-page A4 PDF."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from tests.report_screenshot import (
    CHROMIUM,
    DOCS_PNG,
    PNG_LIMIT,
    dump_dom,
    pdf_page_size,
    pdf_pages,
    print_pdf,
    screenshot,
)
from webex_harness.environment.loader import load_environment
from webex_harness.runs.html_report import render_html
from webex_harness.runs.report import write_summary
from webex_harness.webex.behaviours import behaviours, ids
from webex_harness.workspace.run_folder import Run

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = "<script>alert('x')</script> & \"quotes\""
STARTED = "2026-12-03T09:15:00+00:00"
ONE_LINE_XML = (
    '<?xml version="1.0" encoding="UTF-8"?><serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service">'
    "<serv:header><serv:response><serv:result>SUCCESS</serv:result></serv:response></serv:header>"
    "<serv:body><serv:bodyContent><att:attendeeId xmlns:att='urn:a'>1</att:attendeeId></serv:bodyContent>"
    "</serv:body></serv:message>"
)
PLAN = {
    "profile": "full",
    "default": True,
    "kind": "emulator",
    "tests": 4,
    "requests": 12,
    "estimated": 0,
    "budget": 500,
    "reserve": 50,
    "target": "emulator",
    "refused_by_guards": 0,
    "behaviours": ids(),
}


def _ledger(run: Run) -> None:
    """A meeting the test deleted, a contact clean-up must leave, a user deleted, reactivated and removed."""
    lines = [
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
        {"event": "created", "ref": "c", "kind": "user", "api": "CreateUser", "site": "s", "id": "wu", "name": "wu"},
        {"event": "deleted", "kind": "meeting", "site": "s", "id": "1", "by": "test"},
        {"event": "deleted", "kind": "user", "site": "s", "id": "wu", "by": "test"},
        {"event": "created", "ref": "d", "kind": "user", "api": "SetUser", "site": "s", "id": "wu", "name": "wu"},
        {"event": "deleted", "kind": "user", "site": "s", "id": "wu", "by": "cleanup", "removed": True},
        {"event": "left", "kind": "contact", "site": "s", "id": "9", "reason": "no API deletes a contact"},
    ]
    (run.dir / f"ledger-{run.run_id}.jsonl").write_text("\n".join(json.dumps(r) for r in lines) + "\n")


def _run(tmp_path: Path) -> Run:
    """A run folder with a passed, a failed (with evidence), a skipped test, self-check, load and ledger."""
    env = load_environment(ROOT / "environments" / "emulator.yaml")
    run = Run(env, seed=7, run_id="20261203-091500-c0de", root=tmp_path, started=STARTED)
    run.create()
    evidence = {
        "api": "CreateMeetingAttendee",
        "http_status": 200,
        "elapsed": 0.01,
        "request": "<serv:message><body><bodyContent><person><email>A@Example.com</email></person>"
        f"</bodyContent></body></serv:message> {HOSTILE}",
        "response": ONE_LINE_XML,
    }
    rest = {
        "api": "POST /v1/meetings",
        "http_status": 400,
        "elapsed": 0.01,
        "request": 'POST http://127.0.0.1/v1/meetings\ncontent-type: application/json\n\n{"title":"t","start":"s"}',
        "response": 'HTTP 400\ncontent-type: application/json\n\n{"message":"bad","errors":[{"description":"x"}]}',
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
                    "evidence": [rest, evidence],
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
    _ledger(run)
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
    write_summary(run, exit_code=1, verdict="contract tests failed", load=load, selfcheck=selfcheck, plan=PLAN)
    return run


def test_html_is_self_contained_and_escapes_everything(tmp_path: Path) -> None:
    html = (_run(tmp_path).dir / "summary.html").read_text()
    assert "<script" not in html and "<link" not in html and "@import" not in html and "url(" not in html
    assert "src=" not in html
    links = re.findall(r'href="([^"]*)"', html)
    assert links and all(link.startswith(("https://", "#b-")) for link in links), links  # loads nothing
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
        "<details open>",
        "Evidence of failures",
    ):
        assert text in html, text


def test_the_title_names_target_site_and_date_and_the_run_id_stays_smaller(tmp_path: Path) -> None:
    html = (_run(tmp_path).dir / "summary.html").read_text()
    title = "Webex emulator (site harness) — contract certification, load test and self-check — 3 Dec 2026"
    assert f"<title>{title}</title>" in html and f"<h1>{title}</h1>" in html
    assert 'class="meta">run <code>20261203-091500-c0de</code>' in html
    site = render_html(
        {
            "run_id": "r",
            "started": STARTED,
            "exit_code": 0,
            "target": {"kind": "site", "site_name": "acme", "xml_url": "https://acme.webex.com/WBXService/XMLService"},
            "plan": PLAN,
            "behaviours": [],
        }
    )
    assert "<h1>Webex site acme.webex.com — contract certification — 3 Dec 2026</h1>" in site


def test_each_behaviour_shows_its_promise_and_its_documents_as_links(tmp_path: Path) -> None:
    page = lxml_html.fromstring((_run(tmp_path).dir / "summary.html").read_text())
    for b in behaviours():
        row = page.xpath(f'//code[@id="b-{b.id}"]/ancestor::tr')[0]
        cells = row.xpath("./td")
        assert " ".join(cells[1].text_content().split()) == " ".join(b.promise.split()), b.id
        for ref in b.documented_in:
            assert ref.document.title in cells[2].text_content(), (b.id, ref.document.title)
            if ref.document.where.startswith("developer."):
                assert f"https://{ref.document.where}" in cells[2].xpath(".//a/@href"), b.id


def test_the_verdict_says_what_ran_and_what_did_not(tmp_path: Path) -> None:
    """A run narrowed to one behaviour says "1 of 54 behaviours checked: passed", never "all passed", and
    names every other behaviour "not run"; the Markdown says the same."""
    env = load_environment(ROOT / "environments" / "emulator.yaml")
    run = Run(env, run_id="20261203-091500-beef", root=tmp_path, started=STARTED)
    run.create()
    (run.dir / "results-main.json").write_text(
        json.dumps(
            [
                {
                    "nodeid": "contracts/test_a.py::test_ok",
                    "behaviours": ["email-lowercase"],
                    "outcome": "passed",
                    "reason": "",
                    "evidence": [],
                }
            ]
        )
    )
    plan = {**PLAN, "profile": "smoke", "default": False, "tests": 1, "behaviours": ["email-lowercase"]}
    write_summary(run, exit_code=0, verdict="all passed", plan=plan)
    total = len(ids())
    summary = json.loads((run.dir / "summary.json").read_text())
    status = {b["id"]: b["status"] for b in summary["behaviours"]}
    assert status.pop("email-lowercase") == "passed" and set(status.values()) == {"not run"}
    assert summary["selection"]["narrowed"] and summary["selection"]["selected"] == 1
    page = lxml_html.fromstring((run.dir / "summary.html").read_text())
    verdict = page.xpath('//p[contains(@class, "verdict")]')[0].text_content()
    assert verdict == f"PASSED — 1 of {total} behaviours checked: passed ({total - 1} not run)"
    assert "all passed" not in verdict
    what_ran = page.xpath('//section[contains(@class, "scope")]')[0].text_content()
    assert "profile smoke, narrowed to 1 behaviour (email-lowercase)" in what_ran
    assert "Not run (not in this run's selection)" in what_ran and "display-name" in what_ran
    md = (run.dir / "summary.md").read_text()
    assert f"**PASSED — 1 of {total} behaviours checked: passed ({total - 1} not run)**" in md
    assert "Run without --behaviour to check every behaviour" in md
    assert md.count("○ not run") == total - 1


def test_skipped_tests_are_counted_by_why_and_the_next_steps_follow(tmp_path: Path) -> None:
    env = load_environment(ROOT / "environments" / "emulator.yaml")
    run = Run(env, run_id="20261203-091500-5c1p", root=tmp_path, started=STARTED)
    run.create()
    refused = "refused: destructive test against the emulator (harness); set allow.destructive: true in x.yaml"
    reasons = [refused, refused, "budget spent: 412 of 500 requests", "budget spent: 499 of 500 requests"]
    results = [
        {"nodeid": f"contracts/t.py::test_{i}", "behaviours": ["user-card-auth"], "outcome": "skipped", "reason": r}
        for i, r in enumerate(reasons)
    ]
    results.append({"nodeid": "contracts/t.py::test_ok", "behaviours": ["email-lowercase"], "outcome": "passed"})
    (run.dir / "results-main.json").write_text(json.dumps(results))
    write_summary(run, exit_code=1, verdict="budget spent after 499 of 500 requests: 2 tests skipped", plan=PLAN)
    summary = json.loads((run.dir / "summary.json").read_text())
    assert summary["skipped_because"] == [{"reason": "budget spent", "tests": 2}, {"reason": refused, "tests": 2}]
    page = lxml_html.fromstring((run.dir / "summary.html").read_text())
    scope = page.xpath("//section[contains(@class, 'scope')]")[0]
    rows = [[td.text_content() for td in tr.xpath("./td")] for tr in scope.xpath(".//tbody/tr")]
    assert rows == [["budget spent", "2"], [refused, "2"]]
    brief = " ".join(page.xpath("//ul[@class='brief']")[0].text_content().split())
    assert "Next: Resolve what failed the run: budget spent after 499 of 500 requests" in brief
    md = (run.dir / "summary.md").read_text()
    assert "| budget spent | 2 |" in md and "allow them on a site where that is safe" in md


def test_failure_evidence_is_indented(tmp_path: Path) -> None:
    page = lxml_html.fromstring((_run(tmp_path).dir / "summary.html").read_text())
    shown = [pre.text_content() for pre in page.xpath("//section[contains(@class, 'evidence')]//pre")]
    assert any("\n    <serv:response>\n      <serv:result>SUCCESS</serv:result>" in s for s in shown), shown
    assert any('\n\n{\n  "message": "bad",\n  "errors": [' in s for s in shown), shown
    assert any(s.endswith(f"</serv:message> {HOSTILE}") for s in shown), "what does not parse stays as it was"


def test_render_tolerates_a_minimal_summary() -> None:
    html = render_html({"run_id": "r", "verdict": "all passed", "exit_code": 0, "behaviours": []})
    assert html.startswith("<!DOCTYPE html>") and "PASSED" in html


def test_the_print_stylesheet_lays_out_a4_without_clipping() -> None:
    html = render_html({"run_id": "r", "exit_code": 0, "behaviours": []})
    css = html[html.index("<style>") : html.index("</style>")]
    assert "@page { size: A4;" in css
    media = css[css.index("@media print") :]
    for rule in ("th { position: static; }", "max-height: none; overflow: visible", "break-before: page", "attr(href)"):
        assert rule in media, rule


def test_the_readme_shows_a_picture_of_the_report() -> None:
    data = DOCS_PNG.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) < PNG_LIMIT
    assert "docs/images/summary.png" in (ROOT / "README.md").read_text()


needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (Debian package `chromium`; `make browser` installs it)"
)


@needs_chromium
def test_chromium_shows_title_profile_promises_and_sources(tmp_path: Path) -> None:
    page = _run(tmp_path).dir / "summary.html"
    dom = lxml_html.fromstring(dump_dom(page, tmp_path / "profile"))
    assert (
        dom.xpath("string(//h1)")
        == "Webex emulator (site harness) — contract certification, load test and self-check — 3 Dec 2026"
    )
    assert "Profile: full (the default on the emulator) — 4 tests" in dom.xpath("string(//p[@class='profile'])")
    text = " ".join(dom.text_content().split())
    hrefs = set(dom.xpath("//a/@href"))
    for b in behaviours():
        assert dom.xpath(f'//code[@id="b-{b.id}"]'), b.id
        assert " ".join(b.promise.split()) in text, b.id
        for ref in b.documented_in:
            assert ref.document.title in text
            if ref.document.where.startswith("developer."):
                assert f"https://{ref.document.where}" in hrefs
    assert not dom.xpath("//script")  # the hostile text stayed text
    assert "expected FAILURE 030049" in text
    shot = screenshot(page, tmp_path / "summary.png", tmp_path / "profile")
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@needs_chromium
def test_chromium_prints_the_report_to_a_multi_page_a4_pdf(tmp_path: Path) -> None:
    page = _run(tmp_path).dir / "summary.html"
    pdf = print_pdf(page, tmp_path / "summary.pdf", tmp_path / "profile").read_bytes()
    assert pdf.startswith(b"%PDF-")
    assert pdf_pages(pdf) > 1, "the major sections start new pages"
    size = pdf_page_size(pdf)
    assert size is not None and abs(size[0] - 595) < 2 and abs(size[1] - 842) < 2, size  # A4 in points


def test_a_load_cut_short_by_its_budget_says_so_in_both_reports(tmp_path: Path) -> None:
    env = load_environment(ROOT / "environments" / "emulator.yaml")
    run = Run(env, seed=7, run_id="20261204-091500-cafe", root=tmp_path, started=STARTED)
    run.create()
    note = "load stopped early: its share of the budget is spent (120 of 120 requests) before its run time (20s) was up"
    load = {
        "users": 8,
        "spawn_rate": 5,
        "run_time": "20s",
        "apis": [
            {"name": "GetSite", "requests": 120, "failures": 0, "rps": 240.0, "p50_ms": 3, "p95_ms": 7, "p99_ms": 9}
        ],
        "budget_spent": {"used": 120, "limit": 120, "note": note},
    }
    write_summary(run, exit_code=0, verdict="all passed", load=load, plan=PLAN)
    assert f"**L{note[1:]}.**" in (run.dir / "summary.md").read_text()
    page = lxml_html.fromstring((run.dir / "summary.html").read_bytes())
    assert note in page.xpath("string(//section[@class='load'])")
