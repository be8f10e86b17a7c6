r"""Figures of the training dynamics (matplotlib), drawn from computed data.

Each drawing function takes the data to draw (an :class:`~stability.Analysis` or the
``Trajectories`` of a simulation) and an optional ``ax=``; without one it creates its own
figure.  It returns the :class:`~matplotlib.figure.Figure`, touches no global state and
never calls ``plt.show()``.  Computing is done elsewhere (``Analysis.simulate``,
:func:`post_experiment`); :func:`plot` composes both for the command line.

================  ==========================================================================
kind              figure
================  ==========================================================================
``theta``         the generator's trajectory in the :math:`(\theta_1, \theta_2)` plane, the
                  equilibrium as a red dot (as in the post); :math:`\theta(t)` when n = 1
``phase``         phase portrait with streamlines in the :math:`(\varphi, \theta)` plane (n = 1)
``eigenvalues``   eigenvalues of the Jacobian in the complex plane, multiplicities annotated
``distance``      :math:`\Vert z(t)\Vert` against time on a log axis, several runs overlaid
``ema``           the raw :math:`\theta` trajectory against its weight EMA
================  ==========================================================================

>>> from stability import analyze
>>> from stability.plotting import theta_plane
>>> a = analyze("vanilla_ns")
>>> fig = theta_plane(a.simulate([0.1, 0.2, 0.2, 0.1], 20.0, dt=0.05))
>>> fig.axes[0].get_xlabel()
'$\\theta_1$'
"""

from __future__ import annotations

import math
import os
import textwrap
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from numbers import Real
from typing import TYPE_CHECKING, Any

import matplotlib
import numpy as np
import sympy as sp
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.axes import Axes as _Axes
from matplotlib.figure import Figure
from matplotlib.patches import Circle
from sympy.core.evalf import PrecisionExhausted

from ..errors import InvalidParameterError, StabilityTypeError, UnknownNameError
from ..model.post import POST_DT, POST_T_END, post_initial_state, post_t_end
from ..numerics.iterate import Iterates
from ..numerics.simulate import numeric_field
from ..numerics.trajectories import CutoffReason, Trajectories, TrajectoryWarning
from ..verdicts import TimeDomain

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes

__all__ = [
    "KINDS",
    "theta_plane",
    "theta_plane_pair",
    "phase_portrait",
    "phase_grid",
    "PhaseGrid",
    "eigenvalue_plot",
    "eigenvalue_points",
    "EigenvaluePoints",
    "draw_eigenvalues",
    "distance_plot",
    "ema_plot",
    "animate_theta_plane",
    "plot",
    "default_kind",
    "post_experiment",
    "drawn_experiment",
    "post_initial_state",
    "POST_T_END",
    "MAX_DRAWN_POINTS",
    "MAX_SOLVER_STEPS",
    "MAX_EMA_STEPS",
    "POINTS_PER_TURN",
    "ema_steps",
    "map_steps",
    "check_drawable",
    "MAX_FRAMES",
    "MAX_ANIMATION_BYTES",
    "bounded_rendering",
]

#: The figure kinds of :func:`plot` (and of ``stability plot --kind``).
KINDS = ("theta", "phase", "eigenvalues", "distance", "ema")

DEFAULT_DT = POST_DT
EQUILIBRIUM_STYLE = {"s": 40, "color": "red", "zorder": 5}

#: Most points of one drawn curve: a longer series is sampled evenly (a figure a few hundred
#: pixels wide shows no difference), and a longer run is integrated with a coarser output step.
MAX_DRAWN_POINTS = 200_000
#: Most memory the states of a figure's run may take; fewer points are kept in high dimension.
MAX_DRAWN_BYTES = 256 * 2**20
#: Step budget (solver step attempts) of a figure's run; a longer run is cut there and the figure
#: (and a TrajectoryWarning) says where. About a minute of integration.
MAX_SOLVER_STEPS = 1_000_000
#: Most weight-EMA updates (one per training step dt) a figure computes.
MAX_EMA_STEPS = 1_000_000
#: Points per turn a drawn curve keeps: an output step longer than a sixteenth of a turn would draw
#: chords across the orbit (aliasing), so such a run is refused with the numbers instead.
POINTS_PER_TURN = 16
#: Most frames of an animation.
MAX_FRAMES = 1000
#: Most memory the frames of an animation may take (the GIF writer keeps every frame until the end).
MAX_ANIMATION_BYTES = 512 * 2**20


#: Segments per piece when a long curve is rasterised (matplotlib's agg.path.chunksize): the memory of
#: drawing a curve grows with its length in pixels, 1.3 GB for a 20,000-time-unit orbit without it.
RENDER_CHUNK = 10_000


def bounded_rendering():
    """A context in which drawing a long curve takes bounded memory; wrap ``fig.savefig`` of a long run in it.

    >>> with bounded_rendering():
    ...     pass
    """
    return matplotlib.rc_context({"agg.path.chunksize": RENDER_CHUNK})


# ----------------------------------------------------------------------------------------
# Checking what was passed
# ----------------------------------------------------------------------------------------
def _is_analysis(obj) -> bool:
    return all(hasattr(obj, name) for name in ("eigenvalue_parts", "classification", "simulate", "variant", "dim"))


def _received(obj) -> str:
    if isinstance(obj, str):
        return f"the string {obj[:40]!r}"
    if isinstance(obj, Trajectories):
        return "Trajectories"
    if _is_analysis(obj):
        return f"an Analysis of {obj.variant.name!r}"
    text = repr(obj)
    return f"{type(obj).__name__} {text if len(text) <= 40 else text[:37] + '...'}"


def _need_trajectories(tr, where: str) -> Trajectories:
    if isinstance(tr, Trajectories):
        return tr
    hint = ""
    if _is_analysis(tr):
        hint = "; simulate it first, e.g. post_experiment(analysis) or analysis.simulate(x0, t_end)"
    elif isinstance(tr, str):
        hint = f"; analyze and simulate it first, e.g. post_experiment(analyze({tr[:40]!r}))"
    raise StabilityTypeError(
        f"{where} needs Trajectories (from Analysis.simulate or post_experiment); got {_received(tr)}{hint}"
    )


def _need_analysis(analysis, where: str):
    if _is_analysis(analysis):
        return analysis
    hint = ""
    if isinstance(analysis, Trajectories):
        hint = "; pass the analysis it simulates (its .analysis)"
    elif isinstance(analysis, str):
        hint = f"; analyze it first: analyze({analysis[:40]!r})"
    raise StabilityTypeError(f"{where} needs an Analysis (from stability.analyze); got {_received(analysis)}{hint}")


def _need_axes(ax) -> None:
    if ax is not None and not isinstance(ax, _Axes):
        raise StabilityTypeError(f"ax must be a matplotlib Axes or None; got {_received(ax)}")


def _integer(name: str, value, low: int, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise StabilityTypeError(f"{name} must be an integer; got {_received(value)}")
    value = int(value)
    if value < low or (high is not None and value > high):
        bound = f">= {low}" if high is None else f"between {low} and {high}"
        raise InvalidParameterError(f"{name} must be {bound}; got {value}")
    return value


def _number(name: str, value, *, positive: bool = True, high: float | None = None) -> float:
    if isinstance(value, bool) or not isinstance(value, Real):
        raise StabilityTypeError(f"{name} must be a number; got {_received(value)}")
    value = float(value)
    if not math.isfinite(value) or (positive and value <= 0) or (high is not None and value > high):
        what = "a positive finite number" if positive else "a finite number"
        raise InvalidParameterError(f"{name} must be {what}{'' if high is None else f' up to {high:g}'}; got {value!r}")
    return value


def _title(title) -> str | None:
    if title is not None and not isinstance(title, str):
        raise StabilityTypeError(f"title must be a string or None; got {_received(title)}")
    return title


def _sample(n: int, limit: int = MAX_DRAWN_POINTS) -> slice | np.ndarray:
    """Indices of at most ``limit`` evenly spread points of ``n`` (first and last included)."""
    if n <= limit + 1:
        return slice(None)
    return np.unique(np.linspace(0, n - 1, limit).round().astype(np.intp))


# ----------------------------------------------------------------------------------------
# Computation (no matplotlib)
# ----------------------------------------------------------------------------------------
def post_experiment(analysis, x0=None, t_end: float | None = None, dt: float = DEFAULT_DT, **options):
    """Simulate ``analysis`` as the post does: from :func:`post_initial_state`, for ``POST_T_END``.

    ``options`` go to :meth:`Analysis.simulate` (e.g. ``warn=False``). A discrete analysis iterates its
    update for the training time ``t_end``: ``round(t_end / h)`` steps of its (smaller) learning rate
    ``h`` (``dt`` does not apply: each step is one output).

    >>> from stability import analyze
    >>> tr = post_experiment(analyze("wgan_gp", params={"c": 0}), t_end=1.0)
    >>> tr.x0.tolist(), tr.t_end
    ([[0.1, 0.2, 0.2, 0.1]], 1.0)
    """
    _need_analysis(analysis, "post_experiment")
    if x0 is None:
        x0 = post_initial_state(analysis.dim)
    if t_end is None:
        t_end = post_t_end(analysis.variant.name)
    if analysis.time_domain is TimeDomain.DISCRETE:
        return analysis.simulate(x0, map_steps(analysis, _number("t_end", t_end), None), **options)
    return analysis.simulate(x0, t_end, dt=dt, **options)


def _points(analysis, x0) -> int:
    """Output points a figure's run may store: MAX_DRAWN_POINTS, fewer when the states are large."""
    if x0 is None:
        rows = 1
    elif isinstance(x0, (int, np.integer)) and not isinstance(x0, bool):
        rows = max(1, int(x0))
    else:
        try:
            shape = np.shape(x0)
        except ValueError:  # ragged: simulate() says what is wrong with it
            shape = ()
        rows = shape[0] if len(shape) == 2 else 1
    per_point = max(1, rows) * 2 * analysis.dim * 8
    return int(max(100, min(MAX_DRAWN_POINTS, MAX_DRAWN_BYTES // per_point)))


def drawn_experiment(analysis, x0=None, t_end: float | None = None, dt: float = DEFAULT_DT, **options):
    """:func:`post_experiment` for a figure: the states on at most :data:`MAX_DRAWN_POINTS` output times.

    A run of more steps ``dt`` than that is integrated with the coarser output step ``t_end / points``;
    the solver's own steps are adaptive, so the states drawn are as accurate either way (only a weight
    EMA depends on ``dt``: see :func:`plot`). The coarser step must still resolve the motion: a probe
    of the first hundredth of the run measures how fast the trajectory turns, and a run that would be
    drawn with fewer than :data:`POINTS_PER_TURN` points per turn is refused with the longest
    ``t_end`` that fits. The solver's budget is :data:`MAX_SOLVER_STEPS` step attempts unless
    ``max_steps=`` says otherwise; a run cut there ends early, and a
    :class:`~stability.numerics.trajectories.TrajectoryWarning` says so. A discrete analysis draws
    every training step: ``t_end`` is training time, ``round(t_end / h)`` steps of its (smaller)
    learning rate ``h``.

    >>> from stability import analyze
    >>> tr = drawn_experiment(analyze("vanilla_ns"), t_end=4000.0)     # 400,000 steps of 0.01
    >>> tr.times.size - 1 <= MAX_DRAWN_POINTS, tr.t_end
    (True, 4000.0)
    """
    _need_analysis(analysis, "drawn_experiment")
    if t_end is None:
        t_end = post_t_end(analysis.variant.name)
    t_end, dt = _number("t_end", t_end), _number("dt", dt)
    points = _points(analysis, x0)
    options.setdefault("warn", False)
    if analysis.time_domain is TimeDomain.DISCRETE:
        map_steps(analysis, t_end, points)  # refused if a figure cannot hold every step
        return post_experiment(analysis, x0=x0, t_end=t_end, **options)
    if t_end / dt > points:
        dt = _resolving_step(analysis, x0, t_end, dt, points)
    options.setdefault("max_steps", MAX_SOLVER_STEPS)
    tr = post_experiment(analysis, x0=x0, t_end=t_end, dt=dt, **options)
    if tr.cutoff is not None:
        warnings.warn(
            f"the figure shows t in [0, {tr.t_end:.6g}] only: {_budget_text(tr.cutoff)}",
            TrajectoryWarning,
            stacklevel=2,
        )
    return tr


def check_drawable(analysis, x0=None, t_end: float | None = None, dt: float = DEFAULT_DT) -> None:
    """Refuse, before drawing, a run a figure cannot hold (what :func:`drawn_experiment` would refuse)."""
    _need_analysis(analysis, "check_drawable")
    t_end = post_t_end(analysis.variant.name) if t_end is None else t_end
    t_end, dt = _number("t_end", t_end), _number("dt", dt)
    points = _points(analysis, x0)
    if analysis.time_domain is TimeDomain.DISCRETE:
        map_steps(analysis, t_end, points)
    elif t_end / dt > points:
        _resolving_step(analysis, x0, t_end, dt, points)


def map_steps(analysis, t_end: float, points: int | None = MAX_DRAWN_POINTS) -> int:
    """The training steps of a discrete analysis for the training time ``t_end``, at most ``points``."""
    lr = analysis.lr
    if lr.d.free_symbols or lr.g.free_symbols:
        raise InvalidParameterError(f"iterating the update needs a numeric learning rate; got {lr.d}, {lr.g}")
    h = min(_double(lr.d, lr.d), _double(lr.g, lr.g))
    steps = max(1, round(t_end / h))
    if points is not None and steps > points:
        raise InvalidParameterError(
            f"a discrete analysis draws every training step: t_end / h = {t_end:g} / {h:g} = {steps:,} steps, more "
            f"than the {points:,} a figure holds; use t_end up to {points * h:.6g}"
        )
    return steps


def _resolving_step(analysis, x0, t_end: float, dt: float, points: int) -> float:
    """The output step ``t_end / points``, if it resolves the motion (measured on a probe run); else refuse."""
    steps = max(1000, math.ceil(t_end / dt / 100))
    probe = post_experiment(analysis, x0=x0, t_end=steps * dt, dt=dt, warn=False, max_steps=MAX_SOLVER_STEPS // 10)
    omega = _angular_speed(probe)
    step = t_end / points
    if omega * step > 2 * math.pi / POINTS_PER_TURN:
        turn = 2 * math.pi / omega
        need, longest = math.ceil(t_end / turn * POINTS_PER_TURN), points * turn / POINTS_PER_TURN
        raise InvalidParameterError(
            f"t_end = {t_end:g} spans about {t_end / turn:,.0f} turns of the trajectory (one every {turn:.3g} time "
            f"units, measured on t in [0, {probe.t_end:g}]); drawing them with {POINTS_PER_TURN} points per turn takes "
            f"{need:,} points, more than the {points:,} a figure holds: use t_end up to {longest:.3g}"
        )
    return step


def _angular_speed(tr) -> float:
    """How fast a stored run turns (radians per unit time): the largest net winding of a pair (phi_k, theta_k) over
    the run, divided by its length (every oscillation of the Dirac GAN turns these pairs; the net winding is not
    fooled by the quick swings of a thin orbit past the origin)."""
    z = np.asarray(tr.states, dtype=float)
    n, span = tr.dim, float(tr.times[-1] - tr.times[0])
    if span <= 0:
        return 0.0
    angle = np.unwrap(np.arctan2(z[..., n:], z[..., :n]), axis=1)  # (K, T, n)
    net = np.abs(angle[:, -1] - angle[:, 0])
    net = net[np.isfinite(net)]
    return float(net.max()) / span if net.size else 0.0


def _label(analysis, *, dim: bool = True) -> str:
    """``wgan_gp (λ = 1/10, c = 0, n = 2)``-style label, with mathtext symbols."""
    names = {"lam": r"\lambda", "alpha": r"\alpha"}
    items = [f"${names.get(k, k)} = {v}$" for k, v in analysis.params.items()]
    weights = {"l2": r"\alpha"}
    items += [
        f"L2 ${weights.get(k, k)} = {v}$" if k == "l2" else f"{k} = {v}" for k, v in analysis.regularizers.items()
    ]
    if analysis.time_domain is TimeDomain.DISCRETE:
        lr = analysis.lr
        rate = f"$h = {lr.d}$" if lr.equal else f"$h_d = {lr.d}$, $h_g = {lr.g}$"
        items.append(f"{analysis.optimizer.name}, {rate}")
    if dim:
        items.append(f"$n = {analysis.dim}$")
    return analysis.variant.name + (f" ({', '.join(items)})" if items else "")


def _axes(ax: Axes | None, figsize=(6, 6)) -> tuple[Figure, Axes]:
    _need_axes(ax)
    if ax is not None:
        return ax.figure, ax
    fig = Figure(figsize=figsize, layout="constrained")
    return fig, fig.add_subplot()


def _symmetric_limits(ax: Axes, x: np.ndarray, y: np.ndarray, margin: float = 1.12) -> None:
    values = np.concatenate([np.abs(np.ravel(x)), np.abs(np.ravel(y))])
    values = values[np.isfinite(values)]
    r = float(values.max()) * margin if values.size else 1.0
    r = r if r > 0 else 1.0
    ax.set_xlim(-r, r)
    ax.set_ylim(-r, r)
    ax.set_aspect("equal")


def _stopped_note(ax: Axes, tr, index: int) -> None:
    if not tr.ok[index]:
        why = _budget_text(tr.cutoff) if tr.cut_short()[index] else tr.messages[index]
        ax.text(
            0.02,
            0.02,
            textwrap.fill(textwrap.shorten(f"stopped at t = {tr.stop_time[index]:.3g}: {why}", 160), 80),
            transform=ax.transAxes,
            fontsize=8,
            color="darkred",
            va="bottom",
            in_layout=False,  # a long note must not squeeze the axes
        )


def _budget_text(cutoff) -> str:
    """Why a run was cut short, in a figure's words."""
    if cutoff.reason is CutoffReason.STALLED:
        return f"the step size collapsed (more than {cutoff.limit:,} solver steps in one output step: a singularity?)"
    return f"the figure's budget of {cutoff.limit:,} solver steps ran out (a shorter t_end fits)"


def _check_index(tr, index: int) -> int:
    if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
        raise StabilityTypeError(f"index must be an integer (a trajectory of the run); got {_received(index)}")
    if not 0 <= index < tr.samples:
        raise InvalidParameterError(f"index must be in [0, {tr.samples}); got {index}")
    return int(index)


# ----------------------------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------------------------
def _time_axis(tr) -> str:
    return "training step $k$" if isinstance(tr, Iterates) else "time $t$"


def _span(tr) -> str:
    return f"steps $k \\in [0, {tr.t_end:g}]$" if isinstance(tr, Iterates) else f"$t \\in [0, {tr.t_end:g}]$"


def _when(tr) -> str:
    return f"after {tr.t_end:g} steps" if isinstance(tr, Iterates) else f"at $t = {tr.t_end:g}$"


def _draw_theta(ax: Axes, dim: int, series, xlabel: str = "time $t$") -> None:
    """Draw ``(times, theta_like (steps, n), style)`` curves: against time for n = 1, else in the theta plane.

    Each curve is sampled to at most :data:`MAX_DRAWN_POINTS` points. The equilibrium is a dashed
    red line (n = 1) or a red dot; limits fit the first curve.
    """
    series = [(times, values[_sample(len(values))], style, _sample(len(values))) for times, values, style in series]
    first_times, first = series[0][0], series[0][1]
    if dim == 1:
        for times, values, style, pick in series:
            ax.plot(times[pick], values[:, 0], **style)
        ax.axhline(0, color="red", lw=1.0, ls="--", zorder=0, label="equilibrium")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(r"$\theta$")
        ax.set_xlim(first_times[0], first_times[-1])
        return
    for _, values, style, _ in series:
        ax.plot(values[:, 0], values[:, 1], **style)
    ax.scatter([0], [0], **EQUILIBRIUM_STYLE)
    ax.set_xlabel(r"$\theta_1$")
    ax.set_ylabel(r"$\theta_2$")
    _symmetric_limits(ax, first[:, 0], first[:, 1])


def theta_plane(tr, *, ax: Axes | None = None, index: int = 0, title: str | None = None, **line) -> Figure:
    r"""The generator's trajectory in the :math:`(\theta_1, \theta_2)` plane, the equilibrium as a red dot.

    Draws one line (trajectory ``index`` of ``tr``).  For n = 1 it draws :math:`\theta(t)`
    against time instead, the equilibrium :math:`\theta = 0` as a dashed red line; for n > 2
    the projection on the first two components.

    >>> from stability import analyze
    >>> fig = theta_plane(analyze("gan_qp").simulate([0.1, 0.2, 0.2, 0.1], 5.0, dt=0.05))
    >>> len(fig.axes[0].lines)
    1
    """
    tr = _need_trajectories(tr, "theta_plane")
    index = _check_index(tr, index)
    title = _title(title)
    fig, ax = _axes(ax)
    theta = tr.theta[index]
    a = tr.analysis
    _draw_theta(ax, tr.dim, [(tr.times, theta, {"color": "tab:blue", "lw": 1.0} | line)], _time_axis(tr))
    extra = "" if tr.dim <= 2 else " (projection)"
    ax.set_title(title or f"{_label(a)}{extra}\n{a.classification}, {_span(tr)}")
    _stopped_note(ax, tr, index)
    return fig


def theta_plane_pair(left, right, titles: tuple[str, str] | None = None, *, figsize=(11, 5.5)) -> Figure:
    """Two theta-plane trajectories side by side (e.g. a variant and its mitigation), on one figure.

    >>> from stability import analyze
    >>> runs = [analyze(k).simulate([0.1, 0.2, 0.2, 0.1], 2.0, dt=0.05) for k in ("gan_qp", "vanilla_ns")]
    >>> len(theta_plane_pair(*runs, ("a", "b")).axes)
    2
    """
    left, right = _need_trajectories(left, "theta_plane_pair"), _need_trajectories(right, "theta_plane_pair")
    if titles is not None and (isinstance(titles, str) or not isinstance(titles, Sequence) or len(titles) != 2):
        raise StabilityTypeError(f"titles must be a pair of strings (left, right) or None; got {_received(titles)}")
    fig = Figure(figsize=figsize, layout="constrained")
    for ax, tr, title in zip(fig.subplots(1, 2), (left, right), titles or (None, None)):
        theta_plane(tr, ax=ax, title=title)
    return fig


@dataclass(frozen=True)
class PhaseGrid:
    """The field sampled on a square grid of the (phi, theta) plane; NaN where it is not finite."""

    phi: np.ndarray
    theta: np.ndarray
    d_phi: np.ndarray
    d_theta: np.ndarray
    lim: float


def phase_grid(analysis, lim: float = 1.0, resolution: int = 101) -> PhaseGrid:
    r"""The field of a dimension-1 analysis on a ``resolution`` x ``resolution`` grid of :math:`[-lim, lim]^2`.

    >>> from stability import analyze
    >>> g = phase_grid(analyze("gan_qp", dim=1), lim=0.5, resolution=3)
    >>> g.d_theta[0].tolist()  # theta' = phi along the bottom row
    [-0.5, 0.0, 0.5]
    """
    _need_analysis(analysis, "phase_grid")
    if analysis.dim != 1:
        raise InvalidParameterError(
            f"a phase portrait needs dim = 1 (the (phi, theta) plane); this analysis has dim = {analysis.dim}. "
            "Use analyze(..., dim=1), or --dim 1 on the command line"
        )
    if isinstance(lim, bool) or not isinstance(lim, Real):
        raise StabilityTypeError(f"lim must be a number; got {_received(lim)}")
    lim = float(lim)
    if not np.isfinite(lim) or lim <= 0:
        raise InvalidParameterError(f"lim must be a positive number; got {lim!r}")
    resolution = _integer("resolution", resolution, 2, 2000)
    f = numeric_field(analysis)
    grid = np.linspace(-lim, lim, resolution)
    P, T = np.meshgrid(grid, grid)
    with np.errstate(all="ignore"):
        Z = f(np.column_stack([P.ravel(), T.ravel()]))
    U, V = Z[:, 0].reshape(P.shape), Z[:, 1].reshape(P.shape)
    bad = ~(np.isfinite(U) & np.isfinite(V))
    return PhaseGrid(P, T, np.where(bad, np.nan, U), np.where(bad, np.nan, V), lim)


def phase_portrait(
    analysis,
    *,
    ax: Axes | None = None,
    lim: float = 1.0,
    density: float = 1.3,
    resolution: int = 101,
    trajectories=None,
    title: str | None = None,
) -> Figure:
    r"""Streamlines of the field in the :math:`(\varphi, \theta)` plane (n = 1), classification in the title.

    ``trajectories`` (optional, n = 1) are overlaid as lines.  Points where the field is
    not finite (e.g. :math:`\varphi = 0` for WGAN) are left blank.

    >>> from stability import analyze
    >>> fig = phase_portrait(analyze("vanilla_ns", dim=1), lim=0.5)
    >>> fig.axes[0].get_title().splitlines()[-1]
    'equilibrium: center'
    """
    g = phase_grid(_need_analysis(analysis, "phase_portrait"), lim, resolution)
    density = _number("density", density, high=20.0)
    title = _title(title)
    if trajectories is not None:
        trajectories = _need_trajectories(trajectories, "phase_portrait (trajectories=)")
    fig, ax = _axes(ax)
    speed = np.hypot(g.d_phi, g.d_theta)
    ax.streamplot(
        g.phi, g.theta, g.d_phi, g.d_theta, density=density, color=speed, cmap="viridis", linewidth=0.8, arrowsize=0.9
    )
    if trajectories is not None:
        pick = _sample(trajectories.times.size)
        for k in range(trajectories.samples):
            ax.plot(trajectories.phi[k, pick, 0], trajectories.theta[k, pick, 0], color="tab:orange", lw=1.2)
    ax.scatter([0], [0], **EQUILIBRIUM_STYLE)
    ax.set_xlim(-g.lim, g.lim)
    ax.set_ylim(-g.lim, g.lim)
    ax.set_aspect("equal")
    ax.set_xlabel(r"$\varphi$ (discriminator)")
    ax.set_ylabel(r"$\theta$ (generator)")
    ax.set_title(title or f"{_label(analysis)}\nequilibrium: {_verdict(analysis)}")
    return fig


def _verdict(analysis) -> str:
    cls, detail = str(analysis.classification), str(analysis.detail)
    return cls if cls in ("non-differentiable", detail) or not detail else f"{cls} ({detail})"


@dataclass(frozen=True)
class EigenvaluePoints:
    """The spectrum to draw: numeric eigenvalues, their multiplicities, and the time domain
    (which decides the stability boundary: the imaginary axis for a flow, the unit circle for a map)."""

    values: tuple[complex, ...]
    multiplicities: tuple[int, ...]
    time_domain: TimeDomain = TimeDomain.CONTINUOUS
    matrix: str = "J"


def eigenvalue_points(analysis) -> EigenvaluePoints:
    """The eigenvalues of ``analysis`` as numbers (refused while they depend on symbolic parameters).

    >>> from stability import analyze
    >>> p = eigenvalue_points(analyze("gan_qp"))
    >>> sorted(v.imag for v in p.values), p.multiplicities, str(p.time_domain)
    ([-1.0, 1.0], (2, 2), 'continuous')
    """
    _need_analysis(analysis, "eigenvalue_points")
    values, mults = [], []
    for part in analysis.eigenvalue_parts:
        value = part.value
        if value.free_symbols:
            names = ", ".join(sorted(str(s) for s in value.free_symbols))
            raise InvalidParameterError(
                f"the eigenvalues depend on the symbolic parameters {names}; give numbers to plot them "
                "(e.g. params={'lam': 0.1}, or --param lam=0.1)"
            )
        values.append(complex(_double(part.real, value), _double(part.imag, value)))
        mults.append(int(part.multiplicity))
    domain = TimeDomain(analysis.time_domain)
    return EigenvaluePoints(tuple(values), tuple(mults), domain, "M" if domain is TimeDomain.DISCRETE else "J")


def _double(x: sp.Expr, value: sp.Expr) -> float:
    """An exact real number as the nearest double, with every digit correct (cancellation is resolved
    at higher precision: ``-10**100 + sqrt(10**200 - 1)`` is ``-5e-101``, not 0 or positive)."""
    x = sp.sympify(x)
    if x.is_zero:
        return 0.0
    short = str(value) if len(str(value)) <= 60 else str(value)[:57] + "..."
    try:
        f = float(x.evalf(17, strict=True, maxn=4000))
    except PrecisionExhausted:
        raise InvalidParameterError(
            f"the eigenvalue {short} cannot be evaluated to double precision (its parts cancel beyond 4000 digits)"
        ) from None
    if not math.isfinite(f) or (f != 0 and abs(f) < 1e-300):
        raise InvalidParameterError(f"the eigenvalue {short} is outside the range of double precision (1e-300..1e300)")
    return f


def draw_eigenvalues(points: EigenvaluePoints, *, ax: Axes | None = None, title: str | None = None) -> Figure:
    """Draw a spectrum in the complex plane, with the stability boundary of its time domain.

    For a flow: the real and the imaginary axis, the stable left half-plane shaded. For a map:
    the real axis and the unit circle, the stable open disc shaded. Multiplicities are annotated.
    """
    if not isinstance(points, EigenvaluePoints):
        raise StabilityTypeError(
            f"draw_eigenvalues needs EigenvaluePoints (from eigenvalue_points); got {_received(points)}"
        )
    title = _title(title)
    fig, ax = _axes(ax, figsize=(6, 5))
    discrete = points.time_domain is TimeDomain.DISCRETE
    ax.axhline(0, color="0.6", lw=0.8, zorder=0)
    z = np.array(points.values, dtype=complex)
    r = max(float(np.max(np.abs(z))) if z.size else 1.0, 1e-3) * 1.35
    if discrete:
        r = max(r, 1.25)
        angle = np.linspace(0.0, 2.0 * np.pi, 361)
        ax.plot(np.cos(angle), np.sin(angle), color="0.4", lw=0.9, zorder=1, label="unit circle")
        ax.add_patch(Circle((0.0, 0.0), 1.0, color="tab:green", alpha=0.06, zorder=0))
    else:
        ax.axvline(0, color="0.6", lw=0.8, zorder=0)
        ax.axvspan(-r, 0, color="tab:green", alpha=0.06, zorder=0)
    ax.set_xlabel(r"Re $\mu$")
    ax.set_ylabel(r"Im $\mu$")
    ax.set_xlim(-r, r)
    ax.set_ylim(-r, r)
    ax.set_aspect("equal")
    if z.size:
        ax.scatter(z.real, z.imag, s=60, color="tab:blue", zorder=4)
        for v, m in zip(points.values, points.multiplicities):
            ax.annotate(f"×{m}", (v.real, v.imag), xytext=(7, 5), textcoords="offset points", fontsize=11)
    else:
        what = "the update" if discrete else "the field"
        ax.text(
            0.5,
            0.5,
            f"no Jacobian at the equilibrium:\n{what} is not differentiable there",
            transform=ax.transAxes,
            ha="center",
            va="center",
            fontsize=11,
        )
    if title:
        ax.set_title(title)
    return fig


def eigenvalue_plot(analysis, *, ax: Axes | None = None, title: str | None = None) -> Figure:
    """Eigenvalues of the linearisation at the equilibrium in the complex plane, multiplicities annotated.

    The Jacobian ``J`` of the field for gradient flow (boundary: the imaginary axis), the Jacobian
    ``M`` of the update map for a discrete analysis (boundary: the unit circle); a variant without
    a Jacobian gets an empty plane that says why.

    >>> from stability import analyze
    >>> fig = eigenvalue_plot(analyze("vanilla_ns"))
    >>> sorted(t.get_text() for t in fig.axes[0].texts)
    ['×2', '×2']
    """
    points = eigenvalue_points(analysis)
    title = _title(title)
    heading = title or f"{_label(analysis)}\neigenvalues of ${points.matrix}$: {analysis.classification}"
    return draw_eigenvalues(points, ax=ax, title=heading)


def distance_plot(runs, *, ax: Axes | None = None, index: int = 0, title: str | None = None) -> Figure:
    r"""Distance :math:`\Vert z(t)\Vert` to the equilibrium against time (log axis), one line per run.

    ``runs`` is one ``Trajectories``, a sequence of them, or a mapping ``{label: Trajectories}``.

    >>> from stability import analyze
    >>> runs = {k: analyze(k).simulate([0.1, 0.2, 0.2, 0.1], 5.0, dt=0.05) for k in ("vanilla_ns", "gan_qp")}
    >>> len(distance_plot(runs).axes[0].lines)
    2
    """
    if not isinstance(runs, Mapping):
        runs = [runs] if isinstance(runs, (Trajectories, str)) or not isinstance(runs, Sequence) else list(runs)
        runs = [_need_trajectories(tr, "distance_plot") for tr in runs]
        runs = {_label(tr.analysis): tr for tr in runs}
    else:
        for label, tr in runs.items():
            if not isinstance(label, str):
                raise StabilityTypeError(f"distance_plot labels must be strings; got {_received(label)}")
            _need_trajectories(tr, f"distance_plot (run {label!r})")
    if not runs:
        raise InvalidParameterError("distance_plot needs at least one run")
    title = _title(title)
    fig, ax = _axes(ax, figsize=(7, 4.5) if len(runs) <= 3 else (9.5, 4.5))
    for label, tr in runs.items():
        k = _check_index(tr, index)
        pick = _sample(tr.summary_times.size)
        d = tr.norm[k][pick]
        d = np.where(d > 0, d, np.nan)
        ax.plot(tr.summary_times[pick], d, label=label, lw=1.3)
    ax.set_yscale("log")
    ax.set_xlabel(_time_axis(next(iter(runs.values()))))
    ax.set_ylabel(r"$\Vert z(t)\Vert = \sqrt{\Vert\varphi\Vert^2 + \Vert\theta\Vert^2}$")
    ax.set_xlim(left=0)
    ax.grid(True, which="both", alpha=0.3)
    if len(runs) <= 3:
        ax.legend(fontsize=9)
    else:  # outside the axes, where it cannot hide a curve
        ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    ax.set_title(title or "distance to the equilibrium")
    return fig


def ema_plot(
    tr,
    beta: float = 0.999,
    *,
    ax: Axes | None = None,
    index: int = 0,
    title: str | None = None,
    average=None,
) -> Figure:
    r"""The raw generator trajectory (thin) against its weight EMA (thick), equilibrium as a red dot.

    In the :math:`(\theta_1, \theta_2)` plane (two lines); for n = 1, :math:`\theta(t)` and its
    EMA against time (and the equilibrium as a dashed red line). ``average`` is the run whose EMA
    is drawn (default ``tr``): for a run too long to store at the training step, pass a
    ``store=False`` run of the same start with ``ema=(beta,)`` (its EMA is on ``summary_times``).

    >>> from stability import analyze
    >>> fig = ema_plot(analyze("vanilla_ns").simulate([0.1, 0.2, 0.2, 0.1], 5.0, dt=0.05), beta=0.9)
    >>> [l.get_label() for l in fig.axes[0].lines]
    ['raw $\\theta$', 'EMA, $\\beta = 0.9$']
    """
    tr = _need_trajectories(tr, "ema_plot")
    average = tr if average is None else _need_trajectories(average, "ema_plot (average=)")
    index = _check_index(tr, index)
    _check_index(average, index)
    title = _title(title)
    ema = average.ema(beta)[index]
    ema_times = average.times if average.states is not None else average.summary_times
    theta = tr.theta[index]
    fig, ax = _axes(ax)
    raw_style = {"color": "tab:blue", "lw": 0.7, "alpha": 0.6, "label": r"raw $\theta$"}
    ema_style = {"color": "tab:orange", "lw": 2.0, "label": f"EMA, $\\beta = {beta:g}$"}
    _draw_theta(ax, tr.dim, [(tr.times, theta, raw_style), (ema_times, ema, ema_style)], _time_axis(tr))
    ax.legend(loc="upper right", fontsize=9)
    final = float(np.linalg.norm(ema[-1])) if np.all(np.isfinite(ema[-1])) else float("nan")
    raw = float(np.linalg.norm(theta[-1])) if np.all(np.isfinite(theta[-1])) else float("nan")
    ax.set_title(
        title
        or f"{_label(tr.analysis)}: weight EMA of $\\theta$\n"
        f"{_when(tr)}: $\\Vert\\theta\\Vert = {raw:.3g}$, $\\Vert\\theta_{{EMA}}\\Vert = {final:.3g}$"
    )
    return fig


def animate_theta_plane(tr, path, *, index: int = 0, frames: int = 80, fps: float = 16, dpi: int = 80):
    """Write a GIF of the trajectory being drawn in the theta plane (matplotlib's PillowWriter).

    The curve is drawn as :func:`theta_plane` draws it; ``frames`` (2 to :data:`MAX_FRAMES`)
    are kept in memory until the file is written, at most :data:`MAX_ANIMATION_BYTES`. An existing
    file at ``path`` is overwritten. Returns the path written.

    >>> from stability import analyze
    >>> import tempfile, pathlib
    >>> tr = analyze("gan_qp").simulate([0.1, 0.2, 0.2, 0.1], 2.0, dt=0.05)
    >>> out = animate_theta_plane(tr, pathlib.Path(tempfile.mkdtemp()) / "a.gif", frames=3, dpi=20)
    >>> out.read_bytes()[:3]
    b'GIF'
    """
    tr = _need_trajectories(tr, "animate_theta_plane")
    if not isinstance(path, (str, os.PathLike)):
        raise StabilityTypeError(f"path must be a file name (str or Path); got {_received(path)}")
    if not os.fspath(path).lower().endswith(".gif"):
        raise InvalidParameterError(f"an animation is written as a GIF: path must end in .gif; got {os.fspath(path)!r}")
    index = _check_index(tr, index)
    frames = _integer("frames", frames, 2, MAX_FRAMES)
    fps = _number("fps", fps, high=100.0)
    dpi = _integer("dpi", dpi, 10, 600)
    fig = theta_plane(tr, index=index)
    width, height = fig.get_size_inches() * dpi
    need = frames * int(width) * int(height) * 4
    if need > MAX_ANIMATION_BYTES:
        raise InvalidParameterError(
            f"{frames} frames of {int(width)} x {int(height)} pixels need about {need / 2**20:.0f} MiB while the GIF "
            f"is written (limit {MAX_ANIMATION_BYTES // 2**20} MiB); use fewer frames or a lower dpi"
        )
    with bounded_rendering():
        fig.canvas.draw()  # lay out once, then freeze the layout: re-running it per frame is slow
    fig.set_layout_engine("none")
    ax = fig.axes[0]
    line = ax.lines[0]
    x, y = line.get_data()
    x, y = np.asarray(x), np.asarray(y)
    stops = np.unique(np.linspace(2, len(x), frames).astype(int))

    def update(i):
        line.set_data(x[:i], y[:i])
        return (line,)

    anim = FuncAnimation(fig, update, frames=stops, blit=False, cache_frame_data=False)
    with bounded_rendering():
        anim.save(os.fspath(path), writer=PillowWriter(fps=fps), dpi=dpi)
    return path


def default_kind(analysis) -> str:
    """The kind :func:`plot` draws by default: ``"phase"`` for n = 1, ``"theta"`` otherwise."""
    return "phase" if _need_analysis(analysis, "default_kind").dim == 1 else "theta"


def ema_steps(t_end: float, dt: float) -> int:
    """The weight-EMA updates a run of ``t_end`` takes: one per training step ``dt``.

    >>> ema_steps(1.0, 0.01)
    100
    """
    t_end, dt = _number("t_end", t_end), _number("dt", dt)
    steps = t_end / dt
    if not math.isfinite(steps):
        raise InvalidParameterError(f"t_end / dt must be a finite number of steps; got {t_end:g} / {dt:g}")
    return math.ceil(steps - 1e-9)


def plot(
    analysis,
    kind: str | None = None,
    *,
    ax: Axes | None = None,
    x0=None,
    t_end: float | None = None,
    dt: float = DEFAULT_DT,
    beta: float = 0.999,
    compare: Sequence[Any] = (),
) -> Figure:
    """Compute what ``kind`` needs and draw it (the ``stability plot`` command).

    Long runs are drawn from at most :data:`MAX_DRAWN_POINTS` states (see :func:`drawn_experiment`).
    The weight EMA is updated once per training step ``dt`` whatever the run's length, up to
    :data:`MAX_EMA_STEPS` steps (a longer EMA is refused with the numbers: pass a larger ``dt``).

    Args:
        analysis: the :class:`~stability.Analysis` to draw.
        kind: one of :data:`KINDS` (default :func:`default_kind`).
        x0, t_end, dt: the simulation (default: the post's start and integration time).
        beta: the EMA's decay (kind ``"ema"``).
        compare: more analyses to overlay (kind ``"distance"``).

    >>> from stability import analyze
    >>> fig = plot(analyze("wgan_gp", params={"c": 0}), "distance", t_end=2.0)
    >>> fig.axes[0].get_yscale()
    'log'
    """
    _need_analysis(analysis, "plot")
    kind = default_kind(analysis) if kind is None else kind
    if not isinstance(kind, str):
        raise StabilityTypeError(f"kind must be a string, one of {', '.join(KINDS)}; got {_received(kind)}")
    if kind not in KINDS:
        raise UnknownNameError("plot kind", kind, KINDS)
    if isinstance(compare, (str, Trajectories)) or _is_analysis(compare) or not isinstance(compare, Sequence):
        raise StabilityTypeError(f"compare must be a sequence of Analysis objects; got {_received(compare)}")
    compare = [_need_analysis(other, "plot (compare=)") for other in compare]
    if compare and kind != "distance":
        raise InvalidParameterError(f"compare= overlays runs in kind 'distance' only; got kind {kind!r}")
    _need_axes(ax)
    if kind == "eigenvalues":
        return eigenvalue_plot(analysis, ax=ax)
    if kind == "phase":
        tr = None
        if analysis.dim == 1:
            tr = drawn_experiment(analysis, x0=x0, t_end=t_end, dt=dt)
        return phase_portrait(analysis, ax=ax, trajectories=tr, lim=_phase_lim(tr))
    if kind == "ema":
        return _ema_figure(analysis, x0, t_end, dt, beta, ax)
    tr = drawn_experiment(analysis, x0=x0, t_end=t_end, dt=dt)
    if kind == "theta":
        return theta_plane(tr, ax=ax)
    runs = {_label(analysis): tr}
    for other in compare:
        runs[_label(other)] = drawn_experiment(other, x0=x0 if other.dim == analysis.dim else None, dt=dt)
    return distance_plot(runs, ax=ax)


def _ema_figure(analysis, x0, t_end, dt, beta, ax) -> Figure:
    """The EMA figure: exact EMA updates at every step ``dt``, drawn from at most MAX_DRAWN_POINTS points."""
    t_end = post_t_end(analysis.variant.name) if t_end is None else t_end
    t_end, dt = _number("t_end", t_end), _number("dt", dt)
    if analysis.time_domain is TimeDomain.DISCRETE:  # one EMA update per training step, every step drawn
        return ema_plot(drawn_experiment(analysis, x0=x0, t_end=t_end), beta, ax=ax)
    steps, points = ema_steps(t_end, dt), _points(analysis, x0)
    if steps <= points:
        return ema_plot(drawn_experiment(analysis, x0=x0, t_end=t_end, dt=dt), beta, ax=ax)
    if steps > MAX_EMA_STEPS:
        raise InvalidParameterError(
            f"the weight EMA is updated once per training step dt: t_end / dt = {steps:,} steps, more than the "
            f"{MAX_EMA_STEPS:,} a figure computes; use a larger dt (the EMA's time constant is dt / (1 - beta)) "
            "or a shorter t_end"
        )
    raw = drawn_experiment(analysis, x0=x0, t_end=t_end, dt=dt)
    every = math.ceil(steps / points)
    average = post_experiment(
        analysis,
        x0=x0,
        t_end=t_end,
        dt=dt,
        store=False,
        ema=(beta,),
        summary_every=every,
        warn=False,
        max_steps=MAX_SOLVER_STEPS,
    )
    return ema_plot(raw, beta, ax=ax, average=average)


def _phase_lim(tr) -> float:
    if tr is None:
        return 1.0
    z = np.concatenate([np.ravel(tr.phi), np.ravel(tr.theta)])
    z = np.abs(z[np.isfinite(z)])
    return float(max(z.max() * 1.5, 0.1)) if z.size else 1.0
