"""Stop a run cleanly on SIGTERM/SIGINT: the first signal asks the run to start nothing new and let the sources in
flight finish (each landing is one transaction with its cursor, so what is committed stays consistent); a second
signal falls back to the handler that was installed before (Prefect's termination, or KeyboardInterrupt)."""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

log = logging.getLogger("telefeed.stopping")

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class StopRequest:
    """Set once a stop was asked; :attr:`reason` names the signal."""

    def __init__(self) -> None:
        self._event = threading.Event()
        self.reason: str | None = None

    def set(self, reason: str) -> None:
        """Ask the run to stop (the first reason is kept)."""
        if not self._event.is_set():
            self.reason = reason
            self._event.set()

    def is_set(self) -> bool:
        """True once a stop was asked."""
        return self._event.is_set()

    def __getstate__(self) -> dict[str, Any]:
        """A copy sent to another process (a Dask worker) is a new request: it sees no later signal."""
        return {"reason": self.reason, "stopped": self.is_set()}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._event = threading.Event()
        self.reason = None
        if state["stopped"]:
            self.set(state["reason"] or "stopped")


@contextmanager
def stop_on_signals(stop: StopRequest) -> Iterator[StopRequest]:
    """While the block runs, the first SIGTERM/SIGINT sets ``stop``; the next one goes to the previous handler.

    Outside the main thread (signals cannot be handled there) the block runs with ``stop`` never set by a signal.
    """
    if threading.current_thread() is not threading.main_thread():
        yield stop
        return
    previous: dict[signal.Signals, Any] = {sig: signal.getsignal(sig) for sig in STOP_SIGNALS}

    def restore() -> None:
        for number, handler in previous.items():
            signal.signal(number, handler)

    def handle(number: int, frame: FrameType | None) -> None:
        if not stop.is_set():
            stop.set(signal.Signals(number).name)
            log.warning("%s: finishing the sources in flight, starting no new ones (again to stop now)", stop.reason)
            return
        restore()
        signal.raise_signal(number)

    for sig in STOP_SIGNALS:
        signal.signal(sig, handle)
    try:
        yield stop
    finally:
        restore()
