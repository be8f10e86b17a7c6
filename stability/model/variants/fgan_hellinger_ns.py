"""``fgan_hellinger_ns``: f-GAN for the squared Hellinger divergence, non-saturating generator (Nowozin et al. 2016).

>>> from stability import analyze
>>> analyze("fgan_hellinger_ns").classification
'center'
"""

from __future__ import annotations

from ._fgan import fgan_variant

VARIANT = fgan_variant("hellinger", non_saturating=True)
