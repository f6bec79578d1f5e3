"""The ``rest`` load scenario: REST meetings operations (``/v1/meetings``) as a ``FastHttpUser``.

Run through :func:`load.runner.run_load` (``scenario="rest"`` or a mix with ``rest:``); the class
is imported by :mod:`load.locustfile`. The plumbing it shares with the XML scenarios is
:mod:`load.process_state`'s: the process budget, the loopback / own-origin guard and the configuration.

Configuration (read when locust fires ``init``; see :mod:`load.config` for every variable):

``WEBEX_HARNESS_REST_URL``
    The REST base (``https://webexapis.com/v1``); default the environment file's ``rest_url``,
    and for an emulator the XML URL's origin + ``/v1``. Only loopback or the file's own
    ``rest_url`` origin is accepted. Requests use absolute URLs, so ``--host`` stays the XML origin.
``WEBEX_HARNESS_REST_TOKEN``
    The bearer token; default the file's ``credentials.rest_token``. :func:`~load.runner.run_load`
    passes it in the environment, never on the command line (``ps`` would show it).

Requests are named by operation, never by URL (ids vary): ``POST /v1/meetings``,
``GET /v1/meetings/{id}``, ``PATCH /v1/meetings/{id}``, ``GET /v1/meetings`` and
``DELETE /v1/meetings/{id}``. Weights: create 2, get 4, patch 2, list 1, delete 1 — each user keeps
at most :data:`MAX_IDS_PER_USER` meeting ids and deletes the oldest beyond that; what is left is
deleted when the user stops (``DELETE /v1/meetings/{id} (clean-up)``). A user forgets an id only once
its DELETE was answered ``204`` (or ``404``: already gone), so a rate-limited or failed delete is
tried again by a later delete or by the clean-up instead of leaving the meeting on the site.

A request fails when the status is not the documented one (create/get/patch/list 200, delete
204) or the body is not the expected JSON; the failure message is ``HTTP <status> <message>``.
A ``429`` is a failure too (``rate limited``), after which the user waits ``Retry-After`` seconds
(at most :data:`MAX_RETRY_AFTER`); a busy site's transient ``503`` fails its request (no retry in a
load run). The emulator's limit is the site setting ``rest_rate_limit_per_minute``
(environments/emulator.yaml switches it off for its default site, so load runs measure the
emulator, not its throttle). Every request counts against the budget, the clean-up's too
(:mod:`load.process_state`).
"""

from __future__ import annotations

import itertools
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import gevent
from gevent import GreenletExit
from locust import FastHttpUser, between, task

from webex_harness.client.xml_client import BudgetExceeded
from webex_harness.load.command import STOP_TIMEOUT
from webex_harness.load.process_state import (
    CLEANUP_ATTEMPTS,
    LEFT_FOR_REFUSALS,
    LEFT_FOR_STOP_TIMEOUT,
    leftover_warning,
    spend,
    spend_cleanup,
    state,
)

__all__ = ["FARTHEST_START", "RestApiUser", "create_body", "failure_message"]

#: Meeting ids a user keeps (older ones are deleted).
MAX_IDS_PER_USER = 20
#: Statuses after which a DELETE's meeting is gone: deleted now, or not there any more.
GONE_STATUSES = (204, 404)
#: The longest Retry-After a user honours, in seconds.
MAX_RETRY_AFTER = 5.0
#: Seconds a user's clean-up may take before it stops and names what it left. Its own bound, inside locust's
#: stop timeout (:data:`load.command.STOP_TIMEOUT`): locust applies that timeout only to a user stopped in the
#: middle of a task; one stopped between two tasks runs its clean-up inside the kill, with no bound at all —
#: rate-limited deletes (429, up to MAX_RETRY_AFTER each) then kept a stopped run going until its run time.
CLEANUP_SECONDS = STOP_TIMEOUT - 2 * MAX_RETRY_AFTER

NAME_CREATE = "POST /v1/meetings"
NAME_GET = "GET /v1/meetings/{id}"
NAME_PATCH = "PATCH /v1/meetings/{id}"
NAME_LIST = "GET /v1/meetings"
NAME_DELETE = "DELETE /v1/meetings/{id}"
NAME_CLEANUP = "DELETE /v1/meetings/{id} (clean-up)"

_counter = itertools.count(1)


#: The farthest a REST load meeting starts after "now" (``cleanup`` lists REST meetings at least this far).
FARTHEST_START = timedelta(days=9, hours=9, minutes=30)


def create_body(n: int, now: datetime, name_prefix: str = "wxh-load") -> dict[str, Any]:
    """A valid create body: whole-minute start 2–9 days ahead, 30 minutes long (003's limits), titled
    ``<name_prefix>-<n>`` — the run's ``<cleanup_prefix>-<run id>-load`` (:func:`load.process_state.build_state`)."""
    start = (now.astimezone(UTC) + timedelta(days=2 + n % 8, hours=n % 10)).replace(second=0, microsecond=0)
    title = f"{name_prefix}-{n}"
    return {
        "title": title[:128],
        "agenda": "webex-harness REST load",
        "start": start.isoformat(),
        "end": (start + timedelta(minutes=30)).isoformat(),
        "timezone": "UTC",
        "enabledJoinBeforeHost": True,
        "joinBeforeHostMinutes": 5,
    }


class _OutOfTime(Exception):
    """A user's clean-up reached :data:`CLEANUP_SECONDS`."""


def failure_message(status: int, body: Any, expected: int) -> str | None:
    """None when the answer is the documented one, else ``HTTP <status> <message>``."""
    if status == expected:
        if expected != 204 and not isinstance(body, dict):
            return f"HTTP {status} without a JSON object"
        return None
    if status == 429:
        return "HTTP 429 rate limited"
    message = body.get("message") if isinstance(body, dict) else None
    return f"HTTP {status} {message or ''}".strip()


def _json(response: Any) -> Any:
    try:
        return response.json()
    except Exception:  # HTML, empty or broken body
        return None


class RestApiUser(FastHttpUser):
    """A host creating, reading, updating, listing and deleting REST meetings."""

    scenario: ClassVar[str] = "rest"
    wait_time = between(0.01, 0.05)
    network_timeout = 30.0
    connection_timeout = 10.0

    def on_start(self) -> None:
        self.state = state()
        self.base = self.state.rest_url
        self.headers = {
            "Authorization": f"Bearer {self.state.rest_token}",
            "Content-Type": "application/json",
            "Accept": "application/json",
        }
        self.ids: list[str] = []
        self.random = random.Random()
        self.last_status = 0

    def _call(
        self,
        method: str,
        path: str,
        name: str,
        expected: int,
        body: Any = None,
        params: dict[str, str] | None = None,
        *,
        cleanup: bool = False,
    ) -> Any:
        if cleanup:  # the clean-up budget; BudgetExceeded when it is spent
            spend_cleanup()
        else:
            spend(self.environment.runner)
        kwargs: dict[str, Any] = {"headers": self.headers, "name": name, "catch_response": True}
        if body is not None:
            kwargs["json"] = body
        if params:
            kwargs["params"] = params
        with self.client.request(method, self.base + path, **kwargs) as response:
            status = int(response.status_code or 0)
            self.last_status = status
            data = _json(response) if status not in (0, 204) else None
            problem = failure_message(status, data, expected)
            if problem is None:
                response.success()
            else:
                response.failure(problem)
            if status == 429:
                retry = response.headers.get("Retry-After") or "1"
                gevent.sleep(min(MAX_RETRY_AFTER, float(retry) if retry.isdigit() else 1.0))
            return data if problem is None else None

    @task(2)
    def create(self) -> None:
        data = self._call(
            "POST",
            "/meetings",
            NAME_CREATE,
            200,
            body=create_body(next(_counter), datetime.now(UTC), self.state.name_prefix),
        )
        if isinstance(data, dict) and data.get("id"):
            self.ids.append(str(data["id"]))
            if len(self.ids) > MAX_IDS_PER_USER:
                self._delete(self.ids[0], NAME_DELETE)

    @task(4)
    def get(self) -> None:
        if self.ids:
            self._call("GET", f"/meetings/{self.random.choice(self.ids)}", NAME_GET, 200)

    @task(2)
    def patch(self) -> None:
        if self.ids:
            body = {
                "title": f"{self.state.name_prefix}-patched-{next(_counter)}",
                "reminderTime": self.random.choice((5, 10, 15)),
            }
            self._call("PATCH", f"/meetings/{self.random.choice(self.ids)}", NAME_PATCH, 200, body=body)

    @task(1)
    def list_meetings(self) -> None:
        self._call("GET", "/meetings", NAME_LIST, 200, params={"max": "10"})

    @task(1)
    def delete(self) -> None:
        if self.ids:
            self._delete(self.ids[0], NAME_DELETE)

    def _delete(self, meeting_id: str, name: str, *, cleanup: bool = False) -> bool:
        """DELETE one meeting; its id is forgotten only once the site says it is gone (module docstring)."""
        self.last_status = 0
        self._call("DELETE", f"/meetings/{meeting_id}", name, 204, cleanup=cleanup)
        gone = self.last_status in GONE_STATUSES
        if gone and meeting_id in self.ids:
            self.ids.remove(meeting_id)
        return gone

    def on_stop(self) -> None:
        """Delete what this user made; what the clean-up budget or locust's stop timeout (a kill, see
        :data:`load.command.STOP_TIMEOUT`) leaves is named in the log (``webex-harness cleanup`` finds it)."""
        left: list[str] = []
        deadline = time.monotonic() + CLEANUP_SECONDS
        while self.ids:
            meeting_id = self.ids[-1]
            try:
                gone = False
                for _ in range(CLEANUP_ATTEMPTS):
                    if time.monotonic() >= deadline:
                        raise _OutOfTime
                    if self._delete(meeting_id, NAME_CLEANUP, cleanup=True):
                        gone = True
                        break
            except _OutOfTime:
                leftover_warning(len(self.ids) + len(left), "REST meetings", LEFT_FOR_STOP_TIMEOUT)
                break
            except BudgetExceeded:
                leftover_warning(len(self.ids) + len(left), "REST meetings")
                break
            except GreenletExit:
                leftover_warning(len(self.ids) + len(left), "REST meetings", LEFT_FOR_STOP_TIMEOUT)
                raise
            if not gone:  # refused every time (e.g. rate-limited): named below, not retried for ever
                left.append(meeting_id)
                self.ids.remove(meeting_id)
        else:
            if left:
                leftover_warning(len(left), "REST meetings", LEFT_FOR_REFUSALS)
        self.ids.clear()
