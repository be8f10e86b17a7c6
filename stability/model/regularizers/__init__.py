"""Regularisers that compose with any variant: one module each, of one of three kinds (see ``base``).

Adding one is a new module with a ``REGULARIZER`` and its name in ``BUILTINS``.

>>> REGULARIZERS["l2"].weight.name
'alpha'
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType

import sympy as sp

from ...errors import InvalidParameterError, UnknownNameError
from .base import DataModel, FieldTransform, LossTerm, Regularizer

__all__ = ["Regularizer", "LossTerm", "FieldTransform", "DataModel", "REGULARIZERS", "BUILTINS", "resolve_regularizers"]


#: The built-in regularisers, in the order they are listed; each is a module of this package.
BUILTINS = ("l2", "r1", "r2", "gen_gp", "dragan", "consensus", "instance_noise")

REGULARIZERS: Mapping[str, Regularizer] = MappingProxyType(
    {name: importlib.import_module(f"{__name__}.{name}").REGULARIZER for name in BUILTINS}
)


def resolve_regularizers(regularizers) -> dict[str, sp.Expr]:
    """Normalise the ``regularizers=`` argument to ``{name: weight}``.

    Accepts a mapping ``{"l2": 0.1}`` (a weight of ``None`` or a SymPy symbol keeps
    it symbolic) or an iterable of names (all symbolic).

    >>> resolve_regularizers({"l2": 0.1})
    {'l2': 1/10}
    >>> resolve_regularizers(["l2"])
    {'l2': alpha}
    """
    if regularizers is None:
        return {}
    if isinstance(regularizers, str):
        regularizers = [regularizers]
    if not isinstance(regularizers, Mapping):
        try:
            regularizers = {name: None for name in regularizers}
        except TypeError:
            raise InvalidParameterError(
                "regularizers must be a mapping like {'l2': 0.1} or a list of names; "
                f"got {type(regularizers).__name__} {regularizers!r}"
            ) from None
    out = {}
    for name, weight in regularizers.items():
        if name not in REGULARIZERS:
            raise UnknownNameError("regularizer", name, REGULARIZERS)
        param = REGULARIZERS[name].weight
        out[name] = param.symbol if weight is None else param.check(weight)
    return out
