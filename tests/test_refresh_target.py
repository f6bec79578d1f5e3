"""``costs --refresh`` never writes into an installed package: in a source checkout it rewrites the
suites' ``costs.json``; installed, only the file ``$WEBEX_HARNESS_COSTS`` names, and without one it
stops before measuring anything (exit 2, one line)."""

from __future__ import annotations

from pathlib import Path

import pytest

from webex_harness.plugin.plan import COSTS_FILE, COSTS_VARIABLE
from webex_harness.runs import costs
from webex_harness.runs.cli import main


def test_a_checkout_rewrites_the_suites_costs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(COSTS_VARIABLE, raising=False)
    assert costs.refresh_target() == COSTS_FILE


def test_the_named_file_wins(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(COSTS_VARIABLE, str(tmp_path / "mine.json"))
    assert costs.refresh_target(tmp_path / "site-packages" / "webex_harness") == tmp_path / "mine.json"


def test_an_installed_package_is_not_written(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(COSTS_VARIABLE, raising=False)
    installed = tmp_path / "site-packages" / "webex_harness"
    installed.mkdir(parents=True)
    with pytest.raises(costs.RefreshTargetError, match=COSTS_VARIABLE):
        costs.refresh_target(installed)

    def measure(*args: object, **kwargs: object) -> None:
        raise AssertionError("measured although there is no file to write")

    monkeypatch.setattr(costs, "PACKAGE_ROOT", installed)
    monkeypatch.setattr(costs, "refresh", measure)
    assert main(["costs", "--refresh"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "installed package" in err[0] and f"{COSTS_VARIABLE}=FILE" in err[0]
