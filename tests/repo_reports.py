"""The repository's own ``reports/`` folder, which the project's tests must never write into.

``tests/conftest.py`` points every test's reports root at its temporary folder (``WEBEX_HARNESS_REPORTS``
for the runs a test starts, :data:`workspace.run_folder.REPORTS_DIR` in the test's own process) and, at the
end of the session, fails it when :func:`left_behind` names anything new in :data:`REPO_REPORTS`.
"""

from __future__ import annotations

from pathlib import Path

#: The repository's reports root (the default of :data:`workspace.run_folder.REPORTS_DIR`).
REPO_REPORTS = Path(__file__).resolve().parent.parent / "reports"


def entries(folder: Path = REPO_REPORTS) -> frozenset[str]:
    """The names directly under ``folder`` (none when it does not exist)."""
    try:
        return frozenset(p.name for p in folder.iterdir())
    except FileNotFoundError:
        return frozenset()


def left_behind(before: frozenset[str], folder: Path = REPO_REPORTS) -> list[str]:
    """What is under ``folder`` now and was not in ``before``, sorted."""
    return sorted(entries(folder) - before)
