"""The emulator's server bounds (emulator/server.py): a client that never finishes its request is
closed after the request timeout, and slow connections beyond the connection limit make room for a
normal client instead of locking it out. Bounds in the asserts are generous waits, never speed limits."""

from __future__ import annotations

import contextlib
import socket
import time
from collections.abc import Iterator

import httpx
import pytest

from webex_harness.emulator.server import RunningEmulator, default_max_connections, start_in_thread

#: The longest a test waits for the server to close a connection (the timeout under test is 0.5 s).
CLOSE_BOUND = 30.0
HEALTH = "/_emulator/health"


@pytest.fixture
def quick() -> Iterator[RunningEmulator]:
    emulator = start_in_thread(request_timeout=0.5)
    try:
        yield emulator
    finally:
        emulator.stop()


def _connect(emulator: RunningEmulator) -> socket.socket:
    host, port = emulator.base_url.removeprefix("http://").rsplit(":", 1)
    return socket.create_connection((host, int(port)), timeout=CLOSE_BOUND)


def _closed_by_server(sock: socket.socket) -> bool:
    """True once the server closed ``sock`` (EOF or reset), reading whatever it answered first."""
    deadline = time.monotonic() + CLOSE_BOUND
    while time.monotonic() < deadline:
        try:
            if sock.recv(65536) == b"":
                return True
        except ConnectionResetError:
            return True
        except TimeoutError:
            return False
    return False


@pytest.mark.parametrize(
    "sent",
    [
        b"",
        b"POST /WBXService/XMLService HTTP/1.1\r\nHost: 127.0.0.1\r\n",
        b"POST /WBXService/XMLService HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 100\r\n\r\n<serv:mess",
    ],
    ids=["silent", "partial-head", "body-never-arrives"],
)
def test_a_request_that_never_arrives_whole_is_closed(quick: RunningEmulator, sent: bytes) -> None:
    with _connect(quick) as sock:
        sock.sendall(sent)
        assert _closed_by_server(sock), "the connection stayed open"
    assert httpx.get(quick.base_url + HEALTH, timeout=CLOSE_BOUND).status_code == 200


def test_a_request_sent_in_pieces_within_the_timeout_is_answered() -> None:
    emulator = start_in_thread(request_timeout=CLOSE_BOUND)
    try:
        with _connect(emulator) as sock:
            sock.sendall(b"GET /_emulator/health HTTP/1.1\r\n")
            time.sleep(0.2)
            sock.sendall(b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := sock.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
    finally:
        emulator.stop()


def test_a_keep_alive_connection_serves_requests_until_it_falls_silent(quick: RunningEmulator) -> None:
    with httpx.Client(base_url=quick.base_url, timeout=CLOSE_BOUND) as client:
        for _ in range(3):  # answered requests re-arm the timeout; none of them is cut short
            assert client.get(HEALTH).status_code == 200


def test_slow_connections_beyond_the_limit_make_room_for_a_normal_client() -> None:
    emulator = start_in_thread(request_timeout=600.0, max_connections=20)
    slow: list[socket.socket] = []
    try:
        for _ in range(40):
            sock = _connect(emulator)
            sock.sendall(b"POST /WBXService/XMLService HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            slow.append(sock)

        answer = httpx.get(emulator.base_url + HEALTH, timeout=CLOSE_BOUND)

        assert answer.status_code == 200
        assert _closed_by_server(slow[0]), "the connection waiting longest was not closed"
    finally:
        for sock in slow:
            sock.close()
        emulator.stop()


def test_the_connection_limit_leaves_descriptors_for_everything_else() -> None:
    import resource

    soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
    limit = default_max_connections()
    assert 16 <= limit <= 4096
    if soft != resource.RLIM_INFINITY:
        assert limit <= max(16, soft - 64)


def test_a_rest_body_over_the_limit_is_413_and_the_connection_is_closed(quick: RunningEmulator) -> None:
    head = (
        b"POST /v1/meetings HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer emulator-token\r\n"
        b"Content-Type: application/json\r\nContent-Length: 100000000\r\n\r\n"
    )
    with _connect(quick) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # it may stop reading first
            sock.sendall(head + b" " * 1_100_000)
        answer = sock.recv(65536)
        assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
        assert b"connection: close" in answer.lower()
        assert _closed_by_server(sock), "the server kept reading a body it had refused"
