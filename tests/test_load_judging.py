"""How a load user judges an XML answer (load/judging.py) and picks its next API (load/weighted.py).

Both modules import no locust, so they are tested here in this process; the end-to-end judging of a
real run is tests/test_load.py's.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from webex_harness.load.judging import exception_of, failure_message, unavailable_status
from webex_harness.load.weighted import WeightedChoice
from webex_harness.runs.gates import GateResult
from webex_harness.runs.load_phase import load_problems

SUCCESS = (
    b'<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service"><serv:header><serv:response>'
    b"<serv:result>SUCCESS</serv:result></serv:response></serv:header></serv:message>"
)
FAILURE = (
    b'<serv:message xmlns:serv="http://www.webex.com/schemas/2002/06/service"><serv:header><serv:response>'
    b"<serv:result>FAILURE</serv:result><serv:reason>Sorry, no record found &quot;x&quot; &amp; more"
    b"</serv:reason><serv:gsbStatus>PRIMARY</serv:gsbStatus><serv:exceptionID>000015</serv:exceptionID>"
    b"</serv:response></serv:header></serv:message>"
)


def test_a_success_envelope_with_http_200_is_no_failure() -> None:
    assert failure_message(200, SUCCESS) is None


def test_a_failure_envelope_reads_failure_exception_id_and_the_unescaped_reason() -> None:
    assert failure_message(200, FAILURE) == 'FAILURE 000015 Sorry, no record found "x" & more'
    assert exception_of(FAILURE) == "000015"
    assert exception_of(SUCCESS) is None


@pytest.mark.parametrize(
    ("status", "content", "error", "message"),
    [
        (503, None, None, "HTTP 503"),
        (0, None, "connection refused", "HTTP 0: connection refused"),
        (200, b"<html>busy</html>", None, "not a Webex envelope (no serv:result)"),
        (200, None, None, "not a Webex envelope (no serv:result)"),
        (200, SUCCESS.replace(b">SUCCESS<", b">PENDING<"), None, "unexpected serv:result 'PENDING'"),
    ],
)
def test_anything_but_a_webex_envelope_with_http_200_is_a_failure_saying_what(
    status: int, content: bytes | None, error: str | None, message: str
) -> None:
    assert failure_message(status, content, error) == message


@pytest.mark.parametrize(
    ("message", "status"),
    [
        ("HTTP 503: URL http://127.0.0.1:1/WBXService/XMLService: code=503", 503),
        ("HTTP 0: connection refused", 0),
        ("HTTP 429 rate limited", 429),  # the REST judge's wording
        ("HTTP 504", 504),
        ("HTTP 403: usage limit", None),  # the site answered: a lock-out is not a busy moment
        ("HTTP 400 title is too long", None),
        ("FAILURE 060016 HTTP 503 in a reason", None),
        ("not a Webex envelope (no serv:result)", None),
    ],
)
def test_a_failure_the_site_did_not_serve_is_told_from_one_that_breaks_the_scenario(
    message: str, status: int | None
) -> None:
    assert unavailable_status(message) == status


def _load(*failures: tuple[str, int]) -> dict[str, object]:
    return {
        "total": {"requests": 773, "failures": sum(n for _, n in failures)},
        "failures": [{"name": "GetSessionInfo", "error": e, "occurrences": n} for e, n in failures],
    }


_RATIO_GATE = GateResult("failure_ratio", None, 0.01, 0.0026, True, "failure ratio 0.0026 <= 0.01")


def test_a_busy_sites_503s_fail_a_load_run_without_a_failure_ratio_gate_saying_how_to_accept_them() -> None:
    problems = load_problems(_load(("HTTP 503: code=503", 2), ("HTTP 0: timed out", 1)), [])
    assert problems == [
        "load run had 3 requests the site did not serve (HTTP 0 x1, HTTP 503 x2); declare a failure-ratio gate "
        "(--max-failure-ratio, or load.thresholds.failure_ratio) to accept a share of them"
    ]


def test_a_declared_failure_ratio_gate_judges_the_requests_the_site_did_not_serve() -> None:
    assert load_problems(_load(("HTTP 503: code=503", 2)), [_RATIO_GATE]) == []
    breached = GateResult("failure_ratio", None, 0.001, 0.0026, False, "failure ratio 0.0026 > 0.001")
    assert load_problems(_load(("HTTP 503: code=503", 2)), [breached]) == [
        "gate breached: failure ratio 0.0026 > 0.001"
    ]


def test_an_unexpected_failure_envelope_fails_a_load_run_whatever_the_gates() -> None:
    data = _load(("FAILURE 060016 Sorry", 1), ("HTTP 503: code=503", 2), ("HTTP 400 bad body", 1))
    assert load_problems(data, [_RATIO_GATE]) == ["load run had 2 unexpected failures"]


def test_every_deck_holds_the_exact_mix_of_the_weights() -> None:
    choice = WeightedChoice({"GetSessionInfo": 6, "CreateMeeting": 2, "GetMe": 0}, random.Random(7))
    for _ in range(3):  # three decks of 4 (6:2 over their gcd 2), each reshuffled
        assert Counter(choice.pick() for _ in range(4)) == {"GetSessionInfo": 3, "CreateMeeting": 1}


def test_extreme_weight_ratios_fall_back_to_a_weighted_draw_of_the_weighted_items() -> None:
    choice = WeightedChoice({"a": WeightedChoice.MAX_DECK, "b": 1, "off": 0}, random.Random(1))
    assert choice.deck == []
    picks = Counter(choice.pick() for _ in range(2000))
    assert set(picks) <= {"a", "b"} and picks["a"] > 1900
