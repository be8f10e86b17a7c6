"""``extragradient``: ``z_half = z + h' F(z)``, ``z+ = z + h F(z_half)``; ``h' = lr_extra``, default ``h``.

``lr_extra`` is a positive number or symbol for both players, or ``{"d": .., "g": ..}``
(Korpelevich 1976; Mertikopoulos et al. 2019, "Optimistic Mirror Descent in Saddle-Point Problems").

>>> import sympy as sp
>>> from stability.dynamics.update import map_jacobian
>>> h = sp.Symbol("h", positive=True)
>>> map_jacobian(Extragradient(), sp.Matrix([[0, -1], [1, 0]]), LearningRate(h, h)).tolist()  # I + hJ + h^2 J^2
[[1 - h**2, -h], [h, 1 - h**2]]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .base import LearningRate, Optimizer
from .hyper import learning_rate

__all__ = ["Extragradient", "LearningRate"]


@dataclass(frozen=True, repr=False)
class Extragradient(Optimizer):
    lr_extra: Any = None

    name = "extragradient"
    description = "extragradient (an extrapolation step, then the update from there)"
    source = "Korpelevich 1976; Mertikopoulos et al. 2019"
    latex = (
        r"z_{k+1/2} = z_k + h' F(z_k),\quad z_{k+1} = z_k + h F(z_{k+1/2})"
        r"\quad(h' = h \text{ unless given})"
    )

    def __post_init__(self):
        if self.lr_extra is not None:
            object.__setattr__(self, "lr_extra", learning_rate(self.lr_extra, "lr_extra"))

    def __repr__(self) -> str:
        e = self.lr_extra
        if e is None:
            return "extragradient()"
        text = str(e.d) if e.equal else f"{{'d': {e.d}, 'g': {e.g}}}"
        return f"extragradient(lr_extra={text})"

    def step(self, game, state, lr):
        phi, theta = state
        extra = lr if self.lr_extra is None else self.lr_extra
        f_phi, f_theta = game.field(phi, theta)
        half_phi, half_theta = phi + extra.d * f_phi, theta + extra.g * f_theta
        f_phi, f_theta = game.field(half_phi, half_theta)
        return phi + lr.d * f_phi, theta + lr.g * f_theta
