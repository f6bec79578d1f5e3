"""REST pacing (``client/rest_pacing.py``): a per-token sliding window shared by processes and runs
through the workspace state folder, 90 % of the declared ``rest_rate_limit_per_minute``, bounded
waits, and ``429 Retry-After`` honoured by :class:`~client.rest_client.RestClient` (at most two
retries, each counted) — and, against a stand-in site with a small limit, REST calls beyond the
rate that never fail with 429 (the pacer's clock is the site's, moved instead of slept)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from email.utils import format_datetime
from pathlib import Path

import httpx
import pytest

from tests.standin import StandIn, make_stand_in
from webex_harness.client.rest_client import RestClient
from webex_harness.client.rest_pacing import (
    MAX_RETRIES,
    RestPacer,
    RestPacingTimeout,
    pacer_of,
    retry_after_seconds,
    token_key,
)
from webex_harness.client.xml_client import BudgetExceeded, ControlClient, RequestBudget
from webex_harness.emulator.server import RunningEmulator

ROOT = Path(__file__).resolve().parent.parent
T0 = datetime(2026, 3, 1, 10, 0, tzinfo=UTC).timestamp()
TOKEN = "rest-token-0123456789abcdef"


class FakeTime:
    """A clock whose sleep moves it (and remembers each wait)."""

    def __init__(self, now: float = T0) -> None:
        self.now = now
        self.waits: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.now += seconds


def _pacer(folder: Path, limit: int, fake: FakeTime, said: list[str] | None = None, **kw: object) -> RestPacer:
    return RestPacer(folder, limit, clock=fake, sleep=fake.sleep, say=(said if said is not None else []).append, **kw)  # type: ignore[arg-type]


# ---------------------------------------------------------------- the window


def test_ninety_percent_of_the_limit_passes_then_it_waits_for_the_oldest_to_leave(tmp_path: Path) -> None:
    fake, said = FakeTime(), []
    pacer = _pacer(tmp_path, 20, fake, said)
    assert pacer.allowed == 18
    for i in range(18):
        fake.now = T0 + i  # one a second
        assert pacer.acquire(TOKEN) == 0.0
    fake.now = T0 + 20
    assert pacer.acquire(TOKEN) == pytest.approx(40.0)  # the first left the window at T0 + 60
    assert fake.waits == [pytest.approx(40.0)]
    assert said == [
        "REST pacing: 18 requests in the last 60s (90% of the declared rest_rate_limit_per_minute 20): waiting 40.0s"
    ]
    assert pacer.acquire(TOKEN) == pytest.approx(1.0)  # the second leaves at T0 + 61
    assert len(said) == 2


def test_tokens_are_paced_apart_and_stored_only_as_hashes(tmp_path: Path) -> None:
    fake = FakeTime()
    pacer = _pacer(tmp_path, 2, fake)  # allowed: 1
    pacer.acquire(TOKEN)
    assert pacer.acquire("another-token-abcdef") == 0.0
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == sorted([f"rest-{token_key(TOKEN)}.jsonl", f"rest-{token_key('another-token-abcdef')}.jsonl"])
    for path in tmp_path.iterdir():
        assert TOKEN not in path.read_text() and TOKEN not in path.name


def test_a_limit_of_zero_paces_nothing(tmp_path: Path) -> None:
    fake = FakeTime()
    pacer = _pacer(tmp_path, 0, fake)
    for _ in range(1000):
        assert pacer.acquire(TOKEN) == 0.0
    assert list(tmp_path.iterdir()) == []


def test_a_wait_beyond_the_bound_stops_with_one_line(tmp_path: Path) -> None:
    fake = FakeTime()
    pacer = _pacer(tmp_path, 10, fake, max_wait=5.0)
    for _ in range(9):
        pacer.acquire(TOKEN)
    with pytest.raises(RestPacingTimeout, match=r"^REST pacing: no request slot for this token within 5s") as stop:
        pacer.acquire(TOKEN)
    assert isinstance(stop.value, BudgetExceeded) and "\n" not in str(stop.value)


def test_the_window_is_remembered_across_runs(tmp_path: Path) -> None:
    fake = FakeTime()
    first_run = _pacer(tmp_path, 10, fake)
    for _ in range(9):
        first_run.acquire(TOKEN)
    fake.now = T0 + 30
    second_run = _pacer(tmp_path, 10, fake)  # a new process, the same workspace
    assert second_run.acquire(TOKEN) == pytest.approx(30.0)


_TAKER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from webex_harness.client.rest_pacing import RestPacer, RestPacingTimeout
    frozen = float(sys.argv[2])
    def no_sleep(seconds):
        raise AssertionError("max_wait 0 never sleeps")
    pacer = RestPacer(Path(sys.argv[1]), 20, clock=lambda: frozen, sleep=no_sleep, max_wait=0.0, say=lambda line: None)
    got = 0
    for _ in range(12):
        try:
            pacer.acquire("shared-token-abcdef")
            got += 1
        except RestPacingTimeout:
            pass
    print(got)
""")


def test_processes_share_one_allowance(tmp_path: Path) -> None:
    """Four processes at one frozen instant, twelve attempts each: exactly 18 slots in all."""
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _TAKER, str(tmp_path), str(T0)], cwd=ROOT, stdout=subprocess.PIPE, text=True
        )
        for _ in range(4)
    ]
    got = [int(p.communicate(timeout=60)[0].strip()) for p in procs]
    assert sum(got) == 18, got


# ---------------------------------------------------------------- Retry-After


def test_retry_after_is_read_as_seconds_or_an_http_date() -> None:
    assert retry_after_seconds({"Retry-After": "12"}) == 12.0
    date = format_datetime(datetime.fromtimestamp(T0 + 30, UTC), usegmt=True)
    assert retry_after_seconds({"retry-after": date}, now=T0) == pytest.approx(30.0)
    assert retry_after_seconds({}) is None
    assert retry_after_seconds({"Retry-After": "soon"}) is None


def _answers(*statuses: tuple[int, str | None]) -> tuple[httpx.MockTransport, list[httpx.Request]]:
    sent: list[httpx.Request] = []
    queue = list(statuses)

    def answer(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        status, retry = queue.pop(0) if queue else (200, None)
        headers = {"content-type": "application/json"}
        if retry is not None:
            headers["Retry-After"] = retry
        body = b'{"message": "Too many requests"}' if status == 429 else b'{"items": []}'
        return httpx.Response(status, headers=headers, content=body)

    return httpx.MockTransport(answer), sent


def _client(
    tmp_path: Path, transport: httpx.MockTransport, paced: bool, said: list[str], fake: FakeTime
) -> tuple[RestClient, RequestBudget]:
    http = httpx.Client(transport=transport)
    if paced:
        _pacer(tmp_path, 600, fake, said, rest_url="http://127.0.0.1:9/v1").install(http)
    budget = RequestBudget(100)
    return RestClient("http://127.0.0.1:9/v1", TOKEN, http=http, budget=budget), budget


def test_a_429_is_waited_out_and_sent_again_each_retry_counted(tmp_path: Path) -> None:
    fake, said = FakeTime(), []
    transport, sent = _answers((429, "5"), (429, "7"))
    client, budget = _client(tmp_path, transport, True, said, fake)
    answer = client.list_meetings(max=10)
    assert answer.status == 200
    assert len(sent) == 3 and budget.used == 3
    assert fake.waits == [5.0, 7.0]
    assert said == [
        "REST: GET /v1/meetings answered 429: waiting 5s (Retry-After) before retry 1 of 2",
        "REST: GET /v1/meetings answered 429: waiting 7s (Retry-After) before retry 2 of 2",
    ]


def test_retries_are_bounded(tmp_path: Path) -> None:
    fake, said = FakeTime(), []
    transport, sent = _answers(*[(429, "1")] * 5)
    client, _ = _client(tmp_path, transport, True, said, fake)
    assert client.get("abc").status == 429
    assert len(sent) == 1 + MAX_RETRIES
    transport, sent = _answers((429, "120"))  # longer than 60 s: not waited for
    client, _ = _client(tmp_path, transport, True, said, fake)
    assert client.get("abc").status == 429 and len(sent) == 1
    transport, sent = _answers((429, None))  # no Retry-After: nothing to honour
    client, _ = _client(tmp_path, transport, True, said, fake)
    assert client.get("abc").status == 429 and len(sent) == 1


def test_without_a_pacer_a_429_is_returned_as_is(tmp_path: Path) -> None:
    """Emulator targets: the contract tests provoke the 429 and look at it."""
    fake, said = FakeTime(), []
    transport, sent = _answers((429, "5"))
    client, _ = _client(tmp_path, transport, False, said, fake)
    assert pacer_of(client.http) is None
    assert client.get("abc").status == 429 and len(sent) == 1 and fake.waits == []


def test_only_requests_to_the_rest_url_with_a_bearer_token_are_paced(tmp_path: Path) -> None:
    fake = FakeTime()
    pacer = _pacer(tmp_path, 2, fake, rest_url="http://127.0.0.1:9/v1", max_wait=0.0)
    http = pacer.install(httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200))))
    for _ in range(3):
        http.post("http://127.0.0.1:9/WBXService/XMLService", content=b"<x/>")
        http.get("http://127.0.0.1:9/v1/meetings")  # no token
        http.get("http://127.0.0.1:9/_emulator/health", headers={"Authorization": f"Bearer {TOKEN}"})
    http.get("http://127.0.0.1:9/v1/meetings", headers={"Authorization": f"Bearer {TOKEN}"})
    with pytest.raises(RestPacingTimeout):
        http.get("http://127.0.0.1:9/v1/meetings", headers={"Authorization": f"Bearer {TOKEN}"})


# ---------------------------------------------------------------- against a stand-in site


class SiteTime:
    """The stand-in site's clock as the pacer's: sleeping moves the site clock instead."""

    def __init__(self, stand_in: StandIn, http: httpx.Client) -> None:
        self.control = ControlClient(stand_in.base_url, http)
        self.site = stand_in.site
        self.offset = 0.0
        self.waits: list[float] = []

    def __call__(self) -> float:
        return time.time() + self.offset

    def sleep(self, seconds: float) -> None:
        self.waits.append(seconds)
        self.control.advance_clock(self.site, seconds)
        self.offset += seconds


@pytest.fixture
def limited_site(emulator: RunningEmulator, tmp_path: Path) -> Iterator[StandIn]:
    yield make_stand_in(emulator.base_url, tmp_path, roles=False, settings={"rest_rate_limit_per_minute": 20})


def test_calls_beyond_the_rate_never_fail_with_429(limited_site: StandIn, tmp_path: Path) -> None:
    with httpx.Client(timeout=10.0) as http, httpx.Client(timeout=10.0) as control:
        site_time, said = SiteTime(limited_site, control), []
        pacer = RestPacer(
            tmp_path / "state",
            20,
            rest_url=limited_site.rest_url,
            clock=site_time,
            sleep=site_time.sleep,
            say=said.append,
        )
        pacer.install(http)
        budget = RequestBudget(1000)
        client = RestClient(limited_site.rest_url, limited_site.rest_token, http=http, budget=budget)
        statuses = [client.get("0123456789abcdef0123456789abcdef").status for _ in range(50)]
        assert statuses == [404] * 50  # 2.5 times the limit of a minute, not one 429
        assert budget.used == 50 and len(site_time.waits) >= 2
        assert said and all(line.startswith("REST pacing: 18 requests in the last 60s") for line in said)
        # a minute later another client of the token (not paced by this workspace) fills the
        # site's window: the next paced call meets a 429, waits out its Retry-After, is answered
        site_time.sleep(61)
        foreign = {"Authorization": f"Bearer {limited_site.rest_token}"}
        flood = [
            httpx.get(f"{limited_site.rest_url}/meetings/nope", headers=foreign, timeout=10.0).status_code
            for _ in range(21)
        ]
        assert flood == [404] * 20 + [429]
        said.clear()
        assert client.get("0123456789abcdef0123456789abcdef").status == 404
        assert len(said) == 1 and said[0].startswith("REST: GET /v1/meetings/{id} answered 429: waiting"), said
        assert budget.used == 52
