"""The judges of the REST checks (:mod:`webex.wire_checks` names them and says their rules): each takes
what the checks know of the APIs (:class:`~client.check_facts.WireFacts`), the request's method, the
operation (``POST /v1/meetings``, ``GET /v1/meetings/{id}``, …) and the answer, and says what is wrong
with the answer — or that it is fine, or that its rule does not apply.

The documented status of a success and the enumerations are the catalogue's (``rest.operations``,
``rest.enums``; docs/wire.md J2, J5), handed in as :class:`~client.check_facts.WireFacts`; the types of a
meeting's fields are those of the REST reference's meeting properties (003, the "Update a Meeting"
response sample, :data:`MEETING_FIELD_TYPES`). A field a meeting leaves out is not judged here: which fields an answer
must carry is what the contract tests of ``rest-response-shape`` prove.

Stands on :mod:`client.check_facts` and :mod:`client.xml_checks` (the verdict type).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Final, Protocol

from webex_harness.client.check_facts import WireFacts
from webex_harness.client.xml_checks import NOT_APPLICABLE, Verdict


class RestAnswer(Protocol):
    """What a REST judge reads of an answer (:class:`~client.rest_client.RestResponse` has it)."""

    @property
    def status(self) -> int: ...
    @property
    def json(self) -> Any: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    @property
    def raw(self) -> bytes: ...


RestJudge = Callable[[WireFacts, str, str, RestAnswer], Verdict]

#: the JSON type of each documented top-level field of a meeting (003)
MEETING_FIELD_TYPES: Final[Mapping[str, type | tuple[type, ...]]] = {
    **dict.fromkeys(
        (
            "id",
            "meetingSeriesId",
            "meetingNumber",
            "title",
            "agenda",
            "password",
            "phoneAndVideoSystemPassword",
            "meetingType",
            "state",
            "timezone",
            "start",
            "end",
            "hostUserId",
            "hostDisplayName",
            "hostEmail",
            "hostKey",
            "siteUrl",
            "webLink",
            "sipAddress",
            "dialInIpAddress",
            "unlockedMeetingJoinSecurity",
            "scheduledType",
        ),
        str,
    ),
    **dict.fromkeys(
        (
            "isModified",
            "enabledAutoRecordMeeting",
            "allowAnyUserToBeCoHost",
            "enabledJoinBeforeHost",
            "enableConnectAudioBeforeHost",
            "excludePassword",
            "publicMeeting",
            "enableAutomaticLock",
            "allowFirstUserToBeCoHost",
            "allowAuthenticatedDevices",
            "enabledBreakoutSessions",
            "enabledAudioWatermark",
            "enabledVisualWatermark",
        ),
        bool,
    ),
    **dict.fromkeys(
        ("joinBeforeHostMinutes", "reminderTime", "sessionTypeId", "automaticLockMinutes", "visualWatermarkOpacity"),
        int,
    ),
    **dict.fromkeys(
        (
            "telephony",
            "meetingOptions",
            "attendeePrivileges",
            "registration",
            "simultaneousInterpretation",
            "audioConnectionOptions",
        ),
        dict,
    ),
    **dict.fromkeys(("integrationTags", "links", "trackingCodes"), list),
}
#: where each enumeration of the catalogue sits in a meeting (the object holding it; "" the meeting itself)
ENUM_PLACES: Final[Mapping[str, str]] = {
    "meetingType": "",
    "state": "",
    "scheduledType": "",
    "unlockedMeetingJoinSecurity": "",
    "noteType": "meetingOptions",
    "audioConnectionType": "audioConnectionOptions",
    "entryAndExitTone": "audioConnectionOptions",
}
#: a server error the wire rules allow: a busy site's 503 (retried by the client first)
ALLOWED_SERVER_ERRORS: Final = frozenset({503})
#: answers the client waits out and sends again (429 rate limit, docs/wire.md J8; 503 busy)
TRANSIENT: Final = frozenset({429, 503})


def _json_type(value: Any) -> str:
    names = {bool: "boolean", int: "integer", float: "number", str: "string", list: "array", dict: "object"}
    return "null" if value is None else names.get(type(value), type(value).__name__)


def _type_name(expected: type | tuple[type, ...]) -> str:
    kinds = expected if isinstance(expected, tuple) else (expected,)
    return " or ".join(_json_type(k()) for k in kinds)


def _operation_path(facts: WireFacts, api: str) -> tuple[str, str] | None:
    """``"PATCH /v1/meetings/{id}"`` -> ``("PATCH", "/v1/meetings/{meetingId}")``; None for another name."""
    method, _, path = api.partition(" ")
    path = path.replace("{id}", "{meetingId}")
    return (method, path) if (method, path) in facts.rest_statuses else None


def status_code(facts: WireFacts, method: str, api: str, answer: RestAnswer) -> Verdict:
    status = answer.status
    if status == 0:
        return NOT_APPLICABLE
    if status >= 500 and status not in ALLOWED_SERVER_ERRORS:
        return f"HTTP {status}: a server error is no documented answer"
    if not 200 <= status < 300:
        return None  # a refusal: which one a request deserves is what the contract tests prove
    operation = _operation_path(facts, api)
    if operation is None:
        return NOT_APPLICABLE
    documented = facts.rest_statuses[operation]
    if status != documented:
        return f"{api} succeeded with HTTP {status}, documented {documented}"
    return None


def content_type(facts: WireFacts, method: str, api: str, answer: RestAnswer) -> Verdict:
    if answer.status == 0 or not answer.raw.strip():
        return NOT_APPLICABLE
    value = answer.headers.get("content-type", "")
    media = value.split(";", 1)[0].strip().lower()
    if media == "application/json":
        return None
    return f"an answer with a body labelled Content-Type {value or '(none)'!r}, not 'application/json'"


def _meeting_problem(facts: WireFacts, meeting: Any, where: str) -> str | None:
    if not isinstance(meeting, dict):
        return f"{where} is {_json_type(meeting)}, not a meeting object"
    for name, expected in MEETING_FIELD_TYPES.items():
        if name in meeting and (not isinstance(meeting[name], expected) or _bool_for_int(meeting[name], expected)):
            return f"{where}.{name} is {_json_type(meeting[name])} {meeting[name]!r}, documented {_type_name(expected)}"
    enums = facts.rest_enums
    for name, place in ENUM_PLACES.items():
        holder = meeting.get(place) if place else meeting
        if isinstance(holder, dict) and name in holder and holder[name] not in enums.get(name, (holder[name],)):
            shown = f"{where}.{place}.{name}" if place else f"{where}.{name}"
            return f"{shown} is {holder[name]!r}, not one of {list(enums[name])}"
    return None


def _bool_for_int(value: Any, expected: type | tuple[type, ...]) -> bool:
    """A JSON boolean where an integer is documented (Python's ``bool`` is an ``int``)."""
    return isinstance(value, bool) and expected is int


def _error_problem(body: Any) -> str | None:
    if not isinstance(body, dict):
        return f"an error body that is {_json_type(body)}, not an object"
    if not isinstance(body.get("message"), str):
        return f"error body: message is {_json_type(body.get('message'))}, documented string"
    errors = body.get("errors")
    if not isinstance(errors, list) or not all(
        isinstance(e, dict) and isinstance(e.get("description"), str) for e in errors
    ):
        return f"error body: errors is {errors!r}, documented [{{'description': string}}]"
    if not isinstance(body.get("trackingId"), str):
        return f"error body: trackingId is {_json_type(body.get('trackingId'))}, documented string"
    return None


def response_fields(facts: WireFacts, method: str, api: str, answer: RestAnswer) -> Verdict:
    status, body = answer.status, answer.json
    if status == 0 or body is None:
        return NOT_APPLICABLE
    if status in TRANSIENT:
        return NOT_APPLICABLE  # a gateway's answer as often as the API's: retried, not judged for its body
    if status >= 400:
        return _error_problem(body)
    operation = _operation_path(facts, api)
    if operation is None or not 200 <= status < 300:
        return NOT_APPLICABLE
    if operation == ("GET", "/v1/meetings"):
        items = body.get("items") if isinstance(body, dict) else None
        if not isinstance(items, list):
            return f"a list answer whose items is {_json_type(items)}, documented array"
        for i, item in enumerate(items):
            problem = _meeting_problem(facts, item, f"items[{i}]")
            if problem:
                return problem
        return None
    return _meeting_problem(facts, body, "meeting")


#: the judge of every REST check, by name
REST_JUDGES: dict[str, RestJudge] = {
    "rest-status-code": status_code,
    "rest-content-type": content_type,
    "rest-response-fields": response_fields,
}

__all__ = ["MEETING_FIELD_TYPES", "REST_JUDGES", "RestAnswer"]
