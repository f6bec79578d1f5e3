"""The read-back table: for every XML Set API of the catalogue, how a test makes an object of its own to
change, the key elements the Set addresses it by, the Get that reads it back (and the list API where
one lists it), where the answers show each request element when not at the same path, and which
documented request elements are not compared, with why and where the documentation says so.

:mod:`contracts.read_back_values` draws the values from the catalogue; ``contracts/test_read_back.py``
runs one test per row. What a row makes is named with the run's name and deleted after the test
(contacts and distribution lists cannot be deleted through the XML API: the ledger names them).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pytest

from webex_harness.client.xml_client import XmlClient
from webex_harness.contracts.read_back_values import Scalar
from webex_harness.contracts.test_one_click import _setup_body
from webex_harness.contracts.test_scheduling import EVENT, TELECONFERENCE, TRAINING, Sessions
from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.targets import SiteHandle
from webex_harness.plugin.xml_meetings import Meetings
from webex_harness.webex.envelope import XmlResponse

__all__ = ["PAIRS", "Bench", "Listing", "Made", "Pair", "pair"]

#: the scheduled test AddScheduledTest puts on a training session (one of the site's library tests)
LIBRARY_TEST_ID = "102"


@dataclass
class Bench:
    """What a row makes its object with: the site, the client of the row's role, and what to undo."""

    site: SiteHandle
    xml: XmlClient
    undo: list[Callable[[], object]] = field(default_factory=list)

    def later(self, action: Callable[[], object]) -> None:
        self.undo.append(action)

    def clean(self) -> None:
        for action in reversed(self.undo):
            action()
        self.undo.clear()


@dataclass(frozen=True)
class Made:
    """An object a row made: the Set body's key elements (by request path), the Get body, the list
    body (None: no list reads this object), and for some elements the only values the site accepts."""

    fixed: Mapping[str, Scalar]
    get: Mapping[str, Any]
    listed: Mapping[str, Any] | None = None
    choices: Mapping[str, Sequence[Scalar]] = field(default_factory=dict)
    #: the Get answer ``make`` read already (None: the test reads it)
    before: XmlResponse | None = None


@dataclass(frozen=True)
class Listing:
    """The list API that shows the object too: its record (an XPath of the answer, ``{name}`` filled
    from the Get body) and, per request element, the element of the record that shows it."""

    api: str
    record: str
    fields: Mapping[str, str]


@dataclass(frozen=True)
class Pair:
    """One Set API and how its changes are read back."""

    set_api: str
    get_api: str
    #: the prefix of the Get answer's elements
    prefix: str
    make: Callable[[Bench], Made]
    #: what ``make`` makes (or takes), in words (docs/read-back.md)
    made: str
    #: the request elements that address the object (never changed)
    identity: tuple[str, ...]
    #: request path (an element or a group) -> why it is not compared, with the document that says so
    not_compared: Mapping[str, str] = field(default_factory=dict)
    #: request path -> where the Get answer shows it, when not at the same path
    moved: Mapping[str, str] = field(default_factory=dict)
    #: request elements whose new value carries the run's name (what the object is known by)
    named: tuple[str, ...] = ()
    listing: Listing | None = None
    #: the role whose client sets and reads (an administrator for SetUser)
    role: str = "host"
    #: why a real site cannot run this row (None: it runs on any target)
    emulator_only: str | None = None

    @property
    def skip(self) -> tuple[str, ...]:
        return (*self.identity, *self.not_compared)


# ---------------------------------------------------------------- making the objects


def _meeting(bench: Bench) -> Made:
    meetings = Meetings(bench.xml)
    bench.later(meetings.cleanup)
    key, _ = meetings.create_ok()
    return Made({"meetingkey": key}, {"meetingKey": key}, {"meetingKey": key})


def _session(kind_name: str) -> Callable[[Bench], Made]:
    kind = {"event": EVENT, "training": TRAINING, "teleconference": TELECONFERENCE}[kind_name]
    key_element = "event:sessionKey" if kind is EVENT else "sessionKey"

    def make(bench: Bench) -> Made:
        sessions = Sessions(bench.xml)
        bench.later(sessions.cleanup)
        key = sessions.create_ok(kind)
        return Made({key_element: key}, {"sessionKey": key}, {"sessionKey": key})

    return make


def _scheduled_test(bench: Bench) -> Made:
    sessions = Sessions(bench.xml)
    bench.later(sessions.cleanup)
    key = sessions.create_ok(TRAINING)
    added = bench.xml.call("training", "AddScheduledTest", {"testID": LIBRARY_TEST_ID, "sessionKey": key})
    if not added.ok:
        pytest.skip(f"the site's test library has no test {LIBRARY_TEST_ID} to schedule: {added.describe()}")
    return Made({"sessionKey": key, "testID": LIBRARY_TEST_ID}, {"sessionKey": key})


def _user(bench: Bench) -> Made:
    webex_id = own_name(secrets.token_hex(3))
    body = {
        "firstName": "Read",
        "lastName": "Back",
        "webExId": webex_id,
        "password": "Wxh" + secrets.token_hex(4) + "7Q",
        "email": f"{secrets.token_hex(6)}@example.com",
        "privilege": {"host": True},
        "active": "ACTIVATED",
        "sendWelcome": False,
    }
    bench.xml.call("user", "CreateUser", body).expect_success()
    bench.later(lambda: bench.xml.call("user", "DelUser", {"webExId": webex_id}))
    return Made({"webExId": webex_id}, {"webExId": webex_id})


def _recording(bench: Bench) -> Made:
    listed = bench.xml.call("ep", "LstRecording", {"listControl": {"serv:startFrom": 1}}).expect_success()
    recording = listed.text("ep:recording/ep:recordingID")
    assert recording, "the emulator's host has seeded recordings"
    return Made(
        {"recording/recordingID": recording}, {"recordingID": recording}, {"listControl": {"serv:startFrom": 1}}
    )


def _meeting_types(bench: Bench) -> list[str]:
    """The meeting types the host may use (GetUser's meetingTypes): what One-Click's sessionType takes."""
    me = bench.site.security("host").webex_id
    types = (
        bench.xml.call("user", "GetUser", {"webExId": me}).expect_success().texts("use:meetingTypes/use:meetingType")
    )
    if len(types) < 2:
        pytest.skip(f"the host may use {len(types)} meeting type(s): a change needs two")
    return types


def _one_click(bench: Bench) -> Made:
    types = _meeting_types(bench)
    before = bench.xml.call("ep", "GetOneClickSettings", {}).expect_success()
    bench.later(lambda: bench.xml.call("ep", "SetupOneClickSettings", _setup_body(before)))
    return Made(
        {"metaData/serviceType": "MeetingCenter"},
        {},
        choices={"metaData/sessionType": types, "oneClickMetaData/sessionType": types},
        before=before,
    )


def _set_one_click(bench: Bench) -> Made:
    made = _one_click(bench)
    return Made({"oneClickMetaData/serviceType": "MeetingCenter"}, made.get, choices=made.choices, before=made.before)


def _contact_list(bench: Bench) -> tuple[str, str]:
    """A contact of the run's own in a distribution list of its own (what LstContact reads it through)."""
    email = f"wxh.{secrets.token_hex(4)}@example.com"
    made = bench.xml.call(
        "ep", "CreateContacts", {"contact": [{"name": own_name("read-back contact"), "email": email}]}
    )
    contact = made.expect_success().text("ep:contactID")
    assert contact, "CreateContacts answered no contactID"
    dist = bench.xml.call(
        "ep",
        "CreateDistList",
        {"distList": {"name": own_name("read-back list"), "desc": "wxh", "contactID": [contact]}},
    )
    list_id = dist.expect_success().text("ep:distListID")
    assert list_id, "CreateDistList answered no distListID"
    return contact, list_id


def _contact(bench: Bench) -> Made:
    contact, list_id = _contact_list(bench)
    return Made({"contactID": contact}, {"distListID": list_id})


def _dist_list(bench: Bench) -> Made:
    _, list_id = _contact_list(bench)
    return Made({"distList/distListID": list_id}, {"distListID": list_id})


# ---------------------------------------------------------------- the table

#: why the people of a session are not compared here (a list, read back by their own behaviours' tests)
_PEOPLE = "a list of people: its read-back is the e-mail behaviours' (email-lowercase, duplicate-email-first-wins)"

PAIRS: tuple[Pair, ...] = (
    Pair(
        "SetMeeting",
        "GetMeeting",
        "meet",
        _meeting,
        "a meeting (CreateMeeting)",
        identity=("meetingkey",),
        not_compared={
            "participants": _PEOPLE,
            "enableOptions/supportE2E": "turning E2EE on turns networkBasedRecording, joinBeforeHost and remote"
            " computer sharing off (createmeeting; behaviour e2ee-disables-features proves it)",
        },
        named=("metaData/confName",),
        listing=Listing("LstsummaryMeeting", "meet:meeting", {"metaData/confName": "meet:confName"}),
    ),
    Pair(
        "SetEvent",
        "GetEvent",
        "event",
        _session("event"),
        "an event (CreateEvent)",
        identity=("event:sessionKey",),
        not_compared={
            "panelists/panelist": _PEOPLE,
            "attendees": _PEOPLE,
            "enrollment/approvalRules": "a list of rules, answered as a whole (setevent)",
        },
        named=("metaData/sessionName",),
        listing=Listing("LstsummaryEvent", "event:event", {"metaData/sessionName": "event:sessionName"}),
    ),
    Pair(
        "SetTrainingSession",
        "GetTrainingSession",
        "train",
        _session("training"),
        "a training session (CreateTrainingSession)",
        identity=("sessionKey",),
        not_compared={"attendees": _PEOPLE},
        named=("metaData/confName",),
        listing=Listing("LstsummaryTrainingSession", "train:trainingSession", {"metaData/confName": "train:confName"}),
    ),
    Pair(
        "SetScheduledTest",
        "LstScheduledTests",
        "train",
        _scheduled_test,
        "a training session with library test 102 scheduled (AddScheduledTest)",
        identity=("sessionKey", "testID"),
        not_compared={
            "timeLimit": "no answer shows it: LstScheduledTests and GetTestInformation answer the test's dates and"
            " status (lstscheduledtests, gettestinformation)",
            "attemptLimit": "no answer shows it, as timeLimit (lstscheduledtests, gettestinformation)",
        },
        moved={
            "deliveryMethod/startDate": "train:test/train:startDate",
            "deliveryMethod/dueDate": "train:test/train:dueDate",
        },
    ),
    Pair(
        "SetTeleconferenceSession",
        "GetTeleconferenceSession",
        "tel",
        _session("teleconference"),
        "a teleconference (CreateTeleconferenceSession)",
        identity=("sessionKey",),
        named=("metaData/confName",),
        listing=Listing("LstsummarySession", "ep:session", {"metaData/confName": "ep:confName"}),
    ),
    Pair(
        "SetUser",
        "GetUser",
        "use",
        _user,
        "a user (CreateUser, by the administrator role)",
        identity=("webExId",),
        not_compared={
            "supportedServices": "not in a valid body: a CI-linked site keeps them as they are (api-40-updates,"
            " 40.12.0; behaviour supported-services-ci-site proves both cases)",
            "displayName": "kept only where the site's display-name setting is on (api-40-updates; behaviour"
            " display-name proves both cases)",
        },
        role="admin",
    ),
    Pair(
        "SetRecordingInfo",
        "GetRecordingInfo",
        "ep",
        _recording,
        "none: the host's first recording (emulator only)",
        identity=("recording/recordingID",),
        not_compared={
            "isServiceRecording": "says which kind of recording the ID names, not a value kept (setrecordinginfo)",
            "recording/password": "GetRecordingInfo answers no password (getrecordinginfo); LstRecording only whether"
            " one is needed (passwordReq)",
        },
        moved={"recording/description": "ep:basic/ep:description"},
        named=("basic/topic",),
        listing=Listing("LstRecording", "ep:recording[ep:recordingID='{recordingID}']", {"basic/topic": "ep:name"}),
        emulator_only="a run cannot make a recording of its own on a real site, and changes nothing it did not make",
    ),
    Pair(
        "SetupOneClickSettings",
        "GetOneClickSettings",
        "ep",
        _one_click,
        "none: the host's One-Click settings, set back afterwards",
        identity=("metaData/serviceType",),
        moved={
            "tracking/trackingCode/index": "ep:trackingCodes/ep:trackingCode/ep:index",
            "tracking/trackingCode/value": "ep:trackingCodes/ep:trackingCode/ep:value",
        },
        named=("metaData/confName",),
    ),
    Pair(
        "SetOneClickSettings",
        "GetOneClickSettings",
        "ep",
        _set_one_click,
        "none: the host's One-Click settings, set back afterwards",
        identity=("oneClickMetaData/serviceType",),
        moved={"oneClickMetaData/sessionType": "ep:metaData/ep:sessionType"},
    ),
    Pair(
        "SetContact",
        "LstContact",
        "ep",
        _contact,
        "a contact in a distribution list (CreateContacts, CreateDistList)",
        identity=("contactID",),
        moved={"contact/name": "ep:contact/ep:name", "contact/email": "ep:contact/ep:email"},
        named=("contact/name",),
    ),
    Pair(
        "SetDistList",
        "LstDistList",
        "ep",
        _dist_list,
        "a distribution list holding a contact (CreateContacts, CreateDistList)",
        identity=("distList/distListID",),
        not_compared={
            "distList/contactID": "the list's members: read back by behaviour dist-list-contacts (setdistlist)",
            "distList/contactOperation": "an operation on the members, not a value kept (setdistlist)",
        },
        named=("distList/name",),
    ),
)


def pair(set_api: str) -> Pair:
    """The row of ``set_api``."""
    for row in PAIRS:
        if row.set_api == set_api:
            return row
    raise KeyError(f"no read-back row for {set_api!r}")
