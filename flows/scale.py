"""Run telefeed's flows on a Dask cluster (prefect-dask's ``DaskTaskRunner``).

Tasks stay coarse: one ingest task per group of sources (their feeds, article pages and normalisation run
together on one worker), never one task per document. Each worker opens the warehouse itself from the
primitive ``warehouse_path`` parameter; pair Dask with the DuckLake backend when many workers write at once
(a DuckDB file accepts one writer at a time, so its writers queue).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

from prefect import Flow, flow

from flows.extract import extract as extract_flow
from flows.ingest import ingest

LOCAL_CLUSTER = "local"


def _local_cluster_options(n_workers: int | None) -> dict[str, Any]:
    """``LocalCluster`` arguments: ``n_workers`` single-threaded worker processes (default: CPU count, at most 4)."""
    workers = n_workers or max(1, min(4, os.cpu_count() or 1))
    return {"n_workers": workers, "threads_per_worker": 1, "processes": True, "dashboard_address": ":0"}


def dask_task_runner(address: str | None = None, n_workers: int | None = None) -> Any:
    """A ``DaskTaskRunner``: connect to ``address`` (``tcp://host:8786``), or start a local cluster of processes.

    Args:
        address: a Dask scheduler address; ``None``, ``""`` or ``"local"`` start a ``LocalCluster``.
        n_workers: worker processes of the local cluster (default: CPU count, at most 4).

    Raises:
        RuntimeError: prefect-dask is not installed (``pip install 'telefeed[scale]'``).
    """
    try:
        from prefect_dask import DaskTaskRunner
    except ModuleNotFoundError as exc:  # pragma: no cover - depends on the environment
        raise RuntimeError("the Dask task runner needs prefect-dask: pip install 'telefeed[scale]'") from exc
    if address and address != LOCAL_CLUSTER:
        return DaskTaskRunner(address=address)
    return DaskTaskRunner(cluster_class="distributed.LocalCluster", cluster_kwargs=_local_cluster_options(n_workers))


def on_dask(target: Flow[Any, Any], address: str | None = None, n_workers: int | None = None) -> Flow[Any, Any]:
    """``target`` with its tasks submitted to Dask (any telefeed flow whose tasks take primitive parameters)."""
    return target.with_options(task_runner=dask_task_runner(address, n_workers))


@contextmanager
def dask_cluster(address: str | None = None, n_workers: int | None = None) -> Iterator[str]:
    """The scheduler address to use: ``address`` itself, or that of a local cluster of processes started here."""
    if address and address != LOCAL_CLUSTER:
        yield address
        return
    from distributed import LocalCluster

    with LocalCluster(**_local_cluster_options(n_workers)) as cluster:
        yield str(cluster.scheduler_address)


@flow(name="ingest-dask", log_prints=True)
def ingest_dask(
    sources: list[str] | None = None,
    sources_path: str | None = None,
    warehouse_path: str | None = None,
    kinds: list[str] | None = None,
    dask_address: str | None = None,
    n_workers: int | None = None,
    extract: bool = True,
) -> list[dict[str, Any]]:
    """The ``ingest`` flow, then ``extract``, with their tasks on one Dask cluster (a deployable entry point).

    Ingest runs one task per group of sources (feeds, article pages and normalisation on one worker); extraction
    runs one task per batch of documents, the batches spread over the workers.

    Args:
        sources: source names; empty means every enabled source.
        sources_path: the sources TOML file (default: ``TELEFEED_SOURCES`` or ``sources.toml``).
        warehouse_path: a DuckDB file or ``ducklake:`` URL (default: ``TELEFEED_WAREHOUSE``).
        kinds: only sources of these kinds; empty means every kind.
        dask_address: the Dask scheduler (``tcp://scheduler:8786``); empty or ``"local"`` starts a local cluster.
        n_workers: worker processes when a local cluster is started.
        extract: run extraction on the new documents afterwards (on the same cluster).
    """
    with dask_cluster(dask_address, n_workers) as address:
        scaled = on_dask(ingest, address)
        result = scaled(
            sources=sources, sources_path=sources_path, warehouse_path=warehouse_path, kinds=kinds, extract=False
        )
        if extract:
            on_dask(extract_flow, address)(warehouse_path=warehouse_path, concurrent=True)
    return cast(list[dict[str, Any]], result)
