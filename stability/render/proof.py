"""The nonlinear verdict as a short LaTeX proof (amsmath only): V, dV/dt, the argument, the conclusion.

The text is a fragment (no preamble, no heading) meant to follow the derivation of
:mod:`stability.render.latex`; invariants print as ``\\Vert\\boldsymbol\\varphi\\Vert``,
``\\boldsymbol\\theta\\cdot\\boldsymbol\\varphi``.

>>> from stability import analyze
>>> tex = analyze("vanilla_ns", dim=1).nonlinear.to_latex()
>>> "LaSalle" in tex and r"\\tanh" in tex
True
"""

from __future__ import annotations

import sympy as sp

from ..theory.lyapunov import K, R, S, U

__all__ = ["latex_proof"]

_VERDICT_TEXT = {
    "asymptotically-stable": "asymptotically stable",
    "stable": "Lyapunov-stable, not asymptotically stable",
    "unstable": "unstable",
    "undecided": "undecided",
}
_PHI, _THETA = r"\boldsymbol{\varphi}", r"\boldsymbol{\theta}"
_DOT = rf"{_THETA}\cdot{_PHI}"
_NP, _NT = rf"\Vert{_PHI}\Vert", rf"\Vert{_THETA}\Vert"


def _tex(expr) -> str:
    from ..analysis import latex

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


def _reasons(facts) -> str:
    out = []
    text = " ".join(facts)
    if "tanh" in text:
        out.append(
            r"$\sigma(x) = \tfrac12\bigl(1 + \tanh\tfrac x2\bigr)$ and $x\tanh(kx) \ge 0$ for $k > 0$, "
            r"with equality only at $x = 0$ ($\tanh$ is odd and increasing)"
        )
    if "Cauchy-Schwarz" in text:
        out.append(rf"Cauchy--Schwarz, $|{_DOT}| \le {_NP}{_NT}$, makes the quadratic form semidefinite")
    if "even power" in text or "two factors" in text:
        out.append("squares are non-negative")
    if "is bounded" in text:
        out.append(r"$0 < \sigma < 1$")
    if "> 0" in text and ("sigmoid" in text or "softplus" in text):
        out.append(r"$\sigma > 0$")
    return "; ".join(dict.fromkeys(out)) or "every term has a known sign"


def _invariant_field_note(V) -> str:
    if not (sp.sympify(V).free_symbols & {R, S, U}):
        return ""
    return (
        rf"For the field $\dot{{{_PHI}}} = a{_PHI} + b{_THETA}$, $\dot{{{_THETA}}} = c{_PHI} + d{_THETA}$ "
        r"the invariants obey "
        rf"$\tfrac{{d}}{{dt}}{_NP}^2 = 2(a{_NP}^2 + b\,{_DOT})$, $\tfrac{{d}}{{dt}}{_NT}^2 = 2(c\,{_DOT} + d{_NT}^2)$, "
        rf"$\tfrac{{d}}{{dt}}({_DOT}) = (a + d)\,{_DOT} + c{_NP}^2 + b{_NT}^2$. "
    )


def _lyapunov(nl) -> list[str]:
    from ..theory.nonlinear import zero_dnf

    out = [
        rf"Let $V = {_tex(nl.V)}$, positive definite and radially unbounded. " + _invariant_field_note(nl.V),
    ]
    if nl.dV == 0:
        out.append(r"Along the field $\dot V \equiv 0$: $V$ is a conserved quantity.")
        if nl.dim == 1:
            out.append(
                r"In dimension $1$ its level sets are closed curves without equilibria other than the origin, "
                r"so every other orbit is periodic."
            )
        return out
    form = nl.sign.form if nl.sign is not None else None
    chain = rf"\dot V = {_tex(nl.dV)}"
    if form is not None and form != nl.dV:
        chain += rf" = {_tex(form)}"
    rel = r"\ge" if nl.sign is not None and nl.sign.sign > 0 else r"\le"
    out.append(rf"Along the field \[ {chain} {rel} 0, \]")
    facts = nl.sign.facts if nl.sign is not None else ()
    out.append(f"since {_reasons(facts)}; equality holds exactly where ${_zeros(zero_dnf(nl.dV))}$.")
    inv = nl.invariant
    if inv is not None and rel == r"\ge":
        out.append(
            r"The largest invariant set in $\{\dot V = 0\}$ is the origin alone. A trajectory from $z_0 \ne 0$ keeps "
            r"$V \ge V(z_0) > 0$; were it to stay near the origin, its limit set would be invariant in "
            r"$\{\dot V = 0\}$, i.e. the origin: impossible. So it leaves every small ball (in reversed time the "
            r"origin attracts everything)."
        )
    elif inv is not None:
        if inv.only_origin:
            out.append(
                r"The largest invariant set in $\{\dot V = 0\}$ is the origin alone"
                + (rf" (in dimension $1$, ${_PHI}$ and ${_THETA}$ are collinear)" if nl.dim == 1 else "")
                + "; by LaSalle's invariance principle every trajectory converges to the origin."
            )
        else:
            sets = r" \cup ".join(_piece(p) for p in inv.pieces)
            out.append(
                rf"The largest invariant set in $\{{\dot V = 0\}}$ is $M = {sets}$, which reaches arbitrarily close to "
                r"the origin and on which $V$ is constant; by LaSalle's invariance principle trajectories approach "
                r"$M$ but those on $M$ never reach the origin."
            )
    return out


def _chetaev(nl) -> list[str]:
    che = nl.chetaev
    region = {
        "phi != 0": rf"{_PHI} \ne 0",
        "theta != 0": rf"{_THETA} \ne 0",
        "theta.phi > 0": rf"{_DOT} > 0",
        "theta.phi < 0": rf"{_DOT} < 0",
    }.get(che.region, che.region)
    k = "k" if che.local_form.has(K) else r"\pm 1"
    return [
        rf"Let $V = {_tex(che.V)}$. Along the field $\dot V = {_tex(che.dV)}$. Writing "
        rf"${_DOT} = {k}\,{_NP}{_NT}$" + (r" with $|k| \le 1$" if k == "k" else r" (collinear vectors)") + ",",
        rf"\[ \dot V = {_tex(che.local_form)}, \]",
        rf"whose factor other than powers of the norms is continuous at the origin, where it equals "
        rf"${_tex(che.leading)} > 0$. Hence $\dot V > 0$ on $\{{{region}\}}$ near the origin, where $V > 0$, and by "
        r"Chetaev's theorem the origin is unstable.",
    ]


def _orbits(nl) -> list[str]:
    out = []
    for o in nl.orbits:
        cond = r",\ ".join(f"{_tex(k)} = {_tex(v)}" for k, v in o.conditions.items())
        kind = "a family of periodic rotations" if o.kind == "family" else "an isolated periodic rotation"
        out.append(
            rf"For $n \ge 2$ the field has {kind} ${cond}$ (constant invariants; the coefficients are then constant "
            rf"and ${_PHI}$, ${_THETA}$ rotate in their common plane) at angular frequency "
            rf"$\omega = {_tex(o.frequency)}$; {o.stability} (Jacobian of the invariant system)."
        )
    return out


def _dim_tex(key: str) -> str:
    return key.replace(">=", r"\ge")


def latex_proof(nl) -> str:
    """The proof of ``nl.verdict`` as a LaTeX fragment."""
    parts: list[str] = []
    if nl.method == "cases":
        for verdict, cond in nl.conditions.items():
            parts.append(rf"When ${sp.latex(cond)}$: {_VERDICT_TEXT[verdict]}.")
        parts += _orbits(nl)
    elif nl.method == "linearization":
        if nl.verdict == "unstable":
            parts.append(
                r"The Jacobian at the origin has an eigenvalue with positive real part; by Lyapunov's indirect "
                r"method (Hartman--Grobman) the origin is unstable."
            )
        else:
            rate = f" (rate ${_tex(nl.decay_rate)}$)" if nl.decay_rate is not None else ""
            parts.append(
                r"Every eigenvalue of the Jacobian at the origin has negative real part; by Lyapunov's indirect "
                rf"method the origin is locally exponentially asymptotically stable{rate}."
            )
            if nl.V is not None:
                parts.append(r"Globally:")
                parts += _lyapunov(nl)
    elif nl.method == "none":
        parts.append("No Lyapunov or Chetaev certificate was found; the verdict is undecided.")
    else:
        if nl.method == "dimension":
            parts.append(
                r"States with $\boldsymbol\varphi$, $\boldsymbol\theta$ on one line form an invariant subspace "
                r"carrying "
                r"the $1$-dimensional dynamics, so instability for $n = 1$ implies it for every $n$, and asymptotic "
                r"stability for $n \ge 2$ implies it for $n = 1$."
            )
        if nl.chetaev is not None:
            parts += _chetaev(nl)
        elif nl.V is not None:
            parts += _lyapunov(nl)
        parts += _orbits(nl)
    if nl.convergence == "sub-exponential":
        p = f": $\\Vert z\\Vert \\sim t^{{-{_tex(nl.decay_exponent)}}}$" if nl.decay_exponent is not None else ""
        parts.append(rf"The linearisation is a centre, so the convergence is not exponential{p}.")
    if nl.verdict == "undecided":
        parts.append(rf"\textbf{{Conclusion}} ($n = {nl.dim}$): undecided.")
    else:
        parts.append(rf"\textbf{{Conclusion}} ($n = {nl.dim}$): the origin is {_VERDICT_TEXT[nl.verdict]}.")
    if nl.by_dim and len(set(nl.by_dim.values())) > 1:
        dims = ", ".join(f"{_VERDICT_TEXT.get(v, v)} for ${_dim_tex(k)}$" for k, v in nl.by_dim.items())
        parts.append(f"The verdict depends on the dimension: {dims}.")
    return "\n".join(parts)
