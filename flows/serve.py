"""Serve telefeed's deployments from one process (``telefeed serve``), no work pool needed.

The deployments are read from ``prefect.yaml`` so that ``telefeed serve`` and ``prefect deploy --all`` run the
same flows with the same parameters, schedules and concurrency limits. Schedules need a Prefect server that runs
its scheduler: the one ``PREFECT_API_URL`` names, else one this command starts (``prefect server start``) and
stops when it ends. Deployments that ``prefect deploy`` registered (bound to a work pool) are never replaced.
"""

from __future__ import annotations

import importlib
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml
from prefect import Flow

DEFAULT_PREFECT_FILE = Path(__file__).resolve().parent.parent / "prefect.yaml"


@dataclass(slots=True)
class DeploymentSpec:
    """One entry of ``prefect.yaml``'s ``deployments`` list, as telefeed uses it."""

    name: str
    entrypoint: str  # path/to/file.py:flow_function
    description: str = ""
    tags: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    intervals: list[float] = field(default_factory=list)  # seconds
    crons: list[str] = field(default_factory=list)
    concurrency_limit: int | None = None
    collision_strategy: str | None = None

    @property
    def module(self) -> str:
        """The entrypoint's importable module (``flows/ingest.py`` -> ``flows.ingest``)."""
        path = self.entrypoint.split(":", 1)[0]
        return path.removesuffix(".py").replace("/", ".").replace("\\", ".")

    @property
    def function(self) -> str:
        """The flow function's name in its module."""
        return self.entrypoint.split(":", 1)[1]

    def load_flow(self) -> Flow[Any, Any]:
        """Import the entrypoint and return its flow object.

        Raises:
            TypeError: the entrypoint is not a Prefect flow.
        """
        target = getattr(importlib.import_module(self.module), self.function)
        if not isinstance(target, Flow):
            raise TypeError(f"{self.entrypoint} is not a Prefect flow")
        return target


def find_prefect_file(path: str | Path | None = None) -> Path:
    """``path``, else ``./prefect.yaml``, else the one next to the ``flows`` package."""
    if path is not None:
        return Path(path)
    local = Path("prefect.yaml")
    return local if local.exists() else DEFAULT_PREFECT_FILE


def load_specs(path: str | Path | None = None) -> list[DeploymentSpec]:
    """The deployments declared in ``prefect.yaml``.

    Raises:
        ValueError: a deployment lacks a name or entrypoint, or a schedule is neither interval nor cron.
    """
    data = yaml.safe_load(find_prefect_file(path).read_text(encoding="utf-8")) or {}
    specs = []
    for entry in data.get("deployments") or []:
        if not entry.get("name") or ":" not in str(entry.get("entrypoint", "")):
            raise ValueError(f"deployment needs a name and a path.py:flow entrypoint: {entry!r}")
        intervals: list[float] = []
        crons: list[str] = []
        for schedule in entry.get("schedules") or []:
            if "interval" in schedule:
                intervals.append(float(schedule["interval"]))
            elif "cron" in schedule:
                crons.append(str(schedule["cron"]))
            else:
                raise ValueError(f"{entry['name']}: only interval and cron schedules are supported: {schedule!r}")
        limit = entry.get("concurrency_limit")
        strategy = None
        if isinstance(limit, dict):
            strategy = limit.get("collision_strategy")
            limit = limit.get("limit")
        specs.append(
            DeploymentSpec(
                name=str(entry["name"]),
                entrypoint=str(entry["entrypoint"]),
                description=" ".join(str(entry.get("description") or "").split()),
                tags=list(entry.get("tags") or []),
                parameters=dict(entry.get("parameters") or {}),
                intervals=intervals,
                crons=crons,
                concurrency_limit=int(limit) if limit is not None else None,
                collision_strategy=strategy,
            )
        )
    return specs


def to_runner_deployment(spec: DeploymentSpec, **overrides: Any) -> Any:
    """A ``RunnerDeployment`` for ``spec`` (``flow.to_deployment``); ``overrides`` replace its arguments."""
    from prefect.client.schemas.objects import ConcurrencyLimitConfig, ConcurrencyLimitStrategy

    concurrency: int | ConcurrencyLimitConfig | None = spec.concurrency_limit
    if spec.concurrency_limit is not None and spec.collision_strategy:
        concurrency = ConcurrencyLimitConfig(
            limit=spec.concurrency_limit, collision_strategy=ConcurrencyLimitStrategy(spec.collision_strategy)
        )
    schedules: list[Any] = [timedelta(seconds=s) for s in spec.intervals]
    kwargs: dict[str, Any] = {
        "name": spec.name,
        "description": spec.description or None,
        "tags": spec.tags,
        "parameters": spec.parameters,
        "concurrency_limit": concurrency,
    }
    if spec.intervals and not spec.crons:
        kwargs["interval"] = schedules
    elif spec.crons and not spec.intervals:
        kwargs["cron"] = spec.crons
    elif spec.crons and spec.intervals:
        from prefect.schedules import Cron, Interval

        kwargs["schedules"] = [Interval(s) for s in schedules] + [Cron(c) for c in spec.crons]
    kwargs.update(overrides)
    return spec.load_flow().to_deployment(**kwargs)


class ServeError(RuntimeError):
    """``telefeed serve`` cannot start; the message is one line saying what to do."""


DEFAULT_SERVER_PORT = 4200


def configured_api_url() -> str | None:
    """The Prefect API this process talks to (``PREFECT_API_URL`` or the active profile), None when unset."""
    from prefect.settings import get_current_settings

    return get_current_settings().api.url


def _healthy(api_url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{api_url}/health", timeout=2) as answer:
            return bool(answer.status == 200)
    except (urllib.error.URLError, OSError):
        return False


def _server_log() -> Path:
    """The file a server this module starts writes its output to (in ``PREFECT_HOME``)."""
    log_path = Path(os.environ.get("PREFECT_HOME", Path.home() / ".prefect")).expanduser() / "telefeed-server.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    return log_path


@contextmanager
def _running_server(
    command: list[str], api_url: str, startup_timeout: float, env: dict[str, str] | None = None
) -> Iterator[str]:
    """Run ``command`` (a Prefect API server) while the block runs, once ``api_url`` answers; yields ``api_url``."""
    log_path = _server_log()
    with log_path.open("ab") as log:
        server = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env={**os.environ, **(env or {})}
        )
    try:
        deadline = time.monotonic() + startup_timeout
        while not _healthy(api_url):
            if server.poll() is not None:
                raise ServeError(f"the Prefect server exited with code {server.returncode}; see {log_path}")
            if time.monotonic() > deadline:
                raise ServeError(f"the Prefect server did not start within {startup_timeout:.0f} s; see {log_path}")
            time.sleep(0.1)
        yield api_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@contextmanager
def local_prefect_server(port: int = DEFAULT_SERVER_PORT, startup_timeout: float = 180.0) -> Iterator[str]:
    """Run ``prefect server start`` (API, UI and services, the scheduler among them) on 127.0.0.1:``port`` while the
    block runs; yields its API URL. Its database is the profile's (``PREFECT_HOME``), so deployments and runs
    outlive the command.

    Raises:
        ServeError: the port is taken or the server did not answer within ``startup_timeout`` seconds.
    """
    api_url = f"http://127.0.0.1:{port}/api"
    if _healthy(api_url):
        raise ServeError(
            f"a Prefect server already answers on port {port}: export PREFECT_API_URL={api_url} and run again"
        )
    command = [sys.executable, "-m", "prefect", "server", "start", "--host", "127.0.0.1", "--port", str(port)]
    with _running_server(command, api_url, startup_timeout) as url:
        yield url


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def prefect_api(startup_timeout: float = 120.0) -> Iterator[str | None]:
    """The Prefect API for a command that runs flows: the configured one (yields its URL), else a temporary API
    server in a child process for as long as the block runs.

    The temporary server is the one Prefect itself starts when no API is configured (uvicorn serving
    ``prefect.server.api.server:create_app``, no UI, the profile's database), started here from its command line
    instead: Prefect's own starter lives in the server package, and importing that package (FastAPI, SQLAlchemy,
    the server's models and services) would cost this process about 80 MB for the whole run.
    """
    configured = configured_api_url()
    if configured:
        yield configured
        return
    import prefect
    from prefect.settings import PREFECT_API_URL, temporary_settings

    port = _free_port()
    api_url = f"http://127.0.0.1:{port}/api"
    command = [
        sys.executable, "-m", "uvicorn", "--app-dir", str(Path(prefect.__file__).parent.parent),
        "--factory", "prefect.server.api.server:create_app", "--host", "127.0.0.1", "--port", str(port),
        "--log-level", "error", "--lifespan", "on",
    ]  # fmt: skip
    env = {"PREFECT_UI_ENABLED": "0", "PREFECT__SERVER_EPHEMERAL": "1", "PREFECT__SERVER_FINAL": "1"}
    with (
        _running_server(command, api_url, startup_timeout, env),
        temporary_settings(updates={PREFECT_API_URL: api_url}),
    ):
        try:
            yield api_url
        finally:
            _deliver_queued()


def _deliver_queued(timeout: float = 60.0) -> None:
    """Send the logs and events Prefect still has queued to the API, before a temporary server stops: left queued,
    they were sent at exit to a stopped server, whose connection retries kept the command alive for a minute or
    more after a run over many sources."""
    from prefect.events.worker import EventsWorker
    from prefect.logging.handlers import APILogWorker

    for worker in (APILogWorker, EventsWorker):
        worker.drain_all(timeout=timeout)


def deployed_elsewhere(specs: list[DeploymentSpec]) -> list[str]:
    """Names (``flow/deployment``) of the deployments of ``specs`` that the server already has bound to a work pool
    (registered by ``prefect deploy``): serving them would replace their pull steps and pause them on exit."""
    from prefect.client.orchestration import get_client
    from prefect.exceptions import ObjectNotFound

    taken = []
    with get_client(sync_client=True) as client:
        for spec in specs:
            name = f"{spec.load_flow().name}/{spec.name}"
            try:
                existing = client.read_deployment_by_name(name)
            except ObjectNotFound:
                continue
            if existing.work_pool_name or existing.pull_steps:
                taken.append(name)
    return taken


def serve_all(
    prefect_file: str | Path | None = None, limit: int | None = None, port: int = DEFAULT_SERVER_PORT
) -> None:
    """Serve every deployment of ``prefect.yaml`` from this process until interrupted (Ctrl-C or SIGTERM).

    With no Prefect API configured, a local server (``prefect server start``, scheduler included) runs for as long
    as this does.

    Args:
        prefect_file: the deployments file (default: ``./prefect.yaml``, else the repository's).
        limit: the most flow runs this process runs at once (default: unlimited).
        port: the local server's port, when one is started.

    Raises:
        ServeError: deployments of the same names were registered by ``prefect deploy``, or no server could start.
    """
    specs = load_specs(prefect_file)
    if configured_api_url():
        _serve(specs, limit)
        return
    from prefect.settings import PREFECT_API_URL, temporary_settings

    with local_prefect_server(port) as api_url:
        os.environ["PREFECT_API_URL"] = api_url  # the flow runs this process starts use the same server
        print(f"telefeed serve: started a Prefect server at {api_url} (UI: {api_url.removesuffix('/api')})")
        with temporary_settings(updates={PREFECT_API_URL: api_url}):
            _serve(specs, limit)


def _serve(specs: list[DeploymentSpec], limit: int | None) -> None:
    from prefect import serve

    from flows.writes import ensure_write_limit

    taken = deployed_elsewhere(specs)
    if taken:
        raise ServeError(
            f"{', '.join(taken)} already registered by `prefect deploy` (work pool): run them with "
            "`prefect worker start`, or delete them before `telefeed serve`"
        )
    ensure_write_limit()
    serve(*(to_runner_deployment(spec) for spec in specs), limit=limit)
