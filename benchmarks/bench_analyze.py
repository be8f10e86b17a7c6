"""Cost of ``analyze`` against the dimension n, and against a naive SymPy pipeline.

Run:  python benchmarks/bench_analyze.py [--quick]

For each built-in variant it times ``analyze(v, dim=n)`` for n = 1..64 and prints
the ratio to n = 1 measured in the same run (target: n = 64 within 3x of n = 1).
It then times the naive pipeline a notebook would use (``Matrix.jacobian`` on 2n
symbols, ``subs`` at 0, ``simplify``, ``eigenvals``) for vanilla_ns and prints the
speed-up of ``analyze`` over it (target: >= 50x at n = 16).  SymPy's cache is cleared
before every measurement so that no run profits from an earlier one.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import sympy as sp
from sympy.core.cache import clear_cache

from stability import VARIANTS, analyze, sigmoid

DIMS = (1, 2, 4, 8, 16, 32, 64)


def timed(fn, repeat: int) -> float:
    """Median wall time of ``fn()`` over ``repeat`` runs, each with a cold SymPy cache."""
    times = []
    for _ in range(repeat):
        clear_cache()
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def run_analyze(name: str, n: int) -> None:
    a = analyze(name, dim=n)
    a.eigenvalues, a.classification  # noqa: B018 - the verdict is what is timed


def run_analyze_full(name: str, n: int) -> None:
    a = analyze(name, dim=n)
    a.jacobian, a.vector_field  # noqa: B018 - materialise the 2n-component forms too


def naive_vanilla_ns(n: int) -> dict:
    """What a script without structure would do (the baseline of the issue)."""
    phi = sp.symbols(f"phi1:{n + 1}", real=True)
    theta = sp.symbols(f"theta1:{n + 1}", real=True)
    u = sum(p * t for p, t in zip(phi, theta))
    field = sp.Matrix([-sigmoid(u) * t for t in theta] + [(1 - sigmoid(u)) * p for p in phi])
    jac = field.jacobian(list(phi) + list(theta)).subs({s: 0 for s in phi + theta})
    jac = sp.simplify(jac)
    return jac.eigenvals()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one repeat, naive pipeline up to n = 8")
    args = parser.parse_args(argv)
    repeat = 1 if args.quick else 3
    for name in VARIANTS:  # warm-up: imports and first-call costs are not part of any measurement
        run_analyze_full(name, 2)

    print("analyze(v, dim=n): median seconds (ratio to n = 1 in this run)")
    header = f"{'variant':<12}" + "".join(f"{'n=' + str(n):>16}" for n in DIMS)
    print(header)
    worst = 0.0
    for name in VARIANTS:
        base = timed(lambda name=name: run_analyze(name, 1), repeat)
        cells = []
        for n in DIMS:
            t = base if n == 1 else timed(lambda name=name, n=n: run_analyze(name, n), repeat)
            cells.append(f"{t:8.3f} ({t / base:4.2f}x)")
        worst = max(worst, t / base)
        print(f"{name:<12}" + "".join(f"{c:>16}" for c in cells))
    print(f"worst n=64 / n=1 ratio: {worst:.2f}x (target <= 3x)")

    t1 = timed(lambda: run_analyze_full("vanilla_ns", 1), repeat)
    t64 = timed(lambda: run_analyze_full("vanilla_ns", 64), repeat)
    print(
        f"\nwith the 2n x 2n Jacobian and 2n-component field materialised (vanilla_ns): "
        f"n=1 {t1:.3f} s, n=64 {t64:.3f} s ({t64 / t1:.1f}x)"
    )

    print("\nnaive pipeline (jacobian, subs, simplify, eigenvals) vs analyze, vanilla_ns:")
    print(f"{'n':>4} {'naive s':>10} {'analyze s':>10} {'speed-up':>10}")
    for n in (1, 2, 4, 8) if args.quick else (1, 2, 4, 8, 16):
        naive = timed(lambda n=n: naive_vanilla_ns(n), 1)
        fast = timed(lambda n=n: run_analyze("vanilla_ns", n), repeat)
        print(f"{n:>4} {naive:>10.3f} {fast:>10.3f} {naive / fast:>9.0f}x")
    print("target: >= 50x at n = 16")
    return 0


if __name__ == "__main__":
    sys.exit(main())
