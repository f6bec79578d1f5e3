"""The plan before the first request (issue 11): request costs, profiles, the plan line, refusing a
plan over budget, and tests skipped "budget spent" when the budget still runs out."""

from __future__ import annotations

import functools
import gc
import json
import os
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from webex_harness.environment.loader import load_environment
from webex_harness.plugin import plan as planning
from webex_harness.plugin.plan import Candidate, Plan, RequestCost
from webex_harness.webex.behaviours import ids as behaviour_ids
from webex_harness.workspace.budget import split_run_budget

ROOT = Path(__file__).resolve().parent.parent
SITE_EXAMPLE = ROOT / "environments" / "site.example.yaml"
SITE_EXAMPLE_VARIABLES = {
    "WEBEX_SITE": "acme",
    "WEBEX_USER": "qa-host",
    "WEBEX_PASSWORD": "pw-example",
    "WEBEX_REST_TOKEN": "token-example",
}


def _emulator_env() -> object:
    return load_environment(ROOT / "environments" / "emulator.yaml")


# ---------------------------------------------------------------- selection and estimates

COSTS = {
    "contracts/test_a.py::test_cheap_but_destructive": RequestCost(1, 1, True, ("destructive",)),
    "contracts/test_a.py::test_cheap_on_site": RequestCost(9, 2, True),
    "contracts/test_a.py::test_cheapest_but_skips_on_a_site": RequestCost(1, 0, False),
    "contracts/test_a.py::test_expensive": RequestCost(30, 30, True),
    "contracts/test_b.py::test_only_one": RequestCost(4, 4, True),
    "contracts/test_catalogue.py::test_edge[X-generic]": RequestCost(2, 2, True),
    "contracts/test_catalogue.py::test_edge[X-documented]": RequestCost(5, 5, True),
}
TESTS = [
    Candidate("contracts/test_a.py::test_cheap_but_destructive", ("alpha",), guards=("destructive",)),
    Candidate("contracts/test_a.py::test_cheap_on_site", ("alpha",)),
    Candidate("contracts/test_a.py::test_cheapest_but_skips_on_a_site", ("alpha",)),
    Candidate("contracts/test_a.py::test_expensive", ("alpha", "beta")),
    Candidate("contracts/test_b.py::test_only_one", ("gamma",)),
    Candidate("contracts/test_catalogue.py::test_edge[X-generic]", (), edge=True),
    Candidate("contracts/test_catalogue.py::test_edge[X-documented]", ("gamma",), edge=True),
]


def test_smoke_keeps_the_cheapest_site_runnable_unguarded_test_of_each_behaviour() -> None:
    kept = [t.nodeid for t in planning.select("smoke", TESTS, COSTS)]
    assert kept == [
        "contracts/test_a.py::test_cheap_on_site",
        "contracts/test_a.py::test_expensive",
        "contracts/test_b.py::test_only_one",
    ]
    assert [t.nodeid for t in planning.select("smoke", list(reversed(TESTS)), COSTS)] == list(reversed(kept))


def test_smoke_composes_with_behaviour_ids() -> None:
    kept = [t.nodeid for t in planning.select("smoke", [t for t in TESTS if "beta" in t.behaviours], COSTS, ["beta"])]
    assert kept == ["contracts/test_a.py::test_expensive"]


def test_standard_drops_only_the_generic_catalogue_edge_cases_and_full_keeps_everything() -> None:
    standard = [t.nodeid for t in planning.select("standard", TESTS, COSTS)]
    assert "contracts/test_catalogue.py::test_edge[X-generic]" not in standard
    assert len(standard) == len(TESTS) - 1
    assert planning.select("full", TESTS, COSTS) == TESTS


def test_unknown_profile_is_one_line() -> None:
    with pytest.raises(
        planning.ProfileError,
        match=r"^--profile 'quick': unknown profile; choose one of smoke, "
        r"standard, full$",
    ):
        planning.check_profile("quick")


def test_a_test_missing_from_the_costs_is_estimated_from_its_module_then_from_all() -> None:
    env = _emulator_env()
    tests = [
        Candidate("contracts/test_b.py::test_new"),
        Candidate("contracts/test_zzz.py::test_new"),
        Candidate("contracts/test_b.py::test_only_one"),
    ]
    plan = planning.make_plan(env, "full", True, tests, COSTS, 500)  # type: ignore[arg-type]
    # test_b's median is 4 (its only test); the median of all seven is 4
    assert (plan.tests, plan.estimated, plan.requests) == (3, 2, 4 + 4 + 4)
    assert "3 tests, 2 of them estimated (not in contracts/costs.json), ~12 requests estimated" in plan.line()


def test_tests_a_switch_refuses_cost_nothing(tmp_path: Path) -> None:
    env = load_environment(_site_example_copy(tmp_path))
    plan = planning.make_plan(env, "full", False, TESTS[:2], COSTS, 500)
    assert (plan.requests, plan.refused_by_guards, plan.kind) == (2 + 1, 1, "site")  # + the host's sign-in


def test_a_site_plan_counts_one_sign_in_per_declared_account_and_an_emulator_plan_none(tmp_path: Path) -> None:
    site = load_environment(_site_example_copy(tmp_path))
    assert planning.sign_in_checks(site) == 1  # the example file declares the host only
    cheap = [TESTS[1]]  # 9 requests on the emulator, 2 on a site
    assert planning.make_plan(_emulator_env(), "full", False, cheap, COSTS, 500).requests == 9  # type: ignore[arg-type]
    assert planning.make_plan(site, "full", False, cheap, COSTS, 500).requests == 2 + 1
    assert planning.make_plan(site, "full", False, [], COSTS, 500).requests == 0  # nothing to run: no sign-in


def test_plan_line_and_refusal_name_the_estimate_the_budget_and_the_way_out() -> None:
    plan = Plan("full", True, "site", 823, 2151, budget=500, env_target="site")
    assert plan.line() == (
        "plan: profile full (the default on a site) — 823 tests, ~2151 requests estimated "
        "(+ 50 clean-up reserve), budget 500"
    )
    assert not plan.fits
    assert plan.refusal("env.yaml") == (
        "plan does not fit the budget: profile full, 823 tests, ~2151 requests "
        "estimated + 50 clean-up reserve > budget 500; use --profile smoke, or raise "
        "budget.max_requests in env.yaml"
    )
    assert Plan("smoke", False, "site", 54, 450, budget=500).fits
    assert not Plan("smoke", False, "site", 54, 451, budget=500).fits


def test_contracts_budget_is_the_contracts_share() -> None:
    env = _emulator_env()
    total = env.budget.max_requests  # type: ignore[attr-defined]
    assert planning.contracts_budget(env, None) == total  # type: ignore[arg-type]
    assert planning.contracts_budget(env, {"contracts": 0.5, "load": 0.5}) == total // 2  # type: ignore[arg-type]
    assert planning.contracts_budget(env, {"contracts": 300}) == 300  # type: ignore[arg-type]


def test_budget_spent_line() -> None:
    reasons = ["budget spent: request budget spent: 412 of 500 requests"] * 37
    assert planning.budget_spent_line(reasons, "my.yaml", "full") == (
        "budget spent after 412 of 500 requests: 37 tests skipped — raise budget.max_requests in my.yaml or use "
        "--profile smoke"
    )
    assert planning.budget_spent_line(reasons[:1], "my.yaml", "smoke", (480, 500)) == (
        "budget spent after 480 of 500 requests: 1 test skipped — raise budget.max_requests in my.yaml"
    )


def test_the_cleanup_share_of_the_plan_is_the_plugins() -> None:
    from webex_harness.plugin.budget import CLEANUP_SHARE

    assert planning.CLEANUP_SHARE == CLEANUP_SHARE


def test_costs_text_is_sorted_and_reads_back(tmp_path: Path) -> None:
    text = planning.costs_text(dict(reversed(list(COSTS.items()))), seed=1)
    assert text == planning.costs_text(COSTS, seed=1)
    path = tmp_path / "costs.json"
    path.write_text(text)
    assert planning.load_costs(path) == COSTS
    keys = list(json.loads(text)["tests"])
    assert keys == sorted(keys)


def test_a_broken_costs_file_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "costs.json"
    path.write_text('{"tests": {"x": {"emulator": "many"}}}')
    with pytest.raises(planning.CostsFileError, match=r"cannot read the test costs .*costs --refresh"):
        planning.load_costs(path)


# ---------------------------------------------------------------- the committed costs file


@functools.cache
def _collected(*options: str) -> list[str]:
    """Node IDs ``pytest contracts --collect-only`` collects (one pass, a few seconds)."""
    command = [sys.executable, "-m", "pytest", "contracts", "--collect-only", "-q", "--assert=plain", *options]
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return [line for line in result.stdout.splitlines() if line.startswith("contracts/") and "::" in line]


def test_the_costs_file_covers_every_contract_test() -> None:
    costs = planning.load_costs(planning.COSTS_FILE)
    missing = [n for n in _collected("--profile", "full") if n not in costs]
    assert not missing, (
        f"{len(missing)} contract test(s) have no cost in contracts/costs.json (first: {missing[0]}): "
        f"run {planning.REFRESH_COMMAND} and commit contracts/costs.json"
    )


def _site_example_copy(tmp_path: Path) -> Path:
    text = SITE_EXAMPLE.read_text()
    for name, value in SITE_EXAMPLE_VARIABLES.items():  # still references (secrets must be), with defaults
        text = text.replace("${" + name + "}", "${" + name + ":-" + value + "}")
    path = tmp_path / "site.yaml"
    path.write_text(text)
    return path


def test_smoke_covers_every_behaviour_and_fits_the_example_sites_budget(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in SITE_EXAMPLE_VARIABLES.items():
        monkeypatch.setenv(name, value)
    env = load_environment(SITE_EXAMPLE)
    plan = planning.collect_plan(
        env, seed=1, profile=None, behaviours=None, budget=planning.contracts_budget(env, None)
    )
    assert (plan.profile, plan.default, plan.budget) == ("smoke", True, 1000)
    assert plan.fits, plan.line()
    # and within what `run` gives its contracts (60 %: the rest is the load's and the final clean-up's)
    run_share = split_run_budget(env.budget.max_requests, contracts=True, load=True).contracts
    assert Plan(plan.profile, True, "site", plan.tests, plan.requests, budget=run_share).fits, (plan.line(), run_share)
    assert plan.estimated == 0
    assert set(behaviour_ids()) <= set(plan.behaviours)
    assert plan.tests <= 2 * len(behaviour_ids())
    # where a behaviour has a test that runs on a site, smoke picked one that does
    costs = planning.load_costs(planning.COSTS_FILE)
    chosen = _collected("--profile", "smoke", "--env", str(SITE_EXAMPLE))
    assert len(chosen) == plan.tests
    assert all(n in costs for n in chosen)


# ---------------------------------------------------------------- the command line and the plugin


class ConnectionCounter:
    """A loopback listener that counts the connections made to it (and answers nothing)."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[ConnectionCounter]:
    counter = ConnectionCounter()
    try:
        yield counter
    finally:
        counter.close()


SITE = """target: site
xml_url: http://127.0.0.1:{port}/WBXService/XMLService
rest_url: http://127.0.0.1:{port}/v1
site_name: acme
credentials:
  webExID: ${{WXH_PLAN_USER:-host}}
  password: ${{WXH_PLAN_PASSWORD:-x}}
  rest_token: ${{WXH_PLAN_TOKEN:-y}}
budget:
  max_requests: {budget}
"""


def _cli(*args: str, env: dict[str, str] | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "webex_harness.runs.cli", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )


def test_a_plan_over_budget_is_refused_with_one_line_before_any_request(
    tmp_path: Path, listener: ConnectionCounter
) -> None:
    env_file = tmp_path / "small.yaml"
    env_file.write_text(SITE.format(port=listener.port, budget=60))
    result = _cli("contracts", "--env", str(env_file))
    assert result.returncode == 2, result.stdout + result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("webex-harness: plan does not fit the budget: profile smoke, ")
    # the contracts' share: 90 % of the 60
    assert "> budget 54" in line and f"raise budget.max_requests in {env_file}" in line
    plan_lines = [x for x in result.stdout.splitlines() if x.startswith("plan: ")]
    assert plan_lines and plan_lines[0].startswith("plan: profile smoke (the default on a site) — ")
    assert "run " not in result.stdout, "no run was started"
    assert listener.connections == 0, "nothing was sent to the target"


def test_unknown_profile_exits_2_with_one_line() -> None:
    result = _cli("contracts", "--profile", "quick")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "webex-harness: --profile 'quick': unknown profile; choose one of smoke, standard, full"
    ]


@pytest.mark.parametrize("xdist", [[], ["-n", "2"]], ids=["one-process", "xdist"])
def test_plain_pytest_prints_the_plan_and_refuses_over_budget(
    tmp_path: Path, listener: ConnectionCounter, xdist: list[str]
) -> None:
    env_file = tmp_path / "small.yaml"
    env_file.write_text(SITE.format(port=listener.port, budget=60))
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "contracts", "-q", "--env", str(env_file), *xdist],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    output = result.stdout + result.stderr
    assert result.returncode == pytest.ExitCode.USAGE_ERROR, output[-3000:]
    assert "plan: profile smoke (the default on a site) — " in output
    assert "ERROR: plan does not fit the budget: profile smoke" in output
    assert " passed" not in output and " failed" not in output
    assert listener.connections == 0


@pytest.fixture
def in_tmp_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """``webex-harness`` in this process with its run folders under tmp_path."""
    import webex_harness.runs.run_command
    from webex_harness.workspace.run_folder import Run

    monkeypatch.setattr(webex_harness.runs.run_command, "Run", functools.partial(Run, root=tmp_path / "reports"))
    return tmp_path / "reports"


# The run's tiny clean-up reserve leaves objects behind, and the runner's clean-up of them leaves its control
# client's connection to the (stopped) emulator to the garbage collector: collected here, not in a later test.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_spent_budget_skips_the_remaining_tests_and_exits_1_with_one_line(
    tmp_path: Path, in_tmp_reports: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from webex_harness.runs.cli import main

    # no measured costs: every estimate is 0, so the plan fits and the budget runs out mid-run
    empty = tmp_path / "costs.json"
    empty.write_text('{"tests": {}}')
    monkeypatch.setenv(planning.COSTS_VARIABLE, str(empty))
    env_file = tmp_path / "tiny.yaml"
    env_file.write_text(
        (ROOT / "environments" / "emulator.yaml").read_text().replace("max_requests: 60000", "max_requests: 20")
    )
    assert "max_requests: 20\n" in env_file.read_text()
    code = main(["contracts", "--env", str(env_file), "--behaviour", "email-lowercase", "--workers", "2"])
    gc.collect()
    out, err = capsys.readouterr()
    assert code == 1, out[-3000:] + err
    last = err.strip().splitlines()[-1]
    assert last.startswith("webex-harness: budget spent after "), err
    assert f"tests skipped — raise budget.max_requests in {env_file} or use --profile smoke" in last
    [run_dir] = in_tmp_reports.iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["profile"] == "full" and summary["plan"]["budget"] == 18  # the contracts share: 90 % of 20
    assert summary["tests"]["failed"] == 0, summary["verdict"]
    skipped = [t for b in summary["behaviours"] for t in b["tests"] if t["outcome"] == "skipped"]
    assert skipped and all(t["reason"].startswith("budget spent: ") for t in skipped)
    assert summary["tests"]["passed"] >= 1, "the budget was spent after some tests ran"


def test_a_smoke_run_names_its_profile_in_the_report(in_tmp_reports: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from webex_harness.runs.cli import main

    code = main(["contracts", "--profile", "smoke", "--behaviour", "email-lowercase", "--workers", "1"])
    out, err = capsys.readouterr()
    assert code == 0, out[-3000:] + err
    plan_line = [x for x in out.splitlines() if x.startswith("plan: ")]
    assert len(plan_line) == 1 and plan_line[0].startswith("plan: profile smoke — 1 test, ~"), out
    [run_dir] = in_tmp_reports.iterdir()
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["profile"] == "smoke"
    assert summary["tests"] == {"passed": 1, "failed": 0, "skipped": 0}
    assert "**Profile:** smoke — 1 test," in (run_dir / "summary.md").read_text()
    assert "Profile: smoke — 1 test," in (run_dir / "summary.html").read_text()


def test_refresh_merges_both_runs_per_test() -> None:
    from webex_harness.runs.costs import Measured, merge

    emulator = Measured(
        {"contracts/t.py::a": 3, "contracts/t.py::b": 5, "contracts/t.py::c": 2},
        {"contracts/t.py::a": "passed", "contracts/t.py::b": "passed", "contracts/t.py::c": "passed"},
        {"contracts/t.py::c": ["destructive"]},
        0,
        1.0,
    )
    site = Measured(
        {"contracts/t.py::a": 4, "contracts/t.py::b": 0},
        {"contracts/t.py::a": "passed", "contracts/t.py::b": "skipped"},
        {},
        0,
        1.0,
    )
    assert merge(emulator, site) == {
        "contracts/t.py::a": RequestCost(3, 4, True),
        "contracts/t.py::b": RequestCost(5, 0, False),
        "contracts/t.py::c": RequestCost(2, 0, False, ("destructive",)),
    }


def test_any_budget_exceeded_in_the_chain_is_a_spent_budget() -> None:
    from webex_harness.client.xml_client import BudgetExceeded
    from webex_harness.plugin.budget import budget_exception

    class UsageStop(BudgetExceeded):
        """What a guard that subclasses BudgetExceeded raises."""

    stop = UsageStop("usage limit margin reached for qa-host\nsecond line")
    try:
        try:
            raise stop
        except UsageStop as exc:
            raise AssertionError("a test's own wrapping") from exc
    except AssertionError as wrapped:
        assert budget_exception(wrapped) is stop
    assert budget_exception(ValueError("no")) is None
    assert budget_exception(None) is None
