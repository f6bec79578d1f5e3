"""Running a state machine as a contract test, and what a failure leaves: a numbered list of the
shrunk sequence of calls with their envelopes, and a replay file.

:func:`run_machine` runs a :class:`~contracts.stateful.machine.ContractMachine` with hypothesis
(seeded by the run's ``--seed`` and the machine's name, so a run is repeatable; failures also go to
the hypothesis database under the reports folder when the run has one). Each example gets its own
site from ``site_factory`` — a fresh emulator site, or the environment's real site. On a real site
the examples and steps are cut to what the run's budget allows (:func:`bounds`).

When the machine fails, the failing sequence is shrunk by :func:`contracts.stateful.rerun.minimise`:
every step the failure does not need is removed, each shorter sequence run again on a fresh site — a
fixed number of runs, so the listing does not depend on how much CPU the run got (hypothesis' own
shrinker, bounded by time on machines this slow per example, did). That machine's steps are printed
(numbered, each call's masked request and answer) and saved as a replay file
(``<run folder>/stateful/<Machine>.json``, JSON: the machine, the seed, the steps with their
arguments). :func:`replay` runs such a file's steps again on a site — what ``webex-harness replay``
does — and fails the same way when the defect is still there.
"""

from __future__ import annotations

import importlib
import json
import os
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, Verbosity, settings
from hypothesis.database import DirectoryBasedExampleDatabase
from hypothesis.stateful import run_state_machine_as_test

from webex_harness.client.xml_client import BudgetExceeded
from webex_harness.contracts.stateful.machine import ContractMachine, args_text
from webex_harness.contracts.stateful.rerun import minimise, run_steps
from webex_harness.plugin.targets import SiteHandle

__all__ = ["REPLAY_FORMAT", "Bounds", "Replay", "bounds", "load_replay", "replay", "run_machine", "step_lines"]

#: the version of the replay file's layout
REPLAY_FORMAT = 1
#: requests a step sends at most, as far as the bounds on a real site are concerned
REQUESTS_PER_STEP = 4
#: examples and steps a machine runs on a real site at most (the budget may allow fewer)
SITE_EXAMPLES = 3
SITE_STEPS = 10
#: set to ``0`` to report a failure unshrunk (e.g. when only detection counts: a selfcheck)
SHRINK_VARIABLE = "WEBEX_HARNESS_STATEFUL_SHRINK"

SiteFactory = Callable[..., SiteHandle]


@dataclass(frozen=True)
class Bounds:
    """How many examples a machine runs and how many steps each has at most."""

    examples: int
    steps: int


def bounds(machine: type[ContractMachine], site: SiteHandle) -> Bounds:
    """The machine's own bounds on the emulator; on a real site at most :data:`SITE_EXAMPLES` ×
    :data:`SITE_STEPS`, and no more steps than half of what is left of the budget allows."""
    if site.is_emulator:
        return Bounds(machine.examples, machine.steps_per_example)
    steps = min(machine.steps_per_example, SITE_STEPS)
    budget = site.target.budget
    left = budget.max_requests - budget.used
    examples = min(machine.examples, SITE_EXAMPLES, left // (2 * REQUESTS_PER_STEP * steps))
    if examples < 1:
        pytest.skip(f"budget: {left} requests left, a state machine needs {2 * REQUESTS_PER_STEP * steps}")
    return Bounds(examples, steps)


#: the package of the stateful contracts, by its one import name
STATEFUL_PACKAGE = "webex_harness.contracts.stateful"


def machine_path(machine: type[ContractMachine]) -> str:
    """``module:Class`` of a machine (what a replay file names), the module by its package name
    (pytest may have imported it by a path-based name such as ``contracts.stateful.test_meetings``)."""
    return f"{_package_name(machine.__module__)}:{machine.__qualname__}"


def _package_name(module: str) -> str:
    tail = module.split("contracts.stateful.", 1)
    return f"{STATEFUL_PACKAGE}.{tail[1]}" if len(tail) == 2 else module


def machine_named(path: str) -> type[ContractMachine]:
    """The machine a replay file names (``module:Class``)."""
    module_name, _, class_name = path.partition(":")
    module_name = _package_name(module_name)
    if not module_name.startswith(STATEFUL_PACKAGE + ".") or not class_name:
        raise ValueError(f"{path!r} is not a state machine of the stateful contracts")
    try:
        module = importlib.import_module(module_name)
    except ImportError:
        raise ValueError(f"{path!r}: no module {module_name!r} among the stateful contracts") from None
    found = getattr(module, class_name, None)
    if not (isinstance(found, type) and issubclass(found, ContractMachine)):
        raise ValueError(f"{path!r} is not a state machine of the stateful contracts")
    return found


def _seed(machine: type[ContractMachine], run_seed: int) -> int:
    return zlib.crc32(f"{machine_path(machine)}:{run_seed}".encode())


def _database(run_dir: Path | None) -> DirectoryBasedExampleDatabase | None:
    if run_dir is None:
        return None
    return DirectoryBasedExampleDatabase(str(run_dir.parent / ".hypothesis"))


def run_machine(
    machine: type[ContractMachine],
    site_factory: SiteFactory,
    *,
    seed: int,
    run_dir: Path | None,
    save_dir: Path,
) -> None:
    """Run ``machine`` (fresh site per example); on failure print the shrunk steps and save them to
    ``save_dir`` (the run folder's ``stateful/``), then fail the test with both."""
    probe = site_factory(**machine.site_settings)
    limits = bounds(machine, probe)
    made: list[ContractMachine] = []

    def factory() -> ContractMachine:
        site = probe if not made else site_factory(**machine.site_settings)
        made.append(machine(site))
        return made[-1]

    factory._hypothesis_internal_use_seed = _seed(machine, seed)  # type: ignore[attr-defined]  # hypothesis' @seed hook
    options = settings(
        max_examples=limits.examples,
        stateful_step_count=limits.steps,
        deadline=None,
        database=_database(run_dir),
        suppress_health_check=list(HealthCheck),
        # no hypothesis shrinking: its bound is time, which a loaded runner reaches; minimise is exact
        phases=[Phase.explicit, Phase.reuse, Phase.generate],
        verbosity=Verbosity.quiet,
        print_blob=False,
        report_multiple_bugs=False,  # one failure, shrunk: the one listed and saved
    )
    try:
        run_state_machine_as_test(factory, settings=options)  # type: ignore[arg-type]  # a factory is accepted
    except BudgetExceeded:
        raise
    except Exception as exc:
        last = made[-1] if made else None
        if last is None:
            raise
        error: BaseException = exc
        if _shrinking():  # the shrink: every step the failure does not need removed
            steps = [step.to_dict() for step in last.steps]
            outcome = minimise(machine, steps, lambda: site_factory(**machine.site_settings))
            if outcome is not None:
                last, error = outcome.machine, outcome.error
        path = save_replay(last, seed, error, save_dir)
        raise AssertionError(
            f"{machine.__name__} failed after {len(last.steps)} "
            f"steps: {_first_line(error)}\n{last.listing()}\nsaved: {path}\n"
            f"replay: webex-harness replay {path} --env <environment>"
        ) from exc


def _shrinking() -> bool:
    return os.environ.get(SHRINK_VARIABLE, "1").strip() != "0"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def save_replay(machine: ContractMachine, seed: int, exc: BaseException, save_dir: Path) -> Path:
    """Write the machine's steps as a replay file; its path."""
    save_dir.mkdir(parents=True, exist_ok=True)
    kind = type(machine)
    path = save_dir / f"{kind.__name__}.json"
    record = {
        "format": REPLAY_FORMAT,
        "machine": machine_path(kind),
        "seed": seed,
        "site_settings": kind.site_settings,
        "failure": machine.site.target.secrets.mask(str(exc).strip()),
        "steps": [step.to_dict() for step in machine.steps],
        "listing": machine.listing().splitlines(),
    }
    path.write_text(json.dumps(record, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


@dataclass(frozen=True)
class Replay:
    """A replay file, read: the machine, the site settings it needs and the steps to run."""

    machine: type[ContractMachine]
    site_settings: dict[str, Any]
    steps: list[dict[str, Any]]
    path: Path


def load_replay(path: Path) -> Replay:
    """Read a replay file; :class:`ValueError` with one line naming what is wrong."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: cannot read the replay file ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise ValueError(f"{path}: not a replay file (not JSON: {exc.msg} at line {exc.lineno})") from exc
    if not isinstance(record, dict) or record.get("format") != REPLAY_FORMAT:
        raise ValueError(f"{path}: not a replay file of format {REPLAY_FORMAT}")
    steps = record.get("steps")
    if not isinstance(steps, list) or not all(
        isinstance(s, dict) and isinstance(s.get("rule"), str) and isinstance(s.get("args", {}), dict) for s in steps
    ):
        raise ValueError(f"{path}: 'steps' must be a list of {{rule, args}}")
    settings_ = record.get("site_settings") or {}
    if not isinstance(settings_, dict):
        raise ValueError(f"{path}: 'site_settings' must be a mapping")
    try:
        machine = machine_named(str(record.get("machine", "")))
    except ValueError as exc:
        raise ValueError(f"{path}: {exc}") from None
    made: set[str] = set()
    for number, step in enumerate(steps, 1):
        if machine.rule_named(step["rule"]) is None:
            raise ValueError(f"{path}: step {number}: {machine.__name__} has no rule {step['rule']!r}")
        unknown = sorted(_labels(step.get("args") or {}) - made)
        if unknown:
            raise ValueError(f"{path}: step {number} ({step['rule']}) names {unknown[0]!r} before a step made it")
        if isinstance(step.get("made"), str):
            made.add(step["made"])
    return Replay(machine, dict(settings_), steps, path)


def _labels(value: Any) -> set[str]:
    """The labels of the refs a step's (encoded) arguments name."""
    if isinstance(value, dict):
        if set(value) == {"ref"}:
            return {str(value["ref"])}
        return set().union(*(_labels(v) for v in value.values())) if value else set()
    if isinstance(value, list):
        return set().union(*(_labels(v) for v in value)) if value else set()
    return set()


def step_lines(recorded: Replay) -> list[str]:
    """The replay file's steps, numbered, as the failure listing names them."""
    lines = []
    for number, step in enumerate(recorded.steps, 1):
        made = f" -> {step['made']}" if step.get("made") else ""
        lines.append(f"{number}. {step['rule']}({args_text(step.get('args') or {})}){made}")
    return lines


def replay(recorded: Replay, site: SiteHandle) -> ContractMachine:
    """Run a replay file's steps on ``site``, checking the machine's invariants after each; raises
    :class:`AssertionError` with the numbered steps when one fails (the machine cleans up either way)."""
    kept: list[ContractMachine] = []
    try:
        return run_steps(recorded.machine, recorded.steps, site, kept)
    except AssertionError as exc:
        listing = kept[-1].listing() if kept else ""
        raise AssertionError(f"replay of {recorded.path} failed: {_first_line(exc)}\n{listing}") from exc
