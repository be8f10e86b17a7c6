"""Iterating the real update with NumPy (``stability.numerics.iterate``) and checking discrete verdicts by it.

Independent references: the update rules written out again here from shared/LITERATURE.md on the
post's fields in NumPy (``helpers.by_hand``), finite differences, ``numpy.linalg.eigvals`` of a
finite-difference Jacobian of one step, and spectral radii derived by hand.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import sympy as sp
from helpers import by_hand, sigma

from stability import Variant, analyze, optimizers, symbols
from stability.dynamics.optimizers import LearningRate
from stability.errors import InvalidParameterError
from stability.numerics.integrate import Status
from stability.numerics.iterate import Iterates, NumpyGame, iterate
from stability.numerics.outcomes import Agreement
from stability.numerics.trajectories import TrajectoryWarning
from stability.numerics.verify_map import MapVerification, verify_map
from stability.verdicts import Behaviour

X0 = np.array([[0.1, 0.2, 0.2, 0.1], [-0.3, 0.1, 0.05, -0.2], [0.02, -0.4, 0.3, 0.3]])


# ----------------------------------------------------------------------------- hand-written update rules


def vanilla_field(phi, theta):
    """The vanilla non-saturating field (MATH.md), split: F_phi = -sigma(u) theta, F_theta = (1 - sigma(u)) phi."""
    out = by_hand("vanilla_ns", np.concatenate([phi, theta], axis=1))
    n = phi.shape[1]
    return out[:, :n], out[:, n:]


def vanilla_offdiag(phi, theta):
    """dF_phi/dtheta = -sigma I - sigma' theta phi^T, dF_theta/dphi = (1 - sigma) I - sigma' phi theta^T."""
    u = np.sum(phi * theta, axis=1)
    s = sigma(u)
    ds = s * (1 - s)
    eye = np.eye(phi.shape[1])
    h_pt = -s[:, None, None] * eye - ds[:, None, None] * theta[:, :, None] * phi[:, None, :]
    h_tp = (1 - s)[:, None, None] * eye - ds[:, None, None] * phi[:, :, None] * theta[:, None, :]
    return h_pt, h_tp


def hand_run(rule, x0, steps, hd, hg):
    """Iterate a hand-written rule ``rule(phi, theta, memory, hd, hg) -> (phi, theta, memory)`` per row."""
    n = x0.shape[1] // 2
    out = [x0.copy()]
    phi, theta, mem = x0[:, :n].copy(), x0[:, n:].copy(), None
    for _ in range(steps):
        phi, theta, mem = rule(phi, theta, mem, hd, hg)
        out.append(np.concatenate([phi, theta], axis=1))
    return np.stack(out, axis=1)


def r_simgd(phi, theta, mem, hd, hg):
    fp, ft = vanilla_field(phi, theta)
    return phi + hd * fp, theta + hg * ft, None


def r_altgd_2_3(phi, theta, mem, hd, hg):
    for _ in range(2):
        phi = phi + hd * vanilla_field(phi, theta)[0]
    for _ in range(3):
        theta = theta + hg * vanilla_field(phi, theta)[1]
    return phi, theta, None


def r_momentum(beta, alternating):
    def rule(phi, theta, mem, hd, hg):
        prev = (phi, theta) if mem is None else mem
        fp, ft = vanilla_field(phi, theta)
        phi_new = phi + hd * fp + beta * (phi - prev[0])
        if alternating:
            ft = vanilla_field(phi_new, theta)[1]
        return phi_new, theta + hg * ft + beta * (theta - prev[1]), (phi, theta)

    return rule


def r_ogd(phi, theta, mem, hd, hg):
    prev = (phi, theta) if mem is None else mem
    fp, ft = vanilla_field(phi, theta)
    gp, gt = vanilla_field(*prev)
    return phi + hd * (2 * fp - gp), theta + hg * (2 * ft - gt), (phi, theta)


def r_extragradient(extra):
    def rule(phi, theta, mem, hd, hg):
        fp, ft = vanilla_field(phi, theta)
        fp, ft = vanilla_field(phi + extra * fp, theta + extra * ft)
        return phi + hd * fp, theta + hg * ft, None

    return rule


def r_lookahead_momentum(k, alpha, beta):
    inner = r_momentum(beta, False)

    def rule(phi, theta, mem, hd, hg):
        p, t, m = phi, theta, mem
        for _ in range(k):
            p, t, m = inner(p, t, m, hd, hg)
        return phi + alpha * (p - phi), theta + alpha * (t - theta), m

    return rule


def r_cgd(phi, theta, mem, hd, hg):
    # Delta_phi = h_d (F_phi + H_pt Delta_theta), Delta_theta = h_g (F_theta + H_tp Delta_phi), solved jointly per row
    fp, ft = vanilla_field(phi, theta)
    a, b = vanilla_offdiag(phi, theta)
    n = phi.shape[1]
    out_p, out_t = np.empty_like(phi), np.empty_like(theta)
    for i in range(phi.shape[0]):
        system = np.block([[np.eye(n), -hd * a[i]], [-hg * b[i], np.eye(n)]])
        delta = np.linalg.solve(system, np.concatenate([hd * fp[i], hg * ft[i]]))
        out_p[i], out_t[i] = phi[i] + delta[:n], theta[i] + delta[n:]
    return out_p, out_t, None


def r_adam(b1, b2, eps):
    def rule(phi, theta, mem, hd, hg):
        t, m, v = (0, [0 * phi, 0 * theta], [0 * phi, 0 * theta]) if mem is None else mem
        t += 1
        out = []
        for j, (z, g, h) in enumerate(zip((phi, theta), vanilla_field(phi, theta), (hd, hg))):
            m[j] = b1 * m[j] + (1 - b1) * g
            v[j] = b2 * v[j] + (1 - b2) * g * g
            out.append(z + h * (m[j] / (1 - b1**t)) / (np.sqrt(v[j] / (1 - b2**t)) + eps))
        return out[0], out[1], (t, m, v)

    return rule


def r_rmsprop(rho, eps):
    def rule(phi, theta, mem, hd, hg):
        v = [0 * phi, 0 * theta] if mem is None else mem
        out = []
        for j, (z, g, h) in enumerate(zip((phi, theta), vanilla_field(phi, theta), (hd, hg))):
            v[j] = rho * v[j] + (1 - rho) * g * g
            out.append(z + h * g / (np.sqrt(v[j]) + eps))
        return out[0], out[1], v

    return rule


CASES = [
    ("simgd", optimizers.simgd(), r_simgd),
    ("altgd(2, 3)", optimizers.altgd(d_steps=2, g_steps=3), r_altgd_2_3),
    ("momentum", optimizers.momentum(beta=0.6), r_momentum(0.6, False)),
    ("momentum alternating", optimizers.momentum(beta=-0.5, alternating=True), r_momentum(-0.5, True)),
    ("ogd", optimizers.ogd(), r_ogd),
    ("extragradient", optimizers.extragradient(lr_extra=0.05), r_extragradient(0.05)),
    (
        "lookahead",
        optimizers.lookahead(k=3, alpha=0.3, base=optimizers.momentum(beta=0.3)),
        r_lookahead_momentum(3, 0.3, 0.3),
    ),
    ("cgd", optimizers.cgd(), r_cgd),
    ("adam", optimizers.adam(), r_adam(0.9, 0.999, 1e-8)),
    ("rmsprop", optimizers.rmsprop(rho=0.8), r_rmsprop(0.8, 1e-8)),
]


@pytest.mark.parametrize("name, opt, rule", CASES, ids=[c[0] for c in CASES])
def test_iterate_runs_the_rule_as_written(name, opt, rule):
    a = analyze("vanilla_ns", dim=2)
    it = iterate(a, X0, 25, optimizer=opt, lr={"d": 0.3, "g": 0.2})
    expected = hand_run(rule, X0, 25, 0.3, 0.2)
    np.testing.assert_allclose(it.states, expected, rtol=1e-11, atol=1e-14)
    assert it.ok.all() and it.steps == 25 and it.times.tolist() == list(range(26))


def test_a_discrete_analysis_supplies_its_optimizer_and_rates():
    a = analyze(
        "vanilla_ns", dim=2, optimizer=optimizers.momentum(beta=-0.5, alternating=True), lr={"d": 0.3, "g": 0.2}
    )
    it = iterate(a, X0, 10)
    np.testing.assert_allclose(it.states, hand_run(r_momentum(-0.5, True), X0, 10, 0.3, 0.2), rtol=1e-12)
    assert it.lr == LearningRate(0.3, 0.2) and it.optimizer.beta == -0.5
    assert repr(it).startswith("Iterates('vanilla_ns', dim=2, K=3, momentum(beta=-0.5, alternating=True) at lr ")
    assert isinstance(it, Iterates)


# ----------------------------------------------------------------------------- the NumPy game


def _custom_variant():
    phi, theta = symbols(2)
    u = phi[0] * theta[0] + 2 * phi[1] * theta[1] + phi[0] * theta[1]
    d_loss = u + phi[0] ** 2 * theta[1] / 3 + sp.Rational(1, 10) * phi[1] ** 2
    return Variant("coupled", d_loss=d_loss, g_loss=-u + theta[0] ** 2 * phi[1], phi=phi, theta=theta)


@pytest.mark.parametrize(
    "make",
    [
        lambda: analyze("vanilla_ns"),
        lambda: analyze("vanilla_sat", dim=3),
        lambda: analyze("gan_qp"),
        lambda: analyze("wgan_gp", params={"c": 1}),
        lambda: analyze("vanilla_ns", regularizers={"l2": 0.1}, dim=1),
        lambda: analyze(_custom_variant()),
    ],
    ids=["vanilla_ns", "vanilla_sat-3", "gan_qp", "wgan_gp-c1", "l2-1", "component-path"],
)
def test_offdiagonal_blocks_match_finite_differences(make):
    a = make()
    game = NumpyGame(a)
    n = a.dim
    rng = np.random.default_rng(3)
    phi, theta = rng.normal(size=(5, n)), rng.normal(size=(5, n))
    h_pt, h_tp = game.offdiag(phi, theta)
    eps, eye = 1e-6, np.eye(n)
    fd_pt = np.stack(
        [
            (game.field(phi, theta + eps * eye[j])[0] - game.field(phi, theta - eps * eye[j])[0]) / (2 * eps)
            for j in range(n)
        ],
        axis=2,
    )
    fd_tp = np.stack(
        [
            (game.field(phi + eps * eye[j], theta)[1] - game.field(phi - eps * eye[j], theta)[1]) / (2 * eps)
            for j in range(n)
        ],
        axis=2,
    )
    np.testing.assert_allclose(h_pt, fd_pt, atol=1e-7)
    np.testing.assert_allclose(h_tp, fd_tp, atol=1e-7)


def test_the_numpy_field_is_the_posts_field():
    a = analyze("vanilla_ns", dim=2)
    phi, theta = X0[:, :2], X0[:, 2:]
    for got, want in zip(NumpyGame(a).field(phi, theta), vanilla_field(phi, theta)):
        np.testing.assert_allclose(got, want, rtol=1e-14)


def test_a_singular_block_stops_only_its_row():
    game = NumpyGame(analyze("vanilla_ns", dim=2))
    a = np.stack([np.eye(2), np.zeros((2, 2))])
    out = game.solve(a, np.ones((2, 2)))
    assert out[0].tolist() == [1.0, 1.0] and np.isnan(out[1]).all()


# ----------------------------------------------------------------------------- one step's Jacobian is M


def _step_jacobian(a, opt, rates, eps=1e-6):
    """Central differences of one NumPy step at the equilibrium state (parameters and memory 0)."""
    game, n = NumpyGame(a), a.dim
    opt = opt.numeric()
    size = 2 * n * (1 + opt.memory)
    cols = []
    for j in range(size):
        e = np.zeros((2, size))
        e[0, j], e[1, j] = eps, -eps
        state = tuple(e[:, i * n : (i + 1) * n] for i in range(size // n))
        out = np.concatenate(opt.step(game, state, rates), axis=1)
        cols.append((out[0] - out[1]) / (2 * eps))
    return np.array(cols).T


DIFFERENTIABLE = [
    optimizers.simgd(),
    optimizers.altgd(d_steps=2),
    optimizers.momentum(beta=-0.5, alternating=True),
    optimizers.ogd(),
    optimizers.extragradient(lr_extra=0.3),
    optimizers.lookahead(k=2, base=optimizers.ogd()),
    optimizers.cgd(),
]


@pytest.mark.parametrize("opt", DIFFERENTIABLE, ids=[o.name for o in DIFFERENTIABLE])
@pytest.mark.parametrize("n", [1, 2])
def test_one_numpy_step_linearises_to_the_exact_map_jacobian(opt, n):
    a = analyze("vanilla_sat", dim=n, regularizers={"l2": 0.1}, optimizer=opt, lr={"d": 0.4, "g": 0.3})
    fd = _step_jacobian(a, opt, LearningRate(0.4, 0.3))
    exact = np.array(a.jacobian.evalf(), dtype=float)
    np.testing.assert_allclose(fd, exact, atol=1e-8)
    rho = max(abs(np.linalg.eigvals(fd)))
    assert abs(rho - float(a.spectral_radius)) < 1e-7


# ----------------------------------------------------------------------------- verify_map


def test_issue_example_converges_at_the_predicted_contraction():
    opt = optimizers.momentum(beta=-0.5, alternating=True)
    a = analyze("wgan_gp", params={"c": 0}, optimizer=opt, lr={"d": 0.1, "g": 0.05})
    rho = max(abs(np.linalg.eigvals(_step_jacobian(a, opt, LearningRate(0.1, 0.05)))))
    v = verify_map(a)
    assert isinstance(v, MapVerification)
    assert v.behaviour == Behaviour.CONVERGES and v.agreement == Agreement.AGREES and v.agrees is True
    assert abs(v.predicted_radius - rho) < 1e-9
    assert abs(v.contraction - rho) < 2e-5
    assert all(abs(m.factor - rho) < 1e-4 for m in v.measurements)
    assert "matches" in v.explanation and "\n" not in repr(v)
    assert v.to_dict()["agrees"] is True and v.to_dict()["time_domain"] == "discrete"


@pytest.mark.parametrize("n", [1, 2])
def test_simultaneous_gd_on_the_vanilla_gan_grows_at_rho(n):
    # M = I + hJ with eigenvalues 1 +- i h/2: rho = sqrt(1 + h^2/4) = sqrt(1.01) at h = 0.2
    a = analyze("vanilla_ns", dim=n, optimizer="simgd", lr=0.2)
    v = verify_map(a)
    assert v.agrees is True and abs(v.contraction - np.sqrt(1.01)) < 1e-5
    assert all(m.max_distance >= 1e3 * m.initial_distance for m in v.measurements)


def test_a_linear_unstable_map_diverges():
    # wgan_gp c = 0 (linear field), simgd h = 1/2: eigenvalues 1 + h mu, mu = -1/10 +- i sqrt(99)/10:
    # |.|^2 = (1 - 0.05)^2 + 0.25 * 0.99 = 1.15
    a = analyze("wgan_gp", params={"c": 0}, optimizer="simgd", lr=0.5)
    v = verify_map(a)
    assert v.behaviour == Behaviour.DIVERGES and not v.bounded and v.agrees is True
    assert abs(v.contraction - np.sqrt(1.15)) < 1e-5


def test_a_flip_ends_on_a_period_two_cycle():
    # vanilla_sat + L2 (alpha = 1/10), altgd: the flip at h* = 8 (sqrt(alpha^2 + 1/4) - alpha) (see test_optimizers)
    h_star = 8 * (np.sqrt(0.01 + 0.25) - 0.1)
    a = analyze("vanilla_sat", dim=1, regularizers={"l2": 0.1}, optimizer="altgd", lr=round(1.05 * h_star, 6))
    v = verify_map(a)
    assert v.behaviour == Behaviour.PERIOD_2 and v.agrees is True
    it = iterate(a, 2, 4000, seed=1, radius=0.1)
    z = it.states[:, -3:]
    assert np.allclose(z[:, 2], z[:, 0], atol=1e-9) and (np.linalg.norm(z[:, 2] - z[:, 1], axis=1) > 1e-2).all()


def test_a_defective_eigenvalue_is_recognised():
    # vanilla_ns + L2 (alpha = 1/10), altgd at h = 16/5: trace = 2 - 2 h alpha - h^2/4 = -6/5, det = 1 - 2 h alpha =
    # 9/25: (z + 3/5)^2, a double eigenvalue with M != -3/5 I (a Jordan block), so |z_k| ~ k (3/5)^k.
    for n in (1, 2):
        a = analyze("vanilla_ns", dim=n, regularizers={"l2": 0.1}, optimizer="altgd", lr=3.2)
        assert a.spectral_radius == sp.Rational(3, 5)
        v = verify_map(a)
        assert v.agrees is True and "Jordan block of size 2" in v.explanation
        converged = [m for m in v.measurements if m.behaviour == Behaviour.CONVERGES]
        assert len(converged) >= 5
        assert all(abs(m.jordan_factor - 0.6) < 1e-3 and abs(m.jordan_power - 1) < 0.2 for m in converged)


def test_neutral_maps_are_inconclusive_and_the_ema_averages_the_orbit():
    a = analyze("vanilla_ns", dim=2, optimizer="altgd", lr=0.2)
    v = verify_map(a, ema=0.99, steps=4000)
    assert v.classification == "neutral" and v.agreement == Agreement.INCONCLUSIVE and v.agrees is None
    assert v.ema_distance < 0.5 * v.theta_distance
    # the EMA against one computed by hand from the stored states
    it = iterate(a, 2, 300, seed=0, ema=(0.9,), store=False)
    full = iterate(a, 2, 300, seed=0)
    theta = full.states[:, :, 2:]
    acc = theta[:, 0].copy()
    for i in range(1, theta.shape[1]):
        acc = 0.9 * acc + 0.1 * theta[:, i]
    np.testing.assert_allclose(it.ema_final(0.9), acc, rtol=1e-12)
    np.testing.assert_allclose(full.ema(0.9)[:, -1], acc, rtol=1e-12)


def test_adaptive_optimizers_are_decided_by_the_numerics():
    a = analyze("wgan_gp", params={"c": 0}, optimizer="adam", lr=0.01)
    v = verify_map(a, steps=2000)
    assert v.classification == "no-linearization" and v.agrees is None and v.predicted_radius is None
    assert "no linearisation" in v.explanation


def test_a_stable_map_is_checked_locally_when_the_ball_leaves_the_basin():
    # at h = 3.2 the L2 example is stable (rho = 3/5) but its basin is small: starts within 0.5 diverge
    a = analyze("vanilla_ns", dim=2, regularizers={"l2": 0.1}, optimizer="altgd", lr=3.2)
    v = verify_map(a)
    assert v.settings["radius"] == 1e-3 and "outside its basin" in v.explanation and v.agrees is True


# ----------------------------------------------------------------------------- records, limits and bad input


def test_trajectories_that_hit_a_singularity_or_blow_up_are_stopped():
    wgan = analyze("wgan", optimizer="simgd", lr=0.1)
    with pytest.warns(TrajectoryWarning, match="1 of 2 trajectories stopped"):
        it = iterate(wgan, [[0.0, 0.0, 0.1, 0.2], [0.1, 0.2, 0.2, 0.1]], 5)  # WGAN divides by |phi|
    assert it.status.tolist() == [Status.NONFINITE, Status.OK]
    assert it.stop_time[0] == 0 and it.final[0].tolist() == [0.0, 0.0, 0.1, 0.2]
    assert np.isnan(it.states[0, 1:]).all() and "NaN" in it.messages[0]
    lin = analyze("wgan_gp", params={"c": 0}, optimizer="simgd", lr=2.5)
    with pytest.warns(TrajectoryWarning):
        it = iterate(lin, [[0.1, 0.2, 0.2, 0.1]], 200, blowup=10.0)
    assert it.status.tolist() == [Status.OVERFLOW] and np.abs(it.final).max() <= 10 and it.stop_time[0] < 200


def test_an_exactly_converged_state_is_held():
    # wgan_gp c = 0, lam = 1: J = [[-2, -1], [1, 0]] has the double eigenvalue -1; simgd at h = 1/2 gives 1/2
    a = analyze("wgan_gp", dim=1, params={"c": 0, "lam": 1}, optimizer="simgd", lr=0.5)
    it = iterate(a, [[0.3, -0.2]], 1500, store=False)
    assert it.ok.all() and it.settled.all() and np.abs(it.final).max() < 1e-249


def test_summaries_only_use_bounded_memory_and_progress_is_reported():
    a = analyze("vanilla_ns", optimizer="altgd", lr=0.1)
    seen = []
    it = iterate(a, 4, 20_000, store=False, progress=seen.append, seed=0)
    assert it.states is None and it.phi_norm.shape == (4, 1001) and it.summary_times[-1] == 20_000
    assert 0 < len(seen) <= 101 and seen[-1] == 1.0
    with pytest.raises(InvalidParameterError, match="states were not stored"):
        _ = it.phi


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda a: iterate(a, 2, 0), "steps must be a positive integer"),
        (lambda a: iterate(a, 2, 2.5), "steps must be a positive integer"),
        (lambda a: iterate(a, 2, True), "steps must be a positive integer"),
        (lambda a: iterate(a, 2, 10**9), "steps must be at most"),
        (lambda a: iterate(a, [[0.1, 0.2]], 5), "x0 must be"),
        (lambda a: iterate(a, [[np.nan, 0, 0, 0]], 5), "x0 must be finite"),
        (lambda a: iterate(a, 2, 5, blowup=-1), "blowup must be a positive finite number"),
        (lambda a: iterate(a, 2, 5, store="yes"), "store must be True or False"),
        (lambda a: iterate(a, 10**5, 10**5), "GiB"),
        (lambda a: iterate(a, 2, 5, lr=-0.1), "lr must be a number > 0"),
        (lambda a: verify_map(a, steps=0), "steps must be a positive integer"),
        (lambda a: verify_map(a, ema=1.5), "beta must be in [0, 1)"),
        (lambda a: verify_map(analyze("vanilla_ns")), "verify_map checks a discrete analysis"),
        (lambda a: iterate(analyze("vanilla_ns"), 2, 5), "iterate needs an update rule"),
        (lambda a: iterate(analyze("vanilla_ns"), 2, 5, optimizer="simgd"), "iterate needs a learning rate"),
        (
            lambda a: iterate(analyze("vanilla_ns", optimizer="simgd", lr=sp.Symbol("h", positive=True)), 2, 5),
            "the learning rate h_d = h is symbolic",
        ),
        (
            lambda a: iterate(
                analyze("vanilla_ns", optimizer=optimizers.momentum(beta=sp.Symbol("b", real=True)), lr=0.1), 2, 5
            ),
            "momentum's beta = b is symbolic",
        ),
        (
            lambda a: iterate(
                analyze("wgan_gp", params={"lam": sp.Symbol("lam", positive=True), "c": 0}, optimizer="simgd", lr=0.1),
                2,
                5,
            ),
            "needs numeric parameter values",
        ),
    ],
)
def test_bad_input_gets_a_one_line_error(call, message):
    a = analyze("vanilla_ns", optimizer="simgd", lr=0.1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidParameterError) as err:
            call(a)
    assert message in str(err.value) and "\n" not in str(err.value)
