"""The run's secrets and the masking of what pytest reports: :class:`SecretSet` (every credential
the run declares, makes or sees on the wire), the masking of a test report and its exception in
place, and :func:`scrub_files`, the last pass over the report files.

Stands on :mod:`webex.masking` (the element and header patterns, the mask itself).
"""

from __future__ import annotations

import dataclasses
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from webex.masking import MASK, mask

_TOKEN = re.compile(r"[A-Za-z0-9_-]{6,}")
_TOKEN_FULL = re.compile(r"^[A-Za-z0-9_-]{6,}$")
#: the report files :func:`scrub_files` reads (and any file with "attachment" in its name)
_SCRUB_SUFFIXES = (".json", ".xml", ".txt", ".md", ".html", ".log", ".csv", ".jsonl", ".attach")


class SecretSet:
    """Every credential of the run: declared (the environment's), of the sites the run made, and
    seen on the wire (passwords signed in with, tickets and tokens handed out).

    :meth:`mask` is fast with thousands of them: token-shaped secrets are looked up per token of the
    text in a set; the few others (and the declared ones) are replaced as substrings.
    """

    def __init__(self, declared: Iterable[str] = ()) -> None:
        self._lock = threading.Lock()
        self._tokens: set[str] = set()
        self._odd: set[str] = set()
        self._declared: set[str] = set()
        for value in declared:
            self.add(value, declared=True)

    def add(self, value: str | None, *, declared: bool = False) -> None:
        if not value or len(value) < (3 if declared else 6) or value == MASK:
            return
        with self._lock:
            if declared:
                self._declared.add(value)
            (self._tokens if _TOKEN_FULL.match(value) else self._odd).add(value)

    def update(self, values: Iterable[str], *, declared: bool = False) -> None:
        for value in values:
            self.add(value, declared=declared)

    def values(self) -> list[str]:
        with self._lock:
            return sorted(self._tokens | self._odd)

    def __len__(self) -> int:
        return len(self._tokens) + len(self._odd)

    def mask(self, text: str, *, patterns: bool = True) -> str:
        """``text`` masked; ``patterns=False`` skips :func:`webex.masking.mask`'s element and header
        patterns (for exchanges the client has masked with them already)."""
        if not text:
            return text
        with self._lock:
            literal = list(self._odd | self._declared)
            tokens = self._tokens
            if patterns:
                out = mask(text, literal)
            else:
                out = text
                for secret in sorted((s for s in literal if s in out), key=len, reverse=True):
                    out = out.replace(secret, MASK)
            if tokens and not tokens.isdisjoint(_TOKEN.findall(out)):
                out = _TOKEN.sub(lambda m: MASK if m.group(0) in tokens else m.group(0), out)
        return out

    def leaks(self, text: str) -> bool:
        return self.mask(text) != text


def _mask_obj(obj: Any, secrets: SecretSet, seen: set[int] | None = None, depth: int = 0) -> Any:
    """``obj`` (a report's longrepr: strings, tuples, lists, pytest's repr dataclasses) with every
    string masked; objects are changed in place."""
    if isinstance(obj, str):
        return secrets.mask(obj)
    if obj is None or isinstance(obj, (int, float, bool)) or depth > 12:
        return obj
    seen = seen if seen is not None else set()
    if id(obj) in seen:
        return obj
    seen.add(id(obj))
    if isinstance(obj, tuple):
        return tuple(_mask_obj(x, secrets, seen, depth + 1) for x in obj)
    if isinstance(obj, list):
        obj[:] = [_mask_obj(x, secrets, seen, depth + 1) for x in obj]
        return obj
    if isinstance(obj, dict):
        for key in list(obj):
            obj[key] = _mask_obj(obj[key], secrets, seen, depth + 1)
        return obj
    names = [f.name for f in dataclasses.fields(obj)] if dataclasses.is_dataclass(obj) else list(
        getattr(obj, "__dict__", {}))
    for name in names:
        try:
            value = getattr(obj, name)
            masked = _mask_obj(value, secrets, seen, depth + 1)
            if masked is not value:
                object.__setattr__(obj, name, masked)
        except (AttributeError, TypeError):
            continue
    return obj


def mask_exception(exc: BaseException, secrets: SecretSet) -> None:
    """Mask an exception's message in place, and those of its causes (allure reads ``excinfo.exconly()``)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        try:
            if any(isinstance(a, str) and secrets.leaks(a) for a in current.args):
                current.args = tuple(secrets.mask(a) if isinstance(a, str) else a for a in current.args)
            msg = getattr(current, "msg", None)  # pytest.fail()'s Failed shows .msg, not .args
            if isinstance(msg, str) and secrets.leaks(msg):
                current.msg = secrets.mask(msg)  # type: ignore[attr-defined]
            notes = getattr(current, "__notes__", None)
            if isinstance(notes, list):
                notes[:] = [secrets.mask(n) if isinstance(n, str) else n for n in notes]
        except (AttributeError, TypeError):
            pass
        current = current.__cause__ or current.__context__


def mask_report(report: pytest.TestReport, call: pytest.CallInfo[None], secrets: SecretSet) -> None:
    """Mask a test report in place: its failure representation, its captured output and the exception."""
    if report.longrepr is not None:
        report.longrepr = _mask_obj(report.longrepr, secrets)
    if report.sections:
        report.sections = [(title, secrets.mask(content)) for title, content in report.sections]
    if call.excinfo is not None:
        mask_exception(call.excinfo.value, secrets)


def scrub_files(paths: Iterable[Path], secrets: SecretSet) -> list[Path]:
    """Last line of defence: mask credentials left in report files; the files it had to change."""
    changed = []
    for path in paths:
        if not path.is_file() or not (path.suffix in _SCRUB_SUFFIXES or "attachment" in path.name):
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        masked = secrets.mask(text)
        if masked != text:
            path.write_text(masked, encoding="utf-8")
            changed.append(path)
    return changed
