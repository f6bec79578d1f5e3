"""Helpers the CLI wires in: list the catalogue, print a generated envelope or its edge cases."""

from __future__ import annotations

import json

from webex_harness.generators import catalogue
from webex_harness.generators.catalogue import rest_operations, xml_api_names
from webex_harness.generators.edges import edge_cases
from webex_harness.generators.envelopes import valid_envelope

__all__ = ["generate_text", "list_apis_lines"]


def list_apis_lines() -> list[str]:
    """Every XML API name (service order), then every REST operation (``POST /v1/meetings`` …)."""
    return [*xml_api_names(), *rest_operations()]


def generate_text(api: str, seed: int, edge: bool) -> str:
    """The valid envelope of ``api`` as text, or (``edge``) a JSON array of
    ``{"id", "description", "expect", "envelope"}`` with ``expect`` as a dict.

    ``KeyError`` (naming close matches) for an unknown API.
    """
    name = _api_name(api)
    if not edge:
        return valid_envelope(name, seed).decode("utf-8")
    cases = [
        {
            "id": case.id,
            "description": case.description,
            "expect": case.expect.to_dict(),
            "envelope": case.envelope.decode("utf-8"),
        }
        for case in edge_cases(name, seed)
    ]
    return json.dumps(cases, ensure_ascii=False, indent=2)


def _api_name(name: str) -> str:
    return catalogue.api(name).name
