"""The REST read-back contracts (contracts/test_rest_readback.py) in site mode, as a QA engineer runs them
against a shared test site: a busy stand-in (``tests/standin.py``: colleagues' meetings, a writer
creating and deleting foreign meetings while the run works, latency jitter, a rare 503) and
``webex-harness contracts --profile full --behaviour …`` in a subprocess (every read-back test, not
only the cheapest per behaviour that a site's default profile, ``smoke``, picks).

Every read-back test passes there, within its stated request count; what the run made is deleted
and a colleague's REST meeting keeps its title.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.child_process import HARNESS_CLI as _CLI
from tests.standin import make_stand_in
from webex_harness.emulator.server import RunningEmulator

ROOT = Path(__file__).resolve().parent.parent
BEHAVIOURS = ("rest-update-read-back", "rest-list-read-back", "rest-occurrence-read-back")
#: the most requests one read-back test sends (contracts/test_rest_readback.py: 10 to 12, one more
#: for each further page a busy site's time window takes, a retried 503)
MOST_REQUESTS = 16


@pytest.fixture(scope="module")
def site_run(emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    folder = tmp_path_factory.mktemp("readback-site")
    stand_in = make_stand_in(emulator.base_url, folder, budget=(5000, 3600.0), busy={"seed": 7})
    headers = {"Authorization": f"Bearer {stand_in.rest_token}"}
    start = (datetime.now(UTC) + timedelta(days=4)).replace(hour=10, minute=0, second=0, microsecond=0)
    with httpx.Client(timeout=15.0, headers=headers) as http:
        foreign = http.post(
            f"{stand_in.rest_url}/meetings",
            json={
                "title": "Colleague's review",
                "start": start.isoformat(),
                "end": (start + timedelta(hours=1)).isoformat(),
            },
        )
        assert foreign.status_code == 200, foreign.text
        reports = folder / "reports"
        selection = [arg for bid in BEHAVIOURS for arg in ("--behaviour", bid)]
        done = subprocess.run(
            [
                sys.executable,
                "-c",
                _CLI,
                str(reports),
                "contracts",
                "--env",
                str(stand_in.env_file),
                "--profile",
                "full",
                *selection,
            ],
            cwd=ROOT,
            env={**os.environ, **stand_in.variables},
            capture_output=True,
            text=True,
            timeout=900,
        )
        kept = http.get(f"{stand_in.rest_url}/meetings/{foreign.json()['id']}")
        window = {"from": (start - timedelta(days=3)).isoformat(), "to": (start + timedelta(days=20)).isoformat()}
        listed = http.get(f"{stand_in.rest_url}/meetings", params={**window, "max": 100})
    [run_dir] = [p for p in reports.iterdir() if not p.name.startswith(".")]
    return {
        "done": done,
        "summary": json.loads((run_dir / "summary.json").read_text()),
        "costs": {k: v for path in run_dir.glob("costs-*.json") for k, v in json.loads(path.read_text()).items()},
        "kept": kept,
        "listed": listed,
    }


def test_every_read_back_test_passes_on_a_busy_site(site_run: dict[str, Any]) -> None:
    done, summary = site_run["done"], site_run["summary"]
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert summary["tests"] == {"passed": 8, "failed": 0, "skipped": 0}, summary["tests"]
    proved = {b["id"] for b in summary["behaviours"] if any(t["outcome"] == "passed" for t in b["tests"])}
    assert set(BEHAVIOURS) <= proved


def test_each_read_back_test_stays_within_its_request_count(site_run: dict[str, Any]) -> None:
    costs = {node: cost["requests"] for node, cost in site_run["costs"].items() if "test_rest_readback" in node}
    assert len(costs) == 8, sorted(costs)
    assert all(10 <= n <= MOST_REQUESTS for n in costs.values()), costs


def test_the_run_deletes_what_it_made_and_leaves_a_colleagues_meeting(site_run: dict[str, Any]) -> None:
    cleanup = site_run["summary"]["cleanup"]
    assert cleanup["created"] == cleanup["deleted_by_tests"] + cleanup["removed_by_cleanup"] and not cleanup["left"]
    kept = site_run["kept"]
    assert kept.status_code == 200 and kept.json()["title"] == "Colleague's review", kept.text
    listed = site_run["listed"]
    assert listed.status_code == 200, listed.text
    assert not [m["title"] for m in listed.json()["items"] if str(m["title"]).startswith("wxh-")]
