"""``webex-harness costs --refresh``: measure what every contract test costs and rewrite
``contracts/costs.json`` (:mod:`plugin.plan` reads it), or the file ``$WEBEX_HARNESS_COSTS`` names — never
the costs file of an installed package (:func:`refresh_target`).

Two emulator subprocesses on loopback and, at the same time, two single-process pytest runs of every
contract test (``--profile full``, the same seed), one on each:

- **emulator**: the emulator target (a fresh site per test, as ``make test`` runs them);
- **site**: site mode against a stand-in on the other emulator (on a shared one, the emulator run's
  site churn would drop the stand-in while the site run waits out the REST rate limit) — a site
  created through the control API, described by a
  ``target: site`` environment file with every role declared (when the loader knows ``users:``),
  ``allow.destructive`` on, ``allow.lockout`` off and the documented limits on — as a real site sees
  the harness.

Each run's plugin counts the requests of each test (``costs-main.json`` in its run folder); a test's
site outcome says whether it runs on a site. Single-process runs keep the counts the same from run
to run (two xdist workers would share the stand-in and page through each other's meetings). The
file is written with sorted keys: the same measurements give the same bytes. It takes about a minute
(68–76 s measured on two cores busy with other work).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import secrets
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from webex_harness.client.xml_client import ControlClient
from webex_harness.environment.model import DEFAULT_ENVIRONMENT, Environment
from webex_harness.plugin.plan import BUDGET_SPENT, COSTS_FILE, COSTS_VARIABLE, RequestCost, costs_text, load_costs
from webex_harness.plugin.suite_command import PACKAGE_ROOT, contract_pytest_command
from webex_harness.workspace.results import read_results, results_path

#: wall-clock bound of each measuring run
RUN_SECONDS = 900.0
#: the roles a stand-in declares (``users:``), each a user of its site
ROLES = ("admin", "invitee", "outsider", "probe")
#: the documented limits a real site has on
SITE_LIMITS: dict[str, Any] = {"usage_limit_per_hour": 100, "rest_rate_limit_per_minute": 600}


class RefreshError(RuntimeError):
    """A measuring run did not produce its counts."""


@dataclass
class Measured:
    """One measuring run: per test its requests, outcome and guards."""

    requests: dict[str, int]
    outcomes: dict[str, str]
    guards: dict[str, list[str]]
    exit_code: int
    seconds: float


class RefreshReport(TypedDict):
    """What ``costs --refresh`` changed and measured (the command prints it)."""

    tests: int
    added: int
    removed: int
    changed: int
    seconds: float
    emulator_requests: int  # requests of every test on the emulator
    site_requests: int  # ... in site mode
    site_runs: int  # tests that ran in site mode
    failed: dict[str, list[str]]  # per run ("emulator", "site"): the node IDs that failed


def _loader_knows_roles() -> bool:
    return "users" in {f.name for f in dataclasses.fields(Environment)}


def write_stand_in(base_url: str, folder: Path) -> tuple[Path, dict[str, str]]:
    """Create a site on the emulator at ``base_url`` and a ``target: site`` file for it; the file
    and the variables its ``${VAR}`` references need."""
    control = ControlClient(base_url)
    users = [
        {
            "webExID": f"qa-{role}",
            "email": f"qa-{role}@example.com",
            "firstName": "Qa",
            "lastName": role.title(),
            **({"siteAdmin": True} if role == "admin" else {}),
        }
        for role in ("host", *ROLES)
    ]
    info = control.create_site(settings=SITE_LIMITS, users=users, name=f"costs-{secrets.token_hex(3)}")
    by_id = {u["webExID"]: u for u in info["users"]}
    variables = {"WXH_COSTS_TOKEN": info["rest_token"]}
    for role in ("host", *ROLES):
        variables[f"WXH_COSTS_{role.upper()}_USER"] = by_id[f"qa-{role}"]["webExID"]
        variables[f"WXH_COSTS_{role.upper()}_PASSWORD"] = by_id[f"qa-{role}"]["password"]
    lines = [
        "target: site",
        f"xml_url: {base_url}/WBXService/XMLService",
        f"rest_url: {base_url}/v1",
        f"site_name: {info['name']}",
        "credentials:",
        "  webExID: ${WXH_COSTS_HOST_USER}",
        "  password: ${WXH_COSTS_HOST_PASSWORD}",
        "  rest_token: ${WXH_COSTS_TOKEN}",
        "settings:",
        *(f"  {k}: {json.dumps(v)}" for k, v in SITE_LIMITS.items()),
    ]
    if _loader_knows_roles():
        lines.append("users:")
        for role in ROLES:
            # inside { } a placeholder must be quoted
            entry = f'webExID: "${{WXH_COSTS_{role.upper()}_USER}}", password: "${{WXH_COSTS_{role.upper()}_PASSWORD}}"'
            if role in ("invitee", "outsider"):
                entry += f", email: {by_id[f'qa-{role}']['email']}"
            lines.append(f"  {role}: {{{entry}}}")
    lines += [
        "allow:",
        "  destructive: true",
        "  lockout: false",
        "budget:",
        "  max_requests: 100000",
        "  max_seconds: 1800",
        "cleanup_prefix: wxh",
    ]
    path = folder / "stand-in.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path, variables


def _start(
    env_file: Path, emulator_url: str | None, run_dir: Path, seed: int, variables: dict[str, str]
) -> tuple[subprocess.Popen[str], float]:
    cmd = contract_pytest_command(
        "-q",
        "--seed",
        str(seed),
        "--env",
        str(env_file),
        "--run-dir",
        str(run_dir),
        "--profile",
        "full",
        "-p",
        "no:xdist",
    )
    if emulator_url:
        cmd += ["--emulator-url", emulator_url]
    log = open(run_dir.parent / f"{run_dir.name}.log", "w", encoding="utf-8")  # noqa: SIM115
    proc = subprocess.Popen(
        cmd,
        stdout=log,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **variables},
        start_new_session=True,
    )
    log.close()
    return proc, time.monotonic()


def _finish(proc: subprocess.Popen[str], started: float, run_dir: Path) -> Measured:
    try:
        code = proc.wait(timeout=RUN_SECONDS)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        raise RefreshError(f"the {run_dir.name} run took longer than {RUN_SECONDS:.0f}s") from None
    seconds = time.monotonic() - started
    costs_file = run_dir / "costs-main.json"
    if code not in (0, 1) or not costs_file.exists():
        tail = (run_dir.parent / f"{run_dir.name}.log").read_text(encoding="utf-8").strip().splitlines()[-1:]
        raise RefreshError(f"the {run_dir.name} run ended with pytest exit code {code}: {' '.join(tail)}")
    counted = json.loads(costs_file.read_text())
    outcomes: dict[str, str] = {}
    results = results_path(run_dir, "main")
    for r in read_results(results) if results.exists() else []:
        if r.reason.startswith(BUDGET_SPENT):  # a stop, not a measurement
            raise RefreshError(f"the {run_dir.name} run was stopped: {r.nodeid}: {r.reason}")
        if r.outcome != "passed" or r.nodeid not in outcomes:
            outcomes[r.nodeid] = r.outcome
    return Measured(
        {k: int(v["requests"]) for k, v in counted.items() if k != "<session>"},
        outcomes,
        {k: list(v.get("guards", [])) for k, v in counted.items()},
        code,
        seconds,
    )


def merge(emulator: Measured, site: Measured) -> dict[str, RequestCost]:
    """Per test of the emulator run: both costs, whether it ran on the site and its guards."""
    out: dict[str, RequestCost] = {}
    for nodeid, requests in emulator.requests.items():
        outcome = site.outcomes.get(nodeid, "skipped")
        out[nodeid] = RequestCost(
            requests, site.requests.get(nodeid, 0), outcome != "skipped", tuple(emulator.guards.get(nodeid, []))
        )
    return out


class RefreshTargetError(ValueError):
    """``costs --refresh`` has no file it may write (an installed package, no ``$WEBEX_HARNESS_COSTS``)."""


def refresh_target(package_root: Path | None = None) -> Path:
    """The file ``costs --refresh`` writes: the one ``$WEBEX_HARNESS_COSTS`` names (which the plans then
    read), else the suites' own ``costs.json`` — but only in a source checkout (the package folder beside
    the ``pyproject.toml`` that builds it): nothing is ever written into an installed package."""
    named = os.environ.get(COSTS_VARIABLE)
    if named:
        return Path(named)
    root = PACKAGE_ROOT if package_root is None else package_root
    if (root.parent / "pyproject.toml").is_file():
        return COSTS_FILE
    raise RefreshTargetError(
        f"costs --refresh: {COSTS_FILE} belongs to the installed package and is not rewritten; "
        f"set {COSTS_VARIABLE}=FILE to write the measurements to FILE (the plans then read it)"
    )


def refresh(path: Path = COSTS_FILE, *, seed: int = 1, log: Callable[[str], object] = print) -> RefreshReport:
    """Measure every test on the emulator and on a stand-in site and rewrite ``path``; what changed."""
    from webex_harness.emulator.server import start_subprocess

    before = load_costs(path) if path.exists() else {}
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="wxh-costs-") as tmp:
        work = Path(tmp)
        emulator = start_subprocess(DEFAULT_ENVIRONMENT, log_file=work / "emulator.log")
        # the stand-in gets an emulator of its own: the emulator run makes a site per test, and past
        # MAX_SITES the emulator drops the site idle longest — the stand-in, while the site run waits out
        # the REST rate limit (every later REST request of the site run was then a 401)
        host = start_subprocess(DEFAULT_ENVIRONMENT, log_file=work / "stand-in-emulator.log")
        procs: list[subprocess.Popen[str]] = []
        try:
            stand_in, variables = write_stand_in(host.base_url, work)
            runs: dict[str, tuple[subprocess.Popen[str], float]] = {}
            for name, env_file, url, extra in (
                ("emulator", DEFAULT_ENVIRONMENT, emulator.base_url, {}),
                ("site", stand_in, None, variables),
            ):
                (work / name).mkdir()
                runs[name] = _start(env_file, url, work / name, seed, extra)
                procs.append(runs[name][0])
            log(
                f"costs: measuring every contract test on the emulator and in site mode (stand-in site), "
                f"seed {seed}, in parallel …"
            )
            measured = {name: _finish(proc, t0, work / name) for name, (proc, t0) in runs.items()}
        finally:
            for proc in procs:
                if proc.poll() is None:
                    with contextlib.suppress(ProcessLookupError):
                        os.killpg(proc.pid, 9)
                    proc.wait()
            emulator.stop()
            host.stop()
    costs = merge(measured["emulator"], measured["site"])
    path.write_text(costs_text(costs, seed=seed), encoding="utf-8")
    changed = sorted(n for n in costs if n in before and before[n] != costs[n])
    report: RefreshReport = {
        "tests": len(costs),
        "added": len(set(costs) - set(before)),
        "removed": len(set(before) - set(costs)),
        "changed": len(changed),
        "seconds": round(time.monotonic() - started, 1),
        "emulator_requests": sum(c.emulator for c in costs.values()),
        "site_requests": sum(c.site for c in costs.values()),
        "site_runs": sum(c.site_runs for c in costs.values()),
        "failed": {name: sorted(n for n, o in m.outcomes.items() if o == "failed") for name, m in measured.items()},
    }
    return report
