"""What one locust process of a load run holds: its configuration, its request budget, its listeners.

Imported (through :mod:`load.xml_user` and :mod:`load.rest_tasks`) by every locustfile of the
project; importing it registers four locust listeners, once per process:

* ``init`` — :func:`build_state` reads the environment variables and the environment file
  (:mod:`load.config` documents the variables), refuses a foreign ``--host`` or REST URL,
  weighs the user classes by the file's ``load.mix`` (or ``WEBEX_HARNESS_SCENARIO``) and builds
  every envelope (:mod:`load.envelopes`). The master of a distributed run only weighs the
  classes: it sends nothing.
* ``init`` — with ``WEBEX_HARNESS_STOP_FILE`` set, a local runner or master ends the run once that
  file appears (how :func:`load.runner.run_load` ends a run on a condition).
* ``quitting`` — waits for locust's CSV writer to write the final stats (locust 2.47 does not
  write them at exit), and gives back to the run's shared counter what this process took and did
  not send.

Budget: every request counts — set-up, tasks and clean-up. Under ``webex-harness load`` / ``run``
(``WEBEX_HARNESS_BUDGET_FILE`` names the run's counter, :mod:`workspace.budget`) every locust process
draws from the run's shared ``load`` pool, and its clean-up from ``load-cleanup`` then what the
tasks left; run by hand, each process has ``budget.max_requests`` (a fifth kept for its clean-up).
A process whose task budget is spent sends nothing more (its users idle; a local runner quits) but
still cleans up; what a clean-up cannot delete for want of budget keeps its
``<cleanup_prefix>-<run-id>-load-…`` name, which ``webex-harness cleanup --run ID`` finds
(:func:`leftover_warning`).

Stands on locust and gevent, :mod:`load.config`, :mod:`load.calls`, :mod:`load.envelopes`, the
environment file's loader, :mod:`client.xml_client`'s request budget and :mod:`workspace.budget`.
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import cast
from urllib.parse import urlsplit

import gevent
from locust import User, events
from locust import stats as locust_stats
from locust.env import Environment as LocustEnvironment
from locust.event import EventHook
from locust.exception import RescheduleTask, StopUser
from locust.runners import LocalRunner, MasterRunner, Runner, WorkerRunner

from webex_harness.client.naming import run_name
from webex_harness.client.xml_client import BudgetExceeded, RequestBudget
from webex_harness.environment.errors import EnvironmentFileError
from webex_harness.environment.loader import load_environment, resolve_environment_path
from webex_harness.environment.model import AUTO, SCENARIO_NAMES, XML_SERVICE_PATH, Environment, LoadSettings
from webex_harness.load.calls import CallPlan, call_plan
from webex_harness.load.config import (
    BUDGET_FILE_VAR,
    ENV_FILE_VAR,
    REST_TOKEN_VAR,
    REST_URL_VAR,
    RUN_ID_VAR,
    SCENARIO_VAR,
    STOP_FILE_VAR,
    XML_URL_VAR,
    is_loopback,
    load_settings,
    origin_of,
)
from webex_harness.load.envelopes import ScenarioEnvelopes, build_envelopes
from webex_harness.webex.lifeline import hold_lifeline
from webex_harness.workspace.budget import LOAD, LOAD_CLEANUP, LOAD_RESERVE_PERCENT, BudgetCounterError, SharedBudget

__all__ = [
    "CLEANUP_ATTEMPTS",
    "LEFT_FOR_BUDGET",
    "LEFT_FOR_REFUSALS",
    "LEFT_FOR_STOP_TIMEOUT",
    "STOP_POLL_SECONDS",
    "LoadConfigError",
    "LoadState",
    "build_state",
    "leftover_warning",
    "load_budgets",
    "spend",
    "spend_cleanup",
    "state",
]

log = logging.getLogger("webex_harness.load")

#: How many times a user's clean-up asks for one object's deletion before it names it as left.
CLEANUP_ATTEMPTS = 3
#: Seconds between two looks for the stop file (``WEBEX_HARNESS_STOP_FILE``).
STOP_POLL_SECONDS = 0.2


class LoadConfigError(RuntimeError):
    """The locust process cannot be configured (bad environment file, missing or foreign URL)."""


@dataclass(slots=True)
class LoadState:
    """What the users of one locust process share, built once at ``init``."""

    environment_file: str
    settings: LoadSettings
    #: scenario → weight of the user classes this process runs
    scenarios: dict[str, int]
    xml_url: str = ""
    xml_path: str = XML_SERVICE_PATH
    origin: str = ""
    rest_url: str = ""
    rest_token: str = ""
    run_id: str = ""
    #: ``<cleanup_prefix>[-<run id>]-load``: every object the run creates is named from it
    name_prefix: str = "wxh-load"
    max_requests: int = 0
    #: what the set-up and the tasks spend, and what the clean-up spends (:func:`load_budgets`)
    budget: RequestBudget | None = None
    cleanup_budget: RequestBudget | None = None
    cleanup_prefix: str = ""
    envelopes: ScenarioEnvelopes | None = None
    call_plans: dict[str, CallPlan] = field(default_factory=dict)


def _resolve_xml_url(env: Environment, environ: dict[str, str], path: str) -> str:
    xml_url = environ.get(XML_URL_VAR) or env.xml_url
    if xml_url == AUTO:
        raise LoadConfigError(f"{path}: xml_url is 'auto': set {XML_URL_VAR} to the running emulator's XML API URL")
    parts = urlsplit(xml_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LoadConfigError(f"{XML_URL_VAR}: expected an http(s) URL, got {xml_url!r}")
    if env.xml_url not in (AUTO, xml_url) and not is_loopback(xml_url):
        raise LoadConfigError(f"{XML_URL_VAR}: {xml_url!r} is neither loopback nor the environment's own xml_url")
    return xml_url


def _resolve_rest(env: Environment, environ: dict[str, str], path: str, xml_url: str) -> tuple[str, str]:
    rest_url = (environ.get(REST_URL_VAR) or "").strip() or env.rest_url
    if rest_url == AUTO:
        if not is_loopback(xml_url):
            raise LoadConfigError(f"{path}: rest_url is 'auto': set {REST_URL_VAR} to the emulator's REST base")
        rest_url = origin_of(xml_url) + "/v1"  # the emulator serves both APIs
    parts = urlsplit(rest_url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise LoadConfigError(f"{REST_URL_VAR}: expected an http(s) URL, got {rest_url!r}")
    if (
        env.rest_url not in (AUTO, rest_url)
        and origin_of(rest_url) != origin_of(env.rest_url)
        and not is_loopback(rest_url)
    ):
        raise LoadConfigError(f"{REST_URL_VAR}: {rest_url!r} is neither loopback nor the environment's own rest_url")
    token = (environ.get(REST_TOKEN_VAR) or "").strip() or (env.credentials.rest_token or "")
    if not token:
        raise LoadConfigError(f"{path}: credentials.rest_token is empty: the rest scenario needs a token")
    return rest_url.rstrip("/"), token


def build_state(environ: dict[str, str] | None = None, *, master: bool = False) -> LoadState:
    """Read the environment variables and the environment file; build every envelope."""
    environ = dict(os.environ) if environ is None else environ
    path = resolve_environment_path(environ.get(ENV_FILE_VAR) or None)
    try:
        env = load_environment(path, environ)
        settings = load_settings(env)
    except EnvironmentFileError as exc:
        raise LoadConfigError(str(exc)) from None
    scenario = (environ.get(SCENARIO_VAR) or "").strip() or None
    if scenario is not None and scenario not in SCENARIO_NAMES:
        raise LoadConfigError(f"{SCENARIO_VAR}: expected one of {', '.join(SCENARIO_NAMES)}, got {scenario!r}")
    state = LoadState(str(path), settings, settings.active_scenarios(scenario))
    if master:
        return state
    state.xml_url = _resolve_xml_url(env, environ, str(path))
    state.xml_path = urlsplit(state.xml_url).path or XML_SERVICE_PATH
    state.origin = origin_of(state.xml_url)
    if "rest" in state.scenarios:
        state.rest_url, state.rest_token = _resolve_rest(env, environ, str(path), state.xml_url)
    state.run_id = environ.get(RUN_ID_VAR, "").strip()
    state.budget, state.cleanup_budget = load_budgets(env, environ.get(BUDGET_FILE_VAR, "").strip() or None)
    state.max_requests = state.budget.max_requests
    state.cleanup_prefix = env.cleanup_prefix
    # <prefix>-<run id>-load-…: `webex-harness cleanup --run ID` finds leftovers by this name.
    state.name_prefix = (
        run_name(env.cleanup_prefix, state.run_id, "load") if state.run_id else f"{env.cleanup_prefix}-load"
    )
    calls = settings.calls if "calls" in state.scenarios else {}
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    state.envelopes = build_envelopes(env.security(), now, state.name_prefix, calls)
    state.call_plans = {api: call_plan(api) for api in state.envelopes.calls}
    return state


def load_budgets(env: Environment, counter: str | None) -> tuple[RequestBudget, RequestBudget]:
    """(set-up and tasks, clean-up) budgets of one locust process: drawn from the run's shared
    counter file ``counter`` (``load``; ``load-cleanup`` then ``load``), or without one
    ``budget.max_requests`` of this process alone, :data:`~workspace.budget.LOAD_RESERVE_PERCENT` of it
    kept for the clean-up."""
    forever = float("inf")  # locust's run time (checked against budget.max_seconds) bounds the time
    if counter:
        shared = SharedBudget(Path(counter))
        try:
            tasks_max, cleanup_max = shared.limit_of(LOAD), shared.limit_of(LOAD_CLEANUP) + shared.limit_of(LOAD)
        except (BudgetCounterError, OSError) as exc:
            raise LoadConfigError(f"{BUDGET_FILE_VAR}: {exc}") from None
        return (
            RequestBudget(tasks_max, forever, shared=shared.draw(LOAD)),
            RequestBudget(cleanup_max, forever, shared=shared.draw(LOAD_CLEANUP, LOAD)),
        )
    total = env.budget.max_requests
    reserve = total * LOAD_RESERVE_PERCENT // 100
    return RequestBudget(total - reserve, forever), RequestBudget(reserve, forever)


_state: LoadState | None = None
_budget_lock = threading.Lock()
_budget_spent = False


def state() -> LoadState:
    """The process's :class:`LoadState` (``init`` built it)."""
    if _state is None:  # pragma: no cover - init failed, locust exits first
        raise StopUser()
    return _state


def _weigh_user_classes(environment: LocustEnvironment, scenarios: dict[str, int]) -> None:
    """Give each scenario class its mix weight; drop the classes the mix leaves out."""
    kept: list[type[User]] = []
    for user_class in environment.user_classes:
        scenario = getattr(user_class, "scenario", None)
        weight = scenarios.get(scenario, 0) if scenario else 0
        if weight > 0:
            user_class.weight = weight
            kept.append(user_class)
    if not kept:
        raise LoadConfigError(f"no user class runs: the mix {scenarios} names none of this locustfile's scenarios")
    environment.user_classes[:] = kept


def _on_init(environment: LocustEnvironment, runner: Runner | None = None, **_: object) -> None:
    """Build the state once per process; refuse a foreign ``--host``."""
    global _state
    hold_lifeline()  # started by the harness (forked workers too): stop when the parent process dies
    try:
        built = build_state(master=isinstance(runner, MasterRunner))
        _weigh_user_classes(environment, built.scenarios)
        host = environment.host
        if not isinstance(runner, MasterRunner) and host and origin_of(host) != built.origin and not is_loopback(host):
            raise LoadConfigError(f"--host {host!r} is neither loopback nor the XML API's origin {built.origin!r}")
    except LoadConfigError as exc:
        log.error("webex-harness locustfile: %s", exc)
        raise SystemExit(1) from None
    if not host and built.origin:
        for user_class in environment.user_classes:  # FastHttpUser needs a host; REST URLs are absolute
            user_class.host = built.origin
    _state = built
    log.info(
        "webex-harness load: scenarios %s, %s, budget %d requests",
        built.scenarios,
        built.xml_url or "(master)",
        built.max_requests,
    )


def _quit_when_the_stop_file_appears(environment: LocustEnvironment, runner: Runner | None = None, **_: object) -> None:
    """End the run as its run time would (``runner.quit()``: users stop and clean up, the final stats
    are written) once the file named by ``WEBEX_HARNESS_STOP_FILE`` exists — how
    ``run_load(stop_when=…)`` ends a run on a condition instead of the clock. Local runner or master only."""
    path = os.environ.get(STOP_FILE_VAR, "").strip()
    if not path or runner is None or isinstance(runner, WorkerRunner):
        return

    def watch() -> None:
        while not os.path.exists(path):
            gevent.sleep(STOP_POLL_SECONDS)
        log.info("webex-harness load: %s appeared, shutting down", path)
        runner.quit()

    gevent.spawn(watch)


def _refresh_csv_before_exit(environment: LocustEnvironment, **_: object) -> None:
    """Let locust's CSV writer write the final stats before locust closes the files.

    locust (2.47) rewrites ``--csv`` files every ``CSV_STATS_INTERVAL_SEC`` (1 s) and does not
    write them once more at shutdown, so without this the CSV files miss up to the last second
    of the run. At ``quitting`` the users have stopped, so one more writer pass is final.
    """
    options = environment.parsed_options
    if options is None or not getattr(options, "csv_prefix", None):
        return
    if isinstance(environment.runner, WorkerRunner):
        return  # workers write no CSV
    gevent.sleep(locust_stats.CSV_STATS_INTERVAL_SEC + 0.2)


def spend(runner: Runner | None) -> None:
    """Count one request (set-up or task) against the budget (module docstring).

    Once the budget is spent no request is sent: :class:`RescheduleTask` sends the user back to
    its wait (where stopping users is immediate), and a local runner is told to quit. A worker
    of a distributed run just idles until the master ends the run.
    """
    global _budget_spent
    budget = state().budget
    assert budget is not None
    try:
        budget.spend()
        return
    except BudgetExceeded as exc:
        with _budget_lock:
            first = not _budget_spent
            _budget_spent = True
        if first:
            log.warning("budget spent: no more requests from this process (%s)", exc)
            if isinstance(runner, LocalRunner):
                gevent.spawn(runner.quit)
    raise RescheduleTask()


def spend_cleanup() -> None:
    """Count one clean-up request; :class:`~client.xml_client.BudgetExceeded` when none is left."""
    budget = state().cleanup_budget
    assert budget is not None
    budget.spend()


#: Why a user's clean-up left objects on the target (the first words of its :func:`leftover_warning`).
LEFT_FOR_BUDGET = "budget spent"
LEFT_FOR_STOP_TIMEOUT = "stopped by locust's stop timeout"
LEFT_FOR_REFUSALS = "the target refused every delete"


def leftover_warning(count: int, what: str, why: str = LEFT_FOR_BUDGET) -> None:
    """Say what a user's clean-up left on the target, why, and how to find it (``why``: one of the
    ``LEFT_FOR_*`` reasons)."""
    current = state()
    run = current.run_id or "<run-id>"
    log.warning(
        "%s: %d %s this user created stay on the target, named %s-%s-…; webex-harness cleanup --run %s removes them",
        why,
        count,
        what,
        current.cleanup_prefix,
        run,
        run,
    )


def _give_back_budget(**_: object) -> None:
    """What this process took from the run's shared counter and did not send goes back to it."""
    if _state is not None:
        for budget in (_state.budget, _state.cleanup_budget):
            if budget is not None:
                budget.close()


def _listen(hook: EventHook, handler: Callable[..., None]) -> None:
    """Add ``handler`` to a locust event hook. ``EventHook.add_listener`` carries no annotations, so it
    is called through this typed view of it."""
    add_listener = cast(Callable[[Callable[..., None]], object], hook.add_listener)
    add_listener(handler)


# The listeners of every locust process that imports this module (module docstring), in this order.
_listen(events.init, _on_init)
_listen(events.init, _quit_when_the_stop_file_appears)
_listen(events.quitting, _refresh_csv_before_exit)
_listen(events.quitting, _give_back_budget)
