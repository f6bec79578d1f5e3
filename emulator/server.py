"""Run the emulator: blocking (the CLI), in a background thread (pytest), or as a subprocess.

Always on loopback unless told otherwise. :func:`free_port` finds a free loopback port.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import os
import resource
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx
import uvicorn
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from webex_harness.emulator.app import create_app
from webex_harness.emulator.asgi import ASGIApp, Receive, Scope, Send
from webex_harness.emulator.busy_state import BusyOptions
from webex_harness.webex.lifeline import child_preexec
from webex_harness.webex.settings import SiteSettings


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


#: Largest request head (request line + headers) the emulator reads.
MAX_HEAD_BYTES = 2 * 1024 * 1024


#: Seconds a client has to send a whole request (head and body), from when the connection opened or
#: the previous answer went out; a connection still short of a request then is closed. (uvicorn closes
#: an idle keep-alive connection after its own 5 s; this bounds the partial ones it would keep for ever.)
REQUEST_TIMEOUT = 30.0
#: Descriptors kept free for everything that is not a client connection (files, the listening socket).
_SPARE_DESCRIPTORS = 64


def default_max_connections() -> int:
    """Client connections the emulator holds at once: its descriptor limit less some spare, at most 4,096."""
    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = 4096 if soft == resource.RLIM_INFINITY else soft - _SPARE_DESCRIPTORS
    return max(16, min(4096, limit))


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with the bounds a hostile client needs:

    - httptools buffers a request head of any size, joining its pieces in quadratic time: one client
      streaming an endless header would stall the event loop. Heads over :data:`MAX_HEAD_BYTES` get a
      400 instead.
    - A request must arrive whole within :attr:`request_timeout` seconds of the connection opening or
      of the previous answer (a slow or silent client is closed, not kept for ever).
    - At most :attr:`max_connections` connections: when one more opens, the connection that has been
      waiting longest for a request it has not finished is closed, so slow clients cannot lock a
      normal one out.
    """

    request_timeout: float = REQUEST_TIMEOUT
    max_connections: int = 1024
    _head_bytes = 0
    _in_head = True
    _request_timer: asyncio.TimerHandle | None = None
    #: when this connection started waiting for its next request (None: a request is being answered)
    _waiting_since: float | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._await_request()
        if len(self.connections) > self.max_connections:
            self._evict_the_slowest()

    def connection_lost(self, exc: Exception | None) -> None:
        self._stop_waiting()
        super().connection_lost(exc)

    def _await_request(self) -> None:
        self._stop_waiting()
        self._waiting_since = time.monotonic()
        self._request_timer = self.loop.call_later(self.request_timeout, self._request_timed_out)

    def _stop_waiting(self) -> None:
        if self._request_timer is not None:
            self._request_timer.cancel()
            self._request_timer = None
        self._waiting_since = None

    def _request_timed_out(self) -> None:
        self._request_timer = None
        if not self.transport.is_closing():
            self.transport.close()

    def _evict_the_slowest(self) -> None:
        waiting = [
            c for c in self.connections if isinstance(c, BoundedHttpToolsProtocol) and c._waiting_since is not None
        ]
        if waiting:
            slowest = min(waiting, key=lambda c: c._waiting_since or 0.0)
            slowest._request_timed_out()

    def data_received(self, data: bytes) -> None:
        if self._in_head:
            self._head_bytes += len(data)
            if self._head_bytes > MAX_HEAD_BYTES:
                self._in_head = False
                self.send_400_response(f"Request head larger than {MAX_HEAD_BYTES} bytes.")
                return
        super().data_received(data)

    def on_headers_complete(self) -> None:
        self._in_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        self._in_head, self._head_bytes = True, 0
        self._stop_waiting()
        super().on_message_complete()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if not self.transport.is_closing() and not self.pipeline and self._request_timer is None:
            self._await_request()


def server_config(
    app: ASGIApp,
    host: str,
    port: int,
    *,
    request_timeout: float = REQUEST_TIMEOUT,
    max_connections: int | None = None,
) -> uvicorn.Config:
    """The uvicorn configuration the emulator runs with (uvloop, :class:`BoundedHttpToolsProtocol`
    with ``request_timeout`` and ``max_connections`` — default :func:`default_max_connections` —,
    no access log, no Server/Date headers, one worker). ``bench/emulator_throughput.py`` serves its
    bare "hello" baseline with exactly this, so the ratio measures the emulator and nothing else."""
    protocol = type(
        "EmulatorHttpProtocol",
        (BoundedHttpToolsProtocol,),
        {"request_timeout": request_timeout, "max_connections": max_connections or default_max_connections()},
    )
    try:
        import uvloop  # noqa: F401

        loop = "uvloop"
    except ImportError:  # pragma: no cover - uvloop is installed on Linux
        loop = "asyncio"
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        loop=loop,
        http=protocol,
        lifespan="off",
        log_level="warning",
        access_log=False,
        server_header=False,
        date_header=False,
    )


#: requests between two :func:`gc.freeze` calls of :class:`CollectorPacing`
FREEZE_EVERY = 100
#: freezes between two full collections (what the frozen requests left as cyclic garbage): one full
#: pass every 100,000 requests
FULL_COLLECTION_EVERY = 1_000
#: the served emulator's collector thresholds: a young pass every 5,000 net allocations instead of
#: Python's 700 (a CreateMeeting keeps a few dozen objects: a pass every ~40 requests became one every
#: ~200, each still short, as the freezes keep the older generations small)
COLLECTOR_THRESHOLDS = (5_000, 10, 10)


class CollectorPacing:
    """Keeps the garbage collector's full passes off the request path of a long run.

    A meeting store of thousands of meetings made every full collection (generation 2) scan all of
    them: 20–90 ms pauses, several in a five-second CreateMeeting run, and at one connection each pause
    is the latency of every request that waits behind it. Every :data:`FREEZE_EVERY` requests this
    moves what earlier requests left alive out of the collector's sight (:func:`gc.freeze`, constant
    time): the stored objects are still freed by reference counting when deleted, and the collector's
    passes scan only the last hundred requests' survivors. Cyclic garbage that reached the frozen set (a few
    hundred objects per thousand mixed requests) is collected by a full pass every
    :data:`FULL_COLLECTION_EVERY` freezes and after each reset through the control API
    (``POST /_emulator/reset``). Answers are unchanged: this changes only when memory is scanned."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.requests = 0
        self.freezes = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            if scope.get("path", "").rstrip("/") == "/_emulator/reset":
                await self.app(scope, receive, send)
                self.collect_all()  # what the reset dropped, cycles included
                return
            self.requests += 1
            if self.requests >= FREEZE_EVERY:
                self.requests = 0
                self.freezes += 1
                if self.freezes >= FULL_COLLECTION_EVERY:
                    self.collect_all()
                else:
                    gc.freeze()
        await self.app(scope, receive, send)

    def collect_all(self) -> None:
        """One full pass over everything frozen since start-up, then freeze what is left."""
        self.freezes = 0
        gc.unfreeze()
        gc.collect()
        gc.freeze()


def serve(
    host: str,
    port: int,
    site_name: str,
    settings: SiteSettings,
    busy: BusyOptions | None = None,
    control_token: str | None = None,
) -> None:
    """Serve until interrupted (``webex-harness emulator``); the default site is busy when
    ``busy`` options are given (``--busy``); the control API asks for ``control_token`` when given.

    Everything built before the first request (modules, the catalogue of handlers, the default
    site) lives as long as the process: :func:`gc.freeze` moves it out of the collector's sight,
    so the full collections a long run triggers scan only what requests created (a shorter tail
    of latencies; see docs/performance.md)."""
    config = server_config(CollectorPacing(create_app(site_name, settings, busy, control_token)), host, port)
    gc.collect()
    gc.freeze()
    gc.set_threshold(*COLLECTOR_THRESHOLDS)
    uvicorn.Server(config).run()


@dataclass
class RunningEmulator:
    """A started emulator: its base URL and how to stop it."""

    base_url: str
    _stop: object

    @property
    def xml_url(self) -> str:
        return self.base_url + "/WBXService/XMLService"

    @property
    def rest_url(self) -> str:
        return self.base_url + "/v1"

    def stop(self) -> None:
        stop = self._stop
        if callable(stop):
            stop()


def wait_healthy(base_url: str, timeout: float = 120.0) -> None:
    """Until the emulator at ``base_url`` answers its health check; a hang bound, not a speed bound
    (it returns at the first answer: a starved machine may take tens of seconds to start Python)."""
    deadline = time.monotonic() + timeout
    last: Exception | None = None
    while time.monotonic() < deadline:
        try:
            if httpx.get(base_url + "/_emulator/health", timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError as exc:
            last = exc
        time.sleep(0.05)
    raise RuntimeError(f"emulator at {base_url} did not become healthy within {timeout:.0f}s: {last}")


def start_in_thread(
    site_name: str = "harness",
    settings: SiteSettings | None = None,
    host: str = "127.0.0.1",
    *,
    request_timeout: float = REQUEST_TIMEOUT,
    max_connections: int | None = None,
) -> RunningEmulator:
    """Start on a free port in a daemon thread of this process (the bounds of :func:`server_config`)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, 0))
    port = sock.getsockname()[1]
    config = server_config(
        create_app(site_name, settings or SiteSettings()),
        host,
        port,
        request_timeout=request_timeout,
        max_connections=max_connections,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, name="emulator", daemon=True)
    thread.start()
    base = f"http://{host}:{port}"
    wait_healthy(base)

    def stop() -> None:
        server.should_exit = True
        thread.join(timeout=5)
        sock.close()

    return RunningEmulator(base, stop)


def start_subprocess(
    env_file: Path | None = None,
    host: str = "127.0.0.1",
    port: int | None = None,
    log_file: Path | None = None,
    extra_args: Sequence[str] = (),
) -> RunningEmulator:
    """Start ``webex-harness emulator`` as a child process on a free port (``extra_args`` are
    added to its command line, e.g. ``["--busy"]``); it dies with its parent."""
    port = port or free_port(host)
    cmd = [sys.executable, "-m", "webex_harness.runs.cli", "emulator", "--host", host, "--port", str(port)]
    if env_file is not None:
        cmd += ["--env", str(env_file)]
    cmd += list(extra_args)
    log = open(log_file, "ab") if log_file else None  # noqa: SIM115  (closed by stop())
    out = log if log is not None else subprocess.DEVNULL
    # SIGTERM from the kernel when the process that started it dies: an emulator never outlives it
    proc = subprocess.Popen(
        cmd, stdout=out, stderr=subprocess.STDOUT, env=os.environ.copy(), preexec_fn=child_preexec(signal.SIGTERM)
    )
    base = f"http://{host}:{port}"
    try:
        wait_healthy(base)
    except RuntimeError:
        proc.kill()
        raise

    def stop() -> None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if log is not None:
            log.close()

    return RunningEmulator(base, stop)


@contextlib.contextmanager
def running(site_name: str = "harness", settings: SiteSettings | None = None) -> Iterator[RunningEmulator]:
    emulator = start_in_thread(site_name, settings)
    try:
        yield emulator
    finally:
        emulator.stop()
