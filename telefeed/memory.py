"""The process's memory: its peak so far, and handing freed memory back to the system between phases of a run."""

from __future__ import annotations

import ctypes
import ctypes.util
import resource
import sys

_M_ARENA_MAX = -8  # glibc's mallopt parameter


def _libc() -> ctypes.CDLL | None:
    """glibc (Linux only), or None."""
    name = ctypes.util.find_library("c") if sys.platform.startswith("linux") else None
    return ctypes.CDLL(name) if name else None


def peak_rss_mb() -> float:
    """The process's peak resident memory so far, in MB (``ru_maxrss``: kilobytes on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def release_free_memory() -> None:
    """Return memory that the C allocator holds free to the system (glibc's ``malloc_trim``; elsewhere nothing).

    Models unloaded between phases of a run (``extraction.language.release_models``) free their memory inside
    the process; glibc keeps much of it for reuse unless asked to give it back.
    """
    libc = _libc()
    trim = getattr(libc, "malloc_trim", None) if libc is not None else None
    if trim is not None:
        trim(0)


def cap_malloc_arenas(arenas: int = 2) -> None:
    """Let glibc's allocator keep at most ``arenas`` arenas (its default: 8 per core; elsewhere nothing).

    A run's tasks are threads, and by default each busy thread gets an arena of its own, whose freed memory only
    that arena reuses: a run on the bundled samples peaked about 50 MB higher. Call it before the threads start.
    """
    libc = _libc()
    mallopt = getattr(libc, "mallopt", None) if libc is not None else None
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, arenas)
