"""Fast roots, rates and verdicts of degree-3/4 characteristic polynomials on grids.

References are independent of the code under test: polynomials built from chosen roots (so the
exact roots are known), ``numpy.linalg.eigvals`` of the companion matrix, mpmath's ``polyroots`` at
60 digits, and per-point ``numpy.linalg.eigvals`` verdicts. Tolerances (relative to the largest
root modulus ``sigma`` unless said otherwise): 1e-9 for simple roots, 1e-6 at a double root,
1e-4 at a triple root, 1e-3 at a quadruple root (the conditioning of an m-fold root is eps^(1/m)).
"""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
import sympy as sp

from stability.maps import stability_map
from stability.numerics import roots34
from stability.numerics.grid import (
    _BAND,
    CODES,
    RATE_TOL,
    _band_codes,
    _cayley,
    _routh_table,
    classify,
    compile_coefficients,
    evaluate_grid,
    routh_hurwitz,
)
from stability.numerics.roots34 import factor34, rate34
from stability.numerics.roots34 import roots34 as fast_roots
from stability.verdicts import TimeDomain

RNG = np.random.default_rng(20261201)
N = 20000


def poly_from_roots(roots: np.ndarray, lead: np.ndarray | float = 1.0) -> np.ndarray:
    """Real coefficients (highest first) of ``lead * prod (z - r)`` per row of ``roots`` (closed under conjugation)."""
    c = np.ones((roots.shape[0], 1), dtype=complex)
    for j in range(roots.shape[1]):
        c = np.concatenate([c, np.zeros((len(c), 1))], axis=1) - roots[:, j : j + 1] * np.concatenate(
            [np.zeros((len(c), 1)), c], axis=1
        )
    return c.real * np.reshape(lead, (-1, 1))


def random_roots(n: int, deg: int, scale: np.ndarray | float = 1.0) -> np.ndarray:
    """Per row: real roots or conjugate pairs (a random mix), of order ``scale``."""
    re, im = RNG.standard_normal((2, n, deg))
    if deg == 4:
        r = np.stack(
            [re[:, 0] + 1j * im[:, 0], re[:, 0] - 1j * im[:, 0], re[:, 2] + 1j * im[:, 2], re[:, 2] - 1j * im[:, 2]], 1
        )
        real = RNG.random(n) < 0.4
        r[real, 2], r[real, 3] = re[real, 2], re[real, 3]
        real = RNG.random(n) < 0.2
        r[real, 0], r[real, 1] = re[real, 0], re[real, 1]
    else:
        r = np.stack([re[:, 0] + 0j, re[:, 1] + 1j * im[:, 1], re[:, 1] - 1j * im[:, 1]], 1)
        real = RNG.random(n) < 0.3
        r[real, 1], r[real, 2] = re[real, 1], re[real, 2]
    return r * np.reshape(scale, (-1, 1))


def rates_of(roots: np.ndarray, discrete: bool) -> np.ndarray:
    return np.abs(roots).max(axis=1) if discrete else roots.real.max(axis=1)


def eig_roots(c: np.ndarray) -> np.ndarray:
    n = c.shape[1] - 1
    comp = np.zeros((len(c), n, n))
    comp[:, 0, :] = -c[:, 1:] / c[:, :1]
    comp[:, np.arange(1, n), np.arange(n - 1)] = 1.0
    return np.linalg.eigvals(comp)


def matched(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per row, the largest distance from a root of ``a`` to the nearest root of ``b`` (both ways)."""
    d = np.abs(a[:, :, None] - b[:, None, :])
    return np.maximum(d.min(axis=2).max(axis=1), d.min(axis=1).max(axis=1))


# ----------------------------------------------------------------------------- roots and rates


@pytest.mark.parametrize("deg", [3, 4])
@pytest.mark.parametrize("discrete", [True, False])
def test_rates_of_random_polynomials_match_the_chosen_roots_and_eigvals(deg, discrete):
    roots = random_roots(N, deg)
    c = poly_from_roots(roots, RNG.uniform(0.1, 10, N))
    sigma = np.abs(roots).max(axis=1)
    fast = rate34(c, discrete)
    assert np.all(np.abs(fast - rates_of(roots, discrete)) <= 1e-9 * sigma + _gap(roots))
    assert np.all(np.abs(fast - rates_of(eig_roots(c), discrete)) <= 1e-9 * sigma + _gap(roots))


def _gap(roots: np.ndarray) -> np.ndarray:
    """Allowance for random roots that happen to be nearly double: 1e-12 sigma^2 / (closest two roots' distance).

    (A root at distance d from another moves by about eps sigma^2 / d under a perturbation eps of the coefficients.)
    """
    d = np.abs(roots[:, :, None] - roots[:, None, :])
    d = np.where(np.eye(roots.shape[1], dtype=bool), np.inf, d).min(axis=(1, 2))
    sigma = np.abs(roots).max(axis=1)
    return np.minimum(sigma, 1e-12 * sigma**2 / np.maximum(d, 1e-300))


@pytest.mark.parametrize("deg", [3, 4])
def test_roots_of_random_coefficients_match_eigvals(deg):
    c = RNG.standard_normal((N, deg + 1))
    fast, ref = fast_roots(c), eig_roots(c)
    sigma = np.abs(ref).max(axis=1)
    assert np.all(matched(fast, ref) <= 1e-7 * sigma)
    for discrete in (True, False):
        assert np.all(np.abs(rate34(c, discrete) - rates_of(ref, discrete)) <= 1e-9 * sigma)


def repeated(n: int) -> dict:
    """Root sets (rows) with repeated roots, by (degree, largest multiplicity; 5: double roots at +-1)."""
    r, s, t = RNG.standard_normal((3, n))
    z = RNG.standard_normal(n) + 1j * RNG.standard_normal(n)
    one = np.ones(n)
    return {
        (3, 2): np.stack([r, r, s], 1) + 0j,
        (3, 3): np.stack([r, r, r], 1) + 0j,
        (4, 2): np.concatenate([np.stack([r, r, s, t], 1) + 0j, np.stack([z, z, z.conj(), z.conj()], 1)]),
        (4, 3): np.stack([r, r, r, s], 1) + 0j,
        (4, 4): np.stack([r, r, r, r], 1) + 0j,
        (4, 5): np.stack([one, one, -one, -one], 1) + 0j,  # double roots at +-1, on the unit circle
    }


TOL_MULT = {2: 1e-6, 3: 1e-4, 4: 1e-3, 5: 1e-6}


def test_repeated_roots():
    for (deg, mult), roots in repeated(4000).items():
        c = poly_from_roots(roots)
        sigma = np.abs(roots).max(axis=1)
        ev = eig_roots(c)
        # within the conditioning of an m-fold root, or (a random neighbour close to it making that worse)
        # within 10 times eigvals' error
        for discrete in (True, False):
            exact = rates_of(roots, discrete)
            allowed = np.maximum(TOL_MULT[mult] * sigma, 10 * np.abs(rates_of(ev, discrete) - exact))
            assert np.all(np.abs(rate34(c, discrete) - exact) <= allowed), (deg, mult)
        allowed = np.maximum(TOL_MULT[mult] * sigma, 10 * matched(ev, roots))
        assert np.all(matched(fast_roots(c), roots) <= allowed), (deg, mult)


def test_roots_on_the_unit_circle_and_the_imaginary_axis():
    n = 5000
    th = RNG.uniform(0.01, np.pi - 0.01, (n, 2))
    circle = np.stack(
        [np.exp(1j * th[:, 0]), np.exp(-1j * th[:, 0]), 0.5 * np.exp(1j * th[:, 1]), 0.5 * np.exp(-1j * th[:, 1])], 1
    )
    c = poly_from_roots(circle)
    assert np.all(np.abs(rate34(c, True) - 1.0) <= 1e-9)
    w = RNG.uniform(0.1, 3, (n, 2))
    axis = np.stack([1j * w[:, 0], -1j * w[:, 0], -w[:, 1] + 1j, -w[:, 1] - 1j], 1)
    c = poly_from_roots(axis)
    assert np.all(np.abs(rate34(c, False)) <= 1e-9 * np.abs(axis).max(axis=1))
    cubic = np.stack([np.ones(n) + 0j, np.exp(1j * th[:, 0]), np.exp(-1j * th[:, 0])], 1)  # all three on |z| = 1
    assert np.all(np.abs(rate34(poly_from_roots(cubic), True) - 1.0) <= 1e-9)


@pytest.mark.parametrize("exponent", [-60, -20, -8, 8, 20, 60])
def test_huge_and_small_coefficient_scales(exponent):
    for deg in (3, 4):
        roots = random_roots(3000, deg, 10.0**exponent)
        c = poly_from_roots(roots, 10.0 ** RNG.uniform(-40, 40, 3000))
        sigma = np.abs(roots).max(axis=1)
        for discrete in (True, False):
            assert np.all(np.abs(rate34(c, discrete) - rates_of(roots, discrete)) <= 1e-9 * sigma + _gap(roots))


def test_leading_coefficient_near_zero_and_widely_separated_roots():
    # lead 4e-5: one root near -5.7e4; the rate of the flow is the small complex pair's real part
    c = np.array([[4.19563547e-05, 2.37179636e00, -9.18272655e-01, 1.14115747e00, 5.06805707e-01]])
    mpmath.mp.dps = 60
    exact = max(float(mpmath.re(z)) for z in mpmath.polyroots([mpmath.mpf(float(v)) for v in c[0]], maxsteps=200))
    assert abs(rate34(c, False)[0] - exact) <= 1e-10 * abs(exact)
    for lead in (1e-8, 1e-12, 1e-15):
        roots = random_roots(2000, 4)
        c = poly_from_roots(roots)
        c[:, 0] = lead  # one root of size 1/lead, three of order 1
        ref = eig_roots(c)
        for discrete in (True, False):
            got, want = rate34(c, discrete), rates_of(ref, discrete)
            assert np.all(np.abs(got - want) <= 1e-9 * np.abs(want) + 1e-12)


def test_backward_error_fallback_and_non_finite_rows():
    c = RNG.standard_normal((500, 5))
    ref = rates_of(eig_roots(c), True)
    old = roots34.BACKWARD_TOL
    try:
        roots34.BACKWARD_TOL = -1.0  # every point falls back to eigvals
        assert np.array_equal(rate34(c, True), ref)
    finally:
        roots34.BACKWARD_TOL = old
    bad = np.array([[1e-320, 1.0, 1.0, 1.0, 1.0], [1.0, 2.0, 3.0, 4.0, 5.0]])  # 1/1e-320 overflows
    r = rate34(bad, True)
    assert np.isnan(r[0]) and abs(r[1] - rates_of(eig_roots(bad[1:]), True)[0]) < 1e-12
    (_, _, _, _), err = factor34(np.array([[1.0, np.nan, 0, 0, 1]]))
    assert not err[0] <= roots34.BACKWARD_TOL


# ----------------------------------------------------------------------------- verdicts


def _near_boundary_polys(deg: int, n: int) -> np.ndarray:
    """Polynomials with a pair exactly on the unit circle (first half) or the imaginary axis (second half).

    The other roots lie strictly inside the stable set, so the rate is exactly 1 (maps) or 0 (flows).
    """
    roots = random_roots(n, deg)
    pair = [0, 1] if deg == 4 else [1, 2]
    rest = [j for j in range(deg) if j not in pair]
    th = RNG.uniform(0.1, 3, n)
    half = n // 2
    others = roots[:, rest]
    inside = 0.9 * others / np.abs(others).max(axis=1, keepdims=True)
    left = -np.abs(others.real) - 0.1 + 1j * others.imag
    roots[:half, pair[0]], roots[:half, pair[1]] = np.exp(1j * th[:half]), np.exp(-1j * th[:half])
    roots[half:, pair[0]], roots[half:, pair[1]] = 1j * th[half:], -1j * th[half:]
    roots[:half][:, rest] = inside[:half]
    roots[half:][:, rest] = left[half:]
    return poly_from_roots(roots)


@pytest.mark.parametrize("deg", [3, 4])
def test_written_out_routh_column_equals_the_general_table(deg):
    c = np.concatenate([RNG.standard_normal((N, deg + 1)), _near_boundary_polys(deg, N)])
    c[:50, 0] = 0.0  # degree drops
    c[50:60] = 0.0
    for test in (c, _cayley(c)):
        assert np.array_equal(routh_hurwitz(test), _routh_table(test))


@pytest.mark.parametrize("deg", [3, 4])
@pytest.mark.parametrize("discrete", [True, False])
def test_verdicts_agree_with_per_point_eigvals(deg, discrete):
    c = np.concatenate([RNG.standard_normal((N, deg + 1)), _near_boundary_polys(deg, 4000)])
    codes, rate = classify(c, TimeDomain.DISCRETE if discrete else TimeDomain.CONTINUOUS)
    ev = eig_roots(c)
    r = rates_of(ev, discrete)
    crit = 1.0 if discrete else 0.0
    size = 1.0 if discrete else np.abs(ev).max(axis=1)
    names = np.array([str(CODES[k]) for k in codes])
    far = np.abs(r - crit) > 1e-5 * size
    assert np.all(names[far & (r < crit)] == "stable")
    assert np.all(names[far & (r > crit)] == "unstable")
    on = np.abs(r - crit) < 1e-9 * size  # built on the boundary
    assert on.sum() > 1000
    assert set(names[on]) <= {"neutral", "center", "non-hyperbolic"}
    sigma = np.abs(ev).max(axis=1)
    assert np.all(np.abs(rate - r) <= 1e-7 * sigma)  # 1e-7: random coefficients may have nearly double roots
    assert np.median(np.abs(rate - r) / sigma) < 1e-14


# ----------------------------------------------------------------------------- exact factorisation

H, B = sp.symbols("h beta")
MOMENTUM = [  # vanilla_ns + R1 = 1, momentum: (z^2 + (h/2 - beta - 1) z + beta)^2
    1,
    -2 * B + H - 2,
    B**2 - B * H + 4 * B + H**2 / 4 - H + 1,
    -2 * B**2 + B * H - 2 * B,
    B**2,
]


def test_factorisation_found_and_exact():
    co = compile_coefficients(MOMENTUM, (H, B))
    assert co.factor_degrees == (2,) and co.factors[0][1] == 2
    h, b = RNG.uniform(0.01, 3, 1000), RNG.uniform(-0.9, 0.9, 1000)
    (f,) = co.factor_values(h, b)
    prod = np.array([np.polymul(row, row) for row in f])
    full = co(h, b)
    assert np.allclose(prod / prod[:, :1], full / full[:, :1], rtol=1e-13, atol=1e-13)
    # no factorisation: an irreducible quartic, non-polynomial parameters, degree 2
    assert compile_coefficients([1, H, 0, 1, B], (H, B)).factors == ()
    assert compile_coefficients([1, sp.sqrt(H), 0, 1, B], (H, B)).factors == ()
    assert compile_coefficients([1, H, B], (H, B)).factors == ()
    # Floats are taken at their exact binary value: the factorisation survives
    floaty = [sp.expand(e * sp.Float(0.1)) for e in MOMENTUM]
    assert compile_coefficients(floaty, (H, B)).factor_degrees == (2,)


def test_factored_verdicts_and_rates_match_eigvals():
    co = compile_coefficients(MOMENTUM, (H, B))
    plain = compile_coefficients(MOMENTUM, (H, B), factor=False)
    x, y = np.linspace(0.01, 3, 150), np.linspace(-0.9, 0.9, 140)
    codes, rate = evaluate_grid(co, x, y, TimeDomain.DISCRETE)
    codes0, rate0 = evaluate_grid(plain, x, y, TimeDomain.DISCRETE)
    assert np.array_equal(codes, codes0)
    # the exact roots: those of z^2 + (h/2 - beta - 1) z + beta, each twice
    hh, bb = np.meshgrid(x, y)
    q1, q0 = hh / 2 - bb - 1, bb
    disc = (q1 * q1 - 4 * q0).astype(complex)
    exact = np.maximum(np.abs((-q1 + np.sqrt(disc)) / 2), np.abs((-q1 - np.sqrt(disc)) / 2))
    assert np.max(np.abs(rate - exact)) <= 1e-12
    assert np.max(np.abs(rate0 - exact)) <= 1e-6  # eigvals at a double root: about sqrt(eps)
    far = np.abs(exact - 1) > 1e-6
    assert np.all((codes[far] == 0) == (exact[far] < 1))


Z = sp.Symbol("z")
FAMILIES = [  # polynomials in z with parameters (h, beta): products of known factors
    sp.expand((Z - H / 2) * (Z**2 + B * Z + sp.Rational(1, 4))),  # linear x quadratic
    sp.expand((Z + B) * (Z**3 - H * Z**2 + Z / 2 - B / 3)),  # linear x irreducible cubic
    sp.expand((Z**2 + (H - 1) * Z + B) ** 3),  # a cube: degree 6, from its quadratic factor
    sp.expand((H * Z**2 + Z + B) * (Z**2 - B * Z + H / 3)),  # parameter-dependent leading coefficient
]


@pytest.mark.parametrize("expr", FAMILIES, ids=["lin-quad", "lin-cubic", "cube", "lead"])
@pytest.mark.parametrize("time_domain", [TimeDomain.DISCRETE, TimeDomain.CONTINUOUS])
def test_factored_families_agree_with_eigvals(expr, time_domain):
    coeffs = sp.Poly(expr, Z).all_coeffs()
    co = compile_coefficients(coeffs, (H, B))
    assert len(co.factors) == 2 or co.factors[0][1] == 3
    x, y = np.linspace(-1.5, 2.5, 120), np.linspace(-1.2, 1.3, 110)  # includes h = 0: the leading coefficient 0
    codes, rate = evaluate_grid(co, x, y, time_domain)
    hh, bb = np.meshgrid(x, y)
    c = compile_coefficients(coeffs, (H, B), factor=False)(hh.ravel(), bb.ravel())
    good = np.abs(c[:, 0]) > 0
    assert np.all(codes.ravel()[~good] == list(CODES).index("undecided"))
    ev = eig_roots(c[good])
    discrete = time_domain is TimeDomain.DISCRETE
    r = rates_of(ev, discrete)
    crit = 1.0 if discrete else 0.0
    sigma = np.abs(ev).max(axis=1)
    got = codes.ravel()[good]
    far = np.abs(r - crit) > 1e-5 * (1.0 if discrete else sigma)
    assert np.all(got[far] == np.where(r[far] < crit, 0, 1))
    if co.factors[0][1] == 3:  # eigvals at triple roots is good to eps^(1/3) only: the factor's roots, by hand
        q1 = hh.ravel()[good] - 1
        d = np.sqrt((q1 * q1 - 4 * bb.ravel()[good]).astype(complex))
        r = rates_of(np.stack([(-q1 + d) / 2, (-q1 - d) / 2], 1), discrete)
    assert np.all(np.abs(rate.ravel()[good] - r) <= 1e-7 * np.maximum(sigma, 1.0))


# ----------------------------------------------------------------------------- the benchmark grids


def reference_codes(c: np.ndarray, discrete: bool) -> np.ndarray:
    """The verdicts before the fast path: the general Routh table, eigvals of the companion where it is undecided."""
    rh = _routh_table(_cayley(c) if discrete else c)
    out = np.where(rh == 0, 0, 1).astype(np.int8)
    band = rh == _BAND
    if band.any():
        out[band] = _band_codes(np.sort_complex(eig_roots(c[band])), discrete)[0]
    return out


CASES = [
    dict(variant="vanilla_ns", x=("lr", 0.01, 8), y=("r1", 0, 3), optimizer="simgd", dim=1),
    dict(variant="vanilla_ns", x=("lr", 0.01, 8), y=("r1", 0, 3), optimizer="altgd", dim=1),
    dict(
        variant="vanilla_ns",
        x=("lr", 0.01, 3),
        y=("beta", -0.9, 0.9),
        optimizer="momentum",
        dim=1,
        regularizers={"r1": 1},
    ),
    dict(variant="vanilla_ns", x=("lr", 0.01, 3), y=("r1", 0, 3), optimizer="ogd", dim=1),
]


@pytest.mark.parametrize("spec", CASES, ids=lambda s: s["optimizer"])
def test_benchmark_grids_verdicts_unchanged_and_rates_match_eigvals(spec):
    spec = dict(spec)
    variant = spec.pop("variant")
    m = stability_map(variant, x=(*spec.pop("x"), 201), y=(*spec.pop("y"), 199), **spec)
    symbols = (m.x_axis.symbol, m.y_axis.symbol)
    plain = compile_coefficients(m.polynomial.all_coeffs(), symbols, factor=False)
    xx, yy = np.meshgrid(m.x, m.y)
    c = plain(xx.ravel(), yy.ravel())
    assert np.array_equal(m.codes.ravel(), reference_codes(c, True))
    ref = np.abs(eig_roots(c)).max(axis=1)
    diff = np.abs(m.rate.ravel() - ref)
    if spec["optimizer"] != "momentum":  # momentum: double roots everywhere, eigvals off by ~1e-8 (see above)
        assert np.median(diff) < 1e-13
    # where the grid's rate and eigvals' differ most (near-double roots): both within the conditioning there,
    # 10 sqrt(eps) times the root size, of the 60-digit roots (or the grid's within 5 times eigvals' error)
    mpmath.mp.dps = 60
    momentum = spec["optimizer"] == "momentum"
    for i in np.argsort(diff)[-12:]:
        # momentum: the rounded quartic's roots are not the map's; take the hand-derived factor's, at 60 digits
        h, b = mpmath.mpf(float(xx.ravel()[i])), mpmath.mpf(float(yy.ravel()[i]))
        exact_c = [1, h / 2 - b - 1, b] if momentum else [mpmath.mpf(float(v)) for v in c[i]]
        exact = max(abs(z) for z in mpmath.polyroots(exact_c, maxsteps=400, extraprec=300))
        allowed = max(1e-10, 5 * abs(ref[i] - float(exact)), 10 * np.sqrt(np.finfo(float).eps) * float(exact))
        assert abs(m.rate.ravel()[i] - float(exact)) <= allowed
    assert RATE_TOL == 1e-6
