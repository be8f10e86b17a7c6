"""Validation of optimiser hyperparameters and learning rates, with one-line messages.

Each check returns the normalised value (exact SymPy numbers for real hyperparameters, ``int``
for counts, ``bool`` for flags) or raises :class:`~stability.errors.InvalidParameterError` saying
what was received and what is expected. A SymPy symbol is allowed where the mathematics allows
it: the symbol must be declared with the domain's sign (``real=True``, or ``positive=True`` for a
domain in ``(0, oo)``), as for variant parameters, and one declared outside the domain is refused.

>>> real_in("beta", -0.5, OPEN_UNIT)
-1/2
>>> real_in("beta", 1.5, OPEN_UNIT)
Traceback (most recent call last):
...
stability.errors.InvalidParameterError: beta must be in (-1, 1); received 1.5
>>> learning_rate({"d": 0.1, "g": 0.05})
LearningRate(d=1/10, g=1/20)
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from numbers import Integral, Real
from typing import Any

import sympy as sp

from ...errors import InvalidParameterError
from .base import LearningRate, sympy_number

__all__ = [
    "OPEN_UNIT",
    "HALF_OPEN_UNIT",
    "POSITIVE",
    "MAX_COUNT",
    "real_in",
    "count",
    "flag",
    "fraction",
    "learning_rate",
]

OPEN_UNIT = sp.Interval.open(-1, 1)  # momentum coefficients
HALF_OPEN_UNIT = sp.Interval.Lopen(0, 1)  # lookahead's alpha
POSITIVE = sp.Interval.open(0, sp.oo)  # step sizes
#: Largest count of inner steps (d_steps, g_steps, k): the exact map of k steps grows with k.
MAX_COUNT = 1000


def _text(interval: sp.Interval) -> str:
    if interval == POSITIVE:
        return "> 0"
    left = "(" if interval.left_open else "["
    right = ")" if interval.right_open else "]"
    return f"in {left}{interval.start}, {interval.end}{right}"


def _received(value: Any) -> str:
    """``value`` as the message shows it: at most 60 characters (a 3000-digit number is cut)."""
    if isinstance(value, sp.Rational) and max(abs(value.p).bit_length(), value.q.bit_length()) > 200:
        digits = [int(abs(k).bit_length() * math.log10(2)) + 1 for k in (value.p, value.q)]
        return f"a rational with about {digits[0]} / {digits[1]} digits"
    text = repr(value) if isinstance(value, (str, bytes)) or value is None else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def real_in(name: str, value: Any, interval: sp.Interval) -> sp.Expr:
    """An exact real number in ``interval``, or a symbol (expression) not declared outside it."""
    if isinstance(value, bool) or not isinstance(value, (Real, sp.Basic)):
        raise InvalidParameterError(
            f"{name} must be a real number {_text(interval)} or a SymPy symbol; "
            f"received {type(value).__name__} {_received(value)}"
        )
    try:
        expr = sympy_number(value)
    except InvalidParameterError:
        raise InvalidParameterError(
            f"{name} must be a finite real number {_text(interval)}; received {_received(value)}"
        ) from None
    if expr.is_number:
        if expr.is_real is not True or not bool(interval.contains(expr)):
            raise InvalidParameterError(f"{name} must be {_text(interval)}; received {_received(value)}")
        return expr
    if isinstance(expr, sp.Symbol):
        flag = "positive" if interval.start >= 0 else "real"
        if getattr(expr, f"is_{flag}") is not True:  # as for variant parameters (model.params)
            raise InvalidParameterError(
                f"{name} must be {_text(interval)}, which the symbol {expr} does not imply; "
                f"pass Symbol({expr.name!r}, {flag}=True)"
            )
    if interval.contains(expr) is sp.false or expr.is_real is False:
        raise InvalidParameterError(f"{name} must be {_text(interval)}; the expression {expr} is declared otherwise")
    return expr


def fraction(name: str, value: Any, lo: float, hi: float, closed_lo: bool = True) -> float:
    """A plain float in ``[lo, hi)`` (or ``(lo, hi)``), for the numeric-only optimisers."""
    if isinstance(value, bool) or not isinstance(value, Real):
        raise InvalidParameterError(
            f"{name} must be a number in {'[' if closed_lo else '('}{lo:g}, {hi:g}); "
            f"received {type(value).__name__} {_received(value)}"
        )
    v = float(value)
    ok = math.isfinite(v) and (lo <= v if closed_lo else lo < v) and v < hi
    if not ok:
        raise InvalidParameterError(
            f"{name} must be in {'[' if closed_lo else '('}{lo:g}, {hi:g}); received {_received(value)}"
        )
    return v


def count(name: str, value: Any) -> int:
    """A positive integer up to :data:`MAX_COUNT` (``bool`` refused; a SymPy Integer is accepted)."""
    if isinstance(value, sp.Integer):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, Integral):
        raise InvalidParameterError(
            f"{name} must be a positive integer; received {type(value).__name__} {_received(value)}"
        )
    if not 1 <= value <= MAX_COUNT:
        raise InvalidParameterError(f"{name} must be a positive integer up to {MAX_COUNT}; received {value}")
    return int(value)


def flag(name: str, value: Any) -> bool:
    """``True`` or ``False`` (no strings, no numbers)."""
    if not isinstance(value, bool):
        raise InvalidParameterError(f"{name} must be True or False; received {type(value).__name__} {_received(value)}")
    return value


def _rate(name: str, value: Any) -> sp.Expr:
    if isinstance(value, sp.Symbol) and value.is_positive is not True:  # as analyze's lr (dynamics.system)
        raise InvalidParameterError(
            f"{name} must be > 0; the symbol {value} is not declared positive "
            f"(use sympy.Symbol({value.name!r}, positive=True))"
        )
    return real_in(name, value, POSITIVE)


def learning_rate(lr: Any, name: str = "lr") -> LearningRate:
    """``h`` (both players) or ``{"d": h_d, "g": h_g}`` (TTUR) as a :class:`LearningRate` of exact values.

    Each rate is a positive finite number, a positive SymPy symbol, or an expression not
    declared non-positive (the same rules as ``analyze``'s ``lr``; this serves hyperparameters
    that are step sizes, such as extragradient's ``lr_extra``).
    """
    if isinstance(lr, LearningRate):
        return LearningRate(_rate(f"{name} (d)", lr.d), _rate(f"{name} (g)", lr.g))
    if isinstance(lr, Mapping):
        keys = set(lr)
        if keys != {"d", "g"}:
            raise InvalidParameterError(
                f"{name} as a mapping must have exactly the keys 'd' (discriminator) and 'g' (generator); "
                f"received keys {sorted(map(str, keys))}"
            )
        return LearningRate(_rate(f"{name}['d']", lr["d"]), _rate(f"{name}['g']", lr["g"]))
    if isinstance(lr, bool) or not isinstance(lr, (Real, sp.Basic)):
        raise InvalidParameterError(
            f"{name} must be a positive number, a SymPy symbol, or {{'d': h_d, 'g': h_g}}; "
            f"received {type(lr).__name__} {_received(lr)}"
        )
    h = _rate(name, lr)
    return LearningRate(h, h)
