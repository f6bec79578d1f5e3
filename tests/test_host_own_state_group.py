"""On a site the parallel workers share one host account: the contract tests that change the host's own
state — its One-Click settings, its login ticket — must run one after another (one xdist group; ``webex-
harness run`` distributes with ``--dist loadgroup``). Two such tests side by side made verdicts flip:
a set-back undid another test's change, a new login URL replaced the ticket another test had just read.
These tests check the marks; tests/test_xdist_groups.py checks that loadgroup honours them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from webex_harness.contracts import test_catalogue, test_one_click, test_read_back, test_user_login
from webex_harness.contracts.stateful import test_user_signin_machine
from webex_harness.contracts.support import HOST_OWN_STATE


def _groups(marks: Any) -> set[str]:
    return {m.args[0] for m in (marks if isinstance(marks, list) else [marks]) if m.name == "xdist_group" and m.args}


def _function_groups(fn: Callable[..., Any]) -> set[str]:
    return _groups(list(getattr(fn, "pytestmark", [])))


def test_every_one_click_test_is_in_the_hosts_group() -> None:
    assert HOST_OWN_STATE in _groups(test_one_click.pytestmark)


def test_the_one_click_read_backs_are_in_the_hosts_group() -> None:
    params = [p for p in test_read_back.ROWS if "OneClick" in str(p.values)]
    assert len(params) == 2, [p.id for p in params]  # SetupOneClickSettings, SetOneClickSettings
    assert all(HOST_OWN_STATE in _groups(list(p.marks)) for p in params)


@pytest.mark.parametrize(
    "test",
    [
        test_user_login.test_get_login_ticket_answers_the_same_unused_ticket,
        test_user_login.test_login_url_names_the_user_and_carries_a_fresh_ticket,
        test_user_signin_machine.test_signing_in_and_own_settings_read_back,
    ],
    ids=lambda fn: fn.__name__,
)
def test_a_test_that_reads_or_replaces_the_hosts_login_ticket_is_in_the_hosts_group(test: Callable[..., Any]) -> None:
    assert HOST_OWN_STATE in _function_groups(test)


@pytest.mark.parametrize("api_name", ["GetloginurlUser", "GetLoginTicket", "SetupOneClickSettings"])
def test_the_catalogue_cases_of_an_api_that_changes_the_hosts_own_state_are_in_the_hosts_group(api_name: str) -> None:
    cases = [p for p in test_catalogue._valid_params() + test_catalogue._edge_params() if p.values[0] == api_name]
    assert len(cases) >= 2, api_name  # the valid envelope and at least one edge case
    assert all(HOST_OWN_STATE in _groups(list(p.marks)) for p in cases), api_name


def test_the_catalogue_cases_of_other_apis_run_wherever_they_fall() -> None:
    cases = [p for p in test_catalogue._valid_params() if p.values[0] in ("GetSessionInfo", "CreateMeeting")]
    assert len(cases) == 2 and not any(_groups(list(p.marks)) for p in cases)
