"""The read-back contracts in site mode: ``contracts/test_read_back.py`` against a stand-in for a busy
shared site (``tests/standin.py``: ``target: site``, colleagues' meetings and a writer around the run),
as a QA engineer runs it. Every row passes (SetRecordingInfo is skipped: a run cannot make a
recording of its own on a site), nothing of the run's is left but what the XML API cannot delete
(contacts and distribution lists); and when the site's SetMeeting stops keeping ``confName`` the run
fails naming the API and the element.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx

from tests.standin import StandIn, make_stand_in
from webex_harness.emulator.server import RunningEmulator

ROOT = Path(__file__).resolve().parent.parent
#: the run's wall-clock bound (a few dozen requests; the machine may be busy)
RUN_TIMEOUT = 600


def _run(stand_in: StandIn, tmp_path: Path, *selection: str) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "pytest",
        "contracts/test_read_back.py",
        "--env",
        str(stand_in.env_file),
        "-p",
        "no:randomly",
        "-p",
        "no:cacheprovider",
        "-q",
        "-rs",
        *selection,
    ]
    env = {**os.environ, **stand_in.variables}
    return subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=RUN_TIMEOUT)


def test_every_read_back_passes_on_a_busy_site_and_a_dropped_conf_name_fails_it(
    emulator: RunningEmulator, tmp_path: Path
) -> None:
    stand_in = make_stand_in(emulator.base_url, tmp_path / "site", allow_destructive=True, busy={"seed": 3})
    clean = _run(stand_in, tmp_path)
    out = clean.stdout + clean.stderr
    assert clean.returncode == 0, out[-4000:]
    assert "10 passed, 1 skipped" in out, out[-4000:]
    assert "emulator only: a run cannot make a recording of its own" in out, out[-4000:]
    assert "4 left (4 contacts/dist-lists stay" in out, out[-4000:]

    answer = httpx.post(
        f"{emulator.base_url}/_emulator/sites/{stand_in.site}/faults",
        json={"enable": ["set-meeting-read-back"]},
        timeout=10.0,
    )
    answer.raise_for_status()
    broken = _run(stand_in, tmp_path, "-k", "SetMeeting or SetEvent")
    out = broken.stdout + broken.stderr
    assert broken.returncode == 1, out[-4000:]
    assert "1 failed, 1 passed" in out, out[-4000:]
    assert "SetMeeting did not keep 2 of the" in out, out[-4000:]
    assert "metaData/confName: GetMeeting answers" in out
    assert "metaData/confName: LstsummaryMeeting answers" in out
