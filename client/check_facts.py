"""What the checks of :mod:`client.checker` know of the APIs beyond the wire rules: each XML API's
documented response elements, each REST operation's documented success status, the REST enumerations.

The catalogue (``generators/catalogue.yaml``) holds these facts, and the client layer does not import
the generators: the pytest plugin hands them in (:func:`plugin.check_facts.catalogue_facts`). Without
them (:class:`WireFacts` as it comes) the checks that need them judge nothing they cannot know.

Stands on nothing but the standard library.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field


def _none(api: str) -> tuple[str, ...]:
    return ()


@dataclass(frozen=True, slots=True)
class WireFacts:
    """``response_elements(api)``: the API's documented response elements in the documented order (none
    for an API nobody documented); ``rest_statuses``: ``(method, path)`` -> the documented status of a
    success (``("POST", "/v1/meetings")`` -> 200); ``rest_enums``: field -> its documented values."""

    response_elements: Callable[[str], tuple[str, ...]] = _none
    rest_statuses: Mapping[tuple[str, str], int] = field(default_factory=dict)
    rest_enums: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


__all__ = ["WireFacts"]
