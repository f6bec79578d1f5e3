"""Where the contract suites live and the start of every pytest command that runs them (a contract
run, its plan, the selfcheck, the cost measurement).

The suites are package data: in a clone ``webex_harness/contracts`` (the repository's ``contracts/``),
installed ``site-packages/webex_harness/contracts``. pytest is pointed at the package folder as its
root and at the suites' own ini file, so that the test node IDs (``contracts/test_site.py::…``, the keys
of ``costs.json``) and the options are the same wherever the package is and whatever folder the
command runs in; the working folder stays the user's (``./reports``, ``./environments``).
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

from webex_harness import shipped

__all__ = ["CONTRACTS_DIR", "CONTRACTS_INI", "PACKAGE_ROOT", "contract_pytest_command"]

#: the package's folder: pytest's root directory for the contract suites
PACKAGE_ROOT: Path = shipped()
#: the contract suites
CONTRACTS_DIR: Path = shipped("contracts")
#: their pytest options (not named pytest.ini: a ``pytest contracts/…`` in the clone keeps the repository's)
CONTRACTS_INI: Path = shipped("contracts", "contracts.ini")


def contract_pytest_command(*options: str, tests: Sequence[str] = ()) -> list[str]:
    """``python -m pytest <the suites> -c <their ini> --rootdir <the package>`` and ``options``;
    ``tests``: paths or node IDs under the suites to run instead of all of them."""
    return [
        sys.executable,
        "-m",
        "pytest",
        *(tests or [str(CONTRACTS_DIR)]),
        "-c",
        str(CONTRACTS_INI),
        "--rootdir",
        str(PACKAGE_ROOT),
        "-p",
        "no:cacheprovider",
        *options,
    ]
