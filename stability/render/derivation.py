r"""The analysis as a derivation: losses -> gradients -> field -> linearisation -> verdict, as data.

:func:`derivation` turns an :class:`~stability.Analysis` into a tuple of
:class:`~stability.render.steps.Step` records whose equations hold the analysis' own SymPy
objects (the losses, the derived field, the Jacobian's 2x2 block, the eigenvalues), never
transcribed ones; :mod:`stability.render.latex` and :mod:`stability.render.markdown` render them.

Notation follows the source post: rotation-invariant variants are written with bold vectors
:math:`\boldsymbol\varphi, \boldsymbol\theta \in \mathbb{R}^n`; in dimension 1 with plain
scalars; general (non-invariant) variants component by component.

>>> from stability import analyze
>>> steps = derivation(analyze("vanilla_ns"))
>>> [s.key for s in steps]
['setting', 'losses', 'gradients', 'field', 'linearization', 'second_order', 'eigenvalues', 'verdict', 'nonlinear']
>>> steps[5].values["stiffness"], steps[5].equations[-1].tag
(-1/4, '9')
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import sympy as sp

from ..dynamics.field import tidy
from ..model.regularizers import REGULARIZERS
from ..model.space import DOT, NORM_PHI, NORM_THETA
from .certificate import VERDICT_TEXT, nonlinear_step
from .notation import (
    Code,
    Collection,
    Combination,
    Equation,
    Gradient,
    Math,
    Multiplicity,
    OrderedSum,
    PlusMinus,
    Prose,
    Strong,
    Tex,
    Text,
    prose,
)
from .second_order import SecondOrder, second_order, second_order_step
from .steps import Step
from .symbols import L_D, L_G, MU, PHI_VEC, THETA_VEC, ZERO_VEC, B, J, L, N, Z, component, dot
from .update_map import map_field_step, training_prose, update_map_step
from .wording import unstable_shape
from .writing import Writing, eq, field_lhs, indices, is_discrete, make_step, post_tag, writing_of

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Analysis

__all__ = ["derivation", "second_order", "SecondOrder", "eigenvalue_items", "VERDICT_TEXT"]


def eigenvalue_items(parts) -> tuple[Multiplicity, ...]:
    r"""The eigenvalues with their multiplicities, complex-conjugate pairs merged into :math:`\pm`.

    >>> from stability import analyze
    >>> eigenvalue_items(analyze("vanilla_ns").eigenvalue_parts)
    (Multiplicity(value=PlusMinus(center=0, offset=I/2), count=2),)
    """
    parts = list(parts)
    out, used = [], set()
    for i, p in enumerate(parts):
        if i in used:
            continue
        mate = None
        if not p.real.has(sp.Piecewise) and not p.imag.has(sp.Piecewise) and p.imag.is_nonzero:
            for j in range(i + 1, len(parts)):
                q = parts[j]
                if (
                    j not in used
                    and q.multiplicity == p.multiplicity
                    and sp.simplify(q.value - sp.conjugate(p.value)) == 0
                ):
                    mate = j
                    break
        if mate is None:
            out.append(Multiplicity(p.value, p.multiplicity))
            continue
        used.add(mate)
        im = sp.Abs(p.imag) if p.imag.is_real else p.imag
        out.append(Multiplicity(PlusMinus(p.real, sp.I * sp.simplify(im)), p.multiplicity))
    return tuple(out)


# ----------------------------------------------------------------------------------------
# The steps
# ----------------------------------------------------------------------------------------
def _general_form(form: str) -> list[Equation]:
    """The variant's general losses (its own LaTeX), one equation per row, aligned at the first ``=``."""
    rows = []
    for part in re.split(r",?\\quad ", form):
        part = part.strip()
        if not part:
            continue
        lhs, sep, rhs = part.partition(" = ")
        rows.append(Equation(Tex(lhs), Tex(rhs)) if sep else Equation(None, Tex(part)))
    return rows


def _param_prose(a: Analysis) -> Prose:
    items: list[Any] = []
    for name, value in a.params.items():
        sym = sp.Symbol(name)
        if items:
            items.append(", ")
        if isinstance(value, sp.Symbol) and value.name == name:
            items += [Math(sym), " (symbolic)"]
        else:
            items.append(Math(eq(sym, value)))
    return prose(" Parameters: ", *items, ".") if items else ()


def _setting(a: Analysis, nt: Writing) -> Step:
    v = a.variant
    P, T = nt.phi, nt.theta
    if nt.mode == "components":
        P, T = PHI_VEC, THETA_VEC
    flow_phi = Equation(dot(P), Combination(((-1, Gradient(L_D, P)),)))
    flow_theta = Equation(dot(T), Combination(((-1, Gradient(L_G, T)),)))
    text = prose(
        "Variant ",
        Code(v.name),
        f": {v.description}" if v.description else "",
        f" (the post's {v.equations})" if v.equations else "",
        ". The Dirac GAN: the real distribution is the single point ",
        eq(sp.Symbol("x_r"), 0),
        ", the generator's sample is ",
        eq(sp.Symbol("x_f"), T),
        " and the discriminator is linear before its activation, ",
        Tex(rf"D(x) = x\cdot {_tex_name(P)}"),
        ", with ",
        nt.space,
        ". Each player minimises its own loss",
        training_prose(a, flow_phi, flow_theta),
        " Equation numbers in parentheses are the post's.",
        _param_prose(a),
    )
    rows = _general_form(v.general_form) if v.general_form else []
    if is_discrete(a):
        rows += _general_form(a.optimizer.latex)
    return make_step(nt, "setting", "The setting", text, rows, {"dim": a.dim, "params": dict(a.params)})


def _tex_name(sym: sp.Symbol) -> str:
    return {PHI_VEC: r"\boldsymbol{\varphi}", THETA_VEC: r"\boldsymbol{\theta}"}.get(sym, r"\varphi")


def _losses(a: Analysis, nt: Writing) -> Step:
    d_loss, g_loss = a.dynamics.d_loss, a.dynamics.g_loss
    rows = [Equation(L_D, d_loss, tag=post_tag(a, "losses")), Equation(L_G, g_loss)]
    if nt.mode == "vector":
        text = prose(
            "With ",
            eq(sp.Symbol("x_r"), 0),
            " and ",
            eq(sp.Symbol("x_f"), THETA_VEC),
            " the expectations become single values, and the losses depend on ",
            PHI_VEC,
            " and ",
            THETA_VEC,
            " only through ",
            NORM_PHI,
            ", ",
            NORM_THETA,
            " and ",
            DOT,
            " (they are rotation invariant).",
        )
    else:
        text = prose(
            "The losses of the Dirac GAN in components",
            " (dimension 1: plain scalars)." if nt.mode == "scalar" else ".",
        )
    if a.regularizers:
        items: list[Any] = []
        for k, w in a.regularizers.items():
            reg = REGULARIZERS[k]
            sym = reg.weight.symbol
            if items:
                items.append(", ")
            items += [Tex(reg.latex), " with "]
            items += ["symbolic ", Math(sym)] if w == sym else [Math(eq(sym, w))]
        text += prose(" The regularisers are included: ", *items, ".")
    text += prose(" Additive constants, which do not change the dynamics, are dropped.")
    return make_step(nt, "losses", "Dirac losses", text, rows, {"d_loss": d_loss, "g_loss": g_loss})


def _gradients_invariant(a: Analysis, nt: Writing) -> Step:
    d_loss, g_loss = a.dynamics.d_loss, a.dynamics.g_loss
    P, T = PHI_VEC, THETA_VEC
    partials = {
        ("D", NORM_PHI): tidy(sp.diff(d_loss, NORM_PHI)),
        ("D", DOT): tidy(sp.diff(d_loss, DOT)),
        ("G", DOT): tidy(sp.diff(g_loss, DOT)),
        ("G", NORM_THETA): tidy(sp.diff(g_loss, NORM_THETA)),
    }
    grad_phi = (tidy(partials["D", NORM_PHI] / NORM_PHI), partials["D", DOT])
    grad_theta = (partials["G", DOT], tidy(partials["G", NORM_THETA] / NORM_THETA))
    rows = [
        Equation(Gradient(L, P), Combination(((sp.Derivative(L, NORM_PHI), P / NORM_PHI), (sp.Derivative(L, DOT), T)))),
        Equation(
            Gradient(L, T), Combination(((sp.Derivative(L, DOT), P), (sp.Derivative(L, NORM_THETA), T / NORM_THETA)))
        ),
    ]
    loss = {"D": L_D, "G": L_G}
    rows += [
        Equation(sp.Derivative(loss[player], var), value) for (player, var), value in partials.items() if value != 0
    ]
    rows += [
        Equation(Gradient(L_D, P), Combination(((grad_phi[0], P), (grad_phi[1], T)))),
        Equation(Gradient(L_G, T), Combination(((grad_theta[0], P), (grad_theta[1], T)))),
    ]
    text = prose(
        "By the chain rule through the invariants (",
        Equation(Gradient(NORM_PHI, P), P / NORM_PHI),
        ", ",
        Equation(Gradient(DOT, P), T),
        ", and symmetrically in ",
        T,
        "), each gradient is a combination of ",
        P,
        " and ",
        T,
        " whose coefficients do not depend on the dimension. The partial derivatives that are not zero, "
        "and the gradients:",
    )
    values = {"partials": partials, "grad_phi_d": grad_phi, "grad_theta_g": grad_theta}
    return make_step(nt, "gradients", "Gradients", text, rows, values)


def _gradients_components(a: Analysis, nt: Writing) -> Step:
    field_ = a.vector_field
    n = a.dim
    rows = [Equation(sp.Derivative(L_D, nt.state[i]), -field_[i]) for i in range(n)]
    rows += [Equation(sp.Derivative(L_G, nt.state[n + i]), -field_[n + i]) for i in range(n)]
    text = prose("The partial derivatives of each player's loss with respect to its own parameters:")
    return make_step(nt, "gradients", "Gradients", text, rows, {"gradients": tuple(-x for x in field_)})


def _field(a: Analysis, nt: Writing) -> Step:
    tag = post_tag(a, "field") if not is_discrete(a) else None
    if is_discrete(a):
        return map_field_step(a, nt)
    if nt.mode == "vector":
        f = a.dynamics.invariant
        P, T = PHI_VEC, THETA_VEC
        rows = [
            Equation(dot(P), Combination(((f.a, P), (f.b, T))), tag=tag),
            Equation(dot(T), Combination(((f.c, P), (f.d, T)))),
        ]
        values = {"coefficients": f.coefficients}
        text = prose(
            "Gradient flow, ",
            Equation(dot(P), Combination(((-1, Gradient(L_D, P)),))),
            ", ",
            Equation(dot(T), Combination(((-1, Gradient(L_G, T)),))),
            ", gives the training ODE in vector form, the same for every dimension ",
            sp.Ge(N, 2, evaluate=False),
            ":",
        )
    else:
        fld, n = a.vector_field, a.dim
        rows = [Equation(dot(nt.state[i]), fld[i]) for i in range(2 * n)]
        if tag and rows:
            rows[0] = Equation(rows[0].lhs, rows[0].rhs, tag=tag)
        values = {"field": fld}
        if nt.mode == "scalar":
            P, T = nt.phi, nt.theta
            text = prose(
                "Gradient flow, ",
                Equation(dot(P), Combination(((-1, sp.Derivative(L_D, P)),))),
                ", ",
                Equation(dot(T), Combination(((-1, sp.Derivative(L_G, T)),))),
                ", gives the training ODE:",
            )
        else:
            text = prose("Gradient flow gives the training ODE, component by component:")
    return make_step(nt, "field", "The vector field", text, rows, values)


def _linear_rows(block: sp.Matrix, P, T, tag: str | None, qualifier=(), lhs=dot) -> list[Equation]:
    (a, b), (c, d) = block.tolist()
    return [
        Equation(lhs(P), Combination(((a, P), (b, T))), "≈", tag=tag),
        Equation(lhs(T), Combination(((c, P), (d, T))), "≈", qualifier=qualifier),
    ]


def _kron_blocks(block: sp.Matrix) -> sp.BlockMatrix:
    """``B (x) I_n`` written as the block matrix ``[[a I_n, b I_n], [c I_n, d I_n]]``."""
    eye = sp.Identity(N)
    return sp.BlockMatrix([[block[i, j] * eye for j in range(2)] for i in range(2)])


def _linearization(a: Analysis, nt: Writing) -> Step:
    tag = post_tag(a, "linearization") if not is_discrete(a) else None
    block, jacobian = a.linearization.block, a.field_jacobian

    def lhs(var):
        return field_lhs(a, var, nt)

    values: dict[str, Any] = {"jacobian": jacobian, "block": block}
    b_sym = sp.MatrixSymbol("B", 2, 2)
    if nt.mode == "vector":
        f = a.dynamics.invariant
        P, T = PHI_VEC, THETA_VEC
        toward = (Text("as"), Equation(sp.Tuple(P, T), ZERO_VEC, "→"))
        limits = [
            Equation(coef, value, "→", qualifier=toward)
            for coef, value in zip((f.a, f.b, f.c, f.d), block)
            if coef.free_symbols & {NORM_PHI, NORM_THETA, DOT}
        ]
        rows = limits + _linear_rows(block, P, T, tag, lhs=lhs)
        rows += [
            Equation(B, block),
            Equation(J, sp.KroneckerProduct(b_sym, sp.Identity(N)), chain=(_kron_blocks(block),)),
        ]
        text = prose(
            "At ",
            Tex(r"\boldsymbol{\varphi} = \boldsymbol{\theta} = \mathbf{0}"),
            " the field vanishes: the origin is an equilibrium. Near it, each coefficient of the field tends to a "
            "constant",
            " (the limits below, taken along every ray into the origin)" if limits else "",
            ", so the linearised system, its ",
            Tex(r"2\times 2"),
            " coefficient matrix ",
            B,
            " and the Jacobian ",
            J,
            " (with ",
            sp.Identity(N),
            " the ",
            Tex(r"n\times n"),
            " identity) are:",
        )
    elif block is not None:
        P, T = nt.generic("phi"), nt.generic("theta")
        qualifier = (indices(a.dim),) if nt.mode == "components" else ()
        rows = _linear_rows(block, P, T, tag, qualifier, lhs=lhs)
        if nt.mode == "components":
            rows += [
                Equation(J, sp.KroneckerProduct(b_sym, sp.Identity(a.dim)), chain=(jacobian,)),
                Equation(B, block),
            ]
        else:
            rows.append(Equation(J, jacobian))
        text = prose(
            "At the origin the field vanishes: it is an equilibrium. The Jacobian there (the limit of ",
            Tex("F(t w)/t"),
            " along every ray ",
            Tex("t w"),
            ", ",
            Tex(r"t \to 0^+"),
            ") gives the linearised system:",
        )
    else:
        rows = [
            Equation(lhs(Z), J * Z, "≈", qualifier=(Equation(Z, sp.Tuple(*nt.state)),)),
            Equation(J, jacobian),
        ]
        text = prose(
            "At the origin the field vanishes: it is an equilibrium. Its Jacobian there (the limit of ",
            Tex("F(t w)/t"),
            " along every ray ",
            Tex("t w"),
            ", ",
            Tex(r"t \to 0^+"),
            ") gives the linearised system:",
        )
    return make_step(nt, "linearization", "Linearisation at the equilibrium", text, rows, values)


def _where(where: str, nt: Writing):
    """The set a singular term is singular on, as a formula (or words for the origin)."""
    if where in ("phi = 0", "theta = 0"):
        sym = PHI_VEC if where.startswith("phi") else THETA_VEC
        if nt.mode == "scalar":
            return eq(nt.phi if sym == PHI_VEC else nt.theta, 0)
        return eq(sym, ZERO_VEC)
    return Text("the origin")


def _equation_symbol(label: str, nt: Writing) -> sp.Symbol:
    """The variable whose equation a singular term sits in (label ``"phi'"``, ``"theta_2'"``, ...)."""
    base, _, index = label.rstrip("'").partition("_")
    if nt.mode == "vector":
        return PHI_VEC if base == "phi" else THETA_VEC
    return component(base, index or "1")


def _singular(a: Analysis, nt: Writing) -> Step:
    rows = []
    for s in a.singular_terms:
        kind = Text("continuous, not differentiable at" if s.continuous else "no limit at")
        rows.append(Equation(dot(_equation_symbol(s.equation, nt)), s.term, "∋", qualifier=(kind, _where(s.where, nt))))
    if a.equilibrium is None:
        head = (
            "The field has no limit at the origin: approaching it from different directions gives different "
            "values (or unbounded ones), so the origin is a singular point of the field rather than a point "
            "where it vanishes smoothly."
        )
        text = prose(head)
    else:
        text = prose(
            "The field tends to ",
            ZERO_VEC,
            " at the origin, so the origin is an equilibrium, but not linearly: ",
            Tex("F(t w)/t"),
            " depends on the direction ",
            Tex("w"),
            " in a way no matrix can represent.",
        )
    text += prose(" There is no Jacobian there, because of these terms of the field:")
    after = prose(
        "Each of them, taken along a ray into the set shown, tends to a value that depends on the ray"
        + (" (or to no value at all)" if not all(s.continuous for s in a.singular_terms) else "")
        + ". Linearisation therefore cannot decide stability (Hartman–Grobman needs a differentiable field); "
        "the nonlinear analysis and the numerics must."
    )
    reasons = tuple(s.describe() for s in a.singular_terms)
    values = {"singular_terms": tuple(a.singular_terms), "reasons": reasons, "equilibrium": a.equilibrium}
    return make_step(nt, "singular", "Why linearisation fails", text, rows, values, after)


def _characteristic(block: sp.Matrix, name: sp.MatrixSymbol) -> Equation:
    """``det(mu I - B) = ...`` with the trace and determinant (2x2) or factored (larger blocks)."""
    k = block.rows
    lhs = sp.Determinant(MU * sp.Identity(k) - name)
    if k != 2:
        return Equation(lhs, sp.factor(block.charpoly(MU).as_expr()), chain=(sp.Integer(0),))
    trace, det = sp.simplify(block.trace()), sp.simplify(block.det())
    qualifier = (Text("with"), Equation(sp.Trace(name), trace), Equation(sp.Determinant(name), det))
    return Equation(lhs, OrderedSum((MU**2, -trace * MU, det)), chain=(sp.Integer(0),), qualifier=qualifier)


def _eigenvalues(a: Analysis, nt: Writing) -> Step:
    discrete = is_discrete(a)
    whole, part = ("M", "A") if discrete else ("J", "B")
    rows = []
    if a.block is not None:
        block = a.block
        k = block.rows
        name = sp.MatrixSymbol(whole if a.dim == 1 else part, k, k)
        rows.append(_characteristic(block, name))
        if a.dim == 1:
            text = prose(
                "Writing ",
                MU,
                " for an eigenvalue of ",
                sp.Symbol(whole),
                ", the characteristic equation and its roots are:",
            )
        else:
            mult = eq(N, a.dim) if nt.mode == "vector" else sp.Integer(a.dim)
            text = prose(
                "Since ",
                Equation(sp.Symbol(whole), sp.KroneckerProduct(sp.MatrixSymbol(part, k, k), sp.Identity(N))),
                ", the eigenvalues of ",
                sp.Symbol(whole),
                " are those of the ",
                Tex(rf"{k}\times {k}"),
                " matrix ",
                sp.Symbol(part),
                ", each with multiplicity ",
                mult,
                "; writing ",
                MU,
                " for an eigenvalue, the characteristic equation of ",
                sp.Symbol(part),
                " and its roots are:",
            )
        values = {"characteristic": sp.expand(block.charpoly(MU).as_expr()), "eigenvalues": dict(a.eigenvalues)}
        if k == 2:
            values |= {"trace": sp.simplify(block.trace()), "det": sp.simplify(block.det())}
    else:
        text = prose("The eigenvalues ", MU, " of ", sp.Symbol(whole), ", with their multiplicities:")
        values = {"eigenvalues": dict(a.eigenvalues)}
    rows.append(Equation(MU, Collection(eigenvalue_items(a.eigenvalue_parts)), "∈"))
    for p in a.eigenvalue_parts:
        if not p.value.free_symbols or p.real.has(sp.Piecewise) or p.imag.has(sp.Piecewise):
            continue
        rows.append(Equation(sp.re(MU), p.real, qualifier=(Equation(sp.im(MU), p.imag),)))
    rho = a.spectral_radius if discrete else None
    if rho is not None and not sp.sympify(rho).free_symbols:
        # an exact radius that is a screenful of nested radicals is shown by its value
        shown = (
            Equation(Tex(r"\rho(M)"), rho) if sp.count_ops(rho) <= 24 else Equation(Tex(r"\rho(M)"), sp.N(rho, 6), "≈")
        )
        rows.append(Equation(shown.lhs, shown.rhs, shown.relation, qualifier=(Text("the largest"), Tex(r"|\mu|"))))
        values["spectral_radius"] = rho
    return make_step(nt, "eigenvalues", "Eigenvalues", text, rows, values)


_VERDICT_PROSE = {
    "stable": "Every eigenvalue has negative real part: by Lyapunov's indirect method (Hartman–Grobman) the "
    "equilibrium is locally asymptotically stable, a stable {detail}; training converges from nearby starting points.",
    "unstable": "Some eigenvalue has positive real part: the equilibrium is unstable ({shape}).",
    "center": "All eigenvalues are non-zero and purely imaginary: the linearisation is a centre. This does not "
    "decide the nonlinear system (Hartman–Grobman needs no eigenvalue on the imaginary axis): the nonlinear terms "
    "decide whether trajectories converge, orbit or diverge.",
    "non-hyperbolic": "Some eigenvalue has zero real part and none has positive real part: the equilibrium is "
    "non-hyperbolic and linearisation is inconclusive.",
    "undecided": "The signs of the real parts depend on the parameters; the verdict for each case is below.",
    "non-differentiable": "The field has no derivative at the equilibrium, so there is no linear verdict; "
    "stability is decided by the nonlinear terms (and checked numerically).",
}


_MAP_VERDICT_PROSE = {
    "stable": "Every eigenvalue of the update's Jacobian has modulus below 1: the update contracts near the "
    "equilibrium, which is locally asymptotically stable (a stable {detail}); training converges from nearby "
    "starting points.",
    "unstable": "Some eigenvalue of the update's Jacobian has modulus above 1: the equilibrium of the update is "
    "unstable ({shape}).",
    "neutral": "The largest modulus of an eigenvalue of the update's Jacobian is exactly 1: linearisation is "
    "inconclusive.",
    "undecided": "The moduli of the eigenvalues depend on the parameters; the verdict for each case is below.",
    "non-differentiable": "The field has no derivative at the equilibrium, so neither has the update: there is no "
    "linear verdict, iterating the update decides.",
    "no-linearization": "The update has no derivative at the equilibrium: there is no linear verdict, iterating the "
    "update decides.",
}


def verdict_label(classification: str, detail: str) -> str:
    """``"stable (focus)"``, or the classification alone when the detail adds nothing.

    >>> verdict_label("stable", "focus"), verdict_label("center", "center")
    ('stable (focus)', 'center')
    """
    plain = classification in ("non-differentiable", detail) or not detail
    return f"{classification}" if plain else f"{classification} ({detail})"


def _verdict(a: Analysis, nt: Writing) -> Step:
    cls, detail = a.classification, a.detail
    verdict = (_MAP_VERDICT_PROSE if is_discrete(a) else _VERDICT_PROSE).get(str(cls), "")
    text = prose(
        Strong(verdict_label(cls, detail)),
        ", in dimension ",
        eq(N, a.dim),
        ". ",
        verdict.format(detail=detail, shape=unstable_shape(detail)),
    )
    rows = [Equation(Text(str(k)), v, "if") for k, v in a.conditions.items()]
    values = {"classification": cls, "detail": detail, "conditions": dict(a.conditions)}
    return make_step(nt, "verdict", "Verdict", text, rows, values)


# -- the nonlinear verdict -------------------------------------------------------------------


def derivation(analysis: Analysis, *, nonlinear: bool = True) -> tuple[Step, ...]:
    """The steps of ``analysis``: setting, losses, gradients, field, linearisation (or why it fails),
    the second-order equation when the linear system allows it, eigenvalues, verdict, and (unless
    ``nonlinear=False``) the nonlinear analysis with its short proof.  For a discrete analysis
    (an optimiser's update map) the linearisation of the field is followed by the update map's
    Jacobian ``M`` and its eigenvalues, judged by the unit circle; there is no second-order or
    nonlinear step (those are gradient flow's).

    >>> from stability import analyze
    >>> [s.key for s in derivation(analyze("wgan"))]
    ['setting', 'losses', 'gradients', 'field', 'singular', 'verdict', 'nonlinear']
    """
    a = analysis
    nt = writing_of(a)
    steps: list[Step | None] = [_setting(a, nt), _losses(a, nt)]
    steps.append(_gradients_invariant(a, nt) if nt.mode == "vector" else _gradients_components(a, nt))
    steps.append(_field(a, nt))
    if not a.differentiable:
        steps.append(_singular(a, nt))
    elif is_discrete(a):
        steps += [_linearization(a, nt), update_map_step(a, nt)]
        steps.append(_eigenvalues(a, nt) if a.jacobian is not None else None)
    else:
        steps += [_linearization(a, nt), second_order_step(a, nt), _eigenvalues(a, nt)]
    steps.append(_verdict(a, nt))
    if nonlinear and not is_discrete(a):  # the nonlinear analysis is that of gradient flow
        steps.append(nonlinear_step(a, nt))
    return tuple(s for s in steps if s is not None)
