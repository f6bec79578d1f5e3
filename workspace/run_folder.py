"""Where runs live on disk: run IDs, the reports root and a run's folder (what the pytest plugin
writes there per test is :mod:`workspace.results`).

Both the contract suites (through the pytest plugin) and the load runs write into a run folder, so
this sits below both; the orchestration in :mod:`runs` makes and reports them.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from environment.loader import Environment

#: environment variable naming the reports root instead of the repository's ``reports/`` (read at import)
REPORTS_VARIABLE = "WEBEX_HARNESS_REPORTS"
REPORTS_DIR = Path(os.environ.get(REPORTS_VARIABLE) or Path(__file__).resolve().parent.parent / "reports")


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


@dataclass
class Run:
    """One harness run and its folder."""

    environment: Environment
    seed: int = 1
    run_id: str = field(default_factory=new_run_id)
    root: Path = field(default_factory=lambda: REPORTS_DIR)  # read when the run is made (tests point it elsewhere)
    started: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    #: ``--out DIR``: the run folder itself (fixed file names for a CI job), instead of ``root/<run-id>``
    folder: Path | None = None

    @property
    def dir(self) -> Path:
        return self.folder if self.folder is not None else self.root / self.run_id

    def create(self) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        return self.dir
