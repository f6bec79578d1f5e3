"""Every part of the emulator, registered: importing this module imports each service module and
the REST API, whose handlers (:data:`emulator.dispatch.ROUTES`) and faults
(:data:`emulator.faults.FAULTS`) register as they are defined.

The services stand on :mod:`emulator.dispatch`, :mod:`emulator.faults` and :mod:`emulator.model`;
this module stands on the services, and only what serves or lists them (the app, the control
API, busy sites, the command line) imports it — so no module is imported by what it imports.
"""

from __future__ import annotations

from webex_harness.emulator import faults
from webex_harness.emulator import rest as _rest  # noqa: F401  (registers the REST API's faults)
from webex_harness.emulator import services as _services  # noqa: F401  (registers every XML service)


def all_faults() -> dict[str, str]:
    """Every declared fault: behaviour ID (or aspect) -> what the emulator does wrong."""
    return {fault_id: fault.breaks for fault_id, fault in faults.FAULTS.items()}


def behaviour_of(fault_id: str) -> str:
    """The behaviour ID the fault ``fault_id`` breaks, as its declaration names it (``KeyError``
    for an undeclared fault)."""
    return faults.FAULTS[fault_id].behaviour


def fault_behaviours() -> set[str]:
    """The behaviour IDs the declared faults break (each aspect counted under its behaviour)."""
    return {fault.behaviour for fault in faults.FAULTS.values()}


def unknown_faults(ids: list[str]) -> list[str]:
    """The IDs of ``ids`` no fault is declared for."""
    return sorted(set(ids) - set(faults.FAULTS))
