r"""Stability verdicts and rates on a whole grid of parameter values at once, from compiled coefficients.

The characteristic polynomial's coefficients, exact in the swept parameters, are compiled once
(:func:`compile_coefficients`) and evaluated on every point; then, with no Python loop over points:

* **the verdict** comes from the Routh-Hurwitz test of the polynomial (flows) or of its Cayley
  transform (maps; the Schur-Cohn/Jury conditions), run on the coefficient arrays
  (:func:`routh_hurwitz`). A point is *clearly stable* when every Routh first-column entry of
  the polynomial, rescaled so that its roots are of order 1, exceeds :data:`TOL` times the
  size of the terms that produced it; *clearly unstable* when a coefficient or an entry is
  below ``-TOL`` times that size (a sign change of the Routh column before any zero, which
  no polynomial with roots in the closed stable set has). Otherwise it lies within the
  tolerance of the boundary, and the rate decides: within :data:`RATE_TOL` of the critical
  value (0 for flows, 1 for maps; relative to the largest eigenvalue for flows) it is on the
  boundary (``neutral`` for maps; for flows ``center`` when every eigenvalue is non-zero and
  on the axis, else ``non-hyperbolic``), else stable or unstable by the rate's side. No float is
  ever compared with ``== 0``. For degree 2 the same test is written out: the Jury conditions
  ``1 - a_2``, ``p(1)``, ``p(-1) > 0`` (maps) and ``a_1``, ``a_2 > 0`` (flows), in real arithmetic.
* **the rate** (spectral abscissa ``max Re lambda`` of a flow, spectral radius ``max |lambda|``
  of a map) from the roots of the polynomial: the quadratic formula (in its cancellation-free
  form) up to degree 2, ``numpy.linalg.eigvals`` on the stacked companion matrices above.

Points are processed in chunks of :data:`CHUNK`, so memory is bounded whatever the grid size.
:func:`bounding` and :func:`near_boundary` relate the exact boundary curves to the verdicts on a
grid; :func:`measure_flow` and :func:`measure_map` measure attractor sizes by batched simulation.

>>> import sympy as sp
>>> h, lam = sp.symbols("h lam", positive=True)
>>> coeffs = compile_coefficients([1, 2 * lam * h - 2, 1 - 2 * lam * h + h**2], (h, lam))
>>> codes, rate = evaluate(coeffs, (np.array([0.1, 0.2, 0.3]), np.full(3, 0.1)), TimeDomain.DISCRETE)
>>> [str(CODES[c]) for c in codes], rate.round(6).tolist()      # stable iff h < 2 lam
(['stable', 'neutral', 'unstable'], [0.994987, 1.0, 1.014889])
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from ..errors import InvalidParameterError
from ..model.functions import NUMPY_FUNCTIONS
from ..model.space import DOT, NORM_PHI, NORM_THETA
from ..verdicts import Behaviour, Classification, TimeDomain
from .field import invariants
from .integrate import Status, StepBudgetExceeded, integrate
from .iterate import iterate
from .records import Record, frozen

__all__ = [
    "TOL",
    "RATE_TOL",
    "CHUNK",
    "CODES",
    "code_of",
    "compile_coefficients",
    "compile_expression",
    "cayley_matrix",
    "routh_hurwitz",
    "polynomial_roots",
    "classify",
    "evaluate",
    "evaluate_grid",
    "verdict_groups",
    "bounding",
    "near_boundary",
    "transition_band",
    "parametrised_field",
    "Measured",
    "measure_flow",
    "measure_map",
]

#: Relative margin of the (rescaled) Routh-Hurwitz quantities below which a point is not clearly decided.
TOL = 1e-9
#: Distance of the rate from its critical value (0 or 1) within which an undecided point is on the boundary.
RATE_TOL = 1e-6
#: Points evaluated at a time (bounds the memory of the companion matrices and temporaries).
CHUNK = 1 << 16

#: The verdict of each code, in code order (``codes`` arrays index this tuple).
CODES: tuple[Classification, ...] = (
    Classification.STABLE,
    Classification.UNSTABLE,
    Classification.NEUTRAL,
    Classification.CENTER,
    Classification.NON_HYPERBOLIC,
    Classification.NON_DIFFERENTIABLE,
    Classification.UNDECIDED,
)
code_of = {c: np.int8(i) for i, c in enumerate(CODES)}
_STABLE, _UNSTABLE, _NEUTRAL, _CENTER, _NONHYP, _NONDIFF, _UNDECIDED = range(len(CODES))
_BAND = 2  # routh_hurwitz's third outcome
_MODULES = [NUMPY_FUNCTIONS, "numpy"]


# ----------------------------------------------------------------------------- compiling


def compile_expression(expr, symbols: Sequence[sp.Symbol]) -> Callable[..., NDArray[np.float64]]:
    """``expr`` as a NumPy function of the ``symbols`` (broadcast to the arguments' shape)."""
    f = sp.lambdify(list(symbols), sp.sympify(expr), modules=_MODULES)

    def g(*args):
        shape = np.broadcast(*args).shape
        return np.broadcast_to(np.asarray(f(*args), dtype=float), shape)

    return g


def compile_coefficients(exprs, symbols: Sequence[sp.Symbol]) -> Callable[..., NDArray[np.float64]]:
    """The coefficients ``exprs`` as one NumPy function returning ``(N, len(exprs))`` for N points.

    Compiled once (``lambdify`` with common-subexpression elimination); constants broadcast.
    """
    f = sp.lambdify(list(symbols), [sp.sympify(e) for e in exprs], modules=_MODULES, cse=True)

    def g(*args):
        args = [np.asarray(a, dtype=float) for a in args]
        n = np.broadcast(*args).size if args else 1
        out = np.empty((n, len(exprs)))
        for j, v in enumerate(f(*args)):
            out[:, j] = np.broadcast_to(np.asarray(v, dtype=float), np.broadcast(*args).shape).ravel()
        return out

    return g


@functools.lru_cache(maxsize=32)
def _cayley_table(n: int) -> NDArray[np.float64]:
    return cayley_matrix(n)


def cayley_matrix(n: int) -> NDArray[np.float64]:
    """``T`` with ``q = c @ T.T`` the coefficients (highest first) of ``(1 - w)^n p((1 + w)/(1 - w))``.

    >>> cayley_matrix(1).tolist()     # z - r  ->  (1 + r) w + (1 - r)
    [[1.0, -1.0], [1.0, 1.0]]
    """
    t = np.zeros((n + 1, n + 1))
    for i in range(n + 1):  # column i: the coefficient of z^(n-i)
        k = n - i
        t[:, i] = np.polymul(np.polynomial.polynomial.polypow([1, 1], k)[::-1], _pow_hi([-1, 1], n - k))
    return t


def _cayley(c: NDArray[np.float64]) -> NDArray[np.float64]:
    """The Cayley transform's coefficients of each row (column by column: faster than a thin matmul)."""
    t = _cayley_table(c.shape[1] - 1)
    cols = [np.ascontiguousarray(c[:, i]) for i in range(c.shape[1])]
    out = np.empty_like(c)
    for j in range(c.shape[1]):
        acc = np.zeros(c.shape[0])
        for i, col in enumerate(cols):
            if t[j, i]:
                acc += t[j, i] * col
        out[:, j] = acc
    return out


def _pow_hi(c, k):
    out = np.array([1.0])
    for _ in range(k):
        out = np.polymul(out, c)
    return out


# ----------------------------------------------------------------------------- verdicts on arrays


def routh_hurwitz(c: NDArray[np.float64], tol: float = TOL) -> NDArray[np.int8]:
    """Per row of coefficients ``c`` (highest first): 0 clearly Hurwitz, 1 clearly not, 2 within ``tol`` of it.

    >>> routh_hurwitz(np.array([[1.0, 3, 3, 1], [1, 0, 1, 0], [1, 1, -2, 0]])).tolist()
    [0, 2, 1]
    """
    c = np.asarray(c, dtype=float)
    m, deg = c.shape[0], c.shape[1] - 1
    cols = [np.ascontiguousarray(c[:, j]) for j in range(deg + 1)]  # 1-D columns: faster than strided 2-D
    with np.errstate(all="ignore"):
        lead = cols[0]
        big = np.abs(c).max(axis=1)
        band = ~(np.abs(lead) > tol * big)  # degree drop (maps: a root at z = -1) or all zero
        inv = 1.0 / np.where(band, 1.0, lead)
        a = [col * inv for col in cols[1:]]
        sigma = np.zeros(m)
        for j, aj in enumerate(a, start=1):  # sigma = max_j |a_j|^(1/j): the roots' scale
            r = np.abs(aj)
            r = r if j == 1 else np.sqrt(r) if j == 2 else np.cbrt(r) if j == 3 else r ** (1.0 / j)
            np.maximum(sigma, r, out=sigma)
        tiny = ~(sigma > 0)
        band |= tiny  # p = s^n: every root at 0
        unit = 1.0 / np.where(tiny, 1.0, sigma)
        b, power = [], np.ones(m)
        for aj in a:  # b_j = a_j / sigma^j: roots of order 1, |b_j| <= 1
            power = power * unit
            b.append(aj * power)
        bad = np.zeros(m, dtype=bool)
        for bj in b:
            bad |= bj < -tol
        bad &= ~band
        full = [np.ones(m), *b]
        width = deg // 2 + 1
        zero = np.zeros(m)
        prev = [full[k] if k < len(full) else zero for k in range(0, 2 * width, 2)]
        cur = [full[k] if k < len(full) else zero for k in range(1, 2 * width + 1, 2)]
        scale = np.ones(m)
        for _ in range(deg):  # the first-column entries of rows 1..deg
            e = cur[0]
            pending = ~(band | bad)
            bad |= pending & (e < -tol * scale)
            band |= pending & ~(np.abs(e) > tol * scale)
            safe = np.where(band | bad, 1.0, e)
            ratio = prev[0] / safe
            t2 = [ratio * cj for cj in cur[1:]]
            nxt = [p - q for p, q in zip(prev[1:], t2)] + [zero]
            scale = np.maximum(1.0, np.maximum(np.abs(prev[1]), np.abs(t2[0]))) if width > 1 else np.ones(m)
            prev, cur = cur, nxt
    out = np.zeros(m, dtype=np.int8)
    out[bad] = 1
    out[band] = _BAND
    return out


def polynomial_roots(c: NDArray[np.float64]) -> NDArray[np.complex128]:
    """The roots of each row of ``c`` (highest first, leading coefficient non-zero): ``(N, degree)``.

    Degree 1 and 2 in closed form (the quadratic formula without cancellation), higher degrees by
    ``numpy.linalg.eigvals`` of the stacked companion matrices.

    >>> r = polynomial_roots(np.array([[1.0, -3.0, 2.0], [1.0, 0.0, 4.0]]))   # (z - 1)(z - 2), z^2 + 4
    >>> r.real.tolist(), r.imag.tolist()
    ([[1.0, 2.0], [-0.0, -0.0]], [[0.0, -0.0], [-2.0, 2.0]])
    """
    c = np.asarray(c, dtype=float)
    m, deg = c.shape[0], c.shape[1] - 1
    with np.errstate(all="ignore"):
        a = c[:, 1:] / c[:, :1]
        if deg == 1:
            return (-a).astype(complex)
        if deg == 2:
            b, q0 = a[:, 0], a[:, 1]
            d = np.sqrt((b * b - 4 * q0).astype(complex))
            sign = np.where((b * d.real) >= 0, 1.0, -1.0)  # d is real or imaginary: no cancellation in b + sign*d
            q = -0.5 * (b + sign * d)
            r1 = q
            r2 = np.where(np.abs(q) > 0, q0 / np.where(np.abs(q) > 0, q, 1.0), 0.0)
            roots = np.stack([r1, r2], axis=1)
            return np.sort_complex(roots)
        comp = np.zeros((m, deg, deg))
        comp[:, 0, :] = -a
        comp[:, np.arange(1, deg), np.arange(deg - 1)] = 1.0
        return np.sort_complex(np.linalg.eigvals(comp))


def _quadratic(c: NDArray[np.float64], discrete: bool):
    """Degree 2 in real arithmetic: ``(clear, codes, rate)``; rows not ``clear`` lie within the tolerance.

    The conditions are the Jury conditions ``1 - a_2 > 0``, ``p(1) > 0``, ``p(-1) > 0`` (maps) and
    the Hurwitz conditions ``a_1 > 0``, ``a_2 > 0`` (flows) of ``z^2 + a_1 z + a_2``; each one that
    fails means a root outside the closed stable set.
    """
    a1, a2 = c[:, 1] / c[:, 0], c[:, 2] / c[:, 0]
    disc = a1 * a1 - 4 * a2
    s = np.sqrt(np.abs(disc))
    pair = disc < 0
    if discrete:
        rate = np.where(pair, np.sqrt(np.abs(a2)), (np.abs(a1) + s) / 2)
        scale = 1 + np.abs(a1) + np.abs(a2)
        g = np.minimum(np.minimum(1 - a2, 1 + a1 + a2), 1 - a1 + a2)
    else:
        top = np.where(a1 > 0, -2 * a2 / np.where(a1 + s > 0, a1 + s, 1.0), (s - a1) / 2)  # no cancellation
        rate = np.where(pair, -a1 / 2, top)
        sigma = np.maximum(np.abs(a1), np.sqrt(np.abs(a2)))
        scale = np.ones_like(a1)
        g = np.minimum(a1 / np.where(sigma > 0, sigma, 1.0), a2 / np.where(sigma > 0, sigma * sigma, 1.0))
        g = np.where(sigma > 0, g, 0.0)
    stable, unstable = g > TOL * scale, g < -TOL * scale
    codes = np.where(stable, _STABLE, _UNSTABLE).astype(np.int8)
    return stable | unstable, codes, rate


def classify(
    c: NDArray[np.float64], time_domain: TimeDomain, rates: bool = True
) -> tuple[NDArray[np.int8], NDArray[np.float64]]:
    """``(codes, rate)`` of the characteristic polynomials in the rows of ``c`` (see the module docstring).

    With ``rates=False`` the rate is computed only where the verdict needs it (NaN elsewhere).
    """
    c = np.asarray(c, dtype=float)
    codes = np.full(c.shape[0], _UNDECIDED, dtype=np.int8)
    rate = np.full(c.shape[0], np.nan)
    ok = np.isfinite(c).all(axis=1) & (np.abs(c[:, 0]) > 0)
    if ok.all():
        codes, rate = _classify(c, time_domain, rates=rates)
    elif ok.any():
        codes[ok], rate[ok] = _classify(c[ok], time_domain, rates=rates)
    return codes, rate


def _classify(cc: NDArray[np.float64], time_domain: TimeDomain, fast: bool = True, rates: bool = True):
    discrete = time_domain is TimeDomain.DISCRETE
    if fast and cc.shape[1] == 3:
        with np.errstate(all="ignore"):
            clear, out, r = _quadratic(cc, discrete)
        if not clear.all():
            out[~clear], r[~clear] = _classify(cc[~clear], time_domain, fast=False)
        return out, r
    test = _cayley(cc) if discrete else cc
    rh = routh_hurwitz(test)
    if not rates:  # the roots only where the Routh-Hurwitz test is within its tolerance
        out = np.where(rh == 0, _STABLE, _UNSTABLE).astype(np.int8)
        r = np.full(len(cc), np.nan)
        band = rh == _BAND
        if band.any():
            out[band], r[band] = _classify(cc[band], time_domain, fast=False)
        return out, r
    roots = polynomial_roots(cc)
    r = np.abs(roots).max(axis=1) if discrete else roots.real.max(axis=1)
    crit = 1.0 if discrete else 0.0
    size = np.ones(len(cc)) if discrete else np.maximum(np.abs(roots).max(axis=1), np.finfo(float).tiny)
    out = np.where(rh == 0, _STABLE, _UNSTABLE).astype(np.int8)
    band = rh == _BAND
    below, above = r < crit - RATE_TOL * size, r > crit + RATE_TOL * size
    out[band & below] = _STABLE
    out[band & above] = _UNSTABLE
    on = band & ~below & ~above
    if discrete:
        out[on] = _NEUTRAL
    else:
        tol = RATE_TOL * size[:, None]
        centre = (np.abs(roots.real) <= tol).all(axis=1) & (np.abs(roots) > tol).all(axis=1)
        out[on & centre] = _CENTER  # every eigenvalue non-zero and on the axis
        out[on & ~centre] = _NONHYP
    return out, r


def evaluate(
    coeffs: Callable[..., NDArray[np.float64]],
    args: Sequence[NDArray[np.float64]],
    time_domain: TimeDomain,
    chunk: int = CHUNK,
    rates: bool = True,
) -> tuple[NDArray[np.int8], NDArray[np.float64]]:
    """``(codes, rate)`` at the points ``args`` (1-D arrays of equal length), ``chunk`` points at a time."""
    args = [np.asarray(a, dtype=float).ravel() for a in args]
    n = args[0].size
    codes, rate = np.empty(n, dtype=np.int8), np.empty(n)
    for lo in range(0, n, chunk):
        sl = slice(lo, min(lo + chunk, n))
        codes[sl], rate[sl] = classify(coeffs(*(a[sl] for a in args)), time_domain, rates)
    return codes, rate


def evaluate_grid(
    coeffs: Callable[..., NDArray[np.float64]],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    time_domain: TimeDomain,
    chunk: int = CHUNK,
    rates: bool = True,
) -> tuple[NDArray[np.int8], NDArray[np.float64]]:
    """``(codes, rate)`` of shape ``(len(y), len(x))`` on the grid ``x`` (columns) by ``y`` (rows)."""
    nx, ny = len(x), len(y)
    codes, rate = np.empty(nx * ny, dtype=np.int8), np.empty(nx * ny)
    for lo in range(0, nx * ny, chunk):
        idx = np.arange(lo, min(lo + chunk, nx * ny))
        sl = slice(lo, lo + idx.size)
        codes[sl], rate[sl] = classify(coeffs(x[idx % nx], y[idx // nx]), time_domain, rates)
    return codes.reshape(ny, nx), rate.reshape(ny, nx)


# ----------------------------------------------------------------------------- the boundary on a grid


def verdict_groups(codes: NDArray[np.int8]) -> NDArray[np.int8]:
    """Codes merged into stable (0), unstable (1), on the boundary (2), not evaluated (3)."""
    table = np.array([0, 1, 2, 2, 2, 3, 3], dtype=np.int8)
    return table[codes]


def _pairs(a: NDArray) -> tuple[tuple[NDArray, NDArray], tuple[NDArray, NDArray]]:
    return (a[:, :-1], a[:, 1:]), (a[:-1, :], a[1:, :])


def bounding(values: Sequence[NDArray[np.float64]], codes: NDArray[np.int8]) -> list[bool]:
    """Which curves ``f = 0`` (``values``: each ``f`` on the grid of ``codes``) separate two verdicts there.

    A curve counts when, between some pair of neighbouring grid points, it changes sign (or is 0)
    and the verdict changes, while no other curve changes sign between them.
    """
    groups = verdict_groups(codes)
    gchange = [g0 != g1 for g0, g1 in _pairs(groups)]
    changes = []
    for f in values:
        s = np.sign(f)
        changes.append([(s0 * s1 <= 0) & ~((s0 == 0) & (s1 == 0)) for s0, s1 in _pairs(s)])
    out = []
    for i, ch in enumerate(changes):
        found = False
        for d in range(2):
            others = np.zeros_like(ch[d])
            for j, other in enumerate(changes):
                if j != i:
                    others |= other[d]
            if np.any(ch[d] & gchange[d] & ~others):
                found = True
        out.append(found)
    return out


def near_boundary(values: Sequence[NDArray[np.float64]], steps: int = 1) -> NDArray[np.bool_]:
    """Grid points within ``steps`` grid steps of a curve ``f = 0``: ``f`` changes sign in that neighbourhood."""
    shape = values[0].shape
    near = np.zeros(shape, dtype=bool)
    for f in values:
        s = np.sign(f)
        lo, hi = _spread(s, steps, np.minimum), _spread(s, steps, np.maximum)
        near |= (lo < 0) & (hi > 0) | (s == 0)
        near |= _spread((s == 0).astype(np.int8), steps, np.maximum).astype(bool)
    return near


def _spread(a: NDArray, steps: int, op) -> NDArray:
    """The elementwise ``op`` (min or max) of ``a`` over the (2 steps + 1)^2 neighbourhood of each point."""
    out = a.copy()
    for _ in range(steps):
        nxt = out.copy()
        nxt[1:, :] = op(nxt[1:, :], out[:-1, :])
        nxt[:-1, :] = op(nxt[:-1, :], out[1:, :])
        tmp = nxt.copy()
        nxt[:, 1:] = op(nxt[:, 1:], tmp[:, :-1])
        nxt[:, :-1] = op(nxt[:, :-1], tmp[:, 1:])
        out = nxt
    return out


def transition_band(codes: NDArray[np.int8], steps: int = 2) -> NDArray[np.bool_]:
    """Grid points with a point of another verdict within ``steps`` grid steps (where boundary curves are drawn)."""
    g = verdict_groups(codes)
    return _spread(g, steps, np.minimum) != _spread(g, steps, np.maximum)


# ----------------------------------------------------------------------------- attractor sizes


@dataclass(frozen=True, eq=False, slots=True)
class Measured(Record):
    """The attractor measured by simulation at each parameter value (arrays read-only).

    Attributes:
        values: the parameter values simulated.
        size: the largest ``|theta|`` over the final window and over the starts: about 0 when the
            runs converge to the equilibrium, the radius of a limit cycle, ``inf`` when a run
            diverged, NaN when it could not be measured (see ``notes``).
        behaviour: per value, what the runs did (:class:`~stability.verdicts.Behaviour`; "undetermined"
            where they could not be measured or had not settled).
        notes: per value, why a value could not be measured ("" otherwise).
        window: the final window's length (time for flows, steps for maps).
    """

    values: NDArray[np.float64]
    size: NDArray[np.float64]
    behaviour: tuple
    notes: tuple[str, ...]
    window: float
    starts: int = 0
    horizon: float = 0.0
    radius: float = 0.0

    def __post_init__(self) -> None:
        frozen(self.values)
        frozen(self.size)

    def __repr__(self) -> str:
        counts: dict[str, int] = {}
        for b in self.behaviour:
            counts[str(b)] = counts.get(str(b), 0) + 1
        text = ", ".join(f"{v} {k}" for k, v in counts.items())
        return f"Measured({self.values.size} values, {self.starts} starts each, horizon {self.horizon:g}: {text})"


#: A run whose largest |theta| is below this fraction of the starts' radius has converged.
CONVERGED = 1e-4
#: Relative change of the window maximum between the last two windows below which a run is stationary.
STATIONARY = 1e-2


def _label(m1: NDArray, m2: NDArray, radius: float) -> tuple[float, Behaviour, str]:
    """From the window maxima of |theta| of the runs at one value: (size, behaviour, note)."""
    size = float(np.max(m2))
    if size < CONVERGED * radius:
        return size, Behaviour.CONVERGES, ""
    change = np.abs(m2 - m1) / np.maximum(m2, np.finfo(float).tiny)
    if np.all(change < STATIONARY):
        return size, Behaviour.LIMIT_CYCLE, ""
    if np.all(m2 <= m1):
        return size, Behaviour.SLOW_CONVERGENCE, "still shrinking at the end of the run"
    return size, Behaviour.UNDETERMINED, "|theta| still growing at the end of the run (not diverged within it)"


def parametrised_field(analysis, symbol: sp.Symbol) -> Callable[[NDArray[np.float64]], NDArray[np.float64]]:
    """The field of ``analysis`` with ``symbol`` read from an extra last state column (whose derivative is 0).

    One batch then holds trajectories at many parameter values.
    """
    n = analysis.dim
    inv = analysis.dynamics.invariant
    if inv is not None:
        exprs = [inv.a, inv.b, inv.c, inv.d]
        _check_free(exprs, {NORM_PHI, NORM_THETA, DOT, symbol})
        f = sp.lambdify((NORM_PHI, NORM_THETA, DOT, symbol), exprs, modules=_MODULES, cse=True)

        def field_inv(z):
            k = z.shape[0]
            p = z[:, -1]
            a, b, c, d = (
                np.broadcast_to(np.asarray(v, dtype=float), (k,))[:, None] for v in f(*invariants(z[:, :-1], n), p)
            )
            phi, theta = z[:, :n], z[:, n : 2 * n]
            out = np.zeros_like(z)
            out[:, :n] = a * phi + b * theta
            out[:, n : 2 * n] = c * phi + d * theta
            return out

        return field_inv
    exprs = list(analysis.vector_field)
    _check_free(exprs, set(analysis.state) | {symbol})
    g = sp.lambdify([*analysis.state, symbol], exprs, modules=_MODULES, cse=True)

    def field_comp(z):
        out = np.zeros_like(z)
        for j, v in enumerate(g(*z.T)):
            out[:, j] = v
        return out

    return field_comp


def _check_free(exprs, allowed) -> None:
    free = set().union(*(sp.sympify(e).free_symbols for e in exprs)) - set(allowed)
    if free:
        raise InvalidParameterError(
            f"simulating needs numeric values of {', '.join(sorted(map(str, free)))}: "
            "give them with params= or regularizers="
        )


class _Stalled(Exception):
    pass


class _Windows:
    """Integrator observer: per row, the largest |theta| in the two final windows."""

    def __init__(self, rows: int, n: int, t_end: float, window: float, limit: int, counter: list):
        self.n, self.t1, self.t2 = n, t_end - 2 * window, t_end - window
        self.m1, self.m2 = np.zeros(rows), np.zeros(rows)
        self.limit, self.counter, self.last = limit, counter, 0

    def __call__(self, i, t, x):
        if self.counter[0] - self.last > 6 * self.limit:
            raise _Stalled
        self.last = self.counter[0]
        if t < self.t1:
            return
        th = np.sqrt(np.einsum("ki,ki->k", x[:, self.n : 2 * self.n], x[:, self.n : 2 * self.n]))
        th = np.where(np.isfinite(th), th, 0.0)
        target = self.m1 if t < self.t2 else self.m2
        np.maximum(target, th, out=target)


def _run_flow(f, z0, t_end, dt, window, n, options, stall):
    counter = [0]

    def counted(z):
        counter[0] += 1
        return f(z)

    obs = _Windows(z0.shape[0], n, t_end, window, stall, counter)
    res = integrate(counted, z0, t_end, dt_out=dt, store=False, observer=obs, **options)
    return res, obs


def measure_flow(
    analysis,
    symbol: sp.Symbol,
    values: NDArray[np.float64],
    x0: NDArray[np.float64],
    *,
    t_end: float = 200.0,
    dt: float = 0.1,
    radius: float = 0.5,
    rtol: float = 1e-8,
    atol: float = 1e-10,
    blowup: float = 1e6,
    stall: int = 2000,
) -> Measured:
    """Integrate gradient flow from the starts ``x0`` at every value of ``symbol`` in one batch.

    A value whose runs make the shared step collapse (e.g. sliding along ``phi = 0``, where a field
    is discontinuous) is isolated by splitting the batch, and reported as not measured.
    """
    f = parametrised_field(analysis, symbol)
    n, k = analysis.dim, x0.shape[0]
    window = t_end / 10
    options = {"rtol": rtol, "atol": atol, "blowup": blowup}
    size = np.full(len(values), np.nan)
    behaviour: list = [Behaviour.UNDETERMINED] * len(values)
    notes = [""] * len(values)

    def run(idx: NDArray[np.int64]) -> None:
        z0 = np.concatenate([np.tile(x0, (idx.size, 1)), np.repeat(values[idx], k)[:, None]], axis=1)
        try:
            res, obs = _run_flow(f, z0, t_end, dt, window, n, options, stall)
        except (_Stalled, StepBudgetExceeded):
            if idx.size == 1:
                notes[idx[0]] = (
                    f"not measured: the solver's step collapsed (more than {stall} steps per output step), "
                    "typically a trajectory sliding along a discontinuity of the field"
                )
                return
            half = idx.size // 2
            run(idx[:half])
            run(idx[half:])
            return
        for j, v in enumerate(idx):
            rows = slice(j * k, (j + 1) * k)
            status = res.status[rows]
            if np.any(status == Status.OVERFLOW):
                size[v], behaviour[v] = np.inf, Behaviour.DIVERGES
            elif np.any(status != Status.OK):
                notes[v] = "not measured: " + Status(int(status[status != Status.OK][0])).message
            else:
                size[v], behaviour[v], notes[v] = _label(obs.m1[rows], obs.m2[rows], radius)

    with np.errstate(all="ignore"):
        run(np.arange(len(values)))
    return Measured(np.asarray(values, dtype=float), size, tuple(behaviour), tuple(notes), window, k, float(t_end))


def measure_map(
    runs: Sequence[tuple],
    values: NDArray[np.float64],
    x0: NDArray[np.float64],
    *,
    steps: int = 2000,
    radius: float = 0.5,
    blowup: float = 1e6,
) -> Measured:
    """Iterate the real update at each value: ``runs[i] = (analysis, optimizer, lr)`` for ``values[i]``."""
    window = max(2, steps // 10)
    size = np.full(len(values), np.nan)
    behaviour: list = [Behaviour.UNDETERMINED] * len(values)
    notes = [""] * len(values)
    with np.errstate(all="ignore"):
        for i, (analysis, optimizer, lr) in enumerate(runs):
            it = iterate(
                analysis, x0, steps, optimizer=optimizer, lr=lr, store=False, summary_every=1, blowup=blowup, warn=False
            )
            status = it.status
            if np.any(status == Status.OVERFLOW):
                size[i], behaviour[i] = np.inf, Behaviour.DIVERGES
                continue
            if np.any(status != Status.OK):
                notes[i] = "not measured: " + it.messages[int(np.flatnonzero(status != Status.OK)[0])]
                continue
            th = it.theta_norm
            m1 = th[:, -2 * window : -window].max(axis=1)
            m2 = th[:, -window:].max(axis=1)
            size[i], behaviour[i], notes[i] = _label(m1, m2, radius)
            if behaviour[i] is Behaviour.LIMIT_CYCLE and _period_two(it.tail):
                behaviour[i] = Behaviour.PERIOD_2
    return Measured(
        np.asarray(values, dtype=float), size, tuple(behaviour), tuple(notes), float(window), x0.shape[0], float(steps)
    )


def _period_two(tail: NDArray[np.float64]) -> bool:
    """The last three states alternate: z_k = z_{k-2} != z_{k-1} (to 1e-6 of their size)."""
    a, b, c = tail[:, 0], tail[:, 1], tail[:, 2]
    scale = np.maximum(np.abs(c).max(axis=1), np.finfo(float).tiny)
    same = np.abs(c - a).max(axis=1) < 1e-6 * scale
    moved = np.abs(c - b).max(axis=1) > 1e-3 * scale
    return bool(np.all(same & moved))
