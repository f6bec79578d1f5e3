"""The commands that read the API catalogue and talk to no target: ``apis`` (every API the harness
knows, one a line; ``--missing``: the reference's APIs not answered yet) and ``generate`` (a
generated envelope, or ``--edge`` its edge cases).

Stands on :mod:`generators` (imported when the command runs: the catalogue and the reference list).
"""

from __future__ import annotations

import argparse

from webex_harness.runs.cli_common import fail

__all__ = ["cmd_apis", "cmd_generate", "missing_lines"]


def cmd_apis(args: argparse.Namespace) -> int:
    """Every API the harness knows, one a line: XML then REST. ``--missing``: the APIs of the XML API
    reference not answered yet (name, the guide's service, its page), then ``N of M documented APIs
    answered``."""
    if getattr(args, "missing", False):
        print("\n".join(missing_lines()))
        return 0
    from webex_harness.generators.cli_support import list_apis_lines

    print("\n".join(list_apis_lines()))
    return 0


def missing_lines() -> list[str]:
    """One line per API of the reference the catalogue does not have (``name  service  page``), then
    the count of those it has."""
    from webex_harness.generators.reference import missing, reference_apis

    absent = missing()
    width = max((len(a.name) for a in absent), default=0)
    service_width = max((len(a.service) for a in absent), default=0)
    lines = [f"{a.name:<{width}}  {a.service:<{service_width}}  {a.url or 'no page'}".rstrip() for a in absent]
    total = len(reference_apis())
    lines.append(f"{total - len(absent)} of {total} documented APIs answered")
    return lines


def cmd_generate(args: argparse.Namespace) -> int:
    """A generated envelope for ``API`` on stdout (``--edge``: its edge cases as a JSON array)."""
    from webex_harness.generators.cli_support import generate_text

    try:
        print(generate_text(args.api, args.seed, args.edge))
    except KeyError as exc:
        return fail(str(exc.args[0]) if exc.args else str(exc), 2)
    return 0
