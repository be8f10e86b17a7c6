"""The nonlinear verdict as a record (:class:`NonlinearVerdict`) and the per-dimension :class:`Finding`.

>>> from stability import analyze
>>> nl = analyze("vanilla_ns", dim=1).nonlinear
>>> isinstance(nl, NonlinearVerdict), nl.verdict
(True, 'asymptotically-stable')
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import sympy as sp

from ..frozen import FrozenMap
from ..verdicts import Classification, Convergence, Method, NonlinearStability
from .lyapunov import (
    AreaEscape,
    Chetaev,
    DecayingPlayer,
    InvariantSet,
    LocalBranch,
    QuasiHomogeneous,
)
from .orbits import PeriodicOrbit
from .signs import DNF, Sign

__all__ = ["NonlinearVerdict", "Finding", "with_certificate", "build_record", "wrap", "NONLINEAR_VERDICTS"]

#: The nonlinear verdicts, in order (the members of :class:`~stability.verdicts.NonlinearStability`).
NONLINEAR_VERDICTS = tuple(NonlinearStability)


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
class Finding:
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


def with_certificate(target: Finding, source: Finding, **changes) -> Finding:
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


def build_record(
    record: type[NonlinearVerdict],
    a,
    f: Finding,
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


def wrap(text: str, indent: str = "  ") -> str:
    """``text`` filled to 100 columns with ``indent``."""
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)
