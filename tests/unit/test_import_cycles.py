"""No import circle in orchestration/: between modules, or between its packages (orchestration.X).

Every `import` and `from ... import` of every module is read with `ast`, function-level imports
included (they hide a circle, they do not remove it). A package's own `__init__` importing its
modules is not a circle: importing `a.b` runs `a/__init__` first, which is Python's, not an edge."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "orchestration"


# circles known and owned elsewhere, each named with where it is; the main tests leave them out and
# `test_a_known_circle_is_gone` fails (strict xfail) once one is broken, so its entry gets removed
def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    """The orchestration module `name` is, or the package holding it (an imported attribute)."""
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str, path: Path) -> list[tuple[str, int]]:
    """(imported orchestration module, line) for every import in the module, at any depth."""
    is_package = path.name == "__init__.py"
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = module.split(".") if is_package else module.split(".")[:-1]
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for target in dict.fromkeys(targets):
            if target.split(".")[0] != "orchestration":
                continue
            resolved = _resolve(target)
            if resolved and resolved != module and not module.startswith(resolved + "."):
                found.append((resolved, node.lineno))
    return found


def _edges() -> dict[str, dict[str, list[str]]]:
    """module -> imported module -> ["path:line", ...]"""
    edges: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for module, path in MODULES.items():
        for target, line in _imports(module, path):
            edges[module][target].append(f"{path.relative_to(ROOT)}:{line}")
    return edges


def _unit(module: str) -> str:
    """The package a module belongs to: orchestration.X (a subpackage, or a top-level module)."""
    return ".".join(module.split(".")[:2])


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return out


def _describe(component: list[str], edges: dict[str, dict[str, list[str]]], unit_of) -> str:
    members = set(component)
    lines = [" <-> ".join(component)]
    for module in sorted(edges):
        for target, where in sorted(edges[module].items()):
            if unit_of(module) in members and unit_of(target) in members and unit_of(module) != unit_of(target):
                lines.append(f"    {module} -> {target} ({', '.join(sorted(set(where)))})")
    return "\n".join(lines)


def test_no_circle_between_modules():
    edges = _edges()
    graph = {m: set(targets) for m, targets in edges.items()}
    circles = _circles(graph)
    assert not circles, "import circles between modules:\n" + "\n".join(
        _describe(c, edges, lambda m: m) for c in circles
    )


def test_no_circle_between_packages():
    edges = _edges()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, targets in edges.items():
        for target in dict.fromkeys(targets):
            if _unit(module) != _unit(target):
                graph[_unit(module)].add(_unit(target))
    circles = _circles(graph)
    assert not circles, "import circles between packages of orchestration/:\n" + "\n".join(
        _describe(c, edges, _unit) for c in circles
    )


def test_the_walk_sees_function_level_imports():
    """The walk finds an import written inside a function (the kind that hid quality's circle)."""
    imports = dict(_imports("orchestration.defs.quality.checks", MODULES["orchestration.defs.quality.checks"]))
    assert "orchestration.defs.transform.layers" in imports


if __name__ == "__main__":  # pragma: no cover
    pytest.main([__file__, "-q"])
