"""The certificates behind a nonlinear verdict, each turned into a :class:`~.nonlinear_record.Finding`.

The linearisation when decisive (Lyapunov's indirect method), Lyapunov and LaSalle candidates,
Chetaev functions, the area escape (n >= 2), the decaying player and the quasi-homogeneous
Lyapunov function (n = 1 nilpotent); :func:`search` tries them in that order. Every exact step
that can fail or run long is wrapped by :func:`attempt` (a time limit; a failure is "inconclusive").

>>> from stability import analyze
>>> a = analyze("vanilla_ns", dim=1, regularizers={"l2": 1})
>>> linear_finding(a).method
'linearization'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

import sympy as sp

from ..errors import StabilityError
from ..timeout import TimeLimitExceeded, call_with_time_limit
from ..verdicts import Classification, Convergence, Method, NonlinearStability
from .lyapunov import (
    AREA,
    AreaEscape,
    Candidate,
    Chetaev,
    DecayingPlayer,
    InvariantSet,
    InvariantSystem,
    QuasiHomogeneous,
    R,
    S,
    U,
    Undecided,
    area_escape,
    candidates,
    chetaev,
    closed_sign,
    decaying_player,
    largest_invariant_set,
    leading_order,
    nilpotent_lyapunov,
)
from .nonlinear_record import Finding
from .orbits import PeriodicOrbit
from .signs import DNF, Rule, Sign, prove_sign

#: Time budget (seconds) of the certificate search for one dimension class; past it the verdict is "undecided".
TIME_BUDGET = 60
#: Time budget (seconds) of each addition that cannot change the verdict (orbits, conserved
#: quantities, the global LaSalle strengthening of a decisive linearisation).
EXTRAS_BUDGET = 10

_ASYMPTOTIC, _STABLE = NonlinearStability.ASYMPTOTICALLY_STABLE, NonlinearStability.STABLE
_UNSTABLE, _UNDECIDED = NonlinearStability.UNSTABLE, NonlinearStability.UNDECIDED
#: Failures of an exact computation that make a step inconclusive (never a wrong verdict).
FAILURES = (
    TimeLimitExceeded,
    Undecided,
    StabilityError,
    NotImplementedError,
    sp.PolynomialError,
    ValueError,
    TypeError,
)

T = TypeVar("T")


def attempt(fn: Callable[[], T], seconds: float, on_failure: Callable[[BaseException], T]) -> T:
    """``fn()`` within ``seconds``; a failure of the exact computation gives ``on_failure(exc)``.

    A :class:`TimeLimitExceeded` of an enclosing, tighter limit is not ours to absorb: it propagates.
    """
    try:
        return call_with_time_limit(fn, seconds)
    except TimeLimitExceeded as exc:
        if exc.seconds != seconds:
            raise
        return on_failure(exc)
    except FAILURES as exc:
        return on_failure(exc)


def zero_dnf(dv: sp.Expr) -> DNF | None:
    """Where ``dv`` vanishes, norms allowed to be 0: a disjunction of conjunctions of ``e = 0``."""
    sign = closed_sign(dv)
    return None if sign is None else sign.zeros


def _zero_text(zeros: DNF | None) -> str:
    """Where dV/dt vanishes, in words."""
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


def conserved_quantities(system) -> tuple[sp.Expr, ...]:
    """Quantities among |phi|^2, |theta|^2, theta.phi, the energy (and, for n >= 2, the area) with derivative 0."""
    if not isinstance(system, InvariantSystem):
        return ()
    tried = (R**2, S**2, U, R**2 + S**2) + (() if system.dim1 else (AREA,))
    return tuple(q for q in tried if system.lie(q) == 0)


def local_intro(system, finding: Finding) -> str:
    """Where the smooth local branches hold, said first in a local verdict's reason."""
    hints = [b.hint for b in system.local if b.hint]
    pieces = "; ".join(b.text for b in system.local)
    where = f"Locally, for {' and '.join(hints)}: " if hints else "Locally: "
    text = (
        where + f"{pieces}, an open neighbourhood of the origin on which the field equals its smooth branch "
        "there. The argument below is made for that local field, so the verdict is local: it concerns "
        "trajectories near the origin, and nothing is claimed outside the neighbourhood."
    )
    if finding.V is not None and finding.chetaev is None and finding.quasi is None:
        text += (
            " V is positive definite, so its sublevel sets {V <= c} with c > 0 small lie inside the "
            "neighbourhood; the argument applies to trajectories starting in them."
        )
    return text + " "


def inside(system, orbit: PeriodicOrbit) -> bool:
    """Whether every local branch condition is proved > 0 on the whole orbit."""
    for cond in (c for b in system.local for c in b.conditions):
        sign = closed_sign(sp.expand(cond.xreplace(dict(orbit.conditions))))
        if sign is None or not sign.strict or sign.sign < 0:
            return False
    return True


def _linear_rate(a) -> sp.Expr | None:
    """``-max Re(lambda)``, the exponential rate of a Hurwitz linearisation (exact, possibly symbolic).

    None when the real parts cannot be ordered exactly (the verdict does not need the rate).
    """
    parts = a.spectrum.parts if a.spectrum is not None else ()
    if not parts:
        return None
    try:
        return -sp.Max(*[p.real for p in parts])
    except (ValueError, TypeError):  # e.g. a real part written with I (casus irreducibilis): not comparable
        return None


def _sub_exponential(a, system, dv) -> tuple[Convergence | None, sp.Expr | None]:
    """(convergence, power-law exponent) of an asymptotically stable origin with a centre-like linearisation."""
    if not (a.differentiable and a.classification in (Classification.CENTER, Classification.NON_HYPERBOLIC)):
        return None, None
    lead = leading_order(system, dv) if dv is not None else None
    p = sp.Rational(1, lead[0] - 2) if lead and lead[0] > 2 else None
    return Convergence.SUB_EXPONENTIAL, p


def _sign_proof(cand: Candidate, dv: sp.Expr, sign: Sign, zero: str, *, decreasing: bool) -> tuple[str, ...]:
    """The plain-text proof that V is a Lyapunov function (``decreasing``) or a repelling one."""
    proof = [f"{cand.origin}; V is positive definite" + (" and radially unbounded" if decreasing else "")]
    if sign.form is not None and sign.form != dv:
        proof.append(f"dV/dt = {sign.form}")
    proof += [step.text for step in sign.steps if step.rule is not Rule.REWRITE]
    proof.append(f"hence dV/dt {'<=' if decreasing else '>='} 0, with equality exactly where {zero}")
    return tuple(proof)


# --------------------------------------------------------------------------- the linearisation
def linear_finding(a) -> Finding | None:
    """The verdict of a decisive linearisation (Lyapunov's indirect method), or None."""
    if a.classification == Classification.STABLE:
        rate = _linear_rate(a)
        text = (
            "The linearisation is decisive: every eigenvalue of the Jacobian at the origin has negative real "
            "part, so by Lyapunov's indirect method (Hartman-Grobman) the origin is locally exponentially "
            "asymptotically stable" + (f" (rate {rate})." if rate is not None else ".")
        )
        return Finding(
            _ASYMPTOTIC,
            Method.LINEARIZATION,
            text,
            convergence=Convergence.EXPONENTIAL,
            decay_rate=rate,
            lyapunov_stable=True,
        )
    if a.classification == Classification.UNSTABLE:
        text = (
            "The linearisation is decisive: the Jacobian at the origin has an eigenvalue with positive "
            "real part, so by Lyapunov's indirect method (Hartman-Grobman) the origin is unstable."
        )
        return Finding(_UNSTABLE, Method.LINEARIZATION, text, lyapunov_stable=False)
    return None


def strengthen(a, system, linear: Finding) -> Finding:
    """A decisive linearisation, plus LaSalle's proof that the attraction is global when one is found in time."""
    if linear.verdict is not _ASYMPTOTIC:
        return linear
    found = attempt(lambda: lyapunov_attempt(a, system), EXTRAS_BUDGET, lambda exc: None)
    if found is None or not found.globally:
        return linear
    return replace(
        linear,
        reason=linear.reason + " Moreover, globally: " + found.reason,
        V=found.V,
        dV=found.dV,
        proof=found.proof,
        zeros=found.zeros,
        invariant_set=found.invariant_set,
        invariant=found.invariant,
        sign=found.sign,
        globally=True,
    )


# --------------------------------------------------------------------------- Lyapunov and LaSalle
def _conserved_finding(system, cand: Candidate) -> Finding:
    text = (
        f"{cand.origin}. Its derivative along the field is identically 0: V is a conserved, positive "
        "definite quantity. Each trajectory stays on its level set {V = V(z0)}: the origin is "
        "Lyapunov-stable (sublevel sets are invariant neighbourhoods) but not asymptotically stable "
        "(V keeps its positive initial value)."
    )
    if system.dim1 and system.local:
        text += (
            " In dimension 1 the small level curves of V are closed curves inside the neighbourhood, free of "
            "equilibria other than the origin: every orbit near the origin is periodic."
        )
    elif system.dim1:
        text += (
            " In dimension 1 the phase plane is filled with the closed level curves of V, free of "
            "equilibria other than the origin: every other orbit is periodic."
        )
    proof = ("dV/dt = 0 identically (the terms cancel exactly)",)
    return Finding(_STABLE, Method.CONSERVED, text, V=cand.V, dV=sp.S.Zero, proof=proof, lyapunov_stable=True)


def _try_candidate(a, system, cand: Candidate, continuous: bool) -> Finding | None:
    """The verdict ``cand`` proves (possibly only Lyapunov stability: "undecided"), or None."""
    dv = system.lie(cand.V)
    if dv == 0:
        return _conserved_finding(system, cand)
    closed = closed_sign(dv)  # on the closed domain: the proof shown, and where dV/dt = 0
    sign = closed if closed is not None else prove_sign(dv, system.quadratic_symbols)
    if sign is None:
        return None
    if sign.nonnegative and sign.sign > 0 and continuous:
        return _repeller(system, cand, dv, sign, None if closed is None else closed.zeros)
    if not sign.nonpositive:
        return None
    return _lasalle(a, system, cand, dv, sign, None if closed is None else closed.zeros, continuous)


def lyapunov_attempt(a, system) -> Finding | None:
    """Try each candidate: the first conclusive verdict, else the last partial one, else None."""
    continuous = a.linearization.equilibrium is True
    partial = None
    for cand in candidates(system, a.block):
        found = _try_candidate(a, system, cand, continuous)
        if found is None:
            continue
        if found.verdict is _UNDECIDED:
            partial = found
            continue
        return found
    return partial


def _lasalle(a, system, cand: Candidate, dv: sp.Expr, sign: Sign, zeros: DNF | None, continuous: bool) -> Finding:
    """dV/dt <= 0: Lyapunov stability, then LaSalle's largest invariant set in {dV/dt = 0} decides the rest."""
    zero = _zero_text(zeros)
    proof = _sign_proof(cand, dv, sign, zero, decreasing=True)
    base = Finding(
        _UNDECIDED, Method.LYAPUNOV, "", V=cand.V, dV=dv, proof=proof, zeros=zeros, sign=sign, lyapunov_stable=True
    )
    if not continuous:
        return replace(
            base,
            reason="dV/dt <= 0 makes the origin Lyapunov-stable, but the field is discontinuous at the origin, so "
            "LaSalle's invariance principle does not apply: asymptotic stability is undecided.",
        )
    try:
        inv = largest_invariant_set(system, dv, zero)
    except Undecided as exc:
        return replace(
            base,
            reason=f"dV/dt <= 0 makes the origin Lyapunov-stable; LaSalle's largest invariant set in "
            f"{{dV/dt = 0}} could not be computed ({exc}), so asymptotic stability is undecided.",
        )
    base = replace(base, invariant_set=_set_text(inv), invariant=inv)
    head = f"V = {cand.V} has dV/dt = {dv} <= 0 (see the proof), vanishing exactly where {zero}. "
    if inv.only_origin:
        return _global_attraction(a, system, base, head)
    return _beyond_origin(a, system, cand, base, head, inv)


def _global_attraction(a, system, base: Finding, head: str) -> Finding:
    text = head + (
        "The largest invariant set inside {dV/dt = 0} is the origin alone "
        f"({'in dimension 1, ' if system.dim1 else ''}every other point there leaves it), so by "
    )
    if system.local:
        text += (
            "LaSalle's invariance principle, applied inside a sublevel set {V <= c} contained in the "
            "neighbourhood (it is invariant), every trajectory starting there converges to the origin: it is "
            "locally asymptotically stable."
        )
    else:
        text += (
            "LaSalle's invariance principle (V radially unbounded) every trajectory converges to the "
            "origin: it is globally asymptotically stable."
        )
    conv, p = _sub_exponential(a, system, base.dV)
    if conv is Convergence.SUB_EXPONENTIAL:
        text += " The linearisation is a centre, so the convergence is not exponential" + (
            f": averaging the leading term of dV/dt over the rotation gives |z| ~ t^(-{p})." if p else "."
        )
    return replace(
        base,
        verdict=_ASYMPTOTIC,
        method=Method.LASALLE,
        reason=text,
        convergence=conv,
        decay_exponent=p,
        globally=not system.local,
    )


def _beyond_origin(a, system, cand: Candidate, base: Finding, head: str, inv: InvariantSet) -> Finding:
    """LaSalle's set holds more than the origin: stable if it reaches the origin, else locally attracting."""
    values = [sp.simplify(cand.V.xreplace(piece)) for piece in inv.pieces]
    if any(v.free_symbols & set(system.variables) for v in values):
        text = head + (
            f"The largest invariant set inside {{dV/dt = 0}} is {_set_text(inv)}: more than the origin. "
            "On it V is constant, and it holds points arbitrarily close to the origin, whose trajectories "
            "keep V at its positive value and never converge. So the origin is Lyapunov-stable (V is "
            "non-increasing) but not asymptotically stable; by LaSalle every trajectory approaches that set."
        )
        return replace(base, verdict=_STABLE, method=Method.LASALLE, reason=text)
    v_min = sp.Min(*values)
    text = head + (
        f"The largest invariant set inside {{dV/dt = 0}} is {_set_text(inv)}, where V >= {v_min} > 0; "
        f"inside the sublevel set {{V < {v_min}}} only the origin is invariant, so by LaSalle the origin is "
        "locally asymptotically stable, attracting at least that set"
        + (" (where it lies inside the neighbourhood)." if system.local else ".")
    )
    conv, p = _sub_exponential(a, system, base.dV)
    return replace(base, verdict=_ASYMPTOTIC, method=Method.LASALLE, reason=text, convergence=conv, decay_exponent=p)


def _repeller(system, cand: Candidate, dv: sp.Expr, sign: Sign, zeros: DNF | None) -> Finding | None:
    """dV/dt >= 0 and LaSalle's set {0}: in reversed time the origin attracts everything, so it is unstable."""
    zero = _zero_text(zeros)
    try:
        inv = largest_invariant_set(system, dv, zero)
    except Undecided:
        return None
    if not inv.only_origin:
        return None
    text = (
        f"V = {cand.V} has dV/dt = {dv} >= 0 (see the proof), vanishing exactly where {zero}, and the largest "
        "invariant set inside {dV/dt = 0} is the origin alone. A trajectory starting at z0 != 0 keeps "
        "V >= V(z0) > 0; if it stayed in a small ball its limit set would be invariant inside {dV/dt = 0}, "
        "i.e. the origin, where V = 0: impossible. So every trajectory leaves a neighbourhood of the origin "
        + (
            "(in reversed time the origin attracts a neighbourhood)"
            if system.local
            else "(in reversed time the origin is globally asymptotically stable)"
        )
        + ": unstable, a repeller."
    )
    return Finding(
        _UNSTABLE,
        Method.LASALLE,
        text,
        V=cand.V,
        dV=dv,
        proof=_sign_proof(cand, dv, sign, zero, decreasing=False),
        zeros=zeros,
        invariant_set=_set_text(inv),
        invariant=inv,
        sign=sign,
        lyapunov_stable=False,
    )


# --------------------------------------------------------------------------- Chetaev, or nothing
def chetaev_finding(che: Chetaev) -> Finding:
    text = (
        f"Chetaev's theorem with V = {che.V}: V > 0 on {{{che.region}}}, whose boundary contains the origin, "
        "and dV/dt > 0 there near the origin (see the proof). Trajectories starting in that region "
        "arbitrarily close to the origin leave a fixed neighbourhood of it: the origin is unstable."
    )
    return Finding(
        _UNSTABLE,
        Method.CHETAEV,
        text,
        V=che.V,
        dV=che.dV,
        proof=che.proof,
        witness=che.witness,
        lyapunov_stable=False,
        chetaev=che,
    )


def no_certificate(a, system) -> Finding:
    tried = ", ".join(str(c.V) for c in candidates(system, a.block))
    chet = (
        "no Chetaev function was found among |phi|^2, |theta|^2, +-theta.phi"
        if isinstance(system, InvariantSystem)
        else "Chetaev functions are only searched for rotation-invariant fields"
    )
    return Finding(
        _UNDECIDED,
        Method.NONE,
        f"No certificate found: the sign of dV/dt could not be proved for V in {{{tried}}}, and {chet}. "
        f"(The linearisation is {a.classification}, which does not decide.)" + _what_is_known(system),
    )


def _what_is_known(system) -> str:
    """What was proved although no verdict follows: monotone norms, planes of equilibria, the area."""
    if not isinstance(system, InvariantSystem):
        return ""
    f, notes = system.field, []
    for name, w, plane, still in (
        ("phi", R**2, {R: sp.S.Zero, U: sp.S.Zero}, (f.b, f.d)),
        ("theta", S**2, {S: sp.S.Zero, U: sp.S.Zero}, (f.c, f.a)),
    ):
        dw = system.lie(w)
        sign = closed_sign(dw) if dw != 0 else None
        if dw == 0:
            notes.append(f"|{name}|^2 is conserved, which bounds {name} only")
        elif sign is not None and sign.nonpositive:
            notes.append(f"|{name}|^2 never increases (d/dt |{name}|^2 = {dw} <= 0), which bounds {name} only")
        try:
            if all(system.reduce(e, plane) == 0 for e in still):
                notes.append(
                    f"every state with {name} = 0 is an equilibrium, so the origin is not asymptotically stable"
                )
        except Undecided:
            pass
    if not system.dim1:
        trace = sp.simplify(f.a + f.d)
        notes.append(
            "for n >= 2 the area |phi|^2 |theta|^2 - (theta.phi)^2 changes at the rate 2(a + d) times itself, "
            f"a + d = {trace}" + ("" if trace == 0 else " (the area argument needs a + d >= 0)")
        )
    else:
        notes.append(
            "the quasi-homogeneous construction (dimension 1) needs a polynomial field with a nilpotent, non-zero "
            "linear part and a sign of dV/dt near the origin"
        )
    return " Proved nonetheless, or tried: " + "; ".join(notes) + "."


def inconclusive(exc: BaseException) -> Finding:
    return Finding(
        _UNDECIDED,
        Method.NONE,
        f"No certificate: the exact computation did not conclude ({type(exc).__name__}: {exc}).",
    )


def area_finding(esc: AreaEscape) -> Finding:
    zero = _zero_text(esc.sign.zeros)
    area = "A = |phi|^2 |theta|^2 - (theta.phi)^2"
    if esc.conserved:
        growth = f"{area} (the squared area of the parallelogram of phi and theta) is conserved: dA/dt = 2(a + d)A = 0"
    else:
        growth = (
            f"{area} (the squared area of the parallelogram of phi and theta) never decreases: dA/dt = 2(a + d)A "
            f"with a + d = {esc.trace} >= 0"
        )
    text = (
        f"For n >= 2, W = {esc.W} never increases: dW/dt = {esc.dW} <= 0 (see the proof), vanishing exactly where "
        f"{zero}. {growth}. A trajectory with A > 0 (phi0 and theta0 linearly independent) cannot stay bounded: "
        "its limit set would be non-empty, compact and invariant, and inside {dW/dt = 0} (W is non-increasing and "
        f"bounded on it), hence inside LaSalle's largest invariant set there, {_set_text(esc.invariant)}, where "
        "A = 0; yet A >= A(z0) > 0 along the trajectory and so on its limit set. Every such trajectory is "
        "unbounded, and such states exist arbitrarily close to the origin: the origin is unstable."
    )
    proof = [f"W = {esc.W}"]
    if esc.sign.form is not None and esc.sign.form != esc.dW:
        proof.append(f"dW/dt = {esc.sign.form}")
    proof += [step.text for step in esc.sign.steps if step.rule is not Rule.REWRITE]
    proof.append(f"hence dW/dt <= 0, with equality exactly where {zero}")
    proof.append(f"A = |phi|^2 |theta|^2 - (theta.phi)^2 has dA/dt = 2(a + d) A, a + d = {esc.trace}")
    if esc.trace_sign is not None:
        proof += [step.text for step in esc.trace_sign.steps]
    proof.append(f"largest invariant set in {{dW/dt = 0}}: {_set_text(esc.invariant)}, where the area is 0")
    return Finding(
        _UNSTABLE,
        Method.LASALLE,
        text,
        V=esc.W,
        dV=esc.dW,
        proof=tuple(proof),
        zeros=esc.sign.zeros,
        invariant_set=_set_text(esc.invariant),
        invariant=esc.invariant,
        sign=esc.sign,
        escape=esc,
        witness="phi0 and theta0 linearly independent (e.g. phi0 = eps e1, theta0 = eps e2), however small",
        lyapunov_stable=False,
    )


def _equilibria_text(q: QuasiHomogeneous) -> str:
    pieces = []
    for sol in q.equilibria:
        free = [v for v in q.variables if v not in sol]
        eqs = ", ".join(f"{k} = {v}" for k, v in sol.items())
        pieces.append("{" + eqs + (f", {', '.join(map(str, free))} free" if free else "") + "}")
    return " and ".join(pieces) or "the origin alone"


def quasi_finding(a, q: QuasiHomogeneous) -> Finding:
    x, y = q.x, q.y
    p, w = q.weights
    region = " and ".join(f"{e} > 0" for e in q.sign.region)
    where = f" on the neighbourhood {{{region}}} of the origin" if region else ""
    head = (
        f"In dimension 1 the Jacobian at the origin is nilpotent (the linearisation is {a.classification}), so "
        f"neither it nor a quadratic V decides. With weights deg {x} = {p}, deg {y} = {w}, the field's leading "
        f"terms are {x}' = {q.truncated[0]}, {y}' = {q.truncated[1]}, which conserve F = {q.F}; along the full "
        f"field dF/dt = {q.dF}. V = F^2 + {x}^2 = {q.V} is positive definite (it vanishes only where {x} = 0 and "
        f"F = {q.F.xreplace({x: 0})} = 0) and dV/dt = {q.dV} <= 0{where} (see the proof): by Lyapunov's theorem "
        "the origin is Lyapunov-stable."
    )
    proof = [
        f"weights deg {x} = {p}, deg {y} = {w}: leading terms {x}' = {q.truncated[0]}, {y}' = {q.truncated[1]}",
        f"F = {q.F}: dF/dt = 0 along the leading terms; along the field dF/dt = {q.dF}",
        f"V = F^2 + {x}^2 >= 0, = 0 only at the origin",
    ]
    if q.sign.form is not None and q.sign.form != q.dV:
        proof.append(f"dV/dt = {q.sign.form}")
    proof += [step.text for step in q.sign.steps if step.rule is not Rule.REWRITE]
    proof.append(f"hence dV/dt <= 0{where}")
    base = Finding(
        _UNDECIDED,
        Method.LYAPUNOV,
        "",
        V=q.V,
        dV=q.dV,
        proof=tuple(proof),
        zeros=q.sign.zeros,
        sign=q.sign,
        quasi=q,
        lyapunov_stable=True,
    )
    if q.accumulate:
        text = head + (
            f" It is not asymptotically stable: the equilibria {_equilibria_text(q)} come arbitrarily close to the "
            "origin, and a trajectory starting at one of them stays there."
        )
        return replace(base, verdict=_STABLE, reason=text)
    text = head + (
        f" Asymptotic stability is undecided: the equilibria are {_equilibria_text(q)}, and no argument for "
        "convergence was found."
    )
    return replace(base, reason=text)


def decay_finding(dp: DecayingPlayer) -> Finding:
    me, other = dp.player, dp.other
    region = " and ".join(f"{e} > 0" for e in dp.region)
    where = f" on the neighbourhood {{{region}}} of the origin" if region else ""
    own = "a |phi|^2 + b theta.phi" if me == "phi" else "c theta.phi + d |theta|^2"
    damp, coup = ("d", "c") if me == "phi" else ("a", "b")
    damping = f"{damp} = 0" if dp.damping == 0 else f"{damp} = {dp.damping} <= 0"
    t, big_c, start = sp.Symbol("t"), sp.Symbol("C"), sp.Symbol(f"|{me}0|")
    text = (
        f"W = |{me}|^2 decays exponentially near the origin: (1/2) dW/dt = {own} <= {-dp.rate * dp.W}, since "
        f"{dp.bound} <= 0{where} (see the proof), so |{me}(t)| <= {start * sp.exp(-dp.rate * t)}. Meanwhile "
        f"{damping}, so d/dt |{other}|^2 <= 2 |{coup}| |theta.phi| and |{other}|' <= |{coup}| |{me}|, with "
        f"{coup} = {dp.coupling} continuous at the origin (|{coup}| <= C near it): |{other}(t)| <= |{other}0| + "
        f"{big_c * start / dp.rate}. Trajectories starting close enough to the origin stay in a small ball around "
        "it: the origin is Lyapunov-stable, in every dimension."
    )
    proof = [f"W = |{me}|^2: (1/2) dW/dt + {dp.rate * dp.W} = {dp.bound}"]
    for sign in (dp.sign, dp.damping_sign):
        if sign is None:
            continue
        if sign.form is not None:
            proof.append(f"= {sign.form}")
        proof += [step.text for step in sign.steps if step.rule is not Rule.REWRITE]
    proof.append(f"hence (1/2) dW/dt <= {-dp.rate * dp.W} and {damping}{where}")
    base = Finding(
        _UNDECIDED,
        Method.LYAPUNOV,
        "",
        V=dp.W,
        dV=sp.expand(2 * (dp.bound - dp.rate * dp.W)),
        proof=tuple(proof),
        sign=dp.sign,
        decay=dp,
        lyapunov_stable=True,
    )
    if dp.equilibria:
        still = "b theta = 0 and theta' = d theta = 0" if me == "phi" else "c phi = 0 and phi' = a phi = 0"
        text += (
            f" It is not asymptotically stable: every state with {me} = 0 is an equilibrium (there "
            f"{me}' = {still}), and such states come arbitrarily close to the origin."
        )
        return replace(base, verdict=_STABLE, reason=text)
    return replace(base, reason=text + " Whether trajectories converge to the origin is undecided.")


def search(a, system) -> Finding:
    """Lyapunov candidates, then Chetaev, the area (n >= 2), a quasi-homogeneous V (n = 1 nilpotent).

    A partial Lyapunov result (stability only) is returned if nothing concludes.
    """
    found = lyapunov_attempt(a, system)
    if found is not None and found.verdict is not _UNDECIDED:
        return found
    che = chetaev(system)
    if che is not None:
        return chetaev_finding(che)
    if found is None or not found.lyapunov_stable:
        esc = area_escape(system, a.block)
        if esc is not None:
            return area_finding(esc)
    if found is None:
        decay = decaying_player(system, a.block)
        if decay is not None:
            return decay_finding(decay)
        quasi = nilpotent_lyapunov(system)
        if quasi is not None:
            return quasi_finding(a, quasi)
    return found if found is not None else no_certificate(a, system)
