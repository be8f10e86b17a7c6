"""``verify_map()``: iterate the real update of a discrete analysis and check its verdict.

The run is :func:`~stability.numerics.iterate.iterate` from random initial states (8 states,
seed 0; radius 0.5, or at most 1e-9 for an unstable equilibrium so that the growth is measured in
the linear regime). Per trajectory:

* ``factor``: the measured contraction per step, ``exp`` of the slope of a least-squares fit of
  ``log |z_k|`` against ``k``: over the linear regime (``|z| <= 0.01``, past the start) when the
  linearisation decides, else over the second half of the run. It is compared with the
  spectral radius ``rho`` of the update map's Jacobian through the per-step rates
  ``-log factor`` and ``-log rho`` (within :data:`TOLERANCES`).
* ``behaviour`` (:class:`~stability.verdicts.Behaviour`): ``converges`` (``|z|`` fell 10^4-fold, reached
  the equilibrium to floating-point precision, or decays faster than any power law),
  ``period-2`` (bounded, ``z_{k+2} = z_k != z_{k+1}`` at the end: a cycle after a flip),
  ``diverges`` (beyond the blow-up threshold, or a sustained growth), ``slow-convergence``
  (a sustained power-law decay), ``oscillates`` (bounded, neither), ``singular`` (NaN or
  infinity: a singular point of the field or a singular solve).

Agreement (:class:`~stability.numerics.outcomes.Agreement`): for ``stable`` the trajectories
must converge at the predicted factor; for ``unstable`` most must move 1000 times farther away,
growing at the predicted factor. ``neutral`` (``rho = 1``), ``no-linearization`` and
``non-differentiable`` are inconclusive by nature: the numerics decide, the record says what
they saw, and ``agrees`` is None. A run too short for the predicted rate is inconclusive too.

>>> from stability import analyze
>>> a = analyze("wgan_gp", params={"c": 0}, optimizer="altgd", lr=0.5)
>>> v = verify_map(a, samples=4)
>>> v.behaviour, v.agrees, round(v.contraction, 4) == round(float(a.spectral_radius), 4)
('converges', True, True)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from ..verdicts import Behaviour, Classification, TimeDomain
from .checks import check_count
from .inputs import beta, check_seed, positive, states
from .integrate import Status
from .iterate import Iterates, iterate
from .outcomes import Agreement, Observed
from .records import FrozenMap, Record

__all__ = ["MapMeasurement", "MapVerification", "verify_map", "TOLERANCES", "MAP_BEHAVIOURS"]

#: Agreement tolerance on the per-step rate ``-log(factor)``: ``|measured - predicted| <= rel |predicted| + abs``.
TOLERANCES: Mapping[str, float] = FrozenMap({"rate_rel": 0.02, "rate_abs": 2e-4})

#: Every per-trajectory label, in the order used to list (and to break ties).
MAP_BEHAVIOURS = (
    Behaviour.CONVERGES,
    Behaviour.SLOW_CONVERGENCE,
    Behaviour.OSCILLATES,
    Behaviour.PERIOD_2,
    Behaviour.DIVERGES,
    Behaviour.SINGULAR,
    Observed.STATIONARY,
)

LINEAR_RADIUS = 1e-2  # |z| below which the linearisation describes the motion
PAST_START = 100  # growth is fitted once |z| is this many times its start (past the transient)
MIN_POINTS = 5  # fewest steps in a fit window of the linear regime
FLOOR = 1e-100  # |z| below which points are left out of the fits (far above underflow)
DECADES = 1e4  # a 10^4-fold decrease counts as convergence
ESCAPE = 1e3  # an unstable equilibrium: trajectories must get ESCAPE times farther than they started
MIN_POWER = 0.05  # smallest sustained power-law exponent that counts
SUSTAINED = 0.9  # a power law keeps 90% of its exponent from [N/4, N/2] to [N/2, N]
CYCLE = 1e-6  # |z_N - z_{N-2}| <= CYCLE |z_N| (and |z_N - z_{N-1}| >= 1e-2 |z_N|): a period-2 cycle
E_FOLDS = {"decay": 40, "growth": 12}  # default run: this many e-folds of the predicted rate
MIN_STEPS, MAX_STEPS, NEUTRAL_STEPS = 500, 100_000, 5000
JORDAN_SLACK = 0.15  # a fitted k^c prefactor counts as a Jordan block when c is this close to an integer
LOCAL_RADIUS = 1e-3  # a stable equilibrium whose iterates do not converge from 0.5 is checked again from here
SUMMARY_POINTS = 20_000  # summaries on every step up to this many steps


# ----------------------------------------------------------------------------- measurement


@dataclass(frozen=True, eq=False)
class MapMeasurement(Record):
    """What one iterated trajectory did. ``factor`` and ``power`` are None when they cannot be fitted.

    ``jordan_factor`` and ``jordan_power`` fit ``|z_k| ~ k^c rho^k`` over the same window (the
    decay or growth of a defective eigenvalue, a Jordan block of size ``c + 1``), when the window
    spans at least a factor 2 in k.
    """

    index: int
    initial_distance: float
    final_distance: float
    max_distance: float
    status: str
    stop_step: int
    behaviour: Behaviour | Observed
    factor: float | None
    power: float | None
    jordan_factor: float | None = None
    jordan_power: float | None = None

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _slope(x: NDArray, y: NDArray) -> float | None:
    if x.size < 3 or np.ptp(x) == 0:
        return None
    return float(np.polyfit(x, y, 1)[0])


def _jordan_fit(k: NDArray, y: NDArray) -> tuple[float | None, float | None]:
    """``(exp(b), c)`` of the least-squares fit ``y = a + b k + c log k`` (None when not identifiable)."""
    if k.size < 5 or k[0] < 1 or k[-1] < 2 * k[0]:
        return None, None
    design = np.column_stack([np.ones_like(k), k, np.log(k)])
    (_, b, c), *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(math.exp(b)), float(c)


def _power(k: NDArray, r: NDArray, lo: float, hi: float) -> float | None:
    sel = (k >= max(lo, 1.0)) & (k <= hi) & np.isfinite(r) & (r > FLOOR)
    s = _slope(np.log(k[sel]), np.log(r[sel]))
    return None if s is None else -s


def _window(k: NDArray, r: NDArray, regime: str, r0: float, last: float) -> NDArray[np.bool_]:
    ok = np.isfinite(r) & (r > FLOOR)
    if regime == "late":
        return ok & (k >= last / 2)
    if regime == "decay":
        sel = ok & (r <= min(LINEAR_RADIUS, 0.1 * r0))
    else:  # from past the start's transient up to the first exit from the linear regime
        sel = ok & (r >= PAST_START * r0)
        first = int(np.argmax(sel)) if sel.any() else r.size
        out = np.flatnonzero(r[first:] > LINEAR_RADIUS)
        sel[first + (out[0] if out.size else r.size - first) :] = False
    if sel.sum() >= MIN_POINTS and np.ptp(np.log(r[sel])) >= 1.0:
        idx = np.flatnonzero(sel)
        window = np.zeros_like(ok)
        window[idx[0] : idx[-1] + 1] = True
        return window & ok
    if regime == "decay":
        return ok & (k >= last / 2)  # the second half of a converging run is in the linear regime
    return np.zeros_like(ok)  # growth seen only beyond the linear regime: no factor


def _period_two(tail: NDArray) -> bool:
    z2, z1, z0 = tail  # z_{N-2}, z_{N-1}, z_N
    if not np.isfinite(tail).all():
        return False
    size = np.linalg.norm(z0)
    return bool(
        size > 1e3 * FLOOR and np.linalg.norm(z0 - z2) <= CYCLE * size and np.linalg.norm(z0 - z1) >= 1e-2 * size
    )


def _measure(it: Iterates, j: int, regime: str) -> MapMeasurement:
    k, r = it.summary_times, it.norm[j]
    r0 = float(np.linalg.norm(it.x0[j]))
    status = Status(int(it.status[j]))
    last = float(it.stop_time[j])
    r_end = float(np.linalg.norm(it.final[j]))
    window = _window(k, r, regime, r0, last)
    s = _slope(k[window], np.log(r[window]))
    factor = None if s is None else math.exp(s)
    jordan = _jordan_fit(k[window], np.log(r[window])) if regime != "late" else (None, None)
    p_early, p_late = _power(k, r, last / 4, last / 2), _power(k, r, last / 2, last)
    if status == Status.OVERFLOW:
        behaviour = Behaviour.DIVERGES
    elif status != Status.OK:
        behaviour = Behaviour.SINGULAR
    elif r0 == 0 or float(it.max_norm[j]) == float(it.min_norm[j]):
        behaviour = Observed.STATIONARY
    elif bool(it.settled[j]) or r_end <= max(r0 / DECADES, FLOOR) or _faster_than_power(p_early, p_late):
        behaviour = Behaviour.CONVERGES
    elif _period_two(it.tail[j]):
        behaviour = Behaviour.PERIOD_2
    elif _sustained(_neg(p_early), _neg(p_late)):
        behaviour = Behaviour.DIVERGES
    elif _sustained(p_early, p_late):
        behaviour = Behaviour.SLOW_CONVERGENCE
    else:
        behaviour = Behaviour.OSCILLATES
    return MapMeasurement(
        index=j,
        initial_distance=r0,
        final_distance=r_end,
        max_distance=float(it.max_norm[j]),
        status=status.name,
        stop_step=int(last),
        behaviour=behaviour,
        factor=factor,
        power=p_late,
        jordan_factor=jordan[0],
        jordan_power=jordan[1],
    )


def _faster_than_power(p_early, p_late) -> bool:
    """An exponential decay: on a log-log plot its slope steepens (p doubles from [N/4, N/2] to [N/2, N])."""
    return p_early is not None and p_late is not None and p_late >= 1.0 and p_late >= 1.7 * p_early


def _sustained(p_early, p_late) -> bool:
    return p_early is not None and p_late is not None and p_late >= MIN_POWER and p_late >= SUSTAINED * p_early


def _neg(x):
    return None if x is None else -x


def _median(values) -> float | None:
    values = [v for v in values if v is not None and math.isfinite(v)]
    return float(np.median(values)) if values else None


# ----------------------------------------------------------------------------- the record


@dataclass(frozen=True, eq=False, repr=False)
class MapVerification(Record):
    """The numerical check of a discrete analysis by iterating its real update.

    Attributes:
        variant, dim, params, regularizers: what was verified.
        optimizer: the optimiser, as text; ``lr``: ``{"d": h_d, "g": h_g}`` as text.
        classification: the symbolic verdict being checked.
        predicted_radius: the spectral radius ``rho`` of the update map's Jacobian (None without one).
        behaviour: the majority behaviour (see the module docstring); ``counts``: how many of each.
        agreement: :class:`~stability.numerics.outcomes.Agreement`; :attr:`agrees` is its True/False/None.
        explanation: why, in plain English, with the measured figures.
        contraction: the median measured factor per step (``< 1`` contracting).
        final_distance: median ``|z|`` at the last step.
        bounded: True if no trajectory diverged.
        ema_distance: with ``ema=beta``, the median final ``|theta_ema|`` of the generator's weight
            EMA (``theta_distance``: the median final ``|theta|``, for comparison); else None.
        measurements: one :class:`MapMeasurement` per trajectory.
        settings: samples, steps, seed, radius (and ema) used; ``tolerances``: see :data:`TOLERANCES`.
    """

    variant: str
    dim: int
    params: Mapping[str, str]
    regularizers: Mapping[str, str]
    optimizer: str
    lr: Mapping[str, str]
    classification: str
    predicted_radius: float | None
    behaviour: Behaviour | Observed
    counts: Mapping[str, int]
    agreement: Agreement
    explanation: str
    contraction: float | None
    final_distance: float | None
    bounded: bool
    ema_distance: float | None = None
    theta_distance: float | None = None
    measurements: tuple[MapMeasurement, ...] = ()
    settings: Mapping[str, Any] = field(default_factory=FrozenMap)
    tolerances: Mapping[str, float] = field(default_factory=FrozenMap)

    @property
    def agrees(self) -> bool | None:
        """True, False, or None when the comparison is inconclusive (see :attr:`explanation`)."""
        return self.agreement.agrees

    @property
    def time_domain(self) -> TimeDomain:
        return TimeDomain.DISCRETE

    def to_dict(self) -> dict:
        """A JSON-serialisable dictionary of every field."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("params", "regularizers", "lr", "counts", "settings", "tolerances"):
            out[k] = dict(out[k])
        out["agrees"] = self.agrees
        out["time_domain"] = str(TimeDomain.DISCRETE)
        out["measurements"] = [m.to_dict() for m in self.measurements]
        return out

    def __repr__(self) -> str:
        lr = self.lr["d"] if self.lr["d"] == self.lr["g"] else f"(d: {self.lr['d']}, g: {self.lr['g']})"
        rho = "" if self.predicted_radius is None else f" (rho = {self.predicted_radius:.6g})"
        return (
            f"MapVerification({self.variant!r}, dim={self.dim}, {self.optimizer} at lr {lr}: "
            f"{self.classification}{rho} -> {self.behaviour}, contraction per step {_fmt(self.contraction)}, "
            f"{self.agreement})"
        )

    def _repr_markdown_(self) -> str:
        rows = [
            ("variant", f"`{self.variant}`, n = {self.dim}"),
            ("optimizer", f"`{self.optimizer}`, lr = {dict(self.lr)}"),
            (
                "symbolic verdict",
                f"{self.classification}"
                + ("" if self.predicted_radius is None else f" (rho = {self.predicted_radius:.6g})"),
            ),
            ("numeric behaviour", f"**{self.behaviour}** ({_counts_text(self.counts)})"),
            ("contraction per step", _fmt(self.contraction)),
            ("agreement", f"**{self.agreement}**"),
        ]
        table = "| | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)
        return f"{table}\n\n{self.explanation}\n"


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.6g}"


def _counts_text(counts: Mapping[str, int]) -> str:
    total = sum(counts.values())
    return ", ".join(f"{n}/{total} {b}" for b, n in counts.items())


# ----------------------------------------------------------------------------- prediction and verdict


def _predicted_radius(analysis) -> float | None:
    rho = getattr(analysis, "spectral_radius", None)
    if rho is None:
        return None
    try:
        return float(sp.N(rho, 30))
    except TypeError:  # symbolic
        return None


def _growth_radius(rho: float) -> float:
    """Small enough that ``|z|`` takes 12 steps of the factor ``rho`` from PAST_START starts to LINEAR_RADIUS."""
    log_r = math.log(LINEAR_RADIUS / PAST_START) - 12 * math.log(rho)
    return math.exp(max(math.log(1e-200), min(math.log(1e-9), log_r)))


def _default_steps(regime: str, rho) -> int:
    if regime in E_FOLDS and rho is not None and rho > 0:
        rate = abs(math.log(rho))
        if rate > 0:
            return int(min(MAX_STEPS, max(MIN_STEPS, math.ceil(E_FOLDS[regime] / rate) + 50)))
    return NEUTRAL_STEPS


def _rates_match(factor, rho, tol) -> bool:
    if factor is None or factor <= 0 or rho is None or rho <= 0:
        return False
    measured, predicted = -math.log(factor), -math.log(rho)
    return abs(measured - predicted) <= tol["rate_rel"] * abs(predicted) + tol["rate_abs"]


_SEEN = {
    Behaviour.CONVERGES: "converge to the equilibrium",
    Behaviour.SLOW_CONVERGENCE: "approach the equilibrium sub-exponentially (a power law)",
    Behaviour.OSCILLATES: "stay bounded without converging",
    Behaviour.PERIOD_2: "settle on a cycle of period 2 (z_{k+2} = z_k)",
    Behaviour.DIVERGES: "diverge",
    Behaviour.SINGULAR: "stop at a singular point (NaN or infinity)",
    Observed.STATIONARY: "do not move (they start at an equilibrium)",
}


def _jordan_text(jordan, rho, tol, size) -> str | None:
    """How a mismatched factor is explained by a defective eigenvalue: ``|z_k| ~ k^c rho^k``, c a small integer."""
    j_factor, c = jordan
    if j_factor is None or c is None or not _rates_match(j_factor, rho, tol):
        return None
    whole = round(c)
    if not (1 <= abs(whole) < size and abs(c - whole) <= JORDAN_SLACK):
        return None
    return (
        f"; fitted as |z_k| ~ k^c rho^k the factor is {j_factor:.6g} with c = {c:.3g}, which matches: the dominant "
        f"eigenvalue is defective (a Jordan block of size {abs(whole) + 1}), so |z_k| behaves like k^{whole} rho^k"
    )


def _verdict(classification, behaviour, factor, rho, moved, total, start, steps, tol, jordan=(None, None), size=2):
    seen = f"the iterates {_SEEN[behaviour]}"
    if classification == Classification.STABLE and rho is not None:
        head = f"The update map's Jacobian has spectral radius {rho:.6g} < 1: the iterates should contract by that "
        head += f"factor per step; {seen}, at a measured factor {_fmt(factor)} per step"
        if behaviour == Behaviour.CONVERGES:
            if factor is None:
                return Agreement.AGREES, head + " (too few steps in the linear regime to fit the factor)."
            if _rates_match(factor, rho, tol):
                return Agreement.AGREES, head + ", which matches" + (_jordan_text(jordan, rho, tol, size) or "") + "."
            explained = _jordan_text(jordan, rho, tol, size)
            if explained:
                return Agreement.AGREES, head + explained + "."
            return Agreement.DISAGREES, head + ", which does not match within tolerance."
        if behaviour == Behaviour.SINGULAR:
            return Agreement.INCONCLUSIVE, head + ": the run cannot confirm it."
        if steps * -math.log(rho) < 10:
            return Agreement.INCONCLUSIVE, head + f": {steps} steps are too few to see a contraction that slow."
        return Agreement.DISAGREES, head + "."
    if classification == Classification.UNSTABLE and rho is not None:
        head = (
            f"The update map's Jacobian has spectral radius {rho:.6g} > 1: the iterates should move away, growing by "
            f"that factor per step; started about {start:.3g} from the equilibrium, {moved} of {total} went "
            f"{ESCAPE:g} times farther and {seen}, growing at a measured factor {_fmt(factor)} per step"
        )
        if 2 * moved <= total:
            if behaviour == Behaviour.SINGULAR or steps * math.log(rho) < 10:
                return Agreement.INCONCLUSIVE, head + ": the run cannot show it."
            return Agreement.DISAGREES, head + ": most did not move away."
        if factor is None:
            return Agreement.INCONCLUSIVE, head + " (the growth could not be fitted in the linear regime)."
        if _rates_match(factor, rho, tol):
            return Agreement.AGREES, head + ", which matches" + (_jordan_text(jordan, rho, tol, size) or "") + "."
        explained = _jordan_text(jordan, rho, tol, size)
        if explained:
            return Agreement.AGREES, head + explained + "."
        return Agreement.DISAGREES, head + ", which does not match within tolerance."
    if classification == Classification.NEUTRAL:
        return Agreement.INCONCLUSIVE, (
            "The update map's Jacobian has spectral radius exactly 1: the linearisation is inconclusive and the "
            f"nonlinear terms decide. Numerically {seen} (factor {_fmt(factor)} per step over the second half)."
        )
    if classification in (Classification.NO_LINEARIZATION, Classification.NON_DIFFERENTIABLE):
        return Agreement.INCONCLUSIVE, (
            f"There is no linearisation at the equilibrium ({classification}), so the numerics decide: {seen} "
            f"(factor {_fmt(factor)} per step over the second half)."
        )
    return Agreement.INCONCLUSIVE, f"The verdict is {classification}; numerically {seen}."


# ----------------------------------------------------------------------------- verify_map


@dataclass(frozen=True)
class _Run:
    iterates: Iterates
    measurements: list
    behaviour: Behaviour | Observed
    counts: Counter

    @classmethod
    def of(cls, analysis, x0, steps, seed, radius, betas, blowup, regime) -> _Run:
        every = max(1, math.ceil(steps / SUMMARY_POINTS))
        it = iterate(
            analysis,
            x0,
            steps,
            seed=seed,
            radius=radius,
            store=False,
            summary_every=every,
            ema=betas,
            blowup=blowup,
            warn=False,
        )
        measurements = [_measure(it, j, regime) for j in range(it.samples)]
        counts = Counter(m.behaviour for m in measurements)
        behaviour = max(MAP_BEHAVIOURS, key=lambda b: (counts.get(b, 0), -MAP_BEHAVIOURS.index(b)))
        return cls(it, measurements, behaviour, counts)


def verify_map(
    analysis,
    *,
    samples: int = 8,
    x0=None,
    steps: int | None = None,
    seed: int | None = 0,
    radius: float | None = None,
    ema: float | None = None,
    blowup: float = 1e8,
) -> MapVerification:
    """Iterate the real update of a discrete ``analysis`` from random starts and check its verdict.

    Args:
        analysis: a discrete :class:`~stability.Analysis` (``analyze(..., optimizer=, lr=)``) with
            numeric parameters, learning rates and hyperparameters.
        samples: number of random initial states (uniform in the ball of ``radius``).
        x0: explicit initial states ``(K, 2n)`` instead of random ones.
        steps: training steps; default: 40 e-folds of the predicted rate ``|log rho|`` (12 when
            unstable) plus 50, clipped to [500, 100000], or 5000 when the linearisation is inconclusive.
        seed: seed of the random initial states (default 0: reproducible).
        radius: default 0.5 (for a stable equilibrium whose iterates do not converge from there,
            the check is repeated from 1e-3 and the explanation says so); for an unstable
            equilibrium ``min(1e-9, 1e-4 / rho^12)`` (at least 1e-200), so that the growth is
            followed over at least 12 steps in the linear regime.
        ema: a beta in [0, 1): also report the generator's weight EMA (its final distance).
        blowup: a trajectory with a parameter beyond this is stopped as diverging.

    Returns:
        A :class:`MapVerification`.
    """
    if getattr(analysis, "time_domain", None) != TimeDomain.DISCRETE:
        raise InvalidParameterError(
            "verify_map checks a discrete analysis: analyze(..., optimizer=..., lr=...); "
            "a gradient-flow analysis is checked by integrating it (Analysis.verify)"
        )
    seed = check_seed(seed)
    classification = Classification(analysis.classification)
    rho = _predicted_radius(analysis)
    regime = {Classification.STABLE: "decay", Classification.UNSTABLE: "growth"}.get(classification, "late")
    if rho is None:
        regime = "late"
    if radius is None:
        radius = _growth_radius(rho) if regime == "growth" else 0.5
    radius, blowup = positive("radius", radius), positive("blowup", blowup)
    steps = _default_steps(regime, rho) if steps is None else check_count("steps", steps)
    betas = () if ema is None else (beta(ema),)
    explicit = x0 is not None
    x0 = states(x0, analysis.dim) if explicit else check_count("samples", samples)
    run = _Run.of(analysis, x0, steps, seed, radius, betas, blowup, regime)
    prefix = ""
    if (
        classification == Classification.STABLE
        and regime == "decay"
        and not explicit
        and radius > LOCAL_RADIUS
        and run.behaviour not in (Behaviour.CONVERGES, Behaviour.SINGULAR)
    ):
        # Local stability is local: at a large step the basin can be smaller than the ball of starts.
        prefix = (
            f"From starts within {radius:g} of the equilibrium the iterates {_SEEN[run.behaviour]} "
            f"({_counts_text({str(b): c for b, c in run.counts.items()})}): those starts lie outside its basin of "
            f"attraction at this learning rate, so the check is repeated within {LOCAL_RADIUS:g}. "
        )
        radius = LOCAL_RADIUS
        run = _Run.of(analysis, x0, steps, seed, radius, betas, blowup, regime)
    it, measurements, behaviour, counts = run.iterates, run.measurements, run.behaviour, run.counts
    pool = measurements if regime == "growth" else [m for m in measurements if m.behaviour == behaviour]
    factor = _median(m.factor for m in pool)
    jordan = (_median(m.jordan_factor for m in pool), _median(m.jordan_power for m in pool))
    size = 2 * analysis.dim * (1 + analysis.optimizer.memory)  # the state's dimension bounds a Jordan block
    moved = sum(m.max_distance >= ESCAPE * m.initial_distance for m in measurements)
    start = _median(m.initial_distance for m in measurements) or 0.0
    agreement, text = _verdict(
        classification, behaviour, factor, rho, moved, len(measurements), start, steps, TOLERANCES, jordan, size
    )
    text = prefix + text
    if len(counts) > 1:
        text += " Not unanimous: " + _counts_text({str(b): c for b, c in counts.items()}) + "."
    stopped = [m for m in measurements if m.status != "OK"]
    if stopped and behaviour not in (Behaviour.DIVERGES, Behaviour.SINGULAR):
        text += f" {len(stopped)} of {len(measurements)} trajectories stopped early ({stopped[0].status})."
    ema_distance = theta_distance = None
    if betas:
        ema_distance = _median(np.linalg.norm(it.ema_final(betas[0]), axis=1))
        theta_distance = _median(np.linalg.norm(it.final[:, analysis.dim :], axis=1))
        text += (
            f" The generator's weight EMA (beta = {betas[0]:g}) ends {_fmt(ema_distance)} from the equilibrium "
            f"(theta itself: {_fmt(theta_distance)})."
        )
    text += f" ({it.samples} trajectories, {steps} steps, dimension n = {analysis.dim}.)"
    lr = analysis.lr
    return MapVerification(
        variant=analysis.variant.name,
        dim=analysis.dim,
        params=FrozenMap({k: str(v) for k, v in analysis.params.items()}),
        regularizers=FrozenMap({k: str(v) for k, v in analysis.regularizers.items()}),
        optimizer=repr(analysis.optimizer),
        lr=FrozenMap({"d": str(lr.d), "g": str(lr.g)}),
        classification=str(classification),
        predicted_radius=rho,
        behaviour=behaviour,
        counts=FrozenMap({str(b): c for b, c in counts.items()}),
        agreement=agreement,
        explanation=text,
        contraction=factor,
        final_distance=_median(m.final_distance for m in measurements),
        bounded=not any(m.behaviour == Behaviour.DIVERGES for m in measurements),
        ema_distance=ema_distance,
        theta_distance=theta_distance,
        measurements=tuple(measurements),
        settings=FrozenMap(
            {"samples": it.samples, "steps": steps, "seed": seed, "radius": radius, "ema": betas[0] if betas else None}
        ),
        tolerances=TOLERANCES,
    )
