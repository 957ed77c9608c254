"""Running the suite: one hypothesis search per property, after its deterministic layer.

For each selected property the runner

1. reports it *not claimed* when the claims exclude it;
2. runs the deterministic examples (the exhaustive layer), in batches sent to
   the executor at once, stopping at the first (hence smallest) failure;
3. runs the hypothesis search with the profile's example count, seeded from
   the run seed and the property id (so ``seed`` repeats a run), with the
   example database under ``cache_dir`` replaying earlier failures first;
4. runs the pinned example of every known deviation of the property.

Shrinking stops early, keeping the smallest failure found so far, when the
backend hangs (every retry would cost a full timeout), after
`CRASH_SHRINK_LIMIT` crashes (every crash costs a worker restart), or
after the profile's ``shrink_calls`` examples (a count, so a seed gives the
same counterexample on any machine) or, as a safety net for very slow
backends, its ``shrink_seconds`` (the failure then says that shrinking was cut
by time, and may differ between runs).

Hangs and crashes cost time, so a property stops calling the backend at its
first one: the rest of a batch (the deterministic layer, or the calls of one
multi-call example) is not sent, and the pinned examples of its known
deviations are not run.  A property therefore waits for at most one timeout
(two for a call with a follow-up, as in ``effects.al2``).  Across the run,
once `HANGS_IN_A_ROW` calls in a row have hung with no call returning in
between, later calls wait only ``min(timeout, max(SHORT_LIMIT_FLOOR,
SLOW_FACTOR * slowest))``, ``slowest`` being the longest call that returned so
far; the first call that returns restores the full timeout.  A backend that
hangs on every call thus costs about ``3 * timeout + (P - 3) * SHORT_LIMIT_FLOOR``
seconds for ``P`` properties, instead of ``P * timeout``.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import re
import sys
import time
import traceback
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

import numpy as np
import hypothesis
from hypothesis import HealthCheck, Phase, Verbosity, given, settings

from convspec.spec.validation import ADMITTED_DTYPES

from .backend import Backend, BackendLoadError, Claims, load_backend
from .cases import Case
from .database import namespaced_database
from .execution import LOST, RAISED, TIMEOUT, Executor, InProcessExecutor, Outcome
from .interrupts import InterruptWatch, abort, shield_workers
from .judge import Violation, call_line
from .known import KnownDeviation, load_known
from .profiles import Profile, get_profile
from .properties import PROPERTIES, Context, Property, select as select_properties
from .reproducer import render
from .sharding import Shard, assign
from .storage import hypothesis_home
from .results import AccuracySummary, Failure, PropertyResult, Report, Status
from .strategies import Example
from .worker import SubprocessExecutor, WorkerStartError

#: Crashes tolerated while shrinking one counterexample.
CRASH_SHRINK_LIMIT = 6
#: Hangs in a row (no call returning in between) after which calls get a shortened time limit.
HANGS_IN_A_ROW = 3
#: The shortened limit is this many times the slowest call that returned so far ...
SLOW_FACTOR = 10.0
#: ... but at least this many seconds (and never more than the timeout).
SHORT_LIMIT_FLOOR = 1.0
#: Cases sent to the executor at once by the deterministic layer.
BATCH = 256
ISOLATIONS = ("auto", "subprocess", "inprocess")
_BLOB = re.compile(r"@reproduce_failure\([^)]*\)")


class _StopShrinking(BaseException):
    """Raised inside the hypothesis test to end the search (not caught by hypothesis)."""


def as_backend(backend: Backend | Callable | str) -> Backend:
    """A `Backend` from a target string, a Backend or a plain callable."""
    if isinstance(backend, str):
        return load_backend(backend)
    if isinstance(backend, Backend):
        return backend
    if callable(backend):
        name = getattr(backend, "__qualname__", None) or type(backend).__name__
        return Backend(name=name, fn=backend, plain=True)
    raise BackendLoadError(f"not a backend: {type(backend).__name__}")


def restrict_dtypes(claims: Claims, dtypes: Sequence[str] | None) -> Claims:
    """The claims with their dtypes narrowed to ``dtypes`` (an intersection)."""
    if isinstance(dtypes, str):  # "float32" or "int8,float32": names, not characters
        dtypes = [d for d in dtypes.replace(",", " ").split() if d]
    if dtypes is None:
        return claims
    if not dtypes:
        raise ValueError("the dtype selection is empty: name at least one dtype")
    names = [np.dtype(d).name if isinstance(d, str) and d in np.sctypeDict else str(d) for d in dtypes]
    unknown = [d for d in names if d not in ADMITTED_DTYPES]
    if unknown:
        raise ValueError(f"unknown or inadmissible dtypes {unknown}; choose from {', '.join(ADMITTED_DTYPES)}")
    kept = tuple(d for d in claims.dtypes if d in names)
    if not kept:
        raise ValueError(f"the dtypes {', '.join(names)} select none of the claimed dtypes "
                         f"({', '.join(claims.dtypes)}): nothing would be checked")
    return replace(claims, dtypes=kept)


def backend_key(backend: Backend) -> str:
    """A stable identity of the backend, used to key the example database."""
    if backend.target:
        return backend.target
    fn = backend.fn
    return f"{getattr(fn, '__module__', '?')}:{getattr(fn, '__qualname__', backend.name)}"


def make_executor(backend: Backend, isolation: str) -> tuple[Executor, str]:
    """The executor for ``isolation``, and a note when ``auto`` fell back to in-process."""
    if isolation not in ISOLATIONS:
        raise ValueError(f"unknown isolation {isolation!r}; choose one of {', '.join(ISOLATIONS)}")
    if isolation == "inprocess":
        return InProcessExecutor(backend), ""
    if backend.target:
        load = {"target": backend.target, "op": backend.op}
    else:
        try:
            load = {"pickled": pickle.dumps(backend)}
        except Exception as exc:
            if isolation == "subprocess":
                raise BackendLoadError(f"the backend cannot be sent to a worker process: {exc}") from exc
            return InProcessExecutor(backend), f"in-process: the backend cannot be pickled ({exc})"
    executor = SubprocessExecutor(load)
    shield_workers(executor)
    try:
        executor.start()
    except KeyboardInterrupt:  # Ctrl-C while the worker loads: end it before it writes to a closed pipe
        abort(executor)
        executor.close()
        raise
    except WorkerStartError as exc:
        if isolation == "subprocess":
            raise BackendLoadError(f"the worker process could not load the backend: {exc}") from exc
        return InProcessExecutor(backend), f"in-process: the worker could not load the backend ({exc})"
    return executor, ""


def derived_seed(seed: int, prop_id: str) -> int:
    """The per-property seed: independent streams for each property, fixed by the run seed."""
    return int.from_bytes(hashlib.sha256(f"{seed}:{prop_id}".encode()).digest()[:8], "little")


class HangWatch:
    """The time limit of each call, for the whole run (see the module docstring).

    Attributes:
        timeout: the configured limit.
        in_a_row: calls that hung since the last call that returned.
        slowest: seconds of the slowest call that returned.
        shortened: calls that hung under a shortened limit.
    """

    def __init__(self, timeout: float) -> None:
        self.timeout = timeout
        self.in_a_row = 0
        self.slowest = 0.0
        self.shortened = 0

    def limit(self) -> float:
        if self.in_a_row < HANGS_IN_A_ROW:
            return self.timeout
        return min(self.timeout, max(SHORT_LIMIT_FLOOR, SLOW_FACTOR * self.slowest))

    def observe(self, outcomes: Sequence[Outcome], limit: float) -> None:
        for outcome in outcomes:
            if outcome.status != TIMEOUT:
                self.in_a_row = 0
                if outcome.status not in LOST:
                    self.slowest = max(self.slowest, outcome.seconds)
                continue
            if limit < self.timeout:
                self.shortened += 1
                outcome.error += (f" (a limit shortened from {self.timeout:g} s: the {self.in_a_row} calls "
                                  f"before it hung too, none returned in between)")
            self.in_a_row += 1


class _Caller:
    """``ctx.call``: runs cases on the executor, serving prefetched outcomes first.

    It remembers the captured output of the latest calls, so that a failure
    record can show what the backend wrote while failing.
    """

    def __init__(self, executor: Executor, watch: HangWatch) -> None:
        self.executor, self.watch = executor, watch
        self.prefetched: dict[int, Outcome] = {}
        self.recent: dict[int, tuple[Case, str]] = {}
        self.output_calls = 0
        self.output_sample = ""

    def _run(self, cases: Sequence[Case]) -> list[Outcome]:
        limit = self.watch.limit()
        outcomes = self.executor.run(cases, limit)
        self.watch.observe(outcomes, limit)
        for outcome in outcomes:
            for one in (outcome, outcome.followup):
                if one is not None and one.output:
                    self.output_calls += 1
                    self.output_sample = self.output_sample or one.output
        return outcomes

    def prefetch(self, cases: Sequence[Case]) -> None:
        for case, outcome in zip(cases, self._run(cases)):
            self.prefetched[id(case)] = outcome

    def __call__(self, cases: Sequence[Case]) -> list[Outcome]:
        missing = [c for c in cases if id(c) not in self.prefetched]
        fresh = iter(self._run(missing)) if missing else iter(())
        outcomes: list[Outcome] = []
        for case in cases:
            outcome = self.prefetched.pop(id(case)) if id(case) in self.prefetched else next(fresh, None)
            if outcome is None:  # an earlier call hung or crashed, so this one was not sent
                lost = next(o for o in reversed(outcomes) if o.status in LOST)
                outcome = Outcome(lost.status, error=f"not called: an earlier call of the same example "
                                                     f"ended with {lost.status}")
            outcomes.append(outcome)
        self.recent = {}
        for case, outcome in zip(cases, outcomes):
            self.recent[id(case)] = (case, outcome.output)
            if case.followup is not None and outcome.followup is not None:
                self.recent[id(case.followup)] = (case.followup, outcome.followup.output)
        return outcomes

    def output_of(self, cases: Sequence[Case]) -> str:
        """What the backend wrote during the latest calls of ``cases`` (labelled by call)."""
        parts = []
        for i, case in enumerate(cases):
            seen = self.recent.get(id(case))
            if seen is not None and seen[0] is case and seen[1]:
                parts.append(f"[call {i}]\n{seen[1].rstrip()}")
        return "\n".join(parts)


class _Search:
    """The state of one property's hypothesis search."""

    def __init__(self, prop: Property, ctx: Context, profile: Profile) -> None:
        self.prop, self.ctx, self.profile = prop, ctx, profile
        self.examples = 0
        self.last: tuple[Example, Violation] | None = None
        self.first_failure: float | None = None
        self.shrink_tries = 0
        self.cut_by_time = False
        self.crashes = 0

    def test(self, example: Example) -> None:
        self.examples += 1
        if self.first_failure is not None:
            self.shrink_tries += 1
            if self.shrink_tries > self.profile.shrink_calls:
                raise _StopShrinking()
            if time.perf_counter() - self.first_failure > self.profile.shrink_seconds:
                self.cut_by_time = True
                raise _StopShrinking()
        try:
            self.prop.check(example, self.ctx)
        except Violation as violation:
            self.last = (example, violation)
            self.first_failure = self.first_failure or time.perf_counter()
            self.crashes += violation.kind == "crashed"
            if violation.kind == "timeout" or self.crashes > CRASH_SHRINK_LIMIT:
                raise _StopShrinking() from None
            raise


class Runner:
    """Runs properties for one backend; see the module docstring."""

    def __init__(self, backend: Backend, claims: Claims, profile: Profile, executor: Executor,
                 seed: int, timeout: float, cache_dir: str | os.PathLike | None,
                 known: Sequence[KnownDeviation] = ()) -> None:
        self.backend, self.claims, self.profile = backend, claims, profile
        self.executor, self.seed, self.timeout = executor, seed, timeout
        self.cache_dir = cache_dir
        self.known = list(known)
        self.watch = HangWatch(timeout)

    # ------------------------------------------------------------------ pieces
    def _context(self, prop: Property, entries: Sequence[KnownDeviation]) -> Context:
        dtypes = frozenset().union(*(e.dtypes or () for e in entries))
        layouts = frozenset().union(*(e.layouts or () for e in entries))
        return Context(self.claims, self.profile, _Caller(self.executor, self.watch),
                       AccuracySummary(), dtypes, layouts, self.backend.op, self.backend.operations)

    def _failure(self, prop: Property, violation: Violation, blob: str | None = None,
                 kind: str | None = None, message: str | None = None, output: str = "") -> Failure:
        kind = kind or violation.kind
        message = message or violation.message
        script = render(property_id=prop.id, clauses=prop.clauses, kind=kind, message=message,
                        cases=violation.cases, code=violation.code, data=violation.data,
                        target=self.backend.target, fn=self.backend.fn, seed=self.seed, blob=blob)
        first = violation.cases[0] if violation.cases else None
        return Failure(kind=kind, message=message, problem=first.descriptor() if first else "-",
                       reproducer=script, seed=self.seed, reproduce_blob=blob,
                       case=first.summary() if first else {}, output=output)

    def _exhaustive(self, prop: Property, ctx: Context) -> tuple[int, Violation | None]:
        examples = list(prop.exhaustive(ctx))
        caller: _Caller = ctx.call  # type: ignore[assignment]
        done = 0
        for start in range(0, len(examples), BATCH):
            batch = examples[start:start + BATCH]
            caller.prefetch([case for ex in batch for case in ex.cases])
            for example in batch:
                done += 1
                try:
                    prop.check(example, ctx)
                except Violation as violation:
                    caller.prefetched.clear()
                    return done, violation
        return done, None

    def _search(self, prop: Property, ctx: Context) -> tuple[_Search, Failure | None]:
        search = _Search(prop, ctx, self.profile)
        database = None
        if self.cache_dir is not None:
            database = namespaced_database(self.cache_dir, f"{backend_key(self.backend)}|{prop.id}")
        config = settings(
            max_examples=self.profile.budget(prop.share), deadline=None, database=database,
            print_blob=True, derandomize=False, report_multiple_bugs=False,
            suppress_health_check=list(HealthCheck), verbosity=Verbosity.quiet,
            phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.target, Phase.shrink),
        )

        def body(example):
            search.test(example)

        # ``hypothesis.seed`` would also switch the example database off; the
        # seed is attached the same way it does, so failures are still stored.
        body._hypothesis_internal_use_seed = derived_seed(self.seed, prop.id)
        test = config(given(prop.strategy(ctx))(body))
        try:
            test()
        except _StopShrinking:
            example, violation = search.last
            message = None
            if search.cut_by_time:
                message = (f"{violation.message} (shrinking was stopped after "
                           f"{self.profile.shrink_seconds:g} s: another run may report another example)")
            return search, self._failure(prop, violation, output=ctx.call.output_of(violation.cases),
                                         message=message)
        except Violation as violation:
            notes = "\n".join(getattr(violation, "__notes__", []))
            match = _BLOB.search(notes)
            return search, self._failure(prop, violation, match.group(0) if match else None,
                                         output=ctx.call.output_of(violation.cases))
        except Exception:
            if search.last is None:
                raise
            example, violation = search.last
            return search, self._failure(prop, violation, kind="flaky",
                                         message=f"{violation.message} (did not fail again on replay)")
        return search, None

    def _pinned(self, prop: Property, ctx: Context, entry: KnownDeviation) -> Failure | None:
        """None when the pinned example still deviates, else the stale-entry failure."""
        example = prop.pinned(entry.case, ctx)
        try:
            prop.check(example, ctx)
        except Violation:
            return None
        script_violation = Violation(
            "stale known deviation", "", list(example.cases),
            "# The pinned example of the known deviation now passes this property:\n"
            "# remove the entry from the known-deviation file.\n"
            + "\n".join(call_line(i, case.op) for i, case in enumerate(example.cases)))
        return self._failure(
            prop, script_violation, kind="stale known deviation",
            message=f"STALE KNOWN DEVIATION: {entry.source} ({entry.reason!r}) declares that "
                    f"{prop.id} fails on {entry.case.descriptor()}, but it now passes; remove the entry")

    # ------------------------------------------------------------------ one property
    def run_property(self, prop: Property) -> PropertyResult:
        start = time.perf_counter()
        entries = [e for e in self.known if e.property == prop.id]
        ctx = self._context(prop, entries)
        result = PropertyResult(prop.id, prop.title, prop.clauses, Status.PASS)
        try:
            reason = prop.requires(ctx)
            if reason:
                result.status, result.reason = Status.NOT_CLAIMED, reason
                return result
            failure = None
            whole = any(not e.filtered for e in entries)
            if prop.exhaustive is not None and not whole:
                count, violation = self._exhaustive(prop, ctx)
                result.examples += count
                if violation is not None:
                    failure = self._failure(prop, violation, output=ctx.call.output_of(violation.cases))
            if failure is None and prop.strategy is not None and not whole:
                search, failure = self._search(prop, ctx)
                result.examples += search.examples
            stale = []
            # After a hang or a crash the property has failed; a pinned call could only hang again.
            for entry in entries if failure is None or failure.kind not in LOST else ():
                found = self._pinned(prop, ctx, entry)
                result.examples += 1
                if found is not None:
                    stale.append(found)
            failure = failure or (stale[0] if stale else None)
            if failure is not None:
                result.status, result.failure = Status.FAIL, failure
            elif entries:
                result.status = Status.KNOWN
                result.reason = "; ".join(e.reason for e in entries)
                result.known = {"entries": [e.as_dict() for e in entries]}
            if ctx.summary.compared or ctx.summary.unconstrained:
                result.accuracy = ctx.summary
            result.output_calls, result.output_sample = ctx.call.output_calls, ctx.call.output_sample
        except Exception as exc:  # the harness could not evaluate the property
            result.status = Status.ERROR
            result.reason = "".join(traceback.format_exception(exc))[-3000:]
        finally:
            result.seconds = time.perf_counter() - start
        return result


def _versions() -> dict[str, str]:
    try:
        from importlib.metadata import version
        convspec_version = version("convspec")
    except Exception:
        convspec_version = "unknown"
    return {"convspec": convspec_version, "hypothesis": hypothesis.__version__, "numpy": np.__version__,
            "python": platform.python_version(), "platform": platform.platform()}


class Session:
    """A backend made ready for checking: claims, profile, executor and known deviations.

    `run_suite` and the pytest plugin both build one, run properties
    through `run_property`, then `close` it (or use ``with``).
    """

    def __init__(self, backend, *, profile: str = "default", seed: int = 0, dtypes=None, known=None,
                 timeout=None, isolation: str = "auto", cache_dir=None, op: str = "conv2d") -> None:
        self.profile = get_profile(profile)
        self.backend = as_backend(backend).for_op(op)
        self.claims = restrict_dtypes(self.backend.claims, dtypes)
        self.known_path = known if known is not None else self.backend.known_deviations
        entries = load_known(self.known_path, set(PROPERTIES)) if self.known_path else []
        self.timeout = float(timeout if timeout is not None else self.claims.timeout)
        self.seed, self.cache_dir = seed, cache_dir
        self.executor, self.note = make_executor(self.backend, isolation)
        self.runner = Runner(self.backend, self.claims, self.profile, self.executor, seed, self.timeout,
                             cache_dir, entries)
        try:
            preflight(self.executor, self.backend, self.claims, self.timeout)
        except BaseException:
            self.executor.close()
            raise

    def run_property(self, prop: Property) -> PropertyResult:
        return self.runner.run_property(prop)

    def close(self) -> None:
        self.executor.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def backend_info(self) -> dict[str, Any]:
        be = self.backend
        return {"name": be.name, "target": be.target, "version": be.version,
                "description": be.description, "claims": self.claims.as_dict()}


def preflight(executor: Executor, backend: Backend, claims: Claims, timeout: float) -> None:
    """One valid call before the run: a backend that cannot compute a valid input is not checked.

    Without it, a backend with the wrong signature would raise on every call and
    still "pass" every invalid-input property, since refusing counts there.

    Raises:
        BackendLoadError: the call raised; the message holds the
            backend's error and the signature the harness calls.
    """
    from .operations import operation
    op = operation(backend.op)
    case = op.example(claims)
    (outcome,) = executor.run([case], timeout)
    if outcome.status != RAISED:  # a crash or a hang is the run's business: it is reported per property
        return
    raise BackendLoadError(
        f"the backend failed on a simple valid input ({case.descriptor()}), so it cannot be checked:\n"
        f"    {outcome.status}: {outcome.error}\n"
        f"convspec calls it as {op.signature}, every keyword given; check its signature and "
        f"that it is the operation {op.name!r} (choose another with --op)")


def run_suite(backend, *, profile: str = "default", seed: int = 0, dtypes=None, select=None,
              known=None, timeout=None, isolation: str = "auto", cache_dir=None,
              progress=None, on_start=None, op: str = "conv2d", maxfail: int | None = None,
              shard: Shard | str | None = None, observe: bool = False) -> Report:
    """Implementation of `convspec.conformance.run` (see there)."""
    patterns = [p.strip() for p in select.split(",")] if isinstance(select, str) else select
    props = select_properties(patterns, op)
    if patterns and not props:
        raise ValueError(f"no property matches {', '.join(map(repr, patterns))}; "
                         "convspec properties lists the ids and clauses")
    if maxfail is not None and (isinstance(maxfail, bool) or not isinstance(maxfail, int) or maxfail < 1):
        raise ValueError(f"maxfail must be a positive integer, got {maxfail!r}")
    shard = Shard.parse(shard) if isinstance(shard, str) else shard
    planned = props
    if shard is not None:
        props = assign(props, shard.count, get_profile(profile))[shard.index - 1]
    started = datetime.now(timezone.utc)
    clock = time.perf_counter()
    results: dict[str, PropertyResult] = {}
    stopped = None
    observed = None
    with hypothesis_home(cache_dir), Session(
            backend, profile=profile, seed=seed, dtypes=dtypes, known=known, timeout=timeout,
            isolation=isolation, cache_dir=cache_dir, op=op) as session:
        try:
            with InterruptWatch() as ctrl_c:
                for prop in props:
                    if ctrl_c.requested:  # a Ctrl-C that an exception handler swallowed
                        raise KeyboardInterrupt
                    if maxfail is not None and len(_failed(results)) >= maxfail:
                        stopped = "maxfail"
                        break
                    if on_start:
                        on_start(prop.id)
                    result = session.run_property(prop)
                    if ctrl_c.requested:  # the property may not have run to its end: not run
                        raise KeyboardInterrupt
                    results[prop.id] = result
                    if progress:
                        progress(result)
                # Observations come after the verdicts and never change them (see `observe`);
                # a sharded run observes in its first shard only.
                if observe and stopped is None and (shard is None or shard.index == 1):
                    observed = _observe(session, seed, ctrl_c)
        except KeyboardInterrupt:
            stopped = "interrupted"
            abort(session.executor)
    not_run = [p.id for p in props if p.id not in results]
    run_info: dict[str, Any] = {
        "profile": session.profile.name, "seed": seed, "op": session.backend.op,
        "isolation": session.executor.isolation,
        "isolation_note": session.note, "timeout": session.timeout,
        "started": started.isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - clock, 3),
        "examples": sum(r.examples for r in results.values()),
        "examples_by_property": {pid: r.examples for pid, r in results.items()},
        "profile_budget": {p.id: session.profile.budget(p.share) for p in props if p.strategy is not None},
        "known_file": str(session.known_path) if session.known_path else None,
        "cache_dir": str(Path(cache_dir)) if cache_dir is not None else None,
        "worker_restarts": getattr(session.executor, "restarts", 0),
        "timeouts": getattr(session.executor, "timeouts", 0),
        "crashes": getattr(session.executor, "crashes", 0),
        "shortened_timeouts": session.runner.watch.shortened,
        "backend_output_calls": sum(r.output_calls for r in results.values()),
        "selected": list(patterns) if patterns else None,
        "versions": _versions(),
        "argv": list(sys.argv),
        "partial": bool(not_run),
        "stopped": stopped,
        "not_run": not_run,
        "maxfail": maxfail,
        "shard": None if shard is None else shard.as_dict([p.id for p in props], [p.id for p in planned]),
    }
    return Report(session.backend_info(), results, run_info, observed)


def _observe(session: Session, seed: int, ctrl_c: InterruptWatch) -> list[dict[str, Any]]:
    """Observe mode: one probe per feature, each on the session's executor under its own claims."""
    from .observe import observe

    def run_property(claims: Claims, prop: Property) -> PropertyResult:
        runner = Runner(session.backend, claims, session.profile, session.executor, seed, session.timeout,
                        None, session.runner.known)
        runner.watch = session.runner.watch  # hangs in a row count across the whole run
        return runner.run_property(prop)

    return observe(session.claims, session.backend.op, run_property, stop=lambda: ctrl_c.requested)


def _failed(results: dict[str, PropertyResult]) -> list[str]:
    return [pid for pid, r in results.items() if r.status in (Status.FAIL, Status.ERROR)]
