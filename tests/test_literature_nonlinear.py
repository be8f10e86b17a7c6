"""Nonlinear verdicts of the literature's variants (issue 11, item 3), against hand derivations and SciPy.

Notation: u = theta.phi, r = |phi|, s = |theta|. A rotation-invariant field phi' = a phi + b theta,
theta' = c phi + d theta has (d/dt) r^2 = 2(a r^2 + b u), (d/dt) s^2 = 2(c u + d s^2),
u' = (a + d) u + c r^2 + b s^2, and for the squared area A = r^2 s^2 - u^2, A' = 2(a + d) A.

f-GANs (Nowozin et al. 2016): T(x) = g(D(x)), D(x) = x.phi, D(x_r) = 0, D(x_f) = u;
L_D = -(g(0) - f*(g(u))). Minimax L_G = -L_D; non-saturating L_G = -g(u). So
    phi' = -dL_D/dphi = -p(u) theta,  p(u) = f*'(g(u)) g'(u),
    theta' = -dL_G/dtheta = q(u) phi,  q = p (minimax) or q = g' (non-saturating).
Table 2 of the paper, by hand:
    KL:          g = v,               f*(t) = e^(t-1):       p = e^(u-1),   g' = 1
    reverse KL:  g = -e^(-v),          f*(t) = -1 - log(-t):  p = e^u e^-u = 1, g' = e^(-u)
    Hellinger:   g = 1 - e^(-v),       f*(t) = t/(1-t):       p = e^(2u) e^(-u) = e^u, g' = e^(-u)
    Pearson:     g = v,               f*(t) = t^2/4 + t:     p = u/2 + 1
    JS:          g = log 2 + log sigma(v), f*(t) = -log(2 - e^t): e^g = 2 sigma,
                 p = sigma/(1 - sigma) * (1 - sigma) = sigma(u)
"""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from helpers import TIGHT, symbolic_equal
from scipy.integrate import solve_ivp

import stability.theory.nonlinear as nonlinear_module
from stability import analyze, sigmoid
from stability.model.space import DOT, NORM_PHI, NORM_THETA
from stability.theory.lyapunov import PHI1, THETA1, invariant_system, localized
from stability.verdicts import Method, NonlinearStability

r, s, u = NORM_PHI, NORM_THETA, DOT
E = sp.E
DIMS = [1, 2, 3]

# p(u), q(u) of the non-saturating f-GANs (module docstring), as SymPy and as NumPy.
NS = {
    "fgan_kl_ns": (sp.exp(u - 1), sp.S.One, lambda x: np.exp(x - 1), lambda x: 1.0),
    "fgan_reverse_kl_ns": (sp.S.One, sp.exp(-u), lambda x: 1.0, lambda x: np.exp(-x)),
    "fgan_hellinger_ns": (sp.exp(u), sp.exp(-u), np.exp, lambda x: np.exp(-x)),
}


def _field(p, q):
    """phi' = -p(u) theta, theta' = q(u) phi, written out in NumPy for SciPy."""

    def f(t, z):
        n = len(z) // 2
        phi, theta = z[:n], z[n:]
        w = phi @ theta
        return np.concatenate([-p(w) * theta, q(w) * phi])

    return f


# --------------------------------------------------------------------------- non-saturating f-GANs
@pytest.mark.parametrize("name", list(NS))
@pytest.mark.parametrize("n", DIMS)
def test_non_saturating_fgans_are_decided_by_the_weighted_energy(name, n):
    # V = r^2 + w s^2 with w = p(0)/q(0) (the linear cross terms cancel): dV/dt = 2u(-p(u) + w q(u)):
    #   KL: w = e^-1, dV/dt = 2 e^-1 u (1 - e^u);  reverse KL: w = 1, 2u(e^-u - 1);  Hellinger: w = 1, -4u sinh u.
    # Each is u * (g(0) - g(u)) with g increasing: <= 0, zero iff u = 0. There u' = q(0) r^2 - p(0) s^2, so an
    # invariant set needs s^2 = r^2 q(0)/p(0); in dim 1 u = +-rs = 0 forces the origin (asymptotically stable, and
    # dV/dt ~ -c u^2 is quartic: V' ~ -V^2, |z| ~ t^(-1/2)); for n >= 2 the rotations u = 0, s = r sqrt(q0/p0)
    # at frequency sqrt(p0 q0) are a family: stable, not asymptotically.
    p, q = NS[name][:2]
    p0, q0 = p.subs(u, 0), q.subs(u, 0)
    w = p0 / q0
    nl = analyze(name, dim=n).nonlinear
    assert symbolic_equal(nl.V, r**2 + w * s**2)
    assert symbolic_equal(nl.dV, 2 * u * (-p + w * q))
    assert nl.zeros == ((u,),)
    assert any(step.rule == "monotone function" for step in nl.sign.steps)
    assert nl.by_dim == {"n = 1": "asymptotically-stable", "n >= 2": "stable"}
    if n == 1:
        assert nl.verdict == NonlinearStability.ASYMPTOTICALLY_STABLE and nl.method == Method.LASALLE
        assert nl.convergence == "sub-exponential" and nl.decay_exponent == sp.Rational(1, 2)
        assert nl.invariant.only_origin
    else:
        assert nl.verdict == NonlinearStability.STABLE and nl.lyapunov_stable is True
        (orbit,) = nl.orbits
        assert orbit.kind == "family" and orbit.conditions[u] == 0
        assert symbolic_equal(orbit.conditions[s], r * sp.sqrt(q0 / p0))
        assert symbolic_equal(orbit.frequency, sp.sqrt(p0 * q0))


def test_hellinger_ns_energy_derivative_is_minus_four_u_sinh_u():
    # By hand: 2u(e^-u - e^u) = -4u sinh u.
    nl = analyze("fgan_hellinger_ns", dim=1).nonlinear
    assert symbolic_equal(nl.dV.rewrite(sp.exp), (-4 * u * sp.sinh(u)).rewrite(sp.exp))


def test_kl_ns_dim1_decays_like_one_over_root_t_scipy():
    # V ~ C/t (|z| ~ t^(-1/2)): V(4T)/V(T) -> 1/4, where exponential decay would give ~0.
    p, q = NS["fgan_kl_ns"][2:]
    sol = solve_ivp(_field(p, q), (0, 4000), [0.5, 0.3], dense_output=True, **TIGHT)

    def v(t):
        phi, theta = sol.sol(t)
        return phi**2 + np.exp(-1) * theta**2

    ratio = v(4000) / v(1000)
    assert abs(ratio - 0.25) < 0.02
    ts = np.linspace(0, 4000, 400)
    vs = np.array([v(t) for t in ts])
    assert np.all(np.diff(vs) <= 1e-12)  # the weighted energy never increases


@pytest.mark.parametrize("name", list(NS))
def test_non_saturating_fgans_dim2_settle_on_a_rotation_scipy(name):
    p, q = NS[name][2:]
    p0, q0 = float(p(0.0)), float(q(0.0))
    sol = solve_ivp(_field(p, q), (0, 300), [0.6, 0.1, 0.2, 0.5], dense_output=True, **TIGHT)
    phi, theta = sol.y[:2, -1], sol.y[2:, -1]
    assert abs(phi @ theta) < 1e-4
    assert abs(np.linalg.norm(theta) / np.linalg.norm(phi) - np.sqrt(q0 / p0)) < 1e-3
    t = np.linspace(280, 300, 800)
    z = sol.sol(t)
    angle = np.unwrap(np.arctan2(z[1], z[0]))
    assert abs(abs(np.polyfit(t, angle, 1)[0]) - np.sqrt(p0 * q0)) < 1e-3


# --------------------------------------------------------------------------- minimax f-GANs
MINIMAX = {
    "fgan_kl": sp.exp(u - 1),
    "fgan_reverse_kl": sp.S.One,
    "fgan_pearson": u / 2 + 1,
    "fgan_hellinger": sp.exp(u),
    "fgan_js": sigmoid(u),
}


@pytest.mark.parametrize("name", list(MINIMAX))
@pytest.mark.parametrize("n", DIMS)
def test_minimax_fgans_conserve_the_energy(name, n):
    # q = p: dV/dt = 2u(-p + q) = 0 for V = r^2 + s^2, in every dimension.
    a = analyze(name, dim=n)
    p = MINIMAX[name]
    f = invariant_system(a).field
    assert symbolic_equal(f.b, -p) and symbolic_equal(f.c, p)
    nl = a.nonlinear
    assert (nl.verdict, nl.method, nl.dV) == ("stable", "conserved", 0)
    assert nl.V == r**2 + s**2 and r**2 + s**2 in nl.conserved
    assert nl.by_dim == {"n = 1": "stable", "n >= 2": "stable"}


def test_minimax_pearson_energy_is_conserved_numerically():
    # phi' = -(u/2 + 1) theta, theta' = (u/2 + 1) phi: |phi|^2 + |theta|^2 constant (SciPy, tight tolerance).
    f = _field(lambda x: x / 2 + 1, lambda x: x / 2 + 1)
    sol = solve_ivp(f, (0, 50), [0.4, -0.3, 0.2, 0.5], **TIGHT)
    energy = np.sum(sol.y**2, axis=0)
    assert np.max(np.abs(energy - energy[0])) < 1e-8


# --------------------------------------------------------------------------- hinge
@pytest.mark.parametrize("n", DIMS)
def test_hinge_is_locally_the_bilinear_game(n):
    # L_D = max(0, 1) + max(0, 1 + u): phi' = -H(1 + u) theta, theta' = phi (L_G = -u). Where 1 + u > 0 (so for
    # |u| < 1) H = 1: the bilinear game, energy conserved. Locally only: for u < -1, phi' = 0 and dV/dt = 2u < 0.
    nl = analyze("hinge", dim=n).nonlinear
    assert (nl.verdict, nl.method, nl.dV) == ("stable", "conserved", 0)
    assert nl.V == r**2 + s**2 and nl.lyapunov_stable is True
    (branch,) = nl.branches
    assert branch.piece == sp.Heaviside(u + 1) and branch.branch == 1 and branch.conditions == (u + 1,)
    assert branch.bound == 1 and nl.neighbourhood == (sp.StrictGreaterThan(u + 1, 0),)
    assert "Locally, for |theta.phi| < 1" in nl.reason and "nothing is claimed outside" in nl.reason
    assert nl.globally is False and "globally" not in nl.reason
    assert r**2 + s**2 not in nl.conserved  # not conserved by the true field (u < -1)
    assert nl.to_dict()["local"] is True and nl.to_dict()["neighbourhood"] == ["theta.phi + 1 > 0"]
    tex = nl.to_latex()
    assert "Locally" in tex and r"\operatorname{H}" in tex and "a local statement" in tex
    assert nl.by_dim == {"n = 1": "stable", "n >= 2": "stable"}


def test_hinge_energy_is_conserved_only_near_the_origin_scipy():
    def f(t, z):
        n = len(z) // 2
        phi, theta = z[:n], z[n:]
        return np.concatenate([-np.heaviside(1 + phi @ theta, 1.0) * theta, phi])

    small = solve_ivp(f, (0, 30), [0.3, -0.2], **TIGHT)  # |u| <= V/2 < 1 throughout
    e = np.sum(small.y**2, axis=0)
    assert np.max(np.abs(e - e[0])) < 1e-8
    # From (2, -2) (u = -4): H = 0, so phi = 2 stays, theta = -2 + 2t, u = -4 + 4t < -1 until t = 3/4, and the
    # energy 4 + (2t - 2)^2 drops from 8 to 5 at t = 1/2: the local verdict cannot be made global.
    big = solve_ivp(f, (0, 0.5), [2.0, -2.0], **TIGHT)
    assert abs(np.sum(big.y[:, -1] ** 2) - 5.0) < 1e-8


def test_localised_branches_of_other_pieces():
    # max(0, 1 + u) = 1 + u, |1 + u| = 1 + u, sign(1 + u) = 1, min(1 + u, 3) = 1 + u (needs 2 - u > 0) near u = 0;
    # |u| and max(0, u) are not smooth at the origin itself and stay.
    a = analyze("vanilla_sat", dim=1)
    system = invariant_system(a, dim1=True)
    f = system.field
    pieces = [sp.Max(0, 1 + u), sp.Abs(1 + u), sp.sign(1 + u), sp.Min(1 + u, 3), sp.Abs(u), sp.Max(0, u)]
    for piece, want, cond in zip(pieces, [1 + u, 1 + u, 1, 1 + u], [(u + 1,), (u + 1,), (u + 1,), (2 - u,)]):
        out = localized(type(system)(type(f)(f.a, piece, f.c, f.d), True))
        assert out.field.b == want and out.local[0].conditions == cond
    for piece in pieces[4:]:
        out = localized(type(system)(type(f)(f.a, piece, f.c, f.d), True))
        assert out.field.b == piece and out.local == ()


# --------------------------------------------------------------------------- lsgan
def test_lsgan_equilibria_and_leading_terms():
    # a = 0, b = c = 1: L_D = b^2/2 + (u - a)^2/2, L_G = (u - c)^2/2: phi' = -u theta, theta' = (1 - u) phi.
    # Jacobian [[0, 0], [1, 0]] (nilpotent). Equilibria: theta' = 0 needs phi = 0 or u = 1; u = 1 with
    # phi' = -theta = 0 gives u = 0, a contradiction; so exactly {phi = 0}, theta arbitrary: not isolated.
    f = invariant_system(analyze("lsgan", dim=1)).field
    assert (f.a, f.d) == (0, 0) and symbolic_equal(f.b, -u) and symbolic_equal(f.c, 1 - u)
    q = analyze("lsgan", dim=1).nonlinear.quasi
    assert q.equilibria == ({PHI1: 0},) and q.accumulate


def test_lsgan_dim1_is_lyapunov_stable_not_asymptotically():
    # n = 1: phi' = -phi theta^2, theta' = phi - phi^2 theta. Weights deg phi = 3, deg theta = 1: leading terms
    # phi' = -phi theta^2, theta' = phi, with first integral F = phi + theta^3/3. Along the field
    # F' = -phi theta^2 + theta^2 (phi - phi^2 theta) = -phi^2 theta^3. V = F^2 + phi^2 (zero iff phi = 0 = theta^3):
    # V' = 2F F' - 2 phi^2 theta^2 = -2 phi^2 theta^2 (1 + phi theta + theta^4/3),
    # <= 0 where 1 + phi theta + theta^4/3 > 0 (a neighbourhood of the origin).
    nl = analyze("lsgan", dim=1).nonlinear
    assert nl.verdict == NonlinearStability.STABLE and nl.method == Method.LYAPUNOV
    assert nl.verdict != NonlinearStability.ASYMPTOTICALLY_STABLE and nl.lyapunov_stable is True
    phi, theta = PHI1, THETA1
    F = phi + theta**3 / 3
    q = nl.quasi
    assert q.weights == (3, 1) and sp.expand(q.F - F) == 0
    assert sp.expand(q.dF + phi**2 * theta**3) == 0
    assert sp.expand(nl.V - (F**2 + phi**2)) == 0
    assert sp.expand(nl.dV + 2 * phi**2 * theta**2 * (1 + phi * theta + theta**4 / 3)) == 0
    (region,) = nl.sign.region
    assert sp.expand(region - (3 + 3 * phi * theta + theta**4)) == 0  # = 3 (1 + phi theta + theta^4/3)
    assert "not asymptotically stable" in nl.reason and "{phi = 0, theta free}" in nl.reason
    assert nl.by_dim == {"n = 1": "stable", "n >= 2": "unstable"}


def test_lsgan_dim1_excursion_scales_like_the_cube_root_scipy():
    # From (eps, 0): F = phi + theta^3/3 is nearly conserved (F' = -phi^2 theta^3 is of higher order), phi -> 0,
    # so theta -> (3 eps)^(1/3): the excursion shrinks with eps (stable) but like eps^(1/3), not eps.
    def f(t, z):
        phi, theta = z
        return [-phi * theta**2, (1 - phi * theta) * phi]

    for eps in (1e-2, 1e-3, 1e-4):
        sol = solve_ivp(f, (0, 50 / eps ** (2 / 3)), [eps, 0.0], **TIGHT)
        assert abs(np.max(np.abs(sol.y[1])) / (3 * eps) ** (1 / 3) - 1) < 1e-3
        assert np.all(np.abs(sol.y[0]) <= eps * (1 + 1e-9))  # |phi| never increases


def test_lsgan_dim1_hand_bound_on_random_starts_scipy():
    # A bound by hand: phi keeps its sign (phi' = -theta^2 phi) and |phi| <= |phi0|; theta moves towards the sign
    # of phi while theta phi < 0, and once theta phi >= 0 (F' = -phi^2 theta^3 has the sign of -phi then),
    # theta^3/3 sgn(phi) <= F sgn(phi) <= |phi0| + max(theta0 sgn phi, 0)^3/3.
    # So |theta(t)| <= max(|theta0|, (3|phi0| + |theta0|^3)^(1/3)).
    def f(t, z):
        phi, theta = z
        return [-phi * theta**2, (1 - phi * theta) * phi]

    rng = np.random.default_rng(3)
    for z0 in rng.uniform(-0.05, 0.05, size=(6, 2)):
        sol = solve_ivp(f, (0, 3000), z0, **TIGHT)
        bound = max(abs(z0[1]), (3 * abs(z0[0]) + abs(z0[1]) ** 3) ** (1 / 3))
        assert np.max(np.abs(sol.y[1])) <= bound * (1 + 1e-6)


@pytest.mark.parametrize("n", [2, 3])
def test_lsgan_dim_n_is_unstable_by_the_conserved_area(n):
    # a = d = 0, so A = r^2 s^2 - u^2 is conserved; W = r^2 has W' = 2 b u = -2u^2 <= 0. In {u = 0}:
    # u' = c r^2 + b s^2 = r^2, so the largest invariant set is {phi = 0}, where A = 0. A bounded trajectory
    # would tend to it, impossible with A = A(z0) > 0: every non-collinear start is unbounded.
    nl = analyze("lsgan", dim=n).nonlinear
    assert nl.verdict == NonlinearStability.UNSTABLE and nl.method == Method.LASALLE
    assert nl.lyapunov_stable is False
    esc = nl.escape
    assert esc.W == r**2 and symbolic_equal(esc.dW, -2 * u**2) and esc.conserved
    assert esc.invariant.pieces == ({r: 0, u: 0},)
    assert r**2 * s**2 - u**2 in nl.conserved
    assert "linearly independent" in nl.witness
    assert nl.by_dim == {"n = 1": "stable", "n >= 2": "unstable"}


def test_lsgan_dim2_theta_grows_without_bound_scipy():
    # phi0 = eps e1, theta0 = eps e2: A = eps^4 is conserved; slowly u ~ r^2/s^2 (u' ~ r^2 - u s^2 relaxes fast),
    # r^2 s^2 ~ A, so (s^2)' = 2u ~ 2A/s^4 and s^6 ~ s0^6 + 6 A t: |theta| grows like t^(1/6), without bound.
    def f(t, z):
        phi, theta = z[:2], z[2:]
        w = phi @ theta
        return np.concatenate([-w * theta, (1 - w) * phi])

    eps = 0.1
    sol = solve_ivp(f, (0, 1e4), [eps, 0, 0, eps], dense_output=True, **TIGHT)
    for t in (1e3, 1e4):
        phi, theta = sol.sol(t)[:2], sol.sol(t)[2:]
        assert abs((phi @ phi) * (theta @ theta) - (phi @ theta) ** 2 - eps**4) < 1e-12
    theta_end = sol.sol(1e4)[2:]
    assert abs(theta_end @ theta_end / (eps**6 + 6 * eps**4 * 1e4) ** (1 / 3) - 1) < 0.02
    assert np.linalg.norm(theta_end) > 10 * eps


@pytest.mark.parametrize("n", DIMS)
def test_lsgan_with_maos_labels_minus_one_one_zero(n):
    # (a, b, c) = (-1, 1, 0): phi' = (a - u) theta = -(1 + u) theta, theta' = (c - u) phi = -u phi; Jacobian
    # [[0, -1], [0, 0]]. n = 1: theta' = -phi^2 theta, so theta is the weighted variable (deg theta = 3, deg phi = 1):
    # leading phi' = -theta, theta' = -phi^2 theta, first integral F = theta - phi^3/3; along the field
    # F' = -phi^2 theta + phi^2 (theta + phi theta^2) = phi^3 theta^2, and V = F^2 + theta^2 has
    # V' = 2 F phi^3 theta^2 - 2 phi^2 theta^2 = -2 phi^2 theta^2 (1 - phi theta + phi^4/3): stable near 0.
    # n >= 2: W = |theta|^2, W' = 2 (c - u) u = -2u^2; on {u = 0}, u' = c r^2 + b s^2 = -s^2: the set {theta = 0},
    # where the conserved area is 0: unstable.
    nl = analyze("lsgan", dim=n, params={"a": -1, "c": 0}).nonlinear
    assert nl.by_dim == {"n = 1": "stable", "n >= 2": "unstable"}
    if n == 1:
        phi, theta = PHI1, THETA1
        q = nl.quasi
        assert (q.x, q.y, q.weights) == (theta, phi, (3, 1)) and sp.expand(q.F - (theta - phi**3 / 3)) == 0
        assert sp.expand(nl.dV + 2 * phi**2 * theta**2 * (1 - phi * theta + phi**4 / 3)) == 0
    else:
        assert nl.verdict == "unstable" and nl.escape.W == s**2 and nl.escape.invariant.pieces == ({s: 0, u: 0},)


@pytest.mark.parametrize("reg", ["r1", "r2", "instance_noise"])
@pytest.mark.parametrize("n", DIMS)
def test_lsgan_with_a_phi_penalty_is_stable_in_every_dimension(reg, n):
    # R1 = (gamma/2)|grad_x D(x_r)|^2 = (gamma/2)|phi|^2 (D = x.phi), R2 likewise at x_f, instance noise adds
    # sigma^2 |phi|^2 to E[(D - label)^2]: a = -k with k = gamma (r1, r2) or 2 sigma^2 (noise, sigma = 1),
    # b = -u, c = 1 - u, d = 0. Jacobian [[-k, 0], [1, 0]]: eigenvalues -k, 0. By hand
    # (1/2) d/dt |phi|^2 = -k|phi|^2 - u^2 <= -k|phi|^2, so |phi| <= |phi0| e^(-kt); |theta|' <= |1 - u||phi|,
    # so |theta| <= |theta0| + C|phi0|/k: stable. Every (0, theta) is an equilibrium: not asymptotically stable.
    k = 2 if reg == "instance_noise" else 1
    nl = analyze("lsgan", dim=n, regularizers={reg: 1}).nonlinear
    assert nl.verdict == NonlinearStability.STABLE and nl.method == Method.LYAPUNOV
    dp = nl.decay
    assert (dp.player, dp.W, dp.rate) == ("phi", r**2, k) and symbolic_equal(dp.bound, -(u**2))
    assert dp.damping == 0 and symbolic_equal(dp.coupling, 1 - u) and dp.equilibria
    assert nl.by_dim == {"n = 1": "stable", "n >= 2": "stable"}


def test_lsgan_with_r1_settles_at_a_point_off_the_origin_scipy():
    # phi' = -u theta - phi, theta' = (1 - u) phi: the hand bounds hold and theta converges to a non-zero limit.
    def f(t, z):
        phi, theta = z[:2], z[2:]
        w = phi @ theta
        return np.concatenate([-w * theta - phi, (1 - w) * phi])

    z0 = np.array([0.05, -0.02, 0.01, 0.03])
    sol = solve_ivp(f, (0, 40), z0, dense_output=True, **TIGHT)
    t = np.linspace(0, 40, 400)
    z = sol.sol(t)
    phi_norm, theta_norm = np.linalg.norm(z[:2], axis=0), np.linalg.norm(z[2:], axis=0)
    early = t <= 15  # later |phi| is below the integrator's absolute tolerance
    assert np.all(phi_norm[early] <= np.linalg.norm(z0[:2]) * np.exp(-t[early]) * (1 + 1e-6))
    c_max = 1 + np.max(np.abs(np.sum(z[:2] * z[2:], axis=0)))
    assert np.all(theta_norm <= np.linalg.norm(z0[2:]) + c_max * np.linalg.norm(z0[:2]) + 1e-9)
    assert phi_norm[-1] < 1e-10 and theta_norm[-1] > 0.01  # a non-zero equilibrium (0, theta_inf)


@pytest.mark.parametrize("n", [1, 2])
def test_lsgan_with_consensus_is_stable_near_the_origin(n):
    # Consensus, gamma = 1: v = (-u theta, (1 - u) phi), |v|^2 = u^2 s^2 + (1 - u)^2 r^2, v_c = v - grad |v|^2/2:
    #   a = -(1 - u)^2, b = -u - u s^2 + (1 - u) r^2, c = 1 - u - u s^2 + (1 - u) r^2, d = -u^2.
    # (1/2) d/dt r^2 + r^2/2 = a r^2 + b u + r^2/2 = r^2 (-2u^2 + 3u - 1/2) - u^2 (1 + s^2) <= 0 where
    # 4u^2 - 6u + 1 > 0 (near u = 0), and d = -u^2 <= 0: the decay argument with rate 1/2, locally.
    nl = analyze("lsgan", dim=n, regularizers={"consensus": 1}).nonlinear
    assert nl.verdict == NonlinearStability.STABLE
    dp = nl.decay
    assert dp.rate == sp.Rational(1, 2) and symbolic_equal(dp.damping, -(u**2))
    assert symbolic_equal(dp.bound, r**2 * (-2 * u**2 + 3 * u - sp.Rational(1, 2)) - u**2 * (1 + s**2))
    assert dp.region and dp.equilibria


def test_lsgan_latex_proofs_name_the_certificates():
    t1 = analyze("lsgan", dim=1).nonlinear.to_latex()
    assert "nilpotent" in t1 and "F^2" in t1 and "Lyapunov-stable" in t1
    t2 = analyze("lsgan", dim=2).nonlinear.to_latex()
    assert "squared area" in t2 and "unbounded" in t2 and "unstable" in t2
    t3 = analyze("lsgan", dim=2, regularizers={"r1": 1}).nonlinear.to_latex()
    assert r"\tfrac12 \dot W" in t3 and "Lyapunov-stable" in t3


# --------------------------------------------------------------------------- rpgan (same field as vanilla_ns)
@pytest.mark.parametrize("n", DIMS)
def test_rpgan_matches_vanilla_ns(n):
    # L_D = softplus(u), L_G = softplus(-u): phi' = -sigma(u) theta, theta' = sigma(-u) phi = (1 - sigma(u)) phi.
    nl = analyze("rpgan", dim=n).nonlinear
    assert symbolic_equal(nl.dV.rewrite(sp.exp), (2 * u * (1 - 2 * sigmoid(u))).rewrite(sp.exp))
    assert nl.by_dim == {"n = 1": "asymptotically-stable", "n >= 2": "stable"}


# --------------------------------------------------------------------------- a decisive linearisation ends it
@pytest.mark.parametrize("n", DIMS)
def test_pearson_with_consensus_is_settled_by_the_linearisation_alone(n, monkeypatch):
    # Consensus (Mescheder et al. 2017): v -> v - gamma J^T v near 0; Pearson's J = [[0, -1], [1, 0]] (x) I
    # (p(0) = 1), J^T J = I, so the Jacobian is J - gamma I with eigenvalues -gamma +- i: rate gamma = 1.
    def boom(*args, **kwargs):
        raise AssertionError("searched although the linearisation decides")

    monkeypatch.setattr(nonlinear_module, "rotation_orbits", boom)
    monkeypatch.setattr(nonlinear_module, "search", boom)
    nl = analyze("fgan_pearson", dim=n, regularizers={"consensus": 1}).nonlinear
    assert nl.verdict == "asymptotically-stable" and nl.method == "linearization"
    assert nl.decay_rate == 1 and nl.orbits == ()


def test_nothing_global_is_claimed_for_a_local_asymptotic_verdict():
    # hinge with L2 on phi (weight 1/10): a = -2 alpha, locally b = -1, c = 1: the block [[-1/5, -1], [1, 0]]
    # is Hurwitz; the linearisation decides, and the Heaviside branch makes no global statement possible.
    nl = analyze("hinge", dim=2, regularizers={"l2": sp.Rational(1, 10)}).nonlinear
    assert nl.verdict == "asymptotically-stable" and nl.method == "linearization" and nl.globally is False
