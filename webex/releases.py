"""The XML API releases (``webex/releases.yaml``): parse and compare releases, and which release
brought or took away each API, request or response element and behaviour.

The data comes from the release notes of XML API 40 (document 001); anything the file does not name
has been there since the first release, :data:`FIRST`::

    >>> from webex_harness.webex.releases import Release, behaviour_change
    >>> Release.parse("40.4.0") < Release.parse("40.10.0")
    True
    >>> behaviour_change("locked-lobby").available_in(Release.parse("40.4.0"))
    False

A change may come to two release lines at once (001's section "40.4.8, 40.2.9"): a release has it
when it is at least the newest of them, or at least the one of its own line (40.2.9 has it, 40.4.0
does not, 40.4.8 does). Stands on PyYAML only.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from webex_harness import shipped

__all__ = [
    "DATA",
    "FIRST",
    "Change",
    "Release",
    "ReleaseData",
    "ReleaseError",
    "Since",
    "api_change",
    "behaviour_change",
    "element_changes",
    "known_releases",
    "load",
    "release_problem",
    "uuid_change",
]

DATA = shipped("webex", "releases.yaml")

_RELEASE = re.compile(r"(\d+)\.(\d+)\.(\d+)")

Where = Literal["request", "response"]


class ReleaseError(ValueError):
    """A release that is not ``<major>.<minor>.<patch>``, or ``releases.yaml`` breaks its schema."""


@dataclass(frozen=True, slots=True, order=True)
class Release:
    """One XML API release, ``40.4.0``; ordered by its numbers (40.4.0 < 40.10.0)."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Release:
        match = _RELEASE.fullmatch(str(text).strip())
        if match is None:
            raise ReleaseError(f"expected a release such as '40.4.0', got {text!r}")
        return cls(int(match.group(1)), int(match.group(2)), int(match.group(3)))

    @property
    def line(self) -> tuple[int, int]:
        """The release line: ``(40, 4)`` for 40.4.8."""
        return (self.major, self.minor)

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


@dataclass(frozen=True, slots=True)
class Since:
    """The release(s) a change came with: one, or one per release line (``40.4.8, 40.2.9``)."""

    releases: tuple[Release, ...]

    @classmethod
    def parse(cls, text: str) -> Since:
        parts = [Release.parse(p) for p in str(text).split(",") if p.strip()]
        if not parts:
            raise ReleaseError(f"no release in {text!r}")
        return cls(tuple(sorted(parts, reverse=True)))

    @property
    def newest(self) -> Release:
        return self.releases[0]

    @property
    def oldest(self) -> Release:
        return self.releases[-1]

    def reached_by(self, site: Release) -> bool:
        """Whether a site playing ``site`` has the change: at least the newest, or at least the one of
        its own release line."""
        if site >= self.newest:
            return True
        return any(site.line == r.line and site >= r for r in self.releases[1:])

    def __str__(self) -> str:
        return ", ".join(str(r) for r in self.releases)


@dataclass(frozen=True, slots=True)
class Change:
    """What the notes say of one API, element or behaviour: the release it came with, the one that took
    it away (None: still there) and a one-line description."""

    subject: str
    introduced: Since
    removed: Since | None
    note: str

    def available_in(self, site: Release) -> bool:
        """Whether a site playing ``site`` has it."""
        if not self.introduced.reached_by(site):
            return False
        return self.removed is None or not self.removed.reached_by(site)

    def why_missing(self, site: Release) -> str | None:
        """``"came with 40.6.0"`` / ``"removed in 40.8.0"`` when ``site`` lacks it, else None."""
        if not self.introduced.reached_by(site):
            return f"came with {self.introduced}"
        if self.removed is not None and self.removed.reached_by(site):
            return f"removed in {self.removed}"
        return None


@dataclass(frozen=True, slots=True)
class ReleaseData:
    """The whole file: the releases, and the changes keyed by API, element and behaviour."""

    releases: tuple[Release, ...]
    apis: Mapping[str, Change]
    #: API name -> "request"/"response" -> element path -> change
    elements: Mapping[str, Mapping[Where, Mapping[str, Change]]]
    behaviours: Mapping[str, Change]
    #: API name -> when it gained meetingUUID (request and answer)
    uuid: Mapping[str, Change]

    def all_changes(self) -> list[tuple[str, str, Change]]:
        """``(kind, subject, change)`` for every entry: kind ``api``, ``request``, ``response``,
        ``behaviour`` or ``uuid``; an element's subject is ``"GetMeeting meet:metaData/meet:isPrivateMeeting"``."""
        out: list[tuple[str, str, Change]] = [("api", n, c) for n, c in self.apis.items()]
        for api, sides in self.elements.items():
            for where, paths in sides.items():
                out.extend((where, f"{api} {path}", c) for path, c in paths.items())
        out.extend(("behaviour", b, c) for b, c in self.behaviours.items())
        out.extend(("uuid", a, c) for a, c in self.uuid.items())
        return out


def _change(subject: str, raw: Any) -> Change:
    if not isinstance(raw, Mapping) or "introduced" not in raw:
        raise ReleaseError(f"releases.yaml: {subject}: expected {{introduced, removed?, note}}, got {raw!r}")
    unknown = set(raw) - {"introduced", "removed", "note"}
    if unknown:
        raise ReleaseError(f"releases.yaml: {subject}: unknown key(s) {sorted(unknown)}")
    removed = raw.get("removed")
    return Change(
        subject=subject,
        introduced=Since.parse(raw["introduced"]),
        removed=None if removed is None else Since.parse(removed),
        note=str(raw.get("note") or ""),
    )


def parse(raw: Mapping[str, Any]) -> ReleaseData:
    """The data of one parsed ``releases.yaml``; every release an entry names must be listed."""
    releases = tuple(Release.parse(r) for r in raw.get("releases") or ())
    if list(releases) != sorted(set(releases)):
        raise ReleaseError("releases.yaml: releases must be listed once each, oldest first")
    apis = {str(n): _change(str(n), v) for n, v in (raw.get("apis") or {}).items()}
    elements: dict[str, dict[Where, dict[str, Change]]] = {}
    for api, sides in (raw.get("elements") or {}).items():
        unknown = set(sides) - {"request", "response"}
        if unknown:
            raise ReleaseError(f"releases.yaml: elements of {api}: unknown key(s) {sorted(unknown)}")
        elements[str(api)] = {
            where: {str(p): _change(f"{api} {where} {p}", v) for p, v in (sides.get(where) or {}).items()}
            for where in ("request", "response")
            if sides.get(where)
        }
    behaviours = {str(b): _change(str(b), v) for b, v in (raw.get("behaviours") or {}).items()}
    uuid = {
        str(a): Change(
            f"{a} meetingUUID", Since.parse(v), None, "meetingUUID accepted wherever the key is, and answered"
        )
        for a, v in (raw.get("uuid") or {}).items()
    }
    data = ReleaseData(releases, apis, elements, behaviours, uuid)
    listed = set(releases)
    for _, subject, change in data.all_changes():
        named = change.introduced.releases + (change.removed.releases if change.removed else ())
        missing = [str(r) for r in named if r not in listed]
        if missing:
            raise ReleaseError(f"releases.yaml: {subject} names release(s) not under releases: {', '.join(missing)}")
    return data


@functools.cache
def load() -> ReleaseData:
    """The shipped ``releases.yaml``, read once."""
    return parse(yaml.safe_load(DATA.read_text(encoding="utf-8")))


def known_releases() -> tuple[Release, ...]:
    """Every release the notes name, oldest first (40.1.0 … 40.12.0)."""
    return load().releases


FIRST = Release(40, 1, 0)


def release_problem(text: str) -> str | None:
    """Why ``text`` is not a release the notes name (listing them), or None."""
    try:
        release = Release.parse(text)
    except ReleaseError as err:
        return str(err)
    if release not in known_releases():
        names = ", ".join(str(r) for r in known_releases())
        return f"unknown release {text!r}: the release notes name {names}"
    return None


def _default(subject: str) -> Change:
    return Change(subject, Since((FIRST,)), None, "")


def api_change(name: str) -> Change:
    """The release of the API ``name`` (default: there since :data:`FIRST`)."""
    return load().apis.get(name) or _default(name)


def behaviour_change(behaviour_id: str) -> Change:
    """The release since which a site does what behaviour ``behaviour_id`` promises (default: :data:`FIRST`)."""
    return load().behaviours.get(behaviour_id) or _default(behaviour_id)


def uuid_change(api: str) -> Change | None:
    """When ``api`` gained meetingUUID, or None: the notes never list it."""
    return load().uuid.get(api)


def element_changes(api: str, where: Where) -> Mapping[str, Change]:
    """The request or response elements of ``api`` the notes date (path -> change); others are as old
    as the API."""
    return load().elements.get(api, {}).get(where, {})
