"""Optimisers as exact update maps, against the literature and against hand derivations.

Conventions (shared/LITERATURE.md): each player minimises its own loss, the training field is
``F = (F_phi, F_theta)`` and gradient flow is ``z' = F(z)``. The bilinear game is the
linearisation of the unregularised Dirac GAN: ``F(z) = B z`` with ``B = [[0, -a], [a, 0]]``,
``a = f'(0) = 1/2`` for the vanilla GAN (Mescheder et al. 2018, sec. 2; the post's eq. 8).
Every expected spectrum, characteristic polynomial and threshold below is derived by hand in the
comments (or computed with numpy from the hand formula), never read off the library's output.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import sympy as sp
from helpers import kron_block

from stability import analyze, optimizers
from stability.dynamics.optimizers import OPTIMIZERS, LearningRate, get_optimizer
from stability.dynamics.update import NoLinearization, map_jacobian
from stability.errors import InvalidParameterError, UnknownNameError
from stability.verdicts import Classification, Crossing

H = sp.Symbol("h", positive=True)
Z = sp.Symbol("z")
HALF = sp.Rational(1, 2)


def bilinear(a=HALF) -> sp.Matrix:
    return sp.Matrix([[0, -a], [a, 0]])


def lr(h=H, g=None) -> LearningRate:
    return LearningRate(h, h if g is None else g)


def charpoly(m: sp.Matrix) -> sp.Expr:
    return sp.expand(m.charpoly(Z).as_expr())


def same_poly(p, q) -> bool:
    return sp.expand(p - q) == 0


def numeric_radius(m: sp.Matrix, h: float) -> float:
    mm = np.array(m.subs(H, sp.Rational(str(h))).evalf(), dtype=complex)
    return float(np.max(np.abs(np.linalg.eigvals(mm))))


def same_eigenvalues(got: dict, expected: dict) -> bool:
    """Equal spectra with multiplicities, each value compared by exact simplification."""
    left = dict(got)
    for value, mult in expected.items():
        match = [k for k in left if sp.simplify(k - value) == 0]
        if len(match) != 1 or left.pop(match[0]) != mult:
            return False
    return not left


def poly_radius(coeffs) -> float:
    return float(np.max(np.abs(np.roots(coeffs))))


# ----------------------------------------------------------------------------- the registry and factories


def test_every_optimizer_is_registered_with_a_factory_and_a_source():
    assert list(OPTIMIZERS) == [
        "simgd",
        "altgd",
        "momentum",
        "ogd",
        "extragradient",
        "lookahead",
        "cgd",
        "adam",
        "rmsprop",
    ]
    for name, cls in OPTIMIZERS.items():
        factory = getattr(optimizers, name)
        assert factory() == cls() == get_optimizer(name), name
        assert cls.name == name and cls.source and cls.latex and cls.description, name
        state = cls().initial(np.zeros((1, 2)), np.ones((1, 2)))
        assert len(state) == 2 + 2 * cls().memory and state[1].tolist() == [[1.0, 1.0]]


def test_factories_take_the_issue_examples():
    m = optimizers.momentum(beta=-0.5, alternating=True)
    assert (m.beta, m.alternating, m.memory) == (sp.Rational(-1, 2), True, 1)
    assert repr(m) == "momentum(beta=-1/2, alternating=True)"
    assert optimizers.altgd(d_steps=5) == optimizers.OPTIMIZERS["altgd"](d_steps=5, g_steps=1)
    la = optimizers.lookahead(base="momentum", k=3, alpha=0.25)
    assert la.base == optimizers.momentum() and la.memory == 1 and la.alpha == sp.Rational(1, 4)
    assert get_optimizer("lookahead", base="ogd") == optimizers.lookahead(base=optimizers.ogd())
    assert optimizers.extragradient(lr_extra={"d": 0.1, "g": 0.2}).lr_extra == LearningRate(
        sp.Rational(1, 10), sp.Rational(1, 5)
    )


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda: optimizers.momentum(beta=1), "beta must be in (-1, 1); received 1"),
        (lambda: optimizers.momentum(beta=-1.5), "beta must be in (-1, 1); received -1.5"),
        (lambda: optimizers.momentum(beta="0.5"), "beta must be a real number in (-1, 1) or a SymPy symbol"),
        (lambda: optimizers.momentum(beta=float("nan")), "beta must be a finite real number"),
        (lambda: optimizers.momentum(alternating="true"), "alternating must be True or False; received str 'true'"),
        (lambda: optimizers.altgd(d_steps=0), "d_steps must be a positive integer up to 1000; received 0"),
        (lambda: optimizers.altgd(d_steps=2.5), "d_steps must be a positive integer; received float 2.5"),
        (lambda: optimizers.altgd(g_steps=True), "g_steps must be a positive integer; received bool True"),
        (lambda: optimizers.lookahead(k=0), "k must be a positive integer"),
        (lambda: optimizers.lookahead(alpha=0), "alpha must be in (0, 1]; received 0"),
        (lambda: optimizers.lookahead(alpha=1.5), "alpha must be in (0, 1]; received 1.5"),
        (lambda: optimizers.extragradient(lr_extra=-0.1), "lr_extra must be > 0; received -0.1"),
        (lambda: optimizers.extragradient(lr_extra=sp.Symbol("e")), "the symbol e is not declared positive"),
        (lambda: optimizers.extragradient(lr_extra={"d": 0.1}), "must have exactly the keys 'd'"),
        (lambda: optimizers.adam(beta1=1.0), "beta1 must be in [0, 1); received 1.0"),
        (lambda: optimizers.adam(eps=0), "eps must be in (0, inf); received 0"),
        (lambda: optimizers.rmsprop(rho=-0.1), "rho must be in [0, 1); received -0.1"),
        (lambda: optimizers.lookahead(alpha=sp.Symbol("a", negative=True)), "alpha must be in (0, 1]"),
        (lambda: get_optimizer("momentum", gamma=0.5), "unknown hyperparameter gamma for 'momentum'; valid: beta"),
        (lambda: get_optimizer("cgd", beta=0.5), "unknown hyperparameter beta for 'cgd'; valid: (none)"),
        (lambda: get_optimizer(3), "optimizer must be a name"),
        (lambda: get_optimizer(optimizers.ogd(), beta=1), "were given together with the optimiser object"),
    ],
)
def test_bad_hyperparameters_get_one_line_errors(make, message):
    with pytest.raises(InvalidParameterError) as err:
        make()
    assert message in str(err.value) and "\n" not in str(err.value)


def test_unknown_optimizer_lists_the_valid_ones():
    with pytest.raises(
        UnknownNameError,
        match=r"unknown optimizer 'sgd' \(did you mean 'simgd'\?\); valid: simgd, altgd, momentum, ogd",
    ):
        get_optimizer("sgd")
    with pytest.raises(UnknownNameError):
        optimizers.lookahead(base="sgd")


def test_symbolic_hyperparameters_are_kept_with_their_domains():
    beta, alpha = sp.Symbol("beta", real=True), sp.Symbol("alpha", positive=True)
    m = optimizers.momentum(beta=beta)
    assert m.beta is beta
    la = optimizers.lookahead(alpha=alpha, base=m)
    assert la.alpha is alpha
    for make, hint in [
        (lambda: optimizers.momentum(beta=sp.Symbol("b")), "pass Symbol('b', real=True)"),
        (lambda: optimizers.lookahead(alpha=sp.Symbol("a", real=True)), "pass Symbol('a', positive=True)"),
    ]:
        with pytest.raises(InvalidParameterError, match=re.escape(hint)):
            make()
    b, a = m.beta, la.alpha
    for bv, av, inside in [(0.5, 0.5, True), (-0.99, 1, True), (1, 0.5, False), (-1, 0.5, False), (0, 1.5, False)]:
        assert la.constraints().subs({b: bv, a: av}) == (sp.true if inside else sp.false), (bv, av)
    assert optimizers.ogd().constraints() == sp.true
    with pytest.raises(InvalidParameterError, match="beta = beta is symbolic"):
        m.numeric()
    num = optimizers.lookahead(base=optimizers.momentum(beta=-0.5)).numeric()
    assert isinstance(num.alpha, float) and isinstance(num.base.beta, float) and num.base.beta == -0.5


def test_adaptive_optimizers_have_no_linearization():
    for opt in (optimizers.adam(), optimizers.rmsprop(), optimizers.lookahead(base="adam")):
        assert not opt.differentiable and "sqrt" in opt.reason
        with pytest.raises(NoLinearization, match="sqrt"):
            map_jacobian(opt, bilinear(), lr())
    a = analyze("vanilla_ns", optimizer="rmsprop", lr=0.01)
    assert a.classification == Classification.NO_LINEARIZATION and a.jacobian is None


# ----------------------------------------------------------------------------- Mescheder et al. 2018


@pytest.mark.parametrize("n", [1, 2, 3])
def test_mescheder_simultaneous_gd_diverges_for_every_step(n):
    # simgd: z+ = z + h B z, M = I + h B; eigenvalues 1 +- i h a (x n); |lambda|^2 = 1 + h^2 a^2 > 1.
    m = map_jacobian(optimizers.simgd(), kron_block(bilinear().tolist(), n), lr())
    assert m == sp.eye(2 * n) + H * kron_block(bilinear().tolist(), n)
    assert same_eigenvalues(m.eigenvals(), {1 + sp.I * H / 2: n, 1 - sp.I * H / 2: n})
    a = analyze("vanilla_ns", dim=n, optimizer="simgd", lr=H)
    assert a.classification == Classification.UNSTABLE
    assert sp.simplify(a.conditions["unstable"]) == sp.true or a.conditions["unstable"] == (H > 0)
    b = analyze("vanilla_ns", dim=n, optimizer="simgd", lr=0.2)
    assert same_eigenvalues(b.eigenvalues, {1 + sp.I / 10: n, 1 - sp.I / 10: n})
    assert sp.simplify(b.spectral_radius - sp.sqrt(101) / 10) == 0


@pytest.mark.parametrize("n", [1, 2])
def test_mescheder_alternating_gd_is_neutral_below_4_and_flips_there(n):
    # altgd: phi+ = phi - h a theta; theta+ = theta + h a phi+ = h a phi + (1 - h^2 a^2) theta.
    # M = [[1, -ha], [ha, 1 - h^2 a^2]]: det 1, trace 2 - h^2 a^2: z^2 - (2 - h^2 a^2) z + 1. For h a < 2
    # the roots are a conjugate pair of product 1 (on the unit circle); at h a = 2 a double root -1 (flip).
    m = map_jacobian(optimizers.altgd(), kron_block(bilinear().tolist(), n), lr())
    block = sp.Matrix([[1, -H / 2], [H / 2, 1 - H**2 / 4]])
    assert m == kron_block(block.tolist(), n)
    assert same_poly(charpoly(m), (Z**2 - (2 - H**2 / 4) * Z + 1) ** n)
    a = analyze("vanilla_ns", dim=n, optimizer="altgd", lr=H)
    assert a.conditions["neutral"].subs(H, 3) == sp.true and a.conditions["neutral"].subs(H, 5) == sp.false
    assert a.conditions["unstable"].subs(H, 5) == sp.true
    assert [(b.value, b.crossing) for b in a.boundaries] == [(4, Crossing.FLIP)]
    b = analyze("vanilla_ns", dim=n, optimizer="altgd", lr=0.2)
    assert b.classification == Classification.NEUTRAL and b.spectral_radius == 1
    assert all(sp.simplify(sp.Abs(v) - 1) == 0 for v in b.eigenvalues)


def test_mescheder_l2_penalty_makes_both_converge_for_small_steps():
    # vanilla_ns + alpha |phi|^2 on L_D: phi' = -sigma(u) theta - 2 alpha phi, so J = [[-2 alpha, -1/2], [1/2, 0]].
    alpha = sp.Rational(1, 10)
    j = sp.Matrix([[-2 * alpha, -HALF], [HALF, 0]])
    sim = analyze("vanilla_ns", regularizers={"l2": alpha}, optimizer="simgd", lr=H)
    assert sim.field_jacobian == kron_block(j.tolist(), 2)
    # simgd: eigenvalues 1 + h mu, mu = -alpha +- i sqrt(1/4 - alpha^2): |1 + h mu|^2 = 1 - 2 h alpha + h^2/4,
    # below 1 iff h < 8 alpha = 4/5; there a complex pair crosses the circle (Neimark-Sacker).
    assert sim.max_stable_lr == 8 * alpha
    assert [(b.value, b.crossing) for b in sim.boundaries] == [(8 * alpha, Crossing.NEIMARK_SACKER)]
    # altgd: M = [[1 - 2h alpha, -h/2], [h/2 (1 - 2h alpha), 1 - h^2/4]], det = 1 - 2 h alpha,
    # trace = 2 - 2 h alpha - h^2/4. Jury: |det| < 1 (0 < h alpha < 1) and 1 + det > |trace|; the binding
    # one is 1 + det + trace > 0: h^2 + 16 alpha h - 16 < 0, h < 8 (sqrt(alpha^2 + 1/4) - alpha), a flip.
    alt = analyze("vanilla_ns", regularizers={"l2": alpha}, optimizer="altgd", lr=H)
    expected = 8 * (sp.sqrt(alpha**2 + HALF**2) - alpha)
    assert sp.simplify(alt.max_stable_lr - expected) == 0
    assert len(alt.boundaries) == 1 and alt.boundaries[0].crossing == Crossing.FLIP
    for opt in ("simgd", "altgd"):
        small = analyze("vanilla_ns", dim=1, regularizers={"l2": alpha}, optimizer=opt, lr=0.1)
        assert small.classification == Classification.STABLE


def test_zero_centred_gradient_penalty_thresholds():
    # wgan_gp with c = 0 (a zero-centred penalty lam |phi|^2): phi' = -theta - 2 lam phi, theta' = phi,
    # J = [[-2 lam, -1], [1, 0]], det J = 1, Re mu = -lam. simgd: |1 + h mu|^2 = 1 - 2 h lam + h^2 < 1 iff
    # h < 2 lam. altgd: det M = 1 - 2 h lam, trace = 2 - 2 h lam - h^2; 1 + det + trace > 0 iff
    # h^2 + 4 lam h - 4 < 0: h < 2 (sqrt(lam^2 + 1) - lam).
    lam = sp.Rational(1, 10)
    sim = analyze("wgan_gp", dim=1, params={"c": 0, "lam": lam}, optimizer="simgd", lr=H)
    alt = analyze("wgan_gp", dim=1, params={"c": 0, "lam": lam}, optimizer="altgd", lr=H)
    assert sim.max_stable_lr == 2 * lam
    assert sp.simplify(alt.max_stable_lr - 2 * (sp.sqrt(lam**2 + 1) - lam)) == 0
    assert alt.boundaries[0].crossing == Crossing.FLIP and sim.boundaries[0].crossing == Crossing.NEIMARK_SACKER


# ----------------------------------------------------------------------------- Gidel et al. 2019


def _momentum_poly(beta, s, alternating):
    # Hand derivation, with s = h a and the z-transform phi_k = lambda^k Phi, theta_k = lambda^k Theta,
    # p(lambda) = lambda^2 - (1 + beta) lambda + beta = (lambda - 1)(lambda - beta):
    # simultaneous: p Phi = -s lambda Theta, p Theta = s lambda Phi  =>  p^2 + s^2 lambda^2 = 0;
    # alternating (theta's step at the new phi): p Theta = s lambda^2 Phi  =>  p^2 + s^2 lambda^3 = 0.
    p = (Z - 1) * (Z - beta)
    return sp.expand(p**2 + s**2 * Z ** (3 if alternating else 2))


@pytest.mark.parametrize("alternating", [False, True])
def test_gidel_heavy_ball_characteristic_polynomial(alternating):
    beta = sp.Symbol("beta", real=True)
    for a in (HALF, sp.Integer(1)):
        m = map_jacobian(optimizers.momentum(beta=beta, alternating=alternating), bilinear(a), lr())
        assert same_poly(charpoly(m), _momentum_poly(beta, H * a, alternating))
    m3 = map_jacobian(optimizers.momentum(beta=beta, alternating=alternating), kron_block(bilinear().tolist(), 3), lr())
    assert same_poly(charpoly(m3), _momentum_poly(beta, H / 2, alternating) ** 3)


def test_gidel_simultaneous_heavy_ball_never_converges():
    # The simultaneous polynomial factors over C as q(lambda) = lambda^2 - (1 + beta + i s) lambda + beta (and its
    # conjugate). Schur-Cohn for a complex quadratic lambda^2 + b lambda + c: both roots in the open unit disc
    # iff |c| < 1 and |b - conj(b) c| < 1 - |c|^2. Here b - conj(b) c = -(1 + beta)((1 - beta) + i s), so
    # |b - conj(b) c|^2 - (1 - |c|^2)^2 = (1 + beta)^2 s^2 > 0: never, for any beta in (-1, 1) and s > 0.
    beta, s = sp.symbols("beta s", real=True)
    b, c = -(1 + beta + sp.I * s), beta
    gap = sp.expand(sp.Abs(b - sp.conjugate(b) * c) ** 2 - (1 - c**2) ** 2)
    assert sp.simplify(gap - (1 + beta) ** 2 * s**2) == 0
    assert same_poly(sp.expand((Z**2 + b * Z + c) * (Z**2 + sp.conjugate(b) * Z + c)), _momentum_poly(beta, s, False))
    # and numerically, through the library's map Jacobian, on a grid (rho > 1 everywhere)
    for bv in np.linspace(-0.95, 0.95, 9):
        m = map_jacobian(optimizers.momentum(beta=sp.Rational(str(round(bv, 4)))), bilinear(), lr())
        for hv in (0.01, 0.1, 0.5, 1.0, 2.0):
            assert numeric_radius(m, h=hv) > 1 + 1e-9
    # at numeric rates the library says unstable, in dimension 1 and 2
    for n, bv, hv in [(1, -0.5, 0.1), (2, 0.5, 0.2), (2, -0.9, 1)]:
        a = analyze("vanilla_ns", dim=n, optimizer=optimizers.momentum(beta=bv), lr=hv)
        assert a.classification == Classification.UNSTABLE


def test_gidel_alternating_negative_momentum_converges():
    # Near lambda = 1 write lambda = 1 + eps in p^2 + s^2 lambda^3 = 0 with p = (lambda - 1)(lambda - beta):
    # eps (1 - beta + eps) = i s (1 + eps)^(3/2) gives eps = i s/(1 - beta) + s^2 (3 beta - 1)/(2 (1 - beta)^3) + ...,
    # so |lambda|^2 = 1 + 2 beta s^2/(1 - beta)^3 + O(s^3): converging for small steps iff beta < 0
    # (the other two roots stay near beta). Check the expansion against numpy's roots of the hand polynomial.
    for beta in (-0.5, -0.2, 0.3):
        for s in (1e-3, 2e-3):
            r = poly_radius(sp.Poly(_momentum_poly(sp.Rational(str(beta)), sp.Rational(str(s)), True), Z).all_coeffs())
            predicted = 1 + 2 * beta * s**2 / (1 - beta) ** 3
            assert abs(r**2 - predicted) < 5 * s**3, (beta, s)
    # beta = -1/2, a = 1/2: the flip at p(-1) = 4 (1 + beta)^2 - s^2 = 0, s = 1, i.e. h = 2
    opt = optimizers.momentum(beta=-0.5, alternating=True)
    m = map_jacobian(opt, bilinear(), lr())
    for hv in (0.05, 0.5, 1.0, 1.5, 1.9):
        assert numeric_radius(m, h=hv) < 1
    assert numeric_radius(m, h=2.1) > 1
    assert sp.expand(_momentum_poly(sp.Rational(-1, 2), H / 2, True).subs(Z, -1)) == sp.expand(1 - H**2 / 4)
    for n in (1,):  # (dimension 3: the characteristic polynomial test above)
        a = analyze("vanilla_ns", dim=n, optimizer=opt, lr=0.5)
        assert a.classification == Classification.STABLE
        assert abs(float(a.spectral_radius) - numeric_radius(m, h=0.5)) < 1e-12


# ----------------------------------------------------------------------------- Daskalakis et al. 2018 (optimism)


@pytest.mark.parametrize("n", [1, 2])
def test_daskalakis_optimism_converges_for_small_steps(n):
    # ogd on F = B z with memory z_prev: per eigenvalue mu = +- i a of B, lambda^2 - (1 + 2 h mu) lambda + h mu = 0.
    # Product over mu = +- i a: (lambda^2 - lambda)^2 + h^2 a^2 (2 lambda - 1)^2.
    m = map_jacobian(optimizers.ogd(), kron_block(bilinear().tolist(), n), lr())
    assert same_poly(charpoly(m), ((Z**2 - Z) ** 2 + H**2 / 4 * (2 * Z - 1) ** 2) ** n)
    # Roots: [(1 + 2 h mu) +- sqrt(1 + 4 h^2 mu^2)]/2; for 2 h a <= 1 with r = sqrt(1 - 4 h^2 a^2) real,
    # |lambda|^2 = (1 +- r)/2, so rho^2 = (1 + r)/2 < 1. For 2 h a > 1, |lambda|^2 = (1 + (2ha + t)^2)/4 with
    # t = sqrt(4 h^2 a^2 - 1), which is 1 when 2 h a + t = sqrt(3), i.e. 2 h a = 2/sqrt(3): converging iff
    # h a < 1/sqrt(3), h < 2/sqrt(3) for a = 1/2.
    if n == 1:  # the threshold (the same block in every dimension)
        a = analyze("vanilla_ns", dim=n, optimizer="ogd", lr=H)
        assert sp.simplify(a.max_stable_lr - 2 / sp.sqrt(3)) == 0
        assert a.boundaries[0].crossing == Crossing.NEIMARK_SACKER
    b = analyze("vanilla_ns", dim=n, optimizer="ogd", lr=1)  # 2 h a = 1: r = 0, rho^2 = 1/2
    assert abs(float(b.spectral_radius) - np.sqrt(0.5)) < 1e-12
    c = analyze("vanilla_ns", dim=n, optimizer="ogd", lr=0.5)  # r = sqrt(3)/2
    assert abs(float(c.spectral_radius) - np.sqrt((1 + np.sqrt(3) / 2) / 2)) < 1e-12


# ----------------------------------------------------------------------------- extragradient


@pytest.mark.parametrize("n", [1, 3])
def test_extragradient_converges_for_small_steps(n):
    # z+ = z + h B (z + h B z) = (I + h B + h^2 B^2) z; B^2 = -a^2 I: eigenvalues 1 - h^2 a^2 +- i h a,
    # |lambda|^2 = 1 - h^2 a^2 + h^4 a^4 < 1 iff h a < 1 (h < 2 for a = 1/2).
    j = kron_block(bilinear().tolist(), n)
    m = map_jacobian(optimizers.extragradient(), j, lr())
    assert m == sp.eye(2 * n) + H * j + H**2 * j * j
    assert same_eigenvalues(m.eigenvals(), {1 - H**2 / 4 + sp.I * H / 2: n, 1 - H**2 / 4 - sp.I * H / 2: n})
    assert analyze("vanilla_ns", dim=n, optimizer="extragradient", lr=H).max_stable_lr == 2


def test_extragradient_with_its_own_extrapolation_step():
    # z_half = z + e B z, z+ = z + h B z_half: eigenvalues 1 - h e a^2 +- i h a; |.|^2 < 1 iff h (e^2 a^2 + 1) < 2 e.
    # e = 1/2, a = 1/2: h < 1/(1/16 + 1) = 16/17.
    e = HALF
    m = map_jacobian(optimizers.extragradient(lr_extra=e), bilinear(), lr())
    assert m == sp.eye(2) + H * bilinear() + H * e * bilinear() ** 2
    a = analyze("vanilla_ns", dim=1, optimizer=optimizers.extragradient(lr_extra=0.5), lr=H)
    assert a.max_stable_lr == sp.Rational(16, 17)


# ----------------------------------------------------------------------------- lookahead


def test_lookahead_over_gd_on_the_bilinear_game():
    # k simgd steps: z_k = (I + h B)^k z; z+ = z + alpha (z_k - z): eigenvalues 1 + alpha ((1 +- i h a)^k - 1).
    k, alpha = 5, HALF
    m = map_jacobian(optimizers.lookahead(k=k, alpha=alpha), bilinear(), lr())
    expected = sp.eye(2) + alpha * ((sp.eye(2) + H * bilinear()) ** k - sp.eye(2))
    assert (m - expected).expand() == sp.zeros(2)
    # Threshold (alpha = 1/2, x = h a): |1 + (1 + i x)^5|^2 < 4 with |(1+ix)^5|^2 = (1 + x^2)^5 and
    # Re (1 + ix)^5 = 1 - 10 x^2 + 5 x^4 gives y (y^4 + 5 y^3 + 10 y^2 + 20 y - 15) < 0, y = x^2.
    y = [r.real for r in np.roots([1, 5, 10, 20, -15]) if abs(r.imag) < 1e-12 and r.real > 0]
    assert len(y) == 1
    a = analyze("vanilla_ns", dim=1, optimizer="lookahead", lr=H)
    assert abs(float(a.max_stable_lr) - 2 * np.sqrt(y[0])) < 1e-12
    # Small steps: |lambda|^2 = 1 - h^2 a^2 alpha k (k (1 - alpha) - 1) + O(h^3): converging iff k (1 - alpha) > 1.
    for kk, al, converges in [(5, 0.5, True), (2, 0.5, False), (4, 0.9, False)]:
        mm = map_jacobian(optimizers.lookahead(k=kk, alpha=al), bilinear(), lr())
        hv = 1e-3
        r = numeric_radius(mm, h=hv)
        predicted = 1 - (hv / 2) ** 2 * al * kk * (kk * (1 - al) - 1)
        assert abs(r**2 - predicted) < 1e-8
        assert (r < 1) == converges


def test_lookahead_carries_the_base_optimizers_memory():
    base = optimizers.momentum(beta=-0.5, alternating=True)
    la = optimizers.lookahead(k=2, alpha=0.5, base=base)
    assert la.memory == 1 and la.differentiable
    mb = map_jacobian(base, bilinear(), lr())
    m = map_jacobian(la, bilinear(), lr())
    # two base steps on the state (phi, theta, phi_prev, theta_prev), then only (phi, theta) pulled back by 1/2
    p = sp.diag(1, 1, 0, 0)
    expected = (sp.eye(4) - p) * mb**2 + p * (sp.eye(4) + HALF * (mb**2 - sp.eye(4)))
    assert (m - expected).expand() == sp.zeros(4)


# ----------------------------------------------------------------------------- competitive gradient descent


@pytest.mark.parametrize("n", [1, 2])
def test_cgd_converges_for_every_step_on_the_bilinear_game(n):
    # CGD: Delta = (I - h H_o)^(-1) h F; for F = B z, H_o = B and M = I + (I - hB)^(-1) h B = (I - h B)^(-1):
    # eigenvalues 1/(1 -+ i h a), |lambda|^2 = 1/(1 + h^2 a^2) < 1 for every h > 0.
    j = kron_block(bilinear().tolist(), n)
    m = map_jacobian(optimizers.cgd(), j, lr())
    assert sp.simplify(m - (sp.eye(2 * n) - H * j).inv()) == sp.zeros(2 * n)
    a = analyze("vanilla_ns", dim=n, optimizer="cgd", lr=H)
    assert a.classification == Classification.STABLE and a.max_stable_lr == sp.oo
    b = analyze("vanilla_ns", dim=n, optimizer="cgd", lr=0.2)
    assert sp.simplify(b.spectral_radius - 1 / sp.sqrt(1 + sp.Rational(1, 100))) == 0


def test_cgd_with_two_time_scales_and_a_diagonal():
    # TTUR: Delta = H (F + H_o Delta), H = diag(h_d, h_g): M = I + (I - H H_o)^(-1) H J. For the bilinear game
    # M = (I - H B)^(-1), eigenvalues 1/(1 +- i a sqrt(h_d h_g)).
    hd, hg = sp.symbols("h_d h_g", positive=True)
    big_h = sp.diag(hd, hg)
    m = map_jacobian(optimizers.cgd(), bilinear(), lr(hd, hg))
    assert sp.simplify(m - (sp.eye(2) - big_h * bilinear()).inv()) == sp.zeros(2)
    # WGAN-GP c = 0 has a diagonal term: J = [[-2 lam, -1], [1, 0]], H_o = [[0, -1], [1, 0]].
    lam = sp.Rational(1, 10)
    j = sp.Matrix([[-2 * lam, -1], [1, 0]])
    off = sp.Matrix([[0, -1], [1, 0]])
    m = map_jacobian(optimizers.cgd(), j, lr(hd, hg))
    assert sp.simplify(m - (sp.eye(2) + (sp.eye(2) - big_h * off).inv() * big_h * j)) == sp.zeros(2)
    a = analyze("wgan_gp", dim=1, params={"c": 0}, optimizer="cgd", lr={"d": 0.1, "g": 0.4})
    expected = sp.eye(2) + (sp.eye(2) - sp.diag(0.1, 0.4) * off).inv() * sp.diag(0.1, 0.4) * j
    assert abs(float(a.spectral_radius) - max(abs(np.linalg.eigvals(np.array(expected, dtype=float))))) < 1e-12


# ----------------------------------------------------------------------------- the continuous-time limit


def _paired(mu: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """The flow eigenvalue closest to each of ``mu`` (which are close to it)."""
    return np.array([lam[np.argmin(np.abs(lam - m))] for m in mu])


@pytest.mark.parametrize(
    "opt, scale, extra",
    [
        (optimizers.simgd(), 1, 0),
        (optimizers.altgd(), 1, 0),
        (optimizers.altgd(d_steps=3), None, 0),  # the discriminator moves 3 times: rates (3, 1)
        (optimizers.extragradient(), 1, 0),
        (optimizers.cgd(), 1, 0),
        (optimizers.lookahead(k=3, alpha=0.5), 1.5, 0),  # alpha k steps per round
        (optimizers.ogd(), 1, 1),  # plus one eigenvalue h mu -> 0 per flow eigenvalue
        (optimizers.momentum(beta=0.5), 2, 1),  # 1 + h lambda/(1 - beta), plus beta
    ],
)
def test_small_steps_recover_the_flow(opt, scale, extra):
    # For h -> 0 the principal eigenvalues of M are 1 + c h lambda + O(h^2) with lambda those of J (c the number
    # of gradient steps per update); here checked on vanilla_ns + L2 (lambda = -1/10 +- i sqrt(6)/5).
    j_block = sp.Matrix([[-sp.Rational(1, 5), -HALF], [HALF, 0]])
    lam = np.linalg.eigvals(np.array(j_block, dtype=float))
    errors = []
    for hv in (1e-3, 1e-4):
        m = np.array(map_jacobian(opt, j_block, lr(sp.Rational(str(hv)))).evalf(), dtype=float)
        mu = np.linalg.eigvals(m)
        principal = mu[np.argsort(-np.abs(mu))][:2]
        if scale is None:  # altgd with 3 discriminator steps: the flow of diag(3, 1) J
            lam_s = np.linalg.eigvals(np.diag([3.0, 1.0]) @ np.array(j_block, dtype=float))
        else:
            lam_s = scale * lam
        err = np.abs((principal - 1) / hv - _paired(principal, lam_s))
        errors.append(err.max())
        assert err.max() < 50 * hv
        rest = mu[np.argsort(-np.abs(mu))][2:]
        assert rest.size == 2 * extra
    assert errors[0] < 1e-9 or errors[1] < errors[0] / 5  # exact (simgd), or first order: shrinks with h


def test_simultaneous_gd_drifts_outward_by_h_lambda_squared_over_two():
    # simgd's eigenvalues are 1 + h lambda exactly, so (|mu|^2 - 1)/(2h) = Re lambda + h |lambda|^2/2: the growth rate
    # per unit time is pushed outward by h |lambda|^2/2 at first order (for the unregularised GAN, from 0 to h/8).
    alpha = sp.Rational(1, 10)
    flow = analyze("vanilla_ns", dim=1, regularizers={"l2": alpha})
    disc = analyze("vanilla_ns", dim=1, regularizers={"l2": alpha}, optimizer="simgd", lr=H)
    lam = list(flow.eigenvalues)
    mus = list(disc.eigenvalues)
    assert len(mus) == 2
    for mu in mus:
        partner = sp.expand((mu - 1) / H)
        assert partner in lam or any(sp.simplify(partner - v) == 0 for v in lam)
        re, im = sp.re(partner), sp.im(partner)
        drift = sp.simplify((sp.Abs(mu) ** 2 - 1) / (2 * H) - re)
        assert sp.simplify(drift - H * (re**2 + im**2) / 2) == 0
    # the unregularised GAN: Re lambda = 0, |lambda| = 1/2, so the exact drift is h/8
    un = analyze("vanilla_ns", dim=1, optimizer="simgd", lr=H)
    for mu in un.eigenvalues:
        assert sp.simplify((sp.Abs(mu) ** 2 - 1) / (2 * H) - H / 8) == 0


def test_alternating_gd_has_no_first_order_drift():
    # altgd with L2: the complex pair has |mu|^2 = det M = 1 - 2 h alpha exactly (see the Mescheder test), so
    # (|mu|^2 - 1)/(2h) = -alpha = Re lambda: no outward drift at any order while the pair is complex.
    alpha = sp.Rational(1, 10)
    for hv in (sp.Rational(1, 100), sp.Rational(1, 10), sp.Rational(1, 2)):
        a = analyze("vanilla_ns", dim=1, regularizers={"l2": alpha}, optimizer="altgd", lr=hv)
        for mu in a.eigenvalues:
            assert sp.simplify(sp.Abs(mu) ** 2 - (1 - 2 * hv * alpha)) == 0
