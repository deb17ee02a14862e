"""The ``ingest`` flow: one coarse task per source, writes serialised by the warehouse."""

from __future__ import annotations

import uuid
from typing import Any, cast

from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.context import get_run_context

from extraction.language import release_models as release_language_models
from extraction.pipeline import EXTRACTOR_VERSION
from flows.artifacts import publish_run_artifacts
from flows.telegram_secrets import flow_resources
from flows.writes import ensure_write_limit, serialised
from telefeed.config import Settings, load_sources, select_sources
from telefeed.memory import cap_malloc_arenas, release_free_memory
from telefeed.pipeline import Window, ingest_source
from telefeed.resources import Resources
from warehouse.backends import open_warehouse
from warehouse.extraction import needs_extraction


def _unexamined(resources: Resources) -> Resources:
    """``resources`` as a task argument that Prefect passes as is (``quote``: not copied, hashed or visited),
    so the tasks of a run share its Telegram clients."""
    from prefect.utilities.annotations import quote

    return cast(Resources, quote(resources))


def _run_id() -> str:
    try:
        ctx = get_run_context()
        flow_run = getattr(ctx, "flow_run", None)
        if flow_run is not None:
            return str(flow_run.id)
    except RuntimeError:
        pass
    return str(uuid.uuid4())


@task(name="ingest-source", task_run_name="ingest-{source_name}", cache_policy=NO_CACHE)
def ingest_source_task(
    source_name: str,
    sources_path: str,
    warehouse_path: str,
    run_id: str,
    since: str | None = None,
    until: str | None = None,
    resources: Resources | None = None,
) -> dict[str, Any]:
    """Ingest one source; returns its stats as a primitive dict (never raises for source errors).

    ``resources``: the flow run's (its Telegram sources of one account share one client); on a task runner in
    other processes (Dask) each task gets its own copy.
    """
    from datetime import datetime

    logger = get_run_logger()
    (source,) = select_sources(load_sources(sources_path), [source_name])
    window = None
    if since is not None or until is not None:
        window = Window(
            since=datetime.fromisoformat(since) if since else None,
            until=datetime.fromisoformat(until) if until else None,
        )
    stats = ingest_source(source, serialised(open_warehouse(warehouse_path)), run_id, window, resources)
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
    if stats.error_message:
        logger.warning("%s: %s", stats.source, stats.error_message)
    return stats.as_dict()


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
        futures = [
            ingest_source_task.submit(
                s.name, sources_file, warehouse_file, run_id, resources=_unexamined(run_resources)
            )
            for s in selected
        ]
        results = [f.result() for f in futures]
    finally:
        run_resources.close()
    release_language_models()  # before extraction loads the NER models: the two sets are never held together
    release_free_memory()
    try:
        if extract and needs_extraction(open_warehouse(warehouse_file), EXTRACTOR_VERSION):
            from flows.extract import extract as extract_flow

            extract_flow(warehouse_path=warehouse_file)
    finally:
        # After extraction, so the digest lists the entities and quotes of the documents this run landed.
        publish_run_artifacts(results, warehouse_file, run_id)
    return results
