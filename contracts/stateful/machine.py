"""The base of every state machine of the stateful contracts: rules that are API calls, recorded.

A machine is a hypothesis :class:`~hypothesis.stateful.RuleBasedStateMachine` bound to one site (a
fresh emulator site per example, or the real site of the environment). Its rules send requests
through :meth:`ContractMachine.xml` / :meth:`ContractMachine.rest_client`, whose exchanges are kept,
masked, with the step that sent them; its invariants check the documented behaviours against a model
of what the machine made. Every rule is decorated with :func:`recorded` (under ``@rule``), which
writes the rule's name and arguments as a :class:`Step` — what the failure listing prints and the
replay file keeps. Objects a rule makes are :class:`Ref` values (in bundles), named ``meeting1``,
``meeting2`` … in the order they are made, so that a replay names the same objects.

A machine cleans up what it made in :meth:`ContractMachine.clean_up` (called by ``teardown``, also
after a failure); the run's ledger records every create and delete from the wire as for any test.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, ClassVar, TypeVar, cast

from hypothesis.stateful import RuleBasedStateMachine

from webex_harness.client.rest_client import RestClient
from webex_harness.client.xml_client import Exchange, XmlClient
from webex_harness.plugin.rest_meetings import rest_client
from webex_harness.plugin.targets import SiteHandle
from webex_harness.webex.envelope import BodyTree, XmlResponse

__all__ = ["Call", "ContractMachine", "Ref", "Step", "args_text", "recorded"]


@dataclass(eq=False)
class Ref:
    """An object a machine made: its label (``meeting1``), kind, key on the site and what else the
    machine needs to address it (a meetingUUID, a REST id …)."""

    label: str
    kind: str
    key: str
    extra: dict[str, str] = field(default_factory=dict)

    def __repr__(self) -> str:  # hypothesis prints bundle values in its falsifying example
        return self.label


@dataclass
class Call:
    """One exchange of a step, masked: the API (or REST method and path), request and answer."""

    api: str
    request: str
    response: str
    http_status: int

    @classmethod
    def of(cls, exchange: Exchange) -> Call:
        return cls(exchange.api, exchange.request, exchange.response, exchange.http_status)


@dataclass
class Step:
    """One rule a machine ran: its name, its arguments (refs by label) and the calls it sent."""

    number: int
    rule: str
    args: dict[str, Any]
    calls: list[Call] = field(default_factory=list)
    #: the label of the object the rule made, if any
    made: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "args": self.args, "made": self.made}


def encode(value: Any) -> Any:
    """A rule argument as the replay file keeps it: a :class:`Ref` as ``{"ref": label}``."""
    if isinstance(value, Ref):
        return {"ref": value.label}
    if isinstance(value, (list, tuple)):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {str(k): encode(v) for k, v in value.items()}
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise TypeError(f"a rule argument must be JSON data or a Ref, not {type(value).__name__}")


def decode(value: Any, refs: dict[str, Ref]) -> Any:
    """The inverse of :func:`encode` on a replay, with the refs the replay made so far."""
    if isinstance(value, dict):
        if set(value) == {"ref"}:
            label = value["ref"]
            if label not in refs:
                raise ValueError(f"the replay names {label!r} before a step made it")
            return refs[label]
        return {k: decode(v, refs) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v, refs) for v in value]
    return value


Rule = TypeVar("Rule", bound=Callable[..., Any])


def recorded(function: Rule) -> Rule:
    """Record each run of a rule as a :class:`Step` (put it under ``@rule``/``@initialize``)."""

    @functools.wraps(function)
    def run(self: ContractMachine, **kwargs: Any) -> Any:
        with self.step(function.__name__, kwargs) as step:
            made = function(self, **kwargs)
            if isinstance(made, Ref):
                step.made = made.label
            return made

    return cast(Rule, run)


class ContractMachine(RuleBasedStateMachine):
    """A state machine on one site. Subclasses set :attr:`site_settings` (what the site must offer:
    emulator settings, or a real site that declares them), write rules (``@rule`` over
    ``@recorded``) and invariants, and clean up in :meth:`clean_up`."""

    #: settings the machine's site needs (``site_factory(**site_settings)``)
    site_settings: ClassVar[dict[str, Any]] = {}
    #: how many examples and steps per example the machine runs on the emulator; a real site gets
    #: the smaller of these and the run's budget allows (:mod:`contracts.stateful.runner`)
    examples: ClassVar[int] = 25
    steps_per_example: ClassVar[int] = 12

    def __init__(self, site: SiteHandle) -> None:
        super().__init__()
        self.site = site
        self.steps: list[Step] = []
        self.refs: dict[str, Ref] = {}
        self._counts: dict[str, int] = {}
        self._current: Step | None = None
        self._clients: dict[str, XmlClient] = {}
        self._rest: RestClient | None = None

    # ------------------------------------------------------------ steps

    @contextmanager
    def step(self, rule: str, kwargs: dict[str, Any]) -> Iterator[Step]:
        """Open the step of one rule: every exchange until it ends belongs to it."""
        step = Step(len(self.steps) + 1, rule, encode(kwargs))
        self.steps.append(step)
        self._current = step
        try:
            yield step
        finally:
            self._current = None

    def _tee(self, forward: Callable[[Exchange], None] | None) -> Callable[[Exchange], None]:
        def keep(exchange: Exchange) -> None:
            if self._current is not None:
                self._current.calls.append(Call.of(exchange))
            if forward is not None:
                forward(exchange)

        return keep

    def new_ref(self, kind: str, key: str, **extra: str) -> Ref:
        """A new object of ``kind`` made by the running step, labelled ``<kind><n>``."""
        self._counts[kind] = self._counts.get(kind, 0) + 1
        ref = Ref(f"{kind}{self._counts[kind]}", kind, key, dict(extra))
        self.refs[ref.label] = ref
        return ref

    # ------------------------------------------------------------ clients

    def client(self, role: str = "host") -> XmlClient:
        """An XML client of ``role`` whose exchanges are kept with the running step."""
        if role not in self._clients:
            options = self.site.target.client_options()
            options["on_exchange"] = self._tee(options.get("on_exchange"))
            self._clients[role] = XmlClient(self.site.xml_url, self.site.security(role), **options)
        return self._clients[role]

    def xml(self, service: str, api: str, body: BodyTree | None = None, role: str = "host") -> XmlResponse:
        """Send one XML API request as ``role``."""
        return self.client(role).call(service, api, body or {})

    def send(self, envelope: bytes, api: str, role: str = "host") -> XmlResponse:
        """Send a ready envelope (a generator's) as ``role``."""
        return self.client(role).send(envelope, api=api)

    def rest_client(self) -> RestClient:
        """The REST client of the site's token (skips without one), its exchanges kept with the step."""
        if self._rest is None:
            made = rest_client(self.site)
            made.on_exchange = self._tee(made.on_exchange)
            self._rest = made
        return self._rest

    # ------------------------------------------------------------ the end

    @classmethod
    def rule_named(cls, name: str) -> Any:
        """The hypothesis rule (or initialize rule) whose function is ``name``; ``None`` if there is none."""
        state = cls.setup_state()  # hypothesis' rules of the class
        return next((r for r in [*state.initializers, *state.rules] if r.function.__name__ == name), None)

    def clean_up(self) -> None:
        """Delete what the machine made (subclasses; called by ``teardown``, after a failure too)."""

    def teardown(self) -> None:
        with self.step("clean_up", {}):
            self.clean_up()
        self.steps.pop()  # the clean-up is not part of the sequence a replay repeats

    # ------------------------------------------------------------ reading a run

    def listing(self, *, with_calls: bool = True, limit: int = 1200) -> str:
        """The steps as a numbered list of calls with their (masked) envelopes."""
        lines: list[str] = []
        for step in self.steps:
            made = f" -> {step.made}" if step.made else ""
            lines.append(f"{step.number}. {step.rule}({args_text(step.args)}){made}")
            for call in step.calls if with_calls else []:
                lines.append(f"     {call.api}: HTTP {call.http_status}")
                lines.append(_indent(_short(call.request, limit), "       > "))
                lines.append(_indent(_short(call.response, limit), "       < "))
        return "\n".join(lines)


def args_text(args: dict[str, Any]) -> str:
    """A step's arguments as the listing writes them (refs by label, the rest as JSON)."""
    return ", ".join(f"{k}={_value_text(v)}" for k, v in args.items())


def _value_text(value: Any) -> str:
    """An encoded argument as the listing shows it: refs by their label, wherever they sit."""
    if isinstance(value, dict) and set(value) == {"ref"}:
        return str(value["ref"])
    if isinstance(value, list):
        return "[" + ", ".join(_value_text(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)}: {_value_text(v)}" for k, v in value.items()) + "}"
    return json.dumps(value, ensure_ascii=False)


def _short(text: str, limit: int) -> str:
    """The part of an envelope worth reading: its body, at most ``limit`` characters."""
    for start, end in (("<body>", "</body>"), (":body>", ":body>")):
        i = text.find(start)
        j = text.rfind(end)
        if 0 <= i < j:
            text = text[i : j + len(end)]
            break
    return text if len(text) <= limit else text[:limit] + f" … ({len(text) - limit} more characters)"


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.splitlines() or [""])
