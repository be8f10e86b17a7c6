"""stability: does a GAN's training dynamics converge?  Exact answers for the Dirac GAN.

>>> from stability import analyze
>>> analyze("vanilla_ns").classification
'center'
"""

from . import optimizers as optimizers
from .analysis import Analysis as Analysis
from .analysis import analyze as analyze
from .errors import ExpressionParseError as ExpressionParseError
from .errors import InvalidParameterError as InvalidParameterError
from .errors import NotAnEquilibriumError as NotAnEquilibriumError
from .errors import StabilityError as StabilityError
from .errors import UnknownNameError as UnknownNameError
from .maps import bifurcation as bifurcation
from .maps import stability_map as stability_map
from .model.functions import sigmoid as sigmoid
from .model.functions import softplus as softplus
from .model.params import Parameter as Parameter
from .model.regularizers import REGULARIZERS as REGULARIZERS
from .model.space import symbols as symbols
from .model.variants import VARIANTS as VARIANTS
from .model.variants import Variant as Variant
from .numerics.simulate import Trajectories as Trajectories
from .numerics.verify import Verification as Verification
from .render.latex import SecondOrder as SecondOrder
from .render.latex import Step as Step
from .render.latex import second_order as second_order
from .report import build_report as build_report
from .theory.spectrum import CLASSIFICATIONS as CLASSIFICATIONS
from .theory.spectrum import Eigenvalue as Eigenvalue

__all__ = [
    "optimizers",
    "stability_map",
    "bifurcation",
    "Analysis",
    "analyze",
    "CLASSIFICATIONS",
    "Eigenvalue",
    "ExpressionParseError",
    "InvalidParameterError",
    "NotAnEquilibriumError",
    "StabilityError",
    "UnknownNameError",
    "sigmoid",
    "softplus",
    "Parameter",
    "REGULARIZERS",
    "symbols",
    "VARIANTS",
    "Variant",
    "Step",
    "SecondOrder",
    "second_order",
    "build_report",
    "Trajectories",
    "Verification",
]

from ._version import __version__ as __version__
