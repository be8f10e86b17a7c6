"""Update maps: an optimiser's rule applied to a field, exactly (SymPy) or to its linearisation.

:class:`SympyGame` runs a rule on SymPy column vectors. With :meth:`SympyGame.linear` the field is
``F(z) = J z`` and the rule's result is linear in the state, so :func:`map_jacobian` reads off the
exact Jacobian ``M`` of the update map at the equilibrium (see
:mod:`stability.dynamics.optimizers.base` for why this is the chain rule, not an approximation).
For a rotation-invariant field ``J = B (x) I_n``; the rule commutes with ``(x) I_n``, so ``M`` is
computed on the 2x2 block ``B`` and is again ``M_B (x) I_n``.

>>> import sympy as sp
>>> from stability.dynamics.optimizers import LearningRate, get_optimizer
>>> J = sp.Matrix([[0, -sp.Rational(1, 2)], [sp.Rational(1, 2), 0]])
>>> map_jacobian(get_optimizer("simgd"), J, LearningRate(sp.Rational(1, 5), sp.Rational(1, 5))).tolist()
[[1, -1/10], [1/10, 1]]
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy as sp

from ..errors import StabilityError
from .optimizers.base import LearningRate, Optimizer

__all__ = ["NoLinearization", "SympyGame", "map_jacobian", "state_symbols"]


class NoLinearization(StabilityError):
    """The update rule has no derivative at the equilibrium (e.g. Adam's division by sqrt(v))."""


@dataclass(frozen=True)
class SympyGame:
    """The operations of :class:`~stability.dynamics.optimizers.base.Game` on SymPy column vectors."""

    field_fn: Callable[[sp.Matrix, sp.Matrix], tuple[sp.Matrix, sp.Matrix]]
    offdiag_fn: Callable[[sp.Matrix, sp.Matrix], tuple[sp.Matrix, sp.Matrix]]

    @classmethod
    def linear(cls, jacobian: sp.Matrix) -> SympyGame:
        """The game whose field is ``F(z) = J z`` (state order phi, theta)."""
        k = jacobian.rows // 2
        a, b = jacobian[:k, :k], jacobian[:k, k:]
        c, d = jacobian[k:, :k], jacobian[k:, k:]
        return cls(lambda phi, theta: (a * phi + b * theta, c * phi + d * theta), lambda phi, theta: (b, c))

    def field(self, phi, theta):
        return self.field_fn(phi, theta)

    def offdiag(self, phi, theta):
        return self.offdiag_fn(phi, theta)

    def matvec(self, a, v):
        return a * v

    def solve(self, a, v):
        return a.LUsolve(v)

    def identity(self, v):
        return sp.eye(v.rows)

    def multiply(self, a, b):
        return a.multiply_elementwise(b)

    def sqrt(self, v):
        raise NoLinearization("the update divides by a square root of squared gradients, which vanish there")

    def divide(self, a, b):
        raise NoLinearization("the update divides by a quantity that vanishes at the equilibrium")


def state_symbols(optimizer: Optimizer, k: int) -> tuple[sp.Matrix, ...]:
    """Column vectors of symbols for the state ``(phi, theta, *memory)``, ``k`` components each."""
    names = ["phi", "theta"] + [f"{v}_m{i}" for i in range(1, optimizer.memory + 1) for v in ("phi", "theta")]
    return tuple(sp.Matrix(sp.symbols(f"{name}_1:{k + 1}", real=True)) for name in names)


def map_jacobian(optimizer: Optimizer, jacobian: sp.Matrix, lr: LearningRate) -> sp.Matrix:
    """The exact Jacobian at the equilibrium of ``optimizer``'s update map for a field with Jacobian ``J``.

    The state is ``(phi, theta, *memory)``; the result is square of size ``(2 + 2 memory) k`` for
    a ``2k x 2k`` ``jacobian``.
    """
    if not optimizer.differentiable:
        raise NoLinearization(optimizer.reason)
    k = jacobian.rows // 2
    state = state_symbols(optimizer, k)
    out = optimizer.step(SympyGame.linear(jacobian), state, lr)
    if len(out) != len(state):
        raise StabilityError(f"optimizer {optimizer.name!r} returned {len(out)} state parts; expected {len(state)}")
    variables = [s for part in state for s in part]
    return sp.Matrix.vstack(*out).jacobian(variables).applyfunc(sp.expand)
