"""Slow commands that a test checks, started in the background when the session begins.

A few tests only run commands and check what they print (the README demo in a clean venv, the documented quality
evaluations). ``tests/conftest.py`` starts their commands as soon as collection shows that such a test is selected,
at the lowest CPU priority (``nice -n 19``), so that they use the core the rest of the suite leaves idle instead
of adding to the suite's time; it also moves those tests to the end of the session, where each waits for its
commands' results (at normal priority from then on) and checks them. Started commands are killed when the session
ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True, slots=True)
class Step:
    """One command of a background run: its name (the key of its result), its words and its time limit."""

    name: str
    args: list[str]
    timeout: float


class BackgroundRun:
    """Commands run in background threads at the lowest CPU priority; :meth:`wait` gives their results.

    ``plan`` runs first, in the background too (it may prepare files), and returns the steps. With ``parallel``
    > 1 that many steps run at once and every step runs; otherwise they run one after the other and the run stops
    at the first that fails. ``cleanup`` runs when the run is stopped (e.g. deletes the files ``plan`` made).
    """

    def __init__(
        self,
        name: str,
        plan: Callable[[], Sequence[Step]],
        cwd: Path,
        env: dict[str, str] | None = None,
        parallel: int = 1,
        cleanup: Callable[[], None] | None = None,
    ) -> None:
        self.results: dict[str, subprocess.CompletedProcess[str]] = {}
        self.error: BaseException | None = None
        self._plan, self._cwd, self._env, self._parallel, self._cleanup = plan, cwd, env, parallel, cleanup
        self._processes: set[subprocess.Popen[str]] = set()
        self._stopped = self._waited_for = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run_all, name=name, daemon=True)

    def start(self) -> BackgroundRun:
        """Start the run's thread; return the run."""
        self._thread.start()
        return self

    def wait(self, timeout: float) -> dict[str, subprocess.CompletedProcess[str]]:
        """Wait for the run to end; the results by step name (up to the first failure of a sequential run).

        A test now waits for the run: its commands leave the lowest priority (those running, where this process may
        raise their priority, and those still to start), so that a busy machine cannot starve them."""
        with self._lock:
            self._waited_for = True
            for process in self._processes:
                with suppress(OSError):  # lowering a niceness may need privileges
                    os.setpriority(os.PRIO_PGRP, process.pid, 0)
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"{self._thread.name} did not finish within {timeout} s"
        if self.error is not None:
            raise self.error
        return self.results

    def stop(self) -> None:
        """Kill the running commands, if any, wait for the run's thread and clean up."""
        with self._lock:
            self._stopped = True
            for process in self._processes:
                _kill_group(process)
        self._thread.join(30)
        if self._cleanup is not None:
            self._cleanup()

    def _run_all(self) -> None:
        try:
            steps = self._plan()
            if self._parallel > 1:
                with ThreadPoolExecutor(self._parallel) as pool:
                    list(pool.map(self._step, steps))
                return
            for step in steps:
                result = self._step(step)
                if result is None or result.returncode != 0:
                    return
        except BaseException as exc:  # surfaced by wait()
            self.error = exc

    def _step(self, step: Step) -> subprocess.CompletedProcess[str] | None:
        with self._lock:
            if self._stopped:
                return None
            args = step.args if self._waited_for else ["nice", "-n", "19", *step.args]
            process = subprocess.Popen(  # its own process group: its children are reniced and killed with it
                args,
                cwd=self._cwd,
                env=self._env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                start_new_session=True,
            )
            self._processes.add(process)
        try:
            stdout, stderr = process.communicate(timeout=step.timeout)
        except subprocess.TimeoutExpired:
            _kill_group(process)
            process.communicate()
            raise
        finally:
            with self._lock:
                self._processes.discard(process)
        result = subprocess.CompletedProcess(args, process.returncode, stdout, stderr)
        self.results[step.name] = result
        return result


def _kill_group(process: subprocess.Popen[str]) -> None:
    """Kill ``process`` and every process of its group (the children it started), if still running."""
    if process.poll() is None:
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)


_started: dict[str, BackgroundRun] = {}


def start_once(name: str, make: Callable[[], BackgroundRun]) -> BackgroundRun:
    """The session's background run called ``name``, started now by ``make`` unless it already was."""
    if name not in _started:
        _started[name] = make().start()
    return _started[name]


def stop_all() -> None:
    """Stop every background run of the session."""
    while _started:
        _, run = _started.popitem()
        run.stop()
