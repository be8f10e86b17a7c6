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
  form) up to degree 2; for degree 3 and 4 real quadratic factors from Cardano / Ferrari, polished
  by Newton / Bairstow steps, with ``numpy.linalg.eigvals`` of the companion matrix only where
  their backward error is too large (:mod:`stability.numerics.roots34`); ``numpy.linalg.eigvals`` on
  the stacked companion matrices from degree 5 on. Undecided points always take their roots from
  ``numpy.linalg.eigvals``.
* **exact factors**: :func:`compile_coefficients` factors the polynomial once with SymPy (exactly,
  over the rationals in the parameters; e.g. momentum on the Dirac GAN gives the square of a
  quadratic). Its roots are those of its factors, so the verdict is "unstable" if a factor is
  clearly unstable, "stable" if all are clearly stable (each by its own conditions above), and
  otherwise decided from the roots of all the factors as above; the rate is the factors' largest.

Points are processed in chunks of :data:`CHUNK`, so memory is bounded whatever the grid size.
:func:`bounding` and :func:`near_boundary` relate the exact boundary curves to the verdicts on a
grid (the attractor sizes of bifurcation diagrams are measured in :mod:`stability.numerics.attractor`).

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

from ..model.functions import NUMPY_FUNCTIONS
from ..timeout import TimeLimitExceeded, time_limit
from ..verdicts import Classification, TimeDomain
from .roots34 import companion_roots, quadratic_roots, rate34, roots34

__all__ = [
    "TOL",
    "RATE_TOL",
    "CHUNK",
    "CODES",
    "code_of",
    "Coefficients",
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
]

#: Relative margin of the (rescaled) Routh-Hurwitz quantities below which a point is not clearly decided.
TOL = 1e-9
#: Distance of the rate from its critical value (0 or 1) within which an undecided point is on the boundary.
RATE_TOL = 1e-6
#: Points evaluated at a time: bounds the memory, and keeps the temporaries of the degree-4 closed form in
#: cache (1 << 16 points made a 1000 x 1000 quartic map about twice slower).
CHUNK = 1 << 15

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


def _compile(exprs, symbols: Sequence[sp.Symbol]) -> Callable[..., NDArray[np.float64]]:
    f = sp.lambdify(list(symbols), [sp.sympify(e) for e in exprs], modules=_MODULES, cse=True)
    width = len(exprs)

    def g(*args):
        args = [np.asarray(a, dtype=float) for a in args]
        shape = np.broadcast(*args).shape if args else ()
        out = np.empty((width, int(np.prod(shape))))  # filled column by column: each column contiguous
        for j, v in enumerate(f(*args)):
            out[j] = np.broadcast_to(np.asarray(v, dtype=float), shape).ravel()
        return out.T

    return g


@dataclass(frozen=True, eq=False)
class Coefficients:
    """Compiled coefficients (highest first): ``coeffs(*args)`` is ``(N, degree + 1)`` for N points.

    ``factors`` holds, when SymPy proved one (exactly, over the rationals in the parameters), the
    factorisation ``p = const * prod f_i^k_i`` into factors of lower degree in the variable: pairs
    ``(compiled coefficients of f_i, k_i)``. Their roots are the polynomial's, so verdicts and rates
    come from the factors (:func:`classify`).
    """

    fn: Callable[..., NDArray[np.float64]]
    degree: int
    factors: tuple[tuple[Callable[..., NDArray[np.float64]], int], ...] = ()
    factor_degrees: tuple[int, ...] = ()

    def __call__(self, *args) -> NDArray[np.float64]:
        return self.fn(*args)

    def factor_values(self, *args) -> list[NDArray[np.float64]]:
        """The coefficients of each factor at the points ``args`` (``[]`` when not factored)."""
        return [f(*args) for f, _ in self.factors]

    def __repr__(self) -> str:
        if not self.factors:
            return f"Coefficients(degree {self.degree})"
        parts = " * ".join(
            f"(degree {d})^{k}" if k > 1 else f"(degree {d})" for d, (_, k) in zip(self.factor_degrees, self.factors)
        )
        return f"Coefficients(degree {self.degree} = {parts})"


#: Seconds SymPy may spend looking for a factorisation of the characteristic polynomial.
FACTOR_SECONDS = 2.0


def compile_coefficients(exprs, symbols: Sequence[sp.Symbol], factor: bool = True) -> Coefficients:
    """The coefficients ``exprs`` as one NumPy function returning ``(N, len(exprs))`` for N points.

    Compiled once (``lambdify`` with common-subexpression elimination); constants broadcast. With
    ``factor`` (degree 3 to 8), the polynomial is factored once symbolically (:class:`Coefficients`).

    >>> h, b = sp.symbols("h beta")
    >>> c = compile_coefficients([1, 2 * h, h**2 + 2 * b, 2 * h * b, b**2], (h, b))    # (z^2 + h z + b)^2
    >>> c, c(np.array([1.0]), np.array([2.0])).tolist()
    (Coefficients(degree 4 = (degree 2)^2), [[1.0, 2.0, 5.0, 4.0, 4.0]])
    """
    exprs = [sp.sympify(e) for e in exprs]
    found = _factor(exprs) if factor and 3 <= len(exprs) - 1 <= 8 else ()
    return Coefficients(
        _compile(exprs, symbols),
        len(exprs) - 1,
        tuple((_compile(f, symbols), k) for f, k in found),
        tuple(len(f) - 1 for f, _ in found),
    )


def _exact(e: sp.Expr) -> sp.Expr:
    """``e`` with every Float replaced by the rational of the same binary value (exactly the same number)."""
    floats = e.atoms(sp.Float)
    return e.xreplace({f: sp.Rational(f) for f in floats}) if floats else e


def _factor(exprs: list) -> tuple[tuple[list, int], ...]:
    """The non-trivial factors in ``z`` of ``sum_i exprs[i] z^(n-i)`` as ``(coefficients, multiplicity)``, or ()."""
    z = sp.Dummy("z")
    n = len(exprs) - 1
    try:
        with time_limit(FACTOR_SECONDS):
            poly = sp.Add(*(_exact(e) * z ** (n - i) for i, e in enumerate(exprs)))
            const, found = sp.factor_list(poly, z)
            parts = [(sp.Poly(f, z), k) for f, k in found if f.has(z)]
            if sum(p.degree() * k for p, k in parts) != n or (len(parts) == 1 and parts[0][1] == 1):
                return ()
            product = const * sp.Mul(*(f**k for f, k in found))
            if sp.expand(product - poly) != 0:  # factor_list is exact; checked anyway
                return ()
            return tuple((p.all_coeffs(), int(k)) for p, k in parts)
    except TimeLimitExceeded as exc:
        if exc.seconds != FACTOR_SECONDS:  # an outer limit: not ours to swallow
            raise
        return ()
    except Exception:  # noqa: BLE001 - SymPy cannot factor it (non-polynomial parameters, ...): no factors
        return ()


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
    """The Cayley transform's coefficients of each row of ``c``, ``(N, n + 1)``."""
    return _cayley_rows(c).T


def _cayley_rows(c: NDArray[np.float64]) -> NDArray[np.float64]:
    """The Cayley transform's coefficients, transposed: ``(n + 1, N)``, each row contiguous.

    Row by row with in-place sums of the integer multiples of the columns (no BLAS: a thin matmul is
    slow and its threads compete with the rest of the machine).
    """
    t = _cayley_table(c.shape[1] - 1)
    q = np.ascontiguousarray(c.T)
    out = np.empty_like(q)
    tmp = np.empty(q.shape[1])
    for j, acc in enumerate(out):
        first = True
        for i, tji in enumerate(t[j]):
            if tji == 0:
                continue
            if first:
                np.multiply(q[i], tji, out=acc)
                first = False
            elif tji == 1:
                acc += q[i]
            elif tji == -1:
                acc -= q[i]
            else:
                np.multiply(q[i], tji, out=tmp)
                acc += tmp
        if first:
            acc[:] = 0.0
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
    if c.shape[1] - 1 in (3, 4):
        return _routh34(np.ascontiguousarray(c.T), tol)
    return _routh_table(c, tol)


def _normalised(q: NDArray[np.float64], tol: float):
    """Rows ``q`` (``(n + 1, N)``): ``(band, b)`` with ``b_j = (q_j / q_0) / sigma^j``, roots of order 1.

    ``band``: the leading coefficient is within ``tol`` of 0 relative to the largest one, or every root is 0.
    """
    big = np.abs(q[0])
    for row in q[1:]:
        np.maximum(big, np.abs(row), out=big)
    band = ~(np.abs(q[0]) > tol * big)
    inv = 1.0 / q[0]
    a = [row * inv for row in q[1:]]
    sigma = np.abs(a[0])
    for j, aj in enumerate(a[1:], start=2):
        r = np.abs(aj)
        r = np.sqrt(r) if j == 2 else np.cbrt(r) if j == 3 else np.sqrt(np.sqrt(r)) if j == 4 else r ** (1.0 / j)
        np.maximum(sigma, r, out=sigma)
    band |= ~(sigma > 0)
    unit = 1.0 / sigma
    b, power = [], unit.copy()
    for aj in a:
        aj *= power
        b.append(aj)
        power *= unit
    return band, b


def _routh34(q: NDArray[np.float64], tol: float = TOL) -> NDArray[np.int8]:
    """:func:`routh_hurwitz` of degree 3 or 4 with the Routh first column written out (rows ``q``: ``(n + 1, N)``).

    The entries and their scales are those of the general table (:func:`_routh_table`): for
    ``w^4 + b_1 w^3 + b_2 w^2 + b_3 w + b_4`` they are ``b_1``, ``e_2 = b_2 - b_3/b_1`` (scale
    ``max(1, |b_2|, |b_3/b_1|)``), ``e_3 = b_3 - (b_1/e_2) b_4`` (scale ``max(1, |b_3|, |b_1 b_4/e_2|)``), ``b_4``.
    """
    with np.errstate(all="ignore"):
        band, b = _normalised(q, tol)
        bad = b[0] < -tol
        for bj in b[1:]:
            bad |= bj < -tol
        bad &= ~band
        und = ~(band | bad)
        t = (1.0 / b[0]) * b[2]
        e2 = b[1] - t
        s2 = np.maximum(np.abs(b[1]), np.abs(t))
        np.maximum(s2, 1.0, out=s2)
        entries = [(b[0], None), (e2, s2)]
        if len(b) == 4:
            t3 = (b[0] / e2) * b[3]
            e3 = b[2] - t3
            s3 = np.maximum(np.abs(b[2]), np.abs(t3))
            np.maximum(s3, 1.0, out=s3)
            entries.append((e3, s3))
        entries.append((b[-1], None))
        for e, s in entries:
            thr = tol if s is None else tol * s
            bad |= und & (e < -thr)
            band |= und & ~(np.abs(e) > thr)
            und &= e > thr
    out = bad.view(np.int8).copy()
    out[band] = _BAND
    return out


def _routh_table(c: NDArray[np.float64], tol: float = TOL) -> NDArray[np.int8]:
    """:func:`routh_hurwitz` of any degree: the Routh table run on the rows' coefficient arrays."""
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
    deg = c.shape[1] - 1
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
        return np.sort_complex(companion_roots(c))


def _quadratic(c: NDArray[np.float64], discrete: bool):
    """Degree 2 in real arithmetic: ``(clear, codes, rate)``; rows not ``clear`` lie within the tolerance.

    The conditions are the Jury conditions ``1 - a_2 > 0``, ``p(1) > 0``, ``p(-1) > 0`` (maps) and
    the Hurwitz conditions ``a_1 > 0``, ``a_2 > 0`` (flows) of ``z^2 + a_1 z + a_2``; each one that
    fails means a root outside the closed stable set.
    """
    inv = 1.0 / c[:, 0]
    a1, a2 = c[:, 1] * inv, c[:, 2] * inv
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
    c: NDArray[np.float64],
    time_domain: TimeDomain,
    rates: bool = True,
    factors: Sequence[NDArray[np.float64]] | None = None,
) -> tuple[NDArray[np.int8], NDArray[np.float64]]:
    """``(codes, rate)`` of the characteristic polynomials in the rows of ``c`` (see the module docstring).

    With ``rates=False`` the rate is computed only where the verdict needs it (NaN elsewhere).
    ``factors``: the coefficients (same rows) of an exact factorisation of ``c`` into polynomials
    of lower degree (:class:`Coefficients`); the verdict and rate then come from the factors,
    whose roots are the polynomial's.
    """
    c = np.asarray(c, dtype=float)
    codes = np.full(c.shape[0], _UNDECIDED, dtype=np.int8)
    rate = np.full(c.shape[0], np.nan)
    ok = _usable(c)
    plain = ok
    if factors:
        fok = ok.copy()
        for f in factors:
            fok &= _usable(f)
        plain = ok & ~fok
        if fok.all():
            return _classify_factored(factors, time_domain, rates)
        if fok.any():
            codes[fok], rate[fok] = _classify_factored([f[fok] for f in factors], time_domain, rates)
    if plain.all():
        return _classify(c, time_domain, rates=rates)
    if plain.any():
        codes[plain], rate[plain] = _classify(c[plain], time_domain, rates=rates)
    return codes, rate


def _usable(c: NDArray[np.float64]) -> NDArray[np.bool_]:
    """Rows with finite coefficients and a non-zero leading one (column by column: no slow short-axis reduce)."""
    ok = np.abs(c[:, 0]) > 0
    for j in range(c.shape[1]):
        ok &= np.isfinite(c[:, j])
    return ok


def _band_codes(roots: NDArray[np.complex128], discrete: bool):
    """Codes and rates of rows whose Routh-Hurwitz test is within its tolerance, from all their roots."""
    r = np.abs(roots).max(axis=1) if discrete else roots.real.max(axis=1)
    crit = 1.0 if discrete else 0.0
    size = np.ones(len(roots)) if discrete else np.maximum(np.abs(roots).max(axis=1), np.finfo(float).tiny)
    below, above = r < crit - RATE_TOL * size, r > crit + RATE_TOL * size
    out = np.where(below, _STABLE, _UNSTABLE).astype(np.int8)
    on = ~below & ~above
    if discrete:
        out[on] = _NEUTRAL
    else:
        tol = RATE_TOL * size[:, None]
        centre = (np.abs(roots.real) <= tol).all(axis=1) & (np.abs(roots) > tol).all(axis=1)
        out[on & centre] = _CENTER  # every eigenvalue non-zero and on the axis
        out[on & ~centre] = _NONHYP
    return out, r


def _classify(cc: NDArray[np.float64], time_domain: TimeDomain, fast: bool = True, rates: bool = True):
    discrete = time_domain is TimeDomain.DISCRETE
    deg = cc.shape[1] - 1
    if fast and deg == 2:
        with np.errstate(all="ignore"):
            clear, out, r = _quadratic(cc, discrete)
        if not clear.all():
            out[~clear], r[~clear] = _classify(cc[~clear], time_domain, fast=False)
        return out, r
    test = _cayley_rows(cc) if discrete else np.ascontiguousarray(cc.T)
    rh = _routh34(test) if deg in (3, 4) else _routh_table(test.T)
    out = (rh == 1).view(np.int8).copy()  # _STABLE 0, _UNSTABLE 1
    band = rh == _BAND
    if not rates:  # the roots only where the Routh-Hurwitz test is within its tolerance
        r = np.full(len(cc), np.nan)
    elif deg in (3, 4):  # closed form, polished, eigvals where ill-conditioned
        r = rate34(cc, discrete)
    else:
        roots = polynomial_roots(cc)
        r = np.abs(roots).max(axis=1) if discrete else roots.real.max(axis=1)
    if band.any():
        out[band], r[band] = _band_codes(polynomial_roots(cc[band]), discrete)
    return out, r


def _factor_status(f: NDArray[np.float64], discrete: bool, rates: bool):
    """Of one factor's rows: 0 clearly stable, 1 clearly not, 2 within the tolerance; and its rate (or None)."""
    deg = f.shape[1] - 1
    if deg == 2:
        clear, codes, r = _quadratic(f, discrete)
        codes[~clear] = _BAND
        return codes, r
    if deg == 1:
        root = -f[:, 1] / f[:, 0]
        r = np.abs(root) if discrete else root
    test = _cayley_rows(f) if discrete else np.ascontiguousarray(f.T)
    st = _routh34(test) if deg in (3, 4) else _routh_table(test.T)
    if deg == 1 or not rates:
        return st, (r if deg == 1 else None)
    if deg in (3, 4):
        return st, rate34(f, discrete)
    roots = companion_roots(f)
    return st, (np.abs(roots).max(axis=1) if discrete else roots.real.max(axis=1))


def _factor_roots(f: NDArray[np.float64]) -> NDArray[np.complex128]:
    deg = f.shape[1] - 1
    if deg == 1:
        return (-f[:, 1:] / f[:, :1]).astype(complex)
    if deg == 2:
        return quadratic_roots(f[:, 1] / f[:, 0], f[:, 2] / f[:, 0])
    return roots34(f) if deg in (3, 4) else companion_roots(f)


def _classify_factored(fs: Sequence[NDArray[np.float64]], time_domain: TimeDomain, rates: bool = True):
    """``(codes, rate)`` from the factors ``fs`` of the polynomials: unstable if one factor is, stable if all are.

    Rows where no factor is clearly unstable and one is within the tolerance are decided, as in
    :func:`_classify`, by the roots of all the factors.
    """
    discrete = time_domain is TimeDomain.DISCRETE
    m = len(fs[0])
    unstable, band = np.zeros(m, dtype=bool), np.zeros(m, dtype=bool)
    rate = np.full(m, -np.inf) if rates else np.full(m, np.nan)
    with np.errstate(all="ignore"):
        for f in fs:
            st, r = _factor_status(f, discrete, rates)
            unstable |= st == 1
            band |= st == _BAND
            if rates:
                np.maximum(rate, r, out=rate)
        band &= ~unstable
        out = unstable.view(np.int8).copy()
        if band.any():
            roots = np.concatenate([_factor_roots(f[band]) for f in fs], axis=1)
            out[band], rate[band] = _band_codes(roots, discrete)
    return out, rate


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
        codes[sl], rate[sl] = _classify_points(coeffs, [a[sl] for a in args], time_domain, rates)
    return codes, rate


def _classify_points(coeffs, args, time_domain: TimeDomain, rates: bool):
    factors = coeffs.factor_values(*args) if isinstance(coeffs, Coefficients) and coeffs.factors else None
    return classify(coeffs(*args), time_domain, rates, factors=factors)


def evaluate_grid(
    coeffs: Callable[..., NDArray[np.float64]],
    x: NDArray[np.float64],
    y: NDArray[np.float64],
    time_domain: TimeDomain,
    chunk: int = CHUNK,
    rates: bool = True,
) -> tuple[NDArray[np.int8], NDArray[np.float64]]:
    """``(codes, rate)`` of shape ``(len(y), len(x))`` on the grid ``x`` (columns) by ``y`` (rows)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    nx, ny = len(x), len(y)
    codes, rate = np.empty(nx * ny, dtype=np.int8), np.empty(nx * ny)
    rows = max(1, chunk // max(nx, 1))  # whole rows of the grid at a time
    xs = np.tile(x, rows)
    for lo in range(0, ny, rows):
        hi = min(lo + rows, ny)
        k = (hi - lo) * nx
        sl = slice(lo * nx, hi * nx)
        codes[sl], rate[sl] = _classify_points(coeffs, [xs[:k], np.repeat(y[lo:hi], nx)], time_domain, rates)
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
