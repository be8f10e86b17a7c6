"""``instance_noise``: Gaussian noise of standard deviation ``sigma`` on real and fake samples (Sonderby et al. 2017).

``x_r ~ N(0, sigma^2 I)`` and ``x_f ~ N(theta, sigma^2 I)``, independent; every expectation in
both losses is taken over the noise, exactly. A loss may use the samples only through the critic
``D(x) = x.phi`` (or linear combinations of samples fed to it): then ``D(x_r) ~ N(0, v)`` and
``D(x_f) ~ N(theta.phi, v)`` with ``v = sigma^2 |phi|^2``. Polynomial terms get their exact
Gaussian moments; any other term ``f(w)`` becomes :class:`GaussianMean` ``E[f(w)], w ~ N(m, v)``,
an exact SymPy function of ``(m, v)`` with exact derivatives (``d/dm E[f] = E[f']``, and the
heat equation ``d/dv E[f] = E[f'']/2``), equal to ``f(m)`` at ``v = 0``: the field, its Jacobian
and every derivative at the equilibrium are exact. Numerically (NumPy printing) it is evaluated
by a 153-node trapezoidal rule on the standard normal (:func:`quadrature_rule`), or in closed form
for the non-smooth pieces ``Heaviside``, ``DiracDelta`` and ``max(0, .)`` of a linear argument.

>>> from stability import analyze
>>> analyze("lsgan", regularizers={"instance_noise": 1}).dynamics.invariant.a
-2
>>> analyze("vanilla_ns", regularizers={"instance_noise": 1}).block
Matrix([
[-1/2, -1/2],
[ 1/2,    0]])
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import mpmath
import numpy as np
import sympy as sp

from ...errors import InvalidParameterError
from ..params import Parameter
from ..space import InvVec
from .base import DataModel

__all__ = ["GaussianMean", "gaussian_mean", "NoisySpace", "quadrature_rule", "REGULARIZER"]

#: Step and half-width of the trapezoidal rule on the standard normal used to evaluate a Gaussian mean
#: numerically (153 nodes). For integrands analytic in a strip (sigmoid, softplus: poles at distance pi/s
#: in the standardised variable, s = sqrt(v)) its error decays like exp(-2 pi^2 / (step * s)): about 1e-15
#: up to s = 5 and 1e-8 at s = 10, where Gauss-Hermite with 128 nodes is off by 1e-3.
QUADRATURE_STEP = 0.125
QUADRATURE_HALF_WIDTH = 9.5

_W = sp.Dummy("w", real=True)  # the integration variable of every GaussianMean body
_PARAMS: list[sp.Dummy] = []  # positional placeholders for the other symbols of a body
_CLASSES: dict[sp.Expr, type] = {}
_NON_SMOOTH = (sp.Heaviside, sp.DiracDelta, sp.Max, sp.Min)


def _param(i: int) -> sp.Dummy:
    while len(_PARAMS) <= i:
        _PARAMS.append(sp.Dummy(f"p{len(_PARAMS)}", real=True))
    return _PARAMS[i]


def _raw_moment(k: int, m: sp.Expr, v: sp.Expr) -> sp.Expr:
    """``E[w^k]`` for ``w ~ N(m, v)``: sum over even j of C(k, j) m^(k-j) v^(j/2) (j-1)!!."""
    return sp.Add(
        *[sp.binomial(k, j) * m ** (k - j) * v ** (j // 2) * sp.factorial2(j - 1) for j in range(0, k + 1, 2)]
    )


class GaussianMean(sp.Function):
    """``E[f(w)]`` for ``w ~ N(m, v)``; arguments ``(m, v, *params)``, ``f`` held by the subclass.

    Build instances with :func:`gaussian_mean`. ``f`` (the class attribute ``body``) is an
    expression in a private variable and positional placeholders for the symbols it shares
    with the rest of the expression, which are the trailing arguments; so substitution,
    differentiation and common-subexpression elimination only ever see ``m``, ``v`` and those.
    """

    body: ClassVar[sp.Expr] = sp.S.Zero
    nparams: ClassVar[int] = 0

    @classmethod
    def eval(cls, m, v, *params):
        if v.is_zero:
            return cls._body_at(m, params)
        return None

    @classmethod
    def _body_at(cls, w, params) -> sp.Expr:
        return cls.body.xreplace({_W: w, **{_param(i): p for i, p in enumerate(params)}})

    def _eval_is_real(self):
        return self.body.is_real

    def _mean_of(self, body: sp.Expr) -> sp.Expr:
        """The Gaussian mean of another body (in the same placeholders), at this instance's arguments."""
        m, v, *params = self.args
        return gaussian_mean(body.xreplace({_param(i): p for i, p in enumerate(params)}), _W, m, v)

    def fdiff(self, argindex=1):
        if argindex == 1:
            return self._mean_of(sp.diff(self.body, _W))
        if argindex == 2:  # heat equation: d/dv E[f(m + sqrt(v) Z)] = E[f''(m + sqrt(v) Z)] / 2
            return self._mean_of(sp.diff(self.body, _W, 2)) / 2
        return self._mean_of(sp.diff(self.body, _param(argindex - 3)))

    def _eval_evalf(self, prec):
        if not all(a.is_number for a in self.args):
            return None
        m, v = (sp.Float(a.evalf(prec + 10), prec + 10) for a in self.args[:2])
        w = sp.Dummy("w", real=True)
        closed = _closed_form(self.integrand(w), w, m, v)
        if closed is not None:
            return closed.evalf(prec)
        if self.body.has(*_NON_SMOOTH):
            return None
        f = sp.lambdify(w, self.integrand(w), modules="mpmath")
        dps = max(15, int(prec * 0.30103) + 5)
        with mpmath.workdps(dps):
            s = mpmath.sqrt(mpmath.mpf(str(v)))
            val = mpmath.quad(lambda t: f(mpmath.mpf(str(m)) + s * t) * mpmath.npdf(t), [-mpmath.inf, 0, mpmath.inf])
        return sp.Float(val, dps)

    def integrand(self, w: sp.Symbol) -> sp.Expr:
        """``f(w)`` with the arguments substituted."""
        return type(self)._body_at(w, self.args[2:])

    def _sympystr(self, printer):
        m, v = self.args[:2]
        w = sp.Symbol("w")
        return f"E[{printer._print(self.integrand(w))}; w ~ N({printer._print(m)}, {printer._print(v)})]"

    def _latex(self, printer, exp=None):
        m, v = self.args[:2]
        w = sp.Symbol("w")
        tex = (
            rf"\mathbb{{E}}_{{w\sim\mathcal{{N}}\left({printer._print(m)},\,{printer._print(v)}\right)}}"
            rf"\left[{printer._print(self.integrand(w))}\right]"
        )
        return tex if exp is None else rf"\left({tex}\right)^{{{exp}}}"

    def _numpycode(self, printer):
        m, v = (printer._print(a) for a in self.args[:2])
        w = sp.Symbol("_noise_w")
        closed = _closed_form_code(self.integrand(w), w, m, v, printer)
        if closed is not None:
            return closed
        arr = printer._module_format("numpy.array")
        x, wts = quadrature_rule()
        nodes = f"{arr}([{', '.join(repr(float(t)) for t in x)}])"
        weights = f"{arr}([{', '.join(repr(float(t)) for t in wts)}])"
        multiply, sqrt, dot = (printer._module_format(f"numpy.{f}") for f in ("multiply", "sqrt", "tensordot"))
        points = f"{multiply}.outer({nodes}, {sqrt}({v}) + 0*({m})) + ({m})"  # shape (nodes, *batch)
        return f"{dot}({weights}, (lambda {w}: {printer._print(self.integrand(w))})({points}), axes=1)"


def quadrature_rule() -> tuple[np.ndarray, np.ndarray]:
    """Nodes ``t_k`` and weights ``w_k`` with ``E[f(Z)] ~ sum_k w_k f(t_k)`` for ``Z ~ N(0, 1)``.

    >>> t, w = quadrature_rule()
    >>> len(t), round(float(w @ t**2), 12)
    (153, 1.0)
    """
    k = round(QUADRATURE_HALF_WIDTH / QUADRATURE_STEP)
    t = QUADRATURE_STEP * np.arange(-k, k + 1, dtype=float)
    return t, QUADRATURE_STEP * np.exp(-t * t / 2) / math.sqrt(2 * math.pi)


def _kernel(body: sp.Expr, w: sp.Symbol):
    """``(coeff, kernel, alpha, beta)`` when ``body = coeff * K(alpha + beta w)``, ``K`` non-smooth; else None."""
    coeff, kernel = body.as_independent(w, as_Add=False)
    if not isinstance(kernel, _NON_SMOOTH):
        return None
    if isinstance(kernel, (sp.Max, sp.Min)):
        if len(kernel.args) != 2 or 0 not in kernel.args:
            return None
        arg = kernel.args[1] if kernel.args[0] == 0 else kernel.args[0]
    elif isinstance(kernel, sp.DiracDelta) and len(kernel.args) > 1:
        return None
    else:
        arg = kernel.args[0]
    beta = sp.diff(arg, w)
    if beta.has(w) or beta == 0:
        return None
    return coeff, kernel, arg.xreplace({w: 0}), beta


def _closed_form(body: sp.Expr, w: sp.Symbol, m: sp.Expr, v: sp.Expr) -> sp.Expr | None:
    """``E[c K(alpha + beta w)]`` in closed form (erfc, exp) for ``v > 0``, ``K`` a non-smooth kernel; else None."""
    parts = _kernel(body, w)
    if parts is None:
        return None
    coeff, kernel, alpha, beta = parts
    mu, s = alpha + beta * m, sp.Abs(beta) * sp.sqrt(v)
    cdf = sp.erfc(-mu / (s * sp.sqrt(2))) / 2
    pdf = sp.exp(-(mu**2) / (2 * s**2)) / (s * sp.sqrt(2 * sp.pi))
    if isinstance(kernel, sp.Heaviside):
        return coeff * cdf
    if isinstance(kernel, sp.DiracDelta):
        return coeff * pdf
    positive = mu * cdf + s**2 * pdf
    return coeff * (positive if isinstance(kernel, sp.Max) else mu - positive)


def _closed_form_code(body: sp.Expr, w: sp.Symbol, m: str, v: str, printer) -> str | None:
    """NumPy code of ``E[body]`` for ``c * K(alpha + beta w)``, ``K`` a non-smooth function; else None.

    Like :func:`_closed_form`, with ``s`` bounded below so that ``v = 0`` gives the limit ``K(alpha + beta m)``.
    """
    parts = _kernel(body, w)
    if parts is None:
        return None
    coeff, kernel, alpha, beta = parts
    p = printer._print
    sqrt, exp, vec = (printer._module_format(f"numpy.{f}") for f in ("sqrt", "exp", "vectorize"))
    maximum = printer._module_format("numpy.maximum")
    erfc = printer._module_format("math.erfc")
    mu = f"(({p(alpha)}) + ({p(beta)})*({m}))"
    s = f"{maximum}(abs({p(beta)})*{sqrt}({v}), 1e-300)"
    cdf = f"(0.5*{vec}({erfc}, otypes=[float])(-{mu}/({s}*{math.sqrt(2)!r})))"
    pdf = f"({exp}(-0.5*({mu}/{s})**2)/({s}*{math.sqrt(2 * math.pi)!r}))"
    if isinstance(kernel, sp.Heaviside):
        value = cdf
    elif isinstance(kernel, sp.DiracDelta):
        value = pdf
    else:
        positive = f"({mu}*{cdf} + {s}*{s}*{pdf})"  # E[max(0, Y)] = mu Phi(mu/s) + s phi(mu/s)
        value = positive if isinstance(kernel, sp.Max) else f"({mu} - {positive})"
    return f"(({p(coeff)})*{value})"


def _mean_class(body: sp.Expr) -> type:
    cls = _CLASSES.get(body)
    if cls is None:
        nparams = len(body.free_symbols - {_W})
        cls = type(
            f"GaussianMean{len(_CLASSES)}", (GaussianMean,), {"body": body, "nparams": nparams, "nargs": 2 + nparams}
        )
        _CLASSES[body] = cls
    return cls


def _exponential_mean(rest: sp.Expr, w: sp.Symbol, m: sp.Expr, v: sp.Expr) -> sp.Expr | None:
    """``E[P(w) exp(alpha + beta w)] = exp(alpha + beta m + beta^2 v / 2) E[P(w')]``, ``w' ~ N(m + beta v, v)``."""
    factors = sp.Mul.make_args(rest)
    exps = [f for f in factors if isinstance(f, sp.exp)]
    others = sp.Mul(*[f for f in factors if not isinstance(f, sp.exp)])
    exponent = sp.Add(*[f.args[0] for f in exps])
    beta = sp.diff(exponent, w)
    if not exps or beta.has(w) or not others.is_polynomial(w):
        return None
    alpha = sp.expand(exponent - beta * w)
    return sp.exp(alpha + beta * m + beta**2 * v / 2) * gaussian_mean(others, w, m + beta * v, v)


def gaussian_mean(f: sp.Expr, w: sp.Symbol, m: sp.Expr, v: sp.Expr) -> sp.Expr:
    """The exact ``E[f(w)]`` for ``w ~ N(m, v)``: moments for polynomial terms, else :class:`GaussianMean`.

    >>> w, m, v = sp.symbols("w m v", real=True)
    >>> gaussian_mean(w**2 + 3, w, m, v)
    m**2 + v + 3
    >>> gaussian_mean(w * sp.exp(w), w, m, v)
    (m + v)*exp(m + v/2)
    >>> e = gaussian_mean(sp.log(1 + w**2), w, m, v)
    >>> e.subs(v, 0), sp.factor(sp.diff(e, v).subs(v, 0))
    (log(m**2 + 1), -(m - 1)*(m + 1)/(m**2 + 1)**2)
    """
    f, m, v = sp.sympify(f), sp.sympify(m), sp.sympify(v)
    out = []
    for term in sp.Add.make_args(sp.expand(f)):
        coeff, rest = term.as_independent(w, as_Add=False)
        closed = None if v.is_zero else _exponential_mean(rest, w, m, v)
        if not rest.has(w):
            out.append(term)
        elif v.is_zero:
            out.append(term.xreplace({w: m}))
        elif rest.is_polynomial(w):
            poly = sp.Poly(rest, w)
            out.append(coeff * sp.Add(*[c * _raw_moment(k, m, v) for (k,), c in poly.terms()]))
        elif closed is not None:
            out.append(coeff * closed)
        else:
            params = sorted(rest.free_symbols - {w}, key=sp.default_sort_key)
            body = rest.xreplace({w: _W, **{s: _param(i) for i, s in enumerate(params)}})
            out.append(coeff * _mean_class(body)(m, v, *params))
    return sp.Add(*out)


# ----------------------------------------------------------------------------- the noisy space


def _refuse(what: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"instance_noise needs losses that use the samples x_r, x_f only through the critic D(x) = x.phi; "
        f"this loss uses {what}, whose expectation under the noise has no exact form here"
    )


@dataclass(frozen=True)
class NoisyPoint:
    """``sum_k coeff_k * sample_k + base``: a linear combination of noisy samples and a fixed vector."""

    space: NoisySpace
    coeffs: tuple  # one coefficient per sample (real, fake)
    base: object  # a vector of the underlying space

    def _combine(self, other, sign):
        if isinstance(other, NoisyPoint):
            coeffs = tuple(a + sign * b for a, b in zip(self.coeffs, other.coeffs))
            return NoisyPoint(self.space, coeffs, self.base + sign * other.base)
        if isinstance(other, (InvVec, sp.MatrixBase)):
            return NoisyPoint(self.space, self.coeffs, self.base + sign * other)
        return NotImplemented

    def __add__(self, other):
        return self._combine(other, 1)

    __radd__ = __add__

    def __sub__(self, other):
        return self._combine(other, -1)

    def __rsub__(self, other):
        return (-self)._combine(other, 1)

    def __neg__(self):
        return self * -1

    def __mul__(self, k):
        if isinstance(k, (NoisyPoint, InvVec, sp.MatrixBase)):
            return NotImplemented
        return NoisyPoint(self.space, tuple(c * k for c in self.coeffs), self.base * k)

    __rmul__ = __mul__

    def __truediv__(self, k):
        return self * (sp.S.One / k)

    def __getitem__(self, index):
        raise _refuse("individual components of a noisy sample")

    def __iter__(self):
        raise _refuse("individual components of a noisy sample")


class NoisySpace:
    """The space the losses see under instance noise: samples are noisy, everything else is as in ``outer``.

    ``critic(x)`` of a noisy sample is a placeholder symbol; :meth:`InstanceNoise.expectation`
    replaces every placeholder by its Gaussian law: ``D(x_r) ~ N(0, v)``, ``D(x_f) ~ N(theta.phi, v)``,
    ``v = sigma^2 |phi|^2``, independent.
    """

    def __init__(self, outer, sigma: sp.Expr):
        self.outer = outer
        self.sigma = sigma
        self.phi, self.theta, self.zero = outer.phi, outer.theta, outer.zero
        self.variance = sigma**2 * outer.dot(outer.phi, outer.phi)
        self.placeholders = (sp.Dummy("D_r", real=True), sp.Dummy("D_f", real=True))
        self.means = (outer.critic(outer.x_real), outer.critic(outer.x_fake))

    @property
    def x_real(self) -> NoisyPoint:
        return NoisyPoint(self, (sp.S.One, sp.S.Zero), self.zero)

    @property
    def x_fake(self) -> NoisyPoint:
        return NoisyPoint(self, (sp.S.Zero, sp.S.One), self.zero)

    def _phi_multiple(self, y) -> sp.Expr | None:
        if isinstance(y, InvVec):
            return y.a if y.b == 0 else None
        if isinstance(y, sp.MatrixBase):
            phi = self.outer.phi
            k = sp.cancel(self.outer.dot(y, phi) / self.outer.dot(phi, phi))
            return k if all(sp.expand(e) == 0 for e in y - k * phi) else None
        return None

    def dot(self, x, y) -> sp.Expr:
        if isinstance(x, NoisyPoint) and isinstance(y, NoisyPoint):
            raise _refuse("a dot product of two noisy samples")
        if isinstance(y, NoisyPoint):
            x, y = y, x
        if not isinstance(x, NoisyPoint):
            return self.outer.dot(x, y)
        k = self._phi_multiple(y)
        if k is None:
            raise _refuse("a dot product of a noisy sample with a vector other than phi")
        noise = sp.Add(*[c * k * d for c, d in zip(x.coeffs, self.placeholders)])
        return noise + self.outer.dot(x.base, y)

    def norm(self, x) -> sp.Expr:
        if isinstance(x, NoisyPoint):
            raise _refuse("the norm of a noisy sample (e.g. |x_f - x_r|)")
        return self.outer.norm(x)

    def critic(self, x) -> sp.Expr:
        return self.dot(x, self.phi)

    def critic_grad(self, x):
        return self.phi

    def grad(self, expr: sp.Expr):
        if expr.has(*self.placeholders):
            raise _refuse("a gradient of an expression of the noisy samples")
        return self.outer.grad(expr)

    def expectation(self, loss: sp.Expr) -> sp.Expr:
        """The exact expectation of ``loss`` over the noise."""
        return sp.Add(*[self._term_mean(t) for t in sp.Add.make_args(sp.sympify(loss))])

    def _term_mean(self, term: sp.Expr) -> sp.Expr:
        d_r, d_f = self.placeholders
        used = [i for i, d in enumerate(self.placeholders) if term.has(d)]
        if not used:
            return term
        if len(used) == 1:
            i = used[0]
            return gaussian_mean(term.xreplace({self.placeholders[i]: _W}), _W, self.means[i], self.variance)
        if term.is_polynomial(d_r, d_f):
            (m_r, m_f), v = self.means, self.variance
            poly = sp.Poly(term, d_r, d_f)
            return sp.Add(*[c * _raw_moment(i, m_r, v) * _raw_moment(j, m_f, v) for (i, j), c in poly.terms()])
        factors = sp.Mul.make_args(term)
        joint = [f for f in factors if f.has(d_r) and f.has(d_f)]
        if not joint:  # independent samples: the mean of a product of separate factors is the product of means
            parts = [sp.Mul(*[f for f in factors if f.has(d)]) for d in self.placeholders]
            rest = sp.Mul(*[f for f in factors if not f.has(d_r, d_f)])
            return rest * self._term_mean(parts[0]) * self._term_mean(parts[1])
        return self._linear_combination_mean(term)

    def _linear_combination_mean(self, term: sp.Expr) -> sp.Expr:
        """``E[f(alpha D_r + beta D_f)]`` when the term depends on the samples through one combination."""
        d_r, d_f = self.placeholders
        for node in sp.preorder_traversal(term):
            if isinstance(node, sp.Add) and node.has(d_r) and node.has(d_f):
                alpha, beta = sp.diff(node, d_r), sp.diff(node, d_f)
                if not (alpha.has(d_r, d_f) or beta.has(d_r, d_f)):
                    break
        else:
            raise _refuse("the two noisy critic values jointly, not through one linear combination")
        combined = sp.Dummy("L", real=True)
        reduced = term.subs(d_f, (combined - alpha * d_r) / beta)
        if reduced.has(d_r) or reduced.has(d_f):
            raise _refuse("the two noisy critic values jointly, not through one linear combination")
        mean = alpha * self.means[0] + beta * self.means[1]
        return gaussian_mean(reduced.xreplace({combined: _W}), _W, mean, (alpha**2 + beta**2) * self.variance)


@dataclass(frozen=True)
class InstanceNoise(DataModel):
    def space(self, g, weight):
        return NoisySpace(g, weight)

    def expectation(self, loss, g, weight):
        return g.expectation(loss)


REGULARIZER = InstanceNoise(
    "instance_noise",
    "Instance noise: Gaussian noise of standard deviation sigma on real and fake samples, expectations exact",
    Parameter("sigma", None, "standard deviation of the instance noise", "positive"),
    r"x_r \sim \mathcal{N}(0, \sigma^2 I),\ x_f \sim \mathcal{N}(\boldsymbol{\theta}, \sigma^2 I)",
    source="Sonderby et al. 2017; Mescheder, Geiger & Nowozin 2018, sec. 3.3",
)
