"""Collecting the per-test result: the masked exchanges a test sent (its evidence, also attached to
allure) and, when a test's outcome is decided, its :class:`~workspace.results.TestResult` — written
by :func:`workspace.results.write_results` at the end of the session.

Stands on :mod:`workspace.results` (the result and its file), :mod:`client.xml_client` (the
exchanges), :mod:`webex.masking` (the run's secret set) and :mod:`plugin.markers`.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import cast

import pytest

from webex_harness.client.xml_client import Exchange
from webex_harness.plugin.markers import api_mark, behaviour_ids
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
        the run's secret set and its own credentials."""
        self.current.append(exchange)
        try:
            import allure

            allure.attach(
                f"{exchange.request}\n\n--- HTTP {exchange.http_status} in {exchange.elapsed * 1000:.1f} ms ---\n\n"
                f"{exchange.response}",
                name=f"{exchange.api}",
                attachment_type=allure.attachment_type.TEXT,
            )
        except Exception:  # allure not active: nothing to attach to
            pass

    def report(self, item: pytest.Item, report: pytest.TestReport) -> None:
        """A (masked) report of ``item``: the result when it decides the outcome — the call, a setup
        that did not pass, a failed teardown; the evidence is forgotten after the teardown."""
        done = (
            (report.when == "call")
            or (report.when == "setup" and not report.passed)
            or (report.when == "teardown" and report.failed)
        )
        api, case = api_mark(item)
        apis = sorted({e.api for e in self.current if e.api and e.api != "?"})
        if done and report.when != "teardown":
            allure_labels("api", [api] if api else apis)
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


def allure_labels(name: str, values: list[str]) -> None:
    """Give the running test the allure label ``name`` with each of ``values`` (``tag``: its tags), when
    allure is active."""
    if not values:
        return
    try:
        import allure

        label = cast(Callable[..., None], allure.dynamic.label)  # allure_commons does not annotate it
        label(name, *values)
    except Exception:  # allure not active: nothing to label
        pass
