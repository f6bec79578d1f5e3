"""A site's Training Center test library: uploaded and copied tests, their questions and the answers
participants gave.

State only (no XML): the training services (:mod:`emulator.services.lib_tests`,
:mod:`emulator.services.ims_tests`) read and change it, the control API records a participant's
answers. A test is in one of two libraries: ``PRIVATE`` (seen by its author alone) or ``SHARED``
(seen by everyone on the site). Each question is a choice item: its text, its choices (numbered
from 1), the number of the right one and the points it is worth. A participant's answer sheet maps
an item's position (from 1) to the choice picked; the score follows from the items.

Bounded (docs/performance.md, "Bounded state"): a site keeps at most :data:`MAX_LIBRARY_TESTS`
tests and a test at most :data:`MAX_RESULTS` answer sheets; past a cap the oldest goes.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field, replace
from datetime import datetime

#: Tests a site's library keeps at most; the oldest is dropped first.
MAX_LIBRARY_TESTS = 10_000
#: Answer sheets one test keeps at most; the oldest is dropped first.
MAX_RESULTS = 1_000
#: The libraries a test can be in.
LIBRARIES = ("PRIVATE", "SHARED")


@dataclass(frozen=True, slots=True)
class Question:
    """One question: its identifier, text, choices, the right choice (1-based) and its points."""

    ident: str
    text: str
    choices: tuple[str, ...]
    correct: int
    score: int


@dataclass(slots=True)
class AnswerSheet:
    """One participant's submitted answers: item position (1-based) -> the choice picked (1-based)."""

    name: str
    email: str
    answers: dict[int, int]
    submitted: datetime

    def item_score(self, position: int, item: Question) -> int:
        return item.score if self.answers.get(position) == item.correct else 0


@dataclass(slots=True)
class LibraryTest:
    """A test of the library."""

    test_id: str
    title: str
    description: str
    #: the webExID of whoever uploaded (or copied) it
    author: str
    #: ``PRIVATE`` or ``SHARED``
    library: str
    #: ``ALL_ONE_PAGE`` or ``ONE_PER_PAGE``
    display: str
    created: datetime
    items: tuple[Question, ...]
    #: lower-cased e-mail -> the participant's answers (the last sheet submitted)
    results: OrderedDict[str, AnswerSheet] = field(default_factory=OrderedDict)

    @property
    def max_score(self) -> int:
        return sum(item.score for item in self.items)

    def score_of(self, result: AnswerSheet) -> int:
        return sum(result.item_score(n, item) for n, item in enumerate(self.items, 1))

    def visible_to(self, webex_id: str) -> bool:
        """A shared test is everyone's; a private one its author's alone."""
        return self.library == "SHARED" or self.author.lower() == webex_id.lower()

    def record(self, result: AnswerSheet) -> None:
        """Keep ``result`` as the participant's answer sheet (replacing an earlier one)."""
        key = result.email.lower()
        self.results.pop(key, None)
        self.results[key] = result
        while len(self.results) > MAX_RESULTS:
            self.results.popitem(last=False)


class LibraryStore:
    """The tests of one site, by ID, oldest first."""

    __slots__ = ("tests",)

    def __init__(self) -> None:
        self.tests: OrderedDict[str, LibraryTest] = OrderedDict()

    def add(self, test: LibraryTest) -> LibraryTest:
        self.tests[test.test_id] = test
        while len(self.tests) > MAX_LIBRARY_TESTS:
            self.tests.popitem(last=False)
        return test

    def get(self, test_id: str) -> LibraryTest | None:
        return self.tests.get(test_id)

    def remove(self, test_id: str) -> LibraryTest | None:
        return self.tests.pop(test_id, None)

    def copy(self, test: LibraryTest, test_id: str, author: str, library: str, now: datetime) -> LibraryTest:
        """A new test with ``test``'s questions, in ``library`` of ``author``; no answers come along."""
        return self.add(
            replace(test, test_id=test_id, author=author, library=library, created=now, results=OrderedDict())
        )

    def __len__(self) -> int:
        return len(self.tests)
