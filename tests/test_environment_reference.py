"""docs/environment.md is the render of the loader's schema, and the schema is the loader's truth.

Each key the schema lists is read into the environment (its default when left out, its example when
given), a value of the wrong kind is refused naming that key, every section refuses a name the
schema does not give it (and lists the schema's names, in order), and every key of the shipped
environment files and of the environments the tests write is in the schema.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import textwrap
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from webex_harness.environment import schema
from webex_harness.environment.errors import EnvironmentFileError
from webex_harness.environment.loader import environment_from_mapping, load_environment
from webex_harness.environment.model import LIMIT_KEYS, Environment, plain_number
from webex_harness.environment.reference import COMMAND, render
from webex_harness.environment.schema import KEYS, Key
from webex_harness.webex.settings import SiteSettings

ROOT = Path(__file__).resolve().parent.parent
PAGE = ROOT / "docs" / "environment.md"
#: The name a ``<API>`` segment takes in these tests (any catalogued API would do).
AN_API = "GetSessionInfo"


class EveryVariable(Mapping[str, str]):
    """Process variables in which every ``${VAR}`` is set (to ``<var>-value``)."""

    def __getitem__(self, name: str) -> str:
        return f"{name.lower()}-value"

    def __iter__(self) -> Iterator[str]:
        return iter(())

    def __len__(self) -> int:
        return 0


def read(data: Any) -> Environment:
    return environment_from_mapping(data, env=EveryVariable(), default_name="reference")


def refused(data: Any) -> EnvironmentFileError:
    with pytest.raises(EnvironmentFileError) as info:
        read(data)
    return info.value


def file_name(key: Key) -> str:
    """The name a file gives ``key``: its own, or for a ``<…>`` key its first allowed name."""
    if not key.is_placeholder:
        return key.name
    return key.names[0] if key.names else AN_API


def dotted(path: str) -> str:
    """A schema path as a file's dotted key (``users.<role>.email`` → ``users.admin.email``)."""
    parts, section = [], ""
    for part in path.split("."):
        key = schema.key(schema.join_path(section, part))
        parts.append(file_name(key))
        section = key.path
    return ".".join(parts)


def required_part(section: str) -> dict[str, Any]:
    """The required keys of ``section``, each at its example (a required section with its own)."""
    return {
        file_name(key): required_part(key.path) if key.kind == "mapping" else key.example
        for key in schema.children(section)
        if key.required
    }


def smallest() -> dict[str, Any]:
    """The smallest file the schema allows: its required keys, each at its example."""
    return required_part("")


def with_key(path: str, value: Any) -> dict[str, Any]:
    """:func:`smallest` with schema ``path`` set to ``value``; every section on the way is created
    with its required keys at their examples."""
    data = smallest()
    node, section = data, ""
    parts = path.split(".")
    for depth, part in enumerate(parts):
        key = schema.key(schema.join_path(section, part))
        if depth == len(parts) - 1:
            node[file_name(key)] = value
        else:
            node = node.setdefault(file_name(key), required_part(key.path))
        section = key.path
    return data


def ids(keys: list[Key]) -> list[str]:
    return [key.path for key in keys]


# --------------------------------------------------------------------------------------------
# The page


def test_the_committed_page_is_the_render_of_the_schema() -> None:
    committed = PAGE.read_text(encoding="utf-8").splitlines()
    rendered = render().splitlines()
    if committed != rendered:
        line = next(
            (i for i, (a, b) in enumerate(zip(committed, rendered, strict=False)) if a != b),
            min(len(committed), len(rendered)),
        )
        pytest.fail(
            f"docs/environment.md is not the render of environment/schema.py (first difference at line {line + 1}):"
            f" run `{COMMAND}` and commit it"
        )


def test_the_module_writes_the_page_to_stdout_and_refuses_arguments(tmp_path: Path) -> None:
    module = [sys.executable, "-m", "webex_harness.environment.reference"]
    done = subprocess.run(module, cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert (done.returncode, done.stdout, done.stderr) == (0, render(), "")
    wrong = subprocess.run([*module, "--out"], cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False)
    assert wrong.returncode == 2 and wrong.stdout == ""
    assert wrong.stderr.count("\n") == 1 and "takes no arguments, got '--out'" in wrong.stderr


def test_the_page_has_a_row_for_every_key() -> None:
    page = render()
    for key in KEYS:
        assert f"| `{key.path}` |" in page or f"### `{key.path}`" in page, key.path


def test_every_key_says_what_it_is() -> None:
    assert [key.path for key in KEYS if not key.doc] == []
    assert set(schema.SETTING_DOCS) == set(SiteSettings.names())


def test_the_compare_defaults_the_page_names_are_compares_own() -> None:
    from webex_harness.runs.compare import DEFAULT_LIMITS

    for name in LIMIT_KEYS:
        text = schema.key(f"load.compare.{name}").default_text
        assert text.startswith(plain_number(getattr(DEFAULT_LIMITS, name)) + " "), (name, text)


# --------------------------------------------------------------------------------------------
# The schema is the loader's truth


def test_the_required_keys_at_their_examples_make_a_file() -> None:
    env = read(smallest())
    assert (env.target, env.site_name, env.credentials.webex_id) == ("emulator", "acme", "qa-host")


WITH_DEFAULT = [key for key in KEYS if key.default is not None]


@pytest.mark.parametrize("key", WITH_DEFAULT, ids=ids(WITH_DEFAULT))
def test_a_key_left_out_takes_the_schemas_default(key: Key) -> None:
    assert read(with_key(key.path, key.default)) == read(smallest())


WITH_EXAMPLE = [key for key in KEYS if key.example is not None]


@pytest.mark.parametrize("key", WITH_EXAMPLE, ids=ids(WITH_EXAMPLE))
def test_a_key_given_its_example_is_read(key: Key) -> None:
    read(with_key(key.path, key.example))


def other_than_default(key: Key) -> Any:
    """A valid value of ``key`` that is not its default: its example, else one derived from the default."""
    if key.example is not None and key.example != key.default:
        return key.example
    if key.kind == "boolean":
        return not key.default
    if key.kind in ("integer", "number"):
        return key.default + 1
    if key.kind == "list of integers":
        return [*key.default, 170]
    if key.kind == "list of choices":
        return [*key.default, key.allowed[0]]
    raise AssertionError(f"{key.path}: the schema needs an example other than its default")


#: every key a file may leave out, but the sections that only hold other keys
OPTIONAL_VALUES = [key for key in KEYS if not key.required and not (key.kind == "mapping" and key.default is None)]


@pytest.mark.parametrize("key", OPTIONAL_VALUES, ids=ids(OPTIONAL_VALUES))
def test_a_key_given_another_value_than_its_default_changes_the_environment(key: Key) -> None:
    value = other_than_default(key)
    assert read(with_key(key.path, value)) != read(smallest()), f"{key.path}: {value!r} changed nothing"


#: A value of the wrong type for each kind.
WRONG: dict[str, Any] = {
    "mapping": [1],
    "string": ["text"],
    "choice": "nonsense",
    "boolean": "yes",
    "integer": "ten",
    "number": "soon",
    "list of integers": 169,
    "list of choices": "xml-content-type",
    "weight": -1,
    "ratio": 2,
    "limit": "fast",
    "fraction": "lots",
}


def test_every_kind_has_a_wrong_value() -> None:
    assert set(WRONG) == set(schema.KINDS)


@pytest.mark.parametrize("key", KEYS, ids=ids(list(KEYS)))
def test_a_value_of_the_wrong_kind_is_refused_naming_the_key(key: Key) -> None:
    error = refused(with_key(key.path, WRONG[key.kind]))
    assert error.key == dotted(key.path), str(error)


def closed_sections() -> list[str]:
    """Every section with a fixed list of names (all but ``load.calls``, whose APIs are checked later)."""
    sections = [""] + [key.path for key in KEYS if key.kind == "mapping"]
    return [s for s in sections if not any(k.is_placeholder and k.names is None for k in schema.children(s))]


@pytest.mark.parametrize("section", closed_sections())
def test_a_section_refuses_a_name_the_schema_does_not_give_it(section: str) -> None:
    data = with_key(section, {**required_part(section), "not_a_key": 1}) if section else {**smallest(), "not_a_key": 1}
    error = refused(data)
    assert error.key == schema.join_path(dotted(section) if section else "", "not_a_key")
    assert ", ".join(schema.names(section)) in error.problem


def test_only_load_calls_takes_any_name() -> None:
    assert [s for s in [key.path for key in KEYS if key.kind == "mapping"] if s not in closed_sections()] == [
        "load.calls"
    ]


# --------------------------------------------------------------------------------------------
# Every key the shipped files and the tests use is in the schema


def dotted_keys(data: Mapping[str, Any], section: str = "") -> Iterator[tuple[str, Key | None]]:
    """Every dotted key of a parsed file with the schema's key for it (``None``: not in the schema)."""
    for name, value in data.items():
        path = schema.join_path(section, str(name))
        found = schema.find(path)
        yield path, found
        if found is not None and found.kind == "mapping" and isinstance(value, Mapping):
            yield from dotted_keys(value, path)


_COMMENTED_KEY = re.compile(r"^(\s*)# (\w+:)", re.MULTILINE)


@pytest.mark.parametrize("name", ["emulator.yaml", "site.example.yaml"])
def test_every_key_of_a_shipped_file_is_in_the_schema(name: str, tmp_path: Path) -> None:
    text = (ROOT / "environments" / name).read_text(encoding="utf-8")
    uncommented = _COMMENTED_KEY.sub(r"\1\2", text)  # the keys the file shows commented out, too
    assert [path for path, key in dotted_keys(yaml.safe_load(uncommented)) if key is None] == []
    (tmp_path / name).write_text(uncommented, encoding="utf-8")
    load_environment(tmp_path / name, EveryVariable())


def written_environments() -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, mapping) of every whole environment the tests and contract suites spell out: a YAML
    text or a dict literal whose ``target`` is ``emulator`` or ``site``."""
    for path in sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "contracts").rglob("*.py")]):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            data: Any = None
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "target:" in node.value:
                try:
                    data = yaml.safe_load(textwrap.dedent(node.value))
                except yaml.YAMLError:
                    continue
            elif isinstance(node, ast.Dict) and any(
                isinstance(k, ast.Constant) and k.value == "target" for k in node.keys
            ):
                try:
                    data = ast.literal_eval(node)
                except ValueError:
                    continue
            if isinstance(data, dict) and data.get("target") in ("emulator", "site"):
                yield f"{path.relative_to(ROOT)}:{node.lineno}", data


def test_every_key_of_an_environment_the_tests_write_is_in_the_schema_or_refused() -> None:
    found = list(written_environments())
    assert len(found) >= 10, found
    for where, data in found:
        unknown = [path for path, key in dotted_keys(data) if key is None]
        if unknown:  # a test of the refusal itself: the loader must refuse the first such key
            assert refused(data).key in unknown, where
