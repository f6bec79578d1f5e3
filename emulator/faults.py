"""The bug zoo: one fault per documented behaviour ID, each declared once with the handle its rules check.

``POST /_emulator/sites/{site}/faults {"enable": [...]}`` switches faults on for one site; the
code implementing a behaviour checks ``call.fault(HANDLE)`` (or ``site.fault``) with the
:class:`Fault` its module's :func:`declare` returned and, when it is on, breaks exactly that promise
and nothing else. ``webex-harness selfcheck`` proves each is detected by the contract tests marked
with the behaviour the fault names.

A fault is a behaviour ID, or an *aspect* of one (``usage-limit-403-scope``) that names its
behaviour at declaration. Each service module declares the faults of the behaviours it implements
next to the code that honours them; :func:`emulator.registered.all_faults` lists them once every
service is registered. Stands on nothing but the standard library.
"""

from __future__ import annotations

from typing import Any


class Fault(str):
    """A declared fault: its ID (the string itself, so it goes wherever an ID string goes), what it
    breaks, and the behaviour ID of ``webex/behaviours.yaml`` it breaks (itself unless an aspect)."""

    breaks: str
    behaviour: str

    def __new__(cls, fault_id: str, breaks: str, behaviour: str | None = None) -> Fault:
        self = super().__new__(cls, fault_id)
        object.__setattr__(self, "breaks", breaks)
        object.__setattr__(self, "behaviour", str(behaviour or fault_id))
        return self

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Fault {str(self)!r} is immutable")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Fault, (str(self), self.breaks, self.behaviour))


#: fault ID -> its declaration, in declaration order.
FAULTS: dict[str, Fault] = {}


def declare(fault_id: str, breaks: str, *, behaviour: str | None = None) -> Fault:
    """Declare the fault ``fault_id`` (what it breaks; ``behaviour``: the behaviour ID an aspect fault
    breaks, default ``fault_id`` itself); returns the handle the rules check. Declaring an ID twice
    is a programming error."""
    if fault_id in FAULTS:
        raise ValueError(f"fault {fault_id!r} declared twice")
    fault = Fault(fault_id, breaks, behaviour)
    FAULTS[fault_id] = fault
    return fault


BODY_CONTENT_LIMIT = declare("body-content-limit", "answers every bodyContent however many there are (no 000053)")
