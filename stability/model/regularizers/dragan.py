"""``dragan``: DRAGAN penalty ``lam_D E[(|grad_x D(x)| - 1)^2]`` at perturbed real data on ``L_D`` (Kodali et al. 2017).

For the linear critic ``grad_x D = phi`` at every point, so the perturbation does not matter
and the penalty is ``lam_D (|phi| - 1)^2``: WGAN-GP's penalty with ``c = 1``.

>>> from stability import analyze
>>> analyze("vanilla_ns", regularizers={"dragan": 1}).classification
'non-differentiable'
"""

from __future__ import annotations

from dataclasses import dataclass

from ..params import Parameter
from .base import LossTerm


@dataclass(frozen=True)
class Dragan(LossTerm):
    def term(self, g, d_loss, g_loss):
        # x_real + delta for any perturbation delta: the linear critic's input gradient is phi everywhere.
        return (g.norm(g.critic_grad(g.x_real)) - 1) ** 2


REGULARIZER = Dragan(
    "dragan",
    "DRAGAN: gradient penalty lam_D*(|grad_x D| - 1)^2 at perturbed real data",
    Parameter("lam_D", None, "DRAGAN penalty weight", "nonnegative"),
    r"\lambda_{D}\,\mathbb{E}_{x\sim p_\delta}\left[(\Vert\nabla_x D(x)\Vert - 1)^2\right]",
    source="Kodali, Abernethy, Hays & Kira 2017 (DRAGAN)",
    player="d",
)
