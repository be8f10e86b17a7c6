"""Exact classification of general Jacobians: structure, characteristic polynomials, root location, conditions.

Expected values come from how each case is built (polynomials from chosen roots, matrices from chosen
blocks), from numpy.linalg.eigvals / numpy.roots away from ties with the imaginary axis, from brute-force
graph reachability, and from sympy.diff; never from what the code printed.
"""

from __future__ import annotations

import random
from fractions import Fraction

import numpy as np
import pytest
import sympy as sp
from helpers import same_values

from stability.model.functions import sigmoid, softplus
from stability.theory import spectrum
from stability.theory.charpoly import charpoly, root_facts, routh_stable
from stability.theory.eigen import _sqrt
from stability.theory.jets import NotAnalytic, jet
from stability.theory.roots import half_plane
from stability.theory.spectrum import classify_block, classify_matrix
from stability.theory.structure import exchangeable, irreducible_blocks, kron_block, strongly_connected_components
from stability.timeout import TimeLimitExceeded, time_limit
from stability.verdicts import Classification, Detail

S = sp.Symbol("s")
TIE = 1e-7  # |Re(lambda)| below this (numpy) is a tie with the axis: no numeric verdict there


# --------------------------------------------------------------------------- polynomials from chosen roots
def _poly_from_roots(rng: random.Random):
    """A real polynomial built from chosen roots, and the facts those roots imply."""
    factors, roots = [], []
    for _ in range(rng.randint(1, 5)):
        kind = rng.choice(["real", "pair", "axis", "zero"])
        a = sp.Rational(rng.randint(-5, 5), rng.randint(1, 3))
        b = sp.Rational(rng.randint(1, 5), rng.randint(1, 3))
        if kind == "real":
            factors.append(S - a)
            roots.append(complex(a))
        elif kind == "pair":
            factors.append((S - a) ** 2 + b**2)
            roots += [complex(a, b), complex(a, -b)]
        elif kind == "axis":
            factors.append(S**2 + b**2)
            roots += [complex(0, b), complex(0, -b)]
        else:
            factors.append(S)
            roots.append(0j)
    expected = {
        "right": any(r.real > 0 for r in roots),
        "left": any(r.real < 0 for r in roots),
        "axis": any(r.real == 0 for r in roots),
        "zero": any(r == 0 for r in roots),
        "all_real": all(r.imag == 0 for r in roots),
    }
    return sp.Poly(sp.expand(sp.Mul(*factors)), S), expected


@pytest.mark.parametrize("seed", range(60))
def test_root_facts_match_the_roots_the_polynomial_was_built_from(seed):
    p, expected = _poly_from_roots(random.Random(seed))
    facts = root_facts(p)
    assert {k: getattr(facts, k) for k in expected} == expected
    # and the location agrees with the independent procedure of stability.theory.roots
    assert facts.location == half_plane(p)


@pytest.mark.parametrize("seed", range(40))
def test_routh_agrees_with_numpy_roots_away_from_the_axis(seed):
    rng = random.Random(1000 + seed)
    while True:  # draw until no root is (numerically) on the imaginary axis
        coeffs = [rng.randint(1, 4)] + [rng.randint(-3, 9) for _ in range(rng.randint(1, 9))]
        roots = np.roots(coeffs)
        if np.min(np.abs(roots.real)) > 1e-6:
            break
    assert routh_stable([Fraction(c) for c in coeffs]) == bool(np.all(roots.real < 0))


def test_routh_zero_in_the_first_column_is_not_stable():
    # s^4 + s^3 + 2 s^2 + 2 s + 1: first column 1, 1, 0 -> a pair of roots in the right half-plane
    assert routh_stable([1, 1, 2, 2, 1]) is False
    assert np.max(np.roots([1, 1, 2, 2, 1]).real) > 0


def test_degree_64_location_is_exact_and_fast_enough_to_finish():
    # (s + 1)^32 (s^2 + s + 2)^16: all roots in the open left half-plane
    p = sp.Poly(sp.expand((S + 1) ** 32 * (S**2 + S + 2) ** 16), S)
    with time_limit(60):
        facts = root_facts(p)
    assert facts.location == "inside" and not facts.all_real
    q = sp.Poly(sp.expand((S + 1) ** 30 * (S**2 + 4) * (S - sp.Rational(1, 3)) * (S**2 + S + 2) ** 16), S)
    with time_limit(60):
        facts = root_facts(q)
    assert facts.right and facts.left and facts.axis and not facts.zero


# --------------------------------------------------------------------------- structure
def _reach(size, edges):
    r = [[i == j or j in edges.get(i, ()) for j in range(size)] for i in range(size)]
    for k in range(size):
        for i in range(size):
            for j in range(size):
                r[i][j] = r[i][j] or (r[i][k] and r[k][j])
    return r


@pytest.mark.parametrize("seed", range(25))
def test_strongly_connected_components_match_mutual_reachability(seed):
    rng = random.Random(seed)
    size = rng.randint(1, 14)
    edges = {i: [j for j in range(size) if j != i and rng.random() < 0.15] for i in range(size)}
    r = _reach(size, edges)
    expected = sorted({tuple(j for j in range(size) if r[i][j] and r[j][i]) for i in range(size)})
    assert sorted(tuple(c) for c in strongly_connected_components(size, edges)) == expected


@pytest.mark.parametrize("seed", range(10))
def test_irreducible_blocks_carry_the_whole_spectrum(seed):
    rng = np.random.default_rng(seed)
    sizes = list(rng.integers(1, 4, size=rng.integers(2, 5)))
    n = int(sum(sizes))
    m = np.zeros((n, n), dtype=int)
    start = 0
    for k in sizes:
        m[start : start + k, start : start + k] = rng.integers(-4, 5, size=(k, k))
        m[start : start + k, :start] = rng.integers(-2, 3, size=(k, start))  # coupling below the diagonal only
        start += k
    perm = rng.permutation(n)
    m = m[np.ix_(perm, perm)]
    blocks = irreducible_blocks(sp.Matrix(m))
    assert sum(b.matrix.rows * b.copies for b in blocks) == n
    got = np.concatenate([np.repeat(np.linalg.eigvals(np.array(b.matrix, dtype=float)), b.copies) for b in blocks])
    expected = np.linalg.eigvals(m.astype(float))
    assert same_values(got, expected)


@pytest.mark.parametrize("n", [2, 3, 5])
def test_exchangeable_structure_and_its_spectrum(n):
    b, c = np.array([[-1, -2], [3, 0]]), np.array([[1, 0], [-1, 2]])
    j = np.kron(b, np.eye(n)) + np.kron(c, np.ones((n, n)))
    found = exchangeable(sp.Matrix(j.astype(int)), n)
    assert found is not None and np.array_equal(np.array(found[0], dtype=int), b)
    assert np.array_equal(np.array(found[1], dtype=int), c)
    predicted = np.concatenate([np.linalg.eigvals(b + n * c), np.repeat(np.linalg.eigvals(b), n - 1)])
    assert same_values(predicted, np.linalg.eigvals(j))
    j[0, 1] += 1  # break the symmetry
    assert exchangeable(sp.Matrix(j.astype(int)), n) is None
    assert kron_block(sp.Matrix(np.kron(b, np.eye(n)).astype(int)), n) == sp.Matrix(b)


# --------------------------------------------------------------------------- jets
X, Y, Z = sp.symbols("x y z", real=True)


@pytest.mark.parametrize(
    "expr",
    [
        -sp.log(sigmoid(2 * X * Y)) + X**2 / 10 + X**3 * Z,
        softplus(X - Y) * sp.exp(Z) + sp.sin(X * Y + Z) ** 2,
        sp.log(1 + X**2 + sp.cosh(Y)) * (1 + Z) ** sp.Rational(3, 2),
        (X + Y + Z) ** 6 + sp.tanh(X) * sp.atan(Y - Z) + 2 ** (X * Y),
        X * Y / (3 + Z + X**2) + sp.sqrt(4 + X) * Y,
    ],
)
def test_jets_equal_derivatives_at_zero(expr):
    state = (X, Y, Z)
    j = jet(expr, state)
    at0 = {v: 0 for v in state}
    assert sp.simplify(j.value - expr.subs(at0)) == 0
    for i, v in enumerate(state):
        assert sp.simplify(j.grad.get(i, 0) - sp.diff(expr, v).subs(at0)) == 0
        for k in range(i, len(state)):
            exact = sp.diff(expr, v, state[k]).subs(at0)
            assert sp.simplify(j.hess.get((i, k), 0) - exact) == 0


@pytest.mark.parametrize(
    "expr",
    [
        sp.Abs(X) * Y,
        sp.sign(X) * X**2,  # sign(0) = 0 would hide the kink of x|x|' = 2|x|
        sp.Heaviside(X) * X**2,
        sp.Max(X, 0) ** 2,
        sp.Min(X, Y),
        sp.Piecewise((X**2, X > 0), (0, True)),
        sp.sqrt(X**2 + Y**2),
        Y / X,
        X ** sp.Rational(1, 2),
        sp.log(X**2),
        sp.floor(X),
        sp.Function("f")(X),
    ],
)
def test_jets_refuse_what_is_not_analytic_at_zero(expr):
    with pytest.raises(NotAnalytic):
        jet(expr, (X, Y))


# --------------------------------------------------------------------------- exact classification
def _diag_blocks(*blocks):
    return sp.diag(*[sp.Matrix(b) for b in blocks])


@pytest.mark.parametrize(
    "m, verdict, detail, eigs",
    [
        (
            _diag_blocks([[0, -1], [1, 0]], [[-1]], [[-1]]),
            "non-hyperbolic",
            "zero real part",
            {sp.I: 1, -sp.I: 1, -1: 2},
        ),
        (
            _diag_blocks([[0, -2], [2, 0]], [[0, -1], [1, 0]]),
            "center",
            "center",
            {2 * sp.I: 1, -2 * sp.I: 1, sp.I: 1, -sp.I: 1},
        ),
        (_diag_blocks([[1]], [[0]], [[0, -1], [1, 0]]), "unstable", "zero real part", {1: 1, 0: 1, sp.I: 1, -sp.I: 1}),
        (_diag_blocks([[1]], [[-1]]), "unstable", "saddle", {1: 1, -1: 1}),
        (_diag_blocks([[1, -1], [1, 1]], [[2]]), "unstable", "source", {1 + sp.I: 1, 1 - sp.I: 1, 2: 1}),
        (_diag_blocks([[-1, 1], [0, -1]], [[-3]]), "stable", "node", {-1: 2, -3: 1}),
        (_diag_blocks([[-1, -1], [1, -1]], [[-3]]), "stable", "focus", {-1 + sp.I: 1, -1 - sp.I: 1, -3: 1}),
    ],
)
def test_classify_matrix_hand_made_spectra(m, verdict, detail, eigs):
    rng = np.random.default_rng(0)
    perm = list(rng.permutation(m.rows))
    m = m.extract(perm, perm)  # the structure must be found under any ordering
    spec = classify_matrix(m)
    assert spec.classification == verdict and spec.detail == detail
    assert {sp.nsimplify(k): v for k, v in spec.eigenvalues.items()} == eigs
    assert spec.detail  # an unstable (or any) verdict always carries a detail (issue 14)


def test_cubic_with_three_real_roots_gives_exact_real_roots():
    # charpoly s^3 - 3 s + 1 (casus irreducibilis): exact roots, real parts without I
    spec = classify_matrix(sp.Matrix([[0, 1, 0], [0, 0, 1], [-1, 3, 0]]))
    expected = np.sort(np.roots([1, 0, -3, 1]).real)
    assert spec.classification == "unstable" and spec.detail == "saddle"
    assert not spec.numeric_only
    got = np.sort([float(p.real) for p in spec.parts])
    assert np.allclose(got, expected, atol=1e-12)
    assert all(p.imag == 0 for p in spec.parts)


@pytest.mark.parametrize("seed", range(6))
def test_large_dense_block_exact_verdict_numeric_eigenvalues(seed):
    rng = np.random.default_rng(seed)
    n = 7
    while True:  # draw until no eigenvalue is (numerically) on the axis
        a = rng.integers(-3, 4, size=(n, n))
        low = np.tril(rng.integers(-2, 3, size=(n, n)), -1) + np.eye(n, dtype=int)
        s = low @ low.T + np.eye(n, dtype=int) * int(rng.integers(-4, 3))  # indefinite for some seeds
        j = np.block([[-s, -a], [a.T, np.zeros((n, n), dtype=int)]])
        ev = np.linalg.eigvals(j.astype(float))
        if np.min(np.abs(ev.real)) > TIE:
            break
    spec = classify_matrix(sp.Matrix(j))
    assert spec.classification == ("stable" if ev.real.max() < 0 else "unstable")
    # degree 14 > CRootOf degree: floating-point eigenvalues, flagged, matching numpy
    values = np.array([complex(v) for v, k in spec.eigenvalues.items() for _ in range(k)])
    assert same_values(values, ev)
    assert spec.numeric_only == any(isinstance(v, sp.Float) or v.has(sp.Float) for v in spec.eigenvalues)


def test_float_entries_are_taken_as_the_decimals_they_print_as():
    spec = classify_matrix(sp.Matrix([[-0.1, 1.0], [-1.0, 0.0]]))
    assert spec.classification == "stable" and spec.detail == "focus"
    assert "floating-point entries" in spec.note


# --------------------------------------------------------------------------- bounds that are hit
def test_charpoly_past_its_bound_leaves_the_verdict_undecided_with_numeric_eigenvalues(monkeypatch):
    def slow(m, x):
        raise TimeLimitExceeded(spectrum.BLOCK_SECONDS)

    monkeypatch.setattr(spectrum, "charpoly", slow)
    m = sp.Matrix([[-1, 2, 0], [-2, -1, 0], [0, 1, -3]])
    spec = classify_matrix(m)
    assert spec.classification == Classification.UNDECIDED
    assert spec.numeric_only and "characteristic polynomial" in spec.note
    values = np.array([complex(v) for v, k in spec.eigenvalues.items() for _ in range(k)])
    assert same_values(values, np.linalg.eigvals(np.array(m, dtype=float)))


def test_root_location_past_its_bound_is_undecided_not_guessed(monkeypatch):
    def slow(p):
        raise TimeLimitExceeded(spectrum.BLOCK_SECONDS)

    monkeypatch.setattr(spectrum, "root_facts", slow)
    spec = classify_matrix(sp.Matrix([[-1, 2, 0], [-2, -1, 1], [0, 1, -3]]))
    assert spec.classification == Classification.UNDECIDED and "not decided" in spec.note
    assert spec.eigenvalues  # still given


# --------------------------------------------------------------------------- one parameter: conditions
K = sp.Symbol("k", real=True)
KP = sp.Symbol("k", positive=True)


def _numeric_verdict(m: np.ndarray) -> str | None:
    ev = np.linalg.eigvals(m)
    if np.min(np.abs(ev.real)) < TIE:
        return None
    return "stable" if ev.real.max() < 0 else "unstable"


PARAMETRIC = [
    sp.Matrix([[0, 1, 0], [0, 0, 1], [-1, -3, -3 * K]]),  # s^3 + 3k s^2 + 3 s + 1: Hopf at k = 1/9
    K * sp.Matrix([[0, 1, 0], [0, 0, 1], [-1, 3, 0]]),  # hung for minutes before
    sp.Matrix([[0, -K, -1, 0], [-K, -1, 0, -1], [1, 0, 0, -K], [0, 1, -K, 0]]),  # Hurwitz det -4k^2: k = 0 is special
    sp.Matrix([[-2 * K, -1], [1, 0]]),
    sp.Matrix([[K - 1, -1, 0, 0], [1, 0, 0, 0], [0, 0, -K, 1], [0, 0, -1, -K]]),
    sp.Matrix([[0, 1, 0], [0, 0, 1], [-1, 3, 0]]) + K * sp.eye(3),  # thresholds are roots of a cubic (CRootOf)
]


@pytest.mark.parametrize("m", PARAMETRIC)
def test_one_parameter_conditions_evaluate_everywhere_and_agree_with_numpy(m):
    with time_limit(120):  # generous: these hung or raised before
        spec = classify_matrix(m)
    conds = dict(spec.conditions)
    assert conds, "a symbolic verdict comes with conditions"
    verdicts = {str(c) for c in Classification}
    for q in [sp.Rational(v, 8) for v in range(-24, 25)] + [sp.Rational(1, 9), 1, -1, 0]:
        values = {name: c.subs(K, q) for name, c in conds.items()}
        assert all(v in (sp.true, sp.false) for v in values.values()), values  # never NaN, never unevaluated
        true = [name for name, v in values.items() if v is sp.true and name in verdicts]
        assert len(true) <= 1
        expected = _numeric_verdict(np.array(m.subs(K, q), dtype=float))
        if expected is not None:
            got = true if spec.classification == Classification.UNDECIDED else [str(spec.classification)]
            assert got == [expected], (q, values)


def test_k_at_a_double_zero_of_the_hurwitz_determinant():
    # p = (s^2 + 1 + k^2 ...) at k = 0 is (s^2 + 1)(s^2 + s + 1): on the axis, not "unstable"
    m = PARAMETRIC[2]
    spec = classify_matrix(m)
    assert spec.conditions["non-hyperbolic"].subs(K, 0) is sp.true
    assert spec.conditions["unstable"].subs(K, sp.Rational(1, 100)) is sp.true


def test_positive_parameter_detail_conditions():
    spec = classify_matrix(sp.Matrix([[-2 * KP, -1], [1, 0]]))
    assert spec.classification == "stable" and spec.detail == Detail.DEPENDS
    assert spec.conditions["focus"].subs(KP, sp.Rational(1, 2)) is sp.true
    assert spec.conditions["node"].subs(KP, 1) is sp.true  # double root -1: real
    assert spec.conditions["node"].subs(KP, 3) is sp.true and spec.conditions["focus"].subs(KP, 3) is sp.false


def test_nonnegative_parameter_includes_its_endpoint():
    a = sp.Symbol("a", nonnegative=True)
    spec = classify_matrix(sp.Matrix([[-2 * a, -1, 0], [1, 0, 0], [0, 0, -1]]))
    assert spec.classification == Classification.UNDECIDED
    assert spec.conditions["non-hyperbolic"].subs(a, 0) is sp.true  # +-i and -1 at a = 0
    assert spec.conditions["stable"].subs(a, sp.Rational(1, 3)) is sp.true


def test_two_parameters_give_routh_hurwitz_conditions():
    a, b = sp.symbols("a b", real=True)
    spec = classify_matrix(sp.Matrix([[a, -1, 0], [1, 0, 0], [0, 0, b]]))
    assert spec.classification == Classification.UNDECIDED
    stable = spec.conditions["stable"]
    for av, bv in [(-1, -1), (1, -1), (-1, 1), (-sp.Rational(1, 2), -3)]:
        expected = _numeric_verdict(np.array([[av, -1, 0], [1, 0, 0], [0, 0, bv]], dtype=float)) == "stable"
        assert (stable.subs({a: av, b: bv}) is sp.true) == expected


def test_classify_block_keeps_its_builtin_outputs():
    lam = sp.Symbol("lam", positive=True)
    spec = classify_block(sp.Matrix([[-2 * lam, -1], [1, 0]]), 2)
    assert spec.classification == "stable"
    assert spec.conditions["focus"].subs(lam, sp.Rational(1, 2)) is sp.true
    assert spec.conditions["node"].subs(lam, 1) is sp.true
    numeric = classify_block(sp.Matrix([[-sp.Rational(1, 5), -sp.Rational(1, 2)], [sp.Rational(1, 2), 0]]), 3)
    assert numeric.eigenvalues == {-sp.Rational(1, 10) + s * sp.sqrt(6) * sp.I / 5: 3 for s in (1, -1)}


def test_charpoly_is_the_characteristic_polynomial():
    m = sp.Matrix([[1, 2, 0], [3, K, 1], [0, 1, -1]])
    assert sp.expand(charpoly(m, S).as_expr() - (S * sp.eye(3) - m).det()) == 0


@pytest.mark.parametrize("seed", range(3))
def test_fast_rational_square_root_is_the_expression_sympy_builds(seed):
    rng = random.Random(seed)
    for _ in range(300):
        x = sp.Rational(rng.randint(1, 10 ** rng.randint(1, 14)), rng.randint(1, 10 ** rng.randint(1, 8)))
        fast, reference = _sqrt(int(x.p), int(x.q)), sp.sqrt(x)
        assert sp.srepr(fast) == sp.srepr(reference) and hash(fast) == hash(reference)
        assert abs(float(fast) ** 2 - float(x)) <= 1e-12 * float(x)
