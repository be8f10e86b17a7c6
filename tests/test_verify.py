"""The post's numerical claims, checked by ``Analysis.verify`` and against independent references.

References: SciPy's ``solve_ivp`` (DOP853, rtol 1e-10, atol 1e-12) on hand-written fields, closed
forms (eigenvalues of the 2x2 block, conserved quantities, the WGAN-GP circle), never values the
code printed before.
"""

from __future__ import annotations

import io
import json
import re
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


def block_eigen(block) -> tuple[float, float]:
    """(-max Re, |Im|) of a 2x2 block, by the closed form (trace, determinant)."""
    (a, b), (c, d) = block
    tr, det = a + d, a * d - b * c
    disc = tr**2 / 4 - det
    if disc < 0:
        return -tr / 2, float(np.sqrt(-disc))
    return -(tr / 2 + float(np.sqrt(disc))), 0.0


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
    # phi' = -theta/2, theta' = phi/2 exactly: a rotation at frequency 1/2. Checked with SciPy.
    x0 = np.array([0.3, -0.2, 0.1, 0.35])
    ref = solve_ivp(lambda t, z: by_hand("vanilla_ns", z[None])[0], (0, 300.0), x0, **TIGHT)
    phi, theta = ref.y[:2, -1], ref.y[2:, -1]
    assert abs(phi @ theta) < 1e-5 and abs(np.linalg.norm(phi) - np.linalg.norm(theta)) < 1e-4
    assert np.linalg.norm(ref.y[:, -1]) > 0.45


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
    rate, freq = block_eigen([[-0.2, -1.0], [1.0, 0.0]])  # phi' = -theta - 2 lam phi, theta' = phi
    assert (rate, freq) == pytest.approx((0.1, np.sqrt(0.99)))
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
    ref = solve_ivp(lambda t, z: by_hand("wgan_gp", z[None], c=c)[0], (0, 150.0), [0.3, -0.2, 0.1, 0.35], **TIGHT)
    phi, theta = ref.y[:2, -1], ref.y[2:, -1]
    assert np.linalg.norm(theta) == pytest.approx(c, rel=1e-4) and np.linalg.norm(phi) == pytest.approx(c, rel=1e-4)


def test_gan_qp_oscillates_at_frequency_one():
    v = verified("gan_qp")
    assert v.behaviour == "oscillates" and v.agrees and v.final_distance > 0.1
    # on the orbit theta.phi = 0 the field is phi' = -theta, theta' = phi: frequency 1 exactly
    assert v.frequency == pytest.approx(1.0, rel=1e-3)


@pytest.mark.parametrize(
    ("name", "block"),
    [("vanilla_ns", [[-0.2, -0.5], [0.5, 0.0]]), ("gan_qp", [[-0.2, -1.0], [1.0, 0.0]])],
)
def test_l2_moves_toward_the_equilibrium_at_the_eigenvalue_rate(name, block):
    rate, freq = block_eigen(block)  # L2 adds -2 alpha phi to phi'
    assert rate == pytest.approx(0.1)
    v = verified(name, l2=0.1)
    assert v.behaviour == "converges" and v.agrees and v.final_distance < 1e-5
    assert close(v.rate, rate, TOLERANCES["rate_rel"], TOLERANCES["rate_abs"])
    assert close(v.frequency, freq, TOLERANCES["frequency_rel"], TOLERANCES["frequency_abs"])
    if name == "vanilla_ns":
        assert freq == pytest.approx(np.sqrt(0.25 - 0.01))


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
    rate, freq = block_eigen([[0.1, -1.0], [1.0, 0.0]])
    assert v.behaviour == "diverges" and v.agrees and not v.bounded
    assert close(v.rate, rate, TOLERANCES["rate_rel"], TOLERANCES["rate_abs"]) and rate == pytest.approx(-0.05)
    assert close(v.frequency, freq, TOLERANCES["frequency_rel"], TOLERANCES["frequency_abs"])


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
        analyze("wgan_gp", params={"lam": sp.Symbol("lam")}).verify()


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
