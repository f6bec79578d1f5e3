"""Busy sites (``emulator/busy.py``): a shared production site the harness does not have to itself —
foreign objects in every listing, a background writer, latency jitter, transient 503s — and the
request counts the emulator keeps per site and in ``/_emulator/health``.

Nothing here depends on time or CPU: the writer moves per request count, every random choice is
seeded, and jitter is checked by the delays the app asks for, not by a clock.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from webex_harness.emulator import busy, busy_state
from webex_harness.emulator.app import create_app
from webex_harness.emulator.busy_state import BusyOptionError, BusyOptions, parse_options
from webex_harness.emulator.registry import Registry
from webex_harness.emulator.rest import respond
from webex_harness.emulator.rest.store import store as rest_store
from webex_harness.emulator.server import RunningEmulator, free_port, start_subprocess
from webex_harness.webex.envelope import Security, XmlResponse, build_request, parse_response
from webex_harness.webex.settings import SiteSettings

PREFIX = "wxh"
#: A quiet busy site: foreign objects only (no writer, no jitter, no 503) unless a test says otherwise.
QUIET: dict[str, Any] = {"seed": 11, "writer_every": 0, "jitter_ms": 0, "unavailable_one_in": 0}
USERS = [
    {"webExID": "qa-host", "email": "qa-host@example.com", "firstName": "Qa", "lastName": "Host"},
    {"webExID": "qa-admin", "email": "qa-admin@example.com", "siteAdmin": True},
]


def webex_date(dt: datetime) -> str:
    return dt.strftime("%m/%d/%Y %H:%M:%S")


class BusySite:
    """A site created on a running emulator through the control API, used with plain httpx."""

    def __init__(self, emulator: RunningEmulator, busy_options: Any, settings: dict[str, Any] | None = None) -> None:
        self.base = emulator.base_url
        payload: dict[str, Any] = {"users": USERS, "busy": busy_options, "settings": settings or {}}
        r = httpx.post(f"{self.base}/_emulator/sites", json=payload, timeout=30)
        assert r.status_code == 200, r.text
        self.info = r.json()
        self.name: str = self.info["name"]
        self.token: str = self.info["rest_token"]
        self.passwords = {u["webExID"]: u["password"] for u in self.info["users"]}
        self.client = httpx.Client(timeout=30)

    def close(self) -> None:
        self.client.close()

    def raw_xml(self, service: str, api: str, body: dict[str, Any], user: str = "qa-host") -> httpx.Response:
        security = Security(self.name, user, self.passwords[user])
        envelope = build_request(service, api, body, security)
        return self.client.post(f"{self.base}/WBXService/XMLService", content=envelope)

    def xml(self, service: str, api: str, body: dict[str, Any], user: str = "qa-host") -> XmlResponse:
        r = self.raw_xml(service, api, body, user)
        return parse_response(r.content, r.status_code)

    def rest(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}"}
        return self.client.request(method, f"{self.base}/v1{path}", headers=headers, **kwargs)

    def state(self) -> dict[str, Any]:
        r = httpx.get(f"{self.base}/_emulator/sites/{self.name}/state", timeout=30)
        assert r.status_code == 200, r.text
        return dict(r.json())


@pytest.fixture
def make_site(emulator: RunningEmulator) -> Iterator[Any]:
    made: list[BusySite] = []

    def make(busy_options: Any, settings: dict[str, Any] | None = None) -> BusySite:
        site = BusySite(emulator, busy_options, settings)
        made.append(site)
        return site

    yield make
    for site in made:
        site.close()


def scope(days_back: int = 15, days_ahead: int = 22) -> dict[str, Any]:
    now = datetime.now(UTC).replace(tzinfo=None)
    return {
        "startDateStart": webex_date(now - timedelta(days=days_back)),
        "startDateEnd": webex_date(now + timedelta(days=days_ahead)),
        "timeZoneID": 21,
    }


def listing_names(response: XmlResponse, element: str) -> list[str]:
    response.expect_success()
    return response.texts(f"//{element}")


def create_meeting(site: BusySite, name: str, days: float = 3) -> str:
    start = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=days)
    r = site.xml(
        "meeting",
        "CreateMeeting",
        {"metaData": {"confName": name}, "schedule": {"startDate": webex_date(start), "timeZoneID": 21}},
    )
    key = r.expect_success().text("//meet:meetingkey")
    assert key
    return key


# ---------------------------------------------------------------- foreign objects


def test_foreign_objects_appear_in_every_listing_the_harness_uses(make_site: Any) -> None:
    site = make_site(QUIET)
    listings = [
        ("ep", "LstsummarySession", {"listControl": {"maximumNum": 500}}, "ep:confName"),
        ("meeting", "LstsummaryMeeting", {"listControl": {"maximumNum": 500}}, "meet:confName"),
        ("ep", "LstCalendarSession", {"dateScope": scope()}, "ep:confName"),
        ("event", "LstsummaryEvent", {"listControl": {"maximumNum": 500}}, "event:sessionName"),
        ("training", "LstsummaryTrainingSession", {"listControl": {"maximumNum": 500}}, "train:confName"),
    ]
    for service, api, body, element in listings:
        names = listing_names(site.xml(service, api, body), element)
        assert names, f"{api} lists no foreign object"
        assert not [n for n in names if n.lower().startswith(PREFIX)], api

    # a colleague's meeting that invites the host is on the host's calendar
    calendar = site.xml("ep", "LstCalendarSession", {"dateScope": scope()}).expect_success()
    assert set(calendar.texts("//ep:hostWebExID")) - {"qa-host"}, "no colleague's meeting on the host's calendar"

    # the administrator sees the colleagues' meetings too
    hosts = set(
        site.xml("meeting", "LstsummaryMeeting", {"listControl": {"maximumNum": 500}}, user="qa-admin")
        .expect_success()
        .texts("//meet:hostWebExID")
    )
    assert "qa-host" in hosts and len(hosts) > 2

    # attendees of a foreign meeting
    state = site.state()
    with_attendees = next(
        s for s in state["sessions"] if s["kind"] == "meeting" and s["attendees"] and s["host"] == "qa-host"
    )
    people = site.xml("attendee", "LstMeetingAttendee", {"meetingKey": with_attendees["key"]}).expect_success()
    assert sorted(people.texts("//com:email")) == sorted(a["email"] for a in with_attendees["attendees"])

    # REST: the default window (the coming week) and an explicit from/to over past and coming weeks
    r = site.rest("GET", "/meetings")
    assert r.status_code == 200 and r.json()["items"], r.text
    now = datetime.now(UTC)
    r = site.rest(
        "GET",
        "/meetings",
        params={
            "from": (now - timedelta(days=15)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "to": (now + timedelta(days=22)).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "max": 100,
        },
    )
    titles = [m["title"] for m in r.json()["items"]]
    # one store (docs/xml-rest.md): the REST list holds the 8 REST series and every XML meeting, by key
    xml_meetings = {s["key"] for s in state["sessions"] if s["kind"] == "meeting"}
    assert len(titles) == len(state["rest_meetings"]) == len(xml_meetings) == 24 + 8, titles
    assert xml_meetings == {m["meetingNumber"] for m in r.json()["items"]}

    # contacts of the host and of colleagues
    owners = {c["owner"] for c in state["contacts"]}
    assert "qa-host" in owners and len(owners) > 1
    assert state["busy"]["seeded"] == {
        "meetings": 24,
        "events": 6,
        "training_sessions": 6,
        "rest_meetings": 8,
        "contacts": 8,
    }


def test_foreign_objects_are_spread_over_past_and_coming_weeks(make_site: Any) -> None:
    state = make_site(QUIET).state()
    now = datetime.now(UTC)
    starts = [datetime.fromisoformat(m["start"]) for m in state["rest_meetings"]]
    starts += [
        datetime.fromisoformat(s["start"]).replace(tzinfo=UTC) - timedelta(hours=12) for s in state["sessions"]
    ]  # local times: at most 12 hours from UTC
    assert any(s < now - timedelta(days=1) for s in starts)
    assert any(now < s < now + timedelta(days=7) for s in starts)
    assert any(s > now + timedelta(days=8) for s in starts)
    names = [s["name"] for s in state["sessions"]] + [m["title"] for m in state["rest_meetings"]]
    assert not [n for n in names if n.lower().startswith(PREFIX)]


def test_a_foreign_meeting_answers_every_read_api(make_site: Any) -> None:
    site = make_site(QUIET)
    state = site.state()
    for kind, service, api in (
        ("meeting", "meeting", "GetMeeting"),
        ("event", "event", "GetEvent"),
        ("training", "training", "GetTrainingSession"),
    ):
        session = next(s for s in state["sessions"] if s["kind"] == kind and s["host"] == "qa-host")
        site.xml(service, api, {"sessionKey": session["key"], "meetingKey": session["key"]}).expect_success()
        info = site.xml("ep", "GetSessionInfo", {"sessionKey": session["key"]}).expect_success()
        assert info.text("//ep:confName") == session["name"]
    meeting_id = state["rest_meetings"][0]["id"]
    assert site.rest("GET", f"/meetings/{meeting_id}").status_code == 200


def test_same_seed_same_site(make_site: Any) -> None:
    first, second = make_site(QUIET).state(), make_site(QUIET).state()

    def shape(state: dict[str, Any]) -> list[tuple[str, str, str, int]]:
        return [(s["kind"], s["host"], s["name"], len(s["attendees"])) for s in state["sessions"]]

    assert shape(first) == shape(second)
    assert [m["title"] for m in first["rest_meetings"]] == [m["title"] for m in second["rest_meetings"]]


# ---------------------------------------------------------------- the writer


def test_writer_creates_and_deletes_only_its_own_objects_while_a_client_works(make_site: Any) -> None:
    site = make_site({**QUIET, "writer_every": 1, "writer_max_live": 4})
    before = site.state()
    seeded = {s["key"]: s["name"] for s in before["sessions"]}
    seeded_rest = {m["id"] for m in before["rest_meetings"]}
    mine = {create_meeting(site, f"{PREFIX}-busytest-{i}") for i in range(3)}

    # protect one of the writer's own objects by giving it the prefix, as a clean-up could find it
    protected = None
    for _ in range(60):
        live = site.state()["busy"]["writer"]["live"]
        protected = next((o["key"] for o in live if o["kind"] == "meeting" and o["owner"] == "qa-host"), None)
        if protected:
            break
        site.xml("user", "GetUser", {"webExId": "qa-host"})
    assert protected, "the writer never created a meeting on the host's account"
    site.xml(
        "meeting", "SetMeeting", {"meetingkey": protected, "metaData": {"confName": f"{PREFIX}-renamed"}}
    ).expect_success()

    for i in range(80):  # the client works: lists, reads, creates and deletes its own
        if i % 4 == 0:
            site.xml("meeting", "LstsummaryMeeting", {"listControl": {"maximumNum": 500}}).expect_success()
        elif i % 4 == 1:
            assert site.rest("GET", "/meetings").status_code == 200
        elif i % 4 == 2:
            site.xml("user", "GetUser", {"webExId": "qa-host"}).expect_success()
        else:
            temporary = create_meeting(site, f"{PREFIX}-busytest-temporary-{i}")
            site.xml("meeting", "DelMeeting", {"meetingKey": temporary}).expect_success()

    after = site.state()
    writer = after["busy"]["writer"]
    assert writer["created"] > 0 and writer["deleted"] > 0
    assert writer["moves"] == after["busy"]["requests"] == after["requests"]["xml"] + after["requests"]["rest"]
    keys = {s["key"]: s["name"] for s in after["sessions"]}
    assert {k: keys.get(k) for k in seeded} == seeded, "the writer changed or deleted a seeded object"
    assert seeded_rest <= {m["id"] for m in after["rest_meetings"]}
    assert mine <= set(keys), "the writer deleted the client's objects"
    assert keys.get(protected) == f"{PREFIX}-renamed", "the writer deleted an object with the cleanup prefix"
    # the log holds every move of this short run: each delete is of an object the writer created
    assert len(writer["log"]) == writer["moves"] < busy.Writer.LOG_SIZE
    created = {e["key"] for e in writer["log"] if e["action"] == "create"}
    deleted = [e["key"] for e in writer["log"] if e["action"] == "delete"]
    assert deleted and set(deleted) <= created
    owners = {e["owner"] for e in writer["log"]}
    assert "qa-host" in owners and owners - {"qa-host"}, "the writer acts for the host and for colleagues"
    assert not [e for e in writer["log"] if e["name"].lower().startswith(PREFIX)]


def test_writer_moves_count_towards_no_rest_rate_window(make_site: Any) -> None:
    site = make_site({**QUIET, "writer_every": 1, "writer_max_live": 50}, settings={"rest_rate_limit_per_minute": 5})
    statuses = [site.rest("GET", "/meetings").status_code for _ in range(6)]
    assert statuses == [200] * 5 + [429]
    state = site.state()
    assert state["busy"]["writer"]["moves"] == 6
    assert state["requests"] == {"xml": 0, "rest": 6}


def test_writer_moves_touch_no_usage_limit_rate_window_or_request_count() -> None:
    registry = Registry()
    site = registry.create_site("quiet-host", SiteSettings(rest_rate_limit_per_minute=600, usage_limit_per_hour=1))
    state = busy.make_busy(site, BusyOptions(seed=9, writer_every=1, writer_max_live=6))
    for _ in range(120):
        busy_state.admit(site)
    assert state.writer.created > 10 and state.writer.deleted > 5
    assert {e[2] for e in state.writer.log} == set(busy.WRITER_KINDS)
    assert all(not u.no_data_failures and u.blocked_until is None for u in site.users.values())
    assert not rest_store(site).hits
    assert (site.xml_requests, site.rest_requests) == (0, 0)


def test_writer_moves_are_deterministic_per_seed(make_site: Any) -> None:
    logs = []
    for _ in range(2):
        site = make_site({**QUIET, "writer_every": 2})
        for _ in range(40):
            site.xml("user", "GetUser", {"webExId": "qa-host"})
        logs.append([(e["action"], e["kind"], e["owner"], e["name"]) for e in site.state()["busy"]["writer"]["log"]])
    assert logs[0] == logs[1] and len(logs[0]) == 20


# ---------------------------------------------------------------- 503


def test_unavailable_answers_carry_retry_after_and_change_nothing(make_site: Any, emulator: RunningEmulator) -> None:
    site = make_site({**QUIET, "unavailable_one_in": 1, "retry_after_seconds": 1})
    before = site.state()
    start = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=2)
    r = site.raw_xml(
        "meeting",
        "CreateMeeting",
        {"metaData": {"confName": f"{PREFIX}-never"}, "schedule": {"startDate": webex_date(start), "timeZoneID": 21}},
    )
    assert r.status_code == 503 and r.headers["retry-after"] == "1"
    rest = site.rest(
        "POST",
        "/meetings",
        json={
            "title": f"{PREFIX}-never-rest",
            "start": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
            "end": (datetime.now(UTC) + timedelta(days=2, hours=1)).isoformat(),
        },
    )
    assert rest.status_code == 503 and rest.headers["retry-after"] == "1"
    assert rest.headers["content-type"] == "application/json" and rest.json()["message"]
    after = site.state()
    assert after["sessions"] == before["sessions"] and after["rest_meetings"] == before["rest_meetings"]
    assert after["busy"]["unavailable"] == 2 and after["requests"] == {"xml": 1, "rest": 1}
    # never the control API
    assert httpx.get(f"{emulator.base_url}/_emulator/health", timeout=10).status_code == 200


def test_unavailable_is_rare_by_default_and_off_at_zero() -> None:
    registry = Registry()
    site = registry.create_site("rare", SiteSettings())
    busy.make_busy(
        site,
        BusyOptions(seed=3, writer_every=0, meetings=0, events=0, training_sessions=0, contacts=0, rest_meetings=0),
    )
    unavailable = sum(busy_state.admit(site).unavailable for _ in range(20_000))
    assert 60 <= unavailable <= 140  # one in 200 on average; fixed by the seed
    off = registry.create_site("off", SiteSettings())
    busy.make_busy(off, BusyOptions(seed=3, unavailable_one_in=0, writer_every=0, meetings=0))
    assert not any(busy_state.admit(off).unavailable for _ in range(5_000))


def test_a_503_is_not_counted_in_the_rest_rate_window() -> None:
    registry = Registry()
    site = registry.create_site("window", SiteSettings(rest_rate_limit_per_minute=2))
    busy.make_busy(site, BusyOptions(seed=1, writer_every=0, unavailable_one_in=1, jitter_ms=0))
    headers = {"authorization": f"Bearer {site.rest_token}"}

    def get() -> int:
        return respond(registry, "GET", "/v1/meetings", "", headers, b"", "http://emulator")[0]

    assert [get() for _ in range(4)] == [503] * 4
    assert site.busy is not None
    site.busy.options = BusyOptions(seed=1, writer_every=0, unavailable_one_in=0, jitter_ms=0)
    assert [get() for _ in range(3)] == [200, 200, 429]


# ---------------------------------------------------------------- jitter


def _asgi_requests(app: Any, requests: list[tuple[str, str, bytes, dict[str, str]]]) -> list[int]:
    async def go() -> list[int]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://emulator") as client:
            return [(await client.request(m, p, content=c, headers=h)).status_code for m, p, c, h in requests]

    return asyncio.run(go())


@pytest.mark.parametrize("jitter_ms", [5.0, 40.0, 0.0])
def test_jitter_is_bounded_and_never_blocks(monkeypatch: pytest.MonkeyPatch, jitter_ms: float) -> None:
    delays: list[float] = []

    async def record(delay: float) -> None:
        delays.append(delay)

    monkeypatch.setattr(busy_state, "pause", record)
    app = create_app("harness", None, BusyOptions(seed=2, jitter_ms=jitter_ms, unavailable_one_in=0))
    xml = build_request("user", "GetUser", {"webExId": "host"}, Security("harness", "host", "x"))
    calls = [("POST", "/WBXService/XMLService", xml, {})] * 30
    calls += [("GET", "/v1/meetings", b"", {"Authorization": "Bearer emulator-token"})] * 30
    calls += [("GET", "/_emulator/health", b"", {})] * 5
    assert set(_asgi_requests(app, calls)) == {200}
    if jitter_ms:
        assert len(delays) == 60 and all(0.0 <= d <= jitter_ms / 1000 for d in delays)
        assert len(set(delays)) > 50  # drawn, not constant
    else:
        assert delays == []


def test_pause_is_an_asyncio_sleep() -> None:
    async def two_at_once() -> None:
        await asyncio.wait_for(asyncio.gather(busy_state.pause(0.001), busy_state.pause(0.001)), timeout=30)

    asyncio.run(two_at_once())


# ---------------------------------------------------------------- request counts


def test_request_counts_are_exact(make_site: Any, emulator: RunningEmulator) -> None:
    health = f"{emulator.base_url}/_emulator/health"
    first = make_site({**QUIET, "unavailable_one_in": 3})  # 503s count like any answer
    second = make_site(QUIET)
    before = httpx.get(health, timeout=10).json()["requests"]
    for _ in range(17):
        first.raw_xml("user", "GetUser", {"webExId": "qa-host"})
    for _ in range(9):
        first.rest("GET", "/meetings")
    for _ in range(5):
        second.raw_xml("meeting", "LstsummaryMeeting", {})
    with httpx.Client(timeout=10) as client:
        client.get(f"{emulator.base_url}/v1/meetings", headers={"Authorization": "Bearer no-such-token"})  # 401
        client.get(f"{emulator.base_url}/no/such/path")  # 404
        client.get(f"{emulator.base_url}/WBXService/XMLService")  # 405
        client.get(f"{emulator.base_url}/_emulator/faults")  # control API: not counted
    after = httpx.get(health, timeout=10).json()["requests"]
    assert after - before == 17 + 9 + 5 + 3
    first_state, second_state = first.state(), second.state()
    assert first_state["requests"] == {"xml": 17, "rest": 9}
    assert first_state["busy"]["unavailable"] > 0
    assert second_state["requests"] == {"xml": 5, "rest": 0}


# ---------------------------------------------------------------- options


@pytest.mark.parametrize(
    ("busy_value", "fragment"),
    [
        ({"nope": 1}, "unknown busy option 'nope'"),
        ({"jitter_ms": "a"}, "'jitter_ms' must be a number"),
        ({"writer_every": -1}, "'writer_every' must be at least 0"),
        ({"meetings": 2.5}, "'meetings' must be an integer"),
        ({"seed": True}, "'seed' must be an integer"),
        ({"protected_prefix": ""}, "'protected_prefix' must not be empty"),
        ("yes", "busy must be true, false or an object"),
    ],
)
def test_bad_busy_options_are_refused_with_one_line(emulator: RunningEmulator, busy_value: Any, fragment: str) -> None:
    sites = httpx.get(f"{emulator.base_url}/_emulator/health", timeout=10).json()["sites"]
    r = httpx.post(f"{emulator.base_url}/_emulator/sites", json={"busy": busy_value}, timeout=10)
    assert r.status_code == 400
    message = r.json()["error"]
    assert fragment in message and "\n" not in message
    assert httpx.get(f"{emulator.base_url}/_emulator/health", timeout=10).json()["sites"] == sites


def test_busy_true_means_the_defaults_and_false_an_ordinary_site(make_site: Any) -> None:
    state = make_site(True).state()
    options = state["busy"]["options"]
    expected = {**BusyOptions().to_dict(), "seed": options["seed"], "host": "qa-host"}
    assert options == expected and isinstance(options["seed"], int)
    assert make_site(False).state()["busy"] is None


def test_parse_options_reads_the_command_line_forms() -> None:
    pairs = dict(busy_state.option_from_text(t) for t in ("seed=7", "jitter_ms=2.5", "protected_prefix=qa", "host=me"))
    assert parse_options(pairs) == BusyOptions(seed=7, jitter_ms=2.5, protected_prefix="qa", host="me")
    with pytest.raises(BusyOptionError, match="NAME=VALUE"):
        busy_state.option_from_text("seed")


def test_reset_gives_the_default_site_its_foreign_objects_again() -> None:
    app = create_app("harness", None, BusyOptions(seed=4, writer_every=0))
    registry = app.registry
    count = len(registry.default.sessions)
    assert count == 36 + 8  # 24 meetings, 6 events, 6 training sessions and the 8 REST meetings (one store)
    registry.default.sessions.clear()
    registry.reset()
    assert len(registry.default.sessions) == count and registry.default.busy is not None


# ---------------------------------------------------------------- the command line


def test_cli_busy_flag_makes_the_default_site_busy() -> None:
    options = ["--busy-option", "seed=5", "--busy-option", "unavailable_one_in=0"]
    running = start_subprocess(extra_args=["--busy", *options])
    try:
        state = httpx.get(f"{running.base_url}/_emulator/sites/harness/state", timeout=10).json()
        assert state["busy"]["options"]["seed"] == 5 and state["busy"]["options"]["host"] == "host"
        xml = build_request("meeting", "LstsummaryMeeting", {}, Security("harness", "host", "emulator-pass"))
        names = parse_response(httpx.post(running.xml_url, content=xml, timeout=10).content).texts("//meet:confName")
        assert names and not [n for n in names if n.lower().startswith(PREFIX)]
    finally:
        running.stop()


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--busy-option", "nope=1"], "unknown busy option 'nope'"),
        (["--busy", "--busy-option", "jitter_ms=fast"], "'jitter_ms' must be a number"),
        (["--busy-option", "seed"], "is not NAME=VALUE"),
    ],
)
def test_cli_bad_busy_option_exits_2_with_one_line(args: list[str], fragment: str) -> None:
    cmd = [sys.executable, "-m", "webex_harness.runs.cli", "emulator", "--port", str(free_port()), *args]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and fragment in lines[0]
