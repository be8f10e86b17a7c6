"""Said once, read from the source: one sigmoid-to-tanh rule, one timer, no records filtered through dicts.

Each check parses the package's code (docstrings and comments are not code) and fails on a second copy.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1] / "stability"


def _trees():
    for path in sorted(ROOT.rglob("*.py")):
        yield path.relative_to(ROOT.parent).as_posix(), ast.parse(path.read_text())


def _name(node) -> str:
    return node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""


def _is_half(node) -> bool:
    """``x / 2`` or ``0.5 * x`` / ``x * 0.5``: the argument of a tanh that rewrites a sigmoid."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        return isinstance(node.right, ast.Constant) and node.right.value == 2
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return any(isinstance(side, ast.Constant) and side.value == 0.5 for side in (node.left, node.right))
    return False


def test_one_symbolic_sigmoid_to_tanh_rewrite():
    found = set()
    for path, tree in _trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _name(node.func) == "tanh" and node.args and _is_half(node.args[0]):
                found.add(path)
            if isinstance(node, ast.Call) and _name(node.func) == "replace" and node.args:
                assert _name(node.args[0]) != "sigmoid", f"{path}: a sigmoid replaced by hand"
    # sigmoid._eval_rewrite_as_tanh and the overflow-free NumPy sigmoid, both in model/functions.py
    assert found == {"stability/model/functions.py"}


def test_one_timer():
    users = {
        path
        for path, tree in _trees()
        for node in ast.walk(tree)
        if isinstance(node, ast.Attribute) and node.attr in ("SIGALRM", "setitimer", "alarm")
    }
    assert users == {"stability/timeout.py"}


def test_no_theory_record_is_built_from_a_filtered_dict():
    for path, tree in _trees():
        if not path.startswith("stability/theory/"):
            continue
        for node in ast.walk(tree):
            assert not (isinstance(node, ast.Attribute) and node.attr == "__dataclass_fields__"), path
