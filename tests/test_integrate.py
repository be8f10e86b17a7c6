"""Tests of :mod:`stability.numerics.integrate`: exact solutions, SciPy cross-checks, stopping rules."""

from __future__ import annotations

import pickle
import warnings
from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.integrate import solve_ivp
from scipy.linalg import expm

from stability.numerics.integrate import IntegrationResult, Status, StepBudgetExceeded, integrate

# ----------------------------------------------------------------------------- fixtures


def vanilla_ns(z: np.ndarray) -> np.ndarray:
    """Non-saturating Dirac-GAN field, z = (phi, theta); works on (d,) and (K, d)."""
    n = z.shape[-1] // 2
    phi, theta = z[..., :n], z[..., n:]
    s = 1.0 / (1.0 + np.exp(-np.einsum("...i,...i->...", phi, theta)))[..., None]
    return np.concatenate([-s * theta, (1.0 - s) * phi], axis=-1)


def linear(a: np.ndarray):
    """The field z' = A z on (K, d) arrays."""
    return lambda z: z @ a.T


def exact_linear(a: np.ndarray, x0: np.ndarray, times: np.ndarray) -> np.ndarray:
    """(K, T, d) exact solution exp(A t) x0 of z' = A z."""
    return np.stack([x0 @ expm(a * t).T for t in times], axis=1)


HARMONIC = np.array([[0.0, -0.5], [0.5, 0.0]])  # w = 0.5: the linearised vanilla GAN


def harmonic_exact(x0: np.ndarray, times: np.ndarray) -> np.ndarray:
    c, s = np.cos(0.5 * times)[None, :], np.sin(0.5 * times)[None, :]
    p, q = x0[:, :1], x0[:, 1:]
    return np.stack([p * c - q * s, p * s + q * c], axis=-1)


# ----------------------------------------------------------------------------- accuracy


def test_harmonic_oscillator_matches_exact_solution_at_every_output_time():
    x0 = np.array([[1.0, 0.0], [0.0, 2.0], [-0.3, 0.7], [1e-3, -1e-3], [0.0, 0.0]])
    res = integrate(linear(HARMONIC), x0, 40.0, dt_out=0.1)
    exact = harmonic_exact(x0, res.times)
    assert res.states.shape == (5, 401, 2)
    assert res.ok.all()
    assert np.abs(res.states - exact).max() < 1e-7
    np.testing.assert_array_equal(res.final, res.states[:, -1])
    np.testing.assert_array_equal(res.stop_time, np.full(5, 40.0))
    np.testing.assert_allclose(res.times, np.arange(401) * 0.1, rtol=0, atol=1e-12)


def test_damped_linear_system_matches_matrix_exponential():
    a = np.array([[-0.1, -1.0, 0.0], [1.0, -0.2, 0.3], [0.0, -0.3, -0.5]])
    x0 = np.random.default_rng(1).normal(size=(6, 3))
    res = integrate(linear(a), x0, 20.0, dt_out=0.25)
    assert np.abs(res.states - exact_linear(a, x0, res.times)).max() < 1e-7


def test_nonlinear_scalar_with_closed_form():
    y0 = np.array([[2.0], [0.5], [-1.0], [0.0], [-3.0]])
    res = integrate(lambda y: -(y**3), y0, 10.0, dt_out=0.5)
    exact = y0[:, None, :] / np.sqrt(1.0 + 2.0 * y0[:, None, :] ** 2 * res.times[None, :, None])
    assert res.ok.all()
    assert np.abs(res.states - exact).max() < 1e-7


def test_agrees_with_scipy_dop853_one_by_one_on_vanilla_gan():
    rng = np.random.default_rng(7)
    x0 = np.vstack([rng.uniform(-0.5, 0.5, (5, 4)), rng.uniform(-2.0, 2.0, (3, 4))])
    res = integrate(vanilla_ns, x0, 30.0, dt_out=0.5)
    for k in range(len(x0)):
        ref = solve_ivp(
            lambda t, y: vanilla_ns(y),
            (0.0, 30.0),
            x0[k],
            method="DOP853",
            rtol=1e-10,
            atol=1e-12,
            t_eval=res.times,
        )
        assert ref.success
        np.testing.assert_allclose(res.states[k], ref.y.T, rtol=0, atol=1e-6)


def test_one_dimensional_x0_gives_a_batch_of_one():
    res = integrate(linear(HARMONIC), [1.0, 0.0], 1.0, dt_out=0.5)
    assert res.states.shape == (1, 3, 2)
    assert res.final.shape == (1, 2)
    np.testing.assert_allclose(res.final[0], [np.cos(0.5), np.sin(0.5)], atol=1e-9)


def test_error_decreases_with_rtol():
    x0 = np.array([[1.0, 0.0], [0.2, -0.4]])
    errors, evals = [], []
    for rtol in (1e-4, 1e-6, 1e-8, 1e-10):
        res = integrate(linear(HARMONIC), x0, 50.0, dt_out=0.1, rtol=rtol, atol=rtol * 1e-2)
        errors.append(np.abs(res.states - harmonic_exact(x0, res.times)).max())
        evals.append(res.n_evaluations)
    assert all(e1 > 10 * e2 for e1, e2 in pairwise(errors)), errors
    assert errors[-1] < 1e-8
    assert evals == sorted(evals) and evals[0] < evals[-1]


def test_dense_output_is_as_good_as_step_ends():
    # A very fine output grid (many outputs per step) must not degrade the accuracy.
    x0 = np.array([[1.0, 0.0]])
    fine = integrate(linear(HARMONIC), x0, 20.0, dt_out=0.001)
    assert fine.n_steps < 2000  # steps are not clipped to the 20,000 output times
    assert np.abs(fine.states - harmonic_exact(x0, fine.times)).max() < 1e-7


def test_batch_members_agree_with_solo_runs():
    rng = np.random.default_rng(3)
    x0 = rng.uniform(-1, 1, (4, 4))
    batch = integrate(vanilla_ns, x0, 20.0, dt_out=1.0)
    for k in range(4):
        solo = integrate(vanilla_ns, x0[k], 20.0, dt_out=1.0)
        np.testing.assert_allclose(batch.states[k], solo.states[0], rtol=0, atol=1e-7)


@settings(max_examples=20, deadline=None)
@given(
    skew=arrays(np.float64, (3, 3), elements=st.floats(-1.0, 1.0)),
    damping=st.floats(0.0, 0.5),
    x0=arrays(np.float64, (4, 3), elements=st.floats(-2.0, 2.0)),
)
def test_random_stable_linear_systems_match_expm(skew, damping, x0):
    a = (skew - skew.T) - damping * np.eye(3)  # rotation plus damping: |exp(At)| <= 1
    res = integrate(linear(a), x0, 10.0, dt_out=1.0)
    assert res.ok.all()
    assert np.abs(res.states - exact_linear(a, x0, res.times)).max() < 1e-7


# ----------------------------------------------------------------------------- stopping


def test_blow_up_is_stopped_while_the_rest_of_the_batch_finishes():
    # y' = y^2: y = y0 / (1 - y0 t) blows up at t = 1 / y0 for y0 > 0.
    y0 = np.array([[1.0], [-1.0], [0.5], [-0.25], [0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no RuntimeWarning leaks out
        res = integrate(lambda y: y**2, y0, 3.0, dt_out=0.1)
    assert [Status(s) for s in res.status] == [
        Status.OVERFLOW,
        Status.OK,
        Status.OVERFLOW,
        Status.OK,
        Status.OK,
    ]
    np.testing.assert_allclose(res.stop_time[[0, 2]], [1.0, 2.0], atol=1e-6)
    assert np.isfinite(res.final).all()
    assert (np.abs(res.final[[0, 2]]) > 1e8).all()  # first state beyond blowup
    ok = res.ok
    exact = y0[ok, None, :] / (1 - y0[ok, None, :] * res.times[None, :, None])
    assert np.abs(res.states[ok] - exact).max() < 1e-7
    for k in (0, 2):
        after = res.times > res.stop_time[k]
        assert np.isnan(res.states[k, after]).all()
        assert np.isfinite(res.states[k, ~after]).all()
    # before the blow-up the stored values are still accurate
    before = res.times < 0.9
    np.testing.assert_allclose(res.states[0, before, 0], 1 / (1 - res.times[before]), rtol=1e-7)


def test_blowup_threshold_is_respected():
    # y' = y^2 from 1 reaches 10 at t = 0.9: stop just after, with the first state above 10.
    res = integrate(lambda y: y**2, [[1.0], [-1.0]], 2.0, dt_out=0.25, blowup=10.0)
    assert Status(res.status[0]) is Status.OVERFLOW and res.ok[1]
    assert 0.9 < res.stop_time[0] < 0.92
    assert 10.0 < res.final[0, 0] < 12.5
    np.testing.assert_allclose(res.states[0, :4, 0], 1 / (1 - res.times[:4]), rtol=1e-8)
    assert np.isnan(res.states[0, 4:]).all()


def test_singular_field_gives_nonfinite_near_the_singularity():
    # y' = 1 / (2 sqrt(1 - y)), y(0) = 0: (1 - y)^(3/2) = 1 - 3t/4, f -> inf at t = 4/3;
    # beyond y = 1 the field is NaN.
    def f(y):
        return 0.5 / np.sqrt(1.0 - y)

    y0 = np.array([[0.0], [-1.0], [-3.0]])
    res = integrate(f, y0, 2.0, dt_out=0.5)
    assert Status(res.status[0]) is Status.NONFINITE
    assert abs(res.stop_time[0] - 4 / 3) < 1e-4
    assert np.isfinite(res.final).all()
    assert res.ok[1:].all()
    exact = 1.0 - ((1.0 - y0[1:, 0]) ** 1.5 - 0.75 * 2.0) ** (2 / 3)
    np.testing.assert_allclose(res.final[1:, 0], exact, rtol=0, atol=1e-7)


def test_nan_initial_derivative_is_stopped_at_t0_without_poisoning_the_batch():
    def f(z):  # -z/|z|: 0/0 at the origin
        return -z / np.linalg.norm(z, axis=1, keepdims=True)

    x0 = np.array([[0.0, 0.0], [3.0, 4.0]])
    res = integrate(f, x0, 1.0, dt_out=0.5)
    assert Status(res.status[0]) is Status.NONFINITE
    assert res.stop_time[0] == 0.0
    np.testing.assert_array_equal(res.final[0], [0.0, 0.0])
    np.testing.assert_array_equal(res.states[0, 0], [0.0, 0.0])
    assert np.isnan(res.states[0, 1:]).all()
    # |z|' = -1: the second one moves radially from radius 5 to 4
    np.testing.assert_allclose(res.final[1], [2.4, 3.2], atol=1e-8)


def test_discontinuity_gives_step_underflow_and_others_continue():
    # A huge jump of the field at y = 0 cannot be integrated across.
    def f(z):
        out = np.empty_like(z)
        out[:, 0] = -1e6 * np.sign(z[:, 0])
        out[:, 1] = -z[:, 1]
        return out

    x0 = np.array([[1.0, 1.0], [-2.0, 0.0], [0.0, 1.0]])
    res = integrate(f, x0, 1.0, dt_out=0.25)
    assert [Status(s) for s in res.status[:2]] == [Status.STEP_UNDERFLOW] * 2
    np.testing.assert_allclose(res.stop_time[:2], [1e-6, 2e-6], rtol=1e-3)
    assert Status(res.status[2]) is Status.OK
    np.testing.assert_allclose(res.final[2], [0.0, np.exp(-1.0)], atol=1e-9)


def test_status_messages():
    assert [int(s) for s in Status] == [0, 1, 2, 3]
    messages = [s.message for s in Status]
    assert all(isinstance(m, str) and len(m) > 10 for m in messages)
    assert len(set(messages)) == len(messages)


def test_max_steps_raises_instead_of_hanging():
    with pytest.raises(RuntimeError, match=r"max_steps=50.*limiting"):
        integrate(linear(HARMONIC), [1.0, 0.0], 100.0, max_steps=50)


# ----------------------------------------------------------------------------- observer


def test_observer_without_storage_sees_the_stored_values():
    rng = np.random.default_rng(5)
    x0 = np.vstack([rng.uniform(-0.5, 0.5, (4, 2)), [[2.0, 0.0]]])

    def f(z):  # blows up for the last row (y' = y^2 in the first component)
        out = np.empty_like(z)
        out[:, 0] = z[:, 0] ** 2
        out[:, 1] = -z[:, 1]
        return out

    seen: list[tuple[int, float, np.ndarray]] = []
    total = np.zeros((5, 2))

    def observer(i, t, x):
        seen.append((i, t, x.copy()))
        total[:] += np.nan_to_num(x)

    stored = integrate(f, x0, 2.0, dt_out=0.05)
    streamed = integrate(f, x0, 2.0, dt_out=0.05, store=False, observer=observer)
    assert streamed.states is None
    assert [i for i, _, _ in seen] == list(range(41))
    np.testing.assert_array_equal([t for _, t, _ in seen], stored.times)
    np.testing.assert_array_equal(np.stack([x for _, _, x in seen], axis=1), stored.states)
    np.testing.assert_allclose(total, np.nansum(stored.states, axis=1), rtol=1e-13)
    assert Status(streamed.status[4]) is Status.OVERFLOW
    np.testing.assert_array_equal(streamed.final, stored.final)
    np.testing.assert_array_equal(streamed.status, stored.status)


def test_observer_called_to_the_end_when_everything_stops_early():
    calls = []
    res = integrate(lambda y: y**2, [[1.0]], 2.0, dt_out=0.5, observer=lambda i, t, x: calls.append(x.copy()))
    assert len(calls) == 5
    assert np.isnan(calls[-1]).all() and calls[0][0, 0] == 1.0
    assert not res.ok.any()


def test_progress_is_called_at_most_100_times_and_ends_at_one():
    fractions = []
    integrate(linear(HARMONIC), [1.0, 0.0], 100.0, dt_out=0.01, progress=fractions.append)
    assert 1 <= len(fractions) <= 100
    assert fractions == sorted(fractions) and fractions[-1] == 1.0


def test_result_is_immutable_and_has_a_readable_repr():
    res = integrate(linear(HARMONIC), np.ones((3, 2)), 1.0, dt_out=0.5)
    assert isinstance(res, IntegrationResult)
    text = repr(res)
    assert "K=3" in text and "3 OK" in text and "\n" not in text and "array" not in text
    with pytest.raises(AttributeError):
        res.n_steps = 0  # type: ignore[misc]
    with pytest.raises(ValueError):
        res.states[0, 0, 0] = 1.0


def test_caller_arrays_are_not_modified():
    x0 = np.array([[1.0, 0.0]])
    res = integrate(linear(HARMONIC), x0, 1.0, dt_out=0.5)
    np.testing.assert_array_equal(x0, [[1.0, 0.0]])
    assert not np.shares_memory(res.final, x0)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "pattern"),
    [
        ({"x0": np.zeros((2, 2, 2))}, r"shape \(K, d\).*received shape \(2, 2, 2\)"),
        ({"x0": np.zeros((0, 2))}, r"received shape \(0, 2\)"),
        ({"x0": [[1.0, np.nan]]}, r"finite.*rows \[0\]"),
        ({"t_end": 0.0}, r"t_end must be greater than t0; received t0=0.0, t_end=0.0"),
        ({"t_end": -1.0, "t0": 0.0}, r"received t0=0.0, t_end=-1.0"),
        ({"t_end": 1.05, "dt_out": 0.1}, r"integer.*received t0=0.0, t_end=1.05, dt_out=0.1"),
        ({"dt_out": 0.0}, r"dt_out must be positive; received dt_out=0.0"),
        ({"dt_out": 3.0}, r"integer.*dt_out=3.0"),
        ({"rtol": -1.0}, r"rtol=-1.0"),
        ({"atol": 0.0}, r"atol=0.0"),
        ({"t_end": "10"}, r"t_end must be a real number; received '10' of type str"),
        ({"max_steps": 0}, r"max_steps.*received 0"),
        ({"f": lambda z: z[:, :1]}, r"received shape \(2, 2\) and returned shape \(2, 1\)"),
    ],
)
def test_bad_input_raises_value_error_naming_what_was_received(kwargs, pattern):
    args = {"f": linear(HARMONIC), "x0": np.ones((2, 2)), "t_end": 1.0}
    args.update(kwargs)
    f, x0, t_end = args.pop("f"), args.pop("x0"), args.pop("t_end")
    with pytest.raises(ValueError, match=pattern):
        integrate(f, x0, t_end, **args)


def test_storage_above_two_gib_is_refused_with_advice():
    x0 = np.zeros((100_000, 4))
    with pytest.raises(ValueError, match=r"store=False"):
        integrate(linear(np.zeros((4, 4))), x0, 1000.0, dt_out=0.1)


def test_grid_tolerates_rounding_in_the_ratio():
    res = integrate(linear(HARMONIC), [1.0, 0.0], 0.3, dt_out=0.1)  # 0.3/0.1 = 2.9999999999999996
    assert res.times.shape == (4,) and res.times[-1] == 0.3


@pytest.mark.parametrize("x0", [[0.3, -0.2, 0.1, 0.4], [1.5, -1.0, 0.7, 0.2]])
def test_single_trajectory_reproduces_scipy_rk45_step_for_step(x0):
    # For K = 1 the method, the error norm, the controller and the initial step are those of
    # scipy's RK45, so the two must agree to rounding, evaluation for evaluation, including
    # the dense output at the grid times.
    res = integrate(vanilla_ns, x0, 30.0, dt_out=0.5, rtol=1e-6, atol=1e-8)
    sol = solve_ivp(
        lambda t, y: vanilla_ns(y),
        (0.0, 30.0),
        np.array(x0),
        method="RK45",
        rtol=1e-6,
        atol=1e-8,
        t_eval=res.times,
    )
    assert res.n_evaluations == sol.nfev
    assert res.n_rejected > 0  # the rejection branch was exercised
    np.testing.assert_allclose(res.states[0], sol.y.T, rtol=0, atol=1e-12)


def test_step_budget_exceeded_carries_where_the_run_was():
    with pytest.raises(StepBudgetExceeded) as info:
        integrate(linear(HARMONIC), [[1.0, 0.0], [0.0, 2.0]], 100.0, max_steps=50)
    exc = info.value
    assert isinstance(exc, RuntimeError) and exc.max_steps == 50 and exc.t_end == 100.0
    assert 0.0 < exc.t < 100.0 and exc.step > 0 and (exc.active, exc.total) == (2, 2) and exc.limiting in (0, 1)
    back = pickle.loads(pickle.dumps(exc))
    assert (back.max_steps, back.t, back.limiting, str(back)) == (exc.max_steps, exc.t, exc.limiting, str(exc))
