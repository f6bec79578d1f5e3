"""The release a site plays (setting ``api_version``): what the emulator answers like a service of that
release, for every API at once (:func:`emulator.dispatch.answer` applies it).

* An API that came after the release is unknown to the service: ``FAILURE 999998 Unsupported API``,
  as for any API the service lacks.
* ``meetingUUID`` sent to an API whose meetingUUID support came later is refused (FAILURE 999999
  naming the element and the release; the older schema has no such element).
* Response elements that came later (or went before) are left out of the answer, by their local
  names, wherever they occur (``ep:session/ep:isPrivateMeeting`` in every listed session).

The dates are :mod:`generators.api_releases`' (the release notes joined with the catalogue). A site
playing the latest release is answered unchanged, without any look-up.
"""

from __future__ import annotations

import functools
from typing import Any

from webex_harness.emulator.xmlio import Elements, Node
from webex_harness.generators import api_releases
from webex_harness.generators.catalogue import api as catalogue_api
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


def _in_catalogue(api: str) -> bool:
    try:
        catalogue_api(api)
    except KeyError:
        return False
    return True


def refusal(api_version: str, api: str, body: Node) -> WebexError | None:
    """The FAILURE a site playing ``api_version`` answers ``api`` with before any handler runs, or None."""
    if plays_latest(api_version) or not _in_catalogue(api):
        return None
    release = _release(api_version)
    if api_releases.api_missing(api, release) is not None:
        return webex_error("999998", api)
    why = api_releases.uuid_missing(api, release)
    if why is not None and any(n.name == "meetingUUID" for n in body.iter()):
        return invalid_request(f"meetingUUID is not an element of {api} in release {release}: its support {why}")
    return None


@functools.cache
def _dropped(api: str, api_version: str) -> tuple[_Path, ...]:
    if not _in_catalogue(api):
        return ()
    missing = api_releases.missing_response_elements(catalogue_api(api), _release(api_version))
    return tuple(tuple(step.rpartition(":")[2] for step in path.split("/")) for path in missing)


def _local(tag: str) -> str:
    return tag.rpartition(":")[2]


def _prune(elements: Elements, paths: tuple[_Path, ...]) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for tag, value in elements:
        name = _local(tag)
        if (name,) in paths:
            continue
        deeper = tuple(p[1:] for p in paths if len(p) > 1 and p[0] == name)
        if deeper and isinstance(value, (list, tuple)):
            value = _prune(value, deeper)
        out.append((tag, value))
    return out


def trim(api_version: str, api: str, elements: Elements) -> Elements:
    """``elements`` without the response elements a site playing ``api_version`` does not answer."""
    if plays_latest(api_version):
        return elements
    paths = _dropped(api, api_version)
    return _prune(elements, paths) if paths else elements
