"""Eigenvalues of the Jacobian at the equilibrium and the verdict they support.

Signs are decided by proof through SymPy's assumptions (a relation such as
``-2*lam < 0`` evaluates to True only when it follows from ``lam > 0``); a sign that
cannot be proved is never guessed: the verdict becomes ``"undecided"`` and
``conditions`` says which parameter values give which verdict.

>>> import sympy as sp
>>> spec = classify_block(sp.Matrix([[0, -sp.Rational(1, 2)], [sp.Rational(1, 2), 0]]), dim=2)
>>> spec.classification, spec.eigenvalues
('center', {-I/2: 2, I/2: 2})
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from ..verdicts import Classification, Detail, TimeDomain

__all__ = ["Eigenvalue", "Spectrum", "classify_block", "classify_matrix", "CLASSIFICATIONS"]

#: The verdicts of the linearisation, plus "undecided" for unresolved symbolic parameters.
CLASSIFICATIONS = tuple(Classification)


@dataclass(frozen=True)
class Eigenvalue:
    """One eigenvalue with its multiplicity and its real and imaginary parts."""

    value: sp.Expr
    multiplicity: int
    real: sp.Expr
    imag: sp.Expr


@dataclass(frozen=True)
class Spectrum:
    """Eigenvalues and the verdict they support, for a flow (Hurwitz) or a map (Schur).

    ``spectral_radius`` (maps) is exact where ``radius_exact``; ``boundaries`` lists, for one
    symbolic parameter, the values where the spectrum reaches the stability boundary.
    """

    eigenvalues: dict
    parts: tuple[Eigenvalue, ...]
    classification: Classification
    detail: Detail
    conditions: Mapping[str, sp.Basic]
    time_domain: TimeDomain = TimeDomain.CONTINUOUS
    spectral_radius: sp.Expr | None = None
    radius_exact: bool = False
    boundaries: tuple = ()

    @property
    def decided(self) -> bool:
        return self.classification is not Classification.UNDECIDED


def _domain(symbol: sp.Symbol) -> sp.Set:
    if symbol.is_positive:
        return sp.Interval.open(0, sp.oo)
    if symbol.is_nonnegative:
        return sp.Interval(0, sp.oo)
    if symbol.is_negative:
        return sp.Interval.open(-sp.oo, 0)
    return sp.S.Reals


def _domain_relation(symbol: sp.Symbol):
    if symbol.is_positive:
        return sp.StrictGreaterThan(symbol, 0, evaluate=False)
    if symbol.is_nonnegative:
        return sp.GreaterThan(symbol, 0, evaluate=False)
    if symbol.is_negative:
        return sp.StrictLessThan(symbol, 0, evaluate=False)
    return None


def assumptions_of(symbols) -> sp.Boolean:
    """The declared domains of ``symbols`` as one unevaluated relation, e.g. ``lam > 0``."""
    rels = [r for r in (_domain_relation(s) for s in sorted(symbols, key=str)) if r is not None]
    if not rels:
        return sp.true
    return rels[0] if len(rels) == 1 else sp.And(*rels, evaluate=False)


def _within(domain, cond):
    """``cond`` stated together with the parameters' declared domain."""
    if cond is sp.true:
        return domain
    if domain is sp.true:
        return cond
    return sp.And(domain, cond, evaluate=False)


def simplify_condition(cond) -> sp.Boolean:
    """Simplify a condition on at most one parameter to intervals inside its domain."""
    cond = sp.sympify(cond)
    if cond in (sp.true, sp.false):
        return cond
    free = sorted(cond.free_symbols, key=str)
    if len(free) != 1:
        return sp.simplify(cond)
    (s,) = free
    try:
        region = cond.as_set() & _domain(s)
    except (NotImplementedError, TypeError, ValueError):
        return sp.simplify(cond)
    if region == sp.EmptySet:
        return sp.false
    if region == _domain(s):
        return sp.true
    return region.as_relational(s)


def _parts(value: sp.Expr, mult: int) -> Eigenvalue:
    re, im = value.as_real_imag()
    return Eigenvalue(value, mult, sp.simplify(re), sp.simplify(im))


def _block_parts(half: sp.Expr, sign: int, disc: sp.Expr, dim: int) -> Eigenvalue:
    """Parts of ``half + sign*sqrt(disc)``, by cases on the sign of ``disc`` when it is unknown."""
    value = sp.simplify(half + sign * sp.sqrt(disc))
    complex_re, complex_im = half, sign * sp.sqrt(-disc)
    real_re = value
    if disc.is_negative:
        return Eigenvalue(value, dim, sp.simplify(complex_re), sp.simplify(complex_im))
    if disc.is_nonnegative:
        return Eigenvalue(value, dim, real_re, sp.S.Zero)
    re = sp.Piecewise((complex_re, disc < 0), (real_re, True))
    im = sp.Piecewise((complex_im, disc < 0), (0, True))
    return Eigenvalue(value, dim, re, im)


def _pick(conditions: dict) -> str | None:
    true = [name for name, c in conditions.items() if c is sp.true]
    return true[0] if true else None


def classify_block(block: sp.Matrix, dim: int) -> Spectrum:
    """Classify ``J = block (x) I_dim`` from the trace and determinant of the 2x2 ``block``.

    For a real 2x2 matrix with trace T and determinant D: stable iff T < 0 and D > 0;
    unstable iff T > 0 or D < 0; a centre iff T = 0 and D > 0; otherwise (D = 0 and
    T <= 0) there is a zero eigenvalue.  Focus iff T^2 - 4D < 0, saddle iff D < 0.
    """
    trace, det = sp.simplify(block.trace()), sp.simplify(block.det())
    # lambda = T/2 +- sqrt(T^2/4 - D); disc = T^2/4 - D has the sign of the discriminant.
    half, disc = trace / 2, sp.simplify(trace**2 / 4 - det)
    if disc.is_zero:
        eigenvalues, parts = {half: 2 * dim}, (Eigenvalue(half, 2 * dim, half, sp.S.Zero),)
    else:
        root = sp.sqrt(disc)
        eigenvalues = {sp.simplify(half + s * root): dim for s in (-1, 1)}
        parts = tuple(_block_parts(half, s, disc, dim) for s in (-1, 1))
    verdicts = {
        "stable": sp.And(trace < 0, det > 0),
        "unstable": sp.Or(trace > 0, det < 0),
        "center": sp.And(sp.Eq(trace, 0), det > 0),
        "non-hyperbolic": sp.And(sp.Eq(det, 0), trace <= 0),
    }
    details = {
        "stable": {"focus": disc < 0, "node": disc >= 0},
        "unstable": {"saddle": det < 0, "focus": disc < 0, "node": sp.And(det >= 0, disc >= 0)},
        "center": {"center": sp.true},
        "non-hyperbolic": {"zero eigenvalue": sp.true},
    }
    return _finish(eigenvalues, parts, verdicts, details)


def classify_matrix(jacobian: sp.Matrix) -> Spectrum:
    """Classify a general square Jacobian from its exact eigenvalues."""
    eigenvalues = {sp.simplify(v): m for v, m in jacobian.eigenvals().items()}
    parts = tuple(_parts(v, m) for v, m in eigenvalues.items())
    res = [p.real for p in parts]
    any_pos = sp.Or(*[r > 0 for r in res])
    all_neg = sp.And(*[r < 0 for r in res])
    all_imag = sp.And(*[sp.Eq(r, 0) for r in res], *[sp.Ne(p.value, 0) for p in parts])
    verdicts = {
        "stable": all_neg,
        "unstable": any_pos,
        "center": all_imag,
        "non-hyperbolic": sp.And(sp.Not(any_pos), sp.Not(all_neg), sp.Not(all_imag)),
    }
    oscillating = sp.Or(*[sp.Ne(p.imag, 0) for p in parts])
    details = {
        "stable": {"focus": oscillating, "node": sp.Not(oscillating)},
        "unstable": {"saddle": sp.And(any_pos, sp.Or(*[r < 0 for r in res])), "source": sp.And(*[r > 0 for r in res])},
        "center": {"center": sp.true},
        "non-hyperbolic": {"zero real part": sp.true},
    }
    return _finish(eigenvalues, parts, verdicts, details)


def _finish(eigenvalues, parts, verdicts, details) -> Spectrum:
    verdicts = {k: simplify_condition(v) for k, v in verdicts.items()}
    classification = _pick(verdicts)
    free = set().union(*[p.value.free_symbols for p in parts])
    domain = assumptions_of(free)
    if classification is not None:
        detail_conditions = {k: simplify_condition(v) for k, v in details[classification].items()}
        detail_conditions = {k: v for k, v in detail_conditions.items() if v is not sp.false}
        picked = _pick(detail_conditions)
        detail = Detail(picked) if picked else Detail.DEPENDS
        conditions = {}
        if free:
            conditions = {classification: domain}
            if len(detail_conditions) > 1 or picked is None:
                conditions |= {k: _within(domain, v) for k, v in detail_conditions.items()}
        return Spectrum(eigenvalues, parts, Classification(classification), detail, MappingProxyType(conditions))
    conditions = {k: v for k, v in verdicts.items() if v is not sp.false}
    return Spectrum(eigenvalues, parts, Classification.UNDECIDED, Detail.DEPENDS, MappingProxyType(conditions))
