"""Collecting the per-test result: the masked exchanges a test sent (its evidence, also attached to
allure: :mod:`plugin.allure_attachments`) and, when a test's outcome is decided, its
:class:`~workspace.results.TestResult` — written by :func:`workspace.results.write_results` at the end
of the session — with the test's stories (the APIs it exercised, :mod:`plugin.allure_labels`) and, on a
failure, a note naming the Webex refusal it met last.

Stands on :mod:`workspace.results` (the result and its file), :mod:`client.xml_client` (the
exchanges), :mod:`webex.masking` (the run's secret set) and :mod:`plugin.markers`.
"""

from __future__ import annotations

import contextlib
import dataclasses
from dataclasses import dataclass, field

import pytest

from webex_harness.client.xml_client import Exchange
from webex_harness.plugin.allure_attachments import attach_exchange, failure_note
from webex_harness.plugin.allure_labels import give_labels, stories
from webex_harness.plugin.markers import api_mark, behaviour_ids
from webex_harness.plugin.plan import BUDGET_SPENT, SAFETY_STOP
from webex_harness.webex.masking import SecretSet
from webex_harness.workspace.results import Outcome, TestResult

#: exchanges kept as the evidence of a failed test (its last ones)
EVIDENCE_LIMIT = 6


@dataclass
class Recorder:
    """Per-test evidence (masked exchanges) and the results written for the summary; ``secrets`` is the
    run's set, the one the clients mask their exchanges with."""

    current: list[Exchange] = field(default_factory=list)
    results: list[TestResult] = field(default_factory=list)
    secrets: SecretSet = field(default_factory=SecretSet)

    def exchange(self, exchange: Exchange) -> None:
        """One exchange of the running test (every client's ``on_exchange``), masked by the client with
        the run's secret set and its own credentials; attached to allure as its request and response."""
        self.current.append(exchange)
        attach_exchange(exchange, self.secrets)

    def report(
        self, item: pytest.Item, report: pytest.TestReport, excinfo: pytest.ExceptionInfo[BaseException] | None = None
    ) -> None:
        """A (masked) report of ``item``: the result when it decides the outcome — the call, a setup
        that did not pass, a failed teardown (which replaces the test's passed or skipped result: one
        result per test, as allure has); the evidence is forgotten after the teardown. A failure
        (``excinfo``) is given a note naming the Webex refusal the test met last, for allure's message."""
        done = (
            (report.when == "call")
            or (report.when == "setup" and not report.passed)
            or (report.when == "teardown" and report.failed)
        )
        api, case = api_mark(item)
        apis = sorted({e.api for e in self.current if e.api and e.api != "?"})
        if done and report.when != "teardown":
            give_labels("api", [api] if api else apis)
            give_labels("story", stories(behaviour_ids(item), api, apis))
        if report.failed and excinfo is not None:
            self._note(excinfo.value)
        elif report.skipped and excinfo is not None and isinstance(report.longrepr, tuple):
            _note_stop(excinfo.value, str(report.longrepr[2]).removeprefix("Skipped: "))
        if done and report.when == "teardown" and self.results and self.results[-1].nodeid == item.nodeid:
            if self.results[-1].outcome == "failed":
                done = False  # one result per test: its first failure stands
            else:
                self.results.pop()  # a passed or skipped test whose teardown failed has failed
        if done:
            outcome, reason = _outcome(report)
            self.results.append(
                TestResult(
                    nodeid=item.nodeid,
                    behaviours=behaviour_ids(item),
                    api=api,
                    case=case,
                    apis=apis,
                    outcome=outcome,
                    when=report.when,
                    reason=self.secrets.mask(reason.splitlines()[0][:500]) if reason else "",
                    evidence=[dataclasses.asdict(e) for e in self.current[-EVIDENCE_LIMIT:]]
                    if outcome == "failed"
                    else [],
                    duration=report.duration,
                )
            )
        if report.when == "teardown":
            self.current.clear()

    def _note(self, exc: BaseException) -> None:
        """Add the Webex refusal the test met last to the failure (its ID, unless the message has it)."""
        note = failure_note(self.current)
        if note is None:
            return
        code = note.split(": ", 1)[1].split(" '", 1)[0]  # "FAILURE 060016", "HTTP 400"
        if code in str(exc) or any(code in n for n in getattr(exc, "__notes__", [])):
            return
        with contextlib.suppress(AttributeError, TypeError):  # an exception that refuses attributes
            exc.add_note(self.secrets.mask(note))


def _note_stop(exc: BaseException, reason: str) -> None:
    """A request the budget or a safety rail refused turned the test into a skip: its reason
    (``budget spent: …``, ``safety stop: …``) joins the exception, which allure shows as the message."""
    if reason.startswith((BUDGET_SPENT, SAFETY_STOP)) and reason not in str(exc):
        with contextlib.suppress(AttributeError, TypeError):
            exc.add_note(reason)


def _outcome(report: pytest.TestReport) -> tuple[Outcome, str]:
    """The outcome of a deciding report and its reason (unmasked, every line)."""
    if report.skipped:
        longrepr = report.longrepr
        reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
        return "skipped", reason.removeprefix("Skipped: ")
    if report.failed:
        crash = getattr(report.longrepr, "reprcrash", None)
        return "failed", crash.message if crash is not None else str(report.longrepr).splitlines()[-1]
    return "passed", ""
