"""Exceptions raised by :mod:`stability`.

Each one subclasses a built-in exception, so ``except ValueError`` catches bad
values and ``except KeyError`` catches unknown names, as users expect.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable

__all__ = [
    "StabilityError",
    "UnknownNameError",
    "InvalidParameterError",
    "ExpressionParseError",
    "NotAnEquilibriumError",
    "StabilityTypeError",
]


class StabilityError(Exception):
    """Base class of every error this package raises on purpose."""


class UnknownNameError(StabilityError, KeyError):
    """A name (variant, parameter, regulariser, plot kind...) that is not known.

    >>> raise UnknownNameError("variant", "vanila_ns", ["vanilla_ns", "wgan"])
    Traceback (most recent call last):
    ...
    stability.errors.UnknownNameError: unknown variant 'vanila_ns' (did you mean 'vanilla_ns'?); valid: vanilla_ns, wgan
    """

    def __init__(self, kind: str, name: object, valid: Iterable[str]):
        self.kind = kind
        self.name = name
        self.valid = tuple(valid)
        close = difflib.get_close_matches(str(name), [str(v) for v in self.valid], n=1, cutoff=0.75)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        super().__init__(f"unknown {kind} {name!r}{hint}; valid: {', '.join(self.valid) or '(none)'}")

    def __str__(self) -> str:  # KeyError would otherwise print the repr of the message
        return str(self.args[0])


class InvalidParameterError(StabilityError, ValueError):
    """A value of the wrong type or outside its allowed range."""


class ExpressionParseError(StabilityError, ValueError):
    """A user-supplied expression string that is not a valid, safe loss expression."""


class NotAnEquilibriumError(StabilityError, ValueError):
    """The vector field does not vanish at phi = theta = 0."""


class StabilityTypeError(StabilityError, TypeError):
    """An argument of the wrong kind (a name where a result is needed, a number where a function is...).

    The message names what was expected and what was received.

    >>> raise StabilityTypeError("theta_plane needs Trajectories (from Analysis.simulate); got str 'vanilla_ns'")
    Traceback (most recent call last):
    ...
    stability.errors.StabilityTypeError: theta_plane needs Trajectories (from Analysis.simulate); got str 'vanilla_ns'
    """
