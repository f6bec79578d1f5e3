"""``webex-harness compare RUN_A RUN_B`` (runs/compare.py): per-API before/after changes with a
verdict per threshold, as Markdown and an SVG chart (issue 6, "Before/after")."""

from __future__ import annotations

import csv
import json
import random
import re
from pathlib import Path
from typing import Any

import pytest
from lxml import etree

from webex_harness.environment.errors import EnvironmentFileError
from webex_harness.environment.load_section import parse_limit
from webex_harness.environment.loader import load_environment
from webex_harness.environment.model import CompareLimits
from webex_harness.runs.cli import main
from webex_harness.runs.compare import DEFAULT_LIMITS, CompareError, compare_runs, read_run
from webex_harness.runs.compare_report import render_markdown, render_svg

ROOT = Path(__file__).resolve().parent.parent
SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = 'Evil<script>&"api"'


def _env_file(path: Path, load_section: str) -> Path:
    """environments/emulator.yaml with ``load_section`` (YAML text starting ``load:``) as its ``load:``."""
    text = re.sub(r"(?ms)^load:.*?(?=^\S|\Z)", "", (ROOT / "environments" / "emulator.yaml").read_text())
    path.write_text(text.rstrip("\n") + "\n" + load_section)
    return path


def _row(
    name: str, *, rps: float, p50: float = 2.0, p95: float, p99: float, requests: int = 100, failures: int = 0
) -> dict[str, Any]:
    return {
        "name": name,
        "requests": requests,
        "failures": failures,
        "failure_ratio": failures / requests,
        "rps": rps,
        "p50_ms": p50,
        "p95_ms": p95,
        "p99_ms": p99,
    }


HISTORY_COLUMNS = [
    "Timestamp",
    "User Count",
    "Type",
    "Name",
    "Requests/s",
    "Failures/s",
    "50%",
    "95%",
    "Total Request Count",
    "Total Failure Count",
    "Total Median Response Time",
    "Total Average Response Time",
]


def _write_history(
    folder: Path, rows: list[dict[str, Any]], *, windows: int = 10, jitter: float = 0.02, users: int = 5
) -> None:
    """A locust_stats_history.csv as ``--csv-full-history`` writes it: per second and per row, the
    cumulative count, failures and average. Each window has about the row's rps requests, a mean
    latency of about 0.6 × its p95 (± ``jitter``, seeded by the run's folder name) and the row's
    failures spread one by one over the windows. A spawn second (fewer users) comes first."""
    rng = random.Random(folder.name)
    lines: list[dict[str, Any]] = []
    for row in rows:
        count, failed, latency_sum = 0, 0, 0.0
        lines.append(
            {
                "Timestamp": 1000,
                "User Count": 1,
                "Name": row["name"],
                "Total Request Count": 0,
                "Total Failure Count": 0,
                "Total Average Response Time": 0.0,
            }
        )
        for second in range(windows + 1):
            if second:
                requests = max(1, round(row["rps"] * (1 + rng.uniform(-jitter, jitter))))
                failures = min(requests, row["failures"] // windows + (second <= row["failures"] % windows))
                count, failed = count + requests, failed + failures
                latency_sum += requests * 0.6 * row["p95_ms"] * (1 + rng.uniform(-jitter, jitter))
            lines.append(
                {
                    "Timestamp": 1001 + second,
                    "User Count": users,
                    "Name": row["name"],
                    "Total Request Count": count,
                    "Total Failure Count": failed,
                    "Total Average Response Time": latency_sum / count if count else 0.0,
                }
            )
    with open(folder / "locust_stats_history.csv", "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, HISTORY_COLUMNS, restval="")
        writer.writeheader()
        writer.writerows(lines)


def _write_run(
    reports: Path,
    run_id: str,
    apis: list[dict[str, Any]],
    total: dict[str, Any],
    summary: dict[str, Any] | None = None,
    *,
    windows: int | None = 10,
    jitter: float = 0.02,
) -> Path:
    """A run folder with load.json, its summary.json (when given) and a history of ``windows``
    one-second windows (``None``: no history, as in runs made before the history was kept)."""
    folder = reports / run_id
    folder.mkdir(parents=True)
    load = {
        "users": 5,
        "spawn_rate": 5.0,
        "run_time": "20s",
        "run_seconds": 20.0,
        "apis": apis,
        "total": total,
        "failures": [],
        "exit_code": 0,
        "html": "locust.html",
    }
    (folder / "load.json").write_text(json.dumps(load))
    if summary is not None:
        (folder / "summary.json").write_text(json.dumps(summary))
    if windows is not None:
        _write_history(folder, [*apis, total], windows=windows, jitter=jitter)
    return folder


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    """Two runs: CreateMeeting slower and failing, GetSessionInfo faster, one API removed, one added."""
    root = tmp_path / "reports"
    _write_run(
        root,
        "before-1",
        [
            _row("CreateMeeting", rps=10.0, p95=10.0, p99=20.0),
            _row("DelMeeting (clean-up)", rps=10.0, p95=5.0, p99=6.0),
            _row("GetSessionInfo", rps=30.0, p95=8.0, p99=12.0),
            _row("LstsummaryMeeting", rps=5.0, p95=9.0, p99=10.0),
            _row("RegisterMeetingAttendee (setup)", rps=0.5, p95=5.0, p99=5.0, requests=2),
        ],
        _row("Aggregated", rps=55.0, p95=9.0, p99=15.0, requests=400),
        summary={
            "run_id": "before-1",
            "started": "2026-01-05T10:00:00+00:00",
            "harness_version": "0.1.0",
            "target": {"name": "acme-before", "kind": "site", "xml_url": "https://acme.example/WBXService"},
        },
    )
    _write_run(
        root,
        "after-2",
        [
            _row("CreateMeeting", rps=8.5, p95=12.5, p99=27.0, failures=10),
            _row("DelMeeting (clean-up)", rps=2.0, p95=50.0, p99=60.0),
            _row("GetSessionInfo", rps=36.0, p95=6.0, p99=12.0),
            _row("RegisterMeetingAttendee (setup)", rps=0.1, p95=90.0, p99=90.0, requests=2),
            _row(HOSTILE, rps=1.0, p95=3.0, p99=4.0),
        ],
        _row("Aggregated", rps=47.5, p95=10.0, p99=18.0, requests=400, failures=10),
    )
    return root


# --------------------------------------------------------------------------------------------
# Reading runs


def test_a_run_is_found_by_id_by_folder_or_by_its_load_json(reports: Path) -> None:
    by_id = read_run("before-1", reports)
    by_folder = read_run(str(reports / "before-1"), Path("/nonexistent"))
    by_file = read_run(str(reports / "before-1" / "load.json"), Path("/nonexistent"))
    assert by_id.load == by_folder.load == by_file.load
    assert by_id.run_id == "before-1" and by_id.summary and by_id.summary["target"]["name"] == "acme-before"
    assert read_run("after-2", reports).summary is None


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "no run 'gone'"), ("{not json", "not valid JSON"), ('{"apis": 3}', "not a load.json")],
    ids=["missing", "bad-json", "wrong-shape"],
)
def test_unreadable_run_is_one_line_naming_the_path(tmp_path: Path, content: str | None, problem: str) -> None:
    if content is not None:
        (tmp_path / "gone").mkdir()
        (tmp_path / "gone" / "load.json").write_text(content)
    with pytest.raises(CompareError) as err:
        read_run("gone", tmp_path)
    assert problem in str(err.value) and str(tmp_path / "gone") in str(err.value)
    assert "\n" not in str(err.value)


# --------------------------------------------------------------------------------------------
# Verdicts


def test_verdicts_per_api_per_threshold_and_overall(reports: Path) -> None:
    comparison = compare_runs(read_run("before-1", reports), read_run("after-2", reports))
    rows = {row.name: row for row in comparison.rows}
    create, info = rows["CreateMeeting"].verdicts, rows["GetSessionInfo"].verdicts
    # CreateMeeting: rps -15 % (> 10 %), p95 +25 % (> 20 %), p99 +35 % (> 30 %), failure ratio +0.1 (> 0.01),
    # each confirmed by the one-second windows (2 % jitter around a 15-25 % shift).
    assert create == {
        "max_rps_drop": "regressed",
        "max_p95_increase": "regressed",
        "max_p99_increase": "regressed",
        "max_failure_ratio_increase": "regressed",
    }
    # GetSessionInfo: rps +20 %, p95 -25 %: improved; p99 unchanged: ok.
    assert info == {
        "max_rps_drop": "improved",
        "max_p95_increase": "improved",
        "max_p99_increase": "ok",
        "max_failure_ratio_increase": "ok",
    }
    assert rows["DelMeeting (clean-up)"].verdicts["max_p95_increase"] == "not judged"
    assert set(rows["RegisterMeetingAttendee (setup)"].verdicts.values()) == {"not judged"}
    assert rows["LstsummaryMeeting"].status == "removed" and rows[HOSTILE].status == "added"
    assert rows["LstsummaryMeeting"].verdicts["max_rps_drop"] == "removed"
    assert rows["Aggregated"].verdicts["max_rps_drop"] == "regressed"  # 55 → 47.5 is -13.6 %
    assert comparison.overall == {
        "max_rps_drop": "regressed",
        "max_p95_increase": "regressed",
        "max_p99_increase": "regressed",
        "max_failure_ratio_increase": "regressed",
    }
    assert "p95 of CreateMeeting +25.0 % (10 → 12.5 ms; limit +20 %)" in comparison.regressions
    assert not any("clean-up" in r or "setup" in r for r in comparison.regressions)


def test_changes_within_the_limits_are_ok_and_limits_are_inclusive(reports: Path) -> None:
    loose = CompareLimits(
        max_rps_drop=0.15, max_p95_increase=0.25, max_p99_increase=0.35, max_failure_ratio_increase=0.1
    )
    comparison = compare_runs(read_run("before-1", reports), read_run("after-2", reports), loose)
    create = next(row for row in comparison.rows if row.name == "CreateMeeting")
    assert set(create.verdicts.values()) == {"ok"}, "exactly at the limit is not more than the limit"
    assert not comparison.regressed
    # GetSessionInfo: p95 -25 % is not more than 25 % (ok); rps +20 % is more than 15 % (improved).
    assert comparison.overall == {
        "max_rps_drop": "improved",
        "max_p95_increase": "ok",
        "max_p99_increase": "ok",
        "max_failure_ratio_increase": "ok",
    }


def test_latency_change_from_zero_is_relative_to_one_millisecond(tmp_path: Path) -> None:
    _write_run(
        tmp_path, "a", [_row("GetSessionInfo", rps=10, p95=0.0, p99=0.0)], _row("Aggregated", rps=10, p95=0.0, p99=0.0)
    )
    _write_run(
        tmp_path, "b", [_row("GetSessionInfo", rps=10, p95=3.0, p99=0.0)], _row("Aggregated", rps=10, p95=3.0, p99=0.0)
    )
    comparison = compare_runs(read_run("a", tmp_path), read_run("b", tmp_path))
    info = next(row for row in comparison.rows if row.name == "GetSessionInfo")
    assert info.changes["p95_ms"].relative("p95_ms") == 3.0
    assert info.verdicts["max_p95_increase"] == "regressed" and info.verdicts["max_p99_increase"] == "ok"


def test_a_latency_moving_by_one_millisecond_is_resolution_noise_not_a_regression(tmp_path: Path) -> None:
    _write_run(
        tmp_path, "a", [_row("GetSessionInfo", rps=10, p95=1.0, p99=2.0)], _row("Aggregated", rps=10, p95=1.0, p99=2.0)
    )
    _write_run(
        tmp_path, "b", [_row("GetSessionInfo", rps=10, p95=2.0, p99=1.0)], _row("Aggregated", rps=10, p95=2.0, p99=1.0)
    )
    comparison = compare_runs(read_run("a", tmp_path), read_run("b", tmp_path))
    info = next(row for row in comparison.rows if row.name == "GetSessionInfo")
    assert info.changes["p95_ms"].relative("p95_ms") == 1.0, "+100 %, yet only one step of locust's resolution"
    assert info.verdicts["max_p95_increase"] == "ok" and info.verdicts["max_p99_increase"] == "ok"
    assert not comparison.regressed and not comparison.improvements


# --------------------------------------------------------------------------------------------
# Limits


def test_limits_parse_fractions_and_percentages() -> None:
    assert parse_limit("0.1", "--max-rps-drop") == 0.1
    assert parse_limit("15%", "--max-rps-drop") == pytest.approx(0.15)
    assert parse_limit(0.3, "x") == 0.3
    with pytest.raises(ValueError, match=r"^--max-rps-drop: expected a fraction .* got 'lots'$"):
        parse_limit("lots", "--max-rps-drop")


def test_limits_come_from_the_command_line_then_the_file_then_the_defaults(tmp_path: Path) -> None:
    path = _env_file(tmp_path / "ci.yaml", "load:\n  compare:\n    max_rps_drop: 0.5\n    max_p95_increase: 25%\n")
    from_file = load_environment(path).load.compare
    assert from_file == CompareLimits(max_rps_drop=0.5, max_p95_increase=0.25)
    merged = CompareLimits(max_rps_drop=0.05).over(from_file).over(DEFAULT_LIMITS)
    assert merged == CompareLimits(
        max_rps_drop=0.05, max_p95_increase=0.25, max_p99_increase=0.30, max_failure_ratio_increase=0.01
    )


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            "    max_p95_increase: fast\n",
            "load.compare.max_p95_increase: expected a fraction such as 0.1 or a percentage such as 10%, got 'fast'",
        ),
        (
            "    max_p50_increase: 0.1\n",
            "load.compare.max_p50_increase: unknown key (known: max_rps_drop, "
            "max_p95_increase, max_p99_increase, max_failure_ratio_increase)",
        ),
    ],
    ids=["not-a-number", "unknown-key"],
)
def test_bad_compare_section_is_one_line_naming_file_and_key(tmp_path: Path, section: str, message: str) -> None:
    path = _env_file(tmp_path / "ci.yaml", "load:\n  compare:\n" + section)
    with pytest.raises(EnvironmentFileError) as err:
        load_environment(path)
    assert str(err.value) == f"{path}: {message}"


# --------------------------------------------------------------------------------------------
# Markdown and SVG


def test_markdown_leads_with_the_verdict_and_tabulates_before_after_and_change(reports: Path) -> None:
    text = render_markdown(compare_runs(read_run("before-1", reports), read_run("after-2", reports)))
    lines = text.splitlines()
    assert lines[0] == "# Load comparison: `before-1` → `after-2`"
    assert lines[2].startswith("**Verdict: ❌ regressed** — ")
    assert "| started | 2026-01-05T10:00:00+00:00 | — |" in lines
    assert "| target | acme-before (site) — https://acme.example/WBXService | — |" in lines
    assert "| CreateMeeting | 10.00 | 8.50 | -1.50 | -15.0 % | ❌ **regressed** |" in lines
    assert "| GetSessionInfo | 8 | 6 | -2 | -25.0 % | 🟢 improved |" in lines
    assert "| DelMeeting (clean-up) | 5 | 50 | +45 | +900.0 % | not judged |" in lines
    assert "| CreateMeeting | 0 | 0.1 | +0.1 | n/a | ❌ **regressed** |" in lines
    assert "- removed (only in `before-1`): LstsummaryMeeting" in lines
    assert '- added (only in `after-2`): Evil&lt;script&gt;&"api"' in lines
    assert "| **all requests (Aggregated)** | 55.00 | 47.50 | -7.50 | -13.6 % | ❌ **regressed** |" in lines
    assert "![rps and p95 before and after](compare-before-1-vs-after-2.svg)" in lines
    assert not any(line.startswith("⚠") for line in lines), "both runs were set up alike"


def test_markdown_says_which_run_its_budget_or_a_signal_cut_short(reports: Path) -> None:
    marks: dict[str, dict[str, Any]] = {"before-1": {"budget_spent": {"used": 120}}, "after-2": {"interrupted": True}}
    for run_id, mark in marks.items():
        path = reports / run_id / "load.json"
        path.write_text(json.dumps({**json.loads(path.read_text()), **mark}))
    lines = render_markdown(compare_runs(read_run("before-1", reports), read_run("after-2", reports))).splitlines()
    [row] = [line for line in lines if line.startswith("| load |")]
    before, after = row.strip("| ").split(" | ")[1:3]
    assert before.endswith("; **stopped early: its budget share was spent**") and "interrupted" not in before
    assert after.endswith("; **interrupted**") and "budget" not in after


def test_markdown_warns_when_the_runs_were_set_up_differently(reports: Path) -> None:
    path = reports / "after-2" / "load.json"
    path.write_text(json.dumps({**json.loads(path.read_text()), "users": 20, "scenario": "calls"}))
    text = render_markdown(compare_runs(read_run("before-1", reports), read_run("after-2", reports)))
    assert (
        "⚠ The runs were not set up alike (users 5 → 20; scenario — → calls): part of every change may be the setup's."
    ) in text.splitlines()


def test_svg_is_well_formed_with_escaped_api_names_bars_and_a_legend(reports: Path) -> None:
    svg = render_svg(compare_runs(read_run("before-1", reports), read_run("after-2", reports)))
    assert "<script>" not in svg
    root = etree.fromstring(svg.encode())
    assert root.tag == f"{SVG}svg"
    texts = ["".join(t.itertext()) for t in root.iter(f"{SVG}text")]
    assert texts.count(HOSTILE) == 2, "the API name, escaped, once per panel"
    for label in (
        "CreateMeeting",
        "LstsummaryMeeting",
        "all requests (Aggregated)",
        "before: before-1",
        "after: after-2",
        "requests per second",
        "milliseconds",
        "12.5",
        "8.5",
    ):
        assert label in texts, label
    assert texts.count("not in this run") == 4, "removed and added APIs have one missing bar per panel"
    assert texts.count("all requests (Aggregated)") == 1, "the whole run only in the p95 panel"
    bars = [r for r in root.iter(f"{SVG}rect") if (r.get("class") or "").startswith("bar ")]
    assert len(bars) == (2 * 6 - 2) + (2 * 7 - 2), "rps: 6 APIs × 2 bars - 2 missing; p95: the whole run too"
    widths = {float(r.get("width")) for r in bars}
    assert max(widths) > 10 * min(w for w in widths if w > 0), "bars are scaled to their values"


# --------------------------------------------------------------------------------------------
# The command


def test_compare_command_exits_1_naming_regressions_and_writes_both_files(
    reports: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["compare", "before-1", "after-2", "--reports", str(reports)])
    out, err = capsys.readouterr()
    assert code == 1
    assert out.startswith("# Load comparison: `before-1` → `after-2`")
    assert err.startswith("webex-harness: regression: rps of CreateMeeting -15.0 %")
    assert "p99 of CreateMeeting +35.0 %" in err and len(err.strip().splitlines()) == 1
    md = reports / "after-2" / "compare-before-1-vs-after-2.md"
    svg = reports / "after-2" / "compare-before-1-vs-after-2.svg"
    assert md.read_text() + "\n" == out.rsplit("\ncomparison: ", 1)[0] + "\n"
    etree.parse(str(svg))


def test_compare_command_exits_0_within_loose_limits_and_writes_into_out(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "ticket"
    code = main(
        [
            "compare",
            str(reports / "before-1"),
            str(reports / "after-2" / "load.json"),
            "--out",
            str(out_dir),
            "--max-rps-drop",
            "20%",
            "--max-p95-increase",
            "0.3",
            "--max-p99-increase",
            "0.4",
            "--max-failure-ratio-increase",
            "0.1",
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "**Verdict: ✅ ok**" in out
    assert sorted(p.name for p in out_dir.iterdir()) == [
        "compare-before-1-vs-after-2.md",
        "compare-before-1-vs-after-2.svg",
        "compare.xml",
    ]


def test_compare_command_takes_limits_from_the_environment_file(
    reports: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _env_file(
        tmp_path / "ci.yaml",
        "load:\n  compare:\n"
        "    max_rps_drop: 0.2\n    max_p95_increase: 0.3\n    max_p99_increase: 0.4\n"
        "    max_failure_ratio_increase: 0.1\n",
    )
    assert main(["compare", "before-1", "after-2", "--reports", str(reports), "--env", str(path)]) == 0
    capsys.readouterr()
    code = main(
        ["compare", "before-1", "after-2", "--reports", str(reports), "--env", str(path), "--max-p95-increase", "0.1"]
    )
    err = capsys.readouterr().err
    assert code == 1 and "p95 of CreateMeeting +25.0 %" in err and "rps of" not in err


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        (["before-1", "missing-9"], "no run 'missing-9'"),
        (["before-1", "after-2", "--max-rps-drop", "lots"], "--max-rps-drop: expected a fraction"),
    ],
    ids=["missing-run", "bad-limit"],
)
def test_compare_command_exits_2_with_one_line(
    reports: Path, capsys: pytest.CaptureFixture[str], args: list[str], problem: str
) -> None:
    code = main(["compare", *args, "--reports", str(reports)])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and problem in err


# --------------------------------------------------------------------------------------------
# Noise: a change beyond a limit must also be beyond the run-to-run noise


def _same_target(tmp_path: Path, *, windows: int | None = 10, requests: int = 100, jitter: float = 0.3) -> Path:
    """Two runs of the same target: every window drawn alike (± ``jitter``), yet the second run's
    load.json p95 of GetSessionInfo says 10 → 16 ms (+60 %), as the issue saw between identical runs."""
    rows = [
        _row("GetSessionInfo", rps=30.0, p95=10.0, p99=12.0, requests=requests),
        _row("CreateMeeting", rps=10.0, p95=10.0, p99=12.0, requests=requests),
    ]
    total = _row("Aggregated", rps=40.0, p95=10.0, p99=12.0, requests=2 * requests)
    _write_run(tmp_path, "a", rows, total, windows=windows, jitter=jitter)
    _write_run(tmp_path, "b", rows, total, windows=windows, jitter=jitter)
    path = tmp_path / "b" / "load.json"
    load = json.loads(path.read_text())
    load["apis"][0]["p95_ms"] = 16.0
    path.write_text(json.dumps(load))
    return tmp_path


def test_a_p95_beyond_the_limit_that_the_windows_do_not_confirm_is_noise_not_a_regression(tmp_path: Path) -> None:
    comparison = compare_runs(read_run("a", _same_target(tmp_path)), read_run("b", tmp_path))
    info = next(row for row in comparison.rows if row.name == "GetSessionInfo")
    assert info.changes["p95_ms"].relative("p95_ms") == pytest.approx(0.6)
    assert info.verdicts["max_p95_increase"] == "ok"
    assert info.evidence["max_p95_increase"].startswith("within the run-to-run noise: p = ")
    assert not comparison.regressed and not comparison.inconclusive
    assert comparison.overall["max_p95_increase"] == "ok"
    text = render_markdown(comparison)
    assert "**Verdict: ✅ ok** — no threshold regressed." in text
    assert "Beyond a limit but within the run-to-run noise (1, not counted):" in text
    assert "- p95 of GetSessionInfo +60.0 % (10 → 16 ms; limit +20 %): within the run-to-run noise" in text


def test_the_same_change_confirmed_by_the_windows_is_a_regression(tmp_path: Path) -> None:
    rows = [_row("GetSessionInfo", rps=30.0, p95=10.0, p99=12.0)]
    _write_run(tmp_path, "a", rows, _row("Aggregated", rps=30.0, p95=10.0, p99=12.0))
    _write_run(
        tmp_path,
        "b",
        [_row("GetSessionInfo", rps=30.0, p95=16.0, p99=12.0)],
        _row("Aggregated", rps=30.0, p95=16.0, p99=12.0),
    )
    comparison = compare_runs(read_run("a", tmp_path), read_run("b", tmp_path))
    info = next(row for row in comparison.rows if row.name == "GetSessionInfo")
    assert info.verdicts["max_p95_increase"] == "regressed"
    assert info.evidence["max_p95_increase"].startswith("beyond the noise: p = ")
    assert "10 vs 10 one-second windows of mean latency" in info.evidence["max_p95_increase"]


def test_runs_without_a_history_are_inconclusive_and_the_command_exits_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _same_target(tmp_path, windows=None)
    code = main(["compare", "a", "b", "--reports", str(tmp_path)])
    out, err = capsys.readouterr()
    assert code == 3
    assert (
        err.startswith("webex-harness: inconclusive: run `a` has no per-second history (locust_stats_history.csv)")
        and len(err.strip().splitlines()) == 1
    )
    lines = out.splitlines()
    assert lines[2] == "**Verdict: ❔ inconclusive** — no regression shown, but the runs are too short to tell:"
    assert "| GetSessionInfo | 10 | 16 | +6 | +60.0 % | ❔ inconclusive |" in lines


def test_runs_too_short_are_inconclusive_even_when_nothing_moved(tmp_path: Path) -> None:
    rows = [_row("GetSessionInfo", rps=30.0, p95=10.0, p99=12.0)]
    _write_run(tmp_path, "a", rows, _row("Aggregated", rps=30.0, p95=10.0, p99=12.0), windows=3)
    _write_run(tmp_path, "b", rows, _row("Aggregated", rps=30.0, p95=10.0, p99=12.0), windows=3)
    comparison = compare_runs(read_run("a", tmp_path), read_run("b", tmp_path))
    assert comparison.inconclusive and not comparison.regressed
    assert set(comparison.overall.values()) == {"inconclusive"}
    assert comparison.inconclusive_reasons == [
        f"run `{run}` has 3 one-second window(s) at a steady user count; at least 5 are needed: run longer"
        for run in ("a", "b")
    ]
    assert all(v == "ok" for row in comparison.rows for v in row.verdicts.values()), "nothing moved"


def test_an_api_too_rare_to_test_is_inconclusive_itself_but_does_not_decide(tmp_path: Path) -> None:
    _write_run(
        tmp_path,
        "a",
        [
            _row("GetSessionInfo", rps=30.0, p95=10.0, p99=12.0),
            _row("DelMeeting", rps=0.3, p95=10.0, p99=12.0, requests=3),
        ],
        _row("Aggregated", rps=31.0, p95=10.0, p99=12.0),
    )
    _write_run(
        tmp_path,
        "b",
        [
            _row("GetSessionInfo", rps=30.0, p95=10.0, p99=12.0),
            _row("DelMeeting", rps=0.3, p95=20.0, p99=12.0, requests=3),
        ],
        _row("Aggregated", rps=31.0, p95=10.0, p99=12.0),
    )
    for run in ("a", "b"):  # DelMeeting called in 3 of the 10 seconds only
        path = tmp_path / run / "locust_stats_history.csv"
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        kept = [r for r in rows if r["Name"] != "DelMeeting" or int(r["Timestamp"]) in (1000, 1001, 1004, 1007, 1010)]
        with open(path, "w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, HISTORY_COLUMNS)
            writer.writeheader()
            writer.writerows(kept)
    comparison = compare_runs(read_run("a", tmp_path), read_run("b", tmp_path))
    rows = {row.name: row for row in comparison.rows}
    assert rows["DelMeeting"].verdicts["max_p95_increase"] == "inconclusive"
    assert rows["GetSessionInfo"].verdicts["max_p95_increase"] == "ok"
    assert comparison.overall["max_p95_increase"] == "ok" and not comparison.inconclusive
    assert comparison.too_few_samples == [
        "p95 of DelMeeting +100.0 % (10 → 20 ms; limit +20 %): 3 and 3 one-second window(s) with a sample; "
        "at least 5 a run are needed"
    ]
    assert (
        "Beyond a limit but too rare to test (1, inconclusive, not counted; the whole run is judged):"
        in render_markdown(comparison)
    )


def test_windows_that_moved_by_less_than_half_the_limit_are_drift_not_a_regression(tmp_path: Path) -> None:
    """A machine a little busier in the second run: every window 5 % slower (significant on its own,
    with 1 % jitter) while the noisy p95 says +25 %: less than half the 20 % limit is drift."""
    _write_run(
        tmp_path,
        "a",
        [_row("GetSessionInfo", rps=30.0, p95=10.0, p99=12.0)],
        _row("Aggregated", rps=30.0, p95=10.0, p99=12.0),
        jitter=0.01,
    )
    _write_run(
        tmp_path,
        "b",
        [_row("GetSessionInfo", rps=30.0, p95=10.5, p99=12.0)],
        _row("Aggregated", rps=30.0, p95=10.5, p99=12.0),
        jitter=0.01,
    )
    path = tmp_path / "b" / "load.json"
    load = json.loads(path.read_text())
    load["apis"][0]["p95_ms"] = 12.5
    path.write_text(json.dumps(load))
    comparison = compare_runs(read_run("a", tmp_path), read_run("b", tmp_path))
    info = next(row for row in comparison.rows if row.name == "GetSessionInfo")
    assert info.verdicts["max_p95_increase"] == "ok" and not comparison.regressed
    assert "drift margin 10 %" in info.evidence["max_p95_increase"]
