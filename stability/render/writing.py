"""How a derivation writes one analysis: its symbols, the post's equation numbers, the step factory.

Shared by the step builders of :mod:`stability.render.derivation` and its companions
(:mod:`~stability.render.second_order`, :mod:`~stability.render.certificate`,
:mod:`~stability.render.update_map`).

>>> from stability import analyze
>>> w = writing_of(analyze("vanilla_ns", dim=3))
>>> w.mode, w.phi, w.print_dim
('vector', phi, None)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from ..model.post import POST_EQUATIONS
from ..model.variants import VARIANTS
from ..verdicts import TimeDomain
from .notation import Prose, Subscript, Tex
from .steps import Step
from .symbols import PHI_VEC, THETA_VEC, component, dot

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Analysis

__all__ = ["Writing", "writing_of", "eq", "make_step", "post_tag", "indices", "is_discrete", "field_lhs"]


def eq(lhs, rhs) -> sp.Basic:
    """``lhs = rhs`` as an unevaluated SymPy equality (for inline formulas)."""
    return sp.Eq(lhs, rhs, evaluate=False)


@dataclass(frozen=True)
class Writing:
    """How phi, theta and their derivatives are written for one analysis."""

    mode: str  # "vector" (rotation-invariant), "scalar" (dim 1) or "components"
    dim: int
    state: tuple[sp.Symbol, ...]

    @property
    def print_dim(self) -> int | None:
        """The ``dim`` the printer needs (None: vector notation)."""
        return None if self.mode == "vector" else self.dim

    @property
    def phi(self) -> sp.Symbol:
        return PHI_VEC if self.mode == "vector" else self.state[0] if self.mode == "scalar" else PHI_VEC

    @property
    def theta(self) -> sp.Symbol:
        return THETA_VEC if self.mode == "vector" else self.state[1] if self.mode == "scalar" else THETA_VEC

    def generic(self, base: str) -> sp.Symbol:
        """The symbol for "each component" of ``base``: the vector, the scalar, or ``phi_i``."""
        if self.mode == "components":
            return component(base, "i")
        return self.phi if base == "phi" else self.theta

    @property
    def space(self) -> Tex:
        if self.mode == "vector":
            return Tex(rf"\boldsymbol{{\varphi}}, \boldsymbol{{\theta}} \in \mathbb{{R}}^{{n}},\ n = {self.dim}")
        if self.mode == "scalar":
            return Tex(r"\varphi, \theta \in \mathbb{R}")
        return Tex(rf"\varphi, \theta \in \mathbb{{R}}^{{{self.dim}}}")


def writing_of(a: Analysis) -> Writing:
    """How ``a`` is written: bold vectors (rotation invariant), plain scalars (n = 1) or components."""
    if a.dynamics.invariant is not None:
        return Writing("vector", a.dim, tuple(a.state))
    return Writing("scalar" if a.dim == 1 else "components", a.dim, tuple(a.state))


def make_step(nt: Writing, key: str, title: str, text: Prose, equations=(), values=None, after=(), proof="") -> Step:
    """A :class:`Step` printed with ``nt``'s notation."""
    return Step(key, title, text, tuple(equations), values or {}, tuple(after), proof, nt.print_dim)


def post_tag(a: Analysis, key: str) -> str | None:
    """The post's number for this step's equation, for the post's own variants as the post states them."""
    if a.regularizers or a.dim < 2 or a.variant.name not in POST_EQUATIONS:
        return None
    if VARIANTS.get(a.variant.name) is not a.variant:
        return None
    return POST_EQUATIONS[a.variant.name].get(key)


def indices(dim: int) -> Tex:
    """``(i = 1, ..., n)``: the range of a component equation."""
    return Tex("(i = 1, 2)" if dim == 2 else rf"(i = 1, \dots, {dim})")


def is_discrete(a: Analysis) -> bool:
    """True for an optimiser's update map, False for gradient flow."""
    return a.time_domain is TimeDomain.DISCRETE


def field_lhs(a: Analysis, var: sp.Symbol, nt: Writing):
    """The left side of a field equation: ``dx/dt`` for a flow, the field's component ``F_x`` for a map."""
    if not is_discrete(a):
        return dot(var)
    return Subscript("F", var)
