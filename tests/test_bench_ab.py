"""``bench/emulator_ab.py``: a base that names no commit is refused before any work, in one line with
exit 2; the report shows each side's median and this checkout's against base's."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from bench import emulator_ab

ROOT = Path(__file__).resolve().parent.parent


def test_a_base_that_names_no_commit_is_refused_in_one_line_with_exit_2() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "emulator_ab.py"), "--base", "no-such-revision-xyz"],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.returncode == 2
    assert (
        done.stderr.strip()
        .splitlines()[-1]
        .endswith("--base 'no-such-revision-xyz' names no commit of this repository")
    )
    assert "wrk runs" not in done.stderr  # refused before announcing any work


def test_head_resolves_to_a_commit() -> None:
    assert emulator_ab.resolve("HEAD") is not None
    assert emulator_ab.resolve("no-such-revision-xyz") is None


def test_the_report_compares_each_alternation_with_its_own_base_run() -> None:
    results = {
        "GetSessionInfo": {
            "base": emulator_ab.Side([200.0, 100.0, 150.0], [0.4, 0.5, 0.6]),
            "this": emulator_ab.Side([120.0, 90.0, 100.0], [0.3, 0.3, 0.3]),
        }
    }
    text = emulator_ab.report(results, "abc123", 3, 2.0, markdown=True)
    assert "| GetSessionInfo | base | 150 | 100–200 | 1.000 | 0.500 | 1.000 |" in text
    # per alternation 120/200, 90/100, 100/150: median 0.667; p99 0.3/0.4, 0.3/0.5, 0.3/0.6: median 0.6
    assert "| GetSessionInfo | this | 100 | 90–120 | 0.667 | 0.300 | 0.600 |" in text
