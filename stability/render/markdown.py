r"""The derivation of an analysis in Markdown, mathematics as ``$...$`` (inline) and ``$$...$$`` (displays).

Renders the same :class:`~stability.render.steps.Step` records as the LaTeX document; the
formulas are typeset by :mod:`stability.render.tex` (MathJax and KaTeX read them: ``aligned``
displays, the post's equation numbers written at the end of their rows instead of ``\tag``).
Jupyter shows :func:`to_markdown` for ``Analysis._repr_markdown_``; the report embeds steps.

>>> from stability import analyze
>>> md = to_markdown(analyze("gan_qp"))
>>> r"\ddot{\boldsymbol{\theta}} &\approx -\boldsymbol{\theta}" in md
True
>>> print(prose_markdown(derivation(analyze("gan_qp"), nonlinear=False)[-1].prose)[:49])
**center**, in dimension $n = 2$. All eigenvalues
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .derivation import derivation
from .latex import document_title
from .notation import Code, Equation, Math, Strong, Text
from .steps import Step
from .tex import TexPrinter, row

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Analysis

__all__ = ["to_markdown", "step_markdown", "steps_markdown", "prose_markdown", "display_markdown", "escape_markdown"]

_MARKDOWN_SPECIAL = {"\\": "\\\\", "*": r"\*", "_": r"\_", "`": r"\`", "<": "&lt;", "$": r"\$", "|": r"\|"}


def escape_markdown(text: str) -> str:
    r"""Plain text made safe for Markdown (emphasis marks, backticks, ``$``, ``|`` and ``<`` escaped).

    >>> escape_markdown("a_b * c")
    'a\\_b \\* c'
    """
    return "".join(_MARKDOWN_SPECIAL.get(ch, ch) for ch in text)


def _printer(printer: TexPrinter | int | None) -> TexPrinter:
    return printer if isinstance(printer, TexPrinter) else TexPrinter(printer)


def prose_markdown(prose: Iterable[Any], printer: TexPrinter | int | None = None) -> str:
    """Prose in Markdown: text escaped, formulas between ``$``, code in backticks, verdicts in bold.

    >>> import sympy as sp
    >>> from stability.render.notation import prose
    >>> prose_markdown(prose("Then ", sp.Eq(sp.Symbol("x"), 1, evaluate=False), ": ", Strong("stable"), "."))
    'Then $x = 1$: **stable**.'
    """
    printer = _printer(printer)
    out = []
    for seg in prose:
        if isinstance(seg, Text):
            out.append(escape_markdown(seg.text))
        elif isinstance(seg, Math):
            out.append(f"${printer.doprint(seg.expr).strip()}$")
        elif isinstance(seg, Code):
            out.append(f"`{seg.text}`")
        elif isinstance(seg, Strong):
            out.append(f"**{escape_markdown(seg.text)}**")
        else:  # pragma: no cover - Prose holds only the four segment kinds
            raise TypeError(f"not a prose segment: {type(seg).__name__}")
    return "".join(out)


def display_markdown(equations: Sequence[Equation], printer: TexPrinter | int | None = None) -> str:
    r"""The equations as one ``$$\begin{aligned}...\end{aligned}$$`` display (empty if there are none).

    >>> import sympy as sp
    >>> print(display_markdown([Equation(sp.Symbol("x"), sp.Integer(1), tag="8")]))
    $$
    \begin{aligned}
    x &= 1 \qquad \text{(8)}
    \end{aligned}
    $$
    """
    if not equations:
        return ""
    printer = _printer(printer)
    rows = " \\\\\n".join(row(eq, printer, tags=False) for eq in equations)
    return "$$\n\\begin{aligned}\n" + rows + "\n\\end{aligned}\n$$"


def step_markdown(step: Step, *, heading: int | None = None) -> str:
    """One step: its title (a heading of that level, or a bold run-in title), prose, display, closing prose."""
    printer = TexPrinter(step.dim)
    text = prose_markdown(step.prose, printer)
    if heading is None:
        parts = [f"**{escape_markdown(step.title)}.** {text}".rstrip()]
    else:
        parts = [f"{'#' * heading} {escape_markdown(step.title)}", text]
    parts += [display_markdown(step.equations, printer), prose_markdown(step.after, printer)]
    return "\n\n".join(p for p in parts if p)


def steps_markdown(steps: Iterable[Step], *, heading: int | None = None) -> str:
    """Several steps, one after the other."""
    return "\n\n".join(step_markdown(s, heading=heading) for s in steps)


def to_markdown(
    analysis: Analysis,
    *,
    nonlinear: bool = False,
    title: str | None = None,
    level: int = 2,
    keys: Sequence[str] | None = None,
) -> str:
    """The derivation of ``analysis`` as Markdown.

    Args:
        analysis: the result of :func:`stability.analyze`.
        nonlinear: include the nonlinear analysis (the slowest step; off by default, so that
            displaying an analysis stays fast).
        title: the heading (default: variant, parameters and dimension; ``""`` for none).
        level: the heading's level; each step is a paragraph with a bold run-in title.
        keys: only the steps with these keys (default: all).
    """
    steps = [s for s in derivation(analysis, nonlinear=nonlinear) if keys is None or s.key in keys]
    heading = document_title(analysis) if title is None else title
    head = f"{'#' * level} {escape_markdown(heading)}\n\n" if heading else ""
    return head + steps_markdown(steps) + "\n"
