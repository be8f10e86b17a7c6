"""``fgan_kl_ns``: f-GAN for the Kullback-Leibler divergence, non-saturating generator (Nowozin et al. 2016).

>>> from stability import analyze
>>> analyze("fgan_kl_ns").classification
'center'
"""

from __future__ import annotations

from ._fgan import fgan_variant

VARIANT = fgan_variant("kl", non_saturating=True)
