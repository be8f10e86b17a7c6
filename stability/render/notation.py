r"""The vocabulary of a derivation: equations and prose as data, holding SymPy objects.

A derivation step says *what* is shown (an :class:`Equation` ``lhs rel rhs`` of SymPy objects,
prose made of :class:`Text` and :class:`Math` segments), never *how*: the LaTeX renderer
(:mod:`stability.render.tex`, :mod:`stability.render.latex`) and the Markdown renderer
(:mod:`stability.render.markdown`) present the same records.  Where SymPy has no object for
the post's notation, a small record does: :class:`Combination` (``a phi + b theta`` with the
coefficients first), :class:`PlusMinus`, :class:`Multiplicity`, :class:`Gradient`, ...;
:class:`Tex` is raw notation (``B \otimes I_n``), never a computed result.

>>> import sympy as sp
>>> from stability.render.symbols import PHI_VEC, THETA_VEC, dot
>>> eq = Equation(dot(PHI_VEC), Combination(((-sp.S.Half, THETA_VEC),)), "≈", tag="8")
>>> eq.relation, eq.rhs.as_expr()
('≈', -theta/2)
"""

from __future__ import annotations

from dataclasses import dataclass, is_dataclass
from typing import Any

import sympy as sp

from ..errors import InvalidParameterError

__all__ = [
    "Text",
    "Math",
    "Code",
    "Strong",
    "Segment",
    "Prose",
    "prose",
    "Tex",
    "Combination",
    "OrderedSum",
    "PlusMinus",
    "Multiplicity",
    "Collection",
    "SetUnion",
    "Gradient",
    "Subscript",
    "Equation",
    "RELATION_NAMES",
]


# -- prose -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Text:
    """Plain text (each renderer escapes it)."""

    text: str


@dataclass(frozen=True)
class Math:
    """An inline formula: a SymPy object or a notation record."""

    expr: Any


@dataclass(frozen=True)
class Code:
    """A name as typed (a variant, a function): ``\\texttt`` / backticks."""

    text: str


@dataclass(frozen=True)
class Strong:
    """Emphasised text (a verdict)."""

    text: str


Segment = Text | Math | Code | Strong
Prose = tuple[Segment, ...]


def prose(*parts: Any) -> Prose:
    """Prose from parts: strings become :class:`Text`, segments stay, tuples are groups of parts,
    anything else (a SymPy object, a notation record) is :class:`Math`.

    >>> import sympy as sp
    >>> prose("x is ", sp.Integer(1), ".")
    (Text(text='x is '), Math(expr=1), Text(text='.'))
    """
    out: list[Segment] = []
    for part in parts:
        if part is None or part == "":
            continue
        if isinstance(part, str):
            out.append(Text(part))
        elif isinstance(part, Text | Math | Code | Strong):
            out.append(part)
        elif isinstance(part, tuple | list):  # a group of parts (e.g. an optional clause)
            out.extend(prose(*part))
        else:
            out.append(Math(part))
    return tuple(out)


def _sympify(x: Any) -> Any:
    """SymPy objects and numbers as SymPy; notation records (dataclasses) as they are."""
    return x if is_dataclass(x) else sp.sympify(x)


# -- notation SymPy has no object for -----------------------------------------------------------
@dataclass(frozen=True)
class Tex:
    r"""Raw LaTeX notation (e.g. ``\det(\mu I_2 - B)``): a name for something, never a computed result."""

    tex: str


@dataclass(frozen=True)
class Combination:
    """A linear combination ``sum(coef * basis)`` written coefficient first, in the order given."""

    terms: tuple[tuple[Any, Any], ...]

    def __post_init__(self):
        object.__setattr__(self, "terms", tuple((sp.sympify(c), _sympify(b)) for c, b in self.terms))

    def as_expr(self) -> sp.Expr:
        """The combination as one SymPy expression."""
        return sp.Add(*(c * b for c, b in self.terms))


@dataclass(frozen=True)
class OrderedSum:
    """A sum written in the order of its terms (a characteristic polynomial by powers)."""

    terms: tuple[Any, ...]

    def as_expr(self) -> sp.Expr:
        return sp.Add(*self.terms)


@dataclass(frozen=True)
class PlusMinus:
    """``center ± offset`` (a complex-conjugate pair ``center ± i·|Im|``)."""

    center: Any
    offset: Any

    def values(self) -> tuple[sp.Expr, sp.Expr]:
        return (self.center + self.offset, self.center - self.offset)


@dataclass(frozen=True)
class Multiplicity:
    """A value with its multiplicity, ``value (×count)``."""

    value: Any
    count: int


@dataclass(frozen=True)
class Collection:
    """A set written out, ``{a, b, ...}``."""

    items: tuple[Any, ...]


@dataclass(frozen=True)
class SetUnion:
    """A union of sets each given by equations, ``{x = 0, y = z} ∪ ...``."""

    pieces: tuple[tuple[Any, ...], ...]


@dataclass(frozen=True)
class Subscript:
    """``base`` with a formula as subscript, e.g. the field's component ``F_phi``."""

    base: str
    index: Any


@dataclass(frozen=True)
class Gradient:
    """The gradient of ``of`` with respect to the vector ``wrt``."""

    of: Any
    wrt: Any


#: The relations an :class:`Equation` may state.
RELATION_NAMES = ("=", "≈", "→", "∈", "∋", "≤", "if")


@dataclass(frozen=True)
class Equation:
    """``lhs relation rhs [= chain...]``, optionally tagged with the post's number and qualified.

    Attributes:
        lhs: a SymPy object or notation record (None: the row has only a right side).
        rhs: idem.
        relation: one of :data:`RELATION_NAMES` (``"if"``: ``lhs`` holds when ``rhs``).
        tag: the post's equation number, if the post states this equation.
        chain: further right sides, each ``= item``.
        qualifier: what follows the equation: :class:`Text` and formulas (e.g. where it holds).
    """

    lhs: Any
    rhs: Any
    relation: str = "="
    tag: str | None = None
    chain: tuple[Any, ...] = ()
    qualifier: tuple[Any, ...] = ()

    def __post_init__(self):
        if self.relation not in RELATION_NAMES:
            raise InvalidParameterError(f"relation must be one of {', '.join(RELATION_NAMES)}; got {self.relation!r}")
        object.__setattr__(self, "chain", tuple(self.chain))
        object.__setattr__(self, "qualifier", tuple(self.qualifier))
