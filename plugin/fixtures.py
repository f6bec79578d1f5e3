"""Every fixture of the harness (registered with :mod:`plugin.hooks` when a run asks for the harness:
``pytest --fixtures --env …`` lists them under ``fixtures defined from webex_harness.plugin.fixtures``).

``environment`` and ``target`` are per session; the others per test. A fixture that cannot give what
a test needs against the target skips the test, saying why (see each docstring). What a test creates
through ``meetings`` and ``rest`` is deleted after it; whatever else it creates through a harness
client is written to the run's ledger first and deleted at the end of the session.

Stands on :mod:`plugin.targets` (the target's bring-up, sites), :mod:`plugin.xml_meetings` and
:mod:`plugin.rest_meetings` (the trackers) and :mod:`plugin.state` (the run's state on
``config.stash``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.environment.model import Environment
from webex_harness.plugin import state
from webex_harness.plugin.markers import api_mark, behaviour_ids
from webex_harness.plugin.plan import contract_id as plan_contract_id
from webex_harness.plugin.rest_meetings import RestMeetings, rest_client
from webex_harness.plugin.site_release import SiteRelease, read_release, version_skip
from webex_harness.plugin.targets import SiteHandle, Target, bring_up, make_site
from webex_harness.plugin.xml_meetings import Meetings


@pytest.fixture(scope="session")
def environment(pytestconfig: pytest.Config) -> Environment:
    """The loaded environment (:class:`~environment.model.Environment`) the run asked for: ``--env
    FILE|NAME``, else the ``webex_harness_env`` ini key (a name is ``./environments/NAME.yaml``, else
    the shipped one). Session scope. Never skips."""
    return pytestconfig.stash[state.ENVIRONMENT]


@pytest.fixture(scope="session")
def target(pytestconfig: pytest.Config, environment: Environment) -> Iterator[Target]:
    """The session's :class:`~plugin.targets.Target`: URLs, the pooled HTTP client (ledger hooks,
    safety rails), this process's budgets, the control client (emulator only). Against the emulator
    without ``--emulator-url`` it starts one in this process. At the end it cleans up what the tests
    left and writes the budget, site and clean-up records. Session scope. Never skips."""
    config = pytestconfig
    with bring_up(
        config, environment, config.stash[state.RECORDER], config.stash[state.SECRETS], config.stash[state.RUN_ID]
    ) as t:
        yield t


@pytest.fixture
def site_factory(target: Target, pytestconfig: pytest.Config) -> Callable[..., SiteHandle]:
    """``site_factory(users=None, **settings)`` -> a :class:`~plugin.targets.SiteHandle`: a fresh
    emulator site with those settings (and the ``--fault`` faults on), or — against a real site —
    the site itself when it declares those settings; else the test is skipped, naming the setting.
    A real site's ``users`` are ``host`` and every role of ``users:`` (``emails`` theirs where
    declared); asking a handle for a role the file lacks skips the test naming the key
    (``needs users.admin in …``)."""
    faults = list(pytestconfig.getoption("--fault") or [])

    def make(users: list[dict[str, Any]] | None = None, **settings: Any) -> SiteHandle:
        return make_site(target, faults, users, settings)

    return make


@pytest.fixture
def site(site_factory: Callable[..., SiteHandle]) -> SiteHandle:
    """``site_factory()``: a fresh emulator site with default settings, or the real site. Never skips."""
    return site_factory()


@pytest.fixture
def xml(site: SiteHandle) -> XmlClient:
    """An :class:`~client.xml_client.XmlClient` signed in as the site's host
    (``xml.call("meeting", "GetMeeting", {...})``). Never skips."""
    return site.client("host")


@pytest.fixture
def meetings(xml: XmlClient) -> Iterator[Meetings]:
    """A :class:`~plugin.xml_meetings.Meetings` tracker on ``xml``: ``meetings.create_ok(body)``
    creates a meeting (default body :func:`~plugin.xml_meetings.meeting_body`, named with the run's
    prefix) and returns its key and UUID; every meeting it created is deleted after the test, also
    when the test fails. Never skips."""
    tracker = Meetings(xml)
    try:
        yield tracker
    finally:
        tracker.cleanup()


@pytest.fixture
def rest(site: SiteHandle) -> Iterator[RestMeetings]:
    """A :class:`~plugin.rest_meetings.RestMeetings` tracker: a REST client for the site's token
    (``rest.client``) whose ``create_ok(body)`` meetings are deleted after the test, also when it
    fails. Skips when the environment has no REST token (``credentials.rest_token``)."""
    tracker = RestMeetings(rest_client(site))
    try:
        yield tracker
    finally:
        tracker.cleanup()


@pytest.fixture
def seed(pytestconfig: pytest.Config) -> int:
    """The ``--seed`` value (default 1) for generated data. Never skips."""
    return int(pytestconfig.getoption("--seed"))


@pytest.fixture(name="run_name")
def run_name_fixture(target: Target) -> Callable[[str], str]:
    """``run_name("suffix")`` -> ``<cleanup_prefix>-<run-id>-suffix``: a name ``webex-harness cleanup``
    finds even without the ledger. Never skips."""
    return target.run_name


@pytest.fixture(scope="session")
def site_release(pytestconfig: pytest.Config, target: Target) -> SiteRelease:
    """The XML API release the run certifies against (:mod:`plugin.site_release`): declared by the
    environment (on the emulator: the release its default site plays), else read from the site with one
    GetAPIVersion call, counted against the budget. Session scope. Never skips; a GetAPIVersion that
    does not answer a known release fails the test that asked first."""
    known = pytestconfig.stash.get(state.SITE_RELEASE, None)
    if known is not None:
        return known
    env = target.environment
    client = XmlClient(env.xml_url, env.security(), **target.client_options())
    found = pytestconfig.stash[state.SITE_RELEASE] = read_release(client)
    return found


@pytest.fixture(autouse=True)
def _release_gate(request: pytest.FixtureRequest) -> None:
    """Skips a contract test the site's release lacks when the release had to be read from the site
    (a declared release skips at collection already: :mod:`plugin.hooks`). Does nothing otherwise."""
    config = request.config
    node = request.node
    if state.SITE_RELEASE in config.stash or plan_contract_id(node.path, node.nodeid) is None:
        return
    release: SiteRelease = request.getfixturevalue("site_release")
    item = request.node
    if isinstance(item, pytest.Item):
        reason = version_skip(release, behaviour_ids(item), api_mark(item)[0])
        if reason is not None:
            pytest.skip(reason)
