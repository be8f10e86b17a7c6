"""``stability report``: reproduce the post's whole comparison (table + figures) in one directory."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from ..errors import InvalidParameterError
from ._inputs import output_directory

#: What the report writes inside its directory (index.md, the figures and this subdirectory).
SUBDIRECTORIES = ("derivations",)


def register(sub) -> None:
    p = sub.add_parser(
        "report",
        help="reproduce the post's comparison: table of verdicts and figures in a Markdown page",
        description="Analyse every built-in variant, check each verdict numerically, draw the post's figures "
        "and write DIR/index.md with the PNGs. DIR is created if missing; files of the report's names in it "
        "(index.md, the figures, derivations/*.tex) are overwritten, nothing else is touched. "
        "Example: stability report -o report",
    )
    p.add_argument(
        "-o",
        "--output",
        metavar="DIR",
        default="report",
        help="output directory (default ./report; the report's files in it are overwritten)",
    )
    p.add_argument("--dpi", type=int, default=100, help="resolution of the figures (default 100)")
    p.add_argument("--quiet", action="store_true", help="no progress messages on stderr")
    p.set_defaults(func=run)


def run(args) -> int:
    from ..report import build_report

    out = output_directory(args.output, "-o", SUBDIRECTORIES)
    if args.dpi < 10 or args.dpi > 600:
        raise InvalidParameterError(f"--dpi {args.dpi}: must be between 10 and 600")
    index = out / "index.md"
    if index.is_dir():
        raise InvalidParameterError(f"-o {args.output}: {index} is a directory, in the way of the report's page")
    created = _create(out, args.output)  # before the minute of work: a directory that cannot be made fails now
    start = time.perf_counter()

    def progress(message: str) -> None:
        if not args.quiet:
            print(f"[{time.perf_counter() - start:5.1f} s] {message}", file=sys.stderr, flush=True)

    try:
        path = build_report(out, dpi=args.dpi, progress=progress)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        raise InvalidParameterError(
            f"-o {args.output}: cannot write the report{where}: {exc.strerror or exc}"
        ) from None
    finally:
        for made in created:  # only the empty directories this run made (leaf first): nothing else is removed
            if made.is_dir() and not any(made.iterdir()):
                made.rmdir()
    print(f"wrote {path} in {time.perf_counter() - start:.1f} s", file=sys.stderr)
    print(path)
    return 0


def _create(out: Path, text: str) -> list[Path]:
    """Make the report's directory (and missing parents); the directories this call created, leaf first."""
    missing = [p for p in (out, *out.parents) if not p.exists()]
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidParameterError(f"-o {text}: cannot create the directory ({exc.strerror or exc})") from None
    return missing
