r"""The linear system as one second-order equation (the post's eq. (9)), and the step that shows it.

>>> import sympy as sp
>>> second_order(sp.Matrix([[0, -1], [1, 0]])).stiffness
-1
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import sympy as sp

from .notation import Combination, Equation, Prose, prose
from .steps import Step
from .symbols import dot
from .writing import Writing, indices, make_step, post_tag

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Analysis

__all__ = ["SecondOrder", "second_order", "second_order_step"]


@dataclass(frozen=True)
class SecondOrder:
    r"""``x'' = damping * x' + stiffness * x``: the linear system as one second-order equation.

    ``variable`` is ``"theta"`` (eliminating phi, needs ``c != 0`` in the block) or
    ``"phi"`` (when ``c == 0`` but ``b != 0``); ``eliminated`` is the other variable in the
    symbols ``P, T, Pd, Td`` (phi, theta and their time derivatives); ``condition`` is the
    assumption made when the needed entry is symbolic (``None`` if it is known to be non-zero).
    """

    variable: str
    damping: sp.Expr
    stiffness: sp.Expr
    eliminated: sp.Expr
    condition: sp.Basic | None = None


def second_order(block: sp.Matrix) -> SecondOrder | None:
    r"""Eliminate one variable from ``phi' = a phi + b theta``, ``theta' = c phi + d theta``.

    Differentiating ``theta' = c phi + d theta``, substituting ``phi'`` from the first
    equation and ``phi = (theta' - d theta)/c`` from the second gives
    ``theta'' = (a + d) theta' + (b c - a d) theta``; the elimination is done
    symbolically here, not quoted.  Returns None when both ``b`` and ``c`` are zero
    (the two equations are decoupled).

    >>> import sympy as sp
    >>> r = second_order(sp.Matrix([[0, -sp.Rational(1, 2)], [sp.Rational(1, 2), 0]]))
    >>> r.variable, r.damping, r.stiffness
    ('theta', 0, -1/4)
    """
    (a, b), (c, d) = block.tolist()
    P, T, Pd, Td = sp.symbols("P T Pd Td")  # phi, theta and their time derivatives
    if sp.sympify(c).is_zero is not True:
        # theta'' = d/dt (c phi + d theta) = c phi' + d theta', with phi' = a phi + b theta ...
        name, x, xd, y, k = "theta", T, Td, P, c
        xdd = c * (a * P + b * T) + d * Td
        # ... and phi from theta' = c phi + d theta.
        y_of = sp.solve(sp.Eq(Td, c * P + d * T), P)
    elif sp.sympify(b).is_zero is not True:
        # phi'' = a phi' + b theta', with theta' = c phi + d theta, and theta from phi' = a phi + b theta.
        name, x, xd, y, k = "phi", P, Pd, T, b
        xdd = a * Pd + b * (c * P + d * T)
        y_of = sp.solve(sp.Eq(Pd, a * P + b * T), T)
    else:
        return None
    if len(y_of) != 1:  # pragma: no cover - a linear equation with a non-zero coefficient
        return None
    expr = sp.expand(xdd.subs(y, y_of[0]))
    damping = sp.simplify(expr.coeff(xd))
    stiffness = sp.simplify(expr.coeff(x))
    condition = None if sp.sympify(k).is_zero is False else sp.Ne(k, 0)
    return SecondOrder(name, damping, stiffness, sp.simplify(y_of[0]), condition)


def second_order_step(a: Analysis, nt: Writing) -> Step | None:
    """The step ``x'' = damping x' + stiffness x`` (None when the block does not couple phi and theta)."""
    if a.block is None:
        return None
    r = second_order(a.block)
    if r is None:
        return None
    x = nt.generic(r.variable)
    y = nt.generic("phi" if r.variable == "theta" else "theta")
    k = a.block[1, 0] if r.variable == "theta" else a.block[0, 1]
    tag = post_tag(a, "second_order") if r.variable == "theta" else None
    qualifier = (indices(a.dim),) if nt.mode == "components" else ()
    row = Equation(dot(x, 2), Combination(((r.damping, dot(x)), (r.stiffness, x))), "≈", tag=tag, qualifier=qualifier)
    text = prose(
        "Differentiate the linearised equation for ",
        dot(x),
        ", substitute ",
        dot(y),
        " from the other one, and eliminate ",
        y,
        " with the equation for ",
        dot(x),
        " itself (",
        Equation(y, _eliminated(r, nt)),
        (", valid for ", sp.Ne(k, 0)) if r.condition is not None else "",
        "). This leaves one second-order equation in ",
        x,
        ":",
    )
    values = {"variable": r.variable, "damping": r.damping, "stiffness": r.stiffness, "record": r}
    return make_step(nt, "second_order", "One second-order equation", text, [row], values, _oscillator_text(r))


def _eliminated(r: SecondOrder, nt: Writing) -> Combination:
    # r.eliminated is in the symbols P, T, Pd, Td of second_order(); write it with the real names.
    phi, theta = nt.generic("phi"), nt.generic("theta")
    names = {"Td": dot(theta), "Pd": dot(phi), "T": theta, "P": phi}
    expr = sp.expand(r.eliminated)
    return Combination(tuple((expr.coeff(sp.Symbol(s)), basis) for s, basis in names.items()))


def _oscillator_text(r: SecondOrder) -> Prose:
    damping, stiffness = r.damping, r.stiffness
    if damping == 0 and stiffness.is_negative:
        return prose(
            "A harmonic oscillator without damping, of angular frequency ",
            sp.sqrt(-stiffness),
            ": linearly, trajectories circle the equilibrium and never reach it.",
        )
    if damping.is_negative and stiffness.is_negative:
        return prose(
            "A damped oscillator: the term in the velocity acts as friction, so linearly the trajectories "
            "spiral or creep into the equilibrium."
        )
    if damping.is_positive:
        return prose("An oscillator with negative damping: small oscillations grow.")
    if stiffness.is_positive:
        return prose("The restoring term has the wrong sign: small displacements grow.")
    return prose(
        "Its coefficients decide the behaviour; the eigenvalues below are the roots of its characteristic equation."
    )
