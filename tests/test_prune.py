"""``webex-harness prune`` (runs/prune.py): old run folders go, nothing else under the reports
root does, and a run whose ledger still lists objects on the target stays unless ``--force``."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from webex_harness.runs.cli import main
from webex_harness.runs.prune import PruneError, parse_age, parse_keep, plan_prune, run_folders
from webex_harness.workspace.run_folder import new_run_id

NOW = datetime.now(UTC)


def _run(
    reports: Path, days_ago: float, *, summary: bool = True, ledger: list[dict[str, object]] | None = None
) -> Path:
    run_id = new_run_id(NOW - timedelta(days=days_ago))
    folder = reports / run_id
    folder.mkdir(parents=True)
    if summary:
        (folder / "summary.json").write_text(json.dumps({"run_id": run_id}))
    if ledger is not None:
        (folder / f"ledger-{run_id}.jsonl").write_text("".join(json.dumps(r) + "\n" for r in ledger))
    return folder


def _created(kind: str, object_id: str) -> dict[str, object]:
    return {"event": "created", "kind": kind, "site": "s", "id": object_id, "api": "CreateMeeting"}


def _deleted(kind: str, object_id: str) -> dict[str, object]:
    return {"event": "deleted", "kind": kind, "site": "s", "id": object_id, "by": "test"}


@pytest.fixture
def reports(tmp_path: Path) -> dict[str, Path]:
    """Five runs 1..30 days old (the 10-day one's ledger still lists a meeting, the 20-day one's only a
    contact no API deletes), and things under the root that are not run folders."""
    root = tmp_path / "reports"
    runs = {
        "1d": _run(root, 1),
        "3d": _run(root, 3, ledger=[_created("meeting", "1"), _deleted("meeting", "1")]),
        "10d": _run(root, 10, ledger=[_created("meeting", "7")]),
        "20d": _run(root, 20, ledger=[_created("contact", "9")]),
        "30d": _run(root, 30),
    }
    (root / ".safety").mkdir()
    (root / ".safety" / "usage-limit.jsonl").write_text("{}\n")
    runs["no-record"] = _run(root, 40, summary=False)  # a run-ID name but neither summary nor ledger
    (root / "notes").mkdir()
    (root / new_run_id(NOW - timedelta(days=50))).write_text("a file, not a folder")
    return {"root": root, **runs}


def _names(root: Path) -> set[str]:
    return {p.name for p in root.iterdir()}


def test_keep_n_removes_older_run_folders_and_keeps_the_one_its_ledger_pins(
    reports: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = reports["root"]
    before = _names(root)
    assert main(["prune", "--keep", "1", "--reports", str(root)]) == 0
    out = capsys.readouterr().out
    gone = {reports[k].name for k in ("3d", "20d", "30d")}
    assert _names(root) == before - gone
    for name in gone:
        assert f"  removed {name}" in out.splitlines()
    assert f"  kept {reports['10d'].name}: its ledger lists 1 object(s) not deleted on the target" in out
    assert out.strip().splitlines()[-1].endswith("removed 3 run folder(s), kept 2 (1 for their ledgers)")
    assert (root / ".safety" / "usage-limit.jsonl").exists()


def test_dry_run_says_what_would_go_and_removes_nothing(
    reports: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    root = reports["root"]
    before = _names(root)
    assert main(["prune", "--keep", "0", "--dry-run", "--reports", str(root)]) == 0
    out = capsys.readouterr().out
    assert _names(root) == before
    assert f"  would remove {reports['1d'].name}" in out and "would remove 4 run folder(s)" in out


def test_older_than_removes_only_runs_started_before_it(reports: dict[str, Path]) -> None:
    root = reports["root"]
    assert main(["prune", "--older-than", "7d", "--reports", str(root)]) == 0
    assert reports["1d"].exists() and reports["3d"].exists() and reports["10d"].exists()
    assert not reports["20d"].exists() and not reports["30d"].exists()


def test_keep_and_older_than_together_keep_a_run_that_either_protects(reports: dict[str, Path]) -> None:
    root = reports["root"]
    assert main(["prune", "--keep", "4", "--older-than", "2d", "--reports", str(root)]) == 0
    assert [p.name for p in run_folders(root)] == [reports[k].name for k in ("1d", "3d", "10d", "20d")]


def test_force_removes_a_run_whose_ledger_lists_objects_too(reports: dict[str, Path]) -> None:
    root = reports["root"]
    assert main(["prune", "--keep", "0", "--force", "--reports", str(root)]) == 0
    assert run_folders(root) == []
    assert _names(root) == {
        ".safety",
        "notes",
        reports["no-record"].name,
        *(p.name for p in root.iterdir() if p.is_file()),
    }


def test_only_run_id_folders_with_a_summary_or_a_ledger_are_run_folders(reports: dict[str, Path]) -> None:
    found = run_folders(reports["root"])
    assert found == [reports[k] for k in ("1d", "3d", "10d", "20d", "30d")]  # newest first


def test_a_missing_reports_folder_prunes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["prune", "--keep", "3", "--reports", str(tmp_path / "none")]) == 0
    assert "removed 0 run folder(s), kept 0" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "prune needs --keep N and/or --older-than AGE"),
        (["--keep", "-1"], "--keep must be 0 or more, got -1"),
        (["--keep", "ten"], "--keep must be a whole number of runs (0 or more), got 'ten'"),
        (["--older-than", "7x"], "--older-than must be a number and a unit s, m, h, d or w (e.g. 7d), got '7x'"),
        (["--keep", "2", "--older-than", "d"], "--older-than must be a number"),
    ],
)
def test_bad_values_exit_2_with_one_line_and_remove_nothing(
    reports: dict[str, Path], capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    root = reports["root"]
    before = _names(root)
    assert main(["prune", *args, "--reports", str(root)]) == 2
    out, err = capsys.readouterr()
    assert err.startswith(f"webex-harness: {message}") and len(err.strip().splitlines()) == 1
    assert out == "" and _names(root) == before


def test_ages_and_counts_parse() -> None:
    assert parse_age("30m") == timedelta(minutes=30) and parse_age("2w") == timedelta(days=14)
    assert parse_keep("0") == 0 and parse_keep(None) is None
    with pytest.raises(PruneError):
        plan_prune(Path("."), keep=None, older_than=None)


def test_a_run_still_going_is_kept_and_a_stale_one_without_summary_is_not(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import os

    root = tmp_path / "reports"
    going = _run(root, 2, summary=False, ledger=[])
    stale = _run(root, 3, summary=False, ledger=[])
    old = NOW.timestamp() - 3 * 86400
    for path in (stale, *stale.iterdir()):
        os.utime(path, (old, old))
    assert main(["prune", "--keep", "0", "--reports", str(root)]) == 0
    assert going.exists() and not stale.exists()
    assert (
        f"  kept {going.name}: no summary yet and changed in the last minutes (a run in progress)"
        in capsys.readouterr().out
    )
