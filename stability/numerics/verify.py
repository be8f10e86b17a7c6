"""``verify()``: integrate the training ODE and check the symbolic verdict against what the trajectories do.

Every figure is *measured* on trajectories from random initial states (:func:`simulate` in
summary mode; 8 states uniform in the ball of radius 0.5, seed 0, rtol 1e-6, atol 1e-12,
4000 output steps), then compared with the eigenvalues where the linearisation decides:

* ``rate``: the fitted exponential rate of ``|z(t)|`` (``log |z| ~ -rate * t``; positive =
  converging), measured in the linear regime ``|z| <= 0.01`` when the equilibrium is
  hyperbolic, otherwise over the second half of the run.
* ``frequency``: the angular velocity of a pair ``(phi_k, theta_k)`` averaged over whole turns.
* ``power``: the exponent p of a power law ``|z| ~ t^(-p)`` fitted over the second half.
* ``radius``: for trajectories settled on a closed orbit (the mean ``|theta|`` over whole turns
  changes by less than 0.1% from [2T/3, 5T/6] to [5T/6, T]), that mean over the last sixth.

Behaviours (one per trajectory, the majority is the verdict):

* ``"converges"``: ``|z|`` decays exponentially (fell 10^4-fold, or its log-log slope keeps steepening);
* ``"slow-convergence"``: a sustained power-law decay ``|z| ~ t^(-p)``, ``p >= 0.05`` (e.g.
  vanilla_ns in dimension 1, p -> 1/2);
* ``"oscillates"``: bounded, neither converging nor diverging measurably by ``t_end`` (closed
  orbits, quasi-periodic motion, or a drift too slow to measure);
* ``"limit-cycle"``: the trajectories settle on orbits of the *same* radius (within 1%) although they
  started at clearly different distances (an isolated, attracting orbit, e.g. WGAN-GP with c = 1);
* ``"diverges"``: overflow, or a sustained growth (power law or faster);
* ``"singular"``: the trajectory was stopped at a singularity of the field (NaN, infinity or a
  step-size underflow at a discontinuity).

Agreement with the symbolic classification:

* stable <-> converges, with the rate and frequency matching ``-max Re`` and ``|Im|`` of the
  dominant eigenvalues (within ``TOLERANCES``);
* unstable <-> moves away (most trajectories started ~1e-6 from the equilibrium get 1000 times
  farther; they may then diverge or settle on an orbit), with a matching growth rate measured
  while ``|z| <= 0.01``;
* center -> divergence or any bounded behaviour is consistent (the linearisation is
  inconclusive), but a bounded oscillation's frequency must match ``|Im|``;
* non-hyperbolic -> divergence or any bounded behaviour (the nonlinear terms decide);
* non-differentiable -> the numerics decide: ``agrees`` is True and the explanation says what
  was observed.

>>> from stability import analyze
>>> v = analyze("wgan_gp", params={"c": 0}).verify(samples=4)
>>> v.behaviour, v.agrees, round(v.rate, 2), round(v.frequency, 2)
('converges', True, 0.1, 0.99)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from .integrate import Status
from .checks import check_batch as _check_batch
from .simulate import Trajectories, random_states, simulate

__all__ = ["BEHAVIOURS", "TOLERANCES", "Measurement", "Verification", "verify"]

BEHAVIOURS = ("converges", "slow-convergence", "oscillates", "limit-cycle", "diverges", "singular")
BOUNDED = frozenset({"converges", "slow-convergence", "oscillates", "limit-cycle"})

#: Agreement tolerances: |measured - predicted| <= rel * |predicted| + abs.
TOLERANCES: Mapping[str, float] = MappingProxyType(
    {
        "rate_rel": 0.02,
        "rate_abs": 1e-3,
        "frequency_rel": 0.01,
        "frequency_abs": 2e-3,
        # a centre is measured at a finite amplitude, where the nonlinear terms shift the frequency
        "center_frequency_rel": 0.02,
    }
)

LINEAR_RADIUS = 1e-2  # |z| below which the linearisation is assumed to describe the motion
FLOOR = 1e-9  # |z| below which measurements are left out (solver noise)
DECADES = 1e4  # a 10^4-fold decrease counts as convergence
SETTLED = 1e-3  # relative change of the orbit's mean |theta| between two late windows
SAME_RADIUS = 1e-2  # relative spread of the settled radii for a limit cycle
MIN_POWER = 0.05  # smallest sustained power-law decay/growth exponent that counts
SUSTAINED = 0.9  # a power law keeps (at least 90% of) its exponent from [T/4, T/2] to [T/2, T]
STEPS = 4000  # output steps of a verification run
ESCAPE = 1e3  # an unstable equilibrium: trajectories must leave the ball ESCAPE times their start
STALL = 200  # solver steps per output step beyond which the step size has collapsed (a singularity)
MAX_T_END = 1e6  # beyond this the fixed output grid (STEPS points) is far too coarse to measure anything
PERIODS = 30  # a centre is followed for this many periods of its linear oscillation


# ----------------------------------------------------------------------------- measurement


@dataclass(frozen=True)
class Measurement:
    """What one trajectory did. ``rate``, ``power``, ``frequency``, ``radius`` are None when undefined.

    ``status`` is the integrator's status name, or ``"CUT_SHORT"`` for a trajectory still running
    when the run ended early (the step budget ran out; it is measured up to there).
    """

    index: int
    initial_distance: float
    final_distance: float
    max_distance: float
    status: str
    stop_time: float
    behaviour: str
    rate: float | None
    power: float | None
    frequency: float | None
    radius: float | None
    settled: bool

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _fit_slope(x: NDArray, y: NDArray) -> float | None:
    if x.size < 3 or np.ptp(x) == 0:
        return None
    return float(np.polyfit(x, y, 1)[0])


def _power(t: NDArray, r: NDArray, lo: float, hi: float) -> float | None:
    """Exponent p of ``r ~ t^(-p)`` fitted on ``lo <= t <= hi`` (points above FLOOR)."""
    sel = (t >= lo) & (t <= hi) & (r > FLOOR) & (t > 0)
    slope = _fit_slope(np.log(t[sel]), np.log(r[sel]))
    return None if slope is None else -slope


def _turns(t: NDArray, w: NDArray, lo: float, hi: float) -> tuple[float, float, int] | None:
    """First and last times of whole turns of the winding ``w`` in ``[lo, hi]``, and the number of turns."""
    sel = np.flatnonzero((t >= lo) & (t <= hi) & np.isfinite(w))
    if sel.size < 3:
        return None
    ts, ws = t[sel], w[sel]
    if ws[-1] < ws[0]:
        ws = -ws
    turns = int((ws[-1] - ws[0]) // (2 * np.pi))
    if turns < 1:
        return None
    level = ws[0] + 2 * np.pi * turns
    j = int(np.argmax(ws >= level))  # first sample at or past the last whole turn
    t_last = ts[j] if j == 0 else np.interp(level, ws[j - 1 : j + 1], ts[j - 1 : j + 1])
    return float(ts[0]), float(t_last), turns


def _frequency(t: NDArray, w: NDArray, lo: float, hi: float) -> float | None:
    """Angular frequency: whole turns of the winding angle over their duration (or the drift if < 1 turn)."""
    whole = _turns(t, w, lo, hi)
    if whole is not None:
        t0, t1, n = whole
        return 2 * np.pi * n / (t1 - t0)
    sel = (t >= lo) & (t <= hi) & np.isfinite(w)
    if sel.sum() < 2:
        return None
    ts, ws = t[sel], w[sel]
    return float(abs(ws[-1] - ws[0]) / (ts[-1] - ts[0]))


def _turn_mean(t: NDArray, y: NDArray, w: NDArray, lo: float, hi: float) -> float | None:
    """Mean of ``y`` over the whole turns contained in ``[lo, hi]`` (all of it if no whole turn)."""
    whole = _turns(t, w, lo, hi)
    a, b = (whole[0], whole[1]) if whole else (lo, hi)
    inside = (t > a) & (t < b) & np.isfinite(y)
    if b <= a or not np.isfinite(np.interp([a, b], t, y)).all():
        return None
    ts = np.r_[a, t[inside], b]
    ys = np.r_[np.interp(a, t, y), y[inside], np.interp(b, t, y)]
    return float(np.sum((ys[1:] + ys[:-1]) * np.diff(ts)) / (2 * (b - a)))


def _rate_window(t: NDArray, r: NDArray, regime: str, r0: float, t_end: float) -> NDArray[np.bool_]:
    ok = np.isfinite(r) & (r > FLOOR)
    if regime == "decay":
        sel = ok & (r <= min(LINEAR_RADIUS, 0.1 * r0))
    elif regime == "growth":
        sel = ok & (r <= LINEAR_RADIUS) & (r >= 20 * r0)
    else:
        sel = np.zeros_like(ok)
    if sel.sum() >= 10 and np.ptp(np.log(r[sel])) >= 1.0:
        # from the first to the last point of the regime (the motion need not be monotone)
        idx = np.flatnonzero(sel)
        window = np.zeros_like(ok)
        window[idx[0] : idx[-1] + 1] = True
        return window & ok
    return ok & (t >= t_end / 2)


def _accelerating(p_early: float | None, p_late: float | None) -> bool:
    """An exponential decay: on a log-log plot its slope steepens (p doubles from [T/4, T/2] to [T/2, T])."""
    return p_early is not None and p_late is not None and p_late >= 1.0 and p_late >= 1.7 * p_early


def _sustained(p_early: float | None, p_late: float | None) -> bool:
    """A power law ``t^(-p)``: p at least MIN_POWER and not fading (a settling motion's p decays to 0)."""
    return p_early is not None and p_late is not None and p_late >= MIN_POWER and p_late >= SUSTAINED * p_early


def _neg(x: float | None) -> float | None:
    return None if x is None else -x


def _measure(tr: Trajectories, k: int, regime: str) -> Measurement:
    t, r, th, w = tr.summary_times, tr.norm[k], tr.theta_norm[k], tr.winding[k]
    r0, t_end = float(r[0]), tr.t_end
    status = Status(int(tr.status[k]))
    cut = tr.note is not None and status == Status.STEP_UNDERFLOW and tr.stop_time[k] == t_end
    valid = np.isfinite(r)
    r_end = float(tr.norm[k][valid][-1]) if status != Status.OVERFLOW else float(np.linalg.norm(tr.final[k]))
    window = _rate_window(t, r, regime, r0, t_end)
    slope = _fit_slope(t[window], np.log(r[window]))
    rate = None if slope is None else -slope
    frequency = _frequency(t, w, t[window][0], t[window][-1]) if window.any() else None
    p_early, p_late = _power(t, r, t_end / 4, t_end / 2), _power(t, r, t_end / 2, t_end)
    radius, settled = None, False

    if status == Status.OVERFLOW:
        behaviour = "diverges"
    elif status != Status.OK and not cut:
        behaviour = "singular"
    elif r_end <= max(r0 / DECADES, 10 * FLOOR) or _accelerating(p_early, p_late):
        behaviour = "converges"
    elif _sustained(_neg(p_early), _neg(p_late)):
        behaviour = "diverges"
    elif _sustained(p_early, p_late):
        behaviour = "slow-convergence"
    else:
        behaviour = "oscillates"
        before = _turn_mean(t, th, w, 2 * t_end / 3, 5 * t_end / 6)
        radius = _turn_mean(t, th, w, 5 * t_end / 6, t_end)
        if before is not None and radius is not None and radius > 0:
            settled = abs(radius - before) <= SETTLED * radius
    return Measurement(
        index=k,
        initial_distance=r0,
        final_distance=r_end,
        max_distance=float(tr.max_norm[k]),
        status="CUT_SHORT" if cut else status.name,
        stop_time=float(tr.stop_time[k]),
        behaviour=behaviour,
        rate=rate,
        power=p_late,
        frequency=frequency,
        radius=radius,
        settled=settled,
    )


# ----------------------------------------------------------------------------- the record


@dataclass(frozen=True, eq=False, repr=False)
class Verification:
    """The numerical check of one analysis (see the module docstring for the rules).

    Attributes:
        variant, dim, params, regularizers: what was verified.
        classification: the symbolic verdict being checked.
        predicted_rate: ``-max Re`` of the eigenvalues (None without a Jacobian).
        predicted_frequency: ``|Im|`` of the eigenvalues with the largest real part.
        behaviour: the numeric verdict, one of :data:`BEHAVIOURS` (the majority of the trajectories).
        counts: how many trajectories showed each behaviour.
        agrees: whether the numerics are consistent with ``classification``.
        explanation: why, in plain English, with the measured figures.
        final_distance: median over trajectories of ``|z(t_end)|``.
        rate: median fitted exponential rate of ``|z|`` (positive = converging).
        frequency: median angular frequency.
        power: median exponent p of ``|z| ~ t^(-p)`` over the second half (None if undefined).
        radius: median ``|theta|`` of the closed orbits the trajectories settled on (None if none did).
        bounded: True if no trajectory diverged.
        measurements: one :class:`Measurement` per trajectory.
        settings: samples, t_end, dt, seed, radius, rtol, atol used.
        tolerances: the tolerances used for the comparisons.
    """

    variant: str
    dim: int
    params: Mapping[str, str]
    regularizers: Mapping[str, str]
    classification: str
    predicted_rate: float | None
    predicted_frequency: float | None
    behaviour: str
    counts: Mapping[str, int]
    agrees: bool
    explanation: str
    final_distance: float
    rate: float | None
    frequency: float | None
    power: float | None
    radius: float | None
    bounded: bool
    measurements: tuple[Measurement, ...] = field(default=())
    settings: Mapping[str, Any] = field(default_factory=dict)
    tolerances: Mapping[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        """A JSON-serialisable dictionary of every field."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("params", "regularizers", "counts", "settings", "tolerances"):
            out[k] = dict(out[k])
        out["measurements"] = [m.to_dict() for m in self.measurements]
        return out

    def _figures(self) -> list[tuple[str, str]]:
        rows = [("final distance", _fmt(self.final_distance))]
        for name, measured, predicted in (
            ("rate", self.rate, self.predicted_rate),
            ("frequency", self.frequency, self.predicted_frequency),
        ):
            text = _fmt(measured)
            if predicted is not None:
                text += f" (predicted {_fmt(predicted)})"
            rows.append((name, text))
        if self.power is not None and self.behaviour in ("slow-convergence", "diverges"):
            rows.append(("power", _fmt(self.power)))
        if self.radius is not None:
            rows.append(("radius", _fmt(self.radius)))
        return rows

    def __repr__(self) -> str:
        figures = ", ".join(f"{k}={v}" for k, v in self._figures())
        return (
            f"Verification({self.variant!r}, dim={self.dim}: {self.classification} -> {self.behaviour}, "
            f"agrees={self.agrees}; {figures})"
        )

    def _repr_markdown_(self) -> str:
        rows = [
            ("variant", f"`{self.variant}`, n = {self.dim}"),
            ("symbolic verdict", self.classification),
            ("numeric behaviour", f"**{self.behaviour}** ({_counts_text(self.counts)})"),
            *self._figures(),
            ("agrees", "yes" if self.agrees else "**no**"),
        ]
        table = "| | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
        return f"{table}\n\n{self.explanation}\n"


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4g}"


def _counts_text(counts: Mapping[str, int]) -> str:
    total = sum(counts.values())
    return ", ".join(f"{n}/{total} {b}" for b, n in counts.items())


def _median(values) -> float | None:
    values = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.median(values)) if values else None


# ----------------------------------------------------------------------------- predictions


def _predictions(analysis) -> tuple[float | None, float | None]:
    parts = analysis.eigenvalue_parts
    if not parts:
        return None, None
    try:
        re = [float(sp.N(p.real)) for p in parts]
        im = [abs(float(sp.N(p.imag))) for p in parts]
    except TypeError:  # symbolic
        return None, None
    top = max(re)
    return 0.0 - top, max(i for r, i in zip(re, im) if abs(r - top) <= 1e-12 * max(1.0, abs(top)))


def _close(measured: float | None, predicted: float, rel: float, absolute: float) -> bool:
    return measured is not None and abs(measured - predicted) <= rel * abs(predicted) + absolute


# ----------------------------------------------------------------------------- verdict


def _verdict(classification, behaviour, rate, frequency, p_rate, p_freq, tol, moved, total, start) -> tuple[bool, str]:
    seen = f"the trajectories {_BEHAVIOUR_TEXT[behaviour]}"
    if classification == "stable":
        if behaviour != "converges":
            return False, f"The linearisation predicts exponential convergence, but {seen}."
        ok_rate = _close(rate, p_rate, tol["rate_rel"], tol["rate_abs"])
        ok_freq = _close(frequency, p_freq, tol["frequency_rel"], tol["frequency_abs"])
        text = (
            f"The linearisation predicts exponential convergence at rate {p_rate:.4g} with angular frequency "
            f"{p_freq:.4g}; {seen}, at a measured rate {_fmt(rate)} and frequency {_fmt(frequency)}"
        )
        if ok_rate and ok_freq:
            return True, text + ": both match."
        bad = [n for n, ok in (("rate", ok_rate), ("frequency", ok_freq)) if not ok]
        return False, text + f": the {' and '.join(bad)} do not match within tolerance."
    if classification == "unstable":
        text = (
            f"The linearisation predicts that trajectories move away from the equilibrium at rate {-p_rate:.4g}; "
            f"started about {start:.3g} from it, {moved} of {total} trajectories went {ESCAPE:g} times farther "
            f"and {seen}, growing at a measured rate {_fmt(None if rate is None else -rate)}"
        )
        if 2 * moved <= total:
            return False, text + ": most did not move away."
        ok_rate = _close(rate, p_rate, tol["rate_rel"], tol["rate_abs"])
        return (True, text + ", which matches.") if ok_rate else (False, text + ", which does not match.")
    if classification == "center":
        ok_freq = _close(frequency, p_freq, tol["center_frequency_rel"], tol["frequency_abs"])
        text = (
            f"The linearisation is a centre (angular frequency {p_freq:.4g}), which is inconclusive: the nonlinear "
            f"terms decide. Numerically {seen}, with angular frequency {_fmt(frequency)}"
        )
        if behaviour == "diverges":  # a linear centre says nothing about nonlinear instability
            return True, text + "; consistent: the nonlinear terms, not the linear centre, drive them away."
        if behaviour not in BOUNDED:
            return False, text + "; the integration stopped at a singularity, so the numerics cannot confirm it."
        if not ok_freq:
            return False, text + f", which does not match {p_freq:.4g}."
        return True, text + ", matching the eigenvalues; any bounded behaviour is consistent with a centre."
    if classification == "non-hyperbolic":
        text = f"The linearisation is inconclusive (an eigenvalue with zero real part); numerically {seen}"
        if behaviour in BOUNDED or behaviour == "diverges":  # zero real parts: the nonlinear terms decide
            return True, text + ", which is consistent (the nonlinear terms decide)."
        return False, text + ": the integration stopped at a singularity, so the numerics cannot confirm it."
    # non-differentiable: no linearisation; the numerics decide.
    return True, f"There is no linearisation at the equilibrium, so the numerics decide: {seen}."


_BEHAVIOUR_TEXT = {
    "converges": "converge exponentially to the equilibrium",
    "slow-convergence": "drift toward the equilibrium sub-exponentially (a power law)",
    "oscillates": "oscillate without converging",
    "limit-cycle": "settle on the same closed orbit (a limit cycle)",
    "diverges": "diverge",
    "singular": "stop at a singularity of the field",
}


def _describe(behaviour, measurements, power, radius, final_distance, t_end) -> str:
    if behaviour == "slow-convergence" and power is not None:
        return (
            f" |z| decays like t^(-{power:.3g}) over the second half of the run (final distance {final_distance:.3g})."
        )
    if behaviour == "limit-cycle" and radius is not None:
        return f" The orbit's radius in theta is {radius:.6g}, the same for every initial state."
    if behaviour == "oscillates" and radius is not None:
        settled = sum(m.settled for m in measurements)
        return (
            f" {settled} of {len(measurements)} trajectories settled on closed orbits whose radius in theta depends "
            f"on the initial state (median {radius:.4g}); the distance stays about {final_distance:.3g}."
        )
    if behaviour == "oscillates":
        return f" The distance to the equilibrium stays about {final_distance:.3g} up to t = {t_end:g}."
    return ""


def _failures_text(measurements) -> str:
    stopped = [m for m in measurements if m.status not in ("OK", "CUT_SHORT")]  # CUT_SHORT: see the run's note
    if not stopped:
        return ""
    first = stopped[0]
    return (
        f" {len(stopped)} of {len(measurements)} trajectories stopped early (first: #{first.index}, "
        f"{first.status} at t = {first.stop_time:.4g}: {Status[first.status].message})."
    )


def _limit_cycle(measurements: list[Measurement]) -> bool:
    """Settled orbits of one common radius (within SAME_RADIUS), reached from clearly different initial distances."""
    orbits = [m for m in measurements if m.behaviour == "oscillates"]
    if len(orbits) < 2 or not all(m.settled for m in orbits):
        return False
    radii = np.array([m.radius for m in orbits])
    starts = np.array([m.initial_distance for m in orbits])
    same = np.ptp(radii) <= SAME_RADIUS * np.median(radii)
    return bool(same and np.ptp(starts) > 0.1 * np.median(starts))


def _default_t_end(classification: str, p_rate: float | None, p_freq: float | None) -> float:
    if classification in ("stable", "unstable") and p_rate:
        t_end = (15.0 if p_rate > 0 else 30.0) / abs(p_rate)
    elif classification in ("center", "non-hyperbolic") and p_freq:
        t_end = PERIODS * 2 * np.pi / p_freq
    else:
        return 200.0
    return float(np.clip(t_end, 50.0, 2000.0))


def verify(
    analysis,
    *,
    samples: int = 8,
    x0=None,
    t_end: float | None = None,
    seed: int | None = 0,
    radius: float | None = None,
    rtol: float = 1e-6,
    atol: float = 1e-12,
    max_steps: int = 100_000,
    progress: Callable[[float], Any] | None = None,
) -> Verification:
    """Integrate ``analysis`` from random initial states and check its classification.

    Args:
        analysis: an :class:`~stability.Analysis` with numeric parameters.
        samples: number of random initial states (uniform in the ball of ``radius``; see
            :func:`stability.numerics.simulate.random_states`).
        x0: explicit initial states ``(K, 2n)`` instead of random ones.
        t_end: length of the run. Default: ``15 / rate`` for a stable equilibrium (|z| falls
            ~e^15-fold), ``30 / rate`` for an unstable one, 30 periods ``2 pi / |Im|`` for a centre
            (all clipped to [50, 2000]), and 200 otherwise.
        seed: seed of the random initial states (default 0: reproducible).
        radius: radius of the ball of initial states; default 0.5, or 1e-6 for an unstable
            equilibrium (its growth rate is measured in the linear regime).
        rtol, atol: solver tolerances.
        max_steps: budget of solver steps. A trajectory that approaches a singularity (e.g.
            WGAN with L2, whose ``|phi|`` decays to the singular set ``phi = 0``) makes the shared
            step collapse; the run then ends early (also when one output step needs more than
            200 solver steps), the behaviour is measured up to there, and the explanation says so.
        progress: called with the fraction done, as in :func:`stability.numerics.simulate.simulate`.

    Returns:
        A :class:`Verification`.

    >>> from stability import analyze
    >>> analyze("vanilla_ns").verify(samples=4).behaviour
    'oscillates'
    """
    classification = analysis.classification
    p_rate, p_freq = _predictions(analysis)
    decisive = classification in ("stable", "unstable") and p_rate is not None
    regime = {"stable": "decay", "unstable": "growth"}.get(classification, "late") if decisive else "late"
    if radius is None:
        radius = 1e-6 if regime == "growth" else 0.5
    if t_end is None:
        t_end = _default_t_end(classification, p_rate, p_freq)
    if isinstance(t_end, bool) or not isinstance(t_end, (int, float)) or not 0 < t_end <= MAX_T_END:
        raise InvalidParameterError(f"t_end must be a positive number up to {MAX_T_END:g}; received {t_end!r}")
    t_end = float(t_end)
    if x0 is None:
        if isinstance(samples, bool) or not isinstance(samples, int) or samples < 1:
            raise InvalidParameterError(f"samples must be a positive integer; received {samples!r}")
        _check_batch(samples, analysis.dim)
        x0 = random_states(analysis.dim, samples, seed=seed, radius=radius)
    tr = simulate(
        analysis,
        x0,
        t_end,
        dt=t_end / STEPS,
        rtol=rtol,
        atol=atol,
        store=False,
        summary_every=1,
        ema=(),
        blowup=1e6,
        progress=progress,
        warn=False,
        max_steps=max_steps,
        max_steps_per_output=STALL,
    )
    measurements = [_measure(tr, k, regime) for k in range(tr.samples)]
    if _limit_cycle(measurements):
        measurements = [
            m if m.behaviour != "oscillates" else _replace(m, behaviour="limit-cycle") for m in measurements
        ]
    counts = Counter(m.behaviour for m in measurements)
    behaviour = max(BEHAVIOURS, key=lambda b: (counts.get(b, 0), -BEHAVIOURS.index(b)))
    major = [m for m in measurements if m.behaviour == behaviour]
    pool = measurements if regime == "growth" else major  # growth is measured before any behaviour sets in
    rate = _median(m.rate for m in pool)
    frequency = _median(m.frequency for m in pool)
    power = _median(m.power for m in major)
    radius_ = _median(m.radius for m in major if m.settled)
    final_distance = _median(m.final_distance for m in measurements)
    moved = sum(m.max_distance >= ESCAPE * m.initial_distance for m in measurements)
    agrees, text = _verdict(
        classification,
        behaviour,
        rate,
        frequency,
        p_rate,
        p_freq,
        TOLERANCES,
        moved,
        len(measurements),
        _median(m.initial_distance for m in measurements),
    )
    text += _describe(behaviour, major, power, radius_, final_distance, t_end)
    if len(counts) > 1:
        text += f" Not unanimous: {_counts_text(dict(counts))}."
    text += _failures_text(measurements)
    if tr.note:
        text += f" The run ended early: {tr.cutoff.summary}."
    text += f" ({tr.samples} trajectories, t in [0, {tr.t_end:g}], dimension n = {analysis.dim}.)"
    return Verification(
        variant=analysis.variant.name,
        dim=analysis.dim,
        params=MappingProxyType({k: str(v) for k, v in analysis.params.items()}),
        regularizers=MappingProxyType({k: str(v) for k, v in analysis.regularizers.items()}),
        classification=classification,
        predicted_rate=p_rate,
        predicted_frequency=p_freq,
        behaviour=behaviour,
        counts=MappingProxyType(dict(counts)),
        agrees=agrees,
        explanation=text,
        final_distance=final_distance,
        rate=rate,
        frequency=frequency,
        power=power,
        radius=radius_,
        bounded=not any(m.behaviour == "diverges" for m in measurements),
        measurements=tuple(measurements),
        settings=MappingProxyType(
            {
                "samples": tr.samples,
                "t_end": t_end,
                "dt": tr.dt,
                "seed": seed,
                "radius": radius,
                "rtol": rtol,
                "atol": atol,
            }
        ),
        tolerances=TOLERANCES,
    )


def _replace(m: Measurement, **changes) -> Measurement:
    from dataclasses import replace

    return replace(m, **changes)
