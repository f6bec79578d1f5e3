"""The package's optional-dependency groups ("extras") as the command line sees them: whether the one a
command needs is installed, and the one line that says how to install it when it is not.

``pip install webex-harness`` gives the contract suites, the emulator and the pytest plugin; the load
runs need locust and its web stack, the ``load`` extra (``pip install 'webex-harness[load]'``).
``run`` (contracts, then a load run) and ``load`` check for it before anything starts: no run folder,
no emulator, no request (exit 2). The check finds the module without importing it, so gevent never
enters the harness's own process (locust runs in a subprocess of the same interpreter).
"""

from __future__ import annotations

import importlib.util

__all__ = ["LOAD_EXTRA", "install_hint", "load_extra_problem", "missing_modules"]

#: the extra of the load runs, and the modules it brings that a load run starts
LOAD_EXTRA = "load"
LOAD_MODULES = ("locust", "gevent")


def install_hint(extra: str) -> str:
    """``pip install 'webex-harness[<extra>]'``: quoted for the shell (brackets are a glob there)."""
    return f"pip install 'webex-harness[{extra}]'"


def missing_modules(modules: tuple[str, ...]) -> list[str]:
    """The top-level ``modules`` this interpreter cannot import (found, not imported)."""
    missing = []
    for name in modules:
        try:
            found = importlib.util.find_spec(name) is not None
        except (ImportError, ValueError):  # a broken install, or a module whose __spec__ is unset
            found = False
        if not found:
            missing.append(name)
    return missing


def load_extra_problem(command: str) -> str:
    """The one line when ``command`` (``run`` or ``load``) cannot start its load run, else ``""``."""
    missing = missing_modules(LOAD_MODULES)
    if not missing:
        return ""
    what = f"{' and '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed"
    line = f"{command}: the load run needs the '{LOAD_EXTRA}' extra ({what}): {install_hint(LOAD_EXTRA)}"
    if command == "run":
        line += " — or `webex-harness contracts` for the contract suites alone"
    return line
