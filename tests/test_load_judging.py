"""How a load user judges an XML answer (load/judging.py) and picks its next API (load/weighted.py).

Both modules import no locust, so they are tested here in this process; the end-to-end judging of a
real run is tests/test_load.py's.
"""

from __future__ import annotations

import random
from collections import Counter

import pytest

from webex_harness.load.judging import exception_of, failure_message
from webex_harness.load.weighted import WeightedChoice

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


def test_every_deck_holds_the_exact_mix_of_the_weights() -> None:
    choice = WeightedChoice({"GetSessionInfo": 6, "CreateMeeting": 2, "GetMe": 0}, random.Random(7))
    for _ in range(3):  # three decks of 4 (6:2 over their gcd 2), each reshuffled
        assert Counter(choice.pick() for _ in range(4)) == {"GetSessionInfo": 3, "CreateMeeting": 1}


def test_extreme_weight_ratios_fall_back_to_a_weighted_draw_of_the_weighted_items() -> None:
    choice = WeightedChoice({"a": WeightedChoice.MAX_DECK, "b": 1, "off": 0}, random.Random(1))
    assert choice.deck == []
    picks = Counter(choice.pick() for _ in range(2000))
    assert set(picks) <= {"a", "b"} and picks["a"] > 1900
