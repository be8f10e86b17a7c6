"""The compiled numeric field: the exact vector field as one NumPy function on a batch of states.

:func:`numeric_field` lambdifies (with common-subexpression elimination) the analysis' field
once and caches it per analysis. Rotation-invariant variants are evaluated through the four
coefficients of ``phi' = a phi + b theta``, ``theta' = c phi + d theta`` (functions of
``|phi|``, ``|theta|``, ``theta.phi``), so the cost does not grow with n.
:func:`numeric_function` compiles any expression in those invariants or in the state components.

>>> import numpy as np
>>> from stability import analyze
>>> f = numeric_field(analyze("vanilla_ns"))
>>> f(np.array([[1.0, 0.0, 0.0, 2.0]])) + 0.0   # sigmoid(0) = 1/2: phi' = -theta/2, theta' = phi/2
array([[ 0. , -1. ,  0.5,  0. ]])
"""

from __future__ import annotations

import weakref
from collections.abc import Callable

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from ..model.functions import NUMPY_FUNCTIONS
from ..model.space import DOT, NORM_PHI, NORM_THETA

__all__ = ["Field", "numeric_field", "numeric_function", "invariants"]

Field = Callable[[NDArray[np.float64]], NDArray[np.float64]]

_FIELDS: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_MODULES = [NUMPY_FUNCTIONS, "numpy"]
_INVARIANTS = (NORM_PHI, NORM_THETA, DOT)


def _check_numeric(analysis, exprs, allowed) -> None:
    free = set().union(*(sp.sympify(e).free_symbols for e in exprs)) - set(allowed)
    if free:
        names = ", ".join(sorted(str(s) for s in free))
        raise InvalidParameterError(
            f"numerical integration needs numeric parameter values; {analysis.variant.name!r} still has "
            f"symbolic {names}. Pass numbers, e.g. analyze(..., params={{'lam': 0.1}}) or regularizers={{'l2': 0.1}}"
        )


def invariants(z: NDArray[np.float64], n: int) -> tuple[NDArray, NDArray, NDArray]:
    """``(|phi|, |theta|, theta.phi)`` of states ``z`` of shape ``(..., 2n)``."""
    phi, theta = z[..., :n], z[..., n:]
    sig = "ki,ki->k" if z.ndim == 2 else "...i,...i->..."  # the explicit form is faster for batches
    return (
        np.sqrt(np.einsum(sig, phi, phi)),
        np.sqrt(np.einsum(sig, theta, theta)),
        np.einsum(sig, phi, theta),
    )


def _column(v):
    """A per-row coefficient as a (K, 1) column; a constant (e.g. the int 0) stays a scalar."""
    return v[:, None] if isinstance(v, np.ndarray) and v.ndim else float(v)


def _invariant_field(analysis) -> Field:
    inv, n = analysis.dynamics.invariant, analysis.dim
    coefficients = [inv.a, inv.b, inv.c, inv.d]
    _check_numeric(analysis, coefficients, _INVARIANTS)
    scalars = sp.lambdify(_INVARIANTS, coefficients, modules=_MODULES, cse=True)
    zero_a, zero_d = inv.a == 0, inv.d == 0  # e.g. the vanilla GANs: skip two products

    def f(z: NDArray[np.float64]) -> NDArray[np.float64]:
        k = z.shape[0]
        zz = z.reshape(k, 2, n)
        phi, theta = zz[:, 0], zz[:, 1]
        a, b, c, d = (_column(v) for v in scalars(*invariants(z, n)))
        out = np.empty((k, 2, n))
        dphi, dtheta = out[:, 0], out[:, 1]
        np.multiply(b, theta, out=dphi)
        if not zero_a:
            dphi += a * phi
        np.multiply(c, phi, out=dtheta)
        if not zero_d:
            dtheta += d * theta
        return out.reshape(k, 2 * n)

    return f


def _component_field(analysis) -> Field:
    exprs = list(analysis.vector_field)
    _check_numeric(analysis, exprs, analysis.state)
    components = sp.lambdify(analysis.state, exprs, modules=_MODULES, cse=True)

    def f(z: NDArray[np.float64]) -> NDArray[np.float64]:
        values = components(*z.T)
        out = np.empty_like(z)
        for j, v in enumerate(values):
            out[:, j] = v  # broadcasts constant components
        return out

    return f


def numeric_field(analysis) -> Field:
    """The analysis' vector field as a NumPy function ``f(Z) -> Z'`` on a batch ``Z`` of shape ``(K, 2n)``.

    Rows are states ``(phi_1..phi_n, theta_1..theta_n)``. Rotation-invariant variants are
    evaluated through the coefficients of ``phi' = a phi + b theta``, ``theta' = c phi + d theta``
    (functions of ``|phi|``, ``|theta|``, ``theta.phi``), otherwise the component field is
    lambdified (``cse=True``). No Python loop runs over trajectories. At singular points (e.g.
    ``phi = 0`` for WGAN) the result holds NaN or infinity; the integrator stops such
    trajectories and reports them. Built once per analysis and cached.

    Raises:
        InvalidParameterError: if a parameter or regulariser weight is still symbolic.

    >>> import numpy as np
    >>> from stability import analyze
    >>> f = numeric_field(analyze("gan_qp"))
    >>> f(np.array([[0.0, 0.0, 1.0, 0.0]])) + 0.0      # phi' = -theta, theta' = phi at theta.phi = 0
    array([[-1.,  0.,  0.,  0.]])
    """
    cached = _FIELDS.get(analysis)
    if cached is None:
        builder = _invariant_field if analysis.dynamics.invariant is not None else _component_field
        cached = _FIELDS[analysis] = builder(analysis)
    return cached


def numeric_function(expr: sp.Expr, analysis) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """``expr`` (in ``|phi|``, ``|theta|``, ``theta.phi`` or in the state components) as a NumPy
    function of states ``(..., 2n)`` returning ``(...)``.

    >>> import numpy as np
    >>> from stability import analyze
    >>> from stability.model.space import NORM_PHI, NORM_THETA
    >>> q = numeric_function(NORM_PHI**2 + NORM_THETA**2, analyze("vanilla_sat"))
    >>> q(np.array([[3.0, 0.0, 0.0, 4.0]]))
    array([25.])
    """
    expr = sp.sympify(expr)
    n = analysis.dim
    if expr.free_symbols & set(_INVARIANTS):
        _check_numeric(analysis, [expr], _INVARIANTS)
        f = sp.lambdify(_INVARIANTS, expr, modules=_MODULES, cse=True)
        return lambda z: np.broadcast_to(f(*invariants(z, n)), z.shape[:-1])
    _check_numeric(analysis, [expr], analysis.state)
    f = sp.lambdify(analysis.state, expr, modules=_MODULES, cse=True)
    return lambda z: np.broadcast_to(f(*np.moveaxis(z, -1, 0)), z.shape[:-1])
