"""Custom variants that are not rotation invariant, at several n, against an independent numeric reference.

The reference: the field written here as ``-grad`` of the losses (``sympy.diff``), compiled with NumPy, its
Jacobian at the origin by central finite differences (step 1e-5, error O(h^2) ~ 1e-10 for these smooth
fields; entries compared within 1e-6), and ``numpy.linalg.eigvals`` of that. The verdict is compared
where the largest real part is at least 1e-4 away from 0 (ties with the axis are exactly where a float
cannot decide); exact eigenvalues are compared numerically (within 1e-6, relative), with multiplicity.
Cases near a tie are redrawn, not skipped.
"""

from __future__ import annotations

import random

import numpy as np
import pytest
import sympy as sp
from helpers import same_values

from stability import Variant, analyze, sigmoid, softplus, symbols
from stability.model.regularizers import REGULARIZERS
from stability.theory.spectrum import classify_matrix
from stability.timeout import time_limit

H = 1e-5
ENTRY_TOL = 1e-6
EIG_TOL = 1e-6
MARGIN = 1e-4
NUMPY = [{"sigmoid": lambda x: 1 / (1 + np.exp(-x)), "softplus": lambda x: np.log1p(np.exp(x))}, "numpy"]


def reference(variant: Variant) -> tuple[np.ndarray, np.ndarray]:
    """(finite-difference Jacobian of -grad L at 0, its eigenvalues), independent of the library's engine."""
    phi, theta = variant.phi, variant.theta
    state = list(phi) + list(theta)
    field = [-sp.diff(variant.d_loss, p) for p in phi] + [-sp.diff(variant.g_loss, t) for t in theta]
    f = sp.lambdify(state, field, modules=NUMPY)
    cols = []
    for j in range(len(state)):
        e = np.zeros(len(state))
        e[j] = H
        cols.append((np.array(f(*e), dtype=float) - np.array(f(*-e), dtype=float)) / (2 * H))
    jac = np.array(cols).T
    return jac, np.linalg.eigvals(jac)


def structured(n: int, rng: random.Random) -> Variant:
    """Per-coordinate weights and damping, a sigmoid loss, a cubic term and one coupling (issue 13's shape)."""
    phi, theta = symbols(n)
    w = [rng.randint(1, 4) for _ in range(n)]
    u = sum(wi * p * t for wi, p, t in zip(w, phi, theta))
    damp_d = [sp.Rational(rng.randint(-3, 4), 10) for _ in range(n)]
    damp_g = [sp.Rational(rng.randint(-2, 2), 10) for _ in range(n)]
    d_loss = softplus(u) + sum(c * p**2 for c, p in zip(damp_d, phi)) + phi[0] ** 3 * theta[-1]
    g_loss = -sp.log(sigmoid(u)) + sum(c * t**2 for c, t in zip(damp_g, theta))
    if n > 1:
        d_loss += sp.Rational(rng.randint(-2, 2), 5) * phi[0] * theta[1]  # couples two blocks (triangular)
    return Variant(f"structured{n}", d_loss=d_loss, g_loss=g_loss, phi=phi, theta=theta)


def dense(n: int, rng: random.Random) -> Variant:
    """``phi^T A theta + phi^T S phi / 2`` and ``-phi^T A theta + theta^T R theta / 2``, random integers."""
    phi, theta = symbols(n)
    a = [[rng.randint(-3, 3) for _ in range(n)] for _ in range(n)]
    s = [[0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i, n):
            s[i][j] = s[j][i] = rng.randint(-2, 3) if i != j else rng.randint(-1, 4)
    r = [rng.randint(-1, 2) for _ in range(n)]
    bil = sum(a[i][j] * phi[i] * theta[j] for i in range(n) for j in range(n))
    d_loss = bil + sum(s[i][j] * phi[i] * phi[j] for i in range(n) for j in range(n)) / 2 + phi[0] ** 2 * theta[-1]
    g_loss = -bil + sum(ri * t**2 for ri, t in zip(r, theta)) / 2 + sp.exp(theta[0]) * phi[-1] ** 2
    return Variant(f"dense{n}", d_loss=d_loss, g_loss=g_loss, phi=phi, theta=theta)


def drawn(build, n: int, seed: int) -> tuple[Variant, np.ndarray, np.ndarray]:
    """A variant whose largest real part is clearly away from 0 (redrawn otherwise)."""
    rng = random.Random(seed)
    while True:
        v = build(n, rng)
        jac, eig = reference(v)
        if abs(eig.real.max()) > MARGIN:
            return v, jac, eig


def check(v: Variant, jac: np.ndarray, eig: np.ndarray) -> None:
    with time_limit(120):  # generous: each case takes well under a second
        a = analyze(v)
    assert np.allclose(np.array(a.jacobian, dtype=float), jac, atol=ENTRY_TOL)
    assert a.classification == ("stable" if eig.real.max() < 0 else "unstable")
    values = np.array([complex(sp.N(x)) for x, k in a.eigenvalues.items() for _ in range(k)])
    assert same_values(values, eig, EIG_TOL)
    # the fast floating-point values (CRootOf carries one from its isolating box) are the same numbers
    fast = np.array([p.numeric for p in a.eigenvalue_parts for _ in range(p.multiplicity)])
    assert same_values(fast, eig, EIG_TOL)
    assert a.detail  # always a detail


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_structured_variants_match_finite_differences(n, seed):
    check(*drawn(structured, n, 100 * n + seed))


@pytest.mark.parametrize("n", [1, 2, 3, 4, 6])
@pytest.mark.parametrize("seed", [0, 1])
def test_dense_variants_match_finite_differences(n, seed):
    check(*drawn(dense, n, 1000 * n + seed))


@pytest.mark.parametrize("n", [12, 24])
def test_larger_structured_variants_match_finite_differences(n):
    check(*drawn(structured, n, 100 * n))


@pytest.mark.parametrize("n", [12, 24])
def test_larger_dense_variants_match_finite_differences(n):
    # degree 2n > the CRootOf degree: floating-point eigenvalues, flagged, but the verdict is exact
    v, jac, eig = drawn(dense, n, 1000 * n)
    check(v, jac, eig)
    assert analyze(v).spectrum.numeric_only


def test_dense_variant_at_n_32_is_classified_exactly():
    # a 64 x 64 irreducible Jacobian; 120 s is a no-hang bound, not a benchmark (benchmarks/bench_scale.py)
    v, jac, eig = drawn(dense, 32, 32000)
    with time_limit(120):
        a = analyze(v)
    assert a.classification == ("stable" if eig.real.max() < 0 else "unstable")
    assert np.allclose(np.array(a.jacobian, dtype=float), jac, atol=ENTRY_TOL)
    assert a.spectrum.numeric_only and "verdict does not use them" in a.spectrum.note
    fast = np.array([p.numeric for p in a.eigenvalue_parts for _ in range(p.multiplicity)])
    assert same_values(fast, eig, EIG_TOL)


S = sp.Symbol("s")


def companion(poly) -> sp.Matrix:
    """The companion matrix of the monic ``poly`` in ``S``: its characteristic polynomial is ``poly``."""
    c = sp.Poly(poly, S).all_coeffs()
    n = len(c) - 1
    return sp.Matrix(n, n, lambda i, j: -c[j + 1] if i == 0 else int(i == j + 1))


def near_axis(shift: int) -> sp.Expr:
    """``prod_{k=1..12} (s + k) - (12! + shift)``. By hand: for ``Re s >= 0`` every ``|s + k| >= k`` (equality only at
    ``s = 0``), so with ``shift = -1`` every root has ``Re < 0``; with ``shift = +1`` the value at 0 is -1, so there
    is a real root near ``1 / (12! H_12) ~ 7e-10 > 0``."""
    return sp.prod([S + k for k in range(1, 13)]) - (sp.factorial(12) + shift)


@pytest.mark.parametrize(
    "poly, verdict",
    [
        (near_axis(+1), "unstable"),
        (near_axis(-1), "stable"),
        (near_axis(-1) * (S**2 + 1), "non-hyperbolic"),  # +-i exactly on the axis
    ],
)
def test_verdicts_near_the_axis_do_not_depend_on_floating_point_signs(poly, verdict):
    # an irreducible factor of degree 12 > the CRootOf degree: its eigenvalues are floating-point values (flagged),
    # the verdict comes from the exact characteristic polynomial
    spec = classify_matrix(companion(poly))
    assert spec.classification == verdict and spec.numeric_only
    assert same_values(
        [p.numeric for p in spec.parts for _ in range(p.multiplicity)],
        np.roots([float(c) for c in sp.Poly(poly, S).all_coeffs()]),
        tol=1e-4,
    )


def test_the_issue_variant_at_n_32_is_exact_and_block_by_block():
    n = 32
    phi, theta = symbols(n)
    u = sum((i + 1) * phi[i] * theta[i] for i in range(n))
    d_loss = -sp.log(1 - sigmoid(u)) + sum(p**2 for p in phi) / 10 + phi[0] ** 3 * theta[-1]
    v = Variant("issue13", d_loss=d_loss, g_loss=-sp.log(sigmoid(u)), phi=phi, theta=theta)
    with time_limit(120):  # took more than 800 s before
        a = analyze(v)
    # by hand: phi_i' = -(i+1)/2 theta_i - phi_i/5, theta_i' = (i+1)/2 phi_i: lambda = -1/10 +- sqrt(1/100 - (i+1)^2/4)
    expected = {
        -sp.Rational(1, 10) + s * sp.sqrt(sp.Rational(1, 100) - sp.Rational((i + 1) ** 2, 4))
        for i in range(n)
        for s in (1, -1)
    }
    assert set(a.eigenvalues) == expected and set(a.eigenvalues.values()) == {1}
    assert a.classification == "stable" and a.detail == "focus"
    assert not a.spectrum.numeric_only


def test_loss_terms_without_a_derivative_still_go_to_the_ray_limits():
    phi, theta = symbols(2)
    u = phi[0] * theta[0] + phi[1] * theta[1]
    # sign(0) = 0 would make 2 phi_1 sign(phi_1) look differentiable with derivative 0
    a = analyze(Variant("kink", u + sp.sign(phi[0]) * phi[0] ** 2, -u, phi=phi, theta=theta))
    assert a.classification == "non-differentiable" and "phi_1" in a.detail
    # Heaviside(phi_1) phi_1^2: phi_1' = -2 max(phi_1, 0) - theta_1 has a kink (Heaviside(0) = 1/2 would hide it)
    a = analyze(Variant("step", u + sp.Heaviside(phi[0]) * phi[0] ** 2, -u, phi=phi, theta=theta))
    assert a.classification == "non-differentiable"
    a = analyze(Variant("max", u + sp.Max(phi[0], 0) ** 2, -u, phi=phi, theta=theta))
    assert a.classification == "non-differentiable"
    a = analyze(Variant("pw", u + sp.Piecewise((phi[0] ** 2, phi[0] > 0), (0, True)), -u, phi=phi, theta=theta))
    assert a.classification == "non-differentiable"
    # Heaviside(phi_1) phi_1^3 and |phi_1|^3 are C^1 with zero derivative: the Jacobian is that of the rest
    for term in (sp.Heaviside(phi[0]) * phi[0] ** 3, sp.Abs(phi[0]) ** 3, sp.Max(phi[0], 0) ** 3):
        a = analyze(Variant("smooth", u + phi[0] ** 2 + term, -u, phi=phi, theta=theta))
        expected = sp.Matrix([[-2, 0, -1, 0], [0, 0, 0, -1], [1, 0, 0, 0], [0, 1, 0, 0]])
        assert a.jacobian == expected, term
        assert a.classification == "non-hyperbolic"  # -1 (double) and +-i


def test_field_transforms_take_the_field_path():
    # consensus optimisation rewrites the field itself; the Jacobian must be that of the rewritten field
    phi, theta = symbols(2)
    u = 2 * phi[0] * theta[0] + phi[1] * theta[1] + phi[0] * theta[1]
    v = Variant("cons", d_loss=u + phi[1] ** 2 / 3, g_loss=-u, phi=phi, theta=theta)
    gamma = sp.Rational(1, 4)
    a = analyze(v, regularizers={"consensus": gamma})
    state = list(phi) + list(theta)
    field = sp.Matrix([-sp.diff(v.d_loss, p) for p in phi] + [-sp.diff(v.g_loss, t) for t in theta])
    transformed = REGULARIZERS["consensus"].components(field, tuple(state), gamma)
    naive = transformed.jacobian(state).subs({z: 0 for z in state})
    assert a.jacobian == naive
    top = np.linalg.eigvals(np.array(naive, dtype=float)).real.max()
    assert abs(top) > MARGIN and a.classification == ("stable" if top < 0 else "unstable")


def test_a_symbolic_parameter_in_a_custom_variant_gives_conditions_that_evaluate_everywhere():
    # issue 14: conditions used to contain atan2(0, x*(x - 2)) and raise "Invalid NaN comparison" at x = 0, 2
    x = sp.Symbol("x", real=True)
    phi, theta = symbols(2)
    d_loss = phi[0] * theta[0] + phi[1] * theta[1] + phi[0] * theta[1] + x * phi[0] ** 2
    g_loss = -phi[0] * theta[0] - phi[1] * theta[1] + 3 * theta[0] * phi[1] + theta[0] ** 2
    v = Variant("c", d_loss, g_loss, phi=phi, theta=theta, params={"x": 1})
    with time_limit(120):
        a = analyze(v, params={"x": x})
    for q in [0, 2, 1, -1, sp.Rational(-1, 4), sp.Rational(1, 3), 5, -5]:
        values = {k: c.subs(x, q) for k, c in a.conditions.items()}
        assert all(val in (sp.true, sp.false) for val in values.values())
        ev = np.linalg.eigvals(np.array(a.jacobian.subs(x, q), dtype=float))
        if ev.real.max() > MARGIN:
            assert values.get("unstable") is sp.true
        elif ev.real.max() < -MARGIN:
            assert values.get("stable") is sp.true


def test_a_long_spectrum_is_summarised_in_the_explanation():
    # 2n = 24 eigenvalues (finite differences): the explanation writes out the first 8 distinct ones and counts
    # the rest, with multiplicities adding up to the dimension of the Jacobian.
    v, jac, eig = drawn(structured, 12, 3)
    text = analyze(v).explanation
    distinct = len(analyze(v).eigenvalues)
    shown = text.split(" has eigenvalues ")[1].split(" and ")[0].count("(x")
    assert distinct > 8 and shown == 8
    counted = int(text.split(" more distinct ones (")[1].split(" with multiplicity")[0])
    listed = sum(int(m) for m in __import__("re").findall(r"\(x(\d+)\)", text))
    assert listed + counted == len(eig) == 24
