"""The release a site plays (setting ``api_version``): what the emulator answers like a service of that
release, for every API at once (:func:`emulator.dispatch.answer` applies it).

* An API that came after the release is unknown to the service: ``FAILURE 999998 Unsupported API``,
  as for any API the service lacks.
* ``meetingUUID`` sent to an API whose meetingUUID support came later is refused (FAILURE 999999
  naming the element and the release; the older schema has no such element).
* Response elements that came later (or went before) are left out of the answer, by their local
  names, wherever they occur (``ep:session/ep:isPrivateMeeting`` in every listed session); so are
  the ``meetingUUID`` elements of an API whose meetingUUID support came later.

The dates are :mod:`webex.releases`' (the release notes; the same data the contracts' skips and
``diff-versions`` read). A site playing the latest release is answered unchanged, without any look-up.
"""

from __future__ import annotations

import functools
from typing import Any

from webex_harness.emulator.xmlio import Elements, Node
from webex_harness.webex import releases
from webex_harness.webex.errors import WebexError, invalid_request, webex_error
from webex_harness.webex.releases import Release
from webex_harness.webex.settings import LATEST_API_VERSION

__all__ = ["plays_latest", "refusal", "trim"]

#: A dropped path as local names: ``("session", "isPrivateMeeting")``.
_Path = tuple[str, ...]


def plays_latest(api_version: str) -> bool:
    """Whether a site with setting ``api_version`` plays the latest release (nothing to change)."""
    return api_version == LATEST_API_VERSION


@functools.cache
def _release(api_version: str) -> Release:
    return Release.parse(api_version)


def refusal(api_version: str, api: str, body: Node) -> WebexError | None:
    """The FAILURE a site playing ``api_version`` answers ``api`` with before any handler runs, or None."""
    if plays_latest(api_version):
        return None
    release = _release(api_version)
    if releases.api_change(api).why_missing(release) is not None:
        return webex_error("999998", api)
    why = _uuid_missing(api, release)
    if why is not None and any(n.name == "meetingUUID" for n in body.iter()):
        return invalid_request(f"meetingUUID is not an element of {api} in release {release}: its support {why}")
    return None


def _uuid_missing(api: str, release: Release) -> str | None:
    uuid = releases.uuid_change(api)
    return None if uuid is None else uuid.why_missing(release)


@functools.cache
def _dropped(api: str, api_version: str) -> tuple[_Path, ...]:
    """The local-name paths to leave out of ``api``'s answers on a site of ``api_version``."""
    release = _release(api_version)
    changes = releases.element_changes(api, "response")
    paths = [
        tuple(step.rpartition(":")[2] for step in path.split("/"))
        for path, c in changes.items()
        if c.why_missing(release)
    ]
    return tuple(paths)


@functools.cache
def _drops_uuid(api: str, api_version: str) -> bool:
    return _uuid_missing(api, _release(api_version)) is not None


def _local(tag: str) -> str:
    return tag.rpartition(":")[2]


def _prune(elements: Elements, paths: tuple[_Path, ...], uuid: bool) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for tag, value in elements:
        name = _local(tag)
        if (name,) in paths or (uuid and name.lower() == "meetinguuid"):
            continue
        deeper = tuple(p[1:] for p in paths if len(p) > 1 and p[0] == name)
        if (deeper or uuid) and isinstance(value, (list, tuple)):
            value = _prune(value, deeper, uuid)
        out.append((tag, value))
    return out


def trim(api_version: str, api: str, elements: Elements) -> Elements:
    """``elements`` without the response elements a site playing ``api_version`` does not answer."""
    if plays_latest(api_version):
        return elements
    paths = _dropped(api, api_version)
    uuid = _drops_uuid(api, api_version)
    return _prune(elements, paths, uuid) if paths or uuid else elements
