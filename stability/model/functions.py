"""SymPy functions used by GAN losses, with exact derivatives and NumPy versions.

``sigmoid`` and ``softplus`` are kept as named functions (instead of being expanded
into ``exp``) so that losses, fields and LaTeX read like the source post.

>>> from sympy import Symbol, diff
>>> x = Symbol("x", real=True)
>>> diff(sigmoid(x), x)
(1 - sigmoid(x))*sigmoid(x)
>>> sigmoid(0)
1/2
"""

from __future__ import annotations

import numpy as np
import sympy as sp

__all__ = ["sigmoid", "softplus", "NUMPY_FUNCTIONS"]


class _PositiveSmooth(sp.Function):
    """Shared behaviour: real and positive for real arguments, evaluated through ``exp``.

    Subclasses define ``eval``, ``fdiff``, ``_eval_rewrite_as_exp`` and ``latex_name``.
    """

    nargs = 1
    latex_name = ""

    def _eval_is_real(self):
        return self.args[0].is_real

    def _eval_is_positive(self):
        return self.args[0].is_real

    def _eval_evalf(self, prec):
        # Evaluate the argument first: rewriting symbolically could turn exp(k*log(2)) into 2**k.
        x = self.args[0]._eval_evalf(prec)
        return None if x is None else self._eval_rewrite_as_exp(x)._eval_evalf(prec)

    def _eval_as_leading_term(self, x, logx=None, cdir=0):
        return self.rewrite(sp.exp).as_leading_term(x, logx=logx, cdir=cdir)

    def _eval_nseries(self, x, n, logx, cdir=0):
        return self.rewrite(sp.exp)._eval_nseries(x, n, logx, cdir)

    def _latex(self, printer, exp=None):
        base = self.latex_name + r"\left(" + printer._print(self.args[0]) + r"\right)"
        return base if exp is None else base + "^{" + str(exp) + "}"


class sigmoid(_PositiveSmooth):  # noqa: N801 - SymPy functions are lower case
    r"""The logistic function :math:`\sigma(x) = 1/(1 + e^{-x})`."""

    latex_name = r"\sigma"

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sp.S.Half
        if x is sp.S.Infinity:
            return sp.S.One
        if x is sp.S.NegativeInfinity:
            return sp.S.Zero
        return None

    def fdiff(self, argindex=1):
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return 1 / (1 + sp.exp(-x))

    def _eval_rewrite_as_tanh(self, x, **kwargs):
        return (1 + sp.tanh(x / 2)) / 2


class softplus(_PositiveSmooth):  # noqa: N801
    r"""The softplus function :math:`\log(1 + e^{x})`, the negative log of ``sigmoid(-x)``."""

    latex_name = r"\operatorname{softplus}"

    @classmethod
    def eval(cls, x):
        if x.is_zero:
            return sp.log(2)
        return None

    def fdiff(self, argindex=1):
        return sigmoid(self.args[0])

    def _eval_rewrite_as_exp(self, x, **kwargs):
        return sp.log(1 + sp.exp(x))


def _np_sigmoid(x):
    # 0.5 * (1 + tanh(x/2)) never overflows, unlike 1 / (1 + exp(-x)).
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(x, dtype=float)))


def _np_softplus(x):
    return np.logaddexp(0.0, x)


def _np_dirac_delta(x, *order):
    # The derivative of a kink (Heaviside' = DiracDelta) acts on a set of measure zero: a trajectory
    # meets it at isolated times, where the field is then taken from one side (like autodiff does).
    return np.zeros_like(np.asarray(x, dtype=float))


#: Names to pass to :func:`sympy.lambdify` so the functions above evaluate in NumPy.
NUMPY_FUNCTIONS = {"sigmoid": _np_sigmoid, "softplus": _np_softplus, "DiracDelta": _np_dirac_delta}
