"""``stability latex``: the derivation as a LaTeX document (or just its equations)."""

from __future__ import annotations

import sys

from ._common import add_variant_arguments, analysis_from_args
from ._inputs import output_file, write_file


def register(sub) -> None:
    p = sub.add_parser(
        "latex",
        help="write the derivation (losses, field, linearisation, verdict) as LaTeX",
        description="Write the derivation of a variant's verdict as a standalone LaTeX document (amsmath only), "
        "or with --fragment only its equations. An existing output file is overwritten. "
        "Example: stability latex vanilla_ns -o vanilla.tex",
    )
    add_variant_arguments(p)
    p.add_argument(
        "-o",
        "--output",
        metavar="FILE",
        help="write to FILE instead of standard output (an existing FILE is overwritten)",
    )
    p.add_argument("--fragment", action="store_true", help="only the equations (align* blocks), no preamble")
    p.add_argument(
        "--no-nonlinear", action="store_true", help="leave out the nonlinear analysis (faster with symbolic parameters)"
    )
    p.set_defaults(func=run)


def run(args) -> int:
    to_stdout = args.output is None or args.output == "-"
    path = None if to_stdout else output_file(args.output)  # checked before the (possibly long) derivation
    a = analysis_from_args(args)
    text = a.to_latex(fragment=args.fragment, nonlinear=not args.no_nonlinear)
    if path is None:
        sys.stdout.write(text)
        return 0
    write_file(path, lambda p: p.write_text(text, encoding="utf-8"))
    print(f"wrote {path}", file=sys.stderr)
    return 0
