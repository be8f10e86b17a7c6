"""The true derivative of the field at the equilibrium ``phi = theta = 0``.

Structure first: every additive term of a loss (or, with field transforms, of a field component)
that is analytic at the origin is differentiated there directly, by its Taylor jet
(:mod:`stability.theory.jets`: value, gradient and Hessian from the chain rule, evaluated node by
node at 0, with sparse gradients); for losses the Jacobian is minus the Hessian blocks, so the field
itself is never formed. Only the other terms (norms or roots vanishing at 0, ``Abs``, ``sign``,
``Heaviside``, ``Max``, ``Min``, ``Piecewise``, quotients of vanishing terms) take the ray limits:

Substituting 0 into a symbolic Jacobian is wrong wherever the field has norms in a
denominator (it gives 0/0, or hides a missing derivative behind ``sign(0) = 0``).
Instead the field is expanded along rays: for a direction ``w`` and ``t > 0``,
``F(t w) -> 0`` says the origin is an equilibrium, and ``F(t w)/t -> J w`` with ``J``
independent of ``w`` gives the Jacobian ``J``.  Limits are taken along every ray
(symbolic ``w``); steps and kinks are resolved for small ``t > 0`` first (``sign(t w) = sign(w)``,
never ``sign(0)``); where a term has no limit, it is reported as the reason.

>>> from stability.model.variants import get_variant
>>> from stability.dynamics.field import build_dynamics
>>> lin = linearize(build_dynamics(get_variant("gan_qp"), 2, {"lam": 1}, {}))
>>> lin.block
Matrix([
[0, -1],
[1,  0]])
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..dynamics.field import Dynamics
from ..errors import NotAnEquilibriumError, StabilityError
from ..model.space import DOT, NORM_PHI, NORM_THETA
from ..timeout import TimeLimitExceeded, call_with_time_limit
from .jets import Jet, JetBuilder, NotAnalytic
from .structure import kron_block

__all__ = ["Linearization", "SingularTerm", "linearize"]

_T = sp.Symbol("t", positive=True)
_R_PHI = sp.Symbol("r_phi", positive=True)
_R_THETA = sp.Symbol("r_theta", positive=True)
_COS = sp.Symbol("k", real=True)
LIMIT_SECONDS = 20
_NON_SMOOTH = (
    sp.Abs,
    sp.sign,
    sp.Heaviside,
    sp.Piecewise,
    sp.Max,
    sp.Min,
    sp.DiracDelta,
    sp.floor,
    sp.ceiling,
    sp.frac,
    sp.Mod,
)


def _bad(value: sp.Expr) -> bool:
    return value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.has(sp.AccumBounds)


class _Undecidable(Exception):  # noqa: N818 - internal signal
    pass


def _order(arg: sp.Expr) -> tuple[int, sp.Expr]:
    """``(k, a)`` with ``arg = t^k (a + O(t))`` as ``t -> 0+``, for ``arg`` rational in ``t``."""
    if _T not in arg.free_symbols:
        return 0, arg
    num, den = sp.fraction(sp.cancel(sp.together(arg)))
    out = []
    for part in (num, den):
        try:
            terms = sp.Poly(sp.expand(part), _T).terms()
        except sp.PolynomialError:
            raise _Undecidable(arg) from None
        (k,), lead = min(((d, c) for d, c in terms if c != 0), key=lambda x: x[0])
        out.append((k, lead))
    return out[0][0] - out[1][0], out[0][1] / out[1][1]


def _condition(c):
    """A condition on the ray at small ``t > 0``: the sign of ``lhs - rhs`` is that of its leading coefficient."""
    if isinstance(c, sp.core.relational.Relational):
        if _T not in c.free_symbols:
            return c
        _, lead = _order(c.lhs - c.rhs)
        return c.func(lead, 0)
    if isinstance(c, (sp.And, sp.Or, sp.Not)):
        return c.func(*[_condition(a) for a in c.args])
    if _T in getattr(c, "free_symbols", ()):
        raise _Undecidable(c)
    return c


def _on_rays(e: sp.Expr) -> sp.Expr:
    """``e`` along a ray ``t -> 0+`` with every step, sign, kink and piecewise condition resolved for small ``t``.

    Substituting ``t = 0`` into ``sign(t w)`` gives ``sign(0) = 0`` and into ``Heaviside(t w)`` gives 1/2,
    hiding the jump; for small ``t > 0`` they are ``sign(w)`` and ``Heaviside(w)``. Likewise
    ``|t^k a| = t^k |a|``, ``max(t a, t b) = t max(a, b)``, and a condition ``t^k a > 0`` is ``a > 0``.
    """
    if not e.args or _T not in e.free_symbols:
        return e
    if isinstance(e, sp.Piecewise):
        return sp.Piecewise(*[(_on_rays(x), _condition(c)) for x, c in e.args])
    e = e.func(*[_on_rays(a) for a in e.args])
    if not e.args or _T not in e.free_symbols:
        return e
    if isinstance(e, (sp.sign, sp.Heaviside)):
        return e.func(_order(e.args[0])[1], *e.args[1:])
    if isinstance(e, sp.DiracDelta):
        lead = _order(e.args[0])[1]
        if lead.is_zero is False:  # a nonzero argument for every small t > 0
            return sp.S.Zero
        raise _Undecidable(e)
    if isinstance(e, sp.Abs):
        k, _ = _order(e.args[0])
        return _T**k * sp.Abs(sp.cancel(e.args[0] / _T**k))
    if isinstance(e, (sp.Max, sp.Min)):
        orders = {_order(a)[0] for a in e.args if a != 0}
        if len(orders) != 1:
            raise _Undecidable(e)
        (k,) = orders
        return _T**k * e.func(*[sp.cancel(a / _T**k) for a in e.args])
    if isinstance(e, (sp.floor, sp.ceiling, sp.frac, sp.Mod)):
        raise _Undecidable(e)
    return e


def limit_at_zero(expr: sp.Expr, direction: set) -> tuple[str, sp.Expr | None]:
    """Limit of ``expr`` as ``t -> 0+``: ("finite", value), ("infinite", None) or ("direction", value).

    "direction" means the limit exists along each ray but depends on the ray.
    """
    expr = sp.cancel(sp.together(expr))
    if expr.has(*_NON_SMOOTH):
        try:
            expr = sp.cancel(sp.together(_on_rays(expr)))
        except _Undecidable as exc:
            raise StabilityError(
                f"could not decide the limit of {expr} as t -> 0+: {exc.args[0]} has no expansion in t there"
            ) from None
    value = expr.subs(_T, 0)
    try:
        if _bad(value) and expr.has(*_NON_SMOOTH):
            # e.g. -y/|x| + y*sign(x)/x is identically 0 for x != 0; cancel() cannot see it.
            expr = call_with_time_limit(lambda: sp.simplify(expr), LIMIT_SECONDS)
            value = expr.subs(_T, 0)
        if _bad(value):
            value = call_with_time_limit(lambda: sp.limit(expr.rewrite(sp.exp), _T, 0, "+"), LIMIT_SECONDS)
        if not _bad(value) and value.free_symbols & direction:
            value = call_with_time_limit(lambda: sp.simplify(value), LIMIT_SECONDS)
    except (TimeLimitExceeded, NotImplementedError, ValueError, TypeError) as exc:
        raise StabilityError(f"could not decide the limit of {expr} as t -> 0+: {exc}") from None
    if _bad(value):
        return "infinite", None
    if value.free_symbols & direction:
        return "direction", value
    return "finite", value


@dataclass(frozen=True)
class SingularTerm:
    """A term of the field with no derivative (``continuous=True``) or no limit at the origin."""

    equation: str
    term: sp.Expr
    continuous: bool
    where: str

    def describe(self) -> str:
        """One sentence, e.g. "theta' contains phi/|phi|, which has no limit at phi = 0"."""
        what = "is continuous but not differentiable" if self.continuous else "has no limit"
        return f"{self.equation} contains {self.term}, which {what} at {self.where}"


@dataclass(frozen=True)
class Linearization:
    """Equilibrium check and derivative at the origin.

    ``equilibrium`` is True when the field tends to 0 at the origin and None when it has
    no limit there (a singular point).  ``block`` is the 2x2 matrix with
    ``J = block (x) I_n`` for rotation-invariant fields; ``jacobian`` is set on the
    general path.  Both are None when the field is not differentiable.
    """

    equilibrium: bool | None
    differentiable: bool
    block: sp.Matrix | None
    jacobian: sp.Matrix | None
    singular_terms: tuple[SingularTerm, ...]

    @property
    def reason(self) -> str:
        return "; ".join(s.describe() for s in self.singular_terms)


def _where(term: sp.Expr, phi_syms, theta_syms) -> str:
    den = sp.denom(sp.together(term)).free_symbols | {s for a in term.atoms(sp.Abs, sp.sign) for s in a.free_symbols}
    on_phi, on_theta = bool(den & set(phi_syms)), bool(den & set(theta_syms))
    if on_phi and not on_theta:
        return "phi = 0"
    if on_theta and not on_phi:
        return "theta = 0"
    return "the origin"


def _singular_terms(expr, scale, label, ray, direction, vector, phi_syms, theta_syms, linear_ok=()):
    """The additive terms of ``expr`` whose ray limit fails, each multiplied by ``vector``.

    A direction-dependent limit is accepted when it is linear in the symbols ``linear_ok``.
    """
    out = []
    for term in sp.Add.make_args(sp.expand(expr)):
        kind, value = limit_at_zero(term.xreplace(ray) * scale, direction)
        if kind == "finite" or (kind == "direction" and linear_ok and _is_linear(value, linear_ok)):
            continue
        kind0, value0 = limit_at_zero(term.xreplace(ray) * scale * _T, direction)
        continuous = kind0 == "finite" and value0 == 0
        out.append(SingularTerm(label, term * vector, continuous, _where(term, phi_syms, theta_syms)))
    return out


def _linearize_invariant(dyn: Dynamics) -> Linearization:
    ray = {NORM_PHI: _T * _R_PHI, NORM_THETA: _T * _R_THETA, DOT: _T**2 * _R_PHI * _R_THETA * _COS}
    direction = {_R_PHI, _R_THETA, _COS}
    phi_v, theta_v = sp.Symbol("phi"), sp.Symbol("theta")
    f = dyn.invariant
    slots = (("phi'", f.a, phi_v), ("phi'", f.b, theta_v), ("theta'", f.c, phi_v), ("theta'", f.d, theta_v))
    values, singular = [], []
    for label, coeff, vector in slots:
        kind, value = limit_at_zero(coeff.xreplace(ray), direction)
        values.append(value)
        if kind != "finite":
            singular += _singular_terms(coeff, 1, label, ray, direction, vector, (NORM_PHI,), (NORM_THETA,))
    if singular:
        equilibrium = True if all(s.continuous for s in singular) else None
        return Linearization(equilibrium, False, None, None, tuple(singular))
    block = sp.Matrix(2, 2, [sp.simplify(v) for v in values])
    return Linearization(True, True, block, None, ())


def _check_equilibrium(label: str, value: sp.Expr) -> None:
    """Raise unless the field's limit ``value`` at the origin is 0."""
    zero = value.is_zero
    if zero is None:
        try:
            zero = call_with_time_limit(lambda: sp.simplify(value), LIMIT_SECONDS).is_zero
        except TimeLimitExceeded:
            zero = None
    if zero is False:
        raise NotAnEquilibriumError(
            f"phi = theta = 0 is not an equilibrium: {label} tends to {value} there "
            "(the field must vanish at the origin)"
        )
    if zero is None:
        raise NotAnEquilibriumError(
            f"cannot show that phi = theta = 0 is an equilibrium: {label} tends to {value} there"
        )


def _split(expr: sp.Expr, jets: JetBuilder) -> tuple[list[Jet], sp.Expr]:
    """The jets of the additive terms of ``expr`` analytic at 0, and the sum of the other terms."""
    found, rest = [], []
    for term in sp.Add.make_args(expr):
        try:
            found.append(jets(term))
        except NotAnalytic:
            rest.append(term)
    return found, sp.Add(*rest)


def _direct(dyn: Dynamics):
    """``(offsets, rows, residual)``: the analytic part of the field at 0 and the terms left for the rays.

    ``offsets[i]`` is the analytic part's value in component ``i``, ``rows[i]`` its gradient
    ``{j: dF_i/dz_j}``, ``residual[i]`` the non-analytic terms of component ``i`` (0 if none).
    Without field transforms the field is ``-grad`` of the losses, so second-order jets of the two
    losses give the Jacobian without forming the field at all.
    """
    state, n = dyn.state, dyn.dim
    size = 2 * n
    offsets, rows, residual = [sp.S.Zero] * size, [dict() for _ in range(size)], [sp.S.Zero] * size
    if not dyn.transforms:
        jets = JetBuilder(state, order=2)
        for loss, own in ((dyn.d_loss, range(n)), (dyn.g_loss, range(n, size))):
            found, rest = _split(loss, jets)
            own = set(own)
            for j in found:
                for i, g in j.grad.items():
                    if i in own:
                        offsets[i] -= g
                for (a, b), h in j.hess.items():
                    for i, k in ((a, b), (b, a)) if a != b else ((a, b),):
                        if i in own:
                            rows[i][k] = rows[i].get(k, sp.S.Zero) - h
            if rest != 0:
                for i in sorted(own):
                    if state[i] in rest.free_symbols:
                        residual[i] = -sp.diff(rest, state[i])
        return offsets, rows, residual
    jets = JetBuilder(state, order=1)
    for i, comp in enumerate(dyn.field):
        found, residual[i] = _split(comp, jets)
        for j in found:
            offsets[i] += j.value
            for k, g in j.grad.items():
                rows[i][k] = rows[i].get(k, sp.S.Zero) + g
    return offsets, rows, residual


def _tidy(value: sp.Expr) -> sp.Expr:
    return value if value.is_Number else sp.cancel(value)


def _linearize_general(dyn: Dynamics) -> Linearization:
    """Analytic terms by their jets (:mod:`stability.theory.jets`); the others by limits along rays."""
    state = dyn.state
    n = dyn.dim
    offsets, rows, residual = _direct(dyn)
    w = sp.symbols(f"w_1:{2 * n + 1}", real=True, nonzero=True) if any(r != 0 for r in residual) else ()
    ray = {z: _T * wi for z, wi in zip(state, w)}
    direction = set(w)
    phi_syms, theta_syms = state[:n], state[n:]
    singular, failed = [], []
    for i, comp in enumerate(residual):
        label = f"{state[i]}'"
        if comp == 0:
            _check_equilibrium(label, offsets[i])
            continue
        kind, value = limit_at_zero(comp.xreplace(ray), direction)
        if kind == "finite":
            _check_equilibrium(label, offsets[i] + value)
        kind1, value1 = limit_at_zero(comp.xreplace(ray) / _T, direction) if kind == "finite" else (kind, None)
        linear = kind1 == "direction" and value1 is not None and _is_linear(value1, w)
        if kind1 == "finite" or linear:
            for j, wj in enumerate(w):
                d = sp.diff(value1, wj)
                if d != 0:
                    d = call_with_time_limit(lambda d=d: sp.simplify(d), LIMIT_SECONDS)
                    rows[i][j] = rows[i].get(j, sp.S.Zero) + d
        else:
            found = _singular_terms(comp, 1 / _T, label, ray, direction, 1, phi_syms, theta_syms, w)
            singular += found
            if not found:  # the whole component fails although no single term does
                failed.append(SingularTerm(label, comp, False, "the origin"))
    singular += failed
    if singular:
        equilibrium = True if all(s.continuous for s in singular) else None
        return Linearization(equilibrium, False, None, None, tuple(singular))
    entries = {(i, j): _tidy(v) for i, row in enumerate(rows) for j, v in row.items()}
    entries = {k: v for k, v in entries.items() if v != 0}
    jac = sp.zeros(2 * n, 2 * n)
    for (i, j), v in entries.items():
        jac[i, j] = v
    jac = jac.as_immutable()
    return Linearization(True, True, kron_block(entries, n), jac, ())


def _is_linear(expr: sp.Expr, w) -> bool:
    poly_ok = all(sp.diff(expr, wi).free_symbols.isdisjoint(w) for wi in w)
    return poly_ok and sp.simplify(expr.subs({wi: 0 for wi in w})).is_zero is True


def linearize(dyn: Dynamics) -> Linearization:
    """Check the equilibrium at the origin and compute the Jacobian there, if it exists."""
    if dyn.invariant is not None:
        return _linearize_invariant(dyn)
    return _linearize_general(dyn)
