"""The emulator's REST meetings API under ``/v1`` (003 "Update a Meeting"; docs/wire.md J1–J11).

:mod:`emulator.rest.handlers` is HTTP in and out (routing, the 401/429/415 rules, list paging);
:mod:`emulator.rest.rules` the documented create/update/delete rules on the site's store
(:mod:`emulator.rest.store`), :mod:`emulator.rest.schema` the body's fields, types and limits,
:mod:`emulator.rest.times` date-time parsing and writing, :mod:`emulator.rest.responses` the JSON
answers, :mod:`emulator.rest.readback` the update path (an update's answer and what later reads
show), :mod:`emulator.rest.errors` the refusal, :mod:`emulator.rest.recurrence` the RFC 2445 rules.
Importing this package declares the faults of every ``rest-*`` behaviour.
"""

from webex_harness.emulator.rest.handlers import RATE_LIMIT, RATE_WINDOW, handle, respond

__all__ = ["RATE_LIMIT", "RATE_WINDOW", "handle", "respond"]
