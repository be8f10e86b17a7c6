"""``fgan_reverse_kl_ns``: f-GAN for the reverse KL divergence, non-saturating generator (Nowozin et al. 2016).

>>> from stability import analyze
>>> analyze("fgan_reverse_kl_ns").classification
'center'
"""

from __future__ import annotations

from ._fgan import fgan_variant

VARIANT = fgan_variant("reverse_kl", non_saturating=True)
