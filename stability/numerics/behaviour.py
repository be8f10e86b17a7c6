"""What one trajectory of a verification run did: the :class:`Measurement` and its behaviour label.

:func:`measure_trajectory` measures a trajectory of a summary-mode run (:func:`simulate` with
``summary_every=1``) with the routines of :mod:`stability.numerics.measure` and labels it, in order:

* ``diverges``: overflow, a stop far out or at the end of a run-away growth (a finite-time blow-up,
  see ``RUNAWAY``), or a sustained growth (a power law
  or faster) that took ``|z|`` at least ``GROWTH`` times its start (a smaller growth may yet saturate);
* ``singular``: stopped at a singularity of the field (NaN, infinity, a step-size underflow);
* ``stationary``: it does not move, because the field vanishes at its start (an equilibrium);
* ``converges``: ``|z|`` fell ``DECADES``-fold, its log-log slope keeps steepening (an exponential),
  or it came to rest on another, non-isolated equilibrium (:attr:`Measurement.rest_distance` says
  how far from the origin): its speed fell ``REST``-fold while ``|z|`` did not, and at that speed
  it would move less than ``REST_DRIFT`` of its distance over the *horizon* (the longest time scale
  of the linearisation or of the verdict, at least the run), so a slow mode is not mistaken for rest;
* ``slow-convergence``: a sustained power-law decay ``|z| ~ t^(-p)``, ``p >= MIN_POWER``, whose
  log-log slope does not double from ``[T/4, T/2]`` to ``[T/2, T]`` (an exponential's does);
* ``undetermined``: a decay whose slope doubles but is still shallow (``p < 1``: too weak to tell
  an exponential from a power law), or a motion with no whole turn and no trend: the run is too short;
* ``oscillates``: bounded, and it turned at least once about the origin.

A closed orbit is *settled* when the largest ``|theta|`` over whole turns changes by less than
``SETTLED`` from ``[2T/3, 5T/6]`` to ``[5T/6, T]`` (both windows need whole turns); that largest
``|theta|`` over the last window is the orbit's *radius* (the circle's radius in dimension n >= 2,
the amplitude in dimension 1).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..verdicts import Behaviour
from .integrate import Status
from .measure import (
    FLOOR,
    exponential_rate,
    largest_over_turns,
    power_exponent,
    whole_turns,
    winding_frequency,
)
from .outcomes import Label, Observed
from .predict import DECADES
from .records import Record
from .trajectories import Trajectories

__all__ = ["Measurement", "measure_trajectory", "LINEAR_RADIUS", "SETTLED", "MIN_POWER", "REST", "REST_DRIFT"]

LINEAR_RADIUS = 1e-2  # |z| below which the linearisation is assumed to describe the motion
SETTLED = 1e-3  # relative change of an orbit's radius between the two late windows
MIN_POWER = 0.05  # smallest sustained power-law decay/growth exponent that counts
SUSTAINED = 0.9  # a power law keeps (at least 90% of) its exponent from [T/4, T/2] to [T/2, T]
REST = 1e-6  # a speed that fell this many times (relative to the start) has come to rest
REST_DRIFT = 1e-3  # ... if at that speed it moves less than this fraction of |z| over the horizon
GROWTH = 10.0  # a sustained growth counts as divergence once |z| is this many times its start
EXPONENTIAL = 1.7  # an exponential's log-log slope doubles from [T/4, T/2] to [T/2, T]; a power law's stays
EQUILIBRIUM_SPEED = 1e-12  # |f(x0)| <= this * max(|x0|, FLOOR): x0 is an equilibrium (round-off level)
FAR = 1e-2  # a trajectory stopped beyond FAR * blowup is blowing up, not at a singularity
RUNAWAY = 4.0  # ... and so is one stopped at RUNAWAY times its start and its |z| at half the stopping time


@dataclass(frozen=True, eq=False, slots=True)
class Measurement(Record):
    """What one trajectory did. ``rate``, ``power``, ``frequency``, ``radius`` are None when undefined.

    ``status`` is the integrator's status name, or ``"CUT_SHORT"`` for a trajectory still running
    when the run ended early (the step budget ran out; it is measured up to there, and
    ``cut_short`` is True). ``turns`` counts the whole turns in the window where ``rate`` and
    ``frequency`` were measured (with none, ``frequency`` is the mean drift of the angle, less
    than one turn per window). ``initial_speed`` and ``final_speed`` are ``|f(z)|`` at the start
    and at the last state; ``rest_distance`` is ``|z|`` where it came to rest, when it did.
    """

    index: int
    initial_distance: float
    final_distance: float
    max_distance: float
    status: str
    stop_time: float
    behaviour: Label
    rate: float | None
    power: float | None
    frequency: float | None
    radius: float | None
    settled: bool
    turns: int = 0
    cut_short: bool = False
    initial_speed: float | None = None
    final_speed: float | None = None
    rest_distance: float | None = None

    def to_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}


def _rate_window(t, r, regime: str, r0: float, t_end: float) -> np.ndarray:
    """Where the rate is fitted: the linear regime (decay or growth) if the run reaches it, else the second half."""
    ok = np.isfinite(r) & (r > FLOOR)
    if regime == "decay":
        sel = ok & (r <= min(LINEAR_RADIUS, 0.1 * r0))
    elif regime == "growth":
        sel = ok & (r <= LINEAR_RADIUS) & (r >= 20 * r0)
    else:
        sel = np.zeros_like(ok)
    if sel.sum() >= 10 and np.ptp(np.log(r[sel])) >= 1.0:
        idx = np.flatnonzero(sel)  # from the first to the last point of the regime (need not be monotone)
        window = np.zeros_like(ok)
        window[idx[0] : idx[-1] + 1] = True
        return window & ok
    return ok & (t >= t_end / 2)


def _steepening(p_early: float | None, p_late: float | None) -> bool:
    """An exponential's log-log slope doubles from [T/4, T/2] to [T/2, T] (``-rho t`` against ``log t``)."""
    return p_early is not None and p_late is not None and p_late >= MIN_POWER and p_late >= EXPONENTIAL * p_early


def _accelerating(p_early: float | None, p_late: float | None) -> bool:
    """An exponential decay, steep enough to be told from a power law (p >= 1 over the second half)."""
    return _steepening(p_early, p_late) and p_late >= 1.0


def _sustained(p_early: float | None, p_late: float | None) -> bool:
    """A power law ``t^(-p)``: p at least MIN_POWER, not fading (a settling motion's p decays to 0) and not
    doubling (an exponential's does)."""
    return (
        p_early is not None
        and p_late is not None
        and p_late >= MIN_POWER
        and SUSTAINED * p_early <= p_late < EXPONENTIAL * p_early
    )


def _growing(q_early: float | None, q_late: float | None) -> bool:
    """A growth ``|z| ~ t^q`` (or faster: an exponential's ``q`` doubles) that does not fade."""
    return q_early is not None and q_late is not None and q_late >= MIN_POWER and q_late >= SUSTAINED * q_early


def _neg(x: float | None) -> float | None:
    return None if x is None else -x


def _orbit(t, th, w, t_end: float) -> tuple[float | None, bool]:
    """(radius, settled) of a closed orbit: the largest |theta| over whole turns of the last sixth."""
    before = largest_over_turns(t, th, w, 2 * t_end / 3, 5 * t_end / 6)
    radius = largest_over_turns(t, th, w, 5 * t_end / 6, t_end)
    settled = before is not None and radius is not None and radius > 0 and abs(radius - before) <= SETTLED * radius
    return radius, settled


def _blowing_up(tr: Trajectories, k: int, r, blowup: float) -> bool:
    """A stop far out, or at the end of a run-away: ``|z|`` at the stop at least ``RUNAWAY`` times both its
    start and its value at half the stopping time (a finite-time blow-up ``(t* - t)^(-a)``; a singularity
    at a finite point is met at a bounded ``|z|``)."""
    last = float(np.linalg.norm(tr.final[k]))
    if np.abs(tr.final[k]).max() > FAR * blowup:
        return True
    t, stop = tr.summary_times, float(tr.stop_time[k])
    halfway = r[max(0, int(np.searchsorted(t, stop / 2, side="right")) - 1)]
    return bool(np.isfinite(halfway)) and last >= RUNAWAY * max(float(r[0]), float(halfway))


def _at_rest(r_end: float, speeds, horizon: float) -> bool:
    """Its speed fell REST-fold, and at its last speed it would move less than REST_DRIFT |z| over ``horizon``."""
    v0, v_end = speeds
    return v0 is not None and v_end is not None and v_end <= REST * v0 and v_end * horizon <= REST_DRIFT * r_end


def _label(tr: Trajectories, k: int, r, powers, speeds, blowup: float, horizon: float) -> tuple[Label, bool]:
    """The behaviour label, and whether the trajectory came to rest away from the origin."""
    p_early, p_late = powers
    status = Status(int(tr.status[k]))
    cut = bool(tr.cut_short()[k])
    r0, r_end = float(r[0]), float(r[np.isfinite(r)][-1])
    v0 = speeds[0]
    if status == Status.OVERFLOW or (status != Status.OK and not cut and _blowing_up(tr, k, r, blowup)):
        return Behaviour.DIVERGES, False
    if status != Status.OK and not cut:
        return Behaviour.SINGULAR, False
    if v0 is not None and v0 <= EQUILIBRIUM_SPEED * max(r0, FLOOR):
        return Observed.STATIONARY, False
    if r_end <= max(r0 / DECADES, 10 * FLOOR) or _accelerating(p_early, p_late):
        return Behaviour.CONVERGES, False
    if _at_rest(r_end, speeds, horizon):
        return Behaviour.CONVERGES, True  # at rest away from the origin: a non-isolated equilibrium
    if _growing(_neg(p_early), _neg(p_late)) and r_end >= GROWTH * r0:
        return Behaviour.DIVERGES, False
    if _sustained(p_early, p_late):
        return Behaviour.SLOW_CONVERGENCE, False
    if _steepening(p_early, p_late):  # an exponential decay too shallow in this run to tell from a power law
        return Observed.UNDETERMINED, False
    if whole_turns(tr.summary_times, tr.winding[k], 0.0, tr.t_end) is not None:
        return Behaviour.OSCILLATES, False
    return Observed.UNDETERMINED, False


def measure_trajectory(
    tr: Trajectories,
    k: int,
    regime: str,
    *,
    degree: int = 0,
    speeds: tuple[float | None, float | None] = (None, None),
    blowup: float = 1e6,
    horizon: float | None = None,
) -> Measurement:
    """Measure and label trajectory ``k`` of ``tr``.

    ``regime`` ("decay", "growth" or "late") says where the rate is fitted; ``degree`` is the
    polynomial factor the spectrum predicts (a Jordan block); ``speeds`` are ``|f|`` at the
    start and at the last state (None: unknown); ``blowup`` is the run's overflow threshold;
    ``horizon`` the longest time scale a rest must outlast (default: the run's length).
    """
    t, r, th, w = tr.summary_times, tr.norm[k], tr.theta_norm[k], tr.winding[k]
    t_end = tr.t_end
    status = Status(int(tr.status[k]))
    r_end = float(r[np.isfinite(r)][-1]) if status != Status.OVERFLOW else float(np.linalg.norm(tr.final[k]))
    window = _rate_window(t, r, regime, float(r[0]), t_end)
    rate = exponential_rate(t[window], r[window], degree if regime != "late" else 0)
    frequency, turns = winding_frequency(t, w, t[window][0], t[window][-1]) if window.any() else (None, 0)
    p_early, p_late = power_exponent(t, r, t_end / 4, t_end / 2), power_exponent(t, r, t_end / 2, t_end)
    horizon = t_end if horizon is None else max(horizon, t_end)
    behaviour, at_rest = _label(tr, k, r, (p_early, p_late), speeds, blowup, horizon)
    radius, settled = _orbit(t, th, w, t_end) if behaviour == Behaviour.OSCILLATES else (None, False)
    cut = bool(tr.cut_short()[k])
    return Measurement(
        index=k,
        initial_distance=float(r[0]),
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
        turns=turns,
        cut_short=cut,
        initial_speed=speeds[0],
        final_speed=speeds[1],
        rest_distance=r_end if at_rest else None,
    )
