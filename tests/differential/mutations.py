"""Seeded mutations of a valid envelope: bytes (a flipped bit, a cut, a repeat, random bytes) and
values (one leaf of the body given an odd value). Each returns the new bytes and a short description.
"""

from __future__ import annotations

import random

from lxml import etree

#: Values a mutated leaf gets (the service's odd inputs). No date near the calendar's end: a meeting
#: stored there would change every later list answer of its site whenever date rules change.
ODD_VALUES = (
    "",
    " ",
    "-1",
    "0",
    "2147483648",
    "18446744073709551616",
    "1e3",
    "\u0661\u0662",
    "TRUE",
    "null",
    "<&>\"'",
    "\r\n",
    "x" * 600,
    "01/01/1969 00:00:00",
    "13/45/2026 25:61:61",
    "\u00e9\u4e2d\U0001f600",
)


def byte_mutation(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    if not data:
        return data, "empty"
    at = rng.randrange(len(data))
    kind = rng.choice(("flip", "cut", "repeat", "insert"))
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :], f"bit flipped at {at}"
    size = rng.randint(1, 40)
    if kind == "cut":
        return data[:at] + data[at + size :], f"{size} bytes cut at {at}"
    if kind == "repeat":
        return data[:at] + data[at : at + size] * 3 + data[at:], f"{size} bytes repeated at {at}"
    return data[:at] + bytes(rng.randrange(256) for _ in range(size)) + data[at:], f"{size} random bytes at {at}"


def value_mutation(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    root = etree.fromstring(data)
    leaves = [
        el
        for el in root.iter()
        if isinstance(el.tag, str)
        and len(el) == 0
        and (el.text or "").strip()
        and not any(etree.QName(a).localname == "securityContext" for a in el.iterancestors())
    ]
    if not leaves:
        return data, "no leaf"
    leaf = rng.choice(leaves)
    value = rng.choice(ODD_VALUES)
    leaf.text = value
    name = etree.QName(leaf).localname
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8"), f"{name} = {value[:20]!r}"


def mutations(data: bytes, seed: str, count: int) -> list[tuple[bytes, str]]:
    """``count`` mutations of ``data`` (bytes and values in turn), the same for the same ``seed``."""
    rng = random.Random(seed)
    return [(byte_mutation if n % 2 == 0 else value_mutation)(data, rng) for n in range(count)]
