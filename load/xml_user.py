"""The base of the XML load scenarios: :class:`XmlUser`, a locust ``FastHttpUser`` that posts pre-built envelopes.

:meth:`XmlUser.post` spends one request of the process's budget (:mod:`load.process_state`), POSTs a
pre-built envelope named by API and judges the answer (:func:`load.judging.failure_message`);
:meth:`XmlUser.setup` runs once per user (requests named ``"<Api> (setup)"``) and again before a task
while it has not succeeded; everything a user created is deleted in ``on_stop``
(``"DelMeeting (clean-up)"`` / ``"DelSession (clean-up)"``), from the clean-up budget. A user killed
by locust's stop timeout (:data:`load.command.STOP_TIMEOUT`) mid-clean-up logs what it left.

The XML scenarios (:mod:`load.scenarios`) subclass it. Stands on locust and gevent,
:mod:`load.process_state`, :mod:`load.judging`, :mod:`load.calls` and :mod:`load.envelopes`.
"""

from __future__ import annotations

import contextlib
import itertools
import random
from typing import ClassVar, Protocol, cast

from gevent import GreenletExit
from locust import FastHttpUser, between
from locust.contrib.fasthttp import ResponseContextManager
from locust.exception import RescheduleTask

from webex_harness.client.xml_client import BudgetExceeded
from webex_harness.load.calls import CallTemplate, response_key
from webex_harness.load.envelopes import ScenarioEnvelopes
from webex_harness.load.judging import exception_of, failure_message
from webex_harness.load.process_state import (
    CLEANUP_ATTEMPTS,
    LEFT_FOR_REFUSALS,
    LEFT_FOR_STOP_TIMEOUT,
    leftover_warning,
    spend,
    spend_cleanup,
    state,
)

__all__ = ["HEADERS", "XmlUser", "spliced"]

HEADERS = {"Content-Type": "text/xml; charset=UTF-8"}


class _PostBytes(Protocol):
    """``FastHttpSession.post`` as :meth:`XmlUser.post` calls it: with a pre-built ``bytes`` envelope,
    which geventhttpclient sends as it is, though locust annotates ``data`` as ``str | dict | None``."""

    def __call__(
        self, url: str, /, *, data: bytes, headers: dict[str, str], name: str, catch_response: bool
    ) -> ResponseContextManager: ...


class XmlUser(FastHttpUser):
    """Base of the XML scenarios (module docstring). Subclasses set :attr:`scenario`."""

    abstract = True
    scenario: ClassVar[str] = ""
    wait_time = between(0.01, 0.05)
    network_timeout = 30.0
    connection_timeout = 10.0
    insecure = False  # verify TLS against a real site

    def on_start(self) -> None:
        self.post_envelope = cast(_PostBytes, self.client.post)
        self.state = state()
        assert self.state.envelopes is not None
        self.envelopes: ScenarioEnvelopes = self.state.envelopes
        self.random = random.Random()
        offset = self.random.randrange(len(self.envelopes.create_meetings))
        pool = self.envelopes.create_meetings
        self.meeting_pool = itertools.cycle(pool[offset:] + pool[:offset])
        #: (kind, key) of everything this user created, deleted in on_stop (never harm a real site)
        self.created: list[tuple[str, bytes]] = []
        self.ready = False
        with contextlib.suppress(RescheduleTask):  # the budget is spent: the tasks idle too
            self.ready = self.setup()

    def setup(self) -> bool:
        """Create what the tasks need (requests named ``"<Api> (setup)"``); True when done."""
        return True

    def ensure_ready(self) -> None:
        """Before a task: retry a setup that failed; skip the task while it still fails."""
        if not self.ready:
            self.ready = self.setup()
            if not self.ready:
                raise RescheduleTask()

    def post(
        self, name: str, envelope: bytes, *, expect: str | None = None, want_key: bool = False, cleanup: bool = False
    ) -> bytes | None:
        """POST one envelope and judge it; the body (or with ``want_key`` the new key) on success.

        ``expect``: the exceptionID of a FAILURE this request is meant to get — that FAILURE
        is a success, and a SUCCESS is then a failure (``expected FAILURE <id>, got SUCCESS``).
        ``cleanup``: spend from the clean-up budget (:class:`BudgetExceeded` when it is spent).
        Any status but 200 — a busy site's transient ``503`` included — fails this request (no retry).
        """
        if cleanup:
            spend_cleanup()
        else:
            spend(self.environment.runner)
        with self.post_envelope(
            self.state.xml_path, data=envelope, headers=HEADERS, name=name, catch_response=True
        ) as response:
            status = int(response.status_code or 0)
            content = response.content if status == 200 else None
            problem = failure_message(status, content, getattr(response, "error", None))
            if expect is not None:
                if problem is None:
                    problem = f"expected FAILURE {expect}, got SUCCESS"
                elif status == 200 and exception_of(content) == expect:
                    problem = None
            result = content
            if problem is None and want_key:
                result = response_key(content)
                if result is None:
                    problem = "SUCCESS without a meeting or session key"
            if problem is not None:
                response.failure(problem)
                return None
            response.success()
            return result

    def create(self, kind: str, name: str, envelope: bytes) -> bytes | None:
        """Create a meeting or session; its key is remembered for clean-up."""
        key = self.post(name, envelope, want_key=True)
        if key is not None:
            self.created.append((kind, key))
        return key

    def forget(self, key: bytes) -> None:
        """``key`` was deleted by a task: no clean-up for it."""
        self.created = [(kind, k) for kind, k in self.created if k != key]

    def on_stop(self) -> None:
        """Delete everything this user created, each up to :data:`CLEANUP_ATTEMPTS` times. Named
        ``"<Api> (clean-up)"`` so it reads apart from the measured calls; spent from the clean-up
        budget — what it cannot pay for, or what the site refused every time, stays, named so that
        ``webex-harness cleanup`` finds it (:func:`leftover_warning`), as is what a user killed by
        locust's stop timeout (:data:`load.command.STOP_TIMEOUT`) had not deleted yet."""
        left = 0
        for done, (kind, key) in enumerate(reversed(self.created)):
            api, envelope = (
                ("DelMeeting", self.envelopes.del_meeting)
                if kind == "meeting"
                else ("DelSession", self.envelopes.del_session)
            )
            try:
                deleted = any(
                    self.post(f"{api} (clean-up)", envelope.with_key(key), cleanup=True) is not None
                    for _ in range(CLEANUP_ATTEMPTS)
                )
            except BudgetExceeded:
                leftover_warning(len(self.created) - done + left, "meetings or sessions")
                break
            except GreenletExit:  # locust's stop timeout ran out (load.command.STOP_TIMEOUT)
                leftover_warning(len(self.created) - done + left, "meetings or sessions", LEFT_FOR_STOP_TIMEOUT)
                raise
            left += not deleted  # refused every time (e.g. a busy site's 503s): named below
        else:
            if left:
                leftover_warning(left, "meetings or sessions", LEFT_FOR_REFUSALS)
        self.created.clear()


def spliced(templates: list[CallTemplate], key: bytes) -> list[bytes]:
    """``templates`` with ``key`` joined in (templates without a key slot are unchanged)."""
    return [template.with_key(key) for template in templates]
