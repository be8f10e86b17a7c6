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


TIGHT = {"method": "DOP853", "rtol": 1e-10, "atol": 1e-12}


def sigma(x):
    return 1.0 / (1.0 + np.exp(-x))


def by_hand(name: str, z: np.ndarray, lam: float | None = None, c: float = 1.0, l2: float = 0.0) -> np.ndarray:
    """The post's fields (MATH.md table) written out in NumPy, rows = states."""
    n = z.shape[1] // 2
    phi, theta = z[:, :n], z[:, n:]
    u = np.sum(phi * theta, axis=1, keepdims=True)
    nphi = np.linalg.norm(phi, axis=1, keepdims=True)
    ntheta = np.linalg.norm(theta, axis=1, keepdims=True)
    if name == "vanilla_ns":
        dphi, dtheta = -sigma(u) * theta, (1 - sigma(u)) * phi
    elif name == "vanilla_sat":
        dphi, dtheta = -sigma(u) * theta, sigma(u) * phi
    elif name == "wgan":
        dphi, dtheta = -theta / nphi + u * phi / nphi**3, phi / nphi
    elif name == "wgan_gp":
        lam = 0.1 if lam is None else lam
        dphi, dtheta = -theta - 2 * lam * (1 - c / nphi) * phi, phi
    else:  # gan_qp, eq. (19): divided by |theta|
        lam = 1.0 if lam is None else lam
        dphi, dtheta = -theta - u * theta / (lam * ntheta), phi
    return np.concatenate([dphi - 2 * l2 * phi, dtheta], axis=1)


def same_values(a, b, tol=1e-8) -> bool:
    """The two lists hold the same complex numbers with multiplicity, each within ``tol`` (greedy matching)."""
    rest = list(b)
    if len(rest) != len(a):
        return False
    for v in a:
        i = min(range(len(rest)), key=lambda k: abs(rest[k] - v))
        if abs(rest[i] - v) > tol * max(1.0, abs(v)):
            return False
        rest.pop(i)
    return True
