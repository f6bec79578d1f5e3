"""REST meetings load tasks (``/v1/meetings``): a locust ``FastHttpUser`` and its task set.

Not wired into ``webex-harness run`` / :func:`load.runner.run_load` yet; importable and runnable on
its own::

    WEBEX_HARNESS_REST_URL=http://127.0.0.1:8080/v1 WEBEX_HARNESS_REST_TOKEN=emulator-token \\
        locust -f load/rest_tasks.py --headless -u 5 -r 5 -t 20s --host http://127.0.0.1:8080

Requests are named by operation, never by URL (ids vary): ``POST /v1/meetings``,
``GET /v1/meetings/{id}``, ``PATCH /v1/meetings/{id}``, ``GET /v1/meetings`` and
``DELETE /v1/meetings/{id}``. Weights: create 2, get 4, patch 2, list 1, delete 1 — each user keeps
at most :data:`MAX_IDS_PER_USER` meeting ids and deletes the oldest beyond that, so a run leaves at
most that many meetings per user behind.

A request fails when the status is not the documented one (create/get/patch/list 200, delete
204) or the body is not the expected JSON; the failure message is ``HTTP <status> <message>``.
A ``429`` is a failure too (``rate limited``), after which the user waits ``Retry-After`` seconds
(at most :data:`MAX_RETRY_AFTER`) before its next task. Mind the emulator's rate rule: more than
600 requests per site token within 60 s of the site clock are answered 429 (see
:mod:`emulator.rest.handlers`), so a long emulator run should use ``-u 1`` or expect 429s.

Configuration (read when locust fires ``init``; never at import time):

``WEBEX_HARNESS_REST_URL``
    The REST base, e.g. ``https://webexapis.com/v1``; default ``<--host>/v1``. Only its path is
    used; ``--host`` is the origin.
``WEBEX_HARNESS_REST_TOKEN``
    The bearer token; default ``emulator-token`` (the emulator's default site).
``WEBEX_HARNESS_RUN_ID``
    Optional: put into every meeting title (``wxh-load-<run id>-<n>``) so a clean-up can find them.
"""

from __future__ import annotations

import itertools
import os
import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, TaskSet, between, events, task
from locust.env import Environment as LocustEnvironment

REST_URL_VAR = "WEBEX_HARNESS_REST_URL"
REST_TOKEN_VAR = "WEBEX_HARNESS_REST_TOKEN"
RUN_ID_VAR = "WEBEX_HARNESS_RUN_ID"
DEFAULT_TOKEN = "emulator-token"

#: Meeting ids a user keeps (older ones are deleted).
MAX_IDS_PER_USER = 20
#: The longest Retry-After a user honours, in seconds.
MAX_RETRY_AFTER = 5.0

NAME_CREATE = "POST /v1/meetings"
NAME_GET = "GET /v1/meetings/{id}"
NAME_PATCH = "PATCH /v1/meetings/{id}"
NAME_LIST = "GET /v1/meetings"
NAME_DELETE = "DELETE /v1/meetings/{id}"


@dataclass(frozen=True, slots=True)
class RestLoadConfig:
    """What the users of one locust process share."""

    base_path: str
    token: str
    run_id: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json",
                "Accept": "application/json"}


def config_from_env(environ: dict[str, str] | None = None) -> RestLoadConfig:
    env = dict(os.environ if environ is None else environ)
    url = env.get(REST_URL_VAR, "").strip()
    path = (urlsplit(url).path if url else "/v1").rstrip("/") or "/v1"
    return RestLoadConfig(base_path=path, token=env.get(REST_TOKEN_VAR, "").strip() or DEFAULT_TOKEN,
                          run_id=env.get(RUN_ID_VAR, "").strip())


_config: RestLoadConfig | None = None
_counter = itertools.count(1)


@events.init.add_listener
def _on_init(environment: LocustEnvironment, **_: object) -> None:
    global _config
    _config = config_from_env()


def create_body(n: int, now: datetime, run_id: str = "") -> dict[str, Any]:
    """A valid create body: whole-minute start 2–9 days ahead, 30 minutes long (003's limits)."""
    start = (now.astimezone(UTC) + timedelta(days=2 + n % 8, hours=n % 10)).replace(second=0, microsecond=0)
    title = f"wxh-load-{run_id}-{n}" if run_id else f"wxh-load-{n}"
    return {"title": title[:128], "agenda": "webex-harness REST load", "start": start.isoformat(),
            "end": (start + timedelta(minutes=30)).isoformat(), "timezone": "UTC",
            "enabledJoinBeforeHost": True, "joinBeforeHostMinutes": 5}


def failure_message(status: int, body: Any, expected: int) -> str | None:
    """None when the answer is the documented one, else ``HTTP <status> <message>``."""
    if status == expected:
        if expected != 204 and not isinstance(body, dict):
            return f"HTTP {status} without a JSON object"
        return None
    message = body.get("message") if isinstance(body, dict) else None
    if status == 429:
        return "HTTP 429 rate limited"
    return f"HTTP {status} {message or ''}".strip()


def _json(response: Any) -> Any:
    try:
        return response.json()
    except Exception:  # HTML, empty or broken body
        return None


class RestMeetingTasks(TaskSet):
    """Create, read, update, list and delete meetings of one host."""

    def on_start(self) -> None:
        assert _config is not None, "locust init did not run"
        self.config = _config
        self.ids: list[str] = []
        self.random = random.Random()

    def _call(self, method: str, path: str, name: str, expected: int, body: Any = None,
              params: dict[str, str] | None = None) -> Any:
        url = self.config.base_path + path
        kwargs: dict[str, Any] = {"headers": self.config.headers, "name": name, "catch_response": True}
        if body is not None:
            kwargs["json"] = body
        if params:
            kwargs["params"] = params
        with self.client.request(method, url, **kwargs) as response:
            status = int(response.status_code or 0)
            data = _json(response) if status != 204 else None
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
        data = self._call("POST", "/meetings", NAME_CREATE, 200,
                          body=create_body(next(_counter), datetime.now(UTC), self.config.run_id))
        if isinstance(data, dict) and data.get("id"):
            self.ids.append(str(data["id"]))
            while len(self.ids) > MAX_IDS_PER_USER:
                self._call("DELETE", f"/meetings/{self.ids.pop(0)}", NAME_DELETE, 204)

    @task(4)
    def get(self) -> None:
        if self.ids:
            self._call("GET", f"/meetings/{self.random.choice(self.ids)}", NAME_GET, 200)

    @task(2)
    def patch(self) -> None:
        if self.ids:
            body = {"title": f"wxh-load-{self.config.run_id}-patched-{next(_counter)}",
                    "reminderTime": self.random.choice((5, 10, 15))}
            self._call("PATCH", f"/meetings/{self.random.choice(self.ids)}", NAME_PATCH, 200, body=body)

    @task(1)
    def list_meetings(self) -> None:
        self._call("GET", "/meetings", NAME_LIST, 200, params={"max": "10"})

    @task(1)
    def delete(self) -> None:
        if self.ids:
            self._call("DELETE", f"/meetings/{self.ids.pop(0)}", NAME_DELETE, 204)

    def on_stop(self) -> None:
        while self.ids:
            self._call("DELETE", f"/meetings/{self.ids.pop()}", NAME_DELETE, 204)


class RestApiUser(FastHttpUser):
    """A host driving the REST meetings API."""

    tasks = [RestMeetingTasks]
    wait_time = between(0.01, 0.05)
    network_timeout = 30.0
    connection_timeout = 10.0


__all__ = ["RestApiUser", "RestLoadConfig", "RestMeetingTasks", "config_from_env", "create_body", "failure_message"]
