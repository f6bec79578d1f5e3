"""The emulator's REST update path in-process (``emulator/rest/readback.py``): without a fault an update's
answer is what GET and every list then show; each read-back fault breaks exactly its promise — the
update answers a field it does not keep, the list answers a meeting as before its update, one
scheduled meeting's change lands on its series — and nothing else."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from webex_harness.emulator.registry import Registry
from webex_harness.emulator.rest import respond
from webex_harness.emulator.rest.readback import DROPPED, LIST_READ_BACK, OCCURRENCE_READ_BACK, UPDATE_READ_BACK

HEADERS = {"authorization": "Bearer emulator-token", "content-type": "application/json"}
#: an update touching a flag, a text and the dropped option
CHANGE = {"title": "after", "enabledAutoRecordMeeting": True, DROPPED[0]: {DROPPED[1]: False}}


class Api:
    def __init__(self, *faults: str) -> None:
        self.registry = Registry()
        self.registry.default.faults.update(faults)

    def call(self, method: str, path: str, body: Any = None, query: str = "") -> Any:
        raw = b"" if body is None else json.dumps(body).encode()
        status, payload, _ = respond(self.registry, method, path, query, HEADERS, raw, "http://test")
        assert status == 200, payload
        return payload

    def series(self, **fields: Any) -> tuple[dict[str, Any], datetime]:
        start = (datetime.now(UTC) + timedelta(days=2)).replace(hour=9, minute=0, second=0, microsecond=0)
        body = {"title": "before", "start": start.isoformat(), "end": (start + timedelta(hours=1)).isoformat()}
        return self.call("POST", "/v1/meetings", {**body, **fields}), start

    def listed(self, meeting: dict[str, Any]) -> dict[str, Any]:
        items = self.call("GET", "/v1/meetings", query=f"meetingNumber={meeting['meetingNumber']}&current=false")
        [item] = items["items"]
        return dict(item)


def _fields(meeting: dict[str, Any]) -> tuple[Any, Any, Any]:
    return meeting["title"], meeting["enabledAutoRecordMeeting"], meeting[DROPPED[0]][DROPPED[1]]


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_without_a_fault_get_and_the_list_show_what_the_update_answered(method: str) -> None:
    api = Api()
    made, _ = api.series()
    answer = api.call(method, f"/v1/meetings/{made['id']}", CHANGE)
    assert _fields(answer) == ("after", True, False)
    assert _fields(api.call("GET", f"/v1/meetings/{made['id']}")) == _fields(answer)
    assert _fields(api.listed(made)) == _fields(answer)


def test_update_read_back_fault_answers_the_dropped_field_but_keeps_the_old_value() -> None:
    api = Api(UPDATE_READ_BACK)
    made, _ = api.series()
    answer = api.call("PATCH", f"/v1/meetings/{made['id']}", CHANGE)
    assert _fields(answer) == ("after", True, False), "the answer shows what was sent"
    assert _fields(api.call("GET", f"/v1/meetings/{made['id']}")) == ("after", True, True), "only the one field is old"


def test_list_read_back_fault_lists_the_meeting_as_before_its_update_while_get_is_new() -> None:
    api = Api(LIST_READ_BACK)
    made, _ = api.series()
    api.call("PATCH", f"/v1/meetings/{made['id']}", CHANGE)
    assert _fields(api.call("GET", f"/v1/meetings/{made['id']}")) == ("after", True, False)
    assert _fields(api.listed(made)) == ("before", False, True)
    query = f"meetingSeriesId={made['id']}&meetingType=scheduledMeeting"
    [occurrence] = api.call("GET", "/v1/meetings", query=query)["items"]
    assert _fields(occurrence) == ("before", False, True), "its scheduled meetings are listed as before too"


def test_occurrence_read_back_fault_writes_one_occurrences_change_to_the_series() -> None:
    for faults, series_title in (((), "before"), ((OCCURRENCE_READ_BACK,), "after")):
        api = Api(*faults)
        made, start = api.series(recurrence="FREQ=DAILY;INTERVAL=1;COUNT=3")
        second = f"{made['id']}_{(start + timedelta(days=1)).strftime('%Y%m%dT%H%M%SZ')}"
        assert api.call("PATCH", f"/v1/meetings/{second}", {"title": "after"})["isModified"] is True
        assert api.call("GET", f"/v1/meetings/{made['id']}")["title"] == series_title, faults
