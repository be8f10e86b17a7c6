"""Benchmark of :func:`stability.numerics.integrate.integrate` (needs SciPy for the comparison).

Run ``python benchmarks/bench_integrate.py`` (about a minute) or with ``--quick``.

1. Speed at matched accuracy: 1,000 initial conditions of the vanilla non-saturating Dirac
   GAN (n = 2, d = 4, uniform in [-0.5, 0.5]^4, seeded) up to t = 100, output every 0.1.
   The batched integrator against integrating them one by one with
   ``solve_ivp(method="RK45", rtol=1e-6)`` and the public figure script's field, both
   measured here. Accuracy: max deviation at t = 100 from a ``DOP853`` (rtol 1e-10,
   atol 1e-12) reference on the first 50 initial conditions.
2. Memory: 10,000 trajectories x 10,000 output steps, ``store=False`` and an observer
   keeping a running max of |z| and a running mean, measured in a fresh process
   (``tracemalloc`` peak and growth of the peak resident set size).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from stability.numerics.integrate import integrate  # noqa: E402

T_END = 100.0
DT_OUT = 0.1
N_ICS = 1000
N_REF = 50
SEED = 0


def vanilla_ns(z: np.ndarray) -> np.ndarray:
    """Batched non-saturating Dirac-GAN field on (K, 2n) arrays, z = (phi, theta)."""
    n = z.shape[-1] // 2
    phi, theta = z[..., :n], z[..., n:]
    s = 1.0 / (1.0 + np.exp(-np.einsum("...i,...i->...", phi, theta)))[..., None]
    return np.concatenate([-s * theta, (1.0 - s) * phi], axis=-1)


def script_field(t, x):
    """The field as the public figure script ``gan_numeric.py`` writes it, for solve_ivp."""
    varphi1, varphi2, theta1, theta2 = x
    p = 1 / (1 + np.exp(-(varphi1 * theta1 + varphi2 * theta2)))
    return [-p * theta1, -p * theta2, (1 - p) * varphi1, (1 - p) * varphi2]


def initial_conditions(k: int, seed: int = SEED) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-0.5, 0.5, (k, 4))


def scipy_baseline(field, x0: np.ndarray, grid: np.ndarray, n_scipy: int):
    """The reference and the baseline, shared by both benchmarks.

    Returns (DOP853 rtol 1e-10 finals of the first N_REF starts, its time, RK45 rtol 1e-6 one-by-one
    time extrapolated to all starts, the measured RK45 time, RK45's max deviation from the reference).
    """
    from scipy.integrate import solve_ivp

    t_end = float(grid[-1])
    t = time.perf_counter()
    ref = np.array(
        [solve_ivp(field, (0.0, t_end), x, method="DOP853", rtol=1e-10, atol=1e-12).y[:, -1] for x in x0[:N_REF]]
    )
    t_ref = time.perf_counter() - t
    t = time.perf_counter()
    scipy_final = np.array(
        [solve_ivp(field, (0.0, t_end), x, method="RK45", rtol=1e-6, t_eval=grid).y[:, -1] for x in x0[:n_scipy]]
    )
    t_scipy_run = time.perf_counter() - t
    dev_scipy = np.abs(scipy_final[:N_REF] - ref).max()
    return ref, t_ref, t_scipy_run * len(x0) / n_scipy, t_scipy_run, dev_scipy


def bench_speed(quick: bool) -> list[tuple[str, str]]:
    x0 = initial_conditions(N_ICS)
    grid = np.linspace(0.0, T_END, round(T_END / DT_OUT) + 1)

    n_scipy = 200 if quick else N_ICS
    ref, t_ref, t_scipy, t_scipy_run, dev_scipy = scipy_baseline(script_field, x0, grid, n_scipy)

    def ours(rtol: float, atol: float):
        times = []
        for _ in range(3):  # best of 3: the machine is shared
            t = time.perf_counter()
            res = integrate(vanilla_ns, x0, T_END, dt_out=DT_OUT, rtol=rtol, atol=atol)
            times.append(time.perf_counter() - t)
        assert res.ok.all() and res.states.shape == (N_ICS, grid.size, 4)
        return min(times), np.abs(res.final[:N_REF] - ref).max(), res

    t_matched, dev_matched, res_m = ours(1e-6, 1e-6)  # scipy's rtol and (default) atol
    t_default, dev_default, res_d = ours(1e-8, 1e-10)  # the library's defaults

    label = f"{n_scipy} run, x{N_ICS // n_scipy} extrapolated" if quick else "measured"
    return [
        ("PART 1: 1,000 vanilla-GAN ICs, d=4, t_end=100, dt_out=0.1", ""),
        ("DOP853 reference (rtol 1e-10, atol 1e-12), 50 ICs", f"{t_ref:.2f} s"),
        (
            f"scipy RK45 one by one (rtol 1e-6, atol 1e-6), 1,000 ICs [{label}]",
            f"{t_scipy:.2f} s  ({1e3 * t_scipy_run / n_scipy:.1f} ms per IC)",
        ),
        ("  max |deviation| from reference at t=100", f"{dev_scipy:.2e}"),
        (
            "integrate (rtol 1e-6, atol 1e-6), 1,000 ICs, best of 3",
            f"{t_matched:.3f} s  ({res_m.n_steps} steps, {res_m.n_rejected} rejected)",
        ),
        ("  max |deviation| from reference at t=100", f"{dev_matched:.2e}"),
        ("  speed-up vs scipy at matched accuracy", f"{t_scipy / t_matched:.0f}x"),
        (
            "integrate (defaults rtol 1e-8, atol 1e-10), best of 3",
            f"{t_default:.3f} s  ({res_d.n_steps} steps, {res_d.n_rejected} rejected)",
        ),
        ("  max |deviation| from reference at t=100", f"{dev_default:.2e}"),
        ("  speed-up vs scipy (more accurate than scipy)", f"{t_scipy / t_default:.0f}x"),
    ]


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _reset_peak_rss() -> int:
    """Reset the peak-RSS mark if Linux allows it; return the current RSS in bytes."""
    try:
        Path("/proc/self/clear_refs").write_text("5")  # resets VmHWM to the current RSS
    except OSError:
        pass
    rss = _status_kib("VmRSS")
    return 1024 * (rss if rss is not None else _maxrss_kib())


def _peak_rss() -> int:
    """Peak RSS in bytes (VmHWM, else ru_maxrss, which is in KiB on Linux)."""
    hwm = _status_kib("VmHWM")
    return 1024 * (hwm if hwm is not None else _maxrss_kib())


def _maxrss_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def memory_run() -> dict[str, float]:
    """The memory benchmark; meant to run in a fresh process (see --_memory)."""
    k, dt_out, t_end = 10_000, 0.01, 100.0
    x0 = initial_conditions(k, seed=SEED + 1)
    run_max = np.zeros(k)
    run_mean = np.zeros((k, 4))
    count = [0]

    def observer(i: int, t: float, x: np.ndarray) -> None:
        np.maximum(run_max, np.sqrt(np.einsum("kd,kd->k", x, x)), out=run_max)
        count[0] += 1
        np.add(run_mean, (x - run_mean) / count[0], out=run_mean)  # running mean

    rss0 = _reset_peak_rss()
    tracemalloc.start()
    t = time.perf_counter()
    res = integrate(vanilla_ns, x0, t_end, dt_out=dt_out, store=False, observer=observer)
    elapsed = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss1 = _peak_rss()
    assert res.states is None and res.ok.all() and count[0] == res.times.size == 10_001
    return {
        "seconds": elapsed,
        "steps": res.n_steps,
        "outputs": count[0] - 1,
        "tracemalloc_mib": peak / 2**20,
        "rss_growth_mib": (rss1 - rss0) / 2**20,
        "rss_peak_mib": rss1 / 2**20,
        "stored_would_be_gib": k * count[0] * 4 * 8 / 2**30,
        "max_abs": float(run_max.max()),
        "mean_norm": float(np.abs(run_mean).max()),
    }


def bench_memory() -> list[tuple[str, str]]:
    out = subprocess.run([sys.executable, __file__, "--_memory"], capture_output=True, text=True, check=True)
    m = json.loads(out.stdout)
    return [
        ("PART 2: 10,000 ICs x 10,000 output steps (dt_out=0.01, t_end=100)", ""),
        (
            "store=False + observer (running max |z|, running mean), defaults",
            f"{m['seconds']:.1f} s  ({m['steps']} steps)",
        ),
        ("  tracemalloc peak during integrate", f"{m['tracemalloc_mib']:.1f} MiB"),
        ("  peak RSS growth during integrate", f"{m['rss_growth_mib']:.1f} MiB"),
        ("  peak RSS of the (fresh) process", f"{m['rss_peak_mib']:.1f} MiB"),
        ("  (store=True would need)", f"{m['stored_would_be_gib']:.2f} GiB: refused"),
        (
            "  sanity: max |z| seen, largest |time-mean| component",
            f"{m['max_abs']:.3f}, {m['mean_norm']:.3f}",
        ),
    ]


def print_table(rows: list[tuple[str, str]]) -> None:
    width = max(len(a) for a, _ in rows) + 2
    line = "-" * (width + max(len(b) for _, b in rows))
    for a, b in rows:
        if not b:
            print(line)
            print(a)
            print(line)
        else:
            print(f"{a:<{width}}{b}")
    print(line)


def run_benchmark(doc: str, speed, memory, memory_child) -> None:
    """Command line shared by the benchmarks: ``--quick``, and a hidden ``--_memory`` child mode.

    ``memory_child()`` runs in a fresh subprocess (so its peak RSS is its own) and returns a dict;
    ``speed(quick)`` and ``memory()`` return table rows.
    """
    parser = argparse.ArgumentParser(description=doc.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="run scipy on 200 ICs and extrapolate")
    parser.add_argument("--_memory", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args._memory:
        print(json.dumps(memory_child()))
        return
    t = time.perf_counter()
    rows = speed(args.quick) + memory()
    print_table(rows)
    print(f"total benchmark time {time.perf_counter() - t:.0f} s")


def main() -> None:
    run_benchmark(__doc__, bench_speed, bench_memory, memory_run)


if __name__ == "__main__":
    main()
