"""The source post's reference data, in one place: its start point, run lengths, equation numbers, cases.

Everything here is *data the post fixes* (or the report's stated choice where the post only says
"small" or "typical"); the figures, the LaTeX export and the report read it from here.

>>> post_initial_state(2).tolist()
[0.1, 0.2, 0.2, 0.1]
>>> POST_T_END["wgan"], POST_EQUATIONS["vanilla_ns"]["second_order"]
(10.0, '9')
>>> [c.key for c in POST_CASES][:3]
['vanilla_ns', 'vanilla_sat', 'wgan']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import sympy as sp

__all__ = [
    "POST_X0",
    "post_initial_state",
    "POST_T_END",
    "DEFAULT_T_END",
    "POST_DT",
    "POST_EQUATIONS",
    "EMA_BETA",
    "L2_WEIGHT",
    "Case",
    "POST_CASES",
    "post_t_end",
]

#: The post's starting point in dimension 2: (phi_1, phi_2, theta_1, theta_2).
POST_X0 = (0.1, 0.2, 0.2, 0.1)

#: The post's integration times (its figure script): vanilla 100, WGAN 10, WGAN-GP and GAN-QP 40.
POST_T_END: Mapping[str, float] = MappingProxyType(
    {"vanilla_ns": 100.0, "vanilla_sat": 100.0, "wgan": 10.0, "wgan_gp": 40.0, "gan_qp": 40.0}
)
#: The run length for a variant the post does not draw.
DEFAULT_T_END = 40.0
#: The step of the drawn trajectories (and of the weight EMA's updates: one update per step).
POST_DT = 0.01

#: The post's equation numbers for the derivation steps of its own variants (see MATH.md).
POST_EQUATIONS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "vanilla_ns": MappingProxyType({"losses": "6", "field": "7", "linearization": "8", "second_order": "9"}),
        "wgan": MappingProxyType({"losses": "11", "field": "12"}),
        "wgan_gp": MappingProxyType({"losses": "15", "field": "16"}),
        "gan_qp": MappingProxyType({"losses": "18", "field": "19"}),
    }
)

#: The weight EMA's decay: the post's "typically 0.999".
EMA_BETA = 0.999
#: The L2 weight of the first mitigation (the post only asks for a small weight; this is the report's choice).
L2_WEIGHT = sp.Rational(1, 20)


def post_initial_state(dim: int = 2) -> np.ndarray:
    """The post's starting point ``(phi_1, phi_2, theta_1, theta_2) = (0.1, 0.2, 0.2, 0.1)``.

    Other dimensions repeat the pattern: ``phi = (0.1, 0.2, 0.1, ...)``,
    ``theta = (0.2, 0.1, 0.2, ...)``; ``dim = 1`` gives ``(phi, theta) = (0.1, 0.2)``.

    >>> post_initial_state(1).tolist()
    [0.1, 0.2]
    """
    phi = np.where(np.arange(dim) % 2 == 0, POST_X0[0], POST_X0[1])
    theta = np.where(np.arange(dim) % 2 == 0, POST_X0[2], POST_X0[3])
    return np.concatenate([phi, theta])


def post_t_end(variant_name: str) -> float:
    """The post's integration time for a variant (:data:`DEFAULT_T_END` for one it does not draw).

    >>> post_t_end("gan_qp"), post_t_end("my_variant")
    (40.0, 40.0)
    """
    return POST_T_END.get(variant_name, DEFAULT_T_END)


@dataclass(frozen=True)
class Case:
    """One case of the post's comparison: a variant with its parameters, and how long to integrate it.

    ``note`` says where the post treats it (empty: the variant's own ``equations``); ``verify``
    holds options for the numeric check (e.g. a run length).
    """

    key: str
    title: str
    variant: str
    t_end: float
    params: Mapping = field(default_factory=dict)
    regularizers: Mapping = field(default_factory=dict)
    note: str = ""
    verify: Mapping = field(default_factory=dict)


#: The post's comparison: every built-in variant, WGAN-GP with c = 1 and c = 0, and the L2 mitigation.
POST_CASES: tuple[Case, ...] = (
    Case("vanilla_ns", "Vanilla GAN (non-saturating)", "vanilla_ns", POST_T_END["vanilla_ns"]),
    Case("vanilla_sat", "Vanilla GAN (saturating)", "vanilla_sat", POST_T_END["vanilla_sat"]),
    # verify()'s default run for a field without a Jacobian is t = 200; 50 is enough to see the
    # oscillation and keeps the singular field (tiny steps near phi = 0) from dominating the report.
    Case("wgan", "WGAN (normalised critic)", "wgan", POST_T_END["wgan"], verify={"t_end": 50.0}),
    Case("wgan_gp_c1", "WGAN-GP, c = 1", "wgan_gp", POST_T_END["wgan_gp"], {"c": 1}),
    Case("wgan_gp_c0", "WGAN-GP, c = 0 (zero-centred)", "wgan_gp", POST_T_END["wgan_gp"], {"c": 0}),
    Case("gan_qp", "GAN-QP", "gan_qp", POST_T_END["gan_qp"]),
    Case(
        "vanilla_ns_l2",
        f"Vanilla GAN + L2 on D (α = {L2_WEIGHT})",
        "vanilla_ns",
        POST_T_END["vanilla_ns"],
        regularizers={"l2": L2_WEIGHT},
        note="the post's first mitigation",
    ),
)
