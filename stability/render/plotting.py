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

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.animation import FuncAnimation, PillowWriter
from matplotlib.figure import Figure
from matplotlib.patches import Circle

from ..errors import InvalidParameterError, UnknownNameError
from ..model.post import POST_DT, POST_T_END, post_initial_state, post_t_end
from ..numerics.simulate import numeric_field
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
    "post_initial_state",
    "POST_T_END",
]

#: The figure kinds of :func:`plot` (and of ``stability plot --kind``).
KINDS = ("theta", "phase", "eigenvalues", "distance", "ema")

DEFAULT_DT = POST_DT
EQUILIBRIUM_STYLE = {"s": 40, "color": "red", "zorder": 5}


# ----------------------------------------------------------------------------------------
# Computation (no matplotlib)
# ----------------------------------------------------------------------------------------
def post_experiment(analysis, x0=None, t_end: float | None = None, dt: float = DEFAULT_DT, **options):
    """Simulate ``analysis`` as the post does: from :func:`post_initial_state`, for ``POST_T_END``.

    ``options`` go to :meth:`Analysis.simulate` (e.g. ``warn=False``).

    >>> from stability import analyze
    >>> tr = post_experiment(analyze("wgan_gp", params={"c": 0}), t_end=1.0)
    >>> tr.x0.tolist(), tr.t_end
    ([[0.1, 0.2, 0.2, 0.1]], 1.0)
    """
    if x0 is None:
        x0 = post_initial_state(analysis.dim)
    if t_end is None:
        t_end = post_t_end(analysis.variant.name)
    return analysis.simulate(x0, t_end, dt=dt, **options)


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
        ax.text(
            0.02,
            0.02,
            f"stopped at t = {tr.stop_time[index]:.3g}: {tr.messages[index]}",
            transform=ax.transAxes,
            fontsize=8,
            color="darkred",
            va="bottom",
        )


def _check_index(tr, index: int) -> int:
    if not 0 <= index < tr.samples:
        raise InvalidParameterError(f"index must be in [0, {tr.samples}); got {index}")
    return index


# ----------------------------------------------------------------------------------------
# Figures
# ----------------------------------------------------------------------------------------
def _draw_theta(ax: Axes, tr, series) -> None:
    """Draw ``(theta_like (steps, n), style)`` curves: against time for n = 1, else in the theta plane.

    The equilibrium is a dashed red line (n = 1) or a red dot; limits fit the first curve.
    """
    first = series[0][0]
    if tr.dim == 1:
        for values, style in series:
            ax.plot(tr.times, values[:, 0], **style)
        ax.axhline(0, color="red", lw=1.0, ls="--", zorder=0, label="equilibrium")
        ax.set_xlabel("time $t$")
        ax.set_ylabel(r"$\theta$")
        ax.set_xlim(tr.times[0], tr.times[-1])
        return
    for values, style in series:
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
    index = _check_index(tr, index)
    fig, ax = _axes(ax)
    theta = tr.theta[index]
    a = tr.analysis
    _draw_theta(ax, tr, [(theta, {"color": "tab:blue", "lw": 1.0} | line)])
    extra = "" if tr.dim <= 2 else " (projection)"
    ax.set_title(title or f"{_label(a)}{extra}\n{a.classification}, $t \\in [0, {tr.t_end:g}]$")
    _stopped_note(ax, tr, index)
    return fig


def theta_plane_pair(left, right, titles: tuple[str, str] | None = None, *, figsize=(11, 5.5)) -> Figure:
    """Two theta-plane trajectories side by side (e.g. a variant and its mitigation), on one figure.

    >>> from stability import analyze
    >>> runs = [analyze(k).simulate([0.1, 0.2, 0.2, 0.1], 2.0, dt=0.05) for k in ("gan_qp", "vanilla_ns")]
    >>> len(theta_plane_pair(*runs, ("a", "b")).axes)
    2
    """
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
    if analysis.dim != 1:
        raise InvalidParameterError(
            f"a phase portrait needs dim = 1 (the (phi, theta) plane); this analysis has dim = {analysis.dim}. "
            "Use analyze(..., dim=1), or --dim 1 on the command line"
        )
    lim = float(lim)
    if not np.isfinite(lim) or lim <= 0:
        raise InvalidParameterError(f"lim must be a positive number; got {lim!r}")
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
    g = phase_grid(analysis, lim, resolution)
    fig, ax = _axes(ax)
    speed = np.hypot(g.d_phi, g.d_theta)
    ax.streamplot(
        g.phi, g.theta, g.d_phi, g.d_theta, density=density, color=speed, cmap="viridis", linewidth=0.8, arrowsize=0.9
    )
    if trajectories is not None:
        for k in range(trajectories.samples):
            ax.plot(trajectories.phi[k, :, 0], trajectories.theta[k, :, 0], color="tab:orange", lw=1.2)
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
    values, mults = [], []
    for value, mult in analysis.eigenvalues.items():
        if value.free_symbols:
            names = ", ".join(sorted(str(s) for s in value.free_symbols))
            raise InvalidParameterError(
                f"the eigenvalues depend on the symbolic parameters {names}; give numbers to plot them "
                "(e.g. params={'lam': 0.1}, or --param lam=0.1)"
            )
        values.append(complex(value.evalf()))
        mults.append(int(mult))
    domain = TimeDomain(analysis.time_domain)
    return EigenvaluePoints(tuple(values), tuple(mults), domain, "M" if domain is TimeDomain.DISCRETE else "J")


def draw_eigenvalues(points: EigenvaluePoints, *, ax: Axes | None = None, title: str | None = None) -> Figure:
    """Draw a spectrum in the complex plane, with the stability boundary of its time domain.

    For a flow: the real and the imaginary axis, the stable left half-plane shaded. For a map:
    the real axis and the unit circle, the stable open disc shaded. Multiplicities are annotated.
    """
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
        runs = [runs] if not isinstance(runs, Sequence) else list(runs)
        runs = {_label(tr.analysis): tr for tr in runs}
    if not runs:
        raise InvalidParameterError("distance_plot needs at least one run")
    fig, ax = _axes(ax, figsize=(7, 4.5) if len(runs) <= 3 else (9.5, 4.5))
    for label, tr in runs.items():
        k = _check_index(tr, index)
        d = tr.norm[k]
        d = np.where(d > 0, d, np.nan)
        ax.plot(tr.summary_times, d, label=label, lw=1.3)
    ax.set_yscale("log")
    ax.set_xlabel("time $t$")
    ax.set_ylabel(r"$\Vert z(t)\Vert = \sqrt{\Vert\varphi\Vert^2 + \Vert\theta\Vert^2}$")
    ax.set_xlim(left=0)
    ax.grid(True, which="both", alpha=0.3)
    if len(runs) <= 3:
        ax.legend(fontsize=9)
    else:  # outside the axes, where it cannot hide a curve
        ax.legend(fontsize=9, loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0)
    ax.set_title(title or "distance to the equilibrium")
    return fig


def ema_plot(tr, beta: float = 0.999, *, ax: Axes | None = None, index: int = 0, title: str | None = None) -> Figure:
    r"""The raw generator trajectory (thin) against its weight EMA (thick), equilibrium as a red dot.

    In the :math:`(\theta_1, \theta_2)` plane (two lines); for n = 1, :math:`\theta(t)` and its
    EMA against time (and the equilibrium as a dashed red line).

    >>> from stability import analyze
    >>> fig = ema_plot(analyze("vanilla_ns").simulate([0.1, 0.2, 0.2, 0.1], 5.0, dt=0.05), beta=0.9)
    >>> [l.get_label() for l in fig.axes[0].lines]
    ['raw $\\theta$', 'EMA, $\\beta = 0.9$']
    """
    index = _check_index(tr, index)
    ema = tr.ema(beta)[index]
    theta = tr.theta[index]
    fig, ax = _axes(ax)
    raw_style = {"color": "tab:blue", "lw": 0.7, "alpha": 0.6, "label": r"raw $\theta$"}
    ema_style = {"color": "tab:orange", "lw": 2.0, "label": f"EMA, $\\beta = {beta:g}$"}
    _draw_theta(ax, tr, [(theta, raw_style), (ema, ema_style)])
    ax.legend(loc="upper right", fontsize=9)
    final = float(np.linalg.norm(ema[-1])) if np.all(np.isfinite(ema[-1])) else float("nan")
    raw = float(np.linalg.norm(theta[-1])) if np.all(np.isfinite(theta[-1])) else float("nan")
    ax.set_title(
        title
        or f"{_label(tr.analysis)}: weight EMA of $\\theta$\n"
        f"at $t = {tr.t_end:g}$: $\\Vert\\theta\\Vert = {raw:.3g}$, $\\Vert\\theta_{{EMA}}\\Vert = {final:.3g}$"
    )
    return fig


def animate_theta_plane(tr, path, *, index: int = 0, frames: int = 80, fps: int = 16, dpi: int = 80):
    """Write a GIF of the trajectory being drawn in the theta plane (matplotlib's PillowWriter).

    Returns the path written.
    """
    index = _check_index(tr, index)
    fig = theta_plane(tr, index=index)
    fig.canvas.draw()  # lay out once, then freeze the layout: re-running it per frame is slow
    fig.set_layout_engine("none")
    ax = fig.axes[0]
    (line,) = ax.lines
    x, y = line.get_data()
    x, y = np.asarray(x), np.asarray(y)
    stops = np.unique(np.linspace(2, len(x), max(2, int(frames))).astype(int))

    def update(i):
        line.set_data(x[:i], y[:i])
        return (line,)

    anim = FuncAnimation(fig, update, frames=stops, blit=False)
    anim.save(str(path), writer=PillowWriter(fps=fps), dpi=dpi)
    return path


def default_kind(analysis) -> str:
    """The kind :func:`plot` draws by default: ``"phase"`` for n = 1, ``"theta"`` otherwise."""
    return "phase" if analysis.dim == 1 else "theta"


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
    kind = default_kind(analysis) if kind is None else kind
    if kind not in KINDS:
        raise UnknownNameError("plot kind", kind, KINDS)
    if kind == "eigenvalues":
        return eigenvalue_plot(analysis, ax=ax)
    if kind == "phase":
        tr = None
        if analysis.dim == 1:
            tr = post_experiment(analysis, x0=x0, t_end=t_end, dt=dt, warn=False)
        return phase_portrait(analysis, ax=ax, trajectories=tr, lim=_phase_lim(tr))
    tr = post_experiment(analysis, x0=x0, t_end=t_end, dt=dt, warn=False)
    if kind == "theta":
        return theta_plane(tr, ax=ax)
    if kind == "ema":
        return ema_plot(tr, beta, ax=ax)
    runs = {_label(analysis): tr}
    for other in compare:
        runs[_label(other)] = post_experiment(other, x0=x0 if other.dim == analysis.dim else None, dt=dt, warn=False)
    return distance_plot(runs, ax=ax)


def _phase_lim(tr) -> float:
    if tr is None:
        return 1.0
    z = np.concatenate([np.ravel(tr.phi), np.ravel(tr.theta)])
    z = np.abs(z[np.isfinite(z)])
    return float(max(z.max() * 1.5, 0.1)) if z.size else 1.0
