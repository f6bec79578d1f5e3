"""``webex-harness prune``: delete old run folders under the reports root.

Only what looks like a run folder is ever a candidate: a folder (not a link) directly under the
reports root whose name is a run ID (``20260301-100000-abcd``) and which holds a ``summary.json``
or a ledger (``ledger-*.jsonl``). The workspace state (``.safety``) and everything else is left
alone. A run whose ledger still lists objects not deleted on the target (or creates whose outcome
never arrived) is kept — deleting its folder would lose the only record ``cleanup`` works from —
unless ``force``; objects no API can delete (contacts) do not pin a folder. A run folder with no
``summary.json`` yet that changed within :data:`IN_PROGRESS_SECONDS` is a run still going: kept.

Which runs go: those beyond the newest ``keep`` and, when ``older_than`` is given, started longer
ago than that (with only ``older_than``: every run older than it).
"""

from __future__ import annotations

import re
import shutil
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from webex_harness.client.journal import fold, read_lines
from webex_harness.client.kinds import kind
from webex_harness.workspace.run_folder import RUN_ID_PATTERN, run_started

_RUN_ID = re.compile(rf"^{RUN_ID_PATTERN}$")
_AGE = re.compile(r"^(\d+)([smhdw])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400}
#: a run folder without a summary that changed this recently is a run in progress
IN_PROGRESS_SECONDS = 600.0


class PruneError(ValueError):
    """A bad ``--keep`` / ``--older-than`` (one line)."""


def parse_keep(value: str | int | None) -> int | None:
    if value is None:
        return None
    try:
        keep = int(str(value).strip())
    except ValueError:
        raise PruneError(f"--keep must be a whole number of runs (0 or more), got {value!r}") from None
    if keep < 0:
        raise PruneError(f"--keep must be 0 or more, got {keep}")
    return keep


def parse_age(value: str | None) -> timedelta | None:
    """``30m``, ``12h``, ``7d``, ``2w`` as a :class:`timedelta`."""
    if value is None:
        return None
    match = _AGE.match(value.strip())
    if not match:
        raise PruneError(f"--older-than must be a number and a unit s, m, h, d or w (e.g. 7d), got {value!r}")
    return timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)])


def run_folders(reports: Path) -> list[Path]:
    """The run folders directly under ``reports``, newest first (run IDs sort by their start)."""
    try:
        entries = list(reports.iterdir())
    except OSError:
        return []
    found = [
        p
        for p in entries
        if _RUN_ID.match(p.name)
        and p.is_dir()
        and not p.is_symlink()
        and ((p / "summary.json").is_file() or any(p.glob("ledger-*.jsonl")))
    ]
    return sorted(found, key=lambda p: p.name, reverse=True)


def left_on_target(folder: Path) -> int:
    """What the run's ledger lists as still on the target: deletable objects not deleted, plus
    creates whose outcome never arrived."""
    ledgers = sorted(folder.glob("ledger-*.jsonl"))
    if not ledgers:
        return 0
    state = fold(read_lines(ledgers))
    return sum(_deletable(o.kind) for o in state.outstanding()) + len(state.unresolved())


def _deletable(kind_name: str) -> bool:
    """Whether an API deletes objects of this kind (a kind this version does not know: assume so)."""
    try:
        return kind(kind_name).delete is not None
    except KeyError:
        return True


def in_progress(folder: Path, now: float | None = None) -> bool:
    """No ``summary.json`` yet and a file changed within :data:`IN_PROGRESS_SECONDS`: a run still going."""
    if (folder / "summary.json").exists():
        return False
    now = time.time() if now is None else now
    try:
        newest = max((p.stat().st_mtime for p in folder.iterdir()), default=folder.stat().st_mtime)
    except OSError:
        return True
    return now - newest < IN_PROGRESS_SECONDS


@dataclass
class PrunePlan:
    removed: list[Path] = field(default_factory=list)
    kept: list[Path] = field(default_factory=list)
    pinned: dict[Path, int] = field(default_factory=dict)  # folder → objects its ledger lists as left
    running: list[Path] = field(default_factory=list)  # no summary yet, changed moments ago


def plan_prune(
    reports: Path, *, keep: int | None, older_than: timedelta | None, force: bool = False, now: datetime | None = None
) -> PrunePlan:
    """Which run folders under ``reports`` go and which stay (nothing is deleted here)."""
    if keep is None and older_than is None:
        raise PruneError("prune needs --keep N and/or --older-than AGE (e.g. --keep 20, --older-than 7d)")
    now = now or datetime.now(UTC)
    plan = PrunePlan()
    for index, folder in enumerate(run_folders(reports)):
        started = run_started(folder.name)
        old = older_than is None or (started is not None and now - started > older_than)
        if (keep is not None and index < keep) or not old:
            plan.kept.append(folder)
            continue
        if in_progress(folder):
            plan.running.append(folder)
            plan.kept.append(folder)
            continue
        left = 0 if force else left_on_target(folder)
        if left:
            plan.pinned[folder] = left
            plan.kept.append(folder)
        else:
            plan.removed.append(folder)
    return plan


def apply_prune(plan: PrunePlan) -> list[Path]:
    """Delete the plan's folders; the ones that could not be (permissions) are returned."""
    failed = []
    for folder in plan.removed:
        try:
            shutil.rmtree(folder)
        except OSError:
            failed.append(folder)
    return failed


__all__ = [
    "PruneError",
    "PrunePlan",
    "apply_prune",
    "in_progress",
    "left_on_target",
    "parse_age",
    "parse_keep",
    "plan_prune",
    "run_folders",
]
