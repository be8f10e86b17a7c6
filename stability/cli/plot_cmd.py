"""``stability plot``: one figure of a variant's dynamics (PNG, PDF, SVG; GIF with --animate)."""

from __future__ import annotations

import math
import sys
from pathlib import Path

from ..analysis import analyze
from ..errors import InvalidParameterError
from ..model.post import post_t_end
from ..model.variants import get_variant
from ..numerics.verify import MAX_T_END
from ..render import plotting
from . import _inputs
from ._common import add_variant_arguments, analysis_from_args, check_numeric_inputs, require_numeric

FORMATS = (".png", ".pdf", ".svg")


def register(sub) -> None:
    KINDS = plotting.KINDS  # noqa: N806
    p = sub.add_parser(
        "plot",
        help="draw a figure: theta-plane trajectory, phase portrait, eigenvalues, distance, EMA",
        description="Draw one figure of a variant's training dynamics. Long runs are drawn from at most "
        f"{plotting.MAX_DRAWN_POINTS:,} points, and integrated within a budget of {plotting.MAX_SOLVER_STEPS:,} solver "
        "steps (a longer run is drawn as far as it got, with a warning). An existing output file is overwritten. "
        "Example: stability plot wgan_gp --param c=0 -o gp.png",
    )
    add_variant_arguments(p)
    p.add_argument(
        "--kind",
        metavar="KIND",
        default=None,
        help=f"one of {', '.join(KINDS)} (default: theta, or phase when --dim 1)",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="FILE.png, .pdf or .svg (.gif with --animate); default NAME-KIND.png in the current directory; "
        "an existing FILE is overwritten",
    )
    p.add_argument(
        "--x0",
        metavar="V,V,...",
        help="initial state phi_1..phi_n,theta_1..theta_n (default: the post's 0.1,0.2,0.2,0.1 pattern)",
    )
    p.add_argument(
        "--t-end",
        type=float,
        default=None,
        metavar="T",
        help=f"integration time, up to {MAX_T_END:g} (default: the post's)",
    )
    p.add_argument("--dt", type=float, default=0.01, metavar="DT", help="output and EMA step (default 0.01)")
    p.add_argument("--beta", type=float, default=0.999, help="EMA decay for --kind ema (default 0.999)")
    p.add_argument(
        "--compare",
        action="append",
        default=[],
        metavar="NAME",
        help="another built-in variant to overlay (--kind distance); repeatable",
    )
    p.add_argument("--animate", action="store_true", help="write an animated GIF of the theta-plane trajectory")
    p.add_argument("--dpi", type=int, default=120, help="resolution of raster output (default 120)")
    p.set_defaults(func=run)


def _parse_x0(text: str | None):
    if text is None:
        return None
    try:
        values = [float(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise InvalidParameterError(f"--x0 {text}: expects comma-separated numbers, e.g. 0.1,0.2,0.2,0.1") from None
    high = _inputs.NUMERIC_RANGE[1]
    if not values or not all(math.isfinite(v) and abs(v) <= high for v in values):
        raise InvalidParameterError(f"--x0 {text}: expects finite numbers, at most {high:g} in magnitude")
    return values


def _output(args, kind: str, name: str) -> Path:
    suffix = ".gif" if args.animate else ".png"
    text = args.output if args.output is not None else f"{name}-{'animation' if args.animate else kind}{suffix}"
    allowed = (".gif",) if args.animate else FORMATS
    if Path(text).suffix.lower() not in allowed:
        raise InvalidParameterError(
            f"-o {text}: the output file must end in {', '.join(allowed)}" + (" with --animate" if args.animate else "")
        )
    return _inputs.output_file(text, "-o")


def _check_options(args) -> None:
    if args.dpi < 10 or args.dpi > 1200:
        raise InvalidParameterError(f"--dpi {args.dpi}: must be between 10 and 1200")
    _inputs.positive_number("--dt", args.dt)
    if args.t_end is not None:
        _inputs.positive_number("--t-end", args.t_end, MAX_T_END)
    if not (math.isfinite(args.beta) and 0 <= args.beta < 1):
        raise InvalidParameterError(f"--beta {args.beta:g}: the EMA's decay must be in [0, 1)")
    check_numeric_inputs(args)


def _check_run(args, a, kind: str) -> None:
    """The run's length, in the options' names (before any integration)."""
    if kind == "eigenvalues":
        return
    t_end = post_t_end(a.variant.name) if args.t_end is None else args.t_end
    steps = t_end / args.dt
    if steps <= plotting.MAX_DRAWN_POINTS and abs(steps - round(steps)) > 1e-9 * max(round(steps), 1):
        raise InvalidParameterError(
            f"--t-end {t_end:g} is not a whole number of --dt {args.dt:g} steps; "
            f"e.g. --t-end {max(round(steps), 1) * args.dt:g}"
        )
    updates = plotting.ema_steps(t_end, args.dt)
    if kind == "ema" and updates > plotting.MAX_EMA_STEPS:
        raise InvalidParameterError(
            f"--kind ema updates the weight EMA once per --dt step: --t-end {t_end:g} / --dt {args.dt:g} = "
            f"{updates:,} steps, more than the {plotting.MAX_EMA_STEPS:,} a figure computes; "
            "pass a larger --dt or a shorter --t-end"
        )


def run(args) -> int:
    _check_options(args)
    x0 = _parse_x0(args.x0)
    a = analysis_from_args(args)
    kind = args.kind or plotting.default_kind(a)
    if kind not in plotting.KINDS:
        raise InvalidParameterError(f"--kind {kind}: unknown plot kind; valid kinds: {', '.join(plotting.KINDS)}")
    if args.animate and kind != "theta":
        raise InvalidParameterError(f"--animate draws the theta-plane trajectory; it cannot animate --kind {kind}")
    if args.compare and kind != "distance":
        raise InvalidParameterError("--compare overlays runs in --kind distance only")
    require_numeric(a, "plot")
    _check_run(args, a, kind)
    if kind != "eigenvalues" and not (kind == "phase" and a.dim != 1):
        try:
            plotting.check_drawable(a, x0=x0, t_end=args.t_end, dt=args.dt)
        except InvalidParameterError as exc:
            shown = "the default" if args.t_end is None else f"{args.t_end:g}"
            raise InvalidParameterError(f"--t-end {shown}: {exc}") from None
    path = _output(args, kind, a.variant.name)
    if args.animate:
        tr = plotting.drawn_experiment(a, x0=x0, t_end=args.t_end, dt=args.dt)
        _inputs.write_file(path, lambda p: plotting.animate_theta_plane(tr, p))
    else:
        compare = [analyze(get_variant(name), dim=args.dim) for name in args.compare]
        fig = plotting.plot(a, kind, x0=x0, t_end=args.t_end, dt=args.dt, beta=args.beta, compare=compare)
        with plotting.bounded_rendering():
            _inputs.write_file(path, lambda p: fig.savefig(p, dpi=args.dpi))
    print(f"wrote {path}", file=sys.stderr)
    return 0
