# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Stability maps and bifurcation diagrams
#
# *For which learning rates and penalty weights does training converge, and how fast?* Because the
# characteristic polynomial of the update map is exact in the parameters, `stability_map` paints a whole
# grid from a handful of compiled polynomial coefficients and draws the **exact** boundary over it;
# `bifurcation` follows the spectrum along one parameter and measures the attractor by simulation.
#
# A stable linearisation of a map has every eigenvalue in the open unit disc. It can only leave the disc
# through $z = 1$ (a **fold**: $p(1) = 0$), through $z = -1$ (a **flip**: $p(-1) = 0$), or with a pair
# $z_i z_j = 1$ on the circle (a **Neimark-Sacker** crossing). For a $2\times 2$ map $p(z) = z^2 - \operatorname{tr}M\,z
# + \det M$ and the three curves are $1 - \operatorname{tr} + \det = 0$, $1 + \operatorname{tr} + \det = 0$ and
# $\det M = 1$. In general the pair condition $\prod_{i<j}(1 - z_i z_j) = 0$ is a factor of the resultant of
# $p(z)$ and its reversal $z^n p(1/z)$ (whose roots are the $1/z_j$).
#
# Each section derives the boundary **by hand** in SymPy and asserts it equal to `m.boundary`; the verdicts on
# either side are checked with `numpy.linalg.eigvals` of the hand-written Jacobian.

# %%
# %matplotlib inline
import numpy as np
import sympy as sp
from IPython.display import Markdown, display
from matplotlib.figure import Figure

from stability.maps import bifurcation, stability_map
from stability.verdicts import Behaviour, Crossing

h = sp.Symbol("h", positive=True)  # the learning rate, both players
g = sp.Symbol("gamma_r1", nonnegative=True)  # the R1 weight
beta = sp.Symbol("beta", real=True)  # heavy-ball momentum
z = sp.Symbol("z")


def same_curve(a, b):
    """Equal zero sets: the ratio of the two polynomials is a non-zero constant."""
    r = sp.cancel(sp.sympify(a) / sp.sympify(b))
    return bool(r.is_number and r != 0)


def boundary_by_hand(M):
    """The fold, flip and pair-crossing factors of the map with Jacobian M (pairs: resultant of p and its reversal)."""
    p = sp.expand(M.charpoly(z).as_expr())
    n = sp.degree(p, z)
    reversed_p = sp.expand(z**n * p.subs(z, 1 / z))
    fold, flip = sp.factor_list(p.subs(z, 1))[1], sp.factor_list(p.subs(z, -1))[1]
    pair = sp.factor_list(sp.resultant(p, reversed_p, z))[1]
    keep = lambda fs: {f for f, _ in fs if f.free_symbols and not (f.is_Symbol and f.is_positive)}  # noqa: E731
    return keep(fold), keep(flip), keep(pair) - keep(fold) - keep(flip)


def verdict(M_num):
    rho = np.abs(np.linalg.eigvals(np.array(M_num, dtype=float))).max()
    return "stable" if rho < 1 - 1e-9 else ("unstable" if rho > 1 + 1e-9 else "neutral")


# %% [markdown]
# ## 1. Simultaneous versus alternating GD on the vanilla GAN, over $(h, \gamma_{r1})$
#
# Near the equilibrium the vanilla GAN with the R1 penalty $\frac{\gamma}{2}\Vert\nabla_x D\Vert^2 =
# \frac{\gamma}{2}\Vert\varphi\Vert^2$ has, since $\sigma(u) = \frac12 + \frac u4 + \dots$, the linear field
# $\dot\varphi = -\gamma\varphi - \theta/2$, $\dot\theta = \varphi/2$: per coordinate pair
# $B = \begin{pmatrix}-\gamma & -1/2\\ 1/2 & 0\end{pmatrix}$. Simultaneous GD is $M = I + hB$; alternating GD
# updates $\theta$ at the new $\varphi$.

# %%
B = sp.Matrix([[-g, -sp.Rational(1, 2)], [sp.Rational(1, 2), 0]])
M_sim = sp.eye(2) + h * B
phi1 = sp.Matrix([[1 + h * B[0, 0], h * B[0, 1]]])  # phi+ as a row of (phi, theta)
M_alt = sp.Matrix.vstack(phi1, sp.Matrix([[0, 1]]) + h * B[1, 0] * phi1 + h * B[1, 1] * sp.Matrix([[0, 1]]))
for name, M in (("simgd", M_sim), ("altgd", M_alt)):
    display(
        Markdown(
            f"**{name}**: $M = {sp.latex(M)}$, $\\det M = {sp.latex(sp.factor(M.det()))}$, "
            f"$\\operatorname{{tr}} M = {sp.latex(sp.expand(M.trace()))}$"
        )
    )

# %% [markdown]
# By hand: for simgd $\det M = 1 - \gamma h + h^2/4$, so the pair crosses at $h = 4\gamma$, and
# $p(-1) = 4 - 2\gamma h + h^2/4$ gives a flip curve; $p(1) = h^2/4 > 0$ never vanishes. For altgd
# $\det M = 1 - \gamma h$: the pair sits **on** the circle when $\gamma = 0$ (neutral for every $h < 4$, as
# Mescheder et al. 2018 show), and $p(-1) = 4 - 2\gamma h - h^2/4$ is the flip curve.

# %%
maps = {
    name: stability_map("vanilla_ns", x=("lr", 0.01, 8), y=("r1", 0, 3), optimizer=name, dim=1, resolution=400)
    for name in ("simgd", "altgd")
}
hand = {"simgd": boundary_by_hand(M_sim), "altgd": boundary_by_hand(M_alt)}
for name, m in maps.items():
    fold, flip, pair = hand[name]
    got = {c.crossing: c.expr for c in m.boundary}
    assert not fold and len(flip) == 1 and len(pair) == 1
    assert set(got) == {Crossing.FLIP, Crossing.NEIMARK_SACKER}
    assert same_curve(got[Crossing.FLIP], flip.pop()) and same_curve(got[Crossing.NEIMARK_SACKER], pair.pop())
assert same_curve(maps["simgd"].boundary[1].expr, h - 4 * g)
assert {c.crossing: c.expr for c in maps["altgd"].boundary}[Crossing.NEIMARK_SACKER] == g
display(
    Markdown(
        "\n".join(
            f"- **{k}**: " + "; ".join(f"{c.crossing}: ${c.latex()}$" for c in m.boundary) for k, m in maps.items()
        )
    )
)

# %% [markdown]
# The verdicts on either side of each curve, from numpy's eigenvalues of the hand-written $M$:

# %%
f_sim = sp.lambdify((h, g), M_sim)
f_alt = sp.lambdify((h, g), M_alt)
assert verdict(f_sim(1.0, 0.5)) == "stable" and verdict(f_sim(3.0, 0.5)) == "unstable"  # across h = 4 gamma
assert verdict(f_sim(2.0, 1.0)) == "stable" and verdict(f_sim(2.0, 2.0)) == "unstable"  # across the flip curve
assert verdict(f_alt(2.0, 0.0)) == "neutral" and verdict(f_alt(2.0, 0.1)) == "stable"  # across gamma = 0
assert verdict(f_alt(3.0, 0.1)) == "stable" and verdict(f_alt(3.0, 1.0)) == "unstable"  # across the flip curve
for name, f in (("simgd", f_sim), ("altgd", f_alt)):
    m = maps[name]
    for hv, gv in ((1.0, 0.5), (3.0, 0.5), (2.0, 2.0), (7.0, 1.0), (3.0, 0.1)):
        i, j = np.abs(m.y - gv).argmin(), np.abs(m.x - hv).argmin()
        assert m.classification[i, j] == verdict(f(m.x[j], m.y[i])), (name, hv, gv)
{k: m.fractions() for k, m in maps.items()}

# %%
fig = Figure(figsize=(13, 5), layout="constrained")
for ax, (name, m) in zip(fig.subplots(1, 2), maps.items()):
    m.plot(ax=ax, title=f"vanilla GAN + R1, {name}")
fig

# %% [markdown]
# Alternating GD is stable for every small step once $\gamma > 0$, and its stable region reaches to larger
# steps; simultaneous GD needs $h < 4\gamma$ at small penalty weights: for a fixed weight too small a step
# is not the problem, too large a step relative to the penalty is. The shade is the spectral radius: the
# fastest contraction is inside, away from both curves.
#
# ## 2. Heavy-ball momentum, alternating, over $(h, \beta)$
#
# With $\gamma = 1$ (so $B = \begin{pmatrix}-1 & -1/2\\ 1/2 & 0\end{pmatrix}$) and the state
# $(\varphi, \theta, \varphi_{\rm prev}, \theta_{\rm prev})$:
# $\varphi^+ = \varphi + h(B\,z)_\varphi + \beta(\varphi - \varphi_{\rm prev})$, then
# $\theta^+ = \theta + h(B_{21}\varphi^+ + B_{22}\theta) + \beta(\theta - \theta_{\rm prev})$.

# %%
B1 = B.subs(g, 1)
phi_p, th_p, phi_q, th_q = sp.symbols("phi_p theta_p phi_q theta_q")
phi_next = phi_p + h * (B1[0, 0] * phi_p + B1[0, 1] * th_p) + beta * (phi_p - phi_q)
th_next = th_p + h * (B1[1, 0] * phi_next + B1[1, 1] * th_p) + beta * (th_p - th_q)
M_mom = sp.Matrix([phi_next, th_next, phi_p, th_p]).jacobian([phi_p, th_p, phi_q, th_q])
m_mom = stability_map(
    "vanilla_ns",
    x=("lr", 0.01, 3),
    y=("beta", -0.9, 0.9),
    optimizer="momentum",
    alternating=True,
    regularizers={"r1": 1},
    dim=1,
    resolution=300,
)
fold, flip, pair = boundary_by_hand(M_mom)
got = {c.crossing: c.expr for c in m_mom.boundary}
assert not fold and set(got) == {Crossing.FLIP, Crossing.NEIMARK_SACKER}
assert any(same_curve(got[Crossing.FLIP], f) for f in flip)
assert any(same_curve(got[Crossing.NEIMARK_SACKER], f) for f in pair)
display(
    Markdown(
        f"flip: ${sp.latex(got[Crossing.FLIP])} = 0$\n\nNeimark-Sacker: ${sp.latex(got[Crossing.NEIMARK_SACKER])} = 0$"
    )
)

# %%
f_mom = sp.lambdify((h, beta), M_mom)
ns = sp.lambdify((h, beta), got[Crossing.NEIMARK_SACKER])
for hv, bv in ((1.0, 0.0), (2.0, 0.3), (2.5, -0.5), (1.0, 0.85)):
    i, j = np.abs(m_mom.y - bv).argmin(), np.abs(m_mom.x - hv).argmin()
    assert m_mom.classification[i, j] == verdict(f_mom(m_mom.x[j], m_mom.y[i]))
assert verdict(f_mom(1.0, 0.3)) == "stable" and verdict(f_mom(1.0, 0.85)) == "unstable"  # across the NS curve
assert np.sign(ns(1.0, 0.3)) != np.sign(ns(1.0, 0.85))
fig = Figure(figsize=(7, 5.2), layout="constrained")
m_mom.plot(ax=fig.add_subplot(), title="vanilla GAN + R1 (weight 1), alternating heavy ball")
fig

# %% [markdown]
# Too much momentum loses stability through a complex pair on the circle (Neimark-Sacker), too large a step
# through $z = -1$ (flip). Mildly negative momentum allows the largest steps here.
#
# ## 3. WGAN-GP: the bifurcation diagram in the centre $c$, with and without L2
#
# For $c \neq 0$ the field $\dot\varphi = -\theta - 2\lambda(1 - c/\Vert\varphi\Vert)\varphi - 2\alpha\varphi$,
# $\dot\theta = \varphi$ has no derivative at the origin (the term $2\lambda c\,\varphi/\Vert\varphi\Vert$), so
# there are eigenvalues only at $c = 0$. On a rotation with $\theta\cdot\varphi = 0$ and constant norms,
# $\dot\theta = \varphi$ and $\dot\varphi = -\theta$ force $\Vert\theta\Vert = \Vert\varphi\Vert$ and the radial
# coefficient must vanish: $2\lambda c/\Vert\varphi\Vert = 2(\lambda + \alpha)$, so by hand
# $$\Vert\theta\Vert = \Vert\varphi\Vert = \frac{\lambda c}{\lambda + \alpha}:\quad c \text{ without L2},\ c/2
# \text{ with } \alpha = \lambda = 0.1.$$

# %%
lam_v, alpha_v = 0.1, 0.1
diagrams = {
    "no L2": bifurcation("wgan_gp", ("c", 0, 2, 200), measure=21),
    "L2, alpha = 0.1": bifurcation("wgan_gp", ("c", 0, 2, 200), regularizers={"l2": alpha_v}, measure=21),
}
for key, b in diagrams.items():
    radius = lam_v / (lam_v + (alpha_v if key != "no L2" else 0.0))
    att = b.attractor
    assert b.differentiable[0] and not b.differentiable[1:].any()  # a Jacobian at c = 0 only
    assert all("no derivative" in d for d in b.details[1:])
    assert b.classification[0] == "stable"
    assert np.allclose(att.predicted, radius * att.values, atol=1e-12)
    assert np.allclose(att.measured, radius * att.values, atol=2e-3)
    assert att.behaviour[0] == Behaviour.CONVERGES and set(att.behaviour[1:]) == {Behaviour.LIMIT_CYCLE}
display(Markdown("\n".join(f"- {k}: {b!r}; {b.attractor!r}" for k, b in diagrams.items())))

# %%
fig = Figure(figsize=(13, 6.5), layout="constrained")
axes = fig.subplots(2, 2, sharex=True)
for col, (key, b) in enumerate(diagrams.items()):
    b.plot(ax=axes[0, col], attractor_ax=axes[1, col], title=f"WGAN-GP, {key}")
fig

# %% [markdown]
# At $c = 0$ the equilibrium is a stable focus (eigenvalues $-\lambda' \pm i\sqrt{1 - \lambda'^2}$ with
# $\lambda' = \lambda + \alpha$); for every $c > 0$ the field is not differentiable at the origin and the runs
# settle on the rotation of radius $\lambda c/(\lambda + \alpha)$, which the library derives exactly
# (`stability.theory.orbits`) and the batched simulations measure: L2 halves the radius here but does not
# remove the cycle.
