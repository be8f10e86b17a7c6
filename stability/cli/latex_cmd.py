"""``stability latex``: the derivation as a LaTeX document (or just its equations)."""

from __future__ import annotations

import sys
from pathlib import Path

from ..errors import InvalidParameterError
from ._common import add_variant_arguments, analysis_from_args


def register(sub) -> None:
    p = sub.add_parser(
        "latex",
        help="write the derivation (losses, field, linearisation, verdict) as LaTeX",
        description="Write the derivation of a variant's verdict as a standalone LaTeX document (amsmath only), "
        "or with --fragment only its equations. Example: stability latex vanilla_ns -o vanilla.tex",
    )
    add_variant_arguments(p)
    p.add_argument("-o", "--output", metavar="FILE", help="write to FILE instead of standard output")
    p.add_argument("--fragment", action="store_true", help="only the equations (align* blocks), no preamble")
    p.add_argument(
        "--no-nonlinear", action="store_true", help="leave out the nonlinear analysis (faster with symbolic parameters)"
    )
    p.set_defaults(func=run)


def run(args) -> int:
    a = analysis_from_args(args)
    text = a.to_latex(fragment=args.fragment, nonlinear=not args.no_nonlinear)
    if not args.output or args.output == "-":
        sys.stdout.write(text)
        return 0
    path = Path(args.output)
    if path.is_dir():
        raise InvalidParameterError(f"-o must be a file name, not the directory {str(path)!r}")
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise InvalidParameterError(f"cannot write {str(path)!r}: {exc.strerror or exc}") from None
    print(f"wrote {path}", file=sys.stderr)
    return 0
