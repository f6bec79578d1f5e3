"""The judges of the XML checks (:mod:`webex.wire_checks` names them and says their rules): each takes what
the checks know of the APIs (:class:`~client.check_facts.WireFacts`), the API a request was for and the
parsed answer, and says what is wrong with the answer — or that it is fine,
or that its rule does not apply to this answer.

A judge looks only at the answer: a hostile or broken request the harness sends on purpose is answered
under the same rules (a FAILURE envelope with HTTP 200), or with one of the refusals made before
processing (405, 413, the 403 usage limit, 503), which ``xml-status-code`` accepts and whose body the
other checks judge only when it is a Webex envelope. An exchange that got no answer at all (a timeout,
a reset) is judged by none.

Stands on :mod:`webex.envelope`, :mod:`webex.errors`, :mod:`webex.namespaces`,
:mod:`client.check_facts` and :mod:`client.response_order`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Final

from lxml import etree

from webex_harness.client.check_facts import WireFacts
from webex_harness.client.response_order import order_problem
from webex_harness.webex.envelope import XmlResponse
from webex_harness.webex.errors import known_exception
from webex_harness.webex.namespaces import NAMESPACES, SERV


class NotApplicable:
    """A judge's answer when its rule says nothing about this answer (it is then not counted as judged)."""

    def __repr__(self) -> str:
        return "NOT_APPLICABLE"


NOT_APPLICABLE: Final = NotApplicable()

#: what a judge says: None (the answer keeps the rule), the problem in one line, or :data:`NOT_APPLICABLE`
Verdict = str | NotApplicable | None
XmlJudge = Callable[[WireFacts, str, XmlResponse], Verdict]

#: statuses an XML answer may have besides 200: refusals before processing (docs/wire.md X1; the 403
#: usage limit of webex/behaviours.yaml usage-limit-403; 405 wrong method, 413 too large, 503 busy)
REFUSAL_STATUSES: Final = frozenset({403, 405, 413, 503})
#: the prefixes every answer declares on its root (docs/wire.md X2)
DECLARED_PREFIXES: Final = ("serv", "com", "meet", "att", "use", "ep", "site", "history", "event", "train")
_SUCCESS_ORDER: Final = ("result", "gsbStatus")
_FAILURE_ORDER: Final = ("result", "reason", "gsbStatus", "exceptionID")
_EXCEPTION_ID = re.compile(r"\d{6}")
_MEDIA_TYPE = re.compile(r"\s*text/xml\s*(;.*)?$", re.IGNORECASE)
_CHARSET = re.compile(r";\s*charset\s*=\s*\"?utf-8\"?\s*(;|$)", re.IGNORECASE)


def _local(tag: str) -> str:
    """An element's local name, its case kept."""
    return tag.rpartition("}")[2]


def is_envelope(response: XmlResponse) -> bool:
    """The answer's body is a ``serv:message`` document."""
    return response.root is not None and response.root.tag == f"{{{SERV}}}message"


def status_code(facts: WireFacts, api_name: str, response: XmlResponse) -> Verdict:
    if response.http_status == 0:
        return NOT_APPLICABLE
    if response.http_status == 200 or response.http_status in REFUSAL_STATUSES:
        return None
    if is_envelope(response) and response.results:
        return f"a {response.results[0]['result']} envelope came with HTTP {response.http_status}, not 200"
    return f"HTTP {response.http_status} is neither 200 nor a documented refusal ({sorted(REFUSAL_STATUSES)})"


def content_type(facts: WireFacts, api_name: str, response: XmlResponse) -> Verdict:
    if not is_envelope(response):
        return NOT_APPLICABLE
    value = response.content_type or ""
    if _MEDIA_TYPE.match(value) and _CHARSET.search(value):
        return None
    return f"a Webex envelope labelled Content-Type {value or '(none)'!r}, not 'text/xml;charset=UTF-8'"


def envelope_shape(facts: WireFacts, api_name: str, response: XmlResponse) -> Verdict:
    if response.http_status != 200:
        return NOT_APPLICABLE
    if not is_envelope(response):
        return f"an HTTP 200 answer that is not a Webex envelope: {response.problem}"
    root = response.root
    assert root is not None
    wrong = [p for p in DECLARED_PREFIXES if root.nsmap.get(p) != NAMESPACES[p]]
    if wrong:
        return f"prefixes not declared on the root (or bound elsewhere): {wrong}"
    responses = root.findall(f"{{{SERV}}}header/{{{SERV}}}response")
    if not responses:
        return "no serv:header/serv:response"
    for i, header in enumerate(responses, start=1):
        names = [_local(child.tag) for child in header if isinstance(child.tag, str)]
        result = header.findtext(f"{{{SERV}}}result")
        order = _SUCCESS_ORDER if result == "SUCCESS" else _FAILURE_ORDER if result == "FAILURE" else None
        if order is None:
            return f"serv:response {i}: serv:result is {result!r}, not SUCCESS or FAILURE"
        if tuple(n for n in names if n in order) != order:
            return f"serv:response {i} ({result}): header elements {names}, documented order {list(order)}"
    return None


def exception_id(facts: WireFacts, api_name: str, response: XmlResponse) -> Verdict:
    failures = [r for r in response.results if r.get("result") == "FAILURE"] if is_envelope(response) else []
    if not failures:
        return NOT_APPLICABLE
    for header in failures:
        found = header.get("exceptionID")
        if found is None or not _EXCEPTION_ID.fullmatch(found):
            return f"exceptionID {found!r} is not six digits"
        if not known_exception(found):
            return f"exceptionID {found} is not in the exception table (webex/errors.py)"
    return None


def failure_empty_body(facts: WireFacts, api_name: str, response: XmlResponse) -> Verdict:
    if not is_envelope(response) or not any(r.get("result") == "FAILURE" for r in response.results):
        return NOT_APPLICABLE
    for header, body in zip(response.results, response.bodies, strict=False):
        if header.get("result") != "FAILURE":
            continue
        children = [_local(c.tag) for c in body if isinstance(c.tag, str)]
        if children or (body.text or "").strip():
            shown = etree.tostring(body, encoding="unicode")[:160]
            return f"a FAILURE with a non-empty bodyContent: {shown}"
    return None


def response_elements(facts: WireFacts, api_name: str, response: XmlResponse) -> Verdict:
    """Only the order: which elements an answer holds depends on the request and the caller (a session
    password for its host only, say), which the catalogue contract proves with its own requests."""
    if not response.ok or len(response.results) != 1 or response.http_status != 200:
        return NOT_APPLICABLE  # one SUCCESS bodyContent: what the catalogue's elements describe
    paths = facts.response_elements(api_name)
    if len(paths) < 2:
        return NOT_APPLICABLE
    problem = order_problem(api_name, response, paths)
    return None if problem is None else str(problem)


#: the judge of every XML check, by name
XML_JUDGES: dict[str, XmlJudge] = {
    "xml-status-code": status_code,
    "xml-content-type": content_type,
    "xml-envelope-shape": envelope_shape,
    "xml-exception-id": exception_id,
    "xml-failure-empty-body": failure_empty_body,
    "xml-response-elements": response_elements,
}

__all__ = ["NOT_APPLICABLE", "XML_JUDGES", "NotApplicable", "Verdict", "is_envelope"]
