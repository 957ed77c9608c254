"""Crash- and hang-proof execution: a persistent worker process that calls the backend.

The parent starts ``python -m convspec.conformance.worker READ_FD WRITE_FD`` with
two pipes, sends it the backend (its target string, or the pickled backend
object) and then batches of cases.  The worker loads the backend once, runs
:func:`convspec.conformance.execution.perform` on each case and sends back one
:class:`~convspec.conformance.execution.Outcome` per case as soon as it is known.

The parent waits at most ``timeout`` seconds for each outcome.  If none arrives
the worker is killed and the case is recorded as ``timeout``; if the pipe closes
because the worker died (a segfault, ``os._exit``, an abort in native code) the
case is recorded as ``crashed`` with the exit status.  Either way a fresh worker
is started and the remaining cases of the batch are sent to it, so one bad call
never stops the run.  After the first restart a spare worker is kept loaded in
the background, so the next restart costs no start-up time.

Anything the backend prints goes to the parent's standard error; the protocol
uses its own pipes.
"""

from __future__ import annotations

import os
import pickle
import signal
import subprocess
import sys
import time
from multiprocessing.connection import Connection
from typing import Any, Sequence

from .cases import Case
from .execution import BAD_OUTPUT, CRASHED, TIMEOUT, Executor, Outcome, perform


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


class SubprocessExecutor(Executor):
    """Runs every call in a persistent worker process, restarted after a crash or hang.

    Args:
        load: ``{"target": str}`` or ``{"pickled": bytes}``: how the worker
            obtains the backend.
        start_timeout: seconds the worker may take to import and load the backend.
    """

    isolation = "subprocess"

    def __init__(self, load: dict[str, Any], start_timeout: float = 120.0) -> None:
        self.load = dict(load, sys_path=list(sys.path))
        self.start_timeout = start_timeout
        self.process: subprocess.Popen | None = None
        self.conn: _Duplex | None = None
        self.spare: tuple[subprocess.Popen, _Duplex] | None = None
        self.restarts = 0

    def _launch(self) -> tuple[subprocess.Popen, "_Duplex"]:
        """Start a worker process and send it the backend; does not wait for it to load."""
        parent_read, child_write = os.pipe()
        child_read, parent_write = os.pipe()
        try:
            process = subprocess.Popen(
                [sys.executable, "-m", "convspec.conformance.worker", str(child_read), str(child_write)],
                pass_fds=(child_read, child_write), stdout=2, stdin=subprocess.DEVNULL,
            )
        finally:
            os.close(child_read)
            os.close(child_write)
        conn = _Duplex(Connection(parent_read, writable=False), Connection(parent_write, readable=False))
        conn.send(("load", self.load))
        return process, conn

    def _adopt(self, process: subprocess.Popen, conn: "_Duplex") -> None:
        """Wait until a launched worker has loaded the backend, and make it the current one."""
        self.process, self.conn = process, conn
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
        """Start a worker and have it load the backend (raises :class:`WorkerStartError`)."""
        self._adopt(*self._launch())

    def _kill(self) -> int | None:
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
        self.process, self.conn = None, None
        return code

    def _restart(self) -> None:
        """Replace a dead worker, by the warm spare when there is one, and launch the next spare.

        The spare is only kept once a first restart has happened: a backend that
        crashed once tends to crash again while its counterexample is shrunk.
        """
        self.restarts += 1
        spare, self.spare = self.spare, None
        if spare is not None:
            self._adopt(*spare)
        else:
            self.start()
        self.spare = self._launch()

    def run(self, cases: Sequence[Case], timeout: float, until_crash: bool = False) -> list[Outcome]:
        outcomes: list[Outcome] = []
        pending = list(cases)
        while pending:
            if until_crash and outcomes and outcomes[-1].status in (CRASHED, TIMEOUT):
                break
            if self.conn is None:
                self._restart()
            try:
                self.conn.send(("run", pending))
            except (OSError, EOFError):
                code = self._kill()
                outcomes.append(Outcome(CRASHED, error=_exit_text(code)))
                pending = pending[1:]
                continue
            done = 0
            for case in pending:
                budget = timeout * (2 if case.followup is not None else 1)
                start = time.perf_counter()
                try:
                    ready = self.conn.poll(budget)
                    if ready:
                        outcomes.append(self.conn.recv())
                        done += 1
                        continue
                    self._kill()
                    outcomes.append(Outcome(TIMEOUT, error=f"the call did not return within {budget:g} s",
                                            seconds=time.perf_counter() - start))
                except (EOFError, OSError):
                    code = self._kill()
                    outcomes.append(Outcome(CRASHED, error=_exit_text(code),
                                            seconds=time.perf_counter() - start))
                done += 1
                break
            pending = pending[done:]
        return outcomes

    def close(self) -> None:
        if self.spare is not None:
            process, conn = self.spare
            self.spare = None
            process.kill()
            process.wait()
            conn.close()
        if self.conn is not None and self.process is not None and self.process.poll() is None:
            try:
                self.conn.send(("stop", None))
                self.process.wait(timeout=5)
            except Exception:
                pass
        self._kill()


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
        return load_backend(spec["target"])
    return pickle.loads(spec["pickled"])


def main(argv: list[str]) -> None:
    """The worker loop (runs in the child process)."""
    conn = _Duplex(Connection(int(argv[0]), writable=False), Connection(int(argv[1]), readable=False))
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
            outcome = perform(backend, case)
            try:
                message = pickle.dumps(outcome)
            except Exception as exc:  # e.g. an object array of unpicklable items
                message = pickle.dumps(Outcome(BAD_OUTPUT, result_type=outcome.result_type,
                                               error=f"the result cannot be transferred: {exc}"))
            conn.send_bytes(message)


if __name__ == "__main__":
    main(sys.argv[1:])
