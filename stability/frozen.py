"""An immutable mapping that pickles and deep-copies: the ``Mapping`` field type of every result record.

``types.MappingProxyType`` is read-only but cannot be pickled, so results holding it could not be
sent to a process pool. :class:`FrozenMap` is read-only, hashable when its values are, and pickles.

>>> import pickle
>>> m = FrozenMap({"stable": 1})
>>> m["stable"], pickle.loads(pickle.dumps(m)) == m
(1, True)
>>> m["x"] = 2
Traceback (most recent call last):
...
TypeError: 'FrozenMap' object does not support item assignment
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["FrozenMap"]


class FrozenMap(Mapping):
    """A read-only ``dict`` view over its own private copy."""

    __slots__ = ("_data",)

    def __init__(self, data: Mapping | None = None, **kwargs: Any):
        object.__setattr__(self, "_data", dict(data or {}, **kwargs))

    def __getitem__(self, key):
        return self._data[key]

    def __iter__(self) -> Iterator:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __setattr__(self, name, value):
        raise AttributeError("FrozenMap is immutable")

    def __reduce__(self):
        return (FrozenMap, (self._data,))

    def __eq__(self, other) -> bool:
        return dict(self._data) == dict(other) if isinstance(other, Mapping) else NotImplemented

    def __hash__(self) -> int:
        return hash(frozenset(self._data.items()))

    def __or__(self, other: Mapping) -> FrozenMap:
        return FrozenMap({**self._data, **other})

    def __repr__(self) -> str:
        return repr(self._data)
