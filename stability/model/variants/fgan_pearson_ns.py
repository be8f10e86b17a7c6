"""``fgan_pearson_ns``: f-GAN for the Pearson chi^2 divergence, non-saturating generator (Nowozin et al. 2016).

>>> from stability import analyze
>>> analyze("fgan_pearson_ns").classification
'center'
"""

from __future__ import annotations

from ._fgan import fgan_variant

VARIANT = fgan_variant("pearson", non_saturating=True)
