"""``gan_qp``: GAN-QP, quadratic potential divided by the distance |x_f - x_r| (the post's eqs. (17)-(19)).

>>> from stability import analyze
>>> analyze("gan_qp").classification
'center'
"""

from __future__ import annotations

from ..params import Parameter
from ..variant import builtin_variant


def losses(g, lam):
    gap = g.critic(g.x_fake) - g.critic(g.x_real)
    return gap + gap**2 / (2 * lam * g.norm(g.x_fake - g.x_real)), -g.critic(g.x_fake)


VARIANT = builtin_variant(
    losses,
    "gan_qp",
    "GAN-QP, quadratic potential divided by the distance |x_f - x_r|",
    "eqs. (17)-(19)",
    r"L_D = \mathbb{E}\left[D(x_f) - D(x_r) + \frac{(D(x_f) - D(x_r))^2}{2\lambda\Vert x_f - x_r\Vert}\right],"
    r"\quad L_G = -\mathbb{E}_{q}[D(x)]",
    params=(Parameter("lam", 1, "quadratic-potential scale", "positive"),),
)
