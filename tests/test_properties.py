"""Property-based tests over every built-in variant and regulariser, dimensions 1 to 4, random admissible parameters.

Each property is checked against an independent computation:

* the symbolic Jacobian ``J`` against central finite differences of the field evaluated in 40-digit
  arithmetic (the field's SymPy expression lambdified with mpmath; instance noise's Gaussian means
  by mpmath quadrature over +-40 standard deviations), along a random direction ``w`` whose
  coordinates are all away from 0, so no difference touches the singular sets phi = 0, theta = 0;
* the exact eigenvalues against ``numpy.linalg.eigvals`` of ``J`` in floating point;
* the classification against the signs of those numeric eigenvalues, where they are clearly off
  the imaginary axis (and, near it, against what the signs still decide);
* ``to_dict()`` against a strict JSON round trip (``allow_nan=False``).

A variant without a Jacobian is not skipped: its classification must be non-differentiable, and
the finite differences must show it (a difference quotient ``F(h w)/h`` that blows up, is not odd
in ``w``, or is not additive). A combination the library refuses must be refused with an
``InvalidParameterError`` that names the regulariser.
"""

from __future__ import annotations

import json
import random

import mpmath as mp
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import stability
from stability import InvalidParameterError
from stability.verdicts import Classification

DIGITS = 40
H = mp.mpf("1e-15")  # finite-difference step (with 40 digits, rounding error ~1e-25)
TOL = 1e-9  # |finite difference - J w| <= TOL (1 + |J w|): truncation is O(h) at worst
SPECTRUM_TOL = 1e-5  # eigenvalues of a Jordan block of size k are perturbed by ~eps^(1/k) in floating point
BOUNDARY = 1e-6  # a real part within this of 0 is "on the boundary" for the numeric verdict

SETTINGS = settings(
    max_examples=8,
    deadline=None,
    derandomize=True,  # reproducible in CI
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def _mp_sigmoid(x):
    return 1 / (1 + mp.exp(-x))


def _mp_softplus(x):
    return mp.log(1 + mp.exp(x))


MODULES = [{"sigmoid": _mp_sigmoid, "softplus": _mp_softplus}, "mpmath"]


class MPField:
    """The analysis' vector field as a 40-digit function of the state (independent of the library's numerics)."""

    def __init__(self, a):
        field = list(a.vector_field)
        self.means = sorted({f for e in field for f in e.atoms(sp.Function) if hasattr(f, "integrand")}, key=str)
        holders = sp.symbols(f"gm0:{len(self.means)}")
        self.state = tuple(a.state)
        self.f = sp.lambdify(
            self.state + holders, [e.xreplace(dict(zip(self.means, holders))) for e in field], modules=MODULES
        )

    def __call__(self, z):
        with mp.workdps(DIGITS):
            # exact rationals: a SymPy function of Floats evaluates itself (through the library's own quadrature)
            point = {s: sp.Rational(mp.nstr(x, DIGITS + 5)) for s, x in zip(self.state, z)}
            values = [_gaussian_mean(g.xreplace(point)) for g in self.means]
            return [mp.mpf(x) for x in self.f(*z, *values)]


_W = sp.Dummy("w", real=True)
_KINKS = (sp.Heaviside, sp.Abs, sp.sign, sp.Max, sp.Min)


def _gaussian_mean(g) -> mp.mpf:
    """``E[f(w)]``, ``w ~ N(m, v)``, of a Gaussian mean ``g`` with numeric arguments, by quadrature over +-40
    standard deviations (split at the kinks of ``f``); a Dirac delta ``c(w) delta(a w + b)`` contributes
    ``c(w0) pdf(w0) / |a|`` at its root ``w0``."""
    if not hasattr(g, "integrand"):  # v = 0 exactly: the mean is the body at m, already substituted
        return mp.mpf(str(sp.N(g, DIGITS)))
    m, v = (mp.mpf(str(sp.N(x, DIGITS))) for x in g.args[:2])
    body = sp.expand(g.integrand(_W))
    if v == 0:
        return mp.mpf(str(sp.N(body.subs(_W, sp.Float(str(m), DIGITS)), DIGITS)))
    s = mp.sqrt(v)
    total, smooth = mp.mpf(0), []
    for term in sp.Add.make_args(body):
        deltas = list(term.atoms(sp.DiracDelta))
        if not deltas:
            smooth.append(term)
            continue
        assert len(deltas) == 1 and len(deltas[0].args) == 1, term  # c(w) delta(a w + b), no derivative of delta
        (delta,) = deltas
        arg = delta.args[0]
        slope = sp.diff(arg, _W)
        assert slope.free_symbols == set() and slope != 0, term
        root = sp.solve(arg, _W)[0]
        rest = sp.N((term / delta).subs(_W, root), DIGITS)
        w0 = mp.mpf(str(sp.N(root, DIGITS)))
        total += mp.mpf(str(rest)) * mp.npdf(w0, m, s) / abs(mp.mpf(str(sp.N(slope, DIGITS))))
    if smooth:
        f = sp.lambdify(_W, sp.Add(*smooth), modules=MODULES)
        breaks = set()
        for kink in sp.Add(*smooth).atoms(*_KINKS):
            for arg in kink.args:
                for r in sp.solve(arg, _W):
                    t = (mp.mpf(str(sp.N(r, DIGITS))) - m) / s
                    if -40 < t < 40:
                        breaks.add(t)
        points = [mp.mpf(-40), *sorted(breaks), mp.mpf(40)]
        total += mp.quad(lambda t: f(m + s * t) * mp.npdf(t), points)
    return total


def _quotient(field, w, h):
    """``F(h w) / h``."""
    return [x / h for x in field([h * c for c in w])]


def _value(parameter, draw):
    q = draw(st.integers(1, 6))
    if parameter.domain == "positive":
        return sp.Rational(draw(st.integers(1, 12)), q)
    if parameter.domain == "nonnegative":
        return sp.Rational(draw(st.integers(0, 12)), q)
    return sp.Rational(draw(st.integers(-12, 12)), q)


def _direction(dim, seed):
    rng = random.Random(seed)
    return [mp.mpf(rng.choice((-1, 1)) * rng.uniform(0.3, 1.0)) for _ in range(2 * dim)]


def _analysis(draw, name, regularizer=None):
    variant = stability.VARIANTS[name]
    dim = draw(st.integers(1, 4))
    params = {k: _value(p, draw) for k, p in variant.params.items()}
    regs = {} if regularizer is None else {regularizer: _value(stability.REGULARIZERS[regularizer].weight, draw)}
    seed = draw(st.integers(0, 2**32 - 1))
    try:
        a = stability.analyze(name, dim=dim, params=params, regularizers=regs)
        a.classification  # noqa: B018 - the analysis is lazy: force it inside the try
    except InvalidParameterError as exc:
        # Refusing a combination is allowed only with a message that names the regulariser responsible.
        assert regularizer is not None and regularizer in str(exc), (name, params, regs, exc)
        return None, None
    return a, _direction(dim, seed)


def check_jacobian(a, w) -> None:
    field = MPField(a)
    with mp.workdps(DIGITS):
        if a.jacobian is None:
            check_non_differentiable(a, field, w)
            return
        plus, minus = field([H * c for c in w]), field([-H * c for c in w])
        fd = [(p - m) / (2 * H) for p, m in zip(plus, minus)]
        jw = sp.N(a.jacobian * sp.Matrix([sp.Float(str(c), DIGITS) for c in w]), DIGITS)
        for k, (num, exact) in enumerate(zip(fd, jw)):
            exact = mp.mpf(str(exact))
            assert abs(num - exact) <= TOL * (1 + abs(exact)), (a.variant.name, a.regularizers, a.dim, k, num, exact)


def check_non_differentiable(a, field, w) -> None:
    assert a.classification == Classification.NON_DIFFERENTIABLE, (a.variant.name, a.classification)
    assert a.differentiable is False and a.singular_terms and a.detail
    q_small, q_large = _quotient(field, w, H), _quotient(field, w, mp.mpf("1e-8"))
    blows_up = max(abs(x) for x in q_small) > 1e3 * (1 + max(abs(x) for x in q_large))
    odd = max(abs(x + y) for x, y in zip(q_small, _quotient(field, [-c for c in w], H)))
    v = _direction(a.dim, 12345)
    additive = max(
        abs(s - x - y)
        for s, x, y in zip(_quotient(field, [p + q for p, q in zip(w, v)], H), q_small, _quotient(field, v, H))
    )
    scale = 1 + max(abs(x) for x in q_small)
    assert blows_up or odd > 1e-6 * scale or additive > 1e-6 * scale, (a.variant.name, a.regularizers, a.dim)


def check_spectrum(a) -> None:
    if a.jacobian is None:
        assert a.eigenvalues == {} or not a.eigenvalues
        return
    numeric = np.linalg.eigvals(np.array(sp.N(a.jacobian, 30), dtype=float))
    exact = []
    for p in a.eigenvalue_parts:
        exact += [complex(sp.N(p.value, 30))] * int(p.multiplicity)
    assert len(exact) == len(numeric) == 2 * a.dim
    remaining = list(numeric)
    for value in exact:  # greedy matching of the two multisets
        k = int(np.argmin([abs(value - x) for x in remaining]))
        assert abs(value - remaining[k]) <= SPECTRUM_TOL * (1 + abs(value)), (a.variant.name, exact, numeric)
        remaining.pop(k)
    re = numeric.real
    cls = a.classification
    if np.all(np.abs(re) > BOUNDARY):
        assert cls == (Classification.STABLE if np.all(re < 0) else Classification.UNSTABLE), (cls, numeric)
    elif np.any(re > BOUNDARY):
        assert cls == Classification.UNSTABLE, (cls, numeric)
    else:  # some real part ~ 0, none clearly positive: the linearisation cannot be "unstable" by a clear margin
        assert cls in (Classification.CENTER, Classification.NON_HYPERBOLIC, Classification.STABLE), (cls, numeric)
        if np.all(np.abs(re) <= BOUNDARY):
            zero = np.any(np.abs(numeric) <= BOUNDARY)
            assert cls == (Classification.NON_HYPERBOLIC if zero else Classification.CENTER), (cls, numeric)


def check_json(a) -> None:
    d = a.to_dict()
    assert json.loads(json.dumps(d, allow_nan=False)) == d


def check_all(a, w) -> None:
    check_jacobian(a, w)
    check_spectrum(a)
    check_json(a)


@pytest.mark.parametrize("name", list(stability.VARIANTS))
@SETTINGS
@given(data=st.data())
def test_every_variant(name, data):
    a, w = _analysis(data.draw, name)
    check_all(a, w)


@pytest.mark.parametrize("regularizer", list(stability.REGULARIZERS))
@settings(SETTINGS, max_examples=12)
@given(data=st.data())
def test_every_regularizer(regularizer, data):
    name = data.draw(st.sampled_from(sorted(stability.VARIANTS)))
    a, w = _analysis(data.draw, name, regularizer)
    if a is not None:
        check_all(a, w)


def test_the_checks_can_fail():
    """The finite-difference and spectrum checks reject a wrong Jacobian (here: J + I)."""
    a = stability.analyze("wgan_gp", params={"c": 0})
    w = _direction(a.dim, 1)
    wrong = type("Wrong", (), {})()
    for attr in ("variant", "regularizers", "dim", "vector_field", "state", "classification"):
        setattr(wrong, attr, getattr(a, attr))
    wrong.jacobian = a.jacobian + sp.eye(2 * a.dim)
    with pytest.raises(AssertionError):
        check_jacobian(wrong, w)
    wrong.eigenvalue_parts = a.eigenvalue_parts
    with pytest.raises(AssertionError):
        check_spectrum(wrong)
