"""``summary.md``: the run's summary in Markdown — the same facts as ``summary.html``
(:mod:`runs.html_report`), worded by :mod:`runs.report_facts`, for a CI's job page or a ticket.

Rendered from the ``summary.json`` record (:mod:`runs.report`). Table cells cannot break their table
(``|`` escaped, one line) and evidence cannot close its fence.
"""

from __future__ import annotations

import re
from typing import Any

from webex_harness.runs import report_facts as facts
from webex_harness.runs.pretty_evidence import excerpt

_ICON = {
    "passed": "✅ passed",
    "failed": "❌ failed",
    "skipped": "⏭ skipped",
    "not run": "○ not run",
    "not covered": "… not covered",
}


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _fence(text: str) -> str:
    """A fenced block that the text cannot close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def _link(text: str, url: str | None) -> str:
    label = text.replace("[", "\\[").replace("]", "\\]")
    return f"[{label}]({url})" if url else label


def documents_text(b: dict[str, Any]) -> str:
    """A behaviour's documents as Markdown links (the source text of an older record without them)."""
    docs = b.get("documents")
    if not docs:
        return _cell(b.get("source", ""))
    out = []
    for d in docs:
        label = f"{d.get('title')}, {d['section']}" if d.get("section") else str(d.get("title"))
        out.append(_cell(_link(label, d.get("url"))))
    return "; ".join(out)


def _gate_name(gate: dict[str, Any]) -> str:
    """``p95_ms GetSessionInfo`` / ``failure_ratio (whole run)`` for a ``load.json`` gate row."""
    return _cell(f"{gate.get('name')} {gate.get('api') or '(whole run)'}")


def _evidence_block(text: str) -> str:
    return _fence(excerpt(text))


def _head(summary: dict[str, Any]) -> list[str]:
    t = summary.get("target") or {}
    budget = t.get("budget") or {}
    used = (summary.get("budget") or {}).get("used")
    tests = summary.get("tests") or {}
    lines = [
        f"# {facts.report_title(summary)}",
        "",
        f"Run `{summary.get('run_id')}` · webex-harness {summary.get('harness_version')} · seed "
        f"{summary.get('seed')} · started {summary.get('started')} · finished {summary.get('finished', '?')}",
        "",
        "## Summary",
        "",
        *[f"- {_cell(line)}" if i else f"**{_cell(line)}**" for i, line in enumerate(facts.manager_lines(summary))],
        "",
        f"**Target:** {t.get('name')} ({t.get('kind')}) — site `{t.get('site_name')}` — {t.get('xml_url')}  ",
        f"**Tests:** {tests.get('passed', 0)} passed, {tests.get('failed', 0)} failed, "
        f"{tests.get('skipped', 0)} skipped  ",
        f"**Budget:** {budget.get('max_requests', '?')} requests / {budget.get('max_seconds', '?')} s"
        + (f" (used {used})" if used is not None else "")
        + ("  " if summary.get("plan") else ""),
    ]
    if summary.get("plan"):
        lines.append(f"**Profile:** {facts.profile_text(summary['plan'])}")
    return lines


def _scope(summary: dict[str, Any]) -> list[str]:
    if not facts.contracts_ran(summary):
        return []
    s = facts.scope(summary)
    lines = [
        "",
        "## What ran",
        "",
        f"- Selection: {_cell(facts.selection_text(summary))}",
        f"- Tests: {_cell(facts.tests_sentence(summary))}",
        f"- Behaviours: {s.sentence()}" + (f"; {s.rest()}" if s.rest() else ""),
    ]
    certified = facts.release_sentence(summary)
    if certified:
        lines.append(f"- API release: {_cell(certified)}")
    groups = facts.skip_groups(summary)
    if groups:
        lines += ["", "| skipped because | tests |", "| --- | --- |"]
        lines += [f"| {_cell(reason)} | {n} |" for reason, n in groups]
    not_run = [b["id"] for b in summary.get("behaviours", []) if b.get("status") == "not run"]
    if not_run:
        lines += ["", f"Not run (not in this run's selection): {', '.join(f'`{i}`' for i in not_run)}"]
    return lines


def _behaviours(summary: dict[str, Any]) -> list[str]:
    lines = [
        "",
        "## Behaviours",
        "",
        "| ID | Title | Promise | Documented in | Status | Reason |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for b in summary.get("behaviours", []):
        lines.append(
            f"| `{b['id']}` | {_cell(b.get('title', ''))} | {_cell(b.get('promise', ''))} | {documents_text(b)} | "
            f"{_ICON.get(b.get('status', ''), b.get('status'))} | {_cell(b.get('reason', ''))} |"
        )
    sources = facts.documents(summary)
    if sources:
        lines += ["", "## Sources", "", "| document | where |", "| --- | --- |"]
        lines += [f"| {_cell(d.get('title'))} | {_cell(d.get('url') or d.get('where'))} |" for d in sources]
    failures = [(b, t) for b in summary.get("behaviours", []) for t in b.get("tests", []) if t["outcome"] == "failed"]
    if failures:
        lines += ["", "## Evidence of failures", ""]
        for b, test in failures:
            lines += [f"### `{b['id']}` — {_cell(test['nodeid'])}", "", _cell(test["reason"]), ""]
            for ex in test.get("evidence", [])[-2:]:
                lines += [
                    f"{_cell(ex.get('api'))} → HTTP {ex.get('http_status')}",
                    "",
                    _evidence_block(ex.get("request", "")),
                    "",
                    _evidence_block(ex.get("response", "")),
                    "",
                ]
    return lines


def _settings(summary: dict[str, Any]) -> list[str]:
    t = summary.get("target") or {}
    return [
        "",
        "## Declared settings",
        "",
        "| setting | value |",
        "| --- | --- |",
        *[f"| `{k}` | `{_cell(v)}` |" for k, v in (t.get("settings") or {}).items()],
        *[f"| `allow.{k}` | `{str(v).lower()}` |" for k, v in (t.get("allow") or {}).items()],
    ]


def _apis(summary: dict[str, Any]) -> list[str]:
    if not summary.get("apis"):
        return []
    lines = [
        "",
        "## API coverage",
        "",
        "| API | valid run | valid passed | edge run | edge passed |",
        "| --- | --- | --- | --- | --- |",
    ]
    for a in summary["apis"]:
        lines.append(
            f"| {a['name']} | {a['valid']['run']} | {a['valid']['passed']} | {a['edge']['run']} | "
            f"{a['edge']['passed']} |"
        )
    return lines


def _checks(summary: dict[str, Any]) -> list[str]:
    rows = facts.check_rows(summary)
    if not rows:
        return []
    lines = ["", "## Checks on every exchange", "", f"{facts.checks_sentence(summary)} (docs/checks.md).", ""]
    lines += ["| check | state | answers judged | failed | rule |", "| --- | --- | --- | --- | --- |"]
    for r in rows:
        lines.append(f"| `{r['name']}` | {r['state']} | {r['judged']} | {r['failed']} | {_cell(r['rule'])} |")
    return lines


def _selfcheck(summary: dict[str, Any]) -> list[str]:
    blocks = facts.selfcheck_suites(summary)
    if not blocks:
        return []
    lines = ["", "## Self-check", "", f"Kill rate: {facts.kill_rate_line(summary)}.", ""]
    lines += ["| Suite | Baseline | Detected | Must reach | Missed |", "| --- | --- | --- | --- | --- |"]
    for b in blocks:
        missed = ", ".join(f"`{m}`" for m in b["missed"]) or "none"
        base = "passed" if b.get("baseline_passed") else "**FAILED**"
        lines.append(
            f"| {facts.SUITE_LABELS.get(b['suite'], b['suite'])} | {base} "
            f"| {b['detected']}/{b['total']} ({round(100 * float(b['kill_rate']))} %) "
            f"| {round(100 * float(b['target']))} % | {missed} |"
        )
    for b in blocks:
        lines += [
            "",
            f"### {facts.SUITE_LABELS.get(b['suite'], b['suite']).capitalize()}",
            "",
            f"Baseline passed: {b.get('baseline_passed')}",
            "",
            "| Fault | Detected | Failed tests |",
            "| --- | --- | --- |",
        ]
        for f in b["faults"]:
            result = "yes" if f.get("detected") else "**MISSED**"
            if not f.get("detected") and f.get("error"):
                result = "**could not run** (" + str(f["error"]).replace("|", "\\|") + ")"
            lines.append(f"| `{f['id']}` | {result} | {len(f.get('failed_tests') or [])} |")
    return lines


def _load(summary: dict[str, Any]) -> list[str]:
    load = summary.get("load")
    if not load:
        return []
    lines = [
        "",
        "## Load",
        "",
        "| API | requests | failures | rps | p50 ms | p95 ms | p99 ms |",
        "| --- | --- | --- | --- | --- | --- | --- |",
    ]
    for a in load.get("apis", []):
        lines.append(
            f"| {a['name']} | {a['requests']} | {a['failures']} | {a['rps']:.1f} | {a['p50_ms']} | "
            f"{a['p95_ms']} | {a['p99_ms']} |"
        )
    cut = load.get("budget_spent") or {}
    if cut.get("note"):
        lines += ["", f"**{str(cut['note'])[0].upper()}{str(cut['note'])[1:]}.**"]
    if load.get("interrupted"):
        lines += ["", f"**{facts.INTERRUPTED_LOAD}**"]
    gates = load.get("gates") or []
    if gates:
        lines += ["", "### CI gates", "", "| gate | result | detail |", "| --- | --- | --- |"]
        lines += [
            f"| {_gate_name(g)} | {'✅ PASS' if g.get('passed') else '❌ FAIL'} | {_cell(g.get('message', ''))} |"
            for g in gates
        ]
    return lines


def _cleanup(summary: dict[str, Any]) -> list[str]:
    cleanup = summary.get("cleanup")
    if not cleanup:
        return []
    lines = [
        "",
        "## Clean-up",
        "",
        f"Ledger {', '.join(cleanup.get('ledger', []))}: {_cell(facts.cleanup_line(summary))}.",
        "",
    ]
    for note in facts.cleanup_notes(summary):
        lines += [f"- {_cell(note)}"]
    if cleanup.get("left"):
        lines += ["", "| kind | ID | name | site | why |", "| --- | --- | --- | --- | --- |"]
        lines += [
            f"| {x['kind']} | `{x['id']}` | {_cell(x.get('name') or '')} | {x['site']} | "
            f"{_cell(x.get('reason') or '')} |"
            for x in cleanup["left"]
        ]
    for x in cleanup.get("unresolved_intents", []):
        lines.append(f"- unknown outcome: {x.get('api')} {_cell(x.get('name') or '')} on {x.get('site')}")
    return lines


def render_markdown(summary: dict[str, Any]) -> str:
    """``summary.md`` for a ``summary.json`` record."""
    lines = [
        *_head(summary),
        *_scope(summary),
        *_behaviours(summary),
        *_settings(summary),
        *_apis(summary),
        *_checks(summary),
        *_selfcheck(summary),
        *_load(summary),
        *_cleanup(summary),
    ]
    return "\n".join(lines) + "\n"


__all__ = ["documents_text", "render_markdown"]
