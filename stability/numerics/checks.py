"""Validation of the numerics' options: counts, positive numbers, EMA betas, memory limits.

Each check returns the normalised value or raises :class:`~stability.errors.InvalidParameterError`
with a message naming the option and what was received.

>>> check_count("samples", 3), check_positive("dt", 0.5), check_beta(0.9)
(3, 0.5, 0.9)
>>> check_count("samples", 0)
Traceback (most recent call last):
...
stability.errors.InvalidParameterError: samples must be a positive integer; received 0 (int)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from .inputs import beta, positive

__all__ = ["MAX_STORE_BYTES", "check_count", "check_positive", "check_beta", "check_batch"]

#: Largest array (states, working memory, time grid) the numerics allocate.
MAX_STORE_BYTES = 2 * 1024**3


def check_count(name: str, value: Any) -> int:
    """A positive integer (``bool`` refused)."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidParameterError(f"{name} must be a positive integer; received {value!r} ({type(value).__name__})")
    return int(value)


#: A positive finite real number (NumPy scalars, Fractions, real SymPy numbers accepted; bool refused).
check_positive = positive
#: An EMA coefficient in ``[0, 1)``, of the same accepted kinds.
check_beta = beta


def check_batch(k: int, n: int) -> None:
    """The integrator keeps about 16 arrays of shape (K, 2n) (Runge-Kutta stages, errors, summaries)."""
    need = 16 * 8 * k * 2 * n
    if need > MAX_STORE_BYTES:
        raise InvalidParameterError(
            f"{k} trajectories in dimension {n} need about {need / 2**30:.1f} GiB of working memory "
            f"(limit {MAX_STORE_BYTES / 2**30:g} GiB); integrate fewer at a time"
        )
