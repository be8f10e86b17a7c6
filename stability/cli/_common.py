"""Options shared by several subcommands: the variant, --dim, --param, --reg, --json."""

from __future__ import annotations

import argparse
import json
import textwrap
from fractions import Fraction

import sympy as sp

from ..errors import InvalidParameterError
from ..model.variants import VARIANTS, Variant, get_variant


def add_variant_arguments(parser: argparse.ArgumentParser, custom: bool = True) -> None:
    """NAME (or --d-loss/--g-loss), --dim, --param, --reg."""
    parser.add_argument("name", nargs="?", help=f"built-in variant: {', '.join(VARIANTS)}")
    if custom:
        parser.add_argument("--d-loss", metavar="EXPR", help="custom discriminator loss, e.g. 'softplus(theta.phi)'")
        parser.add_argument("--g-loss", metavar="EXPR", help="custom generator loss, e.g. '-log(sigmoid(theta.phi))'")
    parser.add_argument("--dim", type=int, default=None, help="dimension n of phi and theta (default 2)")
    parser.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="K=V",
        help="parameter value, e.g. lam=0.1 or c=1/2; V = the name itself (lam=lam) keeps it symbolic",
    )
    parser.add_argument(
        "--reg",
        action="append",
        default=[],
        metavar="NAME[=W]",
        help="add a regulariser, e.g. l2=0.1 (no weight: symbolic)",
    )


_NOT_NAMES = frozenset({"nan", "inf", "infinity", "oo", "zoo", "i", "e", "pi"})


def parse_value(text: str, name: str):
    """A number ('0.1', '1/10', '1e-3') as an exact rational, or an identifier as a symbol."""
    text = text.strip()
    if text.lower() in _NOT_NAMES:  # would otherwise become a symbol named "nan", "oo", ...
        raise InvalidParameterError(f"value of {name} must be a finite real number or a parameter name; got {text!r}")
    if text.isidentifier():
        return sp.Symbol(text)
    try:
        return sp.Rational(Fraction(text))
    except (ValueError, ZeroDivisionError):
        raise InvalidParameterError(
            f"value of {name} must be a number (e.g. 0.1, 1/10) or a name to keep it symbolic; got {text!r}"
        ) from None


def parse_assignments(items: list[str], option: str, allow_bare: bool = False) -> dict:
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not key.isidentifier() or (not sep and not allow_bare):
            raise InvalidParameterError(f"{option} expects NAME=VALUE; got {item!r}")
        out[key] = parse_value(value, key) if sep else None
    return out


def resolve_variant(args) -> tuple[Variant, dict, dict]:
    """The variant, params and regularizers named on the command line."""
    params = parse_assignments(args.param, "--param")
    regs = parse_assignments(args.reg, "--reg", allow_bare=True)
    d_text, g_text = getattr(args, "d_loss", None), getattr(args, "g_loss", None)
    if args.name and (d_text or g_text):
        raise InvalidParameterError("give either a variant NAME or --d-loss/--g-loss, not both")
    if args.name:
        return get_variant(args.name), params, regs
    if not (d_text and g_text):
        raise InvalidParameterError(f"give a variant NAME ({', '.join(VARIANTS)}) or both --d-loss and --g-loss")
    from ..model.parse import parse_expression
    from ..model.space import check_component_dim, check_dim, symbols

    dim = args.dim or 2
    check_dim(dim)
    check_component_dim(dim, "losses given with --d-loss/--g-loss")
    phi, theta = symbols(dim)
    param_symbols = {k: sp.Symbol(k, real=True) for k in params}
    d_loss = parse_expression(d_text, phi, theta, param_symbols)
    g_loss = parse_expression(g_text, phi, theta, param_symbols)
    defaults = {k: (None if isinstance(v, sp.Symbol) else v) for k, v in params.items()}
    variant = Variant("custom", d_loss, g_loss, phi=phi, theta=theta, params=defaults, description="custom losses")
    return variant, {}, regs


def analysis_from_args(args):
    """``analyze()`` of the variant, dim, params and regularizers named on the command line."""
    from ..analysis import analyze

    variant, params, regs = resolve_variant(args)
    return analyze(variant, dim=args.dim, params=params, regularizers=regs)


def print_json(data) -> None:
    print(json.dumps(data, indent=2, default=str))


def wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)
