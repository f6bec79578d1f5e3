"""The names a run gives the objects it creates: ``<cleanup_prefix>-<run-id>-…``.

A name clean-up can find without the ledger (``webex-harness cleanup`` lists sessions and REST
meetings by it). Stands on :mod:`workspace.run_folder` (what a run ID looks like).
"""

from __future__ import annotations

import re

from webex_harness.workspace.run_folder import RUN_ID_PATTERN


def run_name(prefix: str, run_id: str, suffix: str = "") -> str:
    """``<cleanup_prefix>-<run-id>-<suffix>``: a name clean-up can find without the ledger."""
    return f"{prefix}-{run_id}-{suffix}" if suffix else f"{prefix}-{run_id}"


def name_pattern(prefix: str, run_id: str | None) -> re.Pattern[str]:
    """Names a run gives its objects: ``<prefix>-<run-id>`` (this run) or any run ID (every run)."""
    run = re.escape(run_id) if run_id else RUN_ID_PATTERN
    return re.compile(rf"^{re.escape(prefix)}-{run}(?:-|$)")


__all__ = ["name_pattern", "run_name"]
