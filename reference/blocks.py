"""Splitting the output into bands of rows, and running the bands on the cores.

Every output row ``i`` of Eq 2 reads only the input rows
``i*sx, ..., i*sx + m' - 1``, so disjoint bands of output rows can be computed
independently, each with working memory proportional to the band, and written
into disjoint rows of the result.  The calling thread and ``WORKERS - 1``
helper threads take the bands one at a time from a shared queue (NumPy releases
the GIL inside its loops and BLAS calls).  A helper that the operating system
holds back simply takes fewer bands, or none: the caller never waits for a band
it could compute itself, only for one a helper took and was then held back on
(measured: a few milliseconds on a busy machine).  Helpers therefore start only
for jobs of at least ``MIN_BANDS`` bands, where that wait is small beside the
work; bands are cache-sized, a fraction of a millisecond each.

The work of a band must keep to one core: matrix products are split into calls
small enough for BLAS to run them on the calling thread (see
`toeplitz.product`).  Threads that each wait for a BLAS thread pool
would instead stall one another; on a machine shared with other work that was
measured at about 10 ms per call.
"""

from __future__ import annotations

import os
import threading
from typing import Callable

#: Threads computing bands at once, the caller included (two cores were measured).
WORKERS = max(1, min(2, os.cpu_count() or 1))
#: Fewest bands for which helper threads are started.
MIN_BANDS = 16


def bands(rows: int, band: int) -> list[tuple[int, int]]:
    """Cut ``range(rows)`` into consecutive ``(start, stop)`` bands of at most ``band`` rows."""
    band = max(1, band)
    return [(start, min(start + band, rows)) for start in range(0, rows, band)]


def share(todo: list, work: Callable, threads: int) -> None:
    """Call ``work(item)`` for every item popped from ``todo``, on ``threads`` threads (this one included).

    The first exception of any thread stops the others from taking more items and is
    raised here.
    """
    lock, failures = threading.Lock(), []

    def drain() -> None:
        try:
            while True:
                with lock:
                    if not todo or failures:
                        return
                    item = todo.pop()
                work(item)
        except BaseException as error:  # handed to the caller below
            failures.append(error)

    helpers = [threading.Thread(target=drain) for _ in range(max(threads - 1, 0))]
    for helper in helpers:
        helper.start()
    drain()
    for helper in helpers:
        helper.join()
    if failures:
        raise failures[0]


def run_bands(work: Callable[[int, int], None], rows: int, band: int) -> None:
    """Call ``work(start, stop)`` once for every band, on up to ``WORKERS`` threads."""
    todo = bands(rows, band)
    share(todo, lambda b: work(*b), WORKERS if len(todo) >= MIN_BANDS else 1)
