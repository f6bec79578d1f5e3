"""The commands that read the API catalogue and talk to no target: ``apis`` (every API the harness
knows, one a line) and ``generate`` (a generated envelope, or ``--edge`` its edge cases).

Stands on :mod:`generators` (imported when the command runs).
"""

from __future__ import annotations

import argparse

from webex_harness.runs.cli_common import fail

__all__ = ["cmd_apis", "cmd_generate"]


def cmd_apis(args: argparse.Namespace) -> int:
    """Every API the harness knows, one a line: XML then REST."""
    from webex_harness.generators.cli_support import list_apis_lines

    print("\n".join(list_apis_lines()))
    return 0


def cmd_generate(args: argparse.Namespace) -> int:
    """A generated envelope for ``API`` on stdout (``--edge``: its edge cases as a JSON array)."""
    from webex_harness.generators.cli_support import generate_text

    try:
        print(generate_text(args.api, args.seed, args.edge))
    except KeyError as exc:
        return fail(str(exc.args[0]) if exc.args else str(exc), 2)
    return 0
