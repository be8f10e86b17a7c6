"""Optimisers as update maps, one module each; ``get_optimizer`` resolves a name or an object.

Adding an optimiser is one new module defining a frozen-dataclass subclass of
:class:`~stability.dynamics.optimizers.base.Optimizer` (its hyperparameters are its fields,
validated in ``__post_init__``) and its entry in ``BUILTINS``.

>>> get_optimizer("simgd")
simgd()
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType

from ...errors import InvalidParameterError, UnknownNameError
from .base import Game, LearningRate, Optimizer

__all__ = ["Optimizer", "LearningRate", "Game", "OPTIMIZERS", "BUILTINS", "get_optimizer"]

#: Registry key -> (module, class name), in the order they are listed.
BUILTINS: Mapping[str, tuple[str, str]] = MappingProxyType(
    {
        "simgd": ("simgd", "SimGD"),
    }
)

OPTIMIZERS: Mapping[str, type[Optimizer]] = MappingProxyType(
    {key: getattr(importlib.import_module(f"{__name__}.{mod}"), cls) for key, (mod, cls) in BUILTINS.items()}
)


def get_optimizer(optimizer, **options) -> Optimizer:
    """An optimiser object from a registry name (with ``options`` as hyperparameters) or an object."""
    if isinstance(optimizer, Optimizer):
        if options:
            raise InvalidParameterError(
                f"hyperparameters {sorted(options)} were given together with the optimiser object {optimizer!r}; "
                "set them on the object instead"
            )
        return optimizer
    if not isinstance(optimizer, str):
        raise InvalidParameterError(
            f"optimizer must be a name ({', '.join(OPTIMIZERS)}) or an object from stability.optimizers; "
            f"got {type(optimizer).__name__} {optimizer!r}"
        )
    if optimizer not in OPTIMIZERS:
        raise UnknownNameError("optimizer", optimizer, OPTIMIZERS)
    cls = OPTIMIZERS[optimizer]
    try:
        return cls(**options)
    except TypeError:
        valid = ", ".join(cls.__dataclass_fields__) or "none"
        raise InvalidParameterError(
            f"unknown hyperparameter for {optimizer!r}: {', '.join(sorted(options))}; valid: {valid}"
        ) from None
