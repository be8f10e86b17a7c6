"""Iterating the real (nonlinear) update of an optimiser, batched over initial states with NumPy.

:class:`NumpyGame` gives an optimiser's rule (:mod:`stability.dynamics.optimizers`) the operations
it needs on batches of vectors ``(K, n)``: the package's compiled field (:func:`numeric_field`),
the off-diagonal blocks of the field's Jacobian ``(K, n, n)`` (compiled from its exact derivative;
through the invariants for rotation-invariant variants, so the cost stays flat in n), stacked
products and solves, and the elementwise operations of the adaptive optimisers. :func:`iterate`
runs the rule for ``steps`` training steps and returns :class:`Iterates`, the
:class:`~stability.numerics.trajectories.Trajectories` record of a map (one output per step,
``dt = 1``; summaries and generator EMAs as for flows, so ``store=False`` runs use bounded memory).

>>> import numpy as np
>>> from stability import analyze
>>> a = analyze("vanilla_ns", dim=1, optimizer="simgd", lr=0.2)
>>> it = iterate(a, [[0.1, 0.0]], 2)   # phi+ = phi - 0.2 sigma(u) theta, theta+ = theta + 0.2 (1 - sigma(u)) phi
>>> it.states[0].round(7).tolist()     # u = theta phi: 0, then 0.001 (sigma(0.001) = 0.50025)
[[0.1, 0.0], [0.1, 0.01], [0.0989995, 0.019995]]
>>> it
Iterates('vanilla_ns', dim=1, K=1, simgd() at lr 0.2, 2 steps, states stored; status: 1 OK)
"""

from __future__ import annotations

import math
import warnings
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import ArrayLike, NDArray

from ..dynamics.optimizers import LearningRate, Optimizer, get_optimizer
from ..dynamics.system import resolve_learning_rate
from ..errors import InvalidParameterError
from ..model.functions import NUMPY_FUNCTIONS
from ..model.space import DOT, NORM_PHI, NORM_THETA
from ..verdicts import TimeDomain
from .checks import MAX_STORE_BYTES, check_count
from .field import numeric_field
from .inputs import beta, positive
from .integrate import Status
from .observers import Recorder, Store
from .records import frozen
from .simulate import _initial_states
from .trajectories import Trajectories, TrajectoryWarning

__all__ = ["NumpyGame", "Iterates", "iterate", "MAX_ITERATIONS", "SETTLED"]

#: Largest number of training steps one :func:`iterate` call runs (about a minute for a small batch).
MAX_ITERATIONS = 2_000_000
#: A trajectory whose state is everywhere below this in magnitude has reached the equilibrium in
#: floating point; it is held there (status OK) instead of being iterated into 0/0 at the origin.
SETTLED = 1e-250
#: Default number of points of the decimated summary grid.
SUMMARY_POINTS = 1000

_MODULES = [NUMPY_FUNCTIONS, "numpy"]
_MESSAGES = {
    Status.OK: "the trajectory ran every step",
    Status.NONFINITE: "the update produced NaN or infinity (a singular point of the field, or a singular solve)",
    Status.OVERFLOW: "a parameter grew beyond the blow-up threshold",
}
_INVARIANTS = (NORM_PHI, NORM_THETA, DOT)
_OFFDIAG: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


# ----------------------------------------------------------------------------- the NumPy backend


def _invariant_offdiag(analysis) -> Callable:
    """``(dF_phi/dtheta, dF_theta/dphi)`` from ``phi' = a phi + b theta``, ``theta' = c phi + d theta``.

    With ``P = |phi|``, ``T = |theta|``, ``U = theta.phi`` and subscripts for partial derivatives,
    ``dF_phi/dtheta = b I + phi (a_T theta/T + a_U phi)^T + theta (b_T theta/T + b_U phi)^T`` and
    ``dF_theta/dphi = c I + phi (c_P phi/P + c_U theta)^T + theta (d_P phi/P + d_U theta)^T``.
    """
    inv = analysis.dynamics.invariant
    a, b, c, d = inv.a, inv.b, inv.c, inv.d
    p, t, u = _INVARIANTS
    scalars = [
        b,
        sp.cancel(sp.diff(a, t) / t),
        sp.diff(a, u),
        sp.cancel(sp.diff(b, t) / t),
        sp.diff(b, u),
        c,
        sp.cancel(sp.diff(c, p) / p),
        sp.diff(c, u),
        sp.cancel(sp.diff(d, p) / p),
        sp.diff(d, u),
    ]
    compiled = sp.lambdify(_INVARIANTS, scalars, modules=_MODULES, cse=True)

    def offdiag(phi, theta):
        k, n = phi.shape
        norm_phi = np.sqrt(np.einsum("ki,ki->k", phi, phi))
        norm_theta = np.sqrt(np.einsum("ki,ki->k", theta, theta))
        dot = np.einsum("ki,ki->k", phi, theta)
        vals = [np.broadcast_to(np.asarray(v, dtype=float), (k,))[:, None] for v in compiled(norm_phi, norm_theta, dot)]
        b_, at, au, bt, bu, c_, cp, cu, dp, du = vals
        eye = np.eye(n)
        h_pt = b_[:, :, None] * eye + _outer(phi, at * theta + au * phi) + _outer(theta, bt * theta + bu * phi)
        h_tp = c_[:, :, None] * eye + _outer(phi, cp * phi + cu * theta) + _outer(theta, dp * phi + du * theta)
        return h_pt, h_tp

    return offdiag


def _outer(u, v):
    return u[:, :, None] * v[:, None, :]


def _component_offdiag(analysis) -> Callable:
    n = analysis.dim
    jac = analysis.vector_field.jacobian(analysis.state)
    blocks = [jac[:n, n:], jac[n:, :n]]
    compiled = sp.lambdify(analysis.state, [list(bl) for bl in blocks], modules=_MODULES, cse=True)

    def offdiag(phi, theta):
        k = phi.shape[0]
        z = np.concatenate([phi, theta], axis=1)
        out = []
        for entries in compiled(*z.T):
            arr = np.empty((k, n * n))
            for j, v in enumerate(entries):
                arr[:, j] = v
            out.append(arr.reshape(k, n, n))
        return tuple(out)

    return offdiag


def _offdiag(analysis) -> Callable:
    cached = _OFFDIAG.get(analysis)
    if cached is None:
        builder = _invariant_offdiag if analysis.dynamics.invariant is not None else _component_offdiag
        cached = _OFFDIAG[analysis] = builder(analysis)
    return cached


@dataclass(frozen=True, eq=False)
class NumpyGame:
    """The operations of :class:`~stability.dynamics.optimizers.base.Game` on batches ``(K, n)``.

    Blocks are stacks ``(K, n, n)``; a singular block makes its row NaN (that trajectory is then
    stopped as non-finite), never the whole batch fail.
    """

    analysis: Any

    @property
    def dim(self) -> int:
        return self.analysis.dim

    def field(self, phi, theta):
        n = phi.shape[1]
        out = numeric_field(self.analysis)(np.concatenate([phi, theta], axis=1))
        return out[:, :n], out[:, n:]

    def offdiag(self, phi, theta):
        return _offdiag(self.analysis)(phi, theta)

    def matvec(self, a, v):
        if v.ndim == 3:
            return a @ v
        return np.einsum("kij,kj->ki", a, v)

    def solve(self, a, v):
        try:
            return np.linalg.solve(a, v[..., None])[..., 0]
        except np.linalg.LinAlgError:
            out = np.full_like(v, np.nan)
            for i in range(v.shape[0]):
                try:
                    out[i] = np.linalg.solve(a[i], v[i])
                except np.linalg.LinAlgError:
                    pass  # a singular block: this row stays NaN
            return out

    def identity(self, v):
        return np.broadcast_to(np.eye(v.shape[1]), (v.shape[0], v.shape[1], v.shape[1]))

    def multiply(self, a, b):
        return a * b

    def sqrt(self, v):
        return np.sqrt(v)

    def divide(self, a, b):
        return a / b


# ----------------------------------------------------------------------------- the record


@dataclass(frozen=True, eq=False, repr=False, slots=True)
class Iterates(Trajectories):
    """The result of :func:`iterate`: a :class:`Trajectories` record whose time is the step index.

    ``times`` are ``0, 1, ..., steps`` (``dt = 1``: one output and one EMA update per training
    step). Extra attributes: ``optimizer`` (the float copy that was run), ``lr`` (the float
    rates), ``tail`` ``(K, 3, 2n)``: each trajectory's last three states (NaN where it stopped
    before), for telling a period-2 cycle, and ``settled`` ``(K,)``: True where the state
    reached the equilibrium to floating-point precision (below :data:`SETTLED`) and was held there.
    """

    optimizer: Any = field(default=None, compare=False)
    lr: Any = field(default=None, compare=False)
    tail: NDArray[np.float64] | None = field(default=None, repr=False)
    settled: NDArray[np.bool_] | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        Trajectories.__post_init__(self)  # (no zero-argument super() in a slotted dataclass)
        frozen(self.tail)
        frozen(self.settled)

    @property
    def steps(self) -> int:
        """The number of training steps run."""
        return int(self.times[-1])

    def __repr__(self) -> str:
        counts = ", ".join(
            f"{int(np.count_nonzero(self.status == s))} {s.name}" for s in Status if np.any(self.status == s)
        )
        mode = "states stored" if self.states is not None else f"summaries only ({self.summary_times.size} points)"
        name = getattr(getattr(self.analysis, "variant", None), "name", "?")
        rate = f"{self.lr.d:g}" if self.lr.d == self.lr.g else f"(d: {self.lr.d:g}, g: {self.lr.g:g})"
        return (
            f"Iterates({name!r}, dim={self.dim}, K={self.samples}, {self.optimizer!r} at lr {rate}, "
            f"{self.steps} steps, {mode}; status: {counts})"
        )


# ----------------------------------------------------------------------------- iterate


def _resolve(analysis, optimizer, lr) -> tuple[Optimizer, LearningRate]:
    discrete = getattr(analysis, "time_domain", None) == TimeDomain.DISCRETE
    if optimizer is None:
        if not discrete:
            raise InvalidParameterError(
                "iterate needs an update rule: analyse with analyze(..., optimizer=..., lr=...) "
                "or pass optimizer= and lr= here"
            )
        optimizer = analysis.optimizer
    if lr is None:
        if not discrete:
            raise InvalidParameterError("iterate needs a learning rate: pass lr= (e.g. lr=0.1 or {'d': .1, 'g': .05})")
        lr = analysis.lr
    return get_optimizer(optimizer).numeric(), resolve_learning_rate(lr).numeric()


def _check_steps(steps) -> int:
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 1:
        raise InvalidParameterError(
            f"steps must be a positive integer (training steps); received {steps!r} ({type(steps).__name__})"
        )
    if steps > MAX_ITERATIONS:
        raise InvalidParameterError(f"steps must be at most {MAX_ITERATIONS}; received {steps}")
    return int(steps)


def _check_working_memory(k: int, n: int, memory: int) -> None:
    need = 12 * 8 * k * n * (2 + 2 * memory)  # the state, the next one and the rule's temporaries
    if need > MAX_STORE_BYTES:
        raise InvalidParameterError(
            f"{k} trajectories in dimension {n} need about {need / 2**30:.1f} GiB of working memory "
            f"(limit {MAX_STORE_BYTES / 2**30:g} GiB); iterate fewer at a time"
        )


def _step(opt, game, lr, state, idx):
    """One update of the rows ``idx`` (None: all rows); the other rows are left as they are."""
    if idx is None:
        return tuple(np.asarray(p, dtype=float) for p in opt.step(game, state, lr))
    sub = opt.step(game, tuple(p[idx] for p in state), lr)
    out = tuple(np.array(p) for p in state)
    for whole, part in zip(out, sub):
        whole[idx] = part
    return out


def iterate(
    analysis,
    x0: ArrayLike | int,
    steps: int,
    *,
    optimizer=None,
    lr=None,
    seed: int | None = None,
    radius: float = 0.5,
    store: bool = True,
    summary_every: int | None = None,
    ema: tuple[float, ...] = (0.999,),
    blowup: float = 1e8,
    progress: Callable[[float], Any] | None = None,
    warn: bool = True,
) -> Iterates:
    """Run ``steps`` training steps of the real update from ``x0``, all initial states at once.

    Args:
        analysis: an :class:`~stability.Analysis` with numeric parameters; a discrete one
            (``analyze(..., optimizer=, lr=)``) supplies the optimiser and learning rates.
        x0: ``(K, 2n)`` or ``(2n,)`` initial parameters ordered ``phi_1..phi_n, theta_1..theta_n``,
            or an int ``K`` for ``K`` random states in the ball of ``radius`` (see
            :func:`~stability.numerics.simulate.random_states`). The optimiser's memory starts
            from its :meth:`~stability.dynamics.optimizers.base.Optimizer.initial` state (no history).
        steps: the number of training steps (at most :data:`MAX_ITERATIONS`).
        optimizer, lr: override (or, for a gradient-flow analysis, supply) the update rule and
            learning rates, as in :func:`~stability.analyze`.
        seed, radius: of the random initial states.
        store: keep every state ``(K, steps + 1, 2n)``; with ``False`` only the summaries and EMAs.
        summary_every: decimation of the summaries in steps (default: about 1000 points).
        ema: the betas of the generator EMAs accumulated while iterating (for ``store=False``).
        blowup: a trajectory with a parameter beyond this in magnitude is stopped (``OVERFLOW``).
        progress: called with the fraction done (0..1), at most 100 times.
        warn: issue a :class:`TrajectoryWarning` if some trajectories stopped early.

    A trajectory whose state becomes NaN or infinite (a singular point of the field, a
    singular solve) is stopped with ``NONFINITE``; one that reaches the equilibrium to
    floating-point precision is held there (``settled``).
    """
    opt, rates = _resolve(analysis, optimizer, lr)
    steps = _check_steps(steps)
    blowup = positive("blowup", blowup)
    if not isinstance(store, bool):
        raise InvalidParameterError(f"store must be True or False; received {store!r}")
    betas = tuple(beta(b) for b in (ema if isinstance(ema, (tuple, list)) else (ema,)))
    every = max(1, math.ceil(steps / SUMMARY_POINTS)) if summary_every is None else summary_every
    every = check_count("summary_every", every)
    x = _initial_states(analysis, x0, seed, radius)
    k, n = x.shape[0], analysis.dim
    _check_working_memory(k, n, opt.memory)
    if store and x.size * (steps + 1) * 8 > MAX_STORE_BYTES:
        raise InvalidParameterError(
            f"storing {k} x {steps + 1} x {2 * n} states needs {x.size * (steps + 1) * 8 / 2**30:.1f} GiB "
            f"(limit {MAX_STORE_BYTES / 2**30:g} GiB); pass store=False (summaries and EMAs are still kept)"
        )
    game = NumpyGame(analysis)
    numeric_field(analysis)  # compile (and check for symbolic parameters) before the loop
    rec = Store(x, n, steps + 1, every) if store else Recorder(x, n, steps + 1, every, betas)
    rec(0, 0.0, np.array(x))
    state = opt.initial(np.array(x[:, :n]), np.array(x[:, n:]))
    state = tuple(np.array(np.broadcast_to(p, (k, n)), dtype=float) for p in state)
    status = np.zeros(k, dtype=np.int8)
    stop = np.full(k, float(steps))
    final = np.array(x)
    running = np.ones(k, dtype=bool)
    settled = np.zeros(k, dtype=bool)
    tail = np.full((3, k, 2 * n), np.nan)
    tail[-1] = x
    marks = set(np.linspace(0, steps, 101).astype(int)[1:].tolist()) if progress else set()
    with np.errstate(all="ignore"):
        for i in range(1, steps + 1):
            moving = running & ~settled
            idx = None if moving.all() else np.flatnonzero(moving)
            if idx is None or idx.size:
                state = _step(opt, game, rates, state, idx)
            z = np.concatenate(state[:2], axis=1)
            finite = np.all([np.isfinite(p).all(axis=1) for p in state], axis=0)
            big = np.abs(np.where(np.isfinite(z), z, 0.0)).max(axis=1) > blowup
            bad = running & (~finite | big)
            if bad.any():
                status[bad & ~finite] = Status.NONFINITE
                status[bad & finite] = Status.OVERFLOW
                stop[bad] = i - 1
                final[bad] = tail[-1][bad]
                running &= ~bad
                for p in state:
                    p[bad] = np.nan
                z[bad] = np.nan
            settled |= running & np.all([np.abs(p).max(axis=1) < SETTLED for p in state], axis=0)
            final[running] = z[running]
            tail = np.roll(tail, -1, axis=0)
            tail[-1] = z
            rec(i, float(i), z)
            if i in marks:
                progress(i / steps)
    rec.finish()
    arr = rec.arrays()
    times = np.arange(steps + 1, dtype=np.float64)
    messages = tuple(_MESSAGES[Status(int(s))] for s in status)
    out = Iterates(
        times=times,
        states=arr["states"],
        x0=x,
        final=final,
        status=status,
        stop_time=stop,
        summary_times=times[arr["grid"]],
        phi_norm=arr["phi_norm"],
        theta_norm=arr["theta_norm"],
        winding=arr["winding"],
        pair=arr["pair"],
        max_norm=arr["max_norm"],
        min_norm=arr["min_norm"],
        dt=1.0,
        analysis=analysis,
        messages=messages,
        _ema_grid=arr["ema_grid"],
        _ema_final=arr["ema_final"],
        optimizer=opt,
        lr=rates,
        tail=np.ascontiguousarray(tail.swapaxes(0, 1)),
        settled=settled,
    )
    if warn and not out.ok.all():
        first = out.failures()[0]
        warnings.warn(
            f"{int(np.count_nonzero(~out.ok))} of {k} trajectories stopped before step {steps}; first: trajectory "
            f"{first['index']} after step {first['stop_time']:g}: {first['status']} ({first['message']}). "
            "See Iterates.failures().",
            TrajectoryWarning,
            stacklevel=2,
        )
    return out
