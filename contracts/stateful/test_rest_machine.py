"""A state machine over the life of REST meeting series (003; docs/wire.md J2–J11): create one-off
and recurring meetings and webinars, read them back (series, scheduled meetings, instances), list
them (by series, by meeting number, by time window, page by page), PATCH and PUT series and single
occurrences, cancel occurrences, delete series, register for webinars, and move the emulator's
clock so that meetings start and end.

The model (:mod:`contracts.stateful.rest_model`) rides along: every GET and list must answer what
the last accepted PATCH/PUT wrote and nothing else — right after an accepted update of a series, the
list by its meeting number shows the series as the update answered it; PUT behaves as PATCH; refused updates
(in progress, ended, instances, webinar login rules) change nothing; exceptional occurrences are
cancelled when their series moves; a deleted series or occurrence is 404 and absent from lists.
Lists are compared on the machine's own ids only (a site holds foreign meetings, the emulator's
XML meetings too). The field rules of a body are :mod:`contracts.stateful.test_rest_field_machine`.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, precondition, rule

from webex_harness.client.rest_client import RestClient, RestResponse
from webex_harness.contracts.rest_support import assert_error, site_now
from webex_harness.contracts.stateful.machine import ContractMachine, Ref, recorded
from webex_harness.contracts.stateful.rest_model import (
    ABSENT,
    OCCURRENCE_OWN,
    VOLATILE,
    SeriesModel,
    apply_update,
    check_shape,
    differences,
    instant,
    minute,
    slot_key,
)
from webex_harness.generators.rest import valid_create_body, valid_update_body
from webex_harness.plugin.rest_meetings import iso
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle

#: the recurrences a series is created or updated with (daily and weekly: their occurrences are exact)
RECURRENCES: tuple[str | None, ...] = (None, "FREQ=DAILY;INTERVAL=1;COUNT=2", "FREQ=WEEKLY;INTERVAL=1;COUNT=3")
#: fields of an update body that go together (a valid body's group is valid on its own)
GROUPS: dict[str, tuple[str, ...]] = {
    "title": ("title",),
    "agenda": ("agenda",),
    "password": ("password",),
    "times": ("start", "end", "timezone"),
    "joinBeforeHost": ("enabledJoinBeforeHost", "enableConnectAudioBeforeHost", "joinBeforeHostMinutes"),
    "watermark": ("enabledVisualWatermark", "visualWatermarkOpacity", "enabledAudioWatermark"),
    "lock": ("enableAutomaticLock", "automaticLockMinutes"),
    "flags": ("enabledAutoRecordMeeting", "allowAnyUserToBeCoHost", "excludePassword", "publicMeeting"),
    "joining": ("reminderTime", "unlockedMeetingJoinSecurity", "allowFirstUserToBeCoHost", "allowAuthenticatedDevices"),
    "meetingOptions": ("meetingOptions",),
    "audioConnectionOptions": ("audioConnectionOptions",),
    "attendeePrivileges": ("attendeePrivileges",),
    "integrationTags": ("integrationTags",),
    "registration": ("registration",),
    "webinar": ("enabledWebcastView", "panelistPassword", "requireAttendeeLogin", "restrictToInvitees"),
    "breakout": ("enabledBreakoutSessions", "sendEmail"),
}
#: what a single occurrence may change in this machine (its own times are left alone)
OCCURRENCE_GROUPS = tuple(g for g in GROUPS if g not in ("times", "integrationTags", "webinar"))
#: the ways :meth:`RestSeriesMachine.read` reads
VIEWS = ("series", "occurrence", "occurrences", "number", "window", "gone")
#: live series a machine keeps at most
LIVE_SERIES = 2
_CONFORMS = re.compile(r"(?=.*[A-Z])(?=.*[a-z])(?=.*\d).{8,}")


def _body_of(full: dict[str, Any], groups: list[str]) -> dict[str, Any]:
    keys = [k for g in groups for k in GROUPS[g]]
    return {k: full[k] for k in keys if k in full}


class RestSeriesMachine(ContractMachine):
    """Meeting series through their life: create, read, list, update, cancel, delete, clock."""

    examples = 15
    steps_per_example = 12
    series = Bundle("series")

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        self.models: dict[str, SeriesModel] = {}
        #: ids that must answer 404 now: deleted series, cancelled occurrences
        self.gone: list[str] = []
        self._offset: timedelta | None = None

    # ------------------------------------------------------------ helpers

    @property
    def rest(self) -> RestClient:
        return self.rest_client()

    def now(self) -> datetime:
        """The site clock: read once (and after each move), then kept in step with this machine's clock."""
        if self._offset is None:
            self._offset = site_now(self.site) - datetime.now(UTC)
        return datetime.now(UTC) + self._offset

    def live(self, ref: Ref) -> SeriesModel | None:
        return self.models.get(ref.label)

    def check_series(self, model: SeriesModel, got: Any, where: str) -> None:
        check_shape(got, "meetingSeries", where=where)
        assert got["id"] == model.id and got["meetingNumber"] == model.number, f"{where}: id/number changed"
        wrong = differences(got, model.json)
        assert not wrong, f"{where}: " + "; ".join(wrong)
        times = (instant(got["start"]), instant(got["end"]))
        assert times == (model.start, model.end), f"{where}: start/end {times}, expected {model.start}, {model.end}"
        state = model.series_state(self.now())
        assert got["state"] == state, f"{where}: state {got['state']!r}, expected {state!r}"

    def check_occurrence(self, model: SeriesModel, slot: datetime, got: Any, where: str) -> None:
        check_shape(got, "scheduledMeeting", where=where)
        wanted = model.occurrence_id(slot)
        assert got["id"] == wanted, f"{where}: id {got['id']!r}, expected {wanted!r} (docs/wire.md J11)"
        assert got["meetingSeriesId"] == model.id, f"{where}: meetingSeriesId {got['meetingSeriesId']!r}"
        modified = slot_key(slot) in model.exceptions
        assert got["isModified"] is modified, f"{where}: isModified {got['isModified']!r}, expected {modified}"
        times = (instant(got["start"]), instant(got["end"]))
        assert times == (slot, slot + model.duration), f"{where}: start/end {times}, expected {slot}"
        state = model.occurrence_state(slot, model.duration, self.now())
        assert got["state"] == state, f"{where}: state {got['state']!r}, expected {state!r}"
        wrong = differences(got, model.occurrence_json(slot), skip=VOLATILE | OCCURRENCE_OWN)
        assert not wrong, f"{where}: " + "; ".join(wrong)

    def read_back(self, model: SeriesModel, where: str) -> None:
        got = self.rest.get(model.id)
        assert got.status == 200, f"{where}: GET {got.describe()}"
        self.check_series(model, got.json, where)

    def pages(self, first: RestResponse, where: str) -> list[dict[str, Any]]:
        """Every item of a list, following the ``Link`` next pages (J7)."""
        items: list[dict[str, Any]] = []
        page = first
        for _ in range(50):
            assert page.status == 200, f"{where}: {page.describe()}"
            assert isinstance(page.json, dict) and isinstance(page.json.get("items"), list), f"{where}: no items"
            items += page.items
            link = page.next_link
            if not link:
                return items
            page = self.rest.follow(link)
        raise AssertionError(f"{where}: more than 50 pages")

    def page_size(self, size: int) -> int:
        return size if self.site.is_emulator else 100  # a real site's lists hold foreign meetings: few pages

    # ------------------------------------------------------------ create

    @precondition(lambda self: len(self.models) < LIVE_SERIES)  # sequences then work on the same series
    @rule(
        target=series,
        seed=st.integers(0, 10_000),
        webinar=st.booleans(),
        recurrence=st.integers(0, len(RECURRENCES) - 1),
        panelist=st.booleans(),
    )
    @recorded
    def create(self, seed: int, webinar: bool, recurrence: int, panelist: bool) -> Ref:
        return self._create(seed, webinar, recurrence, panelist)

    @initialize(
        target=series,
        seed=st.integers(0, 10_000),
        webinar=st.booleans(),
        recurrence=st.sampled_from([i for i, text in enumerate(RECURRENCES) if text]),
        panelist=st.booleans(),
        pick=st.integers(0, 9),
        occurrence_seed=st.integers(0, 10_000),
        occurrence_groups=st.lists(st.sampled_from(OCCURRENCE_GROUPS), min_size=1, max_size=3, unique=True),
        series_seed=st.integers(0, 10_000),
        series_groups=st.lists(st.sampled_from(sorted(GROUPS)), min_size=1, max_size=4, unique=True),
        method=st.sampled_from(["PATCH", "PUT"]),
        register=st.booleans(),
        restrict=st.booleans(),
        login=st.sampled_from([True, False, None]),
    )
    @recorded
    def first_series(
        self,
        seed: int,
        webinar: bool,
        recurrence: int,
        panelist: bool,
        pick: int,
        occurrence_seed: int,
        occurrence_groups: list[str],
        series_seed: int,
        series_groups: list[str],
        method: str,
        register: bool,
        restrict: bool,
        login: bool | None,
    ) -> Ref:
        """Every sequence starts with a recurring series, one of whose scheduled meetings is changed and
        then the series' end, in the same step: the changed meeting must be cancelled with the change of
        the series (003) — three calls in one order, which random sequences seldom draw. A webinar then
        gets a registrant (emulator only) and its login options set, which 003's rules allow or refuse."""
        ref = self._create(seed, webinar, recurrence, panelist)
        self._update_occurrence(ref, pick, occurrence_seed, occurrence_groups, method)
        self._update_series(ref, series_seed, series_groups, method, 0, "end")
        if webinar:
            self._webinar(ref, register, restrict, login, seed % 100)
        return ref

    def _create(self, seed: int, webinar: bool, recurrence: int, panelist: bool) -> Ref:
        kind = "webinar" if webinar else "meeting"
        body = valid_create_body(seed, self.now(), scheduled_type=kind)
        body["title"] = own_name(f"rest series {seed}")
        body.pop("recurrence", None)
        rule_text = RECURRENCES[recurrence]
        if rule_text:
            body["recurrence"] = rule_text
            body.pop("registration", None)  # 003: registration does not apply to a recurring meeting
        if webinar and not panelist:
            del body["panelistPassword"]
        answer = self.rest.create(body)
        assert answer.status == 200, f"create: {answer.describe()} {answer.descriptions}"
        got = check_shape(answer.json, "meetingSeries", where="create")
        start, end = minute(instant(body["start"])), minute(instant(body["end"]))
        model = SeriesModel(got["id"], str(got["meetingNumber"]), kind, got, start, end, SeriesModel.rule_of(rule_text))
        ref = self.new_ref("series", model.id)
        self.models[ref.label] = model
        wrong = differences(got, apply_update(got, body, kind))
        assert not wrong, "create does not answer what it was sent: " + "; ".join(wrong)
        assert got["scheduledType"] == kind, f"scheduledType {got['scheduledType']!r}"
        assert (instant(got["start"]), instant(got["end"])) == (start, end), "create: start/end"
        if webinar:
            generated = got.get("panelistPassword")
            wanted = body.get("panelistPassword")
            assert generated == wanted if wanted else _CONFORMS.fullmatch(str(generated or "")), (
                f"webinar panelistPassword {generated!r} (003: generated when not specified)"
            )
        self.read_by_number(ref, True)  # a new meeting is found by its number: its first scheduled meeting (J11)
        return ref

    # ------------------------------------------------------------ read

    def read_series(self, ref: Ref) -> None:
        model = self.live(ref)
        if model is not None:
            self.read_back(model, f"GET {ref.label}")

    def read_occurrence(self, ref: Ref, pick: int) -> None:
        model = self.live(ref)
        if model is None or not model.slots():
            return
        slot = model.slots()[pick % len(model.slots())]
        got = self.rest.get(model.occurrence_id(slot))
        assert got.status == 200, f"GET occurrence: {got.describe()}"
        if model.rule is None:  # the id is the series' own: GET answers the series (J11)
            self.check_series(model, got.json, f"GET {ref.label}")
        else:
            self.check_occurrence(model, slot, got.json, f"GET occurrence of {ref.label}")

    def read_occurrences(self, ref: Ref, size: int) -> None:
        model = self.live(ref)
        if model is not None:
            self.check_occurrences(model, size, f"scheduled meetings of {ref.label}")

    def check_occurrences(self, model: SeriesModel, size: int, where: str) -> None:
        """List the series' scheduled meetings page by page: exactly its live occurrences, in order."""
        slots = model.slots()
        lo = model.start - timedelta(days=1)
        hi = model.start + timedelta(days=22)
        first = self.rest.list_meetings(
            meetingSeriesId=model.id,
            meetingType="scheduledMeeting",
            max=self.page_size(size),
            from_=iso(lo),
            to=iso(hi),
        )
        items = self.pages(first, where)
        assert [m.get("id") for m in items] == [model.occurrence_id(s) for s in slots], (
            f"{where}: {[m.get('id') for m in items]}, expected {[model.occurrence_id(s) for s in slots]}"
        )
        for slot, item in zip(slots, items, strict=True):
            assert item["start"].endswith("Z") and item["end"].endswith("Z"), "listed scheduled meetings are UTC (J6)"
            self.check_occurrence(model, slot, item, f"{where}: {item.get('id')}")

    def read_by_number(self, ref: Ref, current: bool) -> None:
        model = self.live(ref)
        if model is None:
            return
        answer = self.rest.list_meetings(meetingNumber=model.number, current=None if current else "false")
        items = self.pages(answer, f"list meetingNumber of {ref.label}")
        assert len(items) == 1, f"meetingNumber of {ref.label}: {[m.get('id') for m in items]}"
        nxt = model.next_scheduled(self.now()) if current else None
        if nxt is None:
            self.check_series(model, items[0], f"listed by number: {ref.label}")
        else:
            self.check_occurrence(model, nxt, items[0], f"listed by number: next of {ref.label} (J11)")

    def read_window(self, ref: Ref, size: int) -> None:
        model = self.live(ref)
        if model is None or not model.slots():
            return
        lo = model.slots()[0] - timedelta(minutes=30)
        hi = lo + timedelta(hours=2)
        first = self.rest.list_meetings(
            meetingType="meetingSeries", max=self.page_size(size), from_=iso(lo), to=iso(hi)
        )
        items = self.pages(first, "list by window")
        ids = [m.get("id") for m in items]
        assert len(ids) == len(set(ids)), f"a meeting listed twice across pages: {ids}"
        own = {m.id for m in self.models.values()} | set(self.gone)
        expected = {m.id for m in self.models.values() if any(s < hi and s + m.duration > lo for s in m.slots())}
        listed = {i for i in ids if i in own}
        assert listed == expected, f"own series in [{lo}, {hi}): {sorted(listed)}, expected {sorted(expected)}"
        for item in items:
            if item.get("id") in expected:
                model_of = next(m for m in self.models.values() if m.id == item["id"])
                self.check_series(model_of, item, "listed series")

    @rule(
        ref=series,
        views=st.lists(st.sampled_from(VIEWS), min_size=1, max_size=3, unique=True),
        pick=st.integers(0, 9),
        size=st.integers(1, 3),
        current=st.booleans(),
    )
    @recorded
    def read(self, ref: Ref, views: list[str], pick: int, size: int, current: bool) -> None:
        """Read what the machine made, in the drawn views: the series, one scheduled meeting, the
        series' scheduled meetings (paged by ``size``), the list by meeting number (``current``) or
        by time window, or (``gone``) one of what the machine deleted."""
        for how in views:
            if how == "gone" and self.gone:
                self.read_gone(pick)
            elif how in ("series", "gone"):
                self.read_series(ref)
            elif how == "occurrence":
                self.read_occurrence(ref, pick)
            elif how == "occurrences":
                self.read_occurrences(ref, size)
            elif how == "number":
                self.read_by_number(ref, current)
            else:
                self.read_window(ref, size)

    # ------------------------------------------------------------ update

    def expect_refusal(self, answer: RestResponse, model: SeriesModel, why: str) -> None:
        assert answer.status == 400, f"{why}: expected 400, got {answer.describe()}"
        assert_error(answer, 400)
        self.read_back(model, f"after a refused update ({why})")

    def login_problem(self, model: SeriesModel, current: dict[str, Any], body: dict[str, Any]) -> str | None:
        """003's webinar login rules for ``body`` on a webinar whose properties are ``current``."""
        if model.scheduled_type != "webinar":
            return None
        login = body.get("requireAttendeeLogin", current.get("requireAttendeeLogin"))
        if body.get("restrictToInvitees", current.get("restrictToInvitees")) and not login:
            return "restrictToInvitees without requireAttendeeLogin"
        if "requireAttendeeLogin" in body and login != current.get("requireAttendeeLogin") and model.registrants:
            return "requireAttendeeLogin changed after someone registered"
        return None

    @rule(
        ref=series,
        seed=st.integers(0, 10_000),
        groups=st.lists(st.sampled_from(sorted(GROUPS)), min_size=1, max_size=4, unique=True),
        method=st.sampled_from(["PATCH", "PUT"]),
        recurrence=st.integers(0, len(RECURRENCES) - 1),
        move=st.sampled_from(["no", "end", "end", "all"]),
    )
    @recorded
    def update_series(self, ref: Ref, seed: int, groups: list[str], method: str, recurrence: int, move: str) -> None:
        self._update_series(ref, seed, groups, method, recurrence, move)

    def _update_series(self, ref: Ref, seed: int, groups: list[str], method: str, recurrence: int, move: str) -> None:
        """PATCH/PUT drawn groups of a valid body; ``move``: ``end`` sends a new end (the valid body's
        duration from the same start), ``all`` a new start, end and time zone."""
        model = self.live(ref)
        if model is None:
            return
        now = self.now()
        full = valid_update_body(seed, now, scheduled_type=model.scheduled_type)
        body = _body_of(full, [*groups, "times"] if move == "all" and "times" not in groups else groups)
        if move == "end" and "start" not in body:
            body["end"] = iso(model.start + (instant(full["end"]) - instant(full["start"])))
        if "title" in body:
            body["title"] = own_name(f"rest series {seed}")
        if RECURRENCES[recurrence]:
            body["recurrence"] = RECURRENCES[recurrence]
        answer = self.rest.update(model.id, body, method=method)
        state = model.series_state(now)
        if state != "active":
            return self.expect_refusal(answer, model, f"{method} of a series {state} (rest-not-updatable)")
        problem = self.login_problem(model, model.json, body) or model.window_problem(body, now)
        if problem:
            return self.expect_refusal(answer, model, problem)
        assert answer.status == 200, f"{method} {ref.label}: {answer.describe()} {answer.descriptions}"
        expected = apply_update(model.json, body, model.scheduled_type)
        if expected.get("enabledVisualWatermark") and "visualWatermarkOpacity" not in expected:
            expected["visualWatermarkOpacity"] = answer.json.get("visualWatermarkOpacity")
        old_rule = model.rule
        moved = model.apply_times(body)
        if "recurrence" in body:
            model.rule = SeriesModel.rule_of(body["recurrence"])
        had_exceptions = bool(model.exceptions)
        if moved or model.rule != old_rule:
            model.exceptions.clear()  # 003: exceptional scheduled meetings are cancelled
        model.json = expected
        self.check_series(model, answer.json, f"{method} {ref.label} answer")
        self.read_by_number(ref, False)  # the list answers the update at once, as GET does (003 "List Meetings")
        if had_exceptions:  # what became of the exceptional scheduled meetings
            self.check_occurrences(model, 100, f"scheduled meetings of {ref.label} after {method} of the series")

    @rule(
        ref=series,
        pick=st.integers(0, 9),
        seed=st.integers(0, 10_000),
        groups=st.lists(st.sampled_from(OCCURRENCE_GROUPS), min_size=1, max_size=3, unique=True),
        method=st.sampled_from(["PATCH", "PUT"]),
    )
    @recorded
    def update_occurrence(self, ref: Ref, pick: int, seed: int, groups: list[str], method: str) -> None:
        self._update_occurrence(ref, pick, seed, groups, method)

    def _update_occurrence(self, ref: Ref, pick: int, seed: int, groups: list[str], method: str) -> None:
        """PATCH/PUT drawn groups of one scheduled meeting of a recurring series, then the series read back."""
        model = self.live(ref)
        if model is None or model.rule is None or not model.slots():
            return
        slot = model.slots()[pick % len(model.slots())]
        now = self.now()
        body = _body_of(valid_update_body(seed, now, scheduled_type=model.scheduled_type), groups)
        if "title" in body:
            body["title"] = own_name(f"rest occurrence {seed}")
        answer = self.rest.update(model.occurrence_id(slot), body, method=method)
        current = model.occurrence_json(slot)
        state = model.occurrence_state(slot, model.duration, now)
        if state != "scheduled":
            return self.expect_refusal(answer, model, f"{method} of a scheduled meeting {state} (rest-not-updatable)")
        problem = self.login_problem(model, current, body)
        if problem:
            return self.expect_refusal(answer, model, problem)
        assert answer.status == 200, f"{method} occurrence of {ref.label}: {answer.describe()} {answer.descriptions}"
        expected = apply_update(current, body, model.scheduled_type)
        if expected.get("enabledVisualWatermark") and "visualWatermarkOpacity" not in expected:
            expected["visualWatermarkOpacity"] = answer.json.get("visualWatermarkOpacity")
        own = dict(model.exceptions.get(slot_key(slot), {}))
        for name in set(expected) | set(model.json):
            if name in OCCURRENCE_OWN or name in VOLATILE:
                continue
            value = expected.get(name, ABSENT)
            if value is ABSENT and name not in model.json:
                own.pop(name, None)
            elif value != model.json.get(name, ABSENT):
                own[name] = value
            else:
                own.pop(name, None)
        model.exceptions[slot_key(slot)] = own
        self.check_occurrence(model, slot, answer.json, f"{method} occurrence of {ref.label} answer")
        self.read_back(model, f"the series after {method} of one occurrence")

    # ------------------------------------------------------------ delete

    @rule(ref=series, pick=st.integers(0, 9))
    @recorded
    def delete_occurrence(self, ref: Ref, pick: int) -> None:
        model = self.live(ref)
        if model is None or model.rule is None or not model.slots():
            return
        slot = model.slots()[pick % len(model.slots())]
        occurrence = model.occurrence_id(slot)
        answer = self.rest.delete(occurrence)
        assert answer.status == 204, f"DELETE occurrence: {answer.describe()}"
        model.cancelled.add(slot_key(slot))
        model.exceptions.pop(slot_key(slot), None)
        self.gone.append(occurrence)

    @rule(ref=consumes(series))
    @recorded
    def delete_series(self, ref: Ref) -> None:
        model = self.models.pop(ref.label, None)
        if model is None:
            return
        answer = self.rest.delete(model.id)
        assert answer.status == 204 and answer.raw == b"", f"DELETE series: {answer.describe()} (J2: 204, no body)"
        self.gone.append(model.id)
        self.gone += [model.occurrence_id(s) for s in model.slots() if model.rule is not None]

    def read_gone(self, pick: int) -> None:
        """A deleted series or cancelled occurrence: 404 for GET, PATCH and DELETE (J2)."""
        meeting_id = self.gone[pick % len(self.gone)]
        assert_error(self.rest.get(meeting_id), 404)
        assert_error(self.rest.update(meeting_id, {"title": own_name("gone")}), 404)
        assert_error(self.rest.delete(meeting_id), 404)

    # ------------------------------------------------------------ webinars

    def webinar_register(self, ref: Ref, n: int) -> None:
        model = self.live(ref)
        if model is None or model.scheduled_type != "webinar":
            return
        answer = self.rest.request(
            "POST",
            f"/meetings/{model.id}/registrants",
            json_body={"firstName": "Reg", "lastName": f"Istrant{n}", "email": f"registrant{n}@example.com"},
            api="POST /v1/meetings/{id}/registrants",
        )
        if answer.status == 409:  # 003: one registration per e-mail address
            return
        assert answer.status == 200, f"register: {answer.describe()}"
        model.registrants += 1

    def webinar_set_login(self, ref: Ref, restrict: bool, login: bool | None) -> None:
        model = self.live(ref)
        if model is None or model.scheduled_type != "webinar":
            return
        body: dict[str, Any] = {"restrictToInvitees": restrict}
        if login is not None:
            body["requireAttendeeLogin"] = login
        answer = self.rest.update(model.id, body)
        state = model.series_state(self.now())
        if state != "active":
            return self.expect_refusal(answer, model, f"PATCH of a series {state}")
        problem = self.login_problem(model, model.json, body)
        if problem:
            return self.expect_refusal(answer, model, f"{problem} (rest-webinar-login-rules)")
        assert answer.status == 200, f"webinar login {body}: {answer.describe()}"
        model.json = apply_update(model.json, body, "webinar")
        self.check_series(model, answer.json, "webinar login answer")

    # ------------------------------------------------------------ the clock (emulator only)

    def clock_move(self, ref: Ref, past: bool) -> None:
        """Move the site clock one minute into the series' next occurrence, or one minute past its end."""
        model = self.live(ref)
        now = self.now()
        nxt = model.next_scheduled(now) if model is not None else None
        if model is None or nxt is None:
            return
        target = (nxt + model.duration if past else max(nxt, now)) + timedelta(minutes=1)
        self.site.advance_clock(max(1.0, (target - now).total_seconds()))
        self._offset = None
        # what may be updated now (003: not a meeting in progress or over)
        body = {"title": own_name(f"rest after the clock {int(past)}")}
        answer = self.rest.update(model.id, body)
        state = model.series_state(self.now())
        if state != "active":
            return self.expect_refusal(answer, model, f"PATCH of a series {state} (rest-not-updatable)")
        assert answer.status == 200, f"PATCH of an active series: {answer.describe()}"
        model.json = apply_update(model.json, body, model.scheduled_type)
        self.check_series(model, answer.json, "PATCH after the clock moved")

    def clock_instance(self, ref: Ref, pick: int) -> None:
        """A started occurrence's meeting instance: readable, never updatable nor deletable (003)."""
        model = self.live(ref)
        now = self.now()
        started = [s for s in model.slots() if s <= now] if model is not None else []
        if model is None or not started:
            return
        slot = started[pick % len(started)]
        instance_id = f"{model.id}_I_{int(slot.timestamp())}"
        got = self.rest.get(instance_id)
        assert got.status == 200, f"GET instance: {got.describe()}"
        check_shape(got.json, "meeting", where="instance")
        state = "inProgress" if now < slot + model.duration else "ended"
        assert (got.json["state"], got.json["meetingSeriesId"]) == (state, model.id), f"instance {got.json['state']}"
        assert instant(got.json["start"]) == slot, "instance start"
        self.expect_refusal(self.rest.update(instance_id, {"title": own_name("instance")}), model, "PATCH an instance")
        assert_error(self.rest.delete(instance_id), 400)

    @rule(
        ref=series,
        register=st.booleans(),
        restrict=st.booleans(),
        login=st.sampled_from([True, False, None]),
        n=st.integers(0, 99),
    )
    @recorded
    def webinar(self, ref: Ref, register: bool, restrict: bool, login: bool | None, n: int) -> None:
        self._webinar(ref, register, restrict, login, n)

    def _webinar(self, ref: Ref, register: bool, restrict: bool, login: bool | None, n: int) -> None:
        """On a webinar: register someone first (``register``; emulator only: a real site would mail
        the registrant), then set its login options (003's rules decide whether that is allowed)."""
        if register and self.site.is_emulator:
            self.webinar_register(ref, n)
        self.webinar_set_login(ref, restrict, login)

    @precondition(lambda self: self.site.is_emulator)
    @rule(ref=series, action=st.sampled_from(["into", "past", "instance"]), pick=st.integers(0, 9))
    @recorded
    def clock(self, ref: Ref, action: str, pick: int) -> None:
        """Emulator only: move the clock into the series' next occurrence or past its end (then
        PATCH it), or read a started occurrence's instance."""
        if action == "instance":
            self.clock_instance(ref, pick)
        else:
            self.clock_move(ref, action == "past")

    # ------------------------------------------------------------ the end

    def clean_up(self) -> None:
        for model in self.models.values():
            self.rest.delete(model.id)


def test_rest_series_read_back_what_the_last_update_wrote(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(RestSeriesMachine)
