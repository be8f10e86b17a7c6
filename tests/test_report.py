"""``stability report`` end to end, and the report's pieces on a small case list."""

from __future__ import annotations

import contextlib
import io
import re

import matplotlib.image as mpimg
import numpy as np
import pytest
import sympy as sp
from sympy.parsing.sympy_parser import implicit_multiplication_application, parse_expr, standard_transformations

from stability import analyze
from stability.cli import main
from stability.errors import StabilityError
from stability.maps import stability_map
from stability.model.literature import (
    DISCRETE_OPTIMIZERS,
    LEARNING_RATE,
    LITERATURE_COLUMNS,
    LITERATURE_VARIANTS,
    LiteratureCase,
)
from stability.model.post import EMA_BETA, POST_T_END, POST_X0, post_initial_state
from stability.model.regularizers import REGULARIZERS
from stability.model.variants import VARIANTS
from stability.plotting import POST_T_END as PLOTTING_T_END
from stability.plotting import post_experiment
from stability.plotting import post_initial_state as plotting_initial_state
from stability.render.report import (
    Case,
    post_cases,
    run_cases,
    run_discrete,
    run_literature,
    sample_rate,
    write_report,
)
from stability.render.report_maps import MapCase, MapFigure, run_maps
from stability.verdicts import Behaviour, Classification


@pytest.fixture(scope="module")
def full_report(tmp_path_factory):
    """One run of ``stability report`` shared by the tests of the page (about 40 s on two cores)."""
    report = tmp_path_factory.mktemp("full") / "report"
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(["report", "-o", str(report)])
    return code, out.getvalue(), err.getvalue(), report


def test_report_end_to_end(full_report):
    """The README's main command, on a temporary directory."""
    code, out, err, report = full_report
    assert code == 0
    assert out.strip() == str(report / "index.md")
    progress = err.splitlines()
    assert any("[1/7]" in line for line in progress) and progress[-1].startswith("wrote ")

    page = (report / "index.md").read_text()
    table = [line for line in page.splitlines() if line.startswith("| [")]
    assert len(table) == len(post_cases())
    names = {c.variant for c in post_cases()}
    # every variant of the post (MATH.md's table) is in the comparison, and each is a built-in
    assert names == {"vanilla_ns", "vanilla_sat", "wgan", "wgan_gp", "gan_qp"} and names <= set(VARIANTS)
    rows = {re.search(r"\(#([\w-]+)\)", line).group(1): line for line in table}
    assert "| center |" in rows["vanilla-ns"] and r"$\pm \frac{i}{2} \ (\times 2)$" in rows["vanilla-ns"]
    assert "| non-differentiable |" in rows["wgan"] and "stable (focus)" in rows["wgan-gp-c0"]
    assert "stable (focus)" in rows["vanilla-ns-l2"]
    # the numeric columns: the post's claims, measured
    assert "| oscillates |" in rows["vanilla-ns"] and "| oscillates |" in rows["gan-qp"]
    assert "| converges |" in rows["wgan-gp-c0"] and "| converges |" in rows["vanilla-ns-l2"]
    assert "| limit-cycle |" in rows["wgan-gp-c1"]
    assert all(line.endswith("| yes |") for line in table)  # numerics agree with every symbolic verdict

    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", page)
    for name in ("vanilla_ns.png", "wgan_gp_c0_vs_c1.png", "l2.png", "ema.png", "distance.png"):
        assert name in images
    for name in images:
        img = mpimg.imread(report / name)
        assert img.shape[0] > 300 and img[..., :3].std() > 0.02, name
    for case in post_cases():
        tex = (report / "derivations" / f"{case.key}.tex").read_text()
        assert tex.startswith(r"\documentclass")
    assert "## WGAN-GP: c = 0 against c = 1" in page and "## Mitigation 2: weight EMA" in page
    _check_mathematics(page)


def _section(page: str, heading: str) -> str:
    return page.split(heading, 1)[1].split("\n## ", 1)[0]


def _check_mathematics(page: str) -> None:
    """The page shows derived mathematics as mathematics, with the post's values (MATH.md), no SymPy strings."""
    # Every paragraph the report writes itself (the numeric check's sentences come from verify) is free of
    # SymPy's str() output.
    own = "\n".join(line for line in page.splitlines() if not line.startswith("**Numerically.**"))
    for token in ("**2", "sigmoid(", "theta.phi", "|phi|", "sqrt(", "I/2"):
        assert token not in own, token
    # the post's start point, as a formula
    assert r"= \left( 0.1, \  0.2, \  0.2, \  0.1\right)$" in page
    # WGAN-GP with c = 0, lam = 1/10: by hand from eq. (16), phi' = -theta - 2 lam phi = -phi/5 - theta
    gp = _section(page, "## WGAN-GP: c = 0 against c = 1")
    assert r"\dot{\boldsymbol{\varphi}} &= -\boldsymbol{\varphi}/5 - \boldsymbol{\theta}" in gp
    assert "the field is linear" in gp  # c = 0: no norm left in the field
    # c = 1: the term 2 lam phi/|phi| = phi/(5 |phi|) has no limit at phi = 0
    assert r"\ni \frac{\boldsymbol{\varphi}}{5 \Vert\boldsymbol{\varphi}\Vert} \qquad \text{no limit at }" in gp
    assert "limit cycle" in gp
    # L2 with alpha = 1/20: by hand, grad_phi (alpha |phi|^2) = 2 alpha phi, so phi' changes by -phi/10 and the
    # block's trace goes from 0 to -2 alpha = -1/10.
    l2 = _section(page, "## Mitigation 1")
    assert r"\Delta\dot{\boldsymbol{\varphi}} &= -\boldsymbol{\varphi}/10" in l2
    assert r"\Delta\dot{\boldsymbol{\theta}} &= 0" in l2
    assert r"\operatorname{tr} B &= 0 \qquad \text{without}" in l2
    assert r"\operatorname{tr} B &= - \frac{1}{10} \qquad \text{with}" in l2
    # EMA: the post's claim, measured: the average lies much closer to the equilibrium than the trajectory.
    ema = _section(page, "## Mitigation 2")
    raw, avg = (float(x) for x in re.findall(r" is ([0-9.e-]+)[,.]", ema)[-2:])
    assert avg < raw / 3, (raw, avg)


def test_report_pieces_on_two_short_cases(tmp_path):
    quick = {"samples": 2, "t_end": 20.0}
    cases = [Case("a", "Vanilla", "vanilla_ns", 2.0, verify=quick), Case("b", "GAN-QP", "gan_qp", 2.0, verify=quick)]
    messages = []
    results = run_cases(cases, analyze=analyze, dt=0.05, progress=messages.append)
    assert [r.case.key for r in results] == ["a", "b"] and len(messages) == 8
    assert results[0].trajectories.t_end == 2.0 and results[0].trajectories.x0.tolist() == [[0.1, 0.2, 0.2, 0.1]]
    path = write_report(results, tmp_path / "r", dpi=40)
    page = path.read_text()
    assert path.name == "index.md" and "[Vanilla](#a)" in page and "(a.png)" in page
    assert (tmp_path / "r" / "distance.png").exists() and not (tmp_path / "r" / "l2.png").exists()
    assert "Beyond the post" not in page  # no literature or discrete results given


def test_report_bad_output_exits_2(tmp_path, capsys):
    target = tmp_path / "file.txt"
    target.write_text("x")
    assert main(["report", "-o", str(target)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("stability report: error:") and "\n" not in err


def test_the_posts_reference_data_lives_in_one_place():
    """The start point, run lengths and EMA decay of the post (MATH.md, the post's figure script)."""
    assert POST_X0 == (0.1, 0.2, 0.2, 0.1) and EMA_BETA == 0.999
    assert dict(POST_T_END) == {
        "vanilla_ns": 100.0,
        "vanilla_sat": 100.0,
        "wgan": 10.0,
        "wgan_gp": 40.0,
        "gan_qp": 40.0,
    }
    assert PLOTTING_T_END is POST_T_END and plotting_initial_state is post_initial_state  # the public shim
    assert post_initial_state(3).tolist() == [0.1, 0.2, 0.1, 0.2, 0.1, 0.2]
    for case in post_cases():  # the report integrates each case for the post's time
        assert case.t_end == POST_T_END[case.variant], case.key
    tr = post_experiment(analyze("gan_qp"), dt=0.05)
    assert tr.t_end == 40.0 and tr.x0.tolist() == [list(POST_X0)]


# ----------------------------------------------------------------------------------------
# Beyond the post
# ----------------------------------------------------------------------------------------
def _subsection(page: str, heading: str) -> str:
    return re.split(r"\n##+ ", page.split(heading, 1)[1], maxsplit=1)[0]


def _table(text: str) -> tuple[list[str], list[list[str]]]:
    """The first Markdown table in ``text``: its header cells and its rows' cells (escaped pipes kept)."""
    lines = [line for line in text.splitlines() if line.startswith("|")]
    cells = [[c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]] for line in lines]
    assert set("".join(cells[1])) <= set("-"), cells[1]  # the separator row
    return cells[0], cells[2:]


def _literature_table(page: str) -> dict[tuple[str, str | None], str]:
    header, rows = _table(_subsection(page, "### The literature's losses and regularisers"))
    # the columns: "no regulariser", then each regulariser of the chosen columns with its weight symbol
    assert header[0] == "variant" and header[1] == "no regulariser"
    names = [re.match(r"`(\w+)`, ", h).group(1) for h in header[2:]]
    assert names == [c.regularizer for c in LITERATURE_COLUMNS if c.regularizer is not None]
    for name, h, column in zip(names, header[2:], LITERATURE_COLUMNS[1:]):
        assert name in REGULARIZERS
        symbol = sp.latex(REGULARIZERS[name].weight.symbol)
        assert h.endswith(f"${symbol} = {sp.latex(column.weight)}$"), h
    columns = [None, *names]
    return {(row[0].strip("`"), reg): cell for row in rows for reg, cell in zip(columns, row[1:])}


def test_the_literature_table_rows_come_from_the_registry(full_report):
    """Rows: vanilla_ns for reference, then every registered variant the post's comparison does not use."""
    page = (full_report[3] / "index.md").read_text()
    cells = _literature_table(page)
    rows = list(dict.fromkeys(v for v, _ in cells))
    post = {c.variant for c in post_cases()}
    expected = ["vanilla_ns"] + [v for v in VARIANTS if v not in post]
    assert rows == expected == list(LITERATURE_VARIANTS) and len(rows) > 1
    assert len(cells) == len(rows) * len(LITERATURE_COLUMNS)


def test_every_literature_cell_states_the_analysis_verdict(full_report):
    """Each cell's verdict is ``analyze(...).classification`` (computed here), or the library's refusal."""
    page = (full_report[3] / "index.md").read_text()
    behaviours = {str(b) for b in Behaviour}
    for (variant, reg), cell in _literature_table(page).items():
        column = next(c for c in LITERATURE_COLUMNS if c.regularizer == reg)
        try:
            a = analyze(variant, dim=2, regularizers=None if reg is None else {reg: column.weight})
        except StabilityError as exc:
            assert cell.startswith("refused: "), (variant, reg, cell)
            assert str(exc)[:40].replace("|", r"\|") in cell.replace("\\_", "_"), (variant, reg, cell)
            continue
        parts = cell.split("<br>")
        label = re.fullmatch(r"\*\*(.+)\*\*", parts[0]).group(1)
        assert label.split(" (")[0] == str(a.classification), (variant, reg, cell)
        if str(a.detail) != str(a.classification) and a.classification != Classification.NON_DIFFERENTIABLE:
            assert label == f"{a.classification} ({a.detail})", (variant, reg, cell)
        # the nonlinear verdict appears exactly where the linearisation is inconclusive
        assert any(p.startswith("nonlinear") for p in parts) == a.classification.inconclusive, (variant, reg)
        numeric = parts[-1]
        m = re.fullmatch(r"numerics: ([\w-]+) \((agrees|inconclusive|\*\*disagrees\*\*)\)", numeric)
        if m is None:  # no numeric result: the reason is shown instead
            assert re.match(r"numerics (refused|failed|not finished)", numeric), (variant, reg, numeric)
        else:
            assert m.group(1) in behaviours and m.group(2) != "**disagrees**", (variant, reg, numeric)


def test_literature_cells_against_hand_derived_eigenvalues(full_report):
    """Three cells, by hand.

    vanilla_ns: L_D = softplus(theta.phi), L_G = softplus(-theta.phi), so phi' = -sigma(u) theta,
    theta' = sigma(-u) phi, u = theta.phi; at the origin sigma = 1/2, the block is [[0, -1/2], [1/2, 0]].
    R1 adds gamma/2 |grad_x D|^2 = gamma/2 |phi|^2 to L_D: phi' gains -gamma phi, block [[-gamma, -1/2], [1/2, 0]],
    lambda^2 + gamma lambda + 1/4 = 0; at gamma = 1 the double root -1/2 (x2 in n = 2: multiplicity 4).
    Consensus F <- F - gamma grad |F|^2/2 linearises to J - gamma J^T J = J - gamma/4 I: -1/4 +- i/2 at gamma = 1.
    hinge: near the origin L_D = 2 + theta.phi, L_G = -theta.phi, block [[0, -1], [1, 0]]; R1 gives
    [[-1, -1], [1, 0]], lambda^2 + lambda + 1 = 0, lambda = -1/2 +- i sqrt(3)/2.
    """
    gamma = sp.Symbol("gamma", positive=True)
    half = sp.Rational(1, 2)
    block = sp.Matrix([[-gamma, -half], [half, 0]])
    assert analyze("vanilla_ns", dim=2, regularizers={"r1": gamma}).block == block
    hand = {
        ("vanilla_ns", "r1"): (np.array([[-1, -0.5], [0.5, 0]]), r"$- \frac{1}{2} \ (\times 4)$"),
        ("vanilla_ns", "consensus"): (
            np.array([[-0.25, -0.5], [0.5, -0.25]]),
            r"$- \frac{1}{4} \pm \frac{i}{2} \ (\times 2)$",
        ),
        ("hinge", "r1"): (np.array([[-1, -1], [1, 0]]), r"$- \frac{1}{2} \pm \frac{\sqrt{3} i}{2} \ (\times 2)$"),
    }
    expected_values = {
        ("vanilla_ns", "r1"): [-0.5, -0.5],
        ("vanilla_ns", "consensus"): [-0.25 - 0.5j, -0.25 + 0.5j],
        ("hinge", "r1"): [-0.5 - np.sqrt(3) / 2 * 1j, -0.5 + np.sqrt(3) / 2 * 1j],
    }
    cells = _literature_table((full_report[3] / "index.md").read_text())
    for key, (matrix, tex) in hand.items():
        ev = np.sort_complex(np.linalg.eigvals(matrix))
        assert np.allclose(ev, np.sort_complex(np.array(expected_values[key], dtype=complex)), atol=1e-9), key
        assert cells[key].split("<br>")[1] == tex, (key, cells[key])
        assert cells[key].startswith("**stable"), cells[key]


def _discrete_rows(page: str) -> dict[tuple[str, str], list[str]]:
    header, rows = _table(_subsection(page, "### Discrete-time training"))
    assert header[:4] == ["optimiser", "case", "verdict regions", "boundaries"]
    titles = {c.title: c.key for c in post_cases()}
    out = {}
    for row in rows:
        title = re.fullmatch(r"\[(.+)\]\(#[\w-]+\)", row[1]).group(1).replace("\\", "")
        out[(titles[title], row[0].strip("`"))] = row
    return out


def test_discrete_table_regions_and_hand_derived_thresholds(full_report):
    """Every post case x optimiser, its regions those of ``analyze(..., lr=h)``; two thresholds by hand.

    altgd on vanilla_ns (block B = [[0, -1/2], [1/2, 0]]): phi+ = phi - h theta/2, theta+ = theta + h phi+/2, so
    M = [[1, -h/2], [h/2, 1 - h^2/4]], det M = 1, tr M = 2 - h^2/4: on the unit circle while |tr M| <= 2, i.e.
    h <= 4; at h = 4 the eigenvalue -1 (a flip). simgd on WGAN-GP with c = 0 (B = [[-1/5, -1], [1, 0]], the
    post's eq. (16) with lam = 1/10): M = I + h B, |1 + h lambda|^2 = 1 - h/5 + h^2 < 1 iff h < 1/5 (a complex
    pair: Neimark-Sacker).
    """
    rows = _discrete_rows((full_report[3] / "index.md").read_text())
    assert set(rows) == {(c.key, o) for c in post_cases() for o in DISCRETE_OPTIMIZERS}
    for case in post_cases():
        for opt in DISCRETE_OPTIMIZERS:
            a = analyze(
                case.variant,
                dim=2,
                params=dict(case.params) or None,
                regularizers=dict(case.regularizers) or None,
                optimizer=opt,
                lr=LEARNING_RATE,
            )
            regions = rows[(case.key, opt)][2]
            if a.conditions:
                assert re.findall(r"\*\*([\w-]+)\*\*", regions) == list(a.conditions), (case.key, opt, regions)
            else:
                assert regions == f"**{a.classification}**", (case.key, opt, regions)
    h = 4.0  # by hand: tr M = -2 at h = 4, |tr M| < 2 below, > 2 above
    for step, inside in ((3.9, True), (4.1, False)):
        m = np.array([[1, -step / 2], [step / 2, 1 - step**2 / 4]])
        assert (max(abs(np.linalg.eigvals(m))) <= 1 + 1e-9) == inside
    alt = rows[("vanilla_ns", "altgd")]
    assert r"**neutral** if $h \leq 4$" in alt[2] and alt[3] == "$h = 4$ (flip)" and alt[4] == "–", (h, alt)
    b = np.array([[-0.2, -1.0], [1.0, 0.0]])
    for step, inside in ((0.19, True), (0.21, False)):
        assert (max(abs(np.linalg.eigvals(np.eye(2) + step * b))) < 1) == inside
    gp = rows[("wgan_gp_c0", "simgd")]
    assert gp[3] == r"$h = \frac{1}{5}$ (Neimark-Sacker)" and gp[4] == r"$\frac{1}{5}$", gp
    assert rows[("vanilla_ns", "simgd")][2] == "**unstable** if $h > 0$"


def test_discrete_region_checks_iterate_inside_each_region():
    """Each region is checked at a rate inside it, where the numeric-rate analysis has the region's verdict."""
    cases = [c for c in post_cases() if c.key in ("vanilla_ns", "wgan_gp_c0")]
    results = run_discrete(cases, analyze=analyze)
    assert [(r.case.key, r.optimizer) for r in results] == [(c.key, o) for o in DISCRETE_OPTIMIZERS for c in cases]
    for r in results:
        assert r.analysis is not None and r.checks, (r.case.key, r.optimizer)
        named = [c.region for c in r.checks]
        assert set(named) <= set(r.analysis.conditions), named
        for check in r.checks:
            condition = r.analysis.conditions[check.region]
            assert bool(condition.subs(LEARNING_RATE, check.lr)) and check.lr > 0, (check.region, check.lr)
            assert check.analysis.classification == check.region, (r.case.key, r.optimizer, check.lr)
            assert check.verification.agrees is not False, check.verification.explanation
    # wgan_gp c = 0 under simgd: stable below 1/5 (checked at 1/10), unstable above (at 2/5); "neutral" is the point
    gp = next(r for r in results if r.case.key == "wgan_gp_c0" and r.optimizer == "simgd")
    assert [(c.region, c.lr) for c in gp.checks] == [("stable", sp.Rational(1, 10)), ("unstable", sp.Rational(2, 5))]


def test_sample_rate_lies_inside_the_region():
    h = LEARNING_RATE
    assert sample_rate(h < sp.Rational(1, 5)) == sp.Rational(1, 10)
    assert sample_rate(h > 4) == 8 and sample_rate(h > 0) == 1 and sample_rate(sp.true) == 1
    assert sample_rate(sp.And(h > 1, h < 2)) == sp.Rational(3, 2)
    assert sample_rate(sp.Eq(h, 4)) is None and sample_rate(sp.false) is None
    edge = (sp.sqrt(101) - 1) / 5  # 1.81: the midpoint 0.905 rounds to 0.9, still inside
    assert sample_rate(h < edge) == sp.Rational(9, 10)
    tight = sp.Interval.open(sp.Rational(1001, 1000), sp.Rational(1002, 1000))  # rounding would leave it
    r = sample_rate(sp.And(h > tight.start, h < tight.end))
    assert tight.contains(r) is sp.true


def test_refused_and_failed_cells_are_shown_not_raised(tmp_path):
    """A combination the library refuses reads "refused: <reason>"; a step that crashes reads "failed: ..."."""
    refused = LiteratureCase("gan_qp", "instance_noise", sp.Integer(1))
    with pytest.raises(StabilityError) as info:
        analyze("gan_qp", regularizers={"instance_noise": 1})

    def flaky(variant, **kw):
        if kw.get("regularizers") == {"r1": 1}:
            raise RuntimeError("boom")
        return analyze(variant, **kw)

    cases = [refused, LiteratureCase("vanilla_ns", "r1", sp.Integer(1)), LiteratureCase("vanilla_ns")]
    results = run_literature(cases, analyze=flaky, verify={"samples": 2, "t_end": 20.0})
    assert results[0].analysis is None and results[0].refused == f"refused: {info.value}"
    assert results[1].analysis is None and results[1].refused == "failed: RuntimeError: boom"
    assert results[2].analysis is not None and results[2].verification is not None
    page = write_report([], tmp_path / "r", dpi=40, literature=results).read_text()
    cells = _literature_table_loose(page)
    assert cells[("gan_qp", "instance_noise")].startswith("refused: instance\\_noise needs")
    assert cells[("vanilla_ns", "r1")] == "failed: RuntimeError: boom"
    assert cells[("vanilla_ns", None)].startswith("**center**")
    assert cells[("gan_qp", None)] == "–"  # not in the case list


def _literature_table_loose(page: str) -> dict[tuple[str, str | None], str]:
    header, rows = _table(_subsection(page, "### The literature's losses and regularisers"))
    columns = [None if h == "no regulariser" else re.match(r"`(\w+)`, ", h).group(1) for h in header[1:]]
    return {(row[0].strip("`"), reg): cell for row in rows for reg, cell in zip(columns, row[1:])}


# ----------------------------------------------------------------------------------------
# Stability maps
# ----------------------------------------------------------------------------------------
HH, GG, BB = sp.symbols("hh gg bb", real=True)  # the test's own names for h, the R1 weight and beta
#: How the report writes each parameter (the maps' LaTeX axis names), and the test's symbol for it.
REPORT_SYMBOLS = {r"\gamma_{r1}": "gg", r"\beta": "bb", "h": "hh"}


def _from_latex(tex: str) -> sp.Expr:
    r"""A polynomial or number as the report typesets it (sums, products, powers, \frac, \sqrt), as a SymPy
    expression in the test's symbols."""
    s = tex.replace(r"\left", "").replace(r"\right", "")
    for name, ours in REPORT_SYMBOLS.items():
        s = re.sub(re.escape(name) + r"(?![A-Za-z])", f" {ours} ", s)
    s = re.sub(r"\\frac\{([^{}]*)\}\{([^{}]*)\}", r"((\1)/(\2))", s)
    s = re.sub(r"\\sqrt\{([^{}]*)\}", r"sqrt(\1)", s)
    assert "\\" not in s, tex  # nothing typeset that this reader does not know
    s = s.replace("^{", "**(").replace("{", "(").replace("}", ")")
    names = {"hh": HH, "gg": GG, "bb": BB, "sqrt": sp.sqrt}
    return parse_expr(
        s, local_dict=names, transformations=(*standard_transformations, implicit_multiplication_application)
    )


def _same_curve(a: sp.Expr, b: sp.Expr) -> bool:
    """Equal zero sets of two polynomials: their ratio is a non-zero constant."""
    r = sp.cancel(a / b)
    return bool(r.is_number and r != 0)


def _maps_section(page: str) -> str:
    return re.split(r"\n##?#? ", page.split("### Stability maps", 1)[1], maxsplit=1)[0]


def _map_block(page: str, optimizer: str) -> str:
    """The paragraphs of one map: from its bold head to the next map's head, heading or figure."""
    section = _maps_section(page)
    start = section.index(f"(`{optimizer}` on ")
    start = section.rindex("\n**", 0, start)
    rest = section[start + 1 :]
    ends = [m.start() for m in re.finditer(r"\n(\*\*|#|!\[)", rest)]
    return rest[: ends[0]] if ends else rest


def _map_boundary(block: str) -> dict[str, sp.Expr]:
    rows = re.findall(r"^(.+?) &= 0 \\qquad \\text\{([\w-]+)\}", block, re.M)
    return {crossing: _from_latex(lhs) for lhs, crossing in rows}


def _map_window(block: str) -> tuple[np.ndarray, np.ndarray, float]:
    """The grid the map states (its window and points per axis), at the test's coarse resolution, and the stated
    stable share."""
    share, nx, ny = re.search(r"stable on ([0-9.]+)% of the (\d+) × (\d+) grid", block).groups()
    (xlo, xhi), (ylo, yhi) = (
        (float(lo), float(hi)) for lo, hi in re.findall(r"\$(-?[0-9.]+) \\leq [^$]+ \\leq (-?[0-9.]+)\$", block)[:2]
    )
    assert int(nx) >= 300 and int(ny) >= 300, (nx, ny)  # the resolution the caption states
    return np.linspace(xlo, xhi, COARSE), np.linspace(ylo, yhi, COARSE), float(share) / 100


def _map_ranges(block: str) -> dict[sp.Expr, tuple[sp.Expr, sp.Expr]]:
    """``{value of the y-axis: (stated end of the stable interval (0, e), stated h*)}``."""
    found = re.findall(
        r"At \$[^$=]+ = ([^$]+)\$ the update is stable exactly for \$h \\in \\left\(0, ([^$]+)\\right\)\$: "
        r"the largest stable learning rate is \$h\^\{\*\} = ([^$]+?)(?: \\approx [0-9.]+)?\$",
        block,
    )
    return {_from_latex(at): (_from_latex(end), _from_latex(star)) for at, end, star in found}


COARSE = 100  # points per axis of the independent check

# The hand-derived update maps of the report's three maps (vanilla_ns, n = 1). The post's vanilla GAN has
# L_D = softplus(theta phi) and L_G = softplus(-theta phi) (n = 1), so phi' = -sigma(u) theta, theta' = sigma(-u) phi,
# u = theta phi; at the equilibrium sigma = 1/2. R1 adds gamma/2 |grad_x D|^2 = gamma/2 phi^2 to L_D, so phi' gains
# -gamma phi: the Jacobian of the field is B = [[-gamma, -1/2], [1/2, 0]].
#  simgd:  (phi, theta) <- (phi, theta) + h B (phi, theta):  M = I + h B = [[1 - h gamma, -h/2], [h/2, 1]].
#  altgd:  phi+ = (1 - h gamma) phi - h theta/2, then theta+ = theta + h phi+/2:
#          M = [[1 - h gamma, -h/2], [h (1 - h gamma)/2, 1 - h^2/4]].
#  momentum (heavy ball, both players at once, R1 weight 1): z+ = z + h B z + beta (z - z_prev) on the state
#          (z, z_prev): M = [[(1 + beta) I + h B, -beta I], [I, 0]].
HAND_MAPS = {
    "simgd": lambda h, g: np.array([[1 - h * g, -h / 2], [h / 2, 1]]),
    "altgd": lambda h, g: np.array([[1 - h * g, -h / 2], [h * (1 - h * g) / 2, 1 - h**2 / 4]]),
    "momentum": lambda h, b: np.block(
        [[(1 + b) * np.eye(2) + h * np.array([[-1, -0.5], [0.5, 0]]), -b * np.eye(2)], [np.eye(2), np.zeros((2, 2))]]
    ),
}


def _hand_verdicts(optimizer: str, xs: np.ndarray, ys: np.ndarray) -> np.ndarray:
    """Per point, from numpy's eigenvalues of the hand-written M: 0 stable, 1 unstable, 2 on the circle."""
    out = np.empty((len(ys), len(xs)), dtype=int)
    for i, y in enumerate(ys):
        for j, x in enumerate(xs):
            rho = np.abs(np.linalg.eigvals(HAND_MAPS[optimizer](x, y))).max()
            out[i, j] = 0 if rho < 1 - 1e-9 else (1 if rho > 1 + 1e-9 else 2)
    return out


def test_report_draws_the_stability_maps(full_report):
    """Two figures (simgd against altgd over (h, gamma); momentum over (h, beta)), PNGs of two and one panels."""
    page = (full_report[3] / "index.md").read_text()
    images = re.findall(r"!\[[^\]]*\]\(([^)]+)\)", _maps_section(page))
    assert images == ["map_gd_lr_r1.png", "map_momentum_lr_beta.png"]
    for name in images:
        path = full_report[3] / name
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 10_000, name
    two, one = (mpimg.imread(full_report[3] / name) for name in images)
    assert two.shape[1] > 1.6 * one.shape[1]  # side by side
    for optimizer in ("simgd", "altgd", "momentum"):
        assert _map_boundary(_map_block(page, optimizer)), optimizer  # each map states its boundary
    assert "300 × 300 points" in _maps_section(page)  # the caption states the resolution


def test_simgd_map_boundary_matches_jury_by_hand(full_report):
    """simgd on vanilla_ns, n = 1 (M above): p(z) = z^2 - tr z + det with tr = 2 - h g, det = 1 - h g + h^2/4.

    Jury's conditions for a quadratic: p(1) > 0, p(-1) > 0, |det| < 1.
      p(1)  = 1 - tr + det = h^2/4 > 0 for every h > 0: no fold.
      p(-1) = 1 + tr + det = 4 - 2 h g + h^2/4, zero on h^2 - 8 g h + 16 = 0: an eigenvalue at -1, the flip.
      det < 1  iff  h < 4 g; on h = 4 g (and h^2 - 8 g h + 16 > 0 there) tr^2 - 4 det = h^2 (g^2 - 1) < 0 for g < 1,
        a complex pair of modulus sqrt(det) = 1: the Neimark-Sacker curve h - 4 g = 0.
      det > -1 follows from p(1), p(-1) > 0 (real roots of product < -1 would put -1 or 1 between them).
    Stable at g = 1/2 iff h < 2 (the flip condition 16 - 4 h + h^2 > 0 always holds): h* = 2; at g = 2 iff h < 8 and
    h^2 - 16 h + 16 > 0, i.e. h < 8 - 4 sqrt(3).
    altgd (M above): tr = 2 - h g - h^2/4, det = 1 - h g; p(1) = h^2/4, p(-1) = 4 - 2 h g - h^2/4 (flip:
    h^2 + 8 g h - 16 = 0), det < 1 iff g > 0 (Neimark-Sacker: g = 0); h* = 4 sqrt(g^2 + 1) - 4 g.
    momentum (M above, B with the double eigenvalue -1/2): mu^2 - (1 + b - h/2) mu + b = 0; p(-1) = 2 + 2 b - h/2:
    flip on h - 4 b - 4 = 0, h* = 4 (1 + b).
    """
    page = (full_report[3] / "index.md").read_text()
    hand = {
        "simgd": {"flip": HH**2 - 8 * GG * HH + 16, "Neimark-Sacker": HH - 4 * GG},
        "altgd": {"flip": HH**2 + 8 * GG * HH - 16, "Neimark-Sacker": GG},
        "momentum": {"flip": HH - 4 * BB - 4},
    }
    star = {
        "simgd": lambda g: 4 * g if g <= 1 else 4 * g - 4 * sp.sqrt(g**2 - 1),
        "altgd": lambda g: 4 * sp.sqrt(g**2 + 1) - 4 * g,
        "momentum": lambda b: 4 * (1 + b),
    }
    for optimizer, curves in hand.items():
        block = _map_block(page, optimizer)
        stated = _map_boundary(block)
        assert set(stated) == set(curves), (optimizer, stated)
        for crossing, expr in curves.items():
            assert _same_curve(stated[crossing], expr), (optimizer, crossing, stated[crossing])
        ranges = _map_ranges(block)
        assert len(ranges) == 2, (optimizer, block)
        for at, (end, h_star) in ranges.items():
            assert sp.simplify(end - star[optimizer](at)) == 0 and sp.simplify(h_star - end) == 0, (optimizer, at)
            for step, stable in ((0.999, True), (1.001, False)):  # numpy's eigenvalues on either side of h*
                rho = np.abs(np.linalg.eigvals(HAND_MAPS[optimizer](step * float(h_star), float(at)))).max()
                assert (rho < 1) == stable, (optimizer, at, step, rho)
    simgd = _map_ranges(_map_block(page, "simgd"))
    assert simgd[sp.Rational(1, 2)] == (2, 2)  # by hand, above


def test_map_stable_share_matches_an_independent_eigenvalue_grid(full_report):
    """The stated stable share against numpy's eigenvalues of the hand-written M on a coarse grid of the same
    window: they may differ only by the points within one coarse grid step of the boundary (a neighbour with
    another verdict), plus the rounding of the stated percentage."""
    page = (full_report[3] / "index.md").read_text()
    for optimizer in HAND_MAPS:
        xs, ys, share = _map_window(_map_block(page, optimizer))
        v = _hand_verdicts(optimizer, xs, ys)
        near = np.zeros(v.shape, dtype=bool)
        near[:, 1:] |= v[:, 1:] != v[:, :-1]
        near[:, :-1] |= v[:, 1:] != v[:, :-1]
        near[1:, :] |= v[1:, :] != v[:-1, :]
        near[:-1, :] |= v[1:, :] != v[:-1, :]
        coarse = float(np.mean(v == 0))
        assert 0 < coarse < 1 and near.mean() < 0.1, (optimizer, coarse, near.mean())
        assert abs(share - coarse) <= near.mean() + 0.0005, (optimizer, share, coarse, near.mean())


def test_a_map_the_library_refuses_is_shown_not_raised(tmp_path):
    bad = MapFigure("bad", "A bad axis", (MapCase("nothing", "vanilla_ns", ("nope", 0, 1), ("r1", 0, 1), "simgd"),))
    results = run_maps([bad], stability_map=stability_map, resolution=20)
    assert results[0].map is None and results[0].refused.startswith("refused: "), results[0].refused
    assert "lr" in results[0].refused  # the valid axes are listed
    page = write_report([], tmp_path / "r", dpi=40, maps=results).read_text()
    assert "**nothing** (`simgd` on `vanilla_ns`, $n = 1$): refused: " in page
    assert (tmp_path / "r" / "bad.png").exists()
