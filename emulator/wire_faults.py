"""The wire faults: one per check of :mod:`webex.wire_checks`, each breaking exactly that check's rule on
every answer it concerns, after the answer is built and before it is sent.

The fault's ID is the check's name (and the behaviour of ``webex/behaviours.yaml`` it breaks). The app
calls :func:`xml_answer` on a routed XML answer and the REST front end :func:`rest_answer` on a routed
REST answer, each only when the site has some fault on (``site.faults`` not empty): nothing is done for
a site without faults.

Stands on :mod:`emulator.faults`, :mod:`emulator.model` and lxml.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from webex_harness.emulator.faults import declare
from webex_harness.emulator.model import Site

XML_STATUS = declare("xml-status-code", "answers every XML FAILURE envelope with HTTP 500 instead of 200")
XML_CONTENT_TYPE = declare("xml-content-type", "labels every XML answer Content-Type application/json")
XML_HEADER_ORDER = declare("xml-envelope-shape", "puts gsbStatus before result in every SUCCESS header")
XML_EXCEPTION_ID = declare("xml-exception-id", "answers every exceptionID with a 'WBX' prefix (WBX060001)")
XML_FAILURE_BODY = declare("xml-failure-empty-body", "answers every FAILURE with a non-empty bodyContent")
XML_ELEMENT_ORDER = declare(
    "xml-response-elements", "answers the top-level elements of every SUCCESS bodyContent in reverse order"
)
REST_STATUS = declare("rest-status-code", "answers a created REST meeting with HTTP 201 instead of 200")
REST_CONTENT_TYPE = declare("rest-content-type", "labels every successful REST answer Content-Type text/plain")
REST_FIELD_TYPE = declare("rest-response-fields", "answers a meeting's meetingNumber as a JSON number, not a string")

XML_FAULTS = frozenset(
    {XML_STATUS, XML_CONTENT_TYPE, XML_HEADER_ORDER, XML_EXCEPTION_ID, XML_FAILURE_BODY, XML_ELEMENT_ORDER}
)
REST_FAULTS = frozenset({REST_STATUS, REST_CONTENT_TYPE, REST_FIELD_TYPE})

#: the XML answer the app sends: status, body, content type, extra headers, delay (``app.XmlReply``)
XmlReply = tuple[int, bytes, bytes, tuple[tuple[bytes, bytes], ...], float]
#: a REST answer: status, JSON payload, extra headers (``rest.responses.Answer``)
RestReply = tuple[int, Any, list[tuple[str, str]]]

_FAILURE = b"<serv:result>FAILURE</serv:result>"
_SUCCESS_HEADER = b"<serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY</serv:gsbStatus>"
_EXCEPTION_ID = re.compile(rb"<serv:exceptionID>(\d+)</serv:exceptionID>")
_BODY_CONTENT = "{http://www.webex.com/schemas/2002/06/service}bodyContent"


def xml_answer(site: Site, reply: XmlReply) -> XmlReply:
    """``reply`` with every wire fault ``site`` has on applied (unchanged when it has none)."""
    on = XML_FAULTS.intersection(site.faults)
    if not on:
        return reply
    status, body, ctype, extra, delay = reply
    if XML_HEADER_ORDER in on:
        body = body.replace(
            _SUCCESS_HEADER, b"<serv:gsbStatus>PRIMARY</serv:gsbStatus><serv:result>SUCCESS</serv:result>"
        )
    if XML_EXCEPTION_ID in on:
        body = _EXCEPTION_ID.sub(rb"<serv:exceptionID>WBX\1</serv:exceptionID>", body)
    if XML_FAILURE_BODY in on and _FAILURE in body:
        body = body.replace(
            b"<serv:bodyContent/>", b"<serv:bodyContent><com:reason>failed</com:reason></serv:bodyContent>"
        )
    if XML_ELEMENT_ORDER in on and b"<serv:result>SUCCESS" in body:
        body = _reversed_bodies(body)
    if XML_STATUS in on and status == 200 and _FAILURE in body:
        status = 500
    if XML_CONTENT_TYPE in on:
        ctype = b"application/json"
    return status, body, ctype, extra, delay


def _reversed_bodies(body: bytes) -> bytes:
    root = etree.fromstring(body)
    for content in root.iter(_BODY_CONTENT):
        children = list(content)
        for child in children:
            content.remove(child)
        content.extend(reversed(children))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def rest_answer(site: Site, method: str, reply: RestReply) -> RestReply:
    """``reply`` (a routed answer) with every wire fault ``site`` has on applied."""
    on = REST_FAULTS.intersection(site.faults)
    if not on:
        return reply
    status, payload, extra = reply
    if REST_STATUS in on and method == "POST" and status == 200:
        status = 201
    if REST_FIELD_TYPE in on and isinstance(payload, dict):
        payload = _numbered(payload)
        if isinstance(payload.get("items"), list):
            payload = {**payload, "items": [_numbered(m) if isinstance(m, dict) else m for m in payload["items"]]}
    if REST_CONTENT_TYPE in on and 200 <= status < 300 and status != 204:
        extra = [*extra, ("Content-Type", "text/plain")]
    return status, payload, extra


def _numbered(meeting: dict[str, Any]) -> dict[str, Any]:
    """A copy of ``meeting`` whose meetingNumber is a number (the answer's dict may be a stored one)."""
    number = meeting.get("meetingNumber")
    return {**meeting, "meetingNumber": int(number)} if isinstance(number, str) and number.isdigit() else meeting
