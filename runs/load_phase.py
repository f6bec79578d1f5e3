"""The load phase of ``webex-harness run`` and ``load``: what it prints and what it writes.

Before anything starts: the ``load:`` check the loader cannot make and the CI gates (the file's
``load.thresholds`` overridden by the command line). While locust runs in its subprocess: a
progress line every few seconds (:class:`LoadProgress`, read from locust's own stats CSV). After:
the per-API table, the gates (:mod:`runs.gates`) into ``load.json`` and ``load-gates.xml``
(:mod:`runs.junit_outputs`), and the problems that make the run exit 1.

Stands on :mod:`environment` and :mod:`workspace`; :mod:`load` (locust's runner) is imported only
when a load runs, so ``import runs.cli`` never imports locust.
"""

from __future__ import annotations

import argparse
import csv
import json
import threading
import time
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from webex_harness.environment.model import Environment, Thresholds
from webex_harness.runs.cli_common import duration
from webex_harness.workspace.run_folder import Run

if TYPE_CHECKING:
    from webex_harness.runs.gates import GateResult

__all__ = [
    "DEFAULT_USERS",
    "LOAD_PROGRESS_SECONDS",
    "LoadOptions",
    "LoadProgress",
    "check_load_settings",
    "gate_thresholds",
    "load_progress_line",
    "load_table_lines",
    "resolve_users",
    "run_load_phase",
    "write_load_gate_error",
]

#: Seconds between the progress lines of a load run.
LOAD_PROGRESS_SECONDS = 5.0

#: ``--users`` when none is given: at least this many, and at least the mix's total weight.
DEFAULT_USERS = 5


class LoadOptions(TypedDict, total=False):
    """The keyword arguments of :func:`load.runner.run_load` a run passes only when they are set
    (an option left out keeps the runner's default: the environment file's choice)."""

    scenario: str
    shape: str
    processes: int
    run_id: str


def check_load_settings(env: Environment) -> None:
    """Before anything starts, the one check of the ``load:`` section the loader cannot make (every
    API of ``calls:`` in the catalogue and repeatable, :func:`load.config.load_settings`): exit 2."""
    from webex_harness.load.config import load_settings

    load_settings(env)


def gate_thresholds(env: Environment, args: argparse.Namespace) -> Thresholds:
    """The environment file's ``load.thresholds``, overridden key by key by the command line."""
    from webex_harness.runs.gates import thresholds_from_options

    from_file = env.load.thresholds
    from_options = thresholds_from_options(args.max_failure_ratio, args.max_p95, args.min_rps)
    return from_file.overridden_by(from_options)


class LoadProgress(threading.Thread):
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
    head = f"  load: {duration(elapsed)} of {duration(run_seconds)}"
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


def load_table_lines(data: Mapping[str, Any]) -> list[str]:
    """The per-API table printed after a load run (the Aggregated row last)."""
    rows: list[Mapping[str, Any]] = [*data.get("apis", []), data.get("total") or {}]
    width = max([len(str(r.get("name", ""))) for r in rows] + [3])
    lines = [f"{'API':<{width}} {'requests':>9} {'failures':>9} {'rps':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}"]
    for r in rows:
        lines.append(
            f"{r.get('name', ''):<{width}} {r.get('requests', 0):>9} {r.get('failures', 0):>9} "
            f"{float(r.get('rps') or 0):>9.1f} {_format_ms(r.get('p50_ms')):>7} "
            f"{_format_ms(r.get('p95_ms')):>7} {_format_ms(r.get('p99_ms')):>7}"
        )
    return lines


def resolve_users(env: Environment, args: argparse.Namespace) -> None:
    """Choose ``--users`` when it was not given, and warn when scenarios may get no user.

    locust hands out users in proportion to the weights (a Kullback-Leibler sequence), so every
    scenario is sure to get its share only when there are at least as many users as the mix's
    total weight (8 for the default mix of calls 4 + four scenarios of 1). The default is that
    total, and never less than :data:`DEFAULT_USERS`.
    """
    from webex_harness.load.config import load_settings

    scenarios = load_settings(env).active_scenarios(args.scenario)
    needed = sum(scenarios.values())
    if args.users is None:
        args.users = max(DEFAULT_USERS, needed)
    elif args.users < needed and len(scenarios) > 1:
        print(
            f"  warning: {args.users} users for a mix of total weight {needed} "
            f"({', '.join(f'{k} {v}' for k, v in scenarios.items())}): locust starts users in proportion to "
            f"the weights, so some scenarios may get no user; use --users {needed} or more",
            flush=True,
        )


def _chosen_options(args: argparse.Namespace) -> LoadOptions:
    """``--scenario``, ``--shape`` and ``--processes`` as given (an option not given is left out)."""
    chosen = LoadOptions()
    if args.scenario is not None:
        chosen["scenario"] = args.scenario
    if args.shape is not None:
        chosen["shape"] = args.shape
    if args.processes is not None:
        chosen["processes"] = args.processes
    return chosen


def run_load_phase(
    run: Run, env: Environment, args: argparse.Namespace, thresholds: Thresholds
) -> tuple[dict[str, Any] | None, list[str]]:
    """Run the load, print its table and gates; return ``load.json`` (with ``"gates"``) and the problems."""
    from webex_harness.load.runner import GRACE_SECONDS, LoadError, parse_run_time, run_load
    from webex_harness.runs.gates import evaluate
    from webex_harness.runs.junit_outputs import write_load_gates

    chosen = _chosen_options(args)
    try:
        run_seconds = parse_run_time(args.run_time)
    except ValueError as exc:
        return None, [f"load run failed: {exc}"]
    resolve_users(env, args)
    what = ", ".join(
        [
            f"{args.users} users",
            f"spawn rate {args.spawn_rate:g}/s",
            args.run_time,
            *(f"{k} {v}" for k, v in chosen.items()),
        ]
    )
    print(f"== load ({what}); locust stops within {duration(run_seconds + GRACE_SECONDS)} at most", flush=True)
    for line in thresholds.describe():
        print(f"  gate: {line}", flush=True)
    if run.folder is not None:  # a --out DIR run: the load's objects are named after the run ID, not the folder
        chosen["run_id"] = run.run_id
    progress = LoadProgress(run.dir / "locust_stats.csv", run_seconds)
    progress.start()
    try:
        result = run_load(env, run.dir, users=args.users, spawn_rate=args.spawn_rate, run_time=args.run_time, **chosen)
    except LoadError as exc:
        return None, [f"load run failed: {exc}"]
    finally:
        progress.stop()
    data = dict(result.data)
    cut = budget_cut(run.dir, args.run_time, env)
    if cut is not None:
        data["budget_spent"] = cut
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
        print(
            "gates: none (declare load.thresholds in the environment file or pass --max-failure-ratio, "
            "--max-p95, --min-rps)"
        )
    if cut is not None:
        print(f"  {cut['note']}")
    return data, load_problems(data, gates)


def interrupted_load(run_dir: Path, args: argparse.Namespace) -> dict[str, Any] | None:
    """``load.json`` of a load run stopped by a signal: what locust's statistics files held when it stopped
    (``"interrupted": true``, no gates), or None when it wrote none."""
    from webex_harness.load.summary import summarise

    stats = run_dir / "locust_stats.csv"
    if not stats.is_file():
        return None
    try:
        figures = summarise(stats, run_dir / "locust_failures.csv")
    except (OSError, ValueError, csv.Error):
        return None
    data: dict[str, Any] = {
        "users": args.users,
        "spawn_rate": args.spawn_rate,
        "run_time": args.run_time,
        "interrupted": True,
        **figures,
        "gates": [],
    }
    (run_dir / "load.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data


def budget_cut(run_dir: Path, run_time: str, env: Environment) -> dict[str, Any] | None:
    """When the load's share of the run's budget ran out (its users idled, a local runner quit before its run
    time was up): the requests used, the share, and a sentence saying so; None when the share lasted."""
    from webex_harness.workspace.budget import LOAD, read_counter

    counter = read_counter(run_dir)
    pool = (counter or {}).get("pools", {}).get(LOAD) or {}
    limit, used = pool.get("limit"), int(pool.get("used") or 0)
    if not isinstance(limit, int) or limit <= 0 or used < limit:
        return None
    where = f"budget.max_requests in {env.path}" if env.path is not None else "budget.max_requests"
    note = (
        f"load stopped early: its share of the budget is spent ({used} of {limit} requests) before its run time "
        f"({run_time}) was up, so its figures cover a shorter run — raise {where} for a longer load"
    )
    return {"used": used, "limit": limit, "note": note}


def load_problems(data: Mapping[str, Any], gates: list[GateResult]) -> list[str]:
    """What fails a load run: every failure that breaks a scenario's expectation (a FAILURE envelope it did
    not expect, a wrong status, a malformed answer), whatever the gates say; requests the site did not serve
    (no answer, 429, 502–504: :func:`load.judging.unavailable_status`) only through a declared failure-ratio
    gate — or, when none is declared, any of them; then every breached gate."""
    from webex_harness.load.judging import unavailable_status
    from webex_harness.runs.gates import breaches

    total = int(data.get("total", {}).get("failures", 0) or 0)
    unserved: dict[str, int] = {}
    for failure in data.get("failures", []):
        status = unavailable_status(str(failure.get("error", "")))
        if status is not None:
            label = f"HTTP {status}"
            unserved[label] = unserved.get(label, 0) + int(failure.get("occurrences", 0) or 0)
    unserved_count = min(total, sum(unserved.values()))
    problems: list[str] = []
    if total - unserved_count:
        problems.append(f"load run had {total - unserved_count} unexpected failures")
    if unserved_count and not any(g.name == "failure_ratio" for g in gates):
        kinds = ", ".join(f"{label} x{n}" for label, n in sorted(unserved.items()))
        problems.append(
            f"load run had {unserved_count} requests the site did not serve ({kinds}); declare a failure-ratio "
            "gate (--max-failure-ratio, or load.thresholds.failure_ratio) to accept a share of them"
        )
    breached = breaches(gates)
    if breached:
        problems.append("gate breached: " + "; ".join(breached))
    return problems


def write_load_gate_error(run_dir: Path, problem: str) -> Path:
    """``load-gates.xml`` of a load run that produced no statistics: one failing case saying why."""
    from webex_harness.runs.junit_outputs import LOAD_GATES_FILE, Case, junit_xml

    path = run_dir / LOAD_GATES_FILE
    path.write_bytes(junit_xml("webex-harness load gates", [Case("load.gates", "load run", "failed", problem)]))
    return path
