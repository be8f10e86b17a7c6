"""``stability map``: the verdict over a grid of two parameters, with the exact boundary.

Example: ``stability map vanilla_ns --x lr=0.01:8 --y r1=0:3 --optimizer simgd --dim 1 -o map.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path

from ..dynamics.optimizers import get_optimizer
from ..errors import InvalidParameterError
from ..maps import MAX_RESOLUTION, stability_map
from . import _inputs
from ._common import _flag, _rate, add_variant_arguments, parse_value, print_json, resolve_variant

FORMATS = (".png", ".pdf", ".svg")


def parse_range(text: str, option: str) -> tuple[str, float, float]:
    """``NAME=LO:HI`` (numbers like 0.01, 1/10, -0.9, 1e-3) as ``(name, lo, hi)``.

    The grid is evaluated in double precision: ends outside :data:`._inputs.NUMERIC_RANGE` are refused.

    >>> parse_range("lr=1/10:8", "--x")
    ('lr', 0.1, 8.0)
    """
    name, sep, rng = text.partition("=")
    lo_text, colon, hi_text = rng.partition(":")
    name = name.strip()
    if not sep or not colon or not name.isidentifier():
        raise InvalidParameterError(f"{option} expects NAME=LO:HI, e.g. lr=0.01:8; got {text!r}")
    ends = []
    for label, part in (("LO", lo_text), ("HI", hi_text)):
        try:  # exact, and bounded before Python builds huge integers
            value = parse_value(part, f"{name}'s {label}")
        except InvalidParameterError as exc:
            raise InvalidParameterError(f"{option} {text}: {exc}") from None
        if not getattr(value, "is_Rational", False):
            raise InvalidParameterError(f"{option} {name}: LO and HI must be numbers (e.g. 0.01, 1/10); got {rng!r}")
        _inputs.numeric_range(option, text, value)
        ends.append(float(value))
    return name, ends[0], ends[1]


def figure_path(text: str | None) -> Path | None:
    """The -o file, checked before any computation (suffix, directory, a path through a file, permissions)."""
    if text is None:
        return None
    if Path(text).suffix.lower() not in FORMATS:
        raise InvalidParameterError(f"-o {text}: the output file must end in {', '.join(FORMATS)}")
    return _inputs.output_file(text, "-o")


def save_figure(figure, path: Path, dpi: int) -> None:
    """Write ``figure`` to ``path`` (overwriting it); a failure is one line and leaves no partial new file."""
    _inputs.write_file(path, lambda p: figure.savefig(p, dpi=dpi))


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
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write the figure (.png, .pdf or .svg); an existing FILE is overwritten"
    )
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
        save_figure(m.plot().figure, path, args.dpi)
        print(f"wrote {path}", file=sys.stderr)
    return 0
