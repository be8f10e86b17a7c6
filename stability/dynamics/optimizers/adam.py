"""``adam``: Adam per player, on the descent direction ``F`` (Kingma & Ba 2015, "Adam", Algorithm 1).

``m <- b1 m + (1 - b1) F``, ``v <- b2 v + (1 - b2) F^2``, ``z <- z + h m_hat / (sqrt(v_hat) + eps)`` with
``m_hat = m / (1 - b1^t)``, ``v_hat = v / (1 - b2^t)``. The state is
``(phi, theta, m_phi, m_theta, v_phi, v_theta, b1^t, b2^t)``: the step counter ``t`` enters only
through the two powers, which the state carries (``b1^t`` shaped like ``phi``, ``b2^t`` like
``theta``). Numeric only: at the equilibrium ``v = 0`` and the step goes through ``sqrt(v)``,
which has no derivative there, so there is no linearisation and the numerics decide.

>>> opt = Adam()
>>> opt, opt.memory, opt.differentiable
(adam(beta1=0.9, beta2=0.999, eps=1e-08), 3, False)
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import LearningRate, Optimizer
from .hyper import fraction

__all__ = ["Adam", "LearningRate"]


@dataclass(frozen=True, repr=False)
class Adam(Optimizer):
    beta1: float = 0.9
    beta2: float = 0.999
    eps: float = 1e-8

    name = "adam"
    description = "Adam (numeric only: no derivative at the equilibrium)"
    source = "Kingma & Ba 2015, Adam: A Method for Stochastic Optimization"
    latex = (
        r"m_{k+1} = \beta_1 m_k + (1-\beta_1) F,\ v_{k+1} = \beta_2 v_k + (1-\beta_2) F^2,\ "
        r"z_{k+1} = z_k + h\,\hat m_{k+1} / (\sqrt{\hat v_{k+1}} + \epsilon)"
    )
    memory = 3
    differentiable = False
    reason = (
        "Adam divides by sqrt(v) + eps, and the second-moment estimate v vanishes at the equilibrium, "
        "where sqrt has no derivative"
    )

    def __post_init__(self):
        object.__setattr__(self, "beta1", fraction("beta1", self.beta1, 0.0, 1.0))
        object.__setattr__(self, "beta2", fraction("beta2", self.beta2, 0.0, 1.0))
        object.__setattr__(self, "eps", fraction("eps", self.eps, 0.0, float("inf"), closed_lo=False))

    def initial(self, phi, theta) -> tuple:
        zero_phi, zero_theta = 0 * phi, 0 * theta
        return (phi, theta, zero_phi, zero_theta, zero_phi, zero_theta, zero_phi + 1, zero_theta + 1)

    def step(self, game, state, lr):
        phi, theta, m_phi, m_theta, v_phi, v_theta, p1, p2 = state
        b1, b2 = self.beta1, self.beta2
        f_phi, f_theta = game.field(phi, theta)
        m_phi, m_theta = b1 * m_phi + (1 - b1) * f_phi, b1 * m_theta + (1 - b1) * f_theta
        v_phi = b2 * v_phi + (1 - b2) * game.multiply(f_phi, f_phi)
        v_theta = b2 * v_theta + (1 - b2) * game.multiply(f_theta, f_theta)
        p1, p2 = b1 * p1, b2 * p2

        def move(z, m, v, h):
            m_hat, v_hat = game.divide(m, 1 - p1), game.divide(v, 1 - p2)
            return z + h * game.divide(m_hat, game.sqrt(v_hat) + self.eps)

        return (
            move(phi, m_phi, v_phi, lr.d),
            move(theta, m_theta, v_theta, lr.g),
            m_phi,
            m_theta,
            v_phi,
            v_theta,
            p1,
            p2,
        )
