"""``cleanup`` finds everything a run names: sessions of every kind listed to the last page, REST
meetings over the whole window a run could have used (every step, every page), and a listing that
is refused is reported — never taken for "nothing found"."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

import webex_harness.client.cleaner as cleaner_module
from tests.standin import StandIn, make_stand_in
from webex_harness.client.cleaner import Cleaner, rest_listing_window
from webex_harness.client.naming import name_pattern, run_name
from webex_harness.emulator.server import RunningEmulator, running
from webex_harness.environment.loader import load_environment
from webex_harness.generators.envelopes import GenContext, valid_envelope
from webex_harness.load.envelopes import with_run_name
from webex_harness.runs.cli import main
from webex_harness.runs.runner import clean_leftovers
from webex_harness.webex.envelope import Security
from webex_harness.workspace.run_folder import new_run_id, run_started

SESSION_CREATES = (
    "CreateMeeting",
    "CreateEvent",
    "CreateTrainingSession",
    "CreateTeleconferenceSession",
    "CreateSupportSession",
)


@pytest.fixture(scope="module")
def emulator_in_thread() -> Iterator[RunningEmulator]:
    with running() as emulator:
        yield emulator


@pytest.fixture
def stand_in(emulator_in_thread: RunningEmulator, tmp_path: Path) -> StandIn:
    return make_stand_in(emulator_in_thread.base_url, tmp_path, roles=False)


def _host(stand_in: StandIn) -> Security:
    return Security(stand_in.site, "qa-host", stand_in.users["host"]["password"])


def create_session(stand_in: StandIn, api: str, name: str, seed: int = 1) -> None:
    ctx = GenContext(now=datetime.now(UTC).replace(tzinfo=None, microsecond=0), security=_host(stand_in))
    envelope = with_run_name(valid_envelope(api, seed, ctx), name)
    answer = httpx.post(stand_in.xml_url, content=envelope, headers={"Content-Type": "text/xml"}, timeout=10.0)
    assert b"SUCCESS" in answer.content, answer.text[:500]


def create_rest_meeting(stand_in: StandIn, title: str, days: float, scheduled_type: str = "meeting") -> str:
    start = (datetime.now(UTC) + timedelta(days=days)).replace(second=0, microsecond=0)
    body = {"title": title, "start": start.isoformat(), "end": (start + timedelta(minutes=30)).isoformat()}
    if scheduled_type != "meeting":
        body["scheduledType"] = scheduled_type
    answer = httpx.post(
        f"{stand_in.rest_url}/meetings",
        json=body,
        timeout=10.0,
        headers={"Authorization": f"Bearer {stand_in.rest_token}"},
    )
    assert answer.status_code == 200, answer.text
    return str(answer.json()["id"])


def cleaner(stand_in: StandIn, http: httpx.Client, token: str | None = None) -> Cleaner:
    return Cleaner(
        None,
        http=http,
        xml_url=stand_in.xml_url,
        rest_url=stand_in.rest_url,
        credentials=lambda site, owner: [_host(stand_in)],
        token=lambda site: token or stand_in.rest_token,
    )


def test_every_kind_of_session_is_found_by_its_run_name_on_every_page(
    stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cleaner_module, "LIST_PAGE_SIZE", 2)  # 5 pages for 9 sessions
    run_id, other_run = new_run_id(), new_run_id()
    ours = [run_name("wxh", run_id, f"load-{api}") for api in SESSION_CREATES]
    for name in ours:
        create_session(stand_in, name.rsplit("-", 1)[1], name)
    create_session(stand_in, "CreateMeeting", run_name("wxh", other_run, "load-CreateMeeting"))
    create_session(stand_in, "CreateMeeting", "Quarterly review")  # a foreign meeting of the same host
    create_session(stand_in, "CreateEvent", f"xwxh-{run_id}-not-ours")
    create_session(stand_in, "CreateMeeting", f"wxh-{run_id}x-not-ours")
    with httpx.Client(timeout=10.0) as http:
        found = cleaner(stand_in, http).find_by_prefix(
            stand_in.site, _host(stand_in), None, name_pattern("wxh", run_id)
        )
        every_run = cleaner(stand_in, http).find_by_prefix(
            stand_in.site, _host(stand_in), None, name_pattern("wxh", None)
        )
    assert found.problems == []
    assert sorted(o.name or "" for o in found.objects) == sorted(ours)
    assert {o.run_id for o in found.objects} == {run_id}
    assert len(every_run.objects) == len(ours) + 1


def test_rest_meetings_are_listed_over_the_whole_window_and_every_page(
    stand_in: StandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(cleaner_module, "REST_PAGE_SIZE", 2)
    run_id = new_run_id()
    days = [0.5, 1, 2, 6, 9.4, 15, 29, 31, 44]  # the default listing (a week from now) shows only the first ones
    ours = {create_rest_meeting(stand_in, run_name("wxh", run_id, f"load-{n}"), d) for n, d in enumerate(days)}
    create_rest_meeting(stand_in, "Board meeting", 3)
    create_rest_meeting(stand_in, run_name("wxh", new_run_id(), "load-1"), 3)
    requests: list[str] = []
    with httpx.Client(timeout=10.0, event_hooks={"request": [lambda r: requests.append(str(r.url))]}) as http:
        found = cleaner(stand_in, http).find_by_prefix(
            stand_in.site, None, stand_in.rest_token, name_pattern("wxh", run_id), since=run_started(run_id)
        )
        default_only = http.get(
            f"{stand_in.rest_url}/meetings?max=100", headers={"Authorization": f"Bearer {stand_in.rest_token}"}
        ).json()["items"]
    assert found.problems == []
    assert {o.id for o in found.objects} == ours
    assert len({i["id"] for i in default_only} & ours) < len(ours), "the default window alone misses some"
    windows = {(u.split("from=")[1].split("&")[0]) for u in requests if "from=" in u}
    assert len(windows) >= 2, "the window is walked in steps"


def test_the_window_reaches_from_before_the_run_to_past_its_farthest_start() -> None:
    started = datetime(2026, 1, 5, 10, 0, tzinfo=UTC)
    now = started + timedelta(days=3)
    lo, hi = rest_listing_window(started, now)
    assert lo < started - timedelta(days=1)
    assert hi >= now + timedelta(days=31), "generated and contract starts reach 30 days ahead"
    assert run_started("20260105-100000-abcd") == started
    assert run_started("not-a-run") is None


def test_a_refused_listing_is_reported_not_taken_for_nothing(stand_in: StandIn) -> None:
    run_id = new_run_id()
    create_rest_meeting(stand_in, run_name("wxh", run_id, "load-1"), 2)
    wrong = Security(stand_in.site, "qa-host", "not-the-password")
    with httpx.Client(timeout=10.0) as http:
        found = cleaner(stand_in, http).find_by_prefix(
            stand_in.site, wrong, "not-the-token", name_pattern("wxh", run_id)
        )
    assert found.objects == []
    assert len(found.problems) == 2, found.problems
    assert any("LstsummarySession" in p for p in found.problems)
    assert any("GET /v1/meetings" in p and "HTTP 401" in p for p in found.problems), found.problems


def _cleanup_cli(stand_in: StandIn, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, *args: str) -> int:
    for key, value in stand_in.variables.items():
        monkeypatch.setenv(key, value)
    return main(["cleanup", "--env", str(stand_in.env_file), "--reports", str(tmp_path / "reports"), *args])


def test_cleanup_removes_what_it_finds_by_name_and_exits_0(
    stand_in: StandIn, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    run_id = new_run_id()
    for api in SESSION_CREATES:
        create_session(stand_in, api, run_name("wxh", run_id, f"load-{api}"))
    rest = {create_rest_meeting(stand_in, run_name("wxh", run_id, f"load-{n}"), 2 + 5 * n) for n in range(4)}
    foreign = create_rest_meeting(stand_in, "Board meeting", 3)
    create_session(stand_in, "CreateMeeting", "Quarterly review")
    assert _cleanup_cli(stand_in, monkeypatch, tmp_path, "--run", run_id) == 0
    out = capsys.readouterr().out
    assert f"removed {len(SESSION_CREATES) + len(rest)}," in out, out
    # one store (docs/xml-rest.md): the foreign REST meeting is an XML meeting too, and both stay
    assert sorted(s["name"] for s in stand_in.state()["sessions"]) == ["Board meeting", "Quarterly review"]
    with httpx.Client(timeout=10.0) as http:
        left = cleaner(stand_in, http).find_by_prefix(
            stand_in.site, None, stand_in.rest_token, name_pattern("wxh", None)
        )
        assert left.objects == []
        assert (
            http.get(
                f"{stand_in.rest_url}/meetings/{foreign}", headers={"Authorization": f"Bearer {stand_in.rest_token}"}
            ).status_code
            == 200
        )


def test_cleanup_exits_1_naming_a_listing_it_could_not_read(
    stand_in: StandIn, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    create_rest_meeting(stand_in, run_name("wxh", new_run_id(), "load-1"), 2)
    token_var = next(k for k in stand_in.variables if k.endswith("_TOKEN"))
    monkeypatch.setenv(token_var, "revoked-token")
    stand_in.variables[token_var] = "revoked-token"
    assert _cleanup_cli(stand_in, monkeypatch, tmp_path) == 1
    captured = capsys.readouterr()
    assert "LEFT names" in captured.out and "listing failed: GET /v1/meetings" in captured.out, captured.out
    assert "listing(s) failed" in captured.err


def test_what_a_deletion_could_not_remove_is_left_and_fails_the_cleanup(
    stand_in: StandIn,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Found by name but not deletable by the caller (REST DELETE refused): left, and the result is not ok.
    A webinar: REST-only (a meeting would be found and deleted through the XML API too)."""
    run_id = new_run_id()
    create_rest_meeting(stand_in, run_name("wxh", run_id, "load-1"), 2, "webinar")
    env = load_environment(stand_in.env_file, stand_in.variables)
    real_request = httpx.Client.request

    def refuse_deletes(self: httpx.Client, method: str, url: Any, **kwargs: Any) -> httpx.Response:
        if method == "DELETE":
            return httpx.Response(403, request=httpx.Request(method, url))
        return real_request(self, method, url, **kwargs)

    monkeypatch.setattr(httpx.Client, "request", refuse_deletes)
    result, _ = clean_leftovers(env, [], run_id=run_id, emulator_url=None, budget=None)
    assert not result.ok
    assert [x["kind"] for x in result.left] == ["rest-meeting"] and "HTTP 403" in result.left[0]["reason"]
