"""``webex-harness checks``: the checks every answer of a contract run is judged by (docs/checks.md) — each
check's name, the API family it judges, its state for the environment of ``--env`` (on, or switched off by
its ``checks.off``), its rule and where the rule comes from; ``--json`` prints the same as a JSON array.

Stands on :mod:`webex.wire_checks` (the table) and :mod:`runs.cli_common` (the environment file).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from webex_harness.runs.cli_common import environment_of
from webex_harness.runs.report_facts import CHECK_OFF
from webex_harness.webex.wire_checks import WIRE_CHECKS


def check_list(off: frozenset[str] = frozenset()) -> list[dict[str, Any]]:
    """Every check, in order: ``name``, ``api``, ``on``, ``rule``, ``source``."""
    return [
        {"name": c.name, "api": c.api, "on": c.name not in off, "rule": c.rule, "source": c.source} for c in WIRE_CHECKS
    ]


def check_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The checks as text: per check a line ``name  api  state``, then its rule and source indented."""
    width = max(len(r["name"]) for r in rows)
    lines: list[str] = []
    for r in rows:
        lines.append(f"{r['name']:<{width}}  {r['api']:<4}  {'on' if r['on'] else CHECK_OFF}")
        lines.append(f"    rule: {r['rule']}")
        lines.append(f"    from: {r['source']}")
    on = sum(1 for r in rows if r["on"])
    lines.append(f"{on} of {len(rows)} checks on")
    return lines


def cmd_checks(args: argparse.Namespace) -> int:
    """Print the checks (``--json``: as JSON) with their state for ``--env``'s environment file."""
    off = environment_of(args).checks.off if args.env else frozenset()
    rows = check_list(off)
    print(json.dumps(rows, indent=1) if args.json else "\n".join(check_lines(rows)))
    return 0


__all__ = ["check_lines", "check_list", "cmd_checks"]
