"""The nonlinear verdict as a short LaTeX proof (amsmath only): V, dV/dt, the argument, the conclusion.

The text is a fragment (no preamble, no heading) meant to follow the derivation of
:mod:`stability.render.latex`; invariants print as ``\\Vert\\boldsymbol\\varphi\\Vert``,
``\\boldsymbol\\theta\\cdot\\boldsymbol\\varphi``. It is rendered from the verdict's structured
certificate: the sign proof's steps (:class:`~stability.theory.signs.ProofStep`, one sentence
per rule applied), LaSalle's invariant set, Chetaev's region (a SymPy relation).

>>> from stability import analyze
>>> tex = latex_proof(analyze("vanilla_ns", dim=1).nonlinear)
>>> "LaSalle" in tex and r"\\tanh" in tex
True
"""

from __future__ import annotations

from collections.abc import Iterable

import sympy as sp

from ..model.functions import sigmoid
from ..theory.lyapunov import K, R, S, U
from ..theory.orbits import OrbitKind
from ..theory.signs import ProofStep, Rule
from ..verdicts import Convergence, Method, NonlinearStability
from .latex import latex

__all__ = ["latex_proof"]

_VERDICT_TEXT = {
    NonlinearStability.ASYMPTOTICALLY_STABLE: "asymptotically stable",
    NonlinearStability.STABLE: "Lyapunov-stable, not asymptotically stable",
    NonlinearStability.UNSTABLE: "unstable",
    NonlinearStability.UNDECIDED: "undecided",
}
_PHI, _THETA = r"\boldsymbol{\varphi}", r"\boldsymbol{\theta}"
_DOT = rf"{_THETA}\cdot{_PHI}"
_NP, _NT = rf"\Vert{_PHI}\Vert", rf"\Vert{_THETA}\Vert"
_X = sp.Symbol("x", real=True)


def _tex(expr) -> str:
    return latex(sp.sympify(expr))


def _eq(e: sp.Expr) -> str:
    if e in (R, R**2):
        return rf"{_PHI} = 0"
    if e in (S, S**2):
        return rf"{_THETA} = 0"
    return f"{_tex(e)} = 0"


def _zeros(zeros) -> str:
    if zeros is None or zeros == ((),):
        return "everywhere"
    if zeros == ():
        return "nowhere"
    return r" \text{ or } ".join(r",\ ".join(_eq(e) for e in conj) for conj in zeros)


def _piece(p) -> str:
    return r"\{" + r",\ ".join(f"{_tex(k)} = {_tex(v)}" for k, v in p.items()) + r"\}"


# --------------------------------------------------------------------------- the sign proof, step by step
def _step_tex(step: ProofStep) -> str | None:
    """One sentence for one proof step (None: the step needs no words, e.g. expanding)."""
    rule = step.rule
    if rule is Rule.REWRITE:
        if step.function is sigmoid:
            return r"$\sigma(x) = \tfrac12\bigl(1 + \tanh\tfrac x2\bigr)$"
        return None
    if rule is Rule.ODD_INCREASING:
        return (
            rf"${_tex(step.expr)}$ has the sign of ${_tex(step.variable)}$ and vanishes only with it "
            rf"($x \mapsto {_tex(step.function(_X))}$ is odd and increasing)"
        )
    if rule in (Rule.EVEN_POWER, Rule.SQUARE):
        return "squares are non-negative"
    if rule is Rule.BOUNDED:
        lo, hi = step.bounds
        return rf"${_tex(lo)} < {_tex(step.expr)} < {_tex(hi)}$ (bounded functions)"
    if rule is Rule.MONOTONE:
        x = step.variable
        up = isinstance(step.claim, (sp.StrictGreaterThan, sp.GreaterThan))
        return (
            rf"${_tex(step.expr)}$ vanishes at ${_tex(x)} = 0$ and its derivative in ${_tex(x)}$ satisfies "
            rf"${_tex(step.claim)}$, so it has the {'' if up else 'opposite '}sign of ${_tex(x)}$"
        )
    if rule is Rule.LOCAL:
        return (
            rf"${_tex(step.expr)}$ is continuous and equals ${_tex(step.form)}$ at the origin, so "
            rf"${_tex(step.claim)}$ near the origin"
        )
    if rule is Rule.GRAM:
        return (
            rf"Cauchy--Schwarz, $|{_DOT}| \le {_NP}{_NT}$, makes the quadratic form with Gram matrix "
            rf"${_tex(step.matrix)}$ semidefinite"
        )
    return f"${_tex(step.claim)}$"  # Rule.SYMPY: the relation SymPy's assumptions proved


def _reasons(steps: Iterable[ProofStep]) -> str:
    out = [t for t in (_step_tex(s) for s in steps) if t is not None]
    return "; ".join(dict.fromkeys(out)) or "every term has a known sign"


# --------------------------------------------------------------------------- Lyapunov, LaSalle, Chetaev
def _invariant_field_note(V) -> str:
    if not (sp.sympify(V).free_symbols & {R, S, U}):
        return ""
    return (
        rf"For the field $\dot{{{_PHI}}} = a{_PHI} + b{_THETA}$, $\dot{{{_THETA}}} = c{_PHI} + d{_THETA}$ "
        r"the invariants obey "
        rf"$\tfrac{{d}}{{dt}}{_NP}^2 = 2(a{_NP}^2 + b\,{_DOT})$, $\tfrac{{d}}{{dt}}{_NT}^2 = 2(c\,{_DOT} + d{_NT}^2)$, "
        rf"$\tfrac{{d}}{{dt}}({_DOT}) = (a + d)\,{_DOT} + c{_NP}^2 + b{_NT}^2$. "
    )


def _conserved_tex(nl) -> list[str]:
    out = [r"Along the field $\dot V \equiv 0$: $V$ is a conserved quantity."]
    if nl.dim == 1 and nl.branches:
        out.append(
            r"In dimension $1$ its small level sets are closed curves inside the neighbourhood, without "
            r"equilibria other than the origin, so every orbit near the origin is periodic."
        )
    elif nl.dim == 1:
        out.append(
            r"In dimension $1$ its level sets are closed curves without equilibria other than the origin, "
            r"so every other orbit is periodic."
        )
    return out


def _derivative_tex(nl) -> tuple[list[str], bool]:
    """dV/dt = (its proved form) <= 0 or >= 0, with the reasons; and whether V increases."""
    sign = nl.sign
    chain = rf"\dot V = {_tex(nl.dV)}"
    if sign is not None and sign.form is not None and sign.form != nl.dV:
        chain += rf" = {_tex(sign.form)}"
    increasing = sign is not None and sign.sign > 0
    steps = sign.steps if sign is not None else ()
    relation = r"\ge" if increasing else r"\le"
    return [
        rf"Along the field \[ {chain} {relation} 0, \]",
        f"since {_reasons(steps)}; equality holds exactly where ${_zeros(nl.zeros)}$.",
    ], increasing


def _invariant_set_tex(nl, increasing: bool) -> list[str]:
    inv = nl.invariant
    if inv is None:
        return []
    if inv.only_origin and not increasing and nl.branches:
        return [
            r"The largest invariant set in $\{\dot V = 0\}$ is the origin alone; by LaSalle's invariance principle, "
            r"applied in a sublevel set $\{V \le c\}$ inside the neighbourhood, every trajectory starting there "
            r"converges to the origin."
        ]
    if increasing:
        return [
            r"The largest invariant set in $\{\dot V = 0\}$ is the origin alone. A trajectory from $z_0 \ne 0$ keeps "
            r"$V \ge V(z_0) > 0$; were it to stay near the origin, its limit set would be invariant in "
            r"$\{\dot V = 0\}$, i.e. the origin: impossible. So it leaves every small ball (in reversed time the "
            r"origin attracts everything)."
        ]
    if inv.only_origin:
        return [
            r"The largest invariant set in $\{\dot V = 0\}$ is the origin alone"
            + (rf" (in dimension $1$, ${_PHI}$ and ${_THETA}$ are collinear)" if nl.dim == 1 else "")
            + "; by LaSalle's invariance principle every trajectory converges to the origin."
        ]
    sets = r" \cup ".join(_piece(p) for p in inv.pieces)
    return [
        rf"The largest invariant set in $\{{\dot V = 0\}}$ is $M = {sets}$, which reaches arbitrarily close to "
        r"the origin and on which $V$ is constant; by LaSalle's invariance principle trajectories approach "
        r"$M$ but those on $M$ never reach the origin."
    ]


def _lyapunov(nl) -> list[str]:
    out = [rf"Let $V = {_tex(nl.V)}$, positive definite and radially unbounded. " + _invariant_field_note(nl.V)]
    if nl.dV == 0:
        return out + _conserved_tex(nl)
    derivative, increasing = _derivative_tex(nl)
    return out + derivative + _invariant_set_tex(nl, increasing)


def _chetaev(nl) -> list[str]:
    che = nl.chetaev
    k = "k" if che.local_form.has(K) else r"\pm 1"
    return [
        rf"Let $V = {_tex(che.V)}$. Along the field $\dot V = {_tex(che.dV)}$. Writing "
        rf"${_DOT} = {k}\,{_NP}{_NT}$" + (r" with $|k| \le 1$" if k == "k" else r" (collinear vectors)") + ",",
        rf"\[ \dot V = {_tex(che.local_form)}, \]",
        rf"whose factor other than powers of the norms is continuous at the origin, where it equals "
        rf"${_tex(che.leading)} > 0$. Hence $\dot V > 0$ on $\{{{_tex(che.region)}\}}$ near the origin, where "
        r"$V > 0$, and by Chetaev's theorem the origin is unstable.",
    ]


def _orbits(nl) -> list[str]:
    out = []
    for o in nl.orbits:
        cond = r",\ ".join(f"{_tex(k)} = {_tex(v)}" for k, v in o.conditions.items())
        kind = "a family of periodic rotations" if o.kind == OrbitKind.FAMILY else "an isolated periodic rotation"
        out.append(
            rf"For $n \ge 2$ the field has {kind} ${cond}$ (constant invariants; the coefficients are then constant "
            rf"and ${_PHI}$, ${_THETA}$ rotate in their common plane) at angular frequency "
            rf"$\omega = {_tex(o.frequency)}$; {o.stability} (Jacobian of the invariant system)."
        )
    return out


# --------------------------------------------------------------------------- by method
def _cases_tex(nl) -> list[str]:
    parts = [rf"When ${_tex(cond)}$: {_VERDICT_TEXT[verdict]}." for verdict, cond in nl.conditions.items()]
    return parts + _orbits(nl)


def _linearization_tex(nl) -> list[str]:
    if nl.verdict == NonlinearStability.UNSTABLE:
        return [
            r"The Jacobian at the origin has an eigenvalue with positive real part; by Lyapunov's indirect "
            r"method (Hartman--Grobman) the origin is unstable."
        ]
    rate = f" (rate ${_tex(nl.decay_rate)}$)" if nl.decay_rate is not None else ""
    parts = [
        r"Every eigenvalue of the Jacobian at the origin has negative real part; by Lyapunov's indirect "
        rf"method the origin is locally exponentially asymptotically stable{rate}."
    ]
    if nl.globally and nl.V is not None:
        parts += [r"Globally:"] + _lyapunov(nl)
    return parts


def _piece_tex(piece) -> str:
    """A non-smooth piece; the unit step as H (SymPy prints it as theta, which reads as the generator)."""
    if isinstance(piece, sp.Heaviside):
        return rf"\operatorname{{H}}\left({_tex(piece.args[0])}\right)"
    return _tex(piece)


def _local_tex(nl) -> list[str]:
    """The neighbourhood where the smooth branches hold: the verdict is local."""
    if not nl.branches:
        return []
    bounds = [b.bound for b in nl.branches if b.bound is not None]
    where = rf"Locally, for $|{_DOT}| < {_tex(sp.Min(*bounds))}$" if bounds else "Locally"
    pieces = r";\ ".join(
        f"{_piece_tex(b.piece)} = {_tex(b.branch)}"
        + r" \text{ where } "
        + r",\ ".join(_tex(rel) for rel in b.relations)
        for b in nl.branches
    )
    return [
        rf"{where}: ${pieces}$, an open neighbourhood of the origin on which the field equals its smooth branch. "
        r"The argument is made for that local field: the verdict is local, and nothing is claimed outside the "
        r"neighbourhood."
    ]


def _escape_tex(nl) -> list[str]:
    esc = nl.escape
    area = rf"A = {_NP}^2{_NT}^2 - ({_DOT})^2"
    grows = r"\dot A = 0" if esc.conserved else rf"\dot A = 2({_tex(esc.trace)})A \ge 0"
    sign = esc.sign
    chain = rf"\dot W = {_tex(esc.dW)}"
    if sign.form is not None and sign.form != esc.dW:
        chain += rf" = {_tex(sign.form)}"
    sets = r" \cup ".join(_piece(p) for p in esc.invariant.pieces) or r"\{0\}"
    return [
        rf"For $n \ge 2$ let $W = {_tex(esc.W)}$. " + _invariant_field_note(esc.W),
        rf"Along the field \[ {chain} \le 0, \]",
        f"since {_reasons(sign.steps)}; equality holds exactly where ${_zeros(sign.zeros)}$.",
        rf"The squared area ${area}$ of the parallelogram spanned by ${_PHI}$, ${_THETA}$ obeys "
        rf"$\dot A = 2(a + d)A$, here ${grows}$. A bounded trajectory would have a non-empty compact invariant "
        rf"limit set inside $\{{\dot W = 0\}}$, hence inside its largest invariant set ${sets}$, where $A = 0$; "
        r"but $A \ge A(z_0) > 0$ on trajectories with linearly independent "
        rf"${_PHI}_0$, ${_THETA}_0$. Those trajectories, which start arbitrarily close to the origin, are unbounded.",
    ]


def _quasi_tex(nl) -> list[str]:
    q = nl.quasi
    x, y = q.x, q.y
    p, w = q.weights
    chain = rf"\dot V = {_tex(q.dV)}"
    if q.sign.form is not None and q.sign.form != q.dV:
        chain += rf" = {_tex(q.sign.form)}"
    region = r",\ ".join(f"{_tex(e)} > 0" for e in q.sign.region)
    where = rf" on the neighbourhood $\{{{region}\}}$ of the origin" if region else ""
    out = [
        rf"In dimension $1$ the Jacobian is nilpotent. With weights $\deg {_tex(x)} = {p}$, $\deg {_tex(y)} = {w}$ "
        rf"the leading terms of the field, $\dot{{{_tex(x)}}} = {_tex(q.truncated[0])}$, "
        rf"$\dot{{{_tex(y)}}} = {_tex(q.truncated[1])}$, conserve $F = {_tex(q.F)}$; along the full field "
        rf"$\dot F = {_tex(q.dF)}$. Let $V = F^2 + {_tex(x)}^2$, positive definite (it vanishes only where "
        rf"${_tex(x)} = 0$ and $F = {_tex(q.F.xreplace({x: 0}))} = 0$).",
        rf"Along the field \[ {chain} \le 0 \]",
        f"{where.strip() or 'everywhere'}, since {_reasons(q.sign.steps)}. By Lyapunov's theorem the origin is "
        "Lyapunov-stable.",
    ]
    if q.accumulate:
        out.append("It is not asymptotically stable: equilibria other than the origin come arbitrarily close to it.")
    return out


def _decay_tex(nl) -> list[str]:
    dp = nl.decay
    me, other = (_PHI, _THETA) if dp.player == "phi" else (_THETA, _PHI)
    damp, coup = ("d", "c") if dp.player == "phi" else ("a", "b")
    n_me, n_other = rf"\Vert{me}\Vert", rf"\Vert{other}\Vert"
    region = r",\ ".join(f"{_tex(e)} > 0" for e in dp.region)
    where = rf" on the neighbourhood $\{{{region}\}}$ of the origin" if region else ""
    damping = rf"{damp} = 0" if dp.damping == 0 else rf"{damp} = {_tex(dp.damping)} \le 0"
    return [
        rf"Let $W = {n_me}^2$. " + _invariant_field_note(dp.W),
        rf"Then \[ \tfrac12 \dot W + {_tex(dp.rate)}\,W = {_tex(dp.bound)} \le 0 \]",
        f"{where.strip() or 'everywhere'}, since {_reasons(dp.sign.steps)}; so "
        rf"${n_me}(t) \le {n_me}(0)\,e^{{-{_tex(dp.rate)} t}}$. Moreover ${damping}$, so "
        rf"$\tfrac{{d}}{{dt}}{n_other} \le |{coup}|\,{n_me}$ with ${coup} = {_tex(dp.coupling)}$ continuous, "
        rf"$|{coup}| \le C$ near the origin: ${n_other}(t) \le {n_other}(0) + C\,{n_me}(0)/{_tex(dp.rate)}$. "
        "Trajectories starting close enough to the origin stay near it: the origin is Lyapunov-stable.",
    ] + ([rf"It is not asymptotically stable: every state with ${me} = 0$ is an equilibrium."] if dp.equilibria else [])


def _certificate_tex(nl) -> list[str]:
    parts = _local_tex(nl)
    if nl.method == Method.DIMENSION:
        parts.append(
            r"States with $\boldsymbol\varphi$, $\boldsymbol\theta$ on one line form an invariant subspace "
            r"carrying the $1$-dimensional dynamics, so instability for $n = 1$ implies it for every $n$, and "
            r"asymptotic stability for $n \ge 2$ implies it for $n = 1$."
        )
    if nl.chetaev is not None:
        parts += _chetaev(nl)
    elif nl.escape is not None:
        parts += _escape_tex(nl)
    elif nl.quasi is not None:
        parts += _quasi_tex(nl)
    elif nl.decay is not None:
        parts += _decay_tex(nl)
    elif nl.V is not None:
        parts += _lyapunov(nl)
    return parts + _orbits(nl)


def _dim_tex(key: str) -> str:
    return key.replace(">=", r"\ge")


def _conclusion_tex(nl) -> list[str]:
    parts = []
    if nl.convergence == Convergence.SUB_EXPONENTIAL:
        p = f": $\\Vert z\\Vert \\sim t^{{-{_tex(nl.decay_exponent)}}}$" if nl.decay_exponent is not None else ""
        parts.append(rf"The linearisation is a centre, so the convergence is not exponential{p}.")
    if nl.verdict == NonlinearStability.UNDECIDED:
        parts.append(rf"\textbf{{Conclusion}} ($n = {nl.dim}$): undecided.")
    else:
        local = " (a local statement: near the origin)" if nl.branches else ""
        parts.append(rf"\textbf{{Conclusion}} ($n = {nl.dim}$): the origin is {_VERDICT_TEXT[nl.verdict]}{local}.")
    if nl.by_dim and len(set(nl.by_dim.values())) > 1:
        dims = ", ".join(f"{_VERDICT_TEXT[v]} for ${_dim_tex(k)}$" for k, v in nl.by_dim.items())
        parts.append(f"The verdict depends on the dimension: {dims}.")
    return parts


def latex_proof(nl) -> str:
    """The proof of ``nl.verdict`` (a :class:`~stability.theory.nonlinear.NonlinearVerdict`) as a LaTeX fragment."""
    if nl.method == Method.CASES:
        parts = _cases_tex(nl)
    elif nl.method == Method.LINEARIZATION:
        parts = _linearization_tex(nl)
    elif nl.method == Method.NONE:
        parts = _local_tex(nl) + ["No Lyapunov or Chetaev certificate was found; the verdict is undecided."]
    else:
        parts = _certificate_tex(nl)
    return "\n".join(parts + _conclusion_tex(nl))
