"""``altgd``: alternating gradient descent, the discriminator first.

``d_steps`` discriminator steps ``phi <- phi + h_d F_phi(phi, theta)``, then ``g_steps`` generator
steps ``theta <- theta + h_g F_theta(phi, theta)`` at the new ``phi`` (Mescheder, Geiger & Nowozin
2018, "Which Training Methods for GANs do actually Converge?", sec. 2).

>>> import sympy as sp
>>> from stability.dynamics.update import map_jacobian
>>> h = sp.Symbol("h", positive=True)
>>> J = sp.Matrix([[0, -1], [1, 0]])  # the bilinear game phi' = -theta, theta' = phi
>>> map_jacobian(AltGD(), J, LearningRate(h, h)).tolist()
[[1, -h], [h, 1 - h**2]]
>>> AltGD(d_steps=0)
Traceback (most recent call last):
...
stability.errors.InvalidParameterError: d_steps must be a positive integer up to 1000; received 0
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import LearningRate, Optimizer
from .hyper import count

__all__ = ["AltGD", "LearningRate"]


@dataclass(frozen=True, repr=False)
class AltGD(Optimizer):
    d_steps: int = 1
    g_steps: int = 1

    name = "altgd"
    description = "alternating gradient descent (discriminator first)"
    source = "Mescheder, Geiger & Nowozin 2018, sec. 2"
    latex = (
        r"\varphi_{k+1} = \varphi_k + h_d F_\varphi(\varphi_k, \theta_k),\quad "
        r"\theta_{k+1} = \theta_k + h_g F_\theta(\varphi_{k+1}, \theta_k)"
    )

    def __post_init__(self):
        object.__setattr__(self, "d_steps", count("d_steps", self.d_steps))
        object.__setattr__(self, "g_steps", count("g_steps", self.g_steps))

    def step(self, game, state, lr):
        phi, theta = state
        for _ in range(self.d_steps):
            phi = phi + lr.d * game.field(phi, theta)[0]
        for _ in range(self.g_steps):
            theta = theta + lr.g * game.field(phi, theta)[1]
        return phi, theta
