"""Running recorded steps of a state machine again: what a replay does, and the last shrink of a failure.

:func:`run_steps` runs steps (a replay file's ``{rule, args, made}`` records) on one site, in order,
checking the machine's invariants after each and honouring each rule's preconditions (a step whose
precondition does not hold on the site skips the run). :func:`minimise` takes the failing sequence
hypothesis shrank and removes every step the failure does not need, one at a time, each candidate
run again on a fresh site: hypothesis' shrinker is bounded (and may stop early on a loaded machine),
this pass leaves only steps without which the same rule no longer fails — a sequence a person can act
on. Removing a step that made an object renames the later objects of its kind (``meeting2`` becomes
``meeting1``), as a run of the shorter sequence names them.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from webex_harness.contracts.stateful.machine import ContractMachine, Ref, decode
from webex_harness.plugin.targets import SiteHandle

__all__ = ["Outcome", "minimise", "run_steps"]

_LABEL = re.compile(r"^(\D+)(\d+)$")


def run_steps(
    machine_class: type[ContractMachine],
    steps: list[dict[str, Any]],
    site: SiteHandle,
    keep: list[ContractMachine] | None = None,
) -> ContractMachine:
    """Run ``steps`` on ``site`` (the machine cleans up either way; ``keep`` gets it first, for a
    caller that needs its steps after a failure); raises what a step raised."""
    machine = machine_class(site)
    if keep is not None:
        keep.append(machine)
    try:
        for invariant in machine.invariants:  # hypothesis checks them before the first rule too
            invariant.function(machine)
        for number, step in enumerate(steps, 1):
            args = decode(step.get("args") or {}, machine.refs)
            found = machine_class.rule_named(step["rule"])
            if not all(precondition(machine) for precondition in found.preconditions):
                pytest.skip(f"step {number} ({step['rule']}) cannot run on this site (its precondition does not hold)")
            made = getattr(machine, step["rule"])(**args)
            if isinstance(made, Ref) and step.get("made") not in (None, made.label):
                raise AssertionError(f"step {number} ({step['rule']}) made {made.label}, the file says {step['made']}")
            for invariant in machine.invariants:
                if all(precondition(machine) for precondition in invariant.preconditions):
                    invariant.function(machine)
    finally:
        machine.teardown()
    return machine


class Outcome:
    """A failing run of steps: the machine (its steps and calls) and what it raised."""

    def __init__(self, machine: ContractMachine, error: BaseException) -> None:
        self.machine = machine
        self.error = error

    @property
    def rule(self) -> str:
        return self.machine.steps[-1].rule if self.machine.steps else ""


def _attempt(
    machine_class: type[ContractMachine], steps: list[dict[str, Any]], site_factory: Callable[[], SiteHandle]
) -> Outcome | None:
    """The failure of one run of ``steps`` on a fresh site, or ``None`` when they pass (or skip)."""
    holder: list[ContractMachine] = []
    try:
        run_steps(machine_class, steps, site_factory(), holder)
    except pytest.skip.Exception:
        return None
    except Exception as exc:
        return Outcome(holder[-1], exc) if holder else None
    return None


def _without(steps: list[dict[str, Any]], index: int) -> list[dict[str, Any]]:
    """``steps`` without step ``index``; the later objects of the kind it made renamed down by one."""
    gone = steps[index].get("made")
    match = _LABEL.match(gone) if isinstance(gone, str) else None
    if match is None:
        return steps[:index] + steps[index + 1 :]
    kind, number = match.group(1), int(match.group(2))

    def rename(label: str) -> str:
        found = _LABEL.match(label)
        if found and found.group(1) == kind and int(found.group(2)) > number:
            return f"{kind}{int(found.group(2)) - 1}"
        return label

    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            if set(value) == {"ref"}:
                return {"ref": rename(str(value["ref"]))}
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    out = []
    for step in steps[:index] + steps[index + 1 :]:
        made = step.get("made")
        out.append({**step, "args": walk(step.get("args") or {}), "made": rename(made) if made else made})
    return out


def _names_unmade(steps: list[dict[str, Any]]) -> bool:
    made: set[str] = set()
    for step in steps:
        if any(label not in made for label in _refs(step.get("args") or {})):
            return True
        if isinstance(step.get("made"), str):
            made.add(step["made"])
    return False


def _refs(value: Any) -> list[str]:
    if isinstance(value, dict):
        if set(value) == {"ref"}:
            return [str(value["ref"])]
        return [r for v in value.values() for r in _refs(v)]
    if isinstance(value, list):
        return [r for v in value for r in _refs(v)]
    return []


def minimise(
    machine_class: type[ContractMachine], steps: list[dict[str, Any]], site_factory: Callable[[], SiteHandle]
) -> Outcome | None:
    """The failure of ``steps`` with every step it does not need removed (the same rule must still
    fail); ``None`` when ``steps`` do not fail when run again (the failure is left as hypothesis found it)."""
    best = _attempt(machine_class, steps, site_factory)
    if best is None:
        return None
    current = [step.to_dict() for step in best.machine.steps]
    index = 0
    while index < len(current) - 1:  # the failing step itself stays
        candidate = _without(current, index)
        outcome = None if _names_unmade(candidate) else _attempt(machine_class, candidate, site_factory)
        if outcome is not None and outcome.rule == best.rule:
            best, current = outcome, [step.to_dict() for step in outcome.machine.steps]
        else:
            index += 1
    return best
