"""The command line: exit codes, readable text, JSON, safe custom losses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from stability.cli import main


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "stability", *args], capture_output=True, text=True, timeout=120)


def test_python_dash_m_and_list():
    res = run("list")
    assert res.returncode == 0
    for name in ("vanilla_ns", "vanilla_sat", "wgan", "wgan_gp", "gan_qp", "l2"):
        assert name in res.stdout
    assert "eqs. (13)-(16)" in res.stdout and "lam = 1/10" in res.stdout


def test_analyze_text(capsys):
    assert main(["analyze", "vanilla_ns"]) == 0
    out = capsys.readouterr().out
    assert "classification: center" in out and "inconclusive" in out
    assert "phi'   = -theta*sigmoid(theta.phi)" in out


def test_analyze_json_with_params(capsys):
    assert main(["analyze", "wgan_gp", "--param", "c=0", "--param", "lam=0.1", "--dim", "3", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["dim"] == 3 and data["params"] == {"lam": "1/10", "c": "0"}
    assert data["classification"] == "stable" and data["detail"] == "focus"
    # block [[-2 lam, -1], [1, 0]] with lam = 1/10: lambda = -1/10 +- i sqrt(99)/10, multiplicity 3
    assert sorted(e["multiplicity"] for e in data["eigenvalues"]) == [3, 3]
    assert {e["real"] for e in data["eigenvalues"]} == {"-1/10"}


def test_analyze_symbolic_parameter(capsys):
    assert main(["analyze", "wgan_gp", "--param", "c=0", "--param", "lam=lam"]) == 0
    out = capsys.readouterr().out
    assert "focus when (lam > 0) & (lam < 1)" in out


def test_analyze_regularizer(capsys):
    assert main(["analyze", "gan_qp", "--reg", "l2=1/10", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["classification"] == "stable"


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["analyze", "vanila"],
            "unknown variant 'vanila' (did you mean 'vanilla_ns'?); valid: vanilla_ns, vanilla_sat, wgan, wgan_gp",
        ),
        (["analyze", "wgan_gp", "--param", "lam=-1"], "lam must be > 0; got -1"),
        (["analyze", "wgan_gp", "--param", "lam"], "--param expects NAME=VALUE"),
        (["analyze", "wgan_gp", "--param", "lam=abc+1"], "value of lam must be a number"),
        (["analyze", "wgan_gp", "--dim", "0"], "dim must be between 1"),
        (["analyze", "vanilla_ns", "--reg", "l9=1"], "unknown regularizer 'l9'; valid: l2"),
        (["analyze"], "give a variant NAME"),
        (["analyze", "gan_qp", "--param", "lam=nan"], "value of lam must be a finite real number"),
        (["analyze", "vanilla_ns", "--reg", "l2=inf"], "value of l2 must be a finite real number"),
        (["analyze", "--d-loss", "theta.phi", "--g-loss=-theta.phi", "--dim", "4096"], "dim must be at most 64"),
        (["verify", "wgan", "--t-end", "1e300"], "t_end must be a positive number up to"),
    ],
)
def test_bad_input_exits_2_with_one_line(args, message):
    res = run(*args)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], res.stderr


def test_custom_losses_from_strings(capsys):
    assert (
        main(
            [
                "analyze",
                "--d-loss",
                "theta.phi + a*dot(phi, phi)",
                "--g-loss=-theta.phi",
                "--param",
                "a=1/2",
                "--dim",
                "2",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    # phi' = -theta - phi, theta' = phi: block [[-1, -1], [1, 0]], lambda = -1/2 +- i sqrt(3)/2
    assert "classification: stable (focus)" in out


def test_custom_losses_never_execute_code(tmp_path):
    marker = tmp_path / "pwned"
    res = run("analyze", "--d-loss", f"__import__('os').system('touch {marker}')", "--g-loss=-theta.phi")
    assert res.returncode == 2 and not marker.exists()
    assert len(res.stderr.strip().splitlines()) == 1
