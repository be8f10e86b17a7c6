"""``lsgan``: least-squares GAN with labels a (fake), b (real), c (generator's target); Mao et al. 2017.

``L_D = 1/2 E_p[(D(x) - b)^2] + 1/2 E_q[(D(x) - a)^2]``, ``L_G = 1/2 E_q[(D(x) - c)^2]`` with
``D(x) = x.phi`` (no output activation). On the Dirac GAN ``D(x_r) = 0``, so ``b`` only shifts
``L_D`` by a constant; the Jacobian at the origin is ``[[0, a], [c, 0]]`` (x) I_n.

>>> from stability import analyze
>>> analyze("lsgan").block
Matrix([
[0, 0],
[1, 0]])
"""

from __future__ import annotations

from ..params import Parameter
from ..variant import builtin_variant


def losses(g, a, b, c):
    d_real, d_fake = g.critic(g.x_real), g.critic(g.x_fake)
    return (d_real - b) ** 2 / 2 + (d_fake - a) ** 2 / 2, (d_fake - c) ** 2 / 2


VARIANT = builtin_variant(
    losses,
    "lsgan",
    "Least-squares GAN (Mao et al. 2017), labels a (fake), b (real), c (generator target), no activation",
    "Mao et al. 2017, the a-b-c coding scheme of the least-squares objective",
    r"L_D = \tfrac12\mathbb{E}_{p}[(D(x) - b)^2] + \tfrac12\mathbb{E}_{q}[(D(x) - a)^2],\quad "
    r"L_G = \tfrac12\mathbb{E}_{q}[(D(x) - c)^2],\quad D(x) = x\cdot\varphi",
    params=(
        Parameter("a", 0, "label of fake data in the discriminator's loss", "real"),
        Parameter("b", 1, "label of real data in the discriminator's loss", "real"),
        Parameter("c", 1, "value the generator wants the discriminator to give fake data", "real"),
    ),
)
