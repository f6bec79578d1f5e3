"""The comparison of two load runs written out: the Markdown for the ticket (verdict first, both
runs, the verdict per threshold, then every metric per API), the before/after SVG chart
(:mod:`runs.svg_chart` draws it) and the files ``compare-<A>-vs-<B>.md`` / ``.svg``.

What the verdicts are and how they are reached is :mod:`runs.compare`'s; this module only shows
them. Stands on :mod:`runs.compare`, :mod:`runs.stats` (the method's constants, quoted in the notes)
and :mod:`runs.svg_chart`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from webex_harness.runs.compare import (
    LATENCY_FLOOR_MS,
    METRICS,
    THRESHOLDS,
    Comparison,
    LoadRun,
    Row,
    Threshold,
    format_limit,
    format_percent,
    format_value,
)
from webex_harness.runs.stats import ALPHA, DRIFT_SHARE, HISTORY_FILE, MIN_REQUESTS, MIN_WINDOWS
from webex_harness.runs.svg_chart import BarPair, Panel, render_before_after

__all__ = ["SETUP_KEYS", "render_markdown", "render_svg", "setup_differences", "write_comparison"]

_BY_METRIC = {t.metric: t for t in THRESHOLDS}


def _cell(value: Any) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ").replace("<", "&lt;").replace(">", "&gt;")


_VERDICT = {
    "regressed": "❌ **regressed**",
    "ok": "✅ ok",
    "improved": "🟢 improved",
    "inconclusive": "❔ inconclusive",
}


def _run_facts(run: LoadRun) -> dict[str, str]:
    summary = run.summary or {}
    target = summary.get("target") or {}
    load = run.load
    total = load.get("total") or {}
    shape = ", ".join(f"{k} {load[k]}" for k in ("scenario", "shape") if load.get(k))
    processes = load.get("processes")
    setup = (
        f"{load.get('users', '?')} users, spawn rate {load.get('spawn_rate', '?')}/s, "
        f"{load.get('run_time', '?')}"
        + (f"; {shape}" if shape else "")
        + (f"; {processes} processes" if processes and processes != 1 else "")
        + ("; **stopped early: its budget share was spent**" if load.get("budget_spent") else "")
        + ("; **interrupted**" if load.get("interrupted") else "")
    )
    return {
        "run": f"`{run.run_id}`",
        "started": str(summary.get("started") or "—"),
        "target": (f"{target.get('name')} ({target.get('kind')}) — {target.get('xml_url')}" if target else "—"),
        "harness": str(summary.get("harness_version") or "—"),
        "load": setup,
        "requests": f"{total.get('requests', '?')} ({total.get('failures', '?')} failed)",
        "file": f"`{run.load_path}`",
    }


#: load.json keys that set a run up: two runs that differ in one measure different things.
SETUP_KEYS = ("users", "spawn_rate", "run_time", "scenario", "shape", "processes", "mix")


def setup_differences(before: LoadRun, after: LoadRun) -> list[str]:
    """``["users 5 → 20", "scenario mixed → calls"]`` for every setup key the runs differ in."""
    out = []
    for key in SETUP_KEYS:
        a, b = before.load.get(key), after.load.get(key)
        if a != b:
            out.append(f"{key} {_short_value(a)} → {_short_value(b)}")
    return out


def _short_value(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, Mapping):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def render_markdown(comparison: Comparison) -> str:
    """The comparison for a ticket: verdict first, both runs, verdict per threshold, then per metric."""
    c = comparison
    lines = [f"# Load comparison: `{c.before.run_id}` → `{c.after.run_id}`", ""]
    if c.regressed:
        lines += [f"**Verdict: ❌ regressed** — {len(c.regressions)} regression(s):", ""]
        lines += [f"- {_cell(r)}" for r in c.regressions]
    elif c.inconclusive:
        lines += ["**Verdict: ❔ inconclusive** — no regression shown, but the runs are too short to tell:", ""]
        lines += [f"- {_cell(r)}" for r in c.inconclusive_reasons]
        if c.improvements:
            lines.append("")
    else:
        lines.append(
            "**Verdict: ✅ ok** — no threshold regressed"
            + (f"; {len(c.improvements)} improvement(s):" if c.improvements else ".")
        )
        if c.improvements:
            lines.append("")
    if c.improvements:
        if c.regressed or c.inconclusive:
            lines += ["", f"{len(c.improvements)} improvement(s):", ""]
        lines += [f"- {_cell(r)}" for r in c.improvements]
    if c.regressed and c.inconclusive_reasons:
        lines += ["", "The runs are too short to tell for the rest:", ""]
        lines += [f"- {_cell(r)}" for r in c.inconclusive_reasons]
    if c.too_few_samples:
        lines += [
            "",
            f"Beyond a limit but too rare to test ({len(c.too_few_samples)}, inconclusive, not counted; "
            "the whole run is judged):",
            "",
        ]
        lines += [f"- {_cell(r)}" for r in c.too_few_samples]
    if c.within_noise:
        lines += ["", f"Beyond a limit but within the run-to-run noise ({len(c.within_noise)}, not counted):", ""]
        lines += [f"- {_cell(r)}" for r in c.within_noise]
    differences = setup_differences(c.before, c.after)
    if differences:
        lines += [
            "",
            f"⚠ The runs were not set up alike ({'; '.join(differences)}): part of every change may be the setup's.",
        ]
    facts_a, facts_b = _run_facts(c.before), _run_facts(c.after)
    lines += ["", "| | before | after |", "| --- | --- | --- |"]
    lines += [f"| {key} | {_cell(facts_a[key])} | {_cell(facts_b[key])} |" for key in facts_a]

    lines += [
        "",
        "## Verdict per threshold",
        "",
        "| threshold | limit | verdict | where |",
        "| --- | --- | --- | --- |",
    ]
    for t in THRESHOLDS:
        limit = float(getattr(c.limits, t.key))
        where = [
            f"{verdict}: "
            + ", ".join(f"{row.label} {_verdict_move(t, row)}" for row in c.rows if row.verdicts.get(t.key) == verdict)
            for verdict in ("regressed", "inconclusive", "improved")
            if any(row.verdicts.get(t.key) == verdict for row in c.rows)
        ]
        lines.append(
            f"| {t.label} (`{t.key}`) | {format_limit(t, limit)} | {_VERDICT[c.overall[t.key]]} | "
            f"{_cell('; '.join(where)) or '—'} |"
        )

    added = [r.name for r in c.rows if r.status == "added"]
    removed = [r.name for r in c.rows if r.status == "removed"]
    if added or removed:
        lines += ["", "## APIs in one run only", ""]
        lines += [f"- added (only in `{c.after.run_id}`): {_cell(name)}" for name in added]
        lines += [f"- removed (only in `{c.before.run_id}`): {_cell(name)}" for name in removed]

    lines += ["", "## Per API", ""]
    for metric, heading, _unit in METRICS:
        threshold = _BY_METRIC.get(metric)
        if threshold:
            limit_text = format_limit(threshold, getattr(c.limits, threshold.key))
            title = f"### {heading} — {threshold.label} limit {limit_text}"
        else:
            title = f"### {heading} — informational, no threshold"
        lines += [
            title,
            "",
            "| API | before | after | change | change % | verdict |",
            "| --- | ---: | ---: | ---: | ---: | --- |",
        ]
        for row in c.rows:
            change = row.changes[metric]
            delta = change.delta
            if row.status in ("added", "removed"):
                moved, pct = row.status, ""
            else:
                moved, pct = _delta_text(delta, metric), format_percent(change.relative(metric))
            verdict = row.verdicts.get(threshold.key, "") if threshold else ""
            verdict_text = _VERDICT.get(verdict, verdict)
            name = f"**{row.label}**" if row.status == "total" else _cell(row.label)
            lines.append(
                f"| {name} | {format_value(change.before, metric)} | {format_value(change.after, metric)} | "
                f"{moved} | {pct} | {verdict_text} |"
            )
        lines.append("")
    lines += [
        f"![rps and p95 before and after]({c.stem}.svg)",
        "",
        "Notes: setup and clean-up rows (`… (setup)`, `… (clean-up)`) are shown but not judged; "
        "APIs in one run only are not judged; "
        f"latency changes are relative to max(before, {LATENCY_FLOOR_MS:g} ms), locust's resolution; "
        "the failure ratio limit is an absolute increase.",
        "",
        f"How sure: a change beyond its limit counts only when the one-second windows of both runs "
        f"(rps, mean latency, failure ratio per API, from {HISTORY_FILE}) move the same way by more than "
        f"{DRIFT_SHARE:g} × the limit in a one-sided Mann–Whitney test with p < {ALPHA:g}; a run with fewer "
        f"than {MIN_WINDOWS} steady windows or "
        f"{MIN_REQUESTS} requests makes the comparison inconclusive; an API with fewer than {MIN_WINDOWS} "
        "windows with a sample is inconclusive itself and not counted.",
    ]
    return "\n".join(lines) + "\n"


def _delta_text(delta: float | None, metric: str) -> str:
    if delta is None:
        return "—"
    if metric == "failure_ratio":
        return f"{delta:+.4g}"
    return f"{delta:+.2f}" if metric == "rps" else f"{delta:+g}"


def _verdict_move(threshold: Threshold, row: Row) -> str:
    change = row.changes[threshold.metric]
    if threshold.relative:
        return format_percent(change.relative(threshold.metric))
    return f"{change.delta:+.4g}" if change.delta is not None else "n/a"


def render_svg(comparison: Comparison) -> str:
    """The before/after chart: rps per API, and p95 per API with the whole run last (the whole
    run's rps is the sum of the others: it would squash their bars)."""
    c = comparison
    apis = [row for row in c.rows if row.status != "total"]
    totals = [row for row in c.rows if row.status == "total"]

    def bars(metric: str, rows: list[Row]) -> Sequence[BarPair]:
        return [BarPair(row.label, row.changes[metric].before, row.changes[metric].after) for row in rows]

    return render_before_after(
        f"Load comparison {c.before.run_id} → {c.after.run_id}: "
        + ("regressed" if c.regressed else "inconclusive" if c.inconclusive else "no regression"),
        c.before.run_id,
        c.after.run_id,
        [
            Panel("Requests per second per API (higher is better)", "requests per second", bars("rps", apis)),
            Panel("p95 latency (lower is better)", "milliseconds", bars("p95_ms", apis + totals)),
        ],
    )


def write_comparison(comparison: Comparison, out_dir: Path) -> tuple[Path, Path]:
    """Write ``compare-<A>-vs-<B>.md`` and ``.svg`` into ``out_dir``; return both paths."""
    out_dir.mkdir(parents=True, exist_ok=True)
    md = out_dir / f"{comparison.stem}.md"
    svg = out_dir / f"{comparison.stem}.svg"
    md.write_text(render_markdown(comparison), encoding="utf-8")
    svg.write_text(render_svg(comparison), encoding="utf-8")
    return md, svg
