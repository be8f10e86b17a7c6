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

from typing import Any

from .dynamics.optimizers import OPTIMIZERS, Game, LearningRate, Optimizer, get_optimizer
from .dynamics.optimizers.adam import Adam
from .dynamics.optimizers.altgd import AltGD
from .dynamics.optimizers.cgd import CGD
from .dynamics.optimizers.extragradient import Extragradient
from .dynamics.optimizers.lookahead import Lookahead
from .dynamics.optimizers.momentum import Momentum
from .dynamics.optimizers.ogd import OGD
from .dynamics.optimizers.rmsprop import RMSprop
from .dynamics.optimizers.simgd import SimGD

__all__ = [
    "OPTIMIZERS",
    "get_optimizer",
    "Optimizer",
    "LearningRate",
    "Game",
    "simgd",
    "altgd",
    "momentum",
    "ogd",
    "extragradient",
    "lookahead",
    "cgd",
    "adam",
    "rmsprop",
]


def simgd() -> SimGD:
    """Simultaneous gradient descent (Mescheder et al. 2018, sec. 2)."""
    return SimGD()


def altgd(*, d_steps: int = 1, g_steps: int = 1) -> AltGD:
    """Alternating gradient descent, the discriminator first: ``d_steps`` of it, then ``g_steps`` of the generator."""
    return AltGD(d_steps=d_steps, g_steps=g_steps)


def momentum(*, beta: Any = 0.9, alternating: bool = False) -> Momentum:
    """Heavy-ball momentum ``beta`` in (-1, 1) (negative: Gidel et al. 2019), simultaneous or alternating."""
    return Momentum(beta=beta, alternating=alternating)


def ogd() -> OGD:
    """Optimistic gradient descent ``z+ = z + 2h F(z) - h F(z_prev)`` (Daskalakis et al. 2018)."""
    return OGD()


def extragradient(*, lr_extra: Any = None) -> Extragradient:
    """Extragradient; ``lr_extra``: the extrapolation step (a number, symbol or ``{"d":, "g":}``; default: lr)."""
    return Extragradient(lr_extra=lr_extra)


def lookahead(*, base: str | Optimizer = "simgd", k: int = 5, alpha: Any = 0.5) -> Lookahead:
    """Lookahead: ``k`` steps of ``base`` (a name or an optimiser object), then ``z + alpha (z_k - z)``."""
    return Lookahead(k=k, alpha=alpha, base=get_optimizer(base))


def cgd() -> CGD:
    """Competitive gradient descent (Schafer & Anandkumar 2019)."""
    return CGD()


def adam(*, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Adam:
    """Adam per player (Kingma & Ba 2015); numeric only."""
    return Adam(beta1=beta1, beta2=beta2, eps=eps)


def rmsprop(*, rho: float = 0.9, eps: float = 1e-8) -> RMSprop:
    """RMSprop per player (Tieleman & Hinton 2012); numeric only."""
    return RMSprop(rho=rho, eps=eps)
