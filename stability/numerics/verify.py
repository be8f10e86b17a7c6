"""``verify()``: integrate the training ODE and check the symbolic verdict against what the trajectories do.

Every figure is *measured* on trajectories from random initial states (:func:`simulate` in
summary mode; 8 states uniform in the ball of radius 0.5, seed 0, rtol 1e-6, atol 1e-12, at
least 4000 output steps and at least 16 per predicted period), then compared with the eigenvalues
where the linearisation decides (:mod:`stability.numerics.agreement`):

* ``rate``: the fitted exponential rate of ``|z(t)|`` (``log |z| ~ -rate * t``, with the
  polynomial factor of a Jordan block divided out; positive = converging), measured in the
  linear regime ``|z| <= 0.01`` when the equilibrium is hyperbolic, otherwise over the second half;
* ``frequency``: the angular velocity of a pair ``(phi_k, theta_k)`` averaged over whole turns;
* ``power``: the exponent p of a power law ``|z| ~ t^(-p)`` fitted over the second half;
* ``radius``: for trajectories settled on a closed orbit, its largest ``|theta|`` over the whole
  turns of the last sixth of the run (the circle's radius in dimension n >= 2, the amplitude in
  dimension 1); see :mod:`stability.numerics.behaviour` for "settled".

Each trajectory gets a behaviour label (:mod:`stability.numerics.behaviour`); the verdict is the
majority of the trajectories that moved, or ``split`` on a tie. ``limit-cycle``: settled orbits of
the *same* radius (within 1%) from clearly different starts (e.g. WGAN-GP with c = 1).

The outcome (:class:`~stability.numerics.outcomes.Agreement`) is ``agrees``, ``disagrees`` or
``inconclusive``; ``agrees`` is True, False or None accordingly. A run shorter than the verdict
needs (:func:`~stability.numerics.predict.needed_time`) neither agrees nor disagrees: it is
inconclusive and :attr:`Verification.needed_t_end` says how long a run must be (unless every start
is an equilibrium, or the trajectories blew up in finite time: facts a run of any length shows).

>>> from stability import analyze
>>> v = analyze("wgan_gp", params={"c": 0}).verify(samples=4)
>>> v.behaviour, v.agrees, round(v.rate, 2), round(v.frequency, 2)
('converges', True, 0.1, 0.99)
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from ..errors import InvalidParameterError
from ..verdicts import Behaviour, Classification
from .agreement import TOLERANCES, Seen, judge
from .behaviour import Measurement, measure_trajectory
from .checks import check_batch, check_count
from .field import numeric_field
from .inputs import check_seed, positive, real, states
from .integrate import Status
from .outcomes import BEHAVIOURS, Agreement, Label, Observed
from .predict import DEFAULT_RANGE, ESCAPE, Prediction, default_t_end, needed_time, predict
from .records import FrozenMap, Record
from .simulate import random_states, simulate
from .trajectories import Trajectories

__all__ = ["BEHAVIOURS", "TOLERANCES", "Agreement", "Measurement", "Verification", "verify"]

STEPS = 4000  # output steps of a verification run (at least)
STEPS_PER_PERIOD = 16  # output steps per period of the predicted oscillation (at least)
MAX_STEPS_OUT = 2_000_000  # output steps beyond which a run is refused
SUMMARY_POINTS = 40_000  # the summaries are decimated to at most this many points
MAX_SOLVER_STEPS = 100_000  # default solver-step budget (at least; 20 per output step for long runs)
STALL = 200  # solver steps per output step beyond which the step size has collapsed (a singularity)
MAX_T_END = 1e6  # longest run
BLOWUP = 1e6  # a trajectory beyond this is stopped as diverging
SAME_RADIUS = 1e-2  # relative spread of the settled radii for a limit cycle


# ----------------------------------------------------------------------------- the record


@dataclass(frozen=True, eq=False, repr=False, slots=True)
class Verification(Record):
    """The numerical check of one analysis (see the module docstring for the rules).

    Attributes:
        variant, dim, params, regularizers: what was verified.
        classification: the symbolic verdict being checked.
        predicted_rate: ``-max Re`` of the eigenvalues (None without a Jacobian).
        predicted_frequency: ``|Im|`` of the eigenvalues with the largest real part.
        behaviour: the numeric verdict, one of :data:`BEHAVIOURS` (the majority of the trajectories
            that moved), or ``split`` on a tie (then :attr:`split` lists the tied labels).
        counts: how many trajectories showed each behaviour.
        outcome: ``agrees``, ``disagrees`` or ``inconclusive``.
        agrees: True, False, or None when inconclusive.
        explanation: why, in plain English, with the measured figures.
        final_distance: median over trajectories of ``|z(t_end)|``.
        rate: median fitted exponential rate of ``|z|`` (positive = converging).
        frequency: median angular frequency.
        power: median exponent p of ``|z| ~ t^(-p)`` over the second half (None if undefined).
        radius: median radius (largest ``|theta|``) of the closed orbits the trajectories settled on.
        bounded: True if no trajectory diverged.
        measurements: one :class:`Measurement` per trajectory.
        settings: samples, t_end, dt, seed, radius, rtol, atol used.
        tolerances: the tolerances used for the comparisons.
        needed_t_end: the run length the verdict needs (None: no time scale), see ``outcome``.
        split: the tied behaviours when ``behaviour`` is ``split``.
        predicted_frequencies: every ``|Im|`` of the slowest modes (several when real parts tie).
        jordan_degree: the polynomial factor ``t^k`` of the slowest modes (a Jordan block).
    """

    variant: str
    dim: int
    params: Mapping[str, str]
    regularizers: Mapping[str, str]
    classification: str
    predicted_rate: float | None
    predicted_frequency: float | None
    behaviour: Label
    counts: Mapping[str, int]
    outcome: Agreement
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
    needed_t_end: float | None = None
    split: tuple[Label, ...] = ()
    predicted_frequencies: tuple[float, ...] = ()
    jordan_degree: int = 0
    agrees: bool | None = field(init=False)

    def __post_init__(self) -> None:
        for name in ("params", "regularizers", "counts", "settings", "tolerances"):
            object.__setattr__(self, name, FrozenMap(getattr(self, name)))
        object.__setattr__(self, "measurements", tuple(self.measurements))
        object.__setattr__(self, "outcome", Agreement(self.outcome))
        object.__setattr__(self, "agrees", self.outcome.agrees)

    def to_dict(self) -> dict:
        """A JSON-serialisable dictionary of every field."""
        out = {k: getattr(self, k) for k in self.__dataclass_fields__}
        for k in ("params", "regularizers", "counts", "settings", "tolerances"):
            out[k] = dict(out[k])
        out["measurements"] = [m.to_dict() for m in self.measurements]
        out["split"] = list(self.split)
        out["predicted_frequencies"] = list(self.predicted_frequencies)
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
        if self.power is not None and self.behaviour in (Behaviour.SLOW_CONVERGENCE, Behaviour.DIVERGES):
            rows.append(("power", _fmt(self.power)))
        if self.radius is not None:
            rows.append(("radius", _fmt(self.radius)))
        if self.needed_t_end is not None and self.outcome == Agreement.INCONCLUSIVE:
            rows.append(("needs t_end", f">= {self.needed_t_end:.4g}"))
        return rows

    def __repr__(self) -> str:
        figures = ", ".join(f"{k}={v}" for k, v in self._figures())
        return (
            f"Verification({self.variant!r}, dim={self.dim}: {self.classification} -> {self.behaviour}, "
            f"agrees={self.agrees}; {figures})"
        )

    def _repr_markdown_(self) -> str:
        agrees = {True: "yes", False: "**no**", None: "inconclusive"}[self.agrees]
        rows = [
            ("variant", f"`{self.variant}`, n = {self.dim}"),
            ("symbolic verdict", self.classification),
            ("numeric behaviour", f"**{self.behaviour}** ({_counts_text(self.counts)})"),
            *self._figures(),
            ("agrees", agrees),
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


# ----------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class _Run:
    """The settings of one verification run."""

    regime: str  # where the rate is fitted: "decay", "growth" or "late"
    x0: np.ndarray
    t_end: float
    default: bool  # t_end chosen by verify (within DEFAULT_RANGE), not by the caller
    radius: float
    steps: int
    summary_every: int


def _regime(classification: str, p: Prediction) -> str:
    if p.rate is None:
        return "late"
    return {Classification.STABLE: "decay", Classification.UNSTABLE: "growth"}.get(classification, "late")


def _output_steps(t_end: float, p: Prediction) -> int:
    """At least STEPS, and STEPS_PER_PERIOD per period of the fastest predicted oscillation."""
    fastest = max(p.frequencies, default=0.0)
    steps = max(STEPS, math.ceil(t_end * fastest * STEPS_PER_PERIOD / (2 * np.pi)))
    if steps > MAX_STEPS_OUT:
        raise InvalidParameterError(
            f"t_end={t_end:g} spans {t_end * fastest / (2 * np.pi):.3g} periods of the predicted oscillation; "
            f"resolving them needs {steps} output steps (limit {MAX_STEPS_OUT}): use a shorter t_end"
        )
    return steps


#: |h lambda| below which the explicit Dormand-Prince step is stable (its stability region reaches about 3.3);
#: a suggested shorter run keeps a factor 2 in hand (rejected steps also count against the budget).
EXPLICIT_REACH = 3.0


def _local_rate(analysis, x0: np.ndarray) -> float:
    """The largest ``|f(x)| / |x|`` over the initial states (0 where it is not finite, or for states that
    ``simulate`` will refuse with its own message)."""
    try:
        x = np.atleast_2d(np.asarray(x0, dtype=np.float64))
    except (TypeError, ValueError):
        return 0.0
    if x.ndim != 2 or x.shape[1] != 2 * analysis.dim or not x.size:
        return 0.0
    with np.errstate(all="ignore"):
        rate = np.linalg.norm(numeric_field(analysis)(x), axis=1) / np.linalg.norm(x, axis=1)
    rate = rate[np.isfinite(rate)]
    return float(rate.max()) if rate.size else 0.0


def _check_stiffness(p: Prediction, t_end: float, budget: int, analysis=None, x0=None) -> None:
    """Refuse, with the numbers, a run that an explicit integrator cannot finish within its step budget.

    The fastest time scale is ``1 / |lambda|`` of the linearisation; without one, the field's local rate
    ``|f(x)| / |x|`` at the initial states.
    """
    if p.modes:
        fastest = max(math.hypot(r, f) for r, f, _ in p.modes)
        what = "the linearisation has eigenvalues up to |lambda| = "
        stands = "The symbolic verdict stands on the exact spectrum; "
    elif analysis is not None and x0 is not None:
        fastest = _local_rate(analysis, x0)
        what = "without a linearisation, the field's rate |f(x)|/|x| at the initial states reaches "
        stands = ""
    else:
        return
    needed = fastest * t_end / EXPLICIT_REACH
    if needed > budget:
        slowest = min((abs(r) for r, _, _ in p.modes if abs(r) > 0), default=0.0)
        ratio = f"; stiffness ratio {fastest / slowest:.3g}" if slowest else ""
        advice = (
            f"pass a shorter t_end (t_end={_round_down(EXPLICIT_REACH * budget / (2 * fastest))} fits the budget) or a "
            "larger max_steps to integrate anyway"
        )
        raise InvalidParameterError(
            f"{what}{fastest:.3g}{ratio}: the explicit integrator needs about {needed:.3g} steps for "
            f"t_end = {t_end:g} (budget {budget}); not integrated. "
            + (stands + advice if stands else advice.capitalize())
        )


def _plan(analysis, p: Prediction, samples, x0, t_end, seed, radius, max_steps=None) -> tuple[_Run, Prediction]:
    """The run's settings, and the prediction for a run of that length (nearly tied modes gathered)."""
    regime = _regime(analysis.classification, p)
    radius = (1e-6 if regime == "growth" else 0.5) if radius is None else positive("radius", radius)
    default = t_end is None
    if default:
        t_end = default_t_end(analysis.classification, p)
    given, t_end = t_end, real("t_end", t_end)
    if not 0 < t_end <= MAX_T_END:
        raise InvalidParameterError(f"t_end must be a positive number up to {MAX_T_END:g}; received {given!r}")
    if x0 is None:
        samples = check_count("samples", samples)
        check_batch(samples, analysis.dim)
        x0 = random_states(analysis.dim, samples, seed=seed, radius=radius)
    else:
        x0 = states(x0, analysis.dim)
        check_batch(x0.shape[0], analysis.dim)
    p = p.resolved(t_end)
    steps = _output_steps(t_end, p)
    budget = max(MAX_SOLVER_STEPS, 20 * steps) if max_steps is None else max_steps
    _check_stiffness(p, t_end, budget, analysis, x0)
    return _Run(regime, x0, t_end, default, radius, steps, max(1, math.ceil(steps / SUMMARY_POINTS))), p


def _simulate(analysis, run: _Run, rtol, atol, max_steps, progress) -> Trajectories:
    if max_steps is None:
        max_steps = max(MAX_SOLVER_STEPS, 20 * run.steps)
    return simulate(
        analysis,
        run.x0,
        run.t_end,
        dt=run.t_end / run.steps,
        rtol=rtol,
        atol=atol,
        store=False,
        summary_every=run.summary_every,
        ema=(),
        blowup=BLOWUP,
        progress=progress,
        warn=False,
        max_steps=max_steps,
        max_steps_per_output=STALL,
    )


def _speeds(analysis, tr: Trajectories) -> list[tuple[float | None, float | None]]:
    """``|f|`` at each start and last state (None where it is not finite)."""
    f = numeric_field(analysis)
    with np.errstate(all="ignore"):
        v0 = np.linalg.norm(f(np.array(tr.x0)), axis=1)
        v1 = np.linalg.norm(f(np.array(tr.final)), axis=1)
    return [tuple(float(v) if np.isfinite(v) else None for v in pair) for pair in zip(v0, v1)]


def _limit_cycle(measurements: list[Measurement]) -> list[Measurement]:
    """Settled orbits of one common radius (within SAME_RADIUS) from clearly different starts: a limit cycle."""
    orbits = [m for m in measurements if m.behaviour == Behaviour.OSCILLATES]
    if len(orbits) < 2 or not all(m.settled for m in orbits):
        return measurements
    radii = np.array([m.radius for m in orbits])
    starts = np.array([m.initial_distance for m in orbits])
    if np.ptp(radii) <= SAME_RADIUS * np.median(radii) and np.ptp(starts) > 0.1 * np.median(starts):
        return [
            replace(m, behaviour=Behaviour.LIMIT_CYCLE) if m.behaviour == Behaviour.OSCILLATES else m
            for m in measurements
        ]
    return measurements


def _horizon(p: Prediction, needed: float | None, t_end: float) -> float:
    """The longest time scale a rest must outlast: the run, the verdict's needed time, ``1 / |lambda|`` of the
    slowest non-zero mode (a slow mode moves little in a short run, yet it moves)."""
    scales = [math.hypot(r, f) for r, f, _ in p.modes]
    top = max(scales, default=0.0)
    slowest = min((s for s in scales if s > 1e-9 * top), default=0.0)
    return max(t_end, needed or 0.0, 1.0 / slowest if slowest else 0.0)


def _measure(analysis, tr: Trajectories, run: _Run, p: Prediction, horizon: float) -> list[Measurement]:
    speeds = _speeds(analysis, tr)
    found = [
        measure_trajectory(tr, k, run.regime, degree=p.degree, speeds=speeds[k], blowup=BLOWUP, horizon=horizon)
        for k in range(tr.samples)
    ]
    return _limit_cycle(found)


# ----------------------------------------------------------------------------- the verdict


def _vote(measurements: list[Measurement]) -> tuple[Label, tuple[Label, ...], Counter]:
    """The majority label of the trajectories that moved (``stationary`` if none did), or a split."""
    counts = Counter(m.behaviour for m in measurements)
    voters = Counter({b: n for b, n in counts.items() if b != Observed.STATIONARY})
    if not voters:
        return Observed.STATIONARY, (), counts
    top = max(voters.values())
    tied = tuple(b for b in BEHAVIOURS if voters.get(b) == top)
    return (tied[0], (), counts) if len(tied) == 1 else (Observed.SPLIT, tied, counts)


def _seen(behaviour: Label, split, measurements: list[Measurement], regime: str, t_end: float) -> Seen:
    voters = [m for m in measurements if m.behaviour != Observed.STATIONARY] or measurements
    major = [m for m in voters if m.behaviour == behaviour] or voters
    pool = voters if regime == "growth" else major  # growth is measured before any behaviour sets in
    turns = _median(m.turns for m in pool)
    return Seen(
        behaviour=behaviour,
        rate=_median(m.rate for m in pool),
        frequency=_median(m.frequency for m in pool),
        turns=0 if turns is None else int(turns),
        window=t_end / 2 if regime == "late" else t_end,
        moved=sum(m.max_distance >= ESCAPE * m.initial_distance for m in voters),
        total=len(voters),
        start=_median(m.initial_distance for m in voters) or 0.0,
        split=split,
        at_rest=2 * sum(m.rest_distance is not None for m in major) > len(major),
    )


def _blew_up(major: list[Measurement]) -> bool:
    """Most of the majority blew up in finite time (stopped far out): a fact, whatever the run's length."""
    stopped = sum(m.behaviour == Behaviour.DIVERGES and m.status != Status.OK.name and not m.cut_short for m in major)
    return 2 * stopped > len(major)


def _too_short(
    outcome: Agreement, run: _Run, needed: float | None, verdict: tuple, blew_up: bool = False
) -> tuple[Agreement, str]:
    """A run shorter than the verdict needs neither agrees nor disagrees: it is inconclusive; say how long it
    must be. Exceptions: every start is an equilibrium (nothing to measure), or the trajectories blew up
    in finite time (``blew_up``), which a run of any length shows.

    ``verdict`` is ``(classification, seen, prediction)``.
    """
    classification, seen, p = verdict
    if needed is None or run.t_end >= needed or seen.behaviour == Observed.STATIONARY:
        return outcome, ""
    if blew_up and outcome == Agreement.AGREES:
        return outcome, ""
    what = {
        Classification.STABLE: "to see a 10^4-fold decay at the predicted rate",
        Classification.UNSTABLE: f"to see a {ESCAPE:g}-fold growth at the predicted rate",
    }.get(classification, "to follow the predicted oscillation over several periods")
    budget = f", beyond the default run's budget (t_end <= {DEFAULT_RANGE[1]:g})" if run.default else ""
    text = (
        f" This run (t_end = {run.t_end:g}) is too short {what}: the verdict needs t_end >= {needed:.4g}{budget}; "
        f"pass t_end={_round_up(needed)} to check it."
    )
    if p.rate and _close_rate(seen.rate, p):
        text += f" So far the measured rate {seen.rate:.4g} matches the predicted {p.rate:.4g}."
    if outcome == Agreement.AGREES:
        text += " What it measured is consistent with the verdict so far, which is not a confirmation."
    return Agreement.INCONCLUSIVE, text


def _close_rate(rate: float | None, p: Prediction) -> bool:
    slack = TOLERANCES["rate_rel"] * abs(p.rate) + TOLERANCES["rate_abs"] * min(1.0, abs(p.rate) * 100)
    return rate is not None and p.rate - slack <= rate <= p.rate + p.spread + slack


def _round_down(x: float) -> str:
    digits = 2 - int(math.floor(math.log10(x)))
    return f"{math.floor(x * 10**digits) / 10**digits:g}"


def _round_up(x: float) -> str:
    digits = 2 - int(math.floor(math.log10(x)))
    return f"{math.ceil(x * 10**digits) / 10**digits:g}"


def _describe(seen: Seen, measurements, major, power, radius, final_distance, t_end) -> str:
    behaviour = seen.behaviour
    if behaviour == Behaviour.SLOW_CONVERGENCE and power is not None:
        return (
            f" |z| decays like t^(-{power:.3g}) over the second half of the run (final distance {final_distance:.3g})."
        )
    if behaviour == Behaviour.LIMIT_CYCLE and radius is not None:
        return f" The orbit's radius (largest |theta|) is {radius:.6g}, the same for every initial state."
    rest = [m for m in major if m.rest_distance is not None]
    if behaviour == Behaviour.CONVERGES and rest:
        return (
            f" {len(rest)} of {len(measurements)} trajectories came to rest away from the origin (median distance "
            f"{_median(m.rest_distance for m in rest):.3g}): a set of equilibria, not only the origin."
        )
    if behaviour == Behaviour.OSCILLATES and radius is not None:
        settled = sum(m.settled for m in major)
        return (
            f" {settled} of {len(measurements)} trajectories settled on closed orbits whose radius (largest |theta|) "
            f"depends on the initial state (median {radius:.4g}); the distance stays about {final_distance:.3g}."
        )
    if behaviour == Behaviour.OSCILLATES:
        return f" The distance to the equilibrium stays about {final_distance:.3g} up to t = {t_end:g}."
    return ""


def _failures_text(measurements) -> str:
    """The trajectories stopped early: blow-ups (stopped far out) apart from singular stops."""
    stopped = [m for m in measurements if m.status != Status.OK.name and not m.cut_short]
    blown = [m for m in stopped if m.behaviour == Behaviour.DIVERGES]
    singular = [m for m in stopped if m.behaviour != Behaviour.DIVERGES]
    text = ""
    if blown:
        text += (
            f" {len(blown)} of {len(measurements)} trajectories escaped to infinity or blew up in finite time (first "
            f"stopped at t = {blown[0].stop_time:.4g} with |z| = {blown[0].final_distance:.3g})."
        )
    if singular:
        first = singular[0]
        text += (
            f" {len(singular)} of {len(measurements)} trajectories stopped early (first: #{first.index}, "
            f"{first.status} at t = {first.stop_time:.4g}: {Status[first.status].message})."
        )
    return text


def _explain(text: str, seen, measurements, major, figures, tr, counts, n) -> str:
    power, radius, final_distance = figures
    text += _describe(seen, measurements, major, power, radius, final_distance, tr.t_end)
    stationary = counts.get(Observed.STATIONARY, 0)
    if stationary and seen.behaviour != Observed.STATIONARY:
        text += f" {stationary} of {len(measurements)} trajectories started at an equilibrium and did not move."
    if len(counts) > 1:
        text += f" Not unanimous: {_counts_text(dict(counts))}."
    text += _failures_text(measurements)
    if tr.cutoff is not None:
        text += f" The run ended early: {tr.cutoff.summary}."
    return text + f" ({tr.samples} trajectories, t in [0, {tr.t_end:g}], dimension n = {n}.)"


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
    max_steps: int | None = None,
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
            (all clipped to [50, 2000], the default budget), and 200 otherwise. A run shorter than
            the verdict needs is reported inconclusive, with the length it needs.
        seed: seed of the random initial states (default 0: reproducible).
        radius: radius of the ball of initial states; default 0.5, or 1e-6 for an unstable
            equilibrium (its growth rate is measured in the linear regime).
        rtol, atol: solver tolerances.
        max_steps: budget of solver steps (default: 20 per output step, at least 100,000). A
            trajectory that approaches a singularity (e.g. WGAN with L2, whose ``|phi|`` decays to the
            singular set ``phi = 0``) makes the shared step collapse; the run then ends early (also
            when one output step needs more than 200 solver steps), the behaviour is measured up to
            there, and the explanation says so.
        progress: called with the fraction done, as in :func:`stability.numerics.simulate.simulate`.

    Returns:
        A :class:`Verification`.

    >>> from stability import analyze
    >>> analyze("vanilla_ns").verify(samples=4).behaviour
    'oscillates'
    """
    seed, rtol, atol = check_seed(seed), real("rtol", rtol), real("atol", atol)
    run, p = _plan(analysis, predict(analysis), samples, x0, t_end, seed, radius, max_steps)
    tr = _simulate(analysis, run, rtol, atol, max_steps, progress)
    needed = needed_time(analysis.classification, p)
    measurements = _measure(analysis, tr, run, p, _horizon(p, needed, run.t_end))
    behaviour, split, counts = _vote(measurements)
    seen = _seen(behaviour, split, measurements, run.regime, run.t_end)
    outcome, text = judge(analysis.classification, seen, p, TOLERANCES)
    major = [m for m in measurements if m.behaviour == behaviour]
    outcome, short = _too_short(outcome, run, needed, (analysis.classification, seen, p), _blew_up(major))
    figures = (
        _median(m.power for m in major),
        _median(m.radius for m in major if m.settled),
        _median(m.final_distance for m in measurements),
    )
    text = _explain(text + short, seen, measurements, major, figures, tr, counts, analysis.dim)
    settings = {
        "samples": tr.samples,
        "t_end": run.t_end,
        "dt": tr.dt,
        "seed": seed,
        "radius": run.radius,
        "rtol": rtol,
        "atol": atol,
    }
    return _record(analysis, p, measurements, seen, counts, (outcome, text, needed), figures, settings)


def _record(analysis, p, measurements, seen, counts, verdict, figures, settings) -> Verification:
    outcome, text, needed = verdict
    power, radius, final_distance = figures
    return Verification(
        variant=analysis.variant.name,
        dim=analysis.dim,
        params={k: str(v) for k, v in analysis.params.items()},
        regularizers={k: str(v) for k, v in analysis.regularizers.items()},
        classification=analysis.classification,
        predicted_rate=p.rate,
        predicted_frequency=p.frequency,
        behaviour=seen.behaviour,
        counts=dict(counts),
        outcome=outcome,
        explanation=text,
        final_distance=final_distance,
        rate=seen.rate,
        frequency=seen.frequency,
        power=power,
        radius=radius,
        bounded=not any(m.behaviour == Behaviour.DIVERGES for m in measurements),
        measurements=tuple(measurements),
        settings=settings,
        tolerances=dict(TOLERANCES),
        needed_t_end=needed,
        split=seen.split,
        predicted_frequencies=p.frequencies,
        jordan_degree=p.degree,
    )
