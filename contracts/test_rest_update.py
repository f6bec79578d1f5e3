"""REST "Update a Meeting" rules (003): PATCH/PUT /v1/meetings/{meetingId} — what an update keeps,
what it may not change, series exceptions, webinar login and panelist passwords (the field rules a
create and an update share: contracts/test_rest_field_rules.py).

Each test names the rule it proves; the positive and the negative side are both asserted, with
the read-back (GET) where a refused update must leave the meeting as it was.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import pytest

from webex_harness.contracts.rest_support import assert_error, site_now
from webex_harness.plugin.rest_meetings import RestMeetings, iso, meeting_body, slot
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle

# ---------------------------------------------------------------- rest-put-equals-patch


@pytest.mark.behaviour("rest-put-equals-patch")
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_put_and_patch_keep_what_the_body_leaves_out(rest: RestMeetings, method: str) -> None:
    created = rest.create_ok(meeting_body(agenda="kept agenda", enabledAutoRecordMeeting=True, reminderTime=30))
    response = rest.client.update(created["id"], {"title": "renamed"}, method=method)
    assert response.status == 200, response.describe()
    assert response.json["title"] == "renamed"
    assert response.json["agenda"] == "kept agenda", f"{method} dropped agenda, which the body left out"
    assert response.json["enabledAutoRecordMeeting"] is True
    assert response.json["reminderTime"] == 30
    back = rest.client.get(created["id"]).json
    assert (back["title"], back["agenda"], back["start"]) == ("renamed", "kept agenda", created["start"])


@pytest.mark.behaviour("rest-put-equals-patch")
@pytest.mark.parametrize("method", ["PUT", "PATCH"])
def test_put_and_patch_accept_a_whole_echoed_meeting_with_read_only_fields(rest: RestMeetings, method: str) -> None:
    created = rest.create_ok(meeting_body(agenda="echo me"))
    echoed = dict(rest.client.get(created["id"]).json)
    echoed["title"] = "echoed and renamed"
    echoed["someFutureField"] = {"unknown": True}
    response = rest.client.update(created["id"], echoed, method=method)
    assert response.status == 200, response.describe()
    assert response.json["title"] == "echoed and renamed"
    assert response.json["agenda"] == "echo me"
    assert response.json["id"] == created["id"] and response.json["meetingNumber"] == created["meetingNumber"]


# ---------------------------------------------------------------- rest-not-updatable


@pytest.mark.behaviour("rest-not-updatable")
def test_scheduled_series_and_scheduled_meeting_are_updatable(rest: RestMeetings) -> None:
    start = slot(days=2)
    created = rest.create_ok(meeting_body(start=start, recurrence="FREQ=DAILY;COUNT=2"))
    assert rest.client.update(created["id"], {"title": "series ok"}).status == 200
    occurrence = rest.scheduled(created["id"], start)[0]
    assert rest.client.update(occurrence["id"], {"title": "occurrence ok"}).status == 200


@pytest.mark.behaviour("rest-not-updatable")
def test_ad_hoc_meeting_with_a_room_id_cannot_be_updated(rest: RestMeetings) -> None:
    room = "Y2lzY29zcGFyazovL3VzL1JPT00vd3hoLXJvb20"
    created = rest.create_ok({"title": own_name("ad-hoc"), "adhoc": True, "roomId": room})
    assert created["roomId"] == room
    assert_error(rest.client.update(created["id"], {"title": "changed"}), 400)
    assert rest.client.get(created["id"]).json["title"] == own_name("ad-hoc")


@pytest.mark.behaviour("rest-not-updatable")
def test_scheduled_personal_room_meeting_cannot_be_updated(rest: RestMeetings) -> None:
    created = rest.create_ok(meeting_body(own_name("pmr"), scheduledType="personalRoomMeeting"))
    assert created["scheduledType"] == "personalRoomMeeting"
    assert_error(rest.client.update(created["id"], {"title": "changed"}), 400)
    assert rest.client.get(created["id"]).json["title"] == own_name("pmr")


@pytest.mark.behaviour("rest-not-updatable")
def test_in_progress_and_ended_meetings_cannot_be_updated(site: SiteHandle, rest: RestMeetings) -> None:
    now = site_now(site)
    start = (now + timedelta(minutes=5)).replace(second=0, microsecond=0)
    created = rest.create_ok(meeting_body(own_name("soon"), start=start, minutes=30))
    site.advance_clock((start - now).total_seconds() + 60)  # 1 minute into the meeting
    assert rest.client.get(created["id"]).json["state"] == "inProgress"
    assert_error(rest.client.update(created["id"], {"title": "changed"}), 400)
    instances = rest.client.list_meetings(
        meetingType="meeting",
        meetingSeriesId=created["id"],
        from_=iso(start - timedelta(hours=1)),
        to=iso(start + timedelta(hours=1)),
    )
    assert instances.status == 200 and len(instances.items) == 1, instances.describe()
    instance = instances.items[0]
    assert (instance["meetingType"], instance["state"]) == ("meeting", "inProgress")
    assert_error(rest.client.update(instance["id"], {"title": "changed"}), 400)
    site.advance_clock(31 * 60)  # past its end
    assert rest.client.get(created["id"]).json["state"] == "expired"
    assert_error(rest.client.update(created["id"], {"title": "changed"}), 400)
    assert rest.client.get(instance["id"]).json["state"] == "ended"
    assert_error(rest.client.update(instance["id"], {"title": "changed"}), 400)
    assert rest.client.get(created["id"]).json["title"] == own_name("soon")


# ---------------------------------------------------------------- rest-series-exceptions-cancelled


def _modified(rest: RestMeetings, series_id: str, start: datetime) -> list[dict[str, object]]:
    return [m for m in rest.scheduled(series_id, start) if m.get("isModified")]


@pytest.mark.behaviour("rest-series-exceptions-cancelled")
@pytest.mark.parametrize("change", ["start", "end", "recurrence"])
def test_changing_start_end_or_recurrence_cancels_exceptions(rest: RestMeetings, change: str) -> None:
    start = slot(days=2)
    created = rest.create_ok(meeting_body(own_name("series"), start=start, recurrence="FREQ=DAILY;COUNT=3"))
    second = rest.scheduled(created["id"], start)[1]
    exception = rest.client.update(second["id"], {"title": own_name("exception")})
    assert exception.status == 200 and exception.json["isModified"] is True, exception.describe()
    assert len(_modified(rest, created["id"], start)) == 1
    body = {
        "start": {"start": iso(start + timedelta(hours=1)), "end": iso(start + timedelta(hours=2))},
        "end": {"end": iso(start + timedelta(minutes=90))},
        "recurrence": {"recurrence": "FREQ=DAILY;COUNT=4"},
    }[change]
    response = rest.client.update(created["id"], body)
    assert response.status == 200, response.describe()
    left = rest.scheduled(created["id"], start)
    assert [m for m in left if m.get("isModified") or m["title"] == own_name("exception")] == []


@pytest.mark.behaviour("rest-series-exceptions-cancelled")
def test_other_series_changes_keep_exceptions(rest: RestMeetings) -> None:
    start = slot(days=2)
    created = rest.create_ok(meeting_body(own_name("series"), start=start, recurrence="FREQ=DAILY;COUNT=3"))
    second = rest.scheduled(created["id"], start)[1]
    assert rest.client.update(second["id"], {"title": own_name("exception")}).status == 200
    assert rest.client.update(created["id"], {"agenda": "new agenda", "start": created["start"]}).status == 200
    modified = _modified(rest, created["id"], start)
    assert [m["title"] for m in modified] == [own_name("exception")]
    assert rest.client.get(second["id"]).json["isModified"] is True


# ---------------------------------------------------------------- rest-webinar-login-rules


@pytest.mark.behaviour("rest-webinar-login-rules")
def test_restrict_to_invitees_needs_require_attendee_login(rest: RestMeetings) -> None:
    created = rest.create_ok(meeting_body(own_name("webinar"), scheduledType="webinar"))
    assert_error(rest.client.update(created["id"], {"restrictToInvitees": True, "requireAttendeeLogin": False}), 400)
    assert_error(rest.client.update(created["id"], {"restrictToInvitees": True}), 400)
    assert rest.client.get(created["id"]).json["restrictToInvitees"] is False
    both = rest.client.update(created["id"], {"restrictToInvitees": True, "requireAttendeeLogin": True})
    assert both.status == 200, both.describe()
    assert (both.json["restrictToInvitees"], both.json["requireAttendeeLogin"]) == (True, True)


@pytest.mark.behaviour("rest-webinar-login-rules")
def test_require_attendee_login_cannot_change_once_someone_registered(rest: RestMeetings) -> None:
    created = rest.create_ok(meeting_body(own_name("webinar"), scheduledType="webinar"))
    before = rest.client.update(created["id"], {"requireAttendeeLogin": True})
    assert before.status == 200 and before.json["requireAttendeeLogin"] is True, "settable before registrations"
    registered = rest.client.request(
        "POST",
        f"/meetings/{created['id']}/registrants",
        json_body={"firstName": "Ivy", "lastName": "Invitee", "email": "invitee@example.com"},
        api="POST /v1/meetings/{id}/registrants",
    )
    assert registered.status == 200, registered.describe()
    assert_error(rest.client.update(created["id"], {"requireAttendeeLogin": False}), 400)
    assert rest.client.get(created["id"]).json["requireAttendeeLogin"] is True
    unchanged = rest.client.update(created["id"], {"requireAttendeeLogin": True, "title": "same login"})
    assert unchanged.status == 200, "sending the same value is not a change"


# ---------------------------------------------------------------- rest-panelist-password


def _conforms(password: str) -> bool:
    """The emulated site's password rules: 8+ characters with upper case, lower case and digits."""
    return (
        len(password) >= 8
        and re.search(r"[A-Z]", password) is not None
        and re.search(r"[a-z]", password) is not None
        and re.search(r"\d", password) is not None
    )


@pytest.mark.behaviour("rest-panelist-password")
def test_webinar_without_panelist_password_gets_one_generated(rest: RestMeetings) -> None:
    created = rest.create_ok(meeting_body(own_name("webinar"), scheduledType="webinar"))
    generated = created.get("panelistPassword")
    assert isinstance(generated, str) and _conforms(generated), f"generated panelistPassword {generated!r}"
    assert re.fullmatch(r"\d{8}", created.get("phoneAndVideoSystemPanelistPassword", ""))
    assert rest.client.get(created["id"]).json["panelistPassword"] == generated


@pytest.mark.behaviour("rest-panelist-password")
def test_given_panelist_password_is_kept_and_meetings_have_none(rest: RestMeetings) -> None:
    created = rest.create_ok(
        meeting_body(own_name("webinar"), scheduledType="webinar", panelistPassword="Panel1st2Pass")
    )
    assert created["panelistPassword"] == "Panel1st2Pass"
    meeting = rest.create_ok()
    assert "panelistPassword" not in meeting
