"""Running the layer's independent jobs on the cores, each job's BLAS calls on its own core.

The layer is cut into jobs that write disjoint parts of the result (see
`layer_engine`).  When a problem is large enough, the calling thread and
``WORKERS - 1`` helper threads take jobs from a shared list; NumPy releases
the GIL inside its loops and BLAS calls, so the jobs run at once.

A job's matrix products must then stay on the thread that issues them: two
threads that each wait for the same BLAS thread pool stall one another (see
`blocks`).  While helpers run, `serial_blas` therefore asks the BLAS library to
use one thread per call (through ``threadpoolctl``, when it is installed) and
restores the previous setting when the last concurrent call of the layer
returns.  Without ``threadpoolctl`` the jobs run on the calling thread only and
BLAS spreads each product over the cores itself.
"""

from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Callable, Iterator, Sequence

from .blocks import WORKERS, share

try:  # optional: without it the jobs stay on the calling thread
    from threadpoolctl import ThreadpoolController
except ImportError:  # pragma: no cover - depends on the environment
    ThreadpoolController = None

#: Fewest multiply-adds for which helper threads are started (thread start-up
#: and the BLAS setting cost tens of microseconds; a job of this size takes milliseconds).
MIN_PARALLEL_MACS = 1 << 22

_lock = threading.Lock()
_active = 0
_restore = None
_controller = None


def _blas():
    global _controller
    if _controller is None and ThreadpoolController is not None:
        _controller = ThreadpoolController()
    return _controller


def can_serialise() -> bool:
    """True when BLAS can be held to one thread per call (``threadpoolctl`` is present)."""
    return ThreadpoolController is not None and WORKERS > 1


@contextmanager
def serial_blas() -> Iterator[None]:
    """One BLAS thread per call while the block runs; nested and concurrent uses share one setting."""
    global _active, _restore
    with _lock:
        if _active == 0:
            _restore = _blas().limit(limits=1, user_api="blas")
        _active += 1
    try:
        yield
    finally:
        with _lock:
            _active -= 1
            if _active == 0:
                _restore.restore_original_limits()
                _restore = None


def run_jobs(jobs: Sequence, work: Callable, macs: int) -> None:
    """Call ``work(job)`` for every job, on up to ``WORKERS`` threads when ``macs`` is large."""
    if len(jobs) < 2 or macs < MIN_PARALLEL_MACS or not can_serialise():
        for job in jobs:
            work(job)
        return
    with serial_blas():
        share(list(reversed(jobs)), work, min(WORKERS, len(jobs)))
