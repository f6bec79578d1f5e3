"""Webex XML API exception IDs — the one table in the code.

The emulator raises :class:`WebexError` subclasses to answer a FAILURE envelope; the client
recognises an exceptionID with :func:`known_exception`. Hierarchy::

    WebexError                      exception_id, reason, value
    ├── AccessDenied                000001
    ├── NoRecordFound               000015  (an empty list too)
    ├── BodyContentLimit            000053
    ├── InvalidRequest              999999  (malformed or hostile input)
    ├── UserNotFound                030001
    ├── IncorrectCredentials        030002
    ├── InvalidSessionTicket        030047
    ├── MissingRequiredFields       040014
    ├── MeetingNotFound             060001
    ├── StartTimeInPast             060016
    ├── MeetingPasswordRequired     060026
    └── E2EEOnlyPMR                 110063
"""

from __future__ import annotations

from dataclasses import dataclass

#: exceptionID -> the reason text Webex sends (``{}`` placeholders are filled per case).
EXCEPTIONS: dict[str, str] = {
    "000001": "Access denied, additional privileges are required",
    "000015": "Sorry, no record found",
    "000053": "The count of BodyContent in a request must be less than {}",
    "000058": "Invalid request: {}",
    "999999": "{}",
    "030001": "Corresponding User not found",
    "030002": "Incorrect user or password",
    "030047": "Not a valid session ticket",
    "040014": "Missing required fields (registration form) : {}",
    "060001": "Corresponding Meeting not found",
    "060016": "Session start time should be later than current time.",
    "060026": "Meeting password must not be null",
    "110063": "The user must have at least one non-E2EE meeting type to enable PMR.",
    "030049": "Invalid email address: {}",
    "010001": "Invalid value for element {}",
    "999998": "Unsupported API: {}",
    # user service: 030004 as in the public XML API reference; 030050 is the emulator's own ID
    # for a later bodyContent of one request reusing an e-mail (duplicate-email-first-wins, 001 40.12.0)
    "030004": "Duplicated WebEx ID",
    "030050": "Duplicate email in the request, only the first is processed: {}",
}

#: the "no data found" answers: no record (000015), meeting not found (060001), user not found (030001) —
#: what proves an object gone, and what a site's usage limit counts for GetSessionInfo / GetUserCard
NO_DATA_EXCEPTIONS: frozenset[str] = frozenset({"000015", "060001", "030001"})


@dataclass
class WebexError(Exception):
    """A FAILURE answer: ``serv:exceptionID``, ``serv:reason`` and optional ``serv:value``."""

    exception_id: str
    reason: str
    value: str | None = None

    def __str__(self) -> str:
        return f"{self.exception_id} {self.reason}"


def webex_error(exception_id: str, *args: object, value: str | None = None) -> WebexError:
    """Build the error for ``exception_id`` with the documented reason text filled in."""
    template = EXCEPTIONS[exception_id]
    reason = template.format(*args) if "{}" in template else template
    return WebexError(exception_id, reason, value)


def access_denied() -> WebexError:
    return webex_error("000001")


def no_record_found() -> WebexError:
    return webex_error("000015")


def meeting_not_found() -> WebexError:
    return webex_error("060001")


def invalid_request(detail: str) -> WebexError:
    """Malformed, hostile or unsupported input: a clear reason, never a traceback."""
    return WebexError("999999", detail)


def invalid_value(element: str) -> WebexError:
    return webex_error("010001", element)


def known_exception(exception_id: str | None) -> bool:
    """True when the client knows this exceptionID (it still reports unknown ones verbatim)."""
    return exception_id in EXCEPTIONS
