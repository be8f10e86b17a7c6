"""The nonlinear verdict: stability of phi = theta = 0 decided by proof, or "undecided".

The verdict comes from the first of these that applies:

1. the linearisation, when decisive (Lyapunov's indirect method, Hartman-Grobman): every
   eigenvalue in the open left half-plane gives local exponential asymptotic stability with the
   rate ``-max Re(lambda)``, one in the right half-plane instability. This is settled before any
   search, in every dimension; a bounded LaSalle search may then add that the attraction is global;
2. Lyapunov candidates (the energy ``|phi|^2 + |theta|^2``, the weighted energy whose linear
   cross terms cancel, the solution of the Lyapunov equation of the 2x2 block): dV/dt is
   computed exactly and its sign *proved* (:mod:`stability.theory.signs`); ``dV/dt = 0``
   identically is a conserved quantity; ``dV/dt <= 0`` is followed by LaSalle's largest
   invariant set in ``{dV/dt = 0}`` (:mod:`stability.theory.lyapunov`);
3. Chetaev functions for instability;
4. for n >= 2, the squared area ``|phi|^2 |theta|^2 - (theta.phi)^2`` of phi and theta: when it
   never decreases and a non-increasing W's LaSalle set lies in the collinear states, every
   trajectory off them is unbounded (unstable; e.g. ``lsgan``);
5. for n = 1 with a nilpotent linear part, ``V = F^2 + x^2`` with F a first integral of the
   field's quasi-homogeneous leading terms (e.g. ``lsgan``: ``F = phi + theta^3/3``);
6. the link between dimensions: the dimension-1 dynamics is the restriction of the
   n-dimensional one to collinear states, an invariant subspace (unstable in dim 1 =>
   unstable in every dim; asymptotically stable for n >= 2 => in dim 1);
7. with a ``reanalyze`` callable, symbolic parameters of unknown sign are split into cases.

Non-smooth pieces (``max(0, .)``, ``|.|``, steps) whose argument is non-zero at the origin are
first replaced by the branch they take there (:func:`~stability.theory.lyapunov.localized`);
the verdict then says where that holds (:attr:`NonlinearVerdict.branches`) and is local.
A decisive linearisation (1.) ends the analysis: no search for certificates or rotations.

Periodic rotations (``|phi|``, ``|theta|``, ``theta.phi`` constant) are found exactly
(:mod:`stability.theory.orbits`). Nothing is sampled: what cannot be proved is "undecided".
Every search runs under a time limit (:mod:`stability.timeout`).

>>> from stability import analyze
>>> nl = analyze_nonlinear(analyze("vanilla_ns", dim=2))
>>> nl.verdict, nl.by_dim["n = 1"], nl.orbits[0].frequency
('stable', 'asymptotically-stable', 1/2)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import sympy as sp

from ..frozen import FrozenMap
from ..verdicts import Method, NonlinearStability
from .findings import (
    EXTRAS_BUDGET,
    TIME_BUDGET,
    Finding,
    attempt,
    conserved_quantities,
    inconclusive,
    inside,
    linear_finding,
    local_intro,
    search,
    strengthen,
    zero_dnf,
)
from .lyapunov import (
    InvariantSystem,
    U,
    closed_sign,
    component_system,
    invariant_system,
    localized,
)
from .nonlinear_record import NONLINEAR_VERDICTS, NonlinearVerdict, build_record, with_certificate
from .orbits import PeriodicOrbit, rotation_orbits

__all__ = [
    "NonlinearVerdict",
    "Reanalyze",
    "analyze_nonlinear",
    "zero_dnf",
    "closed_sign",
    "NONLINEAR_VERDICTS",
    "TIME_BUDGET",
    "EXTRAS_BUDGET",
]

DIM1, DIMN = "n = 1", "n >= 2"

_ASYMPTOTIC, _STABLE = NonlinearStability.ASYMPTOTICALLY_STABLE, NonlinearStability.STABLE
_UNSTABLE, _UNDECIDED = NonlinearStability.UNSTABLE, NonlinearStability.UNDECIDED

#: ``reanalyze(params=..., regularizers=...)``: the nonlinear verdict of the same variant in the same
#: dimension with these parameter values and regulariser weights (mappings name -> SymPy value).
Reanalyze = Callable[..., "NonlinearVerdict"]


def _orbits(system) -> tuple[tuple[PeriodicOrbit, ...], str]:
    """The periodic rotations, and a note when their search did not conclude."""
    if not isinstance(system, InvariantSystem):
        return (), ""

    def failed(exc: BaseException) -> None:
        return None

    found = attempt(lambda: rotation_orbits(system), EXTRAS_BUDGET, failed)
    if found is None:
        return (), " (The search for periodic rotations did not conclude; none are reported.)"
    return found, ""


def _decide(a, system, raw=None) -> Finding:
    """The verdict for one dimension class of ``a`` (``system.dim1`` tells which).

    ``system`` may be :func:`~stability.theory.lyapunov.localized` (its non-smooth pieces replaced
    near the origin); ``raw`` is then the true system, whose conserved quantities are reported.
    A decisive linearisation settles the verdict: only the quick global strengthening runs, no
    search for certificates or periodic rotations.
    """
    raw = system if raw is None else raw
    linear = linear_finding(a)  # decisive linearisations need no search
    conserved = attempt(lambda: conserved_quantities(raw), EXTRAS_BUDGET, lambda exc: ())
    if linear is not None:
        found = linear if system.local else strengthen(a, system, linear)
        return replace(found, conserved=conserved)
    orbits, orbit_note = _orbits(system)
    if system.local:
        kept = tuple(o for o in orbits if inside(system, o))
        if len(kept) < len(orbits):
            orbit_note += " (Rotations of the local field outside the neighbourhood are not reported.)"
        orbits = kept
    found = attempt(lambda: search(a, system), TIME_BUDGET, inconclusive)
    intro = local_intro(system, found) if system.local else ""
    return replace(found, conserved=conserved, orbits=orbits, reason=intro + found.reason + orbit_note)


# --------------------------------------------------------------------------- dimensions
def _transfer(r1: Finding, rn: Finding) -> tuple[Finding, Finding]:
    """Collinear states are an invariant subspace carrying the dim-1 dynamics."""
    if r1.verdict is _UNSTABLE and rn.verdict is _UNDECIDED:
        rn = with_certificate(
            rn,
            r1,
            verdict=_UNSTABLE,
            method=Method.DIMENSION,
            lyapunov_stable=False,
            witness=r1.witness,
            reason="States with phi and theta on one line form an invariant subspace (phi' and theta' lie in "
            "span(phi, theta)), on which the dynamics is the 1-dimensional one, and that is unstable: "
            + r1.reason
            + " The same escaping trajectories exist in every dimension, so the origin is unstable for n >= 2 too.",
        )
    if rn.verdict is _ASYMPTOTIC and r1.verdict is _UNDECIDED:
        r1 = with_certificate(
            r1,
            rn,
            verdict=_ASYMPTOTIC,
            method=Method.DIMENSION,
            lyapunov_stable=True,
            reason="The 1-dimensional dynamics is the restriction of the n >= 2 one to collinear states, an "
            "invariant subspace, and the origin is asymptotically stable for n >= 2: " + rn.reason,
        )
    if r1.verdict in (_STABLE, _UNSTABLE) and rn.verdict is _UNDECIDED and rn.lyapunov_stable:
        rn = replace(
            rn,
            verdict=_STABLE,
            method=Method.DIMENSION,
            reason=rn.reason + " It is not asymptotically stable: collinear states form an invariant "
            "subspace carrying the 1-dimensional dynamics, which does not converge.",
        )
    return r1, rn


def _dim_note(r1: Finding, rn: Finding) -> str:
    if r1.verdict == rn.verdict:
        return f"Same verdict in dimension 1 and in every dimension n >= 2: {r1.verdict}."
    note = f"The verdict depends on the dimension: {r1.verdict} for n = 1, {rn.verdict} for n >= 2."
    rotating = [o for o in rn.orbits if o.conditions.get(U) == 0]
    if rotating and r1.verdict is _ASYMPTOTIC:
        note += (
            " In dimension 1, theta.phi = 0 forces phi = 0 or theta = 0, so the set {dV/dt = 0} holds no orbit "
            "but the origin; for n >= 2 it contains rotations with phi orthogonal to theta ("
            + "; ".join(f"{o.kind}, frequency {o.frequency}" for o in rotating)
            + "), on which trajectories settle instead of reaching the origin. A 1-dimensional analysis gives "
            "the wrong answer for n >= 2."
        )
    return note


def _invariant_verdict(record: type[NonlinearVerdict], a, raw: InvariantSystem) -> NonlinearVerdict:
    """Both dimension classes of a rotation-invariant field, related through the collinear subspace."""
    system = localized(raw)
    r1 = _decide(a, system, raw)
    rn = _decide(a, replace(system, dim1=False), replace(raw, dim1=False))
    r1, rn = _transfer(r1, rn)
    by_dim = {DIM1: r1.verdict, DIMN: rn.verdict}
    return build_record(record, a, r1 if a.dim == 1 else rn, by_dim, _dim_note(r1, rn), system.local)


def _component_verdict(record: type[NonlinearVerdict], a) -> NonlinearVerdict:
    raw = component_system(a)
    system = localized(raw)
    found = _decide(a, system, raw)
    label = DIM1 if a.dim == 1 else DIMN
    note = (
        f"Custom variant defined in components in dimension {a.dim} only; the verdict is for n = {a.dim} "
        "(no rotation invariance to relate other dimensions)."
    )
    return build_record(record, a, found, {label: found.verdict}, note, system.local)


# --------------------------------------------------------------------------- symbolic cases
def _split_symbols(a) -> list[tuple[str, str, sp.Symbol]]:
    out = []
    for kind, mapping in (("param", a.params), ("reg", a.regularizers)):
        for name, value in mapping.items():
            if isinstance(value, sp.Symbol) and value.is_positive is not True and value.is_negative is not True:
                out.append((kind, name, value))
    return out


def _case_grid(a, splits) -> Iterator[tuple[sp.Boolean, dict, dict]]:
    """Every combination of sign cases (< 0 where admissible, = 0, > 0): (condition, params, regularizers)."""
    options = []
    for kind, name, sym in splits:
        vals = [(sp.S.Zero, sp.Eq(sym, 0)), (sp.Symbol(sym.name, positive=True), sym > 0)]
        if not sym.is_nonnegative:
            vals.insert(0, (sp.Symbol(sym.name, negative=True), sym < 0))
        options.append((kind, name, vals))
    combos: list[list] = [[]]
    for kind, name, vals in options:
        combos = [c + [(kind, name, v, cond)] for c in combos for v, cond in vals]
    for combo in combos:
        params = dict(a.params) | {n: v for k, n, v, _ in combo if k == "param"}
        regs = dict(a.regularizers) | {n: v for k, n, v, _ in combo if k == "reg"}
        yield sp.And(*[c for *_, c in combo]), params, regs


def _merge_by_dim(results) -> tuple[dict, list[str]]:
    """The verdict per dimension class over the cases (undecided where they differ), with notes."""
    by_dim, notes = {}, []
    for key in (DIM1, DIMN):
        per_case = [(cond, sub.by_dim[key]) for cond, sub in results if key in sub.by_dim]
        if not per_case:
            continue
        seen = list(dict.fromkeys(v for _, v in per_case))
        by_dim[key] = seen[0] if len(seen) == 1 else _UNDECIDED
        if len(seen) > 1:
            notes.append(f"{key}: " + "; ".join(f"{v} when {cond}" for cond, v in per_case))
    return by_dim, notes


def _cases(record: type[NonlinearVerdict], a, splits, reanalyze: Reanalyze) -> NonlinearVerdict:
    results = [(cond, reanalyze(params=p, regularizers=r)) for cond, p, r in _case_grid(a, splits)]
    verdicts: dict[NonlinearStability, list] = {}
    for cond, sub in results:
        verdicts.setdefault(sub.verdict, []).append(cond)
    by_dim, dim_notes = _merge_by_dim(results)
    notes = dim_notes + [f"when {cond}: {sub.dim_note}" for cond, sub in results if len(set(sub.by_dim.values())) > 1]
    return record(
        verdict=next(iter(verdicts)) if len(verdicts) == 1 else _UNDECIDED,
        dim=a.dim,
        method=Method.CASES,
        reason=" ".join(f"When {cond}: {sub.verdict} ({sub.method}). {sub.reason}" for cond, sub in results),
        by_dim=FrozenMap(by_dim),
        dim_note="; ".join(notes) or "Same verdict in dimension 1 and n >= 2 in every case.",
        conditions=FrozenMap({k: sp.Or(*v) for k, v in verdicts.items()}),
        linear=a.classification,
        analysis=a,
        orbits=tuple(o for _, sub in results for o in sub.orbits),
        lyapunov_stable=all(sub.lyapunov_stable for _, sub in results) or None,
    )


# --------------------------------------------------------------------------- entry point
def analyze_nonlinear(
    a, reanalyze: Reanalyze | None = None, *, record: type[NonlinearVerdict] = NonlinearVerdict
) -> NonlinearVerdict:
    """The nonlinear verdict for an analysis ``a`` (``Analysis.nonlinear`` calls it), as a ``record``.

    ``a`` provides ``dim``, ``classification``, ``spectrum``, ``block``, ``linearization``,
    ``differentiable``, ``params``, ``regularizers``, ``variant``, ``dynamics``, ``state`` and
    ``vector_field``. When the verdict is undecided because one or two symbolic parameters have
    no declared sign, and ``reanalyze`` is given, each sign case (< 0, = 0, > 0) is analysed
    through ``reanalyze(params=..., regularizers=...)`` (see :data:`Reanalyze`) and the verdict
    says which case gives which verdict (method "cases"); without it the verdict stays undecided.
    ``record`` is the class built (a subclass of :class:`NonlinearVerdict` may add methods).

    >>> from stability import analyze
    >>> nl = analyze_nonlinear(analyze("vanilla_sat", dim=1))
    >>> nl.verdict, nl.method, nl.V
    ('stable', 'conserved', |phi|**2 + |theta|**2)
    """
    system = invariant_system(a, dim1=True)
    result = _invariant_verdict(record, a, system) if system is not None else _component_verdict(record, a)
    if result.verdict is _UNDECIDED and reanalyze is not None:
        splits = _split_symbols(a)
        if splits and len(splits) <= 2:
            return _cases(record, a, splits, reanalyze)
    return result
