r"""LaTeX of SymPy expressions and of the derivation's notation, in the post's typography.

:class:`TexPrinter` is SymPy's LaTeX printer with the post's conventions: the invariants and
vectors in bold (``|phi|`` as :math:`\Vert\boldsymbol\varphi\Vert`), ``theta.phi`` bracketed
wherever it is a factor, time derivatives as dots, partial derivatives with respect to the
invariants as fractions, matrices in round brackets.  The notation records of
:mod:`stability.render.notation` (``Combination``, ``Equation``, ``Text``, ...) print through
it by SymPy's usual ``_print_<ClassName>`` dispatch.  Both the LaTeX document and the Markdown
page typeset mathematics with it.

>>> from stability.model.space import DOT, NORM_THETA
>>> latex(DOT**2 / NORM_THETA)
'\\frac{\\left(\\boldsymbol{\\theta}\\cdot\\boldsymbol{\\varphi}\\right)^{2}}{\\Vert\\boldsymbol{\\theta}\\Vert}'
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import is_dataclass
from typing import Any

import sympy as sp
from sympy.printing.latex import LatexPrinter

from ..model.space import DOT, INVARIANT_LATEX
from .notation import Math, Text
from .symbols import TIME

__all__ = [
    "TexPrinter",
    "latex",
    "escape_text",
    "combination",
    "RELATIONS",
    "row",
    "inline",
    "prose_latex",
]

#: Symbols typeset by name: the invariants, the vectors, the losses, and parameter names that abbreviate Greek letters.
NAMES = {s.name: tex for s, tex in INVARIANT_LATEX.items()} | {
    "phi": r"\boldsymbol{\varphi}",
    "theta": r"\boldsymbol{\theta}",
    "0_vec": r"\mathbf{0}",
    "lam": r"\lambda",
    "L_D": "L_D",
    "L_G": "L_G",
}
_COMPONENT = re.compile(r"^(phi|theta)_(\w+)$")
_COMPONENT_BASE = {"phi": r"\varphi", "theta": r"\theta"}

#: How each relation of an equation is typeset (the right side follows it).
RELATIONS = {
    "=": "=",
    "≈": r"\approx",
    "→": r"\to",
    "∈": r"\in",
    "∋": r"\ni",
    "≤": r"\le",
    "if": r"\quad \text{if }",
}


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
        "–": "--",
        "—": "---",
    }
    return "".join(table.get(ch, ch) for ch in text)


def _term(coef: sp.Expr, vec: str, tex: Callable[[Any], str]) -> tuple[bool, str] | None:
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


def combination(terms: Sequence[tuple[sp.Expr, str]], tex: Callable[[Any], str] | None = None) -> str:
    r"""LaTeX of a linear combination ``sum(coef * vec)``, coefficients printed before the vectors.

    ``vec`` is the LaTeX of each vector; ``tex`` prints the coefficients (default :func:`latex`).

    >>> import sympy as sp
    >>> combination([(-sp.Rational(1, 2), r"\boldsymbol{\theta}"), (sp.Integer(0), "x")])
    '-\\boldsymbol{\\theta}/2'
    """
    tex = tex or latex
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


class TexPrinter(LatexPrinter):
    """SymPy's LaTeX printer with the post's notation; ``dim = 1`` prints components as plain scalars."""

    def __init__(self, dim: int | None = None, settings: dict | None = None):
        super().__init__(settings or {})
        self.dim = dim

    # -- symbols ---------------------------------------------------------------------------
    def _print_Symbol(self, expr, style="plain"):
        name = self._settings["symbol_names"].get(expr) or NAMES.get(expr.name)
        if name is None:
            match = _COMPONENT.match(expr.name)
            if match:
                base = _COMPONENT_BASE[match.group(1)]
                name = base if self.dim == 1 and match.group(2) == "1" else f"{base}_{{{match.group(2)}}}"
        return name if name is not None else super()._print_Symbol(expr, style=style)

    def _needs_mul_brackets(self, expr, first=False, last=False) -> bool:
        if expr == DOT:
            return True
        return super()._needs_mul_brackets(expr, first=first, last=last)

    def _print_Pow(self, expr, *args, **kwargs):
        if expr.base == DOT and expr.exp.is_Integer and expr.exp > 1:
            return rf"\left({NAMES[DOT.name]}\right)^{{{self._print(expr.exp)}}}"
        return super()._print_Pow(expr, *args, **kwargs)

    # -- derivatives, parts, matrices --------------------------------------------------------
    def _print_Derivative(self, expr):
        variables = expr.variables
        if set(variables) == {TIME} and len(variables) <= 2:
            base, sep, sub = self._print(expr.expr).partition("_")
            accent = r"\dot" if len(variables) == 1 else r"\ddot"
            return f"{accent}{{{base}}}{sep}{sub}"
        if len(variables) == 1 and expr.expr.is_Symbol:
            (var,) = variables
            wrt = self._print(var)
            wrt = f"({wrt})" if var == DOT else wrt
            return rf"\frac{{\partial {self._print(expr.expr)}}}{{\partial {wrt}}}"
        return super()._print_Derivative(expr)

    def _print_re(self, expr, exp=None):
        return rf"\operatorname{{Re}} {self._print(expr.args[0])}"

    def _print_im(self, expr, exp=None):
        return rf"\operatorname{{Im}} {self._print(expr.args[0])}"

    def _print_Identity(self, expr):
        return rf"I_{{{self._print(expr.rows)}}}"

    def _print_Determinant(self, expr):
        arg = expr.arg
        plain = isinstance(arg, sp.MatrixSymbol)
        return rf"\det {self._print(arg)}" if plain else rf"\det\left({self._print(arg)}\right)"

    def _print_Trace(self, expr):
        return rf"\operatorname{{tr}} {self._print(expr.arg)}"

    def _print_MatMul(self, expr):
        scalar, rest = expr.as_coeff_matrices()
        if len(rest) == 1 and isinstance(rest[0], sp.Identity):  # c I_n, the coefficient first, as the post
            return combination([(scalar, self._print(rest[0]))], self._print)
        return super()._print_MatMul(expr)

    def _print_ZeroMatrix(self, expr):
        return "0"

    def _print_MatrixBase(self, expr):
        rows = [" & ".join(self._print(x) for x in expr.row(i)) for i in range(expr.rows)]
        return r"\left(\begin{array}{" + "c" * expr.cols + "}" + r" \\ ".join(rows) + r"\end{array}\right)"

    # -- the notation records of render.steps (dispatched by class name) ---------------------
    def _print_Tex(self, expr):
        return expr.tex

    def _print_Text(self, expr):
        return rf"\text{{{escape_text(expr.text)}}}"

    def _print_Code(self, expr):
        return rf"\texttt{{{escape_text(expr.text)}}}"

    def _print_Strong(self, expr):
        return rf"\textbf{{{escape_text(expr.text)}}}"

    def _print_Math(self, expr):
        return self._print(expr.expr)

    def _print_Combination(self, expr):
        return combination([(coef, self._print(basis)) for coef, basis in expr.terms], self._print)

    def _print_OrderedSum(self, expr):
        out = ""
        for term in expr.terms:
            term = sp.expand(term)
            if term == 0:
                continue
            tex = self._print(term)
            if not out:
                out = tex
            elif tex.startswith("-"):
                out += " - " + tex[1:].lstrip()
            else:
                out += " + " + tex
        return out or "0"

    def _print_PlusMinus(self, expr):
        head = "" if expr.center == 0 else self._print(expr.center) + " "
        return rf"{head}\pm {self._print(expr.offset)}"

    def _print_Multiplicity(self, expr):
        return rf"{self._print(expr.value)} \ (\times {expr.count})"

    def _print_Collection(self, expr):
        return r"\left\{" + r",\ ".join(self._print(x) for x in expr.items) + r"\right\}"

    def _print_SetUnion(self, expr):
        pieces = [r"\{" + r",\ ".join(self._print(x) for x in piece) + r"\}" for piece in expr.pieces]
        return r" \cup ".join(pieces) or r"\emptyset"

    def _print_Subscript(self, expr):
        return f"{expr.base}_{{{self._print(expr.index)}}}"

    def _print_Gradient(self, expr):
        of = self._print(expr.of)
        return rf"\nabla_{{{self._print(expr.wrt)}}} " + (rf"\left({of}\right)" if expr.of == DOT else of)

    def _print_Equation(self, expr):
        return inline(expr, self)


def latex(expr: Any, dim: int | None = None) -> str:
    r"""LaTeX of ``expr`` (a SymPy object or a notation record), the invariants as bold vectors.

    With ``dim = 1`` the component symbols ``phi_1``, ``theta_1`` print as plain
    ``\varphi``, ``\theta``; otherwise ``phi_i`` prints as ``\varphi_{i}``.

    >>> import sympy as sp
    >>> latex(sp.Symbol("phi_2")), latex(sp.Symbol("theta_1"), dim=1)
    ('\\varphi_{2}', '\\theta')
    """
    printer = TexPrinter(dim)
    return printer.doprint(expr if isinstance(expr, sp.Basic) or is_dataclass(expr) else sp.sympify(expr))


def _printer(printer: TexPrinter | int | None) -> TexPrinter:
    return printer if isinstance(printer, TexPrinter) else TexPrinter(printer)


def _qualifier(items: Iterable[Any], printer: TexPrinter) -> str:
    """The items after an equation: text as ``\\text{}``, consecutive formulas separated by commas."""
    items = list(items)
    out, previous_math = "", False
    for i, item in enumerate(items):
        is_text = isinstance(item, Text)
        if is_text and i + 1 < len(items) and not item.text.endswith(" "):
            item = Text(item.text + " ")  # the space before the formula that follows, inside \text
        tex = printer._print(item)
        if out:
            out += r",\ " if previous_math and not is_text else " "
        out += tex
        previous_math = not is_text
    return out


def inline(eq: Any, printer: TexPrinter | int | None = None) -> str:
    r"""An equation on one line, without alignment: ``lhs rel rhs = ... (qualifier)``.

    >>> from stability.render.notation import Equation
    >>> import sympy as sp
    >>> inline(Equation(sp.Symbol("x"), sp.Integer(1), "≈"))
    'x \\approx 1'
    """
    printer = _printer(printer)
    body = _relation(eq, printer)
    lhs = "" if eq.lhs is None else printer._print(eq.lhs) + " "
    text = f"{lhs}{body}"
    if eq.qualifier:
        text += r" \quad " + _qualifier(eq.qualifier, printer)
    return text


def _relation(eq: Any, printer: TexPrinter) -> str:
    rhs = printer._print(eq.rhs)
    chain = "".join(f" = {printer._print(x)}" for x in eq.chain)
    rel = RELATIONS[str(eq.relation)]
    return f"{rel} {rhs}{chain}" if eq.lhs is not None else f"{rhs}{chain}"


def row(eq: Any, printer: TexPrinter | int | None = None, *, tags: bool = True) -> str:
    r"""One row of an ``align*`` (or ``aligned``) environment, aligned at the relation.

    With ``tags=False`` (MathJax's ``aligned`` takes no ``\tag``) the post's equation number is
    written at the end of the row instead.

    >>> from stability.render.notation import Equation
    >>> import sympy as sp
    >>> row(Equation(sp.Symbol("x"), sp.Integer(1), tag="8"))
    'x &= 1 \\tag{8}'
    """
    printer = _printer(printer)
    body = _relation(eq, printer)
    text = f"& {body}" if eq.lhs is None else f"{printer._print(eq.lhs)} &{body}"
    if eq.tag and tags:
        text += rf" \tag{{{eq.tag}}}"
    if eq.qualifier:
        text += r" \qquad " + _qualifier(eq.qualifier, printer)
    if eq.tag and not tags:
        text += rf" \qquad \text{{({eq.tag})}}"
    return text


def prose_latex(prose: Iterable[Any], printer: TexPrinter | int | None = None) -> str:
    r"""Prose in LaTeX text mode: text escaped, formulas between ``$``, code in ``\texttt``, bold in ``\textbf``.

    >>> from stability.render.notation import prose
    >>> import sympy as sp
    >>> prose_latex(prose("The point ", sp.Eq(sp.Symbol("x_r"), 0), " is real–valued."))
    'The point $x_{r} = 0$ is real--valued.'
    """
    printer = _printer(printer)
    out = []
    for seg in prose:
        if isinstance(seg, Text):
            out.append(escape_text(seg.text))
        elif isinstance(seg, Math):
            out.append(f"${printer._print(seg.expr)}$")
        else:  # Code, Strong: their text-mode commands
            out.append(printer._print(seg))
    return "".join(out)
