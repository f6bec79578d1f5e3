"""The target a session talks to and the sites its tests get: :class:`Target` (URLs, the pooled
HTTP client with the ledger hooks and the site's safety rails, the budgets, the control client of
an emulator), its bring-up and tear-down (:func:`bring_up`: start an in-process emulator when no
``--emulator-url`` is given; at the end clean up what the tests left, write the budget, site and
clean-up records), and :class:`SiteHandle` — a fresh emulator site, or the real site itself.

Stands on :mod:`client` (clients, ledger and clean-up, safety rails), :mod:`emulator.server` (the
in-process emulator), :mod:`environment.loader`, :mod:`workspace.run_folder` and the plugin's
:mod:`~plugin.budget`, :mod:`~plugin.results` and :mod:`~plugin.workers`; every client, the ledger and
its hooks share the run's :class:`~webex.masking.SecretSet`.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from webex_harness.client.checker import Checker, write_counts
from webex_harness.client.cleaner import Cleaner, CleanupResult
from webex_harness.client.journal import Ledger, ledger_path
from webex_harness.client.ledger_hooks import LedgerHooks
from webex_harness.client.naming import run_name
from webex_harness.client.signin_guard import SignInGuard, check_sign_ins, shared_file
from webex_harness.client.site_safety import install_site_safety, same_safety
from webex_harness.client.xml_client import BudgetExceeded, ClientOptions, ControlClient, RequestBudget, XmlClient
from webex_harness.environment.model import ROLES, Environment
from webex_harness.plugin.budget import budget_counter, split_budget
from webex_harness.plugin.check_facts import catalogue_facts
from webex_harness.plugin.results import Recorder
from webex_harness.plugin.workers import worker, worker_count
from webex_harness.webex.envelope import Security
from webex_harness.webex.masking import SecretSet
from webex_harness.webex.settings import SiteSettings


class SiteRegistry:
    """Who the run may act as on each site, and each site's REST token — in memory only."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._users: dict[str, dict[str, Security]] = {}
        self._admins: dict[str, list[str]] = {}
        self._tokens: dict[str, str] = {}
        self._site_token: dict[str, str] = {}
        self.created: list[str] = []

    def add(
        self,
        site: str,
        users: Iterable[Security],
        admins: Iterable[str] = (),
        token: str | None = None,
        created: bool = False,
    ) -> None:
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
    """What a session talks to: the environment (with the URLs of the emulator it runs against), the
    pooled HTTP client every harness client shares, the budgets, the ledger and the sites it knows."""

    environment: Environment
    http: httpx.Client
    budget: RequestBudget
    control: ControlClient | None
    recorder: Recorder
    ledger: Ledger = field(default_factory=lambda: Ledger("unknown"))
    run_id: str = ""
    sites: SiteRegistry = field(default_factory=SiteRegistry)
    cleanup_budget: RequestBudget = field(default_factory=lambda: RequestBudget(0))
    secrets: SecretSet = field(default_factory=SecretSet)
    cleanup: CleanupResult | None = None
    #: the checks every answer a test gets is judged by (the environment's ``checks.off`` left out)
    checks: Checker | None = None

    @property
    def is_emulator(self) -> bool:
        return self.control is not None

    def run_name(self, suffix: str = "") -> str:
        return run_name(self.environment.cleanup_prefix, self.run_id, suffix)

    def client_options(self) -> ClientOptions:
        """The options of every client a test gets: the pooled HTTP client, the tests' budget, the run's
        secret set, the recorder and the run's checks."""
        return {
            "http": self.http,
            "budget": self.budget,
            "secrets": self.secrets,
            "on_exchange": self.recorder.exchange,
            "checks": self.checks,
        }


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
        return XmlClient(self.xml_url, self.security(role), **self.target.client_options())

    def anonymous(self) -> XmlClient:
        """A client whose securityContext carries only ``siteName``."""
        return XmlClient(self.xml_url, Security(site_name=self.name), **self.target.client_options())

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


def declared_roles(env: Environment) -> tuple[dict[str, Security], dict[str, str]]:
    """A real site's accounts: ``host`` (the credentials) and every declared role, with their e-mails."""
    users = {"host": env.security()}
    emails: dict[str, str] = {}
    for role, account in env.users.declared().items():
        users[role] = Security(site_name=env.site_name, webex_id=account.webex_id, password=account.password)
        if account.email:
            emails[role] = account.email
    return users, emails


def _declared_mismatch(env: Environment, wanted: dict[str, Any]) -> str | None:
    declared = env.settings.to_dict()
    for key, value in wanted.items():
        if declared.get(key) != value:
            return f"needs site setting {key}={value!r}; {env.name!r} declares {declared.get(key)!r}"
    return None


def make_site(
    target: Target, faults: list[str], users: list[dict[str, Any]] | None, settings: dict[str, Any]
) -> SiteHandle:
    """A site with ``settings``: on an emulator a new one (with ``users`` and ``faults``); on a real
    site the site itself when it declares those settings — else the test is skipped, saying why."""
    env = target.environment
    if target.control is None:
        mismatch = _declared_mismatch(env, settings)
        if mismatch:
            pytest.skip(mismatch)
        roles, emails = declared_roles(env)
        # clean-up may act as any of them (an object an invitee created is deleted as the invitee)
        admins = [admin] if "admin" in roles and (admin := roles["admin"].webex_id) else []
        target.sites.add(env.site_name, roles.values(), admins=admins)
        return SiteHandle(
            env.site_name, env.settings, env.xml_url, env.rest_url, roles, emails, env.credentials.rest_token, target
        )
    if "api_version" not in settings and env.settings.api_version != SiteSettings().api_version:
        # the release the environment's emulator plays is every site's (docs/versions.md)
        settings = {**settings, "api_version": env.settings.api_version}
    info = target.control.create_site(settings=settings, users=users, faults=faults)
    securities = {u["webExID"]: Security(info["name"], u["webExID"], u["password"]) for u in info["users"]}
    target.secrets.update([u["password"] for u in info["users"]] + [info["rest_token"]])
    target.sites.add(
        info["name"],
        securities.values(),
        admins=[u["webExID"] for u in info["users"] if u.get("siteAdmin")],
        token=info["rest_token"],
        created=True,
    )
    emails = {u["webExID"]: u["email"] for u in info["users"]}
    return SiteHandle(
        info["name"],
        SiteSettings(**info["settings"]),
        env.xml_url,
        env.rest_url,
        securities,
        emails,
        info["rest_token"],
        target,
        faults,
    )


def _ledger_file(config: pytest.Config, run_id: str, own_emulator: bool) -> Path | None:
    """Where the ledger goes: the run folder; with no ``--run-dir`` ``reports/<run-id>/`` — except
    against an emulator this process started (its state dies with it), where memory is enough."""
    run_dir = config.getoption("--run-dir")
    if run_dir:
        return ledger_path(Path(run_dir), run_id)
    if own_emulator:
        return None
    from webex_harness.workspace.run_folder import REPORTS_DIR

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
        cleaner = Cleaner(
            target.ledger,
            http=plain,
            xml_url=env.xml_url,
            rest_url=env.rest_url,
            credentials=target.sites.credentials,
            token=target.sites.token_for,
            budget=target.cleanup_budget,
            secrets=target.secrets,
        )
        return cleaner.clean(outstanding, state)


def _write_records(config: pytest.Config, target: Target, workers: int) -> None:
    """``budget-<worker>.json``, ``sites-<worker>.json`` and ``cleanup-<worker>.json`` in the run folder."""
    run_dir = config.getoption("--run-dir")
    if not run_dir:
        return
    out = Path(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    name = worker()
    shared = target.budget.shared
    (out / f"budget-{name}.json").write_text(
        json.dumps(
            {
                "worker": name,
                "workers": workers,
                "max_requests": target.environment.budget.max_requests,
                "tests_max": target.budget.max_requests,
                "tests_used": target.budget.used,
                "cleanup_max": target.cleanup_budget.max_requests,
                "cleanup_used": target.cleanup_budget.used,
                "counter": str(shared.counter.path) if shared is not None else None,
            },
            indent=1,
        )
        + "\n"
    )
    (out / f"sites-{name}.json").write_text(
        json.dumps({"default": target.environment.site_name, "created": target.sites.created}, indent=1) + "\n"
    )
    if target.cleanup is not None:
        (out / f"cleanup-{name}.json").write_text(json.dumps(target.cleanup.to_dict(), indent=1) + "\n")
    if target.checks is not None:
        write_counts(out, name, target.checks)


def _check_sign_ins(target: Target, run_dir: str | None) -> None:
    """:func:`client.signin_guard.check_sign_ins` for every declared account of a real site; an account the
    site refuses is sent nothing more (its tests are skipped ``safety stop: sign-in refused: …``). A check
    that cannot be made (the budget is spent, the site does not answer) leaves it to the tests."""
    env = target.environment
    guard = SignInGuard()
    guard.install(target.http)
    roles, _ = declared_roles(env)
    options: ClientOptions = {"http": target.http, "budget": target.budget, "secrets": target.secrets}
    try:
        shared = shared_file(run_dir, target.run_id) if run_dir else None  # once per run, whatever the workers
        check_sign_ins(env.xml_url, roles, options, guard, env.path, shared)
    except (BudgetExceeded, httpx.HTTPError):
        return


@contextmanager
def bring_up(
    config: pytest.Config, environment: Environment, recorder: Recorder, secrets: SecretSet, run_id: str
) -> Iterator[Target]:
    """The session's :class:`Target`; on the way out the clean-up runs, unspent budget goes back,
    the records are written and whatever was started is stopped."""
    workers = worker_count()
    running = None
    env = environment
    control: ControlClient | None = None
    url = None
    if environment.is_emulator:
        url = config.getoption("--emulator-url")
        if not url:
            from webex_harness.emulator.server import start_in_thread

            running = start_in_thread(environment.site_name, environment.settings)
            url = running.base_url
        url = url.rstrip("/")
        env = environment.with_urls(url + "/WBXService/XMLService", url + "/v1")
    ledger_file = _ledger_file(config, run_id, running is not None)
    ledger = Ledger(run_id, ledger_file, worker=worker(), secrets=secrets)
    budget, cleanup_budget = split_budget(environment.budget, workers, budget_counter(config, ledger_file))
    sites = SiteRegistry()
    sites.add(env.site_name, [env.security()], token=env.credentials.rest_token)
    hooks = LedgerHooks(
        ledger, rest_url=env.rest_url, site_for_token=sites.site_for_token, secrets=secrets, on_credentials=sites.learn
    )
    http = hooks.install(httpx.Client(timeout=15.0))
    install_site_safety(http, env, run_dir=config.getoption("--run-dir"))  # usage guard, REST pacing
    if url is not None:
        control = ControlClient(url, http)
    t = Target(
        env,
        http,
        budget,
        control,
        recorder,
        ledger=ledger,
        run_id=run_id,
        sites=sites,
        cleanup_budget=cleanup_budget,
        secrets=secrets,
        checks=Checker(off=environment.checks.off, mask=secrets.mask, facts=catalogue_facts()),
    )
    if control is None:  # a real site: each declared account signs in once before any test (a wrong password once)
        _check_sign_ins(t, config.getoption("--run-dir"))
    try:
        yield t
    finally:
        try:
            cleanup_budget.started = time.monotonic()  # the clean-up's time bound starts now
            t.cleanup = clean_up(t)
        finally:
            budget.close()  # what this worker took from the shared counter and did not send goes back
            cleanup_budget.close()
            _write_records(config, t, workers)
            ledger.close()
            http.close()
            if running is not None:
                running.stop()
