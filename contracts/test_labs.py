"""Training Center Hands-on Labs (reference pages getlabinfo, getlabschedule, checklabavailability,
reservelab): a site's labs, their schedule, availability that follows from the reservations, and
reservations that never overbook a lab.

No XML API cancels a lab reservation, so every test that reserves computers runs on the emulator only
(with its own labs, set through the control API); on a real site the read-only tests run against the
labs the site has and make no reservation.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import XmlResponse

#: The labs the reserving tests give their emulator site.
_LABS = [
    {"labName": "Wxh Small Lab", "description": "two computers", "computers": 2},
    {"labName": "Wxh Big Lab", "description": "ten computers", "computers": 10},
]
#: GMT (timeZoneID 20 in the Webex table), so the tests' times need no conversion.
_GMT = 20


def _emulator_only(site: SiteHandle) -> None:
    if not site.is_emulator:
        pytest.skip("reserves lab computers, and no XML API cancels a lab reservation on a real site")
    site.control.set_labs(site.name, _LABS)


def _when(site: SiteHandle, days: float, hours: float = 0) -> datetime:
    """The site's clock (GMT, whole minutes; the emulator's may have been moved) moved by ``days`` and ``hours``."""
    now = datetime.fromisoformat(site.state()["now"]).astimezone(UTC) if site.is_emulator else datetime.now(UTC)
    return now.replace(tzinfo=None, second=0, microsecond=0) + timedelta(days=days, hours=hours)


def _fmt(when: datetime) -> str:
    return when.strftime("%m/%d/%Y %H:%M:%S")


def _reserve(xml: XmlClient, lab: str, computers: int, start: datetime, end: datetime, topic: str) -> XmlResponse:
    return xml.call(
        "training",
        "ReserveLab",
        {
            "labName": lab,
            "numComputers": computers,
            "topic": topic,
            "timeLimit": 60,
            "startDate": _fmt(start),
            "endDate": _fmt(end),
            "timeZoneID": _GMT,
            "sendMail": False,
        },
    )


def _window(start: datetime, end: datetime) -> dict[str, object]:
    return {"timeZoneID": _GMT, "sessionStartTime": _fmt(start), "sessionEndTime": _fmt(end)}


def _availability(xml: XmlClient, lab: str, computers: int, start: datetime, end: datetime) -> str | None:
    got = xml.call(
        "training", "CheckLabAvailability", {"labName": lab, **_window(start, end), "numComputers": computers}
    ).expect_success()
    return got.text("train:availabilityLabs/train:status")


def _schedule(xml: XmlClient, lab: str, start: datetime, end: datetime) -> list[str]:
    got = xml.call("training", "GetLabSchedule", {"labName": lab, **_window(start, end)}).expect_success()
    return got.texts("train:scheduledLabs/train:confName")


def _labs(xml: XmlClient) -> list[tuple[str, int]]:
    """(labName, totalComputers) of every lab the site has (skips when it has none)."""
    got = xml.call("training", "GetLabInfo", {})
    if got.exception_id == "000015":
        pytest.skip("the site has no Hands-on Labs")
    got.expect_success()
    names = got.texts("train:labInfo/train:labName")
    totals = [int(t) for t in got.texts("train:labInfo/train:totalComputers")]
    return list(zip(names, totals, strict=True))


# ---------------------------------------------------------------- lab-info


@pytest.mark.behaviour("lab-info")
def test_lab_info_answers_the_lab_named_and_nothing_else(site: SiteHandle) -> None:
    xml = site.client("host")
    labs = _labs(xml)
    name, total = labs[-1]
    got = xml.call("training", "GetLabInfo", {"labName": name}).expect_success()
    assert got.texts("train:labInfo/train:labName") == [name], got.describe()
    assert got.text("train:labInfo/train:totalComputers") == str(total)
    body = got.body
    assert body is not None
    assert [c.tag.split("}")[1] for c in body[0]] == [
        "labID",
        "labName",
        "description",
        "totalComputers",
        "computersInSession",
    ]


@pytest.mark.behaviour("lab-info")
def test_lab_info_for_a_lab_the_site_does_not_have_is_000015(site: SiteHandle) -> None:
    xml = site.client("host")
    _labs(xml)
    got = xml.call("training", "GetLabInfo", {"labName": "Wxh no such lab 7f3c"})
    assert got.result == "FAILURE" and got.exception_id == "000015", got.describe()


@pytest.mark.behaviour("lab-info")
def test_lab_info_counts_the_computers_reserved_now(site: SiteHandle) -> None:
    _emulator_only(site)
    xml = site.client("host")
    _reserve(xml, "Wxh Big Lab", 3, _when(site, 0, -1), _when(site, 0, 2), "now").expect_success()
    _reserve(xml, "Wxh Big Lab", 4, _when(site, 2), _when(site, 2, 2), "later").expect_success()
    got = xml.call("training", "GetLabInfo", {"labName": "Wxh Big Lab"}).expect_success()
    assert got.text("train:labInfo/train:computersInSession") == "3", got.describe()
    assert got.text("train:labInfo/train:totalComputers") == "10"


# ---------------------------------------------------------------- lab-schedule


@pytest.mark.behaviour("lab-schedule")
def test_lab_schedule_lists_the_reservations_in_the_window_only(site: SiteHandle) -> None:
    _emulator_only(site)
    xml = site.client("host")
    start, end = _when(site, 10), _when(site, 10, 2)
    holder = _reserve(xml, "Wxh Big Lab", 2, start, end, "Wxh schedule check").expect_success()
    assert (holder.text("train:holSessionID") or "").isdigit(), holder.describe()
    got = xml.call("training", "GetLabSchedule", {"labName": "Wxh Big Lab", **_window(_when(site, 9), _when(site, 11))})
    got.expect_success()
    assert got.texts("train:scheduledLabs/train:confName") == ["Wxh schedule check"]
    assert got.text("train:scheduledLabs/train:sessionStartTime") == _fmt(start)
    assert got.text("train:scheduledLabs/train:sessionEndTime") == _fmt(end)
    assert got.text("train:scheduledLabs/train:hostWebExID") == xml.security.webex_id
    assert got.text("train:scheduledLabs/train:numComputers") == "2"
    assert _schedule(xml, "Wxh Big Lab", _when(site, 11), _when(site, 20)) == []
    assert _schedule(xml, "Wxh Small Lab", _when(site, 9), _when(site, 11)) == []


@pytest.mark.behaviour("lab-schedule")
def test_lab_schedule_answers_in_the_time_zone_asked(site: SiteHandle) -> None:
    _emulator_only(site)
    xml = site.client("host")
    start = _when(site, 5)
    _reserve(xml, "Wxh Big Lab", 1, start, start + timedelta(hours=1), "Wxh zones").expect_success()
    window = {"labName": "Wxh Big Lab", "timeZoneID": 45, "sessionStartTime": _fmt(_when(site, 4))}
    got = xml.call("training", "GetLabSchedule", {**window, "sessionEndTime": _fmt(_when(site, 6))}).expect_success()
    beijing = start + timedelta(hours=8)  # timeZoneID 45 is China (Beijing), GMT+08:00, no daylight saving
    assert got.text("train:scheduledLabs/train:sessionStartTime") == _fmt(beijing), got.describe()
    assert got.text("train:scheduledLabs/train:timeZoneID") == "45"


# ---------------------------------------------------------------- lab-availability


@pytest.mark.behaviour("lab-availability")
def test_lab_is_never_available_for_more_computers_than_it_has(site: SiteHandle) -> None:
    xml = site.client("host")
    name, total = _labs(xml)[0]
    start = _when(site, 20)
    assert _availability(xml, name, total + 1, start, start + timedelta(hours=1)) == "UNAVAILABLE"


@pytest.mark.behaviour("lab-availability")
def test_lab_availability_follows_from_the_reservations(site: SiteHandle) -> None:
    _emulator_only(site)
    xml = site.client("host")
    start, end = _when(site, 3), _when(site, 3, 2)
    assert _availability(xml, "Wxh Small Lab", 2, start, end) == "AVAILABLE"
    _reserve(xml, "Wxh Small Lab", 1, start, end, "Wxh half").expect_success()
    assert _availability(xml, "Wxh Small Lab", 2, start, end) == "UNAVAILABLE"
    assert _availability(xml, "Wxh Small Lab", 2, start + timedelta(hours=1), end + timedelta(hours=1)) == "UNAVAILABLE"
    assert _availability(xml, "Wxh Small Lab", 1, start, end) == "AVAILABLE"
    assert _availability(xml, "Wxh Small Lab", 2, end, end + timedelta(hours=1)) == "AVAILABLE"


# ---------------------------------------------------------------- lab-reservation-capacity


@pytest.mark.behaviour("lab-reservation-capacity")
def test_reservation_that_does_not_fit_is_refused_and_books_nothing(site: SiteHandle) -> None:
    _emulator_only(site)
    xml = site.client("host")
    start, end = _when(site, 4), _when(site, 4, 3)
    first = _reserve(xml, "Wxh Small Lab", 2, start, end, "Wxh full").expect_success()
    clash = _reserve(xml, "Wxh Small Lab", 1, start + timedelta(hours=2), end + timedelta(hours=2), "Wxh clash")
    assert clash.result == "FAILURE", f"the lab's two computers are reserved: {clash.describe()}"
    later = _reserve(xml, "Wxh Small Lab", 2, end, end + timedelta(hours=1), "Wxh after").expect_success()
    assert first.text("train:holSessionID") != later.text("train:holSessionID")
    assert _schedule(xml, "Wxh Small Lab", _when(site, 3), _when(site, 5)) == ["Wxh full", "Wxh after"]


@pytest.mark.behaviour("lab-reservation-capacity")
def test_reservation_of_more_computers_than_the_lab_has_is_refused(site: SiteHandle) -> None:
    _emulator_only(site)
    xml = site.client("host")
    got = _reserve(xml, "Wxh Small Lab", 3, _when(site, 6), _when(site, 6, 1), "Wxh too many")
    assert got.result == "FAILURE", got.describe()
    assert _schedule(xml, "Wxh Small Lab", _when(site, 5), _when(site, 7)) == []
