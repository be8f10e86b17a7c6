"""``lookahead``: ``k`` steps of a base optimiser from ``z`` give ``z_k``; then ``z+ = z + alpha (z_k - z)``.

The base optimiser (default ``simgd``) runs on the whole state, so its memory is carried from
one round to the next unchanged; only the parameters are pulled back (Zhang, Lucas, Hinton &
Ba 2019, "Lookahead Optimizer"; Chavdarova et al. 2021, "Taming GANs with Lookahead-Minmax").
A base given by name is resolved by :func:`~stability.dynamics.optimizers.get_optimizer`.

>>> import sympy as sp
>>> from stability.dynamics.update import map_jacobian
>>> h = sp.Symbol("h", positive=True)
>>> M = map_jacobian(Lookahead(k=2, alpha=sp.Rational(1, 2)), sp.Matrix([[0, -1], [1, 0]]), LearningRate(h, h))
>>> M.tolist()  # I + ((I + hJ)^2 - I)/2
[[1 - h**2/2, -h], [h, 1 - h**2/2]]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy as sp

from ...errors import InvalidParameterError
from .base import LearningRate, Optimizer
from .hyper import HALF_OPEN_UNIT, count, real_in
from .simgd import SimGD

__all__ = ["Lookahead", "LearningRate"]


@dataclass(frozen=True, repr=False)
class Lookahead(Optimizer):
    k: int = 5
    alpha: Any = sp.Rational(1, 2)
    base: Optimizer = field(default_factory=SimGD)

    name = "lookahead"
    description = "lookahead: k base steps, then a partial pull-back by alpha"
    source = "Zhang et al. 2019, Lookahead Optimizer; Chavdarova et al. 2021, Taming GANs with Lookahead-Minmax"
    latex = (
        r"\tilde z_0 = z_k,\ \tilde z_{j+1} = \mathrm{base}(\tilde z_j),\quad z_{k+1} = z_k + \alpha(\tilde z_K - z_k)"
    )
    DOMAINS = {"alpha": HALF_OPEN_UNIT}

    def __post_init__(self):
        object.__setattr__(self, "k", count("k", self.k))
        object.__setattr__(self, "alpha", real_in("alpha", self.alpha, HALF_OPEN_UNIT))
        if not isinstance(self.base, Optimizer):
            raise InvalidParameterError(
                f"base must be an optimiser object (resolve a name with get_optimizer('lookahead', base=...) or "
                f"stability.optimizers.lookahead(base=...)); received {type(self.base).__name__} {self.base!r}"
            )

    # the state, and whether there is a derivative, are the base optimiser's
    @property
    def memory(self) -> int:  # type: ignore[override]
        return self.base.memory

    @property
    def differentiable(self) -> bool:  # type: ignore[override]
        return self.base.differentiable

    @property
    def reason(self) -> str:  # type: ignore[override]
        return self.base.reason

    def initial(self, phi, theta) -> tuple:
        return self.base.initial(phi, theta)

    def step(self, game, state, lr):
        phi, theta = state[0], state[1]
        inner = tuple(state)
        for _ in range(self.k):
            inner = self.base.step(game, inner, lr)
        return (phi + self.alpha * (inner[0] - phi), theta + self.alpha * (inner[1] - theta), *inner[2:])
