"""``stability bifurcation``: the spectrum and the attractor along one parameter.

Example: ``stability bifurcation wgan_gp --param c=0:2 --reg l2=0.1 -o bif.png``.
"""

from __future__ import annotations

import sys

import numpy as np

from ..errors import InvalidParameterError
from ..maps import MAX_VALUES, bifurcation
from ._common import add_variant_arguments, print_json, resolve_variant
from .map_cmd import figure_path, parse_range, save_figure, sweep_training


def register(sub) -> None:
    p = sub.add_parser(
        "bifurcation",
        help="bifurcation diagram in one parameter: eigenvalues, named crossings, measured attractor size",
        description="Follow the eigenvalues along one parameter, name the crossings of the stability boundary and "
        "measure the attractor by simulation. Example: stability bifurcation wgan_gp --param c=0:2 --reg l2=0.1",
    )
    add_variant_arguments(p, custom=False)  # its --param K=V fixes parameters; one of them is NAME=LO:HI
    p.add_argument("--values", type=int, default=200, metavar="N", help=f"parameter values, 2..{MAX_VALUES}")
    p.add_argument("--measure", type=int, default=41, metavar="N", help="values at which to simulate (default 41)")
    p.add_argument("--no-simulate", action="store_true", help="spectrum and crossings only")
    p.add_argument(
        "-o", "--output", metavar="FILE", help="write the figure (.png, .pdf or .svg); an existing FILE is overwritten"
    )
    p.add_argument("--dpi", type=int, default=120, help="resolution of raster output (default 120)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def _split(args) -> tuple[str, list[str]]:
    """The swept ``NAME=LO:HI`` among the --param options, and the fixed ones."""
    swept = [item for item in args.param if ":" in item.partition("=")[2]]
    if len(swept) != 1:
        raise InvalidParameterError(
            f"give exactly one --param NAME=LO:HI to sweep (e.g. --param c=0:2); got {len(swept)}"
            + (f": {', '.join(swept)}" if swept else "")
        )
    return swept[0], [item for item in args.param if item not in swept]


def format_bifurcation(b) -> str:
    """Readable text for a Bifurcation."""
    lines = [f"{b.variant} ({b.time_domain}): {b.axis.name} in [{b.axis.lo:g}, {b.axis.hi:g}], {b.values.size} values"]
    names, counts = np.unique(b.classification, return_counts=True)
    lines += [f"  {n}: {c} values" for n, c in zip(names, counts)]
    lines += [f"  crossing: {c.crossing} at {b.axis.name} = {c.value} (~ {float(c.value):.6g})" for c in b.crossings]
    if not b.crossings:
        lines.append("  no crossing of the stability boundary inside the range")
    lines += [f"  note: {n}" for n in b.notes]
    att = b.attractor
    if att is not None:
        lines.append(f"  attractor (max |theta| at the end of {att.runs.starts} runs per value):")
        for v, s, p, beh, note in zip(att.values, att.measured, att.predicted, att.behaviour, att.notes):
            pred = "" if not np.isfinite(p) else f", predicted {p:.6g}"
            lines.append(f"    {b.axis.name} = {v:.6g}: {s:.6g} ({beh}{pred})" + (f" [{note}]" if note else ""))
    return "\n".join(lines)


def run(args) -> int:
    swept, fixed = _split(args)
    args.param = fixed
    variant, params, regs = resolve_variant(args)
    path = figure_path(args.output)
    if not 10 <= args.dpi <= 1200:
        raise InvalidParameterError(f"--dpi must be between 10 and 1200; got {args.dpi}")
    name, lo, hi = parse_range(swept, "--param")
    b = bifurcation(
        variant,
        (name, lo, hi, args.values),
        dim=args.dim,
        params=params,
        regularizers=regs,
        simulate=not args.no_simulate,
        measure=args.measure,
        **sweep_training(args, (name,)),
    )
    if args.json:
        print_json(b.to_dict())
    else:
        print(format_bifurcation(b))
    if path is not None:
        save_figure(b.plot().figure, path, args.dpi)
        print(f"wrote {path}", file=sys.stderr)
    return 0
