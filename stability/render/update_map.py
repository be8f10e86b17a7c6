r"""The discrete-time steps of a derivation: the optimiser, the field it steps along, its update map.

>>> from stability import analyze
>>> from stability.render.writing import writing_of
>>> a = analyze("gan_qp", optimizer="simgd", lr=0.1)
>>> update_map_step(a, writing_of(a)).values["block"].tolist()  # I + h J, J's block [[0, -1], [1, 0]]
[[1, -1/10], [1/10, 1]]
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

from .notation import Code, Combination, Equation, Prose, Tex, prose
from .steps import Step
from .symbols import PHI_VEC, THETA_VEC, J, N, Z
from .writing import Writing, eq, field_lhs, is_discrete, make_step

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Analysis

__all__ = ["training_prose", "map_field_step", "update_map_step"]


def training_prose(a: Analysis, flow_phi: Equation, flow_theta: Equation) -> Prose:
    """How the players train: gradient flow (eqs. 3-4), or steps of an optimiser along the field."""
    if not is_discrete(a):
        return prose(" by gradient flow (eqs. 3–4): ", flow_phi, ", ", flow_theta, ".")
    opt, lr = a.optimizer, a.lr
    h_d, h_g = sp.Symbol("h_d"), sp.Symbol("h_g")
    rates = (eq(sp.Symbol("h"), lr.d),) if lr.equal else (eq(h_d, lr.d), ", ", eq(h_g, lr.g))
    return prose(
        " by steps of the optimiser ",
        Code(opt.name),
        f" ({opt.description})" if opt.description else "",
        f" ({opt.source})" if opt.source and not opt.description else "",
        " at learning rate ",
        rates,
        ", along the training field ",
        Equation(sp.Symbol("F"), Tex(r"(-\nabla_{\boldsymbol{\varphi}} L_D, -\nabla_{\boldsymbol{\theta}} L_G)")),
        "; its update rule is the last rows below.",
    )


def map_field_step(a: Analysis, nt: Writing) -> Step:
    """The field a discrete optimiser steps along (the same as gradient flow's, but not a time derivative)."""
    if nt.mode == "vector":
        f = a.dynamics.invariant
        rows = [
            Equation(field_lhs(a, PHI_VEC, nt), Combination(((f.a, PHI_VEC), (f.b, THETA_VEC)))),
            Equation(field_lhs(a, THETA_VEC, nt), Combination(((f.c, PHI_VEC), (f.d, THETA_VEC)))),
        ]
        values = {"coefficients": f.coefficients}
    else:
        fld = a.vector_field
        rows = [Equation(field_lhs(a, nt.state[i], nt), fld[i]) for i in range(2 * a.dim)]
        values = {"field": fld}
    text = prose("The training field, the direction each player's update follows:")
    return make_step(nt, "field", "The training field", text, rows, values)


def update_map_step(a: Analysis, nt: Writing) -> Step:
    """The update linearised at the equilibrium: ``z_{k+1} ≈ M z_k`` (discrete analyses)."""
    opt = a.optimizer
    if a.jacobian is None:
        text = prose(
            "The update of ",
            Code(opt.name),
            " has no derivative at the equilibrium",
            f" ({opt.reason})" if opt.reason else "",
            ", so there is no linear verdict: iterating the update decides.",
        )
        return make_step(nt, "update_map", "The update map", text, (), {"jacobian": None})
    memory = f" The state carries the optimiser's memory ({opt.memory} more pair(s) of vectors)." if opt.memory else ""
    rows = []
    if a.block is not None and a.dim > 1:
        k = a.block.rows
        rows.append(Equation(sp.Symbol("M"), sp.KroneckerProduct(sp.MatrixSymbol("A", k, k), sp.Identity(N))))
        rows.append(Equation(sp.Symbol("A"), a.block))
    else:
        rows.append(Equation(sp.Symbol("M"), a.jacobian))
    text = prose(
        "Near the equilibrium the field is ",
        Equation(sp.Symbol("F"), J * Z, "≈"),
        " to first order, so one step of the update is linear there, ",
        Tex(r"z_{k+1} \approx M z_k"),
        ", with the exact Jacobian ",
        sp.Symbol("M"),
        " of the update map." + memory,
    )
    values = {"jacobian": a.jacobian, "block": a.block}
    return make_step(nt, "update_map", "The update map", text, rows, values)
