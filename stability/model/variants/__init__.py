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

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import sympy as sp

from ...errors import InvalidParameterError, UnknownNameError
from ..functions import sigmoid
from ..params import Parameter
from ..space import ComponentSpace, check_component_dim, check_dim

__all__ = ["Variant", "VARIANTS", "get_variant", "variant_names"]

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
        params = {}
        for key, value in dict(self.params or {}).items():
            if isinstance(value, Parameter):
                if value.name != key:
                    raise InvalidParameterError(f"parameter key {key!r} does not match its name {value.name!r}")
                params[key] = value
            else:
                params[key] = Parameter(str(key), value)
        object.__setattr__(self, "params", MappingProxyType(params))
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


def _builtin(name, description, equations, general_form, params=()):
    """Register a built-in variant whose function returns (L_D, L_G)."""

    def register(losses: LossBuilder) -> LossBuilder:
        def d_loss(g, **kw):
            return losses(g, **kw)[0]

        def g_loss(g, **kw):
            return losses(g, **kw)[1]

        _REGISTRY[name] = Variant(
            name,
            d_loss,
            g_loss,
            params={p.name: p for p in params},
            description=description,
            equations=equations,
            general_form=general_form,
        )
        return losses

    return register


_REGISTRY: dict[str, Variant] = {}


@_builtin(
    "vanilla_ns",
    "Vanilla GAN, non-saturating generator loss, sigmoid discriminator",
    "eqs. (5)-(9)",
    r"L_D = \mathbb{E}_{p}[-\log D(x)] + \mathbb{E}_{q}[-\log(1 - D(x))],\quad "
    r"L_G = \mathbb{E}_{q}[-\log D(x)],\quad D = \sigma(x\cdot\varphi)",
)
def _vanilla_ns(g):
    d_real, d_fake = sigmoid(g.critic(g.x_real)), sigmoid(g.critic(g.x_fake))
    return -sp.log(d_real) - sp.log(1 - d_fake), -sp.log(d_fake)


@_builtin(
    "vanilla_sat",
    "Vanilla GAN, saturating (original minimax) generator loss, sigmoid discriminator",
    "eqs. (5)-(7), saturating form",
    r"L_D = \mathbb{E}_{p}[-\log D(x)] + \mathbb{E}_{q}[-\log(1 - D(x))],\quad "
    r"L_G = \mathbb{E}_{q}[\log(1 - D(x))],\quad D = \sigma(x\cdot\varphi)",
)
def _vanilla_sat(g):
    d_real, d_fake = sigmoid(g.critic(g.x_real)), sigmoid(g.critic(g.x_fake))
    return -sp.log(d_real) - sp.log(1 - d_fake), sp.log(1 - d_fake)


@_builtin(
    "wgan",
    "WGAN, 1-Lipschitz critic by weight normalisation D(x) = x.phi/|phi|",
    "eqs. (10)-(12)",
    r"L_D = \mathbb{E}_{q}[D(x)] - \mathbb{E}_{p}[D(x)],\quad L_G = -\mathbb{E}_{q}[D(x)],\quad "
    r"D(x) = x\cdot\varphi/\Vert\varphi\Vert",
)
def _wgan(g):
    def critic(x):
        return g.critic(x) / g.norm(g.critic_grad(x))

    return critic(g.x_fake) - critic(g.x_real), -critic(g.x_fake)


@_builtin(
    "wgan_gp",
    "WGAN-GP, gradient penalty lam*(|grad D| - c)^2 on a linear critic",
    "eqs. (13)-(16)",
    r"L_D = \mathbb{E}_{q}[D(x)] - \mathbb{E}_{p}[D(x)] + \lambda\,\mathbb{E}_{r}"
    r"[(\Vert\nabla_x D(x)\Vert - c)^2],\quad L_G = -\mathbb{E}_{q}[D(x)]",
    params=(
        Parameter("lam", 0.1, "gradient-penalty weight", "positive"),
        Parameter("c", 1, "target gradient norm (c = 0: zero-centred penalty)", "real"),
    ),
)
def _wgan_gp(g, lam, c):
    penalty = lam * (g.norm(g.critic_grad(g.x_fake)) - c) ** 2
    return g.critic(g.x_fake) - g.critic(g.x_real) + penalty, -g.critic(g.x_fake)


@_builtin(
    "gan_qp",
    "GAN-QP, quadratic potential divided by the distance |x_f - x_r|",
    "eqs. (17)-(19)",
    r"L_D = \mathbb{E}\left[D(x_f) - D(x_r) + \frac{(D(x_f) - D(x_r))^2}{2\lambda\Vert x_f - x_r\Vert}\right],"
    r"\quad L_G = -\mathbb{E}_{q}[D(x)]",
    params=(Parameter("lam", 1, "quadratic-potential scale", "positive"),),
)
def _gan_qp(g, lam):
    gap = g.critic(g.x_fake) - g.critic(g.x_real)
    return gap + gap**2 / (2 * lam * g.norm(g.x_fake - g.x_real)), -g.critic(g.x_fake)


VARIANTS: Mapping[str, Variant] = MappingProxyType(_REGISTRY)


def variant_names() -> tuple[str, ...]:
    """Names of the built-in variants."""
    return tuple(VARIANTS)


def get_variant(variant: str | Variant) -> Variant:
    """Look up a built-in variant by name, or pass a :class:`Variant` through.

    >>> get_variant("wgan_gp").params["lam"].default
    1/10
    """
    if isinstance(variant, Variant):
        return variant
    if not isinstance(variant, str):
        raise InvalidParameterError(
            f"variant must be a registered name or a stability.Variant; got {type(variant).__name__} {variant!r}"
        )
    try:
        return VARIANTS[variant]
    except KeyError:
        raise UnknownNameError("variant", variant, VARIANTS) from None
