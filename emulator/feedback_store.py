"""What customers said of a support session: the feedback form each one filled in when the session
ended (:class:`SupportFeedback`), kept per conference ID by the bounded :class:`FeedbackLog`.

Support Center's GetFeedbackInfo (:mod:`emulator.services.feedback`) reads it. On a real site the
feedback comes from the customers; on the emulator the control API records it
(``POST sites/{site}/sessions/{key}/feedback``). Stands on the standard library only.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Feedback forms one site keeps at most (docs/performance.md, "Bounded state"); the oldest goes first.
MAX_FEEDBACK = 10_000

#: The form's default fields, in the schema's order (``feedbackDefaultFieldsType``).
DEFAULT_FIELDS = ("setup", "easeOfUse", "performance", "comment")


@dataclass(frozen=True, slots=True)
class SupportFeedback:
    """One customer's feedback form: the attendee who sent it and the default fields' answers."""

    attendee_id: int
    answers: tuple[tuple[str, str], ...]


class FeedbackLog:
    """Feedback forms by the support session's conference ID, in the order they came."""

    def __init__(self, limit: int = MAX_FEEDBACK) -> None:
        self.limit = max(1, limit)
        self._forms: dict[str, list[SupportFeedback]] = {}
        self._order: list[str] = []
        self._next_attendee = 88_001

    def add(self, conf_id: str, answers: dict[str, str]) -> SupportFeedback:
        """Record a form for ``conf_id`` (only the default fields are kept, in their order)."""
        form = SupportFeedback(self._next_attendee, tuple((k, answers[k]) for k in DEFAULT_FIELDS if k in answers))
        self._next_attendee += 1
        self._forms.setdefault(conf_id, []).append(form)
        self._order.append(conf_id)
        if len(self._order) > self.limit:
            oldest = self._order.pop(0)
            forms = self._forms[oldest]
            forms.pop(0)
            if not forms:
                del self._forms[oldest]
        return form

    def conf_ids(self) -> list[str]:
        """The conference IDs that have feedback."""
        return list(self._forms)

    def of(self, conf_id: str) -> list[SupportFeedback]:
        """The forms sent for ``conf_id``, oldest first."""
        return list(self._forms.get(conf_id, ()))
