"""The differential corpus on disk and on the wire: its inputs, the recorded answers, one replay.

An :class:`Input` is one HTTP request exactly as the emulator's ASGI app receives it (method, path,
query, headers, body) with what it is (``kind``: xml, rest, control, http; the ``api``; a short
``note``). An :class:`Answer` is what the app sent back: status, the response headers and the body
bytes. Both live next to this module as gzip'd JSON lines (``inputs.jsonl.gz``,
``answers.jsonl.gz``), written with a fixed gzip header so that the same content gives the same file.

:func:`replay` sends every input, in order, to ONE fresh :func:`emulator.app.create_app` in this
process (no sockets), under :func:`tests.differential.determinism.deterministic`; later inputs read
what earlier ones created. :func:`differences` compares two lists of answers and describes the first
few differences with a unified diff.
"""

from __future__ import annotations

import asyncio
import base64
import difflib
import gzip
import io
import json
import re
from collections.abc import Iterable, Iterator, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.differential.determinism import deterministic
from webex_harness.emulator.app import EmulatorApp, create_app

HERE = Path(__file__).parent
INPUTS = HERE / "inputs.jsonl.gz"
ANSWERS = HERE / "answers.jsonl.gz"
#: The address every replayed request arrives on (the control API accepts only its own loopback).
SERVER = ("127.0.0.1", 8080)
CLIENT = ("127.0.0.1", 50000)
BASE_URL = f"http://{SERVER[0]}:{SERVER[1]}"
#: Differences a failing comparison shows in full (the rest are counted).
SHOWN = 5
#: Lines of one answer's diff shown at most.
DIFF_LINES = 40


def _encode_body(data: bytes) -> dict[str, str]:
    """``{"text": …}`` when ``data`` is UTF-8 (readable in the file), else ``{"b64": …}``."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return {"b64": base64.b64encode(data).decode("ascii")}
    return {"text": text}


def _decode_body(record: dict[str, Any]) -> bytes:
    if "b64" in record:
        return base64.b64decode(record["b64"])
    return str(record.get("text", "")).encode("utf-8")


@dataclass(frozen=True, slots=True)
class Input:
    """One request of the corpus, as the app receives it."""

    kind: str
    method: str
    path: str
    body: bytes = b""
    query: str = ""
    headers: tuple[tuple[str, str], ...] = ()
    api: str = ""
    note: str = ""

    def describe(self) -> str:
        what = f"{self.kind} {self.method} {self.path}{'?' + self.query if self.query else ''}"
        return f"{what} [{self.api or '-'}] {self.note}".strip()

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind, "method": self.method, "path": self.path}
        if self.query:
            out["query"] = self.query
        if self.headers:
            out["headers"] = [list(h) for h in self.headers]
        if self.api:
            out["api"] = self.api
        if self.note:
            out["note"] = self.note
        if self.body:
            out["body"] = _encode_body(self.body)
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Input:
        return cls(
            kind=data["kind"],
            method=data["method"],
            path=data["path"],
            body=_decode_body(data.get("body", {})),
            query=data.get("query", ""),
            headers=tuple((str(k), str(v)) for k, v in data.get("headers", [])),
            api=data.get("api", ""),
            note=data.get("note", ""),
        )


@dataclass(frozen=True, slots=True)
class Answer:
    """What the app answered one input."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes

    def to_json(self) -> dict[str, Any]:
        return {"status": self.status, "headers": [list(h) for h in self.headers], "body": _encode_body(self.body)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Answer:
        headers = tuple((str(k), str(v)) for k, v in data.get("headers", []))
        return cls(int(data["status"]), headers, _decode_body(data.get("body", {})))

    def text(self) -> list[str]:
        """The answer as lines for a diff: the status line, the headers, the body (XML split at tags)."""
        body = self.body.decode("utf-8", "backslashreplace")
        if body.lstrip().startswith("<"):
            body = body.replace("><", ">\n<")
        return [f"HTTP {self.status}", *(f"{k}: {v}" for k, v in self.headers), "", *body.splitlines()]


# ------------------------------------------------------------------ files


def write_jsonl(path: Path, records: Iterable[dict[str, Any]]) -> int:
    """Write ``records`` as gzip'd JSON lines (no timestamp or name in the gzip header); the size."""
    raw = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0, compresslevel=9) as gz:
        for record in records:
            gz.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n")
    path.write_bytes(raw.getvalue())
    return len(raw.getvalue())


def read_jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with gzip.open(path, "rt", encoding="utf-8") as lines:
        for line in lines:
            if line.strip():
                yield json.loads(line)


def load_inputs(path: Path = INPUTS) -> list[Input]:
    return [Input.from_json(r) for r in read_jsonl(path)]


def load_answers(path: Path = ANSWERS) -> list[Answer]:
    return [Answer.from_json(r) for r in read_jsonl(path)]


# ------------------------------------------------------------------ the wire (in-process ASGI)


class Wire:
    """Sends :class:`Input` s to one app in this process, as an HTTP server would hand them over."""

    def __init__(self, app: EmulatorApp) -> None:
        self.app = app
        self.loop = asyncio.new_event_loop()

    def close(self) -> None:
        self.loop.close()

    def send(self, request: Input) -> Answer:
        return self.loop.run_until_complete(self._send(request))

    async def _send(self, request: Input) -> Answer:
        headers = [(k.lower().encode("latin-1"), v.encode("latin-1")) for k, v in request.headers]
        if request.body or request.method in ("POST", "PUT", "PATCH"):
            headers.append((b"content-length", str(len(request.body)).encode()))
        scope: dict[str, Any] = {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.3"},
            "http_version": "1.1",
            "method": request.method,
            "scheme": "http",
            "path": request.path,
            "raw_path": request.path.encode("utf-8", "surrogateescape"),
            "query_string": request.query.encode("latin-1"),
            "root_path": "",
            "headers": headers,
            "client": CLIENT,
            "server": SERVER,
        }
        delivered = False

        async def receive() -> dict[str, Any]:
            nonlocal delivered
            if not delivered:
                delivered = True
                return {"type": "http.request", "body": request.body, "more_body": False}
            return {"type": "http.disconnect"}

        status = 0
        out_headers: list[tuple[str, str]] = []
        chunks: list[bytes] = []

        async def send(message: MutableMapping[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                out_headers.extend((k.decode("latin-1"), v.decode("latin-1")) for k, v in message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(bytes(message.get("body", b"")))

        await self.app(scope, receive, send)
        return Answer(status, tuple(out_headers), b"".join(chunks))


@dataclass
class Replay:
    """The answers of one replay, and the call sites that drew random values during it."""

    answers: list[Answer] = field(default_factory=list)
    call_sites: list[str] = field(default_factory=list)


def replay(inputs: Iterable[Input], *, seed: str = "differential") -> Replay:
    """Every input, in order, against one fresh app under :func:`deterministic` (``seed`` seeds its streams)."""
    result = Replay()
    with deterministic(seed) as streams:
        wire = Wire(create_app())
        try:
            result.answers = [wire.send(request) for request in inputs]
        finally:
            wire.close()
        result.call_sites = streams.keys()
    return result


# ------------------------------------------------------------------ comparing


def masked(answer: Answer, mask: re.Pattern[bytes]) -> Answer:
    """``answer`` with every match of ``mask`` in its body replaced by ``…`` (``content-length`` dropped)."""
    headers = tuple(h for h in answer.headers if h[0].lower() != "content-length")
    return Answer(answer.status, headers, mask.sub("…".encode(), answer.body))


def differences(
    inputs: list[Input],
    recorded: list[Answer],
    now: list[Answer],
    shown: int = SHOWN,
    mask: re.Pattern[bytes] | None = None,
) -> list[str]:
    """One description per differing answer (index, what the input is, a unified diff), the first
    ``shown`` in full, then one line counting the rest; empty when every answer is the same.
    ``mask``: what a deliberate change of drawn values changed (e.g. generated passwords) is left out
    of the comparison (:func:`masked`); the test itself never masks."""
    if len(recorded) != len(inputs) or len(now) != len(inputs):
        return [f"{len(inputs)} inputs but {len(recorded)} recorded answers and {len(now)} answers now: record again"]
    found: list[str] = []
    count = 0
    for index, (request, before, after) in enumerate(zip(inputs, recorded, now, strict=True)):
        if before == after or (mask is not None and masked(before, mask) == masked(after, mask)):
            continue
        count += 1
        if count > shown:
            continue
        diff = list(difflib.unified_diff(before.text(), after.text(), "recorded", "now", n=2, lineterm=""))
        if not diff:  # same text, different bytes (e.g. a header's order or the body's raw bytes)
            diff = [f"recorded: {before!r:.300}", f"now:      {after!r:.300}"]
        cut = diff[:DIFF_LINES] + ([f"… {len(diff) - DIFF_LINES} more diff lines"] if len(diff) > DIFF_LINES else [])
        found.append(f"input #{index}: {request.describe()}\n" + "\n".join(cut))
    if count > shown:
        found.append(f"… and {count - shown} more inputs answered differently ({count} in all)")
    return found
