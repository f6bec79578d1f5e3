"""Training Center Hands-on Labs: GetLabInfo, GetLabSchedule, CheckLabAvailability, ReserveLab.

A site's labs and their reservations live in :class:`emulator.lab_store.LabStore` (``Site.labs``).
Shapes follow the XML API Reference Guide's pages (developer.cisco.com/docs/webex-xml-api-reference-guide/
getlabinfo, getlabschedule, checklabavailability, reservelab) and the Training Session schema's
``labInfoType``, ``scheduleLabType``, ``availabilityLabType`` and ``reserveLabResponse`` (holSessionID).

Rules: a ``labName`` the site does not have is 000015; a window whose end is not after its start is
010001 naming the end element; ReserveLab books only what is free — the lab's computers less those of
every reservation overlapping the window — and refuses the rest with 010001 ``numComputers`` (the
page shows no exceptionID for a conflict; this is the emulator's). No API cancels a reservation.
Times in a request are local to its ``timeZoneID`` (the caller's time zone when absent) and are
answered in it.

Behaviours: ``lab-info``, ``lab-schedule``, ``lab-availability``, ``lab-reservation-capacity``.
"""

from __future__ import annotations

from datetime import UTC, datetime

from webex_harness.emulator.dispatch import Call, handler
from webex_harness.emulator.faults import declare
from webex_harness.emulator.lab_store import Lab, LabReservation
from webex_harness.emulator.services import common
from webex_harness.emulator.xmlio import Element, Elements
from webex_harness.webex import timezones
from webex_harness.webex.errors import invalid_value, no_record_found

LAB_INFO = declare("lab-info", "GetLabInfo lists every lab of the site whatever labName names")
LAB_SCHEDULE = declare("lab-schedule", "GetLabSchedule lists every reservation of the lab, in the window or not")
LAB_AVAILABILITY = declare("lab-availability", "CheckLabAvailability answers AVAILABLE however many computers are free")
LAB_RESERVATION_CAPACITY = declare(
    "lab-reservation-capacity", "ReserveLab books computers other reservations already hold in that window"
)


def _lab(call: Call, *, required: bool = True) -> Lab | None:
    """The lab ``labName`` names (000015 when the site has none of that name)."""
    name = call.node.get("labName")
    if name is None or not name.strip():
        if required:
            raise invalid_value("labName")
        return None
    lab = call.site.labs.lab(name)
    if lab is None:
        raise no_record_found()
    return lab


def _time_zone(call: Call) -> int:
    """The request's timeZoneID (``-1`` or absent: the caller's own time zone)."""
    tz = common.parse_int(call.node.get("timeZoneID"), "timeZoneID")
    if tz is None or tz == -1:
        return call.caller.time_zone_id if call.caller is not None else timezones.DEFAULT_TIME_ZONE_ID
    if not timezones.valid_time_zone_id(tz):
        raise invalid_value("timeZoneID")
    return tz


def _to_utc(local: datetime, tz: int) -> datetime:
    return local.replace(tzinfo=timezones.offset(tz)).astimezone(UTC).replace(tzinfo=None)


def _to_local(utc: datetime, tz: int) -> str:
    return common.format_date(utc.replace(tzinfo=UTC).astimezone(timezones.offset(tz)).replace(tzinfo=None))


def _window(call: Call, start_name: str, end_name: str, tz: int) -> tuple[datetime, datetime]:
    """The request's ``[start, end)`` as naive UTC; both required, the end after the start."""
    start = common.parse_date(call.node.get(start_name), start_name)
    end = common.parse_date(call.node.get(end_name), end_name)
    if start is None:
        raise invalid_value(start_name)
    if end is None or end <= start:
        raise invalid_value(end_name)
    return _to_utc(start, tz), _to_utc(end, tz)


def _computers(call: Call) -> int:
    count = common.parse_int(call.node.get("numComputers"), "numComputers")
    if count is None or count < 1:
        raise invalid_value("numComputers")
    return count


def _now(call: Call) -> datetime:
    return call.now().astimezone(UTC).replace(tzinfo=None)


@handler("training", "GetLabInfo")
def get_lab_info(call: Call) -> Elements:
    """One lab (``labName`` or ``labID``) or, with neither, every lab of the site."""
    call.user()
    store = call.site.labs
    labs = store.labs()
    if not call.fault(LAB_INFO):
        named = _lab(call, required=False)
        lab_id = common.parse_int(call.node.get("labID"), "labID")
        if named is not None:
            labs = [named]
        elif lab_id is not None:
            labs = [lab for lab in labs if lab.lab_id == lab_id]
    if not labs:
        raise no_record_found()
    now = _now(call)
    return [
        (
            "train:labInfo",
            [
                ("train:labID", lab.lab_id),
                ("train:labName", lab.name),
                ("train:description", lab.description),
                ("train:totalComputers", lab.computers),
                ("train:computersInSession", store.in_session(lab, now)),
            ],
        )
        for lab in labs
    ]


def _scheduled(reservation: LabReservation, tz: int) -> list[Element]:
    return [
        ("train:labName", reservation.lab),
        ("train:confName", reservation.topic),
        ("train:timeZoneID", tz),
        ("train:sessionStartTime", _to_local(reservation.start, tz)),
        ("train:sessionEndTime", _to_local(reservation.end, tz)),
        ("train:hostWebExID", reservation.host),
        ("train:numComputers", reservation.computers),
    ]


@handler("training", "GetLabSchedule")
def get_lab_schedule(call: Call) -> Elements:
    """The lab's reservations that overlap the window, in the order they were made."""
    call.user()
    lab = _lab(call)
    assert lab is not None
    tz = _time_zone(call)
    start, end = _window(call, "sessionStartTime", "sessionEndTime", tz)
    reservations = call.site.labs.reservations(lab)
    if not call.fault(LAB_SCHEDULE):
        reservations = [r for r in reservations if r.overlaps(start, end)]
    return [("train:scheduledLabs", _scheduled(r, tz)) for r in reservations]


@handler("training", "CheckLabAvailability")
def check_lab_availability(call: Call) -> Elements:
    """AVAILABLE when ``numComputers`` of the lab are free for the whole window, else UNAVAILABLE."""
    call.user()
    lab = _lab(call)
    assert lab is not None
    tz = _time_zone(call)
    start, end = _window(call, "sessionStartTime", "sessionEndTime", tz)
    wanted = _computers(call)
    free = call.site.labs.free(lab, start, end)
    available = wanted <= free or call.fault(LAB_AVAILABILITY)
    return [
        (
            "train:availabilityLabs",
            [
                ("train:labName", lab.name),
                ("train:timeZoneID", tz),
                ("train:sessionStartTime", _to_local(start, tz)),
                ("train:sessionEndTime", _to_local(end, tz)),
                ("train:numComputers", wanted),
                ("train:status", "AVAILABLE" if available else "UNAVAILABLE"),
            ],
        )
    ]


@handler("training", "ReserveLab")
def reserve_lab(call: Call) -> Elements:
    """Reserve ``numComputers`` of the lab from startDate to endDate for the caller's session."""
    host = call.user()
    lab = _lab(call)
    assert lab is not None
    wanted = _computers(call)
    topic = (call.node.get("topic") or "").strip()
    if not topic:
        raise invalid_value("topic")
    tz = _time_zone(call)
    start, end = _window(call, "startDate", "endDate", tz)
    common.parse_int(call.node.get("timeLimit"), "timeLimit")
    store = call.site.labs
    capacity = lab.computers if call.fault(LAB_RESERVATION_CAPACITY) else store.free(lab, start, end)
    if wanted > capacity:
        raise invalid_value("numComputers")
    reservation = store.reserve(lab, host.webex_id, common.filter_html(call, topic), wanted, start, end, tz)
    return [("train:holSessionID", reservation.hol_session_id)]
