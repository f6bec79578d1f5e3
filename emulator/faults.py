"""The bug zoo: one fault per documented behaviour ID.

``POST /_emulator/sites/{site}/faults {"enable": [...]}`` switches faults on for one site; the
code implementing a behaviour checks ``call.fault("<ID>")`` (or ``site.fault``) and, when it is
on, breaks exactly that promise and nothing else. ``webex-harness selfcheck`` proves each is
detected by the contract tests marked with the same ID.

Each service module declares the faults of the behaviours it implements with :func:`declare`, next
to the code that honours them; :func:`emulator.registered.all_faults` lists them once every service
is registered.
"""

from __future__ import annotations

#: behaviour ID -> what the emulator does wrong when the fault is on.
FAULTS: dict[str, str] = {}


def declare(behaviour_id: str, breaks: str) -> str:
    """Declare the fault for ``behaviour_id`` (what it breaks); returns the ID."""
    FAULTS[behaviour_id] = breaks
    return behaviour_id


declare("body-content-limit", "answers every bodyContent however many there are (no 000053)")
