"""Issue 14.4: simulate / verify (flows and maps) take NumPy scalars, Fractions and real SymPy numbers like the
plain floats they stand for, refuse strings, complex numbers and bools by name, and validate the seed.

The reference runs use plain floats and are themselves checked against the exact solution of a linear system:
WGAN-GP with c = 0, lam = 1/10 in dimension 1 has the field phi' = -2 lam phi - theta, theta' = phi (the
penalty lam (|grad D| - c)^2 is lam phi^2 when c = 0), i.e. z' = J z with J = [[-1/5, -1], [1, 0]], so
z(t) = expm(J t) z0; simultaneous gradient descent at lr h iterates z+ = (I + h J) z.
"""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest
import scipy.linalg
import sympy as sp

from stability import InvalidParameterError, Variant, analyze, bifurcation, symbols
from stability.numerics.confirm import confirm
from stability.numerics.iterate import iterate
from stability.numerics.simulate import random_states, simulate
from stability.numerics.verify import verify
from stability.numerics.verify_map import verify_map
from stability.render.latex import derivation, to_latex
from stability.render.markdown import to_markdown
from stability.verdicts import Detail

J = np.array([[-0.2, -1.0], [1.0, 0.0]])
LR = 0.1
X0 = [0.5, -0.25]  # exact in every binary float format, so float32 / float16 entries are the same numbers


@pytest.fixture(scope="module")
def flow():
    return analyze("wgan_gp", params={"c": 0}, dim=1)


@pytest.fixture(scope="module")
def game():
    return analyze("wgan_gp", params={"c": 0}, dim=1, optimizer="simgd", lr=LR)


@pytest.fixture(scope="module")
def plain(flow):
    """The plain-float run, checked against expm(J t) z0."""
    tr = simulate(flow, X0, 2.0, dt=0.015625, rtol=1e-10, atol=1e-12)
    exact = np.array([scipy.linalg.expm(J * t) @ X0 for t in tr.times])
    np.testing.assert_allclose(tr.states[0], exact, atol=1e-8)
    return tr


# -- accepted kinds: the same run as the plain floats ------------------------------------------------------

NUMBER_KINDS = [
    pytest.param(lambda v: np.float64(v), id="np.float64"),
    pytest.param(lambda v: np.float32(v), id="np.float32"),
    pytest.param(lambda v: np.float16(v), id="np.float16"),
    pytest.param(lambda v: Fraction(v), id="Fraction"),
    pytest.param(lambda v: sp.Rational(Fraction(v).numerator, Fraction(v).denominator), id="sp.Rational"),
    pytest.param(lambda v: sp.Float(v), id="sp.Float"),
]
INTEGER_KINDS = [
    pytest.param(lambda v: v, id="int"),
    pytest.param(lambda v: np.int64(v), id="np.int64"),
    pytest.param(lambda v: np.int16(v), id="np.int16"),
    pytest.param(lambda v: Fraction(v), id="Fraction"),
    pytest.param(lambda v: sp.Integer(v), id="sp.Integer"),
]


@pytest.mark.parametrize("kind", NUMBER_KINDS)
def test_simulate_states_and_options_of_any_real_kind_match_plain_floats(flow, plain, kind):
    x0 = [kind(v) for v in X0]
    tr = simulate(flow, x0, kind(2.0), dt=kind(0.015625), rtol=kind(2.0**-20), atol=kind(2.0**-24))
    ref = simulate(flow, X0, 2.0, dt=0.015625, rtol=2.0**-20, atol=2.0**-24)
    np.testing.assert_array_equal(tr.times, ref.times)
    np.testing.assert_array_equal(tr.states, ref.states)
    np.testing.assert_allclose(tr.states[0, -1], plain.states[0, -1], atol=1e-5)  # and both are the exact solution


@pytest.mark.parametrize("kind", INTEGER_KINDS)
def test_integer_kinds_of_states_and_t_end(flow, kind):
    tr = simulate(flow, [kind(1), kind(-2)], kind(2), dt=0.015625, rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(tr.final[0], scipy.linalg.expm(2 * J) @ [1.0, -2.0], atol=1e-8)


def test_object_arrays_and_sympy_matrices_of_reals_are_states(flow, plain):
    for x0 in (np.array([Fraction(1, 2), sp.Rational(-1, 4)], dtype=object), sp.Matrix([[sp.Rational(1, 2), -0.25]])):
        tr = simulate(flow, x0, 2.0, dt=0.015625, rtol=1e-10, atol=1e-12)
        np.testing.assert_array_equal(tr.states, plain.states)


@pytest.mark.parametrize("kind", NUMBER_KINDS)
def test_random_states_radius_and_ema_beta_of_any_real_kind(flow, kind):
    ref = random_states(1, 5, seed=3, radius=0.5)
    np.testing.assert_array_equal(random_states(1, 5, seed=3, radius=kind(0.5)), ref)
    assert (np.linalg.norm(ref, axis=1) <= 0.5).all()
    tr = simulate(flow, 5, 1.0, dt=0.0625, seed=3, radius=kind(0.5), store=False, ema=(kind(0.5),))
    np.testing.assert_array_equal(tr.x0, ref)
    # the EMA with beta = 1/2 over the output grid, from the stored states of the same run
    full = simulate(flow, ref, 1.0, dt=0.0625)
    ema = full.states[:, 0, 1].copy()
    for k in range(1, full.states.shape[1]):
        ema = 0.5 * ema + 0.5 * full.states[:, k, 1]
    np.testing.assert_allclose(tr.ema_final(0.5)[:, 0], ema, rtol=1e-9)


@pytest.mark.parametrize("seed", [np.int64(3), np.uint32(3), np.int8(3)])
def test_numpy_integer_seeds_are_the_int_seed(seed):
    np.testing.assert_array_equal(random_states(2, 4, seed=seed), random_states(2, 4, seed=3))


# -- refused kinds: named in the message ---------------------------------------------------------------------

BAD_STATES = [
    (["0.5", -0.25], "'0.5'"),
    ([np.str_("0.5"), -0.25], "0.5"),
    ([0.5 + 0j, -0.25], "(0.5+0j)"),
    ([np.complex128(0.5), -0.25], "complex128"),
    ([True, -0.25], "True"),
    ([np.bool_(True), -0.25], "True"),
    (np.array([0.5, "x"], dtype=object), "'x'"),
    (np.array([0.5, 1j], dtype=object), "1j"),
    (np.array([1 + 0j, 0]), "complex"),
    (np.array([True, False]), "bool"),
    (np.array(["0.5", "0.1"]), "string"),
    ([sp.I, 0], "I"),
    ([sp.Symbol("x"), 0], "symbolic expression (x)"),
    ([[0.5, -0.25], ["1", 0]], "'1'"),
    ("0.5, -0.25", "'0.5, -0.25'"),
]


@pytest.mark.parametrize("x0, fragment", BAD_STATES)
def test_simulate_refuses_non_real_states_naming_them(flow, x0, fragment):
    with pytest.raises(InvalidParameterError, match="x0 must") as err:
        simulate(flow, x0, 1.0)
    assert fragment in str(err.value) and "\n" not in str(err.value)


@pytest.mark.parametrize("x0, fragment", BAD_STATES[:6])
def test_verify_and_the_map_path_refuse_non_real_states(flow, game, x0, fragment):
    for call in (
        lambda: verify(flow, x0=x0),
        lambda: flow.verify(x0=x0),
        lambda: game.simulate(x0, 5),
        lambda: iterate(game, x0, 5),
        lambda: game.verify(x0=x0),
        lambda: verify_map(game, x0=x0),
    ):
        with pytest.raises(InvalidParameterError, match="x0 must") as err:
            call()
        assert fragment in str(err.value)


@pytest.mark.parametrize(
    "options, fragment",
    [
        ({"t_end": "1"}, "t_end must be a real number; received a str ('1')"),
        ({"t_end": 1 + 0j}, "t_end must be a real number; received a complex number ((1+0j))"),
        ({"t_end": True}, "t_end must be a real number; received a bool (True)"),
        ({"dt": np.complex128(0.01)}, "dt must be a real number; received a complex number"),
        ({"dt": sp.Symbol("h")}, "dt must be a real number; received a symbolic expression (h)"),
        ({"t_end": Fraction(-1)}, "t_end must be a positive finite number; received Fraction(-1, 1)"),
        ({"t_end": Fraction(10**400)}, "t_end is too large for floating point"),
        ({"radius": "0.5"}, "radius must be a real number; received a str ('0.5')"),
        ({"ema": (True,)}, "beta must be a real number; received a bool (True)"),
        ({"ema": (Fraction(1),)}, "beta must be in [0, 1); received Fraction(1, 1)"),
        ({"rtol": "1e-8"}, "rtol must be a real number; received a str ('1e-8')"),
        ({"blowup": 1j}, "blowup must be a real number; received a complex number (1j)"),
    ],
)
def test_simulate_refuses_non_real_options_naming_them(flow, options, fragment):
    options = {"t_end": 1.0} | options
    with pytest.raises(InvalidParameterError) as err:
        simulate(flow, 2, options.pop("t_end"), **options)
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    "options, fragment",
    [
        ({"t_end": "100"}, "t_end must be a real number; received a str ('100')"),
        ({"t_end": 100j}, "complex number"),
        ({"radius": True}, "radius must be a real number; received a bool (True)"),
        ({"samples": 4.0}, "samples must be a positive integer; received 4.0"),
        ({"rtol": "1e-6"}, "rtol must be a real number"),
    ],
)
def test_verify_refuses_non_real_options(flow, options, fragment):
    with pytest.raises(InvalidParameterError) as err:
        verify(flow, **options)
    assert fragment in str(err.value)


@pytest.mark.parametrize(
    "options, fragment",
    [
        ({"radius": "0.5"}, "radius must be a real number; received a str ('0.5')"),
        ({"ema": 0.5j}, "beta must be a real number; received a complex number (0.5j)"),
        ({"blowup": "1e8"}, "blowup must be a real number"),
    ],
)
def test_verify_map_refuses_non_real_options(game, options, fragment):
    with pytest.raises(InvalidParameterError) as err:
        verify_map(game, **options)
    assert fragment in str(err.value)


# -- verification numbers do not depend on the kind ----------------------------------------------------------


@pytest.fixture(scope="module")
def verified(flow):
    v = verify(flow, samples=4, t_end=150.0, seed=0, radius=0.5, rtol=1e-6)
    # the predicted and measured rates are -Re lambda = lam = 1/10 for lambda = -1/10 +- i sqrt(99)/10
    assert v.rate == pytest.approx(0.1, rel=0.02) and v.frequency == pytest.approx(np.sqrt(0.99), rel=0.02)
    return v


@pytest.mark.parametrize(
    "kinds",
    [
        {"samples": np.int64(4), "t_end": Fraction(150), "seed": np.int64(0), "radius": Fraction(1, 2)},
        {"samples": np.int32(4), "t_end": sp.Integer(150), "seed": np.uint8(0), "radius": sp.Rational(1, 2)},
        {"samples": 4, "t_end": np.float32(150), "seed": 0, "radius": sp.Float(0.5), "rtol": Fraction(1, 10**6)},
    ],
)
def test_verify_with_other_kinds_gives_the_plain_float_numbers(flow, verified, kinds):
    v = flow.verify(**({"rtol": 1e-6} | kinds))
    assert (v.behaviour, v.agrees) == (verified.behaviour, verified.agrees)
    assert (v.rate, v.frequency, v.final_distance) == (verified.rate, verified.frequency, verified.final_distance)
    assert v.settings == verified.settings


def test_verify_with_fraction_states_gives_the_float_numbers(flow):
    floats = [[0.5, -0.25], [-0.125, 0.375]]
    exact = [[Fraction(1, 2), sp.Rational(-1, 4)], [np.float32(-0.125), Fraction(3, 8)]]
    a, b = verify(flow, x0=floats, t_end=150.0), verify(flow, x0=exact, t_end=Fraction(150))
    assert (a.rate, a.frequency, a.final_distance) == (b.rate, b.frequency, b.final_distance)
    # |z(150)| from expm: the exact solution of the linear field
    distance = np.median([np.linalg.norm(scipy.linalg.expm(150 * J) @ z) for z in floats])
    assert a.final_distance == pytest.approx(distance, rel=1e-3)


def test_discrete_simulate_and_verify_with_other_kinds(game):
    m = np.eye(2) + LR * J
    exact = [np.linalg.matrix_power(m, k) @ X0 for k in range(21)]
    ref = game.simulate(X0, 20)
    np.testing.assert_allclose(ref.states[0], exact, rtol=1e-12, atol=1e-15)
    for x0 in ([Fraction(1, 2), sp.Rational(-1, 4)], [np.float32(0.5), np.float16(-0.25)]):
        np.testing.assert_array_equal(game.simulate(x0, np.int64(20)).states, ref.states)
    plain = game.verify(samples=4, seed=0, radius=0.5, ema=0.5)
    rho = float(game.spectral_radius)  # |1 + h lambda| = 3 sqrt(11) / 10 at h = 1/10
    assert plain.contraction == pytest.approx(rho, rel=1e-3) and plain.agrees
    other = verify_map(game, samples=np.int64(4), seed=np.uint16(0), radius=Fraction(1, 2), ema=sp.Rational(1, 2))
    assert (other.contraction, other.final_distance, other.ema_distance) == (
        plain.contraction,
        plain.final_distance,
        plain.ema_distance,
    )


# -- the seed ------------------------------------------------------------------------------------------------

BAD_SEEDS = [-1, 1.5, "x", 2**70, 2**63, True, np.bool_(False), np.float64(1.0), np.int64(-3), 1 + 0j, [1, 2]]


def _seed_message(seed) -> str:
    return f"seed must be None or a non-negative integer; received {seed!r}"


@pytest.mark.parametrize("seed", BAD_SEEDS, ids=repr)
def test_a_bad_seed_is_refused_everywhere_it_enters(flow, game, seed):
    calls = [
        lambda: random_states(1, 3, seed=seed),
        lambda: simulate(flow, 3, 1.0, seed=seed),
        lambda: simulate(flow, X0, 1.0, seed=seed),  # explicit states: the seed is still checked
        lambda: flow.simulate(3, 1.0, seed=seed),
        lambda: verify(flow, seed=seed),
        lambda: flow.verify(seed=seed),
        lambda: iterate(game, 3, 5, seed=seed),
        lambda: game.simulate(3, 5, seed=seed),
        lambda: verify_map(game, seed=seed),
        lambda: game.verify(seed=seed),
        lambda: bifurcation("wgan_gp", ("lam", 0.1, 1, 3), params={"c": 0}, seed=seed),
    ]
    for call in calls:
        with pytest.raises(InvalidParameterError) as err:
            call()
        assert str(err.value).startswith(_seed_message(seed)), str(err.value)


def test_confirm_checks_the_seed():
    nl = analyze("vanilla_ns", dim=1).nonlinear
    with pytest.raises(InvalidParameterError, match="seed must be None or a non-negative integer; received -1"):
        confirm(nl, seed=-1)


@pytest.mark.parametrize("seed", [None, 0, 2**63 - 1, np.uint64(2**63 - 1), np.int16(7)], ids=repr)
def test_good_seeds_are_accepted(seed):
    x = random_states(1, 3, seed=seed)
    assert x.shape == (3, 2) and (np.linalg.norm(x, axis=1) <= 0.5).all()


def test_cli_seed_too_large_for_numpy_is_one_line_exit_2():
    res = subprocess.run(
        [sys.executable, "-m", "stability", "verify", "vanilla_ns", "--seed", str(2**70)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and str(2**70) in lines[0] and "seed" in lines[0], res.stderr


# -- 14.2: the derivation describes an unstable shape as the explanation does ---------------------------------


@pytest.mark.parametrize(
    "d_loss, g_loss, shape",
    [
        # phi_1' = phi_1, phi_2' = -theta_1, theta_1' = phi_2, theta_2' = 0: eigenvalues 1, 0, +-i
        (lambda p, t: -(p[0] ** 2) / 2 + p[1] * t[0], lambda p, t: -p[1] * t[0], "an eigenvalue on the imaginary axis"),
        (lambda p, t: -(p[0] ** 2) / 2 + p[1] * t[1], lambda p, t: -p[1] * t[1], "an eigenvalue on the imaginary axis"),
        # phi_1' = phi_1 and nothing else moves: 1, 0, 0, 0 (0 lies on the imaginary axis)
        (lambda p, t: -(p[0] ** 2) / 2, lambda p, t: 0 * t[0], "an eigenvalue on the imaginary axis"),
        # phi' = phi, theta' = -theta: eigenvalues 1, -1, a saddle (a real shape, so "a saddle" is right)
        (lambda p, t: -(p[0] ** 2) / 2 - (p[1] ** 2) / 2, lambda p, t: (t[0] ** 2 + t[1] ** 2) / 2, "a saddle"),
    ],
)
def test_derivation_words_an_unstable_shape_like_the_explanation(d_loss, g_loss, shape):
    phi, theta = symbols(2)
    a = analyze(Variant("v", d_loss(phi, theta), g_loss(phi, theta), phi=phi, theta=theta))
    assert a.classification == "unstable"
    verdict = next(s for s in derivation(a) if s.key == "verdict")
    for text in (verdict.text, to_latex(a), to_markdown(a), a.explanation):
        assert f"unstable ({'a saddle' if shape == 'a saddle' else 'with, besides, ' + shape})" in text, text
        for detail in Detail:  # "(a zero real part)", "(a zero eigenvalue)", ... are not shapes
            if detail not in (Detail.SADDLE, Detail.NODE, Detail.FOCUS, Detail.SOURCE, Detail.CENTER):
                assert f"(a {detail})" not in text, text


def test_the_ema_accepts_the_same_kinds_of_beta_as_simulate():
    # one check for every beta: a Fraction, a NumPy float and a SymPy Rational give the float's EMA exactly
    tr = analyze("vanilla_ns").simulate([0.1, 0.2, 0.2, 0.1], t_end=1)
    expected = tr.ema(0.5)
    for b in (Fraction(1, 2), np.float64(0.5), sp.Rational(1, 2)):
        assert np.array_equal(tr.ema(b), expected)
    for bad in (True, 0.5j, "0.5", 1.0):
        with pytest.raises(InvalidParameterError, match="beta"):
            tr.ema(bad)
