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

__all__ = ["exception_of", "failure_message"]

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
