"""The emulator's Training Center test library and IMS tests, in-process: rules the contract suite
does not reach (an administrator's rights, a refused multi-test delete, scheduling an uploaded test,
the control API's answer sheets, the bounded library), and the run's ledger cleaning up what an
upload or a copy made."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from tests.test_emulator_control import Emulator, host_of
from webex_harness.client.cleaner import Cleaner
from webex_harness.client.journal import Ledger
from webex_harness.client.ledger_hooks import LedgerHooks
from webex_harness.client.xml_client import ControlClient, XmlClient
from webex_harness.contracts.test_lib_tests import upload_body
from webex_harness.emulator import library_store
from webex_harness.emulator.library_store import AnswerSheet, LibraryStore, LibraryTest, Question
from webex_harness.emulator.server import RunningEmulator, running
from webex_harness.webex.envelope import Security, XmlResponse


@pytest.fixture
def emu() -> Emulator:
    return Emulator()


@pytest.fixture
def site(emu: Emulator) -> dict[str, Any]:
    return dict(emu.control("POST", "sites", {}))


def _upload(emu: Emulator, site: dict[str, Any], who: str = "host", library: str = "PRIVATE") -> str:
    got = emu.xml("training", "UploadIMStest", upload_body(f"t-{who}", library), host_of(site, who))
    test_id = got.expect_success().text("train:testID")
    assert test_id
    return test_id


def _listed(emu: Emulator, site: dict[str, Any], who: str) -> list[str]:
    got = emu.xml("training", "LstLibTests", {}, host_of(site, who))
    return [] if got.exception_id == "000015" else got.expect_success().texts("train:testInfo/train:testID")


def test_an_empty_library_lists_no_record_found(emu: Emulator, site: dict[str, Any]) -> None:
    assert emu.xml("training", "LstLibTests", {}, host_of(site)).exception_id == "000015"


def test_a_site_administrator_may_delete_another_users_test(emu: Emulator, site: dict[str, Any]) -> None:
    test_id = _upload(emu, site, "invitee", "SHARED")
    emu.xml("training", "DelLibTests", {"testID": test_id}, host_of(site, "admin")).expect_success()
    assert _listed(emu, site, "invitee") == []


def test_a_refused_delete_of_several_tests_deletes_none(emu: Emulator, site: dict[str, Any]) -> None:
    own = _upload(emu, site)
    other = _upload(emu, site, "invitee", "SHARED")
    refused = emu.xml("training", "DelLibTests", {"testID": [own, other]}, host_of(site))
    assert refused.exception_id == "000001"
    assert {own, other} <= set(_listed(emu, site, "host"))
    unknown = emu.xml("training", "DelLibTests", {"testID": [own, "99999999"]}, host_of(site))
    assert unknown.exception_id == "000015" and own in _listed(emu, site, "host")
    emu.xml("training", "DelLibTests", {"testID": [own]}, host_of(site)).expect_success()


def test_another_users_private_test_is_unknown_to_delete(emu: Emulator, site: dict[str, Any]) -> None:
    hidden = _upload(emu, site, "invitee")
    assert emu.xml("training", "DelLibTests", {"testID": hidden}, host_of(site)).exception_id == "000015"


def test_an_uploaded_test_can_be_scheduled_and_described(emu: Emulator, site: dict[str, Any]) -> None:
    test_id = _upload(emu, site)
    start = "12/01/2031 10:00:00"
    made = emu.xml(
        "training",
        "CreateTrainingSession",
        {"metaData": {"confName": "Lib"}, "schedule": {"startDate": start, "timeZoneID": 4}},
        host_of(site),
    )
    key = made.expect_success().text("train:sessionkey")
    emu.xml("training", "AddScheduledTest", {"testID": test_id, "sessionKey": key}, host_of(site)).expect_success()
    info = emu.xml("training", "GetTestInformation", {"testID": test_id}, host_of(site)).expect_success()
    assert info.text("train:testInfo/train:author") == "host"
    assert info.text("train:testInfo/train:title") == "t-host"


def test_list_orders_and_pages(emu: Emulator, site: dict[str, Any]) -> None:
    ids = [_upload(emu, site) for _ in range(3)]
    body = {"listControl": {"startFrom": 2, "maximumNum": 1}, "order": {"orderBy": "TESTID", "orderAD": "DESC"}}
    got = emu.xml("training", "LstLibTests", body, host_of(site)).expect_success()
    assert got.texts("train:testInfo/train:testID") == [sorted(ids, key=int)[1]]
    assert got.text("train:matchingRecords/serv:total") == "3"
    bad = emu.xml("training", "LstLibTests", {"type": "EVERYONE"}, host_of(site))
    assert bad.exception_id is not None and not bad.ok


@pytest.mark.parametrize(
    ("change", "what"),
    [
        (lambda b: b["questestinterop"]["assessment"].pop("item"), "no item"),
        (lambda b: b["questestinterop"]["assessment"]["item"][0].update(response_label=["only"]), "one choice"),
        (lambda b: b["questestinterop"]["assessment"]["item"][0].update(correctResponse=4), "no such choice"),
        (lambda b: b["questestinterop"]["assessment"].pop("title"), "no title"),
        (lambda b: b.update(type="PUBLIC"), "unknown library"),
    ],
)
def test_an_ill_formed_upload_is_refused_and_stores_nothing(
    emu: Emulator, site: dict[str, Any], change: Any, what: str
) -> None:
    body = upload_body("bad")
    change(body)
    assert not emu.xml("training", "UploadIMStest", body, host_of(site)).ok, what
    assert _listed(emu, site, "host") == []


def test_the_control_api_records_answers_and_refuses_bad_ones(emu: Emulator, site: dict[str, Any]) -> None:
    test_id = _upload(emu, site)
    path = f"sites/{site['name']}/tests/{test_id}/answers"
    made = emu.control("POST", path, {"name": "Ann", "email": "Ann@Example.com", "answers": {"1": 2, "2": 1}})
    assert made == {"testID": test_id, "email": "ann@example.com", "score": 15, "maxScore": 15}
    got = emu.xml(
        "training", "GetIMStestResult", {"testID": test_id, "participantEmail": "ann@example.com"}, host_of(site)
    )
    assert (
        got.expect_success().text(
            "qti:qti_result_report/qti:result/qti:assessment_result/qti:outcomes/qti:score/qti:score_value"
        )
        == "15"
    )
    emu.control("POST", path, {"name": "Ann", "email": "ann@example.com", "answers": {"3": 1}}, status=400)
    emu.control("POST", path, {"name": "Ann", "email": "ann@example.com", "answers": {"1": 9}}, status=400)
    emu.control("POST", path, {"name": "", "email": "ann@example.com"}, status=400)
    emu.control("POST", f"sites/{site['name']}/tests/1/answers", {"name": "A", "email": "a@e.com"}, status=404)


def _test(n: int) -> LibraryTest:
    item = Question("q1", "Q?", ("a", "b"), 1, 1)
    return LibraryTest(str(n), "t", "", "host", "PRIVATE", "ALL_ONE_PAGE", datetime.now(UTC), (item,))


def test_the_library_and_its_answer_sheets_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(library_store, "MAX_LIBRARY_TESTS", 3)
    monkeypatch.setattr(library_store, "MAX_RESULTS", 2)
    library = LibraryStore()
    for n in range(1, 6):
        library.add(_test(n))
    assert list(library.tests) == ["3", "4", "5"]
    test = library.tests["5"]
    for who in ("a", "b", "c", "a"):
        test.record(AnswerSheet(who, f"{who}@example.com", {1: 1}, datetime.now(UTC)))
    assert list(test.results) == ["c@example.com", "a@example.com"]


# ---------------------------------------------------------------- the run's ledger


@pytest.fixture(scope="module")
def running_emulator() -> Iterator[RunningEmulator]:
    with running() as emulator:
        yield emulator


def test_the_ledger_records_uploads_and_copies_and_the_cleaner_deletes_them(running_emulator: RunningEmulator) -> None:
    with httpx.Client() as http:
        info = ControlClient(running_emulator.base_url, http).create_site()
    users = {u["webExID"]: Security(str(info["name"]), u["webExID"], u["password"]) for u in info["users"]}
    ledger = Ledger("r")
    with LedgerHooks(ledger, rest_url=running_emulator.rest_url).install(httpx.Client(timeout=10)) as http:
        host = XmlClient(running_emulator.xml_url, users["host"], http=http)
        made = host.call("training", "UploadIMStest", upload_body("ledger")).expect_success().text("train:testID")
        copied: XmlResponse = host.call("training", "CopyLibTests", {"testID": made, "copyToType": "SHARED"})
        copy = copied.expect_success().text("train:testID")
    state = ledger.state()
    outstanding = state.outstanding()
    assert sorted((o.kind, o.id) for o in outstanding) == sorted([("library-test", made), ("library-test", copy)])
    with httpx.Client(timeout=10) as plain:
        cleaner = Cleaner(
            ledger,
            http=plain,
            xml_url=running_emulator.xml_url,
            rest_url=running_emulator.rest_url,
            credentials=lambda s, owner: [users["host"]],
            token=lambda s: None,
        )
        result = cleaner.clean(outstanding, state)
    assert result.ok and len(result.removed) == 2
    assert all(x["how"] == "DelLibTests; GetIMStestDetails → 000015" for x in result.removed)
