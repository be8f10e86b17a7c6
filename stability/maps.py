"""Stability maps in two parameters and bifurcation diagrams in one: where training converges, and why.

:func:`stability_map` analyses once with the two swept parameters as SymPy symbols (each with the
domain of what it is: a learning rate positive, a penalty weight non-negative, momentum in
(-1, 1), ...), takes the exact characteristic polynomial of the (block) Jacobian, compiles its
coefficients once and evaluates the verdict and rate on the whole grid at once
(:mod:`stability.numerics.grid`). The exact boundary (:mod:`stability.theory.sweep`) is listed in
:attr:`StabilityMap.boundary` and drawn over the regions.

:func:`bifurcation` follows the spectrum along one parameter, names where it crosses the
stability boundary (:func:`stability.theory.criteria.regions`), and measures the attractor by
batched simulation, with the size the theory predicts where it derives one (0 where the
linearisation is stable, the radius of an attracting periodic rotation from
:mod:`stability.theory.orbits`).

>>> m = stability_map("wgan_gp", x=("lr", 0.01, 1, 60), y=("lam", 0.05, 1, 50), params={"c": 0},
...                   optimizer="simgd", dim=1)
>>> m.boundary          # simultaneous GD: stable iff h < 2 lam (for lam <= 1)
(BoundaryCurve(Eq(h - 2*lam, 0), 'Neimark-Sacker'),)
>>> m.classification.shape, round(m.fraction("stable"), 2)   # the area of h < 2 lam: 0.785
((50, 60), 0.78)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from numbers import Real
from typing import Any

import numpy as np
import sympy as sp
from numpy.typing import NDArray

from .analysis import Analysis, analyze
from .dynamics.optimizers import LearningRate, Optimizer, get_optimizer
from .errors import InvalidParameterError, StabilityError, UnknownNameError
from .model.params import to_sympy_value
from .model.regularizers import REGULARIZERS
from .model.variants import get_variant
from .numerics.attractor import Measured, measure_flow, measure_map
from .numerics.grid import (
    CODES,
    bounding,
    classify,
    code_of,
    compile_coefficients,
    compile_expression,
    evaluate,
    evaluate_grid,
    polynomial_roots,
)
from .numerics.inputs import check_seed
from .numerics.records import Record, frozen
from .numerics.simulate import random_states
from .render.map_plot import draw_bifurcation, draw_map
from .render.tex import latex
from .theory.criteria import Boundary, Regions, criterion_for, regions
from .theory.lyapunov import Undecided, invariant_system
from .theory.orbits import OrbitKind, OrbitStability, rotation_orbits
from .theory.sweep import BoundaryCurve, boundary_candidates, characteristic_polynomial, stability_condition
from .timeout import TimeLimitExceeded, call_with_time_limit
from .verdicts import Classification, TimeDomain

__all__ = [
    "Axis",
    "StabilityMap",
    "Bifurcation",
    "Attractor",
    "stability_map",
    "bifurcation",
    "MAX_RESOLUTION",
    "MAX_VALUES",
]

#: Largest number of grid points per axis of a map (16 million points at most).
MAX_RESOLUTION = 4000
#: Largest number of parameter values of a bifurcation diagram.
MAX_VALUES = 10000
#: Points per axis of the grid on which the boundary curves are checked and drawn (at least).
FINE = 400
#: Seconds allowed for the periodic-orbit search behind the predicted attractor sizes.
ORBIT_SECONDS = 10

_Z = sp.Dummy("z")
_LR_AXES = {
    "lr": ("h", "learning rate (both players)"),
    "lr_d": ("h_d", "discriminator's learning rate"),
    "lr_g": ("h_g", "generator's learning rate"),
}
_DOMAIN_OF = {
    "real": sp.S.Reals,
    "positive": sp.Interval.open(0, sp.oo),
    "nonnegative": sp.Interval(0, sp.oo),
}


# ----------------------------------------------------------------------------- axes


@dataclass(frozen=True)
class Axis:
    """One swept parameter: what it is, its symbol (with its domain), its range and its label.

    ``kind`` is "lr" (a learning rate), "param" (a variant parameter), "regularizer" (a regulariser
    weight, named by the regulariser's key) or "hyper" (an optimiser hyperparameter).
    """

    name: str
    kind: str
    symbol: sp.Symbol
    lo: float
    hi: float
    resolution: int
    description: str
    domain: sp.Set

    @property
    def values(self) -> NDArray[np.float64]:
        return np.linspace(self.lo, self.hi, self.resolution)

    @property
    def label(self) -> str:
        """An axis label: the description and the parameter's LaTeX name."""
        return f"{self.description} ${latex(self.symbol)}$"

    def to_dict(self) -> dict:
        return {
            "name": self.name,
            "kind": self.kind,
            "symbol": str(self.symbol),
            "lo": self.lo,
            "hi": self.hi,
            "resolution": self.resolution,
        }


def _hyper_symbol(name: str, domain: sp.Set) -> sp.Symbol:
    if isinstance(domain, sp.Interval) and domain.start >= 0:
        return sp.Symbol(name, positive=True)
    return sp.Symbol(name, real=True)


def _hyper_domains(opt: Optimizer | None) -> dict[str, tuple[sp.Set, str]]:
    """The real hyperparameters that may be an axis: ``{name: (domain, where)}``, where is "" or "base"."""
    if opt is None:
        return {}
    out = {name: (dom, "") for name, dom in opt.DOMAINS.items()}
    if "lr_extra" in getattr(opt, "__dataclass_fields__", {}):
        out["lr_extra"] = (sp.Interval.open(0, sp.oo), "")
    base = getattr(opt, "base", None)
    if isinstance(base, Optimizer):
        for name, dom in base.DOMAINS.items():
            out.setdefault(name, (dom, "base"))
    return out


def _valid_axes(variant, opt: Optimizer | None) -> list[str]:
    return [*(_LR_AXES if opt is not None else ()), *variant.params, *REGULARIZERS, *_hyper_domains(opt)]


def _number(value, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (Real, sp.Number)):
        raise InvalidParameterError(f"{what} must be a real number; received {type(value).__name__} {value!r}")
    v = float(value)
    if not math.isfinite(v):
        raise InvalidParameterError(f"{what} must be finite; received {value!r}")
    return v


def _describe_set(s: sp.Set) -> str:
    if isinstance(s, sp.FiniteSet):
        return "the point" + ("s " if len(s) > 1 else " ") + ", ".join(str(v) for v in s)
    if isinstance(s, sp.Interval):
        left = "(" if s.left_open else "["
        right = ")" if s.right_open else "]"
        return f"the part {left}{s.start}, {s.end}{right}"
    if isinstance(s, sp.Union):
        return " and ".join(_describe_set(a) for a in s.args)
    return str(s)


def _domain_text(domain: sp.Set) -> str:
    if domain == sp.S.Reals:
        return "a real number"
    if domain == sp.Interval.open(0, sp.oo):
        return "> 0"
    if domain == sp.Interval(0, sp.oo):
        return ">= 0"
    if isinstance(domain, sp.Interval):
        return f"in {'(' if domain.left_open else '['}{domain.start}, {domain.end}{')' if domain.right_open else ']'}"
    return f"in {domain}"


def _spec(spec, what: str, resolution: int | None, maximum: int) -> tuple[str, float, float, int]:
    """``(name, lo, hi, n)`` from ``(name, lo, hi)`` or ``(name, lo, hi, n)``."""
    if isinstance(spec, str) or not isinstance(spec, Sequence) or len(spec) not in (3, 4):
        raise InvalidParameterError(
            f"{what} must be (name, lo, hi) or (name, lo, hi, resolution), e.g. ('lr', 0.01, 8, 200); received {spec!r}"
        )
    name = spec[0]
    if not isinstance(name, str):
        raise InvalidParameterError(f"{what}'s name must be a string; received {name!r}")
    lo, hi = _number(spec[1], f"{what} ({name}) lo"), _number(spec[2], f"{what} ({name}) hi")
    if lo >= hi:
        raise InvalidParameterError(f"{what} ({name}): lo must be < hi; received lo={spec[1]!r}, hi={spec[2]!r}")
    n = spec[3] if len(spec) == 4 else resolution
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)):
        raise InvalidParameterError(f"{what} ({name}): the resolution must be an integer; received {n!r}")
    if not 2 <= n <= maximum:
        raise InvalidParameterError(f"{what} ({name}): the resolution must be between 2 and {maximum}; received {n}")
    return name, lo, hi, int(n)


def _axis(spec, what: str, variant, opt: Optimizer | None, resolution: int | None, maximum: int) -> Axis:
    name, lo, hi, n = _spec(spec, what, resolution, maximum)
    hypers = _hyper_domains(opt)
    if name in _LR_AXES:
        if opt is None:
            raise InvalidParameterError(
                f"{what} {name!r} is a learning rate: it needs an optimizer= (gradient flow has no learning rate)"
            )
        sym_name, text = _LR_AXES[name]
        kind, symbol, domain, description = "lr", sp.Symbol(sym_name, positive=True), _DOMAIN_OF["positive"], text
    elif name in variant.params:
        p = variant.params[name]
        kind, symbol, domain = "param", p.symbol, _DOMAIN_OF[p.domain]
        description = p.description or f"parameter {name}"
    elif name in REGULARIZERS:
        w = REGULARIZERS[name].weight
        kind, symbol, domain = "regularizer", w.symbol, _DOMAIN_OF[w.domain]
        description = w.description or f"{name} weight"
    elif name in hypers:
        domain = hypers[name][0]
        kind, description = "hyper", f"{opt.name}'s {name}"
        symbol = sp.Symbol("h_extra", positive=True) if name == "lr_extra" else _hyper_symbol(name, domain)
    else:
        counts = [f for f in getattr(opt, "__dataclass_fields__", {}) if f not in hypers and f != "base"]
        if name in counts:
            raise InvalidParameterError(
                f"{what} {name!r} of {opt.name} is an integer count or a flag, not a real parameter: "
                f"compare maps at a few values instead (valid axes: {', '.join(_valid_axes(variant, opt))})"
            )
        raise UnknownNameError(f"axis ({what}) of this analysis", name, _valid_axes(variant, opt))
    outside = sp.Interval(sp.Rational(repr(lo)), sp.Rational(repr(hi))) - domain
    if outside != sp.S.EmptySet:
        raise InvalidParameterError(
            f"{what} ({name}) must be {_domain_text(domain)}; {_describe_set(outside)} of the range {lo:g}:{hi:g} "
            "is outside"
        )
    return Axis(name, kind, symbol, lo, hi, n, description, domain)


# ----------------------------------------------------------------------------- one analysis, axes symbolic


@dataclass(frozen=True)
class _Setup:
    """The inputs of the symbolic analysis, with the axes substituted by their symbols."""

    variant: Any
    dim: int | None
    params: dict
    regularizers: dict
    optimizer: Optimizer | None
    lr: Any

    def analyze(self) -> Analysis:
        return analyze(
            self.variant,
            dim=self.dim,
            params=self.params,
            regularizers=self.regularizers,
            optimizer=self.optimizer,
            lr=self.lr,
        )

    def at(self, axis: Axis, value) -> _Setup:
        """The same inputs with ``axis`` set to ``value`` (a number or a symbol)."""
        return self.with_values({(axis.kind, axis.name): value})

    def with_values(self, fixed: Mapping[tuple[str, str], Any]) -> _Setup:
        params, regs, opt, lr = dict(self.params), dict(self.regularizers), self.optimizer, self.lr
        for (kind, name), value in fixed.items():
            if kind == "param":
                params[name] = value
            elif kind == "regularizer":
                regs[name] = value
            elif kind == "hyper":
                opt = _replace_hyper(opt, name, value)
            else:
                lr = _replace_lr(lr, name, value)
        return _Setup(self.variant, self.dim, params, regs, opt, lr)


def _replace_hyper(opt: Optimizer, name: str, value) -> Optimizer:
    if name in opt.DOMAINS or name == "lr_extra":
        return dataclasses.replace(opt, **{name: value})
    return dataclasses.replace(opt, base=dataclasses.replace(opt.base, **{name: value}))


def _replace_lr(lr, name: str, value):
    if name == "lr":
        return value
    d, g = (lr.d, lr.g) if isinstance(lr, LearningRate) else (lr, lr)
    return LearningRate(value, g) if name == "lr_d" else LearningRate(d, value)


def _other_rate(lr, name: str):
    """The fixed rate of the player that is not swept (``lr_d`` axis: ``lr_g``), from ``lr=``."""
    want = "g" if name == "lr_d" else "d"
    if lr is None:
        raise InvalidParameterError(
            f"an axis {name} sweeps one player's learning rate; give the other's with lr= (a number or "
            f"{{'{want}': h}}; --lr on the command line)"
        )
    if isinstance(lr, Mapping):
        if want not in lr:
            raise InvalidParameterError(f"lr= must give {want!r} when the axis is {name}; received keys {sorted(lr)}")
        return lr[want]
    return lr


def _setup(variant, axes: Sequence[Axis], dim, params, regularizers, optimizer, lr) -> _Setup:
    params = dict(params or {})
    if regularizers is None:
        regs: dict = {}
    elif isinstance(regularizers, Mapping):
        regs = dict(regularizers)
    elif isinstance(regularizers, str):
        regs = {regularizers: None}
    else:
        regs = {name: None for name in regularizers}
    opt = optimizer
    names = [a.name for a in axes]
    if len(set(names)) != len(names):
        raise InvalidParameterError(f"the two axes must be different parameters; both are {names[0]!r}")
    symbols = [str(a.symbol) for a in axes]
    if len(set(symbols)) != len(symbols):
        raise InvalidParameterError(f"the axes {names} are both written {symbols[0]}; sweep one of them at a time")
    lr_axes = [a.name for a in axes if a.kind == "lr"]
    if "lr" in lr_axes and len(lr_axes) > 1:
        raise InvalidParameterError("an axis lr sweeps both learning rates; it cannot be combined with lr_d or lr_g")
    new_lr = lr
    for a in axes:
        taken = {"param": params, "regularizer": regs}.get(a.kind)
        if taken is not None and taken.get(a.name) is not None:
            raise InvalidParameterError(f"{a.name} is an axis; do not also give its value ({taken[a.name]})")
        if a.kind == "param":
            params[a.name] = a.symbol
        elif a.kind == "regularizer":
            regs[a.name] = a.symbol
        elif a.kind == "hyper":
            opt = _replace_hyper(opt, a.name, a.symbol)
        elif a.name == "lr":
            if lr is not None:
                raise InvalidParameterError(f"lr is an axis; do not also give lr={lr!r}")
            new_lr = a.symbol
    if set(lr_axes) == {"lr_d", "lr_g"}:
        new_lr = LearningRate(*(next(a.symbol for a in axes if a.name == k) for k in ("lr_d", "lr_g")))
    elif lr_axes in (["lr_d"], ["lr_g"]):
        other = _other_rate(lr, lr_axes[0])
        sym = next(a.symbol for a in axes if a.kind == "lr")
        new_lr = {"d": sym, "g": other} if lr_axes == ["lr_d"] else {"d": other, "g": sym}
    return _Setup(variant, dim, params, regs, opt, new_lr)


def _matrix(a: Analysis) -> sp.Matrix | None:
    return a.block if a.block is not None else a.jacobian


def _check_linearizable(a: Analysis) -> None:
    if a.classification is Classification.NO_LINEARIZATION:
        raise InvalidParameterError(
            f"{a.optimizer.name} has no linearisation at the equilibrium ({a.detail}): a stability map needs one; "
            "iterate the update instead (Analysis.verify)"
        )


def _check_symbols(matrix: sp.Matrix, allowed: Sequence[sp.Symbol]) -> None:
    free = matrix.free_symbols - set(allowed)
    if free:
        names = ", ".join(sorted(map(str, free)))
        raise InvalidParameterError(
            f"the linearisation still depends on {names}, which is neither an axis nor given a value: "
            "give it with params= or regularizers="
        )


def _exact(v: float) -> sp.Expr:
    return to_sympy_value(float(v))


def _vanishing_values(a: Analysis, symbol: sp.Symbol, values) -> NDArray[np.bool_]:
    """For each value of ``symbol``: True if every term without a derivative vanishes identically there."""
    terms = [t.term for t in a.singular_terms]
    out = np.zeros(len(values), dtype=bool)
    if not terms or not all(symbol in t.free_symbols for t in terms):
        return out
    for i, v in enumerate(values):
        out[i] = all(sp.expand(t.subs(symbol, _exact(v))) == 0 for t in terms)
    return out


# ----------------------------------------------------------------------------- the map


@dataclass(frozen=True, eq=False, repr=False)
class StabilityMap(Record):
    """The verdict and rate on a grid of two parameters, with the exact boundary (arrays read-only).

    Attributes:
        variant: the variant's name; ``time_domain`` "continuous" (gradient flow) or "discrete".
        x_axis, y_axis: the swept parameters (:class:`Axis`); ``x``, ``y`` their grids.
        codes: ``(len(y), len(x))`` verdict codes (indices of :data:`stability.numerics.grid.CODES`);
            :attr:`classification` gives them as names.
        rate: the spectral radius (maps) or spectral abscissa (flows) at each point (NaN where
            there is no linearisation).
        boundary: the exact curves that separate two verdicts inside the window, each with its
            crossing (fold, flip, Neimark-Sacker, Hopf); ``candidates``: every curve on which the
            spectrum can reach the boundary (a superset).
        polynomial: the characteristic polynomial in ``z`` (a Dummy), exact in the two symbols.
        conditions: the exact condition for stability (Routh-Hurwitz / Schur-Cohn via Cayley).
        notes: what could not be evaluated, and why.
        analysis: the analysis with both axes symbolic.
    """

    _shared = ("analysis",)

    variant: str
    time_domain: TimeDomain
    x_axis: Axis
    y_axis: Axis
    x: NDArray[np.float64]
    y: NDArray[np.float64]
    codes: NDArray[np.int8]
    rate: NDArray[np.float64]
    boundary: tuple[BoundaryCurve, ...]
    candidates: tuple[BoundaryCurve, ...]
    polynomial: sp.Poly | None
    conditions: sp.Basic
    notes: tuple[str, ...]
    analysis: Analysis = field(compare=False)
    fine: tuple = field(default=(), compare=False)  # (x, y, codes) of the grid the curves are drawn on

    def __post_init__(self) -> None:
        for a in (self.x, self.y, self.codes, self.rate):
            frozen(a)

    @property
    def classification(self) -> NDArray[np.str_]:
        """The verdict at each point, by name: "stable", "unstable", "neutral", "center", ..."""
        return np.array([str(c) for c in CODES])[self.codes]

    @property
    def rate_name(self) -> str:
        return "spectral radius" if self.time_domain is TimeDomain.DISCRETE else "spectral abscissa"

    def fraction(self, verdict: str) -> float:
        """The share of the grid points with this verdict (e.g. "stable")."""
        names = [str(c) for c in CODES]
        if verdict not in names:
            raise UnknownNameError("verdict", verdict, names)
        return float(np.count_nonzero(self.codes == code_of[Classification(verdict)]) / self.codes.size)

    def fractions(self) -> dict[str, float]:
        """Every verdict present, with its share of the grid."""
        counts = np.bincount(self.codes.ravel(), minlength=len(CODES))
        return {str(CODES[i]): float(c / self.codes.size) for i, c in enumerate(counts) if c}

    def plot(self, ax=None, **options):
        """Draw the map; see :func:`stability.render.map_plot.draw_map`. Returns the artists."""
        return draw_map(self, ax=ax, **options)

    def to_latex(self) -> str:
        """The stability condition and the boundary curves, as LaTeX."""
        lines = [rf"\text{{stable}} \iff {latex(self.conditions)}"]
        lines += [rf"\text{{{c.crossing}}}:\ {latex(c.expr)} = 0" for c in self.boundary]
        return "\\begin{aligned}\n" + " \\\\\n".join(f"&{line}" for line in lines) + "\n\\end{aligned}"

    def _repr_markdown_(self) -> str:
        rows = [f"**{self.variant}**, {self.time_domain}: {self.x_axis.label} by {self.y_axis.label}", ""]
        rows += [f"- {k}: {100 * v:.1f}% of the grid" for k, v in self.fractions().items()]
        rows.append(f"- stable iff ${latex(self.conditions)}$")
        rows += [f"- boundary ({c.crossing}): ${latex(c.expr)} = 0$" for c in self.boundary]
        rows += [f"- note: {n}" for n in self.notes]
        return "\n".join(rows) + "\n"

    def to_dict(self) -> dict:
        finite = self.rate[np.isfinite(self.rate)]
        return {
            "variant": self.variant,
            "time_domain": self.time_domain,
            "x": self.x_axis.to_dict(),
            "y": self.y_axis.to_dict(),
            "fractions": self.fractions(),
            "boundary": [
                {"relation": str(c.relation), "latex": f"{latex(c.expr)} = 0", "crossing": c.crossing}
                for c in self.boundary
            ],
            "stable_condition": str(self.conditions),
            "rate": {
                "name": self.rate_name,
                "min": float(finite.min()) if finite.size else None,
                "max": float(finite.max()) if finite.size else None,
            },
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        share = ", ".join(f"{k} {100 * v:.1f}%" for k, v in self.fractions().items())
        curves = "; ".join(str(c) for c in self.boundary) or "none in the window"
        return (
            f"StabilityMap({self.variant!r}, {self.time_domain}, {self.x_axis.name} in [{self.x_axis.lo:g}, "
            f"{self.x_axis.hi:g}] x {self.y_axis.name} in [{self.y_axis.lo:g}, {self.y_axis.hi:g}], "
            f"{len(self.x)} x {len(self.y)}: {share}; boundary: {curves})"
        )


def _fine_grid(coeffs, x_axis: Axis, y_axis: Axis, x, y, codes, time_domain):
    if len(x) >= FINE and len(y) >= FINE:
        return x, y, codes
    xf, yf = np.linspace(x_axis.lo, x_axis.hi, max(FINE, len(x))), np.linspace(y_axis.lo, y_axis.hi, max(FINE, len(y)))
    return xf, yf, evaluate_grid(coeffs, xf, yf, time_domain, rates=False)[0]


def _line_updates(a: Analysis, setup: _Setup, axes: tuple[Axis, Axis], x, y, codes, rate, notes) -> None:
    """Where the field has no derivative for generic axis values, evaluate the lines where it has one."""
    for which, (axis, other) in enumerate((axes, axes[::-1])):
        grid, other_grid = (x, y) if which == 0 else (y, x)
        hits = _vanishing_values(a, axis.symbol, grid)
        for i in np.flatnonzero(hits):
            sub = setup.at(axis, _exact(grid[i])).analyze()
            matrix = _matrix(sub)
            if matrix is None:
                continue
            _check_symbols(matrix, [other.symbol])
            poly = characteristic_polynomial(matrix, _Z)
            coeffs = compile_coefficients(poly.all_coeffs(), [other.symbol])
            c, r = evaluate(coeffs, [other_grid], sub.time_domain)
            if which == 0:
                codes[:, i], rate[:, i] = c, r
            else:
                codes[i, :], rate[i, :] = c, r
            notes.append(f"the field has a derivative at {axis.name} = {grid[i]:g}: that line is evaluated")


def stability_map(
    variant,
    x,
    y,
    *,
    dim: int | None = None,
    params=None,
    regularizers=None,
    optimizer=None,
    lr=None,
    resolution: int = 200,
    rates: bool = True,
    **optimizer_options,
) -> StabilityMap:
    """The verdict and rate over a grid of two parameters, and the exact boundary between the verdicts.

    Args:
        variant: a built-in name or a :class:`~stability.Variant`.
        x, y: ``(name, lo, hi)`` or ``(name, lo, hi, resolution)``. A name is a learning rate
            (``lr``, ``lr_d``, ``lr_g``; needs ``optimizer``), a variant parameter, a regulariser's key
            (its weight is swept; the regulariser is added), or a real optimiser hyperparameter
            (``beta``, ``alpha``, ``lr_extra``).
        dim, params, regularizers: as for :func:`~stability.analyze`; the other parameters take
            these values or their defaults.
        optimizer, lr: training in discrete time (``lr`` is the fixed rate, or the other player's
            when an axis is ``lr_d`` or ``lr_g``); without ``optimizer``: gradient flow.
        resolution: points per axis when the axis does not give its own (2 to ``MAX_RESOLUTION``).
        rates: compute the rate at every point (``False``: only where the verdict needs it, which
            is much faster for characteristic polynomials of degree 3 and more).
        optimizer_options: hyperparameters of a named optimiser (``beta=-0.5``).
    """
    v = get_variant(variant)
    opt = None if optimizer is None else get_optimizer(optimizer, **optimizer_options)
    if optimizer is None and optimizer_options:
        raise InvalidParameterError(f"optimizer options {sorted(optimizer_options)} need an optimizer=")
    x_axis = _axis(x, "x", v, opt, resolution, MAX_RESOLUTION)
    y_axis = _axis(y, "y", v, opt, resolution, MAX_RESOLUTION)
    setup = _setup(v, (x_axis, y_axis), dim, params, regularizers, opt, lr)
    a = setup.analyze()
    _check_linearizable(a)
    xs, ys = x_axis.values, y_axis.values
    symbols = (x_axis.symbol, y_axis.symbol)
    notes: list[str] = []
    matrix = _matrix(a)
    if matrix is None:
        codes = np.full((len(ys), len(xs)), code_of[Classification.NON_DIFFERENTIABLE], dtype=np.int8)
        rate = np.full(codes.shape, np.nan)
        notes.append(f"no derivative at the equilibrium for generic values: {a.linearization.reason}")
        _line_updates(a, setup, (x_axis, y_axis), xs, ys, codes, rate, notes)
        return StabilityMap(
            v.name, a.time_domain, x_axis, y_axis, xs, ys, codes, rate, (), (), None, sp.false, tuple(notes), a
        )
    _check_symbols(matrix, symbols)
    poly = characteristic_polynomial(matrix, _Z)
    coeffs = compile_coefficients(poly.all_coeffs(), symbols)
    codes, rate = evaluate_grid(coeffs, xs, ys, a.time_domain, rates=rates)
    undecided = int(np.count_nonzero(codes == code_of[Classification.UNDECIDED]))
    if undecided:
        notes.append(f"{undecided} points could not be evaluated (non-finite coefficients)")
    candidates = boundary_candidates(poly, a.time_domain, symbols)
    xf, yf, cf = _fine_grid(coeffs, x_axis, y_axis, xs, ys, codes, a.time_domain)
    xx, yy = np.meshgrid(xf, yf)
    values = [compile_expression(c.expr, symbols)(xx, yy) for c in candidates]
    keep = bounding(values, cf) if candidates else []
    boundary = tuple(c for c, k in zip(candidates, keep) if k)
    try:
        conditions = call_with_time_limit(lambda: stability_condition(poly, a.time_domain), 30)
    except TimeLimitExceeded:
        conditions = a.conditions.get("stable", sp.true)
        notes.append("the stability condition is given unfactored (factoring took too long)")
    return StabilityMap(
        v.name,
        a.time_domain,
        x_axis,
        y_axis,
        xs,
        ys,
        codes,
        rate,
        boundary,
        candidates,
        poly,
        conditions,
        tuple(notes),
        a,
        (xf, yf, cf),
    )


# ----------------------------------------------------------------------------- bifurcation diagrams


@dataclass(frozen=True, eq=False, repr=False)
class Attractor(Record):
    """The attractor's size in ``theta`` per simulated value: measured, and predicted where the theory gives it.

    ``values``, ``measured`` (largest ``|theta|`` over the end of the runs: about 0 for the
    equilibrium, a limit cycle's radius, ``inf`` for divergence, NaN if not measured),
    ``behaviour`` (what the runs did), ``predicted`` (0 where the linearisation is stable, the
    radius of an attracting periodic rotation, NaN where nothing is derived), ``prediction``
    (how each prediction was obtained), ``notes`` (why a value was not measured).
    """

    values: NDArray[np.float64]
    measured: NDArray[np.float64]
    behaviour: tuple
    predicted: NDArray[np.float64]
    prediction: tuple[str, ...]
    notes: tuple[str, ...]
    runs: Measured | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        for a in (self.values, self.measured, self.predicted):
            frozen(a)

    def __repr__(self) -> str:
        agree = np.isfinite(self.predicted) & np.isfinite(self.measured)
        worst = float(np.max(np.abs(self.measured[agree] - self.predicted[agree]))) if agree.any() else float("nan")
        return (
            f"Attractor({self.values.size} values; predicted at {int(agree.sum())}, "
            f"largest |measured - predicted| {worst:.3g})"
        )


@dataclass(frozen=True, eq=False, repr=False)
class Bifurcation(Record):
    """The spectrum and the attractor along one parameter (arrays read-only).

    Attributes:
        axis: the parameter (:class:`Axis`); ``values`` its grid.
        eigenvalues: ``(len(values), k)`` complex eigenvalues of the (block) Jacobian, each of
            multiplicity ``dim`` for rotation-invariant variants; NaN where there is no derivative.
        differentiable: per value, whether the field (and update) has a derivative there.
        details: per value, "" or why there is no Jacobian.
        codes, rate: the verdict code and rate per value, as in :class:`StabilityMap`.
        crossings: where and how the spectrum crosses the stability boundary inside the range
            (exact values, :class:`~stability.theory.criteria.Boundary`).
        regions: the exact one-parameter regions (``None`` when not derived).
        attractor: the measured and predicted attractor sizes (``None`` without simulation).
    """

    _shared = ("analysis",)

    variant: str
    time_domain: TimeDomain
    axis: Axis
    values: NDArray[np.float64]
    eigenvalues: NDArray[np.complex128]
    differentiable: NDArray[np.bool_]
    details: tuple[str, ...]
    codes: NDArray[np.int8]
    rate: NDArray[np.float64]
    crossings: tuple[Boundary, ...]
    regions: Regions | None
    attractor: Attractor | None
    notes: tuple[str, ...]
    analysis: Analysis = field(compare=False)

    def __post_init__(self) -> None:
        for a in (self.values, self.eigenvalues, self.differentiable, self.codes, self.rate):
            frozen(a)

    @property
    def classification(self) -> NDArray[np.str_]:
        return np.array([str(c) for c in CODES])[self.codes]

    @property
    def parts(self) -> NDArray[np.float64]:
        """What is plotted: real parts (flows) or moduli (maps) of the eigenvalues."""
        return np.abs(self.eigenvalues) if self.time_domain is TimeDomain.DISCRETE else self.eigenvalues.real

    def plot(self, ax=None, **options):
        """Draw the diagram; see :func:`stability.render.map_plot.draw_bifurcation`. Returns the artists."""
        return draw_bifurcation(self, ax=ax, **options)

    def to_dict(self) -> dict:
        att = self.attractor

        def num(v):
            return None if not np.isfinite(v) else float(v)

        return {
            "variant": self.variant,
            "time_domain": self.time_domain,
            "parameter": self.axis.to_dict(),
            "values": self.values.tolist(),
            "classification": self.classification.tolist(),
            "rate": [num(r) for r in self.rate],
            "differentiable": self.differentiable.tolist(),
            "details": list(self.details),
            "crossings": [
                {"value": str(c.value), "at": float(c.value), "crossing": c.crossing} for c in self.crossings
            ],
            "attractor": None
            if att is None
            else {
                "values": att.values.tolist(),
                "measured": ["inf" if np.isinf(m) else num(m) for m in att.measured],
                "behaviour": [str(b) for b in att.behaviour],
                "predicted": [num(p) for p in att.predicted],
                "prediction": list(att.prediction),
                "notes": list(att.notes),
            },
            "notes": list(self.notes),
        }

    def __repr__(self) -> str:
        cross = ", ".join(f"{c.crossing} at {self.axis.name} = {c.value}" for c in self.crossings) or "none"
        nd = int(np.count_nonzero(~self.differentiable))
        extra = f"; no derivative at {nd} of {self.values.size} values" if nd else ""
        return (
            f"Bifurcation({self.variant!r}, {self.time_domain}, {self.axis.name} in [{self.axis.lo:g}, "
            f"{self.axis.hi:g}], {self.values.size} values: crossings {cross}{extra})"
        )


def _roots_of(matrix: sp.Matrix) -> NDArray[np.complex128]:
    poly = characteristic_polynomial(matrix, _Z)
    c = np.array([[float(v) for v in poly.all_coeffs()]])
    return polynomial_roots(c)[0]


def _spectrum(a: Analysis, setup: _Setup, axis: Axis, values):
    """Eigenvalues, codes, rates, differentiability and details per value, plus the exact polynomial."""
    n = len(values)
    matrix = _matrix(a)
    if matrix is not None:
        _check_symbols(matrix, [axis.symbol])
        poly = characteristic_polynomial(matrix, _Z)
        coeffs = compile_coefficients(poly.all_coeffs(), [axis.symbol])
        codes, rate = evaluate(coeffs, [values], a.time_domain)
        return polynomial_roots(coeffs(values)), codes, rate, np.ones(n, dtype=bool), ("",) * n, poly
    reason = f"no derivative at the equilibrium: {a.linearization.reason}"
    hits = _vanishing_values(a, axis.symbol, values)
    found = {}
    for i in np.flatnonzero(hits):
        sub = setup.at(axis, _exact(values[i])).analyze()
        m = _matrix(sub)
        if m is not None:
            found[i] = (_roots_of(m), sub)
    deg = max((len(r) for r, _ in found.values()), default=2)
    eig = np.full((n, deg), np.nan + 0j)
    codes = np.full(n, code_of[Classification.NON_DIFFERENTIABLE], dtype=np.int8)
    rate = np.full(n, np.nan)
    ok = np.zeros(n, dtype=bool)
    details = [reason] * n
    for i, (r, sub) in found.items():
        eig[i, : len(r)] = r
        poly = characteristic_polynomial(_matrix(sub), _Z)
        ci, ri = classify(np.array([[float(c) for c in poly.all_coeffs()]]), sub.time_domain)
        codes[i], rate[i], ok[i], details[i] = ci[0], ri[0], True, ""
    return eig, codes, rate, ok, tuple(details), None


def _crossings(poly: sp.Poly | None, axis: Axis, time_domain: TimeDomain) -> tuple[Regions | None, tuple]:
    if poly is None:
        return None, ()
    found = regions(poly.as_expr(), _Z, axis.symbol, criterion_for(time_domain))
    if found is None:
        return None, ()
    inside = tuple(b for b in found.boundaries if axis.lo <= float(b.value) <= axis.hi)
    return found, inside


def _signed_symbol(axis: Axis, sign: int) -> sp.Symbol:
    return sp.Symbol(str(axis.symbol), positive=True) if sign > 0 else sp.Symbol(str(axis.symbol), negative=True)


def _orbit_radius(setup: _Setup, axis: Axis, sign: int):
    """The ``|theta|`` of an attracting isolated rotation, as an expression valid for the axis' values of that sign."""
    sym = _signed_symbol(axis, sign)
    if axis.kind not in ("param", "regularizer"):
        return None, sym
    try:
        a = setup.at(axis, sym).analyze()
        system = invariant_system(a, dim1=False)
        if system is None or a.dim < 2:
            return None, sym
        orbits = call_with_time_limit(lambda: rotation_orbits(system), ORBIT_SECONDS)
    except (TimeLimitExceeded, Undecided, StabilityError, NotImplementedError, ValueError, TypeError):
        return None, sym
    for o in orbits:
        if o.kind is OrbitKind.ISOLATED and o.stability is OrbitStability.ATTRACTING:
            return o.radius_theta, sym
    return None, sym


def _predict(setup: _Setup, axis: Axis, values, codes, time_domain: TimeDomain):
    predicted = np.full(len(values), np.nan)
    how = [""] * len(values)
    stable = codes == code_of[Classification.STABLE]
    predicted[stable] = 0.0
    for i in np.flatnonzero(stable):
        how[i] = "linearisation stable: the equilibrium attracts nearby starts"
    if time_domain is TimeDomain.CONTINUOUS:
        for sign in (1, -1):
            part = (values > 0) if sign > 0 else (values < 0)
            todo = part & ~stable
            if not todo.any():
                continue
            radius, sym = _orbit_radius(setup, axis, sign)
            if radius is None:
                continue
            f = compile_expression(radius, [sym])
            r = f(values[todo])
            idx = np.flatnonzero(todo)
            good = np.isfinite(r) & (r > 0)
            predicted[idx[good]] = r[good]
            for i in idx[good]:
                how[i] = f"attracting periodic rotation with |theta| = {radius} (theory.orbits)"
    return predicted, tuple(how)


def _measure(setup: _Setup, a: Analysis, axis: Axis, values, starts: int, seed, radius, t_end, steps) -> Measured:
    dim = a.dim
    x0 = random_states(dim, starts, seed=seed, radius=radius)
    if a.time_domain is TimeDomain.CONTINUOUS:
        return measure_flow(a, axis.symbol, values, x0, t_end=t_end, radius=radius)
    runs = []
    field_only = _Setup(setup.variant, setup.dim, setup.params, setup.regularizers, None, None)
    base = None
    for v in values:
        fixed = setup.at(axis, _exact(v))
        if axis.kind in ("lr", "hyper"):
            base = base or field_only.analyze()
            runs.append((base, fixed.optimizer, fixed.lr))
        else:
            flow = _Setup(fixed.variant, fixed.dim, fixed.params, fixed.regularizers, None, None).analyze()
            runs.append((flow, fixed.optimizer, fixed.lr))
    return measure_map(runs, values, x0, steps=steps, radius=radius)


def bifurcation(
    variant,
    param,
    *,
    dim: int | None = None,
    params=None,
    regularizers=None,
    optimizer=None,
    lr=None,
    resolution: int = 200,
    simulate: bool = True,
    measure: int = 41,
    starts: int = 8,
    radius: float = 0.5,
    seed: int | None = 0,
    t_end: float = 200.0,
    steps: int = 2000,
    **optimizer_options,
) -> Bifurcation:
    """The spectrum along one parameter, its crossings of the stability boundary, and the measured attractor.

    Args:
        variant, dim, params, regularizers, optimizer, lr, optimizer_options: as for :func:`stability_map`.
        param: ``(name, lo, hi)`` or ``(name, lo, hi, number of values)`` (default ``resolution``).
        simulate: measure the attractor at ``measure`` evenly spaced values (``starts`` random
            starts each, in the ball of ``radius``, drawn with ``seed``): gradient flow for ``t_end``
            in one batch, or ``steps`` training steps of the real update.

    >>> b = bifurcation("wgan_gp", ("lam", 0.05, 1, 20), params={"c": 0}, simulate=False)
    >>> sorted(set(b.classification.tolist())), b.crossings
    (['stable'], ())
    """
    v = get_variant(variant)
    seed = check_seed(seed)
    opt = None if optimizer is None else get_optimizer(optimizer, **optimizer_options)
    if optimizer is None and optimizer_options:
        raise InvalidParameterError(f"optimizer options {sorted(optimizer_options)} need an optimizer=")
    axis = _axis(param, "param", v, opt, resolution, MAX_VALUES)
    if isinstance(measure, bool) or not isinstance(measure, int) or measure < 1:
        raise InvalidParameterError(f"measure must be a positive integer (values simulated); received {measure!r}")
    setup = _setup(v, (axis,), dim, params, regularizers, opt, lr)
    a = setup.analyze()
    _check_linearizable(a)
    values = axis.values
    eig, codes, rate, ok, details, poly = _spectrum(a, setup, axis, values)
    found, crossings = _crossings(poly, axis, a.time_domain)
    notes = []
    if poly is not None and found is None:
        notes.append("the exact regions could not be derived in time: crossings are not named")
    if not ok.all():
        first = next(d for d in details if d)
        notes.append(f"at {int((~ok).sum())} of {len(values)} values there is {first}")
    attractor = None
    if simulate:
        idx = np.unique(np.linspace(0, len(values) - 1, min(measure, len(values))).round().astype(int))
        sub = values[idx]
        measured = _measure(setup, a, axis, sub, starts, seed, radius, t_end, steps)
        predicted, how = _predict(setup, axis, sub, codes[idx], a.time_domain)
        attractor = Attractor(sub, measured.size, measured.behaviour, predicted, how, measured.notes, measured)
    return Bifurcation(
        v.name, a.time_domain, axis, values, eig, ok, details, codes, rate, crossings, found, attractor, tuple(notes), a
    )
