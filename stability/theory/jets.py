"""Taylor jets at the origin: the value, gradient and Hessian of an expression *analytic* there.

Where an expression is built only from operations analytic at the point they are evaluated at
(sums, products, polynomials, ``exp``, ``sin``, ``tanh``, ``sigmoid``, ``softplus``, ``log`` of a
positive value, powers of a non-vanishing base, ...), its derivatives at the origin follow from the
chain rule alone, evaluated at 0 node by node (forward-mode differentiation with sparse gradients):
no symbolic derivative is ever formed and no limit is needed. Anything else (``Abs``, ``sign``,
``Heaviside``, ``Max``, ``Min``, ``Piecewise``, roots or quotients of vanishing terms, unknown
functions) raises :class:`NotAnalytic`, and the caller must use the ray limits of
:mod:`stability.theory.linearize` (``sign(0) = 0`` or ``Heaviside`` would hide a kink).

>>> import sympy as sp
>>> from stability.model.functions import sigmoid
>>> x, y = sp.symbols("x y", real=True)
>>> j = jet(-sp.log(sigmoid(2 * x * y)) + x**2 / 10, (x, y))
>>> j.value, j.grad, sorted(j.hess.items())
(log(2), {}, [((0, 0), 1/5), ((0, 1), -1)])
>>> jet(sp.Abs(x), (x, y))
Traceback (most recent call last):
...
stability.theory.jets.NotAnalytic: Abs(x) is not analytic at the origin (or not known to be)
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy as sp

from ..model.functions import sigmoid, softplus

__all__ = ["Jet", "NotAnalytic", "jet", "JetBuilder"]

#: Functions analytic at every real point.
ENTIRE = (sp.exp, sp.sin, sp.cos, sp.sinh, sp.cosh, sp.tanh, sp.atan, sp.asinh, sp.erf, sigmoid, softplus)
_X = sp.Dummy("x")


class NotAnalytic(Exception):  # noqa: N818 - a control-flow signal, caught by the caller
    """The expression is not analytic at the origin, or that cannot be shown cheaply."""

    def __init__(self, expr: sp.Expr):
        self.expr = expr
        super().__init__(f"{expr} is not analytic at the origin (or not known to be)")


@dataclass(frozen=True)
class Jet:
    """Value, gradient ``{i: df/dx_i}`` and Hessian ``{(i, j): d2f/dx_i dx_j}`` (``i <= j``) at 0.

    Zero entries are left out.
    """

    value: sp.Expr
    grad: dict = field(default_factory=dict)
    hess: dict = field(default_factory=dict)


def _add_into(out: dict, items: dict, scale=sp.S.One) -> None:
    if scale.is_zero:
        return
    for k, v in items.items():
        out[k] = out.get(k, sp.S.Zero) + (v if scale is sp.S.One else scale * v)


def _cross(g: dict, h: dict, scale=sp.S.One) -> dict:
    """``scale * (g_i h_j + g_j h_i)`` for ``i <= j``: the symmetric part of two gradients' product."""
    out: dict = {}
    if scale.is_zero:
        return out
    for i, gi in g.items():
        for j, hj in h.items():
            key = (i, j) if i <= j else (j, i)
            term = gi * hj if i != j else 2 * gi * hj
            out[key] = out.get(key, sp.S.Zero) + term
    if scale is not sp.S.One:
        out = {k: scale * v for k, v in out.items()}
    return out


def _clean(d: dict) -> dict:
    return {k: v for k, v in d.items() if v.is_zero is not True}


class JetBuilder:
    """Jets of expressions in the variables ``state`` (all at 0), with a cache shared across calls.

    ``order`` is 1 (value and gradient) or 2 (also the Hessian).
    """

    def __init__(self, state, order: int = 2):
        self.index = {s: i for i, s in enumerate(state)}
        self.order = order
        self._cache: dict = {}
        self._derivs: dict = {}

    def __call__(self, expr: sp.Expr) -> Jet:
        expr = sp.sympify(expr)
        hit = self._cache.get(expr)
        if hit is None:
            hit = self._jet(expr)
            self._cache[expr] = hit
        return hit

    # -- the rules -------------------------------------------------------------------------
    def _jet(self, e: sp.Expr) -> Jet:
        if e.is_Symbol:
            i = self.index.get(e)
            return Jet(e) if i is None else Jet(sp.S.Zero, {i: sp.S.One})
        if e.is_Number or e.is_NumberSymbol or not (e.free_symbols & self.index.keys()):
            if e.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
                raise NotAnalytic(e)
            return Jet(e)
        if e.is_Add:
            return self._add([self(a) for a in e.args])
        if e.is_Mul:
            out = self(e.args[0])
            for a in e.args[1:]:
                out = self._mul(out, self(a))
            return out
        if e.is_Pow:
            return self._pow(e)
        if isinstance(e, sp.log) and len(e.args) == 1:
            a = self(e.args[0])
            if a.value.is_positive is not True:
                raise NotAnalytic(e)
            return self._compose(e.func, a, e)
        if isinstance(e, ENTIRE) and len(e.args) == 1 and e.args[0].is_real is not False:
            return self._compose(e.func, self(e.args[0]), e)
        raise NotAnalytic(e)

    def _add(self, jets: list[Jet]) -> Jet:
        value = sp.Add(*[j.value for j in jets])
        grad: dict = {}
        hess: dict = {}
        for j in jets:
            _add_into(grad, j.grad)
            if self.order > 1:
                _add_into(hess, j.hess)
        return Jet(value, _clean(grad), _clean(hess))

    def _mul(self, a: Jet, b: Jet) -> Jet:
        grad: dict = {}
        _add_into(grad, b.grad, a.value)
        _add_into(grad, a.grad, b.value)
        hess: dict = {}
        if self.order > 1:
            _add_into(hess, b.hess, a.value)
            _add_into(hess, a.hess, b.value)
            _add_into(hess, _cross(a.grad, b.grad))
        return Jet(a.value * b.value, _clean(grad), _clean(hess))

    def _compose(self, func, a: Jet, expr: sp.Expr) -> Jet:
        """``f(a)`` for ``f`` analytic at ``a.value``: ``f(a0)``, ``f'(a0) a'``, ``f'(a0) a'' + f''(a0) a'a'^T``."""
        f0, f1, f2 = self._derivatives(func, a.value, expr)
        return self._chain(f0, f1, f2, a)

    def _chain(self, f0, f1, f2, a: Jet) -> Jet:
        grad = _clean({k: f1 * v for k, v in a.grad.items()}) if not f1.is_zero else {}
        hess: dict = {}
        if self.order > 1:
            _add_into(hess, a.hess, f1)
            _add_into(hess, _cross(a.grad, a.grad), f2 / 2)
        return Jet(f0, grad, _clean(hess))

    def _derivatives(self, func, at: sp.Expr, expr: sp.Expr):
        key = (func, at)
        hit = self._derivs.get(key)
        if hit is None:
            d1, d2 = _formulas(func)
            hit = tuple(sp.expand(d.xreplace({_X: at})) for d in (func(at), d1, d2 if self.order > 1 else sp.S.Zero))
            if any(h.has(sp.nan, sp.zoo, sp.oo, -sp.oo) for h in hit):
                raise NotAnalytic(expr)
            self._derivs[key] = hit
        return hit

    def _pow(self, e: sp.Pow) -> Jet:
        base, exp = e.args
        if exp.free_symbols & self.index.keys():  # b**e = exp(e log b), analytic where b > 0
            b = self(base)
            if b.value.is_positive is not True:
                raise NotAnalytic(e)
            log_b = self._compose(sp.log, b, e)
            return self._compose(sp.exp, self._mul(self(exp), log_b), e)
        b = self(base)
        b0 = b.value
        if exp.is_Integer and exp >= 0:
            k = int(exp)
            if k == 0:
                return Jet(sp.S.One)
            f1 = sp.S.One if k == 1 else k * b0 ** (k - 1)
            f2 = sp.S.Zero if k == 1 else k * (k - 1) * b0 ** (k - 2)
            return self._chain(b0**k, f1, f2, b)
        if (exp.is_integer and b0.is_zero is False) or b0.is_positive:
            return self._chain(b0**exp, exp * b0 ** (exp - 1), exp * (exp - 1) * b0 ** (exp - 2), b)
        raise NotAnalytic(e)


_FORMULAS: dict = {}


def _formulas(func) -> tuple[sp.Expr, sp.Expr]:
    """``(f'(x), f''(x))`` of a one-argument function, derived once per function."""
    hit = _FORMULAS.get(func)
    if hit is None:
        d1 = sp.diff(func(_X), _X)
        hit = _FORMULAS[func] = (d1, sp.diff(d1, _X))
    return hit


def jet(expr: sp.Expr, state, order: int = 2) -> Jet:
    """The jet of ``expr`` at ``state = 0`` (raises :class:`NotAnalytic` where the rules above do not apply)."""
    return JetBuilder(state, order)(expr)
