"""The nonlinear verdicts (issue 6) against derivations by hand, written out in the comments.

Notation: u = theta.phi, r = |phi|, s = |theta|, V = r^2 + s^2 (the energy). For a field
phi' = a phi + b theta, theta' = c phi + d theta (a..d functions of r, s, u):
    d/dt r^2 = 2 phi.phi' = 2(a r^2 + b u),   d/dt s^2 = 2(c u + d s^2),
    d/dt u = theta'.phi + theta.phi' = (a + d) u + c r^2 + b s^2.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp
from helpers import symbolic_equal

from stability import Variant, analyze, sigmoid, symbols
from stability.cli import main
from stability.model.space import DOT, NORM_PHI, NORM_THETA
from stability.theory.signs import is_nonpositive, prove_sign

HALF = sp.Rational(1, 2)
r, s, u = NORM_PHI, NORM_THETA, DOT  # |phi|, |theta|, theta.phi


# --------------------------------------------------------------------------- the sign prover
def test_prover_decides_the_gan_patterns_and_refuses_the_rest():
    x = sp.Symbol("x", real=True)
    # 1 - 2 sigma(x) = -tanh(x/2): x (1 - 2 sigma(x)) <= 0, zero only at x = 0.
    p = prove_sign(x * (1 - 2 * sigmoid(x)))
    assert p.kind == "nonpositive" and p.zeros == ((x,),)
    # 1 - sigma(x) = sigma(-x) > 0; sigma(x) - 1/2 has the sign of x.
    assert prove_sign(1 - sigmoid(x)).kind == "positive"
    assert prove_sign(sigmoid(x) - HALF).kind == "sign of x"
    assert prove_sign(x * sigmoid(x)).kind == "sign of x"  # sigma > 0
    # quadratic forms through Cauchy-Schwarz: -(r^2 - 2u + s^2) = -|phi - theta|^2 <= 0.
    assert prove_sign(-(r**2) + 2 * u - s**2, (r, s, u)).kind == "nonpositive"
    # Not provable by the rules (or false): never a guess.
    for e in (sp.sin(x), x - x**3, x * sigmoid(x) - 1, r**2 - s**2, x * sp.tanh(x) - x**2, u * r - s):
        assert prove_sign(e) is None and is_nonpositive(e) is None
    assert is_nonpositive(2 * u * (1 - 2 * sigmoid(u))) is True and is_nonpositive(u**3) is False


@pytest.mark.parametrize(
    "expr, definite",
    [
        # Sign-definite by hand: 1 - 2 sigma(x) = -tanh(x/2); x tanh(x) >= 0; x^3 atan(2x) = x^2 * x atan(2x).
        ("x*(1 - 2*sigmoid(x))", True),
        ("-x*tanh(x) - y**2", True),
        ("x**3*atan(2*x)", True),
        ("-(x - y)**2*sigmoid(y)", True),
        # Indefinite by hand (both signs occur), so no proof may be claimed.
        ("1 - sigmoid(x) - sigmoid(y)/2", False),
        ("x*y", False),
        ("x**2 - y**2", False),
        ("-exp(x)*x**4 + sinh(y)*y", False),
    ],
)
def test_prover_is_sound_on_samples(expr, definite):
    """The prover proves the definite cases, refuses the indefinite ones, and what it claims holds at random points."""
    x, y = sp.symbols("x y", real=True)
    e = sp.sympify(expr, locals={"x": x, "y": y, "sigmoid": sigmoid})
    p = prove_sign(e)
    if not definite:
        assert p is None
        return
    assert p is not None and p.var is None
    f = sp.lambdify((x, y), e.rewrite(sp.exp), "numpy")
    pts = np.random.default_rng(0).normal(scale=3, size=(2, 2000))
    vals = f(*pts)
    assert np.all(p.sign * vals >= -1e-12)


# --------------------------------------------------------------------------- vanilla_ns
def test_vanilla_ns_dim1_converges_sub_exponentially():
    # a = d = 0, b = -sigma(u), c = 1 - sigma(u): dV/dt = 2u(b + c) = 2u(1 - 2 sigma(u)) = -2u tanh(u/2) <= 0,
    # zero iff u = 0. There u' = c r^2 + b s^2 = (r^2 - s^2)/2, so an invariant set needs r = s; in dim 1
    # u = +-r s, so u = 0 forces r s = 0, hence r = s = 0: LaSalle's set is the origin.
    # Rate: dV/dt ~ -u^2 = -r^2 s^2 on the rotation r = R cos, s = R sin (freq 1/2): average -R^4/8,
    # so V' ~ -V^2/8, V ~ 8/t and |z| ~ t^(-1/2): not exponential (the linearisation is a centre).
    nl = analyze("vanilla_ns", dim=1).nonlinear
    assert nl.verdict == "asymptotically-stable" and nl.method == "lasalle"
    assert nl.V == r**2 + s**2
    assert symbolic_equal(nl.dV, 2 * u * (1 - 2 * sigmoid(u)))
    assert nl.invariant.only_origin
    assert nl.convergence == "sub-exponential" and nl.decay_exponent == HALF
    assert nl.by_dim == {"n = 1": "asymptotically-stable", "n >= 2": "stable"}
    assert "wrong answer" in nl.dim_note


@pytest.mark.parametrize("n", [2, 3])
def test_vanilla_ns_dim_n_is_stable_with_a_family_of_rotations(n):
    # Same dV/dt; for n >= 2 the set {u = 0, r = s} is invariant: there r' = (a r^2 + b u)/r = 0,
    # s' = (c u + d s^2)/s = 0, u' = (r^2 - s^2)/2 = 0; the coefficients are constant (sigma(0) = 1/2),
    # phi' = -theta/2, theta' = phi/2: rotations at angular frequency sqrt(1/4) = 1/2, of any radius.
    nl = analyze("vanilla_ns", dim=n).nonlinear
    assert nl.verdict == "stable" and nl.method == "lasalle"
    assert nl.invariant.pieces == ({u: 0, s: r},)
    (orbit,) = nl.orbits
    assert orbit.kind == "family" and dict(orbit.conditions) == {u: 0, s: r}
    assert orbit.frequency == HALF and orbit.stability == "attracting"
    assert nl.lyapunov_stable is True


def test_vanilla_ns_rotation_is_an_exact_solution_of_the_component_field():
    # Independent check in components: phi = R(cos t/2, sin t/2), theta = R(sin t/2, -cos t/2)
    # (phi' = -theta/2 and theta' = phi/2 when theta.phi = 0, sigma(0) = 1/2).
    t, R = sp.symbols("t R", positive=True)
    a = analyze("vanilla_ns", dim=2)
    phi = [R * sp.cos(t / 2), R * sp.sin(t / 2)]
    theta = [R * sp.sin(t / 2), -R * sp.cos(t / 2)]
    sub = dict(zip(a.state, phi + theta))
    residual = [sp.simplify(sp.diff(z, t) - f.xreplace(sub)) for z, f in zip(phi + theta, a.vector_field)]
    assert residual == [0, 0, 0, 0]


# --------------------------------------------------------------------------- vanilla_sat
@pytest.mark.parametrize("n", [1, 2])
def test_vanilla_sat_conserves_the_energy(n):
    # L_G = log(1 - sigma(u)) = -softplus(u): c = sigma(u) = -b, so dV/dt = 2u(b + c) = 0 identically.
    nl = analyze("vanilla_sat", dim=n).nonlinear
    assert nl.verdict == "stable" and nl.method == "conserved"
    assert nl.dV == 0 and r**2 + s**2 in nl.conserved
    if n == 1:
        assert "every other orbit is periodic" in nl.reason
    else:
        assert nl.orbits[0].frequency == HALF and nl.orbits[0].stability == "neutral"


# --------------------------------------------------------------------------- WGAN-GP
def test_wgan_gp_c0_follows_from_the_linearisation_and_the_energy():
    # c = 0: a = -2 lam, b = -1, c = 1: block [[-2 lam, -1], [1, 0]], trace -2 lam < 0, det 1 > 0: stable;
    # eigenvalues -lam +- i sqrt(1 - lam^2), rate lam = 1/10. Energy: dV/dt = 2 a r^2 = -4 lam r^2 <= 0, and on
    # r = 0 (u = 0) u' = b s^2 = -s^2 != 0 unless s = 0: LaSalle gives global asymptotic stability.
    for n in (1, 2):
        nl = analyze("wgan_gp", dim=n, params={"c": 0}).nonlinear
        assert nl.verdict == "asymptotically-stable" and nl.method == "linearization"
        assert nl.convergence == "exponential" and nl.decay_rate == sp.Rational(1, 10)
        assert nl.dV == -sp.Rational(2, 5) * r**2 and nl.invariant.only_origin
        assert "globally" in nl.reason


def test_wgan_gp_c1_origin_unstable_circle_of_radius_c():
    # a = -2 lam (1 - c/r): d/dt r^2 = 2(a r^2 + b u) = 4 lam c r - 4 lam r^2 - 2u >= r(4 lam c - 4 lam r - 2 s) > 0
    # near 0 with phi != 0 (|u| <= r s): Chetaev with V = |phi|^2. Rotation: u = 0 needs a r^2 = 0 -> r = c, and
    # u' = r^2 - s^2 = 0 -> s = c; frequency sqrt(-b c) = 1. (phi = c(cos t, sin t), theta = c(sin t, -cos t).)
    nl = analyze("wgan_gp", dim=2).nonlinear
    assert nl.verdict == "unstable" and nl.method == "chetaev" and nl.V == r**2
    (orbit,) = nl.orbits
    assert orbit.kind == "isolated" and (orbit.radius_phi, orbit.radius_theta, orbit.frequency) == (1, 1, 1)
    assert orbit.stability == "attracting"
    assert analyze("wgan_gp", dim=1).nonlinear.verdict == "unstable"
    assert analyze("wgan_gp", dim=1).nonlinear.orbits == ()  # u = 0 with r = s = c is impossible in dim 1
    lam = sp.Symbol("lam", positive=True)
    nl2 = analyze("wgan_gp", dim=2, params={"c": 2, "lam": lam}).nonlinear
    assert (nl2.orbits[0].radius_phi, nl2.orbits[0].frequency, nl2.orbits[0].stability) == (2, 1, "attracting")


def test_wgan_gp_symbolic_c_is_split_into_cases():
    c = sp.Symbol("c", real=True)
    nl = analyze("wgan_gp", dim=2, params={"c": c}).nonlinear
    assert nl.method == "cases" and nl.verdict == "undecided"
    # the cases by hand: c = 0 is the zero-centred penalty (a stable focus), c > 0 has the repelling origin
    # and the attracting circle of radius c, c < 0 is left undecided; checked at points, not as text
    assert _truth_table(nl.conditions, c, [-2, -sp.Rational(1, 3), 0, sp.Rational(1, 3), 2]) == {
        "undecided": [True, True, False, False, False],
        "asymptotically-stable": [False, False, True, False, False],
        "unstable": [False, False, False, True, True],
    }


def _truth_table(conditions, symbol, points) -> dict[str, list[bool]]:
    """Each condition evaluated at each point of ``symbol`` (by name: the record may hold its own copy)."""
    table = {}
    for key, cond in conditions.items():
        (sym,) = [s for s in sp.sympify(cond).free_symbols if s.name == symbol.name] or [symbol]
        table[key] = [bool(sp.sympify(cond).subs(sym, value)) for value in points]
    return table


# --------------------------------------------------------------------------- L2 regularisation
def test_l2_regularised_vanilla_ns():
    # + alpha |phi|^2 in L_D: a = -2 alpha. Block [[-2 alpha, -1/2], [1/2, 0]]: stable for alpha > 0.
    # Energy: dV/dt = -4 alpha r^2 - 2u tanh(u/2) <= 0, zero iff r = 0 and u = 0; on phi = 0, u' = b s^2 = -s^2/2.
    nl = analyze("vanilla_ns", dim=2, regularizers={"l2": 0.1}).nonlinear
    assert nl.verdict == "asymptotically-stable" and nl.method == "linearization"
    assert symbolic_equal(nl.dV, -sp.Rational(2, 5) * r**2 + 2 * u * (1 - 2 * sigmoid(u)))
    assert nl.invariant.only_origin
    # symbolic alpha >= 0: alpha = 0 is vanilla_ns (stable for n >= 2), alpha > 0 asymptotically stable.
    nls = analyze("vanilla_ns", dim=2, regularizers=["l2"]).nonlinear
    alpha = sp.Symbol("alpha")
    assert _truth_table(nls.conditions, alpha, [0, sp.Rational(1, 10), 3]) == {
        "stable": [True, False, False],
        "asymptotically-stable": [False, True, True],
    }
    assert nls.by_dim["n = 1"] == "asymptotically-stable"


# --------------------------------------------------------------------------- WGAN
def test_wgan_conserves_phi_norm_and_is_unstable_along_collinear_states():
    # L_D = u/r: a = u/r^3, b = -1/r, c = 1/r, d = 0. d/dt r^2 = 2(u/r - u/r) = 0: |phi| is conserved.
    # Collinear (dim 1, u = r s): u' = u^2/r^3 + r - s^2/r = r > 0, so V = u is a Chetaev function on {u > 0};
    # collinear states are invariant in every dim (phi' = 0, theta' = phi/|phi|: theta grows like t).
    # For n >= 2 the rotations u = 0, s = r have frequency sqrt(-b c) = 1/r.
    nl1 = analyze("wgan", dim=1).nonlinear
    assert nl1.verdict == "unstable" and nl1.method == "chetaev" and nl1.V == u
    nl = analyze("wgan", dim=2).nonlinear
    assert nl.verdict == "unstable" and nl.method == "dimension"
    assert r**2 in nl.conserved
    (orbit,) = nl.orbits
    assert orbit.kind == "family" and orbit.frequency == 1 / r and orbit.stability == "neutral"


def test_wgan_generic_orbits_keep_a_hand_derived_first_integral():
    # With W = s^2 - u^2/r^2 (|theta| orthogonal to phi, squared): d/dt W = (2u/r^3) W and d/dt s^2 = 2u/r, so
    # H = s^2 - r^2 log W is conserved (r is): generic trajectories (W > 0) oscillate on level sets of H.
    a = analyze("wgan", dim=2)
    x0 = np.array([[0.5, 0.1, 0.2, 0.4], [0.3, -0.2, -0.1, 0.4]])
    tr = a.simulate(x0, 30.0, dt=0.03, warn=False)
    phi, theta = tr.phi, tr.theta
    R2 = np.sum(phi**2, axis=-1)
    S2 = np.sum(theta**2, axis=-1)
    U_ = np.sum(phi * theta, axis=-1)
    H = S2 - R2 * np.log(S2 - U_**2 / R2)
    assert np.max(np.abs(H - H[:, :1])) < 1e-5
    assert np.max(np.abs(R2 - R2[:, :1])) < 1e-6
    assert np.all(tr.max_norm < 3)  # bounded, unlike the collinear escape


# --------------------------------------------------------------------------- GAN-QP
def test_gan_qp():
    # L_D = u + u^2/(2 lam s): b = -1 - u/(lam s), c = 1, a = d = 0. dV/dt = 2u(b + c) = -2u^2/(lam s) <= 0,
    # zero iff u = 0; then u' = r^2 - s^2: as for vanilla_ns, the origin alone in dim 1 (p = 1: dV/dt ~ -r^2 s
    # is cubic, V' ~ -V^(3/2), |z| ~ 1/t), the family u = 0, r = s at frequency 1 for n >= 2.
    nl1 = analyze("gan_qp", dim=1).nonlinear
    assert nl1.verdict == "asymptotically-stable" and nl1.decay_exponent == 1
    assert symbolic_equal(nl1.dV, -2 * u**2 / s)
    nl2 = analyze("gan_qp", dim=2).nonlinear
    assert nl2.verdict == "stable" and nl2.orbits[0].frequency == 1 and nl2.orbits[0].stability == "attracting"


# --------------------------------------------------------------------------- custom variants
def _custom(n, name, d_loss, g_loss):
    phi, theta = symbols(n)
    dot = sum(p * t for p, t in zip(phi, theta))
    sq = sum(p**2 for p in phi)
    return Variant(name, d_loss(dot, sq), g_loss(dot, sq), phi=phi, theta=theta), phi, theta


@pytest.mark.parametrize("n", [1, 2])
def test_custom_bilinear_game_conserves_energy(n):
    # L_D = u, L_G = -u: phi' = -theta, theta' = phi; dV/dt = -2 phi.theta + 2 theta.phi = 0: circles.
    v, *_ = _custom(n, "bilinear", lambda d, q: d, lambda d, q: -d)
    nl = analyze(v).nonlinear
    assert (nl.verdict, nl.method, nl.dV) == ("stable", "conserved", 0)


@pytest.mark.parametrize("n", [1, 2])
def test_custom_damped_and_antidamped(n):
    # L_D = u + |phi|^4/4: phi' = -theta - |phi|^2 phi, theta' = phi: dV/dt = -2|phi|^4 <= 0, zero iff phi = 0;
    # there phi' = -theta, so theta = 0: asymptotically stable; leading term of degree 4 -> |z| ~ t^(-1/2).
    v, phi, _ = _custom(n, "damped", lambda d, q: d + q**2 / 4, lambda d, q: -d)
    nl = analyze(v).nonlinear
    assert nl.verdict == "asymptotically-stable" and nl.decay_exponent == HALF
    assert symbolic_equal(nl.dV, -2 * sum(p**2 for p in phi) ** 2)
    # The sign flipped: dV/dt = +2|phi|^4 >= 0 with the same invariant set {0}: in reversed time the origin
    # attracts everything, so it repels: unstable.
    w, *_ = _custom(n, "antidamped", lambda d, q: d - q**2 / 4, lambda d, q: -d)
    assert analyze(w).nonlinear.verdict == "unstable"


@pytest.mark.parametrize("n", [1, 2])
def test_weighted_energy_when_the_plain_energy_fails(n):
    # L_D = u, L_G = -2u: phi' = -theta, theta' = 2 phi. Energy: dV/dt = -2u + 4u = 2u, no sign. Weighted
    # V = |phi|^2 + q|theta|^2 with q = -b/c = 1/2: dV/dt = -2u + (1/2)(2)(2u) = 0, conserved. With
    # + |phi|^4/4 in L_D the same V gives dV/dt = -2|phi|^4: asymptotically stable by LaSalle.
    v, phi, theta = _custom(n, "asym", lambda d, q: d, lambda d, q: -2 * d)
    nl = analyze(v).nonlinear
    assert (nl.verdict, nl.method, nl.dV) == ("stable", "conserved", 0)
    assert symbolic_equal(nl.V, sum(p**2 for p in phi) + sum(t**2 for t in theta) / 2)
    w, *_ = _custom(n, "asym_damped", lambda d, q: d + q**2 / 4, lambda d, q: -2 * d)
    assert analyze(w).nonlinear.verdict == "asymptotically-stable"


def test_lyapunov_equation_form_for_a_tilted_centre():
    # phi' = phi - 2 theta, theta' = phi - theta (L_D = -phi^2/2 + 2 phi theta, L_G = -phi theta + theta^2/2):
    # B = [[1, -2], [1, -1]], trace 0, det 1: a centre. Energy and diagonal weights fail (2phi^2 - 2phi theta
    # - 2theta^2, 2phi^2 - 4theta^2); B^T G + G B = 0 gives G = [[1, -1], [-1, 2]]: V = (phi - theta)^2 + theta^2,
    # dV/dt = 2(phi - theta)(phi - 2theta - phi + theta) + 2theta(phi - theta) ... = 0 exactly.
    (p,), (t,) = symbols(1)
    v = Variant("tilted", -(p**2) / 2 + 2 * p * t, -p * t + t**2 / 2, phi=(p,), theta=(t,))
    nl = analyze(v).nonlinear
    assert (nl.verdict, nl.method, nl.dV) == ("stable", "conserved", 0)
    assert sp.expand(nl.V - (p**2 - 2 * p * t + 2 * t**2)) == 0


def test_undecided_when_nothing_is_proved():
    # phi' = -theta + phi_1^3 ... with a mixed-sign dV/dt = 2 phi^3 theta (neither rule nor certificate applies).
    v, *_ = _custom(1, "mixed", lambda d, q: d - q * d / 4, lambda d, q: -d)
    nl = analyze(v).nonlinear
    assert nl.verdict == "undecided" and "No certificate" in nl.reason


# --------------------------------------------------------------------------- output
def test_dict_json_latex_and_cli(capsys):
    a = analyze("vanilla_ns", dim=2)
    d = json.loads(json.dumps(a.to_dict(nonlinear=True)))
    assert d["nonlinear"]["verdict"] == "stable" and d["nonlinear"]["orbits"][0]["frequency"] == "1/2"
    assert "nonlinear" not in a.to_dict()
    tex = a.nonlinear.to_latex()
    assert r"\dot V" in tex and r"\le 0" in tex and "LaSalle" in tex and tex.count("{") == tex.count("}")
    assert main(["analyze", "vanilla_ns", "--dim", "1", "--nonlinear"]) == 0
    out = capsys.readouterr().out
    assert "nonlinear verdict (n = 1): asymptotically-stable" in out and "t^(-p), p = 1/2" in out
    assert main(["analyze", "wgan", "--nonlinear", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["nonlinear"]["verdict"] == "unstable"


def test_latex_proofs_compile(tmp_path):
    assert shutil.which("pdflatex"), "pdflatex is needed: apt-get install -y texlive-latex-base (.ci/run does)"
    body = "\n\n".join(
        analyze(name, dim=n).nonlinear.to_latex() for name, n in [("vanilla_ns", 1), ("wgan", 2), ("wgan_gp", 2)]
    )
    doc = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n" + body + "\n\\end{document}\n"
    (tmp_path / "p.tex").write_text(doc)
    run = subprocess.run(
        ["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "p.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 0, run.stdout[-2000:]


# --------------------------------------------------------------------------- numerical confirmation
def test_confirm_power_law_in_dim1():
    c = analyze("vanilla_ns", dim=1).nonlinear.confirm(t_end=300.0, samples=2)
    assert c.ok, c.summary()
    fit = next(ch for ch in c.checks if ch.name.startswith("power-law"))
    assert abs(fit.measured - 0.5) < 0.05


def test_confirm_family_radius_and_frequency_in_dim2():
    c = analyze("vanilla_ns", dim=2).nonlinear.confirm(t_end=150.0, samples=2)
    assert c.ok, c.summary()
    freqs = [ch.measured for ch in c.checks if "frequency" in ch.name]
    assert len(freqs) == 2 and np.allclose(freqs, 0.5, rtol=1e-3)


def test_confirm_wgan_gp_circle_and_instability():
    c = analyze("wgan_gp", dim=2).nonlinear.confirm(t_end=150.0, samples=1)
    assert c.ok, c.summary()
    radius = next(ch for ch in c.checks if "radius" in ch.name)
    assert abs(radius.measured - 1.0) < 1e-3


def test_confirm_conserved_and_exponential():
    assert analyze("vanilla_sat", dim=2).nonlinear.confirm(t_end=20.0, samples=2).ok
    c = analyze("vanilla_ns", dim=2, regularizers={"l2": 0.1}).nonlinear.confirm(samples=2)
    assert c.ok and abs(c.checks[1].measured - 0.1) < 0.01


def test_independent_scipy_reference_for_the_family():
    # The field written out by hand (eq. 7), integrated with SciPy, against the library's nonlinear verdict
    # (the family |theta| = |phi|, theta.phi = 0 rotating at the frequency it states) and its own trajectory.
    from scipy.integrate import solve_ivp

    def f(t, z):
        phi, theta = z[:2], z[2:]
        sg = 1 / (1 + np.exp(-theta @ phi))
        return np.concatenate([-sg * theta, (1 - sg) * phi])

    a = analyze("vanilla_ns", dim=2)
    (orbit,) = a.nonlinear.orbits
    assert orbit.kind == "family" and orbit.stability == "attracting"
    x0 = [1.0, 0.2, 0.3, 0.8]
    sol = solve_ivp(f, (0, 150), x0, rtol=1e-10, atol=1e-12, dense_output=True)
    t = np.linspace(140, 150, 400)
    z = sol.sol(t)
    phi, theta = z[:2].T, z[2:].T
    assert abs(np.linalg.norm(phi[-1]) - np.linalg.norm(theta[-1])) < 1e-4  # on the family the library states
    assert abs(phi[-1] @ theta[-1]) < 1e-4
    angle = np.unwrap(np.arctan2(phi[:, 1], phi[:, 0]))
    assert abs(abs(np.polyfit(t, angle, 1)[0]) - float(orbit.frequency)) < 1e-3
    tr = a.simulate(x0, 150.0, dt=0.1, store=False)
    assert np.abs(tr.final[0] - sol.y[:, -1]).max() < 1e-6
