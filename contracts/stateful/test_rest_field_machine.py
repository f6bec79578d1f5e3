"""A state machine over the field rules of REST meeting bodies (003 "Update a Meeting"): valid
updates and the documented edge cases of :func:`generators.rest.rest_edge_cases` (each with its
documented status and, where 003 says, what the answer shows), sent as PATCH or PUT in any order
on a few meeting series, each followed by the read-back.

Invariants: a case answers its documented status (400 with the error JSON, or 200); an accepted
update answers — and GET then reads — exactly what the model says (the body's fields, objects
merged, couplings applied, nothing else changed); a refused one changes nothing; a body sent
without ``Content-Type: application/json`` is 415 and changes nothing. The life of a series
(occurrences, lists, the clock) is :mod:`contracts.stateful.test_rest_machine`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, precondition, rule

from webex_harness.client.rest_client import RestClient, RestResponse
from webex_harness.contracts.rest_support import assert_error, site_now
from webex_harness.contracts.stateful.machine import ContractMachine, Ref, recorded
from webex_harness.contracts.stateful.rest_model import (
    apply_update,
    check_shape,
    differences,
    instant,
    minute,
)
from webex_harness.generators.rest import rest_edge_cases, valid_create_body
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle

#: cases left out: a start "within the current minute" depends on when the request arrives
UNTIMED = frozenset({"start-same-minute"})


def _behaviour(case: dict[str, Any]) -> str:
    """The behaviour a case proves (``other`` for the body rules without one)."""
    return str(case["behaviour"] or "other")


#: the behaviours the edge cases prove (the rule draws which ones a step runs)
BEHAVIOURS = sorted({_behaviour(c) for c in rest_edge_cases(0, datetime(2030, 1, 1, tzinfo=UTC))})


def _own_title(body: dict[str, Any], label: str) -> dict[str, Any]:
    """The body with its title the run's own (``webex-harness cleanup`` finds it), as long as it was."""
    title = body.get("title")
    if isinstance(title, str):
        mine = own_name(label)
        body = {**body, "title": mine.ljust(len(title), "T") if len(title) > len(mine) else mine}
    return body


class RestFieldMachine(ContractMachine):
    """Field cases and valid updates on a few meeting series, each read back."""

    examples = 10
    steps_per_example = 8
    meetings = Bundle("meetings")

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        #: label -> (id, expected JSON, start, end)
        self.models: dict[str, dict[str, Any]] = {}

    @property
    def rest(self) -> RestClient:
        return self.rest_client()

    def now(self) -> datetime:
        return site_now(self.site)

    def check(self, label: str, got: Any, where: str) -> None:
        model = self.models[label]
        check_shape(got, "meetingSeries", where=where)
        assert got["id"] == model["id"], f"{where}: id changed"
        wrong = differences(got, model["json"])
        assert not wrong, f"{where}: " + "; ".join(wrong)
        times = (instant(got["start"]), instant(got["end"]))
        assert times == (model["start"], model["end"]), f"{where}: start/end {times}, expected {model['start']}"

    def read_back(self, label: str, where: str) -> None:
        got = self.rest.get(self.models[label]["id"])
        assert got.status == 200, f"{where}: GET {got.describe()}"
        self.check(label, got.json, where)

    def accepted(self, ref: Ref, body: dict[str, Any], answer: RestResponse, where: str) -> None:
        """The model after an accepted update with ``body``; the answer and the read-back match it."""
        model = self.models[ref.label]
        expected = apply_update(model["json"], body, "meeting")
        if expected.get("enabledVisualWatermark") and "visualWatermarkOpacity" not in expected:
            expected["visualWatermarkOpacity"] = answer.json.get("visualWatermarkOpacity")
        model["json"] = expected
        if body.get("start"):
            model["start"] = minute(instant(body["start"]))
        if body.get("end"):
            model["end"] = minute(instant(body["end"]))
        self.check(ref.label, answer.json, f"{where} answer")

    # ------------------------------------------------------------ rules

    @precondition(lambda self: len(self.models) < 2)  # the cases then meet what earlier cases left
    @rule(target=meetings, seed=st.integers(0, 10_000))
    @recorded
    def create(self, seed: int) -> Ref:
        body = _own_title(valid_create_body(seed, self.now(), scheduled_type="meeting"), f"rest fields {seed}")
        answer = self.rest.create(body)
        assert answer.status == 200, f"create: {answer.describe()} {answer.descriptions}"
        got = check_shape(answer.json, "meetingSeries", where="create")
        ref = self.new_ref("meeting", got["id"])
        start, end = minute(instant(body["start"])), minute(instant(body["end"]))
        self.models[ref.label] = {"id": got["id"], "json": got, "start": start, "end": end}
        wrong = differences(got, apply_update(got, body, "meeting"))
        assert not wrong, "create does not answer what it was sent: " + "; ".join(wrong)
        assert (instant(got["start"]), instant(got["end"])) == (start, end), "create: start/end"
        return ref

    @rule(
        ref=meetings,
        behaviours=st.lists(st.sampled_from(BEHAVIOURS), min_size=1, max_size=4, unique=True),
        seed=st.integers(0, 10_000),
        method=st.sampled_from(["PATCH", "PUT"]),
    )
    @recorded
    def field_cases(self, ref: Ref, behaviours: list[str], seed: int, method: str) -> None:
        """Every documented edge case of the named behaviours, one after the other on one meeting:
        each answers its documented status and what 003 says it shows; then GET reads the last
        accepted one and nothing of the refused ones."""
        for case in rest_edge_cases(seed, self.now()):
            if _behaviour(case) in behaviours and case["id"] not in UNTIMED:
                self.apply_case(ref, case, seed, method)
        self.read_back(ref.label, f"GET after the cases of {', '.join(behaviours)}")

    def apply_case(self, ref: Ref, case: dict[str, Any], seed: int, method: str) -> None:
        body = _own_title(case["body"], f"rest fields {seed}")
        where = f"{method} case {case['id']} ({_behaviour(case)}: {case['note']})"
        answer = self.rest.update(self.models[ref.label]["id"], body, method=method)
        if case["expect_status"] != 200:
            assert answer.status == case["expect_status"], (
                f"{where}: expected {case['expect_status']}, got {answer.describe()}"
            )
            assert_error(answer, case["expect_status"])
            return
        assert answer.status == 200, f"{where}: expected 200, got {answer.describe()} {answer.descriptions}"
        for name, value in (case.get("expect_fields") or {}).items():
            got = answer.json.get(name)
            same = instant(got) == instant(value) if name in ("start", "end") and got else got == value
            assert same, f"{where}: {name}={got!r}, documented {value!r}"
        self.accepted(ref, body, answer, where)

    @rule(ref=meetings, ctype=st.sampled_from(["text/plain", "application/xml", "application/x-www-form-urlencoded"]))
    @recorded
    def wrong_media_type(self, ref: Ref, ctype: str) -> None:
        """A JSON body sent as another media type: 415, nothing changes (rest-status-codes)."""
        meeting_id = self.models[ref.label]["id"]
        answer = self.rest.request(
            "PATCH",
            f"/meetings/{meeting_id}",
            content=b'{"title": "typed"}',
            headers={"Content-Type": ctype},
            api="PATCH /v1/meetings/{id}",
        )
        assert answer.status == 415, f"PATCH as {ctype}: expected 415, got {answer.describe()}"
        assert_error(answer, 415)
        self.read_back(ref.label, f"after PATCH as {ctype}")

    def clean_up(self) -> None:
        for model in self.models.values():
            self.rest.delete(model["id"])


def test_rest_field_rules_hold_in_any_order(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(RestFieldMachine)
