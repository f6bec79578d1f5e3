"""The 403 rate-limit probe: how many "no data found" failures an hour block a user (``usage-limit-403``).

001 (40.4.5, 40.8.0): a user whose GetSessionInfo / GetUserCard calls reach the usage limit within
one hour with "no data found" errors is blocked from those two APIs for two hours (HTTP 403); the
documentation gives no number. The probe measures it and writes ``probe.json``::

    {"threshold", "requests_sent", "probes": [...], "block_verified", "covers_user_card",
     "other_apis_work", "lift_verified", "elapsed_s",
     "mode", "target", "site", "declared_limit", "verification", "stopped", "budget"}

**A probe** of count ``c`` takes a fresh user and sends GetSessionInfo for unknown session keys,
one at a time, at most ``c + 1`` of them, and stops at the first ``HTTP 403``. Every answer before
it must be a "no data found" FAILURE (anything else stops the run). A 403 at request ``j`` means
``j - 1`` failures blocked the user (an upper bound ``hi = j - 1``); ``c + 1`` failures with no
403 mean ``c`` failures did not (a lower bound ``lo = c``). A user is blocked from the request
*after* the one that reaches the limit, so a probe sends at most one request past the limit.

**The search** (emulator): doubling ``c = 1, 2, 4, …`` until a probe is blocked, then bisection
between ``lo`` and ``hi`` until ``hi - lo == 1``; the threshold is ``hi``. On a site that counts
exactly, the first 403 already pins the threshold; the bisection then confirms, each time with a
fresh user, that fewer failures do not block (it guards against a block that lags its count).

**The verification** (emulator, one more fresh user): ``threshold`` failures block it without a
403; GetSite and GetMe still work; the site clock is moved to 1 h 59 min later and GetUserCard
answers 403 (the block covers GetUserCard, and still holds); one minute later GetSessionInfo
answers its FAILURE again (the block lifted after two hours). The verification user, too, gets
one request past the limit.

**A real site** (``target: site``) is probed only with ``allow.lockout: true`` and a
``users.probe`` in the environment file — both checked before any connection — and only once: a
single run with the probe user up to the first 403, at most ``budget.max_requests - 3`` requests
(no doubling, no bisection), then GetSite and GetMe (other APIs work) and GetUserCard (403: the
block covers it; a second request past the limit for that user). The clock cannot be moved, so
``lift_verified`` is ``null``: the probe user stays blocked for two hours.

Every request counts against ``budget.max_requests`` / ``budget.max_seconds``; a probe that would
not fit into what is left is not started (``stopped`` says why).
"""

from __future__ import annotations

import json
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from webex_harness.client.site_safety import install_site_safety
from webex_harness.client.usage_guard import UsageGuard
from webex_harness.client.xml_client import BudgetExceeded, ControlClient, RequestBudget, XmlClient
from webex_harness.environment.model import AUTO, XML_SERVICE_PATH, Environment
from webex_harness.webex.envelope import Security, XmlResponse
from webex_harness.webex.masking import SecretSet

__all__ = ["NO_DATA", "ProbeError", "ProbeRefused", "ProbeResult", "check_allowed", "probe_cli", "run_probe"]

#: exceptionIDs that mean "no data found" (as emulator/usage_limit.py counts them)
NO_DATA = frozenset({"000015", "060001", "030001"})
#: requests kept back from the budget for the checks after the search or the confirming run
VERIFY_RESERVE = 3
#: requests of the emulator's verification besides its ``threshold`` failures (at most)
VERIFY_CHECKS = 5
#: the block lasts two hours (001, 40.8.0); the verification looks one minute before and at its end
BLOCK_SECONDS = 2 * 3600
BEFORE_LIFT = 60
PROBE_JSON = "probe.json"


class ProbeRefused(RuntimeError):
    """The probe may not run against this environment. ``str()`` is one line naming the switch."""


class ProbeError(RuntimeError):
    """The target answered something the probe cannot interpret (one line)."""


@dataclass(slots=True)
class Probe:
    """One probe: a fresh user, up to ``count + 1`` no-data requests, stopped at the first 403."""

    phase: str
    count: int
    user: str
    sent: int = 0
    failures: int = 0
    forbidden_at: int | None = None

    @property
    def blocked(self) -> bool:
        return self.forbidden_at is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase,
            "count": self.count,
            "user": self.user,
            "sent": self.sent,
            "failures": self.failures,
            "forbidden_at": self.forbidden_at,
            "blocked": self.blocked,
        }


@dataclass(slots=True)
class ProbeResult:
    """What the probe found (the ``probe.json`` record) and where it was written."""

    mode: str
    target: str
    site: str
    declared_limit: int
    threshold: int | None = None
    requests_sent: int = 0
    probes: list[Probe] = field(default_factory=list)
    block_verified: bool = False
    covers_user_card: bool | None = None
    other_apis_work: bool | None = None
    lift_verified: bool | None = None
    elapsed_s: float = 0.0
    verification: dict[str, Any] = field(default_factory=dict)
    stopped: str | None = None
    max_requests: int = 0
    path: Path | None = None
    #: a site's probe user's "no data found" failures of the last hour that earlier runs of this workspace
    #: recorded (client.usage_guard): part of the threshold, spent before the probe's first request
    prior_failures: int = 0

    @property
    def ok(self) -> bool:
        """Threshold found, block seen on both APIs, other APIs fine, and no failed lift check."""
        return (
            self.threshold is not None
            and self.block_verified
            and self.covers_user_card is True
            and self.other_apis_work is True
            and self.lift_verified is not False
            and self.stopped is None
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "requests_sent": self.requests_sent,
            "probes": [p.to_dict() for p in self.probes],
            "block_verified": self.block_verified,
            "covers_user_card": self.covers_user_card,
            "other_apis_work": self.other_apis_work,
            "lift_verified": self.lift_verified,
            "elapsed_s": round(self.elapsed_s, 3),
            "mode": self.mode,
            "target": self.target,
            "site": self.site,
            "declared_limit": self.declared_limit,
            "verification": self.verification,
            "stopped": self.stopped,
            "prior_failures": self.prior_failures,
            "budget": {"max_requests": self.max_requests, "used": self.requests_sent},
        }

    def summary(self) -> str:
        """One line for the terminal."""
        found = f"threshold {self.threshold}" if self.threshold is not None else "threshold not found"
        checks = (
            f"block {_yes(self.block_verified)}, GetUserCard {_yes(self.covers_user_card)}, "
            f"other APIs {_yes(self.other_apis_work)}, lift {_yes(self.lift_verified)}"
        )
        tail = f"; stopped: {self.stopped}" if self.stopped else ""
        prior = (
            f"; {self.prior_failures} of them spent in the last hour by earlier runs of this workspace"
            if self.prior_failures
            else ""
        )
        where = f"site {self.site}" if self.target == "site" else f"{self.target} site {self.site}"
        return (
            f"probe ({self.mode}, {where}): {found} (declared "
            f"{self.declared_limit}{prior}); {checks}; {len(self.probes)} probe(s), {self.requests_sent} "
            f"request(s) in {self.elapsed_s:.1f}s{tail}"
        )


def _yes(value: bool | None) -> str:
    return {True: "ok", False: "FAILED", None: "not checked"}[value]


# ---------------------------------------------------------------- the guard


def check_allowed(env: Environment) -> None:
    """Refuse a real site unless ``allow.lockout`` is on and ``users.probe`` is set (no connection)."""
    if env.is_emulator:
        return
    source = env.path if env.path is not None else f"environment {env.name!r}"
    if not env.allow.lockout:
        raise ProbeRefused(
            f"refused: the 403 probe locks a user of {env.site_name} out for two hours; "
            f"set allow.lockout: true in {source}"
        )
    if env.users.probe is None:
        raise ProbeRefused(
            f"refused: users.probe is not set in {source}: the 403 probe needs an expendable "
            "user (users.probe: webExID, password) it may lock out for two hours"
        )


# ---------------------------------------------------------------- one probe


def _unknown_key() -> str:
    """A session key no site should have (random, 9 digits, starting with 9)."""
    return "9" + "".join(secrets.choice("0123456789") for _ in range(8))


def _session_info(client: XmlClient) -> XmlResponse:
    return client.call("ep", "GetSessionInfo", {"sessionKey": _unknown_key()})


def _is_no_data(response: XmlResponse) -> bool:
    return response.http_status == 200 and response.result == "FAILURE" and response.exception_id in NO_DATA


def _forbidden(response: XmlResponse) -> bool:
    return response.http_status == 403


def run_one(client: XmlClient, probe: Probe, limit: int | None = None) -> Probe:
    """Send up to ``limit`` (default ``count + 1``) no-data GetSessionInfo requests; stop at the first 403."""
    for index in range(1, (limit or probe.count + 1) + 1):
        response = _session_info(client)
        probe.sent += 1
        if _forbidden(response):
            probe.forbidden_at = index
            return probe
        if not _is_no_data(response):
            raise ProbeError(
                f"GetSessionInfo for an unknown key answered {response.describe()} "
                f"(request {index} of probe {probe.count}, user {probe.user})"
            )
        probe.failures += 1
    return probe


# ---------------------------------------------------------------- the search (emulator)


@dataclass
class _Users:
    """Fresh probe users of an emulator site, handed out one per probe."""

    clients: list[XmlClient]
    used: int = 0

    def next(self) -> XmlClient:
        if self.used >= len(self.clients):
            raise ProbeError(f"out of fresh probe users ({len(self.clients)} created)")
        client = self.clients[self.used]
        self.used += 1
        return client


def users_needed(max_requests: int) -> int:
    """Doubling and bisection each take at most ``bit_length(max_requests) + 1`` probes; +1 to verify."""
    return 2 * (max_requests.bit_length() + 1) + 1


def search(users: _Users, budget: RequestBudget, result: ProbeResult) -> int | None:
    """Doubling, then bisection; the threshold or ``None`` (``result.stopped`` says why)."""
    lo, hi = 0, None
    count = 1
    while hi is None:
        probe = _next_probe(users, budget, result, "double", count)
        if probe is None:
            return None
        if probe.blocked:
            hi = (probe.forbidden_at or 1) - 1
        else:
            lo, count = count, count * 2
    while hi - lo > 1:
        mid = (lo + hi) // 2
        probe = _next_probe(users, budget, result, "bisect", mid)
        if probe is None:
            return None
        if probe.blocked:
            hi = min(hi, (probe.forbidden_at or 1) - 1)
        else:
            lo = mid
        if hi <= lo:
            break
    if hi <= lo or hi < 1:
        result.stopped = f"inconsistent answers: {lo} failure(s) did not block a fresh user but {hi} did"
        return None
    return hi


def _next_probe(users: _Users, budget: RequestBudget, result: ProbeResult, phase: str, count: int) -> Probe | None:
    left = budget.max_requests - budget.used
    if left < count + 1 + VERIFY_RESERVE:
        result.stopped = (
            f"budget: a probe of {count} needs {count + 1} requests (+{VERIFY_RESERVE} kept for "
            f"the checks); {left} of budget.max_requests {budget.max_requests} are left"
        )
        return None
    client = users.next()
    probe = Probe(phase, count, client.security.webex_id or "?")
    result.probes.append(probe)
    run_one(client, probe)
    return probe


def verify_emulator(client: XmlClient, control: ControlClient, site: str, threshold: int) -> dict[str, Any]:
    """Block a fresh user with ``threshold`` failures and check scope, GetUserCard and the lift."""
    checks: dict[str, Any] = {"user": client.security.webex_id}
    probe = run_one(client, Probe("verify", threshold, client.security.webex_id or "?"), limit=threshold)
    checks["early_403"] = probe.forbidden_at
    checks["reproduced"] = probe.forbidden_at is None and probe.failures == threshold
    checks.update(_other_apis(client))
    control.advance_clock(site, BLOCK_SECONDS - BEFORE_LIFT)
    card = _own_card(client)
    checks["user_card_before_lift"] = card.http_status
    checks["covers_user_card"] = _forbidden(card)
    if checks["covers_user_card"]:
        checks["blocked_before_lift"] = True
    else:  # GetUserCard was not blocked: see whether GetSessionInfo still is
        checks["blocked_before_lift"] = _forbidden(_session_info(client))
    control.advance_clock(site, BEFORE_LIFT)
    after = _session_info(client)
    checks["session_info_after_lift"] = after.http_status if not _is_no_data(after) else after.exception_id
    checks["lifted"] = _is_no_data(after)
    return checks


def _other_apis(client: XmlClient) -> dict[str, Any]:
    site = client.call("site", "GetSite", {})
    me = client.call("user", "GetMe", {})
    return {"get_site": site.describe(), "get_me": me.describe(), "other_apis_work": site.ok and me.ok}


def _own_card(client: XmlClient) -> XmlResponse:
    return client.call("user", "GetUserCard", {"webExId": client.security.webex_id or ""})


# ---------------------------------------------------------------- run


def _base_url(environment: Environment, emulator_base_url: str | None) -> str:
    if emulator_base_url:
        return emulator_base_url.rstrip("/")
    if environment.xml_url == AUTO:
        raise ProbeError("the emulator environment has xml_url: auto: start the emulator and pass its base URL")
    parts = urlsplit(environment.xml_url)
    return f"{parts.scheme}://{parts.netloc}"


def run_probe(environment: Environment, out_dir: Path, *, emulator_base_url: str | None) -> ProbeResult:
    """Probe the usage limit of ``environment`` and write ``out_dir/probe.json``.

    Raises :class:`ProbeRefused` (before any connection) for a real site without ``allow.lockout``
    or ``users.probe``, and :class:`ProbeError` when the emulator's URL is unknown.
    """
    check_allowed(environment)
    started = time.monotonic()
    budget = RequestBudget(environment.budget.max_requests, environment.budget.max_seconds)
    with httpx.Client(timeout=15.0) as http:
        safety = install_site_safety(http, environment, reports_root=out_dir.parent)  # counts the probe's too
        if environment.is_emulator or safety is None:
            result = _probe_emulator(environment, _base_url(environment, emulator_base_url), http, budget)
        else:
            result = _probe_site(environment, http, budget, safety.guard)
    result.requests_sent = budget.used
    result.max_requests = budget.max_requests
    result.elapsed_s = time.monotonic() - started
    out_dir.mkdir(parents=True, exist_ok=True)
    result.path = out_dir / PROBE_JSON
    text = json.dumps(result.to_dict(), indent=2)
    result.path.write_text(SecretSet(environment.secrets()).mask(text) + "\n", encoding="utf-8")
    return result


def _guarded(result: ProbeResult, step: Callable[[], None]) -> None:
    """Run ``step``; a spent budget or an odd answer stops the probe with the reason recorded."""
    try:
        step()
    except (BudgetExceeded, ProbeError) as exc:
        result.stopped = str(exc)


def _probe_emulator(env: Environment, base: str, http: httpx.Client, budget: RequestBudget) -> ProbeResult:
    control = ControlClient(base, http)
    users = [{"webExID": f"{env.cleanup_prefix}-probe-{i:03d}"} for i in range(users_needed(budget.max_requests))]
    info = control.create_site(settings=env.settings.to_dict(), users=users)
    xml_url = base + XML_SERVICE_PATH
    clients = [
        XmlClient(xml_url, Security(info["name"], u["webExID"], u["password"]), http=http, budget=budget)
        for u in info["users"]
    ]
    result = ProbeResult("search", "emulator", info["name"], env.settings.usage_limit_per_hour)
    pool = _Users(clients)

    def step() -> None:
        result.threshold = search(pool, budget, result)
        if result.threshold is None:
            return
        last = next(p for p in reversed(result.probes) if p.blocked)
        left = budget.max_requests - budget.used
        if left < result.threshold + VERIFY_CHECKS:
            raise ProbeError(f"budget: verifying needs {result.threshold + VERIFY_CHECKS} requests, {left} are left")
        checks = verify_emulator(pool.next(), control, info["name"], result.threshold)
        result.verification = checks
        result.block_verified = last.forbidden_at == result.threshold + 1 and bool(checks["reproduced"])
        result.other_apis_work = bool(checks["other_apis_work"])
        result.covers_user_card = bool(checks["covers_user_card"])
        result.lift_verified = bool(checks["blocked_before_lift"] and checks["lifted"])

    _guarded(result, step)
    return result


def _probe_site(env: Environment, http: httpx.Client, budget: RequestBudget, guard: UsageGuard) -> ProbeResult:
    """One run of "no data found" requests to the first 403. The failures earlier runs of this workspace
    recorded for the probe user in the last hour count towards the threshold (the site counts them too); a
    user the site blocked within the last two hours is not probed (it would only answer 403s)."""
    user = env.users.probe
    assert user is not None  # check_allowed
    client = XmlClient(
        env.xml_url,
        Security(env.site_name, user.webex_id, user.password),
        http=http,
        budget=budget,
        secrets=SecretSet(env.secrets()),
    )
    result = ProbeResult("confirm", "site", env.site_name, env.settings.usage_limit_per_hour)
    standing = guard.standing(env.site_name, user.webex_id)
    result.prior_failures = len(standing.failures)

    def step() -> None:
        if standing.blocked_at is not None:
            until = time.strftime("%H:%M UTC", time.gmtime(standing.blocked_at + BLOCK_SECONDS))
            result.stopped = (
                f"{user.webex_id} is blocked by the site's usage limit (an earlier run met its 403): probing now "
                f"would only see 403s — wait until {until}"
            )
            return
        limit = budget.max_requests - VERIFY_RESERVE
        if limit < 2:
            raise ProbeError(f"budget.max_requests {budget.max_requests} leaves no room for a probe")
        probe = Probe("confirm", limit - 1, user.webex_id)
        result.probes.append(probe)
        run_one(client, probe, limit=limit)
        if not probe.blocked:
            result.stopped = f"no 403 within {probe.sent} no-data requests: the limit is at least {probe.sent}"
            return
        result.threshold = result.prior_failures + (probe.forbidden_at or 1) - 1
        result.block_verified = result.threshold >= 1
        checks = _other_apis(client)
        card = _own_card(client)
        checks["covers_user_card"] = _forbidden(card)
        result.verification = {
            "user": user.webex_id,
            **checks,
            "note": "the site clock cannot be moved: the probe user stays blocked two hours",
        }
        result.other_apis_work = bool(checks["other_apis_work"])
        result.covers_user_card = bool(checks["covers_user_card"])

    _guarded(result, step)
    return result


# ---------------------------------------------------------------- command line


def probe_cli(env_path: str | None, *, reports: Path | None = None) -> int:
    """``webex-harness probe``: load the environment, (start the emulator,) probe, write
    ``reports/<run-id>/probe.json`` (``reports`` overrides the reports folder), print a summary.
    Exit code 0 all verified, 1 not (or the probe failed), 2 refused or a bad environment file."""
    from webex_harness.emulator.server import start_subprocess
    from webex_harness.environment.errors import EnvironmentFileError
    from webex_harness.environment.loader import load_environment, resolve_environment_path
    from webex_harness.workspace.run_folder import Run

    try:
        env = load_environment(resolve_environment_path(env_path))
        check_allowed(env)
    except (EnvironmentFileError, ProbeRefused) as exc:
        print(f"webex-harness: {exc}", file=sys.stderr)
        return 2
    running = None
    base: str | None = None
    try:
        if env.is_emulator and env.needs_urls:
            running = start_subprocess(env.path)
            base = running.base_url
            env = env.with_urls(running.xml_url, running.rest_url)
        run = Run(env) if reports is None else Run(env, root=reports)
        run.create()
        print(f"probe {run.run_id}: target {env.name} ({env.target}); reports in {run.dir}", flush=True)
        result = run_probe(env, run.dir, emulator_base_url=base)
    except (ProbeError, ProbeRefused, RuntimeError, httpx.HTTPError) as exc:
        print(f"webex-harness: probe failed: {exc}", file=sys.stderr)
        return 1
    finally:
        if running is not None:
            running.stop()
    print(result.summary())
    print(f"probe: {result.path}")
    return 0 if result.ok else 1
