"""REST pacing: stay under a site's declared ``rest_rate_limit_per_minute``, and wait out a 429.

A site limits REST requests per token within a sliding minute and answers ``429`` with
``Retry-After`` beyond it (the emulator: ``settings.rest_rate_limit_per_minute``, default 600;
0 = no limit). A contract run sends ~480 REST requests; two runs within a minute — or two xdist
workers and the clean-up — must share the allowance.

:class:`RestPacer` keeps a sliding-window log per token in the workspace state folder
(:mod:`workspace.state`; the file is named by a SHA-256 prefix of the token, which is never
stored) and, before each REST request, takes a slot: while ``margin`` (90 %) of the limit has
been used within the window it waits — saying so once — until the oldest request leaves the
window. Every process of every run of the workspace shares the log. Waits are bounded
(``max_wait``, default two windows): past it :class:`RestPacingTimeout` (a
:class:`~client.xml_client.BudgetExceeded`) stops the request with one line.

On a ``429`` :class:`~client.rest_client.RestClient` asks :meth:`RestPacer.retry_wait` whether
and how long to wait (``Retry-After`` in seconds or as an HTTP date; at most
:data:`MAX_RETRIES` retries, each wait at most :data:`MAX_RETRY_WAIT` seconds) and sends again;
each retry counts against the request budget. Without a pacer (emulator targets, whose contract
tests provoke the 429 on purpose) a 429 is returned as is.

``window``, ``clock`` and ``sleep`` are injectable: tests pace against a site clock they move.
"""

from __future__ import annotations

import hashlib
import math
import sys
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from webex_harness.client.xml_client import BudgetExceeded, parse_retry_after
from webex_harness.workspace.state import TimedLog

#: the sliding window a rate limit counts in (seconds)
WINDOW_SECONDS = 60.0
#: share of the declared limit the harness uses
MARGIN = 0.9
#: retries of a request answered 429
MAX_RETRIES = 2
#: the longest ``Retry-After`` the harness waits for (seconds); a longer one is not retried
MAX_RETRY_WAIT = 60.0

_PACERS: weakref.WeakKeyDictionary[httpx.Client, RestPacer] = weakref.WeakKeyDictionary()


class RestPacingTimeout(BudgetExceeded):
    """No REST slot came free within the pacer's bound: the request is not sent."""

    ends_run = False


def token_key(token: str) -> str:
    """The name a token's log goes by: a SHA-256 prefix (the token itself is never stored)."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()[:16]


def _say(line: str) -> None:
    """To the process's real stderr: a wait is worth seeing even while pytest captures a test's output."""
    print(f"webex-harness: {line}", file=sys.__stderr__ or sys.stderr, flush=True)


def retry_after_seconds(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """``Retry-After`` in seconds (delta-seconds or an HTTP date), None when absent or unreadable."""
    return parse_retry_after(next((v for k, v in headers.items() if k.lower() == "retry-after"), None), now)


@dataclass
class RestPacer:
    """Pace one site's REST requests under ``limit`` per ``window`` seconds per token, shared
    through ``folder``; ``limit <= 0`` = no pacing (429s are still waited out)."""

    folder: Path
    limit: int
    rest_url: str | None = None
    window: float = WINDOW_SECONDS
    margin: float = MARGIN
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    max_wait: float | None = None
    say: Callable[[str], None] = _say

    @property
    def allowed(self) -> int:
        """Requests per window the harness sends (``margin`` of the limit, at least one)."""
        return max(1, math.floor(self.limit * self.margin))

    def log(self, token: str) -> TimedLog:
        return TimedLog(self.folder / f"rest-{token_key(token)}.jsonl", keep=self.window, clock=self.clock)

    def acquire(self, token: str) -> float:
        """Take a slot for one request with ``token``, waiting while the window is full; the
        seconds waited."""
        if self.limit <= 0:
            return 0.0
        log = self.log(token)
        bound = self.max_wait if self.max_wait is not None else 2 * self.window
        waited = 0.0
        told = False
        while True:
            wait = 0.0

            def decide(entries: list[dict[str, Any]], now: float) -> list[dict[str, Any]]:
                nonlocal wait
                if len(entries) < self.allowed:
                    return [{"at": now}]
                oldest = sorted(e["at"] for e in entries)[len(entries) - self.allowed]
                wait = max(0.01, oldest + self.window - now)
                return []

            if log.transact(decide):
                return waited
            if waited + wait > bound:
                raise RestPacingTimeout(
                    f"REST pacing: no request slot for this token within {bound:.0f}s ({self.allowed} requests "
                    f"per {self.window:.0f}s = {self.margin:.0%} of the declared rest_rate_limit_per_minute "
                    f"{self.limit}, shared with the workspace's other runs)"
                )
            if not told:
                self.say(
                    f"REST pacing: {self.allowed} requests in the last {self.window:.0f}s ({self.margin:.0%} "
                    f"of the declared rest_rate_limit_per_minute {self.limit}): waiting {wait:.1f}s"
                )
                told = True
            self.sleep(wait)
            waited += wait

    def retry_wait(self, headers: Mapping[str, str], retry: int) -> float | None:
        """Seconds to wait before ``retry`` (1-based) of a request answered 429, or None: no retry
        (retries used up, no ``Retry-After``, or one longer than :data:`MAX_RETRY_WAIT`)."""
        if retry > MAX_RETRIES:
            return None
        seconds = retry_after_seconds(headers, self.clock())
        if seconds is None or seconds > MAX_RETRY_WAIT:
            return None
        return seconds

    def wait_for_retry(self, seconds: float, retry: int, api: str) -> None:
        self.say(
            f"REST: {api} answered 429: waiting {seconds:.0f}s (Retry-After) before retry {retry} of {MAX_RETRIES}"
        )
        self.sleep(seconds)

    # -- the hook ------------------------------------------------------------------------
    def install(self, http: httpx.Client) -> httpx.Client:
        """Pace every REST request ``http`` sends (and let :func:`pacer_of` find this pacer). The
        hook goes first: a request it stops reaches no other hook (the ledger writes no intent)."""
        hooks = http.event_hooks
        hooks.setdefault("request", []).insert(0, self.on_request)
        http.event_hooks = hooks
        _PACERS[http] = self
        return http

    def on_request(self, request: httpx.Request) -> None:
        if self.rest_url and not str(request.url).startswith(self.rest_url.rstrip("/")):
            return
        auth = request.headers.get("authorization") or ""
        scheme, _, token = auth.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return  # an unauthenticated request is not counted per token
        self.acquire(token.strip())


def pacer_of(http: httpx.Client) -> RestPacer | None:
    """The pacer installed on ``http``, if any."""
    return _PACERS.get(http)


def pacer_for(env: Any, folder: Path) -> RestPacer:
    """The pacer of a site run of ``env``: its declared ``rest_rate_limit_per_minute``, its REST URL."""
    return RestPacer(folder, int(env.settings.rest_rate_limit_per_minute), rest_url=env.rest_url)


__all__ = [
    "MARGIN",
    "MAX_RETRIES",
    "MAX_RETRY_WAIT",
    "RestPacer",
    "RestPacingTimeout",
    "pacer_for",
    "pacer_of",
    "retry_after_seconds",
    "token_key",
]
