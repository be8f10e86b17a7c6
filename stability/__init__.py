"""stability: does a GAN's training dynamics converge?  Exact answers for the Dirac GAN.

>>> from stability import analyze
>>> analyze("vanilla_ns").classification
'center'
"""

from ._analysis import Analysis as Analysis
from ._analysis import analyze as analyze
from ._classify import CLASSIFICATIONS as CLASSIFICATIONS
from ._classify import Eigenvalue as Eigenvalue
from ._errors import ExpressionParseError as ExpressionParseError
from ._errors import InvalidParameterError as InvalidParameterError
from ._errors import NotAnEquilibriumError as NotAnEquilibriumError
from ._errors import StabilityError as StabilityError
from ._errors import UnknownNameError as UnknownNameError
from ._functions import sigmoid as sigmoid
from ._functions import softplus as softplus
from ._latex import SecondOrder as SecondOrder
from ._latex import Step as Step
from ._latex import second_order as second_order
from ._numerics import Trajectories as Trajectories
from ._params import Parameter as Parameter
from ._regularizers import REGULARIZERS as REGULARIZERS
from ._report import build_report as build_report
from ._space import symbols as symbols
from ._variants import VARIANTS as VARIANTS
from ._variants import Variant as Variant
from ._verify import Verification as Verification

__all__ = [
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

__version__ = "0.1.0"
