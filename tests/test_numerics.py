"""Tests of :mod:`stability.numerics.simulate`: the batch field, ``simulate``, ``Trajectories``, the weight EMA.

References are independent of the code under test: hand-written NumPy fields, SymPy's own
evaluation of the exact field, SciPy's ``solve_ivp`` at tight tolerance, closed forms.
"""

from __future__ import annotations

import copy
import gc
import pickle
import warnings
import weakref
from dataclasses import replace

import numpy as np
import pytest
import sympy as sp
from helpers import TIGHT, by_hand
from scipy.integrate import solve_ivp

from stability import InvalidParameterError, Trajectories, Variant, analyze, symbols
from stability.model.space import DOT, NORM_PHI, NORM_THETA
from stability.numerics.field import numeric_function
from stability.numerics.integrate import Status
from stability.numerics.simulate import TrajectoryWarning, numeric_field, random_states, simulate
from stability.numerics.trajectories import CutoffReason

BUILTINS = ("vanilla_ns", "vanilla_sat", "wgan", "wgan_gp", "gan_qp")
STATES = np.array([[0.3, -0.2, 0.1, 0.35], [-0.7, 0.05, 0.4, 0.9], [1.5, 2.0, -0.3, 0.01]])


# ----------------------------------------------------------------------------- the batch field


@pytest.mark.parametrize("name", BUILTINS)
@pytest.mark.parametrize("l2", [0.0, 0.1])
def test_field_matches_the_post_formulas(name, l2):
    a = analyze(name, regularizers={"l2": l2} if l2 else None)
    assert a.dynamics.invariant is not None  # the rotation-invariant path
    np.testing.assert_allclose(numeric_field(a)(STATES), by_hand(name, STATES, l2=l2), rtol=1e-13, atol=1e-15)


@pytest.mark.parametrize("name", BUILTINS)
@pytest.mark.parametrize("dim", [1, 3])
def test_field_matches_sympy_evaluation_of_the_exact_field(name, dim):
    a = analyze(name, dim=dim)
    z = np.random.default_rng(dim).uniform(-1, 1, (4, 2 * dim))
    expected = [
        [float(c.xreplace(dict(zip(a.state, map(sp.Float, row)))).rewrite(sp.exp).evalf(30)) for c in a.vector_field]
        for row in z
    ]
    np.testing.assert_allclose(numeric_field(a)(z), expected, rtol=1e-12, atol=1e-15)


def test_invariant_field_cost_does_not_depend_on_dim():
    a = analyze("vanilla_ns", dim=500)
    assert a.dynamics.invariant is not None
    z = np.random.default_rng(0).normal(size=(7, 1000)) / 30
    np.testing.assert_allclose(numeric_field(a)(z), by_hand("vanilla_ns", z), rtol=1e-13)


def test_custom_component_field_and_constant_components():
    phi, theta = symbols(1)
    v = Variant("lin", d_loss=phi[0] * theta[0], g_loss=-phi[0] * theta[0], phi=phi, theta=theta)
    f = numeric_field(analyze(v))
    np.testing.assert_allclose(f(np.array([[1.0, 2.0], [3.0, -1.0]])), [[-2.0, 1.0], [1.0, 3.0]])


def test_field_is_cached_per_analysis_and_released_with_it():
    a = analyze("gan_qp")
    f = numeric_field(a)
    assert numeric_field(a) is f
    ref = weakref.ref(a)
    del a, f
    gc.collect()
    assert ref() is None


def test_singular_points_give_nan_or_inf_not_an_exception():
    with np.errstate(all="ignore"):
        out = numeric_field(analyze("wgan"))(np.array([[0.0, 0.0, 0.3, 0.1], [0.1, 0.0, 0.3, 0.1]]))
    assert not np.isfinite(out[0]).all() and np.isfinite(out[1]).all()


def test_symbolic_parameters_are_refused_with_a_clear_message():
    with pytest.raises(InvalidParameterError, match="symbolic lam"):
        numeric_field(analyze("wgan_gp", params={"lam": sp.Symbol("lam", positive=True)}))
    with pytest.raises(InvalidParameterError, match="symbolic alpha"):
        analyze("vanilla_ns", regularizers=["l2"]).simulate(2, 1.0)


# ----------------------------------------------------------------------------- accuracy against SciPy


CASES = [(name, {}, 20.0) for name in BUILTINS] + [
    ("vanilla_ns", {"regularizers": {"l2": 0.1}}, 20.0),
    ("gan_qp", {"regularizers": {"l2": 0.1}}, 20.0),
    ("wgan_gp", {"params": {"c": 0}}, 20.0),
    ("wgan_gp", {"regularizers": {"l2": 0.1}}, 20.0),
    ("wgan", {"regularizers": {"l2": 0.1}}, 8.0),  # |phi| -> 0 (a singularity) as t grows
]


@pytest.mark.parametrize(("name", "options", "t_end"), CASES)
def test_simulate_agrees_with_scipy_dop853(name, options, t_end):
    a = analyze(name, **options)
    x0 = np.array([0.3, -0.2, 0.1, 0.35])
    tr = a.simulate(x0, t_end, dt=0.05)

    def rhs(t, z):
        return by_hand(name, z[None], **_hand_options(options))[0]

    ref = solve_ivp(rhs, (0.0, t_end), x0, t_eval=tr.times, **TIGHT)
    assert ref.success and tr.ok.all()
    assert np.abs(tr.states[0] - ref.y.T).max() < 1e-6


def _hand_options(options):
    out = {}
    if "params" in options:
        out["c"] = float(options["params"]["c"])
    if "regularizers" in options:
        out["l2"] = float(options["regularizers"]["l2"])
    return out


def test_dimension_one_and_three_against_scipy():
    for dim, x0 in ((1, [0.3, 0.2]), (3, [0.3, -0.2, 0.1, 0.35, 0.1, -0.25])):
        a = analyze("vanilla_ns", dim=dim)
        tr = a.simulate(x0, 30.0, dt=0.1)
        ref = solve_ivp(lambda t, z: by_hand("vanilla_ns", z[None])[0], (0, 30.0), x0, t_eval=tr.times, **TIGHT)
        assert np.abs(tr.states[0] - ref.y.T).max() < 1e-6


# ----------------------------------------------------------------------------- simulate: inputs


def test_random_initial_states_are_seeded_in_the_ball_and_away_from_singular_sets():
    x = random_states(2, 500, seed=3, radius=0.5)
    assert x.shape == (500, 4)
    assert (np.linalg.norm(x, axis=1) <= 0.5).all()
    assert (np.linalg.norm(x[:, :2], axis=1) >= 0.005).all() and (np.linalg.norm(x[:, 2:], axis=1) >= 0.005).all()
    np.testing.assert_array_equal(x, random_states(2, 500, seed=3, radius=0.5))
    a = analyze("vanilla_sat")
    tr1, tr2 = a.simulate(5, 1.0, seed=7), a.simulate(5, 1.0, seed=7)
    np.testing.assert_array_equal(tr1.x0, tr2.x0)
    assert tr1.x0.shape == (5, 4)


def test_x0_shapes():
    a = analyze("vanilla_ns")
    one = a.simulate([0.1, 0.2, 0.2, 0.1], 1.0, dt=0.1)
    assert one.states.shape == (1, 11, 4) and one.phi.shape == (1, 11, 2) and one.theta.shape == (1, 11, 2)
    # phi is the first half of the state ordering phi_1..phi_n, theta_1..theta_n, at every time
    np.testing.assert_array_equal(one.phi[0, 0], [0.1, 0.2])
    np.testing.assert_array_equal(one.theta[0, 0], [0.2, 0.1])
    ref = solve_ivp(lambda t, z: by_hand("vanilla_ns", z[None])[0], (0, 1.0), [0.1, 0.2, 0.2, 0.1], **TIGHT)
    assert np.abs(one.phi[0, -1] - ref.y[:2, -1]).max() < 1e-7 and np.abs(one.theta[0, -1] - ref.y[2:, -1]).max() < 1e-7
    many = a.simulate(np.tile([0.1, 0.2, 0.2, 0.1], (3, 1)), 1.0, dt=0.1)
    assert many.states.shape == (3, 11, 4)
    np.testing.assert_array_equal(many.states[1], one.states[0])  # no cross-talk between rows


@pytest.mark.parametrize(
    ("x0", "t_end", "options", "message"),
    [
        ([0.1, 0.2, 0.3], 1.0, {}, r"shape \(K, 4\).*received shape \(3,\)"),
        ([[0.1, np.nan, 0.2, 0.1]], 1.0, {}, "finite"),
        ("abc", 1.0, {}, "x0 must be"),
        (True, 1.0, {}, "x0 must be"),
        (0, 1.0, {}, "positive integer"),
        (2, 1.05, {"dt": 0.1}, "whole number of steps"),
        (2, -1.0, {}, "t_end must be a positive"),
        (2, 1.0, {"dt": 0.0}, "dt must be a positive"),
        (2, 1.0, {"store": "yes"}, "store must be"),
        (2, 1.0, {"ema": (1.0,)}, r"beta must be in \[0, 1\)"),
        (2, 1.0, {"summary_every": 0}, "summary_every"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(x0, t_end, options, message):
    with pytest.raises(InvalidParameterError, match=message):
        analyze("vanilla_ns").simulate(x0, t_end, **options)


def test_store_refused_when_too_large_but_summary_mode_accepts_it():
    a = analyze("vanilla_ns")
    with pytest.raises(InvalidParameterError, match="store=False"):
        a.simulate(np.full((100_000, 4), 0.1), 1000.0, dt=0.01)


# ----------------------------------------------------------------------------- stopping and reporting


def test_singularity_stops_the_trajectory_and_is_reported():
    a = analyze("wgan")
    with pytest.warns(TrajectoryWarning, match="1 of 2 trajectories stopped.*NONFINITE"):
        tr = a.simulate([[0.0, 0.0, 0.3, 0.1], [0.2, 0.1, 0.3, 0.1]], 1.0, dt=0.1)
    assert tr.ok.tolist() == [False, True]
    assert tr.status[0] == Status.NONFINITE and tr.stop_time[0] == 0.0
    (fail,) = tr.failures()
    assert fail["index"] == 0 and fail["status"] == "NONFINITE" and "singularity" in fail["message"]
    assert np.isfinite(tr.states[1]).all()
    assert np.isnan(tr.states[0, 1:]).all()  # NaN only after the stop, and flagged by status
    assert "1 OK, 1 NONFINITE" in repr(tr)


def test_overflow_is_reported():
    phi, theta = symbols(1)
    v = Variant("grow", d_loss=-(phi[0] ** 2), g_loss=-(theta[0] ** 2), phi=phi, theta=theta)  # z' = 2 z
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        tr = analyze(v).simulate([[1.0, 0.0], [0.0, 0.0]], 20.0, dt=0.5, blowup=1e6, warn=False)
    assert tr.status.tolist() == [Status.OVERFLOW, Status.OK]
    assert np.abs(tr.final[0]).max() > 1e6 and tr.stop_time[0] >= np.log(1e6) / 2  # phi = e^(2t)
    assert tr.final[0, 0] == pytest.approx(np.exp(2 * tr.stop_time[0]), rel=1e-6)


def test_step_budget_keeps_what_was_computed():
    a = analyze("wgan", regularizers={"l2": 0.1})  # |phi| -> 0: the rotation speeds up without bound
    with pytest.warns(TrajectoryWarning, match="STEP_UNDERFLOW"):
        tr = a.simulate([0.3, -0.2, 0.1, 0.35], 50.0, dt=0.05, store=True, max_steps_per_output=50)
    assert tr.note is not None and "step budget" in tr.note
    assert 5.0 < tr.t_end < 50.0 and tr.states.shape[1] == tr.times.size
    assert np.isfinite(tr.states).all() and tr.status[0] == Status.STEP_UNDERFLOW
    assert "step budget" in tr.failures()[0]["message"]
    assert tr.cutoff.reason == CutoffReason.STALLED and tr.cutoff.limit == 50 and tr.cutoff.reached == tr.t_end
    assert tr.cut_short().tolist() == [True]
    # what was computed is right: |phi| decays like exp(-2 alpha t) (closed form: d|phi|/dt = -0.2 |phi|)
    nphi = np.linalg.norm(tr.phi[0], axis=1)
    np.testing.assert_allclose(nphi, nphi[0] * np.exp(-0.2 * tr.times), rtol=1e-5)


def test_max_steps_budget_ends_the_run_with_a_structured_cutoff():
    a = analyze("vanilla_ns")
    tr = a.simulate([0.3, -0.2, 0.1, 0.35], 50.0, dt=0.05, max_steps=40, warn=False)
    assert tr.cutoff.reason == CutoffReason.MAX_STEPS and tr.cutoff.limit == 40
    assert 0.0 < tr.t_end < 50.0 and tr.cutoff.reached == tr.t_end
    assert tr.note == tr.cutoff.note and "Integrator: integrate: max_steps=40" in tr.note
    assert "Integrator" not in tr.cutoff.summary
    # what was computed is right (SciPy on the hand-written field)
    ref = solve_ivp(lambda t, z: by_hand("vanilla_ns", z[None])[0], (0.0, tr.t_end), tr.x0[0], t_eval=tr.times, **TIGHT)
    assert np.abs(tr.states[0] - ref.y.T).max() < 1e-7


# ----------------------------------------------------------------------------- summaries


def test_summaries_are_the_same_with_and_without_stored_states():
    a = analyze("vanilla_ns")
    kw = {"seed": 2, "dt": 0.01, "summary_every": 7, "ema": (0.999, 0.9)}
    full, summ = a.simulate(4, 30.0, store=True, **kw), a.simulate(4, 30.0, store=False, **kw)
    assert summ.states is None
    idx = np.r_[np.arange(0, 3001, 7), 3000]
    np.testing.assert_array_equal(summ.summary_times, full.times[idx])
    np.testing.assert_allclose(summ.phi_norm, np.linalg.norm(full.phi[:, idx], axis=2), rtol=1e-14)
    np.testing.assert_allclose(summ.theta_norm, np.linalg.norm(full.theta[:, idx], axis=2), rtol=1e-14)
    r = np.linalg.norm(full.states, axis=2)
    np.testing.assert_allclose(summ.max_norm, r.max(axis=1), rtol=1e-14)
    np.testing.assert_allclose(summ.min_norm, r.min(axis=1), rtol=1e-14)
    np.testing.assert_allclose(summ.ema(0.9), full.ema(0.9)[:, idx], rtol=1e-12)
    np.testing.assert_allclose(summ.ema_final(0.999), full.ema(0.999)[:, -1], rtol=1e-12)
    # winding: the angle of the tracked pair, unwrapped
    k = summ.pair
    angle = np.unwrap(np.arctan2(full.theta[np.arange(4), :, k], full.phi[np.arange(4), :, k]), axis=1)
    np.testing.assert_allclose(summ.winding, (angle - angle[:, :1])[:, idx], atol=1e-9)
    with pytest.raises(InvalidParameterError, match="not stored"):
        _ = summ.phi
    with pytest.raises(InvalidParameterError, match="beta=0.5 was not computed"):
        summ.ema(0.5)


def test_summary_memory_does_not_grow_with_the_number_of_steps():
    tr = analyze("gan_qp").simulate(3, 200.0, dt=0.01, store=False, ema=())  # 20,001 steps
    assert tr.summary_times.size <= 1001 and tr.norm.shape == (3, tr.summary_times.size)
    assert tr.summary_times[-1] == 200.0


# ----------------------------------------------------------------------------- weight EMA


def test_ema_is_the_stated_recursion_and_does_not_change_the_trajectory():
    a = analyze("vanilla_ns")
    x0 = [0.1, 0.2, 0.2, 0.1]
    plain = a.simulate(x0, 5.0, dt=0.01, ema=())
    with_ema = a.simulate(x0, 5.0, dt=0.01, ema=(0.999, 0.9))
    np.testing.assert_array_equal(plain.states, with_ema.states)  # post-processing only
    theta = plain.theta[0]
    expected = [theta[0]]
    for th in theta[1:]:
        expected.append(0.9 * expected[-1] + 0.1 * th)
    np.testing.assert_allclose(plain.ema(0.9)[0], expected, rtol=1e-13)
    assert plain.ema(0.999).shape == (1, 501, 2)
    np.testing.assert_array_equal(plain.ema(0.0), plain.theta)  # beta = 0: no averaging
    with pytest.raises(InvalidParameterError, match="beta"):
        plain.ema(-0.1)


# ----------------------------------------------------------------------------- the record


def test_record_is_frozen_readonly_and_readable():
    tr = analyze("wgan_gp").simulate(2, 1.0, seed=0, dt=0.1)
    assert isinstance(tr, Trajectories)
    with pytest.raises(AttributeError):
        tr.dt = 1.0
    with pytest.raises(ValueError):
        tr.states[0, 0, 0] = 1.0
    assert repr(tr) == (
        "Trajectories('wgan_gp', dim=2, K=2, t in [0, 1], dt=0.1, 11 steps, states stored; status: 2 OK)"
    )
    assert tr.messages == (Status.OK.message,) * 2 and tr.failures() == []


def test_simulate_from_random_states_matches_scipy():
    # K random starts: the documented draw (random_states with the seed), each integrated like SciPy does.
    tr = simulate(analyze("gan_qp"), 3, 2.0, seed=1, dt=0.1)
    x0 = random_states(2, 3, seed=1)
    np.testing.assert_array_equal(tr.x0, x0)
    for k in range(3):
        ref = solve_ivp(lambda t, z: by_hand("gan_qp", z[None])[0], (0.0, 2.0), x0[k], t_eval=tr.times, **TIGHT)
        assert np.abs(tr.states[k] - ref.y.T).max() < 1e-7


def test_norm_is_computed_once_from_the_summaries():
    tr = analyze("vanilla_ns").simulate(3, 5.0, dt=0.1, seed=4, store=True)
    assert tr.norm is tr.norm and not tr.norm.flags.writeable  # an array computed once, not on each access
    np.testing.assert_array_equal(tr.summary_times, tr.times)  # 50 steps: every step is on the summary grid
    np.testing.assert_allclose(tr.norm, np.linalg.norm(tr.states, axis=2), rtol=1e-14)


def test_trajectories_pickle_and_deep_copy_frozen():
    tr = analyze("wgan_gp", params={"c": 0}).simulate(2, 2.0, dt=0.1, seed=3, ema=(0.9,))
    deep = copy.deepcopy(tr)
    assert deep == tr and deep.analysis is tr.analysis  # the immutable analysis is shared, the arrays copied
    assert not np.shares_memory(deep.states, tr.states) and not deep.states.flags.writeable
    # (Analysis itself does not pickle yet: the record's own state is checked without it)
    plain = replace(tr, analysis=None)
    back = pickle.loads(pickle.dumps(plain))
    assert back == plain and back != replace(plain, dt=0.2)
    for name in ("states", "x0", "final", "status", "norm", "winding", "max_norm"):
        assert not getattr(back, name).flags.writeable, name
    np.testing.assert_array_equal(back.ema(0.9), tr.ema(0.9))
    with pytest.raises(AttributeError):
        tr.__dict__  # noqa: B018 - slotted: no instance dictionary to mutate behind the frozen fields


def test_numeric_function_of_invariants_and_components():
    a = analyze("vanilla_ns")
    z = np.array(
        [[3.0, 0.0, 0.0, 4.0], [1.0, 2.0, 2.0, -1.0]]
    )  # |phi|, |theta|, theta.phi: (3, 4, 0), (sqrt5, sqrt5, 0)
    np.testing.assert_allclose(numeric_function(NORM_PHI**2 + NORM_THETA**2, a)(z), [25.0, 10.0])
    np.testing.assert_allclose(numeric_function(DOT + 1, a)(z), [1.0, 1.0])
    np.testing.assert_allclose(numeric_function(a.state[0] * a.state[3], a)(z), [12.0, -1.0])
    assert numeric_function(sp.Integer(2), a)(z).shape == (2,)


@pytest.mark.parametrize(
    "x0, t_end, match",
    [
        (2, 1e12, "training steps is too many"),  # the time grid alone would need terabytes
        (10**9, 1.0, "working memory"),
    ],
)
def test_impossible_runs_are_refused_before_allocating(x0, t_end, match):
    with pytest.raises(InvalidParameterError, match=match):
        analyze("vanilla_ns").simulate(x0, t_end, store=False)
