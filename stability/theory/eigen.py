"""The eigenvalues of a block from its characteristic polynomial: closed form, ``CRootOf`` or numeric.

Factors over the rationals first (bounded in time; square-free parts otherwise), then per factor:
degree 1 and 2 in closed form; degree 3 and 4 by radicals unless every root is real (radicals of
three real roots need complex numbers, the casus irreducibilis: ``CRootOf`` says the same exactly);
``CRootOf`` up to :data:`CROOTOF_DEGREE` (each with a floating-point ``approx``: evaluating a
``CRootOf`` takes seconds); past the degree or time limits, floating-point values, flagged
``exact=False``, whose number of real ones is still exact (root isolation). ``Root.numeric`` is
always a complex number.

>>> import sympy as sp
>>> s = sp.Symbol("s")
>>> roots, _ = eigenvalues(sp.Poly((s + 1) ** 2 * (s**2 + 4), s), 10)
>>> sorted((str(r.value), r.multiplicity) for r in roots)
[('-1', 2), ('-2*I', 1), ('2*I', 1)]
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import sympy as sp
from sympy.polys.polyerrors import BasePolynomialError

from ..timeout import TimeLimitExceeded, time_limit
from .charpoly import distinct_real_roots, fractions, is_rational

__all__ = ["Root", "eigenvalues", "CLOSED_FORM_DEGREE", "CROOTOF_DEGREE", "FACTOR_SECONDS"]

#: Factors up to this degree are tried for closed-form roots (radicals).
CLOSED_FORM_DEGREE = 4
#: Factors up to this degree get exact ``CRootOf`` roots (complex isolation is slow beyond).
CROOTOF_DEGREE = 8
#: Seconds for the closed form or ``CRootOf`` of one factor.
FACTOR_SECONDS = 2.0


@dataclass(frozen=True)
class Root:
    """One root: value, multiplicity, real and imaginary parts; ``exact`` False for floating-point values."""

    value: sp.Expr
    multiplicity: int
    real: sp.Expr
    imag: sp.Expr
    exact: bool = True
    approx: complex | None = None  # a floating-point value, where evaluating ``value`` would be slow (CRootOf)

    @property
    def numeric(self) -> complex:
        """The value as a floating-point complex number."""
        return self.approx if self.approx is not None else complex(sp.N(self.value, 17))


def _sqrt(a: int, b: int) -> sp.Expr:
    """``sqrt(a/b)`` for coprime ``a, b > 0``, the same expression as ``sp.sqrt`` builds (``k/b * sqrt(f)``, ``a b =
    k^2 f``, ``f`` square-free), without its general power machinery; ``sp.sqrt`` itself for large numbers.

    >>> _sqrt(99, 100), _sqrt(2, 3), _sqrt(4, 9)
    (3*sqrt(11)/10, sqrt(6)/3, 2/3)
    """
    m = a * b
    if m >= 1 << 40:
        return sp.sqrt(sp.Rational(a, b))
    k = f = 1
    for prime, e in sp.factorint(m).items():
        k, f = k * prime ** (e // 2), f * prime ** (e % 2)
    c = sp.Rational(k, b)
    return c if f == 1 else sp.Mul(c, sp.Pow(sp.Integer(f), sp.S.Half, evaluate=False))


def _rational_small(c: list[Fraction]) -> list[Root]:
    """Roots of ``c_0 s + c_1`` or ``c_0 s^2 + c_1 s + c_2`` (rational): ``-b/2 +- sqrt(b^2/4 - c)`` when monic."""
    c = [x / c[0] for x in c]
    if len(c) == 2:
        r = sp.Rational(-c[1].numerator, c[1].denominator)
        return [Root(r, 1, r, sp.S.Zero)]
    b, c0 = c[1], c[2]
    half, disc = sp.Rational(-b.numerator, 2 * b.denominator), b * b / 4 - c0
    if disc == 0:
        return [Root(half, 2, half, sp.S.Zero)]
    root = _sqrt(abs(disc.numerator), disc.denominator)
    if disc < 0:
        step = root * sp.I
        return [Root(half - step, 1, half, -root), Root(half + step, 1, half, root)]
    low, high = half - root, half + root
    return [Root(low, 1, low, sp.S.Zero), Root(high, 1, high, sp.S.Zero)]


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


def _centre(r: sp.CRootOf) -> complex:
    box = r._get_interval()
    if r.is_real:
        return complex((box.a + box.b) / 2)
    return complex((box.ax + box.bx) / 2, (box.ay + box.by) / 2)


def _crootof(f: sp.Poly, k: int) -> list[Root]:
    """Exact ``CRootOf`` roots, each with a floating-point value (``evalf`` of ``CRootOf`` is slow).

    The value is the root of ``numpy.roots`` nearest to the root's isolating box (the boxes are disjoint).
    """
    roots = f.all_roots(radicals=False)
    approx = list(np.roots([float(c) for c in f.all_coeffs()]))
    out = []
    for r in roots:
        centre = _centre(r)
        i = min(range(len(approx)), key=lambda j: abs(approx[j] - centre))
        v = approx.pop(i)
        if r.is_real:
            out.append(Root(r, k, r, sp.S.Zero, approx=complex(v.real, 0.0)))
        else:
            out.append(Root(r, k, sp.re(r), sp.im(r), approx=complex(v)))
    return out


def _numeric(f: sp.Poly, k: int, matrix=None) -> list[Root]:
    """Floating-point roots; the number of real ones is exact (isolation), the rest come in conjugate pairs."""
    if matrix is not None:
        values = np.linalg.eigvals(np.array(matrix.evalf(), dtype=float))
    else:
        values = np.roots([float(c) for c in f.all_coeffs()])
    real_count = distinct_real_roots(f) if is_rational(f) else None
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
        return _rational_small(fractions(p)), seconds
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
                    real = is_rational(f) and distinct_real_roots(f) == d
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
