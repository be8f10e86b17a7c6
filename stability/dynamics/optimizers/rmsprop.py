"""``rmsprop``: RMSprop per player, ``v <- rho v + (1 - rho) F^2``, ``z <- z + h F / (sqrt(v) + eps)``.

The state is ``(phi, theta, v_phi, v_theta)`` (Tieleman & Hinton 2012, Lecture 6.5 of "Neural
Networks for Machine Learning"; ``rho = 0.9`` as there). Numeric only: ``v`` vanishes at the
equilibrium and the step goes through ``sqrt(v)``, which has no derivative there.

>>> RMSprop(rho=0.99)
rmsprop(rho=0.99, eps=1e-08)
>>> RMSprop(rho=1.0)
Traceback (most recent call last):
...
stability.errors.InvalidParameterError: rho must be in [0, 1); received 1.0
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import LearningRate, Optimizer
from .hyper import fraction

__all__ = ["RMSprop", "LearningRate"]


@dataclass(frozen=True, repr=False)
class RMSprop(Optimizer):
    rho: float = 0.9
    eps: float = 1e-8

    name = "rmsprop"
    description = "RMSprop (numeric only: no derivative at the equilibrium)"
    source = "Tieleman & Hinton 2012, Lecture 6.5 (rmsprop)"
    latex = r"v_{k+1} = \rho v_k + (1-\rho) F^2,\ z_{k+1} = z_k + h F / (\sqrt{v_{k+1}} + \epsilon)"
    memory = 1
    differentiable = False
    reason = (
        "RMSprop divides by sqrt(v) + eps, and the mean square v of the gradients vanishes at the "
        "equilibrium, where sqrt has no derivative"
    )

    def __post_init__(self):
        object.__setattr__(self, "rho", fraction("rho", self.rho, 0.0, 1.0))
        object.__setattr__(self, "eps", fraction("eps", self.eps, 0.0, float("inf"), closed_lo=False))

    def initial(self, phi, theta) -> tuple:
        return (phi, theta, 0 * phi, 0 * theta)

    def step(self, game, state, lr):
        phi, theta, v_phi, v_theta = state
        f_phi, f_theta = game.field(phi, theta)
        v_phi = self.rho * v_phi + (1 - self.rho) * game.multiply(f_phi, f_phi)
        v_theta = self.rho * v_theta + (1 - self.rho) * game.multiply(f_theta, f_theta)
        phi = phi + lr.d * game.divide(f_phi, game.sqrt(v_phi) + self.eps)
        theta = theta + lr.g * game.divide(f_theta, game.sqrt(v_theta) + self.eps)
        return phi, theta, v_phi, v_theta
