"""The module pytest loads through the package's ``pytest11`` entry point: in every pytest run of an
environment where webex-harness is installed, and inactive unless the run asks for the harness.

A run asks with ``--env FILE|NAME`` or with the ini key ``webex_harness_env`` (``pytest.ini``,
``[tool.pytest.ini_options]`` of ``pyproject.toml``, …). Only then are the harness's hooks
(:mod:`plugin.hooks`), fixtures (:mod:`plugin.fixtures`) and markers registered and the environment
loaded; any other run sees only the options below in ``pytest --help``. ``-p no:webex_harness`` switches
the plugin off altogether.
"""

from __future__ import annotations

import os

import pytest

from webex_harness.plugin.activation import ENV_INI_KEY, requested_environment
from webex_harness.plugin.plan import PROFILES

__all__ = ["pytest_addoption", "pytest_configure"]


def pytest_addoption(parser: pytest.Parser) -> None:
    """The options (every run sees them; they do nothing unless the harness is asked for) and the ini key."""
    parser.addini(
        ENV_INI_KEY,
        "the environment file or name the webex-harness plugin runs with when --env is not given "
        "(setting it switches the plugin on for every run of this project)",
        default="",
    )
    group = parser.getgroup("webex-harness", "webex-harness (on with --env, or the webex_harness_env ini key)")
    group.addoption(
        "--env",
        default=None,
        help="environment file or name, which switches the harness on "
        "(a name: ./environments/<name>.yaml, else the shipped one)",
    )
    group.addoption("--seed", type=int, default=1, help="seed for generated data (default 1)")
    group.addoption("--fault", action="append", default=[], help="emulator fault to switch on for every site")
    group.addoption("--behaviour", action="append", default=[], help="run only tests marked with this behaviour ID")
    group.addoption(
        "--emulator-url",
        default=os.environ.get("WEBEX_HARNESS_EMULATOR_URL"),
        help="an already running emulator (default: start one)",
    )
    group.addoption("--run-dir", default=None, help="write per-test results, ledger and budget records here")
    group.addoption("--run-id", default=None, help="the run's ID (default: the --run-dir name, else a new one)")
    group.addoption(
        "--profile",
        default=None,
        choices=PROFILES,
        help="smoke | standard | full (default: full on the emulator, smoke on a site)",
    )
    group.addoption(
        "--replay",
        default=None,
        metavar="FILE",
        help="the replay file of a state machine's failure that contracts/stateful/replay_case.py runs "
        "(what webex-harness replay FILE does)",
    )
    group.addoption(
        "--plan-json",
        default=None,
        help="write the plan to this file instead of refusing one that does not fit the budget",
    )
    group.addoption(
        "--plan-budget",
        type=int,
        default=None,
        help="the budget the plan is checked against (default: budget.max_requests); the plan line "
        "is then not printed (the caller printed it)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    """Register the harness when the run asks for it; otherwise leave the run alone."""
    if requested_environment(config) is None:
        return
    from webex_harness.plugin import hooks

    if not config.pluginmanager.is_registered(hooks):
        config.pluginmanager.register(hooks, "webex-harness-hooks")
