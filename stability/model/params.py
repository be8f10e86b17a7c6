"""Parameters of variants and regularisers: declared domain, default, and value checking."""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from numbers import Real

import sympy as sp

from ..errors import InvalidParameterError

__all__ = ["Parameter", "to_sympy_value"]

_DOMAINS = {
    "real": ({"real": True}, "a real number"),
    "positive": ({"positive": True}, "> 0"),
    "nonnegative": ({"nonnegative": True}, ">= 0"),
}


@dataclass(frozen=True)
class Parameter:
    """A named parameter with a default value and a declared domain.

    >>> lam = Parameter("lam", 0.1, "penalty weight", domain="positive")
    >>> lam.symbol.is_positive, lam.default
    (True, 1/10)
    """

    name: str
    default: sp.Expr | float | int | None = None
    description: str = ""
    domain: str = "real"

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name.isidentifier():
            raise InvalidParameterError(f"parameter name must be an identifier string; got {self.name!r}")
        if self.domain not in _DOMAINS:
            raise InvalidParameterError(f"parameter domain must be one of {', '.join(_DOMAINS)}; got {self.domain!r}")
        if self.default is not None:
            object.__setattr__(self, "default", self.check(self.default))

    @property
    def symbol(self) -> sp.Symbol:
        """The SymPy symbol of this parameter, carrying its domain as assumptions."""
        return sp.Symbol(self.name, **_DOMAINS[self.domain][0])

    @property
    def domain_text(self) -> str:
        return _DOMAINS[self.domain][1]

    def check(self, value: object) -> sp.Expr:
        """Convert ``value`` to SymPy and check it against the domain.

        Python floats become exact rationals through their decimal repr (0.1 -> 1/10). A SymPy
        symbol or expression keeps the parameter symbolic and is used as given (the result holds
        the user's own symbol); its assumptions must *prove* the declared domain: ``Symbol("a")``
        for ``lam > 0`` is refused with the symbol to use instead, like ``-x`` with ``x > 0`` or
        an expression that is 0.

        >>> Parameter("lam", domain="positive").check(0.5)
        1/2
        >>> Parameter("lam", domain="positive").check(sp.Symbol("a"))  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ...
        stability.errors.InvalidParameterError: lam must be > 0, which the symbol a does not imply; ...
        """
        expr = to_sympy_value(value, self.name)
        known = _domain_fact(expr, self.domain)
        if known is True:
            return expr
        if isinstance(expr, sp.Symbol) and known is None:
            flags = ", ".join(f"{k}=True" for k in _DOMAINS[self.domain][0])
            raise InvalidParameterError(
                f"{self.name} must be {self.domain_text}, which the symbol {expr} does not imply; "
                f"pass Symbol({expr.name!r}, {flags})"
            )
        if known is None:
            raise InvalidParameterError(
                f"{self.name} must be {self.domain_text}, which cannot be proved for {expr} from its symbols' "
                "assumptions"
            )
        raise InvalidParameterError(f"{self.name} must be {self.domain_text}; got {expr}")

    def symbol_named(self, name: str) -> sp.Symbol:
        """A symbol called ``name`` carrying this parameter's domain (the command line's ``lam=a``)."""
        return sp.Symbol(name, **_DOMAINS[self.domain][0])


def _domain_fact(expr: sp.Expr, domain: str) -> bool | None:
    return {"real": expr.is_real, "positive": expr.is_positive, "nonnegative": expr.is_nonnegative}[domain]


#: Numerators and denominators of exact values are kept below 2**MAX_VALUE_BITS (about 10**616): exact
#: arithmetic on longer numbers (e.g. factoring inside square roots) takes minutes.
MAX_VALUE_BITS = 2048


def too_many_digits(name: str) -> InvalidParameterError:
    """The error for a number beyond :data:`MAX_VALUE_BITS`."""
    return InvalidParameterError(
        f"{name} has too many digits for exact analysis: numerator and denominator must be below "
        f"2**{MAX_VALUE_BITS} (about 10**616)"
    )


def _check_digits(expr: sp.Expr, name: str) -> sp.Expr:
    for r in expr.atoms(sp.Rational):
        if max(abs(r.p).bit_length(), r.q.bit_length()) > MAX_VALUE_BITS:
            raise too_many_digits(name)
    return expr


def to_sympy_value(value: object, name: str = "value") -> sp.Expr:
    """Convert a number or SymPy expression to an exact SymPy expression.

    Numbers with more than :data:`MAX_VALUE_BITS` bits in numerator or denominator are refused.

    >>> to_sympy_value(0.1)
    1/10
    >>> to_sympy_value(sp.Rational(1, 10**3000))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stability.errors.InvalidParameterError: value has too many digits for exact analysis: ...
    """
    return _check_digits(_to_sympy(value, name), name)


def _to_sympy(value: object, name: str) -> sp.Expr:
    if isinstance(value, bool):
        raise InvalidParameterError(f"{name} must be a number or SymPy expression; got bool {value!r}")
    if isinstance(value, sp.Basic):
        if not isinstance(value, sp.Expr):
            raise InvalidParameterError(f"{name} must be a SymPy expression; got {type(value).__name__} {value}")
        if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
            raise InvalidParameterError(f"{name} must be finite; got {value}")
        if value.is_number and value.is_real is False:
            raise InvalidParameterError(f"{name} must be real; got {value}")
        if value.is_Float:
            _sign, man, exp, bits = value._mpf_
            if man and max(abs(exp), abs(exp + bits)) > MAX_VALUE_BITS:  # checked before any conversion
                raise too_many_digits(name)
            return sp.Rational(str(value))
        return value
    if isinstance(value, int):
        if value.bit_length() > MAX_VALUE_BITS:  # before SymPy prints or converts it
            raise too_many_digits(name)
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, float | Real):
        value = float(value)
        if not math.isfinite(value):
            raise InvalidParameterError(f"{name} must be finite; got {value}")
        return sp.Rational(repr(value))
    raise InvalidParameterError(f"{name} must be a number or a SymPy expression; got {type(value).__name__} {value!r}")
