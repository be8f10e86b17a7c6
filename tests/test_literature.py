"""The literature's losses (LITERATURE.md): lsgan, hinge, rpgan and the f-GAN family, checked against the papers.

Every expected value is derived by hand in the comments from the general losses with
``D(x_r) = 0`` and ``D(x_f) = u = theta.phi``, never taken from the library's output.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from helpers import kron_block
from scipy.optimize import minimize_scalar

from stability import analyze
from stability.model.functions import sigmoid
from stability.model.space import DOT
from stability.model.variants import VARIANTS
from stability.model.variants._fgan import DIVERGENCES
from stability.numerics.field import numeric_field

DIMS = (1, 2, 3)
U = sp.Symbol("u", real=True)
HALF = sp.Rational(1, 2)


def jacobian_of(a) -> sp.Matrix:
    return sp.Matrix(a.jacobian)


def fd_jacobian(a, h=1e-6) -> np.ndarray:
    """Central finite differences of the library's numeric field at the origin (an independent route)."""
    f = numeric_field(a)
    n2 = 2 * a.dim
    cols = []
    for j in range(n2):
        e = np.zeros((1, n2))
        e[0, j] = h
        cols.append((f(e) - f(-e))[0] / (2 * h))
    return np.array(cols).T


def assert_matrix_close(actual: sp.Matrix, expected: sp.Matrix):
    assert (sp.Matrix(actual) - sp.Matrix(expected)).applyfunc(sp.simplify).is_zero_matrix


# ----------------------------------------------------------------------------- f-GAN, Nowozin et al. 2016 Table 2

# Generators f of Table 2 (Nowozin, Cseke & Tomioka 2016), written out independently of the code.
GENERATORS = {
    "kl": lambda x: x * math.log(x),
    "reverse_kl": lambda x: -math.log(x),
    "pearson": lambda x: (x - 1) ** 2,
    "hellinger": lambda x: (math.sqrt(x) - 1) ** 2,
    "js": lambda x: -(x + 1) * math.log((1 + x) / 2) + x * math.log(x),
}

# By hand from Table 2: g_f(0), f*(g_f(0)), h'(0) with h = f* o g_f, and g_f'(0).
#   kl:         g_f = v,              f*(t) = e^(t-1)       -> h = e^(v-1):   0, 1/e, 1/e, 1
#   reverse_kl: g_f = -e^(-v),        f*(t) = -1 - log(-t)  -> h = v - 1:     -1, -1, 1, 1
#   pearson:    g_f = v,              f*(t) = t^2/4 + t     -> h = v^2/4 + v: 0, 0, 1, 1
#   hellinger:  g_f = 1 - e^(-v),     f*(t) = t/(1 - t)     -> h = e^v - 1:   0, 0, 1, 1
#   js:         g_f = log 2 - log(1 + e^(-v)), f*(t) = -log(2 - e^t)
#               -> e^(g_f) = 2 sigmoid(v), h = -log(2 sigmoid(-v)):           0, 0, 1/2, 1/2
TABLE2_AT_ZERO = {
    "kl": (0, sp.exp(-1), sp.exp(-1), 1),
    "reverse_kl": (-1, -1, 1, 1),
    "pearson": (0, 0, 1, 1),
    "hellinger": (0, 0, 1, 1),
    "js": (0, 0, HALF, HALF),
}
# h(v) = f*(g_f(v)) and g_f(v) in closed form, simplified by hand (see above).
H_CLOSED = {
    "kl": (sp.exp(U - 1), U),
    "reverse_kl": (U - 1, -sp.exp(-U)),
    "pearson": (U**2 / 4 + U, U),
    "hellinger": (sp.exp(U) - 1, 1 - sp.exp(-U)),
    "js": (-sp.log(2) - sp.log(1 - sigmoid(U)), sp.log(2) - sp.log(1 + sp.exp(-U))),
}


@pytest.mark.parametrize("divergence", sorted(TABLE2_AT_ZERO))
def test_fgan_table2_values_at_zero(divergence):
    activation, conjugate = DIVERGENCES[divergence][:2]
    g0, fg0, h1, g1 = TABLE2_AT_ZERO[divergence]
    v = sp.Symbol("v", real=True)
    h = conjugate(activation(v))
    assert sp.simplify(activation(v).subs(v, 0) - g0) == 0
    assert sp.simplify(h.subs(v, 0) - fg0) == 0
    assert sp.simplify(sp.diff(h, v).subs(v, 0) - h1) == 0
    assert sp.simplify(sp.diff(activation(v), v).subs(v, 0) - g1) == 0


@pytest.mark.parametrize("divergence", sorted(TABLE2_AT_ZERO))
def test_fgan_closed_forms(divergence):
    activation, conjugate = DIVERGENCES[divergence][:2]
    h_hand, g_hand = H_CLOSED[divergence]
    for value in (-1.3, -0.2, 0.4, 1.1):
        assert float(conjugate(activation(U)).subs(U, value)) == pytest.approx(float(h_hand.subs(U, value)), rel=1e-12)
        assert float(activation(U).subs(U, value)) == pytest.approx(float(g_hand.subs(U, value)), rel=1e-12)


@pytest.mark.parametrize("divergence", sorted(GENERATORS))
def test_fgan_conjugate_is_fenchel_conjugate_of_table_generator(divergence):
    # f*(t) = sup_{x > 0} (x t - f(x)), maximised numerically at t = g_f(v) for a few v.
    activation, conjugate = DIVERGENCES[divergence][:2]
    f = GENERATORS[divergence]
    for v in (-0.7, 0.0, 0.5):
        t = float(activation(sp.Float(v)))
        res = minimize_scalar(
            lambda y, t=t: -(math.exp(y) * t - f(math.exp(y))),
            bounds=(-30, 30),
            method="bounded",
            options={"xatol": 1e-12},
        )
        assert -res.fun == pytest.approx(float(conjugate(sp.Float(t))), abs=1e-7)


@pytest.mark.parametrize("ns", [False, True])
@pytest.mark.parametrize("divergence", sorted(TABLE2_AT_ZERO))
@pytest.mark.parametrize("n", DIMS)
def test_fgan_jacobian(divergence, ns, n):
    # L_D = -F = -g_f(0) + h(u), so phi' = -h'(u) theta. Minimax: L_G = F = g_f(0) - h(u), theta' = h'(u) phi.
    # Non-saturating: L_G = -g_f(u), theta' = g_f'(u) phi. J = [[0, -h'(0)], [q, 0]] (x) I_n, q = h'(0) or g_f'(0);
    # eigenvalues +-i sqrt(h'(0) q), each n times: a centre.
    _, _, h1, g1 = TABLE2_AT_ZERO[divergence]
    q = g1 if ns else h1
    name = f"fgan_{divergence}" + ("_ns" if ns else "")
    a = analyze(name, dim=n)
    assert_matrix_close(jacobian_of(a), kron_block(((0, -h1), (q, 0)), n))
    omega = sp.sqrt(h1 * q)
    assert {sp.simplify(k - sp.I * omega) == 0 or sp.simplify(k + sp.I * omega) == 0 for k in a.eigenvalues} == {True}
    assert set(a.eigenvalues.values()) == {n}
    assert a.classification == "center"
    np.testing.assert_allclose(fd_jacobian(a), np.array(kron_block(((0, -h1), (q, 0)), n), dtype=float), atol=1e-8)


@pytest.mark.parametrize("ns", [False, True])
@pytest.mark.parametrize("divergence", sorted(TABLE2_AT_ZERO))
def test_fgan_field_in_invariant_form(divergence, ns):
    # The whole field (not only its derivative): phi' = -h'(u) theta, theta' = q(u) phi, a = d = 0.
    h_hand, g_hand = H_CLOSED[divergence]
    p_hand = sp.diff(h_hand, U)
    q_hand = sp.diff(g_hand if ns else h_hand, U)
    a = analyze(f"fgan_{divergence}" + ("_ns" if ns else ""), dim=2)
    inv = a.dynamics.invariant
    assert inv.a == 0 and inv.d == 0
    for value in (-0.9, 0.3, 1.7):
        assert float(inv.b.subs(DOT, value)) == pytest.approx(-float(p_hand.subs(U, value)), rel=1e-12)
        assert float(inv.c.subs(DOT, value)) == pytest.approx(float(q_hand.subs(U, value)), rel=1e-12)


@pytest.mark.parametrize("divergence", sorted(TABLE2_AT_ZERO))
@pytest.mark.parametrize("n", DIMS)
def test_minimax_fgan_conserves_energy(divergence, n):
    # d/dt (|phi|^2 + |theta|^2) = 2 phi.(-h'(u) theta) + 2 theta.(h'(u) phi) = 0: Lyapunov stable, not asymptotically.
    nl = analyze(f"fgan_{divergence}", dim=n).nonlinear
    assert nl.verdict == "stable"


@pytest.mark.parametrize("name", ["fgan_pearson_ns", "fgan_js_ns"])
@pytest.mark.parametrize("n", DIMS)
def test_non_saturating_fgan_nonlinear(name, n):
    # pearson_ns: p = 1 + u/2, q = 1; js_ns: p = sigmoid(u), q = sigmoid(-u). With V = |phi|^2 + |theta|^2:
    # dV/dt = 2u (q(u) - p(u)) = -u^2 (pearson) or -2u tanh(u/2) (js), <= 0 and zero only where u = 0.
    # n = 1: on {u = 0} the field leaves unless phi = theta = 0 -> asymptotically stable (LaSalle).
    # n >= 2: rotations with phi ⊥ theta, |phi| = |theta| stay in {u = 0} -> stable, not asymptotically.
    nl = analyze(name, dim=n).nonlinear
    assert nl.verdict == ("asymptotically-stable" if n == 1 else "stable")


@pytest.mark.parametrize("divergence,weight", [("kl", sp.exp(-1)), ("reverse_kl", 1), ("hellinger", 1)])
def test_non_saturating_fgan_weighted_energy_certificate(divergence, weight):
    # The certificate, checked on the engine's field: V = |phi|^2 + w |theta|^2 with w = p(0)/q(0) has
    # dV/dt = 2u (w q(u) - p(u)) <= 0: kl: 2u e^-1 (1 - e^u); reverse_kl: 2u (e^-u - 1); hellinger: 2u (e^-u - e^u).
    a = analyze(f"fgan_{divergence}_ns", dim=2)
    inv = a.dynamics.invariant
    dv = 2 * (inv.b + weight * inv.c) * DOT
    for value in np.linspace(-3, 3, 13):
        d = float(dv.subs(DOT, value))
        assert d <= 1e-15
        assert (abs(d) < 1e-15) == (abs(value) < 1e-12)


# ----------------------------------------------------------------------------- lsgan, Mao et al. 2017


@pytest.mark.parametrize("n", DIMS)
def test_lsgan_jacobian_symbolic_labels(n):
    # L_D = (0 - b)^2/2 + (u - a)^2/2, L_G = (u - c)^2/2: phi' = -(u - a) theta, theta' = -(u - c) phi,
    # so J = [[0, a], [c, 0]] (x) I_n; b never enters (D(x_r) = 0).
    a_, b_, c_ = sp.symbols("a b c", real=True)
    a = analyze("lsgan", dim=n, params={"a": a_, "b": b_, "c": c_})
    assert_matrix_close(jacobian_of(a), kron_block(((0, a_), (c_, 0)), n))
    assert b_ not in set().union(*(e.free_symbols for e in a.vector_field))


@pytest.mark.parametrize("n", DIMS)
def test_lsgan_default_labels_nilpotent(n):
    # a = 0, b = c = 1: J = [[0, 0], [1, 0]] (x) I_n, nilpotent: all 2n eigenvalues 0, non-hyperbolic.
    a = analyze("lsgan", dim=n)
    assert_matrix_close(jacobian_of(a), kron_block(((0, 0), (1, 0)), n))
    assert a.eigenvalues == {0: 2 * n}
    assert a.classification == "non-hyperbolic"
    np.testing.assert_allclose(fd_jacobian(a), np.array(kron_block(((0, 0), (1, 0)), n), dtype=float), atol=1e-8)


@pytest.mark.parametrize(
    "labels,classification",
    [({"a": -1, "b": 1, "c": 0}, "non-hyperbolic"), ({"a": -1, "c": 1}, "center"), ({"a": 1, "c": 1}, "unstable")],
)
def test_lsgan_other_labels(labels, classification):
    # [[0, a], [c, 0]] has eigenvalues +-sqrt(a c): a c = 0 zero (Mao's -1, 1, 0 scheme), a c < 0 centre, > 0 saddle.
    assert analyze("lsgan", dim=2, params=labels).classification == classification


# ----------------------------------------------------------------------------- hinge, Lim & Ye 2017


@pytest.mark.parametrize("n", DIMS)
def test_hinge_is_locally_bilinear(n):
    # L_D = max(0, 1 - 0) + max(0, 1 + u), L_G = -u. For |u| < 1: L_D = 2 + u, so phi' = -theta, theta' = phi:
    # J = [[0, -1], [1, 0]] (x) I_n, eigenvalues +-i (n times each), a centre.
    a = analyze("hinge", dim=n)
    assert_matrix_close(jacobian_of(a), kron_block(((0, -1), (1, 0)), n))
    assert a.eigenvalues == {sp.I: n, -sp.I: n}
    assert a.classification == "center"
    np.testing.assert_allclose(fd_jacobian(a), np.array(kron_block(((0, -1), (1, 0)), n), dtype=float), atol=1e-8)


def test_hinge_field_where_the_max_switches():
    # For u < -1 the fake term max(0, 1 + u) is 0, so phi' = 0; for u > -1, phi' = -theta; theta' = phi always.
    a = analyze("hinge", dim=2)
    f = numeric_field(a)
    z = np.array([[1.0, 0.0, -3.0, 0.5], [0.2, 0.1, 0.3, -0.4]])  # u = -3 and u = 0.02
    out = f(z)
    np.testing.assert_allclose(out[0], [0.0, 0.0, 1.0, 0.0], atol=1e-15)
    np.testing.assert_allclose(out[1], [-0.3, 0.4, 0.2, 0.1], atol=1e-15)


# ----------------------------------------------------------------------------- rpgan, Jolicoeur-Martineau 2019


@pytest.mark.parametrize("n", DIMS)
def test_rpgan_jacobian_and_nonlinear(n):
    # L_D = softplus(u - 0), L_G = softplus(0 - u): phi' = -sigmoid(u) theta, theta' = sigmoid(-u) phi,
    # J = [[0, -1/2], [1/2, 0]] (x) I_n. V = |phi|^2 + |theta|^2: dV/dt = 2u (sigmoid(-u) - sigmoid(u)) <= 0,
    # zero only at u = 0: asymptotically stable in n = 1, stable (rotations in {u = 0}) for n >= 2.
    a = analyze("rpgan", dim=n)
    assert_matrix_close(jacobian_of(a), kron_block(((0, -HALF), (HALF, 0)), n))
    assert a.nonlinear.verdict == ("asymptotically-stable" if n == 1 else "stable")


def test_rpgan_field_equals_vanilla_ns_on_the_dirac_gan():
    # D(x_r) = 0, so softplus(D_f - D_r) = softplus(D_f) = -log(1 - sigmoid(D_f)): vanilla's fake term.
    z = np.random.default_rng(3).normal(size=(8, 6))
    fr, fv = numeric_field(analyze("rpgan", dim=3)), numeric_field(analyze("vanilla_ns", dim=3))
    np.testing.assert_allclose(fr(z), fv(z), atol=1e-14)


# ----------------------------------------------------------------------------- registry


def test_new_variants_are_registered_with_sources():
    for name in ["lsgan", "hinge", "rpgan"] + [f"fgan_{d}{s}" for d in DIVERGENCES for s in ("", "_ns")]:
        v = VARIANTS[name]
        assert v.description and v.equations and v.general_form
    assert [p for p in VARIANTS["lsgan"].params] == ["a", "b", "c"]
    assert (VARIANTS["lsgan"].params["a"].default, VARIANTS["lsgan"].params["b"].default) == (0, 1)
