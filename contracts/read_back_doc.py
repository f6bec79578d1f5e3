"""docs/read-back.md rendered from the read-back table (:data:`contracts.read_back_pairs.PAIRS`) and the
catalogue: per Set API the object a test makes, the Get and list that read it back, how many request
elements one Set changes, and every documented element that is not compared, with why.

``python -m webex_harness.contracts.read_back_doc > docs/read-back.md`` writes it;
``tests/test_read_back_values.py`` fails when the committed page is not the render.
"""

from __future__ import annotations

import sys

from webex_harness.contracts.read_back_pairs import PAIRS, Pair
from webex_harness.contracts.read_back_values import updatable
from webex_harness.generators.catalogue import api

__all__ = ["COMMAND", "main", "render"]

COMMAND = "python -m webex_harness.contracts.read_back_doc > docs/read-back.md"

_HEAD = f"""# Read-back contracts: every Set API keeps what it is sent

<!-- Generated from contracts/read_back_pairs.py and generators/catalogue.yaml by `{COMMAND}`.
     Edit the table (or this renderer, contracts/read_back_doc.py), not this file. -->

A Set that answers SUCCESS and keeps nothing looks fine to every test that only checks the answer.
`contracts/test_read_back.py` therefore runs, for every XML Set API of the catalogue, one test that
makes an object of the run's own (named `<cleanup_prefix>-<run-id>-…`, deleted afterwards), reads it,
sends **one** Set that changes every documented request element the catalogue lists for the API, and
reads the object back through the matching Get and, where one lists it, the list API. Each element
must show the value sent; a failure names the Set API and, per element, what the Get or list answers,
where, what it held before and what was sent (a line each; wrapped here):

```text
SetMeeting did not keep 2 of the 83 elements it was sent:
  metaData/confName: GetMeeting answers 'wxh-…-contract meeting' at meet:metaData/meet:confName
    (before the Set: 'wxh-…-contract meeting'), SetMeeting sent 'wxh-…-Virtual leadingedge methodology 1'
  metaData/confName: LstsummaryMeeting answers 'wxh-…-contract meeting' at meet:meeting/meet:confName,
    SetMeeting sent 'wxh-…-Virtual leadingedge methodology 1'
```

The values come from the generators (`generators.envelopes.valid_body` with the run's `--seed`, dates
relative to now), made to differ from what the object holds (a flag is flipped, another enum value or
number is taken); names carry the run's name. Leaves of a repeated element (people, rules, members)
are lists, not values: they are left to the behaviours that read them back. Each test is marked with
its behaviour (`<set-api>-read-back`) and the emulator has one fault per Set API that drops one element
(`emulator/services/set_drops.py`): `webex-harness selfcheck --fault set-meeting-read-back` proves the
pair. Every row runs on any target within the budget profile, but SetRecordingInfo (a run cannot make
a recording on a real site) and SetUser (marked `destructive`: it creates a user, so a site needs
`allow.destructive: true`); no declared user is changed but the host's One-Click settings, which are
set back. A test sends 5 or 6 requests — make, read, the one Set, read, list, delete — 60 for the
eleven on the emulator (`contracts/costs.json` holds each test's measured cost for the plan).

"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _row(pair: Pair) -> str:
    spec = api(pair.set_api)
    count = len(updatable(spec, pair.skip))
    listed = pair.listing.api if pair.listing is not None else "—"
    return f"| {pair.set_api} | {pair.made} | {pair.get_api} | {listed} | {count} |"


def render() -> str:
    """The whole page."""
    lines = [
        _HEAD.rstrip("\n"),
        "",
        "## The pairs",
        "",
        "| Set API | the object a test changes | read back by | and listed by | elements one Set changes |",
        "| --- | --- | --- | --- | --- |",
        *(_row(p) for p in PAIRS),
        "",
        "## What is not compared, and why",
        "",
        "Besides the keys that address the object (never changed) and the leaves of repeated elements:",
        "",
        "| Set API | request element | why (the document that says so) |",
        "| --- | --- | --- |",
    ]
    for pair in PAIRS:
        for path, why in pair.not_compared.items():
            lines.append(f"| {pair.set_api} | `{path}` | {_cell(why)} |")
    moved = [(p.set_api, path, where) for p in PAIRS for path, where in p.moved.items()]
    lines += [
        "",
        "## Where an answer shows an element elsewhere",
        "",
        "Every other element is read at its request path with the answer's prefix (`metaData/confName` →",
        "`meet:metaData/meet:confName`).",
        "",
        "| Set API | request element | read at |",
        "| --- | --- | --- |",
        *(f"| {api_name} | `{path}` | `{where}` |" for api_name, path, where in moved),
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Write the page to stdout; any argument is refused with one line (exit 2)."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        print(f"read_back_doc: takes no arguments, got {' '.join(args)!r} ({COMMAND})", file=sys.stderr)
        return 2
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
