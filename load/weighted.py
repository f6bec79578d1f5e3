"""How a load user picks its next API by weight: :class:`WeightedChoice`, a shuffled deck.

The ``calls`` scenario picks by the ``load.calls`` weights, the ``dashboard`` scenario by
:data:`load.envelopes.DASHBOARD_APIS` (:mod:`load.scenarios`). No locust import; stands on the
standard library alone.
"""

from __future__ import annotations

import bisect
import itertools
import math
import random
from typing import ClassVar

__all__ = ["WeightedChoice"]


class WeightedChoice:
    """Pick among ``items`` in proportion to their integer weights, as a shuffled deck.

    Each API appears ``weight / gcd`` times in a deck that is shuffled and dealt in order, then
    reshuffled: every deck holds the exact mix, so even a short run sends each API of the mix
    (a random draw per call would leave a weight-1 API out of a short run now and then) while
    the order stays unpredictable. Decks larger than :attr:`MAX_DECK` (extreme weight ratios)
    fall back to one weighted random draw per call.
    """

    MAX_DECK: ClassVar[int] = 10_000

    def __init__(self, weighted: dict[str, int], rng: random.Random) -> None:
        self.items = [name for name, weight in weighted.items() if weight > 0]
        weights = [weighted[name] for name in self.items]
        divisor = math.gcd(*weights)
        self.rng = rng
        self.cumulative = list(itertools.accumulate(weights))
        self.deck: list[str] = []
        if sum(weights) // divisor <= self.MAX_DECK:
            self.deck = [
                name for name, weight in zip(self.items, weights, strict=True) for _ in range(weight // divisor)
            ]
            self.rng.shuffle(self.deck)
        self.position = 0

    def pick(self) -> str:
        """The next API of the deck (a new shuffle once it is dealt)."""
        if not self.deck:
            return self.items[bisect.bisect_right(self.cumulative, self.rng.random() * self.cumulative[-1])]
        if self.position == len(self.deck):
            self.rng.shuffle(self.deck)
            self.position = 0
        name = self.deck[self.position]
        self.position += 1
        return name
