"""The locust subprocess of a load run: start it, wait for it (on the clock or on a condition), stop it.

:func:`start` runs the command of :mod:`load.command` in its own process group, its output in
``locust.log``. When the harness is killed, the kernel sends SIGTERM to locust, and every forked
worker kills itself :data:`STOP_SECONDS` after its parent is gone (:mod:`webex.lifeline`).
:func:`wait_for_exit` waits for it, bounded; with a ``stop_when`` condition it makes the stop file
once the condition holds on ``locust_stats.csv`` (the locust process, :mod:`load.process_state`,
then ends the run as its run time would). :func:`stop_process` sends SIGTERM to the group once
(users stop and delete what they made) and SIGKILL after a bound — what :func:`load.runner.run_load`
does on a timeout, Ctrl-C, SIGTERM or SIGHUP of the harness; the benchmarks stop their servers with
it too.

No locust import. Stands on :mod:`webex.lifeline`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO

from webex_harness.webex.lifeline import child_preexec, lifeline_environ

__all__ = ["LOG_TAIL_LINES", "POLL_SECONDS", "STOP_SECONDS", "log_tail", "start", "stop_process", "wait_for_exit"]

#: Seconds locust gets to stop its users and delete what they made once it is told to stop (a
#: timeout, Ctrl-C, SIGTERM or SIGHUP of the harness), and an orphaned locust lives on after the harness.
STOP_SECONDS = 30.0
#: Seconds between two looks at ``locust_stats.csv`` when a run ends on a condition (``stop_when``).
POLL_SECONDS = 0.5
#: Lines of ``locust.log`` quoted in an error (:func:`log_tail`).
LOG_TAIL_LINES = 8


def start(
    command: list[str], *, cwd: Path, env: dict[str, str], log: IO[bytes], run_id: str
) -> subprocess.Popen[bytes]:
    """Start ``command`` with ``env``, stdout and stderr into ``log``; :class:`OSError` when it cannot start.

    Its own process group (:func:`stop_process` signals master and workers once, from here); SIGTERM
    from the kernel if the harness dies, and a bounded life after it (:mod:`webex.lifeline`).
    """
    return subprocess.Popen(
        command,
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        cwd=cwd,
        env={**env, **lifeline_environ(signal.SIGTERM, run_id, STOP_SECONDS)},
        start_new_session=True,
        preexec_fn=child_preexec(signal.SIGTERM),
    )


def wait_for_exit(
    proc: subprocess.Popen[bytes],
    wall: float,
    stats_csv: Path,
    stop_when: Callable[[Path], bool] | None,
    stop_file: Path,
) -> int:
    """locust's exit code; :class:`subprocess.TimeoutExpired` after ``wall`` seconds. With ``stop_when``,
    ``stop_file`` is made once the condition holds on the stats CSV (locust then ends the run)."""
    if stop_when is None:
        return proc.wait(timeout=wall)
    deadline = time.monotonic() + wall
    stopping = False
    while True:
        try:
            return proc.wait(timeout=max(0.0, min(POLL_SECONDS, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline:
                raise
        if not stopping and stats_csv.is_file() and _holds(stop_when, stats_csv):
            stop_file.touch()
            stopping = True


def _holds(condition: Callable[[Path], bool], stats_csv: Path) -> bool:
    """The condition on a CSV locust may be rewriting right now (a half-written file: not yet)."""
    try:
        return bool(condition(stats_csv))
    except (OSError, ValueError, KeyError):
        return False


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 10.0) -> None:
    """SIGTERM, then SIGKILL after ``timeout`` seconds — to the whole process group when the process
    leads one of its own (a locust master and its workers), so no worker outlives it. Signals
    arriving meanwhile (KeyboardInterrupt) do not cut the bound short."""
    group = _own_group(proc)
    if proc.poll() is not None and not group:
        return
    _signal(proc, signal.SIGTERM, group)
    deadline = time.monotonic() + timeout
    while True:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            break
        except subprocess.TimeoutExpired:
            break
        except KeyboardInterrupt:
            if time.monotonic() >= deadline:
                break
    _signal(proc, signal.SIGKILL, group)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=10)


def _own_group(proc: subprocess.Popen[bytes]) -> bool:
    try:
        return os.getpgid(proc.pid) == proc.pid
    except ProcessLookupError:
        return False


def _signal(proc: subprocess.Popen[bytes], sig: int, group: bool) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        if group:
            os.killpg(proc.pid, sig)
        elif proc.poll() is None:
            proc.send_signal(sig)


def log_tail(log_path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last ``lines`` non-blank lines of ``log_path`` on one line, for a one-line error."""
    try:
        text = log_path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no locust.log)"
    tail = [line.strip() for line in text.splitlines() if line.strip()]
    return " | ".join(tail[-lines:]) if tail else "(locust.log is empty)"
