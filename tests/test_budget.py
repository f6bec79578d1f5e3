"""``budget.max_requests`` is one cap per run (issue 11): the shared counter, the split of ``run``,
the cap counted at the server for ``contracts``, ``load --processes 2`` and ``run``, and the
bounded, counted retries of a transient ``503``.

The server's count is the emulator's ``GET /_emulator/health`` → ``"requests"`` (every XML and REST
request it answered); the tests that read it use the module's own emulator subprocess and nothing
else talks to it.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import re
from pathlib import Path
from typing import Any

import httpx
import pytest

import webex_harness.load.runner as load_runner
import webex_harness.runs.cli
import webex_harness.runs.run_command
from tests.load_conditions import UPPER_BOUND, seen
from webex_harness.client.rest_client import RestClient
from webex_harness.client.xml_client import (
    MAX_503_RETRIES,
    MAX_503_WAIT,
    BudgetExceeded,
    RequestBudget,
    XmlClient,
    retry_after_seconds,
    send_retrying_503,
)
from webex_harness.emulator.server import RunningEmulator
from webex_harness.environment.loader import load_environment
from webex_harness.runs.load_phase import budget_cut
from webex_harness.runs.runner import final_cleanup_budget
from webex_harness.webex.envelope import Security
from webex_harness.workspace.budget import (
    CONTRACTS,
    CONTRACTS_CLEANUP,
    COUNTER_FILE,
    FINAL_CLEANUP,
    LOAD,
    LOAD_CLEANUP,
    SharedBudget,
    read_counter,
    split_run_budget,
)
from webex_harness.workspace.run_folder import Run

ROOT = Path(__file__).resolve().parent.parent
XML_URL = "https://acme.webex.com/WBXService/XMLService"
SUCCESS = (
    b'<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service"><serv:header><serv:response>'
    b"<serv:result>SUCCESS</serv:result></serv:response></serv:header><serv:body><serv:bodyContent/>"
    b"</serv:body></serv:message>"
)


# ---------------------------------------------------------------- the split


def test_run_splits_the_budget_between_contracts_load_and_the_final_clean_up() -> None:
    split = split_run_budget(500)
    assert split.to_dict() == {
        "total": 500,
        "contracts": 300,
        "contracts_cleanup_reserve": 30,
        "load": 150,
        "load_cleanup_reserve": 30,
        "final_cleanup": 50,
    }
    assert split.pools() == {CONTRACTS: 270, CONTRACTS_CLEANUP: 30, LOAD: 120, LOAD_CLEANUP: 30, FINAL_CLEANUP: None}
    assert split.describe(processes=2) == (
        "500 requests — contracts 300 (clean-up reserve 30), load 150 (clean-up reserve 30, shared by 2 locust "
        "processes), final clean-up 50 + what the phases leave"
    )


def test_a_phase_that_does_not_run_leaves_its_share_to_the_others() -> None:
    contracts = split_run_budget(500, load=False)
    assert (contracts.contracts, contracts.contracts_reserve, contracts.load, contracts.final_cleanup) == (
        450,
        45,
        0,
        50,
    )
    load = split_run_budget(500, contracts=False)
    assert (load.contracts, load.load, load.load_reserve, load.final_cleanup) == (0, 500, 100, 0)


@pytest.mark.parametrize("total", [1, 2, 7, 9, 10, 11, 99, 400, 501, 20000])
@pytest.mark.parametrize(("contracts", "load"), [(True, True), (True, False), (False, True)])
def test_the_shares_add_up_to_the_budget_and_never_more(total: int, contracts: bool, load: bool) -> None:
    split = split_run_budget(total, contracts=contracts, load=load)
    assert split.contracts + split.load + split.final_cleanup == total
    assert sum(limit for limit in split.pools().values() if limit is not None) + split.final_cleanup == total
    assert all(limit is None or limit >= 0 for limit in split.pools().values())


# ---------------------------------------------------------------- the shared counter


def _draw_until_refused(path: str, pool: str) -> int:
    draw = SharedBudget(Path(path)).draw(pool, chunk=4)
    sent = 0
    while draw.take():
        sent += 1
    draw.close()
    return sent


def _take_a_chunk_and_die(path: str) -> None:
    draw = SharedBudget(Path(path)).draw(CONTRACTS, chunk=8)
    assert draw.take()
    os._exit(0)  # killed holding what it took: no close, no give-back


def test_processes_drawing_at_once_never_get_more_than_the_pool(tmp_path: Path) -> None:
    counter = SharedBudget.create(tmp_path / COUNTER_FILE, split_run_budget(1000, load=False))
    limit = counter.limit_of(CONTRACTS)
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        sent = pool.starmap(_draw_until_refused, [(str(counter.path), CONTRACTS)] * 6)
    assert sum(sent) == limit == 810
    assert counter.snapshot()["pools"][CONTRACTS]["used"] == limit


def test_a_process_that_dies_holding_requests_never_lets_the_run_exceed_its_budget(tmp_path: Path) -> None:
    counter = SharedBudget.create(tmp_path / COUNTER_FILE, split_run_budget(100, load=False))
    context = multiprocessing.get_context("spawn")
    dying = context.Process(target=_take_a_chunk_and_die, args=(str(counter.path),))
    dying.start()
    dying.join(timeout=60)
    assert dying.exitcode == 0
    taken_by_the_dead = counter.snapshot()["pools"][CONTRACTS]["used"]
    assert taken_by_the_dead >= 1
    survivor = _draw_until_refused(str(counter.path), CONTRACTS)
    assert survivor + taken_by_the_dead == counter.limit_of(CONTRACTS) == 81
    assert counter.snapshot()["used"] <= 100


def test_what_a_process_took_and_did_not_send_goes_back_when_it_closes(tmp_path: Path) -> None:
    counter = SharedBudget.create(tmp_path / COUNTER_FILE, split_run_budget(200, load=False))
    draw = counter.draw(CONTRACTS)
    for _ in range(3):
        assert draw.take()
    assert counter.snapshot()["pools"][CONTRACTS]["used"] > 3  # a chunk is taken at once
    draw.close()
    assert counter.snapshot()["pools"][CONTRACTS]["used"] == 3 == draw.sent


def test_an_existing_counter_keeps_the_split_the_run_made(tmp_path: Path) -> None:
    SharedBudget.create(tmp_path / COUNTER_FILE, split_run_budget(500))
    again = SharedBudget.create(tmp_path / COUNTER_FILE, split_run_budget(500, contracts=False))
    assert again.limit_of(CONTRACTS) == 270 and again.limit_of(LOAD) == 120


def test_a_clean_up_draw_uses_its_reserve_then_what_the_tests_left(tmp_path: Path) -> None:
    counter = SharedBudget.create(tmp_path / COUNTER_FILE, split_run_budget(100, load=False))
    tests = counter.draw(CONTRACTS)
    for _ in range(80):
        assert tests.take()
    tests.close()
    assert _draw_until_refused(str(counter.path), CONTRACTS_CLEANUP) == 9  # the reserve alone
    cleanup = counter.draw(CONTRACTS_CLEANUP, CONTRACTS)
    sent = 0
    while cleanup.take():
        sent += 1
    assert sent == 1  # the tests' one request left
    assert counter.snapshot()["used"] == 90  # the final clean-up's 10 are still there


def test_the_final_clean_up_gets_its_share_and_what_the_phases_left(tmp_path: Path) -> None:
    env = load_environment(ROOT / "environments" / "emulator.yaml")
    counter = SharedBudget.create(tmp_path / COUNTER_FILE, split_run_budget(100, load=False))
    tests = counter.draw(CONTRACTS)
    for _ in range(50):
        assert tests.take()
    tests.close()
    budget = final_cleanup_budget(tmp_path, env, workers=2)
    sent = 0
    with pytest.raises(BudgetExceeded, match="request budget spent"):
        for _ in range(1000):
            budget.spend()
            sent += 1
    assert sent == 50


def test_a_missing_or_broken_counter_sends_nothing(tmp_path: Path) -> None:
    budget = RequestBudget(shared=SharedBudget(tmp_path / COUNTER_FILE).draw(CONTRACTS))
    with pytest.raises(BudgetExceeded):
        budget.spend()
    (tmp_path / COUNTER_FILE).write_text("{not json")
    with pytest.raises(BudgetExceeded):
        budget.spend()


# ---------------------------------------------------------------- 503 retries


class _Site:
    """Scripted answers; every request is remembered."""

    def __init__(self, *answers: httpx.Response) -> None:
        self.answers = list(answers)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.answers[min(len(self.requests), len(self.answers)) - 1]


def _busy(retry_after: str = "0") -> httpx.Response:
    return httpx.Response(503, text="busy", headers={"Retry-After": retry_after})


def _xml_client(site: _Site, budget: RequestBudget) -> XmlClient:
    return XmlClient(
        XML_URL, Security("acme", "host", "pw"), http=httpx.Client(transport=httpx.MockTransport(site)), budget=budget
    )


def test_the_xml_client_retries_a_503_and_counts_every_attempt() -> None:
    site = _Site(_busy(), _busy(), httpx.Response(200, content=SUCCESS, headers={"content-type": "text/xml"}))
    budget = RequestBudget(max_requests=10)
    answer = _xml_client(site, budget).call("user", "CreateUser", {})  # not idempotent: a 503 is retried anyway
    assert answer.ok
    assert len(site.requests) == budget.used == 3


def test_the_xml_client_gives_up_after_three_retries() -> None:
    site = _Site(_busy())
    budget = RequestBudget(max_requests=10)
    answer = _xml_client(site, budget).call("meeting", "GetMeeting", {"meetingKey": "1"})
    assert not answer.ok and answer.http_status == 503
    assert len(site.requests) == budget.used == 1 + MAX_503_RETRIES


def test_a_503_retry_is_not_sent_when_the_budget_is_spent() -> None:
    site = _Site(_busy())
    with pytest.raises(BudgetExceeded):
        _xml_client(site, RequestBudget(max_requests=2)).call("meeting", "GetMeeting", {"meetingKey": "1"})
    assert len(site.requests) == 2


def test_the_rest_client_retries_a_503_and_counts_every_attempt() -> None:
    site = _Site(_busy(), httpx.Response(200, json={"id": "m1"}))
    budget = RequestBudget(max_requests=10)
    client = RestClient(
        "https://webexapis.com/v1", "tok", http=httpx.Client(transport=httpx.MockTransport(site)), budget=budget
    )
    answer = client.create({"title": "x"})
    assert answer.ok and answer.json == {"id": "m1"}
    assert len(site.requests) == budget.used == 2


def test_a_503_is_retried_after_its_retry_after_capped() -> None:
    waits: list[float] = []
    answers = iter([_busy("2"), _busy("3600"), _busy("soon"), httpx.Response(200)])
    budget = RequestBudget(max_requests=10)
    response = send_retrying_503(lambda: next(answers), budget, sleep=waits.append)
    assert response.status_code == 200
    assert waits == [2.0, MAX_503_WAIT, 1.0]
    assert budget.used == 3  # the three retries; the first request is its caller's


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after_seconds("0") == 0.0
    assert retry_after_seconds(None) == 1.0
    assert retry_after_seconds("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # long past
    assert retry_after_seconds("Fri, 01 Jan 2100 00:00:00 GMT") == MAX_503_WAIT


# ---------------------------------------------------------------- the cap at the server


def _served(emulator: RunningEmulator) -> int:
    """Every XML and REST request the emulator answered so far."""
    return int(httpx.get(emulator.base_url + "/_emulator/health", timeout=10).json()["requests"])


def _budget_env(tmp_path: Path, max_requests: int) -> Path:
    text = (ROOT / "environments" / "emulator.yaml").read_text()
    text = re.sub(r"(?m)^  max_requests: \d+", f"  max_requests: {max_requests}", text)
    path = tmp_path / "budget.yaml"
    path.write_text(text)
    return path


def _cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, Path]:
    """``webex-harness ARGS`` in this process (pytest and locust still run as subprocesses), its run
    folder under ``tmp_path``; the exit code and the run folder."""
    monkeypatch.setattr(webex_harness.runs.run_command, "Run", functools.partial(Run, root=tmp_path / "reports"))
    code = webex_harness.runs.cli.main(list(args))
    [run_dir] = (tmp_path / "reports").iterdir()
    return code, run_dir


def _summary(run_dir: Path) -> dict[str, Any]:
    return json.loads((run_dir / "summary.json").read_text())  # type: ignore[no-any-return]


def _free_costs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The plan would refuse a small budget before any request: make it believe the tests cost
    nothing, so the run starts and the cap itself is what stops it."""
    costs = json.loads((ROOT / "contracts" / "costs.json").read_text())
    for cost in costs["tests"].values():
        cost.update(emulator=0, site=0)
    (tmp_path / "free-costs.json").write_text(json.dumps(costs))
    monkeypatch.setenv("WEBEX_HARNESS_COSTS", str(tmp_path / "free-costs.json"))


def test_contracts_with_a_small_budget_never_send_more(
    emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _budget_env(tmp_path, 30)
    _free_costs(tmp_path, monkeypatch)
    before = _served(emulator)
    code, run_dir = _cli(
        tmp_path,
        monkeypatch,
        "contracts",
        "--env",
        str(env),
        "--emulator-url",
        emulator.base_url,
        "--behaviour",
        "list-paging",
        "--workers",
        "2",
    )
    served = _served(emulator) - before
    out = capsys.readouterr().out
    assert "budget: 30 requests — contracts 27 (clean-up reserve 2), final clean-up 3" in out
    assert 0 < served <= 30, out[-3000:]
    counter = read_counter(run_dir)
    assert counter is not None and counter["used"] <= 30
    assert counter["pools"][CONTRACTS]["used"] == counter["pools"][CONTRACTS]["limit"] == 25  # spent
    assert code == 1  # the tests the budget could not pay for did not pass
    assert _summary(run_dir)["budget"]["max_requests"] == 30


def test_load_with_two_processes_sends_no_more_than_the_budget_setup_and_clean_up_included(
    emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _budget_env(tmp_path, 40)
    # the run ends once the users have set up and spent most of the load's 32, not after a run time a busy
    # machine may spend starting two locust processes (the run time is only the upper bound)
    monkeypatch.setattr(
        load_runner,
        "run_load",
        functools.partial(load_runner.run_load, stop_when=seen("CreateMeeting (setup)", min_requests=20)),
    )
    before = _served(emulator)
    _, run_dir = _cli(
        tmp_path,
        monkeypatch,
        "load",
        "--env",
        str(env),
        "--emulator-url",
        emulator.base_url,
        "--processes",
        "2",
        "--users",
        "4",
        "--spawn-rate",
        "4",
        "--run-time",
        UPPER_BOUND,
        "--scenario",
        "dashboard",
    )
    served = _served(emulator) - before
    out = capsys.readouterr().out
    assert "budget: 40 requests — load 40 (clean-up reserve 8, shared by 2 locust processes)" in out
    load = json.loads((run_dir / "load.json").read_text())
    assert 0 < served <= 40, (served, load["total"])
    assert "CreateMeeting (setup)" in {row["name"] for row in load["apis"]}
    counter = read_counter(run_dir)
    assert counter is not None and served <= counter["used"] <= 40
    assert counter["pools"][LOAD]["used"] <= 32
    # whatever the tasks spent, the clean-up reserve paid for deleting everything the users created
    state = httpx.get(emulator.base_url + "/_emulator/sites/harness/state", timeout=10).json()
    prefix = f"wxh-{run_dir.name}-load"
    assert not [s["name"] for s in state["sessions"] if s["name"].startswith(prefix)]


def test_run_never_sends_more_than_the_budget_across_its_phases(
    emulator: RunningEmulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = _budget_env(tmp_path, 60)
    _free_costs(tmp_path, monkeypatch)
    before = _served(emulator)
    _, run_dir = _cli(
        tmp_path,
        monkeypatch,
        "run",
        "--env",
        str(env),
        "--emulator-url",
        emulator.base_url,
        "--behaviour",
        "email-lowercase",
        "--workers",
        "2",
        "--users",
        "2",
        "--spawn-rate",
        "2",
        "--run-time",
        "3s",
        "--scenario",
        "calls",
    )
    served = _served(emulator) - before
    out = capsys.readouterr().out
    line = (
        "budget: 60 requests — contracts 36 (clean-up reserve 3), load 18 (clean-up reserve 3), "
        "final clean-up 6 + what the phases leave"
    )
    assert line in out
    assert out.index(line) < out.index("== contract suites")  # said before any request
    assert 0 < served <= 60
    budget = _summary(run_dir)["budget"]
    assert budget["split"] == {
        "total": 60,
        "contracts": 36,
        "contracts_cleanup_reserve": 3,
        "load": 18,
        "load_cleanup_reserve": 3,
        "final_cleanup": 6,
    }
    assert budget["used"] <= 60 and budget["pools"][LOAD]["used"] <= 15


def test_a_load_whose_budget_share_ran_out_says_it_stopped_early_and_names_the_file(tmp_path: Path) -> None:
    env = load_environment(_budget_env(tmp_path, 500))
    counter = SharedBudget.create(tmp_path / COUNTER_FILE, split_run_budget(500, contracts=False))
    draw = counter.draw(LOAD)
    while draw.take():
        pass
    draw.close()
    cut = budget_cut(tmp_path, "20s", env)
    assert cut is not None and (cut["used"], cut["limit"]) == (400, 400)
    assert cut["note"] == (
        "load stopped early: its share of the budget is spent (400 of 400 requests) before its run time (20s) was "
        f"up, so its figures cover a shorter run — raise budget.max_requests in {env.path} for a longer load"
    )


def test_a_load_whose_budget_share_lasted_says_nothing(tmp_path: Path) -> None:
    env = load_environment(_budget_env(tmp_path, 500))
    assert budget_cut(tmp_path, "20s", env) is None  # no counter at all
    counter = SharedBudget.create(tmp_path / COUNTER_FILE, split_run_budget(500, contracts=False))
    draw = counter.draw(LOAD)
    assert draw.take()
    draw.close()
    assert budget_cut(tmp_path, "20s", env) is None
