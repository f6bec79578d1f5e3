"""The model the XML meeting machines keep of their meetings, and the documented checks of each answer.

:class:`MeetingState` is what the machine expects of one live meeting: what the last accepted
CreateMeeting/SetMeeting wrote (a field a request did not name keeps its value — behaviour
``set-meeting-keeps-unnamed``). The ``check_*`` functions compare one answer with it and with the
reference pages: the read-back of every field the machine wrote, the behaviours that override what
was sent (``e2ee-disables-features``, ``auto-record``, ``private-meeting``), the numeric audio
password, the elements GetMeeting always answers, the answers' shapes and their documented element
order (:func:`client.response_order.order_problem` with the catalogue's ``response_elements``).
:func:`walk_list` pages through a list and checks ``matchingRecords`` on every page.

Stands on :mod:`webex.envelope`, :mod:`webex.settings`, :mod:`generators.catalogue` and
:mod:`client.response_order` (no target: the machines send).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from webex_harness.client.response_order import order_problem
from webex_harness.generators.catalogue import api
from webex_harness.webex.envelope import XmlResponse
from webex_harness.webex.settings import SiteSettings

__all__ = [
    "AGENDAS",
    "E2EE_OFF",
    "FLAGS",
    "MeetingState",
    "check_create_answer",
    "check_del_answer",
    "check_gone",
    "check_meeting",
    "check_session_info",
    "expected_flags",
    "walk_list",
]

#: the options the machines write and read back: ``section/element``
FLAGS = (
    "enableOptions/chat",
    "enableOptions/poll",
    "enableOptions/supportE2E",
    "enableOptions/joinBeforeHost",
    "enableOptions/networkBasedRecording",
    "enableOptions/supportRemoteComputer",
    "enableOptions/autoRecord",
    "schedule/joinTeleconfBeforeHost",
    "schedule/deviceCanStartMeeting",
)
#: CreateMeeting/SetMeeting pages: an E2EE meeting has these off (behaviour e2ee-disables-features)
E2EE_OFF = ("networkBasedRecording", "joinBeforeHost", "supportRemoteComputer")
#: agendas the machines write (plain text: HTML filtering is another behaviour)
AGENDAS = ("Quarterly plan", "Budget review and next steps", "Stand-up", "Design walk-through: API v2")

#: GetMeeting elements every answer holds, whatever was sent (behaviour get-meeting-complete):
#: the template's options, agenda, invitation, isInternal, telePresence, hostType
COMPLETE = (
    "meet:metaData/meet:agenda",
    "meet:metaData/meet:invitation",
    "meet:metaData/meet:isInternal",
    "meet:enableOptions/meet:chat",
    "meet:enableOptions/meet:poll",
    "meet:enableOptions/meet:audioVideo",
    "meet:enableOptions/meet:attendeeList",
    "meet:enableOptions/meet:fileShare",
    "meet:enableOptions/meet:presentation",
    "meet:enableOptions/meet:desktopShare",
    "meet:enableOptions/meet:voip",
    "meet:enableOptions/meet:supportQandA",
    "meet:schedule/meet:openTime",
    "meet:schedule/meet:entryExitTone",
    "meet:attendeeOptions/meet:request",
    "meet:attendeeOptions/meet:registration",
    "meet:telePresence",
    "meet:hostType",
)


@dataclass
class MeetingState:
    """One live meeting as the machine expects it."""

    key: str
    uuid: str
    name: str
    start: str
    time_zone_id: int
    duration: int
    password: str
    meeting_type: int = 3
    agenda: str | None = None
    #: ``section/element`` -> the value last written (an option the machine cannot predict is absent)
    flags: dict[str, bool] = field(default_factory=dict)

    def write_flags(self, flags: dict[str, bool]) -> None:
        """What one accepted request wrote. Switching E2EE on turns its features off on the site; once
        it is off again their values are unknown until written again."""
        was_e2ee = self.flags.get("enableOptions/supportE2E", False)
        self.flags.update(flags)
        if was_e2ee and not self.flags.get("enableOptions/supportE2E", False):
            for name in E2EE_OFF:
                if f"enableOptions/{name}" not in flags:
                    self.flags.pop(f"enableOptions/{name}", None)


def expected_flags(state: MeetingState, settings: SiteSettings) -> dict[str, bool]:
    """What GetMeeting must answer for each option the machine knows: what was written, with E2EE's
    features off (behaviour e2ee-disables-features) and autoRecord on when the site records every
    session (behaviour auto-record)."""
    expected = dict(state.flags)
    if expected.get("enableOptions/supportE2E"):
        for name in E2EE_OFF:
            expected[f"enableOptions/{name}"] = False
    if settings.auto_record_all:
        expected["enableOptions/autoRecord"] = True
    return expected


def _bool(got: XmlResponse, path: str) -> bool | None:
    text = got.text(path)
    return None if text is None else text.strip().lower() == "true"


def _order(api_name: str, got: XmlResponse) -> None:
    problem = order_problem(api_name, got, api(api_name).response_elements)
    assert problem is None, str(problem)


def _shape(api_name: str, got: XmlResponse) -> None:
    """The answer's body has the type its page documents (behaviour envelope-shape)."""
    assert got.body is not None, got.describe()
    body_type = got.body.get("{http://www.w3.org/2001/XMLSchema-instance}type")
    assert body_type == api(api_name).response_type, f"{api_name}: body type {body_type!r}"


def check_meeting(
    label: str, state: MeetingState, got: XmlResponse, settings: SiteSettings, *, whole: bool = True
) -> None:
    """GetMeeting answers what the last accepted Create/SetMeeting wrote, nothing else changed;
    ``whole``: also every element it must hold and their documented order."""
    assert got.ok, f"{label}: {got.describe()}"
    _shape("GetMeeting", got)
    read = {
        "meetingkey": got.text("meet:meetingkey"),
        "meetingUUID": got.text("meet:meetingUUID"),
        "confName": got.text("meet:metaData/meet:confName"),
        "meetingType": got.text("meet:metaData/meet:meetingType"),
        "startDate": got.text("meet:schedule/meet:startDate"),
        "timeZoneID": got.text("meet:schedule/meet:timeZoneID"),
        "duration": got.text("meet:schedule/meet:duration"),
        "meetingPassword": got.text("meet:accessControl/meet:meetingPassword") or "",
    }
    wanted = {
        "meetingkey": state.key,
        "meetingUUID": state.uuid,
        "confName": state.name,
        "meetingType": str(state.meeting_type),
        "startDate": state.start,
        "timeZoneID": str(state.time_zone_id),
        "duration": str(state.duration),
        "meetingPassword": state.password,
    }
    if state.agenda is not None:
        read["agenda"] = got.text("meet:metaData/meet:agenda")
        wanted["agenda"] = state.agenda
    for path, value in expected_flags(state, settings).items():
        section, name = path.split("/")
        read[path] = str(_bool(got, f"meet:{section}/meet:{name}")).lower()
        wanted[path] = str(value).lower()
    private = state.meeting_type in settings.private_meeting_types
    read["isPrivateMeeting"] = str(_bool(got, "meet:metaData/meet:isPrivateMeeting")).lower()
    wanted["isPrivateMeeting"] = str(private).lower()
    wrong = {k: f"{read[k]!r}, expected {v!r}" for k, v in wanted.items() if read[k] != v}
    assert not wrong, f"{label}: GetMeeting does not answer what was written: {wrong}"
    audio = got.text("meet:accessControl/meet:audioPassword") or ""
    assert audio.isdigit(), f"{label}: audioPassword must be numeric, got {audio!r}"
    for name in ("isEnforceAudioPassword", "isEnforceAudioLogin"):
        assert _bool(got, f"meet:accessControl/meet:{name}") is not None, f"{label}: no accessControl/{name}"
    if whole:
        missing = [path for path in COMPLETE if not got.has(path)]
        assert not missing, f"{label}: GetMeeting lacks documented elements {missing}"
        _order("GetMeeting", got)


def check_session_info(label: str, state: MeetingState, got: XmlResponse, settings: SiteSettings) -> None:
    """GetSessionInfo (as the host) answers the same meeting, whichever of key and UUID asked."""
    assert got.ok, f"{label}: {got.describe()}"
    _shape("GetSessionInfo", got)
    read = {
        "sessionkey": got.text("ep:sessionkey"),
        "meetingUUID": got.text("ep:meetingUUID"),
        "confName": got.text("ep:metaData/ep:confName"),
        "startDate": got.text("ep:schedule/ep:startDate"),
        "duration": got.text("ep:schedule/ep:duration"),
        "sessionPassword": got.text("ep:accessControl/ep:sessionPassword") or "",
        "isPrivateMeeting": got.text("ep:isPrivateMeeting"),
    }
    wanted = {
        "sessionkey": state.key,
        "meetingUUID": state.uuid,
        "confName": state.name,
        "startDate": state.start,
        "duration": str(state.duration),
        "sessionPassword": state.password,
        "isPrivateMeeting": str(state.meeting_type in settings.private_meeting_types).lower(),
    }
    wrong = {k: f"{read[k]!r}, expected {v!r}" for k, v in wanted.items() if read[k] != v}
    assert not wrong, f"{label}: GetSessionInfo does not answer the meeting: {wrong}"
    _order("GetSessionInfo", got)


def check_create_answer(label: str, got: XmlResponse, sent_password: str, settings: SiteSettings) -> None:
    """CreateMeeting's answer (behaviours create-response-shape, password-autogenerated)."""
    assert got.ok, f"{label}: {got.describe()}"
    _shape("CreateMeeting", got)
    key = got.text("meet:meetingkey") or ""
    assert key.isdigit() and not got.has("meet:meetingKey"), f"{label}: meet:meetingkey {key!r}"
    for part in ("host", "attendee"):
        link = got.text(f"meet:iCalendarURL/serv:{part}") or ""
        assert link.startswith("http"), f"{label}: CreateMeeting answers no iCalendarURL/{part}"
    token = got.text("meet:guestToken") or ""
    assert len(token) == 32 and all(c in "0123456789abcdef" for c in token), f"{label}: guestToken {token!r}"
    assert len(got.text("meet:meetingUUID") or "") == 32, f"{label}: meetingUUID"
    password = got.text("meet:meetingPassword") or ""
    if sent_password:
        assert password == sent_password, f"{label}: CreateMeeting answers password {password!r}, sent another"
    elif settings.password_required:
        assert password and password.strip() == password, f"{label}: the site requires passwords, none generated"
    else:
        assert not password, f"{label}: no password sent or required, {password!r} answered"
    _order("CreateMeeting", got)


def check_del_answer(label: str, state: MeetingState, got: XmlResponse) -> None:
    """DelMeeting's answer (behaviour del-meeting-shape): both calendar cancellations, the UUID."""
    assert got.ok, f"{label}: {got.describe()}"
    host = got.text("meet:iCalendarURL/serv:host") or ""
    attendee = got.text("meet:iCalendarURL/serv:attendee") or ""
    assert host.startswith("https://") and attendee.startswith("https://"), (
        f"{label}: DelMeeting must answer iCalendarURL host and attendee: {got.describe()}"
    )
    assert host != attendee, f"{label}: the host's and the attendees' cancellations are one file"
    assert got.text("meet:meetingUUID") in (state.uuid, None), f"{label}: DelMeeting answers another meetingUUID"
    _order("DelMeeting", got)


def check_gone(label: str, what: str, got: XmlResponse, exception_id: str) -> None:
    """A deleted meeting answers its documented not-found error."""
    assert (got.result, got.exception_id) == ("FAILURE", exception_id), (
        f"{label} was deleted: {what} must fail with {exception_id}, got {got.describe()}"
    )


Lister = Callable[[int, int], XmlResponse]


def walk_list(lister: Lister, prefix: str, key_path: str, size: int) -> list[str]:
    """Every page of a list ``size`` records at a time; each page consistent (``startFrom`` echoed,
    ``returned`` = its records = ``min(maximumNum, total - startFrom + 1)``, the same ``total``), the
    page after the last one 000015 (behaviour list-paging). The keys in page order ([] for an empty
    list, which answers 000015)."""
    keys: list[str] = []
    total: int | None = None
    start = 1
    while True:
        page = lister(start, size)
        if (total is not None and start > total) or page.result == "FAILURE":
            assert (page.result, page.exception_id) == ("FAILURE", "000015"), (
                f"startFrom {start} of a list of {total or 0}: {page.describe()}"
            )
            break
        assert page.ok, page.describe()
        count = int(page.text(f"{prefix}:matchingRecords/serv:total") or -1)
        returned = int(page.text(f"{prefix}:matchingRecords/serv:returned") or -1)
        echoed = int(page.text(f"{prefix}:matchingRecords/serv:startFrom") or -1)
        records = page.texts(key_path)
        assert total in (None, count), f"matchingRecords/total changed from {total} to {count} between pages"
        total = count
        assert echoed == start, f"asked startFrom {start}, matchingRecords/startFrom says {echoed}"
        assert returned == len(records) == min(size, count - start + 1), (
            f"page at {start} of {count} (maximumNum {size}): returned {returned}, {len(records)} records"
        )
        keys += records
        start += len(records)
        if len(keys) > 200:
            raise AssertionError("more than 200 records in the machine's own window")
    assert len(keys) == (total or 0), f"the pages hold {len(keys)} records, matchingRecords/total says {total}"
    return keys
