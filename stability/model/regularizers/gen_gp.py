"""``gen_gp``: the generator's penalty ``eta |grad_phi L_D|^2`` on ``L_G`` (Nagarajan & Kolter 2017).

The gradient is of the discriminator's loss as built so far (regularisers listed before
``gen_gp`` included). For the vanilla GAN it is ``sigmoid(theta.phi)^2 |theta|^2``.

>>> from stability import analyze
>>> analyze("vanilla_ns", regularizers={"gen_gp": 1}).block
Matrix([
[  0, -1/2],
[1/2, -1/2]])
"""

from __future__ import annotations

from dataclasses import dataclass

from ..params import Parameter
from .base import LossTerm


@dataclass(frozen=True)
class GeneratorGradientPenalty(LossTerm):
    def term(self, g, d_loss, g_loss):
        grad_phi = g.grad(d_loss)[0]
        return g.dot(grad_phi, grad_phi)


REGULARIZER = GeneratorGradientPenalty(
    "gen_gp",
    "Gradient penalty eta*|grad_phi L_D|^2 on the generator's loss",
    Parameter("eta", None, "weight of the discriminator-gradient penalty on the generator", "nonnegative"),
    r"\eta\,\Vert\nabla_{\boldsymbol{\varphi}} L_D\Vert^2",
    source="Nagarajan & Kolter 2017, sec. 5 (the regularised generator objective)",
    player="g",
)
