"""Hostile and broken input (issue 7): the emulator answers every request harmlessly.

Every case gets a FAILURE envelope (HTTP 200, ``text/xml``) or a 4xx with a clear reason, without
hanging (:data:`MAX_SECONDS`), in bounded memory, never a 5xx; nothing is fetched from disk or network while
parsing; and the emulator keeps serving (a health check after each case, a valid CreateMeeting at
the end). Two layers:

1. in-process: :meth:`EmulatorApp.handle_xml` under ``tracemalloc`` and the ASGI app through
   ``httpx.ASGITransport`` (fast; the ``internal emulator error`` 500 path must never be hit);
2. a real socket: one ``emulator.server.start_subprocess()`` per module on loopback, the corpus
   sent with httpx and HTTP-level abuse (lying Content-Length, chunked bodies, slow or half-sent
   requests, absurd headers) sent over raw sockets, checking ``/_emulator/health`` after each.

The corpus lives in ``tests/hostile/`` (one file per case, ``@@MARKER_URI@@`` and
``@@LISTENER@@`` filled in at run time); cases that would be giant files are generated here.
A bounded, deterministic ``hypothesis`` fuzz mutates valid envelopes from
:func:`generators.envelopes.valid_envelope` and builds random element trees. The harness's own
client against odd answers is ``tests/test_client.py``'s business, not this module's.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import secrets
import socket
import threading
import time
import tracemalloc
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import psutil
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lxml import etree

from webex_harness.emulator.app import EmulatorApp, create_app
from webex_harness.emulator.server import RunningEmulator, start_subprocess
from webex_harness.emulator.xmlio import MAX_ATTRIBUTES, MAX_BODY_BYTES, MAX_ELEMENT_ATTRIBUTES, MAX_ELEMENTS
from webex_harness.generators.catalogue import all_apis
from webex_harness.generators.envelopes import valid_envelope
from webex_harness.webex.envelope import XmlResponse, parse_response
from webex_harness.webex.settings import SiteSettings

CORPUS = Path(__file__).parent / "hostile"
XML_PATH = "/WBXService/XMLService"
XML_CTYPE = "text/xml;charset=UTF-8"
#: A case not answered within this (wall clock, including the health check's own request) hangs. A bound on a
#: hang, not a speed: answers take milliseconds, but a busy machine may stall a process for seconds, and an
#: exponential blow-up (entities, namespaces) or a connection the server never closes takes far longer.
MAX_SECONDS = 30.0
#: Python-heap peak of one in-process call (libxml2's own memory is covered by the RSS check).
MAX_TRACED_BYTES = 48 * 1024 * 1024
#: RSS the subprocess emulator may gain over the whole corpus (4 MB bodies parse to a few times that).
MAX_RSS_GROWTH = 200 * 1024 * 1024

SECURITY = (
    "<header><securityContext><siteName>harness</siteName><webExID>host</webExID>"
    "<password>emulator-pass</password></securityContext></header>"
)
ROOT_OPEN = (
    '<serv:message xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
    'xmlns:serv="http://www.webex.com/schemas/2002/06/service">'
)
DECL = '<?xml version="1.0" encoding="UTF-8"?>\n'


def _body(*contents: str) -> str:
    return f"{ROOT_OPEN}{SECURITY}<body>{''.join(contents)}</body></serv:message>"


def _create_meeting(conf_name: str = "Hostile survivor", extra: str = "") -> str:
    return (
        '<bodyContent xsi:type="java:com.webex.service.binding.meeting.CreateMeeting">'
        "<accessControl><meetingPassword>Hostile1x</meetingPassword></accessControl>"
        f"<metaData><confName>{conf_name}</confName><meetingType>3</meetingType></metaData>"
        "<schedule><startDate>12/21/2026 18:00:00</startDate><duration>30</duration>"
        f"<timeZoneID>4</timeZoneID></schedule>{extra}</bodyContent>"
    )


AUTHENTICATE = '<bodyContent xsi:type="java:com.webex.service.binding.user.AuthenticateUser"/>'
VALID_CREATE = (DECL + _body(_create_meeting())).encode()


# ------------------------------------------------------------------ generated (too big for files)


def _quadratic_blowup() -> bytes:
    entity = "B" * 40_000
    return (f'{DECL}<!DOCTYPE m [<!ENTITY b "{entity}">]>' + _body(_create_meeting("&b;" * 80))).encode()


def _doctype_after_padding() -> bytes:
    """The DTD beyond the first 4 KiB (past any cheap byte sniffing)."""
    return (
        f"{DECL}<!--{'p' * 9000}-->\n"
        '<!DOCTYPE m [<!ENTITY xxe SYSTEM "@@LISTENER@@/after-padding">]>' + _body(_create_meeting("&xxe;"))
    ).encode()


def _deep_nesting() -> bytes:
    depth = 200_000
    return (DECL + "<message>" + "<a>" * depth + "x" + "</a>" * depth + "</message>").encode()


def _deep_in_body() -> bytes:
    """Deeper than the emulator's own limit, shallower than libxml2's."""
    return (DECL + _body(_create_meeting(extra="<a>" * 150 + "x" + "</a>" * 150))).encode()


def _many_body_contents() -> bytes:
    return (DECL + _body(*[AUTHENTICATE] * 5_000)).encode()


def _many_elements() -> bytes:
    return (DECL + _body(_create_meeting(extra="<x/>" * 250_000))).encode()  # 1 MB, 5 x MAX_ELEMENTS


def _attribute_bomb() -> bytes:
    attrs = " ".join(f'a{i}="v"' for i in range(60_000))
    return (DECL + _body(_create_meeting(extra=f"<bomb {attrs}/>"))).encode()


def _attribute_bomb_on_one_element() -> bytes:
    attrs = " ".join(f'a{i}="v"' for i in range(5_000))
    return (DECL + _body(_create_meeting(extra=f"<bomb {attrs}/>"))).encode()


def _attribute_spread() -> bytes:
    """Many attributes, a few per element: the per-request count, not one element's."""
    return (DECL + _body(_create_meeting(extra='<s a="1" b="2" c="3"/>' * 4_000))).encode()  # 12 000 attributes


def _namespace_bomb() -> bytes:
    decls = " ".join(f'xmlns:p{i}="urn:bomb:{i}"' for i in range(120_000))
    return (DECL + f"<message {decls}>{SECURITY}<body>{AUTHENTICATE}</body></message>").encode()


def _namespace_spread() -> bytes:
    """Fresh namespace declarations on every one of thousands of elements."""
    inner = "".join(f'<n xmlns:q{i}="urn:spread:{i}" xmlns="urn:default:{i}"/>' for i in range(5_000))
    return (DECL + _body(_create_meeting(extra=inner))).encode()


def _huge_text() -> bytes:
    """A confName of nearly the whole body limit (bounded; see the module report on confName)."""
    shell = DECL + _body(_create_meeting("@@"))
    return shell.replace("@@", "H" * (MAX_BODY_BYTES - len(shell) - 16)).encode()


def _oversized_body() -> bytes:
    shell = DECL + _body(_create_meeting("@@"))
    return shell.replace("@@", "O" * (MAX_BODY_BYTES + 1)).encode()


def _long_name() -> bytes:
    return (DECL + _body(_create_meeting(extra=f"<{'n' * 3_000_000}/>"))).encode()


def _long_xsi_type() -> bytes:
    return (DECL + _body(f'<bodyContent xsi:type="java:com.webex.{"T" * 2_000_000}"/>')).encode()


def _huge_attribute_value() -> bytes:
    return (DECL + _body(_create_meeting(extra=f'<x v="{"v" * 3_000_000}"/>'))).encode()


def _binary_garbage() -> bytes:
    return bytes((i * 7919) % 256 for i in range(1 << 16))


GENERATED: dict[str, Callable[[], bytes]] = {
    "quadratic-blowup": _quadratic_blowup,
    "doctype-after-padding": _doctype_after_padding,
    "deep-nesting": _deep_nesting,
    "deep-nesting-in-body": _deep_in_body,
    "many-bodycontents": _many_body_contents,
    "many-elements": _many_elements,
    "attribute-bomb": _attribute_bomb,
    "attribute-bomb-on-one-element": _attribute_bomb_on_one_element,
    "attribute-spread": _attribute_spread,
    "namespace-bomb": _namespace_bomb,
    "namespace-spread": _namespace_spread,
    "huge-text": _huge_text,
    "oversized-body": _oversized_body,
    "long-element-name": _long_name,
    "long-xsi-type": _long_xsi_type,
    "huge-attribute-value": _huge_attribute_value,
    "binary-garbage-64k": _binary_garbage,
}


# ------------------------------------------------------------------ the corpus and its answers


@dataclass(frozen=True)
class Case:
    """One hostile body and the answer it must get.

    ``expect``: ``FAILURE`` (with ``reason`` in the reason, case-insensitive), ``SUCCESS`` (legal
    input that must simply work, e.g. UTF-16 or an inert XInclude), or ``ANY`` (either result;
    only the harmlessness properties are checked). ``http_status`` overrides the socket layer's
    expected status (413 for an oversized body).
    """

    name: str
    expect: str
    reason: str = ""
    content_type: str | None = "text/xml"
    http_status: int = 200

    def raw(self, env: HostileEnv) -> bytes:
        data = _generated(self.name) if self.name in GENERATED else (CORPUS / self.name).read_bytes()
        return env.fill(data)


DTD = "DTDs and entity declarations are not allowed"
MALFORMED = "malformed XML"

CASES: list[Case] = [
    # entity expansion, external entities and DTDs: refused before anything is resolved
    Case("billion-laughs.xml", "FAILURE", DTD),
    Case("quadratic-blowup", "FAILURE", DTD),
    Case("xxe-file.xml", "FAILURE", DTD),
    Case("xxe-lower-case.xml", "FAILURE", DTD),
    Case("xxe-network.xml", "FAILURE", DTD),
    Case("xxe-parameter-entity.xml", "FAILURE", DTD),
    Case("external-dtd.xml", "FAILURE", DTD),
    Case("doctype-after-padding", "FAILURE", DTD),
    Case("utf16-xxe.xml", "FAILURE", DTD),
    Case("html-page.html", "FAILURE", DTD, content_type="text/html"),
    # inert references: parsed as plain elements / dropped, never followed
    Case("xinclude.xml", "SUCCESS"),
    Case("processing-instruction.xml", "SUCCESS"),
    # well-formedness errors: a FAILURE, not whatever libxml2's recover mode salvages
    Case("truncated.xml", "FAILURE", MALFORMED),
    Case("mismatched-tags.xml", "FAILURE", MALFORMED),
    Case("trailing-garbage.xml", "FAILURE", MALFORMED),
    Case("duplicate-attribute.xml", "FAILURE", MALFORMED),
    Case("undeclared-entity.xml", "FAILURE", MALFORMED),
    Case("bare-ampersand.xml", "FAILURE", MALFORMED),
    Case("cdata-end-in-text.xml", "FAILURE", MALFORMED),
    Case("unclosed-cdata.xml", "FAILURE", MALFORMED),
    Case("lone-surrogate-charref.xml", "FAILURE", MALFORMED),
    Case("nul-charref.xml", "FAILURE", MALFORMED),
    Case("out-of-range-charref.xml", "FAILURE", MALFORMED),
    Case("html-no-doctype.html", "FAILURE", MALFORMED, content_type="text/html"),
    # encodings
    Case("invalid-utf8.bin", "FAILURE", MALFORMED),
    Case("nul-bytes.bin", "FAILURE", MALFORMED),
    Case("declared-encoding-lies.xml", "FAILURE", MALFORMED),
    Case("utf16-bom.xml", "SUCCESS"),
    # not XML, or not a Webex message
    Case("empty.bin", "FAILURE", "empty request body", content_type=None),
    Case("binary-garbage.bin", "FAILURE", MALFORMED, content_type="application/octet-stream"),
    Case("binary-garbage-64k", "FAILURE", MALFORMED, content_type="application/octet-stream"),
    Case("tls-client-hello.bin", "FAILURE", MALFORMED, content_type=None),
    Case("json-instead-of-xml.json", "FAILURE", MALFORMED, content_type="application/json"),
    Case("form-encoded.txt", "FAILURE", MALFORMED, content_type="application/x-www-form-urlencoded"),
    Case("soap-envelope.xml", "FAILURE", "root element must be message"),
    Case("no-body-content.xml", "FAILURE", "no bodyContent"),
    Case("body-content-without-type.xml", "FAILURE", "without xsi:type"),
    Case("body-content-blank-type.xml", "FAILURE", "empty xsi:type"),
    Case("unknown-api.xml", "FAILURE", "Unsupported API"),
    # size and shape bombs
    Case("deep-nesting", "FAILURE", "depth"),
    Case("deep-nesting-in-body", "FAILURE", "nested deeper than"),
    Case("many-bodycontents", "FAILURE", "bodyContent"),  # 000053, the site's bodyContent limit
    Case("many-elements", "FAILURE", f"more than {MAX_ELEMENTS} elements"),
    Case("attribute-bomb", "FAILURE", f"more than {MAX_ATTRIBUTES} attributes"),
    Case("attribute-bomb-on-one-element", "FAILURE", f"more than {MAX_ELEMENT_ATTRIBUTES} attributes on one element"),
    Case("attribute-spread", "FAILURE", f"more than {MAX_ATTRIBUTES} attributes"),
    Case("namespace-bomb", "ANY"),  # legal XML: 120 000 prefixes declared, none used
    Case("namespace-spread", "ANY"),
    Case("huge-text", "ANY"),
    Case("oversized-body", "FAILURE", f"larger than {MAX_BODY_BYTES} bytes", http_status=413),
    Case("long-element-name", "FAILURE", MALFORMED),
    Case("long-xsi-type", "FAILURE", "xsi:type longer than"),
    Case("huge-attribute-value", "ANY"),
]


def test_generated_bombs_exceed_the_emulator_limits() -> None:
    """The generated sizes are literals (never derived from the limits they probe)."""
    assert MAX_ELEMENTS < 250_000
    assert MAX_ELEMENT_ATTRIBUTES < 5_000 <= MAX_ATTRIBUTES < 12_000  # one-element bomb, per-request spread


def test_every_corpus_file_has_a_case() -> None:
    files = {p.name for p in CORPUS.iterdir() if p.name != "README.md"}
    named = {c.name for c in CASES}
    assert files - named == set(), "corpus files without an expected answer"
    assert {n for n in named if n not in GENERATED} <= files


@functools.cache
def _generated(name: str) -> bytes:
    return GENERATED[name]()


# ------------------------------------------------------------------ the traps: a marker file, a listener


class Listener:
    """A loopback TCP listener counting every connection attempt (an external fetch would be one)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.1)
        self.port: int = self.sock.getsockname()[1]
        self.connections: list[tuple[str, int]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="hostile-listener", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, addr = self.sock.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections.append(addr)
            with contextlib.suppress(OSError):
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nLISTENER-WAS-REACHED")
            conn.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=2)
        self.sock.close()


@dataclass
class HostileEnv:
    marker: bytes
    marker_uri: str
    listener: Listener

    @property
    def listener_url(self) -> str:
        return f"http://127.0.0.1:{self.listener.port}"

    def fill(self, data: bytes) -> bytes:
        """Fill the placeholders, in UTF-8 and in both UTF-16 byte orders."""
        for placeholder, value in (("@@MARKER_URI@@", self.marker_uri), ("@@LISTENER@@", self.listener_url)):
            for codec in ("utf-8", "utf-16-le", "utf-16-be"):
                data = data.replace(placeholder.encode(codec), value.encode(codec))
        return data

    def assert_untouched(self, answer: bytes) -> None:
        assert self.marker not in answer, "the marker file's contents reached the answer"
        assert b"LISTENER-WAS-REACHED" not in answer
        assert self.listener.connections == [], f"the emulator connected out: {self.listener.connections}"


@pytest.fixture(scope="module")
def env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[HostileEnv]:
    secret = tmp_path_factory.mktemp("hostile") / "secret.txt"
    marker = f"HOSTILE-MARKER-{secrets.token_hex(8)}".encode()
    secret.write_bytes(marker + b"\n")
    listener = Listener()
    yield HostileEnv(marker, secret.as_uri(), listener)
    listener.close()


# ------------------------------------------------------------------ checking an answer


def check_answer(case: Case, status: int, body: bytes, content_type: str | None) -> XmlResponse | None:
    """The answer is a Webex envelope (HTTP 200) or a 4xx, as ``case`` expects; never a 5xx."""
    assert status < 500, f"{case.name}: HTTP {status}: {body[:300]!r}"
    assert b"internal emulator error" not in body
    if status != 200:
        assert 400 <= status < 500, f"{case.name}: HTTP {status}"
        assert status == case.http_status, f"{case.name}: HTTP {status}: {body[:300]!r}"
        assert body.strip(), f"{case.name}: a {status} without a reason"
        return None
    assert content_type == XML_CTYPE
    resp = parse_response(body, status, content_type=content_type)
    assert resp.result in ("SUCCESS", "FAILURE"), f"{case.name}: {resp.describe()}"
    if case.expect != "ANY":
        assert resp.result == case.expect, f"{case.name}: {resp.describe()}"
    if resp.result == "FAILURE":
        assert resp.reason, f"{case.name}: a FAILURE without a reason"
        assert resp.exception_id
        assert case.reason.lower() in resp.reason.lower(), f"{case.name}: reason {resp.reason!r}"
        assert len(resp.reason) < 1000, f"{case.name}: the reason echoes the input ({len(resp.reason)} chars)"
    return resp


# ------------------------------------------------------------------ layer 1: in-process


@pytest.fixture(scope="module")
def app() -> EmulatorApp:
    return create_app()


async def _asgi(
    app: EmulatorApp, method: str, path: str, content: bytes = b"", headers: dict[str, str] | None = None
) -> httpx.Response:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://harness.local") as client:
        return await client.request(method, path, content=content, headers=headers)


def asgi(
    app: EmulatorApp, method: str, path: str, content: bytes = b"", headers: dict[str, str] | None = None
) -> httpx.Response:
    return asyncio.run(_asgi(app, method, path, content, headers))


def assert_healthy_in_process(app: EmulatorApp) -> None:
    r = asgi(app, "GET", "/_emulator/health")
    assert r.status_code == 200 and r.json()["status"] == "ok", r.text


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_in_process_handle_xml_answers_harmlessly(app: EmulatorApp, env: HostileEnv, case: Case) -> None:
    raw = case.raw(env)
    headers = {"content-type": case.content_type} if case.content_type else {}
    tracemalloc.start()
    started = time.perf_counter()
    try:
        status, body, ctype = app.handle_xml(raw, headers)
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert elapsed < MAX_SECONDS, f"{case.name}: {elapsed:.2f}s"
    assert peak < MAX_TRACED_BYTES + 2 * len(raw), f"{case.name}: Python heap peak {peak / 1e6:.1f} MB"
    # handle_xml sees the body after the size cap the ASGI layer enforces (413 there)
    check_answer(
        case if case.http_status == 200 else Case(case.name, case.expect, case.reason), status, body, ctype.decode()
    )
    env.assert_untouched(body)
    assert_healthy_in_process(app)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_in_process_asgi_answers_harmlessly(app: EmulatorApp, env: HostileEnv, case: Case) -> None:
    raw = case.raw(env)
    headers = {"content-type": case.content_type} if case.content_type else {}
    started = time.perf_counter()
    r = asgi(app, "POST", XML_PATH, raw, headers)
    assert time.perf_counter() - started < MAX_SECONDS
    check_answer(case, r.status_code, r.content, r.headers.get("content-type"))
    if case.http_status == 413:
        assert r.headers["content-type"] == XML_CTYPE
        assert parse_response(r.content, r.status_code).reason
    env.assert_untouched(r.content)
    assert_healthy_in_process(app)


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE"])
def test_in_process_wrong_method_is_405_with_a_reason(app: EmulatorApp, method: str) -> None:
    r = asgi(app, method, XML_PATH, VALID_CREATE if method in ("PUT", "PATCH") else b"")
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    if method != "HEAD":
        assert "use POST" in (parse_response(r.content, r.status_code).reason or "")
    assert_healthy_in_process(app)


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=xyz",
        "application/x-www-form-urlencoded",
        ";;;===;;;",
        "text/xml; charset=EBCDIC-XYZ",
        "x" * 8000,
    ],
)
def test_in_process_wrong_or_missing_content_type_does_not_matter(app: EmulatorApp, content_type: str | None) -> None:
    """docs/wire.md R2: Content-Type must not matter, never form-decode the body."""
    headers = {"content-type": content_type} if content_type is not None else {}
    r = asgi(app, "POST", XML_PATH, VALID_CREATE, headers)
    assert r.status_code == 200
    parse_response(r.content, r.status_code).expect_success()


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a": ' * 50_000], ids=["array", "object"])
def test_in_process_control_api_json_nested_too_deeply_is_400(app: EmulatorApp, body: bytes) -> None:
    """json.loads raises RecursionError (not JSONDecodeError) on these: a 400, not the 500 path."""
    r = asgi(app, "POST", "/_emulator/sites", body, {"content-type": "application/json"})
    assert r.status_code == 400
    assert "nested too deeply" in r.json()["error"]
    assert_healthy_in_process(app)


def _asgi_raw(
    app: EmulatorApp, headers: list[tuple[bytes, bytes]], body_messages: list[dict[str, object]], then_hang: bool
) -> tuple[int, bytes, dict[bytes, bytes]]:
    """Drive the ASGI app by hand: a receive() that (optionally) never delivers the rest."""

    async def go() -> tuple[int, bytes, dict[bytes, bytes]]:
        queue = list(body_messages)
        hang = asyncio.Event()

        async def receive() -> dict[str, object]:
            if queue:
                return queue.pop(0)
            if then_hang:
                await hang.wait()
            return {"type": "http.disconnect"}

        sent: list[dict[str, object]] = []

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        scope = {
            "type": "http",
            "method": "POST",
            "path": XML_PATH,
            "headers": headers,
            "query_string": b"",
            "http_version": "1.1",
        }
        await asyncio.wait_for(app(scope, receive, send), timeout=MAX_SECONDS)
        start = sent[0]
        body = b"".join(m.get("body", b"") for m in sent[1:])  # type: ignore[misc]
        return start["status"], body, dict(start["headers"])  # type: ignore[return-value,arg-type]

    return asyncio.run(go())


def test_in_process_lying_huge_content_length_is_refused_before_reading(app: EmulatorApp) -> None:
    status, body, headers = _asgi_raw(
        app,
        [(b"content-length", b"1000000000000")],
        [{"type": "http.request", "body": VALID_CREATE, "more_body": True}],
        then_hang=True,
    )
    assert status == 413
    assert headers[b"connection"] == b"close"
    assert str(MAX_BODY_BYTES) in (parse_response(body, status).reason or "")


def test_in_process_client_gone_mid_body_gets_an_answer_for_what_arrived(app: EmulatorApp) -> None:
    status, body, _ = _asgi_raw(
        app,
        [(b"content-length", str(len(VALID_CREATE)).encode())],
        [{"type": "http.request", "body": VALID_CREATE[:100], "more_body": True}],
        then_hang=False,
    )
    check_answer(Case("disconnect", "FAILURE", MALFORMED), status, body, XML_CTYPE)


def test_in_process_chunked_body_over_the_limit_is_413(app: EmulatorApp) -> None:
    chunk = b"<" + b"c" * (1 << 20)
    messages = [{"type": "http.request", "body": chunk, "more_body": True} for _ in range(5)]
    status, _, headers = _asgi_raw(app, [(b"transfer-encoding", b"chunked")], messages, then_hang=True)
    assert status == 413
    assert headers[b"connection"] == b"close"


# ------------------------------------------------------------------ fuzz (hypothesis)

FUZZ_APIS = (
    "CreateMeeting",
    "AuthenticateUser",
    "GetMeeting",
    "SetMeeting",
    "LstsummaryMeeting",
    "CreateMeetingAttendee",
    "GetUser",
    "DelMeeting",
)
INSERTS = [
    b"<!DOCTYPE m [<!ENTITY e SYSTEM 'http://127.0.0.1:9/'>]>",
    b"<!DOCTYPE x>",
    b"<!ENTITY e 'x'>",
    b"&",
    b"&e;",
    b"&amp;",
    b"&#0;",
    b"&#xD800;",
    b"&#65;",
    b"]]>",
    b"<![CDATA[",
    b"<![CDATA[x]]>",
    b"<",
    b">",
    b"</",
    b"/>",
    b"<x>",
    b"</x>",
    b'"',
    b"'",
    b"\x00",
    b"\xff",
    b"\xc3",
    b"\xef\xbb\xbf",
    b"<?xml version='1.0'?>",
    b"<?pi x?>",
    b"<!-- c -->",
    b'xsi:type="java:com.webex.service.binding.meeting.GetMeeting"',
    b"xmlns:serv=''",
    b"<bodyContent>",
    b"</bodyContent>",
    b"<meetingKey>-1</meetingKey>",
    b"99999999999999999999999",
]


@functools.cache
def _fuzz_app() -> EmulatorApp:
    return create_app()


@functools.cache
def _seeds() -> tuple[bytes, ...]:
    return tuple(valid_envelope(api, seed) for api in FUZZ_APIS for seed in (1, 2))


@st.composite
def _mutated(draw: st.DrawFn) -> bytes:
    data = bytearray(draw(st.sampled_from(_seeds())))
    for _ in range(draw(st.integers(1, 4))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "unicode", "delete", "duplicate"]))
        at = draw(st.integers(0, len(data)))
        if op == "flip" and data:
            i = min(at, len(data) - 1)
            data[i] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":  # keep the start: truncation at 0 is just "empty body"
            del data[max(at, 64) :]
        elif op == "insert":
            data[at:at] = draw(st.sampled_from(INSERTS))
        elif op == "unicode":
            data[at:at] = draw(st.text(min_size=1, max_size=8)).encode("utf-8", "surrogatepass")
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 64))]
        elif op == "duplicate":
            piece = bytes(data[at : at + draw(st.integers(1, 200))])
            data[at:at] = piece * draw(st.integers(1, 20))
    return bytes(data)


_XML_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12)
_VALUES = st.one_of(
    _XML_TEXT,
    st.sampled_from(
        [
            "",
            "0",
            "-1",
            "1",
            "true",
            "FALSE",
            "maybe",
            "NaN",
            "1e309",
            "99999999999999999999999",
            "12/31/9999 23:59:59",
            "02/30/2026 25:61:61",
            "1/1/1 0:0:0",
            "00/00/0000 00:00:00",
            "-2147483649",
            "812345678",
            "AAAA-BBBB",
            "host",
            "invitee@example.com",
            "ALL",
            "   ",
        ]
    ),
    st.integers(-(2**70), 2**70).map(str),
)
_NAMES = st.one_of(
    st.sampled_from(
        [
            "metaData",
            "confName",
            "meetingType",
            "schedule",
            "startDate",
            "duration",
            "timeZoneID",
            "timeZone",
            "meetingKey",
            "meetingkey",
            "sessionKey",
            "meetingUUID",
            "accessControl",
            "meetingPassword",
            "participants",
            "attendees",
            "attendee",
            "person",
            "name",
            "email",
            "webExId",
            "webExID",
            "listControl",
            "startFrom",
            "maximumNum",
            "listMethod",
            "order",
            "orderBy",
            "orderAD",
            "dateScope",
            "enableOptions",
            "attendeeOptions",
            "registration",
            "telephony",
            "telephonySupport",
            "repeat",
            "repeatType",
            "interval",
            "expirationDate",
            "dayInWeek",
            "day",
            "occurrences",
            "hostWebExID",
            "password",
            "firstName",
            "lastName",
            "privilege",
            "host",
            "status",
            "active",
            "meetingTypes",
            "attendeeID",
            "role",
            "type",
            "joinStatus",
        ]
    ),
    st.text("abcdefghijklmnopqrstuvwxyzKSU_", min_size=1, max_size=8),
)
_TREES = st.recursive(
    st.tuples(_NAMES, _VALUES, st.just(())),
    lambda children: st.tuples(_NAMES, _VALUES, st.lists(children, max_size=4).map(tuple)),
    max_leaves=12,
)


def _element(tree: tuple[str, str, tuple[object, ...]]) -> etree._Element:
    name, text, children = tree
    el = etree.Element(name)
    if children:
        el.extend(_element(c) for c in children)  # type: ignore[arg-type]
    else:
        el.text = text
    return el


@st.composite
def _structured(draw: st.DrawFn) -> bytes:
    spec = draw(st.sampled_from(all_apis()))
    xsi_type = f"java:com.webex.service.binding.{spec.service}.{spec.name}"
    trees = draw(st.lists(_TREES, max_size=3))
    inner = b"".join(etree.tostring(_element(t)) for t in trees)  # type: ignore[arg-type]
    count = draw(st.integers(1, 3))
    body = (f'<bodyContent xsi:type="{xsi_type}">'.encode() + inner + b"</bodyContent>") * count
    return DECL.encode() + (ROOT_OPEN + SECURITY + "<body>").encode() + body + b"</body></serv:message>"


def _assert_sane(status: int, body: bytes, ctype: bytes) -> None:
    assert status < 500 and status != 500, body[:300]
    assert b"internal emulator error" not in body
    if status == 200:
        assert ctype == XML_CTYPE.encode()
        resp = parse_response(body, status)
        assert resp.result in ("SUCCESS", "FAILURE"), resp.describe()
        if resp.result == "FAILURE":
            assert resp.reason and resp.exception_id
    else:
        assert 400 <= status < 500


FUZZ = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(raw=_mutated())
def test_fuzz_mutated_valid_envelopes_never_hurt(raw: bytes) -> None:
    started = time.perf_counter()
    status, body, ctype = _fuzz_app().handle_xml(raw, {})
    assert time.perf_counter() - started < MAX_SECONDS
    _assert_sane(status, body, ctype)


@FUZZ
@given(raw=_structured())
def test_fuzz_random_element_trees_never_hurt(raw: bytes) -> None:
    started = time.perf_counter()
    status, body, ctype = _fuzz_app().handle_xml(raw, {})
    assert time.perf_counter() - started < MAX_SECONDS
    _assert_sane(status, body, ctype)


@settings(max_examples=60, deadline=None, derandomize=True, database=None)
@given(raw=st.one_of(_mutated(), _structured()))
def test_fuzz_through_asgi_never_5xx(raw: bytes) -> None:
    r = asgi(_fuzz_app(), "POST", XML_PATH, raw)
    _assert_sane(r.status_code, r.content, r.headers.get("content-type", "").encode())


def test_fuzzed_emulator_still_creates_a_meeting() -> None:
    app = _fuzz_app()
    assert_healthy_in_process(app)
    status, body, _ = app.handle_xml(VALID_CREATE, {})
    parse_response(body, status).expect_success()


# ------------------------------------------------------------------ layer 2: a real socket


@dataclass
class Server:
    emulator: RunningEmulator
    port: int
    process: psutil.Process
    client: httpx.Client

    @property
    def base(self) -> str:
        return self.emulator.base_url

    def healthy(self) -> None:
        r = self.client.get(self.base + "/_emulator/health")
        assert r.status_code == 200 and r.json()["status"] == "ok", r.text

    def rss(self) -> int:
        return int(self.process.memory_info().rss)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    emulator = start_subprocess()
    port = int(emulator.base_url.rsplit(":", 1)[1])
    try:
        proc = next(
            p
            for p in psutil.Process().children(recursive=True)
            if str(port) in p.cmdline() and "emulator" in p.cmdline()
        )
        with httpx.Client(timeout=MAX_SECONDS) as client:
            yield Server(emulator, port, proc, client)
    finally:
        emulator.stop()


def exchange(
    server: Server, data: bytes, *, chunks: list[bytes] | None = None, shut_write: bool = False, pause: float = 0.0
) -> tuple[int | None, bytes]:
    """Send raw bytes; read one response (by its Content-Length) or until the server closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=MAX_SECONDS) as s:
        with contextlib.suppress(ConnectionError):
            s.sendall(data)
            for chunk in chunks or []:
                s.sendall(chunk)
            if pause:
                time.sleep(pause)
            if shut_write:
                s.shutdown(socket.SHUT_WR)
        buf = b""
        with contextlib.suppress(ConnectionError):
            while True:
                piece = s.recv(65536)
                if not piece:
                    break
                buf += piece
                head, sep, rest = buf.partition(b"\r\n\r\n")
                if sep:
                    lengths = [ln for ln in head.split(b"\r\n") if ln.lower().startswith(b"content-length:")]
                    if lengths and len(rest) >= int(lengths[0].split(b":", 1)[1]):
                        break
    status = int(buf.split(b" ", 2)[1]) if buf.startswith(b"HTTP/1.") else None
    return status, buf


def _post_head(length: int | None = None, extra: bytes = b"") -> bytes:
    cl = b"Content-Length: %d\r\n" % length if length is not None else b""
    return b"POST " + XML_PATH.encode() + b" HTTP/1.1\r\nHost: 127.0.0.1\r\n" + cl + extra + b"\r\n"


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_socket_corpus_answers_harmlessly(server: Server, env: HostileEnv, case: Case) -> None:
    raw = case.raw(env)
    headers = {"content-type": case.content_type} if case.content_type else {}
    started = time.perf_counter()
    r = server.client.post(server.base + XML_PATH, content=raw, headers=headers)
    check_answer(case, r.status_code, r.content, r.headers.get("content-type"))
    env.assert_untouched(r.content)
    server.healthy()
    assert time.perf_counter() - started < MAX_SECONDS


@pytest.mark.parametrize("method", ["GET", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS"])
def test_socket_wrong_method_is_405(server: Server, method: str) -> None:
    r = server.client.request(
        method, server.base + XML_PATH, content=VALID_CREATE if method in ("PUT", "PATCH") else None
    )
    assert r.status_code == 405
    assert r.headers["allow"] == "POST"
    server.healthy()


GOOD = VALID_CREATE
BIG_CHUNK = b"<" + b"k" * (1 << 16)


@dataclass(frozen=True)
class Abuse:
    """HTTP-level abuse over a raw socket and the statuses it may get (None = the server just closes)."""

    name: str
    head: bytes
    body: bytes = b""
    chunks: tuple[bytes, ...] = ()
    shut_write: bool = False
    pause: float = 0.0
    statuses: frozenset[int | None] = frozenset({200})


ABUSES = [
    Abuse("content-length-lies-huge", _post_head(10**12), GOOD, statuses=frozenset({413})),
    Abuse(
        "content-length-over-limit-expect-100",
        _post_head(MAX_BODY_BYTES + 1, b"Expect: 100-continue\r\n"),
        statuses=frozenset({413}),
    ),
    Abuse("content-length-shorter-than-body", _post_head(40), GOOD, statuses=frozenset({200, 400})),
    Abuse(
        "content-length-longer-then-close",
        _post_head(len(GOOD) + 5000),
        GOOD,
        shut_write=True,
        statuses=frozenset({200, None}),
    ),
    Abuse(
        "partial-body-pause-then-close",
        _post_head(len(GOOD)),
        GOOD[:300],
        pause=0.3,
        shut_write=True,
        statuses=frozenset({200, None}),
    ),
    Abuse(
        "partial-headers-then-close",
        b"POST " + XML_PATH.encode() + b" HTTP/1.1\r\nHost: x\r\nX-Sl",
        shut_write=True,
        statuses=frozenset({None, 400}),
    ),
    Abuse(
        "content-length-not-a-number", _post_head(None, b"Content-Length: lots\r\n"), GOOD, statuses=frozenset({400})
    ),
    Abuse("content-length-negative", _post_head(None, b"Content-Length: -5\r\n"), GOOD, statuses=frozenset({400})),
    Abuse(
        "content-length-twice-disagreeing", _post_head(5, b"Content-Length: 900\r\n"), GOOD, statuses=frozenset({400})
    ),
    Abuse(
        "content-length-and-chunked",
        _post_head(5, b"Transfer-Encoding: chunked\r\n"),
        b"%x\r\n" % len(GOOD) + GOOD + b"\r\n0\r\n\r\n",
        statuses=frozenset({400}),
    ),
    Abuse(
        "chunked-valid",
        _post_head(None, b"Transfer-Encoding: chunked\r\n"),
        b"".join(b"%x\r\n%s\r\n" % (len(p), p) for p in (GOOD[:100], GOOD[100:])) + b"0\r\n\r\n",
    ),
    Abuse(
        "chunked-over-limit",
        _post_head(None, b"Transfer-Encoding: chunked\r\n"),
        chunks=(b"%x\r\n" % len(BIG_CHUNK) + BIG_CHUNK + b"\r\n",) * 70 + (b"0\r\n\r\n",),
        statuses=frozenset({413}),
    ),
    Abuse(
        "chunked-bad-size",
        _post_head(None, b"Transfer-Encoding: chunked\r\n"),
        b"zz\r\nabc\r\n0\r\n\r\n",
        statuses=frozenset({400}),
    ),
    Abuse(
        "chunked-size-overflow",
        _post_head(None, b"Transfer-Encoding: chunked\r\n"),
        b"ffffffffffffffffffff\r\nabc\r\n",
        shut_write=True,
        statuses=frozenset({400, None}),
    ),
    Abuse(
        "chunked-truncated-then-close",
        _post_head(None, b"Transfer-Encoding: chunked\r\n"),
        b"%x\r\n" % len(GOOD) + GOOD[:200],
        shut_write=True,
        statuses=frozenset({200, 400, None}),
    ),
    Abuse("header-of-one-megabyte", _post_head(len(GOOD), b"X-Big: " + b"b" * (1 << 20) + b"\r\n"), GOOD),
    Abuse("twenty-thousand-headers", _post_head(len(GOOD), b"".join(b"X-H%d: v\r\n" % i for i in range(20_000))), GOOD),
    Abuse("content-type-of-8k", _post_head(len(GOOD), b"Content-Type: " + b"t" * 8192 + b"\r\n"), GOOD),
    Abuse(
        "non-latin1-header-bytes",
        _post_head(len(GOOD), b"X-Bytes: \xff\xfe\x80\r\n"),
        GOOD,
        statuses=frozenset({200, 400}),
    ),
    Abuse("tls-client-hello", (CORPUS / "tls-client-hello.bin").read_bytes(), statuses=frozenset({400, None})),
    Abuse("http-0.9-request-line", b"GET /\r\n\r\n", statuses=frozenset({400, 404, None})),
    Abuse("no-request-line-at-all", b"\r\n\r\n\r\n" * 1000, shut_write=True, statuses=frozenset({400, None})),
    Abuse(
        "absurd-uri",
        b"POST /" + b"u" * 100_000 + b" HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n",
        statuses=frozenset({404, 414, 400, 431}),
    ),
    # httptools may reject the garbage before the valid request is answered: a 400 then
    Abuse(
        "pipelined-valid-then-garbage", _post_head(len(GOOD)), GOOD + b"GARBAGE\r\n\r\n", statuses=frozenset({200, 400})
    ),
]


@pytest.mark.parametrize("abuse", ABUSES, ids=lambda a: a.name)
def test_socket_http_abuse_is_answered_or_closed_quickly(server: Server, abuse: Abuse) -> None:
    started = time.perf_counter()
    status, raw = exchange(
        server, abuse.head + abuse.body, chunks=list(abuse.chunks), shut_write=abuse.shut_write, pause=abuse.pause
    )
    assert time.perf_counter() - started < MAX_SECONDS
    assert status in abuse.statuses, f"{abuse.name}: {raw[:300]!r}"
    if status == 200:
        _, _, body = raw.partition(b"\r\n\r\n")
        resp = parse_response(body, 200)
        assert resp.result in ("SUCCESS", "FAILURE"), resp.describe()
    if status == 413:
        assert b"connection: close" in raw.lower()
    server.healthy()


def test_socket_slow_clients_do_not_block_others(server: Server) -> None:
    """Connections holding half a request open (slowloris) do not stop the emulator answering."""
    slow: list[socket.socket] = []
    try:
        for i in range(20):
            s = socket.create_connection(("127.0.0.1", server.port), timeout=MAX_SECONDS)
            half = _post_head(len(GOOD)) + GOOD[: 50 + i] if i % 2 else b"POST /WBXService/XMLService HTTP/1.1\r\nX-"
            s.sendall(half)
            slow.append(s)
        started = time.perf_counter()
        server.healthy()
        r = server.client.post(server.base + XML_PATH, content=GOOD)
        parse_response(r.content, r.status_code).expect_success()
        assert time.perf_counter() - started < MAX_SECONDS
    finally:
        for s in slow:
            s.close()
    server.healthy()


def test_socket_memory_stays_bounded_and_a_valid_create_meeting_still_succeeds(server: Server, env: HostileEnv) -> None:
    """The whole corpus once more: RSS growth bounded (libxml2 memory included), then SUCCESS."""
    client = server.client
    client.post(server.base + XML_PATH, content=_generated("huge-text"))  # warm the allocator
    before = server.rss()
    for case in CASES:
        client.post(server.base + XML_PATH, content=case.raw(env))
    growth = server.rss() - before
    assert growth < MAX_RSS_GROWTH, f"RSS grew {growth / 1e6:.0f} MB over the corpus"
    server.healthy()
    r = client.post(server.base + XML_PATH, content=VALID_CREATE)
    parse_response(r.content, r.status_code).expect_success()
    env.assert_untouched(r.content)


def test_in_process_emulator_still_creates_a_meeting_after_the_corpus(app: EmulatorApp, env: HostileEnv) -> None:
    for case in CASES:
        app.handle_xml(case.raw(env), {})
    assert_healthy_in_process(app)
    r = asgi(app, "POST", XML_PATH, VALID_CREATE)
    parse_response(r.content, r.status_code).expect_success()
    env.assert_untouched(r.content)


def test_strict_site_settings_do_not_change_the_hostile_answers(env: HostileEnv) -> None:
    """A site with strict auth answers the DTD and malformed cases the same way (parsing comes first)."""
    strict = create_app(settings=SiteSettings(strict_auth=True))
    for case in CASES:
        if case.reason in (DTD, MALFORMED):
            status, body, ctype = strict.handle_xml(case.raw(env), {})
            check_answer(case, status, body, ctype.decode())
