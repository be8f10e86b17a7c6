"""``momentum``: heavy ball, ``z+ = z + h F(z) + beta (z - z_prev)`` per player, simultaneous or alternating.

``beta`` may be negative ("negative momentum"); with ``alternating=True`` the generator's step uses
the discriminator's new ``phi``. The state is ``(phi, theta, phi_prev, theta_prev)`` (Polyak 1964;
Gidel et al. 2019, "Negative Momentum for Improved Game Dynamics").

>>> import sympy as sp
>>> from stability.dynamics.update import map_jacobian
>>> h, beta = sp.Symbol("h", positive=True), sp.Symbol("beta", real=True)
>>> map_jacobian(Momentum(beta=beta), sp.Matrix([[0, -1], [1, 0]]), LearningRate(h, h)).tolist()
[[beta + 1, -h, -beta, 0], [h, beta + 1, 0, -beta], [1, 0, 0, 0], [0, 1, 0, 0]]
>>> Momentum(beta=1)
Traceback (most recent call last):
...
stability.errors.InvalidParameterError: beta must be in (-1, 1); received 1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from .base import LearningRate, Optimizer
from .hyper import OPEN_UNIT, flag, real_in

__all__ = ["Momentum", "LearningRate"]


@dataclass(frozen=True, repr=False)
class Momentum(Optimizer):
    beta: Any = sp.Rational(9, 10)
    alternating: bool = False

    name = "momentum"
    description = "heavy-ball momentum (negative beta allowed), simultaneous or alternating"
    source = "Polyak 1964; Gidel et al. 2019, Negative Momentum for Improved Game Dynamics"
    latex = (
        r"z_{k+1} = z_k + h F(z_k) + \beta (z_k - z_{k-1})"
        r"\quad\text{(alternating: } F_\theta \text{ at } (\varphi_{k+1}, \theta_k)\text{)}"
    )
    memory = 1
    DOMAINS = {"beta": OPEN_UNIT}

    def __post_init__(self):
        object.__setattr__(self, "beta", real_in("beta", self.beta, OPEN_UNIT))
        object.__setattr__(self, "alternating", flag("alternating", self.alternating))

    def step(self, game, state, lr):
        phi, theta, phi_prev, theta_prev = state
        f_phi, f_theta = game.field(phi, theta)
        phi_next = phi + lr.d * f_phi + self.beta * (phi - phi_prev)
        if self.alternating:
            f_theta = game.field(phi_next, theta)[1]
        theta_next = theta + lr.g * f_theta + self.beta * (theta - theta_prev)
        return phi_next, theta_next, phi, theta
