"""The default names of what a test creates: ``<cleanup_prefix>-<run-id>-<suffix>``.

The run's prefix is set once per pytest process when the harness is switched on (``pytest_configure``
of :mod:`plugin.hooks`, before collection: a name built at import time carries it too), so that
``webex-harness cleanup`` finds what a test made even without the ledger. Outside a run a name is
``wxh <suffix>``.

Stands on nothing of the project.
"""

from __future__ import annotations

__all__ = ["own_name", "set_run_prefix"]

#: ``<cleanup_prefix>-<run-id>`` of the running session; "" outside a run
_run_prefix = ""


def set_run_prefix(prefix: str) -> None:
    """Name what the tests of this process create with ``prefix`` (``""``: outside a run)."""
    global _run_prefix
    _run_prefix = prefix


def own_name(suffix: str) -> str:
    """``<cleanup_prefix>-<run-id>-<suffix>``: the default name of what a test creates, so that
    ``webex-harness cleanup`` finds it even without the ledger (``wxh <suffix>`` outside a run)."""
    return f"{_run_prefix}-{suffix}" if _run_prefix else f"wxh {suffix}"
