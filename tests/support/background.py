"""Slow commands that a test checks, started in the background when the session begins.

A few tests only run commands and check what they print (the README demo in a clean venv, the documented quality
evaluations). ``tests/conftest.py`` starts their commands as soon as collection shows that such a test is selected,
at the lowest CPU priority (``nice -n 19``), so that they use the core the rest of the suite leaves idle instead
of adding to the suite's time; it also moves those tests to the end of the session, where each waits for its
commands' results (at normal priority from then on) and checks them. Started commands are killed when the session
ends.

Under pytest-xdist (``-n 2``) the controller process starts the commands (it lives until every worker is done, and
starts them once, not once per worker), writes each run's results to a file in a folder the workers know
(:data:`RECORDS_VARIABLE`), and the worker that runs the test reads them from there (:class:`RecordedRun`).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

# The environment variable naming the folder where the controller of a pytest-xdist session records its background
# runs' results, one file per run (unset in a session without workers).
RECORDS_VARIABLE = "TELEFEED_TEST_BACKGROUND_RECORDS"

Results = dict[str, subprocess.CompletedProcess[str]]


class StartedRun(Protocol):
    """A background run a test can wait for: :class:`BackgroundRun` here, :class:`RecordedRun` in a worker."""

    def wait(self, timeout: float) -> Results:
        """Wait for the run to end; the results by step name."""
        ...


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
        record: Path | None = None,
    ) -> None:
        self.results: Results = {}
        self.error: BaseException | None = None
        self._plan, self._cwd, self._env, self._parallel, self._cleanup = plan, cwd, env, parallel, cleanup
        self._record = record
        self._processes: set[subprocess.Popen[str]] = set()
        self._stopped = self._waited_for = False
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run_all, name=name, daemon=True)

    def start(self) -> BackgroundRun:
        """Start the run's thread (and, when it records its results for another process, the thread that raises
        its priority once that process waits for it); return the run."""
        self._thread.start()
        if self._record is not None:
            threading.Thread(target=self._prioritise_when_awaited, args=(self._record,), daemon=True).start()
        return self

    def wait(self, timeout: float) -> Results:
        """Wait for the run to end; the results by step name (up to the first failure of a sequential run)."""
        self._prioritise()
        self._thread.join(timeout)
        assert not self._thread.is_alive(), f"{self._thread.name} did not finish within {timeout} s"
        if self.error is not None:
            raise self.error
        return self.results

    def _prioritise(self) -> None:
        """A test now waits for the run: its commands leave the lowest priority (those running, where this process
        may raise their priority, and those still to start), so that a busy machine cannot starve them."""
        with self._lock:
            self._waited_for = True
            for process in self._processes:
                with suppress(OSError):  # lowering a niceness may need privileges
                    os.setpriority(os.PRIO_PGRP, process.pid, 0)

    def _prioritise_when_awaited(self, record: Path) -> None:
        while self._thread.is_alive():
            if _awaited_marker(record).exists():
                self._prioritise()
                return
            time.sleep(1)

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
        finally:
            if self._record is not None:
                _write_record(self._record, self.results, self.error)

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


def _awaited_marker(record: Path) -> Path:
    """The file a worker creates when a test starts waiting for the run recorded in ``record``."""
    return record.with_suffix(".awaited")


def _write_record(record: Path, results: Results, error: BaseException | None) -> None:
    """Write a finished run's results (and the error that ended it, if any) to ``record``, all at once."""
    steps = {name: [r.args, r.returncode, r.stdout, r.stderr] for name, r in results.items()}
    partial = record.with_suffix(".partial")
    partial.write_text(json.dumps({"steps": steps, "error": None if error is None else repr(error)}), "utf-8")
    partial.replace(record)


class RecordedRun:
    """A worker's view of a background run that the controller of a pytest-xdist session started and records in
    ``record`` when it ends."""

    def __init__(self, record: Path) -> None:
        self._record = record

    def wait(self, timeout: float) -> Results:
        """Wait for the run's record; the results by step name, as :meth:`BackgroundRun.wait` gives them."""
        _awaited_marker(self._record).touch()
        deadline = time.monotonic() + timeout
        while not self._record.exists():
            assert time.monotonic() < deadline, f"{self._record.stem} did not finish within {timeout} s"
            time.sleep(0.5)
        recorded = json.loads(self._record.read_text("utf-8"))
        if recorded["error"] is not None:
            raise RuntimeError(f"{self._record.stem} failed: {recorded['error']}")
        return {
            name: subprocess.CompletedProcess(args, returncode, stdout, stderr)
            for name, (args, returncode, stdout, stderr) in recorded["steps"].items()
        }


_started: dict[str, BackgroundRun] = {}


def records_folder() -> Path | None:
    """Where this pytest-xdist session records its background runs (None: a session without workers)."""
    folder = os.environ.get(RECORDS_VARIABLE)
    return None if folder is None else Path(folder)


def start_once(name: str, make: Callable[[Path | None], BackgroundRun]) -> StartedRun:
    """The session's background run called ``name``: in a pytest-xdist worker, the run its controller started;
    else the run started now by ``make(record)`` unless it already was (``record``: the file where the controller
    of a pytest-xdist session records the results, None without workers)."""
    folder = records_folder()
    record = None if folder is None else folder / f"{name}.json"
    if record is not None and os.environ.get("PYTEST_XDIST_WORKER"):
        return RecordedRun(record)
    if name not in _started:
        _started[name] = make(record).start()
    return _started[name]


def stop_all() -> None:
    """Stop every background run of the session."""
    while _started:
        _, run = _started.popitem()
        run.stop()
