"""The emulator answers every API's valid envelope, for seeds 1–20, with SUCCESS (issue 3).

Each seed gets its own prerequisites (the meeting, event, user … the envelope refers to), made by
the same :class:`contracts.test_catalogue.Prerequisites` the generic contract suite uses.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from webex_harness.contracts.test_catalogue import Prerequisites, caller_role
from webex_harness.generators import valid_envelope, xml_api_names
from webex_harness.generators.catalogue import api
from webex_harness.generators.edge_builder import context_requirements
from webex_harness.plugin.targets import SiteHandle

SEEDS = range(1, 21)


@pytest.mark.parametrize("api_name", xml_api_names())
def test_emulator_answers_valid_envelopes_of_seeds_1_to_20_with_success(
    site_factory: Callable[..., SiteHandle], api_name: str
) -> None:
    spec = api(api_name)
    failures = []
    for seed in SEEDS:
        site = site_factory()  # a fresh site per seed: prerequisites may move its clock
        if not site.is_emulator:
            pytest.skip("a property of the emulator")
        client = site.client(caller_role(spec))
        pre = Prerequisites(site, client, seed)
        try:
            ctx = pre.build(spec, context_requirements(spec, pre.ctx))
            envelope = valid_envelope(api_name, seed, ctx)
            assert envelope == valid_envelope(api_name, seed, ctx), "generation is deterministic"
            response = client.send(envelope, api=api_name)
            if not response.ok:
                failures.append(f"seed {seed}: {response.describe()}")
        finally:
            pre.close()
    assert not failures, failures
