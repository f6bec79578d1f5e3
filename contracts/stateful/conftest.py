"""The fixtures of the stateful contracts: ``run_stateful`` runs a machine on the test's sites;
``run_replay`` runs the replay file ``--replay FILE`` names (what ``webex-harness replay`` asks for)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from webex_harness.contracts.stateful.machine import ContractMachine
from webex_harness.contracts.stateful.runner import load_replay, replay, run_machine


@pytest.fixture
def run_stateful(
    site_factory: Callable[..., Any], seed: int, pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory
) -> Callable[[type[ContractMachine]], None]:
    """``run_stateful(Machine)``: run a state machine (a fresh site per example on the emulator);
    a failure is shrunk, printed and saved under the run folder's ``stateful/``."""
    option = pytestconfig.getoption("--run-dir")
    run_dir = Path(option) if option else None
    save_dir = (run_dir if run_dir is not None else tmp_path_factory.getbasetemp()) / "stateful"

    def run(machine: type[ContractMachine]) -> None:
        run_machine(machine, site_factory, seed=seed, run_dir=run_dir, save_dir=save_dir)

    return run


@pytest.fixture
def run_replay(site_factory: Callable[..., Any], pytestconfig: pytest.Config) -> Callable[[], None]:
    """``run_replay()``: the steps of the replay file ``--replay`` names, on a site with its settings
    (fails with the numbered steps when the defect is still there)."""
    option = pytestconfig.getoption("--replay")
    if not option:
        raise pytest.UsageError("the replay test runs only with --replay FILE (webex-harness replay FILE)")
    try:
        recorded = load_replay(Path(option))
    except ValueError as exc:
        raise pytest.UsageError(str(exc)) from None

    def run() -> None:
        replay(recorded, site_factory(**recorded.site_settings))

    return run
