"""Hand-derived reference values shared by the tests (independent of the library's engine)."""

from __future__ import annotations

import numpy as np
import sympy as sp


def kron_block(block, n: int) -> sp.Matrix:
    """[[a I, b I], [c I, d I]] written out entry by entry."""
    (a, b), (c, d) = block
    m = sp.zeros(2 * n, 2 * n)
    for i in range(n):
        m[i, i], m[i, n + i], m[n + i, i], m[n + i, n + i] = a, b, c, d
    return m


def numeric_jacobian(field, state, point, h=1e-6):
    """Central finite differences of a SymPy field, evaluated with mpmath-free float arithmetic."""
    f = sp.lambdify(state, list(field), modules=[{"sigmoid": lambda x: 1 / (1 + np.exp(-x))}, "numpy"])
    point = np.asarray(point, dtype=float)
    cols = []
    for j in range(len(point)):
        e = np.zeros_like(point)
        e[j] = h
        cols.append((np.array(f(*(point + e)), dtype=float) - np.array(f(*(point - e)), dtype=float)) / (2 * h))
    return np.array(cols).T


def symbolic_equal(a, b) -> bool:
    """Exact equality, proved by simplification of the difference."""
    return sp.simplify(sp.sympify(a) - sp.sympify(b)).is_zero is True
