"""``r2``: zero-centred penalty at fake data, ``gamma_r2/2 E_q[|grad_x D(x)|^2]`` on ``L_D`` (Mescheder et al. 2018).

>>> from stability import analyze
>>> analyze("vanilla_ns", regularizers={"r2": 2}).block
Matrix([
[ -2, -1/2],
[1/2,    0]])
"""

from __future__ import annotations

from ..params import Parameter
from .r1 import GradientPenalty

REGULARIZER = GradientPenalty(
    "r2",
    "R2: zero-centred gradient penalty gamma_r2/2*|grad_x D|^2 at generated data",
    Parameter("gamma_r2", None, "R2 penalty weight", "nonnegative"),
    r"\frac{\gamma_{r2}}{2}\,\mathbb{E}_{q}\left[\Vert\nabla_x D(x)\Vert^2\right]",
    source="Mescheder, Geiger & Nowozin 2018, sec. 4.1, eq. (10)",
    player="d",
    at="fake",
)
