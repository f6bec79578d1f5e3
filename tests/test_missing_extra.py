"""Without the ``load`` extra (locust), ``run`` and ``load`` stop before anything starts — no run folder,
no emulator — with one line naming the extra and how to install it (exit 2); ``contracts`` does not
need it. The missing install is simulated: a module set to None in ``sys.modules`` is one Python
cannot import (:func:`importlib.util.find_spec` answers None)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from webex_harness.runs.cli import main
from webex_harness.runs.extras import LOAD_MODULES, install_hint, load_extra_problem, missing_modules


@pytest.fixture
def without_load_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in LOAD_MODULES:
        monkeypatch.setitem(sys.modules, name, None)


def test_the_dev_install_has_the_load_extra() -> None:
    assert missing_modules(LOAD_MODULES) == []
    assert load_extra_problem("run") == ""


@pytest.mark.parametrize("command", ["load", "run"])
def test_a_load_without_the_extra_is_one_line_and_exit_2_before_anything_starts(
    command: str,
    without_load_extra: None,
    tmp_path: Path,
    reports_root: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    out = tmp_path / "out"
    assert main([command, "--out", str(out)]) == 2
    captured = capsys.readouterr()
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith(f"webex-harness: {command}: the load run needs the 'load' extra")
    assert "locust and gevent are not installed" in lines[0]
    assert install_hint("load") == "pip install 'webex-harness[load]'"
    assert lines[0].count("pip install 'webex-harness[load]'") == 1
    assert ("webex-harness contracts" in lines[0]) == (command == "run")
    assert captured.out == ""  # not even the plan: nothing started
    assert not out.exists() and not reports_root.exists()


def test_one_missing_module_is_named_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "locust", None)
    assert missing_modules(LOAD_MODULES) == ["locust"]
    assert "(locust is not installed)" in load_extra_problem("load")


def test_contracts_do_not_need_the_load_extra(
    without_load_extra: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # a bad profile is the first thing `contracts` checks: had it checked the load extra, that would come first
    assert main(["contracts", "--profile", "nonesuch", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "nonesuch" in err and "extra" not in err
    # the same command line as `run` stops on the extra first
    assert main(["run", "--profile", "nonesuch", "--out", str(tmp_path / "out")]) == 2
    assert "'load' extra" in capsys.readouterr().err
