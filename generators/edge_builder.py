"""The edge-case builder: :class:`EdgeCase` and the :class:`CaseBuilder` every step of
:mod:`generators.edges` adds its cases to.

An :class:`EdgeCase` is a named variation of the API's valid envelope (same seed, same context)
with an :class:`generators.outcomes.Expect`. The builder draws the valid body first and every value
a case adds afterwards, from one seeded Faker: the order of the steps is part of the determinism.
Stands on :mod:`generators.catalogue`, :mod:`generators.envelopes`, :mod:`generators.providers`,
:mod:`generators.bodytree`, :mod:`generators.outcomes` and ``webex.envelope``.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from webex_harness.generators import bodytree
from webex_harness.generators.catalogue import ApiSpec, ElementSpec
from webex_harness.generators.envelopes import GenContext, faker_for, valid_body_with_state
from webex_harness.generators.outcomes import Expect, predicted
from webex_harness.generators.providers import webex_provider
from webex_harness.webex.envelope import Security, build_request

__all__ = ["CaseBuilder", "EdgeCase", "context_requirements"]


@dataclass(frozen=True, slots=True)
class EdgeCase:
    """One named edge case of one API: the envelope to send and the outcome to expect."""

    id: str
    api: str
    description: str
    expect: Expect
    envelope: bytes


def context_requirements(spec: ApiSpec, ctx: GenContext) -> tuple[str, ...]:
    """The context placeholders the valid body needs to address existing objects."""
    needs: list[str] = []
    gens = {el.gen for el in spec.elements() if el.in_valid}
    if spec.key_path is not None and spec.element(spec.key_path).in_valid:
        needs.append("ctx.session_key")
    if "target_user" in gens or "self_or_target_user" in gens:
        needs.append("ctx.webex_id_target" if "target_user" in gens else "ctx.webex_id_target or the caller")
    for gen, name in (
        ("attendee_email", "ctx.attendee_email"),
        ("recording_id", "ctx.recording_id"),
        ("contact_id", "ctx.contact_id"),
        ("dist_list_id", "ctx.dist_list_id"),
        ("test_id", "ctx.test_id"),
        ("lab_name", "ctx.lab_name"),
        ("conf_id", "ctx.conf_id"),
        ("lib_test_id", "ctx.lib_test_id"),
        ("test_participant", "ctx.test_participant"),
    ):
        if gen in gens:
            needs.append(name)
    return tuple(needs)


class CaseBuilder:
    """Collects the cases of one API; every case starts from a fresh copy of the valid body.

    ``fake`` is the seeded Faker, ``webex`` its Webex provider (typed), ``base`` the valid body,
    ``requires`` what the valid body needs of the context (:func:`context_requirements`).
    """

    def __init__(self, spec: ApiSpec, seed: int, ctx: GenContext) -> None:
        self.spec = spec
        self.seed = seed
        self.ctx = ctx
        self.fake = faker_for(seed)
        self.webex = webex_provider(self.fake)
        # Values the cases add (unknown keys, names …) come from the same seeded stream, after
        # the valid body: the order of the steps is part of the determinism.
        self.base, self.state = valid_body_with_state(spec, self.fake, ctx)
        self.cases: list[EdgeCase] = []
        self.requires = context_requirements(spec, ctx)

    def body(self) -> dict[str, Any]:
        """A fresh copy of the valid body."""
        return copy.deepcopy(self.base)

    def predict(self, behaviour: str, requires: tuple[str, ...] | None = None, **changes: Any) -> Expect:
        """The documented outcome of ``behaviour`` for this API (:func:`generators.outcomes.predicted`),
        needing ``requires`` (default: :attr:`requires`)."""
        return predicted(self.spec, behaviour, self.requires if requires is None else requires, **changes)

    def add(
        self,
        case_id: str,
        description: str,
        expect: Expect,
        body: dict[str, Any] | None = None,
        *,
        security: Security | None = None,
        envelope: bytes | None = None,
    ) -> None:
        """Add a case: ``envelope`` as given, or built from ``body`` (default: the valid body)."""
        if any(c.id == case_id for c in self.cases):
            raise ValueError(f"{self.spec.name}: duplicate edge case id {case_id!r}")
        if envelope is None:
            body = self._unique(self.body() if body is None else body, len(self.cases) + 1)
            envelope = build_request(self.spec.service, self.spec.name, body, security or self.ctx.security)
        self.cases.append(EdgeCase(case_id, self.spec.name, description, expect, envelope))

    def has_case(self, case_id: str) -> bool:
        return any(c.id == case_id for c in self.cases)

    def _unique(self, body: dict[str, Any], index: int) -> dict[str, Any]:
        """Cases of an API that creates users get their own webExId and e-mail (unless the case
        is about them), so sending every case of a seed does not fail on a duplicate user."""
        ids = [el for el in self.spec.elements() if el.gen == "webex_id"]
        if not ids:
            return body
        for el in ids:
            for container in bodytree.containers(body, bodytree.parts(el.path)):
                value = container[el.name]
                if isinstance(value, str) and value == bodytree.first(self.base, el.path):
                    container[el.name] = f"{value[:58]}e{index}"
        for container in bodytree.containers(body, ["email"]):
            value = container["email"]
            if isinstance(value, str) and value == self.base.get("email") and "@" in value:
                local, _, domain = value.partition("@")
                container["email"] = f"{local}.e{index}@{domain}"
        return body

    def elements_in_body(self, predicate: Callable[[ElementSpec], bool]) -> list[ElementSpec]:
        """The API's elements that satisfy ``predicate`` and are present in the valid body."""
        return [el for el in self.spec.elements() if predicate(el) and bodytree.present(self.base, el.path)]
