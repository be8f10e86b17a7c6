"""Sign proofs for SymPy expressions: SymPy's assumptions first, then the few rules they lack. Never sampling.

:func:`prove_sign` returns a :class:`Sign` (the sign, where the expression vanishes, and the
proof as :class:`ProofStep` records holding SymPy objects and the :class:`Rule` applied) or
``None`` when nothing applies; ``None`` means *not proved*, never a guess.

Each subexpression is first put to SymPy's assumptions (``(-2*lam*x**2).is_nonpositive`` with
``lam > 0``; ``exp``, ``cosh``, ``sigmoid``, ``softplus`` of a real argument are positive). The
rules below add what those assumptions cannot say:

* where the expression vanishes (the zero set, needed by LaSalle's principle);
* a real symbol of unknown sign "has the sign of itself", and two factors with the sign of
  the same ``x`` make an ``x^2``-like factor >= 0 (the ``g(u) * u`` pattern);
* odd increasing functions (``tanh``, ``sinh``, ``atan``, ``asinh``, ``erf``) keep the sign of
  their argument;
* monotone functions of one variable: ``h(x)`` with ``h(0) = 0`` has the sign of ``x`` when its
  derivative is proved > 0 (``e^x - 1``, ``softplus(x) - log 2``, ``x^3 + x``; for a polynomial
  ``h' >= 0`` suffices, its zeros being isolated), the opposite sign when ``h' < 0``. Only for ``h``
  smooth on the whole real line (:func:`is_smooth`), so that ``h`` is monotone everywhere;
* bounded functions: ``c0 + sum c_i f_i`` with ``sigmoid`` in (0, 1), ``tanh`` in (-1, 1), ...;
* rewriting: expanded, with ``sigmoid(x) = (1 + tanh(x/2))/2`` (so ``1 - 2 sigma(u) = -tanh(u/2)``),
  and factored;
* quadratic forms ``alpha |phi|^2 + 2 beta theta.phi + gamma |theta|^2``, decided by their 2x2
  Gram matrix (Cauchy-Schwarz ``|theta.phi| <= |phi||theta|``).

:func:`prove_sign_near` adds local signs: a continuous factor that is non-zero at a point keeps
its sign on the neighbourhood where it does not vanish (recorded in :attr:`Sign.region`).

>>> import sympy as sp
>>> from stability.model.functions import sigmoid
>>> u = sp.Symbol("u", real=True)
>>> s = prove_sign(2*u*(1 - 2*sigmoid(u)))
>>> s.kind, s.zeros, [step.rule for step in s.steps][:2]
('nonpositive', ((u,),), ['rewritten', 'odd increasing function'])
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from ..model.functions import sigmoid, softplus
from ..verdicts import TextEnum

__all__ = [
    "DNF",
    "Rule",
    "ProofStep",
    "Sign",
    "prove_sign",
    "prove_sign_near",
    "sign_of",
    "is_smooth",
    "sigmoid_as_tanh",
    "is_nonpositive",
    "is_nonnegative",
]

_ODD_INCREASING = (sp.tanh, sp.sinh, sp.atan, sp.asinh, sp.erf)
#: Functions real-analytic on the whole real line (for :func:`is_smooth`).
_ENTIRE = (sp.exp, sp.sinh, sp.cosh, sp.tanh, sp.atan, sp.asinh, sp.erf, sp.sin, sp.cos, sigmoid, softplus)
#: How deep the monotone rule may nest (the derivative's proof may use it once more).
MONOTONE_DEPTH = 2
_BOUNDS = {sigmoid: (0, 1), sp.tanh: (-1, 1), sp.atan: (-sp.pi / 2, sp.pi / 2), sp.erf: (-1, 1)}

_QUERIES = (
    (1, True, "is_positive", sp.StrictGreaterThan),
    (-1, True, "is_negative", sp.StrictLessThan),
    (1, False, "is_nonnegative", sp.GreaterThan),
    (-1, False, "is_nonpositive", sp.LessThan),
)

Conj = tuple[sp.Expr, ...]
DNF = tuple[Conj, ...]


def sigmoid_as_tanh(expr: sp.Expr) -> sp.Expr:
    """``expr`` with every ``sigmoid(x)`` written ``(1 + tanh(x/2))/2`` (the rule of :class:`sigmoid` itself).

    >>> x = sp.Symbol("x", real=True)
    >>> sigmoid_as_tanh(1 - 2*sigmoid(x))
    -tanh(x/2)
    """
    return sp.sympify(expr).rewrite(sigmoid, sp.tanh)


# --------------------------------------------------------------------------- the proof as data
class Rule(TextEnum):
    """The argument of one :class:`ProofStep`."""

    SYMPY = "SymPy's assumptions"  # claim: the relation SymPy proved
    EVEN_POWER = "even power"  # expr = base**even >= 0
    SQUARE = "two factors with one sign"  # variable: the x whose sign two factors share
    ODD_INCREASING = "odd increasing function"  # function, variable: f(variable) has the sign of variable
    BOUNDED = "bounded functions"  # bounds: (lo, hi), functions: the bounded ones
    REWRITE = "rewritten"  # form: the equal expression proved; function: sigmoid if sigma -> tanh was used
    GRAM = "quadratic form"  # matrix: the Gram matrix; claim: expr <= 0 or >= 0 by Cauchy-Schwarz
    MONOTONE = "monotone function"  # variable: x; form: d expr/dx; claim: its proved sign (form > 0, >= 0, ...)
    LOCAL = "sign near a point"  # form: the value at the point; claim: the sign kept on the neighbourhood


@dataclass(frozen=True)
class ProofStep:
    """One step of a sign proof: the :class:`Rule` applied to ``expr``, with the SymPy objects it uses.

    Which optional fields are set depends on the rule (see :class:`Rule`). :attr:`text` is the
    step in plain words.

    >>> x = sp.Symbol("x", real=True)
    >>> ProofStep(Rule.ODD_INCREASING, sp.tanh(x), function=sp.tanh, variable=x).text
    'tanh is odd and increasing: tanh(x) has the sign of x, = 0 iff it is 0'
    """

    rule: Rule
    expr: sp.Expr
    claim: sp.Basic | None = None
    form: sp.Expr | None = None
    function: type | None = None
    variable: sp.Expr | None = None
    bounds: tuple[sp.Expr, sp.Expr] | None = None
    functions: tuple[type, ...] = ()
    matrix: sp.ImmutableMatrix | None = None

    def xreplace(self, rule: dict) -> ProofStep:
        """The same step with ``rule`` applied to every expression it holds."""

        def x(e):
            if isinstance(e, sp.core.relational.Relational):  # keep a claim a claim: never evaluated to True
                return type(e)(e.lhs.xreplace(rule), e.rhs.xreplace(rule), evaluate=False)
            return None if e is None else e.xreplace(rule)

        return ProofStep(
            self.rule,
            x(self.expr),
            x(self.claim),
            x(self.form),
            self.function,
            x(self.variable),
            None if self.bounds is None else (x(self.bounds[0]), x(self.bounds[1])),
            self.functions,
            x(self.matrix),
        )

    @property
    def text(self) -> str:
        """The step in plain words."""
        rule = self.rule
        if rule is Rule.SYMPY:
            return f"{self.claim} (SymPy's assumptions)"
        if rule is Rule.EVEN_POWER:
            base, exp = self.expr.as_base_exp()
            return f"({base})**{exp} >= 0 (even power)"
        if rule is Rule.SQUARE:
            v = self.variable
            return f"{v}*{v} >= 0 (two factors with the sign of {v})"
        if rule is Rule.ODD_INCREASING:
            name = self.function.__name__
            return f"{name} is odd and increasing: {self.expr} has the sign of {self.variable}, = 0 iff it is 0"
        if rule is Rule.BOUNDED:
            lo, hi = self.bounds
            names = ", ".join(f.__name__ for f in self.functions)
            return f"{self.expr} lies in ({lo}, {hi}) since {names} is bounded (open interval)"
        if rule is Rule.REWRITE:
            how = " (sigmoid(x) = (1 + tanh(x/2))/2)" if self.function is sigmoid else ""
            return f"rewritten as {self.form}{how}"
        if rule is Rule.MONOTONE:
            x = self.variable
            up = isinstance(self.claim, (sp.StrictGreaterThan, sp.GreaterThan))
            return (
                f"{self.expr} vanishes at {x} = 0 and its derivative in {x} is {self.claim}: it is "
                f"{'increasing' if up else 'decreasing'}, so it has the {'' if up else 'opposite '}sign of {x}, "
                f"= 0 iff {x} = 0"
            )
        if rule is Rule.LOCAL:
            return (
                f"{self.expr} is continuous and equals {self.form} at the origin, so {self.claim} on the "
                "neighbourhood of the origin where it does not vanish"
            )
        (alpha, beta), (_, gamma) = self.matrix.tolist()
        definite = "negative" if isinstance(self.claim, sp.LessThan) else "positive"
        return (
            f"Cauchy-Schwarz |theta.phi| <= |phi|*|theta|: {self.expr} is a quadratic form with Gram matrix "
            f"[[{alpha}, {beta}], [{beta}, {gamma}]], {definite} semidefinite"
        )


@dataclass(frozen=True)
class Sign:
    """A proved sign: ``sign * expr * var >= 0`` (``var = 1`` when None), ``expr = 0`` exactly on ``zeros``.

    ``zeros`` is a disjunction of conjunctions of equations ``e = 0``: ``()`` means
    never zero (where the expression is defined), ``((),)`` means everywhere.
    ``sign`` is 0 for an expression that is identically zero. ``steps`` is the proof,
    ``form`` the expression it was made on (``expr`` itself or an equal rewritten form).
    ``region`` is empty for a sign that holds everywhere; otherwise the sign (and ``zeros``)
    hold only where every expression of ``region`` is > 0, an open neighbourhood of the point
    :func:`prove_sign_near` was asked about.
    """

    sign: int
    zeros: DNF
    var: sp.Expr | None = None
    steps: tuple[ProofStep, ...] = ()
    form: sp.Expr | None = None
    region: tuple[sp.Expr, ...] = ()

    def xreplace(self, rule: dict) -> Sign:
        """The same proof with ``rule`` applied to every expression (e.g. to rename symbols)."""
        zeros = tuple(tuple(e.xreplace(rule) for e in conj) for conj in self.zeros)
        var = None if self.var is None else self.var.xreplace(rule)
        form = None if self.form is None else self.form.xreplace(rule)
        region = tuple(e.xreplace(rule) for e in self.region)
        return Sign(self.sign, zeros, var, tuple(s.xreplace(rule) for s in self.steps), form, region)

    @property
    def local(self) -> bool:
        """True when the sign is proved only near a point (on :attr:`region`)."""
        return bool(self.region)

    @property
    def facts(self) -> tuple[str, ...]:
        """The proof's steps in plain words."""
        return tuple(s.text for s in self.steps)

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


def _steps(*signs: Sign, extra: tuple[ProofStep, ...] = ()) -> tuple[ProofStep, ...]:
    out: list[ProofStep] = []
    for s in signs:
        out += [f for f in s.steps if f not in out]
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


def _zeros_of(expr: sp.Expr, depth: int = 0) -> DNF:
    s = sign_of(expr, depth)
    return s.zeros if s is not None else ((expr,),)


# --------------------------------------------------------------------------- SymPy first
def _sympy_sign(expr: sp.Expr) -> Sign | None:
    """What SymPy's assumptions prove; for a non-strict sign the zero set is left as ``expr = 0``."""
    if expr.is_zero:
        return _ZERO
    for sign, strict, query, relation in _QUERIES:
        if getattr(expr, query):
            quiet = expr.is_Atom  # a number or a symbol: its sign needs no proof step
            steps = () if quiet else (ProofStep(Rule.SYMPY, expr, claim=relation(expr, 0, evaluate=False)),)
            return Sign(sign, () if strict else ((expr,),), None, steps)
    return None


def _symbol(expr: sp.Symbol) -> Sign | None:
    """A real symbol SymPy cannot sign has the sign of itself (zero iff it is)."""
    if expr.is_nonnegative:
        return Sign(1, ((expr,),))
    if expr.is_nonpositive:
        return Sign(-1, ((expr,),))
    if expr.is_real:
        return Sign(1, ((expr,),), var=expr)
    return None


# --------------------------------------------------------------------------- structural rules
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
    extra = tuple(ProofStep(Rule.SQUARE, v**2, variable=v) for v in even)
    return Sign(sign, _union(*zeros), odd[0] if odd else None, _steps(*signs, extra=extra))


def _sum(signs: list[Sign]) -> Sign | None:
    live = [s for s in signs if s.sign != 0]
    if not live:
        return _ZERO
    first = live[0]
    if any(s.sign != first.sign or s.var != first.var for s in live):
        return None
    return Sign(first.sign, _intersection(*[s.zeros for s in live]), first.var, _steps(*live))


def _power(expr: sp.Pow, depth: int = 0) -> Sign | None:
    base, exp = expr.args
    sb = sign_of(base, depth)
    if exp.is_integer and exp.is_even:
        if sb is not None and sb.sign == 0:
            return _ZERO
        if base.is_real is not True and sb is None:
            return None
        zeros = () if exp.is_negative else (sb.zeros if sb is not None else ((base,),))
        positive_base = sb is not None and sb.strict and sb.sign > 0
        step = (
            () if positive_base else (ProofStep(Rule.EVEN_POWER, expr, claim=sp.GreaterThan(expr, 0, evaluate=False)),)
        )
        return Sign(1, zeros, None, _steps(*([sb] if sb else []), extra=step))
    if sb is None:
        return None
    if sb.sign == 0:
        return _ZERO if exp.is_positive else None
    if exp.is_integer and exp.is_odd:
        return Sign(sb.sign, sb.zeros if exp.is_positive else (), sb.var, sb.steps)
    if sb.var is None and sb.sign > 0 and exp.is_real:
        return Sign(1, sb.zeros if exp.is_positive else (), None, sb.steps)
    return None


def _odd_increasing(expr: sp.Function, depth: int = 0) -> Sign | None:
    inner = sign_of(expr.args[0], depth)
    if inner is None:
        return None
    step = ProofStep(Rule.ODD_INCREASING, expr, function=type(expr), variable=expr.args[0])
    return Sign(inner.sign, inner.zeros, inner.var, _steps(inner, extra=(step,)))


def _bounded(expr: sp.Add) -> Sign | None:
    """``c0 + sum c_i f_i(x_i)`` with numeric c and bounded f (sigmoid in (0, 1), tanh in (-1, 1), ...)."""
    lo = hi = sp.S.Zero
    functions = []
    for term in expr.args:
        coeff, rest = term.as_coeff_Mul()
        if rest == 1:
            lo, hi = lo + coeff, hi + coeff
            continue
        if not (coeff.is_Number and type(rest) in _BOUNDS and rest.args[0].is_real):
            return None
        a, b = _BOUNDS[type(rest)]
        lo, hi = lo + min(coeff * a, coeff * b), hi + max(coeff * a, coeff * b)
        functions.append(type(rest))
    names = tuple(sorted(set(functions), key=lambda f: f.__name__))
    step = (ProofStep(Rule.BOUNDED, expr, bounds=(lo, hi), functions=names),)
    if lo >= 0:
        return Sign(1, (), None, step)
    if hi <= 0:
        return Sign(-1, (), None, step)
    return None


def _structural(expr: sp.Expr, depth: int = 0) -> Sign | None:
    if expr.is_Symbol:
        return _symbol(expr)
    if expr.is_Mul:
        parts = [sign_of(f, depth) for f in expr.args]
        return None if any(p is None for p in parts) else _product(parts)
    if expr.is_Add:
        parts = [sign_of(t, depth) for t in expr.args]
        out = None if any(p is None for p in parts) else _sum(parts)
        out = out if out is not None else _bounded(expr)
        return out if out is not None else _monotone(expr, depth)
    if expr.is_Pow:
        return _power(expr, depth)
    if isinstance(expr, sp.Abs):
        return Sign(1, _zeros_of(expr.args[0], depth))
    if isinstance(expr, _ODD_INCREASING):
        return _odd_increasing(expr, depth)
    return None


# --------------------------------------------------------------------------- monotone functions
def is_smooth(expr: sp.Expr) -> bool:
    """True if ``expr`` is real-analytic for every real value of its (real) symbols; False if not shown.

    Built from numbers, real symbols, ``+``, ``*``, non-negative integer powers, the functions
    analytic on the whole line (exp, sinh, cosh, tanh, atan, asinh, erf, sin, cos, sigmoid,
    softplus), and real powers and logarithms of expressions proved > 0.

    >>> x = sp.Symbol("x", real=True)
    >>> is_smooth(sp.exp(x) - x**3), is_smooth(1/(1 - x)), is_smooth(sp.Heaviside(x + 1))
    (True, False, False)
    """
    expr = sp.sympify(expr)
    if expr.is_Atom:
        return expr.is_real is True
    if expr.is_Add or expr.is_Mul:
        return all(is_smooth(a) for a in expr.args)
    if expr.is_Pow:
        base, exp = expr.args
        if not (is_smooth(base) and exp.is_real and not exp.free_symbols):
            return False
        return bool(exp.is_integer and exp.is_nonnegative) or _strictly_positive(base)
    if isinstance(expr, _ENTIRE):
        return is_smooth(expr.args[0])
    if isinstance(expr, sp.log):
        return is_smooth(expr.args[0]) and _strictly_positive(expr.args[0])
    return False


def _strictly_positive(expr: sp.Expr) -> bool:
    if expr.is_positive:
        return True
    s = sign_of(expr, MONOTONE_DEPTH)  # no monotone rule inside this check
    return s is not None and s.strict and s.sign > 0


def _unknown_sign(v: sp.Symbol) -> bool:
    return v.is_real is True and not v.is_nonnegative and not v.is_nonpositive


def _monotone(expr: sp.Expr, depth: int) -> Sign | None:
    """``h(x)`` smooth on the line with ``h(0) = 0`` and ``h' > 0`` (``< 0``) has the sign (opposite sign) of x.

    ``x`` is the one real symbol of unknown sign; other symbols are constants (their declared
    signs may be used). For a polynomial in x, ``h' >= 0`` with ``h'`` not identically 0 is
    enough (its zeros are isolated, so h is still strictly increasing).
    """
    if depth >= MONOTONE_DEPTH or any(v.is_real is not True for v in expr.free_symbols):
        return None
    free = [v for v in expr.free_symbols if _unknown_sign(v)]
    if len(free) != 1:
        return None
    (x,) = free
    at0 = expr.xreplace({x: sp.S.Zero})
    if not (at0 == 0 or sp.simplify(at0) == 0) or not is_smooth(expr):
        return None
    slope = sp.diff(expr, x)
    s = _prove(slope, depth + 1)
    if s is None or s.var is not None or s.sign == 0:
        return None
    if s.zeros != ():
        if not expr.is_polynomial(x):
            return None
        if not any(c.is_zero is False for c in sp.Poly(slope, x).coeffs()):
            return None
        relation = sp.GreaterThan if s.sign > 0 else sp.LessThan
    else:
        relation = sp.StrictGreaterThan if s.sign > 0 else sp.StrictLessThan
    step = ProofStep(Rule.MONOTONE, expr, claim=relation(slope, 0, evaluate=False), form=slope, variable=x)
    return Sign(s.sign, ((x,),), x, _steps(s, extra=(step,)))


def sign_of(expr: sp.Expr, depth: int = 0) -> Sign | None:
    """The sign of ``expr`` by SymPy's assumptions and the structural rules (no rewriting); None if not proved.

    >>> x = sp.Symbol("x", real=True)
    >>> sign_of(-x * sp.tanh(x)).kind
    'nonpositive'
    """
    expr = sp.sympify(expr)
    known = _sympy_sign(expr)
    if known is not None and (known.sign == 0 or known.zeros == ()):
        return known
    found = _structural(expr, depth)
    if known is None:
        return found
    # SymPy proved a non-strict sign; the structure, when it applies, knows where expr vanishes.
    if found is None or found.var is not None or found.sign != known.sign:
        zeros = found.zeros if found is not None else known.zeros
        return Sign(known.sign, zeros, None, known.steps)
    return found


# --------------------------------------------------------------------------- quadratic forms
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
    gram = sp.ImmutableMatrix([[alpha, beta], [beta, gamma]])
    for sign in (-1, 1):
        sa, sg, sd = sign_of(sign * alpha), sign_of(sign * gamma), sign_of(det)
        if None in (sa, sg, sd) or not (sa.nonnegative and sg.nonnegative and sd.nonnegative):
            continue
        claim = (sp.LessThan if sign < 0 else sp.GreaterThan)(expr, 0, evaluate=False)
        step = (ProofStep(Rule.GRAM, expr, claim=claim, matrix=gram),)
        if sd.strict and sa.strict:
            return Sign(sign, (), None, step)
        if sd.sign == 0 and sa.strict:
            k = sp.simplify(beta / alpha)  # form = alpha |phi + k theta|^2
            return Sign(sign, ((r - sp.Abs(k) * s, u + k * s**2),), None, step)
    return None


# --------------------------------------------------------------------------- the prover
def _forms(expr: sp.Expr) -> list[tuple[sp.Expr, type | None]]:
    """``expr`` and equal forms to retry on, each with the function rewritten to get it (or None)."""
    forms = [(expr, None), (sp.expand(expr), None)]
    if expr.has(sigmoid):
        as_tanh = sp.expand(sigmoid_as_tanh(expr))
        forms += [(as_tanh, sigmoid), (sp.factor(as_tanh), sigmoid)]
    forms.append((sp.factor(expr), None))
    unique: list[tuple[sp.Expr, type | None]] = []
    for form, how in forms:
        if not any(form == f for f, _ in unique):
            unique.append((form, how))
    return unique


def prove_sign(expr: sp.Expr, quadratic: tuple[sp.Symbol, sp.Symbol, sp.Symbol] | None = None) -> Sign | None:
    """Prove the sign of ``expr`` (rules of :func:`sign_of`, retried on rewritten forms).

    ``quadratic = (|phi|, |theta|, theta.phi)`` enables the Gram-matrix rule. The
    returned :class:`Sign` carries the ``form`` the proof was made on and its ``steps``
    (a :attr:`Rule.REWRITE` step first when that form is not ``expr`` itself).

    >>> x = sp.Symbol("x", real=True)
    >>> prove_sign(x - 2*x*sigmoid(x)).form
    -x*tanh(x/2)
    >>> prove_sign(sp.sin(x)) is None
    True
    """
    expr = sp.sympify(expr)
    found = _prove(expr, 0)
    if found is not None or quadratic is None:
        return found
    s = _gram(expr, quadratic)
    return None if s is None else Sign(s.sign, s.zeros, s.var, s.steps, expr)


def _prove(expr: sp.Expr, depth: int) -> Sign | None:
    """The rules of :func:`sign_of` on ``expr`` and its rewritten forms (no Gram matrix).

    The monotone rule (which differentiates) is tried only when the other rules fail on every form.
    """
    forms = _forms(expr)
    for level in dict.fromkeys((MONOTONE_DEPTH, depth)):
        for form, how in forms:
            s = sign_of(form, level)
            if s is not None:
                rewrite = () if form == expr else (ProofStep(Rule.REWRITE, expr, form=form, function=how),)
                return Sign(s.sign, s.zeros, s.var, rewrite + s.steps, form)
    return None


# --------------------------------------------------------------------------- near a point
_RELATION = {1: sp.StrictGreaterThan, -1: sp.StrictLessThan}


def _local_factor(factor: sp.Expr, point: dict, quadratic) -> tuple[Sign, sp.Expr | None] | None:
    """A factor's sign: proved everywhere, or kept near ``point`` (with the expression that must stay > 0)."""
    found = prove_sign(factor, quadratic)
    if found is not None:
        return found, None
    base, exp = factor.as_base_exp()
    if factor.is_Pow and exp.is_Integer and exp > 1:
        inner = _local_factor(base, point, quadratic)
        if inner is None:
            return None
        sign, region = inner
        return Sign(sign.sign**exp, (), None, sign.steps), region
    if not is_smooth(factor):  # continuity at the point, whatever the values of the symbols
        return None
    value = sp.simplify(factor.xreplace(point))
    if value.has(sp.nan, sp.zoo, sp.oo, -sp.oo) or value.free_symbols & set(point):
        return None
    at = prove_sign(value)
    if at is None or not at.strict:
        return None
    step = ProofStep(Rule.LOCAL, factor, claim=_RELATION[at.sign](factor, 0), form=value)
    return Sign(at.sign, (), None, _steps(at, extra=(step,))), at.sign * factor


def prove_sign_near(expr: sp.Expr, point: dict, quadratic=None) -> Sign | None:
    """The sign of ``expr`` everywhere (:func:`prove_sign`) or, failing that, on a neighbourhood of ``point``.

    ``expr`` is factored; each factor's sign is proved everywhere, or, for a factor continuous
    at ``point`` with a value there of proved strict sign, kept on the open set where that
    factor does not vanish. Failing that, the terms are grouped by the powers of one symbol and
    each group is signed so. The result's :attr:`Sign.region` lists those factors (times their
    sign): the sign holds where all of them are > 0, a neighbourhood of ``point``.

    >>> x, y = sp.symbols("x y", real=True)
    >>> s = prove_sign_near(-x**2 * (1 + x*y), {x: 0, y: 0})
    >>> s.kind, s.region
    ('nonpositive', (x*y + 1,))
    """
    expr = sp.sympify(expr)
    found = prove_sign(expr, quadratic)
    if found is not None:
        return found
    found = _near_product(expr, point, quadratic)
    if found is not None:
        return found
    expanded = sp.expand(expr)
    if not expanded.is_Add:
        return None
    for v in sorted(expanded.free_symbols, key=str):  # group the terms by the powers of one symbol
        groups = sp.collect(expanded, v, evaluate=False)
        if len(groups) < 2:
            continue
        terms = [sp.factor(k * c) for k, c in groups.items()]
        signs = [prove_sign(t, quadratic) or _near_product(t, point, quadratic) for t in terms]
        if any(t is None for t in signs):
            continue
        total = _sum(signs)
        if total is None:
            continue
        form = sp.Add(*terms, evaluate=False)
        region = tuple(dict.fromkeys(e for t in signs for e in t.region))
        rewrite = (ProofStep(Rule.REWRITE, expr, form=form),)
        return Sign(total.sign, total.zeros, total.var, rewrite + total.steps, form, region)
    return None


def _near_product(expr: sp.Expr, point: dict, quadratic) -> Sign | None:
    """``expr`` factored, each factor signed everywhere or near ``point``."""
    form = sp.factor(expr)
    parts = [_local_factor(f, point, quadratic) for f in sp.Mul.make_args(form)]
    if any(p is None for p in parts):
        return None
    product = _product([sign for sign, _ in parts])
    if product is None:
        return None
    region = tuple(dict.fromkeys(e for _, e in parts if e is not None))
    rewrite = () if form == expr else (ProofStep(Rule.REWRITE, expr, form=form),)
    return Sign(product.sign, product.zeros, product.var, rewrite + product.steps, form, region)


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
