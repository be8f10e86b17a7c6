"""The command line: exit codes, readable text, JSON, safe custom losses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sympy

from stability.cli import COMMANDS, main


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
        (["analyze", "--d-loss", "phi1*theta1", "--g-loss=-theta.phi", "--dim", "4096"], "dim must be at most 64"),
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


# -- issue 14: every subcommand, a battery of bad inputs: exit 2, one line on stderr, never a traceback ----------
def run_main(argv, capsys) -> tuple[int, str]:
    """``main(argv)`` in-process (argparse's own errors exit through SystemExit)."""
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    return code, capsys.readouterr().err


MAP = ["map", "wgan_gp", "--x", "lam=0.1:1", "--y", "c=0:1", "--resolution", "4"]
BIF = ["bifurcation", "wgan_gp", "--param", "lam=0.1:2", "--values", "4", "--no-simulate"]

BAD_INPUTS = [
    # (argv, a fragment the one-line message must contain)
    ([], "required: COMMAND"),
    (["nope"], "invalid choice: 'nope'"),
    (["list", "--bogus"], "unrecognized arguments: --bogus"),
    (["analyze", "vanila"], "unknown variant 'vanila'"),
    (["analyze", "vanilla_ns", "--dim", "x"], "argument --dim: invalid int value: 'x'"),
    (["analyze", "vanilla_ns", "--dim", "0"], "dim must be between 1"),
    (["analyze", "vanilla_ns", "--dim", "5000"], "dim must be between 1"),
    (["analyze", "wgan_gp", "--param", "lam=1e5000"], "--param lam=1e5000: value of lam has too many digits"),
    (["analyze", "wgan_gp", "--param", "lam=1e-3000"], "--param lam=1e-3000: value of lam has too many digits"),
    (["analyze", "wgan_gp", "--param", "lam=1e999999999"], "too many digits"),
    (["analyze", "wgan_gp", "--param", "lam=" + "1" * 5000], "too many digits"),
    (["analyze", "wgan_gp", "--param", "lam="], "value of lam is empty"),
    (["analyze", "wgan_gp", "--param", "=1"], "--param expects NAME=VALUE"),
    (["analyze", "wgan_gp", "--param", "lam=1", "--param", "lam=2"], "--param lam is given twice"),
    (["analyze", "wgan_gp", "--param", "zz=1"], "zz"),
    (["analyze", "wgan_gp", "--param", "lam=1/0"], "value of lam must be a number"),
    (["analyze", "wgan_gp", "--param", "lam=0x10"], "value of lam must be a number"),
    (["analyze", "--d-loss", "", "--g-loss", "x"], "--d-loss is empty"),
    (["analyze", "--d-loss", "   ", "--g-loss=-theta.phi"], "--d-loss is empty"),
    (["analyze", "--d-loss", "theta.phi"], "--g-loss is missing"),
    (["analyze", "--g-loss", "theta.phi"], "--d-loss is missing"),
    (["analyze", "--d-loss", "theta.phi", "--g-loss", "phi +"], "--g-loss 'phi +': invalid syntax"),
    (["analyze", "--d-loss", "phi", "--g-loss=-theta.phi"], "--d-loss 'phi': a loss must be a scalar"),
    (["analyze", "--d-loss", "theta.phi + x", "--g-loss=-theta.phi"], "unknown name 'x'"),
    (["analyze", "vanilla_ns", "--d-loss", "theta.phi"], "not both"),
    (["analyze", "vanilla_ns", "--reg", "l2=-1"], "l2"),
    (["analyze", "vanilla_ns", "--optimizer", "nope", "--lr", "0.1"], "nope"),
    (["analyze", "vanilla_ns", "--lr", "0.1"], "need --optimizer"),
    (["analyze", "vanilla_ns", "--optimizer", "simgd"], "needs --lr"),
    (["analyze", "vanilla_ns", "--optimizer", "simgd", "--lr", "0.1", "--opt", "beta"], "--opt expects NAME=VALUE"),
    (["verify", "vanilla_ns", "--seed", "-1"], "--seed -1: a seed must be a non-negative integer"),
    (["verify", "vanilla_ns", "--seed", "x"], "argument --seed: invalid int value: 'x'"),
    (["verify", "vanilla_ns", "--samples", "0"], "--samples 0: samples must be a positive integer"),
    (["verify", "vanilla_ns", "--samples", "-3"], "--samples -3"),
    (["verify", "vanilla_ns", "--samples", "100000000"], "--samples 100000000"),
    (["verify", "vanilla_ns", "--t-end", "0"], "--t-end 0: t_end must be a positive number"),
    (["verify", "vanilla_ns", "--t-end", "-1"], "--t-end -1"),
    (["verify", "vanilla_ns", "--t-end", "nan"], "--t-end nan"),
    (["verify", "vanilla_ns", "--t-end", "inf"], "--t-end inf"),
    (["verify", "wgan_gp", "--param", "lam=1e400"], "--param lam=1e400: a value larger than 1e+15"),
    (["verify", "wgan_gp", "--param", "c=0", "--param", "lam=1e100"], "double precision"),
    (["verify", "wgan_gp", "--param", "c=0", "--param", "lam=1e-20"], "--param lam=1e-20: a value smaller than"),
    (["verify", "vanilla_ns", "--reg", "l2=1e-30"], "--reg l2=1e-30"),
    (["verify", "wgan_gp", "--param", "lam=lam"], "--param lam (value lam) leaves symbolic lam"),
    (["verify", "vanilla_ns", "--reg", "l2"], "--reg l2 (value alpha) leaves symbolic alpha"),
    (["verify", "vanilla_ns", "--steps", "3"], "--steps needs --optimizer"),
    (["latex", "nope"], "unknown variant 'nope'"),
    (["latex", "vanilla_ns", "-o", ""], "-o needs a file name"),
    (["latex", "vanilla_ns", "-o", "DIR"], "-o DIR: is a directory"),
    (["latex", "vanilla_ns", "-o", "FILE/x.tex"], "FILE is a file, not a directory"),
    (["latex", "vanilla_ns", "-o", "missing/x.tex"], "the directory missing does not exist"),
    (["latex", "vanilla_ns", "-o", "/proc/stability-test.tex"], "-o /proc/stability-test.tex: cannot write it"),
    (["plot", "vanilla_ns", "-o", "DIR.png"], "-o DIR.png: is a directory"),
    (["plot", "vanilla_ns", "-o", "FILE/x.png"], "FILE is a file, not a directory"),
    (["plot", "vanilla_ns", "-o", "/proc/stability-test.png", "--t-end", "1"], "cannot write it"),
    (["plot", "vanilla_ns", "-o", ""], "must end in .png"),
    (["plot", "vanilla_ns", "-o", "x.bmp"], "-o x.bmp: the output file must end in .png, .pdf, .svg"),
    (["plot", "vanilla_ns", "--kind", "nope"], "--kind nope: unknown plot kind"),
    (["plot", "vanilla_ns", "--dpi", "0"], "--dpi 0"),
    (["plot", "vanilla_ns", "--dt", "0"], "--dt 0"),
    (["plot", "vanilla_ns", "--dt", "-1"], "--dt -1"),
    (["plot", "vanilla_ns", "--dt", "nan"], "--dt nan"),
    (["plot", "vanilla_ns", "--t-end", "0"], "--t-end 0"),
    (["plot", "vanilla_ns", "--t-end", "1e300"], "--t-end 1e+300"),
    (["plot", "vanilla_ns", "--t-end", "1.005"], "--t-end 1.005 is not a whole number of --dt 0.01 steps"),
    (["plot", "vanilla_ns", "--beta", "1"], "--beta 1"),
    (["plot", "vanilla_ns", "--beta", "nan"], "--beta nan"),
    (["plot", "vanilla_ns", "--x0", "1,2,x"], "--x0 1,2,x"),
    (["plot", "vanilla_ns", "--x0", "nan,1,1,1"], "--x0 nan,1,1,1: expects finite numbers"),
    (["plot", "vanilla_ns", "--x0", "1e400,0,0,0"], "expects finite numbers"),
    (["plot", "vanilla_ns", "--x0", "1,2"], "x0"),
    (["plot", "vanilla_ns", "--kind", "distance", "--compare", "nope"], "unknown variant 'nope'"),
    (["plot", "vanilla_ns", "--compare", "gan_qp"], "--compare overlays runs in --kind distance only"),
    (["plot", "vanilla_ns", "--animate", "-o", "x.png"], "must end in .gif with --animate"),
    (["plot", "vanilla_ns", "--animate", "--kind", "ema"], "--animate"),
    (["plot", "wgan_gp", "--param", "lam=1e400"], "--param lam=1e400"),
    (["plot", "vanilla_ns", "--kind", "phase"], "dim = 1"),
    (["plot", "wgan_gp", "--kind", "eigenvalues", "--param", "lam=lam"], "--param lam (value lam) leaves symbolic lam"),
    (["plot", "vanilla_ns", "--kind", "ema", "--t-end", "100000"], "--kind ema updates the weight EMA once per --dt"),
    (["report", "-o", "FILE"], "-o FILE: is a file"),
    (["report", "-o", "FILE/sub"], "FILE is a file, not a directory"),
    (["report", "-o", "BLOCKED"], "BLOCKED/derivations is a file"),
    (["report", "--dpi", "0"], "--dpi 0"),
    (["report", "-o", "/proc/stability-report"], "-o /proc/stability-report: cannot create the directory"),
    # map and bifurcation share plot's output checks and the exact number parser, bounded before any work
    (MAP + ["-o", "DIR.png"], "-o DIR.png: is a directory"),
    (MAP + ["-o", "FILE/x.png"], "FILE is a file, not a directory"),
    (MAP + ["-o", "missing/x.png"], "the directory missing does not exist"),
    (MAP + ["-o", "/proc/stability-test.png"], "-o /proc/stability-test.png: cannot write it"),
    (MAP + ["-o", "x.bmp"], "-o x.bmp: the output file must end in .png, .pdf, .svg"),
    (["map", "wgan_gp", "--x", "lam=0.1:1e400", "--y", "c=0:1"], "--x lam=0.1:1e400: a value larger than 1e+15"),
    (["map", "wgan_gp", "--x", "lam=1e-400:1", "--y", "c=0:1"], "--x lam=1e-400:1: a value smaller than 1e-15"),
    (["map", "wgan_gp", "--x", "lam=0.1:1e99999999", "--y", "c=0:1"], "--x lam=0.1:1e99999999: value of lam's HI"),
    (["map", "wgan_gp", "--x", "lam=0.1:1", "--y", "c=0:abc"], "--y c: LO and HI must be numbers"),
    (BIF + ["-o", "DIR.png"], "-o DIR.png: is a directory"),
    (BIF + ["-o", "FILE/x.png"], "FILE is a file, not a directory"),
    (BIF + ["-o", "/proc/stability-test.png"], "cannot write it"),
    (["bifurcation", "wgan_gp", "--param", "lam=0.1:1e400"], "--param lam=0.1:1e400: a value larger than 1e+15"),
    (["bifurcation", "wgan_gp", "--param", "lam=0.1:1e99999999"], "too many digits"),
    # a user's name that the analysis uses for its own symbols is refused, never merged (issue 14.2)
    (["analyze", "--d-loss=theta.phi + k*phi.phi", "--g-loss=-theta.phi", "--param", "k=k"], "uses internally"),
    (["analyze", "wgan_gp", "--param", "c=k"], "parameter c uses the symbol k, which the analysis uses internally"),
    (["analyze", "vanilla_ns", "--dim", "1", "--optimizer", "simgd", "--lr", "0.1", "--reg", "l2=z"], "symbol z"),
]


@pytest.fixture()
def workdir(tmp_path, monkeypatch):
    """A directory holding a directory DIR (and DIR.png), a file FILE, and BLOCKED/derivations as a file."""
    (tmp_path / "DIR").mkdir()
    (tmp_path / "DIR.png").mkdir()
    (tmp_path / "FILE").write_text("not a directory")
    (tmp_path / "BLOCKED").mkdir()
    (tmp_path / "BLOCKED" / "derivations").write_text("in the way")
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.mark.parametrize("argv, fragment", BAD_INPUTS, ids=[" ".join(a)[:60] for a, _ in BAD_INPUTS])
def test_bad_inputs_give_exit_2_and_one_line(argv, fragment, capsys, workdir):
    before = sorted(p.relative_to(workdir) for p in workdir.rglob("*"))
    code, err = run_main(argv, capsys)
    lines = err.strip().splitlines()
    assert code == 2, err
    assert len(lines) == 1, err
    assert "Traceback" not in err and " error: " in lines[0] and fragment in lines[0], err
    assert sorted(p.relative_to(workdir) for p in workdir.rglob("*")) == before  # nothing written, nothing deleted


@pytest.mark.parametrize("command", COMMANDS)
def test_every_subcommand_refuses_an_unknown_option_in_one_line(command, capsys):
    code, err = run_main([command, "--no-such-option"], capsys)  # (or first: its required arguments are missing)
    assert code == 2 and len(err.strip().splitlines()) == 1 and f"stability {command}: error: " in err


def test_no_traceback_from_the_console_script():
    """The same through ``python -m stability`` (a fresh interpreter, the real stderr)."""
    for argv in (["plot", "vanilla_ns", "-o", "/proc/x.png"], ["verify", "wgan_gp", "--param", "lam=1e400"]):
        res = run(*argv)
        assert res.returncode == 2 and "Traceback" not in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_an_internal_error_is_one_line_with_exit_1(capsys, monkeypatch):
    from stability.cli import analyze_cmd

    def boom(args):
        raise RuntimeError("an unexpected failure\nover two lines")

    monkeypatch.setattr(analyze_cmd, "analysis_from_args", boom)
    code, err = run_main(["analyze", "vanilla_ns"], capsys)
    assert code == 1 and err.count("\n") == 1 and "internal error: RuntimeError: an unexpected failure over" in err


# -- huge and tiny numbers: exact where exact, refused where double precision cannot carry them ----------------
def test_a_huge_parameter_keeps_its_exact_answer(capsys):
    # WGAN-GP c = 0: block [[-2 lam, -1], [1, 0]], so lambda^2 + 2 lam lambda + 1 = 0: lambda = -lam +- sqrt(lam^2 - 1)
    assert main(["analyze", "wgan_gp", "--param", "c=0", "--param", "lam=1e400", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    lam = sympy.Integer(10) ** 400
    found = sorted((sympy.sympify(e["value"]) for e in data["eigenvalues"]), key=lambda v: sympy.N(v, 900))
    expected = [-lam - sympy.sqrt(lam**2 - 1), -lam + sympy.sqrt(lam**2 - 1)]
    assert all(sympy.simplify(f - e) == 0 for f, e in zip(found, expected))
    assert data["classification"] == "stable" and data["detail"] == "node"


def test_a_huge_parameter_is_refused_by_the_numerics_with_the_option(capsys):
    for command in ("verify", "plot"):
        code, err = run_main([command, "wgan_gp", "--param", "c=0", "--param", "lam=1e400"], capsys)
        assert code == 2 and "--param lam=1e400" in err and "stability analyze" in err


# -- output files: checked before the work, overwritten on purpose (and said so), never deleted if not ours --------
def test_latex_and_plot_say_they_overwrite(capsys):
    for command in ("latex", "plot", "report", "map", "bifurcation"):
        with pytest.raises(SystemExit):
            main([command, "--help"])
        assert "overwritten" in " ".join(capsys.readouterr().out.split())


def test_latex_overwrites_an_existing_file(tmp_path):
    out = tmp_path / "a.tex"
    out.write_text("old")
    assert main(["latex", "vanilla_ns", "--fragment", "--no-nonlinear", "-o", str(out)]) == 0
    assert out.read_text() != "old" and "\\begin{align*}" in out.read_text()


def test_a_failed_write_removes_only_what_it_created(tmp_path):
    from stability.cli._inputs import write_file
    from stability.errors import InvalidParameterError as Invalid

    def partial(path):
        path.write_text("half")
        raise OSError(28, "No space left on device")

    new, old = tmp_path / "new.png", tmp_path / "old.png"
    old.write_text("the user's file")
    with pytest.raises(Invalid, match="new.png: cannot write it \\(No space left on device\\)"):
        write_file(new, partial)
    assert not new.exists()  # the tool created it: removed
    with pytest.raises(Invalid):
        write_file(old, partial)
    assert old.exists()  # the user's file is never deleted (it holds what the failed write left)


def test_map_and_bifurcation_overwrite_an_existing_figure(tmp_path, capsys):
    for argv in (MAP, BIF):
        out = tmp_path / f"{argv[0]}.png"
        out.write_text("old")
        assert main([*argv, "-o", str(out)]) == 0
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"  # the PNG signature replaced the old text


def test_a_failed_report_removes_only_the_empty_directories_it_made(tmp_path, capsys, monkeypatch):
    import stability.report

    def fail(out, **options):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(stability.report, "build_report", fail)
    code, err = run_main(["report", "-o", str(tmp_path / "new" / "deeper")], capsys)
    assert code == 2 and "No space left on device" in err
    assert list(tmp_path.iterdir()) == []  # both directories it created are gone
    kept = tmp_path / "mine"
    kept.mkdir()
    code, _ = run_main(["report", "-o", str(kept)], capsys)
    assert code == 2 and kept.is_dir()  # the user's (empty) directory is never removed
