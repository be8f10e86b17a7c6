"""The one time limit (stability.timeout): it interrupts, nests, and cannot be lost."""

from __future__ import annotations

import signal
import time

import pytest

from stability.timeout import REFIRE, TimeLimitExceeded, call_with_time_limit, time_limit


def busy(seconds: float) -> None:
    """Python bytecode for ``seconds`` (signals are handled between bytecodes, as in SymPy)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        pass


def test_a_limit_interrupts_its_block_and_leaves_no_timer():
    start = time.monotonic()
    with pytest.raises(TimeLimitExceeded) as info:
        with time_limit(0.2):
            busy(5)
    assert 0.15 < time.monotonic() - start < 1.5 and info.value.seconds == 0.2
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) is signal.SIG_DFL


def test_an_absorbed_interruption_is_raised_again():
    # Code inside the block catches the interruption (as an `except` meant for another limit would): the expired
    # limit must interrupt the block again, about REFIRE later, instead of leaving it unbounded.
    start = time.monotonic()
    with pytest.raises(TimeLimitExceeded):
        with time_limit(0.2):
            try:
                busy(5)
            except TimeLimitExceeded:
                pass
            busy(30)
    assert time.monotonic() - start < 0.2 + 10 * REFIRE + 1.0


def test_an_outer_limit_is_re_armed_after_an_inner_one_and_fires_with_its_own_budget():
    start = time.monotonic()
    with pytest.raises(TimeLimitExceeded) as info:
        with time_limit(0.8):
            with pytest.raises(TimeLimitExceeded):
                with time_limit(0.2):
                    busy(5)
            busy(30)  # the outer limit, re-armed with about 0.6 s left, ends this
    assert info.value.seconds == 0.8 and 0.6 < time.monotonic() - start < 2.5


def test_a_tighter_outer_limit_fires_inside_a_looser_inner_one():
    with pytest.raises(TimeLimitExceeded) as info:
        with time_limit(0.2):
            call_with_time_limit(lambda: busy(30), 10)
    assert info.value.seconds == 0.2


def test_a_block_that_ends_in_time_is_not_interrupted_later():
    with time_limit(0.3):
        busy(0.05)
    busy(0.5)  # no stray alarm after the block
    assert call_with_time_limit(lambda: 42, 1) == 42


def test_an_alarm_during_a_garbage_collection_callback_is_not_lost(monkeypatch):
    # Python hands an exception raised in a gc callback (hypothesis installs one) to sys.unraisablehook and drops
    # it. The first alarm lands in such a callback here; the limit must not raise there, and a re-fire must end
    # the block once the callback has returned.
    import gc
    import sys

    dropped = []
    monkeypatch.setattr(sys, "unraisablehook", dropped.append)

    def slow_callback(phase, info):
        if phase == "start":
            busy(0.3)  # the first alarm (at 0.1 s) lands in here

    gc.callbacks.append(slow_callback)
    try:
        start = time.monotonic()
        with pytest.raises(TimeLimitExceeded):
            with time_limit(0.1):
                gc.collect()
                gc.callbacks.remove(slow_callback)
                busy(10)  # a re-fire ends the block here
        assert time.monotonic() - start < 2
    finally:
        if slow_callback in gc.callbacks:
            gc.callbacks.remove(slow_callback)
    assert dropped == []
