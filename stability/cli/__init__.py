"""The ``stability`` command line: one module per subcommand, registered in COMMANDS.

Each subcommand module defines ``register(subparsers)`` which adds its parser and
sets ``func`` to a function ``run(args) -> int``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import warnings

from ..errors import StabilityError
from ..timeout import TimeLimitExceeded

#: Subcommand modules, in the order ``stability --help`` lists them.
COMMANDS = ("list", "analyze", "verify", "latex", "plot", "report", "map", "bifurcation")


class Parser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one line: ``stability CMD: error: ... (see --help)``."""

    def error(self, message: str):  # argparse's default prints the usage first, over several lines
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
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
    args, extra = parser.parse_known_args(argv)
    if extra:  # reported by the subcommand, whose --help lists its options
        commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices
        commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("default")  # each warning once per place
        try:
            return _run(args)
        finally:
            _report_warnings(args, caught)


def _report_warnings(args, caught) -> None:
    """Warnings as one line each (Python's format adds the source line), each text once."""
    seen = set()
    for w in caught:
        text = _one_line(w.message) if isinstance(w.message, BaseException) else " ".join(str(w.message).split())
        if text not in seen:
            seen.add(text)
            _say(args, f"warning: {text}")


def _run(args) -> int:
    try:
        return args.func(args)
    except StabilityError as exc:
        _say(args, f"error: {_one_line(exc)}")
        return 2
    except BrokenPipeError:  # e.g. `stability analyze ... | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except TimeLimitExceeded as exc:  # a bounded step that nobody turned into an answer
        _say(args, f"error: the computation ran out of its time limit ({exc.seconds:g} s); simplify the input")
        return 2
    except MemoryError:
        _say(args, "error: out of memory; use a smaller dimension, fewer samples or a shorter run")
        return 2
    except Exception as exc:  # a bug: one line, not a traceback (STABILITY_TRACEBACK=1 shows it)
        if os.environ.get("STABILITY_TRACEBACK"):
            raise
        _say(
            args,
            f"internal error: {type(exc).__name__}: {_one_line(exc)} (a bug; set STABILITY_TRACEBACK=1 for details)",
        )
        return 1


def _one_line(exc: BaseException) -> str:
    text = str(exc.args[0]) if isinstance(exc, KeyError) and exc.args else str(exc)
    return " ".join(text.split()) or type(exc).__name__


def _say(args, message: str) -> None:
    if sys.stderr is None or sys.stderr.closed:  # closed after a broken pipe
        return
    print(f"stability {args.command}: {message}", file=sys.stderr)
