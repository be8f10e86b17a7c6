"""Figures of an analysis (public module; the implementation lives in :mod:`stability.render.plotting`).

>>> from stability import plotting
>>> "theta" in plotting.KINDS
True
"""

from .render.plotting import *  # noqa: F403 - this module is the public face of render.plotting
from .render.plotting import __all__ as __all__  # noqa: F401
