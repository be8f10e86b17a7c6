r"""Pieces every part of the report shares: a bounded attempt, figure saving, inline mathematics, numbers.

>>> import sympy as sp
>>> number_text(0.123456), number_text(None), inline_math(sp.Rational(1, 2))
('0.123', '–', '$\\frac{1}{2}$')
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import StabilityError
from ..timeout import TimeLimitExceeded, call_with_time_limit
from .markdown import escape_markdown
from .tex import latex

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Analysis

__all__ = ["Analyze", "MapMaker", "attempt", "save_figure", "inline_math", "number_text"]

#: ``analyze(variant, dim=..., params=..., ...)``, i.e. :func:`stability.analyze` (injected: render/ sits below it).
Analyze = Callable[..., "Analysis"]
#: ``stability_map(variant, x=..., y=..., ...)``, i.e. :func:`stability.maps.stability_map` (injected likewise).
MapMaker = Callable[..., Any]


def attempt(fn: Callable[[], Any], seconds: float) -> tuple[Any, str]:
    """``(fn(), "")``, or ``(None, why)`` when the library refuses, the time runs out, or the step fails.

    A failure that is not one of the library's own errors is a defect elsewhere: the table shows it
    (``failed: <type>: <message>``) instead of hiding it or stopping the whole report.

    >>> attempt(lambda: 1, 5), attempt(lambda: 1 / 0, 5)[1]
    ((1, ''), 'failed: ZeroDivisionError: division by zero')
    """
    try:
        return call_with_time_limit(fn, seconds), ""
    except StabilityError as exc:
        return None, f"refused: {exc}"
    except TimeLimitExceeded:
        return None, f"not finished within {seconds:g} s"
    except Exception as exc:  # reported in the table, see the docstring
        return None, f"failed: {type(exc).__name__}: {exc}"


def save_figure(fig, path: Path, dpi: int) -> str:
    """Write ``fig`` to ``path``; its file name (for the page's link)."""
    fig.savefig(path, dpi=dpi)
    return path.name


def inline_math(expr, dim: int | None = None) -> str:
    """``expr`` as inline Markdown mathematics, ``$...$``."""
    return f"${latex(expr, dim)}$"


def number_text(x, fmt: str = ".3g") -> str:
    """A number for a table cell (``–`` for None or NaN; text that is not a number escaped)."""
    if x is None:
        return "–"
    try:
        x = float(x)
    except (TypeError, ValueError):
        return escape_markdown(str(x))
    return "–" if x != x else format(x, fmt)
