"""The reference of environment files, rendered from the loader's schema: ``docs/environment.md``.

``python -m webex_harness.environment.reference`` writes the Markdown to stdout;
``docs/environment.md`` is that output, committed (``tests/test_environment_reference.py`` fails when
they differ). Every key, its type, default and meaning come from :data:`environment.schema.KEYS` —
the table the loader reads files by — so the page cannot describe a key the loader does not take, nor
miss one it does. The prose around the tables says how values are read (:mod:`environment.text`,
:mod:`environment.loader`).

Stands on :mod:`environment.schema` and :mod:`environment.model`.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from typing import Any

from webex_harness.environment.model import plain_number
from webex_harness.environment.schema import KEYS, Key

__all__ = ["COMMAND", "main", "render", "type_text", "value_text"]

#: The command that writes the page (the test's message names it).
COMMAND = "python -m webex_harness.environment.reference > docs/environment.md"

_INTRO = """\
# Environment files

<!-- Generated from environment/schema.py by `{command}`.
     Edit the schema (or this renderer, environment/reference.py), not this file. -->

An environment file names one target — the harness's own emulator or a real Webex site — with its
URLs, the accounts a run signs in with, what the site has switched on, what a run may do there and
how much. Every command takes `--env`: `--env NAME` reads `./environments/NAME.yaml` of the working
folder, else the file of that name shipped with the package (`emulator`, `site.example`);
`--env path/to/file.yaml` reads that file. Without `--env` the target is `emulator`, the emulator the
harness starts on a free loopback port. The two shipped files are commented examples:
[`environments/emulator.yaml`](../environments/emulator.yaml) and
[`environments/site.example.yaml`](../environments/site.example.yaml) (copy it to test a site).

The shortest valid file:

```yaml
target: emulator
site_name: harness
credentials:
  webExID: ${{WEBEX_USER:-host}}
  password: ${{WEBEX_PASSWORD:-emulator-pass}}
```

## How a file is read

- **Every key is checked before anything is sent.** A key the tables below do not list is an
  error, with the keys that section knows and, when one is close, "did you mean". So is a value of
  the wrong type, a required key left out, and a literal secret in a site file. The message is one
  line, `<file>: <dotted key>: <problem>` — e.g. `environments/acme.yaml: budget.max_requests:
  expected an integer, got 'ten'` — and the command exits 2.
- **Types are strict.** A boolean is `true` or `false` only (`yes`, `on` and `no` stay strings: `site_name:
  NO` is the string "NO", `destructive: yes` is an error); an integer is never a boolean; a key given
  twice is an error, not a silent overwrite.
- **`${{VAR}}` placeholders** work in every string value (inside `load:` too): `${{VAR}}` is the
  variable's value, `${{VAR:-default}}` the default when it is unset or empty, several may share one
  string (`https://${{WEBEX_SITE}}.webex.com/WBXService/XMLService`), and `$${{` is a literal `${{`. A
  variable that is unset and has no default is an error naming it. Inside a `{{ }}` flow mapping quote
  a placeholder: `{{webExID: a, password: "${{VAR}}"}}`.
- **Secrets** (the keys marked *secret* below) must be `${{VAR}}` references when the target is
  `site`: a literal password or token in a site file is an error. No secret value ever appears in an
  error message, a report, a log or the terminal: every run masks them as `********`.
- **Optional sections may be empty** (`settings:` with every line commented out): all their keys take
  their defaults.

## Keys
"""


def value_text(value: Any) -> str:
    """A value as it is written in a file (YAML flow style): ``true``, ``1800``, ``[169]``, ``{calls: 4}``."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return plain_number(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, list):
        return "[" + ", ".join(value_text(item) for item in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{value_text(str(k))}: {value_text(v)}" for k, v in value.items()) + "}"
    text = str(value)
    if not text or text[0] in "*&!%@`{[|>'\"#,?-":
        return f'"{text}"'
    return text


_TYPES = {
    "mapping": "mapping",
    "string": "string",
    "boolean": "`true` / `false`",
    "integer": "integer",
    "number": "number",
    "list of integers": "list of integers",
    "list of choices": "list of names",
    "weight": "whole number ≥ 0",
    "ratio": "number from 0 to 1",
    "limit": "number ≥ 0, or API → number",
    "fraction": "fraction (`0.1`) or percentage (`10%`)",
}


def type_text(key: Key) -> str:
    """The type column: the kind of value, a choice's values, and *secret*."""
    if key.kind == "choice":
        text = " / ".join(f"`{value}`" for value in key.allowed)
    elif key.kind == "list of choices":
        text = "list of " + " / ".join(f"`{value}`" for value in key.allowed)
    else:
        text = _TYPES[key.kind]
    return f"{text}, *secret*" if key.secret else text


def _default_text(key: Key) -> str:
    if key.required:
        return "**required**"
    if key.default_text:
        return key.default_text
    if key.default is None:
        return "—"
    return f"`{value_text(key.default)}`"


def _presence(section: Key) -> str:
    """Under a section's heading: whether it must be there, and what leaving it out means."""
    if section.required:
        return "Required."
    if section.default_text:
        return f"Optional; left out: {section.default_text}."
    return "Optional."


def _meaning(key: Key) -> str:
    text = key.doc
    if key.example is not None:
        text += f" Example: `{value_text(key.example)}`."
    return text


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _table(keys: Iterable[Key]) -> list[str]:
    lines = ["| Key | Type | Default | Meaning |", "| --- | --- | --- | --- |"]
    for key in keys:
        cells = (f"`{key.path}`", type_text(key), _default_text(key), _meaning(key))
        lines.append("| " + " | ".join(_cell(cell) for cell in cells) + " |")
    return lines


def _sections() -> list[tuple[Key | None, list[Key]]]:
    """The top-level scalars (``None``), then each top-level section with every key below it."""
    top = [key for key in KEYS if not key.section and key.kind != "mapping"]
    sections: list[tuple[Key | None, list[Key]]] = [(None, top)]
    for key in KEYS:
        if not key.section and key.kind == "mapping":
            below = [k for k in KEYS if k.path.startswith(key.path + ".")]
            sections.append((key, below))
    return sections


def render() -> str:
    """The whole page, Markdown."""
    lines = [_INTRO.format(command=COMMAND)]
    for section, keys in _sections():
        if section is None:
            lines += ["### Top level", "", *_table(keys), ""]
            continue
        heading = f"### `{section.path}`"
        lines += [heading, "", f"{section.doc} {_presence(section)}", ""]
        lines += [*_table(keys), ""]
    return "\n".join(lines).rstrip("\n") + "\n"


def main(argv: list[str] | None = None) -> int:
    """Write the page to stdout; any argument is refused with one line (exit 2)."""
    args = sys.argv[1:] if argv is None else argv
    if args:
        print(
            f"environment reference: takes no arguments, got {' '.join(args)!r} (it writes docs/environment.md "
            f"to stdout: {COMMAND})",
            file=sys.stderr,
        )
        return 2
    sys.stdout.write(render())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
