"""From losses to the training ODE: ``phi' = -grad_phi L_D``, ``theta' = -grad_theta L_G`` (eqs. 3-4).

Rotation-invariant losses are differentiated through the invariants
``|phi|``, ``|theta|``, ``u = theta.phi``::

    grad_phi L   = (dL/d|phi|)/|phi| * phi   + dL/du * theta
    grad_theta L = dL/du * phi + (dL/d|theta|)/|theta| * theta

so the field is ``phi' = a phi + b theta``, ``theta' = c phi + d theta`` with four
scalar coefficients whose cost does not depend on the dimension.

>>> from stability.model.variants import get_variant
>>> dyn = build_dynamics(get_variant("vanilla_ns"), 2, {}, {})
>>> dyn.invariant.b
-sigmoid(theta.phi)
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import sympy as sp
from sympy.core.function import AppliedUndef

from ..errors import InvalidParameterError, StabilityError
from ..model.regularizers import REGULARIZERS, DataModel, FieldTransform, LossTerm
from ..model.space import (
    DOT,
    NORM_PHI,
    NORM_THETA,
    ComponentSpace,
    InvariantSpace,
    NotRotationInvariant,
    check_component_dim,
)

__all__ = ["InvariantField", "Dynamics", "build_dynamics"]

INVARIANTS = (NORM_PHI, NORM_THETA, DOT)


def tidy(expr: sp.Expr) -> sp.Expr:
    """A cheap, predictable simplification: cancel common factors, then expand."""
    return sp.expand(sp.cancel(expr))


def drop_constant(expr: sp.Expr, state: tuple[sp.Symbol, ...]) -> sp.Expr:
    """Drop additive terms that do not depend on the state (they do not change the field)."""
    return expr.as_independent(*state, as_Add=True)[1]


@dataclass(frozen=True)
class InvariantField:
    """``phi' = a*phi + b*theta``, ``theta' = c*phi + d*theta``; a..d in |phi|, |theta|, theta.phi."""

    a: sp.Expr
    b: sp.Expr
    c: sp.Expr
    d: sp.Expr

    @classmethod
    def from_losses(cls, d_loss: sp.Expr, g_loss: sp.Expr) -> InvariantField:
        return cls(
            a=tidy(-sp.diff(d_loss, NORM_PHI) / NORM_PHI),
            b=tidy(-sp.diff(d_loss, DOT)),
            c=tidy(-sp.diff(g_loss, DOT)),
            d=tidy(-sp.diff(g_loss, NORM_THETA) / NORM_THETA),
        )

    @property
    def coefficients(self) -> sp.ImmutableMatrix:
        """The 2x2 matrix ``[[a, b], [c, d]]`` acting on ``(phi, theta)``."""
        return sp.ImmutableMatrix([[self.a, self.b], [self.c, self.d]])

    def components(self, space: ComponentSpace) -> sp.Matrix:
        """The field in explicit components, state order (phi_1..phi_n, theta_1..theta_n)."""
        sub = space.invariant_substitution()
        a, b, c, d = (e.xreplace(sub) for e in (self.a, self.b, self.c, self.d))
        phi, theta = space.phi_symbols, space.theta_symbols
        return sp.Matrix([a * p + b * t for p, t in zip(phi, theta)] + [c * p + d * t for p, t in zip(phi, theta)])


@dataclass(frozen=True)
class Dynamics:
    """The losses of one analysis and the vector field derived from them.

    ``invariant`` is set when the losses are rotation invariant (then ``d_loss`` and
    ``g_loss`` are expressions in |phi|, |theta| and theta.phi); otherwise the losses
    are in components and only ``field`` is available.
    """

    dim: int
    d_loss: sp.Expr
    g_loss: sp.Expr
    invariant: InvariantField | None
    transforms: tuple = ()  # (FieldTransform, weight) pairs applied to the component field

    @cached_property
    def space(self) -> ComponentSpace:
        return ComponentSpace(self.dim)

    @property
    def state(self) -> tuple[sp.Symbol, ...]:
        return self.space.phi_symbols + self.space.theta_symbols

    @cached_property
    def component_losses(self) -> tuple[sp.Expr, sp.Expr]:
        if self.invariant is None:
            return self.d_loss, self.g_loss
        sub = self.space.invariant_substitution()
        return self.d_loss.xreplace(sub), self.g_loss.xreplace(sub)

    @cached_property
    def field(self) -> sp.ImmutableMatrix:
        """The vector field as a 2n x 1 immutable SymPy matrix."""
        if self.invariant is not None:
            return sp.ImmutableMatrix(self.invariant.components(self.space))
        d_loss, g_loss = self.component_losses
        phi, theta = self.space.phi_symbols, self.space.theta_symbols
        field = sp.Matrix([-sp.diff(d_loss, p) for p in phi] + [-sp.diff(g_loss, t) for t in theta])
        for transform, weight in self.transforms:
            field = transform.components(field, self.state, weight)
        return sp.ImmutableMatrix(field)


def _checked_loss(variant, label: str, loss) -> sp.Expr:
    """A loss must be a finite real SymPy expression (or a number); strings are never parsed here."""
    if isinstance(loss, bool) or not isinstance(loss, (sp.Expr, int, float)):
        raise InvalidParameterError(
            f"{label} of variant {variant.name!r} must be a SymPy expression; got {type(loss).__name__} {loss!r}"
        )
    loss = sp.sympify(loss, strict=True)
    if loss.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        raise InvalidParameterError(f"{label} of variant {variant.name!r} must be finite; got {loss}")
    if loss.has(sp.I):
        raise InvalidParameterError(f"{label} of variant {variant.name!r} must be real; got {loss}")
    unknown = sorted({str(f.func) for f in loss.atoms(AppliedUndef)})
    if unknown:
        raise InvalidParameterError(
            f"{label} of variant {variant.name!r} uses the undefined function(s) {', '.join(unknown)}; a loss must be "
            "built from known functions (exp, log, sigmoid, softplus, tanh, sqrt, Abs, Max, ...)"
        )
    jumps = sorted({type(f).__name__ for f in loss.atoms(sp.floor, sp.ceiling, sp.frac)})
    if jumps:
        raise InvalidParameterError(
            f"{label} of variant {variant.name!r} uses {', '.join(jumps)}, which jumps: a loss must be continuous "
            "(gradient training needs its derivative)"
        )
    return loss


def _by_kind(regularizers: dict, kind: type) -> list[tuple]:
    return [(REGULARIZERS[name], w) for name, w in regularizers.items() if isinstance(REGULARIZERS[name], kind)]


def _losses(variant, space, values, regularizers):
    """Both losses in ``space``: data models first, then loss terms, in the order given."""
    models = _by_kind(regularizers, DataModel)
    if models and not variant.is_generic:
        names = ", ".join(m.name for m, _ in models)
        raise InvalidParameterError(
            f"{names} changes the data the losses see, but variant {variant.name!r} is given by expressions in "
            "phi and theta, which do not use samples; write its losses as functions of a Dirac space "
            "(g.x_real, g.x_fake, g.critic) to combine it with a data model"
        )
    inner = space
    for model, weight in models:
        inner = model.space(inner, weight)
    try:
        d_loss, g_loss = variant.losses(inner, values)
    except (NotRotationInvariant, StabilityError):
        raise
    except Exception as exc:  # a user's loss function failed: say which, without a deep traceback
        raise InvalidParameterError(
            f"the loss functions of variant {variant.name!r} failed: {type(exc).__name__}: {exc}"
        ) from exc
    d_loss, g_loss = _checked_loss(variant, "d_loss", d_loss), _checked_loss(variant, "g_loss", g_loss)
    for model, weight in reversed(models):
        d_loss, g_loss = model.expectation(d_loss, inner, weight), model.expectation(g_loss, inner, weight)
    for term, weight in _by_kind(regularizers, LossTerm):
        d_loss, g_loss = term.apply(space, weight, d_loss, g_loss)
    return sp.sympify(d_loss), sp.sympify(g_loss)


def build_dynamics(variant, dim: int, values: dict, regularizers: dict) -> Dynamics:
    """Evaluate the variant's losses and derive the field, using rotation invariance where it holds.

    The invariant route is taken for dimension-generic variants in dim >= 2 whose
    losses only use dot products and norms; in dim 1 a rotation is a sign flip and
    the component route is both cheap and exact.
    """
    if variant.is_generic and dim >= 2:
        try:
            d_loss, g_loss = _losses(variant, InvariantSpace(), values, regularizers)
        except NotRotationInvariant:
            pass
        else:
            d_loss, g_loss = drop_constant(d_loss, INVARIANTS), drop_constant(g_loss, INVARIANTS)
            field = InvariantField.from_losses(d_loss, g_loss)
            for transform, weight in _by_kind(regularizers, FieldTransform):
                field = transform.invariant(field, weight)
            return Dynamics(dim, d_loss, g_loss, field, _transforms(regularizers))
    check_component_dim(dim, f"variant {variant.name!r}")
    space = ComponentSpace(dim)
    d_loss, g_loss = _losses(variant, space, values, regularizers)
    state = space.phi_symbols + space.theta_symbols
    return Dynamics(dim, drop_constant(d_loss, state), drop_constant(g_loss, state), None, _transforms(regularizers))


def _transforms(regularizers: dict) -> tuple:
    return tuple(_by_kind(regularizers, FieldTransform))
