"""The pytest side of the harness, once a run asks for it (:mod:`plugin.pytest_plugin`): ``--env``,
``--seed``, the target and site fixtures, the emulator's lifecycle, behaviour markers, the safety rails of
a run and the per-test results the run summary is made from.

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

The plugin's modules (this one holds the hooks; :mod:`plugin.pytest_plugin`, the module pytest loads through the
``pytest11`` entry point, registers it when a run asks for the harness)
    :mod:`plugin.fixtures`       every fixture (``environment``, ``target``, ``site_factory``, ``site``,
                                 ``xml``, ``meetings``, ``rest``, ``seed``, ``run_name``), each saying what it
                                 gives and when it skips
    :mod:`plugin.xml_meetings`, :mod:`plugin.rest_meetings`  the meeting trackers of ``meetings`` and ``rest``
                                 (what a test creates, deleted after it) and their default bodies
    :mod:`plugin.run_names`      the run's names (``<cleanup_prefix>-<run-id>-…``) of what tests create
    :mod:`plugin.targets`        the target's bring-up and tear-down, the sites a test gets
    :mod:`plugin.markers`        the markers (registered here once) and what is read from them
    :mod:`plugin.secrets`        the masking of reports and report files with the run's secret set
    :mod:`plugin.results`        the per-test result (:class:`workspace.results.TestResult`) and its evidence
    :mod:`plugin.allure_report`  what allure shows: labels and links (:mod:`plugin.allure_labels`), typed
                                 attachments (:mod:`plugin.allure_attachments`), environment, categories
    :mod:`plugin.budget`         each process's budget, a spent budget's skips
    :mod:`plugin.request_costs`  the requests each test sent (``costs-<worker>.json``)
    :mod:`plugin.workers`        xdist: this worker, how many, the run ID they share
    :mod:`plugin.state`          the per-run state on ``config.stash`` (typed keys)
    :mod:`plugin.site_release`   the XML API release the run certifies against; the contracts it skips

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
    *Secrets.* Every password, ticket and token the run declares, signs in with or is handed, and
    every password and guest token of a session it creates, joins the run's one
    :class:`~webex.masking.SecretSet` (on ``config.stash``): the clients' records, the ledger, failure
    reports, captured output, allure attachments and JUnit messages are masked with it.

The plan (issue 11)
    After collection the profile's tests are kept and the plan line is printed (under xdist by the
    controller, from the test IDs its workers collected) before any request; a plan whose estimate
    does not fit the budget is a usage error. Every request a test sends through the target's HTTP
    client (setup, call and teardown; not the control API) is counted and written to
    ``costs-<worker>.json`` in the run folder (``webex-harness costs --refresh`` reads them). A
    :class:`~client.xml_client.BudgetExceeded` (subclasses included) turns its test and every later one
    into a skip ``budget spent: …``; the session then exits 1 with one line saying so.

Releases (issue 15)
    A contract test of what the site's XML API release lacks is skipped with the reason (``site plays
    40.4.0; … came with 40.9.0``): at collection when the environment declares the release (always on
    the emulator), else after one GetAPIVersion (:mod:`plugin.site_release`, fixture ``site_release``).
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Generator
from pathlib import Path
from typing import Any

import httpx
import pytest

from webex_harness.client.naming import run_name
from webex_harness.environment.errors import EnvironmentFileError
from webex_harness.environment.loader import load_environment, resolve_environment_path
from webex_harness.environment.model import Environment
from webex_harness.plugin import plan as planning
from webex_harness.plugin import state
from webex_harness.plugin.activation import requested_environment
from webex_harness.plugin.allure_report import AllureReport
from webex_harness.plugin.budget import BudgetWatch, budget_exception, budget_skip
from webex_harness.plugin.markers import (
    GUARDED,
    api_mark,
    behaviour_ids,
    guards,
    refusal,
    register,
    unknown_behaviour_markers,
)
from webex_harness.plugin.request_costs import RequestCounter
from webex_harness.plugin.results import Recorder
from webex_harness.plugin.run_names import set_run_prefix
from webex_harness.plugin.secrets import mask_report, scrub_files
from webex_harness.plugin.site_release import known_release, version_skip, write_record
from webex_harness.plugin.workers import RUN_ID_INPUT, SECRETS_OUTPUT, is_worker, run_id, worker
from webex_harness.plugin.xdist_groups import XdistGroups
from webex_harness.webex.masking import SecretSet
from webex_harness.workspace.results import RESULTS_GLOB, write_results

#: the fixtures (every one in :mod:`plugin.fixtures`)
pytest_plugins = ["webex_harness.plugin.fixtures"]


def pytest_configure(config: pytest.Config) -> None:
    from webex_harness.webex.lifeline import hold_lifeline

    hold_lifeline()  # started by the harness (xdist workers too): die with the parent process
    register(config)  # the markers (only here: a run folder's pytest has no project ini)
    try:
        path = resolve_environment_path(requested_environment(config))
        env = load_environment(path)
    except EnvironmentFileError as err:
        raise pytest.UsageError(str(err)) from None
    from webex_harness.environment.guard import GuardError, check_environment

    try:  # --emulator-url (or $WEBEX_HARNESS_EMULATOR_URL) passes the URL guard before any connection
        check_environment(env, config.getoption("--emulator-url"))
    except GuardError as err:
        raise pytest.UsageError(str(err)) from None
    config.stash[state.ENVIRONMENT] = env
    secrets = SecretSet(env.secrets())
    config.stash[state.SECRETS] = secrets
    config.stash[state.RECORDER] = Recorder(secrets=secrets)
    config.stash[state.RUN_ID] = run_id(config)
    release = known_release(env)  # a real site that does not declare it is asked later (fixtures)
    if release is not None:
        config.stash[state.SITE_RELEASE] = release
    set_run_prefix(run_name(env.cleanup_prefix, config.stash[state.RUN_ID]))  # before collection
    watch = config.stash[state.BUDGET_WATCH] = BudgetWatch()
    config.pluginmanager.register(watch, "wxh-budget-watch")
    config.pluginmanager.register(AllureReport(config), "wxh-allure")  # labels, links, the run's allure files
    config.pluginmanager.register(XdistGroups(), "wxh-xdist-groups")  # --dist loadgroup that groups


# ---------------------------------------------------------------- xdist


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: Any) -> None:
    """xdist: every worker shares the controller's run ID."""
    node.workerinput[RUN_ID_INPUT] = node.config.stash[state.RUN_ID]


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """xdist: the controller learns the workers' secrets (in memory) for its final scrub."""
    secrets = node.config.stash.get(state.SECRETS, None)
    output = getattr(node, "workeroutput", None) or {}
    if secrets is not None:
        secrets.update(output.get(SECRETS_OUTPUT, []))


@pytest.hookimpl(optionalhook=True)
def pytest_xdist_node_collection_finished(node: Any, ids: list[str]) -> None:
    """xdist: the controller plans from the test IDs the first worker collected (the profile is
    applied already), before any test is scheduled."""
    config = node.config
    if state.PLAN in config.stash:
        return
    roots = _collection_roots(config)
    found = (planning.contract_id_of_nodeid(n, roots) for n in ids)
    _plan(config, [planning.Candidate(cid) for cid in found if cid is not None])  # guards: from the costs file


# ---------------------------------------------------------------- collection and the plan


def contract_id(item: pytest.Item) -> str | None:
    """The contract ID of ``item`` (:func:`plan.contract_id`: the key of ``contracts/costs.json``, from its
    file's path), or None for a test outside the shipped suites; worked out once per item."""
    if state.CONTRACT_ID not in item.stash:
        item.stash[state.CONTRACT_ID] = planning.contract_id(item.path, item.nodeid)
    return item.stash[state.CONTRACT_ID]


def _test_key(item: pytest.Item) -> str:
    """What the plan, the guards and the request counts know ``item`` by: its contract ID, else its node ID."""
    return contract_id(item) or item.nodeid


def _collection_roots(config: pytest.Config) -> list[Path]:
    """Where the node IDs of a run are relative to: the root directory, then each collection argument
    (a folder, a file's folder, or with ``--pyargs`` a package's folder)."""
    roots = [config.rootpath]
    for arg in config.args:
        name = arg.partition("::")[0]
        path = config.invocation_params.dir / name
        if not path.exists() and config.option.pyargs:
            try:
                spec = importlib.util.find_spec(name)
            except (ImportError, ValueError):
                spec = None
            if spec is not None and spec.origin:
                path = Path(spec.origin)  # a package: its __init__.py, whose folder is the root
        roots.append(path if path.is_dir() else path.parent)
    return roots


@pytest.hookimpl(trylast=True)  # after -k, -m and other plugins deselected: the plan is of what runs
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    unknown = unknown_behaviour_markers(items)  # a typo'd marker must not pass silently
    if unknown:
        raise pytest.UsageError(
            f"unknown behaviour ID in a behaviour marker (the IDs are in webex/behaviours.yaml): {'; '.join(unknown)}"
        )
    wanted = set(config.getoption("--behaviour") or [])
    if wanted:
        keep: list[pytest.Item] = []
        drop: list[pytest.Item] = []
        for item in items:
            (keep if wanted & set(behaviour_ids(item)) else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    env = config.stash[state.ENVIRONMENT]
    _apply_profile(config, items, wanted)
    for item in items:
        for name in GUARDED:
            if item.get_closest_marker(name) is not None and not getattr(env.allow, name):
                item.add_marker(pytest.mark.skip(reason=refusal(env, name)))
    release = config.stash.get(state.SITE_RELEASE, None)
    if release is not None:  # contracts of what the site's release lacks (plugin.site_release)
        for item in items:
            reason = version_skip(release, behaviour_ids(item), api_mark(item)[0]) if contract_id(item) else None
            if reason is not None:
                item.add_marker(pytest.mark.skip(reason=reason))
    if not is_worker(config):
        _plan(config, [_candidate(item) for item in items if contract_id(item) is not None])


def _candidate(item: pytest.Item) -> planning.Candidate:
    _, case = api_mark(item)
    return planning.Candidate(_test_key(item), tuple(behaviour_ids(item)), case == "edge", tuple(guards(item)))


def _costs(config: pytest.Config) -> dict[str, planning.RequestCost]:
    if state.COSTS not in config.stash:
        try:
            config.stash[state.COSTS] = planning.load_costs()
        except planning.CostsFileError as err:
            raise pytest.UsageError(str(err)) from None
    return config.stash[state.COSTS]


def _profile(config: pytest.Config) -> tuple[str, bool]:
    """The run's profile and whether it is the target's default."""
    chosen = config.getoption("--profile")
    if chosen:
        return str(chosen), False
    return planning.default_profile(config.stash[state.ENVIRONMENT]), True


def _apply_profile(config: pytest.Config, items: list[pytest.Item], behaviours: set[str]) -> None:
    """Keep the profile's tests (after ``--behaviour``: a smoke run of one ID is its cheapest test)."""
    profile, _ = _profile(config)
    config.stash[state.GUARDS] = {_test_key(item): guards(item) for item in items}
    if profile == "full":
        return
    contract = [_candidate(i) for i in items if contract_id(i) is not None]
    kept = {c.nodeid for c in planning.select(profile, contract, _costs(config), behaviours or None)}

    def keeps(item: pytest.Item) -> bool:
        cid = contract_id(item)
        return cid is None or cid in kept  # a test outside the suites runs whatever the profile

    drop = [item for item in items if not keeps(item)]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [item for item in items if keeps(item)]


def _plan(config: pytest.Config, tests: list[planning.Candidate]) -> None:
    """Print the plan (unless the caller did) and refuse one that does not fit the budget; with
    ``--plan-json`` write it there instead of refusing."""
    env = config.stash[state.ENVIRONMENT]
    profile, default = _profile(config)
    given = config.getoption("--plan-budget")
    budget = given if given is not None else planning.contracts_budget(env, None)
    plan = planning.make_plan(env, profile, default, tests, _costs(config), budget)
    config.stash[state.PLAN] = plan
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


# ---------------------------------------------------------------- each test: costs, budget, masking, result


def _counter(config: pytest.Config) -> RequestCounter:
    if state.COUNTER not in config.stash:
        config.stash[state.COUNTER] = RequestCounter()
    return config.stash[state.COUNTER]


@pytest.hookimpl(wrapper=True)
def pytest_fixture_setup(
    fixturedef: pytest.FixtureDef[Any], request: pytest.FixtureRequest
) -> Generator[None, Any, Any]:
    """Count the requests of the target's HTTP client (however the ``target`` fixture builds it)."""
    value = yield
    if fixturedef.argname == "target" and isinstance(getattr(value, "http", None), httpx.Client):
        _counter(request.config).install(value.http)
    return value


@pytest.hookimpl(wrapper=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> Generator[None, Any, Any]:
    counter = _counter(item.config)
    counter.start(_test_key(item))
    try:
        return (yield)
    finally:
        counter.stop()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    spent = item.config.stash.get(state.BUDGET_SPENT, None)
    if spent and contract_id(item) is not None:  # every later test is skipped before its fixtures send anything
        pytest.skip(spent)


@pytest.hookimpl(wrapper=True, trylast=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    # trylast: the innermost wrapper, so JUnit, the terminal and allure all see the masked report
    report = yield
    recorder = item.config.stash[state.RECORDER]
    spent = budget_exception(call.excinfo.value) if call.excinfo is not None else None
    if spent is not None and report.failed and contract_id(item) is not None:
        reason = budget_skip(item, report, spent)
        if spent.ends_run:
            item.config.stash[state.BUDGET_SPENT] = reason
    mask_report(report, call, recorder.secrets)
    recorder.report(item, report, call.excinfo)
    return report


# ---------------------------------------------------------------- the end of the session


def _budget_spent_line(config: pytest.Config) -> str | None:
    watch = config.stash.get(state.BUDGET_WATCH, None)
    if watch is None or not watch.skips:
        return None
    env: Environment = config.stash[state.ENVIRONMENT]
    profile, _ = _profile(config)
    return planning.budget_spent_line(watch.skips, planning.environment_source(env), profile)


def _safety_stop_line(config: pytest.Config) -> str | None:
    watch = config.stash.get(state.BUDGET_WATCH, None)
    return watch.safety_stop_line() if watch is not None else None


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    secrets = config.stash.get(state.SECRETS, None)
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None and secrets is not None:
        workeroutput[SECRETS_OUTPUT] = secrets.values()
    watch = config.stash.get(state.BUDGET_WATCH, None)
    stopped = watch is not None and (watch.skips or watch.safety)
    if workeroutput is None and stopped and session.exitstatus == pytest.ExitCode.OK:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED  # a spent budget or a safety stop is not a pass
    run_dir = config.getoption("--run-dir")
    release = config.stash.get(state.SITE_RELEASE, None)
    if release is not None and contract_ran(session):
        write_record(run_dir, worker(), release)
    counter = config.stash.get(state.COUNTER, None)
    if run_dir and counter is not None and counter.counts:
        counter.write(Path(run_dir), worker(), config.stash.get(state.GUARDS, {}))
    recorder = config.stash.get(state.RECORDER, None)
    if not run_dir or recorder is None or not recorder.results:
        return
    write_results(Path(run_dir), worker(), recorder.results)


def contract_ran(session: pytest.Session) -> bool:
    """Whether the session collected a contract test of the shipped suites (the release is theirs)."""
    return any(contract_id(item) is not None for item in session.items)


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Where the ledger is and what it says (the clean-up of every worker has run by now): the same
    sentence as the report's clean-up, with the command that removes what could be removed."""
    from webex_harness.client.journal import cleanup_sentence, summarise
    from webex_harness.workspace.run_folder import REPORTS_DIR

    run = config.stash.get(state.RUN_ID, None)
    if run is None or is_worker(config):
        return
    for line in (_budget_spent_line(config), _safety_stop_line(config)):
        if line:
            terminalreporter.write_line(f"webex-harness: {line}")
    run_dir = Path(config.getoption("--run-dir") or REPORTS_DIR / run)
    info = summarise(run_dir) if (run_dir / f"ledger-{run}.jsonl").exists() else None
    if not info:
        return
    removable = [x for x in info["left"] if not x.get("undeletable")]  # contacts stay whatever we do
    hint = f" — webex-harness cleanup --run {run}" if removable else ""
    terminalreporter.write_line(
        f"webex-harness ledger {run_dir / f'ledger-{run}.jsonl'}: {cleanup_sentence(info)}{hint}"
    )


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    """The process that writes junit.xml (the xdist controller, or the only process) masks what
    might still hold a credential in the run's files; it says so when it had to."""
    set_run_prefix("")  # the run is over: names are no longer its own
    if is_worker(config):
        return
    secrets = config.stash.get(state.SECRETS, None)
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
        paths += list(Path(run_dir).glob(RESULTS_GLOB))
    changed = scrub_files(paths, secrets)
    if changed:
        names = ", ".join(p.name for p in changed[:5])
        print(f"webex-harness: masked leftover credentials in {len(changed)} report file(s): {names}", file=sys.stderr)
