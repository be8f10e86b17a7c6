"""Eigenvalues of the Jacobian at the equilibrium and the verdict they support.

Signs are decided by proof through SymPy's assumptions (a relation such as
``-2*lam < 0`` evaluates to True only when it follows from ``lam > 0``); a sign that
cannot be proved is never guessed: the verdict becomes ``"undecided"`` and
``conditions`` says which parameter values give which verdict.

:func:`classify_block` decides ``B (x) I_n`` from the trace and determinant of the 2x2 ``B``.
:func:`classify_matrix` decides a general Jacobian without closed-form eigenvalues: irreducible
blocks and Kronecker structure first (:mod:`.structure`), then each block's characteristic
polynomial and the exact location of its roots (:mod:`.charpoly`); with parameters, conditions on
the polynomials' coefficients (:mod:`.parametric`, :func:`.criteria.stable_conditions`), which can be
evaluated at every admissible point. Eigenvalues are reported in closed form, as ``CRootOf``, or, past
the degree and time limits, as floating-point values flagged by ``Spectrum.numeric_only``.

>>> import sympy as sp
>>> spec = classify_block(sp.Matrix([[0, -sp.Rational(1, 2)], [sp.Rational(1, 2), 0]]), dim=2)
>>> spec.classification, spec.eigenvalues
('center', {-I/2: 2, I/2: 2})
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import sympy as sp
from sympy.polys.polyerrors import BasePolynomialError

from ..frozen import FrozenMap
from ..timeout import TimeLimitExceeded, time_limit
from ..verdicts import Classification, Detail, TimeDomain
from .charpoly import UnprovedSign, charpoly, flow_verdict, is_rational, numeric_facts, root_facts
from .criteria import HURWITZ, REGION_SECONDS, stable_conditions
from .eigen import Root, eigenvalues
from .parametric import domain_of, pieces
from .roots import hurwitz_determinants
from .structure import exchangeable, irreducible_blocks, nonzero

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
    approx: complex | None = None  # a floating-point value where evaluating ``value`` is slow (``CRootOf``)

    @property
    def numeric(self) -> complex:
        """The value as a floating-point complex number (always available, fast also for ``CRootOf``)."""
        return self.approx if self.approx is not None else complex(sp.N(self.value, 17))


@dataclass(frozen=True)
class Spectrum:
    """Eigenvalues and the verdict they support, for a flow (Hurwitz) or a map (Schur).

    ``spectral_radius`` (maps) is exact where ``radius_exact``; ``boundaries`` lists, for one
    symbolic parameter, the values where the spectrum reaches the stability boundary.
    ``numeric_only`` is True when some eigenvalues are floating-point approximations (no exact
    form within the time limits; the verdict is still exact unless it is "undecided"), and
    ``note`` says what was not decided or not found exactly.
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
    numeric_only: bool = False
    note: str = ""

    @property
    def decided(self) -> bool:
        return self.classification is not Classification.UNDECIDED


_domain = domain_of


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


def _simplified(cond):
    try:
        return sp.simplify(cond)
    except (TypeError, ValueError):  # e.g. "not comparable" for a relation SymPy cannot order
        return cond


def simplify_condition(cond) -> sp.Boolean:
    """Simplify a condition on at most one parameter to intervals inside its domain."""
    cond = sp.sympify(cond)
    if cond in (sp.true, sp.false):
        return cond
    free = sorted(cond.free_symbols, key=str)
    if len(free) != 1:
        return _simplified(cond)
    (s,) = free
    try:
        region = cond.as_set() & _domain(s)
    except (NotImplementedError, TypeError, ValueError):
        return _simplified(cond)
    if region == sp.EmptySet:
        return sp.false
    if region == _domain(s):
        return sp.true
    return region.as_relational(s)


def _block_parts(half: sp.Expr, sign: int, disc: sp.Expr, dim: int, simp=sp.simplify) -> Eigenvalue:
    """Parts of ``half + sign*sqrt(disc)``, by cases on the sign of ``disc`` when it is unknown."""
    value = simp(half + sign * sp.sqrt(disc))
    complex_re, complex_im = half, sign * sp.sqrt(-disc)
    real_re = value
    if disc.is_negative:
        return Eigenvalue(value, dim, simp(complex_re), simp(complex_im))
    if disc.is_nonnegative:
        return Eigenvalue(value, dim, real_re, sp.S.Zero)
    re = sp.Piecewise((complex_re, disc < 0), (real_re, True))
    im = sp.Piecewise((complex_im, disc < 0), (0, True))
    return Eigenvalue(value, dim, re, im)


def _identity(e):
    return e


def _pick(conditions: dict) -> str | None:
    true = [name for name, c in conditions.items() if c is sp.true]
    return true[0] if true else None


def classify_block(block: sp.Matrix, dim: int) -> Spectrum:
    """Classify ``J = block (x) I_dim`` from the trace and determinant of the 2x2 ``block``.

    For a real 2x2 matrix with trace T and determinant D: stable iff T < 0 and D > 0;
    unstable iff T > 0 or D < 0; a centre iff T = 0 and D > 0; otherwise (D = 0 and
    T <= 0) there is a zero eigenvalue.  Focus iff T^2 - 4D < 0, saddle iff D < 0.
    """
    # Rational entries: every quantity below is already in canonical form (no simplification needed).
    simp = _identity if all(e.is_Rational for e in block) else sp.simplify
    trace, det = simp(block.trace()), simp(block.det())
    # lambda = T/2 +- sqrt(T^2/4 - D); disc = T^2/4 - D has the sign of the discriminant.
    half, disc = trace / 2, simp(trace**2 / 4 - det)
    if disc.is_zero:
        eigenvalues, parts = {half: 2 * dim}, (Eigenvalue(half, 2 * dim, half, sp.S.Zero),)
    else:
        root = sp.sqrt(disc)
        eigenvalues = {simp(half + s * root): dim for s in (-1, 1)}
        parts = tuple(_block_parts(half, s, disc, dim, simp) for s in (-1, 1))
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


# --------------------------------------------------------------------------- general Jacobians
_S = sp.Dummy("s")
#: Seconds for the characteristic polynomial of one block, and for the exact location of its roots.
BLOCK_SECONDS = 20
#: Seconds for the characteristic polynomials and root locations of all blocks together.
TOTAL_SECONDS = 60
#: Seconds for closed-form or ``CRootOf`` eigenvalues over all blocks; past it they are numeric.
EIGEN_SECONDS = 10


def _pieces(entries: dict, size: int) -> list[tuple[sp.ImmutableMatrix, int]]:
    """Matrices whose spectra, with multiplicities, make up the spectrum (see :mod:`.structure`)."""
    parts: list = [(entries, 1)]
    if size >= 4 and size % 2 == 0:
        n = size // 2
        found = exchangeable(entries, n)
        if found is not None:
            b, c = found
            parts = [(b, n)] if c.is_zero_matrix else [(sp.ImmutableMatrix(b + n * c), 1), (b, n - 1)]
    out: dict[sp.ImmutableMatrix, int] = {}
    for mat, copies in parts:
        for block in irreducible_blocks(mat, size if isinstance(mat, dict) else None):
            out[block.matrix] = out.get(block.matrix, 0) + block.copies * copies
    return list(out.items())


@dataclass(frozen=True)
class _Block:
    matrix: sp.ImmutableMatrix
    copies: int
    poly: sp.Poly | None  # None: not computed within the time limit


def _facts(p: sp.Poly, seconds: float = BLOCK_SECONDS):
    if seconds <= 0:
        return None
    try:
        with time_limit(seconds):
            return root_facts(p) if is_rational(p) else numeric_facts(p)
    except (TimeLimitExceeded, UnprovedSign, NotImplementedError, TypeError, ValueError, BasePolynomialError):
        return None


def _roots(blocks: list[_Block]) -> tuple[dict, tuple[Eigenvalue, ...], list[str], bool]:
    """Eigenvalues of all blocks within :data:`EIGEN_SECONDS`, and notes on what is numeric or missing."""
    found: dict = {}
    seconds = float(EIGEN_SECONDS)
    notes = []
    for b in blocks:
        if b.poly is None:
            roots = [] if b.matrix.free_symbols else _numeric_roots(b.matrix)
        else:
            roots, seconds = eigenvalues(b.poly, seconds, matrix=b.matrix)
        if sum(r.multiplicity for r in roots) < b.matrix.rows:
            notes.append(f"the eigenvalues of a {b.matrix.rows}x{b.matrix.rows} block were not found in closed form")
        for r in roots:
            count = found[r.value][0] if r.value in found else 0
            found[r.value] = (count + r.multiplicity * b.copies, r)
    numeric = [r for _, r in found.values() if not r.exact]
    if numeric:
        notes.append(
            f"{len(numeric)} distinct eigenvalues are floating-point approximations (no exact form within the "
            "degree and time limits); the verdict does not use them"
        )
    eigs = {v: k for v, (k, _) in found.items()}
    parts = tuple(Eigenvalue(v, k, r.real, r.imag, r.approx) for v, (k, r) in found.items())
    return eigs, parts, notes, bool(numeric)


def _numeric_roots(m: sp.MatrixBase) -> list[Root]:
    values = np.linalg.eigvals(np.array(m.evalf(), dtype=complex))
    out = []
    for v in values:
        re, im = sp.Float(v.real, 15), sp.Float(v.imag, 15)
        out.append(Root(re + im * sp.I, 1, re, im, exact=False))
    return out


def classify_matrix(jacobian: sp.Matrix) -> Spectrum:
    """Classify a flow's general square Jacobian exactly, block by block, from characteristic polynomials.

    Structure first (:mod:`.structure`: irreducible blocks, Kronecker products), then each block's
    characteristic polynomial (division-free) and the exact location of its roots
    (:mod:`.charpoly`, :mod:`.roots`); with symbolic parameters the conditions come from the
    polynomials' coefficients (:mod:`.parametric`, on the critical polynomials of :mod:`.criteria`, for one
    parameter; :func:`.criteria.stable_conditions` otherwise), so they can be evaluated at every admissible point.

    >>> spec = classify_matrix(sp.Matrix([[0, 0, -1, 0], [0, -1, 0, 0], [1, 0, 0, 0], [0, 0, 0, -1]]))
    >>> spec.classification, spec.eigenvalues
    ('non-hyperbolic', {-I: 1, I: 1, -1: 2})
    """
    entries = nonzero(jacobian)
    blocks, notes = [], []
    if any(v.has(sp.Float) for v in entries.values()):  # decide exactly for the numbers as written
        entries = {k: sp.nsimplify(v, rational=True) if v.has(sp.Float) else v for k, v in entries.items()}
        notes.append("floating-point entries of the Jacobian were taken as the exact decimals they print as")
    deadline = time.monotonic() + TOTAL_SECONDS
    for mat, copies in _pieces(entries, jacobian.rows):
        poly, budget = None, min(BLOCK_SECONDS, deadline - time.monotonic())
        try:
            if budget > 0:
                with time_limit(budget):
                    poly = charpoly(mat, _S)
        except TimeLimitExceeded:
            pass
        if poly is None:
            notes.append(
                f"the characteristic polynomial of a {mat.rows}x{mat.rows} block was not found within the time "
                f"limits ({BLOCK_SECONDS} s per block, {TOTAL_SECONDS} s in all)"
            )
        blocks.append(_Block(mat, copies, poly))
    eigs, parts, eigen_notes, numeric = _roots(blocks)
    notes += eigen_notes
    free = sorted(set().union(*[v.free_symbols for v in entries.values()]), key=str)
    if any(b.poly is None for b in blocks):
        return _undecided(eigs, parts, {}, notes, numeric)
    if not free:
        facts = [_facts(b.poly, min(BLOCK_SECONDS, deadline - time.monotonic())) for b in blocks]
        if any(f is None for f in facts):
            notes.append(
                "the location of the roots was not decided exactly (a sign SymPy cannot prove, or past the time "
                f"limits of {BLOCK_SECONDS} s per block, {TOTAL_SECONDS} s in all)"
            )
            return _undecided(eigs, parts, {}, notes, numeric)
        verdict, detail = flow_verdict(facts)
        return Spectrum(eigs, parts, verdict, detail, FrozenMap({}), numeric_only=numeric, note="; ".join(notes))
    if len(free) == 1:
        found = _one_parameter(blocks, free[0])
        if found is not None:
            verdict, detail, conditions, note = found
            notes += [note] if note else []
            return Spectrum(
                eigs, parts, verdict, detail, FrozenMap(conditions), numeric_only=numeric, note="; ".join(notes)
            )
        notes.append(f"the parameter regions were not found within {REGION_SECONDS} s")
    return _several_parameters(blocks, eigs, parts, notes, numeric)


def _undecided(eigs, parts, conditions, notes, numeric) -> Spectrum:
    return Spectrum(
        eigs,
        parts,
        Classification.UNDECIDED,
        Detail.DEPENDS,
        FrozenMap(conditions),
        numeric_only=numeric,
        note="; ".join(notes),
    )


def _several_parameters(blocks, eigs, parts, notes, numeric) -> Spectrum:
    """Routh-Hurwitz conditions on the coefficients; a verdict where the parameters' domain decides them."""
    conds, unstable = [], []
    for b in blocks:
        q = b.poly
        if not q.free_symbols - {_S}:
            facts = _facts(q)
            if facts is None:
                return _undecided(eigs, parts, {}, notes, numeric)
            conds.append(sp.true if facts.location == "inside" else sp.false)
            unstable.append(facts.right)
            continue
        conds.append(stable_conditions(q, HURWITZ))
        coeffs = [sp.expand(c) for c in q.all_coeffs()]
        lead = coeffs[0]
        # A root with Re > 0 exists if some coefficient has the opposite sign of the leading one (all roots in
        # the closed left half-plane make every coefficient >= 0), or some Hurwitz determinant is negative.
        signs = [sp.expand(lead * c) < 0 for c in coeffs[1:]]
        signs += [sp.expand(d * lead ** (k + 1)) < 0 for k, d in enumerate(hurwitz_determinants(coeffs))]
        unstable.append(any(x is sp.true for x in signs))
    free = set().union(*[b.poly.free_symbols - {_S} for b in blocks])
    if any(x is True for x in unstable):
        domain = assumptions_of(free)
        return Spectrum(
            eigs,
            parts,
            Classification.UNSTABLE,
            Detail.DEPENDS,
            FrozenMap({"unstable": domain}),
            numeric_only=numeric,
            note="; ".join(notes),
        )
    stable = sp.And(*conds)
    if stable is sp.true:
        return Spectrum(
            eigs,
            parts,
            Classification.STABLE,
            Detail.DEPENDS,
            FrozenMap({"stable": assumptions_of(free)}),
            numeric_only=numeric,
            note="; ".join(notes),
        )
    return _undecided(eigs, parts, {"stable": stable} if stable is not sp.false else {}, notes, numeric)


# --------------------------------------------------------------------------- one symbolic parameter
def _one_parameter(blocks: list[_Block], symbol) -> tuple | None:
    """``(verdict, detail, conditions, note)`` over the symbol's domain (:mod:`.parametric`), or None."""
    try:
        with time_limit(REGION_SECONDS):
            found = pieces([b.poly for b in blocks], symbol)
    except (TimeLimitExceeded, NotImplementedError, TypeError, ValueError, BasePolynomialError):
        return None
    if found is None:
        return None
    domain = domain_of(symbol)
    by_verdict: dict = {}
    for where, verdict, detail in found:
        by_verdict.setdefault(verdict, {}).setdefault(detail, []).append(where)
    sets = {v: {d: sp.Union(*w) for d, w in ds.items()} for v, ds in by_verdict.items()}
    totals = {v: sp.Union(*ds.values()) for v, ds in sets.items()}
    sets = {v: {d: w for d, w in ds.items() if d is not None} for v, ds in sets.items()}
    missing = domain - sp.Union(*totals.values())
    note = "" if missing is sp.EmptySet else f"the verdict at {symbol} in {missing} was not decided"
    relation = _domain_relation(symbol)
    domain_rel = sp.true if relation is None else relation
    if len(totals) == 1 and missing is sp.EmptySet:
        ((verdict, details),) = sets.items()
        if len(details) == 1 and (domain - next(iter(details.values()))) is sp.EmptySet:
            return verdict, next(iter(details)), {str(verdict): domain_rel}, note
        conditions = {str(verdict): domain_rel}
        conditions |= {str(d): _within(domain_rel, w.as_relational(symbol)) for d, w in details.items()}
        return verdict, Detail.DEPENDS, conditions, note
    conditions = {str(v): w.as_relational(symbol) for v, w in totals.items()}
    return Classification.UNDECIDED, Detail.DEPENDS, conditions, note


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
        return Spectrum(eigenvalues, parts, Classification(classification), detail, FrozenMap(conditions))
    conditions = {k: v for k, v in verdicts.items() if v is not sp.false}
    return Spectrum(eigenvalues, parts, Classification.UNDECIDED, Detail.DEPENDS, FrozenMap(conditions))
