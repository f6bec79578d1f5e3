"""``docs/apis.md``: the reference's list of APIs (``reference.yaml``) joined with the catalogue.

``python -m webex_harness.generators.reference_doc`` writes the Markdown to stdout; ``docs/apis.md``
is that output, committed (``tests/test_reference.py`` fails when they differ, naming
:data:`COMMAND`). Per service of the guide: each API, its page, and its status here — answered
(the catalogue has it: the emulator answers it and the generic catalogue contracts cover it) or not
yet.

Stands on :mod:`generators.reference` and :mod:`generators.catalogue`.
"""

from __future__ import annotations

import sys

from webex_harness.generators.catalogue import Source
from webex_harness.generators.catalogue import api as catalogue_api
from webex_harness.generators.reference import SEEN, ReferenceApi, answered, reference_apis, reference_services

__all__ = ["COMMAND", "main", "render"]

#: The command that writes the page (the test's message names it).
COMMAND = "python -m webex_harness.generators.reference_doc > docs/apis.md"

_INTRO = """\
# The XML APIs of the reference

<!-- Generated from generators/reference.yaml and generators/catalogue.yaml by `{command}`.
     Edit the data (or this renderer, generators/reference_doc.py), not this file. -->

Every API the Webex Meetings XML API Reference Guide documents
(`https://developer.cisco.com/docs/webex-xml-api-reference-guide/`), filed under the guide's service
chapters in the guide's order, and the few APIs the XML API 40 release notes name that the guide's
table of contents does not list. The list is data: `generators/reference.yaml`.

**Status here.** *answered* — the API is in the catalogue (`generators/catalogue.yaml`): the
emulator answers it, the generators build its valid and edge-case envelopes, and the generic
catalogue contracts (`contracts/test_catalogue.py`) send them and check the answer carries the
documented response elements in the documented order. *not yet* — a request for it gets the
emulator's `FAILURE 999998` (unsupported API) and no contract covers it.

**Notes.** What the catalogue entry cites (a seed of `docs/sources.md` with its release, or a
page of the guide), where the XML API 40 release notes name the API, and what else to know. When each
API, element and behaviour came is in `webex/releases.yaml` (`docs/versions.md`).
`webex-harness apis --missing` prints the APIs not answered yet, one a line.

**Checked.** How each page was checked when the list was made: {seen}.

**{answered} of {total} documented APIs answered.**
"""


def _seen_text() -> str:
    return "; ".join(f"*{word}* — {meaning}" for word, meaning in SEEN.items())


def _status(api: ReferenceApi) -> str:
    if not answered(api):
        return "not yet"
    elements = len(catalogue_api(api.name).response_elements)
    plural = "" if elements == 1 else "s"
    return f"answered ({elements} response element{plural} checked)"


def _source(source: Source) -> str:
    """A catalogue source as the page shows it: a reference page as a link, a seed as ``001 (40.6.0)``
    (docs/sources.md lists the seeds)."""
    return f"[{source.page}]({source.url})" if source.url else str(source)


def _notes(api: ReferenceApi) -> str:
    parts: list[str] = []
    if answered(api):
        sources = catalogue_api(api.name).sources
        if sources:
            parts.append("catalogue cites " + ", ".join(_source(s) for s in sources))
    if api.deprecated:
        parts.append("deprecated in the guide")
    if api.release_notes:
        parts.append("release notes " + ", ".join(api.release_notes))
    if api.note:
        parts.append(api.note)
    return "; ".join(parts)


def _page(api: ReferenceApi) -> str:
    if api.url is None:
        return "none in the guide"
    return f"[{api.page}]({api.url}) ({api.seen})"


def render() -> str:
    """The whole page, as Markdown."""
    apis = reference_apis()
    out = [
        _INTRO.format(
            command=COMMAND,
            seen=_seen_text(),
            answered=sum(1 for a in apis if answered(a)),
            total=len(apis),
        )
    ]
    for service in reference_services():
        done = sum(1 for a in service.apis if answered(a))
        catalogue = ", ".join(f"`{c}`" for c in service.catalogue)
        out.append(f"\n## {service.name}\n")
        out.append(f"{done} of {len(service.apis)} answered. Catalogue service: {catalogue}.\n")
        out.append("| API | Page | Status here | Notes |")
        out.append("|---|---|---|---|")
        for api in service.apis:
            out.append(f"| `{api.name}` | {_page(api)} | {_status(api)} | {_notes(api)} |")
    return "\n".join(out) + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the page to stdout; any argument is refused with one line (exit 2)."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        print(
            f"reference_doc: takes no arguments, got {' '.join(args)!r} (it writes docs/apis.md to stdout: {COMMAND})",
            file=sys.stderr,
        )
        return 2
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
