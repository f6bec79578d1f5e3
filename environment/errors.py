"""How a problem with an environment file is told: :class:`EnvironmentFileError`, one line
``<path>: <dotted key>: <problem>``, and the small helpers every check uses to show a wrong value
or an unknown key ("did you mean").

Stands on nothing of the project: the model (:mod:`environment.model`), the loader
(:mod:`environment.loader`) and the ``load:`` section's checks (:mod:`environment.load_section`)
all raise this one error type.
"""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

__all__ = ["EnvironmentFileError", "describe_value", "join_key", "short", "unknown_key"]


class EnvironmentFileError(ValueError):
    """A problem with an environment file: ``<path>: <key>: <problem>`` on one line.

    ``key`` is dotted (``credentials.password``, ``settings.password_required``), or ``(file)``
    for problems of the file as a whole (not found, YAML syntax).
    """

    def __init__(self, path: str | Path | None, key: str, problem: str) -> None:
        self.path = path
        self.key = key
        self.problem = " ".join(problem.split())
        super().__init__(str(self))

    def __str__(self) -> str:
        where = str(self.path) if self.path is not None else "<environment>"
        return f"{where}: {self.key}: {self.problem}"

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.key, self.problem))


def short(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def describe_value(value: Any) -> str:
    """How a wrong value is shown in a message: its repr, or the kind of container."""
    if value is None:
        return "nothing (null)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return short(value)


def join_key(parent: str, key: str) -> str:
    """``parent.key`` (just ``key`` at the top of the file)."""
    return f"{parent}.{key}" if parent else key


def unknown_key(name: str, known: tuple[str, ...]) -> str:
    """``unknown key (known: a, b); did you mean 'a'?`` — the problem of a key no section has."""
    message = f"unknown key (known: {', '.join(known)})"
    close = difflib.get_close_matches(name, known, n=1)
    return f"{message}; did you mean {close[0]!r}?" if close else message
