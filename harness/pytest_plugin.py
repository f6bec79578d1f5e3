"""The pytest side of the harness: ``--env``, ``--seed``, the target and site fixtures, the
emulator's lifecycle, behaviour markers and the per-test results the run summary is made from.

Options
    ``--env FILE|NAME``   environment file (default ``environments/emulator.yaml``)
    ``--seed N``          seed for generated data (default 1)
    ``--fault ID``        (repeatable) switch this emulator fault on for every site a test creates
    ``--behaviour ID``    (repeatable) run only the tests marked with this behaviour ID
    ``--emulator-url U``  use an already running emulator instead of starting one
    ``--run-dir DIR``     write per-test results (``results-<worker>.json``) there

Fixtures
    ``environment`` (session) the loaded :class:`~harness.environment.Environment`
    ``target`` (session)      URLs, pooled HTTP client, budget, control client (emulator only)
    ``site_factory``          ``site_factory(**settings)`` -> a :class:`SiteHandle`: a fresh emulator
                              site with those settings, or — against a real site — the site itself
                              when it declares those settings, else the test is skipped with why
    ``site``                  ``site_factory()``
    ``xml``                   an :class:`~harness.client.XmlClient` for the site's host
    ``seed``                  the ``--seed`` value
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Generator, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from harness.client import ControlClient, Exchange, RequestBudget, XmlClient
from harness.envelope import Security
from harness.environment import Environment, EnvironmentFileError, load_environment, resolve_environment_path
from harness.settings import SiteSettings

_EVIDENCE_LIMIT = 6


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("webex-harness")
    group.addoption("--env", default=None, help="environment file or name (default: environments/emulator.yaml)")
    group.addoption("--seed", type=int, default=1, help="seed for generated data (default 1)")
    group.addoption("--fault", action="append", default=[], help="emulator fault to switch on for every site")
    group.addoption("--behaviour", action="append", default=[], help="run only tests marked with this behaviour ID")
    group.addoption("--emulator-url", default=os.environ.get("WEBEX_HARNESS_EMULATOR_URL"),
                    help="an already running emulator (default: start one)")
    group.addoption("--run-dir", default=None, help="write per-test results for the run summary here")


def behaviour_ids(item: pytest.Item) -> list[str]:
    ids: list[str] = []
    for mark in item.iter_markers("behaviour"):
        ids.extend(str(a) for a in mark.args)
    return ids


@dataclass
class _Recorder:
    """Per-test evidence (masked exchanges) and the results written for the summary."""

    current: list[Exchange] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)

    def exchange(self, exchange: Exchange) -> None:
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


def pytest_configure(config: pytest.Config) -> None:
    try:
        path = resolve_environment_path(config.getoption("--env"))
        config._wxh_env = load_environment(path)  # type: ignore[attr-defined]
    except EnvironmentFileError as err:
        raise pytest.UsageError(str(err)) from None
    config._wxh_recorder = _Recorder()  # type: ignore[attr-defined]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    wanted = set(config.getoption("--behaviour") or [])
    if not wanted:
        return
    keep, drop = [], []
    for item in items:
        (keep if wanted & set(behaviour_ids(item)) else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
    report = yield
    recorder: _Recorder = item.config._wxh_recorder  # type: ignore[attr-defined]
    done = (report.when == "call") or (report.when == "setup" and not report.passed) or (
        report.when == "teardown" and report.failed)
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
            "outcome": outcome,
            "when": report.when,
            "reason": reason.splitlines()[0][:500] if reason else "",
            "evidence": [asdict(e) for e in recorder.current[-_EVIDENCE_LIMIT:]] if outcome == "failed" else [],
            "duration": report.duration,
        })
    if report.when == "teardown":
        recorder.current.clear()
    return report


def pytest_runtest_setup(item: pytest.Item) -> None:
    try:
        import allure

        for bid in behaviour_ids(item):
            allure.dynamic.label("behaviour", bid)
            allure.dynamic.tag(bid)
    except Exception:
        pass


def pytest_sessionfinish(session: pytest.Session) -> None:
    run_dir = session.config.getoption("--run-dir")
    recorder: _Recorder | None = getattr(session.config, "_wxh_recorder", None)
    if not run_dir or recorder is None or not recorder.results:
        return
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    out = Path(run_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"results-{worker}.json").write_text(json.dumps(recorder.results, indent=1))


# ---------------------------------------------------------------- fixtures


@dataclass
class Target:
    environment: Environment
    http: httpx.Client
    budget: RequestBudget
    control: ControlClient | None
    recorder: _Recorder

    @property
    def is_emulator(self) -> bool:
        return self.control is not None


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
        if role not in self.users:
            pytest.skip(f"needs a {role!r} user, which the environment {self.target.environment.name!r} "
                        f"does not provide")
        return self.users[role]

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


@pytest.fixture(scope="session")
def environment(pytestconfig: pytest.Config) -> Environment:
    return pytestconfig._wxh_env  # type: ignore[attr-defined, no-any-return]


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config, environment: Environment) -> Iterator[Target]:
    recorder: _Recorder = pytestconfig._wxh_recorder  # type: ignore[attr-defined]
    budget = RequestBudget(environment.budget.max_requests, environment.budget.max_seconds)
    http = httpx.Client(timeout=15.0)
    running = None
    env = environment
    control: ControlClient | None = None
    if environment.is_emulator:
        url = pytestconfig.getoption("--emulator-url")
        if not url:
            from emulator.server import start_in_thread

            running = start_in_thread(environment.site_name, environment.settings)
            url = running.base_url
        url = url.rstrip("/")
        env = environment.with_urls(url + "/WBXService/XMLService", url + "/v1")
        control = ControlClient(url, http)
    try:
        yield Target(env, http, budget, control, recorder)
    finally:
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
            host = env.security()
            return SiteHandle(env.site_name, env.settings, env.xml_url, env.rest_url, {"host": host},
                              {}, env.credentials.rest_token, target)
        info = target.control.create_site(settings=settings, users=users, faults=faults)
        securities = {u["webExID"]: Security(info["name"], u["webExID"], u["password"]) for u in info["users"]}
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
