"""The ``response-element-order`` fault: one answer with two of its elements swapped.

The reference's response samples fix the order of an answer's elements, and clients that read an
answer in sequence depend on it; the generic catalogue contract checks each API's documented
response elements come in that order. With the fault on, GetMeeting answers its first two top-level
elements (``accessControl`` and ``metaData``) the other way round — every element still there, only
the order broken. :func:`emulator.dispatch.answer` applies it to every handler's answer.

Stands on :mod:`emulator.faults` and :mod:`emulator.xmlio`.
"""

from __future__ import annotations

from webex_harness.emulator.faults import declare
from webex_harness.emulator.xmlio import Elements

__all__ = ["RESPONSE_ELEMENT_ORDER", "SWAPPED_API", "reorder"]

RESPONSE_ELEMENT_ORDER = declare(
    "response-element-order",
    "answers GetMeeting with its first two top-level elements (accessControl, metaData) swapped",
)

#: The API whose answer the fault changes.
SWAPPED_API = "GetMeeting"


def reorder(api: str, elements: Elements) -> Elements:
    """``elements`` with the first two swapped when ``api`` is :data:`SWAPPED_API` (the fault is on)."""
    if api != SWAPPED_API or len(elements) < 2:
        return elements
    first, second, *rest = elements
    return [second, first, *rest]
