"""``stability plot``: one figure of a variant's dynamics (PNG, PDF, SVG; GIF with --animate)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..analysis import analyze
from ..errors import InvalidParameterError
from ..model.variants import get_variant
from ._common import add_variant_arguments, analysis_from_args

FORMATS = (".png", ".pdf", ".svg")


def register(sub) -> None:
    from ..render.plotting import KINDS

    p = sub.add_parser(
        "plot",
        help="draw a figure: theta-plane trajectory, phase portrait, eigenvalues, distance, EMA",
        description="Draw one figure of a variant's training dynamics. Example: "
        "stability plot wgan_gp --param c=0 -o gp.png",
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
        help="FILE.png, .pdf or .svg (.gif with --animate); default NAME-KIND.png in the current directory",
    )
    p.add_argument(
        "--x0",
        metavar="V,V,...",
        help="initial state phi_1..phi_n,theta_1..theta_n (default: the post's 0.1,0.2,0.2,0.1 pattern)",
    )
    p.add_argument("--t-end", type=float, default=None, metavar="T", help="integration time (default: the post's)")
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
        return [float(v) for v in text.replace(" ", "").split(",") if v]
    except ValueError:
        raise InvalidParameterError(
            f"--x0 expects comma-separated numbers, e.g. 0.1,0.2,0.2,0.1; got {text!r}"
        ) from None


def _output(args, kind: str, name: str) -> Path:
    suffix = ".gif" if args.animate else ".png"
    path = Path(args.output) if args.output else Path(f"{name}-{'animation' if args.animate else kind}{suffix}")
    allowed = (".gif",) if args.animate else FORMATS
    if path.suffix.lower() not in allowed:
        raise InvalidParameterError(
            f"output file must end in {', '.join(allowed)}"
            + (" with --animate" if args.animate else "")
            + f"; got {str(path)!r}"
        )
    if not path.parent.exists():
        raise InvalidParameterError(f"the directory of {str(path)!r} does not exist")
    return path


def run(args) -> int:
    from ..render import plotting

    a = analysis_from_args(args)
    kind = args.kind or plotting.default_kind(a)
    if kind not in plotting.KINDS:
        raise InvalidParameterError(f"unknown plot kind {kind!r}; valid kinds: {', '.join(plotting.KINDS)}")
    if args.animate and kind != "theta":
        raise InvalidParameterError(f"--animate draws the theta-plane trajectory; it cannot animate --kind {kind}")
    if args.dpi < 10 or args.dpi > 1200:
        raise InvalidParameterError(f"--dpi must be between 10 and 1200; got {args.dpi}")
    path = _output(args, kind, a.variant.name)
    x0 = _parse_x0(args.x0)
    if args.animate:
        tr = plotting.post_experiment(a, x0=x0, t_end=args.t_end, dt=args.dt, warn=False)
        plotting.animate_theta_plane(tr, path)
    else:
        compare = [analyze(get_variant(name), dim=args.dim) for name in args.compare]
        if compare and kind != "distance":
            raise InvalidParameterError("--compare overlays runs in --kind distance only")
        fig = plotting.plot(a, kind, x0=x0, t_end=args.t_end, dt=args.dt, beta=args.beta, compare=compare)
        fig.savefig(path, dpi=args.dpi)
    print(f"wrote {path}", file=sys.stderr)
    return 0
