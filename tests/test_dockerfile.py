"""The Dockerfile, read (docker itself is not needed): a non-root user, ``webex-harness`` as the entry
point, /work as the working folder with ``reports`` and ``environments`` as volumes, and every file it
copies present in the repository and not kept out of the build context by ``.dockerignore``."""

from __future__ import annotations

import fnmatch
import json
import shlex

import pytest

from tests.repo_layout import BUILD_INPUTS as WHEEL_INPUTS
from tests.repo_layout import ROOT

#: what the wheel is built from (pyproject.toml names README.md and LICENSE), and the pins
BUILD_INPUTS = (*WHEEL_INPUTS[:3], "constraints.txt", *WHEEL_INPUTS[3:])


def instructions(text: str) -> list[tuple[str, str]]:
    """``(INSTRUCTION, arguments)`` of a Dockerfile: continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, rest = line.partition(" ")
        out.append((keyword.upper(), rest.strip()))
    assert not pending, "the Dockerfile ends in a continuation line"
    return out


def stages(parsed: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    """The instructions of each build stage, a ``FROM`` first."""
    out: list[list[tuple[str, str]]] = []
    for keyword, rest in parsed:
        if keyword == "FROM":
            out.append([])
        assert out, f"{keyword} before the first FROM"
        out[-1].append((keyword, rest))
    return out


def ignore_patterns(text: str) -> list[str]:
    patterns = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert not any(p.startswith("!") for p in patterns), "exceptions (!) are not read by this test: keep it simple"
    return [p.rstrip("/") for p in patterns]


def ignored(relative: str, patterns: list[str]) -> bool:
    """Whether docker leaves ``relative`` (a path in the context) out: a pattern matches it or a folder
    above it (``**/`` at any depth)."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    for pattern in patterns:
        for prefix in prefixes:
            if fnmatch.fnmatchcase(prefix, pattern):
                return True
            if pattern.startswith("**/") and fnmatch.fnmatchcase(prefix.rsplit("/", 1)[-1], pattern[3:]):
                return True
    return False


@pytest.fixture(scope="module")
def dockerfile() -> list[list[tuple[str, str]]]:
    return stages(instructions((ROOT / "Dockerfile").read_text(encoding="utf-8")))


def test_every_stage_is_python_3_11_slim(dockerfile: list[list[tuple[str, str]]]) -> None:
    for stage in dockerfile:
        assert stage[0][1].split()[0] == "python:3.11-slim"


def test_the_image_runs_webex_harness_as_a_non_root_user_in_work(dockerfile: list[list[tuple[str, str]]]) -> None:
    final = dockerfile[-1]
    keywords = [k for k, _ in final]
    users = [rest for k, rest in final if k == "USER"]
    assert users, "no USER: the image would run as root"
    user = users[-1].split(":")[0]
    assert user not in ("root", "0"), f"USER {users[-1]} is root"
    assert keywords.index("USER") < keywords.index("ENTRYPOINT")
    entrypoint = [rest for k, rest in final if k == "ENTRYPOINT"]
    assert len(entrypoint) == 1 and json.loads(entrypoint[0]) == ["webex-harness"]  # exec form: signals reach it
    assert [rest for k, rest in final if k == "WORKDIR"][-1] == "/work"
    volumes = [v for k, rest in final if k == "VOLUME" for v in json.loads(rest)]
    assert sorted(volumes) == ["/work/environments", "/work/reports"]
    run = " ".join(rest for k, rest in final if k == "RUN")
    assert "-c /tmp/constraints.txt" in run and "[load]" in run, "the image installs the load extra, pinned"
    assert "useradd" in run and user in run


def test_every_copied_file_is_in_the_repository_and_the_build_context(
    dockerfile: list[list[tuple[str, str]]],
) -> None:
    patterns = ignore_patterns((ROOT / ".dockerignore").read_text(encoding="utf-8"))
    names = [s[0][1].split()[-1] for s in dockerfile if " AS " in s[0][1].upper()]
    sources: list[str] = []
    for stage in dockerfile:
        for keyword, rest in stage:
            if keyword not in ("COPY", "ADD"):
                continue
            args = shlex.split(rest)
            flags = [a for a in args if a.startswith("--")]
            paths = [a for a in args if not a.startswith("--")]
            assert len(paths) >= 2, f"{keyword} {rest}"
            stage_from = [f.split("=", 1)[1] for f in flags if f.startswith("--from=")]
            if stage_from:
                assert stage_from[0] in names, f"{keyword} {rest}: no earlier stage named {stage_from[0]}"
                continue
            sources += paths[:-1]
    assert sources
    for source in sources:
        assert (ROOT / source).exists(), f"the Dockerfile copies {source}, which is not in the repository"
        if source not in (".", "./"):
            assert not ignored(source.rstrip("/"), patterns), f"{source} is copied but .dockerignore leaves it out"
    if any(s in (".", "./") for s in sources):  # the whole context: what the wheel needs must be in it
        for name in BUILD_INPUTS:
            path = ROOT / name
            files = [path] if path.is_file() else [p for p in path.rglob("*") if p.is_file()]
            assert files, f"{name} is missing"
            for file in files:
                relative = str(file.relative_to(ROOT))
                if "__pycache__" in relative or relative.endswith(".pyc"):
                    continue
                assert not ignored(relative, patterns), f".dockerignore leaves {relative} out of the build"


def test_the_ignore_matcher() -> None:
    patterns = ["reports", "**/__pycache__", "*.egg-info"]
    assert ignored("reports/x/summary.html", patterns)
    assert ignored("webex/__pycache__/a.pyc", patterns)
    assert ignored("webex_harness.egg-info/PKG-INFO", patterns)
    assert not ignored("webex/behaviours.yaml", patterns)
    assert not ignored("environments/emulator.yaml", patterns)
