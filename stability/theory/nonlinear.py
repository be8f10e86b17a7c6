"""The nonlinear verdict: stability of phi = theta = 0 decided by proof, or "undecided".

Where the linearisation is a centre, non-hyperbolic, or missing, the verdict comes from a
certificate, searched in this order:

1. the linearisation itself when decisive (Lyapunov's indirect method, Hartman-Grobman);
2. Lyapunov candidates (the energy ``|phi|^2 + |theta|^2``, the weighted energy whose linear
   cross terms cancel, the solution of the Lyapunov equation of the 2x2 block): dV/dt is
   computed exactly and its sign *proved* (:mod:`stability.theory.signs`); ``dV/dt = 0``
   identically is a conserved quantity; ``dV/dt <= 0`` is followed by LaSalle's largest
   invariant set in ``{dV/dt = 0}`` (:mod:`stability.theory.lyapunov`);
3. Chetaev functions for instability;
4. the link between dimensions: the dimension-1 dynamics is the restriction of the
   n-dimensional one to collinear states, an invariant subspace (unstable in dim 1 =>
   unstable in every dim; asymptotically stable for n >= 2 => in dim 1).

Periodic rotations (``|phi|``, ``|theta|``, ``theta.phi`` constant) are found exactly
(:mod:`stability.theory.orbits`). Nothing is sampled: what cannot be proved is "undecided".

>>> from stability import analyze
>>> nl = analyze("vanilla_ns", dim=2).nonlinear
>>> nl.verdict, nl.by_dim["n = 1"], nl.orbits[0].frequency
('stable', 'asymptotically-stable', 1/2)
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

import sympy as sp

from ..errors import StabilityError
from ..timeout import TimeLimitExceeded, call_with_time_limit
from .lyapunov import (
    Chetaev,
    InvariantSet,
    InvariantSystem,
    R,
    S,
    U,
    Undecided,
    candidates,
    chetaev,
    component_system,
    invariant_system,
    largest_invariant_set,
    leading_order,
)
from .orbits import PeriodicOrbit, rotation_orbits
from .signs import Sign, prove_sign

__all__ = ["NonlinearVerdict", "analyze_nonlinear", "zero_dnf", "NONLINEAR_VERDICTS"]

NONLINEAR_VERDICTS = ("asymptotically-stable", "stable", "unstable", "undecided")
DIM1, DIMN = "n = 1", "n >= 2"
_R0, _S0 = sp.Symbol("|phi|", nonnegative=True), sp.Symbol("|theta|", nonnegative=True)


@dataclass(frozen=True, eq=False)
class NonlinearVerdict:
    """The nonlinear stability of the origin, with the certificate that proves it.

    Attributes:
        verdict: "asymptotically-stable", "stable" (Lyapunov-stable, not asymptotically),
            "unstable", or "undecided".
        dim: the dimension n of the analysis this verdict is for.
        method: "linearization", "lasalle", "conserved", "chetaev", "dimension", "cases" or "none".
        reason: the argument in plain English.
        V, dV: the Lyapunov (or Chetaev) function and its derivative along the field, in
            ``|phi|``, ``|theta|``, ``theta.phi`` (components for non-invariant fields).
        proof: the steps of the sign proof of dV/dt.
        invariant_set: LaSalle's largest invariant set in ``{dV/dt = 0}``, as text.
        conserved: quantities with time derivative identically 0.
        orbits: periodic rotations (n >= 2), with radius, frequency and stability.
        convergence: "exponential", "sub-exponential" or None (not asymptotically stable or unknown).
        decay_rate: the exponential rate (``|z| ~ exp(-rate t)``) where exponential.
        decay_exponent: p in ``|z| ~ t^(-p)`` predicted for sub-exponential convergence
            (averaging dV/dt's leading term over the linear rotation).
        witness: for instability, initial states near the origin that escape.
        lyapunov_stable: True if Lyapunov stability is proved even when the verdict is undecided.
        by_dim: the verdict in dimension 1 and in dimension n >= 2.
        dim_note: when (and why) the verdict differs between n = 1 and n >= 2.
        conditions: for symbolic parameters, the condition under which each verdict holds.
        linear: the linearisation's classification.
        sign, invariant, chetaev: the structured certificate (proved sign of dV/dt, LaSalle's
            set, Chetaev data) behind the text, used for the LaTeX proof.
    """

    verdict: str
    dim: int
    method: str
    reason: str
    V: sp.Expr | None = None
    dV: sp.Expr | None = None  # noqa: N815 - the usual name
    proof: tuple[str, ...] = ()
    invariant_set: str | None = None
    conserved: tuple[sp.Expr, ...] = ()
    orbits: tuple[PeriodicOrbit, ...] = ()
    convergence: str | None = None
    decay_rate: sp.Expr | None = None
    decay_exponent: sp.Expr | None = None
    witness: str | None = None
    lyapunov_stable: bool | None = None
    by_dim: Mapping[str, str] = field(default_factory=dict)
    dim_note: str = ""
    conditions: Mapping[str, sp.Basic] = field(default_factory=dict)
    linear: str = ""
    sign: Sign | None = field(default=None, repr=False)
    invariant: InvariantSet | None = field(default=None, repr=False)
    chetaev: Chetaev | None = field(default=None, repr=False)
    analysis: Any = field(default=None, repr=False)

    def to_dict(self) -> dict:
        """A JSON-serialisable form (SymPy objects as strings)."""

        def s(x):
            return None if x is None else str(x)

        return {
            "verdict": self.verdict,
            "dim": self.dim,
            "method": self.method,
            "reason": self.reason,
            "V": s(self.V),
            "dV": s(self.dV),
            "proof": list(self.proof),
            "invariant_set": self.invariant_set,
            "conserved": [str(c) for c in self.conserved],
            "orbits": [o.to_dict() for o in self.orbits],
            "convergence": self.convergence,
            "decay_rate": s(self.decay_rate),
            "decay_exponent": s(self.decay_exponent),
            "witness": self.witness,
            "lyapunov_stable": self.lyapunov_stable,
            "by_dim": dict(self.by_dim),
            "dim_note": self.dim_note,
            "conditions": {k: str(v) for k, v in self.conditions.items()},
            "linear": self.linear,
        }

    def summary(self) -> str:
        """Readable multi-line text (the ``stability analyze --nonlinear`` section)."""
        lines = [f"nonlinear verdict (n = {self.dim}): {self.verdict}  [{self.method}]"]
        if self.V is not None:
            lines.append(f"  V      = {self.V}")
            lines.append(f"  dV/dt  = {self.dV}")
        lines += [wrap(step, "    ") for step in self.proof]
        if self.invariant_set:
            lines.append(wrap(f"largest invariant set in {{dV/dt = 0}}: {self.invariant_set}"))
        if self.conserved:
            lines.append("  conserved: " + ", ".join(map(str, self.conserved)))
        for o in self.orbits:
            lines.append(wrap("orbit: " + o.describe()))
        if self.convergence:
            rate = self.decay_rate if self.convergence == "exponential" else self.decay_exponent
            what = "rate" if self.convergence == "exponential" else "|z| ~ t^(-p), p ="
            lines.append(f"  convergence: {self.convergence}" + (f" ({what} {rate})" if rate is not None else ""))
        if self.witness:
            lines.append(f"  escaping initial states: {self.witness}")
        for k, v in self.conditions.items():
            lines.append(f"    {k} when {v}")
        lines.append("  by dimension: " + ", ".join(f"{k}: {v}" for k, v in self.by_dim.items()))
        lines.append(wrap(self.reason))
        if self.dim_note:
            lines.append(wrap("dimension: " + self.dim_note))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def __repr__(self) -> str:
        dims = ", ".join(f"{k}: {v}" for k, v in self.by_dim.items())
        cert = f", V={self.V}" if self.V is not None else ""
        return f"NonlinearVerdict({self.verdict!r}, dim={self.dim}, method={self.method!r}{cert}; {dims})"

    def to_latex(self) -> str:
        """A short proof in LaTeX (amsmath only): V, dV/dt, the argument, the conclusion."""
        from ..render.proof import latex_proof

        return latex_proof(self)

    latex_proof = to_latex

    def confirm(self, **options):
        """Check this verdict numerically; see :func:`stability.numerics.confirm.confirm`."""
        from ..numerics.confirm import confirm

        return confirm(self, **options)


# --------------------------------------------------------------------------- helpers
def wrap(text: str, indent: str = "  ") -> str:
    return textwrap.fill(text, width=100, initial_indent=indent, subsequent_indent=indent)


def zero_dnf(dv: sp.Expr) -> tuple[tuple[sp.Expr, ...], ...] | None:
    """Where ``dv`` vanishes, norms allowed to be 0: a disjunction of conjunctions of ``e = 0``."""
    if dv.free_symbols & {R, S, U}:
        sign = prove_sign(dv.xreplace({R: _R0, S: _S0}), (_R0, _S0, U))
        back = {_R0: R, _S0: S}
    else:
        sign, back = prove_sign(dv), {}
    if sign is None:
        return None
    return tuple(tuple(e.xreplace(back) for e in conj) for conj in sign.zeros)


def _zero_text(system, dv: sp.Expr) -> str:
    """Where dV/dt vanishes, in words."""
    zeros = zero_dnf(dv)
    if zeros is None or zeros == ((),):
        return "everywhere"
    if zeros == ():
        return "nowhere"

    def eq(e):
        if e in (R, R**2):
            return "phi = 0"
        if e in (S, S**2):
            return "theta = 0"
        return f"{e} = 0"

    return " or ".join(" and ".join(eq(e) for e in conj) for conj in zeros)


def _set_text(inv: InvariantSet) -> str:
    if inv.only_origin:
        return "the origin alone"
    return " or ".join("{" + ", ".join(f"{k} = {v}" for k, v in p.items()) + "}" for p in inv.pieces)


def _conserved(system) -> tuple[sp.Expr, ...]:
    if not isinstance(system, InvariantSystem):
        return ()
    return tuple(q for q in (R**2, S**2, U, R**2 + S**2) if system.lie(q) == 0)


def _decay(a, system, dv) -> tuple[str | None, sp.Expr | None, sp.Expr | None]:
    """(convergence, exponential rate, power-law exponent) for an asymptotically stable origin."""
    if a.classification == "stable" and a.spectrum is not None:
        reals = [p.real for p in a.spectrum.parts]
        rate = -sp.Max(*reals) if all(x.is_number for x in reals) else None  # symbolic: left to the spectrum
        return "exponential", rate, None
    if a.differentiable and a.classification in ("center", "non-hyperbolic"):
        lead = leading_order(system, dv) if dv is not None else None
        p = sp.Rational(1, lead[0] - 2) if lead and lead[0] > 2 else None
        return "sub-exponential", None, p
    return None, None, None


# --------------------------------------------------------------------------- one dimension class
def _lyapunov_attempt(a, system, label: str) -> dict | None:
    """Try each candidate; return the fields of a verdict, or None."""
    continuous = a.linearization.equilibrium is True
    partial = None
    for cand in candidates(system, a.block):
        dv = system.lie(cand.V)
        base = {"V": cand.V, "dV": dv}
        if dv == 0:
            text = (
                f"{cand.origin}. Its derivative along the field is identically 0: V is a conserved, positive "
                "definite quantity. Each trajectory stays on its level set {V = V(z0)}: the origin is "
                "Lyapunov-stable (sublevel sets are invariant neighbourhoods) but not asymptotically stable "
                "(V keeps its positive initial value)."
            )
            if system.dim1:
                text += (
                    " In dimension 1 the phase plane is filled with the closed level curves of V, free of "
                    "equilibria other than the origin: every other orbit is periodic."
                )
            proof = ("dV/dt = 0 identically (the terms cancel exactly)",)
            return base | {"verdict": "stable", "method": "conserved", "reason": text, "proof": proof}
        sign = prove_sign(dv, system.quadratic_symbols if isinstance(system, InvariantSystem) else None)
        if sign is not None and sign.nonnegative and sign.sign > 0 and continuous:
            repeller = _repeller(system, cand, dv, sign)
            if repeller is not None:
                return repeller
            continue
        if sign is None or not sign.nonpositive:
            continue
        zero = _zero_text(system, dv)
        proof = [f"{cand.origin}; V is positive definite and radially unbounded"]
        if sign.form is not None and sign.form != dv:
            proof.append(f"dV/dt = {sign.form}")
        proof += [f for f in sign.facts if not f.startswith("rewritten as")]
        proof.append(f"hence dV/dt <= 0, with equality exactly where {zero}")
        base |= {"proof": tuple(proof), "lyapunov_stable": True, "sign": sign}
        if not continuous:
            partial = base | {
                "verdict": "undecided",
                "method": "lyapunov",
                "reason": "dV/dt <= 0 makes the origin Lyapunov-stable, but the field is discontinuous at the "
                "origin, so LaSalle's invariance principle does not apply: asymptotic stability is undecided.",
            }
            continue
        try:
            inv = largest_invariant_set(system, dv, zero)
        except Undecided as exc:
            partial = base | {
                "verdict": "undecided",
                "method": "lyapunov",
                "reason": f"dV/dt <= 0 makes the origin Lyapunov-stable; LaSalle's largest invariant set in "
                f"{{dV/dt = 0}} could not be computed ({exc}), so asymptotic stability is undecided.",
            }
            continue
        base |= {"invariant_set": _set_text(inv), "invariant": inv}
        head = f"V = {cand.V} has dV/dt = {dv} <= 0 (see the proof), vanishing exactly where {zero}. "
        if inv.only_origin:
            conv, rate, p = _decay(a, system, dv)
            text = head + (
                "The largest invariant set inside {dV/dt = 0} is the origin alone "
                f"({'in dimension 1, ' if system.dim1 else ''}every other point there leaves it), so by "
                "LaSalle's invariance principle (V radially unbounded) every trajectory converges to the "
                "origin: it is globally asymptotically stable."
            )
            if conv == "sub-exponential":
                text += " The linearisation is a centre, so the convergence is not exponential" + (
                    f": averaging the leading term of dV/dt over the rotation gives |z| ~ t^(-{p})." if p else "."
                )
            return _lasalle_asymptotic(base, text, conv, rate, p)
        values = [sp.simplify(cand.V.xreplace(piece)) for piece in inv.pieces]
        reaching = [v for v in values if v.free_symbols & set(system.variables)]
        if reaching:
            text = head + (
                f"The largest invariant set inside {{dV/dt = 0}} is {_set_text(inv)}: more than the origin. "
                "On it V is constant, and it holds points arbitrarily close to the origin, whose trajectories "
                "keep V at its positive value and never converge. So the origin is Lyapunov-stable (V is "
                "non-increasing) but not asymptotically stable; by LaSalle every trajectory approaches that set."
            )
            return base | {"verdict": "stable", "method": "lasalle", "reason": text}
        v_min = sp.Min(*values)
        text = head + (
            f"The largest invariant set inside {{dV/dt = 0}} is {_set_text(inv)}, where V >= {v_min} > 0; "
            f"inside the sublevel set {{V < {v_min}}} only the origin is invariant, so by LaSalle the origin is "
            "locally asymptotically stable, attracting at least that set."
        )
        conv, rate, p = _decay(a, system, dv)
        return _lasalle_asymptotic(base, text, conv, rate, p)
    return partial


def _lasalle_asymptotic(base: dict, text: str, conv, rate, p) -> dict:
    """The record fields of an asymptotic-stability verdict proved by LaSalle's principle."""
    return base | {
        "verdict": "asymptotically-stable",
        "method": "lasalle",
        "reason": text,
        "convergence": conv,
        "decay_rate": rate,
        "decay_exponent": p,
    }


def _repeller(system, cand, dv, sign) -> dict | None:
    """dV/dt >= 0 and LaSalle's set {0}: in reversed time the origin attracts everything, so it is unstable."""
    zero = _zero_text(system, dv)
    try:
        inv = largest_invariant_set(system, dv, zero)
    except Undecided:
        return None
    if not inv.only_origin:
        return None
    proof = [f"{cand.origin}; V is positive definite"]
    if sign.form is not None and sign.form != dv:
        proof.append(f"dV/dt = {sign.form}")
    proof += [f for f in sign.facts if not f.startswith("rewritten as")]
    proof.append(f"hence dV/dt >= 0, with equality exactly where {zero}")
    text = (
        f"V = {cand.V} has dV/dt = {dv} >= 0 (see the proof), vanishing exactly where {zero}, and the largest "
        "invariant set inside {dV/dt = 0} is the origin alone. A trajectory starting at z0 != 0 keeps "
        "V >= V(z0) > 0; if it stayed in a small ball its limit set would be invariant inside {dV/dt = 0}, "
        "i.e. the origin, where V = 0: impossible. So every trajectory leaves a neighbourhood of the origin "
        "(in reversed time the origin is globally asymptotically stable): unstable, a repeller."
    )
    return {
        "V": cand.V,
        "dV": dv,
        "verdict": "unstable",
        "method": "lasalle",
        "reason": text,
        "proof": tuple(proof),
        "sign": sign,
        "invariant": inv,
        "invariant_set": _set_text(inv),
        "lyapunov_stable": False,
    }


def _decide(a, system) -> dict:
    """The verdict fields for one dimension class of ``a`` (system.dim1 tells which)."""
    out: dict = {"conserved": _conserved(system)}
    try:
        out["orbits"] = rotation_orbits(system) if isinstance(system, InvariantSystem) else ()
    except Undecided:
        out["orbits"] = ()
    if a.classification == "stable":
        conv, rate, _ = _decay(a, system, None)
        text = (
            "The linearisation is decisive: every eigenvalue of the Jacobian at the origin has negative real "
            "part, so by Lyapunov's indirect method (Hartman-Grobman) the origin is locally exponentially "
            "asymptotically stable" + (f" (rate {rate})." if rate is not None else ".")
        )
        extra = _lyapunov_attempt(a, system, "")
        if extra and extra["verdict"] == "asymptotically-stable" and "globally" in extra["reason"]:
            text += " Moreover, globally: " + extra["reason"]
            out |= {k: extra[k] for k in ("V", "dV", "proof", "invariant_set", "sign", "invariant")}
        return out | {
            "verdict": "asymptotically-stable",
            "method": "linearization",
            "reason": text,
            "convergence": conv,
            "decay_rate": rate,
            "lyapunov_stable": True,
        }
    if a.classification == "unstable":
        return out | {
            "verdict": "unstable",
            "method": "linearization",
            "reason": "The linearisation is decisive: the Jacobian at the origin has an eigenvalue with positive "
            "real part, so by Lyapunov's indirect method (Hartman-Grobman) the origin is unstable.",
            "lyapunov_stable": False,
        }
    found = _lyapunov_attempt(a, system, "")
    if found is not None and found["verdict"] != "undecided":
        return out | found
    che = chetaev(system)
    if che is not None:
        text = (
            f"Chetaev's theorem with V = {che.V}: V > 0 on {{{che.region}}}, whose boundary contains the origin, "
            f"and dV/dt > 0 there near the origin (see the proof). Trajectories starting in that region "
            "arbitrarily close to the origin leave a fixed neighbourhood of it: the origin is unstable."
        )
        return out | {
            "verdict": "unstable",
            "method": "chetaev",
            "reason": text,
            "V": che.V,
            "dV": che.dV,
            "proof": che.proof,
            "witness": che.witness,
            "lyapunov_stable": False,
            "chetaev": che,
        }
    if found is not None:
        return out | found
    tried = ", ".join(str(c.V) for c in candidates(system, a.block))
    chet = (
        "no Chetaev function was found among |phi|^2, |theta|^2, +-theta.phi"
        if isinstance(system, InvariantSystem)
        else "Chetaev functions are only searched for rotation-invariant fields"
    )
    return out | {
        "verdict": "undecided",
        "method": "none",
        "reason": f"No certificate found: the sign of dV/dt could not be proved for V in {{{tried}}}, and {chet}. "
        f"(The linearisation is {a.classification}, which does not decide.)",
    }


# --------------------------------------------------------------------------- dimensions
_CERTIFICATE = (
    "V",
    "dV",
    "proof",
    "invariant_set",
    "convergence",
    "decay_rate",
    "decay_exponent",
    "sign",
    "invariant",
    "chetaev",
)


def _transfer(r1: dict, rn: dict) -> tuple[dict, dict]:
    """Collinear states are an invariant subspace carrying the dim-1 dynamics."""
    if r1["verdict"] == "unstable" and rn["verdict"] == "undecided":
        rn = rn | {
            "verdict": "unstable",
            "method": "dimension",
            "lyapunov_stable": False,
            "witness": r1.get("witness"),
            **{k: r1[k] for k in _CERTIFICATE if k in r1},
            "reason": "States with phi and theta on one line form an invariant subspace (phi' and theta' lie in "
            "span(phi, theta)), on which the dynamics is the 1-dimensional one, and that is unstable: "
            + r1["reason"]
            + " The same escaping trajectories exist in every dimension, so the origin is unstable for n >= 2 too.",
        }
    if rn["verdict"] == "asymptotically-stable" and r1["verdict"] == "undecided":
        r1 = r1 | {
            "verdict": "asymptotically-stable",
            "method": "dimension",
            "reason": "The 1-dimensional dynamics is the restriction of the n >= 2 one to collinear states, an "
            "invariant subspace, and the origin is asymptotically stable for n >= 2: " + rn["reason"],
            **{k: rn[k] for k in _CERTIFICATE if k in rn},
        }
    if r1["verdict"] in ("stable", "unstable") and rn["verdict"] == "undecided" and rn.get("lyapunov_stable"):
        rn = rn | {
            "verdict": "stable",
            "method": "dimension",
            "reason": rn["reason"] + " It is not asymptotically stable: collinear states form an invariant "
            "subspace carrying the 1-dimensional dynamics, which does not converge.",
        }
    return r1, rn


def _dim_note(r1: dict, rn: dict) -> str:
    if r1["verdict"] == rn["verdict"]:
        return f"Same verdict in dimension 1 and in every dimension n >= 2: {r1['verdict']}."
    note = f"The verdict depends on the dimension: {r1['verdict']} for n = 1, {rn['verdict']} for n >= 2."
    rotating = [o for o in rn.get("orbits", ()) if o.conditions.get(U) == 0]
    if rotating and r1["verdict"] == "asymptotically-stable":
        note += (
            " In dimension 1, theta.phi = 0 forces phi = 0 or theta = 0, so the set {dV/dt = 0} holds no orbit "
            "but the origin; for n >= 2 it contains rotations with phi orthogonal to theta ("
            + "; ".join(f"{o.kind}, frequency {o.frequency}" for o in rotating)
            + "), on which trajectories settle instead of reaching the origin. A 1-dimensional analysis gives "
            "the wrong answer for n >= 2."
        )
    return note


def _split_symbols(a) -> list[tuple[str, str, sp.Symbol]]:
    out = []
    for kind, mapping in (("param", a.params), ("reg", a.regularizers)):
        for name, value in mapping.items():
            if isinstance(value, sp.Symbol) and value.is_positive is not True and value.is_negative is not True:
                out.append((kind, name, value))
    return out


def _cases(a, splits) -> NonlinearVerdict | None:
    from ..analysis import analyze

    options = []
    for kind, name, sym in splits:
        vals = [(sp.S.Zero, sp.Eq(sym, 0)), (sp.Symbol(sym.name, positive=True), sym > 0)]
        if not sym.is_nonnegative:
            vals.insert(0, (sp.Symbol(sym.name, negative=True), sym < 0))
        options.append((kind, name, vals))
    combos: list[list] = [[]]
    for kind, name, vals in options:
        combos = [c + [(kind, name, v, cond)] for c in combos for v, cond in vals]
    results = []
    for combo in combos:
        params = dict(a.params) | {n: v for k, n, v, _ in combo if k == "param"}
        regs = dict(a.regularizers) | {n: v for k, n, v, _ in combo if k == "reg"}
        sub = analyze(a.variant, a.dim, params=params, regularizers=regs).nonlinear
        cond = sp.And(*[c for *_, c in combo])
        results.append((cond, sub))
    verdicts = {}
    for cond, sub in results:
        verdicts.setdefault(sub.verdict, []).append(cond)
    conditions = {k: sp.Or(*v) for k, v in verdicts.items()}
    reason = " ".join(f"When {cond}: {sub.verdict} ({sub.method}). {sub.reason}" for cond, sub in results)
    by_dim = {}
    for key in (DIM1, DIMN):
        seen = {sub.by_dim.get(key) for _, sub in results}
        by_dim[key] = seen.pop() if len(seen) == 1 else "depends on the parameters"
    verdict = next(iter(verdicts)) if len(verdicts) == 1 else "undecided"
    notes = "; ".join(
        f"when {cond}: {sub.dim_note}" for cond, sub in results if sub.by_dim.get(DIM1) != sub.by_dim.get(DIMN)
    )
    return NonlinearVerdict(
        verdict=verdict,
        dim=a.dim,
        method="cases",
        reason=reason,
        by_dim=MappingProxyType(by_dim),
        dim_note=notes or "Same verdict in dimension 1 and n >= 2 in every case.",
        conditions=MappingProxyType(conditions),
        linear=a.classification,
        analysis=a,
        orbits=tuple(o for _, sub in results for o in sub.orbits),
        lyapunov_stable=all(sub.lyapunov_stable for _, sub in results) or None,
    )


def _record(a, fields: dict, by_dim: dict, note: str) -> NonlinearVerdict:
    keep = {k: v for k, v in fields.items() if k in NonlinearVerdict.__dataclass_fields__}
    return NonlinearVerdict(
        dim=a.dim,
        by_dim=MappingProxyType(by_dim),
        dim_note=note,
        linear=a.classification,
        analysis=a,
        **keep,
    )


def analyze_nonlinear(a) -> NonlinearVerdict:
    """The nonlinear verdict for an :class:`~stability.Analysis` (also ``Analysis.nonlinear``).

    >>> from stability import analyze
    >>> nl = analyze("vanilla_sat", dim=1).nonlinear
    >>> nl.verdict, nl.method, nl.V
    ('stable', 'conserved', |phi|**2 + |theta|**2)
    """
    system = invariant_system(a, dim1=True)
    if system is not None:
        r1 = _safe(a, system)
        rn = _safe(a, replace(system, dim1=False))
        r1, rn = _transfer(r1, rn)
        by_dim = {DIM1: r1["verdict"], DIMN: rn["verdict"]}
        result = _record(a, r1 if a.dim == 1 else rn, by_dim, _dim_note(r1, rn))
    else:
        fields = _safe(a, component_system(a))
        label = DIM1 if a.dim == 1 else DIMN
        note = (
            f"Custom variant defined in components in dimension {a.dim} only; the verdict is for n = {a.dim} "
            "(no rotation invariance to relate other dimensions)."
        )
        result = _record(a, fields, {label: fields["verdict"]}, note)
    if result.verdict == "undecided":
        splits = _split_symbols(a)
        if splits and len(splits) <= 2:
            return _cases(a, splits) or result
    return result


#: Time budget (seconds) of the search for one dimension class; past it the verdict is "undecided".
TIME_BUDGET = 60


def _safe(a, system) -> dict:
    """``_decide`` within the time budget; any failure of the exact computation gives "undecided"."""
    try:
        return call_with_time_limit(lambda: _decide(a, system), TIME_BUDGET)
    except (
        TimeLimitExceeded,
        Undecided,
        StabilityError,
        NotImplementedError,
        sp.PolynomialError,
        ValueError,
        TypeError,
    ) as exc:
        return {
            "verdict": "undecided",
            "method": "none",
            "reason": f"No certificate: the exact computation did not conclude ({type(exc).__name__}: {exc}).",
        }
