"""The ``ingest`` flow: one coarse task per group of sources, writes serialised by the warehouse."""

from __future__ import annotations

import uuid
from typing import Any, TypeVar, cast

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context
from prefect.futures import PrefectFuture, as_completed
from prefect.utilities.annotations import quote

from extraction.language import release_models as release_language_models
from extraction.pipeline import EXTRACTOR_VERSION
from flows.artifacts import publish_run_artifacts
from flows.telegram_secrets import flow_resources
from flows.writes import ensure_write_limit, serialised
from telefeed.config import Settings, Source, load_sources, select_sources, source_from_config
from telefeed.memory import cap_malloc_arenas, release_free_memory
from telefeed.pipeline import SourceStats, cluster_stories, ingest_sources, not_run
from telefeed.pipeline.scheduling import SourceGroup, SourceQueue, groups_of
from telefeed.resources import Resources
from telefeed.stopping import StopRequest, stop_on_signals
from warehouse.backends import open_warehouse
from warehouse.extraction import needs_extraction

T = TypeVar("T")


class _Quoted(quote):
    """Prefect's ``quote`` that a task on another process (Dask) unpickles as the value it holds: Prefect's own
    is a tuple subclass whose pickle wraps the value in a second tuple, so the task got ``(value,)``."""

    __slots__ = ()

    def __getnewargs__(self) -> tuple[Any]:
        return (self.unquote(),)


def _unexamined(value: T) -> T:
    """``value`` as a task argument that Prefect passes as is (``quote``: not copied, hashed or visited), so the
    tasks of a run share its Telegram clients and its stop request (a task in another process gets a copy)."""
    return cast(T, _Quoted(value))


def _run_id() -> str:
    try:
        ctx = get_run_context()
        flow_run = getattr(ctx, "flow_run", None)
        if flow_run is not None:
            return str(flow_run.id)
    except RuntimeError:
        pass
    return str(uuid.uuid4())


@task(name="ingest-group", task_run_name="ingest-{label}", cache_policy=NO_CACHE)
def ingest_group_task(
    label: str,
    source_configs: list[dict[str, Any]],
    warehouse_path: str,
    run_id: str,
    resources: Resources,
    stop: StopRequest,
) -> list[dict[str, Any]]:
    """Ingest a group of sources one after another (their settings as read once by the flow); returns each one's
    stats as a primitive dict (never raises for source errors).

    ``resources``: the flow run's (its Telegram sources of one account share one client); ``stop``: the run's stop
    request (no further source of the group starts once it is set). On a task runner in other processes (Dask)
    each task gets its own copy of both.
    """
    logger = get_run_logger()
    sources = [source_from_config(config) for config in source_configs]
    warehouse = serialised(open_warehouse(warehouse_path))
    results = ingest_sources(sources, warehouse, run_id, resources, cluster=False, stop=stop)
    for stats in results:
        logger.info(
            "%s: status=%s fetched=%d new=%d updated=%d skipped=%d quarantined=%d errors=%d %.2fs",
            stats.source,
            stats.status,
            stats.fetched,
            stats.new,
            stats.updated,
            stats.skipped,
            stats.quarantined,
            stats.errors,
            stats.seconds,
        )
        for message in stats.error_messages:
            logger.warning("%s: %s", stats.source, message)
    return [stats.as_dict() for stats in results]


@task(name="cluster-stories")
def cluster_stories_task(warehouse_path: str) -> None:
    """Cluster the documents the run landed (and any an earlier run left unclustered), once per run."""
    error = cluster_stories(serialised(open_warehouse(warehouse_path)))
    if error is not None:
        get_run_logger().warning("%s (the next run or `telefeed cluster` retries)", error)


def run_sources(
    selected: list[Source],
    warehouse_path: str,
    run_id: str,
    settings: Settings,
    stop: StopRequest,
    resources: Resources,
) -> list[dict[str, Any]]:
    """Submit one task per group of sources (:func:`telefeed.pipeline.scheduling.groups_of`: one host each, at
    most ``max_sources_per_task``), at most ``max_sources_in_flight`` groups at once and ``max_sources_per_host``
    per host. A group runs one source at a time, so these are the limits on sources in flight.

    Once ``stop`` is set (SIGTERM/SIGINT) no new source starts and those in flight finish. Results come in the
    sources' order; a source never started is reported with status ``not_run``.
    """
    groups = groups_of(selected, settings.max_sources_in_flight, settings.max_sources_per_task)
    queue = SourceQueue(groups, settings.max_sources_in_flight, settings.max_sources_per_host)
    results: dict[str, dict[str, Any]] = {}
    running: dict[PrefectFuture[list[dict[str, Any]]], SourceGroup] = {}
    while True:
        while not stop.is_set() and (group := queue.take()) is not None:
            configs = [source.model_dump(mode="json") for source in group.sources]
            task = ingest_group_task.submit(
                group.label, configs, warehouse_path, run_id, _unexamined(resources), _unexamined(stop)
            )
            running[task] = group
        if not running:
            break
        finished = next(as_completed(list(running)))
        group = running.pop(finished)
        queue.done(group.name)
        results.update(_group_results(group, finished))
    for group in queue.drop_waiting():
        results.update((s.name, not_run(s, stop.reason or "stopped").as_dict()) for s in group.sources)
    return [results[s.name] for s in selected]


def _group_results(group: SourceGroup, finished: PrefectFuture[list[dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """Each source's stats of a finished group task; every source of the group failed when the task itself did
    (e.g. the warehouse stayed busy)."""
    try:
        return {stats["source"]: stats for stats in finished.result()}
    except Exception as exc:
        get_run_logger().error("group %s failed: %s: %s", group.label, type(exc).__name__, exc)
        failed = []
        for source in group.sources:
            stats = SourceStats(source=source.name, kind=source.kind)
            stats.fail(f"the task of its group failed: {type(exc).__name__}: {exc}")
            failed.append(stats)
        return {stats.source: stats.as_dict() for stats in failed}


@flow(name="ingest", log_prints=True)
def ingest(
    sources: list[str] | None = None,
    sources_path: str | None = None,
    warehouse_path: str | None = None,
    kinds: list[str] | None = None,
    extract: bool = True,
    resources: Resources | None = None,
) -> list[dict[str, Any]]:
    """Ingest the named sources (all enabled ones by default) into the warehouse.

    Args:
        sources: source names from the sources file; empty means every enabled source.
        sources_path: the sources TOML file (default: ``TELEFEED_SOURCES`` or ``sources.toml``).
        warehouse_path: the DuckDB file or a ``ducklake:`` URL (default: ``TELEFEED_WAREHOUSE`` or
            ``data/telefeed.duckdb``).
        kinds: only sources of these kinds (``rss``, ``telegram``, ``telegram_preview``, ``telegram_export``);
            empty means every kind. Scheduled deployments use it to give feeds and channels their own cadence.
        extract: afterwards run the ``extract`` flow on the documents that need extraction (flows/extract.py).
        resources: what the sources use from outside (Telegram clients, sleeper, secrets); default: the live
            ones with Prefect Secret blocks (:func:`flows.telegram_secrets.flow_resources`). Closed at the end.
    """
    cap_malloc_arenas()  # before the source tasks' threads start
    settings = Settings()
    sources_file = sources_path or settings.sources
    warehouse_file = warehouse_path or settings.warehouse
    selected = select_sources(load_sources(sources_file), sources)
    if kinds:
        selected = [s for s in selected if s.kind in kinds]
    ensure_write_limit()
    warehouse = serialised(open_warehouse(warehouse_file))
    warehouse.register_sources([(s.name, s.kind, s.model_dump(mode="json")) for s in selected])
    run_id = _run_id()
    run_resources = resources or flow_resources()
    try:
        with stop_on_signals(StopRequest()) as stop:
            results = run_sources(selected, warehouse_file, run_id, settings, stop, run_resources)
    finally:
        run_resources.close()
    cluster_stories_task(warehouse_file)
    release_language_models()  # before extraction loads the NER models: the two sets are never held together
    release_free_memory()
    try:
        if extract and not stop.is_set() and needs_extraction(open_warehouse(warehouse_file), EXTRACTOR_VERSION):
            from flows.extract import extract as extract_flow

            extract_flow(warehouse_path=warehouse_file)
    finally:
        # After extraction, so the digest lists the entities and quotes of the documents this run landed.
        publish_run_artifacts(results, warehouse_file, run_id)
    return results
