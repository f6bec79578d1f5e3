"""The one test of ``webex-harness replay FILE``: the saved steps of a state machine's failure, run
again on the run's target (``--replay FILE``). Its name keeps it out of every other run: pytest
collects it only when it is named on the command line, as the replay command does."""

from __future__ import annotations

from collections.abc import Callable


def test_replay(run_replay: Callable[[], None]) -> None:
    run_replay()
