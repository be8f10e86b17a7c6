"""Derivations and LaTeX export against hand-derived results; every exported document compiles."""

from __future__ import annotations

import dataclasses
import shutil
import subprocess

import numpy as np
import pytest
import sympy as sp
from helpers import by_hand, symbolic_equal

from stability import Variant, analyze, symbols
from stability.cli import main
from stability.model.functions import sigmoid
from stability.model.space import DOT, NORM_PHI, NORM_THETA
from stability.render.latex import Step, derivation, escape_text, second_order
from stability.render.markdown import to_markdown
from stability.render.symbols import PHI_VEC, THETA_VEC

LAM = sp.Symbol("lam", positive=True)
BOLD_PHI, BOLD_THETA = r"\boldsymbol{\varphi}", r"\boldsymbol{\theta}"


def steps_by_key(a, nonlinear: bool = False) -> dict[str, Step]:
    """The derivation's steps; without the nonlinear analysis (slow for symbolic parameters) unless asked."""
    return {s.key: s for s in derivation(a, nonlinear=nonlinear)}


def equations(step: Step) -> str:
    """The step's equations as LaTeX rows (what the document shows)."""
    return "\n".join(step.rows)


# -- the second-order reduction ------------------------------------------------------------
def test_second_order_of_a_general_block_matches_the_hand_derivation():
    a, b, c, d = sp.symbols("a b c d", real=True)
    r = second_order(sp.Matrix([[a, b], [c, d]]))
    # By hand: theta'' = c phi' + d theta' = c (a phi + b theta) + d theta', phi = (theta' - d theta)/c.
    assert r.variable == "theta"
    assert symbolic_equal(r.damping, a + d)
    assert symbolic_equal(r.stiffness, b * c - a * d)
    assert r.condition == sp.Ne(c, 0)  # c is symbolic: the elimination assumes c != 0


def test_second_order_characteristic_polynomial_is_the_blocks():
    block = sp.Matrix([[-sp.Rational(1, 3), 2], [-5, sp.Rational(7, 2)]])
    r = second_order(block)
    mu = sp.Symbol("mu")
    assert sp.expand(mu**2 - r.damping * mu - r.stiffness - block.charpoly(mu).as_expr()) == 0


def test_second_order_falls_back_to_phi_and_to_none():
    r = second_order(sp.Matrix([[1, 2], [0, 3]]))  # theta' = 3 theta does not involve phi
    assert r.variable == "phi" and r.damping == 4 and r.stiffness == -3
    assert second_order(sp.Matrix([[1, 0], [0, 3]])) is None  # decoupled


@pytest.mark.parametrize("dim", [1, 2, 3])
def test_vanilla_ns_gives_the_posts_eq9(dim):
    s = steps_by_key(analyze("vanilla_ns", dim=dim))["second_order"]
    assert s.values["variable"] == "theta"
    assert s.values["damping"] == 0 and s.values["stiffness"] == -sp.Rational(1, 4)  # theta'' = -theta/4
    theta = BOLD_THETA if dim >= 2 else r"\theta"
    assert rf"\ddot{{{theta}}} &\approx -{theta}/4" in equations(s)


def test_wgan_gp_c0_is_a_damped_oscillator():
    a = analyze("wgan_gp", params={"c": 0, "lam": LAM})
    s = steps_by_key(a)["second_order"]
    # By hand from eq. (16) with c = 0: theta'' = phi' = -theta - 2 lam phi = -2 lam theta' - theta.
    assert symbolic_equal(s.values["damping"], -2 * LAM)
    assert s.values["stiffness"] == -1
    assert rf"\ddot{{{BOLD_THETA}}} &\approx -2 \lambda \dot{{{BOLD_THETA}}} - {BOLD_THETA}" in equations(s)


def test_gan_qp_second_order_is_theta_dd_equals_minus_theta():
    s = steps_by_key(analyze("gan_qp"))["second_order"]
    assert s.values["damping"] == 0 and s.values["stiffness"] == -1
    assert rf"\ddot{{{BOLD_THETA}}} &\approx -{BOLD_THETA}" in equations(s)


# -- the steps, vector notation -------------------------------------------------------------
def test_vanilla_ns_eqs_7_and_8_in_vector_form():
    steps = steps_by_key(analyze("vanilla_ns"), nonlinear=True)
    assert list(steps) == [
        "setting",
        "losses",
        "gradients",
        "field",
        "linearization",
        "second_order",
        "eigenvalues",
        "verdict",
        "nonlinear",
    ]
    field = equations(steps["field"])
    sig = r"\sigma\left(\boldsymbol{\theta}\cdot\boldsymbol{\varphi}\right)"
    assert rf"\dot{{{BOLD_PHI}}} &= -{sig} {BOLD_THETA} \tag{{7}}" in field  # eq. (7), as the post writes it
    assert rf"\dot{{{BOLD_THETA}}} &= \left(1 - {sig}\right) {BOLD_PHI}" in field
    lin = equations(steps["linearization"])
    assert rf"\dot{{{BOLD_PHI}}} &\approx -{BOLD_THETA}/2 \tag{{8}}" in lin  # eq. (8)
    assert rf"\dot{{{BOLD_THETA}}} &\approx {BOLD_PHI}/2" in lin
    assert steps["linearization"].values["block"] == sp.Matrix([[0, -sp.S.Half], [sp.S.Half, 0]])
    # 2 vector equations, not 2n scalar ones: no component subscripts anywhere.
    assert r"\varphi_{1}" not in lin and r"\theta_{2}" not in field
    assert r"\pm \frac{i}{2} \ (\times 2)" in equations(steps["eigenvalues"])


def test_gradient_coefficients_match_the_component_gradients():
    # The vector-form gradients, expanded in components, equal d L / d phi_i computed directly.
    a = analyze("gan_qp", dim=2)
    g = steps_by_key(a)["gradients"].values["grad_phi_d"]
    space = a.dynamics.space
    sub = space.invariant_substitution()
    d_loss = a.losses[0]
    phi, theta = space.phi_symbols, space.theta_symbols
    for i in range(2):
        expected = sp.diff(d_loss, phi[i])
        got = g[0].xreplace(sub) * phi[i] + g[1].xreplace(sub) * theta[i]
        point = {phi[0]: sp.Rational(1, 3), phi[1]: -2, theta[0]: sp.Rational(1, 2), theta[1]: 3}
        assert sp.nsimplify(sp.N((expected - got).subs(point), 30), tolerance=1e-20) == 0


def test_dimension_one_uses_plain_scalars():
    steps = steps_by_key(analyze("vanilla_ns", dim=1))
    text = "\n".join(equations(s) for s in steps.values())
    assert r"\boldsymbol" not in text
    assert r"\dot{\varphi} &\approx -\theta/2" in equations(steps["linearization"])


def test_general_variant_uses_components_and_matrices():
    phi, theta = symbols(2)
    d_loss = phi[0] * theta[0] + phi[1] * theta[1] ** 3 + phi[0] ** 2 / 2
    g_loss = -(phi[0] * theta[0] + phi[1] * theta[1])
    a = analyze(Variant("mixed", d_loss, g_loss, phi=phi, theta=theta))
    assert a.structure == "general"
    steps = steps_by_key(a)
    field = equations(steps["field"])
    assert r"\dot{\varphi}_{1} &= - \varphi_{1} - \theta_{1}" in field
    assert r"\dot{\varphi}_{2} &= - \theta_{2}^{3}" in field
    assert r"\begin{array}{cccc}" in equations(steps["linearization"])
    assert r"\boldsymbol" not in field


def test_non_differentiable_variants_show_where_linearisation_fails():
    wgan = steps_by_key(analyze("wgan"))
    assert "eigenvalues" not in wgan and "second_order" not in wgan
    rows = equations(wgan["singular"])
    assert rf"\dot{{{BOLD_THETA}}} &\ni \frac{{{BOLD_PHI}}}{{\Vert{BOLD_PHI}\Vert}}" in rows  # theta' = phi/|phi|
    assert r"\text{no limit at } \boldsymbol{\varphi} = \mathbf{0}" in rows
    # By hand: theta' = phi/|phi| tends to e_1 along phi = t e_1 and to e_2 along phi = t e_2, so the field has
    # no limit at the origin; the step must say so (not "tends to 0 ... but not linearly").
    assert wgan["singular"].values["equilibrium"] is None
    assert "no limit at the origin" in wgan["singular"].text and "tends to" not in wgan["singular"].text
    gp = steps_by_key(analyze("wgan_gp", params={"c": 1}))
    (term,) = gp["singular"].values["singular_terms"]
    assert term.equation == "phi'" and not term.continuous
    assert r"\frac{\boldsymbol{\varphi}}{5 \Vert\boldsymbol{\varphi}\Vert}" in equations(gp["singular"])


def test_symbolic_parameters_stay_symbolic():
    a = analyze("wgan_gp", params={"c": 0, "lam": LAM})
    steps = steps_by_key(a)
    assert rf"\dot{{{BOLD_PHI}}} &= -2 \lambda {BOLD_PHI} - {BOLD_THETA}" in equations(steps["field"])
    verdict = equations(steps["verdict"])
    assert r"\text{focus} &\quad \text{if }" in verdict and r"\lambda < 1" in verdict
    reg = steps_by_key(analyze("vanilla_ns", regularizers=["l2"]))
    assert r"\ddot{\boldsymbol{\theta}} &\approx -2 \alpha \dot{\boldsymbol{\theta}} - \boldsymbol{\theta}/4" in (
        equations(reg["second_order"])
    )


def test_the_nonlinear_proof_closes_the_derivation():
    steps = steps_by_key(analyze("vanilla_ns"), nonlinear=True)
    nl = steps["nonlinear"]
    assert nl.values["verdict"] == analyze("vanilla_ns").nonlinear.verdict
    assert r"\textbf{" + nl.values["verdict"] in nl.text and "LaSalle" in nl.note
    assert "Chetaev" in steps_by_key(analyze("wgan"), nonlinear=True)["nonlinear"].note
    assert nl.note in analyze("vanilla_ns").to_latex()


def test_the_markdown_argument_follows_the_certificate_that_proved_the_verdict():
    # LSGAN (Mao et al.): phi' = -(theta.phi) theta, theta' = (1 - theta.phi) phi (by hand, from L_D = (D - 1)^2/2
    # + D(0)^2/2 with D(0) = 0, L_G = (D(theta) - 1)^2/2). For n >= 2, W = |phi|^2 has dW/dt = -2 (theta.phi)^2 <= 0
    # and the squared area A = |phi|^2 |theta|^2 - (theta.phi)^2 is conserved (dA/dt = 2 (a + d) A with a + d = 0):
    # trajectories off the collinear states are unbounded. The argument must say that, not LaSalle's convergence.
    md2 = to_markdown(analyze("lsgan", dim=2), nonlinear=True).split("**Nonlinear analysis.**")[1]
    assert r"\dot{W} &= - 2 \left(\boldsymbol{\theta}\cdot\boldsymbol{\varphi}\right)^{2} \leq 0" in md2
    assert "are unbounded, so the origin is unstable" in md2 and "never reach the origin" not in md2
    assert "$A$ is conserved" in md2
    # n = 1: nilpotent Jacobian; the leading terms phi' = -theta^2 phi, theta' = phi (weights deg theta = 1,
    # deg phi = 3) conserve F = phi + theta^3/3 (dF/dt = -theta^2 phi + theta^2 phi = 0 on them).
    md1 = to_markdown(analyze("lsgan", dim=1), nonlinear=True).split("**Nonlinear analysis.**")[1]
    assert "nilpotent" in md1 and "come arbitrarily close to it" in md1
    phi, theta = sp.symbols("phi theta")
    F = analyze("lsgan", dim=1).nonlinear.quasi.F
    assert sp.expand(F.subs(dict(zip(sorted(F.free_symbols, key=str), (phi, theta)))) - (phi + theta**3 / 3)) == 0


@pytest.mark.parametrize("name", ["vanilla_ns", "vanilla_sat", "wgan", "wgan_gp", "gan_qp"])
def test_gradients_are_minus_the_posts_field(name):
    """-grad_phi L_D and -grad_theta L_G, evaluated at a point, equal the post's fields written out by hand."""
    steps = steps_by_key(analyze(name))
    g = steps["gradients"].values
    z = np.array([[0.3, -0.7, 0.4, 0.2]])
    phi, theta = z[0, :2], z[0, 2:]
    point = {NORM_PHI: np.linalg.norm(phi), NORM_THETA: np.linalg.norm(theta), DOT: float(phi @ theta)}

    def value(coef):
        return float(sp.sympify(coef).subs(point).evalf())

    grad_phi = value(g["grad_phi_d"][0]) * phi + value(g["grad_phi_d"][1]) * theta
    grad_theta = value(g["grad_theta_g"][0]) * phi + value(g["grad_theta_g"][1]) * theta
    expected = by_hand(name, z)[0]  # MATH.md's table: (phi', theta')
    assert np.allclose(-grad_phi, expected[:2], rtol=1e-12, atol=1e-14), name
    assert np.allclose(-grad_theta, expected[2:], rtol=1e-12, atol=1e-14), name


def test_steps_are_frozen_records():
    step = derivation(analyze("gan_qp"))[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        step.title = "x"
    with pytest.raises(TypeError):
        step.values["dim"] = 3


def test_escape_text_makes_plain_text_safe():
    assert escape_text(r"a_b & 50% {x} $y$ #1 ~ ^ \ |z| <w>") == (
        r"a\_b \& 50\% \{x\} \$y\$ \#1 \textasciitilde{} \textasciicircum{} \textbackslash{} "
        r"\textbar{}z\textbar{} \textless{}w\textgreater{}"
    )


# -- every exported document compiles -------------------------------------------------------
def _custom_variant() -> Variant:
    phi, theta = symbols(1)
    u = phi[0] * theta[0]
    return Variant("my_custom & 100%", u + phi[0] ** 2 / 4, -u, phi=phi, theta=theta, description="bilinear_{x}^y")


DOCUMENTS = {
    "vanilla_ns": lambda: analyze("vanilla_ns"),
    "vanilla_sat": lambda: analyze("vanilla_sat"),
    "wgan": lambda: analyze("wgan"),
    "wgan_gp": lambda: analyze("wgan_gp"),
    "gan_qp": lambda: analyze("gan_qp"),
    "wgan_gp_c0_symbolic": lambda: analyze("wgan_gp", params={"c": 0, "lam": LAM}, dim=3),
    "vanilla_ns_l2": lambda: analyze("vanilla_ns", regularizers={"l2": 0.1}),
    "wgan_dim1": lambda: analyze("wgan", dim=1),
    "custom": lambda: analyze(_custom_variant()),
}


def _pdflatex():
    exe = shutil.which("pdflatex")
    if exe is None:
        pytest.fail(
            "pdflatex is not installed: the LaTeX export cannot be checked. Install it "
            "(Debian/Ubuntu: apt-get install texlive-latex-base), as .ci/run does."
        )
    return exe


def compile_latex(tex: str, tmp_path, name: str = "doc") -> None:
    (tmp_path / f"{name}.tex").write_text(tex, encoding="utf-8")
    res = subprocess.run(
        [_pdflatex(), "-halt-on-error", "-interaction=nonstopmode", f"{name}.tex"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
    )
    errors = [line for line in res.stdout.splitlines() if line.startswith("!")]
    assert res.returncode == 0 and not errors, f"{name}: pdflatex failed:\n" + res.stdout[-2500:]
    assert (tmp_path / f"{name}.pdf").stat().st_size > 1000


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_exported_document_compiles(name, tmp_path):
    tex = DOCUMENTS[name]().to_latex()
    assert tex.startswith(r"\documentclass") and r"\usepackage{amsmath}" in tex
    assert tex.count(r"\usepackage") == 1  # amsmath only
    compile_latex(tex, tmp_path, name)


def test_fragment_is_only_equations_and_compiles_inside_a_document(tmp_path):
    frag = analyze("vanilla_ns").to_latex(fragment=True)
    assert r"\documentclass" not in frag and r"\section" not in frag
    assert frag.count(r"\begin{align*}") >= 6
    doc = "\\documentclass{article}\n\\usepackage{amsmath}\n\\begin{document}\n" + frag + "\\end{document}\n"
    compile_latex(doc, tmp_path, "fragment")


# -- command line -----------------------------------------------------------------------------
def test_cli_latex_writes_a_document(tmp_path, capsys):
    out = tmp_path / "gp.tex"
    assert main(["latex", "wgan_gp", "--param", "c=0", "--dim", "3", "-o", str(out)]) == 0
    text = out.read_text()
    assert r"\ddot{\boldsymbol{\theta}} &\approx -\dot{\boldsymbol{\theta}}/5 - \boldsymbol{\theta}" in text
    assert r"n = 3" in text


def test_cli_latex_fragment_to_stdout(capsys):
    assert main(["latex", "gan_qp", "--fragment"]) == 0
    out = capsys.readouterr().out
    assert r"\documentclass" not in out and r"\ddot{\boldsymbol{\theta}} &\approx -\boldsymbol{\theta}" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["latex", "vanila_ns"],
        ["latex", "wgan_gp", "--param", "k=1"],
        ["latex", "wgan_gp", "--param", "lam=-1"],
        ["latex", "vanilla_ns", "--dim", "0"],
    ],
)
def test_cli_latex_bad_input_exits_2_with_one_line(argv, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("stability latex: error:") and "\n" not in err


# -- steps hold SymPy objects; the Markdown renderer ------------------------------------------
def test_field_step_holds_the_posts_eq7_as_sympy():
    """The equations are data: the right side of eq. (7) is a SymPy expression equal to the post's."""
    field = steps_by_key(analyze("vanilla_ns"))["field"]
    (phi_eq, theta_eq) = field.equations
    assert phi_eq.tag == "7" and theta_eq.tag is None
    # MATH.md: phi' = -sigma(theta.phi) theta, theta' = (1 - sigma(theta.phi)) phi.
    assert symbolic_equal(phi_eq.rhs.as_expr(), -sigmoid(DOT) * THETA_VEC)
    assert symbolic_equal(theta_eq.rhs.as_expr(), (1 - sigmoid(DOT)) * PHI_VEC)


def test_second_order_step_holds_eq9_as_sympy():
    (eq,) = steps_by_key(analyze("vanilla_ns"))["second_order"].equations
    assert eq.relation == "≈" and eq.tag == "9"
    assert symbolic_equal(eq.rhs.as_expr(), -THETA_VEC / 4)  # theta'' = -theta/4, the post's eq. (9)


def test_markdown_shows_mathematics_as_mathematics():
    md = to_markdown(analyze("vanilla_ns"), nonlinear=True)
    # the post's eqs. (8) and (9), in MathJax displays with their numbers at the end of the row
    assert r"\dot{\boldsymbol{\varphi}} &\approx -\boldsymbol{\theta}/2 \qquad \text{(8)}" in md
    assert r"\ddot{\boldsymbol{\theta}} &\approx -\boldsymbol{\theta}/4 \qquad \text{(9)}" in md
    assert md.count("$$\n\\begin{aligned}") == md.count("\\end{aligned}\n$$") >= 6
    assert r"\tag" not in md  # aligned (MathJax, KaTeX) takes no \tag
    # no SymPy str() output anywhere: no Python powers, no function names, no ASCII invariants
    for token in ("**2", "sigmoid(", "theta.phi", "|phi|", "|theta|", "sqrt("):
        assert token not in md, token
    # inline maths is balanced: an even number of $ outside the displays
    inline = "".join(part for i, part in enumerate(md.split("$$")) if i % 2 == 0)
    assert inline.count("$") % 2 == 0


def test_markdown_of_a_general_variant_uses_components():
    phi, theta = symbols(1)
    md = to_markdown(analyze(Variant("bilinear", phi[0] * theta[0], -phi[0] * theta[0], phi=phi, theta=theta)))
    assert r"\dot{\varphi} &= - \theta" in md and r"\boldsymbol" not in md.split("**Dirac losses.**")[1]


# -- discrete time --------------------------------------------------------------------------------
H = sp.Rational(1, 10)


def test_discrete_derivation_shows_the_update_map_and_the_unit_circle():
    a = analyze("vanilla_ns", optimizer="simgd", lr=H)
    steps = steps_by_key(a)
    assert "second_order" not in steps and "nonlinear" not in steps and "update_map" in steps
    # By hand: simgd is z+ = z + h F(z), so M = I + h J with J's block [[0, -1/2], [1/2, 0]].
    assert steps["update_map"].values["block"] == sp.Matrix([[1, -H / 2], [H / 2, 1]])
    # its eigenvalues 1 +- i h/2 have modulus sqrt(1 + h^2/4) > 1: unstable (numpy as the referee)
    rho = max(abs(np.linalg.eigvals(np.array([[1, -0.05], [0.05, 1]]))))
    assert steps["eigenvalues"].values["spectral_radius"] == sp.sqrt(401) / 20
    assert abs(float(steps["eigenvalues"].values["spectral_radius"]) - rho) < 1e-14
    assert "modulus above 1" in steps["verdict"].text
    field = equations(steps["field"])
    assert r"F_{\boldsymbol{\varphi}} &= -\sigma" in field and r"\dot" not in field  # a map has no time derivative


def test_discrete_document_compiles(tmp_path):
    tex = analyze("wgan_gp", params={"c": 0}, optimizer="momentum", lr=H).to_latex()
    assert r"\rho(M)" in tex
    compile_latex(tex, tmp_path, "momentum")
