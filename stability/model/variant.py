"""GAN variants, each defined once by its discriminator and generator losses.

A built-in variant is a function ``losses(g, **params) -> (L_D, L_G)`` written in
the post's *general* form (expectations over the real point ``g.x_real`` and the
generated point ``g.x_fake``, a discriminator ``D`` built from the linear critic
``g.critic``).  The engine evaluates it in a Dirac-GAN space (see ``_space``), so
the vector field, Jacobian, LaTeX and numeric code all derive from these losses.

A custom variant gives SymPy expressions in the symbols of :func:`stability.symbols`:

>>> import sympy as sp
>>> from stability import Variant, symbols
>>> phi, theta = symbols(1)
>>> u = phi[0] * theta[0]
>>> v = Variant("bilinear", d_loss=u, g_loss=-u, phi=phi, theta=theta)
>>> v.dim
1
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

import sympy as sp

from ..errors import InvalidParameterError
from ..frozen import FrozenMap
from .params import Parameter
from .space import ComponentSpace, check_component_dim, check_dim

__all__ = ["Variant", "builtin_variant"]

LossBuilder = Callable[..., tuple[sp.Expr, sp.Expr]]


@dataclass(frozen=True, eq=False)
class Variant:
    """A GAN variant: its two losses, its parameters and where it comes from.

    ``d_loss`` and ``g_loss`` are either SymPy expressions in the symbols ``phi``
    and ``theta`` (then the variant has the fixed dimension ``len(phi)``), or
    functions ``f(g, **params)`` of a Dirac-GAN space ``g`` returning one loss each
    (dimension-generic; see the module docstring of ``stability.model.space``).
    Each player *minimises* its own loss.

    ``params`` maps names to :class:`Parameter` objects or to default values.
    """

    name: str
    d_loss: sp.Expr | Callable
    g_loss: sp.Expr | Callable
    phi: tuple[sp.Symbol, ...] | None = None
    theta: tuple[sp.Symbol, ...] | None = None
    params: Mapping[str, Parameter] = field(default_factory=dict)
    description: str = ""
    equations: str = ""
    general_form: str = ""

    def __post_init__(self):
        if not isinstance(self.name, str) or not self.name:
            raise InvalidParameterError(f"variant name must be a non-empty string; got {self.name!r}")
        for label in ("description", "equations", "general_form"):
            if not isinstance(getattr(self, label), str):
                raise InvalidParameterError(f"{label} must be a string; got {_shown(getattr(self, label))}")
        given = {} if self.params is None else self.params
        if not isinstance(given, Mapping):
            raise InvalidParameterError(
                f"params must be a mapping of names to default values or Parameter objects, e.g. {{'k': 0.5}}; "
                f"got {_shown(given)}"
            )
        params = {}
        for key, value in given.items():
            if not isinstance(key, str) or not key.isidentifier():
                raise InvalidParameterError(f"parameter names must be identifier strings; got {key!r}")
            if isinstance(value, Parameter):
                if value.name != key:
                    raise InvalidParameterError(f"parameter key {key!r} does not match its name {value.name!r}")
                params[key] = value
            else:
                params[key] = Parameter(str(key), value)
        object.__setattr__(self, "params", FrozenMap(params))
        callables = [callable(self.d_loss), callable(self.g_loss)]
        if all(callables):
            return
        if any(callables):
            raise InvalidParameterError("d_loss and g_loss must both be expressions or both be functions")
        self._check_expression_form()

    def _check_expression_form(self) -> None:
        for label, loss in (("d_loss", self.d_loss), ("g_loss", self.g_loss)):
            if not isinstance(loss, sp.Expr):
                raise InvalidParameterError(
                    f"{label} must be a SymPy expression or a function of a Dirac-GAN space; "
                    f"got {type(loss).__name__} {loss!r}"
                )
        if self.phi is None or self.theta is None:
            raise InvalidParameterError("a variant given by expressions needs phi= and theta= (see stability.symbols)")
        for label, value in (("phi", self.phi), ("theta", self.theta)):
            if isinstance(value, (str, sp.Basic)) or not isinstance(value, (tuple, list, Sequence)):
                raise InvalidParameterError(
                    f"{label} must be a tuple of SymPy symbols (see stability.symbols); got {_shown(value)}"
                )
        phi, theta = tuple(self.phi), tuple(self.theta)
        if len(phi) != len(theta) or not phi:
            raise InvalidParameterError(
                f"phi and theta must be non-empty and of equal length; got {len(phi)} and {len(theta)}"
            )
        check_dim(len(phi))
        check_component_dim(len(phi), f"a variant given by expressions ({self.name!r})")
        for s in phi + theta:
            if not isinstance(s, sp.Symbol):
                raise InvalidParameterError(f"phi and theta must hold SymPy symbols; got {type(s).__name__} {s!r}")
            if s.is_real is not True:
                raise InvalidParameterError(
                    f"phi and theta must hold real symbols; {s} is not declared real (a complex variable has no "
                    f"gradient flow here): use Symbol({s.name!r}, real=True), or stability.symbols(n)"
                )
        _check_distinct(phi, theta, set(self.params))
        object.__setattr__(self, "phi", phi)
        object.__setattr__(self, "theta", theta)
        allowed = set(phi) | set(theta)
        names = set(self.params)
        for loss in (self.d_loss, self.g_loss):
            for s in loss.free_symbols:
                if s not in allowed and s.name not in names:
                    raise InvalidParameterError(
                        f"symbol {s} in the losses is neither a phi/theta component nor a declared parameter; "
                        f"declare it in params= (declared: {', '.join(sorted(names)) or 'none'})"
                    )

    @property
    def dim(self) -> int | None:
        """The fixed dimension of an expression-defined variant, or None if any dimension works."""
        return None if self.phi is None else len(self.phi)

    @property
    def is_generic(self) -> bool:
        """True if the losses are functions of a space (any dimension)."""
        return callable(self.d_loss)

    def losses(self, space, values: Mapping[str, sp.Expr]) -> tuple[sp.Expr, sp.Expr]:
        """Both losses in ``space`` with parameter ``values`` substituted."""
        if self.is_generic:
            return self.d_loss(space, **values), self.g_loss(space, **values)
        if not isinstance(space, ComponentSpace) or space.dim != self.dim:
            raise InvalidParameterError(f"variant {self.name!r} is defined in dimension {self.dim}")
        subs = dict(zip(self.phi, space.phi_symbols)) | dict(zip(self.theta, space.theta_symbols))
        by_name = {s.name: s for loss in (self.d_loss, self.g_loss) for s in loss.free_symbols}
        subs |= {by_name[k]: v for k, v in values.items() if k in by_name}
        return self.d_loss.xreplace(subs), self.g_loss.xreplace(subs)

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={p.default}" for k, p in self.params.items())
        dim = "any dim" if self.dim is None else f"dim={self.dim}"
        return f"Variant({self.name!r}, {dim}{', ' + params if params else ''})"


def _shown(value: object) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:57] + '...'}"


def _check_distinct(phi: tuple, theta: tuple, params: set[str]) -> None:
    """Every state variable once: no symbol (or name) twice, none shared by phi and theta or named like a parameter."""
    shared = sorted({s.name for s in phi} & {s.name for s in theta})
    if shared:
        raise InvalidParameterError(
            f"phi and theta must be different variables; both contain {', '.join(shared)}"
            + (" (theta equal to phi)" if tuple(s.name for s in phi) == tuple(s.name for s in theta) else "")
        )
    for label, vector in (("phi", phi), ("theta", theta)):
        names = [s.name for s in vector]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise InvalidParameterError(
                f"{label} holds {', '.join(twice)} more than once; each component is a variable"
            )
    clash = sorted({s.name for s in phi + theta} & params)
    if clash:
        raise InvalidParameterError(
            f"{', '.join(clash)} is both a state variable and a parameter; rename the parameter"
        )


@dataclass(frozen=True)
class LossPart:
    """One of the two losses of a function ``losses(g, **params) -> (L_D, L_G)``; picklable by reference."""

    losses: LossBuilder
    index: int

    def __call__(self, g, **params):
        return self.losses(g, **params)[self.index]


def builtin_variant(losses: LossBuilder, name: str, description: str, equations: str, general_form: str, params=()):
    """A dimension-generic :class:`Variant` from one function ``losses(g, **params) -> (L_D, L_G)``."""
    return Variant(
        name,
        LossPart(losses, 0),
        LossPart(losses, 1),
        params={p.name: p for p in params},
        description=description,
        equations=equations,
        general_form=general_form,
    )
