"""Build Webex XML API request envelopes and parse response envelopes (lxml).

Requests are described as a *body tree*: a mapping of element names to values, where a value is
text (``str``/``int``/``bool``), a nested mapping, or a list (the element repeated). Names may
carry a documented prefix (``com:email``, ``serv:startFrom``); unprefixed names stay unprefixed,
as in the documentation's samples::

    build_request("ep", "GetSessionInfo", {"sessionKey": "805325231"}, Security("acme", "host", "pw"))

Responses parse into an :class:`XmlResponse` that never hides a FAILURE: ``result`` is
``SUCCESS``, ``FAILURE`` or ``INVALID`` (the answer was not a Webex envelope at all — an HTML
error page, an empty body, a 5xx — with ``problem`` saying what it was).

A request as a client sends it reads with :func:`read_request` (site, caller, credentials and each
bodyContent's API — what the clean-up ledger and the usage-limit guard watch on the wire);
:func:`answer_secrets` says which secrets an answer hands out (what the run's
:class:`~webex.masking.SecretSet` learns); :func:`first_text` and :func:`all_texts` find elements by
local name in any case and namespace. Which elements hold secrets is :mod:`webex.masking`'s fact.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Union

from lxml import etree

from webex_harness.webex.masking import CREDENTIAL_ELEMENTS, OBJECT_SECRET_ELEMENTS
from webex_harness.webex.namespaces import NAMESPACES, SERV, XPATH_NS, XSI, body_content_type

BodyValue = Union[str, int, bool, None, "BodyTree", Sequence["BodyValue"]]
BodyTree = Mapping[str, Any]

_REQUEST_NSMAP = {"xsi": XSI, "serv": SERV, "com": NAMESPACES["com"]}


@dataclass(slots=True, frozen=True)
class Security:
    """The ``header/securityContext`` of a request. Empty fields are not sent.

    ``site_name`` alone makes an anonymous request; ``session_ticket`` or ``access_token`` may
    replace the password (the securityContext forms real clients send).
    """

    site_name: str | None = None
    webex_id: str | None = None
    password: str | None = None
    session_ticket: str | None = None
    access_token: str | None = None
    site_id: str | None = None
    partner_id: str | None = None
    email: str | None = None

    def elements(self) -> list[tuple[str, str]]:
        pairs = [
            ("siteName", self.site_name),
            ("webExID", self.webex_id),
            ("password", self.password),
            ("sessionTicket", self.session_ticket),
            ("webExAccessToken", self.access_token),
            ("siteID", self.site_id),
            ("partnerID", self.partner_id),
            ("email", self.email),
        ]
        return [(k, v) for k, v in pairs if v]

    def secrets(self) -> list[str]:
        """The values that must never appear in a report (passwords, tickets, tokens)."""
        return [v for v in (self.password, self.session_ticket, self.access_token) if v]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _tag(name: str) -> str:
    if ":" in name:
        prefix, local = name.split(":", 1)
        return f"{{{NAMESPACES[prefix]}}}{local}"
    return name


def _append(parent: etree._Element, name: str, value: Any) -> None:
    if value is None:
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _append(parent, name, item)
        return
    child = etree.SubElement(parent, _tag(name))
    if isinstance(value, Mapping):
        for key, sub in value.items():
            _append(child, key, sub)
    else:
        child.text = _text(value)


def build_request_tree(bodies: Sequence[tuple[str, str, BodyTree]], security: Security) -> etree._Element:
    """The request root for one or more ``(service, api, body)`` bodyContents."""
    root = etree.Element(f"{{{SERV}}}message", nsmap=_REQUEST_NSMAP)
    header = etree.SubElement(root, "header")
    ctx = etree.SubElement(header, "securityContext")
    for key, value in security.elements():
        etree.SubElement(ctx, key).text = value
    body = etree.SubElement(root, "body")
    for service, api, tree in bodies:
        content = etree.SubElement(body, "bodyContent")
        content.set(f"{{{XSI}}}type", body_content_type(service, api))
        for key, value in tree.items():
            _append(content, key, value)
    return root


def build_request(service: str, api: str, body: BodyTree, security: Security) -> bytes:
    """A complete request envelope (UTF-8 bytes with an XML declaration)."""
    return serialize(build_request_tree([(service, api, body)], security))


def build_multi_request(bodies: Sequence[tuple[str, str, BodyTree]], security: Security) -> bytes:
    """One envelope carrying several bodyContents (see behaviour ``body-content-limit``)."""
    return serialize(build_request_tree(bodies, security))


def serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


_SAFE_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, remove_comments=True
)


@dataclass(slots=True)
class XmlResponse:
    """A parsed answer of ``/WBXService/XMLService``.

    ``result`` is the first ``serv:result`` (``SUCCESS``/``FAILURE``) or ``INVALID`` when the
    answer is not a Webex envelope; ``problem`` then says why. ``bodies`` holds every
    ``serv:bodyContent`` in order and ``results`` every ``serv:response`` header, for requests
    that carry several bodyContents.
    """

    http_status: int
    raw: bytes
    elapsed: float = 0.0
    result: str = "INVALID"
    exception_id: str | None = None
    reason: str | None = None
    value: str | None = None
    body: etree._Element | None = None
    bodies: list[etree._Element] = field(default_factory=list)
    results: list[dict[str, str | None]] = field(default_factory=list)
    root: etree._Element | None = None
    problem: str | None = None
    content_type: str | None = None

    @property
    def ok(self) -> bool:
        return self.result == "SUCCESS"

    def describe(self) -> str:
        """One line for an assertion message."""
        if self.result == "SUCCESS":
            return f"SUCCESS (HTTP {self.http_status})"
        if self.result == "FAILURE":
            value = f", value={self.value!r}" if self.value is not None else ""
            return f"FAILURE {self.exception_id} {self.reason!r}{value} (HTTP {self.http_status})"
        return f"not a Webex answer (HTTP {self.http_status}): {self.problem}"

    def expect_success(self) -> XmlResponse:
        """Return self, or fail the test with the exceptionID and reason."""
        if not self.ok:
            raise AssertionError(f"expected SUCCESS, got {self.describe()}")
        return self

    def xpath(self, expr: str, node: etree._Element | None = None) -> list[Any]:
        """XPath over the body (or ``node``) with the documented prefixes."""
        base = node if node is not None else self.body
        if base is None:
            return []
        result = base.xpath(expr, namespaces=XPATH_NS)
        return result if isinstance(result, list) else [result]

    def text(self, expr: str, default: str | None = None) -> str | None:
        """Text of the first element matching ``expr`` (relative to the body), else ``default``."""
        found = self.xpath(expr)
        if not found:
            return default
        first = found[0]
        if isinstance(first, str):
            return str(first)
        return first.text if first.text is not None else ""

    def texts(self, expr: str) -> list[str]:
        return [el.text or "" for el in self.xpath(expr)]

    def has(self, expr: str) -> bool:
        return bool(self.xpath(expr))


def _first_text(parent: etree._Element, local: str) -> str | None:
    el = parent.find(f"{{{SERV}}}{local}")
    return None if el is None else (el.text or "")


def parse_response(
    raw: bytes, http_status: int = 200, elapsed: float = 0.0, content_type: str | None = None
) -> XmlResponse:
    """Parse a response body. Never raises: odd answers become ``INVALID`` with a ``problem``."""
    resp = XmlResponse(http_status=http_status, raw=raw, elapsed=elapsed, content_type=content_type)
    if not raw.strip():
        resp.problem = "empty body"
        return resp
    try:
        root = etree.fromstring(raw, _SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        snippet = raw[:80].decode("utf-8", "replace").replace("\n", " ")
        resp.problem = f"not XML ({exc.msg}): {snippet!r}"
        return resp
    resp.root = root
    if root.tag != f"{{{SERV}}}message":
        resp.problem = f"unexpected root element {root.tag!r}"
        return resp
    for response in root.iterfind(f"{{{SERV}}}header/{{{SERV}}}response"):
        resp.results.append(
            {
                "result": _first_text(response, "result"),
                "reason": _first_text(response, "reason"),
                "exceptionID": _first_text(response, "exceptionID"),
                "value": _first_text(response, "value"),
            }
        )
    resp.bodies = list(root.iterfind(f"{{{SERV}}}body/{{{SERV}}}bodyContent"))
    if not resp.results:
        resp.problem = "no serv:header/serv:response"
        return resp
    first = resp.results[0]
    resp.result = first["result"] or "INVALID"
    resp.reason = first["reason"]
    resp.exception_id = first["exceptionID"]
    resp.value = first["value"]
    resp.body = resp.bodies[0] if resp.bodies else None
    if resp.result not in ("SUCCESS", "FAILURE"):
        resp.problem = f"unexpected serv:result {first['result']!r}"
        resp.result = "INVALID"
    elif http_status != 200 and resp.problem is None:
        resp.problem = f"HTTP {http_status}"
    return resp


# ---------------------------------------------------------------- reading requests (client side)

#: local names (lower case) of the elements that carry a credential (:data:`webex.masking.CREDENTIAL_ELEMENTS`)
_CREDENTIALS = frozenset(name.lower() for name in CREDENTIAL_ELEMENTS)
#: local names (lower case) of every element whose text is a secret: a credential, or a created object's
#: password or guest token (:data:`webex.masking.OBJECT_SECRET_ELEMENTS`)
SECRET_ELEMENTS = _CREDENTIALS | frozenset(name.lower() for name in OBJECT_SECRET_ELEMENTS)
#: the start tag of a secret element, in any case and namespace
_SECRET_TAG = re.compile(rb"(?i)<(?:[\w.-]+:)?(?:" + "|".join(sorted(SECRET_ELEMENTS)).encode() + rb")\b")

_READ_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)
#: for envelopes lxml refuses but a liberal server might still act on
_RECOVER_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True
)


def local_name(tag: Any) -> str:
    """The lower-case local name of an element's tag ("" for comments and processing instructions)."""
    return etree.QName(tag).localname.lower() if isinstance(tag, str) else ""


def first_text(node: etree._Element, *names: str) -> str | None:
    """Stripped text of the first descendant (or ``node``) with one of these lower-case local names, tried
    in ``names`` order; None when none has text."""
    for name in names:
        for el in node.iter():
            if local_name(el.tag) == name and el.text and el.text.strip():
                return str(el.text).strip()
    return None


def all_texts(node: etree._Element, names: Iterable[str]) -> list[str]:
    """Stripped texts of every descendant (or ``node``) with one of these lower-case local names, in order."""
    wanted = set(names)
    return [el.text.strip() for el in node.iter() if local_name(el.tag) in wanted and el.text and el.text.strip()]


@dataclass(slots=True)
class RequestBody:
    """One ``bodyContent`` of a request: its position, its API (the last part of ``xsi:type``), its element."""

    index: int
    api: str
    node: etree._Element


@dataclass(slots=True)
class RequestEnvelope:
    """What a request envelope says about its caller and what it asks: read liberally, any case."""

    site: str
    owner: str | None
    password: str | None
    bodies: list[RequestBody]
    #: the secrets it carries: the securityContext's credentials, then those of its bodyContents (a new
    #: user's password, a session's password)
    secrets: list[str]


def read_request(raw: bytes) -> RequestEnvelope | None:
    """Site (``siteName``, else ``siteID:<id>``, else ``?``), caller (``webExID``), password, bodyContents
    and credentials of a request envelope as a client sends it; None when it is not XML even in recover
    mode. Local names in any case and any namespace: a hostile or misspelt envelope is still read."""
    try:
        root = etree.fromstring(raw, _READ_PARSER)
    except (etree.XMLSyntaxError, ValueError):
        try:
            root = etree.fromstring(raw, _RECOVER_PARSER)
        except (etree.XMLSyntaxError, ValueError):
            return None
        if root is None:
            return None
    ctx = next((el for el in root.iter() if local_name(el.tag) == "securitycontext"), None)
    site = owner = password = None
    secrets: list[str] = []
    if ctx is not None:
        site = first_text(ctx, "sitename") or (f"siteID:{sid}" if (sid := first_text(ctx, "siteid")) else None)
        owner = first_text(ctx, "webexid")
        password = first_text(ctx, "password")
        secrets += all_texts(ctx, _CREDENTIALS)
    bodies = []
    for i, el in enumerate(e for e in root.iter() if local_name(e.tag) == "bodycontent"):
        xsi_type = el.get(f"{{{XSI}}}type") or ""
        bodies.append(RequestBody(i, xsi_type.rsplit(".", 1)[-1].strip(), el))
        secrets += all_texts(el, SECRET_ELEMENTS)  # CreateUser's password, CreateMeeting's meetingPassword …
    return RequestEnvelope(site or "?", owner, password, bodies, secrets)


def answer_secrets(answer: XmlResponse) -> list[str]:
    """The secrets an answer hands out, in order: tickets and tokens (AuthenticateUser …), created sessions'
    passwords and guest tokens — the text of every secret element. A quick look at the bytes first: most
    answers name none."""
    if answer.root is None or not _SECRET_TAG.search(answer.raw):
        return []
    return all_texts(answer.root, SECRET_ELEMENTS)
