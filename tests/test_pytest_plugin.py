"""The pytest plugin where its users work: installed with the package (its ``pytest11`` entry point),
in someone else's folder, and inactive unless a run asks for it.

Each whole-run test runs pytest in a subprocess from its own temporary folder (``cwd=tmp_path``, a
``pytest.ini`` of its own there, so that nothing of this repository's configuration applies) with
this environment's python, in which the project is installed; every subprocess is bounded.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from webex_harness import shipped
from webex_harness.plugin import plan as planning

#: a whole pytest run in a subprocess never takes longer (each takes seconds)
TIMEOUT = 120

#: a user's own test of their integration, on the harness's fixtures
USER_TEST = """
import os

from webex_harness.plugin.run_names import own_name
from webex_harness.plugin.xml_meetings import meeting_body


def test_the_site_names_itself(site, xml, environment):
    assert environment.cleanup_prefix == os.environ["WXH_EXPECT_PREFIX"]
    got = xml.call("site", "GetSite", {}).expect_success()
    assert (got.text("ns1:siteInstance/ns1:metaData/ns1:siteName") or "").lower() == site.name.lower()


def test_a_meeting_made_through_the_tracker(xml, meetings, run_name):
    assert own_name("mine") == run_name("mine")  # default names carry the run's prefix
    key, uuid = meetings.create_ok(meeting_body(run_name("mine")))
    got = xml.call("meeting", "GetMeeting", {"meetingKey": key}).expect_success()
    assert got.text("meet:metaData/meet:confName") == run_name("mine") and uuid


def test_a_rest_meeting(rest):
    made = rest.create_ok()
    assert rest.client.get(made["id"]).status == 200
"""

#: a plain test of someone else's project: one passes, one fails naming the emulator's password
PLAIN_TEST = """
def test_passes():
    assert 1 + 1 == 2


def test_fails_naming_a_password():
    assert "emulator-pass" == "something else"
"""

PLAIN_INI = "[pytest]\n"


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """``python -m pytest ARGS`` from ``cwd``, its reports under ``cwd/reports``; nothing of the
    surrounding pytest run (xdist worker variables, addopts, a running emulator) leaks in."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith("PYTEST_") and key not in ("WEBEX_HARNESS_EMULATOR_URL", "WEBEX_HARNESS_COSTS")
    }
    env["WEBEX_HARNESS_REPORTS"] = str(cwd / "reports")
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        env=env,
    )


def _folder(tmp_path: Path, ini: str = PLAIN_INI, **files: str) -> Path:
    (tmp_path / "pytest.ini").write_text(ini)
    for name, text in files.items():
        (tmp_path / f"{name}.py").write_text(text)
    return tmp_path


def _normalised(output: str) -> str:
    """pytest's output without what differs between two runs of the same tests (durations)."""
    return re.sub(r"\bin [0-9.]+s\b", "in <t>", output)


# ---------------------------------------------------------------- on when asked: fixtures in another folder


def test_a_users_test_passes_on_the_shipped_environment_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _folder(tmp_path, test_mine=USER_TEST)
    monkeypatch.setenv("WXH_EXPECT_PREFIX", "wxh")
    result = _pytest(folder, "--env", "emulator", "-q", "test_mine.py")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout
    assert "plan:" not in result.stdout, "a user's own tests are not contract tests: no plan"


@pytest.mark.parametrize("how", ["--env", "ini key"])
def test_a_users_test_passes_on_an_environment_file_of_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    local = shipped("environments", "emulator.yaml").read_text(encoding="utf-8")
    (tmp_path / "environments").mkdir()
    (tmp_path / "environments" / "mine.yaml").write_text(local.replace("cleanup_prefix: wxh", "cleanup_prefix: mine"))
    ini = PLAIN_INI + ("webex_harness_env = mine\n" if how == "ini key" else "")
    folder = _folder(tmp_path, ini=ini, test_mine=USER_TEST)
    monkeypatch.setenv("WXH_EXPECT_PREFIX", "mine")  # ./environments/mine.yaml was read, not a shipped file
    result = _pytest(folder, *(["--env", "mine"] if how == "--env" else []), "-q", "test_mine.py")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "3 passed" in result.stdout


def test_a_users_test_is_left_alone_by_the_profiles(tmp_path: Path) -> None:
    """``--profile smoke`` keeps a cheapest test per behaviour of the suites; a test outside them runs."""
    folder = _folder(tmp_path, test_plain=PLAIN_TEST.split("\n\n\n")[0] + "\n")
    result = _pytest(folder, "--env", "emulator", "--profile", "smoke", "-q", "test_plain.py")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout and "deselected" not in result.stdout
    assert "plan:" not in result.stdout


def test_fixtures_and_markers_are_listed_when_asked_for(tmp_path: Path) -> None:
    folder = _folder(tmp_path, test_plain=PLAIN_TEST)
    fixtures = _pytest(folder, "--env", "emulator", "--fixtures", "test_plain.py")
    assert fixtures.returncode == 0, fixtures.stdout[-3000:] + fixtures.stderr[-2000:]
    assert "fixtures defined from webex_harness.plugin.fixtures" in fixtures.stdout
    listed = _fixture_docs(fixtures.stdout)
    ours = ("environment", "target", "site_factory", "site", "xml", "meetings", "rest", "seed", "run_name")
    for name in ours:
        assert listed.get(name), f"{name}: no docstring in pytest --fixtures"
        assert "skip" in listed[name].lower(), f"{name}: its docstring does not say when it skips"
    markers = _pytest(folder, "--env", "emulator", "--markers")
    assert markers.returncode == 0
    for marker in ("@pytest.mark.behaviour(id)", "@pytest.mark.api(name, case)", "@pytest.mark.destructive"):
        assert marker in markers.stdout
    assert "@pytest.mark.lockout" in markers.stdout


def _fixture_docs(output: str) -> dict[str, str]:
    """Fixture name -> its docstring, from the section of ``pytest --fixtures`` of our module."""
    section = output.split("fixtures defined from webex_harness.plugin.fixtures", 1)[1]
    section = section.split("fixtures defined from", 1)[0]
    docs: dict[str, str] = {}
    name = ""
    for line in section.splitlines():
        head = re.match(r"^(\w+)( \[session scope\])?( -- .*)?$", line)
        if head:
            name = head.group(1)
            docs[name] = ""
        elif name and line.startswith("    "):
            docs[name] += line.strip() + " "
    return docs


# ---------------------------------------------------------------- off unless asked


def test_a_plain_run_without_env_is_untouched(tmp_path: Path) -> None:
    folder = _folder(tmp_path, test_plain=PLAIN_TEST)
    plain = _pytest(folder, "-q", "--junitxml", "with.xml", "test_plain.py")
    without = _pytest(folder, "-q", "--junitxml", "without.xml", "-p", "no:webex_harness", "test_plain.py")
    # the same exit code and output as with the plugin switched off altogether
    assert plain.returncode == without.returncode == pytest.ExitCode.TESTS_FAILED, plain.stdout[-3000:]
    assert _normalised(plain.stdout.replace("with.xml", "X")) == _normalised(without.stdout.replace("without.xml", "X"))
    assert plain.stderr == without.stderr
    assert "webex-harness" not in (plain.stdout + plain.stderr).lower()
    assert "plan:" not in plain.stdout
    # no environment loaded, no emulator started, no run folder, nothing masked
    assert not (folder / "reports").exists()
    junit = (folder / "with.xml").read_text(encoding="utf-8")
    assert "emulator-pass" in junit and "********" not in junit
    assert _junit_content(junit) == _junit_content((folder / "without.xml").read_text(encoding="utf-8"))


def _junit_content(text: str) -> str:
    """A JUnit file without what differs between two runs (times, timestamp, host)."""
    return re.sub(r'\s(time|timestamp|hostname)="[^"]*"', "", text)


def test_no_fixtures_or_markers_of_ours_without_env(tmp_path: Path) -> None:
    folder = _folder(tmp_path, test_plain=PLAIN_TEST)
    fixtures = _pytest(folder, "--fixtures", "test_plain.py")
    assert fixtures.returncode == 0
    assert "webex_harness" not in fixtures.stdout
    names = {m.group(1) for m in re.finditer(r"^(\w+)( \[\w+ scope\])?( -- .*)?$", fixtures.stdout, re.M)}
    assert not names & {"environment", "target", "site_factory", "site", "xml", "meetings", "rest", "run_name"}
    markers = _pytest(folder, "--markers")
    assert markers.returncode == 0
    assert "@pytest.mark.behaviour" not in markers.stdout and "@pytest.mark.destructive" not in markers.stdout


def test_no_webex_harness_switches_the_plugin_off(tmp_path: Path) -> None:
    folder = _folder(tmp_path, test_plain=PLAIN_TEST)
    result = _pytest(folder, "-p", "no:webex_harness", "--env", "emulator", "test_plain.py")
    assert result.returncode == pytest.ExitCode.USAGE_ERROR
    assert "unrecognized arguments: --env" in result.stderr


# ---------------------------------------------------------------- the suites from any folder

#: one cheap contract test (one request), measured in contracts/costs.json
CHEAP = "contracts/test_site.py::test_get_site_names_the_site"


def test_the_suites_run_from_an_empty_folder_with_pyargs(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    name = CHEAP.rpartition("::")[2]
    result = _pytest(
        folder, "--pyargs", "webex_harness.contracts", "--env", "emulator", "-k", name, "-p", "no:randomly", "-q"
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-2000:]
    assert "1 passed" in result.stdout
    # counted as a contract test, found in the costs file by its contract ID (not "estimated")
    cost = planning.load_costs(planning.COSTS_FILE)[CHEAP].emulator
    [line] = [x for x in result.stdout.splitlines() if x.startswith("plan: ")]
    assert f"— 1 test, ~{cost} requests estimated" in line, line
    assert "not in contracts/costs.json" not in line


# ---------------------------------------------------------------- contract IDs


def test_a_contract_id_comes_from_the_file_path_wherever_the_root_is(tmp_path: Path) -> None:
    contracts = shipped("contracts")
    file = contracts / "test_site.py"
    assert planning.contract_id(file, "test_site.py::test_x[a::b]") == "contracts/test_site.py::test_x[a::b]"
    assert planning.contract_id(file.resolve(), "whatever/test_site.py::test_x") == "contracts/test_site.py::test_x"
    # the same file reached through a link (as a clone's webex_harness/contracts is) has the same ID
    link = tmp_path / "linked"
    link.symlink_to(contracts.resolve(), target_is_directory=True)
    assert planning.contract_id(link / "test_site.py", "x.py::t") == "contracts/test_site.py::t"
    # a user's own contracts/ folder is not the suites
    own = tmp_path / "contracts" / "test_site.py"
    own.parent.mkdir()
    shutil.copy(file, own)
    assert planning.contract_id(own, "contracts/test_site.py::t") is None


def test_a_bare_node_id_is_found_under_the_root_or_a_collection_argument(tmp_path: Path) -> None:
    contracts = shipped("contracts")
    (tmp_path / "test_site.py").write_text("")  # a user's file of the same name under the root dir
    # relative to the root directory
    assert planning.contract_id_of_nodeid("contracts/test_site.py::t", [contracts.parent]) == (
        "contracts/test_site.py::t"
    )
    # relative to the collection argument (--pyargs from another folder): the root comes first
    assert planning.contract_id_of_nodeid("test_site.py::t", [tmp_path, contracts]) is None
    assert planning.contract_id_of_nodeid("test_site.py::t", [tmp_path / "empty", contracts]) == (
        "contracts/test_site.py::t"
    )
    assert planning.contract_id_of_nodeid("nowhere.py::t", [tmp_path, contracts]) is None
