"""The XML API Reference Guide's list of APIs (``reference.yaml``) as typed, immutable dataclasses.

Every API the guide documents, filed under the guide's service chapters in the guide's order, with
its page, plus the APIs the catalogue takes from the XML API 40 release notes that the guide does
not list::

    >>> from webex_harness.generators.reference import reference_api
    >>> reference_api("LstrecordaccessHistory").url
    'https://developer.cisco.com/docs/webex-xml-api-reference-guide/lstrecordaccesshistory'

The YAML's header describes the schema. :func:`answered` joins the list with the catalogue: an API
is answered here when the catalogue has it (the emulator answers every catalogue API and the generic
catalogue contracts cover each one).
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from importlib import resources
from typing import Any

import yaml

from webex_harness.generators.catalogue import SERVICE_ORDER, xml_api_names

__all__ = [
    "GUIDE",
    "SEEN",
    "ReferenceApi",
    "ReferenceError",
    "ReferenceService",
    "answered",
    "missing",
    "parse",
    "reference_api",
    "reference_apis",
    "reference_services",
]

#: Where the guide's pages live: ``GUIDE + page``.
GUIDE = "https://developer.cisco.com/docs/webex-xml-api-reference-guide/"

#: How an API's page was checked, and what each word means.
SEEN: dict[str, str] = {
    "toc": "listed in the guide's table of contents",
    "overview": "listed on the service's overview page",
    "page": "its page read",
    "unchecked": "its page not yet read",
}

_API_KEYS = frozenset({"name", "page", "seen", "deprecated", "release_notes", "note"})
_SERVICE_KEYS = frozenset({"name", "catalogue", "apis"})


class ReferenceError(ValueError):
    """``reference.yaml`` does not follow its schema (the message names the service or API)."""


@dataclass(frozen=True, slots=True)
class ReferenceApi:
    """One API of the guide (or of the release notes, when ``page`` is ``None``)."""

    name: str
    service: str
    page: str | None
    seen: str
    deprecated: bool = False
    release_notes: tuple[str, ...] = ()
    note: str | None = None

    @property
    def url(self) -> str | None:
        """The guide's page of the API; ``None`` when the guide has none."""
        return None if self.page is None else GUIDE + self.page

    @property
    def in_guide(self) -> bool:
        return self.page is not None


@dataclass(frozen=True, slots=True)
class ReferenceService:
    """One chapter of the guide: its title, the catalogue services it maps to and its APIs."""

    name: str
    catalogue: tuple[str, ...]
    apis: tuple[ReferenceApi, ...]


def _api(service: str, raw: Any) -> ReferenceApi:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
        raise ReferenceError(f"{service}: an API needs a name, got {raw!r}")
    name = raw["name"]
    unknown = set(raw) - _API_KEYS
    if unknown:
        raise ReferenceError(f"{service}: {name}: unknown key(s) {sorted(unknown)}")
    seen = raw.get("seen")
    if seen not in SEEN:
        raise ReferenceError(f"{service}: {name}: seen {seen!r} not one of {sorted(SEEN)}")
    page = raw["page"] if "page" in raw else name.lower()
    if page is not None and (not isinstance(page, str) or page != page.lower() or "/" in page):
        raise ReferenceError(f"{service}: {name}: page {page!r} is not a lower-case slug")
    return ReferenceApi(
        name=name,
        service=service,
        page=page,
        seen=seen,
        deprecated=bool(raw.get("deprecated", False)),
        release_notes=tuple(str(r) for r in raw.get("release_notes") or ()),
        note=raw.get("note"),
    )


def _service(raw: Any) -> ReferenceService:
    if not isinstance(raw, Mapping) or not isinstance(raw.get("name"), str):
        raise ReferenceError(f"a service needs a name, got {raw!r}")
    name = raw["name"]
    unknown = set(raw) - _SERVICE_KEYS
    if unknown:
        raise ReferenceError(f"{name}: unknown key(s) {sorted(unknown)}")
    catalogue = tuple(raw.get("catalogue") or ())
    wrong = [c for c in catalogue if c not in SERVICE_ORDER]
    if wrong:
        raise ReferenceError(f"{name}: catalogue service(s) {wrong} not one of {list(SERVICE_ORDER)}")
    return ReferenceService(name, catalogue, tuple(_api(name, a) for a in raw.get("apis") or ()))


def parse(raw: Any) -> tuple[ReferenceService, ...]:
    """The services of a parsed ``reference.yaml``; :class:`ReferenceError` naming what is wrong."""
    if not isinstance(raw, Mapping) or not isinstance(raw.get("services"), list):
        raise ReferenceError("reference.yaml needs a `services:` list")
    services = tuple(_service(s) for s in raw["services"])
    seen: set[str] = set()
    for service in services:
        for api in service.apis:
            if api.name.lower() in seen:
                raise ReferenceError(f"{service.name}: {api.name} is listed twice")
            seen.add(api.name.lower())
    return services


@functools.cache
def reference_services() -> tuple[ReferenceService, ...]:
    """The guide's services, in its order (loaded once)."""
    text = resources.files("webex_harness.generators").joinpath("reference.yaml").read_text(encoding="utf-8")
    return parse(yaml.safe_load(text))


def reference_apis() -> tuple[ReferenceApi, ...]:
    """Every listed API, service by service in the guide's order."""
    return tuple(api for service in reference_services() for api in service.apis)


def reference_api(name: str) -> ReferenceApi:
    """The listed API ``name`` (case-insensitive); ``KeyError`` naming it otherwise."""
    for api in reference_apis():
        if api.name.lower() == name.lower():
            return api
    raise KeyError(f"{name!r} is not in the reference's list of APIs (generators/reference.yaml)")


def answered(api: ReferenceApi) -> bool:
    """The catalogue has ``api`` (exact spelling): the emulator answers it and the generic catalogue
    contracts cover it."""
    return api.name in set(xml_api_names())


def missing() -> tuple[ReferenceApi, ...]:
    """The listed APIs the catalogue does not have yet, in the guide's order."""
    names = set(xml_api_names())
    return tuple(api for api in reference_apis() if api.name not in names)
