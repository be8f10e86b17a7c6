"""``stability verify``: the symbolic verdict checked by integrating the training ODE."""

from __future__ import annotations

import sys
import time

from ..errors import InvalidParameterError
from ..numerics.checks import check_batch
from ..numerics.verify import MAX_T_END
from . import _inputs
from ._common import add_variant_arguments, analysis_from_args, check_numeric_inputs, print_json, require_numeric, wrap

_AGREES = {True: "yes", False: "NO", None: "inconclusive"}


def register(sub) -> None:
    p = sub.add_parser(
        "verify",
        help="integrate the training ODE and check the symbolic verdict numerically",
        description="Integrate the training ODE from random initial states, measure rate, frequency and "
        "radius, and compare them with the eigenvalues. Example: stability verify wgan_gp --param c=0",
    )
    add_variant_arguments(p)
    p.add_argument("--samples", type=int, default=8, metavar="K", help="random initial states (default 8)")
    p.add_argument(
        "--t-end",
        type=float,
        default=None,
        metavar="T",
        help="integration time (default: from the eigenvalues; 200 without them)",
    )
    p.add_argument(
        "--steps",
        type=int,
        default=None,
        metavar="N",
        help="with --optimizer: number of update steps to iterate (default: from the spectral radius)",
    )
    p.add_argument("--seed", type=int, default=0, metavar="S", help="seed of the initial states (default 0)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


class Progress:
    """A plain-text progress bar on stderr: redrawn in place on a terminal; otherwise a few
    lines, and only once the run has lasted ``quiet_for`` seconds."""

    def __init__(self, label: str, stream=None, quiet_for: float = 3.0):
        self.label, self.stream, self.quiet_for = label, stream or sys.stderr, quiet_for
        self.tty = bool(getattr(self.stream, "isatty", lambda: False)())
        self.start = time.perf_counter()
        self.shown = False
        self.last_draw = 0.0
        self.next_line = 0.25

    def __call__(self, fraction: float) -> None:
        elapsed = time.perf_counter() - self.start
        if self.tty:
            if elapsed < 0.5 or (fraction < 1 and elapsed - self.last_draw < 0.1):
                return
            filled = int(30 * fraction)
            self.stream.write(f"\r{self.label} [{'#' * filled}{'.' * (30 - filled)}] {fraction:4.0%} {elapsed:5.1f}s")
            self.stream.flush()
            self.shown, self.last_draw = True, elapsed
        elif elapsed >= self.quiet_for and fraction >= self.next_line:
            self.stream.write(f"{self.label}: {fraction:.0%} after {elapsed:.1f}s\n")
            self.stream.flush()
            self.shown = True
            while self.next_line <= fraction:
                self.next_line += 0.25

    def close(self) -> None:
        if self.tty and self.shown:
            self.stream.write("\n")
            self.stream.flush()


def format_verification(a, v) -> str:
    """Readable text: the symbolic verdict, the measured figures, agreement."""
    lines = [f"{a.variant.name}: {a.variant.description} [{a.variant.equations}]", f"  dim = {a.dim}"]
    if a.params:
        lines.append("  params: " + ", ".join(f"{k} = {val}" for k, val in a.params.items()))
    if a.regularizers:
        lines.append("  regularizers: " + ", ".join(f"{k} = {val}" for k, val in a.regularizers.items()))
    eig = ", ".join(f"{p.value} (x{p.multiplicity})" for p in a.eigenvalue_parts) or "none (no Jacobian)"
    lines.append(f"  symbolic verdict: {a.classification} ({a.detail}); eigenvalues {eig}")
    counts = ", ".join(f"{n} {b}" for b, n in v.counts.items())
    s = v.settings
    lines.append(
        f"  numeric verdict:  {v.behaviour}  ({counts}; {s['samples']} trajectories, t in [0, {s['t_end']:g}])"
    )
    for name, value in v._figures():
        lines.append(f"    {name:<15} {value}")
    lines.append(f"  agrees: {_AGREES[v.agrees]}")
    lines.append(wrap(v.explanation))
    return "\n".join(lines)


def format_map_verification(a, v) -> str:
    """Readable text for a discrete analysis: the symbolic verdict, the iterated one, agreement."""
    lines = [f"{a.variant.name}: {a.variant.description} [{a.variant.equations}]", f"  dim = {a.dim}"]
    lines.append(f"  training: {v.optimizer}, lr = " + ", ".join(f"{k}: {val}" for k, val in v.lr.items()))
    rho = "none" if v.predicted_radius is None else f"{v.predicted_radius:.6g}"
    lines.append(f"  symbolic verdict: {a.classification} ({a.detail}); spectral radius {rho}")
    counts = ", ".join(f"{n} {b}" for b, n in v.counts.items())
    lines.append(f"  numeric verdict:  {v.behaviour}  ({counts}; {v.settings['steps']} steps)")
    if v.contraction is not None:
        lines.append(f"    contraction per step {v.contraction:.6g}")
    lines.append(f"  agrees: {_AGREES[v.agrees]}")
    lines.append(wrap(v.explanation))
    return "\n".join(lines)


def _check_options(args) -> None:
    """The options of this command, before any work (messages name the option and the value)."""
    _inputs.positive_count("--samples", args.samples)
    _inputs.seed("--seed", args.seed)
    if args.t_end is not None:
        _inputs.positive_number("--t-end", args.t_end, MAX_T_END)
    if args.steps is not None:
        _inputs.positive_count("--steps", args.steps)
    check_numeric_inputs(args)


def run(args) -> int:
    _check_options(args)
    a = analysis_from_args(args)
    require_numeric(a, "verify")
    try:
        check_batch(args.samples, a.dim)
    except InvalidParameterError as exc:
        raise InvalidParameterError(f"--samples {args.samples}: {exc}; pass a smaller --samples") from None
    if a.time_domain == "discrete":
        if args.t_end is not None:
            raise InvalidParameterError("--t-end is for gradient flow; with --optimizer give --steps N")
        v = a.verify(samples=args.samples, steps=args.steps, seed=args.seed)
        print_json(v.to_dict()) if args.json else print(format_map_verification(a, v))
        return 0
    if args.steps is not None:
        raise InvalidParameterError("--steps needs --optimizer (gradient flow is integrated for --t-end)")
    bar = Progress(f"verifying {a.variant.name}")
    try:
        v = a.verify(samples=args.samples, t_end=args.t_end, seed=args.seed, progress=bar)
    finally:
        bar.close()
    if args.json:
        print_json(v.to_dict())
    else:
        print(format_verification(a, v))
    return 0
