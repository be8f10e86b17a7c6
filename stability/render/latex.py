r"""The analysis as a derivation: losses -> gradients -> field -> linearisation -> verdict, in LaTeX.

:func:`derivation` turns an :class:`~stability.Analysis` into a tuple of :class:`Step`
records; :func:`to_latex` renders them as a standalone document (``amsmath`` only) or as
a fragment of equations.  Every expression shown is computed from the analysis (the
losses, the derived field, the Jacobian's 2x2 block), never transcribed.

Notation follows the source post: rotation-invariant variants are written with bold
vectors :math:`\boldsymbol\varphi, \boldsymbol\theta \in \mathbb{R}^n`; in dimension 1
with plain scalars; general (non-invariant) variants component by component.

>>> from stability import analyze
>>> steps = analyze("vanilla_ns").derivation()
>>> [s.key for s in steps]
['setting', 'losses', 'gradients', 'field', 'linearization', 'second_order', 'eigenvalues', 'verdict', 'nonlinear']
>>> steps[5].values["stiffness"]
-1/4
>>> print(steps[5].equations[-1])
\ddot{\boldsymbol{\theta}} &\approx -\boldsymbol{\theta}/4 \tag{9}
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..model.space import DOT, INVARIANT_LATEX, NORM_PHI, NORM_THETA

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Analysis

__all__ = [
    "Step",
    "SecondOrder",
    "derivation",
    "to_latex",
    "second_order",
    "latex",
    "escape_text",
    "combination",
    "eigenvalues_tex",
]

#: The vector symbols used by ``Analysis.field_equations`` and by singular terms.
PHI_VEC, THETA_VEC = sp.Symbol("phi"), sp.Symbol("theta")

#: The post's equation numbers for the steps of its own variants (see MATH.md).
POST_EQUATIONS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "vanilla_ns": {"losses": "6", "field": "7", "linearization": "8", "second_order": "9"},
        "wgan": {"losses": "11", "field": "12"},
        "wgan_gp": {"losses": "15", "field": "16"},
        "gan_qp": {"losses": "18", "field": "19"},
    }
)

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
\providecommand{\mathbb}[1]{\mathbf{#1}}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6em}
\allowdisplaybreaks
"""


# ----------------------------------------------------------------------------------------
# Printing
# ----------------------------------------------------------------------------------------
class _Printer(LatexPrinter):
    """SymPy's LaTeX printer, with ``theta.phi`` bracketed wherever it is a factor or a base."""

    _component_names: dict[str, str] | None = None

    def _dot(self) -> str:
        return _NAMES[DOT.name]

    def _print_Symbol(self, expr, style="plain"):
        name = self._settings["symbol_names"].get(expr) or _NAMES.get(expr.name)
        if name is None and self._component_names is not None:
            name = self._component_names.get(expr.name)
        return name if name is not None else super()._print_Symbol(expr, style=style)

    def _needs_mul_brackets(self, expr, first=False, last=False) -> bool:
        if expr == DOT:
            return True
        return super()._needs_mul_brackets(expr, first=first, last=last)

    def _print_Pow(self, expr, *args, **kwargs):
        if expr.base == DOT and expr.exp.is_Integer and expr.exp > 1:
            return rf"\left({self._dot()}\right)^{{{self._print(expr.exp)}}}"
        return super()._print_Pow(expr, *args, **kwargs)


#: Symbols typeset by name: the invariants, the vectors, and parameter names that abbreviate Greek letters.
_NAMES = {s.name: tex for s, tex in INVARIANT_LATEX.items()} | {
    "phi": r"\boldsymbol{\varphi}",
    "theta": r"\boldsymbol{\theta}",
    "lam": r"\lambda",
}


def _component_names(dim: int) -> dict[str, str]:
    names = {}
    for i in range(1, dim + 1):
        sub = "" if dim == 1 else f"_{{{i}}}"
        names[f"phi_{i}"] = rf"\varphi{sub}"
        names[f"theta_{i}"] = rf"\theta{sub}"
    return names


def latex(expr, dim: int | None = None) -> str:
    r"""LaTeX of ``expr``, the invariants as bold vectors (``|phi|`` as ``\Vert\boldsymbol{\varphi}\Vert``).

    With ``dim``, the component symbols ``phi_i``, ``theta_i`` print as
    ``\varphi_{i}``, ``\theta_{i}`` (plain ``\varphi``, ``\theta`` when ``dim == 1``).

    >>> from stability.model.space import DOT, NORM_THETA
    >>> latex(DOT**2 / NORM_THETA)
    '\\frac{\\left(\\boldsymbol{\\theta}\\cdot\\boldsymbol{\\varphi}\\right)^{2}}{\\Vert\\boldsymbol{\\theta}\\Vert}'
    """
    printer = _Printer()
    printer._component_names = None if dim is None else _component_names(dim)
    return printer.doprint(sp.sympify(expr))


def escape_text(text: str) -> str:
    """Escape plain text for LaTeX's text mode (OT1-safe: ``|<>`` become text symbols).

    >>> escape_text("wgan_gp: lam*(|grad D| - c)^2")
    'wgan\\\\_gp: lam*(\\\\textbar{}grad D\\\\textbar{} - c)\\\\textasciicircum{}2'
    """
    table = {
        "\\": r"\textbackslash{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "{": r"\{",
        "}": r"\}",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
        "|": r"\textbar{}",
        "<": r"\textless{}",
        ">": r"\textgreater{}",
    }
    return "".join(table.get(ch, ch) for ch in text)


@dataclass(frozen=True)
class _Notation:
    """How phi, theta and their derivatives are written for one analysis."""

    mode: str  # "vector" (rotation-invariant), "scalar" (dim 1) or "components"
    dim: int

    @property
    def phi(self) -> str:
        return r"\boldsymbol{\varphi}" if self.mode == "vector" else r"\varphi"

    @property
    def theta(self) -> str:
        return r"\boldsymbol{\theta}" if self.mode == "vector" else r"\theta"

    def dot(self, x: str, order: int = 1) -> str:
        base, sep, sub = x.partition("_")
        return (r"\dot{", r"\ddot{")[order - 1] + base + "}" + sep + sub

    def component(self, base: str, i: int) -> str:
        return base if self.mode != "components" else f"{base}_{{{i}}}"

    def tex(self, expr) -> str:
        return latex(expr, None if self.mode == "vector" else self.dim)

    @property
    def space(self) -> str:
        if self.mode == "vector":
            return rf"\boldsymbol{{\varphi}}, \boldsymbol{{\theta}} \in \mathbb{{R}}^{{n}},\ n = {self.dim}"
        if self.mode == "scalar":
            return r"\varphi, \theta \in \mathbb{R}"
        return rf"\varphi, \theta \in \mathbb{{R}}^{{{self.dim}}}"


def _notation(a: Analysis) -> _Notation:
    if a.dynamics.invariant is not None:
        return _Notation("vector", a.dim)
    return _Notation("scalar" if a.dim == 1 else "components", a.dim)


def _term(coef: sp.Expr, vec: str, tex) -> tuple[bool, str] | None:
    """``coef * vec`` as (negative?, body), the coefficient first, as the post writes it."""
    coef = sp.sympify(coef)
    if coef == 0:
        return None
    neg = not coef.is_Add and coef.could_extract_minus_sign()
    if neg:
        coef = -coef
    if coef == 1:
        return neg, vec
    if coef.is_Rational:
        p, q = coef.p, coef.q
        return neg, ("" if p == 1 else f"{p}") + vec + ("" if q == 1 else f"/{q}")
    num, den = sp.fraction(coef)
    if num == 1:
        num_tex = ""
    elif num.is_Add or num == DOT:
        num_tex = rf"\left({tex(num)}\right)"
    else:
        num_tex = tex(num)
    if den == 1:
        return neg, f"{num_tex} {vec}".strip()
    return neg, rf"\frac{{{num_tex} {vec}}}{{{tex(den)}}}".replace("{ ", "{")


def combination(terms: Sequence[tuple[sp.Expr, str]], tex=latex) -> str:
    r"""LaTeX of a linear combination ``sum(coef * vec)``, coefficients printed before the vectors.

    >>> import sympy as sp
    >>> combination([(-sp.Rational(1, 2), r"\boldsymbol{\theta}"), (sp.Integer(0), "x")])
    '-\\boldsymbol{\\theta}/2'
    """
    out = ""
    for coef, vec in terms:
        item = _term(coef, vec, tex)
        if item is None:
            continue
        neg, body = item
        if not out:
            out = ("-" if neg else "") + body
        else:
            out += (" - " if neg else " + ") + body
    return out or "0"


def _matrix(m: sp.Matrix, tex) -> str:
    rows = [" & ".join(tex(x) for x in m.row(i)) for i in range(m.rows)]
    cols = "c" * m.cols
    return r"\left(\begin{array}{" + cols + "}" + r" \\ ".join(rows) + r"\end{array}\right)"


def _block_matrix(block: sp.Matrix, tex) -> str:
    def entry(x):
        x = sp.sympify(x)
        if x == 0:
            return "0"
        return combination([(x, r"I_{n}")], tex)

    rows = [" & ".join(entry(block[i, j]) for j in range(2)) for i in range(2)]
    return r"\begin{pmatrix}" + r" \\ ".join(rows) + r"\end{pmatrix}"


# ----------------------------------------------------------------------------------------
# Records
# ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Step:
    r"""One step of a derivation.

    Attributes:
        key: a stable identifier: ``"setting"``, ``"losses"``, ``"gradients"``, ``"field"``,
            ``"linearization"``, ``"singular"``, ``"eigenvalues"``, ``"second_order"``,
            ``"verdict"`` or ``"nonlinear"``.
        title: a short heading.
        text: prose in LaTeX text mode (inline maths between ``$``).
        equations: rows of an ``align*`` environment (each with one ``&`` alignment point).
        values: the SymPy objects behind the equations, for programmatic checks.
        note: LaTeX (prose or displays) that follows the equations, e.g. the nonlinear proof.

    >>> s = Step("x", "Example", "A line.", (r"x &= 1",))
    >>> print(s.latex)
    \begin{align*}
    x &= 1
    \end{align*}
    """

    key: str
    title: str
    text: str
    equations: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    note: str = ""

    def __post_init__(self):
        object.__setattr__(self, "equations", tuple(self.equations))
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    @property
    def latex(self) -> str:
        """The equations as one ``align*`` environment (empty string if there are none)."""
        if not self.equations:
            return ""
        return "\\begin{align*}\n" + " \\\\\n".join(self.equations) + "\n\\end{align*}"


@dataclass(frozen=True)
class SecondOrder:
    r"""``x'' = damping * x' + stiffness * x``: the linear system as one second-order equation.

    ``variable`` is ``"theta"`` (eliminating phi, needs ``c != 0`` in the block) or
    ``"phi"`` (when ``c == 0`` but ``b != 0``); ``condition`` is the assumption made
    when the needed entry is symbolic (``None`` if it is known to be non-zero).
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


# ----------------------------------------------------------------------------------------
# The steps
# ----------------------------------------------------------------------------------------
def _tag(a: Analysis, key: str) -> str:
    if a.regularizers or a.dim < 2 or a.variant.name not in POST_EQUATIONS:
        return ""
    from ..model.variants import VARIANTS

    if VARIANTS.get(a.variant.name) is not a.variant:
        return ""
    number = POST_EQUATIONS[a.variant.name].get(key)
    return rf" \tag{{{number}}}" if number else ""


def _param_rows(a: Analysis) -> list[str]:
    rows = []
    for name, value in a.params.items():
        sym = latex(sp.Symbol(name))
        symbolic = isinstance(value, sp.Symbol) and value.name == name
        rows.append(rf"{sym} &\ \text{{(symbolic)}}" if symbolic else rf"{sym} &= {latex(value)}")
    return rows


def _setting(a: Analysis, nt: _Notation) -> Step:
    v = a.variant
    text = (
        f"Variant \\texttt{{{escape_text(v.name)}}}"
        + (f": {escape_text(v.description)}" if v.description else "")
        + (f" (the post's {escape_text(v.equations)})" if v.equations else "")
        + ". The Dirac GAN: the real distribution is the single point $x_r = 0$, the generator's "
        f"sample is $x_f = {nt.theta}$ and the discriminator is linear before its activation, "
        f"$D(x) = x\\cdot {nt.phi}$, with ${nt.space}$. Each player minimises its own loss by "
        f"gradient flow (eqs.~3--4): ${nt.dot(nt.phi)} = -\\nabla_{{{nt.phi}}} L_D$, "
        f"${nt.dot(nt.theta)} = -\\nabla_{{{nt.theta}}} L_G$. Equation numbers in parentheses are the post's."
    )
    rows = []
    if v.general_form:
        rows.append(r"&" + v.general_form.replace(r",\quad ", r" \\ &").replace(r"\quad ", r" \\ &"))
    params = _param_rows(a)
    if params:
        text += " Parameters: " + ", ".join(f"${r.replace('&', '')}$" for r in params) + "."
    return Step("setting", "The setting", text, rows, {"dim": a.dim, "params": dict(a.params)})


def _losses(a: Analysis, nt: _Notation) -> Step:
    d_loss, g_loss = a.dynamics.d_loss, a.dynamics.g_loss
    tag = _tag(a, "losses")
    rows = [
        rf"L_D &= {nt.tex(d_loss)}{tag}",
        rf"L_G &= {nt.tex(g_loss)}",
    ]
    if nt.mode == "vector":
        text = (
            "With $x_r = 0$ and $x_f = \\boldsymbol{\\theta}$ the expectations become single values, and the "
            "losses depend on $\\boldsymbol{\\varphi}$ and $\\boldsymbol{\\theta}$ only through "
            "$\\Vert\\boldsymbol{\\varphi}\\Vert$, $\\Vert\\boldsymbol{\\theta}\\Vert$ and "
            "$\\boldsymbol{\\theta}\\cdot\\boldsymbol{\\varphi}$ (they are rotation invariant)."
        )
    else:
        text = "The losses of the Dirac GAN in components"
        text += " (dimension 1: plain scalars)." if nt.mode == "scalar" else "."
    if a.regularizers:
        from ..model.regularizers import REGULARIZERS

        def weight(k, w):
            sym = REGULARIZERS[k].weight.symbol
            return f"symbolic ${latex(sym)}$" if w == sym else f"${latex(sym)} = {latex(w)}$"

        regs = ", ".join(f"${REGULARIZERS[k].latex}$ with {weight(k, w)}" for k, w in a.regularizers.items())
        text += f" The regularisers are included: {regs}."
    text += " Additive constants, which do not change the dynamics, are dropped."
    return Step("losses", "Dirac losses", text, rows, {"d_loss": d_loss, "g_loss": g_loss})


def _gradients_invariant(a: Analysis, nt: _Notation) -> Step:
    from ..dynamics.field import tidy

    d_loss, g_loss = a.dynamics.d_loss, a.dynamics.g_loss
    P, T = nt.phi, nt.theta
    nP, nT, dot = INVARIANT_LATEX[NORM_PHI], INVARIANT_LATEX[NORM_THETA], INVARIANT_LATEX[DOT]
    partials = {
        ("D", NORM_PHI): tidy(sp.diff(d_loss, NORM_PHI)),
        ("D", DOT): tidy(sp.diff(d_loss, DOT)),
        ("G", DOT): tidy(sp.diff(g_loss, DOT)),
        ("G", NORM_THETA): tidy(sp.diff(g_loss, NORM_THETA)),
    }
    grad_phi = (tidy(partials["D", NORM_PHI] / NORM_PHI), partials["D", DOT])
    grad_theta = (partials["G", DOT], tidy(partials["G", NORM_THETA] / NORM_THETA))
    rows = [
        rf"\nabla_{{{P}}} L &= \frac{{\partial L}}{{\partial {nP}}}\,\frac{{{P}}}{{{nP}}}"
        rf" + \frac{{\partial L}}{{\partial ({dot})}}\,{T}",
        rf"\nabla_{{{T}}} L &= \frac{{\partial L}}{{\partial ({dot})}}\,{P}"
        rf" + \frac{{\partial L}}{{\partial {nT}}}\,\frac{{{T}}}{{{nT}}}",
    ]
    for (player, var), value in partials.items():
        if value != 0:
            wrt = {NORM_PHI: nP, NORM_THETA: nT, DOT: f"({dot})"}[var]
            rows.append(rf"\frac{{\partial L_{player}}}{{\partial {wrt}}} &= {nt.tex(value)}")
    rows += [
        rf"\nabla_{{{P}}} L_D &= {combination([(grad_phi[0], P), (grad_phi[1], T)], nt.tex)}",
        rf"\nabla_{{{T}}} L_G &= {combination([(grad_theta[0], P), (grad_theta[1], T)], nt.tex)}",
    ]
    text = (
        "By the chain rule through the invariants "
        f"($\\nabla_{{{P}}}{nP} = {P}/{nP}$, $\\nabla_{{{P}}}({dot}) = {T}$, and symmetrically in "
        f"${T}$), each gradient is a combination of ${P}$ and ${T}$ whose coefficients do not depend "
        "on the dimension. The partial derivatives that are not zero, and the gradients:"
    )
    values = {"partials": partials, "grad_phi_d": grad_phi, "grad_theta_g": grad_theta}
    return Step("gradients", "Gradients", text, rows, values)


def _gradients_components(a: Analysis, nt: _Notation) -> Step:
    field_ = a.vector_field
    n = a.dim
    rows = []
    for i in range(n):
        p = nt.component(nt.phi, i + 1)
        rows.append(rf"\frac{{\partial L_D}}{{\partial {p}}} &= {nt.tex(-field_[i])}")
    for i in range(n):
        t = nt.component(nt.theta, i + 1)
        rows.append(rf"\frac{{\partial L_G}}{{\partial {t}}} &= {nt.tex(-field_[n + i])}")
    text = "The partial derivatives of each player's loss with respect to its own parameters:"
    return Step("gradients", "Gradients", text, rows, {"gradients": tuple(-x for x in field_)})


def _field(a: Analysis, nt: _Notation) -> Step:
    tag = _tag(a, "field")
    P, T = nt.phi, nt.theta
    if nt.mode == "vector":
        f = a.dynamics.invariant
        rows = [
            rf"{nt.dot(P)} &= {combination([(f.a, P), (f.b, T)], nt.tex)}{tag}",
            rf"{nt.dot(T)} &= {combination([(f.c, P), (f.d, T)], nt.tex)}",
        ]
        values = {"coefficients": f.coefficients}
        text = (
            f"Gradient flow, $({nt.dot(P)}, {nt.dot(T)}) = (-\\nabla_{{{P}}} L_D, -\\nabla_{{{T}}} L_G)$, gives "
            f"the training ODE in vector form, the same for every dimension $n \\ge 2$:"
        )
    else:
        fld = a.vector_field
        n = a.dim
        rows = [rf"{nt.dot(nt.component(P, i + 1))} &= {nt.tex(fld[i])}" for i in range(n)]
        rows += [rf"{nt.dot(nt.component(T, i + 1))} &= {nt.tex(fld[n + i])}" for i in range(n)]
        if tag and rows:
            rows[0] += tag
        values = {"field": fld}
        text = (
            f"Gradient flow, ${nt.dot(P)} = -\\partial L_D/\\partial {P}$, "
            f"${nt.dot(T)} = -\\partial L_G/\\partial {T}$, gives the training ODE:"
            if nt.mode == "scalar"
            else "Gradient flow gives the training ODE, component by component:"
        )
    return Step("field", "The vector field", text, rows, values)


def _indices(dim: int) -> str:
    return "i = 1, 2" if dim == 2 else rf"i = 1, \dots, {dim}"


def _linear_rows(block: sp.Matrix, nt: _Notation, tag: str, index: str = "") -> list[str]:
    P, T = nt.phi + index, nt.theta + index
    (a, b), (c, d) = block.tolist()
    return [
        rf"{nt.dot(P)} &\approx {combination([(a, P), (b, T)], nt.tex)}{tag}",
        rf"{nt.dot(T)} &\approx {combination([(c, P), (d, T)], nt.tex)}",
    ]


def _linearization(a: Analysis, nt: _Notation) -> Step:
    tag = _tag(a, "linearization")
    block, P, T = a.block, nt.phi, nt.theta
    rows: list[str] = []
    values: dict[str, Any] = {"jacobian": a.jacobian, "block": block}
    if nt.mode == "vector":
        f = a.dynamics.invariant
        limits = []
        for coef, value in zip((f.a, f.b, f.c, f.d), block):
            if coef.free_symbols & {NORM_PHI, NORM_THETA, DOT}:
                limits.append(rf"{nt.tex(coef)} &\to {nt.tex(value)} \quad \text{{as }} ({P}, {T}) \to \mathbf{{0}}")
        rows += limits + _linear_rows(block, nt, tag)
        rows.append(rf"B &= {_matrix(block, nt.tex)}, \qquad J = B \otimes I_{{n}} = {_block_matrix(block, nt.tex)}")
        text = (
            "At $" + P + " = " + T + r" = \mathbf{0}$ the field vanishes: the origin is an equilibrium. "
            "Near it, each coefficient of the field tends to a constant"
            + (" (the limits below, taken along every ray into the origin)" if limits else "")
            + ", so the linearised system, its $2\\times 2$ coefficient matrix $B$ and the Jacobian $J$ "
            "(with $I_n$ the $n\\times n$ identity) are:"
        )
    elif block is not None:
        index = "" if nt.mode == "scalar" else "_{i}"
        rows += _linear_rows(block, nt, tag, index)
        if nt.mode == "components":
            rows[-1] += rf" \qquad ({_indices(a.dim)})"
        jac_tex = _matrix(a.jacobian, nt.tex)
        if nt.mode == "components":
            rows.append(rf"J &= B \otimes I_{{{a.dim}}} = {jac_tex}, \qquad B = {_matrix(block, nt.tex)}")
        else:
            rows.append(rf"J &= {jac_tex}")
        text = (
            r"At the origin the field vanishes: it is an equilibrium. The Jacobian there "
            "(the limit of $F(t w)/t$ along every ray $t w$, $t \\to 0^+$) gives the linearised system:"
        )
    else:
        jac_tex = _matrix(a.jacobian, nt.tex)
        z = r"z = (" + ", ".join(str(nt.tex(s)) for s in a.state) + ")"
        rows += [rf"\dot{{z}} &\approx J z, \qquad {z}", rf"J &= {jac_tex}"]
        text = (
            "At the origin the field vanishes: it is an equilibrium. Its Jacobian there "
            "(the limit of $F(t w)/t$ along every ray $t w$, $t \\to 0^+$) gives the linearised system:"
        )
    return Step("linearization", "Linearisation at the equilibrium", text, rows, values)


def _where_tex(where: str, nt: _Notation) -> str:
    return {
        "phi = 0": rf"{nt.phi} = \mathbf{{0}}" if nt.mode == "vector" else r"\varphi = 0",
        "theta = 0": rf"{nt.theta} = \mathbf{{0}}" if nt.mode == "vector" else r"\theta = 0",
    }.get(where, r"\text{the origin}")


def _equation_tex(label: str, nt: _Notation) -> str:
    name = label.rstrip("'")
    base, _, index = name.partition("_")
    sym = nt.phi if base == "phi" else nt.theta
    if index and nt.mode == "components":
        sym = f"{sym}_{{{index}}}"
    return nt.dot(sym)


def _singular(a: Analysis, nt: _Notation) -> Step:
    rows, reasons = [], []
    for s in a.singular_terms:
        where = _where_tex(s.where, nt)
        kind = r"\text{continuous, not differentiable at }" if s.continuous else r"\text{no limit at }"
        rows.append(rf"{_equation_tex(s.equation, nt)} &\ni {nt.tex(s.term)} \qquad {kind} {where}")
        reasons.append(s.describe())
    if a.equilibrium is None:
        head = (
            "The field has no limit at the origin: approaching it from different directions gives different "
            "values (or unbounded ones), so the origin is a singular point of the field rather than a point "
            "where it vanishes smoothly."
        )
    else:
        head = (
            "The field tends to $\\mathbf{0}$ at the origin, so the origin is an equilibrium, but not linearly: "
            "$F(t w)/t$ depends on the direction $w$ in a way no matrix can represent."
        )
    text = f"{head} There is no Jacobian there, because of these terms of the field:"
    note = (
        "Each of them, taken along a ray into the set shown, tends to a value that depends on the ray"
        + (" (or to no value at all)" if not all(s.continuous for s in a.singular_terms) else "")
        + ". Linearisation therefore cannot decide stability (Hartman--Grobman needs a differentiable field); "
        "the nonlinear analysis and the numerics must."
    )
    values = {"singular_terms": tuple(a.singular_terms), "reasons": tuple(reasons), "equilibrium": a.equilibrium}
    return Step("singular", "Why linearisation fails", text, rows, values, note=note)


def _eigenvalues(a: Analysis, nt: _Notation) -> Step:
    mu = sp.Symbol("mu")
    rows = []
    if a.block is not None:
        block = a.block
        trace, det = sp.simplify(block.trace()), sp.simplify(block.det())
        poly = sp.expand(mu**2 - trace * mu + det)
        poly_tex = _sum_tex([mu**2, -trace * mu, det])
        name = "J" if a.dim == 1 else "B"
        rows.append(
            rf"\det(\mu I_2 - {name}) &= {poly_tex} = 0"
            rf" \qquad (\operatorname{{tr}} {name} = {latex(trace)},\ \det {name} = {latex(det)})"
        )
        if a.dim == 1:
            text = "Writing $\\mu$ for an eigenvalue of $J$, the characteristic equation and its roots are:"
        else:
            mult = "n = " if nt.mode == "vector" else ""
            text = (
                "Since $J = B \\otimes I_n$, the eigenvalues of $J$ are those of the $2\\times 2$ matrix $B$, each "
                f"with multiplicity ${mult}{a.dim}$; writing $\\mu$ for an eigenvalue, the characteristic "
                "equation of $B$ and its roots are:"
            )
        values = {"trace": trace, "det": det, "characteristic": poly, "eigenvalues": dict(a.eigenvalues)}
    else:
        text = r"The eigenvalues $\mu$ of $J$, with their multiplicities:"
        values = {"eigenvalues": dict(a.eigenvalues)}
    rows.append(r"\mu &\in \left\{" + r",\ ".join(eigenvalues_tex(a)) + r"\right\}")
    for p in a.eigenvalue_parts:
        if not p.value.free_symbols or p.real.has(sp.Piecewise) or p.imag.has(sp.Piecewise):
            continue
        rows.append(rf"\operatorname{{Re}} \mu &= {latex(p.real)},\quad \operatorname{{Im}} \mu = {latex(p.imag)}")
    return Step("eigenvalues", "Eigenvalues", text, rows, values)


def _sum_tex(terms) -> str:
    """The terms' LaTeX joined with signs, in the order given (zero terms dropped)."""
    out = ""
    for term in terms:
        term = sp.expand(term)
        if term == 0:
            continue
        tex = latex(term)
        if not out:
            out = tex
        elif tex.startswith("-"):
            out += " - " + tex[1:].lstrip()
        else:
            out += " + " + tex
    return out or "0"


def eigenvalues_tex(analysis: Analysis) -> list[str]:
    r"""The eigenvalues as LaTeX items, complex-conjugate pairs merged with :math:`\pm`.

    >>> from stability import analyze
    >>> eigenvalues_tex(analyze("vanilla_ns"))
    ['\\pm \\frac{i}{2} \\ (\\times 2)']
    """
    parts = list(analysis.eigenvalue_parts)
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
            out.append(rf"{latex(p.value)} \ (\times {p.multiplicity})")
            continue
        used.add(mate)
        im = sp.Abs(p.imag) if p.imag.is_real else p.imag
        pm = rf"\pm {latex(sp.I * sp.simplify(im))}"
        head = "" if p.real == 0 else latex(p.real) + " "
        out.append(rf"{head}{pm} \ (\times {p.multiplicity})")
    return out


def _second_order(a: Analysis, nt: _Notation) -> Step | None:
    if a.block is None:
        return None
    r = second_order(a.block)
    if r is None:
        return None
    index = "_{i}" if nt.mode == "components" else ""
    x = (nt.theta if r.variable == "theta" else nt.phi) + index
    y = (nt.phi if r.variable == "theta" else nt.theta) + index
    k = a.block[1, 0] if r.variable == "theta" else a.block[0, 1]
    tag = _tag(a, "second_order") if r.variable == "theta" else ""
    row = rf"{nt.dot(x, 2)} &\approx {combination([(r.damping, nt.dot(x)), (r.stiffness, x)], nt.tex)}{tag}"
    if nt.mode == "components":
        row += rf" \qquad ({_indices(a.dim)})"
    text = (
        f"Differentiate the linearised equation for ${nt.dot(x)}$, substitute ${nt.dot(y)}$ from the other one, "
        f"and eliminate ${y}$ with the equation for ${nt.dot(x)}$ itself (${y} = {_eliminated(r, nt)}$"
        + (f", valid for ${latex(k)} \\neq 0$" if r.condition is not None else "")
        + f"). This leaves one second-order equation in ${x}$:"
    )
    values = {"variable": r.variable, "damping": r.damping, "stiffness": r.stiffness, "record": r}
    return Step("second_order", "One second-order equation", text, [row], values, note=_oscillator_text(r))


def _eliminated(r: SecondOrder, nt: _Notation) -> str:
    # r.eliminated is in the symbols P, T, Pd, Td of second_order(); print it with the real names.
    names = {
        sp.Symbol("T"): nt.theta,
        sp.Symbol("P"): nt.phi,
        sp.Symbol("Td"): nt.dot(nt.theta),
        sp.Symbol("Pd"): nt.dot(nt.phi),
    }
    expr = sp.expand(r.eliminated)
    coeffs = [(expr.coeff(s), names[s]) for s in (sp.Symbol("Td"), sp.Symbol("Pd"), sp.Symbol("T"), sp.Symbol("P"))]
    suffix = "_{i}" if nt.mode == "components" else ""
    return combination([(c, v + suffix) for c, v in coeffs], nt.tex)


def _oscillator_text(r: SecondOrder) -> str:
    damping, stiffness = r.damping, r.stiffness
    if damping == 0 and stiffness.is_negative:
        return (
            "A harmonic oscillator without damping, of angular frequency "
            f"${latex(sp.sqrt(-stiffness))}$: linearly, trajectories circle the equilibrium and never reach it."
        )
    if damping.is_negative and stiffness.is_negative:
        return (
            "A damped oscillator: the term in the velocity acts as friction, so linearly the trajectories "
            "spiral or creep into the equilibrium."
        )
    if damping.is_positive:
        return "An oscillator with negative damping: small oscillations grow."
    if stiffness.is_positive:
        return "The restoring term has the wrong sign: small displacements grow."
    return "Its coefficients decide the behaviour; the eigenvalues below are the roots of its characteristic equation."


def _verdict(a: Analysis, nt: _Notation) -> Step:
    cls, detail = a.classification, a.detail
    where = f"in dimension $n = {a.dim}$"
    texts = {
        "stable": f"Every eigenvalue has negative real part: by Lyapunov's indirect method (Hartman--Grobman) "
        f"the equilibrium is locally asymptotically stable, a stable {escape_text(detail)}; training converges "
        "from nearby starting points.",
        "unstable": f"Some eigenvalue has positive real part: the equilibrium is unstable (a {escape_text(detail)}).",
        "center": "All eigenvalues are non-zero and purely imaginary: the linearisation is a centre. "
        "This does not decide the nonlinear system (Hartman--Grobman needs no eigenvalue on the imaginary "
        "axis): the nonlinear terms decide whether trajectories converge, orbit or diverge.",
        "non-hyperbolic": "Some eigenvalue has zero real part and none has positive real part: the equilibrium is "
        "non-hyperbolic and linearisation is inconclusive.",
        "undecided": "The signs of the real parts depend on the parameters; the verdict for each case is below.",
        "non-differentiable": "The field has no derivative at the equilibrium, so there is no linear verdict; "
        "stability is decided by the nonlinear terms (and checked numerically).",
    }
    plain = cls in ("non-differentiable", detail)
    label = escape_text(cls) if plain else f"{escape_text(cls)} ({escape_text(detail)})"
    text = f"\\textbf{{{label}}}, {where}. {texts.get(cls, '')}"
    rows = [rf"\text{{{escape_text(k)}}} &\quad \text{{if }} {latex(v)}" for k, v in a.conditions.items()]
    values = {"classification": cls, "detail": detail, "conditions": dict(a.conditions)}
    return Step("verdict", "Verdict", text, rows, values)


def _nonlinear(a: Analysis) -> Step:
    record = a.nonlinear
    text = (
        f"What the linearisation cannot say, the nonlinear terms decide. Verdict in dimension $n = {a.dim}$: "
        f"\\textbf{{{escape_text(record.verdict)}}} (method: {escape_text(record.method)})."
    )
    values = {"record": record, "verdict": record.verdict, "method": record.method}
    return Step("nonlinear", "Nonlinear analysis", text, (), values, note=record.to_latex())


def derivation(analysis: Analysis, *, nonlinear: bool = True) -> tuple[Step, ...]:
    """The steps of ``analysis``: setting, losses, gradients, field, linearisation (or why it fails),
    the second-order equation when the linear system allows it, eigenvalues, verdict, and (unless
    ``nonlinear=False``) the nonlinear analysis with its short proof.

    >>> from stability import analyze
    >>> [s.key for s in derivation(analyze("wgan"))]
    ['setting', 'losses', 'gradients', 'field', 'singular', 'verdict', 'nonlinear']
    """
    a = analysis
    nt = _notation(a)
    steps: list[Step | None] = [_setting(a, nt), _losses(a, nt)]
    steps.append(_gradients_invariant(a, nt) if nt.mode == "vector" else _gradients_components(a, nt))
    steps.append(_field(a, nt))
    if a.differentiable:
        steps += [_linearization(a, nt), _second_order(a, nt), _eigenvalues(a, nt)]
    else:
        steps.append(_singular(a, nt))
    steps.append(_verdict(a, nt))
    if nonlinear:
        steps.append(_nonlinear(a))
    return tuple(s for s in steps if s is not None)


def _title(a: Analysis) -> str:
    parts = [a.variant.name]
    params = ", ".join(
        f"{k} symbolic" if isinstance(v, sp.Symbol) and v.name == k else f"{k} = {v}" for k, v in a.params.items()
    )
    if params:
        parts.append(params)
    if a.regularizers:
        parts.append("+ " + ", ".join(f"{k} = {v}" for k, v in a.regularizers.items()))
    details = "; ".join([*parts[1:], f"n = {a.dim}"])
    return f"Stability of {parts[0]} ({details})"


def to_latex(analysis: Analysis, *, fragment: bool = False, title: str | None = None, nonlinear: bool = True) -> str:
    r"""The derivation of ``analysis`` in LaTeX.

    Args:
        analysis: the result of :func:`stability.analyze`.
        fragment: if True, only the equations (one ``align*`` per step, headed by a
            ``%`` comment), to paste into a document that loads ``amsmath``; otherwise a
            standalone ``article`` that compiles with ``pdflatex`` and ``amsmath`` alone.
        title: the document's title (default: variant, parameters and dimension).
        nonlinear: include the nonlinear analysis and its proof (the slowest step).

    >>> from stability import analyze
    >>> tex = analyze("vanilla_ns").to_latex(fragment=True, nonlinear=False)
    >>> r"\dot{\boldsymbol{\varphi}} &\approx -\boldsymbol{\theta}/2" in tex
    True
    """
    steps = derivation(analysis, nonlinear=nonlinear)
    if fragment:
        parts = []
        for s in steps:
            block = s.latex
            if block:
                parts.append(f"% {s.title}\n{block}")
        # \mathbb needs amsfonts; fall back to bold where the host document does not load it.
        head = "\\providecommand{\\mathbb}[1]{\\mathbf{#1}}"
        return "\n\n".join([head, *parts]) + "\n"
    body = [
        PREAMBLE,
        "\\begin{document}",
        f"\\section*{{{escape_text(title or _title(analysis))}}}",
    ]
    for s in steps:
        body.append(f"\\subsection*{{{escape_text(s.title)}}}")
        if s.text:
            body.append(s.text)
        if s.latex:
            body.append(s.latex)
        if s.note:
            body.append(s.note)
    body.append("\\end{document}")
    return "\n\n".join(body) + "\n"
