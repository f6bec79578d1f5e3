"""The served emulator's garbage-collector pacing (``emulator.server.CollectorPacing``): a freeze every
``FREEZE_EVERY`` requests, a full pass every ``FULL_COLLECTION_EVERY`` freezes and after a reset, cyclic
garbage that was frozen collected by that pass, and every request still reaching the app."""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

import pytest

from webex_harness.emulator import server
from webex_harness.emulator.asgi import Receive, Scope, Send
from webex_harness.emulator.server import CollectorPacing


class _Recorder:
    def __init__(self) -> None:
        self.paths: list[str] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.paths.append(scope["path"])


def _request(app: CollectorPacing, path: str) -> None:
    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: Any) -> None:
        return None

    asyncio.run(app({"type": "http", "path": path}, receive, send))


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What the pacing asked of the collector, in order (the real collector is left alone)."""
    seen: list[str] = []
    monkeypatch.setattr(server.gc, "freeze", lambda: seen.append("freeze"))
    monkeypatch.setattr(server.gc, "unfreeze", lambda: seen.append("unfreeze"))
    monkeypatch.setattr(server.gc, "collect", lambda *a: seen.append("collect") or 0)
    monkeypatch.setattr(server, "FREEZE_EVERY", 3)
    monkeypatch.setattr(server, "FULL_COLLECTION_EVERY", 2)
    return seen


def test_every_request_reaches_the_app_and_a_freeze_follows_every_few_requests(calls: list[str]) -> None:
    inner = _Recorder()
    app = CollectorPacing(inner)

    for n in range(5):
        _request(app, f"/WBXService/XMLService?{n}")

    assert len(inner.paths) == 5
    assert calls == ["freeze"]


def test_a_full_collection_follows_every_few_freezes(calls: list[str]) -> None:
    app = CollectorPacing(_Recorder())

    for _ in range(6):
        _request(app, "/WBXService/XMLService")

    assert calls == ["freeze", "unfreeze", "collect", "freeze"]


def test_a_reset_is_answered_first_then_everything_is_collected(calls: list[str]) -> None:
    inner = _Recorder()
    app = CollectorPacing(inner)

    _request(app, "/_emulator/reset")

    assert inner.paths == ["/_emulator/reset"]
    assert calls == ["unfreeze", "collect", "freeze"]


class _Node:
    other: Any = None


def test_cyclic_garbage_left_in_the_frozen_set_is_freed_by_the_full_collection() -> None:
    a, b = _Node(), _Node()
    a.other, b.other = b, a
    gone = weakref.ref(a)
    gc.freeze()
    try:
        del a, b
        gc.collect()
        assert gone() is not None, "a frozen cycle is out of the collector's sight"

        CollectorPacing(_Recorder()).collect_all()

        assert gone() is None
    finally:
        gc.unfreeze()


def test_the_served_emulator_runs_with_its_own_collector_thresholds(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[int, int, int]] = []

    class _Server:
        def __init__(self, config: Any) -> None:
            self.config = config

        def run(self) -> None:
            seen.append(gc.get_threshold())

    before = gc.get_threshold()
    monkeypatch.setattr(server.uvicorn, "Server", _Server)
    monkeypatch.setattr(server.gc, "freeze", lambda: None)
    try:
        server.serve("127.0.0.1", 0, "harness", server.SiteSettings())
    finally:
        gc.set_threshold(*before)

    assert seen == [server.COLLECTOR_THRESHOLDS]
    assert server.COLLECTOR_THRESHOLDS[0] > before[0]
