"""State a workspace keeps across runs: small, ``flock``-protected JSON-lines logs under
``<reports root>/.safety/``.

A real site remembers what the harness did to it for hours (the usage limit counts "no data found"
failures within a sliding hour and blocks for two; the REST rate limit counts requests per token
within a minute). The harness must remember as long: across the xdist workers of a run, the
clean-up, the probe and the next run. :class:`TimedLog` is that memory — one JSON object a line,
each with ``at`` (Unix time), entries older than the log's ``keep`` seconds (or past their own
``until``) pruned whenever it is written, every read and write under an exclusive
``fcntl.flock`` so processes never see half of another's update. Nothing secret goes into one:
callers store site names, webExIDs and hashes.

Where: ``$WEBEX_HARNESS_STATE_DIR`` when set (tests point it at a temporary folder), else
``<reports root>/.safety`` — the reports root being the parent of the run folder
(``reports/`` by default).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

#: environment variable overriding the state folder
STATE_DIR_VARIABLE = "WEBEX_HARNESS_STATE_DIR"
#: the state folder's name under the reports root
STATE_FOLDER = ".safety"


def state_dir(reports_root: Path | None = None) -> Path:
    """``$WEBEX_HARNESS_STATE_DIR``, else ``<reports_root>/.safety`` (``reports/.safety`` by default)."""
    override = os.environ.get(STATE_DIR_VARIABLE)
    if override:
        return Path(override)
    if reports_root is None:
        from webex_harness.workspace.run_folder import REPORTS_DIR

        reports_root = REPORTS_DIR
    return Path(reports_root) / STATE_FOLDER


def reports_root_of(run_dir: str | Path | None) -> Path | None:
    """The reports root of a run folder (its parent), or None when there is no run folder."""
    return Path(run_dir).resolve().parent if run_dir else None


def _until(entry: dict[str, Any], keep: float) -> float:
    until = entry.get("until")
    return float(until) if isinstance(until, (int, float)) else float(entry["at"]) + keep


class TimedLog:
    """An append-mostly JSON-lines file of timed entries shared by processes.

    ``keep`` seconds: older entries are dropped when the log is next written (an entry with an
    ``until`` time is kept until then instead). ``clock`` returns Unix time (injectable for tests).
    """

    def __init__(self, path: Path, keep: float, clock: Callable[[], float] = time.time) -> None:
        self.path = path
        self.keep = keep
        self.clock = clock

    @contextlib.contextmanager
    def _locked(self) -> Iterator[IO[str]]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        with os.fdopen(fd, "r+", encoding="utf-8") as handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield handle
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    @staticmethod
    def _parse(text: str) -> list[dict[str, Any]]:
        entries = []
        for line in text.splitlines():
            try:
                entry = json.loads(line)
            except ValueError:  # a torn line of a process that died mid-write
                continue
            if isinstance(entry, dict) and isinstance(entry.get("at"), (int, float)):
                entries.append(entry)
        return entries

    def _current(self, handle: IO[str], now: float) -> tuple[list[dict[str, Any]], bool]:
        handle.seek(0)
        entries = self._parse(handle.read())
        kept = [e for e in entries if e["at"] <= now + self.keep and _until(e, self.keep) > now]
        return kept, len(kept) != len(entries)

    def entries(self) -> list[dict[str, Any]]:
        """The entries of the last ``keep`` seconds (nothing is written)."""
        if not self.path.exists():
            return []
        with self._locked() as handle:
            return self._current(handle, self.clock())[0]

    def transact(self, decide: Callable[[list[dict[str, Any]], float], list[dict[str, Any]]]) -> list[dict[str, Any]]:
        """Under the lock: ``decide(entries, now)`` returns the entries to append (maybe none);
        the log is pruned and they are written. Returns what was appended."""
        with self._locked() as handle:
            now = self.clock()
            kept, pruned = self._current(handle, now)
            new = decide(kept, now)
            for entry in new:
                entry.setdefault("at", now)
            if pruned:
                handle.seek(0)
                handle.truncate()
                lines = kept + new
            else:
                handle.seek(0, os.SEEK_END)
                lines = new
            if lines:
                handle.write("".join(json.dumps(e, sort_keys=True) + "\n" for e in lines))
                handle.flush()
            return new

    def append(self, entry: dict[str, Any]) -> None:
        self.transact(lambda entries, now: [dict(entry)])


__all__ = ["STATE_DIR_VARIABLE", "STATE_FOLDER", "TimedLog", "reports_root_of", "state_dir"]
