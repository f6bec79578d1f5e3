"""The per-test result of a contract run: one :class:`TestResult` per test, written by the pytest
plugin (``results-<worker>.json`` in the run folder, one file per pytest process) and read back by
the runner, the report and the CLI.

This module is the only one that knows the file's name and JSON shape: a list of objects with the
keys of :class:`TestResult`. Files written before a key existed read with its default.

Stands on nothing of the project (the evidence is kept as the client's exchanges in their JSON form,
so that this layer does not need the client's types).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal, cast

Outcome = Literal["passed", "failed", "skipped"]
OUTCOMES: tuple[Outcome, ...] = ("passed", "failed", "skipped")
#: the file one pytest process writes into the run folder (``{worker}``: ``gw0`` … or ``main``)
RESULTS_FILE = "results-{worker}.json"
RESULTS_GLOB = "results-*.json"


@dataclass(frozen=True)
class TestResult:
    """What one test did, as the run summary needs it (the fields in the order of the file's keys).

    ``evidence`` holds the last masked exchanges of a failed test (empty otherwise), each the
    client's exchange as a dict (``api``, ``request``, ``response``, ``http_status``, ``elapsed``).
    """

    __test__ = False  # not a test class, although its name starts with "Test"

    nodeid: str
    #: the behaviour IDs of the test's ``behaviour`` markers
    behaviours: list[str]
    #: the API and case kind (``valid``/``edge``) of its ``api`` marker
    api: str | None
    case: str | None
    #: every API the test sent
    apis: list[str]
    outcome: Outcome
    #: the phase that decided the outcome: ``setup``, ``call`` or ``teardown``
    when: str
    #: the first line of the failure or skip reason (masked), empty for a pass
    reason: str
    evidence: list[dict[str, Any]]
    #: seconds the deciding phase took
    duration: float

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TestResult:
        """A result as written by :meth:`to_dict` (a key a file lacks reads as its empty value)."""
        return cls(
            nodeid=str(data["nodeid"]),
            outcome=cast(Outcome, str(data["outcome"])),
            behaviours=[str(b) for b in data.get("behaviours", [])],
            api=data.get("api"),
            case=data.get("case"),
            apis=[str(a) for a in data.get("apis", [])],
            when=str(data.get("when", "call")),
            reason=str(data.get("reason", "")),
            evidence=list(data.get("evidence", [])),
            duration=float(data.get("duration", 0.0)),
        )


def results_path(run_dir: Path, worker: str) -> Path:
    """The results file of pytest process ``worker`` in ``run_dir``."""
    return run_dir / RESULTS_FILE.format(worker=worker)


def write_results(run_dir: Path, worker: str, results: list[TestResult]) -> Path:
    """Write ``worker``'s results into ``run_dir`` (made if missing); the file written."""
    run_dir.mkdir(parents=True, exist_ok=True)
    path = results_path(run_dir, worker)
    path.write_text(json.dumps([r.to_dict() for r in results], indent=1))
    return path


def read_results(path: Path) -> list[TestResult]:
    """The results in one results file."""
    return [TestResult.from_dict(data) for data in json.loads(path.read_text())]


def load_results(run_dir: Path) -> list[TestResult]:
    """Every pytest process's results in ``run_dir`` (one file per xdist worker)."""
    results: list[TestResult] = []
    for path in sorted(run_dir.glob(RESULTS_GLOB)):
        results.extend(read_results(path))
    return results
