"""The text of an environment file before it is checked: strict YAML and ``${VAR}`` placeholders.

:func:`parse_yaml` reads YAML safely with booleans ``true``/``false`` only (YAML 1.2: ``yes``,
``on``, ``no`` stay strings) and a duplicated key an error; :func:`interpolate` is the one place
that resolves ``${VAR}`` / ``${VAR:-default}`` (``$${`` is a literal ``${``). Both raise
:class:`~environment.errors.EnvironmentFileError`, one line naming the file and the key;
:mod:`environment.loader` (which documents the file format) calls them.

Stands on :mod:`environment.errors` only.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import yaml

from webex_harness.environment.errors import EnvironmentFileError, short

__all__ = ["has_placeholder", "interpolate", "parse_yaml"]


# ``$${`` (a literal), a complete ``${…}``, or an unclosed ``${``.
_TOKEN_RE = re.compile(r"\$\$\{|\$\{(?P<body>[^}]*)\}|\$\{")
_BODY_RE = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?::-(?P<default>.*))?$", re.DOTALL)


def interpolate(text: str, env: Mapping[str, str], *, path: str | Path | None, key: str) -> str:
    """Resolve ``${VAR}`` / ``${VAR:-default}`` in ``text``; ``$${`` is a literal ``${``.

    A variable that is unset (and has no default) raises :class:`EnvironmentFileError` naming
    ``path``, ``key`` and the variable. The error never quotes ``text``, which may be a secret.
    """

    def substitute(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "$${":
            return "${"
        body = match.group("body")
        if body is None:
            raise EnvironmentFileError(path, key, "unclosed placeholder '${' (write $${ for a literal ${)")
        parsed = _BODY_RE.match(body)
        if parsed is None:
            raise EnvironmentFileError(
                path,
                key,
                f"malformed placeholder {short(token)} (expected ${{NAME}} or ${{NAME:-default}};"
                " write $${ for a literal ${)",
            )
        name = parsed.group("name")
        default = parsed.group("default")
        if default is not None and "${" in default:
            raise EnvironmentFileError(
                path, key, f"nested placeholders are not supported (in the default of ${{{name}}})"
            )
        value = env.get(name)
        if default is not None:
            return value if value else default
        if value is None:
            raise EnvironmentFileError(path, key, f"environment variable {name} is not set")
        return value

    return _TOKEN_RE.sub(substitute, text)


def has_placeholder(text: str) -> bool:
    """True when ``text`` references at least one variable (``$${`` does not count)."""
    return any(m.group(0) != "$${" for m in _TOKEN_RE.finditer(text))


# --------------------------------------------------------------------------------------------
# YAML: safe, booleans are true/false only (YAML 1.2), duplicate keys are errors


_BOOL_TAG = "tag:yaml.org,2002:bool"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _StrictLoader(yaml.SafeLoader):
    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[tuple[str, str]] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.tag != _MERGE_TAG:
                ident = (key_node.tag, key_node.value)
                if ident in seen:
                    raise yaml.constructor.ConstructorError(
                        "while constructing a mapping",
                        node.start_mark,
                        f"duplicate key {key_node.value!r}",
                        key_node.start_mark,
                    )
                seen.add(ident)
        return cast(dict[Any, Any], super().construct_mapping(node, deep=deep))


_StrictLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != _BOOL_TAG]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_StrictLoader.add_implicit_resolver(_BOOL_TAG, re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))


def parse_yaml(raw: bytes, path: str | Path) -> Any:
    try:
        return yaml.load(raw, Loader=_StrictLoader)  # a SafeLoader subclass: no arbitrary objects
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark is not None else "unknown line"
        detail = exc.problem or exc.context or "syntax error"
        if exc.problem and exc.context and exc.context_mark is not None:
            detail += f" ({exc.context} started at line {exc.context_mark.line + 1})"
        if exc.context == "while parsing a flow mapping" and b"${" in raw:
            detail += '; inside { } quote a placeholder: password: "${VAR}"'
        raise EnvironmentFileError(path, "(file)", f"invalid YAML at {where}: {detail}") from None
    except yaml.YAMLError as exc:
        raise EnvironmentFileError(path, "(file)", f"invalid YAML: {exc}") from None
