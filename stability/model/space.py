"""The Dirac-GAN setting in which every variant's losses are written.

A variant's losses are a function of a *space* ``g`` that offers the Dirac GAN's
vectors and operations: ``g.phi``, ``g.theta``, ``g.x_real`` (the real point, 0),
``g.x_fake`` (the generator's sample, ``theta``), ``g.dot``, ``g.norm`` and the
linear critic ``g.critic(x) = x . phi`` with its input gradient ``g.critic_grad(x) = phi``.

Two spaces implement this interface:

* :class:`InvariantSpace` represents vectors as combinations ``a*phi + b*theta``
  and expresses every scalar through the three rotation invariants ``|phi|``,
  ``|theta|`` and ``theta.phi``.  Losses built here are rotation invariant by
  construction, and the engine's cost no longer depends on the dimension.
* :class:`ComponentSpace` uses explicit components ``phi_1..phi_n``,
  ``theta_1..theta_n``; it works for any loss, at a cost that grows with ``n``.

>>> phi, theta = symbols(2)
>>> phi
(phi_1, phi_2)
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..errors import InvalidParameterError

__all__ = [
    "symbols",
    "InvariantSpace",
    "ComponentSpace",
    "NORM_PHI",
    "NORM_THETA",
    "DOT",
    "NotRotationInvariant",
]

#: |phi|, |theta| and theta.phi: the invariants of the rotation-invariant engine.
NORM_PHI = sp.Symbol("|phi|", positive=True)
NORM_THETA = sp.Symbol("|theta|", positive=True)
DOT = sp.Symbol("theta.phi", real=True)

#: How the invariants are typeset (bold vectors, as in the source post).
INVARIANT_LATEX = {
    NORM_PHI: r"\Vert\boldsymbol{\varphi}\Vert",
    NORM_THETA: r"\Vert\boldsymbol{\theta}\Vert",
    DOT: r"\boldsymbol{\theta}\cdot\boldsymbol{\varphi}",
}

MAX_DIM = 4096
#: Variants that are not rotation invariant are analysed component by component, at a cost
#: growing at least like dim^2 (dim = 128 already takes tens of seconds).
MAX_COMPONENT_DIM = 64


def check_dim(dim: object) -> int:
    """Validate a dimension argument and return it as an ``int``."""
    if isinstance(dim, bool) or not isinstance(dim, int):
        raise InvalidParameterError(f"dim must be an integer >= 1; got {type(dim).__name__} {dim!r}")
    if not 1 <= dim <= MAX_DIM:
        raise InvalidParameterError(f"dim must be between 1 and {MAX_DIM}; got {dim}")
    return dim


def check_component_dim(dim: int, name: str) -> None:
    """Refuse, with a clear message, a dimension too large for the component-by-component route."""
    if dim > MAX_COMPONENT_DIM:
        raise InvalidParameterError(
            f"dim must be at most {MAX_COMPONENT_DIM} for {name}, which is not rotation invariant and is "
            f"analysed component by component; got {dim}"
        )


def symbols(dim: int = 2) -> tuple[tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
    """Return ``(phi, theta)``: tuples of ``dim`` real SymPy symbols each.

    >>> phi, theta = symbols(1)
    >>> phi[0].is_real
    True
    """
    dim = check_dim(dim)
    phi = tuple(sp.Symbol(f"phi_{i}", real=True) for i in range(1, dim + 1))
    theta = tuple(sp.Symbol(f"theta_{i}", real=True) for i in range(1, dim + 1))
    return phi, theta


class NotRotationInvariant(Exception):
    """Raised inside :class:`InvariantSpace` when a loss needs individual components."""


@dataclass(frozen=True)
class InvVec:
    """The vector ``a*phi + b*theta`` of :class:`InvariantSpace`."""

    a: sp.Expr
    b: sp.Expr

    def __add__(self, other: InvVec) -> InvVec:
        if not isinstance(other, InvVec):
            return NotImplemented
        return InvVec(self.a + other.a, self.b + other.b)

    def __sub__(self, other: InvVec) -> InvVec:
        if not isinstance(other, InvVec):
            return NotImplemented
        return InvVec(self.a - other.a, self.b - other.b)

    def __neg__(self) -> InvVec:
        return InvVec(-self.a, -self.b)

    def __mul__(self, k) -> InvVec:
        if isinstance(k, InvVec):
            return NotImplemented
        return InvVec(self.a * k, self.b * k)

    __rmul__ = __mul__

    def __truediv__(self, k) -> InvVec:
        return InvVec(self.a / k, self.b / k)

    def __getitem__(self, index):
        raise NotRotationInvariant("a loss that reads individual components is not rotation invariant")

    def __iter__(self):
        raise NotRotationInvariant("a loss that reads individual components is not rotation invariant")


class _Space:
    """Operations shared by both spaces; subclasses define ``phi``, ``theta``, ``zero``, ``dot``."""

    @property
    def x_real(self):
        """The real data point: the origin."""
        return self.zero

    @property
    def x_fake(self):
        """The generator's sample: ``theta`` itself."""
        return self.theta

    def norm(self, x) -> sp.Expr:
        """Euclidean norm."""
        return sp.sqrt(self.dot(x, x))

    def critic(self, x) -> sp.Expr:
        """The linear discriminator before its activation: ``D(x) = x . phi``."""
        return self.dot(x, self.phi)

    def critic_grad(self, x):
        """``grad_x D(x) = phi`` for every ``x``."""
        return self.phi

    def grad(self, expr: sp.Expr):
        """``(grad_phi expr, grad_theta expr)`` of a scalar, as two vectors of this space."""
        raise NotImplementedError


class InvariantSpace(_Space):
    """Vectors as ``a*phi + b*theta``; scalars in ``|phi|``, ``|theta|``, ``theta.phi``."""

    phi = InvVec(sp.S.One, sp.S.Zero)
    theta = InvVec(sp.S.Zero, sp.S.One)
    zero = InvVec(sp.S.Zero, sp.S.Zero)

    def dot(self, x: InvVec, y: InvVec) -> sp.Expr:
        return x.a * y.a * NORM_PHI**2 + (x.a * y.b + x.b * y.a) * DOT + x.b * y.b * NORM_THETA**2

    def norm(self, x: InvVec) -> sp.Expr:
        # Exact shortcuts keep |phi| and |theta| as symbols instead of sqrt(|phi|**2).
        if x.b == 0:
            return sp.Abs(x.a) * NORM_PHI
        if x.a == 0:
            return sp.Abs(x.b) * NORM_THETA
        return sp.sqrt(self.dot(x, x))

    def grad(self, expr: sp.Expr) -> tuple[InvVec, InvVec]:
        """By the chain rule through the invariants: ``grad_phi = (L_|phi|/|phi|) phi + L_u theta``, etc."""
        l_u = sp.diff(expr, DOT)
        return (
            InvVec(sp.diff(expr, NORM_PHI) / NORM_PHI, l_u),
            InvVec(l_u, sp.diff(expr, NORM_THETA) / NORM_THETA),
        )


class ComponentSpace(_Space):
    """Vectors as explicit column matrices of ``dim`` real symbols."""

    def __init__(self, dim: int):
        self.dim = check_dim(dim)
        phi, theta = symbols(self.dim)
        self.phi_symbols, self.theta_symbols = phi, theta
        self.phi = sp.Matrix(phi)
        self.theta = sp.Matrix(theta)
        self.zero = sp.zeros(self.dim, 1)

    def dot(self, x: sp.Matrix, y: sp.Matrix) -> sp.Expr:
        return sp.Add(*[xi * yi for xi, yi in zip(x, y)])

    def grad(self, expr: sp.Expr) -> tuple[sp.Matrix, sp.Matrix]:
        return (
            sp.Matrix([sp.diff(expr, p) for p in self.phi_symbols]),
            sp.Matrix([sp.diff(expr, t) for t in self.theta_symbols]),
        )

    def invariant_substitution(self) -> dict[sp.Symbol, sp.Expr]:
        """Map ``|phi|``, ``|theta|``, ``theta.phi`` to their component expressions."""
        return {
            NORM_PHI: sp.sqrt(sp.Add(*[p**2 for p in self.phi_symbols])),
            NORM_THETA: sp.sqrt(sp.Add(*[t**2 for t in self.theta_symbols])),
            DOT: self.dot(self.theta, self.phi),
        }
