r"""Safe parsing of loss expressions written as text, e.g. on the command line.

:func:`parse_expression` turns a string such as ``"-log(1 - sigmoid(theta.phi))"``
into a SymPy expression in the Dirac GAN's parameters ``phi`` (the discriminator's)
and ``theta`` (the generator's), both vectors of length ``n``.

It never runs Python code: the text is read with :func:`ast.parse` and the syntax
tree is walked with an explicit whitelist that builds SymPy objects directly; there
is no ``eval``, ``exec`` or ``sympify`` of the user's text.

The expression language
-----------------------

* **Numbers**: integers and decimals, read exactly (``0.1`` is ``1/10``, never a
  float); scientific notation such as ``1e-3`` or ``2.5E2``.
* **Operators**: ``+ - * / **``, unary ``+``/``-`` and parentheses, with Python's
  precedence (``-x**2`` is ``-(x**2)``; ``**`` binds to the right).
* **Vectors**: ``phi`` (alias ``varphi``) and ``theta``. Vectors may be added,
  subtracted, negated, multiplied by a scalar and divided by a scalar.
* **Components** (scalars): ``phi1`` .. ``phin`` and ``theta1`` .. ``thetan``, 1-based;
  ``phi_1`` and ``varphi1`` are accepted too.
* **Dot product**: ``theta.phi`` (the notation of the source post), ``theta @ phi`` or
  ``dot(theta, phi)``; the operands may be any vector expressions, as in
  ``(theta - phi) @ (theta - phi)``. **Norm**: ``norm(phi)``, the Euclidean norm.
* **Functions** of a scalar: ``exp log sqrt tanh sigmoid softplus abs sin cos``.
* **Constants** ``pi`` and ``e``, and the names of the parameters passed as ``params``
  (for example ``lam``).

The whole expression must be a scalar. Anything else -- other names, attribute access,
indexing, strings, comparisons, lambdas, comprehensions, keyword arguments, ``%``,
``^`` (write ``**``) ... -- raises :class:`~stability.ExpressionParseError`, a
``ValueError``, whose message names the offending construct, where it is, and what is
allowed.

Some limits keep every input quick to build or to reject, whatever SymPy would do with it:

* at most 2,000 characters, 1,000 syntax nodes, 50 levels of nesting (a flat sum
  ``a + b + c + ...`` is one level) and 20 levels of nested function calls;
* integer literals at most ``10**12``; numbers in an exponent at most 64 in absolute
  value, so ``9**9**9`` and ``phi1**100000`` are refused before anything is computed;
  powers that combine, as in ``(phi1**64)**4``, at most 256; ``exp``, ``e**``,
  ``sigmoid`` or ``softplus`` of something containing ``log`` only with numbers up to 64;
* an exponent that depends on ``phi`` or ``theta`` only over a positive constant base
  (``e**x``, ``2**x``; not ``phi1**theta1``);
* constant parts (those without ``phi``, ``theta`` or parameters) real, finite and at
  most ``1e300`` in absolute value: no ``1/0``, ``log(0)``, ``sqrt(-1)`` or ``exp(exp(10))``;
* at most 50,000 + 100 n SymPy nodes, and 5 s to build (a last-resort timer, on the
  main thread of POSIX systems).

>>> import sympy as sp
>>> phi = sp.symbols("phi1:3", real=True)
>>> theta = sp.symbols("theta1:3", real=True)
>>> parse_expression("-log(1 - sigmoid(theta.phi))", phi, theta)
-log(1 - sigmoid(phi1*theta1 + phi2*theta2))
>>> lam = sp.Symbol("lam", positive=True)
>>> parse_expression("theta @ phi + lam*(norm(phi) - 1)**2", phi, theta, {"lam": lam})
lam*(sqrt(phi1**2 + phi2**2) - 1)**2 + phi1*theta1 + phi2*theta2
>>> parse_expression("0.1*phi_1**2 - softplus(-theta2)", phi, theta)
phi1**2/10 - softplus(-theta2)
>>> parse_expression("phi + theta", phi, theta)
Traceback (most recent call last):
...
stability.errors.ExpressionParseError: a loss must be a scalar; got a vector of length 2
>>> parse_expression("__import__('os')", phi, theta)  # doctest: +ELLIPSIS
Traceback (most recent call last):
...
stability.errors.ExpressionParseError: unknown function '__import__' (column 1); functions: abs, cos, dot, exp, ...
"""

from __future__ import annotations

import ast
import cmath
import keyword
import math
import re
import time
import unicodedata
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import sympy as sp

from ..errors import ExpressionParseError, InvalidParameterError
from ..timeout import TimeLimitExceeded, time_limit
from .functions import sigmoid, softplus
from .space import ComponentSpace, InvariantSpace, InvVec, NotRotationInvariant

__all__ = [
    "parse_expression",
    "parse_in_space",
    "LossText",
    "check_loss_text",
    "MAX_LENGTH",
    "MAX_NODES",
    "MAX_DEPTH",
    "MAX_CALL_DEPTH",
    "MAX_FUNCTION_NESTING",
    "MAX_INTEGER",
    "MAX_EXPONENT",
    "MAX_POWER",
    "MAX_NUMBER_BITS",
    "MAX_TREE_SIZE",
    "MAX_CONSTANT",
    "MAX_SECONDS",
]

#: Longest accepted expression, in characters.
MAX_LENGTH = 2000
#: Most expression nodes in the syntax tree.
MAX_NODES = 1000
#: Deepest nesting of the syntax tree (a chain ``a + b + c + ...`` counts as one level).
MAX_DEPTH = 50
#: Deepest nesting of function calls such as ``abs(abs(...))``; SymPy slows down sharply past it.
MAX_CALL_DEPTH = 20
#: Deepest nesting of exp, log, sigmoid, softplus, tanh, sin, cos (or a power with a variable exponent) around
#: phi or theta, as in ``sigmoid(sigmoid(theta.phi))``: each level multiplies the terms of the training field's
#: derivatives (sigmoid nested 6 deep takes seconds to analyse, 8 deep half a minute, exp 6 deep does not end).
MAX_FUNCTION_NESTING = 6
#: Largest integer literal, in absolute value.
MAX_INTEGER = 10**12
#: Largest number (in absolute value) allowed in an exponent, and in ``exp(...)`` of a ``log``.
MAX_EXPONENT = 64
#: Largest exponent after SymPy combines powers, e.g. ``(phi1**64)**4``.
MAX_POWER = 256
#: Largest numerator or denominator, in bits, of any number in an expression.
MAX_NUMBER_BITS = 1024
#: Most nodes in the SymPy expression tree (shared parts count each time), plus 100 per dimension.
MAX_TREE_SIZE = 50_000
#: Largest absolute value of a constant sub-expression such as ``exp(exp(5))``.
MAX_CONSTANT = 1e300
#: Time after which building the expression is abandoned (a safety net; the limits above act first).
MAX_SECONDS = 5.0

_VECTOR_NAMES = ("phi", "varphi", "theta")
_COMPONENT_RE = re.compile(r"(phi|varphi|theta)(_?)([0-9]+)")
_DECIMAL_RE = re.compile(r"([0-9]*)(?:\.([0-9]*))?(?:[eE]([+-]?[0-9]+))?")

_SCALAR_FUNCTIONS = {
    "abs": sp.Abs,
    "cos": sp.cos,
    "exp": sp.exp,
    "log": sp.log,
    "sigmoid": sigmoid,
    "sin": sp.sin,
    "softplus": softplus,
    "sqrt": sp.sqrt,
    "tanh": sp.tanh,
}
_VECTOR_FUNCTIONS = {"dot": 2, "norm": 1}  # name -> number of vector arguments
_FUNCTION_NAMES = ", ".join(sorted([*_SCALAR_FUNCTIONS, *_VECTOR_FUNCTIONS]))
_CONSTANTS = {"pi": sp.pi, "e": sp.E}
_GROWING = (sp.exp, sp.log, sp.tanh, sp.sin, sp.cos, sigmoid, softplus)


def _sigmoid_value(z: complex) -> complex:
    if z.imag == 0:
        x = z.real
        return complex(1 / (1 + math.exp(-x)) if x >= 0 else math.exp(x) / (1 + math.exp(x)))
    return 1 / (1 + cmath.exp(-z))


def _softplus_value(z: complex) -> complex:
    if z.imag == 0:
        x = z.real
        return complex(max(x, 0.0) + math.log1p(math.exp(-abs(x))))
    return cmath.log(1 + cmath.exp(z))


_APPROXIMATIONS = {
    sp.exp: cmath.exp,
    sp.log: cmath.log,
    sp.sin: cmath.sin,
    sp.cos: cmath.cos,
    sp.tanh: cmath.tanh,
    sp.Abs: lambda z: complex(abs(z)),
    sigmoid: _sigmoid_value,
    softplus: _softplus_value,
}
_UNDEFINED = (sp.S.ComplexInfinity, sp.S.NaN, sp.S.Infinity, sp.S.NegativeInfinity)

_FORBIDDEN_NODES = {
    ast.Lambda: "a lambda expression",
    ast.IfExp: "a conditional expression (x if c else y)",
    ast.Compare: "a comparison",
    ast.BoolOp: "'and'/'or'",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a generator expression",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dictionary",
    ast.Subscript: "indexing such as x[0] (write phi1 or phi_1 for a component)",
    ast.Starred: "a starred expression (*x)",
    ast.NamedExpr: "an assignment expression (:=)",
    ast.Await: "'await'",
    ast.Yield: "'yield'",
    ast.YieldFrom: "'yield from'",
    ast.JoinedStr: "an f-string",
    ast.FormattedValue: "an f-string",
    ast.Slice: "a slice",
}
_FORBIDDEN_OPERATORS = {
    ast.Mod: "the operator '%'",
    ast.FloorDiv: "the operator '//'",
    ast.BitXor: "the operator '^' (write ** for a power)",
    ast.BitOr: "the operator '|'",
    ast.BitAnd: "the operator '&'",
    ast.LShift: "the operator '<<'",
    ast.RShift: "the operator '>>'",
    ast.Not: "the operator 'not'",
    ast.Invert: "the operator '~'",
}
_ALLOWED_SYNTAX = "numbers, names, + - * / ** @, parentheses, u.v (dot product) and function calls f(x)"


def parse_expression(
    text: str,
    phi: tuple[sp.Symbol, ...],
    theta: tuple[sp.Symbol, ...],
    params: Mapping[str, sp.Symbol] | None = None,
) -> sp.Expr:
    """Parse ``text`` into a scalar SymPy expression in ``phi``, ``theta`` and ``params``.

    ``phi`` and ``theta`` are the symbols of the two vectors (equal lengths ``n >= 1``);
    ``params`` maps the names of extra symbols (such as ``"lam"``) to the SymPy symbols
    (or expressions) they stand for. See the module documentation for the language.

    Raises :class:`~stability.ExpressionParseError` (a ``ValueError``) for text that is
    not a valid, safe, scalar expression -- including non-string input -- and
    :class:`~stability.InvalidParameterError` for bad ``phi``, ``theta`` or ``params``.

    >>> import sympy as sp
    >>> x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
    >>> parse_expression("phi1 * theta_1 / 4 + 2.5e-1", (x,), (y,))
    x*y/4 + 1/4
    >>> parse_expression("phi3", (x,), (y,))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stability.errors.ExpressionParseError: component index out of range in 'phi3' (column 1); valid components ...
    """
    phi_t, theta_t = _check_symbols(phi, theta)
    param_map = _check_params(params)
    body, col_shift, tree = _syntax_tree(text)
    variables = frozenset(phi_t) | frozenset(theta_t)
    builder = _Builder(
        body, col_shift, (_Vector(phi_t), _Vector(theta_t)), (phi_t, theta_t), variables, len(phi_t), param_map
    )
    return _build(builder, tree)


def parse_in_space(text: str, g, params: Mapping[str, sp.Expr] | None = None) -> sp.Expr:
    """Parse ``text`` as a loss in a Dirac-GAN space ``g`` (see :mod:`stability.model.space`).

    ``phi`` and ``theta`` are the space's vectors, and dot products and norms are the space's
    own, so in :class:`~stability.model.space.InvariantSpace` the loss comes out in ``|phi|``,
    ``|theta|`` and ``theta.phi``, whatever the dimension. A component such as ``phi1`` raises
    :class:`~stability.model.space.NotRotationInvariant` there (the engine then works in
    components); in a :class:`~stability.model.space.ComponentSpace` components are allowed.

    >>> from stability.model.space import InvariantSpace
    >>> parse_in_space("theta.phi + (phi.phi)**2", InvariantSpace())
    theta.phi + |phi|**4
    """
    param_map = _check_params(params)
    if not isinstance(g, (InvariantSpace, ComponentSpace)):
        raise InvalidParameterError(
            f"losses given as text are written in the vectors phi and theta, not in data samples, so they cannot be "
            f"evaluated in {type(g).__name__} (a data model such as instance noise changes the samples); write the "
            "losses as functions of a Dirac space (g.x_real, g.x_fake, g.critic) to combine them with it"
        )
    body, col_shift, tree = _syntax_tree(text)
    vectors = (_SpaceVector(g.phi, g), _SpaceVector(g.theta, g))
    variables = set().union(
        *(g.dot(u, v).free_symbols for u, v in ((g.phi, g.phi), (g.theta, g.theta), (g.phi, g.theta)))
    )
    if isinstance(g, ComponentSpace):
        builder = _Builder(body, col_shift, vectors, (g.phi_symbols, g.theta_symbols), variables, g.dim, param_map)
    else:
        builder = _Builder(body, col_shift, vectors, None, variables, None, param_map)
    return _build(builder, tree)


@dataclass(frozen=True)
class LossText:
    """A loss written as text, as a function ``loss(g, **params)`` of a Dirac-GAN space: what a
    dimension-generic :class:`~stability.Variant` takes. A loss that uses only ``phi``, ``theta``,
    dot products and norms is rotation invariant and gets the engine's fast path in every
    dimension; one that reads components is analysed component by component.

    >>> from stability.model.space import InvariantSpace
    >>> LossText("-log(sigmoid(theta.phi))")(InvariantSpace())
    -log(sigmoid(theta.phi))
    """

    text: str

    def __post_init__(self):
        if not isinstance(self.text, str):
            raise ExpressionParseError(f"an expression must be a string; got {type(self.text).__name__}")

    def __call__(self, g, **params) -> sp.Expr:
        return parse_in_space(self.text, g, params)


def check_loss_text(text: str, params: Mapping[str, sp.Expr] | None = None, dim: int | None = None) -> bool:
    """Parse ``text`` once to report its errors early; True if it is rotation invariant (no components).

    ``dim`` is the dimension in which a loss with components is checked (default: not checked).

    >>> check_loss_text("theta.phi + norm(phi)**4"), check_loss_text("phi1*theta1", dim=2)
    (True, False)
    """
    try:
        parse_in_space(text, InvariantSpace(), params)
    except NotRotationInvariant:
        if dim is not None:
            parse_in_space(text, ComponentSpace(dim), params)
        return False
    return True


def _syntax_tree(text: str) -> tuple[str, int, ast.Expression]:
    """The stripped text, the column shift of its leading blanks, and its (size-checked) syntax tree."""
    if not isinstance(text, str):
        raise ExpressionParseError(f"an expression must be a string; got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ExpressionParseError(f"expression is too long: {len(text)} characters (at most {MAX_LENGTH})")
    if "\x00" in text:
        raise ExpressionParseError(f"expression contains a null byte (column {text.index(chr(0)) + 1})")
    body = text.strip()
    if not body:
        raise ExpressionParseError("expression is empty")
    lead = len(text) - len(text.lstrip())
    col_shift = lead if "\n" not in text[:lead] and "\r" not in text[:lead] else 0
    try:
        with warnings.catch_warnings():  # e.g. SyntaxWarning for "1if": the error, if any, comes later
            warnings.simplefilter("ignore")
            tree = ast.parse(body, mode="eval")
    except SyntaxError as exc:
        where = _location(exc.lineno, exc.offset, col_shift)
        detail = "" if exc.msg == "invalid syntax" else f": {exc.msg}"
        raise ExpressionParseError(f"invalid syntax{where}{detail}") from None
    except (RecursionError, MemoryError):
        raise ExpressionParseError("expression is too deeply nested to parse") from None
    except ValueError as exc:  # e.g. null bytes on some Python versions
        raise ExpressionParseError(f"invalid expression: {exc}") from None
    nodes = sum(1 for node in ast.walk(tree) if isinstance(node, ast.expr))
    if nodes > MAX_NODES:
        raise ExpressionParseError(f"expression is too large: {nodes} syntax nodes (at most {MAX_NODES})")
    return body, col_shift, tree


def _build(builder: _Builder, tree: ast.Expression) -> sp.Expr:
    try:
        with time_limit(MAX_SECONDS):
            result = builder.visit(tree.body, 1, 0)
    except (ExpressionParseError, NotRotationInvariant):
        raise
    except TimeLimitExceeded:
        sp.core.cache.clear_cache()  # SymPy may have cached half-evaluated objects
        raise ExpressionParseError(f"expression is too complex: building it took more than {MAX_SECONDS:g} s") from None
    except RecursionError:
        raise ExpressionParseError("expression is too deeply nested to build") from None
    except MemoryError:
        raise ExpressionParseError("expression is too large to build") from None
    except Exception as exc:  # a SymPy failure on odd input is still the input's fault
        raise ExpressionParseError(f"could not build the expression: {type(exc).__name__}: {exc}") from exc
    if isinstance(result, _VECTOR_TYPES):
        raise ExpressionParseError(f"a loss must be a scalar; got a vector of length {result.length}")
    if result.has(sp.I):
        raise ExpressionParseError("the expression is not real: it contains the imaginary unit (e.g. sqrt(-1))")
    return result


# --------------------------------------------------------------------------- validation


def _check_symbols(phi: object, theta: object) -> tuple[tuple[sp.Symbol, ...], tuple[sp.Symbol, ...]]:
    out = []
    for label, value in (("phi", phi), ("theta", theta)):
        if not isinstance(value, Sequence) or isinstance(value, str) or len(value) == 0:
            raise InvalidParameterError(f"{label} must be a non-empty tuple of SymPy symbols; got {value!r}")
        for item in value:
            if not isinstance(item, sp.Symbol):
                raise InvalidParameterError(f"{label} must contain SymPy symbols; got {type(item).__name__} {item!r}")
        out.append(tuple(value))
    if len(out[0]) != len(out[1]):
        raise InvalidParameterError(f"phi and theta must have the same length; got {len(out[0])} and {len(out[1])}")
    return out[0], out[1]


def _check_params(params: object) -> dict[str, sp.Expr]:
    if params is None:
        return {}
    if not isinstance(params, Mapping):
        raise InvalidParameterError(f"params must be a mapping of names to SymPy symbols; got {type(params).__name__}")
    out = {}
    for name, value in params.items():
        if not isinstance(name, str) or not name.isidentifier() or keyword.iskeyword(name):
            raise InvalidParameterError(f"parameter name {name!r} cannot be written in an expression")
        if name in _VECTOR_NAMES or name in _CONSTANTS or name in _SCALAR_FUNCTIONS or name in _VECTOR_FUNCTIONS:
            raise InvalidParameterError(f"parameter name {name!r} is reserved in expressions")
        if _COMPONENT_RE.fullmatch(name):
            raise InvalidParameterError(f"parameter name {name!r} looks like a vector component and is reserved")
        if not isinstance(value, sp.Expr):
            raise InvalidParameterError(f"parameter {name!r} must be a SymPy symbol; got {type(value).__name__}")
        out[unicodedata.normalize("NFKC", name)] = value  # as Python reads identifiers
    return out


def _location(lineno: int | None, col: int | None, col_shift: int) -> str:
    """`` (column C)`` or `` (line L, column C)``; ``col`` is 1-based, in characters."""
    if col is None:
        return ""
    col = max(col, 1)
    if lineno is None or lineno <= 1:
        return f" (column {col + col_shift})"
    return f" (line {lineno}, column {col})"


class _Vector:
    """A vector value during parsing: a tuple of scalar SymPy expressions (explicit components)."""

    __slots__ = ("items",)

    def __init__(self, items):
        self.items = tuple(items)

    @property
    def length(self) -> str:
        return str(len(self.items))

    def scalars(self) -> tuple:
        return self.items

    def neg(self) -> _Vector:
        return _Vector(-x for x in self.items)

    def combine(self, other: _Vector, sign: int) -> _Vector:
        return _Vector(a + sign * b for a, b in zip(self.items, other.items))

    def scale(self, k: sp.Expr) -> _Vector:
        return _Vector(a * k for a in self.items)

    def divide(self, k: sp.Expr) -> _Vector:
        return _Vector(a / k for a in self.items)

    def dot(self, other: _Vector) -> sp.Expr:
        return sp.Add(*[a * b for a, b in zip(self.items, other.items)])

    def norm(self) -> sp.Expr:
        return sp.sqrt(self.dot(self))


class _SpaceVector:
    """A vector of a Dirac-GAN space ``g`` (``g.phi``, ``g.theta`` and their combinations), combined
    with the space's own operations, so a loss never reads a component it does not name."""

    __slots__ = ("value", "space")
    length = "n"

    def __init__(self, value, space):
        self.value, self.space = value, space

    def scalars(self) -> tuple:
        if isinstance(self.value, InvVec):
            return (self.value.a, self.value.b)
        return tuple(self.value)

    def neg(self) -> _SpaceVector:
        return _SpaceVector(-self.value, self.space)

    def combine(self, other: _SpaceVector, sign: int) -> _SpaceVector:
        return _SpaceVector(self.value + other.value if sign == 1 else self.value - other.value, self.space)

    def scale(self, k: sp.Expr) -> _SpaceVector:
        return _SpaceVector(self.value * k, self.space)

    def divide(self, k: sp.Expr) -> _SpaceVector:
        return _SpaceVector(self.value / k, self.space)

    def dot(self, other: _SpaceVector) -> sp.Expr:
        return self.space.dot(self.value, other.value)

    def norm(self) -> sp.Expr:
        return self.space.norm(self.value)


_VECTOR_TYPES = (_Vector, _SpaceVector)


# --------------------------------------------------------------------------- the builder


class _Builder:
    """Walks a whitelisted syntax tree and builds SymPy objects, checking limits as it goes."""

    def __init__(self, text, col_shift, vectors, components, variables, n, params):
        self.text = text
        self.col_shift = col_shift
        self.n = n  # None: vectors of any length (a rotation-invariant space)
        self.vectors = {"phi": vectors[0], "varphi": vectors[0], "theta": vectors[1]}
        self.components = (
            None if components is None else {"phi": components[0], "varphi": components[0], "theta": components[1]}
        )
        self.variables = frozenset(variables)
        self.params = params
        self.deadline = time.monotonic() + MAX_SECONDS
        # sub-expressions already checked -> (tree size, approximate value if constant, else None)
        self.info: dict[sp.Basic, tuple[int, complex | None]] = {}
        self.nesting: dict[sp.Basic, int] = {}  # sub-expression -> nesting of growing functions around the variables
        self.max_size = MAX_TREE_SIZE + 100 * (n or 1)

    # ----- errors

    def error(self, message: str, node: ast.AST | None, hint: str = "") -> ExpressionParseError:
        """``message (column C); hint``."""
        where = ""
        if isinstance(node, ast.expr):
            lines = re.split(r"\r\n|\r|\n", self.text)
            line = lines[node.lineno - 1] if 0 < node.lineno <= len(lines) else ""
            col = len(line.encode("utf-8")[: node.col_offset].decode("utf-8", errors="ignore")) + 1
            where = _location(node.lineno, col, self.col_shift)
        return ExpressionParseError(f"{message}{where}; {hint}" if hint else f"{message}{where}")

    def names_help(self) -> str:
        n = self.n
        if n is None:
            names = ["phi, theta (vectors; varphi = phi)", "components phi1, theta1, ... (also phi_1)"]
        else:
            comps = "phi1, theta1" if n == 1 else f"phi1..phi{n}, theta1..theta{n}"
            names = [f"phi, theta (vectors of length {n}; varphi = phi)", f"{comps} (also phi_1)"]
        names += sorted(self.params) + ["pi", "e"]
        return ", ".join(names)

    def forbidden(self, what: str, node: ast.AST) -> ExpressionParseError:
        return self.error(f"{what} is not allowed", node, f"allowed: {_ALLOWED_SYNTAX}")

    # ----- dispatch

    def visit(self, node: ast.AST, depth: int, calls: int):
        if depth > MAX_DEPTH:
            raise self.error(f"expression is nested too deeply (more than {MAX_DEPTH} levels)", node)
        if time.monotonic() > self.deadline:
            raise self.error(f"expression is too complex: building it took more than {MAX_SECONDS:g} s", node)
        method = _DISPATCH.get(type(node))
        if method is None:
            what = _FORBIDDEN_NODES.get(type(node), f"a {type(node).__name__} expression")
            raise self.forbidden(what, node)
        result = method(self, node, depth, calls)
        self.check(result, node)
        return result

    # ----- limits on built values

    def check(self, value, node: ast.AST) -> None:
        """Check every number, power and size in ``value`` against the limits."""
        for expr in value.scalars() if isinstance(value, _VECTOR_TYPES) else (value,):
            self.check_expr(expr, node)
            self.check_nesting(expr, node)

    def check_expr(self, expr: sp.Basic, node: ast.AST) -> None:
        """Check the sub-expressions of ``expr`` not seen before, children first."""
        info = self.info
        stack = [(expr, False)]
        while stack:
            e, ready = stack.pop()
            if e in info:
                continue
            if not ready:
                stack.append((e, True))
                stack.extend((a, False) for a in e.args if a not in info)
                continue
            if any(e is u for u in _UNDEFINED):
                raise self.error(f"the expression is undefined or infinite here ({e})", node)
            if e.is_Rational:
                if max(abs(e.p).bit_length(), e.q.bit_length()) > MAX_NUMBER_BITS:
                    raise self.error(
                        f"a number in the expression is too large (more than {MAX_NUMBER_BITS} bits)", node
                    )
            elif e.is_Pow:
                for r in e.exp.atoms(sp.Rational):
                    if abs(r) > MAX_POWER:
                        raise self.error(
                            f"the powers combine to too large an exponent ({r}, at most {MAX_POWER})", node
                        )
            args = [info[a] for a in e.args]
            size = 1 + sum(a[0] for a in args)
            info[e] = (size, self.approximate(e, [a[1] for a in args], node))
        if info[expr][0] > self.max_size:
            raise self.error(f"the expression grows too large (more than {self.max_size} SymPy nodes)", node)

    def approximate(self, e: sp.Basic, values: list, node: ast.AST) -> complex | None:
        """The value of a constant ``e`` as a complex float (None if not constant or unknown).

        SymPy evaluates constants numerically when it asks for their sign, and that takes
        forever for a huge argument such as ``cos(exp(exp(10)))``: such constants are refused.
        """
        try:
            if e.is_Symbol:
                return None
            if e.is_Rational:
                value = complex(e.p / e.q)
            elif e is sp.I:
                value = 1j
            elif e.is_NumberSymbol:
                value = complex(float(e))
            elif not values or any(v is None for v in values):
                return None
            elif e.is_Add:
                value = sum(values)
            elif e.is_Mul:
                value = math.prod(values)
            elif e.is_Pow:
                value = values[0] ** values[1]
            elif type(e) in _APPROXIMATIONS and len(values) == 1:
                value = _APPROXIMATIONS[type(e)](values[0])
            else:
                return None
            if not cmath.isfinite(value) or abs(value) > MAX_CONSTANT:
                raise OverflowError
        except OverflowError:
            raise self.error(
                f"a constant in the expression is too large (at most {MAX_CONSTANT:.0e} in absolute value)", node
            ) from None
        except (ValueError, ZeroDivisionError, TypeError):
            return None  # undefined at this point: SymPy's own zoo/nan checks report it
        if abs(value.imag) > 1e-9 * max(1.0, abs(value.real)):
            raise self.error(f"the expression is not real: {_short(e, 40)} is a complex number", node)
        return value

    def check_exponent(self, exponent: sp.Expr, node: ast.AST) -> None:
        """Numbers in an exponent must be small, so no huge power is ever computed."""
        for r in exponent.atoms(sp.Rational):
            if abs(r) > MAX_EXPONENT:
                raise self.error(
                    f"exponent too large: {_short(r)} (numbers in an exponent are at most {MAX_EXPONENT})", node
                )

    def check_log_argument(self, arg: sp.Expr, node: ast.AST) -> None:
        """SymPy rewrites ``exp(k*log(b))`` as ``b**k``: keep ``k`` and ``b`` small."""
        if arg.has(sp.log):
            for r in arg.atoms(sp.Rational):
                if abs(r.p) > MAX_EXPONENT or r.q > MAX_EXPONENT:
                    raise self.error(
                        f"exp(), e**, sigmoid() or softplus() of an expression containing log() may only use "
                        f"numbers up to {MAX_EXPONENT}",
                        node,
                        f"got {_short(r)}",
                    )

    # ----- helpers

    def scalar(self, value, node: ast.AST, what: str) -> sp.Expr:
        if isinstance(value, _VECTOR_TYPES):
            raise self.error(f"{what} needs a scalar", node, f"got a vector of length {value.length}")
        return value

    def vector(self, value, node: ast.AST, what: str) -> _Vector:
        if not isinstance(value, _VECTOR_TYPES):
            raise self.error(f"{what} needs a vector (such as phi or theta)", node, "got a scalar")
        return value

    # ----- node handlers

    def v_constant(self, node: ast.Constant, depth: int, calls: int):
        value = node.value
        if isinstance(value, bool):
            raise self.forbidden("a boolean", node)
        if isinstance(value, int):
            if abs(value) > MAX_INTEGER:
                raise self.error(f"integer {_short(value)} is too large (at most 10**12 in absolute value)", node)
            return sp.Integer(value)
        if isinstance(value, float):
            return self.decimal(node)
        what = {str: "a string", bytes: "a bytes literal", complex: "a complex number"}.get(
            type(value), f"the constant {value!r}"
        )
        raise self.forbidden(what, node)

    def decimal(self, node: ast.Constant) -> sp.Rational:
        value = node.value
        if not (math.isfinite(value) and abs(value) <= MAX_INTEGER):
            raise self.error("number is too large (at most 10**12 in absolute value)", node)
        segment = (ast.get_source_segment(self.text, node) or "").replace("_", "")
        match = _DECIMAL_RE.fullmatch(segment)
        if not match:  # cannot happen for a float literal; keep the shortest repr then
            exact = Fraction(repr(value))
        else:
            whole, frac, exponent = match.group(1), match.group(2) or "", match.group(3) or "0"
            if len(exponent.lstrip("+-")) > 4:
                raise self.error(f"number {_short(segment)} has too large an exponent", node)
            exact = Fraction(int(whole + frac or "0")) * Fraction(10) ** (int(exponent) - len(frac))
        if max(abs(exact.numerator).bit_length(), exact.denominator.bit_length()) > MAX_NUMBER_BITS:
            raise self.error(f"number {_short(segment)} has too many digits", node)
        return sp.Rational(exact.numerator, exact.denominator)

    def v_name(self, node: ast.Name, depth: int, calls: int):
        name = node.id
        if name in self.vectors:
            return self.vectors[name]
        if name in _CONSTANTS:
            return _CONSTANTS[name]
        if name in self.params:
            return self.params[name]
        match = _COMPONENT_RE.fullmatch(name)
        if match and self.components is None:
            raise NotRotationInvariant(f"the loss reads the component {name}")
        if match:
            base, digits = match.group(1), match.group(3)
            index = int(digits) if len(digits) <= 9 and not digits.startswith("0") else 0
            if not 1 <= index <= self.n:
                comps = "phi1, theta1" if self.n == 1 else f"phi1..phi{self.n}, theta1..theta{self.n}"
                raise self.error(f"component index out of range in {name!r}", node, f"valid components are {comps}")
            return self.components[base][index - 1]
        if name in _SCALAR_FUNCTIONS or name in _VECTOR_FUNCTIONS:
            raise self.error(f"{name!r} is a function; call it as {name}(...)", node)
        raise self.error(
            f"unknown name {_short(name)!r}", node, f"allowed names: {self.names_help()}; functions: {_FUNCTION_NAMES}"
        )

    def v_unaryop(self, node: ast.UnaryOp, depth: int, calls: int):
        if type(node.op) in _FORBIDDEN_OPERATORS:
            raise self.forbidden(_FORBIDDEN_OPERATORS[type(node.op)], node)
        operand = self.visit(node.operand, depth + 1, calls)
        if isinstance(node.op, ast.UAdd):
            return operand
        if isinstance(operand, _VECTOR_TYPES):
            return operand.neg()
        return -operand

    def v_binop(self, node: ast.BinOp, depth: int, calls: int):
        # A left-leaning chain a + b - c * ... is walked in a loop, so a long sum is not "deep".
        chain = []
        while isinstance(node, ast.BinOp):
            chain.append(node)
            node = node.left
        for link in chain:
            if type(link.op) in _FORBIDDEN_OPERATORS:
                raise self.forbidden(_FORBIDDEN_OPERATORS[type(link.op)], link)
        acc = self.visit(node, depth + 1, calls)
        for link in reversed(chain):
            right = self.visit(link.right, depth + 1, calls)
            acc = self.binary(link, acc, right)
            self.check(acc, link)
        return acc

    def binary(self, node: ast.BinOp, left, right):
        op = node.op
        lvec, rvec = isinstance(left, _VECTOR_TYPES), isinstance(right, _VECTOR_TYPES)
        if isinstance(op, (ast.Add, ast.Sub)):
            sign = 1 if isinstance(op, ast.Add) else -1
            if lvec and rvec:
                return left.combine(right, sign)
            if lvec or rvec:
                word = "add" if sign == 1 else "subtract"
                raise self.error(
                    f"cannot {word} a vector (length {self.n or 'n'}) and a scalar",
                    node,
                    "use a component such as phi1, a dot product or norm()",
                )
            return left + sign * right
        if isinstance(op, ast.Mult):
            if lvec and rvec:
                raise self.error(
                    "cannot multiply two vectors", node, "for the dot product write u.v, u @ v or dot(u, v)"
                )
            if lvec:
                return left.scale(right)
            if rvec:
                return right.scale(left)
            return left * right
        if isinstance(op, ast.Div):
            divisor = self.scalar(right, node, "'/' (the divisor)")
            if divisor == 0:
                raise self.error("division by zero", node)
            if lvec:
                return left.divide(divisor)
            return left / divisor
        if isinstance(op, ast.MatMult):
            self.vector(left, node, "'@' (dot product, left side)")
            self.vector(right, node, "'@' (dot product, right side)")
            return left.dot(right)
        if isinstance(op, ast.Pow):
            base = self.scalar(left, node, "'**' (the base)")
            exponent = self.scalar(right, node, "'**' (the exponent)")
            if base is not sp.E:  # e**x is exp(x), checked like it
                self.check_exponent(exponent, node)
            self.check_log_argument(exponent, node)
            if exponent.free_symbols & self.variables:
                value = self.info[base][1] if base in self.info else None
                if value is None or value.real <= 0:  # SymPy is very slow on such towers, and they are rarely real
                    raise self.error(
                        "a power whose exponent depends on phi or theta needs a positive constant base",
                        node,
                        "as in e**x or 2**x",
                    )
            return base**exponent
        raise self.forbidden(f"the operator {type(op).__name__}", node)  # pragma: no cover - all ops are listed

    def v_attribute(self, node: ast.Attribute, depth: int, calls: int):
        if node.attr not in self.vectors:
            raise self.error(
                f"attribute access '.{_short(node.attr)}' is not allowed",
                node,
                "'.' only writes the dot product of two vectors, as in theta.phi",
            )
        left = self.vector(self.visit(node.value, depth + 1, calls), node, "'.' (dot product)")
        return left.dot(self.vectors[node.attr])

    def v_call(self, node: ast.Call, depth: int, calls: int):
        if isinstance(node.func, ast.Attribute):
            raise self.error(
                f"method calls such as '.{_short(node.func.attr)}(...)' are not allowed",
                node.func,
                "'.' only writes the dot product of two vectors, as in theta.phi",
            )
        if not isinstance(node.func, ast.Name):
            raise self.error("only named functions can be called, as in exp(x)", node, f"functions: {_FUNCTION_NAMES}")
        name = node.func.id
        if name not in _SCALAR_FUNCTIONS and name not in _VECTOR_FUNCTIONS:
            raise self.error(f"unknown function {_short(name)!r}", node, f"functions: {_FUNCTION_NAMES}")
        if node.keywords:
            raise self.error(f"keyword arguments are not allowed (in {name}())", node)
        if calls + 1 > MAX_CALL_DEPTH:
            raise self.error(f"function calls are nested too deeply (more than {MAX_CALL_DEPTH})", node)
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.forbidden(f"a starred argument (in {name}())", arg)
        wanted = _VECTOR_FUNCTIONS.get(name, 1)
        if len(node.args) != wanted:
            plural = "argument" if wanted == 1 else "arguments"
            raise self.error(f"{name}() takes exactly {wanted} {plural} ({len(node.args)} given)", node)
        args = [self.visit(a, depth + 1, calls + 1) for a in node.args]
        if name == "dot":
            u = self.vector(args[0], node, "dot()")
            v = self.vector(args[1], node, "dot()")
            return u.dot(v)
        if name == "norm":
            u = self.vector(args[0], node, "norm()")
            return u.norm()
        arg = self.scalar(args[0], node, f"{name}()")
        if name in ("exp", "sigmoid", "softplus"):  # the last two are evaluated through exp()
            self.check_log_argument(arg, node)
        return _SCALAR_FUNCTIONS[name](arg)

    def nested(self, expr: sp.Basic) -> int:
        """How deeply exp, log, sigmoid, ... (and powers with a variable exponent) nest around the variables."""
        memo = self.nesting
        stack = [(expr, False)]
        while stack:
            e, ready = stack.pop()
            if e in memo:
                continue
            if not ready:
                stack.append((e, True))
                stack.extend((a, False) for a in e.args if a not in memo)
                continue
            inner = max((memo[a] for a in e.args), default=0)
            grows = isinstance(e, _GROWING) or (e.is_Pow and bool(e.exp.free_symbols & self.variables))
            memo[e] = inner + 1 if grows and e.free_symbols & self.variables else inner
        return memo[expr]

    def check_nesting(self, expr: sp.Basic, node: ast.AST) -> None:
        level = self.nested(expr)
        if level > MAX_FUNCTION_NESTING:
            raise self.error(
                f"functions of phi and theta are nested {level} deep (at most {MAX_FUNCTION_NESTING})",
                node,
                "each level multiplies the size of the training field's derivatives; simplify the loss",
            )


def _short(value: object, limit: int = 30) -> str:
    text = str(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


_DISPATCH = {
    ast.Constant: _Builder.v_constant,
    ast.Name: _Builder.v_name,
    ast.UnaryOp: _Builder.v_unaryop,
    ast.BinOp: _Builder.v_binop,
    ast.Attribute: _Builder.v_attribute,
    ast.Call: _Builder.v_call,
}
