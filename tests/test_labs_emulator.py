"""The emulator's Hands-on Labs (emulator/lab_store.py, emulator/services/labs.py): the labs a site is
seeded with, the control API that replaces them, what is free after which reservations, the bound on
kept reservations, and the refusals the contracts do not reach (unknown lab by ID, windows, counts)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest

from tests.test_emulator_control import Emulator, host_of
from webex_harness.emulator import lab_store
from webex_harness.emulator.lab_store import DEFAULT_LABS, LabStore

T0 = datetime(2026, 12, 1, 10, 0, 0)


@pytest.fixture
def emu() -> Emulator:
    return Emulator()


def _site(emu: Emulator) -> dict[str, Any]:
    return dict(emu.control("POST", "sites", {}))


def _reserve(store: LabStore, name: str, computers: int, start_h: float, end_h: float) -> None:
    lab = store.lab(name)
    assert lab is not None
    store.reserve(lab, "host", "t", computers, T0 + timedelta(hours=start_h), T0 + timedelta(hours=end_h), 20)


# ---------------------------------------------------------------- the store


def test_a_new_site_has_the_default_labs_matched_in_any_case() -> None:
    store = LabStore()
    assert [(lab.name, lab.description, lab.computers) for lab in store.labs()] == list(DEFAULT_LABS)
    assert store.lab("lab1") is store.lab("LAB1") is not None
    assert store.lab("no such lab") is None and store.lab(None) is None


def test_free_computers_are_the_lab_less_every_overlapping_reservation() -> None:
    store = LabStore([("Room", "", 5)])
    room = store.lab("Room")
    assert room is not None
    _reserve(store, "Room", 2, 0, 2)
    _reserve(store, "Room", 1, 1, 3)
    assert store.free(room, T0, T0 + timedelta(hours=1)) == 3  # only the first holds [0, 1)
    assert store.free(room, T0 + timedelta(minutes=30), T0 + timedelta(hours=2)) == 2
    assert store.free(room, T0 + timedelta(hours=3), T0 + timedelta(hours=4)) == 5  # a reservation ends at 3
    assert store.in_session(room, T0 + timedelta(hours=1, minutes=30)) == 3
    assert store.in_session(room, T0 - timedelta(minutes=1)) == 0


def test_replacing_the_labs_drops_their_reservations() -> None:
    store = LabStore()
    _reserve(store, "Lab1", 1, 0, 1)
    store.replace([("Lab1", "again", 3)])
    lab = store.lab("Lab1")
    assert lab is not None and store.reservations(lab) == [] and lab.computers == 3


def test_kept_reservations_are_bounded_and_the_first_ended_goes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(lab_store, "MAX_LAB_RESERVATIONS", 3)
    store = LabStore([("Room", "", 100)])
    room = store.lab("Room")
    assert room is not None
    for i in range(4):
        _reserve(store, "Room", 1, 10 - i, 11 - i)  # the last one made ends first
    kept = store.reservations(room)
    assert len(kept) == 3 and min(r.end for r in kept) == T0 + timedelta(hours=9)


# ---------------------------------------------------------------- the control API


def test_the_control_api_replaces_a_sites_labs(emu: Emulator) -> None:
    site = _site(emu)
    got = emu.control("POST", f"sites/{site['name']}/labs", {"labs": [{"labName": "Only", "computers": 3}]})
    assert got == {"labs": [{"labID": 1001, "labName": "Only", "description": "", "computers": 3}]}
    assert emu.control("GET", f"sites/{site['name']}/state")["labs"] == got["labs"]
    info = emu.xml("training", "GetLabInfo", {}, host_of(site)).expect_success()
    assert info.texts("train:labInfo/train:labName") == ["Only"]


@pytest.mark.parametrize(
    ("labs", "says"),
    [
        ("Lab1", "expected"),
        ([{"computers": 2}], "labName"),
        ([{"labName": "A", "computers": 0}], "computers"),
        ([{"labName": "A", "computers": True}], "computers"),
        ([{"labName": "A", "computers": 1}, {"labName": "a", "computers": 1}], "twice"),
    ],
)
def test_the_control_api_refuses_a_bad_lab_list_and_keeps_the_labs(emu: Emulator, labs: Any, says: str) -> None:
    site = _site(emu)
    got = emu.control("POST", f"sites/{site['name']}/labs", {"labs": labs}, status=400)
    assert says in str(got)
    assert [lab["labName"] for lab in emu.control("GET", f"sites/{site['name']}/state")["labs"]] == ["Lab1", "Lab2"]


# ---------------------------------------------------------------- refusals


def test_lab_info_by_id_answers_that_lab_and_an_unknown_id_is_000015(emu: Emulator) -> None:
    site = _site(emu)
    host = host_of(site)
    got = emu.xml("training", "GetLabInfo", {"labID": 1002}, host).expect_success()
    assert got.texts("train:labInfo/train:labName") == ["Lab2"]
    assert emu.xml("training", "GetLabInfo", {"labID": 9}, host).exception_id == "000015"


@pytest.mark.parametrize(
    ("api", "body", "exception_id"),
    [
        ("GetLabSchedule", {"labName": "Nope", "sessionStartTime": "12/01/2026 10:00:00"}, "000015"),
        ("GetLabSchedule", {"labName": "Lab1", "sessionStartTime": "12/01/2026 10:00:00"}, "010001"),
        (
            "CheckLabAvailability",
            {
                "labName": "Lab1",
                "sessionStartTime": "12/01/2026 10:00:00",
                "sessionEndTime": "12/01/2026 09:00:00",
                "numComputers": 1,
            },
            "010001",
        ),
        (
            "CheckLabAvailability",
            {
                "labName": "Lab1",
                "sessionStartTime": "12/01/2026 10:00:00",
                "sessionEndTime": "12/01/2026 11:00:00",
                "numComputers": 0,
            },
            "010001",
        ),
        (
            "ReserveLab",
            {
                "labName": "Lab1",
                "numComputers": 1,
                "startDate": "12/01/2026 10:00:00",
                "endDate": "12/01/2026 11:00:00",
            },
            "010001",
        ),
    ],
    ids=["unknown-lab", "no-end", "end-before-start", "zero-computers", "no-topic"],
)
def test_lab_requests_missing_or_wrong_values_are_refused(
    emu: Emulator, api: str, body: dict[str, Any], exception_id: str
) -> None:
    site = _site(emu)
    got = emu.xml("training", api, body, host_of(site))
    assert got.result == "FAILURE" and got.exception_id == exception_id, got.describe()


def test_an_anonymous_caller_gets_no_lab(emu: Emulator) -> None:
    site = _site(emu)
    host = host_of(site)
    anonymous = type(host)(host.site_name)
    assert emu.xml("training", "GetLabInfo", {}, anonymous).exception_id == "000001"
