"""The catalogue's facts the checks of every exchange need (:class:`client.check_facts.WireFacts`): each
XML API's documented response elements, each REST operation's documented status, the REST enumerations.

Stands on :mod:`generators.catalogue` and :mod:`client.check_facts`.
"""

from __future__ import annotations

from functools import cache

from webex_harness.client.check_facts import WireFacts
from webex_harness.generators.catalogue import CatalogueError, api, rest_catalogue


@cache
def _response_elements(api_name: str) -> tuple[str, ...]:
    try:
        return api(api_name).response_elements
    except (KeyError, CatalogueError):
        return ()


def catalogue_facts() -> WireFacts:
    """The facts as ``generators/catalogue.yaml`` states them."""
    rest = rest_catalogue()
    return WireFacts(
        response_elements=_response_elements,
        rest_statuses={(op.method, op.path): op.status for op in rest.operations},
        rest_enums=dict(rest.enums),
    )


__all__ = ["catalogue_facts"]
