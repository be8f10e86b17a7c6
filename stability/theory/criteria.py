"""Stability criteria of the two time domains, and exact regions in one symbolic parameter.

A :class:`Criterion` says where the eigenvalues of a stable linearisation lie: the open left
half-plane for a flow (Hurwitz) or the open unit disc for a map (Schur). Both are decided from the
characteristic polynomial with exact arithmetic (:mod:`stability.theory.roots`); for a map, the
Schur-Cohn/Jury conditions are the Routh-Hurwitz conditions of the Cayley transform
``z = (1 + w)/(1 - w)``.

With one symbolic parameter, :func:`regions` splits its domain at the *critical values* where a
root can reach the boundary (zeros of the polynomials below) and classifies each piece exactly at a
rational sample point: between two consecutive critical values no root crosses the boundary, so the
verdict is constant there.

>>> import sympy as sp
>>> h, z = sp.Symbol("h", positive=True), sp.Symbol("z")
>>> p = z**2 - (2 - h**2 / 4) * z + 1  # alternating GD on the bilinear game x' = -y/2, y' = x/2
>>> r = regions(p, z, h, SCHUR)
>>> [(str(c), str(cls)) for c, cls in r.pieces]
[('h < 4', 'boundary'), ('h > 4', 'outside'), ('Eq(h, 4)', 'boundary')]
>>> [(b.value, str(b.crossing)) for b in r.boundaries]
[(4, 'flip')]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ..timeout import TimeLimitExceeded, time_limit
from ..verdicts import Crossing, TimeDomain
from .roots import BOUNDARY, INSIDE, cayley, half_plane, hurwitz_determinants, unit_disc

__all__ = [
    "Criterion",
    "HURWITZ",
    "SCHUR",
    "criterion_for",
    "Boundary",
    "Regions",
    "regions",
    "stable_conditions",
    "critical_polys",
    "rational_between",
]

#: Seconds allowed for finding the critical values of one parameter.
REGION_SECONDS = 20


@dataclass(frozen=True)
class Criterion:
    """Where a stable linearisation's eigenvalues lie, and how that is decided."""

    time_domain: TimeDomain
    name: str
    statement: str
    locate: Callable[[sp.Poly], str]  # "inside" / "boundary" / "outside"

    def to_half_plane(self, p: sp.Poly) -> sp.Poly:
        """The polynomial whose Hurwitz stability is this criterion's stability."""
        return p if self.time_domain is TimeDomain.CONTINUOUS else cayley(p)


HURWITZ = Criterion(TimeDomain.CONTINUOUS, "Hurwitz", "every eigenvalue has Re(lambda) < 0", half_plane)
SCHUR = Criterion(TimeDomain.DISCRETE, "Schur", "every eigenvalue has |lambda| < 1", unit_disc)


def criterion_for(time_domain: TimeDomain) -> Criterion:
    return HURWITZ if time_domain is TimeDomain.CONTINUOUS else SCHUR


def stable_conditions(p: sp.Poly, criterion: Criterion) -> sp.Boolean:
    """The exact conditions for stability as relations in the coefficients' symbols.

    Routh-Hurwitz on ``criterion.to_half_plane(p)``: every coefficient has the sign of the leading
    one and every Hurwitz determinant, normalised by it, is positive.
    """
    q = criterion.to_half_plane(p)
    coeffs = [sp.expand(c) for c in q.all_coeffs()]
    lead = coeffs[0]
    conds = [sp.expand(lead * c) > 0 for c in coeffs[1:]]
    conds += [sp.expand(d * lead ** (k + 1)) > 0 for k, d in enumerate(hurwitz_determinants(coeffs))]
    if criterion.time_domain is TimeDomain.DISCRETE:
        conds.append(sp.Ne(lead, 0))
    return sp.And(*conds)


@dataclass(frozen=True)
class Boundary:
    """A parameter value where the spectrum reaches the stability boundary, and how."""

    value: sp.Expr
    crossing: Crossing | None

    def __repr__(self) -> str:
        return f"Boundary({self.value}, {self.crossing})"


@dataclass(frozen=True)
class Regions:
    """The domain of one parameter split into pieces with one root location each."""

    symbol: sp.Symbol
    pieces: tuple[tuple[sp.Boolean, str], ...]  # (condition, "inside"/"boundary"/"outside")
    boundaries: tuple[Boundary, ...]

    def condition(self, where: str) -> sp.Boolean:
        """The condition under which the roots are ``where`` (``sp.false`` if never), as simple intervals."""
        parts = [c for c, w in self.pieces if w == where]
        if not parts:
            return sp.false
        cond = sp.Or(*parts)
        try:
            lo, hi, closed = _domain(self.symbol)
            domain = sp.Interval(lo, hi, left_open=not closed, right_open=True)
            return (cond.as_set() & domain).as_relational(self.symbol)
        except (NotImplementedError, TypeError, ValueError):
            return cond


def _domain(symbol: sp.Symbol) -> tuple[sp.Expr, sp.Expr, bool]:
    """``(lo, hi, lo_included)`` of the symbol's declared domain."""
    if symbol.is_positive:
        return sp.S.Zero, sp.oo, False
    if symbol.is_nonnegative:
        return sp.S.Zero, sp.oo, True
    if symbol.is_negative:
        return -sp.oo, sp.S.Zero, False
    return -sp.oo, sp.oo, False


def critical_polys(p: sp.Poly, criterion: Criterion, symbol: sp.Symbol) -> list[sp.Expr]:
    """Polynomials in ``symbol`` outside whose zeros no root of ``p`` can reach the boundary."""
    x = p.gen
    sqf = sp.Poly(sp.quo(p, sp.gcd(p, p.diff(x))), x)
    q = criterion.to_half_plane(sqf)
    s = q.gen
    mirror = sp.Poly(q.as_expr().subs(s, -s), s)
    g = sp.gcd(q, mirror)
    r = sp.Poly(sp.quo(q, g), s)
    out = [r.LC(), r.TC()]
    if r.degree() >= 2:
        out.append(hurwitz_determinants(r.all_coeffs())[-2])
    if g.degree() > 0:
        coeffs = g.all_coeffs()[::-1]
        while coeffs and coeffs[0] == 0:
            coeffs = coeffs[1:]
        y = sp.Dummy("y")
        h = sp.Poly(sum(c * y**k for k, c in enumerate(coeffs[::2])), y)
        out += [h.LC(), h.TC()]
        if h.degree() >= 2:
            out.append(sp.discriminant(h.as_expr(), y))
    if criterion.time_domain is TimeDomain.DISCRETE:
        out += [p.as_expr().subs(x, 1), p.as_expr().subs(x, -1)]
    return [sp.expand(e) for e in out]


def _real_zeros(exprs, symbol, lo, hi) -> list[sp.Expr]:
    zeros = set()
    for e in exprs:
        num = sp.numer(sp.together(e))
        if num.free_symbols != {symbol}:
            continue  # constant in the parameter: never zero, or identically zero (handled by the gcd split)
        for root in sp.Poly(num, symbol).real_roots():
            if (lo == -sp.oo or root > lo) and (hi == sp.oo or root < hi):
                zeros.add(root)
    return sorted(zeros, key=lambda v: sp.N(v, 30))


def rational_between(a, b) -> sp.Rational:
    """A rational strictly between the real numbers ``a < b`` (either may be infinite)."""
    if a == -sp.oo and b == sp.oo:
        return sp.S.Zero
    if a == -sp.oo:
        return sp.floor(sp.N(b, 30)) - 1
    if b == sp.oo:
        return sp.floor(sp.N(a, 30)) + 1
    return sp.Rational(str(sp.N((a + b) / 2, 40)))


def _crossing(p: sp.Poly, symbol, value, criterion) -> Crossing | None:
    expr = p.as_expr().subs(symbol, value)
    x = p.gen
    at = 0 if criterion.time_domain is TimeDomain.CONTINUOUS else 1
    if sp.simplify(expr.subs(x, at)) == 0:
        return Crossing.FOLD
    if criterion.time_domain is TimeDomain.DISCRETE:
        if sp.simplify(expr.subs(x, -1)) == 0:
            return Crossing.FLIP
        return Crossing.NEIMARK_SACKER
    return Crossing.HOPF


def _piece(symbol, a, b, a_closed=False) -> sp.Boolean:
    parts = []
    if a != -sp.oo:
        parts.append(symbol >= a if a_closed else symbol > a)
    if b != sp.oo:
        parts.append(symbol < b)
    return sp.And(*parts) if parts else sp.true


def _at_points(p: sp.Poly, symbol, values, criterion) -> list[tuple]:
    """The root location exactly at each critical value where it can be computed (rational values)."""
    out = []
    for v in values:
        if v.is_Rational:
            out.append((v, criterion.locate(sp.Poly(p.as_expr().subs(symbol, v), p.gen))))
    return out


def regions(expr: sp.Expr, x: sp.Symbol, symbol: sp.Symbol, criterion: Criterion) -> Regions | None:
    """The exact root location of the polynomial ``expr`` in ``x`` over the domain of ``symbol``.

    Returns None when the critical values cannot be found within ``REGION_SECONDS``.
    """
    p = sp.Poly(sp.numer(sp.together(expr)), x)
    lo, hi, lo_closed = _domain(symbol)
    try:
        with time_limit(REGION_SECONDS):
            zeros = _real_zeros(critical_polys(p, criterion, symbol), symbol, lo, hi)
            cuts = [lo, *zeros, hi]
            located = []
            for a, b in zip(cuts, cuts[1:]):
                sample = rational_between(a, b)
                located.append((a, b, criterion.locate(sp.Poly(p.as_expr().subs(symbol, sample), x))))
    except (TimeLimitExceeded, NotImplementedError, sp.PolynomialError, sp.polys.polyerrors.DomainError):
        return None
    merged: list[list] = []
    for a, b, where in located:
        if merged and merged[-1][2] == where:
            merged[-1][1] = b
        else:
            merged.append([a, b, where])
    pieces = tuple(
        (_piece(symbol, a, b, a_closed=(i == 0 and lo_closed)), where) for i, (a, b, where) in enumerate(merged)
    ) + tuple((sp.Eq(symbol, b), w) for b, w in _at_points(p, symbol, [b for (_, b, _w) in merged[:-1]], criterion))
    boundaries = tuple(Boundary(b, _crossing(p, symbol, b, criterion)) for (_, b, _w) in merged[:-1])
    return Regions(symbol, pieces, boundaries)


__all__ += ["INSIDE", "BOUNDARY"]
