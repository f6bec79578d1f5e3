"""The masking of what pytest reports, with the run's one :class:`~webex.masking.SecretSet`: a test
report and its exception masked in place (:func:`mask_report`, :func:`mask_exception`), and
:func:`scrub_files`, the last pass over the report files.

Stands on :mod:`webex.masking` (the secret set the clients, the ledger and the recorder share).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from webex_harness.webex.masking import SecretSet

#: the report files :func:`scrub_files` reads (and any file with "attachment" in its name)
_SCRUB_SUFFIXES = (".json", ".xml", ".txt", ".md", ".html", ".log", ".csv", ".jsonl", ".attach", ".properties")


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
    names = (
        [f.name for f in dataclasses.fields(obj)]
        if dataclasses.is_dataclass(obj)
        else list(getattr(obj, "__dict__", {}))
    )
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
                object.__setattr__(current, "msg", secrets.mask(msg))
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
