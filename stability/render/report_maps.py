"""The report's stability maps (issue 12): which maps, computing them, their figures and their text.

Simultaneous against alternating GD over (learning rate, R1 weight) on the vanilla GAN, and heavy-ball
momentum over (learning rate, beta); for each panel the page states the stable share, the exact boundary
and the exact stable range of the learning rate at stated values, solved from the map's condition.

>>> [fig.key for fig in MAP_FIGURES]
['map_gd_lr_r1', 'map_momentum_lr_beta']
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import sympy as sp
from matplotlib.figure import Figure

from ..model.regularizers import REGULARIZERS
from ..numerics.grid import code_of
from ..verdicts import Classification, Crossing
from .map_plot import LINESTYLES
from .markdown import display_markdown, escape_markdown
from .notation import Equation, Text
from .report_common import MapMaker, attempt, save_figure
from .report_common import inline_math as _math
from .report_common import number_text as _num
from .tex import TexPrinter, latex

__all__ = [
    "MapCase",
    "MapFigure",
    "MAP_FIGURES",
    "MAP_RESOLUTION",
    "MapResult",
    "run_maps",
    "stable_range",
    "map_figures",
    "maps_lines",
]


# ----------------------------------------------------------------------------------------
# Computation beyond the post: stability maps in two parameters
# ----------------------------------------------------------------------------------------
#: Grid points per axis of the report's stability maps (the boundary curves are drawn on a finer grid, see
#: ``stability.maps.FINE``).
MAP_RESOLUTION = 300
#: Time limits (seconds) of one map and of solving its stability condition at one value.
MAP_LIMIT, RANGE_LIMIT = 60.0, 20.0


@dataclass(frozen=True)
class MapCase:
    """One panel of a map figure: the arguments of ``stability_map`` and the values of the y-axis at which the
    page states the exact stable range of the x-axis (solved from the map's stability condition)."""

    title: str
    variant: str
    x: tuple
    y: tuple
    optimizer: str
    dim: int = 1
    regularizers: Mapping = field(default_factory=dict)
    options: Mapping = field(default_factory=dict)
    read_at: tuple = ()

    def arguments(self, resolution: int) -> dict:
        """The keyword arguments of ``stability_map`` (after the variant)."""
        return {
            "x": (*self.x, resolution),
            "y": (*self.y, resolution),
            "optimizer": self.optimizer,
            "dim": self.dim,
            "regularizers": dict(self.regularizers) or None,
            **dict(self.options),
        }


@dataclass(frozen=True)
class MapFigure:
    """One figure of maps side by side (``key`` names its PNG), with its heading."""

    key: str
    title: str
    cases: tuple[MapCase, ...]


_HALF = sp.Rational(1, 2)
#: The report's maps (issue 12): simultaneous against alternating GD over (learning rate, R1 weight) on the vanilla
#: GAN, and heavy-ball momentum over (learning rate, beta) with R1 = 1 (the cases of ``benchmarks/bench_maps.py``).
MAP_FIGURES: tuple[MapFigure, ...] = (
    MapFigure(
        "map_gd_lr_r1",
        "Simultaneous against alternating GD on the vanilla GAN with R1",
        (
            MapCase("simultaneous GD", "vanilla_ns", ("lr", 0.01, 8), ("r1", 0, 3), "simgd", read_at=(_HALF, 2)),
            MapCase("alternating GD", "vanilla_ns", ("lr", 0.01, 8), ("r1", 0, 3), "altgd", read_at=(_HALF, 2)),
        ),
    ),
    MapFigure(
        "map_momentum_lr_beta",
        "Heavy-ball momentum on the vanilla GAN with R1",
        (
            MapCase(
                "simultaneous heavy-ball momentum",
                "vanilla_ns",
                ("lr", 0.01, 3),
                ("beta", -0.9, 0.9),
                "momentum",
                regularizers={"r1": 1},
                read_at=(-_HALF, _HALF),
            ),
        ),
    ),
)


@dataclass(frozen=True)
class MapResult:
    """One computed panel: the map (or why there is none) and, per value of ``case.read_at``, the exact stable set
    of the x-axis there (``None`` where SymPy could not solve the condition; ``notes`` say why)."""

    figure: str
    case: MapCase
    map: Any = None
    refused: str = ""
    ranges: tuple = ()
    notes: tuple[str, ...] = ()
    seconds: float = 0.0


def stable_range(m, value) -> sp.Set:
    """The exact values of the x-axis where the map ``m`` is stable when its y-axis is ``value``: its stability
    condition at that value, solved inside the x-axis' domain.

    >>> from types import SimpleNamespace as NS
    >>> h, g = sp.Symbol("h", positive=True), sp.Symbol("g", nonnegative=True)
    >>> m = NS(conditions=(4 * g - h > 0), x_axis=NS(symbol=h, domain=sp.Interval.open(0, sp.oo)), y_axis=NS(symbol=g))
    >>> stable_range(m, sp.Rational(1, 2))
    Interval.open(0, 2)
    """
    condition = sp.sympify(m.conditions).subs(m.y_axis.symbol, value)
    if condition is sp.true:
        return m.x_axis.domain
    if condition is sp.false:
        return sp.S.EmptySet
    return condition.as_set() & m.x_axis.domain


def _map_result(figure: str, case: MapCase, stability_map: MapMaker, resolution: int) -> MapResult:
    start = time.perf_counter()
    m, refused = attempt(lambda: stability_map(case.variant, **case.arguments(resolution)), MAP_LIMIT)
    if m is None:
        return MapResult(figure, case, refused=refused, seconds=time.perf_counter() - start)
    ranges, notes = [], []
    for value in case.read_at:
        found, note = attempt(functools.partial(stable_range, m, sp.sympify(value)), RANGE_LIMIT)
        ranges.append(found)
        notes.append(note)
    return MapResult(figure, case, m, "", tuple(ranges), tuple(notes), time.perf_counter() - start)


def run_maps(
    figures: Sequence[MapFigure] | None = None,
    *,
    stability_map: MapMaker,
    resolution: int = MAP_RESOLUTION,
    progress: Callable[[str], Any] | None = None,
) -> list[MapResult]:
    """Compute every panel of :data:`MAP_FIGURES` (or ``figures``) with ``stability_map`` (i.e.
    :func:`stability.maps.stability_map`) at ``resolution`` points per axis, and solve each map's stability
    condition at the values of ``read_at``."""
    figures = MAP_FIGURES if figures is None else tuple(figures)
    say = progress or (lambda message: None)
    out = []
    for fig in figures:
        for case in fig.cases:
            say(f"[stability maps] {case.variant}, {case.optimizer}: {case.x[0]} x {case.y[0]}")
            out.append(_map_result(fig.key, case, stability_map, resolution))
    return out


def _map_panel(ax, r: MapResult) -> None:
    if r.map is None:
        ax.text(0.5, 0.5, f"{r.case.title}: not computed\n{r.refused}", ha="center", va="center", wrap=True)
        ax.set_axis_off()
        return
    opt = r.case.optimizer
    r.map.plot(ax=ax, title=f"{r.case.title} ({opt}), ${latex(sp.Eq(sp.Symbol('n'), r.map.analysis.dim))}$")


def map_figures(maps: Sequence[MapResult], out: Path, dpi: int, say) -> dict[str, str]:
    """One PNG per map figure, its panels side by side; returns the file names by figure key."""
    images = {}
    for key in dict.fromkeys(r.figure for r in maps):
        panels = [r for r in maps if r.figure == key]
        say(f"figures: stability map {key}")
        fig = Figure(figsize=(6.8 * len(panels), 5.2), layout="constrained")
        axes = fig.subplots(1, len(panels), squeeze=False)[0]
        for ax, r in zip(axes, panels):
            _map_panel(ax, r)
        images[key] = save_figure(fig, out / f"{key}.png", dpi)
    return images


#: How each boundary curve's line style reads in a caption.
_STYLE_NAMES = {"-": "solid", "--": "dashed", ":": "dotted", "-.": "dash-dotted"}


def _grid_size(m) -> str:
    return f"{len(m.x)} × {len(m.y)}"


def _window_text(m) -> str:
    return " and ".join(rf"${_num(a.lo)} \leq {latex(a.symbol)} \leq {_num(a.hi)}$" for a in (m.x_axis, m.y_axis))


def _boundary_display(m) -> str:
    rows = [Equation(c.expr, sp.Integer(0), qualifier=(Text(str(c.crossing)),)) for c in m.boundary]
    return display_markdown(rows, TexPrinter(m.analysis.dim))


def _decimal(value: sp.Expr) -> str:
    return "" if value.is_Rational else rf" \approx {float(value):.4g}"


def _range_text(m, at, stable, note: str) -> str:
    """What the map's stability condition gives at y = ``at``: the stable set of x and its largest value."""
    where = _math(sp.Eq(m.y_axis.symbol, at, evaluate=False))
    x = m.x_axis.symbol
    if stable is None:
        return f"At {where} the stable values of {_math(x)} were not derived ({escape_markdown(note)})."
    if stable is sp.S.EmptySet:
        return f"At {where} no value of {_math(x)} is stable."
    text = f"At {where} the update is stable exactly for {_math(sp.Contains(x, stable, evaluate=False))}"
    top = stable.sup
    if top is sp.oo or not isinstance(stable, sp.Interval):
        return text + "."
    what = "learning rate" if m.x_axis.kind == "lr" else "value"
    star = sp.Symbol(f"{x.name}^*")
    beyond = f", beyond the map's window {_math(x <= sp.Float(m.x_axis.hi, 3))}" if top > m.x_axis.hi else ""
    return text + f": the largest stable {what} is ${latex(sp.Eq(star, top, evaluate=False))}{_decimal(top)}${beyond}."


def _fastest_text(m) -> str:
    """Where on the grid the stable update contracts fastest (the smallest spectral radius)."""
    stable = (m.codes == code_of[Classification.STABLE]) & np.isfinite(m.rate)
    if not stable.any():
        return ""
    i, j = np.unravel_index(np.argmin(np.where(stable, m.rate, np.inf)), m.rate.shape)
    at = ", ".join(
        _math(sp.Eq(a.symbol, sp.Float(v, 3), evaluate=False)) for a, v in ((m.x_axis, m.x[j]), (m.y_axis, m.y[i]))
    )
    return f" The smallest {m.rate_name} on the grid (the fastest convergence) is {_num(m.rate[i, j])}, at {at}."


def _map_case_lines(r: MapResult) -> list[str]:
    c = r.case
    fixed = "".join(
        f", {_math(sp.Eq(REGULARIZERS[k].weight.symbol, sp.sympify(v), evaluate=False))}"
        for k, v in c.regularizers.items()
        if k in REGULARIZERS
    )
    n = _math(sp.Eq(sp.Symbol("n"), c.dim))
    head = f"**{escape_markdown(c.title)}** (`{c.optimizer}` on `{c.variant}`, {n}{fixed})"
    if r.map is None:
        return [f"{head}: {escape_markdown(r.refused)}", ""]
    m = r.map
    share = 100 * m.fraction(str(Classification.STABLE))
    lines = [
        f"{head}: stable on {share:.1f}% of the {_grid_size(m)} grid over {_window_text(m)}."
        + _fastest_text(m)
        + (" The exact boundary in the window:" if m.boundary else " No boundary curve crosses the window."),
        "",
    ]
    if m.boundary:
        lines += [_boundary_display(m), ""]
    lines += [_range_text(m, at, stable, note) for at, stable, note in zip(r.case.read_at, r.ranges, r.notes)]
    lines += [f"Note: {escape_markdown(n)}." for n in m.notes]
    return lines + [""]


def _caption(panels: Sequence[MapResult]) -> str:
    maps = [r.map for r in panels if r.map is not None]
    if not maps:
        return ""
    m = maps[0]
    crossings = list(dict.fromkeys(c.crossing for mm in maps for c in mm.boundary))
    styles = ", ".join(f"{_STYLE_NAMES[LINESTYLES[c]]} {c}" for c in crossings if c in LINESTYLES)
    fine = f" (drawn on a {len(m.fine[0])} × {len(m.fine[1])} grid)" if m.fine else ""
    return (
        f"*Regions of the verdict at {_grid_size(m)} points per map (Okabe-Ito colours); inside the stable region "
        f"the shade is the {m.rate_name} of the update, cividis scale with its colour bar (both colour-blind safe); "
        f"black curves: the exact boundary{fine}" + (f", {styles}" if styles else "") + ".*"
    )


def maps_lines(maps: Sequence[MapResult], images: Mapping[str, str]) -> list[str]:
    """The stability maps: per figure its panels' stable share, exact boundary and stable ranges, then the PNG."""
    text = (
        "Where in two parameters training converges, and how fast: `stability_map(...)` analyses once with both "
        "parameters as symbols, takes the exact characteristic polynomial of the update map's Jacobian "
        f"{_math(sp.Symbol('M'))} at the equilibrium, and evaluates its verdict (Schur-Cohn) and spectral radius on "
        "the whole grid. The boundary curves are exact: where an eigenvalue reaches the unit circle, named by how it "
        f"crosses ({Crossing.FOLD}: through 1, {Crossing.FLIP}: through -1, {Crossing.NEIMARK_SACKER}: a complex pair "
        "through the circle). The stable ranges are solved from the exact stability condition at the stated value."
    )
    lines = ["### Stability maps", "", text, ""]
    figures = {fig.key: fig.title for fig in MAP_FIGURES}
    for key in dict.fromkeys(r.figure for r in maps):
        panels = [r for r in maps if r.figure == key]
        lines += [f"#### {escape_markdown(figures.get(key, key))}", ""]
        for r in panels:
            lines += _map_case_lines(r)
        if key in images:
            lines += [f"![{escape_markdown(figures.get(key, key))}]({images[key]})", "", _caption(panels), ""]
    return lines
