r"""The derivation of an analysis as a LaTeX document (``amsmath`` only) or as a fragment of equations.

:func:`to_latex` renders the :class:`~stability.render.steps.Step` records of
:func:`~stability.render.derivation.derivation` (re-exported here, with the printing helpers,
under their historical names).  Every expression shown is computed from the analysis, never
transcribed.

>>> from stability import analyze
>>> steps = analyze("vanilla_ns").derivation()
>>> [s.key for s in steps]
['setting', 'losses', 'gradients', 'field', 'linearization', 'second_order', 'eigenvalues', 'verdict', 'nonlinear']
>>> steps[5].values["stiffness"]
-1/4
>>> print(steps[5].rows[-1])
\ddot{\boldsymbol{\theta}} &\approx -\boldsymbol{\theta}/4 \tag{9}
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import sympy as sp

from ..model.post import POST_EQUATIONS
from .derivation import SecondOrder, derivation, eigenvalue_items, second_order
from .steps import Step
from .tex import TexPrinter, combination, escape_text, latex

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Analysis

__all__ = [
    "Step",
    "SecondOrder",
    "derivation",
    "to_latex",
    "document_title",
    "second_order",
    "latex",
    "escape_text",
    "combination",
    "eigenvalues_tex",
    "POST_EQUATIONS",
    "TexPrinter",
]

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage{amsmath}
\providecommand{\mathbb}[1]{\mathbf{#1}}
\setlength{\parindent}{0pt}
\setlength{\parskip}{0.6em}
\allowdisplaybreaks
"""


def eigenvalues_tex(analysis: Analysis) -> list[str]:
    r"""The eigenvalues as LaTeX items, complex-conjugate pairs merged with :math:`\pm`.

    >>> from stability import analyze
    >>> eigenvalues_tex(analyze("vanilla_ns"))
    ['\\pm \\frac{i}{2} \\ (\\times 2)']
    """
    return [latex(item) for item in eigenvalue_items(analysis.eigenvalue_parts)]


def document_title(a: Analysis) -> str:
    """The default heading: variant, parameters, regularisers and dimension, as plain text.

    >>> from stability import analyze
    >>> document_title(analyze("wgan_gp", params={"c": 0}))
    'Stability of wgan_gp (lam = 1/10, c = 0; n = 2)'
    """
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
        parts = [f"% {s.title}\n{s.latex}" for s in steps if s.latex]
        # \mathbb needs amsfonts; fall back to bold where the host document does not load it.
        head = "\\providecommand{\\mathbb}[1]{\\mathbf{#1}}"
        return "\n\n".join([head, *parts]) + "\n"
    heading = title if title is not None else document_title(analysis)
    body = [PREAMBLE, "\\begin{document}", f"\\section*{{{escape_text(heading)}}}"]
    for s in steps:
        body.append(f"\\subsection*{{{escape_text(s.title)}}}")
        body += [part for part in (s.text, s.latex, s.note) if part]
    body.append("\\end{document}")
    return "\n\n".join(body) + "\n"
