"""A state machine over the Training Center test library and its IMS tests, used by two users.

Rules: UploadIMStest (drawn questions: two to four choices each, the right one, the points; PRIVATE
or SHARED), CopyLibTests, DelLibTests, GetIMStestDetails, LstLibTests (type ALL / PRIVATE / SHARED)
— each as the host or the invitee — and, on the emulator, a participant's answers (control API)
followed by GetIMStestResult. A model of every test (author, library, questions) and of the answers
given rides along; every answer is compared with it:

- a test reads back the questions, choices, right answers and points it was uploaded with, to
  whoever may see it (its author; everyone when SHARED); another user's private test, and a deleted
  test, are 000015 everywhere (details, results, copy, delete) (``ims-test-upload``,
  ``lib-test-visibility``);
- LstLibTests shows exactly the caller's own tests of the type asked and every shared one, never
  another user's private one (``lib-test-visibility``);
- a copy is a new test (a new testID) in the library named, authored by the caller, with the
  source's questions; the source stays (``lib-test-copy``);
- DelLibTests deletes the caller's own test only: another user's test is 000001 (000015 when it is
  private) and stays (``lib-test-delete-own``);
- a result scores each answer against the right choice (``ims-test-result``);
- a test the host may see is scheduled on a training session of the machine's own (AddScheduledTest
  once, then SetScheduledTest with a drawn ``deliveryMethod``: start and due date, the group whole);
  right after each Set, LstScheduledTests answers every test the machine scheduled there with its
  title and the dates its last Set wrote (``set-scheduled-test-read-back``).

On a real site the machine deletes every test it made (as their author) and its training session;
the invitee's rules need the ``invitee`` user, else they run as the host; answers need the control API (emulator only).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, multiple, precondition, rule

from webex_harness.contracts.stateful.machine import ContractMachine, Ref, recorded
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import XmlResponse

ROLES = ("host", "invitee")
LIBRARIES = ("PRIVATE", "SHARED")
#: one question as drawn: how many choices, which is right (1-based, taken modulo the count), points
QUESTION = st.tuples(st.integers(2, 4), st.integers(1, 4), st.integers(0, 20))
_ITEMS = "qti:questestinterop/qti:assessment/qti:item"
_RESULT = "qti:qti_result_report/qti:result/qti:assessment_result"
#: the delivery dates a SetScheduledTest sends (``deliveryMethod`` whole: how a site merges part of it is
#: not documented)
DELIVERY = ("startDate", "dueDate")


@dataclass
class Question:
    text: str
    choices: list[str]
    correct: int
    score: int


@dataclass
class LibTest:
    author: str  # a role
    library: str
    title: str
    questions: list[Question]
    #: participant e-mail -> the choices picked, by item position (from 1)
    answers: dict[str, dict[int, int]] = field(default_factory=dict)


def _missing(answer: XmlResponse) -> bool:
    return (answer.result, answer.exception_id) == ("FAILURE", "000015")


class LibraryMachine(ContractMachine):
    """Library tests of two users against a model of who wrote what, where, with which questions."""

    examples = 12
    steps_per_example = 10

    tests = Bundle("tests")

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        self.roles = [r for r in ROLES if r in site.users]
        self.live: dict[str, LibTest] = {}
        self.gone: set[str] = set()
        self.serial = 0
        #: the training session the machine schedules tests on (made by the first schedule_test)
        self.session_key: str | None = None
        #: test label -> the delivery dates the last Set wrote (what LstScheduledTests must answer)
        self.scheduled: dict[str, dict[str, str]] = {}
        now = datetime.fromisoformat(site.state()["now"]).astimezone(UTC) if site.is_emulator else datetime.now(UTC)
        self.base = now.replace(tzinfo=None, hour=9, minute=0, second=0, microsecond=0) + timedelta(days=60)

    def _role(self, role: str) -> str:
        """``role`` if the site declares it, else the host."""
        return role if role in self.roles else "host"

    def _sees(self, role: str, model: LibTest) -> bool:
        return model.library == "SHARED" or model.author == role

    def _webex_id(self, role: str) -> str:
        return (self.site.security(role).webex_id or "").lower()

    # ------------------------------------------------------------ rules

    @rule(
        target=tests,
        role=st.sampled_from(ROLES),
        library=st.sampled_from(LIBRARIES),
        questions=st.lists(QUESTION, min_size=1, max_size=3),
        one_page=st.booleans(),
    )
    @recorded
    def upload(self, role: str, library: str, questions: list[list[int]], one_page: bool) -> Ref:
        role = self._role(role)
        self.serial += 1
        title = own_name(f"stateful test {self.serial}")
        drawn = [
            Question(
                f"Question {n} of {self.serial}?",
                [f"choice {n}.{k}" for k in range(1, count + 1)],
                1 + (right - 1) % count,
                score,
            )
            for n, (count, right, score) in enumerate(questions, 1)
        ]
        items = [
            {
                "ident": f"q{n}",
                "mattext": q.text,
                "response_label": q.choices,
                "correctResponse": q.correct,
                "score": q.score,
            }
            for n, q in enumerate(drawn, 1)
        ]
        body = {
            "type": library,
            "displayType": {"allOnePage": one_page, "onePerPage": not one_page},
            "questestinterop": {"assessment": {"title": title, "asi_description": "stateful", "item": items}},
        }
        test_id = self.xml("training", "UploadIMStest", body, role=role).expect_success().text("train:testID")
        assert test_id, "UploadIMStest answered no testID"
        ref = self.new_ref("test", test_id, author=role)
        self.live[ref.label] = LibTest(role, library, title, drawn)
        return ref

    @rule(test=tests, role=st.sampled_from(ROLES))
    @recorded
    def details(self, test: Ref, role: str) -> None:
        role = self._role(role)
        answer = self.xml("training", "GetIMStestDetails", {"testID": test.key}, role=role)
        model = self.live.get(test.label)
        if model is None or not self._sees(role, model):
            why = "deleted" if model is None else f"{model.author}'s private test"
            assert _missing(answer), f"GetIMStestDetails of {test.label} ({why}) as {role}: {answer.describe()}"
            return
        answer.expect_success()
        assert answer.text("train:testID") == test.key, answer.describe()
        assert answer.text("qti:questestinterop/qti:assessment/qti:title") == model.title
        items = answer.xpath(_ITEMS)
        got = [
            (
                i.findtext("{*}mattext"),
                [c.text for c in i.findall("{*}response_label")],
                i.findtext("{*}correctResponse"),
                i.findtext("{*}score"),
            )
            for i in items
        ]
        want = [(q.text, q.choices, str(q.correct), str(q.score)) for q in model.questions]
        assert got == want, f"{test.label} as {role}: the questions read back {got}, uploaded {want}"

    @rule(role=st.sampled_from(ROLES), kind=st.sampled_from(["ALL", *LIBRARIES]))
    @recorded
    def list_tests(self, role: str, kind: str) -> None:
        role = self._role(role)
        body = {"listControl": {"serv:startFrom": 1, "serv:maximumNum": 500}, "type": kind}
        answer = self.xml("training", "LstLibTests", body, role=role)
        listed = [] if _missing(answer) else answer.expect_success().texts("train:testInfo/train:testID")
        mine = {self.refs[label].key: label for label in [*self.live, *self.gone]}
        got = sorted(mine[k] for k in listed if k in mine)
        want = sorted(label for label, m in self.live.items() if self._sees(role, m) and kind in ("ALL", m.library))
        assert got == want, f"LstLibTests type {kind} as {role} lists {got} of the machine's tests, expected {want}"
        if self.site.is_emulator:
            assert len(listed) == len(want), f"LstLibTests type {kind} as {role}: {len(listed)} tests, {want} expected"
            if listed:
                total = answer.text("train:matchingRecords/serv:total")
                assert total == str(len(listed)), f"matchingRecords/total {total}, {len(listed)} listed"
        authors = {
            self.refs[mine[k]].label: a.lower()
            for k, a in zip(listed, answer.texts("train:testInfo/train:author"), strict=False)
            if k in mine
        }
        for label, author in authors.items():
            assert author == self._webex_id(self.live[label].author), f"{label} listed with author {author}"

    @rule(target=tests, test=tests, role=st.sampled_from(ROLES), library=st.sampled_from(LIBRARIES))
    @recorded
    def copy(self, test: Ref, role: str, library: str) -> Any:
        role = self._role(role)
        answer = self.xml("training", "CopyLibTests", {"testID": test.key, "copyToType": library}, role=role)
        model = self.live.get(test.label)
        if model is None or not self._sees(role, model):
            why = "deleted" if model is None else f"{model.author}'s private test"
            if answer.ok:  # made all the same: kept so that clean_up deletes it
                made = self.new_ref("test", answer.text("train:testID") or "", author=role)
                self.live[made.label] = LibTest(role, library, "", [])
            assert _missing(answer), f"CopyLibTests of {test.label} ({why}) as {role}: {answer.describe()}"
            return multiple()
        copied = answer.expect_success().text("train:testID")
        assert copied and copied != test.key, (
            f"CopyLibTests of {test.label} answered testID {copied} (the source's: {test.key})"
        )
        ref = self.new_ref("test", copied, author=role)
        self.live[ref.label] = LibTest(role, library, model.title, list(model.questions))
        return ref

    @rule(test=tests, role=st.sampled_from(ROLES))
    @recorded
    def delete(self, test: Ref, role: str) -> None:
        role = self._role(role)
        answer = self.xml("training", "DelLibTests", {"testID": test.key}, role=role)
        model = self.live.get(test.label)
        if model is not None and model.author == role:
            answer.expect_success()
            self.gone.add(test.label)
            del self.live[test.label]
            self.scheduled.pop(test.label, None)  # what a site then shows of it on the session is not compared
            return
        if model is None:
            assert _missing(answer), f"DelLibTests of {test.label} (deleted) as {role}: {answer.describe()}"
            return
        expected = "000001" if self._sees(role, model) else "000015"
        if answer.ok:
            self.gone.add(test.label)
            del self.live[test.label]
            self.scheduled.pop(test.label, None)
        assert (answer.result, answer.exception_id) == ("FAILURE", expected), (
            f"DelLibTests of {model.author}'s {model.library} test {test.label} as {role}: {answer.describe()}"
        )

    @precondition(lambda self: self.site.is_emulator)
    @rule(test=tests, participant=st.integers(1, 2), picks=st.lists(st.integers(1, 4), max_size=3))
    @recorded
    def answer_and_score(self, test: Ref, participant: int, picks: list[int]) -> None:
        """A participant answers (control API), then the author reads every participant's result."""
        model = self.live.get(test.label)
        if model is None:
            return
        email = f"learner{participant}@example.com"
        sheet = {
            n: 1 + (p - 1) % len(q.choices) for n, (q, p) in enumerate(zip(model.questions, picks, strict=False), 1)
        }
        self.site.control.answer_test(
            self.site.name, test.key, name=f"Learner {participant}", email=email, answers=sheet
        )
        model.answers[email] = sheet
        for who, given in model.answers.items():
            self._check_result(test, model, who, given)

    def _check_result(self, test: Ref, model: LibTest, email: str, given: dict[int, int]) -> None:
        answer = self.xml(
            "training", "GetIMStestResult", {"testID": test.key, "participantEmail": email}, role=model.author
        )
        answer.expect_success()
        earned = [q.score if given.get(n) == q.correct else 0 for n, q in enumerate(model.questions, 1)]
        got_items = answer.texts(f"{_RESULT}/qti:item_result/qti:outcomes/qti:score/qti:score_value")
        got_total = answer.text(f"{_RESULT}/qti:outcomes/qti:score/qti:score_value")
        want = (str(sum(earned)), [str(e) for e in earned])
        assert (got_total, got_items) == want, (
            f"{test.label}: {email} picked {given}, scored {got_total} {got_items}; right answers give {want}"
        )
        picked = [i.findtext("{*}response/{*}response_value") for i in answer.xpath(f"{_RESULT}/qti:item_result")]
        chosen = [q.choices[given[n] - 1] if n in given else None for n, q in enumerate(model.questions, 1)]
        assert picked == chosen, f"{test.label}: {email}'s answers read {picked}, given {chosen}"

    @rule(
        test=tests,
        start=st.integers(0, 9),
        days=st.integers(1, 9),
    )
    @recorded
    def schedule_test(self, test: Ref, start: int, days: int) -> None:
        """Schedule a test the host sees on the machine's training session (once), change its
        delivery dates with SetScheduledTest (start ``start`` days into the machine's window, due
        ``days`` later), then read every scheduled test back (LstScheduledTests)."""
        model = self.live.get(test.label)
        if model is None or not self._sees("host", model):
            return
        if self.session_key is None:
            schedule = {"startDate": self._date(start + days + 5), "duration": 60, "timeZoneID": 20}
            body = {"accessControl": {"listing": "PUBLIC"}, "schedule": schedule}
            body["metaData"] = {"confName": own_name("stateful scheduled tests"), "agenda": "tests"}
            made = self.xml("training", "CreateTrainingSession", body).expect_success()
            self.session_key = made.text("train:sessionkey")
            assert self.session_key, f"CreateTrainingSession answered no session key: {made.describe()}"
        if test.label not in self.scheduled:
            self.xml(
                "training", "AddScheduledTest", {"testID": test.key, "sessionKey": self.session_key}
            ).expect_success()
            self.scheduled[test.label] = {}
        sent = {"startDate": self._date(start), "dueDate": self._date(start + days)}
        body = {"sessionKey": self.session_key, "testID": test.key, "deliveryMethod": sent}
        self.xml("training", "SetScheduledTest", body).expect_success()
        self.scheduled[test.label].update(sent)
        self._check_scheduled(f"after SetScheduledTest of {test.label} with {sent}")

    def _date(self, day: int) -> str:
        return (self.base + timedelta(days=day)).strftime("%m/%d/%Y %H:%M:%S")

    def _check_scheduled(self, when: str) -> None:
        """LstScheduledTests of the machine's session: each test the machine scheduled (and has not
        deleted from the library since), its title and the dates its Sets wrote."""
        answer = self.xml("training", "LstScheduledTests", {"sessionKey": self.session_key}).expect_success()
        listed = {
            item.findtext("{*}testID"): {
                "title": item.findtext("{*}title"),
                **{name: item.findtext(f"{{*}}{name}") for name in DELIVERY},
            }
            for item in answer.xpath("train:test")
        }
        for label, dates in self.scheduled.items():
            got = listed.get(self.refs[label].key)
            assert got is not None, f"LstScheduledTests {when}: {label} is not listed ({sorted(listed)})"
            want = {"title": self.live[label].title, **dates}
            shown = {name: got[name] for name in want}
            assert shown == want, f"LstScheduledTests {when}: {label} shows {shown}, the Sets wrote {want}"

    def clean_up(self) -> None:
        if self.session_key:
            self.xml("training", "DelTrainingSession", {"sessionKey": self.session_key})
        for label, model in list(self.live.items()):
            if self.refs[label].key:
                self.xml("training", "DelLibTests", {"testID": self.refs[label].key}, role=model.author)


def test_library_tests_follow_their_model(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(LibraryMachine)
