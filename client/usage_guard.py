"""Lock-out safety: never let a run take a user of a real site into the usage-limit block.

001 (40.4.5, 40.8.0): a user whose GetSessionInfo / GetUserCard calls reach the site's usage limit
with "no data found" errors within one hour is blocked from those two APIs for two hours (HTTP
403; emulator/usage_limit.py explains how the harness reads it). The site declares its limit as
``settings.usage_limit_per_hour`` (default 100). Contract tests, the clean-up's verification and
the probe all cause such failures, and the site counts them across runs — so does the guard.

:class:`UsageGuard` is a pair of ``httpx`` event hooks on the client every harness client of a site
run shares:

* **Counting.** Every answer of the XML API to a GetSessionInfo / GetUserCard bodyContent that is
  a FAILURE with a "no data found" exceptionID (000015, 060001, 030001) is written to
  ``<state folder>/usage-limit.jsonl`` (:mod:`workspace.state`: shared by every process of
  every run of the workspace, ``flock``-protected, entries pruned after the hour) keyed by site
  and webExID — never a password. A ``403`` answer to one of those APIs is written too (the site
  has blocked the user: nothing more is sent for two hours).
* **Stopping.** Before a request with a GetSessionInfo / GetUserCard bodyContent leaves, the
  caller's failures of the last hour are counted; at or above ``limit - margin`` (margin =
  ``max(10, 20 % of the limit)``) the request is not sent: :class:`UsageLimitSafety` (a
  :class:`~client.xml_client.BudgetExceeded`, so the test is skipped with its one line) says how many
  failures, the limit, the margin and until when to wait.

Exempt: users in ``exempt`` (the probe account when ``allow.lockout`` is true — the probe's purpose
is to reach the limit). Emulator targets get no guard at all (each test has a fresh site, and the
usage-limit tests reach the limit on purpose): see :func:`client.site_safety.install_site_safety`.

Two processes checking at the same moment may both send: the count can pass ``limit - margin`` by
the number of workers, never by the margin.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from webex_harness.client.exchange_reader import answer, is_xml_request, request_envelope
from webex_harness.client.xml_client import BudgetExceeded
from webex_harness.environment.model import Environment
from webex_harness.webex.errors import NO_DATA_EXCEPTIONS
from webex_harness.workspace.state import TimedLog

#: the two limited APIs (lower-case)
LIMITED_APIS = frozenset({"getsessioninfo", "getusercard"})
#: the sliding window failures are counted in ("in one hour")
WINDOW_SECONDS = 3600.0
#: how long a block lasts ("in next two hours")
BLOCK_SECONDS = 7200.0
#: the margin: at least this many failures, or this share of the limit, are kept unused
MIN_MARGIN = 10
MARGIN_SHARE = 0.2
#: the counter file in the state folder
LOG_NAME = "usage-limit.jsonl"
#: the key of callers whose securityContext names no webExID (the site counts them together)
ANONYMOUS = "(anonymous)"
_QUICK = (b"getsessioninfo", b"getusercard")


class UsageLimitSafety(BudgetExceeded):
    """A GetSessionInfo / GetUserCard request was not sent: it could lock the user out."""

    ends_run = False


def margin_of(limit: int) -> int:
    """Failures kept unused below the declared limit: ``max(10, 20 % of the limit)``."""
    return max(MIN_MARGIN, math.ceil(max(1, limit) * MARGIN_SHARE))


def stop_at(limit: int) -> int:
    """The count of an hour's failures at which a user's further limited calls stop."""
    return max(0, max(1, limit) - margin_of(limit))


def _clock_text(at: float) -> str:
    """``HH:MM UTC``, rounded up to the minute (waiting until then is enough)."""
    moment = datetime.fromtimestamp(math.ceil(at / 60.0) * 60.0, UTC)
    return moment.strftime("%H:%M UTC")


@dataclass(slots=True)
class Standing:
    """One user's record on one site: failure times of the last hour, and a block the site reported."""

    failures: list[float] = field(default_factory=list)
    blocked_at: float | None = None


@dataclass
class UsageGuard:
    """Count a site run's "no data found" failures per (site, user) across processes and runs,
    and stop a user's limited calls ``margin`` below ``limit``.

    ``folder`` is the workspace state folder; ``clock`` returns Unix time (injectable for tests).
    """

    folder: Path
    limit: int
    exempt: frozenset[str] = frozenset()
    clock: Callable[[], float] = time.time

    def __post_init__(self) -> None:
        self.limit = max(1, int(self.limit))
        self.exempt = frozenset(u.lower() for u in self.exempt)
        self.log = TimedLog(self.folder / LOG_NAME, keep=WINDOW_SECONDS, clock=self.clock)

    @property
    def margin(self) -> int:
        return margin_of(self.limit)

    @property
    def stop_at(self) -> int:
        return stop_at(self.limit)

    # -- the record ----------------------------------------------------------------------
    def standing(self, site: str, user: str) -> Standing:
        now = self.clock()
        found = Standing()
        for entry in self.log.entries():
            if entry.get("site") != site.lower() or entry.get("user") != user.lower():
                continue
            if entry.get("event") == "no-data" and entry["at"] > now - WINDOW_SECONDS:
                found.failures.append(float(entry["at"]))
            elif entry.get("event") == "blocked" and entry["at"] > now - BLOCK_SECONDS:
                found.blocked_at = max(found.blocked_at or 0.0, float(entry["at"]))
        found.failures.sort()
        return found

    def count(self, site: str, user: str) -> int:
        """The user's "no data found" failures on the site within the last hour."""
        return len(self.standing(site, user).failures)

    def record_failure(self, site: str, user: str, api: str, exception_id: str) -> None:
        self.log.append(
            {"event": "no-data", "site": site.lower(), "user": user.lower(), "api": api, "exceptionID": exception_id}
        )

    def record_block(self, site: str, user: str, api: str) -> None:
        now = self.clock()
        self.log.append(
            {
                "event": "blocked",
                "site": site.lower(),
                "user": user.lower(),
                "api": api,
                "at": now,
                "until": now + BLOCK_SECONDS,
            }
        )

    # -- the decision --------------------------------------------------------------------
    def check(self, site: str, user: str) -> None:
        """Raise :class:`UsageLimitSafety` when ``user`` may not send another limited call."""
        if user.lower() in self.exempt:
            return
        record = self.standing(site, user)
        if record.blocked_at is not None:
            raise UsageLimitSafety(
                f"usage-limit safety: {site} answered 403 (usage-limit block) to {user} at "
                f"{_clock_text(record.blocked_at)}; no more GetSessionInfo/GetUserCard as {user} — "
                f"the block lifts about {_clock_text(record.blocked_at + BLOCK_SECONDS)}"
            )
        count = len(record.failures)
        if count < self.stop_at:
            return
        if self.stop_at == 0:
            raise UsageLimitSafety(
                f"usage-limit safety: the declared limit {self.limit} of {site} leaves nothing above the margin "
                f"{self.margin}; no GetSessionInfo/GetUserCard is sent as {user}"
            )
        # the failure whose expiry brings the count below stop_at
        expires = record.failures[count - self.stop_at] + WINDOW_SECONDS
        raise UsageLimitSafety(
            f'usage-limit safety: {user} had {count} "no data found" failures on {site} in the last hour '
            f"(declared limit {self.limit}, margin {self.margin}); stopping before a 403 lock-out — "
            f"wait until {_clock_text(expires)}"
        )

    # -- the hooks -----------------------------------------------------------------------
    def install(self, http: httpx.Client) -> httpx.Client:
        """Add the hooks to ``http`` (the check first: a refused request reaches no other hook)."""
        hooks = http.event_hooks
        hooks.setdefault("request", []).insert(0, self.on_request)
        hooks.setdefault("response", []).append(self.on_response)
        http.event_hooks = hooks
        return http

    def on_request(self, request: httpx.Request) -> None:
        limited = _limited_request(request)
        if limited is not None:
            self.check(limited.site, limited.user)

    def on_response(self, response: httpx.Response) -> None:
        limited = _limited_request(response.request)
        if limited is None:
            return
        if response.status_code == 403:
            self.record_block(limited.site, limited.user, limited.apis[0][1])
            return
        results = answer(response).results
        for index, api in limited.apis:
            if len(results) == limited.bodies:
                outcome = results[index]
            elif len(results) == 1 and limited.bodies == 1:
                outcome = results[0]
            else:  # answers that do not match the bodyContents one to one: nothing to attribute
                continue
            exception_id = outcome.get("exceptionID")
            if outcome.get("result") == "FAILURE" and exception_id in NO_DATA_EXCEPTIONS:
                self.record_failure(limited.site, limited.user, api, str(exception_id))


@dataclass(frozen=True, slots=True)
class _Limited:
    """An XML request with a limited API: its site, caller, (bodyContent index, API) pairs, body count."""

    site: str
    user: str
    apis: list[tuple[int, str]]
    bodies: int


def _limited_request(request: httpx.Request) -> _Limited | None:
    if not is_xml_request(request):
        return None
    try:
        content = request.content
    except httpx.RequestNotRead:
        return None
    lowered = content.lower()
    if not any(name in lowered for name in _QUICK):
        return None
    parsed = request_envelope(request, content)
    if parsed is None:
        return None
    apis = [(b.index, b.api) for b in parsed.bodies if b.api.lower() in LIMITED_APIS]
    if not apis:
        return None
    return _Limited(parsed.site.lower(), (parsed.owner or ANONYMOUS).lower(), apis, len(parsed.bodies))


def exempt_users(env: Environment) -> list[str]:
    """The accounts the guard does not stop: the probe account (``users.probe``), when
    ``allow.lockout`` is true."""
    probe = env.users.probe
    return [probe.webex_id] if env.allow.lockout and probe is not None else []


def guard_for(env: Any, folder: Path, clock: Callable[[], float] = time.time) -> UsageGuard:
    """The guard of a site run of ``env`` (its declared limit, its exempt probe account)."""
    return UsageGuard(folder, int(env.settings.usage_limit_per_hour), frozenset(exempt_users(env)), clock)


def failures_by_user(entries: Iterable[dict[str, Any]]) -> dict[tuple[str, str], int]:
    """(site, user) -> "no data found" failures among ``entries`` (for reports and tests)."""
    out: dict[tuple[str, str], int] = {}
    for entry in entries:
        if entry.get("event") == "no-data":
            key = (str(entry.get("site")), str(entry.get("user")))
            out[key] = out.get(key, 0) + 1
    return out


__all__ = [
    "LIMITED_APIS",
    "UsageGuard",
    "UsageLimitSafety",
    "exempt_users",
    "failures_by_user",
    "guard_for",
    "margin_of",
    "stop_at",
]
