r"""One step of a derivation, as data: its role, its equations (SymPy objects), its prose.

A :class:`Step` is rendered per format: :func:`stability.render.latex.to_latex` and
:func:`stability.render.markdown.to_markdown` present the same steps.  For convenience (and
compatibility) a step also offers its LaTeX directly: :attr:`Step.text`, :attr:`Step.latex`,
:attr:`Step.note`.

>>> import sympy as sp
>>> from stability.render.notation import Equation
>>> s = Step("x", "Example", "A line.", (Equation(sp.Symbol("x"), sp.Integer(1)),))
>>> print(s.latex)
\begin{align*}
x &= 1
\end{align*}
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from .notation import Equation, Prose, prose
from .tex import TexPrinter, prose_latex, row

__all__ = ["Step", "STEP_KEYS"]

#: The roles a step can have, in the order a derivation presents them.
STEP_KEYS = (
    "setting",
    "losses",
    "gradients",
    "field",
    "linearization",
    "singular",
    "update_map",
    "second_order",
    "eigenvalues",
    "verdict",
    "nonlinear",
)


@dataclass(frozen=True)
class Step:
    r"""One step of a derivation.

    Attributes:
        key: the step's role, one of :data:`STEP_KEYS` (``"setting"``, ``"losses"``, ...).
        title: a short heading.
        prose: what introduces the equations (text and inline formulas; a ``str`` is plain text).
        equations: the displayed :class:`~stability.render.notation.Equation` records.
        values: the SymPy objects behind the equations, for programmatic checks.
        after: prose that follows the equations.
        proof: a LaTeX fragment that the LaTeX renderer shows in place of ``after`` (the
            nonlinear proof of :mod:`stability.render.proof`); other renderers show ``after``.
        dim: the dimension when components are written out (``1``: plain scalars), else None.
    """

    key: str
    title: str
    prose: Prose = ()
    equations: tuple[Equation, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)
    after: Prose = ()
    proof: str = ""
    dim: int | None = None

    def __post_init__(self):
        object.__setattr__(self, "prose", prose(self.prose) if isinstance(self.prose, str) else tuple(self.prose))
        object.__setattr__(self, "after", prose(self.after) if isinstance(self.after, str) else tuple(self.after))
        object.__setattr__(self, "equations", tuple(self.equations))
        object.__setattr__(self, "values", MappingProxyType(dict(self.values)))

    # -- the LaTeX rendering, for convenience ---------------------------------------------
    @property
    def text(self) -> str:
        """The prose in LaTeX text mode (inline formulas between ``$``)."""
        return prose_latex(self.prose, TexPrinter(self.dim))

    @property
    def rows(self) -> tuple[str, ...]:
        """The equations as rows of an ``align*`` environment (one ``&`` each)."""
        printer = TexPrinter(self.dim)
        return tuple(row(eq, printer) for eq in self.equations)

    @property
    def latex(self) -> str:
        """The equations as one ``align*`` environment (empty if there are none, or if a proof, which states
        them itself, takes their place)."""
        if not self.equations or self.proof:
            return ""
        return "\\begin{align*}\n" + " \\\\\n".join(self.rows) + "\n\\end{align*}"

    @property
    def note(self) -> str:
        """What follows the equations in LaTeX: the proof if there is one, else the closing prose."""
        return self.proof or prose_latex(self.after, TexPrinter(self.dim))
