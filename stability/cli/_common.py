"""Options shared by several subcommands: the variant, --dim, --param, --reg, --json."""

from __future__ import annotations

import argparse
import json
import textwrap
from fractions import Fraction

import sympy as sp

from ..analysis import analyze
from ..dynamics.optimizers import get_optimizer
from ..errors import InvalidParameterError
from ..model.regularizers import REGULARIZERS
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
    parser.add_argument(
        "--optimizer",
        default=None,
        metavar="NAME",
        help="train in discrete time with this optimiser (e.g. simgd, altgd, momentum); default: gradient flow",
    )
    parser.add_argument(
        "--lr",
        default=None,
        metavar="H | d=H_D,g=H_G",
        help="learning rate of --optimizer: a number, a name (symbolic), or d=..,g=.. for two time scales",
    )
    parser.add_argument(
        "--opt",
        action="append",
        default=[],
        metavar="K=V",
        help="optimiser hyperparameter, e.g. beta=-0.5 or alternating=true (repeatable)",
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


def _weights() -> dict:
    return {name: reg.weight for name, reg in REGULARIZERS.items()}


def _with_domains(values: dict, declared) -> dict:
    """A bare name on the command line (``lam=a``) is a symbol carrying the parameter's declared domain."""
    return {
        k: declared[k].symbol_named(v.name) if isinstance(v, sp.Symbol) and k in declared else v
        for k, v in values.items()
    }


def resolve_variant(args) -> tuple[Variant, dict, dict]:
    """The variant, params and regularizers named on the command line."""
    params = parse_assignments(args.param, "--param")
    regs = parse_assignments(args.reg, "--reg", allow_bare=True)
    d_text, g_text = getattr(args, "d_loss", None), getattr(args, "g_loss", None)
    if args.name and (d_text or g_text):
        raise InvalidParameterError("give either a variant NAME or --d-loss/--g-loss, not both")
    if args.name:
        variant = get_variant(args.name)
        return variant, _with_domains(params, variant.params), _with_domains(regs, _weights())
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


def _flag(text: str, name: str):
    low = text.strip().lower()
    if low in ("true", "yes", "on"):
        return True
    if low in ("false", "no", "off"):
        return False
    value = parse_value(text, name)
    if isinstance(value, sp.Symbol):
        return sp.Symbol(value.name, real=True)
    return int(value) if value.is_Integer else value


def resolve_training(args) -> dict:
    """``optimizer=`` and ``lr=`` keyword arguments of ``analyze()`` from --optimizer, --lr and --opt."""
    name, lr_text, opts = getattr(args, "optimizer", None), getattr(args, "lr", None), getattr(args, "opt", [])
    if name is None:
        if lr_text is not None or opts:
            raise InvalidParameterError("--lr and --opt need --optimizer NAME (gradient flow has no learning rate)")
        return {}
    options = {}
    for item in opts:
        key, sep, value = item.partition("=")
        if not key.strip().isidentifier() or not sep:
            raise InvalidParameterError(f"--opt expects NAME=VALUE; got {item!r}")
        options[key.strip()] = _flag(value, key.strip())
    if lr_text is None:
        raise InvalidParameterError(f"--optimizer {name} needs --lr (e.g. --lr 0.1 or --lr d=0.1,g=0.05)")
    if "=" in lr_text:
        parts = dict(item.partition("=")[::2] for item in lr_text.split(","))
        lr = {k.strip(): _rate(v, f"--lr {k.strip()}") for k, v in parts.items()}
    else:
        lr = _rate(lr_text, "--lr")
    return {"optimizer": get_optimizer(name, **options), "lr": lr}


def _rate(text: str, name: str):
    value = parse_value(text, name)
    return sp.Symbol(value.name, positive=True) if isinstance(value, sp.Symbol) else value


def analysis_from_args(args):
    """``analyze()`` of the variant, dim, params, regularizers and training named on the command line."""
    variant, params, regs = resolve_variant(args)
    return analyze(variant, dim=args.dim, params=params, regularizers=regs, **resolve_training(args))


def print_json(data) -> None:
    print(json.dumps(data, indent=2, default=str))


def wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)
