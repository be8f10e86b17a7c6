"""``vanilla_ns``: Vanilla GAN, non-saturating generator loss, sigmoid discriminator (the post's eqs. (5)-(9)).

>>> from stability import analyze
>>> analyze("vanilla_ns").classification
'center'
"""

from __future__ import annotations

import sympy as sp

from ..functions import sigmoid
from ..variant import builtin_variant


def losses(g):
    d_real, d_fake = sigmoid(g.critic(g.x_real)), sigmoid(g.critic(g.x_fake))
    return -sp.log(d_real) - sp.log(1 - d_fake), -sp.log(d_fake)


VARIANT = builtin_variant(
    losses,
    "vanilla_ns",
    "Vanilla GAN, non-saturating generator loss, sigmoid discriminator",
    "eqs. (5)-(9)",
    r"L_D = \mathbb{E}_{p}[-\log D(x)] + \mathbb{E}_{q}[-\log(1 - D(x))],\quad "
    r"L_G = \mathbb{E}_{q}[-\log D(x)],\quad D = \sigma(x\cdot\varphi)",
)
