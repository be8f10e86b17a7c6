r"""Build the notebooks of this folder: write each from its cell sources below, execute it, save it with outputs.

Usage (from the repository root or from ``notebooks/``)::

    python notebooks/build_notebooks.py                 # every notebook
    python notebooks/build_notebooks.py post_walkthrough  # only the named ones

The notebooks are committed *with* their outputs, so that they read well on a code host; the
tests (``tests/test_notebooks.py``) re-execute every notebook of this folder, top to bottom, and
check that the committed cells are the ones written here. Edit the sources in this file, never
the ``.ipynb`` files, and run the script again.

Each notebook runs in a Jupyter kernel of *this* interpreter (a ``python3`` kernel spec
pointing at ``sys.executable`` is put first on ``JUPYTER_PATH`` while it runs), with the
working directory ``notebooks/``.
"""

from __future__ import annotations

import os
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
CELL_TIMEOUT = 120  # seconds per cell
KERNEL_SPEC = {"name": "python3", "display_name": "Python 3 (ipykernel)", "language": "python"}


def md(source: str) -> tuple[str, str]:
    return "markdown", textwrap.dedent(source).strip("\n")


def code(source: str) -> tuple[str, str]:
    return "code", textwrap.dedent(source).strip("\n")


# ============================================================================================
# WGAN-GP: c = 0 versus c = 1
# ============================================================================================
WGAN_GP_C0_VS_C1 = [
    md(r"""
    # WGAN-GP on the Dirac GAN: zero-centred ($c = 0$) versus one-centred ($c = 1$) penalty

    The gradient penalty of WGAN-GP (the post's eqs. (13)-(16)) pulls the norm of the critic's input
    gradient towards a centre $c$:
    $L_D = \mathbb{E}_q[D] - \mathbb{E}_p[D] + \lambda\,\mathbb{E}_r[(\Vert\nabla_x D\Vert - c)^2]$,
    $L_G = -\mathbb{E}_q[D]$. On the Dirac GAN ($x_r = 0$, $x_f = \theta$, $D(x) = x\cdot\varphi$, so
    $\nabla_x D = \varphi$) gradient flow gives eq. (16):

    $$\dot\varphi = -\theta - 2\lambda\Bigl(1 - \frac{c}{\Vert\varphi\Vert}\Bigr)\varphi,
    \qquad \dot\theta = \varphi .$$

    The post claims that with $c = 0$ training converges to the equilibrium $\varphi = \theta = 0$, while with
    $c = 1$ it does not: the trajectories settle onto a circle. This notebook derives both, with $\lambda$ and $c$
    kept symbolic wherever possible, using the library's public API (`stability.analyze`) and SymPy. Every
    analytical statement is an `assert` that compares the library's output with a value derived here
    independently (by hand in SymPy) or with the numerics, so a regression in the library fails this notebook.
    Section 5 states what is proved and what is only observed numerically.
    """),
    code(r"""
    %matplotlib inline
    import numpy as np
    import sympy as sp
    from IPython.display import Markdown, Math, display
    from matplotlib.figure import Figure

    from stability import analyze
    from stability.plotting import distance_plot, post_initial_state, theta_plane

    lam = sp.Symbol("lam", positive=True)  # the penalty weight; the library's domain for it is lam > 0
    c = sp.Symbol("c", positive=True)  # the centre of the penalty, c != 0
    t, mu, x = sp.Symbol("t", nonnegative=True), sp.Symbol("mu"), sp.Symbol("x", real=True)
    X0 = post_initial_state(2)  # the post's initial state (phi_1, phi_2, theta_1, theta_2)
    assert X0.tolist() == [0.1, 0.2, 0.2, 0.1]


    def tex(expr):
        return sp.latex(expr, symbol_names={lam: r"\lambda"})
    """),
    md(r"""
    ## 1. The field, derived by the library from the losses

    `analyze` derives eq. (16) from the losses (eq. 15). We compare it with eq. (16) written by hand; the
    field is rotation invariant, so the library writes it with the vectors $\varphi$, $\theta$ and the
    invariant $\Vert\varphi\Vert$.
    """),
    code(r"""
    general = analyze("wgan_gp", params={"lam": lam, "c": c})
    phi_dot, theta_dot = general.field_equations()  # phi' and theta' as a*phi + b*theta
    names = {s.name: s for s in (phi_dot + theta_dot).free_symbols}
    phi, theta, norm_phi = names["phi"], names["theta"], names["|phi|"]
    eq16 = (-theta - 2 * lam * (1 - c / norm_phi) * phi, phi)  # eq. (16), by hand
    assert sp.simplify(phi_dot - eq16[0]) == 0 and sp.simplify(theta_dot - eq16[1]) == 0
    general
    """),
    md(r"""
    ## 2. $c = 0$: a linear system

    With $c = 0$ the penalty $\lambda\Vert\varphi\Vert^2$ is smooth and eq. (16) is linear,
    $\dot\varphi = -2\lambda\varphi - \theta$, $\dot\theta = \varphi$: in every dimension $n$ its matrix is
    $J = B\otimes I_n$ with the $2\times 2$ block $B$ read off by hand below. Being linear, the field *is* its
    linearisation (its Jacobian is the same matrix everywhere).
    """),
    code(r"""
    zero = analyze("wgan_gp", params={"lam": lam, "c": 0})
    B_hand = sp.Matrix([[-2 * lam, -1], [1, 0]])  # (phi', theta') = B (phi, theta), from eq. (16) with c = 0
    assert zero.block == B_hand
    assert zero.jacobian == sp.kronecker_product(B_hand, sp.eye(2))
    assert zero.vector_field.jacobian(zero.state) == zero.jacobian  # linear: the Jacobian is constant
    zero
    """),
    md(r"""
    ### Eigenvalues

    The characteristic polynomial of the hand-written block is $\det(\mu I - B) = \mu^2 + 2\lambda\mu + 1$, with
    roots $\mu_\pm = -\lambda \pm \sqrt{\lambda^2 - 1}$; each is an eigenvalue of $J = B \otimes I_2$ twice.
    Both have negative real part for every $\lambda > 0$ (their sum is $-2\lambda < 0$ and their product is $1 > 0$),
    so the equilibrium is asymptotically stable: the post's claim for $c = 0$.
    """),
    code(r"""
    char = (mu * sp.eye(2) - B_hand).det()
    assert sp.expand(char) == mu**2 + 2 * lam * mu + 1
    mu_plus, mu_minus = -lam + sp.sqrt(lam**2 - 1), -lam - sp.sqrt(lam**2 - 1)
    assert all(sp.simplify(char.subs(mu, root)) == 0 for root in (mu_plus, mu_minus))  # the two roots
    assert zero.eigenvalues == {mu_plus: 2, mu_minus: 2}
    assert zero.classification == "stable"
    assert zero.conditions["stable"].as_set() == sp.Interval.open(0, sp.oo)  # stable for every lam > 0
    listed = r",\ ".join(rf"{tex(value)}\ (\times {m})" for value, m in zero.eigenvalues.items())
    display(Math(r"\mu \in \{" + listed + r"\}"))
    """),
    md(r"""
    ### Three regimes, and the boundary between them

    The discriminant of the characteristic polynomial, $4(\lambda^2 - 1)$, vanishes at $\lambda = 1$ only:

    * $0 < \lambda < 1$: a complex pair $-\lambda \pm i\sqrt{1 - \lambda^2}$, a stable **focus** (a damped rotation
      at angular frequency $\sqrt{1 - \lambda^2}$); the post's $\lambda = 0.1$ is here;
    * $\lambda = 1$: the **critical** case, the double eigenvalue $-1$ with a single eigenvector (a Jordan block):
      a degenerate node, which the library counts as a node;
    * $\lambda > 1$: two real negative eigenvalues, a stable **node** (overdamped: no rotation).
    """),
    code(r"""
    disc = sp.discriminant(char, mu)
    assert sp.expand(disc) == 4 * lam**2 - 4 and sp.solve(disc, lam) == [1]  # zero at lam = 1 only (lam > 0)
    assert zero.conditions["focus"].as_set() == sp.Interval.open(0, 1)
    assert zero.conditions["node"].as_set() == sp.Interval(1, sp.oo)
    assert B_hand.subs(lam, 1).is_diagonalizable() is False  # the critical case is a Jordan block
    half = sp.Rational(1, 2)
    for value, detail, eigenvalues in [
        (half, "focus", {-half + sp.sqrt(3) * sp.I / 2: 2, -half - sp.sqrt(3) * sp.I / 2: 2}),
        (1, "node", {-1: 4}),
        (2, "node", {-2 + sp.sqrt(3): 2, -2 - sp.sqrt(3): 2}),
    ]:
        a = analyze("wgan_gp", params={"lam": value, "c": 0})
        assert (a.detail, a.eigenvalues) == (detail, eigenvalues), (value, a.detail, a.eigenvalues)
    {verdict: condition.as_set() for verdict, condition in zero.conditions.items()}
    """),
    md(r"""
    ### The closed-form solution

    Write $B = -\lambda I + N$ with $N = B + \lambda I$. By Cayley-Hamilton $N^2 = (\lambda^2 - 1) I = \omega^2 I$
    with $\omega = \sqrt{\lambda^2 - 1}$, so the exponential series of $Nt$ splits into even and odd powers:

    $$e^{Bt} = e^{-\lambda t}\Bigl(\cosh(\omega t)\, I + \frac{\sinh(\omega t)}{\omega}\, N\Bigr),
    \qquad z(t) = \bigl(e^{Bt}\otimes I_n\bigr)\, z(0).$$

    For $\lambda < 1$, $\omega = i\sqrt{1 - \lambda^2}$ is imaginary and $\cosh$, $\sinh/\omega$ become $\cos$,
    $\sin/\sqrt{1-\lambda^2}$: a rotation damped by $e^{-\lambda t}$. At $\lambda = 1$ the limit $\omega \to 0$
    gives $e^{-t}(I + tN)$, whose secular term $t\,e^{-t}$ is the Jordan block's. We check that the formula
    solves the ODE by differentiating it.
    """),
    code(r"""
    I2 = sp.eye(2)
    N = B_hand + lam * I2
    omega = sp.sqrt(lam**2 - 1)
    assert sp.simplify(N**2 - omega**2 * I2) == sp.zeros(2, 2)  # Cayley-Hamilton
    exp_bt = sp.exp(-lam * t) * (sp.cosh(omega * t) * I2 + sp.sinh(omega * t) / omega * N)
    assert exp_bt.subs(t, 0) == I2
    assert (exp_bt.diff(t) - zero.block * exp_bt).applyfunc(sp.simplify) == sp.zeros(2, 2)  # d/dt e^{Bt} = B e^{Bt}
    critical = exp_bt.applyfunc(lambda entry: sp.limit(entry, lam, 1))
    assert (critical - sp.exp(-t) * (I2 + t * N.subs(lam, 1))).applyfunc(sp.simplify) == sp.zeros(2, 2)
    display(Math(r"e^{Bt} = " + tex(exp_bt)))
    display(Math(r"e^{Bt}\big|_{\lambda = 1} = " + tex(critical)))
    """),
    md(r"""
    The integrator must follow this closed form. From the post's initial state, with the post's $\lambda = 1/10$
    (the library's default), the simulated trajectory and $(e^{Bt}\otimes I_2)\,z(0)$ agree to the solver's
    tolerance:
    """),
    code(r"""
    lam0 = sp.Rational(1, 10)
    run0 = analyze("wgan_gp", params={"lam": lam0, "c": 0}).simulate(X0, 100.0, dt=0.01)
    E = sp.lambdify(t, exp_bt.subs(lam, lam0), "numpy")  # real: cosh and sinh of an imaginary argument
    closed = np.array([np.kron(np.array(E(s), dtype=float), np.eye(2)) @ X0 for s in run0.times])
    error = np.abs(closed - run0.states[0]).max()
    assert error < 1e-7, error
    print(f"max |closed form - numerics| over t in [0, 100]: {error:.1e}")
    """),
    md(r"""
    ### The decay rate, and the fastest-decaying $\lambda$

    Every entry of $e^{Bt}$ is a combination of $e^{\mu_\pm t}$ (and $t e^{-t}$ at $\lambda = 1$), so
    $\Vert z(t)\Vert$ decays at the rate $r(\lambda) = -\max \operatorname{Re}\mu$:

    $$r(\lambda) = \lambda \quad (0 < \lambda \le 1), \qquad r(\lambda) = \lambda - \sqrt{\lambda^2 - 1}
    = \frac{1}{\lambda + \sqrt{\lambda^2 - 1}} \quad (\lambda \ge 1).$$

    The rate rises with $\lambda$ up to $1$ and then falls (the denominator $\lambda + \sqrt{\lambda^2-1}$ grows):
    more penalty is not faster. The fastest decay is at the critical damping $\lambda = 1$, with rate $1$. We compare
    the library's real parts with this formula on $(0, 1)$, at $1$ and on $(1, \infty)$, for every value of the
    parameter $s > 0$ below.
    """),
    code(r"""
    rate_library = -sp.Max(*[part.real for part in zero.eigenvalue_parts])
    rate_hand = sp.Piecewise((lam, lam <= 1), (lam - sp.sqrt(lam**2 - 1), True))
    s = sp.Symbol("s", positive=True)
    for lam_in in (s / (1 + s), sp.S.One, 1 + s):  # lam in (0, 1), lam = 1, lam in (1, oo)
        assert sp.simplify((rate_library - rate_hand).subs(lam, lam_in)) == 0
    above = lam - sp.sqrt(lam**2 - 1)
    assert sp.simplify(above * (lam + sp.sqrt(lam**2 - 1))) == 1  # r = 1/(lam + sqrt(lam^2 - 1)) for lam >= 1
    assert rate_hand.subs(lam, 1) == 1 and sp.limit(above, lam, sp.oo) == 0
    grid = [sp.Rational(k, 4) for k in range(1, 17)]
    rates = [float(-max(p.real for p in analyze("wgan_gp", params={"lam": v, "c": 0}).eigenvalue_parts)) for v in grid]
    assert grid[int(np.argmax(rates))] == 1 and np.isclose(max(rates), 1.0)  # the library's fastest decay: lam = 1

    fig = Figure(figsize=(6.5, 3.6), layout="constrained")
    ax = fig.add_subplot()
    ls = np.linspace(0.01, 4, 400)
    with np.errstate(invalid="ignore"):  # numpy evaluates both pieces; sqrt(lam^2 - 1) is NaN below 1
        ax.plot(ls, sp.lambdify(lam, rate_hand, "numpy")(ls), label=r"$r(\lambda)$, by hand")
    ax.plot([float(v) for v in grid], rates, "o", ms=4, label=r"$-\max\,\mathrm{Re}\,\mu$ from analyze()")
    ax.axvline(1, color="0.6", lw=0.8, ls="--")
    ax.set(xlabel=r"$\lambda$", ylabel="decay rate", title=r"$c = 0$: decay rate; fastest at $\lambda = 1$ (rate 1)")
    ax.legend()
    fig
    """),
    md(r"""
    Numerically (`Analysis.verify`, random initial states): the measured rate and angular frequency match
    $r(1/10) = 1/10$ and $\sqrt{1 - \lambda^2} = \sqrt{0.99}$.
    """),
    code(r"""
    check0 = analyze("wgan_gp", params={"lam": lam0, "c": 0}).verify()
    assert check0.behaviour == "converges" and check0.agrees
    assert abs(check0.rate - 0.1) < 2e-3 and abs(check0.frequency - np.sqrt(0.99)) < 2e-3
    print(check0.explanation)
    """),
    md(r"""
    ## 3. $c \ne 0$: no Jacobian at the origin

    For $c \ne 0$ the penalty's gradient, $2\lambda(\Vert\varphi\Vert - c)\,\varphi/\Vert\varphi\Vert$, contains
    the unit vector $\varphi/\Vert\varphi\Vert$, which has no limit at $\varphi = 0$: it points wherever $\varphi$
    came from. The library finds the term $2\lambda c\,\varphi/\Vert\varphi\Vert$ of $\dot\varphi$ and reports
    that the field has no derivative at the origin, and not even a limit there.
    """),
    code(r"""
    assert general.classification == "non-differentiable" and general.jacobian is None
    assert general.equilibrium is None  # the field has no limit at the origin
    (term,) = general.singular_terms
    assert term.equation == "phi'" and term.where == "phi = 0" and not term.continuous
    assert sp.simplify(term.term - 2 * lam * c * phi / norm_phi) == 0
    print(term.describe())
    """),
    md(r"""
    In components ($n = 2$), approach the origin along the $\varphi_1$ axis from either side: the field tends to
    two different values, $\pm 2\lambda c$ in $\dot\varphi_1$, a jump of $4\lambda c$. So there is no Jacobian
    (no linear map can approximate a field that jumps), and arbitrarily close to the origin the field has size
    about $2\lambda c$: the origin is not an equilibrium that trajectories can settle on smoothly.
    """),
    code(r"""
    p1, p2, t1, t2 = general.state
    F = general.vector_field  # (phi_1', phi_2', theta_1', theta_2') in components
    on_axis = {p1: x, p2: 0, t1: 0, t2: 0}
    right = [sp.limit(f.subs(on_axis), x, 0, "+") for f in F]
    left = [sp.limit(f.subs(on_axis), x, 0, "-") for f in F]
    assert right == [2 * lam * c, 0, 0, 0] and left == [-2 * lam * c, 0, 0, 0]
    display(Math(r"\lim_{\varphi_1 \to 0^{+}} \dot z = " + tex(sp.Matrix([right]))))
    display(Math(r"\lim_{\varphi_1 \to 0^{-}} \dot z = " + tex(sp.Matrix([left]))))
    """),
    md(r"""
    The library's nonlinear analysis goes further: with $V = \Vert\varphi\Vert^2$,
    $\dot V = 2\varphi\cdot\dot\varphi = -2\,\theta\cdot\varphi + 4\lambda\Vert\varphi\Vert(c - \Vert\varphi\Vert)$,
    positive near the origin wherever $\varphi \ne 0$ (the term $4\lambda c\Vert\varphi\Vert$ dominates), so by
    Chetaev's theorem the origin is **unstable**. We check $\dot V$ by hand.
    """),
    code(r"""
    nl = general.nonlinear
    inv = {s.name: s for s in nl.dV.free_symbols}
    r_, u_ = inv["|phi|"], inv["theta.phi"]
    assert nl.verdict == "unstable" and nl.method == "chetaev" and nl.V == r_**2
    assert sp.expand(nl.dV - (-2 * u_ + 4 * lam * r_ * (c - r_))) == 0
    print(nl.reason)
    """),
    md(r"""
    ### The closed orbit, derived analytically

    On the sphere $\Vert\varphi\Vert = c$ the penalty term vanishes and eq. (16) is the rotation
    $\dot\varphi = -\theta$, $\dot\theta = \varphi$. In complex coordinates ($n = 2$), $p = \varphi_1 + i\varphi_2$,
    $q = \theta_1 + i\theta_2$, this is $\dot p = -q$, $\dot q = p$, so $\ddot p = -p$ and
    $p = A e^{i t} + B e^{-i t}$. Then

    $$|p|^2 = |A|^2 + |B|^2 + 2\,\mathrm{Re}\bigl(A\bar B e^{2 i t}\bigr),$$

    which is constant (as it must be, $|p| = c$) exactly when $A\bar B = 0$. So $p = c\,e^{\pm i(t + \alpha)}$ and
    $q = -\dot p = \mp i\,c\,e^{\pm i(t+\alpha)}$: $|\theta| = c$, $\theta \perp \varphi$, and both rotate at angular
    frequency $1$ (period $2\pi$), in either sense. We then substitute these two motions into the library's
    component field, with symbolic $\lambda$ and $c$: they solve it exactly.
    """),
    code(r"""
    A, Bc = sp.symbols("A B")  # complex amplitudes
    tau, alpha = sp.symbols("tau alpha", real=True)
    p = A * sp.exp(sp.I * tau) + Bc * sp.exp(-sp.I * tau)
    assert sp.simplify(p.diff(tau, 2) + p) == 0  # p'' = -p
    mod2 = sp.expand(p * sp.conjugate(p))
    assert mod2.coeff(sp.exp(2 * sp.I * tau)) == A * sp.conjugate(Bc)  # the only non-constant part: A conj(B)

    for sense in (1, -1):
        angle = sense * tau + alpha
        cos, sin = c * sp.cos(angle), c * sp.sin(angle)
        orbit = {p1: cos, p2: sin, t1: sense * sin, t2: -sense * cos}
        z = sp.Matrix([orbit[v] for v in general.state])
        assert (z.diff(tau) - F.subs(orbit)).applyfunc(sp.simplify) == sp.zeros(4, 1)  # solves eq. (16) exactly
        assert sp.simplify(orbit[t1] ** 2 + orbit[t2] ** 2) == c**2  # |theta| = c: a circle of radius c
        assert sp.simplify(orbit[p1] * orbit[t1] + orbit[p2] * orbit[t2]) == 0  # theta . phi = 0
    print("both circles |phi| = |theta| = c, theta orthogonal to phi, solve eq. (16) for every lam > 0, c > 0")
    """),
    md(r"""
    ### Only these: the invariant system

    Write $r = \Vert\varphi\Vert$, $s = \Vert\theta\Vert$, $u = \theta\cdot\varphi$. Eq. (16) gives a closed
    system for them (by hand):

    $$\tfrac{d}{dt} r^2 = 2\varphi\cdot\dot\varphi = -2u - 4\lambda r(r - c),\qquad
    \tfrac{d}{dt} s^2 = 2\theta\cdot\dot\theta = 2u,\qquad
    \dot u = \dot\varphi\cdot\theta + \varphi\cdot\dot\theta = r^2 - s^2 - 2\lambda\Bigl(1 - \frac{c}{r}\Bigr)u .$$

    We check these against the library's component field by the chain rule. Solutions with constant $r, s, u$
    (rotations) are its rest points: the only one with $r > 0$ is $r = s = c$, $u = 0$, the orbit above.
    Its radius in the $(\theta_1, \theta_2)$ plane is $c$, independent of $\lambda$ (and $\Vert z\Vert = c\sqrt2$).
    It needs $n \ge 2$: in dimension 1, $u = 0$ forces $\varphi = 0$ or $\theta = 0$.
    """),
    code(r"""
    r, s_ = sp.symbols("r s", positive=True)
    u = sp.Symbol("u", real=True)
    d_r2 = -2 * u - 4 * lam * r * (r - c)
    d_s2 = 2 * u
    d_u = r**2 - s_**2 - 2 * lam * (1 - c / r) * u
    components = {r: sp.sqrt(p1**2 + p2**2), s_: sp.sqrt(t1**2 + t2**2), u: p1 * t1 + p2 * t2}
    rate_of = {  # the same rates from the library's field, by the chain rule
        "r^2": 2 * (p1 * F[0] + p2 * F[1]),
        "s^2": 2 * (t1 * F[2] + t2 * F[3]),
        "u": F[0] * t1 + F[1] * t2 + p1 * F[2] + p2 * F[3],
    }
    for hand, key in ((d_r2, "r^2"), (d_s2, "s^2"), (d_u, "u")):
        assert sp.simplify(hand.subs(components) - rate_of[key]) == 0, key
    rest = sp.solve([d_r2, d_s2, d_u], [r, s_, u], dict=True)
    assert rest == [{r: c, s_: c, u: 0}]

    (orbit_lib,) = nl.orbits  # the library's periodic rotations
    assert (orbit_lib.kind, orbit_lib.radius_phi, orbit_lib.radius_theta, orbit_lib.frequency) == ("isolated", c, c, 1)
    assert orbit_lib.conditions[u_] == 0
    print(orbit_lib.describe())
    """),
    md(r"""
    ### Why the orbit attracts: the energy balance, and a proof of local attraction

    The energy $E = \Vert\varphi\Vert^2 + \Vert\theta\Vert^2 = r^2 + s^2$ obeys

    $$\dot E = -4\lambda\,\Vert\varphi\Vert\,\bigl(\Vert\varphi\Vert - c\bigr):$$

    the penalty pumps energy in while $\Vert\varphi\Vert < c$ and drains it while $\Vert\varphi\Vert > c$; on the
    orbit it is conserved ($E = 2c^2$). This explains why trajectories neither reach the origin nor escape, but it
    is not by itself a proof (the sign of $\dot E$ changes along a turn).

    The proof of *local* attraction is the linearisation of the invariant system at the rest point
    $(r, s, u) = (c, c, 0)$ (smooth there, since $r = c > 0$). Its characteristic polynomial is
    $x^3 + 2\lambda x^2 + 4x + 4\lambda$, independent of $c$; by Routh-Hurwitz (all coefficients positive and
    $2\lambda\cdot 4 > 4\lambda$) every root has negative real part for every $\lambda > 0$. So near the orbit
    $r, s, u$ converge exponentially to $c, c, 0$: the orbit is orbitally asymptotically stable, a limit cycle.
    We derive the matrix by hand and compare it with the library's.
    """),
    code(r"""
    assert sp.factor(d_r2 + d_s2) == -4 * lam * r * (r - c)  # dE/dt
    rates = sp.Matrix([d_r2 / (2 * r), d_s2 / (2 * s_), d_u])  # (r', s', u')
    J3 = rates.jacobian([r, s_, u]).subs({r: c, s_: c, u: 0})
    assert J3 == orbit_lib.reduced_jacobian  # same variables (|phi|, |theta|, theta.phi) as the library
    cubic = J3.charpoly(mu).as_expr()
    assert sp.expand(cubic - (mu**3 + 2 * lam * mu**2 + 4 * mu + 4 * lam)) == 0
    one, a2, a1, a0 = sp.Poly(cubic, mu).all_coeffs()
    assert all(coef.is_positive for coef in (a2, a1, a0, sp.expand(a2 * a1 - a0)))  # Routh-Hurwitz
    assert orbit_lib.stability == "attracting"
    sigma = float(-max(sp.re(root) for root in sp.Poly(cubic.subs(lam, lam0), mu).nroots()))
    print(f"rate of attraction at lam = {lam0}: sigma = {sigma:.5f}  (slowest root of the cubic)")
    """),
    md(r"""
    ## 4. Side by side, from the post's initial state

    Both runs start at $(\varphi_1, \varphi_2, \theta_1, \theta_2) = (0.1, 0.2, 0.2, 0.1)$ with $\lambda = 1/10$, as in
    the post's figure: the generator $\theta$ in its plane, the equilibrium as a red dot. Below, the analytic
    predictions over the numerics: for $c = 0$, $\Vert z(t)\Vert$ on a log axis against the envelope
    $e^{-\lambda t}$; for $c = 1$, the circle of radius $c$, and the distance of $\Vert\theta(t)\Vert$ from $c$
    against $e^{-\sigma t}$, with $\sigma$ the rate of attraction computed above.
    """),
    code(r"""
    c1 = 1
    run1 = analyze("wgan_gp", params={"lam": lam0, "c": c1}).simulate(X0, 200.0, dt=0.01)
    times = run1.times
    norm_z0 = np.linalg.norm(run0.states[0], axis=1)
    theta1, phi1 = np.linalg.norm(run1.theta[0], axis=1), np.linalg.norm(run1.phi[0], axis=1)
    dot1 = np.einsum("ki,ki->k", run1.phi[0], run1.theta[0])
    radius_gap = np.abs(theta1 - c1)  # distance of |theta| from the radius of the orbit

    # c = 0: |z(t)| e^{lam t} is periodic (a rotation), so |z| decays exactly at the rate lam
    scaled = norm_z0 * np.exp(float(lam0) * run0.times)
    period, k50 = int(round(np.pi / np.sqrt(0.99) / 0.01)), 5000  # |z| e^{lam t} has period pi/sqrt(1 - lam^2)
    assert abs(scaled[k50 - period : k50].max() / scaled[:period].max() - 1) < 1e-5
    # c = 1: the trajectory ends on the orbit |phi| = |theta| = c, theta . phi = 0
    assert abs(theta1[-1] - c1) < 1e-3 and abs(phi1[-1] - c1) < 1e-3 and abs(dot1[-1]) < 1e-3
    # ... and approaches it at the rate sigma (peaks of ||theta| - c| over windows of length pi)
    win = int(round(np.pi / 0.01))
    late = times >= 100
    peaks = radius_gap[late][: late.sum() // win * win].reshape(-1, win).max(axis=1)
    centres = times[late][: late.sum() // win * win].reshape(-1, win).mean(axis=1)
    measured = -np.polyfit(centres, np.log(peaks), 1)[0]
    assert abs(measured / sigma - 1) < 0.05, (measured, sigma)
    print(f"c = 1: final |theta| = {theta1[-1]:.6f}, |phi| = {phi1[-1]:.6f}, theta.phi = {dot1[-1]:.1e}")
    print(f"rate of attraction: measured {measured:.4f}, predicted sigma = {sigma:.4f}")
    """),
    code(r"""
    fig = Figure(figsize=(10, 9), layout="constrained")
    axes = fig.subplots(2, 2)
    theta_plane(run0, ax=axes[0, 0])
    theta_plane(run1, ax=axes[0, 1])
    ring = np.linspace(0, 2 * np.pi, 400)
    axes[0, 1].plot(c1 * np.cos(ring), c1 * np.sin(ring), "k--", lw=1.2, label=f"orbit: circle of radius c = {c1}")
    axes[0, 1].legend(loc="upper right", fontsize=9)
    for ax in axes[0]:
        ax.set_aspect("equal")
    distance_plot({"numerics": run0}, ax=axes[1, 0], title=r"$c = 0$: distance to the equilibrium")
    envelope = norm_z0[0] * np.exp(-float(lam0) * run0.times)
    axes[1, 0].plot(run0.times, envelope, "k--", lw=1, label=r"$\Vert z(0)\Vert\,e^{-\lambda t}$")
    axes[1, 0].legend()
    axes[1, 1].semilogy(times[::4], radius_gap[::4], lw=0.8, label=r"$|\,\Vert\theta(t)\Vert - c\,|$, numerics")
    tail = times[times >= 30]
    predicted = peaks[0] * np.exp(-sigma * (tail - centres[0]))
    axes[1, 1].semilogy(tail, predicted, "k--", lw=1.2, label=r"$\propto e^{-\sigma t}$, $\sigma$ from the cubic")
    axes[1, 1].set(xlabel="time $t$", title=r"$c = 1$: approach to the orbit of radius $c$")
    axes[1, 1].grid(True, which="both", alpha=0.3)
    axes[1, 1].legend()
    fig
    """),
    md(r"""
    ### The radius as a function of $c$

    The orbit's radius in the $\theta$ plane is $c$ whatever $\lambda$. `Analysis.verify` integrates from eight
    random initial states (in the ball of radius $0.5$) for each $c$, finds that they all settle on one closed
    orbit, and measures its radius and angular frequency: $c$ and $1$.
    """),
    code(r"""
    rows = ["| $c$ | behaviour | radius: measured | predicted | frequency: measured | predicted |", "|---" * 6 + "|"]
    for centre in (sp.Rational(1, 2), 1, 2):
        check = analyze("wgan_gp", params={"lam": lam0, "c": centre}).verify()
        assert check.behaviour == "limit-cycle" and check.agrees
        assert abs(check.radius / float(centre) - 1) < 1e-3 and abs(check.frequency - 1) < 1e-3
        rows.append(f"| {centre} | {check.behaviour} | {check.radius:.6f} | {centre} | {check.frequency:.6f} | 1 |")
    Markdown("\n".join(rows))
    """),
    md(r"""
    ## 5. What is proved, and what is only observed

    **Proved exactly** (symbolic $\lambda > 0$, and $c > 0$ where it appears; each statement is an `assert` above):

    * $c = 0$: the field is linear with block $B = \begin{pmatrix}-2\lambda & -1\\ 1 & 0\end{pmatrix}$, eigenvalues
      $-\lambda \pm \sqrt{\lambda^2 - 1}$ (each twice), asymptotically stable for every $\lambda > 0$ (globally, the
      system being linear); focus for $\lambda < 1$, critical (Jordan block) at $\lambda = 1$, node for $\lambda > 1$;
      the closed form $e^{Bt}$ solves the ODE; the decay rate is $r(\lambda)$, largest ($= 1$) at $\lambda = 1$.
    * $c \ne 0$: no Jacobian at the origin (one-sided limits $\pm 2\lambda c$); the origin is unstable (Chetaev,
      $V = \Vert\varphi\Vert^2$); the circles $\Vert\varphi\Vert = \Vert\theta\Vert = c$, $\theta\perp\varphi$, are
      periodic orbits of angular frequency $1$ for every $\lambda$, the only solutions with constant
      $\Vert\varphi\Vert, \Vert\theta\Vert, \theta\cdot\varphi$, and they attract the trajectories that start
      near them (Routh-Hurwitz on the invariant system), at the rate $\sigma(\lambda)$; the energy identity
      $\dot E = -4\lambda\Vert\varphi\Vert(\Vert\varphi\Vert - c)$.

    **Observed numerically only:** that the trajectory from the post's initial state, and those from random
    initial states in the ball of radius $0.5$, reach the orbit (its basin of attraction is not determined
    analytically: global attraction is not proved); the agreement of the measured rates, frequencies and radii
    with the predictions, to the tolerances asserted.
    """),
]


# ============================================================================================
# The post, claim by claim
# ============================================================================================
POST_WALKTHROUGH = [
    md(r"""
    # The post, claim by claim

    The post studies GAN training as a dynamical system on the *Dirac GAN*: the real data is the single point
    $x_r = 0$, the generator's sample is its parameter vector $\theta \in \mathbb{R}^n$, the discriminator is
    linear before its activation, $D(x) = x\cdot\varphi$, and each player follows the gradient flow of its own loss
    (eqs. 2-4): $\dot\varphi = -\nabla_\varphi L_D$, $\dot\theta = -\nabla_\theta L_G$. Its claims (equation
    numbers are the post's):

    | § | case | claim |
    |---|---|---|
    | 1 | vanilla GAN, non-saturating (eqs. 5-9) | linearisation is a centre (eqs. 8-9); oscillates, does not converge |
    | 2 | WGAN, $D$ normalised (eqs. 10-12) | no linearisation at the origin; oscillates, does not converge; $n \ge 2$ |
    | 3 | WGAN-GP, $c = 0$ (eqs. 13-16) | a linear system; converges to the origin for $\lambda > 0$ |
    | 4 | WGAN-GP, $c = 1$ | field discontinuous at $\varphi = 0$; settles onto a circle, does not converge |
    | 5 | GAN-QP (eqs. 17-19) | oscillates; does not converge |
    | 6 | any GAN + L2 on $D$'s weights | the oscillation is damped; the trajectory moves toward the equilibrium |
    | 7 | any GAN + EMA of $G$'s weights | trajectory unchanged; its average much closer to the equilibrium |
    | 8 | the dimension | pictures in $n = 2$; in $n = 1$ vanilla GAN converges (sub-exponentially) |

    For each case: the library's derivation (`Analysis.derivation()`, rendered from its LaTeX), its verdict, the
    numerical check (`Analysis.verify()`, random initial states) and the trajectory from the post's initial state
    $(\varphi_1, \varphi_2, \theta_1, \theta_2) = (0.1, 0.2, 0.2, 0.1)$, as in the post's figures (the generator
    in its plane, the equilibrium as a red dot). Each analytical statement is an `assert` against a value derived
    here by hand. The WGAN-GP cases are worked out in full in `wgan_gp_c0_vs_c1.ipynb`.
    """),
    code(r"""
    %matplotlib inline
    import re

    import numpy as np
    import sympy as sp
    from IPython.display import Latex, Markdown, display
    from matplotlib.figure import Figure

    from stability import analyze, sigmoid
    from stability.plotting import distance_plot, ema_plot, post_experiment, post_initial_state, theta_plane

    mu, x = sp.Symbol("mu"), sp.Symbol("x", real=True)
    half = sp.Rational(1, 2)
    X0 = post_initial_state(2)
    assert X0.tolist() == [0.1, 0.2, 0.2, 0.1]
    MATH = re.compile(r"(\$[^$]*\$|\\\[.*?\\\])", re.S)  # inline or display maths inside LaTeX prose
    TEXT = {r"\textbar{}": "|", r"\textasciicircum{}": "^", r"\_": "_", "~": " ", "--": "–"}


    def markdown(latex_prose):
        # The library's prose is LaTeX text mode; show it as Markdown (display only).
        parts = MATH.split(latex_prose)
        for i, part in enumerate(parts):
            if i % 2 and part.startswith(r"\["):
                parts[i] = "$$" + part[2:-2] + "$$"
            elif i % 2 == 0:
                for old, new in TEXT.items():
                    part = part.replace(old, new)
                part = re.sub(r"\\textbf\{([^{}]*)\}", r"**\1**", part)
                parts[i] = re.sub(r"\\texttt\{([^{}]*)\}", r"`\1`", part)
        return "".join(parts)


    def show(analysis, keys=None):
        # The library's derivation of `analysis`, step by step (only the steps named in `keys`, if given).
        for step in analysis.derivation():
            if keys is None or step.key in keys:
                display(Markdown(f"**{step.title}.** " + markdown(step.text)))
                if step.latex:
                    display(Latex(step.latex))
                if step.note:
                    display(Markdown(markdown(step.note)))


    def named(*exprs):
        # The symbols of the library's expressions, by name: phi, theta, |phi|, |theta|, theta.phi, ...
        return {s.name: s for e in exprs for s in sp.sympify(e).free_symbols}


    def sig(v):
        return 1 / (1 + sp.exp(-v))  # the logistic function, written out


    def limits_along_phi1(analysis, component):
        # The one-sided limits of one field component as the origin is approached along the phi_1 axis.
        on_axis = {s: 0 for s in analysis.state} | {analysis.state[0]: x}
        f = analysis.vector_field[component].subs(on_axis)
        return sp.limit(f, x, 0, "+"), sp.limit(f, x, 0, "-")
    """),
    md(r"""
    ## 1. Vanilla GAN, non-saturating (eqs. 5-9): a centre; oscillates and does not converge

    $D = \sigma(x\cdot\varphi)$, $L_D = -\log D(x_r) - \log(1 - D(x_f))$, $L_G = -\log D(x_f)$. The library derives
    the field (eq. 7), linearises it (eq. 8: $\sigma(\theta\cdot\varphi) \approx 1/2$), eliminates $\varphi$
    (eq. 9) and finds the eigenvalues $\pm i/2$: a centre, on which linearisation is silent; the nonlinear
    analysis decides.
    """),
    code(r"""
    ns = analyze("vanilla_ns")
    show(ns)
    """),
    md(r"""
    **By hand.** Eq. (7) in components, with $\sigma$ written out; it is smooth, so its Jacobian at the origin
    can be computed by differentiating and substituting $0$. Eq. (8) is that Jacobian; its block squares to
    $-I/4$, which is eq. (9), $\ddot\theta = -\theta/4$ (and the same for $\varphi$); the characteristic
    polynomial $\mu^2 + 1/4$ gives $\pm i/2$.
    """),
    code(r"""
    p1, p2, t1, t2 = ns.state
    u12 = p1 * t1 + p2 * t2
    eq7 = sp.Matrix([-sig(u12) * t1, -sig(u12) * t2, (1 - sig(u12)) * p1, (1 - sig(u12)) * p2])
    assert (ns.vector_field.replace(sigmoid, sig) - eq7).applyfunc(sp.simplify) == sp.zeros(4, 1)
    assert eq7.jacobian(ns.state).subs(dict.fromkeys(ns.state, 0)) == ns.jacobian  # eq. (8)
    B_ns = sp.Matrix([[0, -half], [half, 0]])
    assert ns.block == B_ns and B_ns**2 == -sp.eye(2) / 4  # eq. (9): x'' = -x/4
    steps = {step.key: step for step in ns.derivation()}
    assert (steps["second_order"].values["damping"], steps["second_order"].values["stiffness"]) == (0, -sp.S(1) / 4)
    assert sp.expand((mu * sp.eye(2) - B_ns).det()) == mu**2 + sp.S(1) / 4
    assert ns.eigenvalues == {sp.I / 2: 2, -sp.I / 2: 2} and ns.classification == "center"
    """),
    md(r"""
    **Nonlinear.** With $E = \Vert\varphi\Vert^2 + \Vert\theta\Vert^2$ and $u = \theta\cdot\varphi$,
    $\dot E = 2\varphi\cdot\dot\varphi + 2\theta\cdot\dot\theta = 2u(1 - 2\sigma(u)) = -2u\tanh(u/2) \le 0$, zero
    exactly where $u = 0$. In $n = 2$ that set holds rotations ($\varphi\perp\theta$, $\Vert\varphi\Vert =
    \Vert\theta\Vert$) at angular frequency $1/2$, on which $E$ stays constant: the origin is Lyapunov-stable but
    not asymptotically stable, and trajectories approach those rotations (LaSalle) — they keep oscillating.
    """),
    code(r"""
    nl_ns = ns.nonlinear
    u = named(nl_ns.dV)["theta.phi"]
    assert nl_ns.verdict == "stable" and nl_ns.method == "lasalle"  # Lyapunov-stable, not asymptotically
    assert sp.simplify((nl_ns.dV.replace(sigmoid, sig) + 2 * u * sp.tanh(u / 2)).rewrite(sp.exp)) == 0
    (family,) = nl_ns.orbits
    assert (family.kind, family.frequency, family.stability) == ("family", half, "attracting")
    check_ns = ns.verify()
    assert check_ns.behaviour == "oscillates" and check_ns.agrees and abs(check_ns.frequency - 0.5) < 0.01
    run_ns = post_experiment(ns)  # t in [0, 100], as in the post
    assert run_ns.norm[0, -1] > 0.5 * run_ns.norm[0, 0]  # still far from the equilibrium
    print(check_ns.explanation)
    theta_plane(run_ns)
    """),
    md(r"""
    The saturating form ($L_G = \log(1 - D(x_f))$) has the same centre, and there $\dot E = 0$ exactly:
    $E$ is conserved and every trajectory is a closed orbit — no convergence either.
    """),
    code(r"""
    sat = analyze("vanilla_sat")
    assert sat.eigenvalues == ns.eigenvalues and sat.classification == "center"
    assert sat.nonlinear.method == "conserved" and sat.nonlinear.dV == 0 and sat.nonlinear.verdict == "stable"
    print(sat.nonlinear.reason)
    """),
    md(r"""
    ## 2. WGAN, $D$ normalised (eqs. 10-12): no linearisation; oscillates

    $D(x) = x\cdot\varphi/\Vert\varphi\Vert$ is 1-Lipschitz by construction; $L_D = D(x_f) - D(x_r)$,
    $L_G = -D(x_f)$. Every term of the field (eq. 12) divides by $\Vert\varphi\Vert$.
    """),
    code(r"""
    wg = analyze("wgan")
    show(wg)
    """),
    md(r"""
    **By hand.** Eq. (12):
    $\dot\varphi = -\theta/\Vert\varphi\Vert + (\theta\cdot\varphi)\,\varphi/\Vert\varphi\Vert^3$,
    $\dot\theta = \varphi/\Vert\varphi\Vert$. Along the $\varphi_1$ axis $\dot\theta_1$ tends to $+1$ from one side and
    $-1$ from the other: no Jacobian, not even a limit. The unit vector $\varphi/\Vert\varphi\Vert$ is what needs
    $n \ge 2$ to be more than a sign.
    """),
    code(r"""
    phi_dot, theta_dot = wg.field_equations()
    v = named(phi_dot, theta_dot)
    phi, theta, r, u = v["phi"], v["theta"], v["|phi|"], v["theta.phi"]
    assert sp.simplify(phi_dot - (-theta / r + u * phi / r**3)) == 0 and sp.simplify(theta_dot - phi / r) == 0
    assert wg.classification == "non-differentiable" and wg.jacobian is None and wg.equilibrium is None
    assert ("theta'", phi / r) in {(term.equation, term.term) for term in wg.singular_terms}
    assert limits_along_phi1(wg, 2) == (1, -1)  # theta_1' jumps
    check_wg = wg.verify(samples=4, t_end=50.0)
    assert check_wg.behaviour == "oscillates" and check_wg.final_distance > 0.1
    print(check_wg.explanation)
    print("nonlinear:", wg.nonlinear.verdict, "-", wg.nonlinear.reason)
    theta_plane(post_experiment(wg))  # t in [0, 10], as in the post
    """),
    md(r"""
    ## 3. WGAN-GP, $c = 0$ (eqs. 13-16): a linear system that converges for every $\lambda > 0$

    $L_D = D(x_f) - D(x_r) + \lambda(\Vert\nabla_x D\Vert - c)^2$ with $\nabla_x D = \varphi$. With $c = 0$ and
    $\lambda$ symbolic:
    """),
    code(r"""
    lam = sp.Symbol("lam", positive=True)
    gp0 = analyze("wgan_gp", params={"lam": lam, "c": 0})
    show(gp0)
    """),
    md(r"""
    **By hand.** $\dot\varphi = -2\lambda\varphi - \theta$, $\dot\theta = \varphi$: block
    $\begin{pmatrix}-2\lambda & -1\\ 1 & 0\end{pmatrix}$, characteristic polynomial $\mu^2 + 2\lambda\mu + 1$ with
    roots $-\lambda \pm \sqrt{\lambda^2 - 1}$; sum $-2\lambda < 0$ and product $1 > 0$, so both real parts are
    negative for every $\lambda > 0$. Numerically, at the post's $\lambda = 1/10$: rate $1/10$, angular frequency
    $\sqrt{0.99}$.
    """),
    code(r"""
    B_gp = sp.Matrix([[-2 * lam, -1], [1, 0]])
    assert gp0.block == B_gp
    assert sp.expand((mu * sp.eye(2) - B_gp).det()) == mu**2 + 2 * lam * mu + 1
    assert gp0.eigenvalues == {-lam + sp.sqrt(lam**2 - 1): 2, -lam - sp.sqrt(lam**2 - 1): 2}
    assert gp0.classification == "stable" and gp0.conditions["stable"].as_set() == sp.Interval.open(0, sp.oo)
    gp0_post = analyze("wgan_gp", params={"lam": sp.Rational(1, 10), "c": 0})
    check_gp0 = gp0_post.verify()
    assert check_gp0.behaviour == "converges" and check_gp0.agrees
    assert abs(check_gp0.rate - 0.1) < 2e-3 and abs(check_gp0.frequency - np.sqrt(0.99)) < 2e-3
    print(check_gp0.explanation)
    theta_plane(post_experiment(gp0_post))  # t in [0, 40]
    """),
    md(r"""
    ## 4. WGAN-GP, $c = 1$: no Jacobian; the trajectories settle onto a circle

    With the post's $\lambda = 1/10$ and $c = 1$ the penalty's gradient contains
    $2\lambda c\,\varphi/\Vert\varphi\Vert$, which jumps at $\varphi = 0$. The nonlinear analysis finds the closed
    orbit $\Vert\varphi\Vert = \Vert\theta\Vert = c$, $\theta\perp\varphi$, at angular frequency $1$, and proves
    that it attracts.
    """),
    code(r"""
    gp1 = analyze("wgan_gp", params={"c": 1})  # lam = 1/10, the post's value and the library's default
    show(gp1)
    """),
    code(r"""
    lam0, c1 = gp1.params["lam"], gp1.params["c"]
    assert (lam0, c1) == (sp.Rational(1, 10), 1)
    (term,) = gp1.singular_terms
    phi, r = named(term.term)["phi"], named(term.term)["|phi|"]
    assert gp1.classification == "non-differentiable" and sp.simplify(term.term - 2 * lam0 * c1 * phi / r) == 0
    assert limits_along_phi1(gp1, 0) == (2 * lam0 * c1, -2 * lam0 * c1)  # phi_1' jumps by 4 lam c
    (orbit,) = gp1.nonlinear.orbits
    assert (orbit.radius_phi, orbit.radius_theta, orbit.frequency, orbit.stability) == (c1, c1, 1, "attracting")
    check_gp1 = gp1.verify()
    assert check_gp1.behaviour == "limit-cycle" and abs(check_gp1.radius - 1) < 1e-3
    assert abs(check_gp1.frequency - 1) < 1e-3
    print(check_gp1.explanation)
    fig = theta_plane(post_experiment(gp1))  # t in [0, 40]
    ring = np.linspace(0, 2 * np.pi, 300)
    fig.axes[0].plot(np.cos(ring), np.sin(ring), "k--", lw=1, label="the orbit: radius c = 1")
    fig.axes[0].legend(loc="upper right", fontsize=9)
    fig
    """),
    md(r"""
    ## 5. GAN-QP (eqs. 17-19): a centre; oscillates and does not converge

    $L_D = D(x_f) - D(x_r) + (D(x_f) - D(x_r))^2/(2\lambda\Vert x_f - x_r\Vert)$, $L_G = -D(x_f)$, with the
    library's default $\lambda = 1$. Derived from these losses, the field (eq. 19) divides by $\Vert\theta\Vert$
    (the post's figure script divides by $\Vert\varphi\Vert$ instead).
    """),
    code(r"""
    qp = analyze("gan_qp")
    show(qp)
    """),
    md(r"""
    **By hand.** Eq. (19): $\dot\varphi = -\theta - (\theta\cdot\varphi)\,\theta/(\lambda\Vert\theta\Vert)$,
    $\dot\theta = \varphi$. The quadratic term has norm at most $\Vert\varphi\Vert\Vert\theta\Vert/\lambda$
    (Cauchy-Schwarz), so it does not enter the Jacobian: block $\begin{pmatrix}0 & -1\\ 1 & 0\end{pmatrix}$,
    eigenvalues $\pm i$, a centre. Nonlinear: $\dot E = -2u^2/(\lambda\Vert\theta\Vert) \le 0$, zero on
    $u = \theta\cdot\varphi = 0$, which holds rotations at frequency $1$: Lyapunov-stable, not asymptotically.
    """),
    code(r"""
    lam_qp = qp.params["lam"]
    phi_dot, theta_dot = qp.field_equations()
    v = named(phi_dot, theta_dot)
    phi, theta, s, u = v["phi"], v["theta"], v["|theta|"], v["theta.phi"]
    assert sp.simplify(phi_dot - (-theta - u * theta / (lam_qp * s))) == 0 and theta_dot == phi  # eq. (19)
    B_qp = sp.Matrix([[0, -1], [1, 0]])
    assert qp.block == B_qp and sp.expand((mu * sp.eye(2) - B_qp).det()) == mu**2 + 1
    assert qp.eigenvalues == {sp.I: 2, -sp.I: 2} and qp.classification == "center"
    nl_qp = qp.nonlinear
    assert nl_qp.verdict == "stable" and sp.simplify(nl_qp.dV + 2 * u**2 / (lam_qp * s)) == 0
    assert [o.frequency for o in nl_qp.orbits] == [1]
    check_qp = qp.verify()
    assert check_qp.behaviour == "oscillates" and check_qp.agrees and abs(check_qp.frequency - 1) < 0.02
    print(check_qp.explanation)
    theta_plane(post_experiment(qp))  # t in [0, 40]
    """),
    md(r"""
    ## 6. L2 regularisation of the discriminator's weights: the oscillation is damped

    Adding $\alpha\Vert\varphi\Vert^2$ to $L_D$ adds $-2\alpha\varphi$ to $\dot\varphi$, i.e. $-2\alpha$ to the top-left
    entry of the block. For vanilla GAN: $B = \begin{pmatrix}-2\alpha & -1/2\\ 1/2 & 0\end{pmatrix}$,
    $\det(\mu I - B) = \mu^2 + 2\alpha\mu + 1/4$: both real parts are negative exactly when $\alpha > 0$ (the sum of
    the roots is $-2\alpha$, their product $1/4$), so any $\alpha > 0$ turns the centre into a stable focus (for
    $\alpha < 1/2$, decaying at the rate $\alpha$). With $\alpha$ symbolic ($\alpha \ge 0$):
    """),
    code(r"""
    l2 = analyze("vanilla_ns", regularizers=["l2"])
    alpha = l2.regularizers["l2"]
    show(l2, keys=("field", "eigenvalues", "verdict"))
    """),
    code(r"""
    B_l2 = sp.Matrix([[-2 * alpha, -half], [half, 0]])
    assert l2.block == B_l2
    assert sp.expand((mu * sp.eye(2) - B_l2).det()) == mu**2 + 2 * alpha * mu + sp.S(1) / 4
    assert l2.conditions["stable"].as_set() == sp.Interval.open(0, sp.oo)
    assert l2.conditions["center"].as_set() == sp.FiniteSet(0)
    shift = sp.Matrix([[-2 * alpha, 0], [0, 0]])
    for name in ("vanilla_sat", "gan_qp"):  # the same mechanism in the other differentiable centres
        with_l2 = analyze(name, regularizers=["l2"])
        assert with_l2.block == analyze(name).block + shift
        assert with_l2.conditions["stable"].as_set() == sp.Interval.open(0, sp.oo)
    l2_post = analyze("vanilla_ns", regularizers={"l2": sp.Rational(1, 10)})
    check_l2 = l2_post.verify()
    assert check_l2.behaviour == "converges" and check_l2.agrees and abs(check_l2.rate - 0.1) < 2e-3
    print(check_l2.explanation)
    """),
    code(r"""
    fig = Figure(figsize=(11, 5.2), layout="constrained")
    left, right = fig.subplots(1, 2)
    theta_plane(run_ns, ax=left)
    theta_plane(post_experiment(l2_post), ax=right)
    fig
    """),
    md(r"""
    "Any GAN" needs a caveat: for WGAN-GP with $c = 1$ the L2 term does not restore convergence. On a rotation
    ($\theta\perp\varphi$, constant norms) the coefficient of $\varphi$ in $\dot\varphi$,
    $-2\lambda(1 - c/\Vert\varphi\Vert) - 2\alpha$, must vanish, so the circle survives with the smaller radius
    $\lambda c/(\lambda + \alpha)$: the trajectory moves toward the equilibrium, but still does not reach it.
    """),
    code(r"""
    gp1_l2 = analyze("wgan_gp", params={"c": 1}, regularizers=["l2"])
    (orbit_l2,) = gp1_l2.nonlinear.orbits
    r_hand = lam0 * c1 / (lam0 + alpha)
    assert sp.simplify(orbit_l2.radius_theta - r_hand) == 0 and orbit_l2.stability == "attracting"
    assert gp1_l2.nonlinear.verdict == "unstable"  # the origin is still repelling
    print(orbit_l2.describe())
    """),
    md(r"""
    ## 7. Weight EMA of the generator: same trajectory, average much closer to the equilibrium

    $\theta_{EMA} \leftarrow \beta\,\theta_{EMA} + (1 - \beta)\,\theta$ once per training step $\Delta t = 0.01$ (the
    step of the simulation), $\beta = 0.999$. The EMA only reads the trajectory, so it cannot change it. On the
    rotation the vanilla GAN settles on (angular frequency $\omega = 1/2$), the EMA is a linear filter: for
    $\theta_k = e^{i\omega k\Delta t}$, $\theta_{EMA,k} = H\theta_k$ with
    $H = \beta H e^{-i\omega\Delta t} + 1 - \beta$, so
    $\Vert\theta_{EMA}(t)\Vert \approx |H|\,\Vert\theta(t - \delta)\Vert$ with the lag $\delta = -\arg H/\omega$.
    Here $|H| \approx 0.196$: the average sits about five times closer to the equilibrium than the trajectory.
    """),
    code(r"""
    beta, dt = sp.Rational(999, 1000), sp.Rational(1, 100)
    omega = max(sp.im(value) for value in ns.eigenvalues)
    assert omega == family.frequency == half  # the centre's frequency is the rotations' frequency
    H = sp.Symbol("H")
    (H_sol,) = sp.solve(sp.Eq(H, beta * H * sp.exp(-sp.I * omega * dt) + 1 - beta), H)
    H_value = complex(H_sol)
    gain, lag = abs(H_value), -np.angle(H_value) / float(omega)

    same = ns.simulate(X0, 100.0, dt=0.01, ema=())  # no EMA accumulated while integrating
    assert np.array_equal(same.states, run_ns.states)  # the EMA does not feed back into training
    raw = np.linalg.norm(run_ns.theta[0], axis=1)
    ema = np.linalg.norm(run_ns.ema(float(beta))[0], axis=1)
    late = np.flatnonzero(run_ns.times >= 60)
    ratio = ema[late] / raw[late - int(round(lag / float(dt)))]
    assert np.abs(ratio / gain - 1).max() < 0.05
    assert ema[late].max() < 0.25 * raw[late].max()
    print(f"|H| = {gain:.4f}, lag = {lag:.2f}")
    print(f"measured |theta_EMA(t)| / |theta(t - lag)| in [{ratio.min():.4f}, {ratio.max():.4f}] for t >= 60")
    ema_plot(run_ns, float(beta))
    """),
    md(r"""
    ## 8. Dimension 1 versus dimension 2 (vanilla GAN)

    The post's pictures are in $n = 2$. In $n = 1$ the verdict changes: $\theta\cdot\varphi = 0$ forces
    $\varphi = 0$ or $\theta = 0$, so the set where $\dot E = -2u\tanh(u/2)$ vanishes holds no rotation, and by
    LaSalle every trajectory converges — but only sub-exponentially, since the linearisation is a centre. The
    library's nonlinear analysis reports both dimensions:
    """),
    code(r"""
    ns1 = analyze("vanilla_ns", dim=1)
    nl1, nl2 = ns1.nonlinear, ns.nonlinear
    assert dict(nl1.by_dim) == dict(nl2.by_dim) == {"n = 1": "asymptotically-stable", "n >= 2": "stable"}
    assert (nl1.verdict, nl1.convergence, nl1.decay_exponent) == ("asymptotically-stable", "sub-exponential", half)
    print(nl1.dim_note)
    display(Markdown(markdown(nl1.to_latex())))
    """),
    md(r"""
    **By hand.** In $n = 2$ the rotation $\varphi = \rho(\cos\frac t2, \sin\frac t2)$,
    $\theta = \rho(\sin\frac t2, -\cos\frac t2)$ keeps $u = 0$, hence $\sigma(u) = 1/2$, and solves the library's
    field exactly, for every radius $\rho$. In $n = 1$, near the origin $\dot E = -u^2 + O(u^4)$; averaged over
    one turn of the linear rotation $\varphi = \rho\cos\frac t2$, $\theta = \rho\sin\frac t2$ (period $4\pi$),
    $\overline{u^2} = \rho^4/8$, so $\frac{d}{dt}\rho^2 \approx -\rho^4/8$ and
    $\rho^2(t) \approx \bigl(1/\rho_0^2 + t/8\bigr)^{-1}$: $\Vert z\Vert \sim t^{-1/2}$, the library's exponent.
    The numerics follow this prediction from the post's initial state, in both dimensions.
    """),
    code(r"""
    rho, tau, y0, t = sp.Symbol("rho", positive=True), *sp.symbols("tau y0 t", positive=True)
    c2, s2 = rho * sp.cos(tau / 2), rho * sp.sin(tau / 2)
    rotation = {p1: c2, p2: s2, t1: s2, t2: -c2}
    z = sp.Matrix([rotation[v] for v in ns.state])
    assert (z.diff(tau) - ns.vector_field.subs(rotation)).applyfunc(sp.simplify) == sp.zeros(4, 1)
    u = sp.Symbol("u", real=True)
    assert sp.series(-2 * u * sp.tanh(u / 2), u, 0, 4).removeO() == -(u**2)
    mean_u2 = sp.integrate((c2 * s2) ** 2, (tau, 0, 4 * sp.pi)) / (4 * sp.pi)
    assert sp.simplify(mean_u2 - rho**4 / 8) == 0
    averaged = 1 / (1 / y0 + t / 8)  # rho^2(t), solving y' = -y^2/8
    assert sp.simplify(averaged.diff(t) + averaged**2 / 8) == 0 and averaged.subs(t, 0) == y0
    averaged
    """),
    code(r"""
    run1 = ns1.simulate(post_initial_state(1), 1000.0, dt=0.1)
    run2 = ns.simulate(X0, 1000.0, dt=0.1)
    r2 = run1.norm[0] ** 2
    predicted = sp.lambdify(t, averaged.subs(y0, r2[0]), "numpy")(run1.summary_times)
    assert np.abs(r2 / predicted - 1).max() < 0.02  # the averaged prediction, along the whole run
    assert run2.norm[0, -1] > 0.5 * run2.norm[0, 0]  # in n = 2 it does not converge
    check_ns1 = ns1.verify()
    assert check_ns1.behaviour == "slow-convergence" and check_ns1.agrees
    fig = distance_plot({"n = 1": run1, "n = 2": run2}, title="vanilla GAN: distance to the equilibrium")
    fig.axes[0].plot(run1.summary_times, np.sqrt(predicted), "k--", lw=1, label=r"$n = 1$: $(1/\rho_0^2 + t/8)^{-1/2}$")
    fig.axes[0].legend()
    fig
    """),
    md(r"""
    ## Summary

    The table is built from the objects computed above (each entry was asserted in its section).
    """),
    code(r"""
    cases = [
        ("1. vanilla, non-saturating", ns, check_ns),
        ("2. WGAN", wg, check_wg),
        ("3. WGAN-GP, c = 0 (λ = 1/10)", gp0_post, check_gp0),
        ("4. WGAN-GP, c = 1 (λ = 1/10)", gp1, check_gp1),
        ("5. GAN-QP", qp, check_qp),
        ("6. vanilla + L2 (α = 1/10)", l2_post, check_l2),
    ]
    rows = ["| case | linearisation | nonlinear verdict ($n = 2$) | numerics |", "|---|---|---|---|"]
    for title, a, check in cases:
        plain = a.detail == a.classification or a.classification == "non-differentiable"
        linear = a.classification if plain else f"{a.classification} ({a.detail})"
        rows.append(f"| {title} | {linear} | {a.nonlinear.verdict} | {check.behaviour} |")
    rows.append(f"| 7. vanilla + EMA (β = 0.999) | unchanged | unchanged | average {1 / gain:.1f}× closer |")
    rows.append(f"| 8. vanilla, $n = 1$ | {ns1.classification} | {nl1.verdict} ($n = 1$) | {check_ns1.behaviour} |")
    Markdown("\n".join(rows))
    """),
]

NOTEBOOKS = {
    "wgan_gp_c0_vs_c1.ipynb": WGAN_GP_C0_VS_C1,
    "post_walkthrough.ipynb": POST_WALKTHROUGH,
}


# ============================================================================================
# Building
# ============================================================================================
def make_notebook(cells) -> nbformat.NotebookNode:
    """A notebook (no outputs yet) from ``[(kind, source), ...]``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = dict(KERNEL_SPEC)
    nb.metadata["language_info"] = {"name": "python"}
    new = {"markdown": nbformat.v4.new_markdown_cell, "code": nbformat.v4.new_code_cell}
    nb.cells = [new[kind](source) for kind, source in cells]
    for i, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{i:02d}"  # stable ids: rebuilding does not churn the diff
    return nb


@contextmanager
def this_interpreter_kernel() -> Iterator[str]:
    """Put a ``python3`` kernel spec for ``sys.executable`` first on ``JUPYTER_PATH`` while the block runs.

    So the notebooks run with the interpreter (and the ``stability``) of this process, whatever
    other ``python3`` kernel specs the machine has.
    """
    from ipykernel.kernelspec import write_kernel_spec

    old = os.environ.get("JUPYTER_PATH")
    with tempfile.TemporaryDirectory() as tmp:
        write_kernel_spec(Path(tmp) / "kernels" / KERNEL_SPEC["name"])
        os.environ["JUPYTER_PATH"] = os.pathsep.join([tmp, *([old] if old else [])])
        try:
            yield KERNEL_SPEC["name"]
        finally:
            if old is None:
                os.environ.pop("JUPYTER_PATH", None)
            else:
                os.environ["JUPYTER_PATH"] = old


def execute(nb: nbformat.NotebookNode, timeout: int = CELL_TIMEOUT) -> nbformat.NotebookNode:
    """Run ``nb`` top to bottom in place (cwd = this folder); raises on the first failing cell."""
    from nbclient import NotebookClient

    with this_interpreter_kernel() as kernel:
        client = NotebookClient(
            nb,
            timeout=timeout,
            kernel_name=kernel,
            resources={"metadata": {"path": str(HERE)}},
            record_timing=False,
        )
        client.execute()
    return nb


def build(name: str) -> float:
    """Write, execute and save one notebook; return the execution time in seconds."""
    nb = make_notebook(NOTEBOOKS[name])
    start = time.perf_counter()
    execute(nb)
    elapsed = time.perf_counter() - start
    nb.metadata.pop("widgets", None)
    nbformat.validate(nb)
    nbformat.write(nb, HERE / name)
    return elapsed


def main(argv: list[str]) -> int:
    wanted = [a if a.endswith(".ipynb") else f"{a}.ipynb" for a in argv] or list(NOTEBOOKS)
    unknown = [w for w in wanted if w not in NOTEBOOKS]
    if unknown:
        print(f"unknown notebook(s) {unknown}; known: {list(NOTEBOOKS)}", file=sys.stderr)
        return 2
    for name in wanted:
        print(f"building {name} ...", flush=True)
        print(f"  executed in {build(name):.1f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
