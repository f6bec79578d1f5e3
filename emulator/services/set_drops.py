"""One fault per XML Set API: the Set answers SUCCESS but does not keep one documented element it was
sent, so the matching Get keeps answering what the object held before (behaviours
``<set-api>-read-back`` of ``webex/behaviours.yaml``, proven by ``contracts/test_read_back.py``).

The table says which element each Set API drops. A Set handler calls :func:`honoured` first and reads
the body it returns: with the fault on, a copy of the request without that element (nothing else
changes); a handler for which the element is required (the body must carry it) asks :func:`drops`
instead and keeps the old value itself.

Stands on :mod:`emulator.dispatch` (the call), :mod:`emulator.faults` and :mod:`emulator.xmlio`.
"""

from __future__ import annotations

import dataclasses

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import Fault, declare
from webex_harness.emulator.xmlio import Node

__all__ = ["DROPPED", "drops", "honoured"]


def _declare(api: str, behaviour: str, path: str) -> tuple[str, tuple[Fault, str]]:
    fault = declare(behaviour, f"{api} answers SUCCESS but does not keep {path}: the Get answers the old value")
    return api, (fault, path)


#: Set API -> (its fault, the request element it drops when the fault is on)
DROPPED: dict[str, tuple[Fault, str]] = dict(
    [
        _declare("SetMeeting", "set-meeting-read-back", "metaData/confName"),
        _declare("SetEvent", "set-event-read-back", "metaData/description"),
        _declare("SetTrainingSession", "set-training-session-read-back", "metaData/confName"),
        _declare("SetScheduledTest", "set-scheduled-test-read-back", "deliveryMethod/dueDate"),
        _declare("SetTeleconferenceSession", "set-teleconference-session-read-back", "metaData/confName"),
        _declare("SetUser", "set-user-read-back", "lastName"),
        _declare("SetRecordingInfo", "set-recording-info-read-back", "basic/topic"),
        _declare("SetupOneClickSettings", "setup-one-click-settings-read-back", "metaData/listing"),
        _declare("SetOneClickSettings", "set-one-click-settings-read-back", "oneClickMetaData/sessionType"),
        _declare("SetContact", "set-contact-read-back", "contact/company"),
        _declare("SetDistList", "set-dist-list-read-back", "distList/desc"),
    ]
)


def drops(call: Call) -> str | None:
    """The request element the call's Set API drops when its fault is on for the site, else None."""
    entry = DROPPED.get(call.api)
    return entry[1] if entry is not None and call.fault(entry[0]) else None


def _without(node: Node, steps: list[str]) -> Node:
    """A copy of ``node`` without the element at ``steps`` (local names, case-blind); only the nodes
    on the way are copied, the request itself is left as it is."""
    low = steps[0].lower()
    kept: list[Node] = []
    for child in node.children:
        if child.key != low:
            kept.append(child)
        elif len(steps) > 1:
            kept.append(_without(child, steps[1:]))
    return Node(node.name, node.text, kept, dict(node.attrs))


def honoured(call: Call) -> Call:
    """``call`` itself, or with its Set API's fault on a copy whose body lacks the dropped element."""
    path = drops(call)
    if path is None:
        return call
    return dataclasses.replace(call, node=_without(call.node, path.split("/")))
