"""Edge-case envelopes for every catalogued XML API, each with the outcome the docs predict.

An :class:`generators.edge_builder.EdgeCase` is a named variation of the API's valid envelope
(same seed, same context) with an :class:`generators.outcomes.Expect`. Outcomes are predicted only
where the documentation says (:mod:`generators.outcomes`); :func:`documented_cases` lists the
asserted ones.

This module is the registry: :data:`STEPS` in the order they run (the order is part of the
determinism: every step draws from the same seeded stream). The steps live by what they vary:
:mod:`generators.edge_request` (bodyContents, key, required elements, authentication, registration)
and :mod:`generators.edge_values` (lengths, enums, dates, e-mails, HTML, text and names).
"""

from __future__ import annotations

from collections.abc import Callable

from webex_harness.generators.catalogue import all_apis, api
from webex_harness.generators.edge_builder import CaseBuilder, EdgeCase
from webex_harness.generators.edge_request import (
    auth_cases,
    body_content_cases,
    filler_cases,
    key_cases,
    registration_case,
    required_cases,
)
from webex_harness.generators.edge_values import (
    date_cases,
    email_cases,
    enum_cases,
    html_cases,
    length_cases,
    text_cases,
)
from webex_harness.generators.envelopes import GenContext
from webex_harness.generators.outcomes import Expect

__all__ = ["STEPS", "documented_cases", "edge_cases"]

#: The edge-case steps, in the order they run for every API.
STEPS: tuple[Callable[[CaseBuilder], None], ...] = (
    body_content_cases,
    key_cases,
    required_cases,
    length_cases,
    enum_cases,
    date_cases,
    email_cases,
    html_cases,
    text_cases,
    registration_case,
    auth_cases,
    filler_cases,
)


def edge_cases(api_name: str, seed: int, ctx: GenContext | None = None) -> list[EdgeCase]:
    """The edge cases of ``api_name`` (at least three, unique ids), deterministic for ``seed`` and
    ``ctx``: each starts from the valid body of :func:`generators.envelopes.valid_envelope`."""
    builder = CaseBuilder(api(api_name), seed, ctx or GenContext())
    for step in STEPS:
        step(builder)
    return builder.cases


def documented_cases(seed: int = 0, ctx: GenContext | None = None) -> list[tuple[str, str, Expect]]:
    """``(api, case id, expect)`` for every edge case whose outcome the documentation predicts."""
    return [
        (case.api, case.id, case.expect)
        for spec in all_apis()
        for case in edge_cases(spec.name, seed, ctx)
        if case.expect.documented
    ]
