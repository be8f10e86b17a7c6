"""``wgan``: WGAN, 1-Lipschitz critic by weight normalisation D(x) = x.phi/|phi| (the post's eqs. (10)-(12)).

>>> from stability import analyze
>>> analyze("wgan").classification
'non-differentiable'
"""

from __future__ import annotations

from ..variant import builtin_variant


def losses(g):
    def critic(x):
        return g.critic(x) / g.norm(g.critic_grad(x))

    return critic(g.x_fake) - critic(g.x_real), -critic(g.x_fake)


VARIANT = builtin_variant(
    losses,
    "wgan",
    "WGAN, 1-Lipschitz critic by weight normalisation D(x) = x.phi/|phi|",
    "eqs. (10)-(12)",
    r"L_D = \mathbb{E}_{q}[D(x)] - \mathbb{E}_{p}[D(x)],\quad L_G = -\mathbb{E}_{q}[D(x)],\quad "
    r"D(x) = x\cdot\varphi/\Vert\varphi\Vert",
)
