"""Checks of the command line's inputs and outputs; every message names the option and the value.

Output paths are checked before any work is done (an existing directory, a path through a
file, a missing or unwritable directory), and a file is written so that a failure leaves
nothing behind that the tool did not create.

>>> positive_number("--t-end", 5.0)
5.0
>>> positive_number("--t-end", -1.0)
Traceback (most recent call last):
...
stability.errors.InvalidParameterError: --t-end -1: t_end must be a positive number
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path

from ..errors import InvalidParameterError

__all__ = [
    "NUMERIC_RANGE",
    "positive_number",
    "positive_count",
    "seed",
    "numeric_range",
    "output_file",
    "output_directory",
    "write_file",
]

#: Smallest and largest magnitude (besides 0) a value may have where the tool computes in double
#: precision (verify, plot): with 53-bit mantissas, 1 + 1e16 rounds to 1e16 and 1 + 1e-16 to 1, so a
#: parameter outside this range is lost to rounding next to the O(1) state.
NUMERIC_RANGE = (1e-15, 1e15)


def _shown(value) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def positive_number(option: str, value: float, maximum: float | None = None) -> float:
    """A positive finite number, at most ``maximum``."""
    name = option.lstrip("-").replace("-", "_")
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise InvalidParameterError(f"{option} {_shown(value)}: {name} must be a positive number")
    if maximum is not None and value > maximum:
        raise InvalidParameterError(f"{option} {_shown(value)}: {name} must be a positive number up to {maximum:g}")
    return float(value)


def positive_count(option: str, value: int, maximum: int | None = None) -> int:
    """A positive integer, at most ``maximum``."""
    name = option.lstrip("-").replace("-", "_")
    if value < 1:
        raise InvalidParameterError(f"{option} {value}: {name} must be a positive integer")
    if maximum is not None and value > maximum:
        raise InvalidParameterError(f"{option} {value}: {name} must be at most {maximum}")
    return value


def seed(option: str, value: int) -> int:
    """A random seed: a non-negative integer (what NumPy's generators accept)."""
    if value < 0:
        raise InvalidParameterError(f"{option} {value}: a seed must be a non-negative integer")
    return value


def numeric_range(option: str, text: str, value) -> None:
    """Refuse a non-zero number outside :data:`NUMERIC_RANGE` for a command that computes in floating point.

    >>> numeric_range("--param", "lam=1e400", 10**400)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    stability.errors.InvalidParameterError: --param lam=1e400: ... double precision ...
    """
    low, high = NUMERIC_RANGE
    magnitude = abs(value)
    if magnitude == 0 or low <= magnitude <= high:
        return
    side = "larger than" if magnitude > high else "smaller than"
    raise InvalidParameterError(
        f"{option} {text}: a value {side} {high if magnitude > high else low:g} in magnitude is out of the numerics' "
        f"range: they compute in double precision (about 16 digits), where it is lost to rounding next to the "
        f"state; `stability analyze` gives the exact verdict for it"
    )


# ----------------------------------------------------------------------------------- output paths


def _blocking_file(path: Path) -> Path | None:
    """The first existing ancestor of ``path`` that is not a directory (a path "through a file")."""
    for parent in reversed(path.parents):
        if parent.exists() and not parent.is_dir():
            return parent
    return None


def output_file(text: str, option: str = "-o") -> Path:
    """Check that ``text`` names a file that can be written: not a directory, in an existing writable directory.

    An existing file is accepted (it will be overwritten).
    """
    if not text or not text.strip():
        raise InvalidParameterError(f"{option} needs a file name; got an empty one")
    path = Path(text).expanduser()
    if path.is_dir():
        raise InvalidParameterError(f"{option} {text}: is a directory; give a file name")
    blocking = _blocking_file(path)
    if blocking is not None:
        raise InvalidParameterError(f"{option} {text}: {blocking} is a file, not a directory")
    parent = path.parent
    if not parent.exists():
        raise InvalidParameterError(f"{option} {text}: the directory {parent} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise InvalidParameterError(f"{option} {text}: cannot write into the directory {parent} (permission denied)")
    if path.exists() and not os.access(path, os.W_OK):
        raise InvalidParameterError(f"{option} {text}: the existing file is not writable (permission denied)")
    return path


def output_directory(text: str, option: str = "-o", subdirectories: Iterable[str] = ()) -> Path:
    """Check that ``text`` names a directory the tool can create or write into.

    ``subdirectories`` are created inside it by the command: a file in their way is named.
    """
    if not text or not text.strip():
        raise InvalidParameterError(f"{option} needs a directory name; got an empty one")
    path = Path(text).expanduser()
    if path.exists() and not path.is_dir():
        raise InvalidParameterError(f"{option} {text}: is a file; give a directory (it is created if missing)")
    blocking = _blocking_file(path)
    if blocking is not None:
        raise InvalidParameterError(f"{option} {text}: {blocking} is a file, not a directory")
    existing = next(p for p in (path, *path.parents) if p.exists())
    if not os.access(existing, os.W_OK | os.X_OK):
        raise InvalidParameterError(f"{option} {text}: cannot write into {existing} (permission denied)")
    for name in subdirectories:
        inner = path / name
        if inner.exists() and not inner.is_dir():
            raise InvalidParameterError(
                f"{option} {text}: {inner} is a file, in the way of the directory the command writes into; "
                "move it or choose another directory"
            )
    return path


def write_file(path: Path, write: Callable[[Path], object], option: str = "-o") -> None:
    """Call ``write(path)``; on failure remove what it left, but only if the file did not exist before."""
    existed = path.exists()
    try:
        write(path)
    except OSError as exc:
        if not existed and path.is_file():
            try:
                path.unlink()
            except OSError:
                pass
        raise InvalidParameterError(f"{option} {path}: cannot write it ({exc.strerror or exc})") from None
