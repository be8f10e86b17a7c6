"""The literature's regularisers (LITERATURE.md) on the Dirac GAN, checked against the papers' statements.

Expected Jacobians are derived by hand in the comments (state order phi, theta; each player
minimises its own loss; vanilla GAN: L_D = softplus(-D(x_r)) + softplus(D(x_f)), so with
D(x_r) = 0, D(x_f) = u = theta.phi the unregularised J is [[0, -1/2], [1/2, 0]] (x) I_n).
Numeric checks use routes independent of the engine: finite differences of the numeric field,
SciPy quadrature of the defining expectations, and a high-order tensor Gauss-Hermite rule.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp
from helpers import kron_block
from scipy.integrate import quad

from stability import Variant, analyze
from stability.errors import InvalidParameterError, UnknownNameError
from stability.model.regularizers import REGULARIZERS
from stability.model.regularizers.instance_noise import gaussian_mean
from stability.numerics.field import numeric_field

DIMS = (1, 2, 3)
HALF = sp.Rational(1, 2)
VANILLA = ("vanilla_ns", "vanilla_sat")
G = sp.Symbol("g", positive=True)


def assert_matrix_equal(actual, expected):
    assert (sp.Matrix(actual) - sp.Matrix(expected)).applyfunc(sp.simplify).is_zero_matrix


def fd_jacobian(a, point=None, h=1e-6) -> np.ndarray:
    """Central finite differences of the library's numeric field (by default at the origin)."""
    f = numeric_field(a)
    n2 = 2 * a.dim
    z0 = np.zeros(n2) if point is None else np.asarray(point, dtype=float)
    cols = []
    for j in range(n2):
        e = np.zeros(n2)
        e[j] = h
        cols.append((f((z0 + e)[None]) - f((z0 - e)[None]))[0] / (2 * h))
    return np.array(cols).T


def same_eigenvalues(actual: dict, expected: list, n: int) -> bool:
    remaining = {sp.nsimplify(k): m for k, m in actual.items()}
    for lam in expected:
        match = [k for k in remaining if sp.simplify(k - lam) == 0]
        if len(match) != 1 or remaining[match[0]] != n:
            return False
        del remaining[match[0]]
    return not remaining


def softplus(x):
    return np.logaddexp(0.0, x)


def sigm(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


# ----------------------------------------------------------------------------- R1 / R2, Mescheder et al. 2018


def mescheder_to_ours(j_theirs: sp.Matrix) -> sp.Matrix:
    # Mescheder et al. 2018 write the Dirac GAN as L(theta, psi) = f(psi theta) + f(0), f(t) = -log(1 + e^-t),
    # with state (theta, psi) and the discriminator *maximising*; f(psi theta) = log(1 - sigmoid(u)) needs
    # psi = -phi. So x_theirs = P x_ours with P = [[0, 1], [-1, 0]] and J_ours = P^-1 J_theirs P.
    p = sp.Matrix([[0, 1], [-1, 0]])
    return p.inv() * j_theirs * p


@pytest.mark.parametrize("key", ["r1", "r2"])
@pytest.mark.parametrize("name", VANILLA)
@pytest.mark.parametrize("n", DIMS)
def test_r1_r2_jacobian_matches_mescheder(key, name, n):
    # Their Jacobian with R1 (= R2 on the Dirac GAN), f'(0) = 1/2: [[0, -f'(0)], [f'(0), -gamma]].
    # By hand here: L_D + gamma/2 |phi|^2 gives phi' = -sigmoid(u) theta - gamma phi: J = [[-gamma, -1/2], [1/2, 0]].
    fp = HALF
    ours = mescheder_to_ours(sp.Matrix([[0, -fp], [fp, -G]]))
    assert ours == sp.Matrix([[-G, -HALF], [HALF, 0]])
    a = analyze(name, dim=n, regularizers={key: G})
    assert_matrix_equal(a.jacobian, kron_block(ours.tolist(), n))
    # Eigenvalues -gamma/2 +- sqrt(gamma^2/4 - f'(0)^2) (their Theorem 4.1), each n times.
    disc = sp.sqrt(G**2 / 4 - fp**2)
    assert same_eigenvalues(a.eigenvalues, [-G / 2 + disc, -G / 2 - disc], n)
    assert a.classification == "stable"
    # Focus while gamma < 2 f'(0) = 1, node from gamma = 1 on (the condition sets: test_r1_critical_weight_condition).
    assert analyze(name, dim=n, regularizers={key: 0.5}).detail == "focus"
    assert analyze(name, dim=n, regularizers={key: 1}).detail == "node"
    assert analyze(name, dim=n, regularizers={key: 3}).detail == "node"


@pytest.mark.parametrize("n", DIMS)
def test_r1_critical_weight_condition(n):
    # The focus/node boundary is gamma = 1: check the condition set at values on both sides.
    cond = analyze("vanilla_ns", dim=n, regularizers={"r1": G}).conditions
    assert bool(cond["focus"].subs(G, sp.Rational(99, 100))) and not bool(cond["focus"].subs(G, sp.Rational(101, 100)))
    assert bool(cond["node"].subs(G, sp.Rational(101, 100))) and not bool(cond["node"].subs(G, sp.Rational(99, 100)))


@pytest.mark.parametrize("n", DIMS)
def test_r1_r2_l2_coincide_on_dirac_gan(n):
    # grad_x D = phi at every x, so R1 = R2 = gamma/2 |phi|^2 = L2 with alpha = gamma/2.
    fields = [analyze("vanilla_ns", dim=n, regularizers=r).vector_field for r in ({"r1": 2}, {"r2": 2}, {"l2": 1})]
    assert fields[0] == fields[1]
    assert (fields[0] - fields[2]).applyfunc(sp.simplify).is_zero_matrix


@pytest.mark.parametrize("n", DIMS)
def test_r1_jacobian_finite_differences(n):
    a = analyze("vanilla_ns", dim=n, regularizers={"r1": 0.7})
    np.testing.assert_allclose(fd_jacobian(a), np.array(a.jacobian, dtype=float), atol=1e-8)


@pytest.mark.parametrize("name", ["wgan", "wgan_gp"])
@pytest.mark.parametrize("n", DIMS)
def test_wgan_and_wgan_gp_not_convergent(name, n):
    # Mescheder et al. 2018, sec. 3.2: WGAN and WGAN-GP do not converge on the Dirac GAN. Their fields have
    # phi/|phi| terms (weight normalisation; the penalty's gradient 2 lam (|phi| - 1) phi/|phi|): no Jacobian.
    a = analyze(name, dim=n)
    assert a.classification == "non-differentiable"
    assert a.nonlinear.verdict != "asymptotically-stable"


# ----------------------------------------------------------------------------- instance noise, Mescheder et al. 2018


@pytest.mark.parametrize("name", VANILLA)
@pytest.mark.parametrize("n", DIMS)
def test_instance_noise_eigenvalues_match_mescheder(name, n):
    # With noise of std sigma their Jacobian is [[0, -f'(0)], [f'(0), 2 f''(0) sigma^2]], f''(0) = -1/4, and the
    # eigenvalues are f''(0) sigma^2 +- sqrt(f''(0)^2 sigma^4 - f'(0)^2) (their sec. 3.3).
    # By hand: D(x_r) ~ N(0, v), D(x_f) ~ N(u, v), v = sigma^2 |phi|^2; softplus''(0) = 1/4, so to second order
    # E[softplus(-D_r)] + E[softplus(D_f)] = 2 log 2 + u/2 + (v + u^2 + v)/8: phi' = -theta/2 - sigma^2 phi/2.
    s = sp.Symbol("sigma", positive=True)
    fp, fpp = HALF, -sp.Rational(1, 4)
    ours = mescheder_to_ours(sp.Matrix([[0, -fp], [fp, 2 * fpp * s**2]]))
    assert ours == sp.Matrix([[-(s**2) / 2, -HALF], [HALF, 0]])
    a = analyze(name, dim=n, regularizers={"instance_noise": s})
    assert_matrix_equal(a.jacobian, kron_block(ours.tolist(), n))
    disc = sp.sqrt(fpp**2 * s**4 - fp**2)
    assert same_eigenvalues(a.eigenvalues, [fpp * s**2 + disc, fpp * s**2 - disc], n)
    assert a.classification == "stable"
    # Focus <-> node where f''(0)^2 sigma^4 = f'(0)^2: sigma = sqrt(2).
    assert analyze(name, dim=n, regularizers={"instance_noise": 1.4}).detail == "focus"
    assert analyze(name, dim=n, regularizers={"instance_noise": 1.5}).detail == "node"


def noisy_mean(fn, mean, sd, kinks=()):
    """E[fn(w)], w ~ N(mean, sd^2), by adaptive quadrature split at the kinks of fn (sd = 0: fn(mean))."""
    if sd == 0:
        return fn(mean)
    points = [(k - mean) / sd for k in kinks if abs(k - mean) < 14 * sd] or None
    val, _ = quad(
        lambda t: fn(mean + sd * t) * math.exp(-t * t / 2),
        -14,
        14,
        points=points,
        epsabs=1e-14,
        epsrel=1e-13,
        limit=200,
    )
    return val / math.sqrt(2 * math.pi)


def vanilla_ns_losses(phi, theta, s):
    # x.phi ~ N(mean.phi, s^2 |phi|^2) for x ~ N(mean, s^2 I).
    sd, u = s * np.linalg.norm(phi), float(theta @ phi)
    d = noisy_mean(lambda w: softplus(-w), 0.0, sd) + noisy_mean(softplus, u, sd)
    return d, noisy_mean(lambda w: softplus(-w), u, sd)


def hinge_losses(phi, theta, s):
    sd, u = s * np.linalg.norm(phi), float(theta @ phi)
    d = noisy_mean(lambda w: max(0.0, 1 - w), 0.0, sd, [1]) + noisy_mean(lambda w: max(0.0, 1 + w), u, sd, [-1])
    return d, -u


def rpgan_losses(phi, theta, s):
    # Two independent samples, integrated on a fine 2-D trapezoidal grid (not reduced to one variable; the
    # trapezoidal rule converges geometrically for Gaussian-weighted analytic integrands).
    h = 0.04
    x = h * np.arange(-250, 251)
    w = h * np.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    t_r, t_f = np.meshgrid(x, x)
    weights = np.outer(w, w)
    sd, u = s * np.linalg.norm(phi), float(theta @ phi)
    d_r, d_f = sd * t_r, u + sd * t_f
    return float(np.sum(weights * softplus(d_f - d_r))), float(np.sum(weights * softplus(d_r - d_f)))


def field_from_losses(losses, z, n, s, h=1e-5):
    """phi' = -grad_phi L_D, theta' = -grad_theta L_G by central differences of numerically integrated losses."""
    out = np.zeros(2 * n)
    for j in range(2 * n):
        e = np.zeros(2 * n)
        e[j] = h
        zp, zm = z + e, z - e
        lp, lm = losses(zp[:n], zp[n:], s), losses(zm[:n], zm[n:], s)
        out[j] = -((lp[0] - lm[0]) if j < n else (lp[1] - lm[1])) / (2 * h)
    return out


@pytest.mark.parametrize(
    "name,losses,tol",
    [("vanilla_ns", vanilla_ns_losses, 1e-8), ("hinge", hinge_losses, 1e-8), ("rpgan", rpgan_losses, 1e-8)],
)
@pytest.mark.parametrize("n", DIMS)
def test_instance_noise_numeric_field_matches_quadrature(name, losses, tol, n):
    s = 0.9
    a = analyze(name, dim=n, regularizers={"instance_noise": s})
    f = numeric_field(a)
    rng = np.random.default_rng(10 + n)
    far = rng.normal(size=2 * n)
    far *= 5.0 / np.linalg.norm(far[:n])  # sigma |phi| = 4.5: the quadrature far from the equilibrium
    for z in np.vstack([rng.normal(size=(3, 2 * n)) * 0.9, far]):
        np.testing.assert_allclose(f(z[None])[0], field_from_losses(losses, z, n, s), atol=tol)


@pytest.mark.parametrize("n", DIMS)
def test_instance_noise_on_polynomial_losses_is_exact(n):
    # lsgan: E[(D_r - b)^2] = b^2 + v, E[(D_f - a)^2] = (u - a)^2 + v, v = sigma^2 |phi|^2, so
    # L_D = (b^2 + (u - a)^2)/2 + v and L_G = ((u - c)^2 + v)/2: phi' = -(u - a) theta - 2 sigma^2 phi,
    # theta' = -(u - c) phi. Defaults a = 0, c = 1.
    s = sp.Symbol("sigma", positive=True)
    a = analyze("lsgan", dim=n, regularizers={"instance_noise": s})
    phi, theta = sp.Matrix(a.state[:n]), sp.Matrix(a.state[n:])
    u = (theta.T * phi)[0]
    expected = list(-u * theta - 2 * s**2 * phi) + list(-(u - 1) * phi)
    assert (a.vector_field - sp.Matrix(expected)).applyfunc(sp.expand).is_zero_matrix
    # WGAN-GP's losses are linear in D(x): the noise averages out and the field is unchanged.
    plain, noisy = analyze("wgan_gp", dim=n), analyze("wgan_gp", dim=n, regularizers={"instance_noise": s})
    assert (plain.vector_field - noisy.vector_field).applyfunc(sp.simplify).is_zero_matrix


@pytest.mark.parametrize("n", DIMS)
def test_instance_noise_leaves_hinge_bilinear(n):
    # E[max(0, 1 + Y)] - (1 + u) for Y ~ N(u, v) is O(exp(-1/(2v))): every derivative at v = 0 vanishes, so the
    # Jacobian stays [[0, -1], [1, 0]] (x) I_n.
    a = analyze("hinge", dim=n, regularizers={"instance_noise": 2})
    assert_matrix_equal(a.jacobian, kron_block(((0, -1), (1, 0)), n))


def test_gaussian_mean_derivatives_are_exact():
    # E[log(1 + w^2)], w ~ N(m, v): d/dm = E[2w/(1 + w^2)], d/dv = E[f''(w)]/2 (heat equation); compare with
    # central differences of the quadrature value at (m, v) = (0.3, 0.5).
    w, m, v = sp.symbols("w m v", real=True)
    e = gaussian_mean(sp.log(1 + w**2), w, m, v)

    def value(mm, vv):
        return noisy_mean(lambda t: math.log(1 + t * t), mm, math.sqrt(vv))

    h = 1e-4
    dm = (value(0.3 + h, 0.5) - value(0.3 - h, 0.5)) / (2 * h)
    dv = (value(0.3, 0.5 + h) - value(0.3, 0.5 - h)) / (2 * h)
    f = sp.lambdify((m, v), [e, sp.diff(e, m), sp.diff(e, v)], modules="numpy")
    got = f(0.3, 0.5)
    assert float(got[0]) == pytest.approx(value(0.3, 0.5), abs=1e-12)
    assert float(got[1]) == pytest.approx(dm, abs=1e-7)
    assert float(got[2]) == pytest.approx(dv, abs=1e-7)


def test_instance_noise_refusals():
    with pytest.raises(InvalidParameterError, match=r"only through the critic D\(x\) = x.phi.*\|x_f - x_r\|"):
        analyze("gan_qp", regularizers={"instance_noise": 1})
    for bad in (0, -1, -0.5):
        with pytest.raises(InvalidParameterError, match="sigma must be > 0"):
            analyze("vanilla_ns", regularizers={"instance_noise": bad})
    peek = Variant("peek", d_loss=lambda g: g.dot(g.x_fake, g.theta), g_loss=lambda g: -g.critic(g.x_fake))
    with pytest.raises(InvalidParameterError, match="other than phi"):
        analyze(peek, dim=2, regularizers={"instance_noise": 1})


# ----------------------------------------------------------------------------- gen_gp, Nagarajan & Kolter 2017


@pytest.mark.parametrize("name", VANILLA)
@pytest.mark.parametrize("n", DIMS)
def test_gen_gp_makes_dirac_gan_locally_asymptotically_stable(name, n):
    # grad_phi L_D = sigmoid(u) theta, so L_G gets eta sigmoid(u)^2 |theta|^2, whose theta-gradient is
    # 2 eta sigmoid(u) sigmoid'(u) |theta|^2 phi + 2 eta sigmoid(u)^2 theta -> linear part eta/2 theta.
    # J = [[0, -1/2], [1/2, -eta/2]], eigenvalues -eta/4 +- sqrt(eta^2 - 4)/4: Re < 0 for every eta > 0
    # (Nagarajan & Kolter's theorem: locally asymptotically stable).
    a = analyze(name, dim=n, regularizers={"gen_gp": G})
    assert_matrix_equal(a.jacobian, kron_block(((0, -HALF), (HALF, -G / 2)), n))
    assert same_eigenvalues(a.eigenvalues, [-G / 4 + sp.sqrt(G**2 - 4) / 4, -G / 4 - sp.sqrt(G**2 - 4) / 4], n)
    assert a.classification == "stable"
    assert analyze(name, dim=n, regularizers={"gen_gp": 0.3}).nonlinear.verdict == "asymptotically-stable"
    b = analyze(name, dim=n, regularizers={"gen_gp": 0.3})
    np.testing.assert_allclose(fd_jacobian(b), np.array(b.jacobian, dtype=float), atol=1e-8)


def test_gen_gp_uses_the_regularised_discriminator_loss_in_order():
    # r1 listed first: grad_phi L_D = sigmoid(u) theta + gamma phi, so L_G gains
    # eta (sigmoid(u)^2 |theta|^2 + 2 gamma sigmoid(u) u + gamma^2 |phi|^2), whose theta-gradient has the linear part
    # eta (theta/2 + gamma phi). With gamma = eta = 1: theta' = (1/2 - 1) phi - theta/2, phi' = -phi - theta/2.
    a = analyze("vanilla_ns", dim=2, regularizers={"r1": 1, "gen_gp": 1})
    assert_matrix_equal(a.block, sp.Matrix([[-1, -HALF], [HALF - 1, -HALF]]))


# ----------------------------------------------------------------------------- DRAGAN, Kodali et al. 2017


def linear_critic_wgan():
    return Variant(
        "linear_wgan",
        d_loss=lambda g: g.critic(g.x_fake) - g.critic(g.x_real),
        g_loss=lambda g: -g.critic(g.x_fake),
    )


@pytest.mark.parametrize("n", DIMS)
def test_dragan_is_wgan_gp_with_c_1(n):
    # grad_x D = phi everywhere, so lam E[(|grad_x D| - 1)^2] = lam (|phi| - 1)^2: WGAN-GP's penalty with c = 1.
    lam = sp.Symbol("lam", positive=True)
    dragan = analyze(linear_critic_wgan(), dim=n, regularizers={"dragan": lam})
    wgan_gp = analyze("wgan_gp", dim=n, params={"lam": lam, "c": 1})
    assert (dragan.vector_field - wgan_gp.vector_field).applyfunc(sp.simplify).is_zero_matrix
    # phi' contains 2 lam phi/|phi|, which has no limit at phi = 0: no Jacobian.
    assert dragan.classification == "non-differentiable"
    assert analyze("vanilla_ns", dim=n, regularizers={"dragan": 1}).classification == "non-differentiable"


# ----------------------------------------------------------------------------- consensus, Mescheder et al. 2017


@pytest.mark.parametrize("n", DIMS)
def test_consensus_linearisation_is_j_minus_gamma_jtj(n):
    # Mescheder, Nowozin & Geiger 2017: v - gamma grad(|v|^2/2) has Jacobian A - gamma A^T A at a stationary point.
    # Vanilla: A = [[0, -1/2], [1/2, 0]], A^T A = I/4: [[-gamma/4, -1/2], [1/2, -gamma/4]], eigenvalues -gamma/4 +- i/2.
    a = analyze("vanilla_ns", dim=n, regularizers={"consensus": G})
    assert_matrix_equal(a.jacobian, kron_block(((-G / 4, -HALF), (HALF, -G / 4)), n))
    assert same_eigenvalues(a.eigenvalues, [-G / 4 + sp.I / 2, -G / 4 - sp.I / 2], n)
    assert a.classification == "stable"
    # A non-normal A: lsgan's [[0, 0], [1, 0]] has A^T A = [[1, 0], [0, 0]]: [[-gamma, 0], [1, 0]].
    b = analyze("lsgan", dim=n, regularizers={"consensus": G})
    assert_matrix_equal(b.jacobian, kron_block(((-G, 0), (1, 0)), n))


@pytest.mark.parametrize("name", ["fgan_hellinger_ns", "vanilla_ns", "hinge"])
@pytest.mark.parametrize("n", DIMS)
def test_consensus_field_matches_finite_difference_construction(name, n):
    # F_c(z) = F(z) - gamma J(z)^T F(z), with J(z) by central differences of the unregularised numeric field.
    gamma = 0.7
    plain = analyze(name, dim=n, regularizers={"r1": 0.3})
    cons = analyze(name, dim=n, regularizers={"r1": 0.3, "consensus": gamma})
    f, fc = numeric_field(plain), numeric_field(cons)
    for z in np.random.default_rng(5).normal(size=(3, 2 * n)) * 0.6:
        jac = fd_jacobian(plain, point=z, h=1e-6)
        expected = f(z[None])[0] - gamma * jac.T @ f(z[None])[0]
        np.testing.assert_allclose(fc(z[None])[0], expected, atol=1e-7)


def test_regularisers_compose():
    # r1 (gamma_1), instance noise (sigma) and consensus (gamma_c) on vanilla_ns: the loss terms give
    # A = [[-gamma_1 - sigma^2/2, -1/2], [1/2, 0]], then consensus A - gamma_c A^T A.
    g1, s, gc = sp.Rational(1, 3), sp.Rational(1, 2), sp.Rational(2, 5)
    base = sp.Matrix([[-g1 - s**2 / 2, -HALF], [HALF, 0]])
    expected = base - gc * base.T * base
    for n in DIMS:
        a = analyze("vanilla_ns", dim=n, regularizers={"r1": g1, "instance_noise": s, "consensus": gc})
        assert_matrix_equal(a.jacobian, kron_block(expected.tolist(), n))
        np.testing.assert_allclose(fd_jacobian(a), np.array(a.jacobian, dtype=float), atol=1e-7)


# ----------------------------------------------------------------------------- discrete time (simgd)


@pytest.mark.parametrize(
    "regs,radius",
    [
        # simgd: M = I + h J; rho = max |1 + h lambda| with h = 1/5.
        ({"r1": 1}, sp.Rational(9, 10)),  # lambda = -1/2 (double): 1 - 1/10
        ({"instance_noise": 1}, sp.sqrt(91) / 10),  # lambda = -1/4 +- i sqrt(3)/4: (19/20)^2 + 3/400 = 91/100
        ({"gen_gp": 1}, sp.sqrt(91) / 10),  # lambda = -1/4 +- i sqrt(3)/4
        ({"consensus": 1}, sp.sqrt(365) / 20),  # lambda = -1/4 +- i/2: (19/20)^2 + 1/100 = 365/400
    ],
)
@pytest.mark.parametrize("n", DIMS)
def test_regularised_simgd_spectral_radius(regs, radius, n):
    a = analyze("vanilla_ns", dim=n, regularizers=regs, optimizer="simgd", lr=sp.Rational(1, 5))
    assert sp.simplify(a.spectral_radius - radius) == 0
    assert a.classification == "stable"


# ----------------------------------------------------------------------------- input checking and registry


@pytest.mark.parametrize("key", ["r1", "r2", "gen_gp", "dragan", "consensus"])
def test_negative_weights_refused(key):
    with pytest.raises(InvalidParameterError, match=">= 0"):
        analyze("vanilla_ns", regularizers={key: -0.1})
    assert analyze("vanilla_ns", regularizers={key: 0}).regularizers[key] == 0


def test_unknown_regulariser_lists_the_valid_ones():
    with pytest.raises(UnknownNameError, match="r1, r2, gen_gp, dragan, consensus, instance_noise"):
        analyze("vanilla_ns", regularizers={"r3": 1})


def test_registry_kinds_and_sources():
    kinds = {k: REGULARIZERS[k].kind for k in ("r1", "r2", "gen_gp", "dragan", "consensus", "instance_noise")}
    assert kinds == {
        "r1": "loss-term",
        "r2": "loss-term",
        "gen_gp": "loss-term",
        "dragan": "loss-term",
        "consensus": "field-transform",
        "instance_noise": "data-model",
    }
    assert all(REGULARIZERS[k].source for k in kinds)
    names = [REGULARIZERS[k].weight.name for k in REGULARIZERS]
    assert len(set(names)) == len(names)  # symbolic weights never collide
