"""The post's numerical claims, checked by ``Analysis.verify`` and against independent references.

References: SciPy's ``solve_ivp`` (DOP853, rtol 1e-10, atol 1e-12) on hand-written fields, closed
forms (eigenvalues of the 2x2 block, conserved quantities, the WGAN-GP circle), never values the
code printed before.
"""

from __future__ import annotations

import copy
import io
import json
import pickle
import re
import time
from dataclasses import replace
from functools import cache

import numpy as np
import pytest
import sympy as sp
from helpers import TIGHT, by_hand
from scipy.integrate import solve_ivp

from stability import InvalidParameterError, Variant, Verification, analyze, symbols
from stability.cli import main
from stability.cli.verify_cmd import Progress
from stability.numerics.agreement import Seen, judge
from stability.numerics.outcomes import Agreement
from stability.numerics.predict import Prediction
from stability.numerics.verify import TOLERANCES

BUILTINS = ("vanilla_ns", "vanilla_sat", "wgan", "wgan_gp", "gan_qp")


@cache
def verified(name: str, dim: int = 2, params: tuple = (), l2: float | None = None) -> Verification:
    """``verify()`` with its defaults, computed once per case for the whole module."""
    regs = {"l2": l2} if l2 is not None else None
    return analyze(name, dim=dim, params=dict(params), regularizers=regs).verify()


def close(measured, predicted, rel, absolute):
    return abs(measured - predicted) <= rel * abs(predicted) + absolute


# ----------------------------------------------------------------------------- defaults, every built-in

EXPECTED = {
    "vanilla_ns": "oscillates",
    "vanilla_sat": "oscillates",
    "wgan": "oscillates",
    "wgan_gp": "limit-cycle",  # c = 1 by default
    "gan_qp": "oscillates",
}


@pytest.mark.parametrize("name", BUILTINS)
def test_defaults_give_the_expected_verdict_for_every_builtin(name):
    v = verified(name)
    assert v.behaviour == EXPECTED[name], v.explanation
    assert v.agrees and v.bounded
    assert v.counts[v.behaviour] >= 6  # of 8: a clear majority
    assert len(v.measurements) == 8 and all(m.status == "OK" for m in v.measurements)


# ----------------------------------------------------------------------------- the post's claims


def test_vanilla_ns_oscillates_at_frequency_one_half_and_does_not_converge():
    v = verified("vanilla_ns")
    assert v.classification == "center" and v.predicted_frequency == 0.5
    assert close(v.frequency, 0.5, TOLERANCES["center_frequency_rel"], 0)
    assert v.final_distance > 0.1  # started within 0.5; no convergence
    # The orbit it settles on (dim >= 2): theta.phi = 0 and |phi| = |theta|, so sigma = 1/2 and
    # phi' = -theta/2, theta' = phi/2 exactly: a rotation at frequency 1/2. The library's trajectory
    # ends on that orbit, and at the state SciPy reaches on the hand-written field.
    x0 = np.array([0.3, -0.2, 0.1, 0.35])
    tr = analyze("vanilla_ns").simulate(x0, 300.0, dt=0.1, store=False)
    phi, theta = tr.final[0, :2], tr.final[0, 2:]
    assert abs(phi @ theta) < 1e-5 and abs(np.linalg.norm(phi) - np.linalg.norm(theta)) < 1e-4
    assert np.linalg.norm(tr.final[0]) > 0.45
    ref = solve_ivp(lambda t, z: by_hand("vanilla_ns", z[None])[0], (0, 300.0), x0, **TIGHT)
    assert np.abs(ref.y[:, -1] - tr.final[0]).max() < 1e-6


def test_vanilla_ns_from_the_posts_initial_state():
    v = analyze("vanilla_ns").verify(x0=[0.1, 0.2, 0.2, 0.1])
    assert v.behaviour == "oscillates" and v.agrees
    assert close(v.frequency, 0.5, 0.01, 0) and v.final_distance > 0.2


def test_vanilla_ns_in_dimension_one_converges_sub_exponentially():
    v = verified("vanilla_ns", dim=1)
    assert v.behaviour == "slow-convergence" and v.agrees
    assert 0.2 < v.power < 0.55  # |z| ~ t^(-p), p -> 1/2; pre-asymptotic at t ~ 400
    assert v.rate < 0.01 and close(v.frequency, 0.5, 0.01, 0)


def test_vanilla_sat_conserves_the_norm():
    v = verified("vanilla_sat")
    # d/dt (|phi|^2 + |theta|^2) = -2 sigma u + 2 sigma u = 0: the distance never changes.
    for m in v.measurements:
        assert m.final_distance == pytest.approx(m.initial_distance, rel=1e-5)
    assert abs(v.rate) < 1e-6


def test_wgan_oscillates_and_conserves_phi_norm():
    v = verified("wgan")
    assert v.classification == "non-differentiable" and v.behaviour == "oscillates" and v.agrees
    assert v.predicted_rate is None and v.frequency > 0.5
    # phi . phi' = -theta.phi/|phi| + theta.phi |phi|^2/|phi|^3 = 0: |phi| is conserved.
    tr = analyze("wgan").simulate([0.3, -0.2, 0.1, 0.35], 20.0, dt=0.05, store=False)
    np.testing.assert_allclose(tr.phi_norm[0], tr.phi_norm[0, 0], rtol=1e-6)


def test_wgan_gp_c0_converges_with_the_eigenvalues_rate_and_frequency():
    v = verified("wgan_gp", params=(("c", 0),))
    # By hand: phi' = -theta - 2 lam phi, theta' = phi (lam = 1/10): lambda^2 + 0.2 lambda + 1 = 0,
    # lambda = -0.1 +- i sqrt(0.99): rate 0.1, angular frequency sqrt(0.99).
    rate, freq = 0.1, np.sqrt(0.99)
    assert v.behaviour == "converges" and v.agrees
    assert close(v.rate, rate, TOLERANCES["rate_rel"], TOLERANCES["rate_abs"])
    assert close(v.frequency, freq, TOLERANCES["frequency_rel"], TOLERANCES["frequency_abs"])
    assert v.predicted_rate == pytest.approx(rate) and v.predicted_frequency == pytest.approx(freq)
    assert v.final_distance < 1e-5


@pytest.mark.parametrize("c", [1, 0.5])
def test_wgan_gp_settles_on_a_circle_of_radius_c(c):
    """The circle, derived: on |phi| = c the penalty term vanishes, phi' = -theta. |phi| stays c
    iff u = theta.phi stays 0 (d|phi|^2/dt = -2u), and u' = |phi|^2 - |theta|^2 = c^2 - |theta|^2,
    so |theta| = c too. Then phi' = -theta, theta' = phi: a rotation at angular frequency 1 with
    theta on the circle of radius c."""
    v = verified("wgan_gp", params=(("c", c),))
    assert v.behaviour == "limit-cycle" and v.agrees
    assert v.radius == pytest.approx(c, rel=1e-3)
    assert v.frequency == pytest.approx(1.0, rel=1e-3)
    assert v.final_distance == pytest.approx(np.sqrt(2) * c, rel=1e-3)
    tr = analyze("wgan_gp", params={"c": c}).simulate([0.3, -0.2, 0.1, 0.35], 150.0, dt=0.05, store=False)
    phi, theta = tr.final[0, :2], tr.final[0, 2:]
    assert np.linalg.norm(theta) == pytest.approx(c, rel=1e-4) and np.linalg.norm(phi) == pytest.approx(c, rel=1e-4)
    assert phi @ theta == pytest.approx(0.0, abs=1e-4 * c**2)


def test_gan_qp_oscillates_at_frequency_one():
    v = verified("gan_qp")
    assert v.behaviour == "oscillates" and v.agrees and v.final_distance > 0.1
    # on the orbit theta.phi = 0 the field is phi' = -theta, theta' = phi: frequency 1 exactly
    assert v.frequency == pytest.approx(1.0, rel=1e-3)


@pytest.mark.parametrize(
    ("name", "freq"),
    # By hand, L2 adds -2 alpha phi to phi' (alpha = 1/10): vanilla_ns phi' = -theta/2 - 0.2 phi, theta' = phi/2:
    # lambda^2 + 0.2 lambda + 1/4 = 0, lambda = -0.1 +- i sqrt(0.24); gan_qp phi' = -theta - 0.2 phi,
    # theta' = phi: lambda = -0.1 +- i sqrt(0.99). Both decay at rate 0.1.
    [("vanilla_ns", np.sqrt(0.25 - 0.01)), ("gan_qp", np.sqrt(0.99))],
)
def test_l2_moves_toward_the_equilibrium_at_the_eigenvalue_rate(name, freq):
    rate = 0.1
    v = verified(name, l2=0.1)
    assert v.behaviour == "converges" and v.agrees and v.final_distance < 1e-5
    assert close(v.rate, rate, TOLERANCES["rate_rel"], TOLERANCES["rate_abs"])
    assert close(v.frequency, freq, TOLERANCES["frequency_rel"], TOLERANCES["frequency_abs"])
    assert v.predicted_rate == pytest.approx(rate) and v.predicted_frequency == pytest.approx(freq)


def test_wgan_gp_with_l2_moves_toward_the_equilibrium_onto_a_smaller_circle():
    # radial balance on the circle: -2 lam (|phi| - c) - 2 alpha |phi| = 0 -> |phi| = lam c / (lam + alpha)
    v = verified("wgan_gp", l2=0.1)
    assert v.behaviour == "limit-cycle" and v.radius == pytest.approx(0.5, rel=1e-3)


# ----------------------------------------------------------------------------- EMA of the generator


def test_weight_ema_lies_much_closer_to_the_equilibrium(record_property):
    a = analyze("vanilla_ns")
    x0 = [0.1, 0.2, 0.2, 0.1]
    tr = a.simulate(x0, 400.0)  # dt = 0.01: one EMA update per training step
    ema = tr.ema(0.999)[0]
    raw = np.linalg.norm(tr.theta[0, -1])
    last_period = tr.times >= 400.0 - 4 * np.pi  # one period of the frequency-1/2 rotation
    typical = np.linalg.norm(tr.theta[0, last_period], axis=1).mean()
    ema_dist = np.linalg.norm(ema[-1])
    ratio, typical_ratio = raw / ema_dist, typical / ema_dist
    record_property("ema_ratio", ratio)
    record_property("ema_typical_ratio", typical_ratio)
    print(f"EMA at t=400: |theta| = {raw:.4f}, typical |theta| = {typical:.4f}, |theta_ema| = {ema_dist:.4f}")
    print(f"ratio {ratio:.3f} (snapshot), {typical_ratio:.3f} (vs the last period's mean)")
    assert ratio >= 2 and typical_ratio >= 2
    # Closed form: the EMA's gain on a rotation at omega = 1/2 sampled every dt = 0.01 is
    # (1 - beta)/|1 - beta e^(-i omega dt)|, so the EMA is about 5.1 times closer.
    gain = 0.001 / abs(1 - 0.999 * np.exp(-0.5j * 0.01))
    assert typical_ratio == pytest.approx(1 / gain, rel=0.15)
    # The EMA is post-processing: without it the trajectory is the same; and it agrees with SciPy.
    plain = a.simulate(x0, 400.0, store=False, ema=())
    np.testing.assert_array_equal(plain.final, tr.final)
    np.testing.assert_array_equal(plain.theta_norm, tr.theta_norm)
    ref = solve_ivp(lambda t, z: by_hand("vanilla_ns", z[None])[0], (0, 400.0), x0, **TIGHT)
    assert np.abs(ref.y[:, -1] - tr.states[0, -1]).max() < 1e-6


# ----------------------------------------------------------------------------- the linearisation decides


def _unstable(dim: int = 2, quartic: bool = False):
    phi, theta = symbols(dim)
    dot = sum(p * t for p, t in zip(phi, theta))
    sq = sum(p**2 for p in phi)
    d_loss = dot - sp.Rational(1, 20) * sq + (sq**2 / 4 if quartic else 0)  # phi' = -theta + phi/10 (- |phi|^2 phi)
    return analyze(Variant("unstable", d_loss=d_loss, g_loss=-dot, phi=phi, theta=theta))


def test_unstable_focus_moves_away_at_the_eigenvalue_rate():
    a = _unstable()
    assert a.classification == "unstable"
    v = a.verify(samples=4)
    # By hand: phi' = -theta + phi/10, theta' = phi: lambda^2 - 0.1 lambda + 1 = 0, lambda = 0.05 +- i sqrt(0.9975).
    rate, freq = -0.05, np.sqrt(0.9975)
    assert v.behaviour == "diverges" and v.agrees and not v.bounded
    assert close(v.rate, rate, TOLERANCES["rate_rel"], TOLERANCES["rate_abs"])
    assert close(v.frequency, freq, TOLERANCES["frequency_rel"], TOLERANCES["frequency_abs"])
    assert v.predicted_rate == pytest.approx(rate) and v.predicted_frequency == pytest.approx(freq)


def test_unstable_focus_with_a_limit_cycle():
    v = _unstable(dim=1, quartic=True).verify(samples=4)  # a van der Pol-like oscillator
    assert v.behaviour == "limit-cycle" and v.agrees and v.bounded
    assert v.rate == pytest.approx(-0.05, rel=0.02)


def test_a_linear_centre_that_the_nonlinear_terms_destabilise_is_not_a_disagreement():
    # By hand: phi' = -theta + phi (phi^2 + theta^2), theta' = phi + theta (phi^2 + theta^2). Jacobian
    # [[0, -1], [1, 0]]: a centre (+-i), yet d/dt (phi^2 + theta^2) = 2 (phi^2 + theta^2)^2 > 0, so
    # rho = |z|^2 blows up at t = 1 / (2 rho0): divergence, which the (inconclusive) centre allows.
    phi, theta = symbols(1)
    p, t = phi[0], theta[0]
    q = p**2 + t**2
    d_loss, g_loss = p * t - p**4 / 4 - p**2 * t**2 / 2, -p * t - t**4 / 4 - p**2 * t**2 / 2
    a = analyze(Variant("repel", d_loss, g_loss, phi=phi, theta=theta))
    assert [sp.expand(f - e) for f, e in zip(a.vector_field, [-t + p * q, p + t * q])] == [0, 0]
    assert a.classification == "center"
    v = a.verify(samples=4)
    assert v.behaviour == "diverges" and v.agrees and not v.bounded
    assert "inconclusive" in v.explanation
    # the blow-ups are divergence (never "singular"), each at its own t* = 1 / (2 |z0|^2)
    blown = [m for m in v.measurements if 1 / (2 * m.initial_distance**2) < v.settings["t_end"]]
    assert len(blown) >= 3 and all(m.behaviour == "diverges" for m in blown)
    for m in blown:
        assert m.stop_time == pytest.approx(1 / (2 * m.initial_distance**2), rel=1e-4)
    assert "singular" not in v.counts and "discontinuity" not in v.explanation


def _verdict(classification, behaviour, rate, frequency, p_rate, p_freq, tol, moved, total, start):
    """The rules of ``judge`` called with the figures of a run (a whole turn seen in the window)."""
    seen = Seen(behaviour, rate, frequency, turns=1, window=100.0, moved=moved, total=total, start=start)
    p = Prediction(rate=p_rate, frequencies=() if p_freq is None else (p_freq,))
    return judge(classification, seen, p, tol)


def test_verdict_rules_report_disagreement():
    tol = TOLERANCES
    ok, text = _verdict("stable", "oscillates", None, 0.5, 0.1, 0.5, tol, 0, 8, 0.5)
    assert ok is Agreement.DISAGREES and "predicts exponential convergence" in text
    ok, text = _verdict("stable", "converges", 0.2, 0.5, 0.1, 0.5, tol, 0, 8, 0.5)
    assert ok is Agreement.DISAGREES and "rate do not match" in text
    ok, _ = _verdict("center", "singular", None, 0.5, 0.0, 0.5, tol, 8, 8, 0.5)
    assert ok is Agreement.INCONCLUSIVE  # stopped at a singularity: the numerics cannot confirm it
    ok, _ = _verdict("non-hyperbolic", "singular", None, None, 0.0, 0.0, tol, 8, 8, 0.5)
    assert ok is Agreement.INCONCLUSIVE
    ok, text = _verdict("center", "converges", 0.1, 0.7, 0.0, 0.5, tol, 0, 8, 0.5)
    assert ok is Agreement.DISAGREES and "does not match" in text
    ok, _ = _verdict("unstable", "converges", 0.1, 0.5, -0.1, 0.5, tol, 0, 8, 1e-6)
    assert ok is Agreement.DISAGREES
    ok, text = _verdict("non-differentiable", "diverges", None, None, None, None, tol, 8, 8, 0.5)
    assert ok is Agreement.AGREES and "numerics decide" in text


# ----------------------------------------------------------------------------- never more than it measured


@pytest.mark.parametrize(
    ("name", "options", "t_end", "needed"),
    [
        # a centre: closed orbits are judged on whole turns in the last two sixths, 6 periods 2 pi / (1/2)
        ("vanilla_ns", {}, 1e-6, 6 * 2 * np.pi / 0.5),
        ("vanilla_ns", {}, 10.0, 6 * 2 * np.pi / 0.5),
        # stable, rate 0.1: a 10^4-fold decay needs ln(10^4) / 0.1 (more than two periods 2 pi / sqrt(0.99))
        ("wgan_gp", {"params": {"c": 0}}, 0.5, np.log(1e4) / 0.1),
        ("vanilla_ns", {"regularizers": {"l2": 0.1}}, 5.0, np.log(1e4) / 0.1),
        # runs that used to *agree* on what they could not have seen: 1.6 periods of vanilla_ns (labelled
        # "slow-convergence"), 3 and 0.8 periods of hinge and GAN-QP (phi' = -theta, theta' = phi near 0:
        # frequency 1), and a 7-fold decay of WGAN-GP c = 0 where the verdict needs 10^4-fold
        ("vanilla_ns", {}, 20.0, 6 * 2 * np.pi / 0.5),
        ("vanilla_ns", {}, 40.0, 6 * 2 * np.pi / 0.5),
        ("hinge", {}, 20.0, 6 * 2 * np.pi),
        ("gan_qp", {}, 5.0, 6 * 2 * np.pi),
        ("wgan_gp", {"params": {"c": 0}}, 20.0, np.log(1e4) / 0.1),
        ("vanilla_sat", {}, 60.0, 6 * 2 * np.pi / 0.5),
    ],
)
def test_runs_too_short_to_see_a_period_or_a_decay_are_inconclusive(name, options, t_end, needed):
    v = analyze(name, **options).verify(samples=4, t_end=t_end)
    assert v.outcome == Agreement.INCONCLUSIVE and v.agrees is None, v.explanation
    assert v.needed_t_end == pytest.approx(needed, rel=1e-9)
    assert f"needs t_end >= {needed:.4g}" in v.explanation
    assert not any(m.settled for m in v.measurements) and "closed orbits" not in v.explanation
    assert v.to_dict()["agrees"] is None and v.to_dict()["outcome"] == "inconclusive"


def test_a_short_run_that_matches_so_far_says_so_and_stays_inconclusive():
    v = analyze("wgan_gp", params={"c": 0}).verify(samples=4, t_end=40.0)  # |z| ~ e^(-0.1 t): 55-fold, not 10^4
    assert v.behaviour == "converges" and v.outcome == Agreement.INCONCLUSIVE
    assert "matches the predicted 0.1" in v.explanation and "not a confirmation" in v.explanation


def test_a_stiff_run_far_too_short_for_its_slow_mode_is_not_a_set_of_equilibria():
    # wgan_gp c = 0 near 0: phi' = -theta - 2 lam phi, theta' = phi: lambda = -lam +- sqrt(lam^2 - 1). With
    # lam = 10^6 the fast mode dies within ~1e-6 and the slow one (rate 1 / (lam + sqrt(lam^2 - 1)) ~ 5e-7)
    # has barely moved at t = 1e-3: the speed fell 10^13-fold, but the origin is the only equilibrium.
    lam = 1e6
    slow = 1 / (lam + np.sqrt(lam**2 - 1))
    v = analyze("wgan_gp", params={"c": 0, "lam": lam}).verify(samples=4, t_end=1e-3)
    assert v.predicted_rate == pytest.approx(slow, rel=1e-6)
    assert all(m.rest_distance is None for m in v.measurements)
    assert "set of equilibria" not in v.explanation and "away from the origin" not in v.explanation
    assert v.outcome == Agreement.INCONCLUSIVE and v.needed_t_end == pytest.approx(np.log(1e4) / slow, rel=1e-6)


def test_a_growth_that_saturates_is_not_divergence():
    # WGAN-GP c = 1 from |z| < 0.5: the trajectories move *out* to the circle |phi| = |theta| = 1 (derived in
    # test_wgan_gp_settles_on_a_circle_of_radius_c), so |z| <= sqrt(2) and nothing diverges, even while the
    # early growth of |z| looks like a power law.
    for t_end in (1.0, 5.0, 10.0):
        v = analyze("wgan_gp").verify(samples=4, t_end=t_end)
        assert v.bounded and "diverges" not in v.counts, (t_end, v.counts)
        assert all(m.max_distance <= np.sqrt(2) * 1.01 for m in v.measurements)


def test_a_run_long_enough_for_its_verdict_still_decides():
    v = analyze("wgan_gp", params={"c": 0}).verify(samples=2, t_end=100.0)  # needs ln(1e4)/0.1 = 92.1
    assert v.outcome == Agreement.AGREES and v.agrees is True and v.behaviour == "converges"


def test_unstable_run_too_short_to_escape_is_inconclusive():
    a = _unstable()  # rate 0.05 of growth: leaving a ball 1000 times larger needs ln(1000) / 0.05
    v = a.verify(samples=2, t_end=1.0)
    assert v.outcome == Agreement.INCONCLUSIVE
    assert v.needed_t_end == pytest.approx(np.log(1e3) / 0.05)


@pytest.mark.parametrize(
    ("name", "options"),
    [("vanilla_ns", {"regularizers": {"l2": 1e-4}}), ("wgan_gp", {"params": {"c": 0, "lam": 1e-4}})],
)
def test_slow_modes_are_inconclusive_within_the_default_budget_not_disagreements(name, options):
    # rate 1e-4 (L2: -2 alpha phi with alpha = 1e-4 halves to 1e-4 on |z|; WGAN-GP: lam = 1e-4):
    # a 10^4-fold decay needs ln(10^4) / 1e-4 = 92103, beyond the default budget t_end <= 2000.
    v = analyze(name, **options).verify(samples=2)
    assert v.predicted_rate == pytest.approx(1e-4)
    assert v.outcome == Agreement.INCONCLUSIVE, v.explanation
    assert v.needed_t_end == pytest.approx(np.log(1e4) / 1e-4)
    assert v.rate == pytest.approx(1e-4, rel=0.05) and "matches the predicted" in v.explanation
    assert "budget" in v.explanation and "t_end=92200" in v.explanation
    # |z| ~ e^(-1e-4 t) is an exponential, not a power law: the label must not say "sub-exponentially"
    assert (
        v.behaviour not in ("slow-convergence", "oscillates", "diverges") and "sub-exponentially" not in v.explanation
    )


def test_a_slow_mode_run_for_the_time_it_needs_agrees():
    # WGAN-GP, c = 0, lam = 1/400: lambda^2 + lambda/200 + 1 = 0, rate 1/400, frequency sqrt(1 - 1/400^2);
    # a 10^4-fold decay needs 400 ln(10^4) = 3684, beyond the default budget (2000).
    a = analyze("wgan_gp", params={"c": 0, "lam": 2.5e-3})
    v = a.verify(samples=2, t_end=3700.0)
    assert v.needed_t_end == pytest.approx(400 * np.log(1e4))
    assert v.outcome == Agreement.AGREES, v.explanation
    assert close(v.rate, 2.5e-3, TOLERANCES["rate_rel"], 1e-5)
    assert close(v.frequency, np.sqrt(1 - 1 / 400**2), TOLERANCES["frequency_rel"], TOLERANCES["frequency_abs"])


@pytest.mark.parametrize(
    ("name", "dim", "l2", "rate"),
    [
        # vanilla_ns + L2 alpha = 1/2: phi' = -theta/2 - phi, theta' = phi/2 near 0, J = [[-1, -1/2], [1/2, 0]],
        # trace -1, det 1/4: lambda = -1/2 twice, J + I/2 = [[-1/2, -1/2], [1/2, 1/2]] != 0 with
        # (J + I/2)^2 = 0: a Jordan block, z(t) = e^(-t/2) (z0 + t (J + I/2) z0), |z| ~ t e^(-t/2).
        ("vanilla_ns", 1, 0.5, 0.5),
        ("vanilla_ns", 2, 0.5, 0.5),
        # gan_qp + L2 alpha = 1: J = [[-2, -1], [1, 0]], lambda = -1 twice, J + I = [[-1, -1], [1, 1]] != 0.
        ("gan_qp", 1, 1.0, 1.0),
        ("gan_qp", 2, 1.0, 1.0),
    ],
)
def test_critically_damped_jordan_blocks_are_not_disagreements(name, dim, l2, rate):
    a = analyze(name, dim=dim, regularizers={"l2": l2})
    block = np.array(a.block, dtype=float)
    assert np.allclose(np.linalg.eigvals(block), -rate) and not np.allclose(block + rate * np.eye(2), 0)
    v = a.verify()
    assert v.jordan_degree == 1 and v.predicted_rate == pytest.approx(rate)
    assert v.behaviour == "converges" and v.outcome == Agreement.AGREES, v.explanation
    assert close(v.rate, rate, TOLERANCES["rate_rel"], TOLERANCES["rate_abs"])
    # the plain log-linear slope is biased low by the t factor (what the run used to be judged on)
    assert all(m.rate == pytest.approx(rate, rel=1e-3) for m in v.measurements)


@pytest.mark.parametrize(("name", "options"), [("vanilla_ns", {}), ("wgan_gp", {"params": {"c": 0}}), ("unstable", {})])
def test_a_start_at_the_equilibrium_is_trivially_consistent(name, options):
    a = _unstable() if name == "unstable" else analyze(name, **options)
    v = a.verify(x0=np.zeros((2, 2 * a.dim)), t_end=60.0)
    assert v.behaviour == "stationary" and v.outcome == Agreement.AGREES
    assert "trivially consistent" in v.explanation and "closed orbits" not in v.explanation
    assert all(m.behaviour == "stationary" and not m.settled and m.radius is None for m in v.measurements)


def _phi_relaxes():
    """phi' = -phi, theta' = 0 (L_D = phi^2 / 2, L_G = 0): every point of phi = 0 is an equilibrium."""
    phi, theta = symbols(1)
    return analyze(Variant("relax", d_loss=phi[0] ** 2 / 2, g_loss=0 * theta[0], phi=phi, theta=theta))


def test_points_that_do_not_move_are_not_closed_orbits():
    a = _phi_relaxes()
    assert [sp.expand(f) for f in a.vector_field] == [-a.state[0], 0]
    v = a.verify(x0=[[0.0, 0.3], [0.0, -0.2]], t_end=50.0)  # on the line of equilibria: nothing moves
    assert v.behaviour == "stationary" and v.outcome == Agreement.AGREES
    assert all(not m.settled and m.radius is None for m in v.measurements)


def test_convergence_to_a_line_of_equilibria_is_not_oscillation():
    # By hand: phi(t) = phi0 e^(-t), theta = theta0: each start comes to rest at (0, theta0), |z| -> |theta0|.
    v = _phi_relaxes().verify(x0=[[0.3, 0.4], [-0.2, 0.1]], t_end=50.0)
    assert v.classification == "non-hyperbolic" and v.behaviour == "converges" and v.agrees
    assert [m.rest_distance for m in v.measurements] == pytest.approx([0.4, 0.1], rel=1e-6)
    assert "away from the origin" in v.explanation


def _plane_of_equilibria():
    """dim 2: (phi_1, theta_1) a damped rotation phi_1' = -phi_1 - theta_1, theta_1' = phi_1 (lambda^2 + lambda + 1
    = 0: -1/2 +- i sqrt(3)/2); phi_2' = theta_2' = 0: the plane phi_1 = theta_1 = 0 is a plane of equilibria."""
    phi, theta = symbols(2)
    d_loss = phi[0] ** 2 / 2 + phi[0] * theta[0]
    return analyze(Variant("plane", d_loss=d_loss, g_loss=-phi[0] * theta[0], phi=phi, theta=theta))


def test_spiralling_onto_a_plane_of_equilibria_is_convergence_not_oscillation():
    a = _plane_of_equilibria()
    assert a.classification == "non-hyperbolic"
    x0 = np.array([[0.4, 0.1, 0.3, 0.2], [-0.3, 0.05, 0.35, -0.1], [0.2, -0.3, -0.4, 0.25]])
    v = a.verify(x0=x0, t_end=80.0)
    # the rotating pair decays like e^(-t/2); each start comes to rest at (0, phi_2(0), 0, theta_2(0))
    assert v.behaviour == "converges" and v.agrees and v.counts == {"converges": 3}
    expected = np.hypot(x0[:, 1], x0[:, 3])
    assert [m.rest_distance for m in v.measurements] == pytest.approx(expected.tolist(), rel=1e-6)
    assert "oscillate" not in v.explanation and "away from the origin" in v.explanation


def test_lsgan_in_dimension_one_comes_to_rest_on_its_line_of_equilibria():
    # LSGAN (a, b, c) = (0, 1, 1), n = 1: phi' = -phi theta^2, theta' = phi (1 - phi theta); phi = 0 is a line of
    # equilibria and the Jacobian [[0, 0], [1, 0]] has the double eigenvalue 0. The limits come from SciPy.
    a = analyze("lsgan", dim=1)
    x0 = np.array([[0.3, 0.2], [-0.2, 0.35], [0.1, -0.4]])
    v = a.verify(x0=x0, t_end=2000.0)

    def f(t, z):
        return [-z[0] * z[1] ** 2, z[0] * (1 - z[0] * z[1])]

    limits = [np.linalg.norm(solve_ivp(f, (0, 2000.0), z0, **TIGHT).y[:, -1]) for z0 in x0]
    assert v.behaviour == "converges" and v.agrees and "oscillate" not in v.explanation
    assert [m.rest_distance for m in v.measurements] == pytest.approx(limits, rel=1e-3)


def _bistable():
    """phi' = phi^3 - phi, theta' = -theta: stable origin; |phi0| > 1 blows up in finite time."""
    phi, theta = symbols(1)
    p, t = phi[0], theta[0]
    return analyze(Variant("bistable", d_loss=p**2 / 2 - p**4 / 4, g_loss=t**2 / 2, phi=phi, theta=theta))


def test_a_tie_between_behaviours_is_reported_as_a_split():
    a = _bistable()
    assert [sp.expand(f) for f in a.vector_field] == [a.state[0] ** 3 - a.state[0], -a.state[1]]
    v = a.verify(x0=[[0.5, 0.1], [1.5, 0.1]], t_end=50.0)
    assert v.behaviour == "split" and v.split == ("converges", "diverges")
    assert v.outcome == Agreement.INCONCLUSIVE and "split evenly" in v.explanation
    # the finite-time blow-up (phi^2 = 1 / (1 - (1 - 1/phi0^2) e^(2t)), t* = ln(1.8) / 2) diverges, not "singular"
    blow = v.measurements[1]
    assert blow.behaviour == "diverges" and blow.stop_time == pytest.approx(np.log(1.8) / 2, rel=1e-3)
    assert "discontinuity" not in v.explanation


def _quadratic_escape():
    """phi' = phi^2 - phi, theta' = -theta: a stable node at 0; from phi0 > 1, phi = 1 / (1 - (1 - 1/phi0) e^t)
    blows up at t* = ln(phi0 / (phi0 - 1))."""
    phi, theta = symbols(1)
    p, t = phi[0], theta[0]
    return analyze(Variant("escape", d_loss=p**2 / 2 - p**3 / 3, g_loss=t**2 / 2, phi=phi, theta=theta))


def test_a_finite_time_blow_up_of_a_polynomial_field_diverges_at_the_exact_time():
    a = _quadratic_escape()
    assert [sp.expand(f) for f in a.vector_field] == [a.state[0] ** 2 - a.state[0], -a.state[1]]
    starts = [2.0, 3.0, 1.25]
    v = a.verify(x0=[[p0, 0.1] for p0 in starts], t_end=50.0)
    assert v.behaviour == "diverges" and v.counts == {"diverges": 3} and not v.bounded
    for m, p0 in zip(v.measurements, starts):
        assert m.stop_time == pytest.approx(np.log(p0 / (p0 - 1)), rel=1e-4)
    assert v.outcome == Agreement.DISAGREES  # they left the basin: not the predicted convergence
    assert "escaped to infinity or blew up in finite time" in v.explanation and "discontinuity" not in v.explanation


def test_a_majority_is_not_a_split():
    v = _bistable().verify(x0=[[0.5, 0.1], [0.3, -0.2], [1.5, 0.1]], t_end=50.0)
    assert v.behaviour == "converges" and v.split == () and v.counts == {"converges": 2, "diverges": 1}


def test_radius_of_a_closed_orbit_is_its_largest_theta():
    # vanilla_sat in dimension 1: d/dt (phi^2 + theta^2) = -2 sigma phi theta + 2 sigma theta phi = 0 and the angle
    # turns at the rate sigma(phi theta) > 0: the orbit is the circle |z| = |z0|, whose largest |theta| is |z0|
    # (the mean of |theta| over a turn would be 2 |z0| / pi).
    v = analyze("vanilla_sat", dim=1).verify(samples=4)
    assert v.behaviour == "oscillates" and v.agrees
    for m in v.measurements:
        assert m.settled and m.radius == pytest.approx(m.initial_distance, rel=1e-3)
    assert v.radius == pytest.approx(np.median([m.initial_distance for m in v.measurements]), rel=1e-3)


def _two_pairs(r1, r2, w1, w2):
    """dim 2, per coordinate: phi_k' = -w_k theta_k - 2 r_k phi_k, theta_k' = w_k phi_k, so each pair has
    lambda^2 + 2 r_k lambda + w_k^2 = 0: lambda = -r_k +- i sqrt(w_k^2 - r_k^2)."""
    phi, theta = symbols(2)
    r, w = [sp.nsimplify(r1), sp.nsimplify(r2)], [sp.nsimplify(w1), sp.nsimplify(w2)]
    d_loss = sum(w[k] * phi[k] * theta[k] + r[k] * phi[k] ** 2 for k in range(2))
    g_loss = -sum(w[k] * phi[k] * theta[k] for k in range(2))
    return analyze(Variant("two_pairs", d_loss=d_loss, g_loss=g_loss, phi=phi, theta=theta))


@pytest.mark.parametrize(("r1", "r2", "w1", "w2"), [(0.1, 0.1001, 1, 2), (0.1, 0.1, 1, 2), (0.1, 0.102, 1, 3)])
def test_nearly_tied_slowest_modes_with_different_frequencies_agree(r1, r2, w1, w2):
    a = _two_pairs(r1, r2, w1, w2)
    v = a.verify()
    freqs = sorted([np.sqrt(w1**2 - r1**2), np.sqrt(w2**2 - r2**2)])
    assert v.predicted_rate == pytest.approx(min(r1, r2)) and v.predicted_frequencies == pytest.approx(freqs)
    assert v.behaviour == "converges" and v.outcome == Agreement.AGREES, v.explanation
    assert close(v.rate, min(r1, r2), TOLERANCES["rate_rel"], TOLERANCES["rate_abs"])
    # each trajectory turns at the frequency of the pair it tracks: one of the two, never a disagreement
    for m in v.measurements:
        assert min(abs(m.frequency - f) for f in freqs) <= 0.01 * max(freqs), m


def test_well_separated_modes_predict_only_the_slowest_frequency():
    # rates 0.1 and 0.15 separate like e^(-0.05 t): over the default run (15 / 0.1 = 150) the faster one fades
    v = _two_pairs(0.1, 0.15, 1, 2).verify()
    assert v.predicted_frequencies == pytest.approx([np.sqrt(0.99)])
    assert v.outcome == Agreement.AGREES and close(v.rate, 0.1, TOLERANCES["rate_rel"], TOLERANCES["rate_abs"])


def test_verify_is_linear_in_the_number_of_samples():
    # Trajectories.norm used to be recomputed on each access: verify(samples=2000) took minutes.
    start = time.perf_counter()
    v = analyze("vanilla_ns").verify(samples=2000, t_end=50.0)
    assert time.perf_counter() - start < 60.0  # about 1.5 s on a quiet machine
    assert len(v.measurements) == 2000


def test_verification_is_immutable_pickles_and_deep_copies():
    v = verified("wgan_gp", params=(("c", 0),))
    for copy_ in (pickle.loads(pickle.dumps(v)), copy.deepcopy(v)):
        assert copy_ == v and copy_ is not v and copy_.to_dict() == v.to_dict()
        assert copy_.outcome is Agreement.AGREES and copy_.agrees is True
    with pytest.raises(AttributeError):
        v.__dict__  # noqa: B018 - slotted: nothing to mutate behind the frozen fields
    with pytest.raises(TypeError):
        v.params["lam"] = "1"  # type: ignore[index]
    with pytest.raises(AttributeError):
        v.measurements[0].rate = 0.0  # type: ignore[misc]
    assert v != replace(v, explanation="changed")


def test_confirmation_records_are_immutable_pickle_and_deep_copy():
    c = analyze("vanilla_sat", dim=1).nonlinear.confirm(t_end=20.0)
    # |phi|^2 + |theta|^2 is conserved (d/dt = -2 sigma u + 2 sigma u = 0): the check passes with a tiny drift
    assert c.ok and c.checks[0].measured < 1e-5
    for copy_ in (pickle.loads(pickle.dumps(c)), copy.deepcopy(c)):
        assert copy_ == c and copy_.to_dict() == c.to_dict()
    assert c != replace(c, note="changed")
    with pytest.raises(AttributeError):
        c.checks[0].ok = False  # type: ignore[misc]
    with pytest.raises(AttributeError):
        c.__dict__  # noqa: B018


# ----------------------------------------------------------------------------- the record and bad input


def test_record_output():
    v = verified("wgan_gp", params=(("c", 0),))
    data = json.loads(json.dumps(v.to_dict()))
    assert data["behaviour"] == "converges" and len(data["measurements"]) == 8
    assert data["settings"]["rtol"] == 1e-6 and data["tolerances"]["rate_rel"] == 0.02
    assert repr(v).startswith("Verification('wgan_gp', dim=2: stable -> converges, agrees=True; final distance=")
    md = v._repr_markdown_()
    assert "| numeric behaviour | **converges** (8/8 converges) |" in md and "predicted 0.1" in md
    with pytest.raises(AttributeError):
        v.behaviour = "diverges"


def test_verify_bad_input():
    a = analyze("vanilla_ns")
    with pytest.raises(InvalidParameterError, match="samples must be a positive integer; received 0"):
        a.verify(samples=0)
    with pytest.raises(InvalidParameterError, match="t_end must be a positive number"):
        a.verify(t_end=-1.0)
    with pytest.raises(InvalidParameterError, match="symbolic lam"):
        analyze("wgan_gp", params={"lam": sp.Symbol("lam", positive=True)}).verify()


# ----------------------------------------------------------------------------- command line


def test_cli_verify_text(capsys):
    assert main(["verify", "wgan_gp", "--param", "c=0", "--samples", "3", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "symbolic verdict: stable (focus)" in out and "numeric verdict:  converges" in out
    assert re.search(r"rate +0\.(1|0999\d) \(predicted 0\.1\)", out) and "agrees: yes" in out


def test_cli_verify_json(capsys):
    assert main(["verify", "vanilla_ns", "--reg", "l2=0.1", "--samples", "2", "--t-end", "100", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["behaviour"] == "converges" and data["settings"]["t_end"] == 100.0 and data["agrees"] is True


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["verify", "vanila"], "unknown variant 'vanila'"),
        (["verify", "vanilla_ns", "--samples", "0"], "samples must be a positive integer"),
        (["verify", "wgan_gp", "--param", "lam=-1"], "lam must be > 0"),
        (["verify", "wgan_gp", "--param", "lam=lam"], "symbolic lam"),
        (["verify", "vanilla_ns", "--t-end", "0"], "t_end must be a positive number"),
    ],
)
def test_cli_verify_bad_input_exits_2_with_one_line(capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and err.startswith("stability verify: error:")


def test_progress_bar_on_a_terminal_and_quiet_otherwise():
    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    bar = Progress("verifying x", stream=tty)
    bar.start -= 10  # a long run
    for f in (0.1, 0.5, 1.0):
        bar(f)
    bar.close()
    assert "\rverifying x [###" in tty.getvalue() and "100%" in tty.getvalue() and tty.getvalue().endswith("\n")
    pipe = io.StringIO()
    quick = Progress("verifying x", stream=pipe)
    for f in (0.5, 1.0):
        quick(f)
    assert pipe.getvalue() == ""  # a short run on a pipe prints nothing
    slow = Progress("verifying x", stream=pipe)
    slow.start -= 10
    for f in np.linspace(0.01, 1, 100):
        slow(f)
    assert pipe.getvalue().count("\n") == 4 and "100% after" in pipe.getvalue()
