"""Attractor sizes along one parameter, measured by batched simulation (the bifurcation diagram's data).

:func:`measure_flow` integrates gradient flow at every parameter value in one batch (the value
rides along as an extra state column whose derivative is 0); :func:`measure_map` iterates the
real update. Both report, per value, the largest ``|theta|`` over the final window
(:class:`Measured`): about 0 at the equilibrium, a limit cycle's radius, ``inf`` for divergence.

>>> import numpy as np, sympy as sp
>>> from stability import analyze
>>> c = sp.Symbol("c", real=True)
>>> a = analyze("wgan_gp", dim=2, params={"c": c})
>>> x0 = np.array([[0.3, 0.1, 0.2, -0.1], [-0.1, 0.2, 0.25, 0.05]])
>>> m = measure_flow(a, c, np.array([0.5, 1.0]), x0, t_end=200.0)
>>> m.size.round(3).tolist(), [str(b) for b in m.behaviour]   # the rotation |phi| = |theta| = c
([0.5, 1.0], ['limit-cycle', 'limit-cycle'])
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from ..model.functions import NUMPY_FUNCTIONS
from ..model.space import DOT, NORM_PHI, NORM_THETA
from ..verdicts import Behaviour
from .field import invariants
from .integrate import Status, StepBudgetExceeded, integrate
from .iterate import iterate
from .records import Record, frozen

__all__ = ["Measured", "measure_flow", "measure_map", "parametrised_field", "CONVERGED", "STATIONARY"]

_MODULES = [NUMPY_FUNCTIONS, "numpy"]


@dataclass(frozen=True, eq=False, slots=True)
class Measured(Record):
    """The attractor measured by simulation at each parameter value (arrays read-only).

    Attributes:
        values: the parameter values simulated.
        size: the largest ``|theta|`` over the final window and over the starts: about 0 when the
            runs converge to the equilibrium, the radius of a limit cycle, ``inf`` when a run
            diverged, NaN when it could not be measured (see ``notes``).
        behaviour: per value, what the runs did (:class:`~stability.verdicts.Behaviour`; "undetermined"
            where they could not be measured or had not settled).
        notes: per value, why a value could not be measured ("" otherwise).
        window: the final window's length (time for flows, steps for maps).
    """

    values: NDArray[np.float64]
    size: NDArray[np.float64]
    behaviour: tuple
    notes: tuple[str, ...]
    window: float
    starts: int = 0
    horizon: float = 0.0
    radius: float = 0.0

    def __post_init__(self) -> None:
        frozen(self.values)
        frozen(self.size)

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for b in self.behaviour:
            counts[str(b)] = counts.get(str(b), 0) + 1
        text = ", ".join(f"{v} {k}" for k, v in counts.items())
        return f"Measured({self.values.size} values, {self.starts} starts each, horizon {self.horizon:g}: {text})"


#: A run whose largest |theta| is below this fraction of the starts' radius has converged.
CONVERGED = 1e-4
#: Relative change of the window maximum between the last two windows below which a run is stationary.
STATIONARY = 1e-2


def _label(m1: NDArray, m2: NDArray, radius: float) -> tuple[float, Behaviour, str]:
    """From the window maxima of |theta| of the runs at one value: (size, behaviour, note)."""
    size = float(np.max(m2))
    if size < CONVERGED * radius:
        return size, Behaviour.CONVERGES, ""
    change = np.abs(m2 - m1) / np.maximum(m2, np.finfo(float).tiny)
    if np.all(change < STATIONARY):
        return size, Behaviour.LIMIT_CYCLE, ""
    if np.all(m2 <= m1):
        return size, Behaviour.SLOW_CONVERGENCE, "still shrinking at the end of the run"
    return size, Behaviour.UNDETERMINED, "|theta| still growing at the end of the run (not diverged within it)"


def parametrised_field(analysis, symbol: sp.Symbol) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """The field of ``analysis`` with ``symbol`` read from an extra last state column (whose derivative is 0).

    One batch then holds trajectories at many parameter values.
    """
    n = analysis.dim
    inv = analysis.dynamics.invariant
    if inv is not None:
        exprs = [inv.a, inv.b, inv.c, inv.d]
        _check_free(exprs, {NORM_PHI, NORM_THETA, DOT, symbol})
        f = sp.lambdify((NORM_PHI, NORM_THETA, DOT, symbol), exprs, modules=_MODULES, cse=True)

        def field_inv(z):
            k = z.shape[0]
            p = z[:, -1]
            a, b, c, d = (
                np.broadcast_to(np.asarray(v, dtype=float), (k,))[:, None] for v in f(*invariants(z[:, :-1], n), p)
            )
            phi, theta = z[:, :n], z[:, n : 2 * n]
            out = np.zeros_like(z)
            out[:, :n] = a * phi + b * theta
            out[:, n : 2 * n] = c * phi + d * theta
            return out

        return field_inv
    exprs = list(analysis.vector_field)
    _check_free(exprs, set(analysis.state) | {symbol})
    g = sp.lambdify([*analysis.state, symbol], exprs, modules=_MODULES, cse=True)

    def field_comp(z):
        out = np.zeros_like(z)
        for j, v in enumerate(g(*z.T)):
            out[:, j] = v
        return out

    return field_comp


def _check_free(exprs, allowed) -> None:
    free = set().union(*(sp.sympify(e).free_symbols for e in exprs)) - set(allowed)
    if free:
        raise InvalidParameterError(
            f"simulating needs numeric values of {', '.join(sorted(map(str, free)))}: "
            "give them with params= or regularizers="
        )


class _Stalled(Exception):
    pass


class _Windows:
    """Integrator observer: per row, the largest |theta| in the two final windows."""

    def __init__(self, rows: int, n: int, t_end: float, window: float, limit: int, counter: list):
        self.n, self.t1, self.t2 = n, t_end - 2 * window, t_end - window
        self.m1, self.m2 = np.zeros(rows), np.zeros(rows)
        self.limit, self.counter, self.last = limit, counter, 0

    def __call__(self, i, t, x):
        if self.counter[0] - self.last > 6 * self.limit:
            raise _Stalled
        self.last = self.counter[0]
        if t < self.t1:
            return
        th = np.sqrt(np.einsum("ki,ki->k", x[:, self.n : 2 * self.n], x[:, self.n : 2 * self.n]))
        th = np.where(np.isfinite(th), th, 0.0)
        target = self.m1 if t < self.t2 else self.m2
        np.maximum(target, th, out=target)


def _run_flow(f, z0, t_end, dt, window, n, options, stall):
    counter = [0]

    def counted(z):
        # checked here, not only at output times: a collapsed step may never reach the next one
        counter[0] += 1
        if counter[0] - obs.last > 6 * stall:
            raise _Stalled
        return f(z)

    obs = _Windows(z0.shape[0], n, t_end, window, stall, counter)
    res = integrate(counted, z0, t_end, dt_out=dt, store=False, observer=obs, **options)
    return res, obs


def measure_flow(
    analysis,
    symbol: sp.Symbol,
    values: NDArray[np.float64],
    x0: NDArray[np.float64],
    *,
    t_end: float = 200.0,
    dt: float = 0.1,
    radius: float = 0.5,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    blowup: float = 1e6,
    stall: int = 2000,
) -> Measured:
    """Integrate gradient flow from the starts ``x0`` at every value of ``symbol`` in one batch.

    A value whose runs make the shared step collapse (e.g. sliding along ``phi = 0``, where a field
    is discontinuous) is isolated by splitting the batch, and reported as not measured.
    """
    f = parametrised_field(analysis, symbol)
    n, k = analysis.dim, x0.shape[0]
    window = t_end / 10
    options = {"rtol": rtol, "atol": atol, "blowup": blowup}
    size = np.full(len(values), np.nan)
    behaviour: list = [Behaviour.UNDETERMINED] * len(values)
    notes = [""] * len(values)

    def run(idx: NDArray[np.int64]) -> None:
        z0 = np.concatenate([np.tile(x0, (idx.size, 1)), np.repeat(values[idx], k)[:, None]], axis=1)
        try:
            res, obs = _run_flow(f, z0, t_end, dt, window, n, options, stall)
        except (_Stalled, StepBudgetExceeded):
            if idx.size == 1:
                notes[idx[0]] = (
                    f"not measured: the solver's step collapsed (more than {stall} steps per output step), "
                    "typically a trajectory sliding along a discontinuity of the field"
                )
                return
            half = idx.size // 2
            run(idx[:half])
            run(idx[half:])
            return
        for j, v in enumerate(idx):
            rows = slice(j * k, (j + 1) * k)
            status = res.status[rows]
            if np.any(status == Status.OVERFLOW):
                size[v], behaviour[v] = np.inf, Behaviour.DIVERGES
            elif np.any(status != Status.OK):
                notes[v] = "not measured: " + Status(int(status[status != Status.OK][0])).message
            else:
                size[v], behaviour[v], notes[v] = _label(obs.m1[rows], obs.m2[rows], radius)

    with np.errstate(all="ignore"):
        run(np.arange(len(values)))
    return Measured(np.asarray(values, dtype=float), size, tuple(behaviour), tuple(notes), window, k, float(t_end))


def measure_map(
    runs: Sequence[tuple],
    values: NDArray[np.float64],
    x0: NDArray[np.float64],
    *,
    steps: int = 2000,
    radius: float = 0.5,
    blowup: float = 1e6,
) -> Measured:
    """Iterate the real update at each value: ``runs[i] = (analysis, optimizer, lr)`` for ``values[i]``."""
    window = max(2, steps // 10)
    size = np.full(len(values), np.nan)
    behaviour: list = [Behaviour.UNDETERMINED] * len(values)
    notes = [""] * len(values)
    with np.errstate(all="ignore"):
        for i, (analysis, optimizer, lr) in enumerate(runs):
            it = iterate(
                analysis, x0, steps, optimizer=optimizer, lr=lr, store=False, summary_every=1, blowup=blowup, warn=False
            )
            status = it.status
            if np.any(status == Status.OVERFLOW):
                size[i], behaviour[i] = np.inf, Behaviour.DIVERGES
                continue
            if np.any(status != Status.OK):
                notes[i] = "not measured: " + it.messages[int(np.flatnonzero(status != Status.OK)[0])]
                continue
            th = it.theta_norm
            m1 = th[:, -2 * window : -window].max(axis=1)
            m2 = th[:, -window:].max(axis=1)
            size[i], behaviour[i], notes[i] = _label(m1, m2, radius)
            if behaviour[i] is Behaviour.LIMIT_CYCLE and _period_two(it.tail):
                behaviour[i] = Behaviour.PERIOD_2
    return Measured(
        np.asarray(values, dtype=float), size, tuple(behaviour), tuple(notes), float(window), x0.shape[0], float(steps)
    )


def _period_two(tail: NDArray[np.float64]) -> bool:
    """The last three states alternate: z_k = z_{k-2} != z_{k-1} (to 1e-6 of their size)."""
    a, b, c = tail[:, 0], tail[:, 1], tail[:, 2]
    scale = np.maximum(np.abs(c).max(axis=1), np.finfo(float).tiny)
    same = np.abs(c - a).max(axis=1) < 1e-6 * scale
    moved = np.abs(c - b).max(axis=1) > 1e-3 * scale
    return bool(np.all(same & moved))
