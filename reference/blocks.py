"""Splitting the output into bands of rows.

Every output row ``i`` of Eq 2 reads only the input rows
``i*sx, ..., i*sx + m' - 1``, so disjoint bands of output rows can be computed
independently, each with working memory proportional to the band.  The bands
run one after another: the matrix products inside a band already use every core
through BLAS, and running BLAS from several threads at once oversubscribes the
cores (measured: several times slower on a loaded two-core machine).
"""

from __future__ import annotations

from typing import Callable


def bands(rows: int, band: int) -> list[tuple[int, int]]:
    """Cut ``range(rows)`` into consecutive ``(start, stop)`` bands of at most ``band`` rows."""
    band = max(1, band)
    return [(start, min(start + band, rows)) for start in range(0, rows, band)]


def run_bands(work: Callable[[int, int], None], rows: int, band: int) -> None:
    """Call ``work(start, stop)`` for every band, in order."""
    for start, stop in bands(rows, band):
        work(start, stop)
