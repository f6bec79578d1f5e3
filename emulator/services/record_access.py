"""Recording access reports of the history service: ``LstrecordaccessHistory`` (per recording, how
many participants registered for, downloaded and viewed it) and ``LstrecordaccessDetailHistory``
(every access of one recording).

Both follow the public XML API reference (pages ``lstrecordaccesshistory`` and
``lstrecordaccessdetailhistory``: request and response samples, and the published schema's element
order); the seeds do not name them. An access is a view or a download of a recording
(:class:`~emulator.history_store.RecordingAccess`): the emulator's control API records one at the
site clock (``POST /_emulator/sites/{site}/recordings/{id}/access``), and every seeded recording
(:mod:`emulator.services.recordings`) was viewed twice and downloaded once after it was made.

Rules, as the reference states them: a host sees the access reports of the recordings they own, a
site administrator those of every recording (``hostWebExID`` narrows an administrator's list). The
list's ``creationTimeScope`` narrows by when the recording was made, ``viewTimeScope`` by when it
was accessed (then only those accesses are counted and only recordings accessed in it are listed),
both read in the request's ``timeZoneID`` (else GMT). ``recordName`` narrows by name (case-blind
part of it). Paging (``listControl``, ``history:matchingRecords``) and an empty answer (000015) are
the other history lists'. The detail answers the accesses of ``recordID`` (unknown: 000015;
another host's, for a non-administrator: 000001), oldest first, times in the request's
``timeZoneID`` (else the recording's). ``returnRegFields`` is accepted; the emulator keeps no
registration form answers, so no ``regFields`` are returned.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from webex_harness.emulator.dispatch import Call
from webex_harness.emulator.faults import declare
from webex_harness.emulator.history_store import RecordingAccess
from webex_harness.emulator.model import Recording
from webex_harness.emulator.services import common
from webex_harness.emulator.services.recordings import recording_of, seed_recordings
from webex_harness.emulator.services.site import descending, handler, is_site_admin, paged
from webex_harness.emulator.xmlio import Element, Elements, Node
from webex_harness.webex import timezones

RECORD_ACCESS_HISTORY = declare(
    "record-access-history",
    "LstrecordaccessHistory counts every access as a view (downloaded always 0) and ignores viewTimeScope",
)
RECORD_ACCESS_DETAIL = declare(
    "record-access-detail",
    "LstrecordaccessDetailHistory lists the accesses of every recording the caller owns, whatever recordID names",
)

_ORDER: dict[str, Callable[[Recording], tuple[Any, ...]]] = {
    "RECORDID": lambda r: (int(r.recording_id),),
    "RECORDNAME": lambda r: (r.name.lower(), int(r.recording_id)),
    "CREATIONTIME": lambda r: (r.create_time, int(r.recording_id)),
}


def _request_zone(node: Node) -> int | None:
    tz = common.parse_int(node.get("timeZoneID"), "timeZoneID")
    return tz if tz is not None and timezones.valid_time_zone_id(tz) else None


def _bound(node: Node, path: str, tz: int | None) -> datetime | None:
    value = common.parse_date(node.get(path), path.rsplit("/", 1)[-1])
    if value is None or tz is None:
        return value
    return value.replace(tzinfo=timezones.offset(tz)).astimezone(UTC).replace(tzinfo=None)


def _within(when: datetime, low: datetime | None, high: datetime | None) -> bool:
    return (low is None or when >= low) and (high is None or when <= high)


def _local(when: datetime, tz: int) -> str:
    return common.format_date(when + timezones.offset(tz).utcoffset(None))


def _visible(call: Call) -> list[Recording]:
    """The recordings whose access reports the caller may read (their own; an administrator: all)."""
    caller = call.user()
    seed_recordings(call.site, caller)
    admin = is_site_admin(call, caller)
    return [r for r in call.site.recordings.values() if admin or r.host.lower() == caller.webex_id.lower()]


# ---------------------------------------------------------------- LstrecordaccessHistory


@handler("history", "LstrecordaccessHistory", "history:lstrecordaccessHistoryResponse")
def lst_recordaccess_history(call: Call) -> Elements:
    """Behaviour ``record-access-history``: one ``recordAccessHistory`` per recording (recordID,
    recordName, creationTime, registered, downloaded, viewed, timeZoneID), then
    ``matchingRecords``."""
    node = call.node
    tz = _request_zone(node)
    broken = call.fault(RECORD_ACCESS_HISTORY)
    records = _visible(call)
    host = (node.get("hostWebExID") or "").strip().lower()
    if host:
        records = [r for r in records if r.host.lower() == host]
    name = (node.get("recordName") or "").strip().lower()
    if name:
        records = [r for r in records if name in r.name.lower()]
    made_low = _bound(node, "creationTimeScope/creationTimeStart", tz)
    made_high = _bound(node, "creationTimeScope/creationTimeEnd", tz)
    records = [r for r in records if _within(r.create_time, made_low, made_high)]
    view_low = None if broken else _bound(node, "viewTimeScope/viewTimeStart", tz)
    view_high = None if broken else _bound(node, "viewTimeScope/viewTimeEnd", tz)
    scoped = view_low is not None or view_high is not None
    rows: list[tuple[Recording, list[RecordingAccess]]] = []
    for record in records:
        accesses = [
            a for a in call.site.recording_access.of(record.recording_id) if _within(a.time, view_low, view_high)
        ]
        if accesses or not scoped:
            rows.append((record, accesses))
    by = (node.get("order/orderBy") or "RECORDID").strip().upper()
    rows.sort(key=lambda row: _ORDER.get(by, _ORDER["RECORDID"])(row[0]), reverse=descending(node))
    chosen, matching = paged(call, node, rows, "history")
    out: list[Element] = []
    for record, accesses in chosen:
        shown = record.time_zone_id if tz is None else tz
        registered = {a.email.lower() for a in accesses if a.registered}
        out.append(
            (
                "history:recordAccessHistory",
                [
                    ("history:recordID", record.recording_id),
                    ("history:recordName", record.name),
                    ("history:creationTime", _local(record.create_time, shown)),
                    ("history:registered", len(registered)),
                    ("history:downloaded", 0 if broken else sum(a.downloaded for a in accesses)),
                    ("history:viewed", len(accesses) if broken else sum(a.viewed for a in accesses)),
                    ("history:timeZoneID", shown),
                ],
            )
        )
    return [*out, matching]


# ---------------------------------------------------------------- LstrecordaccessDetailHistory


@handler("history", "LstrecordaccessDetailHistory", "history:lstrecordaccessDetailHistoryResponse")
def lst_recordaccess_detail_history(call: Call) -> Elements:
    """Behaviour ``record-access-detail``: one ``recordDetail`` per access of ``recordID`` (viewID,
    participantName, participantEmail, accessTime, registered, registerDate, downloaded, viewed,
    timeZoneID), oldest first, then ``matchingRecords``."""
    node = call.node
    record = recording_of(call, node.get("recordID"))
    tz = _request_zone(node)
    shown = record.time_zone_id if tz is None else tz
    if call.fault(RECORD_ACCESS_DETAIL):
        owned = {r.recording_id for r in _visible(call) if r.host.lower() == record.host.lower()}
        accesses = [a for a in call.site.recording_access if a.recording_id in owned]
    else:
        accesses = call.site.recording_access.of(record.recording_id)
    accesses.sort(key=lambda a: (a.time, a.view_id))
    chosen, matching = paged(call, node, accesses, "history")
    return [
        *[
            (
                "history:recordDetail",
                [
                    ("history:viewID", a.view_id),
                    ("history:participantName", a.name),
                    ("history:participantEmail", a.email),
                    ("history:accessTime", _local(a.time, shown)),
                    ("history:registered", a.registered),
                    ("history:registerDate", _local(a.register_date, shown) if a.register_date else None),
                    ("history:downloaded", a.downloaded),
                    ("history:viewed", a.viewed),
                    ("history:timeZoneID", shown),
                ],
            )
            for a in chosen
        ],
        matching,
    ]
