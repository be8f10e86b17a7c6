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
* :func:`eigenvalues` gives the roots in closed form where SymPy finds them within a time
  bound, as ``CRootOf`` otherwise, and as floating-point numbers (flagged) past that.

>>> import sympy as sp
>>> s = sp.Symbol("s")
>>> facts = root_facts(sp.Poly((s + 1) * (s**2 + 4), s))
>>> facts.location, facts.left, facts.axis, facts.all_real
('boundary', True, True, False)
>>> routh_stable([1, 3, 3, 1]), routh_stable([1, 0, 1])
(True, False)
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
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
    "eigenvalues",
    "Root",
]

#: Factors up to this degree are tried for closed-form roots (radicals).
CLOSED_FORM_DEGREE = 4
#: Factors up to this degree get exact ``CRootOf`` roots (complex isolation is slow beyond).
CROOTOF_DEGREE = 8
#: Seconds for the closed form or ``CRootOf`` of one factor.
FACTOR_SECONDS = 2.0


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


def _fractions(p: sp.Poly) -> list[Fraction]:
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
    upper, lower = c[0::2], c[1::2]
    while lower:
        if lower[0] <= 0:
            return False
        f = upper[0] / lower[0]
        nxt = [upper[i + 1] - f * (lower[i + 1] if i + 1 < len(lower) else 0) for i in range(len(upper) - 1)]
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


def _distinct_real(p: sp.Poly, **bounds) -> int:
    return len(p.sqf_part().intervals(**bounds)) if p.degree() > 0 else 0


def root_facts(p: sp.Poly) -> RootFacts:
    """The exact :class:`RootFacts` of ``p`` with rational coefficients."""
    c = _fractions(p)
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
        negative = _distinct_real(h, sup=0)
        axis = axis or negative > 0
        off_axis = negative < h.sqf_part().degree()
    rc = _fractions(r)
    right = off_axis or (len(rc) > 1 and not routh_stable(rc))
    left = off_axis or (len(rc) > 1 and not routh_stable(_mirror(rc)))
    sqf = q.sqf_part()
    return RootFacts(right, left, axis, zero, _distinct_real(sqf) == sqf.degree())


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


# --------------------------------------------------------------------------- the roots themselves
@dataclass(frozen=True)
class Root:
    """One root: value, multiplicity, real and imaginary parts; ``exact`` False for floating-point values."""

    value: sp.Expr
    multiplicity: int
    real: sp.Expr
    imag: sp.Expr
    exact: bool = True


def _rational_small(c: list[Fraction]) -> list[Root]:
    """Roots of ``c_0 s + c_1`` or ``c_0 s^2 + c_1 s + c_2`` (rational): ``-b/2 +- sqrt(b^2/4 - c)`` when monic."""
    c = [x / c[0] for x in c]
    if len(c) == 2:
        r = sp.Rational(-c[1].numerator, c[1].denominator)
        return [Root(r, 1, r, sp.S.Zero)]
    b, c0 = c[1], c[2]
    half, disc = sp.Rational(-b.numerator, 2 * b.denominator), b * b / 4 - c0
    d = sp.Rational(disc.numerator, disc.denominator)
    k = 1
    if disc == 0:
        return [Root(half, 2, half, sp.S.Zero)]
    if disc < 0:
        im = sp.sqrt(-d)
        return [Root(half + sg * im * sp.I, k, half, sg * im) for sg in (-1, 1)]
    return [Root(half + sg * sp.sqrt(d), k, half + sg * sp.sqrt(d), sp.S.Zero) for sg in (-1, 1)]


def _quadratic(f: sp.Poly, k: int) -> list[Root]:
    """``-b/2a +- sqrt(disc)``; with a parameter, real and imaginary parts by cases on the sign of ``disc``."""
    a, b, c = f.all_coeffs()
    half, disc = sp.cancel(-b / (2 * a)), sp.cancel((b * b - 4 * a * c) / (4 * a * a))
    if disc.is_negative:
        im = sp.sqrt(-disc)
        return [Root(half + sg * im * sp.I, k, half, sg * im) for sg in (-1, 1)]
    if disc.is_nonnegative:
        return [Root(half + sg * sp.sqrt(disc), k, half + sg * sp.sqrt(disc), sp.S.Zero) for sg in (-1, 1)]
    out = []
    for sg in (-1, 1):
        value = half + sg * sp.sqrt(disc)
        re = sp.Piecewise((half, disc < 0), (value, True))
        im = sp.Piecewise((sg * sp.sqrt(-disc), disc < 0), (0, True))
        out.append(Root(value, k, re, im))
    return out


def _parts(value: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    re, im = value.as_real_imag()
    return sp.simplify(re), sp.simplify(im)


def _closed(f: sp.Poly, k: int) -> list[Root] | None:
    found = sp.roots(f, multiple=False)
    if sum(found.values()) < f.degree():
        return None
    return [Root(v, m * k, *_parts(v)) for v, m in found.items()]


def _crootof(f: sp.Poly, k: int) -> list[Root]:
    out = []
    for r in f.all_roots(radicals=False):
        if r.is_real:
            out.append(Root(r, k, r, sp.S.Zero))
        else:
            out.append(Root(r, k, sp.re(r), sp.im(r)))
    return out


def _numeric(f: sp.Poly, k: int, matrix=None) -> list[Root]:
    """Floating-point roots; the number of real ones is exact (isolation), the rest come in conjugate pairs."""
    if matrix is not None:
        values = np.linalg.eigvals(np.array(matrix.evalf(), dtype=float))
    else:
        values = np.roots([float(c) for c in f.all_coeffs()])
    real_count = _distinct_real(f) if is_rational(f) else None
    values = sorted(values, key=lambda v: abs(v.imag))
    out = []
    for i, v in enumerate(values):
        if real_count is not None and i < real_count:
            v = complex(v.real, 0.0)
        re, im = sp.Float(v.real, 15), sp.Float(v.imag, 15)
        out.append(Root(re + im * sp.I if v.imag else re, k, re, im, exact=False))
    return out


def eigenvalues(p: sp.Poly, seconds: float, matrix=None) -> tuple[list[Root], float]:
    """The roots of ``p`` with multiplicities, and the seconds left of the budget ``seconds``.

    ``matrix`` (optional) is a matrix with characteristic polynomial ``p``, for numeric values.
    """
    if p.degree() <= 0:
        return [], seconds
    if p.degree() <= 2 and is_rational(p):  # no factoring needed
        return _rational_small(_fractions(p)), seconds
    factors = [(p, 1)]
    dom = p.domain
    if dom.is_ZZ or dom.is_QQ or dom.is_PolynomialRing or dom.is_FractionField:
        start = time.monotonic()
        try:
            with time_limit(max(min(seconds, FACTOR_SECONDS), 0.1)):
                factors = p.factor_list()[1]
        except TimeLimitExceeded:
            factors = p.sqf_list()[1]  # square-free parts: exact multiplicities, no factoring
        except (NotImplementedError, BasePolynomialError):
            pass
        seconds -= time.monotonic() - start
    single = len(factors) == 1 and factors[0][1] == 1
    out: list[Root] = []
    for f, k in factors:
        f = sp.Poly(f, p.gen)
        d = f.degree()
        if d == 1:
            a, b = f.all_coeffs()
            out.append(Root(-b / a, k, -b / a, sp.S.Zero))
            continue
        if d == 2:
            out += _quadratic(f, k)
            continue
        found = None
        if seconds > 0 and (d <= CLOSED_FORM_DEGREE or d <= CROOTOF_DEGREE):
            start = time.monotonic()
            try:
                with time_limit(min(seconds, FACTOR_SECONDS)):
                    # Radicals of a factor with only real roots (degree >= 3) involve complex numbers (casus
                    # irreducibilis): CRootOf says the same exactly, and reads better.
                    real = is_rational(f) and _distinct_real(f) == d
                    found = _closed(f, k) if d <= CLOSED_FORM_DEGREE and not real else None
                    if found is None and is_rational(f) and d <= CROOTOF_DEGREE:
                        found = _crootof(f, k)
            except (TimeLimitExceeded, NotImplementedError, BasePolynomialError):
                found = None
            seconds -= time.monotonic() - start
        if found is None and not (f.free_symbols - {p.gen}):
            found = _numeric(f, k, matrix if single else None)
        out += found or []
    return out, seconds
