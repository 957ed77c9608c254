"""Calling the backend on a `Case` and recording what happened.

`perform` is the single place where a backend is called.  It builds the
operands, calls the backend, and records into an `Outcome`:

* the result converted with ``numpy.asarray`` and copied (so later changes to
  the backend's buffers cannot change what the harness judges);
* MU1: whether the bytes of M or K changed during the call;
* AL1: whether the result shares memory with M or K;
* AL2: when the case has a ``followup``, whether making that later call
  changed the bytes of the first result;
* what the backend wrote during the call: Python warnings it issued and text
  it printed (`Outcome.output`), so that none of it interleaves with the
  harness's progress output and a failure record can show it.

`InProcessExecutor` runs `perform` directly (fast, but a crash of
the backend is a crash of the harness and a hang cannot be interrupted);
`convspec.conformance.worker.SubprocessExecutor` runs it in a worker
process that is restarted after a crash or a hang.
"""

from __future__ import annotations

import contextlib
import io
import time
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, ContextManager, Iterator, Sequence

import numpy as np

from .cases import Case

OK, RAISED, TIMEOUT, CRASHED, BAD_OUTPUT = "ok", "raised", "timeout", "crashed", "bad_output"
#: Statuses after which the worker process is gone: the rest of a batch is not sent.
LOST = (TIMEOUT, CRASHED)
#: Characters of captured backend output kept per call (the end is kept).
OUTPUT_LIMIT = 4000


@dataclass
class Outcome:
    """What one call did.

    Attributes:
        status: ``ok``, ``raised`` (the backend raised), ``timeout`` (it did not
            return within the time limit), ``crashed`` (its process died) or
            ``bad_output`` (its result is not convertible to an array).
        value: the result as a numpy array (a copy), when ``status == "ok"``.
        result_type: the qualified type name of what the backend returned.
        error: exception type and message, or the crash / timeout description.
        mutated_M, mutated_K: MU1, the call changed the bytes of M or K.
        mutated: the names of every operand whose bytes the call changed.
        is_ndarray: OU1, the backend returned a ``numpy.ndarray`` (or a
            ``numpy.memmap``), not a list, a scalar or another subclass.
        shares_memory: AL1, the result shares memory with M or K.
        changed_by_later_call: AL2, the follow-up call changed this result
            (``None`` when there was no follow-up).
        followup: the outcome of the follow-up call, if any.
        seconds: wall time of the call.
        output: warnings the backend issued and text it wrote to standard
            output or standard error during the call (empty when silent).
    """

    status: str
    value: np.ndarray | None = None
    result_type: str = ""
    error: str = ""
    mutated_M: bool = False
    mutated_K: bool = False
    shares_memory: bool = False
    changed_by_later_call: bool | None = None
    followup: "Outcome | None" = None
    seconds: float = 0.0
    output: str = ""
    is_ndarray: bool = True
    mutated: list[str] = field(default_factory=list)


def _fingerprint(x: Any) -> bytes | None:
    """The logical bytes of a numeric array (None for anything else)."""
    if isinstance(x, np.ndarray) and x.dtype.kind in "iufc":
        return x.tobytes(order="C")
    return None


def _shares(result: np.ndarray, operand: Any) -> bool:
    if not isinstance(operand, np.ndarray) or not np.may_share_memory(result, operand):
        return False
    try:
        return bool(np.shares_memory(result, operand, max_work=100_000))
    except np.exceptions.TooHardError:
        return True


def _type_name(x: Any) -> str:
    cls = type(x)
    return f"{cls.__module__}.{cls.__qualname__}" if cls.__module__ != "builtins" else cls.__qualname__


def clip_output(text: str) -> str:
    """The last `OUTPUT_LIMIT` characters of captured output."""
    return text if len(text) <= OUTPUT_LIMIT else "[...]\n" + text[-OUTPUT_LIMIT:]


class StreamCapture:
    """Collects what one call prints through ``sys.stdout`` and ``sys.stderr``.

    Used in-process; the worker process replaces it with a capture at the
    file-descriptor level, which also sees text written by native code.
    """

    @contextlib.contextmanager
    def __call__(self) -> Iterator[Callable[[], str]]:
        sink = io.StringIO()
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            yield sink.getvalue


@contextlib.contextmanager
def _recorded_warnings() -> Iterator[list]:
    """Record every warning raised inside the block instead of printing it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caught


def _warning_lines(caught: list) -> str:
    return "".join(f"{w.filename}:{w.lineno}: {w.category.__name__}: {w.message}\n" for w in caught)


def perform(fn: Callable[..., Any], case: Case,
            capture: Callable[[], ContextManager[Callable[[], str]]] = StreamCapture()) -> Outcome:
    """Call ``fn`` on freshly built operands of ``case`` and record the outcome.

    ``fn`` is a callable, or a `Backend`: its callable of the case's operation
    is then called (a relation between two operations calls both).
    ``capture()`` is entered around the call and yields a function returning
    the text captured so far; warnings are recorded in any case.
    """
    fn = getattr(fn, "ops", {}).get(case.op, fn)
    args, kwargs = case.arguments()
    before = [_fingerprint(x) for x in args]
    start = time.perf_counter()
    with capture() as captured, _recorded_warnings() as caught:
        try:
            raw = fn(*args, **kwargs)
        except KeyboardInterrupt:
            raise
        except BaseException as exc:  # a backend may raise anything, even SystemExit
            failed = exc
        else:
            failed = None
        seconds = time.perf_counter() - start
    output = clip_output(_warning_lines(caught) + captured())
    if failed is not None:
        return Outcome(RAISED, error=f"{type(failed).__name__}: {failed}"[:2000],
                       seconds=seconds, output=output)
    outcome = Outcome(OK, result_type=_type_name(raw), seconds=seconds, output=output)
    outcome.is_ndarray = type(raw) in (np.ndarray, np.memmap)
    outcome.mutated = [name for name, x, b in zip(case.operand_names, args, before)
                       if b is not None and _fingerprint(x) != b]
    outcome.mutated_M, outcome.mutated_K = (name in outcome.mutated for name in ("M", "K"))
    try:
        live = np.asarray(raw)
        outcome.value = np.array(live, copy=True)
    except Exception as exc:
        outcome.status = BAD_OUTPUT
        outcome.error = f"numpy.asarray failed on the result ({outcome.result_type}): {exc}"[:2000]
        return outcome
    outcome.shares_memory = any(_shares(live, x) for x in args)
    if case.followup is not None:
        snapshot = outcome.value.tobytes()
        outcome.followup = perform(fn, case.followup, capture)
        try:
            outcome.changed_by_later_call = np.asarray(raw).tobytes() != snapshot
        except Exception:
            outcome.changed_by_later_call = True
    return outcome


class Executor:
    """Runs cases against one backend; subclasses decide where the calls happen."""

    isolation = "none"

    def run(self, cases: Sequence[Case], timeout: float) -> list[Outcome]:
        """The outcome of each case, in order, stopping after the first crash or timeout.

        The list is shorter than ``cases`` when a call crashed or hung: a
        property fails at its first crash or hang, so the later cases of the
        batch are never needed, and sending them would cost a worker restart
        (or a full timeout) each.
        """
        raise NotImplementedError

    def close(self) -> None:
        """Release any resources (worker processes)."""


class InProcessExecutor(Executor):
    """Calls the backend in the harness's own process (no crash or hang protection)."""

    isolation = "inprocess"

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def run(self, cases: Sequence[Case], timeout: float) -> list[Outcome]:
        return [perform(self.fn, case) for case in cases]
