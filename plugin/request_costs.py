"""What each test costs: the requests it sent through the target's HTTP client (setup, call and
teardown; the emulator's control API is not counted), written to ``costs-<worker>.json`` in the run
folder (``webex-harness costs --refresh`` reads them).

Stands on httpx alone.
"""

from __future__ import annotations

import json
import threading
from pathlib import Path

import httpx


class RequestCounter:
    """Requests sent through the target's HTTP client, per running test (``<session>`` outside one);
    the emulator's control API is not the target's and is not counted."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current: str | None = None
        self.counts: dict[str, int] = {}

    def install(self, http: httpx.Client) -> None:
        if self.on_request not in http.event_hooks["request"]:
            http.event_hooks["request"] = [*http.event_hooks["request"], self.on_request]

    def on_request(self, request: httpx.Request) -> None:
        if request.url.path.startswith("/_emulator"):
            return
        with self._lock:
            key = self.current or "<session>"
            self.counts[key] = self.counts.get(key, 0) + 1

    def start(self, nodeid: str) -> None:
        with self._lock:
            self.current = nodeid
            self.counts.setdefault(nodeid, 0)

    def stop(self) -> None:
        with self._lock:
            self.current = None

    def write(self, run_dir: Path, worker: str, guards: dict[str, list[str]]) -> None:
        """``costs-<worker>.json``: per test its requests and its guard markers."""
        run_dir.mkdir(parents=True, exist_ok=True)
        (run_dir / f"costs-{worker}.json").write_text(
            json.dumps(
                {
                    nodeid: {"requests": n, "guards": guards.get(nodeid, [])}
                    for nodeid, n in sorted(self.counts.items())
                },
                indent=1,
            )
            + "\n"
        )
