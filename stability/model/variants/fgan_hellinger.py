"""``fgan_hellinger``: f-GAN for the squared Hellinger divergence, minimax form (Nowozin et al. 2016, Table 2).

>>> from stability import analyze
>>> analyze("fgan_hellinger").classification
'center'
"""

from __future__ import annotations

from ._fgan import fgan_variant

VARIANT = fgan_variant("hellinger")
