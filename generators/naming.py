"""Run names inside generated envelopes: what a run creates must carry ``<cleanup_prefix>-<run-id>``
so that ``webex-harness cleanup`` can find it by name even when the run died before its ledger said
so. The load scenarios and the contract suites both name their creates with :func:`with_run_name`.
"""

from __future__ import annotations

import re

__all__ = ["names_objects", "with_run_name"]

#: The elements naming a session in a Create*/Set* body (meetings, training, teleconference and
#: support sessions: confName; events: sessionName).
_NAME_RE = re.compile(rb"<((?:\w+:)?(?:confName|sessionName))>[^<]*</\1>")


def names_objects(api: str) -> bool:
    """Whether ``api``'s envelope may name (create or rename) an object: Create*, Set*, Register*."""
    return api.startswith(("Create", "Set", "Register"))


def with_run_name(envelope: bytes, name: str) -> bytes:
    """``envelope`` with every session name element holding ``name`` (a run name: no XML specials)."""
    value = name.encode()
    return _NAME_RE.sub(lambda m: b"<" + m.group(1) + b">" + value + b"</" + m.group(1) + b">", envelope)
