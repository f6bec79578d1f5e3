"""Generators: the API catalogue, Faker providers, valid and edge-case envelopes.

Pure: no network, no clock (dates are relative to an injected ``now``), deterministic per seed.

- :mod:`generators.catalogue` — every documented API as data (``catalogue.yaml``).
- :mod:`generators.reference` — the XML API Reference Guide's list of APIs (``reference.yaml``);
  :mod:`generators.reference_doc` renders docs/apis.md from it.
- :mod:`generators.providers` — :class:`WebexProvider` for Faker, :func:`make_faker`, :func:`webex_provider`.
- :mod:`generators.envelopes` — :func:`valid_envelope`, :func:`valid_body`, :class:`GenContext`.
- :mod:`generators.edges` — :func:`edge_cases`, :func:`documented_cases`: the registry of edge-case steps.
- :mod:`generators.edge_builder` — :class:`EdgeCase` and the builder the steps add to.
- :mod:`generators.edge_request`, :mod:`generators.edge_values` — the steps (request as a whole; values).
- :mod:`generators.outcomes` — :class:`Expect` and the outcomes the documentation predicts.
- :mod:`generators.bodytree` — reading and changing a body tree by element path.
- :mod:`generators.rest` — REST meeting bodies and their edge cases.
- :mod:`generators.cli_support` — text output for the CLI.
"""

from webex_harness.generators.catalogue import (
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
from webex_harness.generators.cli_support import generate_text, list_apis_lines
from webex_harness.generators.edge_builder import EdgeCase
from webex_harness.generators.edges import documented_cases, edge_cases
from webex_harness.generators.envelopes import DEFAULT_NOW, DEFAULT_SECURITY, GenContext, valid_body, valid_envelope
from webex_harness.generators.outcomes import Expect
from webex_harness.generators.providers import WebexProvider, make_faker, reseed, webex_provider
from webex_harness.generators.rest import rest_edge_cases, valid_create_body, valid_update_body

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
    "webex_provider",
    "xml_api_names",
]
