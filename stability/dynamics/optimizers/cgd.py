"""``cgd``: competitive gradient descent, the Nash equilibrium of the players' local bilinear games.

Each player's step ``Delta`` solves ``Delta = H (F + H_o Delta)`` with ``H = diag(h_d I, h_g I)`` and
``H_o`` the off-diagonal blocks of the field's Jacobian at the current point, per player:

``(I - h_d h_g H_pt H_tp) Delta_phi = h_d (F_phi + h_g H_pt F_theta)``,
``(I - h_d h_g H_tp H_pt) Delta_theta = h_g (F_theta + h_d H_tp F_phi)``,

``H_pt = dF_phi/dtheta``, ``H_tp = dF_theta/dphi``; with ``h_d = h_g = h`` this is
``z+ = z + h (I - h H_o)^{-1} F(z)`` (Schafer & Anandkumar 2019, "Competitive Gradient Descent").

>>> import sympy as sp
>>> from stability.dynamics.update import map_jacobian
>>> h = sp.Symbol("h", positive=True)
>>> M = map_jacobian(CGD(), sp.Matrix([[0, -1], [1, 0]]), LearningRate(h, h))
>>> sp.simplify(M - (sp.eye(2) - h * sp.Matrix([[0, -1], [1, 0]])).inv()).is_zero_matrix  # the proximal point
True
"""

from __future__ import annotations

from dataclasses import dataclass

from .base import LearningRate, Optimizer

__all__ = ["CGD", "LearningRate"]


@dataclass(frozen=True, repr=False)
class CGD(Optimizer):
    name = "cgd"
    description = "competitive gradient descent"
    source = "Schafer & Anandkumar 2019, Competitive Gradient Descent"
    latex = r"z_{k+1} = z_k + (I - H H_o)^{-1} H F(z_k),\quad H = \mathrm{diag}(h_d I, h_g I)"

    def step(self, game, state, lr):
        phi, theta = state
        f_phi, f_theta = game.field(phi, theta)
        h_pt, h_tp = game.offdiag(phi, theta)
        both = lr.d * lr.g
        a_phi = game.identity(phi) - both * game.matvec(h_pt, h_tp)
        a_theta = game.identity(theta) - both * game.matvec(h_tp, h_pt)
        d_phi = game.solve(a_phi, lr.d * (f_phi + lr.g * game.matvec(h_pt, f_theta)))
        d_theta = game.solve(a_theta, lr.g * (f_theta + lr.d * game.matvec(h_tp, f_phi)))
        return phi + d_phi, theta + d_theta
