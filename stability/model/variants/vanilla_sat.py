"""``vanilla_sat``: the vanilla GAN with the saturating (minimax) generator loss (the post's eqs. (5)-(7)).

>>> from stability import analyze
>>> analyze("vanilla_sat").classification
'center'
"""

from __future__ import annotations

import sympy as sp

from ..functions import sigmoid
from ..variant import builtin_variant


def losses(g):
    d_real, d_fake = sigmoid(g.critic(g.x_real)), sigmoid(g.critic(g.x_fake))
    return -sp.log(d_real) - sp.log(1 - d_fake), sp.log(1 - d_fake)


VARIANT = builtin_variant(
    losses,
    "vanilla_sat",
    "Vanilla GAN, saturating (original minimax) generator loss, sigmoid discriminator",
    "eqs. (5)-(7), saturating form",
    r"L_D = \mathbb{E}_{p}[-\log D(x)] + \mathbb{E}_{q}[-\log(1 - D(x))],\quad "
    r"L_G = \mathbb{E}_{q}[\log(1 - D(x))],\quad D = \sigma(x\cdot\varphi)",
)
