"""The discrete-time front door: analyze(optimizer=, lr=), verify/simulate dispatch, CLI and JSON."""

from __future__ import annotations

import json

import numpy as np
import pytest
import sympy as sp

from stability import InvalidParameterError, analyze, optimizers
from stability.cli import main
from stability.verdicts import Crossing

H = sp.Symbol("h", positive=True)
HALF = sp.Rational(1, 2)


def test_the_issue_example_simultaneous_gd():
    # vanilla_ns, n = 1: J = [[0, -1/2], [1/2, 0]] (sigmoid(0) = 1/2); simgd M = I + h J at h = 1/5.
    a = analyze("vanilla_ns", dim=1, optimizer="simgd", lr=0.2)
    assert a.time_domain == "discrete"
    assert a.jacobian == sp.eye(2) + sp.Rational(1, 5) * sp.Matrix([[0, -HALF], [HALF, 0]])
    assert a.eigenvalues == {1 - sp.I / 10: 1, 1 + sp.I / 10: 1}
    assert a.spectral_radius == sp.sqrt(101) / 10 and a.radius_exact
    assert a.classification == "unstable"


def test_alternating_gd_is_neutral_below_the_flip_threshold():
    # altgd: phi+ = phi - h theta/2; theta+ = theta + h phi+/2  =>  M = [[1, -h/2], [h/2, 1 - h^2/4]],
    # det M = 1, trace 2 - h^2/4: on the unit circle while |trace| <= 2 (h <= 4), a root below -1 after (flip).
    b = analyze("vanilla_ns", optimizer="altgd", lr=H)
    assert b.block == sp.Matrix([[1, -H / 2], [H / 2, 1 - H**2 / 4]])
    assert b.conditions["neutral"].subs(H, 3) is sp.true and b.conditions["neutral"].subs(H, 4) is sp.true
    assert b.conditions["unstable"].subs(H, 5) is sp.true and b.conditions["unstable"].subs(H, 3) is sp.false
    assert [(x.value, x.crossing) for x in b.boundaries] == [(4, Crossing.FLIP)]
    assert b.max_stable_lr is None  # never stable


def test_negative_momentum_alternating_converges_and_verify_measures_rho():
    c = analyze(
        "wgan_gp",
        params={"c": 0},
        optimizer=optimizers.momentum(beta=-0.5, alternating=True),
        lr={"d": 0.1, "g": 0.05},
    )
    rho = max(abs(np.linalg.eigvals(np.array(c.jacobian, dtype=float))))
    assert c.classification == "stable" and abs(float(c.spectral_radius) - rho) < 1e-12
    v = c.verify(samples=3)
    assert v.agrees is True and abs(v.contraction - rho) < 1e-3


def test_simulate_iterates_and_nonlinear_is_for_flows():
    a = analyze("wgan_gp", params={"c": 0}, optimizer="simgd", lr=0.1)
    it = a.simulate(2, 50)
    assert np.asarray(it.phi).shape[0] == 2
    with pytest.raises(InvalidParameterError, match="gradient flow"):
        a.nonlinear  # noqa: B018


def test_gradient_flow_is_unchanged_without_an_optimizer():
    a = analyze("vanilla_ns")
    assert a.time_domain == "continuous" and a.optimizer is None and a.spectral_radius is None
    assert a.classification == "center"


def test_cli_analyze_and_json(capsys):
    assert main(["analyze", "vanilla_ns", "--optimizer", "altgd", "--lr", "0.2"]) == 0
    assert "neutral" in capsys.readouterr().out
    args = ["analyze", "wgan_gp", "--param", "c=0", "--optimizer", "momentum", "--opt", "beta=-0.5"]
    assert main([*args, "--opt", "alternating=true", "--lr", "0.1", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["time_domain"] == "discrete" and out["optimizer"]["name"] == "momentum"
    assert float(out["spectral_radius"]) < 1 and out["classification"] == "stable"


@pytest.mark.parametrize(
    "argv, message",
    [
        (["analyze", "vanilla_ns", "--optimizer", "sgdx", "--lr", "0.1"], "valid: simgd"),
        (["analyze", "vanilla_ns", "--optimizer", "momentum", "--opt", "beta=2", "--lr", "0.1"], "beta"),
        (["analyze", "vanilla_ns", "--optimizer", "simgd"], "needs --lr"),
        (["analyze", "vanilla_ns", "--lr", "0.1"], "need --optimizer"),
        (["analyze", "vanilla_ns", "--optimizer", "simgd", "--lr", "-1"], "lr"),
        (["verify", "vanilla_ns", "--optimizer", "simgd", "--lr", "0.1", "--t-end", "5"], "--steps"),
    ],
)
def test_cli_bad_training_options_exit_2(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1
