"""The sign prover: SymPy's assumptions first, then its own rules, and the proof as structured steps.

Expected values are derived by hand in the comments; claimed signs are also checked at random points.
"""

from __future__ import annotations

import numpy as np
import sympy as sp

from stability import sigmoid
from stability.model.functions import NUMPY_FUNCTIONS, softplus
from stability.model.space import DOT, NORM_PHI, NORM_THETA
from stability.theory.signs import ProofStep, Rule, prove_sign, prove_sign_near, sigmoid_as_tanh, sign_of

x, y = sp.symbols("x y", real=True)
lam = sp.Symbol("lam", positive=True)
r, s, u = NORM_PHI, NORM_THETA, DOT


def _holds_at_samples(expr, sign, symbols=(x, y)):
    f = sp.lambdify(symbols, expr, [NUMPY_FUNCTIONS, "numpy"])
    pts = np.random.default_rng(1).normal(scale=3, size=(len(symbols), 500))
    return bool(np.all(sign * np.asarray(f(*pts), dtype=float) >= -1e-12))


def test_sympy_assumptions_decide_first():
    # lam > 0: -2 lam x^2 <= 0, zero exactly at x = 0 (the example).
    p = prove_sign(-2 * lam * x**2)
    assert p.kind == "nonpositive" and p.zeros == ((x,),)
    # log(1 + x^2) >= 0 (its argument is >= 1): no structural rule knows log; SymPy's assumptions do.
    e = sp.log(1 + x**2)
    p = prove_sign(e)
    assert p.kind == "nonnegative" and p.steps[0].rule is Rule.SYMPY
    assert p.steps[0].claim == sp.GreaterThan(e, 0, evaluate=False)
    assert _holds_at_samples(e, 1, (x,))
    # exp, cosh, sigmoid, softplus of a real argument are > 0: SymPy's assumptions, no rule of ours.
    for f in (sp.exp(x), sp.cosh(x), sigmoid(x)):
        q = sign_of(f)
        assert q.kind == "positive" and [st.rule for st in q.steps] == [Rule.SYMPY]


def test_the_proof_is_structured_data():
    # x (1 - 2 sigma(x)) = -x tanh(x/2): sigma(x) = (1 + tanh(x/2))/2; tanh is odd and increasing, so
    # tanh(x/2) has the sign of x/2, and x * (something with the sign of x) >= 0.
    e = x * (1 - 2 * sigmoid(x))
    p = prove_sign(e)
    rewrite = p.steps[0]
    assert rewrite.rule is Rule.REWRITE and rewrite.function is sigmoid
    assert sp.expand(rewrite.form - (-x * sp.tanh(x / 2))) == 0
    # the rewritten form equals the original (checked numerically, sigma = 1/(1 + e^-x) written out)
    pts = np.linspace(-5, 5, 41)
    lhs = sp.lambdify(x, 1 / (1 + sp.exp(-x)), "numpy")(pts) * -2 * pts + pts  # x (1 - 2 sigma(x))
    rhs = sp.lambdify(x, rewrite.form, "numpy")(pts)
    assert np.allclose(lhs, rhs, atol=1e-12)
    odd = next(st for st in p.steps if st.rule is Rule.ODD_INCREASING)
    assert odd.function is sp.tanh and odd.variable == x / 2
    assert any(st.rule is Rule.SQUARE and st.variable == x for st in p.steps)
    # plain-text lines stay available
    assert all(isinstance(f, str) for f in p.facts) and any("odd and increasing" in f for f in p.facts)


def test_gram_and_bounded_steps_hold_their_sympy_objects():
    # -(r^2 - 2u + s^2) = -|phi - theta|^2: Gram matrix [[-1, 1], [1, -1]] (alpha = gamma = -1, beta = 1),
    # zero iff phi = theta, i.e. |phi| = |theta| and theta.phi = |theta|^2.
    p = prove_sign(-(r**2) + 2 * u - s**2, (r, s, u))
    (step,) = p.steps
    assert step.rule is Rule.GRAM and step.matrix == sp.ImmutableMatrix([[-1, 1], [1, -1]])
    assert p.zeros == ((r - s, u - s**2),)
    # 1 - sigma(x) lies in (0, 1).
    (b,) = prove_sign(1 - sigmoid(x)).steps
    assert b.rule is Rule.BOUNDED and b.bounds == (0, 1) and b.functions == (sigmoid,)


def test_xreplace_renames_every_expression_of_the_proof():
    z = sp.Symbol("z", real=True)
    p = prove_sign(x * (1 - 2 * sigmoid(x))).xreplace({x: z})
    assert p.zeros == ((z,),) and p.form == -z * sp.tanh(z / 2)
    assert all(
        x not in (st.expr.free_symbols | (st.form.free_symbols if st.form is not None else set())) for st in p.steps
    )


def test_one_sigmoid_to_tanh_rule():
    # the helper uses sigmoid's own rewrite rule, (1 + tanh(x/2))/2, and nothing else
    assert sigmoid_as_tanh(sigmoid(x) * sp.exp(y)) == (1 + sp.tanh(x / 2)) / 2 * sp.exp(y)
    assert ProofStep(Rule.REWRITE, x, form=x, function=sigmoid).text.endswith("(sigmoid(x) = (1 + tanh(x/2))/2)")


def test_undecidable_stays_none_and_claims_are_sound():
    for e in (sp.sin(x), x - x**3, x * y, sp.log(x**2)):  # all take both signs
        assert prove_sign(e) is None
    for e in (-x * sp.tanh(x) - y**2 * sp.exp(x), x**3 * sp.atan(2 * x) + sigmoid(y)):
        p = prove_sign(e)
        assert p is not None and p.var is None and _holds_at_samples(e, p.sign)


# --------------------------------------------------------------------------- monotone functions (issue 11)
def test_monotone_rule_decides_u_times_g0_minus_g():
    # g increasing with g(0) = 0 has the sign of its argument: e^x - 1 (derivative e^x > 0), softplus(x) - log 2
    # (derivative sigma(x) > 0), log(1 + e^x) - log 2; so x (1 - e^x) <= 0, x (e^-x - 1) <= 0, -4 x sinh x <= 0.
    for e in (sp.exp(x) - 1, softplus(x) - sp.log(2), sp.log(1 + sp.exp(x)) - sp.log(2), x**3 + x):
        p = prove_sign(e)
        assert p.kind == "sign of x" and p.zeros == ((x,),)
    assert prove_sign(1 - sp.exp(x)).kind == "opposite sign of x"
    for e in (x * (1 - sp.exp(x)), x * (sp.exp(-x) - 1), 2 * x * sp.exp(-x) - 2 * x * sp.exp(x), -4 * x * sp.sinh(x)):
        p = prove_sign(e)
        assert p.kind == "nonpositive" and p.zeros == ((x,),) and _holds_at_samples(e, -1, (x,))
    step = next(st for st in prove_sign(x * (1 - sp.exp(x))).steps if st.rule is Rule.MONOTONE)
    assert (
        step.variable == x
        and step.form == -sp.exp(x)
        and step.claim == sp.StrictLessThan(-sp.exp(x), 0, evaluate=False)
    )
    # with a positive parameter: lam (e^x - 1) x >= 0
    assert prove_sign(lam * x * (sp.exp(x) - 1)).kind == "nonnegative"


def test_monotone_rule_for_polynomials_allows_isolated_zeros_of_the_derivative():
    # (x - 1)^3 + 1: derivative 3 (x - 1)^2 >= 0, zero only at x = 1, so still strictly increasing; root x = 0.
    e = (x - 1) ** 3 + 1
    p = prove_sign(e)
    assert p.kind == "sign of x" and p.zeros == ((x,),)
    assert _holds_at_samples(e * x, 1, (x,))


def test_monotone_rule_refuses_what_it_cannot_prove():
    # x - tanh x: derivative tanh^2 x >= 0, but not a polynomial (refused: an analytic h' >= 0 is not enough here);
    # x/(1 - x) has a pole; e^x - 2 is not 0 at 0; x - x^3 is not monotone; two unknown-sign symbols.
    for e in (x - sp.tanh(x), x / (1 - x), sp.exp(x) - 2, x - x**3, sp.exp(x) - sp.exp(y), sp.Heaviside(x) - 1 / 2):
        assert prove_sign(e) is None


def test_sign_near_a_point_keeps_the_region():
    # -x^2 (1 + x y): (1 + x y) is 1 at the origin, so > 0 on {1 + x y > 0}: <= 0 there, not everywhere.
    e = -(x**2) * (1 + x * y)
    assert prove_sign(e) is None
    p = prove_sign_near(e, {x: 0, y: 0})
    assert p.kind == "nonpositive" and p.region == (x * y + 1,) and p.local
    assert any(st.rule is Rule.LOCAL for st in p.steps)
    # points of the region satisfy the claim, points outside need not
    f = sp.lambdify((x, y), e)
    pts = np.random.default_rng(2).normal(scale=2, size=(2, 500))
    inside = 1 + pts[0] * pts[1] > 0
    assert np.all(f(*pts[:, inside]) <= 0) and np.any(f(*pts[:, ~inside]) > 0)
    # a factor vanishing at the point gives nothing; a global proof needs no region
    assert prove_sign_near(x * y * (1 + x), {x: 0, y: 0}) is None
    assert prove_sign_near(-(x**2), {x: 0}).region == ()
