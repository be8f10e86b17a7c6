"""``fgan_kl``: f-GAN for the Kullback-Leibler divergence, minimax form (Nowozin et al. 2016, Table 2).

>>> from stability import analyze
>>> analyze("fgan_kl").classification
'center'
"""

from __future__ import annotations

from ._fgan import fgan_variant

VARIANT = fgan_variant("kl")
