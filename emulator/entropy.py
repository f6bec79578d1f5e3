"""The emulator's randomness: the operating system's, read ahead in blocks.

Meeting keys, UUIDs, conference IDs, passwords, host keys, tickets and tokens are all drawn here.
``secrets`` asks the operating system for every draw (a ``getrandom`` system call each); a
CreateMeeting draws ten times, which cost a tenth of its time in the served emulator
(docs/performance.md, issue 17). Here the bytes come from :func:`os.urandom` as well — the same
source ``secrets`` uses — fetched :data:`BLOCK_BYTES` at a time and each byte handed out once.

- :func:`token_hex` is ``secrets.token_hex``;
- :func:`randbelow` is ``secrets.randbelow``: uniform over ``[0, n)`` by rejection, as
  ``random.SystemRandom`` draws it (the fewest whole bytes holding ``n.bit_length()`` bits);
- :func:`uuid4_hex` is ``uuid.uuid4().hex``: 16 bytes with the version and variant bits set.

Safe across threads (a lock) and across ``fork`` (a child starts with no block of its own, so
parent and child never hand out the same bytes). The differential corpus
(``tests/differential/determinism.py``) patches these three functions like ``secrets``' own.
"""

from __future__ import annotations

import os
import threading

__all__ = ["BLOCK_BYTES", "randbelow", "token_hex", "uuid4_hex"]

#: Bytes fetched from the operating system at a time (a CreateMeeting uses about 60).
BLOCK_BYTES = 4096

_lock = threading.Lock()
_block = b""
_used = 0


def _forget_block() -> None:
    """In a child after ``fork``: the parent's block is the parent's."""
    global _block, _used
    _block, _used = b"", 0


os.register_at_fork(after_in_child=_forget_block)


def _take(n: int) -> bytes:
    """The next ``n`` unused bytes of randomness."""
    global _block, _used
    with _lock:
        start = _used
        if start + n > len(_block):
            _block = os.urandom(max(BLOCK_BYTES, n))
            start = 0
        _used = start + n
        return _block[start : start + n]


def token_hex(nbytes: int) -> str:
    """``nbytes`` random bytes as ``2 * nbytes`` hex digits (``secrets.token_hex``)."""
    return _take(nbytes).hex()


def randbelow(exclusive_upper_bound: int) -> int:
    """A random int uniform over ``[0, exclusive_upper_bound)`` (``secrets.randbelow``)."""
    if exclusive_upper_bound <= 0:
        raise ValueError("Upper bound must be positive.")
    bits = exclusive_upper_bound.bit_length()
    size = (bits + 7) >> 3
    drop = size * 8 - bits
    while True:
        value = int.from_bytes(_take(size), "big") >> drop
        if value < exclusive_upper_bound:
            return value


def uuid4_hex() -> str:
    """A random (version 4) UUID as 32 hex digits (``uuid.uuid4().hex``)."""
    raw = bytearray(_take(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw.hex()
