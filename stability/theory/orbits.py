"""Periodic rotations of rotation-invariant fields, found exactly, with their stability.

A solution whose invariants ``r = |phi|``, ``s = |theta|``, ``u = theta.phi`` stay constant
satisfies (see :mod:`stability.theory.lyapunov` for the invariant system)::

    a r^2 + b u = 0,     c u + d s^2 = 0,     (a + d) u + c r^2 + b s^2 = 0.

Conversely, at such a point the coefficients ``a..d`` are constants, the linear flow
``z' = M0 z`` (``M0 = [[a, b], [c, d]]`` there) keeps the invariants constant (they obey a
linear system with this point as an equilibrium), so it solves the nonlinear field too: phi
and theta rotate in their common plane at the angular frequency ``omega = sqrt(det M0)``
(``trace M0 = 0``). Such a rotation needs ``u^2 < r^2 s^2`` (phi, theta independent), so it
exists only in dimension n >= 2.

Stability: the orbits are equilibria of the invariant system; its Jacobian there has one
zero eigenvalue per free parameter of a family. If the remaining eigenvalues have negative
real parts (Routh-Hurwitz, proved by sign rules), the family (a normally hyperbolic
manifold of equilibria of the invariant system) attracts nearby trajectories, each to one
of its orbits; an isolated orbit is then orbitally asymptotically stable.

>>> from stability import analyze
>>> from stability.theory.lyapunov import invariant_system
>>> (orbit,) = rotation_orbits(invariant_system(analyze("vanilla_ns"), dim1=False))
>>> orbit.kind, orbit.frequency, orbit.stability
('family', 1/2, 'attracting')
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from ..frozen import FrozenMap
from ..verdicts import TextEnum
from .lyapunov import InvariantSystem, R, S, U, Undecided, _simplify, solve_constraints
from .signs import prove_sign

__all__ = ["OrbitKind", "OrbitStability", "PeriodicOrbit", "rotation_orbits"]

_X = sp.Symbol("x")


class OrbitKind(TextEnum):
    """A family of rotations (a free radius) or an isolated one."""

    FAMILY = "family"
    ISOLATED = "isolated"


class OrbitStability(TextEnum):
    """How nearby trajectories behave with respect to the rotations (Jacobian of the invariant system)."""

    ATTRACTING = "attracting"
    NEUTRAL = "neutral"
    REPELLING = "repelling"
    UNDECIDED = "undecided"


@dataclass(frozen=True)
class PeriodicOrbit:
    """Periodic rotations with constant ``|phi|``, ``|theta|``, ``theta.phi`` (dimension n >= 2).

    Attributes:
        kind: "family" (a free radius) or "isolated" (radius fixed).
        conditions: the orbit as equations, e.g. ``{theta.phi: 0, |theta|: |phi|}``.
        radius_phi, radius_theta: ``|phi|`` and ``|theta|`` on the orbit (``|phi|`` itself for a family).
        frequency: the angular frequency ``omega`` (period ``2 pi / omega``).
        parameter: the free symbol of a family (``|phi|``), else None.
        stability: "attracting", "neutral", "repelling" or "undecided".
        stability_reason: how that was shown.
        reduced_jacobian: the invariant system's Jacobian there, variables (|phi|, |theta|, theta.phi).
    """

    kind: OrbitKind
    conditions: Mapping[sp.Symbol, sp.Expr]
    radius_phi: sp.Expr
    radius_theta: sp.Expr
    frequency: sp.Expr
    parameter: sp.Symbol | None
    stability: OrbitStability
    stability_reason: str
    reduced_jacobian: sp.ImmutableMatrix

    def describe(self) -> str:
        """One sentence, e.g. "a family of rotations with theta.phi = 0, |theta| = |phi| at frequency 1/2"."""
        cond = ", ".join(f"{k} = {v}" for k, v in self.conditions.items())
        what = "a family of periodic rotations" if self.kind is OrbitKind.FAMILY else "an isolated periodic rotation"
        return (
            f"{what} ({cond}; |phi| = {self.radius_phi}, |theta| = {self.radius_theta}) at angular frequency "
            f"{self.frequency} (n >= 2 only); {self.stability}: {self.stability_reason}"
        )

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "conditions": {str(k): str(v) for k, v in self.conditions.items()},
            "radius_phi": str(self.radius_phi),
            "radius_theta": str(self.radius_theta),
            "frequency": str(self.frequency),
            "parameter": None if self.parameter is None else str(self.parameter),
            "stability": self.stability,
            "stability_reason": self.stability_reason,
        }


def _positive(expr) -> bool | None:
    """True if proved > 0, False if proved <= 0, None if unknown."""
    expr = _simplify(sp.sympify(expr))
    s = prove_sign(expr)
    if s is None:
        return None
    if s.var is None and s.sign > 0 and s.zeros == ():
        return True
    if s.var is None and s.sign <= 0:
        return False
    return None


def _routh_hurwitz(coeffs: list[sp.Expr]) -> tuple[OrbitStability, str]:
    """Roots of the monic polynomial with ``coeffs`` (highest first, leading 1)."""
    deg = len(coeffs) - 1
    c = coeffs[1:]
    pos = [_positive(x) for x in c]
    neg = [_positive(-x) for x in c]
    text = " + ".join(f"({x})*x^{deg - 1 - i}" for i, x in enumerate(c))
    if deg == 0:
        return OrbitStability.UNDECIDED, "no transverse eigenvalue"
    if deg == 1:
        if pos[0]:
            return OrbitStability.ATTRACTING, f"transverse eigenvalue {-c[0]} < 0"
        if neg[0]:
            return OrbitStability.REPELLING, f"transverse eigenvalue {-c[0]} > 0"
    if deg == 2:
        p, q = c
        if pos[0] and pos[1]:
            return (
                OrbitStability.ATTRACTING,
                f"transverse eigenvalues are the roots of x^2 + {text}: both coefficients > 0",
            )
        if _simplify(p) == 0 and pos[1]:
            return (
                OrbitStability.NEUTRAL,
                f"transverse eigenvalues +-i*sqrt({q}) (x^2 + {q}): a centre, linearly neutral",
            )
        if neg[1] or (neg[0] and pos[1]):
            return OrbitStability.REPELLING, f"x^2 + {text} has a root with positive real part"
    if deg == 3:
        p, q, w = c
        hurwitz = _positive(sp.expand(p * q - w))
        if pos[0] and pos[2] and hurwitz:
            return OrbitStability.ATTRACTING, f"Routh-Hurwitz for x^3 + {text}: p > 0, w > 0, p q - w > 0"
        if neg[2]:
            return OrbitStability.REPELLING, f"x^3 + {text} has a positive real root (its value at 0 is negative)"
    return OrbitStability.UNDECIDED, f"the signs of the roots of x^{deg} + {text} are not decided"


def _stability(system: InvariantSystem, sub: dict, family: int) -> tuple[OrbitStability, str, sp.Matrix]:
    rates = system.rates
    jac = sp.Matrix([rates[R], rates[S], rates[U]]).jacobian([R, S, U])
    jac = sp.ImmutableMatrix(jac.applyfunc(lambda e: _simplify(e.xreplace(sub))))
    poly = sp.Poly(sp.expand((_X * sp.eye(3) - jac).det()), _X)
    coeffs = [_simplify(c) for c in poly.all_coeffs()]
    zeros = 0
    while coeffs and coeffs[-1] == 0:
        coeffs.pop()
        zeros += 1
    if zeros < family:
        return OrbitStability.UNDECIDED, "the family direction is not a zero eigenvalue", jac
    if zeros > family:
        return OrbitStability.UNDECIDED, f"{zeros} zero eigenvalues for a {family}-parameter family (degenerate)", jac
    verdict, why = _routh_hurwitz(coeffs)
    return verdict, f"Jacobian of the invariant system there: {zeros} zero eigenvalue(s) along the family; {why}", jac


def rotation_orbits(system: InvariantSystem) -> tuple[PeriodicOrbit, ...]:
    """All rotations with constant invariants (raises :class:`~stability.theory.lyapunov.Undecided`).

    Returns ``()`` in dimension 1, where they cannot exist.
    """
    if system.dim1:
        return ()
    f = system.field
    eqs = [f.a * R**2 + f.b * U, f.c * U + f.d * S**2, (f.a + f.d) * U + f.c * R**2 + f.b * S**2]
    out = []
    for sub in solve_constraints(system, eqs, {}):
        if _positive(system.reduce(R**2 * S**2 - U**2, sub)) is not True:
            continue  # collinear: no rotation
        m0 = sp.Matrix(2, 2, [system.reduce(e, sub) for e in f.coefficients])
        if m0 == sp.zeros(2, 2):
            continue  # a set of equilibria, not orbits
        if _simplify(m0.trace()) != 0:
            raise Undecided(f"constant invariants with trace {m0.trace()} != 0")
        det = _simplify(m0.det())
        if _positive(det) is not True:
            raise Undecided(f"cannot show det {det} > 0 on {sub}")
        omega = sp.simplify(sp.sqrt(det))
        free = ({R, S, U} - set(sub)) | set().union(*[v.free_symbols for v in sub.values()]) & {R, S, U}
        free = sorted(free, key=str)
        stability, why, jac = _stability(system, sub, len(free))
        ordered = {k: sub[k] for k in (U, S, R) if k in sub}
        out.append(
            PeriodicOrbit(
                kind=OrbitKind.FAMILY if free else OrbitKind.ISOLATED,
                conditions=FrozenMap(ordered),
                radius_phi=sub.get(R, R),
                radius_theta=sub.get(S, S),
                frequency=omega,
                parameter=free[0] if len(free) == 1 else None,
                stability=stability,
                stability_reason=why,
                reduced_jacobian=jac,
            )
        )
    return tuple(out)
