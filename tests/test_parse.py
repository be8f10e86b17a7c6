"""Tests of the safe expression parser :mod:`stability.model.parse`."""

from __future__ import annotations

import ast
import builtins
import inspect
import re
import signal
import time

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stability.errors import ExpressionParseError, InvalidParameterError, StabilityError
from stability.model import parse as _parse
from stability.model.functions import sigmoid, softplus
from stability.model.parse import parse_expression

PHI = sp.symbols("phi1:3", real=True)
THETA = sp.symbols("theta1:3", real=True)
P1, P2 = PHI
T1, T2 = THETA
LAM = sp.Symbol("lam", positive=True)
DOT = P1 * T1 + P2 * T2
FAST = 3.0  # seconds: every rejection must be at least this quick (a generous bound: CI machines are shared)


def parse(text, params=None):
    return parse_expression(text, PHI, THETA, {"lam": LAM} if params is None else params)


# ----------------------------------------------------------------------------- exact results


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("-log(1 - sigmoid(theta.phi))", -sp.log(1 - sigmoid(DOT))),
        ("theta@phi + lam*(norm(phi) - 1)**2", DOT + LAM * (sp.sqrt(P1**2 + P2**2) - 1) ** 2),
        ("0.1*dot(phi,phi)", sp.Rational(1, 10) * (P1**2 + P2**2)),
        ("phi1*theta2 - phi_2*theta_1", P1 * T2 - P2 * T1),
        ("varphi.theta", DOT),
        ("dot(theta, varphi)", DOT),
        ("-phi.theta", -DOT),
        ("softplus(-theta.phi) + softplus(theta.phi)", softplus(-DOT) + softplus(DOT)),
        ("(theta - phi) @ (theta - phi)", (T1 - P1) ** 2 + (T2 - P2) ** 2),
        ("(theta - phi).phi", (T1 - P1) * P1 + (T2 - P2) * P2),
        ("norm(2*phi - theta/2)", sp.sqrt((2 * P1 - T1 / 2) ** 2 + (2 * P2 - T2 / 2) ** 2)),
        ("dot(-phi + 3*theta, phi)", (-P1 + 3 * T1) * P1 + (-P2 + 3 * T2) * P2),
        ("exp(-theta1**2/2)/sqrt(2*pi)", sp.exp(-(T1**2) / 2) / sp.sqrt(2 * sp.pi)),
        ("1e-3*phi1 + 2.5E2", sp.Rational(1, 1000) * P1 + 250),
        (
            "abs(phi1) + tanh(theta2) + sin(pi*phi1) + cos(e)",
            sp.Abs(P1) + sp.tanh(T2) + sp.sin(sp.pi * P1) + sp.cos(sp.E),
        ),
        ("0.30000000000000004", sp.Rational(30000000000000004, 10**17)),
        ("1_000.5 + 0x10", sp.Rational(2001, 2) + 16),
        ("-2**2", sp.Integer(-4)),
        ("2**3**2", sp.Integer(512)),
        ("2**-1 + +phi1", sp.Rational(1, 2) + P1),
        ("2**phi1 + e**(theta.phi) + phi2**lam", 2**P1 + sp.exp(DOT) + P2**LAM),
        ("phi1**64 * theta1**-64", P1**64 / T1**64),
        ("lam", LAM),
        ("pi*e", sp.pi * sp.E),
        ("sigmoid(0) + softplus(0)", sp.Rational(1, 2) + sp.log(2)),
        ("  phi1 +\t1  ", P1 + 1),
        ("(phi1 +\n theta1)", P1 + T1),
    ],
)
def test_exact_results(text, expected):
    result = parse(text)
    assert isinstance(result, sp.Expr)
    assert result == expected
    assert not result.atoms(sp.Float)


def test_decimals_are_exact_rationals():
    assert parse("0.1") == sp.Rational(1, 10)
    assert parse("0.1") != sp.Float(0.1)
    assert parse("1.5e-2") == sp.Rational(3, 200)


def test_dot_product_spellings_agree():
    spellings = ["theta.phi", "phi.theta", "theta @ phi", "dot(theta, phi)", "dot(phi, varphi.phi*theta/(phi@phi))"]
    results = {sp.simplify(parse(s) - DOT) for s in spellings}
    assert results == {0}


def test_components_in_three_dimensions():
    phi = sp.symbols("phi1:4", real=True)
    theta = sp.symbols("theta1:4", real=True)
    assert parse_expression("phi3*theta_3 + varphi_1", phi, theta) == phi[2] * theta[2] + phi[0]
    assert parse_expression("norm(theta)", phi, theta) == sp.sqrt(sum(t**2 for t in theta))
    with pytest.raises(ExpressionParseError, match=re.escape("valid components are phi1..phi3, theta1..theta3")):
        parse_expression("phi4", phi, theta)


def test_one_dimension():
    phi, theta = (sp.Symbol("p", real=True),), (sp.Symbol("t", real=True),)
    assert parse_expression("theta.phi - norm(phi)", phi, theta) == phi[0] * theta[0] - sp.Abs(phi[0])
    with pytest.raises(ExpressionParseError, match=re.escape("valid components are phi1, theta1")):
        parse_expression("theta2", phi, theta)


def test_parameters():
    beta = sp.Symbol("beta")
    assert parse_expression("beta*phi1", PHI, THETA, {"beta": beta}) == beta * P1
    assert parse_expression("lam", PHI, THETA, {"lam": sp.Rational(1, 2)}) == sp.Rational(1, 2)
    with pytest.raises(ExpressionParseError, match="unknown name 'lam'"):
        parse_expression("lam*phi1", PHI, THETA)


# ----------------------------------------------------------------------------- rejections

REJECTED = [
    ("__import__('os').system('echo pwned')", "method calls such as '.system(...)'"),
    ("__import__('os')", "unknown function '__import__'"),
    ("().__class__.__bases__", "attribute access '.__bases__'"),
    ("phi.__class__", "attribute access '.__class__'"),
    ("lambda: 1", "a lambda expression is not allowed"),
    ("[x for x in ()]", "a comprehension is not allowed"),
    ("phi[0]", "indexing"),
    ("open('f')", "unknown function 'open'"),
    ("getattr(phi, 'x')", "unknown function 'getattr'"),
    ("9**9**9", "exponent too large"),
    ("phi1**100000", "exponent too large"),
    ("phi1**65", "exponent too large"),
    ("10**12**2", "exponent too large"),
    ("9**(9**9 - phi1) * 9**phi1", "exponent too large"),
    ("(phi1**64)**5", "combine to too large an exponent"),
    ("exp(9**9*log(9))", "containing log()"),
    ("e**(9**9*log(9))", "containing log()"),
    ("exp(exp(exp(10)))", "a constant in the expression is too large"),
    ("cos(exp(exp(7)))", "a constant in the expression is too large"),
    ("exp(690) * exp(20)", "a constant in the expression is too large"),
    ("(log(2) - e)**pi", "not real"),
    ("phi1**theta1", "exponent depends on phi or theta needs a positive constant base"),
    ("(1 - pi)**theta.phi", "positive constant base"),
    ("sigmoid(10**12*(1 + log(2)))", "containing log()"),
    ("a" * 5000, "too long"),
    ("1 if 1 else 2", "a conditional expression"),
    ("'str'", "a string is not allowed"),
    ("b'x'", "a bytes literal is not allowed"),
    ("phi", "a loss must be a scalar; got a vector of length 2"),
    ("phi + theta", "a loss must be a scalar; got a vector of length 2"),
    ("dot(phi)", "dot() takes exactly 2 arguments (1 given)"),
    ("exp(phi1, theta1)", "exp() takes exactly 1 argument (2 given)"),
    ("exp(*phi)", "a starred argument"),
    ("exp(x=1)", "keyword arguments are not allowed"),
    ("phi + 1", "cannot add a vector (length 2) and a scalar"),
    ("1 - theta", "cannot subtract a vector (length 2) and a scalar"),
    ("phi*theta", "cannot multiply two vectors"),
    ("2/phi", "needs a scalar"),
    ("exp(phi)", "exp() needs a scalar"),
    ("phi**2", "needs a scalar"),
    ("dot(phi, 1)", "dot() needs a vector"),
    ("norm(phi1)", "norm() needs a vector"),
    ("phi1 @ theta1", "needs a vector"),
    ("theta.T", "attribute access '.T'"),
    ("theta.phi1", "attribute access '.phi1'"),
    ("phi1\x00", "null byte"),
    ("(" * 500 + "phi1" + ")" * 500, "invalid syntax"),
    ("-(" * 60 + "phi1" + ")" * 60, "nested too deeply"),
    ("abs(" * 25 + "phi1" + ")" * 25, "function calls are nested too deeply"),
    ("-" * 1500 + "1", "too large: 1501 syntax nodes"),
    ("+".join(["1"] * 600), "syntax nodes"),
    ("foo", "unknown name 'foo'"),
    ("exp", "'exp' is a function"),
    ("phi3", "component index out of range in 'phi3'"),
    ("phi0", "component index out of range in 'phi0'"),
    ("theta_01", "component index out of range in 'theta_01'"),
    ("phi1 ^ 2", "the operator '^' (write ** for a power)"),
    ("phi1 % 2", "the operator '%'"),
    ("not phi1", "the operator 'not'"),
    ("phi1 < 1", "a comparison"),
    ("phi1 and theta1", "'and'/'or'"),
    ("True", "a boolean"),
    ("None", "the constant None"),
    ("1j", "a complex number"),
    ("f'{phi1}'", "an f-string"),
    ("(y := 1)", "an assignment expression"),
    ("{}", "a dictionary"),
    ("(phi1, theta1)", "a tuple"),
    ("10000000000000", "is too large (at most 10**12"),
    ("1e13", "too large"),
    ("1e-5000", "too many digits"),
    ("1/0", "division by zero"),
    ("phi1/(theta1 - theta1)", "division by zero"),
    ("log(0)", "undefined or infinite"),
    ("sqrt(-1)", "not real"),
    ("", "empty"),
    ("  \n ", "empty"),
    ("1 +", "invalid syntax"),
    ("phi1 = 1", "invalid syntax"),
    ("import os", "invalid syntax"),
    ("phi1; theta1", "invalid syntax"),
]


@pytest.mark.parametrize(("text", "message"), REJECTED, ids=[repr(t)[:40] for t, _ in REJECTED])
def test_rejected_quickly_with_a_clear_message(text, message):
    start = time.perf_counter()
    with pytest.raises(ExpressionParseError, match=re.escape(message)) as info:
        parse(text)
    assert time.perf_counter() - start < FAST
    assert isinstance(info.value, ValueError) and isinstance(info.value, StabilityError)


def test_unknown_name_lists_what_is_allowed():
    with pytest.raises(ExpressionParseError) as info:
        parse("phi1 + foo")
    message = str(info.value)
    assert "unknown name 'foo' (column 8)" in message
    for allowed in ["phi, theta", "varphi", "phi1..phi2, theta1..theta2", "phi_1", "lam", "pi", "e"]:
        assert allowed in message
    for function in ["exp", "log", "sqrt", "tanh", "sigmoid", "softplus", "abs", "sin", "cos", "dot", "norm"]:
        assert function in message


def test_error_positions():
    with pytest.raises(ExpressionParseError, match=r"\(column 10\)"):
        parse("  phi1 + foo")
    with pytest.raises(ExpressionParseError, match=r"\(line 2, column 2\)"):
        parse("(phi1 +\n foo)")
    with pytest.raises(ExpressionParseError, match=r"invalid syntax \(column 7\)"):
        parse("phi1 +* 2")


@pytest.mark.parametrize("value", [None, 42, 1.5, b"phi1", ["phi1"], sp.Symbol("phi1")])
def test_non_string_input(value):
    with pytest.raises(ExpressionParseError, match=f"must be a string; got {type(value).__name__}") as info:
        parse(value)
    assert isinstance(info.value, ValueError)


@pytest.mark.parametrize(
    "params",
    [
        {"phi": sp.Symbol("x")},
        {"exp": sp.Symbol("x")},
        {"e": sp.Symbol("x")},
        {"theta3": sp.Symbol("x")},
        {"lambda": sp.Symbol("x")},
        {"a b": sp.Symbol("x")},
        {"lam": 0.5},
        {1: sp.Symbol("x")},
    ],
)
def test_bad_params(params):
    with pytest.raises(InvalidParameterError):
        parse("phi1", params)


def test_bad_symbols():
    with pytest.raises(InvalidParameterError, match="same length"):
        parse_expression("phi1", PHI, THETA[:1])
    with pytest.raises(InvalidParameterError):
        parse_expression("phi1", (), ())
    with pytest.raises(InvalidParameterError):
        parse_expression("phi1", ("phi1", "phi2"), THETA)


def test_exponential_growth_is_refused():
    text = "theta.phi"
    for _ in range(24):  # each level doubles the size of the SymPy tree
        text = f"({text}*phi).theta"
    start = time.perf_counter()
    with pytest.raises(ExpressionParseError, match="grows too large"):
        parse(text)
    assert time.perf_counter() - start < FAST


def test_long_flat_sums_are_fine():
    assert parse("+".join(["phi1"] * 300)) == 300 * P1
    assert parse("-".join(["theta2"] * 250)) == -248 * T2


def test_limits_at_the_boundary():
    assert parse("phi1**64 + 2**64") == P1**64 + 2**64
    assert parse("(phi1**64)**4") == P1**256
    assert parse("1000000000000") == 10**12
    assert parse("exp(64*log(2))") == 2**64
    assert parse("-(" * 45 + "phi1" + ")" * 45) == -P1


def test_time_budget_is_a_safety_net(monkeypatch):
    monkeypatch.setattr(_parse, "MAX_SECONDS", -1.0)
    with pytest.raises(ExpressionParseError, match="took more than"):
        parse("phi1")


def test_watchdog_interrupts_a_runaway_step(monkeypatch):
    def runaway(builder, node, depth, calls):
        while True:  # stands for SymPy stuck on a pathological input
            pass

    monkeypatch.setattr(_parse, "MAX_SECONDS", 0.2)
    monkeypatch.setitem(_parse._DISPATCH, ast.Name, runaway)
    handler = signal.getsignal(signal.SIGALRM)
    start = time.perf_counter()
    with pytest.raises(ExpressionParseError, match="took more than 0.2 s"):
        parse("phi1")
    assert time.perf_counter() - start < 5
    assert signal.getsignal(signal.SIGALRM) is handler
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


# ----------------------------------------------------------------------------- no code is ever run

MARKER = "_stability_parse_pwned"
PAYLOADS = [
    f"__import__('builtins').setattr(__import__('builtins'), '{MARKER}', 1)",
    f"setattr(__import__('builtins'), '{MARKER}', 1)",
    f"[setattr(__import__('builtins'), '{MARKER}', 1) for _ in (1,)][0]",
    f"(lambda: setattr(__import__('builtins'), '{MARKER}', 1))()",
    f'exec("import builtins; builtins.{MARKER} = 1")',
    f"eval(\"setattr(__import__('builtins'), '{MARKER}', 1)\")",
    f"phi1 + (setattr(__import__('builtins'), '{MARKER}', 1) or 0)",
    f"dot(phi, theta) + exp(setattr(__import__('builtins'), '{MARKER}', 1))",
]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_do_not_run(payload):
    assert not hasattr(builtins, MARKER)
    # Positive control: run by Python, the payload really does set the marker ...
    env = {"phi": 0, "theta": 0, "phi1": 0, "dot": lambda a, b: 0, "exp": lambda x: 0}
    eval(payload, env)  # deliberately, in the test only
    assert getattr(builtins, MARKER) == 1
    delattr(builtins, MARKER)
    # ... but the parser only rejects it.
    with pytest.raises(ExpressionParseError):
        parse(payload)
    assert not hasattr(builtins, MARKER)


def test_parsing_needs_no_eval(monkeypatch):
    """With eval, exec and SymPy's string parser disabled, parsing still works."""
    import sympy.parsing.sympy_parser as sympy_parser

    def forbidden(*args, **kwargs):
        raise AssertionError("code evaluation was attempted")

    monkeypatch.setattr(builtins, "eval", forbidden)
    monkeypatch.setattr(builtins, "exec", forbidden)
    monkeypatch.setattr(sympy_parser, "parse_expr", forbidden)
    monkeypatch.setattr(sympy_parser, "eval_expr", forbidden)
    assert parse("-log(1 - sigmoid(theta.phi)) + lam*norm(phi)**2 + 0.5*phi_1") == (
        -sp.log(1 - sigmoid(DOT)) + LAM * (P1**2 + P2**2) + P1 / 2
    )
    with pytest.raises(ExpressionParseError):
        parse("__import__('os').system('echo pwned')")


def test_module_source_calls_no_evaluator():
    """The parser's own source calls nothing that could evaluate text."""
    forbidden = {"eval", "exec", "compile", "sympify", "parse_expr", "S", "__import__", "getattr", "Symbol", "symbols"}
    called = set()
    for node in ast.walk(ast.parse(inspect.getsource(_parse))):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
                called.add(f"{func.value.id}.{func.attr}")
            called.add(func.id if isinstance(func, ast.Name) else getattr(func, "attr", ""))
    called.discard("compile")  # re.compile, checked just below
    assert "re.compile" in called and not called & forbidden
    assert {name for name in called if name.startswith("ast.")} <= {"ast.parse", "ast.walk", "ast.get_source_segment"}
    assert "ast.parse" in called  # the only reader of the text


# ----------------------------------------------------------------------------- property-based


def _parses_or_rejects(text):
    start = time.perf_counter()
    try:
        result = parse(text)
    except ExpressionParseError:
        pass
    else:
        assert isinstance(result, sp.Expr)
        assert result.free_symbols <= {*PHI, *THETA, LAM}
    assert time.perf_counter() - start < FAST


@settings(max_examples=200, deadline=3000)
@given(st.text(max_size=200))
def test_arbitrary_text(text):
    _parses_or_rejects(text)


TOKENS = [
    "phi", "theta", "varphi", "phi1", "theta_2", "phi3", "lam", "pi", "e", "x",
    "0", "1", "2", "9", "64", "0.5", "1e5", "1e-3", "1000000000000",
    "+", "-", "*", "/", "**", "@", ".", ",", "(", ")", " ", "[", "]", "'", "=", "_",
    "exp(", "log(", "sqrt(", "tanh(", "sigmoid(", "softplus(", "abs(", "sin(", "cos(", "dot(", "norm(",
    "__import__", "lambda", "if", "for", "__class__",
]  # fmt: skip


@settings(max_examples=200, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(TOKENS), max_size=40).map("".join))
def test_token_soup(text):
    _parses_or_rejects(text)


_LEAVES = ["phi1", "phi2", "theta1", "theta_2", "lam", "pi", "e", "theta.phi", "norm(phi)", "dot(phi, theta)"]
_NUMBERS = st.one_of(
    st.integers(-(10**12), 10**12).map(str),
    st.decimals(min_value=-(10**6), max_value=10**6, places=3, allow_nan=False, allow_infinity=False).map(str),
    st.sampled_from(["9", "64", "65", "0", "1e-3", "2.5E2"]),
)
_FUNCTIONS = ["exp", "log", "sqrt", "tanh", "sigmoid", "softplus", "abs", "sin", "cos"]
EXPRESSIONS = st.recursive(
    st.one_of(st.sampled_from(_LEAVES), _NUMBERS.map(lambda s: f"({s})")),
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(["+", "-", "*", "/", "**"]), inner).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
        st.tuples(st.sampled_from(_FUNCTIONS), inner).map(lambda t: f"{t[0]}({t[1]})"),
        inner.map(lambda s: f"-{s}"),
    ),
    max_leaves=25,
)


@settings(max_examples=150, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(EXPRESSIONS)
def test_grammatical_expressions(text):
    _parses_or_rejects(text)


# ---------------------------------------------------------------- losses as functions of a space (issue 14)
import pickle  # noqa: E402

from stability import Variant, analyze  # noqa: E402
from stability.cli import main  # noqa: E402
from stability.model.parse import LossText, check_loss_text, parse_in_space  # noqa: E402
from stability.model.space import DOT as U  # noqa: E402
from stability.model.space import NORM_PHI as R  # noqa: E402
from stability.model.space import NORM_THETA as S  # noqa: E402
from stability.model.space import ComponentSpace, InvariantSpace, NotRotationInvariant  # noqa: E402


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("theta.phi + (phi.phi)**2", U + R**4),
        ("norm(phi)", R),
        ("norm(2*theta)", 2 * S),
        ("(theta - phi) @ (theta - phi)", S**2 - 2 * U + R**2),
        ("dot(phi + theta, phi - theta)", R**2 - S**2),
        ("-log(sigmoid(theta.phi))", -sp.log(sigmoid(U))),
        ("lam*(norm(phi) - 1)**2", LAM * (R - 1) ** 2),
    ],
)
def test_vector_level_losses_come_out_in_the_invariants(text, expected):
    got = parse_in_space(text, InvariantSpace(), {"lam": LAM})
    assert sp.expand(got - expected) == 0


@pytest.mark.parametrize("text", ["phi1*theta1", "theta.phi + phi_2**2", "exp(theta1)"])
def test_components_are_not_rotation_invariant(text):
    with pytest.raises(NotRotationInvariant):
        parse_in_space(text, InvariantSpace())
    assert check_loss_text(text, dim=2) is False


def test_a_space_loss_in_components_is_the_parsed_expression():
    g = ComponentSpace(3)
    text = "theta.phi + lam*norm(phi - theta)**2 + phi2*theta3"
    expected = parse_expression(text, g.phi_symbols, g.theta_symbols, {"lam": LAM})
    assert sp.expand(parse_in_space(text, g, {"lam": LAM}) - expected) == 0


def test_loss_text_is_a_picklable_function_of_a_space():
    loss = LossText("theta.phi + norm(phi)**4")
    assert sp.expand(pickle.loads(pickle.dumps(loss))(InvariantSpace()) - (U + R**4)) == 0
    with pytest.raises(ExpressionParseError):
        LossText(3)


def test_text_losses_refuse_a_data_model():
    v = Variant("t", LossText("softplus(-theta.phi)"), LossText("-theta.phi"))
    with pytest.raises(InvalidParameterError, match="not in data samples"):
        analyze(v, regularizers={"instance_noise": 1})


def test_a_typed_invariant_loss_takes_the_invariant_route_at_n_64():
    # L_D = theta.phi + |phi|^4, L_G = -theta.phi: phi' = -theta - 4|phi|^2 phi, theta' = phi; B = [[0, -1], [1, 0]]
    # (a centre), and V = |phi|^2 + |theta|^2 has dV/dt = -8|phi|^4: asymptotically stable by LaSalle.
    start = time.perf_counter()
    v = Variant("t", LossText("theta.phi + (phi.phi)**2"), LossText("-theta.phi"))
    a = analyze(v, dim=64)
    assert a.block == sp.Matrix([[0, -1], [1, 0]]) and a.classification == "center"
    assert a.nonlinear.verdict == "asymptotically-stable"
    assert time.perf_counter() - start < 30  # generous: the component route took over a minute


def test_the_cli_builds_invariant_losses_in_any_dimension(capsys):
    assert (
        main(["analyze", "--d-loss", "theta.phi + (phi.phi)**2", "--g-loss=-theta.phi", "--dim", "4096", "--json"]) == 0
    )
    data = __import__("json").loads(capsys.readouterr().out)
    assert data["jacobian_block"] == [["0", "-1"], ["1", "0"]] and data["classification"] == "center"


# --------------------------------------------------------------- expression blow-up is bounded (issue 14)
TANH6 = "tanh(" * 6 + "theta.phi" + ")" * 6
NORMS40 = "*".join(["norm(phi - theta)"] * 40) + " + theta.phi"


@pytest.mark.parametrize(
    ("d_loss", "expected"),
    [
        # phi' = -64 (phi1 + phi2 + theta1 + theta2)^63 = O(|z|^63), theta' = phi: J = [[0, 0], [I, 0]], eigenvalues 0
        ("(phi1+phi2+theta1+theta2)**64", "non-hyperbolic"),
        # the 6-fold tanh has derivative 1 at 0: phi' = -theta + O(|z|^3), theta' = phi: eigenvalues +-i
        (TANH6, "center"),
        # |phi - theta|^40 is O(|z|^40): phi' = -theta + O(|z|^39), theta' = phi: eigenvalues +-i
        (NORMS40, "center"),
    ],
)
def test_blow_up_losses_are_analysed_in_bounded_time(d_loss, expected):
    start = time.perf_counter()
    v = Variant("t", LossText(d_loss), LossText("-theta.phi"))
    assert analyze(v, dim=2).classification == expected
    assert time.perf_counter() - start < 60  # generous bound: these took minutes (or 640 MB) before


@pytest.mark.parametrize("value", ["1e-3000", "1e5000", "1e999999999", "1/" + "3" * 2000])
def test_numbers_with_too_many_digits_are_refused_quickly(value, capsys):
    start = time.perf_counter()
    assert main(["analyze", "wgan_gp", "--param", "c=0", "--param", f"lam={value}"]) == 2
    assert "too many digits" in capsys.readouterr().err
    assert time.perf_counter() - start < FAST


@pytest.mark.parametrize(
    "text",
    ["tanh(" * 20 + "theta.phi" + ")" * 20, "sigmoid(" * 7 + "theta.phi" + ")" * 7, "exp(" * 7 + "phi1" + ")" * 7],
)
def test_deeply_nested_functions_are_refused_quickly(text, capsys):
    start = time.perf_counter()
    assert main(["analyze", "--d-loss", text, "--g-loss=-theta.phi"]) == 2
    assert "nested 7 deep (at most 6)" in capsys.readouterr().err
    assert time.perf_counter() - start < FAST
