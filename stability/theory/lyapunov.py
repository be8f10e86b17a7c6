"""Lyapunov functions, LaSalle's invariant sets and Chetaev's instability test, by exact computation.

Rotation-invariant fields ``phi' = a phi + b theta``, ``theta' = c phi + d theta`` (a..d functions
of ``r = |phi|``, ``s = |theta|``, ``u = theta.phi``) are studied through their invariants, which
obey a closed system whatever the dimension n (derived from the field with the chain rule)::

    r' = (phi.phi')/r     = a r + b u / r
    s' = (theta.theta')/s = c u / s + d s
    u' = theta'.phi + theta.phi' = (a + d) u + c r^2 + b s^2

so ``d/dt |phi|^2 = 2(a r^2 + b u)`` and ``d/dt |theta|^2 = 2(c u + d s^2)``. In dimension 1 the
state additionally satisfies ``u^2 = r^2 s^2`` (phi and theta are collinear); for n >= 2 the
only constraint is Cauchy-Schwarz ``u^2 <= r^2 s^2``. Other fields are handled in components.

>>> from stability import analyze
>>> sysm = invariant_system(analyze("vanilla_ns"), dim1=False)
>>> sysm.lie(sysm.energy)
-4*theta.phi*sigmoid(theta.phi) + 2*theta.phi
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cached_property

import sympy as sp

from ..dynamics.field import InvariantField, build_dynamics
from ..model.functions import sigmoid
from ..model.space import DOT, NORM_PHI, NORM_THETA
from .signs import Sign, is_smooth, prove_sign, prove_sign_near, sigmoid_as_tanh

__all__ = [
    "InvariantSystem",
    "ComponentSystem",
    "invariant_system",
    "component_system",
    "Candidate",
    "candidates",
    "InvariantSet",
    "largest_invariant_set",
    "Chetaev",
    "chetaev",
    "solve_constraints",
    "leading_order",
    "LocalBranch",
    "localized",
    "closed_sign",
    "closed_sign_near",
    "DecayingPlayer",
    "decaying_player",
    "AREA",
    "AreaEscape",
    "area_escape",
    "QuasiHomogeneous",
    "planar_field",
    "nilpotent_lyapunov",
]

R, S, U = NORM_PHI, NORM_THETA, DOT
#: cos of the angle between phi and theta (u = k r s), used to evaluate on phi = 0 or theta = 0.
K = sp.Symbol("k", real=True)
_BAD = (sp.nan, sp.zoo, sp.oo, -sp.oo)
MAX_ROUNDS = 6


def _simplify(expr: sp.Expr) -> sp.Expr:
    expr = sp.expand(sp.cancel(sp.together(expr)))
    if expr != 0 and expr.has(sigmoid):
        alt = sp.expand(sigmoid_as_tanh(expr))
        if alt == 0:
            return sp.S.Zero
    return expr


class Undecided(Exception):
    """An equation could not be solved or a value could not be evaluated exactly."""


# --------------------------------------------------------------------------- systems
@dataclass(frozen=True, eq=False)
class InvariantSystem:
    """The closed system of the invariants ``(|phi|, |theta|, theta.phi)`` of a rotation-invariant field."""

    field: InvariantField
    dim1: bool
    kind: str = "invariant"
    variables: tuple[sp.Symbol, ...] = (U, S, R)
    positive: frozenset = frozenset({R, S})
    local: tuple[LocalBranch, ...] = ()  # non-smooth pieces replaced by their branch near the origin

    @property
    def origin(self) -> dict:
        return {R: sp.S.Zero, S: sp.S.Zero, U: sp.S.Zero}

    @cached_property
    def rates(self) -> dict[sp.Symbol, sp.Expr]:
        """``{r: r', s: s', u: u'}`` derived from the field (see the module docstring)."""
        f = self.field
        return {
            R: sp.cancel(f.a * R + f.b * U / R),
            S: sp.cancel(f.c * U / S + f.d * S),
            U: sp.expand((f.a + f.d) * U + f.c * R**2 + f.b * S**2),
        }

    @property
    def energy(self) -> sp.Expr:
        return R**2 + S**2

    @property
    def quadratic_symbols(self):
        return (R, S, U)

    def quadratic(self, gram: sp.Matrix) -> sp.Expr:
        """``z^T (G (x) I_n) z`` for the 2x2 Gram matrix G: ``G00 |phi|^2 + 2 G01 theta.phi + G11 |theta|^2``."""
        return sp.expand(gram[0, 0] * R**2 + 2 * gram[0, 1] * U + gram[1, 1] * S**2)

    def lie(self, g: sp.Expr) -> sp.Expr:
        """Derivative of ``g(r, s, u)`` along the field."""
        rates = self.rates
        return _simplify(sum(sp.diff(g, v) * rates[v] for v in (R, S, U)))

    @property
    def dim_constraints(self) -> list[sp.Expr]:
        return [U**2 - R**2 * S**2] if self.dim1 else []

    def branches(self) -> list[tuple[str, dict, list]]:
        """Where to look for invariant points other than the origin; the first is the interior."""
        return [
            ("phi != 0, theta != 0", {}, []),
            ("phi = 0, theta != 0", {R: sp.S.Zero, U: sp.S.Zero}, [R**2, U]),
            ("theta = 0, phi != 0", {S: sp.S.Zero, U: sp.S.Zero}, [S**2, U]),
        ]

    def reduce(self, g: sp.Expr, sub: dict) -> sp.Expr:
        """``g`` on the set ``sub``; on phi = 0 or theta = 0 by continuity (u = k r s, k = cos angle)."""
        boundary = sub.get(U) == 0 and (sub.get(R) == 0 or sub.get(S) == 0)
        if boundary:
            g = sp.cancel(sp.together(g.xreplace({U: K * R * S})))
            sub = {k: v for k, v in sub.items() if k is not U}
        h = _simplify(g.xreplace(sub)) if sub else _simplify(g)
        if h.has(*_BAD) or (boundary and h.has(K)):
            raise Undecided(f"{g} has no limit on {describe_set(self, sub)}")
        return h

    def is_origin(self, sub: dict) -> bool:
        return sub.get(R) == 0 and sub.get(S) == 0


@dataclass(frozen=True, eq=False)
class ComponentSystem:
    """A field given in components ``phi_1..phi_n, theta_1..theta_n`` (no rotation invariance used)."""

    state: tuple[sp.Symbol, ...]
    field_components: sp.Matrix
    kind: str = "component"
    dim1: bool = False
    positive: frozenset = frozenset()
    local: tuple[LocalBranch, ...] = ()  # non-smooth pieces replaced by their branch near the origin

    @property
    def origin(self) -> dict:
        return {z: sp.S.Zero for z in self.state}

    @property
    def variables(self) -> tuple[sp.Symbol, ...]:
        return self.state

    @property
    def energy(self) -> sp.Expr:
        return sp.Add(*[z**2 for z in self.state])

    @property
    def quadratic_symbols(self):
        return None

    def quadratic(self, gram: sp.Matrix) -> sp.Expr:
        n = len(self.state) // 2
        phi, theta = self.state[:n], self.state[n:]
        return sp.expand(
            sum(gram[0, 0] * p**2 + 2 * gram[0, 1] * p * t + gram[1, 1] * t**2 for p, t in zip(phi, theta))
        )

    def lie(self, g: sp.Expr) -> sp.Expr:
        return _simplify(sum(sp.diff(g, z) * f for z, f in zip(self.state, self.field_components)))

    @property
    def dim_constraints(self) -> list[sp.Expr]:
        return []

    def branches(self) -> list[tuple[str, dict, list]]:
        return [("state space", {}, [])]

    def reduce(self, g: sp.Expr, sub: dict) -> sp.Expr:
        h = _simplify(g.xreplace(sub)) if sub else _simplify(g)
        if h.has(*_BAD):
            raise Undecided(f"{g} is undefined on {describe_set(self, sub)}")
        return h

    def is_origin(self, sub: dict) -> bool:
        return all(sub.get(z) == 0 for z in self.state)


System = InvariantSystem | ComponentSystem


def invariant_system(analysis, dim1: bool | None = None) -> InvariantSystem | None:
    """The invariant system of ``analysis`` (dim 1 uses the same coefficients), or None if not rotation invariant."""
    inv = analysis.dynamics.invariant
    if inv is None:
        if not analysis.variant.is_generic:
            return None
        inv = build_dynamics(analysis.variant, 2, dict(analysis.params), dict(analysis.regularizers)).invariant
        if inv is None:
            return None
    return InvariantSystem(inv, analysis.dim == 1 if dim1 is None else dim1)


def component_system(analysis) -> ComponentSystem:
    return ComponentSystem(tuple(analysis.state), analysis.vector_field)


# --------------------------------------------------------------------------- non-smooth pieces
_NONSMOOTH = (sp.Heaviside, sp.sign, sp.Abs, sp.Max, sp.Min)


@dataclass(frozen=True)
class LocalBranch:
    """A non-smooth piece of the field (``max``, ``|.|``, a step) and the smooth branch it takes near the origin.

    ``piece`` equals ``branch`` wherever every expression of ``conditions`` is > 0, an open set
    containing the origin (each condition is > 0 there).

    >>> b = LocalBranch(sp.Heaviside(U + 1), sp.S.One, (U + 1,))
    >>> b.text, b.hint
    ('Heaviside(theta.phi + 1) = 1 where theta.phi + 1 > 0', '|theta.phi| < 1')
    """

    piece: sp.Expr
    branch: sp.Expr
    conditions: tuple[sp.Expr, ...]

    @property
    def relations(self) -> tuple[sp.Boolean, ...]:
        return tuple(sp.StrictGreaterThan(c, 0, evaluate=False) for c in self.conditions)

    @property
    def text(self) -> str:
        return f"{self.piece} = {self.branch} where " + " and ".join(f"{c} > 0" for c in self.conditions)

    @property
    def bound(self) -> sp.Expr | None:
        """c such that ``|theta.phi| < c`` implies every condition, when each is affine in theta.phi alone."""
        bounds = []
        for c in self.conditions:
            if not c.free_symbols <= {U} or not c.is_polynomial(U) or sp.degree(c, U) != 1:
                return None
            c0, slope = c.xreplace({U: 0}), sp.diff(c, U)
            bounds.append(sp.simplify(c0 / sp.Abs(slope)))
        return sp.Min(*bounds) if bounds else None

    @property
    def hint(self) -> str | None:
        """The sufficient condition of :attr:`bound` in words, e.g. ``|theta.phi| < 1``."""
        return None if self.bound is None else f"|{U}| < {self.bound}"


def _strict_sign(value: sp.Expr) -> int | None:
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo):
        return None
    s = prove_sign(value)
    return s.sign if s is not None and s.strict else None


def _branch(f: sp.Expr, origin: dict) -> LocalBranch | None:
    """The branch of the non-smooth ``f`` near ``origin``, when its arguments decide it there."""
    at = [sp.simplify(arg.xreplace(origin)) for arg in f.args]
    if isinstance(f, (sp.Heaviside, sp.sign, sp.Abs)):
        g, sign = f.args[0], _strict_sign(at[0])
        if sign is None:
            return None
        if isinstance(f, sp.Heaviside):
            value = sp.S.One if sign > 0 else sp.S.Zero
        elif isinstance(f, sp.sign):
            value = sp.Integer(sign)
        else:
            value = sign * g
        return LocalBranch(f, value, (sign * g,))
    want = 1 if isinstance(f, sp.Max) else -1
    for i, arg in enumerate(f.args):
        others = [j for j in range(len(f.args)) if j != i]
        if all(_strict_sign(want * (at[i] - at[j])) == 1 for j in others):
            return LocalBranch(f, arg, tuple(sp.expand(want * (arg - f.args[j])) for j in others))
    return None


def _localize(expr: sp.Expr, origin: dict, found: list) -> sp.Expr:
    if expr.is_Atom:
        return expr
    args = [_localize(a, origin, found) for a in expr.args]
    new = expr.func(*args) if any(x is not y for x, y in zip(args, expr.args)) else expr
    if isinstance(new, _NONSMOOTH):
        branch = _branch(new, origin)
        if branch is not None:
            if branch not in found:
                found.append(branch)
            return branch.branch
    return new


def localized(system: System) -> System:
    """``system`` with each non-smooth piece whose argument is non-zero at the origin replaced by its branch there.

    The new system equals the old one on the open set where every :class:`LocalBranch` condition
    holds (a neighbourhood of the origin); its ``local`` lists the replacements. Pieces non-smooth
    at the origin itself (e.g. ``|phi|``) are kept.

    >>> from stability import analyze
    >>> sysm = localized(invariant_system(analyze("hinge"), dim1=True))
    >>> sysm.field.b, [b.text for b in sysm.local]
    (-1, ['Heaviside(theta.phi + 1) = 1 where theta.phi + 1 > 0'])
    """
    found: list[LocalBranch] = []
    origin = system.origin
    if isinstance(system, InvariantSystem):
        f = system.field
        coefficients = [_localize(e, origin, found) for e in (f.a, f.b, f.c, f.d)]
        if not found:
            return system
        return replace(system, field=InvariantField(*coefficients), local=tuple(found))
    components = system.field_components.applyfunc(lambda e: _localize(e, origin, found))
    if not found:
        return system
    return replace(system, field_components=components, local=tuple(found))


def describe_set(system: System, sub: dict) -> str:
    """``{u: 0, s: r}`` as ``theta.phi = 0, |theta| = |phi|``."""
    if not sub:
        return "the whole space"
    return ", ".join(f"{k} = {v}" for k, v in sub.items())


# --------------------------------------------------------------------------- equations
def _domain_ok(system: System, var: sp.Symbol, value: sp.Expr) -> bool:
    """Whether ``var = value`` is admissible; raises Undecided when it depends on unknown signs."""
    if value.has(sp.I) and value.is_real is not True:
        # a real root may be written with I (casus irreducibilis): decide by proof, never structurally
        if value.is_real is False:
            return False
        im_zero = sp.simplify(sp.im(value)).is_zero
        if im_zero is False:
            return False
        if im_zero is None:
            raise Undecided(f"cannot prove whether {value} (a value of {var}) is real")
    if var not in system.positive:
        return True
    value_sign = prove_sign(value)
    if value.is_positive or (value_sign is not None and value_sign.strict and value_sign.sign > 0):
        return True
    if value.is_nonpositive or (value_sign is not None and value_sign.nonpositive):
        return False
    raise Undecided(f"the sign of {value} (a value of {var}) depends on the parameters")


def _substitute(sub: dict, var: sp.Symbol, value: sp.Expr) -> dict:
    out = {k: sp.simplify(v.xreplace({var: value})) for k, v in sub.items()}
    out[var] = value
    return out


def solve_constraint(system: System, g: sp.Expr, sub: dict, depth: int = 0) -> list[dict]:
    """Refine ``sub`` by the equation ``g = 0``: a list of branches (empty: no solution)."""
    if depth > 12:
        raise Undecided("equations nest too deeply")
    h = system.reduce(g, sub)
    if h == 0:
        return [sub]
    sign = prove_sign(h, system.quadratic_symbols)
    if sign is not None:
        if sign.var is None and sign.zeros == ():
            return []
        if sign.zeros != ((h,),) and all(len(c) > 0 for c in sign.zeros):
            out: list[dict] = []
            for conj in sign.zeros:
                out += solve_constraints(system, list(conj), sub, depth + 1)
            return out
    num = sp.fraction(sp.together(h))[0]  # where defined, h = 0 iff its numerator is
    try:
        coeff, factors = sp.factor_list(num)
    except sp.PolynomialError:
        coeff, factors = sp.S.One, [(num, 1)]
    live = []
    for f, _mult in factors:
        fs = prove_sign(f, system.quadratic_symbols)
        if fs is not None and fs.strict:
            continue
        live.append(f)
    if not live:
        return [] if coeff != 0 else [sub]
    if len(live) > 1:
        out = []
        for f in live:
            out += solve_constraint(system, f, sub, depth + 1)
        return out
    f = live[0]
    for var in system.variables:
        if var in sub or var not in f.free_symbols or not f.is_polynomial(var):
            continue
        try:
            sols = sp.solve(f, var, dict=False)
        except (NotImplementedError, ValueError, TypeError):
            continue
        if not isinstance(sols, list):
            continue
        if not sols:
            if f.is_polynomial(var):
                return []
            continue
        return [_substitute(sub, var, v) for v in sols if _domain_ok(system, var, sp.simplify(v))]
    raise Undecided(f"cannot solve {f} = 0")


def solve_constraints(system: System, gs: list, sub: dict, depth: int = 0) -> list[dict]:
    """All branches of ``sub`` refined by every equation ``g = 0`` of ``gs``.

    An equation that cannot be solved yet is retried after the others (their solutions
    may make it simple, e.g. ``u = 0`` first).
    """
    out: list[dict] = []
    gs = list(gs)
    if not gs:
        return [sub]
    for i, g in enumerate(gs):
        try:
            branches = solve_constraint(system, g, sub, depth)
        except Undecided:
            if i == len(gs) - 1:
                raise
            continue
        rest = gs[:i] + gs[i + 1 :]
        for b in branches:
            out += solve_constraints(system, rest, b, depth)
        return _dedup(out)
    raise Undecided("no equation could be solved")  # pragma: no cover - loop always returns or raises


def _dedup(subs: list[dict]) -> list[dict]:
    out: list[dict] = []
    for s in subs:
        if not any(s == t for t in out):
            out.append(s)
    return out


# --------------------------------------------------------------------------- LaSalle
@dataclass(frozen=True)
class InvariantSet:
    """LaSalle's largest invariant set inside ``{dV/dt = 0}``.

    ``pieces`` lists the parts other than the origin, each as a substitution (e.g.
    ``{theta.phi: 0, |theta|: |phi|}``); empty means the set is the origin alone.
    ``free`` are the variables left free on a piece (a family), ``rounds`` how many
    derivatives were needed.
    """

    pieces: tuple[dict, ...]
    zero_set: str
    rounds: int
    notes: tuple[str, ...] = ()

    @property
    def only_origin(self) -> bool:
        return not self.pieces


def _defining(system: System, sub: dict) -> list[sp.Expr]:
    """Equations of the set ``sub``: ``var - value`` (``var^2`` for a norm set to 0)."""
    eqs = [v**2 if (v in system.positive and val == 0) else v - val for v, val in sub.items()]
    return eqs + system.dim_constraints


def _invariant_subsets(system: System, constraints: list, sub0: dict) -> tuple[list[dict], int]:
    lies: dict = {}

    def lie(g):
        if g not in lies:
            lies[g] = system.lie(g)
        return lies[g]

    pending = solve_constraints(system, constraints, sub0)
    done: list[dict] = []
    for rounds in range(1, MAX_ROUNDS + 1):
        nxt = []
        for sub in pending:
            new = [lie(g) for g in _defining(system, sub) if system.reduce(lie(g), sub) != 0]
            if not new:
                done.append(sub)
                continue
            nxt += solve_constraints(system, new, sub)
        pending = _dedup(nxt)
        if not pending:
            return _dedup(done), rounds
    raise Undecided(f"no invariant set found after {MAX_ROUNDS} derivatives")


def largest_invariant_set(system: System, dv: sp.Expr, zero_text: str = "") -> InvariantSet:
    """LaSalle: the largest invariant subset of ``{dv = 0}`` (raises :class:`Undecided`).

    Every added equation is necessary (an invariant set inside ``{g = 0}`` also lies in
    ``{dg/dt = 0}``); the iteration stops when the equations' derivatives vanish on the
    set they define, which is then invariant. On ``phi = 0`` (or ``theta = 0``) the
    equations ``|phi|^2 = 0, theta.phi = 0`` are differentiated too: a trajectory that
    leaves that boundary must enter the interior part, which is computed first.
    """
    found: list[dict] = []
    rounds = 0
    for index, (_name, sub0, extra) in enumerate(system.branches()):
        pieces, n = _invariant_subsets(system, [dv] + extra + system.dim_constraints, sub0)
        rounds = max(rounds, n)
        pieces = [p for p in pieces if not system.is_origin(p)]
        if pieces and index == 0:
            # the interior holds a nontrivial invariant set: that decides the question.
            return InvariantSet(tuple(pieces), zero_text, rounds)
        found += pieces
    return InvariantSet(tuple(found), zero_text, rounds)


# --------------------------------------------------------------------------- candidates
@dataclass(frozen=True)
class Candidate:
    """A Lyapunov candidate ``V = z^T (G (x) I) z`` with its name and where it comes from."""

    name: str
    V: sp.Expr
    gram: sp.Matrix
    origin: str


def _positive(expr) -> bool:
    s = prove_sign(sp.sympify(expr))
    return s is not None and s.strict and s.sign > 0


def _lyapunov_gram(block: sp.Matrix, rhs: sp.Matrix) -> sp.Matrix | None:
    x, y, z = sp.symbols("g0 g1 g2")
    g = sp.Matrix([[x, y], [y, z]])
    eqs = list(block.T * g + g * block - rhs)
    sol = sp.solve(eqs, [x, y, z], dict=True)
    if len(sol) != 1:
        return None
    g = g.xreplace(sol[0])
    free = sorted(g.free_symbols & {x, y, z}, key=str)
    if free:  # a family (rhs = 0): one free entry set to 1, the others to 0, then scaled to g0 = 1
        g = g.xreplace({v: (sp.S.One if i == 0 else sp.S.Zero) for i, v in enumerate(free)})
        if g[0, 0] != 0:
            g = g / g[0, 0]
    g = g.applyfunc(sp.simplify)
    if g == sp.zeros(2, 2):
        return None
    return g


def candidates(system: System, block: sp.Matrix | None) -> list[Candidate]:
    """The energy, the weighted energy whose cross terms cancel, and Lyapunov-equation forms."""
    out = [Candidate("energy", system.energy, sp.eye(2), "V = |phi|^2 + |theta|^2")]
    if block is not None:
        (a0, b0), (c0, d0) = block.tolist()
        if b0 != 0 and c0 != 0 and _positive(-b0 / c0):
            q = sp.simplify(-b0 / c0)
            gram = sp.diag(1, q)
            out.append(
                Candidate(
                    "weighted energy",
                    system.quadratic(gram),
                    gram,
                    f"V = |phi|^2 + q |theta|^2 with q = -b/c = {q}: "
                    "the linear cross terms 2(b + q c) theta.phi cancel",
                )
            )
        trace, det = sp.simplify(block.trace()), sp.simplify(block.det())
        if trace == 0 and _positive(det):
            gram = _lyapunov_gram(block, sp.zeros(2, 2))
            what = "B^T G + G B = 0 (a conserved quadratic form of the linear part)"
        elif _positive(-trace) and _positive(det):
            gram = _lyapunov_gram(block, -sp.eye(2))
            what = "B^T G + G B = -I (the Lyapunov equation of the Hurwitz linear part)"
        else:
            gram = None
        if gram is not None and _positive(gram[0, 0]) and _positive(gram.det()):
            out.append(
                Candidate("Lyapunov equation", system.quadratic(gram), gram, f"G solves {what}; G = {gram.tolist()}")
            )
    unique: list[Candidate] = []
    for c in out:
        if not any(sp.expand(c.V - d.V * c.gram[0, 0] / d.gram[0, 0]) == 0 for d in unique):
            unique.append(c)
    return unique


# --------------------------------------------------------------------------- Chetaev
@dataclass(frozen=True)
class Chetaev:
    """Chetaev's instability certificate: V > 0 on ``region`` (the origin on its boundary), dV/dt > 0 there.

    Attributes:
        V, dV: the function and its derivative along the field.
        region: where V > 0, as a SymPy relation (``|phi| > 0``, ``|theta| > 0``, ``theta.phi > 0``
            or ``theta.phi < 0``).
        local_form: dV/dt with ``theta.phi = k |phi||theta|`` (k = +-1 in dimension 1), factored.
        leading: the factor of ``local_form`` other than powers of the norms, at the origin (> 0).
        proof: the argument in plain words.
        witness: the escaping initial states in words.
        starts: escaping initial directions ``((a1, a2), (b1, b2))``: phi = eps (a1 e1 + a2 e2),
            theta = eps (b1 e1 + b2 e2) for orthonormal e1, e2 (see :meth:`states`).
    """

    V: sp.Expr
    dV: sp.Expr  # noqa: N815 - the usual name
    region: sp.Boolean
    local_form: sp.Expr
    leading: sp.Expr
    proof: tuple[str, ...]
    witness: str
    starts: tuple[tuple[tuple[int, int], tuple[int, int]], ...] = ()

    def states(self, n: int) -> tuple[tuple[int, ...], ...]:
        """The :attr:`starts` as unit-scale states ``(phi_1..phi_n, theta_1..theta_n)`` (e2 = e1 when n = 1).

        >>> Chetaev(U, R**2, U > 0, R**2, 1, (), "", (((1, 0), (1, 0)),)).states(2)
        ((1, 0, 1, 0),)
        """

        def vec(a1: int, a2: int) -> tuple[int, ...]:
            if n == 1:
                return (a1 + a2,)
            return (a1, a2) + (0,) * (n - 2)

        return tuple(vec(*p) + vec(*t) for p, t in self.starts)


@dataclass(frozen=True)
class _Trial:
    """One Chetaev candidate: V, the region {V > 0}, the admissible cosines k, the norm that may vanish there."""

    V: sp.Expr
    region: sp.Boolean
    k_range: tuple[int, int]
    vanishing: sp.Symbol | None
    witness: str
    starts: tuple[tuple[tuple[int, int], tuple[int, int]], ...]


_ORTHOGONAL, _OPPOSITE, _EQUAL = ((1, 0), (0, 1)), ((1, 0), (-1, 0)), ((1, 0), (1, 0))
_TRIALS = (
    _Trial(
        R**2, sp.StrictGreaterThan(R, 0, evaluate=False), (-1, 1), S, "phi0 small and nonzero", (_ORTHOGONAL, _OPPOSITE)
    ),
    _Trial(
        S**2,
        sp.StrictGreaterThan(S, 0, evaluate=False),
        (-1, 1),
        R,
        "theta0 small and nonzero",
        (_ORTHOGONAL, _OPPOSITE),
    ),
    _Trial(U, sp.StrictGreaterThan(U, 0), (0, 1), None, "phi0 = theta0 = eps e (collinear, theta.phi > 0)", (_EQUAL,)),
    _Trial(
        -U, sp.StrictLessThan(U, 0), (-1, 0), None, "phi0 = -theta0 = eps e (collinear, theta.phi < 0)", (_OPPOSITE,)
    ),
)


def _local_factor(dv: sp.Expr, k, vanishing: sp.Symbol | None):
    """``dv`` with u = k r s as ``r^i s^j h`` and ``h(0, 0, k)``; None unless h is continuous at 0.

    A power of ``vanishing`` (a norm that may be 0 in the region) makes dv vanish there: None.
    """
    local = sp.factor(sp.cancel(dv.xreplace({U: k * R * S})))
    rest, powers = [], {R: 0, S: 0}
    for f in sp.Mul.make_args(local):
        base, e = f.as_base_exp()
        if base in powers and e.is_integer:
            powers[base] += e
        else:
            rest.append(f)
    if vanishing is not None and powers[vanishing] != 0:
        return None
    h = sp.Mul(*rest)
    _num, den = sp.fraction(sp.together(h))
    at0 = {R: sp.S.Zero, S: sp.S.Zero}
    den0, h0 = _simplify(den.xreplace(at0)), _simplify(h.xreplace(at0))
    if h0.has(*_BAD) or den0 == 0 or h0.free_symbols & {R, S}:
        return None
    d0 = prove_sign(den0)
    if d0 is None or not d0.strict:
        return None
    return local, h, h0


def _chetaev_collinear(trial: _Trial, dv: sp.Expr):
    """Dimension 1: k = +-1 restricted to the region; ``(local form, h(0), steps)`` or None."""
    ks = [k for k in (-1, 1) if trial.k_range[0] <= k <= trial.k_range[1]]
    parts = [_local_factor(dv, sp.Integer(k), trial.vanishing) for k in ks]
    if any(p is None for p in parts) or not all(_positive(p[2]) for p in parts):
        return None
    steps = tuple(
        f"collinear phi, theta (theta.phi = {k} |phi||theta|): dV/dt = {p[0]}, whose factor {p[1]} is "
        f"continuous at the origin, where it equals {p[2]} > 0"
        for k, p in zip(ks, parts)
    )
    return parts[0][0], parts[0][2], steps


def _chetaev_any_angle(trial: _Trial, dv: sp.Expr):
    """Dimension n >= 2: every cosine k in the region's range; ``(local form, h(0), steps)`` or None."""
    shown = _local_factor(dv, K, trial.vanishing)
    if shown is None:
        return None
    local, h, h0 = shown
    k_lo, k_hi = trial.k_range
    if h0.has(K):
        if sp.degree(h0, K) > 1 or not all(_positive(_simplify(h0.xreplace({K: k}))) for k in (k_lo, k_hi)):
            return None
    elif not _positive(h0):
        return None
    where = f" for every k in [{k_lo}, {k_hi}]" if h0.has(K) else ""
    steps = (
        f"with theta.phi = k |phi||theta| (k = cos of the angle, |k| <= 1): dV/dt = {local}",
        f"the factor {h} is continuous at the origin, where it equals {h0} > 0{where}",
    )
    return local, h0, steps


def chetaev(system: System) -> Chetaev | None:
    """Search V in {|phi|^2, |theta|^2, +-theta.phi} for a Chetaev instability certificate.

    With ``u = k r s`` (k the cosine of the angle, k = +-1 in dimension 1), ``dV/dt`` is
    factored as ``r^i s^j h(r, s, k)`` with ``h`` continuous at ``r = s = 0``; if
    ``h(0, 0, k) > 0`` for every admissible k, then dV/dt > 0 on the region near the
    origin, where V > 0, and by Chetaev's theorem the origin is unstable.
    """
    if not isinstance(system, InvariantSystem):
        return None
    for trial in _TRIALS:
        dv = system.lie(trial.V)
        if dv == 0:
            continue
        shown = _chetaev_collinear(trial, dv) if system.dim1 else _chetaev_any_angle(trial, dv)
        if shown is None:
            continue
        local, h0, steps = shown
        proof = steps + (f"so dV/dt > 0 on {{{trial.region}}} near the origin, where V > 0",)
        return Chetaev(trial.V, dv, trial.region, local, h0, proof, trial.witness, trial.starts)
    return None


# --------------------------------------------------------------------------- closed-domain signs
_R0, _S0 = sp.Symbol("|phi|", nonnegative=True), sp.Symbol("|theta|", nonnegative=True)


def closed_sign(dv: sp.Expr) -> Sign | None:
    """The proved sign of ``dv`` with the norms allowed to be 0 (its zero set includes phi = 0, theta = 0).

    The proof is made with nonnegative copies of ``|phi|``, ``|theta|`` and returned in the
    package's symbols, so each step holds on the closed domain.

    >>> closed_sign(-2*U**2).kind
    'nonpositive'
    """
    if not dv.free_symbols & {R, S, U}:
        return prove_sign(dv)
    sign = prove_sign(dv.xreplace({R: _R0, S: _S0}), (_R0, _S0, U))
    return None if sign is None else sign.xreplace({_R0: R, _S0: S})


def closed_sign_near(dv: sp.Expr) -> Sign | None:
    """:func:`closed_sign`, or failing it the sign near the origin (:func:`~stability.theory.signs.prove_sign_near`)."""
    found = closed_sign(dv)
    if found is not None:
        return found
    point = {_R0: sp.S.Zero, _S0: sp.S.Zero, U: sp.S.Zero}
    sign = prove_sign_near(dv.xreplace({R: _R0, S: _S0}), point, (_R0, _S0, U))
    return None if sign is None else sign.xreplace({_R0: R, _S0: S})


# --------------------------------------------------------------------------- one player decays
@dataclass(frozen=True)
class DecayingPlayer:
    """Near the origin one player's norm decays exponentially and the other's drifts by a bounded amount.

    For ``player = "phi"``: ``(1/2) d/dt |phi|^2 = a |phi|^2 + b theta.phi <= -rate |phi|^2`` (``bound <= 0``,
    proved by ``sign``), so ``|phi(t)| <= |phi0| e^(-rate t)``; ``damping = d <= 0`` and ``coupling = c``
    is continuous at the origin, so ``|theta|' <= |c| |phi|`` and ``|theta(t)| <= |theta0| + C |phi0| / rate``:
    Lyapunov stability in every dimension. ``equilibria``: every state with phi = 0 is an equilibrium
    (b and d vanish there), so the origin is not asymptotically stable. ``"theta"`` swaps the roles.
    """

    player: str
    W: sp.Expr
    rate: sp.Expr
    bound: sp.Expr
    sign: Sign
    damping: sp.Expr
    damping_sign: Sign | None
    coupling: sp.Expr
    equilibria: bool

    @property
    def other(self) -> str:
        return "theta" if self.player == "phi" else "phi"

    @property
    def region(self) -> tuple[sp.Expr, ...]:
        """Where both signs are proved (each expression > 0); ``()``: everywhere."""
        damping = self.damping_sign.region if self.damping_sign is not None else ()
        return tuple(dict.fromkeys((*self.sign.region, *damping)))


def _positive_number(e: sp.Expr) -> bool:
    sign = prove_sign(sp.sympify(e))
    return sign is not None and sign.strict and sign.sign > 0


def decaying_player(system: System, block: sp.Matrix | None) -> DecayingPlayer | None:
    """The :class:`DecayingPlayer` certificate of a rotation-invariant field, or None.

    The rate is tried as ``-B00`` (``-B11``) of the linear block, then half of it.

    >>> from stability import analyze
    >>> d = decaying_player(invariant_system(analyze("lsgan", regularizers={"r1": 1}), dim1=False),
    ...                     sp.Matrix([[-1, 0], [1, 0]]))
    >>> d.player, d.rate, d.bound, d.equilibria
    ('phi', 1, -theta.phi**2, True)
    """
    if not isinstance(system, InvariantSystem) or block is None:
        return None
    f = system.field
    roles = (
        ("phi", R**2, block[0, 0], f.a * R**2 + f.b * U, f.d, f.c, (f.b, f.d), {R: sp.S.Zero, U: sp.S.Zero}),
        ("theta", S**2, block[1, 1], f.c * U + f.d * S**2, f.a, f.b, (f.c, f.a), {S: sp.S.Zero, U: sp.S.Zero}),
    )
    for player, w, entry, half, damping, coupling, still, plane in roles:
        if not _positive_number(-entry) or not is_smooth(coupling):
            continue
        damping = _simplify(damping)
        damping_sign = None if damping == 0 else closed_sign_near(damping)
        if damping != 0 and (damping_sign is None or not damping_sign.nonpositive):
            continue
        for rate in (-entry, -entry / 2):
            bound = _simplify(half + rate * w)
            sign = closed_sign_near(bound) if bound != 0 else Sign(0, ((),))
            if sign is not None and sign.nonpositive:
                try:
                    equilibria = all(system.reduce(e, plane) == 0 for e in still)
                except Undecided:
                    equilibria = False
                return DecayingPlayer(player, w, rate, bound, sign, damping, damping_sign, coupling, equilibria)
    return None


# --------------------------------------------------------------------------- n >= 2: the area
#: ``|phi|^2 |theta|^2 - (theta.phi)^2``, the squared area of the parallelogram of phi and theta
#: (zero exactly on collinear states). Along any rotation-invariant field ``d/dt AREA = 2 (a + d) AREA``.
AREA = R**2 * S**2 - U**2


@dataclass(frozen=True)
class AreaEscape:
    """For n >= 2: every trajectory with phi, theta linearly independent is unbounded, so the origin is unstable.

    ``W`` never increases (``dW <= 0``, proved by ``sign``) and LaSalle's largest invariant set in
    ``{dW = 0}`` (``invariant``) lies inside the collinear states ``{AREA = 0}``; a bounded
    trajectory would approach it, yet ``AREA`` never decreases (``d/dt AREA = 2 trace AREA`` with
    ``trace = a + d >= 0``, proved by ``trace_sign``, None when ``trace = 0``: AREA is conserved).
    """

    W: sp.Expr
    dW: sp.Expr  # noqa: N815 - the usual name
    sign: Sign
    invariant: InvariantSet
    trace: sp.Expr
    trace_sign: Sign | None

    @property
    def conserved(self) -> bool:
        return self.trace == 0


def _smooth_everywhere(system: InvariantSystem) -> bool:
    """The coefficients are analytic functions of theta.phi, |phi|^2, |theta|^2 on the whole space."""
    flip = {R: -R, S: -S}
    return all(is_smooth(e) and sp.expand(e.xreplace(flip) - e) == 0 for e in system.field.coefficients)


def area_escape(system: System, block: sp.Matrix | None = None) -> AreaEscape | None:
    """The :class:`AreaEscape` certificate (n >= 2, a field smooth everywhere), or None.

    Candidates for ``W``: ``|phi|^2``, ``|theta|^2`` and the Lyapunov candidates of :func:`candidates`.

    >>> from stability import analyze
    >>> esc = area_escape(invariant_system(analyze("lsgan", dim=2), dim1=False))
    >>> esc.W, esc.dW, esc.invariant.pieces, esc.conserved
    (|phi|**2, -2*theta.phi**2, ({|phi|: 0, theta.phi: 0},), True)
    """
    if not isinstance(system, InvariantSystem) or system.dim1 or system.local or not _smooth_everywhere(system):
        return None
    f = system.field
    trace = _simplify(f.a + f.d)
    trace_sign = None
    if trace != 0:
        trace_sign = closed_sign(trace)
        if trace_sign is None or not trace_sign.nonnegative:
            return None
    if _simplify(system.lie(AREA) - 2 * trace * AREA) != 0:  # pragma: no cover - an identity of the invariants
        return None
    tried = [R**2, S**2] + [c.V for c in candidates(system, block)]
    for w in dict.fromkeys(tried):
        dw = system.lie(w)
        sign = closed_sign(dw) if dw != 0 else None
        if sign is None or not sign.nonpositive:
            continue
        try:
            inv = largest_invariant_set(system, dw)
        except Undecided:
            continue
        if all(_simplify(system.reduce(AREA, piece)) == 0 for piece in inv.pieces):
            return AreaEscape(w, dw, sign, inv, trace, trace_sign)
    return None


# --------------------------------------------------------------------------- n = 1: nilpotent linear part
PHI1, THETA1 = sp.Symbol("phi", real=True), sp.Symbol("theta", real=True)


@dataclass(frozen=True)
class QuasiHomogeneous:
    """A Lyapunov function for a planar field whose linear part is nilpotent, from its leading terms.

    With weights ``deg x = p``, ``deg y = q`` (``x`` the variable whose own rate has no linear
    term, ``y' = c x + ...``), the field's lowest-weight part ``truncated`` has the first integral
    ``F`` (``F(0, y) = c y^m``, ``c != 0``). Then ``V = F^2 + x^2`` is positive definite (it vanishes
    only where ``x = 0`` and ``F = 0``, i.e. at the origin), and ``dV`` is its exact derivative
    along the full field, with the proved sign ``sign`` (possibly only on ``sign.region``).

    Attributes:
        variables: the state ``(phi, theta)`` (n = 1).
        x, y: the weighted variables (a permutation of ``variables``); weights ``(p, q)``.
        field: ``(phi', theta')``; truncated: ``(x', y')``'s lowest-weight parts.
        F, dF: the first integral of the truncation and its exact derivative along the field.
        equilibria: the equilibria of the field (SymPy solutions, a missing variable is free);
        accumulate: True when equilibria other than the origin come arbitrarily close to it.
    """

    variables: tuple[sp.Symbol, sp.Symbol]
    x: sp.Symbol
    y: sp.Symbol
    weights: tuple[int, int]
    field: tuple[sp.Expr, sp.Expr]
    truncated: tuple[sp.Expr, sp.Expr]
    F: sp.Expr
    dF: sp.Expr  # noqa: N815
    V: sp.Expr
    dV: sp.Expr  # noqa: N815
    sign: Sign
    equilibria: tuple[dict, ...]
    accumulate: bool


def planar_field(system: System) -> tuple[tuple[sp.Symbol, sp.Symbol], tuple[sp.Expr, sp.Expr]] | None:
    """``((phi, theta), (phi', theta'))`` in dimension 1, polynomial in the state, or None."""
    if isinstance(system, InvariantSystem):
        if not system.dim1:
            return None
        x, y = PHI1, THETA1
        f = system.field
        sub = {R: sp.Abs(x), S: sp.Abs(y), U: x * y}
        a, b, c, d = (e.xreplace(sub) for e in (f.a, f.b, f.c, f.d))
        rates = (sp.expand(a * x + b * y), sp.expand(c * x + d * y))
    else:
        if len(system.state) != 2:
            return None
        x, y = system.state
        rates = tuple(sp.expand(e) for e in system.field_components)
    if not all(e.is_polynomial(x, y) for e in rates):
        return None
    return (x, y), rates


def _newton_weights(fx: sp.Expr, fy: sp.Expr, x, y) -> tuple[int, int] | None:
    """``(p, q)``: the largest ratio p/q > 1 keeping ``y' ~ x`` and every term of x' at weight >= p + (p - q)."""
    bounds = [sp.Rational(j + 1, 2 - i) for (i, j), _ in sp.Poly(fx, x, y).terms() if i < 2]
    bounds += [sp.Integer(j) for (i, j), _ in sp.Poly(fy, x, y).terms() if i == 0 and j >= 2]
    if not bounds or min(bounds) <= 1:
        return None
    ratio = min(bounds)
    return int(ratio.p), int(ratio.q)


def _part(e: sp.Expr, x, y, weights: tuple[int, int], weight: int) -> sp.Expr:
    p, q = weights
    return sp.Add(*[c * x**i * y**j for (i, j), c in sp.Poly(e, x, y).terms() if i * p + j * q == weight])


def _first_integral(fx: sp.Expr, fy: sp.Expr, x, y, weights: tuple[int, int]) -> sp.Expr | None:
    """The lowest-weight polynomial F with ``dF/dx fx + dF/dy fy = 0`` and ``F(0, y) = c y^m``, ``c != 0``."""
    p, q = weights
    for weight in range(1, 4 * p + 1):
        monomials = [x**i * y ** ((weight - i * p) // q) for i in range(weight // p + 1) if (weight - i * p) % q == 0]
        if not monomials:
            continue
        cs = sp.symbols(f"_c0:{len(monomials)}")
        ansatz = sum(c * m for c, m in zip(cs, monomials))
        lie = sp.expand(sp.diff(ansatz, x) * fx + sp.diff(ansatz, y) * fy)
        eqs = sp.Poly(lie, x, y).coeffs() if lie != 0 else []
        if eqs:
            basis = sp.Matrix([[sp.diff(e, c) for c in cs] for e in eqs]).nullspace()
        else:
            basis = [sp.eye(len(cs))[:, k] for k in range(len(cs))]
        for v in basis:
            F = sp.expand(sum(v[k] * m for k, m in enumerate(monomials)))
            on_axis = sp.Poly(F.xreplace({x: 0}), y)
            if on_axis.is_monomial and on_axis.LC().is_zero is False:
                return F
    return None


def _equilibria(variables, rates) -> tuple[tuple[dict, ...], bool]:
    """The field's equilibria and whether some other than the origin come arbitrarily close to it."""
    try:
        sols = sp.solve(list(rates), list(variables), dict=True)
    except (NotImplementedError, ValueError, TypeError) as exc:
        raise Undecided(f"the equilibria could not be computed ({exc})") from exc
    sols = [sol for sol in sols if all(sp.simplify(e.xreplace(sol)) == 0 for e in rates)]  # genuine solutions only
    accumulate = False
    for sol in sols:
        free = [v for v in variables if v not in sol]
        if free and all(sp.simplify(val.xreplace({v: 0 for v in free})) == 0 for val in sol.values()):
            accumulate = True
    return tuple(sols), accumulate


def nilpotent_lyapunov(system: System) -> QuasiHomogeneous | None:
    """The :class:`QuasiHomogeneous` certificate of Lyapunov stability in dimension 1, or None.

    Applies to polynomial planar fields with a nilpotent, non-zero linear part of the form
    ``y' = c x + ...`` (x' without linear terms), after :func:`localized`.

    >>> from stability import analyze
    >>> q = nilpotent_lyapunov(invariant_system(analyze("lsgan"), dim1=True))
    >>> q.weights, q.F, q.sign.kind, q.accumulate
    ((3, 1), phi + theta**3/3, 'nonpositive', True)
    """
    planar = planar_field(system)
    if planar is None:
        return None
    (v0, v1), (f0, f1) = planar
    origin = {v0: sp.S.Zero, v1: sp.S.Zero}
    jac = sp.Matrix([f0, f1]).jacobian([v0, v1]).xreplace(origin)
    zero = [e.is_zero for e in jac]
    if zero == [True, True, False, True]:  # theta' = c phi + ...
        x, y, fx, fy = v0, v1, f0, f1
    elif zero == [True, False, True, True]:  # phi' = b theta + ...
        x, y, fx, fy = v1, v0, f1, f0
    else:
        return None
    weights = _newton_weights(fx, fy, x, y)
    if weights is None:
        return None
    p, q = weights
    truncated = (_part(fx, x, y, weights, 2 * p - q), _part(fy, x, y, weights, p))
    if truncated[0] == 0:
        return None
    F = _first_integral(*truncated, x, y, weights)
    if F is None:
        return None
    dF = sp.expand(sp.diff(F, x) * fx + sp.diff(F, y) * fy)
    V = sp.expand(F**2 + x**2)
    dV = sp.expand(2 * F * dF + 2 * x * fx)
    sign = prove_sign_near(dV, origin)
    if sign is None or not sign.nonpositive:
        return None
    equilibria, accumulate = _equilibria((v0, v1), (f0, f1))
    return QuasiHomogeneous((v0, v1), x, y, weights, (f0, f1), truncated, F, dF, V, dV, sign, equilibria, accumulate)


# --------------------------------------------------------------------------- rates
def leading_order(system: System, expr: sp.Expr, max_order: int = 8) -> tuple[int, sp.Expr] | None:
    """Lowest degree m of ``expr`` at the origin (|phi|, |theta| ~ t, theta.phi ~ t^2) and its coefficient."""
    t = sp.Symbol("t", positive=True)
    if isinstance(system, InvariantSystem):
        scaled = expr.xreplace({R: t * R, S: t * S, U: t**2 * U})
    else:
        scaled = expr.xreplace({z: t * z for z in system.state})
    scaled = sigmoid_as_tanh(scaled)  # tanh's series is much faster
    try:
        series = sp.series(scaled, t, 0, max_order + 1).removeO()
    except (NotImplementedError, ValueError, TypeError):
        return None
    series = sp.expand(series)
    for m in range(0, max_order + 1):
        coeff = _simplify(series.coeff(t, m))
        if coeff != 0:
            if system.dim1 and isinstance(system, InvariantSystem):
                on_line = [_simplify(coeff.xreplace({U: sgn * R * S})) for sgn in (1, -1)]
                if all(c == 0 for c in on_line):
                    continue
            return m, coeff
    return None
