"""A 1000 x 1000 stability map against a per-point ``numpy.linalg.eigvals`` loop, in the same run.

Run:  python benchmarks/bench_maps.py [--quick]

For each case it

1. builds the map with :func:`stability.maps.stability_map` (one symbolic analysis, compiled
   coefficients, vectorised Routh-Hurwitz / Schur-Cohn verdicts and batched rates), timing the
   whole call and the grid evaluation alone, and measuring its peak memory (``tracemalloc``,
   which sees NumPy's allocations);
2. runs the naive alternative on a random subgrid: for each point, evaluate the update map's
   Jacobian ``M(x, y)`` (compiled once with ``lambdify``), call ``numpy.linalg.eigvals`` on it,
   take the rate and classify it with the same tolerance; the loop's time is extrapolated to
   the whole grid;
3. compares the verdicts on every subgrid point farther than one grid step from every exact
   boundary candidate curve (the closed-form curves of :mod:`stability.theory.sweep`).

Targets: evaluation >= 200x faster than the loop, full agreement away from the boundary, peak
memory of the 1000 x 1000 map < 1 GiB. The rates of the grid are also compared with the loop's
on the subgrid (the loop's own error, about the square root of the machine precision at a double
eigenvalue as in the momentum case, is part of the difference).

How the grid gets its rates (:mod:`stability.numerics.grid`, :mod:`stability.numerics.roots34`): the
characteristic polynomial is factored once, exactly, by SymPy (the momentum case is the square of
a quadratic); each factor (or the whole polynomial when irreducible, as for ogd) of degree 2 by the
quadratic formula, of degree 3 or 4 by Cardano / Ferrari in real arithmetic polished by Newton /
Bairstow steps, with ``numpy.linalg.eigvals`` only where the backward error exceeds 1e-13; the
verdicts come from the Routh-Hurwitz / Schur-Cohn conditions of the factors (each one's roots are
the polynomial's), written out for degrees 2 to 4.
"""

from __future__ import annotations

import argparse
import sys
import time
import tracemalloc

import numpy as np
import sympy as sp

from stability.maps import stability_map
from stability.numerics.grid import CODES, RATE_TOL, compile_coefficients, evaluate_grid, near_boundary, verdict_groups
from stability.numerics.grid import compile_expression as compile_curve
from stability.verdicts import TimeDomain

CASES = {
    "vanilla_ns, simgd, (lr, r1)": dict(
        variant="vanilla_ns", x=("lr", 0.01, 8), y=("r1", 0, 3), optimizer="simgd", dim=1
    ),
    "vanilla_ns, altgd, (lr, r1)": dict(
        variant="vanilla_ns", x=("lr", 0.01, 8), y=("r1", 0, 3), optimizer="altgd", dim=1
    ),
    "vanilla_ns + R1 = 1, momentum, (lr, beta)": dict(
        variant="vanilla_ns",
        x=("lr", 0.01, 3),
        y=("beta", -0.9, 0.9),
        optimizer="momentum",
        dim=1,
        regularizers={"r1": 1},
    ),
}
#: Reported, not among the targets: an irreducible quartic, where no exact factorisation helps and the
#: rate takes the general degree-4 path (Ferrari + Bairstow in real arithmetic, about 100-200 ns a point).
EXTRA_CASES = {
    "vanilla_ns, ogd, (lr, r1)": dict(variant="vanilla_ns", x=("lr", 0.01, 3), y=("r1", 0, 3), optimizer="ogd", dim=1),
}


def loop_verdicts(m, ix: np.ndarray, iy: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """The naive loop on the points ``(x[ix], y[iy])``: verdict groups, rates and seconds per point."""
    block = m.analysis.block if m.analysis.block is not None else m.analysis.jacobian
    f = sp.lambdify([m.x_axis.symbol, m.y_axis.symbol], block, modules="numpy")
    discrete = m.time_domain is TimeDomain.DISCRETE
    out = np.empty(ix.size, dtype=np.int8)
    rates = np.empty(ix.size)
    t0 = time.perf_counter()
    for k in range(ix.size):
        mat = np.array(f(m.x[ix[k]], m.y[iy[k]]), dtype=float)
        ev = np.linalg.eigvals(mat)
        if discrete:
            r, crit, scale = np.abs(ev).max(), 1.0, 1.0
        else:
            r, crit, scale = ev.real.max(), 0.0, max(np.abs(ev).max(), 1e-300)
        out[k] = 0 if r < crit - RATE_TOL * scale else (1 if r > crit + RATE_TOL * scale else 2)
        rates[k] = r
    return out, rates, (time.perf_counter() - t0) / ix.size


def _structure(coeffs) -> str:
    """How the grid evaluates the polynomial: its exact factors, or the closed form / eigvals for it whole."""
    how = {1: "closed form", 2: "quadratic formula", 3: "Cardano + Newton", 4: "Ferrari + Bairstow"}
    degrees = coeffs.factor_degrees or (coeffs.degree,)
    parts = [f"degree {d} ({how.get(d, 'eigvals')})" for d in degrees]
    lead = "factored exactly into " if coeffs.factors else "irreducible: "
    note = " (eigvals where the backward error exceeds 1e-13)" if {3, 4} & set(degrees) else ""
    return lead + " x ".join(parts) + note


def run_case(name: str, spec: dict, resolution: int, samples: int, seed: int = 0) -> bool:
    spec = dict(spec)
    variant = spec.pop("variant")
    x, y = (*spec.pop("x"), resolution), (*spec.pop("y"), resolution)
    tracemalloc.start()
    t0 = time.perf_counter()
    m = stability_map(variant, x=x, y=y, **spec)
    total = time.perf_counter() - t0
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    symbols = (m.x_axis.symbol, m.y_axis.symbol)
    coeffs = compile_coefficients(m.polynomial.all_coeffs(), symbols)
    t0 = time.perf_counter()
    codes, _ = evaluate_grid(coeffs, m.x, m.y, m.time_domain)
    grid_time = time.perf_counter() - t0
    assert np.array_equal(codes, m.codes)
    t0 = time.perf_counter()
    codes_only, _ = evaluate_grid(coeffs, m.x, m.y, m.time_domain, rates=False)
    verdict_time = time.perf_counter() - t0
    assert np.array_equal(codes_only, m.codes)

    rng = np.random.default_rng(seed)
    ix, iy = rng.integers(0, len(m.x), samples), rng.integers(0, len(m.y), samples)
    ref, ref_rate, per_point = loop_verdicts(m, ix, iy)
    rate_diff = float(np.max(np.abs(m.rate[iy, ix] - ref_rate) / np.maximum(1.0, np.abs(ref_rate))))
    loop_time = per_point * m.codes.size

    xx, yy = np.meshgrid(m.x, m.y)
    curves = [compile_curve(c.expr, symbols)(xx, yy) for c in m.candidates]
    near = near_boundary(curves, 1) if curves else np.zeros(m.codes.shape, dtype=bool)
    mine = verdict_groups(m.codes)[iy, ix]
    far = ~near[iy, ix]
    disagree = int(np.count_nonzero((mine != ref) & far))
    disagree_near = int(np.count_nonzero((mine != ref) & ~far))

    print(f"\n{name}: {len(m.x)} x {len(m.y)} = {m.codes.size:,} points, degree {m.polynomial.degree()}")
    print(f"  characteristic polynomial: {_structure(coeffs)}")
    print("  fractions: " + ", ".join(f"{k} {100 * v:.2f}%" for k, v in m.fractions().items()))
    print("  boundary: " + "; ".join(str(c) for c in m.boundary))
    print(f"  stability_map (analysis + grid + boundary): {total:8.3f} s")
    print(f"  grid evaluation alone (verdict + rate):    {grid_time:8.3f} s")
    print(f"  grid evaluation, verdicts only:            {verdict_time:8.3f} s")
    print(
        f"  per-point eigvals loop: {1e6 * per_point:.2f} us/point on {samples:,} points -> {loop_time:8.1f} s "
        "for the grid (extrapolated)"
    )
    print(f"  speed-up, grid evaluation vs loop:   {loop_time / grid_time:8.0f}x   (target >= 200x)")
    print(f"  speed-up, verdicts only vs loop:     {loop_time / verdict_time:8.0f}x")
    print(f"  speed-up, whole map call vs loop:    {loop_time / total:8.0f}x")
    print(
        f"  agreement: {int(far.sum()):,} checked points farther than one grid step from the boundary, "
        f"{disagree} disagree (target 0); {int((~far).sum())} near it, {disagree_near} of them differ"
    )
    print(
        f"  rates: largest difference from the loop's eigvals on the subgrid {rate_diff:.1e} (relative to max(1, rate))"
    )
    print(f"  peak traced memory of the map: {peak / 2**20:8.1f} MiB   (target < 1024 MiB)")
    return disagree == 0 and peak < 2**30 and loop_time / grid_time >= 200


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="300 x 300 grids, fewer loop points")
    args = parser.parse_args(argv)
    resolution, samples = (300, 5000) if args.quick else (1000, 20000)
    print(f"verdict codes: {', '.join(str(c) for c in CODES)}; tolerance on the rate {RATE_TOL:g}")
    ok = [run_case(name, spec, resolution, samples) for name, spec in CASES.items()]
    print("\nall targets met" if all(ok) else "\nsome targets missed (see above)")
    print("\n--- reported, not a target: the general degree-4 path (irreducible characteristic polynomial)")
    for name, spec in EXTRA_CASES.items():
        run_case(name, spec, resolution, samples)
    return 0


if __name__ == "__main__":
    sys.exit(main())
