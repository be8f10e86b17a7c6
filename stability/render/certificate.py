r"""The nonlinear verdict as a derivation step: the certificate's formulas and the argument, from its structure.

The LaTeX document shows the proof of :mod:`stability.render.proof` instead of the argument;
both read the certificate (V, dV/dt with its proved sign, LaSalle's set, Chetaev's data), never
its prose.

>>> from stability import analyze
>>> from stability.render.writing import writing_of
>>> a = analyze("gan_qp")
>>> [str(e.lhs) for e in nonlinear_step(a, writing_of(a)).equations]
['V', 'Derivative(V, t)', 'M']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import sympy as sp

from ..model.space import DOT, NORM_PHI, NORM_THETA
from ..theory.lyapunov import AREA, AreaEscape, DecayingPlayer, K, QuasiHomogeneous
from .notation import Equation, PlusMinus, Prose, SetUnion, Strong, Tex, Text, prose
from .steps import Step
from .symbols import PHI_VEC, THETA_VEC, N, V, dot
from .symbols import M as M_SET
from .writing import Writing, eq, make_step

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Analysis

__all__ = ["nonlinear_step", "VERDICT_TEXT"]

#: The nonlinear verdicts in words.
VERDICT_TEXT = {
    "asymptotically-stable": "asymptotically stable",
    "stable": "Lyapunov-stable, not asymptotically stable",
    "unstable": "unstable",
    "undecided": "undecided",
}


_METHOD_TEXT = {
    "linearization": "Lyapunov's indirect method",
    "lyapunov": "a Lyapunov function",
    "lasalle": "LaSalle's invariance principle",
    "conserved": "a conserved quantity",
    "chetaev": "Chetaev's theorem",
    "dimension": "the link between dimensions",
    "cases": "case by case",
    "none": "no certificate found",
}


def _certificate(nl) -> list[Equation]:
    """The certificate's formulas: V and dV/dt (with its proved sign), LaSalle's set."""
    che = nl.chetaev
    if che is not None:
        rows = [Equation(V, che.V), Equation(dot(V), che.dV)]
        if che.local_form != che.dV:
            if che.local_form.has(K):
                where = (Text("writing"), Equation(DOT, K * NORM_PHI * NORM_THETA), sp.Le(sp.Abs(K), 1))
            else:
                where = (Text("on collinear states,"), Equation(DOT, PlusMinus(0, NORM_PHI * NORM_THETA)))
            rows.append(Equation(dot(V), che.local_form, qualifier=where))
        return rows
    if nl.V is None:
        return []
    name = _W if nl.escape is not None else V  # the area escape's W is no Lyapunov function
    rows = [Equation(name, nl.V)]
    sign = nl.sign
    if nl.dV == 0:
        rows.append(Equation(dot(name), sp.Integer(0), qualifier=(Text("identically"),)))
    elif sign is not None and sign.sign != 0:
        bound = sp.Ge(nl.dV, 0, evaluate=False) if sign.sign > 0 else sp.Le(nl.dV, 0, evaluate=False)
        rows.append(Equation(dot(name), bound))
    else:
        rows.append(Equation(dot(name), nl.dV))
    inv = nl.invariant
    if inv is not None and not inv.only_origin:
        pieces = tuple(tuple(eq(k, v) for k, v in piece.items()) for piece in inv.pieces)
        where = _zero_set("W" if nl.escape is not None else "V")
        rows.append(Equation(M_SET, SetUnion(pieces), qualifier=(Text("the largest invariant set in"), where)))
    return rows


_W = sp.Symbol("W")


def _zero_set(name: str = "V"):
    return Tex(r"\{\dot " + name + r" = 0\}")


def _argument(nl) -> Prose:
    """The argument behind the verdict, from the certificate's structure (not from its prose)."""
    method, verdict = str(nl.method), str(nl.verdict)
    out: Prose = ()
    if method == "cases":
        for v, cond in nl.conditions.items():
            out += prose("When ", cond, f": {VERDICT_TEXT.get(str(v), str(v))}. ")
    elif method == "linearization" and verdict == "unstable":
        out += prose(
            "Some eigenvalue of the Jacobian at the origin has positive real part: by Lyapunov's indirect "
            "method (Hartman–Grobman) the origin is unstable. "
        )
    elif method == "linearization":
        rate = nl.decay_rate
        out += prose(
            "Every eigenvalue of the Jacobian at the origin has negative real part: by Lyapunov's indirect method "
            "the origin is locally exponentially asymptotically stable",
            (" (rate ", rate, ")") if rate is not None else "",
            ". ",
        )
        if nl.V is not None:
            out += prose("Globally, ") + _lyapunov_argument(nl)
    elif method == "none":
        out += prose("No Lyapunov or Chetaev certificate was found. ")
    else:
        if method == "dimension":
            out += prose(
                "States with ",
                PHI_VEC,
                " and ",
                THETA_VEC,
                " on one line form an invariant subspace carrying the 1-dimensional dynamics, so instability for ",
                eq(N, 1),
                " implies it for every ",
                N,
                ", and asymptotic stability for ",
                sp.Ge(N, 2, evaluate=False),
                " implies it for ",
                eq(N, 1),
                ". ",
            )
        che = nl.chetaev
        if che is not None:
            out += prose(
                "On that subspace, by" if method == "dimension" else "By",
                " Chetaev's theorem: the region ",
                Tex(r"\{V > 0\}"),
                " has the origin on its boundary, and ",
                sp.StrictGreaterThan(dot(V), 0, evaluate=False),
                " on it near the origin (the factor of ",
                dot(V),
                " other than powers of the norms tends to ",
                sp.StrictGreaterThan(che.leading, 0, evaluate=False),
                " there); so the origin is unstable. ",
            )
        elif nl.escape is not None:
            out += _escape_argument(nl.escape)
        elif nl.quasi is not None:
            out += _quasi_argument(nl.quasi)
        elif nl.decay is not None:
            out += _decay_argument(nl.decay)
        elif nl.V is not None:
            out += _lyapunov_argument(nl)
    if nl.branches:
        out += prose(
            "The argument is made for the field's smooth branch near the origin (",
            *[(", " if i else "", rel) for i, rel in enumerate(nl.neighbourhood)],
            "): the verdict is local, and nothing is claimed outside that neighbourhood. ",
        )
    for o in nl.orbits:
        conds: list[Any] = []
        for k, v in o.conditions.items():
            conds += [", " if conds else "", eq(k, v)]
        kind = "a family of periodic rotations" if o.kind == "family" else "an isolated periodic rotation"
        out += prose(
            "For ",
            sp.Ge(N, 2, evaluate=False),
            f" the field has {kind} with ",
            *conds,
            " at angular frequency ",
            eq(sp.Symbol("omega"), o.frequency),
            f" ({o.stability}). ",
        )
    conclusion = VERDICT_TEXT.get(verdict, verdict)
    out += prose("Conclusion, in dimension ", eq(N, nl.dim), ": ", Strong(conclusion), ".")
    by_dim = nl.by_dim or {}
    if len(set(by_dim.values())) > 1:
        items: list[Any] = []
        for k, v in by_dim.items():
            items += [", " if items else "", f"{VERDICT_TEXT.get(str(v), str(v))} for ", Tex(k.replace(">=", r"\ge"))]
        out += prose(" The verdict depends on the dimension: ", *items, ".")
    return out


def _escape_argument(esc: AreaEscape) -> Prose:
    """Unbounded trajectories off the collinear states (n >= 2): W never increases, the area never decreases."""
    area = sp.Symbol("A")
    grows = "is conserved" if esc.conserved else "never decreases"
    return prose(
        "For ",
        sp.Ge(N, 2, evaluate=False),
        ", ",
        eq(_W, esc.W),
        " never increases (",
        sp.Le(dot(_W), 0, evaluate=False),
        "), and LaSalle's largest invariant set in ",
        _zero_set("W"),
        " lies in the collinear states, where the squared area ",
        eq(area, AREA),
        " of the parallelogram of ",
        PHI_VEC,
        " and ",
        THETA_VEC,
        " vanishes; along the field ",
        area,
        f" {grows}. A bounded trajectory would approach that set, where ",
        eq(area, 0),
        ", yet ",
        area,
        " stays at least its initial value, positive whenever ",
        PHI_VEC,
        " and ",
        THETA_VEC,
        " start linearly independent: such trajectories, which start arbitrarily close to the origin, are "
        "unbounded, so the origin is unstable. ",
    )


def _quasi_argument(q: QuasiHomogeneous) -> Prose:
    """The nilpotent case in dimension 1: V = F^2 + x^2 from the first integral F of the leading terms."""
    out = prose(
        "In dimension 1 the Jacobian is nilpotent. The field's leading (quasi-homogeneous) terms conserve ",
        eq(sp.Symbol("F"), q.F),
        "; ",
        eq(V, q.V),
        " is positive definite and does not increase along the full field",
        " near the origin" if q.sign.region else "",
        ", so by Lyapunov's theorem the origin is Lyapunov-stable. ",
    )
    if q.accumulate:
        out += prose("It is not asymptotically stable: equilibria other than the origin come arbitrarily close to it. ")
    return out


def _decay_argument(dp: DecayingPlayer) -> Prose:
    """One player's norm decays exponentially, the other's moves by a bounded amount: Lyapunov stability."""
    me, other = (PHI_VEC, THETA_VEC) if dp.player == "phi" else (THETA_VEC, PHI_VEC)
    out = prose(
        "The norm of ",
        me,
        " decays at least like ",
        sp.exp(-dp.rate * sp.Symbol("t")),
        " near the origin, and the rate of change of the norm of ",
        other,
        " is bounded by a constant times it, so ",
        other,
        " moves by a bounded amount: trajectories that start close enough to the origin stay near it, and the "
        "origin is Lyapunov-stable. ",
    )
    if dp.equilibria:
        out += prose("It is not asymptotically stable: every state with ", eq(me, 0), " is an equilibrium. ")
    return out


def _lyapunov_argument(nl) -> Prose:
    if nl.dV == 0:
        return prose(
            V,
            " is conserved: every trajectory stays on a level set of ",
            V,
            ", so the origin is Lyapunov-stable and not asymptotically stable. ",
        )
    inv = nl.invariant
    sign = nl.sign
    if sign is not None and sign.sign > 0:
        return prose(V, " grows along every trajectory near the origin: the origin is unstable. ")
    if inv is None:
        return prose(V, " does not increase along the field: the origin is Lyapunov-stable. ")
    if inv.only_origin:
        return prose(
            V,
            " is positive definite and radially unbounded and does not increase; the largest invariant set in ",
            _zero_set(),
            " is the origin alone, so by LaSalle's invariance principle every trajectory converges to the origin. ",
        )
    return prose(
        V,
        " does not increase; by LaSalle's invariance principle trajectories approach ",
        M_SET,
        ", which reaches arbitrarily close to the origin and on which ",
        V,
        " is constant, so those on it never reach the origin. ",
    )


def nonlinear_step(a: Analysis, nt: Writing) -> Step:
    """The nonlinear verdict of ``a`` (computed on first access) with its certificate and proof."""
    record = a.nonlinear
    method = _METHOD_TEXT.get(str(record.method), str(record.method))
    text = prose(
        "What the linearisation cannot say, the nonlinear terms decide. Verdict in dimension ",
        eq(N, a.dim),
        ": ",
        Strong(str(record.verdict)),
        f" (method: {method}).",
    )
    values = {"record": record, "verdict": record.verdict, "method": record.method}
    return make_step(
        nt, "nonlinear", "Nonlinear analysis", text, _certificate(record), values, _argument(record), record.to_latex()
    )
