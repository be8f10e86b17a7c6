"""Regularisers that compose with any variant by adding a term to one player's loss.

>>> REGULARIZERS["l2"].weight.name
'alpha'
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from ...errors import InvalidParameterError, UnknownNameError
from ..params import Parameter

__all__ = ["Regularizer", "REGULARIZERS", "resolve_regularizers"]


@dataclass(frozen=True)
class Regularizer:
    """A term ``weight * term(g)`` added to the loss of ``player`` ("d" or "g")."""

    name: str
    description: str
    player: str
    weight: Parameter
    term: Callable
    latex: str

    def apply(self, space, weight: sp.Expr, d_loss: sp.Expr, g_loss: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
        extra = weight * self.term(space)
        return (d_loss + extra, g_loss) if self.player == "d" else (d_loss, g_loss + extra)


REGULARIZERS: Mapping[str, Regularizer] = MappingProxyType(
    {
        "l2": Regularizer(
            "l2",
            "L2 penalty alpha*|phi|^2 on the discriminator's weights",
            "d",
            Parameter("alpha", None, "L2 weight on the discriminator", "nonnegative"),
            lambda g: g.dot(g.phi, g.phi),
            r"\alpha\Vert\boldsymbol{\varphi}\Vert^2",
        ),
    }
)


def resolve_regularizers(regularizers) -> dict[str, sp.Expr]:
    """Normalise the ``regularizers=`` argument to ``{name: weight}``.

    Accepts a mapping ``{"l2": 0.1}`` (a weight of ``None`` or a SymPy symbol keeps
    it symbolic) or an iterable of names (all symbolic).

    >>> resolve_regularizers({"l2": 0.1})
    {'l2': 1/10}
    >>> resolve_regularizers(["l2"])
    {'l2': alpha}
    """
    if regularizers is None:
        return {}
    if isinstance(regularizers, str):
        regularizers = [regularizers]
    if not isinstance(regularizers, Mapping):
        try:
            regularizers = {name: None for name in regularizers}
        except TypeError:
            raise InvalidParameterError(
                "regularizers must be a mapping like {'l2': 0.1} or a list of names; "
                f"got {type(regularizers).__name__} {regularizers!r}"
            ) from None
    out = {}
    for name, weight in regularizers.items():
        if name not in REGULARIZERS:
            raise UnknownNameError("regularizer", name, REGULARIZERS)
        param = REGULARIZERS[name].weight
        out[name] = param.symbol if weight is None else param.check(weight)
    return out
