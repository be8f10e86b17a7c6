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
# # Discrete time: the post's variants trained with steps
#
# The post studies gradient *flow*, the limit of vanishing steps. Training takes steps of size $h$: an
# update map $z_{k+1} = G(z_k)$, $z = (\varphi, \theta)$, whose Jacobian $M$ at the equilibrium decides local
# stability through its spectral radius: $\rho(M) < 1$ converges, $> 1$ diverges, $= 1$ is neutral (the
# linearisation is inconclusive). The verdict can differ from the flow's, and it differs between
# **simultaneous** gradient descent (both players step from the same point) and **alternating** gradient
# descent (the discriminator first, then the generator at the new $\varphi$) (Mescheder, Geiger & Nowozin 2018).
#
# With the training field $F(z) = (-\nabla_\varphi L_D, -\nabla_\theta L_G)$ and its Jacobian
# $J = \begin{pmatrix} p & q \\ r & s \end{pmatrix}$ at the origin (per coordinate pair; $J = B \otimes I_n$ for
# the rotation-invariant variants), the two linearised updates are, by hand,
#
# $$\text{simgd: } M = I + hJ, \qquad
# \text{altgd: } \varphi^+ = \varphi + h(p\varphi + q\theta),\ \theta^+ = \theta + h(r\varphi^+ + s\theta)
# \ \Rightarrow\ M = \begin{pmatrix} 1 + hp & hq \\ hr(1 + hp) & 1 + hs + h^2 rq \end{pmatrix}.$$
#
# A $2\times 2$ map is Schur stable iff (Jury) $|\det M| < 1$ and $|\operatorname{tr} M| < 1 + \det M$; its
# boundary is a **flip** where $1 + \det + \operatorname{tr} = 0$ (an eigenvalue at $-1$), a **fold** where
# $1 + \det - \operatorname{tr} = 0$ (at $+1$), and a **Neimark-Sacker** crossing where $\det M = 1$ with a complex
# pair. Below, each variant's thresholds are derived this way in SymPy and asserted equal to the library's
# (`analyze(..., optimizer=..., lr=h)`), and the real nonlinear update is iterated from the post's initial
# state, its trajectories overlaid on the flow's.

# %%
# %matplotlib inline
import numpy as np
import sympy as sp
from IPython.display import Markdown
from matplotlib.figure import Figure

from stability import analyze, optimizers
from stability.numerics.iterate import iterate
from stability.numerics.verify_map import verify_map
from stability.plotting import post_initial_state

h = sp.Symbol("h", positive=True)
z = sp.Symbol("z")
half = sp.Rational(1, 2)
X0 = post_initial_state(2)
assert X0.tolist() == [0.1, 0.2, 0.2, 0.1]


def simgd_by_hand(J):
    return sp.eye(2) + h * J


def altgd_by_hand(J):
    (p, q), (r, s) = J.tolist()
    return sp.Matrix([[1 + h * p, h * q], [h * r * (1 + h * p), 1 + h * s + h**2 * r * q]])


def jury(M):
    # The three Jury expressions of a 2x2 map; stable iff all are positive.
    t, d = M.trace(), M.det()
    return sp.expand(1 - d**2), sp.expand(1 + d - t), sp.expand(1 + d + t)


def first_failure(M):
    # The smallest h > 0 at which a Jury expression vanishes and changes sign, and which one (by hand).
    names = ("Neimark-Sacker", "fold", "flip")
    found = []
    for name, e in zip(names, jury(M)):
        for root in sp.solve(sp.Eq(e, 0), h):
            if root.is_positive and e.subs(h, root / 2) > 0 and e.subs(h, root * sp.Rational(3, 2)) < 0:
                found.append((root, name))
    return min(found, key=lambda item: float(item[0])) if found else (None, None)


def overlay(flow, runs, title, steps_h):
    # The generator's path in its plane: the flow (t in [0, k h]) and each iterated update (k steps).
    fig = Figure(figsize=(11, 4.5))
    ax, bx = fig.subplots(1, 2)
    tr = flow.simulate(X0, steps_h[0] * steps_h[1], dt=steps_h[1], warn=False)
    ax.plot(tr.theta[0, :, 0], tr.theta[0, :, 1], color="black", lw=2, label="gradient flow")
    bx.semilogy(tr.summary_times, tr.norm[0], color="black", lw=2, label="gradient flow")
    for label, it in runs.items():
        th = it.states[0, :, 2:]
        ax.plot(th[:, 0], th[:, 1], lw=1, label=label)
        bx.semilogy(it.times * steps_h[1], np.linalg.norm(it.states[0], axis=1), lw=1, label=label)
    ax.plot([0], [0], "o", color="red")
    ax.set(xlabel=r"$\theta_1$", ylabel=r"$\theta_2$", title=title, aspect="equal")
    bx.set(xlabel="time t = k h", ylabel=r"$|z|$", title="distance to the equilibrium")
    ax.legend(fontsize=8)
    bx.legend(fontsize=8)
    return fig


# %% [markdown]
# ## 1. Vanilla GAN (non-saturating): simultaneous GD diverges for every step; alternating GD is neutral below 4
#
# The flow's Jacobian is the post's eq. (8): $B = \begin{pmatrix} 0 & -1/2 \\ 1/2 & 0\end{pmatrix}$, a centre.
# Simultaneous GD: $M = I + hB$, eigenvalues $1 \pm ih/2$, $|\lambda|^2 = 1 + h^2/4 > 1$ for **every** $h$.
# Alternating GD: $\det M = 1$ and $\operatorname{tr} M = 2 - h^2/4$, so for $h < 4$ the eigenvalues are a
# conjugate pair on the unit circle (neutral: the nonlinear terms decide), and at $h = 4$ both reach $-1$: a flip.

# %%
B = sp.Matrix([[0, -half], [half, 0]])
sim_ns = analyze("vanilla_ns", optimizer="simgd", lr=h)
alt_ns = analyze("vanilla_ns", optimizer="altgd", lr=h)
assert analyze("vanilla_ns").block == B
assert sim_ns.block == simgd_by_hand(B) and alt_ns.block == altgd_by_hand(B)
lam = sp.Symbol("lam")
assert sp.roots(simgd_by_hand(B).charpoly(lam).as_expr(), lam) == {1 + sp.I * h / 2: 1, 1 - sp.I * h / 2: 1}
assert sp.expand(sp.Abs(1 + sp.I * h / 2) ** 2) == 1 + h**2 / 4
assert sim_ns.classification == "unstable" and set(sim_ns.conditions) == {"unstable"}
assert all(sim_ns.conditions["unstable"].subs(h, v) == sp.true for v in (sp.Rational(1, 100), 1, 100))
M_alt = altgd_by_hand(B)
assert M_alt.det() == 1 and sp.expand(M_alt.trace()) == 2 - h**2 / 4
assert first_failure(M_alt) == (4, "flip")
assert [(b.value, str(b.crossing)) for b in alt_ns.boundaries] == [(4, "flip")]
assert alt_ns.conditions["neutral"].subs(h, 2) and alt_ns.conditions["unstable"].subs(h, 5)
print(sim_ns.conditions, alt_ns.conditions)

# %% [markdown]
# At $h = 0.2$: the exact spectral radius of simultaneous GD is $\sqrt{1.01}$, and iterating the real update from
# nearby starts measures that growth per step; alternating GD stays neutral ($\rho = 1$) and, iterated from the
# post's initial state, follows the flow's orbit, while simultaneous GD spirals out.

# %%
H = 0.2
sim, alt = (analyze("vanilla_ns", optimizer=o, lr=H) for o in ("simgd", "altgd"))
assert sp.simplify(sim.spectral_radius - sp.sqrt(101) / 10) == 0 and alt.spectral_radius == 1
check_sim, check_alt = verify_map(sim), verify_map(alt)
assert check_sim.agrees and abs(check_sim.contraction - np.sqrt(1.01)) < 1e-5
assert check_alt.classification == "neutral" and check_alt.agrees is None  # inconclusive: numerics decide
print(check_sim.explanation)
print(check_alt.explanation)
K = 2000
runs = {"simgd": iterate(sim, X0, K), "altgd": iterate(alt, X0, K)}
growth = {k: np.linalg.norm(it.states[0, -1]) / np.linalg.norm(X0) for k, it in runs.items()}
assert growth["simgd"] > 5 and 0.5 < growth["altgd"] < 1.5
overlay(analyze("vanilla_ns"), runs, "vanilla_ns, h = 0.2", (K, H))

# %% [markdown]
# The saturating form has the same linearisation, hence the same maps and thresholds.

# %%
for opt, ref in (("simgd", sim_ns), ("altgd", alt_ns)):
    sat = analyze("vanilla_sat", optimizer=opt, lr=h)
    assert sat.block == ref.block and dict(sat.conditions) == dict(ref.conditions) and sat.boundaries == ref.boundaries

# %% [markdown]
# ## 2. GAN-QP: the same picture at twice the coupling
#
# Eq. (19) linearises to $\dot\varphi = -\theta$, $\dot\theta = \varphi$ ($B$ with coupling 1). Simultaneous GD:
# $|\lambda|^2 = 1 + h^2$; alternating GD: $\operatorname{tr} M = 2 - h^2$, a flip at $h = 2$.

# %%
B_qp = sp.Matrix([[0, -1], [1, 0]])
assert analyze("gan_qp").block == B_qp
sim_qp, alt_qp = (analyze("gan_qp", optimizer=o, lr=h) for o in ("simgd", "altgd"))
assert sim_qp.classification == "unstable" and sim_qp.block == simgd_by_hand(B_qp)
assert first_failure(altgd_by_hand(B_qp)) == (2, "flip")
assert [(b.value, str(b.crossing)) for b in alt_qp.boundaries] == [(2, "flip")]

# %% [markdown]
# ## 3. WGAN-GP with $c = 0$: both converge for small steps, alternating GD for steps nine times larger
#
# $J = \begin{pmatrix} -2\lambda & -1 \\ 1 & 0\end{pmatrix}$ (post's eq. 15), $\lambda = 0.1$. Simultaneous GD:
# $\det M = 1 - 2h\lambda + h^2$ reaches 1 at $h = 2\lambda$ (Neimark-Sacker). Alternating GD:
# $\det M = 1 - 2h\lambda$, $\operatorname{tr} M = 2 - 2h\lambda - h^2$; the flip
# $1 + \det + \operatorname{tr} = 4 - 4h\lambda - h^2 = 0$ at $h = 2(\sqrt{\lambda^2 + 1} - \lambda)$.

# %%
lam_gp = sp.Rational(1, 10)
J_gp = sp.Matrix([[-2 * lam_gp, -1], [1, 0]])
flow_gp = analyze("wgan_gp", params={"c": 0})
assert flow_gp.block == J_gp and flow_gp.classification == "stable"
sim_gp, alt_gp = (analyze("wgan_gp", params={"c": 0}, optimizer=o, lr=h) for o in ("simgd", "altgd"))
h_sim, kind_sim = first_failure(simgd_by_hand(J_gp))
h_alt, kind_alt = first_failure(altgd_by_hand(J_gp))
assert (h_sim, kind_sim) == (2 * lam_gp, "Neimark-Sacker")
assert sp.simplify(h_alt - 2 * (sp.sqrt(lam_gp**2 + 1) - lam_gp)) == 0 and kind_alt == "flip"
assert sim_gp.max_stable_lr == h_sim and sp.simplify(alt_gp.max_stable_lr - h_alt) == 0
assert [str(b.crossing) for b in sim_gp.boundaries] == ["Neimark-Sacker"]
assert [str(b.crossing) for b in alt_gp.boundaries] == ["flip"]
assert 9 < float(h_alt / h_sim) < 9.1
print(f"simgd: h < {h_sim};  altgd: h < {sp.nsimplify(h_alt)} = {float(h_alt):.4f}")

# %% [markdown]
# At $h = 0.1$ both converge; iterating measures the predicted contraction per step. At $h = 0.5$ simultaneous GD
# diverges while alternating GD still converges.

# %%
H = 0.1
runs = {}
for opt in ("simgd", "altgd"):
    a = analyze("wgan_gp", params={"c": 0}, optimizer=opt, lr=H)
    check = verify_map(a)
    assert a.classification == "stable" and check.behaviour == "converges" and check.agrees
    assert abs(check.contraction - float(a.spectral_radius)) < 1e-4
    print(opt, f"rho = {float(a.spectral_radius):.6f}, measured {check.contraction:.6f} per step")
    runs[opt] = iterate(a, X0, 1500)
wide = {o: analyze("wgan_gp", params={"c": 0}, optimizer=o, lr=0.5).classification for o in ("simgd", "altgd")}
assert wide == {"simgd": "unstable", "altgd": "stable"}
overlay(flow_gp, runs, "wgan_gp, c = 0, h = 0.1", (1500, H))

# %% [markdown]
# The example: negative heavy-ball momentum ($\beta = -1/2$), alternating, with two time scales
# ($h_d = 0.1$, $h_g = 0.05$). The state carries the previous iterate, so $M$ is $4\times 4$ per coordinate pair.

# %%
mom = analyze(
    "wgan_gp",
    params={"c": 0},
    optimizer=optimizers.momentum(beta=-0.5, alternating=True),
    lr={"d": 0.1, "g": 0.05},
)
check_mom = verify_map(mom)
assert mom.block.shape == (4, 4) and mom.classification == "stable"
assert check_mom.agrees and abs(check_mom.contraction - float(mom.spectral_radius)) < 1e-4
print(check_mom)

# %% [markdown]
# ## 4. L2 on the discriminator: the vanilla GAN converges for small steps
#
# With $\alpha\Vert\varphi\Vert^2$ added to $L_D$, $J = \begin{pmatrix} -2\alpha & -1/2 \\ 1/2 & 0\end{pmatrix}$.
# Simultaneous GD: $\det M = 1 - 2h\alpha + h^2/4$, stable iff $h < 8\alpha$; alternating GD: the flip
# $h^2 + 16\alpha h - 16 = 0$, $h = 8(\sqrt{\alpha^2 + 1/4} - \alpha)$.

# %%
alpha = sp.Rational(1, 10)
J_l2 = sp.Matrix([[-2 * alpha, -half], [half, 0]])
assert analyze("vanilla_ns", regularizers={"l2": alpha}).block == J_l2
sim_l2, alt_l2 = (analyze("vanilla_ns", regularizers={"l2": alpha}, optimizer=o, lr=h) for o in ("simgd", "altgd"))
assert first_failure(simgd_by_hand(J_l2)) == (8 * alpha, "Neimark-Sacker") and sim_l2.max_stable_lr == 8 * alpha
h_alt_l2, kind = first_failure(altgd_by_hand(J_l2))
assert kind == "flip" and sp.simplify(h_alt_l2 - 8 * (sp.sqrt(alpha**2 + half**2) - alpha)) == 0
assert sp.simplify(alt_l2.max_stable_lr - h_alt_l2) == 0
H = 0.5
runs = {
    o: iterate(analyze("vanilla_ns", regularizers={"l2": alpha}, optimizer=o, lr=H), X0, 600)
    for o in ("simgd", "altgd")
}
assert all(np.linalg.norm(it.states[0, -1]) < 1e-3 * np.linalg.norm(X0) for it in runs.values())
overlay(analyze("vanilla_ns", regularizers={"l2": alpha}), runs, "vanilla_ns + L2 (alpha = 0.1), h = 0.5", (600, H))

# %% [markdown]
# Past the flip the alternating update does not blow up for the saturating GAN with L2: the nonlinear terms
# catch the iterates on a cycle of period 2.

# %%
h_flip = float(8 * (sp.sqrt(alpha**2 + half**2) - alpha))
flip = analyze("vanilla_sat", dim=1, regularizers={"l2": alpha}, optimizer="altgd", lr=round(1.05 * h_flip, 6))
check_flip = verify_map(flip)
assert flip.classification == "unstable" and check_flip.behaviour == "period-2" and check_flip.agrees
print(check_flip.explanation)

# %% [markdown]
# ## 5. WGAN and WGAN-GP with $c = 1$: no linearisation, the numerics decide
#
# Their fields have no derivative at the origin (the post's eqs. 12 and 16 divide by $\Vert\varphi\Vert$), so
# no map built on them has one either. Iterated, neither converges.

# %%
for name, params in (("wgan", {}), ("wgan_gp", {"c": 1})):
    for opt in ("simgd", "altgd"):
        a = analyze(name, params=params, optimizer=opt, lr=0.1)
        check = verify_map(a, steps=3000)
        assert a.classification == "non-differentiable" and check.agrees is None
        assert check.behaviour != "converges"
        print(name, params, opt, "->", check.behaviour)

# %% [markdown]
# ## 6. EMA of the generator under alternating GD
#
# Alternating GD on the vanilla GAN keeps circling the equilibrium (neutral, section 1). As in the post for the
# flow, the weight EMA $\theta_{ema} \leftarrow \beta\theta_{ema} + (1 - \beta)\theta$ does not change the
# iterates, but it averages the circling and ends much closer to the equilibrium.

# %%
ema_check = verify_map(analyze("vanilla_ns", optimizer="altgd", lr=0.2), ema=0.999, steps=8000)
assert ema_check.ema_distance < 0.25 * ema_check.theta_distance
print(f"|theta| = {ema_check.theta_distance:.4f}, |theta_ema| = {ema_check.ema_distance:.4f}")

# %% [markdown]
# ## Summary
#
# The thresholds asserted above, read back from the analyses.


# %%
def verdict(a):
    if a.classification in ("unstable", "non-differentiable"):
        return a.classification
    b = a.boundaries[0]
    return f"{'stable' if a.max_stable_lr else 'neutral'} below h = {b.value} ({b.crossing})"


rows = [
    ("vanilla GAN (both forms)", sim_ns, alt_ns),
    ("GAN-QP", sim_qp, alt_qp),
    ("WGAN-GP, c = 0, lam = 0.1", sim_gp, alt_gp),
    ("vanilla + L2, alpha = 0.1", sim_l2, alt_l2),
]
table = "| variant | simultaneous GD | alternating GD |\n|---|---|---|\n"
table += "\n".join(f"| {name} | {verdict(s)} | {verdict(a)} |" for name, s, a in rows)
assert verdict(sim_ns) == "unstable" and verdict(alt_ns) == "neutral below h = 4 (flip)"
assert verdict(sim_gp) == "stable below h = 1/5 (Neimark-Sacker)"
Markdown(table)
