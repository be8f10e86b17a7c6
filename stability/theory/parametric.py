"""A flow's verdict over the domain of one symbolic parameter, exactly, from the characteristic polynomials.

The verdict can only change where a root of some block's polynomial crosses the imaginary axis,
reaches 0 or collides with another root: at the real zeros of the *critical polynomials* of
:mod:`stability.theory.criteria` (leading and constant coefficients, the last-but-one Hurwitz
determinant of the part off the axis, the discriminant of the part on it) and of the discriminant
(where roots turn from real to complex). Between consecutive zeros the verdict is constant; it is
decided exactly at a rational sample point of each interval and at each zero itself (rational
zeros exactly, irrational ones with algebraic arithmetic where that finishes in time; a zero
that cannot be decided is left out of every condition, never guessed).

>>> import sympy as sp
>>> k, s = sp.Symbol("k", real=True), sp.Symbol("s")
>>> for where, verdict, detail in pieces([sp.Poly(s**2 + 2 * k * s + 1, s)], k):
...     print(where, verdict, detail)
Interval.open(-oo, -1) unstable source
Interval.open(-1, 0) unstable source
Interval.open(0, 1) stable focus
Interval.open(1, oo) stable node
{-1} unstable source
{0} center center
{1} stable node
"""

from __future__ import annotations

import sympy as sp
from sympy.polys.polyerrors import BasePolynomialError

from ..timeout import TimeLimitExceeded, time_limit
from ..verdicts import Classification, Detail
from .charpoly import RootFacts, UnprovedSign, flow_verdict, is_rational, numeric_facts, root_facts
from .criteria import HURWITZ, critical_polys, rational_between

__all__ = ["domain_of", "pieces", "POINT_SECONDS"]

#: Seconds for the exact verdict at one irrational critical value (algebraic arithmetic).
POINT_SECONDS = 5


def domain_of(symbol: sp.Symbol) -> sp.Interval:
    """The declared domain of a real symbol as an interval."""
    if symbol.is_positive:
        return sp.Interval.open(0, sp.oo)
    if symbol.is_nonnegative:
        return sp.Interval(0, sp.oo)
    if symbol.is_negative:
        return sp.Interval.open(-sp.oo, 0)
    if symbol.is_nonpositive:
        return sp.Interval(-sp.oo, 0)
    return sp.Interval(-sp.oo, sp.oo)


def _critical(p: sp.Poly, symbol) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """``(where the root location can change, where real roots can turn complex)``."""
    if symbol not in p.free_symbols:
        return [], []
    return critical_polys(p, HURWITZ, symbol) + [p.TC(), p.LC()], [sp.discriminant(p.as_expr(), p.gen)]


def _zeros(exprs, symbol, domain: sp.Interval) -> list | None:
    """The distinct real zeros strictly inside ``domain``, sorted; None if an expression is not polynomial."""
    lo, hi = domain.start, domain.end
    found = set()
    for e in exprs:
        num = sp.numer(sp.together(sp.expand(e)))
        if symbol not in num.free_symbols:
            continue
        if num.free_symbols != {symbol}:
            return None
        try:
            poly = sp.Poly(num, symbol)
        except BasePolynomialError:
            return None
        if not poly.domain.is_Numerical:
            return None
        for r in poly.real_roots():
            if (lo == -sp.oo or r > lo) and (hi == sp.oo or r < hi):
                found.add(r)
    return sorted(found, key=lambda v: sp.N(v, 30))


def _facts_at(polys, symbol, value) -> list[RootFacts] | None:
    out = []
    for p in polys:
        q = sp.Poly(p.as_expr().subs(symbol, value), p.gen)
        if is_rational(q):
            out.append(root_facts(q))
            continue
        try:
            with time_limit(POINT_SECONDS):
                out.append(numeric_facts(q, POINT_SECONDS))
        except (TimeLimitExceeded, UnprovedSign, NotImplementedError, TypeError, ValueError, BasePolynomialError):
            return None
    return out


def pieces(polys: list[sp.Poly], symbol: sp.Symbol) -> list[tuple[sp.Set, Classification, Detail | None]] | None:
    """``(set, verdict, detail)`` over the domain of ``symbol`` for the spectrum made of the roots of ``polys``.

    Points where the verdict could not be decided exactly are in no set; the detail is None where only
    it is undecided. None when a coefficient is not polynomial in ``symbol``.
    """
    domain = domain_of(symbol)
    location, shape = [], []
    for p in polys:
        a, b = _critical(p, symbol)
        location += a
        shape += b
    zeros, moves = _zeros(location + shape, symbol, domain), _zeros(location, symbol, domain)
    if zeros is None or moves is None:
        return None
    cuts = [domain.start, *zeros, domain.end]
    out, intervals = [], []
    for a, b in zip(cuts, cuts[1:]):
        facts = _facts_at(polys, symbol, rational_between(a, b))
        intervals.append(None if facts is None else flow_verdict(facts))
        if facts is not None:
            out.append((sp.Interval.open(a, b), *intervals[-1]))
    points = [(i, z) for i, z in enumerate(zeros)]
    if not domain.left_open:
        points.append((None, domain.start))
    if not domain.right_open:
        points.append((None, domain.end))
    for i, z in points:
        facts = _facts_at(polys, symbol, z)
        if facts is not None:
            out.append((sp.FiniteSet(z), *flow_verdict(facts)))
        elif i is not None and z not in moves and intervals[i] is not None:
            # Only real roots meeting here: the location (hence the verdict and, except node/focus, the
            # detail) is that of the interval on either side.
            verdict, detail = intervals[i]
            out.append((sp.FiniteSet(z), verdict, None if verdict is Classification.STABLE else detail))
    return out
