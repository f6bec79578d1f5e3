"""Emulator rules of the REST meetings API added for List Meetings and the field rules of 003:
``meetingNumber`` with ``current`` on the site clock, connect-audio-before-host following
join-before-host, the password criteria, the registration form's parsing and merging, and the
generated webinar body's secrets being masked."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from webex_harness.emulator.registry import Registry
from webex_harness.emulator.rest import respond
from webex_harness.emulator.rest.errors import RestError
from webex_harness.emulator.rest.options import password_problem
from webex_harness.emulator.rest.registration import parse_registration
from webex_harness.generators.rest import valid_create_body
from webex_harness.webex.masking import mask

HEADERS = {"authorization": "Bearer emulator-token", "content-type": "application/json"}


class Rest:
    """:func:`emulator.rest.respond` in-process, on a fresh registry."""

    def __init__(self) -> None:
        self.registry = Registry()
        self.site = self.registry.default

    def call(self, method: str, path: str, body: Any = None, query: str = "") -> tuple[int, Any]:
        raw = b"" if body is None else json.dumps(body).encode()
        status, payload, _ = respond(self.registry, method, path, query, HEADERS, raw, "http://test")
        return status, payload

    def create(self, start: datetime, minutes: int = 20, **fields: Any) -> dict[str, Any]:
        body = {"title": "unit", "start": start.isoformat(), "end": (start + timedelta(minutes=minutes)).isoformat()}
        status, made = self.call("POST", "/v1/meetings", {**body, **fields})
        assert status == 200, made
        return dict(made)

    def by_number(self, number: str, extra: str = "") -> list[dict[str, Any]]:
        status, listed = self.call("GET", "/v1/meetings", query=f"meetingNumber={number}{extra}")
        assert status == 200, listed
        return list(listed["items"])


@pytest.fixture
def rest() -> Rest:
    return Rest()


def test_meeting_number_follows_the_site_clock_from_occurrence_to_occurrence(rest: Rest) -> None:
    start = (rest.site.now() + timedelta(minutes=3)).replace(second=0, microsecond=0)
    made = rest.create(start, recurrence="FREQ=DAILY;INTERVAL=1;COUNT=2")
    first_id = f"{made['id']}_{start.astimezone(UTC):%Y%m%dT%H%M%SZ}"
    assert [m["id"] for m in rest.by_number(made["meetingNumber"])] == [first_id]
    rest.site.advance((start - rest.site.now()).total_seconds() + 60)
    happening = rest.by_number(made["meetingNumber"])
    assert [(m["id"], m["state"]) for m in happening] == [(first_id, "ready")], "in progress: still current"
    rest.site.advance(30 * 60)
    second = start + timedelta(days=1)
    after = rest.by_number(made["meetingNumber"])
    assert [m["id"] for m in after] == [f"{made['id']}_{second.astimezone(UTC):%Y%m%dT%H%M%SZ}"]
    assert after[0]["start"] == f"{second.astimezone(UTC):%Y-%m-%dT%H:%M:%S}Z"
    rest.site.advance(2 * 86400)
    over = rest.by_number(made["meetingNumber"])
    assert [(m["id"], m["meetingType"], m["state"]) for m in over] == [(made["id"], "meetingSeries", "expired")]


def test_meeting_number_current_parameter(rest: Rest) -> None:
    made = rest.create((rest.site.now() + timedelta(days=2)).replace(second=0, microsecond=0))
    assert [m["meetingType"] for m in rest.by_number(made["meetingNumber"], "&current=FALSE")] == ["meetingSeries"]
    current = rest.by_number(made["meetingNumber"], "&current=true")
    assert [(m["meetingType"], m["id"]) for m in current] == [("scheduledMeeting", made["id"])], "J11: no recurrence"
    status, _ = rest.call("GET", "/v1/meetings", query=f"meetingNumber={made['meetingNumber']}&current=maybe")
    assert status == 400
    assert rest.by_number("1234") == []
    rest.site.faults.add("rest-single-occurrence-id")
    assert rest.by_number(made["meetingNumber"])[0]["id"].startswith(f"{made['id']}_")
    rest.site.faults = {"rest-list-by-meeting-number"}
    assert [m["meetingType"] for m in rest.by_number(made["meetingNumber"])] == ["meetingSeries"]


def test_switching_join_before_host_off_switches_connect_audio_off(rest: Rest) -> None:
    made = rest.create(
        (rest.site.now() + timedelta(days=2)).replace(second=0, microsecond=0),
        enabledJoinBeforeHost=True,
        enableConnectAudioBeforeHost=True,
    )
    assert made["enableConnectAudioBeforeHost"] is True
    status, updated = rest.call("PATCH", f"/v1/meetings/{made['id']}", {"enabledJoinBeforeHost": False})
    assert status == 200 and updated["enableConnectAudioBeforeHost"] is False
    status, kept = rest.call("PATCH", f"/v1/meetings/{made['id']}", {"title": "other"})
    assert status == 200 and kept["enableConnectAudioBeforeHost"] is False


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("Str0ngPass9", None),
        ("Abcdef12", None),
        ("Abcde12", "at least 8"),
        ("Abcd 1234", "spaces"),
        ("Abcdefghij", "digit"),
        ("1234567890", "letter"),
        ("abcdefg123", "mix"),
    ],
)
def test_password_criteria(password: str, problem: str | None) -> None:
    found = password_problem(password)
    assert (found is None) if problem is None else (found is not None and problem in found), found


def test_registration_questions_get_ids_and_updates_merge_key_by_key(rest: Rest) -> None:
    parsed = parse_registration(
        {
            "customizedQuestions": [
                {"question": "Colour?", "type": "radioButtons", "options": [{"value": "red"}, {"id": 7, "value": "b"}]}
            ]
        }
    )
    question = parsed["customizedQuestions"][0]
    assert (question["id"], question["required"], [o["id"] for o in question["options"]]) == (1, False, [1, 7])
    with pytest.raises(RestError):
        parse_registration({"maxRegisterNum": 0})
    with pytest.raises(RestError):
        parse_registration(
            {"rules": [{"question": "shoeSize", "condition": "equals", "value": "9", "result": "approve"}]}
        )
    made = rest.create((rest.site.now() + timedelta(days=2)).replace(second=0, microsecond=0))
    assert (made["registration"]["customizedQuestions"], made["registration"]["rules"]) == ([], [])
    path = f"/v1/meetings/{made['id']}"
    assert rest.call("PATCH", path, {"registration": {"requireFax": True}})[0] == 200
    status, updated = rest.call("PATCH", path, {"registration": {"maxRegisterNum": 25}})
    assert status == 200
    assert (updated["registration"]["requireFax"], updated["registration"]["maxRegisterNum"]) == (True, 25)
    assert list(updated["registration"])[-3:] == ["maxRegisterNum", "customizedQuestions", "rules"]


def test_generated_webinar_body_secrets_are_masked() -> None:
    body = valid_create_body(4, datetime(2026, 11, 20, 9, 0), scheduled_type="webinar")
    text = mask(json.dumps(body))
    assert body["panelistPassword"] not in text and body["password"] not in text
