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

from webex_harness.environment.model import Environment

#: environment variable naming the reports root instead of ``./reports`` (read at import)
REPORTS_VARIABLE = "WEBEX_HARNESS_REPORTS"
#: the reports root: ``reports/`` of the working folder the command started in, or ``$WEBEX_HARNESS_REPORTS``
REPORTS_DIR = Path(os.environ.get(REPORTS_VARIABLE) or "reports").absolute()


#: a run ID as :func:`new_run_id` makes them: its start (UTC) and four hex digits
RUN_ID_PATTERN = r"\d{8}-\d{6}-[0-9a-f]{4}"


def new_run_id(now: datetime | None = None) -> str:
    now = now or datetime.now(UTC)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


def run_started(run_id: str) -> datetime | None:
    """When the run with this ID started (the ID begins ``YYYYMMDD-HHMMSS``, UTC), or None."""
    try:
        return datetime.strptime(run_id[:15], "%Y%m%d-%H%M%S").replace(tzinfo=UTC)
    except ValueError:
        return None


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
