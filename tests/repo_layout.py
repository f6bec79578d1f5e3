"""The repository's layout as the packaging tests see it: the code layers at its top (each reached as
``webex_harness.<layer>`` through the links in ``webex_harness/``) and the inputs the wheel is built from."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

#: the code layers, bottom to top
CODE_LAYERS = (
    "webex",
    "environment",
    "workspace",
    "client",
    "generators",
    "emulator",
    "plugin",
    "contracts",
    "load",
    "runs",
)
#: every folder ``webex_harness/`` links: the code layers and the shipped environments
LAYER_FOLDERS = (*CODE_LAYERS, "environments")
#: what the wheel is built from; nothing else of the checkout is copied
BUILD_INPUTS = ("pyproject.toml", "README.md", "LICENSE", "webex_harness", *LAYER_FOLDERS)
