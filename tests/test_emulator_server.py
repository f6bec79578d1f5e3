"""The emulator's server refuses an endless request head instead of stalling (issue 7)."""

from __future__ import annotations

import socket

import httpx

from webex_harness.emulator.server import MAX_HEAD_BYTES, start_subprocess


def test_endless_header_gets_400_and_the_emulator_keeps_serving() -> None:
    emulator = start_subprocess()
    try:
        port = int(emulator.base_url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            sock.sendall(b"POST /WBXService/XMLService HTTP/1.1\r\nHost: x\r\nX-Flood: ")
            sent = 0
            try:
                while sent < 4 * MAX_HEAD_BYTES:  # bounded: 4 MiB at most
                    sock.sendall(b"a" * 65536)
                    sent += 65536
            except OSError:
                pass  # the server closed the connection after answering
            answer = sock.recv(200)
        assert answer.startswith(b"HTTP/1.1 400"), answer
        assert httpx.get(emulator.base_url + "/_emulator/health", timeout=5).status_code == 200
    finally:
        emulator.stop()
