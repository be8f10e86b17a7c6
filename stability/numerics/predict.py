"""What the linearisation predicts a verification run will measure, and how long a run must be to see it.

:func:`predict` reads the exact spectrum: the decay rate ``-max Re``, the angular frequencies of
the slowest modes (several when real parts are nearly tied), and the polynomial factor of a
Jordan block (``|z| ~ t e^(-t/2)`` for a critically damped node). :func:`needed_time` is the run
length a verdict needs; :func:`default_t_end` the run ``verify`` makes by default.

>>> from stability import analyze
>>> p = predict(analyze("vanilla_ns", dim=1, regularizers={"l2": 0.5}))   # eigenvalues -1/2 (x2)
>>> p.rate, p.frequencies, p.degree                                      # a 2x2 Jordan block: t e^(-t/2)
(0.5, (0.0,), 1)
>>> round(needed_time("stable", p), 1)                                    # e^(-t/2) (1 + t/2) = 1e-4
23.5
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import sympy as sp

from ..verdicts import Classification

__all__ = ["Prediction", "predict", "needed_time", "default_t_end", "DECADES", "ESCAPE", "PERIODS", "DEFAULT_RANGE"]

DECADES = 1e4  # a 10^4-fold decrease counts as convergence
ESCAPE = 1e3  # an unstable equilibrium: trajectories must leave the ball ESCAPE times their start
PERIODS = 30  # a centre is followed for this many periods of its linear oscillation by default
ORBIT_PERIODS = 6  # a closed orbit is judged on whole turns in the last two sixths of the run
DEFAULT_RANGE = (50.0, 2000.0)  # the budget of a default run: its length is clipped to this range
TIE = 1e-9  # real parts within TIE * max(1, |top|) of the largest are tied by the spectrum itself
SEPARATION = 3.0  # modes whose rates differ by less than SEPARATION / t_end are not told apart in a run


@dataclass(frozen=True)
class Prediction:
    """The linearisation's figures for a run (all None / empty without a numeric Jacobian).

    Attributes:
        rate: ``-max Re(lambda)`` (positive: decay).
        frequencies: ``|Im(lambda)|`` of the slowest modes (several: a mixture).
        degree: the polynomial factor ``t^degree`` of the slowest modes (largest Jordan block
            among them, minus one).
        spread: how much faster than ``rate`` the other modes in :attr:`frequencies` decay
            (0 unless :meth:`resolved` gathered nearly tied modes).
        modes: every eigenvalue as ``(rate, frequency, degree)``, for :meth:`resolved`.
    """

    rate: float | None = None
    frequencies: tuple[float, ...] = ()
    degree: int = 0
    spread: float = 0.0
    modes: tuple[tuple[float, float, int], ...] = ()

    @property
    def frequency(self) -> float | None:
        """The largest of :attr:`frequencies` (None without a prediction)."""
        return max(self.frequencies) if self.frequencies else None

    def resolved(self, t_end: float) -> Prediction:
        """The modes a run of length ``t_end`` cannot tell apart from the slowest one.

        Two modes whose rates differ by ``delta`` separate like ``e^(-delta t)``; with
        ``delta * t_end < SEPARATION`` both shape the whole run, so their frequencies and rates
        are all predicted.
        """
        if self.rate is None or not self.modes:
            return self
        near = [m for m in self.modes if m[0] - self.rate <= SEPARATION / t_end]
        return Prediction(
            rate=self.rate,
            frequencies=tuple(sorted({f for _, f, _ in near})),
            degree=max(d for _, _, d in near),
            spread=max(r for r, _, _ in near) - self.rate,
            modes=self.modes,
        )


def _numeric_parts(analysis) -> list[tuple[complex, int]] | None:
    try:
        return [(complex(sp.N(p.value)), int(p.multiplicity)) for p in analysis.eigenvalue_parts]
    except (TypeError, ValueError):  # symbolic
        return None


def _matrix(analysis) -> tuple[np.ndarray, int] | None:
    """The numeric Jacobian (the 2x2 block when it has the form B (x) I_n) and the copies of its spectrum."""
    try:
        if analysis.block is not None:
            return np.array(sp.N(analysis.block), dtype=complex), analysis.dim
        if analysis.jacobian is not None:
            return np.array(sp.N(analysis.jacobian), dtype=complex), 1
    except (TypeError, ValueError):
        return None
    return None


def _jordan_size(m: np.ndarray, lam: complex, multiplicity: int) -> int:
    """The size of the largest Jordan block of ``m`` for ``lam`` (algebraic ``multiplicity`` known exactly)."""
    n = m.shape[0]
    shifted = m - lam * np.eye(n)
    scale = max(1.0, float(np.abs(m).max()))
    power = np.eye(n, dtype=complex)
    for k in range(1, multiplicity + 1):
        power = power @ shifted
        if np.linalg.matrix_rank(power, tol=1e-9 * scale**k) <= n - multiplicity:
            return k
    return multiplicity


def predict(analysis) -> Prediction:
    """The :class:`Prediction` of ``analysis``' spectrum (empty without a numeric Jacobian)."""
    parts = _numeric_parts(analysis)
    if not parts:
        return Prediction()
    found = _matrix(analysis)
    modes = []
    for v, mult in parts:
        degree = 0
        if found is not None:
            m, copies = found
            degree = _jordan_size(m, v, max(1, mult // copies)) - 1
        modes.append((0.0 - v.real, abs(v.imag), degree))
    rate = min(r for r, _, _ in modes)
    tied = [m for m in modes if abs(m[0] - rate) <= TIE * max(1.0, abs(rate))]
    return Prediction(
        rate=rate,
        frequencies=tuple(sorted({f for _, f, _ in tied})),
        degree=max(d for _, _, d in tied),
        modes=tuple(modes),
    )


def _decay_time(rate: float, factor: float, degree: int) -> float:
    """The time ``t`` at which ``e^(-rate t) (1 + rate t)^degree`` has fallen ``factor``-fold."""
    t = math.log(factor) / rate
    for _ in range(20):
        t = (math.log(factor) + degree * math.log1p(rate * t)) / rate
    return t


def needed_time(classification: str, p: Prediction) -> float | None:
    """The shortest run that can show the prediction of ``classification`` (None: no time scale known).

    Stable: a ``DECADES``-fold decay at the predicted rate (with the Jordan factor), and two
    periods of the slowest oscillation; unstable: growth by ``ESCAPE`` at the predicted rate;
    a centre or a non-hyperbolic equilibrium with oscillating modes: ``ORBIT_PERIODS`` periods.
    """
    if p.rate is None:
        return None
    period = 2 * np.pi / p.frequency if p.frequency else 0.0
    if classification == Classification.STABLE and p.rate > 0:
        return max(_decay_time(p.rate, DECADES, p.degree), 2 * period)
    if classification == Classification.UNSTABLE and p.rate < 0:
        return max(_decay_time(-p.rate, ESCAPE, p.degree), period)
    if classification in (Classification.CENTER, Classification.NON_HYPERBOLIC) and period:
        return ORBIT_PERIODS * period
    return None


def default_t_end(classification: str, p: Prediction) -> float:
    """``15 / rate`` (stable), ``30 / |rate|`` (unstable), ``PERIODS`` periods (centre, non-hyperbolic),
    clipped to ``DEFAULT_RANGE``; 200 without a time scale."""
    if classification in (Classification.STABLE, Classification.UNSTABLE) and p.rate:
        t_end = (15.0 if p.rate > 0 else 30.0) / abs(p.rate)
    elif classification in (Classification.CENTER, Classification.NON_HYPERBOLIC) and p.frequency:
        t_end = PERIODS * 2 * np.pi / p.frequency
    else:
        return 200.0
    return float(np.clip(t_end, *DEFAULT_RANGE))
