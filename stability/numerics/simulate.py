"""Numerical integration of an analysis' training ODE: the fast batch field, ``simulate``, ``Trajectories``.

:func:`numeric_field` turns the exact vector field into a NumPy function on a whole batch of
states ``(K, 2n)`` (rotation-invariant variants through ``|phi|``, ``|theta|``, ``theta.phi``,
so its cost does not grow with n). :func:`simulate` integrates it with the batched
Dormand-Prince solver of :mod:`stability.numerics.integrate` and returns a :class:`Trajectories`
record. Summaries (norms on a decimated grid, running extremes, the winding of one
``(phi_k, theta_k)`` pair, weight EMAs of ``theta``) are accumulated while integrating, so
``store=False`` runs of any length use bounded memory.

>>> from stability import analyze
>>> tr = analyze("wgan_gp", params={"c": 0}).simulate([0.1, 0.2, 0.2, 0.1], 10.0, dt=0.1)
>>> tr.states.shape, tr.phi.shape
((1, 101, 4), (1, 101, 2))
>>> bool(tr.ok.all()), bool(tr.norm[0, -1] < tr.norm[0, 0])
(True, True)
"""

from __future__ import annotations

import math
import warnings
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidParameterError
from ..model.functions import NUMPY_FUNCTIONS
from ..model.space import DOT, NORM_PHI, NORM_THETA
from .integrate import Status, integrate

__all__ = [
    "numeric_field",
    "random_states",
    "simulate",
    "Trajectories",
    "TrajectoryWarning",
    "Status",
]

Field = Callable[[NDArray[np.float64]], NDArray[np.float64]]

_TWO_PI = 2 * np.pi
_FIELDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_MODULES = [NUMPY_FUNCTIONS, "numpy"]

#: Default number of points of the decimated summary grid.
SUMMARY_POINTS = 1000
#: Largest ``states`` array ``simulate(store=True)`` accepts.
MAX_STORE_BYTES = 2 * 1024**3


class TrajectoryWarning(RuntimeWarning):
    """Issued by :func:`simulate` when some trajectories stopped before ``t_end``."""


# ----------------------------------------------------------------------------- the field


def _check_numeric(analysis, exprs, allowed) -> None:
    free = set().union(*(sp.sympify(e).free_symbols for e in exprs)) - set(allowed)
    if free:
        names = ", ".join(sorted(str(s) for s in free))
        raise InvalidParameterError(
            f"numerical integration needs numeric parameter values; {analysis.variant.name!r} still has "
            f"symbolic {names}. Pass numbers, e.g. analyze(..., params={{'lam': 0.1}}) or regularizers={{'l2': 0.1}}"
        )


def _invariant_field(analysis) -> Field:
    inv, n = analysis.dynamics.invariant, analysis.dim
    coefficients = [inv.a, inv.b, inv.c, inv.d]
    _check_numeric(analysis, coefficients, (NORM_PHI, NORM_THETA, DOT))
    scalars = sp.lambdify((NORM_PHI, NORM_THETA, DOT), coefficients, modules=_MODULES, cse=True)

    zero_a, zero_d = inv.a == 0, inv.d == 0  # e.g. the vanilla GANs: skip two products

    def f(z: NDArray[np.float64]) -> NDArray[np.float64]:
        k = z.shape[0]
        zz = z.reshape(k, 2, n)
        phi, theta = zz[:, 0], zz[:, 1]
        norm_phi = np.sqrt(np.einsum("ki,ki->k", phi, phi))
        norm_theta = np.sqrt(np.einsum("ki,ki->k", theta, theta))
        dot = np.einsum("ki,ki->k", phi, theta)
        a, b, c, d = (_column(v) for v in scalars(norm_phi, norm_theta, dot))
        out = np.empty((k, 2, n))
        dphi, dtheta = out[:, 0], out[:, 1]
        np.multiply(b, theta, out=dphi)
        if not zero_a:
            dphi += a * phi
        np.multiply(c, phi, out=dtheta)
        if not zero_d:
            dtheta += d * theta
        return out.reshape(k, 2 * n)

    return f


def _column(v):
    """A per-row coefficient as a (K, 1) column; a constant (e.g. the int 0) stays a scalar."""
    return v[:, None] if isinstance(v, np.ndarray) and v.ndim else float(v)


def _component_field(analysis) -> Field:
    exprs = list(analysis.vector_field)
    _check_numeric(analysis, exprs, analysis.state)
    components = sp.lambdify(analysis.state, exprs, modules=_MODULES, cse=True)

    def f(z: NDArray[np.float64]) -> NDArray[np.float64]:
        values = components(*z.T)
        out = np.empty_like(z)
        for j, v in enumerate(values):
            out[:, j] = v  # broadcasts constant components
        return out

    return f


def numeric_field(analysis) -> Field:
    """The analysis' vector field as a NumPy function ``f(Z) -> Z'`` on a batch ``Z`` of shape ``(K, 2n)``.

    Rows are states ``(phi_1..phi_n, theta_1..theta_n)``. Rotation-invariant variants are
    evaluated through the coefficients of ``phi' = a phi + b theta``, ``theta' = c phi + d theta``
    (functions of ``|phi|``, ``|theta|``, ``theta.phi``), otherwise the component field is
    lambdified (``cse=True``). No Python loop runs over trajectories. At singular points (e.g.
    ``phi = 0`` for WGAN) the result holds NaN or infinity; the integrator stops such
    trajectories and reports them. Built once per analysis and cached.

    Raises:
        InvalidParameterError: if a parameter or regulariser weight is still symbolic.

    >>> import numpy as np
    >>> from stability import analyze
    >>> f = numeric_field(analyze("vanilla_ns"))
    >>> f(np.array([[1.0, 0.0, 0.0, 2.0]])) + 0.0   # sigmoid(0) = 1/2: phi' = -theta/2, theta' = phi/2
    array([[ 0. , -1. ,  0.5,  0. ]])
    """
    cached = _FIELDS.get(analysis)
    if cached is None:
        builder = _invariant_field if analysis.dynamics.invariant is not None else _component_field
        cached = _FIELDS[analysis] = builder(analysis)
    return cached


# ----------------------------------------------------------------------------- initial states


def random_states(dim: int, samples: int, *, seed: int | None = None, radius: float = 0.5) -> NDArray[np.float64]:
    """``samples`` random states of dimension ``2 * dim``, uniform in the ball of ``radius`` about 0.

    States with ``|phi|`` or ``|theta|`` below ``radius / 100`` are drawn again, so that no
    trajectory starts on or next to the sets ``phi = 0`` and ``theta = 0`` where some fields
    (WGAN, WGAN-GP with c != 0, GAN-QP) are singular. ``seed=None`` uses fresh entropy.

    >>> x = random_states(2, 5, seed=1)
    >>> x.shape, bool((np.linalg.norm(x, axis=1) <= 0.5).all())
    ((5, 4), True)
    """
    samples = _check_count("samples", samples)
    radius = _check_positive("radius", radius)
    rng = np.random.default_rng(seed)
    out = np.empty((samples, 2 * dim))
    todo = np.arange(samples)
    while todo.size:
        g = rng.standard_normal((todo.size, 2 * dim))
        g /= np.linalg.norm(g, axis=1, keepdims=True)
        g *= radius * rng.random((todo.size, 1)) ** (1.0 / (2 * dim))
        out[todo] = g
        small = np.minimum(np.linalg.norm(g[:, :dim], axis=1), np.linalg.norm(g[:, dim:], axis=1)) < radius / 100
        todo = todo[small]
    return out


def _check_count(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidParameterError(f"{name} must be a positive integer; received {value!r} ({type(value).__name__})")
    return int(value)


def _check_positive(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidParameterError(f"{name} must be a positive number; received {value!r} ({type(value).__name__})")
    value = float(value)
    if not (math.isfinite(value) and value > 0):
        raise InvalidParameterError(f"{name} must be a positive finite number; received {value!r}")
    return value


def _check_batch(k: int, n: int) -> None:
    """The integrator keeps about 16 arrays of shape (K, 2n) (Runge-Kutta stages, errors, summaries)."""
    need = 16 * 8 * k * 2 * n
    if need > MAX_STORE_BYTES:
        raise InvalidParameterError(
            f"{k} trajectories in dimension {n} need about {need / 2**30:.1f} GiB of working memory "
            f"(limit {MAX_STORE_BYTES / 2**30:g} GiB); integrate fewer at a time"
        )


def _initial_states(analysis, x0, seed, radius) -> NDArray[np.float64]:
    n = analysis.dim
    if isinstance(x0, (int, np.integer)) and not isinstance(x0, bool):
        k = _check_count("x0 (a number of random initial states)", x0)
        _check_batch(k, n)
        return random_states(n, k, seed=seed, radius=radius)
    expected = f"an int K (random states), or an array of shape (K, {2 * n}) or ({2 * n},) ordered phi_1..phi_{n}, "
    expected += f"theta_1..theta_{n}"
    try:
        x = np.array(x0, dtype=np.float64)
    except (TypeError, ValueError):
        raise InvalidParameterError(f"x0 must be {expected}; received {x0!r}") from None
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[1] != 2 * n or x.shape[0] == 0:
        raise InvalidParameterError(f"x0 must be {expected} (dim = {n}); received shape {np.shape(x0)}")
    _check_batch(x.shape[0], n)
    if not np.isfinite(x).all():
        bad = np.flatnonzero(~np.isfinite(x).all(axis=1))
        raise InvalidParameterError(f"x0 must be finite; rows {bad[:10].tolist()} contain NaN or infinity")
    return x


# ----------------------------------------------------------------------------- summaries


class _Recorder:
    """Integrator observer: running summaries of every trajectory (and the states if asked).

    Without states its memory does not depend on the number of steps. Per step it costs a
    few passes over the ``(K, 2n)`` batch: ``|z|`` for the running extremes, the tracked
    pair's angle for the winding, and the EMAs; ``|phi|`` and ``|theta|`` only on the grid.
    """

    def __init__(self, x0: NDArray[np.float64], n: int, n_out: int, every: int, betas: tuple[float, ...]):
        k, d = x0.shape
        self.n, self.every, self.n_out = n, every, n_out
        self.grid = _grid(n_out, every)
        m = self.grid.size
        self.pair = _pair(x0, n)
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


class _Store:
    """Integrator observer that keeps every state; the summaries are computed afterwards, vectorised.

    The states are stored time-major (one contiguous row per output) and exposed as a
    ``(K, time, 2n)`` view.
    """

    _CHUNK = 1024  # output rows processed at once by arrays()

    def __init__(self, x0: NDArray[np.float64], n: int, n_out: int, every: int):
        k, d = x0.shape
        self.n, self.grid, self.pair = n, _grid(n_out, every), _pair(x0, n)
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


def _grid(n_out: int, every: int) -> NDArray[np.intp]:
    """Output indices of the summary grid: every ``every``-th, and the last."""
    return np.unique(np.r_[np.arange(0, n_out, every), n_out - 1])


def _pair(x0: NDArray[np.float64], n: int) -> NDArray[np.intp]:
    """Per trajectory, the index k of the largest pair (phi_k, theta_k) at t = 0."""
    return (x0[:, :n] ** 2 + x0[:, n:] ** 2).argmax(axis=1)


def _frozen(a: NDArray | None) -> NDArray | None:
    if a is not None:
        a.setflags(write=False)
    return a


# ----------------------------------------------------------------------------- the record


@dataclass(frozen=True, eq=False, repr=False)
class Trajectories:
    """The result of :func:`simulate` (all arrays read-only).

    Attributes:
        times: ``(steps,)`` output times ``0, dt, ..., t_end``; one step = one training step.
        states: ``(K, steps, 2n)`` states, NaN after a trajectory's ``stop_time``;
            None when simulated with ``store=False``.
        x0: ``(K, 2n)`` initial states.
        final: ``(K, 2n)`` last valid state of each trajectory (at ``stop_time``).
        status: ``(K,)`` :class:`~stability.numerics.integrate.Status` codes; ``OK`` = reached ``t_end``.
        stop_time: ``(K,)`` time at which each trajectory stopped (``t_end`` if OK).
        summary_times: ``(m,)`` the decimated grid of the summaries (every ``summary_every``
            steps, always including 0 and ``t_end``).
        phi_norm, theta_norm: ``(K, m)`` ``|phi|`` and ``|theta|`` on ``summary_times``.
        winding: ``(K, m)`` unwrapped angle of the pair ``(phi_k, theta_k)``, ``k = pair``,
            accumulated at every step; its slope is the angular frequency.
        pair: ``(K,)`` index k of the tracked pair (the largest at t = 0).
        max_norm, min_norm: ``(K,)`` running max and min of ``|z| = sqrt(|phi|^2 + |theta|^2)``
            over every step (not only the decimated grid).
        dt: the step (output and EMA step).
        analysis: the :class:`~stability.Analysis` simulated.
        note: None, or why the run ended before ``t_end`` (the step budget ran out).
        messages: per trajectory, why it stopped (``Status.message``, or the budget ``note``).

    A trajectory that meets a singularity, overflows or produces NaN is stopped, never
    silently continued: see :attr:`ok`, :meth:`failures` (and the :class:`TrajectoryWarning`
    that :func:`simulate` issues).
    """

    times: NDArray[np.float64]
    states: NDArray[np.float64] | None
    x0: NDArray[np.float64]
    final: NDArray[np.float64]
    status: NDArray[np.int8]
    stop_time: NDArray[np.float64]
    summary_times: NDArray[np.float64]
    phi_norm: NDArray[np.float64]
    theta_norm: NDArray[np.float64]
    winding: NDArray[np.float64]
    pair: NDArray[np.intp]
    max_norm: NDArray[np.float64]
    min_norm: NDArray[np.float64]
    dt: float
    analysis: Any = field(repr=False)
    note: str | None = None
    messages: tuple[str, ...] = ()
    _ema_grid: Mapping[float, NDArray[np.float64]] = field(default_factory=dict, repr=False)
    _ema_final: Mapping[float, NDArray[np.float64]] = field(default_factory=dict, repr=False)

    # -- shapes and views --------------------------------------------------------
    @property
    def dim(self) -> int:
        """n, the dimension of phi and theta."""
        return self.x0.shape[1] // 2

    @property
    def samples(self) -> int:
        """K, the number of trajectories."""
        return self.x0.shape[0]

    @property
    def t_end(self) -> float:
        return float(self.times[-1])

    @property
    def phi(self) -> NDArray[np.float64]:
        """``(K, steps, n)`` view of the discriminator parameters (needs ``store=True``)."""
        return self._stored()[..., : self.dim]

    @property
    def theta(self) -> NDArray[np.float64]:
        """``(K, steps, n)`` view of the generator parameters (needs ``store=True``)."""
        return self._stored()[..., self.dim :]

    @property
    def norm(self) -> NDArray[np.float64]:
        """``(K, m)`` distance ``|z|`` to the equilibrium on ``summary_times``."""
        return np.hypot(self.phi_norm, self.theta_norm)

    def _stored(self) -> NDArray[np.float64]:
        if self.states is None:
            raise InvalidParameterError(
                "states were not stored (simulate(..., store=False)); use the summaries "
                "(phi_norm, theta_norm, winding, ema(...)) or simulate with store=True"
            )
        return self.states

    # -- status ------------------------------------------------------------------
    @property
    def ok(self) -> NDArray[np.bool_]:
        """``(K,)`` True for the trajectories that reached ``t_end``."""
        return self.status == Status.OK

    def failures(self) -> list[dict]:
        """The trajectories that stopped early: ``[{index, status, stop_time, state, message}, ...]``."""
        return [
            {
                "index": int(i),
                "status": Status(int(self.status[i])).name,
                "stop_time": float(self.stop_time[i]),
                "state": self.final[i].tolist(),
                "message": self.messages[i],
            }
            for i in np.flatnonzero(~self.ok)
        ]

    # -- weight EMA --------------------------------------------------------------
    def ema(self, beta: float = 0.999) -> NDArray[np.float64]:
        """Weight EMA of the generator, ``theta_ema <- beta theta_ema + (1 - beta) theta``.

        Updated once per step ``dt`` (one training step), starting from ``theta_ema = theta(0)``.
        It post-processes the trajectory, which it does not change. With stored states it
        returns ``(K, steps, n)`` on :attr:`times`; with ``store=False`` the EMAs computed while
        integrating (the betas passed as ``ema=``) are returned on :attr:`summary_times`,
        ``(K, m, n)``. NaN after a trajectory's ``stop_time``.

        >>> from stability import analyze
        >>> tr = analyze("vanilla_ns").simulate([0.1, 0.2, 0.2, 0.1], 1.0, dt=0.5)
        >>> e = tr.ema(0.5)                 # theta_ema(0) = theta(0); then 0.5 * previous + 0.5 * theta
        >>> e.shape, bool(np.allclose(e[:, 1], 0.5 * tr.theta[:, 0] + 0.5 * tr.theta[:, 1]))
        ((1, 3, 2), True)
        """
        beta = _check_beta(beta)
        if self.states is None:
            if beta not in self._ema_grid:
                raise InvalidParameterError(
                    f"the EMA with beta={beta!r} was not computed; this run (store=False) has "
                    f"{sorted(self._ema_grid) or 'none'}: pass ema=({beta!r},) to simulate"
                )
            return self._ema_grid[beta]
        theta = self.states[..., self.dim :]
        out = np.empty_like(theta)
        out[:, 0] = theta[:, 0]
        acc = np.array(theta[:, 0])
        for i in range(1, theta.shape[1]):
            acc *= beta
            acc += (1.0 - beta) * theta[:, i]
            out[:, i] = acc
        return _frozen(out)

    def ema_final(self, beta: float = 0.999) -> NDArray[np.float64]:
        """``(K, n)`` the EMA of ``theta`` at ``t_end`` (NaN for trajectories stopped earlier)."""
        beta = _check_beta(beta)
        if beta in self._ema_final:
            return self._ema_final[beta]
        return self.ema(beta)[:, -1]

    # -- output ------------------------------------------------------------------
    def __repr__(self) -> str:
        counts = ", ".join(
            f"{int(np.count_nonzero(self.status == s))} {s.name}" for s in Status if np.any(self.status == s)
        )
        mode = "states stored" if self.states is not None else f"summaries only ({self.summary_times.size} points)"
        a = self.analysis
        return (
            f"Trajectories({a.variant.name!r}, dim={self.dim}, K={self.samples}, t in [0, {self.t_end:g}], "
            f"dt={self.dt:g}, {self.times.size} steps, {mode}; status: {counts})"
        )


def _check_beta(beta: Any) -> float:
    if isinstance(beta, bool) or not isinstance(beta, (int, float, np.integer, np.floating)):
        raise InvalidParameterError(f"beta must be a number in [0, 1); received {beta!r} ({type(beta).__name__})")
    beta = float(beta)
    if not 0.0 <= beta < 1.0:
        raise InvalidParameterError(f"beta must be in [0, 1); received {beta!r}")
    return beta


# ----------------------------------------------------------------------------- simulate


class _Stalled(Exception):
    """Raised by the stall guard to end a run whose step size collapsed."""


def _stall_guard(f: Field, rec: _Recorder, limit: int) -> tuple[Field, Callable]:
    """Wrap ``f`` to count evaluations and ``rec`` to stop when one output step needs > ``limit`` solver steps."""
    count = [0, 0]  # evaluations so far, at the last output

    def counted(z):
        count[0] += 1
        return f(z)

    def observer(i, t, x):
        rec(i, t, x)
        if i and count[0] - count[1] > 6 * limit:  # 6 evaluations per step attempt
            raise _Stalled(f"more than {limit} solver steps in one output step")
        count[1] = count[0]

    return counted, observer


def simulate(
    analysis,
    x0: ArrayLike | int,
    t_end: float,
    *,
    dt: float = 0.01,
    seed: int | None = None,
    radius: float = 0.5,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    store: bool = True,
    summary_every: int | None = None,
    ema: tuple[float, ...] = (0.999,),
    blowup: float = 1e8,
    progress: Callable[[float], Any] | None = None,
    warn: bool = True,
    max_steps: int = 10_000_000,
    max_steps_per_output: int | None = None,
) -> Trajectories:
    """Integrate the training ODE of ``analysis`` from ``x0`` up to ``t_end``.

    Args:
        analysis: an :class:`~stability.Analysis` with numeric parameters.
        x0: ``(K, 2n)`` or ``(2n,)`` initial states ordered ``phi_1..phi_n, theta_1..theta_n``,
            or an int ``K`` for ``K`` random states drawn by :func:`random_states` (uniform in
            the ball of ``radius`` about the equilibrium, away from ``phi = 0`` and ``theta = 0``).
        t_end: final time; must be a whole number of steps ``dt``.
        dt: the output step, which is also the training step of the EMA (default 0.01). The
            solver's own steps are adaptive and independent of it.
        seed: seed of the random initial states (``None``: fresh entropy).
        rtol, atol: solver tolerances (batch-wide error control, see ``stability.numerics.integrate``).
        store: keep every state, ``(K, steps, 2n)``. With ``False`` only the summaries are
            kept: memory ``O(K * (summary points + n))`` whatever the number of steps.
        summary_every: decimation of the summaries, in steps (default: about
            ``SUMMARY_POINTS`` = 1000 points over the run).
        ema: the betas whose generator EMA is accumulated while integrating (needed for
            :meth:`Trajectories.ema` when ``store=False``).
        blowup: a trajectory with a component beyond this is stopped as ``OVERFLOW``.
        progress: called with the fraction done (0..1), at most 100 times.
        warn: issue a :class:`TrajectoryWarning` if some trajectories stopped early.
        max_steps: budget of solver step attempts (shared by the batch). When it runs out the
            run ends there: what was computed is kept, the trajectories still running are
            stopped with ``STEP_UNDERFLOW`` and :attr:`Trajectories.note` says why.
        max_steps_per_output: the same, when a single step ``dt`` needs more solver steps than
            this (the step size has collapsed); None: no such limit.

    Returns:
        A :class:`Trajectories` record.

    >>> from stability import analyze
    >>> tr = analyze("vanilla_sat").simulate(8, 20.0, seed=0, store=False)
    >>> tr.states is None, tr.norm.shape, tr.status.tolist() == [0] * 8
    (True, (8, 1001), True)
    >>> bool(np.allclose(tr.norm[:, -1], tr.norm[:, 0], rtol=1e-6))   # |phi|^2 + |theta|^2 is conserved
    True
    """
    f = numeric_field(analysis)
    dt = _check_positive("dt", dt)
    t_end = _check_positive("t_end", t_end)
    steps = round(t_end / dt)
    if steps < 1 or abs(t_end / dt - steps) > 1e-9 * max(steps, 1):
        raise InvalidParameterError(
            f"t_end must be a whole number of steps dt; received t_end={t_end!r}, dt={dt!r} "
            f"(ratio {t_end / dt!r}); e.g. t_end={max(steps, 1) * dt!r}"
        )
    if (steps + 1) * 8 > MAX_STORE_BYTES:  # the output time grid alone, even with store=False
        raise InvalidParameterError(
            f"t_end / dt = {steps} training steps is too many (limit {MAX_STORE_BYTES // 8 - 1}); "
            "use a larger dt or a shorter t_end"
        )
    if not isinstance(store, bool):
        raise InvalidParameterError(f"store must be True or False; received {store!r}")
    betas = tuple(_check_beta(b) for b in (ema if isinstance(ema, (tuple, list)) else (ema,)))
    if summary_every is None:
        summary_every = max(1, math.ceil(steps / SUMMARY_POINTS))
    summary_every = _check_count("summary_every", summary_every)
    max_steps = _check_count("max_steps", max_steps)
    x = _initial_states(analysis, x0, seed, radius)
    if store and x.size * (steps + 1) * 8 > MAX_STORE_BYTES:
        raise InvalidParameterError(
            f"storing {x.shape[0]} x {steps + 1} x {x.shape[1]} states needs "
            f"{x.size * (steps + 1) * 8 / 2**30:.1f} GiB (limit {MAX_STORE_BYTES / 2**30:g} GiB); "
            "pass store=False (summaries and EMAs are still computed) or a larger dt"
        )

    if store:
        rec = _Store(x, analysis.dim, steps + 1, summary_every)
    else:
        rec = _Recorder(x, analysis.dim, steps + 1, summary_every, betas)
    observer: Callable = rec
    if max_steps_per_output is not None:
        f, observer = _stall_guard(f, rec, _check_count("max_steps_per_output", max_steps_per_output))
    times = dt * np.arange(steps + 1, dtype=np.float64)
    times[-1] = t_end
    note = None
    try:
        res = integrate(
            f,
            x,
            t_end,
            dt_out=dt,
            rtol=rtol,
            atol=atol,
            store=False,
            observer=observer,
            max_steps=max_steps,
            blowup=blowup,
            progress=progress,
        )
        final, status, stop_time = res.final, res.status, res.stop_time
        messages = tuple(Status(int(c)).message for c in status)
    except (RuntimeError, _Stalled) as exc:  # the step budget ran out: keep what was computed, stop the rest
        if not isinstance(exc, _Stalled) and "max_steps" not in str(exc):
            raise
        reached = float(times[rec.calls - 1])
        budget = f"max_steps={max_steps}" if not isinstance(exc, _Stalled) else str(exc)
        note = (
            f"the step budget ({budget}) ran out at t = {reached:.6g}: the shared step size collapsed, "
            "typically because a trajectory approaches a singularity of the field"
            + (f". Integrator: {exc}" if not isinstance(exc, _Stalled) else "")
        )
        times = times[: rec.calls]
        rec.finish()
        alive = rec.last_index == rec.calls - 1
        final = rec.last
        status = np.where(alive, Status.STEP_UNDERFLOW, Status.NONFINITE).astype(np.int8)
        stop_time = times[rec.last_index]
        earlier = "stopped before the run was cut short (its exact status was lost with it)"
        messages = tuple(f"stopped when {note}" if a else earlier for a in alive)

    arr = rec.arrays()
    out = Trajectories(
        times=_frozen(times),
        states=_frozen(arr["states"]),
        x0=_frozen(x),
        final=_frozen(np.array(final)),
        status=_frozen(np.array(status)),
        stop_time=_frozen(np.array(stop_time)),
        summary_times=_frozen(times[arr["grid"]]),
        phi_norm=_frozen(arr["phi_norm"]),
        theta_norm=_frozen(arr["theta_norm"]),
        winding=_frozen(arr["winding"]),
        pair=_frozen(arr["pair"]),
        max_norm=_frozen(arr["max_norm"]),
        min_norm=_frozen(arr["min_norm"]),
        dt=dt,
        analysis=analysis,
        note=note,
        messages=messages,
        _ema_grid=MappingProxyType({b: _frozen(v) for b, v in arr["ema_grid"].items()}),
        _ema_final=MappingProxyType({b: _frozen(v) for b, v in arr["ema_final"].items()}),
    )
    if warn and not out.ok.all():
        fails = out.failures()
        first = fails[0]
        warnings.warn(
            f"{len(fails)} of {out.samples} trajectories stopped before t_end={t_end:g}; first: trajectory "
            f"{first['index']} at t={first['stop_time']:.6g}: {first['status']} ({first['message']}). "
            "See Trajectories.failures().",
            TrajectoryWarning,
            stacklevel=3,
        )
    return out
