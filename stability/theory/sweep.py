"""The characteristic polynomial in two swept parameters, exactly, and the exact boundary of its stability region.

An eigenvalue can only leave the stable set through its boundary, so the verdict of a linearisation
changes only where

* a **flow** (Hurwitz: ``Re lambda < 0``) has a root at 0, ``p(0) = 0`` (*fold*), or a pair on the
  imaginary axis, ``Delta_{n-1}(p) = 0`` (*Hopf*; by Orlando's formula ``Delta_{n-1}`` is, up to a
  constant, ``prod_{i<j} (s_i + s_j)``);
* a **map** (Schur: ``|lambda| < 1``) has a root at 1, ``p(1) = 0`` (*fold*), at -1, ``p(-1) = 0``
  (*flip*), or a pair with ``z_i z_j = 1``, ``Delta_{n-1}`` of the Cayley transform ``= 0``
  (*Neimark-Sacker*; ``w_i + w_j = 0`` for ``w = (z - 1)/(z + 1)``).

:func:`boundary_candidates` returns the irreducible factors of these polynomials in the swept
parameters, each with the name of its crossing: a superset of the exact boundary (a factor of
``Delta_{n-1}`` also vanishes where a real pair ``s, -s`` or ``z, 1/z`` occurs, which crosses
nothing). Which of them actually bound a region in a window is decided on a grid by
:mod:`stability.numerics.grid`.

>>> import sympy as sp
>>> h, lam, z = sp.Symbol("h", positive=True), sp.Symbol("lam", positive=True), sp.Symbol("z")
>>> m = sp.Matrix([[1 - 2 * lam * h, -h], [h, 1]])   # simultaneous GD on WGAN-GP, c = 0
>>> for c in boundary_candidates(characteristic_polynomial(m, z), TimeDomain.DISCRETE, (h, lam)):
...     print(c)
flip: h**2 - 4*h*lam + 4 = 0
Neimark-Sacker: h - 2*lam = 0
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from ..timeout import TimeLimitExceeded, time_limit
from ..verdicts import Crossing, TimeDomain
from .criteria import criterion_for, stable_conditions
from .roots import cayley, hurwitz_determinants

__all__ = [
    "BoundaryCurve",
    "characteristic_polynomial",
    "coefficients",
    "boundary_candidates",
    "normalize_factor",
    "stability_condition",
    "FACTOR_SECONDS",
]

#: Seconds allowed for factoring the boundary polynomials (past it they are kept unfactored).
FACTOR_SECONDS = 20


@dataclass(frozen=True)
class BoundaryCurve:
    """A curve ``expr = 0`` in the swept parameters where the spectrum reaches the stability boundary.

    ``expr`` is an irreducible polynomial (primitive, integer coefficients, positive leading term);
    ``crossing`` is how the spectrum crosses there (fold, flip, Neimark-Sacker, Hopf).
    """

    expr: sp.Expr
    crossing: Crossing

    @property
    def relation(self) -> sp.Eq:
        """The curve as a SymPy relation ``Eq(expr, 0)``."""
        return sp.Eq(self.expr, 0)

    def latex(self) -> str:
        return f"{sp.latex(self.expr)} = 0"

    def __str__(self) -> str:
        return f"{self.crossing}: {self.expr} = 0"

    def __repr__(self) -> str:
        return f"BoundaryCurve({self.relation}, {str(self.crossing)!r})"


def characteristic_polynomial(matrix: sp.Matrix, z: sp.Symbol) -> sp.Poly:
    """``det(z I - matrix)`` as a polynomial in ``z`` (coefficients exact in the parameters)."""
    s = sp.Symbol("_charpoly_variable")  # charpoly renames a Dummy; substitute afterwards
    return sp.Poly(sp.expand(sp.Matrix(matrix).charpoly(s).as_expr().xreplace({s: z})), z)


def coefficients(poly: sp.Poly) -> list[sp.Expr]:
    """The coefficients of ``poly``, highest degree first, as plain expressions."""
    return [sp.expand(c) for c in poly.all_coeffs()]


def normalize_factor(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> sp.Expr:
    """``expr`` as a primitive polynomial in ``symbols`` with integer coefficients and a positive leading term.

    Two factors with the same zero set normalise to the same expression.

    >>> x, y = sp.symbols("x y")
    >>> normalize_factor(-x / 2 + 3 * y / 4, (x, y))
    2*x - 3*y
    """
    num = sp.numer(sp.together(sp.expand(expr)))
    try:
        poly = sp.Poly(num, *symbols)
    except sp.PolynomialError:
        return sp.expand(num)
    if poly.is_zero:
        return sp.S.Zero
    _, prim = poly.clear_denoms(convert=True)
    prim = prim.primitive()[1]
    if prim.LC() < 0:
        prim = -prim
    return sp.expand(prim.as_expr())


def _boundary_polys(p: sp.Poly, time_domain: TimeDomain) -> list[tuple[sp.Expr, Crossing]]:
    z = p.gen
    expr = p.as_expr()
    if time_domain is TimeDomain.CONTINUOUS:
        out = [(expr.subs(z, 0), Crossing.FOLD)]
        if p.degree() >= 2:
            out.append((hurwitz_determinants(coefficients(p))[-2], Crossing.HOPF))
        return out
    out = [(expr.subs(z, 1), Crossing.FOLD), (expr.subs(z, -1), Crossing.FLIP)]
    if p.degree() >= 2:
        q = cayley(p)
        if q.degree() >= 2:
            out.append((hurwitz_determinants(coefficients(q))[-2], Crossing.NEIMARK_SACKER))
    return out


def _factors(expr: sp.Expr, symbols: Sequence[sp.Symbol]) -> list[sp.Expr]:
    num = sp.numer(sp.together(sp.expand(expr)))
    try:
        with time_limit(FACTOR_SECONDS):
            _, found = sp.factor_list(num, *symbols)
        parts = [f for f, _ in found]
    except (TimeLimitExceeded, sp.PolynomialError, NotImplementedError):
        parts = [num]
    return [f for f in parts if f.free_symbols & set(symbols)]


def _never_zero(factor: sp.Expr) -> bool:
    """A factor that cannot vanish on the declared domains (a positive symbol, or a power of one)."""
    base = factor.base if factor.is_Pow else factor
    return bool(isinstance(base, sp.Symbol) and base.is_positive)


def boundary_candidates(
    poly: sp.Poly, time_domain: TimeDomain, symbols: Sequence[sp.Symbol]
) -> tuple[BoundaryCurve, ...]:
    """Every curve in ``symbols`` on which a root of ``poly`` can sit on the stability boundary.

    Identically zero boundary polynomials (e.g. ``det M = 1`` for every parameter value, where a whole
    region is neutral) contribute no curve. A factor met twice keeps its first crossing (fold, then
    flip, then the pair crossing).
    """
    out: dict[sp.Expr, Crossing] = {}
    for expr, crossing in _boundary_polys(poly, time_domain):
        if sp.expand(expr) == 0:
            continue
        for factor in _factors(expr, symbols):
            if _never_zero(factor):
                continue
            key = normalize_factor(factor, symbols)
            if key != 0 and key.free_symbols and key not in out:
                out[key] = crossing
    return tuple(BoundaryCurve(k, v) for k, v in out.items())


def stability_condition(poly: sp.Poly, time_domain: TimeDomain) -> sp.Boolean:
    """The exact condition for stability: Routh-Hurwitz of ``poly`` (flows) or of its Cayley transform (maps).

    >>> h = sp.Symbol("h", positive=True)
    >>> z = sp.Symbol("z")
    >>> stability_condition(sp.Poly(z - 1 + h, z), TimeDomain.DISCRETE)   # z+ = (1 - h) z: stable iff h < 2
    Ne(h - 2, 0) & (2 - h > 0)
    """
    cond = stable_conditions(poly, criterion_for(time_domain))
    if not isinstance(cond, sp.And):
        cond = sp.And(cond)
    return sp.And(*[_reduce(rel) for rel in cond.args]) if isinstance(cond, sp.And) else cond


def _reduce(rel: sp.Basic) -> sp.Boolean:
    """``f > 0`` or ``f != 0`` with ``f`` factored: positive constants and symbols dropped, even powers ``!= 0``."""
    if not isinstance(rel, (sp.StrictGreaterThan, sp.Unequality)) or rel.rhs != 0:
        return rel
    const, factors = sp.factor_list(sp.together(rel.lhs))
    odd, nonzero = [], []
    for f, k in factors:
        if isinstance(f, sp.Symbol) and f.is_positive:
            continue
        if isinstance(rel, sp.Unequality) or k % 2 == 0:
            nonzero.append(sp.Ne(f, 0))
        else:
            odd.append(f)
    if isinstance(rel, sp.Unequality):
        return sp.And(*nonzero)
    if const < 0:
        if odd:
            odd[0] = -odd[0]
        else:
            return sp.false
    main = sp.Mul(*odd) > 0 if odd else sp.true
    return sp.And(main, *nonzero)
