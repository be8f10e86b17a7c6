"""``stability report``: the post's whole comparison, reproduced by one command.

:func:`build_report` analyses every case of :data:`stability.model.post.POST_CASES` (every
built-in variant, WGAN-GP with c = 1 and c = 0, and the L2 mitigation), checks each verdict
numerically, integrates the post's trajectory from its start point and writes a Markdown page
with the table and the figures:

    report/
      index.md                 the page (table, figures, derivations)
      <case>.png               theta-plane trajectory of each case
      wgan_gp_c0_vs_c1.png     the zero-centred vs the 1-centred gradient penalty
      l2.png, ema.png          the mitigations
      distance.png             |z(t)| of every case on a log axis
      derivations/<case>.tex   the derivation of each verdict (stability latex)

The computation (:func:`run_cases`) is separate from the writing (:func:`write_report`); the
page states only what the analyses derive and the runs measure (formulas rendered from the
derivation steps, numbers from the verifications and trajectories), each section built by a
named function.  Rendering does not import the front door: ``analyze`` is passed in.

>>> [c.key for c in post_cases()][:3]
['vanilla_ns', 'vanilla_sat', 'wgan']
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import sympy as sp

from .._version import __version__
from ..errors import InvalidParameterError
from ..model.post import EMA_BETA, POST_CASES, POST_DT, Case, post_initial_state
from ..model.regularizers import REGULARIZERS
from ..model.space import DOT, NORM_PHI, NORM_THETA
from .derivation import derivation, eigenvalue_items, verdict_label
from .markdown import display_markdown, escape_markdown, prose_markdown
from .notation import Combination, Equation, Tex, Text, prose
from .plotting import distance_plot, ema_plot, theta_plane, theta_plane_pair
from .steps import Step
from .symbols import PHI_VEC, THETA_VEC, component, dot
from .tex import TexPrinter, latex

if TYPE_CHECKING:  # pragma: no cover
    from ..analysis import Analysis

__all__ = ["Case", "CaseResult", "post_cases", "run_cases", "write_report", "build_report"]

#: How each numeric behaviour reads in a sentence ("the trajectories ...").
BEHAVIOUR_TEXT = {
    "converges": "converge to the equilibrium",
    "slow-convergence": "converge to the equilibrium, slowly",
    "oscillates": "oscillate without converging",
    "limit-cycle": "settle on one closed orbit whatever the start (a limit cycle)",
    "period-2": "alternate between two states",
    "diverges": "diverge",
    "singular": "run into a point where the field is not defined",
}

Analyze = Callable[..., "Analysis"]


@dataclass(frozen=True)
class CaseResult:
    """A case with its analysis, its post trajectory, its numeric check and its nonlinear verdict."""

    case: Case
    analysis: Any
    trajectories: Any
    verification: Any
    nonlinear: Any
    seconds: float = 0.0


def post_cases() -> tuple[Case, ...]:
    """The comparison of the post (:data:`stability.model.post.POST_CASES`)."""
    return POST_CASES


# ----------------------------------------------------------------------------------------
# Computation
# ----------------------------------------------------------------------------------------
def run_cases(
    cases: Sequence[Case] | None = None,
    *,
    analyze: Analyze,
    dim: int = 2,
    dt: float = POST_DT,
    progress: Callable[[str], Any] | None = None,
) -> list[CaseResult]:
    """Analyse (with ``analyze``, i.e. :func:`stability.analyze`), verify and simulate every case; no drawing.

    ``progress`` gets one line per step.
    """
    cases = post_cases() if cases is None else tuple(cases)
    say = progress or (lambda message: None)
    out = []
    for i, case in enumerate(cases, 1):
        start = time.perf_counter()
        say(f"[{i}/{len(cases)}] {case.title}: symbolic analysis")
        a = analyze(
            case.variant, dim=dim, params=dict(case.params) or None, regularizers=dict(case.regularizers) or None
        )
        say(f"[{i}/{len(cases)}] {case.title}: numeric verification")
        ver = a.verify(**case.verify)
        say(f"[{i}/{len(cases)}] {case.title}: nonlinear analysis")
        nl = a.nonlinear
        say(f"[{i}/{len(cases)}] {case.title}: trajectory to t = {case.t_end:g}")
        tr = a.simulate(post_initial_state(dim), case.t_end, dt=dt, warn=False)
        out.append(CaseResult(case, a, tr, ver, nl, time.perf_counter() - start))
    return out


# ----------------------------------------------------------------------------------------
# Writing: figures
# ----------------------------------------------------------------------------------------
def _save(fig, path: Path, dpi: int) -> str:
    fig.savefig(path, dpi=dpi)
    return path.name


def _figures(results: Sequence[CaseResult], out: Path, dpi: int, say) -> tuple[dict[str, str], dict[str, str]]:
    """Draw every figure; returns ``(per-case images, extra images)`` by key."""
    by_key = {r.case.key: r for r in results}
    say("figures: theta-plane trajectories")
    images = {r.case.key: _save(theta_plane(r.trajectories), out / f"{r.case.key}.png", dpi) for r in results}
    extra = {}
    if "wgan_gp_c0" in by_key and "wgan_gp_c1" in by_key:
        say("figures: WGAN-GP c = 0 vs c = 1")
        c0, c1 = by_key["wgan_gp_c0"], by_key["wgan_gp_c1"]
        fig = theta_plane_pair(c0.trajectories, c1.trajectories, (c0.case.title, c1.case.title))
        extra["gp"] = _save(fig, out / "wgan_gp_c0_vs_c1.png", dpi)
    if "vanilla_ns" in by_key and "vanilla_ns_l2" in by_key:
        say("figures: L2 mitigation")
        base, l2 = by_key["vanilla_ns"], by_key["vanilla_ns_l2"]
        fig = theta_plane_pair(base.trajectories, l2.trajectories, (base.case.title, l2.case.title))
        extra["l2"] = _save(fig, out / "l2.png", dpi)
    if "vanilla_ns" in by_key:
        say("figures: EMA mitigation")
        extra["ema"] = _save(ema_plot(by_key["vanilla_ns"].trajectories, EMA_BETA), out / "ema.png", dpi)
    say("figures: distance to the equilibrium")
    runs = {r.case.title: r.trajectories for r in results}
    extra["distance"] = _save(distance_plot(runs), out / "distance.png", dpi)
    return images, extra


def write_report(
    results: Sequence[CaseResult],
    out_dir: str | Path,
    *,
    dpi: int = 100,
    progress: Callable[[str], Any] | None = None,
    elapsed: float | None = None,
) -> Path:
    """Draw the figures and write ``index.md`` (and ``derivations/*.tex``) into ``out_dir``."""
    say = progress or (lambda message: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "derivations").mkdir(exist_ok=True)
    for r in results:
        (out / "derivations" / f"{r.case.key}.tex").write_text(r.analysis.to_latex(), encoding="utf-8")
    images, extra = _figures(results, out, dpi, say)
    path = out / "index.md"
    path.write_text(_page(results, images, extra, elapsed), encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------
# Writing: the page, section by section
# ----------------------------------------------------------------------------------------
def _page(results: Sequence[CaseResult], images: Mapping[str, str], extra: Mapping[str, str], elapsed) -> str:
    by_key = {r.case.key: r for r in results}
    lines = (
        _intro(results, elapsed) + _summary(results) + _figure_line("distance to the equilibrium", extra, "distance")
    )
    for r in results:
        lines += _case_section(r, images[r.case.key])
    if "gp" in extra:
        lines += _gp_section(by_key["wgan_gp_c0"], by_key["wgan_gp_c1"], extra["gp"])
    if "l2" in extra:
        lines += _l2_section(by_key["vanilla_ns"], by_key["vanilla_ns_l2"], extra["l2"])
    if "ema" in extra:
        lines += _ema_section(by_key["vanilla_ns"], extra["ema"])
    return "\n".join(lines)


def _math(expr, dim: int | None = None) -> str:
    return f"${latex(expr, dim)}$"


def _anchor(key: str) -> str:
    return key.replace("_", "-")


def _figure_line(alt: str, images: Mapping[str, str], key: str) -> list[str]:
    return [f"![{alt}]({images[key]})", ""] if key in images else []


def _intro(results: Sequence[CaseResult], elapsed) -> list[str]:
    dim = results[0].analysis.dim if results else 2
    state = [component(base, i) for base in ("phi", "theta") for i in range(1, dim + 1)]
    start = Equation(sp.Tuple(*state), sp.Tuple(*(sp.Float(x, 3) for x in post_initial_state(dim))))
    took = f"; the analyses and simulations took {elapsed:.1f} s." if elapsed is not None else "."
    return [
        "# GAN training dynamics: the Dirac GAN comparison",
        "",
        "Reproduces the post's analysis of GAN training as a dynamical system (see `MATH.md` for its equations). "
        "Every verdict below is derived by exact symbolic computation in dimension "
        f"{_math(sp.Eq(sp.Symbol('n'), dim))} and checked by integrating the training ODE; each trajectory starts from "
        f"{_math(start, dim)} as in the post, with the post's integration times.",
        "",
        f"Generated by `stability report` (stability {__version__}){took}",
        "",
    ]


def _eigenvalues_cell(a) -> str:
    items = eigenvalue_items(a.eigenvalue_parts)
    return ", ".join(_math(item) for item in items) if items else "none (no Jacobian)"


def _num(x, fmt: str = ".3g") -> str:
    if x is None:
        return "–"
    try:
        x = float(x)
    except (TypeError, ValueError):
        return escape_markdown(str(x))
    return "–" if x != x else format(x, fmt)


def _summary(results: Sequence[CaseResult]) -> list[str]:
    lines = [
        "## Summary",
        "",
        "| case | symbolic verdict | eigenvalues of J | numeric behaviour | rate | frequency | radius "
        "| final distance | nonlinear verdict | agrees |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        a, v = r.analysis, r.verification
        cells = [
            f"[{escape_markdown(r.case.title)}](#{_anchor(r.case.key)})",
            _label(a),
            _eigenvalues_cell(a),
            str(v.behaviour),
            _num(v.rate),
            _num(v.frequency),
            _num(v.radius),
            _num(v.final_distance),
            "–" if r.nonlinear is None else escape_markdown(str(r.nonlinear.verdict)),
            {True: "yes", False: "**no**", None: "inconclusive"}[v.agrees],
        ]
        lines.append("| " + " | ".join(cells) + " |")
    samples = sorted({len(r.verification.measurements) for r in results})
    starts = " or ".join(str(k) for k in samples) if samples else "several"
    z_t, z_end = Tex(r"\Vert z(t)\Vert"), Tex(r"\Vert z\Vert")
    lines += [
        "",
        f"Numeric columns (`Analysis.verify()`, {starts} random starts): rate = fitted exponential decay rate of "
        f"{_math(z_t)} (positive = converging), frequency = angular frequency, radius = {_math(NORM_THETA)} on the "
        "closed orbit the trajectories settle on (– if none), final distance = median "
        f"{_math(z_end)} at the end of the run. `stability analyze NAME` and `stability latex NAME` "
        "give the full derivation of each verdict.",
        "",
    ]
    return lines


def _steps(a) -> dict[str, Step]:
    """The analysis' derivation, by key (the nonlinear verdict is already computed, so this is quick)."""
    return {s.key: s for s in derivation(a, nonlinear=True)}


def _where(case: Case, a) -> str:
    if case.note:
        return case.note[0].upper() + case.note[1:] + "."
    return f"The post's {a.variant.equations}." if a.variant.equations else ""


def _case_section(r: CaseResult, image: str) -> list[str]:
    a, v = r.analysis, r.verification
    steps = _steps(a)
    lines = [f'<a id="{_anchor(r.case.key)}"></a>', "", f"## {r.case.title}", "", _where(r.case, a), ""]
    lines += _field_lines(steps["field"])
    lines += _linearisation_lines(steps)
    if "nonlinear" in steps:
        lines += _nonlinear_lines(steps["nonlinear"])
    lines += [f"**Numerically.** {escape_markdown(v.explanation)}", ""]
    lines += [
        f"![{r.case.title}]({image})",
        "",
        f"Derivation: [`derivations/{r.case.key}.tex`](derivations/{r.case.key}.tex)",
        "",
    ]
    return lines


def _field_lines(step: Step) -> list[str]:
    return ["**Vector field.**", "", display_markdown(step.equations, TexPrinter(step.dim)), ""]


def _linearisation_lines(steps: Mapping[str, Step]) -> list[str]:
    verdict = steps["verdict"]
    printer = TexPrinter(verdict.dim)
    shown: list[Equation] = []
    if "linearization" in steps:
        shown += [eq for eq in steps["linearization"].equations if eq.relation == "≈"]
    if "eigenvalues" in steps:
        shown += [eq for eq in steps["eigenvalues"].equations if eq.relation == "∈"]
    if "singular" in steps:
        shown += list(steps["singular"].equations)
    lines = [f"**Linearisation.** {prose_markdown(verdict.prose, printer)}", ""]
    if shown:
        lines += [display_markdown(shown, printer), ""]
    if verdict.equations:  # the conditions of an undecided verdict
        lines += [display_markdown(verdict.equations, printer), ""]
    return lines


def _nonlinear_lines(step: Step) -> list[str]:
    printer = TexPrinter(step.dim)
    record = step.values["record"]
    lines = [f"**Nonlinear analysis: {escape_markdown(str(record.verdict))}.**", ""]
    if step.equations:
        lines += [display_markdown(step.equations, printer), ""]
    return lines + [prose_markdown(step.after, printer), ""]


def _label(a) -> str:
    return escape_markdown(verdict_label(a.classification, a.detail))


def _behaviour(v) -> str:
    text = BEHAVIOUR_TEXT.get(str(v.behaviour), str(v.behaviour))
    if str(v.behaviour) == "limit-cycle" and v.radius is not None:
        text += f", on which {_math(NORM_THETA)} = {_num(v.radius)}"
    return text


def _is_linear(a) -> bool:
    f = a.dynamics.invariant
    return f is not None and not any(c.free_symbols & {NORM_PHI, NORM_THETA, DOT} for c in (f.a, f.b, f.c, f.d))


def _params_text(case: Case) -> str:
    return ", ".join(f"{k} = {v}" for k, v in case.params.items())


def _gp_section(c0: CaseResult, c1: CaseResult, image: str) -> list[str]:
    """WGAN-GP c = 0 against c = 1: the field, its linearisation, what the runs did, all from the two analyses."""
    s0, s1 = _steps(c0.analysis), _steps(c1.analysis)
    lines = [
        f"## WGAN-GP: {_params_text(c0.case)} against {_params_text(c1.case)}",
        "",
        f"With {_params_text(c0.case)} the field is {'linear' if _is_linear(c0.analysis) else 'nonlinear'}:",
        "",
        display_markdown(s0["field"].equations, TexPrinter(s0["field"].dim)),
        "",
        f"and the equilibrium is **{_label(c0.analysis)}**; the trajectories {_behaviour(c0.verification)}.",
        "",
    ]
    if "singular" in s1:
        singular = s1["singular"]
        lines += [
            f"With {_params_text(c1.case)} the field has no Jacobian at the origin, because of",
            "",
            display_markdown(singular.equations, TexPrinter(singular.dim)),
            "",
        ]
    else:
        lines += [f"With {_params_text(c1.case)} the equilibrium is **{_label(c1.analysis)}**.", ""]
    lines += [f"Numerically, the trajectories {_behaviour(c1.verification)}.", "", f"![WGAN-GP]({image})", ""]
    return lines


def _l2_section(base: CaseResult, l2: CaseResult, image: str) -> list[str]:
    """The first mitigation: what the L2 term adds to the field and to the block's trace, from the analyses."""
    (name, weight), *_ = l2.case.regularizers.items()
    reg = REGULARIZERS[name]
    fa, fb = base.analysis.dynamics.invariant, l2.analysis.dynamics.invariant
    change = [
        Equation(Tex(r"\Delta" + latex(dot(PHI_VEC))), Combination(((fb.a - fa.a, PHI_VEC), (fb.b - fa.b, THETA_VEC)))),
        Equation(
            Tex(r"\Delta" + latex(dot(THETA_VEC))), Combination(((fb.c - fa.c, PHI_VEC), (fb.d - fa.d, THETA_VEC)))
        ),
    ]
    trace = [
        Equation(sp.Trace(sp.MatrixSymbol("B", 2, 2)), sp.simplify(r.analysis.block.trace()), qualifier=(Text(label),))
        for r, label in ((base, "without"), (l2, "with"))
        if r.analysis.block is not None
    ]
    weight_eq = sp.Eq(reg.weight.symbol, weight, evaluate=False)
    head = prose("Adding ", Tex(reg.latex), " to ", sp.Symbol("L_D"), " (", weight_eq, ") changes the field by")
    v0, v1 = base.verification, l2.verification
    return [
        "## Mitigation 1: L2 regularisation of the discriminator",
        "",
        prose_markdown(head) + ":",
        "",
        display_markdown(change + trace),
        "",
        f"The equilibrium goes from **{_label(base.analysis)}** to **{_label(l2.analysis)}**. Numerically, without "
        f"the term the trajectories {_behaviour(v0)}; with it they {_behaviour(v1)}. The median distance to the "
        f"equilibrium at the end of the runs is {_num(v0.final_distance)} without and {_num(v1.final_distance)} with.",
        "",
        f"![L2 mitigation]({image})",
        "",
    ]


def _ema_section(base: CaseResult, image: str) -> list[str]:
    """The second mitigation: the EMA's definition and what it measured on the post's run."""
    tr = base.trajectories
    raw, ema = tr.theta[0], tr.ema(EMA_BETA)[0]
    half = len(raw) // 2
    raw_mean = float(np.mean(np.linalg.norm(raw[half:], axis=1)))
    ema_mean = float(np.mean(np.linalg.norm(ema[half:], axis=1)))
    theta, theta_ema, beta = latex(THETA_VEC), latex(THETA_VEC) + r"_{\mathrm{EMA}}", sp.Symbol("beta")
    rule = Tex(rf"{theta_ema} \leftarrow {latex(beta)}\, {theta_ema} + (1 - {latex(beta)})\, {theta}")
    norm_ema = Tex(rf"\Vert {theta_ema}\Vert")
    text = prose(
        "The weight EMA of the generator, ",
        rule,
        ", with ",
        sp.Eq(beta, sp.Float(EMA_BETA, 3), evaluate=False),
        f" and one update per integration step (dt = {_num(POST_DT)}), only reads the trajectory: it does not feed "
        "back into training, so the trajectory is the one drawn above. Over the second half of the run "
        f"(t from {_num(tr.t_end / 2)} to {_num(tr.t_end)}) the mean of ",
        NORM_THETA,
        f" is {_num(raw_mean)}, the mean of ",
        norm_ema,
        f" is {_num(ema_mean)}.",
    )
    return [
        "## Mitigation 2: weight EMA of the generator",
        "",
        prose_markdown(text),
        "",
        f"![EMA mitigation]({image})",
        "",
    ]


def build_report(
    out_dir: str | Path = "report",
    *,
    analyze: Analyze,
    dim: int = 2,
    dpi: int = 100,
    progress: Callable[[str], Any] | None = None,
) -> Path:
    """Run every case (analysing with ``analyze``, i.e. :func:`stability.analyze`) and write the report.

    Returns the path of ``index.md``; ``progress`` receives one line per step (the command line
    prints them on stderr).
    """
    if dim < 2:
        raise InvalidParameterError(f"the report reproduces the post's figures, which need dim >= 2; got {dim}")
    start = time.perf_counter()
    results = run_cases(analyze=analyze, dim=dim, progress=progress)
    return write_report(results, out_dir, dpi=dpi, progress=progress, elapsed=time.perf_counter() - start)
