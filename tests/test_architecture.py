"""The package's import graph, read from the source: no cycles, and dependencies point down the pipeline.

Every ``import`` counts, at module level or inside a function; only ``if TYPE_CHECKING:`` blocks
(type hints, never executed) are left out.
"""

from __future__ import annotations

import ast
import functools
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "stability"

#: Pipeline order: a module may import from its own layer or a layer to its left.
LAYERS = ["errors", "verdicts", "timeout", "_version", "model", "dynamics", "theory", "numerics", "render", "analysis"]
TOP = {"__init__", "__main__", "plotting", "optimizers", "report", "maps", "cli"}  # the public faces, above everything


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(path: Path, modules: set[str]) -> set[str]:
    name = _module_name(path)
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()

    def resolve(target: str) -> str | None:
        while target and target not in modules:
            target = target.rsplit(".", 1)[0] if "." in target else ""
        return target or None

    def visit(node):
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("stability"):
                    found.add(resolve(alias.name))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("stability"):
                for alias in node.names:
                    sub = f"{target}.{alias.name}"
                    found.add(resolve(sub) if sub in modules else resolve(target))
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(ast.parse(path.read_text()))
    found.discard(None)
    found.discard(name)
    return found


@functools.cache
def _graph() -> dict[str, set[str]]:
    paths = sorted(ROOT.rglob("*.py"))
    modules = {_module_name(p) for p in paths}
    return {_module_name(p): _imports(p, modules) for p in paths}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if len(parts) == 1:
        return None  # the package itself
    head = parts[1]
    if head in TOP:
        return len(LAYERS)
    return LAYERS.index(head) if head in LAYERS else None


def _find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def dfs(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt) :] + [nxt]
            if state.get(nxt) is None:
                found = dfs(nxt)
                if found:
                    return found
        state[node] = 2
        stack.pop()
        return None

    for node in sorted(graph):
        if state.get(node) is None:
            found = dfs(node)
            if found:
                return found
    return None


def test_the_graph_sees_function_level_imports():
    """The reader is not blind: a function-level import in a probe source is an edge."""
    graph = _graph()
    assert "stability.analysis" in graph["stability.cli._common"] or "stability.analysis" in graph["stability.cli"]
    assert _find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _find_cycle({"a": {"b"}, "b": set()}) is None


def test_no_import_cycles():
    cycle = _find_cycle(_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


@pytest.mark.parametrize("module", sorted(_graph()))
def test_dependencies_point_down_the_pipeline(module):
    own = _layer(module)
    if own is None:
        return
    upward = sorted(m for m in _graph()[module] if (_layer(m) or 0) > own)
    assert not upward, f"{module} (layer {LAYERS[own] if own < len(LAYERS) else 'top'}) imports {upward}"
