"""Issue 14 defect classes: symbols stay the user's, names never merge silently, results stay portable."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from scipy.linalg import expm

from stability import InvalidParameterError, Variant, analyze, symbols
from stability.model.params import Parameter
from stability.numerics.outcomes import Agreement


def _variant_with_alpha():
    # L_D = alpha * theta.phi + |phi|^2, L_G = -theta.phi: a variant parameter named like l2's weight.
    return Variant(
        "v",
        lambda g, alpha: alpha * g.critic(g.x_fake) + g.dot(g.phi, g.phi),
        lambda g, alpha: -g.critic(g.x_fake),
        params={"alpha": Parameter("alpha", None, "", "real")},
    )


def test_a_variant_parameter_and_a_regulariser_weight_never_merge():
    with pytest.raises(InvalidParameterError, match="both use a symbol named alpha"):
        analyze(_variant_with_alpha(), regularizers=["l2"])
    # with a numeric weight there is nothing to merge
    a = analyze(_variant_with_alpha(), regularizers={"l2": 0.5})
    assert {s.name for s in a.jacobian.free_symbols} == {"alpha"}


def test_the_same_symbol_given_twice_is_an_intended_tie():
    # wgan_gp c = 0 with lam = h and l2 = h: block [[-2h - 2h, -1], [1, 0]] (l2 adds -2h to a), trace -4h < 0.
    h = sp.Symbol("h", positive=True)
    a = analyze("wgan_gp", params={"lam": h, "c": 0}, regularizers={"l2": h})
    assert a.block == sp.Matrix([[-4 * h, -1], [1, 0]])
    assert a.classification == "stable"


@pytest.mark.parametrize("name", ["phi_1", "theta_2", "phi", "theta"])
def test_parameters_named_like_the_state_are_refused(name):
    with pytest.raises(InvalidParameterError, match="a name of the state"):
        analyze("wgan_gp", params={"lam": sp.Symbol(name, positive=True)})


def test_the_users_symbol_is_the_symbol_in_the_conditions():
    # wgan_gp c = 0: focus iff 0 < lam < 1 (disc = lam^2 - 1 < 0). Substituting the user's symbol decides it.
    lam = sp.Symbol("lam", positive=True)
    a = analyze("wgan_gp", params={"lam": lam, "c": 0})
    assert a.conditions["focus"].subs(lam, sp.Rational(1, 2)) is sp.true
    assert a.conditions["node"].subs(lam, 2) is sp.true


@pytest.mark.parametrize(
    "make, match",
    [
        (lambda p, t: sp.Function("f")(p * t), "undefined function"),
        (lambda p, t: sp.floor(p) * t, "floor, which jumps"),
        (lambda p, t: sp.ceiling(p * t), "ceiling, which jumps"),
    ],
)
def test_unknown_or_discontinuous_functions_get_a_clear_error(make, match):
    from stability import symbols

    phi, theta = symbols(1)
    with pytest.raises(InvalidParameterError, match=match):
        analyze(Variant("v", make(phi[0], theta[0]), -phi[0] * theta[0], phi=phi, theta=theta))


def test_a_parameter_multiplying_the_only_kink_gives_cases_not_a_blanket_verdict():
    # wgan_gp: phi' = -theta - 2 lam (1 - c/|phi|) phi. For c != 0 the term 2 lam c phi/|phi| has no limit;
    # at c = 0 the field is linear, J = [[-2 lam, -1], [1, 0]]: trace -1/5 < 0, det 1 > 0, a stable focus.
    c = sp.Symbol("c", real=True)
    a = analyze("wgan_gp", params={"c": c})
    assert a.classification == "undecided"
    assert a.conditions["non-differentiable"] == sp.Ne(c, 0)
    assert a.conditions["stable"] == sp.Eq(c, 0)
    # a parameter declared non-zero cannot vanish: the verdict stays non-differentiable
    assert analyze("wgan_gp", params={"c": sp.Symbol("c", positive=True)}).classification == "non-differentiable"
    assert analyze("wgan").classification == "non-differentiable"  # no parameter at all


@pytest.mark.parametrize("lam", [1e6, 1e12])
def test_stiff_systems_are_refused_with_the_numbers_not_reported_as_a_discontinuity(lam):
    # wgan_gp c = 0: eigenvalues -lam +- sqrt(lam^2 - 1), so |lambda| ~ 2 lam and the slow mode ~ 1/(2 lam).
    a = analyze("wgan_gp", params={"c": 0, "lam": lam})
    with pytest.raises(InvalidParameterError, match=r"explicit integrator needs about .* steps"):
        a.verify(samples=1)


def test_a_fast_but_short_run_still_integrates():
    # lam = 1e3: |lambda| ~ 2e3; over t_end = 1 that is ~700 explicit steps, well inside the budget.
    v = analyze("wgan_gp", params={"c": 0, "lam": 1000}).verify(samples=1, t_end=1.0)
    assert v.agrees in (True, None)


def _fast_focus(k: float, kink: bool = False):
    """n = 1, L_D = k (phi theta + phi^2 / 10) (or k (phi theta + |phi| / 10)), L_G = -k phi theta:
    phi' = -k theta - k phi / 5, theta' = k phi, so lambda^2 + (k / 5) lambda + k^2 = 0 and
    lambda = k (-1/10 +- i sqrt(0.99)): rate k / 10, angular frequency k sqrt(0.99)."""
    phi, theta = symbols(1)
    p, t = phi[0], theta[0]
    extra = sp.Abs(p) / 10 if kink else p**2 / 10
    return analyze(Variant("fast", k * (p * t + extra), -k * p * t, phi=phi, theta=theta))


@pytest.mark.parametrize(("k", "t_end"), [(1e12, 1e-9), (1e12, 1e-10), (1e9, 1e-6), (1e7, 1e-4)])
def test_a_fast_system_is_integrated_on_its_own_time_scale_not_stopped_at_t0(k, t_end):
    a = _fast_focus(k)
    v = a.verify(samples=3, t_end=t_end)
    assert all(m.status == "OK" for m in v.measurements), v.explanation
    assert v.behaviour == "converges" and v.outcome == Agreement.AGREES, v.explanation
    assert v.rate == pytest.approx(k / 10, rel=0.02) and v.frequency == pytest.approx(k * np.sqrt(0.99), rel=0.01)
    assert "discontinuity" not in v.explanation
    # the state itself: the exact solution of the linear system z' = J z is expm(J t) z0
    x0 = np.array([0.3, -0.2])
    tr = a.simulate(x0, t_end / 100, dt=t_end / 10_000)  # k t = 10: |z| falls e-fold
    jac = k * np.array([[-0.2, -1.0], [1.0, 0.0]])
    assert np.allclose(tr.final[0], expm(jac * t_end / 100) @ x0, rtol=1e-6, atol=1e-9)


def test_a_fast_field_without_a_linearisation_is_refused_with_its_rate():
    a = _fast_focus(1e12, kink=True)  # |phi| has no derivative at 0: no spectrum to read the time scale from
    assert a.classification == "non-differentiable"
    with pytest.raises(InvalidParameterError, match=r"rate \|f\(x\)\|/\|x\| at the initial states reaches 1\.\d+e\+12"):
        a.verify(samples=2)


def test_the_stiffness_refusal_honours_max_steps_and_its_suggested_t_end_runs():
    a = analyze("wgan_gp", params={"c": 0, "lam": 1e6})  # |lambda| up to 2e6: 3 / 2e6 per explicit step
    # 10^5 steps of 3 / 2e6 reach t = 0.15; half of it is suggested (rejected steps count too)
    with pytest.raises(InvalidParameterError, match=r"t_end=0\.075 fits the budget") as info:
        a.verify(samples=1)
    assert "budget 100000" in str(info.value)
    v = a.verify(samples=1, t_end=0.075)  # the suggested run is integrated (and too short to judge: inconclusive)
    assert v.outcome == Agreement.INCONCLUSIVE and all(m.status == "OK" for m in v.measurements)
    with pytest.raises(InvalidParameterError, match=r"budget 1000\)"):
        a.verify(samples=1, t_end=0.075, max_steps=1000)  # a budget the caller sets is the one checked


def test_a_field_with_a_dirac_delta_from_a_kink_still_integrates():
    # hinge + gen_gp: the penalty differentiates max(0, 1 - D), whose second derivative is a DiracDelta on
    # |D| = 1, away from the equilibrium. Linearisation: a stable node (-1, x4); the iterates must converge.
    a = analyze("hinge", regularizers={"gen_gp": 1})
    assert a.classification == "stable"
    v = a.verify(samples=2)
    assert v.behaviour == "converges" and v.agrees is True


@pytest.mark.parametrize(
    "make",
    [
        lambda: analyze("vanilla_ns"),
        lambda: analyze("wgan"),
        lambda: analyze("wgan_gp", params={"lam": sp.Symbol("lam", positive=True), "c": 0}),
        lambda: analyze("vanilla_ns", dim=1, optimizer="altgd", lr=sp.Symbol("h", positive=True)),
    ],
)
def test_analyses_pickle_and_deep_copy(make):
    import copy
    import pickle

    a = make()
    for b in (pickle.loads(pickle.dumps(a)), copy.deepcopy(a)):
        assert b.classification == a.classification and set(b.conditions) == set(a.conditions)
        # SymPy re-evaluates unevaluated relations on unpickling (lam > 0 becomes True for a positive lam):
        # compare the conditions as functions of their symbols, at points on both sides of every boundary.
        for key, cond in a.conditions.items():
            for value in (sp.Rational(1, 3), 2, 5):
                point = {s: value for s in cond.free_symbols}
                assert bool(cond.subs(point)) == bool(sp.sympify(b.conditions[key]).subs(point)), key
        assert b.jacobian == a.jacobian and b.eigenvalues == a.eigenvalues
