"""The spectrum of an update map's Jacobian ``M`` and its verdict by the Schur criterion.

Stable when the spectral radius ``rho(M) < 1``, unstable when ``rho(M) > 1``, neutral when
``rho(M) = 1`` (then linearisation is inconclusive). Each is decided exactly from the characteristic
polynomial (:mod:`stability.theory.roots`), never from floating-point moduli. With one symbolic
parameter (a learning rate, a hyperparameter) the verdict comes as exact regions with the names of
the boundary crossings (:func:`stability.theory.criteria.regions`).

>>> import sympy as sp
>>> m = sp.Matrix([[1, -sp.Rational(1, 10)], [sp.Rational(1, 10), 1]])
>>> spec = classify_map(m, copies=1)
>>> spec.classification, spec.spectral_radius
('unstable', sqrt(101)/10)
"""

from __future__ import annotations

import sympy as sp

from ..frozen import FrozenMap
from ..timeout import TimeLimitExceeded, time_limit
from ..verdicts import Classification, Detail, TimeDomain
from .criteria import SCHUR, regions, stable_conditions
from .roots import BOUNDARY, INSIDE, real_root_count, unit_disc
from .spectrum import Eigenvalue, Spectrum, assumptions_of

__all__ = ["classify_map", "EIGEN_SECONDS"]

#: Seconds allowed for closed-form eigenvalues; past it they are given as ``CRootOf`` or numerically.
EIGEN_SECONDS = 10
_Z = sp.Symbol("z")
_VERDICT = {INSIDE: Classification.STABLE, BOUNDARY: Classification.NEUTRAL, "outside": Classification.UNSTABLE}


def _eigenvalues(m: sp.Matrix, p: sp.Poly, copies: int) -> dict:
    try:
        with time_limit(EIGEN_SECONDS):
            found = sp.roots(p, multiple=False)
            if sum(found.values()) < p.degree():
                found = {} if p.free_symbols - {_Z} else {r: 1 for r in p.all_roots()}
                if found and len(found) < p.degree():  # repeated CRootOf: count them
                    found = {}
                    for r in p.all_roots():
                        found[r] = found.get(r, 0) + 1
            return {sp.simplify(v): k * copies for v, k in found.items()}
    except (TimeLimitExceeded, NotImplementedError, sp.PolynomialError):
        return {}


def _radius(eigs: dict, verdict: Classification):
    """``(rho, exact)``: the spectral radius, exact where SymPy finds it, else a 30-digit value."""
    if verdict is Classification.NEUTRAL:
        return sp.S.One, True
    if not eigs:
        return None, False
    moduli = {v: sp.sqrt(sp.expand(sp.re(v) ** 2 + sp.im(v) ** 2)) for v in eigs}
    try:
        with time_limit(EIGEN_SECONDS):
            largest = max(moduli.values(), key=lambda r: sp.N(r, 30))
            exact = sp.nsimplify(largest) if largest.has(sp.CRootOf) else sp.radsimp(sp.simplify(largest))
            if exact.has(sp.CRootOf) or not exact.is_number:
                return sp.N(largest, 30), False
            return exact, True
    except (TimeLimitExceeded, TypeError, ValueError):
        return None, False


def _detail(p: sp.Poly, verdict: Classification) -> Detail:
    if verdict is Classification.NEUTRAL:
        return Detail.UNIT_CIRCLE
    all_real = real_root_count(p) == sp.Poly(sp.quo(p, sp.gcd(p, p.diff())), _Z).degree()
    if verdict is Classification.UNSTABLE:
        inside = unit_disc(sp.Poly(sp.quo(p, sp.gcd(p, p.diff())), _Z))
        # a root strictly inside as well as one outside: a saddle
        reversed_p = sp.Poly(sp.expand(_Z ** p.degree() * p.as_expr().subs(_Z, 1 / _Z)), _Z)
        if inside == "outside" and unit_disc(reversed_p) == "outside":
            return Detail.SADDLE
        return Detail.NODE if all_real else Detail.FOCUS
    return Detail.NODE if all_real else Detail.FOCUS


def _sample(symbol: sp.Symbol) -> sp.Rational:
    """A point of the symbol's declared domain (for the shape of a verdict that holds on all of it)."""
    return sp.Rational(-1, 2) if symbol.is_negative else sp.Rational(1, 2)


def _spectrum(eigs, parts, verdict, detail, conditions, rho=None, exact=False, boundaries=()) -> Spectrum:
    return Spectrum(eigs, parts, verdict, detail, FrozenMap(conditions), TimeDomain.DISCRETE, rho, exact, boundaries)


def _from_regions(p: sp.Poly, symbol: sp.Symbol, found, eigs, parts) -> Spectrum:
    conditions = {str(_VERDICT[w]): found.condition(w) for w in (INSIDE, BOUNDARY, "outside")}
    conditions = {k: v for k, v in conditions.items() if v is not sp.false}
    if len(conditions) == 1:  # one verdict over the whole domain: state it with the domain
        verdict = Classification(next(iter(conditions)))
        sample = sp.Poly(p.as_expr().subs(symbol, _sample(symbol)), _Z)
        return _spectrum(eigs, parts, verdict, _detail(sample, verdict), {str(verdict): assumptions_of([symbol])})
    return _spectrum(eigs, parts, Classification.UNDECIDED, Detail.DEPENDS, conditions, boundaries=found.boundaries)


def classify_map(m: sp.Matrix, copies: int = 1) -> Spectrum:
    """Classify the update map whose Jacobian is ``m (x) I_copies`` at the equilibrium."""
    p = sp.Poly(m.charpoly(_Z).as_expr(), _Z)
    free = sorted(p.free_symbols - {_Z}, key=str)
    eigs = _eigenvalues(m, p, copies)
    parts = tuple(Eigenvalue(v, k, *(sp.simplify(x) for x in v.as_real_imag())) for v, k in eigs.items())
    if not free:
        verdict = _VERDICT[unit_disc(p)]
        rho, exact = _radius(eigs, verdict)
        return _spectrum(eigs, parts, verdict, _detail(p, verdict), {}, rho, exact)
    if len(free) == 1:
        found = regions(p.as_expr(), _Z, free[0], SCHUR)
        if found is not None:
            return _from_regions(p, free[0], found, eigs, parts)
    conditions = {str(Classification.STABLE): stable_conditions(p, SCHUR)}
    return _spectrum(eigs, parts, Classification.UNDECIDED, Detail.DEPENDS, conditions)
