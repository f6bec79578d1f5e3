"""The project's behaviour catalogue (``webex/behaviours.yaml``) as typed data."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

CATALOGUE = Path(__file__).resolve().parent / "behaviours.yaml"


@dataclass(frozen=True, slots=True)
class Behaviour:
    id: str
    title: str
    area: str
    apis: tuple[str, ...]
    promise: str
    source: str
    seeds: tuple[str, ...]
    releases: tuple[str, ...]
    settings: tuple[str, ...]

    @property
    def is_rest(self) -> bool:
        return self.id.startswith("rest-")


@cache
def behaviours(path: Path = CATALOGUE) -> tuple[Behaviour, ...]:
    """Every behaviour, in the catalogue's order."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for item in data["behaviours"]:
        src = item["source"]
        out.append(Behaviour(
            id=item["id"], title=item["title"], area=item["area"], apis=tuple(item["apis"]),
            promise=item["promise"], source=src["text"], seeds=tuple(src["seeds"]),
            releases=tuple(src.get("releases", [])), settings=tuple(item.get("settings", [])),
        ))
    return tuple(out)


def behaviour(behaviour_id: str) -> Behaviour:
    for b in behaviours():
        if b.id == behaviour_id:
            return b
    raise KeyError(f"unknown behaviour ID {behaviour_id!r}")


def ids() -> list[str]:
    return [b.id for b in behaviours()]
