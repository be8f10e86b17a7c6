"""``fgan_js_ns``: f-GAN for the Jensen-Shannon divergence, non-saturating generator (Nowozin et al. 2016).

>>> from stability import analyze
>>> analyze("fgan_js_ns").classification
'center'
"""

from __future__ import annotations

from ._fgan import fgan_variant

VARIANT = fgan_variant("js", non_saturating=True)
