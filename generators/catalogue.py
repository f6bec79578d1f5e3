"""The API catalogue (``catalogue.yaml``) as typed, immutable dataclasses, loaded once.

Every XML API the documentation names (66 plus ``AuthenticateUser``) in service order, and the
REST meetings operations::

    >>> from generators.catalogue import api
    >>> api("CreateMeeting").body_type
    'java:com.webex.service.binding.meeting.CreateMeeting'

The YAML's header describes the schema. The loader adds the behaviours that concern every API
(``envelope-shape``, ``body-content-limit``), ``list-paging`` to ``Lst*`` APIs,
``meeting-uuid-equivalence`` to the APIs 001 lists for meetingUUID support and
``response-element-order`` to the APIs with two or more documented response elements.
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import yaml

from webex_harness.webex.namespaces import SERVICE_PREFIX, body_content_type

__all__ = [
    "REFERENCE_GUIDE",
    "SEED_FILES",
    "SERVICE_ORDER",
    "ApiSpec",
    "ElementSpec",
    "RestCatalogue",
    "RestOperation",
    "Source",
    "all_apis",
    "api",
    "body_content_sample",
    "rest_catalogue",
    "rest_operations",
    "xml_api_names",
]

#: Seed ids used in ``sources`` -> the file name of the text copy of the document it names (docs/sources.md).
SEED_FILES: dict[str, str] = {
    "000": "000_ed98765319f03f8f.txt",
    "001": "001_38a74a061b38787e.txt",
    "002": "002_66707848bc71953a.txt",
    "003": "003_04476d505fec563f.txt",
    "004": "004_57edca17de2a01e0.txt",
}

#: The services in catalogue order (``meetingtype`` holds GetMeetingType/LstMeetingType).
SERVICE_ORDER: tuple[str, ...] = (
    "meeting",
    "meetingtype",
    "event",
    "training",
    "teleconference",
    "attendee",
    "user",
    "site",
    "ep",
    "support",
    "history",
)

ELEMENT_TYPES = frozenset(
    {"string", "int", "bool", "date", "email", "enum", "key", "uuid", "password", "html", "group"}
)
KEY_KINDS = frozenset({"sessionKey", "meetingKey", "meetingUUID"})
DOCUMENTED = frozenset({"full", "partial", "silent"})
_LEAF_KEYS = frozenset(
    {
        "type",
        "required",
        "min_length",
        "max_length",
        "min",
        "max",
        "enum",
        "repeated",
        "count",
        "gen",
        "value",
        "example",
        "days",
        "in_valid",
        "note",
        "children",
    }
)
_ALWAYS = ("envelope-shape", "body-content-limit")


#: Where the XML API Reference Guide's pages are: a ``ref:<page>`` source is this plus the page.
REFERENCE_GUIDE = "https://developer.cisco.com/docs/webex-xml-api-reference-guide/"
#: A reference page's name in the guide's addresses: ``getloginticket``, ``xml-request-and-response-documents``.
_PAGE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")


@dataclass(frozen=True, slots=True)
class Source:
    """Where a fact comes from: a seed file and, for the 001 release notes, the release; or a page of
    the XML API Reference Guide (``ref:getloginticket``: seed ``ref``, ``page`` the page's name)."""

    seed: str
    release: str
    page: str | None = None

    @property
    def url(self) -> str | None:
        """The reference page's address; None for a seed."""
        return None if self.page is None else REFERENCE_GUIDE + self.page

    @property
    def file(self) -> str:
        """The seed's text copy (``SEED_FILES``), or a reference page's address."""
        return self.url or SEED_FILES.get(self.seed, self.seed)

    def __str__(self) -> str:
        return self.url or f"{self.seed} ({self.release})"


@dataclass(frozen=True, slots=True)
class ElementSpec:
    """One request element: its type, limits and how a valid body fills it.

    ``path`` is the slash-separated path from the bodyContent (``metaData/confName``).
    ``count`` is the number of items a valid body sends for a repeated element (``-1``: every
    enum value). ``days`` bounds a date relative to the generator's ``now``.
    """

    name: str
    path: str
    type: str
    required: bool = False
    min_length: int | None = None
    max_length: int | None = None
    min: int | None = None
    max: int | None = None
    enum: tuple[str, ...] = ()
    repeated: bool = False
    count: int = 1
    gen: str | None = None
    value: str | int | bool | None = None
    example: str | None = None
    days: tuple[int, int] | None = None
    in_valid: bool = True
    note: str | None = None
    children: tuple[ElementSpec, ...] = ()

    @property
    def is_group(self) -> bool:
        return self.type == "group"

    def walk(self) -> Iterator[ElementSpec]:
        """This element and all its descendants, depth first in document order."""
        yield self
        for child in self.children:
            yield from child.walk()

    def child(self, name: str) -> ElementSpec:
        for c in self.children:
            if c.name == name:
                return c
        raise KeyError(f"{self.path} has no child element {name!r}")


@dataclass(frozen=True, slots=True)
class ApiSpec:
    """One XML API of the catalogue."""

    name: str
    service: str
    body_type: str
    response_type: str
    response_prefix: str
    request: tuple[ElementSpec, ...]
    key_kind: str | None
    key_path: str | None
    uuid_release: str | None
    not_found: str | None
    response_elements: tuple[str, ...]
    behaviours: tuple[str, ...]
    sources: tuple[Source, ...]
    sample: bool
    documented: str
    notes: str | None = None

    @property
    def uuid_accepted(self) -> bool:
        """001 lists the API for meetingUUID support *and* it takes a key the UUID can replace."""
        return self.uuid_release is not None and self.key_path is not None

    @property
    def uuid_path(self) -> str | None:
        """Where ``meetingUUID`` replaces the key: the key's sibling, with the key's prefix
        (``event:sessionKey`` -> ``event:meetingUUID``). ``None`` unless :attr:`uuid_accepted`."""
        if not self.uuid_accepted or self.key_path is None:
            return None
        parent, _, local = self.key_path.rpartition("/")
        prefix = local.split(":", 1)[0] + ":" if ":" in local else ""
        return f"{parent}/{prefix}meetingUUID" if parent else f"{prefix}meetingUUID"

    @property
    def is_list(self) -> bool:
        """The answer is a list with ``matchingRecords`` (``Lst*``, and GetEnrollmentInfo's enrolled
        attendees): an empty one is FAILURE 000015."""
        return self.name.startswith("Lst") or self.name == "GetEnrollmentInfo"

    def elements(self) -> Iterator[ElementSpec]:
        """Every request element, depth first in document order."""
        for top in self.request:
            yield from top.walk()

    def element(self, path: str) -> ElementSpec:
        """The element at ``path`` (``metaData/confName``); ``KeyError`` naming the API otherwise."""
        for el in self.elements():
            if el.path == path:
                return el
        raise KeyError(f"{self.name} has no request element {path!r}")

    def has_element(self, path: str) -> bool:
        return any(el.path == path for el in self.elements())

    def source_text(self) -> str:
        """``001 (40.6.0), 002 (reference), https://developer.cisco.com/…/getloginticket`` — for reports."""
        return ", ".join(str(s) for s in self.sources) or "undocumented in the seeds"


@dataclass(frozen=True, slots=True)
class RestOperation:
    """One REST meetings operation (seed 003 and docs/wire.md J1–J11)."""

    name: str
    method: str
    path: str
    status: int
    documented: str
    behaviours: tuple[str, ...]
    notes: str | None = None

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True, slots=True)
class RestCatalogue:
    """The REST part of the catalogue: operations, body limits and enums (seed 003)."""

    base: str
    sources: tuple[Source, ...]
    operations: tuple[RestOperation, ...]
    limits: Mapping[str, Any] = field(default_factory=dict)
    enums: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


class CatalogueError(ValueError):
    """``catalogue.yaml`` does not follow its schema (the message names the API and element)."""


def _source(text: str) -> Source:
    seed, _, release = str(text).partition(":")
    seed = seed.strip()
    if seed == "ref":
        page = release.strip()
        if not _PAGE.fullmatch(page):
            raise CatalogueError(
                f"source {text!r}: expected ref:<page of the reference guide>, e.g. ref:getloginticket"
            )
        return Source("ref", "reference", page)
    if seed not in SEED_FILES:
        raise CatalogueError(f"unknown seed {seed!r} in source {text!r}")
    return Source(seed, release.strip() or "reference")


def _element(api_name: str, name: str, raw: Any, parent: str) -> ElementSpec:
    path = f"{parent}/{name}" if parent else name
    where = f"{api_name}: {path}"
    if isinstance(raw, str):
        required = raw.endswith("!")
        kind = raw.rstrip("!")
        if kind not in ELEMENT_TYPES or kind == "group":
            raise CatalogueError(f"{where}: unknown element type {raw!r}")
        return ElementSpec(name=name, path=path, type=kind, required=required)
    if not isinstance(raw, Mapping):
        raise CatalogueError(f"{where}: expected a type name or a mapping, got {raw!r}")
    if not isinstance(raw.get("type"), str):
        # a mapping without a string ``type`` is a group of its keys
        members = tuple(_element(api_name, k, v, path) for k, v in raw.items())
        return ElementSpec(name=name, path=path, type="group", children=members)
    unknown = set(raw) - _LEAF_KEYS
    if unknown:
        raise CatalogueError(f"{where}: unknown key(s) {sorted(unknown)}")
    kind = raw["type"]
    if kind not in ELEMENT_TYPES:
        raise CatalogueError(f"{where}: unknown element type {kind!r}")
    children: tuple[ElementSpec, ...] = ()
    if kind == "group":
        children = tuple(_element(api_name, k, v, path) for k, v in (raw.get("children") or {}).items())
    elif "children" in raw:
        raise CatalogueError(f"{where}: only a group has children")
    enum = tuple(str(v) for v in raw.get("enum") or ())
    if kind == "enum" and not enum:
        raise CatalogueError(f"{where}: an enum needs values")
    count_raw = raw.get("count", 1)
    count = -1 if count_raw == "all" else int(count_raw)
    days = raw.get("days")
    return ElementSpec(
        name=name,
        path=path,
        type=kind,
        required=bool(raw.get("required", False)),
        min_length=raw.get("min_length"),
        max_length=raw.get("max_length"),
        min=raw.get("min"),
        max=raw.get("max"),
        enum=enum,
        repeated=bool(raw.get("repeated", False)),
        count=count,
        gen=raw.get("gen"),
        value=raw.get("value"),
        example=None if raw.get("example") is None else str(raw["example"]),
        days=(int(days[0]), int(days[1])) if days else None,
        in_valid=bool(raw.get("in_valid", True)),
        note=raw.get("note"),
        children=children,
    )


def _lower_first(name: str) -> str:
    return name[:1].lower() + name[1:]


def _api(raw: Mapping[str, Any]) -> ApiSpec:
    name = raw["name"]
    service = raw["service"]
    if service not in SERVICE_PREFIX:
        raise CatalogueError(f"{name}: unknown service {service!r}")
    prefix = SERVICE_PREFIX[service]
    response_type = raw.get("response_type") or f"{prefix}:{_lower_first(name)}Response"
    key_kind = raw.get("key_kind")
    if key_kind is not None and key_kind not in KEY_KINDS:
        raise CatalogueError(f"{name}: key_kind {key_kind!r} not one of {sorted(KEY_KINDS)}")
    documented = raw.get("documented")
    if documented not in DOCUMENTED:
        raise CatalogueError(f"{name}: documented {documented!r} not one of {sorted(DOCUMENTED)}")
    request = tuple(_element(name, k, v, "") for k, v in (raw.get("request") or {}).items())
    key_path = raw.get("key_path") or key_kind
    uuid_release = raw.get("uuid_release")
    behaviours = list(_ALWAYS)
    for b in raw.get("behaviours") or ():
        if b not in behaviours:
            behaviours.append(b)
    if name.startswith("Lst") and "list-paging" not in behaviours:
        behaviours.append("list-paging")
    if uuid_release and "meeting-uuid-equivalence" not in behaviours:
        behaviours.append("meeting-uuid-equivalence")
    if len(raw.get("response_elements") or ()) >= 2 and "response-element-order" not in behaviours:
        behaviours.append("response-element-order")
    spec = ApiSpec(
        name=name,
        service=service,
        body_type=body_content_type(service, name),
        response_type=response_type,
        response_prefix=response_type.split(":", 1)[0],
        request=request,
        key_kind=key_kind,
        key_path=key_path,
        uuid_release=None if uuid_release is None else str(uuid_release),
        not_found=None if raw.get("not_found") is None else str(raw["not_found"]),
        response_elements=tuple(raw.get("response_elements") or ()),
        behaviours=tuple(behaviours),
        sources=tuple(_source(s) for s in raw.get("sources") or ()),
        sample=bool(raw.get("sample", False)),
        documented=documented,
        notes=raw.get("notes"),
    )
    if key_path is not None and not spec.has_element(key_path):
        raise CatalogueError(f"{name}: key_path {key_path!r} is not a request element")
    if spec.uuid_path is not None and not spec.has_element(spec.uuid_path):
        raise CatalogueError(f"{name}: meetingUUID alternative {spec.uuid_path!r} is not a request element")
    return spec


@dataclass(frozen=True, slots=True)
class _Catalogue:
    apis: tuple[ApiSpec, ...]
    by_name: Mapping[str, ApiSpec]
    by_lower: Mapping[str, ApiSpec]
    rest: RestCatalogue
    body_content_sample: frozenset[str]


def _rest(raw: Mapping[str, Any]) -> RestCatalogue:
    ops = tuple(
        RestOperation(
            name=o["name"],
            method=o["method"],
            path=o["path"],
            status=int(o["status"]),
            documented=o["documented"],
            behaviours=tuple(o.get("behaviours") or ()),
            notes=o.get("notes"),
        )
        for o in raw["operations"]
    )
    enums = {k: tuple(str(v) for v in vals) for k, vals in (raw.get("enums") or {}).items()}
    return RestCatalogue(
        base=raw.get("base", "/v1"),
        sources=tuple(_source(s) for s in raw.get("sources") or ()),
        operations=ops,
        limits=dict(raw.get("limits") or {}),
        enums=enums,
    )


@functools.cache
def _load() -> _Catalogue:
    text = resources.files("webex_harness.generators").joinpath("catalogue.yaml").read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    apis = tuple(_api(entry) for entry in raw["apis"])
    names = [a.name for a in apis]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise CatalogueError(f"duplicate API name(s): {', '.join(duplicates)}")
    order = {s: i for i, s in enumerate(SERVICE_ORDER)}
    services = [order[a.service] for a in apis]
    if services != sorted(services):
        raise CatalogueError("APIs are not grouped in service order " + ", ".join(SERVICE_ORDER))
    sample = frozenset(str(n) for n in raw.get("body_content_sample") or ())
    unknown = sorted(sample - set(names))
    if unknown:
        raise CatalogueError(f"body_content_sample names unknown API(s): {', '.join(unknown)}")
    return _Catalogue(
        apis=apis,
        by_name={a.name: a for a in apis},
        by_lower={a.name.lower(): a for a in apis},
        rest=_rest(raw["rest"]),
        body_content_sample=sample,
    )


def all_apis() -> list[ApiSpec]:
    """Every XML API, in service order (meeting, meetingtype, event, … history)."""
    return list(_load().apis)


def xml_api_names() -> list[str]:
    """The names of :func:`all_apis`, same order."""
    return [a.name for a in _load().apis]


def api(name: str) -> ApiSpec:
    """The API called ``name`` (case-insensitive: the docs write both ``LstsummarySession`` and
    ``LstSummarySession``). ``KeyError`` naming the API and its closest matches otherwise."""
    cat = _load()
    found = cat.by_name.get(name) or cat.by_lower.get(name.lower())
    if found is not None:
        return found
    close = difflib.get_close_matches(name, list(cat.by_name), n=3, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    raise KeyError(f"unknown XML API {name!r}{hint}")


def body_content_sample() -> frozenset[str]:
    """The APIs of 001's multi-bodyContent sample (40.4.4): several bodyContents of them in one
    request, below the limit, are answered in order."""
    return _load().body_content_sample


def rest_catalogue() -> RestCatalogue:
    """The REST operations, body limits and enums."""
    return _load().rest


def rest_operations() -> list[str]:
    """``["POST /v1/meetings", "GET /v1/meetings", "GET /v1/meetings/{meetingId}", …]``."""
    return [str(op) for op in _load().rest.operations]
