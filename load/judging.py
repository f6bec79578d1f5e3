"""How a load run judges an XML API answer: byte regexes, not an XML parser (a cheap load generator).

A request fails when the HTTP status is not 200, when its envelope is a FAILURE (the message reads
``FAILURE <exceptionID> <reason>``, interface 4 of issue 6) or when it is not a Webex envelope at
all; :meth:`load.xml_user.XmlUser.post` turns an expected FAILURE into a success. The REST scenario
judges its own answers (:func:`load.rest_tasks.failure_message`).

No locust import; stands on the standard library alone.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import unescape

__all__ = ["UNAVAILABLE_STATUSES", "exception_of", "failure_message", "unavailable_status"]

#: The statuses of a request the site did not serve rather than answered wrongly: no answer at all (0: a
#: refused or dropped connection, a timeout), rate limited (429), a gateway's or a busy site's refusal (502,
#: 503, 504). A load run judges these by its failure-ratio gate; any other failure breaks what a scenario
#: expects (:func:`runs.load_phase.load_problems`).
UNAVAILABLE_STATUSES = frozenset({0, 429, 502, 503, 504})
_STATUS_RE = re.compile(r"HTTP (\d+)\b")

_RESULT_RE = re.compile(rb"<(?:\w+:)?result>\s*(\w+)\s*</(?:\w+:)?result>")
_EXCEPTION_RE = re.compile(rb"<(?:\w+:)?exceptionID>([^<]*)<")
_REASON_RE = re.compile(rb"<(?:\w+:)?reason>([^<]*)<")
_XML_ENTITIES = {"&quot;": '"', "&apos;": "'"}


def exception_of(content: bytes | None) -> str | None:
    """The ``serv:exceptionID`` of a FAILURE envelope."""
    found = _EXCEPTION_RE.search(content or b"")
    return found.group(1).decode("utf-8", "replace").strip() if found else None


def failure_message(status: int, content: bytes | None, error: object = None) -> str | None:
    """Why a response counts as a failure, or ``None`` for a SUCCESS envelope with HTTP 200.

    A FAILURE envelope reads ``FAILURE <exceptionID> <reason>`` (interface 4 of issue 6).
    """
    if status != 200:
        detail = f": {error}" if error else ""
        return f"HTTP {status}{detail}"
    body = content or b""
    result = _RESULT_RE.search(body)
    if result is None:
        return "not a Webex envelope (no serv:result)"
    verdict = result.group(1).decode("ascii", "replace")
    if verdict == "SUCCESS":
        return None
    if verdict == "FAILURE":
        reason = _REASON_RE.search(body)
        text = unescape(reason.group(1).decode("utf-8", "replace"), _XML_ENTITIES).strip() if reason else ""
        return f"FAILURE {exception_of(body) or '?'} {text}".rstrip()
    return f"unexpected serv:result {verdict!r}"


def unavailable_status(message: str) -> int | None:
    """The status of a load failure whose message (``HTTP <status>…``, from either judge) says the site did not
    serve the request (:data:`UNAVAILABLE_STATUSES`); None for a failure that breaks the scenario's expectation."""
    found = _STATUS_RE.match(message)
    status = int(found.group(1)) if found is not None else None
    return status if status in UNAVAILABLE_STATUSES else None
