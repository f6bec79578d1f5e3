"""The GetSessionInfo / GetUserCard usage limit: ``usage-limit-403`` (001, 40.4.5 and 40.8.0).

"We will block users from accessing these two APIs in next two hours if their call reached the
limit in one hour with no data found errors. The error status response is: "403 Forbidden"".

The documentation gives no number, so the tests of the block get a site with ``usage_limit_per_hour=5``
and move the site clock: they need the emulator's control API (marked ``lockout`` and skipped on a
real site, where they would lock a user out for two hours; the load/probe.py probe measures a real
site instead). On a real site only the branch far below the declared limit runs, as the ``probe``
account (``users.probe``), the one account a run may risk.
Pinned semantics: the request whose failure makes the count reach the limit still gets its
FAILURE; the next request to either API gets the 403.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import XmlResponse

LIMIT = 5
#: "no data found" exceptionIDs a GetSessionInfo / GetUserCard may answer for an unknown key or user
NO_DATA = ("000015", "060001", "030001")
_keys = itertools.count(900000001)

pytestmark = [pytest.mark.behaviour("usage-limit-403")]


@pytest.fixture
def limited(site_factory: Callable[..., SiteHandle]) -> SiteHandle:
    """A fresh site with a usage limit of :data:`LIMIT` no-data failures an hour (emulator only)."""
    site = site_factory(usage_limit_per_hour=LIMIT)
    _ = site.control  # skips on a real site
    return site


def unknown_session_info(client: XmlClient) -> XmlResponse:
    """GetSessionInfo for a session key the (fresh) site does not have."""
    return client.call("ep", "GetSessionInfo", {"sessionKey": str(next(_keys))})


def unknown_user_card(client: XmlClient) -> XmlResponse:
    return client.call("user", "GetUserCard", {"webExId": f"wxh-nobody-{next(_keys)}"})


def assert_no_data(response: XmlResponse) -> None:
    assert response.http_status == 200, f"expected a FAILURE envelope, got HTTP {response.http_status}"
    assert response.result == "FAILURE" and response.exception_id in NO_DATA, response.describe()


def assert_forbidden(response: XmlResponse) -> None:
    assert response.http_status == 403, f"expected HTTP 403 Forbidden, got {response.describe()}"
    assert b"forbidden" in response.raw.lower(), f"403 body lacks 'Forbidden': {response.raw[:80]!r}"


def assert_not_forbidden(response: XmlResponse) -> None:
    assert response.http_status == 200, f"expected an envelope (not blocked), got HTTP {response.http_status}"
    assert response.result in ("SUCCESS", "FAILURE"), response.describe()


def fail_times(client: XmlClient, times: int, call: Callable[[XmlClient], XmlResponse] = unknown_session_info) -> None:
    for i in range(times):
        response = call(client)
        assert response.http_status != 403, f"blocked after only {i} no-data failure(s) (limit {LIMIT})"
        assert_no_data(response)


def block(client: XmlClient) -> None:
    """Reach the limit: every one of the :data:`LIMIT` requests still answers its FAILURE."""
    fail_times(client, LIMIT)


# ---------------------------------------------------------------- the block


@pytest.mark.lockout
def test_usage_limit_blocks_get_session_info_after_the_limit(limited: SiteHandle) -> None:
    host = limited.client("host")
    block(host)
    assert_forbidden(unknown_session_info(host))


@pytest.mark.lockout
def test_usage_limit_block_covers_get_user_card(limited: SiteHandle) -> None:
    host = limited.client("host")
    block(host)
    own = limited.security("host").webex_id or "host"
    assert_forbidden(host.call("user", "GetUserCard", {"webExId": own}))


@pytest.mark.lockout
def test_usage_limit_counts_get_user_card_failures(limited: SiteHandle) -> None:
    host = limited.client("host")
    fail_times(host, LIMIT, unknown_user_card)
    own = limited.security("host").webex_id or "host"
    assert_forbidden(host.call("user", "GetUserCard", {"webExId": own}))
    assert_forbidden(unknown_session_info(host))


@pytest.mark.lockout
def test_usage_limit_below_the_limit_does_not_block(limited: SiteHandle) -> None:
    host = limited.client("host")
    fail_times(host, LIMIT - 1)
    own = limited.security("host").webex_id or "host"
    card = host.call("user", "GetUserCard", {"webExId": own})
    assert card.ok, card.describe()
    assert_no_data(unknown_session_info(host))  # the LIMIT-th failure itself is still answered


# ---------------------------------------------------------------- scope: other APIs, other users


@pytest.mark.lockout
def test_usage_limit_other_apis_stay_available(limited: SiteHandle) -> None:
    host = limited.client("host")
    block(host)
    site = host.call("site", "GetSite", {})
    assert site.ok, f"GetSite while blocked: {site.describe()}"
    me = host.call("user", "GetMe", {})
    assert me.ok, f"GetMe while blocked: {me.describe()}"
    lst = host.call("ep", "LstsummarySession", {})
    assert_not_forbidden(lst)
    assert_forbidden(unknown_session_info(host))


@pytest.mark.lockout
def test_usage_limit_blocks_only_that_user(limited: SiteHandle) -> None:
    block(limited.client("host"))
    invitee = limited.client("invitee")
    assert_no_data(unknown_session_info(invitee))
    own = limited.security("invitee").webex_id or "invitee"
    card = invitee.call("user", "GetUserCard", {"webExId": own})
    assert card.ok, card.describe()


@pytest.mark.lockout
def test_usage_limit_anonymous_callers_are_counted_apart(limited: SiteHandle) -> None:
    anonymous = limited.anonymous()
    block(anonymous)
    assert_forbidden(unknown_session_info(anonymous))
    assert_no_data(unknown_session_info(limited.client("host")))


# ---------------------------------------------------------------- the window: one hour


@pytest.mark.lockout
def test_usage_limit_failures_spread_over_more_than_an_hour_do_not_block(limited: SiteHandle) -> None:
    host = limited.client("host")
    fail_times(host, LIMIT - 1)
    limited.advance_clock(61 * 60)
    fail_times(host, LIMIT - 1)
    assert_no_data(unknown_session_info(host))


@pytest.mark.lockout
def test_usage_limit_failures_within_an_hour_block(limited: SiteHandle) -> None:
    host = limited.client("host")
    fail_times(host, LIMIT - 2)
    limited.advance_clock(59 * 60)
    fail_times(host, 2)
    assert_forbidden(unknown_session_info(host))


# ---------------------------------------------------------------- the lift: two hours


@pytest.mark.lockout
def test_usage_limit_block_lifts_after_two_hours(limited: SiteHandle) -> None:
    host = limited.client("host")
    block(host)
    limited.advance_clock(2 * 3600 - 60)
    assert_forbidden(unknown_session_info(host))
    limited.advance_clock(60)
    assert_no_data(unknown_session_info(host))
    own = limited.security("host").webex_id or "host"
    card = host.call("user", "GetUserCard", {"webExId": own})
    assert card.ok, card.describe()


# ---------------------------------------------------------------- far below the limit (any site)

#: no-data failures the site-runnable test causes: a tenth of the declared limit at most
FEW = 3
_PROBE_SITE_USERS = [
    {"webExID": "host", "email": "host@example.com", "firstName": "Hal", "lastName": "Host"},
    {"webExID": "probe", "email": "probe@example.com", "firstName": "Pro", "lastName": "Be"},
]


def test_usage_limit_a_few_no_data_failures_do_not_block(site_factory: Callable[..., SiteHandle]) -> None:
    """A few no-data failures, far below the declared limit, are answered as FAILUREs and block
    nothing — as the ``probe`` account only (on a real site the one account a run may risk)."""
    site = site_factory(users=_PROBE_SITE_USERS)
    declared = site.target.environment.settings.usage_limit_per_hour if not site.is_emulator else 100
    if declared < 10 * FEW:
        pytest.skip(f"the declared usage_limit_per_hour {declared} leaves no margin for {FEW} failures")
    probe = site.client("probe")
    for i in range(FEW):
        response = unknown_session_info(probe)
        assert response.http_status != 403, f"blocked after only {i} no-data failure(s) (limit {declared})"
        assert_no_data(response)
    card = probe.call("user", "GetUserCard", {"webExId": site.security("probe").webex_id})
    assert card.ok, card.describe()
