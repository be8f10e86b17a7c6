"""The record of a simulation: :class:`Trajectories` (and :class:`Cutoff`, why a run ended early).

Every array is read-only; derived arrays (``norm``) are computed once, on first use.
The record compares by value, pickles and deep-copies (a deep copy shares the immutable analysis).

>>> from stability import analyze
>>> tr = analyze("wgan_gp", params={"c": 0}).simulate([0.1, 0.2, 0.2, 0.1], 10.0, dt=0.1)
>>> tr.states.shape, tr.phi.shape
((1, 101, 4), (1, 101, 2))
>>> bool(tr.ok.all()), bool(tr.norm[0, -1] < tr.norm[0, 0])
(True, True)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from ..verdicts import TextEnum
from .checks import check_beta
from .integrate import Status
from .records import FrozenMap, Record, frozen

__all__ = ["Cutoff", "CutoffReason", "Trajectories", "TrajectoryWarning"]


class TrajectoryWarning(RuntimeWarning):
    """Issued by :func:`~stability.numerics.simulate.simulate` when some trajectories stopped before ``t_end``."""


class CutoffReason(TextEnum):
    """Which step budget ended a run early."""

    MAX_STEPS = "max-steps"  # the run's budget of solver step attempts
    STALLED = "stalled"  # one output step needed more solver steps than allowed


@dataclass(frozen=True, eq=False, slots=True)
class Cutoff(Record):
    """Why a run ended before ``t_end``: the budget that ran out, where, and the integrator's account.

    >>> c = Cutoff(CutoffReason.STALLED, reached=2.5, limit=50)
    >>> c.budget
    'more than 50 solver steps in one output step'
    >>> c.summary.startswith('the step budget (more than 50 solver steps in one output step) ran out at t = 2.5')
    True
    """

    reason: CutoffReason
    reached: float
    limit: int
    detail: str = ""  # the integrator's message (MAX_STEPS)

    @property
    def budget(self) -> str:
        if self.reason == CutoffReason.MAX_STEPS:
            return f"max_steps={self.limit}"
        return f"more than {self.limit} solver steps in one output step"

    @property
    def summary(self) -> str:
        """One sentence: which budget ran out and where."""
        if self.reason == CutoffReason.MAX_STEPS:
            why = "the run is long for this budget, or the shared step size collapsed near a singularity of the field"
        else:
            why = "the shared step size collapsed, typically because a trajectory approaches a singularity of the field"
        return f"the step budget ({self.budget}) ran out at t = {self.reached:.6g}: {why}"

    @property
    def note(self) -> str:
        """:attr:`summary` with the integrator's own message."""
        return self.summary + (f". Integrator: {self.detail}" if self.detail else "")


@dataclass(frozen=True, eq=False, repr=False, slots=True)
class Trajectories(Record):
    """The result of :func:`~stability.numerics.simulate.simulate` (all arrays read-only).

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
        norm: ``(K, m)`` distance ``|z| = sqrt(|phi|^2 + |theta|^2)`` to the equilibrium on
            ``summary_times`` (computed once, on first use).
        winding: ``(K, m)`` unwrapped angle of the pair ``(phi_k, theta_k)``, ``k = pair``,
            accumulated at every step; its slope is the angular frequency.
        pair: ``(K,)`` index k of the tracked pair (the largest at t = 0).
        max_norm, min_norm: ``(K,)`` running max and min of ``|z|`` over every step (not only
            the decimated grid).
        dt: the step (output and EMA step).
        analysis: the :class:`~stability.Analysis` simulated.
        note: None, or why the run ended before ``t_end`` (the step budget ran out).
        messages: per trajectory, why it stopped (``Status.message``, or the budget ``note``).
        cutoff: None, or the structured reason the run ended early (:class:`Cutoff`).

    A trajectory that meets a singularity, overflows or produces NaN is stopped, never
    silently continued: see :attr:`ok`, :meth:`failures` (and the :class:`TrajectoryWarning`
    that :func:`~stability.numerics.simulate.simulate` issues).
    """

    _shared: ClassVar[tuple[str, ...]] = ("analysis",)

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
    analysis: Any = field(repr=False, compare=False)
    note: str | None = None
    messages: tuple[str, ...] = ()
    cutoff: Cutoff | None = None
    _ema_grid: Mapping[float, NDArray[np.float64]] = field(default_factory=dict, repr=False)
    _ema_final: Mapping[float, NDArray[np.float64]] = field(default_factory=dict, repr=False)
    _norm: NDArray[np.float64] | None = field(init=False, default=None, repr=False, compare=False)
    _cut_short: NDArray[np.bool_] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for name in ("times", "states", "x0", "final", "status", "stop_time", "summary_times", "phi_norm"):
            frozen(getattr(self, name))
        for name in ("theta_norm", "winding", "pair", "max_norm", "min_norm"):
            frozen(getattr(self, name))
        object.__setattr__(self, "messages", tuple(self.messages))
        object.__setattr__(self, "_ema_grid", FrozenMap({b: frozen(v) for b, v in self._ema_grid.items()}))
        object.__setattr__(self, "_ema_final", FrozenMap({b: frozen(v) for b, v in self._ema_final.items()}))
        cut = (self.status == Status.STEP_UNDERFLOW) & (self.stop_time == self.times[-1])
        object.__setattr__(self, "_cut_short", frozen(cut if self.cutoff is not None else np.zeros_like(cut)))

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
        """``(K, m)`` distance ``|z|`` to the equilibrium on ``summary_times`` (computed once, on first use)."""
        if self._norm is None:
            object.__setattr__(self, "_norm", frozen(np.hypot(self.phi_norm, self.theta_norm)))
        return self._norm

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

    def cut_short(self) -> NDArray[np.bool_]:
        """``(K,)`` True for the trajectories still running when the step budget ended the run."""
        return self._cut_short

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
        beta = check_beta(beta)
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
        return frozen(out)

    def ema_final(self, beta: float = 0.999) -> NDArray[np.float64]:
        """``(K, n)`` the EMA of ``theta`` at ``t_end`` (NaN for trajectories stopped earlier)."""
        beta = check_beta(beta)
        if beta in self._ema_final:
            return self._ema_final[beta]
        return self.ema(beta)[:, -1]

    # -- output ------------------------------------------------------------------
    def __repr__(self) -> str:
        counts = ", ".join(
            f"{int(np.count_nonzero(self.status == s))} {s.name}" for s in Status if np.any(self.status == s)
        )
        mode = "states stored" if self.states is not None else f"summaries only ({self.summary_times.size} points)"
        name = getattr(getattr(self.analysis, "variant", None), "name", "?")
        return (
            f"Trajectories({name!r}, dim={self.dim}, K={self.samples}, t in [0, {self.t_end:g}], "
            f"dt={self.dt:g}, {self.times.size} steps, {mode}; status: {counts})"
        )
