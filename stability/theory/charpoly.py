"""Characteristic polynomials of Jacobian blocks, where their roots lie, and the roots themselves.

* :func:`charpoly` is division-free (SymPy's ``DomainMatrix.charpoly``: Berkowitz, or FLINT when
  SymPy runs on python-flint), exact over the integers, the rationals or polynomial rings in the
  parameters.
* :func:`root_facts` answers, exactly, the questions a flow's verdict needs about a polynomial with
  rational coefficients: is there a root with ``Re > 0``, one with ``Re < 0``, one on the imaginary
  axis, a root at 0, are all roots real. It follows :func:`stability.theory.roots.half_plane`
  (the mirror part ``gcd(q(s), q(-s))`` holds every root on the axis; the rest is decided by
  Routh-Hurwitz) with the Routh array in exact rational arithmetic, ``O(n^2)`` operations where
  the Hurwitz determinants cost ``O(n^5)``, and real roots counted by exact isolation
  (``Poly.intervals``), not floats.
* the roots themselves are in :mod:`stability.theory.eigen`.

>>> import sympy as sp
>>> s = sp.Symbol("s")
>>> facts = root_facts(sp.Poly((s + 1) * (s**2 + 4), s))
>>> facts.location, facts.left, facts.axis, facts.all_real
('boundary', True, True, False)
>>> routh_stable([1, 3, 3, 1]), routh_stable([1, 0, 1])
(True, False)
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp
from sympy.polys.matrices import DomainMatrix
from sympy.polys.polyerrors import BasePolynomialError

from ..timeout import TimeLimitExceeded, time_limit
from ..verdicts import Classification, Detail
from .roots import BOUNDARY, INSIDE, OUTSIDE, half_plane, real_root_count

__all__ = [
    "charpoly",
    "routh_stable",
    "RootFacts",
    "root_facts",
    "algebraic_facts",
    "numeric_facts",
    "UnprovedSign",
    "flow_verdict",
    "is_rational",
    "distinct_real_roots",
    "fractions",
]


def charpoly(m: sp.MatrixBase, x: sp.Symbol) -> sp.Poly:
    """The characteristic polynomial ``det(x I - m)``, division-free and exact.

    >>> charpoly(sp.Matrix([[0, -1], [1, 0]]), sp.Symbol("s"))
    Poly(s**2 + 1, s, domain='ZZ')
    """
    if m.shape == (2, 2) and all(e.is_Rational for e in m):
        return sp.Poly([1, -(m[0, 0] + m[1, 1]), m[0, 0] * m[1, 1] - m[0, 1] * m[1, 0]], x)
    dm = DomainMatrix.from_Matrix(sp.Matrix(m))
    coeffs = dm.charpoly()
    return sp.Poly([dm.domain.to_sympy(c) for c in coeffs], x)


def is_rational(p: sp.Poly) -> bool:
    """True when every coefficient of ``p`` is a rational number."""
    return p.domain.is_ZZ or p.domain.is_QQ or all(c.is_Rational for c in p.all_coeffs())


def fractions(p: sp.Poly) -> list[Fraction]:
    out = []
    for c in p.all_coeffs():
        c = sp.Rational(c)
        out.append(Fraction(int(c.p), int(c.q)))
    return out


def routh_stable(coeffs) -> bool:
    """True iff every root of ``c_0 s^n + ... + c_n`` (exact rationals) has negative real part.

    The Routh array: with every coefficient of one sign, the polynomial is Hurwitz iff the first
    column of the array is positive; its entries are ratios of consecutive Hurwitz determinants,
    so a zero there (a singular array) means some determinant vanishes, and it is not Hurwitz.
    Rows are kept in integers: scaling a row by a positive number scales the rows below it by
    positive numbers and leaves every sign in the first column unchanged, so each new row is
    cross-multiplied (scaled by the positive pivot) and divided by its content.
    """
    c = [Fraction(x) for x in coeffs]
    while c and c[0] == 0:
        c = c[1:]
    if not c:
        return False
    if c[0] < 0:
        c = [-x for x in c]
    if len(c) == 1:
        return True
    if any(x <= 0 for x in c):
        return False
    scale = math.lcm(*[x.denominator for x in c])
    ints = [int(x * scale) for x in c]
    upper, lower = ints[0::2], ints[1::2]
    while lower:
        if lower[0] <= 0:
            return False
        p, q = lower[0], upper[0]
        nxt = [p * upper[i + 1] - q * (lower[i + 1] if i + 1 < len(lower) else 0) for i in range(len(upper) - 1)]
        g = math.gcd(*nxt) if nxt else 1
        if g > 1:
            nxt = [x // g for x in nxt]
        upper, lower = lower, nxt
    return True


def _mirror(c: list[Fraction]) -> list[Fraction]:
    """Coefficients of ``q(-s)`` (leading first)."""
    n = len(c) - 1
    return [x if (n - k) % 2 == 0 else -x for k, x in enumerate(c)]


@dataclass(frozen=True)
class RootFacts:
    """Where the roots of one real polynomial lie, decided exactly."""

    right: bool  # a root with Re > 0
    left: bool  # a root with Re < 0
    axis: bool  # a root on the imaginary axis (0 included)
    zero: bool  # 0 is a root
    all_real: bool  # every root is real

    @property
    def location(self) -> str:
        """``"inside"`` (open left half-plane), ``"boundary"`` or ``"outside"``, as in :mod:`.roots`."""
        return OUTSIDE if self.right else BOUNDARY if self.axis else INSIDE

    @property
    def on_axis(self) -> bool:
        """Every root on the imaginary axis."""
        return not self.right and not self.left


def _small(c: list[Fraction], zero: bool) -> RootFacts:
    """Degree 1 or 2 (no root at 0, leading coefficient 1), by the signs of the coefficients."""
    if len(c) == 2:
        return RootFacts(c[1] < 0, c[1] > 0, zero, zero, True)
    b, k = c[1], c[2]
    disc = b * b - 4 * k
    if disc >= 0:  # two real roots, product k, sum -b
        if k < 0:
            return RootFacts(True, True, zero, zero, True)
        return RootFacts(b < 0, b > 0, zero, zero, True)
    return RootFacts(b < 0, b > 0, zero or b == 0, zero, False)


def distinct_real_roots(p: sp.Poly, **bounds) -> int:
    """The number of distinct real roots of ``p`` (in ``[inf, sup]``), by exact isolation; remembered per polynomial.

    >>> distinct_real_roots(sp.Poly(sp.Symbol("s") ** 3 - sp.Symbol("s"), sp.Symbol("s")))
    3
    """
    return _real_count(p, tuple(sorted(bounds.items())))


@functools.lru_cache(maxsize=256)
def _real_count(p: sp.Poly, bounds: tuple) -> int:
    return len(p.sqf_part().intervals(**dict(bounds))) if p.degree() > 0 else 0


def root_facts(p: sp.Poly) -> RootFacts:
    """The exact :class:`RootFacts` of ``p`` with rational coefficients."""
    c = fractions(p)
    while c and c[0] == 0:
        c = c[1:]
    if len(c) <= 1:
        return RootFacts(False, False, False, False, True)
    e = 0
    while c[-1] == 0:
        c, e = c[:-1], e + 1
    zero = e > 0
    c = [x / c[0] for x in c]
    if len(c) == 1:
        return RootFacts(False, False, True, True, True)
    if len(c) <= 3:
        return _small(c, zero)
    s = p.gen
    q = sp.Poly([sp.Rational(x.numerator, x.denominator) for x in c], s)
    g = sp.gcd(q, sp.Poly([sp.Rational(x.numerator, x.denominator) for x in _mirror(c)], s))
    r = sp.quo(q, g)
    off_axis, axis = False, zero
    if g.degree() > 0:  # g(0) != 0 and g(-s) = +-g(s): g = h(s^2); its roots are on the axis iff h's are real < 0
        y = sp.Dummy("y")
        h = sp.Poly(list(reversed(g.all_coeffs()[::-1][::2])), y)
        negative = distinct_real_roots(h, sup=0)
        axis = axis or negative > 0
        off_axis = negative < h.sqf_part().degree()
    rc = fractions(r)
    stable = len(rc) > 1 and routh_stable(rc)  # r has no root on the axis: stable, or a root on the right
    right = off_axis or (len(rc) > 1 and not stable)
    left = off_axis or stable or (len(rc) > 1 and not routh_stable(_mirror(rc)))
    sqf = q.sqf_part()
    return RootFacts(right, left, axis, zero, distinct_real_roots(sqf) == sqf.degree())


def algebraic_facts(p: sp.Poly) -> RootFacts:
    """:class:`RootFacts` for real algebraic coefficients, by :mod:`.roots` over their number field (slower).

    >>> algebraic_facts(sp.Poly(sp.Symbol("s") ** 2 + 2 * sp.sqrt(2) * sp.Symbol("s") + 1, sp.Symbol("s")))
    RootFacts(right=False, left=True, axis=False, zero=False, all_real=True)
    """
    p = sp.Poly(p.as_expr(), p.gen, extension=True)
    where, mirror = half_plane(p), half_plane(_reflect(p))
    zero = p.TC() == 0
    sqf = sp.Poly(sp.quo(p, sp.gcd(p, p.diff())), p.gen, extension=True)
    all_real = real_root_count(sqf) == sqf.degree()
    return RootFacts(where == OUTSIDE, mirror == OUTSIDE, BOUNDARY in (where, mirror), zero, all_real)


def _reflect(p: sp.Poly) -> sp.Poly:
    return sp.Poly(p.as_expr().subs(p.gen, -p.gen), p.gen, extension=True)


class UnprovedSign(Exception):  # noqa: N818 - a control-flow signal, caught by the caller
    """SymPy cannot prove the sign of a number (a verdict that needs it stays undecided)."""


def _sign(x: sp.Expr) -> int:
    """The sign of a real number, proved by SymPy's assumptions (never a guess from a float)."""
    if x.is_zero:
        return 0
    if x.is_positive:
        return 1
    if x.is_negative:
        return -1
    raise UnprovedSign(x)


def _small_signed(c: list, zero: bool) -> RootFacts:
    """:func:`_small` for real numbers given as SymPy expressions (monic, no root at 0)."""
    if len(c) == 2:
        sb = _sign(c[1])
        return RootFacts(sb < 0, sb > 0, zero, zero, True)
    b, k = c[1], c[2]
    sd, sk, sb = _sign(sp.expand(b * b - 4 * k)), _sign(k), _sign(b)
    if sd >= 0:
        if sk < 0:
            return RootFacts(True, True, zero, zero, True)
        return RootFacts(sb < 0, sb > 0, zero, zero, True)
    return RootFacts(sb < 0, sb > 0, zero or sb == 0, zero, False)


def numeric_facts(p: sp.Poly, seconds: float = 10) -> RootFacts:
    """:class:`RootFacts` for real numeric coefficients that are not all rational (``sqrt(2)``, ``sigmoid(1)``).

    Degree <= 2 by the signs of the coefficients, algebraic numbers in their number field, otherwise from
    closed-form roots; every sign is proved by SymPy, or :class:`UnprovedSign` is raised.

    >>> numeric_facts(sp.Poly(sp.Symbol("s") ** 2 + sp.exp(-1) * sp.Symbol("s") + sp.pi, sp.Symbol("s")))
    RootFacts(right=False, left=True, axis=False, zero=False, all_real=False)
    """
    c = list(p.all_coeffs())
    while c and _sign(c[0]) == 0:
        c = c[1:]
    if len(c) <= 1:
        return RootFacts(False, False, False, False, True)
    zero = False
    while _sign(c[-1]) == 0:
        c, zero = c[:-1], True
    if len(c) == 1:
        return RootFacts(False, False, True, True, True)
    if len(c) <= 3:
        return _small_signed([sp.S.One] + [x / c[0] for x in c[1:]], zero)
    q = sp.Poly(c, p.gen)
    try:
        with time_limit(seconds):
            facts = algebraic_facts(q)
        return RootFacts(facts.right, facts.left, facts.axis or zero, zero, facts.all_real)
    except (TimeLimitExceeded, NotImplementedError, TypeError, ValueError, BasePolynomialError):
        pass
    try:
        with time_limit(seconds):
            found = sp.roots(q, multiple=True)
            if len(found) < q.degree():
                raise UnprovedSign(q)
            parts = [[sp.simplify(x) for x in r.as_real_imag()] for r in found]
            signs = [(_sign(re), _sign(im)) for re, im in parts]
    except (TimeLimitExceeded, NotImplementedError, BasePolynomialError) as exc:
        raise UnprovedSign(q) from exc
    return RootFacts(
        any(a > 0 for a, _ in signs),
        any(a < 0 for a, _ in signs),
        zero or any(a == 0 for a, _ in signs),
        zero,
        all(b == 0 for _, b in signs),
    )


def flow_verdict(facts: list[RootFacts]) -> tuple[Classification, Detail]:
    """A flow's verdict from exact facts about the roots of every block's polynomial.

    >>> s = sp.Symbol("s")
    >>> flow_verdict([root_facts(sp.Poly(s**2 + 1, s)), root_facts(sp.Poly(s - 1, s))])
    ('unstable', 'zero real part')
    """
    right, left, axis = any(f.right for f in facts), any(f.left for f in facts), any(f.axis for f in facts)
    if right:
        return Classification.UNSTABLE, Detail.SADDLE if left else Detail.ZERO_REAL_PART if axis else Detail.SOURCE
    if not axis:
        return Classification.STABLE, Detail.NODE if all(f.all_real for f in facts) else Detail.FOCUS
    if not left and not any(f.zero for f in facts):
        return Classification.CENTER, Detail.CENTER
    return Classification.NON_HYPERBOLIC, Detail.ZERO_REAL_PART
