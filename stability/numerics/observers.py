"""Integrator observers of :func:`~stability.numerics.simulate.simulate`: running summaries, or every state.

:class:`Recorder` keeps, per trajectory, ``|phi|`` and ``|theta|`` on a decimated grid, the
running extremes of ``|z|``, the winding angle of one ``(phi_k, theta_k)`` pair and weight EMAs
of ``theta``, in memory that does not grow with the number of steps. :class:`Store` keeps every
state and computes the same summaries afterwards, vectorised. Both are called as
``observer(i, t, x)`` (see :func:`~stability.numerics.integrate.integrate`) and hand their
arrays over with ``arrays()``.

>>> import numpy as np
>>> rec = Recorder(np.array([[1.0, 0.0]]), n=1, n_out=3, every=1, betas=())
>>> for i, x in enumerate([[1.0, 0.0], [0.0, 1.0], [-1.0, 0.0]]):
...     rec(i, 0.5 * i, np.array([x]))
>>> rec.arrays()["winding"].round(4).tolist()    # half a turn, counter-clockwise
[[0.0, 1.5708, 3.1416]]
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["Recorder", "Store", "summary_grid", "tracked_pair"]

_TWO_PI = 2 * np.pi


class Recorder:
    """Integrator observer: running summaries of every trajectory (and the states if asked).

    Without states its memory does not depend on the number of steps. Per step it costs a
    few passes over the ``(K, 2n)`` batch: ``|z|`` for the running extremes, the tracked
    pair's angle for the winding, and the EMAs; ``|phi|`` and ``|theta|`` only on the grid.
    """

    def __init__(self, x0: NDArray[np.float64], n: int, n_out: int, every: int, betas: tuple[float, ...]):
        k, d = x0.shape
        self.n, self.every, self.n_out = n, every, n_out
        self.grid = summary_grid(n_out, every)
        m = self.grid.size
        self.pair = tracked_pair(x0, n)
        # Time-major storage (one contiguous row per grid point), exposed as (K, time) views.
        # Every row is written when its output index is reached (NaN for stopped
        # trajectories), so no initial fill is needed.
        self._phi_norm = np.empty((m, k))
        self._theta_norm = np.empty((m, k))
        self._winding = np.empty((m, k))
        self.max_norm = np.zeros(k)
        self.min_norm = np.full(k, np.inf)
        self.betas = betas
        self.ema = {b: np.array(x0[:, n:]) for b in betas}
        self._ema_grid = {b: np.empty((m, k, n)) for b in betas}
        self.last = np.array(x0)  # last finite state of each stopped trajectory (see finish)
        self.last_index = np.zeros(k, dtype=np.intp)
        self.calls = 0  # output indices seen: 0..calls-1
        self.recorded = 0  # grid points filled
        self._phi_at = np.arange(k) * d + self.pair  # flat indices of phi_k, theta_k, k = pair
        self._theta_at = self._phi_at + n
        self._angle = np.zeros(k)
        self._wind = np.zeros(k)
        self._prev = x0
        self._stopped = np.zeros(k, dtype=bool)
        self._n_stopped = 0

    def __call__(self, i: int, t: float, x: NDArray[np.float64]) -> None:
        n = self.n
        r = np.sqrt(np.einsum("kd,kd->k", x, x))
        np.fmax(self.max_norm, r, out=self.max_norm)
        np.fmin(self.min_norm, r, out=self.min_norm)
        stopped = np.isnan(r)
        n_stopped = int(np.count_nonzero(stopped))
        if n_stopped != self._n_stopped:  # trajectories stopped since the last output
            new = stopped & ~self._stopped
            self.last[new] = self._prev[new]
            self.last_index[new] = i - 1
            self._stopped, self._n_stopped = stopped, n_stopped
        self._prev = x  # a fresh array per call (see integrate's observer contract)
        flat = x.reshape(-1)
        angle = np.arctan2(flat[self._theta_at], flat[self._phi_at])
        if i:
            step = angle - self._angle
            step -= _TWO_PI * np.round(step / _TWO_PI)  # wrapped to [-pi, pi]
            if n_stopped:
                step[stopped] = 0.0
            self._wind += step
            theta = x[:, n:]
            for b in self.betas:
                ema = self.ema[b]
                ema *= b
                ema += (1.0 - b) * theta
        self._angle = np.where(stopped, self._angle, angle) if n_stopped else angle
        self.calls = i + 1
        j = self.recorded
        if j < self.grid.size and i == self.grid[j]:
            phi, theta = x[:, :n], x[:, n:]
            self._phi_norm[j] = np.sqrt(np.einsum("ki,ki->k", phi, phi))
            self._theta_norm[j] = np.sqrt(np.einsum("ki,ki->k", theta, theta))
            self._winding[j] = self._wind
            if n_stopped:
                self._winding[j, stopped] = np.nan
            for b in self.betas:
                self._ema_grid[b][j] = self.ema[b]
            self.recorded = j + 1

    def finish(self) -> None:
        """Record the last state of the trajectories still running (for a run cut short)."""
        running = ~self._stopped
        self.last[running] = self._prev[running]
        self.last_index[running] = self.calls - 1

    def arrays(self) -> dict:
        """The recorded arrays as ``(K, time, ...)`` views, cut to what was recorded."""
        m = self.recorded
        return {
            "states": None,
            "phi_norm": self._phi_norm[:m].T,
            "theta_norm": self._theta_norm[:m].T,
            "winding": self._winding[:m].T,
            "ema_grid": {b: v[:m].swapaxes(0, 1) for b, v in self._ema_grid.items()},
            "ema_final": self.ema,
            "grid": self.grid[:m],
            "pair": self.pair,
            "max_norm": self.max_norm,
            "min_norm": self.min_norm,
        }


class Store:
    """Integrator observer that keeps every state; the summaries are computed afterwards, vectorised.

    The states are stored time-major (one contiguous row per output) and exposed as a
    ``(K, time, 2n)`` view.
    """

    _CHUNK = 1024  # output rows processed at once by arrays()

    def __init__(self, x0: NDArray[np.float64], n: int, n_out: int, every: int):
        k, d = x0.shape
        self.n, self.grid, self.pair = n, summary_grid(n_out, every), tracked_pair(x0, n)
        self._states = np.empty((n_out, k, d))  # every row is written when its index is reached
        self.last, self.last_index = np.array(x0), np.zeros(k, dtype=np.intp)
        self.calls = 0

    def __call__(self, i: int, t: float, x: NDArray[np.float64]) -> None:
        self._states[i] = x
        self.calls = i + 1

    def finish(self) -> None:
        """Find the last finite state of every trajectory (for a run cut short)."""
        finite = np.isfinite(self._states[: self.calls, :, 0])
        self.last_index = self.calls - 1 - np.argmax(finite[::-1], axis=0)
        self.last = self._states[self.last_index, np.arange(self.last.shape[0])]

    def arrays(self) -> dict:
        states, n = self._states[: self.calls], self.n
        grid = self.grid[self.grid < self.calls]
        k = states.shape[1]
        rows = np.arange(k)
        max_norm, min_norm = np.zeros(k), np.full(k, np.inf)
        winding = np.empty((grid.size, k))
        wind, angle0 = np.zeros(k), None
        for lo in range(0, states.shape[0], self._CHUNK):
            block = states[lo : lo + self._CHUNK]
            r = np.sqrt(np.einsum("tkd,tkd->tk", block, block))
            np.fmax(max_norm, np.fmax.reduce(r, axis=0), out=max_norm)
            np.fmin(min_norm, np.fmin.reduce(r, axis=0), out=min_norm)
            angle = np.arctan2(block[:, rows, n + self.pair], block[:, rows, self.pair])
            prev = np.vstack([angle[:1] if angle0 is None else angle0[None], angle[:-1]])
            step = angle - prev
            step -= _TWO_PI * np.round(step / _TWO_PI)
            step[np.isnan(step)] = 0.0
            cum = wind + np.cumsum(step, axis=0)
            sel = (grid >= lo) & (grid < lo + block.shape[0])
            winding[sel] = np.where(np.isnan(r[grid[sel] - lo]), np.nan, cum[grid[sel] - lo])
            wind = cum[-1]
            angle0 = np.where(np.isnan(angle[-1]), prev[-1], angle[-1])
        at = states[grid]
        return {
            "states": states.swapaxes(0, 1),
            "phi_norm": np.sqrt(np.einsum("tki,tki->tk", at[..., :n], at[..., :n])).T,
            "theta_norm": np.sqrt(np.einsum("tki,tki->tk", at[..., n:], at[..., n:])).T,
            "winding": winding.T,
            "ema_grid": {},
            "ema_final": {},
            "grid": grid,
            "pair": self.pair,
            "max_norm": max_norm,
            "min_norm": min_norm,
        }


def summary_grid(n_out: int, every: int) -> NDArray[np.intp]:
    """Output indices of the summary grid: every ``every``-th, and the last."""
    return np.unique(np.r_[np.arange(0, n_out, every), n_out - 1])


def tracked_pair(x0: NDArray[np.float64], n: int) -> NDArray[np.intp]:
    """Per trajectory, the index k of the largest pair (phi_k, theta_k) at t = 0."""
    return (x0[:, :n] ** 2 + x0[:, n:] ** 2).argmax(axis=1)
