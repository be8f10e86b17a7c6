"""``ogd``: optimistic gradient descent, ``z+ = z + 2h F(z) - h F(z_prev)`` per player.

The state is ``(phi, theta, phi_prev, theta_prev)`` (Daskalakis, Ilyas, Syrgkanis & Zeng 2018,
"Training GANs with Optimism").

>>> import sympy as sp
>>> from stability.dynamics.update import map_jacobian
>>> h = sp.Symbol("h", positive=True)
>>> map_jacobian(OGD(), sp.Matrix([[0, -1], [1, 0]]), LearningRate(h, h)).tolist()
[[1, -2*h, 0, h], [2*h, 1, -h, 0], [1, 0, 0, 0], [0, 1, 0, 0]]
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import LearningRate, Optimizer

__all__ = ["OGD", "LearningRate"]


@dataclass(frozen=True, repr=False)
class OGD(Optimizer):
    name = "ogd"
    description = "optimistic gradient descent"
    source = "Daskalakis, Ilyas, Syrgkanis & Zeng 2018, Training GANs with Optimism"
    latex = r"z_{k+1} = z_k + 2 h F(z_k) - h F(z_{k-1})"
    memory = 1

    def step(self, game, state, lr):
        phi, theta, phi_prev, theta_prev = state
        f_phi, f_theta = game.field(phi, theta)
        g_phi, g_theta = game.field(phi_prev, theta_prev)
        return phi + lr.d * (2 * f_phi - g_phi), theta + lr.g * (2 * f_theta - g_theta), phi, theta
