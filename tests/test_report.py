"""``stability report`` end to end, and the report's pieces on a small case list."""

from __future__ import annotations

import re

import matplotlib.image as mpimg

from stability.cli import main
from stability.model.variants import VARIANTS
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
    assert names == set(VARIANTS)  # every built-in variant is in the comparison
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


def test_report_pieces_on_two_short_cases(tmp_path):
    quick = {"samples": 2, "t_end": 20.0}
    cases = [Case("a", "Vanilla", "vanilla_ns", 2.0, verify=quick), Case("b", "GAN-QP", "gan_qp", 2.0, verify=quick)]
    messages = []
    results = run_cases(cases, dt=0.05, progress=messages.append)
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
