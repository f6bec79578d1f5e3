"""``webex-harness diff-versions A B``: what changed between two XML API releases, from the data the
contracts and the emulator use (:mod:`generators.api_releases`: the release notes joined with the
catalogue's meetingUUID support).

Grouped by release, oldest first: APIs added or removed, meetingUUID support, request and response
elements, behaviours. ``--json`` prints the same as one JSON object. A release that is not
``40.<1–12>.<patch>`` is one line and exit 2. From a newer release to an older one the changes read
as removed.
"""

from __future__ import annotations

import argparse
import json

from webex_harness.runs.cli_common import fail

__all__ = ["cmd_diff_versions", "diff_lines", "diff_record"]

#: how each kind of change is named in the text output
_KIND_WORDS = {
    "api": "API",
    "uuid": "meetingUUID support",
    "request": "request element",
    "response": "response element",
    "behaviour": "behaviour",
}


def diff_record(old: str, new: str) -> dict[str, object]:
    """``{"from", "to", "releases": [{"release", "changes": [...]}, ...], "count"}``."""
    from webex_harness.generators.api_releases import changes_between, group_by_release
    from webex_harness.webex.releases import Release

    changes = changes_between(Release.parse(old), Release.parse(new))
    grouped = group_by_release(changes)
    return {
        "from": old,
        "to": new,
        "releases": [{"release": r, "changes": [c.to_dict() for c in cs]} for r, cs in grouped.items()],
        "count": len(changes),
    }


def diff_lines(old: str, new: str) -> list[str]:
    """The readable listing: a heading per release, one line per change."""
    record = diff_record(old, new)
    releases = record["releases"]
    assert isinstance(releases, list)
    if not releases:
        return [f"no changes between {old} and {new} in the release notes"]
    lines = [f"XML API changes from {old} to {new} ({record['count']}, from the release notes):"]
    for group in releases:
        lines.append("")
        lines.append(f"{group['release']}:")
        for c in group["changes"]:
            word = _KIND_WORDS.get(c["kind"], c["kind"])
            note = f" — {c['note']}" if c["note"] else ""
            lines.append(f"  {c['action']:<7} {word}: {c['subject']}{note}")
    return lines


def _problem(text: str) -> str | None:
    from webex_harness.webex.settings import api_version_problem

    return api_version_problem(text)


def cmd_diff_versions(args: argparse.Namespace) -> int:
    """Print what changed between ``args.old`` and ``args.new`` (``--json``: as JSON)."""
    for name, value in (("A", args.old), ("B", args.new)):
        problem = _problem(value)
        if problem:
            return fail(f"diff-versions {name}: {problem}", 2)
    if args.json:
        print(json.dumps(diff_record(args.old.strip(), args.new.strip()), indent=1))
    else:
        print("\n".join(diff_lines(args.old.strip(), args.new.strip())))
    return 0
