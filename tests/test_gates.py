"""CI gates (runs/gates.py): thresholds from the environment file and the command line, and
their evaluation against a load.json record (issue 6, "CI gates")."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from webex_harness.environment.errors import EnvironmentFileError
from webex_harness.environment.load_section import parse_thresholds
from webex_harness.environment.loader import load_environment
from webex_harness.environment.model import ALL_APIS, Thresholds
from webex_harness.runs.gates import GateOptionError, breaches, evaluate, thresholds_from_options

ROOT = Path(__file__).resolve().parent.parent
FILE = "environments/ci.yaml"


def _env_file(path: Path, load_section: str) -> Path:
    """environments/emulator.yaml with ``load_section`` (YAML text starting ``load:``) as its ``load:``."""
    text = re.sub(r"(?ms)^load:.*?(?=^\S|\Z)", "", (ROOT / "environments" / "emulator.yaml").read_text())
    path.write_text(text.rstrip("\n") + "\n" + load_section)
    return path


def _row(
    name: str, requests: int = 100, failures: int = 0, rps: float = 10.0, p95: float | None = 20.0
) -> dict[str, Any]:
    return {
        "name": name,
        "requests": requests,
        "failures": failures,
        "failure_ratio": round(failures / requests, 6) if requests else 0.0,
        "rps": rps,
        "p50_ms": None if p95 is None else p95 / 2,
        "p95_ms": p95,
        "p99_ms": None if p95 is None else p95 * 2,
    }


def _load(*rows: dict[str, Any], total: dict[str, Any] | None = None) -> dict[str, Any]:
    if total is None:
        requests = sum(r["requests"] for r in rows)
        failures = sum(r["failures"] for r in rows)
        total = _row(
            "Aggregated",
            requests,
            failures,
            sum(r["rps"] for r in rows),
            max((r["p95_ms"] or 0 for r in rows), default=None),
        )
    return {"apis": list(rows), "total": total, "failures": []}


# --------------------------------------------------------------------------------------------
# Parsing the environment file


def test_file_thresholds_accept_every_documented_form() -> None:
    gates = parse_thresholds({"failure_ratio": 0.01, "p95_ms": {"GetSessionInfo": 500, "*": 2000}, "min_rps": 5}, FILE)
    assert gates == Thresholds(failure_ratio=0.01, p95_ms={"GetSessionInfo": 500.0, "*": 2000.0}, min_total_rps=5.0)

    one_number = parse_thresholds({"p95_ms": 750, "min_rps": {"GetSessionInfo": 3, "CreateMeeting": 1.5}}, FILE)
    assert one_number.p95_ms == {ALL_APIS: 750.0}
    assert one_number.min_rps == {"GetSessionInfo": 3.0, "CreateMeeting": 1.5}
    assert one_number.min_total_rps is None and one_number.failure_ratio is None


def test_no_thresholds_section_means_no_gates() -> None:
    assert parse_thresholds(None, FILE).empty
    assert evaluate(_load(_row("GetSessionInfo")), Thresholds()) == []


@pytest.mark.parametrize(
    ("section", "message"),
    [
        (
            {"p95_ms": {"GetSessionInfo": "fast"}},
            "environments/ci.yaml: load.thresholds.p95_ms.GetSessionInfo: "
            "expected a number of milliseconds, got 'fast'",
        ),
        (
            {"p95_ms": "fast"},
            "environments/ci.yaml: load.thresholds.p95_ms: expected a number of milliseconds or a mapping of API name "
            "to a number of milliseconds, got 'fast'",
        ),
        (
            {"p95_ms": [500]},
            "environments/ci.yaml: load.thresholds.p95_ms: expected a number of milliseconds or a mapping of API name "
            "to a number of milliseconds, got a list",
        ),
        (
            {"p95_ms": {"*": -1}},
            "environments/ci.yaml: load.thresholds.p95_ms.*: expected a number of milliseconds, got -1",
        ),
        (
            {"failure_ratio": 1.5},
            "environments/ci.yaml: load.thresholds.failure_ratio: expected a ratio between 0 and 1, got 1.5",
        ),
        (
            {"failure_ratio": True},
            "environments/ci.yaml: load.thresholds.failure_ratio: expected a ratio between 0 and 1, got True",
        ),
        (
            {"min_rps": "lots"},
            "environments/ci.yaml: load.thresholds.min_rps: expected a number of requests per second or a mapping of "
            "API name to a number of requests per second, got 'lots'",
        ),
        (
            {"min_rps": {"GetSessionInfo": None}},
            "environments/ci.yaml: load.thresholds.min_rps.GetSessionInfo: expected a number of requests per second, "
            "got nothing (null)",
        ),
        (
            {"p99_ms": 10},
            "environments/ci.yaml: load.thresholds.p99_ms: unknown key (known: failure_ratio, p95_ms, min_rps)",
        ),
        ("strict", "environments/ci.yaml: load.thresholds: expected a mapping, got 'strict'"),
    ],
    ids=[
        "p95-api-not-a-number",
        "p95-not-a-number",
        "p95-list",
        "p95-negative",
        "ratio-above-one",
        "ratio-bool",
        "rps-not-a-number",
        "rps-api-null",
        "unknown-key",
        "not-a-mapping",
    ],
)
def test_bad_file_threshold_is_one_line_naming_file_and_key(section: Any, message: str) -> None:
    with pytest.raises(EnvironmentFileError) as err:
        parse_thresholds(section, FILE)
    assert str(err.value) == message
    assert "\n" not in str(err.value)


def test_thresholds_are_read_from_the_environment_files_load_section(tmp_path: Path) -> None:
    path = _env_file(
        tmp_path / "ci.yaml", "load:\n  thresholds:\n    p95_ms: {GetSessionInfo: 500}\n    failure_ratio: 0\n"
    )
    gates = load_environment(path).load.thresholds
    assert gates == Thresholds(failure_ratio=0.0, p95_ms={"GetSessionInfo": 500.0})


# --------------------------------------------------------------------------------------------
# The command line, and its precedence over the file


def test_options_set_the_star_p95_per_api_p95_and_total_or_per_api_rps() -> None:
    gates = thresholds_from_options(
        "0.05", ["800", "GetSessionInfo=300", "PATCH /v1/meetings/{id}=900"], ["12", "CreateMeeting=2.5"]
    )
    assert gates.failure_ratio == 0.05
    assert gates.p95_ms == {"*": 800.0, "GetSessionInfo": 300.0, "PATCH /v1/meetings/{id}": 900.0}
    assert gates.min_total_rps == 12.0
    assert gates.min_rps == {"CreateMeeting": 2.5}


def test_options_override_the_file_key_by_key() -> None:
    from_file = parse_thresholds(
        {"failure_ratio": 0.01, "p95_ms": {"GetSessionInfo": 500, "*": 2000}, "min_rps": 5}, FILE
    )
    merged = from_file.overridden_by(thresholds_from_options(None, ["GetSessionInfo=250"], []))
    assert merged.p95_ms == {"GetSessionInfo": 250.0, "*": 2000.0}, "the file's '*' limit stays"
    assert merged.failure_ratio == 0.01 and merged.min_total_rps == 5.0
    merged = from_file.overridden_by(thresholds_from_options("0.2", ["100"], ["1"]))
    assert merged.p95_ms == {"GetSessionInfo": 500.0, "*": 100.0}
    assert merged.failure_ratio == 0.2 and merged.min_total_rps == 1.0


@pytest.mark.parametrize(
    ("ratio", "p95", "rps", "message"),
    [
        ("often", [], [], "--max-failure-ratio 'often': expected a ratio between 0 and 1, got 'often'"),
        ("2", [], [], "--max-failure-ratio '2': expected a ratio between 0 and 1, got '2'"),
        (
            None,
            ["GetSessionInfo=fast"],
            [],
            "--max-p95 'GetSessionInfo=fast': expected a number of milliseconds, got 'fast'",
        ),
        (None, ["=500"], [], "--max-p95 '=500': an empty API name (write --max-p95 API=VALUE or --max-p95 VALUE)"),
        (None, [], ["-3"], "--min-rps '-3': expected a number of requests per second, got '-3'"),
        (
            None,
            [],
            ["GetSessionInfo=nan"],
            "--min-rps 'GetSessionInfo=nan': expected a number of requests per second, got 'nan'",
        ),
    ],
    ids=["ratio-word", "ratio-above-one", "p95-word", "p95-empty-api", "rps-negative", "rps-nan"],
)
def test_bad_option_is_one_line_naming_the_option(
    ratio: str | None, p95: list[str], rps: list[str], message: str
) -> None:
    with pytest.raises(GateOptionError) as err:
        thresholds_from_options(ratio, p95, rps)
    assert str(err.value) == message


# --------------------------------------------------------------------------------------------
# Evaluation


def test_p95_gate_passes_at_the_limit_and_breaches_above_it() -> None:
    load = _load(_row("GetSessionInfo", p95=500), _row("CreateMeeting", p95=812))
    results = evaluate(load, Thresholds(p95_ms={"GetSessionInfo": 500, "CreateMeeting": 500}))
    assert [(r.api, r.passed) for r in results] == [("GetSessionInfo", True), ("CreateMeeting", False)]
    assert results[1].message == "p95 of CreateMeeting 812 ms > 500 ms"
    assert results[1].observed == 812 and results[1].limit == 500
    assert breaches(results) == ["p95 of CreateMeeting 812 ms > 500 ms"]


def test_star_covers_every_api_without_its_own_entry_but_not_setup_or_clean_up_rows() -> None:
    load = _load(
        _row("CreateMeeting", p95=900),
        _row("CreateMeeting (setup)", p95=3000),
        _row("DelMeeting (clean-up)", p95=5000),
        _row("GetSessionInfo", p95=400),
    )
    results = evaluate(load, Thresholds(p95_ms={"*": 1000, "GetSessionInfo": 300}))
    assert {(r.api, r.limit, r.passed) for r in results} == {
        ("GetSessionInfo", 300, False),
        ("CreateMeeting", 1000, True),
    }, "setup/clean-up rows are not gated by '*'"
    named = evaluate(load, Thresholds(p95_ms={"DelMeeting (clean-up)": 1000}))
    assert [(r.api, r.passed) for r in named] == [("DelMeeting (clean-up)", False)], "named explicitly it is gated"


def test_an_api_with_a_gate_but_no_requests_breaches_with_no_requests() -> None:
    load = _load(_row("GetSessionInfo"), _row("CreateMeeting", requests=0, rps=0.0, p95=None))
    results = evaluate(
        load, Thresholds(p95_ms={"GetSesionInfo": 500, "CreateMeeting": 500}, min_rps={"LstsummaryMeeting": 1})
    )
    assert breaches(results) == [
        "p95 of GetSesionInfo: no requests",
        "p95 of CreateMeeting: no requests",
        "rps of LstsummaryMeeting: no requests",
    ]
    assert all(r.observed is None for r in results)


def test_star_gate_on_a_run_without_requests_breaches() -> None:
    empty = _load(total=_row("Aggregated", requests=0, rps=0.0, p95=None))
    assert breaches(evaluate(empty, Thresholds(p95_ms={"*": 500}, min_rps={"*": 1}))) == [
        "p95 of every API: no requests",
        "rps of every API: no requests",
    ]


def test_failure_ratio_gate_uses_the_aggregated_row() -> None:
    load = _load(
        _row("CreateMeeting", requests=100, failures=5),
        _row("GetSessionInfo", requests=300),
        _row("DelMeeting (clean-up)", requests=100, failures=0),
    )
    assert load["total"]["failure_ratio"] == 0.01
    passed = evaluate(load, Thresholds(failure_ratio=0.01))
    assert passed[0].passed and passed[0].observed == 0.01
    breached = evaluate(load, Thresholds(failure_ratio=0.005))
    assert breaches(breached) == ["failure ratio 0.01 > 0.005 (5 of 500 requests failed)"]


def test_min_rps_gates_for_the_whole_run_and_per_api() -> None:
    load = _load(_row("CreateMeeting", rps=2.0), _row("GetSessionInfo", rps=6.0), _row("X (clean-up)", rps=0.1))
    results = evaluate(load, Thresholds(min_total_rps=8.0, min_rps={"CreateMeeting": 3.0, "*": 1.0}))
    assert [(r.name, r.api, r.passed) for r in results] == [
        ("min_rps", None, True),
        ("min_rps", "CreateMeeting", False),
        ("min_rps", "GetSessionInfo", True),
    ]
    assert breaches(results) == ["rps of CreateMeeting 2 < 3"]
    assert breaches(evaluate(load, Thresholds(min_total_rps=8.5))) == ["rps of all requests 8.1 < 8.5"]


def test_gate_results_serialise_for_load_json() -> None:
    [result] = evaluate(_load(_row("GetSessionInfo", p95=12)), Thresholds(p95_ms={"GetSessionInfo": 500}))
    assert result.to_dict() == {
        "name": "p95_ms",
        "api": "GetSessionInfo",
        "limit": 500,
        "observed": 12.0,
        "passed": True,
        "message": "p95 of GetSessionInfo 12 ms <= 500 ms",
    }
