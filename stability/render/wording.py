"""How a verdict's detail reads in a sentence (shared by the explanation and the derivation).

>>> unstable_shape("saddle"), unstable_shape("zero eigenvalue")
('a saddle', 'with, besides, a zero eigenvalue')
"""

from __future__ import annotations

from ..verdicts import Detail

__all__ = ["unstable_shape"]

#: How an unstable spectrum's detail reads in a sentence: a shape ("a saddle") or what else it has.
_UNSTABLE_PHRASES = {
    Detail.ZERO_REAL_PART: "with, besides, an eigenvalue on the imaginary axis",
    Detail.ZERO_EIGENVALUE: "with, besides, a zero eigenvalue",
    Detail.UNIT_CIRCLE: "with, besides, an eigenvalue on the unit circle",
    Detail.DEPENDS: "its shape depends on the parameters",
}


def unstable_shape(detail) -> str:
    """ "a saddle", "a source", ... or the extra feature of the spectrum (never an empty "a ").

    >>> unstable_shape(Detail.SADDLE), unstable_shape(Detail.ZERO_REAL_PART)
    ('a saddle', 'with, besides, an eigenvalue on the imaginary axis')
    >>> unstable_shape("")
    'its spectrum has no further structure'
    """
    if detail in _UNSTABLE_PHRASES:
        return _UNSTABLE_PHRASES[detail]
    return f"a {detail}" if detail else "its spectrum has no further structure"
