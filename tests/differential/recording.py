"""Writing the corpus's inputs down while sending them: :class:`Recorder`.

The inputs are made by driving one in-process emulator (:mod:`tests.differential.build_inputs`):
every request, whether the harness's own clients send it (through :meth:`Recorder.handle`, an
``httpx.MockTransport`` handler) or the builder writes it by hand (:meth:`Recorder.xml`,
:meth:`Recorder.rest`, :meth:`Recorder.control`), becomes one :class:`tests.differential.corpus.Input`
and is answered by the app at once, so that what follows can use what it created.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.differential.corpus import Answer, Input, Wire

XML_PATH = "/WBXService/XMLService"
HOST = ("host", "127.0.0.1:8080")
JSON = "application/json"
XML_HEADERS = (HOST, ("content-type", "text/xml;charset=UTF-8"))
#: The request headers an input keeps (the rest — user agent, encodings — the emulator does not read).
KEPT_HEADERS = ("content-type", "authorization", "origin")
_TYPE = b'xsi:type="java:com.webex.service.binding.'

Headers = tuple[tuple[str, str], ...]


def api_of(envelope: bytes) -> str:
    """The API of an envelope's first bodyContent (``""`` when it names none)."""
    start = envelope.find(_TYPE)
    if start < 0:
        return ""
    end = envelope.find(b'"', start + len(_TYPE))
    return envelope[start + len(_TYPE) : end].decode("latin-1", "replace").rsplit(".", 1)[-1]


class Recorder:
    """Every request sent through it, in order (:attr:`inputs`), each answered by ``wire``'s app.
    :attr:`api` and :attr:`note` describe what the harness's clients send next."""

    def __init__(self, wire: Wire) -> None:
        self.wire = wire
        self.inputs: list[Input] = []
        self.api = ""
        self.note = ""

    def send(self, request: Input) -> Answer:
        self.inputs.append(request)
        return self.wire.send(request)

    def handle(self, request: httpx.Request) -> httpx.Response:
        """The ``httpx.MockTransport`` handler: the harness's XML, REST and control clients."""
        path = request.url.path
        low = path.lower().rstrip("/")
        kind = "xml" if low == XML_PATH.lower() else "control" if low.startswith("/_emulator") else "rest"
        sent = [(k.decode("latin-1").lower(), v.decode("latin-1")) for k, v in request.headers.raw]
        headers = (HOST, *((k, v) for k, v in sent if k in KEPT_HEADERS))
        api = (api_of(request.content) or self.api) if kind == "xml" else ""
        query = request.url.query.decode("latin-1")
        answer = self.send(Input(kind, request.method, path, request.content, query, headers, api, self.note))
        return httpx.Response(answer.status, headers=list(answer.headers), content=answer.body)

    def xml(self, envelope: bytes, api: str, note: str, headers: Headers = XML_HEADERS) -> Answer:
        return self.send(Input("xml", "POST", XML_PATH, envelope, "", headers, api, note))

    def rest(self, method: str, path: str, body: Any, note: str, headers: Headers, query: str = "") -> Answer:
        """A REST request; ``body`` is JSON-encoded as UTF-8 (a lone surrogate as its ``\\udc80`` escape)."""
        raw = b""
        if body is not None:
            text = json.dumps(body, ensure_ascii=False)
            try:
                raw = text.encode("utf-8")
            except UnicodeEncodeError:  # no UTF-8 for a lone surrogate: JSON's escape, as a hostile client sends it
                raw = json.dumps(body).encode("ascii")
        return self.send(Input("rest", method, path, raw, query, headers, "", note))

    def control(self, method: str, path: str, payload: Any, note: str, headers: Headers | None = None) -> Answer:
        """A control request (``/_emulator`` + ``path``); JSON unless ``headers`` say otherwise."""
        body = b"" if payload is None else json.dumps(payload).encode()
        if headers is None:
            headers = (HOST, ("content-type", JSON)) if payload is not None else (HOST,)
        return self.send(Input("control", method, "/_emulator" + path, body, "", headers, "", note))
