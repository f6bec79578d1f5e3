"""The run's report folder (``reports/<run-id>/``, or ``--out DIR``) and its summary.

``summary.json`` is the machine-readable record other tools read; its shape only grows::

    {"run_id", "started", "finished",
     "target": {"name", "kind", "xml_url", "rest_url", "site_name", "settings", "allow", "budget",
                "cleanup_prefix"},
     "seed", "profile": null | "smoke" | "standard" | "full",
     "plan": null | {"profile", "default", "kind", "tests", "requests", "estimated", "budget", "reserve", "target",
                     "refused_by_guards", "behaviours"},
     "selection": null | {"profile", "default", "behaviours", "selected", "suite_tests"},
     "harness_version", "exit_code", "verdict",
     "behaviours": [{"id", "title", "area", "promise", "documents": [{"title", "section", "where", "url"}],
                     "source", "status", "reason", "tests"}],
     "apis": [{"name", "valid": {"run", "passed"}, "edge": {"run", "passed"}}],
     "tests": {"passed", "failed", "skipped"}, "skipped_because": [{"reason", "tests"}],
     "selfcheck": null | {...}, "load": null | {...},
     "cleanup": null | {"ledger", "created", "reactivated", "found_by_name", "by_kind", "deleted_by_tests",
                        "removed_by_cleanup", "found_gone_by_cleanup", "left": [...], "deactivated_users",
                        "unresolved_intents": [...]},
     "budget": null | {"max_requests", "used", "workers", "split"?, "pools"?}, "sites": [names],
     "release": null | {"release", "how"}}   # the XML API release the contracts certified against

Next to it ``summary.md`` (:mod:`runs.markdown_report`) and ``summary.html`` (:mod:`runs.html_report`,
self-contained) say the same for people, in the words of :mod:`runs.report_facts`. Every text written
is masked (:class:`webex.masking.SecretSet`).

A behaviour's status is ``failed`` if any of its tests failed, ``passed`` if at least one passed
and none failed, ``skipped`` (with the first skip reason) if all were skipped, ``not run`` when the
run's selection (``--behaviour``) left it out, and ``not covered`` if it was in the selection but no
test marked with it ran.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from webex_harness.runs.html_report import render_html
from webex_harness.runs.markdown_report import render_markdown
from webex_harness.runs.report_facts import document_url, group_skip_reason
from webex_harness.webex import __version__
from webex_harness.webex.behaviours import Behaviour, behaviours, ids
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


def certified_release(run_dir: Path) -> dict[str, str] | None:
    """The XML API release the contract tests certified against and how it was learnt
    (``release-<worker>.json``, :mod:`plugin.site_release`); None when no contract test ran."""
    from webex_harness.plugin.site_release import read_records

    found = read_records(run_dir)
    return None if found is None else found.to_dict()


def documents(b: Behaviour) -> list[dict[str, Any]]:
    """Where a behaviour is documented: each document's title, section, ``where`` and https address."""
    return [
        {
            "title": r.document.title,
            "section": r.section,
            "where": r.document.where,
            "url": document_url(r.document.where),
        }
        for r in b.documented_in
    ]


def behaviour_rows(results: Iterable[TestResult], selected: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """A row per behaviour of the catalogue; ``selected``: the IDs the run's selected tests are marked with
    (the plan's; empty or None: no selection is known, a behaviour no test ran for is "not covered")."""
    by_id: dict[str, list[TestResult]] = {}
    for r in results:
        for bid in r.behaviours:
            by_id.setdefault(bid, []).append(r)
    chosen = set(selected or ())
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
        elif chosen and b.id not in chosen:
            status, reason = "not run", "not selected: no test of this behaviour was in the run's selection"
        else:
            status, reason = "not covered", "no contract test marked with this ID ran"
        rows.append(
            {
                "id": b.id,
                "title": b.title,
                "area": b.area,
                "promise": b.promise,
                "documents": documents(b),
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


def skipped_because(results: Iterable[TestResult]) -> list[dict[str, Any]]:
    """Why tests were skipped, grouped (a run-wide stop by its kind, other reasons by their text), most first."""
    groups: dict[str, int] = {}
    for r in results:
        if r.outcome == "skipped":
            key = group_skip_reason(r.reason or "no reason given")
            groups[key] = groups.get(key, 0) + 1
    return [{"reason": k, "tests": n} for k, n in sorted(groups.items(), key=lambda kv: (-kv[1], kv[0]))]


def suite_size() -> int | None:
    """How many contract tests the suites hold (``contracts/costs.json`` measures each one); None unknown."""
    from webex_harness.plugin.plan import CostsFileError, load_costs

    try:
        return len(load_costs()) or None
    except CostsFileError:
        return None


def selection(plan: dict[str, Any] | None) -> dict[str, Any] | None:
    """What the contract run was narrowed to, from its plan; None when no contract test was planned."""
    if not plan:
        return None
    return {
        "profile": plan.get("profile"),
        "default": bool(plan.get("default")),
        "behaviours": list(plan.get("behaviours") or []),  # the IDs the selected tests are marked with
        "narrowed": bool(plan.get("behaviours")) and set(plan.get("behaviours") or []) < set(ids()),
        "selected": plan.get("tests"),
        "suite_tests": suite_size(),
    }


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
    from webex_harness.client.checker import load_counts  # the judges stand on lxml: not at the CLI's import

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
        "selection": selection(plan),
        "tests": counts,
        "skipped_because": skipped_because(results),
        "behaviours": behaviour_rows(results, (plan or {}).get("behaviours")),
        "apis": api_rows(results),
        "selfcheck": selfcheck,
        "load": load,
        "cleanup": _ledger_summary(run.dir),
        "budget": budget_usage(run.dir),
        "sites": sites_used(run.dir),
        "release": certified_release(run.dir),
        "checks": load_counts(run.dir),
    }
    return write_renderings(run.dir, summary, SecretSet(env.secrets()))


#: the fields of a behaviour row that come from the shipped catalogue, not from the run: they hold no
#: secret, and the credential patterns would take catalogue prose ("authorization: credentials …") for one
CATALOGUE_FIELDS = ("title", "area", "promise", "documents", "source")


def _masked(value: Any, secrets: SecretSet) -> Any:
    """Every string of ``value`` (keys too) masked with the credential patterns and the run's secrets."""
    if isinstance(value, str):
        return secrets.mask(value)
    if isinstance(value, list):
        return [_masked(v, secrets) for v in value]
    if isinstance(value, dict):
        return {_masked(k, secrets): _masked(v, secrets) for k, v in value.items()}
    return value


def mask_record(summary: dict[str, Any], secrets: SecretSet) -> dict[str, Any]:
    """The summary record with everything the run wrote masked, value by value (a pattern matches within
    one value, as it was recorded), and the catalogue's own text as it is."""
    out: dict[str, Any] = {}
    for key, value in summary.items():
        if key == "behaviours" and isinstance(value, list):
            out[key] = [
                {k: v if k in CATALOGUE_FIELDS else _masked(v, secrets) for k, v in row.items()} for row in value
            ]
        else:
            out[key] = _masked(value, secrets)
    return out


def write_renderings(run_dir: Path, summary: dict[str, Any], secrets: SecretSet) -> Path:
    """``summary.json``, ``summary.md`` and ``summary.html`` of a summary record, masked: the record value
    by value (:func:`mask_record`), then each file once more with the run's literal secrets."""
    record = mask_record(summary, secrets)
    text = secrets.mask(json.dumps(record, indent=2, ensure_ascii=False), patterns=False)
    (run_dir / "summary.json").write_text(text + "\n", encoding="utf-8")
    (run_dir / "summary.html").write_text(secrets.mask(render_html(record), patterns=False), encoding="utf-8")
    path = run_dir / "summary.md"
    path.write_text(secrets.mask(render_markdown(record), patterns=False), encoding="utf-8")
    return path


def rerender(run_dir: Path) -> Path:
    """Render ``summary.md`` and ``summary.html`` again from the folder's ``summary.json``."""
    summary = json.loads((run_dir / "summary.json").read_text(encoding="utf-8"))
    return write_renderings(run_dir, summary, SecretSet())
