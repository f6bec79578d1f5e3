"""The emulator's XML wire layer: liberal in what it accepts, exact in what it sends.

Requests (what real clients send and the emulator must accept): bytes are parsed with
lxml in recover mode (undeclared ``serv:`` prefixes, unprefixed roots), honouring the declared
encoding, never resolving entities, loading DTDs or touching the network; a document carrying a
DTD is refused outright. Everything is addressed by *local name, case-insensitively*, which
absorbs the spelling variants real clients send (``meetingKey``/``meetingkey``,
``webExID``/``webExId``, ``timeZoneID``/``timezoneID``, ``siteID``/``siteId``).

Speed (issue 6, docs/performance.md): a request is parsed strictly first, with a parser reused
per thread; only a document that fails that — a namespace slip, or a well-formedness error — is
parsed again in recover mode, where the rules above decide. The lxml tree becomes a :class:`Node`
tree once (local names cached, lower-cased names kept for the case-insensitive lookups).

Responses ("responses the emulator must send exactly") are rendered straight to text — no tree
per request — from :data:`Element` tuples ``(qualified_tag, value)``; every documented prefix is
declared on the root, ``xmlns:xsi`` on ``serv:bodyContent``, the header in the documented order.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from lxml import etree

from webex_harness.webex.errors import WebexError, invalid_request
from webex_harness.webex.namespaces import NAMESPACES, XSI

#: Largest request body the emulator reads (bytes). Bigger bodies get a FAILURE, not a parse.
MAX_BODY_BYTES = 4 * 1024 * 1024
#: Deepest element nesting accepted in a request.
MAX_DEPTH = 64
#: Most elements, and most attributes, accepted in one request (counted in C before any Python
#: object is built: a 4 MB body of ``<x/>`` would otherwise take many seconds to walk), and most
#: attributes on one element (lxml reads one element's attribute values in quadratic time).
#: Requests carry few attributes (``xsi:type``; namespace declarations are not attributes).
MAX_ELEMENTS = 50_000
MAX_ATTRIBUTES = 10_000
MAX_ELEMENT_ATTRIBUTES = 64
#: Longest ``xsi:type`` accepted (the longest real one is about 60 characters).
MAX_TYPE_CHARS = 256

_PARSER_OPTIONS: dict[str, Any] = {
    "recover": True,
    "resolve_entities": False,
    "no_network": True,
    "load_dtd": False,
    "dtd_validation": False,
    "huge_tree": False,
    "remove_comments": True,
    "remove_pis": True,
    "collect_ids": False,
}


def local_name(tag: object) -> str:
    """``{uri}name``, ``prefix:name`` or ``name`` -> ``name``."""
    if not isinstance(tag, str):
        return ""
    if tag[:1] == "{":
        tag = tag[tag.index("}") + 1 :]
    colon = tag.rfind(":")
    return tag[colon + 1 :] if colon >= 0 else tag


#: Parsed ``find`` paths (the services use a few hundred literal paths; bounded all the same).
_STEPS: dict[str, tuple[tuple[str, ...], ...]] = {}
_STEPS_MAX = 4096


def _steps(path: str) -> tuple[tuple[str, ...], ...]:
    """``"a|b/c"`` -> ``(("a", "b"), ("c",))``, lower-cased, cached per path string."""
    steps = _STEPS.get(path)
    if steps is None:
        steps = tuple(tuple(alt.lower() for alt in step.split("|")) for step in path.split("/"))
        if len(_STEPS) < _STEPS_MAX:
            _STEPS[path] = steps
    return steps


@dataclass(slots=True, init=False)
class Node:
    """A request element by local name: ``name``, stripped ``text``, ``children``, ``attrs``."""

    name: str
    text: str
    children: list[Node]
    attrs: dict[str, str]
    #: ``name.lower()``, computed once: every lookup below compares lower-cased names.
    key: str = field(repr=False, compare=False)

    def __init__(
        self, name: str, text: str = "", children: list[Node] | None = None, attrs: dict[str, str] | None = None
    ) -> None:
        # Written out (not the dataclass __init__ plus __post_init__): a request builds one per element.
        self.name = name
        self.text = text
        self.children = [] if children is None else children
        self.attrs = {} if attrs is None else attrs
        self.key = name.lower()

    def child(self, name: str) -> Node | None:
        """The first child called ``name`` (case-insensitive), or None."""
        low = name.lower()
        for c in self.children:
            if c.key == low:
                return c
        return None

    def all(self, name: str) -> list[Node]:
        low = name.lower()
        return [c for c in self.children if c.key == low]

    def find(self, path: str) -> Node | None:
        """``a/b/c`` by local names, case-insensitive; alternatives with ``|`` per step."""
        node: Node | None = self
        for alternatives in _steps(path):
            if node is None:
                return None
            nxt = None
            for low in alternatives:
                for c in node.children:
                    if c.key == low:
                        nxt = c
                        break
                if nxt is not None:
                    break
            node = nxt
        return node

    def findall(self, path: str) -> list[Node]:
        head, _, last = path.rpartition("/")
        parent = self.find(head) if head else self
        return parent.all(last) if parent is not None else []

    def get(self, path: str, default: str | None = None) -> str | None:
        """Text at ``path`` or ``default`` when the element is absent."""
        node = self.find(path)
        return default if node is None else node.text

    def has(self, path: str) -> bool:
        return self.find(path) is not None

    def iter(self) -> Iterator[Node]:
        yield self
        for c in self.children:
            yield from c.iter()

    def to_tree(self) -> Any:
        """Text, or a dict of children (repeated names become lists), for storing what was sent."""
        if not self.children:
            return self.text
        out: dict[str, Any] = {}
        for c in self.children:
            value = c.to_tree()
            if c.name in out:
                prev = out[c.name]
                if isinstance(prev, list):
                    prev.append(value)
                else:
                    out[c.name] = [prev, value]
            else:
                out[c.name] = value
        return out


#: Local names of the tags and attribute names seen (``{uri}name`` -> ``name``): a request repeats
#: the same few dozen, so each is split once. Bounded, so hostile names cannot grow it without end.
_LOCAL_NAMES: dict[str, str] = {}
_LOCAL_NAMES_MAX = 4096


def _local(tag: str) -> str:
    name = _LOCAL_NAMES.get(tag)
    if name is None:
        name = local_name(tag)
        if len(_LOCAL_NAMES) < _LOCAL_NAMES_MAX:
            _LOCAL_NAMES[tag] = name
        _parsers.new_names = getattr(_parsers, "new_names", 0) + 1  # a name lxml may just have interned
    return name


def _to_node(el: etree._Element, depth: int) -> Node:
    """The :class:`Node` tree of ``el``; the per-element caps are checked before anything is read."""
    if depth > MAX_DEPTH:
        raise invalid_request(f"elements nested deeper than {MAX_DEPTH} levels")
    attrib = el.attrib
    if attrib:
        if len(attrib) > MAX_ELEMENT_ATTRIBUTES:
            raise invalid_request(f"more than {MAX_ELEMENT_ATTRIBUTES} attributes on one element")
        # lxml gives str names and values in Python 3 (its stubs allow bytes too)
        attrs = {_local(k): v for k, v in cast("list[tuple[str, str]]", attrib.items())}
    else:
        attrs = {}
    if len(el):
        children = []  # a loop, not a comprehension: no extra frame per element with children
        for c in el:
            if c.tag.__class__ is str:
                children.append(_to_node(c, depth + 1))
        if children:
            return Node(_local(el.tag), "", children, attrs)
    text = el.text
    return Node(_local(el.tag), text.strip() if text else "", [], attrs)


@dataclass(slots=True)
class BodyContent:
    service: str
    api: str
    node: Node


@dataclass(slots=True)
class ParsedRequest:
    security: Node
    bodies: list[BodyContent]


def _split_type(xsi_type: str) -> tuple[str, str]:
    """``java:com.webex.service.binding.ep.GetSessionInfo`` or ``site.LstTimeZone`` -> (service, api)."""
    if len(xsi_type) > MAX_TYPE_CHARS:  # the reason of a 999998 echoes the name: keep it short
        raise invalid_request(f"bodyContent xsi:type longer than {MAX_TYPE_CHARS} characters")
    value = "".join(xsi_type.split())
    if value.startswith("java:"):
        value = value[5:]
    parts = [p for p in value.split(".") if p]
    if not parts:
        raise invalid_request("bodyContent has an empty xsi:type")
    api = parts[-1]
    service = parts[-2] if len(parts) >= 2 else ""
    return service, api


def _clip(text: str, limit: int = 200) -> str:
    """Hostile input can end up in a parser message: keep reasons short."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + "…"


def _refuse_fatal_errors(parser: etree.XMLParser) -> None:
    """Recover mode is for namespace slips only (an undeclared ``serv:``/``xsi:`` prefix, docs/wire.md
    R4, libxml2 level ERROR). A well-formedness error (level FATAL: truncation, mismatched tags, a
    bare ``&``, ``]]>`` in text, bytes invalid in the declared encoding, NUL) is a FAILURE rather
    than whatever half-document libxml2 salvages."""
    for err in parser.error_log:
        if err.level >= etree.ErrorLevels.FATAL:
            raise invalid_request(f"malformed XML: {_clip(err.message)} (line {err.line})")


_STRICT_OPTIONS: dict[str, Any] = {**_PARSER_OPTIONS, "recover": False}
#: This thread's strict parser (``strict``) and what its parses added to lxml's name dictionary
#: (``new_names``: names the :data:`_LOCAL_NAMES` cache had not seen; ``parses``).
_parsers = threading.local()

# ---------------------------------------------------------------- lxml's name dictionary
#
# lxml interns every element, attribute, prefix and namespace name it parses in one libxml2 string
# dictionary per thread, kept in the thread state under "_ParserDictionaryContext" for the life of
# the thread: a stream of requests with ever new element names grows it without end (+280 MB for
# 60,000 requests with unique names). Every so often the thread gets a fresh dictionary instead —
# the entry is dropped, so lxml makes a new one on the next parse — and the old one is freed with
# the last document parsed into it (libxml2 dictionaries are reference-counted; a request's
# document dies with the request, the :class:`Node` tree holds Python strings only).

#: Renew the thread's dictionary after this many names unseen by :data:`_LOCAL_NAMES` ...
RENEW_AFTER_NEW_NAMES = 4096
#: ... or after this many bytes parsed, whatever they held (a dictionary cannot outgrow the input
#: it was filled from: this bounds prefixes, namespace URIs and the names of refused documents too).
RENEW_AFTER_BYTES = 16 * 1024 * 1024
_LXML_CONTEXT_KEY = "_ParserDictionaryContext"
_PyThreadState_GetDict = ctypes.pythonapi.PyThreadState_GetDict
# a borrowed reference: not ``py_object``, which ctypes would treat as a new one and release
_PyThreadState_GetDict.restype = ctypes.c_void_p
_PyThreadState_GetDict.argtypes = []


def _thread_state_dict() -> dict[str, Any]:
    """The thread state's own dictionary (``PyThreadState_GetDict``), where lxml keeps its context."""
    found: dict[str, Any] = ctypes.cast(_PyThreadState_GetDict(), ctypes.py_object).value
    return found


def name_dictionary_context() -> object | None:
    """lxml's dictionary holder of this thread (a new object after :func:`renew_name_dictionary`)."""
    return _thread_state_dict().get(_LXML_CONTEXT_KEY)


def renew_name_dictionary() -> None:
    """Give this thread a fresh lxml name dictionary (and a fresh strict parser, which holds the old)."""
    _thread_state_dict().pop(_LXML_CONTEXT_KEY, None)
    _parsers.strict = None
    _parsers.new_names = 0
    _parsers.parsed_bytes = 0


def _count_parse(size: int) -> None:
    """After each parse: renew the dictionary when this thread's parses may have grown it enough."""
    parsed = getattr(_parsers, "parsed_bytes", 0) + size
    _parsers.parsed_bytes = parsed
    if parsed >= RENEW_AFTER_BYTES or getattr(_parsers, "new_names", 0) >= RENEW_AFTER_NEW_NAMES:
        renew_name_dictionary()


def _strict_parser() -> etree.XMLParser:
    """This thread's strict parser (lxml parsers must not be shared between threads)."""
    parser: etree.XMLParser | None = getattr(_parsers, "strict", None)
    if parser is None:
        parser = _parsers.strict = etree.XMLParser(**_STRICT_OPTIONS)
    return parser


def _has_doctype(root: etree._Element) -> bool:
    """Whether the document of ``root`` declares a DTD (entities come only with one)."""
    docinfo: Any = root.getroottree().docinfo  # lxml-stubs' DocInfo lacks ``doctype``
    return bool(docinfo.doctype)


def _count(root: etree._Element, expression: str) -> float:
    """An XPath ``count(...)`` over the document of ``root`` (lxml answers a float)."""
    return cast(float, root.xpath(expression))


def _parse_root(data: bytes) -> etree._Element:
    """The root element of ``data``: a strict parse first (the common, well-formed case, with a
    reused parser), then — only when that fails — the recover-mode parse with its own error log,
    which accepts namespace slips and refuses well-formedness errors (:func:`_refuse_fatal_errors`).
    A document the strict parser accepts is one recover mode parses to the same tree."""
    try:
        root = etree.fromstring(data, _strict_parser())
    except (etree.XMLSyntaxError, ValueError):
        root = None
    if root is not None:  # well-formed and namespace-clean: no error of any level to look for
        if _has_doctype(root):
            raise invalid_request("DTDs and entity declarations are not allowed")
        return root
    parser = etree.XMLParser(**_PARSER_OPTIONS)  # ~1 µs; its error log is this request's alone
    try:
        root = etree.fromstring(data, parser)
    except (etree.XMLSyntaxError, ValueError) as exc:
        raise invalid_request(f"malformed XML: {_clip(str(exc))}") from None
    if root is None:
        raise invalid_request("malformed XML: no root element")
    if _has_doctype(root):
        raise invalid_request("DTDs and entity declarations are not allowed")
    _refuse_fatal_errors(parser)
    return root


def parse_request(raw: bytes) -> ParsedRequest:
    """Parse a request body. Raises :class:`WebexError` (a FAILURE answer) for bad input."""
    if len(raw) > MAX_BODY_BYTES:
        raise invalid_request(f"request body larger than {MAX_BODY_BYTES} bytes")
    data = raw.lstrip()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:].lstrip()
    if not data:
        raise invalid_request("empty request body")
    head = data[:4096]
    if b"!" in head:  # ``<!DOCTYPE``/``<!ENTITY`` in any case; most requests carry no ``!`` at all
        head = head.upper()
        if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
            raise invalid_request("DTDs and entity declarations are not allowed")
    try:
        return _parse_message(data)
    finally:  # the document is gone by now (or with the exception), so a renewed dictionary is freed
        _count_parse(len(data))


def _parse_message(data: bytes) -> ParsedRequest:
    """The :class:`ParsedRequest` of a body that passed the cheap checks of :func:`parse_request`."""
    root = _parse_root(data)
    if local_name(root.tag) != "message":
        raise invalid_request(f"root element must be message, got {_clip(local_name(root.tag))!r}")
    if len(data) > 32 * 1024:  # below that, even ``<x/>`` or `` a=""`` repeated stays under both counts
        if _count(root, "count(//*)") > MAX_ELEMENTS:
            raise invalid_request(f"more than {MAX_ELEMENTS} elements in the request")
        if _count(root, "count(//@*)") > MAX_ATTRIBUTES:
            raise invalid_request(f"more than {MAX_ATTRIBUTES} attributes in the request")
    try:
        tree = _to_node(root, 0)
    except UnicodeDecodeError:  # defence in depth: text libxml2 recovered but Python cannot decode
        raise invalid_request("malformed XML: text is not valid in the declared encoding") from None
    security = tree.find("header/securityContext") or Node("securityContext")
    body = tree.child("body")
    bodies: list[BodyContent] = []
    if body is not None:
        for content in body.all("bodyContent"):
            xsi_type = content.attrs.get("type")
            if not xsi_type:
                raise invalid_request("bodyContent without xsi:type")
            service, api = _split_type(xsi_type)
            bodies.append(BodyContent(service, api, content))
    if not bodies:
        raise invalid_request("no bodyContent in the request")
    return ParsedRequest(security, bodies)


# ---------------------------------------------------------------- responses

#: A response element: ``(qualified tag, value)``; value is text, bool, int, a list of
#: elements (nested), or None (element omitted).
Element = tuple[str, Any]
Elements = Sequence[Element]

_ROOT_OPEN = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<serv:message'
    + "".join(f' xmlns:{p}="{uri}"' for p, uri in NAMESPACES.items())
    + ">"
)
_SUCCESS_HEADER = (
    "<serv:response><serv:result>SUCCESS</serv:result><serv:gsbStatus>PRIMARY</serv:gsbStatus></serv:response>"
)


def _escape(text: str) -> str:
    """``xml.sax.saxutils.escape`` without its three unconditional ``replace`` calls: most values
    (keys, dates, numbers, names) contain none of ``&<>``. A carriage return goes out as ``&#13;``:
    sent raw, the client's parser would turn it into a line feed (XML end-of-line handling), and a
    value stored with one would not come back as it was sent."""
    if "&" in text:
        text = text.replace("&", "&amp;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if "\r" in text:
        text = text.replace("\r", "&#13;")
    return text


def _render(out: list[str], elements: Elements) -> None:
    append = out.append
    for tag, value in elements:
        if value is None:
            continue
        cls = value.__class__  # exact types first (the common case); subclasses take the general path
        if cls is str:
            if "&" in value or "<" in value or ">" in value or "\r" in value:  # rare: no call otherwise
                value = _escape(value)
            append(f"<{tag}>{value}</{tag}>")
        elif cls is bool:
            append(f"<{tag}>true</{tag}>" if value else f"<{tag}>false</{tag}>")
        elif cls is int:
            append(f"<{tag}>{value}</{tag}>")
        elif isinstance(value, bool):
            append(f"<{tag}>{'true' if value else 'false'}</{tag}>")
        elif isinstance(value, (str, int, float)):
            append(f"<{tag}>{_escape(str(value))}</{tag}>")
        else:
            append(f"<{tag}>")
            _render(out, value)
            append(f"</{tag}>")


def render_elements(elements: Elements) -> str:
    out: list[str] = []
    _render(out, elements)
    return "".join(out)


@dataclass(slots=True)
class Answer:
    """One bodyContent's answer: SUCCESS with ``elements`` under ``xsi_type``, or an error."""

    xsi_type: str = ""
    elements: Elements = ()
    error: WebexError | None = None


def _failure_header(err: WebexError) -> str:
    value = f"<serv:value>{_escape(err.value)}</serv:value>" if err.value is not None else ""
    return (
        f"<serv:response><serv:result>FAILURE</serv:result><serv:reason>{_escape(err.reason)}"
        f"</serv:reason><serv:gsbStatus>PRIMARY</serv:gsbStatus>"
        f"<serv:exceptionID>{_escape(err.exception_id)}</serv:exceptionID>{value}</serv:response>"
    )


def render_message(answers: Sequence[Answer]) -> bytes:
    """The whole response envelope, one ``serv:response`` and one ``serv:bodyContent`` per answer."""
    out = [_ROOT_OPEN, "<serv:header>"]
    for a in answers:
        out.append(_failure_header(a.error) if a.error is not None else _SUCCESS_HEADER)
    out.append("</serv:header><serv:body>")
    for a in answers:
        if a.error is not None:
            out.append("<serv:bodyContent/>")
        else:
            out.append(f'<serv:bodyContent xsi:type="{a.xsi_type}" xmlns:xsi="{XSI}">')
            _render(out, a.elements)
            out.append("</serv:bodyContent>")
    out.append("</serv:body></serv:message>")
    return "".join(out).encode("utf-8")


def render_failure(err: WebexError) -> bytes:
    return render_message([Answer(error=err)])
