"""The numerics' own verdict words: the outcome of a check, and the behaviours ``Behaviour`` lacks.

:class:`Agreement` is the outcome of comparing the numerics with a symbolic verdict (``verify``).
:class:`Observed` holds three behaviour labels that :class:`stability.verdicts.Behaviour` does
not have yet: a trajectory that does not move, one whose run is too short to tell, and a tie
between behaviours. Both are ``str`` enums, so they compare equal to their text and serialise
to JSON as it; :data:`BEHAVIOURS` lists every label ``verify`` uses.

>>> Agreement.INCONCLUSIVE == "inconclusive", Agreement.AGREES.agrees, Agreement.INCONCLUSIVE.agrees
(True, True, None)
>>> [str(b) for b in BEHAVIOURS][:3]
['converges', 'slow-convergence', 'oscillates']
"""

from __future__ import annotations

from ..verdicts import Agreement, Behaviour

__all__ = ["Agreement", "Observed", "BEHAVIOURS", "BOUNDED", "Label"]


#: The three labels beyond the linear verdict's behaviours now live in :class:`~stability.verdicts.Behaviour`.
Observed = Behaviour

#: A behaviour label: a :class:`~stability.verdicts.Behaviour` or an :class:`Observed` label.
Label = Behaviour

#: Every per-trajectory label ``verify`` uses, in the order used to list them.
BEHAVIOURS: tuple[Label, ...] = (
    Behaviour.CONVERGES,
    Behaviour.SLOW_CONVERGENCE,
    Behaviour.OSCILLATES,
    Behaviour.LIMIT_CYCLE,
    Behaviour.DIVERGES,
    Behaviour.SINGULAR,
    Observed.STATIONARY,
    Observed.UNDETERMINED,
)

#: The labels of trajectories that stayed bounded and were seen to do so.
BOUNDED = frozenset({Behaviour.CONVERGES, Behaviour.SLOW_CONVERGENCE, Behaviour.OSCILLATES, Behaviour.LIMIT_CYCLE})
