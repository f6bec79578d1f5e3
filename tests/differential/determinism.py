"""A deterministic emulator, made from outside: a frozen clock and seeded randomness per call site.

The differential corpus compares answers byte for byte, so the emulator's clock and its random
draws (meeting keys, passwords, UUIDs, tracking IDs) must repeat exactly. Nothing in ``emulator/`` is
changed for it; :func:`deterministic` patches, for the duration of a ``with`` block:

- **the clock** — every module of ``webex_harness.emulator`` that holds ``datetime`` (the class) gets
  a subclass whose ``now()``/``utcnow()``/``today()`` answer :data:`FROZEN_NOW`, and
  ``emulator.model.Site.now`` answers :data:`FROZEN_NOW` plus the site's clock offset (so the
  control API's clock moves still move it);
- **randomness** — the entry points the emulator draws from: the emulator's own
  ``emulator.entropy.token_hex``, ``randbelow`` and ``uuid4_hex`` (the same values as ``secrets.token_hex``,
  ``secrets.randbelow`` and ``uuid.uuid4().hex`` from the same caller), and of the standard library
  ``secrets.token_hex``, ``secrets.token_bytes``, ``secrets.token_urlsafe``, ``secrets.randbelow``,
  ``secrets.randbits``, ``secrets.choice``, ``uuid.uuid4`` and ``random.random``, ``random.uniform``,
  ``random.randint``, ``random.randrange``, ``random.choice``, ``random.shuffle``.

Each draw comes from a seeded stream of its own **call site**: the stream is keyed by the module and
qualified name of the function that called the entry point AND of the function that called that one
(``webex_harness.emulator.model:digits<-webex_harness.emulator.model:Site.new_session_key``);
comprehension frames and generated code (a dataclass's ``__init__``) do not count. Two levels,
because the emulator draws through small shared helpers (``model.digits`` makes meeting keys,
conference IDs, host keys, audio passwords and the last three characters of every generated
password; ``model._token`` tickets and tokens): keyed by the helper alone, one fewer ``digits(3)`` in
``generate_password`` would shift every meeting key after it. So removing, adding or reordering draws
in one function never shifts the values another function gets. What stays the optimiser's to keep:

- read the clock at call time through ``datetime.now`` (the name ``datetime`` of an emulator module)
  or ``Site.now`` — not through ``time.time()`` or an alias of ``datetime.now`` taken at import;
- draw through these entry points (not ``os.urandom``, ``random.SystemRandom`` or a module-level
  ``random.Random``), from the same functions, called from the same functions (moving a draw from
  ``secrets.token_hex`` to ``entropy.token_hex`` in the same function changes nothing);
- a function that draws differently (one ``randbelow`` instead of eleven ``choice``) gets different
  values: the answers that show them differ. ``python -m tests.differential.record --check --mask
  REGEX`` shows whether anything else differs; then record again on purpose.

Not patched, because no answer depends on it: ``time.monotonic`` (which idle site is dropped past
``MAX_SITES``; the corpus creates far fewer sites).
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import secrets
import sys
import uuid
from collections.abc import Iterator, MutableSequence, Sequence
from datetime import UTC, datetime, tzinfo
from types import FrameType
from typing import Any, TypeVar

import webex_harness.emulator.app  # noqa: F401  (every emulator module loaded first: its clock is frozen)
from webex_harness.emulator import entropy, model

T = TypeVar("T")

#: The clock of every site while the corpus runs (UTC).
FROZEN_NOW = datetime(2026, 11, 21, 12, 0, 0, tzinfo=UTC)

#: The module (prefix) whose ``datetime`` globals are frozen.
EMULATOR_PACKAGE = "webex_harness.emulator"


class _FrozenMeta(type):
    """``isinstance(x, FrozenDatetime)`` is ``isinstance(x, datetime)``: the emulator's checks keep working."""

    def __instancecheck__(cls, instance: object) -> bool:
        return isinstance(instance, datetime)

    def __subclasscheck__(cls, subclass: type) -> bool:
        return issubclass(subclass, datetime)


class FrozenDatetime(datetime, metaclass=_FrozenMeta):
    """``datetime`` whose ``now()`` is :data:`FROZEN_NOW`; everything it makes (its constructor,
    ``fromisoformat``, ``strptime`` …) is a plain ``datetime``, so no answer shows the stand-in."""

    def __new__(cls, *args: Any, **kwargs: Any) -> datetime:  # type: ignore[misc]
        return datetime(*args, **kwargs)

    @classmethod
    def now(cls, tz: tzinfo | None = None) -> datetime:  # type: ignore[override]
        moment = FROZEN_NOW if tz is None else FROZEN_NOW.astimezone(tz)
        return moment.replace(tzinfo=None) if tz is None else moment

    @classmethod
    def utcnow(cls) -> datetime:  # type: ignore[override]
        return FROZEN_NOW.replace(tzinfo=None)

    @classmethod
    def today(cls) -> datetime:  # type: ignore[override]
        return FROZEN_NOW.replace(tzinfo=None)


#: Frames that are not a function of the source as written: comprehensions (their own frames in
#: Python 3.11, inlined from 3.12) are skipped, so are generated code (a dataclass's ``__init__``).
_COMPREHENSIONS = frozenset({"<listcomp>", "<dictcomp>", "<setcomp>", "<genexpr>"})


def _callers(frame: FrameType | None) -> tuple[str, str]:
    """``module:qualname`` of the first two frames from ``frame`` outwards that are functions of the
    source (see :data:`_COMPREHENSIONS`); ``""`` where there is none."""
    names: list[str] = []
    while frame is not None and len(names) < 2:
        code = frame.f_code
        if code.co_name not in _COMPREHENSIONS and not code.co_filename.startswith("<"):
            names.append(f"{frame.f_globals.get('__name__', '?')}:{code.co_qualname}")
        frame = frame.f_back
    names += [""] * (2 - len(names))
    return names[0], names[1]


class Streams:
    """One ``random.Random`` per call site, seeded from the site's name (sha256, not ``hash()``)."""

    def __init__(self, seed: str = "differential") -> None:
        self.seed = seed
        self._streams: dict[str, random.Random] = {}

    def for_caller(self) -> random.Random:
        """The stream of the patched entry point's caller and that caller's caller (module docstring)."""
        drawer, outer = _callers(sys._getframe(2))  # 0: here, 1: the patched entry point
        key = drawer + ("<-" + outer if outer else "")
        stream = self._streams.get(key)
        if stream is None:
            digest = hashlib.sha256(f"{self.seed}\0{key}".encode()).digest()
            stream = self._streams[key] = random.Random(int.from_bytes(digest[:16], "big"))
        return stream

    def keys(self) -> list[str]:
        """The call sites that drew so far (for the documentation and the tests)."""
        return sorted(self._streams)


def _patched(streams: Streams) -> dict[tuple[Any, str], Any]:
    """``(owner, attribute) -> replacement`` of every patched randomness entry point."""

    def token_bytes(nbytes: int | None = None) -> bytes:
        n = 32 if nbytes is None else nbytes
        return streams.for_caller().getrandbits(8 * n).to_bytes(n, "big") if n else b""

    def token_hex(nbytes: int | None = None) -> str:
        n = 32 if nbytes is None else nbytes
        return streams.for_caller().getrandbits(8 * n).to_bytes(n, "big").hex() if n else ""

    def token_urlsafe(nbytes: int | None = None) -> str:
        import base64

        n = 32 if nbytes is None else nbytes
        raw = streams.for_caller().getrandbits(8 * n).to_bytes(n, "big") if n else b""
        return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")

    def randbelow(exclusive_upper_bound: int) -> int:
        if exclusive_upper_bound <= 0:
            raise ValueError("Upper bound must be positive.")
        return streams.for_caller().randrange(exclusive_upper_bound)

    def randbits(k: int) -> int:
        return streams.for_caller().getrandbits(k)

    def choice(seq: Sequence[T]) -> T:
        return streams.for_caller().choice(seq)

    def uuid4() -> uuid.UUID:
        return uuid.UUID(int=streams.for_caller().getrandbits(128), version=4)

    def uuid4_hex() -> str:  # entropy.uuid4_hex is uuid.uuid4().hex: the same value from the same caller
        return uuid.UUID(int=streams.for_caller().getrandbits(128), version=4).hex

    def rnd() -> float:
        return streams.for_caller().random()

    def uniform(a: float, b: float) -> float:
        return streams.for_caller().uniform(a, b)

    def randint(a: int, b: int) -> int:
        return streams.for_caller().randint(a, b)

    def randrange(start: int, stop: int | None = None, step: int = 1) -> int:
        return streams.for_caller().randrange(start, stop, step)

    def shuffle(x: MutableSequence[Any]) -> None:
        streams.for_caller().shuffle(x)

    return {
        (secrets, "token_bytes"): token_bytes,
        (secrets, "token_hex"): token_hex,
        (secrets, "token_urlsafe"): token_urlsafe,
        (secrets, "randbelow"): randbelow,
        (secrets, "randbits"): randbits,
        (secrets, "choice"): choice,
        (uuid, "uuid4"): uuid4,
        (entropy, "token_hex"): token_hex,
        (entropy, "randbelow"): randbelow,
        (entropy, "uuid4_hex"): uuid4_hex,
        (random, "random"): rnd,
        (random, "uniform"): uniform,
        (random, "randint"): randint,
        (random, "randrange"): randrange,
        (random, "choice"): choice,
        (random, "shuffle"): shuffle,
    }


def _clock_patches() -> dict[tuple[Any, str], Any]:
    patches: dict[tuple[Any, str], Any] = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == EMULATOR_PACKAGE or name.startswith(EMULATOR_PACKAGE + ".")):
            continue
        if getattr(module, "datetime", None) is datetime:
            patches[(module, "datetime")] = FrozenDatetime

    def site_now(self: model.Site) -> datetime:
        return FROZEN_NOW + self.clock_offset

    patches[(model.Site, "now")] = site_now
    return patches


@contextlib.contextmanager
def deterministic(seed: str = "differential") -> Iterator[Streams]:
    """Freeze the emulator's clock and seed its randomness (module docstring) inside the block.

    Import the emulator (``webex_harness.emulator.app``) first: the clock is frozen in the modules
    loaded when the block starts. Yields the :class:`Streams` (which call sites drew)."""

    streams = Streams(seed)
    patches = {**_patched(streams), **_clock_patches()}
    saved: dict[tuple[Any, str], Any] = {(owner, attr): owner.__dict__[attr] for owner, attr in patches}
    try:
        for (owner, attr), value in patches.items():
            setattr(owner, attr, value)
        yield streams
    finally:
        for (owner, attr), value in saved.items():
            setattr(owner, attr, value)


__all__ = ["FROZEN_NOW", "FrozenDatetime", "Streams", "deterministic"]
