"""Numerical confirmation of a nonlinear verdict: each prediction measured on integrated trajectories.

What is measured depends on what was proved:

* exponential convergence: the fitted rate of ``log |z|`` against the predicted rate;
* sub-exponential convergence: the exponent p of ``|z| ~ (t + t0)^(-p)`` (fitted with t0 free)
  against the predicted p;
* a conserved quantity: its relative drift;
* a family or an isolated attracting rotation: the final ``theta.phi``, ``|phi|``, ``|theta|``
  against the orbit's equations, the final radius, and the angular frequency (the slope of
  the unwrapped angle of phi in its plane with theta) against the predicted one;
* instability: trajectories started at the certificate's witness states, 1e-3 from the
  origin, leave a ball 10 times larger.

>>> from stability import analyze
>>> c = analyze("vanilla_sat", dim=1).nonlinear.confirm(t_end=20.0)
>>> c.ok, c.checks[0].name
(True, 'conserved |phi|**2 + |theta|**2')
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import sympy as sp

from ..errors import InvalidParameterError
from ..theory.lyapunov import R, S, U
from .field import invariants, numeric_function
from .inputs import check_seed
from .measure import FLOOR, exponential_rate, fit_power_law, measure_frequency, relative_drift
from .records import Record

_TOL = {"rtol": 1e-7, "atol": 1e-10}

__all__ = ["Check", "Confirmation", "confirm", "fit_power_law", "measure_frequency"]


@dataclass(frozen=True, eq=False, slots=True)
class Check(Record):
    """One prediction against its measurement."""

    name: str
    predicted: float | None
    measured: float
    ok: bool
    detail: str = ""

    def __str__(self) -> str:
        pred = "" if self.predicted is None else f"predicted {self.predicted:.6g}, "
        return f"{'ok  ' if self.ok else 'FAIL'} {self.name}: {pred}measured {self.measured:.6g}  {self.detail}"


@dataclass(frozen=True, eq=False, slots=True)
class Confirmation(Record):
    """The checks run for one :class:`~stability.theory.nonlinear.NonlinearVerdict`."""

    verdict: str
    dim: int
    checks: tuple[Check, ...]
    note: str = ""

    @property
    def ok(self) -> bool | None:
        """True if every check passed, None if nothing could be checked."""
        return None if not self.checks else all(c.ok for c in self.checks)

    def summary(self) -> str:
        head = (
            f"numerical confirmation of '{self.verdict}' (n = {self.dim}): "
            + {
                True: "confirmed",
                False: "NOT confirmed",
                None: "nothing to check",
            }[self.ok]
        )
        return "\n".join([head] + [f"  {c}" for c in self.checks] + ([f"  {self.note}"] if self.note else []))

    __str__ = summary

    def to_dict(self) -> dict:
        return {
            "verdict": self.verdict,
            "dim": self.dim,
            "ok": self.ok,
            "checks": [asdict(c) for c in self.checks],
            "note": self.note,
        }


# --------------------------------------------------------------------------- measurements
# (the routines themselves live in stability.numerics.measure, shared with verify)


def _rel(pred: float, meas: float) -> float:
    return abs(meas - pred) / max(abs(pred), 1e-300)


# --------------------------------------------------------------------------- the checks
def _witness_states(nl, eps: float, rng) -> np.ndarray:
    """Chetaev's escaping starts (its ``starts`` directions) at distance ``eps``; random states without them."""
    che = nl.chetaev
    if che is not None and che.starts:
        return eps * np.array(che.states(nl.dim), dtype=float)
    x = rng.standard_normal((3, 2 * nl.dim))
    return eps * x / np.linalg.norm(x, axis=1, keepdims=True)


def _states(n: int, samples: int, seed: int, radius: float) -> np.ndarray:
    """Random states with |phi| = |theta| = radius/sqrt(2) in random directions (away from the singular sets)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((samples, 2, n))
    x /= np.linalg.norm(x, axis=2, keepdims=True)
    x *= radius / np.sqrt(2) * rng.uniform(0.5, 1.0, (samples, 2, 1))
    return x.reshape(samples, 2 * n)


def _exponential(nl, a, samples, seed, t_end):
    rate = float(nl.decay_rate)
    t_end = t_end or float(min(max(round(16.0 / rate), 40), 400))
    tr = a.simulate(_states(a.dim, samples, seed, 0.5), t_end, dt=t_end / 2000, store=False, warn=False, **_TOL)
    z, t = tr.norm, tr.summary_times
    ratio = float(np.max(z[:, -1] / z[:, 0]))
    checks = [Check("converges: max |z(T)|/|z(0)|", None, ratio, ratio < 1e-3, f"T = {t_end:g}")]
    late = t > t_end / 4
    rates = [exponential_rate(t[late], z[k][late]) for k in range(z.shape[0]) if (z[k][late] > FLOOR).sum() > 10]
    meas = float(np.median(rates))
    checks.append(Check("exponential rate of |z|", rate, meas, _rel(rate, meas) < 0.15, "log-linear fit"))
    return checks


def _power(nl, a, samples, seed, t_end):
    p = float(nl.decay_exponent)
    t_end = t_end or 1000.0
    tr = a.simulate(_states(a.dim, samples, seed, 0.5), t_end, dt=0.5, store=False, warn=False, **_TOL)
    z, t = tr.norm, tr.summary_times
    checks = []
    ratio = float(np.max(z[:, -1] / z[:, 0]))
    checks.append(Check("decays: max |z(T)|/|z(0)|", None, ratio, ratio < 0.5, f"T = {t_end:g}"))
    fits = [fit_power_law(t[t > t_end / 20], z[k][t > t_end / 20]) for k in range(z.shape[0])]
    meas = float(np.median([f[0] for f in fits]))
    checks.append(
        Check("power-law exponent p of |z| ~ (t+t0)^-p", p, meas, _rel(p, meas) < 0.15, "sub-exponential: fit t0, p")
    )
    second = t > t_end / 2
    late = float(np.median([exponential_rate(t[second], z[k][second]) for k in range(z.shape[0])]))
    checks.append(
        Check("no exponential decay: late log-linear rate", None, late, late < 0.01, "rate of an exp fit, last half")
    )
    return checks


def _conserved(nl, a, q, samples, seed, t_end):
    t_end = t_end or 50.0
    tr = a.simulate(_states(a.dim, samples, seed, 0.5), t_end, dt=t_end / 1000, warn=False, **_TOL)
    drift = relative_drift(numeric_function(q, a)(tr.states))
    return [Check(f"conserved {q}", 0.0, drift, drift < 1e-5, f"max relative drift over T = {t_end:g}")]


def _orbit(nl, a, orbit, samples, seed, t_end):
    t_end = t_end or 300.0
    dt = 0.05
    tr = a.simulate(_states(a.dim, samples, seed, 1.5), t_end, dt=dt, warn=False, **_TOL)
    n = a.dim
    tail = tr.times >= 0.8 * t_end
    checks = []
    r, s, u = invariants(tr.states[:, -1], n)
    for k in range(tr.samples):
        values = {R: sp.Float(r[k]), S: sp.Float(s[k]), U: sp.Float(u[k])}
        for lhs, rhs in orbit.conditions.items():
            lv = float(lhs.xreplace(values)) if lhs.free_symbols else float(lhs)
            rv = float(sp.sympify(rhs).xreplace(values).evalf())
            scale = r[k] * s[k] if lhs == U else max(r[k], s[k])
            err = abs(lv - rv) / scale
            checks.append(Check(f"trajectory {k}: {lhs} = {rhs}", rv, lv, err < 2e-3, f"relative residual {err:.1e}"))
        if orbit.kind == "isolated":
            pred = float(orbit.radius_phi)
            checks.append(Check(f"trajectory {k}: radius |phi|", pred, float(r[k]), _rel(pred, r[k]) < 2e-3))
        else:
            z0 = float(np.linalg.norm(tr.x0[k]))
            zf = float(np.hypot(r[k], s[k]))
            checks.append(Check(f"trajectory {k}: stays away from 0, |z(T)|/|z(0)|", None, zf / z0, zf / z0 > 0.05))
        freq = float(sp.sympify(orbit.frequency).xreplace({R: sp.Float(r[k]), S: sp.Float(s[k])}))
        meas = measure_frequency(tr.times[tail], tr.phi[k][tail], tr.theta[k][tail])
        checks.append(
            Check(f"trajectory {k}: angular frequency (|phi| = {r[k]:.4g})", freq, meas, _rel(freq, meas) < 1e-2)
        )
    return checks


def _escape(nl, a, seed, t_end):
    repeller = nl.method == "lasalle"  # dV/dt >= 0: growth can be slow (power law), start farther out
    eps = 0.3 if repeller else 1e-3
    t_end = t_end or 50.0
    rng = np.random.default_rng(seed)
    x0 = _states(a.dim, 3, seed, eps) if repeller else _witness_states(nl, eps, rng)
    tr = a.simulate(x0, t_end, dt=t_end / 1000, store=False, warn=False, **_TOL)
    growth = tr.max_norm / np.linalg.norm(x0, axis=1)
    growth = np.where(tr.ok, growth, np.inf)  # stopped by overflow: escaped
    g = float(np.min(growth))
    need = 3.0 if repeller else 10.0
    what = "random states" if repeller else (nl.witness or "random states")
    return [Check("escapes: min over starts of max|z|/|z(0)|", None, g, g > need, f"from {what}, |z0| ~ {eps:g}")]


def confirm(nl, *, samples: int = 3, seed: int = 0, t_end: float | None = None) -> Confirmation:
    """Run the numerical checks that correspond to ``nl``'s certificate.

    Args:
        nl: a :class:`~stability.theory.nonlinear.NonlinearVerdict` (``analysis.nonlinear``).
        samples: random initial states per check.
        seed: seed of the random initial states.
        t_end: integration time (default: chosen per check, long enough for the prediction).
    """
    seed = check_seed(seed)
    a = nl.analysis
    if a is None:
        raise InvalidParameterError("this verdict carries no analysis to simulate")
    free = [k for k, v in list(a.params.items()) + list(a.regularizers.items()) if not sp.sympify(v).is_number]
    if free:
        raise InvalidParameterError(f"give numeric values to {', '.join(free)} to confirm numerically")
    checks: list[Check] = []
    note = ""
    if nl.verdict == "asymptotically-stable":
        if nl.convergence == "exponential" and nl.decay_rate is not None:
            checks += _exponential(nl, a, samples, seed, t_end)
        elif nl.convergence == "sub-exponential" and nl.decay_exponent is not None:
            checks += _power(nl, a, samples, seed, t_end)
    elif nl.verdict == "stable":
        for q in nl.conserved:
            checks += _conserved(nl, a, q, samples, seed, None)
        for orbit in nl.orbits:
            if orbit.stability == "attracting" and a.dim >= 2:
                checks += _orbit(nl, a, orbit, samples, seed, t_end)
    elif nl.verdict == "unstable":
        checks += _escape(nl, a, seed, None)
        for q in nl.conserved:
            checks += _conserved(nl, a, q, samples, seed, None)
        for orbit in nl.orbits:
            if orbit.stability == "attracting" and orbit.kind == "isolated" and a.dim >= 2:
                checks += _orbit(nl, a, orbit, samples, seed, t_end)
    else:
        note = "the verdict is undecided: nothing to confirm (see Analysis.verify for the numerics alone)"
    return Confirmation(nl.verdict, a.dim, tuple(checks), note)
