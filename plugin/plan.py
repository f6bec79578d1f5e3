"""The plan of a contract run: which tests a profile selects, what they will cost, and whether that
fits the budget — known before the first request to the target.

Costs
    ``contracts/costs.json`` holds, per test node ID, the requests the test sends to the target
    (XML and REST, retries and the clean-up its own fixtures do included; the emulator's control
    API and the end-of-session clean-up not), measured by ``webex-harness costs --refresh``::

        {"contracts/test_site.py::test_getsite_answers": {"emulator": 1, "site": 1, "site_runs": true}}

    ``emulator`` on an emulator target, ``site`` in site mode against a stand-in site with every
    role declared and ``allow.destructive`` on (a test that skips there costs what it sent before
    skipping, usually 0), ``site_runs`` false when it skipped there, ``guards`` the switches
    (``destructive``/``lockout``) it needs. A test missing from the file is estimated: the median
    of its module's tests, else of all tests; the plan says how many were estimated.

    The key of a test is its contract ID (:func:`contract_id`): ``contracts/<file>::<name>`` from the
    test file's path under the shipped suites, whatever pytest's root directory and node IDs are (a
    ``pytest --pyargs webex_harness.contracts`` from any folder plans like ``webex-harness contracts``).
    A test outside the suites (a user's own, the project's own) has none: the plan and the profiles
    leave it alone.

Profiles
    ``full``      every test (the default on the emulator)
    ``standard``  every test but the generic catalogue edge cases (``api(name, "edge")`` tests
                  marked with no behaviour ID): every behaviour test, every API's valid envelope
    ``smoke``     per behaviour ID the cheapest test that runs on a site (by its ``site`` cost;
                  tests needing no ``allow`` switch first, then the node ID): at least one test per
                  behaviour, a few hundred requests (the default on a site)

The plan line, printed before the first request::

    plan: profile smoke (the default on a site) — 74 tests, ~310 requests estimated (+ 50 clean-up reserve), budget 500
"""

from __future__ import annotations

import functools
import json
import os
import re
import statistics
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webex_harness.environment.model import Environment
from webex_harness.plugin.suite_command import CONTRACTS_DIR, contract_pytest_command

COSTS_FILE = CONTRACTS_DIR / "costs.json"
#: an environment variable naming another costs file (your own site's measurements, a test's)
COSTS_VARIABLE = "WEBEX_HARNESS_COSTS"
PROFILES = ("smoke", "standard", "full")
#: the command that measures the costs again
REFRESH_COMMAND = "webex-harness costs --refresh"
#: share of the contracts' budget the pytest plugin keeps for the end-of-run clean-up
#: (mirrors :data:`plugin.budget.CLEANUP_SHARE`; a test keeps the two equal)
CLEANUP_SHARE = 0.1
_GUARDS = ("destructive", "lockout")


class ProfileError(ValueError):
    """An unknown profile name."""


def check_profile(name: str | None) -> str | None:
    """``name`` if it is a profile (or None); :class:`ProfileError` with one line otherwise."""
    if name is not None and name not in PROFILES:
        raise ProfileError(f"--profile {name!r}: unknown profile; choose one of {', '.join(PROFILES)}")
    return name


def default_profile(env: Environment) -> str:
    """``full`` on the emulator, ``smoke`` on a real site (it is shared and rate-limited)."""
    return "full" if env.is_emulator else "smoke"


def cost_kind(env: Environment) -> str:
    """Which measured cost applies to ``env``: ``emulator`` or ``site``."""
    return "emulator" if env.is_emulator else "site"


def contracts_budget(env: Environment, phase_split: Mapping[str, float] | None = None) -> int:
    """The requests the contract suites may send: ``budget.max_requests``, or the ``contracts``
    share of it when ``run`` splits the budget between its phases (``phase_split`` maps a phase to
    its fraction or, above 1, to its request count)."""
    total = env.budget.max_requests
    if not phase_split or "contracts" not in phase_split:
        return total
    share = phase_split["contracts"]
    return int(share) if share > 1 else int(total * share)


def cleanup_reserve(budget: int) -> int:
    return int(budget * CLEANUP_SHARE)


# ---------------------------------------------------------------- costs


@dataclass(frozen=True)
class RequestCost:
    """What one test costs on each kind of target."""

    emulator: int
    site: int
    site_runs: bool = True
    guards: tuple[str, ...] = ()

    def of(self, kind: str) -> int:
        return self.site if kind == "site" else self.emulator

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"emulator": self.emulator, "site": self.site, "site_runs": self.site_runs}
        if self.guards:
            out["guards"] = list(self.guards)
        return out


class CostsFileError(ValueError):
    """``contracts/costs.json`` cannot be read."""


def costs_path() -> Path:
    """``contracts/costs.json``, or the file ``$WEBEX_HARNESS_COSTS`` names."""
    return Path(os.environ.get(COSTS_VARIABLE) or COSTS_FILE)


def load_costs(path: Path | None = None) -> dict[str, RequestCost]:
    """The costs file (default :func:`costs_path`); an empty mapping when there is none (every test is
    then estimated)."""
    path = path or costs_path()
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return {
            nodeid: RequestCost(
                int(c["emulator"]), int(c["site"]), bool(c.get("site_runs", True)), tuple(c.get("guards", ()))
            )
            for nodeid, c in data["tests"].items()
        }
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CostsFileError(f"{path}: cannot read the test costs ({exc}); run {REFRESH_COMMAND}") from None


def costs_text(costs: Mapping[str, RequestCost], *, seed: int) -> str:
    """The costs file's text: sorted keys, one test a line — the same measurements give the same bytes."""
    lines = [
        f"  {json.dumps(nodeid)}: {json.dumps(costs[nodeid].to_dict(), sort_keys=True)}" for nodeid in sorted(costs)
    ]
    head = (
        f'{{\n "about": "requests each contract test sends to the target; measured by {REFRESH_COMMAND} '
        f'(seed {seed})",\n "tests": {{\n'
    )
    return head + ",\n".join(lines) + "\n }\n}\n"


CONTRACT_PREFIX = "contracts/"


def contract_id(path: Path | str, nodeid: str) -> str | None:
    """The ID of a contract test in ``contracts/costs.json`` — ``contracts/test_site.py::test_x[case]`` —
    from the path of its file (resolved, under the shipped suites) and the part of its node ID after
    the file; None for a test outside the suites (the plan and the profiles leave it alone)."""
    relative = _in_contracts(str(path))
    if relative is None:
        return None
    _, sep, rest = nodeid.partition("::")
    return f"{CONTRACT_PREFIX}{relative}{sep}{rest}"


def contract_id_of_nodeid(nodeid: str, roots: Sequence[Path]) -> str | None:
    """:func:`contract_id` of a bare node ID (what an xdist controller gets from its workers): its file
    is the first of ``roots``/``<file part>`` that exists (pytest makes a node ID relative to the
    root directory, or else to the collection argument it was found under)."""
    file_part = nodeid.partition("::")[0]
    for root in roots:
        candidate = root / file_part
        if file_part and candidate.is_file():
            return contract_id(candidate, nodeid)
    return None


@functools.cache
def _contracts_root() -> Path:
    return CONTRACTS_DIR.resolve()


@functools.lru_cache(maxsize=4096)
def _in_contracts(path: str) -> str | None:
    """``path`` relative to the shipped suites (``test_site.py``), or None when it is not under them."""
    try:
        return Path(path).resolve().relative_to(_contracts_root()).as_posix()
    except ValueError:
        return None


def module_of(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


# ---------------------------------------------------------------- selection


@dataclass(frozen=True)
class Candidate:
    """A collected test as the selection sees it."""

    nodeid: str
    behaviours: tuple[str, ...] = ()
    edge: bool = False
    guards: tuple[str, ...] = ()


def select(
    profile: str, tests: Sequence[Candidate], costs: Mapping[str, RequestCost], behaviours: Iterable[str] | None = None
) -> list[Candidate]:
    """The tests ``profile`` keeps, in collection order. ``behaviours``: the IDs in scope for
    ``smoke`` (default: every ID a test is marked with)."""
    check_profile(profile)
    if profile == "full":
        return list(tests)
    if profile == "standard":
        return [t for t in tests if t.behaviours or not t.edge]
    scope = set(behaviours) if behaviours else {b for t in tests for b in t.behaviours}
    estimates = Estimator(costs)
    chosen: set[str] = set()
    for bid in sorted(scope):
        marked = [t for t in tests if bid in t.behaviours]
        if not marked:
            continue

        def rank(t: Candidate) -> tuple[bool, bool, int, int, str]:
            known = costs.get(t.nodeid)
            runs = known.site_runs if known is not None else True
            return (
                not runs,
                bool(t.guards),
                estimates.cost(t.nodeid, "site"),
                estimates.cost(t.nodeid, "emulator"),
                t.nodeid,
            )

        chosen.add(min(marked, key=rank).nodeid)
    return [t for t in tests if t.nodeid in chosen]


class Estimator:
    """A test's cost: measured, else the median of its module, else of every measured test."""

    def __init__(self, costs: Mapping[str, RequestCost]) -> None:
        self.costs = costs
        self._medians: dict[tuple[str, str], int] = {}

    def known(self, nodeid: str) -> bool:
        return nodeid in self.costs

    def cost(self, nodeid: str, kind: str) -> int:
        found = self.costs.get(nodeid)
        if found is not None:
            return found.of(kind)
        module = module_of(nodeid)
        key = (module, kind)
        if key not in self._medians:
            counted = {n: c for n, c in self.costs.items() if kind != "site" or c.site_runs}
            values = [c.of(kind) for n, c in counted.items() if module_of(n) == module]
            values = values or [c.of(kind) for c in counted.values()]
            self._medians[key] = round(statistics.median(values)) if values else 0
        return self._medians[key]


# ---------------------------------------------------------------- the plan


@dataclass
class Plan:
    """What a contract run will do: the profile, the tests, the estimated requests."""

    profile: str
    default: bool
    kind: str
    tests: int
    requests: int
    estimated: int = 0
    refused_by_guards: int = 0
    budget: int | None = None
    env_target: str = "emulator"
    behaviours: list[str] = field(default_factory=list)

    @property
    def reserve(self) -> int:
        return cleanup_reserve(self.budget or 0)

    @property
    def fits(self) -> bool:
        return self.budget is None or self.requests + self.reserve <= self.budget

    def line(self) -> str:
        where = "the emulator" if self.env_target == "emulator" else "a site"
        why = f" (the default on {where})" if self.default else ""
        guess = f", {self.estimated} of them estimated (not in contracts/costs.json)" if self.estimated else ""
        if self.refused_by_guards:
            guess += f", {self.refused_by_guards} refused by allow.destructive/allow.lockout"
        budget = f" (+ {self.reserve} clean-up reserve), budget {self.budget}" if self.budget is not None else ""
        return (
            f"plan: profile {self.profile}{why} — {tests_text(self.tests)}{guess}, ~{self.requests} requests "
            f"estimated{budget}"
        )

    def refusal(self, source: str) -> str:
        """The one line of a plan that does not fit."""
        way = "use --profile smoke, or " if self.profile != "smoke" else ""
        return (
            f"plan does not fit the budget: profile {self.profile}, {tests_text(self.tests)}, ~{self.requests} "
            f"requests "
            f"estimated + {self.reserve} clean-up reserve > budget {self.budget}; {way}raise budget.max_requests "
            f"in {source}"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "profile": self.profile,
            "default": self.default,
            "kind": self.kind,
            "tests": self.tests,
            "requests": self.requests,
            "estimated": self.estimated,
            "budget": self.budget,
            "reserve": self.reserve if self.budget is not None else None,
            "target": self.env_target,
            "refused_by_guards": self.refused_by_guards,
            "behaviours": self.behaviours,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Plan:
        return cls(
            profile=str(data["profile"]),
            default=bool(data["default"]),
            kind=str(data["kind"]),
            tests=int(data["tests"]),
            requests=int(data["requests"]),
            estimated=int(data.get("estimated", 0)),
            refused_by_guards=int(data.get("refused_by_guards", 0)),
            budget=data.get("budget"),
            env_target=str(data.get("target", "emulator")),
            behaviours=list(data.get("behaviours", [])),
        )


def tests_text(count: int) -> str:
    return f"{count} test{'s' if count != 1 else ''}"


def sign_in_checks(env: Environment) -> int:
    """The AuthenticateUser requests a site run sends before its tests: one per declared account with a
    password (:mod:`client.signin_guard`), once per run."""
    accounts = [env.credentials.password, *(a.password for a in env.users.declared().values())]
    return sum(1 for password in accounts if password)


def make_plan(
    env: Environment,
    profile: str,
    default: bool,
    tests: Sequence[Candidate],
    costs: Mapping[str, RequestCost],
    budget: int | None,
) -> Plan:
    """The plan of running ``tests`` (already selected) against ``env``: tests a guard refuses
    (``allow.destructive``/``allow.lockout`` off) are skipped and cost nothing."""
    kind = cost_kind(env)
    estimator = Estimator(costs)
    requests = estimated = refused = 0
    for t in tests:
        guards = t.guards or (costs[t.nodeid].guards if t.nodeid in costs else ())
        if any(not getattr(env.allow, g) for g in guards if g in _GUARDS):
            refused += 1
            continue
        requests += estimator.cost(t.nodeid, kind)
        estimated += not estimator.known(t.nodeid)
    if tests and not env.is_emulator:
        requests += sign_in_checks(env)
    return Plan(
        profile,
        default,
        kind,
        len(tests),
        requests,
        estimated,
        refused,
        budget,
        "emulator" if env.is_emulator else "site",
        sorted({b for t in tests for b in t.behaviours}),
    )


def environment_source(env: Environment) -> str:
    return str(env.path) if env.path is not None else f"environment {env.name!r}"


# ---------------------------------------------------------------- budget spent mid-run

BUDGET_SPENT = "budget spent: "
#: skip reason prefix of a test whose request the site's safety rails refused (usage limit, REST pacing)
SAFETY_STOP = "safety stop: "
_USED = re.compile(r"(\d+) of (\d+) requests")


def budget_spent_line(
    reasons: Sequence[str], source: str, profile: str | None, used: tuple[int, int] | None = None
) -> str:
    """``budget spent after 412 of 500 requests: 37 tests skipped — raise budget.max_requests in <file> or use
    --profile smoke`` from the skip reasons of the tests the spent budget skipped."""
    first = reasons[0].removeprefix(BUDGET_SPENT) if reasons else ""
    if used is None:
        match = _USED.search(first)
        used = (int(match.group(1)), int(match.group(2))) if match else None
    when = f" after {used[0]} of {used[1]} requests" if used else f" ({first})" if first else ""
    way = " or use --profile smoke" if profile != "smoke" else ""
    count = len(reasons)
    return (
        f"budget spent{when}: {count} test{'s' if count != 1 else ''} skipped — raise budget.max_requests in "
        f"{source}{way}"
    )


def safety_stop_line(reasons: Sequence[str]) -> str:
    """``safety stop: 3 tests skipped — usage-limit safety: qa-host had 80 …`` from the skip reasons of
    the tests whose requests the usage-limit guard or the REST pacer refused."""
    first = reasons[0].removeprefix(SAFETY_STOP) if reasons else ""
    count = len(reasons)
    return f"safety stop: {count} test{'s' if count != 1 else ''} skipped — {first}"


# ---------------------------------------------------------------- the collection pass


class PlanError(RuntimeError):
    """The contract tests could not be collected."""


#: wall-clock bound of the collection pass (it takes a few seconds)
COLLECT_SECONDS = 120.0


def collect_plan(
    env: Environment, *, seed: int, profile: str | None, behaviours: Sequence[str] | None, budget: int
) -> Plan:
    """The plan of a contract run, from ``pytest --collect-only`` in a subprocess with the run's own
    selection options: no fixture runs, nothing is sent to the target."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="wxh-plan-") as tmp:
        out = Path(tmp) / "plan.json"
        cmd = contract_pytest_command(
            "--collect-only",
            "-q",
            "--assert=plain",
            "--seed",
            str(seed),
            "--plan-json",
            str(out),
            "--plan-budget",
            str(budget),
        )
        if env.path is not None:
            cmd += ["--env", str(env.path)]
        if profile:
            cmd += ["--profile", profile]
        for bid in behaviours or []:
            cmd += ["--behaviour", bid]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=COLLECT_SECONDS)
        except subprocess.TimeoutExpired:
            raise PlanError(f"collecting the contract tests took longer than {COLLECT_SECONDS:.0f}s") from None
        if not out.exists():
            lines = [line for line in (proc.stderr + proc.stdout).strip().splitlines() if line.strip()]
            raise PlanError(
                f"cannot collect the contract tests (pytest exit code {proc.returncode}): "
                f"{lines[-1] if lines else 'no output'}"
            )
        return Plan.from_dict(json.loads(out.read_text(encoding="utf-8")))
