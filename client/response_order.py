"""The documented order of an answer's elements: the catalogue contract's order check, and the
``xml-response-elements`` check of every exchange (:mod:`client.xml_checks`).

The catalogue lists each API's ``response_elements`` (XPaths with the documented prefixes) in the
order the reference's response sample shows them. An answer keeps that order when the first element
each path finds comes, in document order, after the one the path before it found — for siblings
that is the catalogue's order among them, and a parent always comes before its children. Paths the
answer lacks are left to the presence check.

Stands on :mod:`webex.envelope` only (pure: no target).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from webex_harness.webex.envelope import XmlResponse

__all__ = ["OrderProblem", "order_problem"]


@dataclass(frozen=True, slots=True)
class OrderProblem:
    """The documented paths in the catalogue's order and in the answer's."""

    api: str
    expected: tuple[str, ...]
    actual: tuple[str, ...]

    def __str__(self) -> str:
        return (
            f"{self.api}: documented response elements out of order: expected {list(self.expected)},"
            f" answered {list(self.actual)}"
        )


def order_problem(api: str, response: XmlResponse, paths: Sequence[str]) -> OrderProblem | None:
    """``None`` when the answer's elements at ``paths`` come in that order; else what was expected
    and what the answer has (the paths it holds, sorted by where their first element is)."""
    if response.body is None:
        return None
    elements = list(response.body.iter())  # held, so each node keeps one proxy (and one id) below
    position = {id(el): i for i, el in enumerate(elements)}
    found: list[tuple[int, str]] = []
    for path in paths:
        hits = [el for el in response.xpath(path) if id(el) in position]
        if hits:
            found.append((position[id(hits[0])], path))
    expected = tuple(path for _, path in found)
    actual = tuple(path for _, path in sorted(found, key=lambda item: item[0]))
    if expected == actual:
        return None
    return OrderProblem(api, expected, actual)
