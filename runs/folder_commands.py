"""The commands that work on run folders already written, with no target: ``report`` (render a
run's summary again, or its allure report), ``compare`` (two load runs, :mod:`runs.compare`) and
``prune`` (delete old run folders, :mod:`runs.prune`).

Stands on :mod:`environment` (``compare --env`` limits) and :mod:`workspace` (the reports root);
the comparison and pruning modules are imported when their command runs.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
from pathlib import Path

from webex_harness.runs.cli_common import environment_of, fail, reports_folder
from webex_harness.runs.report import rerender

__all__ = ["ALLURE_INSTALL", "cmd_compare", "cmd_prune", "cmd_report"]

#: How to install the allure command-line tool (``report --allure`` needs it).
ALLURE_INSTALL = "npm install -g allure-commandline"


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare two load runs; exit 1 naming every regression, 3 when too short to tell, 2 for a run
    that cannot be read."""
    from webex_harness.environment.load_section import parse_limit
    from webex_harness.environment.model import LIMIT_KEYS, CompareLimits
    from webex_harness.runs.compare import CompareError, compare_runs, read_run
    from webex_harness.runs.compare_report import render_markdown, write_comparison
    from webex_harness.runs.junit_outputs import write_compare

    try:
        given = {
            key: parse_limit(getattr(args, key), f"--{key.replace('_', '-')}")
            for key in LIMIT_KEYS
            if getattr(args, key) is not None
        }
    except ValueError as exc:
        return fail(str(exc), 2)
    from_file = environment_of(args).load.compare if args.env else CompareLimits()
    reports = reports_folder(args)
    try:
        before = read_run(args.run_a, reports)
        after = read_run(args.run_b, reports)
    except CompareError as exc:
        return fail(str(exc), 2)
    comparison = compare_runs(before, after, CompareLimits(**given).over(from_file))
    out = Path(args.out) if args.out else after.folder
    try:
        md, svg = write_comparison(comparison, out)
        xml = write_compare(out, comparison)
    except OSError as exc:
        return fail(f"cannot write the comparison into {out}: {exc.strerror or exc}", 2)
    print(render_markdown(comparison))
    print(f"comparison: {md}\nchart: {svg}\nJUnit: {xml}")
    if comparison.regressed:
        return fail("regression: " + "; ".join(comparison.regressions))
    if comparison.inconclusive:
        return fail("inconclusive: " + "; ".join(comparison.inconclusive_reasons), 3)
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    """Delete old run folders under the reports root (:mod:`runs.prune`); ``--dry-run`` only says which."""
    from webex_harness.runs.prune import PruneError, apply_prune, parse_age, parse_keep, plan_prune

    reports = reports_folder(args)
    try:
        plan = plan_prune(reports, keep=parse_keep(args.keep), older_than=parse_age(args.older_than), force=args.force)
    except PruneError as exc:
        return fail(str(exc), 2)
    verb = "would remove" if args.dry_run else "removed"
    failed = [] if args.dry_run else apply_prune(plan)
    for folder in plan.removed:
        if folder not in failed:
            print(f"  {verb} {folder.name}")
    for folder in plan.running:
        print(f"  kept {folder.name}: no summary yet and changed in the last minutes (a run in progress)")
    for folder, left in plan.pinned.items():
        print(
            f"  kept {folder.name}: its ledger lists {left} object(s) not deleted on the target "
            f"(webex-harness cleanup --run {folder.name}; or prune --force)"
        )
    print(
        f"prune {reports}: {verb} {len(plan.removed) - len(failed)} run folder(s), kept {len(plan.kept)}"
        + (f" ({len(plan.pinned)} for their ledgers)" if plan.pinned else "")
    )
    if failed:
        return fail(f"could not remove {len(failed)} folder(s): {', '.join(f.name for f in failed[:5])}")
    return 0


def _latest_run(reports: Path, needs: str) -> Path | None:
    runs = sorted(p.parent for p in reports.glob(f"*/{needs}"))
    return runs[-1] if runs else None


def cmd_report(args: argparse.Namespace) -> int:
    """Render a run's ``summary.html``/``summary.md`` again (default: the latest run), or with
    ``--allure`` build its allure report (needs the allure tool: exit 2 saying how to install it)."""
    reports = reports_folder(args)
    needs = "allure-results" if args.allure else "summary.json"
    if args.run and Path(args.run).is_dir():  # a run folder, e.g. one written with --out DIR
        run_dir: Path | None = Path(args.run)
    else:
        run_dir = reports / args.run if args.run else _latest_run(reports, needs)
    if run_dir is None or not (run_dir / needs).exists():
        return fail(f"no {needs} in {run_dir if run_dir is not None else reports}", 2)
    if not args.allure:
        path = rerender(run_dir)
        print(f"report: {path.with_suffix('.html')}\nsummary: {path}")
        return 0
    allure = shutil.which("allure")
    if allure is None:
        return fail(
            f"the allure command-line tool is not installed; install it with: {ALLURE_INSTALL} (it needs Java 8+)", 2
        )
    out = run_dir / "allure-report"
    code = subprocess.call([allure, "generate", str(run_dir / "allure-results"), "-o", str(out), "--clean"])
    if code != 0:
        return fail(f"allure generate failed with exit code {code}")
    print(f"allure report: {out / 'index.html'} (open it with: allure open {out})")
    return 0
