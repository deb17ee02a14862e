"""Stop a command the way an operator does: wait until it has done something, then send it SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Callable


def sigterm_when(process: subprocess.Popen[bytes], ready: Callable[[], bool], timeout: float, what: str) -> str:
    """Poll ``ready`` until it holds (at most ``timeout`` seconds, while ``process`` runs), then send SIGTERM and
    return the process's output once it has exited; the process is killed if anything fails on the way.

    Raises:
        AssertionError: ``ready`` never held (``what`` says what was awaited).
    """
    try:
        deadline = time.monotonic() + timeout
        while not ready() and time.monotonic() < deadline and process.poll() is None:
            time.sleep(0.2)
        assert ready(), f"never happened: {what}"
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=120)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    return output.decode(errors="replace")
