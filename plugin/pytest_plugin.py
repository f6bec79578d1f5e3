"""The pytest side of the harness: ``--env``, ``--seed``, the target and site fixtures, the
emulator's lifecycle, behaviour markers, the safety rails of a run and the per-test results the
run summary is made from.

Options
    ``--env FILE|NAME``   environment file (default ``environments/emulator.yaml``)
    ``--seed N``          seed for generated data (default 1)
    ``--fault ID``        (repeatable) switch this emulator fault on for every site a test creates
    ``--behaviour ID``    (repeatable) run only the tests marked with this behaviour ID
    ``--emulator-url U``  use an already running emulator instead of starting one
    ``--run-dir DIR``     write per-test results (``results-<worker>.json``), the clean-up ledger
                          and the budget and site records there
    ``--run-id ID``       the run's ID (default: the name of ``--run-dir``, else a new one)
    ``--profile P``       ``smoke``, ``standard`` or ``full`` (:mod:`plugin.plan`; default: ``full`` on the
                          emulator, ``smoke`` on a site)
    ``--plan-json FILE``  write the plan there instead of refusing a plan that does not fit (with
                          ``--collect-only``: how ``webex-harness`` plans before it starts anything)
    ``--plan-budget N``   the budget the plan is checked against (default ``budget.max_requests``); given
                          by ``webex-harness``, which printed the plan already, so it is not printed again

Fixtures
    ``environment`` (session) the loaded :class:`~environment.loader.Environment`
    ``target`` (session)      URLs, pooled HTTP client, budget, ledger, control client (emulator only)
    ``site_factory``          ``site_factory(**settings)`` -> a :class:`SiteHandle`: a fresh emulator
                              site with those settings, or — against a real site — the site itself
                              when it declares those settings, else the test is skipped with why.
                              A real site's ``users`` are ``host`` and every role of ``users:``
                              (``emails`` theirs where declared); a test needing a role the file
                              lacks is skipped naming the key (``needs users.admin in …``)
    ``site``                  ``site_factory()``
    ``xml``                   an :class:`~client.xml_client.XmlClient` for the site's host
    ``seed``                  the ``--seed`` value
    ``run_name``              ``run_name("suffix")`` -> ``<cleanup_prefix>-<run-id>-suffix``: a name
                              ``webex-harness cleanup`` finds even without the ledger

Safety (issue 7)
    *Ledger.* Every create any harness client sends (they all share the target's ``httpx``
    client) is written to ``ledger-<run-id>.jsonl`` before it leaves (:mod:`client.journal`, by
    :mod:`client.ledger_hooks`); at the end of the session whatever the tests did not delete is
    deleted and verified gone.
    *Guards.* Tests marked ``destructive`` or ``lockout`` are skipped unless the environment's
    ``allow.destructive`` / ``allow.lockout`` is true. *Budget.* ``budget.max_requests`` caps the
    whole run: every worker draws from one counter in the run folder (:mod:`workspace.budget`;
    ``contracts`` for the tests, ``contracts-cleanup`` — a tenth, unless ``webex-harness run`` split
    it — for the clean-up); without a run folder each worker gets ``max_requests // workers``.
    *Secrets.* Every password, ticket and token the run declares, signs in with or is
    handed is masked in failure reports, captured output, allure attachments and JUnit messages.

The plan (issue 11)
    After collection the profile's tests are kept and the plan line is printed (under xdist by the
    controller, from the test IDs its workers collected) before any request; a plan whose estimate
    does not fit the budget is a usage error. Every request a test sends through the target's HTTP
    client (setup, call and teardown; not the control API) is counted and written to
    ``costs-<worker>.json`` in the run folder (``webex-harness costs --refresh`` reads them). A
    :class:`~client.xml_client.BudgetExceeded` (subclasses included) turns its test and every later one
    into a skip ``budget spent: …``; the session then exits 1 with one line saying so.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
import time
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from client.cleaner import Cleaner, CleanupResult
from client.journal import Ledger, ledger_path
from client.ledger_hooks import LedgerHooks
from client.naming import run_name
from client.site_safety import install_site_safety, same_safety
from client.xml_client import BudgetExceeded, ControlClient, Exchange, RequestBudget, XmlClient
from environment.errors import EnvironmentFileError
from environment.loader import load_environment, resolve_environment_path
from environment.model import ROLES, Budget, Environment
from plugin import plan as planning
from webex.envelope import Security
from webex.masking import MASK, mask
from webex.settings import SiteSettings
from workspace.budget import CONTRACTS, CONTRACTS_CLEANUP, COUNTER_FILE, BudgetSplit, SharedBudget

_EVIDENCE_LIMIT = 6
#: share of each worker's request budget kept back for the end-of-run clean-up
CLEANUP_SHARE = 0.1
#: wall-clock seconds the clean-up may take after the tests (its own bound)
CLEANUP_SECONDS = 300.0
_GUARDED = ("destructive", "lockout")
_MARKERS = (
    "behaviour(id): the documented behaviour ID this test proves",
    "api(name, case): the API a catalogue test exercises and its case kind (valid / edge)",
    "needs_control: needs an emulator control (clock, settings, faults) a real site lacks",
    "destructive: creates or deletes users or other site-wide objects",
    "lockout: may lock a user out (rate-limit probing)",
)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("webex-harness")
    group.addoption("--env", default=None, help="environment file or name (default: environments/emulator.yaml)")
    group.addoption("--seed", type=int, default=1, help="seed for generated data (default 1)")
    group.addoption("--fault", action="append", default=[], help="emulator fault to switch on for every site")
    group.addoption("--behaviour", action="append", default=[], help="run only tests marked with this behaviour ID")
    group.addoption("--emulator-url", default=os.environ.get("WEBEX_HARNESS_EMULATOR_URL"),
                    help="an already running emulator (default: start one)")
    group.addoption("--run-dir", default=None, help="write per-test results, ledger and budget records here")
    group.addoption("--run-id", default=None, help="the run's ID (default: the --run-dir name, else a new one)")
    group.addoption("--profile", default=None, choices=planning.PROFILES,
                    help="smoke | standard | full (default: full on the emulator, smoke on a site)")
    group.addoption("--plan-json", default=None, help="write the plan to this file instead of refusing one that "
                    "does not fit the budget")
    group.addoption("--plan-budget", type=int, default=None,
                    help="the budget the plan is checked against (default: budget.max_requests); the plan line "
                    "is then not printed (the caller printed it)")


def behaviour_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers("behaviour"):
        ids.extend(str(a) for a in mark.args)
    return ids


def _is_contract_test(item: pytest.Item) -> bool:
    """Whether ``item`` lives in a ``contracts`` folder (the contract suites)."""
    return "contracts" in Path(str(item.path)).parts[:-1]


def unknown_behaviour_markers(items: Iterable[pytest.Item]) -> list[str]:
    """``"contracts/test_x.py::test_y: 'emial-lowercase' (did you mean 'email-lowercase'?)"`` for every
    behaviour marker of a contract test naming an ID ``webex/behaviours.yaml`` lacks."""
    from webex.behaviours import ids
    from webex.hints import did_you_mean

    known = ids()
    return [f"{item.nodeid}: {bid!r}{did_you_mean(bid, known)}"
            for item in items if _is_contract_test(item) for bid in behaviour_ids(item) if bid not in known]


def _api_mark(item: pytest.Item) -> tuple[str | None, str | None]:
    mark = item.get_closest_marker("api")
    if mark is None or not mark.args:
        return None, None
    return str(mark.args[0]), (str(mark.args[1]) if len(mark.args) > 1 else mark.kwargs.get("case"))


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


def _worker_count() -> int:
    try:
        return max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    except ValueError:
        return 1


def split_budget(budget: Budget, workers: int, counter: Path | None = None) -> tuple[RequestBudget, RequestBudget]:
    """(tests, clean-up) budgets of one of ``workers`` pytest processes.

    With a ``counter`` (:mod:`workspace.budget`; made with the contracts' split — a tenth kept for the
    clean-up — unless the run made it already) every process draws from the run's shared pools:
    tests from ``contracts``, the clean-up from ``contracts-cleanup`` then what the tests left. Without
    one (no run folder, own in-process emulators) each process gets ``max_requests // workers``, a
    tenth of it kept for the clean-up. Either way the processes together never exceed
    ``max_requests``."""
    if counter is not None:
        reserve = int(budget.max_requests * CLEANUP_SHARE)
        shared = SharedBudget.create(counter, BudgetSplit(budget.max_requests, budget.max_requests, reserve))
        tests = RequestBudget(shared.limit_of(CONTRACTS), budget.max_seconds, shared=shared.draw(CONTRACTS))
        cleanup = RequestBudget(shared.limit_of(CONTRACTS_CLEANUP) + shared.limit_of(CONTRACTS), CLEANUP_SECONDS,
                                shared=shared.draw(CONTRACTS_CLEANUP, CONTRACTS))
        return tests, cleanup
    share = budget.max_requests // max(1, workers)
    reserve = int(share * CLEANUP_SHARE)
    return RequestBudget(share - reserve, budget.max_seconds), RequestBudget(reserve, CLEANUP_SECONDS)


def _budget_counter(config: pytest.Config, ledger_file: Path | None) -> Path | None:
    """Where the run's shared request counter lives: the run folder (``--run-dir``, else the
    ledger's folder); None for a run that keeps no files (its own in-process emulators)."""
    run_dir = config.getoption("--run-dir")
    if run_dir:
        return Path(run_dir) / COUNTER_FILE
    return ledger_file.parent / COUNTER_FILE if ledger_file is not None else None


# ---------------------------------------------------------------- secrets

_TOKEN = re.compile(r"[A-Za-z0-9_-]{6,}")
_TOKEN_FULL = re.compile(r"^[A-Za-z0-9_-]{6,}$")


class SecretSet:
    """Every credential of the run: declared (the environment's), of the sites the run made, and
    seen on the wire (passwords signed in with, tickets and tokens handed out).

    :meth:`mask` is fast with thousands of them: token-shaped secrets are looked up per token of the
    text in a set; the few others (and the declared ones) are replaced as substrings.
    """

    def __init__(self, declared: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._tokens: set[str] = set()
        self._odd: set[str] = set()
        self._declared: set[str] = set()
        for value in declared:
            self.add(value, declared=True)

    def add(self, value: str | None, *, declared: bool = False) -> None:
        if not value or len(value) < (3 if declared else 6) or value == MASK:
            return
        with self._lock:
            if declared:
                self._declared.add(value)
            (self._tokens if _TOKEN_FULL.match(value) else self._odd).add(value)

    def update(self, values: Iterable[str], *, declared: bool = False) -> None:
        for value in values:
            self.add(value, declared=declared)

    def values(self) -> list[str]:
        with self._lock:
            return sorted(self._tokens | self._odd)

    def __len__(self) -> int:
        return len(self._tokens) + len(self._odd)

    def mask(self, text: str, *, patterns: bool = True) -> str:
        """``text`` masked; ``patterns=False`` skips :func:`webex.masking.mask`'s element and header
        patterns (for exchanges the client has masked with them already)."""
        if not text:
            return text
        with self._lock:
            literal = list(self._odd | self._declared)
            tokens = self._tokens
            if patterns:
                out = mask(text, literal)
            else:
                out = text
                for secret in sorted((s for s in literal if s in out), key=len, reverse=True):
                    out = out.replace(secret, MASK)
            if tokens and not tokens.isdisjoint(_TOKEN.findall(out)):
                out = _TOKEN.sub(lambda m: MASK if m.group(0) in tokens else m.group(0), out)
        return out

    def leaks(self, text: str) -> bool:
        return self.mask(text) != text


def _mask_obj(obj: Any, secrets: SecretSet, seen: set[int] | None = None, depth: int = 0) -> Any:
    """``obj`` (a report's longrepr: strings, tuples, lists, pytest's repr dataclasses) with every
    string masked; objects are changed in place."""
    if isinstance(obj, str):
        return secrets.mask(obj)
    if obj is None or isinstance(obj, (int, float, bool)) or depth > 12:
        return obj
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return obj
    seen.add(id(obj))
    if isinstance(obj, tuple):
        return tuple(_mask_obj(x, secrets, seen, depth + 1) for x in obj)
    if isinstance(obj, list):
        obj[:] = [_mask_obj(x, secrets, seen, depth + 1) for x in obj]
        return obj
    if isinstance(obj, dict):
        for key in list(obj):
            obj[key] = _mask_obj(obj[key], secrets, seen, depth + 1)
        return obj
    names = [f.name for f in dataclasses.fields(obj)] if dataclasses.is_dataclass(obj) else list(
        getattr(obj, "__dict__", {}))
    for name in names:
        try:
            value = getattr(obj, name)
            masked = _mask_obj(value, secrets, seen, depth + 1)
            if masked is not value:
                object.__setattr__(obj, name, masked)
        except (AttributeError, TypeError):
            continue
    return obj


def _mask_exception(exc: BaseException, secrets: SecretSet) -> None:
    """Mask an exception's message in place (allure reads ``excinfo.exconly()``)."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        try:
            if any(isinstance(a, str) and secrets.leaks(a) for a in exc.args):
                exc.args = tuple(secrets.mask(a) if isinstance(a, str) else a for a in exc.args)
            msg = getattr(exc, "msg", None)  # pytest.fail()'s Failed shows .msg, not .args
            if isinstance(msg, str) and secrets.leaks(msg):
                exc.msg = secrets.mask(msg)  # type: ignore[attr-defined]
            notes = getattr(exc, "__notes__", None)
            if isinstance(notes, list):
                notes[:] = [secrets.mask(n) if isinstance(n, str) else n for n in notes]
        except (AttributeError, TypeError):
            pass
        exc = exc.__cause__ or exc.__context__  # type: ignore[assignment]


def _mask_report(report: pytest.TestReport, call: pytest.CallInfo[None], secrets: SecretSet) -> None:
    if report.longrepr is not None:
        report.longrepr = _mask_obj(report.longrepr, secrets)
    if report.sections:
        report.sections = [(title, secrets.mask(content)) for title, content in report.sections]
    if call.excinfo is not None:
        _mask_exception(call.excinfo.value, secrets)


_SCRUB_SUFFIXES = (".json", ".xml", ".txt", ".md", ".html", ".log", ".csv", ".jsonl", ".attach")


def scrub_files(paths: Iterable[Path], secrets: SecretSet) -> list[Path]:
    """Last line of defence: mask credentials left in report files; the files it had to change."""
    changed = []
    for path in paths:
        if not path.is_file() or not (path.suffix in _SCRUB_SUFFIXES or "attachment" in path.name):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        masked = secrets.mask(text)
        if masked != text:
            path.write_text(masked, encoding="utf-8")
            changed.append(path)
    return changed


# ---------------------------------------------------------------- evidence


@dataclass
class _Recorder:
    """Per-test evidence (masked exchanges) and the results written for the summary."""

    current: list[Exchange] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)
    secrets: SecretSet = field(default_factory=SecretSet)

    def exchange(self, exchange: Exchange) -> None:
        # the client masked its own credentials; mask again with everything the run knows
        exchange = dataclasses.replace(exchange, request=self.secrets.mask(exchange.request, patterns=False),
                                       response=self.secrets.mask(exchange.response, patterns=False))
        self.current.append(exchange)
        try:
            import allure

            allure.attach(
                f"{exchange.request}\n\n--- HTTP {exchange.http_status} in {exchange.elapsed * 1000:.1f} ms ---\n\n"
                f"{exchange.response}",
                name=f"{exchange.api}", attachment_type=allure.attachment_type.TEXT,
            )
        except Exception:  # allure not active: nothing to attach to
            pass


def _run_id(config: pytest.Config) -> str:
    workerinput = getattr(config, "workerinput", None)
    if workerinput and workerinput.get("wxh_run_id"):
        return str(workerinput["wxh_run_id"])
    if config.getoption("--run-id"):
        return str(config.getoption("--run-id"))
    if config.getoption("--run-dir"):
        return Path(config.getoption("--run-dir")).name
    from workspace.run_folder import new_run_id

    return new_run_id()


def pytest_configure(config: pytest.Config) -> None:
    from webex.lifeline import hold_lifeline

    hold_lifeline()  # started by the harness (xdist workers too): die with the parent process
    for line in _MARKERS:
        config.addinivalue_line("markers", line)
    try:
        path = resolve_environment_path(config.getoption("--env"))
        env = load_environment(path)
    except EnvironmentFileError as err:
        raise pytest.UsageError(str(err)) from None
    from environment.guard import GuardError, check_environment

    try:  # --emulator-url (or $WEBEX_HARNESS_EMULATOR_URL) passes the URL guard before any connection
        check_environment(env, config.getoption("--emulator-url"))
    except GuardError as err:
        raise pytest.UsageError(str(err)) from None
    config._wxh_env = env  # type: ignore[attr-defined]
    secrets = SecretSet(env.secrets())
    config._wxh_secrets = secrets  # type: ignore[attr-defined]
    config._wxh_recorder = _Recorder(secrets=secrets)  # type: ignore[attr-defined]
    config._wxh_run_id = _run_id(config)  # type: ignore[attr-defined]
    config._wxh_budget_watch = BudgetWatch()  # type: ignore[attr-defined]
    config.pluginmanager.register(config._wxh_budget_watch, "wxh-budget-watch")  # type: ignore[attr-defined]


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: every worker shares the controller's run ID."""
    node.workerinput["wxh_run_id"] = node.config._wxh_run_id


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist: the controller learns the workers' secrets (in memory) for its final scrub."""
    secrets: SecretSet | None = getattr(node.config, "_wxh_secrets", None)
    output = getattr(node, "workeroutput", None) or {}
    if secrets is not None:
        secrets.update(output.get("wxh_secrets", []))


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unknown = unknown_behaviour_markers(items)  # a typo'd marker must not pass silently
    if unknown:
        raise pytest.UsageError("unknown behaviour ID in a behaviour marker (the IDs are in "
                                f"webex/behaviours.yaml): {'; '.join(unknown)}")
    wanted = set(config.getoption("--behaviour") or [])
    if wanted:
        keep, drop = [], []
        for item in items:
            (keep if wanted & set(behaviour_ids(item)) else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    env: Environment = config._wxh_env  # type: ignore[attr-defined]
    _apply_profile(config, items, wanted)
    for item in items:
        for name in _GUARDED:
            if item.get_closest_marker(name) is not None and not getattr(env.allow, name):
                item.add_marker(pytest.mark.skip(reason=refusal(env, name)))
    if getattr(config, "workerinput", None) is None:
        _plan(config, [_candidate(item) for item in items if planning.is_contract(item.nodeid)])


def _candidate(item: pytest.Item) -> planning.Candidate:
    _, case = _api_mark(item)
    return planning.Candidate(item.nodeid, tuple(behaviour_ids(item)), case == "edge",
                              tuple(name for name in _GUARDED if item.get_closest_marker(name) is not None))


def _costs(config: pytest.Config) -> dict[str, planning.RequestCost]:
    if not hasattr(config, "_wxh_costs"):
        try:
            config._wxh_costs = planning.load_costs()  # type: ignore[attr-defined]
        except planning.CostsFileError as err:
            raise pytest.UsageError(str(err)) from None
    return config._wxh_costs  # type: ignore[attr-defined, no-any-return]


def _profile(config: pytest.Config) -> tuple[str, bool]:
    """The run's profile and whether it is the target's default."""
    chosen = config.getoption("--profile")
    if chosen:
        return str(chosen), False
    return planning.default_profile(config._wxh_env), True  # type: ignore[attr-defined]


def _apply_profile(config: pytest.Config, items: list[pytest.Item], behaviours: set[str]) -> None:
    """Keep the profile's tests (after ``--behaviour``: a smoke run of one ID is its cheapest test)."""
    profile, _ = _profile(config)
    config._wxh_guards = {  # type: ignore[attr-defined]
        item.nodeid: [n for n in _GUARDED if item.get_closest_marker(n) is not None] for item in items}
    if profile == "full":
        return
    contract = [_candidate(i) for i in items if planning.is_contract(i.nodeid)]
    kept = {c.nodeid for c in planning.select(profile, contract, _costs(config), behaviours or None)}
    drop = [item for item in items if planning.is_contract(item.nodeid) and item.nodeid not in kept]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [item for item in items if not planning.is_contract(item.nodeid) or item.nodeid in kept]


def _plan(config: pytest.Config, tests: list[planning.Candidate]) -> None:
    """Print the plan (unless the caller did) and refuse one that does not fit the budget; with
    ``--plan-json`` write it there instead of refusing."""
    env: Environment = config._wxh_env  # type: ignore[attr-defined]
    profile, default = _profile(config)
    given = config.getoption("--plan-budget")
    budget = given if given is not None else planning.contracts_budget(env, None)
    plan = planning.make_plan(env, profile, default, tests, _costs(config), budget)
    config._wxh_plan = plan  # type: ignore[attr-defined]
    out = config.getoption("--plan-json")
    if out:
        Path(out).write_text(json.dumps(plan.to_dict(), indent=1) + "\n", encoding="utf-8")
        return
    if not tests:  # no contract test here (the project's own tests): nothing to plan
        return
    if given is None:
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            reporter.write_line(plan.line())
    if not plan.fits and not config.option.collectonly:  # a collection sends nothing: it only shows the plan
        raise pytest.UsageError(plan.refusal(planning.environment_source(env)))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """xdist: the controller plans from the test IDs the first worker collected (the profile is
    applied already), before any test is scheduled."""
    config = node.config
    if hasattr(config, "_wxh_plan"):
        return
    _plan(config, [planning.Candidate(n) for n in ids if planning.is_contract(n)])  # guards: from the costs file


# ---------------------------------------------------------------- request costs and a spent budget


class RequestCounter:
    """Requests sent through the target's HTTP client, per running test (``<session>`` outside one);
    the emulator's control API is not the target's and is not counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current: str | None = None
        self.counts: dict[str, int] = {}

    def install(self, http: httpx.Client) -> None:
        if self.on_request not in http.event_hooks["request"]:
            http.event_hooks["request"] = [*http.event_hooks["request"], self.on_request]

    def on_request(self, request: httpx.Request) -> None:
        if request.url.path.startswith("/_emulator"):
            return
        with self._lock:
            key = self.current or "<session>"
            self.counts[key] = self.counts.get(key, 0) + 1

    def start(self, nodeid: str) -> None:
        with self._lock:
            self.current = nodeid
            self.counts.setdefault(nodeid, 0)

    def stop(self) -> None:
        with self._lock:
            self.current = None


def _counter(config: pytest.Config) -> RequestCounter:
    if not hasattr(config, "_wxh_counter"):
        config._wxh_counter = RequestCounter()  # type: ignore[attr-defined]
    return config._wxh_counter  # type: ignore[attr-defined, no-any-return]


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(fixturedef: pytest.FixtureDef[Any],
                         request: pytest.FixtureRequest) -> Generator[None, Any, Any]:
    """Count the requests of the target's HTTP client (however the ``target`` fixture builds it)."""
    value = yield
    if fixturedef.argname == "target" and isinstance(getattr(value, "http", None), httpx.Client):
        _counter(request.config).install(value.http)
    return value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
    counter = _counter(item.config)
    counter.start(item.nodeid)
    try:
        return (yield)
    finally:
        counter.stop()


def budget_exception(exc: BaseException | None) -> BudgetExceeded | None:
    """The :class:`BudgetExceeded` (or subclass) that ``exc`` is or was caused by."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, BudgetExceeded):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def _budget_skip(item: pytest.Item, report: pytest.TestReport, exc: BudgetExceeded) -> str:
    """Turn ``report`` into a skip ``budget spent: <the exception's first line>`` (``safety stop: …``
    when a safety rail refused one request); the reason."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    reason = f"{planning.BUDGET_SPENT if exc.ends_run else planning.SAFETY_STOP}{first}"
    path, lineno, _ = item.reportinfo()
    report.outcome = "skipped"
    report.longrepr = (str(path), (lineno or 0) + 1, f"Skipped: {reason}")
    return reason


def refusal(env: Environment, switch: str) -> str:
    """The skip reason of a guarded test: what was refused and the switch that allows it."""
    where = "the emulator" if env.is_emulator else "a real site"
    source = env.path if env.path is not None else f"environment {env.name!r}"
    return f"refused: {switch} test against {where} ({env.site_name}); set allow.{switch}: true in {source}"


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    # trylast: the innermost wrapper, so JUnit, the terminal and allure all see the masked report
    report = yield
    recorder: _Recorder = item.config._wxh_recorder  # type: ignore[attr-defined]
    spent = budget_exception(call.excinfo.value) if call.excinfo is not None else None
    if spent is not None and report.failed and planning.is_contract(item.nodeid):
        reason = _budget_skip(item, report, spent)
        if spent.ends_run:
            item.config._wxh_budget_spent = reason  # type: ignore[attr-defined]
    _mask_report(report, call, recorder.secrets)
    done = (report.when == "call") or (report.when == "setup" and not report.passed) or (
        report.when == "teardown" and report.failed)
    api, case = _api_mark(item)
    apis = sorted({e.api for e in recorder.current if e.api and e.api != "?"})
    if done and report.when != "teardown":
        _allure_labels("api", [api] if api else apis)
    if done:
        if report.skipped:
            outcome = "skipped"
            longrepr = report.longrepr
            reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
            reason = reason.removeprefix("Skipped: ")
        elif report.failed:
            outcome = "failed"
            crash = getattr(report.longrepr, "reprcrash", None)
            reason = crash.message if crash is not None else str(report.longrepr).splitlines()[-1]
        else:
            outcome, reason = "passed", ""
        recorder.results.append({
            "nodeid": item.nodeid,
            "behaviours": behaviour_ids(item),
            "api": api,
            "case": case,
            "apis": apis,
            "outcome": outcome,
            "when": report.when,
            "reason": recorder.secrets.mask(reason.splitlines()[0][:500]) if reason else "",
            "evidence": [asdict(e) for e in recorder.current[-_EVIDENCE_LIMIT:]] if outcome == "failed" else [],
            "duration": report.duration,
        })
    if report.when == "teardown":
        recorder.current.clear()
    return report


def _allure_labels(name: str, values: list[str]) -> None:
    if not values:
        return
    try:
        import allure

        allure.dynamic.label(name, *values)
    except Exception:
        pass


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    spent: str | None = getattr(item.config, "_wxh_budget_spent", None)
    if spent and planning.is_contract(item.nodeid):  # every later test is skipped before its fixtures send anything
        pytest.skip(spent)
    try:
        import allure

        for bid in behaviour_ids(item):
            allure.dynamic.label("behaviour", bid)
            allure.dynamic.tag(bid)
    except Exception:
        pass


class BudgetWatch:
    """The skip reasons of the tests the spent budget skipped, from the reports this process sees
    (under xdist the controller's: every worker's)."""

    def __init__(self) -> None:
        self.skips: list[str] = []
        self.safety: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
            if reason.startswith(planning.BUDGET_SPENT):
                self.skips.append(reason)
            elif reason.startswith(planning.SAFETY_STOP):
                self.safety.append(reason)


def _budget_skips(config: pytest.Config) -> list[str]:
    watch: BudgetWatch | None = getattr(config, "_wxh_budget_watch", None)
    return watch.skips if watch is not None else []


def _safety_stop_line(config: pytest.Config) -> str | None:
    watch: BudgetWatch | None = getattr(config, "_wxh_budget_watch", None)
    return planning.safety_stop_line(watch.safety) if watch is not None and watch.safety else None


def _budget_spent_line(config: pytest.Config) -> str | None:
    skips = _budget_skips(config)
    if not skips:
        return None
    env: Environment = config._wxh_env  # type: ignore[attr-defined]
    profile, _ = _profile(config)
    return planning.budget_spent_line(skips, planning.environment_source(env), profile)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    secrets: SecretSet | None = getattr(config, "_wxh_secrets", None)
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None and secrets is not None:
        workeroutput["wxh_secrets"] = secrets.values()
    stopped = _budget_skips(config) or _safety_stop_line(config)
    if workeroutput is None and stopped and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED  # a spent budget or a safety stop is not a pass
    run_dir = config.getoption("--run-dir")
    counter: RequestCounter | None = getattr(config, "_wxh_counter", None)
    if run_dir and counter is not None and counter.counts:
        guards: dict[str, list[str]] = getattr(config, "_wxh_guards", {})
        Path(run_dir).mkdir(parents=True, exist_ok=True)
        (Path(run_dir) / f"costs-{_worker()}.json").write_text(json.dumps(
            {nodeid: {"requests": n, "guards": guards.get(nodeid, [])} for nodeid, n in sorted(counter.counts.items())},
            indent=1) + "\n")
    recorder: _Recorder | None = getattr(config, "_wxh_recorder", None)
    if not run_dir or recorder is None or not recorder.results:
        return
    out = Path(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"results-{_worker()}.json").write_text(json.dumps(recorder.results, indent=1))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Where the ledger is and what it says (the clean-up of every worker has run by now)."""
    from client.journal import summarise
    from workspace.run_folder import REPORTS_DIR

    run_id: str | None = getattr(config, "_wxh_run_id", None)
    if run_id is None or getattr(config, "workerinput", None) is not None:
        return
    for line in (_budget_spent_line(config), _safety_stop_line(config)):
        if line:
            terminalreporter.write_line(f"webex-harness: {line}")
    run_dir = Path(config.getoption("--run-dir") or REPORTS_DIR / run_id)
    info = summarise(run_dir) if (run_dir / f"ledger-{run_id}.jsonl").exists() else None
    if not info:
        return
    left = [x for x in info["left"] if x["kind"] != "contact"]
    hint = f" — webex-harness cleanup --run {run_id}" if left else ""
    terminalreporter.write_line(
        f"webex-harness ledger {run_dir / f'ledger-{run_id}.jsonl'}: {info['created']} created, "
        f"{info['deleted_by_tests']} deleted by tests, {info['removed_by_cleanup']} removed by clean-up, "
        f"{info['found_gone_by_cleanup']} found gone, {len(left)} left{hint}")


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """The process that writes junit.xml (the xdist controller, or the only process) masks what
    might still hold a credential in the run's files; it says so when it had to."""
    if getattr(config, "workerinput", None) is not None:
        return
    secrets: SecretSet | None = getattr(config, "_wxh_secrets", None)
    if secrets is None:
        return
    paths: list[Path] = []
    xml = getattr(config.option, "xmlpath", None)
    if xml:
        paths.append(Path(xml))
    allure_dir = getattr(config.option, "allure_report_dir", None)
    if allure_dir and Path(allure_dir).is_dir():
        paths += list(Path(allure_dir).iterdir())
    run_dir = config.getoption("--run-dir")
    if run_dir and Path(run_dir).is_dir():
        paths += [p for p in Path(run_dir).glob("results-*.json")]
    changed = scrub_files(paths, secrets)
    if changed:
        import sys

        names = ", ".join(p.name for p in changed[:5])
        print(f"webex-harness: masked leftover credentials in {len(changed)} report file(s): {names}",
              file=sys.stderr)


# ---------------------------------------------------------------- fixtures


class SiteRegistry:
    """Who the run may act as on each site, and each site's REST token — in memory only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users: dict[str, dict[str, Security]] = {}
        self._admins: dict[str, list[str]] = {}
        self._tokens: dict[str, str] = {}
        self._site_token: dict[str, str] = {}
        self.created: list[str] = []

    def add(self, site: str, users: Iterable[Security], admins: Iterable[str] = (), token: str | None = None,
            created: bool = False) -> None:
        with self._lock:
            known = self._users.setdefault(site.lower(), {})
            for sec in users:
                if sec.webex_id:
                    known[sec.webex_id.lower()] = sec
            known_admins = self._admins.setdefault(site.lower(), [])
            known_admins.extend(a.lower() for a in admins if a.lower() not in known_admins)
            if token:
                self._tokens[token] = site
                self._site_token[site.lower()] = token
            if created:
                self.created.append(site)

    def learn(self, site: str, webex_id: str, security: Security) -> None:
        """A password a request signed in with (users the tests create themselves)."""
        with self._lock:
            self._users.setdefault(site.lower(), {}).setdefault(webex_id.lower(), security)

    def site_for_token(self, token: str) -> str | None:
        return self._tokens.get(token)

    def token_for(self, site: str) -> str | None:
        return self._site_token.get(site.lower())

    def credentials(self, site: str, owner: str | None) -> list[Security]:
        """The creator first, then the site's administrators, then everyone else known."""
        with self._lock:
            users = dict(self._users.get(site.lower(), {}))
            admins = list(self._admins.get(site.lower(), []))
        order = [owner.lower()] if owner else []
        order += admins + [u for u in users if u not in admins]
        return [users[u] for u in dict.fromkeys(order) if u in users]


@dataclass
class Target:
    environment: Environment
    http: httpx.Client
    budget: RequestBudget
    control: ControlClient | None
    recorder: _Recorder
    ledger: Ledger = field(default_factory=lambda: Ledger("unknown"))
    run_id: str = ""
    sites: SiteRegistry = field(default_factory=SiteRegistry)
    cleanup_budget: RequestBudget = field(default_factory=lambda: RequestBudget(0))
    secrets: SecretSet = field(default_factory=SecretSet)
    cleanup: CleanupResult | None = None

    @property
    def is_emulator(self) -> bool:
        return self.control is not None

    def run_name(self, suffix: str = "") -> str:
        return run_name(self.environment.cleanup_prefix, self.run_id, suffix)


@dataclass
class SiteHandle:
    """A site a test talks to: a fresh emulator site, or the real site of the environment."""

    name: str
    settings: SiteSettings
    xml_url: str
    rest_url: str
    users: dict[str, Security]
    emails: dict[str, str]
    rest_token: str | None
    target: Target
    faults: list[str] = field(default_factory=list)

    @property
    def is_emulator(self) -> bool:
        return self.target.control is not None

    def security(self, role: str = "host") -> Security:
        """The credentials of ``role`` (a role of ``users:`` or, on an emulator site, a webExID);
        skips the test, naming the key to add, when the environment does not declare it."""
        if role not in self.users:
            pytest.skip(missing_role_reason(self.target.environment, role))
        return self.users[role]

    def email(self, role: str) -> str:
        """The e-mail address of ``role``; skips the test, naming the key to add, when unknown."""
        self.security(role)
        if role not in self.emails:
            pytest.skip(missing_role_reason(self.target.environment, role, "email"))
        return self.emails[role]

    def client(self, role: str = "host") -> XmlClient:
        return XmlClient(
            self.xml_url, self.security(role), http=self.target.http, budget=self.target.budget,
            secrets=self.target.environment.secrets(), on_exchange=self.target.recorder.exchange,
        )

    def anonymous(self) -> XmlClient:
        """A client whose securityContext carries only ``siteName``."""
        return XmlClient(
            self.xml_url, Security(site_name=self.name), http=self.target.http, budget=self.target.budget,
            secrets=self.target.environment.secrets(), on_exchange=self.target.recorder.exchange,
        )

    @property
    def control(self) -> ControlClient:
        """The emulator's control API; against a real site the test is skipped."""
        if self.target.control is None:
            pytest.skip("needs the emulator's control API (clock, settings, faults), which a real site lacks")
        return self.target.control

    def advance_clock(self, seconds: float) -> str:
        return self.control.advance_clock(self.name, seconds)

    def state(self) -> dict[str, Any]:
        return self.control.state(self.name)


def missing_role_reason(env: Environment, role: str, key: str = "") -> str:
    """Why a test needing ``role`` (or its ``key``) is skipped: the exact key to add, and where."""
    where = env.path if env.path is not None else f"the environment {env.name!r}"
    if role not in ROLES:
        return f"needs a {role!r} user, which {where} does not provide"
    dotted = f"users.{role}.{key}" if key else f"users.{role}"
    return f"needs {dotted} in {where} ({ROLES[role]})"


def _declared_roles(env: Environment) -> tuple[dict[str, Security], dict[str, str]]:
    """A real site's accounts: ``host`` (the credentials) and every declared role, with their e-mails."""
    users = {"host": env.security()}
    emails: dict[str, str] = {}
    for role, account in env.users.declared().items():
        users[role] = Security(site_name=env.site_name, webex_id=account.webex_id, password=account.password)
        if account.email:
            emails[role] = account.email
    return users, emails


@pytest.fixture(scope="session")
def environment(pytestconfig: pytest.Config) -> Environment:
    return pytestconfig._wxh_env  # type: ignore[attr-defined, no-any-return]


def _ledger_file(config: pytest.Config, run_id: str, own_emulator: bool) -> Path | None:
    """Where the ledger goes: the run folder; with no ``--run-dir`` ``reports/<run-id>/`` — except
    against an emulator this process started (its state dies with it), where memory is enough."""
    run_dir = config.getoption("--run-dir")
    if run_dir:
        return ledger_path(Path(run_dir), run_id)
    if own_emulator:
        return None
    from workspace.run_folder import REPORTS_DIR

    return ledger_path(REPORTS_DIR / run_id, run_id)


def clean_up(target: Target) -> CleanupResult | None:
    """Delete what the session created and did not delete, verified gone (on a plain client,
    so the clean-up's own requests are not taken for the tests')."""
    state = target.ledger.state()
    outstanding = state.outstanding()
    if not outstanding:
        return None
    env = target.environment
    with same_safety(target.http, httpx.Client(timeout=15.0)) as plain:
        cleaner = Cleaner(target.ledger, http=plain, xml_url=env.xml_url, rest_url=env.rest_url,
                          credentials=target.sites.credentials, token=target.sites.token_for,
                          budget=target.cleanup_budget, secrets=target.secrets.values())
        return cleaner.clean(outstanding, state)


def _write_records(config: pytest.Config, target: Target, workers: int) -> None:
    run_dir = config.getoption("--run-dir")
    if not run_dir:
        return
    out = Path(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    worker = _worker()
    shared = target.budget.shared
    (out / f"budget-{worker}.json").write_text(json.dumps({
        "worker": worker, "workers": workers, "max_requests": target.environment.budget.max_requests,
        "tests_max": target.budget.max_requests, "tests_used": target.budget.used,
        "cleanup_max": target.cleanup_budget.max_requests, "cleanup_used": target.cleanup_budget.used,
        "counter": str(shared.counter.path) if shared is not None else None,
    }, indent=1) + "\n")
    (out / f"sites-{worker}.json").write_text(json.dumps(
        {"default": target.environment.site_name, "created": target.sites.created}, indent=1) + "\n")
    if target.cleanup is not None:
        (out / f"cleanup-{worker}.json").write_text(json.dumps(target.cleanup.to_dict(), indent=1) + "\n")


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config, environment: Environment) -> Iterator[Target]:
    recorder: _Recorder = pytestconfig._wxh_recorder  # type: ignore[attr-defined]
    secrets: SecretSet = pytestconfig._wxh_secrets  # type: ignore[attr-defined]
    run_id: str = pytestconfig._wxh_run_id  # type: ignore[attr-defined]
    workers = _worker_count()
    running = None
    env = environment
    control: ControlClient | None = None
    url = None
    if environment.is_emulator:
        url = pytestconfig.getoption("--emulator-url")
        if not url:
            from emulator.server import start_in_thread

            running = start_in_thread(environment.site_name, environment.settings)
            url = running.base_url
        url = url.rstrip("/")
        env = environment.with_urls(url + "/WBXService/XMLService", url + "/v1")
    ledger_file = _ledger_file(pytestconfig, run_id, running is not None)
    ledger = Ledger(run_id, ledger_file, worker=_worker())
    budget, cleanup_budget = split_budget(environment.budget, workers, _budget_counter(pytestconfig, ledger_file))
    sites = SiteRegistry()
    sites.add(env.site_name, [env.security()], token=env.credentials.rest_token)
    hooks = LedgerHooks(ledger, rest_url=env.rest_url, site_for_token=sites.site_for_token, on_secret=secrets.add,
                        on_credentials=sites.learn)
    http = hooks.install(httpx.Client(timeout=15.0))
    install_site_safety(http, env, run_dir=pytestconfig.getoption("--run-dir"))  # usage guard, REST pacing
    if url is not None:
        control = ControlClient(url, http)
    t = Target(env, http, budget, control, recorder, ledger=ledger, run_id=run_id, sites=sites,
               cleanup_budget=cleanup_budget, secrets=secrets)
    try:
        yield t
    finally:
        try:
            cleanup_budget.started = time.monotonic()  # the clean-up's time bound starts now
            t.cleanup = clean_up(t)
        finally:
            budget.close()  # what this worker took from the shared counter and did not send goes back
            cleanup_budget.close()
            _write_records(pytestconfig, t, workers)
            ledger.close()
            http.close()
            if running is not None:
                running.stop()


def _declared_mismatch(env: Environment, wanted: dict[str, Any]) -> str | None:
    declared = env.settings.to_dict()
    for key, value in wanted.items():
        if declared.get(key) != value:
            return f"needs site setting {key}={value!r}; {env.name!r} declares {declared.get(key)!r}"
    return None


@pytest.fixture
def site_factory(target: Target, pytestconfig: pytest.Config) -> Callable[..., SiteHandle]:
    faults = list(pytestconfig.getoption("--fault") or [])
    env = target.environment

    def make(users: list[dict[str, Any]] | None = None, **settings: Any) -> SiteHandle:
        if target.control is None:
            mismatch = _declared_mismatch(env, settings)
            if mismatch:
                pytest.skip(mismatch)
            roles, emails = _declared_roles(env)
            # clean-up may act as any of them (an object an invitee created is deleted as the invitee)
            admins = [roles["admin"].webex_id] if "admin" in roles else []
            target.sites.add(env.site_name, roles.values(), admins=admins)
            return SiteHandle(env.site_name, env.settings, env.xml_url, env.rest_url, roles,
                              emails, env.credentials.rest_token, target)
        info = target.control.create_site(settings=settings, users=users, faults=faults)
        securities = {u["webExID"]: Security(info["name"], u["webExID"], u["password"]) for u in info["users"]}
        target.secrets.update([u["password"] for u in info["users"]] + [info["rest_token"]])
        target.sites.add(info["name"], securities.values(),
                         admins=[u["webExID"] for u in info["users"] if u.get("siteAdmin")],
                         token=info["rest_token"], created=True)
        emails = {u["webExID"]: u["email"] for u in info["users"]}
        return SiteHandle(info["name"], SiteSettings(**info["settings"]), env.xml_url, env.rest_url, securities,
                          emails, info["rest_token"], target, faults)

    return make


@pytest.fixture
def site(site_factory: Callable[..., SiteHandle]) -> SiteHandle:
    return site_factory()


@pytest.fixture
def xml(site: SiteHandle) -> XmlClient:
    return site.client("host")


@pytest.fixture
def seed(pytestconfig: pytest.Config) -> int:
    return int(pytestconfig.getoption("--seed"))


@pytest.fixture(name="run_name")
def run_name_fixture(target: Target) -> Callable[[str], str]:
    """``run_name("suffix")`` -> ``<cleanup_prefix>-<run-id>-suffix``."""
    return target.run_name
