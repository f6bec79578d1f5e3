"""webex-harness: contract and load tests for the Cisco Webex Meetings XML API and the Webex REST
meetings API, with an embedded emulator.

Every layer is a subpackage of this one (its folder sits at the top of the repository, where the
architecture draws it; ``webex_harness/<layer>`` points at it):

- :mod:`webex_harness.webex` — the facts of the Webex APIs (no I/O);
- :mod:`webex_harness.environment` — environment files; :mod:`webex_harness.workspace` — run folders;
- :mod:`webex_harness.client` — the XML and REST clients, the ledger and the clean-up;
- :mod:`webex_harness.generators` — valid and edge-case requests for every API;
- :mod:`webex_harness.emulator` — the embedded Webex site;
- :mod:`webex_harness.plugin` — the pytest plugin; :mod:`webex_harness.contracts` — the contract suites;
- :mod:`webex_harness.load` — the locust load runs; :mod:`webex_harness.runs` — the command line.

Files the package ships (the default environments, the behaviour catalogue, the contract suites)
are read through :func:`shipped`, wherever the package is installed.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

__all__ = ["__version__", "shipped"]

__version__ = "0.1.0"


def shipped(*parts: str) -> Path:
    """A file or folder the package ships, e.g. ``shipped("environments", "emulator.yaml")``.

    The path is not resolved: in a clone it lies under ``webex_harness/`` (whose layer folders point
    at the repository's), installed under ``site-packages/webex_harness/``.
    """
    return Path(str(resources.files(__name__).joinpath(*parts)))
