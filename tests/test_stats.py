"""runs/stats.py: the one-second windows of a locust history and the rank test ``compare`` judges
run-to-run noise by. Synthetic, seeded samples: every result here is deterministic."""

from __future__ import annotations

import csv
import random
from pathlib import Path

import pytest

from webex_harness.runs.stats import ALPHA, HISTORY_FILE, Window, mann_whitney_p, read_windows, windows_from_rows


def _latencies(seed: int, n: int, scale: float = 1.0) -> list[float]:
    """``n`` window mean latencies around 20 ms, skewed like real ones (log-normal), times ``scale``."""
    rng = random.Random(seed)
    return [scale * 20.0 * rng.lognormvariate(0, 0.08) for _ in range(n)]


# --------------------------------------------------------------------------------------------
# The rank test


def test_a_textbook_case_gives_the_textbook_p_value() -> None:
    # U = 25 of 25, mean 12.5, variance 25·11/12: z = (25 − 12.5 − 0.5)/4.787 = 2.507 → p = 0.0061.
    assert mann_whitney_p([1, 2, 3, 4, 5], [6, 7, 8, 9, 10]) == pytest.approx(0.00609, abs=1e-4)
    # The other way round: z = (0 − 12.5 − 0.5)/4.787 = −2.716 → p = 0.9967.
    assert mann_whitney_p([6, 7, 8, 9, 10], [1, 2, 3, 4, 5]) == pytest.approx(0.9967, abs=1e-4)


@pytest.mark.parametrize("seed", range(10))
def test_samples_of_the_same_distribution_show_no_shift(seed: int) -> None:
    before, after = _latencies(seed, 12), _latencies(seed + 1000, 12)
    assert mann_whitney_p(before, after) >= ALPHA
    assert mann_whitney_p(after, before) >= ALPHA


@pytest.mark.parametrize("seed", range(10))
def test_a_25_percent_slowdown_is_beyond_the_noise(seed: int) -> None:
    before, after = _latencies(seed, 12), _latencies(seed + 1000, 12, scale=1.25)
    assert mann_whitney_p(before, after) < ALPHA
    assert mann_whitney_p(after, before) > 0.5, "one-sided: it is not a speed-up"


def test_no_evidence_without_samples_or_when_every_value_is_equal() -> None:
    assert mann_whitney_p([], [1.0, 2.0]) == 1.0
    assert mann_whitney_p([1.0], []) == 1.0
    assert mann_whitney_p([3.0] * 8, [3.0] * 8) == 1.0


def test_ties_are_ranked_by_their_middle_rank() -> None:
    # Zero failures before, one failure in most windows after: ties at zero must not hide it.
    assert mann_whitney_p([0.0] * 10, [0.1] * 8 + [0.0] * 2) < ALPHA
    assert mann_whitney_p([0.0] * 10, [0.1] + [0.0] * 9) > ALPHA


def test_tiny_samples_cannot_reach_the_significance_level() -> None:
    assert mann_whitney_p([10.0, 11.0], [30.0, 31.0]) > ALPHA, "two windows a side prove nothing"


# --------------------------------------------------------------------------------------------
# Windows from locust's history


def _row(ts: int, users: int, name: str, count: int, failures: int, average: float) -> dict[str, str]:
    return {
        "Timestamp": str(ts),
        "User Count": str(users),
        "Name": name,
        "Total Request Count": str(count),
        "Total Failure Count": str(failures),
        "Total Average Response Time": repr(average),
    }


def test_windows_are_exact_differences_of_the_cumulative_rows() -> None:
    rows = [
        _row(100, 2, "GetUser", 0, 0, 0.0),  # spawning: 2 of 5 users
        _row(101, 5, "GetUser", 4, 0, 10.0),  # spawn → plateau: not a window
        _row(102, 5, "GetUser", 14, 1, 12.0),  # 10 requests, 1 failure, (14·12 − 4·10)/10 = 12.8 ms
        _row(103, 5, "GetUser", 14, 1, 12.0),  # idle second: 0 requests
        _row(105, 5, "GetUser", 20, 1, 13.0),  # 2 s, 6 requests, (260 − 168)/6 ms
        _row(106, 0, "GetUser", 22, 1, 13.0),  # stopping: not a window
        _row(106, 5, "Aggregated", 22, 1, 13.0),
    ]
    windows = windows_from_rows(rows)
    assert list(windows) == ["GetUser", "Aggregated"]
    get_user = windows["GetUser"]
    assert [(w.seconds, w.requests, w.failures) for w in get_user] == [(1.0, 10, 1), (1.0, 0, 0), (2.0, 6, 0)]
    assert get_user[0].mean_ms == pytest.approx(12.8) and get_user[0].failure_ratio == pytest.approx(0.1)
    assert get_user[1].mean_ms is None and get_user[1].rps == 0.0
    assert get_user[2].mean_ms == pytest.approx((260 - 168) / 6) and get_user[2].rps == 3.0
    assert windows["Aggregated"] == [], "one row is no window"


def test_torn_rows_and_statistics_resets_are_skipped() -> None:
    rows = [
        _row(1, 3, "A", 10, 0, 5.0),
        {"Timestamp": "2", "User Count": "3", "Name": "A", "Total Request Count": "N/A"},
        _row(3, 3, "A", 30, 0, 5.0),
        _row(4, 3, "A", 5, 0, 5.0),  # locust's statistics were reset
        _row(5, 3, "A", 15, 0, 6.0),
    ]
    windows = windows_from_rows(rows)["A"]
    assert [(w.seconds, w.requests) for w in windows] == [(2.0, 20), (1.0, 10)]


def test_a_run_folder_without_a_history_has_no_windows(tmp_path: Path) -> None:
    assert read_windows(tmp_path) is None
    with open(tmp_path / HISTORY_FILE, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, list(_row(0, 0, "", 0, 0, 0.0)))
        writer.writeheader()
        writer.writerows([_row(1, 1, "Aggregated", 3, 0, 2.0), _row(2, 1, "Aggregated", 9, 0, 2.5)])
    assert read_windows(tmp_path) == {"Aggregated": [Window(1.0, 6, 0, 9 * 2.5 - 3 * 2.0)]}
