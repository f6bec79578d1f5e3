"""The Training Center test library: ``LstLibTests``, ``CopyLibTests`` and ``DelLibTests``.

A site's library (:class:`emulator.library_store.LibraryStore`) holds the tests uploaded with
UploadIMStest (:mod:`emulator.services.ims_tests`) or copied with CopyLibTests. The reference page
``copylibtests`` says what a client relies on: a user copies a test between their private and the
shared library (``copyToType`` PRIVATE or SHARED) and is answered the new test's ``testID``
(response type ``train:CopyLibTestsResponse``, as the page's sample spells it). The pages
``lstlibtests`` and ``dellibtests`` could not be read in full; their shapes here follow the
training service's other lists and deletes, and the catalogue entries say so.

Rules (behaviours):

- ``lib-test-visibility``: LstLibTests lists the caller's private tests and every shared one
  (``type`` ALL, the default; PRIVATE: the caller's private ones; SHARED: the shared ones), ordered
  by ``order`` (TESTID, TITLE, AUTHOR, CREATEDATE), paged by ``listControl``; nothing to list is
  000015. Another user's private test is never listed.
- ``lib-test-copy``: CopyLibTests of a test the caller can see makes a new test (a new testID) in
  the library ``copyToType`` names, authored by the caller, with the source's questions and no
  answers; the source stays. A test the caller cannot see is 000015.
- ``lib-test-delete-own``: DelLibTests deletes the tests it names (one or more ``testID``) when the
  caller wrote them (a site administrator may delete any); another user's test is 000001, an
  unknown one 000015, and then nothing is deleted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from webex_harness.emulator.dispatch import Call, handler
from webex_harness.emulator.faults import declare
from webex_harness.emulator.library_store import LIBRARIES, LibraryTest
from webex_harness.emulator.model import Site, User
from webex_harness.emulator.services import common
from webex_harness.emulator.services.site import descending, paged
from webex_harness.emulator.xmlio import Element, Elements
from webex_harness.webex.errors import access_denied, invalid_value, no_record_found

LIB_TEST_VISIBILITY = declare(
    "lib-test-visibility", "LstLibTests lists every test of the site, other users' private ones too, whatever type asks"
)
LIB_TEST_COPY = declare("lib-test-copy", "CopyLibTests answers the source test's testID and makes no copy")
LIB_TEST_DELETE_OWN = declare("lib-test-delete-own", "DelLibTests deletes another user's library test too")

#: LstLibTests ``type``: which libraries are listed.
LIST_TYPES = ("ALL", *LIBRARIES)

_ORDER: dict[str, Callable[[LibraryTest], tuple[Any, ...]]] = {
    "TESTID": lambda t: (int(t.test_id),),
    "TITLE": lambda t: (t.title.lower(), int(t.test_id)),
    "AUTHOR": lambda t: (t.author.lower(), int(t.test_id)),
    "CREATEDATE": lambda t: (t.created, int(t.test_id)),
}


def test_id_of(text: str | None) -> str:
    """A ``testID`` as the library keys it (a positive integer; else 000058-style invalid value)."""
    test_id = common.parse_int(text, "testID")
    if test_id is None or test_id <= 0:
        raise invalid_value("testID")
    return str(test_id)


def new_test_id(site: Site) -> str:
    """An ID no library test and no scheduled test uses."""
    while True:
        test_id = site.next_id()
        if test_id not in site.training_tests and site.test_library.get(test_id) is None:
            return test_id


def add_test(site: Site, test: LibraryTest) -> LibraryTest:
    """Put ``test`` in the library; it can then be scheduled (``Site.training_tests``)."""
    site.test_library.add(test)
    site.training_tests[test.test_id] = test.author
    return test


def visible_test(call: Call, user: User, text: str | None) -> LibraryTest:
    """The test ``text`` names if the caller may see it (else 000015: another's private test is not
    theirs to know of)."""
    test = call.site.test_library.get(test_id_of(text))
    if test is None or not (test.visible_to(user.webex_id) or call.fault(LIB_TEST_VISIBILITY)):
        raise no_record_found()
    return test


def test_info(test: LibraryTest) -> Element:
    return (
        "train:testInfo",
        [
            ("train:testID", int(test.test_id)),
            ("train:title", test.title),
            ("train:description", test.description),
            ("train:type", test.library),
            ("train:author", test.author),
            ("train:numQuestions", len(test.items)),
            ("train:maxScore", test.max_score),
            ("train:createDate", common.format_date(test.created)),
        ],
    )


@handler("training", "LstLibTests")
def lst_lib_tests(call: Call) -> Elements:
    user = call.user()
    kind = (call.node.get("type") or "ALL").strip().upper()
    if kind not in LIST_TYPES:
        raise invalid_value("type")
    everything = call.fault(LIB_TEST_VISIBILITY)
    tests = [
        t
        for t in call.site.test_library.tests.values()
        if everything or (t.visible_to(user.webex_id) and kind in ("ALL", t.library))
    ]
    order_by = (call.node.get("order/orderBy") or "TESTID").strip().upper()
    if order_by not in _ORDER:
        raise invalid_value("orderBy")
    tests.sort(key=_ORDER[order_by], reverse=descending(call.node))
    chosen, records = paged(call, call.node, tests, "train")
    return [records, *[test_info(t) for t in chosen]]


@handler("training", "CopyLibTests", "train:CopyLibTestsResponse")
def copy_lib_tests(call: Call) -> Elements:
    user = call.user()
    library = (call.node.get("copyToType") or "").strip().upper()
    if library not in LIBRARIES:
        raise invalid_value("copyToType")
    source = visible_test(call, user, call.node.get("testID"))
    if call.fault(LIB_TEST_COPY):
        return [("train:testID", int(source.test_id))]
    copy = call.site.test_library.copy(source, new_test_id(call.site), user.webex_id, library, call.site.now())
    call.site.training_tests[copy.test_id] = copy.author
    return [("train:testID", int(copy.test_id))]


@handler("training", "DelLibTests")
def del_lib_tests(call: Call) -> Elements:
    user = call.user()
    ids = [test_id_of(n.text) for n in call.node.all("testID")]
    if not ids:
        raise invalid_value("testID")
    doomed: list[LibraryTest] = []
    for test_id in ids:  # every check first: a refused request deletes nothing
        test = call.site.test_library.get(test_id)
        if test is None:
            raise no_record_found()
        if not (user.site_admin or test.author.lower() == user.webex_id.lower() or call.fault(LIB_TEST_DELETE_OWN)):
            raise access_denied() if test.visible_to(user.webex_id) else no_record_found()
        doomed.append(test)
    for test in doomed:
        call.site.test_library.remove(test.test_id)
        call.site.training_tests.pop(test.test_id, None)
    return []
