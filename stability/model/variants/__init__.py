"""The built-in GAN variants, one module each, each defined once by its losses.

A module defines ``VARIANT``, built by :func:`stability.model.variant.builtin_variant` from one
function ``losses(g, **params) -> (L_D, L_G)`` written in the general form over a Dirac-GAN
space ``g`` (see :mod:`stability.model.space`). Adding a variant is one new module here plus its
name in ``BUILTINS`` (which fixes the order of ``stability list``).

>>> VARIANTS["wgan_gp"].params["c"].default
1
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from types import MappingProxyType

from ...errors import InvalidParameterError, UnknownNameError
from ..variant import Variant

__all__ = ["Variant", "VARIANTS", "BUILTINS", "get_variant", "variant_names"]

#: The built-in variants, in the order they are listed.
BUILTINS = (
    "vanilla_ns",
    "vanilla_sat",
    "wgan",
    "wgan_gp",
    "gan_qp",
    "lsgan",
    "hinge",
    "rpgan",
    "fgan_kl",
    "fgan_kl_ns",
    "fgan_reverse_kl",
    "fgan_reverse_kl_ns",
    "fgan_pearson",
    "fgan_pearson_ns",
    "fgan_hellinger",
    "fgan_hellinger_ns",
    "fgan_js",
    "fgan_js_ns",
)

VARIANTS: Mapping[str, Variant] = MappingProxyType(
    {name: importlib.import_module(f"{__name__}.{name}").VARIANT for name in BUILTINS}
)


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
