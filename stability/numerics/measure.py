"""Measurements on sampled trajectories, shared by ``verify`` and ``confirm``.

Each function takes sampled times and values (NumPy arrays) and returns a number, or None when
the samples cannot define it (too few points, no whole turn). Nothing here knows about analyses.

* :func:`exponential_rate`: ``rho`` of ``|z| ~ C t^p e^(-rho t)`` (``p`` the polynomial factor of a
  Jordan block), by least squares on ``log |z|``;
* :func:`power_exponent`, :func:`fit_power_law`: ``p`` of ``|z| ~ t^(-p)``, or of ``(t + t0)^(-p)``
  with ``t0`` fitted;
* :func:`whole_turns`, :func:`winding_frequency`: whole turns of an unwrapped angle and the angular
  frequency they give; :func:`measure_frequency`: the same from stored states;
* :func:`largest_over_turns`: the largest value over whole turns (the radius of a closed orbit);
* :func:`relative_drift`: how far a conserved quantity moved.

>>> t = np.linspace(0.0, 10.0, 101)
>>> round(exponential_rate(t, 2.0 * np.exp(-0.3 * t)), 6)
0.3
>>> round(exponential_rate(t[1:], t[1:] * np.exp(-0.5 * t[1:]), degree=1), 6)    # a Jordan block
0.5
>>> w = 1.5 * t                                                                  # 1.5 rad per unit time
>>> round(winding_frequency(t, w, 0.0, 10.0)[0], 6), winding_frequency(t, w, 0.0, 10.0)[1]
(1.5, 2)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

__all__ = [
    "FLOOR",
    "Turns",
    "fit_slope",
    "exponential_rate",
    "power_exponent",
    "fit_power_law",
    "whole_turns",
    "winding_frequency",
    "largest_over_turns",
    "measure_frequency",
    "relative_drift",
]

#: |z| below which samples are left out of the fits (solver noise).
FLOOR = 1e-9
_TWO_PI = 2 * np.pi


def fit_slope(x: NDArray, y: NDArray) -> float | None:
    """Least-squares slope of ``y`` against ``x`` (None with fewer than 3 points or constant ``x``)."""
    if x.size < 3 or np.ptp(x) == 0:
        return None
    return float(np.polyfit(x, y, 1)[0])


def exponential_rate(t: NDArray, r: NDArray, degree: int = 0) -> float | None:
    """``rho`` of ``r ~ exp(-rho t) |P(t)|`` fitted on the samples with ``r > FLOOR`` (positive: decay).

    ``P`` is a vector polynomial of ``degree``: the factor a Jordan block of size ``degree + 1``
    adds (``z(t) = e^(lambda t) (u + t v)`` for size 2), so ``r^2 e^(2 rho t)`` is a polynomial of
    degree ``2 degree``. With ``degree = 0`` this is the slope of ``log r``; otherwise ``rho`` is
    scanned for the best fit of that polynomial (relative least squares), so a critically damped
    ``t e^(-t/2)`` gives 1/2, not the smaller slope of its logarithm.
    """
    t, r = np.asarray(t, float), np.asarray(r, float)
    keep = np.isfinite(r) & (r > FLOOR)
    t, r = t[keep], r[keep]
    if t.size < 3 + 2 * degree or np.ptp(t) == 0:
        return None
    logr = np.log(r)
    rho0 = -float(np.polyfit(t, logr, 1)[0])
    if not degree:
        return rho0
    t = t - t[0]  # the model is shift-invariant (u + t v = (u - s v) + (t + s) v)
    width = np.ptp(t)  # the polynomial factor bends log r by about degree / width per unit time
    margin = 0.1 * abs(rho0) + degree / width
    coarse = np.linspace(rho0 - margin, rho0 + 6 * degree / width + margin, 2001)
    sub = np.unique(np.linspace(0, t.size - 1, min(t.size, 200)).astype(int))
    res = np.array([_polynomial_misfit(x, t[sub], logr[sub], degree) for x in coarse])
    i = int(np.argmin(res))
    lo, hi = coarse[max(i - 1, 0)], coarse[min(i + 1, coarse.size - 1)]
    golden = (np.sqrt(5.0) - 1.0) / 2.0
    for _ in range(50):
        a, b = hi - golden * (hi - lo), lo + golden * (hi - lo)
        if _polynomial_misfit(a, t, logr, degree) < _polynomial_misfit(b, t, logr, degree):
            hi = b
        else:
            lo = a
    return float((lo + hi) / 2)


def _polynomial_misfit(rho: float, t: NDArray, logr: NDArray, degree: int) -> float:
    """Relative least-squares misfit of ``r^2 e^(2 rho t)`` by a polynomial of degree ``2 degree``."""
    y = 2.0 * (logr + rho * t)
    with np.errstate(all="ignore"):
        design = np.vander(t / t[-1], 2 * degree + 1) * np.exp(y.max() - y)[:, None]
    if not np.isfinite(design).all():
        return np.inf
    coef = np.linalg.lstsq(design, np.ones_like(t), rcond=None)[0]
    return float(np.sum((design @ coef - 1.0) ** 2))


def power_exponent(t: NDArray, r: NDArray, lo: float, hi: float) -> float | None:
    """Exponent p of ``r ~ t^(-p)`` fitted on ``lo <= t <= hi`` (samples above FLOOR)."""
    sel = (t >= lo) & (t <= hi) & (r > FLOOR) & (t > 0)
    slope = fit_slope(np.log(t[sel]), np.log(r[sel]))
    return None if slope is None else -slope


def fit_power_law(t: NDArray, y: NDArray) -> tuple[float, float]:
    """Fit ``y = C (t + t0)^(-p)`` (t0 >= 0 scanned on a log grid); return ``(p, t0)``.

    >>> t = np.linspace(1.0, 100.0, 200)
    >>> p, t0 = fit_power_law(t, (t + 3.0) ** -0.5)
    >>> round(p, 2), 2.0 < t0 < 4.0
    (0.5, True)
    """
    t, y = np.asarray(t, float), np.asarray(y, float)
    keep = (t > 0) & (y > 0) & np.isfinite(y)
    t, y = t[keep], y[keep]
    best = (np.inf, 0.0, 0.0)
    for t0 in np.concatenate([[0.0], np.geomspace(1e-2, t[-1], 200)]):
        x = np.log(t + t0)
        slope, icpt = np.polyfit(x, np.log(y), 1)
        res = float(np.sum((np.log(y) - (slope * x + icpt)) ** 2))
        if res < best[0]:
            best = (res, -slope, t0)
    return float(best[1]), float(best[2])


@dataclass(frozen=True)
class Turns:
    """Whole turns of a winding angle: from ``start`` to ``end``, ``count`` of them."""

    start: float
    end: float
    count: int


def whole_turns(t: NDArray, w: NDArray, lo: float, hi: float) -> Turns | None:
    """The whole turns of the unwrapped angle ``w`` within ``[lo, hi]`` (None if there is none)."""
    sel = np.flatnonzero((t >= lo) & (t <= hi) & np.isfinite(w))
    if sel.size < 3:
        return None
    ts, ws = t[sel], w[sel]
    if ws[-1] < ws[0]:
        ws = -ws
    turns = int((ws[-1] - ws[0]) // _TWO_PI)
    if turns < 1:
        return None
    level = ws[0] + _TWO_PI * turns
    j = int(np.argmax(ws >= level))  # first sample at or past the last whole turn
    t_last = ts[j] if j == 0 else np.interp(level, ws[j - 1 : j + 1], ts[j - 1 : j + 1])
    return Turns(float(ts[0]), float(t_last), turns)


def winding_frequency(t: NDArray, w: NDArray, lo: float, hi: float) -> tuple[float | None, int]:
    """``(angular frequency, whole turns)`` of the winding ``w`` in ``[lo, hi]``.

    With whole turns: ``2 pi turns`` over their duration. Without one, the mean drift of the
    angle (less than one turn: the frequency is only known to be below ``2 pi / (hi - lo)``).
    """
    whole = whole_turns(t, w, lo, hi)
    if whole is not None:
        return _TWO_PI * whole.count / (whole.end - whole.start), whole.count
    sel = (t >= lo) & (t <= hi) & np.isfinite(w)
    if sel.sum() < 2:
        return None, 0
    ts, ws = t[sel], w[sel]
    return float(abs(ws[-1] - ws[0]) / (ts[-1] - ts[0])), 0


def largest_over_turns(t: NDArray, y: NDArray, w: NDArray, lo: float, hi: float) -> float | None:
    """The largest ``y`` over the whole turns of ``w`` in ``[lo, hi]`` (None without a whole turn).

    For a closed orbit with ``y = |theta|`` this is its radius: the circle's radius in dimension
    n >= 2, the amplitude in dimension 1.
    """
    whole = whole_turns(t, w, lo, hi)
    if whole is None:
        return None
    inside = (t >= whole.start) & (t <= whole.end) & np.isfinite(y)
    return float(y[inside].max()) if inside.any() else None


def measure_frequency(times: NDArray, phi: NDArray, theta: NDArray) -> float:
    """Angular frequency of ``phi`` (samples ``(T, n)``, n >= 2) in the plane of the last ``(phi, theta)``.

    The slope of its unwrapped angle in that plane; NaN when the plane is undefined.
    """
    e1 = phi[-1] / np.linalg.norm(phi[-1])
    w = theta[-1] - (theta[-1] @ e1) * e1
    if np.linalg.norm(w) < 1e-12 * np.linalg.norm(theta[-1]) or phi.shape[1] < 2:
        return float("nan")
    e2 = w / np.linalg.norm(w)
    angle = np.unwrap(np.arctan2(phi @ e2, phi @ e1))
    return float(abs(np.polyfit(times, angle, 1)[0]))


def relative_drift(values: NDArray) -> float:
    """``max |q(t) - q(0)| / |q(0)|`` over samples ``(K, T)`` of a quantity that should be conserved."""
    values = np.asarray(values, float)
    return float(np.max(np.abs(values - values[:, :1]) / np.abs(values[:, :1])))
