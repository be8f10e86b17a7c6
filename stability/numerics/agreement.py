"""The rules that compare a verification run with the symbolic verdict.

:func:`judge` takes what was seen (:class:`Seen`: the run's behaviour and medians) and what the
spectrum predicts (:class:`~stability.numerics.predict.Prediction`) and returns an
:class:`~stability.numerics.outcomes.Agreement` with the reason in plain English:

* stable <-> converges (to the equilibrium, not at rest on others), with the rate and frequency matching
  ``-max Re`` and ``|Im|`` (within
  ``TOLERANCES``; the rate fitted with the Jordan factor the spectrum predicts; a frequency of 0
  matches a run that made no whole turn; several tied slowest modes allow any of their frequencies);
* unstable <-> moves away (most trajectories get ``ESCAPE`` times farther) at a matching growth rate;
* center -> divergence or any bounded behaviour is consistent, but an oscillation's frequency must
  match ``|Im|``; non-hyperbolic -> divergence or any bounded behaviour;
* non-differentiable (and any verdict without a linearisation) -> the numerics decide;
* a run stopped at a singularity, a tie between behaviours that the rules judge differently, or a
  run too short to show anything is *inconclusive*; ``verify`` also makes any outcome of a run shorter than
  the verdict needs (:func:`~stability.numerics.predict.needed_time`) inconclusive; a run whose every
  start is an equilibrium is trivially consistent.

>>> from stability.numerics.predict import Prediction
>>> seen = Seen(behaviour="converges", rate=0.1, frequency=0.99, turns=5)
>>> judge("stable", seen, Prediction(rate=0.1, frequencies=(0.995,)))[0]
'agrees'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType

import numpy as np

from ..verdicts import Behaviour, Classification
from .outcomes import BOUNDED, Agreement, Label, Observed
from .predict import ESCAPE, Prediction

__all__ = ["Seen", "judge", "TOLERANCES"]

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


@dataclass(frozen=True)
class Seen:
    """What a run showed, as :func:`judge` needs it.

    Attributes:
        behaviour: the run's label (the majority, or ``split``).
        rate, frequency: median measured rate (positive: decay) and angular frequency.
        turns: median whole turns in the window where the frequency was measured.
        window: the length of that window (frequency resolution ``2 pi / window``).
        moved, total: trajectories that went ``ESCAPE`` times farther than their start, of ``total``.
        start: median initial distance.
        split: the tied labels when ``behaviour`` is ``split``.
        at_rest: the converging trajectories came to rest away from the origin (a set of equilibria).
    """

    behaviour: Label
    rate: float | None = None
    frequency: float | None = None
    turns: int = 0
    window: float = 0.0
    moved: int = 0
    total: int = 1
    start: float = 0.5
    split: tuple[Label, ...] = ()
    at_rest: bool = False


_BEHAVIOUR_TEXT = {
    Behaviour.CONVERGES: "converge exponentially to the equilibrium",
    Behaviour.SLOW_CONVERGENCE: "drift toward the equilibrium sub-exponentially (a power law)",
    Behaviour.OSCILLATES: "oscillate without converging",
    Behaviour.LIMIT_CYCLE: "settle on the same closed orbit (a limit cycle)",
    Behaviour.DIVERGES: "diverge",
    Behaviour.SINGULAR: "stop at a singularity of the field",
    Observed.STATIONARY: "start at an equilibrium and do not move",
    Observed.UNDETERMINED: (
        "show nothing this run can establish (too little motion, or a decay too shallow to tell an exponential "
        "from a power law)"
    ),
}


def behaviour_text(label: Label, at_rest: bool = False) -> str:
    """``"the trajectories <what they did>"``."""
    if at_rest and label == Behaviour.CONVERGES:
        return "the trajectories come to rest on equilibria away from the origin (a set of equilibria)"
    return f"the trajectories {_BEHAVIOUR_TEXT.get(label, str(label))}"


def _fmt(x: float | None) -> str:
    return "n/a" if x is None else f"{x:.4g}"


def _close(measured: float | None, lo: float, hi: float, rel: float, absolute: float) -> bool:
    """``measured`` within ``rel * |.| + absolute`` of the interval ``[lo, hi]``."""
    if measured is None:
        return False
    slack = rel * max(abs(lo), abs(hi)) + absolute
    return lo - slack <= measured <= hi + slack


def _frequency_ok(seen: Seen, p: Prediction, rel: float, absolute: float) -> bool:
    freqs = p.frequencies or (0.0,)
    if _close(seen.frequency, min(freqs), max(freqs), rel, absolute):
        return True
    # no whole turn in the window: consistent with any frequency that gives less than one turn there
    return seen.turns == 0 and seen.frequency is not None and min(freqs) * seen.window < 2 * np.pi


def _stable(seen: Seen, p: Prediction, tol: Mapping[str, float], text: str) -> tuple[Agreement, str]:
    if seen.behaviour != Behaviour.CONVERGES or seen.at_rest:  # at rest elsewhere: not the predicted convergence
        return Agreement.DISAGREES, f"The linearisation predicts exponential convergence, but {text}."
    ok_rate = _close(seen.rate, p.rate, p.rate + p.spread, tol["rate_rel"], tol["rate_abs"])
    ok_freq = _frequency_ok(seen, p, tol["frequency_rel"], tol["frequency_abs"])
    jordan = f" times t^{p.degree} (a Jordan block)" if p.degree else ""
    freq = " or ".join(f"{f:.4g}" for f in p.frequencies) if p.frequencies else "0"
    out = (
        f"The linearisation predicts exponential convergence at rate {p.rate:.4g}{jordan} with angular frequency "
        f"{freq}; {text}, at a measured rate {_fmt(seen.rate)} and frequency {_fmt(seen.frequency)}"
    )
    if ok_rate and ok_freq:
        return Agreement.AGREES, out + ": both match."
    bad = [n for n, ok in (("rate", ok_rate), ("frequency", ok_freq)) if not ok]
    return Agreement.DISAGREES, out + f": the {' and '.join(bad)} do not match within tolerance."


def _unstable(seen: Seen, p: Prediction, tol: Mapping[str, float], text: str) -> tuple[Agreement, str]:
    growth = None if seen.rate is None else -seen.rate
    out = (
        f"The linearisation predicts that trajectories move away from the equilibrium at rate {-p.rate:.4g}; "
        f"started about {seen.start:.3g} from it, {seen.moved} of {seen.total} trajectories went {ESCAPE:g} "
        f"times farther and {text}, growing at a measured rate {_fmt(growth)}"
    )
    if 2 * seen.moved <= seen.total:
        return Agreement.DISAGREES, out + ": most did not move away."
    if _close(seen.rate, p.rate, p.rate + p.spread, tol["rate_rel"], tol["rate_abs"]):
        return Agreement.AGREES, out + ", which matches."
    return Agreement.DISAGREES, out + ", which does not match."


def _center(seen: Seen, p: Prediction, tol: Mapping[str, float], text: str) -> tuple[Agreement, str]:
    out = (
        f"The linearisation is a centre (angular frequency {p.frequency:.4g}), which is inconclusive: the "
        f"nonlinear terms decide. Numerically {text}, with angular frequency {_fmt(seen.frequency)}"
    )
    if seen.behaviour == Behaviour.DIVERGES:  # a linear centre says nothing about nonlinear instability
        return Agreement.AGREES, out + "; consistent: the nonlinear terms, not the linear centre, drive them away."
    if seen.behaviour not in BOUNDED:
        return (
            Agreement.INCONCLUSIVE,
            out + "; the integration stopped at a singularity, so the numerics cannot confirm it.",
        )
    if not _frequency_ok(seen, p, tol["center_frequency_rel"], tol["frequency_abs"]):
        return Agreement.DISAGREES, out + f", which does not match {p.frequency:.4g}."
    return Agreement.AGREES, out + ", matching the eigenvalues; any bounded behaviour is consistent with a centre."


def _non_hyperbolic(seen: Seen, text: str) -> tuple[Agreement, str]:
    out = f"The linearisation is inconclusive (an eigenvalue with zero real part); numerically {text}"
    if seen.behaviour in BOUNDED or seen.behaviour == Behaviour.DIVERGES:  # the nonlinear terms decide
        return Agreement.AGREES, out + ", which is consistent (the nonlinear terms decide)."
    return (
        Agreement.INCONCLUSIVE,
        out + ": the integration stopped at a singularity, so the numerics cannot confirm it.",
    )


def _split(classification: str, seen: Seen, p: Prediction, tol: Mapping[str, float]) -> tuple[Agreement, str]:
    outcomes = {
        label: judge(classification, replace(seen, behaviour=label, split=()), p, tol)[0] for label in seen.split
    }
    names = " and ".join(str(b) for b in seen.split)
    if len(set(outcomes.values())) == 1:
        (outcome,) = set(outcomes.values())
        verb = {Agreement.AGREES: "is consistent", Agreement.DISAGREES: "contradicts it"}.get(
            outcome, "is inconclusive"
        )
        return outcome, f"The trajectories split evenly between {names}; each of these {verb} with the verdict."
    return (
        Agreement.INCONCLUSIVE,
        f"The trajectories split evenly between {names}, which the verdict judges differently.",
    )


def judge(
    classification: str, seen: Seen, p: Prediction, tol: Mapping[str, float] = TOLERANCES
) -> tuple[Agreement, str]:
    """The :class:`~stability.numerics.outcomes.Agreement` of ``seen`` with ``classification``, and why."""
    if seen.behaviour == Observed.SPLIT:
        return _split(classification, seen, p, tol)
    text = behaviour_text(seen.behaviour, seen.at_rest)
    if seen.behaviour == Observed.STATIONARY:
        return Agreement.AGREES, (
            "Every start is an equilibrium (the field vanishes there), so nothing moves: trivially consistent "
            "with any verdict (nothing was tested)."
        )
    if seen.behaviour == Observed.UNDETERMINED:
        return Agreement.INCONCLUSIVE, f"The run is too short to establish a behaviour: {text}."
    if classification == Classification.STABLE and p.rate is not None:
        return _stable(seen, p, tol, text)
    if classification == Classification.UNSTABLE and p.rate is not None:
        return _unstable(seen, p, tol, text)
    if classification == Classification.CENTER and p.frequency is not None:
        return _center(seen, p, tol, text)
    if classification == Classification.NON_HYPERBOLIC:
        return _non_hyperbolic(seen, text)
    # no linearisation (non-differentiable): the numerics decide.
    return Agreement.AGREES, f"There is no linearisation at the equilibrium, so the numerics decide: {text}."
