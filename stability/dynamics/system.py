"""The two time domains as one concept: a *flow* ``z' = F(z)`` or a *map* ``z_{k+1} = G(z_k)``.

A :class:`Flow` is gradient flow on the training field (the post's setting); a :class:`Map` is
training with an optimiser and learning rates, whose update ``G`` is the optimiser's rule applied
to the same field. Later stages ask a system for its ``time_domain`` and, for a map, its
``optimizer`` and ``lr``; the stability criterion follows from the time domain (Hurwitz for flows,
Schur for maps, see :mod:`stability.theory.criteria`).

>>> resolve_learning_rate(0.1)
LearningRate(d=1/10, g=1/10)
>>> resolve_learning_rate({"d": 0.1, "g": 0.05})
LearningRate(d=1/10, g=1/20)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import sympy as sp

from ..errors import InvalidParameterError
from ..model.params import to_sympy_value
from ..verdicts import TimeDomain
from .field import Dynamics
from .optimizers import LearningRate, Optimizer

__all__ = ["Flow", "Map", "resolve_learning_rate"]


@dataclass(frozen=True)
class Flow:
    """Gradient flow ``z' = F(z)`` on the training field."""

    dynamics: Dynamics
    time_domain = TimeDomain.CONTINUOUS


@dataclass(frozen=True)
class Map:
    """Training with ``optimizer`` at learning rates ``lr``: ``state_{k+1} = G(state_k)``."""

    dynamics: Dynamics
    optimizer: Optimizer
    lr: LearningRate
    time_domain = TimeDomain.DISCRETE


def _one_rate(value, name: str) -> sp.Expr:
    if isinstance(value, sp.Symbol):
        if value.is_positive is not True:
            raise InvalidParameterError(
                f"{name} must be > 0; the symbol {value} is not declared positive "
                f"(use sympy.Symbol({value.name!r}, positive=True))"
            )
        return value
    expr = to_sympy_value(value, name)
    if expr.is_positive is not True:
        raise InvalidParameterError(f"{name} must be a number > 0 or a positive SymPy symbol; got {expr}")
    return expr


def resolve_learning_rate(lr) -> LearningRate:
    """``lr`` as exact rates: a number or positive symbol (both players), or ``{"d": h_d, "g": h_g}``."""
    if lr is None:
        raise InvalidParameterError(
            "an optimizer needs a learning rate: pass lr= (e.g. lr=0.1 or lr={'d': .1, 'g': .05})"
        )
    if isinstance(lr, LearningRate):
        return LearningRate(_one_rate(lr.d, "lr['d']"), _one_rate(lr.g, "lr['g']"))
    if isinstance(lr, Mapping):
        keys = set(lr)
        if keys != {"d", "g"}:
            raise InvalidParameterError(
                f"lr as a mapping needs exactly the keys 'd' and 'g'; got {sorted(map(str, keys))}"
            )
        return LearningRate(_one_rate(lr["d"], "lr['d']"), _one_rate(lr["g"], "lr['g']"))
    rate = _one_rate(lr, "lr")
    return LearningRate(rate, rate)
