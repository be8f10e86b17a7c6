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

import textwrap
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import sympy as sp

from ..errors import StabilityError
from ..frozen import FrozenMap
from ..timeout import TimeLimitExceeded, call_with_time_limit
from ..verdicts import Classification, Convergence, Method, NonlinearStability
from .lyapunov import (
    AREA,
    AreaEscape,
    Candidate,
    Chetaev,
    DecayingPlayer,
    InvariantSet,
    InvariantSystem,
    LocalBranch,
    QuasiHomogeneous,
    R,
    S,
    U,
    Undecided,
    area_escape,
    candidates,
    chetaev,
    closed_sign,
    component_system,
    decaying_player,
    invariant_system,
    largest_invariant_set,
    leading_order,
    localized,
    nilpotent_lyapunov,
)
from .orbits import PeriodicOrbit, rotation_orbits
from .signs import DNF, Rule, Sign, prove_sign

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

#: The nonlinear verdicts, in order (the members of :class:`~stability.verdicts.NonlinearStability`).
NONLINEAR_VERDICTS = tuple(NonlinearStability)
DIM1, DIMN = "n = 1", "n >= 2"

#: Time budget (seconds) of the certificate search for one dimension class; past it the verdict is "undecided".
TIME_BUDGET = 60
#: Time budget (seconds) of each addition that cannot change the verdict (orbits, conserved
#: quantities, the global LaSalle strengthening of a decisive linearisation).
EXTRAS_BUDGET = 10

_ASYMPTOTIC, _STABLE = NonlinearStability.ASYMPTOTICALLY_STABLE, NonlinearStability.STABLE
_UNSTABLE, _UNDECIDED = NonlinearStability.UNSTABLE, NonlinearStability.UNDECIDED
#: Failures of an exact computation that make a step inconclusive (never a wrong verdict).
_FAILURES = (
    TimeLimitExceeded,
    Undecided,
    StabilityError,
    NotImplementedError,
    sp.PolynomialError,
    ValueError,
    TypeError,
)

#: ``reanalyze(params=..., regularizers=...)``: the nonlinear verdict of the same variant in the same
#: dimension with these parameter values and regulariser weights (mappings name -> SymPy value).
Reanalyze = Callable[..., "NonlinearVerdict"]

T = TypeVar("T")


@dataclass(frozen=True, eq=False)
class NonlinearVerdict:
    """The nonlinear stability of the origin, with the certificate that proves it.

    Attributes:
        verdict: a :class:`~stability.verdicts.NonlinearStability`: "asymptotically-stable", "stable"
            (Lyapunov-stable, not asymptotically), "unstable", or "undecided".
        dim: the dimension n of the analysis this verdict is for.
        method: a :class:`~stability.verdicts.Method`: "linearization", "lyapunov", "lasalle",
            "conserved", "chetaev", "dimension", "cases" or "none".
        reason: the argument in plain English.
        V, dV: the Lyapunov (or Chetaev) function and its derivative along the field, in
            ``|phi|``, ``|theta|``, ``theta.phi`` (components for non-invariant fields).
        proof: the steps of the sign proof of dV/dt, in plain words.
        zeros: where dV/dt vanishes, a disjunction of conjunctions of equations ``e = 0``
            (``((),)``: everywhere), the norms allowed to be 0.
        invariant_set: LaSalle's largest invariant set in ``{dV/dt = 0}``, as text.
        conserved: quantities with time derivative identically 0.
        orbits: periodic rotations (n >= 2), with radius, frequency and stability.
        convergence: a :class:`~stability.verdicts.Convergence` ("exponential", "sub-exponential")
            or None (not asymptotically stable, or unknown).
        decay_rate: the exponential rate (``|z| ~ exp(-rate t)``) where exponential.
        decay_exponent: p in ``|z| ~ t^(-p)`` predicted for sub-exponential convergence
            (averaging dV/dt's leading term over the linear rotation).
        witness: for instability, initial states near the origin that escape.
        lyapunov_stable: True if Lyapunov stability is proved even when the verdict is undecided.
        globally: True when asymptotic stability is proved global (LaSalle, V radially unbounded,
            the origin the only invariant set in {dV/dt = 0}).
        by_dim: the verdict in dimension 1 and in dimension n >= 2.
        dim_note: when (and why) the verdict differs between n = 1 and n >= 2.
        conditions: for symbolic parameters, the condition under which each verdict holds.
        linear: the linearisation's classification.
        sign, invariant, chetaev: the structured certificate (proved sign of dV/dt with its proof
            steps, LaSalle's set, Chetaev data) behind the text, used for the LaTeX proof.
        escape: for n >= 2, the certificate that trajectories off the collinear states are unbounded
            (:class:`~stability.theory.lyapunov.AreaEscape`), or None.
        quasi: for n = 1 with a nilpotent linear part, the Lyapunov function built from the field's
            leading terms (:class:`~stability.theory.lyapunov.QuasiHomogeneous`), or None.
        decay: the certificate that one player's norm decays exponentially while the other's stays
            bounded (:class:`~stability.theory.lyapunov.DecayingPlayer`), or None.
        branches: the non-smooth pieces of the field replaced by their smooth branch near the origin
            (:class:`~stability.theory.lyapunov.LocalBranch`). When there are any, the verdict is local:
            it holds on the neighbourhood :attr:`neighbourhood` of the origin, nothing is claimed outside.
        analysis: the analysis this verdict is for (read by the numerical confirmation).
    """

    verdict: NonlinearStability
    dim: int
    method: Method
    reason: str
    V: sp.Expr | None = None
    dV: sp.Expr | None = None  # noqa: N815 - the usual name
    proof: tuple[str, ...] = ()
    zeros: DNF | None = None
    invariant_set: str | None = None
    conserved: tuple[sp.Expr, ...] = ()
    orbits: tuple[PeriodicOrbit, ...] = ()
    convergence: Convergence | None = None
    decay_rate: sp.Expr | None = None
    decay_exponent: sp.Expr | None = None
    witness: str | None = None
    lyapunov_stable: bool | None = None
    globally: bool = False
    by_dim: Mapping[str, NonlinearStability] = field(default_factory=dict)
    dim_note: str = ""
    conditions: Mapping[NonlinearStability, sp.Basic] = field(default_factory=dict)
    linear: Classification | str = ""
    sign: Sign | None = field(default=None, repr=False)
    invariant: InvariantSet | None = field(default=None, repr=False)
    chetaev: Chetaev | None = field(default=None, repr=False)
    escape: AreaEscape | None = field(default=None, repr=False)
    quasi: QuasiHomogeneous | None = field(default=None, repr=False)
    decay: DecayingPlayer | None = field(default=None, repr=False)
    branches: tuple[LocalBranch, ...] = ()
    analysis: Any = field(default=None, repr=False)

    @property
    def neighbourhood(self) -> tuple[sp.Boolean, ...]:
        """Where the field equals the smooth branches the verdict was proved for (``()``: everywhere)."""
        return tuple(rel for b in self.branches for rel in b.relations)

    def to_dict(self) -> dict:
        """A JSON-serialisable form (SymPy objects as strings)."""

        def s(x):
            return None if x is None else str(x)

        return {
            "verdict": self.verdict,
            "dim": self.dim,
            "method": self.method,
            "reason": self.reason,
            "V": s(self.V),
            "dV": s(self.dV),
            "proof": list(self.proof),
            "invariant_set": self.invariant_set,
            "conserved": [str(c) for c in self.conserved],
            "orbits": [o.to_dict() for o in self.orbits],
            "convergence": self.convergence,
            "decay_rate": s(self.decay_rate),
            "decay_exponent": s(self.decay_exponent),
            "witness": self.witness,
            "lyapunov_stable": self.lyapunov_stable,
            "globally": self.globally,
            "by_dim": dict(self.by_dim),
            "dim_note": self.dim_note,
            "conditions": {k: str(v) for k, v in self.conditions.items()},
            "linear": self.linear,
            "local": bool(self.branches),
            "neighbourhood": [str(rel) for rel in self.neighbourhood],
            "branches": [b.text for b in self.branches],
        }

    def summary(self) -> str:
        """Readable multi-line text (the ``stability analyze --nonlinear`` section)."""
        lines = [f"nonlinear verdict (n = {self.dim}): {self.verdict}  [{self.method}]"]
        for b in self.branches:
            lines.append(wrap("locally: " + b.text + (f" (so for {b.hint})" if b.hint else "")))
        if self.V is not None:
            lines.append(f"  V      = {self.V}")
            lines.append(f"  dV/dt  = {self.dV}")
        lines += [wrap(step, "    ") for step in self.proof]
        if self.invariant_set:
            lines.append(wrap(f"largest invariant set in {{dV/dt = 0}}: {self.invariant_set}"))
        if self.conserved:
            lines.append("  conserved: " + ", ".join(map(str, self.conserved)))
        for o in self.orbits:
            lines.append(wrap("orbit: " + o.describe()))
        if self.convergence:
            exponential = self.convergence is Convergence.EXPONENTIAL
            rate = self.decay_rate if exponential else self.decay_exponent
            what = "rate" if exponential else "|z| ~ t^(-p), p ="
            lines.append(f"  convergence: {self.convergence}" + (f" ({what} {rate})" if rate is not None else ""))
        if self.witness:
            lines.append(f"  escaping initial states: {self.witness}")
        for k, v in self.conditions.items():
            lines.append(f"    {k} when {v}")
        lines.append("  by dimension: " + ", ".join(f"{k}: {v}" for k, v in self.by_dim.items()))
        lines.append(wrap(self.reason))
        if self.dim_note:
            lines.append(wrap("dimension: " + self.dim_note))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        dims = ", ".join(f"{k}: {v}" for k, v in self.by_dim.items())
        cert = f", V={self.V}" if self.V is not None else ""
        local = ", locally" if self.branches else ""
        return f"NonlinearVerdict({self.verdict!r}, dim={self.dim}, method={self.method!r}{cert}{local}; {dims})"


@dataclass(frozen=True)
class _Finding:
    """The verdict for one dimension class, before it becomes a :class:`NonlinearVerdict`."""

    verdict: NonlinearStability
    method: Method
    reason: str
    V: sp.Expr | None = None
    dV: sp.Expr | None = None  # noqa: N815
    proof: tuple[str, ...] = ()
    zeros: DNF | None = None
    invariant_set: str | None = None
    invariant: InvariantSet | None = None
    sign: Sign | None = None
    chetaev: Chetaev | None = None
    escape: AreaEscape | None = None
    quasi: QuasiHomogeneous | None = None
    decay: DecayingPlayer | None = None
    convergence: Convergence | None = None
    decay_rate: sp.Expr | None = None
    decay_exponent: sp.Expr | None = None
    witness: str | None = None
    lyapunov_stable: bool | None = None
    globally: bool = False
    conserved: tuple[sp.Expr, ...] = ()
    orbits: tuple[PeriodicOrbit, ...] = ()


def _with_certificate(target: _Finding, source: _Finding, **changes) -> _Finding:
    """``target`` carrying ``source``'s certificate (function, proof, invariant set, rates), then ``changes``."""
    return replace(
        target,
        V=source.V,
        dV=source.dV,
        proof=source.proof,
        zeros=source.zeros,
        invariant_set=source.invariant_set,
        invariant=source.invariant,
        sign=source.sign,
        chetaev=source.chetaev,
        escape=source.escape,
        quasi=source.quasi,
        decay=source.decay,
        convergence=source.convergence,
        decay_rate=source.decay_rate,
        decay_exponent=source.decay_exponent,
        globally=source.globally,
        **changes,
    )


def _record(
    record: type[NonlinearVerdict],
    a,
    f: _Finding,
    by_dim: Mapping[str, NonlinearStability],
    note: str,
    branches: tuple[LocalBranch, ...] = (),
) -> NonlinearVerdict:
    return record(
        verdict=f.verdict,
        dim=a.dim,
        method=f.method,
        reason=f.reason,
        V=f.V,
        dV=f.dV,
        proof=f.proof,
        zeros=f.zeros,
        invariant_set=f.invariant_set,
        conserved=f.conserved,
        orbits=f.orbits,
        convergence=f.convergence,
        decay_rate=f.decay_rate,
        decay_exponent=f.decay_exponent,
        witness=f.witness,
        lyapunov_stable=f.lyapunov_stable,
        globally=f.globally,
        by_dim=FrozenMap(dict(by_dim)),
        dim_note=note,
        linear=a.classification,
        sign=f.sign,
        invariant=f.invariant,
        chetaev=f.chetaev,
        escape=f.escape,
        quasi=f.quasi,
        decay=f.decay,
        branches=branches,
        analysis=a,
    )


# --------------------------------------------------------------------------- helpers
def wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)


def _attempt(fn: Callable[[], T], seconds: float, on_failure: Callable[[BaseException], T]) -> T:
    """``fn()`` within ``seconds``; a failure of the exact computation gives ``on_failure(exc)``.

    A :class:`TimeLimitExceeded` of an enclosing, tighter limit is not ours to absorb: it propagates.
    """
    try:
        return call_with_time_limit(fn, seconds)
    except TimeLimitExceeded as exc:
        if exc.seconds != seconds:
            raise
        return on_failure(exc)
    except _FAILURES as exc:
        return on_failure(exc)


def zero_dnf(dv: sp.Expr) -> DNF | None:
    """Where ``dv`` vanishes, norms allowed to be 0: a disjunction of conjunctions of ``e = 0``."""
    sign = closed_sign(dv)
    return None if sign is None else sign.zeros


def _zero_text(zeros: DNF | None) -> str:
    """Where dV/dt vanishes, in words."""
    if zeros is None or zeros == ((),):
        return "everywhere"
    if zeros == ():
        return "nowhere"

    def eq(e):
        if e in (R, R**2):
            return "phi = 0"
        if e in (S, S**2):
            return "theta = 0"
        return f"{e} = 0"

    return " or ".join(" and ".join(eq(e) for e in conj) for conj in zeros)


def _set_text(inv: InvariantSet) -> str:
    if inv.only_origin:
        return "the origin alone"
    return " or ".join("{" + ", ".join(f"{k} = {v}" for k, v in p.items()) + "}" for p in inv.pieces)


def _conserved(system) -> tuple[sp.Expr, ...]:
    """Quantities among |phi|^2, |theta|^2, theta.phi, the energy (and, for n >= 2, the area) with derivative 0."""
    if not isinstance(system, InvariantSystem):
        return ()
    tried = (R**2, S**2, U, R**2 + S**2) + (() if system.dim1 else (AREA,))
    return tuple(q for q in tried if system.lie(q) == 0)


def _local_intro(system, finding: _Finding) -> str:
    """Where the smooth local branches hold, said first in a local verdict's reason."""
    hints = [b.hint for b in system.local if b.hint]
    pieces = "; ".join(b.text for b in system.local)
    where = f"Locally, for {' and '.join(hints)}: " if hints else "Locally: "
    text = (
        where + f"{pieces}, an open neighbourhood of the origin on which the field equals its smooth branch "
        "there. The argument below is made for that local field, so the verdict is local: it concerns "
        "trajectories near the origin, and nothing is claimed outside the neighbourhood."
    )
    if finding.V is not None and finding.chetaev is None and finding.quasi is None:
        text += (
            " V is positive definite, so its sublevel sets {V <= c} with c > 0 small lie inside the "
            "neighbourhood; the argument applies to trajectories starting in them."
        )
    return text + " "


def _inside(system, orbit: PeriodicOrbit) -> bool:
    """Whether every local branch condition is proved > 0 on the whole orbit."""
    for cond in (c for b in system.local for c in b.conditions):
        sign = closed_sign(sp.expand(cond.xreplace(dict(orbit.conditions))))
        if sign is None or not sign.strict or sign.sign < 0:
            return False
    return True


def _linear_rate(a) -> sp.Expr | None:
    """``-max Re(lambda)``, the exponential rate of a Hurwitz linearisation (exact, possibly symbolic).

    None when the real parts cannot be ordered exactly (the verdict does not need the rate).
    """
    parts = a.spectrum.parts if a.spectrum is not None else ()
    if not parts:
        return None
    try:
        return -sp.Max(*[p.real for p in parts])
    except (ValueError, TypeError):  # e.g. a real part written with I (casus irreducibilis): not comparable
        return None


def _sub_exponential(a, system, dv) -> tuple[Convergence | None, sp.Expr | None]:
    """(convergence, power-law exponent) of an asymptotically stable origin with a centre-like linearisation."""
    if not (a.differentiable and a.classification in (Classification.CENTER, Classification.NON_HYPERBOLIC)):
        return None, None
    lead = leading_order(system, dv) if dv is not None else None
    p = sp.Rational(1, lead[0] - 2) if lead and lead[0] > 2 else None
    return Convergence.SUB_EXPONENTIAL, p


def _sign_proof(cand: Candidate, dv: sp.Expr, sign: Sign, zero: str, *, decreasing: bool) -> tuple[str, ...]:
    """The plain-text proof that V is a Lyapunov function (``decreasing``) or a repelling one."""
    proof = [f"{cand.origin}; V is positive definite" + (" and radially unbounded" if decreasing else "")]
    if sign.form is not None and sign.form != dv:
        proof.append(f"dV/dt = {sign.form}")
    proof += [step.text for step in sign.steps if step.rule is not Rule.REWRITE]
    proof.append(f"hence dV/dt {'<=' if decreasing else '>='} 0, with equality exactly where {zero}")
    return tuple(proof)


# --------------------------------------------------------------------------- the linearisation
def _linear_finding(a) -> _Finding | None:
    """The verdict of a decisive linearisation (Lyapunov's indirect method), or None."""
    if a.classification == Classification.STABLE:
        rate = _linear_rate(a)
        text = (
            "The linearisation is decisive: every eigenvalue of the Jacobian at the origin has negative real "
            "part, so by Lyapunov's indirect method (Hartman-Grobman) the origin is locally exponentially "
            "asymptotically stable" + (f" (rate {rate})." if rate is not None else ".")
        )
        return _Finding(
            _ASYMPTOTIC,
            Method.LINEARIZATION,
            text,
            convergence=Convergence.EXPONENTIAL,
            decay_rate=rate,
            lyapunov_stable=True,
        )
    if a.classification == Classification.UNSTABLE:
        text = (
            "The linearisation is decisive: the Jacobian at the origin has an eigenvalue with positive "
            "real part, so by Lyapunov's indirect method (Hartman-Grobman) the origin is unstable."
        )
        return _Finding(_UNSTABLE, Method.LINEARIZATION, text, lyapunov_stable=False)
    return None


def _strengthen(a, system, linear: _Finding) -> _Finding:
    """A decisive linearisation, plus LaSalle's proof that the attraction is global when one is found in time."""
    if linear.verdict is not _ASYMPTOTIC:
        return linear
    found = _attempt(lambda: _lyapunov_attempt(a, system), EXTRAS_BUDGET, lambda exc: None)
    if found is None or not found.globally:
        return linear
    return replace(
        linear,
        reason=linear.reason + " Moreover, globally: " + found.reason,
        V=found.V,
        dV=found.dV,
        proof=found.proof,
        zeros=found.zeros,
        invariant_set=found.invariant_set,
        invariant=found.invariant,
        sign=found.sign,
        globally=True,
    )


# --------------------------------------------------------------------------- Lyapunov and LaSalle
def _conserved_finding(system, cand: Candidate) -> _Finding:
    text = (
        f"{cand.origin}. Its derivative along the field is identically 0: V is a conserved, positive "
        "definite quantity. Each trajectory stays on its level set {V = V(z0)}: the origin is "
        "Lyapunov-stable (sublevel sets are invariant neighbourhoods) but not asymptotically stable "
        "(V keeps its positive initial value)."
    )
    if system.dim1 and system.local:
        text += (
            " In dimension 1 the small level curves of V are closed curves inside the neighbourhood, free of "
            "equilibria other than the origin: every orbit near the origin is periodic."
        )
    elif system.dim1:
        text += (
            " In dimension 1 the phase plane is filled with the closed level curves of V, free of "
            "equilibria other than the origin: every other orbit is periodic."
        )
    proof = ("dV/dt = 0 identically (the terms cancel exactly)",)
    return _Finding(_STABLE, Method.CONSERVED, text, V=cand.V, dV=sp.S.Zero, proof=proof, lyapunov_stable=True)


def _try_candidate(a, system, cand: Candidate, continuous: bool) -> _Finding | None:
    """The verdict ``cand`` proves (possibly only Lyapunov stability: "undecided"), or None."""
    dv = system.lie(cand.V)
    if dv == 0:
        return _conserved_finding(system, cand)
    closed = closed_sign(dv)  # on the closed domain: the proof shown, and where dV/dt = 0
    sign = closed if closed is not None else prove_sign(dv, system.quadratic_symbols)
    if sign is None:
        return None
    if sign.nonnegative and sign.sign > 0 and continuous:
        return _repeller(system, cand, dv, sign, None if closed is None else closed.zeros)
    if not sign.nonpositive:
        return None
    return _lasalle(a, system, cand, dv, sign, None if closed is None else closed.zeros, continuous)


def _lyapunov_attempt(a, system) -> _Finding | None:
    """Try each candidate: the first conclusive verdict, else the last partial one, else None."""
    continuous = a.linearization.equilibrium is True
    partial = None
    for cand in candidates(system, a.block):
        found = _try_candidate(a, system, cand, continuous)
        if found is None:
            continue
        if found.verdict is _UNDECIDED:
            partial = found
            continue
        return found
    return partial


def _lasalle(a, system, cand: Candidate, dv: sp.Expr, sign: Sign, zeros: DNF | None, continuous: bool) -> _Finding:
    """dV/dt <= 0: Lyapunov stability, then LaSalle's largest invariant set in {dV/dt = 0} decides the rest."""
    zero = _zero_text(zeros)
    proof = _sign_proof(cand, dv, sign, zero, decreasing=True)
    base = _Finding(
        _UNDECIDED, Method.LYAPUNOV, "", V=cand.V, dV=dv, proof=proof, zeros=zeros, sign=sign, lyapunov_stable=True
    )
    if not continuous:
        return replace(
            base,
            reason="dV/dt <= 0 makes the origin Lyapunov-stable, but the field is discontinuous at the origin, so "
            "LaSalle's invariance principle does not apply: asymptotic stability is undecided.",
        )
    try:
        inv = largest_invariant_set(system, dv, zero)
    except Undecided as exc:
        return replace(
            base,
            reason=f"dV/dt <= 0 makes the origin Lyapunov-stable; LaSalle's largest invariant set in "
            f"{{dV/dt = 0}} could not be computed ({exc}), so asymptotic stability is undecided.",
        )
    base = replace(base, invariant_set=_set_text(inv), invariant=inv)
    head = f"V = {cand.V} has dV/dt = {dv} <= 0 (see the proof), vanishing exactly where {zero}. "
    if inv.only_origin:
        return _global_attraction(a, system, base, head)
    return _beyond_origin(a, system, cand, base, head, inv)


def _global_attraction(a, system, base: _Finding, head: str) -> _Finding:
    text = head + (
        "The largest invariant set inside {dV/dt = 0} is the origin alone "
        f"({'in dimension 1, ' if system.dim1 else ''}every other point there leaves it), so by "
    )
    if system.local:
        text += (
            "LaSalle's invariance principle, applied inside a sublevel set {V <= c} contained in the "
            "neighbourhood (it is invariant), every trajectory starting there converges to the origin: it is "
            "locally asymptotically stable."
        )
    else:
        text += (
            "LaSalle's invariance principle (V radially unbounded) every trajectory converges to the "
            "origin: it is globally asymptotically stable."
        )
    conv, p = _sub_exponential(a, system, base.dV)
    if conv is Convergence.SUB_EXPONENTIAL:
        text += " The linearisation is a centre, so the convergence is not exponential" + (
            f": averaging the leading term of dV/dt over the rotation gives |z| ~ t^(-{p})." if p else "."
        )
    return replace(
        base,
        verdict=_ASYMPTOTIC,
        method=Method.LASALLE,
        reason=text,
        convergence=conv,
        decay_exponent=p,
        globally=not system.local,
    )


def _beyond_origin(a, system, cand: Candidate, base: _Finding, head: str, inv: InvariantSet) -> _Finding:
    """LaSalle's set holds more than the origin: stable if it reaches the origin, else locally attracting."""
    values = [sp.simplify(cand.V.xreplace(piece)) for piece in inv.pieces]
    if any(v.free_symbols & set(system.variables) for v in values):
        text = head + (
            f"The largest invariant set inside {{dV/dt = 0}} is {_set_text(inv)}: more than the origin. "
            "On it V is constant, and it holds points arbitrarily close to the origin, whose trajectories "
            "keep V at its positive value and never converge. So the origin is Lyapunov-stable (V is "
            "non-increasing) but not asymptotically stable; by LaSalle every trajectory approaches that set."
        )
        return replace(base, verdict=_STABLE, method=Method.LASALLE, reason=text)
    v_min = sp.Min(*values)
    text = head + (
        f"The largest invariant set inside {{dV/dt = 0}} is {_set_text(inv)}, where V >= {v_min} > 0; "
        f"inside the sublevel set {{V < {v_min}}} only the origin is invariant, so by LaSalle the origin is "
        "locally asymptotically stable, attracting at least that set"
        + (" (where it lies inside the neighbourhood)." if system.local else ".")
    )
    conv, p = _sub_exponential(a, system, base.dV)
    return replace(base, verdict=_ASYMPTOTIC, method=Method.LASALLE, reason=text, convergence=conv, decay_exponent=p)


def _repeller(system, cand: Candidate, dv: sp.Expr, sign: Sign, zeros: DNF | None) -> _Finding | None:
    """dV/dt >= 0 and LaSalle's set {0}: in reversed time the origin attracts everything, so it is unstable."""
    zero = _zero_text(zeros)
    try:
        inv = largest_invariant_set(system, dv, zero)
    except Undecided:
        return None
    if not inv.only_origin:
        return None
    text = (
        f"V = {cand.V} has dV/dt = {dv} >= 0 (see the proof), vanishing exactly where {zero}, and the largest "
        "invariant set inside {dV/dt = 0} is the origin alone. A trajectory starting at z0 != 0 keeps "
        "V >= V(z0) > 0; if it stayed in a small ball its limit set would be invariant inside {dV/dt = 0}, "
        "i.e. the origin, where V = 0: impossible. So every trajectory leaves a neighbourhood of the origin "
        + (
            "(in reversed time the origin attracts a neighbourhood)"
            if system.local
            else "(in reversed time the origin is globally asymptotically stable)"
        )
        + ": unstable, a repeller."
    )
    return _Finding(
        _UNSTABLE,
        Method.LASALLE,
        text,
        V=cand.V,
        dV=dv,
        proof=_sign_proof(cand, dv, sign, zero, decreasing=False),
        zeros=zeros,
        invariant_set=_set_text(inv),
        invariant=inv,
        sign=sign,
        lyapunov_stable=False,
    )


# --------------------------------------------------------------------------- Chetaev, or nothing
def _chetaev_finding(che: Chetaev) -> _Finding:
    text = (
        f"Chetaev's theorem with V = {che.V}: V > 0 on {{{che.region}}}, whose boundary contains the origin, "
        "and dV/dt > 0 there near the origin (see the proof). Trajectories starting in that region "
        "arbitrarily close to the origin leave a fixed neighbourhood of it: the origin is unstable."
    )
    return _Finding(
        _UNSTABLE,
        Method.CHETAEV,
        text,
        V=che.V,
        dV=che.dV,
        proof=che.proof,
        witness=che.witness,
        lyapunov_stable=False,
        chetaev=che,
    )


def _no_certificate(a, system) -> _Finding:
    tried = ", ".join(str(c.V) for c in candidates(system, a.block))
    chet = (
        "no Chetaev function was found among |phi|^2, |theta|^2, +-theta.phi"
        if isinstance(system, InvariantSystem)
        else "Chetaev functions are only searched for rotation-invariant fields"
    )
    return _Finding(
        _UNDECIDED,
        Method.NONE,
        f"No certificate found: the sign of dV/dt could not be proved for V in {{{tried}}}, and {chet}. "
        f"(The linearisation is {a.classification}, which does not decide.)" + _what_is_known(system),
    )


def _what_is_known(system) -> str:
    """What was proved although no verdict follows: monotone norms, planes of equilibria, the area."""
    if not isinstance(system, InvariantSystem):
        return ""
    f, notes = system.field, []
    for name, w, plane, still in (
        ("phi", R**2, {R: sp.S.Zero, U: sp.S.Zero}, (f.b, f.d)),
        ("theta", S**2, {S: sp.S.Zero, U: sp.S.Zero}, (f.c, f.a)),
    ):
        dw = system.lie(w)
        sign = closed_sign(dw) if dw != 0 else None
        if dw == 0:
            notes.append(f"|{name}|^2 is conserved, which bounds {name} only")
        elif sign is not None and sign.nonpositive:
            notes.append(f"|{name}|^2 never increases (d/dt |{name}|^2 = {dw} <= 0), which bounds {name} only")
        try:
            if all(system.reduce(e, plane) == 0 for e in still):
                notes.append(
                    f"every state with {name} = 0 is an equilibrium, so the origin is not asymptotically stable"
                )
        except Undecided:
            pass
    if not system.dim1:
        trace = sp.simplify(f.a + f.d)
        notes.append(
            "for n >= 2 the area |phi|^2 |theta|^2 - (theta.phi)^2 changes at the rate 2(a + d) times itself, "
            f"a + d = {trace}" + ("" if trace == 0 else " (the area argument needs a + d >= 0)")
        )
    else:
        notes.append(
            "the quasi-homogeneous construction (dimension 1) needs a polynomial field with a nilpotent, non-zero "
            "linear part and a sign of dV/dt near the origin"
        )
    return " Proved nonetheless, or tried: " + "; ".join(notes) + "."


def _inconclusive(exc: BaseException) -> _Finding:
    return _Finding(
        _UNDECIDED,
        Method.NONE,
        f"No certificate: the exact computation did not conclude ({type(exc).__name__}: {exc}).",
    )


def _area_finding(esc: AreaEscape) -> _Finding:
    zero = _zero_text(esc.sign.zeros)
    area = "A = |phi|^2 |theta|^2 - (theta.phi)^2"
    if esc.conserved:
        growth = f"{area} (the squared area of the parallelogram of phi and theta) is conserved: dA/dt = 2(a + d)A = 0"
    else:
        growth = (
            f"{area} (the squared area of the parallelogram of phi and theta) never decreases: dA/dt = 2(a + d)A "
            f"with a + d = {esc.trace} >= 0"
        )
    text = (
        f"For n >= 2, W = {esc.W} never increases: dW/dt = {esc.dW} <= 0 (see the proof), vanishing exactly where "
        f"{zero}. {growth}. A trajectory with A > 0 (phi0 and theta0 linearly independent) cannot stay bounded: "
        "its limit set would be non-empty, compact and invariant, and inside {dW/dt = 0} (W is non-increasing and "
        f"bounded on it), hence inside LaSalle's largest invariant set there, {_set_text(esc.invariant)}, where "
        "A = 0; yet A >= A(z0) > 0 along the trajectory and so on its limit set. Every such trajectory is "
        "unbounded, and such states exist arbitrarily close to the origin: the origin is unstable."
    )
    proof = [f"W = {esc.W}"]
    if esc.sign.form is not None and esc.sign.form != esc.dW:
        proof.append(f"dW/dt = {esc.sign.form}")
    proof += [step.text for step in esc.sign.steps if step.rule is not Rule.REWRITE]
    proof.append(f"hence dW/dt <= 0, with equality exactly where {zero}")
    proof.append(f"A = |phi|^2 |theta|^2 - (theta.phi)^2 has dA/dt = 2(a + d) A, a + d = {esc.trace}")
    if esc.trace_sign is not None:
        proof += [step.text for step in esc.trace_sign.steps]
    proof.append(f"largest invariant set in {{dW/dt = 0}}: {_set_text(esc.invariant)}, where the area is 0")
    return _Finding(
        _UNSTABLE,
        Method.LASALLE,
        text,
        V=esc.W,
        dV=esc.dW,
        proof=tuple(proof),
        zeros=esc.sign.zeros,
        invariant_set=_set_text(esc.invariant),
        invariant=esc.invariant,
        sign=esc.sign,
        escape=esc,
        witness="phi0 and theta0 linearly independent (e.g. phi0 = eps e1, theta0 = eps e2), however small",
        lyapunov_stable=False,
    )


def _equilibria_text(q: QuasiHomogeneous) -> str:
    pieces = []
    for sol in q.equilibria:
        free = [v for v in q.variables if v not in sol]
        eqs = ", ".join(f"{k} = {v}" for k, v in sol.items())
        pieces.append("{" + eqs + (f", {', '.join(map(str, free))} free" if free else "") + "}")
    return " and ".join(pieces) or "the origin alone"


def _quasi_finding(a, q: QuasiHomogeneous) -> _Finding:
    x, y = q.x, q.y
    p, w = q.weights
    region = " and ".join(f"{e} > 0" for e in q.sign.region)
    where = f" on the neighbourhood {{{region}}} of the origin" if region else ""
    head = (
        f"In dimension 1 the Jacobian at the origin is nilpotent (the linearisation is {a.classification}), so "
        f"neither it nor a quadratic V decides. With weights deg {x} = {p}, deg {y} = {w}, the field's leading "
        f"terms are {x}' = {q.truncated[0]}, {y}' = {q.truncated[1]}, which conserve F = {q.F}; along the full "
        f"field dF/dt = {q.dF}. V = F^2 + {x}^2 = {q.V} is positive definite (it vanishes only where {x} = 0 and "
        f"F = {q.F.xreplace({x: 0})} = 0) and dV/dt = {q.dV} <= 0{where} (see the proof): by Lyapunov's theorem "
        "the origin is Lyapunov-stable."
    )
    proof = [
        f"weights deg {x} = {p}, deg {y} = {w}: leading terms {x}' = {q.truncated[0]}, {y}' = {q.truncated[1]}",
        f"F = {q.F}: dF/dt = 0 along the leading terms; along the field dF/dt = {q.dF}",
        f"V = F^2 + {x}^2 >= 0, = 0 only at the origin",
    ]
    if q.sign.form is not None and q.sign.form != q.dV:
        proof.append(f"dV/dt = {q.sign.form}")
    proof += [step.text for step in q.sign.steps if step.rule is not Rule.REWRITE]
    proof.append(f"hence dV/dt <= 0{where}")
    base = _Finding(
        _UNDECIDED,
        Method.LYAPUNOV,
        "",
        V=q.V,
        dV=q.dV,
        proof=tuple(proof),
        zeros=q.sign.zeros,
        sign=q.sign,
        quasi=q,
        lyapunov_stable=True,
    )
    if q.accumulate:
        text = head + (
            f" It is not asymptotically stable: the equilibria {_equilibria_text(q)} come arbitrarily close to the "
            "origin, and a trajectory starting at one of them stays there."
        )
        return replace(base, verdict=_STABLE, reason=text)
    text = head + (
        f" Asymptotic stability is undecided: the equilibria are {_equilibria_text(q)}, and no argument for "
        "convergence was found."
    )
    return replace(base, reason=text)


def _decay_finding(dp: DecayingPlayer) -> _Finding:
    me, other = dp.player, dp.other
    region = " and ".join(f"{e} > 0" for e in dp.region)
    where = f" on the neighbourhood {{{region}}} of the origin" if region else ""
    own = "a |phi|^2 + b theta.phi" if me == "phi" else "c theta.phi + d |theta|^2"
    damp, coup = ("d", "c") if me == "phi" else ("a", "b")
    damping = f"{damp} = 0" if dp.damping == 0 else f"{damp} = {dp.damping} <= 0"
    t, big_c, start = sp.Symbol("t"), sp.Symbol("C"), sp.Symbol(f"|{me}0|")
    text = (
        f"W = |{me}|^2 decays exponentially near the origin: (1/2) dW/dt = {own} <= {-dp.rate * dp.W}, since "
        f"{dp.bound} <= 0{where} (see the proof), so |{me}(t)| <= {start * sp.exp(-dp.rate * t)}. Meanwhile "
        f"{damping}, so d/dt |{other}|^2 <= 2 |{coup}| |theta.phi| and |{other}|' <= |{coup}| |{me}|, with "
        f"{coup} = {dp.coupling} continuous at the origin (|{coup}| <= C near it): |{other}(t)| <= |{other}0| + "
        f"{big_c * start / dp.rate}. Trajectories starting close enough to the origin stay in a small ball around "
        "it: the origin is Lyapunov-stable, in every dimension."
    )
    proof = [f"W = |{me}|^2: (1/2) dW/dt + {dp.rate * dp.W} = {dp.bound}"]
    for sign in (dp.sign, dp.damping_sign):
        if sign is None:
            continue
        if sign.form is not None:
            proof.append(f"= {sign.form}")
        proof += [step.text for step in sign.steps if step.rule is not Rule.REWRITE]
    proof.append(f"hence (1/2) dW/dt <= {-dp.rate * dp.W} and {damping}{where}")
    base = _Finding(
        _UNDECIDED,
        Method.LYAPUNOV,
        "",
        V=dp.W,
        dV=sp.expand(2 * (dp.bound - dp.rate * dp.W)),
        proof=tuple(proof),
        sign=dp.sign,
        decay=dp,
        lyapunov_stable=True,
    )
    if dp.equilibria:
        still = "b theta = 0 and theta' = d theta = 0" if me == "phi" else "c phi = 0 and phi' = a phi = 0"
        text += (
            f" It is not asymptotically stable: every state with {me} = 0 is an equilibrium (there "
            f"{me}' = {still}), and such states come arbitrarily close to the origin."
        )
        return replace(base, verdict=_STABLE, reason=text)
    return replace(base, reason=text + " Whether trajectories converge to the origin is undecided.")


def _search(a, system) -> _Finding:
    """Lyapunov candidates, then Chetaev, the area (n >= 2), a quasi-homogeneous V (n = 1 nilpotent).

    A partial Lyapunov result (stability only) is returned if nothing concludes.
    """
    found = _lyapunov_attempt(a, system)
    if found is not None and found.verdict is not _UNDECIDED:
        return found
    che = chetaev(system)
    if che is not None:
        return _chetaev_finding(che)
    if found is None or not found.lyapunov_stable:
        esc = area_escape(system, a.block)
        if esc is not None:
            return _area_finding(esc)
    if found is None:
        decay = decaying_player(system, a.block)
        if decay is not None:
            return _decay_finding(decay)
        quasi = nilpotent_lyapunov(system)
        if quasi is not None:
            return _quasi_finding(a, quasi)
    return found if found is not None else _no_certificate(a, system)


def _orbits(system) -> tuple[tuple[PeriodicOrbit, ...], str]:
    """The periodic rotations, and a note when their search did not conclude."""
    if not isinstance(system, InvariantSystem):
        return (), ""

    def failed(exc: BaseException) -> None:
        return None

    found = _attempt(lambda: rotation_orbits(system), EXTRAS_BUDGET, failed)
    if found is None:
        return (), " (The search for periodic rotations did not conclude; none are reported.)"
    return found, ""


def _decide(a, system, raw=None) -> _Finding:
    """The verdict for one dimension class of ``a`` (``system.dim1`` tells which).

    ``system`` may be :func:`~stability.theory.lyapunov.localized` (its non-smooth pieces replaced
    near the origin); ``raw`` is then the true system, whose conserved quantities are reported.
    A decisive linearisation settles the verdict: only the quick global strengthening runs, no
    search for certificates or periodic rotations.
    """
    raw = system if raw is None else raw
    linear = _linear_finding(a)  # decisive linearisations need no search
    conserved = _attempt(lambda: _conserved(raw), EXTRAS_BUDGET, lambda exc: ())
    if linear is not None:
        found = linear if system.local else _strengthen(a, system, linear)
        return replace(found, conserved=conserved)
    orbits, orbit_note = _orbits(system)
    if system.local:
        kept = tuple(o for o in orbits if _inside(system, o))
        if len(kept) < len(orbits):
            orbit_note += " (Rotations of the local field outside the neighbourhood are not reported.)"
        orbits = kept
    found = _attempt(lambda: _search(a, system), TIME_BUDGET, _inconclusive)
    intro = _local_intro(system, found) if system.local else ""
    return replace(found, conserved=conserved, orbits=orbits, reason=intro + found.reason + orbit_note)


# --------------------------------------------------------------------------- dimensions
def _transfer(r1: _Finding, rn: _Finding) -> tuple[_Finding, _Finding]:
    """Collinear states are an invariant subspace carrying the dim-1 dynamics."""
    if r1.verdict is _UNSTABLE and rn.verdict is _UNDECIDED:
        rn = _with_certificate(
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
        r1 = _with_certificate(
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


def _dim_note(r1: _Finding, rn: _Finding) -> str:
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
    return _record(record, a, r1 if a.dim == 1 else rn, by_dim, _dim_note(r1, rn), system.local)


def _component_verdict(record: type[NonlinearVerdict], a) -> NonlinearVerdict:
    raw = component_system(a)
    system = localized(raw)
    found = _decide(a, system, raw)
    label = DIM1 if a.dim == 1 else DIMN
    note = (
        f"Custom variant defined in components in dimension {a.dim} only; the verdict is for n = {a.dim} "
        "(no rotation invariance to relate other dimensions)."
    )
    return _record(record, a, found, {label: found.verdict}, note, system.local)


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
