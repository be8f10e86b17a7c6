"""``wgan_gp``: WGAN-GP, gradient penalty lam*(|grad D| - c)^2 on a linear critic (the post's eqs. (13)-(16)).

>>> from stability import analyze
>>> analyze("wgan_gp").classification
'non-differentiable'
"""

from __future__ import annotations

from ..params import Parameter
from ..variant import builtin_variant


def losses(g, lam, c):
    penalty = lam * (g.norm(g.critic_grad(g.x_fake)) - c) ** 2
    return g.critic(g.x_fake) - g.critic(g.x_real) + penalty, -g.critic(g.x_fake)


VARIANT = builtin_variant(
    losses,
    "wgan_gp",
    "WGAN-GP, gradient penalty lam*(|grad D| - c)^2 on a linear critic",
    "eqs. (13)-(16)",
    r"L_D = \mathbb{E}_{q}[D(x)] - \mathbb{E}_{p}[D(x)] + \lambda\,\mathbb{E}_{r}"
    r"[(\Vert\nabla_x D(x)\Vert - c)^2],\quad L_G = -\mathbb{E}_{q}[D(x)]",
    params=(
        Parameter("lam", 0.1, "gradient-penalty weight", "positive"),
        Parameter("c", 1, "target gradient norm (c = 0: zero-centred penalty)", "real"),
    ),
)
