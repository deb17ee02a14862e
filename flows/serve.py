"""Serve telefeed's deployments from one process (``telefeed serve``), no work pool needed.

The deployments are read from ``prefect.yaml`` so that ``telefeed serve`` and ``prefect deploy --all`` run the
same flows with the same parameters, schedules and concurrency limits.
"""

from __future__ import annotations

import importlib
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


def serve_all(prefect_file: str | Path | None = None, limit: int | None = None) -> None:
    """Serve every deployment of ``prefect.yaml`` from this process until interrupted.

    Args:
        prefect_file: the deployments file (default: ``./prefect.yaml``, else the repository's).
        limit: the most flow runs this process runs at once (default: unlimited).
    """
    from prefect import serve

    from flows.writes import ensure_write_limit

    ensure_write_limit()
    deployments = [to_runner_deployment(spec) for spec in load_specs(prefect_file)]
    serve(*deployments, limit=limit)
