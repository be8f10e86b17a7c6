"""Immutable, picklable result records: read-only arrays, a frozen mapping, value equality.

The numerics' records (:class:`~stability.numerics.trajectories.Trajectories`,
:class:`~stability.numerics.verify.Verification`, the confirm checks) are frozen dataclasses
whose arrays are read-only. :class:`Record` gives them equality by value (arrays compared
element by element, NaN equal to NaN), and pickling and deep copies that rebuild the record
through its constructor, so the copies are frozen and read-only too.

>>> m = FrozenMap({"a": 1})
>>> m["a"], dict(m), m == {"a": 1}
(1, {'a': 1}, True)
>>> import pickle
>>> pickle.loads(pickle.dumps(m)) == m
True
>>> a = frozen(np.arange(3.0))
>>> a.flags.writeable
False
"""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

import numpy as np

__all__ = ["FrozenMap", "Record", "frozen", "same"]


class FrozenMap(Mapping):
    """A read-only mapping that pickles and deep-copies (unlike ``types.MappingProxyType``)."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping | None = None, /, **items: Any):
        self._data = dict(data or {}, **items)

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __repr__(self) -> str:
        return repr(self._data)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Mapping) and same(dict(self), dict(other))

    __hash__ = None  # values may be unhashable arrays

    def __reduce__(self):
        return FrozenMap, (self._data,)

    def __deepcopy__(self, memo) -> FrozenMap:
        return FrozenMap(copy.deepcopy(self._data, memo))


def frozen(a):
    """``a`` with its ``writeable`` flag cleared (arrays; mappings of arrays become a :class:`FrozenMap`)."""
    if isinstance(a, np.ndarray):
        if a.flags.writeable:
            a.setflags(write=False)
        return a
    if isinstance(a, Mapping):
        return FrozenMap({k: frozen(v) for k, v in a.items()})
    return a


def same(a: Any, b: Any) -> bool:
    """Equality by value: arrays element by element (NaN equals NaN), containers recursively."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        if a.shape != b.shape or a.dtype.kind != b.dtype.kind:
            return False
        return bool(np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return type(a) is type(b) and len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and isinstance(b, float) and a != a and b != b:  # noqa: PLR0124 - NaN test
        return True
    return bool(a == b)


class Record:
    """Mixin for frozen dataclasses: value equality, pickling and deep copy through the constructor.

    Fields named in ``_shared`` are kept by reference in deep copies (immutable objects that
    need not be copied, such as the analysis a run was made from).
    """

    __slots__ = ()
    _shared: ClassVar[tuple[str, ...]] = ()

    def _init_values(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self) if f.init}

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        return all(same(getattr(self, f.name), getattr(other, f.name)) for f in dataclasses.fields(self) if f.compare)

    __hash__ = None

    def __reduce__(self):
        return _rebuild, (type(self), self._init_values())

    def __deepcopy__(self, memo):
        values = {k: v if k in self._shared else copy.deepcopy(v, memo) for k, v in self._init_values().items()}
        return type(self)(**values)


def _rebuild(cls, values: dict[str, Any]):
    return cls(**values)
