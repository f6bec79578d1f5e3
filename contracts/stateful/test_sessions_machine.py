"""A state machine over Event Center events, Training Center sessions and teleconference-only
sessions: create, set, get, list by date, delete.

Sessions are made on drawn days of a stretch of the calendar of the machine's own (a few days, two
months or more ahead, GMT), then changed with drawn fields — a SetEvent names some of its name,
description, ``extOptions/endURLAfterEnroll``, ``panelists/panelistsInfo`` and start day; a
SetTrainingSession some of its name, agenda and start day; a SetTeleconferenceSession its name and/or
start day. Each kind has its own create and set rules (so that every kind gets its Sets drawn). A
model of every live session rides along:

- GetEvent / GetTrainingSession / GetTeleconferenceSession answer what the last accepted Set wrote,
  and every field the Set did not name is as it was (``set-event-enroll-and-panelists-info``,
  ``set-training-session-read-back``, ``set-teleconference-session-read-back``); right after a
  SetTrainingSession or SetTeleconferenceSession, the list by its key (LstsummaryTrainingSession,
  LstsummarySession) shows the name too;
- LstsummaryEvent and LstTrainingSession with a ``dateScope`` list exactly the machine's live
  sessions starting in it (``lst-training-session``), ``matchingRecords`` counting them; nothing:
  000015;
- unsafe HTML in a description or agenda (every third value a Set writes) is filtered before it is
  stored: no script, event handler, ``javascript:`` URL or frame reads back, the safe text does
  (``unsafe-html-filtered``, 000 SetEvent, 004 CreateTrainingSession);
- a deleted session answers not-found everywhere: Get (060001), the list by its key (000015), a
  second delete. (A teleconference is deleted with DelMeeting, as 001 has no DelTeleconferenceSession,
  and is listed by LstsummarySession; it has no list by date of its own.)

On a real site the window is a random stretch 2 to 12 months ahead, only the machine's own sessions
are compared, and clean-up deletes every session it made.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, rule

from webex_harness.contracts.stateful.machine import ContractMachine, Ref, recorded
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import XmlResponse

#: GMT: dates need no conversion
GMT = 20
#: the days of the machine's window a session may start on
DAYS = st.integers(0, 3)
#: what a SetEvent may name, each field drawn or left out
EVENT_FIELDS = ("name", "description", "endURLAfterEnroll", "panelistsInfo", "day")
TRAINING_FIELDS = ("name", "agenda", "day")
TELECONFERENCE_FIELDS = ("name", "day")


@dataclass(frozen=True)
class KindApis:
    """The APIs of one session kind, and where its answers hold what the machine reads."""

    service: str
    get: str
    set: str
    #: the API that deletes it: (service, API, key element)
    delete: tuple[str, str, str]
    #: the list by sessionKey: (service, API, the listed record's name element)
    by_key: tuple[str, str, str]
    #: field -> where the Get answer shows it
    paths: dict[str, str]


APIS = {
    "event": KindApis(
        "event",
        "GetEvent",
        "SetEvent",
        ("event", "DelEvent", "sessionKey"),
        ("event", "LstsummaryEvent", "event:event/event:sessionName"),
        {
            "name": "event:metaData/event:sessionName",
            "description": "event:metaData/event:description",
            "endURLAfterEnroll": "event:extOptions/event:endURLAfterEnroll",
            "panelistsInfo": "event:panelists/event:panelistsInfo",
            "start": "event:schedule/event:startDate",
        },
    ),
    "training": KindApis(
        "training",
        "GetTrainingSession",
        "SetTrainingSession",
        ("training", "DelTrainingSession", "sessionKey"),
        ("training", "LstsummaryTrainingSession", "train:trainingSession/train:confName"),
        {
            "name": "train:metaData/train:confName",
            "agenda": "train:metaData/train:agenda",
            "start": "train:schedule/train:startDate",
        },
    ),
    "teleconference": KindApis(
        "teleconference",
        "GetTeleconferenceSession",
        "SetTeleconferenceSession",
        ("meeting", "DelMeeting", "meetingKey"),
        ("ep", "LstsummarySession", "ep:session/ep:confName"),
        {"name": "tel:metaData/tel:confName", "start": "tel:schedule/tel:startDate"},
    ),
}
KINDS = {
    "event": ("event", "LstsummaryEvent", "event:event", "event:sessionKey", "event:matchingRecords"),
    "training": (
        "training",
        "LstTrainingSession",
        "train:trainingSession",
        "train:sessionKey",
        "train:matchingRecords",
    ),
}


#: what a Set writes into a description or agenda when its value carries unsafe HTML
UNSAFE_HTML = (
    '<p>Quarterly <b>update</b></p><script>alert("x")</script>'
    '<img src="logo.png" onerror="alert(1)"><a href="javascript:alert(2)">more</a>'
    '<iframe src="https://evil.example.com"></iframe>'
)
#: what must not read back of :data:`UNSAFE_HTML`
_UNSAFE_PARTS = ("<script", "onerror", "javascript:", "<iframe", 'alert("x")')
#: fields a Set may write unsafe HTML into
_HTML_FIELDS = ("description", "agenda")


@dataclass
class SessionModel:
    kind: str  # event | training
    day: int
    fields: dict[str, str] = field(default_factory=dict)
    #: fields last written with unsafe HTML: they must read back filtered, their safe text kept
    filtered: set[str] = field(default_factory=set)


def filtering_problem(text: str | None, sent: str) -> str | None:
    """Why ``text`` is not ``sent`` (which carries :data:`UNSAFE_HTML`) filtered, or None."""
    low = (text or "").lower()
    kept = [part for part in _UNSAFE_PARTS if part in low]
    if kept:
        return f"{kept} survived the HTML filter"
    safe = sent.removesuffix(UNSAFE_HTML)
    if safe not in (text or "") or "Quarterly" not in (text or ""):
        return "the safe text was not kept"
    return None


def _not_found(answer: XmlResponse, *ids: str) -> bool:
    return answer.result == "FAILURE" and answer.exception_id in ids


class SessionsMachine(ContractMachine):
    """Events and training sessions of the host, against a model of what each Set wrote."""

    examples = 14
    steps_per_example = 9

    #: every session; each kind's own too (its Set rule draws from it)
    sessions = Bundle("sessions")
    events = Bundle("events")
    trainings = Bundle("trainings")
    teleconferences = Bundle("teleconferences")

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        if site.is_emulator:
            now = datetime.fromisoformat(site.state()["now"]).astimezone(UTC)
            ahead = 60
        else:
            now, ahead = datetime.now(UTC), 60 + secrets.randbelow(300)
        self.base = now.replace(tzinfo=None, hour=0, minute=0, second=0, microsecond=0) + timedelta(days=ahead)
        self.live: dict[str, SessionModel] = {}
        self.gone: set[str] = set()
        self.serial = 0

    def _start(self, day: int) -> str:
        return (self.base + timedelta(days=day, hours=10)).strftime("%m/%d/%Y %H:%M:%S")

    def _midnight(self, day: int) -> str:
        return (self.base + timedelta(days=day)).strftime("%m/%d/%Y %H:%M:%S")

    # ------------------------------------------------------------ create

    @rule(targets=(sessions, events), day=DAYS, options=st.booleans())
    @recorded
    def create_event(self, day: int, options: bool) -> Ref:
        """Create an event (with ``options``: its enrolment end URL and panelists' information too),
        then read it back."""
        self.serial += 1
        name = own_name(f"stateful event {self.serial}")
        meta = {"sessionName": name, "sessionType": 9, "description": f"description {self.serial}"}
        body: dict[str, Any] = {
            "accessControl": {"listing": "PUBLIC"},
            "schedule": self._schedule(day),
            "metaData": meta,
        }
        fields: dict[str, str] = {"name": name, "description": f"description {self.serial}"}
        if options:
            fields |= {"endURLAfterEnroll": f"https://example.com/enrolled/{self.serial}", "panelistsInfo": "info"}
            body |= {
                "extOptions": {"endURLAfterEnroll": fields["endURLAfterEnroll"]},
                "panelists": {"panelistsInfo": fields["panelistsInfo"]},
            }
        answer = self.xml("event", "CreateEvent", body).expect_success()
        return self._made("event", answer.text("event:sessionKey"), answer, day, fields)

    @rule(targets=(sessions, trainings), day=DAYS)
    @recorded
    def create_training(self, day: int) -> Ref:
        """Create a training session, then read it back."""
        self.serial += 1
        name = own_name(f"stateful training {self.serial}")
        meta = {"confName": name, "agenda": f"agenda {self.serial}"}
        body = {"accessControl": {"listing": "PUBLIC"}, "schedule": self._schedule(day), "metaData": meta}
        answer = self.xml("training", "CreateTrainingSession", body).expect_success()
        fields = {"name": name, "agenda": f"agenda {self.serial}"}
        return self._made("training", answer.text("train:sessionkey"), answer, day, fields)

    @rule(targets=(sessions, teleconferences), day=DAYS)
    @recorded
    def create_teleconference(self, day: int) -> Ref:
        """Create a teleconference-only session, then read it back."""
        self.serial += 1
        name = own_name(f"stateful teleconference {self.serial}")
        body = {"metaData": {"confName": name}, "schedule": {**self._schedule(day), "duration": 30}}
        answer = self.xml("teleconference", "CreateTeleconferenceSession", body).expect_success()
        return self._made("teleconference", answer.text("tel:sessionKey"), answer, day, {"name": name})

    def _schedule(self, day: int) -> dict[str, Any]:
        return {"startDate": self._start(day), "duration": 60, "timeZoneID": GMT}

    def _made(self, kind: str, key: str | None, answer: XmlResponse, day: int, fields: dict[str, str]) -> Ref:
        assert key, f"Create of a {kind} answered no session key: {answer.describe()}"
        ref = self.new_ref(kind, key)
        self.live[ref.label] = SessionModel(kind, day, fields)
        self._read_back(ref, "after its Create")
        return ref

    # ------------------------------------------------------------ set, then read back

    @rule(
        session=events,
        named=st.lists(st.sampled_from(EVENT_FIELDS), min_size=1, max_size=3, unique=True),
        day=DAYS,
        n=st.integers(0, 99),
    )
    @recorded
    def set_event(self, session: Ref, named: list[str], day: int, n: int) -> None:
        self._set(session, named, day, n)

    @rule(
        session=trainings,
        named=st.lists(st.sampled_from(TRAINING_FIELDS), min_size=1, max_size=3, unique=True),
        day=DAYS,
        n=st.integers(0, 99),
    )
    @recorded
    def set_training(self, session: Ref, named: list[str], day: int, n: int) -> None:
        self._set(session, named, day, n)

    @rule(
        session=teleconferences,
        named=st.lists(st.sampled_from(TELECONFERENCE_FIELDS), min_size=1, max_size=2, unique=True),
        day=DAYS,
        n=st.integers(0, 99),
    )
    @recorded
    def set_teleconference(self, session: Ref, named: list[str], day: int, n: int) -> None:
        self._set(session, named, day, n)

    def _set(self, session: Ref, named: list[str], day: int, n: int) -> None:
        """One Set naming the drawn fields; then the Get (and, but for an event, the list by its
        key) must show what it wrote and everything else as before."""
        model = self.live.get(session.label)
        if model is None:
            return
        body: dict[str, Any] = {}
        changes: dict[str, str] = {}
        for name in named:
            value = own_name(f"renamed {n}") if name == "name" else f"{name} {n}"
            unsafe = name in _HTML_FIELDS and n % 3 == 0
            if unsafe:
                value += UNSAFE_HTML
                model.filtered.add(name)
            elif name in _HTML_FIELDS:
                model.filtered.discard(name)
            if name == "endURLAfterEnroll":
                value = f"https://example.com/enrolled/{n}"
            if name == "day":
                body["schedule"] = {"startDate": self._start(day), "timeZoneID": GMT}
                continue
            changes[name] = value
            if model.kind == "event":
                section, element = {
                    "name": ("metaData", "sessionName"),
                    "description": ("metaData", "description"),
                    "endURLAfterEnroll": ("extOptions", "endURLAfterEnroll"),
                    "panelistsInfo": ("panelists", "panelistsInfo"),
                }[name]
            else:
                section, element = ("metaData", "confName" if name == "name" else "agenda")
            body.setdefault(section, {})[element] = value
        apis = APIS[model.kind]
        if model.kind == "event":
            if "metaData" in body:
                body["metaData"] = {
                    "sessionName": changes.get("name", model.fields["name"]),
                    "sessionType": 9,
                    **body["metaData"],
                }
            self.xml("event", "SetEvent", {**body, "event:sessionKey": session.key}).expect_success()
        else:
            self.xml(apis.service, apis.set, {"sessionKey": session.key, **body}).expect_success()
        model.fields.update(changes)
        if "schedule" in body:
            model.day = day
        self._read_back(session, f"after setting {', '.join(named)}")
        if model.kind != "event":
            self._listed_name(session, f"after setting {', '.join(named)}")

    def _listed_name(self, session: Ref, when: str) -> None:
        """The list by the session's key shows the name the model holds."""
        model = self.live[session.label]
        service, api, name_path = APIS[model.kind].by_key
        answer = self.xml(service, api, {"sessionKey": session.key}).expect_success()
        got = answer.text(name_path)
        assert got == model.fields["name"], (
            f"{api} of {session.label} {when}: lists the name {got!r}, the Sets wrote {model.fields['name']!r}"
        )

    @rule(session=sessions)
    @recorded
    def get(self, session: Ref) -> None:
        self._read_back(session, "")

    def _read_back(self, session: Ref, when: str) -> None:
        model = self.live.get(session.label)
        apis = APIS[session.kind]
        service, api = apis.service, apis.get
        answer = self.xml(service, api, {"sessionKey": session.key})
        if model is None:
            assert _not_found(answer, "060001", "000015"), f"{api} of {session.label} (deleted): {answer.describe()}"
            return
        answer.expect_success()
        paths = APIS[session.kind].paths
        got = {name: answer.text(path) for name, path in paths.items()}
        for name in model.filtered:
            problem = filtering_problem(got[name], model.fields[name])
            assert problem is None, f"{api} of {session.label} {when}: {name}: {problem}: {got[name]!r}"
            got[name] = model.fields[name]  # filtered as documented: compared as written from here
        want: dict[str, str | None] = {name: model.fields.get(name) for name in paths}
        want["start"] = self._start(model.day)
        assert got == want, f"{api} of {session.label} {when}: reads {got}, the Sets wrote {want}"

    # ------------------------------------------------------------ lists

    @rule(first=DAYS, span=st.integers(1, 3))
    @recorded
    def list_by_date(self, first: int, span: int) -> None:
        """Both lists (events, training sessions) of the same days."""
        for kind in KINDS:
            self._list_kind(kind, first, span)

    def _list_kind(self, kind: str, first: int, span: int) -> None:
        service, api, item, key, records = KINDS[kind]
        scope = {
            "startDateStart": self._midnight(first),
            "startDateEnd": self._midnight(first + span),
            "timeZoneID": GMT,
        }
        answer = self.xml(service, api, {"listControl": {"startFrom": 1, "maximumNum": 500}, "dateScope": scope})
        listed = answer.texts(f"{item}/{key}") if answer.ok else []
        mine = {self.refs[label].key: label for label in [*self.live, *self.gone]}
        got = sorted(mine[k] for k in listed if k in mine)
        want = sorted(label for label, m in self.live.items() if m.kind == kind and first <= m.day < first + span)
        where = f"{api} of days {first} to {first + span - 1}"
        if not want and self.site.is_emulator:
            assert _not_found(answer, "000015"), f"{where} (none of the machine's): {answer.describe()}"
            return
        if not answer.ok:
            assert _not_found(answer, "000015") and not want, f"{where}: {answer.describe()}, expected {want}"
            return
        assert got == want, f"{where} lists {got} of the machine's sessions, expected {want}"
        if self.site.is_emulator:
            assert len(listed) == len(want), f"{where}: {len(listed)} sessions listed, expected {want}"
            total = answer.text(f"{records}/serv:total")
            assert total == str(len(listed)), f"{where}: matchingRecords/total {total}, {len(listed)} listed"

    # ------------------------------------------------------------ delete

    @rule(session=sessions)
    @recorded
    def delete(self, session: Ref) -> None:
        service, api, key = APIS[session.kind].delete
        answer = self.xml(service, api, {key: session.key})
        if session.label in self.live:
            answer.expect_success()
            del self.live[session.label]
            self.gone.add(session.label)
        else:
            assert answer.result == "FAILURE", f"{api} of {session.label}, deleted already: {answer.describe()}"
        self._read_back(session, "")
        list_service, list_api, _ = APIS[session.kind].by_key
        listed = self.xml(list_service, list_api, {"sessionKey": session.key})
        assert _not_found(listed, "000015"), f"{list_api} of deleted {session.label}: {listed.describe()}"

    def clean_up(self) -> None:
        for label in list(self.live):
            ref = self.refs[label]
            service, api, key = APIS[ref.kind].delete
            self.xml(service, api, {key: ref.key})


def test_events_training_and_teleconference_sessions_follow_their_model(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(SessionsMachine)
