"""``hinge``: hinge-loss GAN (Lim & Ye 2017; Miyato et al. 2018), ``max(0, 1 -+ D)`` for the discriminator.

``L_D = E_p[max(0, 1 - D(x))] + E_q[max(0, 1 + D(x))]``, ``L_G = -E_q[D(x)]``, ``D(x) = x.phi``.
The ``max`` is not smooth where ``D(x_f) = -1``; near the equilibrium (``|theta.phi| < 1``) the
losses are ``1 + (1 + theta.phi)`` and ``-theta.phi``: locally the bilinear game.

>>> from stability import analyze
>>> analyze("hinge").classification
'center'
"""

from __future__ import annotations

import sympy as sp

from ..variant import builtin_variant


def losses(g):
    d_real, d_fake = g.critic(g.x_real), g.critic(g.x_fake)
    return sp.Max(0, 1 - d_real) + sp.Max(0, 1 + d_fake), -d_fake


VARIANT = builtin_variant(
    losses,
    "hinge",
    "Hinge-loss GAN (Lim & Ye 2017; Miyato et al. 2018), linear critic",
    "Lim & Ye 2017 (Geometric GAN); Miyato et al. 2018 (hinge loss of SN-GAN)",
    r"L_D = \mathbb{E}_{p}[\max(0, 1 - D(x))] + \mathbb{E}_{q}[\max(0, 1 + D(x))],\quad "
    r"L_G = -\mathbb{E}_{q}[D(x)],\quad D(x) = x\cdot\varphi",
)
