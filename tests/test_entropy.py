"""The emulator's randomness read ahead in blocks (``emulator.entropy``, issue 17): the same values
``secrets`` and ``uuid`` would make of the same bytes, every byte handed out once — across threads
and after a fork — and ``randbelow`` uniform by rejection."""

from __future__ import annotations

import os
import threading
import uuid
from collections.abc import Iterator

import pytest

from webex_harness.emulator import entropy


@pytest.fixture
def known_bytes(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[bytes]]:
    """``os.urandom`` replaced by a counter of bytes 0, 1, 2 … (mod 256); yields the blocks fetched."""
    fetched: list[bytes] = []
    counter = iter(range(1 << 30))

    def urandom(n: int) -> bytes:
        block = bytes(next(counter) % 256 for _ in range(n))
        fetched.append(block)
        return block

    monkeypatch.setattr(os, "urandom", urandom)
    entropy._forget_block()
    yield fetched
    entropy._forget_block()


def test_token_hex_is_the_next_bytes_in_hex(known_bytes: list[bytes]) -> None:
    assert entropy.token_hex(3) == "000102"
    assert entropy.token_hex(2) == "0304"
    assert len(known_bytes) == 1 and len(known_bytes[0]) == entropy.BLOCK_BYTES


def test_a_draw_longer_than_what_is_left_of_a_block_takes_a_new_block(known_bytes: list[bytes]) -> None:
    entropy.token_hex(entropy.BLOCK_BYTES - 2)
    assert entropy.token_hex(4) == (entropy.BLOCK_BYTES % 256).to_bytes(1, "big").hex() + "010203"
    assert len(known_bytes) == 2
    assert len(entropy.token_hex(2 * entropy.BLOCK_BYTES)) == 4 * entropy.BLOCK_BYTES  # a block as big as asked


def test_randbelow_reads_the_fewest_whole_bytes_and_drops_the_extra_high_bits(known_bytes: list[bytes]) -> None:
    # 1000 needs 10 bits: two bytes, the top 6 bits dropped; 0x0001 >> 6 == 0
    assert entropy.randbelow(1000) == 0
    assert entropy.randbelow(255) == 2  # 8 bits: one byte, nothing dropped
    assert entropy.token_hex(1) == "03"


def test_randbelow_rejects_values_past_the_bound_and_draws_again(monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = iter([bytes([250, 251, 7]) + bytes(entropy.BLOCK_BYTES - 3)])
    monkeypatch.setattr(os, "urandom", lambda n: next(blocks))
    entropy._forget_block()
    try:
        assert entropy.randbelow(200) == 7  # 250 and 251 are past 200: rejected, not folded
    finally:
        entropy._forget_block()


@pytest.mark.parametrize("bound", [0, -5])
def test_randbelow_refuses_a_bound_that_is_not_positive(bound: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        entropy.randbelow(bound)


def test_randbelow_is_uniform_over_a_small_bound() -> None:
    counts = [0] * 6
    for _ in range(60_000):
        counts[entropy.randbelow(6)] += 1
    assert all(9_000 < c < 11_000 for c in counts), counts  # ±10 %: over 30 standard deviations


def test_uuid4_hex_is_a_version_4_uuid_of_the_next_16_bytes(known_bytes: list[bytes]) -> None:
    made = uuid.UUID(hex=entropy.uuid4_hex())
    assert made.version == 4 and made.variant == uuid.RFC_4122
    assert made == uuid.UUID(bytes=bytes(range(16)), version=4)
    assert entropy.token_hex(1) == "10"


def test_threads_drawing_at_once_never_get_the_same_bytes() -> None:
    tokens: list[str] = []

    def draw() -> None:
        mine = [entropy.token_hex(16) for _ in range(2_000)]
        tokens.extend(mine)

    threads = [threading.Thread(target=draw) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(tokens) == len(set(tokens)) == 16_000


@pytest.mark.skipif(not hasattr(os, "fork"), reason="fork only")
def test_a_forked_child_does_not_hand_out_its_parents_bytes() -> None:
    entropy.token_hex(1)  # the parent holds a block
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: report its next draw, then leave at once
        try:
            os.write(write_end, entropy.token_hex(16).encode())
        finally:
            os._exit(0)
    os.close(write_end)
    child = os.read(read_end, 64).decode()
    os.close(read_end)
    os.waitpid(pid, 0)
    assert len(child) == 32
    assert child != entropy.token_hex(16)  # the parent's next 16 bytes are not the child's
