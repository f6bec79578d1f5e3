"""The fixture every state machine test takes: ``run_stateful`` runs a machine on the test's sites."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from webex_harness.contracts.stateful.machine import ContractMachine
from webex_harness.contracts.stateful.runner import run_machine


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
