"""Run a locust scenario as a subprocess and summarise it per API into ``load.json``.

locust (and gevent's monkey patching) never enters the calling process: :func:`run_load` starts
``python -m locust`` headless, with a hard wall-clock bound, and reads the CSV files it writes::

    <run_dir>/locust.log            locust's stdout and stderr
    <run_dir>/locust_stats.csv      per-API stats (+ the Aggregated row)
    <run_dir>/locust_failures.csv   failures grouped by API and message
    <run_dir>/locust_stats_history.csv  a row per API and the Aggregated row per second (its "User
                                        Count" shows the shape; compare's noise samples)
    <run_dir>/locust.html           locust's HTML report
    <run_dir>/load.json             the summary below
    <run_dir>/locust.stop           made when a ``stop_when`` condition held (it ends the run)

``load.json``::

    {"users": 5, "spawn_rate": 5.0, "run_time": "20s", "run_seconds": 20.0,
     "scenario": "mixed", "shape": "steady", "processes": 1,
     "mix": {"calls": 4, "lifecycle": 1, "dashboard": 1, "registration": 1, "rest": 1},
     "apis": [{"name": "CreateMeeting", "requests": 120, "failures": 0, "failure_ratio": 0.0,
               "rps": 6.0, "p50_ms": 3.0, "p95_ms": 7.0, "p99_ms": 12.0}, ...],
     "total": {... the same fields for the Aggregated row, "name": "Aggregated"},
     "failures": [{"name": "CreateMeeting", "error": "FAILURE 060016 ...", "occurrences": 3}],
     "exit_code": 0, "html": "locust.html"}

``mix`` is what ran: the scenario weights of the file's ``load.mix`` (zeros left out) or
``{scenario: 1}`` for one scenario. Scenarios, shapes and the variables handed to locust are
described in ``load/locustfile.py``, ``load/shapes.py`` and ``load/config.py``.

Safety: the only targets are loopback addresses and the environment's own XML API / REST origin
(:func:`environment.guard.check_url`); the run time must fit the environment's ``budget.max_seconds``;
every locust process draws its requests — set-up, tasks and clean-up — from the run's shared counter
``<run_dir>/budget.json`` (:mod:`workspace.budget`: made by ``webex-harness run`` with the load's share,
else here with the whole ``budget.max_requests``), so all of them together never exceed it.

Stopping: a timeout, Ctrl-C, SIGTERM or SIGHUP of the harness stops locust and its workers, bounded
(:mod:`load.locust_process`). This module checks the parameters and the target and writes
``load.json``; the command line is :mod:`load.command`'s, the subprocess :mod:`load.locust_process`'s
and the reading of the CSV files :mod:`load.summary`'s. No locust import.
"""

from __future__ import annotations

import json
import re
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from webex_harness.environment.errors import EnvironmentFileError
from webex_harness.environment.guard import GuardError, check_url
from webex_harness.environment.model import AUTO, SCENARIO_NAMES, SHAPE_NAMES, XML_SERVICE_PATH, Environment
from webex_harness.load.command import (
    CSV_PREFIX,
    DEFAULT_LOCUSTFILE,
    RESERVED_OPTIONS,
    SHAPE_LOCUSTFILE,
    build_command,
    child_environ,
)
from webex_harness.load.config import STOP_FILE_VAR, is_loopback, load_settings, origin_of
from webex_harness.load.locust_process import STOP_SECONDS, log_tail, start, stop_process, wait_for_exit
from webex_harness.load.shapes import SHAPED
from webex_harness.load.summary import summarise
from webex_harness.workspace.budget import COUNTER_FILE, LOAD, SharedBudget, split_run_budget

__all__ = [
    "GRACE_SECONDS",
    "STOP_FILE",
    "LoadError",
    "LoadResult",
    "parse_run_time",
    "resolve_rest_url",
    "resolve_target",
    "run_load",
]

#: Seconds the subprocess may run beyond ``run_time`` (start-up, stop timeout, reports).
GRACE_SECONDS = 90.0
#: The file that ends a ``stop_when`` run (in the run folder).
STOP_FILE = "locust.stop"

_TIMESPAN_RE = re.compile(r"^(?:(?P<h>\d+)h)?(?:(?P<m>\d+)m)?(?:(?P<s>\d+)s)?$")


class LoadError(RuntimeError):
    """A load run could not be started or produced no statistics. ``str()`` is one line."""


@dataclass(slots=True)
class LoadResult:
    """The outcome of :func:`run_load`: the ``load.json`` summary and where the files are."""

    data: dict[str, Any]
    exit_code: int
    run_dir: Path
    json_path: Path
    html_path: Path
    stats_csv: Path
    failures_csv: Path
    log_path: Path

    @property
    def summary(self) -> dict[str, Any]:
        """Alias of :attr:`data` (the ``load.json`` content)."""
        return self.data

    @property
    def total(self) -> dict[str, Any]:
        """The Aggregated row."""
        return dict(self.data["total"])

    def api(self, name: str) -> dict[str, Any] | None:
        """The summary row of one API (``CreateMeeting`` …), or ``None`` if it was never called."""
        for row in self.data["apis"]:
            if row["name"] == name:
                return dict(row)
        return None


# --------------------------------------------------------------------------------------------
# Parameters


def parse_run_time(text: str | int | float) -> float:
    """Seconds in a locust run time: ``"20s"``, ``"1m"``, ``"1h30m"``, ``"90"`` (seconds).

    Raises :class:`ValueError` for anything else, and for zero.
    """
    if isinstance(text, bool):
        raise ValueError(f"invalid run time {text!r}")
    if isinstance(text, (int, float)):
        seconds = float(text)
    else:
        value = text.strip().lower().replace(" ", "")
        if value.isdigit():
            seconds = float(value)
        else:
            match = _TIMESPAN_RE.match(value)
            if not value or match is None:
                raise ValueError(f"invalid run time {text!r} (expected e.g. '20s', '1m', '1h30m' or '90')")
            h, m, s = (int(match.group(k) or 0) for k in ("h", "m", "s"))
            seconds = float(h * 3600 + m * 60 + s)
    if not seconds > 0 or seconds == float("inf"):
        raise ValueError(f"invalid run time {text!r} (must be more than 0 seconds)")
    return seconds


def resolve_target(environment: Environment, base_url: str | None) -> tuple[str, str]:
    """``(base_url, xml_url)`` for a run, or :class:`LoadError` for a forbidden target.

    ``base_url`` defaults to the origin of the environment's ``xml_url``. Another base URL is
    accepted only on loopback (an emulator the harness started).
    """
    env_url = environment.xml_url
    if base_url is None:
        if env_url == AUTO:
            raise LoadError(
                f"environment {environment.name!r} has xml_url 'auto': start the emulator and pass "
                "base_url (or use Environment.with_urls)"
            )
        base_url = origin_of(env_url)
    try:
        check_url(base_url, environment, what="base_url")
    except GuardError as exc:
        raise LoadError(str(exc)) from None
    same_origin = env_url != AUTO and origin_of(base_url) == origin_of(env_url)
    base = origin_of(base_url)
    if same_origin:
        return base, env_url
    path = urlsplit(env_url).path if env_url != AUTO else XML_SERVICE_PATH
    return base, base + (path or XML_SERVICE_PATH)


def resolve_rest_url(environment: Environment, base: str) -> str:
    """The REST base of a run's ``rest`` scenario, or :class:`LoadError` for a forbidden one.

    An ``auto`` rest_url is the emulator's: ``<base>/v1`` on loopback. Otherwise the file's own
    rest_url, which must be loopback or keep its own origin (like the XML target).
    """
    rest_url = environment.rest_url
    if rest_url == AUTO:
        if not is_loopback(base):
            raise LoadError(f"environment {environment.name!r} has rest_url 'auto' but the target is not loopback")
        return base + "/v1"
    try:
        check_url(rest_url, environment, what="rest_url")
    except GuardError as exc:
        raise LoadError(str(exc)) from None
    if not environment.credentials.rest_token:
        raise LoadError(f"environment {environment.name!r} has no credentials.rest_token: the rest scenario needs one")
    return rest_url.rstrip("/")


def _check_extra_args(extra_args: list[str] | None) -> None:
    for arg in extra_args or []:
        option = arg.split("=", 1)[0]
        if option in RESERVED_OPTIONS:
            raise LoadError(f"extra_args may not set {option}: run_load sets it")


# --------------------------------------------------------------------------------------------
# Running


def host_sign_in_refusal(environment: Environment, xml_url: str, run_dir: Path, run_id: str) -> str | None:
    """Why a real site refuses the host's sign-in (one AuthenticateUser, from the load's share of the budget,
    through the site's safety rails: :func:`client.signin_guard.check_sign_ins`); None when it signs in, or
    when the check cannot be made (the budget is spent, the site does not answer: locust will tell)."""
    import httpx

    from webex_harness.client.signin_guard import SignInGuard, check_sign_ins, shared_file
    from webex_harness.client.site_safety import install_site_safety
    from webex_harness.client.xml_client import BudgetExceeded, ClientOptions, RequestBudget

    budget = RequestBudget(
        environment.budget.max_requests,
        environment.budget.max_seconds,
        shared=SharedBudget(run_dir / COUNTER_FILE).draw(LOAD),
    )
    try:
        with httpx.Client(timeout=15.0) as http:
            install_site_safety(http, environment, run_dir=run_dir)
            host = {"host": environment.security()}
            options: ClientOptions = {"http": http, "budget": budget}
            shared = shared_file(run_dir, run_id)  # a run's contract phase checked the host already: no request
            refusals = check_sign_ins(xml_url, host, options, SignInGuard(), environment.path, shared)
    except (BudgetExceeded, httpx.HTTPError):
        return None
    finally:
        budget.close()
    return refusals.get("host")


def run_load(
    environment: Environment,
    run_dir: Path,
    *,
    users: int = 5,
    spawn_rate: float = 5,
    run_time: str = "20s",
    scenario: str | None = None,
    shape: str | None = None,
    processes: int | None = None,
    locustfile: Path | None = None,
    base_url: str | None = None,
    extra_args: list[str] | None = None,
    run_id: str | None = None,
    stop_when: Callable[[Path], bool] | None = None,
) -> LoadResult:
    """Run ``locustfile`` headless against ``environment`` and write ``<run_dir>/load.json``.

    ``run_id``: the run's ID, which the objects the load creates are named after (default: the run
    folder's name, ``reports/<run-id>/``; a ``--out DIR`` run passes its own).

    ``scenario``: None or ``"mixed"`` → the file's ``load.mix`` (or the default mix), else one of
    :data:`environment.model.SCENARIO_NAMES` alone. ``shape``: None → the file's ``load.shape`` (default
    ``steady``), else one of :data:`environment.model.SHAPE_NAMES`. ``processes``: None/1 → one locust
    process, N > 1 → ``--processes N`` (a master and N workers, all drawing from one budget:
    ``<run_dir>/budget.json``, made here with the whole ``budget.max_requests`` unless the run made it).

    ``stop_when``: a run that ends on a condition, not on the clock — it is asked every
    :data:`load.locust_process.POLL_SECONDS` with the path of ``locust_stats.csv`` (once that exists)
    and, when it answers True, ``<run_dir>/locust.stop`` is made and locust ends the run as its run
    time would (users stop and delete what they made, the final stats are written;
    ``WEBEX_HARNESS_STOP_FILE``, watched by :mod:`load.process_state`); ``run_time`` is then only the
    upper bound. The project's tests use it so that no assertion depends on how much CPU a run got.

    The subprocess is killed when it outlives ``run_time`` by :data:`GRACE_SECONDS`. Raises
    :class:`LoadError` (one line, with the end of ``locust.log`` where there is one) when the
    parameters, the environment's ``load:`` section or the target are refused, locust cannot
    start, times out or writes no stats. A non-zero locust exit code with stats present is
    reported in the result, not raised.
    """
    locustfile = (locustfile or DEFAULT_LOCUSTFILE).resolve()
    if not locustfile.is_file():
        raise LoadError(f"locustfile not found: {locustfile}")
    try:
        settings = load_settings(environment)
    except EnvironmentFileError as exc:
        raise LoadError(str(exc)) from None
    if scenario is not None and scenario not in SCENARIO_NAMES:
        raise LoadError(f"unknown scenario {scenario!r}: expected one of {', '.join(SCENARIO_NAMES)}")
    shape = settings.shape if shape is None else shape
    if shape not in SHAPE_NAMES:
        raise LoadError(f"unknown load shape {shape!r}: expected one of {', '.join(SHAPE_NAMES)}")
    if processes is not None and (isinstance(processes, bool) or not isinstance(processes, int) or processes < 1):
        raise LoadError(f"processes must be a whole number of at least 1, got {processes!r}")
    processes = processes or 1
    mix = settings.active_scenarios(scenario)
    if users < 1:
        raise LoadError(f"users must be at least 1, got {users}")
    if not spawn_rate > 0:
        raise LoadError(f"spawn_rate must be more than 0, got {spawn_rate}")
    try:
        run_seconds = parse_run_time(run_time)
    except ValueError as exc:
        raise LoadError(str(exc)) from None
    if run_seconds != int(run_seconds):
        raise LoadError(f"run_time must be whole seconds, got {run_time!r}")
    if run_seconds > environment.budget.max_seconds:
        raise LoadError(
            f"run_time {run_time!r} exceeds the environment's budget.max_seconds ({environment.budget.max_seconds:g})"
        )
    if environment.path is None:
        raise LoadError(f"environment {environment.name!r} has no file: the locust process reads its file")
    _check_extra_args(extra_args)
    base, xml_url = resolve_target(environment, base_url)
    rest_url = resolve_rest_url(environment, base) if "rest" in mix else None

    run_dir = Path(run_dir).resolve()
    run_id = run_id or run_dir.name
    run_dir.mkdir(parents=True, exist_ok=True)
    log_path = run_dir / "locust.log"
    stats_csv = run_dir / f"{CSV_PREFIX}_stats.csv"
    failures_csv = run_dir / f"{CSV_PREFIX}_failures.csv"
    html_path = run_dir / "locust.html"
    stop_file = run_dir / STOP_FILE
    for stale in (stats_csv, failures_csv, html_path, stop_file):
        stale.unlink(missing_ok=True)
    budget_file = run_dir / COUNTER_FILE
    SharedBudget.create(budget_file, split_run_budget(environment.budget.max_requests, contracts=False))
    if not environment.is_emulator:  # every locust user signs in as the host: a wrong password is sent once, here
        refusal = host_sign_in_refusal(environment, xml_url, run_dir, run_id)
        if refusal is not None:
            raise LoadError(refusal)

    locustfiles = [locustfile, SHAPE_LOCUSTFILE] if shape in SHAPED else [locustfile]
    command = build_command(
        locustfiles,
        run_dir,
        users=users,
        spawn_rate=spawn_rate,
        run_seconds=run_seconds,
        base_url=base,
        processes=processes,
        extra_args=extra_args,
    )
    child_env = child_environ(
        Path(environment.path).resolve(),
        xml_url,
        run_id,
        scenario=scenario or "mixed",
        shape=shape,
        rest_url=rest_url,
        rest_token=(environment.credentials.rest_token or "") if rest_url else None,
        budget_file=budget_file,
    )
    if stop_when is not None:
        child_env[STOP_FILE_VAR] = str(stop_file)
    wall = run_seconds + GRACE_SECONDS
    with open(log_path, "wb") as log:
        try:
            proc = start(command, cwd=run_dir, env=child_env, log=log, run_id=run_id)
        except OSError as exc:
            raise LoadError(f"cannot start locust ({command[0]} -m locust): {exc}") from None
        try:
            exit_code = wait_for_exit(proc, wall, stats_csv, stop_when, stop_file)
        except subprocess.TimeoutExpired:
            stop_process(proc, STOP_SECONDS)
            raise LoadError(
                f"locust did not finish within {wall:g}s and was killed; locust.log: {log_tail(log_path)}"
            ) from None
        except BaseException:  # Ctrl-C, SIGTERM, SIGHUP of the harness: locust stops and cleans up, bounded
            stop_process(proc, STOP_SECONDS)
            raise

    if not stats_csv.is_file():
        raise LoadError(
            f"locust exited with code {exit_code} and wrote no {stats_csv.name}; locust.log: {log_tail(log_path)}"
        )
    summary = summarise(stats_csv, failures_csv)
    summary = {
        "users": users,
        "spawn_rate": spawn_rate,
        "run_time": run_time,
        "run_seconds": run_seconds,
        "scenario": scenario or "mixed",
        "shape": shape,
        "processes": processes,
        "mix": mix,
        **summary,
        "exit_code": exit_code,
        "html": html_path.name,
    }
    json_path = run_dir / "load.json"
    json_path.write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    return LoadResult(
        data=summary,
        exit_code=exit_code,
        run_dir=run_dir,
        json_path=json_path,
        html_path=html_path,
        stats_csv=stats_csv,
        failures_csv=failures_csv,
        log_path=log_path,
    )
