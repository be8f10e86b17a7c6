"""``consensus``: consensus optimisation, the field ``F <- F - gamma_c grad(1/2 |F|^2)`` (Mescheder et al. 2017).

In the rotation-invariant form ``F = (a phi + b theta, c phi + d theta)`` and
``|F|^2 = Q(|phi|, |theta|, theta.phi)``; the gradient is taken through the invariants
(``grad_phi Q = Q_|phi|/|phi| phi + Q_u theta``, ``grad_theta Q = Q_u phi + Q_|theta|/|theta| theta``).
The linearisation is ``J - gamma_c J^T J``.

>>> from stability import analyze
>>> analyze("vanilla_ns", regularizers={"consensus": 4}).block
Matrix([
[ -1, -1/2],
[1/2,   -1]])
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..params import Parameter
from ..space import DOT, NORM_PHI, NORM_THETA
from .base import FieldTransform


def _tidy(expr: sp.Expr) -> sp.Expr:
    # The gradient is the classical one, where F is differentiable (as automatic differentiation computes it):
    # the Dirac terms of a non-smooth F (hinge's Heaviside) live on a null set and are dropped.
    return sp.expand(sp.cancel(expr.replace(sp.DiracDelta, lambda *args: sp.S.Zero)))


@dataclass(frozen=True)
class Consensus(FieldTransform):
    def invariant(self, field, weight):
        a, b, c, d = field.a, field.b, field.c, field.d
        q = (a**2 + c**2) * NORM_PHI**2 + 2 * (a * b + c * d) * DOT + (b**2 + d**2) * NORM_THETA**2
        half = weight / 2
        q_u = sp.diff(q, DOT)
        return type(field)(
            a=_tidy(a - half * sp.diff(q, NORM_PHI) / NORM_PHI),
            b=_tidy(b - half * q_u),
            c=_tidy(c - half * q_u),
            d=_tidy(d - half * sp.diff(q, NORM_THETA) / NORM_THETA),
        )

    def components(self, field, state, weight):
        half_norm = sum((f**2 for f in field), sp.S.Zero) / 2
        return sp.Matrix([f - weight * sp.diff(half_norm, z) for f, z in zip(field, state)]).applyfunc(
            lambda e: e.replace(sp.DiracDelta, lambda *args: sp.S.Zero)
        )


REGULARIZER = Consensus(
    "consensus",
    "Consensus optimisation: F <- F - gamma_c*grad(|F|^2/2)",
    Parameter("gamma_c", None, "consensus weight", "nonnegative"),
    r"F \leftarrow F - \gamma_{c}\,\nabla\tfrac12\Vert F\Vert^2",
    source="Mescheder, Nowozin & Geiger 2017, sec. 3 (consensus optimization)",
)
