"""A state machine over support sessions and their customers' feedback (GetFeedbackInfo).

Rules create support sessions of the host (CreateSupportSession; the confID read from
GetSessionInfo), have customers send feedback forms (the emulator's control API: a form is what a
real session's customers fill in), read GetFeedbackInfo for a session and delete sessions
(DelSession: the session's history keeps its feedback readable). The model holds each session's
forms in the order they came; GetFeedbackInfo must answer exactly the forms of the confID named,
with matchingRecords counting them (``support-feedback``).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from hypothesis import strategies as st
from hypothesis.stateful import initialize, precondition, rule

from webex_harness.contracts.stateful.machine import recorded
from webex_harness.contracts.stateful.people import PeopleMachine
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle

#: the feedback form's default fields in the form's order, with answers a customer may give
FORM = (
    ("setup", ("Easy", "Poor")),
    ("easeOfUse", ("Good", "Hard")),
    ("performance", ("Fast", "Slow")),
    ("comment", ("thanks", "not this one")),
)

forms = st.lists(st.tuples(st.sampled_from([f for f, _ in FORM]), st.integers(0, 1)), min_size=1, max_size=3)


@dataclass
class Support:
    key: str
    conf_id: str
    forms: list[list[tuple[str, str]]] = field(default_factory=list)
    deleted: bool = False


class SupportFeedbackMachine(PeopleMachine):
    examples = 8
    steps_per_example = 8

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        self.model: list[Support] = []

    def _create(self) -> None:
        made = self.xml(
            "support", "CreateSupportSession", {"metaData": {"confName": own_name(f"feedback {len(self.model) + 1}")}}
        ).expect_success()
        key = made.text("sc:sessionKey") or ""
        info = self.xml("ep", "GetSessionInfo", {"sessionKey": key}).expect_success()
        self.model.append(Support(key, info.text("ep:confID") or ""))

    @initialize()
    @recorded
    def first_sessions(self) -> None:
        """Two support sessions to begin with: feedback must stay with the one it was sent for."""
        self._create()
        self._create()

    @precondition(lambda self: len(self.model) < 4)
    @rule()
    @recorded
    def create_session(self) -> None:
        self._create()

    @precondition(lambda self: self.site.is_emulator)
    @rule(pick=st.integers(0, 3), answers=forms)
    @recorded
    def send_feedback(self, pick: int, answers: list[tuple[str, int]]) -> None:
        """The control API: a customer of the session sends the form with the drawn answers."""
        support = self.model[pick % len(self.model)]
        if support.deleted:
            return
        chosen = dict((name, dict(FORM)[name][i]) for name, i in answers)
        form = [(name, chosen[name]) for name, _ in FORM if name in chosen]
        self.site.control.support_feedback(self.site.name, support.key, **dict(form))
        support.forms.append(form)

    @rule()
    @recorded
    def feedback(self) -> None:
        """GetFeedbackInfo of every session the machine made."""
        for support in self.model:
            self._check(support)

    def _check(self, support: Support) -> None:
        got = self.xml("attendee", "GetFeedbackInfo", {"confID": support.conf_id}).expect_success()
        assert got.text("att:session/att:confID") == support.conf_id, got.describe()
        shown = [
            [(f.tag.split("}")[1], f.text or "") for f in attendee.iterfind("{*}feedbackFields/{*}defaultFields/*")]
            for attendee in got.xpath("att:session/att:attendee")
        ]
        assert shown == support.forms, f"confID {support.conf_id}: its customers sent {support.forms}, answered {shown}"
        assert got.text("att:session/att:matchingRecords/serv:total") == str(len(support.forms))

    @precondition(lambda self: any(not s.deleted for s in self.model))
    @rule(pick=st.integers(0, 3))
    @recorded
    def delete_session(self, pick: int) -> None:
        support = self.model[pick % len(self.model)]
        if support.deleted:
            return
        self.xml("ep", "DelSession", {"sessionKey": support.key}).expect_success()
        support.deleted = True

    def clean_up(self) -> None:
        for support in self.model:
            if not support.deleted:
                self.xml("ep", "DelSession", {"sessionKey": support.key})


def test_support_feedback_answers_the_forms_of_the_session_named(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(SupportFeedbackMachine)
