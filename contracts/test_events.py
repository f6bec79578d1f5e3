"""Event Center: SetEvent filters unsafe HTML and lowercases e-mails (000), the e-mail rules of
001 (40.8.0, 40.12.0), and what Get/Lstsummary/DelEvent read back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.support import OwnWindow, assert_pages
from webex_harness.contracts.test_scheduling import EVENT, Sessions, event_body
from webex_harness.plugin.run_names import own_name

_UNSAFE = (
    '<p>Quarterly <b>update</b></p><script>alert("x")</script>'
    '<img src="logo.png" onerror="alert(1)"><a href="javascript:alert(2)">more</a>'
    '<iframe src="https://evil.example.com"></iframe>'
)


@pytest.fixture
def events(xml: XmlClient) -> Iterator[Sessions]:
    tracker = Sessions(xml)
    try:
        yield tracker
    finally:
        tracker.cleanup()


def _panelist(name: str, email: str) -> dict[str, Any]:
    return {"com:name": name, "com:email": email, "com:type": "VISITOR"}


def _attendee(name: str, email: str) -> dict[str, Any]:
    return {"com:name": name, "com:email": email, "com:type": "VISITOR"}


def _set_event(xml: XmlClient, key: str, **sections: Any) -> Any:
    """SetEvent with the 000 sample's element order: sections first, then event:sessionKey."""
    return xml.call("event", "SetEvent", {**sections, "event:sessionKey": key})


def _assert_filtered(text: str | None) -> None:
    assert text is not None
    low = text.lower()
    for unsafe in ("<script", "onerror", "javascript:", "<iframe", 'alert("x")'):
        assert unsafe not in low, f"{unsafe!r} survived the HTML filter: {text!r}"
    assert "Quarterly" in text and "update" in text, f"the safe text must stay: {text!r}"


# ---------------------------------------------------------------- unsafe-html-filtered (000)


@pytest.mark.behaviour("unsafe-html-filtered")
def test_set_event_filters_unsafe_html_before_storing(xml: XmlClient, events: Sessions) -> None:
    key = events.create_ok(EVENT)
    _set_event(
        xml, key, metaData={"sessionName": own_name("filtered event"), "sessionType": 9, "description": _UNSAFE}
    ).expect_success()
    got = events.get(EVENT, key)
    _assert_filtered(got.text("event:metaData/event:description"))


@pytest.mark.behaviour("unsafe-html-filtered")
def test_create_event_filters_unsafe_html_before_storing(events: Sessions) -> None:
    key = events.create_ok(EVENT, event_body(metaData={"description": _UNSAFE}))
    _assert_filtered(events.get(EVENT, key).text("event:metaData/event:description"))


@pytest.mark.behaviour("unsafe-html-filtered")
def test_set_event_keeps_safe_text_as_sent(xml: XmlClient, events: Sessions) -> None:
    key = events.create_ok(EVENT)
    safe = "Plain agenda: Q&A, <b>demo</b> & wrap-up"
    _set_event(
        xml, key, metaData={"sessionName": own_name("safe"), "sessionType": 9, "description": safe}
    ).expect_success()
    assert events.get(EVENT, key).text("event:metaData/event:description") == safe


# ---------------------------------------------------------------- set-event response shape (000)


@pytest.mark.behaviour("envelope-shape")
def test_set_event_answers_an_empty_set_event_response(xml: XmlClient, events: Sessions) -> None:
    key = events.create_ok(EVENT)
    response = _set_event(xml, key, schedule={"duration": 90}).expect_success()
    assert response.body is not None and len(response.body) == 0
    assert response.xpath("@xsi:type") == ["event:SetEventResponse"]
    assert events.get(EVENT, key).text("event:schedule/event:duration") == "90"


@pytest.mark.behaviour("set-event-enroll-and-panelists-info")
def test_set_event_end_url_after_enroll_and_panelists_info_read_back(xml: XmlClient, events: Sessions) -> None:
    key = events.create_ok(EVENT)
    url, info = "https://example.com/thanks-for-enrolling", "Panelists join 15 minutes early for a sound check."
    _set_event(xml, key, extOptions={"endURLAfterEnroll": url}, panelists={"panelistsInfo": info}).expect_success()
    got = events.get(EVENT, key)
    assert got.text("event:extOptions/event:endURLAfterEnroll") == url
    assert got.text("event:panelists/event:panelistsInfo") == info


# ---------------------------------------------------------------- e-mails (000; 001 40.8.0, 40.12.0)


@pytest.mark.behaviour("email-lowercase")
def test_event_panelist_and_attendee_emails_read_back_lowercase(xml: XmlClient, events: Sessions) -> None:
    key = events.create_ok(
        EVENT,
        event_body(
            panelists={"panelistPassword": "Pan3list", "panelist": [_panelist("Pan Elist", "Pan.Elist@Example.COM")]},
            attendees={"attendee": [_attendee("At Tendee", "At.Tendee@Example.COM")]},
        ),
    )
    _set_event(xml, key, panelists={"panelist": [_panelist("Sec Ond", "Sec.Ond@EXAMPLE.com")]}).expect_success()
    got = events.get(EVENT, key)
    assert sorted(got.texts("event:panelists/event:panelist/com:email")) == [
        "pan.elist@example.com",
        "sec.ond@example.com",
    ]
    assert got.texts("event:attendees/event:attendee/com:email") == ["at.tendee@example.com"]


@pytest.mark.behaviour("email-no-whitespace")
@pytest.mark.parametrize("api", ["CreateEvent", "SetEvent"])
def test_event_emails_with_white_space_are_rejected(xml: XmlClient, events: Sessions, api: str) -> None:
    bad = {"panelist": [_panelist("Spacy Panelist", "spacy panelist@example.com")]}
    if api == "CreateEvent":
        response = events.create(EVENT, event_body(panelists=bad))
    else:
        response = _set_event(xml, events.create_ok(EVENT), panelists=bad)
    assert response.result == "FAILURE", response.describe()


@pytest.mark.behaviour("email-no-whitespace")
def test_event_emails_without_white_space_are_accepted(events: Sessions) -> None:
    key = events.create_ok(EVENT, event_body(panelists={"panelist": [_panelist("Tidy", "tidy.panelist@example.com")]}))
    assert events.get(EVENT, key).texts("event:panelists/event:panelist/com:email") == ["tidy.panelist@example.com"]


@pytest.mark.behaviour("duplicate-email-first-wins")
def test_create_event_keeps_only_the_first_attendee_of_an_email(events: Sessions) -> None:
    key = events.create_ok(
        EVENT,
        event_body(
            attendees={
                "attendee": [
                    _attendee("First Twin", "twin@example.com"),
                    _attendee("Second Twin", "twin@example.com"),
                    _attendee("Other", "other@example.com"),
                ]
            }
        ),
    )
    got = events.get(EVENT, key)
    assert got.texts("event:attendees/event:attendee/com:name") == ["First Twin", "Other"]


@pytest.mark.behaviour("duplicate-email-first-wins")
def test_set_event_keeps_only_the_first_panelist_of_an_email(xml: XmlClient, events: Sessions) -> None:
    key = events.create_ok(EVENT)
    _set_event(
        xml,
        key,
        panelists={
            "panelist": [
                _panelist("First Panelist", "dup.panelist@example.com"),
                _panelist("Second Panelist", "dup.panelist@example.com"),
            ]
        },
    ).expect_success()
    got = events.get(EVENT, key)
    assert got.texts("event:panelists/event:panelist/com:name") == ["First Panelist"]


# ---------------------------------------------------------------- read-back, listing, deletion


@pytest.mark.behaviour("meeting-uuid-equivalence")
@pytest.mark.api("CreateEvent")  # the newest meetingUUID support the test relies on (docs/versions.md)
def test_event_is_addressed_by_meeting_uuid_too(xml: XmlClient, events: Sessions) -> None:
    response = events.create(EVENT).expect_success()
    key, uuid = response.text("event:sessionKey"), response.text("event:meetingUUID")
    got = xml.call("event", "GetEvent", {"meetingUUID": uuid}).expect_success()
    assert (got.text("event:sessionKey"), got.text("event:meetingUUID")) == (key, uuid)


@pytest.mark.behaviour("list-paging")
def test_lstsummary_event_pages_the_hosts_events(
    xml: XmlClient, events: Sessions, run_name: Callable[[str], str]
) -> None:
    window = OwnWindow.random()
    keys = [
        events.create_ok(
            EVENT,
            event_body(
                run_name(f"paged event {i}"), schedule={"startDate": window.date(i), "timeZoneID": window.time_zone_id}
            ),
        )
        for i in range(3)
    ]
    assert_pages(
        lambda s, n: xml.call(
            "event", "LstsummaryEvent", {**window.scope(), "listControl": {"startFrom": s, "maximumNum": n}}
        ),
        "event",
        "event:event",
        "event:sessionKey",
        own=keys,
    )
    first = xml.call("event", "LstsummaryEvent", {"listControl": {"startFrom": 1, "maximumNum": 2}}).expect_success()
    assert first.text("event:matchingRecords/serv:returned") == "2"
    assert all(len(u) == 32 for u in first.texts("event:event/event:meetingUUID"))


@pytest.mark.behaviour("list-paging")
def test_deleted_event_is_gone(xml: XmlClient, events: Sessions) -> None:
    key = events.create_ok(EVENT)
    xml.call("event", "DelEvent", {"sessionKey": key}).expect_success()
    assert xml.call("event", "GetEvent", {"sessionKey": key}).result == "FAILURE"
    listed = xml.call("event", "LstsummaryEvent", {"sessionKey": key})
    assert listed.exception_id == "000015", listed.describe()
