"""Generators: the API catalogue, Faker providers, valid and edge-case envelopes.

Pure: no network, no clock (dates are relative to an injected ``now``), deterministic per seed.

- :mod:`generators.catalogue` — every documented API as data (``catalogue.yaml``).
- :mod:`generators.providers` — :class:`WebexProvider` for Faker, :func:`make_faker`.
- :mod:`generators.envelopes` — :func:`valid_envelope`, :func:`valid_body`, :class:`GenContext`.
- :mod:`generators.edges` — :func:`edge_cases` with the documented :class:`Expect`.
- :mod:`generators.rest` — REST meeting bodies and their edge cases.
- :mod:`generators.cli_support` — text output for the CLI.
"""

from generators.catalogue import (
    ApiSpec,
    ElementSpec,
    RestOperation,
    Source,
    all_apis,
    api,
    rest_catalogue,
    rest_operations,
    xml_api_names,
)
from generators.cli_support import generate_text, list_apis_lines
from generators.edges import EdgeCase, Expect, documented_cases, edge_cases
from generators.envelopes import DEFAULT_NOW, DEFAULT_SECURITY, GenContext, valid_body, valid_envelope
from generators.providers import WebexProvider, make_faker, reseed
from generators.rest import rest_edge_cases, valid_create_body, valid_update_body

__all__ = [
    "DEFAULT_NOW",
    "DEFAULT_SECURITY",
    "ApiSpec",
    "EdgeCase",
    "ElementSpec",
    "Expect",
    "GenContext",
    "RestOperation",
    "Source",
    "WebexProvider",
    "all_apis",
    "api",
    "documented_cases",
    "edge_cases",
    "generate_text",
    "list_apis_lines",
    "make_faker",
    "reseed",
    "rest_catalogue",
    "rest_edge_cases",
    "rest_operations",
    "valid_body",
    "valid_create_body",
    "valid_envelope",
    "valid_update_body",
    "xml_api_names",
]
