"""``r1``: zero-centred gradient penalty ``gamma_r1/2 E_p[|grad_x D(x)|^2]`` on ``L_D`` (Mescheder et al. 2018).

``D`` is the logit ``x.phi``, so on the Dirac GAN the penalty is ``gamma_r1/2 |phi|^2``.

>>> from stability import analyze
>>> analyze("vanilla_ns", regularizers={"r1": 2}).block
Matrix([
[ -2, -1/2],
[1/2,    0]])
"""

from __future__ import annotations

from dataclasses import dataclass

from ..params import Parameter
from .base import LossTerm


@dataclass(frozen=True)
class GradientPenalty(LossTerm):
    """``|grad_x D(x)|^2 / 2`` at the real point or at the generated point."""

    at: str = "real"

    def term(self, g, d_loss, g_loss):
        grad = g.critic_grad(g.x_real if self.at == "real" else g.x_fake)
        return g.dot(grad, grad) / 2


REGULARIZER = GradientPenalty(
    "r1",
    "R1: zero-centred gradient penalty gamma_r1/2*|grad_x D|^2 at real data",
    Parameter("gamma_r1", None, "R1 penalty weight", "nonnegative"),
    r"\frac{\gamma_{r1}}{2}\,\mathbb{E}_{p}\left[\Vert\nabla_x D(x)\Vert^2\right]",
    source="Mescheder, Geiger & Nowozin 2018, sec. 4.1, eq. (9)",
    player="d",
    at="real",
)
