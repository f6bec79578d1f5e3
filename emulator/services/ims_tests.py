"""IMS QTI tests of the Training Center: ``UploadIMStest``, ``GetIMStestDetails``, ``GetIMStestResult``,
and the participants' answers the results come from.

UploadIMStest puts a test, written in the shape of IMS QTI 1.2 (assessment and items), into the
caller's library (:mod:`emulator.services.lib_tests`) and answers its new ``testID``. The request
carries ``type`` (the library: PRIVATE, the default, or SHARED), ``displayType`` (exactly one of
``allOnePage`` and ``onePerPage`` TRUE, as the training elements page states) and
``questestinterop/assessment``: ``title`` (required, at most 128 characters), ``asi_description``
(at most 2048) and one or more ``item``: ``ident``, ``mattext`` (the question), two or more
``response_label`` (the choices, numbered from 1), ``correctResponse`` (the right choice's number)
and ``score`` (its points, default 1). The reference pages ``uploadimstest`` and
``getimstestdetails`` could not be read in full: this element-only form of QTI (the XML API's
answers carry no attributes) is the emulator's reading, and the catalogue entries say so.

GetIMStestDetails answers the test as it was uploaded (``qti:questestinterop``), to anyone who can
see it (its author; everyone for a shared test). GetIMStestResult answers one participant's
submitted answers in the shape of the IMS QTI results report (page ``getimstestresult``):
who (``context``), the test's score and its maximum, and per item the choice given and the points
it earned — every score computed from the test's right answers, never stored.

Answers: a participant takes a test in the Training Center client, which the XML API cannot do. The
emulator's control API records an answer sheet (``POST /_emulator/sites/{site}/tests/{testID}/answers``
``{"name", "email", "answers": {"<item position>": <choice>}}``, :func:`record_answers`); on a real
site results exist only for tests participants took.

Behaviours: ``ims-test-upload`` (what UploadIMStest stores is what GetIMStestDetails answers; an
ill-formed test — no item, fewer than two choices, a right answer that is not a choice, both or no
display types — is refused and nothing is stored), ``ims-test-result`` (the result's scores follow
from the answers; a participant with no answers is 000015).
"""

from __future__ import annotations

from typing import Any

from webex_harness.emulator.dispatch import Call, handler
from webex_harness.emulator.faults import declare
from webex_harness.emulator.library_store import LIBRARIES, AnswerSheet, LibraryTest, Question
from webex_harness.emulator.model import Site
from webex_harness.emulator.services import common
from webex_harness.emulator.services.lib_tests import add_test, new_test_id, visible_test
from webex_harness.emulator.xmlio import Element, Elements, Node
from webex_harness.webex.errors import invalid_request, invalid_value, no_record_found

IMS_TEST_UPLOAD = declare("ims-test-upload", "GetIMStestDetails answers the uploaded questions without their choices")
IMS_TEST_RESULT = declare("ims-test-result", "GetIMStestResult scores every answer as right")

#: Most questions one uploaded test may hold, and most choices one question may offer.
MAX_ITEMS = 200
MAX_CHOICES = 26


def _text(node: Node, path: str, limit: int, *, required: bool = False) -> str:
    text = (node.get(path) or "").strip()
    if required and not text:
        raise invalid_request(f"{path.rsplit('/', 1)[-1]} is required")
    if len(text) > limit:
        raise invalid_value(path.rsplit("/", 1)[-1])
    return text


def _display(node: Node) -> str:
    one_page = common.parse_bool(node.get("displayType/allOnePage"), False)
    per_page = common.parse_bool(node.get("displayType/onePerPage"), False)
    if bool(one_page) == bool(per_page):
        raise invalid_request("exactly one of allOnePage and onePerPage must be TRUE")
    return "ALL_ONE_PAGE" if one_page else "ONE_PER_PAGE"


def _item(node: Node, position: int) -> Question:
    choices = tuple(label.text.strip() for label in node.all("response_label"))
    if not 2 <= len(choices) <= MAX_CHOICES or not all(choices) or max(map(len, choices)) > 512:
        raise invalid_request(f"item {position} needs 2 to {MAX_CHOICES} non-empty response_label choices")
    correct = common.parse_int(node.get("correctResponse"), "correctResponse")
    if correct is None or not 1 <= correct <= len(choices):
        raise invalid_value("correctResponse")
    score = common.parse_int(node.get("score"), "score", 1)
    if score is None or not 0 <= score <= 100:
        raise invalid_value("score")
    return Question(
        ident=_text(node, "ident", 64) or f"q{position}",
        text=_text(node, "mattext", 2048, required=True),
        choices=choices,
        correct=correct,
        score=score,
    )


@handler("training", "UploadIMStest")
def upload_ims_test(call: Call) -> Elements:
    user = call.user()
    library = (call.node.get("type") or "PRIVATE").strip().upper()
    if library not in LIBRARIES:
        raise invalid_value("type")
    display = _display(call.node)
    assessment = call.node.find("questestinterop/assessment")
    if assessment is None:
        raise invalid_request("questestinterop/assessment is required")
    items = assessment.all("item")
    if not 1 <= len(items) <= MAX_ITEMS:
        raise invalid_request(f"a test holds 1 to {MAX_ITEMS} items")
    parsed = tuple(_item(item, n) for n, item in enumerate(items, 1))  # every check before storing
    title = common.filter_html(call, _text(assessment, "title", 128, required=True))
    description = common.filter_html(call, _text(assessment, "asi_description", 2048))
    test = LibraryTest(
        test_id=new_test_id(call.site),  # drawn once every check passed: a refused upload takes no ID
        title=title,
        description=description,
        author=user.webex_id,
        library=library,
        display=display,
        created=call.site.now(),
        items=parsed,
    )
    add_test(call.site, test)
    return [("train:testID", int(test.test_id))]


def _details_item(call: Call, item: Question) -> Element:
    choices = [] if call.fault(IMS_TEST_UPLOAD) else [("qti:response_label", c) for c in item.choices]
    return (
        "qti:item",
        [
            ("qti:ident", item.ident),
            ("qti:mattext", item.text),
            *choices,
            ("qti:correctResponse", item.correct),
            ("qti:score", item.score),
        ],
    )


@handler("training", "GetIMStestDetails")
def get_ims_test_details(call: Call) -> Elements:
    test = visible_test(call, call.user(), call.node.get("testID"))
    return [
        ("train:testID", int(test.test_id)),
        (
            "qti:questestinterop",
            [
                (
                    "qti:assessment",
                    [
                        ("qti:title", test.title),
                        ("qti:asi_description", test.description),
                        ("qti:displayType", test.display),
                        *[_details_item(call, item) for item in test.items],
                    ],
                )
            ],
        ),
    ]


def _score(value: int, maximum: int) -> Element:
    return ("qti:score", [("qti:score_value", value), ("qti:score_min", 0), ("qti:score_max", maximum)])


@handler("training", "GetIMStestResult")
def get_ims_test_result(call: Call) -> Elements:
    test = visible_test(call, call.user(), call.node.get("testID"))
    email = (call.node.get("participantEmail") or "").strip().lower()
    if not email:
        raise invalid_request("participantEmail is required")
    result = test.results.get(email)
    if result is None:
        raise no_record_found()
    every_right = call.fault(IMS_TEST_RESULT)
    earned = [item.score if every_right else result.item_score(n, item) for n, item in enumerate(test.items, 1)]
    items: list[Element] = []
    for n, item in enumerate(test.items, 1):
        picked = result.answers.get(n)
        items.append(
            (
                "qti:item_result",
                [
                    ("qti:ident_ref", item.ident),
                    ("qti:response", [("qti:response_value", item.choices[picked - 1] if picked else None)]),
                    ("qti:outcomes", [_score(earned[n - 1], item.score)]),
                ],
            )
        )
    return [
        (
            "qti:qti_result_report",
            [
                (
                    "qti:result",
                    [
                        ("qti:context", [("qti:name", result.name), ("qti:generic_identifier", result.email)]),
                        (
                            "qti:assessment_result",
                            [
                                ("qti:ident_ref", int(test.test_id)),
                                ("qti:date", common.format_date(result.submitted)),
                                ("qti:outcomes", [_score(sum(earned), test.max_score)]),
                                *items,
                            ],
                        ),
                    ],
                )
            ],
        )
    ]


def record_answers(site: Site, test_id: str, data: Any) -> dict[str, Any]:
    """A participant's answer sheet for ``test_id``, now (the control API). Raises ``ValueError``
    naming what is wrong, ``KeyError`` for an unknown test."""
    test = site.test_library.get(test_id)
    if test is None:
        raise KeyError(test_id)
    if not isinstance(data, dict):
        raise ValueError('expected {"name", "email", "answers": {"<item position>": <choice>}}')
    name, email, answers = data.get("name"), data.get("email"), data.get("answers", {})
    if not (isinstance(name, str) and name.strip() and isinstance(email, str) and "@" in email):
        raise ValueError("an answer sheet needs a non-empty name and an e-mail address")
    if not isinstance(answers, dict):
        raise ValueError("answers must map an item position (from 1) to the choice picked (from 1)")
    sheet: dict[int, int] = {}
    for key, value in answers.items():
        try:
            position, choice = int(key), int(value)
        except (TypeError, ValueError):
            raise ValueError(f"answer {key!r}: {value!r} is not a position and a choice number") from None
        if not 1 <= position <= len(test.items) or not 1 <= choice <= len(test.items[position - 1].choices):
            raise ValueError(f"answer {key!r}: {value!r} names no item or choice of test {test_id}")
        sheet[position] = choice
    now = site.now().replace(tzinfo=None)
    result = AnswerSheet(name.strip(), email.strip().lower(), sheet, now)
    test.record(result)
    return {"testID": test_id, "email": result.email, "score": test.score_of(result), "maxScore": test.max_score}
