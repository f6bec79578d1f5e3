"""Reading and changing a request body tree by element path, as the edge cases do.

A body tree is the ``webex.envelope`` format :func:`generators.envelopes.valid_body` returns:
nested dicts keyed by element name, a list for a repeated element. A path is the catalogue's
slash-separated ``ElementSpec.path`` (``metaData/confName``, ``attendees/person/email``); where a
step of it is a list, every item is walked. Stands on nothing but the standard library.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

__all__ = [
    "containers",
    "delete",
    "first",
    "fit",
    "group_items",
    "local",
    "parts",
    "present",
    "replace_group",
    "set_value",
]


def parts(path: str) -> list[str]:
    """``metaData/confName`` -> ``["metaData", "confName"]``."""
    return path.split("/")


def containers(node: Any, steps: list[str]) -> Iterator[dict[str, Any]]:
    """Every mapping that holds the last element of ``steps`` (lists are walked item by item)."""
    if isinstance(node, list):
        for item in node:
            yield from containers(item, steps)
        return
    if not isinstance(node, dict):
        return
    if len(steps) == 1:
        if steps[0] in node:
            yield node
        return
    if steps[0] in node:
        yield from containers(node[steps[0]], steps[1:])


def present(body: dict[str, Any], path: str) -> bool:
    """Whether ``body`` holds an element at ``path``."""
    return any(True for _ in containers(body, parts(path)))


def set_value(body: dict[str, Any], path: str, value: Any, *, every: bool = False) -> None:
    """Set the (first, or every) element at ``path``; create missing groups on the way."""
    steps = parts(path)
    found = list(containers(body, steps))
    if not found:
        node = body
        for step in steps[:-1]:
            nxt = node.get(step)
            if isinstance(nxt, list):
                nxt = nxt[0] if nxt else {}
            if not isinstance(nxt, dict):
                nxt = {}
                node[step] = nxt
            node = nxt
        found = [node]
    for container in found if every else found[:1]:
        current = container.get(steps[-1])
        if isinstance(current, list) and current and not isinstance(value, list):
            current[0] = value
        else:
            container[steps[-1]] = value


def delete(body: dict[str, Any], path: str) -> None:
    """Remove every element at ``path``."""
    for container in list(containers(body, parts(path))):
        container.pop(parts(path)[-1], None)


def first(body: dict[str, Any], path: str) -> Any:
    """The value of the first element at ``path`` (of a list: its first item); ``None`` if absent."""
    for container in containers(body, parts(path)):
        value = container[parts(path)[-1]]
        return value[0] if isinstance(value, list) and value else value
    return None


def group_items(body: dict[str, Any], path: str) -> list[Any]:
    """The items of the first non-empty repeated group at ``path``; ``[]`` if there is none."""
    steps = parts(path)
    for container in containers(body, steps):
        value = container.get(steps[-1])
        if isinstance(value, list) and value:
            return value
    return []


def replace_group(body: dict[str, Any], path: str, items: list[Any]) -> None:
    """Replace the first group at ``path`` with ``items``."""
    steps = parts(path)
    for container in containers(body, steps):
        container[steps[-1]] = items
        return


def local(name: str) -> str:
    """An element name without its namespace prefix (``event:sessionKey`` -> ``sessionKey``)."""
    return name.split(":", 1)[-1]


def fit(text: str, length: int) -> str:
    """``text`` repeated and cut to exactly ``length`` characters (no trailing space)."""
    out = (text * (length // max(len(text), 1) + 1))[:length]
    return out if not out.endswith(" ") else out[:-1] + "x"
