"""A state machine over meetings with registration forms and their attendees.

Rules create meetings with a drawn registration form (required fields) and locked-lobby options,
change both with SetMeeting (documented and undocumented lobby values), add attendees with
CreateMeetingAttendee / RegisterMeetingAttendee and invite people with SetMeeting — e-mails drawn in
mixed case, with white space, with duplicates in one request — and remove them with
DelMeetingAttendee by e-mail and key or meetingUUID. A model of each meeting rides along; the read
rules compare with it: GetMeeting answers the last accepted form and lobby, LstMeetingAttendee
lists exactly the live attendees (stored lowercase, the first of a duplicate kept, removed ones
gone), GetEnrollmentInfo the registered ones with an empty ``att:domain``. A request breaking a
rule must answer the documented error (030049 white space, 040014 with the missing fields in form
order) and change nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import Bundle, consumes, initialize, precondition, rule

from webex_harness.contracts.stateful.machine import Ref, recorded
from webex_harness.contracts.stateful.people import CASES, SPACES, PeopleMachine, drawn_email, has_white_space
from webex_harness.contracts.support import registration_form
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import meeting_body
from webex_harness.webex.envelope import XmlResponse

#: registrationForm fields in form order (001, 40.6.1) — the order 040014 lists missing ones in
FIELDS = ("title", "company", "address1", "address2", "city", "state", "postalCode", "country", "phone", "fax")
#: a value for each field an attendee fills in
VALUES = {f: f"{f.capitalize()} 1" for f in FIELDS}
#: locked lobby (001, 40.9.0): the documented values
SECURITIES = ("AllowJoin", "AllowJoinWithLobby", "BlockFromJoin")
WAITS = (0, 5, 10, 15, 20)
#: values the documents do not allow (refused), and a case variant they accept as the canonical one
BAD_SECURITIES = ("LetEveryoneIn",)
BAD_WAITS = (7, 30, -5)

_REASON_040014 = "Missing required fields (registration form) : "


def _in_form_order(fields: frozenset[str]) -> list[str]:
    return sorted(fields, key=FIELDS.index)


_NO_FIELDS: list[str] = []
#: required fields of a form: some first (hypothesis' simplest draw is its first branch), sometimes none
required_sets = st.one_of(
    st.frozensets(st.sampled_from(FIELDS), min_size=1, max_size=3).map(_in_form_order), st.just(_NO_FIELDS)
)
securities = st.sampled_from([*SECURITIES, "allowjoinwithlobby", *BAD_SECURITIES])
waits = st.sampled_from([*WAITS, *BAD_WAITS])
people = st.lists(
    st.fixed_dictionaries(
        {
            "person": st.integers(0, 3),
            "case": st.sampled_from(CASES),
            "space": st.sampled_from(SPACES[:1] * 6 + SPACES[1:]),
            # a complete form most of the time, else a few fields (then 040014 is likely)
            "fields": st.one_of(
                st.just(list(FIELDS)), st.frozensets(st.sampled_from(FIELDS), max_size=4).map(_in_form_order)
            ),
        }
    ),
    min_size=1,
    max_size=3,
)


@dataclass
class Attendee:
    email: str
    name: str
    registered: bool


@dataclass
class Meeting:
    required: list[str]
    security: str
    lock: bool
    wait: int
    attendees: list[Attendee] = field(default_factory=list)

    def attendee(self, email: str) -> Attendee | None:
        return next((a for a in self.attendees if a.email == email), None)


def _canonical(security: str) -> str | None:
    return next((s for s in SECURITIES if s.lower() == security.lower()), None)


def _lobby(security: str, lock: bool, wait: int) -> dict[str, Any]:
    return {"externalAttendeeSecurity": security, "autoLock": lock, "autoLockWaitTime": wait}


def _person(drawn: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    email = drawn_email(drawn["person"], drawn["case"], drawn["space"])
    name = f"Person {drawn['person']} {drawn['case']}"
    return email, {"name": name, "email": email, **{f: VALUES[f] for f in drawn["fields"]}}


def _refused(answer: XmlResponse, exception_id: str) -> None:
    assert (answer.result, answer.exception_id) == ("FAILURE", exception_id), (
        f"expected FAILURE {exception_id}, got {answer.describe()}"
    )


def stored(email: str) -> str:
    """How an accepted e-mail is stored: lowercase (white space around it is the XML's, not the address')."""
    return email.strip().lower()


def _space_refused(answer: XmlResponse, emails: list[str]) -> bool:
    """Behaviour ``email-no-whitespace``: a request naming an e-mail with white space inside is refused
    with 030049; white space around an address may be refused the same way or read as the XML's
    (then the address is stored without it). True when the request was (rightly) refused."""
    if any(has_white_space(email.strip()) for email in emails):
        _refused(answer, "030049")
        return True
    return answer.exception_id == "030049" and any(email != email.strip() for email in emails)


class RegistrationMachine(PeopleMachine):
    examples = 20
    steps_per_example = 10

    meetings = Bundle("meetings")

    def __init__(self, site: SiteHandle) -> None:
        super().__init__(site)
        self.model: dict[str, Meeting] = {}
        self.lobby = bool(site.settings.consistent_locked_lobby)

    def _live(self, meeting: Ref) -> Meeting | None:
        return self.model.get(meeting.label)

    # ------------------------------------------------------------ meetings

    @initialize(
        target=meetings,
        required=required_sets,
        security=st.sampled_from(SECURITIES),
        lock=st.booleans(),
        wait=st.sampled_from(WAITS),
    )
    @recorded
    def first_meeting(self, required: list[str], security: str, lock: bool, wait: int) -> Ref:
        return self._create(required, security, lock, wait)

    @rule(
        target=meetings,
        required=required_sets,
        security=st.sampled_from(SECURITIES),
        lock=st.booleans(),
        wait=st.sampled_from(WAITS),
    )
    @recorded
    def create_meeting(self, required: list[str], security: str, lock: bool, wait: int) -> Ref:
        return self._create(required, security, lock, wait)

    def _create(self, required: list[str], security: str, lock: bool, wait: int) -> Ref:
        body = meeting_body(
            own_name(f"registration {len(self.model) + 1}"),
            schedule={"startDate": self.start_date()},
            attendeeOptions={"registration": True, **_lobby(security, lock, wait)},
            registrationForm=registration_form(*required),
        )
        answer = self.xml("meeting", "CreateMeeting", body).expect_success()
        ref = self.new_ref("meeting", answer.text("meet:meetingkey") or "", uuid=answer.text("meet:meetingUUID") or "")
        self.model[ref.label] = Meeting(required, security, lock, wait)
        return ref

    @rule(meeting=meetings, required=required_sets)
    @recorded
    def set_form(self, meeting: Ref, required: list[str]) -> None:
        model = self._live(meeting)
        if model is None:
            return
        body = {"meetingkey": meeting.key, "registrationForm": registration_form(*required)}
        self.xml("meeting", "SetMeeting", body).expect_success()
        model.required = required

    @rule(meeting=meetings, security=securities, lock=st.booleans(), wait=waits)
    @recorded
    def set_lobby(self, meeting: Ref, security: str, lock: bool, wait: int) -> None:
        model = self._live(meeting)
        if model is None:
            return
        answer = self.xml(
            "meeting", "SetMeeting", {"meetingkey": meeting.key, "attendeeOptions": _lobby(security, lock, wait)}
        )
        canonical = _canonical(security)
        if self.lobby and (canonical is None or wait not in WAITS):
            assert answer.result == "FAILURE", (
                f"undocumented lobby value {security!r}/{wait} accepted: {answer.describe()}"
            )
            return
        answer.expect_success()
        model.security, model.lock, model.wait = canonical or security, lock, wait

    @rule(meeting=meetings)
    @recorded
    def get_meeting(self, meeting: Ref) -> None:
        model = self._live(meeting)
        if model is None:
            return
        got = self.xml("meeting", "GetMeeting", {"meetingKey": meeting.key}).expect_success()
        form = {f: got.text(f"meet:registrationForm/meet:{f}/meet:req") for f in FIELDS}
        assert form == {f: "true" if f in model.required else "false" for f in FIELDS}, (
            f"{meeting}: the last accepted form requires {model.required}, GetMeeting says {form}"
        )
        if self.lobby:
            options = "meet:attendeeOptions/meet:"
            shown = (
                got.text(options + "externalAttendeeSecurity"),
                got.text(options + "autoLock"),
                got.text(options + "autoLockWaitTime"),
            )
            expected = (model.security, str(model.lock).lower(), str(model.wait))
            assert shown == expected, f"{meeting}: the locked lobby set last is {expected}, GetMeeting says {shown}"

    @rule(meeting=consumes(meetings))
    @recorded
    def delete_meeting(self, meeting: Ref) -> None:
        if self.model.pop(meeting.label, None) is None:
            return
        self.xml("meeting", "DelMeeting", {"meetingKey": meeting.key}).expect_success()
        listed = self.xml("attendee", "LstMeetingAttendee", {"meetingKey": meeting.key})
        _refused(listed, "000015")

    # ------------------------------------------------------------ attendees

    @precondition(lambda self: bool(self.model))
    @rule(meeting=meetings, drawn=people, register=st.booleans(), by_uuid=st.booleans())
    @recorded
    def add_attendees(self, meeting: Ref, drawn: list[dict[str, Any]], register: bool, by_uuid: bool) -> None:
        """Create (invite) or register the drawn people in one request."""
        model = self._live(meeting)
        if model is None:
            return
        sent = [_person(d) for d in drawn]
        where = {"meetingUUID": meeting.extra["uuid"]} if by_uuid else {"sessionKey": meeting.key}
        blocks = [{"person": person, "role": "ATTENDEE", **where} for _, person in sent]
        if register:
            answer = self.xml("attendee", "RegisterMeetingAttendee", {"attendees": blocks})
        else:
            first, *rest = blocks
            body: dict[str, Any] = {"person": first["person"], **where}
            if rest:
                body["attendees"] = rest
            answer = self.xml("attendee", "CreateMeetingAttendee", body)
        if _space_refused(answer, [email for email, _ in sent]):
            return
        kept: list[tuple[str, dict[str, Any]]] = []
        for email, person in sent:
            if stored(email) not in {e for e, _ in kept}:
                kept.append((stored(email), person))
        for _, person in kept:
            missing = [f for f in model.required if f not in person]
            if missing:
                _refused(answer, "040014")
                listing = ",".join(missing)
                assert (answer.reason, answer.value) == (_REASON_040014 + listing, listing), (
                    f"040014 must list the missing fields in form order ({listing}): {answer.describe()}"
                )
                return
        answer.expect_success()
        tag = "att:register" if register else "att:attendeeId"
        assert len(answer.xpath(tag)) == len(kept), (
            f"one answer per distinct e-mail ({len(kept)}), the first of a duplicate only: {answer.describe()}"
        )
        for email, person in kept:
            if model.attendee(email) is None:
                model.attendees.append(Attendee(email, person["name"], register))
        self._check_list(meeting, model)
        if register:
            self._check_enrollment(meeting, model, by_uuid)

    @precondition(lambda self: bool(self.model))
    @rule(
        meeting=meetings,
        person=st.integers(0, 3),
        case=st.sampled_from(CASES),
        space=st.sampled_from(SPACES[:2]),
        twice=st.booleans(),
    )
    @recorded
    def invite(self, meeting: Ref, person: int, case: str, space: str, twice: bool) -> None:
        """Invite a person with SetMeeting's participants (the same e-mail twice, other names)."""
        model = self._live(meeting)
        if model is None:
            return
        email = drawn_email(person, case, space)
        invitees = [{"person": {"name": f"Invitee {person} {n}", "email": email}} for n in range(1 + twice)]
        answer = self.xml(
            "meeting", "SetMeeting", {"meetingkey": meeting.key, "participants": {"attendees": {"attendee": invitees}}}
        )
        if _space_refused(answer, [email]):
            return
        answer.expect_success()
        if model.attendee(stored(email)) is None:
            model.attendees.append(Attendee(stored(email), invitees[0]["person"]["name"], False))
        self._check_list(meeting, model)

    @precondition(lambda self: any(m.attendees for m in self.model.values()))
    @rule(meeting=meetings, person=st.integers(0, 3), case=st.sampled_from(CASES), by_uuid=st.booleans())
    @recorded
    def remove_attendee(self, meeting: Ref, person: int, case: str, by_uuid: bool) -> None:
        """DelMeetingAttendee by e-mail (in any case): a live attendee goes, anyone else is 000015."""
        model = self._live(meeting)
        if model is None:
            return
        where = {"meetingUUID": meeting.extra["uuid"]} if by_uuid else {"sessionKey": meeting.key}
        email = drawn_email(person, case)
        answer = self.xml("attendee", "DelMeetingAttendee", {"attendeeEmail": {"email": email, **where}})
        attendee = model.attendee(email.lower())
        if attendee is None:
            _refused(answer, "000015")
            return
        answer.expect_success()
        model.attendees.remove(attendee)
        self._check_list(meeting, model)

    @rule(meeting=meetings)
    @recorded
    def list_attendees(self, meeting: Ref) -> None:
        model = self._live(meeting)
        if model is not None:
            self._check_list(meeting, model)

    def _check_list(self, meeting: Ref, model: Meeting) -> None:
        """LstMeetingAttendee lists exactly the live attendees, in order, as stored."""
        listed = self.xml("attendee", "LstMeetingAttendee", {"meetingKey": meeting.key})
        if not model.attendees:
            _refused(listed, "000015")
            return
        listed.expect_success()
        emails = listed.texts("att:attendee/att:person/com:email")
        expected = [a.email for a in model.attendees]
        assert emails == expected, (
            f"{meeting}: the live attendees (stored lowercase, each once) are {expected}, listed {emails}"
        )
        names = listed.texts("att:attendee/att:person/com:name")
        assert names == [a.name for a in model.attendees], (
            f"{meeting}: the first of each e-mail is kept, listed {names}"
        )
        assert listed.text("att:matchingRecords/serv:total") == str(len(expected))

    @rule(meeting=meetings, by_uuid=st.booleans())
    @recorded
    def enrollment(self, meeting: Ref, by_uuid: bool) -> None:
        model = self._live(meeting)
        if model is not None:
            self._check_enrollment(meeting, model, by_uuid)

    def _check_enrollment(self, meeting: Ref, model: Meeting, by_uuid: bool) -> None:
        """GetEnrollmentInfo: the registered live attendees, each with an empty att:domain."""
        where = {"meetingUUID": meeting.extra["uuid"]} if by_uuid else {"sessionKey": meeting.key}
        got = self.xml("attendee", "GetEnrollmentInfo", where)
        enrolled = [a.email for a in model.attendees if a.registered]
        if not enrolled:
            _refused(got, "000015")
            return
        got.expect_success()
        entry = "att:session/att:attendee"
        emails = got.texts(f"{entry}/att:enrollFields/att:defaultFields/att:email")
        assert emails == enrolled, (
            f"{meeting}: the registered live attendees are {enrolled}, GetEnrollmentInfo {emails}"
        )
        domains = [d.strip() for d in got.texts(f"{entry}/att:domain")]
        assert len(got.xpath(f"{entry}/att:domain")) == len(enrolled) and not any(domains), (
            f"att:domain is empty (no DNS look-up), got {domains}"
        )
        assert got.text("att:session/att:matchingRecords/serv:total") == str(len(enrolled))
        assert got.text("att:session/att:sessionKey") == meeting.key

    def clean_up(self) -> None:
        for label in list(self.model):
            self.xml("meeting", "DelMeeting", {"meetingKey": self.refs[label].key})


def test_registration_forms_and_attendees_hold_in_any_order(run_stateful) -> None:  # type: ignore[no-untyped-def]
    run_stateful(RegistrationMachine)
