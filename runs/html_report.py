"""``summary.html``: the certification report of a run, as one self-contained page a vendor can hand
to a customer, on screen or printed (A4).

Rendered from the ``summary.json`` record (:mod:`runs.report`), in the words of :mod:`runs.report_facts`
(the same facts as ``summary.md``): a title by target, site and date (the run ID smaller beneath it);
a summary a manager reads — the verdict and what it covers, what ran, the load, the clean-up, what to
do next; what ran (profile, selection, tests run and skipped and why, behaviours not run); every
behaviour with its promise, the documents that state it (linked), its status and reason; the sources
(each document once, with its address); the evidence of each failure (the masked request and answer,
XML and JSON indented); the target and its declared settings; per-API coverage, the self-check, the
load run with its CI gates (PASS/FAIL), and the clean-up, whose numbers add up, with every object left
behind and why.

Inline CSS only, no script, no asset loaded from anywhere: it opens from disk anywhere; the only links
go to the documentation. A print stylesheet lays it out for A4: no sticky headers or clipped blocks,
each major section on a new page, every link's address printed. Every value is HTML-escaped.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

from webex_harness.runs import report_facts as facts
from webex_harness.runs.pretty_evidence import excerpt

_STATUS_CLASS = {"passed": "ok", "failed": "bad", "skipped": "skip", "not run": "none", "not covered": "none"}

_CSS = """
:root { color-scheme: light; --ok:#1a7f37; --bad:#cf222e; --skip:#9a6700; --none:#6e7781; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328;
       background: #f6f8fa; }
header { background: #24292f; color: #fff; padding: 16px 28px; }
header .kicker { text-transform: uppercase; letter-spacing: .08em; font-size: 11px; color: #afb8c1; }
header h1 { margin: 2px 0 4px; font-size: 22px; }
header .meta { font-size: 12px; color: #d0d7de; } header .meta code { font-size: 11px; }
main { padding: 18px 28px 40px; max-width: 1400px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; margin: 0 0 18px; }
h2 { font-size: 16px; margin: 0 0 10px; } h3 { font-size: 14px; margin: 14px 0 6px; }
a { color: #0969da; }
.summary .verdict { font-size: 17px; font-weight: 700; margin: 0 0 6px; }
.summary .verdict.ok { color: var(--ok); } .summary .verdict.bad { color: var(--bad); }
.summary .brief { margin: 0; padding-left: 20px; } .summary .profile { margin: 8px 0 0; color: #57606a; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 5px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600;
         color: #fff; white-space: nowrap; }
.badge.ok { background: var(--ok); } .badge.bad { background: var(--bad); }
.badge.skip { background: var(--skip); } .badge.none { background: var(--none); }
.counts span { margin-right: 14px; }
.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0; }
.kv dt { font-weight: 600; color: #57606a; } .kv dd { margin: 0; }
.behaviours .title { font-weight: 600; } .behaviours .muted { font-size: 12px; }
.docs { margin: 0; padding-left: 16px; }
details { margin: 6px 0; border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; background: #fff; }
details summary { cursor: pointer; font-weight: 600; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow-x: auto;
      white-space: pre-wrap; word-break: break-all; max-height: 420px; overflow-y: auto; font-size: 12px; }
.exchange h4 { margin: 8px 0 2px; font-size: 12px; color: #57606a; }
.reason { color: #57606a; }
.cleanup .sum { font-weight: 600; } .cleanup .note { margin: 6px 0; }
.split { display: grid; grid-template-columns: minmax(320px, 1fr) minmax(320px, 1fr); gap: 24px; align-items: start; }
.split table td, .split table th { padding: 2px 8px; }
.muted { color: #6e7781; }
@page { size: A4; margin: 14mm 12mm; }
@media print {
  body { background: #fff; font-size: 10pt; }
  header { background: none; color: #000; padding: 0 0 6px; border-bottom: 2px solid #000; }
  header .kicker, header .meta { color: #444; }
  main { padding: 8px 0 0; max-width: none; }
  section { border: none; border-radius: 0; padding: 0; margin: 0 0 12px; }
  section.behaviours, section.evidence, section.target, section.apis, section.load, section.selfcheck,
  section.cleanup {
    break-before: page; }
  th { position: static; }
  thead { display: table-header-group; }
  tr, dl, .summary, details summary, .exchange h4 { break-inside: avoid; }
  pre { max-height: none; overflow: visible; white-space: pre-wrap; word-break: break-all; }
  details { border: none; padding: 0; }
  a { color: #000; text-decoration: underline; }
  a[href^="http"]::after { content: " <" attr(href) ">"; font-size: 8pt; color: #444; word-break: break-all; }
  .badge { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  .split { grid-template-columns: 1fr 1fr; }
}
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _badge(status: str, label: str | None = None) -> str:
    return f'<span class="badge {_STATUS_CLASS.get(status, "none")}">{_e(label or status)}</span>'


def _kv(pairs: list[tuple[str, Any]]) -> str:
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in pairs)
    return f'<dl class="kv">{rows}</dl>'


def _table(
    headers: list[str], rows: list[list[str]], numeric: set[int] | None = None, widths: list[str] | None = None
) -> str:
    numeric = numeric or set()
    cols = "".join(f'<col style="width:{w}">' for w in widths) if widths else ""
    head = "".join(f"<th{' class=num' if i in numeric else ''}>{_e(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{' class=num' if i in numeric else ''}>{c}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    colgroup = f"<colgroup>{cols}</colgroup>" if cols else ""
    return f"<table>{colgroup}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _target(summary: dict[str, Any]) -> str:
    t = summary.get("target", {})
    pairs: list[tuple[str, Any]] = [
        ("Target", f"{_e(t.get('name'))} ({_e(t.get('kind'))})"),
        ("Site", f"<code>{_e(t.get('site_name'))}</code>"),
        ("XML API", f"<code>{_e(t.get('xml_url'))}</code>"),
        ("REST API", f"<code>{_e(t.get('rest_url'))}</code>"),
        ("Harness", _e(summary.get("harness_version"))),
        ("Seed", _e(summary.get("seed"))),
        ("Started", _e(summary.get("started"))),
        ("Finished", _e(summary.get("finished"))),
    ]
    allow = t.get("allow")
    if allow:
        pairs.append(("Allowed", _e(", ".join(f"{k}: {str(v).lower()}" for k, v in allow.items()))))
    budget = t.get("budget")
    if budget:
        used = summary.get("budget") or {}
        spent = f" — used {used.get('used')}" if used.get("used") is not None else ""
        pairs.append(("Budget", _e(f"{budget.get('max_requests')} requests, {budget.get('max_seconds')} s{spent}")))
    settings = t.get("settings") or {}
    rows = [[f"<code>{_e(k)}</code>", f"<code>{_e(json.dumps(v))}</code>"] for k, v in settings.items()]
    return (
        "<section class='target'><h2>Target and declared settings</h2><div class='split'>"
        + _kv(pairs)
        + (f"<div>{_table(['declared setting', 'value'], rows)}</div>" if rows else "")
        + "</div></section>"
    )


def _evidence(test: dict[str, Any]) -> str:
    parts = []
    for ex in test.get("evidence", [])[-3:]:
        parts.append(
            f"<div class='exchange'><p><code>{_e(ex.get('api'))}</code> → HTTP {_e(ex.get('http_status'))}</p>"
            f"<h4>Request</h4><pre>{_e(excerpt(ex.get('request')))}</pre>"
            f"<h4>Answer</h4><pre>{_e(excerpt(ex.get('response')))}</pre></div>"
        )
    return "".join(parts) or '<p class="muted">no exchange was recorded</p>'


def _documents(b: dict[str, Any]) -> str:
    """A behaviour's documents, each its title (and section) linking to the page."""
    docs = b.get("documents")
    if not docs:
        return _e(b.get("source"))
    items = []
    for d in docs:
        title = _e(d.get("title"))
        if d.get("url"):
            title = f'<a href="{_e(d["url"])}" rel="noreferrer">{title}</a>'
        section = f", {_e(d['section'])}" if d.get("section") else ""
        items.append(f"<li>{title}{section}</li>")
    return f'<ul class="docs">{"".join(items)}</ul>'


def _behaviours(summary: dict[str, Any]) -> str:
    rows = []
    failures = []
    for b in summary.get("behaviours", []):
        reason = f'<div class="reason">{_e(b.get("reason"))}</div>' if b.get("reason") else ""
        area = f'<div class="muted">{_e(b["area"])}</div>' if b.get("area") else ""
        rows.append(
            [
                f'<code id="b-{_e(b["id"])}">{_e(b["id"])}</code><div class="title">{_e(b.get("title"))}</div>{area}',
                f'<span class="promise">{_e(b.get("promise"))}</span>' if b.get("promise") else "",
                _documents(b),
                _badge(b.get("status", "not covered")) + reason,
            ]
        )
        for t in b.get("tests", []):
            if t.get("outcome") == "failed":
                failures.append(
                    f"<details open><summary><code>{_e(b['id'])}</code> — {_e(t.get('nodeid'))}</summary>"
                    f"<p class='reason'>{_e(t.get('reason'))}</p>{_evidence(t)}</details>"
                )
    s = facts.scope(summary)
    head = " ".join(f"<span>{_badge(k)} {n}</span>" for k, n in s.counts.items() if n)
    html = (
        f"<section class='behaviours'><h2>Behaviours</h2><p class='counts'>{head}</p>"
        + _table(["Behaviour", "Promise", "Documented in", "Status"], rows, widths=["19%", "41%", "26%", "14%"])
        + "</section>"
    )
    html += _sources(summary)
    if failures:
        html += "<section class='evidence'><h2>Evidence of failures</h2>" + "".join(failures) + "</section>"
    return html


def _sources(summary: dict[str, Any]) -> str:
    """Each document the behaviours cite, once: its title and its address (or where to find it)."""
    rows = []
    for d in facts.documents(summary):
        where = f'<a href="{_e(d["url"])}" rel="noreferrer">{_e(d["url"])}</a>' if d.get("url") else _e(d.get("where"))
        rows.append([_e(d.get("title")), where])
    if not rows:
        return ""
    return "<section class='sources'><h2>Sources</h2>" + _table(["document", "where"], rows) + "</section>"


def _summary(summary: dict[str, Any]) -> str:
    """The lines a manager reads: the verdict, what ran, the load, the clean-up, what next."""
    ok, _ = facts.verdict(summary)
    first, *rest = facts.manager_lines(summary)
    plan = summary.get("plan")
    profile = f'<p class="profile">Profile: {_e(facts.profile_text(plan))}</p>' if plan else ""
    items = "".join(f"<li>{_e(line)}</li>" for line in rest)
    return (
        "<section class='summary'><h2>Summary</h2>"
        f'<p class="verdict {"ok" if ok else "bad"}">{_e(first)}</p><ul class="brief">{items}</ul>{profile}'
        "</section>"
    )


def _scope(summary: dict[str, Any]) -> str:
    """What ran: the selection, the tests and why some were skipped, the behaviours not run."""
    if not facts.contracts_ran(summary):
        return ""
    s = facts.scope(summary)
    pairs: list[tuple[str, Any]] = [
        ("Selection", _e(facts.selection_text(summary))),
        ("Tests", _e(facts.tests_sentence(summary))),
        ("Behaviours", _e(s.sentence() + (f"; {s.rest()}" if s.rest() else ""))),
    ]
    certified = facts.release_sentence(summary)
    if certified:
        pairs.append(("API release", _e(certified)))
    html = "<section class='scope'><h2>What ran</h2>" + _kv(pairs)
    groups = facts.skip_groups(summary)
    if groups:
        html += "<h3>Skipped because</h3>" + _table(
            ["reason", "tests"], [[_e(r), _e(n)] for r, n in groups], numeric={1}
        )
    not_run = [b["id"] for b in summary.get("behaviours", []) if b.get("status") == "not run"]
    if not_run:
        links = ", ".join(f'<a href="#b-{_e(i)}"><code>{_e(i)}</code></a>' for i in not_run)
        html += f"<h3>Not run (not in this run's selection)</h3><p>{links}</p>"
    return html + "</section>"


def _apis(summary: dict[str, Any]) -> str:
    apis = summary.get("apis") or []
    if not apis:
        return ""
    rows = [
        [
            f"<code>{_e(a['name'])}</code>",
            _e(a["valid"]["run"]),
            _e(a["valid"]["passed"]),
            _e(a["edge"]["run"]),
            _e(a["edge"]["passed"]),
        ]
        for a in apis
    ]
    return (
        "<section class='apis'><h2>API coverage</h2>"
        + _table(["API", "valid run", "valid passed", "edge run", "edge passed"], rows, {1, 2, 3, 4})
        + "</section>"
    )


def _checks(summary: dict[str, Any]) -> str:
    rows = facts.check_rows(summary)
    if not rows:
        return ""
    cells = [
        [
            f"<code>{_e(r['name'])}</code>",
            _badge("passed" if r["on"] else "skipped", r["state"]),
            _e(r["judged"]),
            _e(r["failed"]),
            _e(r["rule"]),
        ]
        for r in rows
    ]
    return (
        f"<section class='checks'><h2>Checks on every exchange</h2><p>{_e(facts.checks_sentence(summary))}</p>"
        + _table(["check", "state", "answers judged", "failed", "rule"], cells, {2, 3})
        + "</section>"
    )


def _selfcheck(summary: dict[str, Any]) -> str:
    blocks = facts.selfcheck_suites(summary)
    if not blocks:
        return ""
    overview = [
        [
            _e(facts.SUITE_LABELS.get(b["suite"], b["suite"])),
            _badge("passed" if b.get("baseline_passed") else "failed"),
            _e(f"{b['detected']}/{b['total']} ({round(100 * float(b['kill_rate']))} %)"),
            _e(f"{round(100 * float(b['target']))} %"),
            ", ".join(f"<code>{_e(m)}</code>" for m in b["missed"]) or "none",
        ]
        for b in blocks
    ]
    html = (
        f"<section class='selfcheck'><h2>Self-check</h2><p>Kill rate: {_e(facts.kill_rate_line(summary))}</p>"
        + _table(["Suite", "Baseline (no fault)", "Detected", "Must reach", "Missed"], overview, {2, 3})
    )
    for b in blocks:
        rows = [
            [
                f"<code>{_e(f['id'])}</code>",
                _badge("passed", "detected")
                if f.get("detected")
                else _badge("failed", "could not run") + " " + _e(f["error"])
                if f.get("error")
                else _badge("failed", "MISSED"),
                _e(len(f.get("failed_tests", []))),
            ]
            for f in b["faults"]
        ]
        html += f"<h3>{_e(facts.SUITE_LABELS.get(b['suite'], b['suite']).capitalize())}</h3>" + _table(
            ["Fault", "Result", "Failed tests"], rows, {2}
        )
    return html + "</section>"


def _load(summary: dict[str, Any]) -> str:
    load = summary.get("load")
    if not load:
        return ""
    rows = [
        [
            f"<code>{_e(a.get('name'))}</code>",
            _e(a.get("requests")),
            _e(a.get("failures")),
            _e(f"{a.get('rps', 0):.1f}"),
            _e(a.get("p50_ms")),
            _e(a.get("p95_ms")),
            _e(a.get("p99_ms")),
        ]
        for a in load.get("apis", [])
    ]
    info = _e(f"{load.get('users')} users, spawn rate {load.get('spawn_rate')}/s, {load.get('run_time')}")
    cut = load.get("budget_spent") or {}
    if cut.get("note"):
        info += f"</p><p><strong>{_e(cut['note'])}</strong>"
    if load.get("interrupted"):
        info += f"</p><p><strong>{_e(facts.INTERRUPTED_LOAD)}</strong>"
    gates = load.get("gates") or []
    gate_html = ""
    if gates:
        gate_rows = [
            [
                f"<code>{_e(g.get('name'))}</code> {_e(g.get('api') or '(whole run)')}",
                _badge("passed", "PASS") if g.get("passed") else _badge("failed", "FAIL"),
                _e(g.get("message")),
            ]
            for g in gates
        ]
        gate_html = "<h3>CI gates</h3>" + _table(["gate", "result", "detail"], gate_rows)
    return (
        f"<section class='load'><h2>Load</h2><p>{info}</p>"
        + _table(["API", "requests", "failures", "rps", "p50 ms", "p95 ms", "p99 ms"], rows, {1, 2, 3, 4, 5, 6})
        + gate_html
        + "</section>"
    )


def _cleanup(summary: dict[str, Any]) -> str:
    c = summary.get("cleanup")
    if not c:
        return ""
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(c.get("by_kind", {}).items()))
    left = c.get("left") or []
    pairs = [
        ("Ledger", _e(", ".join(c.get("ledger", [])))),
        ("Created", _e(f"{c.get('created', 0)} ({kinds})" if kinds else c.get("created", 0))),
        ("Deleted by the tests", _e(c.get("deleted_by_tests", 0))),
        ("Removed by clean-up", _e(c.get("removed_by_cleanup", 0))),
        ("Found gone by clean-up", _e(c.get("found_gone_by_cleanup", 0))),
        ("Left", _e(len(left))),
    ]
    if c.get("found_by_name"):
        pairs.insert(2, ("Found by name", _e(c["found_by_name"])))
    html = (
        "<section class='cleanup'><h2>Clean-up</h2>"
        f"<p class='sum'>{_e(facts.cleanup_line(summary))}</p>"
        + _kv(pairs)
        + "".join(f"<p class='note'>{_e(n)}</p>" for n in facts.cleanup_notes(summary))
    )
    if left:
        rows = [
            [
                _e(x.get("kind")),
                f"<code>{_e(x.get('id'))}</code>",
                _e(x.get("name")),
                _e(x.get("site")),
                _e(x.get("reason")),
            ]
            for x in left
        ]
        html += "<h3>Left on the target</h3>" + _table(["kind", "ID", "name", "site", "why"], rows)
    unresolved = c.get("unresolved_intents") or []
    if unresolved:
        rows = [[_e(x.get("api")), _e(x.get("name")), _e(x.get("site"))] for x in unresolved]
        html += "<h3>Creates with unknown outcome</h3>" + _table(["API", "name", "site"], rows)
    return html + "</section>"


def render_html(summary: dict[str, Any]) -> str:
    """The whole page for a ``summary.json`` record."""
    title = facts.report_title(summary)
    meta = (
        f"run <code>{_e(summary.get('run_id'))}</code> · webex-harness {_e(summary.get('harness_version'))} · "
        f"seed {_e(summary.get('seed'))} · started {_e(summary.get('started'))}"
    )
    body = "".join(
        [
            _summary(summary),
            _scope(summary),
            _behaviours(summary),
            _target(summary),
            _apis(summary),
            _checks(summary),
            _selfcheck(summary),
            _load(summary),
            _cleanup(summary),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        f'<header><div class="kicker">Certification report</div><h1>{_e(title)}</h1>'
        f'<div class="meta">{meta}</div></header><main>{body}</main></body></html>\n'
    )
