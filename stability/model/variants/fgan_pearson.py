"""``fgan_pearson``: f-GAN for the Pearson chi^2 divergence, minimax form (Nowozin et al. 2016, Table 2).

>>> from stability import analyze
>>> analyze("fgan_pearson").classification
'center'
"""

from __future__ import annotations

from ._fgan import fgan_variant

VARIANT = fgan_variant("pearson")
