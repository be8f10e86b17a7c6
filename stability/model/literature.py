"""What the report tabulates beyond the post: the literature's losses x regularisers, and discrete training.

The rows are every registered variant the post does not treat (plus ``vanilla_ns`` for
reference), in registry order, so a new variant joins the table by being registered; the
columns are a chosen subset of the regularisers, each at weight 1.  The discrete-time table
trains the post's cases with two optimisers at one symbolic learning rate ``h > 0``.

>>> LITERATURE_VARIANTS[:3]
('vanilla_ns', 'lsgan', 'hinge')
>>> [c.regularizer for c in LITERATURE_COLUMNS]
[None, 'r1', 'gen_gp', 'consensus', 'instance_noise']
>>> LITERATURE_CASES[1].regularizers
{'r1': 1}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

import sympy as sp

from .post import POST_CASES
from .variants import VARIANTS

__all__ = [
    "POST_VARIANTS",
    "REFERENCE_VARIANT",
    "LITERATURE_VARIANTS",
    "LITERATURE_WEIGHT",
    "Column",
    "LITERATURE_COLUMNS",
    "LiteratureCase",
    "LITERATURE_CASES",
    "LITERATURE_VERIFY",
    "DISCRETE_OPTIMIZERS",
    "LEARNING_RATE",
    "DISCRETE_VERIFY",
]

#: The variants the post treats (its comparison's variants, in order).
POST_VARIANTS: tuple[str, ...] = tuple(dict.fromkeys(c.variant for c in POST_CASES))
#: The post's variant repeated in the literature table, to compare against.
REFERENCE_VARIANT = "vanilla_ns"
#: The table's rows: the reference, then every registered variant outside the post.
LITERATURE_VARIANTS: tuple[str, ...] = (REFERENCE_VARIANT,) + tuple(v for v in VARIANTS if v not in POST_VARIANTS)
#: The weight of every regulariser in the table (gamma_r1 = eta = gamma_c = sigma = 1).
LITERATURE_WEIGHT = sp.Integer(1)


@dataclass(frozen=True)
class Column:
    """One column of the literature table: a regulariser (None: none) at a weight."""

    regularizer: str | None
    weight: sp.Expr | None = None


#: The table's columns: no regulariser, R1, the generator's gradient penalty, consensus (a field transform) and
#: instance noise.  ``r2`` (for the linear critic ``grad_x D = phi`` at real and fake data alike, the same term as
#: ``r1``), ``dragan`` (no Jacobian at the equilibrium) and ``l2`` (the post's) are left to ``stability analyze --reg``.
LITERATURE_COLUMNS: tuple[Column, ...] = (
    Column(None),
    Column("r1", LITERATURE_WEIGHT),
    Column("gen_gp", LITERATURE_WEIGHT),
    Column("consensus", LITERATURE_WEIGHT),
    Column("instance_noise", LITERATURE_WEIGHT),
)


@dataclass(frozen=True)
class LiteratureCase:
    """One cell: a variant (default parameters) with at most one regulariser at its weight."""

    variant: str
    regularizer: str | None = None
    weight: sp.Expr | None = None

    @property
    def regularizers(self) -> dict | None:
        """The ``regularizers=`` argument of :func:`stability.analyze` (None: no regulariser)."""
        return None if self.regularizer is None else {self.regularizer: self.weight}

    @property
    def key(self) -> str:
        return self.variant if self.regularizer is None else f"{self.variant}+{self.regularizer}"


#: Every cell, row by row.
LITERATURE_CASES: tuple[LiteratureCase, ...] = tuple(
    LiteratureCase(v, c.regularizer, c.weight) for v in LITERATURE_VARIANTS for c in LITERATURE_COLUMNS
)
#: The numeric check of each cell: two random starts (the report must stay fast), default run lengths.
LITERATURE_VERIFY: Mapping = MappingProxyType({"samples": 2})

#: The optimisers of the discrete-time table (one learning rate for both players).
DISCRETE_OPTIMIZERS: tuple[str, ...] = ("simgd", "altgd")
#: The symbolic learning rate of the discrete-time table.
LEARNING_RATE = sp.Symbol("h", positive=True)
#: The check of each region of learning rates by iterating the real update at one rate inside it.
DISCRETE_VERIFY: Mapping = MappingProxyType({"samples": 2})
