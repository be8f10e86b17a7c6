"""Every figure kind renders a non-blank image with the expected curves; no global pyplot state."""

from __future__ import annotations

import io

import matplotlib.image as mpimg
import matplotlib.pyplot as plt
import numpy as np
import pytest
import sympy
from matplotlib.collections import LineCollection, PathCollection
from matplotlib.figure import Figure

from stability import InvalidParameterError, UnknownNameError, analyze
from stability.cli import main
from stability.render import plotting as P  # noqa: N812

X0 = [0.1, 0.2, 0.2, 0.1]


@pytest.fixture(scope="module")
def vanilla():
    return analyze("vanilla_ns")


@pytest.fixture(scope="module")
def run(vanilla):
    return vanilla.simulate(X0, 8.0, dt=0.02)


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    before = plt.get_fignums()
    yield
    assert plt.get_fignums() == before, "a plotting function created a pyplot figure (global state)"


def pixels(fig) -> np.ndarray:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=50)
    buf.seek(0)
    return mpimg.imread(buf)


def assert_not_blank(fig) -> None:
    img = pixels(fig)[..., :3]
    assert img.std() > 0.02, "the image is (almost) uniform"
    assert (np.abs(img - 1.0).sum(axis=2) > 0.3).mean() > 0.01, "almost nothing is drawn"


def red_dot_at_origin(ax) -> bool:
    for c in ax.collections:
        if isinstance(c, PathCollection) and np.allclose(c.get_offsets(), [[0, 0]]):
            return np.allclose(c.get_facecolor()[0][:3], (1, 0, 0))
    return False


def test_theta_plane(run):
    fig = P.theta_plane(run)
    (ax,) = fig.axes
    assert len(ax.lines) == 1 and red_dot_at_origin(ax)
    x, y = ax.lines[0].get_data()
    assert np.allclose(x, run.theta[0, :, 0]) and np.allclose(y, run.theta[0, :, 1])
    assert ax.get_xlabel() == r"$\theta_1$" and ax.get_ylabel() == r"$\theta_2$"
    assert "vanilla_ns" in ax.get_title() and "center" in ax.get_title()
    lo, hi = ax.get_xlim()
    assert lo < -0.2 and hi > 0.2 and hi < 0.5  # fits the orbit, not far beyond
    assert_not_blank(fig)


def test_theta_plane_in_dimension_one_is_theta_against_time():
    tr = analyze("gan_qp", dim=1).simulate([0.1, 0.2], 4.0, dt=0.05)
    ax = P.theta_plane(tr).axes[0]
    assert ax.get_xlabel() == "time $t$" and ax.get_ylabel() == r"$\theta$"
    trajectory, equilibrium = ax.lines  # theta(t), and theta = 0 as a red line
    assert len(trajectory.get_xdata()) == 81 and equilibrium.get_color() == "red"


def test_phase_portrait_has_streamlines_and_the_classification():
    a = analyze("vanilla_ns", dim=1)
    tr = a.simulate([0.1, 0.2], 4.0, dt=0.05)
    fig = P.phase_portrait(a, lim=0.4, trajectories=tr)
    ax = fig.axes[0]
    assert any(isinstance(c, LineCollection) for c in ax.collections)  # the streamlines
    assert len(ax.lines) == 1 and red_dot_at_origin(ax)
    assert ax.get_title().endswith("equilibrium: center")
    assert ax.get_xlabel().startswith(r"$\varphi$") and ax.get_ylabel().startswith(r"$\theta$")
    assert_not_blank(fig)


def test_phase_portrait_of_a_singular_field_and_wrong_dimension(vanilla):
    fig = P.phase_portrait(analyze("wgan", dim=1), lim=1.0)  # field undefined on phi = 0
    assert "non-differentiable" in fig.axes[0].get_title()
    with pytest.raises(InvalidParameterError, match="dim = 1"):
        P.phase_portrait(vanilla)


def test_eigenvalue_plot_annotates_multiplicities():
    fig = P.eigenvalue_plot(analyze("wgan_gp", params={"c": 0}, dim=3))
    ax = fig.axes[0]
    (points,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    z = points.get_offsets()
    assert np.allclose(sorted(z[:, 1]), [-np.sqrt(99) / 10, np.sqrt(99) / 10]) and np.allclose(z[:, 0], -0.1)
    assert sorted(t.get_text() for t in ax.texts) == ["×3", "×3"]
    assert len(ax.lines) == 2  # the real and imaginary axes
    assert ax.get_xlabel() == r"Re $\mu$" and "stable" in ax.get_title()
    assert_not_blank(fig)


def test_eigenvalue_plot_without_jacobian_and_with_symbols():
    ax = P.eigenvalue_plot(analyze("wgan")).axes[0]
    assert "no Jacobian" in ax.texts[0].get_text()
    with pytest.raises(InvalidParameterError, match="symbolic"):
        P.eigenvalue_plot(analyze("wgan_gp", params={"c": 0, "lam": sympy.Symbol("lam", positive=True)}))


def test_distance_plot_overlays_runs_on_a_log_axis(run):
    gp = analyze("wgan_gp", params={"c": 0}).simulate(X0, 8.0, dt=0.02)
    fig = P.distance_plot({"vanilla": run, "gp": gp})
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and len(ax.lines) == 2
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["vanilla", "gp"]
    _, y = ax.lines[1].get_data()
    assert y[-1] < y[0] / 2  # c = 0 converges
    assert_not_blank(fig)


def test_ema_plot_raw_against_average(run):
    fig = P.ema_plot(run, beta=0.99)
    ax = fig.axes[0]
    assert len(ax.lines) == 2 and red_dot_at_origin(ax)
    x, _ = ax.lines[1].get_data()
    assert np.allclose(x, run.ema(0.99)[0, :, 0])
    assert_not_blank(fig)


def test_functions_draw_into_a_given_axes(run, vanilla):
    fig = Figure()
    axes = fig.subplots(2, 3)
    assert P.theta_plane(run, ax=axes[0, 0]) is fig
    assert P.eigenvalue_plot(vanilla, ax=axes[0, 1]) is fig
    assert P.ema_plot(run, ax=axes[0, 2]) is fig
    assert P.distance_plot(run, ax=axes[1, 0]) is fig
    assert P.phase_portrait(analyze("gan_qp", dim=1), ax=axes[1, 1], resolution=21) is fig
    assert P.draw_eigenvalues(P.eigenvalue_points(vanilla), ax=axes[1, 2]) is fig
    assert len(fig.axes) == 6 and all(ax.has_data() for ax in fig.axes)


def test_phase_grid_is_the_field_on_a_grid():
    """Computation without drawing: WGAN-GP with c = 0 in dimension 1 is phi' = -theta - phi/5, theta' = phi."""
    g = P.phase_grid(analyze("wgan_gp", params={"c": 0}, dim=1), lim=0.5, resolution=5)
    assert np.allclose(g.d_phi, -g.theta - g.phi / 5, rtol=0, atol=1e-15)
    assert np.allclose(g.d_theta, g.phi, rtol=0, atol=1e-15)
    assert g.phi.min() == -0.5 and g.theta.max() == 0.5


def _vertical_axis(ax) -> bool:
    return any(np.allclose(line.get_xdata(), 0) and len(line.get_xdata()) == 2 for line in ax.lines)


def _unit_circle(ax) -> bool:
    for line in ax.lines:
        x, y = np.asarray(line.get_xdata(), float), np.asarray(line.get_ydata(), float)
        if len(x) > 100 and np.allclose(x**2 + y**2, 1, atol=1e-12) and x.min() < -0.99 and y.max() > 0.99:
            return True
    return False


def test_eigenvalue_plot_of_a_map_draws_the_unit_circle():
    # simgd at h = 1/10: M = I + h J, eigenvalues 1 +- i/20 (by hand), judged by the unit circle
    ax = P.eigenvalue_plot(analyze("vanilla_ns", optimizer="simgd", lr=0.1)).axes[0]
    assert _unit_circle(ax) and not _vertical_axis(ax)
    (points,) = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert np.allclose(sorted(map(tuple, points.get_offsets())), [(1, -0.05), (1, 0.05)])
    lo, hi = ax.get_xlim()
    assert lo <= -1 and hi >= 1.05  # the whole circle and the eigenvalues are in view
    assert "eigenvalues of $M$" in ax.get_title() and "simgd" in ax.get_title()


def test_eigenvalue_plot_of_a_flow_draws_the_imaginary_axis():
    ax = P.eigenvalue_plot(analyze("gan_qp")).axes[0]
    assert _vertical_axis(ax) and not _unit_circle(ax)
    assert "eigenvalues of $J$" in ax.get_title()


def test_plot_dispatch_and_unknown_kind(vanilla):
    assert P.default_kind(vanilla) == "theta" and P.default_kind(analyze("gan_qp", dim=1)) == "phase"
    fig = P.plot(analyze("gan_qp"), "theta", t_end=2.0, dt=0.05)
    assert len(fig.axes[0].lines) == 1
    with pytest.raises(UnknownNameError, match="valid: theta, phase, eigenvalues, distance, ema"):
        P.plot(vanilla, "spectrum")


def test_post_experiment_defaults():
    tr = P.post_experiment(analyze("wgan"), dt=0.05)
    assert tr.t_end == 10.0 and tr.x0.tolist() == [X0]
    assert P.post_initial_state(1).tolist() == [0.1, 0.2]


def test_animation_writes_a_gif(run, tmp_path):
    path = P.animate_theta_plane(run, tmp_path / "a.gif", frames=5, dpi=30)
    assert path.read_bytes()[:6] in (b"GIF89a", b"GIF87a")


# -- command line -----------------------------------------------------------------------------
@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_cli_plot_writes_each_format(tmp_path, suffix):
    out = tmp_path / f"fig{suffix}"
    assert main(["plot", "gan_qp", "--t-end", "2", "--dt", "0.05", "-o", str(out)]) == 0
    assert out.stat().st_size > 1000


def test_cli_plot_kinds(tmp_path):
    out = tmp_path / "e.png"
    assert main(["plot", "vanilla_ns", "--kind", "eigenvalues", "-o", str(out)]) == 0
    assert_not_blank_file(out)
    out = tmp_path / "d.png"
    args = ["plot", "vanilla_ns", "--kind", "distance", "--compare", "gan_qp", "--t-end", "2", "-o", str(out)]
    assert main(args) == 0


def assert_not_blank_file(path) -> None:
    img = mpimg.imread(path)[..., :3]
    assert img.std() > 0.02


@pytest.mark.parametrize(
    "argv, message",
    [
        (["plot", "vanilla_ns", "--kind", "spectrum"], "valid kinds: theta, phase, eigenvalues, distance, ema"),
        (["plot", "vanilla_ns", "-o", "fig.bmp"], ".png, .pdf, .svg"),
        (["plot", "vanilla_ns", "--kind", "phase"], "dim = 1"),
        (["plot", "vanilla_ns", "--x0", "1,2,x"], "--x0"),
        (["plot", "vanilla_ns", "--x0", "1,2,3"], "x0"),
        (["plot", "vanilla_ns", "--kind", "ema", "--animate"], "--animate"),
        (["plot", "nope"], "unknown variant"),
    ],
)
def test_cli_plot_bad_input_exits_2_with_one_line(argv, message, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("stability plot: error:") and "\n" not in err and message in err


# -- issue 14: the wrong kind of object, named in the library's TypeError / ValueError ------------------------------
from stability.errors import StabilityTypeError  # noqa: E402
from stability.numerics.trajectories import TrajectoryWarning  # noqa: E402


@pytest.mark.parametrize(
    "call, received",
    [
        (lambda a, tr: P.theta_plane("vanilla_ns"), "the string 'vanilla_ns'"),
        (lambda a, tr: P.theta_plane(a), "an Analysis of 'vanilla_ns'"),
        (lambda a, tr: P.ema_plot(a), "an Analysis of 'vanilla_ns'"),
        (lambda a, tr: P.ema_plot(tr, average=a), "an Analysis of 'vanilla_ns'"),
        (lambda a, tr: P.distance_plot([a]), "an Analysis of 'vanilla_ns'"),
        (lambda a, tr: P.distance_plot({"run": "x"}), "the string 'x'"),
        (lambda a, tr: P.distance_plot({1: tr}), "int 1"),
        (lambda a, tr: P.theta_plane_pair(tr, a), "an Analysis of 'vanilla_ns'"),
        (lambda a, tr: P.theta_plane_pair(tr, tr, "ab"), "the string 'ab'"),
        (lambda a, tr: P.animate_theta_plane(a, "a.gif"), "an Analysis of 'vanilla_ns'"),
        (lambda a, tr: P.animate_theta_plane(tr, 3), "int 3"),
        (lambda a, tr: P.phase_portrait(tr), "Trajectories"),
        (lambda a, tr: P.phase_portrait("gan_qp"), "the string 'gan_qp'"),
        (lambda a, tr: P.eigenvalue_plot("wgan"), "the string 'wgan'"),
        (lambda a, tr: P.eigenvalue_points(tr), "Trajectories"),
        (lambda a, tr: P.draw_eigenvalues(a), "an Analysis of 'vanilla_ns'"),
        (lambda a, tr: P.plot("vanilla_ns"), "the string 'vanilla_ns'"),
        (lambda a, tr: P.plot(tr), "Trajectories"),
        (lambda a, tr: P.plot(a, 3), "int 3"),
        (lambda a, tr: P.plot(a, "distance", compare=a), "an Analysis of 'vanilla_ns'"),
        (lambda a, tr: P.plot(a, "distance", compare=["gan_qp"]), "the string 'gan_qp'"),
        (lambda a, tr: P.post_experiment("vanilla_ns"), "the string 'vanilla_ns'"),
        (lambda a, tr: P.theta_plane(tr, index=0.5), "float 0.5"),
        (lambda a, tr: P.theta_plane(tr, index=True), "bool True"),
        (lambda a, tr: P.ema_plot(tr, index="0"), "the string '0'"),
        (lambda a, tr: P.theta_plane(tr, ax="left"), "the string 'left'"),
        (lambda a, tr: P.theta_plane(tr, title=3), "int 3"),
        (lambda a, tr: P.animate_theta_plane(tr, "a.gif", frames=2.5), "float 2.5"),
        (lambda a, tr: P.animate_theta_plane(tr, "a.gif", fps="16"), "the string '16'"),
        (lambda a, tr: P.phase_grid(analyze("gan_qp", dim=1), lim="1"), "the string '1'"),
        (lambda a, tr: P.phase_grid(analyze("gan_qp", dim=1), resolution=10.0), "float 10.0"),
    ],
)
def test_wrong_kinds_of_objects_raise_the_librarys_type_error(call, received, vanilla, run):
    with pytest.raises(StabilityTypeError) as info:
        call(vanilla, run)
    assert isinstance(info.value, TypeError) and received in str(info.value)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda tr, p: P.animate_theta_plane(tr, p, fps=0), "fps must be a positive finite number up to 100; got 0.0"),
        (lambda tr, p: P.animate_theta_plane(tr, p, fps=-2), "fps must be"),
        (lambda tr, p: P.animate_theta_plane(tr, p, fps=float("nan")), "fps must be"),
        (lambda tr, p: P.animate_theta_plane(tr, p, frames=0), "frames must be between 2 and 1000; got 0"),
        (lambda tr, p: P.animate_theta_plane(tr, p, frames=-5), "frames must be between 2 and 1000; got -5"),
        (lambda tr, p: P.animate_theta_plane(tr, p, frames=10**6), "frames must be between 2 and 1000"),
        (lambda tr, p: P.animate_theta_plane(tr, p, dpi=0), "dpi must be between 10 and 600"),
        (lambda tr, p: P.animate_theta_plane(tr, p, frames=1000, dpi=600), "MiB while the GIF is written"),
        (lambda tr, p: P.animate_theta_plane(tr, p.with_suffix(".png")), "must end in .gif"),
        (lambda tr, p: P.theta_plane(tr, index=5), "index must be in [0, 1); got 5"),
        (lambda tr, p: P.theta_plane(tr, index=-1), "index must be in [0, 1); got -1"),
        (lambda tr, p: P.ema_plot(tr, beta=1.0), "beta must be in [0, 1)"),
        (lambda tr, p: P.phase_grid(analyze("gan_qp", dim=1), resolution=1), "resolution must be between 2"),
        (lambda tr, p: P.phase_portrait(analyze("gan_qp", dim=1), density=0), "density must be"),
        (lambda tr, p: P.plot(tr.analysis, "theta", compare=[tr.analysis]), "compare= overlays runs in kind"),
    ],
)
def test_bad_values_raise_the_librarys_value_error(call, message, run, tmp_path):
    path = tmp_path / "a.gif"
    with pytest.raises(InvalidParameterError) as info:
        call(run, path)
    assert isinstance(info.value, ValueError) and message in str(info.value)
    assert not path.exists()


# -- long runs: drawn from a bounded number of points, with the same curve ---------------------------------------
def _linear_solution(lam: float, times: np.ndarray, x0) -> np.ndarray:
    """WGAN-GP c = 0, n = 1: (phi, theta)' = [[-2 lam, -1], [1, 0]] (phi, theta); exact flow by eigen-decomposition."""
    m = np.array([[-2 * lam, -1.0], [1.0, 0.0]])
    w, v = np.linalg.eig(m)
    c = np.linalg.solve(v, np.asarray(x0, dtype=complex))
    return np.real((v[None, :, :] * (c * np.exp(np.outer(times, w)))[:, None, :]).sum(axis=2))


def test_a_long_run_is_drawn_from_at_most_max_drawn_points_on_the_true_curve():
    a = analyze("wgan_gp", params={"c": 0, "lam": sympy.Rational(1, 1000)}, dim=1)
    fig = P.plot(a, "theta", x0=[0.1, 0.2], t_end=4000.0, dt=0.01)  # 400,000 steps of dt: drawn from fewer
    t, theta = fig.axes[0].lines[0].get_data()
    assert len(t) - 1 == P.MAX_DRAWN_POINTS and t[0] == 0 and t[-1] == 4000.0
    assert np.allclose(theta, _linear_solution(1e-3, np.asarray(t), [0.1, 0.2])[:, 1], rtol=0, atol=1e-6)


def test_a_long_ema_is_updated_at_every_step():
    # The EMA recursion theta_ema <- beta theta_ema + (1 - beta) theta at every step dt, iterated on the exact flow.
    lam, dt, beta, t_end, x0 = 1e-3, 0.01, 0.999, 3000.0, [0.1, 0.2]
    a = analyze("wgan_gp", params={"c": 0, "lam": sympy.Rational(1, 1000)}, dim=1)
    fig = P.plot(a, "ema", x0=x0, t_end=t_end, dt=dt, beta=beta)  # 300,000 steps: drawn from the decimated grid
    raw, averaged = fig.axes[0].lines[:2]
    t, ema = (np.asarray(v) for v in averaged.get_data())
    assert len(raw.get_xdata()) <= P.MAX_DRAWN_POINTS + 1 and len(t) <= P.MAX_DRAWN_POINTS + 1
    step = _linear_solution(lam, np.array([dt]), [1.0, 0.0])[0], _linear_solution(lam, np.array([dt]), [0.0, 1.0])[0]
    flow = np.column_stack(step)  # e^{J dt}
    z, acc, want = np.array(x0), x0[1], {}
    marks = set(np.round(t / dt).astype(int).tolist())
    for k in range(1, round(t_end / dt) + 1):
        z = flow @ z
        acc = beta * acc + (1 - beta) * z[1]
        if k in marks:
            want[k] = acc
    got = {round(tk / dt): e for tk, e in zip(t, ema)}
    assert all(abs(got[k] - want[k]) < 1e-7 for k in want)


def test_an_ema_beyond_the_budget_is_refused_with_the_numbers(vanilla):
    with pytest.raises(InvalidParameterError, match="t_end / dt = 10,000,000 steps, more than the 1,000,000"):
        P.plot(vanilla, "ema", t_end=100_000.0, dt=0.01)


def test_a_run_cut_by_the_step_budget_says_so(vanilla, monkeypatch):
    monkeypatch.setattr(P, "MAX_SOLVER_STEPS", 200)
    with pytest.warns(TrajectoryWarning, match="the figure shows t in \\[0, "):
        fig = P.plot(vanilla, "theta", t_end=1000.0)
    assert "stopped at t = " in " ".join(t.get_text() for t in fig.axes[0].texts)


def test_a_long_animation_stays_small(tmp_path):
    tr = P.drawn_experiment(analyze("vanilla_ns"), t_end=2000.0)
    assert tr.times.size - 1 <= P.MAX_DRAWN_POINTS
    path = P.animate_theta_plane(tr, tmp_path / "long.gif", frames=4, dpi=20)
    assert path.read_bytes()[:3] == b"GIF"


# -- eigenvalues drawn with every digit right, or refused -----------------------------------------------------------
def test_eigenvalue_points_survive_cancellation():
    # lam = 10^100, c = 0: lambda = -lam +- sqrt(lam^2 - 1); the small root is -1/(lam + sqrt(lam^2 - 1)) ~ -1/(2 lam).
    a = analyze("wgan_gp", params={"c": 0, "lam": sympy.Integer(10) ** 100})
    values = sorted(v.real for v in P.eigenvalue_points(a).values)
    assert values[0] == pytest.approx(-2e100, rel=1e-12) and values[1] == pytest.approx(-5e-101, rel=1e-12)


def test_eigenvalues_beyond_double_precision_are_refused():
    a = analyze("wgan_gp", params={"c": 0, "lam": sympy.Integer(10) ** 400})
    with pytest.raises(InvalidParameterError, match="outside the range of double precision"):
        P.eigenvalue_points(a)


def test_cli_plot_of_a_long_run(tmp_path):
    out = tmp_path / "long.png"
    assert main(["plot", "gan_qp", "--t-end", "2000", "-o", str(out)]) == 0
    assert out.stat().st_size > 1000


def test_a_run_too_long_to_draw_without_aliasing_is_refused(vanilla, monkeypatch):
    # vanilla_ns turns with the linearisation's frequency 1/2 (eigenvalues +-i/2): one turn per 4 pi. With 2,000
    # points and 16 per turn a figure holds 2000 * 4 pi / 16 = 1571 time units; 2,000 would draw chords.
    monkeypatch.setattr(P, "MAX_DRAWN_POINTS", 2000)
    with pytest.raises(InvalidParameterError, match="turns of the trajectory") as info:
        P.plot(vanilla, "theta", t_end=2000.0)
    longest = float(str(info.value).rsplit("use t_end up to ", 1)[1])
    assert longest == pytest.approx(2000 * 4 * np.pi / 16, rel=0.02)  # measured on a short probe: within 2%
    fig = P.plot(vanilla, "theta", t_end=1500.0)  # fits: drawn from 2,000 points, 21 per turn
    assert len(fig.axes[0].lines[0].get_xdata()) == 2001


def test_a_discrete_analysis_draws_every_training_step():
    from helpers import by_hand

    # simgd at h = 1/10: z_{k+1} = z_k + h F(z_k), F the field written out by hand; t_end = 20 is 200 steps.
    a = analyze("vanilla_ns", optimizer="simgd", lr=0.1)
    fig = P.plot(a, "theta", t_end=20.0)
    x, y = fig.axes[0].lines[0].get_data()
    z, want = np.array([X0]), [X0[2:]]
    for _ in range(200):
        z = z + 0.1 * by_hand("vanilla_ns", z)
        want.append(z[0, 2:].tolist())
    assert np.allclose(np.column_stack([x, y]), want, rtol=0, atol=1e-12)
    assert "steps $k" in fig.axes[0].get_title()
    with pytest.raises(InvalidParameterError, match="1,000,000 steps, more than the 200,000"):
        P.plot(analyze("vanilla_ns", optimizer="simgd", lr=0.001), "theta", t_end=1000.0)


def test_cli_plot_of_a_discrete_analysis(tmp_path):
    out = tmp_path / "map.png"
    assert main(["plot", "vanilla_ns", "--optimizer", "altgd", "--lr", "0.1", "--kind", "ema", "-o", str(out)]) == 0
    assert_not_blank_file(out)


@pytest.mark.parametrize(
    "t_end, dt, error, fragment",
    [
        ("10", 0.01, StabilityTypeError, "t_end must be a number; got the string '10'"),
        (10.0, None, StabilityTypeError, "dt must be a number; got NoneType"),
        (float("nan"), 0.01, InvalidParameterError, "t_end must be a positive finite number; got nan"),
        (10.0, 0, InvalidParameterError, "dt must be a positive finite number; got 0.0"),
        (10.0, -0.5, InvalidParameterError, "dt must be a positive finite number"),
        (1e300, 1e-300, InvalidParameterError, "t_end / dt must be a finite number of steps"),
    ],
)
def test_ema_steps_names_what_it_received(t_end, dt, error, fragment):
    with pytest.raises(error) as info:
        P.ema_steps(t_end, dt)
    assert fragment in str(info.value)


def test_ema_steps_counts_one_update_per_training_step():
    # t_end / dt steps, rounded up: 10 / 0.01 = 1000 (the float quotient 999.9999999999999 is one step),
    # 1 / 0.3 = 3.33 -> 4, and NumPy scalars count like floats.
    assert P.ema_steps(10.0, 0.01) == 1000
    assert P.ema_steps(1.0, 0.3) == 4
    assert P.ema_steps(np.float32(2.0), np.float64(0.5)) == 4
