"""JUnit XML files of the verdicts that are not pytest tests, for a CI's test tab.

``load-gates.xml`` (written by ``run`` and ``load``): one ``<testcase>`` per CI gate of
``load.json`` (``"gates"``: name, api, limit, observed, passed, message), a ``<failure>`` with the
gate's message when it was breached. ``compare.xml`` (written by ``compare``): one ``<testcase>``
per API (and the whole run) × threshold, a ``<failure>`` naming the move when it regressed, a
``<skipped>`` when it was not judged (an API in one run only, housekeeping) or the runs cannot decide
("inconclusive: <the move> — <why>"; the command's exit code 3 says so for the whole comparison).
Both are the plain ``testsuites/testsuite/testcase`` shape that GitHub, GitLab and Jenkins read.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lxml import etree

from webex_harness.runs.compare import THRESHOLDS, Comparison, describe_move

#: the fixed file names inside a run folder
LOAD_GATES_FILE = "load-gates.xml"
COMPARE_FILE = "compare.xml"


@dataclass(frozen=True, slots=True)
class Case:
    """One JUnit test case: ``outcome`` is ``passed``, ``failed`` or ``skipped``."""

    classname: str
    name: str
    outcome: str
    message: str = ""


def junit_xml(suite: str, cases: Sequence[Case]) -> bytes:
    """A ``<testsuites>`` document holding one ``<testsuite name=suite>`` of ``cases``."""
    failures = sum(c.outcome == "failed" for c in cases)
    skipped = sum(c.outcome == "skipped" for c in cases)
    root = etree.Element(
        "testsuites", name=suite, tests=str(len(cases)), failures=str(failures), errors="0", skipped=str(skipped)
    )
    node = etree.SubElement(
        root, "testsuite", name=suite, tests=str(len(cases)), failures=str(failures), errors="0", skipped=str(skipped)
    )
    for case in cases:
        element = etree.SubElement(node, "testcase", classname=_text(case.classname), name=_text(case.name), time="0")
        if case.outcome == "failed":
            failure = etree.SubElement(element, "failure", message=_text(case.message), type="failure")
            failure.text = _text(case.message)
        elif case.outcome == "skipped":
            etree.SubElement(element, "skipped", message=_text(case.message))
        elif case.message:
            etree.SubElement(element, "system-out").text = _text(case.message)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _text(value: Any) -> str:
    """``value`` as text XML can hold (control characters other than tab and newlines dropped)."""
    return "".join(ch for ch in str(value) if ch in "\t\n\r" or ord(ch) >= 0x20)


def gate_cases(gates: Iterable[dict[str, Any]]) -> list[Case]:
    """The test cases of ``load.json``'s ``"gates"``: ``p95_ms GetSessionInfo``, ``failure_ratio (whole run)``."""
    cases = []
    for gate in gates:
        name = f"{gate.get('name')} {gate.get('api') or '(whole run)'}"
        detail = gate.get("message") or (f"limit {gate.get('limit')}, observed {gate.get('observed')}")
        cases.append(Case("load.gates", name, "passed" if gate.get("passed") else "failed", str(detail)))
    return cases


def write_load_gates(run_dir: Path, gates: Iterable[dict[str, Any]]) -> Path:
    """Write ``<run_dir>/load-gates.xml`` (no gate: an empty suite, so a CI's report step finds the file)."""
    path = run_dir / LOAD_GATES_FILE
    path.write_bytes(junit_xml("webex-harness load gates", gate_cases(gates)))
    return path


def compare_cases(comparison: Comparison) -> list[Case]:
    """One test case per row (API or whole run) × threshold of a :class:`runs.compare.Comparison`."""
    cases = []
    for row in comparison.rows:
        for threshold in THRESHOLDS:
            verdict = row.verdicts.get(threshold.key, "n/a")
            limit = float(getattr(comparison.limits, threshold.key))
            name = f"{row.label}: {threshold.label}"
            evidence = row.evidence.get(threshold.key)
            why = f" — {evidence}" if evidence else ""
            if verdict in ("regressed", "ok", "improved"):
                move = describe_move(threshold, row, limit)
                outcome = "failed" if verdict == "regressed" else "passed"
                cases.append(Case("load.compare", name, outcome, f"{verdict}: {move}{why}"))
            elif verdict == "inconclusive":  # beyond a limit, but the runs cannot tell: not a pass, not a failure
                move = describe_move(threshold, row, limit)
                cases.append(Case("load.compare", name, "skipped", f"inconclusive: {move}{why}"))
            else:
                cases.append(Case("load.compare", name, "skipped", verdict))  # added, removed, not judged
    return cases


def write_compare(out_dir: Path, comparison: Comparison) -> Path:
    """Write ``<out_dir>/compare.xml``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / COMPARE_FILE
    title = f"webex-harness compare {comparison.before.run_id} vs {comparison.after.run_id}"
    path.write_bytes(junit_xml(title, compare_cases(comparison)))
    return path


__all__ = [
    "COMPARE_FILE",
    "LOAD_GATES_FILE",
    "Case",
    "compare_cases",
    "gate_cases",
    "junit_xml",
    "write_compare",
    "write_load_gates",
]
