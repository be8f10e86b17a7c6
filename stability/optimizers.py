"""The optimisers of discrete-time training, one factory each: ``analyze(..., optimizer=optimizers.altgd(d_steps=5))``.

Each factory returns the optimiser object (a frozen dataclass whose fields are its
hyperparameters, validated on construction); a name with default hyperparameters can be passed
to :func:`~stability.analyze` directly (``optimizer="ogd"``). Real hyperparameters are kept
exact (``0.5 -> 1/2``) and may be SymPy symbols where the mathematics allows (``beta``,
``alpha``, ``lr_extra``); ``adam`` and ``rmsprop`` are numeric only (no derivative at the
equilibrium, so only the numerics decide). Definitions and sources: ``OPTIMIZERS[name].source``.

>>> from stability import optimizers
>>> optimizers.momentum(beta=-0.5, alternating=True)
momentum(beta=-1/2, alternating=True)
>>> optimizers.altgd(d_steps=5)
altgd(d_steps=5, g_steps=1)
>>> optimizers.lookahead(base="ogd", k=3)
lookahead(k=3, alpha=1/2, base=ogd())
>>> list(OPTIMIZERS)
['simgd', 'altgd', 'momentum', 'ogd', 'extragradient', 'lookahead', 'cgd', 'adam', 'rmsprop']
"""

from __future__ import annotations

from collections.abc import Callable

from .dynamics.optimizers import OPTIMIZERS, Game, LearningRate, Optimizer, get_optimizer

__all__ = ["OPTIMIZERS", "get_optimizer", "Optimizer", "LearningRate", "Game", *OPTIMIZERS]


def _factory(name: str) -> Callable[..., Optimizer]:
    """``name(**hyperparameters)``: the registered optimiser, built and validated by :func:`get_optimizer`."""

    def make(**hyperparameters) -> Optimizer:
        return get_optimizer(name, **hyperparameters)

    make.__name__ = make.__qualname__ = name
    make.__doc__ = OPTIMIZERS[name].__doc__
    return make


# One factory per registered optimiser, derived from the registry (adding an optimiser adds its factory).
globals().update({name: _factory(name) for name in OPTIMIZERS})
