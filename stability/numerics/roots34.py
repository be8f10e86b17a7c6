r"""Real polynomials of degree 3 and 4 on many points at once: real quadratic factors, roots and rates.

Every real cubic is ``(z - r)(z^2 + B z + C)`` and every real quartic ``(z^2 + B_1 z + C_1)(z^2 + B_2 z + C_2)``
with real ``r, B, C``. :func:`factor34` finds these factors for a whole array of monic polynomials in
real arithmetic only (no complex numbers, no Python loop over points):

1. the coefficients are rescaled so that the roots are of order 1 (``z = sigma w`` with
   ``sigma = max_j |a_j|^(1/j)``, so ``|b_j| <= 1`` and every root has ``|w| < 2``);
2. a cubic's real root comes from Cardano's formula in its cancellation-free form (one real root)
   or the trigonometric form (three real roots); a quartic's factors from Ferrari's resolvent cubic
   ``S^3 + 2p S^2 + (p^2 - 4r) S - q^2`` of the depressed quartic (its largest real root ``S >= 0``);
3. Newton polishing on the original (rescaled) polynomial: two steps on the cubic's root, two
   Bairstow steps (Newton on the remainder of the division by the quadratic factor) on the quartic
   where the closed form's backward error exceeds :data:`POLISH_TOL`;
4. the **backward error** of the factorisation, componentwise: the largest coefficient of
   ``p - product of the factors`` relative to the terms that sum to it, is returned per point.

Points whose backward error exceeds :data:`BACKWARD_TOL` (the closed form was ill-conditioned) or
whose coefficients are not finite are recomputed by :func:`numpy.linalg.eigvals` of their
companion matrices in :func:`rate34` and :func:`roots34`, so the result is never worse than that.
The rate -- the spectral radius ``max |z|`` (maps) or abscissa ``max Re z`` (flows) -- of a real
quadratic factor needs no complex arithmetic either (:func:`quadratic_rate`).

>>> c = np.array([[1.0, -6, 11, -6], [1.0, 0, 0, 1]])          # (z-1)(z-2)(z-3), z^3 + 1
>>> rate34(c, discrete=True).round(12).tolist(), rate34(c, discrete=False).round(12).tolist()
([3.0, 1.0], [3.0, 0.5])
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

__all__ = ["BACKWARD_TOL", "factor34", "quadratic_rate", "quadratic_roots", "rate34", "roots34", "companion_roots"]

#: Largest accepted backward error of a factorisation (coefficients rescaled to roots of order 1).
BACKWARD_TOL = 1e-13


def companion_roots(c: NDArray[np.float64]) -> NDArray[np.complex128]:
    """The roots of each row of ``c`` (highest first) by ``numpy.linalg.eigvals`` of the companion matrices."""
    m, deg = c.shape[0], c.shape[1] - 1
    comp = np.zeros((m, deg, deg))
    comp[:, 0, :] = -c[:, 1:] / c[:, :1]
    comp[:, np.arange(1, deg), np.arange(deg - 1)] = 1.0
    return np.linalg.eigvals(comp)


def quadratic_rate(b: NDArray[np.float64], c: NDArray[np.float64], discrete: bool) -> NDArray[np.float64]:
    """The spectral radius (``discrete``) or abscissa of ``z^2 + b z + c`` in real arithmetic.

    >>> quadratic_rate(np.array([-3.0, 0.0]), np.array([2.0, 4.0]), True).tolist()   # roots 1, 2 and +-2i
    [2.0, 2.0]
    """
    disc = b * b - 4 * c
    s = np.sqrt(np.abs(disc))
    pair = disc < 0
    if discrete:
        return np.where(pair, np.sqrt(np.abs(c)), (np.abs(b) + s) / 2)
    den = b + s
    top = np.where(b > 0, -2 * c / np.where(den > 0, den, 1.0), (s - b) / 2)  # no cancellation
    return np.where(pair, -b / 2, top)


def quadratic_roots(b: NDArray[np.float64], c: NDArray[np.float64]) -> NDArray[np.complex128]:
    """The two roots of ``z^2 + b z + c`` per point, ``(N, 2)``, without cancellation."""
    disc = b * b - 4 * c
    s = np.sqrt(np.abs(disc))
    pair = disc < 0
    q = -0.5 * (b + np.where(b >= 0, s, -s))  # the larger real root (real case)
    other = np.where(np.abs(q) > 0, c / np.where(np.abs(q) > 0, q, 1.0), 0.0)
    out = np.empty((b.size, 2), dtype=complex)
    out[:, 0] = np.where(pair, -b / 2 + 0.5j * s, q)
    out[:, 1] = np.where(pair, -b / 2 - 0.5j * s, other)
    return out


def _scaled(c: NDArray[np.float64]):
    """``(sigma, b)``: ``a_j = c_j / c_0``, ``b_j = a_j / sigma^j`` with ``max_j |b_j| = 1`` (sigma 0: roots 0)."""
    deg = c.shape[1] - 1
    inv = 1.0 / c[:, 0]
    a = [c[:, j] * inv for j in range(1, deg + 1)]
    sigma = np.abs(a[0])
    np.maximum(sigma, np.sqrt(np.abs(a[1])), out=sigma)
    np.maximum(sigma, np.cbrt(np.abs(a[2])), out=sigma)
    if deg == 4:
        np.maximum(sigma, np.sqrt(np.sqrt(np.abs(a[3]))), out=sigma)
    unit = 1.0 / np.where(sigma > 0, sigma, 1.0)
    b, power = [], unit.copy()
    for aj in a:
        b.append(aj * power)
        power *= unit
    return sigma, b


def _cubic_real_root(b1, b2, b3, isolated: bool = False):
    """One real root of ``w^3 + b1 w^2 + b2 w + b3`` (Cardano / trigonometric form).

    Of three real roots: the largest, or with ``isolated`` the one farther from the other two
    (the largest or the smallest: never the middle one, which a double root always includes).
    """
    shift = b1 / 3
    p = b2 - b1 * shift
    q = (2 * shift * shift - b2) * shift + b3
    p3 = p / 3
    disc = 0.25 * q * q + p3 * p3 * p3
    u = np.cbrt(-0.5 * q - np.copysign(np.sqrt(np.abs(disc)), q))
    x = u - p / (3 * np.where(u != 0, u, 1.0))
    three = np.flatnonzero(~(disc > 0))  # three real roots (or NaN): the trigonometric form, on those only
    if three.size:
        p3, q3 = p[three], q[three]
        m = 2 * np.sqrt(np.maximum(-p3 / 3, 0.0))
        den = p3 * m
        ratio = np.clip(3 * q3 / np.where(den != 0, den, 1.0), -1.0, 1.0)
        theta = np.arccos(ratio)  # roots m cos((theta - 2 pi k) / 3): k = 0 largest, k = 1 smallest
        if isolated:  # theta near 0: the two largest coincide; near pi: the two smallest
            theta = np.where(theta < np.pi / 2, theta - 2 * np.pi, theta)
        x[three] = m * np.cos(theta / 3)
    x -= shift
    return x


def _newton_cubic(r, b1, b2, b3, steps: int = 2):
    for _ in range(steps):
        f = ((r + b1) * r + b2) * r + b3
        d = (3 * r + 2 * b1) * r + b2
        step = f / np.where(d != 0, d, 1.0)
        r = np.where((d != 0) & np.isfinite(step), r - step, r)
    return r


def _relative(residual, size):
    return np.where(residual == 0, 0.0, np.abs(residual) / size)


def _factor_cubic(b1, b2, b3):
    """``(r, B, C, err)`` with ``w^3 + b1 w^2 + b2 w + b3 = (w - r)(w^2 + B w + C) + error``."""
    r = _newton_cubic(_cubic_real_root(b1, b2, b3, isolated=True), b1, b2, b3)
    big = b1 + r
    c_fwd = b2 + r * big  # deflation from the top: residual in the constant term
    c_bwd = -b3 / np.where(r != 0, r, 1.0)  # from the bottom: residual in the linear term
    # componentwise backward errors: the residual relative to the terms it is the sum of
    e_fwd = _relative(b3 + r * c_fwd, np.abs(b3) + np.abs(r * c_fwd))
    e_bwd = np.where(r != 0, _relative(b2 + r * big - c_bwd, np.abs(b2) + np.abs(r * big) + np.abs(c_bwd)), np.inf)
    fwd = e_fwd <= e_bwd
    return r, big, np.where(fwd, c_fwd, c_bwd), np.where(fwd, e_fwd, e_bwd)


def _divide(b1, b2, b3, b4, bb, cc):
    """Quotient ``w^2 + D w + E`` and remainder ``R1 w + R0`` of the quartic by ``w^2 + bb w + cc``."""
    d = b1 - bb
    e = b2 - cc - bb * d
    return d, e, b3 - bb * e - cc * d, b4 - cc * e


def _quartic_error(b3, b4, bb, cc, d, e, r1, r0):
    """Componentwise backward error: each remainder coefficient relative to the terms it is the sum of.

    (``D`` and ``E`` take up the errors of the two top coefficients.) Relative, not absolute, so that
    roots much smaller than the largest (small trailing coefficients) are held to full relative accuracy.
    """
    e1 = _relative(r1, np.abs(b3) + np.abs(bb * e) + np.abs(cc * d))
    return np.maximum(e1, _relative(r0, np.abs(b4) + np.abs(cc * e)))


def _bairstow(b1, b2, b3, b4, bb, cc, steps: int):
    """Newton steps on the remainder ``(R1, R0)`` of the division by ``w^2 + bb w + cc``, as a function of (bb, cc)."""
    for _ in range(steps):
        d, e, r1, r0 = _divide(b1, b2, b3, b4, bb, cc)
        j11, j12 = cc - e - bb * (bb - d), bb - d
        j21, j22 = -cc * (bb - d), cc - e
        det = j11 * j22 - j12 * j21
        ok = np.abs(det) > 1e-12  # not two factors with a common root (there Newton is no better)
        inv = 1.0 / np.where(ok, det, 1.0)
        db, dc = (j12 * r0 - j22 * r1) * inv, (j21 * r1 - j11 * r0) * inv
        ok &= np.isfinite(db) & np.isfinite(dc)
        bb, cc = np.where(ok, bb + db, bb), np.where(ok, cc + dc, cc)
    return bb, cc


#: Resultant of the two quadratic factors (roots of order 1) below which a quartic goes to eigvals.
RESULTANT_TOL = 1e-6
#: Backward error of the closed form above which a point gets Bairstow steps.
POLISH_TOL = 1e-14


def _factor_quartic(b1, b2, b3, b4, steps: int = 2):
    """``(B1, C1, B2, C2, err)`` with the quartic ``= (w^2 + B1 w + C1)(w^2 + B2 w + C2) + error``.

    Ferrari's closed form everywhere; ``steps`` Bairstow steps where its backward error exceeds
    :data:`POLISH_TOL` or a factor has a nearly double root.
    """
    k = b1 / 4  # w = y - k: y^4 + p y^2 + q y + r
    k2 = k * k
    p = b2 - 6 * k2
    q = b3 - 2 * k * b2 + 8 * k2 * k
    r = b4 - k * b3 + k2 * b2 - 3 * k2 * k2
    c2, c1, c0 = 2 * p, p * p - 4 * r, -q * q
    s2 = np.maximum(_newton_cubic(_cubic_real_root(c2, c1, c0), c2, c1, c0, steps=1), 0.0)
    s = np.sqrt(s2)
    alt = np.copysign(np.sqrt(np.maximum((p + s2) ** 2 - 4 * r, 0.0)), q)
    diff = np.where(s2 > 1e-6, q / np.where(s > 0, s, 1.0), alt)
    t = 0.5 * (p + s2 - diff)  # y^2 + s y + t and y^2 - s y + u
    bb, cc = 2 * k + s, (k + s) * k + t
    d, e, r1, r0 = _divide(b1, b2, b3, b4, bb, cc)
    err = _quartic_error(b3, b4, bb, cc, d, e, r1, r0)
    # polish where the closed form is off, or where a factor has a nearly double root (its roots are then
    # sensitive to the factor's coefficients, so these must be as accurate as possible)
    close = np.abs(bb * bb - 4 * cc) < 1e-6 * (bb * bb + 4 * np.abs(cc))
    close |= np.abs(d * d - 4 * e) < 1e-6 * (d * d + 4 * np.abs(e))
    redo = np.flatnonzero(~(err <= POLISH_TOL) | close)
    if redo.size and steps:
        bs = [v[redo] for v in (b1, b2, b3, b4)]
        pb, pc = _bairstow(*bs, bb[redo], cc[redo], steps)
        pd, pe, p1, p0 = _divide(*bs, pb, pc)
        bb[redo], cc[redo], d[redo], e[redo] = pb, pc, pd, pe
        err[redo] = _quartic_error(bs[2], bs[3], pb, pc, pd, pe, p1, p0)
    # the resultant of the two factors (the Bairstow Jacobian's determinant): near 0 they nearly share a
    # root, and splitting the quartic into them is ill-conditioned (errors ~ sqrt(eps)): eigvals is better
    res = (cc - e) ** 2 + (bb - d) * (bb * e - d * cc)
    err[~(np.abs(res) > RESULTANT_TOL)] = np.inf
    return bb, cc, d, e, err


def factor34(c: NDArray[np.float64]):
    """The real factors of each row of ``c`` (highest first, degree 3 or 4, leading coefficient non-zero).

    Returns ``(factors, err)``: ``factors`` is ``(r, B, C)`` (cubic: ``p/c_0 = (z - r)(z^2 + B z + C)``) or
    ``(B1, C1, B2, C2)`` (quartic: ``p/c_0 = (z^2 + B1 z + C1)(z^2 + B2 z + C2)``), and ``err`` the
    backward error in units where the roots are of order 1 (NaN or inf where it failed).

    >>> (r, b, c), err = factor34(np.array([[2.0, -2, 2, -2]]))      # 2 (z - 1)(z^2 + 1)
    >>> [round(float(v[0]), 12) for v in (r, b, c)], bool(err[0] < BACKWARD_TOL)
    ([1.0, 0.0, 1.0], True)
    """
    c = np.asarray(c, dtype=float)
    deg = c.shape[1] - 1
    if deg not in (3, 4):
        raise ValueError(f"factor34 needs degree 3 or 4, not {deg}")
    with np.errstate(all="ignore"):
        sigma, b = _scaled(c)
        if deg == 3:
            r, bb, cc, err = _factor_cubic(*b)
            out = (r * sigma, bb * sigma, cc * sigma * sigma)
        else:
            b1, c1, b2, c2, err = _factor_quartic(*b)
            s2 = sigma * sigma
            out = (b1 * sigma, c1 * s2, b2 * sigma, c2 * s2)
    return out, err  # NaN where anything was not finite (it propagates into the remainder)


def _bad(err: NDArray[np.float64]) -> NDArray[np.bool_]:
    return ~(err <= BACKWARD_TOL)


def rate34(c: NDArray[np.float64], discrete: bool) -> NDArray[np.float64]:
    """The spectral radius (``discrete``) or abscissa of each row of ``c`` (degree 3 or 4).

    Closed form and polishing (:func:`factor34`); ``numpy.linalg.eigvals`` where the backward error is too large.
    """
    c = np.asarray(c, dtype=float)
    f, err = factor34(c)
    with np.errstate(all="ignore"):
        if len(f) == 3:
            r, bb, cc = f
            rate = np.maximum(np.abs(r) if discrete else r, quadratic_rate(bb, cc, discrete))
        else:
            rate = np.maximum(quadratic_rate(f[0], f[1], discrete), quadratic_rate(f[2], f[3], discrete))
    _fallback(c, err, rate, lambda z: np.abs(z).max(axis=1) if discrete else z.real.max(axis=1))
    return rate


def roots34(c: NDArray[np.float64]) -> NDArray[np.complex128]:
    """The roots of each row of ``c`` (degree 3 or 4), ``(N, degree)`` in no particular order."""
    c = np.asarray(c, dtype=float)
    f, err = factor34(c)
    with np.errstate(all="ignore"):
        if len(f) == 3:
            out = np.concatenate([f[0].astype(complex)[:, None], quadratic_roots(f[1], f[2])], axis=1)
        else:
            out = np.concatenate([quadratic_roots(f[0], f[1]), quadratic_roots(f[2], f[3])], axis=1)
    _fallback(c, err, out, lambda z: z)
    return out


def _fallback(c, err, out, reduce) -> None:
    """Recompute the rows of ``out`` whose factorisation failed with eigvals (NaN where not finite)."""
    bad = _bad(err)
    if not bad.any():
        return
    idx = np.flatnonzero(bad)
    with np.errstate(all="ignore"):
        a = c[idx, 1:] / c[idx, :1]
    fin = np.isfinite(a).all(axis=1)
    out[idx[~fin]] = np.nan
    if fin.any():
        out[idx[fin]] = reduce(companion_roots(c[idx[fin]]))
