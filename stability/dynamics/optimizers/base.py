"""What an optimiser is: one update rule, written once, run by every backend.

An optimiser's :meth:`Optimizer.step` maps a *state* to the next one. The state is a tuple of
vectors ``(phi, theta, *memory)``: the players' parameters, then whatever the optimiser carries
(``memory`` extra (phi, theta) pairs, e.g. the previous iterate for heavy ball or optimism). The
rule only uses ``+``, ``-``, scalar ``*`` and the operations of :class:`Game`, so the same code runs

* on SymPy column vectors with the exact field: the nonlinear update map ``G``;
* on SymPy vectors with the *linear* field ``F(z) = J z``: since ``F(0) = 0``, every point the rule
  evaluates ``F`` at is the equilibrium to first order, so the chain rule makes the Jacobian of the
  result the exact Jacobian ``M`` of ``G`` at the equilibrium (also where ``J`` came from ray limits);
* on NumPy arrays of shape ``(K, n)``: ``K`` trajectories iterated at once.

>>> import sympy as sp
>>> from stability.dynamics.optimizers import get_optimizer
>>> opt = get_optimizer("simgd")
>>> opt.name, opt.memory
('simgd', 0)
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Protocol

import sympy as sp

from ...model.params import to_sympy_value

__all__ = ["LearningRate", "Game", "Optimizer"]


@dataclass(frozen=True)
class LearningRate:
    """The step sizes ``h_d`` (discriminator) and ``h_g`` (generator); equal unless TTUR."""

    d: Any
    g: Any

    @property
    def equal(self) -> bool:
        return self.d == self.g


class Game(Protocol):
    """What an update rule may ask of the game at a point, in one backend.

    ``field(phi, theta)`` is ``(F_phi, F_theta)``; ``offdiag(phi, theta)`` the off-diagonal blocks
    ``(dF_phi/dtheta, dF_theta/dphi)`` of the field's Jacobian (n x n each); ``matvec(A, v)`` and
    ``solve(A, v)`` apply an n x n block (or its inverse) to a vector; ``identity(v)`` is the n x n
    identity shaped for ``v``; ``sqrt`` and ``divide`` act elementwise (adaptive optimisers only:
    the SymPy backends raise, since those rules have no derivative at the equilibrium).
    """

    def field(self, phi, theta) -> tuple: ...
    def offdiag(self, phi, theta) -> tuple: ...
    def matvec(self, a, v): ...
    def solve(self, a, v): ...
    def identity(self, v): ...
    def sqrt(self, v): ...
    def divide(self, a, b): ...


class Optimizer(ABC):
    """An update rule ``state -> state``; subclasses are frozen dataclasses of hyperparameters.

    Class attributes: ``name`` (the registry key), ``source`` (the paper), ``latex`` (the rule,
    typeset), ``memory`` (extra (phi, theta) pairs in the state), ``differentiable`` (False for
    rules with no derivative at the equilibrium, with ``reason``).
    """

    name: ClassVar[str] = ""
    source: ClassVar[str] = ""
    latex: ClassVar[str] = ""
    memory: ClassVar[int] = 0
    differentiable: ClassVar[bool] = True
    reason: ClassVar[str] = ""

    @abstractmethod
    def step(self, game: Game, state: tuple, lr: LearningRate) -> tuple:
        """The next state ``(phi+, theta+, *memory+)``."""

    def initial(self, phi, theta) -> tuple:
        """The state at the start: the parameters, and memory equal to them (no history yet)."""
        return (phi, theta) + (phi, theta) * self.memory

    def hyperparameters(self) -> dict[str, Any]:
        """``{name: value}`` of this optimiser's hyperparameters (numbers or SymPy symbols)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}  # type: ignore[arg-type]

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.hyperparameters().items())
        return f"{self.name}({args})"


def sympy_number(value) -> sp.Expr:
    """An exact SymPy number or expression for a hyperparameter (floats via their repr: 0.1 -> 1/10)."""
    return to_sympy_value(value)
