"""Every verdict the package states, as ``str`` enums.

Each member compares equal to its text (``Classification.CENTER == "center"``), prints as it,
and serialises to JSON as it, so results read naturally while code branches on members, never
on the wording of a message.

>>> Classification.CENTER == "center", str(Classification.CENTER), f"{TimeDomain.DISCRETE}"
(True, 'center', 'discrete')
>>> Classification("stable")
'stable'
"""

from __future__ import annotations

import enum

__all__ = [
    "TextEnum",
    "TimeDomain",
    "Classification",
    "Detail",
    "Crossing",
    "NonlinearStability",
    "Method",
    "Convergence",
    "Behaviour",
    "Agreement",
]


class TextEnum(str, enum.Enum):
    """A ``str`` enum that prints, formats and reprs as its value (like 3.11's ``StrEnum``)."""

    def __str__(self) -> str:
        return self.value

    def __format__(self, spec: str) -> str:
        return format(self.value, spec)

    def __repr__(self) -> str:
        return repr(self.value)

    def __reduce_ex__(self, protocol):
        return type(self), (self.value,)


class TimeDomain(TextEnum):
    """Gradient flow (an ODE, a *flow*) or training with steps (an update *map*)."""

    CONTINUOUS = "continuous"
    DISCRETE = "discrete"


class Classification(TextEnum):
    """The verdict of the linearisation at the equilibrium."""

    STABLE = "stable"  # flows: every Re(lambda) < 0; maps: spectral radius < 1
    UNSTABLE = "unstable"  # flows: some Re(lambda) > 0; maps: spectral radius > 1
    CENTER = "center"  # flows: every eigenvalue non-zero and purely imaginary
    NON_HYPERBOLIC = "non-hyperbolic"  # flows: a zero real part, none positive, not a centre
    NEUTRAL = "neutral"  # maps: spectral radius exactly 1 (linearisation inconclusive)
    NON_DIFFERENTIABLE = "non-differentiable"  # no Jacobian at the equilibrium
    NO_LINEARIZATION = "no-linearization"  # the update itself has no derivative there (adaptive optimisers)
    UNDECIDED = "undecided"  # depends on symbolic parameters; see the conditions

    @property
    def inconclusive(self) -> bool:
        """True when the linearisation cannot decide the nonlinear behaviour."""
        return self not in (Classification.STABLE, Classification.UNSTABLE)


class Detail(TextEnum):
    """The shape of the spectrum behind a classification."""

    NODE = "node"
    FOCUS = "focus"
    SADDLE = "saddle"
    SOURCE = "source"
    CENTER = "center"
    ZERO_EIGENVALUE = "zero eigenvalue"
    ZERO_REAL_PART = "zero real part"
    UNIT_CIRCLE = "eigenvalue on the unit circle"
    FLIP = "alternating (negative real eigenvalue dominates)"
    DEPENDS = "depends on the parameters"
    NO_DERIVATIVE = "no derivative at the equilibrium"


class Crossing(TextEnum):
    """How a spectrum crosses the stability boundary (bifurcation theory's names)."""

    FOLD = "fold"  # a real eigenvalue through 0 (flows) or through +1 (maps)
    HOPF = "Hopf"  # a complex pair through the imaginary axis (flows)
    FLIP = "flip"  # a real eigenvalue through -1 (maps; period doubling)
    NEIMARK_SACKER = "Neimark-Sacker"  # a complex pair through the unit circle (maps)


class NonlinearStability(TextEnum):
    """The nonlinear verdict at the equilibrium."""

    ASYMPTOTICALLY_STABLE = "asymptotically-stable"
    STABLE = "stable"  # Lyapunov stable, not (proved) asymptotically
    UNSTABLE = "unstable"
    UNDECIDED = "undecided"


class Method(TextEnum):
    """The argument behind a nonlinear verdict."""

    LINEARIZATION = "linearization"
    LYAPUNOV = "lyapunov"
    LASALLE = "lasalle"
    CONSERVED = "conserved"
    CHETAEV = "chetaev"
    DIMENSION = "dimension"
    CASES = "cases"
    NONE = "none"


class Convergence(TextEnum):
    """How fast an asymptotically stable equilibrium attracts."""

    EXPONENTIAL = "exponential"
    SUB_EXPONENTIAL = "sub-exponential"


class Behaviour(TextEnum):
    """What the numerics saw trajectories do (``verify``)."""

    CONVERGES = "converges"
    SLOW_CONVERGENCE = "slow-convergence"
    OSCILLATES = "oscillates"
    LIMIT_CYCLE = "limit-cycle"
    PERIOD_2 = "period-2"  # maps: an alternating cycle after a flip
    DIVERGES = "diverges"
    SINGULAR = "singular"
    STATIONARY = "stationary"  # does not move: it starts at an equilibrium
    UNDETERMINED = "undetermined"  # it moves, but the run is too short to tell how
    SPLIT = "split"  # (the verdict of a run) a tie between behaviours


class Agreement(TextEnum):
    """Whether what the numerics measured is consistent with the symbolic verdict."""

    AGREES = "agrees"
    DISAGREES = "disagrees"
    INCONCLUSIVE = "inconclusive"  # the run could not show it (too short, singular, split, nothing moved)

    @property
    def agrees(self) -> bool | None:
        """True, False, or None when inconclusive."""
        return {Agreement.AGREES: True, Agreement.DISAGREES: False}.get(self)
