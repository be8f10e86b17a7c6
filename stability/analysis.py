"""``analyze()``: the whole symbolic pipeline behind one call, and its result record.

>>> from stability import analyze
>>> a = analyze("vanilla_ns")
>>> a.classification
'center'
>>> a.eigenvalues
{-I/2: 2, I/2: 2}
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import FrozenInstanceError, dataclass, field, fields
from types import MappingProxyType

import sympy as sp

from .dynamics.field import Dynamics, build_dynamics
from .dynamics.optimizers import get_optimizer
from .dynamics.system import Flow, Map, resolve_learning_rate
from .dynamics.update import map_jacobian
from .errors import InvalidParameterError, StabilityError, UnknownNameError
from .frozen import FrozenMap
from .model.regularizers import resolve_regularizers
from .model.space import check_dim
from .model.variants import Variant, get_variant
from .numerics.confirm import confirm
from .numerics.iterate import iterate
from .numerics.simulate import simulate
from .numerics.verify import verify
from .numerics.verify_map import verify_map
from .render.latex import derivation, latex, to_latex
from .render.markdown import to_markdown
from .render.proof import latex_proof
from .render.wording import unstable_shape
from .theory.discrete import classify_map
from .theory.linearize import Linearization, SingularTerm, linearize
from .theory.nonlinear import NonlinearVerdict, analyze_nonlinear
from .theory.spectrum import Eigenvalue, Spectrum, classify_block, classify_matrix
from .verdicts import Classification, Detail, TimeDomain

__all__ = ["Analysis", "analyze"]

PHI_VEC, THETA_VEC = sp.Symbol("phi"), sp.Symbol("theta")


def _resolve_params(variant: Variant, params) -> dict[str, sp.Expr]:
    if params is None:
        params = {}
    if not isinstance(params, Mapping):
        raise InvalidParameterError(
            f"params must be a mapping like {{'lam': 0.1}}; got {type(params).__name__} {params!r}"
        )
    for name in params:
        if name not in variant.params:
            valid = list(variant.params) or ["(this variant has no parameters)"]
            raise UnknownNameError(f"parameter of {variant.name!r}:", name, valid)
    out = {}
    for name, p in variant.params.items():
        value = params.get(name)
        if value is None:
            out[name] = p.symbol if p.default is None else p.default
        else:
            out[name] = p.check(value)
    return out


_STATE_NAME = re.compile(r"^(phi|theta|varphi)(_?\d+)?$")


#: Symbols the analysis introduces itself, and what for: a user's symbol *equal* to one (same name and
#: assumptions) would be merged with it, so it is refused. Names in ``_INTERNAL_NAMES`` are refused
#: whatever their assumptions (the invariants are not identifiers; the discrete criteria find their
#: polynomial variable ``z`` by name). ``_INVARIANT_ONLY`` matters on the rotation-invariant route only.
_INTERNAL_SYMBOLS = {
    sp.Symbol("t", positive=True): "the ray parameter of the limits at the origin",
    sp.Symbol("r_phi", positive=True): "the direction of |phi| on a ray to the origin",
    sp.Symbol("r_theta", positive=True): "the direction of |theta| on a ray to the origin",
}
_INVARIANT_ONLY = {sp.Symbol("k", real=True): "the cosine of the angle between phi and theta"}
_INTERNAL_NAMES = {"|phi|": "the norm |phi|", "|theta|": "the norm |theta|", "theta.phi": "the product theta.phi"}
_DISCRETE_NAMES = {"z": "the variable of the update map's characteristic polynomial"}


def _entries(values, regs, lr=None, optimizer=None) -> list[tuple[str, object]]:
    """``(label, value)`` of everything a user can make symbolic."""
    out = [(f"parameter {k}", v) for k, v in values.items()]
    out += [(f"regularizer weight {k}", v) for k, v in regs.items()]
    if lr is not None:
        out += [("lr (discriminator)", lr.d), ("lr (generator)", lr.g)]
    if optimizer is not None:
        out += [(f"{optimizer.name} hyperparameter {k}", v) for k, v in optimizer.hyperparameters().items()]
    return out


def _check_internal(entries, invariant: bool, discrete: bool) -> None:
    """Refuse a user's symbol that the pipeline would merge with one of its own (see ``_INTERNAL_SYMBOLS``)."""
    for label, value in entries:
        for sym in sorted(getattr(value, "free_symbols", ()), key=str):
            use = (
                _INTERNAL_NAMES.get(sym.name)
                or _INTERNAL_SYMBOLS.get(sym)
                or (_INVARIANT_ONLY.get(sym) if invariant else None)
                or (_DISCRETE_NAMES.get(sym.name) if discrete else None)
            )
            if use:
                raise InvalidParameterError(
                    f"{label} uses the symbol {sym}, which the analysis uses internally for {use}; give it another name"
                )


def _check_names(entries) -> None:
    """Refuse symbols that would be silently merged: with the state, or across different parameters.

    The same symbol given on purpose for two entries (``lam=h`` and ``l2=h``) is a tie and is kept;
    two *different* symbols with one name (e.g. a variant's default ``alpha`` and the l2 weight's
    ``alpha``, whose domains differ) would print alike and are refused.
    """
    seen: dict[str, tuple[str, sp.Symbol]] = {}
    for label, value in entries:
        for sym in sorted(getattr(value, "free_symbols", ()), key=str):
            if _STATE_NAME.match(sym.name):
                raise InvalidParameterError(
                    f"{label} uses the symbol {sym}, a name of the state (phi_i, theta_i); rename it"
                )
            other = seen.get(sym.name)
            if other is not None and other[1] != sym:
                raise InvalidParameterError(
                    f"{label} and {other[0]} both use a symbol named {sym.name} with different domains; "
                    "pass one of them a symbol of another name"
                )
            seen[sym.name] = (label, sym)


def _resolve_dim(variant: Variant, dim) -> int:
    if dim is None:
        return variant.dim or 2
    dim = check_dim(dim)
    if variant.dim is not None and dim != variant.dim:
        raise InvalidParameterError(
            f"variant {variant.name!r} is defined by expressions in dimension {variant.dim}; got dim={dim}"
        )
    return dim


class _Cached:
    """``functools.cached_property`` for a slotted record: the value is kept in the record's ``_cache``.

    A slotted record has no instance ``__dict__``, so no attribute can be changed behind its frozen fields.
    """

    def __init__(self, compute):
        self.compute, self.__doc__ = compute, compute.__doc__

    def __set_name__(self, owner, name: str) -> None:
        self.name = name

    def __get__(self, obj, owner=None):
        if obj is None:
            return self
        cache = obj._cache
        if self.name not in cache:
            cache[self.name] = self.compute(obj)
        return cache[self.name]


def _frozen(value):
    """A field value as an immutable one: dicts as :class:`FrozenMap`, matrices as ``ImmutableMatrix``."""
    if isinstance(value, dict):
        return FrozenMap(value)
    if isinstance(value, sp.MatrixBase) and not isinstance(value, sp.ImmutableMatrix):
        return sp.ImmutableMatrix(value)
    return value


@dataclass(frozen=True, eq=False)
class Nonlinear(NonlinearVerdict):
    """The theory's nonlinear verdict, with its renderings: :meth:`to_latex` and :meth:`confirm`.

    Immutable: its ``__dict__`` is a read-only view, its mappings are :class:`FrozenMap`; it pickles and
    deep-copies through its constructor.
    """

    @classmethod
    def of(cls, verdict: NonlinearVerdict) -> Nonlinear:
        return cls(**{f.name: _frozen(getattr(verdict, f.name)) for f in fields(verdict)})

    @property
    def __dict__(self):  # noqa: PLW3201 - a read-only view of the instance dictionary
        for klass in type(self).__mro__[1:]:
            slot = vars(klass).get("__dict__")
            if slot is not None and not isinstance(slot, property):
                return MappingProxyType(slot.__get__(self))
        return MappingProxyType({})

    def __reduce__(self):
        return _rebuild, (type(self), {f.name: getattr(self, f.name) for f in fields(self)})

    def to_latex(self) -> str:
        """The proof as LaTeX; see :func:`stability.render.proof.latex_proof`."""
        return latex_proof(self)

    def confirm(self, **options):
        """Check this verdict numerically; see :func:`stability.numerics.confirm.confirm`."""
        return confirm(self, **options)


def _rebuild(cls, values: dict):
    return cls(**values)


@dataclass(frozen=True, eq=False, slots=True, weakref_slot=True)
class Analysis:
    """The result of :func:`analyze`: losses, field, Jacobian, eigenvalues and verdict.

    Attributes:
        variant: the :class:`Variant` analysed.
        dim: n, the dimension of ``phi`` and of ``theta``.
        params: parameter values used (numbers, or symbols kept symbolic).
        regularizers: regulariser weights used, e.g. ``{"l2": 1/10}``.
        dynamics: the losses and the derived field (rotation-invariant form when available).
        linearization: equilibrium check and derivative at the origin.
        spectrum: eigenvalues and their classification, None if not differentiable.
        classification: "stable", "unstable", "center", "non-hyperbolic",
            "non-differentiable", or "undecided" when it depends on symbolic parameters.
        detail: "node", "focus", "saddle", ... or the reason there is no Jacobian.
        explanation: the verdict in plain English.
        conditions: for symbolic parameters, the condition for each possible verdict.

    The component forms (``losses``, ``vector_field``, ``jacobian``) are built on
    first access, so the cost of :func:`analyze` does not grow with ``dim`` for
    rotation-invariant variants.
    """

    variant: Variant
    dim: int
    params: Mapping[str, sp.Expr]
    regularizers: Mapping[str, sp.Expr]
    dynamics: Dynamics
    linearization: Linearization
    spectrum: Spectrum | None
    classification: Classification
    detail: Detail | str
    explanation: str
    conditions: Mapping[str, sp.Basic]
    system: Flow | Map | None = None
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    # -- time domain ---------------------------------------------------------------
    @property
    def time_domain(self) -> TimeDomain:
        """``"continuous"`` (gradient flow) or ``"discrete"`` (an optimiser's update map)."""
        return TimeDomain.CONTINUOUS if not isinstance(self.system, Map) else TimeDomain.DISCRETE

    @property
    def optimizer(self):
        """The optimiser of a discrete analysis (None for gradient flow)."""
        return self.system.optimizer if isinstance(self.system, Map) else None

    @property
    def lr(self):
        """The learning rates ``LearningRate(d, g)`` of a discrete analysis (None for gradient flow)."""
        return self.system.lr if isinstance(self.system, Map) else None

    @property
    def spectral_radius(self) -> sp.Expr | None:
        """rho(M) of a discrete analysis: exact where :attr:`radius_exact`, else a 30-digit number."""
        return self.spectrum.spectral_radius if self.spectrum else None

    @property
    def radius_exact(self) -> bool:
        return bool(self.spectrum and self.spectrum.radius_exact)

    @property
    def boundaries(self) -> tuple:
        """For one symbolic parameter: where the spectrum reaches the stability boundary, and how."""
        return self.spectrum.boundaries if self.spectrum else ()

    @property
    def max_stable_lr(self) -> sp.Expr | None:
        """The supremum of the stable learning rates ``(0, h*)`` when ``lr`` is the one symbol."""
        lr = self.lr
        if lr is None or not isinstance(lr.d, sp.Symbol) or lr.d != lr.g or "stable" not in self.conditions:
            return None
        region = self.conditions["stable"].as_set() & sp.Interval.open(0, sp.oo)
        if isinstance(region, sp.Interval) and region.start == 0:
            return region.end
        return None

    # -- derived views -------------------------------------------------------------
    @property
    def structure(self) -> str:
        """ "rotation-invariant" (field through |phi|, |theta|, theta.phi) or "general"."""
        return "general" if self.dynamics.invariant is None else "rotation-invariant"

    @property
    def losses(self) -> tuple[sp.Expr, sp.Expr]:
        """``(L_D, L_G)`` in components ``phi_i``, ``theta_i`` (up to additive constants)."""
        return self.dynamics.component_losses

    @property
    def vector_field(self) -> sp.Matrix:
        """The training ODE's right-hand side, state order (phi_1..phi_n, theta_1..theta_n); eq. (7)."""
        return self.dynamics.field

    @property
    def state(self) -> tuple[sp.Symbol, ...]:
        """The state symbols (phi_1..phi_n, theta_1..theta_n)."""
        return self.dynamics.state

    @property
    def equilibrium(self) -> bool | None:
        """True if the field tends to 0 at the origin; None if it has no limit there."""
        return self.linearization.equilibrium

    @property
    def differentiable(self) -> bool:
        return self.linearization.differentiable

    @property
    def singular_terms(self) -> tuple[SingularTerm, ...]:
        return self.linearization.singular_terms

    @_Cached
    def field_jacobian(self) -> sp.ImmutableMatrix | None:
        """The training field's Jacobian at phi = theta = 0 (eq. 8), or None where no derivative exists."""
        lin = self.linearization
        if lin.jacobian is not None:
            return sp.ImmutableMatrix(lin.jacobian)
        if lin.block is not None:
            return sp.ImmutableMatrix(sp.kronecker_product(lin.block, sp.eye(self.dim)))
        return None

    @_Cached
    def jacobian(self) -> sp.ImmutableMatrix | None:
        """The linearisation at the equilibrium: the field's Jacobian J (flows, eq. 8) or the update
        map's Jacobian M (discrete; state order phi, theta, then the optimiser's memory); None where
        no derivative exists."""
        if self.time_domain is TimeDomain.CONTINUOUS:
            return self.field_jacobian
        if self.map_block is not None:
            return sp.ImmutableMatrix(sp.kronecker_product(self.map_block, sp.eye(self.dim)))
        return self.map_jacobian

    @property
    def block(self) -> sp.ImmutableMatrix | None:
        """The matrix B with Jacobian = B (x) I_n, when the linearisation has that structure."""
        if self.time_domain is TimeDomain.DISCRETE:
            return self.map_block
        return None if self.linearization.block is None else sp.ImmutableMatrix(self.linearization.block)

    @_Cached
    def map_block(self) -> sp.ImmutableMatrix | None:
        """M's block when the field's Jacobian is ``B (x) I_n`` (discrete analyses only)."""
        if self.time_domain is TimeDomain.CONTINUOUS or self.linearization.block is None:
            return None
        if not self.system.optimizer.differentiable:
            return None
        return sp.ImmutableMatrix(map_jacobian(self.system.optimizer, self.linearization.block, self.system.lr))

    @_Cached
    def map_jacobian(self) -> sp.ImmutableMatrix | None:
        """The update map's full Jacobian on the general (component) path."""
        lin = self.linearization
        if self.time_domain is TimeDomain.CONTINUOUS or lin.jacobian is None or lin.block is not None:
            return None
        if not self.system.optimizer.differentiable:
            return None
        return sp.ImmutableMatrix(map_jacobian(self.system.optimizer, lin.jacobian, self.system.lr))

    @property
    def eigenvalues(self) -> dict:
        """``{eigenvalue: multiplicity}``; empty when there is no Jacobian."""
        return dict(self.spectrum.eigenvalues) if self.spectrum else {}

    @property
    def eigenvalue_parts(self) -> tuple[Eigenvalue, ...]:
        """Each eigenvalue with its multiplicity, real part and imaginary part."""
        return self.spectrum.parts if self.spectrum else ()

    def field_equations(self) -> tuple[sp.Expr, sp.Expr] | None:
        """``(phi', theta')`` in vector form ``a*phi + b*theta`` (rotation-invariant variants only)."""
        f = self.dynamics.invariant
        if f is None:
            return None
        return f.a * PHI_VEC + f.b * THETA_VEC, f.c * PHI_VEC + f.d * THETA_VEC

    # -- numerics, nonlinear analysis and LaTeX live in their own modules ------------
    def simulate(self, x0, t_end: float, **options):
        """Integrate the training ODE from ``x0`` (flows; see :func:`stability.numerics.simulate.simulate`), or,
        for a discrete analysis, iterate the real update ``t_end`` steps (an integer; see
        :func:`stability.numerics.iterate.iterate`)."""
        if self.time_domain is TimeDomain.DISCRETE:
            return iterate(self, x0, t_end, **options)
        return simulate(self, x0, t_end, **options)

    def verify(self, **options):
        """Check the symbolic verdict numerically: by integrating the flow
        (:func:`stability.numerics.verify.verify`) or iterating the update map
        (:func:`stability.numerics.verify_map.verify_map`)."""
        if self.time_domain is TimeDomain.DISCRETE:
            return verify_map(self, **options)
        return verify(self, **options)

    @_Cached
    def nonlinear(self) -> Nonlinear:
        """The nonlinear verdict of gradient flow with its certificate; see :mod:`stability.theory.nonlinear`."""
        if self.time_domain is TimeDomain.DISCRETE:
            raise InvalidParameterError(
                "the nonlinear (Lyapunov/LaSalle/Chetaev) analysis is for gradient flow; a discrete analysis is "
                "decided by its linearisation and by iterating the update (Analysis.verify)"
            )

        def reanalyze(params, regularizers):
            return analyze(self.variant, dim=self.dim, params=params, regularizers=regularizers).nonlinear

        return Nonlinear.of(analyze_nonlinear(self, reanalyze=reanalyze))

    def derivation(self, **options):
        """The steps of the analysis (losses -> field -> linearisation -> verdict); see :mod:`.render.latex`."""
        return derivation(self, **options)

    def to_latex(self, **options) -> str:
        """The derivation as LaTeX; see :func:`stability.render.latex.to_latex`."""
        return to_latex(self, **options)

    # -- output --------------------------------------------------------------------
    def to_dict(self, nonlinear: bool = False) -> dict:
        """A JSON-serialisable summary (SymPy objects as strings).

        With ``nonlinear=True`` it also holds ``"nonlinear"``: the nonlinear verdict and its
        certificate (:attr:`nonlinear`, see :mod:`stability.theory.nonlinear`), which takes longer.
        """
        eq = self.field_equations()
        d_loss, g_loss = (self.dynamics.d_loss, self.dynamics.g_loss)
        out = {
            "variant": self.variant.name,
            "description": self.variant.description,
            "equations": self.variant.equations,
            "dim": self.dim,
            "params": {k: str(v) for k, v in self.params.items()},
            "regularizers": {k: str(v) for k, v in self.regularizers.items()},
            "structure": self.structure,
            "losses": {"d": str(d_loss), "g": str(g_loss)},
            "field": {"phi'": str(eq[0]), "theta'": str(eq[1])} if eq else [str(c) for c in self.vector_field],
            "equilibrium": self.equilibrium,
            "differentiable": self.differentiable,
            "singular_terms": [s.describe() for s in self.singular_terms],
            "jacobian_block": _matrix_strings(self.block),
            "jacobian": _matrix_strings(self.jacobian) if self.block is None else None,
            "eigenvalues": [
                {"value": str(p.value), "multiplicity": p.multiplicity, "real": str(p.real), "imag": str(p.imag)}
                for p in self.eigenvalue_parts
            ],
            "classification": self.classification,
            "detail": self.detail,
            "explanation": self.explanation,
            "conditions": {k: str(v) for k, v in self.conditions.items()},
            "time_domain": self.time_domain,
        }
        if self.time_domain is TimeDomain.DISCRETE:
            out |= {
                "optimizer": {
                    "name": self.optimizer.name,
                    **{k: str(v) for k, v in self.optimizer.hyperparameters().items()},
                },
                "lr": {"d": str(self.lr.d), "g": str(self.lr.g)},
                "spectral_radius": None if self.spectral_radius is None else str(self.spectral_radius),
                "spectral_radius_exact": self.radius_exact,
                "boundaries": [{"value": str(b.value), "crossing": b.crossing} for b in self.boundaries],
                "max_stable_lr": None if self.max_stable_lr is None else str(self.max_stable_lr),
            }
        if nonlinear:
            out["nonlinear"] = self.nonlinear.to_dict()
        return out

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v}" for k, v in self.params.items())
        regs = ", ".join(f"{k}={v}" for k, v in self.regularizers.items())
        extra = "".join(f", {x}" for x in (params, regs and f"regularizers: {regs}") if x)
        eig = ", ".join(f"{v}: {m}" for v, m in self.eigenvalues.items()) or "none"
        return (
            f"Analysis({self.variant.name!r}, dim={self.dim}{extra}: {self.classification} "
            f"({self.detail}); eigenvalues {{{eig}}})"
        )

    def _latex_eigenvalues(self) -> str:
        items = [f"{latex(v)}\\ (\\times {m})" for v, m in self.eigenvalues.items()]
        return r",\quad ".join(items) if items else r"\text{no Jacobian at the origin}"

    def _repr_latex_(self) -> str:
        return (
            rf"$\text{{{self.variant.name}, }} n = {self.dim}:\quad \lambda \in \{{{self._latex_eigenvalues()}\}}"
            rf"\quad\Rightarrow\quad \text{{{self.classification} ({_latex_text(self.detail)})}}$"
        )

    def _repr_markdown_(self) -> str:
        eq = self.field_equations()
        field = (
            f"$\\dot{{\\boldsymbol\\varphi}} = {latex(eq[0])}$, $\\dot{{\\boldsymbol\\theta}} = {latex(eq[1])}$"
            if eq
            else f"{len(self.vector_field)} component equations"
        )
        rows = [
            ("variant", f"`{self.variant.name}`" + _parenthesised(self.variant.description, self.variant.equations)),
            ("dim", str(self.dim)),
            (
                "parameters",
                ", ".join(f"${latex(sp.Symbol(k))} = {latex(v)}$" for k, v in self.params.items()) or "none",
            ),
            ("regularizers", ", ".join(f"{k}: ${latex(v)}$" for k, v in self.regularizers.items())),
            ("vector field", field),
            ("eigenvalues", f"${self._latex_eigenvalues()}$"),
            ("classification", f"**{self.classification}** ({self.detail})"),
        ]
        table = "| | |\n|---|---|\n" + "\n".join(f"| {k} | {_md_cell(v)} |" for k, v in rows)
        return f"{table}\n\n{to_markdown(self, level=3)}\n"


def _immutable(self, name, value=None):
    # dataclass's own frozen __setattr__ fails with "super(type, obj)" on a slotted class in Python 3.11
    raise FrozenInstanceError(f"cannot assign to {name!r}: an Analysis is immutable")


Analysis.__setattr__ = _immutable
Analysis.__delattr__ = _immutable


def _parenthesised(*parts: str) -> str:
    """ " (a; b)" of the non-empty parts, "" when all are empty (a custom variant has no description)."""
    shown = "; ".join(p for p in parts if p)
    return f" ({shown})" if shown else ""


def _md_cell(text: str) -> str:
    """A Markdown table cell: pipes outside math would split the cell."""
    if not text:
        return "none"
    parts = text.split("$")
    return "$".join(p if i % 2 else p.replace("|", r"\|") for i, p in enumerate(parts))


def _latex_text(text: str) -> str:
    return text.replace("_", r"\_").replace("|", r"\vert ")


def _matrix_strings(m: sp.Matrix | None):
    return None if m is None else [[str(x) for x in row] for row in m.tolist()]


#: Distinct eigenvalues written out in an explanation; the rest are counted (all are in ``Analysis.eigenvalues``).
LISTED_EIGENVALUES = 8


def _eigen_list(eigenvalues: Mapping) -> str:
    """``"v (xm), ..."`` for the first :data:`LISTED_EIGENVALUES` distinct eigenvalues, then how many more."""
    items = list(eigenvalues.items())
    text = ", ".join(f"{v} (x{m})" for v, m in items[:LISTED_EIGENVALUES])
    rest = items[LISTED_EIGENVALUES:]
    if rest:
        count = sum(m for _, m in rest)
        text += f" and {len(rest)} more distinct ones ({count} with multiplicity; see Analysis.eigenvalues)"
    return text


def _explain(variant: Variant, dim: int, lin: Linearization, spec: Spectrum | None) -> str:
    where = f"in dimension n = {dim}"
    if not lin.differentiable:
        text = (
            f"The vector field has no derivative at phi = theta = 0: {lin.reason}. "
            "There is no Jacobian there, so linearisation cannot decide stability; "
            "the numerics (Analysis.verify) and the nonlinear analysis must."
        )
        if lin.equilibrium is None:
            text += " The field does not even tend to a limit at the origin, so it is a singular point of the field."
        return f"{text} (Verdict {where}.)"
    head = f"The Jacobian at phi = theta = 0 has eigenvalues {_eigen_list(spec.eigenvalues)}. "
    body = {
        "stable": "Every real part is negative, so by Lyapunov's indirect method (Hartman-Grobman) the "
        f"equilibrium is locally asymptotically stable: a stable {spec.detail}.",
        "unstable": f"Some real part is positive, so the equilibrium is unstable ({unstable_shape(spec.detail)}).",
        "center": "All eigenvalues are non-zero and purely imaginary: the linearisation is a centre. "
        "Linearisation is inconclusive for the nonlinear system (Hartman-Grobman does not apply to "
        "eigenvalues with zero real part); the nonlinear terms decide whether trajectories converge, "
        "orbit or diverge.",
        "non-hyperbolic": "Some eigenvalue has zero real part while none is positive, so the equilibrium is "
        "non-hyperbolic and linearisation is inconclusive.",
        "undecided": "The signs of the real parts depend on the parameters and cannot be decided from their "
        "declared domains: " + "; ".join(f"{k} when {v}" for k, v in spec.conditions.items()) + ".",
    }[spec.classification]
    if spec.classification not in ("undecided",) and spec.conditions:
        body += " Conditions: " + "; ".join(f"{k} when {v}" for k, v in spec.conditions.items()) + "."
    return f"{head}{body} (Verdict {where}.)"


def _explain_map(a_dim: int, system: Map, spec: Spectrum | None, reason: str) -> str:
    where = f"in dimension n = {a_dim}, {system.optimizer!r} at lr = {_lr_text(system.lr)}"
    if spec is None:
        return f"{reason} (Verdict {where}.)"
    eig = _eigen_list(spec.eigenvalues) or "(not in closed form)"
    head = f"The update map's Jacobian at the equilibrium has eigenvalues {eig}. "
    rho = "" if spec.spectral_radius is None else f" (spectral radius {spec.spectral_radius})"
    body = {
        Classification.STABLE: f"Every eigenvalue lies inside the unit circle{rho}, so training converges locally, "
        "geometrically.",
        Classification.UNSTABLE: f"Some eigenvalue lies outside the unit circle{rho}, so the equilibrium is unstable.",
        Classification.NEUTRAL: "The spectral radius is exactly 1 (eigenvalues on the unit circle, none outside): "
        "the linearisation is neutral and inconclusive; the nonlinear terms and the numerics decide.",
        Classification.UNDECIDED: "The verdict depends on the parameters: "
        + "; ".join(f"{k} when {v}" for k, v in spec.conditions.items())
        + ".",
    }[spec.classification]
    if spec.classification is not Classification.UNDECIDED and spec.conditions:
        body += " Conditions: " + "; ".join(f"{k} when {v}" for k, v in spec.conditions.items()) + "."
    if spec.boundaries:
        body += " Boundary: " + "; ".join(f"{b.crossing} at {b.value}" for b in spec.boundaries) + "."
    return f"{head}{body} (Verdict {where}.)"


def _lr_text(lr) -> str:
    return str(lr.d) if lr.d == lr.g else f"(d: {lr.d}, g: {lr.g})"


def _classify_map(system: Map, lin: Linearization, dim: int):
    """``(spectrum, classification, detail, conditions, explanation)`` of an update map."""
    if not lin.differentiable:
        reason = (
            f"The training field has no derivative at phi = theta = 0: {lin.reason}; so neither has the update "
            "map, and linearisation cannot decide; the numerics (Analysis.verify) must."
        )
        return None, Classification.NON_DIFFERENTIABLE, lin.reason, {}, _explain_map(dim, system, None, reason)
    opt = system.optimizer
    if not opt.differentiable:
        reason = (
            f"The update rule of {opt.name} has no derivative at the equilibrium: {opt.reason}. "
            "There is no linearisation; the numerics (Analysis.verify) decide."
        )
        return None, Classification.NO_LINEARIZATION, Detail.NO_DERIVATIVE, {}, _explain_map(dim, system, None, reason)
    if lin.block is not None:
        spec = classify_map(map_jacobian(opt, lin.block, system.lr), copies=dim, constraints=opt.constraints())
    else:
        spec = classify_map(map_jacobian(opt, lin.jacobian, system.lr), copies=1, constraints=opt.constraints())
    return spec, spec.classification, spec.detail, spec.conditions, _explain_map(dim, system, spec, "")


def _smooth_cases(variant, dim, values, regs, lin, optimizer, lr):
    """``(conditions, explanation)`` when a symbolic parameter multiplies every non-smooth term.

    The field is then non-differentiable only where that parameter is non-zero: at 0 it is analysed
    again (``wgan_gp`` with a real ``c``: smooth and stable at ``c = 0``). None when no such parameter.
    """
    symbols = set().union(*(values[k].free_symbols for k in values if isinstance(values[k], sp.Expr)))
    symbols |= set().union(*(w.free_symbols for w in regs.values() if isinstance(w, sp.Expr)))
    for sym in sorted(symbols, key=str):
        if sym.is_nonzero or not all(sym in t.term.free_symbols for t in lin.singular_terms):
            continue
        at_zero = {k: v.subs(sym, 0) if isinstance(v, sp.Expr) else v for k, v in values.items()}
        regs_zero = {k: w.subs(sym, 0) for k, w in regs.items()}
        try:
            other = analyze(variant, dim=dim, params=at_zero, regularizers=regs_zero, optimizer=optimizer, lr=lr)
        except StabilityError:
            continue
        if other.classification is Classification.NON_DIFFERENTIABLE:
            continue
        zero = sp.Eq(sym, 0)
        conditions = {str(Classification.NON_DIFFERENTIABLE): sp.Ne(sym, 0)}
        for key, cond in (other.conditions or {str(other.classification): sp.true}).items():
            conditions[key] = sp.And(zero, cond)
        explanation = (
            f"The field has no derivative at the equilibrium when {sym} != 0: {lin.reason}. At {sym} = 0 that "
            f"term vanishes and the field is smooth: {other.explanation}"
        )
        return conditions, explanation
    return None


def analyze(
    variant: str | Variant,
    dim: int | None = None,
    params=None,
    regularizers=None,
    *,
    optimizer=None,
    lr=None,
) -> Analysis:
    """Derive the training dynamics of a Dirac-GAN variant and classify its equilibrium.

    Args:
        variant: a built-in name (see ``stability.VARIANTS``) or a :class:`Variant`.
        dim: n, the dimension of phi and theta; default 2 (the post's n >= 2), or the
            custom variant's own dimension.
        params: ``{name: value}``; numbers are made exact (0.1 -> 1/10), a SymPy symbol
            keeps a parameter symbolic; unspecified parameters take their defaults.
        regularizers: ``{"l2": weight}`` (weight a number, a symbol, or None for symbolic).
        optimizer: None for gradient flow (the post's ODE), or an optimiser name (see
            ``stability.optimizers.OPTIMIZERS``) or object for discrete-time training.
        lr: the learning rate(s) of a discrete analysis: a number, a positive SymPy symbol,
            or ``{"d": h_d, "g": h_g}`` (two time scales).

    >>> analyze("wgan_gp", params={"c": 0, "lam": 2}).detail
    'node'
    >>> analyze("wgan").classification
    'non-differentiable'
    >>> a = analyze("vanilla_ns", dim=1, optimizer="simgd", lr=0.2)
    >>> a.time_domain, a.classification, a.spectral_radius
    ('discrete', 'unstable', sqrt(101)/10)
    """
    variant = get_variant(variant)
    dim = _resolve_dim(variant, dim)
    values = _resolve_params(variant, params)
    regs = resolve_regularizers(regularizers)
    if optimizer is None and lr is not None:
        raise InvalidParameterError("lr= needs an optimizer= (gradient flow has no learning rate)")
    opt = None if optimizer is None else get_optimizer(optimizer)
    rate = None if optimizer is None else resolve_learning_rate(lr)
    entries = _entries(values, regs, rate, opt)
    _check_names(entries)
    dynamics = build_dynamics(variant, dim, values, regs)
    _check_internal(entries, invariant=dynamics.invariant is not None, discrete=opt is not None)
    lin = linearize(dynamics)
    if optimizer is not None:
        system = Map(dynamics, opt, rate)
        spec, classification, detail, conditions, explanation = _classify_map(system, lin, dim)
    else:
        system = Flow(dynamics)
        if not lin.differentiable:
            spec, classification, detail, conditions = None, Classification.NON_DIFFERENTIABLE, lin.reason, {}
        else:
            spec = classify_block(lin.block, dim) if lin.block is not None else classify_matrix(lin.jacobian)
            classification, detail, conditions = spec.classification, spec.detail, spec.conditions
        explanation = _explain(variant, dim, lin, spec)
    if classification is Classification.NON_DIFFERENTIABLE:
        split = _smooth_cases(variant, dim, values, regs, lin, optimizer, lr)
        if split is not None:
            conditions, explanation = split
            classification, detail = Classification.UNDECIDED, Detail.DEPENDS
    return Analysis(
        variant=variant,
        dim=dim,
        params=FrozenMap(values),
        regularizers=FrozenMap(regs),
        dynamics=dynamics,
        linearization=lin,
        spectrum=spec,
        classification=classification,
        detail=detail,
        explanation=explanation,
        conditions=FrozenMap(dict(conditions)),
        system=system,
    )
