"""``stability map``: the verdict over a grid of two parameters, with the exact boundary.

Example: ``stability map vanilla_ns --x lr=0.01:8 --y r1=0:3 --optimizer simgd --dim 1 -o map.png``.
"""

from __future__ import annotations

import sys
from fractions import Fraction
from pathlib import Path

from ..dynamics.optimizers import get_optimizer
from ..errors import InvalidParameterError
from ..maps import MAX_RESOLUTION, stability_map
from ._common import _flag, _rate, add_variant_arguments, print_json, resolve_variant

FORMATS = (".png", ".pdf", ".svg")


def parse_range(text: str, option: str) -> tuple[str, float, float]:
    """``NAME=LO:HI`` (numbers like 0.01, 1/10, -0.9, 1e-3) as ``(name, lo, hi)``."""
    name, sep, rng = text.partition("=")
    lo_text, colon, hi_text = rng.partition(":")
    name = name.strip()
    if not sep or not colon or not name.isidentifier():
        raise InvalidParameterError(f"{option} expects NAME=LO:HI, e.g. lr=0.01:8; got {text!r}")
    try:
        return name, float(Fraction(lo_text.strip())), float(Fraction(hi_text.strip()))
    except (ValueError, ZeroDivisionError):
        raise InvalidParameterError(
            f"{option} {name}: LO and HI must be numbers (e.g. 0.01, 1/10); got {rng!r}"
        ) from None


def figure_path(text: str | None) -> Path | None:
    """The -o file, checked before any computation (suffix, existing directory)."""
    if text is None:
        return None
    path = Path(text)
    if path.suffix.lower() not in FORMATS:
        raise InvalidParameterError(f"output file must end in {', '.join(FORMATS)}; got {text!r}")
    if not path.parent.exists():
        raise InvalidParameterError(f"the directory of {text!r} does not exist")
    return path


def sweep_training(args, axes) -> dict:
    """``optimizer=`` (with its --opt hyperparameters) and ``lr=``; an axis lr needs no --lr."""
    if args.optimizer is None:
        if args.lr is not None or args.opt:
            raise InvalidParameterError("--lr and --opt need --optimizer NAME (gradient flow has no learning rate)")
        return {}
    options = {}
    for item in args.opt:
        key, sep, value = item.partition("=")
        if not key.strip().isidentifier() or not sep:
            raise InvalidParameterError(f"--opt expects NAME=VALUE; got {item!r}")
        options[key.strip()] = _flag(value, key.strip())
    lr = None
    if args.lr is not None:
        if "=" in args.lr:
            parts = dict(item.partition("=")[::2] for item in args.lr.split(","))
            lr = {k.strip(): _rate(v, f"--lr {k.strip()}") for k, v in parts.items()}
        else:
            lr = _rate(args.lr, "--lr")
    elif not {"lr", "lr_d", "lr_g"} & set(axes):
        raise InvalidParameterError(f"--optimizer {args.optimizer} needs --lr unless an axis is the learning rate")
    return {"optimizer": get_optimizer(args.optimizer, **options), "lr": lr}


def register(sub) -> None:
    p = sub.add_parser(
        "map",
        help="stability map over two parameters (learning rate, penalty weight, momentum, ...) with the exact boundary",
        description="Classify the equilibrium on a grid of two parameters, from the exact characteristic polynomial. "
        "Example: stability map vanilla_ns --x lr=0.01:8 --y r1=0:3 --optimizer simgd --dim 1 -o map.png",
    )
    add_variant_arguments(p, custom=False)
    p.add_argument("--x", required=True, metavar="NAME=LO:HI", help="the horizontal axis, e.g. lr=0.01:8")
    p.add_argument("--y", required=True, metavar="NAME=LO:HI", help="the vertical axis, e.g. r1=0:3 or beta=-0.9:0.9")
    p.add_argument(
        "--resolution", type=int, default=200, metavar="N", help=f"points per axis, 2..{MAX_RESOLUTION} (default 200)"
    )
    p.add_argument("-o", "--output", metavar="FILE", help="write the figure (.png, .pdf or .svg)")
    p.add_argument("--dpi", type=int, default=120, help="resolution of raster output (default 120)")
    p.add_argument("--json", action="store_true", help="machine-readable summary")
    p.set_defaults(func=run)


def format_map(m) -> str:
    """Readable text for a StabilityMap."""
    lines = [
        f"{m.variant} ({m.time_domain}): {m.x_axis.name} in [{m.x_axis.lo:g}, {m.x_axis.hi:g}] x "
        f"{m.y_axis.name} in [{m.y_axis.lo:g}, {m.y_axis.hi:g}], {len(m.x)} x {len(m.y)} points"
    ]
    lines += [f"  {k}: {100 * v:.1f}% of the grid" for k, v in m.fractions().items()]
    lines += [f"  boundary ({c.crossing}): {c.expr} = 0" for c in m.boundary] or ["  no boundary inside the window"]
    lines.append(f"  stable iff {m.conditions}")
    lines += [f"  note: {n}" for n in m.notes]
    return "\n".join(lines)


def run(args) -> int:
    variant, params, regs = resolve_variant(args)
    path = figure_path(args.output)
    if not 10 <= args.dpi <= 1200:
        raise InvalidParameterError(f"--dpi must be between 10 and 1200; got {args.dpi}")
    x, y = parse_range(args.x, "--x"), parse_range(args.y, "--y")
    m = stability_map(
        variant,
        x=(*x, args.resolution),
        y=(*y, args.resolution),
        dim=args.dim,
        params=params,
        regularizers=regs,
        **sweep_training(args, (x[0], y[0])),
    )
    if args.json:
        print_json(m.to_dict())
    else:
        print(format_map(m))
    if path is not None:
        m.plot().figure.savefig(path, dpi=args.dpi)
        print(f"wrote {path}", file=sys.stderr)
    return 0
