"""Stability maps and bifurcation diagrams against hand-derived boundaries and per-point numpy eigenvalues.

Expected values are independent of the library: boundaries derived by hand below (2x2 update maps of
the Dirac GAN, whose characteristic polynomial z^2 - tr z + det gives fold p(1) = 0, flip p(-1) = 0 and
Neimark-Sacker det = 1), the verdict at each point from ``numpy.linalg.eigvals`` of the hand-written
Jacobian, and orbit radii from the field phi' = 2 lam c phi/|phi| - 2 (lam + alpha) phi - theta.
"""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import sympy as sp

from stability import InvalidParameterError, UnknownNameError, Variant, symbols
from stability.cli import main
from stability.maps import MAX_RESOLUTION, Bifurcation, StabilityMap, bifurcation, stability_map
from stability.numerics.grid import near_boundary, verdict_groups
from stability.verdicts import Behaviour, Crossing

H = sp.Symbol("h", positive=True)
LAM = sp.Symbol("lam", positive=True)
G = sp.Symbol("gamma_r1", nonnegative=True)
BETA = sp.Symbol("beta", real=True)


def same_curve(a, b) -> bool:
    """Two polynomials with the same zero set up to a non-zero constant factor."""
    ratio = sp.cancel(sp.sympify(a) / sp.sympify(b))
    return ratio.is_number and ratio != 0


def curves(m) -> dict:
    return {c.crossing: c.expr for c in m.boundary}


def eig_verdict(mat_fn, xs, ys, discrete=True, tol=1e-6):
    """Reference: per point, numpy eigenvalues of the hand-written Jacobian; 0 stable, 1 unstable, 2 boundary."""
    out = np.empty((len(ys), len(xs)), dtype=np.int8)
    rate = np.empty((len(ys), len(xs)))
    for i, yv in enumerate(ys):
        for j, xv in enumerate(xs):
            ev = np.linalg.eigvals(np.array(mat_fn(xv, yv), dtype=float))
            r = np.abs(ev).max() if discrete else ev.real.max()
            crit = 1.0 if discrete else 0.0
            out[i, j] = 0 if r < crit - tol else (1 if r > crit + tol else 2)
            rate[i, j] = r
    return out, rate


def far_from(m, exprs):
    xx, yy = np.meshgrid(m.x, m.y)
    sx, sy = m.x_axis.symbol, m.y_axis.symbol
    vals = [sp.lambdify((sx, sy), e, "numpy")(xx, yy) * np.ones_like(xx) for e in exprs]
    return ~near_boundary(vals, 1)


# ----------------------------------------------------------------------------- boundaries by hand


def test_simgd_wgan_gp_c0_stable_iff_h_below_2lam():
    # B = [[-2 lam, -1], [1, 0]] (c = 0), M = I + h B: det M = 1 - 2 lam h + h^2 = 1 at h = 2 lam;
    # p(-1) = h^2 - 4 lam h + 4 > 0 for lam <= 1, p(1) = h^2 > 0: stable iff h < 2 lam.
    m = stability_map("wgan_gp", x=("lr", 0.01, 1.5, 61), y=("lam", 0.05, 1, 41), params={"c": 0}, optimizer="simgd")
    assert isinstance(m, StabilityMap)
    assert len(m.boundary) == 1
    (curve,) = m.boundary
    assert curve.crossing == Crossing.NEIMARK_SACKER and same_curve(curve.expr, H - 2 * LAM)
    hh, ll = np.meshgrid(m.x, m.y)
    expected = np.where(hh < 2 * ll, "stable", "unstable")
    far = np.abs(hh - 2 * ll) > 0.05
    assert (m.classification[far] == expected[far]).all()


def test_simgd_wgan_gp_c0_flip_appears_for_large_lam():
    # for lam > 1 the flip curve h^2 - 4 lam h + 4 = 0 (a root of M at -1) also bounds the stable region
    m = stability_map("wgan_gp", x=("lr", 0.01, 3, 120), y=("lam", 0.05, 3, 120), params={"c": 0}, optimizer="simgd")
    got = curves(m)
    assert set(got) == {Crossing.FLIP, Crossing.NEIMARK_SACKER}
    assert same_curve(got[Crossing.FLIP], H**2 - 4 * H * LAM + 4)
    assert same_curve(got[Crossing.NEIMARK_SACKER], H - 2 * LAM)


def test_vanilla_simgd_and_altgd_over_lr_and_r1():
    # simgd: M = [[1 - g h, -h/2], [h/2, 1]]: det = 1 - g h + h^2/4 (NS at h = 4 g), p(-1) = 4 - 2 g h + h^2/4.
    # altgd: M = [[1 - g h, -h/2], [h/2 (1 - g h), 1 - h^2/4]]: det = 1 - g h (NS at g = 0), p(-1) = 4 - 2 g h - h^2/4.
    sim = stability_map("vanilla_ns", x=("lr", 0.01, 8, 80), y=("r1", 0, 3, 60), optimizer="simgd", dim=1)
    got = curves(sim)
    assert set(got) == {Crossing.FLIP, Crossing.NEIMARK_SACKER}
    assert same_curve(got[Crossing.NEIMARK_SACKER], H - 4 * G)
    assert same_curve(got[Crossing.FLIP], H**2 - 8 * G * H + 16)
    alt = stability_map("vanilla_ns", x=("lr", 0.01, 8, 80), y=("r1", 0, 3, 61), optimizer="altgd", dim=1)
    got = curves(alt)
    assert same_curve(got[Crossing.NEIMARK_SACKER], G) and same_curve(got[Crossing.FLIP], H**2 + 8 * G * H - 16)
    # altgd without the penalty is neutral (rho = 1) below h = 4 and unstable above (Mescheder et al. 2018)
    row = alt.classification[0]
    assert (row[alt.x < 3.9] == "neutral").all() and (row[alt.x > 4.1] == "unstable").all()
    assert alt.fraction("neutral") > 0 and 0 < alt.fraction("stable") < 1


def test_flow_map_fold_and_hopf_on_a_damped_bilinear_game():
    # phi' = -theta - a phi, theta' = phi - b theta: trace -(a + b), det 1 + a b.
    phi, theta = symbols(1)
    a, b = sp.symbols("a b")
    u = phi[0] * theta[0]
    v = Variant(
        "damped",
        u + a * phi[0] ** 2 / 2,
        -u + b * theta[0] ** 2 / 2,
        phi=phi,
        theta=theta,
        params={"a": None, "b": None},
    )
    m = stability_map(v, x=("a", -2, 2, 81), y=("b", -2, 2, 81))
    got = curves(m)
    A, B = sp.Symbol("a", real=True), sp.Symbol("b", real=True)
    assert same_curve(got[Crossing.FOLD], A * B + 1) and same_curve(got[Crossing.HOPF], A + B)
    aa, bb = np.meshgrid(m.x, m.y)
    stable = (aa + bb > 0) & (aa * bb + 1 > 0)
    far = (np.abs(aa + bb) > 0.06) & (np.abs(aa * bb + 1) > 0.06)
    assert (m.classification[far] == np.where(stable, "stable", "unstable")[far]).all()
    # on the diagonal a + b = 0 with det > 0 the eigenvalues are purely imaginary: a centre
    centre = (np.abs(aa + bb) < 1e-12) & (aa * bb + 1 > 0.1)
    assert centre.any() and (m.classification[centre] == "center").all()
    assert np.allclose(m.rate[centre], 0, atol=1e-9)


# ----------------------------------------------------------------------------- per-point numpy eigenvalues


@pytest.mark.parametrize("opt", ["simgd", "altgd"])
def test_map_agrees_with_per_point_eigvals(opt):
    def mat(h, g):
        if opt == "simgd":
            return [[1 - g * h, -h / 2], [h / 2, 1]]
        return [[1 - g * h, -h / 2], [h / 2 * (1 - g * h), 1 - h**2 / 4]]

    m = stability_map("vanilla_ns", x=("lr", 0.01, 8, 41), y=("r1", 0.01, 3, 37), optimizer=opt, dim=2)
    ref, rate = eig_verdict(mat, m.x, m.y)
    far = far_from(m, [c.expr for c in m.candidates])
    assert far.mean() > 0.8
    assert (verdict_groups(m.codes)[far] == ref[far]).all()
    assert np.allclose(m.rate, rate, rtol=1e-9, atol=1e-12)


def test_momentum_map_agrees_with_per_point_eigvals():
    # heavy ball, simultaneous, on B = [[-1, -1/2], [1/2, 0]] (vanilla + R1 = 1): state (z, z_prev)
    blk = np.array([[-1.0, -0.5], [0.5, 0.0]])

    def mat(h, beta):
        top = np.hstack([(1 + beta) * np.eye(2) + h * blk, -beta * np.eye(2)])
        return np.vstack([top, np.hstack([np.eye(2), np.zeros((2, 2))])])

    m = stability_map(
        "vanilla_ns",
        x=("lr", 0.05, 3, 31),
        y=("beta", -0.9, 0.9, 29),
        optimizer="momentum",
        regularizers={"r1": 1},
        dim=1,
    )
    ref, rate = eig_verdict(mat, m.x, m.y)
    far = far_from(m, [c.expr for c in m.candidates])
    assert (verdict_groups(m.codes)[far] == ref[far]).all()
    # B has the double (defective) eigenvalue -1/2: M has Jordan blocks, whose eigenvalues numpy (and any
    # float method) gets to about sqrt(eps) |M| only
    assert np.allclose(m.rate, rate, rtol=1e-7, atol=1e-7)
    # the flip curve by hand: p(-1) of mu^2 - (1 + beta + h lam) mu + beta for lam = -1/2 (double):
    # 2 + 2 beta - h/2 = 0, i.e. h = 4 + 4 beta
    assert same_curve(curves(m)[Crossing.FLIP], H - 4 * BETA - 4)


def test_rates_false_gives_the_same_verdicts():
    spec = dict(x=("lr", 0.05, 3, 25), y=("beta", -0.9, 0.9, 23), optimizer="momentum", regularizers={"r1": 1}, dim=1)
    full, fast = stability_map("vanilla_ns", **spec), stability_map("vanilla_ns", rates=False, **spec)
    assert np.array_equal(full.codes, fast.codes)
    assert np.isnan(fast.rate).mean() > 0.5


# ----------------------------------------------------------------------------- records, rendering, no derivative


def test_record_views_and_latex():
    m = stability_map("wgan_gp", x=("lr", 0.01, 1.5, 30), y=("lam", 0.05, 1, 20), params={"c": 0}, optimizer="simgd")
    assert m.classification.shape == (20, 30) and m.x.shape == (30,) and m.y.shape == (20,)
    assert abs(sum(m.fractions().values()) - 1) < 1e-12
    assert not m.codes.flags.writeable
    assert "Neimark-Sacker" in repr(m) and r"\lambda" in m.to_latex()
    data = json.loads(json.dumps(m.to_dict(), default=str))
    assert data["boundary"][0]["crossing"] == "Neimark-Sacker"
    with pytest.raises(UnknownNameError, match="valid: stable, unstable"):
        m.fraction("convergent")


def test_plot_draws_regions_labelled_curves_and_returns_artists():
    m = stability_map("vanilla_ns", x=("lr", 0.01, 8, 60), y=("r1", 0, 3, 50), optimizer="simgd", dim=1)
    art = m.plot()
    labels = [t.get_text() for t in art.legend.get_texts()]
    assert any(t.startswith("flip") for t in labels) and any(t.startswith("Neimark-Sacker") for t in labels)
    assert art.ax.get_xlabel().endswith("$h$") and r"\gamma_{r1}" in art.ax.get_ylabel()
    assert len(art.curves) == 2 and art.colorbar is not None
    from matplotlib.figure import Figure

    fig = Figure()
    ax = fig.add_subplot()
    assert m.plot(ax=ax, rate=False).ax is ax


def test_no_derivative_except_on_a_line():
    # wgan_gp: phi' contains 2 lam c phi/|phi|, which has no derivative unless c = 0
    m = stability_map("wgan_gp", x=("lam", 0.1, 1, 10), y=("c", 0, 1, 5))
    assert (m.classification[0] == "stable").all()
    assert (m.classification[1:] == "non-differentiable").all()
    assert m.boundary == () and any("no derivative" in n for n in m.notes)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (dict(x=("lrr", 0.1, 1), y=("r1", 0, 1), optimizer="simgd"), UnknownNameError, "valid: lr, lr_d, lr_g"),
        (dict(x=("lr", 1, 0.1), y=("r1", 0, 1), optimizer="simgd"), InvalidParameterError, "lo must be < hi"),
        (dict(x=("lr", 0.1, 1, 1), y=("r1", 0, 1), optimizer="simgd"), InvalidParameterError, "between 2 and"),
        (
            dict(x=("lr", 0.1, 1, MAX_RESOLUTION + 1), y=("r1", 0, 1), optimizer="simgd"),
            InvalidParameterError,
            "between 2 and",
        ),
        (dict(x=("lr", -1, 1), y=("r1", 0, 1), optimizer="simgd"), InvalidParameterError, r"the part \[-1, 0\]"),
        (dict(x=("lr", 0.1, 1), y=("r1", -0.5, 1), optimizer="simgd"), InvalidParameterError, r"the part \[-1/2, 0\)"),
        (dict(x=("lr", 0.1, 1), y=("beta", 0, 1), optimizer="momentum"), InvalidParameterError, r"the point 1"),
        (dict(x=("lr", 0.1, 1), y=("r1", 0, 1)), InvalidParameterError, "needs an optimizer"),
        (dict(x=("lr", 0.1, 1), y=("lr", 0.2, 1), optimizer="simgd"), InvalidParameterError, "different parameters"),
        (dict(x=("lr", 0.1, 1), y=("k", 1, 3), optimizer="lookahead"), InvalidParameterError, "integer count"),
        (dict(x=("lr", 0.1, 1), y=("r1", 0, 1), optimizer="adam"), InvalidParameterError, "no linearisation"),
        (dict(x=("lr_d", 0.1, 1), y=("r1", 0, 1), optimizer="simgd"), InvalidParameterError, "other's with lr="),
        (dict(x="lr=0:1", y=("r1", 0, 1), optimizer="simgd"), InvalidParameterError, r"\(name, lo, hi\)"),
    ],
)
def test_bad_input_one_line_errors(kwargs, error, match):
    with pytest.raises(error, match=match) as info:
        stability_map("vanilla_ns", **kwargs)
    assert "\n" not in str(info.value)


def test_ttur_axes():
    # lr_d swept, h_g fixed: simgd M = [[1 - g h_d, -h_d/2], [h_g/2, 1]], det = 1 - g h_d + h_d h_g / 4 = 1 at h_g = 4 g
    m = stability_map("vanilla_ns", x=("lr_d", 0.05, 4, 30), y=("r1", 0, 2, 30), optimizer="simgd", lr=1, dim=1)
    hd = sp.Symbol("h_d", positive=True)
    assert same_curve(curves(m)[Crossing.NEIMARK_SACKER], 1 - 4 * G)
    assert m.x_axis.symbol == hd


# ----------------------------------------------------------------------------- bifurcation diagrams


@pytest.mark.parametrize(("regs", "factor"), [({}, 1.0), ({"l2": 0.1}, 0.5)])
def test_wgan_gp_bifurcation_in_c(regs, factor):
    # |phi| = |theta| = lam c / (lam + alpha) on the rotation (lam = 0.1): c without L2, c/2 with alpha = 0.1
    b = bifurcation("wgan_gp", ("c", 0, 2, 21), regularizers=regs, measure=6, t_end=200.0)
    assert isinstance(b, Bifurcation)
    assert b.differentiable.tolist() == [True] + [False] * 20
    assert all("no derivative" in d for d in b.details[1:]) and b.details[0] == ""
    # at c = 0: eigenvalues of [[-2 (lam + alpha), -1], [1, 0]]
    damp = 0.1 + (0.1 if regs else 0.0)
    expected = np.sort_complex(np.linalg.eigvals(np.array([[-2 * damp, -1], [1, 0]])))
    assert np.allclose(np.sort_complex(b.eigenvalues[0]), expected)
    assert np.isnan(b.eigenvalues[1:]).all() and b.classification[0] == "stable"
    att = b.attractor
    hand = factor * att.values
    assert np.allclose(att.measured, hand, atol=2e-3)
    assert np.allclose(att.predicted, hand, atol=1e-12)
    assert att.behaviour[0] == Behaviour.CONVERGES and set(att.behaviour[1:]) == {Behaviour.LIMIT_CYCLE}
    fig = b.plot().figure
    assert len(fig.axes) == 2


def test_a_sliding_range_is_reported_unmeasured_in_bounded_time():
    # For c < 0, phi' = -theta - 2 lam (|phi| + |c|) sign(phi) in dimension 1 (by hand from eq. (15)): phi is pushed
    # onto phi = 0 at speed >= 2 lam |c| and slides there (a Filippov sliding mode), where an explicit solver's step
    # collapses. Those values must be reported as not measured, quickly; c > 0 keeps its limit cycle |theta| = c.
    start = time.perf_counter()
    b = bifurcation("wgan_gp", ("c", -1, 1, 5), measure=5, t_end=200.0)
    assert time.perf_counter() - start < 60  # generous: the collapsed runs took minutes before
    att = b.attractor
    negative = att.values < 0
    assert np.isnan(att.measured[negative]).all()
    assert all("step collapsed" in note for note, neg in zip(att.notes, negative) if neg)
    positive = att.values > 0
    assert np.allclose(att.measured[positive], att.values[positive], atol=2e-3)


def test_bifurcation_of_a_map_names_the_flip():
    # altgd, vanilla + R1 = g = 1/2: p(-1) = 4 - 2 g h - h^2/4 = 4 - h - h^2/4 = 0 at h = -2 + 2 sqrt(5)
    b = bifurcation("vanilla_ns", ("lr", 0.05, 6, 60), optimizer="altgd", regularizers={"r1": 0.5}, dim=1, measure=7)
    assert [(c.crossing, sp.simplify(c.value - (-2 + 2 * sp.sqrt(5)))) for c in b.crossings] == [(Crossing.FLIP, 0)]
    hcrit = -2 + 2 * np.sqrt(5)
    att = b.attractor
    below, above = att.values < hcrit - 0.1, att.values > hcrit + 0.1
    assert all(x == Behaviour.CONVERGES for x, k in zip(att.behaviour, below) if k)
    assert np.isinf(att.measured[above]).all()
    assert (b.parts[b.values < hcrit - 0.05].max(axis=1) < 1).all()
    assert (b.parts[b.values > hcrit + 0.05].max(axis=1) > 1).all()


def test_flow_bifurcation_names_the_hopf():
    phi, theta = symbols(1)
    a = sp.Symbol("a")
    u = phi[0] * theta[0]
    v = Variant("damped", u + a * phi[0] ** 2 / 2, -u, phi=phi, theta=theta, params={"a": None})
    b = bifurcation(v, ("a", -1, 1, 21), simulate=False)
    assert [(c.value, c.crossing) for c in b.crossings] == [(0, Crossing.HOPF)]
    assert (b.classification[b.values < 0] == "unstable").all() and (b.classification[b.values > 0] == "stable").all()
    # eigenvalues (-a +- sqrt(a^2 - 4))/2: real part -a/2 for |a| < 2
    assert np.allclose(b.parts.max(axis=1), -b.values / 2, atol=1e-12)


# ----------------------------------------------------------------------------- the command line


def test_cli_map_json_and_figure(capsys, tmp_path):
    out = tmp_path / "map.png"
    args = ["map", "vanilla_ns", "--x", "lr=0.01:8", "--y", "r1=0:3", "--optimizer", "simgd", "--dim", "1"]
    assert main([*args, "--resolution", "40", "-o", str(out), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert {c["crossing"] for c in data["boundary"]} == {"flip", "Neimark-Sacker"}
    assert out.exists() and out.stat().st_size > 1000


def test_cli_bifurcation_text(capsys):
    args = ["bifurcation", "wgan_gp", "--param", "c=0:2", "--reg", "l2=0.1", "--values", "11", "--measure", "3"]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "no derivative" in text and "limit-cycle, predicted 1" in text


@pytest.mark.parametrize(
    "argv",
    [
        ["map", "vanilla_ns", "--x", "lr=8:0.01", "--y", "r1=0:3", "--optimizer", "simgd"],
        ["map", "vanilla_ns", "--x", "nope=0:1", "--y", "r1=0:3", "--optimizer", "simgd"],
        ["map", "vanilla_ns", "--x", "lr=0.1:1", "--y", "r1=0:3", "--optimizer", "simgd", "--resolution", "1"],
        ["map", "vanilla_ns", "--x", "lr=0.1", "--y", "r1=0:3", "--optimizer", "simgd"],
        ["map", "vanilla_ns", "--x", "r1=0:1", "--y", "l2=0:1", "-o", "figure.gif"],
        ["bifurcation", "wgan_gp", "--param", "c=0:2", "--param", "lam=0:1"],
        ["bifurcation", "wgan_gp", "--param", "lam=-1:1"],
    ],
)
def test_cli_bad_input_exits_2(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith(f"stability {argv[0]}: error:") and "\n" not in err
