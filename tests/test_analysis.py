"""The symbolic engine against hand-derived results (MATH.md's claims table), at n = 1, 2, 3."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from helpers import kron_block, numeric_jacobian, symbolic_equal

from stability import (
    InvalidParameterError,
    NotAnEquilibriumError,
    UnknownNameError,
    Variant,
    analyze,
    sigmoid,
    symbols,
)

DIMS = (1, 2, 3)
HALF = sp.Rational(1, 2)
I = sp.I


def norm(v):
    return sp.sqrt(sum(x**2 for x in v))


def dot(a, b):
    return sum(x * y for x, y in zip(a, b))


@pytest.mark.parametrize("n", DIMS)
def test_vanilla_ns_field_is_eq7(n):
    a = analyze("vanilla_ns", dim=n)
    phi, theta = symbols(n)
    s = sigmoid(dot(theta, phi))
    expected = [-s * t for t in theta] + [(1 - s) * p for p in phi]  # eq. (7), by hand
    assert all(symbolic_equal(f, e) for f, e in zip(a.vector_field, expected))


@pytest.mark.parametrize("n", DIMS)
def test_vanilla_ns_is_a_centre_with_eigenvalues_pm_i_over_2(n):
    a = analyze("vanilla_ns", dim=n)
    assert a.jacobian == kron_block([[0, -HALF], [HALF, 0]], n)  # eq. (8)
    assert a.eigenvalues == {I / 2: n, -I / 2: n}
    assert a.classification == "center"
    assert "inconclusive" in a.explanation


@pytest.mark.parametrize("name", ["vanilla_ns", "vanilla_sat", "gan_qp"])
def test_jacobian_matches_finite_differences(name):
    # A second, numerical method: central differences near (not at) the origin.
    a = analyze(name, dim=2)
    point = np.array([1e-5, -2e-5, 1.5e-5, 0.5e-5])
    num = numeric_jacobian(a.vector_field, a.state, point)
    exact = np.array(a.jacobian.evalf(), dtype=float)
    assert np.max(np.abs(num - exact)) < 1e-3


@pytest.mark.parametrize("n", DIMS)
def test_vanilla_sat_has_the_same_linearisation(n):
    a = analyze("vanilla_sat", dim=n)
    assert a.jacobian == kron_block([[0, -HALF], [HALF, 0]], n)
    assert a.classification == "center"


@pytest.mark.parametrize("n", DIMS)
def test_wgan_is_not_differentiable(n):
    a = analyze("wgan", dim=n)
    assert a.classification == "non-differentiable"
    assert a.jacobian is None and a.eigenvalues == {}
    assert a.equilibrium is None  # phi/|phi| has no limit at the origin
    assert "no limit at phi = 0" in a.detail


@pytest.mark.parametrize("n", DIMS)
def test_wgan_gp_c0_eigenvalues_symbolic(n):
    lam = sp.Symbol("lam", positive=True)
    a = analyze("wgan_gp", dim=n, params={"lam": lam, "c": 0})
    # eqs. (14)-(16) with c = 0: phi' = -theta - 2 lam phi, theta' = phi.
    assert a.jacobian == kron_block([[-2 * lam, -1], [1, 0]], n)
    root = sp.sqrt(lam**2 - 1)
    assert {sp.expand(k): v for k, v in a.eigenvalues.items()} == {-lam + root: n, -lam - root: n}
    assert a.classification == "stable"
    assert a.conditions["focus"].subs(lam, HALF) is sp.true
    assert a.conditions["focus"].subs(lam, 1) is sp.false
    assert a.conditions["node"].subs(lam, 1) is sp.true
    assert a.conditions["node"].subs(lam, 3) is sp.true


@pytest.mark.parametrize("lam", [0.1, 0.5, 1, 2.5])
def test_wgan_gp_c0_eigenvalues_match_numpy(lam):
    a = analyze("wgan_gp", dim=2, params={"lam": lam, "c": 0})
    m = np.array([[-2 * lam, 0, -1, 0], [0, -2 * lam, 0, -1], [1, 0, 0, 0], [0, 1, 0, 0]])
    expected = np.sort_complex(np.linalg.eigvals(m))
    got = np.sort_complex(np.array([complex(v) for v, k in a.eigenvalues.items() for _ in range(k)]))
    assert np.allclose(got, expected, atol=1e-9)
    assert a.detail == ("focus" if lam < 1 else "node")


@pytest.mark.parametrize("n", DIMS)
def test_wgan_gp_c1_is_not_differentiable(n):
    a = analyze("wgan_gp", dim=n, params={"c": 1})
    assert a.classification == "non-differentiable"
    assert "phi = 0" in a.detail


@pytest.mark.parametrize("n", DIMS)
def test_gan_qp_field_divides_by_norm_theta_and_is_a_centre(n):
    lam = sp.Symbol("lam", positive=True)
    a = analyze("gan_qp", dim=n, params={"lam": lam})
    phi, theta = symbols(n)
    u = dot(theta, phi)
    expected = [-t - u * t / (lam * norm(theta)) for t in theta] + list(phi)  # eq. (19)
    assert all(symbolic_equal(f, e) for f, e in zip(a.vector_field, expected))
    assert a.differentiable and a.equilibrium is True
    assert a.eigenvalues == {I: n, -I: n}
    assert a.classification == "center"


@pytest.mark.parametrize("n", DIMS)
def test_l2_on_the_discriminator_makes_vanilla_stable(n):
    alpha = sp.Symbol("alpha", positive=True)
    a = analyze("vanilla_ns", dim=n, regularizers={"l2": alpha})
    assert a.jacobian == kron_block([[-2 * alpha, -HALF], [HALF, 0]], n)
    assert a.classification == "stable"


def test_l2_left_symbolic_gives_conditions():
    a = analyze("vanilla_ns", regularizers=["l2"])
    alpha = sp.Symbol("alpha", nonnegative=True)
    assert a.classification == "undecided"
    assert a.conditions["stable"].subs(alpha, sp.Rational(1, 10)) is sp.true
    assert a.conditions["center"].subs(alpha, 0) is sp.true


def test_l2_numeric_weight():
    a = analyze("vanilla_ns", regularizers={"l2": 0.1})
    # block [[-1/5, -1/2], [1/2, 0]]: lambda = -1/10 +- sqrt(1/100 - 1/4)
    assert set(a.eigenvalues) == {-sp.Rational(1, 10) + s * sp.sqrt(6) * I / 5 for s in (1, -1)}
    assert a.classification == "stable" and a.detail == "focus"


# -- custom variants -------------------------------------------------------------


def test_custom_bilinear_game_is_a_centre():
    phi, theta = symbols(2)
    u = dot(theta, phi)
    a = analyze(Variant("bilinear", u, -u, phi=phi, theta=theta))
    assert a.jacobian == kron_block([[0, -1], [1, 0]], 2)
    assert a.classification == "center"


def test_custom_variant_with_parameter_unstable_for_negative_weight():
    phi, theta = symbols(1)
    k = sp.Symbol("k", real=True)
    u = phi[0] * theta[0]
    v = Variant("anti", u + k * phi[0] ** 2, -u, phi=phi, theta=theta, params={"k": -1})
    # phi' = -theta - 2 k phi, theta' = phi -> block [[-2k, -1], [1, 0]]; k = -1: trace 2 > 0.
    a = analyze(v)
    assert a.classification == "unstable"
    assert analyze(v, params={"k": 1}).classification == "stable"
    sym = analyze(v, params={"k": k})
    assert sym.classification == "undecided"
    assert sym.conditions["stable"].subs(k, 1) is sp.true


def test_custom_non_rotation_invariant_variant_general_path():
    phi, theta = symbols(2)
    # Only the first coordinate is trained adversarially; the second is damped.
    d_loss = phi[0] * theta[0] + phi[1] ** 2 / 2
    g_loss = -phi[0] * theta[0] + theta[1] ** 2 / 2
    a = analyze(Variant("mixed", d_loss, g_loss, phi=phi, theta=theta))
    expected = sp.Matrix([[0, 0, -1, 0], [0, -1, 0, 0], [1, 0, 0, 0], [0, 0, 0, -1]])
    assert a.jacobian == expected
    assert a.eigenvalues == {I: 1, -I: 1, -1: 2}
    assert a.classification == "non-hyperbolic"


def test_custom_variant_not_an_equilibrium():
    phi, theta = symbols(1)
    with pytest.raises(NotAnEquilibriumError, match="not an equilibrium"):
        analyze(Variant("tilted", phi[0], theta[0] ** 2, phi=phi, theta=theta))


def test_custom_variant_with_abs_is_not_differentiable():
    phi, theta = symbols(1)
    # |phi| in L_D: phi' = -sign(phi), no limit at phi = 0 (and sign(0) = 0 must not fool us).
    a = analyze(Variant("abs", sp.Abs(phi[0]) + phi[0] * theta[0], -phi[0] * theta[0], phi=phi, theta=theta))
    assert a.classification == "non-differentiable"


def test_custom_variant_with_generic_loss_function():
    def d_loss(g):
        return g.critic(g.x_fake) + g.dot(g.phi, g.phi)

    def g_loss(g):
        return -g.critic(g.x_fake)

    a = analyze(Variant("gp0", d_loss, g_loss), dim=5)
    assert a.structure == "rotation-invariant"
    assert a.eigenvalues == {-1: 10}  # block [[-2, -1], [1, 0]]: (lambda + 1)^2 = 0
    assert a.classification == "stable" and a.detail == "node"


# -- results ----------------------------------------------------------------------


def test_result_is_immutable_and_serialisable():
    import json

    a = analyze("wgan_gp", params={"c": 0})
    with pytest.raises(AttributeError):
        a.classification = "x"
    data = json.loads(json.dumps(a.to_dict()))
    assert data["classification"] == "stable" and data["dim"] == 2
    assert "wgan_gp" in repr(a) and "stable" in repr(a)
    assert a._repr_latex_().startswith("$") and "stable" in a._repr_markdown_()


# -- bad input ----------------------------------------------------------------------


def test_unknown_variant_lists_the_valid_ones():
    with pytest.raises(UnknownNameError, match="vanilla_ns, vanilla_sat, wgan, wgan_gp, gan_qp"):
        analyze("vanila")


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"dim": 0}, "dim must be"),
        ({"dim": 2.0}, "dim must be an integer"),
        ({"dim": True}, "dim must be an integer"),
        ({"params": {"lam": -1}}, "lam must be > 0"),
        ({"params": {"lam": float("nan")}}, "finite"),
        ({"params": {"lam": "0.1"}}, "number or a SymPy expression"),
        ({"params": [("lam", 1)]}, "params must be a mapping"),
        ({"regularizers": {"l3": 1}}, "unknown regularizer 'l3'; valid: l2"),
        ({"regularizers": {"l2": -1}}, "alpha must be >= 0"),
    ],
)
def test_bad_input_gets_a_clear_error(kwargs, match):
    with pytest.raises((InvalidParameterError, UnknownNameError), match=match):
        analyze("wgan_gp", **kwargs)


def test_unknown_parameter_lists_the_valid_ones():
    with pytest.raises(UnknownNameError, match="valid: lam, c"):
        analyze("wgan_gp", params={"lamb": 1})


def test_variant_must_be_name_or_variant():
    with pytest.raises(InvalidParameterError, match="got int 3"):
        analyze(3)


def test_custom_variant_with_undeclared_symbol():
    phi, theta = symbols(1)
    z = sp.Symbol("z")
    with pytest.raises(InvalidParameterError, match="declare it in params"):
        Variant("bad", z * phi[0], theta[0], phi=phi, theta=theta)


def test_a_user_symbol_is_kept_and_must_prove_the_domain():
    # Issue 14: the user's symbol is the symbol in the result (so subs() on the result works), and a domain
    # it cannot prove is refused like the equivalent number (never silently replaced by a positive copy).
    a_sym = sp.Symbol("a", positive=True)
    a = analyze("wgan_gp", params={"lam": a_sym, "c": 0})
    assert a.jacobian.free_symbols == {a_sym}
    assert a.conditions["focus"].subs(a_sym, sp.Rational(1, 2)) is sp.true  # 0 < a < 1 at a = 1/2
    with pytest.raises(InvalidParameterError, match="which the symbol a does not imply"):
        analyze("wgan_gp", params={"lam": sp.Symbol("a"), "c": 0})
    x = sp.Symbol("x", positive=True)
    with pytest.raises(InvalidParameterError, match="lam must be > 0; got -x"):
        analyze("wgan_gp", params={"lam": -x})
    with pytest.raises(InvalidParameterError, match="alpha must be >= 0"):
        analyze("vanilla_ns", regularizers={"l2": sp.Symbol("a", negative=True)})
    with pytest.raises(InvalidParameterError, match="alpha must be >= 0, which cannot be proved"):
        analyze("vanilla_ns", regularizers={"l2": sp.Symbol("a", real=True) - 1})


@pytest.mark.parametrize(
    "d_loss, match",
    [
        (lambda g: g.phi + 1, "loss functions of variant 'v' failed: TypeError"),
        (lambda g: "phi", "must be a SymPy expression; got str"),
        (lambda g: g.phi, "must be a SymPy expression; got InvVec"),
        (lambda g: sp.I * g.critic(g.x_fake), "must be real"),
        (lambda g: sp.nan * g.critic(g.x_fake), "must be finite"),
    ],
)
def test_bad_loss_functions_get_a_clear_error(d_loss, match):
    with pytest.raises(InvalidParameterError, match=match):
        analyze(Variant("v", d_loss, lambda g: -g.critic(g.x_fake)))


def test_non_invariant_variants_are_limited_in_dimension():
    with pytest.raises(InvalidParameterError, match="dim must be at most 64"):
        analyze(Variant("v", lambda g: g.phi[0], lambda g: -g.critic(g.x_fake)), dim=65)
