"""``--dist loadgroup`` under the harness plugin: the tests of one ``xdist_group`` run on one worker (the
plugin schedules the groups itself: pytest 9 drops pytest-xdist's node-ID suffix), their node IDs stay
as pytest makes them, and the scheduler's folder is gone after the run."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.child_process import child_env
from webex_harness.plugin.xdist_groups import item_group, read_groups, write_groups

ROOT = Path(__file__).resolve().parent.parent

_PROBE = """
import os
from pathlib import Path

import pytest

OUT = Path(os.environ["WXH_T_GROUP_OUT"])


def _note(request):
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    (OUT / (request.node.name + ".txt")).write_text(worker + " " + request.node.nodeid)


@pytest.mark.xdist_group("host-own-state")
@pytest.mark.parametrize("n", range(8))
def test_grouped(request, n):
    _note(request)


@pytest.mark.xdist_group(name="other")
@pytest.mark.parametrize("n", range(4))
def test_other_group(request, n):
    _note(request)


@pytest.mark.parametrize("n", range(16))
def test_free(request, n):
    _note(request)
"""


def _env_file(tmp_path: Path) -> Path:
    path = tmp_path / "env.yaml"
    path.write_text(
        "target: emulator\nxml_url: auto\nrest_url: auto\nsite_name: harness\n"
        "credentials:\n  webExID: host\n  password: ${WXH_T_PASSWORD:-Gr0up-pass}\n"
        "budget:\n  max_requests: 1000\n  max_seconds: 300\n"
    )
    return path


def _run_probe(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess[str], dict[str, tuple[str, str]]]:
    """The probe module under the harness plugin with ``args``; per test name, its worker and node ID."""
    (tmp_path / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    (tmp_path / "test_probe.py").write_text(_PROBE)
    out = tmp_path / "out"
    out.mkdir()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    harness = ["--env", str(_env_file(tmp_path)), "--run-dir", str(tmp_path / "run"), "-q"]
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "test_probe.py",
            "-c",
            "pytest.ini",
            "--rootdir",
            str(tmp_path),
            *harness,
            *args,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=180,
        env=child_env(PYTHONPATH=str(ROOT), WXH_T_GROUP_OUT=str(out), TMPDIR=str(scratch)),
    )
    ran = {p.stem: tuple(p.read_text().split(" ", 1)) for p in out.glob("*.txt")}
    return result, {name: (worker, nodeid) for name, (worker, nodeid) in ran.items()}


def test_loadgroup_runs_each_group_on_one_worker_and_keeps_node_ids_plain(tmp_path: Path) -> None:
    result, ran = _run_probe(tmp_path, "-n", "2", "--dist", "loadgroup")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert len(ran) == 28, sorted(ran)
    grouped = {worker for name, (worker, _) in ran.items() if name.startswith("test_grouped")}
    other = {worker for name, (worker, _) in ran.items() if name.startswith("test_other_group")}
    assert len(grouped) == 1 and len(other) == 1, ran
    assert {worker for worker, _ in ran.values()} <= {"gw0", "gw1"}
    assert not [nodeid for _, nodeid in ran.values() if "@" in nodeid], "node IDs carry no group suffix"
    assert not list((tmp_path / "scratch").glob("wxh-xdist-groups-*")), "the scheduler's folder is removed"


def test_other_distribution_modes_are_left_to_xdist(tmp_path: Path) -> None:
    result, _ = _run_probe(tmp_path, "-n", "2", "--dist", "each")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "56 passed" in result.stdout  # every test on each of the two workers


class _Mark:
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.args, self.kwargs = args, kwargs


class _Item:
    def __init__(self, nodeid: str, *marks: _Mark) -> None:
        self.nodeid, self._marks = nodeid, marks

    def iter_markers(self, name: str) -> list[_Mark]:
        return list(self._marks) if name == "xdist_group" else []


@pytest.mark.parametrize(
    ("marks", "group"),
    [
        ((), None),
        ((_Mark("host-own-state"),), "host-own-state"),
        ((_Mark(name="by-keyword"),), "by-keyword"),
        ((_Mark(),), "default"),
        ((_Mark("b"), _Mark("a"), _Mark("b")), "a_b"),  # as pytest-xdist names a test in two groups
    ],
)
def test_a_tests_group_is_named_as_pytest_xdist_names_it(marks: tuple[_Mark, ...], group: str | None) -> None:
    assert item_group(_Item("t.py::x", *marks)) == group  # type: ignore[arg-type]


def test_the_workers_files_are_read_together_and_a_broken_one_adds_nothing(tmp_path: Path) -> None:
    items = [_Item("t.py::a", _Mark("g")), _Item("t.py::b"), _Item("t.py::c[x@y]", _Mark("h"))]
    write_groups(tmp_path, "gw0", items)  # type: ignore[arg-type]
    (tmp_path / "gw1.json").write_text('{"t.py::d": "g"')  # cut short
    (tmp_path / "gw2.json").write_text(json.dumps({"t.py::e": "g"}))
    assert read_groups(tmp_path) == {"t.py::a": "g", "t.py::c[x@y]": "h", "t.py::e": "g"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["gw0.json", "gw1.json", "gw2.json"]
