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

Fixtures
    ``environment`` (session) the loaded :class:`~harness.environment.Environment`
    ``target`` (session)      URLs, pooled HTTP client, budget, ledger, control client (emulator only)
    ``site_factory``          ``site_factory(**settings)`` -> a :class:`SiteHandle`: a fresh emulator
                              site with those settings, or — against a real site — the site itself
                              when it declares those settings, else the test is skipped with why.
                              A real site's ``users`` are ``host`` and every role of ``users:``
                              (``emails`` theirs where declared); a test needing a role the file
                              lacks is skipped naming the key (``needs users.admin in …``)
    ``site``                  ``site_factory()``
    ``xml``                   an :class:`~harness.client.XmlClient` for the site's host
    ``seed``                  the ``--seed`` value
    ``run_name``              ``run_name("suffix")`` -> ``<cleanup_prefix>-<run-id>-suffix``: a name
                              ``webex-harness cleanup`` finds even without the ledger

Safety (issue 7)
    *Ledger.* Every create any harness client sends (they all share the target's ``httpx``
    client) is written to ``ledger-<run-id>.jsonl`` before it leaves (:mod:`harness.ledger`); at
    the end of the session whatever the tests did not delete is deleted and verified gone.
    *Guards.* Tests marked ``destructive`` or ``lockout`` are skipped unless the environment's
    ``allow.destructive`` / ``allow.lockout`` is true. *Budget.* ``budget.max_requests`` is split
    across xdist workers (``max_requests // workers``); a tenth of each share is kept for the
    clean-up. *Secrets.* Every password, ticket and token the run declares, signs in with or is
    handed is masked in failure reports, captured output, allure attachments and JUnit messages.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import threading
from collections.abc import Callable, Generator, Iterable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.client import ControlClient, Exchange, RequestBudget, XmlClient
from harness.envelope import Security
from harness.environment import (
    ROLES,
    Budget,
    Environment,
    EnvironmentFileError,
    load_environment,
    resolve_environment_path,
)
from harness.ledger import Cleaner, CleanupResult, Ledger, LedgerHooks, ledger_path, run_name
from harness.masking import MASK, mask
from harness.settings import SiteSettings

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


def behaviour_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers("behaviour"):
        ids.extend(str(a) for a in mark.args)
    return ids


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


def split_budget(budget: Budget, workers: int) -> tuple[RequestBudget, RequestBudget]:
    """(tests, clean-up) budgets of one of ``workers`` processes: together they never exceed
    ``max_requests // workers``, so the whole run never exceeds ``max_requests``."""
    share = budget.max_requests // max(1, workers)
    reserve = int(share * CLEANUP_SHARE)
    return RequestBudget(share - reserve, budget.max_seconds), RequestBudget(reserve, CLEANUP_SECONDS)


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
        """``text`` masked; ``patterns=False`` skips :func:`harness.masking.mask`'s element and header
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
    from harness.report import new_run_id

    return new_run_id()


def pytest_configure(config: pytest.Config) -> None:
    for line in _MARKERS:
        config.addinivalue_line("markers", line)
    try:
        path = resolve_environment_path(config.getoption("--env"))
        env = load_environment(path)
    except EnvironmentFileError as err:
        raise pytest.UsageError(str(err)) from None
    config._wxh_env = env  # type: ignore[attr-defined]
    secrets = SecretSet(env.secrets())
    config._wxh_secrets = secrets  # type: ignore[attr-defined]
    config._wxh_recorder = _Recorder(secrets=secrets)  # type: ignore[attr-defined]
    config._wxh_run_id = _run_id(config)  # type: ignore[attr-defined]


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
    wanted = set(config.getoption("--behaviour") or [])
    if wanted:
        keep, drop = [], []
        for item in items:
            (keep if wanted & set(behaviour_ids(item)) else drop).append(item)
        if drop:
            config.hook.pytest_deselected(items=drop)
            items[:] = keep
    env: Environment = config._wxh_env  # type: ignore[attr-defined]
    for item in items:
        for name in _GUARDED:
            if item.get_closest_marker(name) is not None and not getattr(env.allow, name):
                item.add_marker(pytest.mark.skip(reason=refusal(env, name)))


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


def pytest_runtest_setup(item: pytest.Item) -> None:
    try:
        import allure

        for bid in behaviour_ids(item):
            allure.dynamic.label("behaviour", bid)
            allure.dynamic.tag(bid)
    except Exception:
        pass


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    config = session.config
    secrets: SecretSet | None = getattr(config, "_wxh_secrets", None)
    workeroutput = getattr(config, "workeroutput", None)
    if workeroutput is not None and secrets is not None:
        workeroutput["wxh_secrets"] = secrets.values()
    run_dir = config.getoption("--run-dir")
    recorder: _Recorder | None = getattr(config, "_wxh_recorder", None)
    if not run_dir or recorder is None or not recorder.results:
        return
    out = Path(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"results-{_worker()}.json").write_text(json.dumps(recorder.results, indent=1))


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    """Where the ledger is and what it says (the clean-up of every worker has run by now)."""
    from harness.ledger import summarise
    from harness.report import REPORTS_DIR

    run_id: str | None = getattr(config, "_wxh_run_id", None)
    if run_id is None or getattr(config, "workerinput", None) is not None:
        return
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
    from harness.report import REPORTS_DIR

    return ledger_path(REPORTS_DIR / run_id, run_id)


def clean_up(target: Target) -> CleanupResult | None:
    """Delete what the session created and did not delete, verified gone (on a plain client,
    so the clean-up's own requests are not taken for the tests')."""
    state = target.ledger.state()
    outstanding = state.outstanding()
    if not outstanding:
        return None
    env = target.environment
    with httpx.Client(timeout=15.0) as plain:
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
    (out / f"budget-{worker}.json").write_text(json.dumps({
        "worker": worker, "workers": workers, "max_requests": target.environment.budget.max_requests,
        "tests_max": target.budget.max_requests, "tests_used": target.budget.used,
        "cleanup_max": target.cleanup_budget.max_requests, "cleanup_used": target.cleanup_budget.used,
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
    budget, cleanup_budget = split_budget(environment.budget, workers)
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
    ledger = Ledger(run_id, _ledger_file(pytestconfig, run_id, running is not None), worker=_worker())
    sites = SiteRegistry()
    sites.add(env.site_name, [env.security()], token=env.credentials.rest_token)
    hooks = LedgerHooks(ledger, rest_url=env.rest_url, site_for_token=sites.site_for_token, on_secret=secrets.add,
                        on_credentials=sites.learn)
    http = hooks.install(httpx.Client(timeout=15.0))
    if url is not None:
        control = ControlClient(url, http)
    t = Target(env, http, budget, control, recorder, ledger=ledger, run_id=run_id, sites=sites,
               cleanup_budget=cleanup_budget, secrets=secrets)
    try:
        yield t
    finally:
        try:
            t.cleanup = clean_up(t)
        finally:
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
