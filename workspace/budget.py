"""One request budget for every process of a run (issue 11): a file-backed counter in the run folder.

``budget.max_requests`` caps everything a run sends to the target — the contract workers, their
clean-up, every locust process (set-up, tasks and clean-up) and the clean-up after the run. The
run's phases get shares of it (:func:`split_run_budget`); each share is a *pool* of one counter
file, ``<run-dir>/budget.json``, that every process of the run draws from::

    {"total": 500,
     "split": {"contracts": 300, "contracts_cleanup_reserve": 30, "load": 150,
               "load_cleanup_reserve": 30, "final_cleanup": 50},
     "pools": {"contracts":         {"limit": 270, "used": 112},
               "contracts-cleanup": {"limit": 30,  "used": 4},
               "load":              {"limit": 120, "used": 0},
               "load-cleanup":      {"limit": 30,  "used": 0},
               "cleanup":           {"limit": null, "used": 0}}}

``limit`` null: whatever the total leaves (the final clean-up gets its share and what the phases
did not spend). ``used`` counts requests *taken*: a process takes a few at a time
(:class:`BudgetDraw`, so a locust process does not pay a file lock per request) and gives back
what it did not send when it closes. Every change happens under an exclusive ``fcntl.flock`` of
``budget.json.lock`` and replaces the file atomically, and no grant ever takes a pool past its
limit or the pools together past ``total`` — so the run never exceeds its budget, even when a
process dies holding requests it took (those are simply lost to the run).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

#: the counter's file name in the run folder
COUNTER_FILE = "budget.json"
#: pool names: the contract tests, their clean-up, the load run, its clean-up, the clean-up after the run
CONTRACTS, CONTRACTS_CLEANUP, LOAD, LOAD_CLEANUP, FINAL_CLEANUP = (
    "contracts",
    "contracts-cleanup",
    "load",
    "load-cleanup",
    "cleanup",
)
#: shares of ``run`` (percent of the total): final clean-up, contracts (load gets the rest)
FINAL_CLEANUP_PERCENT = 10
CONTRACTS_PERCENT = 60
#: clean-up reserves, percent of the phase's share: contracts create few objects per request, load users many
CONTRACTS_RESERVE_PERCENT = 10
LOAD_RESERVE_PERCENT = 20
#: most requests a process takes at once (fewer when the pool runs low)
CHUNK = 64


class BudgetCounterError(RuntimeError):
    """The counter file cannot be read or written (the run then sends nothing more)."""


@dataclass(frozen=True, slots=True)
class BudgetSplit:
    """How a run's ``budget.max_requests`` is shared between its phases (each share includes its reserve)."""

    total: int
    contracts: int = 0
    contracts_reserve: int = 0
    load: int = 0
    load_reserve: int = 0
    final_cleanup: int = 0

    def pools(self) -> dict[str, int | None]:
        """Pool limits of the counter file (the final clean-up's: whatever the total leaves)."""
        return {
            CONTRACTS: self.contracts - self.contracts_reserve,
            CONTRACTS_CLEANUP: self.contracts_reserve,
            LOAD: self.load - self.load_reserve,
            LOAD_CLEANUP: self.load_reserve,
            FINAL_CLEANUP: None,
        }

    def to_dict(self) -> dict[str, int]:
        return {
            "total": self.total,
            "contracts": self.contracts,
            "contracts_cleanup_reserve": self.contracts_reserve,
            "load": self.load,
            "load_cleanup_reserve": self.load_reserve,
            "final_cleanup": self.final_cleanup,
        }

    def describe(self, processes: int = 1) -> str:
        """``500 requests — contracts 300 (clean-up reserve 30), load 150 (…), final clean-up 50``."""
        parts = []
        if self.contracts:
            parts.append(f"contracts {self.contracts} (clean-up reserve {self.contracts_reserve})")
        if self.load:
            shared = f", shared by {processes} locust processes" if processes > 1 else ""
            parts.append(f"load {self.load} (clean-up reserve {self.load_reserve}{shared})")
        if self.final_cleanup:
            parts.append(f"final clean-up {self.final_cleanup} + what the phases leave")
        return f"{self.total} requests — " + ", ".join(parts)


def split_run_budget(total: int, *, contracts: bool = True, load: bool = True) -> BudgetSplit:
    """The phases' shares of ``total``: with both phases 60 % contracts, 30 % load, 10 % for the
    clean-up after the contracts; a phase that does not run leaves its share to the other. Of
    each phase's share 10 % (contracts) or 20 % (load) is kept for its own clean-up."""
    if total < 0:
        raise ValueError(f"a budget of {total} requests")
    final = total * FINAL_CLEANUP_PERCENT // 100 if contracts else 0
    contracts_share = 0
    if contracts:
        contracts_share = total * CONTRACTS_PERCENT // 100 if load else total - final
    load_share = total - final - contracts_share if load else 0
    return BudgetSplit(
        total,
        contracts_share,
        contracts_share * CONTRACTS_RESERVE_PERCENT // 100,
        load_share,
        load_share * LOAD_RESERVE_PERCENT // 100,
        final,
    )


class SharedBudget:
    """The counter file of one run (module docstring): create it, take from and give back to its pools."""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.lock_path = self.path.with_name(self.path.name + ".lock")

    # -- the file ----------------------------------------------------------------------------
    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        fd = os.open(self.lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            yield
        finally:
            os.close(fd)  # closing the descriptor releases the lock

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BudgetCounterError(f"no budget counter at {self.path}") from None
        except (OSError, ValueError) as exc:
            raise BudgetCounterError(f"budget counter {self.path} is unreadable: {exc}") from None
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("pools"), dict)
            or not isinstance(data.get("total"), int)
        ):
            raise BudgetCounterError(f"budget counter {self.path} is not a counter")
        return data

    def _write(self, data: Mapping[str, Any]) -> None:
        temp = self.path.with_name(f".{self.path.name}.{os.getpid()}.{threading.get_ident()}")
        temp.write_text(json.dumps(data) + "\n", encoding="utf-8")
        os.replace(temp, self.path)  # readers see the old or the new counter, never half of one

    @classmethod
    def create(cls, path: Path, split: BudgetSplit) -> SharedBudget:
        """The counter at ``path``: made with ``split``'s pools unless it exists (then it is kept:
        the run that made it decided the split)."""
        counter = cls(path)
        counter.path.parent.mkdir(parents=True, exist_ok=True)
        with counter._locked():
            if not counter.path.exists():
                pools = {name: {"limit": limit, "used": 0} for name, limit in split.pools().items()}
                counter._write({"total": split.total, "split": split.to_dict(), "pools": pools})
        return counter

    # -- pools -------------------------------------------------------------------------------
    @staticmethod
    def _available(data: dict[str, Any], pool: str) -> int:
        entry = data["pools"].get(pool)
        if not isinstance(entry, dict):
            return 0
        spent = sum(int(p.get("used", 0)) for p in data["pools"].values() if isinstance(p, dict))
        left = int(data["total"]) - spent
        limit = entry.get("limit")
        if limit is not None:
            left = min(left, int(limit) - int(entry.get("used", 0)))
        return max(0, left)

    def take(self, pool: str, wanted: int) -> int:
        """Take up to ``wanted`` requests from ``pool``: how many were granted (0 = none left)."""
        if wanted <= 0:
            return 0
        with self._locked():
            data = self._read()
            granted = min(wanted, self._available(data, pool))
            if granted:
                data["pools"][pool]["used"] = int(data["pools"][pool].get("used", 0)) + granted
                self._write(data)
        return granted

    def take_chunk(self, pool: str, chunk: int = CHUNK) -> int:
        """Like :meth:`take`, sized to what is left: at most ``chunk``, and at most an eighth of
        what the pool has left (never less than one), so that no process hoards a small pool."""
        with self._locked():
            data = self._read()
            available = self._available(data, pool)
            granted = min(chunk, max(1, available // 8), available)
            if granted:
                data["pools"][pool]["used"] = int(data["pools"][pool].get("used", 0)) + granted
                self._write(data)
        return granted

    def give_back(self, pool: str, count: int) -> None:
        """Return ``count`` requests taken from ``pool`` and not sent."""
        if count <= 0:
            return
        with self._locked():
            data = self._read()
            entry = data["pools"].get(pool)
            if isinstance(entry, dict):
                entry["used"] = max(0, int(entry.get("used", 0)) - count)
                self._write(data)

    def snapshot(self) -> dict[str, Any]:
        """The counter as it is now (``used`` of each pool, and ``used`` of the whole run)."""
        with self._locked():
            data = self._read()
        data["used"] = sum(int(p.get("used", 0)) for p in data["pools"].values() if isinstance(p, dict))
        return data

    def limit_of(self, pool: str) -> int:
        """The most ``pool`` can ever grant (its limit, or the total for an open pool)."""
        data = self.snapshot()
        entry = data["pools"].get(pool)
        if not isinstance(entry, dict):
            return 0
        return int(data["total"]) if entry.get("limit") is None else int(entry["limit"])

    def draw(self, *pools: str, chunk: int = CHUNK) -> BudgetDraw:
        return BudgetDraw(self, pools, chunk=chunk)


def read_counter(run_dir: Path) -> dict[str, Any] | None:
    """``<run_dir>/budget.json`` with ``used`` filled in, or None when the run has none."""
    path = Path(run_dir) / COUNTER_FILE
    if not path.is_file():
        return None
    try:
        return SharedBudget(path).snapshot()
    except (BudgetCounterError, OSError):
        return None


class BudgetDraw:
    """One process's draw on a :class:`SharedBudget`: :meth:`take` one request at a time from
    requests taken in chunks, from the first of ``pools`` that has any left. Thread-safe; a
    forked child starts with nothing taken (the parent's chunk stays the parent's)."""

    def __init__(self, counter: SharedBudget, pools: tuple[str, ...], *, chunk: int = CHUNK) -> None:
        if not pools:
            raise ValueError("a draw needs at least one pool")
        self.counter = counter
        self.pools = pools
        self.chunk = max(1, chunk)
        self.sent = 0
        self._lock = threading.Lock()
        self._held = 0
        self._held_pool = pools[0]
        self._pid = os.getpid()

    def take(self) -> bool:
        """Count one request: True when it may be sent, False when every pool is spent."""
        with self._lock:
            if self._pid != os.getpid():
                self._pid, self._held, self.sent = os.getpid(), 0, 0
            if not self._held:
                for pool in self.pools:
                    try:
                        self._held = self.counter.take_chunk(pool, self.chunk)
                    except BudgetCounterError:
                        self._held = 0  # no counter, no request: fail closed
                        return False
                    if self._held:
                        self._held_pool = pool
                        break
                else:
                    return False
            self._held -= 1
            self.sent += 1
            return True

    def close(self) -> None:
        """Give back what was taken and not sent (the next :meth:`take` starts afresh)."""
        with self._lock:
            held, self._held = self._held, 0
            if held and self._pid == os.getpid():
                with contextlib.suppress(BudgetCounterError, OSError):
                    self.counter.give_back(self._held_pool, held)

    def describe(self) -> str:
        return f"{' then '.join(self.pools)} share of the run's budget ({self.counter.path})"


__all__ = [
    "CONTRACTS",
    "CONTRACTS_CLEANUP",
    "COUNTER_FILE",
    "FINAL_CLEANUP",
    "LOAD",
    "LOAD_CLEANUP",
    "BudgetCounterError",
    "BudgetDraw",
    "BudgetSplit",
    "SharedBudget",
    "read_counter",
    "split_run_budget",
]
