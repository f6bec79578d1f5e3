"""The project's behaviour catalogue (``webex/behaviours.yaml``) as typed data: each behaviour's ID,
what it promises and where the published documentation says so.

Which APIs a behaviour concerns is the API catalogue's (``generators/catalogue.yaml``), not this
module's. Stands on PyYAML only.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from webex_harness import shipped

CATALOGUE = shipped("webex", "behaviours.yaml")


@dataclass(frozen=True, slots=True)
class Document:
    """A published page the behaviours come from: its title and where a reader finds it."""

    key: str
    title: str
    where: str


@dataclass(frozen=True, slots=True)
class Reference:
    """Where one behaviour is documented: a document, and the section of it (None: the whole page)."""

    document: Document
    section: str | None = None

    def __str__(self) -> str:
        """``Cisco Webex Meetings API Updates Overview (API 40), XML API 40.8.0 Updates``."""
        return f"{self.document.title}, {self.section}" if self.section else self.document.title


@dataclass(frozen=True, slots=True)
class Behaviour:
    id: str
    title: str
    area: str
    promise: str
    documented_in: tuple[Reference, ...]
    settings: tuple[str, ...]
    #: why no run proves it on a real site (None: every target can); its tests skip there with this reason
    not_on_a_site: str | None = None

    @property
    def is_rest(self) -> bool:
        return self.id.startswith("rest-")

    @property
    def source(self) -> str:
        """Where it is documented, in words a reader can find (the reports' Source column)."""
        return "; ".join(str(r) for r in self.documented_in)


def _references(item: dict[str, Any], documents: dict[str, Document]) -> tuple[Reference, ...]:
    refs = []
    for ref in item["documented_in"]:
        key = ref["document"]
        if key not in documents:
            raise KeyError(f"behaviour {item['id']!r} cites unknown document {key!r} (not under documents:)")
        refs.append(Reference(documents[key], ref.get("section")))
    return tuple(refs)


@cache
def behaviours(path: Path = CATALOGUE) -> tuple[Behaviour, ...]:
    """Every behaviour, in the catalogue's order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    documents = {key: Document(key, doc["title"], doc["where"]) for key, doc in data["documents"].items()}
    return tuple(
        Behaviour(
            id=item["id"],
            title=item["title"],
            area=item["area"],
            promise=item["promise"],
            documented_in=_references(item, documents),
            settings=tuple(item.get("settings", [])),
            not_on_a_site=item.get("not_on_a_site"),
        )
        for item in data["behaviours"]
    )


def behaviour(behaviour_id: str) -> Behaviour:
    for b in behaviours():
        if b.id == behaviour_id:
            return b
    raise KeyError(f"unknown behaviour ID {behaviour_id!r}")


def ids() -> list[str]:
    return [b.id for b in behaviours()]
