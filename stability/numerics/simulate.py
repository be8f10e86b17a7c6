"""``simulate``: integrate an analysis' training ODE from many initial states at once.

:func:`simulate` compiles the exact field (:func:`~stability.numerics.field.numeric_field`),
integrates it with the batched Dormand-Prince solver of :mod:`stability.numerics.integrate` and
returns a :class:`~stability.numerics.trajectories.Trajectories` record. Summaries (norms on a
decimated grid, running extremes, the winding of one ``(phi_k, theta_k)`` pair, weight EMAs of
``theta``) are accumulated while integrating (:mod:`stability.numerics.observers`), so
``store=False`` runs of any length use bounded memory. :func:`random_states` draws initial states.

>>> from stability import analyze
>>> tr = analyze("wgan_gp", params={"c": 0}).simulate([0.1, 0.2, 0.2, 0.1], 10.0, dt=0.1)
>>> tr.states.shape, bool(tr.ok.all())
((1, 101, 4), True)
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from ..errors import InvalidParameterError
from .checks import MAX_STORE_BYTES, check_batch, check_count
from .field import Field, numeric_field
from .inputs import beta, check_seed, positive, real, states
from .integrate import Status, StepBudgetExceeded, integrate
from .observers import Recorder, Store
from .trajectories import Cutoff, CutoffReason, Trajectories, TrajectoryWarning

__all__ = ["numeric_field", "random_states", "simulate", "Trajectories", "TrajectoryWarning", "Status"]

#: Default number of points of the decimated summary grid.
SUMMARY_POINTS = 1000
#: Local rate |f(x)| / |x| beyond which the solver's time is rescaled (see :func:`time_unit`).
FAST = 1e6


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
    samples = check_count("samples", samples)
    radius = positive("radius", radius)
    rng = np.random.default_rng(check_seed(seed))
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


def _initial_states(analysis, x0, seed, radius) -> NDArray[np.float64]:
    """``x0`` as a float array ``(K, 2n)``: ``K`` random states for an int ``K``, else the states given
    (real entries only: strings, complex numbers and bools are refused, see :mod:`.inputs`)."""
    n = analysis.dim
    seed = check_seed(seed)
    if isinstance(x0, (int, np.integer)) and not isinstance(x0, (bool, np.bool_)):
        k = check_count("x0 (a number of random initial states)", x0)
        check_batch(k, n)
        return random_states(n, k, seed=seed, radius=radius)
    x = states(x0, n)
    check_batch(x.shape[0], n)
    return x


# ----------------------------------------------------------------------------- the plan of a run


@dataclass(frozen=True)
class _Plan:
    """The validated options of one :func:`simulate` call."""

    dt: float
    t_end: float
    steps: int
    store: bool
    betas: tuple[float, ...]
    summary_every: int
    max_steps: int
    stall: int | None

    @property
    def times(self) -> NDArray[np.float64]:
        times = self.dt * np.arange(self.steps + 1, dtype=np.float64)
        times[-1] = self.t_end
        return times


def _plan(dt, t_end, store, ema, summary_every, max_steps, max_steps_per_output) -> _Plan:
    dt, t_end = positive("dt", dt), positive("t_end", t_end)
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
    betas = tuple(beta(b) for b in (ema if isinstance(ema, (tuple, list)) else (ema,)))
    every = max(1, math.ceil(steps / SUMMARY_POINTS)) if summary_every is None else summary_every
    stall = None if max_steps_per_output is None else check_count("max_steps_per_output", max_steps_per_output)
    return _Plan(
        dt, t_end, steps, store, betas, check_count("summary_every", every), check_count("max_steps", max_steps), stall
    )


def _check_store(plan: _Plan, x: NDArray[np.float64]) -> None:
    if plan.store and x.size * (plan.steps + 1) * 8 > MAX_STORE_BYTES:
        raise InvalidParameterError(
            f"storing {x.shape[0]} x {plan.steps + 1} x {x.shape[1]} states needs "
            f"{x.size * (plan.steps + 1) * 8 / 2**30:.1f} GiB (limit {MAX_STORE_BYTES / 2**30:g} GiB); "
            "pass store=False (summaries and EMAs are still computed) or a larger dt"
        )


# ----------------------------------------------------------------------------- running it


class _Stalled(Exception):
    """Raised by the stall guard to end a run whose step size collapsed."""

    def __init__(self, limit: int):
        super().__init__(f"more than {limit} solver steps in one output step")
        self.limit = limit


def _stall_guard(f: Field, rec, limit: int) -> tuple[Field, Callable]:
    """Wrap ``f`` to count evaluations and ``rec`` to stop when one output step needs > ``limit`` solver steps.

    An output step in which a trajectory was stopped (its blow-up or singularity made the shared step
    collapse, and the integrator then stopped it) does not count: the collapse has ended with it.
    """
    count = [0, 0, 0]  # evaluations so far, at the last output; trajectories stopped at the last output

    def counted(z):
        count[0] += 1
        return f(z)

    def observer(i, t, x):
        rec(i, t, x)
        stopped = int(np.count_nonzero(np.isnan(x[:, 0])))
        if i and count[0] - count[1] > 6 * limit and stopped == count[2]:  # 6 evaluations per step attempt
            raise _Stalled(limit)
        count[1], count[2] = count[0], stopped

    return counted, observer


@dataclass(frozen=True)
class _Outcome:
    """How the integration ended: per trajectory, the last state, status, time and message."""

    times: NDArray[np.float64]
    final: NDArray[np.float64]
    status: NDArray[np.int8]
    stop_time: NDArray[np.float64]
    messages: tuple[str, ...]
    cutoff: Cutoff | None = None


def time_unit(f: Field, x: NDArray[np.float64]) -> float:
    """The unit of time the solver works in: 1, or ``1 / rate`` when the field's local rate ``|f(x)| / |x|``
    at the starts exceeds ``FAST`` (the solver's smallest step, 1e-12 of ``max(1, |t|)``, would otherwise be
    longer than the fast time scale near t = 0, and the run would stop there as if at a discontinuity).

    >>> float(np.round(time_unit(lambda z: -1e12 * z, np.ones((2, 2))), 20)), time_unit(lambda z: -z, np.ones((2, 2)))
    (1e-12, 1.0)
    """
    with np.errstate(all="ignore"):
        rate = np.linalg.norm(f(x), axis=1) / np.maximum(np.linalg.norm(x, axis=1), np.finfo(float).tiny)
    rate = rate[np.isfinite(rate)]
    top = float(rate.max()) if rate.size else 0.0
    return 1.0 / top if top > FAST else 1.0


def _run(f: Field, x, plan: _Plan, rec, rtol, atol, blowup, progress) -> _Outcome:
    """Integrate (time rescaled by :func:`time_unit`); a step budget that runs out ends the run there,
    keeping what was computed."""
    unit = time_unit(f, x)
    if unit != 1.0:
        fast = f

        def f(z):  # dz/ds = unit * f(z) with s = t / unit: the same orbits, fast scales of order one
            return unit * fast(z)

    observer: Callable = rec
    if plan.stall is not None:
        f, observer = _stall_guard(f, rec, plan.stall)
    times = plan.times
    try:
        res = integrate(
            f,
            x,
            plan.t_end / unit,
            dt_out=plan.dt / unit,
            rtol=rtol,
            atol=atol,
            store=False,
            observer=observer,
            max_steps=plan.max_steps,
            blowup=blowup,
            progress=progress,
        )
    except StepBudgetExceeded as exc:
        return _cut_short(
            rec, times, Cutoff(CutoffReason.MAX_STEPS, float(times[rec.calls - 1]), exc.max_steps, str(exc))
        )
    except _Stalled as exc:
        return _cut_short(rec, times, Cutoff(CutoffReason.STALLED, float(times[rec.calls - 1]), exc.limit))
    messages = tuple(Status(int(c)).message for c in res.status)
    stop_time = np.where(res.status == Status.OK, plan.t_end, np.asarray(res.stop_time) * unit)
    return _Outcome(times, np.array(res.final), np.array(res.status), stop_time, messages)


def _cut_short(rec, times, cutoff: Cutoff) -> _Outcome:
    """The run ended at ``cutoff.reached``: the trajectories still running are stopped as STEP_UNDERFLOW."""
    times = times[: rec.calls]
    rec.finish()
    alive = rec.last_index == rec.calls - 1
    status = np.where(alive, Status.STEP_UNDERFLOW, Status.NONFINITE).astype(np.int8)
    earlier = "stopped before the run was cut short (its exact status was lost with it)"
    messages = tuple(f"stopped when {cutoff.note}" if a else earlier for a in alive)
    return _Outcome(times, rec.last, status, times[rec.last_index], messages, cutoff)


def _record(analysis, x, plan: _Plan, rec, out: _Outcome) -> Trajectories:
    arr = rec.arrays()
    return Trajectories(
        times=out.times,
        states=arr["states"],
        x0=x,
        final=out.final,
        status=out.status,
        stop_time=out.stop_time,
        summary_times=out.times[arr["grid"]],
        phi_norm=arr["phi_norm"],
        theta_norm=arr["theta_norm"],
        winding=arr["winding"],
        pair=arr["pair"],
        max_norm=arr["max_norm"],
        min_norm=arr["min_norm"],
        dt=plan.dt,
        analysis=analysis,
        note=None if out.cutoff is None else out.cutoff.note,
        messages=out.messages,
        cutoff=out.cutoff,
        _ema_grid=arr["ema_grid"],
        _ema_final=arr["ema_final"],
    )


def _warn_failures(tr: Trajectories, t_end: float) -> None:
    fails = tr.failures()
    first = fails[0]
    warnings.warn(
        f"{len(fails)} of {tr.samples} trajectories stopped before t_end={t_end:g}; first: trajectory "
        f"{first['index']} at t={first['stop_time']:.6g}: {first['status']} ({first['message']}). "
        "See Trajectories.failures().",
        TrajectoryWarning,
        stacklevel=3,
    )


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
    plan = _plan(dt, t_end, store, ema, summary_every, max_steps, max_steps_per_output)
    x = _initial_states(analysis, x0, seed, radius)
    rtol, atol, blowup = real("rtol", rtol), real("atol", atol), real("blowup", blowup)
    _check_store(plan, x)
    n = analysis.dim
    rec = (
        Store(x, n, plan.steps + 1, plan.summary_every)
        if plan.store
        else Recorder(x, n, plan.steps + 1, plan.summary_every, plan.betas)
    )
    out = _record(analysis, x, plan, rec, _run(f, x, plan, rec, rtol, atol, blowup, progress))
    if warn and not out.ok.all():
        _warn_failures(out, plan.t_end)
    return out
