"""The update path's read-back: what an accepted PATCH/PUT answers and what every later read shows.

An accepted update (:func:`emulator.rest.rules.update`) answers the meeting as it now is, and every
later read — ``GET /v1/meetings/{id}`` and List Meetings, by series, by number or by time window —
must show the same (003 "Update a Meeting", "List Meetings"). :func:`update` is the update path of
:mod:`emulator.rest.handlers` (the rules, then the answer), :func:`listed` one item of a list.
Three faults break the read-back here, each the way a real server could:

* ``rest-update-read-back``: the answer shows every field as sent, but the store keeps the old
  ``audioConnectionOptions.muteAttendeeUponEntry`` (:data:`DROPPED`): a later GET shows the old value;
* ``rest-list-read-back``: List Meetings answers a meeting series — itself and its scheduled
  meetings — as it was before its last update (a stale listing) while GET answers the update;
* ``rest-occurrence-read-back``: a change of one scheduled meeting of a recurring series is written
  to the series as well, so the series and every other occurrence show it.

Stands on :mod:`emulator.model` (the site), :mod:`emulator.faults`, :mod:`emulator.rest.rules`,
:mod:`emulator.rest.responses` and :mod:`emulator.rest.store`.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Site
from webex_harness.emulator.rest import rules
from webex_harness.emulator.rest.responses import render
from webex_harness.emulator.rest.store import Target, store
from webex_harness.emulator.rest.times import slot_key

UPDATE_READ_BACK = declare(
    "rest-update-read-back",
    "answers an update with audioConnectionOptions.muteAttendeeUponEntry as sent but keeps the old value",
)
LIST_READ_BACK = declare(
    "rest-list-read-back", "List Meetings answers an updated meeting as it was before its last update"
)
OCCURRENCE_READ_BACK = declare(
    "rest-occurrence-read-back",
    "a change of one scheduled meeting is written to its series too: every occurrence shows it",
)
#: the (object, field) :data:`UPDATE_READ_BACK` does not keep
DROPPED = ("audioConnectionOptions", "muteAttendeeUponEntry")


def update(site: Site, target: Target, body: dict[str, Any], now: datetime, method: str) -> dict[str, Any]:
    """PATCH or PUT ``target`` with ``body`` (:func:`emulator.rest.rules.update`, which raises for
    anything refused) and the meeting JSON the update answers."""
    if site.fault(LIST_READ_BACK):  # the listing keeps the series as it was before this update
        store(site).listed_before[target.series.id] = copy.deepcopy(target.series)
    kept = _effective(target).get(DROPPED[0], {}).get(DROPPED[1]) if site.fault(UPDATE_READ_BACK) else None
    updated = rules.update(site, target, body, now, method)
    if site.fault(OCCURRENCE_READ_BACK) and updated.kind == "scheduledMeeting" and updated.slot is not None:
        own = updated.series.exceptions.get(slot_key(updated.slot))
        if own is not None:
            updated.series.props.update(copy.deepcopy(own.props))
    answer = render(site, updated, now)
    if kept is not None:  # the UPDATE_READ_BACK fault
        _keep_old(updated, kept)
    return answer


def listed(site: Site, target: Target, now: datetime) -> dict[str, Any]:
    """One item of a List Meetings page: a series in its own time zone, an occurrence in UTC."""
    utc = target.kind != "meetingSeries"
    if site.fault(LIST_READ_BACK):
        before = store(site).listed_before.get(target.series.id)
        if before is not None:
            return render(site, Target(before, target.kind, target.slot), now, utc=utc)
    return render(site, target, now, utc=utc)


def _effective(target: Target) -> dict[str, Any]:
    """The properties ``target`` shows: its series', with a changed scheduled meeting's own on top."""
    props = dict(target.series.props)
    if target.slot is not None:
        own = target.series.exceptions.get(slot_key(target.slot))
        if own is not None:
            props.update(own.props)
    return props


def _keep_old(target: Target, value: Any) -> None:
    """:data:`UPDATE_READ_BACK`: put the old value of :data:`DROPPED` back into the store."""
    group, name = DROPPED
    series = target.series
    own = series.exceptions.get(slot_key(target.slot)) if target.slot is not None else None
    props = own.props if own is not None and group in own.props else series.props
    props[group] = {**props.get(group, {}), name: value}


__all__ = ["DROPPED", "LIST_READ_BACK", "OCCURRENCE_READ_BACK", "UPDATE_READ_BACK", "listed", "update"]
