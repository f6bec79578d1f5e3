"""A test's exchanges as allure attachments a person can read, and the Webex answer a failure met.

Each exchange (:class:`~client.xml_client.Exchange`, masked by the client that made it) becomes two
attachments: the request and the response, each typed by what it holds — ``application/xml``
indented (lxml) for the XML API, ``application/json`` indented by 2 for the REST API (the method and
URL or the HTTP status, the headers and the body as one JSON document) — and masked once more with
the run's secret set after the reformatting. What cannot be read as XML or JSON (an empty or broken
answer, an HTML error page) is attached as text, unchanged.

:func:`failure_note` names the Webex answer a failed test met last — ``FAILURE 060016 'Session start
time …'`` of the XML API, ``HTTP 400 …`` of the REST API — for the failure message, so that allure's
categories (:mod:`plugin.allure_report`) sort failures by exception ID and status.

Stands on :mod:`client.xml_client` (the exchange) and :mod:`webex.masking` (the run's secret set).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from lxml import etree

from webex_harness.client.xml_client import Exchange
from webex_harness.webex.masking import SecretSet

__all__ = ["Attachment", "attach_exchange", "attachments", "failure_note", "pretty_json", "pretty_xml"]

XML = "application/xml"
JSON = "application/json"
TEXT = "text/plain"

#: the parser of an attachment: no entities, no network, no DTD; blank text dropped so that the
#: output is indented afresh
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, remove_blank_text=True, huge_tree=False
)
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>\s*")
_RESULT = re.compile(r"<(?:[\w.-]+:)?result>\s*FAILURE\s*</(?:[\w.-]+:)?result>")
_EXCEPTION_ID = re.compile(r"<(?:[\w.-]+:)?exceptionID>\s*([^<\s]+)\s*</")
_REASON = re.compile(r"<(?:[\w.-]+:)?reason>([^<]*)</")
_HTTP_STATUS = re.compile(r"^HTTP (\d{3})\b")


@dataclass(frozen=True, slots=True)
class Attachment:
    """One attachment: its name, its text and its MIME type (:data:`XML`, :data:`JSON`, :data:`TEXT`)."""

    name: str
    body: str
    mime: str


def pretty_xml(text: str) -> str | None:
    """``text`` as indented XML (without its declaration), or None when it is not XML."""
    try:
        root = etree.fromstring(_DECLARATION.sub("", text, count=1).encode("utf-8"), _PARSER)
    except (etree.XMLSyntaxError, ValueError):
        return None
    return str(etree.tostring(root, pretty_print=True, encoding="unicode"))


def pretty_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _body(text: str) -> Any:
    """A REST body: its JSON value, else the text itself (empty: None)."""
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def _rest_part(text: str, first: str) -> dict[str, Any]:
    """A REST request or answer record (``METHOD URL`` or ``HTTP 200``, header lines, a blank line,
    the body — :meth:`client.rest_client.RestClient._record`) as one JSON-able document."""
    lines = text.split("\n")
    end = lines.index("", 1) if "" in lines[1:] else len(lines)
    headers = dict(line.split(": ", 1) for line in lines[1:end] if ": " in line)
    return {first: lines[0], "headers": headers, "body": _body("\n".join(lines[end + 1 :]))}


def _is_xml(exchange: Exchange) -> bool:
    return exchange.request.lstrip().startswith("<")


def _timing(exchange: Exchange) -> str:
    status = f"HTTP {exchange.http_status}" if exchange.http_status else "no answer"
    return f"{status}, {exchange.elapsed * 1000:.1f} ms"


def attachments(exchange: Exchange, secrets: SecretSet) -> list[Attachment]:
    """The request and the response of ``exchange``, typed, indented and masked."""
    api = exchange.api
    if _is_xml(exchange):
        parts = []
        for kind, text in (("request", exchange.request), ("response", exchange.response)):
            pretty = pretty_xml(text)
            name = f"{api} {kind}" + (f" ({_timing(exchange)})" if kind == "response" else "")
            parts.append(
                Attachment(name, secrets.mask(pretty if pretty is not None else text), XML if pretty else TEXT)
            )
        return parts
    request = pretty_json(_rest_part(exchange.request, "request"))
    if _HTTP_STATUS.match(exchange.response):
        response = Attachment(
            f"{api} response ({_timing(exchange)})",
            secrets.mask(pretty_json(_rest_part(exchange.response, "status"))),
            JSON,
        )
    else:  # no answer: the record says why
        response = Attachment(f"{api} response ({_timing(exchange)})", secrets.mask(exchange.response), TEXT)
    return [Attachment(f"{api} request", secrets.mask(request), JSON), response]


def attach_exchange(exchange: Exchange, secrets: SecretSet) -> None:
    """Attach ``exchange`` to the running test (nothing when allure is not active)."""
    try:
        import allure
    except ImportError:
        return
    types = {XML: allure.attachment_type.XML, JSON: allure.attachment_type.JSON, TEXT: allure.attachment_type.TEXT}
    for part in attachments(exchange, secrets):
        allure.attach(part.body, name=part.name, attachment_type=types[part.mime])


def failure_note(exchanges: list[Exchange]) -> str | None:
    """The Webex answer the test met last when it was a refusal: ``Webex answered CreateMeeting:
    FAILURE 060016 'Session start time …'`` (XML), ``Webex answered POST /v1/meetings: HTTP 400`` (a
    status of 400 or more), ``Webex gave no answer to …: timeout …``; None when the last answer was
    a success (or the test sent nothing)."""
    if not exchanges:
        return None
    last = exchanges[-1]
    if not last.http_status:
        return f"Webex gave no answer to {last.api}: {last.response.strip('()')}"
    if _is_xml(last):
        if not _RESULT.search(last.response):
            return f"Webex answered {last.api}: HTTP {last.http_status}" if last.http_status >= 400 else None
        found = _EXCEPTION_ID.search(last.response)
        reason = _REASON.search(last.response)
        code = found.group(1) if found else "(no exceptionID)"
        return f"Webex answered {last.api}: FAILURE {code}" + (f" {reason.group(1).strip()!r}" if reason else "")
    status = _HTTP_STATUS.match(last.response)
    if status is None or int(status.group(1)) < 400:
        return None
    return f"Webex answered {last.api}: HTTP {status.group(1)}"
