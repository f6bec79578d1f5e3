"""LstTrainingSession, the Training Center's list form (deprecated by the guide in favour of
LstsummaryTrainingSession, still answered): each session whole, then matchingRecords; dateScope
selects and listControl pages. The sessions a test lists are its own, scheduled in a window of the
calendar of its own (:class:`contracts.support.OwnWindow`) and deleted afterwards."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.support import OwnWindow, assert_pages
from webex_harness.contracts.test_scheduling import TRAINING, Sessions, training_body
from webex_harness.plugin.xml_meetings import webex_date
from webex_harness.webex.envelope import XmlResponse


@pytest.fixture
def trainings(xml: XmlClient) -> Iterator[Sessions]:
    tracker = Sessions(xml)
    try:
        yield tracker
    finally:
        tracker.cleanup()


def _own(trainings: Sessions, window: OwnWindow, run_name: Callable[[str], str], count: int) -> list[str]:
    return [
        trainings.create_ok(
            TRAINING,
            training_body(
                run_name(f"list form {i}"),
                schedule={"startDate": window.date(i), "timeZoneID": window.time_zone_id},
            ),
        )
        for i in range(count)
    ]


@pytest.mark.behaviour("lst-training-session")
def test_lst_training_session_answers_each_session_whole_then_matching_records(
    xml: XmlClient, trainings: Sessions, run_name: Callable[[str], str]
) -> None:
    window = OwnWindow.random()
    keys = _own(trainings, window, run_name, 2)
    got = xml.call("training", "LstTrainingSession", window.scope()).expect_success()
    listed = got.texts("train:trainingSession/train:sessionKey")
    assert set(keys) <= set(listed), f"own sessions {keys}, listed {listed}"
    body = got.body
    assert body is not None
    assert body[-1].tag.endswith("}matchingRecords")
    for entry in body[:-1]:
        names = [child.tag.split("}")[1] for child in entry]
        assert names[:3] == ["accessControl", "schedule", "metaData"], names
        assert names[-2:] == ["sessionKey", "status"], names
    mine = next(e for e in body[:-1] if e.findtext("{*}sessionKey") == keys[0])
    assert mine.findtext("{*}schedule/{*}startDate") == window.date(0)
    assert mine.findtext("{*}metaData/{*}confName") == run_name("list form 0")
    assert got.text("train:matchingRecords/serv:returned") == str(len(listed))


@pytest.mark.behaviour("lst-training-session")
def test_lst_training_session_lists_only_what_the_date_scope_selects(
    xml: XmlClient, trainings: Sessions, run_name: Callable[[str], str]
) -> None:
    window = OwnWindow.random()
    keys = _own(trainings, window, run_name, 1)
    later = window.start + timedelta(days=3)
    scope = {
        "dateScope": {
            "startDateStart": webex_date(later),
            "startDateEnd": webex_date(later + timedelta(days=1)),
            "timeZoneID": window.time_zone_id,
        }
    }
    got = xml.call("training", "LstTrainingSession", scope)
    if got.ok:
        assert keys[0] not in got.texts("train:trainingSession/train:sessionKey"), got.describe()
    else:
        assert got.exception_id == "000015", got.describe()


@pytest.mark.behaviour("lst-training-session")
@pytest.mark.behaviour("list-paging")
def test_lst_training_session_pages(xml: XmlClient, trainings: Sessions, run_name: Callable[[str], str]) -> None:
    window = OwnWindow.random()
    keys = _own(trainings, window, run_name, 3)

    def lister(start: int, size: int) -> XmlResponse:
        return xml.call(
            "training",
            "LstTrainingSession",
            {"listControl": {"startFrom": start, "maximumNum": size}, **window.scope()},
        )

    assert_pages(lister, "train", "train:trainingSession", "train:sessionKey", own=keys)
