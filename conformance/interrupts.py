"""Ctrl-C during a run: the harness stops, the worker processes stay quiet.

A terminal sends SIGINT to every process of the foreground group, the worker
processes included.  Workers are therefore started with SIGINT blocked (a
blocked signal stays blocked across ``exec``), so only the harness sees the
interrupt; it then ends the workers itself (`abort`) and reports what ran.
"""

from __future__ import annotations

import signal
import sys
from typing import Any, Callable

#: The exit status of a run stopped by Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130


def shield_workers(executor: Any) -> None:
    """Make the executor start its worker processes with SIGINT blocked (where it starts any)."""
    launch: Callable[[], Any] | None = getattr(executor, "_launch", None)
    if launch is None or not hasattr(signal, "pthread_sigmask"):
        return

    def launch_without_sigint() -> Any:
        previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
        try:
            return launch()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, previous)

    executor._launch = launch_without_sigint


def abort(executor: Any) -> None:
    """Kill the executor's current worker at once, without waiting for the call it is running."""
    process = getattr(executor, "process", None)
    try:
        if process is not None and process.poll() is None:
            process.kill()
    except OSError:
        pass


class InterruptWatch:
    """Records Ctrl-C during a run, besides raising ``KeyboardInterrupt`` as usual.

    Python drops an exception raised inside a garbage-collector callback (such
    as one hypothesis installs), so a ``KeyboardInterrupt`` can get lost; the
    run loop checks `requested` between properties so that it still stops.
    Python would also print such a dropped interrupt as an "ignored" traceback;
    while the watch is on, that report is left out.
    """

    def __init__(self) -> None:
        self.requested = False
        self._previous: Any = None
        self._hook: Any = None

    def _unraisable(self, unraisable) -> None:
        if issubclass(unraisable.exc_type, KeyboardInterrupt):
            self.requested = True
            return
        self._hook(unraisable)

    def _handler(self, signum, frame) -> None:
        self.requested = True
        raise KeyboardInterrupt

    def __enter__(self) -> "InterruptWatch":
        try:
            if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
                self._previous = signal.signal(signal.SIGINT, self._handler)
        except ValueError:  # not the main thread: leave SIGINT alone
            self._previous = None
        self._hook, sys.unraisablehook = sys.unraisablehook, self._unraisable
        return self

    def __exit__(self, *exc) -> None:
        sys.unraisablehook = self._hook
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)
