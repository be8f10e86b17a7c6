"""The f-GAN family (Nowozin, Cseke & Tomioka 2016): output activations and conjugates of their Table 2.

The discriminator's output is ``T(x) = g_f(V(x))`` with the logit ``V(x) = D(x) = x.phi``; the
objective ``F = E_p[g_f(V(x))] - E_q[f*(g_f(V(x)))]`` is maximised by the discriminator
(``L_D = -F``) and minimised by the generator: ``L_G = F`` (minimax form, the saturating
generator), or ``L_G = -E_q[g_f(V(x))]`` (the non-saturating generator of their "practical
considerations", the ``_ns`` variants).

>>> import sympy as sp
>>> v = sp.Symbol("v", real=True)
>>> activation, conjugate = DIVERGENCES["kl"][:2]
>>> activation(v), conjugate(activation(v))
(v, exp(v - 1))
"""

from __future__ import annotations

import sympy as sp

from ..functions import sigmoid
from ..variant import Variant, builtin_variant

__all__ = ["DIVERGENCES", "fgan_variant"]

# name: (g_f, f*, readable name, LaTeX of g_f, LaTeX of f*), as in Nowozin et al. 2016, Table 2.
# Jensen-Shannon's g_f(v) = log 2 - log(1 + e^{-v}) is written log 2 + log(sigmoid(v)) (the same function).
DIVERGENCES = {
    "kl": (lambda v: v, lambda t: sp.exp(t - 1), "Kullback-Leibler", "v", r"e^{t - 1}"),
    "reverse_kl": (
        lambda v: -sp.exp(-v),
        lambda t: -1 - sp.log(-t),
        "reverse Kullback-Leibler",
        "-e^{-v}",
        r"-1 - \log(-t)",
    ),
    "pearson": (lambda v: v, lambda t: t**2 / 4 + t, "Pearson chi^2", "v", r"\tfrac14 t^2 + t"),
    "hellinger": (
        lambda v: 1 - sp.exp(-v),
        lambda t: t / (1 - t),
        "squared Hellinger",
        "1 - e^{-v}",
        r"\frac{t}{1 - t}",
    ),
    "js": (
        lambda v: sp.log(2) + sp.log(sigmoid(v)),
        lambda t: -sp.log(2 - sp.exp(t)),
        "Jensen-Shannon",
        r"\log 2 - \log(1 + e^{-v})",
        r"-\log(2 - e^{t})",
    ),
}


def fgan_variant(divergence: str, non_saturating: bool = False) -> Variant:
    """The f-GAN variant for one divergence of Table 2, minimax or with the non-saturating generator.

    >>> fgan_variant("pearson").name, fgan_variant("pearson", non_saturating=True).name
    ('fgan_pearson', 'fgan_pearson_ns')
    """
    activation, conjugate, title, g_tex, f_tex = DIVERGENCES[divergence]

    def losses(g):
        t_real, t_fake = activation(g.critic(g.x_real)), activation(g.critic(g.x_fake))
        objective = t_real - conjugate(t_fake)
        return -objective, (-t_fake if non_saturating else objective)

    generator = "non-saturating generator" if non_saturating else "minimax"
    g_form = r"L_G = -\mathbb{E}_{q}[g_f(V(x))]" if non_saturating else r"L_G = F"
    return builtin_variant(
        losses,
        f"fgan_{divergence}" + ("_ns" if non_saturating else ""),
        f"f-GAN, {title} divergence (Nowozin et al. 2016), {generator}",
        "Nowozin, Cseke & Tomioka 2016, eq. (6), Table 2" + (", non-saturating generator" if non_saturating else ""),
        r"F = \mathbb{E}_{p}[g_f(V(x))] - \mathbb{E}_{q}[f^*(g_f(V(x)))],\quad L_D = -F,\quad "
        + g_form
        + rf",\quad g_f(v) = {g_tex},\quad f^*(t) = {f_tex},\quad V(x) = x\cdot\varphi",
    )
