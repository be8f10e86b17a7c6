"""The one time limit of the package: bound a symbolic computation that could run for ever.

SymPy can spend a very long time on a few pathological inputs (a limit, a simplification, a
sign question). :func:`time_limit` interrupts the block with :class:`TimeLimitExceeded` once
its budget is spent. The exception subclasses ``BaseException``, so no ``except Exception``
inside SymPy swallows it; catch it where the bounded step is called and turn it into an
answer ("undecided") or a :class:`~stability.errors.StabilityError`.

Limits nest: an inner limit never extends an outer one, and the outer timer is re-armed with
what is left of it when the inner block ends. An expired limit keeps interrupting its block every
:data:`REFIRE` seconds until the block has ended, so an interruption that something absorbed is
raised again rather than lost. The timer is ``SIGALRM``, so it acts on POSIX
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

import gc
import signal
import threading
import time
from collections.abc import Callable
from typing import TypeVar

__all__ = ["TimeLimitExceeded", "time_limit", "call_with_time_limit"]

T = TypeVar("T")


class TimeLimitExceeded(BaseException):  # noqa: N818 - not an Exception on purpose
    """A bounded step ran out of time (see the module docstring)."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"time limit of {seconds:g} s exceeded")


def _in_gc_callback(frame) -> bool:
    """Whether ``frame`` runs inside one of ``gc.callbacks`` (anywhere up its stack)."""
    codes = {getattr(cb, "__code__", None) for cb in gc.callbacks} - {None}
    while codes and frame is not None:
        if frame.f_code in codes:
            return True
        frame = frame.f_back
    return False


def _usable() -> bool:
    return hasattr(signal, "setitimer") and threading.current_thread() is threading.main_thread()


#: Once a limit has expired, the alarm repeats this often (seconds) until its block has ended: an interruption
#: that some code in the block absorbed (an ``except`` meant for another limit, a handler that ran inside a
#: clean-up) is raised again instead of leaving the block unbounded.
REFIRE = 0.1


class time_limit:  # noqa: N801 - used like a function: ``with time_limit(seconds):``
    """Interrupt the block after ``seconds`` (wall time) with :class:`TimeLimitExceeded`."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        self._armed = False

    def __enter__(self) -> time_limit:
        if not _usable() or self.seconds <= 0:
            return self
        self._outer = signal.getitimer(signal.ITIMER_REAL)
        self._start = time.monotonic()
        if self._outer[0] and self._outer[0] <= self.seconds:  # the outer limit is tighter: let it fire
            return self
        self._previous = signal.signal(signal.SIGALRM, self._on_alarm)
        signal.setitimer(signal.ITIMER_REAL, self.seconds, REFIRE)
        self._armed = True
        return self

    def _on_alarm(self, signum, frame) -> None:
        # Never raise inside this module's own bookkeeping (entering or leaving a limit): the handler
        # restoration must always complete. The alarm repeats, so the block is interrupted REFIRE later.
        # Nor inside a garbage-collection callback (hypothesis installs one), where Python would print and
        # drop the exception.
        if frame is not None and (frame.f_code.co_filename == __file__ or _in_gc_callback(frame)):
            return
        raise TimeLimitExceeded(self.seconds)

    def __exit__(self, *exc_info) -> bool:
        if not self._armed:
            return False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, signal.SIG_DFL if self._previous is None else self._previous)
        self._armed = False
        left, interval = self._outer
        if left:  # re-arm the outer limit with what is left of it
            signal.setitimer(signal.ITIMER_REAL, max(left - (time.monotonic() - self._start), 1e-3), interval)
        return False


def call_with_time_limit(fn: Callable[[], T], seconds: float) -> T:
    """``fn()`` under :func:`time_limit`."""
    with time_limit(seconds):
        return fn()
