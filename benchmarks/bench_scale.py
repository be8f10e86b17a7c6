"""Custom (not rotation-invariant) variants at scale: ``analyze`` against the previous path and a naive pipeline.

Run:  python benchmarks/bench_scale.py [--quick] [--limit SECONDS] [--dims 1,2,4,...] [--pipelines analyze,...]
      [--families structured,dense]

Two families of custom variants, for n = 1, 2, 4, 8, 16, 32, 64 (a 2n x 2n Jacobian):

* **structured** (issue 13): ``u = sum_i (i+1) phi_i theta_i``,
  ``L_D = -log(1 - sigmoid(u)) + |phi|^2/10 + phi_1^3 theta_n``, ``L_G = -log sigmoid(u)``;
* **dense**: ``L_D = phi^T A theta + phi^T S phi / 2 + phi_1^2 theta_n``, ``L_G = -phi^T A theta`` with a
  random integer ``A`` (entries in -3..3) and a positive definite integer ``S = L L^T + I``
  (``L`` unit lower triangular with entries in -2..2), seeded by n.

Three pipelines, each case in its own process with a wall-time limit (default 300 s; a case past it
is reported as "> limit", and larger n are then skipped for that pipeline):

* ``analyze``: ``analyze(Variant(...))``, end to end (field from the losses, jets, structure, block
  charpolys, exact Routh-Hurwitz, eigenvalues, explanation); only building the ``Variant`` (the loss
  expressions) is outside the timed region. Its verdict column says ``exact`` (decided from the exact
  characteristic polynomials; never from floating-point signs) or ``UNDECIDED``, and how the eigenvalues
  are given: ``closed`` (radicals), ``CRootOf`` or ``numeric`` (floating point, past the degree/time limits);
* ``previous``: the linearisation and spectrum modules of commit 0f2350e (ray limits on every
  component, ``eigenvals`` and conditions from the eigenvalues), loaded from git, on the same field;
* ``naive``: ``Matrix.jacobian`` of the field, ``subs`` at 0, ``eigenvals``.

Targets (issue 13): structured n = 64 within 10x of n = 4; dense n = 32 classified exactly in under
a minute; ``analyze`` >= 50x faster than the previous path at n = 16 for both. SymPy's cache is
cleared before every measurement; imports and first calls are warmed up first.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import random
import subprocess
import sys
import time
import types
from pathlib import Path

import sympy as sp
from sympy.core.cache import clear_cache
from sympy.external.gmpy import GROUND_TYPES

from stability import Variant, analyze, sigmoid, symbols
from stability.dynamics.field import build_dynamics

DIMS = (1, 2, 4, 8, 16, 32, 64)
PREVIOUS = "0f2350e"
ROOT = Path(__file__).resolve().parents[1]


def structured(n: int) -> Variant:
    phi, theta = symbols(n)
    u = sum((i + 1) * phi[i] * theta[i] for i in range(n))
    d_loss = -sp.log(1 - sigmoid(u)) + sum(p**2 for p in phi) / 10 + phi[0] ** 3 * theta[-1]
    return Variant(f"structured{n}", d_loss=d_loss, g_loss=-sp.log(sigmoid(u)), phi=phi, theta=theta)


def dense(n: int) -> Variant:
    rng = random.Random(n)
    a = [[rng.randint(-3, 3) for _ in range(n)] for _ in range(n)]
    low = [[rng.randint(-2, 2) if j < i else int(i == j) for j in range(n)] for i in range(n)]
    s = [[sum(low[i][k] * low[j][k] for k in range(n)) + int(i == j) for j in range(n)] for i in range(n)]
    phi, theta = symbols(n)
    bilinear = sp.Add(*[a[i][j] * phi[i] * theta[j] for i in range(n) for j in range(n) if a[i][j]])
    quadratic = sp.Add(*[s[i][j] * phi[i] * phi[j] for i in range(n) for j in range(n) if s[i][j]]) / 2
    d_loss = bilinear + quadratic + phi[0] ** 2 * theta[-1]
    return Variant(f"dense{n}", d_loss=d_loss, g_loss=-bilinear, phi=phi, theta=theta)


FAMILIES = {"structured": structured, "dense": dense}


# --------------------------------------------------------------------------- the three pipelines
def eigenvalue_form(eigenvalues) -> str:
    """How the eigenvalues are given: "closed" (radicals), "CRootOf" (some exact roots of a polynomial), "numeric"."""
    values = list(eigenvalues)
    if any(v.has(sp.Float) for v in values):
        return "numeric"
    return "CRootOf" if any(v.has(sp.CRootOf) for v in values) else "closed"


def run_analyze(variant: Variant) -> str:
    """``"<classification> <detail>; exact|UNDECIDED; eig <form>"``: the verdict is exact unless undecided."""
    a = analyze(variant)
    exact = "UNDECIDED" if a.classification == "undecided" else "exact"
    return f"{a.classification} {a.detail}; {exact}; eig {eigenvalue_form(a.eigenvalues)}"


_PREVIOUS_MODULES: list = []


def _load_previous():
    """The linearize and spectrum modules of commit ``PREVIOUS``, importable next to today's package."""
    if _PREVIOUS_MODULES:
        return _PREVIOUS_MODULES
    out = _PREVIOUS_MODULES
    for name in ("linearize", "spectrum"):
        src = subprocess.check_output(
            ["git", "-C", str(ROOT), "show", f"{PREVIOUS}:stability/theory/{name}.py"], text=True
        )
        module = types.ModuleType(f"stability.theory._previous_{name}")
        module.__package__ = "stability.theory"
        sys.modules[module.__name__] = module
        exec(compile(src, f"{PREVIOUS}:stability/theory/{name}.py", "exec"), module.__dict__)  # noqa: S102
        out.append(module)
    return out


def run_previous(variant: Variant) -> str:
    linearize, spectrum = _load_previous()
    dyn = build_dynamics(variant, variant.dim, {}, {})
    lin = linearize.linearize(dyn)
    if not lin.differentiable:
        return "non-differentiable"
    spec = (
        spectrum.classify_block(lin.block, variant.dim)
        if lin.block is not None
        else spectrum.classify_matrix(lin.jacobian)
    )
    return f"{spec.classification} {spec.detail}"


def run_naive(variant: Variant) -> str:
    phi, theta = variant.phi, variant.theta
    field = sp.Matrix([-sp.diff(variant.d_loss, p) for p in phi] + [-sp.diff(variant.g_loss, t) for t in theta])
    state = list(phi) + list(theta)
    jac = field.jacobian(state).subs({z: 0 for z in state})
    eigs = jac.eigenvals()
    return f"{sum(eigs.values())} eigenvalues"


PIPELINES = {"analyze": run_analyze, "previous": run_previous, "naive": run_naive}


def _child(conn, pipeline: str, family: str, n: int) -> None:
    run, build = PIPELINES[pipeline], FAMILIES[family]
    run(build(2))  # warm-up: imports and first calls
    variant = build(n)
    clear_cache()
    t0 = time.perf_counter()
    verdict = run(variant)
    conn.send((time.perf_counter() - t0, verdict))


def measure(pipeline: str, family: str, n: int, limit: float) -> tuple[float | None, str]:
    """``(seconds, verdict)``, or ``(None, reason)`` past ``limit`` or on an error."""
    ctx = mp.get_context("fork")
    parent, child = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child, args=(child, pipeline, family, n))
    proc.start()
    ready = parent.poll(limit + 30)  # the warm-up is not part of the limit
    if not ready:
        proc.kill()
        proc.join()
        return None, f"> {limit:g} s"
    try:
        seconds, verdict = parent.recv()
    except EOFError:
        proc.join()
        return None, f"failed (exit {proc.exitcode})"
    proc.join()
    if seconds > limit:
        return None, f"> {limit:g} s"
    return seconds, verdict


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="n <= 16, 60 s limit")
    parser.add_argument("--limit", type=float, default=None, help="seconds per case (default 300; 60 with --quick)")
    parser.add_argument("--dims", default=None, help="comma-separated dimensions")
    parser.add_argument(
        "--pipelines", default=",".join(PIPELINES), help="comma-separated, of: analyze, previous, naive"
    )
    parser.add_argument("--families", default=",".join(FAMILIES), help="comma-separated, of: structured, dense")
    args = parser.parse_args(argv)
    pipelines = [p for p in args.pipelines.split(",") if p]
    unknown = [p for p in pipelines if p not in PIPELINES]
    if unknown:
        parser.error(f"unknown pipeline {unknown[0]!r}; valid: {', '.join(PIPELINES)}")
    families = [f for f in args.families.split(",") if f]
    if any(f not in FAMILIES for f in families):
        parser.error(f"unknown family in {args.families!r}; valid: {', '.join(FAMILIES)}")
    limit = args.limit or (60.0 if args.quick else 300.0)
    dims = tuple(int(x) for x in args.dims.split(",")) if args.dims else (DIMS[:5] if args.quick else DIMS)
    print(f"SymPy {sp.__version__}, ground types {GROUND_TYPES}; limit {limit:g} s per case\n")
    results: dict = {}
    verdicts: dict = {}
    for family in families:
        print(f"{family}: seconds (verdict; for analyze: exact or UNDECIDED, and how the eigenvalues are given)")
        print(f"{'n':>4} " + "".join(f"{p:>58}" for p in pipelines))
        dead: set = set()
        for n in dims:
            cells = []
            for pipeline in pipelines:
                if pipeline in dead:
                    seconds, text = None, "skipped"
                else:
                    seconds, text = measure(pipeline, family, n, limit)
                    if seconds is None:
                        dead.add(pipeline)
                results[family, pipeline, n], verdicts[family, pipeline, n] = seconds, text
                cells.append(text if seconds is None else f"{seconds:8.3f} ({text[:46]})")
            print(f"{n:>4} " + "".join(f"{c:>58}" for c in cells), flush=True)
        print()
    print("ratios")
    for family in families:
        for n in dims:
            new = results.get((family, "analyze", n))
            if new is None:
                continue
            parts = []
            for other in ("previous", "naive"):
                old = results.get((family, other, n))
                parts.append(f"{other} {old / new:8.1f}x" if old is not None else f"{other} {'n/a':>9}")
            print(f"  {family:<10} n={n:<3} analyze faster than " + ", ".join(parts))
    s4, s64 = results.get(("structured", "analyze", 4)), results.get(("structured", "analyze", 64))
    if s4 and s64:
        print(f"\nstructured: n=64 / n=4 = {s64 / s4:.1f}x (target <= 10x)")
    d32 = results.get(("dense", "analyze", 32))
    if d32 is not None:
        how = "exactly" if "; exact;" in verdicts[("dense", "analyze", 32)] else "but NOT exactly (undecided)"
        print(f"dense: n=32 classified {how} in {d32:.2f} s (target < 60 s)")
    for family in families:
        new, old = results.get((family, "analyze", 16)), results.get((family, "previous", 16))
        if new and "previous" in pipelines:
            gain = f"{old / new:.0f}x" if old else f"> {limit / new:.0f}x (previous path past the limit)"
            print(f"{family}: analyze vs previous at n=16: {gain} (target >= 50x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
