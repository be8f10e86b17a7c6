"""Exact root location (Hurwitz / Schur) and one-parameter regions, against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from stability import analyze
from stability.theory.criteria import HURWITZ, SCHUR, regions, stable_conditions
from stability.theory.roots import half_plane, hurwitz_determinants, unit_disc
from stability.verdicts import Crossing

S = sp.Symbol("s")
TOL = 1e-9  # roots are built exactly; the numeric comparison only separates exact 0 from clear non-zero


def _random_roots(rng, n):
    """Exact roots: rationals, complex pairs, and pairs on the imaginary axis (so ties with 0 occur)."""
    roots = []
    while len(roots) < n:
        kind = rng.integers(0, 3)
        if kind == 0:
            roots.append(sp.Rational(int(rng.integers(-3, 4)), int(rng.integers(1, 3))))
        elif len(roots) <= n - 2:
            re = sp.Rational(int(rng.integers(-2, 3)), 2) if kind == 1 else 0
            im = sp.Rational(int(rng.integers(1, 4)), 2)
            roots += [re + sp.I * im, re - sp.I * im]
    return roots


def _expected(values, measure, edge):
    worst = max(measure(complex(v)) for v in values)
    return "outside" if worst > edge + TOL else "boundary" if worst > edge - TOL else "inside"


@pytest.mark.parametrize("seed", range(4))
def test_half_plane_and_unit_disc_match_the_roots(seed):
    rng = np.random.default_rng(seed)
    for _ in range(40):
        roots = _random_roots(rng, int(rng.integers(1, 6)))
        p = sp.Poly(sp.expand(sp.prod([S - r for r in roots])), S)
        assert half_plane(p) == _expected(roots, lambda z: z.real, 0.0), roots
        scaled = [r / 2 for r in roots]  # moduli 0..~1.6, with exact 1 for the roots +-2
        q = sp.Poly(sp.expand(sp.prod([S - r for r in scaled])), S)
        assert unit_disc(q) == _expected(scaled, abs, 1.0), scaled


def test_hurwitz_determinants_by_hand():
    # s^3 + a1 s^2 + a2 s + a3: Delta_1 = a1, Delta_2 = a1 a2 - a3, Delta_3 = a3 Delta_2.
    a1, a2, a3 = sp.symbols("a1 a2 a3")
    d = hurwitz_determinants([1, a1, a2, a3])
    assert [sp.expand(x) for x in d] == [a1, sp.expand(a1 * a2 - a3), sp.expand(a3 * (a1 * a2 - a3))]


def test_schur_conditions_of_a_quadratic_are_jurys():
    # Jury for z^2 + a z + b: |b| < 1 and |a| < 1 + b. Compare on a grid of rational points.
    a, b = sp.symbols("a b", real=True)
    cond = stable_conditions(sp.Poly(S**2 + a * S + b, S), SCHUR)
    for av in np.linspace(-2.5, 2.5, 11):
        for bv in np.linspace(-1.4, 1.4, 15):
            ra, rb = sp.Rational(str(round(av, 3))), sp.Rational(str(round(bv, 3)))
            jury = abs(rb) < 1 and abs(ra) < 1 + rb
            assert bool(cond.subs({a: ra, b: rb})) == jury, (ra, rb)


def test_hurwitz_conditions_of_a_quadratic():
    a, b = sp.symbols("a b", real=True)
    cond = stable_conditions(sp.Poly(S**2 + a * S + b, S), HURWITZ)
    for ra, rb in [(1, 1), (-1, 1), (1, -1), (2, 3), (0, 1)]:
        assert bool(cond.subs({a: ra, b: rb})) == (ra > 0 and rb > 0)


def test_regions_of_alternating_gd_on_a_rotation():
    # M = [[1, -h w], [h w, 1 - h^2 w^2]] for x' = -w y, y' = w x: trace 2 - h^2 w^2, det 1.
    # |trace| < 2 <=> h < 2/w: eigenvalues on the unit circle; at h = 2/w a double -1 (flip); beyond, a root < -1.
    h, z = sp.Symbol("h", positive=True), sp.Symbol("z")
    w = sp.Rational(1, 3)
    p = z**2 - (2 - h**2 * w**2) * z + 1
    r = regions(p, z, h, SCHUR)
    assert r.boundaries[0].value == 6 and r.boundaries[0].crossing is Crossing.FLIP
    assert r.condition("boundary").subs(h, 5) and not r.condition("boundary").subs(h, 7)
    assert r.condition("outside").subs(h, 7)


def test_simgd_spectral_radius_and_threshold_by_hand():
    # vanilla_ns: J = [[0, -1/2], [1/2, 0]]; simgd M = I + hJ has eigenvalues 1 +- i h/2, |.| = sqrt(1 + h^2/4).
    a = analyze("vanilla_ns", dim=1, optimizer="simgd", lr=0.2)
    assert a.spectral_radius == sp.sqrt(101) / 10 and a.classification == "unstable"
    assert np.isclose(max(abs(np.linalg.eigvals(np.array(a.jacobian, dtype=float)))), np.sqrt(1.01))
    # wgan_gp c = 0: J = [[-2 lam, -1], [1, 0]]; det(M) = 1 - 2 lam h + h^2 < 1 <=> h < 2 lam (complex pair).
    h = sp.Symbol("h", positive=True)
    b = analyze("wgan_gp", params={"c": 0, "lam": sp.Rational(1, 4)}, optimizer="simgd", lr=h)
    assert b.max_stable_lr == sp.Rational(1, 2)
    assert [x.crossing for x in b.boundaries] == [Crossing.NEIMARK_SACKER]


def test_discrete_dimension_is_flat_and_block_structured():
    a1 = analyze("wgan_gp", dim=1, params={"c": 0}, optimizer="simgd", lr=0.1)
    a3 = analyze("wgan_gp", dim=3, params={"c": 0}, optimizer="simgd", lr=0.1)
    assert a1.block == a3.block
    assert a3.jacobian == sp.kronecker_product(a1.block, sp.eye(3))
    assert sum(a3.eigenvalues.values()) == 6 and a3.classification == a1.classification == "stable"


@pytest.mark.parametrize("bad", [0, -0.1, float("nan"), "0.1", sp.Symbol("h")])
def test_bad_learning_rates_are_refused(bad):
    with pytest.raises(ValueError, match="lr"):
        analyze("vanilla_ns", optimizer="simgd", lr=bad)


def test_lr_without_optimizer_is_refused():
    with pytest.raises(ValueError, match="optimizer"):
        analyze("vanilla_ns", lr=0.1)
