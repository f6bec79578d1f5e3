"""``webex-harness run``, ``contracts`` and ``load``: one run folder, the contract suites and/or a
bounded load run against one target, a summary, exit 0 or 1 naming each problem.

Everything is checked before anything starts (the load extra when a load runs, :mod:`runs.extras`;
the profile, ``--out``, every URL, the ``load:`` section and the gates, the contracts' plan against
the budget); then the run folder is made, the
target brought up (:func:`runs.runner.target_up`), the contract suites run (:func:`runs.runner.run_contracts`)
with the lines saying why tests were skipped (budget spent, safety rails), the load phase runs
(:mod:`runs.load_phase`), what clean-up left is named, the summary written (:mod:`runs.report`)
and the run folder scrubbed of credentials.

Stands on every layer below; the runner, the plan's collection pass and the load are imported only
when the command runs.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from webex_harness.environment.guard import GuardError, check_environment
from webex_harness.environment.model import Environment, Thresholds
from webex_harness.plugin.plan import Plan
from webex_harness.runs.cli_common import OutFolderError, environment_of, fail, keep_state_in_reports_root, out_folder
from webex_harness.runs.extras import load_extra_problem
from webex_harness.runs.gates import GateOptionError
from webex_harness.runs.load_phase import (
    check_load_settings,
    gate_thresholds,
    interrupted_load,
    run_load_phase,
    write_load_gate_error,
)
from webex_harness.runs.report import write_summary
from webex_harness.runs.stop_signals import Stopped
from webex_harness.workspace.run_folder import Run

__all__ = ["cmd_run"]


def _contracts_verdict(code: int) -> str:
    return {0: "", 5: "no contract test was collected"}.get(code, f"contract tests failed (pytest exit code {code})")


def _scrub_run(run: Run, env: Environment) -> None:
    """Mask the environment's credentials in every file of the run folder (the last line of defence)."""
    from webex_harness.plugin.secrets import scrub_files
    from webex_harness.webex.masking import SecretSet

    changed = scrub_files(sorted(run.dir.rglob("*")), SecretSet(env.secrets()))
    if changed:
        print(
            f"webex-harness: masked leftover credentials in {len(changed)} file(s): "
            f"{', '.join(p.name for p in changed[:5])}",
            file=sys.stderr,
        )


def _cleanup_problem(run: Run) -> str:
    from webex_harness.client.journal import summarise

    info = summarise(run.dir)
    if not info:
        return ""
    left = [x for x in info["left"] if not x.get("undeletable")]  # no API deletes a contact or a distribution list
    if left:
        what = ", ".join(f"{x['kind']} {x['id']}" for x in left[:5])
        which = f"--run-dir {run.dir}" if run.folder is not None else f"--run {run.run_id}"
        return f"clean-up left {len(left)} object(s) on the target ({what}); see webex-harness cleanup {which}"
    return ""


def _plan_contracts(env: Environment, args: argparse.Namespace, *, load: bool) -> Plan:
    """The contract run's plan from a collection pass (no request to the target); printed."""
    from webex_harness.plugin.plan import collect_plan
    from webex_harness.workspace.budget import split_run_budget

    # the contracts' share of budget.max_requests, as the run splits it between its phases
    budget = split_run_budget(env.budget.max_requests, contracts=True, load=load).contracts
    plan = collect_plan(env, seed=args.seed, profile=args.profile, behaviours=args.behaviour, budget=budget)
    print(plan.line(), flush=True)
    return plan


def _budget_spent(run: Run, env: Environment, profile: str | None) -> str:
    """One line when the budget ran out mid-run and tests were skipped "budget spent: …"."""
    from webex_harness.plugin.plan import BUDGET_SPENT, budget_spent_line, environment_source
    from webex_harness.runs.report import budget_usage
    from webex_harness.workspace.results import load_results

    reasons = [r.reason for r in load_results(run.dir) if r.outcome == "skipped" and r.reason.startswith(BUDGET_SPENT)]
    if not reasons:
        return ""
    usage = budget_usage(run.dir)
    used = (int(usage["used"]), int(usage["max_requests"])) if usage and usage.get("max_requests") else None
    return budget_spent_line(reasons, environment_source(env), profile, used)


def _safety_stopped(run: Run) -> str:
    """One line when the site's safety rails (usage limit, REST pacing) refused requests of tests."""
    from webex_harness.plugin.plan import SAFETY_STOP, safety_stop_line
    from webex_harness.workspace.results import load_results

    reasons = [r.reason for r in load_results(run.dir) if r.outcome == "skipped" and r.reason.startswith(SAFETY_STOP)]
    return safety_stop_line(reasons) if reasons else ""


def cmd_run(args: argparse.Namespace, *, contracts: bool = True, load: bool = True) -> int:
    """``run`` (both phases), ``contracts`` (``load=False``) or ``load`` (``contracts=False``)."""
    from webex_harness.plugin.plan import PlanError, ProfileError, check_profile
    from webex_harness.runs.runner import run_contracts, start_run_budget, target_up
    from webex_harness.workspace.results import load_results

    if load:  # the load extra (locust) is installed, or nothing starts
        missing = load_extra_problem("run" if contracts else "load")
        if missing:
            return fail(missing, 2)
    try:
        check_profile(getattr(args, "profile", None))
    except ProfileError as exc:
        return fail(str(exc), 2)
    try:
        folder = out_folder(getattr(args, "out", None))
    except OutFolderError as exc:
        return fail(str(exc), 2)
    env = environment_of(args)
    try:  # every URL, --emulator-url included, before anything connects
        check_environment(env, getattr(args, "emulator_url", None))
    except GuardError as exc:
        return fail(str(exc), 2)
    thresholds = Thresholds()
    if load:  # everything about the load run is checked before anything starts
        check_load_settings(env)
        try:
            thresholds = gate_thresholds(env, args)
        except GateOptionError as exc:
            return fail(str(exc), 2)
        if args.processes is not None and args.processes < 1:
            return fail(f"--processes must be at least 1, got {args.processes}", 2)
    plan: Plan | None = None
    if contracts:  # before anything starts: what the run will do, and whether it fits the budget
        try:
            plan = _plan_contracts(env, args, load=load)
        except PlanError as exc:
            return fail(str(exc), 2)
        if not plan.fits:
            from webex_harness.plugin.plan import environment_source

            return fail(plan.refusal(environment_source(env)), 2)
    run = Run(env, seed=args.seed, folder=folder)
    if run.folder is not None:
        keep_state_in_reports_root(run.root)
    run.create()
    print(f"run {run.run_id}: target {env.name} ({env.target}); reports in {run.dir}", flush=True)
    split = start_run_budget(run, contracts=contracts, load=load)
    print(f"budget: {split.describe((args.processes or 1) if load else 1)}", flush=True)
    problems: list[str] = []
    load_data: dict[str, Any] | None = None
    interrupted, interrupted_code = False, 130
    with target_up(run, getattr(args, "emulator_url", None)) as target:
        run.environment = target.environment
        if contracts:
            print("== contract suites", flush=True)
            code = 0
            try:
                code = run_contracts(
                    run,
                    target,
                    workers=args.workers,
                    selection=args.behaviour,
                    profile=plan.profile if plan else None,
                    plan_budget=plan.budget if plan else None,
                )
                verdict = _contracts_verdict(code)
            except KeyboardInterrupt as stop:  # pytest was stopped and cleaned up; still write what we have
                interrupted, verdict = True, "interrupted"
                if isinstance(stop, Stopped):
                    interrupted_code, verdict = 128 + stop.signum, f"stopped by {stop.name}"
            spent = _budget_spent(run, target.environment, plan.profile if plan else None)
            safety = _safety_stopped(run)
            spent = "; ".join(x for x in (spent, safety) if x)
            if spent and code == 1 and not any(r.outcome == "failed" for r in load_results(run.dir)):
                verdict = ""  # nothing failed: the spent budget is the whole story
            problems += [p for p in (spent, verdict) if p]
        if load and not interrupted:
            try:
                load_data, load_problems = run_load_phase(run, target.environment, args, thresholds)
            except KeyboardInterrupt as stop:  # locust was stopped and cleaned up; still clean up and report
                interrupted, verdict = True, "interrupted during the load run"
                if isinstance(stop, Stopped):
                    interrupted_code, verdict = 128 + stop.signum, f"stopped by {stop.name} during the load run"
                print(f"== {verdict}: the final clean-up and the report follow", flush=True)
                load_data, load_problems = interrupted_load(run.dir, args), [verdict]
            problems += load_problems
            if load_data is None or interrupted:  # the CI's test tab shows why there is no gate
                write_load_gate_error(run.dir, "; ".join(load_problems))
    cleanup = _cleanup_problem(run)
    if cleanup:
        problems.append(cleanup)
    code = 1 if problems else 0
    verdict = "; ".join(problems) if problems else "all passed"
    path = write_summary(
        run, exit_code=code, verdict=verdict, load=load_data, plan=plan.to_dict() if plan is not None else None
    )
    _scrub_run(run, env)
    print(f"report: {path.with_suffix('.html')}")
    print(f"summary: {path}")
    if (run.dir / "load-gates.xml").exists():
        print(f"load gates (JUnit): {run.dir / 'load-gates.xml'}")
    if problems:
        return fail(verdict, interrupted_code if interrupted else 1)
    return 0
