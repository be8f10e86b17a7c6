"""The three kinds of regulariser, each a small class a regulariser module subclasses.

* :class:`LossTerm` adds ``weight * term`` to one player's loss. ``term(g, d_loss, g_loss)``
  sees the Dirac space ``g`` (the critic ``g.critic``, its input gradient ``g.critic_grad`` at
  real or fake data, ``g.grad_phi``/``g.grad_theta`` of any scalar) and the losses so far, so
  R1/R2 (``|grad_x D|^2`` at real or fake data) and a penalty on the generator built from
  ``grad_phi L_D`` are each a few lines.
* :class:`FieldTransform` rewrites the training field itself (consensus optimisation:
  ``F <- F - gamma grad(1/2 |F|^2)``), in the invariant form and in components.
* :class:`DataModel` changes the data the losses see (instance noise): it evaluates the losses
  in a space of its own and turns each loss into its exact expectation.

Regularisers apply in this order: data models, then loss terms (in the order given), then field
transforms. Each is one module in this package with a ``REGULARIZER`` instance.

>>> from stability.model.regularizers import REGULARIZERS
>>> REGULARIZERS["l2"].kind
'loss-term'
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import sympy as sp

from ..params import Parameter

if TYPE_CHECKING:  # pragma: no cover
    from ...dynamics.field import InvariantField

__all__ = ["Regularizer", "LossTerm", "FieldTransform", "DataModel"]


@dataclass(frozen=True)
class Regularizer:
    """What every regulariser declares: its key, what it does, its weight and its source."""

    name: str
    description: str
    weight: Parameter
    latex: str  # the added term (or the transform), typeset with the weight's LaTeX name
    source: str = ""
    kind: ClassVar[str] = ""


@dataclass(frozen=True)
class LossTerm(Regularizer):
    """``weight * term(g, d_loss, g_loss)`` added to the loss of ``player`` ("d" or "g")."""

    player: str = "d"
    kind: ClassVar[str] = "loss-term"

    def term(self, g, d_loss: sp.Expr, g_loss: sp.Expr) -> sp.Expr:
        raise NotImplementedError

    def apply(self, g, weight: sp.Expr, d_loss: sp.Expr, g_loss: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
        extra = weight * self.term(g, d_loss, g_loss)
        return (d_loss + extra, g_loss) if self.player == "d" else (d_loss, g_loss + extra)


@dataclass(frozen=True)
class FieldTransform(Regularizer):
    """A rewrite of the training field ``F`` (state order phi, theta)."""

    kind: ClassVar[str] = "field-transform"

    def invariant(self, field: InvariantField, weight: sp.Expr) -> InvariantField:
        """The transform of a rotation-invariant field ``phi' = a phi + b theta, theta' = c phi + d theta``."""
        raise NotImplementedError

    def components(self, field: sp.Matrix, state: tuple[sp.Symbol, ...], weight: sp.Expr) -> sp.Matrix:
        """The transform of the field in components."""
        raise NotImplementedError


@dataclass(frozen=True)
class DataModel(Regularizer):
    """A change of the data distributions: losses are evaluated in :meth:`space`, then averaged."""

    kind: ClassVar[str] = "data-model"

    def space(self, g, weight: sp.Expr):
        """The space in which the losses are evaluated (e.g. with noisy samples)."""
        raise NotImplementedError

    def expectation(self, loss: sp.Expr, g, weight: sp.Expr) -> sp.Expr:
        """The exact expectation of a loss evaluated in :meth:`space`."""
        raise NotImplementedError
