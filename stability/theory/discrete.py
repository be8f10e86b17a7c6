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

import mpmath
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


def _eigenvalues(p: sp.Poly, copies: int) -> dict:
    """Closed forms from the factors of degree <= 2, ``CRootOf`` for the others (numeric ``p``), or ``{}``.

    Radical formulas of cubics and quartics are exact but unreadable, so they are not used; with a
    symbolic parameter a factor of degree >= 3 leaves the eigenvalues out of closed form (the verdict
    does not need them).
    """
    found: dict = {}
    symbolic = bool(p.free_symbols - {_Z})
    try:
        with time_limit(EIGEN_SECONDS):
            _, factors = sp.factor_list(p.as_expr(), _Z)
            for factor, k in factors:
                f = sp.Poly(factor, _Z)
                if f.degree() <= 2:
                    roots = sp.roots(f, multiple=True)
                elif symbolic:
                    return {}
                else:
                    roots = f.all_roots()
                for r in roots:
                    r = sp.simplify(r) if f.degree() <= 2 else r
                    found[r] = found.get(r, 0) + k * copies
    except (TimeLimitExceeded, NotImplementedError, sp.PolynomialError):
        return {}
    return found


def _parts(value: sp.Expr, multiplicity: int) -> Eigenvalue:
    """Real and imaginary parts without ``atan2`` forms: a ``sqrt(d)`` of unknown sign becomes cases on ``d``."""
    roots = [r for r in value.atoms(sp.Pow) if r.exp == sp.S.Half and r.base.is_nonnegative is not True]
    if value.is_number or len(roots) != 1:
        re, im = value.as_real_imag()
        return Eigenvalue(value, multiplicity, sp.simplify(re), sp.simplify(im))
    (root,) = roots
    d = root.base
    rest = sp.expand(value).coeff(root)
    base = sp.expand(value - rest * root)
    if d.is_negative:
        return Eigenvalue(value, multiplicity, base, rest * sp.sqrt(-d))
    re = sp.Piecewise((base, d < 0), (value, True))
    im = sp.Piecewise((rest * sp.sqrt(-d), d < 0), (0, True))
    return Eigenvalue(value, multiplicity, re, im)


def _radius(p: sp.Poly, eigs: dict, verdict: Classification):
    """``(rho, exact)``: the spectral radius, exact where the dominant eigenvalue has a closed form;
    otherwise the largest root modulus of the characteristic polynomial to 30 digits by mpmath's
    ``polyroots`` (whose error estimate is below ``1e-30``); the verdict never depends on it."""
    if verdict is Classification.NEUTRAL:
        return sp.S.One, True
    if eigs and not any(v.has(sp.CRootOf) for v in eigs):
        dominant = max(eigs, key=lambda v: abs(complex(v.evalf(30))))
        try:
            with time_limit(EIGEN_SECONDS):
                return sp.radsimp(sp.simplify(sp.sqrt(sp.expand(sp.re(dominant) ** 2 + sp.im(dominant) ** 2)))), True
        except TimeLimitExceeded:
            pass
    if p.free_symbols - {_Z}:
        return None, False
    with mpmath.workdps(40):
        roots, err = mpmath.polyroots(
            [mpmath.mpf(sp.Rational(c).p) / sp.Rational(c).q for c in p.all_coeffs()],
            maxsteps=200,
            extraprec=80,
            error=True,
        )
        if err > mpmath.mpf(10) ** -30:
            return None, False
        return sp.Float(max(abs(r) for r in roots), 30), False


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


def _within(cond: sp.Boolean, constraints: sp.Boolean, symbol: sp.Symbol) -> sp.Boolean:
    if constraints is sp.true:
        return cond
    try:
        return (cond.as_set() & constraints.as_set()).as_relational(symbol)
    except (NotImplementedError, TypeError, ValueError):
        return sp.And(cond, constraints)


def _from_regions(p: sp.Poly, symbol: sp.Symbol, found, eigs, parts, constraints=sp.true) -> Spectrum:
    conditions = {
        str(_VERDICT[w]): _within(found.condition(w), constraints, symbol) for w in (INSIDE, BOUNDARY, "outside")
    }
    conditions = {k: v for k, v in conditions.items() if v is not sp.false}
    if len(conditions) == 1:  # one verdict over the whole domain: state it with the domain
        verdict = Classification(next(iter(conditions)))
        sample = sp.Poly(p.as_expr().subs(symbol, _sample(symbol)), _Z)
        return _spectrum(eigs, parts, verdict, _detail(sample, verdict), {str(verdict): assumptions_of([symbol])})
    return _spectrum(eigs, parts, Classification.UNDECIDED, Detail.DEPENDS, conditions, boundaries=found.boundaries)


def classify_map(m: sp.Matrix, copies: int = 1, constraints: sp.Boolean = sp.true) -> Spectrum:
    """Classify the update map whose Jacobian is ``m (x) I_copies`` at the equilibrium.

    ``constraints`` restricts symbolic hyperparameters beyond their sign assumptions (e.g.
    ``-1 < beta < 1``); conditions are stated within it.
    """
    p = sp.Poly(m.charpoly(_Z).as_expr(), _Z)
    free = sorted(p.free_symbols - {_Z}, key=str)
    eigs = _eigenvalues(p, copies)
    parts = tuple(_parts(v, k) for v, k in eigs.items())
    if not free:
        verdict = _VERDICT[unit_disc(p)]
        rho, exact = _radius(p, eigs, verdict)
        return _spectrum(eigs, parts, verdict, _detail(p, verdict), {}, rho, exact)
    if len(free) == 1:
        found = regions(p.as_expr(), _Z, free[0], SCHUR)
        if found is not None:
            return _from_regions(p, free[0], found, eigs, parts, constraints)
    conditions = {str(Classification.STABLE): stable_conditions(p, SCHUR)}
    return _spectrum(eigs, parts, Classification.UNDECIDED, Detail.DEPENDS, conditions)
