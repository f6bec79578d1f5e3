"""SIGTERM and SIGHUP handled like Ctrl-C while a command runs.

:func:`handle_stop_signals` makes SIGTERM and SIGHUP (a CI cancel, a closed terminal) raise
:class:`Stopped` — a :class:`KeyboardInterrupt` — in the main thread, so a command stops the way
Ctrl-C stops it: the children are told to stop, clean up within their bound, then killed
(:mod:`webex.lifeline`); the command exits 128 + the signal. Stands on the standard library alone.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import TypeAlias

__all__ = ["Handler", "Stopped", "handle_stop_signals", "restore_handlers"]

#: What :func:`signal.signal` returns: the handler it replaced.
Handler: TypeAlias = Callable[[int, FrameType | None], object] | int | signal.Handlers | None


class Stopped(KeyboardInterrupt):
    """SIGTERM or SIGHUP (a CI cancel, a closed terminal): handled like Ctrl-C — the children are
    told to stop, clean up within their bound, then killed (:mod:`webex.lifeline`)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = signum

    @property
    def name(self) -> str:
        """``SIGTERM`` or ``SIGHUP``."""
        return signal.Signals(self.signum).name


def _stop_like_ctrl_c(signum: int, frame: FrameType | None) -> None:
    raise Stopped(signum)


def handle_stop_signals() -> dict[int, Handler]:
    """SIGTERM and SIGHUP raise :class:`Stopped` in the main thread, as SIGINT raises KeyboardInterrupt;
    the handlers they replace (to put back with :func:`restore_handlers`). Outside the main thread
    (where Python cannot set a handler) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        return {}
    return {signum: signal.signal(signum, _stop_like_ctrl_c) for signum in (signal.SIGTERM, signal.SIGHUP)}


def restore_handlers(previous: dict[int, Handler]) -> None:
    """Put back the handlers :func:`handle_stop_signals` replaced."""
    for signum, handler in previous.items():
        signal.signal(signum, handler)
