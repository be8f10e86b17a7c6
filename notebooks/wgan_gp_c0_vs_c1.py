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
# # WGAN-GP on the Dirac GAN: zero-centred ($c = 0$) versus one-centred ($c = 1$) penalty
#
# The gradient penalty of WGAN-GP (the post's eqs. (13)-(16)) pulls the norm of the critic's input
# gradient towards a centre $c$:
# $L_D = \mathbb{E}_q[D] - \mathbb{E}_p[D] + \lambda\,\mathbb{E}_r[(\Vert\nabla_x D\Vert - c)^2]$,
# $L_G = -\mathbb{E}_q[D]$. On the Dirac GAN ($x_r = 0$, $x_f = \theta$, $D(x) = x\cdot\varphi$, so
# $\nabla_x D = \varphi$) gradient flow gives eq. (16):
#
# $$\dot\varphi = -\theta - 2\lambda\Bigl(1 - \frac{c}{\Vert\varphi\Vert}\Bigr)\varphi,
# \qquad \dot\theta = \varphi .$$
#
# The post claims that with $c = 0$ training converges to the equilibrium $\varphi = \theta = 0$, while with
# $c = 1$ it does not: the trajectories settle onto a circle. This notebook derives both, with $\lambda$ and $c$
# kept symbolic wherever possible, using the library's public API (`stability.analyze`) and SymPy. Every
# analytical statement is an `assert` that compares the library's output with a value derived here
# independently (by hand in SymPy) or with the numerics, so a regression in the library fails this notebook.
# Section 5 states what is proved and what is only observed numerically.

# %%
# %matplotlib inline
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


# %% [markdown]
# ## 1. The field, derived by the library from the losses
#
# `analyze` derives eq. (16) from the losses (eq. 15). We compare it with eq. (16) written by hand; the
# field is rotation invariant, so the library writes it with the vectors $\varphi$, $\theta$ and the
# invariant $\Vert\varphi\Vert$.

# %%
general = analyze("wgan_gp", params={"lam": lam, "c": c})
phi_dot, theta_dot = general.field_equations()  # phi' and theta' as a*phi + b*theta
names = {s.name: s for s in (phi_dot + theta_dot).free_symbols}
phi, theta, norm_phi = names["phi"], names["theta"], names["|phi|"]
eq16 = (-theta - 2 * lam * (1 - c / norm_phi) * phi, phi)  # eq. (16), by hand
assert sp.simplify(phi_dot - eq16[0]) == 0 and sp.simplify(theta_dot - eq16[1]) == 0
general

# %% [markdown]
# ## 2. $c = 0$: a linear system
#
# With $c = 0$ the penalty $\lambda\Vert\varphi\Vert^2$ is smooth and eq. (16) is linear,
# $\dot\varphi = -2\lambda\varphi - \theta$, $\dot\theta = \varphi$: in every dimension $n$ its matrix is
# $J = B\otimes I_n$ with the $2\times 2$ block $B$ read off by hand below. Being linear, the field *is* its
# linearisation (its Jacobian is the same matrix everywhere).

# %%
zero = analyze("wgan_gp", params={"lam": lam, "c": 0})
B_hand = sp.Matrix([[-2 * lam, -1], [1, 0]])  # (phi', theta') = B (phi, theta), from eq. (16) with c = 0
assert zero.block == B_hand
assert zero.jacobian == sp.kronecker_product(B_hand, sp.eye(2))
assert zero.vector_field.jacobian(zero.state) == zero.jacobian  # linear: the Jacobian is constant
zero

# %% [markdown]
# ### Eigenvalues
#
# The characteristic polynomial of the hand-written block is $\det(\mu I - B) = \mu^2 + 2\lambda\mu + 1$, with
# roots $\mu_\pm = -\lambda \pm \sqrt{\lambda^2 - 1}$; each is an eigenvalue of $J = B \otimes I_2$ twice.
# Both have negative real part for every $\lambda > 0$ (their sum is $-2\lambda < 0$ and their product is $1 > 0$),
# so the equilibrium is asymptotically stable: the post's claim for $c = 0$.

# %%
char = (mu * sp.eye(2) - B_hand).det()
assert sp.expand(char) == mu**2 + 2 * lam * mu + 1
mu_plus, mu_minus = -lam + sp.sqrt(lam**2 - 1), -lam - sp.sqrt(lam**2 - 1)
assert all(sp.simplify(char.subs(mu, root)) == 0 for root in (mu_plus, mu_minus))  # the two roots
assert zero.eigenvalues == {mu_plus: 2, mu_minus: 2}
assert zero.classification == "stable"
assert zero.conditions["stable"].as_set() == sp.Interval.open(0, sp.oo)  # stable for every lam > 0
listed = r",\ ".join(rf"{tex(value)}\ (\times {m})" for value, m in zero.eigenvalues.items())
display(Math(r"\mu \in \{" + listed + r"\}"))

# %% [markdown]
# ### Three regimes, and the boundary between them
#
# The discriminant of the characteristic polynomial, $4(\lambda^2 - 1)$, vanishes at $\lambda = 1$ only:
#
# * $0 < \lambda < 1$: a complex pair $-\lambda \pm i\sqrt{1 - \lambda^2}$, a stable **focus** (a damped rotation
#   at angular frequency $\sqrt{1 - \lambda^2}$); the post's $\lambda = 0.1$ is here;
# * $\lambda = 1$: the **critical** case, the double eigenvalue $-1$ with a single eigenvector (a Jordan block):
#   a degenerate node, which the library counts as a node;
# * $\lambda > 1$: two real negative eigenvalues, a stable **node** (overdamped: no rotation).

# %%
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

# %% [markdown]
# ### The closed-form solution
#
# Write $B = -\lambda I + N$ with $N = B + \lambda I$. By Cayley-Hamilton $N^2 = (\lambda^2 - 1) I = \omega^2 I$
# with $\omega = \sqrt{\lambda^2 - 1}$, so the exponential series of $Nt$ splits into even and odd powers:
#
# $$e^{Bt} = e^{-\lambda t}\Bigl(\cosh(\omega t)\, I + \frac{\sinh(\omega t)}{\omega}\, N\Bigr),
# \qquad z(t) = \bigl(e^{Bt}\otimes I_n\bigr)\, z(0).$$
#
# For $\lambda < 1$, $\omega = i\sqrt{1 - \lambda^2}$ is imaginary and $\cosh$, $\sinh/\omega$ become $\cos$,
# $\sin/\sqrt{1-\lambda^2}$: a rotation damped by $e^{-\lambda t}$. At $\lambda = 1$ the limit $\omega \to 0$
# gives $e^{-t}(I + tN)$, whose secular term $t\,e^{-t}$ is the Jordan block's. We check that the formula
# solves the ODE by differentiating it.

# %%
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

# %% [markdown]
# The integrator must follow this closed form. From the post's initial state, with the post's $\lambda = 1/10$
# (the library's default), the simulated trajectory and $(e^{Bt}\otimes I_2)\,z(0)$ agree to the solver's
# tolerance:

# %%
lam0 = sp.Rational(1, 10)
run0 = analyze("wgan_gp", params={"lam": lam0, "c": 0}).simulate(X0, 100.0, dt=0.01)
E = sp.lambdify(t, exp_bt.subs(lam, lam0), "numpy")  # real: cosh and sinh of an imaginary argument
closed = np.array([np.kron(np.array(E(s), dtype=float), np.eye(2)) @ X0 for s in run0.times])
error = np.abs(closed - run0.states[0]).max()
assert error < 1e-7, error
print(f"max |closed form - numerics| over t in [0, 100]: {error:.1e}")

# %% [markdown]
# ### The decay rate, and the fastest-decaying $\lambda$
#
# Every entry of $e^{Bt}$ is a combination of $e^{\mu_\pm t}$ (and $t e^{-t}$ at $\lambda = 1$), so
# $\Vert z(t)\Vert$ decays at the rate $r(\lambda) = -\max \operatorname{Re}\mu$:
#
# $$r(\lambda) = \lambda \quad (0 < \lambda \le 1), \qquad r(\lambda) = \lambda - \sqrt{\lambda^2 - 1}
# = \frac{1}{\lambda + \sqrt{\lambda^2 - 1}} \quad (\lambda \ge 1).$$
#
# The rate rises with $\lambda$ up to $1$ and then falls (the denominator $\lambda + \sqrt{\lambda^2-1}$ grows):
# more penalty is not faster. The fastest decay is at the critical damping $\lambda = 1$, with rate $1$. We compare
# the library's real parts with this formula on $(0, 1)$, at $1$ and on $(1, \infty)$, for every value of the
# parameter $s > 0$ below.

# %%
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

# %% [markdown]
# Numerically (`Analysis.verify`, random initial states): the measured rate and angular frequency match
# $r(1/10) = 1/10$ and $\sqrt{1 - \lambda^2} = \sqrt{0.99}$.

# %%
check0 = analyze("wgan_gp", params={"lam": lam0, "c": 0}).verify()
assert check0.behaviour == "converges" and check0.agrees
assert abs(check0.rate - 0.1) < 2e-3 and abs(check0.frequency - np.sqrt(0.99)) < 2e-3
print(check0.explanation)

# %% [markdown]
# ## 3. $c \ne 0$: no Jacobian at the origin
#
# For $c \ne 0$ the penalty's gradient, $2\lambda(\Vert\varphi\Vert - c)\,\varphi/\Vert\varphi\Vert$, contains
# the unit vector $\varphi/\Vert\varphi\Vert$, which has no limit at $\varphi = 0$: it points wherever $\varphi$
# came from. The library finds the term $2\lambda c\,\varphi/\Vert\varphi\Vert$ of $\dot\varphi$ and reports
# that the field has no derivative at the origin, and not even a limit there.

# %%
assert general.classification == "non-differentiable" and general.jacobian is None
assert general.equilibrium is None  # the field has no limit at the origin
(term,) = general.singular_terms
assert term.equation == "phi'" and term.where == "phi = 0" and not term.continuous
assert sp.simplify(term.term - 2 * lam * c * phi / norm_phi) == 0
print(term.describe())

# %% [markdown]
# In components ($n = 2$), approach the origin along the $\varphi_1$ axis from either side: the field tends to
# two different values, $\pm 2\lambda c$ in $\dot\varphi_1$, a jump of $4\lambda c$. So there is no Jacobian
# (no linear map can approximate a field that jumps), and arbitrarily close to the origin the field has size
# about $2\lambda c$: the origin is not an equilibrium that trajectories can settle on smoothly.

# %%
p1, p2, t1, t2 = general.state
F = general.vector_field  # (phi_1', phi_2', theta_1', theta_2') in components
on_axis = {p1: x, p2: 0, t1: 0, t2: 0}
right = [sp.limit(f.subs(on_axis), x, 0, "+") for f in F]
left = [sp.limit(f.subs(on_axis), x, 0, "-") for f in F]
assert right == [2 * lam * c, 0, 0, 0] and left == [-2 * lam * c, 0, 0, 0]
display(Math(r"\lim_{\varphi_1 \to 0^{+}} \dot z = " + tex(sp.Matrix([right]))))
display(Math(r"\lim_{\varphi_1 \to 0^{-}} \dot z = " + tex(sp.Matrix([left]))))

# %% [markdown]
# The library's nonlinear analysis goes further: with $V = \Vert\varphi\Vert^2$,
# $\dot V = 2\varphi\cdot\dot\varphi = -2\,\theta\cdot\varphi + 4\lambda\Vert\varphi\Vert(c - \Vert\varphi\Vert)$,
# positive near the origin wherever $\varphi \ne 0$ (the term $4\lambda c\Vert\varphi\Vert$ dominates), so by
# Chetaev's theorem the origin is **unstable**. We check $\dot V$ by hand.

# %%
nl = general.nonlinear
inv = {s.name: s for s in nl.dV.free_symbols}
r_, u_ = inv["|phi|"], inv["theta.phi"]
assert nl.verdict == "unstable" and nl.method == "chetaev" and nl.V == r_**2
assert sp.expand(nl.dV - (-2 * u_ + 4 * lam * r_ * (c - r_))) == 0
print(nl.reason)

# %% [markdown]
# ### The closed orbit, derived analytically
#
# On the sphere $\Vert\varphi\Vert = c$ the penalty term vanishes and eq. (16) is the rotation
# $\dot\varphi = -\theta$, $\dot\theta = \varphi$. In complex coordinates ($n = 2$), $p = \varphi_1 + i\varphi_2$,
# $q = \theta_1 + i\theta_2$, this is $\dot p = -q$, $\dot q = p$, so $\ddot p = -p$ and
# $p = A e^{i t} + B e^{-i t}$. Then
#
# $$|p|^2 = |A|^2 + |B|^2 + 2\,\mathrm{Re}\bigl(A\bar B e^{2 i t}\bigr),$$
#
# which is constant (as it must be, $|p| = c$) exactly when $A\bar B = 0$. So $p = c\,e^{\pm i(t + \alpha)}$ and
# $q = -\dot p = \mp i\,c\,e^{\pm i(t+\alpha)}$: $|\theta| = c$, $\theta \perp \varphi$, and both rotate at angular
# frequency $1$ (period $2\pi$), in either sense. We then substitute these two motions into the library's
# component field, with symbolic $\lambda$ and $c$: they solve it exactly.

# %%
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

# %% [markdown]
# ### Only these: the invariant system
#
# Write $r = \Vert\varphi\Vert$, $s = \Vert\theta\Vert$, $u = \theta\cdot\varphi$. Eq. (16) gives a closed
# system for them (by hand):
#
# $$\tfrac{d}{dt} r^2 = 2\varphi\cdot\dot\varphi = -2u - 4\lambda r(r - c),\qquad
# \tfrac{d}{dt} s^2 = 2\theta\cdot\dot\theta = 2u,\qquad
# \dot u = \dot\varphi\cdot\theta + \varphi\cdot\dot\theta = r^2 - s^2 - 2\lambda\Bigl(1 - \frac{c}{r}\Bigr)u .$$
#
# We check these against the library's component field by the chain rule. Solutions with constant $r, s, u$
# (rotations) are its rest points: the only one with $r > 0$ is $r = s = c$, $u = 0$, the orbit above.
# Its radius in the $(\theta_1, \theta_2)$ plane is $c$, independent of $\lambda$ (and $\Vert z\Vert = c\sqrt2$).
# It needs $n \ge 2$: in dimension 1, $u = 0$ forces $\varphi = 0$ or $\theta = 0$.

# %%
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

# %% [markdown]
# ### Why the orbit attracts: the energy balance, and a proof of local attraction
#
# The energy $E = \Vert\varphi\Vert^2 + \Vert\theta\Vert^2 = r^2 + s^2$ obeys
#
# $$\dot E = -4\lambda\,\Vert\varphi\Vert\,\bigl(\Vert\varphi\Vert - c\bigr):$$
#
# the penalty pumps energy in while $\Vert\varphi\Vert < c$ and drains it while $\Vert\varphi\Vert > c$; on the
# orbit it is conserved ($E = 2c^2$). This explains why trajectories neither reach the origin nor escape, but it
# is not by itself a proof (the sign of $\dot E$ changes along a turn).
#
# The proof of *local* attraction is the linearisation of the invariant system at the rest point
# $(r, s, u) = (c, c, 0)$ (smooth there, since $r = c > 0$). Its characteristic polynomial is
# $x^3 + 2\lambda x^2 + 4x + 4\lambda$, independent of $c$; by Routh-Hurwitz (all coefficients positive and
# $2\lambda\cdot 4 > 4\lambda$) every root has negative real part for every $\lambda > 0$. So near the orbit
# $r, s, u$ converge exponentially to $c, c, 0$: the orbit is orbitally asymptotically stable, a limit cycle.
# We derive the matrix by hand and compare it with the library's.

# %%
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

# %% [markdown]
# ## 4. Side by side, from the post's initial state
#
# Both runs start at $(\varphi_1, \varphi_2, \theta_1, \theta_2) = (0.1, 0.2, 0.2, 0.1)$ with $\lambda = 1/10$, as in
# the post's figure: the generator $\theta$ in its plane, the equilibrium as a red dot. Below, the analytic
# predictions over the numerics: for $c = 0$, $\Vert z(t)\Vert$ on a log axis against the envelope
# $e^{-\lambda t}$; for $c = 1$, the circle of radius $c$, and the distance of $\Vert\theta(t)\Vert$ from $c$
# against $e^{-\sigma t}$, with $\sigma$ the rate of attraction computed above.

# %%
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

# %%
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

# %% [markdown]
# ### The radius as a function of $c$
#
# The orbit's radius in the $\theta$ plane is $c$ whatever $\lambda$. `Analysis.verify` integrates from eight
# random initial states (in the ball of radius $0.5$) for each $c$, finds that they all settle on one closed
# orbit, and measures its radius and angular frequency: $c$ and $1$.

# %%
rows = ["| $c$ | behaviour | radius: measured | predicted | frequency: measured | predicted |", "|---" * 6 + "|"]
for centre in (sp.Rational(1, 2), 1, 2):
    check = analyze("wgan_gp", params={"lam": lam0, "c": centre}).verify()
    assert check.behaviour == "limit-cycle" and check.agrees
    assert abs(check.radius / float(centre) - 1) < 1e-3 and abs(check.frequency - 1) < 1e-3
    rows.append(f"| {centre} | {check.behaviour} | {check.radius:.6f} | {centre} | {check.frequency:.6f} | 1 |")
Markdown("\n".join(rows))

# %% [markdown]
# ## 5. What is proved, and what is only observed
#
# **Proved exactly** (symbolic $\lambda > 0$, and $c > 0$ where it appears; each statement is an `assert` above):
#
# * $c = 0$: the field is linear with block $B = \begin{pmatrix}-2\lambda & -1\\ 1 & 0\end{pmatrix}$, eigenvalues
#   $-\lambda \pm \sqrt{\lambda^2 - 1}$ (each twice), asymptotically stable for every $\lambda > 0$ (globally, the
#   system being linear); focus for $\lambda < 1$, critical (Jordan block) at $\lambda = 1$, node for $\lambda > 1$;
#   the closed form $e^{Bt}$ solves the ODE; the decay rate is $r(\lambda)$, largest ($= 1$) at $\lambda = 1$.
# * $c \ne 0$: no Jacobian at the origin (one-sided limits $\pm 2\lambda c$); the origin is unstable (Chetaev,
#   $V = \Vert\varphi\Vert^2$); the circles $\Vert\varphi\Vert = \Vert\theta\Vert = c$, $\theta\perp\varphi$, are
#   periodic orbits of angular frequency $1$ for every $\lambda$, the only solutions with constant
#   $\Vert\varphi\Vert, \Vert\theta\Vert, \theta\cdot\varphi$, and they attract the trajectories that start
#   near them (Routh-Hurwitz on the invariant system), at the rate $\sigma(\lambda)$; the energy identity
#   $\dot E = -4\lambda\Vert\varphi\Vert(\Vert\varphi\Vert - c)$.
#
# **Observed numerically only:** that the trajectory from the post's initial state, and those from random
# initial states in the ball of radius $0.5$, reach the orbit (its basin of attraction is not determined
# analytically: global attraction is not proved); the agreement of the measured rates, frequencies and radii
# with the predictions, to the tolerances asserted.
