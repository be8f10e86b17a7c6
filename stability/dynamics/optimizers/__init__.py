"""Optimisers as update maps, one module each; ``get_optimizer`` resolves a name or an object.

Adding an optimiser is one new module defining a frozen-dataclass subclass of
:class:`~stability.dynamics.optimizers.base.Optimizer` (its hyperparameters are its fields,
validated in ``__post_init__``) and its entry in ``BUILTINS``.

>>> get_optimizer("simgd")
simgd()
>>> get_optimizer("lookahead", k=3, base="altgd")
lookahead(k=3, alpha=1/2, base=altgd(d_steps=1, g_steps=1))
>>> get_optimizer("momentum", gamma=0.5)
Traceback (most recent call last):
...
stability.errors.InvalidParameterError: unknown hyperparameter gamma for 'momentum'; valid: beta, alternating
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
        "altgd": ("altgd", "AltGD"),
        "momentum": ("momentum", "Momentum"),
        "ogd": ("ogd", "OGD"),
        "extragradient": ("extragradient", "Extragradient"),
        "lookahead": ("lookahead", "Lookahead"),
        "cgd": ("cgd", "CGD"),
        "adam": ("adam", "Adam"),
        "rmsprop": ("rmsprop", "RMSprop"),
    }
)

OPTIMIZERS: Mapping[str, type[Optimizer]] = MappingProxyType(
    {key: getattr(importlib.import_module(f"{__name__}.{mod}"), cls) for key, (mod, cls) in BUILTINS.items()}
)


def get_optimizer(optimizer, **options) -> Optimizer:
    """An optimiser object from a registry name (with ``options`` as hyperparameters) or an object.

    An option that is itself an optimiser (lookahead's ``base``) may be given by name.
    """
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
    valid = tuple(cls.__dataclass_fields__)
    unknown = [k for k in options if k not in valid]
    if unknown:
        word = "hyperparameter" if len(unknown) == 1 else "hyperparameters"
        raise InvalidParameterError(
            f"unknown {word} {', '.join(map(str, unknown))} for {optimizer!r}; valid: {', '.join(valid) or '(none)'}"
        )
    if isinstance(options.get("base"), str):
        options = {**options, "base": get_optimizer(options["base"])}
    return cls(**options)
