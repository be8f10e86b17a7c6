"""``rpgan``: relativistic pairing GAN (RSGAN, Jolicoeur-Martineau 2019), ``f = softplus``.

``L_D = E[softplus(D(x_f) - D(x_r))]``, ``L_G = E[softplus(D(x_r) - D(x_f))]`` with the logit
``D(x) = x.phi``: each player is scored on the difference of the critic on a real/fake pair.
On the Dirac GAN (``D(x_r) = 0``) the field equals ``vanilla_ns``'s; with instance noise it does not.

>>> from stability import analyze
>>> analyze("rpgan").eigenvalues
{-I/2: 2, I/2: 2}
"""

from __future__ import annotations

from ..functions import softplus
from ..variant import builtin_variant


def losses(g):
    gap = g.critic(g.x_fake) - g.critic(g.x_real)
    return softplus(gap), softplus(-gap)


VARIANT = builtin_variant(
    losses,
    "rpgan",
    "Relativistic pairing GAN (RSGAN, Jolicoeur-Martineau 2019), f = softplus on D(x_f) - D(x_r)",
    "Jolicoeur-Martineau 2019, relativistic standard GAN (RSGAN)",
    r"L_D = \mathbb{E}[\operatorname{softplus}(D(x_f) - D(x_r))],\quad "
    r"L_G = \mathbb{E}[\operatorname{softplus}(D(x_r) - D(x_f))],\quad D(x) = x\cdot\varphi",
)
