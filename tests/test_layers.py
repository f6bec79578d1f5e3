"""The layers of docs/architecture.md hold: every import of a project module, at the top of a file
or inside a function, points to the module's own layer or one below it, never up; the emulator
stands on the Webex facts alone; the contract suites and the load scenarios never import each other;
and no two modules import each other in a circle. Every import names a layer through the one package,
``webex_harness.<layer>`` (the layer folders sit at the top of the repository; the package links them);
modules are named here by their layer (``webex.envelope``)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

#: bottom to top; a package may import its own layer and those before it
LAYERS: tuple[frozenset[str], ...] = (
    frozenset({"webex"}),
    frozenset({"environment"}),
    frozenset({"workspace"}),
    frozenset({"client", "generators", "emulator"}),
    frozenset({"plugin"}),
    frozenset({"contracts", "load"}),
    frozenset({"runs"}),
)
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}
#: packages of one layer that must not import each other, and what a package may import at most
ONLY = {
    "emulator": frozenset({"webex", "emulator"}),
    "generators": frozenset({"webex", "generators"}),
    "contracts": frozenset(RANK) - {"load", "runs"},
    "load": frozenset(RANK) - {"contracts", "runs"},
}


def _modules() -> dict[str, Path]:
    found = {}
    for package in RANK:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


MODULES = _modules()


def _type_only(tree: ast.Module) -> set[int]:
    """The ids of the import nodes under ``if TYPE_CHECKING:`` (for annotations only: never run)."""
    hidden: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            hidden |= {id(child) for statement in node.body for child in ast.walk(statement)}
    return hidden


PACKAGE = "webex_harness"


def _layer_name(module: str) -> str:
    """``webex_harness.webex.envelope`` → ``webex.envelope`` (the package root itself → ``""``)."""
    return "" if module == PACKAGE else module.removeprefix(PACKAGE + ".")


def _raw_imports(tree: ast.Module) -> list[tuple[int, str]]:
    """(line, module) of every absolute import of a file."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            out.append((node.lineno, node.module))
    return out


def _imports(name: str, path: Path, *, runtime_only: bool = False) -> set[str]:
    """The project modules ``path`` imports (``from a.b import c`` is ``a.b.c`` when that is a module);
    ``runtime_only``: not those under ``if TYPE_CHECKING:``."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    hidden = _type_only(tree) if runtime_only else set()
    out = set()
    for node in ast.walk(tree):
        if id(node) in hidden:
            continue
        if isinstance(node, ast.Import):
            out |= {_layer_name(alias.name) for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = _layer_name(node.module or "")
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            out.add(base)
            out |= {f"{base}.{alias.name}" for alias in node.names if f"{base}.{alias.name}" in MODULES}
    return {m for m in out if m.split(".")[0] in RANK}


GRAPH = {name: _imports(name, path) for name, path in MODULES.items()}
#: the imports that run: a layer rule holds for annotations too, a cycle is about what runs
RUNTIME_GRAPH = {name: _imports(name, path, runtime_only=True) for name, path in MODULES.items()}


def test_every_layer_package_is_found() -> None:
    assert {name.split(".")[0] for name in MODULES} == set(RANK)


def test_every_layer_is_a_subpackage_of_the_one_package() -> None:
    for layer in RANK:
        link = ROOT / PACKAGE / layer
        assert link.resolve() == (ROOT / layer).resolve(), f"{PACKAGE}/{layer} does not lead to {layer}/"


def test_every_import_of_a_layer_goes_through_the_one_package() -> None:
    """``import webex.envelope`` would load a second copy of the module beside
    ``webex_harness.webex.envelope`` (and fails once installed): every file of the repository names the
    package."""
    files = [p for layer in RANK for p in (ROOT / layer).rglob("*.py")]
    files += [*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py"), ROOT / "conftest.py"]
    bare = [
        f"{path.relative_to(ROOT)}:{line}: {module}"
        for path in files
        for line, module in _raw_imports(ast.parse(path.read_text(encoding="utf-8")))
        if module.split(".")[0] in RANK
    ]
    assert not bare, "\n".join(bare)


@pytest.mark.parametrize("package", sorted(RANK))
def test_no_import_points_up(package: str) -> None:
    upward = []
    for name, imported in GRAPH.items():
        if name.split(".")[0] != package:
            continue
        for target in sorted(imported):
            top = target.split(".")[0]
            if (
                RANK[top] > RANK[package]
                or (package in ONLY and top not in ONLY[package])
                or (RANK[top] == RANK[package] and top != package and package not in ONLY)
            ):
                upward.append(f"{name} imports {target}")
    assert not upward, "\n".join(upward)


def _cycles() -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), over the imports that run."""
    edges = {name: {t for t in imported if t in MODULES and t != name} for name, imported in RUNTIME_GRAPH.items()}
    # an import of a package's submodule also runs the package's __init__; a package importing its own
    # submodules is not a cycle by itself, so edges from a package to its own children are dropped
    for name in edges:
        edges[name] = {t for t in edges[name] if not t.startswith(name + ".")}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle() -> None:
    assert _cycles() == []
