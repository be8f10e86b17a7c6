"""The one time limit of the package: bound a symbolic computation that could run for ever.

SymPy can spend a very long time on a few pathological inputs (a limit, a simplification, a
sign question). :func:`time_limit` interrupts the block with :class:`TimeLimitExceeded` once
its budget is spent. The exception subclasses ``BaseException``, so no ``except Exception``
inside SymPy swallows it; catch it where the bounded step is called and turn it into an
answer ("undecided") or a :class:`~stability.errors.StabilityError`.

Limits nest: an inner limit never extends an outer one, and the outer timer is re-armed with
what is left of it when the inner block ends. The timer is ``SIGALRM``, so it acts on POSIX
in the main thread; elsewhere the block runs unbounded (callers keep their own size limits).

>>> import time
>>> try:
...     with time_limit(0.05):
...         time.sleep(1)
... except TimeLimitExceeded as exc:
...     print("stopped:", exc)
stopped: time limit of 0.05 s exceeded
"""

from __future__ import annotations

import contextlib
import signal
import threading
import time
from collections.abc import Callable, Iterator
from typing import TypeVar

__all__ = ["TimeLimitExceeded", "time_limit", "call_with_time_limit"]

T = TypeVar("T")


class TimeLimitExceeded(BaseException):  # noqa: N818 - not an Exception on purpose
    """A bounded step ran out of time (see the module docstring)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"time limit of {seconds:g} s exceeded")


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Interrupt the block after ``seconds`` (wall time) with :class:`TimeLimitExceeded`."""
    if not _usable() or seconds <= 0:
        yield
        return
    outer_left, _ = signal.getitimer(signal.ITIMER_REAL)
    start = time.monotonic()
    if outer_left and outer_left <= seconds:  # the outer limit is tighter: let it fire
        yield
        return

    def on_alarm(signum, frame):
        raise TimeLimitExceeded(seconds)

    previous = signal.signal(signal.SIGALRM, on_alarm)
    try:
        signal.setitimer(signal.ITIMER_REAL, seconds)
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if previous is None else previous)
        if outer_left:
            left = outer_left - (time.monotonic() - start)
            signal.setitimer(signal.ITIMER_REAL, max(left, 1e-3))


def call_with_time_limit(fn: Callable[[], T], seconds: float) -> T:
    """``fn()`` under :func:`time_limit`."""
    with time_limit(seconds):
        return fn()
