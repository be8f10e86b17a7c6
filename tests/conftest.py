import os
import signal

import matplotlib
import pytest

matplotlib.use("Agg")
os.environ.setdefault("MPLBACKEND", "Agg")


@pytest.fixture(autouse=True)
def _no_time_limit_leaks():
    """Every test leaves the one time limit (stability.timeout, SIGALRM) as it found it: no timer armed and the
    default handler. A leaked timer or handler would silently disable the limits of later tests (a hang)."""
    before = signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)
    yield
    after = signal.getsignal(signal.SIGALRM), signal.getitimer(signal.ITIMER_REAL)
    assert after[1] == (0.0, 0.0), f"the test left an interval timer armed: {after[1]} (before: {before[1]})"
    assert after[0] == before[0], f"the test left SIGALRM handled by {after[0]!r} (before: {before[0]!r})"
