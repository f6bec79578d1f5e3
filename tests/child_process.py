"""What the project's tests need to start pytest (or the harness) in a child process: an environment
without the parent's xdist and addopts, with bytecode cached outside the tree (a child starts in
1 s, not 5), and the command line of a pytest run over probe files with the repository's settings."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: ``python -c HARNESS_CLI REPORTS ARGS…``: ``webex-harness ARGS…`` with its run folders under REPORTS (tests
#: write only into their temporary folders)
HARNESS_CLI = (
    "import functools, pathlib, sys; "
    "import webex_harness.runs.cli as cli, webex_harness.runs.run_command as run_command; "
    "from webex_harness.workspace.run_folder import Run; "
    "run_command.Run = functools.partial(Run, root=pathlib.Path(sys.argv[1])); "
    "sys.exit(cli.main(sys.argv[2:]))"
)


def child_env(**extra: str) -> dict[str, str]:
    """The environment of a child process, plus ``extra``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_XDIST") and k != "PYTEST_ADDOPTS"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = str(Path(tempfile.gettempdir()) / "wxh-pycache")
    return {**env, **extra}


def pytest_command(*paths: str) -> list[str]:
    """``python -m pytest PATHS`` with the repository's pyproject and rootdir and no cache folder; the
    caller adds its own options."""
    return [
        sys.executable,
        "-m",
        "pytest",
        *paths,
        "-c",
        str(ROOT / "pyproject.toml"),
        "--rootdir",
        str(ROOT),
        "-p",
        "no:cacheprovider",
    ]
