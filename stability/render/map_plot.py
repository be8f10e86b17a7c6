"""Figures of stability maps and bifurcation diagrams (matplotlib; no global state, ``ax=`` everywhere).

Regions use the Okabe-Ito colours (distinguishable with every common colour-vision deficiency);
inside the stable region the rate (spectral radius or abscissa) is shaded with ``cividis``, a
colour map designed for colour-blind readers, and has a colour bar. The exact boundary curves are
drawn in black, one line style per crossing (fold, flip, Neimark-Sacker, Hopf), labelled on the
curve and in the legend. Each function returns a record of the artists it made.

>>> from stability.maps import stability_map
>>> m = stability_map("vanilla_ns", x=("lr", 0.05, 3, 40), y=("r1", 0, 2, 30), optimizer="altgd", dim=1)
>>> art = draw_map(m)
>>> art.ax.get_xlabel(), [t.get_text() for t in art.legend.get_texts()][:3]
('learning rate (both players) $h$', ['stable (shade: spectral radius)', 'unstable', 'neutral'])
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.colors import BoundaryNorm, ListedColormap
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from ..numerics.grid import CODES, compile_expression, transition_band
from ..verdicts import Classification, Crossing, TimeDomain
from .tex import latex

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = ["COLORS", "LINESTYLES", "MapArtists", "BifurcationArtists", "draw_map", "draw_bifurcation"]

#: Okabe-Ito colours of the verdicts.
COLORS = {
    Classification.STABLE: "#009E73",
    Classification.UNSTABLE: "#D55E00",
    Classification.NEUTRAL: "#56B4E9",
    Classification.CENTER: "#56B4E9",
    Classification.NON_HYPERBOLIC: "#F0E442",
    Classification.NON_DIFFERENTIABLE: "#999999",
    Classification.UNDECIDED: "#FFFFFF",
}
#: Line style of each crossing's boundary curve.
LINESTYLES = {Crossing.FOLD: "-", Crossing.FLIP: "--", Crossing.NEIMARK_SACKER: ":", Crossing.HOPF: "-."}
_BRANCHES = ("#0072B2", "#E69F00", "#CC79A7", "#009E73", "#D55E00", "#56B4E9", "#F0E442", "#000000")


@dataclass(frozen=True)
class MapArtists:
    """What :func:`draw_map` drew: the regions, the rate shading and its colour bar, the curves, the legend."""

    figure: Figure
    ax: Any
    regions: Any
    shading: Any
    colorbar: Any
    curves: tuple
    legend: Any


@dataclass(frozen=True)
class BifurcationArtists:
    """What :func:`draw_bifurcation` drew."""

    figure: Figure
    ax: Any
    attractor_ax: Any
    branches: tuple
    crossings: tuple
    measured: Any
    predicted: Any
    legend: Any


def _axes(ax, figsize):
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _edges(v: np.ndarray) -> np.ndarray:
    """Cell edges of a regular grid ``v``: midpoints, extended by half a step at both ends."""
    if v.size == 1:
        return np.array([v[0] - 0.5, v[0] + 0.5])
    mid = (v[1:] + v[:-1]) / 2
    return np.concatenate([[2 * v[0] - mid[0]], mid, [2 * v[-1] - mid[-1]]])


def _rate_label(m) -> str:
    if m.time_domain is TimeDomain.DISCRETE:
        return r"spectral radius $\rho(M) = \max_i |\mu_i|$"
    return r"spectral abscissa $\max_i \mathrm{Re}\,\lambda_i$"


def _title(m) -> str:
    a = m.analysis
    what = "gradient flow" if m.time_domain is TimeDomain.CONTINUOUS else f"{a.optimizer!r}"
    return f"{m.variant}: {what}, $n = {a.dim}$"


def draw_map(
    m,
    *,
    ax: Axes | None = None,
    rate: bool = True,
    boundary: bool = True,
    legend: bool = True,
    title: str | None = None,
) -> MapArtists:
    """Draw the regions of the map ``m``, the rate inside the stable region, and the exact boundary curves.

    ``rate=False`` draws flat region colours only; ``boundary=False`` leaves out the curves.
    """
    fig, ax = _axes(ax, (7, 5.2))
    xe, ye = _edges(np.asarray(m.x)), _edges(np.asarray(m.y))
    colors = [COLORS[c] for c in CODES]
    cmap = ListedColormap(colors)
    norm = BoundaryNorm(np.arange(len(CODES) + 1) - 0.5, len(CODES))
    regions = ax.pcolormesh(xe, ye, m.codes, cmap=cmap, norm=norm, shading="flat", rasterized=True)
    stable = m.codes == CODES.index(Classification.STABLE)
    shading = cbar = None
    if rate and stable.any():
        values = np.ma.masked_where(~stable | ~np.isfinite(m.rate), m.rate)
        shading = ax.pcolormesh(xe, ye, values, cmap="cividis", shading="flat", rasterized=True)
        cbar = fig.colorbar(shading, ax=ax, pad=0.02)
        cbar.set_label(_rate_label(m) + " (stable region)")
    curves = []
    handles = []
    present = [CODES[i] for i in np.unique(m.codes)]
    for c in present:
        if c is Classification.STABLE and shading is not None:
            label = f"stable (shade: {m.rate_name})"
            face = "#7d7c78"  # cividis' middle
        else:
            label, face = str(c), COLORS[c]
        handles.append(Patch(facecolor=face, edgecolor="0.3", label=label))
    if boundary and m.boundary and m.fine:
        xf, yf, cf = m.fine
        band = transition_band(cf)
        xx, yy = np.meshgrid(xf, yf)
        symbols = (m.x_axis.symbol, m.y_axis.symbol)
        for curve in m.boundary:
            f = compile_expression(curve.expr, symbols)(xx, yy)
            cs = ax.contour(
                xf,
                yf,
                np.ma.masked_where(~band, f),
                levels=[0.0],
                colors="black",
                linewidths=1.8,
                linestyles=LINESTYLES.get(curve.crossing, "-"),
            )
            if cs.allsegs and any(len(s) for s in cs.allsegs[0]):
                ax.clabel(cs, fmt={0.0: str(curve.crossing)}, fontsize=8, inline=True)
            curves.append(cs)
            tex = f"{latex(curve.expr)} = 0"
            text = f"${tex}$" if len(tex) <= 40 else "exact curve"
            handles.append(
                Line2D(
                    [],
                    [],
                    color="black",
                    lw=1.8,
                    ls=LINESTYLES.get(curve.crossing, "-"),
                    label=f"{curve.crossing}: {text}",
                )
            )
    ax.set_xlim(xe[0], xe[-1])
    ax.set_ylim(ye[0], ye[-1])
    ax.set_xlabel(m.x_axis.label)
    ax.set_ylabel(m.y_axis.label)
    ax.set_title(title if title is not None else _title(m))
    leg = ax.legend(handles=handles, loc="best", fontsize=8, framealpha=0.9) if legend else None
    return MapArtists(fig, ax, regions, shading, cbar, tuple(curves), leg)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """``(start, stop)`` of the runs of True in ``mask``."""
    out, start = [], None
    for i, v in enumerate(mask):
        if v and start is None:
            start = i
        elif not v and start is not None:
            out.append((start, i))
            start = None
    if start is not None:
        out.append((start, len(mask)))
    return out


def draw_bifurcation(
    b, *, ax: Axes | None = None, attractor_ax: Axes | None = None, title: str | None = None
) -> BifurcationArtists:
    """Eigenvalue real parts (flows) or moduli (maps) against the parameter, the crossings named, and the attractor.

    Without ``ax`` the figure has two rows (spectrum above, attractor below). With ``ax`` alone the
    attractor goes on a twin y-axis of ``ax``; pass ``attractor_ax`` to put it elsewhere.
    """
    want_attractor = b.attractor is not None
    mode = "none"
    if ax is None:
        fig = Figure(figsize=(7, 6.5 if want_attractor else 4.2), layout="constrained")
        if want_attractor:
            ax, attractor_ax = fig.subplots(2, 1, sharex=True)
            mode = "stacked"
        else:
            ax = fig.add_subplot()
    else:
        fig = ax.figure
        if want_attractor:
            mode = "separate" if attractor_ax is not None else "twin"
            attractor_ax = attractor_ax if attractor_ax is not None else ax.twinx()
    values, parts = np.asarray(b.values), np.asarray(b.parts)
    discrete = b.time_domain is TimeDomain.DISCRETE
    branches = []
    order = np.argsort(np.where(np.isfinite(parts), parts, -np.inf), axis=1)
    ordered = np.take_along_axis(parts, order, axis=1)
    for j in range(ordered.shape[1]):
        col = ordered[:, j]
        marker = "o" if np.count_nonzero(np.isfinite(col)) <= 3 else None
        label = ("eigenvalues (sorted)" if discrete else "eigenvalues (sorted by real part)") if j == 0 else None
        (line,) = ax.plot(values, col, color=_BRANCHES[j % len(_BRANCHES)], lw=1.6, marker=marker, label=label)
        branches.append(line)
    crit = 1.0 if discrete else 0.0
    ax.axhline(crit, color="0.4", lw=1.0, ls="--", zorder=0, label="stability boundary")
    crossings = []
    for c in b.crossings:
        v = float(c.value)
        crossings.append(ax.axvline(v, color="black", lw=1.0, ls=":"))
        ax.annotate(
            f"{c.crossing or 'crossing'}\n${latex(b.axis.symbol)} = {latex(c.value)} \\approx {float(c.value):.4g}$",
            (v, 1.0),
            xycoords=("data", "axes fraction"),
            xytext=(3, -3),
            textcoords="offset points",
            va="top",
            fontsize=8,
        )
    spans = _runs(~np.asarray(b.differentiable))
    for k, (i, j) in enumerate(spans):
        lo = values[i] if i == 0 else (values[i - 1] + values[i]) / 2
        hi = values[j - 1] if j == len(values) else (values[j - 1] + values[j]) / 2
        ax.axvspan(
            lo,
            hi,
            color=COLORS[Classification.NON_DIFFERENTIABLE],
            alpha=0.25,
            hatch="//",
            lw=0,
            label="no Jacobian (field not differentiable)" if k == 0 else None,
        )
    ax.set_ylabel(r"$|\mu_i|$ (eigenvalues of $M$)" if discrete else r"$\mathrm{Re}\,\lambda_i$ (eigenvalues of $J$)")
    pad = 0.01 * (values[-1] - values[0])
    ax.set_xlim(values[0] - pad, values[-1] + pad)
    finite = parts[np.isfinite(parts)]
    lo, hi = (min(finite.min(), crit), max(finite.max(), crit)) if finite.size else (crit - 1, crit + 1)
    span = hi - lo if hi > lo else 1.0
    ax.set_ylim(lo - 0.08 * span, hi + 0.08 * span)
    ax.set_title(title if title is not None else f"{b.variant}: bifurcation diagram in ${latex(b.axis.symbol)}$")
    measured = predicted = None
    handles, labels = ax.get_legend_handles_labels()
    if want_attractor:
        att = b.attractor
        size = np.asarray(att.measured, dtype=float)
        finite = np.isfinite(size)
        measured = attractor_ax.plot(
            att.values[finite], size[finite], "o", ms=4, color="#0072B2", label=r"measured $\max\Vert\theta\Vert$"
        )[0]
        top = float(
            np.nanmax(np.concatenate([size[finite], np.asarray(att.predicted)[np.isfinite(att.predicted)], [0]]))
        )
        runs = getattr(att, "runs", None)
        top = max(top, getattr(runs, "radius", 0.0) or 0.0)  # the starts' size: converged runs read as 0
        top = top * 1.15 if top > 0 else 1.0
        div = np.isinf(size)
        if div.any():
            attractor_ax.plot(att.values[div], np.full(div.sum(), top), "^", color="#D55E00", label="diverged (inf)")
        pred = np.asarray(att.predicted, dtype=float)
        if np.isfinite(pred).any():
            predicted = attractor_ax.plot(att.values, pred, "-", color="black", lw=1.2, label="predicted")[0]
        attractor_ax.set_ylabel(r"attractor size $\max\Vert\theta\Vert$")
        attractor_ax.set_ylim(-0.03 * top, top * 1.05)
        h2, l2 = attractor_ax.get_legend_handles_labels()
        if mode == "twin":
            handles, labels = handles + h2, labels + l2
        else:
            attractor_ax.set_xlabel(b.axis.label)
            attractor_ax.legend(h2, l2, fontsize=8, loc="best")
    shared = mode == "separate" and attractor_ax.get_shared_x_axes().joined(ax, attractor_ax)
    if mode not in ("stacked",) and not shared:
        ax.set_xlabel(b.axis.label)
    leg = ax.legend(handles, labels, fontsize=8, loc="best")
    return BifurcationArtists(fig, ax, attractor_ax, tuple(branches), tuple(crossings), measured, predicted, leg)
