"""What the commands of :mod:`runs.cli` share: the one-line failure, the environment and the
reports folder a command names, the run folder of ``--out DIR`` and how a duration is printed.

Stands on :mod:`environment` (the environment file) and :mod:`workspace` (run folders, the safety
state); imports nothing heavy, so ``import runs.cli`` stays fast when a command fails on a typo.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from webex_harness.environment.loader import load_environment, resolve_environment_path
from webex_harness.environment.model import Environment
from webex_harness.workspace.run_folder import REPORTS_DIR

__all__ = [
    "OutFolderError",
    "duration",
    "environment_of",
    "fail",
    "keep_state_in_reports_root",
    "out_folder",
    "reports_folder",
]


def fail(message: str, code: int = 1) -> int:
    """Print ``webex-harness: <message>`` on stderr; ``code`` (the command's exit code)."""
    print(f"webex-harness: {message}", file=sys.stderr)
    return code


def environment_of(args: argparse.Namespace) -> Environment:
    """The environment file ``--env`` names (default ``environments/emulator.yaml``), loaded and checked."""
    return load_environment(resolve_environment_path(args.env))


def reports_folder(args: argparse.Namespace) -> Path:
    """``--reports DIR``, else the reports root (``reports/`` or ``WEBEX_HARNESS_REPORTS``)."""
    return Path(args.reports) if getattr(args, "reports", None) else REPORTS_DIR


def duration(seconds: float) -> str:
    """``45s``, ``1m05s``."""
    whole = round(seconds)
    return f"{whole // 60}m{whole % 60:02d}s" if whole >= 60 else f"{whole}s"


class OutFolderError(ValueError):
    """``--out DIR`` names something that is not a new or empty folder."""


def out_folder(value: str | None) -> Path | None:
    """``--out DIR``: the run folder a CI job picks its files up from by their fixed names
    (``junit.xml``, ``load-gates.xml``, ``summary.html`` …). It must be new or empty — a run never
    mixes its files with an earlier run's; raises :class:`OutFolderError` (one line) otherwise."""
    if value is None:
        return None
    if not value.strip():
        raise OutFolderError("--out needs a folder name")
    path = Path(value)
    if path.exists() and not path.is_dir():
        raise OutFolderError(f"--out {value}: is a file, not a folder")
    if path.is_dir():
        try:
            entries = sorted(p.name for p in path.iterdir())
        except OSError as exc:
            raise OutFolderError(f"--out {value}: cannot read the folder ({exc.strerror or exc})") from None
        if entries:
            raise OutFolderError(
                f"--out {value}: the folder is not empty ({len(entries)} entries, e.g. "
                f"{entries[0]}); give a new or empty folder"
            )
    return path.resolve()


def keep_state_in_reports_root(reports_root: Path) -> None:
    """A run folder outside the reports root (``--out DIR``) keeps the workspace's safety state
    (usage-limit counts, REST pacing) where every other run does — ``<reports root>/.safety`` — not
    next to itself (the pytest and locust processes of the run inherit the choice)."""
    from webex_harness.workspace.state import STATE_DIR_VARIABLE, state_dir

    if not os.environ.get(STATE_DIR_VARIABLE):
        os.environ[STATE_DIR_VARIABLE] = str(state_dir(reports_root))
