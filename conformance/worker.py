"""Crash- and hang-proof execution: a persistent worker process that calls the backend.

The parent starts ``python -m convspec.conformance.worker READ_FD WRITE_FD`` with
two pipes, sends it the backend (its target string, or the pickled backend
object) and then batches of cases.  The worker loads the backend once, runs
`convspec.conformance.execution.perform` on each case and sends back one
`Outcome` per case as soon as it is known.

The parent waits at most ``timeout`` seconds for each outcome.  If none arrives
the worker is killed and the case is recorded as ``timeout``; if the pipe closes
because the worker died (a segfault, ``os._exit``, an abort in native code) the
case is recorded as ``crashed`` with the exit status.  Either way the rest of
the batch is not sent: the property that made the call has failed, and every
further call could cost another restart or another full timeout.  A fresh
worker is started when the next batch arrives, so one bad call never stops the
run.  After the first restart a spare worker is kept loaded in the background,
so the next restart costs no start-up time.

Around every call the worker points its standard output and standard error
(file descriptors 1 and 2, so text from native code too) at a capture file of
its own (an unnamed temporary file the parent opens and hands down, so nothing
is left behind however the run ends) and records Python warnings; the text is sent back with the outcome.
When the worker dies or hangs, the parent reads the capture file itself, so
the record of a crash keeps what the backend (or `faulthandler`) wrote
last.  Only text written while the backend loads reaches the parent's
standard error; the protocol uses its own pipes.
"""

from __future__ import annotations

import contextlib
import faulthandler
import os
import pickle
import signal
import subprocess
import sys
import tempfile
import time
from multiprocessing.connection import Connection
from typing import Any, BinaryIO, Callable, Iterator, NamedTuple, Sequence

from .cases import Case
from .execution import BAD_OUTPUT, CRASHED, OUTPUT_LIMIT, TIMEOUT, Executor, Outcome, clip_output, perform


class WorkerStartError(Exception):
    """The worker could not load the backend."""


def _exit_text(code: int | None) -> str:
    if code is None:
        return "the worker process died"
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = f"signal {-code}"
        return f"the backend killed its process with {name} (exit status {code})"
    return f"the backend ended its process with exit status {code}"


def read_tail(fd: int) -> str:
    """The last `OUTPUT_LIMIT` bytes of the file open as ``fd``, decoded leniently."""
    size = os.fstat(fd).st_size
    start = max(0, size - OUTPUT_LIMIT)
    text = os.pread(fd, size - start, start).decode("utf-8", errors="replace")
    return clip_output(("[...]\n" if start else "") + text)


class _Worker(NamedTuple):
    """One worker process: its process handle, its channel and its capture file."""

    process: subprocess.Popen
    conn: "_Duplex"
    capture: BinaryIO


class SubprocessExecutor(Executor):
    """Runs every call in a persistent worker process, restarted after a crash or hang.

    Args:
        load: ``{"target": str}`` or ``{"pickled": bytes}``: how the worker
            obtains the backend.
        start_timeout: seconds the worker may take to import and load the backend.

    Attributes:
        restarts: how often a worker was replaced after a crash or a hang.
        timeouts, crashes: how many calls hung or ended the worker's process.
    """

    isolation = "subprocess"

    def __init__(self, load: dict[str, Any], start_timeout: float = 120.0) -> None:
        self.load = dict(load, sys_path=list(sys.path))
        self.start_timeout = start_timeout
        self.process: subprocess.Popen | None = None
        self.conn: _Duplex | None = None
        self.capture: BinaryIO | None = None
        self.spare: _Worker | None = None
        self.restarts = self.timeouts = self.crashes = 0

    def _launch(self) -> _Worker:
        """Start a worker process and send it the backend; does not wait for it to load."""
        capture = tempfile.TemporaryFile(prefix="convspec-worker-")
        parent_read, child_write = os.pipe()
        child_read, parent_write = os.pipe()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "convspec.conformance.worker", str(child_read), str(child_write),
                 str(capture.fileno())],
                pass_fds=(child_read, child_write, capture.fileno()), stdout=2, stdin=subprocess.DEVNULL,
            )
        finally:
            os.close(child_read)
            os.close(child_write)
        conn = _Duplex(Connection(parent_read, writable=False), Connection(parent_write, readable=False))
        conn.send(("load", self.load))
        return _Worker(process, conn, capture)

    def _adopt(self, worker: _Worker) -> None:
        """Wait until a launched worker has loaded the backend, and make it the current one."""
        self.process, self.conn, self.capture = worker
        conn = worker.conn
        try:
            if not conn.poll(self.start_timeout):
                raise WorkerStartError("the worker did not load the backend in time")
            kind, message = conn.recv()
        except (EOFError, OSError) as exc:
            self._kill()
            raise WorkerStartError(f"the worker died while loading the backend: {exc}") from exc
        except WorkerStartError:
            self._kill()
            raise
        if kind != "loaded":
            self._kill()
            raise WorkerStartError(message)

    def start(self) -> None:
        """Start a worker and have it load the backend (raises `WorkerStartError`)."""
        self._adopt(self._launch())

    def _kill(self) -> tuple[int | None, str]:
        """Kill the current worker; its exit status and the last output of its capture file."""
        code = None
        if self.process is not None:
            if self.process.poll() is None:
                self.process.kill()
            try:
                code = self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                code = None
        if self.conn is not None:
            self.conn.close()
        output = _discard(self.capture)
        self.process, self.conn, self.capture = None, None, None
        return code, output

    def _restart(self) -> None:
        """Replace a dead worker, by the warm spare when there is one, and launch the next spare.

        The spare is only kept once a first restart has happened: a backend that
        crashed once tends to crash again while its counterexample is shrunk.
        """
        self.restarts += 1
        spare, self.spare = self.spare, None
        if spare is not None:
            self._adopt(spare)
        else:
            self.start()
        self.spare = self._launch()

    def _lost(self, status: str, error: str, start: float) -> Outcome:
        """Record a call that hung or ended the worker, with what the worker wrote last."""
        code, output = self._kill()
        if status == TIMEOUT:
            self.timeouts += 1
        else:
            self.crashes += 1
            error = error or _exit_text(code)
        return Outcome(status, error=error, seconds=time.perf_counter() - start, output=output)

    def run(self, cases: Sequence[Case], timeout: float) -> list[Outcome]:
        outcomes: list[Outcome] = []
        if not cases:
            return outcomes
        if self.conn is None:
            self._restart()
        start = time.perf_counter()
        try:
            self.conn.send(("run", list(cases)))
        except (OSError, EOFError):
            return [self._lost(CRASHED, "", start)]
        for case in cases:
            budget = timeout * (2 if case.followup is not None else 1)
            start = time.perf_counter()
            try:
                if not self.conn.poll(budget):
                    outcomes.append(self._lost(TIMEOUT, f"the call did not return within {budget:g} s", start))
                    break
                outcomes.append(self.conn.recv())
            except (EOFError, OSError):
                outcomes.append(self._lost(CRASHED, "", start))
                break
        return outcomes

    def close(self) -> None:
        if self.spare is not None:
            spare, self.spare = self.spare, None
            spare.process.kill()
            spare.process.wait()
            spare.conn.close()
            _discard(spare.capture)
        if self.conn is not None and self.process is not None and self.process.poll() is None:
            try:
                self.conn.send(("stop", None))
                self.process.wait(timeout=5)
            except Exception:
                pass
        self._kill()


def _discard(capture: BinaryIO | None) -> str:
    """Read the tail of a capture file and close it ("" when there is none)."""
    if capture is None:
        return ""
    try:
        return read_tail(capture.fileno())
    except OSError:
        return ""
    finally:
        capture.close()


class DescriptorCapture:
    """Captures file descriptors 1 and 2 of the worker into its capture file, one call at a time.

    Calling the object gives a context manager (see
    `convspec.conformance.execution.perform`): on entry the file is
    emptied and both descriptors are pointed at it, on exit they are restored;
    it yields a function reading what the call wrote.
    """

    def __init__(self, fd: int) -> None:
        self.fd = fd

    @contextlib.contextmanager
    def __call__(self) -> Iterator[Callable[[], str]]:
        sys.stdout.flush()
        sys.stderr.flush()
        os.ftruncate(self.fd, 0)
        os.lseek(self.fd, 0, os.SEEK_SET)
        saved = os.dup(1), os.dup(2)
        os.dup2(self.fd, 1)
        os.dup2(self.fd, 2)
        try:
            yield self.text
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            for target, copy in zip((1, 2), saved):
                os.dup2(copy, target)
                os.close(copy)

    def text(self) -> str:
        sys.stdout.flush()
        sys.stderr.flush()
        return read_tail(self.fd)


class _Duplex:
    """A pair of one-way connections used as one two-way channel."""

    def __init__(self, reader: Connection, writer: Connection) -> None:
        self.reader, self.writer = reader, writer

    def send(self, obj: Any) -> None:
        self.writer.send(obj)

    def send_bytes(self, data: bytes) -> None:
        self.writer.send_bytes(data)

    def recv(self) -> Any:
        return self.reader.recv()

    def poll(self, timeout: float) -> bool:
        return self.reader.poll(timeout)

    def close(self) -> None:
        for end in (self.reader, self.writer):
            try:
                end.close()
            except OSError:
                pass


def _load(spec: dict[str, Any]):
    for entry in reversed(spec.get("sys_path", [])):
        if entry not in sys.path:
            sys.path.insert(0, entry)
    if "target" in spec:
        from .backend import load_backend
        return load_backend(spec["target"]).for_op(spec.get("op", "conv2d"))
    return pickle.loads(spec["pickled"])


def main(argv: list[str]) -> None:
    """The worker loop (runs in the child process)."""
    conn = _Duplex(Connection(int(argv[0]), writable=False), Connection(int(argv[1]), readable=False))
    capture = DescriptorCapture(int(argv[2]))
    faulthandler.enable()  # a fatal signal writes the Python stack to fd 2, the capture file during a call
    backend = None
    while True:
        try:
            kind, payload = conn.recv()
        except EOFError:
            return
        if kind == "stop":
            return
        if kind == "load":
            try:
                backend = _load(payload)
                conn.send(("loaded", None))
            except BaseException as exc:  # report any load failure to the parent
                conn.send(("error", f"{type(exc).__name__}: {exc}"))
            continue
        for case in payload:
            outcome = perform(backend, case, capture)
            try:
                message = pickle.dumps(outcome)
            except Exception as exc:  # e.g. an object array of unpicklable items
                message = pickle.dumps(Outcome(BAD_OUTPUT, result_type=outcome.result_type,
                                               error=f"the result cannot be transferred: {exc}",
                                               output=outcome.output))
            conn.send_bytes(message)


if __name__ == "__main__":
    main(sys.argv[1:])
