"""A failed answer never follows a completed write (issue 17): whenever the emulator answers FAILURE
(XML) or a 4xx (REST), the site's stored state is exactly what it was before the request.

Bounded and seeded property tests on a site holding one real object of every kind
(:mod:`tests.populated_site`): every catalogue API's valid envelopes, its generated edge cases and
hostile field values (:mod:`tests.hostile_values`), REST writes with hostile bodies; the state
compared is :func:`tests.site_fingerprint.fingerprint` (everything the site stores, not the counters
that move with every request). A message of several bodyContents: each body is its own answer — the
failed ones change nothing, the others do exactly what they do alone (compared with the same
successful bodies sent without the failed ones, on an identical site, clock and randomness fixed).
"""

from __future__ import annotations

import random
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from tests.hostile_values import JSON_VALUES, mutated
from tests.populated_site import World, populate
from tests.site_fingerprint import differences, fingerprint
from webex_harness.contracts.test_catalogue import caller_role
from webex_harness.emulator import app as app_module
from webex_harness.emulator import dispatch, entropy, model
from webex_harness.emulator.app import create_app
from webex_harness.emulator.xmlio import Answer, render_message
from webex_harness.generators import edge_cases, valid_envelope
from webex_harness.generators.catalogue import all_apis, api
from webex_harness.webex.envelope import parse_response
from webex_harness.webex.errors import invalid_value

#: The catalogue's verbs that only read; every other API writes (Create, Set, Del, Add, Register,
#: Reserve, Copy, Upload, Send, Setup, Authenticate …).
READ_VERBS = ("Get", "Lst", "Check", "Detect")
WRITERS = tuple(spec.name for spec in all_apis() if not spec.name.startswith(READ_VERBS))
READERS = tuple(spec.name for spec in all_apis() if spec.name.startswith(READ_VERBS))
PROPERTY = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FORMS = ("valid", "edge", "hostile")


class Worlds:
    """The populated site the examples share while no example changes it (a failed answer leaves
    it as it was, by the property under test); a successful write makes the next example build a
    new one. Envelopes are generated once per site."""

    def __init__(self) -> None:
        self.world: World | None = None
        self.state: tuple[Any, ...] = ()
        self.envelopes: dict[tuple[str, int, str, int], bytes] = {}

    def current(self) -> World:
        if self.world is None:
            self.world = populate(create_app())
            self.state = fingerprint(self.world.site)
            self.envelopes = {}
        return self.world

    def spoilt(self) -> None:
        self.world = None

    def envelope(self, api_name: str, seed: int, form: str, pick: int) -> bytes:
        """The valid envelope, or edge case number ``pick`` (modulo their count), of ``api_name``."""
        key = (api_name, seed, form, pick)
        if key not in self.envelopes:
            world = self.current()
            ctx = world.context(api(api_name))
            if form == "edge":
                cases = edge_cases(api_name, seed, ctx)
                self.envelopes[key] = cases[pick % len(cases)].envelope
            else:
                self.envelopes[key] = valid_envelope(api_name, seed, ctx)
        return self.envelopes[key]


WORLDS = Worlds()


def changes_after_failure(worlds: Worlds, raw: bytes) -> list[str]:
    """Send ``raw``; when the answer is FAILURE, how the site's stored state changed (else [])."""
    world = worlds.current()
    status, body, _ = world.app.handle_xml(raw, {})
    assert status < 500, body[:300]
    after = fingerprint(world.site)
    if after == worlds.state:
        return []
    worlds.spoilt()
    answer = parse_response(body, status)
    if status == 200 and answer.result == "SUCCESS":
        return []
    return [answer.describe(), *differences(worlds.state, after)]


@st.composite
def _envelope(draw: st.DrawFn, names: tuple[str, ...]) -> bytes:
    api_name = draw(st.sampled_from(names))
    form = draw(st.sampled_from(FORMS))
    raw = WORLDS.envelope(
        api_name, draw(st.integers(1, 3)), "edge" if form == "edge" else "valid", draw(st.integers(0, 99))
    )
    return mutated(draw, raw) if form == "hostile" else raw


@PROPERTY
@given(raw=_envelope(WRITERS))
def test_a_failed_write_of_any_api_changes_nothing_the_site_stores(raw: bytes) -> None:
    assert changes_after_failure(WORLDS, raw) == []


@settings(PROPERTY, max_examples=120)
@given(raw=_envelope(READERS))
def test_a_failed_read_of_any_api_changes_nothing_the_site_stores(raw: bytes) -> None:
    assert changes_after_failure(WORLDS, raw) == []


@st.composite
def _rest_write(draw: st.DrawFn) -> tuple[str, str, Any]:
    method = draw(st.sampled_from(["POST", "PATCH", "PUT", "DELETE"]))
    world = WORLDS.current()
    series = world.keys["rest"][0]
    if method == "POST":
        path = draw(st.sampled_from(["/v1/meetings", f"/v1/meetings/{series}/registrants"]))
    else:
        path = draw(st.sampled_from([f"/v1/meetings/{series}", f"/v1/meetings/{series}_I_1", "/v1/meetings/nope"]))
    body = (
        None
        if method == "DELETE"
        else draw(st.one_of(JSON_VALUES, st.dictionaries(st.sampled_from(_REST_FIELDS), JSON_VALUES, min_size=1)))
    )
    return method, path, body


_REST_FIELDS = ["title", "start", "end", "timezone", "password", "recurrence", "agenda", "enabledAutoRecordMeeting"]
_REST_FIELDS += ["invitees", "registration", "trackingCodes", "scheduledType", "hostEmail", "firstName", "email"]


@settings(PROPERTY, max_examples=150)
@given(request=_rest_write())
def test_a_rest_write_answered_4xx_changes_nothing_the_site_stores(request: tuple[str, str, Any]) -> None:
    method, path, body = request
    world = WORLDS.current()

    answer = world.rest(method, path, body)

    assert answer.status_code < 500, answer.text[:300]
    after = fingerprint(world.site)
    if after != WORLDS.state:
        WORLDS.spoilt()
        if answer.status_code >= 400:
            pytest.fail(
                f"{method} {path} answered {answer.status_code} and changed: {differences(WORLDS.state, after)}"
            )


# ---------------------------------------------------------------- several bodyContents

FIXED_NOW = datetime(2031, 5, 6, 7, 8, 9, tzinfo=UTC)


class _FrozenDatetime(datetime):
    @classmethod
    def now(cls, tz: Any = None) -> _FrozenDatetime:
        return cls.fromtimestamp(FIXED_NOW.timestamp(), tz)


@dataclass
class Replay:
    """Fixed randomness and clock: the random stream starts again at every bodyContent, from the
    number of bodies answered with SUCCESS before it — so a successful body draws the same values
    whether or not failed bodies came before it."""

    rng: random.Random = field(default_factory=random.Random)
    label: str = ""
    successes: int = 0
    answers: list[Answer] = field(default_factory=list)

    def start(self, label: str) -> None:
        self.rng.seed(label)
        self.label = label
        self.successes = 0
        self.answers = []


@contextmanager
def replayable() -> Iterator[Replay]:
    replay = Replay()
    original = app_module.answer

    def answer(site: model.Site, caller: model.User | None, body: Any, headers: Any) -> Answer:
        replay.rng.seed(f"{replay.label}: body {replay.successes}")
        result = original(site, caller, body, headers)
        replay.answers.append(result)
        replay.successes += result.error is None
        return result

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(secrets, "token_hex", lambda n=32: f"{replay.rng.getrandbits(8 * n):0{2 * n}x}")
        mp.setattr(secrets, "randbelow", lambda n: replay.rng.randrange(n))
        mp.setattr(secrets, "choice", lambda seq: replay.rng.choice(seq))
        mp.setattr(uuid, "uuid4", lambda: uuid.UUID(int=replay.rng.getrandbits(128), version=4))
        mp.setattr(entropy, "token_hex", lambda n: f"{replay.rng.getrandbits(8 * n):0{2 * n}x}")
        mp.setattr(entropy, "randbelow", lambda n: replay.rng.randrange(n))
        mp.setattr(entropy, "uuid4_hex", lambda: uuid.UUID(int=replay.rng.getrandbits(128), version=4).hex)
        mp.setattr(model, "datetime", _FrozenDatetime)
        mp.setattr(model.Site, "now", lambda self: FIXED_NOW + self.clock_offset)
        mp.setattr(app_module, "answer", answer)
        yield replay


def _message(envelopes: list[bytes]) -> bytes:
    """One envelope holding the bodyContents of ``envelopes`` (the first one's securityContext)."""
    root = etree.fromstring(envelopes[0])
    body = next(e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "body")
    for content in list(body):
        body.remove(content)
    for raw in envelopes:  # the first bodyContent of each
        other = etree.fromstring(raw)
        for content in other.iter():
            if isinstance(content.tag, str) and etree.QName(content).localname == "bodyContent":
                body.append(content)
                break
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _fresh(replay: Replay) -> World:
    replay.start("populate")
    return populate(create_app())


@st.composite
def _bodies(draw: st.DrawFn) -> tuple[str, list[tuple[str, int, str, int]]]:
    first = draw(st.sampled_from(WRITERS))
    role = caller_role(api(first))
    same_caller = [name for name in WRITERS + READERS if caller_role(api(name)) == role]
    names = [first, *draw(st.lists(st.sampled_from(same_caller), min_size=1, max_size=3))]
    picks = [
        (n, draw(st.integers(1, 3)), draw(st.sampled_from(("valid", "edge"))), draw(st.integers(0, 99))) for n in names
    ]
    return role, picks


def _answers_of(replay: Replay) -> list[bytes]:
    return [render_message([a]) for a in replay.answers if a.error is None]


@settings(PROPERTY, max_examples=60)
@given(drawn=_bodies())
def test_in_a_message_of_several_bodies_a_failed_one_changes_nothing_and_the_others_do_what_they_do_alone(
    drawn: tuple[str, list[tuple[str, int, str, int]]],
) -> None:
    _, picks = drawn
    with replayable() as replay:
        world = _fresh(replay)
        envelopes = []
        for name, seed, form, pick in picks:
            ctx = world.context(api(name)).with_(security=world.context(api(picks[0][0])).security)
            cases = edge_cases(name, seed, ctx) if form == "edge" else []
            envelopes.append(cases[pick % len(cases)].envelope if cases else valid_envelope(name, seed, ctx))
        replay.start("message")
        world.app.handle_xml(_message(envelopes), {})
        # a message refused as a whole (its securityContext, its envelope) answers no body
        outcomes = [a.error is None for a in replay.answers] if len(replay.answers) == len(envelopes) else []
        together, answered = fingerprint(world.site), _answers_of(replay)

        alone = _fresh(replay)
        succeeded = [raw for raw, ok in zip(envelopes, outcomes, strict=False) if ok]
        replay.start("message")
        if succeeded:
            alone.app.handle_xml(_message(succeeded), {})
        assert differences(fingerprint(alone.site), together) == []
        assert _answers_of(replay) == answered


def test_the_populated_site_is_the_same_every_time_under_fixed_randomness_and_clock() -> None:
    with replayable() as replay:
        first, second = fingerprint(_fresh(replay).site), fingerprint(_fresh(replay).site)
    assert first == second


# ---------------------------------------------------------------- the property has teeth


def test_the_property_finds_a_handler_that_writes_and_then_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    worlds = Worlds()
    raw = worlds.envelope("SetMeeting", 1, "valid", 0)
    route = dispatch.ROUTES["setmeeting"]

    def write_then_fail(call: dispatch.Call) -> Any:
        session = call.site.session(call.node.get("meetingKey"))
        assert session is not None
        session.name = "half-done"
        raise invalid_value("meetingType")

    monkeypatch.setitem(
        dispatch.ROUTES, "setmeeting", dispatch.Route(route.service, route.api, route.response_type, write_then_fail)
    )

    found = changes_after_failure(worlds, raw)

    assert found and "010001" in found[0]
    assert any(".name: " in line and "half-done" in line for line in found[1:]), found


def test_every_catalogue_api_is_checked() -> None:
    assert set(WRITERS) | set(READERS) == {spec.name for spec in all_apis()}
    assert {"CreateMeeting", "SetUser", "DelSession", "RegisterMeetingAttendee", "AuthenticateUser"} <= set(WRITERS)
