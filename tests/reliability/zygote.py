"""A single-threaded helper process that imports telefeed once and forks one child per ingest run.

Started by :class:`tests.reliability.support.Zygote`. Importing telefeed and loading the language models takes
seconds; forking a warmed, single-threaded process takes milliseconds, so each of the many killed runs starts
straight into ``telefeed.pipeline.ingest_source``. Protocol: one JSON command per stdin line, one JSON answer
per stdout line.

Command: ``{"sources": path, "warehouse": path, "batch_size": int | null, "kill_after": seconds | null,
"run_id": str}``. Answer: ``{"pid", "killed", "exit_code", "seconds", "max_rss_bytes", "base_rss_bytes"}``
where ``max_rss_bytes`` is the child's peak resident set (including what it shares with this process at fork)
and ``base_rss_bytes`` this process's resident set when it forked.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
import traceback
from typing import Any


def _rss_bytes() -> int:
    with open("/proc/self/statm", encoding="ascii") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _status_bytes(field: str) -> int:
    with open("/proc/self/status", encoding="ascii") as handle:
        for line in handle:
            if line.startswith(field + ":"):
                return int(line.split()[1]) * 1024
    return 0


def _child(command: dict[str, Any]) -> None:
    import telefeed.pipeline.rss as rss_module
    from telefeed.config import load_sources
    from telefeed.pipeline import ingest_source
    from warehouse.db import Warehouse

    try:  # reset the peak-RSS mark: the child's peak then measures its own work, not the zygote's heap
        with open("/proc/self/clear_refs", "w", encoding="ascii") as handle:
            handle.write("5")
    except OSError:
        pass
    rss_at_start = _status_bytes("VmRSS")
    if command.get("batch_size"):
        rss_module.BATCH_SIZE = int(command["batch_size"])
    warehouse = Warehouse(command["warehouse"], lock_timeout_seconds=60)
    results = []
    for source in load_sources(command["sources"]):
        stats = ingest_source(source, warehouse, command.get("run_id") or "reliability")
        results.append(stats.as_dict())
    if command.get("result_path"):
        growth = _status_bytes("VmHWM") - rss_at_start
        with open(command["result_path"], "w", encoding="utf-8") as handle:
            json.dump({"sources": results, "peak_rss_growth_bytes": growth}, handle)


def _run(command: dict[str, Any]) -> dict[str, Any]:
    base_rss = _rss_bytes()
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:  # child
        code = 0
        try:
            sys.stdin.close()
            _child(command)
        except BaseException:
            traceback.print_exc(file=sys.stderr)
            code = 1
        finally:
            sys.stderr.flush()
            os._exit(code)
    killed = False
    reaped: tuple[int, int, Any] | None = None
    kill_after = command.get("kill_after")
    if kill_after is not None:
        deadline = started + float(kill_after)
        while time.monotonic() < deadline:
            done = os.wait4(pid, os.WNOHANG)
            if done[0]:
                reaped = done
                break
            time.sleep(0.005)
        else:
            os.kill(pid, signal.SIGKILL)
            killed = True
    _, status, usage = reaped or os.wait4(pid, 0)
    seconds = time.monotonic() - started
    if os.WIFSIGNALED(status):
        killed = killed or os.WTERMSIG(status) == signal.SIGKILL
        exit_code = -os.WTERMSIG(status)
    else:
        exit_code = os.WEXITSTATUS(status)
    return {
        "pid": pid,
        "killed": killed,
        "exit_code": exit_code,
        "seconds": round(seconds, 3),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3),
        "max_rss_bytes": usage.ru_maxrss * 1024,
        "base_rss_bytes": base_rss,
    }


def main() -> None:
    """Import and warm up, say ``ready``, then serve commands until stdin closes."""
    import telefeed.pipeline as pipeline
    import telefeed.pipeline.stories  # noqa: F401  (story clustering: numpy)
    from extraction.language import detect_language

    pipeline._load_ingesters()
    for sample in ("The council said power was restored overnight", "В городе восстановили электроснабжение"):
        detect_language(sample)  # loads the models here, single-threaded, before any fork
    import threading

    # Native libraries keep idle pools (jemalloc, BLAS) that register fork handlers; no Python thread may run.
    assert threading.active_count() == 1, "the zygote must not run Python threads when it forks"
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        if not line.strip():
            continue
        print(json.dumps(_run(json.loads(line))), flush=True)


if __name__ == "__main__":
    main()
