"""The whole contract suite in site mode, as a QA engineer runs it against a shared test site.

A stand-in site on the emulator (``tests/standin.py``: ``target: site``, every role declared, the
documented limits on) that plays a busy shared production site (``emulator.busy``: colleagues'
meetings, events and contacts already there, a writer creating and deleting foreign meetings while
the run works, latency jitter, a rare transient 503), and whose host and invitee already have
meetings of their own — foreign objects the run must neither trip over nor touch.
``webex-harness contracts --profile full --workers 2`` then runs in a subprocess, as a user would,
and the test checks that nothing failed, at most a tenth skipped, every behaviour ID proved by a
passed test, the foreign meetings still there, nothing of the run's left on the site that the report
does not name, and no credential in the run folder.

Then five ``--profile smoke`` runs back to back against a fresh busy stand-in with the example file's
own budget (``environments/site.example.yaml``) and the documented limits (100 "no data found"
failures an hour, 600 REST requests a minute): each passes within its budget, and none meets a 403 or a 429.
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
import yaml

from tests.child_process import HARNESS_CLI as _CLI
from tests.standin import StandIn, make_stand_in
from webex_harness.client.xml_client import RequestBudget, XmlClient
from webex_harness.emulator.server import RunningEmulator
from webex_harness.webex.behaviours import behaviours as all_behaviours
from webex_harness.webex.envelope import Security

ROOT = Path(__file__).resolve().parent.parent
#: the run's wall-clock bound (the suite takes a few minutes on a busy machine)
RUN_TIMEOUT = 1500
#: the budget of the example environment file a user starts from
_EXAMPLE = yaml.safe_load((ROOT / "environments" / "site.example.yaml").read_text(encoding="utf-8"))
EXAMPLE_BUDGET = int(_EXAMPLE["budget"]["max_requests"])


def _webex_date(dt: datetime) -> str:
    return dt.strftime("%m/%d/%Y %H:%M:%S")


def _foreign_meetings(stand_in: StandIn, http: httpx.Client) -> dict[str, str]:
    """Meetings the run did not make — names without the run's prefix — on the host's account and
    on the invitee's: ``{meetingkey: owner}``."""
    made: dict[str, str] = {}
    start = datetime.now(UTC).replace(tzinfo=None) + timedelta(days=2)
    for role, names in (
        ("host", ["Weekly sync", "1:1 Dana", "Board prep", "Customer call"]),
        ("invitee", ["Team lunch", "Sprint review"]),
    ):
        user = stand_in.users[role]
        client = XmlClient(
            stand_in.xml_url,
            Security(stand_in.site, user["webExID"], user["password"]),
            http=http,
            budget=RequestBudget(100, 60.0),
        )
        for i, name in enumerate(names):
            response = client.call(
                "meeting",
                "CreateMeeting",
                {
                    "metaData": {"confName": name, "meetingType": 3},
                    "schedule": {
                        "startDate": _webex_date(start + timedelta(hours=3 * i)),
                        "duration": 30,
                        "timeZoneID": 4,
                    },
                },
            ).expect_success()
            made[response.text("meet:meetingkey") or ""] = user["webExID"]
    return made


def _foreign_rest_meeting(stand_in: StandIn, http: httpx.Client) -> str:
    start = (datetime.now(UTC) + timedelta(days=3)).replace(minute=0, second=0, microsecond=0)
    response = http.post(
        f"{stand_in.rest_url}/meetings",
        headers={"Authorization": f"Bearer {stand_in.rest_token}"},
        json={
            "title": "Quarterly review",
            "start": start.isoformat(),
            "end": (start + timedelta(hours=1)).isoformat(),
            "timezone": "UTC",
        },
    )
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def _rest_titles(stand_in: StandIn, http: httpx.Client) -> dict[str, str]:
    """Every REST meeting of the host from a month back to two years ahead: ``{id: title}``."""
    now = datetime.now(UTC).replace(microsecond=0)
    url: str | None = f"{stand_in.rest_url}/meetings"
    params: dict[str, Any] | None = {
        "from": (now - timedelta(days=30)).isoformat(),
        "to": (now + timedelta(days=730)).isoformat(),
        "max": 100,
    }
    found: dict[str, str] = {}
    for _ in range(100):
        if url is None:
            break
        response = http.get(url, params=params, headers={"Authorization": f"Bearer {stand_in.rest_token}"})
        assert response.status_code == 200, response.text
        found.update({str(m["id"]): str(m.get("title")) for m in response.json().get("items", [])})
        url = response.links.get("next", {}).get("url")
        params = None
    return found


@pytest.fixture(scope="module")
def site_run(emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """The stand-in, its foreign objects, and one ``contracts`` run against it."""
    folder = tmp_path_factory.mktemp("site-mode")
    stand_in = make_stand_in(
        emulator.base_url, folder, allow_destructive=True, budget=(100000, 3600.0), busy={"seed": 11}
    )
    with httpx.Client(timeout=15.0) as http:
        before = stand_in.state()
        foreign = _foreign_meetings(stand_in, http)
        foreign_rest = _foreign_rest_meeting(stand_in, http)
        reports = folder / "reports"
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
                "--workers",
                "2",
            ],
            cwd=ROOT,
            env={**os.environ, **stand_in.variables},
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
        after = stand_in.state()
        rest_after = _rest_titles(stand_in, http)
    [run_dir] = [p for p in reports.iterdir() if not p.name.startswith(".")]  # .safety: the workspace state
    return {
        "stand_in": stand_in,
        "before": before,
        "after": after,
        "foreign": foreign,
        "foreign_rest": foreign_rest,
        "rest_after": rest_after,
        "done": done,
        "run_dir": run_dir,
        "summary": json.loads((run_dir / "summary.json").read_text()),
    }


def test_site_mode_passes_with_at_most_a_tenth_skipped(site_run: dict[str, Any]) -> None:
    done, summary = site_run["done"], site_run["summary"]
    tail = done.stdout[-2000:] + done.stderr[-2000:]
    assert done.returncode == 0, tail
    counts = summary["tests"]
    collected = counts["passed"] + counts["failed"] + counts["skipped"]
    assert counts["failed"] == 0, tail
    assert counts["skipped"] <= collected // 10, f"{counts['skipped']} of {collected} skipped"
    assert counts["passed"] > 0


def test_site_mode_proves_every_behaviour_with_a_passed_test(site_run: dict[str, Any]) -> None:
    """Every behaviour but those the catalogue says no run may prove on a real site (``not_on_a_site``)."""
    proved = {b["id"] for b in site_run["summary"]["behaviours"] if any(t["outcome"] == "passed" for t in b["tests"])}
    missing = [b.id for b in all_behaviours() if b.not_on_a_site is None and b.id not in proved]
    assert not missing, f"behaviours without a passed test in site mode: {missing}"


def test_site_mode_only_skips_the_behaviours_no_run_may_prove_on_a_real_site(site_run: dict[str, Any]) -> None:
    emulator_only = {b.id for b in all_behaviours() if b.not_on_a_site is not None}
    rows = {b["id"]: b for b in site_run["summary"]["behaviours"]}
    assert emulator_only, "the catalogue names them"
    for bid in emulator_only:
        outcomes = {t["outcome"] for t in rows[bid]["tests"]} if bid in rows else set()
        assert outcomes <= {"skipped"}, f"{bid} is not provable on a real site, yet its tests {outcomes} there"


def test_site_mode_leaves_foreign_objects_alone(site_run: dict[str, Any]) -> None:
    sessions = {s["key"]: s for s in site_run["after"]["sessions"]}
    for key, owner in site_run["foreign"].items():
        assert key in sessions, f"the foreign meeting {key} of {owner} is gone"
        assert sessions[key]["host"] == owner
    assert site_run["foreign_rest"] in site_run["rest_after"], "the foreign REST meeting is gone"


def test_site_mode_leaves_nothing_the_report_does_not_name(site_run: dict[str, Any]) -> None:
    before, after, summary = site_run["before"], site_run["after"], site_run["summary"]
    created = _created_by_the_run(site_run["run_dir"])
    stray = [
        s["key"]
        for s in after["sessions"]
        if s["key"] in created or str(s["name"]).startswith(f"wxh-{site_run['run_dir'].name}")
    ]
    assert not stray, f"sessions of the run left on the site: {stray}"
    assert created, "the run's ledger names no created object"
    prefix = "wxh-"
    assert not [t for t in site_run["rest_after"].values() if t.startswith(prefix)], "REST meetings of the run left"
    own_users = {u["webExID"] for u in before["users"]}
    active = [u["webExID"] for u in after["users"] if u["webExID"] not in own_users and u["active"]]
    assert not active, f"users the run created are still active (DelUser deactivates): {active}"
    named = {str(x["id"]) for x in summary["cleanup"]["left"]}
    known_contacts = {str(c.get("contactID", c.get("id"))) for c in before["contacts"]}
    unnamed = [c for c in after["contacts"] if str(c.get("contactID", c.get("id"))) not in known_contacts | named]
    assert not unnamed, f"contacts the report does not name: {unnamed[:3]}"


def _created_by_the_run(run_dir: Path) -> set[str]:
    """The keys of every object the run's ledger says it created."""
    keys: set[str] = set()
    for path in run_dir.glob("ledger-*.jsonl"):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            if record.get("event") == "created" and record.get("id"):
                keys.add(str(record["id"]))
    return keys


def test_site_mode_writes_no_credential_into_the_run_folder(site_run: dict[str, Any]) -> None:
    stand_in: StandIn = site_run["stand_in"]
    secrets = [v for k, v in stand_in.variables.items() if k.endswith(("_PASSWORD", "_TOKEN"))]
    assert len(secrets) == 6
    leaks = []
    for path in site_run["run_dir"].rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            leaks += [f"{path.name}: {s[:3]}…" for s in secrets if s.encode() in data]
    assert not leaks, f"credentials in the run folder: {leaks[:5]}"


# ---------------------------------------------------------------- five smoke runs back to back

#: the smoke runs, one after the other
SMOKE_RUNS = 5


@pytest.fixture(scope="module")
def smoke_runs(emulator: RunningEmulator, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Five ``contracts`` runs (the default profile on a site: smoke) against one busy stand-in with
    the example file's budget and the documented limits, one after the other."""
    folder = tmp_path_factory.mktemp("smoke")
    stand_in = make_stand_in(emulator.base_url, folder, budget=(EXAMPLE_BUDGET, 900.0), busy={"seed": 5})
    reports = folder / "reports"
    runs = []
    for _ in range(SMOKE_RUNS):
        done = subprocess.run(
            [sys.executable, "-c", _CLI, str(reports), "contracts", "--env", str(stand_in.env_file), "--workers", "2"],
            cwd=ROOT,
            env={**os.environ, **stand_in.variables},
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
        )
        runs.append(done)
        if done.returncode != 0:
            break
    run_dirs = sorted(p for p in reports.iterdir() if not p.name.startswith("."))  # .safety: the workspace state
    return {"stand_in": stand_in, "runs": runs, "run_dirs": run_dirs, "state": stand_in.state()}


def test_five_smoke_runs_back_to_back_pass_within_the_example_budget(smoke_runs: dict[str, Any]) -> None:
    runs = smoke_runs["runs"]
    for n, done in enumerate(runs, 1):
        assert done.returncode == 0, f"smoke run {n}: {done.stdout[-2000:]}{done.stderr[-2000:]}"
        assert "plan: profile smoke" in done.stdout
    assert len(runs) == SMOKE_RUNS
    for run_dir in smoke_runs["run_dirs"]:
        summary = json.loads((run_dir / "summary.json").read_text())
        assert summary["profile"] == "smoke"
        assert summary["budget"]["used"] <= EXAMPLE_BUDGET
        assert summary["tests"]["failed"] == 0


def test_five_smoke_runs_never_meet_a_403_or_a_429(smoke_runs: dict[str, Any]) -> None:
    statuses = []
    for run_dir in smoke_runs["run_dirs"]:
        for path in run_dir.glob("results-*.json"):
            for result in json.loads(path.read_text()):
                statuses += [e["http_status"] for e in result.get("evidence", [])]
                assert "403" not in str(result.get("reason", "")) and "429" not in str(result.get("reason", "")), result
    assert 403 not in statuses and 429 not in statuses
    # the host is not blocked: GetSessionInfo of a meeting of its own still answers
    stand_in: StandIn = smoke_runs["stand_in"]
    user = stand_in.users["host"]
    with httpx.Client(timeout=15.0) as http:
        client = XmlClient(
            stand_in.xml_url,
            Security(stand_in.site, user["webExID"], user["password"]),
            http=http,
            budget=RequestBudget(10, 60.0),
        )
        key = (
            client.call(
                "meeting",
                "CreateMeeting",
                {
                    "metaData": {"confName": "after the smoke runs", "meetingType": 3},
                    "schedule": {
                        "startDate": _webex_date(datetime.now(UTC).replace(tzinfo=None) + timedelta(days=1)),
                        "duration": 30,
                        "timeZoneID": 4,
                    },
                },
            )
            .expect_success()
            .text("meet:meetingkey")
        )
        info = client.call("ep", "GetSessionInfo", {"sessionKey": key})
        client.call("meeting", "DelMeeting", {"meetingKey": key})
    assert info.http_status == 200 and info.ok, info.reason
