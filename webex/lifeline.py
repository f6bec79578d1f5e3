"""Children that die with the harness: nothing a run starts may outlive it.

The harness starts pytest (whose xdist workers are its grandchildren), locust (whose ``--processes``
workers are forked from the locust master) and the emulator as child processes. When the harness
is stopped (SIGINT, SIGTERM, SIGHUP) it forwards the stop to the child's process group and waits a
bounded time for it to clean up (:mod:`runs.runner`, :mod:`load.runner`). When it is killed
(SIGKILL, the OOM killer) it cannot forward anything, so every process of a run holds a *lifeline*:

* the kernel sends it a signal when its parent dies (Linux ``prctl(PR_SET_PDEATHSIG)``): SIGINT for
  pytest (it cleans up as on Ctrl-C), SIGTERM for locust and the emulator (their graceful stop);
* a watcher thread notices the parent is gone (``os.getppid()`` changed) — sends the same signal
  itself where the kernel could not — and SIGKILLs the process :data:`DEFAULT_GRACE` seconds later
  if it is still alive: an orphan stops creating objects at once and is gone within a bound.

Direct children get theirs from :func:`child_preexec` (a ``Popen`` ``preexec_fn``) plus
:func:`lifeline_environ`; grandchildren (xdist and locust workers) inherit the environment
variable :data:`LIFELINE_VAR` and take theirs with :func:`hold_lifeline` (the pytest plugin's
``pytest_configure``, the locustfile's ``init``). :data:`RUN_ID_VAR` carries the run ID, so a
process of a run can be found by its environment.
"""

from __future__ import annotations

import ctypes
import functools
import os
import signal
import sys
import time
from collections.abc import Callable

#: ``"<signal number>:<grace seconds>"`` — the signal to take when the parent dies, and how long
#: after it the process kills itself
LIFELINE_VAR = "WEBEX_HARNESS_LIFELINE"
#: the run a process belongs to (the same variable the locustfile reads its run ID from)
RUN_ID_VAR = "WEBEX_HARNESS_RUN_ID"
#: seconds an orphaned process gets to clean up before it kills itself
DEFAULT_GRACE = 60.0
#: seconds between two looks at the parent
POLL_SECONDS = 0.25

_PR_SET_PDEATHSIG = 1
_held: set[int] = set()


@functools.cache
def _prctl() -> Callable[..., int] | None:
    """libc's ``prctl``, looked up once (in the parent: a forked child only calls it, never loads it)."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


def set_parent_death_signal(sig: int) -> bool:
    """Ask the kernel to send ``sig`` to this process when its parent dies; False where it cannot
    (not Linux, no libc)."""
    prctl = _prctl()
    return prctl is not None and int(prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)) == 0


def child_preexec(sig: int, *, default_sigint: bool = False) -> Callable[[], None]:
    """A ``Popen(preexec_fn=…)``: the child gets ``sig`` when the harness dies; with
    ``default_sigint`` Ctrl-C handling is restored even when the harness ignores it (a background job)."""
    prctl = _prctl()

    def preexec() -> None:
        if default_sigint:
            signal.signal(signal.SIGINT, signal.SIG_DFL)
        if prctl is not None:
            prctl(_PR_SET_PDEATHSIG, int(sig), 0, 0, 0)

    return preexec


def lifeline_environ(sig: int, run_id: str | None = None, grace: float = DEFAULT_GRACE) -> dict[str, str]:
    """The variables a child (and its own children) read in :func:`hold_lifeline`."""
    out = {LIFELINE_VAR: f"{int(sig)}:{grace:g}"}
    if run_id:
        out[RUN_ID_VAR] = run_id
    return out


def _parse(value: str) -> tuple[int, float] | None:
    try:
        sig, grace = value.split(":", 1)
        return int(sig), max(0.0, float(grace))
    except ValueError:
        return None


def _real_thread_tools() -> tuple[Callable[..., object], Callable[[float], None]]:
    """``start_new_thread`` and ``sleep`` that are a real OS thread and a real sleep, even in a
    process gevent has monkey-patched (locust): the watcher must run while the hub is busy."""
    import _thread

    start, sleep = _thread.start_new_thread, time.sleep
    if "gevent" in sys.modules:
        try:
            from gevent import monkey

            start = monkey.get_original("_thread", "start_new_thread")
            sleep = monkey.get_original("time", "sleep")
        except (ImportError, AttributeError):
            pass
    return start, sleep


def hold_lifeline(environ: dict[str, str] | None = None) -> bool:
    """Take the lifeline :data:`LIFELINE_VAR` describes (once per process); False when there is none."""
    value = (os.environ if environ is None else environ).get(LIFELINE_VAR, "")
    parsed = _parse(value) if value else None
    if parsed is None or os.getpid() in _held:
        return False
    sig, grace = parsed
    _held.add(os.getpid())
    parent = os.getppid()
    by_kernel = set_parent_death_signal(sig)
    start, sleep = _real_thread_tools()

    def watch() -> None:
        while os.getppid() == parent and parent != 1:
            sleep(POLL_SECONDS)
        if not by_kernel or parent == 1:
            os.kill(os.getpid(), sig)
        sleep(grace)
        os.kill(os.getpid(), signal.SIGKILL)

    start(watch, ())
    return True


__all__ = [
    "DEFAULT_GRACE",
    "LIFELINE_VAR",
    "RUN_ID_VAR",
    "child_preexec",
    "hold_lifeline",
    "lifeline_environ",
    "set_parent_death_signal",
]
