"""The kinds of object a run creates on a target: what creates each, what deletes it, what proves it gone.

The one table of it. The ledger hooks (:mod:`client.ledger_hooks`) read it to know which API on the
wire creates or deletes what; the journal (:mod:`client.journal`) writes each object's delete API;
the cleaner (:mod:`client.cleaner`) deletes with it and verifies with it; the load scenarios and the
contract suites ask it which API creates a session of a kind.

A deletion is proved with a Get or a listing filtered by the object's key (GetMeeting, GetEvent,
GetTeleconferenceSession, ep LstsummarySession, …; ``GET /v1/meetings/{id}`` → 404) — never with
GetSessionInfo or GetUserCard, whose "no data found" answers count towards the site's usage limit
(:mod:`client.usage_guard`). Webex has no API that deletes a contact or a distribution list (the XML
API Reference Guide has no DelContact nor DelDistList), and DelUser deactivates (the account stays,
``active`` DEACTIVATED).

Stands on nothing but the standard library.
"""

from __future__ import annotations

from dataclasses import dataclass

#: the kinds that are sessions (``session``: one found by its name, whatever its kind)
SESSION_KINDS = ("meeting", "event", "training", "teleconference", "support", "session")
#: a meeting of the REST API
REST_MEETING = "rest-meeting"
#: a meeting of the XML API (CreateMeeting): on a site, the same meeting as a REST series (its alias)
XML_MEETING = "meeting"
#: kinds that belong to a session (its ``parent``): they go when it goes
CHILD_KINDS = ("attendee", "scheduled-test")


@dataclass(frozen=True, slots=True)
class Kind:
    """What the harness knows about one kind of object: how it is created, deleted, checked."""

    name: str
    #: local names (any case) of the response elements carrying the new object's ID
    id_elements: tuple[str, ...]
    #: (service, API, element naming the object), or None: no API deletes it
    delete: tuple[str, str, str] | None
    #: (service, API, element) of the Get that proves it gone; element "parent" = the parent session
    verify: tuple[str, str, str] | None
    #: the ID is the request's element of this name (CreateUser: webExId), not the answer's
    id_from_request: str | None = None
    note: str = ""


_ATTENDEE_DELETE = ("attendee", "DelMeetingAttendee", "attendeeID")
_ATTENDEE_VERIFY = ("attendee", "LstMeetingAttendee", "parent")
#: a session proved gone by a listing filtered by its key: GetSessionInfo would feed the usage limit
#: (every "no data found" answer of it counts towards the 403 block, client/usage_guard.py)
_SESSION_LISTED = ("ep", "LstsummarySession", "sessionKey")

#: why a contact stays on the site (the same words the journal and the summary show)
_NO_DEL_CONTACT = "the XML API has no call that deletes a contact"

#: a test of the Training Center library (uploaded or copied); GetIMStestDetails of a deleted one is 000015
_LIBRARY_TEST = Kind(
    "library-test",
    ("testid",),
    ("training", "DelLibTests", "testID"),
    ("training", "GetIMStestDetails", "testID"),
)

#: the create APIs, by API name
CREATES: dict[str, Kind] = {
    "CreateMeeting": Kind(
        "meeting", ("meetingkey",), ("meeting", "DelMeeting", "meetingKey"), ("meeting", "GetMeeting", "meetingKey")
    ),
    "CreateEvent": Kind(
        "event", ("sessionkey",), ("event", "DelEvent", "sessionKey"), ("event", "GetEvent", "sessionKey")
    ),
    "CreateTrainingSession": Kind(
        "training",
        ("sessionkey",),
        ("training", "DelTrainingSession", "sessionKey"),
        ("training", "GetTrainingSession", "sessionKey"),
    ),
    "CreateTeleconferenceSession": Kind(
        "teleconference",
        ("sessionkey",),
        ("ep", "DelSession", "sessionKey"),
        ("teleconference", "GetTeleconferenceSession", "sessionKey"),
    ),
    "CreateSupportSession": Kind("support", ("sessionkey",), ("ep", "DelSession", "sessionKey"), _SESSION_LISTED),
    "CreateMeetingAttendee": Kind("attendee", ("attendeeid",), _ATTENDEE_DELETE, _ATTENDEE_VERIFY),
    "RegisterMeetingAttendee": Kind("attendee", ("attendeeid",), _ATTENDEE_DELETE, _ATTENDEE_VERIFY),
    "CreateUser": Kind(
        "user",
        (),
        ("user", "DelUser", "webExId"),
        ("user", "GetUser", "webExId"),
        id_from_request="webexid",
        note="DelUser deactivates: the account stays, DEACTIVATED",
    ),
    "CreateContact": Kind("contact", ("contactid",), None, None, note=_NO_DEL_CONTACT),
    "CreateContacts": Kind("contact", ("contactid",), None, None, note=_NO_DEL_CONTACT),
    "CreateDistList": Kind(
        "dist-list", ("distlistid",), None, None, note="the XML API has no call that deletes a distribution list"
    ),
    "UploadIMStest": _LIBRARY_TEST,
    "CopyLibTests": _LIBRARY_TEST,
    "AddScheduledTest": Kind(
        "scheduled-test",
        ("testid",),
        ("training", "DelScheduledTest", "testID"),
        ("training", "LstScheduledTests", "parent"),
    ),
}
#: the REST API's meeting: created by ``POST /v1/meetings``, deleted and checked at ``/v1/meetings/{id}``
REST_KIND = Kind(REST_MEETING, ("id",), ("rest", "DELETE", "/meetings/{id}"), ("rest", "GET", "/meetings/{id}"))
REST_CREATE = "POST /v1/meetings"
#: a session of any kind found by its name (ep DelSession / LstsummarySession work for every kind)
FOUND_SESSION = Kind("session", ("sessionkey",), ("ep", "DelSession", "sessionKey"), _SESSION_LISTED)

#: the delete APIs the tests send themselves: API -> (kinds it deletes, request elements naming the object)
DELETES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "DelMeeting": (("meeting",), ("meetingkey", "meetinguuid")),
    "DelEvent": (("event",), ("sessionkey", "meetinguuid")),
    "DelTrainingSession": (("training",), ("sessionkey", "meetinguuid")),
    "DelSession": (SESSION_KINDS, ("sessionkey", "meetingkey", "meetinguuid")),
    "DelMeetingAttendee": (("attendee",), ("attendeeid",)),
    "DelUser": (("user",), ("webexid",)),
    "DelScheduledTest": (("scheduled-test",), ("testid",)),
    "DelLibTests": (("library-test",), ("testid",)),
}
#: the API that brings a deactivated user back (``active`` ACTIVATED): the user is outstanding again
REACTIVATE = "SetUser"
#: verifications that list: the element naming the object in the listing
LISTED_ID = {"attendee": "attendeeid", "scheduled-test": "testid"}

_KIND_BY_NAME: dict[str, Kind] = {k.name: k for k in CREATES.values()}
_KIND_BY_NAME[REST_MEETING] = REST_KIND
_KIND_BY_NAME[FOUND_SESSION.name] = FOUND_SESSION
_WATCHED_ANY_CASE = {api.lower(): api for api in [*CREATES, *DELETES, REACTIVATE]}


def kind(name: str) -> Kind:
    """The kind of this name (``meeting``, ``attendee``, ``rest-meeting``, ``session`` …)."""
    return _KIND_BY_NAME[name]


def creator_of(name: str) -> str:
    """The API that creates an object of this kind (the first in the table: ``attendee`` → CreateMeetingAttendee)."""
    for api, k in CREATES.items():
        if k.name == name:
            return api
    raise KeyError(name)


def canonical_api(api: str) -> str:
    """A create, delete or reactivating API named in any case, spelt as in the table; others unchanged."""
    return _WATCHED_ANY_CASE.get(api.lower(), api)


def delete_api_name(k: Kind) -> str:
    """What deletes an object of this kind, in words for the journal (``none``: nothing does)."""
    if k.delete is None:
        return "none"
    if k.name == REST_MEETING:
        return "DELETE /v1/meetings/{id}"
    return k.delete[1]


__all__ = [
    "CHILD_KINDS",
    "CREATES",
    "DELETES",
    "FOUND_SESSION",
    "LISTED_ID",
    "REACTIVATE",
    "REST_CREATE",
    "REST_KIND",
    "REST_MEETING",
    "SESSION_KINDS",
    "XML_MEETING",
    "Kind",
    "canonical_api",
    "creator_of",
    "delete_api_name",
    "kind",
]
