"""The symbols derivations are written in: the vectors, time, the losses, and names of the notation.

They are plain SymPy symbols; :mod:`stability.render.tex` typesets them as the post does
(``phi`` as a bold vector, ``t``-derivatives as dots, ``L_D`` as :math:`L_D`).

>>> import sympy as sp
>>> sp.Derivative(PHI_VEC, TIME)
Derivative(phi, t)
"""

from __future__ import annotations

import sympy as sp

__all__ = [
    "PHI_VEC",
    "THETA_VEC",
    "TIME",
    "ZERO_VEC",
    "L",
    "L_D",
    "L_G",
    "MU",
    "V",
    "B",
    "J",
    "M",
    "N",
    "Z",
    "component",
    "dot",
]

#: The discriminator's and the generator's parameter vectors (typeset in bold).
PHI_VEC, THETA_VEC = sp.Symbol("phi"), sp.Symbol("theta")
#: Time, the variable of the training ODE.
TIME = sp.Symbol("t", real=True)
#: The zero vector (typeset as a bold 0).
ZERO_VEC = sp.Symbol("0_vec")
#: A loss in general, and each player's loss.
L, L_D, L_G = sp.Symbol("L"), sp.Symbol("L_D"), sp.Symbol("L_G")
#: An eigenvalue, a Lyapunov function, the 2x2 block, the Jacobian, LaSalle's set, the dimension, the state.
MU, V, B, J, M = sp.Symbol("mu"), sp.Symbol("V"), sp.Symbol("B"), sp.Symbol("J"), sp.Symbol("M")
N, Z = sp.Symbol("n", integer=True, positive=True), sp.Symbol("z")


def component(base: str, index: int | str) -> sp.Symbol:
    """The component symbol ``phi_i`` / ``theta_i`` (as the engine names them).

    >>> component("theta", "i")
    theta_i
    """
    return sp.Symbol(f"{base}_{index}")


def dot(x: sp.Basic, order: int = 1) -> sp.Derivative:
    """The time derivative of ``x`` (order 1 or 2), unevaluated: typeset as a dot.

    >>> dot(THETA_VEC, 2)
    Derivative(theta, (t, 2))
    """
    return sp.Derivative(x, (TIME, order))
