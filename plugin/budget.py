"""The request budget inside pytest: each process's share of ``budget.max_requests`` (tests and
clean-up), a spent budget turning its test into a skip ``budget spent: …`` (``safety stop: …`` when a
safety rail refused one request), and the watch that collects those skips for the run's last line.

Stands on :mod:`workspace.budget` (the run's shared counter), :mod:`client.xml_client` (the
per-process :class:`~client.xml_client.RequestBudget` and :class:`~client.xml_client.BudgetExceeded`)
and :mod:`plugin.plan` (the skip prefixes and the lines that sum them up).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from webex_harness.client.xml_client import BudgetExceeded, RequestBudget
from webex_harness.environment.model import Budget
from webex_harness.plugin import plan as planning
from webex_harness.workspace.budget import CONTRACTS, CONTRACTS_CLEANUP, COUNTER_FILE, BudgetSplit, SharedBudget

#: share of each worker's request budget kept back for the end-of-run clean-up
CLEANUP_SHARE = 0.1
#: wall-clock seconds the clean-up may take after the tests (its own bound)
CLEANUP_SECONDS = 300.0


def split_budget(budget: Budget, workers: int, counter: Path | None = None) -> tuple[RequestBudget, RequestBudget]:
    """(tests, clean-up) budgets of one of ``workers`` pytest processes.

    With a ``counter`` (:mod:`workspace.budget`; made with the contracts' split — a tenth kept for the
    clean-up — unless the run made it already) every process draws from the run's shared pools:
    tests from ``contracts``, the clean-up from ``contracts-cleanup`` then what the tests left. Without
    one (no run folder, own in-process emulators) each process gets ``max_requests // workers``, a
    tenth of it kept for the clean-up. Either way the processes together never exceed
    ``max_requests``."""
    if counter is not None:
        reserve = int(budget.max_requests * CLEANUP_SHARE)
        shared = SharedBudget.create(counter, BudgetSplit(budget.max_requests, budget.max_requests, reserve))
        tests = RequestBudget(shared.limit_of(CONTRACTS), budget.max_seconds, shared=shared.draw(CONTRACTS))
        cleanup = RequestBudget(
            shared.limit_of(CONTRACTS_CLEANUP) + shared.limit_of(CONTRACTS),
            CLEANUP_SECONDS,
            shared=shared.draw(CONTRACTS_CLEANUP, CONTRACTS),
        )
        return tests, cleanup
    share = budget.max_requests // max(1, workers)
    reserve = int(share * CLEANUP_SHARE)
    return RequestBudget(share - reserve, budget.max_seconds), RequestBudget(reserve, CLEANUP_SECONDS)


def budget_counter(config: pytest.Config, ledger_file: Path | None) -> Path | None:
    """Where the run's shared request counter lives: the run folder (``--run-dir``, else the
    ledger's folder); None for a run that keeps no files (its own in-process emulators)."""
    run_dir = config.getoption("--run-dir")
    if run_dir:
        return Path(run_dir) / COUNTER_FILE
    return ledger_file.parent / COUNTER_FILE if ledger_file is not None else None


def budget_exception(exc: BaseException | None) -> BudgetExceeded | None:
    """The :class:`BudgetExceeded` (or subclass) that ``exc`` is or was caused by."""
    seen: set[int] = set()
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, BudgetExceeded):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def budget_skip(item: pytest.Item, report: pytest.TestReport, exc: BudgetExceeded) -> str:
    """Turn ``report`` into a skip ``budget spent: <the exception's first line>`` (``safety stop: …``
    when a safety rail refused one request); the reason."""
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
    reason = f"{planning.BUDGET_SPENT if exc.ends_run else planning.SAFETY_STOP}{first}"
    path, lineno, _ = item.reportinfo()
    report.outcome = "skipped"
    report.longrepr = (str(path), (lineno or 0) + 1, f"Skipped: {reason}")
    return reason


class BudgetWatch:
    """The skip reasons of the tests the spent budget skipped, from the reports this process sees
    (under xdist the controller's: every worker's). Registered as a plugin of its own."""

    def __init__(self) -> None:
        self.skips: list[str] = []
        self.safety: list[str] = []

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.skipped and isinstance(report.longrepr, tuple) and len(report.longrepr) == 3:
            reason = str(report.longrepr[2]).removeprefix("Skipped: ")
            if reason.startswith(planning.BUDGET_SPENT):
                self.skips.append(reason)
            elif reason.startswith(planning.SAFETY_STOP):
                self.safety.append(reason)

    def safety_stop_line(self) -> str | None:
        """One line for the requests a safety rail refused; None when it refused none."""
        return planning.safety_stop_line(self.safety) if self.safety else None
