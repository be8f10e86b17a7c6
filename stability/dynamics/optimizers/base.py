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

import copy
from abc import ABC, abstractmethod
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Protocol

import sympy as sp

from ...errors import InvalidParameterError
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

    def numeric(self) -> LearningRate:
        """The rates as Python floats (for the NumPy backend); a symbolic rate is refused."""
        return LearningRate(_as_float("the learning rate h_d", self.d), _as_float("the learning rate h_g", self.g))


class Game(Protocol):
    """What an update rule may ask of the game at a point, in one backend.

    ``field(phi, theta)`` is ``(F_phi, F_theta)``; ``offdiag(phi, theta)`` the off-diagonal blocks
    ``(dF_phi/dtheta, dF_theta/dphi)`` of the field's Jacobian (n x n each); ``matvec(A, v)`` and
    ``solve(A, v)`` apply an n x n block (or its inverse) to a vector (``matvec`` also multiplies
    two blocks); ``identity(v)`` is the n x n identity shaped for ``v``; ``multiply``, ``sqrt`` and
    ``divide`` act elementwise (adaptive optimisers only: the SymPy backends raise, since those
    rules have no derivative at the equilibrium).
    """

    def field(self, phi, theta) -> tuple: ...
    def offdiag(self, phi, theta) -> tuple: ...
    def matvec(self, a, v): ...
    def solve(self, a, v): ...
    def identity(self, v): ...
    def multiply(self, a, b): ...
    def sqrt(self, v): ...
    def divide(self, a, b): ...


class Optimizer(ABC):
    """An update rule ``state -> state``; subclasses are frozen dataclasses of hyperparameters.

    Class attributes: ``name`` (the registry key), ``source`` (the paper), ``latex`` (the rule,
    typeset), ``memory`` (extra (phi, theta) pairs in the state), ``differentiable`` (False for
    rules with no derivative at the equilibrium, with ``reason``), ``description`` (one line).
    Hyperparameters are exact SymPy numbers (or symbols) so that the SymPy backends stay exact;
    :meth:`numeric` gives the float copy the NumPy backend runs, :meth:`constraints` the domain
    of each symbolic hyperparameter (``DOMAINS``: field name -> SymPy interval).
    """

    name: ClassVar[str] = ""
    description: ClassVar[str] = ""
    DOMAINS: ClassVar[dict[str, sp.Interval]] = {}
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

    def numeric(self) -> Optimizer:
        """A copy whose hyperparameters are Python floats (counts and flags unchanged), for the NumPy backend.

        Raises:
            InvalidParameterError: if a hyperparameter is still symbolic.
        """
        clone = copy.copy(self)
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, (Optimizer, LearningRate)):
                value = value.numeric()
            elif isinstance(value, sp.Basic):
                value = _as_float(f"{self.name}'s {f.name}", value)
            object.__setattr__(clone, f.name, value)
        return clone

    def constraints(self) -> sp.Boolean:
        """The domain of every symbolic hyperparameter (also of a base optimiser's), as one relation.

        ``sp.true`` when no hyperparameter is symbolic.
        """
        parts = []
        for f in fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, Optimizer):
                parts.append(value.constraints())
            elif isinstance(value, LearningRate):
                parts += [sp.Gt(v, 0) for v in (value.d, value.g) if isinstance(v, sp.Basic) and v.free_symbols]
            elif isinstance(value, sp.Basic) and value.free_symbols and f.name in self.DOMAINS:
                parts.append(self.DOMAINS[f.name].contains(value))
        return sp.And(*parts)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v}" for k, v in self.hyperparameters().items())
        return f"{self.name}({args})"


def sympy_number(value) -> sp.Expr:
    """An exact SymPy number or expression for a hyperparameter (floats via their repr: 0.1 -> 1/10)."""
    return to_sympy_value(value)


def _as_float(what: str, value) -> float:
    if isinstance(value, sp.Basic) and value.free_symbols:
        symbols = ", ".join(sorted(map(str, value.free_symbols)))
        raise InvalidParameterError(
            f"iterating the update needs numbers; {what} = {value} is symbolic (in {symbols}): pass a number"
        )
    return float(value)
