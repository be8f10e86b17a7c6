"""``stability analyze``: the symbolic verdict for one variant."""

from __future__ import annotations

from ._common import add_variant_arguments, analysis_from_args, print_json, wrap


def register(sub) -> None:
    p = sub.add_parser("analyze", help="derive the training ODE and classify the equilibrium")
    add_variant_arguments(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--nonlinear",
        action="store_true",
        help="also decide stability beyond the linearisation, with its certificate (Lyapunov/LaSalle/Chetaev, "
        "periodic orbits, n = 1 vs n >= 2)",
    )
    p.set_defaults(func=run)


def format_analysis(a) -> str:
    """Readable text for an Analysis."""
    lines = [f"{a.variant.name}: {a.variant.description} [{a.variant.equations}]", f"  dim = {a.dim}"]
    if a.params:
        lines.append("  params: " + ", ".join(f"{k} = {v}" for k, v in a.params.items()))
    if a.regularizers:
        lines.append("  regularizers: " + ", ".join(f"{k} = {v}" for k, v in a.regularizers.items()))
    lines += [f"  L_D = {a.dynamics.d_loss}", f"  L_G = {a.dynamics.g_loss}"]
    eq = a.field_equations()
    if eq:
        lines += [f"  phi'   = {eq[0]}", f"  theta' = {eq[1]}"]
    else:
        lines += [f"  {s}' = {f}" for s, f in zip(a.state, a.vector_field)]
    what = "Jacobian at 0" if a.time_domain == "continuous" else "update map's Jacobian M at 0"
    if a.time_domain == "discrete":
        lines.append(f"  training: {a.optimizer!r}, lr = {a.lr.d}" + ("" if a.lr.equal else f" (d), {a.lr.g} (g)"))
    if a.block is not None:
        lines.append(f"  {what} = B (x) I_{a.dim},  B = {a.block.tolist()}")
    elif a.jacobian is not None:
        lines.append(f"  {what} = {a.jacobian.tolist()}")
    else:
        lines.append(f"  {what}: none ({a.detail})")
    for p in a.eigenvalue_parts:
        lines.append(f"  eigenvalue {p.value}  (multiplicity {p.multiplicity}; Re = {p.real}, Im = {p.imag})")
    if a.spectral_radius is not None:
        lines.append(f"  spectral radius: {a.spectral_radius}" + ("" if a.radius_exact else " (numeric)"))
    lines.append(f"  classification: {a.classification} ({a.detail})")
    for k, v in a.conditions.items():
        lines.append(f"    {k} when {v}")
    lines.append(wrap(a.explanation))
    return "\n".join(lines)


def run(args) -> int:
    a = analysis_from_args(args)
    nonlinear = getattr(args, "nonlinear", False)
    if args.json:
        print_json(a.to_dict(nonlinear=True) if nonlinear else a.to_dict())
    else:
        print(format_analysis(a))
        if nonlinear:
            print(a.nonlinear.summary())
    return 0
