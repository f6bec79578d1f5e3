"""Training Center test library and IMS tests: LstLibTests, CopyLibTests, DelLibTests, UploadIMStest,
GetIMStestDetails, GetIMStestResult (reference pages of the same names).

Site safety: every test uploads (or copies) its own tests, named with the run's prefix, and deletes
them with DelLibTests when it ends, pass or fail; the run's ledger records each one too
(client/kinds.py, kind ``library-test``), so a run that dies still leaves them to ``webex-harness
cleanup``. A test never deletes a library test it did not make, and never assumes the library is
otherwise empty. A result needs a participant who answered the test, which only the emulator's
control API can give: those tests are emulator-only.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import XmlResponse
from webex_harness.webex.namespaces import XSI

#: The questions every uploaded test holds: (question, choices, the right choice, points).
QUESTIONS = (
    ("Which port does HTTPS use by default?", ("80", "443", "8080"), 2, 10),
    ("Which of these is a Webex service?", ("Training Center", "Print Center"), 1, 5),
)
_INFO_FIELDS = ["testID", "title", "description", "type", "author", "numQuestions", "maxScore", "createDate"]


def upload_body(
    title: str, library: str = "PRIVATE", *, one_page: bool = True, per_page: bool = False
) -> dict[str, Any]:
    items = [
        {
            "ident": f"q{n}",
            "mattext": text,
            "response_label": list(choices),
            "correctResponse": correct,
            "score": points,
        }
        for n, (text, choices, correct, points) in enumerate(QUESTIONS, 1)
    ]
    return {
        "type": library,
        "displayType": {"allOnePage": one_page, "onePerPage": per_page},
        "questestinterop": {
            "assessment": {"title": title, "asi_description": "Made by the contract suite", "item": items}
        },
    }


class Library:
    """The library tests one contract test made, deleted (by their author) when it ends."""

    def __init__(self, site: SiteHandle) -> None:
        self.site = site
        self.made: list[tuple[str, str]] = []  # (role of the author, testID)

    def upload(self, name: str, library: str = "PRIVATE", role: str = "host") -> str:
        got = self.site.client(role).call("training", "UploadIMStest", upload_body(own_name(name), library))
        test_id = got.expect_success().text("train:testID")
        assert test_id, f"UploadIMStest answered no testID: {got.describe()}"
        self.made.append((role, test_id))
        return test_id

    def copied(self, role: str, test_id: str) -> None:
        """A copy made by ``role`` (CopyLibTests), deleted with the rest."""
        self.made.append((role, test_id))

    def close(self) -> None:
        for role, test_id in reversed(self.made):
            self.site.client(role).call("training", "DelLibTests", {"testID": test_id})


@pytest.fixture
def library(site: SiteHandle) -> Iterator[Library]:
    made = Library(site)
    try:
        yield made
    finally:
        made.close()


def _listed(xml: XmlClient, kind: str = "ALL", **extra: Any) -> list[str]:
    """The testIDs LstLibTests lists (every page of up to 500)."""
    body = {"listControl": {"serv:startFrom": 1, "serv:maximumNum": 500}, "type": kind, **extra}
    got = xml.call("training", "LstLibTests", body)
    if got.exception_id == "000015":
        return []
    return got.expect_success().texts("train:testInfo/train:testID")


def _details(xml: XmlClient, test_id: str) -> XmlResponse:
    return xml.call("training", "GetIMStestDetails", {"testID": test_id})


# ---------------------------------------------------------------- lib-test-visibility


@pytest.mark.behaviour("lib-test-visibility")
def test_the_library_lists_own_private_and_shared_tests_with_the_documented_fields(
    site: SiteHandle, library: Library
) -> None:
    private = library.upload("lib-private")
    shared = library.upload("lib-shared", "SHARED")
    xml = site.client("host")
    got = xml.call("training", "LstLibTests", {"listControl": {"serv:startFrom": 1, "serv:maximumNum": 500}})
    body = got.expect_success().body
    assert body is not None and body.get(f"{{{XSI}}}type") == "train:lstLibTestsResponse"
    for entry in got.xpath("train:testInfo"):
        assert [c.tag.split("}")[1] for c in entry] == _INFO_FIELDS
    listed = got.texts("train:testInfo/train:testID")
    assert {private, shared} <= set(listed), listed
    assert private in _listed(xml, "PRIVATE") and private not in _listed(xml, "SHARED")
    assert shared in _listed(xml, "SHARED") and shared not in _listed(xml, "PRIVATE")


@pytest.mark.behaviour("lib-test-visibility")
def test_another_users_private_test_is_not_listed_but_a_shared_one_is(site: SiteHandle, library: Library) -> None:
    other = site.client("invitee")
    private = library.upload("lib-hidden")
    shared = library.upload("lib-open", "SHARED")
    listed = _listed(other)
    assert private not in listed, "another user's private test was listed"
    assert shared in listed, "a shared test was not listed to another user"
    assert _details(other, private).exception_id == "000015"


# ---------------------------------------------------------------- lib-test-copy


@pytest.mark.behaviour("lib-test-copy")
def test_a_copy_is_a_new_test_in_the_named_library(site: SiteHandle, library: Library) -> None:
    xml = site.client("host")
    source = library.upload("lib-source")
    got = xml.call("training", "CopyLibTests", {"testID": source, "copyToType": "SHARED"})
    body = got.expect_success().body
    assert body is not None and body.get(f"{{{XSI}}}type") == "train:CopyLibTestsResponse"
    copy = got.text("train:testID")
    assert copy, got.describe()
    if copy != source:
        library.copied("host", copy)
    assert copy != source, "CopyLibTests answered the source's testID"
    assert copy in _listed(xml, "SHARED") and source in _listed(xml, "PRIVATE")
    original = _details(xml, source).expect_success()
    copied = _details(xml, copy).expect_success()
    path = "qti:questestinterop/qti:assessment/qti:item/qti:mattext"
    assert copied.texts(path) == original.texts(path) == [q[0] for q in QUESTIONS]


@pytest.mark.behaviour("lib-test-copy")
def test_copying_a_test_the_caller_cannot_see_is_no_record_found(site: SiteHandle, library: Library) -> None:
    hidden = library.upload("lib-not-yours")
    got = site.client("invitee").call("training", "CopyLibTests", {"testID": hidden, "copyToType": "PRIVATE"})
    if got.ok:
        library.copied("invitee", got.text("train:testID") or "")
    assert got.exception_id == "000015", got.describe()


# ---------------------------------------------------------------- lib-test-delete-own


@pytest.mark.behaviour("lib-test-delete-own")
def test_delete_removes_the_callers_own_test(site: SiteHandle, library: Library) -> None:
    xml = site.client("host")
    test_id = library.upload("lib-doomed")
    xml.call("training", "DelLibTests", {"testID": test_id}).expect_success()
    assert test_id not in _listed(xml)
    assert _details(xml, test_id).exception_id == "000015"
    assert xml.call("training", "DelLibTests", {"testID": test_id}).exception_id == "000015"


@pytest.mark.behaviour("lib-test-delete-own")
def test_another_users_shared_test_cannot_be_deleted(site: SiteHandle, library: Library) -> None:
    shared = library.upload("lib-keep", "SHARED")
    got = site.client("invitee").call("training", "DelLibTests", {"testID": shared})
    assert got.exception_id == "000001", got.describe()
    assert shared in _listed(site.client("host"), "SHARED"), "the test was deleted all the same"


# ---------------------------------------------------------------- ims-test-upload


@pytest.mark.behaviour("ims-test-upload")
def test_an_uploaded_test_reads_back_as_sent(site: SiteHandle, library: Library) -> None:
    xml = site.client("host")
    test_id = library.upload("ims-roundtrip")
    got = _details(xml, test_id).expect_success()
    assert got.text("train:testID") == test_id
    base = "qti:questestinterop/qti:assessment"
    assert got.text(f"{base}/qti:title") == own_name("ims-roundtrip")
    assert got.text(f"{base}/qti:displayType") == "ALL_ONE_PAGE"
    items = got.xpath(f"{base}/qti:item")
    assert len(items) == len(QUESTIONS)
    for item, (text, choices, correct, points) in zip(items, QUESTIONS, strict=True):
        assert item.findtext("{*}mattext") == text
        assert [c.text for c in item.findall("{*}response_label")] == list(choices)
        assert item.findtext("{*}correctResponse") == str(correct)
        assert item.findtext("{*}score") == str(points)


@pytest.mark.behaviour("ims-test-upload")
@pytest.mark.parametrize(("one_page", "per_page"), [(True, True), (False, False)])
def test_an_upload_needs_exactly_one_display_type(
    site: SiteHandle, library: Library, one_page: bool, per_page: bool
) -> None:
    xml = site.client("host")
    body = upload_body(own_name("ims-display"), one_page=one_page, per_page=per_page)
    got = xml.call("training", "UploadIMStest", body)
    if got.ok:
        library.copied("host", got.text("train:testID") or "")
    assert not got.ok, "a test with allOnePage and onePerPage both or neither TRUE was stored"


# ---------------------------------------------------------------- ims-test-result


def _emulator_only(site: SiteHandle) -> None:
    if not site.is_emulator:
        pytest.skip("a result needs a participant's answers, which only the emulator's control API can give")


def _result(xml: XmlClient, test_id: str, email: str) -> XmlResponse:
    return xml.call("training", "GetIMStestResult", {"testID": test_id, "participantEmail": email})


@pytest.mark.behaviour("ims-test-result")
def test_a_result_scores_the_participants_answers(site: SiteHandle, library: Library) -> None:
    _emulator_only(site)
    xml = site.client("host")
    test_id = library.upload("ims-result")
    email = "wxh.learner@example.com"
    # right on question 1 (10 points), wrong on question 2 (picked 2, the right one is 1)
    site.control.answer_test(site.name, test_id, name="Wxh Learner", email=email, answers={"1": 2, "2": 2})
    got = _result(xml, test_id, email).expect_success()
    base = "qti:qti_result_report/qti:result"
    assert got.text(f"{base}/qti:context/qti:name") == "Wxh Learner"
    assert got.text(f"{base}/qti:context/qti:generic_identifier") == email
    assert got.text(f"{base}/qti:assessment_result/qti:ident_ref") == test_id
    total = f"{base}/qti:assessment_result/qti:outcomes/qti:score"
    assert got.text(f"{total}/qti:score_value") == "10"
    assert got.text(f"{total}/qti:score_max") == str(sum(q[3] for q in QUESTIONS))
    per_item = got.texts(f"{base}/qti:assessment_result/qti:item_result/qti:outcomes/qti:score/qti:score_value")
    assert per_item == ["10", "0"]
    picked = got.texts(f"{base}/qti:assessment_result/qti:item_result/qti:response/qti:response_value")
    assert picked == ["443", "Print Center"]


@pytest.mark.behaviour("ims-test-result")
def test_a_participant_who_has_not_answered_has_no_result(site: SiteHandle, library: Library) -> None:
    xml = site.client("host")
    test_id = library.upload("ims-unanswered")
    assert _result(xml, test_id, "nobody.answered@example.com").exception_id == "000015"
