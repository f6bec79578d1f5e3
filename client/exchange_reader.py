"""Each XML exchange read once: the request envelope and the answer, parsed on first use and kept with it.

Three readers look at one exchange on a shared ``httpx`` client: the usage-limit guard's hooks
(:mod:`client.usage_guard`), the ledger's hooks (:mod:`client.ledger_hooks`) and the XML client
(:mod:`client.xml_client`). Each asks here; the first to ask parses — with the one reader of
:mod:`webex.envelope` — and the result is kept in the request's or response's ``extensions``, so the
others get the same object and nothing is parsed twice.

Stands on :mod:`webex.envelope` and httpx.
"""

from __future__ import annotations

import httpx

from webex_harness.webex.envelope import RequestEnvelope, XmlResponse, parse_response, read_request

#: the ``extensions`` keys the parsed request and answer are kept under
_REQUEST_KEY = "webex_harness.request_envelope"
_ANSWER_KEY = "webex_harness.answer"


def is_xml_request(request: httpx.Request) -> bool:
    """A POST to ``…/WBXService/XMLService`` (any case): an XML API request."""
    return request.method == "POST" and request.url.path.lower().rstrip("/").endswith("/wbxservice/xmlservice")


def request_envelope(request: httpx.Request, content: bytes | None = None) -> RequestEnvelope | None:
    """The request's envelope as :func:`webex.envelope.read_request` reads it (None: not XML), parsed
    once per request. ``content``: the request's bytes when the caller already has them."""
    if _REQUEST_KEY not in request.extensions:
        request.extensions[_REQUEST_KEY] = read_request(request.content if content is None else content)
    found = request.extensions[_REQUEST_KEY]
    return found if isinstance(found, RequestEnvelope) else None


def answer(response: httpx.Response) -> XmlResponse:
    """The response parsed by :func:`webex.envelope.parse_response` (its body read first), once per
    response: ``elapsed`` is 0 until the client that sent it sets it."""
    found = response.extensions.get(_ANSWER_KEY)
    if isinstance(found, XmlResponse):
        return found
    response.read()
    parsed = parse_response(response.content, response.status_code, 0.0, response.headers.get("content-type"))
    response.extensions[_ANSWER_KEY] = parsed
    return parsed


__all__ = ["answer", "is_xml_request", "request_envelope"]
