"""The commands that serve or work a target besides a run: ``emulator`` (serve it on loopback),
``selfcheck`` (every emulator fault detected by its example tests; the state machines' kill rate),
``cleanup`` (what earlier runs left on the target), ``costs`` (what each profile costs; ``--refresh``
measures again) and ``probe-rate-limit`` (:mod:`load.probe`).

Stands on every layer below; the emulator, the runner (httpx), the probe and the plan's collection
pass are imported only when their command runs.
"""

from __future__ import annotations

import argparse
import secrets
import time
from pathlib import Path
from typing import TYPE_CHECKING

from webex_harness.environment.guard import GuardError, check_environment
from webex_harness.environment.model import Environment
from webex_harness.runs.cli_common import (
    OutFolderError,
    duration,
    environment_of,
    fail,
    keep_state_in_reports_root,
    out_folder,
    reports_folder,
)
from webex_harness.runs.report import write_summary
from webex_harness.workspace.run_folder import Run, run_started

if TYPE_CHECKING:
    from webex_harness.emulator.busy_state import BusyOptions
    from webex_harness.runs.selfcheck import FaultRow, SelfcheckReport

__all__ = ["cmd_cleanup", "cmd_costs", "cmd_emulator", "cmd_probe", "cmd_selfcheck", "eta", "selfcheck_verdict"]

#: The hosts ``webex-harness emulator`` listens on without ``--allow-remote``.
LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "::1")


def _busy_options(args: argparse.Namespace, env: Environment) -> BusyOptions | None:
    """``--busy`` / ``--busy-option NAME=VALUE`` as :class:`emulator.busy_state.BusyOptions` (None when
    neither is given); the busy host defaults to the environment's webExID. Raises
    :class:`emulator.busy_state.BusyOptionError` naming a bad option."""
    from webex_harness.emulator.busy_state import option_from_text, parse_options

    if not args.busy and not args.busy_option:
        return None
    data: dict[str, object] = {"host": env.credentials.webex_id or None}
    for text in args.busy_option:
        name, value = option_from_text(text)
        data[name] = value
    return parse_options(data)


def cmd_emulator(args: argparse.Namespace) -> int:
    """Serve the emulator on loopback until interrupted (its own graceful SIGTERM)."""
    from webex_harness.emulator.busy_state import BusyOptionError
    from webex_harness.emulator.server import serve

    env = environment_of(args)
    if args.host not in LOOPBACK_HOSTS and not args.allow_remote:
        return fail(
            f"refusing to listen on {args.host}: the emulator serves loopback only (pass --allow-remote to override)", 2
        )
    try:
        busy = _busy_options(args, env)
    except BusyOptionError as exc:
        return fail(str(exc), 2)
    taken = _why_port_is_taken(args.host, args.port)
    if taken:
        return fail(
            f"cannot listen on {args.host}:{args.port}: {taken} (an emulator started earlier? stop it, or pick a "
            "free port with --port)",
            2,
        )
    from webex_harness.client.xml_client import CONTROL_TOKEN_VAR  # httpx: not on every command's path

    token = control_token_for(args.host, args.control_token)
    kind = "busy default site" if busy is not None else "default site"
    print(f"webex-harness emulator on http://{args.host}:{args.port} ({kind} {env.site_name!r})", flush=True)
    if token is not None and not args.control_token:
        print(
            f"control API token (made up: the emulator listens beyond loopback): {token}\n"
            f"  clients send it as 'Authorization: Bearer <token>'; the harness reads ${CONTROL_TOKEN_VAR}",
            flush=True,
        )
    serve(args.host, args.port, env.site_name, env.settings, busy, token)
    return 0


def control_token_for(host: str, given: str | None) -> str | None:
    """The control API's token: the one given (``--control-token`` / ``$WEBEX_HARNESS_CONTROL_TOKEN``),
    else a new random one when the emulator listens beyond loopback, else none (a loopback emulator's
    control API is guarded by Host, Origin and Content-Type alone: emulator/control_guard.py)."""
    if given:
        return given
    return None if host in LOOPBACK_HOSTS else secrets.token_urlsafe(24)


def _why_port_is_taken(host: str, port: int) -> str | None:
    """Why the emulator could not listen on ``host:port`` (bound the way the web server binds, with
    SO_REUSEADDR), or None when it can: checked before it starts, so a taken port is a usage error."""
    import socket

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            return (exc.strerror or str(exc)).lower()
    return None


def eta(done: int, total: int, started: float, now: float | None = None) -> str:
    """``elapsed 1m05s, ETA 2m10s`` from the pace so far."""
    elapsed = max(0.0, (now if now is not None else time.monotonic()) - started)
    left = elapsed / done * (total - done) if done else 0.0
    return f"elapsed {duration(elapsed)}, ETA {duration(left)}"


class _SelfcheckProgress:
    """Prints a line per fault as it is done (``[  3/79] stateful fault-id  detected  elapsed …, ETA …``);
    the pace is counted from when the suite's baseline is done, the count starts again per suite."""

    def __init__(self, total: int) -> None:
        self.total = total
        self.done = 0
        self.started = time.monotonic()

    def __call__(self, row: FaultRow | None) -> None:
        if row is None:  # a suite's baseline is done: its faults start now
            self.started = time.monotonic()
            self.done = 0
            return
        self.done += 1
        state = result_word(row)
        suite = row.get("suite", "examples")
        print(
            f"  [{self.done:>3}/{self.total}] {suite:<8} {row['id']:<40} {state:<8} "
            f"{eta(self.done, self.total, self.started)}",
            flush=True,
        )


def result_word(row: FaultRow) -> str:
    """``detected``, ``MISSED``, or ``ERROR`` when the fault's tests could not run."""
    if row["detected"]:
        return "detected"
    return "ERROR" if row.get("error") else "MISSED"


def selfcheck_verdict(report: SelfcheckReport) -> list[str]:
    """What makes a self-check fail, one phrase each: a suite whose baseline failed, a fault the
    example tests missed, state machines below their kill rate (:func:`runs.selfcheck.kill_rate_problem`)."""
    from webex_harness.runs.selfcheck import kill_rate_problem

    problems: list[str] = []
    for name, block in report["suites"].items():
        if not block["baseline_passed"]:
            failed = ", ".join(block["baseline_failed_tests"][:5]) or "pytest failed"
            problems.append(f"{name} baseline failed: {failed}")
        problem = kill_rate_problem(block)
        if problem:
            problems.append(problem)
    return problems


def _print_selfcheck(report: SelfcheckReport) -> None:
    from webex_harness.runs.selfcheck import percent

    for name, block in report["suites"].items():
        print()
        print(f"{name}: {'fault':<42} {'result':<9} failed tests")
        for f in block["faults"]:
            line = f"{name}: {f['id']:<42} {result_word(f):<9} {len(f['failed_tests'])}"
            print(f"{line}  ({f['error']})" if f.get("error") else line)
        print(
            f"{name}: baseline (no fault) {'passed' if block['baseline_passed'] else 'FAILED'}; "
            f"detected {block['detected']}/{block['total']} "
            f"({percent(block['kill_rate'])}, must reach {percent(block['target'])})"
        )


def cmd_selfcheck(args: argparse.Namespace) -> int:
    """Every fault (or each ``--fault``) on a fresh emulator site, the ``--suite``'s tests run: exit 1
    naming each fault the example tests missed, state machines below their kill rate, or a baseline
    (no fault) that failed."""
    from webex_harness.emulator.registered import all_faults
    from webex_harness.runs.runner import target_up
    from webex_harness.runs.selfcheck import percent, selfcheck, suites_of

    env = environment_of(args)
    if not env.is_emulator:
        return fail("selfcheck needs the emulator (its faults); use an emulator environment", 2)
    try:
        suites = suites_of(args.suite)
        folder = out_folder(args.out)
    except (OutFolderError, ValueError) as exc:
        return fail(str(exc), 2)
    run = Run(env, seed=args.seed, folder=folder)
    run.create()
    faults: list[str] = args.fault or list(all_faults())
    print(
        f"selfcheck {run.run_id}: {len(faults)} faults, suite(s) {' and '.join(suites)}; reports in {run.dir}",
        flush=True,
    )
    with target_up(run) as target:
        run.environment = target.environment
        report = selfcheck(
            run, target, faults, suites=suites, workers=args.workers, progress=_SelfcheckProgress(len(faults))
        )
    _print_selfcheck(report)
    problems = selfcheck_verdict(report)
    verdict = "; ".join(problems) or "every fault detected"
    if not problems and "stateful" in report["suites"]:
        block = report["suites"]["stateful"]
        verdict = (
            "every fault detected by the example tests; " if "examples" in report["suites"] else ""
        ) + f"the state machines detect {block['detected']}/{block['total']} faults ({percent(block['kill_rate'])})"
    path = write_summary(run, exit_code=1 if problems else 0, verdict=verdict, selfcheck=report)
    if not problems:
        print(verdict)
    print(f"selfcheck: {run.dir / 'selfcheck.json'}\nsummary: {path}")
    return fail(verdict) if problems else 0


def cmd_cleanup(args: argparse.Namespace) -> int:
    """Delete what earlier runs left on the target: each run's ledger, then what carries its name;
    exit 1 when an object could not be removed or a listing failed."""
    from webex_harness.client.journal import find_ledgers, fold, read_lines
    from webex_harness.client.xml_client import RequestBudget
    from webex_harness.environment.loader import check_reachable
    from webex_harness.runs.runner import clean_leftovers, run_ids_under, undeletable

    env = environment_of(args)
    reports = reports_folder(args)
    run_id: str | None = args.run
    own_ledgers: list[Path] | None = None
    if args.run_dir:  # a run written with --out DIR: its ledger names the run
        own_ledgers = sorted(Path(args.run_dir).glob("ledger-*.jsonl"))
        ids = sorted({p.stem.removeprefix("ledger-") for p in own_ledgers})
        if args.run or len(ids) != 1:
            return fail(
                f"--run-dir {args.run_dir}: "
                + (
                    "give --run or --run-dir, not both"
                    if args.run
                    else f"expected the ledger of one run (ledger-<run-id>.jsonl), found {len(ids)}"
                ),
                2,
            )
        run_id = ids[0]
        keep_state_in_reports_root(reports)
    try:  # every URL, --emulator-url included, before anything connects
        check_environment(env, args.emulator_url)
    except GuardError as exc:
        return fail(str(exc), 2)
    if env.is_emulator:
        if not args.emulator_url:
            return fail(
                "an emulator's state ends with the run that started it: pass --emulator-url URL of the "
                "running emulator to clean",
                2,
            )
        base = args.emulator_url.rstrip("/")
        env = env.with_urls(base + "/WBXService/XMLService", base + "/v1")
    else:
        check_reachable(env)
    ledgers = own_ledgers if own_ledgers is not None else find_ledgers(reports, run_id)
    scope = f"run {run_id}" if run_id else f"every run under {reports}"
    print(
        f"cleanup of {scope} on {env.name} (site {env.site_name}): {len(ledgers)} ledger(s); names "
        f"{env.cleanup_prefix}-{run_id or '<run-id>'}-*",
        flush=True,
    )
    budget = RequestBudget(env.budget.max_requests, env.budget.max_seconds)
    # REST meetings are listed from the run's start (every run's: the earliest run folder's)
    starts = [t for t in (run_started(r) for r in ([run_id] if run_id else run_ids_under(reports))) if t]
    result, _ = clean_leftovers(
        env,
        ledgers,
        run_id=run_id,
        emulator_url=args.emulator_url,
        budget=budget,
        since=min(starts) if starts else None,
    )
    for line in result.lines():
        print(f"  {line}")
    kept = undeletable(fold(read_lines(ledgers)))
    if kept:
        print(
            f"  note: {len(kept)} object(s) no API can delete stay on the target "
            f"({', '.join(sorted({o.kind for o in kept}))}; listed in the ledgers)"
        )
    print(
        f"cleanup: removed {len(result.removed)}, already gone {len(result.already_gone)}, "
        f"left {len(result.left)}, unknown {len(result.unresolved)}; {budget.used} requests"
    )
    if not result.ok:
        listings = len([x for x in result.left if x.get("kind") == "search"])
        objects = len([x for x in result.left if not x.get("undeletable") and x.get("kind") != "search"])
        return fail(
            f"{objects} object(s) could not be removed"
            + (f"; {listings} listing(s) failed: what they did not show is unknown" if listings else "")
        )
    return 0


def cmd_costs(args: argparse.Namespace) -> int:
    """Show what each profile costs on the environment's target; ``--refresh`` measures every test again."""
    from webex_harness.plugin.plan import (
        COSTS_FILE,
        REFRESH_COMMAND,
        PlanError,
        collect_plan,
        contracts_budget,
        load_costs,
    )

    if args.refresh:
        from webex_harness.runs.costs import RefreshError, RefreshTargetError, refresh, refresh_target

        try:  # before anything starts: never into an installed package
            target = refresh_target()
        except RefreshTargetError as exc:
            return fail(str(exc), 2)
        try:
            info = refresh(target, seed=args.seed)
        except RefreshError as exc:
            return fail(f"costs not refreshed: {exc}")
        print(
            f"costs: {target}: {info['tests']} tests ({info['added']} added, {info['removed']} removed, "
            f"{info['changed']} changed); {info['emulator_requests']} requests on the emulator, "
            f"{info['site_requests']} in site mode ({info['site_runs']} tests run on a site); "
            f"{info['seconds']:.0f}s"
        )
        for kind, failed in info["failed"].items():
            if failed:
                print(
                    f"  note: {len(failed)} test(s) failed on the {kind} run (their cost is what they sent "
                    f"before failing): {', '.join(failed[:5])}"
                )
        return 0
    env = environment_of(args)
    if not load_costs():
        print(f"costs: no {COSTS_FILE}; run {REFRESH_COMMAND}")
    budget = contracts_budget(env, None)
    for profile in ("smoke", "standard", "full"):
        try:
            plan = collect_plan(env, seed=args.seed, profile=profile, behaviours=None, budget=budget)
        except PlanError as exc:
            return fail(str(exc), 2)
        verdict = "fits" if plan.fits else "does NOT fit"
        print(f"{plan.line().removeprefix('plan: ')} — {verdict}")
    return 0


def cmd_probe(args: argparse.Namespace) -> int:
    """``probe-rate-limit``: :func:`load.probe.probe_cli`."""
    from webex_harness.load.probe import probe_cli

    return probe_cli(args.env)
