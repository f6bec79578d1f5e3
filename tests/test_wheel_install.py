"""The package as a user gets it: the wheel of this checkout, installed into a fresh venv and used from
an empty folder — ``webex-harness run`` on the embedded emulator, the pytest plugin when a run asks for
it and only then, one import name, and nothing written into the installed package.

Offline, as a CI runner may be: the wheel is built without build isolation (the setuptools of the
project's own venv, the ``dev`` extra), and the fresh venv gets the dependencies from the project's
venv through one ``.pth`` line naming its site-packages. A line of a ``.pth`` file only adds its folder
to ``sys.path``; the ``.pth`` files inside that folder are not run — among them the editable install
of this checkout, which would otherwise make the checkout importable: the test proves it is not.
pip then installs the wheel alone (``--no-deps --no-index``).

Every subprocess is bounded by a timeout; everything is written under ``tmp_path`` (the wheel is
built from a copy of the checkout, since setuptools writes ``build/`` and ``*.egg-info`` beside the
sources).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

from tests.repo_layout import BUILD_INPUTS, LAYER_FOLDERS, ROOT

BUILD_SECONDS = 300
INSTALL_SECONDS = 180
RUN_SECONDS = 600
PYTEST_SECONDS = 300

#: a user's test of their own, in their own folder: the plugin's fixtures when the run gives --env
SITE_TEST = """
def test_the_host_is_known(site, xml):
    assert site.is_emulator
    answer = xml.call("user", "GetUser", {"webExId": xml.security.webex_id}).expect_success()
    assert answer is not None
"""

#: a plain test of a project that never asked for the harness
PLAIN_TEST = """
def test_arithmetic():
    assert 1 + 1 == 2
"""

#: printed by the fresh venv's python: where the package is, and which layer names import top-level
WHERE = """
import importlib.util, json
import webex_harness, webex_harness.webex, webex_harness.contracts, webex_harness.runs.cli
layers = {layers!r}
print(json.dumps({{
    "package": webex_harness.__file__,
    "subpackages": [webex_harness.webex.__file__, webex_harness.contracts.__file__, webex_harness.runs.cli.__file__],
    "top_level": [n for n in (*layers, "harness") if importlib.util.find_spec(n) is not None],
    "shipped": str(webex_harness.shipped("environments", "emulator.yaml")),
}}))
"""


def _run(cmd: list[str], *, cwd: Path, env: dict[str, str], timeout: float) -> subprocess.CompletedProcess[str]:
    """Run `cmd` to its end (bounded); it must exit 0."""
    proc = subprocess.run(cmd, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    output = f"--- stdout\n{proc.stdout[-4000:]}\n--- stderr\n{proc.stderr[-4000:]}"
    assert proc.returncode == 0, f"{' '.join(cmd)} exited {proc.returncode}\n{output}"
    return proc


def _user_environ(venv: Path) -> dict[str, str]:
    """A user's shell with the fresh venv activated: none of this test session's settings (its reports
    root, its safety state, pytest's and Python's variables), the venv's bin first on PATH."""
    drop = ("WEBEX_HARNESS_", "PYTEST_", "PYTHON", "VIRTUAL_ENV", "PIP_", "COV_CORE_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    env["VIRTUAL_ENV"] = str(venv)
    env["PIP_NO_INDEX"] = "1"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def _build_wheel(tmp: Path) -> Path:
    """The wheel of this checkout, built offline from a copy of it under ``tmp``."""
    src = tmp / "src"
    src.mkdir()
    for name in BUILD_INPUTS:
        path = ROOT / name
        if path.is_dir():  # the links of webex_harness/ stay links to the copied layer folders
            shutil.copytree(
                path, src / name, symlinks=True, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info")
            )
        else:
            shutil.copy2(path, src / name)
    dist = tmp / "dist"
    _run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--no-index",
            "--disable-pip-version-check",
            "--wheel-dir",
            str(dist),
            str(src),
        ],
        cwd=tmp,
        env={k: v for k, v in os.environ.items() if not k.startswith("PIP_")},
        timeout=BUILD_SECONDS,
    )
    wheels = sorted(dist.glob("webex_harness-*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {dist}, found {[w.name for w in dist.iterdir()]}"
    return wheels[0]


def _check_wheel_contents(wheel: Path) -> None:
    """One import name; the files read at run time; the licence."""
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        info = next(n for n in names if n.endswith(".dist-info/METADATA"))
        metadata = zf.read(info).decode("utf-8")
    tops = {n.split("/", 1)[0] for n in names}
    assert all(t == "webex_harness" or t.endswith(".dist-info") for t in tops), f"other top-level names: {sorted(tops)}"
    for needed in (
        "webex_harness/environments/emulator.yaml",
        "webex_harness/environments/site.example.yaml",
        "webex_harness/webex/behaviours.yaml",
        "webex_harness/generators/catalogue.yaml",
        "webex_harness/contracts/costs.json",
        "webex_harness/contracts/contracts.ini",
        "webex_harness/contracts/test_site.py",
        "webex_harness/load/locustfile.py",
        "webex_harness/py.typed",
    ):
        assert needed in names, f"{needed} is missing from the wheel"
    assert any(n.endswith(".dist-info/licenses/LICENSE") for n in names), "LICENSE is missing from the wheel"
    assert "License-Expression: Apache-2.0" in metadata
    assert "Provides-Extra: load" in metadata
    core = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:") and "extra ==" not in line]
    assert core and not any("locust" in line for line in core), f"locust must be the load extra only: {core}"


def _fresh_venv(tmp: Path, wheel: Path) -> tuple[Path, Path]:
    """A new venv with the wheel installed (dependencies from the project's venv); its python and
    site-packages."""
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], cwd=tmp, env=dict(os.environ), timeout=120)
    python = venv / "bin" / "python"
    site = Path(
        _run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
            cwd=tmp,
            env=_user_environ(venv),
            timeout=60,
        ).stdout.strip()
    )
    ours = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "webex_harness_test_dependencies.pth").write_text("".join(f"{p}\n" for p in sorted(ours)), encoding="utf-8")
    # the project venv's pip, run by the fresh venv's python, installs into the fresh venv; it leaves the
    # project venv's editable install alone (pip never uninstalls outside the running environment)
    _run(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--no-deps",
            "--no-index",
            "--no-cache-dir",
            "--force-reinstall",
            str(wheel),
        ],
        cwd=tmp,
        env=_user_environ(venv),
        timeout=INSTALL_SECONDS,
    )
    return python, site


def _files(folder: Path) -> set[str]:
    """Every file and folder under `folder` but Python's bytecode caches (`__pycache__/*.pyc`, which the
    interpreter — and pytest, for a plugin's modules it rewrites — keeps beside the sources of every
    installed package, and pip writes at install time)."""
    return {
        str(p.relative_to(folder))
        for p in folder.rglob("*")
        if not (p.parent.name == "__pycache__" and p.suffix == ".pyc")
    }


def _empty_folder(tmp: Path, name: str) -> Path:
    folder = tmp / name
    folder.mkdir()
    return folder


def test_the_wheel_installs_into_a_fresh_venv_and_works_from_an_empty_folder(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path)
    _check_wheel_contents(wheel)
    python, site = _fresh_venv(tmp_path, wheel)
    venv = python.parent.parent
    env = _user_environ(venv)
    package_files = _files(site)

    # one import name, and it is the installed one: the checkout and its layer names are not on the path
    where = json.loads(
        _run(
            [str(python), "-c", WHERE.format(layers=LAYER_FOLDERS)],
            cwd=_empty_folder(tmp_path, "where"),
            env=env,
            timeout=60,
        ).stdout
    )
    for path in (where["package"], *where["subpackages"], where["shipped"]):
        assert Path(path).is_relative_to(site), f"{path} is not inside the fresh venv ({site})"
    assert where["top_level"] == [], f"importable top-level in the fresh venv: {where['top_level']}"

    # webex-harness run, from an empty folder: the embedded emulator, the shipped environment, ./reports
    work = _empty_folder(tmp_path, "work")
    script = venv / "bin" / "webex-harness"
    assert script.exists(), "the wheel installs no webex-harness command"
    run = _run(
        [
            str(script),
            "run",
            "--profile",
            "smoke",
            "--workers",
            "1",
            "--users",
            "8",
            "--spawn-rate",
            "8",
            "--run-time",
            "3s",
        ],
        cwd=work,
        env=env,
        timeout=RUN_SECONDS,
    )
    summaries = sorted((work / "reports").glob("*/summary.html"))
    assert len(summaries) == 1, f"expected ./reports/<run>/summary.html in {work}:\n{run.stdout[-3000:]}"
    for name in ("junit.xml", "load.json", "load-gates.xml"):  # both phases ran
        assert (summaries[0].parent / name).is_file(), f"{name} is missing from {summaries[0].parent}"
    assert {p.name for p in work.iterdir()} == {"reports"}, f"run wrote outside ./reports: {sorted(work.iterdir())}"

    # a user's one-file test gets the fixtures under --env
    user = _empty_folder(tmp_path, "user")
    (user / "test_my_site.py").write_text(SITE_TEST, encoding="utf-8")
    asked = _run(
        [str(python), "-m", "pytest", "test_my_site.py", "--env", "emulator", "-q"],
        cwd=user,
        env=env,
        timeout=PYTEST_SECONDS,
    )
    assert "1 passed" in asked.stdout, asked.stdout[-3000:]

    # a project that never asked: the plugin stays out (no fixtures, no output, no files)
    plain = _empty_folder(tmp_path, "plain")
    (plain / "test_plain.py").write_text(PLAIN_TEST, encoding="utf-8")
    untouched = _run([str(python), "-m", "pytest", "test_plain.py", "-q"], cwd=plain, env=env, timeout=PYTEST_SECONDS)
    assert "1 passed" in untouched.stdout, untouched.stdout[-3000:]
    assert "webex" not in (untouched.stdout + untouched.stderr).lower(), untouched.stdout + untouched.stderr
    fixtures = _run([str(python), "-m", "pytest", "--fixtures", "-q"], cwd=plain, env=env, timeout=PYTEST_SECONDS)
    assert "webex_harness" not in fixtures.stdout, "the plugin's fixtures are there in a run that did not ask"
    assert "reports" not in {p.name for p in plain.iterdir()}

    # nothing was written into the installed package (reports, costs, caches …)
    assert _files(site) == package_files, sorted(_files(site) ^ package_files)[:20]
