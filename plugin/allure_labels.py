"""What allure groups and links a test by: its Behaviors view (epic, feature, story) and its links to
the published documentation, read from the behaviour catalogue and the API catalogue.

- **epic**: the behaviour's area (``webex/behaviours.yaml`` ``area``), grouped into a few epics a
  certifier reads at a glance — :data:`EPICS`, the one table of them;
- **feature**: the behaviour's title (a catalogue test of no behaviour — every API's valid request, its
  generic edge cases — is under :data:`CATALOGUE_EPIC`, by its case kind);
- **story**: the API the test exercises — its ``api`` marker, else the APIs it sent (the masked
  exchanges of the test), else the APIs ``generators/catalogue.yaml`` lists for its behaviours (when
  they are a handful; a behaviour of every API is :data:`EVERY_API`);
- **links**: each document the behaviour is ``documented_in``, by its title (and section), to the
  document's ``where`` (an ``https://`` URL; a ``where`` that is not a URL gives no link).

A test with several behaviours gets each one's epic, feature and links. The labels are given through
``allure.dynamic`` while the test runs (nothing happens when allure is not active).

Stands on :mod:`webex.behaviours` and :mod:`generators.catalogue`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import Any, cast

from webex_harness.generators.catalogue import all_apis, rest_catalogue
from webex_harness.webex.behaviours import Behaviour, Document, behaviours

__all__ = [
    "CATALOGUE_EPIC",
    "CATALOGUE_FEATURES",
    "EPICS",
    "EVERY_API",
    "Labels",
    "catalogue_apis",
    "document_url",
    "epic",
    "give_labels",
    "give_links",
    "labels_of",
    "stories",
]

#: the behaviour catalogue's areas (``area:`` in webex/behaviours.yaml) → allure's epic; an area
#: missing here is its own epic (tests/test_allure_labels.py fails on one)
EPICS: dict[str, str] = {
    "General XML API (every request)": "XML API: every request",
    "Scheduling (meetings, events, training, teleconference)": "XML meetings and sessions",
    "Session information and listing": "XML meetings and sessions",
    "Users and site": "XML users and site",
    "REST: Update a Meeting (`PATCH` / `PUT /v1/meetings/{meetingId}`)": "REST meetings",
    "REST: List Meetings (`GET /v1/meetings`)": "REST meetings",
    "XML and REST: the same meetings through both APIs": "REST meetings",
}
#: the epic of the API catalogue's tests that prove no behaviour of their own (every API's valid request,
#: its generic edge cases), and their feature by the case kind of their ``api`` marker
CATALOGUE_EPIC = "XML API catalogue (every API)"
CATALOGUE_FEATURES = {
    "valid": "A valid request of each API succeeds with the documented answer",
    "edge": "Generated edge cases of each API get the documented outcome",
}
#: the story of a test whose behaviours concern more APIs than :data:`MAX_STORIES` (envelope-shape …)
EVERY_API = "every API"
#: the most catalogue APIs given as stories to a test that names and sends none
MAX_STORIES = 6


def epic(area: str) -> str:
    """The epic of a behaviour area (:data:`EPICS`; the area itself when the table lacks it)."""
    return EPICS.get(area, area)


def document_url(document: Document) -> str | None:
    """The page of a document: its ``where`` when that is an ``https://`` URL (an ``http://`` one is
    upgraded, a bare ``host/path`` gets ``https://``); None when ``where`` is prose."""
    where = document.where.strip()
    if where.startswith("https://"):
        return where
    if where.startswith("http://"):
        return "https://" + where.removeprefix("http://")
    host = where.split("/", 1)[0]
    if " " not in where and "/" in where and "." in host:
        return "https://" + where
    return None


@cache
def _by_id() -> dict[str, Behaviour]:
    return {b.id: b for b in behaviours()}


@cache
def catalogue_apis(behaviour_id: str) -> tuple[str, ...]:
    """The XML APIs and REST operations ``generators/catalogue.yaml`` lists for a behaviour."""
    xml = [a.name for a in all_apis() if behaviour_id in a.behaviours]
    rest = [str(op) for op in rest_catalogue().operations if behaviour_id in op.behaviours]
    return tuple(dict.fromkeys(xml + rest))


def stories(behaviour_ids: Iterable[str], marked: str | None, sent: Iterable[str]) -> list[str]:
    """The stories of a test: its ``api`` marker, else the APIs it sent, else its behaviours' APIs
    from the catalogue (:data:`EVERY_API` when they are more than :data:`MAX_STORIES`)."""
    if marked:
        return [marked]
    seen = sorted({a for a in sent if a and a != "?"})
    if seen:
        return seen
    listed = list(dict.fromkeys(a for bid in behaviour_ids for a in catalogue_apis(bid)))
    if len(listed) > MAX_STORIES:
        return [EVERY_API]
    return listed


class Labels:
    """The epics, features and documentation links of a test's behaviours (unknown IDs are left out:
    the collection refuses them in the contract suites); a catalogue test of no behaviour (its ``api``
    marker's ``case``: ``valid``, ``edge``) is under :data:`CATALOGUE_EPIC`."""

    def __init__(self, behaviour_ids: Iterable[str], case: str | None = None) -> None:
        known = _by_id()
        chosen = [known[bid] for bid in dict.fromkeys(behaviour_ids) if bid in known]
        self.ids = [b.id for b in chosen]
        self.epics = list(dict.fromkeys(epic(b.area) for b in chosen))
        self.features = list(dict.fromkeys(b.title for b in chosen))
        if not chosen and case:
            self.epics, self.features = [CATALOGUE_EPIC], [CATALOGUE_FEATURES.get(case, f"{case} cases of each API")]
        links: dict[str, str] = {}
        for b in chosen:
            for ref in b.documented_in:
                url = document_url(ref.document)
                if url is not None and url not in links:
                    links[url] = str(ref)
        #: (url, name): one link per page (allure keeps one per URL)
        self.links = list(links.items())


def labels_of(behaviour_ids: Iterable[str], case: str | None = None) -> Labels:
    return Labels(behaviour_ids, case)


def _allure() -> Any | None:
    """The ``allure`` module when allure-pytest is installed (its calls do nothing unless a run
    writes allure results)."""
    try:
        import allure
    except ImportError:
        return None
    return allure


def give_labels(name: str, values: Iterable[str]) -> None:
    """Give the running test the allure label ``name`` with each of ``values``."""
    shown = [v for v in values if v]
    allure = _allure()
    if not shown or allure is None:
        return
    label = cast(Callable[..., None], allure.dynamic.label)  # allure_commons does not annotate it
    label(name, *shown)


def give_links(links: Iterable[tuple[str, str]]) -> None:
    """Give the running test a link to each ``(url, name)``."""
    allure = _allure()
    if allure is None:
        return
    for url, name in links:
        allure.dynamic.link(url, name=name)
