"""The ``stability`` command line: one module per subcommand, registered in COMMANDS.

Each subcommand module defines ``register(subparsers)`` which adds its parser and
sets ``func`` to a function ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from ..errors import StabilityError

#: Subcommand modules, in the order ``stability --help`` lists them.
COMMANDS = ("list", "analyze", "verify", "latex", "plot", "report", "map", "bifurcation")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="stability",
        description="Exact stability analysis of GAN training dynamics (the Dirac GAN).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f".{name.replace('-', '_')}_cmd", __name__).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``stability`` console script and of ``python -m stability``."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (StabilityError, ValueError, KeyError) as exc:
        message = exc.args[0] if isinstance(exc, KeyError) and exc.args else exc
        print(f"stability {args.command}: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # e.g. `stability analyze ... | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
