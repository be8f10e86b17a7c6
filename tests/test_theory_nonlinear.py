"""The nonlinear verdict's engine: typed records, the decisive linearisation first, structured certificates.

Expected values come from hand derivations (in the comments) and numpy.linalg.eigvals of Jacobians
written out by hand, never from the code's own output.
"""

from __future__ import annotations

import dataclasses
import json
import time

import numpy as np
import pytest
import sympy as sp

import stability.theory.findings as findings_module
import stability.theory.nonlinear as nonlinear_module
from stability import Variant, analyze, sigmoid, symbols
from stability.model.space import DOT, NORM_PHI, NORM_THETA
from stability.render.proof import latex_proof
from stability.theory.nonlinear import NONLINEAR_VERDICTS, analyze_nonlinear
from stability.theory.signs import ProofStep, Rule
from stability.timeout import TimeLimitExceeded, time_limit
from stability.verdicts import Convergence, Method, NonlinearStability

r, s, u = NORM_PHI, NORM_THETA, DOT
THIRD, HALF, QUARTER = sp.Rational(1, 3), sp.Rational(1, 2), sp.Rational(1, 4)


def _custom_3d(sign_p3: int = 1) -> tuple[Variant, np.ndarray]:
    """A non-rotation-invariant variant in dimension 3 and its Jacobian at the origin, derived by hand.

    L_D = sum p_i t_i + p1^2/2 + p2^2/4 + sign_p3 p3^2 + p1 t2/3 + p1^2 t3^2 + p2 p3 t1,
    L_G = -sum p_i t_i + t2^2/8 + t1 t2 t3.  phi' = -dL_D/dphi, theta' = -dL_G/dtheta; only the
    quadratic terms reach the Jacobian (state order p1, p2, p3, t1, t2, t3):
        p1' = -p1 - t1 - t2/3,  p2' = -p2/2 - t2,  p3' = -2 sign_p3 p3 - t3,
        t1' = p1,               t2' = p2 - t2/4,   t3' = p3.
    """
    phi, theta = symbols(3)
    (p1, p2, p3), (t1, t2, t3) = phi, theta
    dot = p1 * t1 + p2 * t2 + p3 * t3
    d_loss = dot + p1**2 / 2 + p2**2 / 4 + sign_p3 * p3**2 + p1 * t2 / 3 + p1**2 * t3**2 + p2 * p3 * t1
    g_loss = -dot + t2**2 / 8 + t1 * t2 * t3
    jac = np.array(
        [
            [-1, 0, 0, -1, -1 / 3, 0],
            [0, -1 / 2, 0, 0, -1, 0],
            [0, 0, -2 * sign_p3, 0, 0, -1],
            [1, 0, 0, 0, 0, 0],
            [0, 1, 0, 0, -1 / 4, 0],
            [0, 0, 1, 0, 0, 0],
        ]
    )
    return Variant(f"custom3d_{sign_p3}", d_loss, g_loss, phi=phi, theta=theta), jac


# --------------------------------------------------------------------------- decisive linearisations
def test_dimension_three_stable_jacobian_settles_the_verdict_with_its_rate():
    v, jac = _custom_3d(+1)
    slowest = float(np.max(np.linalg.eigvals(jac).real))
    assert slowest < 0  # the premise: a Hurwitz Jacobian
    nl = analyze_nonlinear(analyze(v))
    assert nl.verdict == NonlinearStability.ASYMPTOTICALLY_STABLE and nl.method == Method.LINEARIZATION
    assert nl.convergence == Convergence.EXPONENTIAL and nl.lyapunov_stable is True
    assert abs(float(nl.decay_rate) - (-slowest)) < 1e-9
    assert nl.by_dim == {"n >= 2": "asymptotically-stable"}


def test_dimension_three_unstable_jacobian_settles_the_verdict():
    v, jac = _custom_3d(-1)  # p3' = 2 p3 - t3, t3' = p3: eigenvalue 1 (twice)
    assert float(np.max(np.linalg.eigvals(jac).real)) > 0.5
    nl = analyze_nonlinear(analyze(v))
    assert (nl.verdict, nl.method, nl.lyapunov_stable) == ("unstable", "linearization", False)


def test_decisive_linearisation_needs_no_search(monkeypatch):
    # The certificate search must not run, and a slow optional strengthening is cut at its own budget.
    v, jac = _custom_3d(+1)

    def no_search(a, system):
        raise AssertionError("the certificate search ran for a decisive linearisation")

    def slow(a, system):
        time.sleep(30)

    monkeypatch.setattr(nonlinear_module, "search", no_search)
    monkeypatch.setattr(findings_module, "lyapunov_attempt", slow)
    monkeypatch.setattr(findings_module, "EXTRAS_BUDGET", 0.3)
    start = time.monotonic()
    nl = analyze_nonlinear(analyze(v))
    assert time.monotonic() - start < 10
    assert nl.verdict == "asymptotically-stable" and nl.method == "linearization"
    assert abs(float(nl.decay_rate) + float(np.max(np.linalg.eigvals(jac).real))) < 1e-9
    # the same for a rotation-invariant variant in dimension 3 (vanilla_ns + l2: eigenvalues of
    # [[-2 alpha, -1/2], [1/2, 0]] with alpha = 1/10, rate alpha = 1/10 since alpha < 1/2)
    block = np.array([[-0.2, -0.5], [0.5, 0.0]])
    nl3 = analyze_nonlinear(analyze("vanilla_ns", dim=3, regularizers={"l2": sp.Rational(1, 10)}))
    assert (
        nl3.verdict == "asymptotically-stable"
        and abs(float(nl3.decay_rate) + np.linalg.eigvals(block).real.max()) < 1e-12
    )


def test_an_outer_time_limit_is_not_swallowed(monkeypatch):
    def slow(a, system):
        time.sleep(30)

    monkeypatch.setattr(findings_module, "lyapunov_attempt", slow)
    a = analyze("vanilla_ns", dim=1)  # a centre: the search runs (and sleeps)
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.5):
            analyze_nonlinear(a)


# --------------------------------------------------------------------------- typed records
@pytest.mark.parametrize(
    "name, kw", [("vanilla_ns", {"dim": 1}), ("vanilla_ns", {"dim": 2}), ("wgan", {"dim": 2}), ("vanilla_sat", {})]
)
def test_verdicts_are_enums_and_json_stays_text(name, kw):
    nl = analyze(name, **kw).nonlinear
    assert isinstance(nl.verdict, NonlinearStability) and isinstance(nl.method, Method)
    assert nl.convergence is None or isinstance(nl.convergence, Convergence)
    assert all(isinstance(v, NonlinearStability) for v in nl.by_dim.values())
    d = json.loads(json.dumps(nl.to_dict()))
    assert d["verdict"] == nl.verdict.value and type(d["verdict"]) is str


def test_nonlinear_verdicts_tuple_is_the_enum():
    assert NONLINEAR_VERDICTS == ("asymptotically-stable", "stable", "unstable", "undecided")
    assert all(isinstance(v, NonlinearStability) for v in NONLINEAR_VERDICTS)


def test_records_refuse_unknown_fields():
    nl = analyze("vanilla_sat", dim=1).nonlinear
    with pytest.raises(TypeError):
        dataclasses.replace(nl, verdcit="stable")


# --------------------------------------------------------------------------- cases through reanalyze
def test_symbolic_cases_go_through_the_callable():
    # c real of unknown sign: the cases c < 0, c = 0, c > 0 (one reanalysis each).
    a = analyze("wgan_gp", dim=2, params={"c": sp.Symbol("c", real=True)})
    c = a.params["c"]
    alone = analyze_nonlinear(a)
    assert alone.verdict == "undecided" and alone.method != Method.CASES
    calls = []

    def reanalyze(*, params, regularizers):
        calls.append(params["c"])
        return analyze("wgan_gp", dim=2, params=params, regularizers=regularizers).nonlinear

    nl = analyze_nonlinear(a, reanalyze)
    assert nl.method == Method.CASES and len(calls) == 3
    assert sorted((v.is_zero is True, v.is_positive is True, v.is_negative is True) for v in calls) == [
        (False, False, True),
        (False, True, False),
        (True, False, False),
    ]
    assert nl.conditions[NonlinearStability.UNSTABLE] == (c > 0)
    assert nl.conditions[NonlinearStability.ASYMPTOTICALLY_STABLE] == sp.Eq(c, 0)


# --------------------------------------------------------------------------- Chetaev's region as data
def test_chetaev_region_is_a_relation_and_its_starts_lie_in_it():
    # wgan_gp (lam = 1/10, c = 1), V = |phi|^2: d/dt |phi|^2 = 2(a r^2 + b u) with a = -2 lam (1 - c/r), b = -1:
    # = 4 lam c r - 4 lam r^2 - 2u, > 0 near the origin on {phi != 0} (|u| <= r s).
    che = analyze("wgan_gp", dim=2).nonlinear.chetaev
    assert isinstance(che.region, sp.StrictGreaterThan) and (che.region.lhs, che.region.rhs) == (r, 0)
    lam, c, eps = 0.1, 1.0, 1e-3
    for z in che.states(2):
        phi, theta = eps * np.array(z[:2], float), eps * np.array(z[2:], float)
        rv, uv = np.linalg.norm(phi), phi @ theta
        assert che.region.xreplace({r: sp.Float(rv)}) is sp.true
        assert 4 * lam * c * rv - 4 * lam * rv**2 - 2 * uv > 0
    # wgan in dimension 1: V = theta.phi on {theta.phi > 0} (collinear u' = r > 0 there).
    che1 = analyze("wgan", dim=1).nonlinear.chetaev
    assert che1.region == (u > 0)
    assert all(z[0] * z[1] > 0 for z in che1.states(1))
    assert r"\boldsymbol{\theta}\cdot\boldsymbol{\varphi} > 0" in latex_proof(analyze("wgan", dim=1).nonlinear)


# --------------------------------------------------------------------------- the LaTeX proof follows the steps
def test_latex_proof_is_rendered_from_the_proof_steps():
    # vanilla_ns, n = 1: dV/dt = 2u(1 - 2 sigma(u)) = -2u tanh(u/2), proved through sigma = (1 + tanh(x/2))/2.
    nl = analyze("vanilla_ns", dim=1).nonlinear
    rules = [st.rule for st in nl.sign.steps]
    assert Rule.REWRITE in rules and Rule.ODD_INCREASING in rules
    identity = r"\sigma(x) = \tfrac12\bigl(1 + \tanh\tfrac x2\bigr)"
    tex = latex_proof(nl)
    assert identity in tex and "LaSalle" in tex
    # Drop the rewrite step from the record: the sentence goes, although the form still shows tanh.
    steps = tuple(st for st in nl.sign.steps if st.rule is not Rule.REWRITE)
    stripped = dataclasses.replace(nl, sign=dataclasses.replace(nl.sign, steps=steps))
    assert identity not in latex_proof(stripped) and r"\tanh" in latex_proof(stripped)


def test_proof_of_a_field_without_sigmoid_has_no_tanh():
    # L_D = u + |phi|^4/4, L_G = -u in dimension 1: dV/dt = -2 phi^4 <= 0 (squares), no sigmoid anywhere.
    (p,), (t,) = symbols(1)
    nl = analyze(Variant("damped", p * t + p**4 / 4, -p * t, phi=(p,), theta=(t,))).nonlinear
    assert nl.verdict == "asymptotically-stable"
    assert sp.expand(nl.dV + 2 * p**4) == 0
    tex = latex_proof(nl)
    assert r"\tanh" not in tex and "squares are non-negative" in tex
    assert not nl.dV.has(sigmoid)


# --------------------------------------------------------------------------- issue 11: local branches, area, rules
def test_a_non_smooth_piece_gives_a_local_lasalle_verdict_never_a_global_one():
    # L_D = max(0, 1 + p t) + p^4/4, L_G = -p t (n = 1, components): phi' = -H(1 + p t) t - p^3, theta' = p.
    # Where 1 + p t > 0: phi' = -t - p^3, V = p^2 + t^2, dV/dt = -2 p^4 <= 0, and on {p = 0}, p' = -t: the origin.
    (p,), (t,) = symbols(1)
    nl = analyze(Variant("hinge_damped", sp.Max(0, 1 + p * t) + p**4 / 4, -p * t, phi=(p,), theta=(t,))).nonlinear
    assert nl.verdict == "asymptotically-stable" and nl.method == "lasalle"
    assert nl.globally is False and "locally asymptotically stable" in nl.reason
    assert "globally" not in nl.reason and nl.neighbourhood == (sp.StrictGreaterThan(p * t + 1, 0),)
    assert sp.expand(nl.dV + 2 * p**4) == 0


def test_the_area_is_reported_conserved_for_trace_free_fields_in_dimension_two():
    # vanilla_ns: a = d = 0, so A = r^2 s^2 - u^2 has A' = 2(a + d) A = 0 (only for n >= 2: in n = 1, A = 0).
    area = r**2 * s**2 - u**2
    assert area in analyze("vanilla_ns", dim=2).nonlinear.conserved
    assert area not in analyze("vanilla_ns", dim=1).nonlinear.conserved
    # wgan_gp: a = -2 lam (1 - c/r) != -d, so A is not conserved
    assert area not in analyze("wgan_gp", dim=2).nonlinear.conserved


def test_renamed_proof_steps_keep_their_claims():
    # a claim like |theta|^2 + 1 > 0 proved with a nonnegative copy of |theta| stays a relation after renaming
    x = sp.Symbol("x", nonnegative=True)
    step = ProofStep(Rule.SYMPY, x**2 + 1, claim=sp.StrictGreaterThan(x**2 + 1, 0, evaluate=False))
    renamed = step.xreplace({x: s})
    assert isinstance(renamed.claim, sp.StrictGreaterThan) and renamed.claim.lhs == s**2 + 1
