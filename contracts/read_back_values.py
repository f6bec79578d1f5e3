"""The values of a read-back contract, drawn from the catalogue: which request elements of an XML Set
API a test changes, a value for each that differs from what the object holds now, the Set body that
sends them in document order, and the comparison of a later answer with what was sent.

Nothing here knows an API by name: :mod:`contracts.read_back_pairs` says, per Set API, how the object
is made, read and listed and which elements are not compared (and why).
"""

from __future__ import annotations

import random
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from webex_harness.generators.catalogue import ApiSpec, ElementSpec
from webex_harness.generators.envelopes import GenContext, faker_for, valid_body
from webex_harness.plugin.run_names import own_name
from webex_harness.webex.envelope import XmlResponse

__all__ = ["Change", "answer_path", "changes", "set_body", "updatable"]

Scalar = str | int | bool


@dataclass(frozen=True, slots=True)
class Change:
    """One element a Set sends: its catalogue entry, the value sent, and where the answer shows it."""

    element: ElementSpec
    value: Scalar
    answer: str
    #: what the object held before the Set, as the answer showed it (None: not shown)
    before: str | None = None

    @property
    def path(self) -> str:
        return self.element.path

    def shown(self, got: str | None) -> bool:
        """Whether ``got`` (the text a later answer has at :attr:`answer`) is the value sent."""
        return got is not None and _normal(self.element, got) == _normal(self.element, self.value)


def _normal(element: ElementSpec, value: Scalar) -> str:
    text = str(value).strip()
    if element.type == "bool" or isinstance(value, bool):
        return text.lower()
    if element.type == "email":
        return text.lower()  # stored lowercase (behaviour email-lowercase)
    if element.type == "int":
        try:
            return str(int(text))
        except ValueError:
            return text
    return text


def _under(path: str, prefixes: Collection[str]) -> bool:
    return any(path == p or path.startswith(p + "/") for p in prefixes)


def _leaves(element: ElementSpec, left_out: bool = False) -> Iterator[tuple[ElementSpec, bool]]:
    """The leaves below ``element`` and whether each is left out of a valid body or sits in a
    repeated element (itself or a group above it)."""
    left_out = left_out or element.repeated or not element.in_valid
    if element.is_group:
        for child in element.children:
            yield from _leaves(child, left_out)
    else:
        yield element, left_out


def updatable(spec: ApiSpec, skip: Collection[str]) -> list[ElementSpec]:
    """The request elements of ``spec`` a read-back changes, in document order: every single-valued
    leaf a valid body carries, but the keys (``key``, ``uuid``) and those under a path of ``skip``
    (the object's identity and what is not compared). Leaves of a repeated element (a list of
    people, of rules) are left to the caller's ``skip`` table too: they are lists, not values."""
    out = []
    for top in spec.request:
        for leaf, left_out in _leaves(top):
            if left_out or leaf.type in ("key", "uuid") or _under(leaf.path, skip):
                continue
            out.append(leaf)
    return out


def answer_path(path: str, prefix: str, moved: Mapping[str, str]) -> str:
    """Where an answer of prefix ``prefix`` shows the request element ``path``: ``moved[path]``, else the
    same path with each unprefixed step given the answer's prefix (``metaData/confName`` ->
    ``meet:metaData/meet:confName``; ``tracking/com:trackingCode1`` -> ``event:tracking/com:trackingCode1``)."""
    if path in moved:
        return moved[path]
    return "/".join(step if ":" in step else f"{prefix}:{step}" for step in path.split("/"))


def _flat(tree: Mapping[str, Any], parent: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, value in tree.items():
        path = f"{parent}/{name}" if parent else name
        if isinstance(value, Mapping):
            out.update(_flat(value, path))
        else:
            out[path] = value
    return out


def _other(element: ElementSpec, drawn: Scalar, before: str | None, rnd: random.Random) -> Scalar:
    """``drawn`` (the generator's value), or for a value the object holds already one that differs; a
    value the catalogue fixes (``value:``) as it is."""
    if element.value is not None:
        return drawn
    if element.type == "bool":
        return before.strip().lower() != "true" if before is not None else bool(drawn)
    if before is None or _normal(element, drawn) != _normal(element, before):
        return drawn
    if element.type == "enum":
        return rnd.choice([v for v in element.enum if v != before.strip()] or list(element.enum))
    if element.type == "int":
        lo = element.min if element.min is not None else 0
        hi = element.max if element.max is not None else lo + 100
        value = int(drawn) + 1
        return value if value <= hi else lo + (value - lo) % max(hi - lo, 1)
    return f"{drawn} 2"


def changes(
    spec: ApiSpec,
    elements: list[ElementSpec],
    *,
    prefix: str,
    moved: Mapping[str, str],
    before: XmlResponse | None,
    named: Collection[str],
    choices: Mapping[str, Sequence[Scalar]],
    seed: int,
    ctx: GenContext | None = None,
) -> list[Change]:
    """A value for each of ``elements``: what :func:`generators.envelopes.valid_body` draws for it
    (``seed``; dates relative to now), made to differ from what ``before`` (the object's answer
    before the Set) shows, or one of ``choices[path]`` (what the site accepts); an element of ``named``
    carries the run's name (``own_name``), so what the Set renames is still the run's own."""
    base = ctx or GenContext()
    drawn = _flat(valid_body(spec, faker_for(seed), base.with_(now=datetime.now(UTC).replace(tzinfo=None))))
    rnd = random.Random(seed)
    out = []
    for element in elements:
        where = answer_path(element.path, prefix, moved)
        held = before.text(where) if before is not None else None
        value = drawn[element.path]
        if element.path in choices:
            others = [v for v in choices[element.path] if held is None or str(v) != held.strip()]
            value = rnd.choice(others or list(choices[element.path]))
        elif element.path in named:
            value = own_name(f"{str(value)[:40]} {seed}")
        out.append(Change(element, _other(element, value, held, rnd), where, held))
    return out


def set_body(spec: ApiSpec, fixed: Mapping[str, Scalar], sent: list[Change]) -> dict[str, Any]:
    """The Set body carrying ``fixed`` (the object's key elements, by path) and every change, in the
    catalogue's document order (docs/wire.md R-rules: elements in schema order)."""
    values: dict[str, Scalar] = {**fixed, **{c.path: c.value for c in sent}}

    def build(element: ElementSpec) -> Any:
        if not element.is_group:
            return values.get(element.path)
        inner = {child.name: build(child) for child in element.children}
        inner = {name: value for name, value in inner.items() if value is not None}
        return inner or None

    body = {top.name: build(top) for top in spec.request}
    return {name: value for name, value in body.items() if value is not None}
