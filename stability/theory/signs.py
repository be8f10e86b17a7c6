"""Sign proofs for SymPy expressions: a small set of rules, applied structurally, never sampling.

:func:`prove_sign` returns a :class:`Sign` (the sign, where the expression vanishes, and the
facts used) or ``None`` when no rule applies; ``None`` means *not proved*, never a guess.

The rules: numbers; symbols through their assumptions (a real symbol of unknown sign
"has the sign of itself"); even powers and ``Abs`` are >= 0; ``exp``, ``sigmoid``,
``softplus``, ``cosh`` are > 0; odd increasing functions (``tanh``, ``sinh``, ``atan``,
``asinh``, ``erf``) keep the sign of their argument; products multiply signs (two factors
with the sign of the same ``x`` give ``x^2``-like factors >= 0, the ``g(u)*u`` pattern); sums
of terms of one sign keep it.  When the expression as given does not yield, it is retried
expanded, with ``sigmoid(x) = (1 + tanh(x/2))/2`` (so ``1 - 2 sigma(u) = -tanh(u/2)``), and
factored; quadratic forms ``alpha |phi|^2 + 2 beta theta.phi + gamma |theta|^2`` are decided
by their 2x2 Gram matrix (Cauchy-Schwarz ``|theta.phi| <= |phi||theta|``).

>>> import sympy as sp
>>> from stability.model.functions import sigmoid
>>> u = sp.Symbol("u", real=True)
>>> s = prove_sign(2*u*(1 - 2*sigmoid(u)))
>>> s.kind, s.zeros
('nonpositive', ((u,),))
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..model.functions import sigmoid, softplus

__all__ = ["Sign", "prove_sign", "sign_of", "is_nonpositive", "is_nonnegative"]

_POSITIVE_FUNCTIONS = (sp.exp, sigmoid, softplus, sp.cosh)
_ODD_INCREASING = (sp.tanh, sp.sinh, sp.atan, sp.asinh, sp.erf)

Conj = tuple[sp.Expr, ...]
DNF = tuple[Conj, ...]


@dataclass(frozen=True)
class Sign:
    """A proved sign: ``sign * expr * var >= 0`` (``var = 1`` when None), ``expr = 0`` exactly on ``zeros``.

    ``zeros`` is a disjunction of conjunctions of equations ``e = 0``: ``()`` means
    never zero (where the expression is defined), ``((),)`` means everywhere.
    ``sign`` is 0 for an expression that is identically zero.
    """

    sign: int
    zeros: DNF
    var: sp.Expr | None = None
    facts: tuple[str, ...] = ()
    form: sp.Expr | None = None

    @property
    def kind(self) -> str:
        """ "positive", "negative", "nonnegative", "nonpositive", "zero", or "sign of x"."""
        if self.sign == 0:
            return "zero"
        if self.var is not None:
            return ("sign of " if self.sign > 0 else "opposite sign of ") + str(self.var)
        strict = self.zeros == ()
        if self.sign > 0:
            return "positive" if strict else "nonnegative"
        return "negative" if strict else "nonpositive"

    @property
    def nonpositive(self) -> bool:
        return self.var is None and self.sign <= 0

    @property
    def nonnegative(self) -> bool:
        return self.var is None and self.sign >= 0

    @property
    def strict(self) -> bool:
        return self.sign != 0 and self.var is None and self.zeros == ()


_ZERO = Sign(0, ((),))


def _facts(*signs: Sign, extra: tuple[str, ...] = ()) -> tuple[str, ...]:
    out: list[str] = []
    for s in signs:
        out += [f for f in s.facts if f not in out]
    return tuple(out + [f for f in extra if f not in out])


def _union(*dnfs: DNF) -> DNF:
    out: list[Conj] = []
    for d in dnfs:
        out += [c for c in d if c not in out]
    return tuple(out)


def _intersection(*dnfs: DNF) -> DNF:
    acc: list[Conj] = [()]
    for d in dnfs:
        acc = [tuple(dict.fromkeys(a + b)) for a in acc for b in d]
    return tuple(dict.fromkeys(acc))


def _zeros_of(expr: sp.Expr) -> DNF:
    s = sign_of(expr)
    return s.zeros if s is not None else ((expr,),)


def _tex(expr) -> str:
    return str(expr)


def _number(expr: sp.Expr) -> Sign | None:
    if expr.is_zero:
        return _ZERO
    if expr.is_extended_real is not True:
        return None
    if expr.is_positive:
        return Sign(1, ())
    if expr.is_negative:
        return Sign(-1, ())
    return None


def _symbol(expr: sp.Symbol) -> Sign | None:
    if expr.is_positive:
        return Sign(1, ())
    if expr.is_negative:
        return Sign(-1, ())
    if expr.is_nonnegative:
        return Sign(1, ((expr,),))
    if expr.is_nonpositive:
        return Sign(-1, ((expr,),))
    if expr.is_real:
        return Sign(1, ((expr,),), var=expr)
    return None


def _product(signs: list[Sign]) -> Sign | None:
    if any(s.sign == 0 for s in signs):
        return _ZERO
    sign, parity, zeros = 1, {}, []
    for s in signs:
        sign *= s.sign
        if s.var is not None:
            parity[s.var] = parity.get(s.var, 0) ^ 1
        zeros.append(s.zeros)
    odd = [v for v, p in parity.items() if p]
    if len(odd) > 1:
        return None
    even = [v for v, p in parity.items() if not p]
    extra = tuple(f"{v}*{v} >= 0 (two factors with the sign of {v})" for v in even)
    return Sign(sign, _union(*zeros), odd[0] if odd else None, _facts(*signs, extra=extra))


def _sum(signs: list[Sign]) -> Sign | None:
    live = [s for s in signs if s.sign != 0]
    if not live:
        return _ZERO
    first = live[0]
    if any(s.sign != first.sign or s.var != first.var for s in live):
        return None
    return Sign(first.sign, _intersection(*[s.zeros for s in live]), first.var, _facts(*live))


def _power(base: sp.Expr, exp: sp.Expr) -> Sign | None:
    sb = sign_of(base)
    if exp.is_integer and exp.is_even:
        if sb is not None and sb.sign == 0:
            return _ZERO
        if base.is_real is not True and sb is None:
            return None
        zeros = () if exp.is_negative else (sb.zeros if sb is not None else ((base,),))
        fact = () if (sb is not None and sb.var is None and sb.sign > 0) else (f"({base})**{exp} >= 0 (even power)",)
        return Sign(1, zeros, None, _facts(*([sb] if sb else []), extra=fact))
    if sb is None:
        return None
    if sb.sign == 0:
        return _ZERO if exp.is_positive else None
    if exp.is_integer and exp.is_odd:
        return Sign(sb.sign, sb.zeros if exp.is_positive else (), sb.var, sb.facts)
    if sb.var is None and sb.sign > 0 and exp.is_real:
        return Sign(1, sb.zeros if exp.is_positive else (), None, sb.facts)
    return None


def sign_of(expr: sp.Expr) -> Sign | None:
    """The sign of ``expr`` by structural rules only (no rewriting); None if not proved.

    >>> x = sp.Symbol("x", real=True)
    >>> sign_of(-x * sp.tanh(x)).kind
    'nonpositive'
    """
    expr = sp.sympify(expr)
    if expr.is_Number or (expr.is_number and not expr.free_symbols):
        return _number(expr)
    if expr.is_Symbol:
        return _symbol(expr)
    if expr.is_Mul:
        parts = [sign_of(f) for f in expr.args]
        return None if any(p is None for p in parts) else _product(parts)
    if expr.is_Add:
        parts = [sign_of(t) for t in expr.args]
        out = None if any(p is None for p in parts) else _sum(parts)
        return out if out is not None else _bounded(expr)
    if expr.is_Pow:
        return _power(*expr.args)
    if isinstance(expr, sp.Abs):
        return Sign(1, _zeros_of(expr.args[0]))
    if isinstance(expr, _POSITIVE_FUNCTIONS):
        if expr.args[0].is_real:
            name = type(expr).__name__
            return Sign(1, (), None, (f"{name}(x) > 0",) if name in ("sigmoid", "softplus") else ())
        return None
    if isinstance(expr, _ODD_INCREASING):
        inner = sign_of(expr.args[0])
        if inner is None:
            return None
        name = type(expr).__name__
        fact = f"{name} is odd and increasing: {expr} has the sign of {expr.args[0]}, = 0 iff it is 0"
        return Sign(inner.sign, inner.zeros, inner.var, _facts(inner, extra=(fact,)))
    return None


_BOUNDS = {sigmoid: (0, 1), sp.tanh: (-1, 1), sp.atan: (-sp.pi / 2, sp.pi / 2), sp.erf: (-1, 1)}


def _bounded(expr: sp.Expr) -> Sign | None:
    """``c0 + sum c_i f_i(x_i)`` with numeric c and bounded f (sigmoid in (0, 1), tanh in (-1, 1), ...)."""
    lo = hi = sp.S.Zero
    names = []
    for term in expr.args:
        coeff, rest = term.as_coeff_Mul()
        if rest == 1:
            lo, hi = lo + coeff, hi + coeff
            continue
        if not (coeff.is_Number and type(rest) in _BOUNDS and rest.args[0].is_real):
            return None
        a, b = _BOUNDS[type(rest)]
        lo, hi = lo + min(coeff * a, coeff * b), hi + max(coeff * a, coeff * b)
        names.append(type(rest).__name__)
    fact = (f"{expr} lies in ({lo}, {hi}) since {', '.join(sorted(set(names)))} is bounded (open interval)",)
    if lo >= 0:
        return Sign(1, (), None, fact)
    if hi <= 0:
        return Sign(-1, (), None, fact)
    return None


def _sigmoid_as_tanh(expr: sp.Expr) -> sp.Expr:
    return expr.replace(sigmoid, lambda x: (1 + sp.tanh(x / 2)) / 2)


def _gram(expr: sp.Expr, quadratic) -> Sign | None:
    """``alpha r^2 + 2 beta u + gamma s^2`` with constant coefficients, by its Gram matrix."""
    r, s, u = quadratic
    try:
        poly = sp.Poly(sp.expand(expr), r, s, u)
    except sp.PolynomialError:
        return None
    allowed = {(2, 0, 0), (0, 2, 0), (0, 0, 1)}
    if not set(poly.as_dict()) <= allowed:
        return None
    alpha, gamma = poly.coeff_monomial(r**2), poly.coeff_monomial(s**2)
    beta = poly.coeff_monomial(u) / 2
    det = sp.simplify(alpha * gamma - beta**2)
    for sign in (-1, 1):
        sa, sg, sd = sign_of(sign * alpha), sign_of(sign * gamma), sign_of(det)
        if None in (sa, sg, sd) or not (sa.nonnegative and sg.nonnegative and sd.nonnegative):
            continue
        fact = (
            f"Cauchy-Schwarz |{u}| <= {r}*{s}: {expr} is a quadratic form with Gram matrix "
            f"[[{alpha}, {beta}], [{beta}, {gamma}]], {'negative' if sign < 0 else 'positive'} semidefinite"
        )
        if sd.strict and sa.strict:
            return Sign(sign, (), None, (fact,))
        if sd.sign == 0 and sa.strict:
            k = sp.simplify(beta / alpha)  # form = alpha |phi + k theta|^2
            return Sign(sign, ((r - sp.Abs(k) * s, u + k * s**2),), None, (fact,))
    return None


def prove_sign(expr: sp.Expr, quadratic: tuple[sp.Symbol, sp.Symbol, sp.Symbol] | None = None) -> Sign | None:
    """Prove the sign of ``expr`` (rules of :func:`sign_of`, retried on rewritten forms).

    ``quadratic = (|phi|, |theta|, theta.phi)`` enables the Gram-matrix rule. The
    returned :class:`Sign` carries the ``form`` the proof was made on and the ``facts`` used.

    >>> x = sp.Symbol("x", real=True)
    >>> prove_sign(x - 2*x*sigmoid(x)).form
    -x*tanh(x/2)
    >>> prove_sign(sp.sin(x)) is None
    True
    """
    expr = sp.sympify(expr)
    forms = [expr]
    expanded = sp.expand(expr)
    forms.append(expanded)
    if expr.has(sigmoid):
        forms.append(sp.expand(_sigmoid_as_tanh(expr)))
        forms.append(sp.factor(forms[-1]))
    forms.append(sp.factor(expr))
    tried = []
    for form in forms:
        if any(form == t for t in tried):
            continue
        tried.append(form)
        s = sign_of(form)
        if s is not None:
            extra = () if form == expr else (f"rewritten as {form}",)
            return Sign(s.sign, s.zeros, s.var, extra + s.facts, form)
    if quadratic is not None:
        s = _gram(expr, quadratic)
        if s is not None:
            return Sign(s.sign, s.zeros, s.var, s.facts, expr)
    return None


def _decide(expr: sp.Expr, want: int, quadratic=None) -> bool | None:
    s = prove_sign(expr, quadratic)
    if s is None:
        return None
    if s.sign == 0:
        return True
    if s.var is not None:  # takes both signs (var real, unconstrained)
        return False
    if s.sign == want:
        return True
    return False if s.zeros != ((),) else True


def is_nonpositive(expr: sp.Expr, quadratic=None) -> bool | None:
    """True if ``expr <= 0`` is proved, False if it is proved positive somewhere, None if undecided.

    >>> x = sp.Symbol("x", real=True)
    >>> is_nonpositive(-x**2), is_nonpositive(x**3), is_nonpositive(sp.sin(x)) is None
    (True, False, True)
    """
    return _decide(sp.sympify(expr), -1, quadratic)


def is_nonnegative(expr: sp.Expr, quadratic=None) -> bool | None:
    """True if ``expr >= 0`` is proved, False if it is proved negative somewhere, None if undecided."""
    return _decide(sp.sympify(expr), 1, quadratic)
