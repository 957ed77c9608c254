"""The conformance harness: check any conv2d backend against the specification.

A backend is a callable ``conv2d(M, K, *, stride)`` (or a
`Backend` carrying its
`Claims`).  `run` checks it with the
property suite and returns a `Report`; the command line
(``convspec check``) and the pytest plugin (``pytest --pyargs
convspec.conformance --conv-backend TARGET``) run the same suite.

>>> from convspec.conformance import run
>>> report = run("reference", profile="quick", seed=0)      # doctest: +SKIP
>>> report.results["values.float"].status                    # doctest: +SKIP
<Status.PASS: 'pass'>
>>> report.caught_by                                         # doctest: +SKIP
[]
"""

from __future__ import annotations

from os import PathLike
from typing import Callable

from .backend import Backend, BackendLoadError, Claims, load_backend
from .results import AccuracySummary, Failure, PropertyResult, Report, Status

__all__ = [
    "AccuracySummary", "Backend", "BackendLoadError", "Claims", "Failure", "PropertyResult",
    "Report", "Status", "clause_table", "load_backend", "property_ids", "run",
]


def run(backend: Backend | Callable | str, *, profile: str = "default", seed: int = 0,
        dtypes: list[str] | tuple[str, ...] | None = None,
        select: list[str] | tuple[str, ...] | str | None = None,
        known: str | PathLike | None = None, timeout: float | None = None,
        isolation: str = "auto", cache_dir: str | PathLike | None = None,
        progress: Callable[[PropertyResult], None] | None = None,
        on_start: Callable[[str], None] | None = None, op: str = "conv2d", maxfail: int | None = None,
        shard: str | None = None, observe: bool = False) -> Report:
    """Check a backend with the property suite and return the report.

    Args:
        backend: a target string (``"reference"``, ``"pkg.mod:conv2d"``,
            ``"path/file.py:conv2d"``), a `Backend`, or a plain callable
            ``conv2d(M, K, *, stride)`` (which then claims everything).
        profile: ``"quick"``, ``"default"`` or ``"thorough"`` (see
            `convspec.conformance.profiles` for the example counts).
        seed: seeds every random choice; the same seed repeats the run.
        dtypes: restrict the claimed dtypes to these names (an intersection).
        select: property patterns; a property runs when any pattern matches its
            id (substring, or a glob with ``*``) or one of its clause ids.  A
            single string may hold several patterns separated by commas.
        known: path of a known-deviation TOML file (defaults to the backend's
            own ``known_deviations``, if it declares one).
        timeout: seconds a single call may take (defaults to the claims').
        isolation: ``"subprocess"`` (calls run in a worker process that is
            restarted after a crash or hang), ``"inprocess"`` (fast, no crash
            protection, no timeout) or ``"auto"`` (subprocess when the backend
            can be recreated in a worker, else in-process).
        cache_dir: directory of the example database (failing examples are
            replayed first on the next run); ``None`` disables it.
        progress: called with each `PropertyResult` as it completes.
        on_start: called with each property id before it starts.
        op: the operation to check: ``"conv2d"`` (the core), ``"conv"`` (the
            layer), its gradients ``"conv_input_grad"``, ``"conv_weight_grad"``,
            ``"conv_bias_grad"``, or ``"conv_transpose"``; the backend must
            provide it (a `Backend` may provide several, in ``ops``).
        maxfail: stop after this many properties failed (or could not be
            evaluated); the rest are listed in ``report.run["not_run"]`` and the
            report is marked partial.
        shard: ``"K/N"``: run only the K-th of N deterministic parts of the
            selection (see `convspec.conformance.sharding`).
        observe: after the verdicts, probe every feature of the operation,
            claimed or not, and record what the backend does in
            ``report.observed`` (see `convspec.conformance.observe`); the
            observations never change a status or the exit code.

    A Ctrl-C (``KeyboardInterrupt``) stops the run after ending the worker
    processes; the report of what ran is returned, marked
    ``report.run["partial"]`` with ``report.run["stopped"] == "interrupted"``.

    Returns:
        A `Report`; ``report.results[pid].status`` is a `Status`,
        ``report.caught_by`` lists the failed property ids, ``report.exit_code``
        is 0 when every claimed property held.

    Raises:
        BackendLoadError: the target cannot be resolved.
        ValueError: an unknown profile, dtype, isolation, shard or maxfail, a
            selection of no dtype or no property, or an invalid known file.
    """
    from .runner import run_suite
    return run_suite(backend, profile=profile, seed=seed, dtypes=dtypes, select=select,
                     known=known, timeout=timeout, isolation=isolation, cache_dir=cache_dir,
                     progress=progress, on_start=on_start, op=op, maxfail=maxfail, shard=shard,
                     observe=observe)


def property_ids(op: str | None = None) -> list[str]:
    """Ids of the properties of operation ``op`` (of every operation when None), in run order."""
    from .properties import PROPERTIES
    return [pid for pid, p in PROPERTIES.items() if op is None or p.op == op]


def clause_table() -> dict[str, list[str]]:
    """Map each specification clause id to the ids of the properties that check it."""
    from .properties import clause_table as table
    return table()
