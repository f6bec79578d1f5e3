"""What the project's tests need to start pytest (or the harness) in a child process: an environment
without the parent's xdist and addopts, with bytecode cached outside the tree (a child starts in
1 s, not 5), and the command line of a pytest run over probe files with the repository's settings."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


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
