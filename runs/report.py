"""The run's report folder (``reports/<run-id>/``, or ``--out DIR``) and its summary.

``summary.json`` is the machine-readable record other tools read; its shape only grows::

    {"run_id", "started", "finished",
     "target": {"name", "kind", "xml_url", "rest_url", "site_name", "settings", "allow", "budget",
                "cleanup_prefix"},
     "seed", "profile": null | "smoke" | "standard" | "full",
     "plan": null | {"profile", "default", "kind", "tests", "requests", "estimated", "budget", "reserve", "target"},
     "harness_version", "exit_code", "verdict",
     "behaviours": [{"id", "title", "source", "status", "reason", "tests"}],
     "apis": [{"name", "valid": {"run", "passed"}, "edge": {"run", "passed"}}],
     "tests": {"passed", "failed", "skipped"}, "selfcheck": null | {...}, "load": null | {...},
     "cleanup": null | {"ledger", "created", "by_kind", "deleted_by_tests", "removed_by_cleanup",
                        "left": [...], "unresolved_intents": [...]},
     "budget": null | {"max_requests", "used", "workers", "split"?, "pools"?}, "sites": [names]}

Next to it ``summary.md`` and ``summary.html`` (:mod:`runs.html_report`, self-contained) say
the same for people. Every text written is masked (:class:`webex.masking.SecretSet`).

A behaviour's status is ``failed`` if any of its tests failed, ``passed`` if at least one passed
and none failed, ``skipped`` (with the first skip reason) if all were skipped, and
``not covered`` if no test is marked with it in this run.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from webex_harness.runs.html_report import profile_text, render_html
from webex_harness.webex import __version__
from webex_harness.webex.behaviours import behaviours
from webex_harness.webex.masking import SecretSet
from webex_harness.workspace.results import TestResult, load_results
from webex_harness.workspace.run_folder import Run

if TYPE_CHECKING:
    from webex_harness.runs.selfcheck import SelfcheckReport


def _ledger_summary(run_dir: Path) -> dict[str, Any] | None:
    """The ledger's clean-up summary; imported here so that the CLI's argument checks do not load
    the HTTP client stack (they answer a typo in well under a second)."""
    from webex_harness.client.journal import summarise

    return summarise(run_dir)


def budget_usage(run_dir: Path) -> dict[str, Any] | None:
    """Requests the run sent: from its shared counter (``budget.json``: the split between the
    phases and what each pool used), else from its pytest processes' ``budget-<worker>.json``."""
    from webex_harness.workspace.budget import read_counter

    records = []
    for path in sorted(run_dir.glob("budget-*.json")):
        try:
            records.append(json.loads(path.read_text()))
        except (OSError, ValueError):
            continue
    counter = read_counter(run_dir)
    if counter is not None:
        return {
            "max_requests": counter["total"],
            "used": counter["used"],
            "workers": len(records),
            "split": counter.get("split"),
            "pools": {
                name: {"limit": p.get("limit"), "used": p.get("used", 0)}
                for name, p in counter["pools"].items()
                if isinstance(p, dict)
            },
        }
    if not records:
        return None
    return {
        "max_requests": records[0].get("max_requests"),
        "workers": len(records),
        "used": sum(int(r.get("tests_used", 0)) + int(r.get("cleanup_used", 0)) for r in records),
    }


def sites_used(run_dir: Path) -> list[str]:
    """The sites the run's tests talked to (``sites-<worker>.json``)."""
    names: list[str] = []
    for path in sorted(run_dir.glob("sites-*.json")):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        names += [data.get("default", ""), *data.get("created", [])]
    return [n for n in dict.fromkeys(names) if n]


def behaviour_rows(results: Iterable[TestResult]) -> list[dict[str, Any]]:
    by_id: dict[str, list[TestResult]] = {}
    for r in results:
        for bid in r.behaviours:
            by_id.setdefault(bid, []).append(r)
    rows = []
    for b in behaviours():
        tests = by_id.get(b.id, [])
        failed = [t for t in tests if t.outcome == "failed"]
        passed = [t for t in tests if t.outcome == "passed"]
        skipped = [t for t in tests if t.outcome == "skipped"]
        if failed:
            status, reason = "failed", failed[0].reason
        elif passed:
            status, reason = "passed", ""
        elif skipped:
            status, reason = "skipped", skipped[0].reason
        else:
            status, reason = "not covered", "no contract test marked with this ID ran"
        rows.append(
            {
                "id": b.id,
                "title": b.title,
                "source": b.source,
                "status": status,
                "reason": reason,
                "tests": [
                    {"nodeid": t.nodeid, "outcome": t.outcome, "reason": t.reason, "evidence": t.evidence}
                    for t in tests
                ],
            }
        )
    return rows


def api_rows(results: Iterable[TestResult]) -> list[dict[str, Any]]:
    """Per-API coverage from tests that carry an ``api`` and a ``case`` kind (valid/edge)."""
    table: dict[str, dict[str, dict[str, int]]] = {}
    for r in results:
        api = r.api
        if not api:
            continue
        kind = "edge" if r.case == "edge" else "valid"
        row = table.setdefault(api, {"valid": {"run": 0, "passed": 0}, "edge": {"run": 0, "passed": 0}})
        if r.outcome in ("passed", "failed"):
            row[kind]["run"] += 1
            row[kind]["passed"] += r.outcome == "passed"
    return [{"name": name, **row} for name, row in table.items()]


def write_summary(
    run: Run,
    *,
    exit_code: int,
    verdict: str,
    load: dict[str, Any] | None = None,
    selfcheck: SelfcheckReport | None = None,
    plan: dict[str, Any] | None = None,
) -> Path:
    """Write ``summary.json``, ``summary.md`` and ``summary.html`` into the run folder; return the
    Markdown path."""
    results = load_results(run.dir)
    env = run.environment
    counts = {k: sum(1 for r in results if r.outcome == k) for k in ("passed", "failed", "skipped")}
    declared = env.describe()
    summary = {
        "run_id": run.run_id,
        "started": run.started,
        "finished": datetime.now(UTC).isoformat(timespec="seconds"),
        "target": {
            "name": env.name,
            "kind": env.target,
            "xml_url": env.xml_url,
            "rest_url": env.rest_url,
            "site_name": env.site_name,
            "settings": env.settings.to_dict(),
            "allow": declared["allow"],
            "budget": declared["budget"],
            "cleanup_prefix": env.cleanup_prefix,
        },
        "seed": run.seed,
        "profile": plan["profile"] if plan else None,
        "plan": plan,
        "harness_version": __version__,
        "exit_code": exit_code,
        "verdict": verdict,
        "tests": counts,
        "behaviours": behaviour_rows(results),
        "apis": api_rows(results),
        "selfcheck": selfcheck,
        "load": load,
        "cleanup": _ledger_summary(run.dir),
        "budget": budget_usage(run.dir),
        "sites": sites_used(run.dir),
    }
    return write_renderings(run.dir, summary, SecretSet(env.secrets()))


def write_renderings(run_dir: Path, summary: dict[str, Any], secrets: SecretSet) -> Path:
    """``summary.json``, ``summary.md`` and ``summary.html`` of a summary record, masked."""
    text = secrets.mask(json.dumps(summary, indent=2, ensure_ascii=False))
    (run_dir / "summary.json").write_text(text + "\n", encoding="utf-8")
    (run_dir / "summary.html").write_text(secrets.mask(render_html(summary)), encoding="utf-8")
    path = run_dir / "summary.md"
    path.write_text(secrets.mask(render_markdown(summary)), encoding="utf-8")
    return path


def rerender(run_dir: Path) -> Path:
    """Render ``summary.md`` and ``summary.html`` again from the folder's ``summary.json``."""
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    return write_renderings(run_dir, summary, SecretSet())


_ICON = {"passed": "✅ passed", "failed": "❌ failed", "skipped": "⏭ skipped", "not covered": "… not covered"}


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;")


def _fence(text: str) -> str:
    """A fenced block that the text cannot close."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text}\n{fence}"


def _gate_name(gate: dict[str, Any]) -> str:
    """``p95_ms GetSessionInfo`` / ``failure_ratio (whole run)`` for a ``load.json`` gate row."""
    return _cell(f"{gate.get('name')} {gate.get('api') or '(whole run)'}")


def render_markdown(summary: dict[str, Any]) -> str:
    t = summary["target"]
    budget = t.get("budget") or {}
    used = (summary.get("budget") or {}).get("used")
    lines = [
        f"# webex-harness run {summary['run_id']}",
        "",
        f"**Verdict:** {summary['verdict']}  ",
        f"**Target:** {t['name']} ({t['kind']}) — site `{t['site_name']}` — {t['xml_url']}  ",
        f"**Harness:** {summary['harness_version']} · seed {summary['seed']} · started {summary['started']}  ",
        f"**Tests:** {summary['tests']['passed']} passed, {summary['tests']['failed']} failed, "
        f"{summary['tests']['skipped']} skipped  ",
        f"**Budget:** {budget.get('max_requests', '?')} requests / {budget.get('max_seconds', '?')} s"
        + (f" (used {used})" if used is not None else "")
        + ("  " if summary.get("plan") else ""),
        *([f"**Profile:** {profile_text(summary['plan'])}"] if summary.get("plan") else []),
        "",
        "## Declared settings",
        "",
        "| setting | value |",
        "| --- | --- |",
        *[f"| `{k}` | `{_cell(v)}` |" for k, v in (t.get("settings") or {}).items()],
        *[f"| `allow.{k}` | `{str(v).lower()}` |" for k, v in (t.get("allow") or {}).items()],
        "",
        "## Behaviours",
        "",
        "| ID | Title | Source | Status | Reason |",
        "| --- | --- | --- | --- | --- |",
    ]
    for b in summary["behaviours"]:
        lines.append(
            f"| `{b['id']}` | {_cell(b['title'])} | {_cell(b['source'])} | {_ICON[b['status']]} | "
            f"{_cell(b['reason'])} |"
        )
    failures = [(b, t) for b in summary["behaviours"] for t in b["tests"] if t["outcome"] == "failed"]
    if failures:
        lines += ["", "## Evidence of failures", ""]
        for b, test in failures:
            lines += [f"### `{b['id']}` — {_cell(test['nodeid'])}", "", _cell(test["reason"]), ""]
            for ex in test["evidence"][-2:]:
                lines += [
                    f"{_cell(ex['api'])} → HTTP {ex['http_status']}",
                    "",
                    _fence(ex["request"][:3000]),
                    "",
                    _fence(ex["response"][:3000]),
                    "",
                ]
    if summary["apis"]:
        lines += [
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
    if summary.get("selfcheck"):
        sc = summary["selfcheck"]
        lines += [
            "",
            "## Self-check",
            "",
            f"Baseline passed: {sc['baseline_passed']}",
            "",
            "| Fault | Detected | Failed tests |",
            "| --- | --- | --- |",
        ]
        for f in sc["faults"]:
            lines.append(f"| `{f['id']}` | {'yes' if f['detected'] else '**MISSED**'} | {len(f['failed_tests'])} |")
    if summary.get("load"):
        load = summary["load"]
        lines += [
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
        gates = load.get("gates") or []
        if gates:
            lines += ["", "### CI gates", "", "| gate | result | detail |", "| --- | --- | --- |"]
            lines += [
                f"| {_gate_name(g)} | {'✅ PASS' if g.get('passed') else '❌ FAIL'} | {_cell(g.get('message', ''))} |"
                for g in gates
            ]
    cleanup = summary.get("cleanup")
    if cleanup:
        lines += [
            "",
            "## Clean-up",
            "",
            f"Ledger {', '.join(cleanup.get('ledger', []))}: {cleanup['created']} object(s) created, "
            f"{cleanup['deleted_by_tests']} deleted by the tests, {cleanup['removed_by_cleanup']} removed by "
            f"clean-up, {cleanup.get('found_gone_by_cleanup', 0)} found gone (with their session), "
            f"{len(cleanup['left'])} left.",
            "",
        ]
        if cleanup["left"]:
            lines += ["| kind | ID | name | site | why |", "| --- | --- | --- | --- | --- |"]
            lines += [
                f"| {x['kind']} | `{x['id']}` | {_cell(x.get('name') or '')} | {x['site']} | "
                f"{_cell(x.get('reason') or '')} |"
                for x in cleanup["left"]
            ]
        for x in cleanup.get("unresolved_intents", []):
            lines.append(f"- unknown outcome: {x.get('api')} {_cell(x.get('name') or '')} on {x.get('site')}")
    return "\n".join(lines) + "\n"
