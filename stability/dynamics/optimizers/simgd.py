"""``simgd``: simultaneous gradient descent, both players step from the same point.

``phi+ = phi + h_d F_phi(phi, theta)``, ``theta+ = theta + h_g F_theta(phi, theta)``
(Mescheder, Geiger & Nowozin 2018, "Which Training Methods for GANs do actually Converge?", sec. 2).

>>> from stability import analyze
>>> analyze("vanilla_ns", dim=1, optimizer="simgd", lr=0.2).classification
'unstable'
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import Optimizer


@dataclass(frozen=True, repr=False)
class SimGD(Optimizer):
    name = "simgd"
    description = "simultaneous gradient descent"
    source = "Mescheder, Geiger & Nowozin 2018, sec. 2"
    latex = (
        r"\varphi_{k+1} = \varphi_k + h_d F_\varphi(\varphi_k, \theta_k),\quad "
        r"\theta_{k+1} = \theta_k + h_g F_\theta(\varphi_k, \theta_k)"
    )

    def step(self, game, state, lr):
        phi, theta = state
        f_phi, f_theta = game.field(phi, theta)
        return phi + lr.d * f_phi, theta + lr.g * f_theta
