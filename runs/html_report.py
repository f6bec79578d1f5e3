"""``summary.html``: the certification report of a run, as one self-contained page.

Rendered from the ``summary.json`` record (:mod:`runs.report`): the target and what it declares,
the harness version and seed, every behaviour ID with its title, source and status (the reason of a
skip or a failure, "not covered" when no test ran for it) and — in a collapsible ``<details>`` —
the masked request and response of each failure; per-API coverage, the self-check, the load run
(with its CI gates, PASS/FAIL) and the clean-up. Inline CSS only, no script, no external asset: it
opens from disk anywhere. Every value is HTML-escaped.
"""

from __future__ import annotations

import json
from html import escape
from typing import Any

_STATUS_CLASS = {"passed": "ok", "failed": "bad", "skipped": "skip", "not covered": "none"}

_CSS = """
:root { color-scheme: light; --ok:#1a7f37; --bad:#cf222e; --skip:#9a6700; --none:#6e7781; --line:#d0d7de; }
* { box-sizing: border-box; }
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1f2328;
       background: #f6f8fa; }
header { background: #24292f; color: #fff; padding: 18px 28px; }
header h1 { margin: 0 0 4px; font-size: 20px; }
header .verdict { font-size: 16px; font-weight: 600; }
header .verdict.ok { color: #7ee787; } header .verdict.bad { color: #ff9492; }
main { padding: 18px 28px 40px; max-width: 1400px; }
section { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: 14px 18px; margin: 0 0 18px; }
h2 { font-size: 16px; margin: 0 0 10px; }
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
.kv { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; }
.kv dt { font-weight: 600; color: #57606a; } .kv dd { margin: 0; }
details { margin: 6px 0; border: 1px solid var(--line); border-radius: 6px; padding: 4px 10px; background: #fff; }
details summary { cursor: pointer; font-weight: 600; }
pre { background: #f6f8fa; border: 1px solid var(--line); border-radius: 6px; padding: 8px; overflow-x: auto;
      white-space: pre-wrap; word-break: break-all; max-height: 420px; overflow-y: auto; }
.reason { color: #57606a; }
.split { display: grid; grid-template-columns: minmax(320px, 1fr) minmax(320px, 1fr); gap: 24px; align-items: start; }
.split table td, .split table th { padding: 2px 8px; }
.muted { color: #6e7781; }
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _badge(status: str, label: str | None = None) -> str:
    return f'<span class="badge {_STATUS_CLASS.get(status, "none")}">{_e(label or status)}</span>'


def _kv(pairs: list[tuple[str, Any]]) -> str:
    rows = "".join(f"<dt>{_e(k)}</dt><dd>{v}</dd>" for k, v in pairs)
    return f'<dl class="kv">{rows}</dl>'


def _table(headers: list[str], rows: list[list[str]], numeric: set[int] | None = None) -> str:
    numeric = numeric or set()
    head = "".join(f"<th{' class=num' if i in numeric else ''}>{_e(h)}</th>" for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f"<td{' class=num' if i in numeric else ''}>{c}</td>" for i, c in enumerate(row)) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


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
        "<section><h2>Target and declared settings</h2><div class='split'>"
        + _kv(pairs)
        + (f"<div>{_table(['declared setting', 'value'], rows)}</div>" if rows else "")
        + "</div></section>"
    )


def _evidence(test: dict[str, Any]) -> str:
    parts = []
    for ex in test.get("evidence", [])[-3:]:
        parts.append(
            f"<p><code>{_e(ex.get('api'))}</code> → HTTP {_e(ex.get('http_status'))}</p>"
            f"<pre>{_e(str(ex.get('request', ''))[:6000])}</pre><pre>{_e(str(ex.get('response', ''))[:6000])}</pre>"
        )
    return "".join(parts) or '<p class="muted">no exchange was recorded</p>'


def _behaviours(summary: dict[str, Any]) -> str:
    rows = []
    failures = []
    for b in summary.get("behaviours", []):
        reason = f'<span class="reason">{_e(b.get("reason"))}</span>' if b.get("reason") else ""
        rows.append(
            [
                f'<code id="b-{_e(b["id"])}">{_e(b["id"])}</code>',
                _e(b.get("title")),
                _e(b.get("source")),
                _badge(b.get("status", "not covered")),
                reason,
            ]
        )
        for t in b.get("tests", []):
            if t.get("outcome") == "failed":
                failures.append(
                    f"<details><summary><code>{_e(b['id'])}</code> — {_e(t.get('nodeid'))}</summary>"
                    f"<p class='reason'>{_e(t.get('reason'))}</p>{_evidence(t)}</details>"
                )
    counts: dict[str, int] = {}
    for b in summary.get("behaviours", []):
        counts[b.get("status", "")] = counts.get(b.get("status", ""), 0) + 1
    head = " ".join(f"<span>{_badge(k)} {n}</span>" for k, n in sorted(counts.items()))
    html = (
        f"<section><h2>Behaviours</h2><p class='counts'>{head}</p>"
        + _table(["ID", "Title", "Source", "Status", "Reason"], rows)
        + "</section>"
    )
    if failures:
        html += "<section><h2>Evidence of failures</h2>" + "".join(failures) + "</section>"
    return html


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
        "<section><h2>API coverage</h2>"
        + _table(["API", "valid run", "valid passed", "edge run", "edge passed"], rows, {1, 2, 3, 4})
        + "</section>"
    )


def _selfcheck(summary: dict[str, Any]) -> str:
    sc = summary.get("selfcheck")
    if not sc:
        return ""
    rows = [
        [
            f"<code>{_e(f['id'])}</code>",
            _badge("passed", "detected") if f.get("detected") else _badge("failed", "MISSED"),
            _e(len(f.get("failed_tests", []))),
        ]
        for f in sc.get("faults", [])
    ]
    base = "passed" if sc.get("baseline_passed") else "failed"
    return (
        f"<section><h2>Self-check</h2><p>Baseline (no fault): {_badge(base)}</p>"
        + _table(["Fault", "Result", "Failed tests"], rows, {2})
        + "</section>"
    )


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
        gate_html = "<h2 style='margin-top:14px'>CI gates</h2>" + _table(["gate", "result", "detail"], gate_rows)
    return (
        f"<section><h2>Load</h2><p>{info}</p>"
        + _table(["API", "requests", "failures", "rps", "p50 ms", "p95 ms", "p99 ms"], rows, {1, 2, 3, 4, 5, 6})
        + gate_html
        + "</section>"
    )


def _cleanup(summary: dict[str, Any]) -> str:
    c = summary.get("cleanup")
    if not c:
        return ""
    kinds = ", ".join(f"{k} {n}" for k, n in sorted(c.get("by_kind", {}).items()))
    pairs = [
        ("Ledger", _e(", ".join(c.get("ledger", [])))),
        ("Created", _e(f"{c.get('created', 0)} ({kinds})" if kinds else c.get("created", 0))),
        ("Deleted by the tests", _e(c.get("deleted_by_tests", 0))),
        ("Removed by clean-up", _e(c.get("removed_by_cleanup", 0))),
        ("Found gone by clean-up", _e(c.get("found_gone_by_cleanup", 0))),
    ]
    html = "<section><h2>Clean-up</h2>" + _kv(pairs)
    left = c.get("left") or []
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
        html += "<h2 style='margin-top:14px'>Left on the target</h2>" + _table(
            ["kind", "ID", "name", "site", "why"], rows
        )
    unresolved = c.get("unresolved_intents") or []
    if unresolved:
        rows = [[_e(x.get("api")), _e(x.get("name")), _e(x.get("site"))] for x in unresolved]
        html += "<h2 style='margin-top:14px'>Creates with unknown outcome</h2>" + _table(["API", "name", "site"], rows)
    return html + "</section>"


def profile_text(plan: dict[str, Any]) -> str:
    """``smoke (the default on a site) — 74 tests, ~310 requests estimated, budget 500``."""
    default = (
        f" (the default on {'the emulator' if plan.get('target') == 'emulator' else 'a site'})"
        if plan.get("default")
        else ""
    )
    budget = f", budget {plan['budget']}" if plan.get("budget") is not None else ""
    count = int(plan.get("tests") or 0)
    return (
        f"{plan.get('profile')}{default} — {count} test{'s' if count != 1 else ''}, "
        f"~{plan.get('requests')} requests estimated{budget}"
    )


def render_html(summary: dict[str, Any]) -> str:
    """The whole page for a ``summary.json`` record."""
    verdict = str(summary.get("verdict", ""))
    ok = summary.get("exit_code", 1) == 0
    tests = summary.get("tests", {})
    counts = (
        f"{_e(tests.get('passed', 0))} passed · {_e(tests.get('failed', 0))} failed · "
        f"{_e(tests.get('skipped', 0))} skipped"
    )
    plan = summary.get("plan")
    profile = f'<div class="profile">Profile: {_e(profile_text(plan))}</div>' if plan else ""
    body = "".join(
        [
            _target(summary),
            _behaviours(summary),
            _apis(summary),
            _selfcheck(summary),
            _load(summary),
            _cleanup(summary),
        ]
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>webex-harness run {_e(summary.get('run_id'))}</title><style>{_CSS}</style></head><body>"
        f"<header><h1>webex-harness run <code>{_e(summary.get('run_id'))}</code></h1>"
        f'<div class="verdict {"ok" if ok else "bad"}">{_e(verdict)}</div>'
        f"<div>{counts}</div>{profile}</header><main>{body}</main></body></html>\n"
    )
