"""What the numerics accept as a number, a seed and an array of initial states.

A *real number* is a Python or NumPy integer or float, a :class:`fractions.Fraction` or a real SymPy
number (``Integer``, ``Rational``, ``Float``); ``bool``, complex numbers, strings and anything else are
refused with :class:`~stability.errors.InvalidParameterError`, naming what was received, before any
conversion could hide them. A *seed* is None or a non-negative integer below ``2**63`` (not ``bool``).

>>> from fractions import Fraction
>>> real("t_end", Fraction(3, 2)), positive("dt", np.float32(0.5)), check_seed(np.int64(7))
(1.5, 0.5, 7)
>>> states([Fraction(1, 10), 0, 0, 0], 2).tolist()
[[0.1, 0.0, 0.0, 0.0]]
>>> check_seed(-1)
Traceback (most recent call last):
...
stability.errors.InvalidParameterError: seed must be None or a non-negative integer; received -1 (int)
"""

from __future__ import annotations

import math
import numbers
from fractions import Fraction
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from ..errors import InvalidParameterError

__all__ = ["SEED_LIMIT", "check_seed", "real", "positive", "beta", "states"]

#: Seeds are below this (the range of a signed 64-bit integer, what every NumPy generator accepts).
SEED_LIMIT = 2**63


def _shown(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def check_seed(seed: Any) -> int | None:
    """``seed`` as an int (or None), or InvalidParameterError naming what was received.

    >>> check_seed(None), check_seed(0)
    (None, 0)
    """
    if seed is None:
        return None
    if isinstance(seed, (bool, np.bool_)) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < SEED_LIMIT:
        integer = isinstance(seed, (int, np.integer)) and not isinstance(seed, (bool, np.bool_))
        extra = "; the largest accepted is 2**63 - 1" if integer and seed > 0 else ""
        raise InvalidParameterError(
            f"seed must be None or a non-negative integer; received {_shown(seed)} ({type(seed).__name__}){extra}"
        )
    return int(seed)


def _kind(value: Any) -> str | None:
    """None for a real number of an accepted kind, else what it is ("a str", "a complex number", ...)."""
    if isinstance(value, (bool, np.bool_)):
        return "a bool"
    if isinstance(value, (str, bytes, np.str_, np.bytes_)):
        return f"a {type(value).__name__}"
    if isinstance(value, sp.Basic):
        if value.is_Number and value.is_real:  # Integer, Rational, Float (not nan, zoo, I)
            return None
        return "a symbolic expression" if value.free_symbols else "a SymPy value that is not a real number"
    if isinstance(value, (complex, np.complexfloating)):
        return "a complex number"
    if isinstance(value, (int, float, np.integer, np.floating, Fraction)) or isinstance(value, numbers.Real):
        return None
    return f"a {type(value).__name__}"


def _float(name: str, value: Any) -> float:
    try:
        return float(value)
    except OverflowError:
        raise InvalidParameterError(f"{name} is too large for floating point; received {_shown(value)}") from None


def real(name: str, value: Any) -> float:
    """``value`` as a float, if it is a real number of an accepted kind (not necessarily finite)."""
    kind = _kind(value)
    if kind is not None:
        raise InvalidParameterError(f"{name} must be a real number; received {kind} ({_shown(value)})")
    return _float(name, value)


def positive(name: str, value: Any) -> float:
    """A positive finite real number."""
    x = real(name, value)
    if not (math.isfinite(x) and x > 0):
        raise InvalidParameterError(f"{name} must be a positive finite number; received {_shown(value)}")
    return x


def beta(value: Any) -> float:
    """An EMA coefficient in ``[0, 1)``."""
    x = real("beta", value)
    if not 0.0 <= x < 1.0:
        raise InvalidParameterError(f"beta must be in [0, 1); received {_shown(value)}")
    return x


def _leaves(obj: Any, x0: Any):
    """``obj`` with every entry checked and converted to float (nested lists), or a float array."""
    if isinstance(obj, np.ndarray) and obj.dtype.kind in "iuf":
        return obj.astype(np.float64)
    if isinstance(obj, np.ndarray) and obj.dtype.kind != "O":
        what = {"b": "bool", "c": "complex", "U": "string", "S": "bytes"}.get(obj.dtype.kind, str(obj.dtype))
        raise InvalidParameterError(f"x0 must hold real numbers; received an array of {what} entries: {_shown(x0)}")
    if isinstance(obj, (np.ndarray, sp.MatrixBase)):
        obj = obj.tolist()
    if isinstance(obj, (list, tuple)):
        return [_leaves(v, x0) for v in obj]
    kind = _kind(obj)
    if kind is not None:
        raise InvalidParameterError(f"x0 must hold real numbers; received {kind} ({_shown(obj)}) in {_shown(x0)}")
    return _float("an entry of x0", obj)


def states(x0: Any, dim: int) -> NDArray[np.float64]:
    """Explicit initial states as a float array ``(K, 2 dim)``: real finite entries, ordered
    ``phi_1..phi_dim, theta_1..theta_dim``; a single state ``(2 dim,)`` is one row."""
    expected = f"an array of shape (K, {2 * dim}) or ({2 * dim},) ordered phi_1..phi_{dim}, theta_1..theta_{dim}"
    given = x0
    if not isinstance(x0, (list, tuple, np.ndarray, sp.MatrixBase)) and hasattr(x0, "__array__"):
        x0 = np.asarray(x0)  # another library's array
    if not isinstance(x0, (list, tuple, np.ndarray, sp.MatrixBase)):
        raise InvalidParameterError(f"x0 must be an int K (random states), or {expected}; received {_shown(given)}")
    leaves = _leaves(x0, given)
    try:
        x = np.array(leaves, dtype=np.float64)
    except ValueError:  # ragged
        raise InvalidParameterError(f"x0 must be {expected}; received a ragged sequence {_shown(given)}") from None
    shape = x.shape
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != 2 * dim or x.shape[0] == 0:
        raise InvalidParameterError(f"x0 must be {expected} (dim = {dim}); received shape {shape}")
    if not np.isfinite(x).all():
        bad = np.flatnonzero(~np.isfinite(x).all(axis=1))
        raise InvalidParameterError(f"x0 must be finite; rows {bad[:10].tolist()} contain NaN or infinity")
    return x
