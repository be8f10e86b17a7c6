r"""The analysis as a derivation: losses -> gradients -> field -> linearisation -> verdict, as data.

:func:`derivation` turns an :class:`~stability.Analysis` into a tuple of
:class:`~stability.render.steps.Step` records whose equations hold the analysis' own SymPy
objects (the losses, the derived field, the Jacobian's 2x2 block, the eigenvalues), never
transcribed ones; :mod:`stability.render.latex` and :mod:`stability.render.markdown` render them.

Notation follows the source post: rotation-invariant variants are written with bold vectors
:math:`\boldsymbol\varphi, \boldsymbol\theta \in \mathbb{R}^n`; in dimension 1 with plain
scalars; general (non-invariant) variants component by component.

>>> from stability import analyze
>>> steps = derivation(analyze("vanilla_ns"))
>>> [s.key for s in steps]
['setting', 'losses', 'gradients', 'field', 'linearization', 'second_order', 'eigenvalues', 'verdict', 'nonlinear']
>>> steps[5].values["stiffness"], steps[5].equations[-1].tag
(-1/4, '9')
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sympy as sp

from ..dynamics.field import tidy
from ..model.post import POST_EQUATIONS
from ..model.regularizers import REGULARIZERS
from ..model.space import DOT, NORM_PHI, NORM_THETA
from ..model.variants import VARIANTS
from ..theory.lyapunov import K
from ..verdicts import TimeDomain
from .notation import (
    Code,
    Collection,
    Combination,
    Equation,
    Gradient,
    Math,
    Multiplicity,
    OrderedSum,
    PlusMinus,
    Prose,
    SetUnion,
    Strong,
    Subscript,
    Tex,
    Text,
    prose,
)
from .steps import Step
from .symbols import L_D, L_G, MU, PHI_VEC, THETA_VEC, ZERO_VEC, B, J, L, N, V, Z, component, dot
from .symbols import M as M_SET

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Analysis

__all__ = ["derivation", "second_order", "SecondOrder", "eigenvalue_items", "VERDICT_TEXT"]

#: The nonlinear verdicts in words.
VERDICT_TEXT = {
    "asymptotically-stable": "asymptotically stable",
    "stable": "Lyapunov-stable, not asymptotically stable",
    "unstable": "unstable",
    "undecided": "undecided",
}
_METHOD_TEXT = {
    "linearization": "Lyapunov's indirect method",
    "lyapunov": "a Lyapunov function",
    "lasalle": "LaSalle's invariance principle",
    "conserved": "a conserved quantity",
    "chetaev": "Chetaev's theorem",
    "dimension": "the link between dimensions",
    "cases": "case by case",
    "none": "no certificate found",
}


def _eq(lhs, rhs) -> sp.Basic:
    """``lhs = rhs`` as an unevaluated SymPy equality (for inline formulas)."""
    return sp.Eq(lhs, rhs, evaluate=False)


# ----------------------------------------------------------------------------------------
# Notation of one analysis
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Notation:
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


def _notation(a: Analysis) -> _Notation:
    if a.dynamics.invariant is not None:
        return _Notation("vector", a.dim, tuple(a.state))
    return _Notation("scalar" if a.dim == 1 else "components", a.dim, tuple(a.state))


def _step(nt: _Notation, key: str, title: str, text: Prose, equations=(), values=None, after=(), proof="") -> Step:
    return Step(key, title, text, tuple(equations), values or {}, tuple(after), proof, nt.print_dim)


def _tag(a: Analysis, key: str) -> str | None:
    """The post's number for this step's equation, for the post's own variants as the post states them."""
    if a.regularizers or a.dim < 2 or a.variant.name not in POST_EQUATIONS:
        return None
    if VARIANTS.get(a.variant.name) is not a.variant:
        return None
    return POST_EQUATIONS[a.variant.name].get(key)


def _indices(dim: int) -> Tex:
    return Tex("(i = 1, 2)" if dim == 2 else rf"(i = 1, \dots, {dim})")


# ----------------------------------------------------------------------------------------
# The second-order reduction (a computation, shown by the derivation)
# ----------------------------------------------------------------------------------------
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


def eigenvalue_items(parts) -> tuple[Multiplicity, ...]:
    r"""The eigenvalues with their multiplicities, complex-conjugate pairs merged into :math:`\pm`.

    >>> from stability import analyze
    >>> eigenvalue_items(analyze("vanilla_ns").eigenvalue_parts)
    (Multiplicity(value=PlusMinus(center=0, offset=I/2), count=2),)
    """
    parts = list(parts)
    out, used = [], set()
    for i, p in enumerate(parts):
        if i in used:
            continue
        mate = None
        if not p.real.has(sp.Piecewise) and not p.imag.has(sp.Piecewise) and p.imag.is_nonzero:
            for j in range(i + 1, len(parts)):
                q = parts[j]
                if (
                    j not in used
                    and q.multiplicity == p.multiplicity
                    and sp.simplify(q.value - sp.conjugate(p.value)) == 0
                ):
                    mate = j
                    break
        if mate is None:
            out.append(Multiplicity(p.value, p.multiplicity))
            continue
        used.add(mate)
        im = sp.Abs(p.imag) if p.imag.is_real else p.imag
        out.append(Multiplicity(PlusMinus(p.real, sp.I * sp.simplify(im)), p.multiplicity))
    return tuple(out)


# ----------------------------------------------------------------------------------------
# The steps
# ----------------------------------------------------------------------------------------
def _general_form(form: str) -> list[Equation]:
    """The variant's general losses (its own LaTeX), one equation per row, aligned at the first ``=``."""
    rows = []
    for part in re.split(r",?\\quad ", form):
        part = part.strip()
        if not part:
            continue
        lhs, sep, rhs = part.partition(" = ")
        rows.append(Equation(Tex(lhs), Tex(rhs)) if sep else Equation(None, Tex(part)))
    return rows


def _param_prose(a: Analysis) -> Prose:
    items: list[Any] = []
    for name, value in a.params.items():
        sym = sp.Symbol(name)
        if items:
            items.append(", ")
        if isinstance(value, sp.Symbol) and value.name == name:
            items += [Math(sym), " (symbolic)"]
        else:
            items.append(Math(_eq(sym, value)))
    return prose(" Parameters: ", *items, ".") if items else ()


def _setting(a: Analysis, nt: _Notation) -> Step:
    v = a.variant
    P, T = nt.phi, nt.theta
    if nt.mode == "components":
        P, T = PHI_VEC, THETA_VEC
    flow_phi = Equation(dot(P), Combination(((-1, Gradient(L_D, P)),)))
    flow_theta = Equation(dot(T), Combination(((-1, Gradient(L_G, T)),)))
    text = prose(
        "Variant ",
        Code(v.name),
        f": {v.description}" if v.description else "",
        f" (the post's {v.equations})" if v.equations else "",
        ". The Dirac GAN: the real distribution is the single point ",
        _eq(sp.Symbol("x_r"), 0),
        ", the generator's sample is ",
        _eq(sp.Symbol("x_f"), T),
        " and the discriminator is linear before its activation, ",
        Tex(rf"D(x) = x\cdot {_tex_name(P)}"),
        ", with ",
        nt.space,
        ". Each player minimises its own loss",
        _training_prose(a, flow_phi, flow_theta),
        " Equation numbers in parentheses are the post's.",
        _param_prose(a),
    )
    rows = _general_form(v.general_form) if v.general_form else []
    if _discrete(a):
        rows += _general_form(a.optimizer.latex)
    return _step(nt, "setting", "The setting", text, rows, {"dim": a.dim, "params": dict(a.params)})


def _discrete(a: Analysis) -> bool:
    return a.time_domain is TimeDomain.DISCRETE


def _training_prose(a: Analysis, flow_phi: Equation, flow_theta: Equation) -> Prose:
    if not _discrete(a):
        return prose(" by gradient flow (eqs. 3–4): ", flow_phi, ", ", flow_theta, ".")
    opt, lr = a.optimizer, a.lr
    h_d, h_g = sp.Symbol("h_d"), sp.Symbol("h_g")
    rates = (_eq(sp.Symbol("h"), lr.d),) if lr.equal else (_eq(h_d, lr.d), ", ", _eq(h_g, lr.g))
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


def _tex_name(sym: sp.Symbol) -> str:
    return {PHI_VEC: r"\boldsymbol{\varphi}", THETA_VEC: r"\boldsymbol{\theta}"}.get(sym, r"\varphi")


def _losses(a: Analysis, nt: _Notation) -> Step:
    d_loss, g_loss = a.dynamics.d_loss, a.dynamics.g_loss
    rows = [Equation(L_D, d_loss, tag=_tag(a, "losses")), Equation(L_G, g_loss)]
    if nt.mode == "vector":
        text = prose(
            "With ",
            _eq(sp.Symbol("x_r"), 0),
            " and ",
            _eq(sp.Symbol("x_f"), THETA_VEC),
            " the expectations become single values, and the losses depend on ",
            PHI_VEC,
            " and ",
            THETA_VEC,
            " only through ",
            NORM_PHI,
            ", ",
            NORM_THETA,
            " and ",
            DOT,
            " (they are rotation invariant).",
        )
    else:
        text = prose(
            "The losses of the Dirac GAN in components",
            " (dimension 1: plain scalars)." if nt.mode == "scalar" else ".",
        )
    if a.regularizers:
        items: list[Any] = []
        for k, w in a.regularizers.items():
            reg = REGULARIZERS[k]
            sym = reg.weight.symbol
            if items:
                items.append(", ")
            items += [Tex(reg.latex), " with "]
            items += ["symbolic ", Math(sym)] if w == sym else [Math(_eq(sym, w))]
        text += prose(" The regularisers are included: ", *items, ".")
    text += prose(" Additive constants, which do not change the dynamics, are dropped.")
    return _step(nt, "losses", "Dirac losses", text, rows, {"d_loss": d_loss, "g_loss": g_loss})


def _gradients_invariant(a: Analysis, nt: _Notation) -> Step:
    d_loss, g_loss = a.dynamics.d_loss, a.dynamics.g_loss
    P, T = PHI_VEC, THETA_VEC
    partials = {
        ("D", NORM_PHI): tidy(sp.diff(d_loss, NORM_PHI)),
        ("D", DOT): tidy(sp.diff(d_loss, DOT)),
        ("G", DOT): tidy(sp.diff(g_loss, DOT)),
        ("G", NORM_THETA): tidy(sp.diff(g_loss, NORM_THETA)),
    }
    grad_phi = (tidy(partials["D", NORM_PHI] / NORM_PHI), partials["D", DOT])
    grad_theta = (partials["G", DOT], tidy(partials["G", NORM_THETA] / NORM_THETA))
    rows = [
        Equation(Gradient(L, P), Combination(((sp.Derivative(L, NORM_PHI), P / NORM_PHI), (sp.Derivative(L, DOT), T)))),
        Equation(
            Gradient(L, T), Combination(((sp.Derivative(L, DOT), P), (sp.Derivative(L, NORM_THETA), T / NORM_THETA)))
        ),
    ]
    loss = {"D": L_D, "G": L_G}
    rows += [
        Equation(sp.Derivative(loss[player], var), value) for (player, var), value in partials.items() if value != 0
    ]
    rows += [
        Equation(Gradient(L_D, P), Combination(((grad_phi[0], P), (grad_phi[1], T)))),
        Equation(Gradient(L_G, T), Combination(((grad_theta[0], P), (grad_theta[1], T)))),
    ]
    text = prose(
        "By the chain rule through the invariants (",
        Equation(Gradient(NORM_PHI, P), P / NORM_PHI),
        ", ",
        Equation(Gradient(DOT, P), T),
        ", and symmetrically in ",
        T,
        "), each gradient is a combination of ",
        P,
        " and ",
        T,
        " whose coefficients do not depend on the dimension. The partial derivatives that are not zero, "
        "and the gradients:",
    )
    values = {"partials": partials, "grad_phi_d": grad_phi, "grad_theta_g": grad_theta}
    return _step(nt, "gradients", "Gradients", text, rows, values)


def _gradients_components(a: Analysis, nt: _Notation) -> Step:
    field_ = a.vector_field
    n = a.dim
    rows = [Equation(sp.Derivative(L_D, nt.state[i]), -field_[i]) for i in range(n)]
    rows += [Equation(sp.Derivative(L_G, nt.state[n + i]), -field_[n + i]) for i in range(n)]
    text = prose("The partial derivatives of each player's loss with respect to its own parameters:")
    return _step(nt, "gradients", "Gradients", text, rows, {"gradients": tuple(-x for x in field_)})


def _rate(a: Analysis, var: sp.Symbol, nt: _Notation):
    """The left side of a field equation: ``dx/dt`` for a flow, the field's component ``F_x`` for a map."""
    if not _discrete(a):
        return dot(var)
    return Subscript("F", var)


def _field(a: Analysis, nt: _Notation) -> Step:
    tag = _tag(a, "field") if not _discrete(a) else None
    if _discrete(a):
        return _field_of_map(a, nt)
    if nt.mode == "vector":
        f = a.dynamics.invariant
        P, T = PHI_VEC, THETA_VEC
        rows = [
            Equation(dot(P), Combination(((f.a, P), (f.b, T))), tag=tag),
            Equation(dot(T), Combination(((f.c, P), (f.d, T)))),
        ]
        values = {"coefficients": f.coefficients}
        text = prose(
            "Gradient flow, ",
            Equation(dot(P), Combination(((-1, Gradient(L_D, P)),))),
            ", ",
            Equation(dot(T), Combination(((-1, Gradient(L_G, T)),))),
            ", gives the training ODE in vector form, the same for every dimension ",
            sp.Ge(N, 2, evaluate=False),
            ":",
        )
    else:
        fld, n = a.vector_field, a.dim
        rows = [Equation(dot(nt.state[i]), fld[i]) for i in range(2 * n)]
        if tag and rows:
            rows[0] = Equation(rows[0].lhs, rows[0].rhs, tag=tag)
        values = {"field": fld}
        if nt.mode == "scalar":
            P, T = nt.phi, nt.theta
            text = prose(
                "Gradient flow, ",
                Equation(dot(P), Combination(((-1, sp.Derivative(L_D, P)),))),
                ", ",
                Equation(dot(T), Combination(((-1, sp.Derivative(L_G, T)),))),
                ", gives the training ODE:",
            )
        else:
            text = prose("Gradient flow gives the training ODE, component by component:")
    return _step(nt, "field", "The vector field", text, rows, values)


def _field_of_map(a: Analysis, nt: _Notation) -> Step:
    """The field a discrete optimiser steps along (the same as gradient flow's, but not a time derivative)."""
    if nt.mode == "vector":
        f = a.dynamics.invariant
        rows = [
            Equation(_rate(a, PHI_VEC, nt), Combination(((f.a, PHI_VEC), (f.b, THETA_VEC)))),
            Equation(_rate(a, THETA_VEC, nt), Combination(((f.c, PHI_VEC), (f.d, THETA_VEC)))),
        ]
        values = {"coefficients": f.coefficients}
    else:
        fld = a.vector_field
        rows = [Equation(_rate(a, nt.state[i], nt), fld[i]) for i in range(2 * a.dim)]
        values = {"field": fld}
    text = prose("The training field, the direction each player's update follows:")
    return _step(nt, "field", "The training field", text, rows, values)


def _linear_rows(block: sp.Matrix, P, T, tag: str | None, qualifier=(), lhs=dot) -> list[Equation]:
    (a, b), (c, d) = block.tolist()
    return [
        Equation(lhs(P), Combination(((a, P), (b, T))), "≈", tag=tag),
        Equation(lhs(T), Combination(((c, P), (d, T))), "≈", qualifier=qualifier),
    ]


def _kron_blocks(block: sp.Matrix) -> sp.BlockMatrix:
    """``B (x) I_n`` written as the block matrix ``[[a I_n, b I_n], [c I_n, d I_n]]``."""
    eye = sp.Identity(N)
    return sp.BlockMatrix([[block[i, j] * eye for j in range(2)] for i in range(2)])


def _linearization(a: Analysis, nt: _Notation) -> Step:
    tag = _tag(a, "linearization") if not _discrete(a) else None
    block, jacobian = a.linearization.block, a.field_jacobian

    def lhs(var):
        return _rate(a, var, nt)

    values: dict[str, Any] = {"jacobian": jacobian, "block": block}
    b_sym = sp.MatrixSymbol("B", 2, 2)
    if nt.mode == "vector":
        f = a.dynamics.invariant
        P, T = PHI_VEC, THETA_VEC
        toward = (Text("as"), Equation(sp.Tuple(P, T), ZERO_VEC, "→"))
        limits = [
            Equation(coef, value, "→", qualifier=toward)
            for coef, value in zip((f.a, f.b, f.c, f.d), block)
            if coef.free_symbols & {NORM_PHI, NORM_THETA, DOT}
        ]
        rows = limits + _linear_rows(block, P, T, tag, lhs=lhs)
        rows += [
            Equation(B, block),
            Equation(J, sp.KroneckerProduct(b_sym, sp.Identity(N)), chain=(_kron_blocks(block),)),
        ]
        text = prose(
            "At ",
            Tex(r"\boldsymbol{\varphi} = \boldsymbol{\theta} = \mathbf{0}"),
            " the field vanishes: the origin is an equilibrium. Near it, each coefficient of the field tends to a "
            "constant",
            " (the limits below, taken along every ray into the origin)" if limits else "",
            ", so the linearised system, its ",
            Tex(r"2\times 2"),
            " coefficient matrix ",
            B,
            " and the Jacobian ",
            J,
            " (with ",
            sp.Identity(N),
            " the ",
            Tex(r"n\times n"),
            " identity) are:",
        )
    elif block is not None:
        P, T = nt.generic("phi"), nt.generic("theta")
        qualifier = (_indices(a.dim),) if nt.mode == "components" else ()
        rows = _linear_rows(block, P, T, tag, qualifier, lhs=lhs)
        if nt.mode == "components":
            rows += [
                Equation(J, sp.KroneckerProduct(b_sym, sp.Identity(a.dim)), chain=(jacobian,)),
                Equation(B, block),
            ]
        else:
            rows.append(Equation(J, jacobian))
        text = prose(
            "At the origin the field vanishes: it is an equilibrium. The Jacobian there (the limit of ",
            Tex("F(t w)/t"),
            " along every ray ",
            Tex("t w"),
            ", ",
            Tex(r"t \to 0^+"),
            ") gives the linearised system:",
        )
    else:
        rows = [
            Equation(lhs(Z), J * Z, "≈", qualifier=(Equation(Z, sp.Tuple(*nt.state)),)),
            Equation(J, jacobian),
        ]
        text = prose(
            "At the origin the field vanishes: it is an equilibrium. Its Jacobian there (the limit of ",
            Tex("F(t w)/t"),
            " along every ray ",
            Tex("t w"),
            ", ",
            Tex(r"t \to 0^+"),
            ") gives the linearised system:",
        )
    return _step(nt, "linearization", "Linearisation at the equilibrium", text, rows, values)


def _where(where: str, nt: _Notation):
    """The set a singular term is singular on, as a formula (or words for the origin)."""
    if where in ("phi = 0", "theta = 0"):
        sym = PHI_VEC if where.startswith("phi") else THETA_VEC
        if nt.mode == "scalar":
            return _eq(nt.phi if sym == PHI_VEC else nt.theta, 0)
        return _eq(sym, ZERO_VEC)
    return Text("the origin")


def _equation_symbol(label: str, nt: _Notation) -> sp.Symbol:
    """The variable whose equation a singular term sits in (label ``"phi'"``, ``"theta_2'"``, ...)."""
    base, _, index = label.rstrip("'").partition("_")
    if nt.mode == "vector":
        return PHI_VEC if base == "phi" else THETA_VEC
    return component(base, index or "1")


def _singular(a: Analysis, nt: _Notation) -> Step:
    rows = []
    for s in a.singular_terms:
        kind = Text("continuous, not differentiable at" if s.continuous else "no limit at")
        rows.append(Equation(dot(_equation_symbol(s.equation, nt)), s.term, "∋", qualifier=(kind, _where(s.where, nt))))
    if a.equilibrium is None:
        head = (
            "The field has no limit at the origin: approaching it from different directions gives different "
            "values (or unbounded ones), so the origin is a singular point of the field rather than a point "
            "where it vanishes smoothly."
        )
        text = prose(head)
    else:
        text = prose(
            "The field tends to ",
            ZERO_VEC,
            " at the origin, so the origin is an equilibrium, but not linearly: ",
            Tex("F(t w)/t"),
            " depends on the direction ",
            Tex("w"),
            " in a way no matrix can represent.",
        )
    text += prose(" There is no Jacobian there, because of these terms of the field:")
    after = prose(
        "Each of them, taken along a ray into the set shown, tends to a value that depends on the ray"
        + (" (or to no value at all)" if not all(s.continuous for s in a.singular_terms) else "")
        + ". Linearisation therefore cannot decide stability (Hartman–Grobman needs a differentiable field); "
        "the nonlinear analysis and the numerics must."
    )
    reasons = tuple(s.describe() for s in a.singular_terms)
    values = {"singular_terms": tuple(a.singular_terms), "reasons": reasons, "equilibrium": a.equilibrium}
    return _step(nt, "singular", "Why linearisation fails", text, rows, values, after)


def _update_map(a: Analysis, nt: _Notation) -> Step:
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
        return _step(nt, "update_map", "The update map", text, (), {"jacobian": None})
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
    return _step(nt, "update_map", "The update map", text, rows, values)


def _characteristic(block: sp.Matrix, name: sp.MatrixSymbol) -> Equation:
    """``det(mu I - B) = ...`` with the trace and determinant (2x2) or factored (larger blocks)."""
    k = block.rows
    lhs = sp.Determinant(MU * sp.Identity(k) - name)
    if k != 2:
        return Equation(lhs, sp.factor(block.charpoly(MU).as_expr()), chain=(sp.Integer(0),))
    trace, det = sp.simplify(block.trace()), sp.simplify(block.det())
    qualifier = (Text("with"), Equation(sp.Trace(name), trace), Equation(sp.Determinant(name), det))
    return Equation(lhs, OrderedSum((MU**2, -trace * MU, det)), chain=(sp.Integer(0),), qualifier=qualifier)


def _eigenvalues(a: Analysis, nt: _Notation) -> Step:
    discrete = _discrete(a)
    whole, part = ("M", "A") if discrete else ("J", "B")
    rows = []
    if a.block is not None:
        block = a.block
        k = block.rows
        name = sp.MatrixSymbol(whole if a.dim == 1 else part, k, k)
        rows.append(_characteristic(block, name))
        if a.dim == 1:
            text = prose(
                "Writing ",
                MU,
                " for an eigenvalue of ",
                sp.Symbol(whole),
                ", the characteristic equation and its roots are:",
            )
        else:
            mult = _eq(N, a.dim) if nt.mode == "vector" else sp.Integer(a.dim)
            text = prose(
                "Since ",
                Equation(sp.Symbol(whole), sp.KroneckerProduct(sp.MatrixSymbol(part, k, k), sp.Identity(N))),
                ", the eigenvalues of ",
                sp.Symbol(whole),
                " are those of the ",
                Tex(rf"{k}\times {k}"),
                " matrix ",
                sp.Symbol(part),
                ", each with multiplicity ",
                mult,
                "; writing ",
                MU,
                " for an eigenvalue, the characteristic equation of ",
                sp.Symbol(part),
                " and its roots are:",
            )
        values = {"characteristic": sp.expand(block.charpoly(MU).as_expr()), "eigenvalues": dict(a.eigenvalues)}
        if k == 2:
            values |= {"trace": sp.simplify(block.trace()), "det": sp.simplify(block.det())}
    else:
        text = prose("The eigenvalues ", MU, " of ", sp.Symbol(whole), ", with their multiplicities:")
        values = {"eigenvalues": dict(a.eigenvalues)}
    rows.append(Equation(MU, Collection(eigenvalue_items(a.eigenvalue_parts)), "∈"))
    for p in a.eigenvalue_parts:
        if not p.value.free_symbols or p.real.has(sp.Piecewise) or p.imag.has(sp.Piecewise):
            continue
        rows.append(Equation(sp.re(MU), p.real, qualifier=(Equation(sp.im(MU), p.imag),)))
    rho = a.spectral_radius if discrete else None
    if rho is not None and not sp.sympify(rho).free_symbols:
        # an exact radius that is a screenful of nested radicals is shown by its value
        shown = (
            Equation(Tex(r"\rho(M)"), rho) if sp.count_ops(rho) <= 24 else Equation(Tex(r"\rho(M)"), sp.N(rho, 6), "≈")
        )
        rows.append(Equation(shown.lhs, shown.rhs, shown.relation, qualifier=(Text("the largest"), Tex(r"|\mu|"))))
        values["spectral_radius"] = rho
    return _step(nt, "eigenvalues", "Eigenvalues", text, rows, values)


def _second_order(a: Analysis, nt: _Notation) -> Step | None:
    if a.block is None:
        return None
    r = second_order(a.block)
    if r is None:
        return None
    x = nt.generic(r.variable)
    y = nt.generic("phi" if r.variable == "theta" else "theta")
    k = a.block[1, 0] if r.variable == "theta" else a.block[0, 1]
    tag = _tag(a, "second_order") if r.variable == "theta" else None
    qualifier = (_indices(a.dim),) if nt.mode == "components" else ()
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
    return _step(nt, "second_order", "One second-order equation", text, [row], values, _oscillator_text(r))


def _eliminated(r: SecondOrder, nt: _Notation) -> Combination:
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


_VERDICT_PROSE = {
    "stable": "Every eigenvalue has negative real part: by Lyapunov's indirect method (Hartman–Grobman) the "
    "equilibrium is locally asymptotically stable, a stable {detail}; training converges from nearby starting points.",
    "unstable": "Some eigenvalue has positive real part: the equilibrium is unstable (a {detail}).",
    "center": "All eigenvalues are non-zero and purely imaginary: the linearisation is a centre. This does not "
    "decide the nonlinear system (Hartman–Grobman needs no eigenvalue on the imaginary axis): the nonlinear terms "
    "decide whether trajectories converge, orbit or diverge.",
    "non-hyperbolic": "Some eigenvalue has zero real part and none has positive real part: the equilibrium is "
    "non-hyperbolic and linearisation is inconclusive.",
    "undecided": "The signs of the real parts depend on the parameters; the verdict for each case is below.",
    "non-differentiable": "The field has no derivative at the equilibrium, so there is no linear verdict; "
    "stability is decided by the nonlinear terms (and checked numerically).",
}


_MAP_VERDICT_PROSE = {
    "stable": "Every eigenvalue of the update's Jacobian has modulus below 1: the update contracts near the "
    "equilibrium, which is locally asymptotically stable (a stable {detail}); training converges from nearby "
    "starting points.",
    "unstable": "Some eigenvalue of the update's Jacobian has modulus above 1: the equilibrium of the update is "
    "unstable (a {detail}).",
    "neutral": "The largest modulus of an eigenvalue of the update's Jacobian is exactly 1: linearisation is "
    "inconclusive.",
    "undecided": "The moduli of the eigenvalues depend on the parameters; the verdict for each case is below.",
    "non-differentiable": "The field has no derivative at the equilibrium, so neither has the update: there is no "
    "linear verdict, iterating the update decides.",
    "no-linearization": "The update has no derivative at the equilibrium: there is no linear verdict, iterating the "
    "update decides.",
}


def verdict_label(classification: str, detail: str) -> str:
    """``"stable (focus)"``, or the classification alone when the detail adds nothing.

    >>> verdict_label("stable", "focus"), verdict_label("center", "center")
    ('stable (focus)', 'center')
    """
    plain = classification in ("non-differentiable", detail) or not detail
    return f"{classification}" if plain else f"{classification} ({detail})"


def _verdict(a: Analysis, nt: _Notation) -> Step:
    cls, detail = a.classification, a.detail
    text = prose(
        Strong(verdict_label(cls, detail)),
        ", in dimension ",
        _eq(N, a.dim),
        ". ",
        (_MAP_VERDICT_PROSE if _discrete(a) else _VERDICT_PROSE).get(str(cls), "").format(detail=detail),
    )
    rows = [Equation(Text(str(k)), v, "if") for k, v in a.conditions.items()]
    values = {"classification": cls, "detail": detail, "conditions": dict(a.conditions)}
    return _step(nt, "verdict", "Verdict", text, rows, values)


# -- the nonlinear verdict -------------------------------------------------------------------
def _certificate(nl) -> list[Equation]:
    """The certificate's formulas: V and dV/dt (with its proved sign), LaSalle's set."""
    che = nl.chetaev
    if che is not None:
        rows = [Equation(V, che.V), Equation(dot(V), che.dV)]
        if che.local_form != che.dV:
            if che.local_form.has(K):
                where = (Text("writing"), Equation(DOT, K * NORM_PHI * NORM_THETA), sp.Le(sp.Abs(K), 1))
            else:
                where = (Text("on collinear states,"), Equation(DOT, PlusMinus(0, NORM_PHI * NORM_THETA)))
            rows.append(Equation(dot(V), che.local_form, qualifier=where))
        return rows
    if nl.V is None:
        return []
    rows = [Equation(V, nl.V)]
    sign = nl.sign
    if nl.dV == 0:
        rows.append(Equation(dot(V), sp.Integer(0), qualifier=(Text("identically"),)))
    elif sign is not None and sign.sign != 0:
        bound = sp.Ge(nl.dV, 0, evaluate=False) if sign.sign > 0 else sp.Le(nl.dV, 0, evaluate=False)
        rows.append(Equation(dot(V), bound))
    else:
        rows.append(Equation(dot(V), nl.dV))
    inv = nl.invariant
    if inv is not None and not inv.only_origin:
        pieces = tuple(tuple(_eq(k, v) for k, v in piece.items()) for piece in inv.pieces)
        rows.append(Equation(M_SET, SetUnion(pieces), qualifier=(Text("the largest invariant set in"), _zero_set())))
    return rows


def _zero_set():
    return Tex(r"\{\dot V = 0\}")


def _argument(nl) -> Prose:
    """The argument behind the verdict, from the certificate's structure (not from its prose)."""
    method, verdict = str(nl.method), str(nl.verdict)
    out: Prose = ()
    if method == "cases":
        for v, cond in nl.conditions.items():
            out += prose("When ", cond, f": {VERDICT_TEXT.get(str(v), str(v))}. ")
    elif method == "linearization" and verdict == "unstable":
        out += prose(
            "Some eigenvalue of the Jacobian at the origin has positive real part: by Lyapunov's indirect "
            "method (Hartman–Grobman) the origin is unstable. "
        )
    elif method == "linearization":
        rate = nl.decay_rate
        out += prose(
            "Every eigenvalue of the Jacobian at the origin has negative real part: by Lyapunov's indirect method "
            "the origin is locally exponentially asymptotically stable",
            (" (rate ", rate, ")") if rate is not None else "",
            ". ",
        )
        if nl.V is not None:
            out += prose("Globally, ") + _lyapunov_argument(nl)
    elif method == "none":
        out += prose("No Lyapunov or Chetaev certificate was found. ")
    else:
        if method == "dimension":
            out += prose(
                "States with ",
                PHI_VEC,
                " and ",
                THETA_VEC,
                " on one line form an invariant subspace carrying the 1-dimensional dynamics, so instability for ",
                _eq(N, 1),
                " implies it for every ",
                N,
                ", and asymptotic stability for ",
                sp.Ge(N, 2, evaluate=False),
                " implies it for ",
                _eq(N, 1),
                ". ",
            )
        che = nl.chetaev
        if che is not None:
            out += prose(
                "On that subspace, by" if method == "dimension" else "By",
                " Chetaev's theorem: the region ",
                Tex(r"\{V > 0\}"),
                " has the origin on its boundary, and ",
                sp.StrictGreaterThan(dot(V), 0, evaluate=False),
                " on it near the origin (the factor of ",
                dot(V),
                " other than powers of the norms tends to ",
                sp.StrictGreaterThan(che.leading, 0, evaluate=False),
                " there); so the origin is unstable. ",
            )
        elif nl.V is not None:
            out += _lyapunov_argument(nl)
    for o in nl.orbits:
        conds: list[Any] = []
        for k, v in o.conditions.items():
            conds += [", " if conds else "", _eq(k, v)]
        kind = "a family of periodic rotations" if o.kind == "family" else "an isolated periodic rotation"
        out += prose(
            "For ",
            sp.Ge(N, 2, evaluate=False),
            f" the field has {kind} with ",
            *conds,
            " at angular frequency ",
            _eq(sp.Symbol("omega"), o.frequency),
            f" ({o.stability}). ",
        )
    conclusion = VERDICT_TEXT.get(verdict, verdict)
    out += prose("Conclusion, in dimension ", _eq(N, nl.dim), ": ", Strong(conclusion), ".")
    by_dim = nl.by_dim or {}
    if len(set(by_dim.values())) > 1:
        items: list[Any] = []
        for k, v in by_dim.items():
            items += [", " if items else "", f"{VERDICT_TEXT.get(str(v), str(v))} for ", Tex(k.replace(">=", r"\ge"))]
        out += prose(" The verdict depends on the dimension: ", *items, ".")
    return out


def _lyapunov_argument(nl) -> Prose:
    if nl.dV == 0:
        return prose(
            V,
            " is conserved: every trajectory stays on a level set of ",
            V,
            ", so the origin is Lyapunov-stable and not asymptotically stable. ",
        )
    inv = nl.invariant
    sign = nl.sign
    if sign is not None and sign.sign > 0:
        return prose(V, " grows along every trajectory near the origin: the origin is unstable. ")
    if inv is None:
        return prose(V, " does not increase along the field: the origin is Lyapunov-stable. ")
    if inv.only_origin:
        return prose(
            V,
            " is positive definite and radially unbounded and does not increase; the largest invariant set in ",
            _zero_set(),
            " is the origin alone, so by LaSalle's invariance principle every trajectory converges to the origin. ",
        )
    return prose(
        V,
        " does not increase; by LaSalle's invariance principle trajectories approach ",
        M_SET,
        ", which reaches arbitrarily close to the origin and on which ",
        V,
        " is constant, so those on it never reach the origin. ",
    )


def _nonlinear(a: Analysis, nt: _Notation) -> Step:
    record = a.nonlinear
    method = _METHOD_TEXT.get(str(record.method), str(record.method))
    text = prose(
        "What the linearisation cannot say, the nonlinear terms decide. Verdict in dimension ",
        _eq(N, a.dim),
        ": ",
        Strong(str(record.verdict)),
        f" (method: {method}).",
    )
    values = {"record": record, "verdict": record.verdict, "method": record.method}
    return _step(
        nt, "nonlinear", "Nonlinear analysis", text, _certificate(record), values, _argument(record), record.to_latex()
    )


def derivation(analysis: Analysis, *, nonlinear: bool = True) -> tuple[Step, ...]:
    """The steps of ``analysis``: setting, losses, gradients, field, linearisation (or why it fails),
    the second-order equation when the linear system allows it, eigenvalues, verdict, and (unless
    ``nonlinear=False``) the nonlinear analysis with its short proof.  For a discrete analysis
    (an optimiser's update map) the linearisation of the field is followed by the update map's
    Jacobian ``M`` and its eigenvalues, judged by the unit circle; there is no second-order or
    nonlinear step (those are gradient flow's).

    >>> from stability import analyze
    >>> [s.key for s in derivation(analyze("wgan"))]
    ['setting', 'losses', 'gradients', 'field', 'singular', 'verdict', 'nonlinear']
    """
    a = analysis
    nt = _notation(a)
    steps: list[Step | None] = [_setting(a, nt), _losses(a, nt)]
    steps.append(_gradients_invariant(a, nt) if nt.mode == "vector" else _gradients_components(a, nt))
    steps.append(_field(a, nt))
    if not a.differentiable:
        steps.append(_singular(a, nt))
    elif _discrete(a):
        steps += [_linearization(a, nt), _update_map(a, nt)]
        steps.append(_eigenvalues(a, nt) if a.jacobian is not None else None)
    else:
        steps += [_linearization(a, nt), _second_order(a, nt), _eigenvalues(a, nt)]
    steps.append(_verdict(a, nt))
    if nonlinear and not _discrete(a):  # the nonlinear analysis is that of gradient flow
        steps.append(_nonlinear(a, nt))
    return tuple(s for s in steps if s is not None)
