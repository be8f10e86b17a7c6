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

Beyond the post, the page tabulates the literature's losses x regularisers
(:data:`stability.model.literature.LITERATURE_CASES`; :func:`run_literature`: verdict,
eigenvalues, the nonlinear verdict where the linearisation is inconclusive, a short numeric
check of every cell) and the post's cases under discrete-time optimisers at a symbolic learning
rate (:func:`run_discrete`: verdict regions, boundaries, the largest stable rate, each region
checked by iterating the real update at :func:`sample_rate`), and the stability maps of
:mod:`stability.render.report_maps`.  A combination the library refuses is shown with its reason,
never raised; pieces shared by the sections are in :mod:`stability.render.report_common`.

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
from ..model.literature import (
    DISCRETE_OPTIMIZERS,
    DISCRETE_VERIFY,
    LEARNING_RATE,
    LITERATURE_CASES,
    LITERATURE_VERIFY,
    REFERENCE_VARIANT,
    LiteratureCase,
)
from ..model.post import EMA_BETA, POST_CASES, POST_DT, Case, post_initial_state
from ..model.regularizers import REGULARIZERS, DataModel, FieldTransform, LossTerm
from ..model.space import DOT, NORM_PHI, NORM_THETA
from ..model.variants import VARIANTS
from ..verdicts import Classification, Method
from .derivation import derivation, eigenvalue_items, verdict_label
from .markdown import display_markdown, escape_markdown, prose_markdown
from .notation import Combination, Equation, Tex, Text, prose
from .plotting import distance_plot, ema_plot, theta_plane, theta_plane_pair
from .report_common import Analyze, MapMaker, attempt, save_figure
from .report_common import inline_math as _math
from .report_common import number_text as _num
from .report_maps import (
    MapResult,
    map_figures,
    maps_lines,
    run_maps,
)
from .steps import Step
from .symbols import L_D, L_G, PHI_VEC, THETA_VEC, component, dot
from .tex import TexPrinter, latex

if TYPE_CHECKING:  # pragma: no cover
    pass

__all__ = [
    "Case",
    "CaseResult",
    "post_cases",
    "run_cases",
    "LiteratureResult",
    "run_literature",
    "RegionCheck",
    "DiscreteResult",
    "run_discrete",
    "sample_rate",
    "write_report",
    "build_report",
]

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
# Computation beyond the post: the literature's table and discrete-time training
# ----------------------------------------------------------------------------------------
#: Time limits (seconds) of one cell's symbolic analysis, nonlinear verdict and numeric check.
ANALYSIS_LIMIT, NONLINEAR_LIMIT, VERIFY_LIMIT = 30.0, 20.0, 30.0


@dataclass(frozen=True)
class LiteratureResult:
    """One cell of the literature table: the analysis (or why there is none), the nonlinear verdict where the
    linearisation is inconclusive, and the numeric check (each ``*_note`` says why one is missing)."""

    case: LiteratureCase
    analysis: Any = None
    refused: str = ""
    nonlinear: Any = None
    nonlinear_note: str = ""
    verification: Any = None
    numeric_note: str = ""
    seconds: float = 0.0


def _analyse_cell(case: LiteratureCase, analyze: Analyze, dim: int, verify: Mapping) -> LiteratureResult:
    start = time.perf_counter()
    a, refused = attempt(lambda: analyze(case.variant, dim=dim, regularizers=case.regularizers), ANALYSIS_LIMIT)
    if a is None:
        return LiteratureResult(case, refused=refused, seconds=time.perf_counter() - start)
    nl, nl_note = None, ""
    if Classification(a.classification).inconclusive:
        nl, nl_note = attempt(lambda: a.nonlinear, NONLINEAR_LIMIT)
    ver, note = attempt(lambda: a.verify(**verify), VERIFY_LIMIT)
    return LiteratureResult(case, a, "", nl, nl_note, ver, note, time.perf_counter() - start)


def run_literature(
    cases: Sequence[LiteratureCase] | None = None,
    *,
    analyze: Analyze,
    dim: int = 2,
    verify: Mapping = LITERATURE_VERIFY,
    progress: Callable[[str], Any] | None = None,
) -> list[LiteratureResult]:
    """Analyse every cell of :data:`stability.model.literature.LITERATURE_CASES` (or ``cases``), give the nonlinear
    verdict where the linearisation is inconclusive, and check every cell with ``Analysis.verify(**verify)``."""
    cases = LITERATURE_CASES if cases is None else tuple(cases)
    say = progress or (lambda message: None)
    out = []
    for i, case in enumerate(cases, 1):
        say(f"[beyond the post {i}/{len(cases)}] {case.key}")
        out.append(_analyse_cell(case, analyze, dim, verify))
    return out


@dataclass(frozen=True)
class RegionCheck:
    """One region of learning rates (named by its verdict) checked at one rate ``lr`` inside it: the analysis at
    that rate and the iteration of its real update (``note`` says why one is missing)."""

    region: str
    lr: sp.Expr
    analysis: Any = None
    verification: Any = None
    note: str = ""


@dataclass(frozen=True)
class DiscreteResult:
    """A case of the post trained by ``optimizer`` at the symbolic learning rate, with its region checks."""

    case: Case
    optimizer: str
    lr: sp.Symbol
    analysis: Any = None
    refused: str = ""
    checks: tuple[RegionCheck, ...] = ()
    seconds: float = 0.0


def sample_rate(condition: Any) -> sp.Expr | None:
    """A learning rate where ``condition`` (in one positive symbol) holds: the midpoint of a bounded region, twice
    the left end of an unbounded one (1 for every rate), each rounded to two significant digits when the rounded
    value stays inside; None for a single point or an empty region.

    >>> h = sp.Symbol("h", positive=True)
    >>> sample_rate(h < sp.Rational(1, 5)), sample_rate(h > 4), sample_rate(sp.Eq(h, 4)), sample_rate(h > 0)
    (1/10, 8, None, 1)
    """
    try:
        region = sp.sympify(condition).as_set() & sp.Interval.open(0, sp.oo)
    except (NotImplementedError, TypeError, ValueError, AttributeError):
        return None
    for piece in region.args if isinstance(region, sp.Union) else (region,):
        if not isinstance(piece, sp.Interval) or not piece.measure.is_extended_positive:
            continue
        lo, hi = piece.start, piece.end
        guess = (sp.Integer(1) if lo == 0 else 2 * lo) if hi == sp.oo else (lo + hi) / 2
        short = sp.Rational(f"{float(guess):.2g}")
        return short if piece.contains(short) is sp.true else guess
    return None


def _regions(a) -> dict[str, Any]:
    """The verdict regions of a discrete analysis at a symbolic rate: its conditions, or the one verdict for
    every rate when it needs none (nothing where there is no linear verdict)."""
    if a.conditions:
        return dict(a.conditions)
    cls = Classification(a.classification)
    decided = cls in (Classification.STABLE, Classification.UNSTABLE, Classification.NEUTRAL)
    return {str(cls): sp.true} if decided else {}


def _region_check(case: Case, optimizer: str, region: str, lr, analyze: Analyze, dim: int, verify) -> RegionCheck:
    def at_rate():
        return analyze(
            case.variant, dim=dim, params=_params(case), regularizers=_regs(case), optimizer=optimizer, lr=lr
        )

    b, note = attempt(at_rate, ANALYSIS_LIMIT)
    if b is None:
        return RegionCheck(region, lr, note=note)
    ver, note = attempt(lambda: b.verify(**verify), VERIFY_LIMIT)
    return RegionCheck(region, lr, b, ver, note)


def _params(case: Case) -> dict | None:
    return dict(case.params) or None


def _regs(case: Case) -> dict | None:
    return dict(case.regularizers) or None


def _discrete_row(case: Case, optimizer: str, lr, analyze: Analyze, dim: int, verify) -> DiscreteResult:
    start = time.perf_counter()

    def symbolic():
        return analyze(
            case.variant, dim=dim, params=_params(case), regularizers=_regs(case), optimizer=optimizer, lr=lr
        )

    a, refused = attempt(symbolic, ANALYSIS_LIMIT)
    if a is None:
        return DiscreteResult(case, optimizer, lr, refused=refused, seconds=time.perf_counter() - start)
    checks = []
    for region, condition in _regions(a).items():
        rate = sample_rate(condition)
        if rate is not None:
            checks.append(_region_check(case, optimizer, region, rate, analyze, dim, verify))
    return DiscreteResult(case, optimizer, lr, a, "", tuple(checks), time.perf_counter() - start)


def run_discrete(
    cases: Sequence[Case] | None = None,
    *,
    analyze: Analyze,
    dim: int = 2,
    optimizers: Sequence[str] = DISCRETE_OPTIMIZERS,
    lr: sp.Symbol = LEARNING_RATE,
    verify: Mapping = DISCRETE_VERIFY,
    progress: Callable[[str], Any] | None = None,
) -> list[DiscreteResult]:
    """Analyse every case (default: the post's) under each optimiser at the symbolic learning rate ``lr``, and check
    each verdict region by iterating the real update at :func:`sample_rate` of the region."""
    cases = post_cases() if cases is None else tuple(cases)
    say = progress or (lambda message: None)
    out = []
    for optimizer in optimizers:
        for case in cases:
            say(f"[discrete time] {optimizer}: {case.title}")
            out.append(_discrete_row(case, optimizer, lr, analyze, dim, verify))
    return out


# ----------------------------------------------------------------------------------------
# Writing: figures
# ----------------------------------------------------------------------------------------
def _figures(results: Sequence[CaseResult], out: Path, dpi: int, say) -> tuple[dict[str, str], dict[str, str]]:
    """Draw every figure; returns ``(per-case images, extra images)`` by key."""
    by_key = {r.case.key: r for r in results}
    say("figures: theta-plane trajectories")
    images = {r.case.key: save_figure(theta_plane(r.trajectories), out / f"{r.case.key}.png", dpi) for r in results}
    extra = {}
    if "wgan_gp_c0" in by_key and "wgan_gp_c1" in by_key:
        say("figures: WGAN-GP c = 0 vs c = 1")
        c0, c1 = by_key["wgan_gp_c0"], by_key["wgan_gp_c1"]
        fig = theta_plane_pair(c0.trajectories, c1.trajectories, (c0.case.title, c1.case.title))
        extra["gp"] = save_figure(fig, out / "wgan_gp_c0_vs_c1.png", dpi)
    if "vanilla_ns" in by_key and "vanilla_ns_l2" in by_key:
        say("figures: L2 mitigation")
        base, l2 = by_key["vanilla_ns"], by_key["vanilla_ns_l2"]
        fig = theta_plane_pair(base.trajectories, l2.trajectories, (base.case.title, l2.case.title))
        extra["l2"] = save_figure(fig, out / "l2.png", dpi)
    if "vanilla_ns" in by_key:
        say("figures: EMA mitigation")
        extra["ema"] = save_figure(ema_plot(by_key["vanilla_ns"].trajectories, EMA_BETA), out / "ema.png", dpi)
    if results:
        say("figures: distance to the equilibrium")
        runs = {r.case.title: r.trajectories for r in results}
        extra["distance"] = save_figure(distance_plot(runs), out / "distance.png", dpi)
    return images, extra


def write_report(
    results: Sequence[CaseResult],
    out_dir: str | Path,
    *,
    dpi: int = 100,
    progress: Callable[[str], Any] | None = None,
    elapsed: float | None = None,
    literature: Sequence[LiteratureResult] = (),
    discrete: Sequence[DiscreteResult] = (),
    maps: Sequence[MapResult] = (),
) -> Path:
    """Draw the figures and write ``index.md`` (and ``derivations/*.tex``) into ``out_dir``; with ``literature``,
    ``discrete`` or ``maps`` results, the page gains the section beyond the post."""
    say = progress or (lambda message: None)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "derivations").mkdir(exist_ok=True)
    for r in results:
        (out / "derivations" / f"{r.case.key}.tex").write_text(r.analysis.to_latex(), encoding="utf-8")
    images, extra = _figures(results, out, dpi, say)
    map_images = map_figures(maps, out, dpi, say)
    path = out / "index.md"
    page = _page(results, images, extra, elapsed, literature, discrete, maps, map_images)
    path.write_text(page, encoding="utf-8")
    return path


# ----------------------------------------------------------------------------------------
# Writing: the page, section by section
# ----------------------------------------------------------------------------------------
def _page(
    results: Sequence[CaseResult],
    images: Mapping[str, str],
    extra: Mapping[str, str],
    elapsed,
    literature: Sequence[LiteratureResult] = (),
    discrete: Sequence[DiscreteResult] = (),
    maps: Sequence[MapResult] = (),
    map_images: Mapping[str, str] | None = None,
) -> str:
    by_key = {r.case.key: r for r in results}
    lines = (
        _intro(results, elapsed, bool(literature), bool(discrete), bool(maps))
        + _summary(results)
        + _figure_line("distance to the equilibrium", extra, "distance")
    )
    for r in results:
        lines += _case_section(r, images[r.case.key])
    if "gp" in extra:
        lines += _gp_section(by_key["wgan_gp_c0"], by_key["wgan_gp_c1"], extra["gp"])
    if "l2" in extra:
        lines += _l2_section(by_key["vanilla_ns"], by_key["vanilla_ns_l2"], extra["l2"])
    if "ema" in extra:
        lines += _ema_section(by_key["vanilla_ns"], extra["ema"])
    if literature or discrete or maps:
        lines += _beyond_section(literature, discrete, maps, map_images or {})
    return "\n".join(lines)


def _anchor(key: str) -> str:
    return key.replace("_", "-")


def _figure_line(alt: str, images: Mapping[str, str], key: str) -> list[str]:
    return [f"![{alt}]({images[key]})", ""] if key in images else []


def _intro(
    results: Sequence[CaseResult], elapsed, literature: bool = False, discrete: bool = False, maps: bool = False
) -> list[str]:
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
        *_beyond_line(literature, discrete, maps),
        f"Generated by `stability report` (stability {__version__}){took}",
        "",
    ]


def _beyond_line(literature: bool, discrete: bool, maps: bool = False) -> list[str]:
    parts = ["the literature's losses and regularisers"] * literature
    parts += ["discrete-time training at a symbolic learning rate"] * discrete
    parts += ["stability maps in two parameters"] * maps
    if not parts:
        return []
    text = parts[0] if len(parts) < 2 else ", ".join(parts[:-1]) + ("," if len(parts) > 2 else "") + " and " + parts[-1]
    return [f"[Beyond the post](#beyond-the-post): {text}.", ""]


def _eigenvalues_cell(a) -> str:
    items = eigenvalue_items(a.eigenvalue_parts)
    return ", ".join(_math(item) for item in items) if items else "none (no Jacobian)"


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


# ----------------------------------------------------------------------------------------
# Writing: beyond the post
# ----------------------------------------------------------------------------------------
#: How a numeric check's agreement with the symbolic verdict reads in a table cell.
AGREEMENT_TEXT = {True: "agrees", False: "**disagrees**", None: "inconclusive"}


def _cell_math(cell: str) -> str:
    r"""Mathematics in a table cell: a ``|`` would end the cell, so it is written ``\vert``."""
    return cell.replace("|", r"\vert ")


def _numeric_text(verification, note: str) -> str:
    if verification is None:
        return "numerics " + escape_markdown(note)
    return f"numerics: {escape_markdown(str(verification.behaviour))} ({AGREEMENT_TEXT[verification.agrees]})"


def _nonlinear_text(nl, note: str) -> str:
    if nl is None:
        return "nonlinear " + escape_markdown(note)
    method = "" if nl.method == Method.NONE else f" ({nl.method})"
    return "nonlinear: " + escape_markdown(f"{nl.verdict}{method}")


def _literature_text(r: LiteratureResult) -> str:
    """One cell: verdict, eigenvalues, the nonlinear verdict where needed, the numerics (or the refusal)."""
    if r.analysis is None:
        return escape_markdown(r.refused)
    parts = [f"**{_label(r.analysis)}**", _cell_math(_eigenvalues_cell(r.analysis))]
    if r.nonlinear is not None or r.nonlinear_note:
        parts.append(_nonlinear_text(r.nonlinear, r.nonlinear_note))
    parts.append(_numeric_text(r.verification, r.numeric_note))
    return "<br>".join(parts)


def _column_title(regularizer: str | None, weight) -> str:
    if regularizer is None:
        return "no regulariser"
    symbol = REGULARIZERS[regularizer].weight.symbol
    return f"`{regularizer}`, {_cell_math(_math(sp.Eq(symbol, weight, evaluate=False)))}"


def _starts(verifications) -> str:
    counts = sorted({len(v.measurements) for v in verifications if v is not None})
    return " or ".join(str(k) for k in counts) if counts else "no"


def _literature_lines(results: Sequence[LiteratureResult]) -> list[str]:
    """The variant x regulariser table, its rows' and columns' definitions (from the registries)."""
    columns = list(dict.fromkeys((r.case.regularizer, r.case.weight) for r in results))
    rows = list(dict.fromkeys(r.case.variant for r in results))
    by_cell = {(r.case.variant, r.case.regularizer, r.case.weight): r for r in results}
    dims = sorted({r.analysis.dim for r in results if r.analysis is not None})
    dim_text = ", ".join(_math(sp.Eq(sp.Symbol("n"), d)) for d in dims) or "–"
    text = (
        f"Every registered variant the post does not treat (rows; `{REFERENCE_VARIANT}` first, for reference), "
        "alone and with one regulariser at the weight in its column's heading, with default parameters, in dimension "
        f"{dim_text}. Each cell: the linearisation's verdict, the eigenvalues of {_math(sp.Symbol('J'))} at the "
        "equilibrium (multiplicities in brackets), the nonlinear verdict (with its method) where the linearisation is "
        f"inconclusive, and what `Analysis.verify` measured. Every analysed cell is checked numerically, from only "
        f"{_starts(r.verification for r in results)} random starts (to keep the report fast) with the default run "
        "lengths; *inconclusive* means the run could not show the verdict. A combination the library refuses shows "
        "its reason; a step that failed shows its error."
    )
    lines = ["### The literature's losses and regularisers", "", text, ""]
    lines.append("| variant | " + " | ".join(_column_title(*c) for c in columns) + " |")
    lines.append("|---" * (len(columns) + 1) + "|")
    for v in rows:
        cells = [f"`{v}`"] + [_literature_text(by_cell[(v, *c)]) if (v, *c) in by_cell else "–" for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", "Rows:", ""]
    lines += [f"- `{v}`: {escape_markdown(VARIANTS[v].description)}" for v in rows if v in VARIANTS]
    lines += ["", "Columns (each regulariser's term, as registered):", ""]
    lines += [f"- `{name}`: {_regularizer_text(REGULARIZERS[name])}" for name, _ in columns if name is not None]
    return lines + [""]


def _regularizer_text(reg) -> str:
    """What a regulariser is, from its registry entry: its term, where it acts, its source."""
    if isinstance(reg, LossTerm):
        where = f"added to {_math(L_D if reg.player == 'd' else L_G)}"
    elif isinstance(reg, FieldTransform):
        where = "a transform of the training field"
    elif isinstance(reg, DataModel):
        where = "a model of the samples, every expectation in both losses taken over it"
    else:  # pragma: no cover - the registry holds the three kinds
        where = escape_markdown(reg.description)
    return f"${reg.latex}$, {where} ({escape_markdown(reg.source)})"


def _regions_text(a, lr) -> str:
    regions = _regions(a)
    if not regions:
        return f"**{_label(a)}**"
    out = []
    for name, condition in regions.items():
        where = f"for every {_math(sp.Gt(lr, 0, evaluate=False))}" if condition is sp.true else f"if {_math(condition)}"
        out.append(f"**{escape_markdown(name)}** {where}")
    return _cell_math("<br>".join(out))


def _boundaries_text(a, lr) -> str:
    items = [
        _math(sp.Eq(lr, b.value, evaluate=False)) + (f" ({escape_markdown(str(b.crossing))})" if b.crossing else "")
        for b in a.boundaries
    ]
    return _cell_math(", ".join(items)) if items else "–"


def _check_text(c: RegionCheck, lr) -> str:
    rate = _math(sp.Eq(lr, c.lr, evaluate=False))
    if c.analysis is None:
        return f"{rate}: {escape_markdown(c.note)}"
    return f"{rate}: **{_label(c.analysis)}**, {_numeric_text(c.verification, c.note)}"


def _discrete_lines(results: Sequence[DiscreteResult]) -> list[str]:
    """The post's cases under each optimiser at a symbolic learning rate: regions, boundaries, h*, checks."""
    lrs = list(dict.fromkeys(r.lr for r in results))
    lr = lrs[0] if len(lrs) == 1 else sp.Symbol("h", positive=True)
    optimizers = ", ".join(f"`{o}`" for o in dict.fromkeys(r.optimizer for r in results))
    checks = [c.verification for r in results for c in r.checks]
    star = sp.Symbol(f"{lr.name}^*")
    text = (
        f"The post's cases trained with the optimisers {optimizers} at one symbolic learning rate "
        f"{_math(sp.Gt(lr, 0, evaluate=False))} for both players (`analyze(..., optimizer=..., lr=h)`). "
        f"The update map's Jacobian {_math(sp.Symbol('M'))} at the equilibrium decides: spectral radius below 1 "
        "stable, equal to 1 neutral (inconclusive), above 1 unstable. The regions are the exact conditions on "
        f"{_math(lr)} for each verdict; the boundaries are where the spectrum reaches the unit circle, named by how "
        f"it crosses; {_math(star)} is the largest stable learning rate where the stable rates are "
        f"{_math(sp.Interval.open(0, star))}. Each region is checked by iterating the real update at one rate "
        "inside it (the midpoint of a bounded region, twice the left end of an unbounded one, 1 where every rate "
        f"has the same verdict; rounded to two digits) from {_starts(checks)} random starts. A case without a "
        "Jacobian at the equilibrium has no regions."
    )
    lines = ["### Discrete-time training", "", text, ""]
    lines.append(
        f"| optimiser | case | verdict regions | boundaries | {_math(star)} | iterated at a rate in each region |"
    )
    lines.append("|---|---|---|---|---|---|")
    for r in results:
        title = f"[{escape_markdown(r.case.title)}](#{_anchor(r.case.key)})"
        if r.analysis is None:
            cells = [f"`{r.optimizer}`", title, escape_markdown(r.refused), "–", "–", "–"]
        else:
            a = r.analysis
            cells = [
                f"`{r.optimizer}`",
                title,
                _regions_text(a, r.lr),
                _boundaries_text(a, r.lr),
                "–" if a.max_stable_lr is None else _cell_math(_math(a.max_stable_lr)),
                "<br>".join(_check_text(c, r.lr) for c in r.checks) or "–",
            ]
        lines.append("| " + " | ".join(cells) + " |")
    return lines + [""]


def _beyond_section(
    literature: Sequence[LiteratureResult],
    discrete: Sequence[DiscreteResult],
    maps: Sequence[MapResult] = (),
    map_images: Mapping[str, str] | None = None,
) -> list[str]:
    lines = ['<a id="beyond-the-post"></a>', "", "## Beyond the post", ""]
    if literature:
        lines += _literature_lines(literature)
    if discrete:
        lines += _discrete_lines(discrete)
    if maps:
        lines += maps_lines(maps, map_images or {})
    return lines


def build_report(
    out_dir: str | Path = "report",
    *,
    analyze: Analyze,
    stability_map: MapMaker | None = None,
    dim: int = 2,
    dpi: int = 100,
    progress: Callable[[str], Any] | None = None,
) -> Path:
    """Run every case (analysing with ``analyze``, i.e. :func:`stability.analyze`), the table beyond the post,
    the discrete-time table and (with ``stability_map``, i.e. :func:`stability.maps.stability_map`) the stability
    maps, and write the report.

    Returns the path of ``index.md``; ``progress`` receives one line per step (the command line
    prints them on stderr).
    """
    if dim < 2:
        raise InvalidParameterError(f"the report reproduces the post's figures, which need dim >= 2; got {dim}")
    start = time.perf_counter()
    results = run_cases(analyze=analyze, dim=dim, progress=progress)
    literature = run_literature(analyze=analyze, dim=dim, progress=progress)
    discrete = run_discrete(analyze=analyze, dim=dim, progress=progress)
    maps = run_maps(stability_map=stability_map, progress=progress) if stability_map is not None else []
    elapsed = time.perf_counter() - start
    return write_report(
        results,
        out_dir,
        dpi=dpi,
        progress=progress,
        elapsed=elapsed,
        literature=literature,
        discrete=discrete,
        maps=maps,
    )
