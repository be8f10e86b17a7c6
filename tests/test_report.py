"""``stability report`` end to end, and the report's pieces on a small case list."""

from __future__ import annotations

import re

import matplotlib.image as mpimg

from stability import analyze
from stability.cli import main
from stability.model.post import EMA_BETA, POST_T_END, POST_X0, post_initial_state
from stability.model.variants import VARIANTS
from stability.plotting import POST_T_END as PLOTTING_T_END
from stability.plotting import post_experiment
from stability.plotting import post_initial_state as plotting_initial_state
from stability.render.report import Case, post_cases, run_cases, write_report


def test_report_end_to_end(tmp_path, capfd):
    """The README's main command, on a temporary directory (one full run: about 20 s)."""
    report = tmp_path / "report"
    assert main(["report", "-o", str(report)]) == 0
    captured = capfd.readouterr()
    assert captured.out.strip() == str(report / "index.md")
    progress = captured.err.splitlines()
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
