"""What allure groups and links a test by (plugin.allure_labels) and the run's allure files
(plugin.allure_report: environment.properties, categories.json), without running pytest."""

from __future__ import annotations

import re

import pytest

from webex_harness.plugin.allure_labels import (
    CATALOGUE_EPIC,
    CATALOGUE_FEATURES,
    EPICS,
    EVERY_API,
    MAX_STORIES,
    catalogue_apis,
    document_url,
    epic,
    labels_of,
    stories,
)
from webex_harness.plugin.allure_report import categories, properties_text
from webex_harness.webex.behaviours import Document, behaviour, behaviours
from webex_harness.webex.errors import EXCEPTIONS


def test_every_area_of_the_catalogue_has_one_of_a_few_epics() -> None:
    areas = {b.area for b in behaviours()}
    assert areas <= set(EPICS), sorted(areas - set(EPICS))
    assert 3 <= len({EPICS[a] for a in areas}) <= 6
    assert epic("Users and site") == "XML users and site"
    assert epic("An area nobody mapped") == "An area nobody mapped"


def test_every_document_links_to_an_https_page() -> None:
    for b in behaviours():
        for ref in b.documented_in:
            url = document_url(ref.document)
            assert url is not None and url.startswith("https://"), (b.id, ref.document)


@pytest.mark.parametrize(
    ("where", "url"),
    [
        ("https://developer.webex.com/docs/x", "https://developer.webex.com/docs/x"),
        ("http://developer.webex.com/docs/x", "https://developer.webex.com/docs/x"),
        ("developer.cisco.com/docs/a/b", "https://developer.cisco.com/docs/a/b"),
        ("Webex Help Center article of that title", None),
    ],
)
def test_a_document_url_is_https_or_none(where: str, url: str | None) -> None:
    assert document_url(Document("k", "T", where)) == url


def test_a_test_with_two_behaviours_gets_both_epics_features_and_links() -> None:
    labels = labels_of(["email-lowercase", "rest-panelist-password", "email-lowercase", "not-an-id"])
    assert labels.ids == ["email-lowercase", "rest-panelist-password"]
    assert labels.epics == ["XML API: every request", "REST meetings"]
    assert labels.features == [behaviour("email-lowercase").title, behaviour("rest-panelist-password").title]
    urls = [url for url, _ in labels.links]
    assert len(urls) == len(set(urls))  # one link per page
    assert "https://developer.webex.com/docs/api/v1/meetings/update-a-meeting" in urls
    names = dict(labels.links)
    assert names["https://developer.cisco.com/docs/webex-xml-api-reference-guide/setevent"] == (
        "Webex Meetings XML API Reference Guide, SetEvent"
    )


def test_a_catalogue_test_of_no_behaviour_is_under_the_catalogue_epic_by_its_case_kind() -> None:
    valid = labels_of([], "valid")
    assert (valid.epics, valid.features, valid.links) == ([CATALOGUE_EPIC], [CATALOGUE_FEATURES["valid"]], [])
    assert labels_of([], "edge").features == [CATALOGUE_FEATURES["edge"]]
    proving = labels_of(["start-time-in-past"], "edge")  # an edge case that proves a behaviour is under it
    assert proving.epics == ["XML meetings and sessions"] and proving.links
    assert labels_of([]).epics == []  # a test of the user's own, with no marker: allure's defaults


def test_a_story_is_the_marked_api_else_the_apis_sent_else_the_catalogues() -> None:
    assert stories(["start-time-in-past"], "CreateMeeting", ["GetMeeting"]) == ["CreateMeeting"]
    assert stories(["start-time-in-past"], None, ["SetMeeting", "CreateMeeting", "?", "SetMeeting"]) == [
        "CreateMeeting",
        "SetMeeting",
    ]
    listed = catalogue_apis("rest-panelist-password")
    assert listed and all(a.split()[0] in {"POST", "GET", "PUT", "PATCH", "DELETE"} for a in listed)
    assert stories(["rest-panelist-password"], None, []) == list(listed)
    assert len(catalogue_apis("envelope-shape")) > MAX_STORIES
    assert stories(["envelope-shape"], None, []) == [EVERY_API]


def _first_category(status: str, message: str) -> str | None:
    """The category allure files a result under: the first whose statuses and regex match (Java's
    ``matches``, the whole message — ``re.fullmatch`` here)."""
    for category in categories():
        if status not in category.get("matchedStatuses", ["failed"]):
            continue
        regex = category.get("messageRegex")
        if regex is None or re.fullmatch(regex, message):
            return str(category["name"])
    return None


@pytest.mark.parametrize(
    ("status", "message", "expected"),
    [
        ("skipped", "Skipped: budget spent: request budget spent: 500 of 500", "Budget spent"),
        ("skipped", "safety stop: usage-limit safety: qa-host had 80", "Safety stop"),
        ("skipped", "refused: destructive test against a real site (acme)", "Not allowed on this target"),
        ("skipped", "needs users.attendee in environments/x.yaml", None),
        (
            "failed",
            "AssertionError: expected SUCCESS, got FAILURE 060016 'Session start time …' (HTTP 200)",
            "Webex exception 060016",
        ),
        (
            "failed",
            "AssertionError: assert False\n + where False = <XmlResponse>.ok\n"
            "Webex answered CreateMeeting: FAILURE 000015 'Sorry, no record found'",
            "Webex exception 000015",
        ),
        ("failed", "AssertionError: got FAILURE 123456 'something new'", "Webex exception of another ID"),
        ("failed", "AssertionError: HTTP 400 title is too long", "HTTP 400"),
        ("broken", "KeyError: 'id'\nWebex answered POST /v1/meetings: HTTP 404", "HTTP 404"),
        ("failed", "AssertionError: expected 204\nWebex answered DELETE /v1/meetings/{id}: HTTP 503", "HTTP 5xx"),
        ("failed", "AssertionError: FAILURE 030002 'Incorrect user or password'", "Environment or usage"),
        ("broken", "Webex gave no answer to GetSite: timeout: ReadTimeout", "Environment or usage"),
        ("failed", "AssertionError: HTTP 429 Too many requests", "Environment or usage"),
        ("failed", "AssertionError: assert 'abc' == 'ABC'", "Product defect"),
        ("broken", "TypeError: 'NoneType' object is not subscriptable", "Test defect"),
        ("passed", "", None),
    ],
)
def test_categories_sort_a_result_by_the_first_match(status: str, message: str, expected: str | None) -> None:
    found = _first_category(status, message)
    if expected is None:
        assert found is None
    else:
        assert found is not None and found.startswith(expected), found


def test_there_is_a_category_for_every_known_exception_id() -> None:
    names = [c["name"] for c in categories()]
    for code in EXCEPTIONS:
        assert any(n.startswith(f"Webex exception {code}: ") for n in names), code
    assert len(names) == len(set(names))


def test_properties_are_escaped_as_java_reads_them() -> None:
    text = properties_text({"site name": "acme=1", "path": "C:\\x", "who": "Zoë 小明", "two": "a\nb"})
    assert text.splitlines() == [
        "site\\ name=acme=1",
        "path=C:\\\\x",
        "who=Zo\\u00eb \\u5c0f\\u660e",
        "two=a\\u000ab",
    ]
    text.encode("latin-1")  # ASCII, as Java's Properties.load reads it
