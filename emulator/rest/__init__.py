"""The emulator's REST meetings API under ``/v1`` (003 "Update a Meeting"; wire.md "REST").

:mod:`emulator.rest.handlers` is HTTP in and out, :mod:`emulator.rest.models` the state and
rules, :mod:`emulator.rest.recurrence` the RFC 2445 rules. Importing this package declares the
faults of every ``rest-*`` behaviour.
"""

from emulator.rest.handlers import RATE_LIMIT, RATE_WINDOW, handle, respond

__all__ = ["RATE_LIMIT", "RATE_WINDOW", "handle", "respond"]
