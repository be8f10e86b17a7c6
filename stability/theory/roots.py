"""Where the roots of a real polynomial lie, decided exactly from its coefficients.

Two questions decide every linear stability verdict: for a flow, are the eigenvalues in the open
left half-plane; for a map, in the open unit disc. The Cayley transform ``z = (1 + w)/(1 - w)``
turns the second into the first (the unit circle becomes the imaginary axis and ``z = -1`` the
point at infinity), so one exact procedure serves both:

1. ``g = gcd(q(s), q(-s))`` collects every root ``s`` whose mirror ``-s`` is also a root; all
   roots on the imaginary axis are among them. Writing ``g = s^e h(s^2)``, the roots of ``g`` are
   on the axis exactly when every root of ``h`` is real and ``<= 0`` (Sturm counting).
2. ``r = q / g`` has no root on the axis, so it is Hurwitz (all roots left) or has a root on the
   right, decided by the Routh-Hurwitz determinants.

All arithmetic is exact (rational or algebraic coefficients); no floating-point sign is used.

>>> import sympy as sp
>>> s = sp.Symbol("s")
>>> half_plane(sp.Poly(s**2 + 1, s)), half_plane(sp.Poly(s**2 + s + 1, s)), half_plane(sp.Poly(s**2 - 1, s))
('boundary', 'inside', 'outside')
>>> z = sp.Symbol("z")
>>> unit_disc(sp.Poly(z**2 - sp.Rational(3, 2) * z + 1, z))
'boundary'
"""

from __future__ import annotations

import sympy as sp

__all__ = ["hurwitz_determinants", "cayley", "half_plane", "unit_disc", "real_root_count", "INSIDE", "BOUNDARY"]

INSIDE, BOUNDARY, OUTSIDE = "inside", "boundary", "outside"
_S = sp.Dummy("s")


def hurwitz_determinants(coeffs: list) -> list:
    """The Hurwitz determinants ``Delta_1..Delta_n`` of ``a_0 s^n + a_1 s^(n-1) + ... + a_n``.

    With ``a_0 > 0`` every root has negative real part iff every ``Delta_k > 0`` (Routh-Hurwitz).

    >>> hurwitz_determinants([1, 3, 3, 1])  # (s + 1)^3
    [3, 8, 8]
    """
    n = len(coeffs) - 1

    def a(i):
        return coeffs[i] if 0 <= i <= n else 0

    out = []
    for k in range(1, n + 1):
        m = sp.Matrix(k, k, lambda i, j: a(2 * j - i + 1))
        out.append(sp.expand(m.det(method="berkowitz")))
    return out


def cayley(p: sp.Poly) -> sp.Poly:
    """``(1 - w)^n p((1 + w)/(1 - w))``: roots in the unit disc become roots in the left half-plane."""
    n = p.degree()
    w = _S
    expr = sp.expand(sum(c * (1 + w) ** k * (1 - w) ** (n - k) for (k,), c in p.terms()))
    return sp.Poly(expr, w)


def _reflect(q: sp.Poly) -> sp.Poly:
    return sp.Poly(q.as_expr().subs(q.gen, -q.gen), q.gen, domain=q.domain)


def real_root_count(h: sp.Poly, lo=None, hi=None) -> int:
    """The number of distinct real roots of ``h`` in ``[lo, hi]`` (Sturm; ``None`` is unbounded)."""
    h = sp.Poly(sp.quo(h, sp.gcd(h, h.diff())), h.gen)
    return h.count_roots(lo, hi)


def _hurwitz(r: sp.Poly) -> bool:
    coeffs = r.all_coeffs()
    if coeffs[0] < 0:
        coeffs = [-c for c in coeffs]
    if r.degree() == 0:
        return True
    if any(c <= 0 for c in coeffs):  # a necessary condition, and it keeps the determinants small
        return False
    return all(d > 0 for d in hurwitz_determinants(coeffs))


def _axis_ok(g: sp.Poly) -> bool:
    """True if every root of the mirror-symmetric ``g`` lies on the imaginary axis."""
    if g.degree() <= 0:
        return True
    coeffs = g.all_coeffs()[::-1]  # c_0, c_1, ...
    while coeffs and coeffs[0] == 0:  # roots at 0 are on the axis
        coeffs = coeffs[1:]
    if any(c != 0 for c in coeffs[1::2]):  # not even after removing s^e: cannot happen for a mirror pair set
        return False
    y = sp.Dummy("y")
    h = sp.Poly(sum(c * y**k for k, c in enumerate(coeffs[::2])), y)
    if h.degree() <= 0:
        return True
    distinct = sp.Poly(sp.quo(h, sp.gcd(h, h.diff())), y)
    return real_root_count(distinct, None, 0) == distinct.degree()


def half_plane(q: sp.Poly) -> str:
    """Where the roots of the real polynomial ``q`` lie: "inside" the open left half-plane, "boundary"
    (none to the right, some on the imaginary axis) or "outside" (some to the right).
    """
    if q.degree() <= 0:
        return INSIDE
    g = sp.gcd(q, _reflect(q))
    r = sp.Poly(sp.quo(q, g), q.gen)
    if not _hurwitz(r) or not _axis_ok(g):
        return OUTSIDE
    return INSIDE if g.degree() == 0 else BOUNDARY


def unit_disc(p: sp.Poly) -> str:
    """Where the roots of the real polynomial ``p`` lie relative to the unit circle: "inside" the open
    disc, "boundary" (none outside, some on the circle) or "outside" (some outside).
    """
    n = p.degree()
    if n <= 0:
        return INSIDE
    q = cayley(p)
    if q.is_zero:  # p is a multiple of (z + 1)^n: every root at -1
        return BOUNDARY
    where = half_plane(q)
    if q.degree() < n and where == INSIDE:  # roots at z = -1 went to infinity: on the circle
        return BOUNDARY
    return where
