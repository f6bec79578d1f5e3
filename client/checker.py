"""The checks run on every exchange: :class:`Checker` applies each check of :mod:`webex.wire_checks` that
the environment file leaves on to every answer the XML and REST clients get, counts what each judged and
failed, and fails the exchange with :class:`CheckFailed` — the check's name, its rule, the API and the
evidence (status, content type, the offending excerpt, masked) — on the first broken rule.

A client without a checker (clean-up, load, the probe) judges nothing. The counts of a pytest process are
written next to its results (:func:`write_counts`, ``checks-<worker>.json``) and added up for the run's
report (:func:`load_counts`).

Stands on :mod:`webex.wire_checks` (names, rules), :mod:`client.xml_checks` and :mod:`client.rest_checks`
(the judges) and :mod:`client.check_facts` (what they know of the APIs).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from webex_harness.client.check_facts import WireFacts
from webex_harness.client.rest_checks import REST_JUDGES, RestAnswer
from webex_harness.client.xml_checks import XML_JUDGES, NotApplicable, Verdict
from webex_harness.webex.envelope import XmlResponse
from webex_harness.webex.wire_checks import CHECK_NAMES, WIRE_CHECKS, CheckRule, check_rule

#: the file a pytest process writes its counts to, in the run folder
COUNTS_FILE = "checks-{worker}.json"
COUNTS_GLOB = "checks-*.json"
#: characters of an answer's body shown as evidence
EXCERPT = 300

assert set(XML_JUDGES) | set(REST_JUDGES) == set(CHECK_NAMES), "every named check needs a judge"


class CheckFailed(AssertionError):
    """An answer broke the rule of a check: fails the test that got it."""

    def __init__(self, rule: CheckRule, api: str, problem: str, evidence: str) -> None:
        self.check = rule.name
        self.api = api
        self.problem = problem
        super().__init__(
            f"check {rule.name} failed for {api}: {problem}\n  rule: {rule.rule} ({rule.source})\n"
            f"  evidence: {evidence}\n  (a site known to differ: checks.off in the environment file)"
        )


@dataclass
class Checker:
    """The checks of one run: those on (every check but the environment's ``checks.off``) and, per
    check, how many answers it judged and how many broke its rule. ``mask`` masks the evidence;
    ``facts`` is what the checks know of the APIs (none by default: the plugin gives the catalogue's)."""

    off: frozenset[str] = frozenset()
    mask: Callable[[str], str] = field(default=lambda text: text)
    #: what the checks know of the APIs (the plugin hands in the catalogue's)
    facts: WireFacts = field(default_factory=WireFacts)
    judged: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECK_NAMES, 0))
    failed: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CHECK_NAMES, 0))

    def __post_init__(self) -> None:
        unknown = sorted(self.off - set(CHECK_NAMES))
        if unknown:
            raise ValueError(f"unknown checks: {unknown}")

    def xml(self, api: str, response: XmlResponse) -> None:
        """Judge one XML answer; :class:`CheckFailed` on the first check it breaks."""
        verdicts = [
            (name, judge(self.facts, api, response)) for name, judge in XML_JUDGES.items() if name not in self.off
        ]
        self._judge(verdicts, api, lambda: _xml_evidence(response))

    def rest(self, method: str, api: str, response: RestAnswer) -> None:
        """Judge one REST answer; :class:`CheckFailed` on the first check it breaks."""
        verdicts = [
            (name, judge(self.facts, method, api, response))
            for name, judge in REST_JUDGES.items()
            if name not in self.off
        ]
        self._judge(verdicts, api, lambda: _rest_evidence(response))

    def _judge(self, verdicts: list[tuple[str, Verdict]], api: str, evidence: Callable[[], str]) -> None:
        """Count each verdict of the checks that are on; raise for the first broken rule."""
        broken: list[tuple[str, str]] = []
        for name, verdict in verdicts:
            if isinstance(verdict, NotApplicable):
                continue
            self.judged[name] += 1
            if verdict is not None:
                self.failed[name] += 1
                broken.append((name, verdict))
        if broken:
            name, problem = broken[0]
            others = f" (also broken: {', '.join(n for n, _ in broken[1:])})" if broken[1:] else ""
            raise CheckFailed(check_rule(name), api, self.mask(problem) + others, self.mask(evidence()))

    def counts(self) -> dict[str, Any]:
        """What :func:`write_counts` writes: the checks switched off, and each check's counts."""
        return {"off": sorted(self.off), "judged": dict(self.judged), "failed": dict(self.failed)}


def _excerpt(raw: bytes, start: str = "") -> str:
    """At most :data:`EXCERPT` characters of the body, from ``start`` when the body holds it."""
    text = raw.decode("utf-8", "replace").replace("\n", " ")
    at = max(text.find(start), 0) if start else 0
    shown = text[at : at + EXCERPT]
    return ("…" if at else "") + shown + ("…" if len(text) > at + EXCERPT else "")


def _xml_evidence(response: XmlResponse) -> str:
    """Status, content type and the body from its header on (the root's declarations are left out)."""
    body = _excerpt(response.raw, "<serv:header")
    return f"HTTP {response.http_status}, Content-Type {response.content_type or '(none)'}, body {body!r}"


def _rest_evidence(response: RestAnswer) -> str:
    ctype = response.headers.get("content-type") or "(none)"
    return f"HTTP {response.status}, Content-Type {ctype}, body {_excerpt(response.raw)!r}"


def counts_path(run_dir: Path, worker: str) -> Path:
    return run_dir / COUNTS_FILE.format(worker=worker)


def write_counts(run_dir: Path, worker: str, checker: Checker) -> Path:
    """Write ``worker``'s counts into ``run_dir``; the file written."""
    run_dir.mkdir(parents=True, exist_ok=True)
    path = counts_path(run_dir, worker)
    path.write_text(json.dumps(checker.counts(), indent=1), encoding="utf-8")
    return path


def load_counts(run_dir: Path) -> list[dict[str, Any]] | None:
    """Every check of the run, one row each — ``name``, ``api``, ``rule``, ``source``, ``on`` (False:
    switched off by the environment file), ``judged``, ``failed`` — added up over the run's pytest
    processes; None when no process wrote counts (no contract test ran)."""
    files = sorted(run_dir.glob(COUNTS_GLOB))
    if not files:
        return None
    off: set[str] = set()
    judged = dict.fromkeys(CHECK_NAMES, 0)
    failed = dict.fromkeys(CHECK_NAMES, 0)
    for path in files:
        data = json.loads(path.read_text(encoding="utf-8"))
        off.update(str(n) for n in data.get("off", []))
        for name in CHECK_NAMES:
            judged[name] += int(data.get("judged", {}).get(name, 0))
            failed[name] += int(data.get("failed", {}).get(name, 0))
    return [
        {
            "name": rule.name,
            "api": rule.api,
            "rule": rule.rule,
            "source": rule.source,
            "on": rule.name not in off,
            "judged": judged[rule.name],
            "failed": failed[rule.name],
        }
        for rule in WIRE_CHECKS
    ]


def rows() -> list[dict[str, str]]:
    """Every check as ``webex-harness checks`` lists it: name, API family, rule, source."""
    return [{"name": r.name, "api": r.api, "rule": r.rule, "source": r.source} for r in WIRE_CHECKS]


__all__ = ["CheckFailed", "Checker", "load_counts", "rows", "write_counts"]
