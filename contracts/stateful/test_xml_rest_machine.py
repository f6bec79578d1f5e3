"""A state machine over both meeting APIs on the same meetings (behaviour ``xml-rest-equivalence``).

Rules create meetings through either API (CreateMeeting, ``POST /v1/meetings``), change them through
either (SetMeeting of confName, agenda, duration or meetingPassword; PATCH or PUT of title, agenda,
start and end, or password), read them through either (GetMeeting, GetSessionInfo by key or by
meetingUUID, ``GET /v1/meetings/{id}``, ``GET /v1/meetings?meetingNumber=``) and delete them through
either. A model of each live meeting rides along (title, agenda, password, start instant, minutes);
every read compares its answer with the model, and after a change the invariant reads the meeting
back through the API that did not make the change. A deleted meeting must answer its not-found error
on both sides (XML 060001, REST 404, an empty ``meetingNumber`` list).

Times are compared as instants in time zones without daylight saving, so each side may name its zone
its own way (docs/xml-rest.md). Both APIs act as the site's host: without a REST token the machine
skips; a token acting as someone else skips it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, invariant, rule

from webex_harness.contracts.stateful.machine import ContractMachine, Ref, recorded
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.xml_meetings import webex_date
from webex_harness.webex.envelope import XmlResponse
from webex_harness.webex.errors import NO_DATA_EXCEPTIONS

#: time zones without daylight saving: (timeZoneID, IANA name, offset in minutes)
ZONES: tuple[tuple[int, str, int], ...] = (
    (45, "Asia/Shanghai", 480),
    (49, "Asia/Tokyo", 540),
    (41, "Asia/Kolkata", 330),
    (10, "America/Bogota", -300),
)
DURATIONS = (15, 30, 45, 60, 90)
#: properties every meeting's JSON carries (003 "Response Properties")
RESPONSE_KEYS = frozenset(
    {
        "id", "meetingNumber", "title", "password", "phoneAndVideoSystemPassword", "meetingType", "state",
        "timezone", "start", "end", "hostUserId", "hostEmail", "webLink", "sipAddress", "telephony",
    }
)  # fmt: skip


@dataclass
class Model:
    """What a live meeting must read back as, through either API."""

    key: str
    rest_id: str
    uuid: str
    title: str
    agenda: str
    password: str
    start: datetime  # an aware UTC instant
    minutes: int
    tz: tuple[int, str, int]
    made_by: str  # "xml" | "rest"


def _zone(tz: tuple[int, str, int]) -> timezone:
    return timezone(timedelta(minutes=tz[2]))


def _start(days: int, hour: int, tz: tuple[int, str, int]) -> datetime:
    local = (datetime.now(UTC) + timedelta(days=days)).astimezone(_zone(tz))
    return local.replace(hour=hour, minute=0, second=0, microsecond=0).astimezone(UTC)


def _password(n: int) -> str:
    return f"Harness{n:02d}Qz"


def _instant(text: Any) -> datetime:
    return datetime.fromisoformat(str(text).replace("Z", "+00:00")).astimezone(UTC)


class XmlRestMachine(ContractMachine):
    examples = 6
    steps_per_example = 10

    live = Bundle("live")
    gone = Bundle("gone")

    def __init__(self, site) -> None:  # type: ignore[no-untyped-def]
        super().__init__(site)
        self.model: dict[str, Model] = {}
        #: meetings changed through one API, to be read back through the other: (label, "xml"|"rest")
        self.changed: list[tuple[str, str]] = []

    # ------------------------------------------------------------ helpers

    def _same_host(self, meeting: dict[str, Any]) -> None:
        host = self.site.emails.get("host", "")
        got = str(meeting.get("hostEmail", ""))
        if host and got and got.lower() != host.lower():
            pytest.skip(f"the REST token acts as {got!r}, not as the XML host {host!r}")

    def _by_number(self, number: str) -> list[dict[str, Any]]:
        response = self.rest_client().list_meetings(meetingNumber=number, current="false")
        assert response.status == 200, f"GET /v1/meetings?meetingNumber={number}: {response.describe()}"
        return [m for m in response.items if isinstance(m, dict)]

    def _check_rest(self, label: str, meeting: dict[str, Any], how: str) -> None:
        m = self.model[label]
        got = (
            str(meeting.get("meetingNumber")),
            meeting.get("title"),
            meeting.get("agenda"),
            meeting.get("password"),
            _instant(meeting.get("start")),
            _instant(meeting.get("end")) - _instant(meeting.get("start")),
        )
        want = (m.key, m.title, m.agenda, m.password, m.start, timedelta(minutes=m.minutes))
        assert got == want, f"{label} through {how}: REST answers {got}, the model says {want}"

    def _check_get_meeting(self, label: str, got: XmlResponse) -> None:
        m = self.model[label]
        start = got.text("meet:schedule/meet:startDate") or ""
        tz_id = int(got.text("meet:schedule/meet:timeZoneID") or -1)
        zone = next((z for z in ZONES if z[0] == tz_id), None)
        assert zone is not None, f"{label}: GetMeeting answers timeZoneID {tz_id}, not one the model used"
        instant = datetime.strptime(start, "%m/%d/%Y %H:%M:%S").replace(tzinfo=_zone(zone)).astimezone(UTC)
        answer = (
            got.text("meet:meetingkey"),
            got.text("meet:meetingUUID"),
            got.text("meet:metaData/meet:confName"),
            got.text("meet:metaData/meet:agenda"),
            got.text("meet:accessControl/meet:meetingPassword"),
            instant,
            got.text("meet:schedule/meet:duration"),
        )
        want = (m.key, m.uuid, m.title, m.agenda, m.password, m.start, str(m.minutes))
        assert answer == want, f"{label}: GetMeeting answers {answer}, the model says {want}"

    def _xml_gone(self, key: str, what: str) -> None:
        got = self.xml("meeting", "GetMeeting", {"meetingKey": key})
        assert not got.ok and got.exception_id == "060001", f"GetMeeting of {what}: {got.describe()}"
        info = self.xml("ep", "GetSessionInfo", {"sessionKey": key})
        assert not info.ok and info.exception_id in NO_DATA_EXCEPTIONS, f"GetSessionInfo of {what}: {info.describe()}"

    def _rest_gone(self, rest_id: str, key: str, what: str) -> None:
        got = self.rest_client().get(rest_id)
        assert got.status == 404, f"GET /v1/meetings/{{id}} of {what}: {got.describe()}"
        assert self._by_number(key) == [], f"GET /v1/meetings?meetingNumber= still lists {what}"

    # ------------------------------------------------------------ create

    @rule(
        target=live,
        n=st.integers(0, 99),
        days=st.integers(2, 20),
        hour=st.integers(8, 18),
        zone=st.integers(0, 3),
        password=st.booleans(),
    )
    @recorded
    def create_xml(self, n: int, days: int, hour: int, zone: int, password: bool) -> Ref:
        tz = ZONES[zone]
        start = _start(days, hour, tz)
        minutes = DURATIONS[n % len(DURATIONS)]
        title, agenda, sent = own_name(f"xml {n}"), f"agenda {n}", _password(n)
        body: dict[str, Any] = {
            "metaData": {"confName": title, "meetingType": 3, "agenda": agenda},
            "schedule": {
                "startDate": webex_date(start.astimezone(_zone(tz)).replace(tzinfo=None)),
                "duration": minutes,
                "timeZoneID": tz[0],
            },
        }
        if password:
            body["accessControl"] = {"meetingPassword": sent}
        made = self.xml("meeting", "CreateMeeting", body).expect_success()
        key, uuid = made.text("meet:meetingkey") or "", made.text("meet:meetingUUID") or ""
        lacking = [p for p in ("meet:iCalendarURL/serv:host", "meet:guestToken") if not made.has(p)]
        assert not lacking, f"CreateMeeting answers without {lacking}"
        answered = made.text("meet:meetingPassword") or ""
        if password:
            assert answered == sent, "CreateMeeting does not echo the password sent"
        elif self.site.settings.password_required:
            assert answered, "CreateMeeting generated no password on a site that requires them"
        ref = self.new_ref("meeting", key)
        self.model[ref.label] = Model(key, "", uuid, title, agenda, answered, start, minutes, tz, "xml")
        listed = self._by_number(key)
        assert len(listed) == 1, f"GET /v1/meetings?meetingNumber={key} of CreateMeeting's meeting: {listed}"
        self._same_host(listed[0])
        self.model[ref.label].rest_id = str(listed[0].get("id"))
        return ref

    @rule(target=live, n=st.integers(0, 99), days=st.integers(2, 20), hour=st.integers(8, 18), zone=st.integers(0, 3))
    @recorded
    def create_rest(self, n: int, days: int, hour: int, zone: int) -> Ref:
        tz = ZONES[zone]
        start = _start(days, hour, tz)
        minutes = DURATIONS[n % len(DURATIONS)]
        title, agenda, password = own_name(f"rest {n}"), f"agenda {n}", _password(n)
        # Create a Meeting keeps start and end to the minute: seconds sent are dropped
        local = start.astimezone(_zone(tz)) + timedelta(seconds=n % 60)
        body = {
            "title": title,
            "agenda": agenda,
            "password": password,
            "timezone": tz[1],
            "start": local.isoformat(timespec="seconds"),
            "end": (local + timedelta(minutes=minutes)).isoformat(timespec="seconds"),
        }
        made = self.rest_client().create(body)
        assert made.status == 200, f"POST /v1/meetings: {made.describe()}"
        self._same_host(made.json)
        key, rest_id = str(made.json["meetingNumber"]), str(made.json["id"])
        ref = self.new_ref("meeting", key, id=rest_id)
        info = self.xml("ep", "GetSessionInfo", {"sessionKey": key})
        uuid = info.text("ep:meetingUUID") or ""
        self.model[ref.label] = Model(key, rest_id, uuid, title, agenda, password, start, minutes, tz, "rest")
        assert info.ok and uuid, f"GetSessionInfo of the POST /v1/meetings meeting {key}: {info.describe()}"
        return ref

    # ------------------------------------------------------------ change

    @rule(meeting=live, what=st.sampled_from(["confName", "agenda", "duration", "password"]), n=st.integers(0, 99))
    @recorded
    def set_xml(self, meeting: Ref, what: str, n: int) -> None:
        m = self.model[meeting.label]
        body: dict[str, Any] = {"meetingkey": m.key}
        if what == "confName":
            m.title = own_name(f"set {n}")
            body["metaData"] = {"confName": m.title}
        elif what == "agenda":
            m.agenda = f"set agenda {n}"
            body["metaData"] = {"agenda": m.agenda}
        elif what == "duration":
            m.minutes = DURATIONS[n % len(DURATIONS)]
            body["schedule"] = {"duration": m.minutes}
        else:
            m.password = _password(n)
            body["accessControl"] = {"meetingPassword": m.password}
        self.xml("meeting", "SetMeeting", body).expect_success()
        self.changed.append((meeting.label, "xml"))

    @rule(
        meeting=live,
        what=st.sampled_from(["title", "agenda", "times", "password"]),
        n=st.integers(0, 99),
        method=st.sampled_from(["PATCH", "PUT"]),
    )
    @recorded
    def patch_rest(self, meeting: Ref, what: str, n: int, method: str) -> None:
        m = self.model[meeting.label]
        body: dict[str, Any] = {}
        if what == "title":
            m.title = own_name(f"patch {n}")
            body["title"] = m.title
        elif what == "agenda":
            m.agenda = f"patch agenda {n}"
            body["agenda"] = m.agenda
        elif what == "times":
            # Update a Meeting: start and end are kept to the minute (seconds sent are dropped)
            m.start = _start(2 + n % 20, 8 + n % 10, m.tz)
            m.minutes = DURATIONS[n % len(DURATIONS)]
            local = m.start.astimezone(_zone(m.tz)) + timedelta(seconds=n % 60)
            body["start"] = local.isoformat(timespec="seconds")
            body["end"] = (local + timedelta(minutes=m.minutes)).isoformat(timespec="seconds")
        else:
            m.password = _password(n)
            body["password"] = m.password
        answer = self.rest_client().update(m.rest_id, body, method=method)
        assert answer.status == 200, f"{method} /v1/meetings/{{id}}: {answer.describe()}"
        self.changed.append((meeting.label, "rest"))

    # ------------------------------------------------------------ read

    @rule(meeting=live, how=st.sampled_from(["GetMeeting", "GetSessionInfo", "GetSessionInfo by meetingUUID"]))
    @recorded
    def read_xml(self, meeting: Ref, how: str) -> None:
        m = self.model[meeting.label]
        if how == "GetMeeting":
            got = self.xml("meeting", "GetMeeting", {"meetingKey": m.key}).expect_success()
            self._check_get_meeting(meeting.label, got)
            return
        body = {"meetingUUID": m.uuid} if how.endswith("meetingUUID") else {"sessionKey": m.key}
        got = self.xml("ep", "GetSessionInfo", body).expect_success()
        answer = (
            got.text("ep:sessionkey"),
            got.text("ep:meetingUUID"),
            got.text("ep:metaData/ep:confName"),
            got.text("ep:schedule/ep:duration"),
            got.text("ep:accessControl/ep:sessionPassword"),
        )
        want = (m.key, m.uuid, m.title, str(m.minutes), m.password)
        assert answer == want, f"{meeting.label}: {how} answers {answer} to its host, the model says {want}"
        lacking = [p for p in ("ep:isLocked", "ep:confID") if not got.has(p)]
        assert not lacking, f"{meeting.label}: {how} lacks {lacking}"

    @rule(meeting=live, how=st.sampled_from(["get", "series by number", "current by number"]))
    @recorded
    def read_rest(self, meeting: Ref, how: str) -> None:
        m = self.model[meeting.label]
        if how == "get":
            got = self.rest_client().get(m.rest_id)
            assert got.status == 200, f"GET /v1/meetings/{{id}} of {meeting.label}: {got.describe()}"
            self._check_rest(meeting.label, got.json, "GET /v1/meetings/{id}")
            lacking = sorted(RESPONSE_KEYS - set(got.json))
            assert not lacking, f"GET /v1/meetings/{{id}} of {meeting.label} lacks {lacking}"
            return
        current = how.startswith("current")
        response = self.rest_client().list_meetings(meetingNumber=m.key, current=str(current).lower())
        assert response.status == 200, f"GET /v1/meetings?meetingNumber= of {meeting.label}: {response.describe()}"
        listed = [x for x in response.items if isinstance(x, dict)]
        assert len(listed) == 1, f"GET /v1/meetings?meetingNumber= ({how}) of {meeting.label} lists {len(listed)}"
        self._check_rest(meeting.label, listed[0], f"GET /v1/meetings?meetingNumber= ({how})")
        # List Meetings: current=true answers the scheduled meeting; without recurrence its id is the series'
        kind = "scheduledMeeting" if current else "meetingSeries"
        assert (listed[0].get("meetingType"), listed[0].get("id")) == (kind, m.rest_id), (
            f"{meeting.label} ({how}): {listed[0].get('meetingType')} {listed[0].get('id')}, not {kind} {m.rest_id}"
        )

    # ------------------------------------------------------------ delete

    @rule(target=gone, meeting=consumes(live))
    @recorded
    def delete_xml(self, meeting: Ref) -> Ref:
        m = self.model.pop(meeting.label)
        self.xml("meeting", "DelMeeting", {"meetingKey": m.key}).expect_success()
        self._rest_gone(m.rest_id, m.key, f"{meeting.label} after DelMeeting")
        meeting.extra["id"] = m.rest_id
        return meeting

    @rule(target=gone, meeting=consumes(live))
    @recorded
    def delete_rest(self, meeting: Ref) -> Ref:
        m = self.model.pop(meeting.label)
        answer = self.rest_client().delete(m.rest_id)
        assert answer.status in (200, 204), f"DELETE /v1/meetings/{{id}}: {answer.describe()}"
        self._xml_gone(m.key, f"{meeting.label} after DELETE /v1/meetings/{{id}}")
        meeting.extra["id"] = m.rest_id
        return meeting

    @rule(meeting=gone)
    @recorded
    def read_deleted(self, meeting: Ref) -> None:
        self._xml_gone(meeting.key, f"the deleted {meeting.label}")
        self._rest_gone(meeting.extra["id"], meeting.key, f"the deleted {meeting.label}")

    # ------------------------------------------------------------ invariant

    @invariant()
    def the_other_api_sees_each_change(self) -> None:
        """After a change through one API the other reads the meeting as the model says."""
        changed, self.changed = self.changed, []
        for label, side in changed:
            if label not in self.model:
                continue
            if side == "xml":
                got = self.rest_client().get(self.model[label].rest_id)
                assert got.status == 200, f"GET /v1/meetings/{{id}} of {label}: {got.describe()}"
                self._check_rest(label, got.json, "GET /v1/meetings/{id} after SetMeeting")
            else:
                answer = self.xml("meeting", "GetMeeting", {"meetingKey": self.model[label].key}).expect_success()
                self._check_get_meeting(label, answer)

    def clean_up(self) -> None:
        for m in list(self.model.values()):
            if m.made_by == "xml" or not m.rest_id:
                self.xml("meeting", "DelMeeting", {"meetingKey": m.key})
            else:
                self.rest_client().delete(m.rest_id)
        self.model.clear()


def test_xml_and_rest_see_the_same_meetings(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(XmlRestMachine)
