"""``stability list``: the built-in variants and regularisers."""

from __future__ import annotations

from ..dynamics.optimizers import OPTIMIZERS
from ..model.regularizers import REGULARIZERS
from ..model.variants import VARIANTS
from ._common import print_json


def register(sub) -> None:
    p = sub.add_parser("list", help="list built-in variants and regularisers")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=run)


def _params(params) -> list[dict]:
    return [
        {
            "name": p.name,
            "default": None if p.default is None else str(p.default),
            "domain": p.domain_text,
            "description": p.description,
        }
        for p in params.values()
    ]


def run(args) -> int:
    variants = [
        {"name": v.name, "description": v.description, "equations": v.equations, "params": _params(v.params)}
        for v in VARIANTS.values()
    ]
    regs = [
        {"name": r.name, "description": r.description, "params": _params({r.weight.name: r.weight})}
        for r in REGULARIZERS.values()
    ]
    if args.json:
        optimizers = [{"name": k, "description": c.description, "source": c.source} for k, c in OPTIMIZERS.items()]
        print_json({"variants": variants, "regularizers": regs, "optimizers": optimizers})
        return 0
    width = max(len(x["name"]) for x in variants + regs)
    print("Variants (stability analyze NAME):")
    for v in variants:
        print(f"  {v['name']:<{width}}  {v['description']}  [{v['equations']}]")
        for p in v["params"]:
            print(f"  {'':<{width}}    {p['name']} = {p['default']}  ({p['domain']}; {p['description']})")
    print("Regularisers (--reg NAME=WEIGHT):")
    for r in regs:
        p = r["params"][0]
        print(f"  {r['name']:<{width}}  {r['description']}  ({p['name']} {p['domain']}; default symbolic)")
    print("Optimisers (--optimizer NAME --lr H [--opt KEY=VALUE]):")
    for name, cls in OPTIMIZERS.items():
        print(f"  {name:<{width}}  {cls.description or cls.__doc__.splitlines()[0]}  [{cls.source}]")
    return 0
