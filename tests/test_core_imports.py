"""A contracts-only install (``pip install webex-harness``, no ``load`` extra) has everything it imports:
every third-party module the package imports is a core dependency's, except in the modules that run
inside the locust subprocess, which alone may import locust and gevent (the ``load`` extra).

Read from the sources (as tests/test_layers.py reads them), against ``pyproject.toml``'s dependency
lists and the import names their installed distributions provide."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import PackageNotFoundError, packages_distributions, requires
from pathlib import Path

from tests.repo_layout import CODE_LAYERS, ROOT

#: the modules locust loads (its locustfiles and what only they import): the load extra is theirs
IN_THE_LOCUST_PROCESS = {
    "load/locustfile.py",
    "load/shapefile.py",
    "load/scenarios.py",
    "load/rest_tasks.py",
    "load/xml_user.py",
    "load/process_state.py",
}


def _requirement_names(requirements: list[str]) -> set[str]:
    names = set()
    for requirement in requirements:
        match = re.match(r"[A-Za-z0-9._-]+", requirement)
        assert match, requirement
        names.add(re.sub(r"[-_.]+", "-", match.group(0)).lower())
    return names - {"webex-harness"}


def _with_their_dependencies(distributions: set[str]) -> set[str]:
    """``distributions`` and everything they require (installed; not their extras)."""
    seen: set[str] = set()
    todo = list(distributions)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requirements = requires(name) or []
        except PackageNotFoundError:  # a platform's dependency (uvloop on Windows) not installed here
            continue
        todo += _requirement_names([r for r in requirements if "extra ==" not in r])
    return seen


def _import_names(distributions: set[str]) -> set[str]:
    """The top-level import names the installed ``distributions`` and their dependencies provide."""
    distributions = _with_their_dependencies(distributions)
    out = set()
    for module, dists in packages_distributions().items():
        if {re.sub(r"[-_.]+", "-", d).lower() for d in dists} & distributions:
            out.add(module)
    return out


def _third_party_imports(path: Path) -> dict[str, int]:
    """Top-level name → line of every absolute import in ``path`` outside the package and the standard
    library (``if TYPE_CHECKING:`` blocks left out: they never run)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            hidden |= {id(child) for statement in node.body for child in ast.walk(statement)}
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        for name in names:
            top = name.split(".")[0]
            if top != "webex_harness" and top not in sys.stdlib_module_names:
                found.setdefault(top, node.lineno)
    return found


def test_only_the_locust_process_imports_the_load_extra() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    core = _import_names(_requirement_names(project["dependencies"]))
    load = _import_names(_requirement_names(project["optional-dependencies"]["load"]))
    assert {"pytest", "httpx", "lxml", "yaml"} <= core and "locust" in load
    problems = []
    for layer in CODE_LAYERS:
        for path in sorted((ROOT / layer).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            allowed = core | load if relative in IN_THE_LOCUST_PROCESS else core
            for name, line in sorted(_third_party_imports(path).items()):
                if name == "gevent" and relative == "webex/lifeline.py":
                    continue  # only when gevent is already loaded (the locust process), in a try
                if name not in allowed:
                    problems.append(f"{relative}:{line} imports {name}")
    assert not problems, "imports a core install lacks:\n" + "\n".join(problems)
