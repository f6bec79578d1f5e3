"""Orchestration behind the CLI: bring the target up, run the contract suites in a pytest
subprocess and clean up after a run (the self-check, which runs them per fault: :mod:`runs.selfcheck`).

Clean-up after a run: the pytest processes delete what they created when their session ends
(:mod:`plugin.targets`). When one of them dies first — killed, out of time, interrupted —
:func:`run_contracts` deletes what the run's ledger still lists, in a ``finally``, within what is
left of the run's request budget. :func:`clean_leftovers` is the same for ``webex-harness cleanup``.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from webex_harness.client.cleaner import Cleaner, CleanupResult, FoundByName
from webex_harness.client.journal import Ledger, LedgerState, Obj, fold, ledger_path, read_lines
from webex_harness.client.kinds import kind
from webex_harness.client.naming import name_pattern
from webex_harness.client.site_safety import install_site_safety
from webex_harness.client.xml_client import ControlClient, ControlError, RequestBudget
from webex_harness.environment.loader import check_reachable
from webex_harness.environment.model import Environment
from webex_harness.plugin.suite_command import contract_pytest_command
from webex_harness.webex.envelope import Security
from webex_harness.webex.lifeline import child_preexec, lifeline_environ
from webex_harness.webex.masking import SecretSet
from webex_harness.workspace.budget import COUNTER_FILE, FINAL_CLEANUP, BudgetSplit, SharedBudget, split_run_budget
from webex_harness.workspace.run_folder import RUN_ID_PATTERN, Run, run_started

#: seconds a pytest run may take beyond ``budget.max_seconds`` (start-up, clean-up) before it is stopped
GRACE_SECONDS = 120.0
#: seconds an interrupted pytest gets to clean up before it is killed
STOP_SECONDS = 60.0
#: wall-clock seconds the clean-up after a run may take
FINAL_CLEANUP_SECONDS = 300.0
#: pytest's exit code for "interrupted"; used when the time budget stopped the run
INTERRUPTED = 2


@dataclass
class Target:
    """The environment with its URLs filled in, and the emulator's base URL when there is one."""

    environment: Environment
    emulator_url: str | None


@contextlib.contextmanager
def target_up(run: Run, emulator_url: str | None = None) -> Iterator[Target]:
    """Start the emulator (as a child process, on a free loopback port) for an emulator target —
    or use the running one at ``emulator_url`` — check a real site is reachable otherwise; stop the
    emulator this started afterwards."""
    env = run.environment
    if not env.is_emulator:
        check_reachable(env)
        yield Target(env, None)
        return
    if emulator_url:
        from webex_harness.emulator.server import wait_healthy

        base = emulator_url.rstrip("/")
        wait_healthy(base, timeout=5.0)
        yield Target(env.with_urls(base + "/WBXService/XMLService", base + "/v1"), base)
        return
    from webex_harness.emulator.server import start_subprocess

    emulator = start_subprocess(env.path, log_file=run.dir / "emulator.log")
    try:
        yield Target(env.with_urls(emulator.xml_url, emulator.rest_url), emulator.base_url)
    finally:
        emulator.stop()


def pytest_command(
    run: Run,
    target: Target,
    *,
    out_dir: Path,
    selection: list[str] | None = None,
    extra: list[str] | None = None,
    workers: int = 2,
    quiet: bool = True,
    junit: bool = True,
    allure: bool = True,
    profile: str | None = None,
    plan_budget: int | None = None,
    tests: Sequence[str] = (),
) -> list[str]:
    """The pytest command of a contract run. ``profile``: :mod:`plugin.plan`'s (default: the
    target's); ``plan_budget``: the budget the caller planned with (the plugin checks the plan
    against it and does not print it again); ``tests``: what to run instead of every suite."""
    env = target.environment
    cmd = contract_pytest_command(
        "--seed", str(run.seed), "--run-dir", str(out_dir), "--run-id", run.run_id, tests=tests
    )
    if env.path is not None:
        cmd += ["--env", str(env.path)]
    if target.emulator_url:
        cmd += ["--emulator-url", target.emulator_url]
    if junit:
        # xunit1: the catalogue's record_property values go into the JUnit file too
        cmd += ["--junitxml", str(out_dir / "junit.xml"), "-o", "junit_family=xunit1"]
    if allure:
        cmd += ["--alluredir", str(out_dir / "allure-results")]
    if workers > 1:
        # loadgroup: tests sharing one of the site's declared objects (xdist_group) run on one worker
        cmd += ["-n", str(workers), "--dist", "loadgroup"]
    if quiet:
        cmd += ["-q"]
    for bid in selection or []:
        cmd += ["--behaviour", bid]
    if profile:
        cmd += ["--profile", profile]
    if plan_budget is not None:
        cmd += ["--plan-budget", str(plan_budget)]
    return cmd + list(extra or [])


def _stop(proc: subprocess.Popen[Any]) -> None:
    """One SIGINT to pytest and its workers (they clean up, as on Ctrl-C); SIGKILL if they linger.

    Signals arriving meanwhile (a second SIGTERM from an impatient CI) do not cut the bound short:
    the group is killed at its end whatever happens."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGINT)
    deadline = time.monotonic() + STOP_SECONDS
    try:
        _wait_through_signals(proc, deadline)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)  # workers that outlived their controller too
        proc.wait()


def _wait_through_signals(proc: subprocess.Popen[Any], deadline: float) -> None:
    """Until ``deadline``: pytest's end, then its workers' (a worker may still be cleaning up)."""
    while time.monotonic() < deadline:
        try:
            if proc.poll() is None:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            os.killpg(proc.pid, 0)  # ProcessLookupError: no process of the group is left
            time.sleep(0.1)
        except (subprocess.TimeoutExpired, ProcessLookupError):
            return
        except KeyboardInterrupt:
            continue


def _wait(proc: subprocess.Popen[Any], timeout: float) -> int:
    """Wait for pytest (started in its own process group); past ``timeout`` or on Ctrl-C stop it."""
    try:
        return proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        print(
            f"webex-harness: time budget spent ({timeout:.0f}s): stopping the contract run", file=sys.stderr, flush=True
        )
        _stop(proc)
        return INTERRUPTED
    except KeyboardInterrupt:
        _stop(proc)
        raise


def run_contracts(
    run: Run,
    target: Target,
    *,
    extra: list[str] | None = None,
    workers: int = 2,
    selection: list[str] | None = None,
    profile: str | None = None,
    plan_budget: int | None = None,
    tests: Sequence[str] = (),
) -> int:
    """Run the contract suites (or ``tests`` of them), streaming pytest's progress; pytest's exit
    code (5 → no tests).

    Whatever way pytest ends, what the run's ledger still lists is deleted afterwards.
    """
    cmd = pytest_command(
        run,
        target,
        out_dir=run.dir,
        extra=extra,
        workers=workers,
        selection=selection,
        profile=profile,
        plan_budget=plan_budget,
        tests=tests,
    )
    env = target.environment
    # its own process group: a Ctrl-C (or SIGTERM, SIGHUP) reaches it once, from us, and it can clean up
    # undisturbed; it and its xdist workers get SIGINT from the kernel if we die (webex.lifeline)
    proc = subprocess.Popen(
        cmd,
        start_new_session=True,
        env={**os.environ, **lifeline_environ(signal.SIGINT, run.run_id, STOP_SECONDS)},
        preexec_fn=child_preexec(signal.SIGINT, default_sigint=True),
    )
    try:
        return _wait(proc, env.budget.max_seconds + GRACE_SECONDS)
    finally:
        result = after_run_cleanup(run, target, workers)
        if result is not None:
            for line in result.lines():
                print(f"cleanup: {line}", flush=True)


# ---------------------------------------------------------------- clean-up


def deletable(objs: list[Obj]) -> list[Obj]:
    """Leave out what no API deletes (contacts): the ledger lists them, clean-up cannot help."""
    return [o for o in objs if kind(o.kind).delete is not None]


def undeletable(state: LedgerState) -> list[Obj]:
    return [o for o in state.outstanding() if kind(o.kind).delete is None]


def remaining_requests(run_dir: Path, env: Environment, workers: int) -> int:
    """What is left of the run's request budget (runs without a shared counter): a worker that left
    no record may have spent all of its share."""
    share = env.budget.max_requests // max(1, workers)
    used, seen = 0, 0
    for path in run_dir.glob("budget-*.json"):
        try:
            data = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        used += int(data.get("tests_used", 0)) + int(data.get("cleanup_used", 0))
        seen += 1
    used += max(0, workers - seen) * share
    return max(0, env.budget.max_requests - used)


class Credentials:
    """Who clean-up acts as: the environment's user on its site; on an emulator, any site's users
    (from the control API's state)."""

    def __init__(self, env: Environment, control: ControlClient | None) -> None:
        self.env = env
        self.control = control
        self._cache: dict[str, list[dict[str, Any]]] = {}

    def _users(self, site: str) -> list[dict[str, Any]]:
        if self.control is None:
            return []
        if site.lower() not in self._cache:
            try:
                self._cache[site.lower()] = list(self.control.state(site).get("users", []))
            except (ControlError, httpx.HTTPError):
                self._cache[site.lower()] = []
        return self._cache[site.lower()]

    def __call__(self, site: str, owner: str | None) -> list[Security]:
        if site.lower() == self.env.site_name.lower():
            return [self.env.security()]
        users = self._users(site)
        ordered = sorted(
            users, key=lambda u: (str(u.get("webExID", "")).lower() != (owner or "").lower(), not u.get("siteAdmin"))
        )
        return [Security(site, u["webExID"], u.get("password")) for u in ordered if u.get("webExID")]

    def token(self, site: str) -> str | None:
        return self.env.credentials.rest_token if site.lower() == self.env.site_name.lower() else None


def listing_accounts(env: Environment) -> list[Security]:
    """Who lists the site's sessions by name: the environment's user and, when the file declares one,
    its site administrator (who sees every host's sessions: what a run made as another role)."""
    accounts = [env.security()]
    admin = env.users.admin
    if admin is not None and admin.webex_id and admin.webex_id.lower() != (accounts[0].webex_id or "").lower():
        accounts.append(Security(env.site_name, admin.webex_id, admin.password))
    return accounts


def run_ids_under(reports: Path) -> list[str]:
    """The run IDs of the run folders under ``reports`` (what ``cleanup`` of every run covers)."""
    pattern = re.compile(rf"^{RUN_ID_PATTERN}$")
    try:
        return sorted(p.name for p in reports.iterdir() if p.is_dir() and pattern.match(p.name))
    except OSError:
        return []


def clean_leftovers(
    env: Environment,
    ledgers: list[Path],
    *,
    run_id: str | None,
    emulator_url: str | None,
    budget: RequestBudget | None,
    search_names: bool = True,
    worker: str = "cleanup",
    since: datetime | None = None,
) -> tuple[CleanupResult, list[Path]]:
    """Delete what ``ledgers`` list as not deleted, then what on the environment's site carries a
    run's name (``<cleanup_prefix>-<run-id>``: ``run_id``'s, or any run's when it is None), each
    verified gone; the outcome lines go to the ledger of the run the object belongs to.

    The name search lists every session the site shows (every page) and the REST meetings over the
    whole window a run could have used, from ``since`` (default: ``run_id``'s start, else the
    earliest of the ledgers' runs); a listing that fails is a "left" line, never "nothing found".
    When something was found, the site is listed once more (deleting shifts the pages of a listing)
    and what appears only now is cleaned too.

    Returns the result and the ledgers written to.
    """
    records = read_lines(ledgers)
    state = fold(records)
    by_run: dict[str, Path] = {}
    for path in ledgers:
        rid = path.stem.removeprefix("ledger-")
        by_run[rid] = path
    control = ControlClient(emulator_url) if emulator_url else None
    creds = Credentials(env, control)
    secrets = SecretSet(env.secrets())
    result = CleanupResult()
    written: dict[str, Ledger] = {}

    def ledger_for(rid: str) -> Ledger | None:
        if rid not in by_run:
            return None
        if rid not in written:
            written[rid] = Ledger(rid, by_run[rid], worker=worker, secrets=secrets)
        return written[rid]

    with httpx.Client(timeout=15.0) as http:
        install_site_safety(http, env, reports_root=ledgers[0].resolve().parent.parent if ledgers else None)

        def cleaner(rid: str) -> Cleaner:
            return Cleaner(
                ledger_for(rid),
                http=http,
                xml_url=env.xml_url,
                rest_url=env.rest_url,
                credentials=creds,
                token=creds.token,
                budget=budget,
                secrets=secrets,
            )

        outstanding = deletable(state.outstanding())
        for rid in dict.fromkeys(o.run_id for o in outstanding):
            result.merge(cleaner(rid).clean([o for o in outstanding if o.run_id == rid], state))
        if search_names:
            pattern = name_pattern(env.cleanup_prefix, run_id)
            starts = [t for t in (run_started(r) for r in ([run_id] if run_id else list(by_run))) if t is not None]
            window_start = since or (min(starts) if starts else None)

            def search(finder: Cleaner) -> list[Obj]:
                try:
                    found = finder.find_by_prefix(
                        env.site_name, listing_accounts(env), env.credentials.rest_token, pattern, since=window_start
                    )
                except Exception as exc:  # a listing that fails must not hide what was cleaned already
                    found = FoundByName(problems=[f"{type(exc).__name__}: {exc}"])
                for problem in found.problems:
                    result.left.append(
                        {
                            "what": f"names {pattern.pattern} on site {env.site_name}",
                            "kind": "search",
                            "reason": f"listing failed: {problem}",
                            "id": "",
                            "site": env.site_name,
                            "name": None,
                        }
                    )
                return found.objects

            # still listed after the ledger's objects went: the run made them and they are there
            found = search(cleaner(run_id or ""))
            for rid in dict.fromkeys(o.run_id for o in found):
                result.merge(cleaner(rid).clean([o for o in found if o.run_id == rid], LedgerState()))
            if found:  # a listing that moved while it was paged (deletions) may have hidden some: look again
                handled = {(x.get("kind"), x.get("id")) for x in result.left + result.removed + result.already_gone}
                again = [o for o in search(cleaner(run_id or "")) if (o.kind, o.id) not in handled]
                for rid in dict.fromkeys(o.run_id for o in again):
                    result.merge(cleaner(rid).clean([o for o in again if o.run_id == rid], LedgerState()))
        resolved_by_name = {o.get("name") for o in result.removed + result.already_gone}
        result.unresolved = [
            {"api": i.get("api"), "name": i.get("name"), "site": i.get("site")}
            for i in state.unresolved()
            if i.get("name") not in resolved_by_name
        ]
    if control is not None:
        control.http.close()
    for ledger in written.values():
        ledger.close()
    return result, [ledger.path for ledger in written.values() if ledger.path is not None]


def after_run_cleanup(run: Run, target: Target, workers: int) -> CleanupResult | None:
    """After the pytest run: delete what its ledger still lists (nothing, when every worker ended
    its session normally), within what is left of the run's request budget."""
    ledgers = sorted(run.dir.glob("ledger-*.jsonl"))  # the run folder: reports/<run-id>/ or --out DIR
    state = fold(read_lines(ledgers))
    if not deletable(state.outstanding()) and not state.unresolved():
        return None
    env = target.environment
    if not ledgers:
        ledgers = [ledger_path(run.dir, run.run_id)]
    budget = final_cleanup_budget(run.dir, env, workers)
    try:
        result, _ = clean_leftovers(
            env,
            ledgers,
            run_id=run.run_id,
            emulator_url=target.emulator_url,
            budget=budget,
            search_names=bool(state.unresolved()),
            worker="runner",
        )
    finally:
        budget.close()
    return result


def final_cleanup_budget(run_dir: Path, env: Environment, workers: int) -> RequestBudget:
    """The budget of the clean-up after a run: the ``cleanup`` pool of the run's shared counter
    (its share and whatever the phases left), else what the workers' records leave."""
    counter = run_dir / COUNTER_FILE
    if counter.is_file():
        shared = SharedBudget(counter)
        return RequestBudget(env.budget.max_requests, FINAL_CLEANUP_SECONDS, shared=shared.draw(FINAL_CLEANUP))
    return RequestBudget(remaining_requests(run_dir, env, workers), FINAL_CLEANUP_SECONDS)


def start_run_budget(run: Run, *, contracts: bool, load: bool) -> BudgetSplit:
    """Make the run's shared request counter (``<run-dir>/budget.json``) with the phases' shares of
    ``budget.max_requests`` — before the first request of the run."""
    split = split_run_budget(run.environment.budget.max_requests, contracts=contracts, load=load)
    SharedBudget.create(run.dir / COUNTER_FILE, split)
    return split
