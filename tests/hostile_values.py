"""Hostile values for the property tests that keep envelopes well-formed and aim at the values: the
edge values of each kind of field (dates, numbers, texts), a hypothesis strategy that puts them
into a valid envelope's fields, and arbitrary JSON for REST bodies."""

from __future__ import annotations

import re

from hypothesis import strategies as st
from lxml import etree

DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}")
NUMBER = re.compile(r"^-?\d+$")
DATES = [
    "12/31/9999 23:59:59",
    "01/01/0001 00:00:00",
    "12/31/2999 23:59:59",
    "01/01/1970 00:00:00",
    "02/30/2030 10:00:00",
    "13/01/2030 10:00:00",
    "12/31/2030 24:00:00",
    "1/1/2030 1:1:1",
    "2030-12-31T10:00:00Z",
    "",
]
NUMBERS = ["0", "-1", "2147483648", "-9223372036854775809", str(2**64), "١٢", "1_000", "1e3", "0x10", " 7 ", "NaN"]
TEXTS = ["", " ", "x" * 70_000, "\r\n", "&#13;", "<b>x</b>", "\u202e", "\U0001f600", "TRUE", "null", "-"]

#: Any JSON value, with the dates, huge numbers and long strings REST bodies must survive.
JSON_VALUES = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(-(2**70), 2**70),
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from(["", "x" * 5000, "2030-12-31T10:00:00Z", "9999-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "١٢"]),
        st.text(max_size=12),
    ),
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=8), inner, max_size=4)),
    max_leaves=10,
)


def leaves(root: etree._Element) -> list[etree._Element]:
    """The leaf elements of the envelope's (first) bodyContent."""
    body = [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname == "bodyContent"]
    return [e for e in body[0].iter() if isinstance(e.tag, str) and len(e) == 0 and e is not body[0]] if body else []


def xml_safe(text: str) -> bool:
    """``text`` holds only characters XML 1.0 allows."""
    return all(c in "\t\n\r" or " " <= c <= "\ud7ff" or "\ue000" <= c <= "\ufffd" or c > "\uffff" for c in text)


def mutated(draw: st.DrawFn, raw: bytes) -> bytes:
    """``raw`` (a valid envelope) with hostile values: every field of one kind (dates, numbers or
    texts) set to one edge value of that kind — so a stored far date meets the lists that read it —
    or one to three fields set to anything."""
    root = etree.fromstring(raw)
    found = leaves(root)
    if not found:
        return raw
    if draw(st.booleans()):
        pool = draw(st.sampled_from([DATES, NUMBERS, TEXTS]))
        kind = {id(DATES): DATE, id(NUMBERS): NUMBER}.get(id(pool))
        value = draw(st.sampled_from(pool))
        for leaf in found:
            text = (leaf.text or "").strip()
            same_kind = kind.match(text) if kind is not None else not (DATE.match(text) or NUMBER.match(text))
            if same_kind:
                leaf.text = value
    else:
        for _ in range(draw(st.integers(1, 3))):
            leaf = draw(st.sampled_from(found))
            text = (leaf.text or "").strip()
            pool = DATES if DATE.match(text) else NUMBERS if NUMBER.match(text) else TEXTS
            anything = st.one_of(st.sampled_from(pool), st.sampled_from(NUMBERS + DATES), st.text(max_size=20))
            leaf.text = draw(anything.filter(xml_safe))
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
