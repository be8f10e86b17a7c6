"""``l2``: the post's weight decay on the discriminator, ``alpha |phi|^2`` added to ``L_D``.

>>> from stability import analyze
>>> analyze("vanilla_ns", regularizers={"l2": 0.1}).classification
'stable'
"""

from __future__ import annotations

from dataclasses import dataclass

from ..params import Parameter
from .base import LossTerm


@dataclass(frozen=True)
class L2(LossTerm):
    def term(self, g, d_loss, g_loss):
        return g.dot(g.phi, g.phi)


REGULARIZER = L2(
    "l2",
    "L2 penalty alpha*|phi|^2 on the discriminator's weights",
    Parameter("alpha", None, "L2 weight on the discriminator", "nonnegative"),
    r"\alpha\Vert\boldsymbol{\varphi}\Vert^2",
    source="the post",
    player="d",
)
