"""Options shared by several subcommands: the variant, --dim, --param, --reg, --json."""

from __future__ import annotations

import argparse
import json
import re
import textwrap
from fractions import Fraction

import sympy as sp

from ..analysis import analyze
from ..dynamics.optimizers import get_optimizer
from ..errors import ExpressionParseError, InvalidParameterError
from ..model.params import MAX_VALUE_BITS
from ..model.parse import LossText, check_loss_text
from ..model.regularizers import REGULARIZERS
from ..model.space import check_dim
from ..model.variants import VARIANTS, Variant, get_variant
from ._inputs import numeric_range


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
_EXPONENT = re.compile(r"[eE]([+-]?\d+)")


def _too_many_digits(name: str, text: str) -> InvalidParameterError:
    return InvalidParameterError(
        f"value of {name} has too many digits for exact analysis: numerator and denominator must be below "
        f"2**{MAX_VALUE_BITS} (about 10**616); got {text[:40] + ('...' if len(text) > 40 else '')!r}"
    )


def parse_value(text: str, name: str):
    """A number ('0.1', '1/10', '1e-3') as an exact rational, or an identifier as a symbol.

    >>> parse_value("1e-3", "lam"), parse_value("lam", "lam")
    (1/1000, lam)
    """
    text = text.strip()
    if not text:
        raise InvalidParameterError(f"value of {name} is empty; give a number (e.g. {name}=0.1) or a name")
    if text.lower() in _NOT_NAMES:  # would otherwise become a symbol named "nan", "oo", ...
        raise InvalidParameterError(f"value of {name} must be a finite real number or a parameter name; got {text!r}")
    if text.isidentifier():
        return sp.Symbol(text)
    # Refuse huge exponents and digit strings before Python builds the integers (1e999999999 would not end).
    if len(text) > 1000 or any(abs(int(e)) > 1000 for e in _EXPONENT.findall(text)):
        raise _too_many_digits(name, text)
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        raise InvalidParameterError(
            f"value of {name} must be a number (e.g. 0.1, 1/10) or a name to keep it symbolic; got {text!r}"
        ) from None
    if max(abs(value.numerator).bit_length(), value.denominator.bit_length()) > MAX_VALUE_BITS:
        raise _too_many_digits(name, text)
    return sp.Rational(value.numerator, value.denominator)


def parse_assignments(items: list[str], option: str, allow_bare: bool = False) -> dict:
    """``["lam=0.1", "c=c"]`` as ``{"lam": 1/10, "c": c}``; a name given twice is refused."""
    out = {}
    for item in items:
        key, sep, value = item.partition("=")
        key = key.strip()
        if not key.isidentifier() or (not sep and not allow_bare):
            raise InvalidParameterError(f"{option} expects NAME=VALUE; got {item!r}")
        if key in out:
            raise InvalidParameterError(f"{option} {key} is given twice; give each once")
        try:
            out[key] = parse_value(value, key) if sep else None
        except InvalidParameterError as exc:
            raise InvalidParameterError(f"{option} {item}: {exc}") from None
    return out


def _weights() -> dict:
    return {name: reg.weight for name, reg in REGULARIZERS.items()}


def _with_domains(values: dict, declared) -> dict:
    """A bare name on the command line (``lam=a``) is a symbol carrying the parameter's declared domain."""
    return {
        k: declared[k].symbol_named(v.name) if isinstance(v, sp.Symbol) and k in declared else v
        for k, v in values.items()
    }


def _check_domains(option: str, values: dict, declared, items: list[str]) -> None:
    """Numbers outside a declared domain, refused with the option as typed (``--reg l2=-1: ...``)."""
    for item in items:
        key = item.partition("=")[0].strip()
        value = values.get(key)
        if key in declared and value is not None and not isinstance(value, sp.Symbol):
            try:
                declared[key].check(value)
            except InvalidParameterError as exc:
                raise InvalidParameterError(f"{option} {item}: {exc}") from None


def resolve_variant(args) -> tuple[Variant, dict, dict]:
    """The variant, params and regularizers named on the command line."""
    params = parse_assignments(args.param, "--param")
    regs = parse_assignments(args.reg, "--reg", allow_bare=True)
    d_text, g_text = getattr(args, "d_loss", None), getattr(args, "g_loss", None)
    if args.name and (d_text or g_text):
        raise InvalidParameterError("give either a variant NAME or --d-loss/--g-loss, not both")
    _check_domains("--reg", regs, _weights(), args.reg)
    if args.name:
        variant = get_variant(args.name)
        _check_domains("--param", params, variant.params, args.param)
        return variant, _with_domains(params, variant.params), _with_domains(regs, _weights())
    for option, text in (("--d-loss", d_text), ("--g-loss", g_text)):
        if text is not None and not text.strip():
            raise InvalidParameterError(f"{option} is empty; give a loss expression, e.g. {option}='theta.phi'")
    if not (d_text and g_text):
        missing = "--g-loss" if d_text else "--d-loss" if g_text else None
        if missing:
            raise InvalidParameterError(f"{missing} is missing: custom losses need both --d-loss and --g-loss")
        raise InvalidParameterError(f"give a variant NAME ({', '.join(VARIANTS)}) or both --d-loss and --g-loss")
    dim = check_dim(2 if args.dim is None else args.dim)
    param_symbols = {k: sp.Symbol(k, real=True) for k in params}
    for option, text in (("--d-loss", d_text), ("--g-loss", g_text)):
        try:
            check_loss_text(text, param_symbols, dim=dim if dim <= MAX_CHECKED_DIM else None)
        except ExpressionParseError as exc:
            raise ExpressionParseError(f"{option} {_short(text)}: {exc}") from None
    defaults = {k: (None if isinstance(v, sp.Symbol) else v) for k, v in params.items()}
    # Functions of a Dirac space: losses in phi, theta, dot products and norms only take the rotation-invariant
    # route (cost independent of the dimension); losses with components are analysed component by component.
    variant = Variant("custom", LossText(d_text), LossText(g_text), params=defaults, description="custom losses")
    return variant, {}, regs


#: Custom losses with components are checked on the command line up to this dimension (the component route's
#: own limit, 64, refuses larger ones when the analysis starts).
MAX_CHECKED_DIM = 64


def _short(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


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


def _numbers(args):
    """``(option, text, value)`` of every number given with --param, --reg, --lr and --opt."""
    for option, items in (("--param", args.param), ("--reg", args.reg), ("--opt", getattr(args, "opt", []))):
        for item in items:
            key, sep, text = item.partition("=")
            if sep and text.strip().lower() not in ("true", "false", "yes", "no", "on", "off"):
                value = parse_value(text, key.strip())
                if not isinstance(value, sp.Symbol):
                    yield option, item, value
    lr = getattr(args, "lr", None)
    if lr:
        for part in lr.split(","):
            text = part.partition("=")[2] if "=" in part else part
            value = parse_value(text, "--lr")
            if not isinstance(value, sp.Symbol):
                yield "--lr", lr, value


def check_numeric_inputs(args) -> None:
    """Refuse, before any work, numbers that double precision cannot carry (see ``_inputs.NUMERIC_RANGE``)."""
    for option, text, value in _numbers(args):
        numeric_range(option, text, value)


def require_numeric(a, command: str) -> None:
    """A numerical command needs numbers: name the option of any parameter, weight or rate left symbolic."""
    entries = [("--param", k, v) for k, v in a.params.items()]
    entries += [("--reg", k, v) for k, v in a.regularizers.items()]
    lr = getattr(a, "lr", None)
    if lr is not None:
        entries += [("--lr", "", lr.d), ("--lr", "", lr.g)]
    for option, key, value in entries:
        free = sorted(str(s) for s in getattr(value, "free_symbols", ()))
        if free:
            given = f"{option} {key} (value {value})" if key else f"{option} {value}"
            example = f"{option} {key}=0.1" if key else f"{option} 0.1"
            raise InvalidParameterError(
                f"{given} leaves symbolic {', '.join(free)}, but `stability {command}` integrates numerically: "
                f"give a number, e.g. {example}"
            )


def analysis_from_args(args):
    """``analyze()`` of the variant, dim, params, regularizers and training named on the command line."""
    variant, params, regs = resolve_variant(args)
    return analyze(variant, dim=args.dim, params=params, regularizers=regs, **resolve_training(args))


def print_json(data) -> None:
    print(json.dumps(data, indent=2, default=str))


def wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)
