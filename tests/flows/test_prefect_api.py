"""``flows.serve.prefect_api``: a command that runs flows with no Prefect API configured starts a temporary API
server in a child process (without importing Prefect's server package) and stops it when done.

One probe process serves both tests: a fresh Prefect home costs the temporary server its database migrations,
the slowest part of its start."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO_ROOT

# The module's probe run: one pytest-xdist worker runs them all (`--dist loadgroup`)
pytestmark = pytest.mark.xdist_group("prefect-api")

_PROBE = """
import json, sys, urllib.request
from flows.serve import prefect_api
from prefect import flow, get_run_logger, task

@flow
def ping() -> str:
    return "pong"

@task
def chatty(n: int) -> None:
    for line in range(20):
        get_run_logger().info("marker %d.%d", n, line)

@flow
def many_lines() -> None:
    for future in [chatty.submit(n) for n in range(25)]:
        future.result()

with prefect_api() as url:
    health = urllib.request.urlopen(url + "/health", timeout=10).status
    answer = ping()
    many_lines()
try:
    urllib.request.urlopen(url + "/health", timeout=2)
    stopped = False
except OSError:
    stopped = True
print(json.dumps({"url": url, "health": health, "answer": answer, "stopped": stopped,
                  "server_imported": "prefect.server.api.server" in sys.modules}))
"""


@dataclass(frozen=True)
class ProbeRun:
    """What the probe printed, its output streams and its Prefect home."""

    seen: dict[str, Any]
    output: str
    prefect_home: Path


@pytest.fixture(scope="module")
def probe(tmp_path_factory: pytest.TempPathFactory) -> ProbeRun:
    """The probe run once, with no API configured and a Prefect home of its own."""
    home = tmp_path_factory.mktemp("prefect-api") / "prefect-home"
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    env["PREFECT_HOME"] = str(home)
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, cwd=REPO_ROOT, env=env, timeout=300
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return ProbeRun(json.loads(done.stdout.strip().splitlines()[-1]), done.stderr + done.stdout, home)


def test_a_temporary_api_server_runs_flows_without_importing_the_server_package(probe: ProbeRun) -> None:
    seen = probe.seen
    assert seen["url"].startswith("http://127.0.0.1:") and seen["url"].endswith("/api")
    assert seen["health"] == 200 and seen["answer"] == "pong"
    assert seen["stopped"], "the temporary server must stop with the block"
    assert not seen["server_imported"], "Prefect's server package must stay out of the flow's process"


def test_the_logs_of_a_run_reach_the_temporary_server_before_it_stops(probe: ProbeRun) -> None:
    """Logs still queued when the block ends are sent before the server stops (sent at exit to a stopped server,
    they were lost after a minute of connection retries)."""
    assert "Error logging to API" not in probe.output
    with sqlite3.connect(probe.prefect_home / "prefect.db") as db:
        (logged,) = db.execute("select count(*) from log where message like 'marker %'").fetchone()
    assert logged == 25 * 20
