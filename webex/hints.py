"""The "did you mean" of every one-line error (command line, environment file, behaviour markers)."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def did_you_mean(value: str, choices: Iterable[str], n: int = 3) -> str:
    """`` (did you mean 'a' or 'b'?)`` for the known values closest to ``value``, else ``""``."""
    close = difflib.get_close_matches(value, list(choices), n=n, cutoff=0.6)
    if not close:
        return ""
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)"
