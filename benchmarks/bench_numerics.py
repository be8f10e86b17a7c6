"""Benchmark of the public numerics: ``Analysis.simulate`` against SciPy, and summary-mode memory.

Run ``python benchmarks/bench_numerics.py`` (about 1-2 minutes; ``--quick`` runs SciPy on 200
initial conditions and extrapolates).

1. Speed: 1,000 random initial conditions of vanilla_ns (n = 2, uniform in the ball of radius
   0.5, seeded) up to t = 100, output every 0.1, through ``Analysis.simulate`` (one batched
   call) against ``solve_ivp(method="RK45", rtol=1e-6)`` one by one on the *same* lambdified
   field (``numeric_field``). Both times are measured in this run, and the ratio is theirs.
   Accuracy: max deviation at t = 100 from ``DOP853`` (rtol 1e-10, atol 1e-12) on the first
   50 initial conditions.
2. Memory: 10,000 trajectories x 10,000 steps (dt = 0.01, t_end = 100) with
   ``simulate(store=False)`` (summaries and the theta EMA computed while integrating), in a
   fresh process: ``tracemalloc`` peak and peak-RSS growth.

The integrator-level benchmark is ``bench_integrate.py``; its table printer and RSS helpers
are reused here.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "benchmarks")]

from bench_integrate import _peak_rss, _reset_peak_rss, run_benchmark, scipy_baseline  # noqa: E402

from stability import analyze  # noqa: E402
from stability.numerics.simulate import numeric_field, random_states  # noqa: E402

T_END, DT = 100.0, 0.1
N_ICS, N_REF, SEED = 1000, 50, 0
MEMORY_LIMIT_GIB = 1.0


def bench_speed(quick: bool) -> list[tuple[str, str]]:
    a = analyze("vanilla_ns")
    f = numeric_field(a)  # built (and cached) before any timing

    def one(t, z):
        return f(z[None])[0]

    x0 = random_states(2, N_ICS, seed=SEED)
    grid = np.linspace(0.0, T_END, round(T_END / DT) + 1)

    n_scipy = 200 if quick else N_ICS
    ref, t_ref, t_scipy, t_scipy_run, dev_scipy = scipy_baseline(one, x0, grid, n_scipy)

    def ours(**tol):
        times = []
        for _ in range(3):  # best of 3: the machine is shared
            t = time.perf_counter()
            tr = a.simulate(x0, T_END, dt=DT, **tol)
            times.append(time.perf_counter() - t)
        assert tr.ok.all() and tr.states.shape == (N_ICS, grid.size, 4)
        return min(times), np.abs(tr.final[:N_REF] - ref).max()

    t_matched, dev_matched = ours(rtol=1e-6, atol=1e-6)  # scipy's rtol and its default atol
    t_default, dev_default = ours()  # the library's defaults, rtol 1e-8 and atol 1e-10

    label = f"{n_scipy} run, x{N_ICS // n_scipy} extrapolated" if quick else "measured"
    return [
        ("PART 1: 1,000 vanilla_ns ICs (n=2), t_end=100, output every 0.1", ""),
        ("DOP853 reference (rtol 1e-10, atol 1e-12), 50 ICs", f"{t_ref:.2f} s"),
        (
            f"solve_ivp RK45 one by one (rtol 1e-6), same field [{label}]",
            f"{t_scipy:.2f} s  ({1e3 * t_scipy_run / n_scipy:.1f} ms per IC)",
        ),
        ("  max |deviation| from reference at t=100", f"{dev_scipy:.2e}"),
        ("Analysis.simulate, rtol 1e-6 atol 1e-6 (matched), best of 3", f"{t_matched:.3f} s"),
        ("  max |deviation| from reference at t=100", f"{dev_matched:.2e}"),
        ("  ratio scipy / simulate (target >= 100x)", f"{t_scipy / t_matched:.0f}x"),
        ("Analysis.simulate, defaults rtol 1e-8 atol 1e-10, best of 3", f"{t_default:.3f} s"),
        ("  max |deviation| from reference at t=100", f"{dev_default:.2e}"),
        ("  ratio scipy / simulate (at higher accuracy than scipy)", f"{t_scipy / t_default:.0f}x"),
    ]


def memory_run() -> dict[str, float]:
    """The memory benchmark; meant to run in a fresh process (see --_memory)."""
    a = analyze("vanilla_ns")
    numeric_field(a)
    rss0 = _reset_peak_rss()
    tracemalloc.start()
    t = time.perf_counter()
    tr = a.simulate(10_000, 100.0, dt=0.01, seed=SEED + 1, store=False)
    elapsed = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = _peak_rss()
    assert tr.states is None and tr.ok.all() and tr.times.size == 10_001
    ema = tr.ema_final(0.999)
    return {
        "seconds": elapsed,
        "points": int(tr.summary_times.size),
        "tracemalloc_mib": peak / 2**20,
        "rss_growth_mib": (rss1 - rss0) / 2**20,
        "rss_peak_mib": rss1 / 2**20,
        "stored_would_be_gib": 10_000 * 10_001 * 4 * 8 / 2**30,
        "max_norm": float(tr.max_norm.max()),
        "ema_norm": float(np.linalg.norm(ema, axis=1).mean()),
    }


def bench_memory() -> list[tuple[str, str]]:
    out = subprocess.run([sys.executable, __file__, "--_memory"], capture_output=True, text=True, check=True)
    m = json.loads(out.stdout)
    verdict = "OK" if max(m["tracemalloc_mib"], m["rss_growth_mib"]) < MEMORY_LIMIT_GIB * 1024 else "OVER"
    return [
        ("PART 2: 10,000 ICs x 10,000 steps (dt=0.01, t_end=100), simulate(store=False)", ""),
        ("time (summaries on a 1001-point grid + EMA beta=0.999)", f"{m['seconds']:.1f} s"),
        ("  tracemalloc peak during simulate", f"{m['tracemalloc_mib']:.1f} MiB"),
        ("  peak RSS growth during simulate", f"{m['rss_growth_mib']:.1f} MiB"),
        ("  peak RSS of the (fresh) process", f"{m['rss_peak_mib']:.1f} MiB"),
        (f"  target < {MEMORY_LIMIT_GIB:g} GiB", verdict),
        ("  (store=True would need)", f"{m['stored_would_be_gib']:.2f} GiB: refused"),
        ("  sanity: max |z| seen, mean |theta_ema(100)|", f"{m['max_norm']:.3f}, {m['ema_norm']:.3f}"),
    ]


def main() -> None:
    run_benchmark(__doc__, bench_speed, bench_memory, memory_run)


if __name__ == "__main__":
    main()
