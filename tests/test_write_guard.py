"""The emulator's safety net under writes (:mod:`webex_harness.emulator.write_guard`): an exception no
rule foresaw is a FAILURE (XML) or a 400 (REST), never a 500, and what the failed request had added
to the site's stores is taken back."""

from __future__ import annotations

from typing import Any

import pytest

from tests.populated_site import World, populate
from tests.site_fingerprint import differences, fingerprint
from webex_harness.emulator import dispatch, write_guard
from webex_harness.emulator.app import create_app
from webex_harness.emulator.rest import handlers as rest_handlers
from webex_harness.emulator.xmlio import Elements
from webex_harness.webex.errors import invalid_value


@pytest.fixture
def world() -> World:
    return populate(create_app())


def _wrap(monkeypatch: pytest.MonkeyPatch, api: str, after: Any) -> None:
    """Make ``api``'s handler do its work, then call ``after(call)`` (which raises)."""
    route = dispatch.ROUTES[api.lower()]

    def handler(call: dispatch.Call) -> Elements:
        route.fn(call)
        after(call)
        return []

    replaced = dispatch.Route(route.service, route.api, route.response_type, handler, route.writes)
    monkeypatch.setitem(dispatch.ROUTES, api.lower(), replaced)


def _create_meeting(world: World) -> Any:
    body = {"metaData": {"confName": "Guarded"}, "schedule": {"startDate": "12/31/2099 10:00:00"}}
    return world.call("host", "meeting", "CreateMeeting", body)


def test_an_unforeseen_error_after_a_create_is_a_failure_and_leaves_no_meeting_behind(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def crash(call: dispatch.Call) -> None:
        raise TypeError("a bug nobody foresaw")

    _wrap(monkeypatch, "CreateMeeting", crash)
    before = fingerprint(world.site)

    answer = _create_meeting(world)

    assert answer.http_status == 200 and answer.exception_id == "999999", answer.describe()
    assert "a bug nobody foresaw" in (answer.reason or "")
    assert differences(before, fingerprint(world.site)) == []  # the session, its UUID and its REST series


def test_a_documented_failure_raised_after_a_create_takes_the_create_back(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(call: dispatch.Call) -> None:
        raise invalid_value("confName")

    _wrap(monkeypatch, "CreateMeeting", refuse)
    before = fingerprint(world.site)

    answer = _create_meeting(world)

    assert answer.exception_id == "010001"
    assert differences(before, fingerprint(world.site)) == []


def test_the_site_keeps_working_after_an_unforeseen_error(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    with monkeypatch.context() as patched:
        _wrap(patched, "CreateMeeting", lambda call: [][1])
        assert _create_meeting(world).exception_id == "999999"

    created = _create_meeting(world).expect_success()

    assert created.text("meet:meetingkey") in world.site.sessions


def test_an_unforeseen_error_in_a_read_is_a_failure_not_a_500(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    route = dispatch.ROUTES["getsessioninfo"]

    def crash(call: dispatch.Call) -> Elements:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setitem(
        dispatch.ROUTES, "getsessioninfo", dispatch.Route(route.service, route.api, route.response_type, crash, False)
    )

    answer = world.call("host", "ep", "GetSessionInfo", {"sessionKey": world.keys["meeting"][0]})

    assert answer.http_status == 200 and answer.exception_id == "999999"


def test_a_rest_create_that_breaks_after_storing_is_a_400_and_leaves_no_meeting(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = rest_handlers.rules.create

    def create_then_crash(*args: Any, **kwargs: Any) -> Any:
        original(*args, **kwargs)
        raise AttributeError("a bug nobody foresaw")

    monkeypatch.setattr(rest_handlers.rules, "create", create_then_crash)
    before = fingerprint(world.site)

    answer = world.rest(
        "POST", "/v1/meetings", {"title": "Guarded", "start": "2099-12-31T10:00:00Z", "end": "2099-12-31T11:00:00Z"}
    )

    assert answer.status_code == 400, answer.text
    assert differences(before, fingerprint(world.site)) == []


def test_only_apis_that_may_store_something_are_marked() -> None:
    assert write_guard.writes("CreateMeeting") and write_guard.writes("AuthenticateUser")
    assert write_guard.writes("GetLoginTicket")  # a read that issues a ticket
    assert not write_guard.writes("GetSessionInfo") and not write_guard.writes("LstsummaryMeeting")
    assert dispatch.ROUTES["getsessioninfo"].writes is False
    assert dispatch.ROUTES["setmeeting"].writes is True
