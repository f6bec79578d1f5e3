"""What a site playing one XML API release has: the catalogue (:mod:`generators.catalogue`) joined with
the release data (:mod:`webex.releases`).

The release data dates APIs, request and response elements and behaviours; the catalogue's
``uuid_release`` dates each API's meetingUUID support, which also dates the ``meetingUUID`` elements
of its answer. The emulator (which release it plays), the plugin (which contracts a site's release
skips) and ``webex-harness diff-versions`` all read it from here::

    >>> from webex_harness.webex.releases import Release
    >>> skip_reason(Release.parse("40.4.0"), ["meeting-uuid-equivalence"], "GetMeeting")
    'site plays 40.4.0; meetingUUID support for GetMeeting came with 40.6.0'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from webex_harness.generators.catalogue import ApiSpec, all_apis, api
from webex_harness.webex.behaviours import behaviour as behaviour_entry
from webex_harness.webex.releases import (
    Change,
    Release,
    Since,
    api_change,
    behaviour_change,
    element_changes,
    load,
)
from webex_harness.webex.releases import uuid_change as releases_uuid_change

__all__ = [
    "VersionChange",
    "api_missing",
    "changes_between",
    "missing_request_elements",
    "missing_response_elements",
    "response_element_changes",
    "response_elements_at",
    "skip_reason",
    "uuid_change",
    "uuid_missing",
    "without_later_request_elements",
]

UUID_BEHAVIOUR = "meeting-uuid-equivalence"


def uuid_change(name: str) -> Change | None:
    """When ``name`` gained meetingUUID support (:func:`webex.releases.uuid_change`), or None: never."""
    return releases_uuid_change(api(name).name)


def _is_uuid_path(path: str) -> bool:
    return path.rpartition("/")[2].rpartition(":")[2].lower() == "meetinguuid"


def response_element_changes(spec: ApiSpec) -> dict[str, Change]:
    """Every dated response element of ``spec`` (catalogue path -> change): the release data's, and
    its ``meetingUUID`` elements with the API's meetingUUID support."""
    dated = dict(element_changes(spec.name, "response"))
    uuid = uuid_change(spec.name)
    if uuid is not None:
        for path in spec.response_elements:
            if _is_uuid_path(path) and path not in dated:
                note = "answered with the API's meetingUUID support"
                dated[path] = Change(f"{spec.name} response {path}", uuid.introduced, None, note)
    return dated


def missing_response_elements(spec: ApiSpec, site: Release) -> dict[str, str]:
    """The dated response elements a site playing ``site`` does not answer (path -> why:
    ``"came with 40.12.0"``). A path covers its descendants."""
    return {path: why for path, c in response_element_changes(spec).items() if (why := c.why_missing(site))}


def response_elements_at(spec: ApiSpec, site: Release) -> tuple[str, ...]:
    """The catalogue's ``response_elements`` of ``spec`` that a site playing ``site`` answers, in order."""
    missing = missing_response_elements(spec, site)
    return tuple(p for p in spec.response_elements if not any(p == m or p.startswith(m + "/") for m in missing))


def missing_request_elements(spec: ApiSpec, site: Release) -> dict[str, str]:
    """The dated request elements of ``spec`` a site playing ``site`` does not take (path -> why)."""
    return {p: why for p, c in element_changes(spec.name, "request").items() if (why := c.why_missing(site))}


def without_later_request_elements(spec: ApiSpec, envelope: bytes, site: Release) -> bytes:
    """``envelope`` (one bodyContent of ``spec``) without the request elements that came after ``site``
    (a service of that release does not know them), nor ``meetingUUID`` where its support came later;
    unchanged when there is nothing to leave out."""
    paths = [tuple(step.rpartition(":")[2] for step in p.split("/")) for p in missing_request_elements(spec, site)]
    if uuid_missing(spec.name, site) is not None and spec.uuid_path is not None:
        paths.append(tuple(step.rpartition(":")[2] for step in spec.uuid_path.split("/")))
    if not paths:
        return envelope
    from lxml import etree

    root = etree.fromstring(envelope, parser=etree.XMLParser(resolve_entities=False, no_network=True))
    removed = False
    for body in root.iter("{*}bodyContent", "bodyContent"):
        for path in paths:
            for found in _walk(body, path):
                parent = found.getparent()
                if parent is not None:
                    parent.remove(found)
                    removed = True
    if not removed:
        return envelope
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def _walk(node: Any, path: tuple[str, ...]) -> list[Any]:
    """The elements under ``node`` at ``path`` (local names)."""
    found = [node]
    for step in path:
        found = [c for n in found for c in n if isinstance(c.tag, str) and c.tag.rpartition("}")[2] == step]
    return found


def api_missing(name: str, site: Release) -> str | None:
    """``"came with 40.6.0"`` when a site playing ``site`` does not have the API ``name``, else None."""
    return api_change(name).why_missing(site)


def uuid_missing(name: str, site: Release) -> str | None:
    """Why a site playing ``site`` refuses meetingUUID for ``name`` (``"came with 40.10.0"``), else None.
    An API without meetingUUID support in the catalogue is not the release's business: None."""
    uuid = uuid_change(name)
    return None if uuid is None else uuid.why_missing(site)


def skip_reason(site: Release, behaviours: Iterable[str], api_name: str | None) -> str | None:
    """Why a contract test of ``behaviours`` (its markers) and ``api_name`` (its ``api`` marker) cannot
    pass on a site playing ``site``, or None: the API came later, a behaviour came later (or went), or
    it proves meetingUUID for an API that gained it later."""
    prefix = f"site plays {site}; "
    if api_name is not None:
        why = api_missing(api_name, site)
        if why is not None:
            return f"{prefix}{api_name} {why}"
    for bid in behaviours:
        if bid == UUID_BEHAVIOUR and api_name is not None:
            why = uuid_missing(api_name, site)
            if why is not None:
                return f"{prefix}meetingUUID support for {api_name} {why}"
        why = behaviour_change(bid).why_missing(site)
        if why is not None:
            return f"{prefix}{_title(bid)} {why}"
    return None


def _title(behaviour_id: str) -> str:
    try:
        return f"{behaviour_entry(behaviour_id).title} ({behaviour_id})"
    except KeyError:
        return behaviour_id


@dataclass(frozen=True, slots=True)
class VersionChange:
    """One change between two releases: the release it came with, what (``api``, ``request``,
    ``response``, ``behaviour`` or ``uuid``), whether it was ``added`` or ``removed``, the subject and
    the note."""

    release: str
    kind: str
    action: str
    subject: str
    note: str

    def to_dict(self) -> dict[str, str]:
        return {
            "release": self.release,
            "kind": self.kind,
            "action": self.action,
            "subject": self.subject,
            "note": self.note,
        }


def _crossed(since: Since, old: Release, new: Release) -> Release | None:
    """The release of ``since`` that a move from ``old`` to ``new`` crosses (gained), or None."""
    if since.reached_by(new) and not since.reached_by(old):
        return next((r for r in since.releases if r <= new and (r.line == new.line or r == since.newest)), since.newest)
    return None


def _all_dated() -> list[tuple[str, str, Change]]:
    out = list(load().all_changes())
    for spec in all_apis():
        for path, change in response_element_changes(spec).items():
            if path not in element_changes(spec.name, "response"):
                out.append(("response", f"{spec.name} {path}", change))
    return out


def changes_between(old: Release, new: Release) -> list[VersionChange]:
    """What a site gains and loses going from ``old`` to ``new`` (``new`` may be the older one: then the
    additions are losses), sorted by release, then kind and subject."""
    forward = old <= new
    low, high = (old, new) if forward else (new, old)
    found: list[VersionChange] = []
    for kind, subject, change in _all_dated():
        note = change.note
        came = _crossed(change.introduced, low, high)
        if came is not None:
            found.append(VersionChange(str(came), kind, "added" if forward else "removed", subject, note))
        if change.removed is not None:
            went = _crossed(change.removed, low, high)
            if went is not None:
                found.append(VersionChange(str(went), kind, "removed" if forward else "added", subject, note))
    order = {"api": 0, "uuid": 1, "request": 2, "response": 3, "behaviour": 4}
    found.sort(key=lambda c: (Release.parse(c.release), order.get(c.kind, 9), c.subject))
    return found


def group_by_release(changes: Iterable[VersionChange]) -> Mapping[str, list[VersionChange]]:
    """``changes`` grouped by release, oldest first."""
    grouped: dict[str, list[VersionChange]] = {}
    for c in changes:
        grouped.setdefault(c.release, []).append(c)
    return grouped
