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

        Python floats become exact rationals through their decimal repr (0.1 -> 1/10).
        A SymPy symbol keeps the parameter symbolic; one whose assumptions do not imply the
        declared domain is replaced by a symbol of the same name carrying it (so ``Symbol("a")``
        for ``lam`` means ``a > 0``); one whose assumptions contradict it is refused.
        """
        expr = to_sympy_value(value, self.name)
        if isinstance(expr, sp.Symbol):
            if _implies_domain(expr, self.domain):
                return expr
            if _contradicts_domain(expr, self.domain):
                raise InvalidParameterError(
                    f"{self.name} must be {self.domain_text}; the symbol {expr} is declared otherwise"
                )
            if expr.name == self.name:
                return self.symbol
            return sp.Symbol(expr.name, **_DOMAINS[self.domain][0])
        if expr.is_number:
            ok = {"real": expr.is_real, "positive": expr.is_positive, "nonnegative": expr.is_nonnegative}
            if ok[self.domain] is False:
                raise InvalidParameterError(f"{self.name} must be {self.domain_text}; got {expr}")
        return expr


def _implies_domain(symbol: sp.Symbol, domain: str) -> bool:
    return bool({"real": symbol.is_real, "positive": symbol.is_positive, "nonnegative": symbol.is_nonnegative}[domain])


def _contradicts_domain(symbol: sp.Symbol, domain: str) -> bool:
    known = {"real": symbol.is_real, "positive": symbol.is_positive, "nonnegative": symbol.is_nonnegative}
    return known[domain] is False


def to_sympy_value(value: object, name: str = "value") -> sp.Expr:
    """Convert a number or SymPy expression to an exact SymPy expression.

    >>> to_sympy_value(0.1)
    1/10
    """
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
            return sp.Rational(str(value))
        return value
    if isinstance(value, int):
        return sp.Integer(value)
    if isinstance(value, Fraction):
        return sp.Rational(value.numerator, value.denominator)
    if isinstance(value, float | Real):
        value = float(value)
        if not math.isfinite(value):
            raise InvalidParameterError(f"{name} must be finite; got {value}")
        return sp.Rational(repr(value))
    raise InvalidParameterError(f"{name} must be a number or a SymPy expression; got {type(value).__name__} {value!r}")
