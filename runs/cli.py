"""``webex-harness``: the command line.

Commands: ``emulator``, ``run``, ``contracts``, ``load``, ``compare``, ``selfcheck``, ``cleanup``,
``prune``, ``report``, ``probe-rate-limit``, ``apis``, ``generate``. Every command that talks to a target
takes ``--env`` (an environment file or name; default ``environments/emulator.yaml``). Exit codes:
0 everything passed; 1 a test, a gate, a regression, a check or a clean-up failed (one line names
each); 2 bad usage, a bad environment file (one line naming the file, the key and the problem), a
URL the guard refuses (:mod:`environment.guard`) or a missing tool (one line saying how to install it);
130 interrupted by Ctrl-C, 128 + the signal when stopped by SIGTERM or SIGHUP.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from environment.errors import EnvironmentFileError
from environment.guard import GuardError, check_environment
from environment.loader import load_environment, resolve_environment_path
from environment.model import Environment, Thresholds
from plugin.plan import Plan
from runs.cli_checks import OneLineParser, UsageProblem, check_arguments
from runs.gates import GateOptionError
from runs.report import rerender, write_summary
from webex import __version__
from workspace.run_folder import REPORTS_DIR, Run, run_started

ALLURE_INSTALL = "npm install -g allure-commandline"


def _env(args: argparse.Namespace) -> Environment:
    return load_environment(resolve_environment_path(args.env))


def _fail(message: str, code: int = 1) -> int:
    print(f"webex-harness: {message}", file=sys.stderr)
    return code


def _busy_options(args: argparse.Namespace, env: Environment) -> Any:
    """``--busy`` / ``--busy-option NAME=VALUE`` as :class:`emulator.busy_state.BusyOptions` (None when
    neither is given); the busy host defaults to the environment's webExID. Raises
    :class:`emulator.busy_state.BusyOptionError` naming a bad option."""
    from emulator.busy_state import option_from_text, parse_options

    if not args.busy and not args.busy_option:
        return None
    data: dict[str, Any] = {"host": env.credentials.webex_id or None}
    for text in args.busy_option:
        name, value = option_from_text(text)
        data[name] = value
    return parse_options(data)


def cmd_emulator(args: argparse.Namespace) -> int:
    from emulator.busy_state import BusyOptionError
    from emulator.server import serve

    env = _env(args)
    if args.host not in ("127.0.0.1", "localhost", "::1") and not args.allow_remote:
        return _fail(f"refusing to listen on {args.host}: the emulator serves loopback only "
                     "(pass --allow-remote to override)", 2)
    try:
        busy = _busy_options(args, env)
    except BusyOptionError as exc:
        return _fail(str(exc), 2)
    kind = "busy default site" if busy is not None else "default site"
    print(f"webex-harness emulator on http://{args.host}:{args.port} ({kind} {env.site_name!r})", flush=True)
    serve(args.host, args.port, env.site_name, env.settings, busy)
    return 0


#: Seconds between the progress lines of a load run.
LOAD_PROGRESS_SECONDS = 5.0
def _check_load_settings(env: Environment) -> None:
    """Before anything starts, the one check of the ``load:`` section the loader cannot make (every
    API of ``calls:`` in the catalogue and repeatable, :func:`load.config.load_settings`): exit 2."""
    from load.config import load_settings

    load_settings(env)


def _gate_thresholds(env: Environment, args: argparse.Namespace) -> Thresholds:
    """The environment file's ``load.thresholds``, overridden key by key by the command line."""
    from runs.gates import thresholds_from_options

    from_file = env.load.thresholds
    from_options = thresholds_from_options(args.max_failure_ratio, args.max_p95, args.min_rps)
    return from_file.overridden_by(from_options)


class _LoadProgress(threading.Thread):
    """Prints a line every few seconds while locust runs in its subprocess: elapsed time and the
    running totals of the Aggregated row locust rewrites in ``locust_stats.csv``."""

    def __init__(self, stats_csv: Path, run_seconds: float, interval: float = LOAD_PROGRESS_SECONDS) -> None:
        super().__init__(name="load-progress", daemon=True)
        self.stats_csv = stats_csv
        self.run_seconds = run_seconds
        self.interval = interval
        self.started = time.monotonic()
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.wait(self.interval):
            print(load_progress_line(self.stats_csv, time.monotonic() - self.started, self.run_seconds), flush=True)

    def stop(self) -> None:
        self._stop_event.set()
        self.join(timeout=2)


def load_progress_line(stats_csv: Path, elapsed: float, run_seconds: float) -> str:
    """``  load: 10s of 20s — 1234 requests, 0 failures, 123.4 rps`` from a (partial) stats CSV."""
    head = f"  load: {_duration(elapsed)} of {_duration(run_seconds)}"
    if elapsed > run_seconds:
        head += " (stopping users, writing reports)"
    try:
        with open(stats_csv, newline="", encoding="utf-8") as f:
            rows = [r for r in csv.DictReader(f) if r.get("Name") == "Aggregated"]
    except (OSError, csv.Error, UnicodeDecodeError):
        rows = []
    if not rows:
        return f"{head} — waiting for the first statistics"
    row = rows[-1]
    try:
        requests, failures = int(row["Request Count"]), int(row["Failure Count"])
        rps = float(row["Requests/s"])
    except (KeyError, TypeError, ValueError):
        return f"{head} — waiting for the first statistics"
    return f"{head} — {requests} requests, {failures} failures, {rps:.1f} rps"


def _format_ms(value: Any) -> str:
    return "-" if value is None else f"{float(value):g}"


def load_table_lines(data: dict[str, Any]) -> list[str]:
    """The per-API table printed after a load run (the Aggregated row last)."""
    rows = [*data.get("apis", []), data.get("total") or {}]
    width = max([len(str(r.get("name", ""))) for r in rows] + [3])
    lines = [f"{'API':<{width}} {'requests':>9} {'failures':>9} {'rps':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"]
    for r in rows:
        lines.append(f"{r.get('name', ''):<{width}} {r.get('requests', 0):>9} {r.get('failures', 0):>9} "
                     f"{float(r.get('rps') or 0):>9.1f} {_format_ms(r.get('p50_ms')):>7} "
                     f"{_format_ms(r.get('p95_ms')):>7} {_format_ms(r.get('p99_ms')):>7}")
    return lines


#: ``--users`` when none is given: at least this many, and at least the mix's total weight.
DEFAULT_USERS = 5


def _resolve_users(env: Environment, args: argparse.Namespace) -> None:
    """Choose ``--users`` when it was not given, and warn when scenarios may get no user.

    locust hands out users in proportion to the weights (a Kullback-Leibler sequence), so every
    scenario is sure to get its share only when there are at least as many users as the mix's
    total weight (8 for the default mix of calls 4 + four scenarios of 1). The default is that
    total, and never less than :data:`DEFAULT_USERS`.
    """
    from load.config import load_settings

    scenarios = load_settings(env).active_scenarios(args.scenario)
    needed = sum(scenarios.values())
    if args.users is None:
        args.users = max(DEFAULT_USERS, needed)
    elif args.users < needed and len(scenarios) > 1:
        print(f"  warning: {args.users} users for a mix of total weight {needed} "
              f"({', '.join(f'{k} {v}' for k, v in scenarios.items())}): locust starts users in proportion to "
              f"the weights, so some scenarios may get no user; use --users {needed} or more", flush=True)


def _load_section(
    run: Run, env: Environment, args: argparse.Namespace, thresholds: Thresholds
) -> tuple[dict[str, Any] | None, list[str]]:
    """Run the load, print its table and gates; return ``load.json`` (with ``"gates"``) and the problems."""
    from load.runner import GRACE_SECONDS, LoadError, parse_run_time, run_load
    from runs.gates import breaches, evaluate
    from runs.junit_outputs import write_load_gates

    options = {"scenario": args.scenario, "shape": args.shape, "processes": args.processes}
    chosen = {k: v for k, v in options.items() if v is not None}
    try:
        run_seconds = parse_run_time(args.run_time)
    except ValueError as exc:
        return None, [f"load run failed: {exc}"]
    _resolve_users(env, args)
    what = ", ".join([f"{args.users} users", f"spawn rate {args.spawn_rate:g}/s", args.run_time,
                      *(f"{k} {v}" for k, v in chosen.items())])
    print(f"== load ({what}); locust stops within {_duration(run_seconds + GRACE_SECONDS)} at most", flush=True)
    for line in thresholds.describe():
        print(f"  gate: {line}", flush=True)
    progress = _LoadProgress(run.dir / "locust_stats.csv", run_seconds)
    progress.start()
    try:
        result = run_load(env, run.dir, users=args.users, spawn_rate=args.spawn_rate, run_time=args.run_time,
                          **({"run_id": run.run_id} if run.folder is not None else {}), **chosen)
    except LoadError as exc:
        return None, [f"load run failed: {exc}"]
    finally:
        progress.stop()
    data = dict(result.data)
    gates = evaluate(data, thresholds)
    data["gates"] = [g.to_dict() for g in gates]
    (run.dir / "load.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    write_load_gates(run.dir, data["gates"])
    print("\n".join(load_table_lines(data)))
    for failure in data.get("failures", [])[:5]:
        print(f"  failure {failure.get('name')} x{failure.get('occurrences')}: {failure.get('error')}")
    if gates:
        print("gates:")
        for gate in gates:
            print(f"  {'PASS' if gate.passed else 'FAIL'}  {gate.message}")
    else:
        print("gates: none (declare load.thresholds in the environment file or pass --max-failure-ratio, "
              "--max-p95, --min-rps)")
    problems = []
    failures = data.get("total", {}).get("failures", 0)
    if failures:
        problems.append(f"load run had {failures} unexpected failures")
    breached = breaches(gates)
    if breached:
        problems.append("gate breached: " + "; ".join(breached))
    return data, problems


def _contracts_verdict(code: int) -> str:
    return {0: "", 5: "no contract test was collected"}.get(code, f"contract tests failed (pytest exit code {code})")


def _scrub_run(run: Run, env: Environment) -> None:
    """Mask the environment's credentials in every file of the run folder (the last line of defence)."""
    from plugin.secrets import scrub_files
    from webex.masking import SecretSet

    changed = scrub_files(sorted(run.dir.rglob("*")), SecretSet(env.secrets()))
    if changed:
        print(f"webex-harness: masked leftover credentials in {len(changed)} file(s): "
              f"{', '.join(p.name for p in changed[:5])}", file=sys.stderr)


def _cleanup_problem(run: Run) -> str:
    from client.journal import summarise

    info = summarise(run.dir)
    if not info:
        return ""
    left = [x for x in info["left"] if x["kind"] != "contact"]  # no API deletes a contact
    if left:
        what = ", ".join(f"{x['kind']} {x['id']}" for x in left[:5])
        which = f"--run-dir {run.dir}" if run.folder is not None else f"--run {run.run_id}"
        return f"clean-up left {len(left)} object(s) on the target ({what}); see webex-harness cleanup {which}"
    return ""


def _plan_contracts(env: Environment, args: argparse.Namespace, *, load: bool) -> Plan:
    """The contract run's plan from a collection pass (no request to the target); printed."""
    from plugin.plan import collect_plan
    from workspace.budget import split_run_budget

    # the contracts' share of budget.max_requests, as the run splits it between its phases
    budget = split_run_budget(env.budget.max_requests, contracts=True, load=load).contracts
    plan = collect_plan(env, seed=args.seed, profile=args.profile, behaviours=args.behaviour, budget=budget)
    print(plan.line(), flush=True)
    return plan


def _budget_spent(run: Run, env: Environment, profile: str | None) -> str:
    """One line when the budget ran out mid-run and tests were skipped "budget spent: …"."""
    from plugin.plan import BUDGET_SPENT, budget_spent_line, environment_source
    from runs.report import budget_usage
    from workspace.results import load_results

    reasons = [r.reason for r in load_results(run.dir) if r.outcome == "skipped" and r.reason.startswith(BUDGET_SPENT)]
    if not reasons:
        return ""
    usage = budget_usage(run.dir)
    used = (int(usage["used"]), int(usage["max_requests"])) if usage and usage.get("max_requests") else None
    return budget_spent_line(reasons, environment_source(env), profile, used)


def _safety_stopped(run: Run) -> str:
    """One line when the site's safety rails (usage limit, REST pacing) refused requests of tests."""
    from plugin.plan import SAFETY_STOP, safety_stop_line
    from workspace.results import load_results

    reasons = [r.reason for r in load_results(run.dir) if r.outcome == "skipped" and r.reason.startswith(SAFETY_STOP)]
    return safety_stop_line(reasons) if reasons else ""


class OutFolderError(ValueError):
    """``--out DIR`` names something that is not a new or empty folder."""


def out_folder(value: str | None) -> Path | None:
    """``--out DIR``: the run folder a CI job picks its files up from by their fixed names
    (``junit.xml``, ``load-gates.xml``, ``summary.html`` …). It must be new or empty — a run never
    mixes its files with an earlier run's; raises :class:`OutFolderError` (one line) otherwise."""
    if value is None:
        return None
    if not value.strip():
        raise OutFolderError("--out needs a folder name")
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise OutFolderError(f"--out {value}: is a file, not a folder")
    if path.is_dir():
        try:
            entries = sorted(p.name for p in path.iterdir())
        except OSError as exc:
            raise OutFolderError(f"--out {value}: cannot read the folder ({exc.strerror or exc})") from None
        if entries:
            raise OutFolderError(f"--out {value}: the folder is not empty ({len(entries)} entries, e.g. "
                                 f"{entries[0]}); give a new or empty folder")
    return path.resolve()


def keep_state_in_reports_root(reports_root: Path) -> None:
    """A run folder outside the reports root (``--out DIR``) keeps the workspace's safety state
    (usage-limit counts, REST pacing) where every other run does — ``<reports root>/.safety`` — not
    next to itself (the pytest and locust processes of the run inherit the choice)."""
    from workspace.state import STATE_DIR_VARIABLE, state_dir

    if not os.environ.get(STATE_DIR_VARIABLE):
        os.environ[STATE_DIR_VARIABLE] = str(state_dir(reports_root))


def write_load_gate_error(run_dir: Path, problem: str) -> Path:
    """``load-gates.xml`` of a load run that produced no statistics: one failing case saying why."""
    from runs.junit_outputs import LOAD_GATES_FILE, Case, junit_xml

    path = run_dir / LOAD_GATES_FILE
    path.write_bytes(junit_xml("webex-harness load gates", [Case("load.gates", "load run", "failed", problem)]))
    return path


def cmd_run(args: argparse.Namespace, *, contracts: bool = True, load: bool = True) -> int:
    from plugin.plan import PlanError, ProfileError, check_profile
    from runs.runner import run_contracts, start_run_budget, target_up
    from workspace.results import load_results

    try:
        check_profile(getattr(args, "profile", None))
    except ProfileError as exc:
        return _fail(str(exc), 2)
    try:
        folder = out_folder(getattr(args, "out", None))
    except OutFolderError as exc:
        return _fail(str(exc), 2)
    env = _env(args)
    try:  # every URL, --emulator-url included, before anything connects
        check_environment(env, getattr(args, "emulator_url", None))
    except GuardError as exc:
        return _fail(str(exc), 2)
    thresholds = Thresholds()
    if load:  # everything about the load run is checked before anything starts
        _check_load_settings(env)
        try:
            thresholds = _gate_thresholds(env, args)
        except GateOptionError as exc:
            return _fail(str(exc), 2)
        if args.processes is not None and args.processes < 1:
            return _fail(f"--processes must be at least 1, got {args.processes}", 2)
    plan: Plan | None = None
    if contracts:  # before anything starts: what the run will do, and whether it fits the budget
        try:
            plan = _plan_contracts(env, args, load=load)
        except PlanError as exc:
            return _fail(str(exc), 2)
        if not plan.fits:
            from plugin.plan import environment_source

            return _fail(plan.refusal(environment_source(env)), 2)
    run = Run(env, seed=args.seed, folder=folder)
    if run.folder is not None:
        keep_state_in_reports_root(run.root)
    run.create()
    print(f"run {run.run_id}: target {env.name} ({env.target}); reports in {run.dir}", flush=True)
    split = start_run_budget(run, contracts=contracts, load=load)
    print(f"budget: {split.describe((args.processes or 1) if load else 1)}", flush=True)
    problems: list[str] = []
    load_data = None
    interrupted, interrupted_code = False, 130
    with target_up(run, getattr(args, "emulator_url", None)) as target:
        run.environment = target.environment
        if contracts:
            print("== contract suites", flush=True)
            code = 0
            try:
                code = run_contracts(run, target, workers=args.workers, selection=args.behaviour,
                                     profile=plan.profile if plan else None,
                                     plan_budget=plan.budget if plan else None)
                verdict = _contracts_verdict(code)
            except KeyboardInterrupt as stop:  # pytest was stopped and cleaned up; still write what we have
                interrupted, verdict = True, "interrupted"
                if isinstance(stop, Stopped):
                    interrupted_code, verdict = 128 + stop.signum, f"stopped by {signal.Signals(stop.signum).name}"
            spent = _budget_spent(run, target.environment, plan.profile if plan else None)
            safety = _safety_stopped(run)
            spent = "; ".join(x for x in (spent, safety) if x)
            if spent and code == 1 and not any(r.outcome == "failed" for r in load_results(run.dir)):
                verdict = ""  # nothing failed: the spent budget is the whole story
            problems += [p for p in (spent, verdict) if p]
        if load and not interrupted:
            load_data, load_problems = _load_section(run, target.environment, args, thresholds)
            problems += load_problems
            if load_data is None:  # the CI's test tab shows why there is no gate
                write_load_gate_error(run.dir, "; ".join(load_problems))
    cleanup = _cleanup_problem(run)
    if cleanup:
        problems.append(cleanup)
    code = 1 if problems else 0
    verdict = "; ".join(problems) if problems else "all passed"
    path = write_summary(run, exit_code=code, verdict=verdict, load=load_data,
                         plan=plan.to_dict() if plan is not None else None)
    _scrub_run(run, env)
    print(f"report: {path.with_suffix('.html')}")
    print(f"summary: {path}")
    if (run.dir / "load-gates.xml").exists():
        print(f"load gates (JUnit): {run.dir / 'load-gates.xml'}")
    if problems:
        return _fail(verdict, interrupted_code if interrupted else 1)
    return 0


def cmd_costs(args: argparse.Namespace) -> int:
    """Show what each profile costs on the environment's target; ``--refresh`` measures every test again."""
    from plugin.plan import COSTS_FILE, REFRESH_COMMAND, PlanError, collect_plan, contracts_budget, load_costs

    if args.refresh:
        from runs.costs import RefreshError, refresh

        try:
            info = refresh(COSTS_FILE, seed=args.seed)
        except RefreshError as exc:
            return _fail(f"costs not refreshed: {exc}")
        print(f"costs: {COSTS_FILE}: {info['tests']} tests ({info['added']} added, {info['removed']} removed, "
              f"{info['changed']} changed); {info['emulator_requests']} requests on the emulator, "
              f"{info['site_requests']} in site mode ({info['site_runs']} tests run on a site); "
              f"{info['seconds']:.0f}s")
        for kind, failed in info["failed"].items():
            if failed:
                print(f"  note: {len(failed)} test(s) failed on the {kind} run (their cost is what they sent "
                      f"before failing): {', '.join(failed[:5])}")
        return 0
    env = _env(args)
    if not load_costs():
        print(f"costs: no {COSTS_FILE}; run {REFRESH_COMMAND}")
    budget = contracts_budget(env, None)
    for profile in ("smoke", "standard", "full"):
        try:
            plan = collect_plan(env, seed=args.seed, profile=profile, behaviours=None, budget=budget)
        except PlanError as exc:
            return _fail(str(exc), 2)
        verdict = "fits" if plan.fits else "does NOT fit"
        print(f"{plan.line().removeprefix('plan: ')} — {verdict}")
    return 0


def cmd_compare(args: argparse.Namespace) -> int:
    """Compare two load runs; exit 1 naming every regression, 3 when too short to tell, 2 for a run
    that cannot be read."""
    from environment.load_section import parse_limit
    from environment.model import LIMIT_KEYS, CompareLimits
    from runs.compare import CompareError, compare_runs, read_run
    from runs.compare_report import render_markdown, write_comparison
    from runs.junit_outputs import write_compare

    try:
        given = {key: parse_limit(getattr(args, key), f"--{key.replace('_', '-')}")
                 for key in LIMIT_KEYS if getattr(args, key) is not None}
    except ValueError as exc:
        return _fail(str(exc), 2)
    from_file = _env(args).load.compare if args.env else CompareLimits()
    reports = _reports(args)
    try:
        before = read_run(args.run_a, reports)
        after = read_run(args.run_b, reports)
    except CompareError as exc:
        return _fail(str(exc), 2)
    comparison = compare_runs(before, after, CompareLimits(**given).over(from_file))
    out = Path(args.out) if args.out else after.folder
    try:
        md, svg = write_comparison(comparison, out)
        xml = write_compare(out, comparison)
    except OSError as exc:
        return _fail(f"cannot write the comparison into {out}: {exc.strerror or exc}", 2)
    print(render_markdown(comparison))
    print(f"comparison: {md}\nchart: {svg}\nJUnit: {xml}")
    if comparison.regressed:
        return _fail("regression: " + "; ".join(comparison.regressions))
    if comparison.inconclusive:
        return _fail("inconclusive: " + "; ".join(comparison.inconclusive_reasons), 3)
    return 0


def cmd_selfcheck(args: argparse.Namespace) -> int:
    from emulator.registered import all_faults
    from runs.runner import selfcheck, target_up

    env = _env(args)
    if not env.is_emulator:
        return _fail("selfcheck needs the emulator (its faults); use an emulator environment", 2)
    try:
        folder = out_folder(args.out)
    except OutFolderError as exc:
        return _fail(str(exc), 2)
    run = Run(env, seed=args.seed, folder=folder)
    run.create()
    faults = args.fault or list(all_faults())
    print(f"selfcheck {run.run_id}: {len(faults)} faults; reports in {run.dir}", flush=True)
    done = [0]
    started = [time.monotonic()]

    def progress(row: dict[str, Any] | None) -> None:
        if row is None:  # the baseline is done: the faults start now
            started[0] = time.monotonic()
            return
        done[0] += 1
        state = "detected" if row["detected"] else "MISSED"
        print(f"  [{done[0]:>3}/{len(faults)}] {row['id']:<40} {state:<8} {eta(done[0], len(faults), started[0])}",
              flush=True)

    with target_up(run) as target:
        run.environment = target.environment
        report = selfcheck(run, target, faults, workers=args.workers, progress=progress)
    missed = [f["id"] for f in report["faults"] if not f["detected"]]
    print()
    print(f"{'fault':<42} {'result':<9} failed tests")
    for f in report["faults"]:
        print(f"{f['id']:<42} {'detected' if f['detected'] else 'MISSED':<9} {len(f['failed_tests'])}")
    print(f"baseline (no fault): {'passed' if report['baseline_passed'] else 'FAILED'}")
    problems = []
    if not report["baseline_passed"]:
        problems.append("baseline failed: " + ", ".join(report["baseline_failed_tests"][:5]))
    if missed:
        problems.append(f"{len(missed)} fault(s) missed: {', '.join(missed)}")
    verdict = "; ".join(problems) or "every fault detected"
    path = write_summary(run, exit_code=1 if problems else 0, verdict=verdict, selfcheck=report)
    print(f"selfcheck: {run.dir / 'selfcheck.json'}\nsummary: {path}")
    return _fail(verdict) if problems else 0


def eta(done: int, total: int, started: float, now: float | None = None) -> str:
    """``elapsed 1m05s, ETA 2m10s`` from the pace so far."""
    elapsed = max(0.0, (now if now is not None else time.monotonic()) - started)
    left = elapsed / done * (total - done) if done else 0.0
    return f"elapsed {_duration(elapsed)}, ETA {_duration(left)}"


def _duration(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 60}m{whole % 60:02d}s" if whole >= 60 else f"{whole}s"


def _reports(args: argparse.Namespace) -> Path:
    return Path(args.reports) if getattr(args, "reports", None) else REPORTS_DIR


def cmd_cleanup(args: argparse.Namespace) -> int:
    from client.journal import find_ledgers, fold, read_lines
    from client.xml_client import RequestBudget
    from environment.loader import check_reachable
    from runs.runner import clean_leftovers, run_ids_under, undeletable

    env = _env(args)
    reports = _reports(args)
    run_id, own_ledgers = args.run, None
    if args.run_dir:  # a run written with --out DIR: its ledger names the run
        own_ledgers = sorted(Path(args.run_dir).glob("ledger-*.jsonl"))
        ids = sorted({p.stem.removeprefix("ledger-") for p in own_ledgers})
        if args.run or len(ids) != 1:
            return _fail(f"--run-dir {args.run_dir}: " + ("give --run or --run-dir, not both" if args.run else
                         f"expected the ledger of one run (ledger-<run-id>.jsonl), found {len(ids)}"), 2)
        run_id = ids[0]
        keep_state_in_reports_root(reports)
    try:  # every URL, --emulator-url included, before anything connects
        check_environment(env, args.emulator_url)
    except GuardError as exc:
        return _fail(str(exc), 2)
    if env.is_emulator:
        if not args.emulator_url:
            return _fail("an emulator's state ends with the run that started it: pass --emulator-url URL of the "
                         "running emulator to clean", 2)
        base = args.emulator_url.rstrip("/")
        env = env.with_urls(base + "/WBXService/XMLService", base + "/v1")
    else:
        check_reachable(env)
    ledgers = own_ledgers if own_ledgers is not None else find_ledgers(reports, run_id)
    scope = f"run {run_id}" if run_id else f"every run under {reports}"
    print(f"cleanup of {scope} on {env.name} (site {env.site_name}): {len(ledgers)} ledger(s); names "
          f"{env.cleanup_prefix}-{run_id or '<run-id>'}-*", flush=True)
    budget = RequestBudget(env.budget.max_requests, env.budget.max_seconds)
    # REST meetings are listed from the run's start (every run's: the earliest run folder's)
    starts = [t for t in (run_started(r) for r in ([run_id] if run_id else run_ids_under(reports))) if t]
    result, _ = clean_leftovers(env, ledgers, run_id=run_id, emulator_url=args.emulator_url, budget=budget,
                                since=min(starts) if starts else None)
    for line in result.lines():
        print(f"  {line}")
    kept = undeletable(fold(read_lines(ledgers)))
    if kept:
        print(f"  note: {len(kept)} object(s) no API can delete stay on the target "
              f"({', '.join(sorted({o.kind for o in kept}))}; listed in the ledgers)")
    print(f"cleanup: removed {len(result.removed)}, already gone {len(result.already_gone)}, "
          f"left {len(result.left)}, unknown {len(result.unresolved)}; {budget.used} requests")
    if not result.ok:
        listings = len([x for x in result.left if x.get("kind") == "search"])
        objects = len([x for x in result.left if not x.get("undeletable") and x.get("kind") != "search"])
        return _fail(f"{objects} object(s) could not be removed" + (f"; {listings} listing(s) failed: what they "
                     "did not show is unknown" if listings else ""))
    return 0


def cmd_prune(args: argparse.Namespace) -> int:
    """Delete old run folders under the reports root (:mod:`runs.prune`); ``--dry-run`` only says which."""
    from runs.prune import PruneError, apply_prune, parse_age, parse_keep, plan_prune

    reports = _reports(args)
    try:
        plan = plan_prune(reports, keep=parse_keep(args.keep), older_than=parse_age(args.older_than),
                          force=args.force)
    except PruneError as exc:
        return _fail(str(exc), 2)
    verb = "would remove" if args.dry_run else "removed"
    failed = [] if args.dry_run else apply_prune(plan)
    for folder in plan.removed:
        if folder not in failed:
            print(f"  {verb} {folder.name}")
    for folder in plan.running:
        print(f"  kept {folder.name}: no summary yet and changed in the last minutes (a run in progress)")
    for folder, left in plan.pinned.items():
        print(f"  kept {folder.name}: its ledger lists {left} object(s) not deleted on the target "
              f"(webex-harness cleanup --run {folder.name}; or prune --force)")
    print(f"prune {reports}: {verb} {len(plan.removed) - len(failed)} run folder(s), kept {len(plan.kept)}"
          + (f" ({len(plan.pinned)} for their ledgers)" if plan.pinned else ""))
    if failed:
        return _fail(f"could not remove {len(failed)} folder(s): {', '.join(f.name for f in failed[:5])}")
    return 0


def _latest_run(reports: Path, needs: str) -> Path | None:
    runs = sorted(p.parent for p in reports.glob(f"*/{needs}"))
    return runs[-1] if runs else None


def cmd_report(args: argparse.Namespace) -> int:
    reports = _reports(args)
    needs = "allure-results" if args.allure else "summary.json"
    if args.run and Path(args.run).is_dir():  # a run folder, e.g. one written with --out DIR
        run_dir: Path | None = Path(args.run)
    else:
        run_dir = reports / args.run if args.run else _latest_run(reports, needs)
    if run_dir is None or not (run_dir / needs).exists():
        return _fail(f"no {needs} in {run_dir if run_dir is not None else reports}", 2)
    if not args.allure:
        path = rerender(run_dir)
        print(f"report: {path.with_suffix('.html')}\nsummary: {path}")
        return 0
    allure = shutil.which("allure")
    if allure is None:
        return _fail(f"the allure command-line tool is not installed; install it with: {ALLURE_INSTALL} "
                     "(it needs Java 8+)", 2)
    out = run_dir / "allure-report"
    code = subprocess.call([allure, "generate", str(run_dir / "allure-results"), "-o", str(out), "--clean"])
    if code != 0:
        return _fail(f"allure generate failed with exit code {code}")
    print(f"allure report: {out / 'index.html'} (open it with: allure open {out})")
    return 0


def cmd_probe(args: argparse.Namespace) -> int:
    from load.probe import probe_cli

    return probe_cli(args.env)


def cmd_apis(args: argparse.Namespace) -> int:
    from generators.cli_support import list_apis_lines

    print("\n".join(list_apis_lines()))
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    from generators.cli_support import generate_text

    try:
        print(generate_text(args.api, args.seed, args.edge))
    except KeyError as exc:
        return _fail(str(exc.args[0]) if exc.args else str(exc), 2)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="webex-harness",
        description="Contract and load tests for the Webex Meetings XML and REST APIs, against a real site "
        "or the embedded emulator.",
    )
    parser.add_argument("--version", action="version", version=f"webex-harness {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--env", default=None, help="environment file or name (default: environments/emulator.yaml)")
        p.add_argument("--seed", type=int, default=1, help="seed for generated data (default 1)")

    from environment.model import SCENARIO_NAMES, SHAPE_NAMES

    def load_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--users", type=int, default=None,
                       help="concurrent locust users (default: the mix's total weight, at least 5)")
        p.add_argument("--spawn-rate", type=float, default=5, help="users started per second (default 5)")
        p.add_argument("--run-time", default="20s", help="load duration, e.g. 20s, 2m (default 20s)")
        p.add_argument("--scenario", choices=SCENARIO_NAMES, default=None,
                       help="run only this scenario (default: the environment file's load.mix; mixed = that mix)")
        p.add_argument("--shape", choices=SHAPE_NAMES, default=None,
                       help="load shape (default: the environment file's load.shape, else steady)")
        p.add_argument("--processes", type=int, default=None, metavar="N",
                       help="locust worker processes (N > 1: a master plus N workers; default 1)")
        p.add_argument("--max-failure-ratio", default=None, metavar="X",
                       help="gate: failures / requests of the whole run at most X (e.g. 0.01)")
        p.add_argument("--max-p95", action="append", default=[], metavar="[API=]MS",
                       help="gate: p95 of API (no API: of every API) at most MS milliseconds (repeatable)")
        p.add_argument("--min-rps", action="append", default=[], metavar="[API=]RPS",
                       help="gate: requests per second of API (no API: of the whole run) at least RPS (repeatable)")

    p = sub.add_parser("emulator", help="serve the Webex emulator on loopback")
    common(p)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8080)
    p.add_argument("--allow-remote", action="store_true", help=argparse.SUPPRESS)
    p.add_argument("--busy", action="store_true",
                   help="the default site plays a busy shared production site: foreign meetings, events and contacts, "
                        "a background writer, latency jitter, rare 503s (see emulator/busy.py)")
    p.add_argument("--busy-option", action="append", default=[], metavar="NAME=VALUE",
                   help="a busy-site option, e.g. seed=7, jitter_ms=0, unavailable_one_in=0 "
                        "(repeatable; implies --busy)")
    p.set_defaults(func=cmd_emulator)

    def contract_opts(p: argparse.ArgumentParser) -> None:
        p.add_argument("--workers", type=int, default=2, help="pytest-xdist workers (default 2)")
        p.add_argument("--behaviour", action="append", help="only the tests marked with this behaviour ID (repeatable)")
        p.add_argument("--profile", default=None, metavar="PROFILE",
                       help="smoke (the cheapest site-runnable test per behaviour), standard (all but the generic "
                       "catalogue edge cases) or full (default: full on the emulator, smoke on a site)")
        emulator_url(p)

    def out_opt(p: argparse.ArgumentParser) -> None:
        p.add_argument("--out", default=None, metavar="DIR",
                       help="the run folder, new or empty, with fixed file names inside (junit.xml, load-gates.xml, "
                       "summary.html …) for a CI job to pick up (default: reports/<run-id>/)")

    def emulator_url(p: argparse.ArgumentParser) -> None:
        p.add_argument("--emulator-url", default=None,
                       help="an emulator target: use this running emulator instead of starting one")

    p = sub.add_parser("run", help="contract suites + a short bounded load run; writes reports/<run-id>/ "
                       "(or --out DIR)")
    common(p)
    load_opts(p)
    contract_opts(p)
    out_opt(p)
    p.set_defaults(func=lambda a: cmd_run(a))

    p = sub.add_parser("contracts", help="the contract suites only; writes reports/<run-id>/ (or --out DIR)")
    common(p)
    contract_opts(p)
    out_opt(p)
    p.set_defaults(func=lambda a: cmd_run(a, load=False))

    p = sub.add_parser("costs", help="the estimated requests of each profile on the target; --refresh measures "
                       "every contract test again and rewrites contracts/costs.json")
    common(p)
    p.add_argument("--refresh", action="store_true",
                   help="run every contract test on a local emulator and in site mode against a stand-in site "
                   "(about a minute) and rewrite contracts/costs.json")
    p.set_defaults(func=cmd_costs)

    p = sub.add_parser("load", help="a bounded locust run only; writes reports/<run-id>/ (or --out DIR)")
    common(p)
    load_opts(p)
    emulator_url(p)
    out_opt(p)
    p.set_defaults(func=lambda a: cmd_run(a, contracts=False), behaviour=None, workers=1, profile=None)

    p = sub.add_parser("compare", help="compare two load runs (rps, p50/p95/p99, failure ratio per API); "
                       "writes compare-<A>-vs-<B>.md and .svg")
    p.add_argument("run_a", metavar="RUN_A",
                   help="the run before: a run id under reports/, a run folder or a load.json")
    p.add_argument("run_b", metavar="RUN_B", help="the run after (same forms)")
    p.add_argument("--reports", default=None, help="the reports folder run ids are looked up in (default: reports/)")
    p.add_argument("--out", default=None, help="where to write the comparison (default: RUN_B's folder)")
    p.add_argument("--env", default=None, help="environment file or name whose load.compare limits apply "
                   "(default: none, the built-in limits)")
    for key, default in (("max_rps_drop", "0.10"), ("max_p95_increase", "0.20"), ("max_p99_increase", "0.30"),
                         ("max_failure_ratio_increase", "0.01")):
        p.add_argument(f"--{key.replace('_', '-')}", dest=key, default=None, metavar="X",
                       help=f"regression limit as a fraction or a percentage (default: load.compare.{key}, "
                       f"else {default})")
    p.set_defaults(func=cmd_compare)

    p = sub.add_parser("selfcheck", help="prove every emulator fault is detected by its contract tests")
    common(p)
    p.add_argument("--fault", action="append", help="check only this fault (repeatable)")
    p.add_argument("--workers", type=int, default=2, help="faults checked in parallel (default 2)")
    out_opt(p)
    p.set_defaults(func=cmd_selfcheck)

    p = sub.add_parser("cleanup", help="delete what earlier runs left on the target (their ledgers, their names)")
    common(p)
    p.add_argument("--run", default=None, metavar="RUN_ID", help="only this run (default: every run's ledger)")
    p.add_argument("--run-dir", default=None, metavar="DIR",
                   help="only the run whose folder is DIR (a run written with --out DIR)")
    p.add_argument("--reports", default=None, help="the reports folder (default: reports/)")
    emulator_url(p)
    p.set_defaults(func=cmd_cleanup)

    p = sub.add_parser("prune", help="delete old run folders under the reports folder (never .safety, never a run "
                       "whose ledger lists objects still on the target unless --force)")
    p.add_argument("--keep", default=None, metavar="N", help="keep the newest N runs")
    p.add_argument("--older-than", default=None, metavar="AGE",
                   help="remove only runs started longer ago than AGE: 30m, 12h, 7d, 2w")
    p.add_argument("--dry-run", action="store_true", help="say what would be removed, remove nothing")
    p.add_argument("--force", action="store_true",
                   help="remove runs whose ledger still lists objects not deleted on the target too")
    p.add_argument("--reports", default=None, help="the reports folder (default: reports/)")
    p.set_defaults(func=cmd_prune)

    p = sub.add_parser("report", help="render a run's summary.html/summary.md again, or (--allure) its allure report")
    p.add_argument("--run", default=None, metavar="RUN",
                   help="the run: a run id under reports/ or a run folder such as an --out DIR (default: the latest)")
    p.add_argument("--allure", action="store_true", help="build the allure HTML report (needs the allure tool)")
    p.add_argument("--reports", default=None, help="the reports folder (default: reports/)")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser("probe-rate-limit", help="discover the 403 usage-limit threshold (locks users out: "
                       "needs allow.lockout on a real site); writes probe.json")
    p.add_argument("--env", default=None, help="environment file or name (default: environments/emulator.yaml)")
    p.set_defaults(func=cmd_probe)

    p = sub.add_parser("apis", help="every API the harness knows, one a line: XML then REST")
    p.set_defaults(func=cmd_apis)

    p = sub.add_parser("generate", help="a generated envelope for API on stdout")
    p.add_argument("api")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--edge", action="store_true", help="the edge cases as a JSON array instead")
    p.set_defaults(func=cmd_generate)
    return parser


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a CI cancel, a closed terminal): handled like Ctrl-C — the children are
    told to stop, clean up within their bound, then killed (:mod:`webex.lifeline`)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def _stop_like_ctrl_c(signum: int, frame: object) -> None:
    raise Stopped(signum)


def _handle_stop_signals() -> dict[int, Any]:
    """SIGTERM and SIGHUP raise :class:`Stopped` in the main thread, as SIGINT raises KeyboardInterrupt;
    the handlers they replace (to put back)."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, _stop_like_ctrl_c) for signum in (signal.SIGTERM, signal.SIGHUP)}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    try:  # every value before anything starts (runs.cli_checks)
        check_arguments(args)
    except UsageProblem as problem:
        return _fail(str(problem), 2)
    # the emulator's server has its own graceful SIGTERM
    previous = _handle_stop_signals() if args.command != "emulator" else {}
    try:
        return int(args.func(args))
    except EnvironmentFileError as err:
        return _fail(str(err), 2)
    except Stopped as stop:
        return _fail(f"stopped by {signal.Signals(stop.signum).name}", 128 + stop.signum)
    except KeyboardInterrupt:
        return _fail("interrupted", 130)
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


if __name__ == "__main__":
    sys.exit(main())
