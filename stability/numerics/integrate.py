"""Batched integration of autonomous ODEs ``z' = f(z)`` for many initial conditions at once.

:func:`integrate` advances ``K`` trajectories together with the Dormand-Prince 5(4) pair
(the tableau of SciPy's ``RK45``), one shared adaptive step for the whole batch, and no
Python loop over trajectories: ``f`` is called on a ``(K, d)`` array. Values on the
regular output grid come from the method's 4th-order dense output, so steps are never
shortened to hit output times.

A trajectory that meets a singularity (non-finite field), grows past ``blowup`` or needs
a step too small to be represented is *stopped* individually and reported in
:attr:`IntegrationResult.status`; the others carry on. Nothing fails silently.

>>> import numpy as np
>>> rotation = lambda z: np.stack([-z[:, 1], z[:, 0]], axis=1)   # z' = [[0, -1], [1, 0]] z
>>> res = integrate(rotation, [[1.0, 0.0], [0.0, 2.0]], np.pi, dt_out=np.pi / 4)
>>> res.states.shape
(2, 5, 2)
>>> np.allclose(res.final, [[-1.0, 0.0], [0.0, -2.0]], atol=1e-7)
True
>>> bool(res.ok.all())
True
"""

from __future__ import annotations

import enum
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidParameterError

__all__ = ["IntegrationResult", "Status", "StepBudgetExceeded", "integrate"]

# --- Dormand-Prince 5(4) tableau (as in scipy.integrate.RK45) -----------------------------
_C = np.array([0.0, 1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0])
_A = np.array(
    [
        [0.0, 0.0, 0.0, 0.0, 0.0],
        [1 / 5, 0.0, 0.0, 0.0, 0.0],
        [3 / 40, 9 / 40, 0.0, 0.0, 0.0],
        [44 / 45, -56 / 15, 32 / 9, 0.0, 0.0],
        [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0.0],
        [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
    ]
)
_B = np.array([35 / 384, 0.0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84])
# Difference between the 5th- and 4th-order solutions, over the 7 stages (FSAL included).
_E = np.array([-71 / 57600, 0.0, 71 / 16695, -71 / 1920, 17253 / 339200, -22 / 525, 1 / 40])
# Dense output: y(t + x h) = y + h * sum_j (K^T P)[:, j] x^(j+1)  (Shampine 1986, 4th order).
_P = np.array(
    [
        [
            1.0,
            -8048581381 / 2820520608,
            8663915743 / 2820520608,
            -12715105075 / 11282082432,
        ],
        [0.0, 0.0, 0.0, 0.0],
        [
            0.0,
            131558114200 / 32700410799,
            -68118460800 / 10900136933,
            87487479700 / 32700410799,
        ],
        [
            0.0,
            -1754552775 / 470086768,
            14199869525 / 1410260304,
            -10690763975 / 1880347072,
        ],
        [
            0.0,
            127303824393 / 49829197408,
            -318862633887 / 49829197408,
            701980252875 / 199316789632,
        ],
        [0.0, -282668133 / 205662961, 2019193451 / 616988883, -1453857185 / 822651844],
        [0.0, 40617522 / 29380423, -110615467 / 29380423, 69997945 / 29380423],
    ]
)
_PT = np.ascontiguousarray(_P.T)  # (4, 7)

_SAFETY = 0.9
_MIN_FACTOR = 0.2
_MAX_FACTOR = 10.0
_EXPONENT = -1.0 / 5.0  # error estimator of order 4
_MIN_STEP_REL = 1e-12
_MAX_STORE_BYTES = 2 * 1024**3
_GRID_RTOL = 1e-9
_CHUNK_ELEMENTS = 1 << 20  # dense-output block size (floats), bounds memory


class Status(enum.IntEnum):
    """Why a trajectory stopped; ``OK`` means it reached ``t_end``.

    >>> Status.OVERFLOW.message
    'the state grew beyond the blow-up threshold (escape to infinity or a finite-time blow-up)'
    >>> int(Status.OK)
    0
    """

    OK = 0
    NONFINITE = 1
    OVERFLOW = 2
    STEP_UNDERFLOW = 3

    @property
    def message(self) -> str:
        """A human-readable sentence describing this status."""
        return _MESSAGES[self]


_MESSAGES = {
    Status.OK: "the trajectory reached t_end",
    Status.NONFINITE: (
        "the vector field produced NaN or infinity even with the smallest step "
        "(a singularity of the field, or a point outside its domain)"
    ),
    Status.OVERFLOW: ("the state grew beyond the blow-up threshold (escape to infinity or a finite-time blow-up)"),
    Status.STEP_UNDERFLOW: (
        "the error could not be controlled even with the smallest representable step "
        "(typically a discontinuity of the field)"
    ),
}


@dataclass(frozen=True, eq=False, repr=False)
class IntegrationResult:
    """Result of :func:`integrate` (arrays are read-only).

    Attributes:
        times: ``(N + 1,)`` output times ``t0 + dt_out * i``; the last one is ``t_end``.
        states: ``(K, N + 1, d)`` states on the output grid, NaN after a trajectory's
            ``stop_time``; ``None`` when called with ``store=False``.
        final: ``(K, d)`` state of each trajectory at its ``stop_time`` (its last valid
            state; for ``OVERFLOW`` the first state beyond ``blowup``). Never NaN.
        status: ``(K,)`` integer array of :class:`Status` values.
        stop_time: ``(K,)`` time of ``final`` (``t_end`` for ``OK`` trajectories).
        n_steps: accepted steps (shared by the whole batch).
        n_rejected: rejected steps.
        n_evaluations: calls of ``f`` (each on a whole batch).

    >>> import numpy as np
    >>> res = integrate(lambda z: -z, np.ones((3, 1)), 1.0, dt_out=0.5)
    >>> res  # doctest: +ELLIPSIS
    IntegrationResult(K=3, d=1, N+1=3 output times in [0, 1], states stored; status: 3 OK; steps=...)
    >>> res.ok
    array([ True,  True,  True])
    """

    times: NDArray[np.float64]
    states: NDArray[np.float64] | None
    final: NDArray[np.float64]
    status: NDArray[np.int8]
    stop_time: NDArray[np.float64]
    n_steps: int
    n_rejected: int
    n_evaluations: int

    @property
    def ok(self) -> NDArray[np.bool_]:
        """Boolean mask of the trajectories that reached ``t_end``."""
        return self.status == Status.OK

    def __repr__(self) -> str:
        k, d = self.final.shape
        counts = ", ".join(
            f"{int(np.count_nonzero(self.status == s))} {s.name}" for s in Status if np.any(self.status == s)
        )
        return (
            f"IntegrationResult(K={k}, d={d}, N+1={self.times.size} output times in "
            f"[{self.times[0]:g}, {self.times[-1]:g}], "
            f"{'states stored' if self.states is not None else 'states not stored'}; "
            f"status: {counts or 'empty'}; steps={self.n_steps} "
            f"(rejected {self.n_rejected}), f evaluations={self.n_evaluations})"
        )


class StepBudgetExceeded(RuntimeError):
    """Raised by :func:`integrate` when ``max_steps`` step attempts did not reach ``t_end``.

    Its attributes say where the run was: ``max_steps``, ``t`` (the time reached), ``t_end``,
    ``step`` (the current step size), ``active`` and ``total`` (trajectories still running and
    in the batch) and ``limiting`` (the trajectory whose error limited the step).
    """

    def __init__(self, max_steps: int, t: float, t_end: float, step: float, active: int, total: int, limiting: int):
        self.max_steps, self.t, self.t_end, self.step = max_steps, t, t_end, step
        self.active, self.total, self.limiting = active, total, limiting
        super().__init__(
            f"integrate: max_steps={max_steps} step attempts reached at t={t!r} (target t_end={t_end!r}, "
            f"current step {step:.3g}, {active} of {total} trajectories active, trajectory {limiting} limiting "
            "the step); increase max_steps or loosen rtol/atol, or check the field for a discontinuity along "
            "which that trajectory slides"
        )

    def __reduce__(self):
        return type(self), (self.max_steps, self.t, self.t_end, self.step, self.active, self.total, self.limiting)


# ----------------------------------------------------------------------------- validation


def _check_real(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise InvalidParameterError(f"{name} must be a real number; received {value!r} of type {type(value).__name__}")
    value = float(value)
    if not math.isfinite(value):
        raise InvalidParameterError(f"{name} must be finite; received {value!r}")
    return value


def _check_options(rtol, atol, blowup, max_steps, f, observer, progress) -> tuple[float, float, float, int]:
    rtol, atol, blowup = _check_real("rtol", rtol), _check_real("atol", atol), _check_real("blowup", blowup)
    if rtol < 0 or atol <= 0:
        raise InvalidParameterError(f"need rtol >= 0 and atol > 0; received rtol={rtol!r}, atol={atol!r}")
    if blowup <= 0:
        raise InvalidParameterError(f"blowup must be positive; received {blowup!r}")
    if isinstance(max_steps, bool) or not isinstance(max_steps, (int, np.integer)) or max_steps < 1:
        raise InvalidParameterError(f"max_steps must be a positive integer; received {max_steps!r}")
    if not callable(f):
        raise InvalidParameterError(f"f must be callable; received {type(f).__name__}")
    for name, fn in (("observer", observer), ("progress", progress)):
        if fn is not None and not callable(fn):
            raise InvalidParameterError(f"{name} must be callable or None; received {type(fn).__name__}")
    return rtol, atol, blowup, int(max_steps)


def _initial_array(x0: ArrayLike) -> NDArray[np.float64]:
    try:
        x = np.array(x0, dtype=np.float64)  # a copy: x0 itself is never modified
    except (TypeError, ValueError) as exc:
        raise InvalidParameterError(f"x0 must be a real array of shape (K, d) or (d,); received {x0!r}") from exc
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[0] == 0 or x.shape[1] == 0:
        raise InvalidParameterError(f"x0 must have shape (K, d) or (d,) with K, d >= 1; received shape {np.shape(x0)}")
    if not np.isfinite(x).all():
        bad = np.flatnonzero(~np.isfinite(x).all(axis=1))
        raise InvalidParameterError(f"x0 must be finite; rows {bad[:10].tolist()} contain NaN or infinity")
    return x


def _output_grid(t0: float, t_end: float, dt_out: float) -> NDArray[np.float64]:
    if not t_end > t0:
        raise InvalidParameterError(f"t_end must be greater than t0; received t0={t0!r}, t_end={t_end!r}")
    if not dt_out > 0:
        raise InvalidParameterError(f"dt_out must be positive; received dt_out={dt_out!r}")
    ratio = (t_end - t0) / dt_out
    n = round(ratio)
    if n < 1 or abs(ratio - n) > _GRID_RTOL * max(ratio, 1.0):
        raise InvalidParameterError(
            f"(t_end - t0) / dt_out must be a positive integer (within {_GRID_RTOL:g} relative); "
            f"received t0={t0!r}, t_end={t_end!r}, dt_out={dt_out!r}, ratio {ratio!r}. "
            f"Expected e.g. t_end={t0 + max(n, 1) * dt_out!r} or dt_out={(t_end - t0) / max(n, 1)!r}"
        )
    if (n + 1) * 8 > _MAX_STORE_BYTES:
        raise InvalidParameterError(
            f"{n + 1} output times are too many (the time grid alone needs more than 2 GiB); "
            f"received t0={t0!r}, t_end={t_end!r}, dt_out={dt_out!r}: use a larger dt_out"
        )
    times = t0 + dt_out * np.arange(n + 1, dtype=np.float64)
    times[-1] = t_end
    return times


def _check_storage(store: bool, k: int, n_out: int, d: int) -> None:
    if store and k * n_out * d * 8 > _MAX_STORE_BYTES:
        raise InvalidParameterError(
            f"storing {k} x {n_out} x {d} states needs {k * n_out * d * 8 / 2**30:.1f} GiB "
            f"(limit 2 GiB); pass store=False with an observer that accumulates what you need"
        )


# ----------------------------------------------------------------------------- numerical steps


def _call_f(f: Callable[[NDArray[np.float64]], ArrayLike], y: NDArray[np.float64]) -> NDArray[np.float64]:
    # Floating-point warnings are expected near singularities; they are reported per trajectory.
    with np.errstate(all="ignore"):
        out = np.asarray(f(y), dtype=np.float64)
    if out.shape != y.shape:
        raise InvalidParameterError(
            f"f must map an array of shape (K, d) to one of the same shape; "
            f"it received shape {y.shape} and returned shape {out.shape}"
        )
    return out


def _rms(a: NDArray[np.float64]) -> NDArray[np.float64]:
    return np.sqrt(np.einsum("kd,kd->k", a, a) / a.shape[1])


def _initial_step(f, y, fy, rtol: float, atol: float, span: float) -> float:
    """Hairer, Norsett & Wanner (II.4), the most cautious over the batch (one evaluation of ``f``)."""
    scale = atol + rtol * np.abs(y)
    d0, d1 = _rms(y / scale), _rms(fy / scale)
    small = (d0 < 1e-5) | (d1 < 1e-5)
    with np.errstate(divide="ignore", invalid="ignore"):
        h0 = float(np.min(np.where(small, 1e-6, 0.01 * d0 / d1)))
    h0 = min(h0, span)
    f1 = _call_f(f, y + h0 * fy)
    with np.errstate(all="ignore"):  # a non-finite trial is handled by the steps
        d2 = _rms((f1 - fy) / scale) / h0
    dmax = np.maximum(d1, d2)
    with np.errstate(divide="ignore"):
        h1 = np.where(dmax <= 1e-15, max(1e-6, h0 * 1e-3), (0.01 / dmax) ** 0.2)
    h1 = h1[np.isfinite(h1)]  # rows whose trial failed are left to the steps
    return min(100 * h0, float(h1.min()) if h1.size else h0, span)


def _stages(f, y, fy, h: float, ks3: NDArray[np.float64]) -> tuple[NDArray, NDArray, NDArray]:
    """The seven Dormand-Prince stages into ``ks3`` (7, M, d); returns (flat stages, y_new, f(y_new))."""
    m, d = y.shape
    ks = ks3.reshape(7, m * d)  # flat views: each Runge-Kutta combination is one matmul
    ha = h * _A
    ks3[0] = fy
    yflat = y.reshape(-1)
    with np.errstate(all="ignore"):  # NaN/inf stages are caught per trajectory by the error check
        for s in range(1, 6):
            ks3[s] = _call_f(f, (yflat + ha[s, :s] @ ks[:s]).reshape(m, d))
        y_new = (yflat + (h * _B) @ ks[:6]).reshape(m, d)
    f_new = _call_f(f, y_new)
    ks3[6] = f_new
    return ks, y_new, f_new


def _row_errors(y, y_new, ks, h: float, rtol: float, atol: float, mean_d) -> NDArray[np.float64]:
    """Per trajectory, the RMS over components of ``err / (atol + rtol * max(|y|, |y_new|))``."""
    m, d = y.shape
    with np.errstate(all="ignore"):
        scale = np.maximum(np.abs(y), np.abs(y_new))
        scale *= rtol
        scale += atol
        ratio = ((h * _E) @ ks).reshape(m, d) / scale
        ratio *= ratio
        return np.sqrt(ratio @ mean_d)


def _error_norm(row_err, y_new) -> tuple[float, NDArray[np.bool_] | None, int]:
    """(largest finite error, mask of non-finite rows or None, index of the worst finite row)."""
    worst = int(row_err.argmax())  # NaN rows win argmax
    err_norm = float(row_err[worst])
    if math.isfinite(err_norm) and np.isfinite(y_new).all():
        return err_norm, None, worst
    bad = ~(np.isfinite(row_err) & np.isfinite(y_new).all(axis=1))  # slow path: some rows produced NaN/inf
    good_err = np.where(bad, -1.0, row_err)
    worst = int(good_err.argmax())
    return max(float(good_err[worst]), 0.0), bad, worst


def _dense(times, lo: int, hi: int, t: float, h: float, yflat, ks) -> NDArray[np.float64]:
    """Dense output ``y(t + x h) = y + h sum_s K_s sum_j P[s, j] x^(j+1)`` (4th order) at ``times[lo:hi]``.

    Only vector-matrix products: small matrix-matrix products go through multi-threaded BLAS,
    which is very slow on a loaded machine.
    """
    xq = (times[lo:hi] - t) / h
    powers = np.empty((hi - lo, 4))
    powers[:, 0] = h * xq
    for j in range(1, 4):
        powers[:, j] = powers[:, j - 1] * xq
    coef = powers @ _PT  # (hi - lo, 7), tiny
    out = np.empty((hi - lo, yflat.size))
    for j in range(hi - lo):
        np.add(yflat, coef[j] @ ks, out=out[j])
    return out


# ----------------------------------------------------------------------------- the batch


class _Batch:
    """The trajectories of one :func:`integrate` call: the active rows, their outcome, the outputs."""

    def __init__(self, x, times, store: bool, observer, progress, blowup: float):
        k, d = x.shape
        self.times, self.observer, self.progress, self.blowup = times, observer, progress, blowup
        self.states = np.full((k, times.size, d), np.nan) if store else None
        self.status = np.zeros(k, dtype=np.int8)
        self.stop_time = np.full(k, times[-1])
        self.final = x.copy()
        self.y, self.rows, self.fy = x, np.arange(k), None
        self.i_next = 1  # next output index to produce
        self._next_progress = 1
        self.emit(0, x[None].copy(), True)

    @property
    def wants_outputs(self) -> bool:
        return self.states is not None or self.observer is not None

    def emit(self, i_lo: int, values: NDArray[np.float64], all_rows: bool) -> None:
        """Hand the states ``values`` (m, M, d) at output indices i_lo.. to storage and the observer."""
        m = values.shape[0]
        if self.states is not None:
            target = slice(None) if all_rows else self.rows
            self.states[target, i_lo : i_lo + m, :] = values.transpose(1, 0, 2)
        if self.observer is not None:
            if all_rows:
                block = values
            else:
                block = np.full((m, self.final.shape[0], values.shape[2]), np.nan)
                block[:, self.rows, :] = values
            for j in range(m):
                self.observer(i_lo + j, float(self.times[i_lo + j]), block[j])

    def stop(self, codes: NDArray[np.int8], when: float, last: NDArray[np.float64]) -> NDArray[np.bool_]:
        """Stop the active rows with a non-zero code at time ``when``; return the mask of rows kept."""
        hit = codes != 0
        sel = self.rows[hit]
        self.status[sel] = codes[hit]
        self.stop_time[sel] = when
        self.final[sel] = last[hit]
        keep = ~hit
        self.y, self.fy, self.rows = self.y[keep], self.fy[keep], self.rows[keep]
        return keep

    def stop_unstartable(self, t0: float) -> None:
        """Trajectories that cannot even start: beyond ``blowup``, or a non-finite field."""
        codes = np.where(np.abs(self.y).max(axis=1) > self.blowup, Status.OVERFLOW, Status.OK)
        codes[~np.isfinite(self.fy).all(axis=1)] = Status.NONFINITE
        if codes.any():
            self.stop(codes.astype(np.int8), t0, self.y)

    def stop_overflow(self, t: float) -> None:
        if np.abs(self.y).max() > self.blowup:
            big = np.abs(self.y).max(axis=1) > self.blowup
            self.stop(np.where(big, Status.OVERFLOW, Status.OK).astype(np.int8), t, self.y)

    def output_step(self, t: float, t_new: float, h: float, ks, y_new) -> None:
        """Emit the output times in ``(t, t_new]`` by dense output, in blocks of bounded size."""
        times = self.times
        i_end = int(np.searchsorted(times, t_new, side="right"))
        if i_end <= self.i_next or not self.wants_outputs:
            return
        m, d = y_new.shape
        yflat = self.y.reshape(-1)
        chunk = max(1, _CHUNK_ELEMENTS // (self.final.shape[0] * d))
        for lo in range(self.i_next, i_end, chunk):
            hi = min(lo + chunk, i_end)
            out = _dense(times, lo, hi, t, h, yflat, ks).reshape(-1, m, d)
            if hi == i_end and times[hi - 1] == t_new:
                out[-1] = y_new  # exact end-of-step value, not the interpolant
            self.emit(lo, out, m == self.final.shape[0])
        self.i_next = i_end

    def report_progress(self, t: float) -> None:
        if self.progress is None:
            return
        t0, t_end = self.times[0], self.times[-1]
        pct = 100 if t >= t_end else int(100 * (t - t0) / (t_end - t0))
        if pct >= self._next_progress:
            self._next_progress = pct + 1
            self.progress(pct / 100)

    def finish(self) -> None:
        """Record the final states of the rows that reached ``t_end``; NaN outputs for a batch that all stopped."""
        if self.rows.size:
            self.final[self.rows] = self.y
        elif self.i_next < self.times.size and self.observer is not None:
            nan = np.full(self.final.shape, np.nan)
            for i in range(self.i_next, self.times.size):
                self.observer(i, float(self.times[i]), nan.copy())
        self.report_progress(float(self.times[-1]))


# ----------------------------------------------------------------------------- the solver


def _advance(f, batch: _Batch, h: float, rtol: float, atol: float, max_steps: int) -> tuple[int, int, int]:
    """The adaptive main loop, from ``times[0]`` to ``times[-1]``; returns (steps, rejected, evaluations)."""
    times = batch.times
    t, t_stop = float(times[0]), float(times[-1])
    d = batch.y.shape[1]
    n_steps = n_rejected = n_evals = 0
    rejected_last = False
    limiting = -1  # the trajectory with the largest error at the last attempt
    mean_d = np.full(d, 1.0 / d)
    ks3 = np.empty((7, batch.rows.size, d))
    while batch.rows.size and t < t_stop:
        if n_steps + n_rejected >= max_steps:
            raise StepBudgetExceeded(max_steps, t, t_stop, h, batch.rows.size, batch.final.shape[0], limiting)
        h_min = _MIN_STEP_REL * max(1.0, abs(t))
        at_min = h <= h_min
        if at_min:
            h = h_min
        h_try, t_new = (h, t + h) if h < t_stop - t else (t_stop - t, t_stop)

        y, m = batch.y, batch.rows.size
        if ks3.shape[1] != m:
            ks3 = np.empty((7, m, d))
        ks, y_new, f_new = _stages(f, y, batch.fy, h_try, ks3)
        n_evals += 6
        row_err = _row_errors(y, y_new, ks, h_try, rtol, atol, mean_d)
        err_norm, bad, worst = _error_norm(row_err, y_new)
        if bad is None or not bad[worst]:
            limiting = int(batch.rows[worst])

        if err_norm > 1.0 or bad is not None:
            if not at_min:  # reject and retry with a smaller step
                n_rejected += 1
                factor = _MIN_FACTOR if bad is not None else max(_MIN_FACTOR, _SAFETY * err_norm**_EXPONENT)
                h = h_try * factor
                rejected_last = True
                continue
            # Smallest step and still failing: stop the culprits, accept the step for the rest.
            codes = np.where(row_err > 1.0, Status.STEP_UNDERFLOW, Status.OK)
            if bad is not None:
                codes[bad] = Status.NONFINITE
            keep = batch.stop(codes.astype(np.int8), t, y)  # last valid state: the one at t
            if not batch.rows.size:
                break
            y_new, f_new = y_new[keep], f_new[keep]
            ks = ks3[:, keep].reshape(7, batch.rows.size * d)
            err_norm = float(row_err[keep].max())
            rejected_last = False  # the culprits are gone: let the step grow again

        n_steps += 1
        batch.output_step(t, t_new, h_try, ks, y_new)
        batch.y, batch.fy, t = y_new, f_new, t_new
        batch.stop_overflow(t)
        batch.report_progress(t)
        factor = _MAX_FACTOR if err_norm == 0.0 else min(_MAX_FACTOR, _SAFETY * err_norm**_EXPONENT)
        if rejected_last:
            factor = min(1.0, factor)
        rejected_last = False
        h = h_try * factor
    return n_steps, n_rejected, n_evals


def integrate(
    f: Callable[[NDArray[np.float64]], ArrayLike],
    x0: ArrayLike,
    t_end: float,
    *,
    dt_out: float = 0.1,
    t0: float = 0.0,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    store: bool = True,
    observer: Callable[[int, float, NDArray[np.float64]], Any] | None = None,
    max_steps: int = 10_000_000,
    blowup: float = 1e8,
    progress: Callable[[float], Any] | None = None,
) -> IntegrationResult:
    """Integrate ``z' = f(z)`` from ``K`` initial conditions on the grid ``t0, t0 + dt_out, ..., t_end``.

    Args:
        f: the vector field, called on a ``(M, d)`` array of states (``M <= K``: stopped
            trajectories are left out) and returning ``(M, d)``. It must treat rows
            independently. NumPy floating-point warnings inside ``f`` are silenced; NaN or
            infinity in its output is handled per trajectory (see ``Status``).
        x0: ``(K, d)`` initial states, or ``(d,)`` for one trajectory (``K = 1``).
        t_end: final time; ``(t_end - t0) / dt_out`` must be an integer ``N >= 1``.
        dt_out: spacing of the output grid (the solver's steps are independent of it).
        t0: initial time.
        rtol, atol: tolerances. Error control is batch-wide: a step is accepted when, for
            every active trajectory, the RMS over components of
            ``err / (atol + rtol * max(|y|, |y_new|))`` is at most 1.
        store: keep all states, ``(K, N + 1, d)``. Refused above 2 GiB; with ``False``,
            memory is ``O(K * d)`` whatever ``N`` is.
        observer: called as ``observer(i, t, X)`` once per output index ``i = 0..N`` in
            increasing order, with ``t = times[i]`` and ``X`` a fresh ``(K, d)`` array of the
            states at ``t``, NaN rows for trajectories stopped before ``t``. Use it to
            accumulate summaries (running mean, EMA, max norm) without storing states.
        max_steps: maximum number of step attempts (accepted plus rejected); exceeding
            it raises :class:`StepBudgetExceeded` (a ``RuntimeError``).
        blowup: a trajectory whose largest absolute component exceeds this is stopped
            with ``Status.OVERFLOW``.
        progress: called as ``progress(fraction_done)`` at most 100 times, ending with 1.0.

    Returns:
        An :class:`IntegrationResult`.

    Raises:
        ValueError: (as ``InvalidParameterError``) for bad shapes, times or options.
        StepBudgetExceeded: when ``max_steps`` is reached.

    >>> import numpy as np
    >>> res = integrate(lambda y: y**2, [[1.0], [-1.0]], 2.0, dt_out=0.5)  # y(t) = y0/(1 - y0 t)
    >>> [Status(s).name for s in res.status]
    ['OVERFLOW', 'OK']
    >>> bool(abs(res.stop_time[0] - 1.0) < 1e-6), bool(abs(res.final[1, 0] + 1 / 3) < 1e-8)
    (True, True)
    >>> bool(np.isnan(res.states[0, 2:]).all())   # t = 1.0, 1.5, 2.0 come after the stop
    True
    """
    t0, t_end, dt_out = _check_real("t0", t0), _check_real("t_end", t_end), _check_real("dt_out", dt_out)
    rtol, atol, blowup, max_steps = _check_options(rtol, atol, blowup, max_steps, f, observer, progress)
    x = _initial_array(x0)
    times = _output_grid(t0, t_end, dt_out)
    _check_storage(store, x.shape[0], times.size, x.shape[1])

    batch = _Batch(x, times, store, observer, progress, blowup)
    batch.fy = _call_f(f, x)
    batch.stop_unstartable(t0)
    h, n_evals = t_end - t0, 1
    if batch.rows.size:
        h = _initial_step(f, batch.y, batch.fy, rtol, atol, t_end - t0)
        n_evals += 1
    n_steps, n_rejected, evals = _advance(f, batch, h, rtol, atol, max_steps)
    batch.finish()
    return _result(batch, n_steps, n_rejected, n_evals + evals)


def _result(batch: _Batch, n_steps: int, n_rejected: int, n_evals: int) -> IntegrationResult:
    for arr in (batch.times, batch.final, batch.status, batch.stop_time, batch.states):
        if arr is not None:
            arr.setflags(write=False)
    return IntegrationResult(
        times=batch.times,
        states=batch.states,
        final=batch.final,
        status=batch.status,
        stop_time=batch.stop_time,
        n_steps=n_steps,
        n_rejected=n_rejected,
        n_evaluations=n_evals,
    )
